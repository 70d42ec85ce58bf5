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
OPENING_CONTEXT = "([{—–-/"  # characters after which a mark opens a quote
# double marks, including the `` and '' of typewriter and NYT-archive text
_DOUBLE = re.compile(r"''|``|[\"“”„«»]")
_SINGLE = re.compile(r"['‘’]")
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
    open_len: int = 1  # a `''` mark is two characters wide
    close_len: int = 1

    @property
    def content_start(self) -> int:
        return self.open + self.open_len

    @property
    def content_end(self) -> int:
        return self.close

    @property
    def outer_end(self) -> int:
        return self.close + self.close_len if self.closed else self.close


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, the unit a quote must close in or run on from."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        if match.group().strip():
            spans.append((match.start(), match.end()))
    return spans


Mark = tuple[int, int]  # (offset, length) of one quote mark
Pair = tuple[Mark, Mark]


def _context(text: str, mark: Mark, start: int, end: int) -> tuple[bool, bool]:
    """Whether a mark looks like an opening and/or a closing one by its neighbours."""
    i, length = mark
    prev = text[i - 1] if i > start else " "
    nxt = text[i + length] if i + length < end else " "
    opens = (prev.isspace() or prev in OPENING_CONTEXT) and not nxt.isspace()
    closes = not prev.isspace() and (nxt.isspace() or not nxt.isalnum())
    return opens, closes


def _double_role(text: str, mark: Mark, start: int, end: int, is_open: bool) -> str:
    """'open' or 'close' for a double mark: context first, then the glyph, then the state."""
    opens, closes = _context(text, mark, start, end)
    if opens != closes:
        return "open" if opens else "close"
    char = text[mark[0]]
    if char in DOUBLE_OPEN:
        return "open"
    if char in DOUBLE_CLOSE:
        return "close"
    return "close" if is_open else "open"


def _scan_double(text: str, start: int, end: int) -> tuple[list[Pair], Mark | None]:
    """Closed pairs of double marks in a paragraph, and a still-open mark."""
    pairs: list[Pair] = []
    open_mark: Mark | None = None
    for match in _DOUBLE.finditer(text, start, end):
        mark = (match.start(), match.end() - match.start())
        if _double_role(text, mark, start, end, open_mark is not None) == "open":
            open_mark = mark  # an opener while open: the earlier mark was stray
        elif open_mark is not None:
            pairs.append((open_mark, mark))
            open_mark = None
    return pairs, open_mark


def _scan_single(text: str, start: int, end: int, taken: list[tuple[int, int]]) -> list[Pair]:
    """Closed single-mark pairs outside double-quoted stretches (headlines, British style).

    A single closer is accepted only with an opener pending, since `’` is mostly an
    apostrophe; an unclosed single quote is dropped rather than run on.
    """
    pairs: list[Pair] = []
    open_mark: Mark | None = None
    for match in _SINGLE.finditer(text, start, end):
        i = match.start()
        if any(a <= i < b for a, b in taken):
            open_mark = None
            continue
        char = text[i]
        opens, closes = _context(text, (i, 1), start, end)
        if open_mark is None and opens and char != SINGLE_CLOSE and not _ELISION.match(text, i):
            open_mark = (i, 1)
        elif open_mark is not None and closes and char != SINGLE_OPEN and i > open_mark[0] + 1:
            pairs.append((open_mark, (i, 1)))
            open_mark = None
    return pairs


def _starts_with_opener(text: str, start: int, end: int) -> bool:
    first = start + len(text[start:end]) - len(text[start:end].lstrip())
    return bool(_DOUBLE.match(text, first)) and text[first] not in DOUBLE_CLOSE


def find_mark_spans(text: str, paras: list[tuple[int, int]] | None = None) -> list[MarkSpan]:
    """All quoted stretches of `text`, in order, with multi-paragraph quotes grouped.

    News style continues a long quote by leaving the paragraph open and reopening the next
    one with a mark; such a run-on ends at its paragraph and joins the next span's group.
    """
    spans: list[MarkSpan] = []
    group = 0
    continuing = False
    paras = paragraphs(text) if paras is None else paras
    for n, (start, end) in enumerate(paras):
        pairs, open_mark = _scan_double(text, start, end)
        taken = [(a[0], b[0] + b[1]) for a, b in pairs]
        if open_mark is not None:
            taken.append((open_mark[0], end))
        pairs += _scan_single(text, start, end, taken)
        found = [(a[0], b[0], True, a[1], b[1]) for a, b in pairs]
        if open_mark is not None:
            found.append((open_mark[0], start + len(text[start:end].rstrip()), False, open_mark[1], 0))
        first_char = start + len(text[start:end]) - len(text[start:end].lstrip())
        for a, b, closed, open_len, close_len in sorted(found):
            if not (continuing and a == first_char):
                group += 1
            continuing = False
            spans.append(MarkSpan(a, b, closed, group, open_len, close_len))
        next_para = paras[n + 1] if n + 1 < len(paras) else None
        continuing = open_mark is not None and next_para is not None and _starts_with_opener(text, *next_para)
    return spans
