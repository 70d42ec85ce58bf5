"""Merge suggestions: entities that are likely one, which the automatic links left apart.

`identity` links only what is safe; what is left for the analyst to decide:
- people of one surname whose given names agree but who were not linked (two people of the
  name could match, as "George Bush" beside "George W. Bush" and "George H. W. Bush"), or whose
  given names share their first two letters ("Marc" and "Martin");
- entities of one type written almost alike ("Jan Hatzius" and "Jan Hatzuis"): a misspelling.
Names alone cannot tell two people of one surname apart; the company they keep can: two names of
one person are named beside the same people, organisations and places. So each pair's score is
raised by the overlap (Jaccard) of the entities sharing a document with each, and people of one
surname whose given names only share an initial ("Jim" / "James") are proposed only when that
overlap is high. Each suggestion has a reason and a score (higher: more likely one). A dismissed pair
(`suggestion_dismissals`) is never suggested again; merging goes through `curation.merge`.
"""
from __future__ import annotations

import difflib
from collections import defaultdict
from itertools import combinations

import pandas as pd

from .identity import PersonName
from .queries import keyword_in_context
from .store import Workspace

COLUMNS = ["entity", "name", "candidate", "candidate_name", "reason", "score"]
# Two names at least this alike (difflib's ratio over the folded keys) are a spelling suggestion.
SIMILAR = 0.88
MIN_KEY_CHARS = 6
# The company of an entity: the people, organisations and places named in its documents.
CONTEXT_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})
# A pair the names alone rank low (given names sharing only an initial) is proposed only with at
# least this overlap of company, over at least this many entities in common: on one or two shared
# names the overlap of two rarely named people is chance.
WEAK_SCORE = 0.4
WEAK_MIN_OVERLAP = 0.3
WEAK_MIN_SHARED = 3
NAMED_IN_REASON = 3
# Full overlap takes a pair's score half-way to 1: company supports a name match, never replaces it.
OVERLAP_WEIGHT = 0.5

_ENTITIES = """
SELECT e.entity, e.name, e.label, sum(c.n) AS mentions
FROM entities e
JOIN (SELECT coalesce(mv.entity, c.entity_key) AS entity, c.n
      FROM entity_name_counts c LEFT JOIN entity_moves mv USING (entity_key)) c USING (entity)
WHERE NOT e.hidden GROUP BY ALL"""


def suggestions(ws: Workspace, limit: int = 200) -> pd.DataFrame:
    """Likely duplicates, best first: `entity` (the more mentioned, to merge into), `candidate`."""
    table = ws.query(_ENTITIES)
    dismissed = set(map(tuple, ws.query("SELECT entity, candidate FROM suggestion_dismissals").to_numpy().tolist()))
    info = {e: (name, label, int(n)) for e, name, label, n in table.itertuples(index=False)}
    found: dict[tuple[str, str], tuple[str, float]] = {}
    for pair, why in [*_people_pairs(info), *_spelling_pairs(info)]:
        a, b = sorted(pair, key=lambda k: (-info[k][2], k))
        if (a, b) in dismissed or (b, a) in dismissed:
            continue
        if (a, b) not in found or found[(a, b)][1] < why[1]:
            found[(a, b)] = why
    company = _company(ws, {key for pair in found for key in pair}, info)
    rows = []
    for (a, b), (reason, score) in found.items():
        shared = (company.get(a, set()) & company.get(b, set())) - {a, b}
        either = (company.get(a, set()) | company.get(b, set())) - {a, b}
        overlap = len(shared) / len(either) if either else 0.0
        if score <= WEAK_SCORE and (overlap < WEAK_MIN_OVERLAP or len(shared) < WEAK_MIN_SHARED):
            continue
        if shared:  # the least mentioned first: "Reuters" or "United States" in common tells little
            named = ", ".join(info[k][0] for k in sorted(shared, key=lambda k: (info[k][2], k))[:NAMED_IN_REASON])
            noun = "entity" if len(shared) == 1 else "entities"
            reason += f"; {len(shared)} co-mentioned {noun} in common: {named}"
        rows.append((a, info[a][0], b, info[b][0], reason, round(score + (1 - score) * OVERLAP_WEIGHT * overlap, 3)))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["score", "entity"], ascending=[False, True]).head(limit).reset_index(drop=True)


def _people_pairs(info: dict[str, tuple[str, str, int]]):
    by_surname: dict[tuple[str, str], list[PersonName]] = defaultdict(list)
    for key, (_, label, _) in info.items():
        name = PersonName.parse(key) if label == "PERSON" else None
        if name is not None:
            by_surname[(name.surname, name.suffix)].append(name)
    for names in by_surname.values():
        for a, b in combinations(names, 2):
            if a.compatible(b):
                yield (a.key, b.key), ("same surname, compatible given and middle names", 0.9)
            elif a.middle and b.middle and a.middle != b.middle:
                continue
            elif a.given[:2] == b.given[:2]:
                yield (a.key, b.key), (f"same surname, given names {a.given} / {b.given} alike", 0.6)
            elif a.given[0] == b.given[0]:
                yield (a.key, b.key), (f"same surname, given names {a.given} / {b.given} share an initial",
                                       WEAK_SCORE)


def _company(ws: Workspace, keys: set[str], info: dict[str, tuple[str, str, int]]) -> dict[str, set[str]]:
    """The visible people, organisations and places sharing a document with each of `keys`: one
    query over the per-document counts (merges and links applied), only for the candidates."""
    if not keys:
        return {}
    rows = ws.query("""
        WITH docs AS (SELECT DISTINCT entity, doc_id FROM doc_entity_view WHERE entity IN (SELECT unnest(?)))
        SELECT DISTINCT d.entity, o.entity AS other
        FROM docs d JOIN doc_entity_view o USING (doc_id) WHERE o.entity <> d.entity""", [sorted(keys)])
    company: dict[str, set[str]] = defaultdict(set)
    for entity, other in rows.itertuples(index=False):
        if other in info and info[other][1] in CONTEXT_LABELS:
            company[entity].add(other)
    return company


def _spelling_pairs(info: dict[str, tuple[str, str, int]]):
    """Keys of one type that differ by a letter or two; compared within buckets of the same type
    and first letter, so a large workspace is not compared pair by pair."""
    buckets: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key, (_, label, _) in info.items():
        if len(key) >= MIN_KEY_CHARS:
            buckets[(label, key[0])].append(key)
    for keys in buckets.values():
        keys.sort(key=len)
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if len(b) - len(a) > 2:
                    break
                matcher = difflib.SequenceMatcher(None, a, b)
                if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
                    continue
                ratio = matcher.ratio()
                if ratio >= SIMILAR:
                    yield (a, b), (f"written almost alike ({ratio:.0%})", 0.8 * ratio)


def evidence(ws: Workspace, entity: str, sentences: int = 3) -> list[str]:
    """A few passages where `entity` is named, the name in [brackets], for the analyst to judge a
    suggestion (plain text: the page shows it as text, never as markup)."""
    rows = keyword_in_context(ws, entity, limit=sentences)
    return [f"…{left}[{mention}]{right}…" for left, mention, right in rows[["left", "mention", "right"]].itertuples(index=False)]
