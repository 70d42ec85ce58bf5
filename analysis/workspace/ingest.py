"""Ingest: loaded documents -> extraction -> the workspace, with a per-file account.

Shared by the CLI and the dashboard's uploader, so both report the same outcomes.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from analysis import settings
from analysis.model import Extraction, LoadError, RawDocument
from analysis.extract.pipeline import CHUNK_CHARS, extract_all
from . import duplicates, identity, search
from .store import Workspace, WorkspaceError, failure

Progress = Callable[[int, int, str], None]  # (done, total, file name)

# Extracted documents are written in batches of up to WRITE_DOCS, or of what is ready when the
# write interval is up. A write costs ~0.07 s whatever its size (a transaction over seven tables
# and the entity-name upkeep), so the interval starts short, for the first documents to show in
# the dashboard within a second, and doubles up to WRITE_SECONDS. Writes run on a thread of their
# own, one at a time: DuckDB lets go of the interpreter while it works, so the thread running spaCy
# goes on meanwhile (on spaCy's thread, writes cost 2-3 % of an ingest). A crash loses at most one
# interval of work, which a re-run redoes; progress is reported per document regardless.
WRITE_DOCS = 1024
WRITE_FIRST_SECONDS = 1.0
WRITE_SECONDS = 10.0


@dataclass(frozen=True)
class FileResult:
    file_name: str
    status: str  # "added" | "duplicate" | "failed"
    title: str | None = None
    doc_id: str | None = None
    reason: str | None = None  # why it failed or was skipped; for an added one, a note (no pipeline read it)
    notes: tuple[str, ...] = ()  # what loading changed in the document (see RawDocument.notes)


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

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

    def summary(self) -> str:
        """One line of counts, then one for each note on added documents (a language no pipeline reads)."""
        notes = Counter(r.reason for r in self.added if r.reason)
        return "\n".join([f"{len(self.added)} added, {len(self.duplicates)} skipped as duplicates, "
                          f"{len(self.failed)} failed"] + [f"{n} added with {note}" for note, n in notes.items()])


def ingest(
    workspace: Workspace,
    items: Iterable[RawDocument | LoadError],
    *,
    model: str | None = None,
    processes: int | None = None,
    batch_size: int | None = None,
    chunk_chars: int = CHUNK_CHARS,
    progress: Progress | None = None,
) -> IngestReport:
    """Store every new document of `items`; documents already stored are skipped before any NLP."""
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

    done = 0
    if progress:
        progress(0, len(todo), "")
    buffer: list[Extraction] = []
    since, interval = time.monotonic(), WRITE_FIRST_SECONDS
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer") as writer:
        writing: Future[list[FileResult]] | None = None

        def wait_for_write() -> None:
            nonlocal writing
            if writing is not None:
                report.results += writing.result()  # a failed write raises here, on the ingest's thread
                writing = None

        def flush() -> None:
            """Hand the buffer to the writer, once it has stored the previous batch."""
            nonlocal since, interval, writing
            wait_for_write()
            if buffer:
                writing = writer.submit(_write, workspace, buffer.copy())
                buffer.clear()
            since, interval = time.monotonic(), min(2 * interval, WRITE_SECONDS)

        try:
            for result in extract_all(todo, model, processes or settings.processes(), batch_size, chunk_chars):
                done += 1
                if isinstance(result, LoadError):
                    name = result.file_name
                    report.results.append(FileResult(name, "failed", reason=result.reason))
                else:
                    name = result.raw.file_name
                    buffer.append(result)
                    if len(buffer) >= max(batch_size, WRITE_DOCS) or time.monotonic() - since >= interval:
                        flush()
                if progress:
                    progress(done, len(todo), name)
            flush()
            wait_for_write()
        except WorkspaceError as err:  # the account of this run, in the one line the analyst gets
            stored = len(report.added)
            raise WorkspaceError(f"{err} ({stored} document{'' if stored == 1 else 's'} of this run stored"
                                 " before it; run again to add the rest)") from err
    return report


def _write(workspace: Workspace, extractions: list[Extraction]) -> list[FileResult]:
    """Store a batch, link its entities to those of earlier documents (`identity`), then index its new
    documents and find their near-duplicates; the account of each.

    All under one hold of the workspace lock, so no other process writes the index or the
    signatures in between; a crash after the documents' commit is mended by the next search
    (`search` module) and the next write (`duplicates` module).
    """
    with workspace.connect() as con:
        added = workspace.add(extractions)
        identity.update_links(con, [x for x, new in zip(extractions, added) if new])
        try:
            search.index_documents(workspace, [(x.doc_id, x.raw.title, x.raw.text)
                                               for x, new in zip(extractions, added) if new])
            duplicates.update(workspace)
        except OSError as exc:  # a full disk or a size limit while indexing: said like the database's
            raise failure("write", workspace.path, exc) from exc
    return [FileResult(x.raw.file_name, "added" if new else "duplicate", x.raw.title, x.doc_id,
                       x.note if new else "stored meanwhile by another ingest", x.raw.notes)
            for x, new in zip(extractions, added)]
