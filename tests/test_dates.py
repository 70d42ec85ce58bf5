"""Document dates and event dates: every source of a document date, every expression form,
and the properties that must hold on any input (no exception, offsets inside the text)."""
from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analysis.extract.dates import DateRange, document_date, masthead, normalise_date
from analysis.extract.events import find_events
from analysis.model import RawDocument

D = datetime.date
MONDAY = D(2019, 7, 22)  # the reference date of most cases: Monday 22 July 2019
BODY = "\n\nThe minister said the talks would resume after a pause of several weeks.\n"


def raw(text: str, file_name: str = "story.txt", **metadata: str) -> RawDocument:
    return RawDocument(text=text, file_name=file_name, **metadata)


# --- document_date ----------------------------------------------------------------------


def test_metadata_wins_over_text_and_file_name() -> None:
    doc = raw("July 22, 2019" + BODY, "2018-01-01-story.txt", date="2019-07-20", date_source="html-meta")
    assert document_date(doc) == ("2019-07-20", "html-meta")


@pytest.mark.parametrize("source", ["batch", "docx-properties", "email-date"])
def test_metadata_keeps_its_own_source(source: str) -> None:
    assert document_date(raw(BODY, date="2016-09-12", date_source=source)) == ("2016-09-12", source)


def test_metadata_datetime_gives_its_day_and_unnamed_source_is_metadata() -> None:
    assert document_date(raw(BODY, date="2019-07-22T23:10:00+02:00")) == ("2019-07-22", "metadata")


def test_malformed_metadata_is_ignored_not_propagated() -> None:
    assert document_date(raw("22 July 2019" + BODY, date="last Tuesday")) == ("2019-07-22", "text")


@pytest.mark.parametrize(
    "lead, expected",
    [
        ("TEHRAN, July 22, 2019 (Reuters) - Iran said", "2019-07-22"),
        ("LOS ANGELES, Sept. 28, 2016 (UPI) — In a preview clip", "2016-09-28"),
        ("NEWPORT NEWS, Va., May 3, 2016 - In a tradition", "2016-05-03"),
        ("Headline of the story\n\nWASHINGTON, Feb. 26, 1987 -- The Senate voted", "1987-02-26"),
    ],
)
def test_dateline_with_a_year(lead: str, expected: str) -> None:
    assert document_date(raw(lead + BODY)) == (expected, "dateline")


def test_dateline_without_a_year_gives_no_date() -> None:
    assert document_date(raw("TEHRAN, July 22 (Reuters) - Iran said" + BODY)) == (None, None)


def test_dateline_without_a_year_is_completed_by_a_caption_of_the_same_day() -> None:
    text = "Leaders meet in Tehran July 22, 2019 (photo credit: REUTERS)\nTEHRAN, July 22 (Reuters) - Iran said"
    assert document_date(raw(text + BODY)) == ("2019-07-22", "dateline")


def test_dates_in_the_body_after_a_dateline_are_events_not_the_publication_date() -> None:
    text = "NEW YORK, Feb 26 - The company said the warrants run to Feb 26, 1988 and the bonds to 1990."
    assert document_date(raw(text + BODY)) == (None, None)


@pytest.mark.parametrize(
    "top, expected",
    [
        ("July 22, 2019", "2019-07-22"),
        ("22 July 2019", "2019-07-22"),
        ("2019-07-22", "2019-07-22"),
        ("Sept. 12, 2016", "2016-09-12"),
        ("Published: Monday, July 22, 2019 10:32 AM", "2019-07-22"),
        ("By Jane Doe | 3 March 2020", "2020-03-03"),
        ("Posted on Sept. 12, 2016", "2016-09-12"),
        ("Leaders meet in Tehran July 22, 2019 (photo credit: REUTERS)", "2019-07-22"),
    ],
)
def test_date_line_near_the_top(top: str, expected: str) -> None:
    assert document_date(raw(f"A headline\n\n{top}{BODY}")) == (expected, "text")


def test_date_line_above_an_undated_dateline() -> None:
    text = "July 22, 2019\nWASHINGTON (AP) — The Senate voted on Monday."
    assert document_date(raw(text + BODY)) == ("2019-07-22", "text")


