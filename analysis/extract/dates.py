"""Dates: when a document was published, and which span of days a DATE expression means.

Three jobs share one set of patterns:

* `document_date` finds the publication day of a document, the reference that relative
  expressions ("yesterday", "on Tuesday") are resolved against. It never guesses: a
  dateline without a year ("TEHRAN, July 22 (Reuters) -") gives no date, because the year
  is nowhere written and a wrong year would shift every relative event of the story.
* `normalise_date` turns the text of a spaCy DATE entity into an inclusive `DateRange`.
* `masthead` finds what dates and places the story at its top (a dateline, a byline's
  date) rather than tells it, so that these make no events and the place is read whole.

Normalisation runs on every DATE entity of every document, so the common news forms are
handled by our own regular expressions; dateparser is only the fallback for absolute
expressions (a month name and a four-digit year) that no rule matched, and results are
cached per (expression, reference).
"""
from __future__ import annotations

import calendar
import datetime
import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.model import SCAN_DATE, RawDocument

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

# A publication date is taken from the text only near its top: deeper down, a full date is
# far more likely to be an event of the story than the day it was written.
TOP_CHARS = 600
# DATE entities are short; longer strings are not dates and would only cost parse time.
MAX_EXPRESSION_CHARS = 60

_VOCAB = json.loads((Path(__file__).parent / "data" / "date_vocab.json").read_text("utf-8"))


@dataclass(frozen=True)
class DateRange:
    """The days an expression can mean, both ends inclusive, and how precise it was."""

    start: datetime.date
    end: datetime.date  # inclusive
    granularity: str  # "day" | "week" | "month" | "year" | "decade"


# --- words ------------------------------------------------------------------------------

MONTHS: dict[str, int] = {}
for _number, _name in enumerate(calendar.month_name[1:], start=1):
    MONTHS[_name.lower()] = _number
    MONTHS[_name[:3].lower()] = _number
MONTHS["sept"] = 9

WEEKDAYS: dict[str, int] = {}
for _number, _name in enumerate(calendar.day_name):
    WEEKDAYS[_name.lower()] = _number
    WEEKDAYS[_name[:3].lower()] = _number
WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

NUMBER_WORDS: dict[str, int] = _VOCAB["number_words"]
DECADE_WORDS: dict[str, int] = _VOCAB["decade_words"]
DAY_WORDS: dict[str, int] = _VOCAB["day_words"]
CALENDAR_SHIFTS: dict[str, int] = _VOCAB["calendar_shifts"]

# "forty years ago": the unit counted, and how many of the period it shifts by
AGO_UNITS: dict[str, tuple[str, int]] = {
    "day": ("day", 1),
    "week": ("week", 1),
    "month": ("month", 1),
    "year": ("year", 1),
    "decade": ("year", 10),
    "century": ("year", 100),
}


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of `words`, longest first so that "sept" wins over "sep"."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# --- patterns ---------------------------------------------------------------------------

_MONTH = rf"(?P<month>{_alternation(MONTHS)})\b\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
_YEAR = r"(?P<year>[12]\d{3})\b"
_WEEKDAY_LEAD = rf"(?:(?:{_alternation(WEEKDAYS)})\b\.?,?\s+)?"
_DAY_PART = rf"(?:\s+(?:{_alternation(_VOCAB['day_parts'])}))?"
_NUMBER = rf"(?:\d+|(?:{_alternation(NUMBER_WORDS)})(?:[\s-](?:{_alternation(NUMBER_WORDS)}))*)"
_UNIT = r"(?P<unit>day|week|month|year|decade|centur(?:y|ies))s?"


def _day_patterns(year: str) -> dict[str, str]:
    """The day-precise forms; `year` makes the year of the worded ones required or optional
    (the numeric forms always write it: "7/22" alone is as likely a fraction or a score)."""
    return {
        "iso": r"(?<!\d)(?P<year>[12]\d{3})-(?P<month>[01]?\d)-(?P<day>[0-3]?\d)(?!\d)",
        "numeric": r"(?<!\d)(?P<a>[0-3]?\d)(?P<sep>[/.])(?P<b>[0-3]?\d)(?P=sep)(?P<year>[12]\d{3})(?!\d)",
        "mdy": rf"\b{_WEEKDAY_LEAD}{_MONTH}\s+{_DAY}{year}",
        "dmy": rf"\b{_WEEKDAY_LEAD}(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}{year}",
    }


