"""The global filter as a URL query string, so a filtered view can be bookmarked and shared.

Pure functions between `Filters` and the dict shape `st.query_params` uses (a string, or a
list of strings for a repeated key). Reading is forgiving: a hand-edited or truncated link
gives the filter it can make sense of and drops the rest, never an error page.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence

from analysis.workspace.queries import Filters

# query-string key -> Filters field; short, readable keys: ?entity=ali+khamenei&type=PERSON
KEYS = {
    "entity": "entities",
    "type": "types",
    "source": "sources",
    "doc": "documents",
    "tag": "tags",
    "lang": "languages",
}
DATE_KEYS = {"from": "date_from", "to": "date_to"}
TEXT_KEYS = {"q": "search"}
FLAG_KEYS = {"starred": "starred", "once": "once"}  # ?starred=1
ALL_KEYS = (*KEYS, *DATE_KEYS, *TEXT_KEYS, *FLAG_KEYS)

QueryDict = dict[str, str | list[str]]


def to_query(filters: Filters) -> QueryDict:
    """The query-string dict of `filters`; empty parts are left out so URLs stay short."""
    query: QueryDict = {}
    for key, fieldname in KEYS.items():
        values = list(getattr(filters, fieldname))
        if values:
            query[key] = values
    for key, fieldname in DATE_KEYS.items():
        value = getattr(filters, fieldname)
        if value is not None:
            query[key] = value.isoformat()
    for key, fieldname in TEXT_KEYS.items():
        if getattr(filters, fieldname).strip():
            query[key] = getattr(filters, fieldname).strip()
    for key, fieldname in FLAG_KEYS.items():
        if getattr(filters, fieldname):
            query[key] = "1"
    return query


def from_query(params: Mapping[str, str | Sequence[str]]) -> Filters:
    """The filter a query-string dict describes; unknown keys and unreadable values are ignored."""
    values = {fieldname: _clean(_as_list(params.get(key))) for key, fieldname in KEYS.items()}
    values["types"] = tuple(t.upper() for t in values["types"])
    dates = {fieldname: _date(_as_list(params.get(key))) for key, fieldname in DATE_KEYS.items()}
    if dates["date_from"] and dates["date_to"] and dates["date_from"] > dates["date_to"]:
        dates["date_from"], dates["date_to"] = dates["date_to"], dates["date_from"]
    texts = {fieldname: next((v.strip() for v in reversed(_as_list(params.get(key))) if v.strip()), "")
             for key, fieldname in TEXT_KEYS.items()}
    flags = {fieldname: any(v.strip().lower() in ("1", "true", "yes") for v in _as_list(params.get(key)))
             for key, fieldname in FLAG_KEYS.items()}
    return Filters(**values, **dates, **texts, **flags)


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _clean(values: Iterable[str]) -> tuple[str, ...]:
    """Stripped, non-empty, each once, in the order given."""
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def _date(values: list[str]) -> datetime.date | None:
    for value in reversed(values):  # the last one wins, as in st.query_params
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            continue
    return None
