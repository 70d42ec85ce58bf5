"""The analyst's review of extracted quotes, and the quality estimate it gives.

A quote can be marked right, marked wrong (it is no quote: every view and export drops it),
or corrected: its speaker set to an entity, or its act (statement / position) changed. A
review is keyed by the document id (the hash of its text) and the quote's characters, not by
the row number, so it applies again when the document is ingested anew. Every action is also
written to the curation log. The `quote_view` of the store applies the reviews; every quote
query reads it.

The reviewed quotes are a sample an analyst can trust more than a benchmark on other news:
the share marked right, per kind of quote, is a live estimate of the extraction's precision on
this very workspace.
"""
from __future__ import annotations

import pandas as pd

from .curation import _log
from .store import Workspace

ACTS = ("statement", "position")


def _key(doc_id: str, start: int, end: int) -> str:
    return f"{doc_id}:{start}:{end}"


def _upsert(ws: Workspace, doc_id: str, start: int, end: int, verdict: str, column: str | None = None,
            value: object = None) -> None:
    """Set a quote's verdict, and one corrected column (`speaker_key` or `act`) when given."""
    columns = ["verdict"] + ([column] if column else [])
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns)
    with ws.connect() as con:
        con.execute("BEGIN TRANSACTION")
        con.execute(
            f'INSERT INTO quote_reviews (doc_id, start, "end", {", ".join(columns)}) '
            f'VALUES (?, ?, ?{", ?" * len(columns)}) ON CONFLICT (doc_id, start, "end") DO UPDATE SET {updates}',
            [doc_id, start, end, verdict] + ([value] if column else []))
        _log(con, f"quote_{column or verdict}", _key(doc_id, start, end), None if value is None else str(value))
        con.execute("COMMIT")


def mark(ws: Workspace, doc_id: str, start: int, end: int, verdict: str) -> None:
    """Mark a quote right or wrong (a wrong one disappears from every view and export)."""
    if verdict not in ("right", "wrong"):
        raise ValueError(f"a quote is marked right or wrong, not {verdict!r}")
    _upsert(ws, doc_id, start, end, verdict)


def set_speaker(ws: Workspace, doc_id: str, start: int, end: int, entity: str) -> None:
    """Say who really spoke: `entity` is an entity key of the workspace."""
    with ws.connect() as con:
        if con.execute("SELECT 1 FROM entities WHERE entity = ?", [entity]).fetchone() is None:
            raise ValueError(f"no entity {entity!r} in the workspace")
    _upsert(ws, doc_id, start, end, "corrected", "speaker_key", entity)


def set_act(ws: Workspace, doc_id: str, start: int, end: int, act: str) -> None:
    """Make a quote a statement or a position."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r} (one of {', '.join(ACTS)})")
    _upsert(ws, doc_id, start, end, "corrected", "act", act)


def clear(ws: Workspace, doc_id: str, start: int, end: int) -> None:
    """Forget the review of a quote: it shows as extracted again."""
    with ws.connect() as con:
        con.execute('DELETE FROM quote_reviews WHERE doc_id = ? AND start = ? AND "end" = ?', [doc_id, start, end])
        _log(con, "quote_clear", _key(doc_id, start, end), None)


def quality_estimate(ws: Workspace) -> pd.DataFrame:
    """Per kind of quote (direct, partial, indirect, and all): how many were reviewed and the share
    found right as extracted (a corrected speaker or act, or a wrong quote, is not right)."""
    return ws.query("""
        WITH reviewed AS (
            SELECT q.kind, r.verdict = 'right' AS ok
            FROM quote_reviews r JOIN quotes q ON q.doc_id = r.doc_id AND q.start = r.start AND q."end" = r."end")
        SELECT coalesce(kind, 'all') AS kind, count(*) AS reviewed, sum(ok::INTEGER) AS "right",
               round(avg(ok::INTEGER), 3) AS share_right
        FROM reviewed GROUP BY ROLLUP (kind) HAVING count(*) > 0
        ORDER BY kind IS NULL, kind""")
