"""The workspace on a real DuckDB file: ingest, duplicates, atomic batches, curation, queries."""
from __future__ import annotations

import dataclasses

import pyarrow as pa
import pytest

from analysis.extract.pipeline import Extractor
from analysis.model import RawDocument
from analysis.workspace import curation, queries
from analysis.workspace import ingest as ingest_module
from analysis.workspace.ingest import ingest
from analysis.workspace.queries import Filters
from analysis.workspace.store import Workspace
from tests.fictional import ALL, ELECTION, HARBOUR, MINING


def _raw(name: str, text: str, **meta) -> RawDocument:
    return RawDocument(text, name, title=text.splitlines()[0], **meta)


@pytest.fixture
def ws(tmp_path, nlp) -> Workspace:
    workspace = Workspace(tmp_path / "ws")
    report = ingest(workspace, [_raw(n, t, source="Fiction Wire") for n, t in ALL.items()])
    assert len(report.added) == 3, report.results
    return workspace


def _entities(ws: Workspace, filters: Filters | None = None) -> dict[str, tuple]:
    table = queries.entity_table(ws, filters)
    return {row.name: (row.type, row.mentions, row.entity) for row in table.itertuples()}


def test_ingest_stores_documents_mentions_and_survives_reopening(ws, tmp_path) -> None:
    reopened = Workspace(tmp_path / "ws")
    docs = queries.documents_table(reopened)
    assert sorted(docs["title"]) == sorted(t.splitlines()[0] for t in ALL.values())
    ents = _entities(reopened)
    assert ents["Dana Whitfield"][0] == "PERSON" and ents["Dana Whitfield"][1] >= 2
    assert ents["Ostrava Copper"][0] == "ORG"
    assert ents["Petra Novakova"][1] >= 2, "surname Novakova joins Petra Novakova"


def test_same_document_twice_is_stored_once(ws) -> None:
    again = ingest(ws, [_raw("copy-of-harbour.txt", HARBOUR.replace("\n", "\r\n"))])
    assert [r.status for r in again.results] == ["duplicate"]
    assert len(queries.documents_table(ws)) == 3


def test_duplicates_within_one_batch_are_stored_once(tmp_path, nlp) -> None:
    ws = Workspace(tmp_path / "w")
    report = ingest(ws, [_raw("a.txt", MINING), _raw("b.txt", MINING)])
    assert sorted(r.status for r in report.results) == ["added", "duplicate"]
    assert ws.query("SELECT count(*) AS n FROM mentions")["n"][0] > 0
    assert len(queries.documents_table(ws)) == 1


def test_a_failing_batch_leaves_nothing_half_stored(tmp_path, nlp) -> None:
    ws = Workspace(tmp_path / "w")
    good, bad = Extractor().extract([_raw("m.txt", MINING), _raw("e.txt", ELECTION)])
    bad = dataclasses.replace(bad, date="not a date")  # the DATE column will refuse it
    with pytest.raises(Exception):
        ws.add([good, bad])
    counts = ws.query("SELECT (SELECT count(*) FROM documents) d, (SELECT count(*) FROM mentions) m, "
                      "(SELECT count(*) FROM sentences) s")
    assert counts.iloc[0].tolist() == [0, 0, 0]
    assert ws.add([good]) == [True]


def test_every_write_is_done_when_ingest_returns(tmp_path, nlp, monkeypatch) -> None:
    monkeypatch.setattr(ingest_module, "WRITE_FIRST_SECONDS", 0.0)  # a write after every document
    ws = Workspace(tmp_path / "w")
    names = list(ALL)
    report = ingest(ws, [_raw(n, t) for n, t in ALL.items()])
    assert [(r.file_name, r.status) for r in report.results] == [(n, "added") for n in names]
    assert sorted(queries.documents_table(ws)["file_name"]) == sorted(names)


def test_a_failed_write_stops_the_ingest_and_keeps_earlier_writes(tmp_path, nlp, monkeypatch) -> None:
    monkeypatch.setattr(ingest_module, "WRITE_FIRST_SECONDS", 0.0)
    real_add = Workspace.add_tables
    writes: list[list[str]] = []

    def add_refusing_the_second(self, tables):
        documents = tables["documents"]
        writes.append(documents.column("file_name").to_pylist())
        if len(writes) == 2:  # a value the DATE column refuses, as a damaged record would be
            damaged = pa.array(["not a date"] * documents.num_rows)
            tables = {**tables, "documents": documents.set_column(documents.schema.get_field_index("date"), "date",
                                                                  damaged)}
        return real_add(self, tables)

    monkeypatch.setattr(Workspace, "add_tables", add_refusing_the_second)
    ws = Workspace(tmp_path / "w")
    with pytest.raises(Exception, match="date"):
        ingest(ws, [_raw(n, t) for n, t in ALL.items()])
    assert list(queries.documents_table(ws)["file_name"]) == writes[0]


