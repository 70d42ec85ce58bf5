"""Quote and attribution extraction: who said what, in which words, through whom.

Pipeline, per document:
1. `marks`: a character scanner finds quoted stretches (all mark styles, run-on paragraphs);
2. `events`: the parse gives reporting events (verbs from the lexicon, "according to");
3. `attribution`: quoted stretches are attached to events; what no event reaches is a
   title or a scare quote; events left over with a reported clause are indirect speech;
4. `speakers`: each speaker is narrowed to its name and resolved to a named mention.
"""
from __future__ import annotations

from spacy.tokens import Doc

from analysis.model import Quote

from .attribution import Attribution, Attributor, attach_outlets
from .context import NAME_LABELS, DocContext
from .events import Event, find_events
from .lexicon import Lexicon, load_lexicon
from .speakers import Offsets, Resolver, SpeakerSpans, speaker_kind, speaker_spans

__all__ = ["find_quotes"]

TIME_LABELS = frozenset({"DATE", "TIME"})


def find_quotes(doc: Doc, text: str | None = None) -> list[Quote]:
    """All attributed statements of a parsed document, in text order (`text`: `doc.text`, when known)."""
    lex = load_lexicon()
    ctx = DocContext(doc, text)
    events = attach_outlets(find_events(ctx, lex))
    attributions = Attributor(ctx, events).run()
    resolver = Resolver(ctx, lex)
    quotes = []
    seen: set[tuple[int, int]] = set()
    for attribution in sorted(attributions, key=lambda a: min(a.start, a.event.cue_start)):
        if (attribution.start, attribution.end) in seen:
            continue
        seen.add((attribution.start, attribution.end))
        quotes.append(_to_quote(attribution, ctx, resolver))
    return sorted(quotes, key=lambda q: (q.start, q.end))


def _to_quote(attribution: Attribution, ctx: DocContext, resolver: Resolver) -> Quote:
    text = ctx.text
    event = attribution.event
    lex = resolver.lex
    outlet = _outlet(event, ctx, lex)
    spans: SpeakerSpans | None = speaker_spans(event.speaker, ctx, lex) if event.speaker is not None else None
    speaker = spans.speaker if spans is not None else None
    referent = resolver.resolve(spans, outlet) if spans is not None else None
    kind = speaker_kind(spans, text, lex) if spans is not None else "pronoun"
    # "a BankAmerica spokesman", "Hamas officials": the speaker is the descriptor, who speaks
    # for the organisation named in it (not so "Norman's lawyers" for Norman)
    qualified = spans is not None and spans.name is not None and not spans.identifies
    if qualified and ctx.label_of(*spans.name) in ("ORG", "GPE", "NORP"):
        referent = spans.name
    # reported speech by something that cannot speak ("the data suggest that", "fear is
    # that"): an attribution, but nobody's statement
    mute = kind == "thing" and referent is None and attribution.kind == "indirect"
    # "he was told that", "(Note that ...)": an attribution with no source is nobody's statement;
    # nor is what someone "would not say"
    sourceless = spans is None and attribution.kind != "direct"
    unsaid = event.negated and attribution.kind != "direct"
    speaks_as_outlet = event.kind != "verb" or event.lemma == "report"  # "according to X", "X reported"
    resolver.remember(event.cue_start, referent, outlet or (referent if speaks_as_outlet else None))
    if referent is None and kind == "descriptor":
        resolver.remember_descriptor(event.cue_start, spans)
    return Quote(
        start=attribution.start,
        end=attribution.end,
        text=text[attribution.start : attribution.end],
        kind=attribution.kind,
        cue=text[event.cue_start : event.cue_end],
        cue_start=event.cue_start,
        cue_end=event.cue_end,
        speaker=text[speaker[0] : speaker[1]] if speaker else None,
        speaker_start=speaker[0] if speaker else None,
        speaker_end=speaker[1] if speaker else None,
        sentence=ctx.sentence_index(attribution.start),
        referent_start=referent[0] if referent else None,
        referent_end=referent[1] if referent else None,
        reported_by=text[outlet[0] : outlet[1]] if outlet else None,
        reported_by_start=outlet[0] if outlet else None,
        reported_by_end=outlet[1] if outlet else None,
        speaker_label=_label(speaker, referent, kind, qualified, ctx, resolver),
        act="position" if mute or sourceless or unsaid or attribution.stance or event.lemma in lex.position_verbs else "statement",
    )


def _outlet(event: Event, ctx: DocContext, lex: Lexicon) -> Offsets | None:
    """Where the outlet that carried a statement is written: a name or a noun that can carry one
    ("the newspaper", "a report", a proper noun the recogniser missed: "the Kestrel Herald"), not a
    pronoun nobody was found for, a thing ("according to its own interest") or a time ("in an
    interview on Thursday")."""
    if event.outlet is None:
        return None
    spans = speaker_spans(event.outlet, ctx, lex)
    kind = speaker_kind(spans, ctx.text, lex)
    if kind == "pronoun" or kind == "thing" and spans.head.pos_ != "PROPN":
        return None
    return None if ctx.label_of(*spans.speaker) in TIME_LABELS else spans.speaker


def _label(speaker: Offsets | None, referent: Offsets | None, kind: str, qualified: bool, ctx: DocContext,
           resolver: Resolver) -> str | None:
    """The shown label of an unnamed speaker, or of one that is a descriptor met before ("the
    analysts" after "industry analysts"); None when the speaker is named (the entity shows)."""
    if speaker is not None and kind == "descriptor" and (referent is None or qualified):
        return descriptor_label(ctx, *speaker)
    if referent is not None and resolver.is_descriptor(referent):
        return descriptor_label(ctx, *referent)
    return None


def descriptor_label(ctx: DocContext, start: int, end: int) -> str:
    """How an unnamed speaker is shown and counted: "Economists" opening a sentence and
    "economists" are one kind of source on the speakers chart, and "Industry\nanalysts" as
    hard-wrapped copy writes it is "industry analysts"; a name keeps its capital ("Washington
    analysts"). Quantifiers stay: "some analysts" is what the text claims, not "analysts"; a
    number is no name ("One former director" is "one former director").
    """
    label = " ".join(ctx.text[start:end].split())
    span = ctx.doc.char_span(start, end, alignment_mode="expand")
    if span is not None and len(span):
        first = span[0]
        if first.pos_ != "PROPN" and first.ent_type_ not in NAME_LABELS and first.text[1:] == first.text[1:].lower():
            label = label[:1].lower() + label[1:]
    return label
