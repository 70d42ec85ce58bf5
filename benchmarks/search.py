"""Search and near-duplicate benchmarks on Reuters-21578.

    python benchmarks/search.py                  # 20,000 articles, 1,500 for the ingest shares
    python benchmarks/search.py --docs 2000 --ingest-docs 300   # a quick look

What is measured:
  latency   p50 / p90 of `search.search(ws, query, limit=20)` (ranked hits with snippets, titles and
            dates from the database) and of `search.matching_ids` (every match: what the global filter
            uses, uncached) over typical queries, each run 15 times, on a workspace of `--docs`
            articles stored without NLP (search reads only titles and text);
  rebuild   indexing all `--docs` articles from the database at once (`search.rebuild`);
  shares    a real ingest (`ingest.ingest`, spaCy and all) of `--ingest-docs` articles, timing the
            index writes (`search.index_documents`) and the near-duplicate step (`duplicates.update`)
            it runs: their seconds over the ingest's wall time;
  near-dup  precision and recall on a generated set: distinct originals plus edited copies (a
            byline added, a correction appended, words changed, the last sentence cut), against the
            truth of which copy came from which original.

Targets: p50 under 50 ms for a typical query, index writes under 10 % and near-duplicates under
3 % of ingest time (exit 1 when one is missed). The corpus is read from ../shared at run time; the benchmark skips (exit 0)
when it is absent.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, without installing

from analysis.model import Extraction, RawDocument  # noqa: E402
from analysis.workspace import duplicates, ingest, search  # noqa: E402
from analysis.workspace.store import Workspace  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "reuters21578.jsonl"
QUERIES = ["oil", "opec", '"oil prices"', "bank AND rate", "wheat OR corn", "coffee -brazil",
           "(tariff OR tariffs) AND japan", "export*", "reagan~", '"federal reserve" AND NOT dollar']
TARGET_P50_MS = 50.0
TARGET_INDEX_SHARE = 0.10
TARGET_DEDUP_SHARE = 0.03
BYLINES = ["By Anna Lindqvist, Reuters", "By Tom Okafor", "Reporting by Hugo Sato; editing by Ines Varga"]


def articles(limit: int, min_words: int = 0) -> list[RawDocument]:
    """The first `limit` corpus records with a body (at least `min_words` words), distinct by content."""
    docs, seen = [], set()
    with CORPUS.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = record.get("text") or ""
            if len(text.split()) < max(min_words, 1):
                continue
            raw = RawDocument(text=text, file_name="reuters.jsonl", title=record.get("title"),
                              date=record.get("date"), record_id=str(record.get("id", "")) or None)
            if raw.doc_id not in seen:
                seen.add(raw.doc_id)
                docs.append(raw)
            if len(docs) == limit:
                break
    return docs


def store_without_nlp(ws: Workspace, raws: list[RawDocument], batch: int = 1000) -> None:
    """Store (and index, and sign) documents as the ingest's writer does, with no entities."""
    for start in range(0, len(raws), batch):
        ingest._write(ws, [Extraction(r.doc_id, r, r.date, "metadata" if r.date else None, len(r.text.split()),
                                      [], [], [], []) for r in raws[start:start + batch]])


# --- the generated near-duplicate set -------------------------------------------------------------

def distinct(raws: list[RawDocument], limit: float = 0.3) -> list[RawDocument]:
    """Documents none of which shares more than `limit` of its 3-grams (Jaccard) with one kept before."""
    kept, sets = [], []
    for raw in raws:
        grams = set(duplicates.shingles(raw.text))
        if all(len(grams & other) / len(grams | other) <= limit for other in sets):
            kept.append(raw)
            sets.append(grams)
    return kept


