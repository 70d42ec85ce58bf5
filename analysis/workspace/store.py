"""The workspace: one folder holding an embedded DuckDB database.

DuckDB lets one process at a time open a database file for writing, so every access here
is short: open, work, close, under an exclusive file lock (`workspace.lock`). The dashboard
and a CLI ingest then take turns in milliseconds instead of failing with a lock error.
NLP runs outside the lock; only the writes of a finished batch happen inside it, in one
transaction, so a document and all its rows are stored together or not at all.
"""
from __future__ import annotations

import atexit
import contextlib
import datetime
import fcntl
import hashlib
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from analysis import settings
from analysis.extract.columns import TABLE_COLUMNS
from analysis.model import Extraction

if TYPE_CHECKING:  # imported where tables are built: the dashboard's first page reads rows, not tables
    import pandas as pd

    from analysis.extract.rows import Tables

DB_FILE = "newsroom.duckdb"
LOCK_FILE = "workspace.lock"


def _preferred_names(counted: str, key: str) -> str:
    """SQL giving one (entity, name, label) per `key` of `counted` (rows: key, entity_name, entity_label, n).

    The most used name and label win; ties go to running-text spellings over ALL-CAPS ones, then
    alphabetically, so every page shows the same name. One text serves the per-key table and the
    merged entities, so both choose alike.
    """
    return f"""
    SELECT {key} AS entity, name, label
    FROM (SELECT {key}, first(entity_name ORDER BY n DESC, entity_name = upper(entity_name), entity_name) AS name
          FROM (SELECT {key}, entity_name, sum(n) AS n FROM {counted} GROUP BY ALL) GROUP BY ALL)
    JOIN (SELECT {key}, first(entity_label ORDER BY n DESC, entity_label) AS label
          FROM (SELECT {key}, entity_label, sum(n) AS n FROM {counted} GROUP BY ALL) GROUP BY ALL)
    USING ({key})"""


SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents (
    doc_id VARCHAR PRIMARY KEY, record_id VARCHAR, title VARCHAR, source VARCHAR,
    author VARCHAR, url VARCHAR, file_name VARCHAR, date DATE, date_source VARCHAR,
    n_words INTEGER, text VARCHAR, ingested_at TIMESTAMP);
-- the exact bytes of a file name that is not valid UTF-8 (`file_name` shows them as escapes)
ALTER TABLE documents ADD COLUMN IF NOT EXISTS file_name_bytes BLOB;
-- the detected language (ISO 639-1), a title taken from the text, pages read by OCR
ALTER TABLE documents ADD COLUMN IF NOT EXISTS language VARCHAR;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS title_derived BOOLEAN DEFAULT FALSE;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS ocr_pages INTEGER DEFAULT 0;
CREATE TABLE IF NOT EXISTS sentences (
    doc_id VARCHAR, sentence INTEGER, paragraph INTEGER, start INTEGER, "end" INTEGER);
CREATE TABLE IF NOT EXISTS mentions (
    doc_id VARCHAR, mention INTEGER, sentence INTEGER, start INTEGER, "end" INTEGER,
    text VARCHAR, label VARCHAR, entity_key VARCHAR, entity_name VARCHAR, entity_label VARCHAR);
CREATE TABLE IF NOT EXISTS quotes (
    doc_id VARCHAR, quote INTEGER, sentence INTEGER, start INTEGER, "end" INTEGER, text VARCHAR,
    kind VARCHAR, cue VARCHAR, speaker VARCHAR, speaker_start INTEGER, speaker_end INTEGER,
    speaker_key VARCHAR, reported_by VARCHAR, reported_by_key VARCHAR);
-- a quote's act (statement: said, wrote; position: thinks, plans, backs) and what its speaker is
-- called when no entity is: a descriptor ("some critics") or "unresolved" (a pronoun)
ALTER TABLE quotes ADD COLUMN IF NOT EXISTS act VARCHAR DEFAULT 'statement';
ALTER TABLE quotes ADD COLUMN IF NOT EXISTS speaker_label VARCHAR;
-- the analyst's review of a quote (quote_review.py), keyed by document and characters so that it
-- survives a re-ingest: right, wrong (no quote: hidden everywhere) or corrected (speaker or act)
CREATE TABLE IF NOT EXISTS quote_reviews (
    doc_id VARCHAR, start INTEGER, "end" INTEGER, verdict VARCHAR, speaker_key VARCHAR, act VARCHAR,
    PRIMARY KEY (doc_id, start, "end"));
