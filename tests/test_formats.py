"""The formats analysts receive besides articles: .odt, .rtf, .msg, .mbox, .xlsx and .pptx, each
read into documents with its metadata, and each refusing bad input with a reason."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from analysis.loaders import Limits, load_bytes
from analysis.model import LoadError, RawDocument
from tests.office_files import make_msg, make_odt, make_pptx, make_xlsx
from tests.test_loaders import one

UTC = dt.timezone.utc


def load_one(name: str, data: bytes, limits: Limits = Limits()) -> RawDocument | LoadError:
    return one(load_bytes(name, data, limits))


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return out.getvalue()


# --------------------------------------------------------------------------- .odt


def test_odt_paragraphs_and_metadata() -> None:
    doc = load_one("ferry.odt", make_odt(["Ferry strike ends", "Crews returned on Monday, said Ana Lirio."],
                                         title="Ferry strike", creator="Ana Lirio", date="2024-02-01T10:00:00"))
    assert (doc.text, doc.title, doc.author, doc.date, doc.date_source) == (
        "Ferry strike ends\n\nCrews returned on Monday, said Ana Lirio.", "Ferry strike", "Ana Lirio",
        "2024-02-01", "odt-metadata")


def test_odt_without_metadata_gets_a_derived_title() -> None:
    doc = load_one("bare.odt", make_odt(["Tram line extended", "The tram now reaches the stadium."]))
    assert (doc.title, doc.title_derived, doc.author, doc.date) == ("Tram line extended", True, None, None)


@pytest.mark.parametrize(("data", "reason"), [
    (b"PK\x03\x04 not a zip", "corrupt ODT: "),
    (zip_of({"mimetype": b"application/vnd.oasis.opendocument.text"}), "not an OpenDocument text: no content.xml"),
    (zip_of({"content.xml": b"<unclosed"}), "corrupt ODT: "),
    (make_odt([]), "ODT has no text"),
])
def test_bad_odt(data: bytes, reason: str) -> None:
    error = load_one("bad.odt", data)
    assert isinstance(error, LoadError) and error.reason.startswith(reason), error


def test_odt_entity_expansion_is_not_followed() -> None:
    """An XML entity pointing at a local file must not pull that file into the document."""
    content = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/hostname">]>'
               b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               b'<text:p>Visible &secret; text</text:p></office:text></office:body></office:document-content>')
    doc = load_one("xxe.odt", zip_of({"content.xml": content}))
    assert isinstance(doc, RawDocument)
    assert doc.text.startswith("Visible") and doc.text.endswith("text")
    assert len(doc.text) < 40


# --------------------------------------------------------------------------- .rtf


def test_rtf_text_with_code_page_accents_and_info_group() -> None:
    data = (rb"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}{\info{\title Port report}{\author Jo Lee}}"
            rb"\pard Caf\'e9 owners protest the new quay.\par The mayor replied on Friday.\par}")
    doc = load_one("port.rtf", data)
    assert (doc.text, doc.title, doc.author) == (
        "Café owners protest the new quay.\nThe mayor replied on Friday.", "Port report", "Jo Lee")


@pytest.mark.parametrize(("data", "reason"), [
    (b"plain text named .rtf", "not an RTF file: it does not start with {\\rtf"),
    (rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\par}", "RTF has no text"),
])
def test_bad_rtf(data: bytes, reason: str) -> None:
    assert load_one("bad.rtf", data) == LoadError("bad.rtf", reason)


# --------------------------------------------------------------------------- .msg


def test_outlook_message_subject_sender_date_and_body() -> None:
    data = make_msg("Council vote moved", "Dear editor,\nThe harbour council will vote on Friday.",
                    sent=dt.datetime(2024, 3, 5, 9, 30, tzinfo=UTC))
    doc = load_one("tip.msg", data)
    assert (doc.text, doc.title, doc.author, doc.source, doc.date, doc.date_source) == (
        "Dear editor,\nThe harbour council will vote on Friday.", "Council vote moved", "Lena Ortiz",
        "harbour-council.example", "2024-03-05", "msg-properties")


def test_outlook_message_body_in_regular_sectors() -> None:
    """A body over 4,096 bytes is stored outside the mini stream: both ways are read."""
    body = "The harbour council voted on Tuesday. " * 150
    assert load_one("long.msg", make_msg("Long", body)).text == body


@pytest.mark.parametrize(("data", "reason"), [
    (b"From: someone\n\nan email saved as .msg", "not an Outlook message: no OLE2 compound file header"),
    (make_msg("No body", None), "Outlook message has no text body"),
    (make_msg("Cut", "Body " * 2000)[:1500], "corrupt Outlook message: "),
])
def test_bad_outlook_message(data: bytes, reason: str) -> None:
    error = load_one("bad.msg", data)
    assert isinstance(error, LoadError) and error.reason.startswith(reason), error


# --------------------------------------------------------------------------- .mbox

MBOX = (b"From jo@x.example Tue Mar  5 09:30:00 2024\n"
        b"From: Jo Marsh <jo@x.example>\nSubject: Quay protest\nDate: Tue, 05 Mar 2024 09:30:00 +0000\n\n"
        b"Owners met on the quay.\n>From the desk: more later.\n\n"
        b"From al@y.example Tue Mar  5 10:00:00 2024\nFrom: Al <al@y.example>\nSubject: Empty\n"
        b"Content-Type: image/png\n\n\n"
        b"From al@y.example Tue Mar  5 11:00:00 2024\nFrom: Al Reyes <al@y.example>\nSubject: Second\n\n"
        b"The mayor answered.\n")


def test_mbox_messages_each_a_document_a_bad_one_reported() -> None:
    results = list(load_bytes("inbox.mbox", MBOX))
    assert [(r.title, r.author, r.date, r.text) if isinstance(r, RawDocument) else r for r in results] == [
        ("Quay protest", "Jo Marsh", "2024-03-05", "Owners met on the quay.\nFrom the desk: more later.\n\n"),
        LoadError("inbox.mbox", "message 2: email has no text body"),
        ("Second", "Al Reyes", None, "The mayor answered.\n"),
    ]


def test_not_an_mbox() -> None:
    assert load_one("x.mbox", b"Subject: hi\n\nbody") == LoadError(
        "x.mbox", "not an mbox file: it does not start with a 'From ' line")


# --------------------------------------------------------------------------- .xlsx


def test_xlsx_rows_are_documents_like_csv_rows() -> None:
    data = make_xlsx({
        "Notes": [["no text column here"], ["ignored"]],
        "Stories": [["id", "Title", "text", "date", "source"],
                    ["r1", "Bridge reopens", "The bridge reopened.", dt.date(2024, 1, 15), "Ledger"],
                    [None, None, None, None, None],
                    [7, None, "Second story, no title.", "15/01/2024", None],
                    ["r3", "No text", None, None, None]],
    })
    results = list(load_bytes("batch.xlsx", data))
    assert results == [
        RawDocument(text="The bridge reopened.", file_name="batch.xlsx", title="Bridge reopens", source="Ledger",
                    date="2024-01-15", date_source="batch-column", record_id="r1"),
        RawDocument(text="Second story, no title.", file_name="batch.xlsx", title="Second story, no title.",
                    title_derived=True, date="2024-01-15", date_source="batch-column", record_id="7"),
        LoadError("batch.xlsx", "sheet 'Stories' row 5: no text"),
    ]


@pytest.mark.parametrize(("data", "reason"), [
    (b"PK\x03\x04 broken", "corrupt XLSX: "),
    (b"id,text\n1,a csv renamed", "corrupt XLSX: "),
    (make_xlsx({"Sheet": [["id", "title"], ["1", "x"]]}), "XLSX has no sheet with a 'text' column and data rows (sheets: 'Sheet')"),
    (make_xlsx({"Sheet": [["text"]]}), "XLSX has no sheet with a 'text' column"),
])
def test_bad_xlsx(data: bytes, reason: str) -> None:
    error = load_one("bad.xlsx", data)
    assert isinstance(error, LoadError) and error.reason.startswith(reason), error


def test_xlsx_zip_bomb_is_refused() -> None:
    data = make_xlsx({"Sheet": [["text"]] + [["word " * 6_000] for _ in range(10)]})  # ~300 KB of XML
    error = load_one("big.xlsx", data, Limits(max_zip_total_bytes=100_000))
    assert isinstance(error, LoadError) and error.reason.startswith("XLSX refused: uncompressed size"), error


# --------------------------------------------------------------------------- .pptx


def test_pptx_slides_notes_and_title() -> None:
    doc = load_one("deck.pptx", make_pptx([("Budget 2024", "Spending rises by 4 pct"), ("Next steps", "Vote in May")],
                                          title="Council budget", notes="Ask about the ferry"))
    assert doc.text == "Budget 2024\nSpending rises by 4 pct\n\nNext steps\nVote in May\nAsk about the ferry"
    assert doc.title == "Council budget"


@pytest.mark.parametrize(("data", "reason"), [
    (b"PK\x03\x04 broken", "corrupt PPTX: "),
    (zip_of({"hello.txt": b"not a deck"}), "corrupt PPTX: "),
    (make_pptx([]), "PPTX has no text"),
])
def test_bad_pptx(data: bytes, reason: str) -> None:
    error = load_one("bad.pptx", data)
    assert isinstance(error, LoadError) and error.reason.startswith(reason), error
