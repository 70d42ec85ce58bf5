"""Paragraph boundaries in plain text, and a spaCy component that makes them sentence ends.

News text arrives in two shapes: one paragraph per line (web copy, the sample article)
and hard-wrapped lines with indented or blank-line paragraphs (wire copy). A line break
starts a paragraph when it follows a blank line, precedes an indented line, or follows
sentence-final punctuation; a break in the middle of a wrapped sentence does not.
Titles and captions then never run into the sentence after them, which the parser
alone often lets happen.

A third shape is text broken into short lines without punctuation: a list of names, a poem,
a PDF or OCR export with one word per line. There the parser finds no end for thousands of
lines (100,000 one-word lines made 7 sentences of 100 KB). In a run of `SHORT_RUN` or more
lines of at most `SHORT_LINE_CHARS` characters each, every line starts a sentence (not a
paragraph). Wrapped prose has longer lines, and the short lines of wire tables (dividends'
"Pay April 15", "Record March 31") come in runs of fewer: no Reuters story is affected.
"""
from __future__ import annotations

import bisect
import functools
import re

from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

SHORT_LINE_CHARS = 20
SHORT_RUN = 5
_LINE_BETWEEN = re.compile(r"\S[ \t]*\n[ \t]*(?=\S)")  # a single line break between two lines of text
MIN_WRAPPED_BREAKS = 3
_LINE_BREAK = re.compile(r"\n[ \t]*")
_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]{2,}\S)[ \t]*|(?<=[.!?:\"”’')\]])[ \t]*\n\s*")


def paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs begin (0 first), at the breaks described above."""
    return list(_paragraph_starts(text))


@functools.lru_cache(maxsize=4)
def _paragraph_starts(text: str) -> tuple[int, ...]:
    """Kept for the last few texts: the parse (`paragraph_breaks`), the quote units and the
    sentence rows each ask for the same document's paragraphs."""
    return (0, *(m.end() for m in _BREAK.finditer(text) if m.end() < len(text)))


@functools.lru_cache(maxsize=4)
def hard_wrapped(text: str) -> bool:
    """Whether the text is wire copy wrapped at a fixed width: at least half of its line breaks
    fall inside paragraphs ("throughout the week in\nthe Bahia cocoa zone"). Web copy puts one
    paragraph on a line, and then every line is a unit of its own. (Half, not more: a short wire
    story of three wrapped paragraphs has as many breaks between them as inside them.) Kept for
    the last few texts, like `_paragraph_starts`: the quote units and the names both ask."""
    breaks = len(_LINE_BETWEEN.findall(text))
    return breaks >= MIN_WRAPPED_BREAKS and breaks - len(paragraph_starts(text)) + 1 >= breaks / 2


def line_wraps(text: str) -> frozenset[int]:
    """Offsets of the line breaks of hard-wrapped text that fall inside a paragraph (none in web
    copy): there a name may run on to the next line ("the Federal\nReserve Board").

    (Wrapped lines are not required to be filled to the width: the width of wire copy varies
    within a story, and that rule lost 69 of 401 names run over a break in 1,000 Reuters stories.)
    """
    if not hard_wrapped(text):
        return frozenset()
    starts = set(_paragraph_starts(text))
    return frozenset(m.start() for m in _LINE_BREAK.finditer(text) if m.end() not in starts)


def short_line_starts(text: str) -> list[int]:
    """Offsets of the first character of each line after the first in runs of short lines."""
    starts: list[int] = []
    run: list[int] = []  # where each line of the current run of short lines starts
    offset = 0
    for line in text.split("\n"):
        content = line.strip()
        if content and len(content) <= SHORT_LINE_CHARS:
            run.append(offset + len(line) - len(line.lstrip()))
        else:
            if len(run) >= SHORT_RUN:
                starts += run[1:]
            run = []
        offset += len(line) + 1
    if len(run) >= SHORT_RUN:
        starts += run[1:]
    return starts


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """Mark the first token of every paragraph, and of every line in a run of short lines, as a
    sentence start (before the parser runs)."""
    starts = sorted({*paragraph_starts(doc.text), *short_line_starts(doc.text)})
    # set as one array: each `token.is_sent_start = True` scans the whole Doc (quadratic in lines)
    marks = doc.to_array([SENT_START])
    for token in doc[1:]:
        if token.is_space:
            continue
        i = bisect.bisect_right(starts, token.idx) - 1
        if i > 0 and starts[i] == token.idx:
            marks[token.i] = 1
    doc.from_array([SENT_START], marks)
    return doc
