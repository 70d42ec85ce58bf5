"""CSV exports that are safe to open in a spreadsheet.

Document text is untrusted: a cell beginning with = + - @ (or a tab / carriage return)
would run as a formula in Excel or LibreOffice (OWASP "CSV injection"), so such cells get
a leading apostrophe. Everything else round-trips unchanged.
"""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """The value, prefixed with ' when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel detects the encoding) of `frame`, formulas neutralised.

    Text columns are neutralised cell by cell; numbers (say -0.5) and dates cannot smuggle a
    formula and are left to pandas' own fast writer.
    """
    return _csv(frame, first=True)


def write_csv_pieces(pieces: Iterable[pd.DataFrame], out: BinaryIO) -> int:
    """Write the pieces of one table to `out` as the CSV `to_csv_bytes` gives for all of them
    together (BOM and header once), one piece in memory at a time; how many rows."""
    rows = 0
    for i, piece in enumerate(pieces):
        out.write(_csv(piece, first=i == 0))
        rows += len(piece)
    return rows


def _csv(frame: pd.DataFrame, first: bool) -> bytes:
    columns = [_safe_column(frame.iloc[:, i]) for i in range(frame.shape[1])]
    safe = pd.concat(columns, axis=1, keys=range(len(columns))) if columns else pd.DataFrame(index=frame.index)
    safe.columns = [neutralise(str(c)) for c in frame.columns]
    text = safe.to_csv(index=False, header=first, lineterminator="\r\n")
    return (("\ufeff" if first else "") + text).encode("utf-8")


def _safe_column(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.StringDtype):  # text or missing only: one vectorised test, no Python per cell
        risky = values.str.startswith(_FORMULA_START).fillna(False).astype(bool)
        return values.mask(risky, "'" + values)
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        return values.map(_cell, na_action="ignore")
    return values  # pandas writes dates with no time of day as yyyy-mm-dd


def _cell(value: object) -> object:
    return neutralise(value) if isinstance(value, str) else _text(value)


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


def zip_bundle(tables: Mapping[str, pd.DataFrame | Iterable[pd.DataFrame]], manifest: Mapping[str, object]) -> bytes:
    """One zip with a CSV per table and a manifest.json saying how it was made. A table given as
    pieces is compressed a piece at a time: only the zip, not the table, is held whole."""
    buffer = io.BytesIO()
    rows: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, table in tables.items():
            if isinstance(table, pd.DataFrame):
                bundle.writestr(f"{name}.csv", to_csv_bytes(table))
                rows[name] = len(table)
            else:
                with bundle.open(f"{name}.csv", "w") as out:
                    rows[name] = write_csv_pieces(table, out)
        info = {**manifest, "tables": rows}
        bundle.writestr("manifest.json", json.dumps(info, indent=2, default=str))
    return buffer.getvalue()
