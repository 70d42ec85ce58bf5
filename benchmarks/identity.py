"""Cost of cross-document identity linking at ingest, on Reuters-21578.

    python benchmarks/identity.py                # 2,000 articles
    python benchmarks/identity.py --docs 300     # a quick look

A real ingest (`ingest.ingest`, spaCy and all, one process) of the first `--docs` articles, with
`identity.update_links` (run after each stored batch, for that batch's keys only) timed: its
seconds over the ingest's wall time. Target: under 5 % (exit 1 when missed). The machine is shared,
so the share is what to compare, within one run. Also prints how many links were made, by kind,
and a few examples. The corpus is read from ../shared at run time; skips (exit 0) when absent.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, without installing

from analysis.workspace import identity, ingest  # noqa: E402
from analysis.workspace.store import Workspace  # noqa: E402
from benchmarks.search import CORPUS, articles  # noqa: E402
from benchmarks.stopwatch import timing  # noqa: E402

TARGET_SHARE = 0.05


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"skip: corpus {CORPUS} not found, nothing measured")
        return 0
    raws = articles(args.docs)
    with timing(identity, "update_links") as spent, tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "ws")
        start = time.perf_counter()
        report = ingest.ingest(ws, raws, processes=1)
        wall = time.perf_counter() - start
        kinds = ws.query("SELECT split_part(reason, ':', 1) AS kind, count(*) AS links FROM entity_links "
                         "GROUP BY 1 ORDER BY 2 DESC")
        examples = ws.query("SELECT entity_key, linked_to, reason FROM entity_links ORDER BY random() LIMIT 12")
    share = spent.seconds / wall
    print(f"ingest of {len(report.added)} articles: {wall:.1f} s; identity linking {spent.seconds:.2f} s in "
          f"{spent.calls} batches ({100 * share:.1f} %, target < {100 * TARGET_SHARE:.0f} %: "
          f"{'PASS' if share < TARGET_SHARE else 'FAIL'})")
    print(kinds.to_string(index=False))
    print(examples.to_string(index=False))
    return 0 if share < TARGET_SHARE else 1


if __name__ == "__main__":
    sys.exit(main())
