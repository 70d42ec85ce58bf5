"""Ingest: loaded documents -> extraction -> the workspace, with a per-file account.

Shared by the CLI and the dashboard's uploader, so both report the same outcomes.
"""
from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Protocol

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from analysis import settings
from analysis.model import Extraction, LoadError, RawDocument
from analysis.extract import shards as shard_files
from analysis.extract.pipeline import CHUNK_CHARS, extract_all
from analysis.extract.rows import RowBatch, Tables, concat, extraction_tables
from . import duplicates, identity, search
from .store import Workspace, WorkspaceError, failure

# Extracted documents are written in batches of up to WRITE_DOCS, or of what is ready when the
# write interval is up. A write costs ~0.07 s whatever its size (a transaction over seven tables
# and the entity-name upkeep), so the interval starts short, for the first documents to show in
# the dashboard within a second, and doubles up to WRITE_SECONDS. Writes run on the ingest's own
# thread, between batches: on a thread of their own, beside spaCy's, they cost more CPU than they
# saved time (2,000 articles in 1 process, 4 alternating pairs: 7 % more CPU, 3 % more time), as
# the two threads slow each other down. A crash loses at most one interval of work, which a re-run
# redoes; progress is reported per document regardless.
WRITE_DOCS = 1024
WRITE_FIRST_SECONDS = 1.0
WRITE_SECONDS = 10.0
# Progress is told at most this often (and at the end): a redraw costs the CLI's bar or the
# dashboard's websocket far more than a document's bookkeeping.
PROGRESS_SECONDS = 0.2


@dataclass(frozen=True)
class FileResult:
    file_name: str
    status: str  # "added" | "duplicate" | "failed" | "sharded" (extracted to a shard, to be loaded)
    title: str | None = None
    doc_id: str | None = None
    reason: str | None = None  # why it failed or was skipped; for an added one, a note (no pipeline read it)
    notes: tuple[str, ...] = ()  # what loading changed in the document (see RawDocument.notes)


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    engine: str = ""  # what extracted, and why so ("extracted by 2 processes (one per usable core, 2)")

    def _with(self, status: str) -> list[FileResult]:
        return [r for r in self.results if r.status == status]

    @property
    def added(self) -> list[FileResult]:
        return self._with("added")

    @property
    def duplicates(self) -> list[FileResult]:
        return self._with("duplicate")

    @property
    def failed(self) -> list[FileResult]:
        return self._with("failed")

    @property
    def sharded(self) -> list[FileResult]:
        return self._with("sharded")

    def summary(self) -> str:
        """One line of counts, then one for each note on added documents (a language no pipeline
        reads), and one for documents extracted to shards."""
        notes = Counter(r.reason for r in self.added if r.reason)
        sharded = [f"{len(self.sharded)} extracted to shards: store them with `python -m analysis load-shards`"
                   ] if self.sharded else []
        return "\n".join([f"{len(self.added)} added, {len(self.duplicates)} skipped as duplicates, "
                          f"{len(self.failed)} failed"] + [f"{n} added with {note}" for note, n in notes.items()]
                         + sharded)


class Engine(Protocol):
    """Where extraction runs besides this machine's processes (`extract.distributed.DaskEngine`)."""

    def describe(self) -> str: ...

    def extract(self, raws: Sequence[RawDocument], model: str | None, batch_size: int,
                chunk_chars: int) -> Iterator[RowBatch]: ...


