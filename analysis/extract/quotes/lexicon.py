"""The word lists that quote attribution relies on, loaded from `analysis/extract/data/`.

They are data, not code, so that an analyst can add a reporting verb or a title without
touching the extractor. Matching is by lowercase surface form, because the pipeline may
run without its lemmatizer.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True)
class Lexicon:
    verb_lemma: dict[str, str]  # lowercase form -> lemma ("said" -> "say")
    clausal_verbs: frozenset[str]  # lemmas that need a clause or quote to attribute
    position_verbs: frozenset[str]  # lemmas of belief, intention, wish or stance ("think", "plan")
    source_cues: tuple[tuple[str, ...], ...]  # ("according", "to")
    outlet_cues: tuple[tuple[str, ...], ...]  # ("in", "an", "interview", "with")
    words: dict[str, frozenset[str]]  # section of speaker_words.txt -> words
    # Derived once, as the extractor asks them for every token: word -> its sections, and
    # first word -> the (kind, cue phrase) pairs starting with it, sources before outlets.
    noun_kinds: dict[str, frozenset[str]] = field(init=False, repr=False)
    cues_by_first_word: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = field(init=False, repr=False)
    verb_forms: frozenset[str] = field(init=False, repr=False)
    cue_first_words: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        kinds: dict[str, set[str]] = defaultdict(set)
        for section, members in self.words.items():
            for word in members:
                kinds[word].add(section)
        cues: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        for kind, phrases in (("source", self.source_cues), ("outlet", self.outlet_cues)):
            for phrase in phrases:
                cues[phrase[0]].append((kind, phrase))
        object.__setattr__(self, "noun_kinds", {word: frozenset(k) for word, k in kinds.items()})
        object.__setattr__(self, "cues_by_first_word", {word: tuple(c) for word, c in cues.items()})
        object.__setattr__(self, "verb_forms", frozenset(self.verb_lemma))
        object.__setattr__(self, "cue_first_words", frozenset(cues))

    def lemma(self, form: str) -> str | None:
        return self.verb_lemma.get(form.lower())

    def kind_of_noun(self, word: str) -> frozenset[str]:
        """The referent kinds ("person_noun", "document_noun", ...) a noun belongs to."""
        return self.noun_kinds.get(word.lower(), frozenset())


def _lines(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


VERB_FLAGS = ("clausal", "position")


def _read_verbs() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """Form -> lemma, and flag -> the lemmas a line tagged with it (`position clausal think ...`)."""
    forms: dict[str, str] = {}
    flagged: dict[str, set[str]] = {flag: set() for flag in VERB_FLAGS}
    for line in _lines("reporting_verbs.txt"):
        words = line.lower().split()
        flags = [w for w in words if w in VERB_FLAGS]
        words = [w for w in words if w not in VERB_FLAGS]
        for flag in flags:
            flagged[flag].add(words[0])
        for form in words:
            forms.setdefault(form, words[0])
    return forms, {flag: frozenset(lemmas) for flag, lemmas in flagged.items()}


def _read_cues() -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    cues: dict[str, list[tuple[str, ...]]] = {"source": [], "outlet": []}
    for line in _lines("attribution_cues.txt"):
        kind, *phrase = line.lower().split()
        cues[kind].append(tuple(phrase))
    return tuple(cues["source"]), tuple(cues["outlet"])


def _read_sections(name: str) -> dict[str, frozenset[str]]:
    sections: dict[str, set[str]] = {}
    current: set[str] = set()
    for line in _lines(name):
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
        else:
            current.add(line.lower())
    return {name: frozenset(words) for name, words in sections.items()}


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    verbs, flagged = _read_verbs()
    source, outlet = _read_cues()
    return Lexicon(verbs, flagged["clausal"], flagged["position"], source, outlet, _read_sections("speaker_words.txt"))
