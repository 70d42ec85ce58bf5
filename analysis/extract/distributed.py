"""Extraction on a Dask cluster (`distributed`): the same `Extractor` on every worker.

A local cluster (`workers` processes on this machine) or an existing one (its scheduler's
address) runs `Extractor.extract` on batches of documents, the model loaded once per worker
process and kept (`worker_extractor`); a local cluster's workers are forked with the model
already loaded (`worker_start`). Parsed spaCy Docs never leave the worker: each batch
comes back as Arrow columns (`rows.RowBatch`), or is written to a Parquet shard (`shards`)
with only the account of its files coming back. Batches are handed out a few per worker
thread ahead and come back as they finish; a batch on a worker that dies is redone by Dask
on another, which is safe because the extraction is pure and the store skips a document it
already holds.
"""
from __future__ import annotations

import contextlib
import logging
import multiprocessing.forkserver
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import settings
from analysis.model import RawDocument

from . import shards as shard_files
from .nlp import load_pipeline
from .pipeline import Extractor, in_batches
from .rows import RowBatch, row_batch

if TYPE_CHECKING:  # distributed is imported when a cluster is used: it takes a second
    from distributed import Client, LocalCluster


class ClusterUnavailable(RuntimeError):
    """The scheduler cannot be reached (or its address read); the message says which and why."""


@dataclass(frozen=True)
class ExtractionSettings:
    """What a worker needs to build the client's `Extractor` (a worker's own environment may differ)."""

    model: str
    batch_size: int
    chunk_chars: int
    language_models: tuple[tuple[str, str], ...]


_extractors: dict[ExtractionSettings, Extractor] = {}
_loading = threading.Lock()


def worker_extractor(config: ExtractionSettings) -> Extractor:
    """This worker process's `Extractor` for `config`, loaded by the first batch and kept for the next."""
    with _loading:
        if config not in _extractors:
            _extractors[config] = Extractor(config.model, config.batch_size, config.chunk_chars,
                                            dict(config.language_models))
        return _extractors[config]


def warm_up(model: str) -> None:
    """A worker's first task: load the model (kept by `load_pipeline`) before any batch needs it."""
    load_pipeline(model)


def extract_batch(raws: list[RawDocument], config: ExtractionSettings, shards: str | None) -> RowBatch:
    """A worker's task: a batch's rows as columns (or written to a shard under `shards`)."""
    batch = row_batch(worker_extractor(config).extract(raws))
    return shard_files.write(shards, batch) if shards else batch


