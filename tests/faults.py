"""Real faults for tests: a tiny filesystem that fills up, a read-only folder, a file-size limit.

Mounting needs root (as CI runs); without it, the tests that need a mount skip, and a folder
without write permission is made with chmod, which stops anyone but root.
"""
from __future__ import annotations

import contextlib
import errno
import os
import resource
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = os.geteuid() == 0


@contextlib.contextmanager
def tmpfs(path: Path, size_kb: int, read_only: bool = False) -> Iterator[Path]:
    """A tmpfs of `size_kb` mounted on `path` (made if missing) for the block; skips without root."""
    if not ROOT:
        pytest.skip("mounting a small filesystem needs root")
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size_kb}k" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def fill(folder: Path) -> Path:
    """Write a file in `folder` until its filesystem is full; the file, to delete for space again."""
    filler = folder / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    with contextlib.suppress(OSError):  # whatever the last partial block left
        with open(folder / "filler-tail", "wb") as out:
            while True:
                out.write(b"\0" * 512)
                out.flush()
    return filler


@contextlib.contextmanager
def unwritable_folder(path: Path) -> Iterator[Path]:
    """An existing, empty folder this process cannot write: read-only mounted as root, chmod 555 otherwise."""
    if ROOT:
        with tmpfs(path, 64, read_only=True):
            yield path
    else:
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o555)
        try:
            yield path
        finally:
            path.chmod(0o755)


def file_size_limit(n_bytes: int) -> Callable[[], None]:
    """A `preexec_fn` for subprocess: no file written past `n_bytes`, as `ulimit -f` does.

    The signal such a write raises (SIGXFSZ) is left to kill the process: the CLI itself must
    ignore it, so that the write fails with EFBIG and is reported.
    """
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (n_bytes, resource.RLIM_INFINITY))

    return limit
