"""Document-level repairs of NER output, before mentions become canonical entities.

A statistical tagger decides every token alone, from a few words of context. A document
gives more evidence than that: a name recognised once is a name wherever it recurs, a
headline in capitals is the same words as the body in normal case, and a span with no
capital letter or no letter at all is not a name. Each fix below is a pure function over
the document text and its spans `(start, end, spaCy label)`; `fix_mentions` chains them.
The only model call is an NER pass over the few ALL-CAPS lines (`caps_line_entities`), made
once for a batch of documents.
"""
from __future__ import annotations

import bisect
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Span as EntitySpan

from .entities import (BRACKETED_ACRONYM, ENTITY_LABELS, clean_surface, country_aliases, currency_words, entity_key,
                       fold, name_initials, strip_title)

Span = tuple[int, int, str]  # start, end (character offsets into the document), label
# Named-entity spans of each of a list of short texts (offsets into that text).
NerPass = Callable[[list[str]], list[list[Span]]]

# A whole line without a lower-case ASCII letter: the only lines that can be in capitals.
_LINE_WITHOUT_ASCII_LOWER = re.compile(r"^[^\na-z]+$", re.MULTILINE)
_LETTERS = re.compile(r"[^\W\d_]+")
# What comes just before a sentence's first word: a text or line start, or a full stop.
_SENTENCE_START = re.compile(r"(?:^|\n|[.!?]['\"’”]?)[ \t]*$")
_TOKEN = re.compile(r"\S+")
# A run of capitalised words, with the function words a name holds ("Office of the Auditor
# General", "Immigration, Refugees and Citizenship Canada"), after any "The" that opens it.
_CAPITALISED_RUN = re.compile(
    r"(?<![\w-])(?:The[ \t]+)?([A-Z][a-z]+(?:,?[ \t]+(?:(?:of|and|for|on|the)[ \t]+)*[A-Z][a-z]+)+)(?![\w-])")
# "-Lavalin" glued to "SNC": the rest of a hyphenated name.
_HYPHENATED_REST = re.compile(r"-([A-Z][a-z]+)(?![\w-])")
# An acronym worth spelling out: three to eight capitals ("PBO", "RCMP").
_ACRONYM = re.compile(r"[A-Z]{3,8}")
_ALNUM = re.compile(r"[^\W_]")
# What cannot be inside a word-made name: a number, score or date, a lone dash, a bracket.
_NOT_LETTER = r"(?:(?![^\W\d_])\S)"
# An age glued to a name by its comma ("Khaled Belkacemi,60") ends it as a spaced number would.
_SEPARATOR = re.compile(rf"(?<!\S){_NOT_LETTER}*\d{_NOT_LETTER}*(?!\S)|(?<!\S)[-–—]+(?!\S)|[()\[\]]"
                        r"|(?<=[^\W\d_]),\d{1,3}(?!\S)")
# Entity types whose names are words, never numbers (see `split_at_separators`).
_WORD_NAMED = frozenset({"PERSON", "ORG", "GPE", "NORP"})


# Lines a `NerPass` remembers: a text is read alone, so the same line always gets the same
# entities, and sign-offs and table headers ("REUTER", "WHEAT HRW HRS") recur in every other
# document. A call costs ~9 ms however few its lines, and most batches then need none.
NER_MEMORY = 4096


def ner_pass(nlp: Language) -> NerPass | None:
    """A `NerPass` running only the pipeline's recogniser (after the embedding layer it
    listens to, if it shares one), or None when the pipeline has no recogniser."""
    if "ner" not in nlp.pipe_names:
        return None
    feeders = [nlp.get_pipe(name) for name in nlp.pipe_names
               if "ner" in getattr(nlp.get_pipe(name), "listening_components", ())]
    steps = [*feeders, nlp.get_pipe("ner")]
    known: dict[str, list[Span]] = {}

    def run(texts: list[str]) -> list[list[Span]]:
        new = list(dict.fromkeys(t for t in texts if t not in known))
        if new:
            docs = [nlp.make_doc(t) for t in new]
            for step in steps:
                docs = list(step.pipe(docs))
            if len(known) + len(new) > NER_MEMORY:
                known.clear()
            known.update((t, [(e.start_char, e.end_char, e.label_) for e in doc.ents]) for t, doc in zip(new, docs))
        return [list(known[t]) for t in texts]

    return run