CREATE OR REPLACE VIEW quote_view AS
SELECT q.* REPLACE (coalesce(r.speaker_key, q.speaker_key) AS speaker_key, coalesce(r.act, q.act) AS act,
                    CASE WHEN r.speaker_key IS NULL THEN q.speaker_label END AS speaker_label),
       r.verdict
FROM quotes q LEFT JOIN quote_reviews r ON r.doc_id = q.doc_id AND r.start = q.start AND r."end" = q."end"
WHERE r.verdict IS DISTINCT FROM 'wrong';
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
-- triage (curation.py): tags, a star and a note per document, a note per entity
CREATE TABLE IF NOT EXISTS document_tags (doc_id VARCHAR, tag VARCHAR, PRIMARY KEY (doc_id, tag));
CREATE TABLE IF NOT EXISTS document_notes (doc_id VARCHAR PRIMARY KEY, starred BOOLEAN DEFAULT FALSE, note VARCHAR);
CREATE TABLE IF NOT EXISTS entity_notes (entity_key VARCHAR PRIMARY KEY, note VARCHAR);
-- near-duplicates (duplicates.py): each document's MinHash, and the later copies of a story (the
-- signatures of datasketch's hashing, kept before, are dropped: every document is signed again)
DROP TABLE IF EXISTS document_minhashes;
CREATE TABLE IF NOT EXISTS document_signatures (doc_id VARCHAR PRIMARY KEY, signature BLOB);
CREATE TABLE IF NOT EXISTS near_duplicates (doc_id VARCHAR PRIMARY KEY, duplicate_of VARCHAR, similarity DOUBLE);

-- effective views: curation applied; every query reads these, never the raw tables
CREATE OR REPLACE VIEW doc_view AS
SELECT d.* REPLACE (coalesce(o.date, d.date) AS date,
                    CASE WHEN o.date IS NOT NULL THEN 'analyst' ELSE d.date_source END AS date_source)
FROM documents d LEFT JOIN document_overrides o USING (doc_id);
-- derived from `mentions` and kept up to date by the store (see `_add_derived`): how often each
-- entity key is written with each name and label, and the preferred ones per key
CREATE TABLE IF NOT EXISTS entity_name_counts (
    entity_key VARCHAR, entity_name VARCHAR, entity_label VARCHAR, n BIGINT,
    PRIMARY KEY (entity_key, entity_name, entity_label));
CREATE TABLE IF NOT EXISTS entity_key_names (entity_key VARCHAR PRIMARY KEY, name VARCHAR, label VARCHAR);
-- one name and label per effective entity: a key's own when no merge touches it, else chosen
-- afresh over the counts of every key merged together (so no curation action has to refresh it);
-- `merged` holds each key whose entity is a merge target, with that entity
-- automatic cross-document links (identity.py): a stored key -> the key it joins, and why; the
-- links the analyst undid; the acronyms documents define ("Assembly of First Nations (AFN)")
CREATE TABLE IF NOT EXISTS entity_links (entity_key VARCHAR PRIMARY KEY, linked_to VARCHAR, reason VARCHAR);
CREATE TABLE IF NOT EXISTS entity_link_rejections (entity_key VARCHAR, linked_to VARCHAR,
                                                   PRIMARY KEY (entity_key, linked_to));
CREATE TABLE IF NOT EXISTS suggestion_dismissals (entity VARCHAR, candidate VARCHAR, PRIMARY KEY (entity, candidate));
CREATE TABLE IF NOT EXISTS acronym_definitions (doc_id VARCHAR, acronym VARCHAR, entity_key VARCHAR,
                                                PRIMARY KEY (doc_id, acronym, entity_key));
-- where each moved key goes: the analyst's merge first, else its link (to where the analyst put
-- the linked-to key, if anywhere)
CREATE OR REPLACE VIEW entity_moves AS
SELECT k.entity_key, coalesce(o.merged_into, t.merged_into, l.linked_to) AS entity
FROM (SELECT entity_key FROM entity_overrides WHERE merged_into IS NOT NULL
      UNION SELECT entity_key FROM entity_links) k
LEFT JOIN entity_overrides o ON o.entity_key = k.entity_key
LEFT JOIN entity_links l ON l.entity_key = k.entity_key
LEFT JOIN entity_overrides t ON t.entity_key = l.linked_to
WHERE coalesce(o.merged_into, t.merged_into, l.linked_to) <> k.entity_key;
-- names: an analyst's merge chooses afresh over every key merged; a key joined by a link keeps the
-- name of the entity it joins ("Reagan" is shown as Ronald Reagan), so links add no name of their own
CREATE OR REPLACE VIEW entity_names AS
WITH moved AS (SELECT entity_key, merged_into AS entity FROM entity_overrides WHERE merged_into IS NOT NULL),
merged AS (
    SELECT * FROM moved
    UNION SELECT entity, entity FROM moved WHERE entity NOT IN (SELECT entity_key FROM moved))
