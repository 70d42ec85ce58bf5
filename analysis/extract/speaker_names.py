"""Speakers' names the tagger missed, made mentions: "Horvat said", "Navdeep Bains ... said".

The parse says these words speak, so they name a person or an organisation; the small model
left them out of its entities, and the quote would show no speaker entity. Their label is
read from their shape: a person's surname named elsewhere, or two or three title-case words,
is a PERSON; an all-capitals word, a company word ("Corp", `data/org_words.txt`) or a single
unknown word is an ORG. The spans then go through the same repairs and filters as the
tagger's own (`mention_fixes`, `entities.not_names`), which drop table labels such as "cts".
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from analysis.model import Quote

DATA = Path(__file__).resolve().parent / "data"
Span = tuple[int, int, str]
MAX_WORDS = 5
WORD = re.compile(r"[^\W\d_][\w.'’-]*")


@lru_cache(maxsize=1)
def org_words() -> frozenset[str]:
    lines = (DATA / "org_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def speaker_name_spans(text: str, quotes: list[Quote], spans: list[Span]) -> list[Span]:
    """Spans for quote referents that no recognised span overlaps and that read as names."""
    taken = sorted((s, e) for s, e, _ in spans)
    people = {text[s:e].split()[-1].lower() for s, e, label in spans if label == "PERSON" and text[s:e].split()}
    found: dict[tuple[int, int], str] = {}
    for q in quotes:
        if q.referent_start is None or (q.referent_start, q.referent_end) in found:
            continue
        start, end = q.referent_start, q.referent_end
        if any(s < end and start < e for s, e in taken):
            continue
        words = text[start:end].split()
        if not 0 < len(words) <= MAX_WORDS or not all(WORD.fullmatch(w) and w[0].isupper() for w in words):
            continue
        found[(start, end)] = _label(words, people)
    return [(s, e, label) for (s, e), label in found.items()]


def _label(words: list[str], people: set[str]) -> str:
    lowered = [w.lower().strip(".") for w in words]
    if lowered[-1] in people:
        return "PERSON"
    if any(w in org_words() for w in lowered) or any(w.isupper() and len(w) > 1 for w in words):
        return "ORG"
    return "PERSON" if 2 <= len(words) <= 3 else "ORG"
