"""Full-text search: exact against a brute-force scan of the same documents, consistent with the store after a crash."""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from analysis.model import Extraction, RawDocument
from analysis.workspace import ingest, search
from analysis.workspace.search_query import QueryError, parse
from analysis.workspace.store import Workspace

REPO = Path(__file__).resolve().parents[1]
REUTERS = REPO.parent / "shared" / "corpus" / "reuters21578.jsonl"
VOCAB = ("oil price prices priced opec vienna tehran teheran wheat canada export exports minister said "
         "talks gas pipeline crude barrel cocoa coffee bank rate rates cut storm harbour").split()


def extraction(raw: RawDocument) -> Extraction:
    """A document as the store takes it, without NLP: search reads only title and text."""
    return Extraction(raw.doc_id, raw, None, None, len(raw.text.split()), [], [], [], [])


def store(ws: Workspace, raws: list[RawDocument]) -> None:
    """Store and index the documents the way the ingest's writer does."""
    ingest._write(ws, [extraction(r) for r in raws])


def generated(n: int, seed: int = 7) -> list[RawDocument]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        words = [rng.choice(VOCAB) for _ in range(rng.randint(3, 40))]
        title = " ".join(rng.choice(VOCAB) for _ in range(3)).title()
        docs.append(RawDocument(text=" ".join(words) + f". Story {i}.", file_name=f"g{i}.txt", title=title))
    return docs


def reuters(n: int) -> list[RawDocument]:
    if not REUTERS.exists():
        return []
    docs = []
    with REUTERS.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("text", "").strip():
                docs.append(RawDocument(text=record["text"], file_name="reuters.jsonl", title=record.get("title")))
            if len(docs) == n:
                break
    return docs


# --- the brute force: words as the index splits them, checked by plain Python ---------------------

def words(text: str | None) -> list[str]:
    folded = unicodedata.normalize("NFKD", (text or "").lower()).encode("ascii", "ignore").decode()
    return [w for w in re.findall(r"[a-z0-9]+", folded) if len(w) < 40]


def has(*phrase: str):
    """The words, next to each other in the title or in the text."""
    n = len(phrase)
    return lambda fields: any(list(phrase) == ws[i:i + n] for ws in fields for i in range(len(ws) - n + 1))


def prefix(p: str):
    return lambda fields: any(w.startswith(p) for ws in fields for w in ws)


def within(word: str, distance: int):
    return lambda fields: any(edits(word, w) <= distance for ws in fields for w in ws)