def fix_mentions(text: str, spans: list[Span], caps_entities: list[Span] | None = None,
                 place: tuple[int, int] | None = None) -> list[Span]:
    """All fixes, in order: the entities of ALL-CAPS lines replaced by `caps_entities` (the
    text's entry of `caps_line_entities`, when given), the dateline's `place` made one name
    (see `dateline_place`), spans cut at numbers and dashes, implausible spans dropped, names
    of landforms made places, a currency cut off its country, towns leading the rows of a
    standings table made teams, organisations cut at a hyphen made whole, initials joined by
    "and" made one organisation, acronyms defined in
    brackets added, acronyms' full names found, recognised names propagated.
    (A name after "Mr." is made a person's with all its mentions later, by `people.filter_people`;
    the French pipeline, which has no such filter, applies `honorific_people`.)
    Spans of other labels (dates, numbers) pass through."""
    if caps_entities is not None:
        spans = replace_caps_lines(text, spans, caps_entities)
    if place is not None:
        spans = dateline_place(spans, place)
    spans = currency_countries(text, landforms(text, drop_implausible(text, split_at_separators(text, spans))))
    spans = table_teams(text, spans)
    spans = joined_initials(text, hyphenated_organisations(text, spans))
    spans += defined_acronyms(text, spans)
    spans += spelled_out_acronyms(text, spans)
    return sorted(spans + propagated_names(text, spans))


def common_word_heading(ent: EntitySpan) -> bool:
    """Whether `ent` is one common word opening a line ("Harbour plan approved"): a heading or a
    paragraph capitalises its first word whatever it is, and the tagger, which read the word as
    a common noun, still gave it a label there. A name so placed is tagged a proper
    noun; one the document names elsewhere is found here again by `propagated_names`."""
    if len(ent) != 1 or ent[0].pos_ != "NOUN" or entity_key(ent.text)[1] is not None:
        return False  # an adjective opening a line is as often a people's name ("Russian troops")
    if ent.start == 0:
        return True
    before = ent.doc[ent.start - 1]  # the line break is a space token or the whitespace after one
    return "\n" in before.whitespace_ or before.is_space and "\n" in before.text


