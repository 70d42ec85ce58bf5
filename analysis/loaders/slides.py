"""PowerPoint (.pptx): the text of each slide (titles, text boxes, tables, notes) in order, and
the core properties. Read with python-pptx."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from analysis.loaders._common import Budget, LoadFailure, Result, clean, date_of, describe, document


def load_pptx(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    from pptx import Presentation

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            budget.claim(package, "PPTX")  # a zip, and can be a zip bomb
            has_core = "docProps/core.xml" in package.namelist()
        deck = Presentation(io.BytesIO(data))
        slides = ["\n".join(_slide_texts(slide)) for slide in deck.slides]
        props = deck.core_properties if has_core else None  # python-pptx invents defaults otherwise
        title, author, created = (props.title, props.author, props.created) if props else (None, None, None)
    except LoadFailure:
        raise
    except Exception as exc:  # zipfile, lxml and python-pptx each raise their own types
        raise LoadFailure(f"corrupt PPTX: {describe(exc)}") from exc
    date = date_of(created)
    yield document("\n\n".join(s for s in slides if s.strip()), file_name, "PPTX has no text",
                   title=clean(title), author=clean(author), date=date,
                   date_source="pptx-properties" if date else None)


def _slide_texts(slide) -> Iterator[str]:
    for shape in slide.shapes:
        yield from _shape_texts(shape)
    if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
        yield slide.notes_slide.notes_text_frame.text


def _shape_texts(shape) -> Iterator[str]:
    if shape.has_text_frame:
        yield shape.text_frame.text
    if getattr(shape, "has_table", False):
        for row in shape.table.rows:
            yield "\t".join(cell.text for cell in row.cells)
    for inner in getattr(shape, "shapes", ()):  # a group
        yield from _shape_texts(inner)