def test_merge_rename_retype_hide_apply_everywhere_and_to_later_documents(ws) -> None:
    ents = _entities(ws)
    whitfield, haddad = ents["Dana Whitfield"][2], ents["Omar Haddad"][2]
    curation.merge(ws, [haddad], whitfield)
    curation.rename(ws, whitfield, "Whitfield & Haddad")
    curation.set_type(ws, whitfield, "ORG")
    after = _entities(ws)
    assert "Omar Haddad" not in after and "Dana Whitfield" not in after
    assert after["Whitfield & Haddad"][0] == "ORG"
    assert after["Whitfield & Haddad"][1] == ents["Dana Whitfield"][1] + ents["Omar Haddad"][1]
    # filtering by the merged entity finds documents of both names
    assert len(queries.documents_table(ws, Filters(entities=(whitfield,)))) == 1

    curation.hide(ws, ents["Ostrava Copper"][2])
    assert "Ostrava Copper" not in _entities(ws)
    # a document ingested later with the same names gets the same curation
    later = "Omar Haddad met Ostrava Copper managers in Kestrel Bay on Friday."
    ingest(ws, [_raw("later.txt", later)])
    assert _entities(ws)["Whitfield & Haddad"][1] == after["Whitfield & Haddad"][1] + 1
    assert "Ostrava Copper" not in _entities(ws)
    actions = curation.history(ws)["action"].tolist()
    assert actions == ["merge", "rename", "set_type", "hide"]


def test_merge_chains_stay_one_level_deep(ws) -> None:
    ents = _entities(ws)
    a, b, c = ents["Petra Novakova"][2], ents["Omar Haddad"][2], ents["Tomas Berg"][2]
    curation.merge(ws, [a], b)
    curation.merge(ws, [b], c)
    overrides = ws.query("SELECT entity_key, merged_into FROM entity_overrides ORDER BY 1")
    assert dict(zip(overrides.entity_key, overrides.merged_into)) == {a: c, b: c}


def test_document_date_can_be_corrected_and_reset(ws) -> None:
    import datetime

    docs = queries.documents_table(ws)
    doc_id = docs["doc_id"][0]
    curation.set_document_date(ws, doc_id, datetime.date(2001, 2, 3))
    row = queries.document(ws, doc_id)
    assert (str(row["date"])[:10], row["date_source"]) == ("2001-02-03", "analyst")
    curation.set_document_date(ws, doc_id, None)
    assert queries.document(ws, doc_id)["date_source"] != "analyst"


def test_filters_narrow_every_view(ws) -> None:
    ents = _entities(ws)
    novakova = ents["Petra Novakova"][2]
    only = Filters(entities=(novakova,))
    assert queries.documents_table(ws, only)["title"].tolist() == ["Miners strike at Ostrava Copper"]
    assert set(queries.entity_table(ws, only)["name"]) >= {"Petra Novakova", "Ostrava Copper"}
    assert "Dana Whitfield" not in set(queries.entity_table(ws, only)["name"])
    people = queries.entity_table(ws, Filters(types=("PERSON",)))
    assert set(people["type"]) == {"PERSON"}
    assert queries.documents_table(ws, Filters(sources=("Nobody",))).empty
    assert queries.overview(ws, only)["documents"] == 1


def test_cooccurrence_counts_pairs_and_evidence_lists_sentences(ws) -> None:
    ents = _entities(ws)
    haddad, herald = ents["Omar Haddad"][2], ents["Kestrel Herald"][2]
    edges = queries.cooccurrence(ws, unit="sentence")
    pair = edges[((edges.source == haddad) & (edges.target == herald)) |
                 ((edges.source == herald) & (edges.target == haddad))]
    assert pair["count"].tolist() == [1]
    evidence = queries.edge_evidence(ws, haddad, herald)
    assert [("Omar Haddad" in s and "Kestrel Herald" in s) for s in evidence["evidence"]] == [True]
    by_doc = queries.cooccurrence(ws, unit="document", focus=haddad)
    assert len(by_doc) >= 2
    assert (by_doc[["source", "target"]] == haddad).any(axis=1).all()
    # no entity from another document is linked to Haddad
    assert ents["Tomas Berg"][2] not in set(by_doc.source) | set(by_doc.target)


def test_timeline_queries_bucket_by_document_date(ws) -> None:
    ents = _entities(ws)
    whitfield, novakova = ents["Dana Whitfield"][2], ents["Petra Novakova"][2]
    by_month = queries.mentions_over_time(ws, entities=(whitfield, novakova), freq="month")
    got = {(r.name, str(r.period)[:10]): r.mentions for r in by_month.itertuples()}
    assert got == {("Dana Whitfield", "2024-03-01"): ents["Dana Whitfield"][1],
                   ("Petra Novakova", "2023-06-01"): ents["Petra Novakova"][1]}
    by_week = queries.mentions_over_time(ws, entities=(whitfield,), freq="week")
    assert [str(p)[:10] for p in by_week["period"]] == ["2024-02-26"]  # the Monday of that week
    per_year = queries.documents_per_period(ws, freq="year")
    assert [(str(r.period)[:4], r.documents) for r in per_year.itertuples()] == [("2022", 1), ("2023", 1), ("2024", 1)]


def test_events_query_filters_by_entity_and_date_range(ws) -> None:
    import datetime

    events = queries.events_table(ws)
    assert "1998" in set(events["date_text"])
    assert events.set_index("date_text").loc["November 5", "entities"] == "Reyes, Tomas Berg, Valmora"  # sorted, once each
    assert events.equals(queries.events_table(ws))  # one order, every time
    ents = _entities(ws)
    whitfield = ents["Dana Whitfield"][2]
    hers = queries.events_table(ws, entities=(whitfield,))
    assert not hers.empty and all("Dana Whitfield" in e for e in hers["entities"])
    nineties = queries.events_table(ws, date_from=datetime.date(1990, 1, 1), date_to=datetime.date(1999, 12, 31))
    assert nineties["date_text"].tolist() == ["1998"]
    assert nineties["granularity"].tolist() == ["year"]
