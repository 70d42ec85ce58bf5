"""Quotes in the workspace: acts, unresolved speakers, reporting chains, and the analyst's review
(stored as curation, applied in every view and export, surviving a re-ingest) with its estimate."""
from __future__ import annotations

import pytest

from analysis.model import UNRESOLVED, RawDocument
from analysis.workspace import queries, quote_review
from analysis.workspace.ingest import ingest
from analysis.workspace.store import DOCUMENT_TABLES, Workspace

PORT = """Lenholm ferry to return in May

LENHOLM, April 2, 2024 - Port director Mara Quell said on Tuesday that the ferry would return in May.
"The hull is repaired and the crew is ready," Quell said.
Councillor Tobin Vale believes the fares will rise.
Vale told the Lenholm Courier that the council had not been consulted, according to the Lenholm Courier.
"We will not pay twice," they said.
"""


@pytest.fixture
def ws(tmp_path, nlp) -> Workspace:
    workspace = Workspace(tmp_path / "ws")
    report = ingest(workspace, [RawDocument(PORT, "port.txt", title="Lenholm ferry")])
    assert len(report.added) == 1, report.results
    return workspace


def _quote(ws: Workspace, fragment: str, positions: bool = True):
    table = queries.quotes_table(ws, positions=positions)
    rows = table[table["quote"].str.contains(fragment, regex=False)]
    assert len(rows) == 1, table[["speaker", "quote", "act"]]
    return rows.iloc[0]


def _entity(ws: Workspace, name: str) -> str:
    table = queries.entity_table(ws)
    return table[table["name"] == name]["entity"].iloc[0]


def test_statements_by_default_positions_on_request(ws):
    statements = queries.quotes_table(ws)
    assert set(statements["act"]) == {"statement"}
    assert not statements["quote"].str.contains("fares will rise").any()
    assert _quote(ws, "fares will rise").act == "position"


def test_an_unresolved_speaker_is_listed_apart_and_out_of_the_speakers_chart(ws):
    speakers = queries.quotes_per_speaker(ws)
    assert UNRESOLVED not in set(speakers["speaker"]) and "they" not in set(speakers["speaker"])
    assert "Mara Quell" in set(speakers["speaker"])
    unresolved = queries.unresolved_quotes(ws)
    assert list(unresolved["speaker_mention"]) == ["they"]


def test_reporting_chains_count_the_speakers_an_outlet_relays(ws):
    chains = queries.reporting_chains(ws)
    relayed = chains[chains["reported_by"] == "Lenholm Courier"]
    assert list(relayed["quotes"]) == [1] and "Tobin Vale" in relayed["speaker"].iloc[0]


def test_review_applies_to_every_view_and_the_export(ws):
    hull = _quote(ws, "hull is repaired")
    quote_review.mark(ws, hull.doc_id, int(hull.start), int(hull.end), "wrong")
    assert not queries.quotes_table(ws, positions=True)["quote"].str.contains("hull is repaired").any()

    council = _quote(ws, "not been consulted")
    quote_review.set_speaker(ws, council.doc_id, int(council.start), int(council.end), _entity(ws, "Mara Quell"))
    assert _quote(ws, "not been consulted").speaker == "Mara Quell"
    links = queries.speaker_graph(ws)
    assert not links["speaker_name"].str.contains("Tobin Vale").any()

    fares = _quote(ws, "fares will rise")
    quote_review.set_act(ws, fares.doc_id, int(fares.start), int(fares.end), "statement")
    assert queries.quotes_table(ws)["quote"].str.contains("fares will rise").any()


def test_reviews_survive_a_re_ingest(ws):
    hull = _quote(ws, "hull is repaired")
    quote_review.mark(ws, hull.doc_id, int(hull.start), int(hull.end), "wrong")
    fares = _quote(ws, "fares will rise")
    quote_review.set_act(ws, fares.doc_id, int(fares.start), int(fares.end), "statement")
    with ws.connect() as con:  # the document goes, with every row extracted from it
        for table in DOCUMENT_TABLES:
            con.execute(f"DELETE FROM {table} WHERE doc_id = ?", [hull.doc_id])
    assert queries.quotes_table(ws, positions=True).empty
    assert len(ingest(ws, [RawDocument(PORT, "port.txt", title="Lenholm ferry")]).added) == 1
    table = queries.quotes_table(ws)
    assert not table["quote"].str.contains("hull is repaired").any()
    assert table["quote"].str.contains("fares will rise").any()


def test_the_quality_estimate_is_the_share_reviewed_right_per_kind(ws):
    assert quote_review.quality_estimate(ws).empty
    first = _quote(ws, "ferry would return")
    hull = _quote(ws, "hull is repaired")
    council = _quote(ws, "not been consulted")
    quote_review.mark(ws, first.doc_id, int(first.start), int(first.end), "right")
    quote_review.mark(ws, hull.doc_id, int(hull.start), int(hull.end), "right")
    quote_review.set_speaker(ws, council.doc_id, int(council.start), int(council.end), _entity(ws, "Mara Quell"))
    estimate = quote_review.quality_estimate(ws).set_index("kind")
    assert estimate.loc["direct", "reviewed"] == 1 and estimate.loc["direct", "share_right"] == 1.0
    assert estimate.loc["indirect", "reviewed"] == 2 and estimate.loc["indirect", "share_right"] == 0.5
    assert estimate.loc["all", "reviewed"] == 3 and estimate.loc["all", "share_right"] == pytest.approx(0.667)


def test_review_refuses_what_it_cannot_apply(ws):
    first = _quote(ws, "ferry would return")
    with pytest.raises(ValueError):
        quote_review.mark(ws, first.doc_id, int(first.start), int(first.end), "maybe")
    with pytest.raises(ValueError):
        quote_review.set_act(ws, first.doc_id, int(first.start), int(first.end), "rumour")
    with pytest.raises(ValueError):
        quote_review.set_speaker(ws, first.doc_id, int(first.start), int(first.end), "nobody at all")