_YEAR_REQUIRED = rf",?\s+{_YEAR}"
_YEAR_OPTIONAL = rf"(?:{_YEAR_REQUIRED})?"
_FILE_NAME_DATE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})(?P<sep>[-_./]?)(?P<month>[01]\d)(?P=sep)(?P<day>[0-3]\d)(?!\d)"
)
# "TEHRAN, July 22 (Reuters) -", "LOS ANGELES, Sept. 28 (UPI) —", "NEWPORT NEWS, Va., May 3, 2016 -",
# and, without a date, "PORT CARROW —": the place, a region, the date, the agency, a dash.
_DATELINE_PARTS = (
    r"^[ \t]*(?P<place>[A-Z][A-Za-z.'\-]*(?:[ \t]+[A-Z][A-Za-z.'\-]*)*)(?:,[ \t]*[A-Z][A-Za-z.]*)?",
    rf",[ \t]*(?P<date>(?i:{_day_patterns(_YEAR_OPTIONAL)['mdy']}))",
    r"[ \t]*(?:\([^)\n]{1,40}\))?[ \t]*(?:-|--|–|—|―)",
)
_DATELINE = re.compile(_DATELINE_PARTS[0] + _DATELINE_PARTS[1] + _DATELINE_PARTS[2], re.MULTILINE)
_DATELINE_MAYBE_DATED = re.compile(
    _DATELINE_PARTS[0] + f"(?:{_DATELINE_PARTS[1]})?" + _DATELINE_PARTS[2] + r"(?=[ \t])", re.MULTILINE)
# the word before a date in running text ("due", "ended", "on"), unless it says publication;
# a date that starts a line stands apart (a date line under a headline)
_PROSE_LEAD = re.compile(r"\b[a-z][\w'-]*[,;]?[ \t]*$")
_PUBLICATION_LEAD = re.compile(
    rf"\b(?:{_alternation(_VOCAB['publication_words'])})(?:[ \t]+on)?[ \t:]*$", re.IGNORECASE
)
_SINCE = re.compile(r"\bsince\s+(?P<rest>.+)$")
_QUALIFIER = re.compile(rf"^(?:{_alternation(_VOCAB['qualifiers'])})(?:\s+|-)")
_FOUR_DIGIT_YEAR = re.compile(r"(?<!\d)[12]\d{3}(?!\d)")
_MONTH_NAME = re.compile(rf"\b(?:{_alternation(MONTHS)})\b")


# --- periods ----------------------------------------------------------------------------


def _period(day: datetime.date, granularity: str) -> DateRange:
    """The whole day, Monday-to-Sunday week, month, year or decade that holds `day`."""
    if granularity == "week":
        monday = day - datetime.timedelta(days=day.weekday())
        return DateRange(monday, monday + datetime.timedelta(days=6), "week")
    if granularity == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return DateRange(day.replace(day=1), day.replace(day=last), "month")
    if granularity == "year":
        return DateRange(datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31), "year")
    if granularity == "decade":
        first = day.year // 10 * 10
        return DateRange(datetime.date(first, 1, 1), datetime.date(first + 9, 12, 31), "decade")
    return DateRange(day, day, "day")


