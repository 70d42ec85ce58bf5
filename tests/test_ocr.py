"""OCR with the real Tesseract: scanned PDFs, photographed pages, mixed PDFs, and what happens
when Tesseract is not installed (the file reported once with the install command, the rest read)."""
from __future__ import annotations

import datetime

import pytesseract
import pytest

from analysis.extract.pipeline import extract_all
from analysis.loaders import load_bytes
from analysis.loaders.ocr import INSTALL_COMMAND, skew_angle
from analysis.model import Extraction, LoadError, RawDocument
from analysis.workspace.ingest import ingest
from analysis.workspace.store import Workspace
from tests.scans import image_bytes, mixed_pdf, page_image, scanned_pdf

MEMO = [
    "Harbour Council memo, 5 March 2024",
    "Lena Ortiz met Marcus Webb at the Quay Street office.",
    "Webb said the ferry contract would be signed in April.",
]
SECOND_PAGE = ["Page two of the memo.", "The auditor Priya Raman asked for the invoices."]


def persons(raw: RawDocument) -> set[str]:
    (extraction,) = extract_all([raw])
    assert isinstance(extraction, Extraction)
    return {m.entity_name for m in extraction.mentions if m.entity_label == "PERSON"}


def only(results) -> RawDocument:
    (doc,) = list(results)
    assert isinstance(doc, RawDocument), doc
    return doc


def test_scanned_pdf_is_read_page_by_page_and_its_names_become_entities() -> None:
    pages: list[tuple[str, int, int]] = []
    doc = only(load_bytes("memo.pdf", scanned_pdf([MEMO, SECOND_PAGE]),
                          on_page=lambda name, done, total: pages.append((name, done, total))))
    assert pages == [("memo.pdf", 1, 2), ("memo.pdf", 2, 2)]
    assert doc.ocr_pages == 2
    assert "Lena Ortiz met Marcus Webb" in doc.text and "Priya Raman" in doc.text
    assert (doc.title, doc.title_derived) == ("Harbour Council memo, 5 March 2024", True)
    assert {"Lena Ortiz", "Marcus Webb", "Priya Raman"} <= persons(doc)


def test_a_scans_date_is_the_texts_and_the_day_of_the_scan_only_without_one() -> None:
    from analysis.extract.dates import document_date

    dated = only(load_bytes("memo.pdf", scanned_pdf([["MEMORANDUM", "Date: 5 March 2024", *MEMO[1:]]])))
    undated = only(load_bytes("note.pdf", scanned_pdf([SECOND_PAGE])))
    scanned_on = datetime.date.today().isoformat()  # Pillow stamps the PDF it writes with today
    assert (dated.date, undated.date) == (scanned_on, scanned_on)
    assert document_date(dated) == ("2024-03-05", "text")
    assert document_date(undated) == (scanned_on, "pdf-scan-date")


@pytest.mark.parametrize(("suffix", "fmt"), [(".jpg", "JPEG"), (".png", "PNG")])
def test_photographed_page_slightly_rotated_is_straightened_and_read(suffix: str, fmt: str) -> None:
    photo = page_image(MEMO, angle=3.5, blur=1.2)
    doc = only(load_bytes(f"photo{suffix}", image_bytes(photo, fmt)))
    assert doc.ocr_pages == 1
    assert "Lena Ortiz met Marcus Webb at the Quay Street office." in doc.text
    assert {"Lena Ortiz", "Marcus Webb"} <= persons(doc)


def test_skew_is_measured_both_ways() -> None:
    for angle in (-4.0, 0.0, 2.5):
        assert skew_angle(page_image(MEMO, angle=angle).convert("L")) == pytest.approx(-angle, abs=0.5)


def test_multipage_tiff_reads_every_frame() -> None:
    import io

    first, second = page_image(MEMO), page_image(SECOND_PAGE)
    out = io.BytesIO()
    first.save(out, "TIFF", save_all=True, append_images=[second])
    doc = only(load_bytes("fax.tiff", out.getvalue()))
    assert doc.ocr_pages == 2 and "Priya Raman" in doc.text and "Marcus Webb" in doc.text


def test_mixed_pdf_gets_its_text_layer_and_ocr_of_the_scanned_page() -> None:
    doc = only(load_bytes("mixed.pdf", mixed_pdf(["The minutes of the Harbour Council, typed."], MEMO)))
    assert doc.ocr_pages == 1
    typed, scanned = doc.text.split("\n\n", 1)
    assert typed == "The minutes of the Harbour Council, typed."
    assert "Lena Ortiz met Marcus Webb" in scanned


def test_image_without_words_and_damaged_image() -> None:
    blank = image_bytes(page_image([]), "PNG")
    assert list(load_bytes("blank.png", blank)) == [LoadError("blank.png", "OCR found no text in the image")]
    assert list(load_bytes("cut.png", blank[:200])) and isinstance(next(load_bytes("cut.png", blank[:200])), LoadError)


@pytest.fixture
def no_tesseract(monkeypatch):
    """As on a machine without Debian's tesseract-ocr: pytesseract finds no binary."""
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")


def test_without_tesseract_each_scan_is_reported_once_and_the_rest_is_ingested(no_tesseract, tmp_path) -> None:
    items = [
        *load_bytes("memo.pdf", scanned_pdf([MEMO, SECOND_PAGE])),
        *load_bytes("photo.jpg", image_bytes(page_image(MEMO, angle=2), "JPEG")),
        *load_bytes("mixed.pdf", mixed_pdf(["The minutes of the Harbour Council, typed."], MEMO)),
        *load_bytes("note.txt", b"Ferry talks resume\n\nLena Ortiz said talks would resume."),
    ]
    hint = f"needs OCR, but Tesseract is not installed. Install it with: {INSTALL_COMMAND}"
    errors = [(i.file_name, i.reason) for i in items if isinstance(i, LoadError)]
    assert errors == [
        ("memo.pdf", f"PDF has no text layer (scanned?) and it {hint}"),
        ("photo.jpg", hint),
        ("mixed.pdf", f"1 of 2 pages are scanned and {hint}"),
    ]
    report = ingest(Workspace(tmp_path / "ws"), items)
    assert sorted(r.file_name for r in report.added) == ["mixed.pdf", "note.txt"]
    assert sorted(r.file_name for r in report.failed) == ["memo.pdf", "mixed.pdf", "photo.jpg"]


def test_ocr_is_recorded_in_the_workspace(tmp_path) -> None:
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [*load_bytes("memo.pdf", scanned_pdf([MEMO])), *load_bytes("note.txt", b"Typed note by Lena Ortiz.")])
    rows = ws.query("SELECT file_name, ocr_pages, title, title_derived FROM documents ORDER BY file_name")
    assert rows.values.tolist() == [["memo.pdf", 1, "Harbour Council memo, 5 March 2024", True],
                                    ["note.txt", 0, "Typed note by Lena Ortiz.", True]]
