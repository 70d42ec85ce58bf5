"""Zip archives: every supported file inside, guarded against zip bombs and path tricks."""
from __future__ import annotations

import io
import re
import stat
import zipfile
from collections.abc import Callable, Iterator

from analysis.loaders._common import (
    Budget,
    LoadFailure,
    Result,
    describe,
    format_size,
    over_limit,
    unsupported,
)
from analysis.model import LoadError

MAX_NESTING = 1  # a zip inside the uploaded zip is read; a zip inside that one is not
_DRIVE = re.compile(r"[A-Za-z]:")
_ENCRYPTED = 0x1  # general purpose bit flag
# what an unzip tool would make of an entry that is not a regular file
_SPECIAL_TYPES = {stat.S_IFLNK: "symbolic link", stat.S_IFCHR: "character device",
                  stat.S_IFBLK: "block device", stat.S_IFIFO: "named pipe", stat.S_IFSOCK: "socket"}

# Loads one entry, as the dispatcher loads any file: (name, data, budget, depth).
EntryLoader = Callable[[str, bytes, Budget, int], Iterator[Result]]


def load_zip(
    file_name: str, data: bytes, budget: Budget, depth: int, load_entry: EntryLoader
) -> Iterator[Result]:
    """Each entry loads as a file named "archive.zip/inner/path.txt"."""
    if depth > MAX_NESTING:
        raise LoadFailure("zip nested inside a nested zip: not read (one level of nesting is read)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except UnicodeDecodeError as exc:  # zipfile decodes every name when it opens the archive
        raise LoadFailure("corrupt zip: an entry's name is marked UTF-8 but is not") from exc
    except Exception as exc:  # BadZipFile, and OSError/ValueError/EOFError on mangled headers
        raise LoadFailure(f"corrupt zip: {describe(exc)}") from exc
    with archive:
        budget.claim(archive, "zip")
        found = False
        for info in sorted(archive.infolist(), key=lambda info: info.filename):
            name = info.filename
            if info.is_dir() and not info.file_size:
                continue
            if _unsafe(name):
                yield LoadError(file_name, f"zip entry with unsafe path '{name}' skipped")
                continue
            if reason := _not_a_file(info):
                yield LoadError(file_name, f"zip entry '{name}' skipped: {reason}")
                continue
            if _hidden(name):
                continue
            found = True
            entry_name = f"{file_name}/{name}"
            try:
                entry = _read(archive, info, entry_name, budget.limits.max_file_bytes)
            except LoadFailure as exc:
                yield LoadError(entry_name, str(exc))
                continue
            yield from load_entry(entry_name, entry, budget, depth + 1)
    if not found:
        raise LoadFailure("zip has no files")


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry_name: str, limit: int) -> bytes:
    """An entry's bytes, refused before inflating when they would be of no use.

    Never more than `limit` bytes are inflated, even if the header understates the size.
    """
    reason = unsupported(entry_name)  # checked first, so that nothing is inflated in vain
    if reason:
        raise LoadFailure(reason)
    if info.file_size > limit:
        raise LoadFailure(over_limit(info.file_size, limit))
    if info.flag_bits & _ENCRYPTED:
        raise LoadFailure("zip entry is encrypted")
    try:
        with archive.open(info) as stream:
            data = stream.read(limit + 1)
    except Exception as exc:  # CRC, zlib, bz2, lzma and unsupported-method errors
        raise LoadFailure(f"corrupt zip entry: {describe(exc)}") from exc
    if len(data) > limit:
        raise LoadFailure(
            f"file is over the {format_size(limit, 'g')} limit (its zip header says less)"
        )
    return data


def _not_a_file(info: zipfile.ZipInfo) -> str | None:
    """Why an entry is not a regular file to read, or None.

    A symbolic link's data is its target's path ("/etc/passwd"): read as text, it would store
    the path as an article, and extracted by a tool, it points outside the archive. The type
    is the Unix mode in the top half of the external attributes (zero from DOS and Windows tools).
    """
    mode = info.external_attr >> 16
    if kind := _SPECIAL_TYPES.get(stat.S_IFMT(mode)):
        return f"a {kind}, not a file"
    if info.is_dir() or stat.S_ISDIR(mode):
        return "a folder entry holding data" if info.file_size else "a folder, not a file"
    return None


def _unsafe(name: str) -> bool:
    """Absolute or parent-relative: such paths escape the folder an unzip tool writes to."""
    path = name.replace("\\", "/")
    return path.startswith("/") or bool(_DRIVE.match(path)) or ".." in path.split("/")


def _hidden(name: str) -> bool:
    """macOS resource forks (__MACOSX/) and dot-files are not documents."""
    parts = name.replace("\\", "/").split("/")
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)