def _shifted_period(reference: datetime.date, granularity: str, steps: int) -> DateRange | None:
    """The period `steps` periods away from the one holding `reference` (raises off the calendar)."""
    if granularity in ("day", "week"):
        size = 7 if granularity == "week" else 1
        return _period(reference + datetime.timedelta(days=size * steps), granularity)
    if granularity == "month":
        months = reference.year * 12 + reference.month - 1 + steps
        return _period(datetime.date(months // 12, months % 12 + 1, 1), "month")
    years = steps * (10 if granularity == "decade" else 1)
    return _period(datetime.date(reference.year + years, 1, 1), granularity)


def _closest_day(month: int, day: int, reference: datetime.date, ahead: bool = False) -> datetime.date | None:
    """`month`/`day` in the year that puts it nearest the reference ("Dec. 30" in a January story);
    `ahead`, the first such day on or after it."""
    candidates = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidates.append(datetime.date(year, month, day))
        except ValueError:
            continue
    if ahead:
        return min((d for d in candidates if d >= reference), default=None)
    return min(candidates, key=lambda d: abs(d - reference), default=None)


def _number(text: str) -> int:
    """ "40" -> 40, "forty" -> 40, "twenty-five" -> 25, "a hundred" -> 100."""
    if text.isdigit():
        return int(text)
    total = 0
    for word in re.split(r"[\s-]+", text):
        value = NUMBER_WORDS[word]
        total = max(total, 1) * value if value == 100 else total + value
    return total


# --- rules: one full-match pattern and what its match means ------------------------------

Reference = datetime.date | None
Rule = Callable[[re.Match[str], Reference], DateRange | None]
# Rules that place a date the text wrote without saying which one ("in September", "on Friday",
# "May 21") also take `ahead`: whether the sentence looks forward (see `events`). Without it they
# lean to the past, as news mostly report what happened; with it, the next such date is meant.


def _dated(year: str | None, month: int, day: int, reference: Reference, ahead: bool = False) -> DateRange | None:
    """A calendar day; without a year, the one nearest the reference (`ahead`: the next one)."""
    try:
        if year:
            return _period(datetime.date(int(year), month, day), "day")
    except ValueError:
        return None
    found = _closest_day(month, day, reference, ahead) if reference else None
    return _period(found, "day") if found else None


def _month_number(token: str) -> int:
    """ "07" -> 7, "Sept." -> 9."""
    token = token.rstrip(".").lower()
    return int(token) if token.isdigit() else MONTHS[token]


def _on_day(m: re.Match[str], reference: Reference, ahead: bool = False) -> DateRange | None:
    return _dated(m["year"], _month_number(m["month"]), int(m["day"]), reference, ahead)


def _on_numeric_day(m: re.Match[str], reference: Reference, ahead: bool = False) -> DateRange | None:
    """ "7/22/2019" reads month first (US news); "22.07.2019" and "22/07/2019" day first."""
    a, b = int(m["a"]), int(m["b"])
    day_first = m["sep"] == "." or a > 12
    return _dated(m["year"], b if day_first else a, a if day_first else b, reference, ahead)


def _in_month(m: re.Match[str], reference: Reference, ahead: bool = False) -> DateRange | None:
    """ "March 2016"; "March" alone, the nearest March (six months back rather than six ahead),
    or with `ahead` this month or the next such month."""
    month = _month_number(m["month"])
    if m["year"]:
        return _period(datetime.date(int(m["year"]), month, 1), "month")
    if reference is None:
        return None
    steps = (month - reference.month) % 12 if ahead else (month - reference.month + 6) % 12 - 6
    return _shifted_period(reference, "month", steps)


def _in_year(m: re.Match[str], reference: Reference) -> DateRange:
    return _period(datetime.date(int(m["year"]), 1, 1), "year")


def _in_years(m: re.Match[str], reference: Reference) -> DateRange | None:
    """ "2011-2013", "between 2011 and 2013", "1987/88": from the first to the last year."""
    first, last = m["year"], m["last"]
    if len(last) == 2:
        last = first[:2] + last
    if int(last) <= int(first):
        return None
    return DateRange(datetime.date(int(first), 1, 1), datetime.date(int(last), 12, 31), "year")


def _in_decade(m: re.Match[str], reference: Reference) -> DateRange:
    return _period(datetime.date(int(m["decade"]) * 10, 1, 1), "decade")


def _in_short_decade(m: re.Match[str], reference: Reference) -> DateRange | None:
    """ "the '90s", "the eighties": the latest such decade that has begun by the reference."""
    if reference is None:
        return None
    tens = DECADE_WORDS[m["word"]] if m["word"] else int(m["digit"]) * 10
    start = reference.year // 100 * 100 + tens
    if start > reference.year:
        start -= 100
    return _period(datetime.date(start, 1, 1), "decade")


def _on_day_word(m: re.Match[str], reference: Reference) -> DateRange | None:
    return _shifted_period(reference, "day", DAY_WORDS[m["word"]]) if reference else None


def _on_weekday(m: re.Match[str], reference: Reference, ahead: bool = False) -> DateRange | None:
    """ "Tuesday" ("this Tuesday", "past Tuesday") is the latest Tuesday on or before the
    reference (news report the past), or with `ahead` ("will meet on Tuesday") the first on or
    after it, unless "past"; "last Tuesday" the one strictly before it, "next Tuesday" the first
    after it."""
    if reference is None:
        return None
    weekday = WEEKDAYS[m["weekday"]]
    if m["relation"] == "next":
        return _shifted_period(reference, "day", (weekday - reference.weekday()) % 7 or 7)
    if ahead and m["relation"] in (None, "this"):
        return _shifted_period(reference, "day", (weekday - reference.weekday()) % 7)
    back = (reference.weekday() - weekday) % 7
    if m["relation"] == "last" and back == 0:
        back = 7
    return _shifted_period(reference, "day", -back)


def _in_calendar_period(m: re.Match[str], reference: Reference) -> DateRange | None:
    """ "last year", "this month", "next week": a whole calendar period around the reference."""
    if reference is None:
        return None
    return _shifted_period(reference, m["unit"], CALENDAR_SHIFTS[m["relation"]])


def _ago(m: re.Match[str], reference: Reference) -> DateRange | None:
    """ "forty years ago" -> that year, "two weeks ago" -> that week."""
    if reference is None:
        return None
    unit = "century" if m["unit"].startswith("centur") else m["unit"]
    granularity, size = AGO_UNITS[unit]
    return _shifted_period(reference, granularity, -_number(m["count"]) * size)


_DAY_RULES: dict[str, Rule] = {"iso": _on_day, "numeric": _on_numeric_day, "mdy": _on_day, "dmy": _on_day}


def _day_rules(year: str, flags: int = 0, ahead: bool = False) -> list[tuple[re.Pattern[str], Rule]]:
    return [(re.compile(pattern, flags), functools.partial(_DAY_RULES[form], ahead=ahead))
            for form, pattern in _day_patterns(year).items()]


def _whole_rules(ahead: bool) -> list[tuple[re.Pattern[str], Rule]]:
    """The rules an expression must match whole, first match wins (`ahead`: see `Rule`)."""
    return _day_rules(_YEAR_OPTIONAL, ahead=ahead) + [
        (re.compile(rf"{_MONTH}(?:,?\s+(?:of\s+)?{_YEAR})?"), functools.partial(_in_month, ahead=ahead)),
        (re.compile(_YEAR), _in_year),
        (re.compile(rf"(?:between\s+)?{_YEAR}\s*(?:-|–|/|to|and|through)\s*(?P<last>[12]\d{{3}}|\d\d)"),
         _in_years),
        (re.compile(r"(?P<decade>[12]\d{2})0'?s"), _in_decade),
        (re.compile(rf"(?:'?(?P<digit>\d)0'?s|(?P<word>{_alternation(DECADE_WORDS)}))"), _in_short_decade),
        (re.compile(rf"(?P<word>{_alternation(DAY_WORDS)}){_DAY_PART}"), _on_day_word),
        (re.compile(
            rf"(?:(?P<relation>last|next|this|past)\s+)?(?P<weekday>{_alternation(WEEKDAYS)})\.?{_DAY_PART}"
        ), functools.partial(_on_weekday, ahead=ahead)),
        (re.compile(rf"(?P<relation>{_alternation(CALENDAR_SHIFTS)})\s+(?P<unit>week|month|year|decade)"),
         _in_calendar_period),
        (re.compile(rf"(?P<count>{_NUMBER})\s+{_UNIT}\s+ago"), _ago),
    ]


# Dates inside a longer expression ("the week ended February 22", "fiscal 1986/87"), most
# precise first; tried last, after the whole-expression rules and dateparser. They never look
# ahead: such a period has mostly ended ("the year ended January 31" in a March story).
_EMBEDDED: list[tuple[re.Pattern[str], Rule]] = _day_rules(_YEAR_OPTIONAL) + [
    (re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}"), _in_month),
    (re.compile(rf"(?<!\d){_YEAR}"), _in_year),
]
_RULES = {ahead: _whole_rules(ahead) for ahead in (False, True)}
# Day-month-year dates in running text, for the publication date.
_FULL_DATES = _day_rules(_YEAR_REQUIRED, re.IGNORECASE)


# --- normalisation ----------------------------------------------------------------------


def _clean(expression: str) -> str:
    """Lower case, single spaces, no surrounding punctuation or possessive "'s"."""
    text = " ".join(expression.replace("’", "'").lower().split())
    text = text.strip(" .,;:!?\"()[]")
    if text.endswith("'s"):
        text = text[:-2]
    return text


def _strip_qualifiers(text: str) -> str:
    """ "in early 2019" -> "2019": qualifiers narrow or bound a period, the period stays the anchor."""
    while m := _QUALIFIER.match(text):
        text = text[m.end():]
    return text


@functools.cache
def _dateparser() -> DateDataParser:
    """Built on first use, as dateparser is slow to import. English only and absolute dates
    only: no language detection, no relative parsing against today, nothing from the network."""
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["en"],
        settings={
            "PARSERS": ["custom-formats", "absolute-time"],
            "REQUIRE_PARTS": ["month", "year"],
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )


def _parse_absolute(text: str) -> DateRange | None:
    """dateparser's reading of an expression that writes a month name and a year.

    Both must be written because dateparser fills a missing part from today ("26, 1992"
    comes back as 26 November 1992); its year must also be one in the text.
    """
    if not (_MONTH_NAME.search(text) and _FOUR_DIGIT_YEAR.search(text)):
        return None
    try:
        data = _dateparser().get_date_data(text)
    except (ValueError, OverflowError, TypeError, LookupError):
        return None
    if data.date_obj is None or str(data.date_obj.year) not in _FOUR_DIGIT_YEAR.findall(text):
        return None
    granularity = "day" if data.period == "time" else data.period
    if granularity not in ("day", "week", "month", "year"):
        return None
    return _period(data.date_obj.date(), granularity)


def _first_rule(rules: list[tuple[re.Pattern[str], Rule]], text: str, reference: Reference,
                whole: bool) -> tuple[bool, DateRange | None]:
    """(matched, range) of the first rule whose pattern matches the whole text or a part of it."""
    for pattern, rule in rules:
        m = pattern.fullmatch(text) if whole else pattern.search(text)
        if m:
            try:
                return True, rule(m, reference)
            except (ValueError, OverflowError):  # a date off the calendar ("the '90s" in year 89)
                return True, None
    return False, None


@functools.lru_cache(maxsize=8192)
def _normalise_clean(text: str, reference: Reference, ahead: bool) -> DateRange | None:
    if since := _SINCE.search(text):
        text = since["rest"]  # "since 2012" is anchored at 2012; the open end is not a date
    text = _strip_qualifiers(text)
    matched, found = _first_rule(_RULES[ahead], text, reference, whole=True)
    if matched:
        return found
    if parsed := _parse_absolute(text):
        return parsed
    return _first_rule(_EMBEDDED, text, reference, whole=False)[1]


# In news, a "date" before this year is a clock time ("1000 GMT", "1100 - APRIL 7"), a schedule
# ("1000/1400") or a price ("May 1145/1148" in a commodity table) that the tagger took for one.
EARLIEST_YEAR = 1500


def normalise_date(expression: str, reference: datetime.date | None, ahead: bool = False) -> DateRange | None:
    """The range a DATE entity's text means, relative expressions resolved against `reference`;
    `ahead` when its sentence looks forward ("will meet on Friday": the next Friday, see `Rule`).

    Returns None for what cannot be placed on the calendar without guessing: vague
    expressions ("recent years", "the past"), durations ("two years"), relative
    expressions when there is no reference, and anything before EARLIEST_YEAR.
    """
    text = _clean(expression)
    if not text or len(text) > MAX_EXPRESSION_CHARS:
        return None
    found = _normalise_clean(text, reference, ahead)
    return found if found is None or found.start.year >= EARLIEST_YEAR else None


# --- document date ----------------------------------------------------------------------


def _metadata_date(value: str | None) -> datetime.date | None:
    """The day of a metadata date ("2019-07-22" or "2019-07-22T10:00:00"), None if malformed."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class _TextDate:
    """A day-month-year date found in the top of a document."""

    start: int
    end: int
    day: datetime.date
    in_prose: bool  # governed by a lower-case word ("due March 30, 1990"): an event, not a byline


@functools.lru_cache(maxsize=4)
def _text_dates(top: str) -> tuple[_TextDate, ...]:
    """The day-month-year dates in `top`, in text order. Remembered for the last few tops:
    `document_date` and `masthead` both read a document's top, one after the other."""
    found = []
    windows = _year_windows(top)
    for pattern, rule in _FULL_DATES:
        for m in (m for start, end in windows for m in pattern.finditer(top, start, end)):
            if day := rule(m, None):
                before = top[max(0, m.start() - 40):m.start()]
                in_prose = bool(_PROSE_LEAD.search(before)) and not _PUBLICATION_LEAD.search(before)
                found.append(_TextDate(m.start(), m.end(), day.start, in_prose))
    return tuple(sorted(found, key=lambda d: d.start))


def _year_windows(text: str, reach: int = 60) -> list[tuple[int, int]]:
    """The stretches of `text` where a full date can be: around each four-digit year, from
    `reach` characters before it ("Wednesday, the 30th of September, 2015") to just after
    an ISO date's day. The date patterns cost ~0.2 ms a document when run over all of it."""
    windows: list[tuple[int, int]] = []
    for m in _FOUR_DIGIT_YEAR.finditer(text):
        start, end = max(0, m.start() - reach), min(len(text), m.end() + 7)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _top_date(top: str) -> tuple[datetime.date | None, str | None]:
    """(day, "dateline" | "text") from the top of a document, or (None, None).

    A wire dateline starts the story body: its own date wins; a year-less one ("TEHRAN,
    July 22 (Reuters) -") is completed only by a written date of the same month and day
    outside prose (a caption "July 22, 2019"). Otherwise the first date standing apart from
    prose (a date line, byline or caption) before the body counts; dates in the body are
    events of the story.
    """
    dates = _text_dates(top)
    dateline = _DATELINE.search(top)
    if dateline:
        if found := _on_day(dateline, None):
            return found.start, "dateline"
        month, day = _month_number(dateline["month"]), int(dateline["day"])
        for candidate in dates:
            if not candidate.in_prose and (candidate.day.month, candidate.day.day) == (month, day):
                return candidate.day, "dateline"
    body_start = dateline.start() if dateline else len(top)
    for candidate in dates:
        if candidate.start < body_start and not candidate.in_prose:
            return candidate.day, "text"
    return None, None


@dataclass(frozen=True)
class Masthead:
    """What, at the top of a document, places and dates the story rather than tells it
    (character ranges): a wire dateline's place, when written in capitals ("PORT CARROW"
    in "PORT CARROW, June 2, 2024 — Hundreds marched…"), the dateline's date, and the
    dates standing apart from prose before the story's body (bylines, date lines).

    The tagger misreads a place in capitals ("CARROW"), and a byline's date is the day the
    story was written, not an event of it: `mention_fixes` and `events` use these ranges.
    """

    place: tuple[int, int] | None = None
    dateline_date: tuple[int, int] | None = None
    date_lines: tuple[tuple[int, int], ...] = ()


def masthead(text: str) -> Masthead:
    """The `Masthead` of a document, from its first TOP_CHARS characters."""
    top = text[:TOP_CHARS]
    dateline = _DATELINE.search(top) or _DATELINE_MAYBE_DATED.search(top)
    body_start = dateline.start() if dateline else len(top)
    date_lines = tuple((d.start, d.end) for d in _text_dates(top) if d.start < body_start and not d.in_prose)
    if dateline is None:
        return Masthead(date_lines=date_lines)
    rest = top[dateline.end():].partition("\n")[0]
    in_capitals = dateline["place"].isupper() and any(c.islower() for c in rest)  # not an ALL-CAPS line
    return Masthead(place=dateline.span("place") if in_capitals else None,
                    dateline_date=dateline.span("date") if dateline["date"] else None, date_lines=date_lines)


def _file_name_date(file_name: str) -> datetime.date | None:
    """ "2019-07-22-story.txt", "20190722_x.pdf", "2019/07/22/story.html"."""
    for m in _FILE_NAME_DATE.finditer(file_name):
        try:
            return datetime.date(int(m["year"]), int(m["month"]), int(m["day"]))
        except ValueError:
            continue
    return None


def document_date(raw: RawDocument) -> tuple[str | None, str | None]:
    """(ISO date, source) of the document from the richest source that has one.

    Order: the metadata the loader found (its own `date_source`), a dateline with a year,
    a full date near the top of the text ("text"), a scanned PDF's creation date (the day of the
    scan, not of the writing: a memo's "Date: 14 March 2024" says more), a date in the file name
    ("file-name"). (None, None) when none has a day, month and year: a date is never invented.
    """
    scan = raw.date_source == SCAN_DATE
    if not scan and (found := _metadata_date(raw.date)):
        return found.isoformat(), raw.date_source or "metadata"
    found, source = _top_date(raw.text[:TOP_CHARS])
    if found is None and scan and (found := _metadata_date(raw.date)):
        source = SCAN_DATE
    if found is None and (found := _file_name_date(raw.file_name)):
        source = "file-name"
    return (found.isoformat(), source) if found else (None, None)
