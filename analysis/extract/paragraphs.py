"""Paragraph boundaries in plain text, and a spaCy component that makes them sentence ends.

News text arrives in two shapes: one paragraph per line (web copy, the sample article)
and hard-wrapped lines with indented or blank-line paragraphs (wire copy). A line break
starts a paragraph when it follows a blank line, precedes an indented line, or follows
sentence-final punctuation; a break in the middle of a wrapped sentence does not.
Titles and captions then never run into the sentence after them, which the parser
alone often lets happen.
"""
from __future__ import annotations

import bisect
import re

from spacy.language import Language
from spacy.tokens import Doc

_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]{2,}\S)[ \t]*|(?<=[.!?:\"”’')\]])[ \t]*\n\s*")


def paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs begin (0 first), at the breaks described above."""
    return [0, *(m.end() for m in _BREAK.finditer(text) if m.end() < len(text))]


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """Mark the first token of every paragraph as a sentence start (before the parser runs)."""
    starts = paragraph_starts(doc.text)
    for token in doc[1:]:
        if token.is_space:
            continue
        i = bisect.bisect_right(starts, token.idx) - 1
        if i > 0 and starts[i] == token.idx:
            token.is_sent_start = True
    return doc
