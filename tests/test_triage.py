"""Triage: tags, stars and notes; near-duplicates; the global filter's search, tags and "each story once";
network files for Gephi."""
from __future__ import annotations

import csv
import io
import random

import networkx as nx
import pytest

from analysis.model import RawDocument
from analysis.present import urlstate
from analysis.present.hits import hits_html
from analysis.present.network_file import network_bytes, network_file, network_graph
from analysis.workspace import curation, duplicates, ingest, queries, search
from analysis.workspace.queries import Filters
from analysis.workspace.store import Workspace
from benchmarks.search import distinct, edited_copy, near_duplicate_set, precision_recall, store_without_nlp
from tests.fictional import ALL
from tests.test_search import generated, reuters


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Workspace:
    """The fictional articles through the real pipeline: entities for the network."""
    ws = Workspace(tmp_path_factory.mktemp("triage") / "ws")
    report = ingest.ingest(ws, [RawDocument(text=t, file_name=n, title=t.splitlines()[0]) for n, t in ALL.items()])
    assert len(report.added) == 3
    return ws


def _ids(ws: Workspace, filters: Filters) -> set[str]:
    return set(queries.documents_table(ws, filters)["doc_id"])


def test_tags_stars_and_notes_persist_filter_and_export(tmp_path) -> None:
    ws = Workspace(tmp_path / "ws")
    docs = generated(6, seed=9)
    store_without_nlp(ws, docs)
    a, b, c = (d.doc_id for d in docs[:3])
    curation.tag_documents(ws, [a, b], "  to  check ")
    curation.set_document_tags(ws, c, ["follow up", "to check"])
    curation.set_document_tags(ws, b, [])
    curation.star_document(ws, a)
    curation.set_document_note(ws, a, "Call the harbour office =SUM(1)")
    curation.set_entity_note(ws, "ali khamenei", "Supreme Leader since 1989")
    reopened = Workspace(tmp_path / "ws")
    assert curation.tags(reopened) == ["follow up", "to check"]
    assert curation.document_triage(reopened, a) == {"tags": ["to check"], "starred": True,
                                                     "note": "Call the harbour office =SUM(1)"}
    assert curation.document_triage(reopened, b) == {"tags": [], "starred": False, "note": ""}
    assert curation.entity_note(reopened, "ali khamenei") == "Supreme Leader since 1989"
    assert _ids(reopened, Filters(tags=("to check",))) == {a, c}
    assert _ids(reopened, Filters(tags=("follow up", "to check"), starred=True)) == {a}
    table = queries.documents_table(reopened).set_index("doc_id")
    assert table.at[c, "tags"] == "follow up; to check" and bool(table.at[a, "starred"])
    with pytest.raises(ValueError, match="empty"):
        curation.tag_documents(ws, [a], "   ")
    assert list(curation.history(reopened)["action"]).count("tag") == 4  # a, b, and c twice


