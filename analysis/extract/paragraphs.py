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
_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]{2,}\S)[ \t]*|(?<=[.!?:\"”’')\]])[ \t]*\n\s*")


def paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs begin (0 first), at the breaks described above."""
    return list(_paragraph_starts(text))


@functools.lru_cache(maxsize=4)
def _paragraph_starts(text: str) -> tuple[int, ...]:
    """Kept for the last few texts: the parse (`paragraph_breaks`), the quote units and the
    sentence rows each ask for the same document's paragraphs."""
    return (0, *(m.end() for m in _BREAK.finditer(text) if m.end() < len(text)))


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
