"""Titles for documents that came without one: CSV rows, scans, plain text files.

A table of "None" rows tells the analyst nothing; the first line of a story is usually its
headline, and otherwise its first sentence says what it is about. Such a title is marked as
derived (`RawDocument.title_derived`), so it is never taken for the publisher's.
"""
from __future__ import annotations

import dataclasses
import re

from analysis.model import RawDocument

MAX_CHARS = 100
# a sentence ends at . ! or ?, but not at dotted initials ("the U.S. Senate") or a two-letter
# abbreviation ("St. Louis", "Dr. Tam")
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\.[A-Z]\.)(?<!\b[A-Z][a-z]\.)\s+(?=[A-Z0-9\"“«])")
_SPACE = re.compile(r"\s+")


def _first_line(text: str) -> tuple[str, int]:
    """The first non-blank line, without Markdown's heading marks, and where the text after it starts."""
    at = 0
    for line in text.splitlines(keepends=True):
        at += len(line)
        body = line.splitlines()[0].strip(" \t#")  # without its line break, whichever it is
        if body:
            return body, at
    return "", at


def derived_title(text: str, max_chars: int = MAX_CHARS) -> str | None:
    """The first non-blank line (without Markdown's heading marks) when it is headline-sized, else its first sentence, shortened
    at a word boundary to `max_chars` (with an ellipsis); None for a text of blanks."""
    line, _ = _first_line(text)
    if not line:
        return None
    line = _SPACE.sub(" ", _SENTENCE_END.split(line, maxsplit=1)[0]) if len(line) > max_chars else line
    if len(line) <= max_chars:
        return line
    cut = line.rfind(" ", 0, max_chars)
    return line[: cut if cut > max_chars // 2 else max_chars].rstrip(" ,;:-") + "…"


def with_title(raw: RawDocument) -> RawDocument:
    """`raw` itself when it has a title, else a copy with a derived one."""
    if raw.title:
        return raw
    title = derived_title(raw.text)
    return dataclasses.replace(raw, title=title, title_derived=True) if title else raw


def without_byline(raw: RawDocument, author: str) -> RawDocument:
    """`raw` with its derived title taken from the lines after the first when that line is the
    byline naming `author` ("Annabelle Liang, The Associated Press", found by the extraction): a
    byline says who wrote a story, not what it is about. A given title stays, and so does one
    derived from any other line."""
    line, rest = _first_line(raw.text)
    if not (raw.title_derived and raw.title == line and author.casefold() in line.casefold()):
        return raw
    title = derived_title(raw.text[rest:])
    return dataclasses.replace(raw, title=title) if title else raw