def tapered_batches(raws: Sequence[RawDocument], size: int, threads: int) -> Iterator[list[RawDocument]]:
    """Batches of `size` documents, but the last `threads` batches' worth in batches of a quarter
    of that: at the end of an ingest the workers finish one after the other, each idle until the
    last is done, and smaller last batches shorten that wait (a batch's result does not depend on
    the batch: each document is extracted alone)."""
    head = max(0, len(raws) - threads * size) // size * size  # whole batches before the tail
    yield from in_batches(raws[:head], size)
    yield from in_batches(raws[head:], max(1, size // 4))


def forked_workers() -> contextlib.AbstractContextManager:
    """Dask settings under which a local cluster's nannies fork their workers (and a worker that
    died, again) from a fork server that has imported distributed and `worker_start`, and the
    workers run no profiler.

    The fork server is started now, so that it loads the model while the cluster's scheduler
    and nannies start; it serves every later local cluster of this process, and ends with it.
    distributed sets the fork server's imports on its first use of the method (its own and its
    dependencies'), so they are replaced after that, and only before the server has started.
    """
    import dask
    from distributed.utils import get_mp_context

    # No statistical profiler on the workers: it samples their stacks every 10 ms for a dashboard
    # that a local cluster does not start, taking the interpreter from spaCy at each sample.
    settings = dask.config.set({"distributed.worker.multiprocessing-method": "forkserver",
                                "distributed.worker.profile.enabled": False})
    get_mp_context().set_forkserver_preload(["distributed", f"{__package__}.worker_start"])
    with _importable_here():
        multiprocessing.forkserver.ensure_running()
    return settings


@contextlib.contextmanager
def _importable_here() -> Iterator[None]:
    """This project first on PYTHONPATH while the fork server starts: it imports its preloads
    from a new interpreter's path (Python 3.11 ignores the `sys_path` it is given), where a
    checkout run from elsewhere (a benchmark, a script) is not; a preload that fails to import
    is skipped without a word, and every worker then loads the model itself."""
    root, before = str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (root, before) if p)
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before


class DaskEngine:
    """Extraction on Dask: a local cluster of `workers` processes, or the cluster at `scheduler`.

    A context manager: the local cluster lives for the `with` block; an existing cluster is
    only connected to (and left running).
    """

    def __init__(self, scheduler: str | None = None, workers: int | None = None, shards: str | None = None,
                 model: str | None = None):
        # a plain path made absolute: the workers of a local cluster need not start where the client did
        self.shards = shards if shards is None or "://" in shards else str(Path(shards).resolve())
        self.scheduler, self.model = scheduler, model
        self.workers = workers or settings.process_plan().count
        self.client: Client | None = None
        self.warming: list = []  # the warm-up tasks' futures, held so that they run
        self.cluster: LocalCluster | None = None
        self.settings = contextlib.ExitStack()  # dask settings for the life of a local cluster

    def __enter__(self) -> DaskEngine:
        from distributed import Client, LocalCluster

        if self.scheduler:
            try:
                self.client = Client(self.scheduler)  # waits distributed.comm.timeouts.connect
            except (OSError, ValueError, TypeError) as err:  # refused, timed out, no such address
                raise ClusterUnavailable(f"cannot reach the Dask scheduler {self.scheduler}: {err}") from None
        else:  # one thread per worker process: spaCy holds the interpreter while it parses
            self.settings.enter_context(forked_workers())
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        # Each worker starts loading the model now, while the client reads the files: the first
        # batch then finds it loaded (`load_pipeline` keeps it) instead of waiting seconds for it.
        model = self.model or settings.model_name()
        self.warming = [self.client.submit(warm_up, model, workers=[worker], allow_other_workers=False, pure=False)
                        for worker in self.client.scheduler_info()["workers"]]
        return self

    def __exit__(self, *exc) -> None:
        self.warming = []
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.settings.close()
        self.client = self.cluster = None

    def describe(self) -> str:
        threads = sum(self._client().nthreads().values())
        where = f"the cluster at {self.scheduler}" if self.scheduler else "a local cluster"
        return f"Dask, {threads} worker thread{'' if threads == 1 else 's'} on {where}" + (
            f", rows written to shards in {self.shards}" if self.shards else "")

    def _client(self) -> Client:
        if self.client is None:
            raise RuntimeError("DaskEngine is used outside its `with` block")
        return self.client

    def extract(self, raws: Sequence[RawDocument], model: str | None, batch_size: int,
                chunk_chars: int) -> Iterator[RowBatch]:
        """Every batch of `raws`, extracted on the cluster, as each finishes."""
        from distributed import as_completed

        client = self._client()
        config = ExtractionSettings(model or settings.model_name(), batch_size, chunk_chars,
                                    tuple(sorted(settings.language_models().items())))
        threads = max(1, sum(client.nthreads().values()))
        pending = tapered_batches(raws, batch_size, threads)
        ahead = 2 * threads
        window = as_completed()

        def submit() -> None:
            batch = next(pending, None)
            if batch is not None:
                window.add(client.submit(extract_batch, batch, config, self.shards, pure=False))

        for _ in range(ahead):
            submit()
        for future in window:
            result = future.result()  # a worker's error (a model missing there) raises here
            future.release()
            submit()
            yield result
