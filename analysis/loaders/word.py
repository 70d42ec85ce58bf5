"""Word .docx: body paragraphs and table cells in reading order, and the core properties."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import datetime

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.table import Table
from docx.text.paragraph import Paragraph

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


def load_docx(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            budget.claim(package, "DOCX")  # a .docx is a zip, and can be a zip bomb
        doc = docx.Document(io.BytesIO(data))
        paragraphs = [normalise_newlines(text) for text in _paragraph_texts(doc)]
        title, author, created = _core_properties(doc)
    except LoadFailure:
        raise
    except Exception as exc:  # zipfile, lxml and python-docx each raise their own types
        raise LoadFailure(f"corrupt DOCX: {describe(exc)}") from exc
    date = date_of(created)
    yield document(
        "\n\n".join(text for text in paragraphs if text.strip()), file_name,
        "DOCX has no text",
        title=clean(title), author=clean(author),
        date=date, date_source="docx-properties" if date else None,
    )


def _paragraph_texts(doc: Document) -> Iterator[str]:
    """Paragraph texts of the body in reading order, descending into (nested) tables."""
    stack: list[Paragraph | Table] = list(reversed(list(doc.iter_inner_content())))
    while stack:
        item = stack.pop()
        if isinstance(item, Paragraph):
            yield item.text
            continue
        inner: list[Paragraph | Table] = []
        seen = set()  # a merged cell repeats in every grid position it spans: read it once
        for cell in (cell for row in item.rows for cell in row.cells):
            if cell._tc not in seen:
                seen.add(cell._tc)
                inner.extend(cell.iter_inner_content())
        stack.extend(reversed(inner))


def _core_properties(doc: Document) -> tuple[str | None, str | None, datetime | None]:
    """Title, author and creation time, or Nones when the package has no core properties.

    python-docx invents defaults (title "Word Document", modified now) for a package
    without them, so the part's presence is checked first.
    """
    package = doc.part.package
    if not any(rel.reltype == RELATIONSHIP_TYPE.CORE_PROPERTIES for rel in package.rels.values()):
        return None, None, None
    props = doc.core_properties
    return props.title, props.author, props.created