SELECT entity_key AS entity, name, label FROM entity_key_names
WHERE entity_key NOT IN (SELECT entity_key FROM merged) AND entity_key NOT IN (SELECT entity_key FROM entity_moves)
UNION ALL
{_preferred_names("(SELECT m.entity, c.entity_name, c.entity_label, c.n "
                  "FROM entity_name_counts c JOIN merged m USING (entity_key))", "entity")};
CREATE OR REPLACE VIEW entities AS
SELECT n.entity, coalesce(o.name, n.name) AS name, coalesce(o.label, n.label) AS label,
       coalesce(o.hidden, FALSE) AS hidden
FROM entity_names n LEFT JOIN entity_overrides o ON o.entity_key = n.entity;
CREATE OR REPLACE VIEW mention_view AS
SELECT m.doc_id, m.mention, m.sentence, m.start, m."end", m.text, m.label, m.entity_key,
       coalesce(o.entity, m.entity_key) AS entity
FROM mentions m LEFT JOIN entity_moves o ON o.entity_key = m.entity_key;
-- a name wrapped over two lines in wire copy is the same spelling as on one line
CREATE OR REPLACE VIEW aliases AS
SELECT entity, regexp_replace(text, '[[:space:]]+', ' ', 'g') AS alias, count(*) AS mentions FROM mention_view GROUP BY ALL;
-- pre-aggregated mentions (see `_add_derived`), keyed by the stored entity key and the extracted
-- date, so that merges and date corrections apply at query time exactly as in the views above:
-- mentions per document and key (1 row per 1.6 mentions on Reuters)...
CREATE TABLE IF NOT EXISTS doc_entity_counts (doc_id VARCHAR, entity_key VARCHAR, n INTEGER);
-- ...per day (the extracted document date; NULL for undated documents) and key: mentions and
-- documents, for the pages' view of the whole workspace (~1 row per 10-300 per-document rows)...
CREATE TABLE IF NOT EXISTS day_entity_counts (date DATE, entity_key VARCHAR, mentions BIGINT, documents BIGINT);
-- ...and, for the co-occurrence network, per kind of unit (sentence, paragraph, document): how
-- many units name a key, how many name both keys of a pair (a < b), how many name any entity. The
-- key here is the linked key (`entity_links` applied: `changing_links` keeps them in step with the
-- links), so only the analyst's merges and hidden entities are counted again at query time
CREATE TABLE IF NOT EXISTS unit_entity_counts (
    unit VARCHAR, entity_key VARCHAR, n BIGINT, PRIMARY KEY (unit, entity_key));
CREATE TABLE IF NOT EXISTS unit_pair_counts (
    unit VARCHAR, a VARCHAR, b VARCHAR, n BIGINT, PRIMARY KEY (unit, a, b));
CREATE TABLE IF NOT EXISTS unit_totals (unit VARCHAR PRIMARY KEY, n BIGINT);
-- `doc_entity_counts` with merges applied, as `mention_view` applies them: column `entity`
CREATE OR REPLACE VIEW doc_entity_view AS
SELECT c.doc_id, c.entity_key, coalesce(o.entity, c.entity_key) AS entity, c.n
FROM doc_entity_counts c LEFT JOIN entity_moves o ON o.entity_key = c.entity_key;
"""

_TABLE_COLUMNS = TABLE_COLUMNS
DOCUMENT_TABLES = tuple(_TABLE_COLUMNS)


# Keeping the derived entity tables in step with `mentions`: counts added per written batch, then
# the preferred name and label chosen again for just the keys whose counts changed.
_ADD_NAME_COUNTS = """
INSERT INTO entity_name_counts
SELECT entity_key, entity_name, entity_label, count(*) FROM {mentions} GROUP BY ALL
ON CONFLICT (entity_key, entity_name, entity_label) DO UPDATE SET n = n + excluded.n"""
_CHOOSE_KEY_NAMES = f"""
INSERT OR REPLACE INTO entity_key_names
{_preferred_names("(SELECT * FROM entity_name_counts WHERE entity_key IN (SELECT entity_key FROM {mentions}))",
                  "entity_key")}"""
_ADD_DOC_COUNTS = "INSERT INTO doc_entity_counts SELECT doc_id, entity_key, count(*) FROM {mentions} GROUP BY ALL"
# (a date may be NULL, so no key to upsert on: rows are added to, then the new ones inserted)
_ADD_DAY_COUNTS = """
CREATE OR REPLACE TEMP TABLE batch_days AS
SELECT d.date, m.entity_key, count(*) AS mentions, count(DISTINCT m.doc_id) AS documents
FROM {mentions} m JOIN documents d USING (doc_id) GROUP BY ALL;
UPDATE day_entity_counts t SET mentions = t.mentions + b.mentions, documents = t.documents + b.documents
FROM batch_days b WHERE t.entity_key = b.entity_key AND t.date IS NOT DISTINCT FROM b.date;
INSERT INTO day_entity_counts SELECT * FROM batch_days b WHERE NOT EXISTS (
    SELECT 1 FROM day_entity_counts t WHERE t.entity_key = b.entity_key AND t.date IS NOT DISTINCT FROM b.date);