def caps_lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the lines written in capitals: headlines, datelines, table headers."""
    for match in _LINE_WITHOUT_ASCII_LOWER.finditer(text):
        letters = "".join(_LETTERS.findall(match.group()))
        if len(letters) >= 2 and letters.isupper():
            yield match.span()


def case_forms(text: str, skip: Callable[[int, int], bool], words: set[str]) -> dict[str, Counter[str]]:
    """How the document writes each of `words` (lower case: the few a caller will ask about)
    inside a sentence: lower-cased word -> its spellings.

    A sentence's first word is capitalised whatever it is, so it is no evidence and not
    counted; neither are the words `skip` covers (the capitals being recased).
    """
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for match in _LETTERS.finditer(text):
        word = match.group()
        if word.lower() not in words:
            continue
        start, end = match.span()
        if not skip(start, end) and not _SENTENCE_START.search(text, max(0, start - 4), start):
            forms[word.lower()][word] += 1
    return forms


def truecase(line: str, forms: dict[str, Counter[str]]) -> str:
    """`line` (in capitals) with each word in the case the rest of the document uses for it.

    "SOCCER - JAPAN GET LUCKY WIN" reads "Soccer - Japan get lucky win" when the body has
    "Japan", "get", "lucky" and "win" inside sentences; a word the body lacks is capitalised
    ("Belgrade") unless it is a function word, and the line's first word is capitalised as
    any sentence's. The result has the length of `line`, so offsets hold.
    """
    def recase(match: re.Match[str]) -> str:
        word = match.group()
        seen = forms.get(word.lower())
        if seen:
            cased = seen.most_common(1)[0][0]
        elif word.lower() in STOP_WORDS:
            cased = word.lower()
        else:
            cased = word.capitalize()
        if match.start() == first:
            cased = cased[:1].upper() + cased[1:]
        return cased if len(cased) == len(word) else word

    first = next((m.start() for m in _LETTERS.finditer(line)), 0)
    return _LETTERS.sub(recase, line)


def caps_line_entities(texts: list[str], ner: NerPass) -> list[list[Span]]:
    """For each text, the entities of its ALL-CAPS lines read again from a true-cased copy.

    A tagger trained on mixed-case text sees capitals as a weak cue and misreads headlines
    and datelines ("BELGRADE 1996-08-31"). The lines of all `texts` go through the
    recogniser in one call: a call per document cost more than the reading itself.
    """
    lines: list[tuple[int, int, str]] = []  # (text index, line offset, true-cased line)
    for i, text in enumerate(texts):
        spans = list(caps_lines(text))
        if spans:
            words = {word.lower() for s, e in spans for word in _LETTERS.findall(text, s, e)}
            forms = case_forms(text, _overlap_test(spans), words)
            lines += [(i, s, truecase(text[s:e], forms)) for s, e in spans]
    entities: list[list[Span]] = [[] for _ in texts]
    for (i, offset, _), found in zip(lines, ner([line for _, _, line in lines]) if lines else []):
        entities[i] += [(offset + s, offset + e, label) for s, e, label in found]
    return entities


def replace_caps_lines(text: str, spans: list[Span], caps_entities: list[Span]) -> list[Span]:
    """`spans` with those on ALL-CAPS lines replaced by `caps_entities` (from `caps_line_entities`)."""
    lines = list(caps_lines(text))
    if not lines:
        return spans
    in_caps = _overlap_test(lines)
    return [span for span in spans if not in_caps(span[0], span[1])] + caps_entities


def dateline_place(spans: list[Span], place: tuple[int, int]) -> list[Span]:
    """`spans` with a dateline's place in capitals (`dates.masthead`) as one place name.

    The tagger reads "PORT CARROW, June 2 —" as "CARROW", or not at all: a span that is
    exactly the place keeps its label ("UNITED NATIONS" an organisation), any other span
    touching it gives way to the whole place, a GPE, as a dateline names a place.
    """
    start, end = place
    if any(s == start and e == end for s, e, _ in spans):
        return spans
    touches = _overlap_test([place])
    return [span for span in spans if not touches(span[0], span[1])] + [(start, end, "GPE")]


def split_at_separators(text: str, spans: list[Span]) -> list[Span]:
    """`spans` cut where a name cannot go on, and without trailing lower-case words.

    The tagger runs names into the scores, dates, dashes and brackets of tables, datelines
    and headlines: "Kent 108-3", "Pohang 3 Ulsan 2", "SARAJEVO 1996-08-30", "Lithuania -
    Danius Gleveckas", "Scott Draper (Australia". Names of people, organisations, places
    and groups are made of words, so a number (a token with digits and no letter), a
    spaced dash or a bracket ends one; each part keeps the span's label. Facilities,
    products, events, works and laws keep their numbers ("Route 66", "Boeing 747", "Euro
    96"); an organisation named with a number ("Channel 4") loses it. A name also ends on a
    capitalised word: "Interfax news agency" and "Stansted airport" are "Interfax" and
    "Stansted" (titles of works excepted: "Gone with the wind" keeps its words), and no
    part starts or ends with a bare punctuation mark.
    """
    out: list[Span] = []
    for start, end, label in spans:
        if label not in ENTITY_LABELS:
            out.append((start, end, label))
            continue
        cuts = [m.span() for m in _SEPARATOR.finditer(text, start, end)] if label in _WORD_NAMED else []
        bounds = [start, *(x for cut in cuts for x in cut), end]
        # A part's edge word without a letter goes for word-made names: a number can end up at the
        # edge when the separator test, which looks at the characters around it, saw a bracket there.
        edge = _LETTERS if label in _WORD_NAMED else _ALNUM
        for part_start, part_end in zip(bounds[::2], bounds[1::2]):
            words = list(_TOKEN.finditer(text, part_start, part_end))
            while words and not edge.search(words[0].group()):
                words.pop(0)
            while words and (not edge.search(words[-1].group())
                             or label != "WORK_OF_ART" and words[-1].group().islower()):
                words.pop()
            if words:
                out.append((words[0].start(), words[-1].end(), label))
    return out


def drop_implausible(text: str, spans: list[Span]) -> list[Span]:
    """`spans` without entity spans that cannot be names: no letters ("3 1 1 1"), a single
    letter (an initial or a list marker), or no capital letter at all (a common word)."""
    def plausible(start: int, end: int) -> bool:
        letters = "".join(_LETTERS.findall(text[start:end]))
        return len(letters) >= 2 and not letters.islower()

    return [(s, e, label) for s, e, label in spans if label not in ENTITY_LABELS or plausible(s, e)]


# The last word of a place's name that no person's or organisation's name ends with: "Hollin
# Point", "Selkie Narrows", "Persian Gulf", "Ivory Coast" (not "Bay", "Hill" or "Lake": Michael
# Bay, Damon Hill, Ricki Lake).
LANDFORM_WORDS = frozenset(
    "Point Island Islands Isle Peninsula Valley Mountains Strait Straits Gulf Canyon Creek Harbour "
    "Harbor Narrows Firth Estuary Reef Glacier Lagoon Heights Sea Ocean Desert River Falls Fjord "
    "Plateau Basin Delta Coast Sound".split())


def landforms(text: str, spans: list[Span]) -> list[Span]:
    """`spans` with the people and organisations whose name ends in a landform word made
    locations: the tagger reads "the seal colony on Hollin Point" as a person, having seen
    few such names, where the last word says what the name is."""
    def landform(start: int, end: int) -> bool:
        words = text[start:end].split()
        return len(words) >= 2 and words[-1].strip(".,'’") in LANDFORM_WORDS

    return [(s, e, "LOC" if label in ("PERSON", "ORG") and landform(s, e) else label) for s, e, label in spans]


def currency_countries(text: str, spans: list[Span]) -> list[Span]:
    """`spans` with a currency after a country's name cut to the country: in "47 mln U.S. Dlrs"
    and "the Canadian dollar" the tagger finds a person or an organisation, where the entity
    is the United States or Canada (as CoNLL marks it). A name whose rest is no known country
    ("Family Dollar", "Howard Marks") is left as it is."""
    out = []
    for start, end, label in spans:
        head, _, last = text[start:end].rstrip().rpartition(" ")
        if label in ENTITY_LABELS and head.strip() and fold(last) in currency_words():
            key = fold(head)
            alias = country_aliases().get(key)
            country = alias.label if alias is not None else next(  # else a place the document names
                (place for s, e, place in reversed(spans) if place in ("GPE", "LOC") and fold(text[s:e]) == key), None)
            if country is not None:
                out.append((start, start + len(head.rstrip()), country))
                continue
        out.append((start, end, label))
    return out


# The rest of a standings row after its first name: numbers, dashes, fractions, nothing else
# ("NEW YORK 74 59 .556 -", "Ulsan 12 5 4 3 17 15 19").
_ROW_OF_NUMBERS = re.compile(r"(?:[ \t]+(?:[-+]?\d*[.,/]?\d+(?:/\d+)?|[-–—]))+[ \t]*$", re.MULTILINE)
_TABLE_ROWS = 3


def table_teams(text: str, spans: list[Span]) -> list[Span]:
    """`spans` with the towns and regions that start the rows of a standings table made
    organisations: in "CHICAGO 71 64 .526 10", one row of several, Chicago is the team. A
    country leading a row (a medal table, a national side) stays a place, as CoNLL has it;
    a table is at least three such rows."""
    rows = []
    for i, (start, end, label) in enumerate(spans):
        if label not in ("GPE", "LOC") or (start and text[start - 1] != "\n"):
            continue
        row = _ROW_OF_NUMBERS.match(text, end)
        if row and len(row.group().split()) >= 2:
            rows.append(i)
    if len(rows) < _TABLE_ROWS:
        return spans
    out = list(spans)
    for i in rows:
        start, end, label = spans[i]
        if entity_key(text[start:end])[1] is None:  # not a country
            out[i] = (start, end, "ORG")
    return out


@functools.lru_cache(maxsize=1)
def _honorific() -> re.Pattern[str]:
    """A courtesy form (data/honorifics.txt) as a whole word, then white space."""
    lines = (Path(__file__).parent / "data" / "honorifics.txt").read_text(encoding="utf-8").splitlines()
    words = sorted((w.strip() for w in lines if w.strip() and not w.startswith("#")), key=len, reverse=True)
    return re.compile(rf"(?<![^\W\d_])(?:{'|'.join(map(re.escape, words))})\s+", re.IGNORECASE)


def after_honorific(text: str, start: int) -> bool:
    """Whether the name at `start` follows a courtesy form ("Mr.", "Mme", "M.") or begins with one."""
    if _honorific().match(text, start):
        return True
    window = max(0, start - 16)
    return any(m.end() == start for m in _honorific().finditer(text, window, start))


def honorific_people(text: str, spans: list[Span]) -> list[Span]:
    """`spans` with each name after a courtesy form made a person's: only a person is "Mr."
    or "M." ("a déclaré M. Dubreuil", which the small French pipeline reads as a place)."""
    return [(s, e, "PERSON" if label in ENTITY_LABELS and label not in ("PERSON", "PER") and after_honorific(text, s)
             else label) for s, e, label in spans]


def defined_acronyms(text: str, spans: list[Span]) -> list[Span]:
    """The acronyms a document defines after a name, "Kurdistan Democratic Party (KDP)", as
    spans with the name's label, so that every later "KDP" is found by `propagated_names`.

    The bracket counts as a definition when each of its letters is the initial of one of
    the name's capitalised words (in any order: "National Bank of Romania (BNR)"), which
    a note such as "Pete Sampras (U.S.)" is not.
    """
    taken = _overlap_test((s, e) for s, e, _ in spans)
    found: list[Span] = []
    for start, end, label in spans:
        match = BRACKETED_ACRONYM.match(text, end)
        if label not in ENTITY_LABELS or match is None or taken(*match.span(1)):
            continue
        initials = {word[0] for word in _LETTERS.findall(text[start:end]) if word[0].isupper()}
        if set("".join(_LETTERS.findall(match.group(1)))) <= initials:
            found.append((*match.span(1), label))
    return found


def hyphenated_organisations(text: str, spans: list[Span]) -> list[Span]:
    """`spans` with each organisation cut at a hyphen made whole: the tagger reads "SNC" of
    "SNC-Lavalin", and the company would be shown as "SNC". Not when the word after the hyphen
    is a name of its own in the document ("Ottawa-Gatineau" where Gatineau is a place)."""
    names = {text[s:e] for s, e, _ in spans}
    out: list[Span] = []
    for start, end, label in spans:
        rest = _HYPHENATED_REST.match(text, end) if label == "ORG" else None
        out.append((start, rest.end(), label) if rest is not None and rest.group(1) not in names else (start, end, label))
    return out


_INITIALS = r"(?<![\w.&-])[A-Z]{1,2}(?![\w&-]|\.\w)"
_AND_INITIALS_AFTER = re.compile(rf"[ \t]+and[ \t]+({_INITIALS})")
_INITIALS_AND_BEFORE = re.compile(rf"({_INITIALS})[ \t]+and[ \t]+$")
_FIRST_INITIALS = re.compile(rf"({_INITIALS})(?:\s|$)")
_LAST_INITIALS = re.compile(rf"({_INITIALS})$")
_BEFORE_CHARS = 12  # "XX and " with room for a few extra spaces: the text searched before a name


def joined_initials(text: str, spans: list[Span]) -> list[Span]:
    """`spans` with a name of initials joined by "and" to more initials made one organisation: wire
    copy writes an ampersand as "and", and the tagger reads "LL" of "LL and E" (Louisiana Land
    and Exploration) as a place, "P" of "S and P" alone. A name the other initials start or end
    is part of it ("LL and E Royalty Trust"). One side must be a single letter: "US and UK" are
    two names."""
    joined: list[tuple[int, int]] = []
    rest: list[Span] = []
    for start, end, label in spans:
        pair = _initials_pair(text, start, end) if label in _WORD_NAMED else None
        if pair is None:
            rest.append((start, end, label))
        else:
            joined.append(pair)
    if not joined:
        return spans
    hit = _overlap_test(joined)
    absorbed = [(s, e) for s, e, _ in rest if hit(s, e)]
    names = [(s, e, "ORG") for s, e in _merged([*joined, *absorbed])]
    return names + [span for span in rest if not hit(span[0], span[1])]


def _initials_pair(text: str, start: int, end: int) -> tuple[int, int] | None:
    """(start, end) of the name [start, end), which ends or starts with initials, and the
    initials "and" joins them to."""
    last = _LAST_INITIALS.search(text, start, end)
    after = _AND_INITIALS_AFTER.match(text, end) if last else None
    if after is not None and min(len(last.group(1)), len(after.group(1))) == 1:
        return start, after.end()
    first = _FIRST_INITIALS.match(text, start, end)
    before = _INITIALS_AND_BEFORE.search(text, max(0, start - _BEFORE_CHARS), start) if first else None
    if before is not None and min(len(first.group(1)), len(before.group(1))) == 1:
        return before.start(), end
    return None


def spelled_out_acronyms(text: str, spans: list[Span]) -> list[Span]:
    """The full names of organisations the tagger knows only by their acronym: "The
    Parliamentary Budget Officer released ... the PBO said" gets an ORG span for
    "Parliamentary Budget Officer", which `entities.canonicalise` then makes the PBO's name.

    Only a whole run of capitalised words whose initials spell the acronym counts (the first
    such run, not overlapping a recognised span), and only for an acronym no recognised name
    of the document already spells."""
    organisations = {text[s:e] for s, e, label in spans if label == "ORG"}
    spelled = {name_initials(text[s:e]) for s, e, label in spans if label in ENTITY_LABELS}
    wanted = {name for name in organisations if _ACRONYM.fullmatch(name)} - spelled
    if not wanted:
        return []
    taken = _overlap_test((s, e) for s, e, _ in spans)
    found: list[Span] = []
    for match in _CAPITALISED_RUN.finditer(text):
        initials = name_initials(match.group(1))
        if initials in wanted and not taken(*match.span(1)):
            found.append((*match.span(1), "ORG"))
            wanted.discard(initials)
    return found


def propagated_names(text: str, spans: list[Span]) -> list[Span]:
    """New spans for the unrecognised recurrences of names recognised in the document.

    The tagger often finds "Alexander Lebed" and then misses "Lebed" three sentences on,
    or finds a club in one sentence and not the next. Every other capitalised occurrence
    of a recognised name (whole words; case-blind on ALL-CAPS lines) gets the label the
    name has most often, and every occurrence of a recognised person's surname becomes
    that person. Function words ("The"), names with another label and one-word names the
    document also writes in lower case ("Men" in a heading, "men" in the text) are not spread.
    """
    labels = _name_labels(text, spans)
    names = dict(labels)
    for name, label in labels.items():
        surname = name.split()[-1]
        if label == "PERSON" and " " in name and surname not in labels and _is_name(surname):
            names.setdefault(surname, "PERSON")
    common_words = {word for word in _LETTERS.findall(text) if word.islower()}
    names = {
        name: label for name, label in names.items()
        if " " in name or name.isupper() or name.lower() not in common_words  # "US" is not "us"
    }
    if not names:
        return []
    taken = _overlap_test((s, e) for s, e, _ in spans)
    found: list[Span] = []
    for start, end, label in _occurrences(text, names):
        if not taken(start, end):
            found.append((start, end, label))
    return found


def _occurrences(text: str, names: dict[str, str]) -> list[Span]:
    """Whole-word occurrences of `names` in `text`, as written or, on ALL-CAPS lines, in
    capitals, labelled; where they overlap, the leftmost and then the longest wins.

    Found by `str.find`, name by name: one regex alternation of a document's names had to
    be compiled for each document (a new pattern every time), which cost more than the search.
    """
    caps = list(caps_lines(text))
    in_caps = _overlap_test(caps)
    hits: list[Span] = []
    for name, label in names.items():
        forms = [(name, True)]  # (spelling, found anywhere or only on ALL-CAPS lines)
        if caps and name.upper() not in names:
            forms.append((name.upper(), False))
        for form, anywhere in forms:
            start = text.find(form)
            while start >= 0:
                end = start + len(form)
                if _word_edge(text, start - 1) and _word_edge(text, end) and (anywhere or in_caps(start, end)):
                    hits.append((start, end, label))
                start = text.find(form, start + 1)
    hits.sort(key=lambda hit: (hit[0], hit[0] - hit[1]))
    kept: list[Span] = []
    for hit in hits:
        if not kept or hit[0] >= kept[-1][1]:
            kept.append(hit)
    return kept


def _word_edge(text: str, i: int) -> bool:
    """Whether text[i] is outside the text or not a word character (regex `\\w`)."""
    return not (0 <= i < len(text)) or not (text[i].isalnum() or text[i] == "_")


def _name_labels(text: str, spans: list[Span]) -> dict[str, str]:
    """Each recognised name (cleaned of "the", possessives, a person's titles) -> its most
    frequent label in the document."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for start, end, label in spans:
        if label not in ENTITY_LABELS:
            continue
        s, e = clean_surface(text[start:end])
        name = text[start + s:start + e]
        if label == "PERSON":
            name = strip_title(name)
        if _is_name(name):
            votes[name][label] += 1
    return {name: counter.most_common(1)[0][0] for name, counter in votes.items()}


def _is_name(name: str) -> bool:
    """Can `name` stand alone as a name: a capital first, two letters, not a function word."""
    return name[:1].isupper() and len("".join(_LETTERS.findall(name))) >= 2 and name.lower() not in STOP_WORDS


def _overlap_test(ranges: Iterable[tuple[int, int]]) -> Callable[[int, int], bool]:
    """A test of whether [start, end) overlaps any of `ranges`, by bisection."""
    merged = _merged(ranges)
    starts = [s for s, _ in merged]

    def overlaps(start: int, end: int) -> bool:
        i = bisect.bisect_left(starts, end) - 1
        return i >= 0 and merged[i][1] > start

    return overlaps


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching (start, end) ranges joined, sorted."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
