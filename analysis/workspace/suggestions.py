"""Merge suggestions: entities that are likely one, which the automatic links left apart.

`identity` links only what is safe; what is left for the analyst to decide:
- people of one surname whose given names agree but who were not linked (two people of the
  name could match, as "George Bush" beside "George W. Bush" and "George H. W. Bush"), or whose
  given names share their first letters ("Jim" and "James" when the short-form table lacks it);
- entities of one type written almost alike ("Jan Hatzius" and "Jan Hatzuis"): a misspelling.
Each suggestion has a reason and a score (higher: more likely one). A dismissed pair
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
    rows = [(a, info[a][0], b, info[b][0], reason, round(score, 3)) for (a, b), (reason, score) in found.items()]
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
            elif a.given[:2] == b.given[:2] and not (a.middle and b.middle and a.middle != b.middle):
                yield (a.key, b.key), (f"same surname, given names {a.given} / {b.given} alike", 0.6)


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