DROP TABLE batch_days"""
# The units of each kind naming each linked key (the key a row of `{links}` links it to, else its
# own), in the documents of `{mentions}` (their sentences are stored already); a unit is
# (document, number), the number 0 for the document itself.
_UNIT_KEYS = """
SELECT DISTINCT u.unit, m.doc_id, CASE u.unit WHEN 'sentence' THEN m.sentence WHEN 'paragraph' THEN s.paragraph
                                             ELSE 0 END AS number, coalesce(l.linked_to, m.entity_key) AS entity_key
FROM {mentions} m JOIN sentences s ON s.doc_id = m.doc_id AND s.sentence = m.sentence
LEFT JOIN {links} l ON l.entity_key = m.entity_key
CROSS JOIN (VALUES ('sentence'), ('paragraph'), ('document')) u(unit)"""
# The pairs of keys (a < b) named in the same unit of `{units}` (rows of `_UNIT_KEYS`), and in how many.
_UNIT_PAIRS = """
SELECT x.unit, x.entity_key AS a, y.entity_key AS b, count(*) AS n FROM {units} x JOIN {units} y
ON x.unit = y.unit AND x.doc_id = y.doc_id AND x.number = y.number AND x.entity_key < y.entity_key GROUP BY ALL"""
_ADD_UNIT_COUNTS = f"""
CREATE OR REPLACE TEMP TABLE batch_units AS {_UNIT_KEYS.format(mentions="{mentions}", links="entity_links")};
INSERT INTO unit_entity_counts SELECT unit, entity_key, count(*) FROM batch_units GROUP BY ALL
ON CONFLICT (unit, entity_key) DO UPDATE SET n = n + excluded.n;
INSERT INTO unit_pair_counts {_UNIT_PAIRS.format(units="batch_units")}
ON CONFLICT (unit, a, b) DO UPDATE SET n = n + excluded.n;
INSERT INTO unit_totals SELECT unit, count(*) FROM (SELECT DISTINCT unit, doc_id, number FROM batch_units) GROUP BY ALL
ON CONFLICT (unit) DO UPDATE SET n = n + excluded.n;
DROP TABLE batch_units"""

_UPKEEP = (_ADD_NAME_COUNTS, _CHOOSE_KEY_NAMES, _ADD_DOC_COUNTS, _ADD_DAY_COUNTS, _ADD_UNIT_COUNTS)

# Moving the unit counts of the documents naming a key whose link changed from the links before
# (`links_before`) to the links now: what those documents count under each, the difference added.
# The number of units naming anything (`unit_totals`) does not depend on links.
_RELINK_UNIT_COUNTS = f"""
CREATE OR REPLACE TEMP TABLE relinked AS
SELECT doc_id, sentence, entity_key FROM mentions WHERE doc_id IN (SELECT doc_id FROM doc_entity_counts WHERE entity_key IN (
    SELECT entity_key FROM (SELECT entity_key, linked_to FROM links_before
                            EXCEPT SELECT entity_key, linked_to FROM entity_links)
    UNION SELECT entity_key FROM (SELECT entity_key, linked_to FROM entity_links
                                  EXCEPT SELECT entity_key, linked_to FROM links_before)));
