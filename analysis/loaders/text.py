"""Plain text (.txt, .md) and the encoding detection every text-based format shares."""
from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from analysis.loaders._common import (
    Budget,
    LoadFailure,
    Result,
    document,
    normalise_newlines,
)

BINARY = "not a text file: looks like binary data"

# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Declared labels that browsers (WHATWG) read as windows-1252, their superset.
_AS_CP1252 = {"ascii", "latin-1", "iso8859-1"}
# C0 and C1 control characters other than tab, line feed, vertical tab, form feed, return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_RATIO = 0.05
_MD_HEADING = re.compile(r" {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_MD_FENCE = re.compile(r" {0,3}(```|~~~)")


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes to text, deterministically: BOM, then a declared charset, then UTF-8, then cp1252.

    Guessing libraries give different answers on short texts; this order is right for the
    files analysts actually have (UTF-8, Word's UTF-16 exports, Windows-1252 legacy).
    Line ends are left alone (batch records keep their text verbatim). Raises LoadFailure
    for binary data; a few NULs in a text are removed later, with a note (`sanitise`).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            data = data[len(bom):]
            try:
                return _checked(data.decode(codec))
            except UnicodeDecodeError:
                break  # a mislabelled file: judge the rest like any unmarked bytes
    for codec in (_codec(declared), "utf-8", "cp1252"):
        if codec:
            try:
                return _checked(data.decode(codec))
            except (UnicodeError, LookupError):  # LookupError: a declared non-text codec
                continue
    # cp1252 leaves five bytes undefined; Latin-1 maps them to control characters.
    return _checked(data.decode("latin-1"))


def _codec(declared: str | None) -> str | None:
    """A usable codec for a declared charset; UTF-16/32 without a BOM is ignored, as browsers do."""
    try:
        name = codecs.lookup((declared or "").strip()).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None
    return "cp1252" if name in _AS_CP1252 else name


def _checked(text: str) -> str:
    """Refuse text with many control characters (NUL among them): a binary file that happened to
    decode, or UTF-16 without its byte-order mark."""
    if len(_CONTROL.findall(text)) > _MAX_CONTROL_RATIO * len(text):
        raise LoadFailure(BINARY)
    return text


def load_text(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    """A .txt file; it has no title of its own (one is derived from its first line, `titles`)."""
    text = normalise_newlines(decode_text(data))
    yield document(text, file_name, "contains only whitespace")


def load_markdown(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    """A .md file, kept as written; its title is the first level-one '# heading'."""
    text = normalise_newlines(decode_text(data))
    yield document(text, file_name, "contains only whitespace", title=markdown_title(text))


def markdown_title(text: str) -> str | None:
    """The first ATX level-one heading outside fenced code (where '#' starts a shell comment)."""
    in_fence = False
    for line in text.split("\n"):
        if _MD_FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (match := _MD_HEADING.match(line)):
            return match.group(1).strip()
    return None
