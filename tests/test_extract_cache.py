"""The extractors' tables kept unpacked between runs (`extract.cache`): built once, then read;
never half-written; without a writable cache the same tables are built in memory, and the
answers are the same either way."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.extract import cache, given_names, languages
from tests.fictional import FRENCH, GERMAN, HARBOUR, SPANISH


@pytest.fixture
def fresh_tables() -> Iterator[None]:
    """The language detector and the given-name counts loaded again by the test, and after it."""
    languages._identifier.cache_clear()
    given_names.given_names.cache_clear()
    yield
    languages._identifier.cache_clear()
    given_names.given_names.cache_clear()


def test_a_table_is_built_once_then_read(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NEWSROOM_LENS_CACHE", str(tmp_path / "cache"))
    source = tmp_path / "source.txt"
    source.write_text("harbour", encoding="utf-8")
    builds: list[Path] = []

    def build(folder: Path) -> None:
        builds.append(folder)
        (folder / "table.txt").write_text(source.read_text(encoding="utf-8").upper(), encoding="utf-8")

    first = cache.cached("demo", [source], build)
    again = cache.cached("demo", [source], build)
    assert first == again and len(builds) == 1
    assert first is not None and (first / "table.txt").read_text(encoding="utf-8") == "HARBOUR"
    source.write_text("ferry terminal", encoding="utf-8")  # a new version of the source: built again
    newer = cache.cached("demo", [source], build)
    assert newer != first and len(builds) == 2 and (newer / "table.txt").read_text(encoding="utf-8") == "FERRY TERMINAL"


def test_a_failed_build_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "cache"
    monkeypatch.setenv("NEWSROOM_LENS_CACHE", str(root))
    source = tmp_path / "source.txt"
    source.write_text("harbour", encoding="utf-8")

    def full_disk(folder: Path) -> None:
        (folder / "table.txt").write_text("HARB", encoding="utf-8")
        raise OSError(28, "No space left on device")

    assert cache.cached("demo", [source], full_disk) is None
    assert list(root.iterdir()) == []  # no partial folder that a later run could take for a whole one


def test_an_unwritable_cache_is_no_cache(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("NEWSROOM_LENS_CACHE", str(blocker / "cache"))  # under a file: cannot be made
    assert cache.cached("demo", [blocker], lambda folder: None) is None


def _answers() -> list[str | None]:
    texts = [FRENCH, GERMAN, HARBOUR, SPANISH, "Shr 45 cts vs 58 cts\n    Net 1.1 mln vs 829,000\n Reuter"]
    return [languages.detect_language(text) for text in texts]


def test_cached_and_in_memory_tables_give_the_same_answers(tmp_path: Path, monkeypatch, fresh_tables) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("NEWSROOM_LENS_CACHE", str(blocker / "cache"))
    in_memory = (_answers(), given_names.given_names())
    languages._identifier.cache_clear()
    given_names.given_names.cache_clear()
    monkeypatch.setenv("NEWSROOM_LENS_CACHE", str(tmp_path / "cache"))
    built = (_answers(), given_names.given_names())  # unpacked into the cache, then read from it
    assert {p.name.split("-")[0] for p in (tmp_path / "cache").iterdir()} == {"py3langid", "given"}
    languages._identifier.cache_clear()
    given_names.given_names.cache_clear()
    mapped = (_answers(), given_names.given_names())  # read from the cache alone
    assert in_memory == built == mapped
    assert in_memory[0] == ["fr", "de", "en", "es", None]
    assert in_memory[1]["douglas"] >= given_names.COMMON_GIVEN_NAME