def edited_copy(raw: RawDocument, rng: random.Random, n: int) -> RawDocument:
    """The same story with small edits, as wire copies and corrections differ."""
    text = raw.text
    kind = n % 4
    if kind == 0:
        text = f"{rng.choice(BYLINES)}\n\n{text}"
    elif kind == 1:
        text += "\n\nCORRECTION: an earlier version of this story misstated a figure in the third paragraph."
    elif kind == 2:
        words = text.split(" ")
        for i in rng.sample(range(len(words)), max(1, len(words) // 25)):  # 4 % of the words changed
            words[i] = rng.choice(["the", "said", "new", "also", "would", "about", "its"])
        text = " ".join(words)
    else:
        sentences = re.split(r"(?<=\.)\s+", text.strip())
        text = " ".join(sentences[:-1]) if len(sentences) > 3 else text + " Reuter"
        text = f"UPDATE 1-{text}"
    return RawDocument(text=text, file_name=f"copy-{n}.txt", title=raw.title)


def near_duplicate_set(originals: list[RawDocument], copies: int, seed: int = 5
                       ) -> tuple[list[RawDocument], dict[str, str]]:
    """Edited copies of the first originals, and the truth: copy doc_id -> its original's."""
    rng = random.Random(seed)
    made, truth = [], {}
    for n in range(copies):
        original = originals[n % len(originals)]
        copy = edited_copy(original, rng, n)
        if copy.doc_id not in truth and copy.doc_id != original.doc_id:
            made.append(copy)
            truth[copy.doc_id] = original.doc_id
    return made, truth


def precision_recall(ws: Workspace, truth: dict[str, str]) -> tuple[float, float, int]:
    """Of the pairs found, the share that are true; of the true pairs, the share found; how many found."""
    found = dict(ws.query("SELECT doc_id, duplicate_of FROM near_duplicates").itertuples(index=False))
    right = sum(1 for copy, original in found.items() if truth.get(copy) == original)
    return (right / len(found) if found else 1.0), right / len(truth), len(found)


# --- the measurements -----------------------------------------------------------------------------

def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def latency(ws: Workspace, repeat: int = 15) -> bool:
    """p50/p90 of a ranked search and of finding all matches; whether the ranked p50 meets the target."""
    search.search(ws, "warm up")  # the first search opens and reconciles the index
    p50s = {}
    for name, run in (("search (top 20, snippets)", lambda q: search.search(ws, q, limit=20)),
                      ("matching_ids (all matches)", lambda q: search._matching.__wrapped__(ws.path, 0, q))):
        times = []
        for _ in range(repeat):
            for query in QUERIES:
                start = time.perf_counter()
                run(query)
                times.append((time.perf_counter() - start) * 1000)
        p50s[name] = statistics.median(times)
        print(f"  {name:28s} p50 {p50s[name]:6.1f} ms  p90 {_percentile(times, 90):6.1f} ms  ({len(times)} runs)")
    passed = p50s["search (top 20, snippets)"] < TARGET_P50_MS
    print(f"  ranked search p50, target < {TARGET_P50_MS:.0f} ms: {'PASS' if passed else 'FAIL'}")
    counts = {q: len(search.matching_ids(ws, q)) for q in QUERIES}
    print("  matches: " + ", ".join(f"{q} {n}" for q, n in counts.items()))
    return passed


def ingest_shares(n: int) -> bool:
    """A real ingest with the index and near-duplicate steps timed."""
    raws = articles(n)
    spent = {"index": 0.0, "dedup": 0.0}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start
        return wrapper

    ingest.search.index_documents = timed("index", search.index_documents)
    ingest.duplicates.update = timed("dedup", duplicates.update)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "ws")
        start = time.perf_counter()
        report = ingest.ingest(ws, raws)
        wall = time.perf_counter() - start
    index_share, dedup_share = spent["index"] / wall, spent["dedup"] / wall
    print(f"ingest of {len(report.added)} articles: {wall:.1f} s; index writes {spent['index']:.2f} s "
          f"({100 * index_share:.1f} %, target < {100 * TARGET_INDEX_SHARE:.0f} %: "
          f"{'PASS' if index_share < TARGET_INDEX_SHARE else 'FAIL'}); near-duplicates {spent['dedup']:.2f} s "
          f"({100 * dedup_share:.1f} %, target < {100 * TARGET_DEDUP_SHARE:.0f} %: "
          f"{'PASS' if dedup_share < TARGET_DEDUP_SHARE else 'FAIL'})")
    return index_share < TARGET_INDEX_SHARE and dedup_share < TARGET_DEDUP_SHARE


def near_duplicates(n_originals: int = 600, copies: int = 400) -> None:
    originals = distinct(articles(n_originals, min_words=60))
    made, truth = near_duplicate_set(originals, copies)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "ws")
        store_without_nlp(ws, originals)
        store_without_nlp(ws, made, batch=50)
        precision, recall, found = precision_recall(ws, truth)
    print(f"near-duplicates: {len(originals)} distinct originals + {len(made)} edited copies: "
          f"{found} found, precision {precision:.3f}, recall {recall:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--ingest-docs", type=int, default=1500)
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} not found")
        return 0
    raws = articles(args.docs)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "ws")
        start = time.perf_counter()
        store_without_nlp(ws, raws)
        print(f"{len(raws)} articles stored, indexed and signed without NLP in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        search.rebuild(ws)
        print(f"rebuild of the index from the database: {time.perf_counter() - start:.2f} s")
        fast = latency(ws)
    near_duplicates()
    cheap = ingest_shares(args.ingest_docs)
    return 0 if fast and cheap else 1


if __name__ == "__main__":
    sys.exit(main())
