"""Pieces every format loader shares: limits, the failure signal, metadata clean-up, dates."""
from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath

from analysis.model import LoadError, RawDocument

Result = RawDocument | LoadError
PageProgress = Callable[[str, int, int], None]  # (file name, pages done, pages in the file)

MB = 1024 * 1024
SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".eml", ".csv", ".jsonl", ".json", ".zip",
    ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".odt", ".rtf", ".msg", ".mbox", ".xlsx", ".pptx",
)
_SPACE = re.compile(r"\s+")
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?![\d])")


@dataclass(frozen=True)
class Limits:
    """Size guards, so that one hostile or mistaken upload cannot exhaust memory or time."""

    max_file_bytes: int = 50 * MB  # a single file (or zip entry) over this is refused
    max_zip_total_bytes: int = 500 * MB  # total uncompressed size of a zip
    max_zip_entries: int = 10_000


class LoadFailure(Exception):
    """Raised inside a loader when a whole file cannot be read; its message is the analyst's reason.

    The dispatcher turns it into a `LoadError`, so that loaders can bail out from any depth.
    """


def suffix_of(file_name: str) -> str:
    """The lower-cased extension: REPORT.PDF is a PDF."""
    return PurePosixPath(file_name.replace("\\", "/")).suffix.lower()


def unsupported(file_name: str) -> str | None:
    """Why a file's type cannot be loaded, or None when it can."""
    suffix = suffix_of(file_name)
    if suffix in SUPPORTED_SUFFIXES:
        return None
    kind = f"'{suffix}'" if suffix else "(no extension)"
    return f"unsupported file type {kind} (supported: {', '.join(SUPPORTED_SUFFIXES)})"


def describe(exc: BaseException) -> str:
    """A library exception in words; some (KeyError('/Root')) have a bare or empty message."""
    text = str(exc).strip()
    return text if text and text not in ("''", '""') else type(exc).__name__


def clean(value: object) -> str | None:
    """A metadata value as one tidy line, or None when it is missing or blank."""
    if value is None or isinstance(value, (dict, list, tuple, set)):
        return None
    text = _SPACE.sub(" ", str(value)).strip()
    return text or None


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def document(text: str, file_name: str, empty_reason: str, **meta: str | int | None) -> RawDocument:
    """Build a RawDocument, refusing one without visible text: downstream NLP would see nothing."""
    if not text.strip():
        raise LoadFailure(empty_reason)
    return RawDocument(text=text, file_name=file_name, **meta)


def iso_date(value: str | None) -> str | None:
    """The yyyy-mm-dd starting an ISO date or timestamp, or None; the time part is dropped."""
    match = _ISO_DATE.match(value or "")
    if not match:
        return None
    try:
        return date(*map(int, match.groups())).isoformat()
    except ValueError:
        return None


def date_of(moment: datetime | date | None) -> str | None:
    return moment.isoformat()[:10] if moment is not None else None


def format_size(n_bytes: int, spec: str = ".1f") -> str:
    """'60.0 MB' for a measured size; spec 'g' gives '50 MB' for a limit."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:{spec}} {unit}"
    return f"{n_bytes} bytes"


def over_limit(n_bytes: int, limit: int) -> str:
    return f"file is {format_size(n_bytes)}, over the {format_size(limit, 'g')} limit"


class Budget:
    """Decompression allowance of one upload, shared by a zip, the zips inside it and DOCX packages.

    Without sharing, a small zip of many small zip or DOCX bombs would each pass the limits
    on its own and add up to hundreds of gigabytes of work.
    """

    def __init__(self, limits: Limits, on_page: PageProgress | None = None) -> None:
        self.limits = limits
        self.on_page = on_page  # told of each page OCR has read: slow work the analyst should see
        self.bytes_left = limits.max_zip_total_bytes
        self.entries_left = limits.max_zip_entries
        self._claimed = False

    def claim(self, archive: zipfile.ZipFile, kind: str) -> None:
        """Reserve a container's declared sizes, or raise LoadFailure before anything is inflated.

        Declared sizes bound the work because `zipfile` never inflates an entry past its
        declared size (a lying header gives a CRC error instead).
        """
        infos = archive.infolist()
        total = sum(info.file_size for info in infos)
        context = ", counting the enclosing zip" if self._claimed else ""
        if len(infos) > self.entries_left:
            raise LoadFailure(
                f"{kind} refused: {len(infos)} entries, over the"
                f" {self.limits.max_zip_entries} limit{context}"
            )
        if total > self.bytes_left:
            raise LoadFailure(
                f"{kind} refused: uncompressed size over"
                f" {format_size(self.limits.max_zip_total_bytes, 'g')}{context}"
                f" (declares {format_size(total)})"
            )
        self.bytes_left -= total
        self.entries_left -= len(infos)
        self._claimed = True


# A format loader reads one file; it raises LoadFailure for a whole-file problem and yields
# a LoadError itself for a bad row or entry, so that the rest still loads.
FormatLoader = Callable[[str, bytes, Budget], Iterator[Result]]
