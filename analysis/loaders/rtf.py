"""Rich Text Format (.rtf): the text through striprtf, the title and author of its \\info group."""
from __future__ import annotations

import re
from collections.abc import Iterator

from striprtf.striprtf import rtf_to_text

from analysis.loaders._common import Budget, LoadFailure, Result, clean, describe, document, normalise_newlines

_INFO = re.compile(r"\{\\(title|author)\s+([^{}]*)\}")
_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")


def load_rtf(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    if not data.lstrip().startswith(b"{\\rtf"):
        raise LoadFailure("not an RTF file: it does not start with {\\rtf")
    codepage = _CODEPAGE.search(data[:2048])
    encoding = f"cp{codepage.group(1).decode()}" if codepage else "cp1252"
    try:
        source = data.decode(encoding, errors="replace")
    except LookupError:  # a code page Python does not know
        encoding, source = "cp1252", data.decode("cp1252", errors="replace")
    try:
        text = rtf_to_text(source, encoding=encoding, errors="replace")
    except Exception as exc:  # striprtf on malformed control words
        raise LoadFailure(f"corrupt RTF: {describe(exc)}") from exc
    info = {key: rtf_to_text(value, encoding=encoding, errors="replace") for key, value in _INFO.findall(source)}
    yield document(normalise_newlines(text).strip("\n"), file_name, "RTF has no text",
                   title=clean(info.get("title")), author=clean(info.get("author")))
