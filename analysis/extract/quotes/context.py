"""Lookups over one parsed document that every attribution step needs."""
from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from spacy.attrs import IDX, LOWER, POS
from spacy.strings import get_string_id
from spacy.symbols import IDS as POS_IDS
from spacy.tokens import Doc, Span, Token

from ..paragraphs import hard_wrapped, paragraph_starts
from .marks import MarkSpan, find_mark_spans, paragraphs

NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
QUOTE_CHARS = frozenset("\"'“”‘’«»„")


@dataclass
class DocContext:
    """A Doc with its quote-mark spans, paragraphs and sentence segments.

    Segments are spaCy sentences cut again at line breaks: the parser happily runs a
    sentence over a paragraph end, which would let an attribution reach across paragraphs.
    """

    doc: Doc
    # spaCy builds Token objects, `Doc.text` and `Doc.ents` anew at every access: read them
    # once here, and find the few tokens a step looks at in arrays rather than one by one.
    # `text` is the Doc's text when the caller has it (`Doc.text` joins every token's text).
    text: str | None = None
    ents: tuple[Span, ...] = field(init=False)
    # the entities that can name a speaker: a name label, and a capital somewhere ("the rookie
    # defenceman" tagged ORG is no name); each speaker phrase looks among these
    names: tuple[Span, ...] = field(init=False)
    sents: list[Span] = field(init=False)
    paragraphs: list[tuple[int, int]] = field(init=False)  # (start, end) of each non-blank line
    marks: list[MarkSpan] = field(init=False)
    segments: list[Span] = field(init=False)
    _paragraph_starts: list[int] = field(init=False)
    _sent_starts: list[int] = field(init=False)
    _segment_starts: list[int] = field(init=False)
    person_last_words: frozenset[str] = field(init=False)
    _mark_starts: list[int] = field(init=False)
    _token_starts: list[int] = field(init=False)
    _pos: list[int] = field(init=False)
    _positions: dict[int, list[int]] = field(init=False)  # lowercase word id -> its token indices

    def __post_init__(self) -> None:
        self.text = text = self.doc.text if self.text is None else self.text
        arrays = self.doc.to_array([IDX, POS, LOWER])
        self._token_starts, self._pos, lowers = (column.tolist() for column in arrays.T)
        self._positions = {}
        for i, word in enumerate(lowers):
            self._positions.setdefault(word, []).append(i)
        self.ents = tuple(self.doc.ents)
        self.names = tuple(e for e in self.ents if e.label_ in NAME_LABELS and any(t.text[:1].isupper() for t in e))
        self.sents = list(self.doc.sents)
        self.paragraphs = text_units(text)
        self.marks = find_mark_spans(text, self.paragraphs)
        self._mark_starts = [m.content_start for m in self.marks]
        self._paragraph_starts = [start for start, _ in self.paragraphs]
        self._sent_starts = [s.start_char for s in self.sents]
        self.segments = self._join_inside_quotes(list(self._segment()))
        self._segment_starts = [s.start_char for s in self.segments]
        self.person_last_words = frozenset(
            e[-1].lower_ for e in self.ents if e.label_ == "PERSON"
        )

    def tokens_where(self, lower: frozenset[str], pos: frozenset[str] | None = None) -> list[Token]:
        """The tokens, in order, written as one of the lowercase words `lower` (an empty set
        matches none) and with one of the parts of speech `pos` (when given).

        Looked up by word in an index of the document's words (`_positions`), built once: the
        steps ask six times per document, and a pass over every token each time cost ~4 % of
        the quote stage."""
        pos_ids = None if pos is None else _ids(pos, POS_IDS.__getitem__)
        lower_ids = _ids(lower, get_string_id)
        if len(lower_ids) < len(self._positions):
            found = [i for w in lower_ids for i in self._positions.get(w, ())]
        else:
            found = [i for w, where in self._positions.items() if w in lower_ids for i in where]
        return [self.doc[i] for i in sorted(found) if pos_ids is None or self._pos[i] in pos_ids]

    def _segment(self) -> Iterator[Span]:
        # A token holding a line break between units, in its text or its trailing space, ends a segment.
        ends = [start - 1 for start, _ in self.paragraphs[1:]] if self.paragraphs[1:] else []
        newlines = [self.text.rfind("\n", 0, end + 1) for end in ends]
        breaks = sorted({bisect.bisect_right(self._token_starts, n) - 1 for n in newlines if n >= 0})
        for sent in self.sents:
            start = sent.start
            for i in breaks[bisect.bisect_left(breaks, sent.start) : bisect.bisect_left(breaks, sent.end)]:
                if i + 1 > start:
                    yield self.doc[start : i + 1]
                start = i + 1
            if start < sent.end:
                yield self.doc[start : sent.end]

    def _join_inside_quotes(self, segments: list[Span]) -> list[Span]:
        """Rejoin segments the parser split inside a quote: `"A. B," she said` is one unit."""
        joined = segments[:1]
        for seg in segments[1:]:
            mark = self.in_mark(seg.start_char)
            if mark is not None and mark.content_start < seg.start_char and joined:
                joined[-1] = self.doc[joined[-1].start : seg.end]
            else:
                joined.append(seg)
        return joined

    def paragraph(self, char: int) -> int:
        """Index of the non-blank line holding (or preceding) `char`."""
        return bisect.bisect_right(self._paragraph_starts, char) - 1

    def sentence_index(self, char: int) -> int:
        return max(0, bisect.bisect_right(self._sent_starts, char) - 1)

    def segment_index(self, char: int) -> int:
        return max(0, bisect.bisect_right(self._segment_starts, char) - 1)

    def segment_of(self, token: Token) -> Span:
        return self.segments[self.segment_index(token.idx)]

    def in_mark(self, char: int) -> MarkSpan | None:
        """The quoted stretch whose content holds `char`, if any."""
        i = bisect.bisect_right(self._mark_starts, char) - 1
        if i >= 0 and char < self.marks[i].content_end:
            return self.marks[i]
        return None

    def label_of(self, start: int, end: int) -> str:
        """Entity label of a named span, PERSON when its last word names a person anywhere.

        The small model labels the same surname PERSON in one sentence and ORG in the
        next; the person reading is the one that matters for pronoun resolution.
        """
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span) and span[-1].lower_ in self.person_last_words:
            return "PERSON"
        for ent in self.ents:
            if ent.start_char <= start and end <= ent.end_char:
                return ent.label_
        return "PERSON"


def text_units(text: str) -> list[tuple[int, int]]:
    """(start, end) of the units a quote must close in and an attribution cannot cross: each
    non-blank line, or each paragraph of hard-wrapped text (`paragraphs.paragraph_starts`)."""
    if not hard_wrapped(text):
        return paragraphs(text)
    starts = paragraph_starts(text)
    units = []
    for start, end in zip(starts, starts[1:] + [len(text)]):
        body = text[start:end].rstrip()
        if body.strip():
            units.append((start, start + len(body)))
    return units


@functools.lru_cache(maxsize=32)
def _ids(names: frozenset[str], to_id: Callable[[str], int]) -> frozenset[int]:
    """The spaCy ids of `names`, made once per set of names."""
    return frozenset(to_id(n) for n in names)


def char_range(tokens: list[Token]) -> tuple[int, int]:
    """(start, end) characters covered by tokens, ignoring their order."""
    return min(t.idx for t in tokens), max(t.idx + len(t) for t in tokens)
