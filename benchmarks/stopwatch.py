"""One function's share of a benchmark's run: patched with a timer for a block, then put back."""
from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass
class Stopwatch:
    """Seconds spent in, and calls of, the function being timed."""

    seconds: float = 0.0
    calls: int = 0


@contextlib.contextmanager
def timing(owner: Any, name: str) -> Iterator[Stopwatch]:
    """Time every call of `owner.name` (a module's function, as its callers look it up) in the block."""
    watch, original = Stopwatch(), getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            watch.seconds += time.perf_counter() - start
            watch.calls += 1

    setattr(owner, name, timed)
    try:
        yield watch
    finally:
        setattr(owner, name, original)