def edits(a: str, b: str) -> int:
    """Levenshtein distance with a swap of neighbours counting one (tantivy's fuzzy distance)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def AND(*ps):
    return lambda f: all(p(f) for p in ps)


def OR(*ps):
    return lambda f: any(p(f) for p in ps)


def NOT(p):
    return lambda f: not p(f)


CASES = {
    "oil": has("oil"),
    "OIL": has("oil"),
    "oil price": AND(has("oil"), has("price")),
    "oil AND price": AND(has("oil"), has("price")),
    '"oil price"': has("oil", "price"),
    '"crude oil prices"': has("crude", "oil", "prices"),
    "oil OR wheat": OR(has("oil"), has("wheat")),
    "oil AND NOT opec": AND(has("oil"), NOT(has("opec"))),
    "oil -opec": AND(has("oil"), NOT(has("opec"))),
    "NOT oil": NOT(has("oil")),
    "(oil OR gas) AND NOT (opec OR vienna)": AND(OR(has("oil"), has("gas")), NOT(OR(has("opec"), has("vienna")))),
    '"oil price" OR cocoa -coffee': OR(has("oil", "price"), AND(has("cocoa"), NOT(has("coffee")))),
    "pric*": prefix("pric"),
    "export* canada": AND(prefix("export"), has("canada")),
    "tehran~": within("tehran", 1),
    "teheran~2 -minister": AND(within("teheran", 2), NOT(has("minister"))),
    "U.S.": has("u", "s"),
    "and": has("and"),
    "harbour-master": has("harbour", "master"),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Workspace, dict[str, list[list[str]]]]:
    ws = Workspace(tmp_path_factory.mktemp("search") / "ws")
    # a dotted abbreviation and a stop word, which the Reuters stories bring when ../shared is there
    abbreviations = RawDocument(text="U.S. wheat and cocoa exports rose.", file_name="abbrev.txt", title="U.S. Trade")
    raws = generated(400) + [abbreviations] + reuters(600)
    for start in range(0, len(raws), 250):  # several writes, as an ingest makes them
        store(ws, raws[start:start + 250])
    fields = {r.doc_id: [words(r.title), words(r.text)] for r in raws}
    return ws, fields


@pytest.mark.parametrize("query", list(CASES))
def test_search_finds_exactly_what_a_scan_of_the_documents_finds(corpus, query) -> None:
    ws, fields = corpus
    expected = {doc_id for doc_id, f in fields.items() if CASES[query](f)}
    assert set(search.matching_ids(ws, query)) == expected
    assert 0 < len(expected) or query == "harbour-master"


def test_results_are_ranked_with_marked_escaped_snippets(corpus) -> None:
    ws, fields = corpus
    hits = search.search(ws, '"oil price"', limit=5)
    assert list(hits.columns) == ["doc_id", "title", "date", "score", "snippet", "snippet_html"]
    assert 0 < len(hits) <= 5
    assert hits["score"].is_monotonic_decreasing
    assert all("<mark>" in h for h in hits["snippet_html"])
    top = search.search(ws, "cocoa", limit=None)
    assert len(top) == len(search.matching_ids(ws, "cocoa"))


def test_snippets_escape_the_documents_html(tmp_path) -> None:
    ws = Workspace(tmp_path / "ws")
    store(ws, [RawDocument(text='The board — «Ærø» — said <script>alert(1)</script> appeared next to the tariff notice.',
                           file_name="x.txt", title="Notice")])
    hit = search.search(ws, "tariff OR aero")
    assert "<script>" not in hit["snippet_html"][0] and "&lt;script&gt;" in hit["snippet_html"][0]
    assert "<mark>tariff</mark>" in hit["snippet_html"][0], "marks on the words, after multi-byte characters"
    assert "«<mark>Ærø</mark>»" in hit["snippet_html"][0]


@pytest.mark.parametrize("query, reason", [
    ("(oil", "never closed"), ("oil)", "closing bracket"), ('"oil price', "closing quote"),
    ("oil AND", "ends after"), ("OR oil", "cannot stand"), ("", "empty"), ('""', "empty phrase"),
    ("oil~3", "at most 2"),
])
def test_malformed_queries_say_why(query, reason) -> None:
    with pytest.raises(QueryError, match=reason):
        parse(query)


def test_batch_search_counts_and_dates_per_query(corpus) -> None:
    ws, fields = corpus
    frame = search.batch_search(ws, ["oil", "cocoa OR coffee", "(broken", "oil"])
    assert frame["query"].tolist() == ["oil", "cocoa OR coffee", "(broken"]
    assert frame["documents"].tolist()[:2] == [len(search.matching_ids(ws, "oil")),
                                               len(search.matching_ids(ws, "cocoa OR coffee"))]
    assert "never closed" in frame["error"][2]


def test_query_lists_from_lines_and_csv_columns() -> None:
    assert search.query_list(b"Ali Khamenei\n\n\"oil price\"\n", "names.txt") == ["Ali Khamenei", '"oil price"']
    data = b"name,note\nKhamenei,leader\nOPEC,cartel\n"
    assert search.query_list(data, "list.csv") == ["Khamenei", "OPEC"]
    assert search.query_list(data, "list.csv", "note") == ["leader", "cartel"]
    with pytest.raises(ValueError, match="list.csv: no column 'who'"):
        search.query_list(data, "list.csv", "who")


# --- the index follows the database ------------------------------------------------------------

def test_stored_but_unindexed_documents_become_searchable(tmp_path) -> None:
    """The state a kill -9 between the database's commit and the index's leaves."""
    ws = Workspace(tmp_path / "ws")
    docs = generated(30, seed=3)
    store(ws, docs[:10])
    ws.add([extraction(r) for r in docs[10:]])  # stored, never indexed
    assert set(search.matching_ids(ws, "story")) == {r.doc_id for r in docs}


def test_an_indexed_document_the_database_lacks_is_never_returned(tmp_path) -> None:
    ws = Workspace(tmp_path / "ws")
    docs = generated(12, seed=4)
    store(ws, docs[:10])
    with ws.connect():
        search.index_documents(ws, [(r.doc_id, r.title, r.text) for r in docs[10:]])  # indexed, never stored
    search._index(ws).synced_version = None
    assert set(search.matching_ids(ws, "story")) == {r.doc_id for r in docs[:10]}
    assert set(search.search(ws, "story", limit=None)["doc_id"]) == {r.doc_id for r in docs[:10]}


def test_a_lost_index_is_rebuilt_by_the_next_search(tmp_path) -> None:
    ws_dir = tmp_path / "ws"
    ws = Workspace(ws_dir)
    docs = generated(20, seed=5)
    store(ws, docs)
    shutil.rmtree(ws_dir / search.INDEX_DIR)
    result = subprocess.run([sys.executable, "-m", "analysis", "search", "story", "--workspace", str(ws_dir),
                             "--limit", "0"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert {json.loads(line)["doc_id"] for line in result.stdout.splitlines()} == {r.doc_id for r in docs}


def test_an_index_deleted_under_a_running_process_is_rebuilt(tmp_path) -> None:
    ws = Workspace(tmp_path / "ws")
    docs = generated(15, seed=6)
    store(ws, docs)
    assert len(search.matching_ids(ws, "story")) == 15
    shutil.rmtree(ws.path / search.INDEX_DIR)
    store(ws, generated(16, seed=6)[15:])  # a write: a new version, so the next search syncs
    assert len(search.matching_ids(ws, "story")) == 16
    result = subprocess.run([sys.executable, "-m", "analysis", "search", "--reindex", "--workspace", str(ws.path)],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "16 documents indexed" in result.stderr, result.stderr


def test_cli_search_prints_json_and_a_bad_query_exits_2(corpus) -> None:
    ws, _ = corpus
    run = [sys.executable, "-m", "analysis", "search", "--workspace", str(ws.path)]
    ok = subprocess.run([*run, '"oil price"', "--limit", "3"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    rows = [json.loads(line) for line in ok.stdout.splitlines()]
    assert len(rows) == 3 and set(rows[0]) == {"doc_id", "title", "date", "score", "snippet"}
    assert [r["doc_id"] for r in rows] == search.search(ws, '"oil price"', limit=3)["doc_id"].tolist()
    bad = subprocess.run([*run, "(oil AND"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr


STORY_SCRIPT = """
import sys, time
from analysis.model import RawDocument
from tests.test_search import generated, store
from analysis.workspace.store import Workspace
ws = Workspace(sys.argv[1])
docs = generated(4000, seed=11)
for start in range(0, len(docs), 20):
    store(ws, docs[start:start + 20])
    print(start + 20, flush=True)
"""


def test_kill_9_during_ingest_leaves_search_and_store_agreeing(tmp_path) -> None:
    ws_dir = tmp_path / "ws"
    ws = Workspace(ws_dir)
    script = tmp_path / "writer.py"
    script.write_text(STORY_SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), str(ws_dir)], cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    written = 0
    while written < 200 and time.monotonic() < deadline:
        written = int(proc.stdout.readline() or 0)
    time.sleep(random.Random().uniform(0, 0.2))  # somewhere inside a later write
    assert proc.poll() is None, "the writer finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = set(ws.query("SELECT doc_id FROM documents")["doc_id"])
    assert 200 <= len(stored) < 4000
    assert set(search.matching_ids(ws, "story")) == stored
    every = {r.doc_id: r for r in generated(4000, seed=11)}
    probe = sorted(stored)[:5] + sorted(set(every) - stored)[:5]
    for doc_id in probe:  # a document's own number finds it exactly when it is stored
        number = every[doc_id].text.rsplit("Story ", 1)[1].rstrip(".")
        found = set(search.matching_ids(ws, f'"story {number}"'))
        assert (doc_id in found) == (doc_id in stored)
