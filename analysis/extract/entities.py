"""Canonical entities: mentions that name the same thing become one entity.

Two steps, both pure functions over plain records:
- `entity_key` turns one name into the key shared by all its spellings ("the", possessives,
  case, hyphens, diacritics and Arabic articles removed; a person's titles are taken off
  before, by `canonicalise`, as only a person's name has them; demonyms and
  official alternates mapped to their country through `data/country_aliases.tsv`);
- `canonicalise` works over one document's mentions: labels made consistent, and surnames
  or partial names linked to the full name the document introduces ("Khamenei" ->
  "Ali Khamenei"), an organisation's short name to its full name ("Fjordvest" ->
  "Fjordvest Capital").
Across documents the key alone decides: the same key is the same entity.
"""
from __future__ import annotations

import csv
import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import resources

from analysis.model import Mention, strip_accents

from .given_names import COMMON_GIVEN_NAME, given_names
from .paragraphs import line_wraps
from .speaker_names import org_words

# Labels kept as entities; numbers, dates, money and the like are not "who/what" answers.
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
_ARABIC_ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az", "an"})
_POSSESSIVE = re.compile(r"(?:['’]s|s['’]|['’])$")
# "the", any case; a lower-case "a"/"an" the tagger took in ("a Food and Agriculture Organization")
_LEADING_THE = re.compile(r"^(?:(?i:the)|an?)\s+")
_LINE = re.compile(r"[^\n]*\S[^\n]*")  # a line with something on it
_OPENING = " \t\n‘“«([{<"  # what opens the words after a name: never its last character
_EDGE_PUNCT = " \t\n\"'“”‘’.,;:!?()[]{}«»<>-–—"  # <>: wire copy's ticker markup, "<Hong Kong Electric Holdings Ltd>"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# "Kurdistan Democratic Party (KDP)", "( U.N. )": an acronym defined in brackets right after a name.
BRACKETED_ACRONYM = re.compile(r"[ \t]*\([ \t]*([A-Z][A-Z.&]*[A-Z.])[ \t]*\)")
# A final dot that belongs to the name: "U.S.", "S.A.", "Corp.", "Fla." (the tokenizer only
# leaves a full stop glued to a word it judged an abbreviation; a sentence's full stop is apart).
_ABBREVIATION = re.compile(r"(?:\b[^\W\d_]\.){2,}$|\b[A-Z][a-z]{0,3}\.$")


@dataclass(frozen=True)
class Alias:
    canonical: str
    label: str


