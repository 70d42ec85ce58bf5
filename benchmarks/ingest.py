"""Ingest speed and memory on real news (Reuters-21578) against bare spaCy, in one run.

    python benchmarks/ingest.py                          # 5,000 articles, 1 and 2 processes, twice
    python benchmarks/ingest.py --docs 500 --repeat 1    # a quick look
    python benchmarks/ingest.py --processes 2 --batch-size 16,32,64   # choose a batch size
    python benchmarks/ingest.py --docs 1500 --dask --no-reingest      # also the default and Dask ingests
    python benchmarks/ingest.py --docs 1000 --dask-only               # only Dask against plain 2 processes

What is compared, per process count P and batch size B, in the same run:
  bare    `nlp.pipe(texts, n_process=P, batch_size=B)` with spaCy's own pipeline for the model
          (`analysis.extract.nlp.load_spacy`: as it ships, less the lemmatizer no extractor reads;
          the product's pipeline adds paragraph breaks and runs the attribute ruler as a table
          lookup, `extract.attribute_table`), texts already in memory;
  ingest  `analysis.workspace.ingest.ingest(workspace, load_paths([jsonl]), processes=P, batch_size=B)`
          into a new workspace: load, NLP, entities, quotes, dates and store, end to end;
  again   the same ingest once more into the same workspace (every article a duplicate).
With `--dask`, each round also runs
  default the same ingest with no process count (every usable core, `settings.process_plan`),
          against bare spaCy in 1 process (target >= 1.5x on a 2-core machine);
  dask    the ingest on a local Dask cluster of 2 workers (`--engine dask --workers 2`), against
          the plain 2-process ingest (target >= 0.9x), with the client's own CPU seconds (the
          phase process: loading, the scheduler, storing; not the workers) per 1,000 documents,
          which bounds how many workers one client can feed.
With `--dask-only`, each round runs only the plain 2-process ingest and the Dask one (in
alternating order) and splits the Dask ingest's time: the cluster's start, reading the files,
until the first batch is back, the first to the last batch (documents per second), storing the
last batch, and the client's CPU seconds in each.
Each phase runs in a fresh Python process, after the model is loaded there (worker start-up
inside `pipe`/`ingest` is timed, as it is part of what a user waits for). Phases alternate
(bare, ingest, bare, ingest ...) so that load from other programs on the machine hits both
alike; `--repeat` runs the whole set again, every other round in the reverse order (ingest
before bare, P=2 before P=1) so that the machine's drift in speed favours neither side, and the
verdicts use the median of the per-round ratios (an even number of rounds is fairest). Words
are whitespace-separated tokens of the texts. Memory is the peak summed RSS of the phase's
process tree (the phase process and its workers) over the whole phase, sampled every 50 ms by
the launching process (its process list, with psutil if installed, else from /proc, every 0.5 s);
the peak summed PSS, which counts the pages forked workers share once, sampled every 2 s, is
printed beside it as info.
CPU seconds (the tree's user+system time) are printed too: on a busy machine words per
CPU-second is steadier than wall time.

Articles are the corpus records with a body, distinct by content hash, in file order. The
corpus is read from ../shared at run time and never stored in the repository; the benchmark
skips (exit 0) when it is absent.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, without installing

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "reuters21578.jsonl"

# Targets of the "Speed and memory" issue.
TARGET_VS_BARE = 0.9  # ingest words/s over bare spaCy words/s, same P and B
TARGET_SCALING = 1.7  # ingest words/s with 2 processes over 1 process
TARGET_MEMORY_MB = 1024  # peak of a 2-process ingest of 5,000 articles
TARGET_REINGEST = 50.0  # first ingest time over re-ingest time
TARGET_DEFAULT_VS_BARE_1 = 1.5  # default ingest (every core) over bare spaCy in 1 process, 2 cores
TARGET_DASK_VS_PLAIN = 0.9  # Dask ingest with 2 workers over the plain 2-process ingest


# --- corpus ------------------------------------------------------------------------------

def corpus_records(limit: int, path: Path = CORPUS) -> list[dict]:
    """The first `limit` records with a body, distinct by content hash (as the store sees them)."""
    from analysis.model import document_id

    seen: set[str] = set()
    records: list[dict] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = record.get("text") or ""
            if not text.strip():
                continue
            key = document_id(text)
            if key in seen:
                continue
            seen.add(key)
            records.append({k: record.get(k) for k in ("id", "date", "title", "text")})
            if len(records) >= limit:
                break
    return records


def write_jsonl(records: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


# --- measuring a process tree ------------------------------------------------------------

def _tree_pids_proc(root: int) -> set[int]:
    """`root` and its descendants, read from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return tree


