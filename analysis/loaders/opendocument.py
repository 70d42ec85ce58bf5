"""OpenDocument text (.odt, LibreOffice's format): paragraphs and headings in order, and the
title, author and date of its metadata. A zip of XML parts, read with zipfile and lxml."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from lxml import etree

from analysis.loaders._common import (
    Budget,
    LoadFailure,
    Result,
    clean,
    describe,
    document,
    iso_date,
)

_NS = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}
_TEXT = "{%s}" % _NS["text"]
# XML parsed without network access or entity expansion: the file is untrusted.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def load_odt(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            budget.claim(package, "ODT")  # a zip, and can be a zip bomb
            names = set(package.namelist())
            if "content.xml" not in names:
                raise LoadFailure("not an OpenDocument text: no content.xml")
            content = etree.fromstring(package.read("content.xml"), _PARSER)
            meta = etree.fromstring(package.read("meta.xml"), _PARSER) if "meta.xml" in names else None
    except LoadFailure:
        raise
    except Exception as exc:  # zipfile and lxml each raise their own types
        raise LoadFailure(f"corrupt ODT: {describe(exc)}") from exc
    body = content.find("office:body/office:text", _NS)
    paragraphs = [_text_of(p) for p in body.iter(f"{_TEXT}p", f"{_TEXT}h")] if body is not None else []
    title, author, created = (_meta(meta, path) for path in ("dc:title", "dc:creator", "meta:creation-date"))
    author = author or _meta(meta, "meta:initial-creator")
    date = iso_date(created)
    yield document(
        "\n\n".join(p for p in paragraphs if p.strip()), file_name, "ODT has no text",
        title=clean(title), author=clean(author), date=date, date_source="odt-metadata" if date else None,
    )


def _text_of(element: etree._Element) -> str:
    """A paragraph's text with its spaces (<text:s text:c="3"/>), tabs and line breaks, not its notes."""
    parts: list[str] = [element.text or ""]
    for child in element:
        tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if tag == "s":
            parts.append(" " * int(child.get(f"{_TEXT}c", "1")))
        elif tag == "tab":
            parts.append("\t")
        elif tag == "line-break":
            parts.append("\n")
        elif tag not in ("note", "annotation"):
            parts.append(_text_of(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _meta(meta: etree._Element | None, path: str) -> str | None:
    found = meta.find(f"office:meta/{path}", _NS) if meta is not None else None
    return found.text if found is not None else None
