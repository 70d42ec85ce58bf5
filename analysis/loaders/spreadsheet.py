"""Excel workbooks (.xlsx): each sheet a batch like a CSV, its first row the column names (a
`text` column is required), each row after it one document. Read with openpyxl."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

from analysis.loaders._common import Budget, LoadFailure, Result, date_of, describe
from analysis.loaders.batch import record_result


def load_xlsx(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            budget.claim(package, "XLSX")  # a zip, and can be a zip bomb
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except LoadFailure:
        raise
    except Exception as exc:  # zipfile, lxml and openpyxl each raise their own types
        raise LoadFailure(f"corrupt XLSX: {describe(exc)}") from exc
    try:
        found = False
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
            if "text" not in (name.lower() for name in header):
                continue
            for number, cells in enumerate(rows, start=2):
                if any(cell not in (None, "") for cell in cells):
                    found = True
                    values = [_cell(cell) for cell in cells]
                    yield record_result(zip(header, values), file_name, f"sheet '{sheet.title}' row {number}")
    finally:
        book.close()
    if not found:
        names = ", ".join(f"'{s.title}'" for s in book.worksheets)
        raise LoadFailure(f"XLSX has no sheet with a 'text' column and data rows (sheets: {names})")


def _cell(value: object) -> object:
    """A cell as a batch field: dates as ISO days, numbers as their text, text kept verbatim."""
    if isinstance(value, (datetime, date)):
        return date_of(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if value is None or isinstance(value, str) else str(value)
