"""Events: the sentences of a document that carry a date, placed on the calendar.

An event here is deliberately shallow, a sentence plus the range of one of its DATE
entities: it is what a timeline of a story, or of many stories, needs, and it does not
depend on parsing who did what.
"""
from __future__ import annotations

import bisect
import datetime
from collections.abc import Sequence

from spacy.tokens import Doc, Span

from analysis.extract.dates import normalise_date
from analysis.extract.entities import time_zones
from analysis.model import Event

# Words after a four-digit time ("1700 GMT", "1630 local time", "2000 hrs"): the tagger often
# takes such a time for a DATE, which would put a 1987 story's trading hours in the year 1700.
CLOCK_WORDS = frozenset({zone.upper() for zone in time_zones()} | {"HRS", "HOURS", "LOCAL"})


def _is_clock_time(doc: Doc, entity: Span) -> bool:
    """Whether a DATE entity is a four-digit time: "1700 GMT", and "1630 EST/2130 GMT", where the
    tokenizer keeps "EST/2130" whole."""
    last = entity[-1].text
    return (len(last) == 4 and last.isdigit() and entity.end < len(doc)
            and doc[entity.end].text.upper().split("/")[0].rstrip(".") in CLOCK_WORDS)


# Auxiliaries that put a clause after the moment of writing ("will meet on Friday", "could begin
# in September", "said it would vote on Monday"), the words whose infinitive does ("expected
# to resume in May", "due to meet on Monday", "plans to start in October"), and the verbs that
# do with "for" ("scheduled for Thursday", "set for May 21"). Inflected forms: the pipeline
# runs without its lemmatizer (see `nlp`).
FUTURE_AUXILIARIES = frozenset({"will", "'ll", "shall", "would", "could", "may", "might", "can", "should"})
FORWARD_GOVERNORS = frozenset(
    "expect expects expected expecting plan plans planned planning due set aim aims aimed aiming "
    "intend intends intended intending hope hopes hoped hoping seek seeks sought seeking want wants "
    "wanted wanting prepare prepares prepared preparing propose proposes proposed proposing agree "
    "agrees agreed agreeing promise promises promised promising pledge pledges pledged pledging vow "
    "vows vowed vowing decide decides decided deciding scheduled slated".split())
SCHEDULING = frozenset("set scheduled slated planned fixed".split())
_SUBJECTS = ("nsubj", "nsubjpass")
_NOMINAL = ("NOUN", "PROPN", "NUM", "PRON")


def looks_ahead(entity: Span) -> bool:
    """Whether the clause of a DATE entity speaks of what is still to come, so that a date written
    without its year or week ("in September", "on Friday") is the next one, not the last.

    The clause is the first verb above the entity, unless a noun comes between ("up from 57 pct
    in February" dates the percentage). When that verb is not the sentence's main one and its subject
    comes after the date ("He said on Tuesday he will resign"), the tagger most likely hung the
    date on the wrong verb, and the clause is not trusted.
    """
    first = entity.root
    while first.dep_ == "conj" and first.head.i != first.i:  # "on Wednesday and Thursday"
        first = first.head
    verb = first.head
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        if verb.pos_ in _NOMINAL:
            return False
        verb = verb.head
    if verb.pos_ not in ("VERB", "AUX"):
        return False
    if verb.dep_ != "ROOT" and any(c.dep_ in _SUBJECTS and c.i > entity.start for c in verb.children):
        return False
    if any(c.dep_ == "aux" and c.lower_ in FUTURE_AUXILIARIES and (c.text.islower() or c.is_sent_start)
           for c in verb.children):  # not the "Can" of "American Can sold ..."
        return True
    if verb.lower_ in SCHEDULING and entity.root.head.lower_ == "for":  # "set for May 21"
        return True
    return verb.dep_ == "xcomp" and verb.head.lower_ in FORWARD_GOVERNORS


def find_events(doc: Doc, reference: datetime.date | None, text: str | None = None,
                date_lines: Sequence[tuple[int, int]] = (), dateline_date: tuple[int, int] | None = None,
                ) -> list[Event]:
    """One Event per sentence and distinct normalised DATE entity in it, in text order.

    `reference` is the document date that relative expressions ("last year") count from;
    without it only absolute ones ("in 2011") make events. Two DATE entities of a sentence
    that mean the same range ("July 22 ... July 22") give one event. `entities` is left
    empty for the pipeline to fill with canonical keys. `text` is `doc.text` when the caller
    has it: texts are sliced from it (`Span.text` joins the span's tokens one by one).
    The dates of a byline or date line (`date_lines`, from `dates.masthead`) make no event;
    a dateline's date (`dateline_date`) only when its sentence, the lead, has no other date.
    """
    text = doc.text if text is None else text
    sentences = list(doc.sents)
    starts = [sentence.start for sentence in sentences]  # `Span.sent` would walk the tokens back
    events: list[Event] = []
    seen: set[tuple[int, datetime.date, datetime.date, str]] = set()
    from_dateline: Event | None = None
    for entity in doc.ents:
        if entity.label_ != "DATE":
            continue
        if _is_clock_time(doc, entity) or _overlaps(entity, date_lines):
            continue
        date_text = text[entity.start_char:entity.end_char]
        found = normalise_date(date_text, reference, ahead=looks_ahead(entity))
        if found is None:
            continue
        index = bisect.bisect_right(starts, entity.start) - 1
        sentence = sentences[index]
        key = (index, found.start, found.end, found.granularity)
        if key in seen:
            continue
        in_dateline = dateline_date is not None and _overlaps(entity, [dateline_date])
        if not in_dateline:  # the lead's own "on Monday" is kept even when it is the dateline's day
            seen.add(key)
        event = Event(
            start=sentence.start_char,
            end=sentence.end_char,
            text=text[sentence.start_char:sentence.end_char],
            date_text=date_text,
            date_start=found.start.isoformat(),
            date_end=found.end.isoformat(),
            granularity=found.granularity,
            sentence=index,
        )
        events.append(event)
        if in_dateline:
            from_dateline = event
    if from_dateline and any(ev.sentence == from_dateline.sentence and ev is not from_dateline for ev in events):
        events.remove(from_dateline)
    return events


def _overlaps(entity: Span, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(entity.start_char < end and start < entity.end_char for start, end in ranges)
