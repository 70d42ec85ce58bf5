"""Attaching quote-mark spans to reporting events: what is a quote, and whose.

A quoted stretch is a quote only if an attribution reaches it: a reporting event in its
sentence (or introducing it with a colon), the attribution of the quote it continues, or,
for a fragment inside a sentence, a reporting verb whose content holds it. Anything else
between marks is a title or a scare quote ("axis of resistance") and is left alone.
"""
from __future__ import annotations

from dataclasses import dataclass

from .context import QUOTE_CHARS, DocContext
from .events import Event
from .marks import MarkSpan

OPEN_AFTER = frozenset(":,.;?!—–(-") | QUOTE_CHARS  # a full quote may follow these
CLOSE_BEFORE = frozenset(",.;:?!—–)…") | QUOTE_CHARS  # ... and be followed by these
ATTRIBUTION_TAIL_TOKENS = 8  # `"…." Smith said.` split off as a sentence of its own


@dataclass
class Attribution:
    """A statement (characters start:end) attributed through an event."""

    start: int
    end: int
    kind: str  # "direct" | "partial" | "indirect"
    event: Event
    stance: bool = False  # a bare noun or prepositional object: a position, whatever the verb


def attach_outlets(events: list[Event]) -> list[Event]:
    """Fold reporting-chain phrases into the events they qualify.

    "X said Y, according to Al-Akhbar" is one statement by X carried by Al-Akhbar, so the
    "according to" event becomes the outlet of the verb events that govern it; governed by
    none it is an attribution of its own. Likewise "..., Al Mayadeen reported".
    """
    by_segment: dict[int, list[Event]] = {}
    for event in events:
        by_segment.setdefault(event.segment, []).append(event)
    kept = []
    for event in events:
        verbs = [e for e in by_segment[event.segment] if e.kind == "verb" and e.speaker is not None]
        if event.kind in ("source", "outlet"):  # only a phrase has hosts: most events are verbs
            hosts = [v for v in verbs if _governs(v, event)] or (verbs if event.kind == "outlet" else [])
            for verb in hosts:
                verb.outlet = verb.outlet or event.speaker
            if hosts or event.kind == "outlet":
                continue
        others = [e for e in verbs if e is not event]
        if event.lemma == "report" and others:
            # "X said Y, Z reported", "Z reported that X said Y": Z carried X's statement; but in
            # "X said it will report a gain", the report (of a figure, no clause) is part of it
            for verb in others if event.clausal else ():
                verb.outlet = verb.outlet or event.speaker
                if _contains(verb.content, event.cue_start) and event.content is not None:
                    verb.content = event.content  # "X said Y, Z reported": the statement is Y
            continue
        kept.append(event)
    return kept


def _governs(verb: Event, phrase: Event) -> bool:
    """Whether a verb event's verb governs a cue phrase in the parse.

    When the parser cut the sentence inside a quote (`saying "… [from Syria]," according
    to Al-Akhbar`) the two are in different trees, and the verb is taken to govern it.
    """
    if verb.anchor is None or phrase.anchor is None:
        return False
    if verb.anchor.sent.start != phrase.anchor.sent.start:
        return verb.cue_start < phrase.cue_start
    return verb.anchor.is_ancestor(phrase.anchor)


def _contains(span: tuple[int, int] | None, char: int) -> bool:
    return span is not None and span[0] <= char < span[1]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def is_standalone(text: str, mark: MarkSpan, cue_ends: set[int]) -> bool:
    """Whether a quoted stretch is a full quote rather than a fragment inside a sentence.

    A full quote is set off by punctuation (`: "…"`, `"…," he said`) or follows its cue
    directly (`said "…"`); a fragment runs on from the words around it (`the "first
    issue" in`).
    """
    before = text[: mark.open].rstrip(" \t")
    prefix_ok = not before or before[-1] in OPEN_AFTER or before[-1] == "\n" or len(before) in cue_ends
    if not mark.closed:
        return prefix_ok
    inner = text[mark.content_start : mark.content_end].rstrip()
    after = text[mark.outer_end :].lstrip(" \t")
    suffix_ok = (
        (inner and inner[-1] in CLOSE_BEFORE)
        or not after
        or after[0] in CLOSE_BEFORE
        or after[0] == "\n"
    )
    return prefix_ok and bool(suffix_ok)


