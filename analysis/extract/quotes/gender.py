"""The grammatical gender of each named person, for pronoun resolution.

"he said" after two men and a woman must not land on the woman. News text mostly says it,
with an honorific ("Ms. Durning") or with the pronouns that follow a person when that person
is the only one named ("Durning ... her 2016 work"); else a first name given to one sex in at
least 95 % of births ("Randy", "Julie": `data/first_names.tsv`, from `tools/build_first_names.py`)
does. Ambiguous names ("Morgan", "Kim") and unknown ones stay unknown, and agree with either.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path

from .context import DocContext

HONORIFICS = {"mr": "m", "mr.": "m", "sir": "m", "ms": "f", "ms.": "f", "mrs": "f", "mrs.": "f", "miss": "f"}
DATA = Path(__file__).resolve().parents[1] / "data"
NAME_POS = frozenset({"PROPN"})
PRONOUNS = {"he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f", "herself": "f"}
PRONOUN_POS = frozenset({"PRON"})
PRONOUN_WORDS = frozenset(PRONOUNS)


def person_key(words: list[str]) -> str:
    """A person as the resolver compares them: the surname, lowercased."""
    return words[-1].lower() if words else ""


@lru_cache(maxsize=1)
def first_names() -> dict[str, str]:
    """First name (lowercase) -> "m" or "f"."""
    lines = (DATA / "first_names.tsv").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in lines if line and not line.startswith("#"))


def person_genders(ctx: DocContext) -> dict[str, str]:
    """Surname -> "m" or "f", where the document says so (honorific, else a clear pronoun majority).

    Votes come from sentences naming one person only, and from the next sentence when it
    names nobody: the pronouns there can only be that person's.
    """
    named: list[set[str]] = [set() for _ in ctx.sents]
    told: dict[str, str] = {}
    for tok in ctx.tokens_where(pos=NAME_POS, lower=ctx.person_last_words):
        # a person's surname, tagged as a name there or not ("Vale showed him the ferry")
        named[ctx.sentence_index(tok.idx)].add(tok.lower_)
        before = tok.doc[tok.i - 1] if tok.i > 0 else None
        while before is not None and before.pos_ == "PROPN" and before.i > 0 and before.lower_ not in HONORIFICS:
            before = tok.doc[before.i - 1]  # "Ms. Mara Quell": past the first name
        if before is not None and before.lower_ in HONORIFICS:
            told.setdefault(tok.lower_, HONORIFICS[before.lower_])
    said: list[list[str]] = [[] for _ in ctx.sents]  # the gender of each pronoun, per sentence
    for tok in ctx.tokens_where(pos=PRONOUN_POS, lower=PRONOUN_WORDS):  # found in arrays, not token by token
        said[ctx.sentence_index(tok.idx)].append(PRONOUNS[tok.lower_])
    votes: dict[str, Counter] = {}
    for i, genders in enumerate(said):
        if len(named[i]) != 1:
            continue
        (key,) = named[i]
        for gender in genders + (said[i + 1] if i + 1 < len(said) and not named[i + 1] else []):
            votes.setdefault(key, Counter())[gender] += 1
    genders = {}
    for key, counts in votes.items():
        (top, n), *rest = counts.most_common() + [("", 0)]
        if n >= 2 * rest[0][1] and n > 0:
            genders[key] = top
    return genders | _first_name_genders(ctx) | told


def _first_name_genders(ctx: DocContext) -> dict[str, str]:
    """Surname -> the gender its first names give, when they all give the same one.

    "Dorie Greenspan" and her husband "Michael Greenspan" share the surname the resolver
    compares: a first name then no longer tells who "Greenspan" is, and the pronoun votes do.
    """
    given: dict[str, set[str | None]] = {}
    for ent in ctx.ents:
        words = [t.text for t in ent if not t.is_punct]
        if ent.label_ == "PERSON" and len(words) >= 2:
            given.setdefault(person_key(words), set()).add(first_names().get(words[0].lower()))
    return {key: next(iter(found)) for key, found in given.items() if len(found) == 1 and None not in found}
