"""Quotation-mark spans found by a character scanner, before any parsing.

The tokenizer and parser are unreliable around quote marks (a straight `"` is both opener
and closer, a `’` is mostly an apostrophe), so the spans are found on the characters with
typographic context, and the parse is used only afterwards, to attribute them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DOUBLE_OPEN = "“„«"
DOUBLE_CLOSE = "”»"
SINGLE_OPEN = "‘"
SINGLE_CLOSE = "’"
STRAIGHT_DOUBLE = '"'
STRAIGHT_SINGLE = "'"
OPENING_CONTEXT = "([{—–-/"  # characters after which a mark opens a quote
# an apostrophe that opens a word rather than a quote: '90s, 'em, 'til, 'cause, rock 'n' roll
_ELISION = re.compile(r"['‘](?:\d\ds?\b|em\b|til\b|cause\b|n['’]|tis\b)", re.IGNORECASE)


@dataclass(frozen=True)
class MarkSpan:
    """One quoted stretch inside a paragraph.

    `open` is the offset of the opening mark; `close` that of the closing mark, or the end
    of the paragraph when the quote runs on into the next paragraph (`closed` is False).
    Spans of one multi-paragraph quote share `group`.
    """

    open: int
    close: int
    closed: bool
    group: int

    @property
    def content_start(self) -> int:
        return self.open + 1

    @property
    def content_end(self) -> int:
        return self.close

    @property
    def outer_end(self) -> int:
        return self.close + 1 if self.closed else self.close


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, the unit a quote must close in or run on from."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        if match.group().strip():
            spans.append((match.start(), match.end()))
    return spans


def _context(text: str, i: int, start: int, end: int) -> tuple[bool, bool]:
    """Whether position i looks like an opening and/or a closing mark by its neighbours."""
    prev = text[i - 1] if i > start else " "
    nxt = text[i + 1] if i + 1 < end else " "
    opens = (prev.isspace() or prev in OPENING_CONTEXT) and not nxt.isspace()
    closes = not prev.isspace() and (nxt.isspace() or not nxt.isalnum())
    return opens, closes


def _double_role(text: str, i: int, start: int, end: int, is_open: bool) -> str:
    """'open' or 'close' for a double mark: context first, then the glyph, then the state."""
    opens, closes = _context(text, i, start, end)
    if opens != closes:
        return "open" if opens else "close"
    char = text[i]
    if char in DOUBLE_OPEN:
        return "open"
    if char in DOUBLE_CLOSE:
        return "close"
    return "close" if is_open else "open"


def _scan_double(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], int | None]:
    """Closed (open, close) pairs of double marks in a paragraph, and a still-open mark."""
    pairs: list[tuple[int, int]] = []
    open_at: int | None = None
    for i in range(start, end):
        if text[i] not in DOUBLE_OPEN + DOUBLE_CLOSE + STRAIGHT_DOUBLE:
            continue
        role = _double_role(text, i, start, end, open_at is not None)
        if role == "open":
            open_at = i  # an opener while open: the earlier mark was stray
        elif open_at is not None:
            pairs.append((open_at, i))
            open_at = None
    return pairs, open_at


def _scan_single(text: str, start: int, end: int, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Closed single-mark pairs outside double-quoted stretches (headlines, British style).

    A single closer is accepted only with an opener pending, since `’` is mostly an
    apostrophe; an unclosed single quote is dropped rather than run on.
    """
    pairs: list[tuple[int, int]] = []
    open_at: int | None = None
    for i in range(start, end):
        if any(a <= i <= b for a, b in taken):
            open_at = None
            continue
        char = text[i]
        if char not in SINGLE_OPEN + SINGLE_CLOSE + STRAIGHT_SINGLE:
            continue
        opens, closes = _context(text, i, start, end)
        if open_at is None and opens and char != SINGLE_CLOSE and not _ELISION.match(text, i):
            open_at = i
        elif open_at is not None and closes and char != SINGLE_OPEN and i > open_at + 1:
            pairs.append((open_at, i))
            open_at = None
    return pairs


def _starts_with_opener(text: str, start: int, end: int) -> bool:
    first = text[start:end].lstrip()
    return bool(first) and first[0] in DOUBLE_OPEN + STRAIGHT_DOUBLE


def find_mark_spans(text: str) -> list[MarkSpan]:
    """All quoted stretches of `text`, in order, with multi-paragraph quotes grouped.

    News style continues a long quote by leaving the paragraph open and reopening the next
    one with a mark; such a run-on ends at its paragraph and joins the next span's group.
    """
    spans: list[MarkSpan] = []
    group = 0
    continuing = False
    paras = paragraphs(text)
    for n, (start, end) in enumerate(paras):
        pairs, open_at = _scan_double(text, start, end)
        found = [(a, b, True) for a, b in pairs]
        if open_at is not None:
            found.append((open_at, start + len(text[start:end].rstrip()), False))
        found += [(a, b, True) for a, b in _scan_single(text, start, end, [(a, b) for a, b, _ in found])]
        first_char = start + len(text[start:end]) - len(text[start:end].lstrip())
        for a, b, closed in sorted(found):
            if not (continuing and a == first_char):
                group += 1
            continuing = False
            spans.append(MarkSpan(a, b, closed, group))
        next_para = paras[n + 1] if n + 1 < len(paras) else None
        continuing = open_at is not None and next_para is not None and _starts_with_opener(text, *next_para)
    return spans
