"""The analyst's corrections to entities and documents.

Each action is logged in `curation` and its effect kept in `entity_overrides` /
`document_overrides`, keyed by entity key or document id. Keys are deterministic, so the
corrections apply to documents ingested later too and survive a re-ingest; every query
reads the effective views (`entities`, `mention_view`, `doc_view`) that apply them.
"""
from __future__ import annotations

import datetime

import duckdb

from .store import Workspace

ENTITY_TYPES = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")


def _log(con: duckdb.DuckDBPyConnection, action: str, target: str, value: str | None) -> None:
    con.execute("INSERT INTO curation (at_time, action, target, value) VALUES (?, ?, ?, ?)",
                [datetime.datetime.now(), action, target, value])


def _set(con: duckdb.DuckDBPyConnection, entity: str, column: str, value: object) -> None:
    con.execute(
        f"INSERT INTO entity_overrides (entity_key, {column}) VALUES (?, ?) "
        f"ON CONFLICT (entity_key) DO UPDATE SET {column} = excluded.{column}",
        [entity, value],
    )


def merge(ws: Workspace, sources: list[str], target: str) -> None:
    """Make every entity in `sources` part of `target` (and whatever was merged into them)."""
    with ws.connect() as con:
        con.execute("BEGIN TRANSACTION")
        row = con.execute("SELECT merged_into FROM entity_overrides WHERE entity_key = ?", [target]).fetchone()
        target = row[0] if row and row[0] else target  # merging into a merged entity: into its target
        for source in sources:
            if source == target:
                continue
            # anything merged into `source` now points at `target`: merges stay one level deep
            con.execute("UPDATE entity_overrides SET merged_into = ? WHERE merged_into = ?", [target, source])
            _set(con, source, "merged_into", target)
            _log(con, "merge", source, target)
        con.execute("UPDATE entity_overrides SET merged_into = NULL WHERE entity_key = ? AND merged_into = ?",
                    [target, target])
        con.execute("COMMIT")


def rename(ws: Workspace, entity: str, name: str) -> None:
    name = name.strip()
    if not name:
        raise ValueError("a name cannot be empty")
    with ws.connect() as con:
        _set(con, entity, "name", name)
        _log(con, "rename", entity, name)


def set_type(ws: Workspace, entity: str, label: str) -> None:
    if label not in ENTITY_TYPES:
        raise ValueError(f"unknown entity type {label!r} (one of {', '.join(ENTITY_TYPES)})")
    with ws.connect() as con:
        _set(con, entity, "label", label)
        _log(con, "set_type", entity, label)


def hide(ws: Workspace, entity: str, hidden: bool = True) -> None:
    with ws.connect() as con:
        _set(con, entity, "hidden", hidden)
        _log(con, "hide" if hidden else "unhide", entity, None)


def set_document_date(ws: Workspace, doc_id: str, date: datetime.date | None) -> None:
    """Set or correct a document's date; None goes back to the extracted date."""
    with ws.connect() as con:
        if date is None:
            con.execute("DELETE FROM document_overrides WHERE doc_id = ?", [doc_id])
        else:
            con.execute("INSERT INTO document_overrides VALUES (?, ?) ON CONFLICT (doc_id) DO UPDATE SET date = excluded.date",
                        [doc_id, date])
        _log(con, "set_date", doc_id, date.isoformat() if date else None)


def history(ws: Workspace):
    return ws.query("SELECT seq, at_time, action, target, value FROM curation ORDER BY seq")
