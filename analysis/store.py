"""The workspace: one folder holding an embedded DuckDB database.

DuckDB lets one process at a time open a database file for writing, so every access here
is short: open, work, close, under an exclusive file lock (`workspace.lock`). The dashboard
and a CLI ingest then take turns in milliseconds instead of failing with a lock error.
NLP runs outside the lock; only the writes of a finished batch happen inside it, in one
transaction, so a document and all its rows are stored together or not at all.
"""
from __future__ import annotations

import contextlib
import datetime
import fcntl
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pandas as pd

from . import settings
from .model import Extraction

DB_FILE = "newsroom.duckdb"
LOCK_FILE = "workspace.lock"

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id VARCHAR PRIMARY KEY, record_id VARCHAR, title VARCHAR, source VARCHAR,
    author VARCHAR, url VARCHAR, file_name VARCHAR, date DATE, date_source VARCHAR,
    n_words INTEGER, text VARCHAR, ingested_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS sentences (
    doc_id VARCHAR, sentence INTEGER, paragraph INTEGER, start INTEGER, "end" INTEGER);
CREATE TABLE IF NOT EXISTS mentions (
    doc_id VARCHAR, mention INTEGER, sentence INTEGER, start INTEGER, "end" INTEGER,
    text VARCHAR, label VARCHAR, entity_key VARCHAR, entity_name VARCHAR, entity_label VARCHAR);
CREATE TABLE IF NOT EXISTS quotes (
    doc_id VARCHAR, quote INTEGER, sentence INTEGER, start INTEGER, "end" INTEGER, text VARCHAR,
    kind VARCHAR, cue VARCHAR, speaker VARCHAR, speaker_start INTEGER, speaker_end INTEGER,
    speaker_key VARCHAR, reported_by VARCHAR, reported_by_key VARCHAR);
CREATE TABLE IF NOT EXISTS quote_entities (doc_id VARCHAR, quote INTEGER, entity_key VARCHAR);
CREATE TABLE IF NOT EXISTS events (
    doc_id VARCHAR, event INTEGER, sentence INTEGER, start INTEGER, "end" INTEGER, text VARCHAR,
    date_text VARCHAR, date_start DATE, date_end DATE, granularity VARCHAR);
CREATE TABLE IF NOT EXISTS event_entities (doc_id VARCHAR, event INTEGER, entity_key VARCHAR);
-- the analyst's curation: a log of every action, and its current effect per entity/document
CREATE SEQUENCE IF NOT EXISTS curation_seq;
CREATE TABLE IF NOT EXISTS curation (
    seq INTEGER DEFAULT nextval('curation_seq'), at_time TIMESTAMP, action VARCHAR,
    target VARCHAR, value VARCHAR);
CREATE TABLE IF NOT EXISTS entity_overrides (
    entity_key VARCHAR PRIMARY KEY, merged_into VARCHAR, name VARCHAR, label VARCHAR,
    hidden BOOLEAN DEFAULT FALSE);
CREATE TABLE IF NOT EXISTS document_overrides (doc_id VARCHAR PRIMARY KEY, date DATE);
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

-- effective views: curation applied; every query reads these, never the raw tables
CREATE OR REPLACE VIEW doc_view AS
SELECT d.* REPLACE (coalesce(o.date, d.date) AS date,
                    CASE WHEN o.date IS NOT NULL THEN 'analyst' ELSE d.date_source END AS date_source)
FROM documents d LEFT JOIN document_overrides o USING (doc_id);
CREATE OR REPLACE VIEW entity_names AS
SELECT coalesce(o.merged_into, m.entity_key) AS entity, mode(m.entity_name) AS name,
       mode(m.entity_label) AS label
FROM mentions m LEFT JOIN entity_overrides o ON o.entity_key = m.entity_key
GROUP BY ALL;
CREATE OR REPLACE VIEW entities AS
SELECT n.entity, coalesce(o.name, n.name) AS name, coalesce(o.label, n.label) AS label,
       coalesce(o.hidden, FALSE) AS hidden
FROM entity_names n LEFT JOIN entity_overrides o ON o.entity_key = n.entity;
CREATE OR REPLACE VIEW mention_view AS
SELECT m.doc_id, m.mention, m.sentence, m.start, m."end", m.text, m.label, m.entity_key,
       coalesce(o.merged_into, m.entity_key) AS entity
