"""Outlook messages (.msg): subject, sender, date and body of a MAPI message stored in an OLE2
compound file, read with olefile (BSD; the .msg-specific libraries on PyPI are GPL).

Each MAPI property is a stream named `__substg1.0_<id><type>`: type 001F is UTF-16 text, 001E
8-bit text, 0102 binary (the HTML body). Times are in the fixed-size property stream.
"""
from __future__ import annotations

import datetime
import io
import struct
from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import olefile

from analysis.loaders._common import (
    Budget,
    LoadFailure,
    Result,
    clean,
    date_of,
    describe,
    document,
    normalise_newlines,
)
from analysis.loaders.text import decode_text
from analysis.loaders.web import html_to_text

SUBJECT, BODY, HTML_BODY, HEADERS = "0037", "1000", "1013", "007D"
SENDER_NAME, SENDER_EMAIL = "0C1A", "0C1F"
SUBMIT_TIME, DELIVERY_TIME = 0x0039, 0x0E06
_PROPERTIES = "__properties_version1.0"
_PT_SYSTIME = 0x0040
_FILETIME_EPOCH = datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)


def load_msg(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    if not olefile.isOleFile(io.BytesIO(data)):
        raise LoadFailure("not an Outlook message: no OLE2 compound file header")
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            text = _Message(ole)
            body = text.string(BODY)
            if not (body and body.strip()) and (html := text.binary(HTML_BODY)):
                body = html_to_text(decode_text(html))
            subject, sender, address = text.string(SUBJECT), text.string(SENDER_NAME), text.string(SENDER_EMAIL)
            sent = text.time(SUBMIT_TIME) or text.time(DELIVERY_TIME) or _header_date(text.string(HEADERS))
    except LoadFailure:
        raise
    except Exception as exc:  # olefile raises its own and struct/OS errors on damaged files
        raise LoadFailure(f"corrupt Outlook message: {describe(exc)}") from exc
    date = date_of(sent)
    domain = address.rpartition("@")[2] if address and "@" in address else None
    yield document(
        normalise_newlines(body or ""), file_name, "Outlook message has no text body",
        title=clean(subject), author=clean(sender) or clean(address), source=clean(domain),
        date=date, date_source="msg-properties" if date else None,
    )


class _Message:
    """The top-level properties of a message (an attachment's are in sub-storages: not read)."""

    def __init__(self, ole: olefile.OleFileIO):
        self.ole = ole

    def _stream(self, name: str) -> bytes | None:
        return self.ole.openstream(name).read() if self.ole.exists(name) else None

    def string(self, prop: str) -> str | None:
        raw = self._stream(f"__substg1.0_{prop}001F")
        if raw is not None:
            return raw.decode("utf-16-le", errors="replace").rstrip("\x00")
        raw = self._stream(f"__substg1.0_{prop}001E")
        return decode_text(raw).rstrip("\x00") if raw is not None else None

    def binary(self, prop: str) -> bytes | None:
        return self._stream(f"__substg1.0_{prop}0102")

    def time(self, prop_id: int) -> datetime.datetime | None:
        """A PT_SYSTIME property: 16-byte entries after the message's 32-byte header."""
        raw = self._stream(_PROPERTIES)
        if raw is None:
            return None
        for offset in range(32, len(raw) - 15, 16):
            prop_type, found_id, _flags, value = struct.unpack_from("<HHIQ", raw, offset)
            if found_id == prop_id and prop_type == _PT_SYSTIME and value:
                return _FILETIME_EPOCH + datetime.timedelta(microseconds=value // 10)
        return None


def _header_date(headers: str | None) -> datetime.datetime | None:
    """The Date: of the transport headers a received message keeps."""
    for line in (headers or "").splitlines():
        if line.lower().startswith("date:"):
            try:
                return parsedate_to_datetime(line[5:].strip())
            except (TypeError, ValueError):
                return None
    return None