def test_the_masthead_is_a_capitals_datelines_place_its_date_and_the_dates_above_the_body() -> None:
    text = "Harbour vote\n\nBy Ana Reyes, March 4, 2024\n\nKESTREL BAY, March 4, 2024 — The council voted on Monday."
    top = masthead(text)
    assert top.place is not None and top.dateline_date is not None
    assert text[slice(*top.place)] == "KESTREL BAY"
    assert text[slice(*top.dateline_date)] == "March 4, 2024" and top.dateline_date[0] > top.place[0]
    assert [text[s:e] for s, e in top.date_lines] == ["March 4, 2024"] and top.date_lines[0][1] < top.place[0]
    undated = masthead("Harbour vote\n\nKESTREL BAY — The council voted on Monday, March 4, 2024.")
    assert undated.place == (14, 25) and undated.dateline_date is None and undated.date_lines == ()


@pytest.mark.parametrize(
    "text",
    ["Kestrel Bay — The council voted.", "HARBOUR VOTE — COUNCIL SPLIT\nThe council voted.",
     "The council voted — narrowly — on Monday.", "KESTREL BAY 2024-03-04\nThe council voted."],
)
def test_no_masthead_place_from_mixed_case_datelines_headlines_in_capitals_or_prose(text: str) -> None:
    assert masthead(text).place is None


def test_date_deep_in_the_story_is_not_the_publication_date() -> None:
    text = "A headline\n\n" + "The talks went on for hours. " * 30 + "July 22, 2019"
    assert document_date(raw(text)) == (None, None)


def test_date_in_running_prose_near_the_top_is_not_the_publication_date() -> None:
    text = "The company is issuing bonds due March 30, 1990, paying 7 pct."
    assert document_date(raw(text + BODY)) == (None, None)


@pytest.mark.parametrize(
    "file_name, expected",
    [
        ("2019-07-22-story.txt", "2019-07-22"),
        ("20190722_x.pdf", "2019-07-22"),
        ("archive/2016/09/12/clinton.html", "2016-09-12"),
        ("story_2019_07_22.docx", "2019-07-22"),
    ],
)
def test_file_name_date(file_name: str, expected: str) -> None:
    assert document_date(raw(BODY, file_name)) == (expected, "file-name")


@pytest.mark.parametrize("file_name", ["20191340_x.pdf", "report-123456789.txt", "story.txt", "v2019.txt"])
def test_file_name_without_a_valid_date(file_name: str) -> None:
    assert document_date(raw(BODY, file_name)) == (None, None)


def test_text_date_wins_over_file_name() -> None:
    assert document_date(raw("July 22, 2019" + BODY, "2019-07-23.txt")) == ("2019-07-22", "text")


def test_no_source_gives_none() -> None:
    assert document_date(raw(BODY)) == (None, None)
    assert document_date(raw("")) == (None, None)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["TEHRAN,", "July 22", ", 2019", "(Reuters)", "-", "—", "\n", "Published:", "due",
                             "Sept.", "31", "2019-02-30", "13/13/2019", "Feb 29, 2019"]),
            st.text(max_size=8),
        ),
        max_size=30,
    ).map(" ".join),
    st.text(max_size=30),
)
def test_document_date_is_a_real_day_or_nothing(text: str, file_name: str) -> None:
    date, source = document_date(raw(text, file_name))
    assert (date is None) == (source is None)
    if date is not None:
        D.fromisoformat(date)


# --- normalise_date ---------------------------------------------------------------------

ABSOLUTE = [
    ("July 22, 2019", D(2019, 7, 22), D(2019, 7, 22), "day"),
    ("Sept. 12, 2016", D(2016, 9, 12), D(2016, 9, 12), "day"),
    ("22 July 2019", D(2019, 7, 22), D(2019, 7, 22), "day"),
    ("the 22nd of July, 2019", D(2019, 7, 22), D(2019, 7, 22), "day"),
    ("2019-07-22", D(2019, 7, 22), D(2019, 7, 22), "day"),
    ("7/22/2019", D(2019, 7, 22), D(2019, 7, 22), "day"),
    ("22.07.2019", D(2019, 7, 22), D(2019, 7, 22), "day"),
    ("Tuesday, July 23, 2019", D(2019, 7, 23), D(2019, 7, 23), "day"),
    ("26-FEB-1987", D(1987, 2, 26), D(1987, 2, 26), "day"),  # dateparser's share
    ("March 2016", D(2016, 3, 1), D(2016, 3, 31), "month"),
    ("February of 2016", D(2016, 2, 1), D(2016, 2, 29), "month"),
    ("2011", D(2011, 1, 1), D(2011, 12, 31), "year"),
    ("in 2011", D(2011, 1, 1), D(2011, 12, 31), "year"),
    ("since 2012", D(2012, 1, 1), D(2012, 12, 31), "year"),
    ("the first time since 2012", D(2012, 1, 1), D(2012, 12, 31), "year"),
    ("mid-2019", D(2019, 1, 1), D(2019, 12, 31), "year"),
    ("fiscal 1986", D(1986, 1, 1), D(1986, 12, 31), "year"),
    ("between 2011 and 2013", D(2011, 1, 1), D(2013, 12, 31), "year"),
    ("1987/88", D(1987, 1, 1), D(1988, 12, 31), "year"),
    ("the 1990s", D(1990, 1, 1), D(1999, 12, 31), "decade"),
    ("the early 1980s", D(1980, 1, 1), D(1989, 12, 31), "decade"),
]

