"""Dashboard speed on a big workspace: every page query, the CSV export, and start-up, in one run.

    python benchmarks/queries.py --workspace /tmp/nl-20k      # build once (minutes), reuse after
    python benchmarks/queries.py --workspace /tmp/nl-20k --runs 9 --no-dashboard
    python benchmarks/queries.py --docs 2000 --workspace /tmp/nl-2k   # a quick, smaller one

The workspace is filled with Reuters-21578 articles (records with a body, distinct by content
hash, in file order) through the product's own ingest (`--processes`, default 2). The corpus
has about 19,500 distinct bodies: to reach 20,000 the first ones are added again with a line
"(benchmark copy N)" at the end, so they are new documents to the store. A workspace given
with `--workspace` that already holds enough documents is reused as it is.

Measured, each the median of `--runs` calls (default 7), each call as the pages make it
(`analysis.queries` with a `Workspace`, so every call pays the store's open-and-lock):
  - every function of `analysis.queries` that the dashboard and its pages call (found by
    reading dashboard.py, pages/ and ui/), with no filter and with an entity filter on the
    most mentioned entity, when the function takes a filter;  target: median < 200 ms;
  - the CSV export of all mentions, `to_csv_bytes(queries.all_mentions(ws))`;  target < 3 s;
  - the dashboard's start: `streamlit run dashboard.py` until /_stcore/health answers, and the
    first render in a fresh process (`AppTest.from_file("dashboard.py").run()`, import time
    included);  target < 1.5 s. Whether the first render imported spaCy is reported.
The corpus is read from ../shared at run time; the benchmark skips (exit 0) when it is absent.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, without installing

from ingest import CORPUS, corpus_records as distinct_records  # noqa: E402  (benchmarks/ is on sys.path)

TARGET_QUERY_MS = 200.0
TARGET_EXPORT_S = 3.0
TARGET_START_S = 1.5


# --- the workspace -----------------------------------------------------------------------

def corpus_records(limit: int, path: Path = CORPUS) -> list[dict]:
    """`limit` records with distinct bodies; copies of the first ones (marked) when the corpus runs out."""
    records = distinct_records(limit, path)
    distinct, copy = len(records), 1
    while len(records) < limit:
        for record in records[:distinct]:
            if len(records) >= limit:
                break
            records.append({**record, "id": f"{record['id']}-copy{copy}",
                            "text": record["text"].rstrip() + f"\n\n(benchmark copy {copy})\n"})
        copy += 1
    return records


def build_workspace(path: Path, docs: int, processes: int, batch_size: int | None) -> None:
    """Ingest articles into `path` until it holds `docs` documents (an ingest skips those stored)."""
    from analysis.ingest import ingest
    from analysis.model import RawDocument
    from analysis.store import Workspace

    ws = Workspace(path)
    have = int(ws.query("SELECT count(*) AS n FROM documents")["n"][0])
    if have >= docs:
        print(f"reusing {path}: {have:,} documents")
        return
    records = corpus_records(docs)
    raws = [RawDocument(text=r["text"], file_name="reuters21578.jsonl", title=r["title"], record_id=r["id"],
                        date=r["date"], date_source="batch-column" if r["date"] else None) for r in records]
    words = sum(len(r.text.split()) for r in raws)
    print(f"building {path}: {docs:,} articles ({words:,} words), {have:,} already stored, "
          f"{processes} process(es)…", flush=True)
    start, last = time.perf_counter(), [0.0]

    def progress(done: int, total: int, _name: str) -> None:
        now = time.perf_counter()
        if now - last[0] > 30 or done == total:
            last[0] = now
            print(f"  {done:,}/{total:,} after {now - start:,.0f} s", flush=True)

    report = ingest(ws, raws, processes=processes, batch_size=batch_size, progress=progress)
    print(f"built in {time.perf_counter() - start:,.0f} s: {report.summary()}")


# --- what the pages ask ------------------------------------------------------------------

def page_queries() -> list[str]:
    """Names of the `analysis.queries` functions that dashboard.py, pages/ and ui/ call."""
    from analysis import queries

    names: set[str] = set()
    for source in [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]:
        if source.exists():
            names |= set(re.findall(r"\bqueries\.([a-z_][a-z0-9_]*)\b", source.read_text(encoding="utf-8")))
    return sorted(n for n in names if inspect.isfunction(getattr(queries, n, None)))


def call_plan(ws, names: list[str]) -> list[tuple[str, Callable[[], object]]]:
    """(label, zero-argument call) for each page query, with and without the entity filter."""
    from analysis import queries
    from analysis.queries import Filters

    top = queries.entity_table(ws, limit=2)
    entity, other = top["entity"].iloc[0], top["entity"].iloc[1]
    doc_id = ws.query("""SELECT doc_id FROM quotes GROUP BY doc_id ORDER BY count(*) DESC, doc_id LIMIT 1""")["doc_id"][0]
    # arguments the pages pass, by parameter name
    values: dict[str, object] = {"entity": entity, "a": entity, "b": other, "doc_id": doc_id,
                                 "search": "", "limit": None, "entities": (), "speakers": (), "mentioning": ()}
    special: dict[str, dict[str, object]] = {
        "entity_table": {"limit": None},
        "documents_table": {"search": ""},
        "quotes_involving": {"entities": (entity,)},
        "mentions_over_time": {"freq": "week"},
        "documents_per_period": {"freq": "week"},
    }
    plan: list[tuple[str, Callable[[], object]]] = []
    for name in names:
        fn = getattr(queries, name)
        params = list(inspect.signature(fn).parameters.values())[1:]  # after the workspace
        kwargs: dict[str, object] = {}
        takes_filters = False
        missing = []
        for p in params:
            if p.name == "filters":
                takes_filters = True
            elif p.name in special.get(name, {}):
                kwargs[p.name] = special[name][p.name]
            elif p.default is not inspect.Parameter.empty:
                continue
            elif p.name in values:
                kwargs[p.name] = values[p.name]
            else:
                missing.append(p.name)
        if missing:
            plan.append((f"{name} (not measured: no value for {', '.join(missing)})", None))
            continue
        if takes_filters:
            plan.append((name, lambda fn=fn, kw=kwargs: fn(ws, filters=Filters(), **kw)))
            plan.append((f"{name} [entity filter]",
                         lambda fn=fn, kw=kwargs: fn(ws, filters=Filters(entities=(entity,)), **kw)))
        else:
            plan.append((name, lambda fn=fn, kw=kwargs: fn(ws, **kw)))
    return plan


def median_seconds(call: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


# --- dashboard start-up ------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_health_seconds(workspace: Path, timeout: float = 60.0) -> float | None:
    """`streamlit run dashboard.py` until its health endpoint answers "ok" (the server is up)."""
    port = _free_port()
    env = {**os.environ, "NEWSROOM_LENS_WORKSPACE": str(workspace)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < timeout and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as answer:
                    if answer.read().strip() == b"ok":
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.02)
        return None
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


FIRST_RENDER = """
import json, sys, time
start = time.perf_counter()
from streamlit.testing.v1 import AppTest
imported = time.perf_counter()
app = AppTest.from_file("dashboard.py", default_timeout=120)
app.run()
done = time.perf_counter()
print(json.dumps({"seconds": done - start, "import": imported - start, "run": done - imported,
                  "exceptions": [str(e.value)[:300] for e in app.exception], "spacy": "spacy" in sys.modules,
                  "thinc": "thinc" in sys.modules}))
