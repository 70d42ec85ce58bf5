"""Extraction on a real Dask cluster: a local one of 2 workers, and an existing scheduler with
workers started here (`dask scheduler` + `dask worker` on 127.0.0.1). The workspace must come
out as a plain ingest makes it, byte for byte in the CSV exports, whatever happens to a worker."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.extract.distributed import DaskEngine, tapered_batches
from analysis.loaders import load_paths
from analysis.present.export import to_csv_bytes
from analysis.workspace import queries
from analysis.workspace.ingest import IngestReport, Tick, ingest, load_shards
from analysis.workspace.store import Workspace

REPO = Path(__file__).resolve().parents[1]
PEOPLE = ["Ada Marsh", "Bruno Okafor", "Carla Lindqvist", "Dmitri Moreau", "Elena Tanaka", "Farid Varga"]
PLACES = ["Ravenmoor", "Hollin Bay", "Eastwick", "Tarnford"]
MONTHS = ["March", "April", "May", "June"]
STORIES = 24
BATCH = 2  # many small batches: the work is spread, and a worker dies holding some


def story(i: int) -> str:
    """A short fictional story with people, a place, a quote and dates."""
    who, other, place = PEOPLE[i % 6], PEOPLE[(i + 1) % 6], PLACES[i % 4]
    month = MONTHS[i % 4]
    return (f"{place} council backs plan {i}\n\n"
            f"{place.upper()}, {month} {i % 27 + 1}, 2024 - {who} of the {place} Council said on Monday that "
            f"budget line {i} would pass before {month} 30. \"We counted {i + 3} votes,\" {who.split()[1]} "
            f"told the {place} Gazette. {other} said the council would meet again in September.\n")


@pytest.fixture(scope="module", autouse=True)
def no_dask_thread_left() -> Iterator[None]:
    """After these tests, none of distributed's threads runs on in this process: later tests fork
    worker processes, which they may only do from a process with a single thread."""
    yield
    import threading

    from distributed import utils

    utils._offload_executor.shutdown(wait=True)  # its one thread, started on first use and never ended
    assert not [t.name for t in threading.enumerate() if t.name.startswith("Dask")]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("stories")
    for i in range(STORIES):
        (folder / f"story-{i:03d}.txt").write_text(story(i), encoding="utf-8")
    (folder / "broken.docx").write_bytes(b"this is no Word file")
    return folder


def exports(ws: Workspace) -> dict[str, bytes]:
    """The CSV exports of every document-derived table."""
    return {"documents": to_csv_bytes(queries.documents_table(ws)), "mentions": to_csv_bytes(queries.all_mentions(ws)),
            "quotes": to_csv_bytes(queries.quotes_table(ws)), "events": to_csv_bytes(queries.events_table(ws)),
            "entities": to_csv_bytes(queries.entity_table(ws))}


def failures(report: IngestReport) -> list[tuple[str, str | None]]:
    return sorted((r.file_name, r.reason) for r in report.failed)


@pytest.fixture(scope="module")
def plain(corpus, tmp_path_factory) -> tuple[IngestReport, dict[str, bytes]]:
    ws = Workspace(tmp_path_factory.mktemp("plain"))
    report = ingest(ws, load_paths([corpus]), processes=1, batch_size=BATCH)
    assert len(report.added) == STORIES and len(report.failed) == 1
    tables = exports(ws)
    assert all(tables[t].count(b"\n") > 2 for t in ("mentions", "quotes", "events")), "the stories must yield rows"
    return report, tables


def same_as_plain(ws: Workspace, report: IngestReport, plain) -> None:
    plain_report, plain_tables = plain
    assert failures(report) == failures(plain_report)
    same_tables(ws, plain_tables)


def same_tables(ws: Workspace, plain_tables: dict[str, bytes]) -> None:
    assert exports(ws) == plain_tables
    assert ws.query("SELECT count(*) = count(DISTINCT doc_id) AS once FROM documents")["once"].item()


def test_a_local_cluster_of_two_workers_stores_what_a_plain_ingest_does(corpus, plain, tmp_path) -> None:
    ws = Workspace(tmp_path / "ws")
    ticks: list[Tick] = []
    def forked_with_the_model() -> bool:  # imported only by the fork server the workers are forked from
        import sys

        return "analysis.extract.worker_start" in sys.modules and "spacy" in sys.modules

    def profiling(dask_worker) -> bool:  # client.run passes the worker under this name
        return "profile" in dask_worker.periodic_callbacks

    with DaskEngine(workers=2) as engine:
        assert len(engine.client.nthreads()) == 2
        assert all(engine.client.run(forked_with_the_model).values())
        assert not any(engine.client.run(profiling).values())
        report = ingest(ws, load_paths([corpus]), batch_size=BATCH, progress=ticks.append, engine=engine)
        assert report.engine == "extracted by Dask, 2 worker threads on a local cluster"
    same_as_plain(ws, report, plain)
    assert ticks[-1].done == ticks[-1].total == STORIES and ticks[-1].words == ticks[-1].total_words > 0
    again = ingest(ws, load_paths([corpus]), batch_size=BATCH, engine=None)
    assert len(again.duplicates) == STORIES and not again.added


def test_two_local_processes_store_what_one_does(corpus, plain, tmp_path) -> None:
    """The worker process sends its batches back as columns, this process converts its own
    records: the workspace is the same as one process makes."""
    ws = Workspace(tmp_path / "ws")
    report = ingest(ws, load_paths([corpus]), processes=2, batch_size=BATCH)
    assert report.engine.startswith("extracted by 2 processes")
    same_as_plain(ws, report, plain)


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local cluster of 2 worker processes (each under a nanny that restarts it if it dies)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local.scheduler_address


@pytest.mark.parametrize("where", ["existing cluster", "engine's own local cluster"])
def test_a_worker_killed_mid_ingest_loses_nothing_and_stores_nothing_twice(corpus, plain, where, request,
                                                                          tmp_path) -> None:
    """On the engine's own cluster the nanny forks the killed worker again from the fork server."""
    ws = Workspace(tmp_path / "ws")
    killed: list[str] = []
    place = {"scheduler": request.getfixturevalue("cluster")} if where == "existing cluster" else {"workers": 2}
    with DaskEngine(**place) as engine:
        client = engine.client
        pids = client.run(os.getpid)

        def kill_a_busy_worker(tick: Tick) -> None:
            if killed or not tick.done:
                return
            busy = [worker for worker, tasks in client.processing().items() if tasks]
            assert busy, "some batches must still be with a worker"
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])

        report = ingest(ws, load_paths([corpus]), batch_size=BATCH, progress=kill_a_busy_worker, engine=engine)
    assert killed, "a worker was killed while it held batches"
    same_as_plain(ws, report, plain)