def test_documents_export_carries_the_triage_with_formulas_neutralised(tmp_path) -> None:
    from analysis.cli import main

    ws = Workspace(tmp_path / "ws")
    docs = generated(3, seed=10)
    store_without_nlp(ws, docs)
    curation.set_document_note(ws, docs[0].doc_id, "=HYPERLINK(\"x\")")
    curation.tag_documents(ws, [docs[0].doc_id], "lead")
    out = tmp_path / "documents.csv"
    assert main(["export", "documents", "--workspace", str(ws.path), "--tag", "lead", "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 and rows[0]["tags"] == "lead" and rows[0]["note"] == "'=HYPERLINK(\"x\")"


def test_search_narrows_every_query_and_lives_in_the_url(real) -> None:
    narrowed = Filters(search='"Kestrel Bay" OR Valmora')
    hits = set(search.matching_ids(real, narrowed.search))
    assert len(hits) == 2
    assert _ids(real, narrowed) == hits
    everything, some = queries.overview(real), queries.overview(real, narrowed)
    assert some["documents"] == 2 and some["mentions"] < everything["mentions"]
    assert set(queries.entity_table(real, narrowed)["entity"]) < set(queries.entity_table(real)["entity"])
    assert set(queries.quotes_table(real, narrowed)["doc_id"]) <= hits
    assert urlstate.from_query(urlstate.to_query(narrowed)) == narrowed
    with pytest.raises(search.QueryError):
        queries.overview(real, Filters(search="(Kestrel"))


def test_hits_html_escapes_titles_and_keeps_the_marks(tmp_path) -> None:
    ws = Workspace(tmp_path / "ws")
    store_without_nlp(ws, [RawDocument(text="The <b>levy</b> on harbour fees rose.", file_name="x.txt",
                                       title="<img src=x onerror=alert(1)> Levy")])
    page = hits_html(search.search(ws, "levy"))
    assert "<img" not in page and "&lt;img" in page
    assert "<mark>levy</mark>" in page and "&lt;b&gt;" in page


def test_near_duplicates_precision_and_recall_on_edited_copies(tmp_path) -> None:
    originals = distinct(reuters(300) or _synthetic(300))
    originals = [o for o in originals if len(o.text.split()) >= 60][:150]
    copies, truth = near_duplicate_set(originals, 120)
    ws = Workspace(tmp_path / "ws")
    store_without_nlp(ws, originals)
    store_without_nlp(ws, copies, batch=40)
    precision, recall, found = precision_recall(ws, truth)
    assert precision >= 0.95 and recall >= 0.9, (precision, recall, found)
    table = duplicates.duplicates_table(ws)
    assert list(table.columns[:3]) == ["doc_id", "duplicate_of", "similarity"]
    assert table["similarity"].between(duplicates.THRESHOLD, 1).all()
    once = _ids(ws, Filters(once=True))
    assert once == _ids(ws, Filters()) - set(table["doc_id"]), "each story once: no copy found"
    assert {o.doc_id for o in originals} <= once
    story = duplicates.copies_of(ws, copies[0].doc_id)
    assert truth[copies[0].doc_id] in set(story["doc_id"])


def test_a_copy_of_a_copy_points_at_the_first_document_of_the_story(tmp_path) -> None:
    ws = Workspace(tmp_path / "ws")
    original = (reuters(40) or _synthetic(40))[-1]
    rng = random.Random(2)
    first = edited_copy(original, rng, 0)
    second = edited_copy(first, rng, 1)
    for doc in (original, first, second):
        store_without_nlp(ws, [doc])
    found = dict(ws.query("SELECT doc_id, duplicate_of FROM near_duplicates").itertuples(index=False))
    assert found == {first.doc_id: original.doc_id, second.doc_id: original.doc_id}


def test_documents_stored_without_signatures_are_signed_by_the_next_write(tmp_path) -> None:
    """A crash after the documents' commit, or a workspace from before near-duplicates."""
    ws = Workspace(tmp_path / "ws")
    original = (reuters(10) or _synthetic(10))[3]
    copy = edited_copy(original, random.Random(1), 1)
    ws.add([store_extraction(original), store_extraction(copy)])
    assert duplicates.update(ws) == 2
    assert dict(ws.query("SELECT doc_id, duplicate_of FROM near_duplicates").itertuples(index=False)) == {
        max(original.doc_id, copy.doc_id): min(original.doc_id, copy.doc_id)}


def store_extraction(raw: RawDocument):
    from tests.test_search import extraction

    return extraction(raw)


def _synthetic(n: int) -> list[RawDocument]:
    """Articles of random words from a big vocabulary, for when the Reuters corpus is absent."""
    rng = random.Random(3)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(5000)]
    return [RawDocument(text=". ".join(" ".join(rng.choice(vocab) for _ in range(12)) for _ in range(12)) + ".",
                        file_name=f"s{i}.txt", title=f"Story {i}") for i in range(n)]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_files_read_back_with_labels_types_counts_and_weights(real, fmt, tmp_path) -> None:
    edges = queries.cooccurrence(real, unit="document")
    path = tmp_path / f"net.{fmt}"
    path.write_bytes(network_file(real, None, "document", fmt))
    graph = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(path)
    assert graph.number_of_edges() == len(edges) > 0
    row = edges.iloc[0]
    assert graph.has_edge(row["source"], row["target"])
    assert int(graph.edges[row["source"], row["target"]]["weight"]) == int(row["count"])
    node = graph.nodes[row["source"]]
    assert node["label"] == row["source_name"] and node["type"] == row["source_type"] and int(node["mentions"]) >= 1
    with pytest.raises(ValueError, match="format"):
        network_bytes(network_graph(edges, queries.entity_table(real)), "pdf")


def test_cli_exports_network_and_duplicates(real, tmp_path) -> None:
    from analysis.cli import main

    out = tmp_path / "n.gexf"
    assert main(["export", "network", "--unit", "paragraph", "--format", "gexf", "--workspace", str(real.path),
                 "-o", str(out)]) == 0
    assert nx.read_gexf(out).number_of_nodes() > 0
    dup = tmp_path / "d.csv"
    assert main(["export", "duplicates", "--workspace", str(real.path), "-o", str(dup)]) == 0
    assert dup.read_text(encoding="utf-8-sig").splitlines()[0].startswith("doc_id,duplicate_of,similarity")


def test_the_signature_estimates_the_jaccard_similarity_of_the_shingles() -> None:
    """MinHash's estimate is within a few standard errors (sqrt(J(1-J)/64) <= 0.0625) of the true value."""
    rng = random.Random(4)
    words = [f"w{i}" for i in range(4000)]
    for shared in (0, 100, 300, 500):
        a = " ".join(rng.sample(words, 600))
        b = " ".join(a.split()[:shared] + rng.sample(words, 600 - shared))
        sa, sb = set(duplicates.shingles(a)), set(duplicates.shingles(b))
        true = len(sa & sb) / len(sa | sb)
        estimate = duplicates.similarity(duplicates.signature(a), duplicates.signature(b))
        assert abs(estimate - true) <= 0.2, (shared, true, estimate)
    text = " ".join(rng.sample(words, 300))
    assert duplicates.similarity(duplicates.signature(text), duplicates.signature(text.upper())) == 1.0
    assert duplicates.signature(text).dtype.name == "uint32" and len(duplicates.signature("")) == duplicates.NUM_PERM


def test_a_workspace_with_the_former_signatures_is_signed_again(tmp_path) -> None:
    """Signatures of another hashing cannot be compared with these: a workspace of the earlier schema
    (datasketch's signatures in `document_minhashes`) loses that table, and its documents are signed anew."""
    path = tmp_path / "ws"
    original = (reuters(10) or _synthetic(10))[3]
    copy = edited_copy(original, random.Random(1), 1)
    store_without_nlp(Workspace(path), [original])
    with Workspace(path).connect() as con:
        con.execute("DROP TABLE document_signatures")
        con.execute("CREATE TABLE document_minhashes (doc_id VARCHAR PRIMARY KEY, signature BLOB)")
        con.execute("INSERT INTO document_minhashes VALUES (?, ?)", [original.doc_id, b"\0" * 256])
        con.execute("UPDATE meta SET value = 'an earlier schema' WHERE key = 'schema'")
    store_without_nlp(Workspace(path), [copy])
    ws = Workspace(path)
    tables = set(ws.query("SELECT table_name FROM information_schema.tables")["table_name"])
    assert "document_minhashes" not in tables
    assert ws.query("SELECT count(*) AS n FROM document_signatures")["n"][0] == 2
    assert dict(ws.query("SELECT doc_id, duplicate_of FROM near_duplicates").itertuples(index=False)) == {
        copy.doc_id: original.doc_id}