@dataclass(frozen=True)
class Tick:
    """How far an ingest is: documents and words done of the total, and the time so far."""

    done: int
    total: int
    words: int
    total_words: int
    seconds: float
    name: str = ""  # the file just done

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the pace so far: by words when their total is known (documents vary in
        length), else by documents; None before any is done."""
        if self.seconds <= 0 or not (self.words if self.total_words else self.done):
            return None
        if self.total_words:
            return max(0.0, (self.total_words - self.words) / self.words_per_second)
        return (self.total - self.done) * self.seconds / self.done


Progress = Callable[[Tick], None]


def ingest(
    workspace: Workspace,
    items: Iterable[RawDocument | LoadError],
    *,
    model: str | None = None,
    processes: int | None = None,
    batch_size: int | None = None,
    chunk_chars: int = CHUNK_CHARS,
    progress: Progress | None = None,
    engine: Engine | None = None,
) -> IngestReport:
    """Store every new document of `items`; documents already stored are skipped before any NLP.

    Extraction runs in this machine's processes (`processes`, by default `settings.process_plan`),
    or on `engine`; either way the rows are stored by the same writes (`_write`).
    """
    batch_size = batch_size or settings.batch_size()
    report = IngestReport()
    raws: list[RawDocument] = []
    for item in items:
        if isinstance(item, LoadError):
            report.results.append(FileResult(item.file_name, "failed", reason=item.reason))
        else:
            raws.append(item)
    stored = workspace.existing_ids(r.doc_id for r in raws)
    todo: list[RawDocument] = []
    for raw in raws:
        if raw.doc_id in stored:
            report.results.append(FileResult(raw.file_name, "duplicate", raw.title, raw.doc_id,
                                             "already in the workspace", raw.notes))
        else:
            stored.add(raw.doc_id)
            todo.append(raw)
    workspace.release()  # not needed until the first write; alone on its thread, this process forks its workers
    results: Iterator[Extraction | LoadError | RowBatch]
    if engine is None:
        plan = settings.process_plan(processes).within(len(todo), batch_size)
        report.engine = f"extracted by {plan}"
        results = extract_all(todo, model, plan.count, batch_size, chunk_chars, columns=True)
    else:
        report.engine = f"extracted by {engine.describe()}"
        results = engine.extract(todo, model, batch_size, chunk_chars)
    _store(workspace, results, report, batch_size, _Pace(todo, progress))
    return report


class _Pace:
    """Counts documents and words done and tells `progress`, at most every PROGRESS_SECONDS."""

    def __init__(self, todo: list[RawDocument], progress: Progress | None):
        self.progress, self.total = progress, len(todo)
        self.total_words = sum(len(raw.text.split()) for raw in todo) if progress else 0
        self.done = self.words = 0
        self.start = self.shown = time.monotonic()
        self.tell("")

    def add(self, documents: int, words: int, name: str) -> None:
        self.done, self.words = self.done + documents, self.words + words
        if time.monotonic() - self.shown >= PROGRESS_SECONDS or self.done == self.total:
            self.tell(name)

    def tell(self, name: str) -> None:
        if self.progress:
            self.shown = time.monotonic()
            self.progress(Tick(self.done, self.total, self.words, self.total_words, self.shown - self.start, name))


def _store(workspace: Workspace, results: Iterator[Extraction | LoadError | RowBatch], report: IngestReport,
           batch_size: int, pace: _Pace) -> None:
    """Write `results` in batches (see WRITE_DOCS), adding each file's outcome to `report`."""
    buffer: list[Extraction | RowBatch] = []
    buffered = 0
    since, interval = time.monotonic(), WRITE_FIRST_SECONDS

    def flush() -> None:
        nonlocal since, interval, buffered
        if buffer:
            report.results.extend(_write(workspace, buffer))
            buffer.clear()
            buffered = 0
        since, interval = time.monotonic(), min(2 * interval, WRITE_SECONDS)

    try:
        for result in results:
            if isinstance(result, LoadError):
                report.results.append(FileResult(result.file_name, "failed", reason=result.reason))
                pace.add(1, 0, result.file_name)
                continue
            if isinstance(result, RowBatch):
                report.results += [FileResult(e.file_name, "failed", reason=e.reason) for e in result.failed]
                documents = result.tables["documents"]
                if result.shard is not None:
                    report.results += _accounts(documents, [True] * documents.num_rows, shard=result.shard)
                elif documents.num_rows:
                    buffer.append(result)
                    buffered += documents.num_rows
                names = documents.column("file_name").to_pylist() or [e.file_name for e in result.failed]
                pace.add(result.documents, result.words, names[-1] if names else "")
            else:
                buffer.append(result)
                buffered += 1
                pace.add(1, result.n_words, result.raw.file_name)
            if buffered >= max(batch_size, WRITE_DOCS) or time.monotonic() - since >= interval:
                flush()
        flush()
    except WorkspaceError as err:  # the account of this run, in the one line the analyst gets
        stored = len(report.added)
        raise WorkspaceError(f"{err} ({stored} document{'' if stored == 1 else 's'} of this run stored"
                             " before it; run again to add the rest)") from err