FROM mentions m LEFT JOIN entity_overrides o ON o.entity_key = m.entity_key;
CREATE OR REPLACE VIEW aliases AS
SELECT entity, text AS alias, count(*) AS mentions FROM mention_view GROUP BY ALL;
"""

_TABLE_COLUMNS = {
    "documents": ["doc_id", "record_id", "title", "source", "author", "url", "file_name", "date",
                  "date_source", "n_words", "text", "ingested_at"],
    "sentences": ["doc_id", "sentence", "paragraph", "start", "end"],
    "mentions": ["doc_id", "mention", "sentence", "start", "end", "text", "label", "entity_key",
                 "entity_name", "entity_label"],
    "quotes": ["doc_id", "quote", "sentence", "start", "end", "text", "kind", "cue", "speaker",
               "speaker_start", "speaker_end", "speaker_key", "reported_by", "reported_by_key"],
    "quote_entities": ["doc_id", "quote", "entity_key"],
    "events": ["doc_id", "event", "sentence", "start", "end", "text", "date_text", "date_start",
               "date_end", "granularity"],
    "event_entities": ["doc_id", "event", "entity_key"],
}
DOCUMENT_TABLES = tuple(_TABLE_COLUMNS)


class StoreBusy(RuntimeError):
    """Another process held the workspace for longer than the wait allows."""


class Workspace:
    """A workspace folder; every method opens the database briefly and closes it again."""

    def __init__(self, path: str | Path | None = None, lock_timeout: float = 120.0):
        self.path = Path(path) if path is not None else settings.workspace_dir()
        self.lock_timeout = lock_timeout
        self.path.mkdir(parents=True, exist_ok=True)
        self.db_path = self.path / DB_FILE
        with self.connect() as con:
            con.execute(SCHEMA)

    @contextlib.contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An open connection, held under the workspace's exclusive lock until the block ends."""
        with open(self.path / LOCK_FILE, "a+") as lock:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreBusy(f"workspace {self.path} is busy (held by another process)") from None
                    time.sleep(0.005)
            try:
                con = duckdb.connect(str(self.db_path))
                try:
                    yield con
                finally:
                    con.close()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute(sql, params or []).df()

    def version(self) -> float:
        """Changes whenever the workspace is written: a cheap cache key for the dashboard."""
        wal = self.db_path.with_name(self.db_path.name + ".wal")
        return max((p.stat().st_mtime_ns for p in (self.db_path, wal) if p.exists()), default=0)

    def existing_ids(self, doc_ids: Iterable[str]) -> set[str]:
        ids = list(set(doc_ids))
        if not ids:
            return set()
        with self.connect() as con:
            rows = con.execute("SELECT doc_id FROM documents WHERE doc_id IN (SELECT unnest(?))", [ids]).fetchall()
        return {r[0] for r in rows}

    def add(self, extractions: list[Extraction]) -> list[bool]:
        """Store a batch of documents atomically; for each, whether it was new (False: a duplicate).

        The check for documents already stored happens inside the write transaction, so two
        processes ingesting the same file still store it once.
        """
        if not extractions:
            return []
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                stored = {r[0] for r in con.execute(
                    "SELECT doc_id FROM documents WHERE doc_id IN (SELECT unnest(?))",
                    [[x.doc_id for x in extractions]]).fetchall()}
                fresh: dict[str, Extraction] = {}
                for x in extractions:
                    if x.doc_id not in stored:
                        fresh.setdefault(x.doc_id, x)
                for table, frame in _frames(list(fresh.values())).items():
                    if len(frame):
                        con.register("batch_frame", frame)
                        columns = ", ".join(f'"{c}"' for c in _TABLE_COLUMNS[table])
                        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM batch_frame")
                        con.unregister("batch_frame")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return [fresh.get(x.doc_id) is x for x in extractions]


def _frames(extractions: list[Extraction]) -> dict[str, pd.DataFrame]:
    """The rows of a batch of documents, one DataFrame per table."""
    rows: dict[str, list[tuple]] = {t: [] for t in _TABLE_COLUMNS}
    now = datetime.datetime.now()
    for x in extractions:
        raw, d = x.raw, x.doc_id
        rows["documents"].append((d, raw.record_id, raw.title, raw.source, raw.author, raw.url,
                                  raw.file_name, x.date, x.date_source, x.n_words, raw.text, now))
        rows["sentences"] += [(d, i, s.paragraph, s.start, s.end) for i, s in enumerate(x.sentences)]
        rows["mentions"] += [(d, i, m.sentence, m.start, m.end, m.text, m.label, m.entity_key,
                              m.entity_name, m.entity_label) for i, m in enumerate(x.mentions)]
        rows["quotes"] += [(d, i, q.sentence, q.start, q.end, q.text, q.kind, q.cue, q.speaker,
                            q.speaker_start, q.speaker_end, q.speaker_key, q.reported_by,
                            q.reported_by_key) for i, q in enumerate(x.quotes)]
        rows["quote_entities"] += [(d, i, k) for i, q in enumerate(x.quotes) for k in q.mentioned]
        rows["events"] += [(d, i, e.sentence, e.start, e.end, e.text, e.date_text, e.date_start,
                            e.date_end, e.granularity) for i, e in enumerate(x.events)]
        rows["event_entities"] += [(d, i, k) for i, e in enumerate(x.events) for k in e.entities]
    return {t: pd.DataFrame(r, columns=_TABLE_COLUMNS[t]) for t, r in rows.items()}
