"""Tables the extractors derive from packaged data, kept unpacked on disk between runs.

Every extraction process used to rebuild them on its first document: py3langid's model unpacked
from its 68 MB xz archive (~0.9 CPU s), the SSA given-name counts summed from a parquet file
(~0.5 s). That is ~4 % of a 1,000-article ingest in one process, and in a 2-process one the
second core waits for it. Kept in `settings.cache_dir()`, in a folder named after the sources'
sizes and times (a new package version makes a new folder), they load in milliseconds; the
language model's arrays are mapped, not read, so processes share them in the page cache.

A folder appears whole or not at all (written under a temporary name, then renamed), so an
interrupted run or two processes building at once never leave a half-written table that
would be read. When the cache cannot be written (a read-only home, a full disk) the caller
builds the tables in memory as before: the cache only saves time.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from analysis import settings


def cached(name: str, sources: Iterable[Path], build: Callable[[Path], None]) -> Path | None:
    """The folder holding what `build(folder)` wrote from `sources`, built now if missing;
    None when it cannot be written (then the caller builds in memory)."""
    stamp = hashlib.sha256(
        "\n".join(f"{p.resolve()} {p.stat().st_size} {p.stat().st_mtime_ns}" for p in sources).encode()
    ).hexdigest()[:16]
    root = settings.cache_dir()
    folder = root / f"{name}-{stamp}"
    if folder.is_dir():
        return folder
    try:
        root.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    except OSError:
        return None
    try:
        build(partial)
        os.rename(partial, folder)
    except OSError:  # full disk, or another process renamed its copy first
        shutil.rmtree(partial, ignore_errors=True)
        return folder if folder.is_dir() else None
    return folder