CREATE OR REPLACE TEMP TABLE units_before AS {_UNIT_KEYS.format(mentions="relinked", links="links_before")};
CREATE OR REPLACE TEMP TABLE units_after AS {_UNIT_KEYS.format(mentions="relinked", links="entity_links")};
INSERT INTO unit_entity_counts
SELECT unit, entity_key, sum(n) FROM (SELECT unit, entity_key, -count(*) AS n FROM units_before GROUP BY ALL
                                      UNION ALL SELECT unit, entity_key, count(*) FROM units_after GROUP BY ALL)
GROUP BY ALL HAVING sum(n) <> 0
ON CONFLICT (unit, entity_key) DO UPDATE SET n = n + excluded.n;
INSERT INTO unit_pair_counts
SELECT unit, a, b, sum(n) FROM (SELECT unit, a, b, -n AS n FROM ({_UNIT_PAIRS.format(units="units_before")})
                                UNION ALL {_UNIT_PAIRS.format(units="units_after")})
GROUP BY ALL HAVING sum(n) <> 0
ON CONFLICT (unit, a, b) DO UPDATE SET n = n + excluded.n;
DELETE FROM unit_entity_counts WHERE n = 0;
DELETE FROM unit_pair_counts WHERE n = 0;
DROP TABLE relinked; DROP TABLE units_before; DROP TABLE units_after; DROP TABLE links_before"""

# Tables computed from the others, rebuilt whenever the schema changes (`_rebuild_derived`).
DERIVED_TABLES = ("entity_name_counts", "entity_key_names", "doc_entity_counts", "day_entity_counts",
                  "unit_entity_counts", "unit_pair_counts", "unit_totals")

# the hash covers the upkeep and the relinking too, so changing how names are chosen (or how the
# network's counts follow the links) rebuilds the derived tables
SCHEMA_VERSION = hashlib.sha1((SCHEMA + "".join(_UPKEEP) + _RELINK_UNIT_COUNTS).encode("utf-8")).hexdigest()[:16]


def _add_derived(con: duckdb.DuckDBPyConnection, mentions: str) -> None:
    """Count the mention rows of relation `mentions` (whole documents) into the derived tables.

    Runs in the transaction that writes those rows, so the names every page shows (`entity_names`)
    and the counts the pages read instead of scanning every mention (`doc_entity_counts`, the
    `unit_*` tables) never lag the mentions. Nothing here depends on the analyst's curation: the
    counts are keyed by stored entity key (the `unit_*` ones by linked key: the automatic links,
    see `changing_links`), and the queries map them through merges (and hidden entities, corrected
    dates) as the views do, so no curation action but undoing a link has to refresh them.
    """
    for statement in _UPKEEP:
        con.execute(statement.format(mentions=mentions))


@contextlib.contextmanager
def changing_links(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """A block that changes `entity_links`, in one transaction with what keeps the `unit_*` counts
    (kept by linked key) in step: the links are kept as they were before the block, and after it
    only the documents naming a key whose link was added, changed or removed are counted again.
    A block that raises changes nothing (the connection's use rolls back, see `Workspace.connect`).
    """
    con.execute("BEGIN TRANSACTION")
    con.execute("CREATE OR REPLACE TEMP TABLE links_before AS SELECT * FROM entity_links")
    yield
    con.execute(_RELINK_UNIT_COUNTS)
    con.execute("COMMIT")


def _rebuild_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Derive the tables afresh from every stored mention (a workspace from an older schema)."""
    for table in DERIVED_TABLES:
        con.execute(f"DELETE FROM {table}")
    _add_derived(con, "mentions")


def _ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create or update the tables and views, unless this very schema is already in place.

    Skipping it when unchanged keeps opening a workspace read-only: no write, so no checkpoint
    and no new `Workspace.version()` (which would empty every dashboard cache). A changed schema
    also rebuilds the derived tables, which an older version of the store did not keep.
    """
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except duckdb.CatalogException:  # a new workspace
        row = None
    if row is not None and row[0] == SCHEMA_VERSION:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(SCHEMA)
        _rebuild_derived(con)
        con.execute("INSERT INTO meta VALUES ('schema', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [SCHEMA_VERSION])
        con.execute("COMMIT")
    except BaseException:
        _end_transaction(con)
        raise


class WorkspaceError(RuntimeError):
    """The workspace cannot be opened or written (a file in its place, no permission, a full
    disk); the message names the folder and the cause, in one line for the analyst."""


class StoreBusy(WorkspaceError):
    """Another process held the workspace for longer than the wait allows."""


# DuckDB's I/O messages end with the system's reason: 'IO Error: Could not write file "x": No space left on device'
_DUCKDB_CAUSE = re.compile(r'(?:file|directory) "[^"]*": (.+)$', re.S)
_DUCKDB_KIND = re.compile(r"^(?:\w+ )*Error: ")


def failure(action: str, folder: Path, exc: BaseException) -> WorkspaceError:
    """`exc` (an OSError or a DuckDB error) as "cannot {action} the workspace {folder}: {cause}"."""
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        cause = "a file is in the way of its folder"
    elif isinstance(exc, OSError):
        cause = exc.strerror or str(exc)
    else:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        match = _DUCKDB_CAUSE.search(message)
        cause = match.group(1) if match else _DUCKDB_KIND.sub("", message)
    return WorkspaceError(f"cannot {action} the workspace {folder}: {cause}")


# A connection stays open this long after its last use, unless another process asks for the
# workspace first (it then gets it within `_POLL` seconds): a page's burst of queries or an
# ingest's stream of batches pays DuckDB's open (~30 ms of CPU, plus a checkpoint on close)
# once, not once per query, and DuckDB keeps its cache of table data in between.
IDLE_RELEASE = 1.0
STREAM_MEMORY_MB = 64  # DuckDB's memory (its cache of table data too) while it streams (`Workspace.stream`)
_POLL = 0.01
WAIT_FILE = "workspace.wait"


class _Hold:
    """This process's hold on one workspace: the exclusive lock and the connection behind it.

    Every `Workspace` of the same folder in a process shares one hold, and its threads take
    turns through `mutex`. Between processes the exclusive `flock` on `workspace.lock` decides,
    as before; a process waiting for it also holds a shared lock on `workspace.wait`, which is
    how the holder learns that someone waits: it then closes at the end of the current use (or
    at once when idle) instead of keeping the connection for its next query.
    """

    def __init__(self, folder: Path, db_path: Path):
        self.folder, self.db_path = folder, db_path
        self.mutex = threading.RLock()
        self.changed = threading.Condition(self.mutex)
        self.con: duckdb.DuckDBPyConnection | None = None
        self.lock_file = None  # open, and flock-ed, while `con` is open
        self.wait_file = None  # for testing whether another process waits
        self.depth = 0  # nested uses in progress (by the thread owning `mutex`)
        self.last_used = 0.0
        self.closer: threading.Thread | None = None

    # -- between processes ---------------------------------------------------------------

    def others_waiting(self) -> bool:
        if self.wait_file is None:
            self.wait_file = open(self.folder / WAIT_FILE, "a+")
        try:
            fcntl.flock(self.wait_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self.wait_file, fcntl.LOCK_UN)
        return False

    def open(self, timeout: float) -> None:
        try:
            lock = open(self.folder / LOCK_FILE, "a+")
        except OSError as exc:  # a read-only folder, a full disk
            raise failure("open", self.folder, exc) from exc
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._wait_for(lock, timeout)
            self.con = duckdb.connect(str(self.db_path))
        except BaseException as exc:
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()
            if isinstance(exc, duckdb.Error):
                raise failure("open", self.folder, exc) from exc
            raise
        self.lock_file = lock
        if self.closer is None or not self.closer.is_alive():
            self.closer = threading.Thread(target=self._close_when_idle, name=f"workspace-closer {self.folder}",
                                           daemon=True)
            self.closer.start()
        self.changed.notify_all()

    def _wait_for(self, lock, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with open(self.folder / WAIT_FILE, "a+") as waiting:
            fcntl.flock(waiting, fcntl.LOCK_SH)  # "someone waits", until this block ends
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreBusy(f"workspace {self.folder} is busy (held by another process)") from None
                    time.sleep(0.005)

    def close(self) -> None:
        if self.con is None:
            return
        try:
            self.con.close()
        finally:
            self.con = None
            fcntl.flock(self.lock_file, fcntl.LOCK_UN)
            self.lock_file.close()
            self.lock_file = None

    def release(self) -> None:
        """Close now unless a use is in progress, and let the closer thread end.

        It ends at its next poll; the wait is bounded because another of this process's threads
        may open the database again meanwhile, which keeps the closer running.
        """
        with self.mutex:
            if self.depth == 0:
                self.close()
            self.changed.notify_all()
            closer = self.closer if self.con is None else None
        if closer is not None and closer is not threading.current_thread():
            closer.join(timeout=10 * _POLL)

    def _close_when_idle(self) -> None:
        with self.mutex:
            while self.con is not None:
                if self.depth == 0 and (time.monotonic() - self.last_used > IDLE_RELEASE or self.others_waiting()):
                    self.close()
                    return
                self.changed.wait(_POLL)

    # -- within this process -------------------------------------------------------------

    @contextlib.contextmanager
    def use(self, timeout: float) -> Iterator[duckdb.DuckDBPyConnection]:
        if not self.mutex.acquire(timeout=timeout):
            raise StoreBusy(f"workspace {self.folder} is busy (held by another thread)")
        try:
            if self.depth == 0 and self.con is not None and self.others_waiting():
                self.close()  # let the waiting process in; queue up again like it did
            if self.con is None:
                self.open(timeout)
            con = self.con
            self.depth += 1
            ok = False
            try:
                yield con
                ok = True
            finally:
                self.depth -= 1
                self.last_used = time.monotonic()
                if self.depth == 0:
                    if ok:
                        _end_transaction(con)
                    else:  # as when every use had its own connection: nothing half-done stays
                        self.close()
        finally:
            self.mutex.release()


def _end_transaction(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back a transaction a caller left open, as closing the connection would."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # none open: the usual case, or one that a failed write has ended


_holds: dict[Path, _Hold] = {}
_holds_mutex = threading.Lock()


def _hold(folder: Path, db_path: Path) -> _Hold:
    key = db_path.resolve()
    with _holds_mutex:
        hold = _holds.get(key)
        if hold is None:
            hold = _holds[key] = _Hold(folder, db_path)
        return hold


def release_all() -> None:
    """Close every cached connection of this process (at exit, or before handing a workspace on)."""
    with _holds_mutex:
        holds = list(_holds.values())
    for hold in holds:
        hold.release()


def _forget_in_child() -> None:
    """A forked child must not use (or unlock) its parent's connections: it starts without any."""
    global _holds, _holds_mutex
    _holds, _holds_mutex = {}, threading.Lock()


atexit.register(release_all)
os.register_at_fork(after_in_child=_forget_in_child)


class Workspace:
    """A workspace folder; every method uses this process's shared hold on its database (see `_Hold`)."""

    def __init__(self, path: str | Path | None = None, lock_timeout: float = 120.0):
        self.path = Path(path) if path is not None else settings.workspace_dir()
        self.lock_timeout = lock_timeout
        self.db_path = self.path / DB_FILE
        try:
            if self.path.exists() and not self.path.is_dir():
                raise WorkspaceError(f"cannot open the workspace {self.path}: it is a file, not a folder")
            self.path.mkdir(parents=True, exist_ok=True)
            with self.connect() as con:
                _ensure_schema(con)
        except (OSError, duckdb.Error) as exc:
            raise failure("open", self.path, exc) from exc

    @contextlib.contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An open connection, held under the workspace's exclusive lock until the block ends.

        The connection stays open (and the lock held) for up to `IDLE_RELEASE` seconds after the
        block, for this process's next use, but no longer than until another process waits.
        A block that raises closes the connection; a transaction left open is rolled back.
        """
        with _hold(self.path, self.db_path).use(self.lock_timeout) as con:
            yield con

    def release(self) -> None:
        """Let go of the database now rather than `IDLE_RELEASE` seconds after the last use.

        For a long computation between uses: other processes get the lock at once, and this
        process's closer thread ends, so a process that had only that other thread can fork
        its workers (`analysis.extract.pipeline._start_method`). The next use opens the database again.
        """
        _hold(self.path, self.db_path).release()

    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        """The rows of a SELECT as the DataFrame DuckDB's `df()` gives (see `_to_pandas` for how)."""
        with self.connect() as con:
            return _to_pandas(con, con.sql(sql, params=params or None))

    def records(self, sql: str, params: list | dict | None = None) -> list[dict[str, Any]]:
        """The rows of a SELECT as dicts of Python values (dates as `datetime.date`, NULL as None).

        For the small answers of the dashboard's first page (counts, option lists, fifteen bars):
        a DataFrame would cost importing pandas, numpy and pyarrow, ~0.5 s of the page's start.
        """
        with self.connect() as con:
            cursor = con.execute(sql, params or None)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def stream(self, sql: str, params: list | None = None, vectors: int = 8) -> Iterator[pd.DataFrame]:
        """The rows of a SELECT as DataFrames of at most `vectors` x 2,048 rows, the first always given
        (empty, with the columns, when there are no rows), so an export holds one piece at a time.

        The workspace stays held until the last piece is read or the generator is closed. The pieces
        are DuckDB's own `fetch_df_chunk`: the types `query` gives, read through a cursor of its own,
        so other queries of this thread meanwhile do not end the result. DuckDB still computes what
        the SELECT needs before the first piece (a sort holds every row): callers bound that.
        """
        with self.connect() as con:
            cursor = con.cursor()
            # DuckDB keeps the table data it read cached up to its memory limit (80 % of RAM by
            # default): an export reading every mention would keep them all
            cursor.execute(f"SET memory_limit = '{STREAM_MEMORY_MB}MB'")
            try:
                try:
                    result = cursor.execute(sql, params or None)
                    piece = result.fetch_df_chunk(vectors)
                except duckdb.OutOfMemoryException:  # joins too big for the cap (a filter on a big
                    cursor.execute("RESET memory_limit")  # workspace): DuckDB's own limit, as any query
                    result = cursor.execute(sql, params or None)
                    piece = result.fetch_df_chunk(vectors)
                yield piece
                while len(piece):
                    piece = result.fetch_df_chunk(vectors)
                    if len(piece):
                        yield piece
            finally:
                cursor.execute("RESET memory_limit")
                cursor.close()

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
        """Store a batch of documents atomically; for each, whether it was new (False: a duplicate,
        or the same document earlier in the batch)."""
        from analysis.extract.rows import extraction_tables

        first: dict[str, Extraction] = {}
        for x in extractions:
            first.setdefault(x.doc_id, x)
        new = dict(zip(first, self.add_tables(extraction_tables(first.values()))))
        return [first[x.doc_id] is x and new[x.doc_id] for x in extractions]

    def add_tables(self, tables: Tables) -> list[bool]:
        """Store a batch of documents given as columns (`extract.rows`) atomically; for each row of
        `documents`, whether it was new (False: a duplicate).

        The check for documents already stored happens inside the write transaction, so two
        processes ingesting the same file still store it once.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        ids = tables["documents"].column("doc_id").to_pylist()
        if len(set(ids)) != len(ids):
            raise ValueError("a batch holds the same document twice")
        if not ids:
            return []
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                stored = {r[0] for r in con.execute(
                    "SELECT doc_id FROM documents WHERE doc_id IN (SELECT unnest(?))", [ids]).fetchall()}
                fresh = pa.array([i for i in ids if i not in stored], pa.string())
                for table, columns in _TABLE_COLUMNS.items():
                    rows = tables[table].filter(pc.is_in(tables[table].column("doc_id"), value_set=fresh))
                    if table == "documents":  # stored now, whenever and wherever it was extracted
                        rows = rows.set_column(rows.schema.get_field_index("ingested_at"), "ingested_at",
                                               pa.array([datetime.datetime.now()] * rows.num_rows, pa.timestamp("us")))
                    if rows.num_rows:
                        con.register("batch_rows", rows)
                        names = ", ".join(f'"{c}"' for c in columns)
                        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM batch_rows")
                        if table == "mentions":
                            _add_derived(con, "batch_rows")
                        con.unregister("batch_rows")
                con.execute("COMMIT")
            except BaseException as exc:
                _end_transaction(con)  # a failed COMMIT has ended it already
                if isinstance(exc, (OSError, duckdb.Error)):  # a full disk, a file-size limit
                    raise failure("write", self.path, exc) from exc
                raise
        return [i not in stored for i in ids]


def _to_pandas(con: duckdb.DuckDBPyConnection, rel: duckdb.DuckDBPyRelation | None) -> pd.DataFrame:
    """`rel.df()`, with its text columns taken through Arrow.

    `df()` makes a Python string per text cell, then pandas turns the column into its Arrow-backed
    `str` dtype: 100,000 rows of six text columns take ~120 ms, most of a page's time. Arrow hands
    pandas the same strings in ~20 ms. Everything else still goes through `df()` (zeros stand in for
    the text columns), so the frame is the one `df()` gives: values, dtypes (nullable integers, dates
    as datetime64, a text column with no value at all as objects) and de-duplicated column names.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if rel is None:  # a statement that returns no rows
        return pd.DataFrame()
    if not any(t.id == "varchar" for t in rel.types):
        return rel.df()
    table = rel.to_arrow_table()
    text = [i for i, t in enumerate(rel.types) if t.id == "varchar" and table.column(i).null_count < table.num_rows]
    blanks = table
    zeros = pa.array(np.zeros(table.num_rows, dtype=np.int8))  # the cheapest column to convert
    for i in text:
        blanks = blanks.set_column(i, table.field(i).with_type(pa.int8()), zeros)
    frame = con.from_arrow(blanks).df()
    for i in text:
        frame.isetitem(i, table.column(i).to_pandas())
    return frame