RELATIVE = [  # reference: Monday 22 July 2019
    ("July 22", D(2019, 7, 22), D(2019, 7, 22), "day"),
    ("on Tuesday", D(2019, 7, 16), D(2019, 7, 16), "day"),
    ("Friday", D(2019, 7, 19), D(2019, 7, 19), "day"),
    ("Monday", D(2019, 7, 22), D(2019, 7, 22), "day"),
    ("last Monday", D(2019, 7, 15), D(2019, 7, 15), "day"),
    ("next Monday", D(2019, 7, 29), D(2019, 7, 29), "day"),
    ("Tuesday morning", D(2019, 7, 16), D(2019, 7, 16), "day"),
    ("yesterday", D(2019, 7, 21), D(2019, 7, 21), "day"),
    ("today", D(2019, 7, 22), D(2019, 7, 22), "day"),
    ("tomorrow", D(2019, 7, 23), D(2019, 7, 23), "day"),
    ("last night", D(2019, 7, 21), D(2019, 7, 21), "day"),
    ("last year", D(2018, 1, 1), D(2018, 12, 31), "year"),
    ("earlier this year", D(2019, 1, 1), D(2019, 12, 31), "year"),
    ("the prior year", D(2018, 1, 1), D(2018, 12, 31), "year"),
    ("this month", D(2019, 7, 1), D(2019, 7, 31), "month"),
    ("last month", D(2019, 6, 1), D(2019, 6, 30), "month"),
    ("next week", D(2019, 7, 29), D(2019, 8, 4), "week"),
    ("this week", D(2019, 7, 22), D(2019, 7, 28), "week"),
    ("forty years ago", D(1979, 1, 1), D(1979, 12, 31), "year"),
    ("40 years ago", D(1979, 1, 1), D(1979, 12, 31), "year"),
    ("twenty-five years ago", D(1994, 1, 1), D(1994, 12, 31), "year"),
    ("a decade ago", D(2009, 1, 1), D(2009, 12, 31), "year"),
    ("two weeks ago", D(2019, 7, 8), D(2019, 7, 14), "week"),
    ("three days ago", D(2019, 7, 19), D(2019, 7, 19), "day"),
    ("six months ago", D(2019, 1, 1), D(2019, 1, 31), "month"),
    ("March", D(2019, 3, 1), D(2019, 3, 31), "month"),
    ("the week ended February 22", D(2019, 2, 22), D(2019, 2, 22), "day"),
    ("the '90s", D(1990, 1, 1), D(1999, 12, 31), "decade"),
    ("the eighties", D(1980, 1, 1), D(1989, 12, 31), "decade"),
]


@pytest.mark.parametrize("expression, start, end, granularity", ABSOLUTE + RELATIVE)
def test_normalise_with_reference(expression: str, start: D, end: D, granularity: str) -> None:
    assert normalise_date(expression, MONDAY) == DateRange(start, end, granularity)


@pytest.mark.parametrize("expression, start, end, granularity", ABSOLUTE)
def test_absolute_expressions_need_no_reference(expression: str, start: D, end: D, granularity: str) -> None:
    assert normalise_date(expression, None) == DateRange(start, end, granularity)


@pytest.mark.parametrize("expression", [case[0] for case in RELATIVE])
def test_relative_expressions_without_reference_are_none(expression: str) -> None:
    assert normalise_date(expression, None) is None


@pytest.mark.parametrize(
    "expression",
    ["recent years", "the past", "two years", "a few years ago", "the coming weeks", "daily", "the week",
     "the first quarter", "9/11", "54", "", "   ", "Thursday, February 30, 2019",
     "1000", "1000/1400", "1250-1300", "May 1145/1148", "1100 - APRIL 7"],  # times, prices (EARLIEST_YEAR)
)
def test_vague_durations_and_impossible_dates_are_none(expression: str) -> None:
    assert normalise_date(expression, MONDAY) is None


