"""Files of the formats analysts receive, made here for the loader tests: OpenDocument text,
Outlook .msg (an OLE2 compound file written to the spec, small streams in the mini stream),
Excel and PowerPoint (written by openpyxl and python-pptx)."""
from __future__ import annotations

import datetime
import io
import math
import struct
import zipfile

SECTOR, MINI_SECTOR, CUTOFF = 512, 64, 4096
END, FREE, FAT_SECTOR, NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def make_odt(paragraphs: list[str], title: str | None = None, creator: str | None = None,
             date: str | None = None) -> bytes:
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    body = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    content = (f'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               f'xmlns:text="{text_ns}"><office:body><office:text>{body}</office:text></office:body>'
               f'</office:document-content>')
    meta_items = "".join(f"<{tag}>{value}</{tag}>" for tag, value in
                         (("dc:title", title), ("dc:creator", creator), ("meta:creation-date", date)) if value)
    meta = ('<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0">'
            f'<office:meta>{meta_items}</office:meta></office:document-meta>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", content)
        package.writestr("meta.xml", meta)
    return out.getvalue()


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file (version 3) whose root storage holds `streams`."""
    sectors: list[bytes] = []
    fat: list[int] = []

    def chain(data: bytes) -> int:
        count = max(1, math.ceil(len(data) / SECTOR))
        start = len(sectors)
        for i in range(count):
            sectors.append(data[i * SECTOR:(i + 1) * SECTOR].ljust(SECTOR, b"\0"))
            fat.append(start + i + 1 if i < count - 1 else END)
        return start

    mini, minifat, entries = bytearray(), [], []
    for name in sorted(streams, key=lambda n: (len(n), n.upper())):  # the order the spec sorts siblings in
        data = streams[name]
        if len(data) < CUTOFF:
            start, count = len(mini) // MINI_SECTOR, max(1, math.ceil(len(data) / MINI_SECTOR))
            minifat += [start + i + 1 for i in range(count - 1)] + [END]
            mini += data.ljust(count * MINI_SECTOR, b"\0")
        else:
            start = chain(data)
        entries.append((name, start, len(data)))
    mini_start = chain(bytes(mini)) if mini else END
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
    minifat_start = chain(minifat_bytes.ljust(math.ceil(len(minifat_bytes) / SECTOR) * SECTOR, b"\xff")) if minifat else END
    directory = _entry("Root Entry", 5, 1 if entries else NO_STREAM, NO_STREAM, mini_start, len(mini))
    for i, (name, start, size) in enumerate(entries, start=1):
        directory += _entry(name, 2, NO_STREAM, i + 1 if i < len(entries) else NO_STREAM, start, size)
    while len(directory) % SECTOR:
        directory += _entry("", 0, NO_STREAM, NO_STREAM, 0, 0)
    dir_start = chain(directory)
    n_fat = 1
    while len(fat) + n_fat > n_fat * (SECTOR // 4):
        n_fat += 1
    fat_start = len(sectors)
    fat += [FAT_SECTOR] * n_fat
    fat += [FREE] * (n_fat * SECTOR // 4 - len(fat))
    table = struct.pack(f"<{len(fat)}I", *fat)
    sectors += [table[i * SECTOR:(i + 1) * SECTOR] for i in range(n_fat)]
    difat = [fat_start + i for i in range(n_fat)] + [FREE] * (109 - n_fat)
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16)
              + struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, n_fat, dir_start, 0,
                            CUTOFF, minifat_start, math.ceil(len(minifat) * 4 / SECTOR), END, 0)
              + struct.pack("<109I", *difat))
    return header + b"".join(sectors)


def _entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, NO_STREAM, right, child)
            + bytes(16) + struct.pack("<I", 0) + bytes(16) + struct.pack("<IQ", start, size))


def make_msg(subject: str | None, body: str | None, sender: str = "Lena Ortiz",
             address: str = "lena.ortiz@harbour-council.example", sent: datetime.datetime | None = None) -> bytes:
    """An Outlook message: UTF-16 subject, body and sender, and its submit time as a property."""
    streams = {"__substg1.0_0C1A001F": sender.encode("utf-16-le"),
               "__substg1.0_0C1F001F": address.encode("utf-16-le")}
    if subject is not None:
        streams["__substg1.0_0037001F"] = subject.encode("utf-16-le")
    if body is not None:
        streams["__substg1.0_1000001F"] = body.encode("utf-16-le")
    properties = bytes(32)
    if sent is not None:
        ticks = int((sent - datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)).total_seconds() * 10_000_000)
        properties += struct.pack("<HHIQ", 0x0040, 0x0039, 6, ticks)
    streams["__properties_version1.0"] = properties
    return compound_file(streams)


def make_xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_pptx(slides: list[tuple[str, str]], title: str | None = None, notes: str | None = None) -> bytes:
    from pptx import Presentation

    deck = Presentation()
    for heading, text in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = heading
        slide.placeholders[1].text = text
    if notes:
        deck.slides[-1].notes_slide.notes_text_frame.text = notes
    if title:
        deck.core_properties.title = title
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
