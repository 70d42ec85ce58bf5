"""E-mail (.eml, and .mbox mailboxes of them): press releases and tips arrive this way; the body
is the document."""
from __future__ import annotations

import email
import re
from collections.abc import Iterator
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

from analysis.loaders._common import (
    Budget,
    LoadFailure,
    Result,
    clean,
    date_of,
    document,
    normalise_newlines,
)
from analysis.loaders.text import decode_text
from analysis.model import LoadError
from analysis.loaders.web import html_to_text


def load_email(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    message = email.message_from_bytes(data, policy=policy.default)
    sender = _sender(message)
    date = date_of(getattr(_header(message, "date"), "datetime", None))
    yield document(
        _body(message), file_name, "email has no text body",
        title=clean(_header(message, "subject")),
        author=_author(sender),
        source=clean(sender.domain) if sender else None,
        date=date, date_source="email-header" if date else None,
    )


def _body(message: EmailMessage) -> str:
    """The text/plain body, else the text/html one as readable text."""
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        return normalise_newlines(_decoded(plain))
    html = message.get_body(preferencelist=("html",))
    return html_to_text(_decoded(html)) if html is not None else ""


def _decoded(part: EmailMessage) -> str:
    """A part's text through the shared decoder: mail charsets are often missing or wrong."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise LoadFailure("email body could not be decoded")
    return decode_text(payload, part.get_content_charset())


def _header(message: EmailMessage, name: str) -> object:
    """A parsed header, or None when it is absent or too malformed for the parser."""
    try:
        return message[name]
    except Exception:  # the header registry raises on some malformed values
        return None


def _sender(message: EmailMessage) -> Address | None:
    addresses = getattr(_header(message, "from"), "addresses", ())
    return addresses[0] if addresses else None


def _author(sender: Address | None) -> str | None:
    """The sender's name, else their address; None for an empty one ("<>")."""
    if sender is None:
        return None
    return clean(sender.display_name) or (clean(sender.addr_spec) if sender.username else None)


_MBOX_SEPARATOR = re.compile(rb"^From [^\r\n]*\r?\n", re.MULTILINE)


def load_mbox(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    """A mailbox (.mbox, what Thunderbird and Gmail's export give): each message a document, read
    as an .eml; a message without text is reported by its number, the others still load."""
    if not data.startswith(b"From "):
        raise LoadFailure("not an mbox file: it does not start with a 'From ' line")
    messages = _MBOX_SEPARATOR.split(data)[1:]
    for number, message in enumerate(messages, start=1):
        unquoted = re.sub(rb"(?m)^>(>*From )", rb"\1", message)  # mboxrd quoting of "From " lines
        try:
            yield from load_email(file_name, unquoted, budget)
        except LoadFailure as exc:
            yield LoadError(file_name, f"message {number}: {exc}")
