"""Batches (.csv, .jsonl, .json): one document per row or record, with optional metadata fields.

A bad row or record becomes a LoadError naming it, and the rest of the batch still loads.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from analysis.loaders._common import (
    Budget,
    LoadFailure,
    Result,
    clean,
    date_of,
    iso_date,
)
from analysis.loaders.text import decode_text
from analysis.model import LoadError, RawDocument

# Record key -> RawDocument field, besides text and date; keys match case-insensitively.
_FIELDS = {
    "id": "record_id", "title": "title", "source": "source", "author": "author", "url": "url",
}
_LIST_KEYS = ("documents", "records", "items")
_DELIMITERS = ",;\t|"
_DATE_FORMATS = (
    "%Y/%m/%d", "%Y.%m.%d", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y",
)
_FIRST_LINE = re.compile(r"[^\r\n]*")
_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_JSON_TYPES = {dict: "object", list: "array", str: "string", int: "number", float: "number",
               bool: "boolean", type(None): "null"}


def load_csv(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    """Rows are numbered as a spreadsheet shows them: the header is row 1."""
    text = _batch_text(data)
    # a process-wide setting, only ever raised: one cell may hold a whole long article
    csv.field_size_limit(max(csv.field_size_limit(), min(budget.limits.max_file_bytes, 2**31 - 1)))
    header_line = _FIRST_LINE.match(text).group()
    delimiter = max(_DELIMITERS, key=header_line.count)  # ";" from European Excel, tabs, ...
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in next(reader, [])]
    if "text" not in (name.lower() for name in header):
        columns = ", ".join(filter(None, header)) or "none"
        raise LoadFailure(f"CSV has no 'text' column (columns: {columns})")
    found = False
    for number in itertools.count(2):
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            found = True
            yield LoadError(file_name, f"row {number}: malformed CSV ({exc})")
            continue
        if any(cell.strip() for cell in cells):  # spreadsheets export trailing ",,,," rows
            found = True
            yield record_result(zip(header, cells), file_name, f"row {number}")
    if not found:
        raise LoadFailure("CSV has no data rows")


def load_jsonl(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    """One JSON object per line; a malformed line is reported and skipped."""
    found = False
    # split on "\n" only: str.splitlines would also break at U+2028 inside JSON strings
    for number, line in enumerate(_batch_text(data).split("\n"), start=1):
        if line.strip():
            found = True
            yield _json_result(line, file_name, f"line {number}")
    if not found:
        raise LoadFailure("JSONL file has no records")


def load_json(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    """A list of records, an object holding one under a known key, or a single record."""
    try:
        value = json.loads(_batch_text(data))
    except (ValueError, RecursionError) as exc:
        raise LoadFailure(f"invalid JSON ({_json_problem(exc, with_line=True)})") from exc
    records = _records(value)
    if records is None:
        raise LoadFailure(
            "JSON has no documents: expected a list of objects, an object with a"
            " 'documents', 'records' or 'items' list, or an object with 'text'"
        )
    if not records:
        raise LoadFailure("JSON has no records")
    for number, record in enumerate(records, start=1):
        yield _object_result(record, file_name, f"record {number}")


def record_result(pairs: Iterable[tuple[object, object]], file_name: str, position: str) -> Result:
    """A batch row or record as a document, or a LoadError naming its position in the batch."""
    fields: dict[str, object] = {}
    for key, value in pairs:
        fields.setdefault(str(key).strip().lower(), value)  # the first of duplicate keys wins
    text = fields.get("text")
    if text is not None and not isinstance(text, str):
        return LoadError(file_name, f"{position}: 'text' is a {_json_type(text)}, not a string")
    if not text or not text.strip():
        return LoadError(file_name, f"{position}: no text")
    when = parse_date(fields.get("date"))
    return RawDocument(
        text=text, file_name=file_name,  # verbatim: extraction offsets index the record's text
        date=when, date_source="batch-column" if when else None,
        **{field: clean(fields.get(key)) for key, field in _FIELDS.items()},
    )


def parse_date(value: object) -> str | None:
    """A batch date as yyyy-mm-dd; None when it is missing, partial or ambiguous (never a guess)."""
    text = clean(value) if isinstance(value, str) else None
    if not text:
        return None
    for parse in (date.fromisoformat, datetime.fromisoformat, parsedate_to_datetime):
        try:
            return date_of(parse(text))
        except (ValueError, TypeError, IndexError, OverflowError):
            continue
    for pattern in _DATE_FORMATS:
        try:
            return date_of(datetime.strptime(text, pattern))
        except ValueError:
            continue
    return _slash_date(text) or iso_date(text)


def _slash_date(text: str) -> str | None:
    """dd/mm/yyyy or mm/dd/yyyy, only when the numbers decide which (a day over 12, or equal)."""
    match = _SLASH_DATE.fullmatch(text)
    if not match:
        return None
    first, second, year = map(int, match.groups())
    if first > 12 >= second or first == second:
        day, month = first, second
    elif second > 12 >= first:
        month, day = first, second
    else:
        return None
    return iso_date(f"{year:04d}-{month:02d}-{day:02d}")


def _batch_text(data: bytes) -> str:
    text = decode_text(data)
    if not text.strip():
        raise LoadFailure("contains only whitespace")
    return text


def _json_result(line: str, file_name: str, position: str) -> Result:
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as exc:
        return LoadError(file_name, f"{position}: invalid JSON ({_json_problem(exc)})")
    return _object_result(record, file_name, position)


def _object_result(record: object, file_name: str, position: str) -> Result:
    if not isinstance(record, dict):
        return LoadError(file_name, f"{position}: expected a JSON object, got {_json_type(record)}")
    return record_result(record.items(), file_name, position)


def _records(value: object) -> list[object] | None:
    if isinstance(value, list):
        return value
    if not isinstance(value, dict):
        return None
    keys = {str(key).lower(): key for key in value}
    for name in _LIST_KEYS:
        if name in keys and isinstance(value[keys[name]], list):
            return value[keys[name]]
    return [value] if "text" in keys else None


def _json_problem(exc: Exception, with_line: bool = False) -> str:
    """json's message without its own "line 1" (a JSONL line is always line 1 to json)."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, json.JSONDecodeError):
        where = f"line {exc.lineno}, column {exc.colno}" if with_line else f"column {exc.colno}"
        return f"{exc.msg} at {where}"
    return str(exc)


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)