def test_shards_written_by_workers_load_once_however_often_loaded(corpus, plain, cluster, tmp_path) -> None:
    ws = Workspace(tmp_path / "ws")
    shards = tmp_path / "shards"
    with DaskEngine(scheduler=cluster, shards=str(shards)) as engine:
        report = ingest(ws, load_paths([corpus]), batch_size=BATCH, engine=engine)
    assert len(report.sharded) == STORIES and not report.added and failures(report) == failures(plain[0])
    assert ws.query("SELECT count(*) AS n FROM documents")["n"].item() == 0, "shards are stored by load-shards"
    first = load_shards(ws, str(shards))
    assert len(first.added) == STORIES
    ws.release()  # the command line's turn
    second = subprocess.run([sys.executable, "-m", "analysis", "load-shards", str(shards), "--workspace", str(ws.path)],
                            capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            timeout=300)
    assert second.returncode == 0, second.stderr
    assert f"0 added, {STORIES} skipped as duplicates, 0 failed" in second.stdout
    same_tables(ws, plain[1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def started(*command: str) -> Iterator[subprocess.Popen]:
    """A process in a session of its own, killed with everything it started when the block ends."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(command, env=env, cwd=REPO, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def test_an_existing_scheduler_from_the_command_line(corpus, plain, tmp_path) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    with started("dask", "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                 "--no-dashboard"), \
         started("dask", "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"):
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        result = subprocess.run([sys.executable, "-m", "analysis", "ingest", str(corpus), "--workspace",
                                 str(tmp_path / "ws"), "--engine", "dask", "--scheduler", address,
                                 "--batch-size", str(BATCH)],
                                capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                                timeout=300)
    assert result.returncode == 1, result.stderr  # the broken file
    assert f"{STORIES} added, 0 skipped as duplicates, 1 failed" in result.stdout
    assert f"extracted by Dask, 2 worker threads on the cluster at {address}" in result.stdout
    plain_report, _ = plain
    assert f"failed: {plain_report.failed[0].file_name}: {plain_report.failed[0].reason}" in result.stderr
    same_tables(Workspace(tmp_path / "ws"), plain[1])


def test_an_unreachable_scheduler_is_a_one_line_error(corpus, tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "analysis", "ingest", str(corpus), "--workspace", str(tmp_path / "ws"),
                             "--engine", "dask", "--scheduler", f"tcp://127.0.0.1:{_free_port()}"],
                            capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO),
                                                                          "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},
                            timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot reach the Dask scheduler tcp://127.0.0.1:")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("documents", [0, 5, 64, 65, 100, 1000])
def test_the_last_batches_are_smaller_and_every_document_goes_once_in_order(documents: int) -> None:
    """The workers' last wave is a quarter-size batch each, so none waits long for the others."""
    batches = list(tapered_batches(list(range(documents)), 32, 2))
    assert [d for batch in batches for d in batch] == list(range(documents))
    sizes = [len(b) for b in batches]
    assert sizes == sorted(sizes, reverse=True) and set(sizes) <= {32, *range(1, 9)}
    size_of = [len(b) for b in batches for _ in b]
    assert all(n <= 8 for n in size_of[-64:])  # two workers' last full batches, in quarters
