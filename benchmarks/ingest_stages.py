"""Where a 1-process ingest spends its CPU beyond spaCy's own `nlp.pipe`, on Reuters-21578.

    python benchmarks/ingest_stages.py               # 400 articles
    python benchmarks/ingest_stages.py --docs 1000

In one process, with the model and the extractors' tables loaded first (their loading is timed
and printed apart: once per process, not per article): bare `nlp.pipe` over the texts (the floor:
spaCy's own pipeline, `nlp.load_spacy`), then a
real 1-process ingest (`ingest.ingest`, into a new workspace) with each stage's function patched
to count the CPU time of the thread calling it (`time.thread_time`), exclusive of the stages it
calls (so the lines add up). The main thread's CPU not spent in a stage is spaCy's `nlp.pipe`
and the loop around it, less the writes (`ingest._write`, on the same thread between batches): the
store, the search index, near-duplicates and links; "other threads" is what the main thread did
not run: DuckDB's and tantivy's own threads. Figures are CPU seconds per 1,000 articles: steadier than wall time on a shared machine,
but a busy machine still slows every line alike by some percent, so compare within one run.
The last line sets the 1-process ingest's wall time against bare spaCy's.
Info only (exit 0); the targets are `ingest.py`'s. Skips (exit 0) without the corpus.
"""
from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, without installing

from benchmarks.ingest import CORPUS, corpus_records, write_jsonl

# (module or class, attribute, stage name): every function a stage is made of, as callers look it up
STAGES: list[tuple[str, str, str]] = [
    ("analysis.workspace.ingest", "extraction_tables", "store: rows to Arrow columns"),
    ("analysis.workspace.store.Workspace", "add_tables", "store: DuckDB transaction + aggregates"),
    ("analysis.workspace.identity", "update_links", "store: identity links"),
    ("analysis.workspace.search", "index_documents", "store: search index (tantivy)"),
    ("analysis.workspace.duplicates", "update", "store: near-duplicates (MinHash, LSH)"),
    ("analysis.extract.pipeline", "detect_language", "language detection"),
    ("analysis.extract.pipeline.Extractor", "_caps_entities", "ALL-CAPS lines NER pass"),
    ("analysis.extract.pipeline", "extract_document", "extract: other (sentences, spans, Extraction)"),
    ("analysis.extract.pipeline", "document_date", "extract: document date"),
    ("analysis.extract.pipeline", "masthead", "extract: masthead (dateline)"),
    ("analysis.extract.pipeline", "paragraph_starts", "extract: paragraphs"),
    ("analysis.extract.pipeline", "common_word_heading", "extract: common-word headings"),
    ("analysis.extract.pipeline", "find_quotes", "extract: quotes"),
    ("analysis.extract.pipeline", "find_events", "extract: dated events"),
    ("analysis.extract.pipeline", "speaker_name_spans", "extract: speaker names"),
    ("analysis.extract.pipeline", "alias_mentions", "extract: aliases"),
    ("analysis.extract.pipeline", "fix_mentions", "extract: mention fixes"),
    ("analysis.extract.pipeline", "canonicalise", "extract: canonical entities"),
    ("analysis.extract.pipeline", "filter_people", "extract: people filter"),
    ("analysis.extract.pipeline", "_attach_entities", "extract: entities of quotes/events"),
    ("analysis.workspace.ingest._Pace", "add", "progress"),
]


