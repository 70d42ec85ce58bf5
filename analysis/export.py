"""CSV exports that are safe to open in a spreadsheet.

Document text is untrusted: a cell beginning with = + - @ (or a tab / carriage return)
would run as a formula in Excel or LibreOffice (OWASP "CSV injection"), so such cells get
a leading apostrophe. Everything else round-trips through the csv module unchanged.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """The value, prefixed with ' when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel detects the encoding) of `frame`, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        # only text can smuggle a formula; numbers (say -0.5) are written as numbers
        writer.writerow(["" if _missing(v) else neutralise(v) if isinstance(v, str) else _text(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are values, not missing
        return False


def _text(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return str(value)


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    Path(path).write_bytes(to_csv_bytes(frame))


def zip_bundle(tables: Mapping[str, pd.DataFrame], manifest: Mapping[str, object]) -> bytes:
    """One zip with a CSV per table and a manifest.json saying how it was made."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, frame in tables.items():
            bundle.writestr(f"{name}.csv", to_csv_bytes(frame))
        info = {**manifest, "tables": {name: len(frame) for name, frame in tables.items()}}
        bundle.writestr("manifest.json", json.dumps(info, indent=2, default=str))
    return buffer.getvalue()