"""


def first_render(workspace: Path) -> dict:
    """Wall time of a fresh process importing Streamlit's AppTest and running the home page once."""
    env = {**os.environ, "NEWSROOM_LENS_WORKSPACE": str(workspace)}
    done = subprocess.run([sys.executable, "-c", FIRST_RENDER], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        return {"error": done.stderr[-1500:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- main --------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default=None,
                        help="workspace folder, built when it holds fewer than --docs documents "
                             "(default: a new temporary one, removed after)")
    parser.add_argument("--docs", type=int, default=20000, help="documents in the workspace (default 20000)")
    parser.add_argument("--processes", type=int, default=2, help="processes for building (default 2)")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--runs", type=int, default=7, help="calls per query, the median counts (default 7)")
    parser.add_argument("--no-dashboard", action="store_true", help="skip the dashboard start-up figures")
    parser.add_argument("--build-only", action="store_true", help="build the workspace and stop")
    parser.add_argument("--only", default=None, help="measure only queries whose name contains this")
    args = parser.parse_args(argv)

    if not CORPUS.exists():
        print(f"skipped: corpus not found at {CORPUS}")
        return 0
    temporary = args.workspace is None
    path = Path(args.workspace or tempfile.mkdtemp(prefix="nl-bench-queries-"))
    try:
        build_workspace(path, args.docs, args.processes, args.batch_size)
        if args.build_only:
            return 0
        return measure(path, args)
    finally:
        if temporary:
            import shutil

            shutil.rmtree(path, ignore_errors=True)


def measure(path: Path, args: argparse.Namespace) -> int:
    from analysis import queries
    from analysis.export import to_csv_bytes
    from analysis.store import Workspace

    ws = Workspace(path)
    counts = ws.query("""SELECT (SELECT count(*) FROM documents) AS documents, (SELECT count(*) FROM mentions) AS mentions,
                                (SELECT count(*) FROM quotes) AS quotes, (SELECT count(*) FROM events) AS events,
                                (SELECT count(*) FROM sentences) AS sentences""").iloc[0]
    size = sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    print(f"workspace {path}: " + ", ".join(f"{int(v):,} {k}" for k, v in counts.items())
          + f"; {size / 2**20:,.0f} MB on disk; load average {os.getloadavg()[0]:.1f}")
    failures = 0

    def line(label: str, shown: str, target: str, ok: bool | None) -> None:
        nonlocal failures
        failures += ok is False
        print(f"{label:52s} {shown:>36s}   {target:10s} {'' if ok is None else verdict(ok)}")

    open_cost, _ = median_seconds(lambda: ws.query("SELECT 1"), max(args.runs, 15))
    line("store open + lock + trivial query (info)", f"{open_cost * 1000:,.1f} ms", "", None)

    names = page_queries()
    plan = call_plan(ws, names)
    print(f"\n{len(names)} page queries: {', '.join(names)}")
    print(f"{'query':52s} {'median ms (min-max)':>36s}   target")
    slowest = 0.0
    for label, call in plan:
        if args.only and args.only not in label:
            continue
        if call is None:
            line(label, "-", "", None)
            continue
        call()  # warm: the first call of a process pays imports and DuckDB's first plan
        median, times = median_seconds(call, args.runs)
        slowest = max(slowest, median)
        line(label, f"{median * 1000:,.1f} ({min(times) * 1000:,.0f}-{max(times) * 1000:,.0f})",
             f"< {TARGET_QUERY_MS:.0f} ms", median * 1000 < TARGET_QUERY_MS)

    export_runs = max(3, args.runs // 2)
    fetch, _ = median_seconds(lambda: queries.all_mentions(ws), export_runs)
    frame = queries.all_mentions(ws)
    export, _ = median_seconds(lambda: to_csv_bytes(queries.all_mentions(ws)), export_runs)
    line(f"CSV export of all mentions ({len(frame):,} rows)", f"{export:,.2f} s (query {fetch:,.2f} s)",
         f"< {TARGET_EXPORT_S:.0f} s", export < TARGET_EXPORT_S)

    if not args.no_dashboard:
        health = [streamlit_health_seconds(path) for _ in range(2)]
        shown = ", ".join("none" if h is None else f"{h:.2f} s" for h in health)
        ok = all(h is not None for h in health) and statistics.median(health) < TARGET_START_S
        line("streamlit run -> /_stcore/health ok", shown, f"< {TARGET_START_S} s", ok)
        renders = [first_render(path) for _ in range(2)]
        errors = [r["error"] for r in renders if "error" in r]
        if errors:
            line("first render (AppTest, fresh process)", "error", f"< {TARGET_START_S} s", False)
            print(errors[0])
        else:
            seconds = [r["seconds"] for r in renders]
            line("first render (AppTest, fresh process)", ", ".join(f"{s:.2f} s" for s in seconds),
                 f"< {TARGET_START_S} s", statistics.median(seconds) < TARGET_START_S)
            line("  of which importing streamlit.testing (info)", ", ".join(f"{r['import']:.2f} s" for r in renders),
                 "", None)
            line("  of which running the home page (info)", ", ".join(f"{r['run']:.2f} s" for r in renders), "", None)
            line("  spaCy imported by the first render", ", ".join(str(r["spacy"]) for r in renders), "False",
                 not any(r["spacy"] for r in renders))
            for r in renders:
                for e in r["exceptions"]:
                    print(f"  exception on the page: {e}")
    print(f"load average at the end {os.getloadavg()[0]:.1f} (2 cores: above 2, other programs share the CPU)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
