"""Document loaders: uploaded bytes or paths on disk in, RawDocuments (or reasons why not) out.

Supported: .txt .md .html .htm .pdf (text layer, else OCR) .docx .odt .rtf .pptx .eml .msg
.mbox, images read by OCR (.png .jpg .jpeg .tif .tiff), batches (.csv .jsonl .json .xlsx, one
document per row or record) and .zip archives of any of these. Loading never raises for bad input:
every problem becomes a LoadError for the analyst, and the other files, rows and entries
still load. The Streamlit uploader calls `load_bytes`, the command line `load_paths`.
"""
from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from analysis.loaders._common import (
    SUPPORTED_SUFFIXES,
    Budget,
    FormatLoader,
    Limits,
    LoadFailure,
    PageProgress,
    Result,
    describe,
    over_limit,
    suffix_of,
    unsupported,
)
from analysis.loaders.archive import load_zip
from analysis.loaders.sanitise import sanitised
from analysis.loaders.titles import with_title
from analysis.model import LoadError, RawDocument

__all__ = ["SUPPORTED_SUFFIXES", "Limits", "PageProgress", "load_bytes", "load_paths"]

_log = logging.getLogger(__name__)

# suffix -> (module of this package, loader function). A module is imported on the first file
# that needs it: the PDF, Word and HTML parsers take ~0.5 s to import, which the dashboard's
# first page (it only needs `SUPPORTED_SUFFIXES`) and a text-only ingest should not pay.
_LOADERS: dict[str, tuple[str, str]] = {
    ".txt": ("text", "load_text"),
    ".md": ("text", "load_markdown"),
    ".html": ("web", "load_html"),
    ".htm": ("web", "load_html"),
    ".pdf": ("pdf", "load_pdf"),
    ".docx": ("word", "load_docx"),
    ".eml": ("mail", "load_email"),
    ".csv": ("batch", "load_csv"),
    ".jsonl": ("batch", "load_jsonl"),
    ".json": ("batch", "load_json"),
    **{suffix: ("ocr", "load_image") for suffix in (".png", ".jpg", ".jpeg", ".tif", ".tiff")},
    ".odt": ("opendocument", "load_odt"),
    ".rtf": ("rtf", "load_rtf"),
    ".msg": ("outlook", "load_msg"),
    ".mbox": ("mail", "load_mbox"),
    ".xlsx": ("spreadsheet", "load_xlsx"),
    ".pptx": ("slides", "load_pptx"),
}


def _loader(suffix: str) -> FormatLoader:
    module, function = _LOADERS[suffix]
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)


def load_bytes(
    file_name: str, data: bytes, limits: Limits = Limits(), on_page: PageProgress | None = None
) -> Iterator[RawDocument | LoadError]:
    """Documents in one uploaded file, chosen by its extension; never raises for bad input.

    Each document without a title gets one derived from its text (`titles.with_title`);
    `on_page` hears of every page read by OCR, the one slow step of loading.
    """
    return map(_finished, _load(file_name, data, Budget(limits, on_page), depth=0))


def load_paths(
    paths: Iterable[str | Path], limits: Limits = Limits(), on_page: PageProgress | None = None
) -> Iterator[RawDocument | LoadError]:
    """Documents in files and folders; folders are walked recursively in sorted order.

    In folders, only supported files are read and hidden files and folders are skipped;
    a file named explicitly is always tried, so that an unsupported one is reported.
    """
    return map(_finished, _load_paths(paths, limits, on_page))


def _finished(item: Result) -> Result:
    """What leaves the loaders: names and texts sanitised, and a title for every document."""
    item = sanitised(item)
    return with_title(item) if isinstance(item, RawDocument) else item


def _load_paths(paths: Iterable[str | Path], limits: Limits, on_page: PageProgress | None) -> Iterator[Result]:
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _load_folder(path, limits, on_page)
        elif path.is_file():
            yield from _load_file(path, limits, on_page)
        else:
            yield LoadError(str(given), "no such file or folder")


def _load(file_name: str, data: bytes, budget: Budget, depth: int) -> Iterator[Result]:
    """Load one file or zip entry; `depth` counts the zips it is inside."""
    reason = _refusal(file_name, data, budget.limits)
    if reason:
        yield LoadError(file_name, reason)
        return
    suffix = suffix_of(file_name)
    try:
        if suffix == ".zip":
            yield from load_zip(file_name, data, budget, depth, _load)
        else:
            yield from _loader(suffix)(file_name, data, budget)
    except LoadFailure as exc:
        yield LoadError(file_name, str(exc))
    except Exception as exc:  # a library failing in a new way, or a bug: one file, not the batch
        _log.warning("unexpected error loading %s", file_name, exc_info=True)
        yield LoadError(file_name, f"could not be read ({type(exc).__name__}: {describe(exc)})")


def _refusal(file_name: str, data: bytes, limits: Limits) -> str | None:
    """Why a file is refused before any parser sees it, or None."""
    if reason := unsupported(file_name):
        return reason
    if len(data) > limits.max_file_bytes:
        return over_limit(len(data), limits.max_file_bytes)
    return None if data else "file is empty"


def _load_folder(folder: Path, limits: Limits, on_page: PageProgress | None) -> Iterator[Result]:
    problems: list[OSError] = []
    files: list[Path] = []
    for directory, subdirs, names in os.walk(folder, onerror=problems.append):
        subdirs[:] = [name for name in subdirs if not name.startswith(".")]
        files += [
            Path(directory, name) for name in names
            if not name.startswith(".") and suffix_of(name) in SUPPORTED_SUFFIXES
        ]
    for problem in problems:
        yield LoadError(str(problem.filename), f"cannot read folder ({problem.strerror})")
    if not files and not problems:
        yield LoadError(str(folder), f"folder has no files to read (supported: {', '.join(SUPPORTED_SUFFIXES)})")
    for path in sorted(files):
        yield from _load_file(path, limits, on_page)


def _load_file(path: Path, limits: Limits, on_page: PageProgress | None) -> Iterator[Result]:
    """Reads the file only when it is within the size limit: a 10 GB file is never in memory."""
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            yield LoadError(str(path), over_limit(size, limits.max_file_bytes))
            return
        data = path.read_bytes()
    except OSError as exc:
        yield LoadError(str(path), f"cannot read file ({exc.strerror or describe(exc)})")
        return
    yield from _load(str(path), data, Budget(limits, on_page), depth=0)