class Attributor:
    """Decides which quoted stretches are quotes and builds the attributions of a document."""

    def __init__(self, ctx: DocContext, events: list[Event]) -> None:
        self.ctx = ctx
        self.text = ctx.text
        self.events = events
        self.cue_ends = {e.cue_end for e in events}
        self.consumed: set[int] = set()  # ids of events whose statement is a direct quote
        self.partial: set[int] = set()  # ids of events whose content holds a quoted fragment

    def run(self) -> list[Attribution]:
        found = self._direct_quotes()
        self._mark_fragments(found)
        found += self._indirect()
        return sorted(found, key=lambda a: (a.start, a.end))

    # direct quotes ---------------------------------------------------------------

    def _groups(self) -> list[list[MarkSpan]]:
        groups: dict[int, list[MarkSpan]] = {}
        for mark in self.ctx.marks:
            groups.setdefault(mark.group, []).append(mark)
        return list(groups.values())

    def _direct_quotes(self) -> list[Attribution]:
        found: list[Attribution] = []
        previous: Attribution | None = None
        labels = [e.cue_start for e in self.events if e.kind == "label"]
        for group in self._groups():
            # a transcript line `"PENCE: …` is attributed by its label, not as a quote
            group = [m for m in group if not any(m.content_start <= c < m.content_end for c in labels)]
            if not group or len(group) == 1 and not is_standalone(self.text, group[0], self.cue_ends):
                continue
            event = self._event_in_frame(group) or self._continued(group, previous)
            if event is None:
                continue
            for mark in group:
                attribution = self._content(mark, event)
                if attribution is not None:
                    found.append(attribution)
                    previous = attribution
        return found

    def _content(self, mark: MarkSpan, event: Event) -> Attribution | None:
        start, end = mark.content_start, mark.content_end
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and (self.text[end - 1].isspace() or self.text[end - 1] == ","):
            end -= 1
        if start == end:
            return None
        if event.content is None or _overlap(event.content, (mark.open, mark.outer_end)):
            self.consumed.add(id(event))
        return Attribution(start, end, "direct", event)

    def _frame(self, mark: MarkSpan) -> set[int]:
        """Segments where the attribution of a full quote may be written."""
        ctx = self.ctx
        segments = set(range(ctx.segment_index(mark.open), ctx.segment_index(max(mark.open, mark.close - 1)) + 1))
        before = self.text[: mark.open].rstrip()
        if before.endswith(":"):
            segments.add(ctx.segment_index(len(before) - 1))
        after = mark.outer_end + len(self.text[mark.outer_end :]) - len(self.text[mark.outer_end :].lstrip(" \t"))
        if after < len(self.text) and self.text[after] != "\n":
            nxt = ctx.segment_index(after)
            if nxt not in segments and len(ctx.segments[nxt]) <= ATTRIBUTION_TAIL_TOKENS:
                segments.add(nxt)
        return segments

    def _event_in_frame(self, group: list[MarkSpan]) -> Event | None:
        """The event attributing a quote: one whose content is the quote, else the nearest."""
        frame = set().union(*(self._frame(m) for m in group))
        span = (group[0].open, group[-1].outer_end)
        candidates = [
            e for e in self.events
            if e.segment in frame and not (span[0] <= e.cue_start < span[1] and self.ctx.in_mark(e.cue_start))
        ]
        if not candidates:
            return None

        def rank(event: Event) -> tuple[int, int]:
            overlaps = event.content is not None and _overlap(event.content, span) > 0
            distance = min(abs(event.cue_start - span[1]), abs(span[0] - event.cue_end))
            return (0 if overlaps else 1, distance)

        return min(candidates, key=rank)

    def _continued(self, group: list[MarkSpan], previous: Attribution | None) -> Event | None:
        """The event of the statement this quote continues.

        `"…," X said. "…"` continues X's quote in the same paragraph; a paragraph that opens
        with a quote and has no attribution of its own continues the speaker of the
        paragraph before, whether that one was quoted or reported ("Kerry said that …").
        """
        para_this = self.ctx.paragraph(group[0].open)
        if previous is not None and self.ctx.paragraph(max(previous.end, previous.event.cue_end - 1)) == para_this:
            return previous.event
        if not self._opens_paragraph(group[0].open):
            return None
        before = [
            e for e in self.events
            if e.kind == "verb" and e.speaker is not None and self.ctx.paragraph(e.cue_start) == para_this - 1
        ]
        if previous is not None and self.ctx.paragraph(max(previous.end, previous.event.cue_end - 1)) == para_this - 1:
            before.append(previous.event)
        return max(before, key=lambda e: e.cue_start) if before else None

    def _opens_paragraph(self, char: int) -> bool:
        return self.ctx.paragraph(char) != self.ctx.paragraph(char - 1) or not self.text[:char].strip()

    # fragments and indirect speech ---------------------------------------------

    def _mark_fragments(self, direct: list[Attribution]) -> None:
        """Flag verb events whose content holds a quoted fragment, widened to hold it whole."""
        taken = {(a.start, a.end) for a in direct}
        for mark in self.ctx.marks:
            if any(mark.content_start <= s and e <= mark.content_end for s, e in taken):
                continue
            segment = self.ctx.segment_index(mark.content_start)
            for event in self.events:
                if event.kind != "verb" or event.segment != segment or event.content is None:
                    continue
                if id(event) in self.consumed:
                    continue
                inner = (mark.content_start, mark.content_end)
                # a quote that opens inside the reported clause and outlasts it goes on it
                # ('said he was "very pleased. This levels the field."'), however long
                runs_on = event.content[0] < mark.open < event.content[1] <= inner[1]
                if runs_on or _overlap(event.content, inner) * 2 >= inner[1] - inner[0]:
                    self.partial.add(id(event))
                    event.content = (min(event.content[0], mark.open), max(event.content[1], mark.outer_end))

    def _indirect(self) -> list[Attribution]:
        found = []
        for event in self.events:
            if event.content is None or id(event) in self.consumed:
                continue
            kind = "partial" if id(event) in self.partial else "indirect"
            if event.kind == "label" and self.ctx.in_mark(event.content[0]) is not None:
                kind = "direct"
            # "criticised the plan", "called him a liar": no reported clause, so no statement,
            # but a stance all the same
            stance = kind == "indirect" and not event.clausal
            found.append(Attribution(event.content[0], event.content[1], kind, event, stance))
        return found
