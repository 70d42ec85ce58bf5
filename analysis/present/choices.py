"""Which of many choices a picker lists: the chosen ones, then the first that match a search.

A picker that lists every entity of a 20,000-article workspace sends ~33,000 names (megabytes)
to the browser, which parses and draws them before anything else on the page: seconds, on
every page. The dashboard lists a few hundred, ranked (most mentioned, newest), and finds the
rest by a search run here, on the server.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from analysis.model import strip_accents

T = TypeVar("T")


def fold(text: str) -> str:
    """`text` lower-cased and without accents, so "erdogan" finds "Erdoğan"."""
    return strip_accents(text.casefold())


def narrow_choices(options: Sequence[T], label: Callable[[T], str], search: str, limit: int,
                   chosen: Sequence[T] = ()) -> tuple[list[T], int]:
    """The `chosen` options, then up to `limit` others whose label holds every word of `search`.

    Options keep their given order (the ranking the picker promises); an empty search
    matches everything. Also returns how many options matched in all, so the picker can say
    how many it left out.
    """
    words = fold(search).split()
    kept = set(chosen)
    listed = [o for o in options if o in kept]
    found = 0
    for option in options:
        if option in kept or (words and not all(w in fold(label(option)) for w in words)):
            continue
        found += 1
        if found <= limit:
            listed.append(option)
    return listed, found