class Ledger:
    """CPU seconds per stage, exclusive of nested stages, per thread."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.local = threading.local()

    def wrap(self, stage: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            stack = self.local.__dict__.setdefault("stack", [])
            stack.append(0.0)  # CPU of nested stages, subtracted from this one
            start = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent = time.thread_time() - start
                nested = stack.pop()
                self.seconds[stage] += spent - nested
                if stack:
                    stack[-1] += spent
        return timed


def _owner(path: str) -> Any:
    import importlib

    module, _, cls = path.rpartition(".")
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError:
        return getattr(importlib.import_module(module), cls)


@contextlib.contextmanager
def patched(ledger: Ledger) -> Iterator[None]:
    """Every function of `STAGES` timed into `ledger` for the block, then put back."""
    originals = []
    for path, name, stage in STAGES:
        owner = _owner(path)
        original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        originals.append((owner, name, original))
        setattr(owner, name, ledger.wrap(stage, original))
    try:
        yield
    finally:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--batch-size", type=int, default=None)
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"skipped: corpus not found at {CORPUS}")
        return 0
    from analysis import settings
    from analysis.extract.nlp import load_spacy
    from analysis.extract.pipeline import Extractor
    from analysis.loaders import load_paths
    from analysis.workspace import ingest
    from analysis.workspace.store import Workspace

    batch = args.batch_size or settings.batch_size()
    records = corpus_records(args.docs)
    per = 1000 / len(records)
    nlp = load_spacy(settings.model_name())
    with tempfile.TemporaryDirectory(prefix="nl-bench-stages-") as tmp:
        data = Path(tmp) / "articles.jsonl"
        write_jsonl(records, data)
        # Loaded once per process, not per article: the extractors' tables (timed here, as one line),
        # then the store's first write (its index, its near-duplicate index) on three articles.
        start = time.process_time()
        Extractor(settings.model_name(), batch).warm()
        first_use = time.process_time() - start
        warm = Workspace(Path(tmp) / "warm")
        ingest.ingest(warm, list(load_paths([data]))[:3], processes=1, batch_size=batch)
        texts = [raw.text for raw in load_paths([data])]
        start, bare_start = time.process_time(), time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=batch):
            pass
        bare, bare_wall = time.process_time() - start, time.perf_counter() - bare_start

        ledger = Ledger()
        threads: dict[str, float] = {}
        original_write = ingest._write

        def write(*a: Any, **k: Any) -> Any:  # the writes' whole CPU, nested stages included
            before = time.thread_time()
            try:
                return original_write(*a, **k)
            finally:
                threads["writer"] = threads.get("writer", 0.0) + time.thread_time() - before

        ws = Workspace(Path(tmp) / "ws")
        process0, main0, wall0 = time.process_time(), time.thread_time(), time.perf_counter()
        load0 = time.thread_time()
        raws = list(load_paths([data]))
        load = time.thread_time() - load0
        with patched(ledger):
            ingest._write = ledger.wrap("store: other (accounts, concat)", write)  # outermost: the thread total
            try:
                report = ingest.ingest(ws, raws, processes=1, batch_size=batch)
            finally:
                ingest._write = original_write
        main_cpu = time.thread_time() - main0
        total, wall = time.process_time() - process0, time.perf_counter() - wall0
        shutil.rmtree(Path(tmp) / "ws", ignore_errors=True)

    words = sum(len(r["text"].split()) for r in records)
    print(f"{len(report.added)} articles, {words:,} words, batch size {batch}; CPU seconds per 1,000 articles")
    main_stages = {k: v for k, v in ledger.seconds.items() if not k.startswith("store:")}
    writer = threads.get("writer", 0.0)
    spacy_rest = main_cpu - load - sum(main_stages.values()) - writer
    rows = [("bare nlp.pipe (same texts; the floor)", bare), ("-", 0.0),
            ("loading + hashing (+ derived titles)", load), ("nlp.pipe in the ingest, and its loop", spacy_rest)]
    rows += sorted(main_stages.items(), key=lambda kv: -kv[1])
    rows += sorted(((k, v) for k, v in ledger.seconds.items() if k.startswith("store:")), key=lambda kv: -kv[1])
    others = total - main_cpu
    stages = load + sum(ledger.seconds.values()) + others
    rows += [("other threads (DuckDB, tantivy)", others), ("-", 0.0),
             ("the stages above, beyond nlp.pipe (steady figure)", stages),
             ("ingest, whole process", total),
             ("ingest beyond bare nlp.pipe (both noisy)", total - bare)]
    for name, seconds in rows:
        print("" if name == "-" else f"  {name:50s} {seconds * per:7.2f} s  {100 * seconds / bare:5.1f} % of bare")
    print(f"  (once per process, not above: the extractors' tables loaded on first use, {first_use:.2f} s;"
          f" {100 * first_use / (bare * per):.1f} % of bare spaCy on 1,000 articles)")
    print(f"\nwall time: bare {bare_wall:.1f} s, ingest {wall:.1f} s = {bare_wall / wall:.2f}x bare"
          f" ({bare / total:.2f}x by CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