def load_shards(workspace: Workspace, url: str, progress: Progress | None = None) -> IngestReport:
    """Store every complete shard under `url` (`extract.shards`), each in one write: documents
    already stored are skipped, so loading the same shards again changes nothing."""
    folders = shard_files.complete(url)
    report = IngestReport(engine=f"loaded from {len(folders)} shard{'' if len(folders) == 1 else 's'} in {url}")
    words, start = 0, time.monotonic()
    for done, folder in enumerate(folders, 1):  # progress counts shards: their sizes are known only once read
        tables = shard_files.read(url, folder)
        report.results += _write_tables(workspace, tables)
        words += pc.sum(tables["documents"].column("n_words")).as_py() or 0
        if progress:
            progress(Tick(done, len(folders), words, 0, time.monotonic() - start, folder.rsplit("/", 1)[-1]))
    return report


def _write(workspace: Workspace, pending: Sequence[Extraction | RowBatch]) -> list[FileResult]:
    """`_write_tables` of documents extracted here and batches extracted elsewhere, as one batch of
    columns (a document given twice is stored once, the second reported as a duplicate)."""
    first: dict[str, Extraction] = {}
    for x in pending:
        if isinstance(x, Extraction):
            first.setdefault(x.doc_id, x)
    parts: list[Tables] = []  # in the order extracted: runs of records turned into columns here
    for columns, run in groupby(pending, key=lambda x: isinstance(x, RowBatch)):
        if columns:
            parts += [batch.tables for batch in run]  # type: ignore[union-attr]
        elif kept := [x for x in run if first[x.doc_id] is x]:  # type: ignore[union-attr]
            parts.append(extraction_tables(kept))
    repeated = [FileResult(x.raw.file_name, "duplicate", x.raw.title, x.doc_id, "given twice in one batch", x.raw.notes)
                for x in pending if isinstance(x, Extraction) and first[x.doc_id] is not x]
    return _write_tables(workspace, concat(parts)) + repeated


def _write_tables(workspace: Workspace, tables: Tables) -> list[FileResult]:
    """Store a batch, link its entities to those of earlier documents (`identity`), then index its new
    documents and find their near-duplicates; the account of each.

    All under one hold of the workspace lock, so no other process writes the index or the
    signatures in between; a crash after the documents' commit is mended by the next search
    (`search` module) and the next write (`duplicates` module).
    """
    documents = tables["documents"]
    with workspace.connect() as con, _one_thread(con):
        added = workspace.add_tables(tables)
        identity.update_links(con, [doc_id for doc_id, new in zip(documents.column("doc_id").to_pylist(), added) if new])
        try:
            columns = [documents.column(c).to_pylist() for c in ("doc_id", "title", "text")]
            search.index_documents(workspace, [row for row, new in zip(zip(*columns), added) if new])
            duplicates.update(workspace)
        except OSError as exc:  # a full disk or a size limit while indexing: said like the database's
            raise failure("write", workspace.path, exc) from exc
    return _accounts(documents, added)


@contextlib.contextmanager
def _one_thread(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB on one thread for the block: a batch's statements are small, and DuckDB's own threads
    cost more CPU in handing work over (~0.7 s per 1,000 articles) than they save, CPU that the
    extraction needs. The connection is the process's (the dashboard's queries too): reset after."""
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        with contextlib.suppress(duckdb.Error):  # a connection a failure has broken reports that failure
            con.execute("RESET threads")


def _accounts(documents: pa.Table, added: list[bool], shard: str | None = None) -> list[FileResult]:
    """Each document's outcome: added (or written to `shard`) when new, else stored meanwhile."""
    rows = documents.select(["file_name", "title", "doc_id", "note", "load_notes"]).to_pylist()
    if shard is not None:
        return [FileResult(r["file_name"], "sharded", r["title"], r["doc_id"], f"written to the shard {shard}",
                           tuple(r["load_notes"] or ())) for r in rows]
    return [FileResult(r["file_name"], "added" if new else "duplicate", r["title"], r["doc_id"],
                       r["note"] if new else "stored meanwhile by another ingest", tuple(r["load_notes"] or ()))
            for r, new in zip(rows, added)]