def tree_pids(root: int) -> set[int]:
    """`root` and its descendants (psutil if installed, else /proc)."""
    try:
        import psutil
    except ImportError:
        return _tree_pids_proc(root)
    try:
        proc = psutil.Process(root)
        return {proc.pid, *(child.pid for child in proc.children(recursive=True))}
    except psutil.Error:
        return set()


def _proc_kb(pid: int, file: str, field: str) -> int:
    """A "Field:  N kB" line of /proc/PID/FILE, in bytes (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/{file}") as lines:
            for line in lines:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_rss(pids: set[int]) -> int:
    """Summed RSS (bytes) of `pids`: a page shared by forked workers (the model's weights, mapped
    files) counts once per process."""
    return sum(_proc_kb(pid, "status", "VmRSS") for pid in pids)


def tree_pss(pids: set[int]) -> int:
    """Summed PSS (bytes) of `pids`, which splits a shared page among the processes sharing it: what
    the tree takes from the machine (0 where /proc has no smaps_rollup)."""
    return sum(_proc_kb(pid, "smaps_rollup", "Pss") for pid in pids)


class PeakMemory:
    """Samples the summed RSS of process `root`'s tree, from a thread of this process, until stopped.

    It runs in the process that launched the phase, not in the phase itself: a thread there
    would make the phase multi-threaded, and then its worker processes are spawned, not forked
    (`analysis.extract.pipeline._start_method`), unlike the CLI's.
    The sampling must not take CPU from the phase, which on a 2-core machine runs 2 processes:
    RSS is read every `interval` (/proc/PID/status, ~0.03 ms a process), the process list every
    PIDS_EVERY samples (~2 ms) and PSS every PSS_EVERY samples (smaps_rollup walks the process's
    page tables: ~8 ms for 500 MB). Read every 50 ms, all three took ~35 % of a core and slowed the
    2-process phases they measured.
    """

    PIDS_EVERY = 10
    PSS_EVERY = 40

    def __init__(self, root: int, interval: float = 0.05):
        self.root, self.interval, self.peak, self.peak_pss, self._stop = root, interval, 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        pids, sample = {self.root}, 0
        while not self._stop.is_set():
            if sample % self.PIDS_EVERY == 0:
                pids = tree_pids(self.root) or pids
            self.peak = max(self.peak, tree_rss(pids))
            if sample % self.PSS_EVERY == 0:
                self.peak_pss = max(self.peak_pss, tree_pss(pids))
            sample += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def own_cpu_seconds() -> float:
    """User+system time of this process alone (a Dask client's, without its cluster's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def cpu_seconds() -> float:
    """User+system time of this process and of its children that have been waited for."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _reap_children(timeout: float = 10.0) -> None:
    """Wait for finished worker processes, so their CPU time is counted."""
    import multiprocessing

    deadline = time.monotonic() + timeout
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.02)


# --- one phase, in its own process -------------------------------------------------------

def run_phase(args: argparse.Namespace) -> dict:
    from analysis.extract.nlp import load_pipeline, load_spacy
    from analysis.loaders import load_paths

    nlp = load_spacy(args.model) if args.phase == "bare" else load_pipeline(args.model)
    data = Path(args.data)
    if args.phase == "bare":
        texts = [item.text for item in load_paths([data])]
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        n = sum(1 for _ in nlp.pipe(texts, batch_size=args.batch_size, n_process=args.processes))
        seconds = time.perf_counter() - t0
        _reap_children()
        return {"seconds": seconds, "cpu": cpu_seconds() - cpu0, "docs": n}

    from analysis.workspace.ingest import ingest
    from analysis.workspace.store import Workspace

    ws = Workspace(args.workspace)
    timed = None
    with contextlib.ExitStack() as stack:
        cpu0, own0, t0 = cpu_seconds(), own_cpu_seconds(), time.perf_counter()
        engine = None
        if args.engine == "dask":  # the cluster's start is part of the wait, as in the CLI
            from analysis.extract.distributed import DaskEngine

            timed = TimedEngine(stack.enter_context(DaskEngine(workers=args.processes)), t0, own0)
            engine = timed
        report = ingest(ws, load_paths([data]), model=args.model, processes=args.processes or None,
                        batch_size=args.batch_size, engine=engine)
        seconds = time.perf_counter() - t0
        own = own_cpu_seconds() - own0
    closed = time.perf_counter() - t0
    _reap_children()
    split = {} if timed is None else {"split": {**timed.split(seconds), "close": closed - seconds}}
    return {"seconds": seconds, "cpu": cpu_seconds() - cpu0, "client_cpu": own, "added": len(report.added),
            "duplicates": len(report.duplicates), "failed": len(report.failed), "engine": report.engine, **split}


class TimedEngine:
    """An engine that notes when it was ready and when each batch came back, and the client's CPU
    seconds then: where a Dask ingest's time goes (cluster start, reading the files, the first
    batch, the steady state, the tail)."""

    def __init__(self, engine, t0: float, cpu0: float):
        self.engine, self.t0, self.cpu0 = engine, t0, cpu0
        self.ready = (time.perf_counter() - t0, own_cpu_seconds() - cpu0)
        self.marks: list[tuple[float, int, float]] = []  # (seconds since t0, documents, client CPU)

    def describe(self) -> str:
        return self.engine.describe()

    def extract(self, raws, model, batch_size, chunk_chars):
        self.marks.append((time.perf_counter() - self.t0, 0, own_cpu_seconds() - self.cpu0))
        for batch in self.engine.extract(raws, model, batch_size, chunk_chars):
            self.marks.append((time.perf_counter() - self.t0, batch.documents, own_cpu_seconds() - self.cpu0))
            yield batch

    def split(self, seconds: float) -> dict:
        """Seconds of: `cluster` start, `read` (files read and checked, until extraction starts),
        `first` (until the first batch is back), `steady` (the first to the last batch back; its
        documents per second), `last` (storing the last batch); the client's CPU seconds of each."""
        (ready, cpu_ready), (start, _, cpu_start) = self.ready, self.marks[0]
        (first, _, cpu_first), (last, _, cpu_last) = self.marks[1], self.marks[-1]
        steady_docs = sum(docs for _, docs, _ in self.marks[2:])
        return {"cluster": ready, "read": start - ready, "first": first - start, "steady": last - first,
                "steady_docs_per_s": steady_docs / (last - first) if last > first else 0.0,
                "last": seconds - last, "batches": len(self.marks) - 1,
                "cpu": {"cluster": cpu_ready, "read": cpu_start - cpu_ready, "first": cpu_first - cpu_start,
                        "steady": cpu_last - cpu_first}}


