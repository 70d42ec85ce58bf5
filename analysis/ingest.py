"""Ingest: loaded documents -> extraction -> the workspace, with a per-file account.

Shared by the CLI and the dashboard's uploader, so both report the same outcomes.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import settings
from .model import Extraction, LoadError, RawDocument
from .pipeline import CHUNK_CHARS, extract_all
from .store import Workspace

Progress = Callable[[int, int, str], None]  # (done, total, file name)

# Extracted documents are written in batches of up to this many, or of what is ready after this
# many seconds: one transaction per batch costs milliseconds whatever its size, so few large
# ones are cheap, and the dashboard still sees documents arrive every second or two.
WRITE_DOCS = 512
WRITE_SECONDS = 2.0


@dataclass(frozen=True)
class FileResult:
    file_name: str
    status: str  # "added" | "duplicate" | "failed"
    title: str | None = None
    doc_id: str | None = None
    reason: str | None = None


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
        return (f"{len(self.added)} added, {len(self.duplicates)} skipped as duplicates, "
                f"{len(self.failed)} failed")


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
                                             "already in the workspace"))
        else:
            stored.add(raw.doc_id)
            todo.append(raw)

    done = 0
    if progress:
        progress(0, len(todo), "")
    buffer: list[Extraction] = []
    since = time.monotonic()

    def flush() -> None:
        nonlocal since
        for x, new in zip(buffer, workspace.add(buffer)):
            report.results.append(FileResult(x.raw.file_name, "added" if new else "duplicate", x.raw.title,
                                             x.doc_id, None if new else "stored meanwhile by another ingest"))
        buffer.clear()
        since = time.monotonic()

    for result in extract_all(todo, model, processes or settings.processes(), batch_size, chunk_chars):
        done += 1
        if isinstance(result, LoadError):
            name = result.file_name
            report.results.append(FileResult(name, "failed", reason=result.reason))
        else:
            name = result.raw.file_name
            buffer.append(result)
            if len(buffer) >= max(batch_size, WRITE_DOCS) or time.monotonic() - since >= WRITE_SECONDS:
                flush()
        if progress:
            progress(done, len(todo), name)
    flush()
    return report
