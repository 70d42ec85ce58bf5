"""The analyst's corrections to entities and documents, and their triage (tags, stars, notes).

Each action is logged in `curation` and its effect kept in `entity_overrides` /
`document_overrides`, keyed by entity key or document id. Keys are deterministic, so the
corrections apply to documents ingested later too and survive a re-ingest; every query
reads the effective views (`entities`, `mention_view`, `doc_view`) that apply them.
"""
from __future__ import annotations

import datetime

import duckdb

from .store import Workspace, changing_links

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


# --- triage: tags, stars and notes ---------------------------------------------------------------

def _tag(value: str) -> str:
    tag = " ".join(value.split())
    if not tag:
        raise ValueError("a tag cannot be empty")
    return tag


def tag_documents(ws: Workspace, doc_ids: list[str], tag: str) -> None:
    """Put `tag` on the documents (a tag already there stays once)."""
    tag = _tag(tag)
    with ws.connect() as con:
        for doc_id in doc_ids:
            con.execute("INSERT OR IGNORE INTO document_tags VALUES (?, ?)", [doc_id, tag])
            _log(con, "tag", doc_id, tag)


def untag_documents(ws: Workspace, doc_ids: list[str], tag: str) -> None:
    with ws.connect() as con:
        for doc_id in doc_ids:
            con.execute("DELETE FROM document_tags WHERE doc_id = ? AND tag = ?", [doc_id, tag])
            _log(con, "untag", doc_id, tag)


def set_document_tags(ws: Workspace, doc_id: str, tags: list[str]) -> None:
    """Make `tags` the document's tags (what the document view's tag box edits)."""
    wanted = set(map(_tag, tags))
    current = set(document_tags(ws, doc_id))
    for tag in sorted(current - wanted):
        untag_documents(ws, [doc_id], tag)
    for tag in sorted(wanted - current):
        tag_documents(ws, [doc_id], tag)


def document_tags(ws: Workspace, doc_id: str) -> list[str]:
    return ws.query("SELECT tag FROM document_tags WHERE doc_id = ? ORDER BY tag", [doc_id])["tag"].tolist()


def tags(ws: Workspace) -> list[str]:
    """Every tag in use, alphabetically (the filter's options)."""
    return [row["tag"] for row in ws.records("SELECT DISTINCT tag FROM document_tags ORDER BY tag")]


def _set_note_column(ws: Workspace, doc_id: str, column: str, value: object, action: str, logged: str | None) -> None:
    with ws.connect() as con:
        con.execute(f"INSERT INTO document_notes (doc_id, {column}) VALUES (?, ?) "
                    f"ON CONFLICT (doc_id) DO UPDATE SET {column} = excluded.{column}", [doc_id, value])
        _log(con, action, doc_id, logged)


def star_document(ws: Workspace, doc_id: str, starred: bool = True) -> None:
    _set_note_column(ws, doc_id, "starred", starred, "star" if starred else "unstar", None)


def set_document_note(ws: Workspace, doc_id: str, note: str) -> None:
    """The analyst's note on a document; an empty note removes it."""
    note = note.strip()
    _set_note_column(ws, doc_id, "note", note or None, "note_document", note or None)


def set_entity_note(ws: Workspace, entity: str, note: str) -> None:
    """The analyst's note on an entity (keyed on the entity key, so it survives a re-ingest)."""
    note = note.strip()
    with ws.connect() as con:
        if note:
            con.execute("INSERT INTO entity_notes VALUES (?, ?) ON CONFLICT (entity_key) DO UPDATE SET note = excluded.note",
                        [entity, note])
        else:
            con.execute("DELETE FROM entity_notes WHERE entity_key = ?", [entity])
        _log(con, "note_entity", entity, note or None)


def document_triage(ws: Workspace, doc_id: str) -> dict:
    """A document's tags, star and note, for its view."""
    with ws.connect() as con:
        row = con.execute("SELECT starred, note FROM document_notes WHERE doc_id = ?", [doc_id]).fetchone()
    starred, note = row or (False, None)
    return {"tags": document_tags(ws, doc_id), "starred": bool(starred), "note": note or ""}


def entity_note(ws: Workspace, entity: str) -> str:
    with ws.connect() as con:
        row = con.execute("SELECT note FROM entity_notes WHERE entity_key = ?", [entity]).fetchone()
    return row[0] if row else ""


def unlink(ws: Workspace, entity: str) -> None:
    """Undo the automatic cross-document link of key `entity` (`identity`) for good: the key is
    its own entity again, and no later ingest links it to the same entity."""
    with ws.connect() as con:
        row = con.execute("SELECT linked_to FROM entity_links WHERE entity_key = ?", [entity]).fetchone()
        if row is None:
            return
        with changing_links(con):  # the network's counts are kept by linked key
            con.execute("DELETE FROM entity_links WHERE entity_key = ?", [entity])
            con.execute("INSERT OR IGNORE INTO entity_link_rejections VALUES (?, ?)", [entity, row[0]])
            _log(con, "unlink", entity, row[0])


def dismiss_suggestion(ws: Workspace, entity: str, candidate: str) -> None:
    """Never suggest merging `candidate` into `entity` again (`suggestions`)."""
    with ws.connect() as con:
        con.execute("INSERT OR IGNORE INTO suggestion_dismissals VALUES (?, ?)", [entity, candidate])
        _log(con, "dismiss_suggestion", candidate, entity)
