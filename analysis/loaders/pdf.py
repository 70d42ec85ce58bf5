"""PDF: the text layer, page by page; scanned pages have none and need OCR elsewhere."""
from __future__ import annotations

import io
import re
from collections.abc import Iterator

from pypdf import PasswordType, PdfReader

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
    date = _pdf_date(created)
    yield document(
        "\n\n".join(filter(None, pages)), file_name,
        "PDF has no text layer (scanned?): it needs OCR first",
        title=clean(title), author=clean(author),
        date=date, date_source="pdf-metadata" if date else None,
    )


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
