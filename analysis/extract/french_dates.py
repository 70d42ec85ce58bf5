"""Dates written in French ("le 14 mars 2024", "jeudi", "l'an dernier", "il y a trois ans"),
placed on the calendar relative to the document's date.

The French pipeline tags no DATE entities, so expressions are found by patterns over the words
of `data/date_vocab.fr.json`; each dated sentence becomes an `Event`, as `events.find_events`
makes them from English DATE entities. A relative expression needs the document's date; an
expression without a year is the nearest such day or month, a weekday the last one (that day
included: "jeudi" in Thursday's paper is that Thursday).
"""
from __future__ import annotations

import bisect
import datetime
import functools
import json
import re
from collections.abc import Callable
from pathlib import Path

from spacy.tokens import Doc

from analysis.model import Event

from .dates import EARLIEST_YEAR, DateRange, _closest_day, _period, _shifted_period

_VOCAB = json.loads((Path(__file__).parent / "data" / "date_vocab.fr.json").read_text("utf-8"))
MONTHS: dict[str, int] = _VOCAB["months"]
WEEKDAYS: dict[str, int] = _VOCAB["weekdays"]
UNITS: dict[str, str] = _VOCAB["units"]
NUMBERS: dict[str, int] = _VOCAB["numbers"]
RELATIVE: dict[str, list] = _VOCAB["relative"]
TOP_CHARS = 600  # where a French dateline's date is looked for ("PARIS, le 14 mars 2024 —")

Rule = Callable[[re.Match[str], "datetime.date | None"], "DateRange | None"]


def _words(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_MONTH, _WEEKDAY = _words(MONTHS), _words(WEEKDAYS)
_DAY = re.compile(rf"\b(?:(?:{_WEEKDAY})\s+)?(?P<day>1er|[12]\d|3[01]|0?[1-9])\s+(?P<month>{_MONTH})\.?(?:\s+(?P<year>\d{{4}}))?\b",
                  re.IGNORECASE)


def _day(m: re.Match[str], reference: datetime.date | None) -> DateRange | None:
    month, day = MONTHS[m["month"].lower()], int(m["day"].lower().replace("er", ""))
    if m["year"]:
        return _period(datetime.date(int(m["year"]), month, day), "day")
    found = _closest_day(month, day, reference) if reference else None
    return _period(found, "day") if found else None


def _month_year(m: re.Match[str], reference: datetime.date | None) -> DateRange:
    return _period(datetime.date(int(m["year"]), MONTHS[m["month"].lower()], 1), "month")


def _month(m: re.Match[str], reference: datetime.date | None) -> DateRange | None:
    if reference is None:
        return None
    month = MONTHS[m["month"].lower()]
    year = reference.year if month <= reference.month else reference.year - 1
    return _period(datetime.date(year, month, 1), "month")


def _year(m: re.Match[str], reference: datetime.date | None) -> DateRange:
    return _period(datetime.date(int(m["year"]), 1, 1), "year")


def _relative(m: re.Match[str], reference: datetime.date | None) -> DateRange | None:
    granularity, steps = RELATIVE[re.sub(r"\s+", " ", m.group().lower())]
    return _shifted_period(reference, granularity, steps) if reference else None


def _ago(m: re.Match[str], reference: datetime.date | None) -> DateRange | None:
    count = m["count"].lower()
    steps = int(count) if count.isdigit() else NUMBERS[count]
    return _shifted_period(reference, UNITS[m["unit"].lower()], -steps) if reference else None


def _weekday(m: re.Match[str], reference: datetime.date | None) -> DateRange | None:
    if reference is None:
        return None
    back = (reference.weekday() - WEEKDAYS[m.group().lower()]) % 7
    return _period(reference - datetime.timedelta(days=back), "day")


# Most precise first; a later rule never takes text an earlier one matched.
RULES: tuple[tuple[re.Pattern[str], Rule], ...] = (
    (_DAY, _day),
    (re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<year>\d{{4}})\b", re.IGNORECASE), _month_year),
    (re.compile(rf"\b(?:en|au\s+mois\s+d[e'])\s*(?P<month>{_MONTH})\b", re.IGNORECASE), _month),
    (re.compile(r"\ben\s+(?P<year>1[5-9]\d\d|20\d\d)\b", re.IGNORECASE), _year),
    (re.compile(rf"\bil\s+y\s+a\s+(?P<count>\d+|{_words(NUMBERS)})\s+(?P<unit>{_words(UNITS)})\b", re.IGNORECASE), _ago),
    (re.compile(rf"(?<![\w'-])(?:{_words(RELATIVE)})(?![\w-])", re.IGNORECASE), _relative),
    (re.compile(rf"\b(?:{_WEEKDAY})\b", re.IGNORECASE), _weekday),
)


def find_dates(text: str, reference: datetime.date | None) -> list[tuple[int, int, DateRange]]:
    """(start, end, range) of each French date expression in `text` that can be placed."""
    found: list[tuple[int, int, DateRange]] = []
    taken: list[tuple[int, int]] = []
    text = text.replace("’", "'")  # one apostrophe for the patterns; offsets stay the same
    for pattern, rule in RULES:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            try:
                dates = rule(m, reference)
            except ValueError:  # "le 31 février", or a year off the calendar
                continue
            if dates is not None and dates.start.year >= EARLIEST_YEAR:
                found.append((m.start(), m.end(), dates))
    return sorted(found, key=lambda hit: hit[0])


def french_document_date(text: str) -> str | None:
    """The ISO day of the first full date near the top ("PARIS, le 14 mars 2024 —"), or None."""
    for m in _DAY.finditer(text[:TOP_CHARS]):
        if m["year"]:
            try:
                return _day(m, None).start.isoformat()
            except ValueError:
                continue
    return None


def find_french_events(doc: Doc, reference: datetime.date | None, text: str | None = None) -> list[Event]:
    """One event per dated French expression, with the parsed sentence that holds it."""
    text = text if text is not None else doc.text
    sentences = list(doc.sents)
    starts = [s.start_char for s in sentences]
    events = []
    for start, end, dates in find_dates(text, reference):
        index = max(0, bisect.bisect_right(starts, start) - 1)
        sent = sentences[index]
        events.append(Event(
            start=sent.start_char, end=sent.end_char, text=text[sent.start_char:sent.end_char],
            date_text=text[start:end], date_start=dates.start.isoformat(), date_end=dates.end.isoformat(),
            granularity=dates.granularity, sentence=index,
        ))
    return events