def test_weekday_on_the_reference_day_is_that_day() -> None:
    tuesday = D(2019, 7, 23)
    assert normalise_date("on Tuesday", tuesday) == DateRange(tuesday, tuesday, "day")


def test_month_and_day_take_the_year_nearest_the_reference() -> None:
    january = D(2020, 1, 3)
    assert normalise_date("Dec. 30", january) == DateRange(D(2019, 12, 30), D(2019, 12, 30), "day")
    assert normalise_date("December", january) == DateRange(D(2019, 12, 1), D(2019, 12, 31), "month")


LOOKING_AHEAD = [  # reference: Monday 22 July 2019; what a forward-looking sentence means
    ("September", D(2019, 9, 1), D(2019, 9, 30), "month"),
    ("as early as January", D(2020, 1, 1), D(2020, 1, 31), "month"),  # not the January just gone
    ("July", D(2019, 7, 1), D(2019, 7, 31), "month"),
    ("Friday", D(2019, 7, 26), D(2019, 7, 26), "day"),
    ("this Friday", D(2019, 7, 26), D(2019, 7, 26), "day"),
    ("Monday", D(2019, 7, 22), D(2019, 7, 22), "day"),
    ("July 10", D(2020, 7, 10), D(2020, 7, 10), "day"),
    ("last Friday", D(2019, 7, 19), D(2019, 7, 19), "day"),  # said outright: kept
    ("past Friday", D(2019, 7, 19), D(2019, 7, 19), "day"),
    ("next Monday", D(2019, 7, 29), D(2019, 7, 29), "day"),
    ("July 2018", D(2018, 7, 1), D(2018, 7, 31), "month"),
]


@pytest.mark.parametrize("expression, start, end, granularity", LOOKING_AHEAD)
def test_dates_without_year_or_week_are_the_next_ones_when_looking_ahead(
        expression: str, start: D, end: D, granularity: str) -> None:
    assert normalise_date(expression, MONDAY, ahead=True) == DateRange(start, end, granularity)


def test_a_month_six_months_away_is_the_last_one_unless_looking_ahead() -> None:
    march = D(2024, 3, 4)
    assert normalise_date("September", march).start == D(2023, 9, 1)
    assert normalise_date("September", march, ahead=True).start == D(2024, 9, 1)


def test_dates_off_the_calendar_are_none() -> None:
    assert normalise_date("3000 years ago", D(2019, 7, 22)) is None
    assert normalise_date("99999999999 days ago", D(2019, 7, 22)) is None


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80),
        st.lists(
            st.sampled_from(
                ["since", "the", "last", "next", "ago", "years", "week", "July", "Sept.", "22", "2019", "1990s",
                 "'90s", "forty-two", "a", "on", "Tuesday", "-", "/", ",", "0", "31", "13", "9999", "1000000"]
            ),
            max_size=8,
        ).map(" ".join),
    ),
    st.one_of(st.none(), st.dates()),
)
@example("'90s", D(89, 1, 1))  # a decade before year 1: off the calendar, found by hypothesis
@example("forty years ago", D(1, 6, 1))
@example("next week", D(9999, 12, 30))
def test_normalise_never_raises(expression: str, reference: D | None) -> None:
    found = normalise_date(expression, reference)
    assert found is None or found.start <= found.end


# --- find_events ------------------------------------------------------------------------


def test_events_are_sentences_with_their_dates(nlp) -> None:
    text = "The civil war began in 2011. Nothing else happened. Hamas left Syria in 2012, officials said."
    events = find_events(nlp(text), None)
    assert [(e.date_text, e.date_start, e.date_end, e.granularity) for e in events] == [
        ("2011", "2011-01-01", "2011-12-31", "year"),
        ("2012", "2012-01-01", "2012-12-31", "year"),
    ]
    assert [e.sentence for e in events] == [0, 2]
    assert all(text[e.start:e.end] == e.text and e.entities == [] for e in events)
    assert events[1].text == "Hamas left Syria in 2012, officials said."


def test_plain_years_from_1500_on_are_years() -> None:
    assert normalise_date("1600", None) == DateRange(D(1600, 1, 1), D(1600, 12, 31), "year")
    assert normalise_date("1986/87", None) == DateRange(D(1986, 1, 1), D(1987, 12, 31), "year")


