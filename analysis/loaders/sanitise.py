"""The last step of every load: names and texts that any output (database, JSON, page) can take.

Two things in loaded strings break writers far from the loader that let them in, and lose a
whole batch there: a file name that is not valid UTF-8 (bytes from an old Windows or Mac
archive, which Python hands over as lone surrogates) and NUL or unpaired surrogate characters
inside a text (JSON's "\\u0000", "\\ud800"). Every document and error passes through
`sanitised` on its way out of the loaders, so that no format's loader has to remember it.
"""
from __future__ import annotations

import dataclasses
import re

from analysis.model import LoadError, RawDocument

_SURROGATE = re.compile("[\ud800-\udfff]")
_TEXT_FIELDS = ("text", "title", "source", "author", "url", "date", "date_source", "record_id")


def exact_bytes(name: str) -> bytes:
    """The bytes a name stands for: those of the file system (`os.fsencode`) for a name that
    came from it, the UTF-8 of any other surrogate for one that did not."""
    try:
        return name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogatepass")


def displayable(name: str) -> str:
    """`name` with each byte that is not UTF-8 shown as an escape: b"caf\\xe9.txt" -> "caf\\\\xe9.txt"."""
    if not _SURROGATE.search(name):
        return name
    return exact_bytes(name).decode("utf-8", "backslashreplace")


def sanitised(item: RawDocument | LoadError) -> RawDocument | LoadError:
    """`item` with a displayable file name (the exact one kept) and texts free of NUL and surrogates.

    In texts, a NUL is removed and a surrogate replaced by U+FFFD, one character for one, so
    offsets into a text without NULs stay put; the document's notes say what its text lost.
    """
    if isinstance(item, LoadError):
        return LoadError(displayable(item.file_name), displayable(item.reason))
    changes: dict[str, object] = {}
    nuls = surrogates = 0
    for field in _TEXT_FIELDS:
        value = getattr(item, field)
        if not value or (value.isascii() and "\x00" not in value):
            continue
        cleaned, n = _SURROGATE.subn("\ufffd", value.replace("\x00", ""))
        if field == "text":  # the metadata taken from it (a title) is cleaned alike, unsaid
            nuls, surrogates = value.count("\x00"), n
        if cleaned != value:
            changes[field] = cleaned
    shown = displayable(item.file_name)
    if "text" in changes and not str(changes["text"]).strip():
        return LoadError(shown, "no text besides NUL characters")
    if shown != item.file_name:
        changes["file_name"] = shown
        changes["file_name_bytes"] = exact_bytes(item.file_name)
    notes = list(item.notes)
    if nuls:
        notes.append(f"{_count(nuls, 'NUL character')} removed")
    if surrogates:
        notes.append(f"{_count(surrogates, 'invalid character')} (unpaired UTF-16 surrogates) "
                     "replaced with U+FFFD")
    if notes != list(item.notes):
        changes["notes"] = tuple(notes)
    return dataclasses.replace(item, **changes) if changes else item


def _count(n: int, thing: str) -> str:
    return f"{n:,} {thing}{'' if n == 1 else 's'}"