def _data_lines(name: str) -> list[str]:
    text = resources.files("analysis.extract").joinpath("data", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.lru_cache(maxsize=1)
def not_names() -> frozenset[str]:
    """Entity keys that are never a name on their own: table labels ("Revs", "Shr"), time zones."""
    return _data_words("not_names.txt") | time_zones()


@functools.lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    """Time zones written after clock times ("gmt", "cest"), lower case."""
    return _data_words("time_zones.txt")


@functools.lru_cache(maxsize=1)
def currency_words() -> frozenset[str]:
    """Currency words that follow a country's name in a money amount ("U.S. Dlrs"), folded."""
    return _data_words("currency_words.txt")


@functools.lru_cache(maxsize=1)
def legal_forms() -> frozenset[str]:
    """The legal forms that end companies' names ("co", "ltd"), as `entity_key` folds them."""
    return _data_words("legal_forms.txt")


@functools.lru_cache(maxsize=1)
def generic_name_words() -> frozenset[str]:
    """Words that alone name no particular organisation ("news", "southern"), folded."""
    return _data_words("generic_name_words.txt")


def _data_words(name: str) -> frozenset[str]:
    """The words of a data file that lists one per line."""
    return frozenset(line.strip() for line in _data_lines(name))


@functools.lru_cache(maxsize=1)
def titles() -> tuple[str, ...]:
    """Titles and honorifics, longest first so "supreme leader" wins over "leader"."""
    return tuple(sorted({t.strip().lower() for t in _data_lines("titles.txt")}, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _titles_by_first_word() -> dict[str, tuple[str, ...]]:
    """`titles()` grouped by their first word, in the same order: a name is tried against the
    few titles its first word allows, not the whole list, for every mention."""
    index: dict[str, list[str]] = defaultdict(list)
    for title in titles():
        index[title.split(" ", 1)[0]].append(title)
    return {word: tuple(group) for word, group in index.items()}


@functools.lru_cache(maxsize=1)
def _titles_by_prefix() -> dict[str, tuple[str, ...]]:
    """Multi-word titles under each of their proper word prefixes ("supreme" -> "supreme leader")."""
    index: dict[str, list[str]] = defaultdict(list)
    for title in titles():
        for i, char in enumerate(title):
            if char == " ":
                index[title[:i]].append(title)
    return {prefix: tuple(group) for prefix, group in index.items()}


@functools.lru_cache(maxsize=1)
def country_aliases() -> dict[str, Alias]:
    """Demonyms and alternate names, keyed by their folded form."""
    rows = list(csv.DictReader(_data_lines("country_aliases.tsv"), delimiter="\t"))
    table = {fold(r["canonical"]): Alias(r["canonical"], r["label"]) for r in rows}
    table.update({fold(r["alias"]): Alias(r["canonical"], r["label"]) for r in rows})
    return table


def fold(text: str) -> str:
    """Lower case, no diacritics, words separated by single spaces (hyphens and dots dropped)."""
    return " ".join(_WORD.findall(strip_accents(text).lower()))


def strip_title(name: str) -> str:
    """Remove leading titles ("Ayatollah", "Supreme Leader", "Sheikh") as long as a name remains."""
    by_first_word = _titles_by_first_word()
    changed = True
    while changed:
        changed = False
        low = name.lower()
        for title in by_first_word.get(low.split(" ", 1)[0], ()):
            if low.startswith(title + " ") and len(name) > len(title) + 1:
                name = name[len(title) + 1 :].lstrip()
                changed = True
                break
    return name


def clean_surface(text: str, across_lines: bool = False) -> tuple[int, int]:
    """Offsets (into `text`) of the name once a leading "the", a possessive, edge punctuation
    and the lines but one go.

    A name runs across lines only where the caller knows them wrapped (`across_lines`: "the
    Federal\nReserve Board" in wire copy); elsewhere the tagger's span keeps its first line that
    has a capital letter (a heading's last word and the next line's first are two names)."""
    start, end = 0, len(text)
    if "\n" in text.strip() and not across_lines:
        lines = [line.span() for line in _LINE.finditer(text)]
        start, end = next(((s, e) for s, e in lines if any(c.isupper() for c in text[s:e])), lines[0])
    while start < end and text[start] in _EDGE_PUNCT:
        start += 1
    match = _LEADING_THE.match(text[start:end])
    if match and end - start > match.end():
        start += match.end()
    while end > start and text[end - 1] in _OPENING:  # "Trudeau’s ‘naïve": the possessive is then last
        end -= 1
    possessive = _POSSESSIVE.search(text[start:end])
    if possessive and possessive.start() > 0:
        end = start + possessive.start()
    while end > start and text[end - 1] in _EDGE_PUNCT:
        if text[end - 1] == "." and text[end:end + 1] != "." and _ABBREVIATION.search(text[start:end]):
            break
        end -= 1
    return start, end


_INNER_POSSESSIVE = re.compile(r"['’]s\s")
_LEFTOVER_S = re.compile(r"s\s+")  # matched at a position: no "^", which only matches at 0


def _possessor(span: str, start: int, end: int, before: str) -> tuple[int, int]:
    """A person's span without what a possessive glued to it: "Bissonnette’s Quebec" is
    Bissonnette's, and the "s Trudeau" of "demonstrate’s Trudeau" starts after the "s"."""
    if before in ("'", "’"):
        leftover = _LEFTOVER_S.match(span, start)
        if leftover and leftover.end() < end:
            start = leftover.end()
    inner = _INNER_POSSESSIVE.search(span, start, end)
    if inner and inner.start() > start:
        end = inner.start()
    return start, end


def _tokens_without_articles(folded: str) -> list[str]:
    words = folded.split()
    # "al Arouri" and "Arouri" name the same man; a lone "Al" stays (it may be the name).
    return [w for i, w in enumerate(words) if not (w in _ARABIC_ARTICLES and i + 1 < len(words))]


@functools.lru_cache(maxsize=2**16)
def entity_key(name: str) -> tuple[str, Alias | None]:
    """The key all spellings of `name` share, and the alias-table entry when one applied
    (cached: the same names recur in every document).

    A leading title stays: it is a person's, taken off their names before (`canonicalise`), and
    in other names it is a word of the name ("General Motors", "Premier Foods", "Prince Edward
    Island"): taken off, "General Mills" was keyed "mills", the key of anyone called Mills.
    """
    folded = fold(name)
    alias = country_aliases().get(folded)
    if alias is not None:
        return " ".join(_tokens_without_articles(fold(alias.canonical))), alias
    return " ".join(_tokens_without_articles(folded)), None


@dataclass
class _Group:
    key: str
    members: list[int]
    alias: Alias | None

    def first(self) -> int:
        return min(self.members)


def _starts_a_title(text: str, start: int, surface: str) -> bool:
    """Whether `surface` is the first word(s) of a longer title at `start` ("Supreme" of
    "Supreme Leader"): the small model tags such fragments as organisations."""
    longer = _titles_by_prefix().get(fold(surface))
    if not longer:
        return False
    ahead = fold(text[start : start + 40]) + " "
    return any(ahead.startswith(title + " ") for title in longer)


def canonicalise(text: str, mentions: list[Mention]) -> list[Mention]:
    """Give one document's mentions clean spans, consistent labels and canonical entities.

    `mentions` come straight from NER (offsets into `text`); the result is a new list,
    sorted by position, with `entity_key` and `entity_name` set and mentions that are
    left with no name (a bare "the", a table label such as "Revs": see `not_names`) dropped.
    """
    cleaned: list[Mention] = []
    keys: list[str] = []
    aliases: dict[str, Alias | None] = {}
    wraps = line_wraps(text)
    for m in sorted(mentions, key=lambda m: (m.start, m.end)):
        if m.label not in ENTITY_LABELS:
            continue
        wrapped = bool(wraps) and all(m.start + i in wraps for i, c in enumerate(m.text) if c == "\n")
        s, e = clean_surface(m.text, across_lines=wrapped)
        surface = m.text[s:e]
        if m.label == "PERSON":  # a title is not part of a person's name (CoNLL agrees)
            titled = strip_title(surface)
            s += len(surface) - len(titled)
            surface = titled
            s, e = _possessor(m.text, s, e, text[m.start + s - 1:m.start + s])
            surface = m.text[s:e]
        key, alias = entity_key(surface)
        if not key or surface.islower() or key in not_names() or _starts_a_title(text, m.start + s, surface):
            continue
        cleaned.append(Mention(m.start + s, m.start + e, surface, m.label, m.sentence))
        keys.append(key)
        if alias is not None or key not in aliases:
            aliases[key] = alias

    groups: dict[str, _Group] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, _Group(key, [], aliases[key])).members.append(i)
    _split_trailing_names(cleaned, keys, groups)
    _link_partial_names(cleaned, keys, groups)
    _join_legal_forms(cleaned, keys, groups)
    _link_short_organisation_names(text, cleaned, keys, groups)

    labels = _consistent_labels(cleaned, keys)
    names = _display_names(cleaned, keys, groups)
    for m, key in zip(cleaned, keys):
        alias = groups[key].alias
        if alias is None:
            m.label = labels[key]
            m.entity_label = labels[key]
        else:  # "Iranian" stays a NORP mention, of the GPE Iran; "Belarus" is a GPE, not an ORG
            if m.label not in ("NORP", "PERSON"):  # but Michael Jordan is a person
                m.label = alias.label
            m.entity_label = alias.label
        m.entity_key = key
        m.entity_name = names[key]
    return cleaned


def _split_trailing_names(mentions: list[Mention], keys: list[str], groups: dict[str, _Group]) -> None:
    """Cut a known person's name off the end of a longer non-person span.

    The small model tags "Political Bureau Saleh Al-Arouri" as one ORG; when the document
    also names "Saleh Arouri" as a PERSON, the span is the person.
    """
    person_keys = {
        g.key for g in groups.values()
        if len(g.key.split()) >= 2 and any(mentions[i].label == "PERSON" for i in g.members)
    }
    for group in list(groups.values()):
        if group.key in person_keys or group.alias is not None:
            continue
        suffix = next((k for k in person_keys if group.key.endswith(" " + k)), None)
        if suffix is None:
            continue
        for i in group.members:
            m = mentions[i]
            cut = _name_start(m.text, len(suffix.split()))
            mentions[i] = Mention(m.start + cut, m.end, m.text[cut:], "PERSON", m.sentence)
            keys[i] = suffix
            groups[suffix].members.append(i)
        del groups[group.key]


def _name_start(surface: str, n_words: int) -> int:
    """Offset in `surface` where its last `n_words` name words (articles not counted) begin."""
    words = list(re.finditer(r"\S+", surface))
    counted = 0
    for match in reversed(words):
        if fold(match.group()) not in _ARABIC_ARTICLES:
            counted += 1
        if counted == n_words:
            return match.start()
    return 0


def _link_partial_names(mentions: list[Mention], keys: list[str], groups: dict[str, _Group]) -> None:
    """Point surnames and partial names at the full name introduced in the document.

    Longer partial names go first, so "de Silva" has joined "Aravinda de Silva" before
    "Silva" looks for its full name and only finds names still standing.
    """
    persons = [g for g in groups.values() if any(mentions[i].label == "PERSON" for i in g.members)]
    for group in sorted(groups.values(), key=lambda g: len(g.key.split()), reverse=True):
        words = group.key.split()
        if group.alias is not None:
            continue
        candidates = [
            p for p in persons
            if p.key in groups and len(p.key.split()) > len(words) and _is_subsequence(words, p.key.split())
            and not _only_a_suffix_more(words, p.key.split())
        ]
        if not candidates:
            continue
        is_person = any(mentions[i].label == "PERSON" for i in group.members)
        if not is_person and words[-1] != candidates[0].key.split()[-1] and not _given_name_of_one(words, candidates):
            continue  # an ORG "Clinton Foundation"-like name is only linked as a surname
        for i in group.members:
            target = _nearest_before(candidates, i) or max(candidates, key=lambda p: len(p.members))
            keys[i] = target.key
            mentions[i].label = "PERSON"
            target.members.append(i)
        del groups[group.key]


def _join_legal_forms(mentions: list[Mention], keys: list[str], groups: dict[str, _Group]) -> None:
    """Make an organisation's name with and without its legal form one entity: "Samsung
    Electronics" and "Samsung Electronics Co." (`data/legal_forms.txt`), in whatever order the
    document writes them, so that a later "Samsung" has one full name to join."""
    organisations = [g for g in groups.values() if all(mentions[i].label == "ORG" for i in g.members)]
    for group in sorted(organisations, key=lambda g: len(g.key)):
        longer = [g for g in organisations if g.key in groups and g.key.startswith(group.key + " ")
                  and set(g.key[len(group.key) + 1:].split()) <= legal_forms()]
        if group.alias is not None or len(longer) != 1:
            continue
        for i in group.members:
            keys[i] = longer[0].key
        longer[0].members.extend(group.members)
        del groups[group.key]


def _link_short_organisation_names(text: str, mentions: list[Mention], keys: list[str],
                                   groups: dict[str, _Group]) -> None:
    """Point an organisation's one-word short name at its full name in the document: "Fjordvest"
    after "Fjordvest Capital", "Goldman" after "Goldman Sachs", "Hydro" after "BC Hydro", "IRCC"
    after "Immigration, Refugees and Citizenship Canada" (its initials) or after any name it
    follows in brackets ("National Bank of Romania (BNR)": `mention_fixes.defined_acronyms`).
    Only when exactly one organisation of the document, named before, fits ("Deutsche" stays
    alone beside Deutsche Bank and Deutsche Telekom); a trailing word fits only when it is no
    generic organisation word ("Union" is not the European Union)."""
    def organisation(group: _Group) -> bool:
        return all(mentions[i].label == "ORG" for i in group.members)

    organisations = [g for g in groups.values() if " " in g.key and organisation(g)]
    for group in list(groups.values()):
        if group.alias is not None or " " in group.key or not organisation(group):
            continue
        short = [mentions[i].text for i in group.members]
        candidates = [g for g in organisations if g.first() < group.first()
                      and _short_form_of(group.key, short, g, mentions, text)]
        if len(candidates) != 1:
            continue
        target = candidates[0]
        for i in group.members:
            keys[i] = target.key
        target.members.extend(group.members)
        del groups[group.key]


def _short_form_of(word: str, spellings: list[str], full: _Group, mentions: list[Mention], text: str) -> bool:
    """Whether the one-word name `word` (written as `spellings`) is a short form of the
    organisation `full`: its first word, its distinctive last word, or an acronym of it."""
    words = full.key.split()
    if word == words[0] or (word == words[-1] and word not in org_words()):
        return True
    acronyms = {s for s in spellings if s.isupper() and 2 <= len(s) <= 8 and s.isalpha()}
    if not acronyms:
        return False
    for m in (mentions[i] for i in full.members):
        initials = name_initials(m.text)
        defined = BRACKETED_ACRONYM.match(text, m.end)
        if initials in acronyms or _without_legal_form(initials, m.text) in acronyms or (
                defined is not None and defined.group(1) in acronyms and set(defined.group(1)) <= set(initials)):
            return True
    return False


def _without_legal_form(initials: str, name: str) -> str:
    """The initials of a company's name less its legal form: "AMI" of "American Medical
    International Inc"."""
    words = name.split()
    counted = len(words) > 1 and words[-1][:1].isupper()  # `name_initials` counts capitalised words
    return initials[:-1] if counted and fold(words[-1]).strip(".") in legal_forms() else initials


def name_initials(name: str) -> str:
    """The initials of a name's capitalised words: "Immigration, Refugees and Citizenship
    Canada" -> "IRCC" (the function words "and", "of" are not counted)."""
    return "".join(w[0] for w in _WORD.findall(name) if w[0].isupper())


def _given_name_of_one(words: list[str], candidates: list[_Group]) -> bool:
    """Whether `words` is a common given name alone and exactly one person of the document has
    it as a first name: "Billy" after "Billy Eichner", even where the tagger read it as an
    organisation (two Hannahs, or a rare given name, stay apart)."""
    if len(words) != 1 or given_names().get(words[0], 0) < COMMON_GIVEN_NAME:
        return False
    return sum(c.key.split()[0] == words[0] for c in candidates) == 1 == len(candidates)


# Generational suffixes: "Donald Trump Jr." is not "Donald Trump".
_GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv"})


def _only_a_suffix_more(short: list[str], long: list[str]) -> bool:
    """Whether `long` is `short` plus a generational suffix, a different person."""
    return long[-1] in _GENERATIONS and long[:-1] == short


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(word in it for word in short)


def _nearest_before(candidates: list[_Group], index: int) -> _Group | None:
    before = [(max(i for i in g.members if i < index), g) for g in candidates if g.first() < index]
    return max(before, key=lambda t: t[0])[1] if before else None


def _consistent_labels(mentions: list[Mention], keys: list[str]) -> dict[str, str]:
    """One label per entity in a document: the majority (first seen wins a tie)."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for m, key in zip(mentions, keys):
        votes[key][m.label] += 1
    return {key: counter.most_common(1)[0][0] for key, counter in votes.items()}


def _display_names(mentions: list[Mention], keys: list[str], groups: dict[str, _Group]) -> dict[str, str]:
    """The spelling shown for each entity: the alias table's name, else the most used full form."""
    names: dict[str, str] = {}
    by_key: dict[str, list[str]] = defaultdict(list)
    written = [" ".join(m.text.split()) for m in mentions]  # on one line: "Federal\nReserve" wrapped
    for m, spelling, key in zip(mentions, written, keys):
        if entity_key(m.text)[0] == key:  # a full spelling, not a surname pointing here
            by_key[key].append(spelling)
    for key in set(keys):
        group = groups.get(key)
        if group is not None and group.alias is not None:
            names[key] = group.alias.canonical
        else:
            spellings = by_key.get(key) or [w for w, k in zip(written, keys) if k == key]
            names[key] = _preferred_spelling(spellings)
    return names


def _preferred_spelling(spellings: list[str]) -> str:
    """The most used spelling, as written in running text rather than an ALL-CAPS dateline
    or headline where there is a choice; the first seen wins a tie."""
    counts = Counter(spellings)
    first = {s: i for i, s in reversed(list(enumerate(spellings)))}
    return min(counts, key=lambda s: (s.isupper(), -counts[s], first[s]))


@functools.lru_cache(maxsize=1)
def _multiword_alias_pattern() -> re.Pattern[str]:
    names = sorted({a for a in _alias_spellings() if " " in a}, key=len, reverse=True)
    # Only a capital can start one (see `alias_mentions`): the case-sensitive look-ahead lets
    # the scan skip every other position before trying the names.
    return re.compile(r"\b(?-i:(?=[A-Z]))(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)


def _alias_spellings() -> list[str]:
    rows = csv.DictReader(_data_lines("country_aliases.tsv"), delimiter="\t")
    return [spelling for r in rows for spelling in (r["alias"], r["canonical"])]


def alias_mentions(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Multi-word alternate names NER missed ("the Islamic republic"), as (start, end, label).

    Only capitalised occurrences count, so "a united states of mind" stays prose; spans
    overlapping an existing entity are left to it.
    """
    found = []
    for match in _multiword_alias_pattern().finditer(text):
        start, end = match.span()
        if not text[start].isupper() or any(s < end and start < e for s, e in taken):
            continue
        found.append((start, end, country_aliases()[fold(match.group())].label))
    return found