def phase(name: str, data: Path, processes: int, batch_size: int, model: str, workspace: Path | None = None,
          engine: str = "local") -> dict:
    """Run one phase in a fresh process; `processes` 0 is the product's default (every usable core)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", name, "--data", str(data),
               "--processes", str(processes), "--batch-size", str(batch_size), "--model", model, "--engine", engine]
    if workspace is not None:
        command += ["--workspace", str(workspace)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    with PeakMemory(child.pid) as memory:
        stdout, stderr = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"phase {name} (P={processes}, B={batch_size}) failed:\n{stderr[-3000:]}")
    return {**json.loads(stdout.strip().splitlines()[-1]), "peak_rss": memory.peak, "peak_pss": memory.peak_pss}


# --- the report --------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} (runs: {', '.join(f'{v:.2f}' for v in values)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000, help="articles (default 5000)")
    parser.add_argument("--processes", default="1,2", help="process counts, comma-separated (default 1,2)")
    parser.add_argument("--batch-size", default=None,
                        help="batch sizes, comma-separated (default: the product's, NEWSROOM_LENS_BATCH_SIZE or 32)")
    parser.add_argument("--repeat", type=int, default=2, help="rounds of every phase (default 2)")
    parser.add_argument("--model", default=None)
    parser.add_argument("--workspace", default=None,
                        help="folder for the benchmark's workspaces (default: a temporary folder, removed after)")
    parser.add_argument("--no-reingest", action="store_true", help="skip the re-ingest phase")
    parser.add_argument("--dask", action="store_true",
                        help="also the default ingest (every core) and a Dask ingest with 2 workers, each round")
    parser.add_argument("--dask-only", action="store_true",
                        help="only the Dask ingest (2 workers) against the plain 2-process ingest, each round, "
                             "with where the Dask ingest's time goes")
    parser.add_argument("--engine", choices=("local", "dask"), default="local", help=argparse.SUPPRESS)
    # internal: one phase in a fresh process
    parser.add_argument("--phase", choices=("bare", "ingest"), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    from analysis import settings

    args.model = args.model or settings.model_name()
    if args.phase:
        args.processes, args.batch_size = int(args.processes), int(args.batch_size)
        print(json.dumps(run_phase(args)))
        return 0

    if not CORPUS.exists():
        print(f"skipped: corpus not found at {CORPUS}")
        return 0
    process_counts = [int(p) for p in args.processes.split(",")]
    batch_sizes = [int(b) for b in (args.batch_size or str(settings.batch_size())).split(",")]

    records = corpus_records(args.docs)
    words = sum(len(r["text"].split()) for r in records)
    base = Path(args.workspace) if args.workspace else Path(tempfile.mkdtemp(prefix="nl-bench-ingest-"))
    base.mkdir(parents=True, exist_ok=True)
    data = base / "articles.jsonl"
    write_jsonl(records, data)
    print(f"{len(records)} articles, {words:,} words; model {args.model}; processes {process_counts}; "
          f"batch sizes {batch_sizes}; {args.repeat} round(s); load average {os.getloadavg()[0]:.1f} at start")

    if args.dask_only:
        try:
            return dask_rounds(data, batch_sizes[0], args.model, base / "ws", args.repeat, words, len(records))
        finally:
            if not args.workspace:
                shutil.rmtree(base, ignore_errors=True)
    results: dict[tuple[int, int], list[dict]] = {}
    engines: list[dict] = []
    try:
        for round_ in range(args.repeat):
            # Every other round runs its phases in the reverse order: this machine's speed drifts
            # by 10-20 % within minutes, and a drift must not always favour the phase that runs first.
            flip = round_ % 2 == 1
            for batch in batch_sizes:
                for procs in (process_counts[::-1] if flip else process_counts):
                    ws = base / f"ws-p{procs}-b{batch}-r{round_}"
                    shutil.rmtree(ws, ignore_errors=True)
                    bare = None if flip else phase("bare", data, procs, batch, args.model)
                    ing = phase("ingest", data, procs, batch, args.model, ws)
                    again = None if args.no_reingest else phase("ingest", data, procs, batch, args.model, ws)
                    if bare is None:
                        bare = phase("bare", data, procs, batch, args.model)
                    shutil.rmtree(ws, ignore_errors=True)
                    if ing["added"] != len(records) or ing["failed"]:
                        print(f"  warning: ingest added {ing['added']}, failed {ing['failed']} of {len(records)}")
                    if again is not None and again["duplicates"] != len(records):
                        print(f"  warning: re-ingest found {again['duplicates']} duplicates of {len(records)}")
                    row = {"bare": bare, "ingest": ing, "again": again}
                    results.setdefault((procs, batch), []).append(row)
                    line = (f"round {round_ + 1} P={procs} B={batch}: bare {words / bare['seconds']:,.0f} words/s "
                            f"({words / bare['cpu']:,.0f}/cpu-s, peak {bare['peak_rss'] / 2**20:,.0f} MB), "
                            f"ingest {words / ing['seconds']:,.0f} words/s ({words / ing['cpu']:,.0f}/cpu-s, "
                            f"peak {ing['peak_rss'] / 2**20:,.0f} MB) = {bare['seconds'] / ing['seconds']:.2f}x bare")
                    if again is not None:
                        line += f"; re-ingest {again['seconds']:.2f} s"
                    print(line + f"; load average {os.getloadavg()[0]:.1f}", flush=True)
            if args.dask:
                engines.append(engine_round(data, batch_sizes[0], args.model, base / f"ws-engines-r{round_}", flip,
                                            words))
    finally:
        if not args.workspace:
            shutil.rmtree(base, ignore_errors=True)

    print("\nfigure                                         measured                                  target")
    extra_failures = report_engines(engines, results, words, len(records), batch_sizes[0])
    failures = 0

    def report(name: str, values: list[float], ok: bool, target: str, unit: str = "") -> None:
        nonlocal failures
        failures += not ok
        print(f"{name:46s} {spread(values) + unit:42s} {target:14s} {verdict(ok)}")

    for (procs, batch), rows in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        tag = f"P={procs} B={batch}"
        wall = [r["bare"]["seconds"] / r["ingest"]["seconds"] for r in rows]
        cpu = [r["bare"]["cpu"] / r["ingest"]["cpu"] for r in rows]
        print(f"{'  ' + tag + ' ingest words/s':46s} {spread([words / r['ingest']['seconds'] for r in rows])}")
        print(f"{'  ' + tag + ' bare spaCy words/s':46s} {spread([words / r['bare']['seconds'] for r in rows])}")
        report(f"ingest / bare spaCy, {tag}", wall, statistics.median(wall) >= TARGET_VS_BARE, f">= {TARGET_VS_BARE}x",
               "x")
        print(f"{'  (same, by CPU time; info)':46s} {spread(cpu)}x")
        if procs == 2:
            peak = [r["ingest"]["peak_rss"] / 2**20 for r in rows]
            bare_peak = [r["bare"]["peak_rss"] / 2**20 for r in rows]
            note = "" if len(records) >= 5000 else f" [{len(records)} articles, target is for 5,000]"
            report(f"peak memory, 2-process ingest, {tag}", peak, max(peak) < TARGET_MEMORY_MB,
                   f"< {TARGET_MEMORY_MB} MB", " MB" + note)
            print(f"{'  (bare spaCy 2-process peak; info)':46s} {spread(bare_peak)} MB")
            pss = [r["ingest"]["peak_pss"] / 2**20 for r in rows]
            print(f"{'  (same ingest, summed PSS: shared pages once; info)':46s} {spread(pss)} MB")
        if rows[0]["again"] is not None:
            speedup = [r["ingest"]["seconds"] / r["again"]["seconds"] for r in rows]
            report(f"re-ingest speed-up, {tag}", speedup, statistics.median(speedup) >= TARGET_REINGEST,
                   f">= {TARGET_REINGEST:.0f}x", "x")
    for batch in batch_sizes:
        if (1, batch) in results and (2, batch) in results:
            ones, twos = results[(1, batch)], results[(2, batch)]
            scale = [one["ingest"]["seconds"] / two["ingest"]["seconds"] for one, two in zip(ones, twos)]
            report(f"ingest 2 processes / 1 process, B={batch}", scale, statistics.median(scale) >= TARGET_SCALING,
                   f">= {TARGET_SCALING}x", "x")
            bare_scale = [one["bare"]["seconds"] / two["bare"]["seconds"] for one, two in zip(ones, twos)]
            print(f"{'  (bare spaCy 2 / 1 process; info)':46s} {spread(bare_scale)}x")
    print(f"load average at the end {os.getloadavg()[0]:.1f} (2 cores: above 2, other programs share the CPU)")
    return 1 if failures or extra_failures else 0


def engine_round(data: Path, batch: int, model: str, ws: Path, flip: bool, words: int) -> dict:
    """The default ingest and the Dask ingest of one round, in alternating order, each in a new workspace."""
    row = {}
    for name, procs, engine in ([("dask", 2, "dask"), ("default", 0, "local")] if flip else
                                [("default", 0, "local"), ("dask", 2, "dask")]):
        shutil.rmtree(ws, ignore_errors=True)
        row[name] = phase("ingest", data, procs, batch, model, ws, engine=engine)
        shutil.rmtree(ws, ignore_errors=True)
        print(f"  {name}: {words / row[name]['seconds']:,.0f} words/s, {row[name]['seconds']:.1f} s "
              f"({row[name]['engine']}); client CPU {row[name]['client_cpu']:.1f} s; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
    return row


def dask_rounds(data: Path, batch: int, model: str, ws: Path, repeat: int, words: int, docs: int) -> int:
    """`--dask-only`: the plain 2-process ingest and the Dask one, alternating which goes first,
    each round in a new workspace; the ratio, and the split of the Dask ingest's time."""
    ratios: list[float] = []
    for round_ in range(repeat):
        row = {}
        for name, engine in (("dask", "dask"), ("plain", "local"))[:: 1 if round_ % 2 else -1]:
            shutil.rmtree(ws, ignore_errors=True)
            row[name] = phase("ingest", data, 2, batch, model, ws, engine=engine)
            shutil.rmtree(ws, ignore_errors=True)
        dask, plain = row["dask"], row["plain"]
        if dask["added"] != docs or plain["added"] != docs:
            print(f"  warning: added {dask['added']} (Dask) and {plain['added']} (plain) of {docs}")
        ratios.append(plain["seconds"] / dask["seconds"])
        split, cpu = dask["split"], dask["split"]["cpu"]
        print(f"round {round_ + 1} B={batch}: plain 2 processes {plain['seconds']:.1f} s, Dask 2 workers "
              f"{dask['seconds']:.1f} s = {ratios[-1]:.2f}x; Dask split: cluster {split['cluster']:.1f} s, "
              f"read {split['read']:.1f} s, first batch {split['first']:.1f} s, steady {split['steady']:.1f} s "
              f"({split['steady_docs_per_s']:.1f} docs/s, {split['batches']} batches), last store "
              f"{split['last']:.2f} s (close {split['close']:.1f} s); client CPU {dask['client_cpu']:.1f} s "
              f"(cluster {cpu['cluster']:.1f}, read {cpu['read']:.1f}, first {cpu['first']:.1f}, "
              f"steady {cpu['steady']:.1f}); plain {docs / plain['seconds']:.1f} docs/s; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
    ok = statistics.median(ratios) >= TARGET_DASK_VS_PLAIN
    print(f"Dask 2 workers / plain 2 processes, B={batch}: {spread(ratios)}x, target >= {TARGET_DASK_VS_PLAIN}x "
          f"{verdict(ok)}; load average at the end {os.getloadavg()[0]:.1f}")
    return 0 if ok else 1


def report_engines(engines: list[dict], results: dict[tuple[int, int], list[dict]], words: int, docs: int,
                   batch: int) -> int:
    """The default and Dask figures against the same round's bare 1-process and plain 2-process runs."""
    if not engines:
        return 0
    failures = 0

    def line(name: str, values: list[float], ok: bool | None, target: str, unit: str = "") -> None:
        nonlocal failures
        failures += ok is False
        print(f"{name:46s} {spread(values) + unit:42s} {target:14s} {'info' if ok is None else verdict(ok)}")

    if (1, batch) in results:
        ratio = [r["bare"]["seconds"] / e["default"]["seconds"] for e, r in zip(engines, results[(1, batch)])]
        line(f"default ingest / bare spaCy 1 process, B={batch}", ratio,
             statistics.median(ratio) >= TARGET_DEFAULT_VS_BARE_1, f">= {TARGET_DEFAULT_VS_BARE_1}x", "x")
    if (2, batch) in results:
        ratio = [r["ingest"]["seconds"] / e["dask"]["seconds"] for e, r in zip(engines, results[(2, batch)])]
        line(f"Dask 2 workers / plain 2 processes, B={batch}", ratio,
             statistics.median(ratio) >= TARGET_DASK_VS_PLAIN, f">= {TARGET_DASK_VS_PLAIN}x", "x")
    line("Dask client CPU s per 1,000 documents", [1000 * e["dask"]["client_cpu"] / docs for e in engines], None,
         "(scale limit)", " s")
    line("  Dask words/s", [words / e["dask"]["seconds"] for e in engines], None, "")
    line("  default ingest words/s", [words / e["default"]["seconds"] for e in engines], None, "")
    return failures


if __name__ == "__main__":
    sys.exit(main())