def test_a_time_of_day_the_tagger_reads_as_a_date_is_no_event(nlp) -> None:
    doc = nlp("The plant opened in 1998 and closed at 1700 GMT. The auction closes at 1630 local time.")
    assert {e.text for e in doc.ents if e.label_ == "DATE"} >= {"1998", "1700", "1630"}  # what the tagger does
    assert [e.date_text for e in find_events(doc, None)] == ["1998"]
    doc = nlp("The offer expires at\n1630 EST/2130 gmt, March 30, 1987.")  # "EST/2130" is one token
    assert [e.date_text for e in find_events(doc, None)] == ["March 30, 1987"]


def test_a_bylines_date_makes_no_event_and_a_datelines_only_when_the_lead_has_no_other(nlp) -> None:
    text = ("By Ana Reyes, March 4, 2024\n\nKESTREL BAY, March 4, 2024 — The council voted on Monday to close "
            "the port.\n\nThe port reopened on March 20.")
    top = masthead(text)
    events = find_events(nlp(text), D(2024, 3, 4), date_lines=top.date_lines, dateline_date=top.dateline_date)
    assert [e.date_text for e in events] == ["Monday", "March 20"]
    lead = "KESTREL BAY, March 4, 2024 — The council voted to close the port."
    only = find_events(nlp(lead), D(2024, 3, 4), dateline_date=masthead(lead).dateline_date)
    assert [(e.date_text, e.date_start) for e in only] == [("March 4, 2024", "2024-03-04")]


def test_relative_events_need_the_reference(nlp) -> None:
    doc = nlp("The minister said on Tuesday that talks would resume next week. He met the delegation yesterday.")
    assert find_events(doc, None) == []
    events = find_events(doc, MONDAY)
    assert [(e.date_start, e.granularity, e.sentence) for e in events] == [
        ("2019-07-16", "day", 0),
        ("2019-07-29", "week", 0),
        ("2019-07-21", "day", 1),
    ]


@pytest.mark.parametrize("sentence, ahead", [
    ("The company said construction could begin as early as September.", True),
    ("The court will rule on Friday.", True),
    ("The company said it would publish the plan by Friday.", True),
    ("Talks are expected to resume in February.", True),
    ("The ministers are due to meet in Brussels on Friday.", True),
    ("The vote is scheduled for Friday.", True),
    ("Shares fell on Friday.", False),
    ("He was sentenced on Friday for fraud.", False),
    ("The company said on Friday it will cut 200 jobs.", False),  # Friday is when it said so
    ("Friday.", False),  # no verb at all
])
def test_events_in_forward_looking_sentences_take_the_next_date(nlp, sentence: str, ahead: bool) -> None:
    (event,) = find_events(nlp(sentence), MONDAY)
    upcoming = {"Friday": "2019-07-26", "September": "2019-09-01", "February": "2020-02-01"}
    past = {"Friday": "2019-07-19", "February": "2019-02-01"}
    word = event.date_text.split()[-1]
    assert event.date_start == (upcoming if ahead else past)[word]


def test_reference_article_date_and_events(nlp, sample_text: str) -> None:
    date, source = document_date(RawDocument(text=sample_text, file_name="hamas-tehran-visit.txt"))
    assert (date, source) == ("2019-07-22", "text")
    events = find_events(nlp(sample_text), D.fromisoformat(date))
    by_year = {(e.date_start, e.date_end, e.granularity): e.text for e in events}
    assert "civil war" in by_year[("2011-01-01", "2011-12-31", "year")]
    assert "first time since" in by_year[("2012-01-01", "2012-12-31", "year")]
    assert ("1979-01-01", "1979-12-31", "year") in by_year  # "Forty years ago"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["In 2011", "on Tuesday", "July 22, 2019", "last year", "the 1990s", "forty years ago",
                             "Hamas", "said", ".", "\n", "\n\n", "  ", "Syria", "yesterday", "since 2012"]),
            st.text(max_size=12),
        ),
        max_size=30,
    ).map(" ".join),
    st.one_of(st.none(), st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 1, 1))),
)
def test_event_offsets_lie_inside_the_text(nlp, text: str, reference: D | None) -> None:
    doc = nlp(text)
    n_sentences = len(list(doc.sents))
    for event in find_events(doc, reference):
        assert 0 <= event.start <= event.end <= len(text)
        assert text[event.start:event.end] == event.text
        assert event.date_text in event.text
        assert 0 <= event.sentence < n_sentences
        assert event.date_start <= event.date_end
