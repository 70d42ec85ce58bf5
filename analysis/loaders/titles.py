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
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“«])")
_SPACE = re.compile(r"\s+")


def derived_title(text: str, max_chars: int = MAX_CHARS) -> str | None:
    """The first non-blank line (without Markdown's heading marks) when it is headline-sized, else its first sentence, shortened
    at a word boundary to `max_chars` (with an ellipsis); None for a text of blanks."""
    line = next((line.strip(" \t#") for line in text.splitlines() if line.strip(" \t#")), "")
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
