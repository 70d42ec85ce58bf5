"""PDF: the text layer, page by page; a page without one (a scan) is rendered and read by OCR."""
from __future__ import annotations

import io
import re
from collections.abc import Iterator

from pypdf import PasswordType, PdfReader

from analysis.loaders import ocr
from analysis.loaders._common import (
    Budget,
    LoadFailure,
    Result,
    clean,
    describe,
    document,
    iso_date,
    normalise_newlines,
)
from analysis.model import SCAN_DATE, LoadError

# A page with fewer visible characters than this in its text layer is taken for a scan: scanners
# often leave a page number or a stray mark as text over the image.
MIN_PAGE_CHARS = 20

_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})(\d{2})")


def load_pdf(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    if b"%PDF-" not in data[:1024]:  # where the PDF spec allows the header to be
        raise LoadFailure("not a PDF: no %PDF header (is it another format renamed?)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _decrypt(reader)
        pages = [normalise_newlines(page.extract_text()).strip() for page in reader.pages]
        info = reader.metadata  # its properties resolve indirect objects
        title, author, created = (
            (info.title, info.author, info.creation_date_raw) if info else (None, None, None)
        )
    except LoadFailure:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise LoadFailure(f"corrupt PDF: {describe(exc)}") from exc
    scanned = [i for i, text in enumerate(pages) if len("".join(text.split())) < MIN_PAGE_CHARS]
    missing = ocr.unavailable() if scanned else None
    if scanned and not missing:
        for i, text in zip(scanned, _ocr_pages(data, scanned, file_name, budget)):
            pages[i] = text
    date = _pdf_date(created)
    yield document(
        "\n\n".join(filter(None, pages)), file_name,
        f"PDF has no text layer (scanned?) and it {missing}" if missing else "PDF has no text, even by OCR",
        title=clean(title), author=clean(author),
        # a scan's creation date is the day it was scanned: dates.document_date ranks it after the text's
        date=date, date_source=(SCAN_DATE if len(scanned) == len(pages) else "pdf-metadata") if date else None,
        ocr_pages=0 if missing else len(scanned),
    )
    if missing:  # a mixed PDF: its text pages are in, the scanned ones are not
        yield LoadError(file_name, f"{len(scanned)} of {len(pages)} pages are scanned and {missing}")


def _ocr_pages(data: bytes, numbers: list[int], file_name: str, budget: Budget) -> list[str]:
    """The OCR text of the pages `numbers` (0-based), each rendered at `ocr.RENDER_DPI`."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise LoadFailure(f"PDF pages cannot be rendered for OCR: {describe(exc)}") from exc
    try:
        images = (pdf[i].render(scale=ocr.RENDER_DPI / 72).to_pil() for i in numbers)
        return list(ocr.read_images(images, file_name, budget, len(numbers)))
    finally:
        pdf.close()


def _pdf_date(value: object) -> str | None:
    """yyyy-mm-dd of a PDF date string ("D:20240305101500+01'00'"); None unless the day is given."""
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value or "")
    match = _PDF_DATE.match(text.strip())
    return iso_date("-".join(match.groups())) if match else None


def _decrypt(reader: PdfReader) -> None:
    """Open a PDF encrypted with an empty user password (common: "no copying" PDFs), else refuse."""
    try:
        opened = reader.decrypt("") != PasswordType.NOT_DECRYPTED
    except Exception as exc:  # an unsupported cipher or a damaged encryption dictionary
        raise LoadFailure(f"PDF is encrypted and cannot be opened ({describe(exc)})") from exc
    if not opened:
        raise LoadFailure("PDF is encrypted: a password is needed to open it (save an unprotected copy)")
