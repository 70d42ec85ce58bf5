"""The pre-aggregated tables: kept equal to a count over every mention, and the pages' answers
read from them equal to the answers read from the mentions, through ingest, re-ingest and curation.

Real DuckDB files filled by the real spaCy pipeline. The aggregates are keyed by stored entity key
and stored date, so curation never rewrites them; what curation changes is checked on the answers:
a filter that keeps every document but takes the per-document path (`sources` = the one source of
every fixture) must give exactly what the empty filter, answered from the aggregates, gives.
"""
from __future__ import annotations

import datetime
import io
import itertools
import json
from collections import Counter

import pandas as pd
import pytest

from analysis.cli import main
from analysis.present.export import to_csv_bytes, write_csv_pieces, zip_bundle
from analysis.model import UNRESOLVED
from analysis.workspace import curation, queries, quote_review
from analysis.workspace.ingest import ingest
from analysis.workspace.queries import Filters
from analysis.workspace.store import DERIVED_TABLES, Workspace
from tests.fictional import ALL
from tests.test_queries_speed_schema import LATER, _key, _pairs_by_hand, _raw

# A second day for the per-day counts, and one sentence naming two people that a test then merges.
SAME_DAY = """Harbour talks resume in Kestrel Bay

KESTREL BAY, March 3, 2024 - Dana Whitfield and Omar Haddad met the Kestrel Herald on Tuesday.
Whitfield said the expansion was on time.
"""
EVERY_DOCUMENT = Filters(sources=("Fiction Wire",))  # every fixture's source: the per-document path


@pytest.fixture
def ws(tmp_path, nlp) -> Workspace:
    workspace = Workspace(tmp_path / "ws")
    docs = [_raw(n, t) for n, t in {**ALL, "same_day.txt": SAME_DAY}.items()]
    assert len(ingest(workspace, docs).added) == 4
    return workspace


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return sorted(frame.itertuples(index=False, name=None), key=repr)


def units_by_hand(ws: Workspace) -> dict[str, dict[tuple, set[str]]]:
    """Per kind of unit: (document, number) -> the linked keys it names (a stored key, or the key
    its automatic link joins), counted in Python."""
    links = dict(ws.query("SELECT entity_key, linked_to FROM entity_links").itertuples(index=False, name=None))
    rows = ws.query("SELECT m.doc_id, m.sentence, s.paragraph, m.entity_key FROM mentions m "
                    "JOIN sentences s USING (doc_id, sentence)")
    units: dict[str, dict[tuple, set[str]]] = {"sentence": {}, "paragraph": {}, "document": {}}
    for r in rows.itertuples():
        for kind, number in (("sentence", r.sentence), ("paragraph", r.paragraph), ("document", 0)):
            units[kind].setdefault((r.doc_id, number), set()).add(links.get(r.entity_key, r.entity_key))
    return units


def assert_aggregates_match_mentions(ws: Workspace) -> None:
    """Every pre-aggregated table equals a count made afresh from the stored mentions."""
    mentions = ws.query("SELECT m.doc_id, m.entity_key, d.date FROM mentions m JOIN documents d USING (doc_id)")
    per_doc = Counter(zip(mentions["doc_id"], mentions["entity_key"]))
    assert _rows(ws.query("SELECT * FROM doc_entity_counts")) == sorted(
        ((d, k, n) for (d, k), n in per_doc.items()), key=repr)
    dates = [None if pd.isna(d) else pd.Timestamp(d) for d in mentions["date"]]
    per_day = Counter(zip(dates, mentions["entity_key"]))
    docs_per_day = Counter((d, k) for d, k, _ in set(zip(dates, mentions["entity_key"], mentions["doc_id"])))
    stored = [(None if pd.isna(d) else pd.Timestamp(d), k, n, docs) for d, k, n, docs in
              ws.query("SELECT * FROM day_entity_counts").itertuples(index=False, name=None)]
    assert sorted(stored, key=repr) == sorted(((d, k, n, docs_per_day[(d, k)]) for (d, k), n in per_day.items()), key=repr)
    for kind, units in units_by_hand(ws).items():
        keys = Counter(k for named in units.values() for k in named)
        pairs = Counter(p for named in units.values() for p in itertools.combinations(sorted(named), 2))
        assert dict(ws.query("SELECT entity_key, n FROM unit_entity_counts WHERE unit = ?", [kind])
                    .itertuples(index=False, name=None)) == keys
        assert {(a, b): n for a, b, n in ws.query("SELECT a, b, n FROM unit_pair_counts WHERE unit = ?", [kind])
                .itertuples(index=False, name=None)} == pairs
        assert ws.query("SELECT n FROM unit_totals WHERE unit = ?", [kind])["n"].item() == len(units)


def _entity_table_from_mentions(ws: Workspace, filters: Filters) -> pd.DataFrame:
    """`entity_table` as it was computed before the aggregates: from every mention in view."""
    return queries._q(ws, filters, """
        SELECT e.name, e.label AS type, count(*) AS mentions, count(DISTINCT m.doc_id) AS documents,
               min(d.date) AS first_seen, max(d.date) AS last_seen, e.entity
        FROM mention_view m JOIN fdocs d USING (doc_id) JOIN fents e ON e.entity = m.entity
        GROUP BY ALL ORDER BY mentions DESC, e.name, e.entity""")


def _documents_table_plain(ws: Workspace, filters: Filters, search: str = "") -> pd.DataFrame:
    """`documents_table` as it was before it could stop at a page's rows: every document in view,
    each counted by a lookup per row."""
    like = f"%{search.strip()}%"
    return queries._q(ws, filters, """
        SELECT d.title, d.source, d.date, d.author, d.n_words AS words,
               coalesce((SELECT sum(c.n) FROM doc_entity_counts c WHERE c.doc_id = d.doc_id), 0)::BIGINT AS mentions,
               (SELECT count(*) FROM quote_view q WHERE q.doc_id = d.doc_id) AS quotes,
               d.file_name, d.date_source, d.doc_id, d.language, d.ocr_pages, d.title_derived,
               (SELECT string_agg(t.tag, '; ' ORDER BY t.tag) FROM document_tags t WHERE t.doc_id = d.doc_id) AS tags,
               coalesce(n.starred, FALSE) AS starred, n.note, dup.duplicate_of
        FROM fdocs d LEFT JOIN document_notes n USING (doc_id) LEFT JOIN near_duplicates dup USING (doc_id)
        WHERE ? = '%%' OR d.title ILIKE ? OR d.source ILIKE ? OR d.text ILIKE ?
        ORDER BY d.date DESC NULLS LAST, d.title, d.doc_id""", like, like, like, like)


def assert_documents_match_plain(ws: Workspace) -> None:
    """`documents_table`, whole or cut to its first rows, equals the plain query under each filter."""
    people = tuple(ws.query("SELECT DISTINCT entity_key FROM mentions WHERE entity_name IN "
                            "('Dana Whitfield', 'Omar Haddad') ORDER BY 1")["entity_key"])  # stored keys: merged later
    assert people
    for filters in (Filters(), EVERY_DOCUMENT, Filters(entities=people), Filters(tags=("follow up",))):
        for search in ("", "harbour", "  "):
            plain = _documents_table_plain(ws, filters, search)
            pd.testing.assert_frame_equal(queries.documents_table(ws, filters, search=search), plain)
            for limit in (1, 2, 100):  # as CSV: a text column empty in the first rows only comes back untyped
                assert (to_csv_bytes(queries.documents_table(ws, filters, search=search, limit=limit))
                        == to_csv_bytes(plain.head(limit)))
        assert queries.documents_count(ws, filters) == len(_documents_table_plain(ws, filters))


def _events_table_plain(ws: Workspace, filters: Filters, entities: tuple[str, ...]) -> pd.DataFrame:
    """`events_table` as it was before it could stop at a page's rows: every sentence named, then sorted."""
    where = """EXISTS (SELECT 1 FROM event_entities x LEFT JOIN entity_moves o USING (entity_key)
               WHERE x.doc_id = ev.doc_id AND x.event = ev.event
                 AND coalesce(o.entity, x.entity_key) IN (SELECT unnest(?)))""" if entities else "TRUE"
    return queries._q(ws, filters, f"""
        , names AS (
            SELECT x.doc_id, x.event, array_to_string(list_sort(list(DISTINCT e.name)), ', ') AS entities
            FROM event_entities x JOIN fdocs USING (doc_id) LEFT JOIN entity_moves o USING (entity_key)
            JOIN fents e ON e.entity = coalesce(o.entity, x.entity_key)
            GROUP BY ALL),
        ranked AS (SELECT doc_id, title, date, row_number() OVER (ORDER BY title, doc_id) AS rank FROM fdocs)
        SELECT ev.date_start, ev.date_end, ev.granularity, ev.date_text, ev.text AS sentence,
               d.title AS document, d.date AS document_date, n.entities, ev.doc_id
        FROM events ev JOIN ranked d USING (doc_id) LEFT JOIN names n ON n.doc_id = ev.doc_id AND n.event = ev.event
        WHERE {where} ORDER BY ev.date_start, d.rank, ev.event""", *([list(entities)] if entities else []))


def assert_events_match_plain(ws: Workspace) -> None:
    """`events_table`, whole or cut to its first rows, equals the plain query; `event_days` counts its rows."""
    people = tuple(ws.query("SELECT DISTINCT entity_key FROM mentions WHERE entity_name IN "
                            "('Dana Whitfield', 'Omar Haddad') ORDER BY 1")["entity_key"])
    for filters, entities in ((Filters(), ()), (EVERY_DOCUMENT, ()), (Filters(entities=people), people)):
        plain = _events_table_plain(ws, filters, entities)
        assert len(plain)
        pd.testing.assert_frame_equal(queries.events_table(ws, filters, entities=entities), plain)
        for limit in (1, 2, 100):
            assert (to_csv_bytes(queries.events_table(ws, filters, entities=entities, limit=limit))
                    == to_csv_bytes(plain.head(limit)))
        by_day = plain.groupby(["date_start", "granularity"], dropna=False).size()
        days = queries.event_days(ws, filters, entities=entities).set_index(["date_start", "granularity"])["events"]
        assert days.to_dict() == by_day.to_dict()


def _quotes_plain(ws: Workspace, filters: Filters, involving: tuple[str, ...] = (), speakers: tuple[str, ...] = (),
                  mentioning: tuple[str, ...] = (), positions: bool = False) -> pd.DataFrame:
    """`quotes_involving` as it was before it could stop at a page's rows: every quote named, then
    sorted, each condition through the merges of every row."""
    spoken = "coalesce(so.entity, q.speaker_key) IN (SELECT unnest(?))"
    naming = """EXISTS (SELECT 1 FROM quote_entities qe LEFT JOIN entity_moves o USING (entity_key)
                WHERE qe.doc_id = q.doc_id AND qe.quote = q.quote AND coalesce(o.entity, qe.entity_key) IN (SELECT unnest(?)))"""
    where, params = ["TRUE" if positions else "q.act = 'statement'"], []
    for entities, condition in ((speakers, spoken), (mentioning, naming), (involving, f"({spoken} OR {naming})")):
        if entities:
            where.append(condition)
            params += [list(entities)] * condition.count("?")
    return queries._q(ws, filters, f"""
        SELECT coalesce(se.name, q.speaker_label, q.speaker) AS speaker, q.text AS quote, q.kind, q.act, q.cue,
               coalesce(re.name, q.reported_by) AS reported_by, d.title AS document, d.date,
               q.speaker AS speaker_mention, q.start, q."end", q.speaker_start, q.speaker_end,
               coalesce(so.entity, q.speaker_key) AS speaker_entity, q.verdict AS review, q.doc_id, q.quote AS quote_id
        FROM quote_view q JOIN fdocs d USING (doc_id)
        LEFT JOIN entity_moves so ON so.entity_key = q.speaker_key
        LEFT JOIN entities se ON se.entity = coalesce(so.entity, q.speaker_key)
        LEFT JOIN entity_moves ro ON ro.entity_key = q.reported_by_key
        LEFT JOIN entities re ON re.entity = coalesce(ro.entity, q.reported_by_key)
        WHERE {' AND '.join(where)} ORDER BY d.date DESC NULLS LAST, q.doc_id, q.start""", *params)


def assert_quotes_match_plain(ws: Workspace) -> None:
    """The Quotes page's questions (the first rows, the count, the speakers, the unresolved ones)
    equal the plain query's rows, head, length and counts, under each filter and condition."""
    people = tuple(ws.query("SELECT DISTINCT entity_key FROM mentions WHERE entity_name IN "
                            "('Dana Whitfield', 'Omar Haddad') ORDER BY 1")["entity_key"])
    asked = 0
    for filters in (Filters(), Filters(entities=people)):  # with and without the documents' join
        for chosen in ({}, {"speakers": people}, {"mentioning": people, "positions": True}):
            for involving in ((), people):
                plain = _quotes_plain(ws, filters, involving, **chosen)
                asked += len(plain)
                pd.testing.assert_frame_equal(queries.quotes_involving(ws, filters, involving, **chosen), plain)
                assert queries.quotes_count(ws, filters, involving, **chosen) == len(plain)
                unresolved = plain[plain["speaker"] == UNRESOLVED].reset_index(drop=True)
                assert queries.quotes_count(ws, filters, involving, **chosen, unresolved=True) == len(unresolved)
                for limit in (1, 100):  # as CSV: a text column empty in the first rows only comes back untyped
                    for only, expected in ((False, plain), (True, unresolved)):
                        cut = queries.quotes_involving(ws, filters, involving, **chosen, unresolved=only, limit=limit)
                        assert to_csv_bytes(cut) == to_csv_bytes(expected.head(limit))
                named = plain[plain["speaker"].notna() & (plain["speaker"] != UNRESOLVED)]
                by_hand = (named.groupby(["speaker", "speaker_entity"], as_index=False, dropna=False).size()
                           .rename(columns={"size": "quotes"}))
                counted = queries.quotes_per_speaker(ws, filters, involving=involving, **chosen)
                assert _rows(counted) == _rows(by_hand)
    assert asked
    for positions in (False, True):  # read without the documents' join when nothing is filtered: the same links
        graph = queries.speaker_graph(ws, positions=positions)
        pd.testing.assert_frame_equal(graph, queries.speaker_graph(ws, EVERY_DOCUMENT, positions=positions))


def assert_answers_match_mentions(ws: Workspace) -> None:
    """The pages' answers from the aggregates equal those computed from the mentions."""
    assert_documents_match_plain(ws)
    assert_events_match_plain(ws)
    assert_quotes_match_plain(ws)
    dated = Filters(date_from=datetime.date(2023, 1, 1))
    for aggregated, per_document in ((Filters(), EVERY_DOCUMENT),
                                     (dated, Filters(date_from=dated.date_from, sources=EVERY_DOCUMENT.sources))):
        table = queries.entity_table(ws, aggregated)
        pd.testing.assert_frame_equal(table, queries.entity_table(ws, per_document))
        pd.testing.assert_frame_equal(table, _entity_table_from_mentions(ws, per_document))
        assert queries.overview(ws, aggregated) == queries.overview(ws, per_document)
        for freq in ("day", "month"):
            pd.testing.assert_frame_equal(queries.mentions_over_time(ws, aggregated, freq=freq),
                                          queries.mentions_over_time(ws, per_document, freq=freq))
    assert_network_matches_mentions(ws, EVERY_DOCUMENT)
    choices = queries.entity_choices(ws)
    by_mentions = ws.query("""SELECT e.entity, e.name, e.label, count(*) AS mentions FROM mention_view m
                              JOIN entities e ON e.entity = m.entity WHERE NOT e.hidden
                              GROUP BY ALL ORDER BY mentions DESC, e.name, e.entity""")
    assert choices == by_mentions.to_dict("records")
    assert queries.entity_types(ws) == sorted(set(by_mentions["label"]))


def assert_network_matches_mentions(ws: Workspace, every_document: Filters, every_third: bool = True) -> None:
    """The network from the stored counts (an empty filter) equals the network counted from the
    mentions (`every_document`: a filter keeping every document) and a count by hand: its pairs,
    strongest links by each weight, and the ego networks of a third of its entities (all of
    them unless `every_third`)."""
    for unit in queries.UNITS:
        pd.testing.assert_frame_equal(queries.cooccurrence(ws, unit=unit), queries.cooccurrence(ws, every_document, unit=unit))
        expected = _pairs_by_hand(ws, unit)
        edges = queries.cooccurrence(ws, unit=unit)
        assert {(r.source, r.target): r.count for r in edges.itertuples()} == {p: n for p, (n, _) in expected.items()}
        for by in ("count", "pmi"):
            stored, scanned = (queries.strongest_links(ws, f, unit=unit, by=by, limit=7) for f in (None, every_document))
            assert stored.total == scanned.total
            pd.testing.assert_frame_equal(stored.strongest, scanned.strongest)
        scanned_edges = queries.cooccurrence(ws, every_document, unit=unit)
        entities = sorted(set(edges["source"]) | set(edges["target"]))
        for entity in entities[::3] if every_third else entities:  # a third of them: time
            stored, scanned = (queries.strongest_links(ws, f, unit=unit, around=entity) for f in (None, every_document))
            assert stored.total == scanned.total
            pd.testing.assert_frame_equal(stored.strongest, scanned.strongest)
            theirs = scanned_edges[(scanned_edges["source"] == entity) | (scanned_edges["target"] == entity)]
            for f in (None, every_document):  # the pairs with a focus are the network's pairs that include it
                pd.testing.assert_frame_equal(queries.cooccurrence(ws, f, unit=unit, focus=entity),
                                              theirs.reset_index(drop=True))


def _review_quotes(ws: Workspace, speaker: str) -> None:
    """The analyst's reviews: the newest quote is no quote, the oldest one's speaker is `speaker`."""
    quotes = queries.quotes_table(ws, positions=True)
    assert len(quotes) > 1
    newest, oldest = quotes.iloc[0], quotes.iloc[-1]
    quote_review.mark(ws, newest["doc_id"], int(newest["start"]), int(newest["end"]), "wrong")
    quote_review.set_speaker(ws, oldest["doc_id"], int(oldest["start"]), int(oldest["end"]), speaker)


def test_aggregates_and_answers_stay_right_through_ingest_and_curation(ws) -> None:
    whitfield, haddad, herald = _key(ws, "Dana Whitfield"), _key(ws, "Omar Haddad"), _key(ws, "Kestrel Herald")
    berg = _key(ws, "Tomas Berg")
    harbour = ws.query("SELECT doc_id FROM documents WHERE title LIKE 'Port authority%'")["doc_id"].item()

    def unmerge(key: str) -> None:  # as an analyst's undo leaves it: the override without its target
        with ws.connect() as con:
            con.execute("UPDATE entity_overrides SET merged_into = NULL WHERE entity_key = ?", [key])

    steps = {
        "ingest": lambda: None,
        "re-ingest": lambda: ingest(ws, [_raw(n, t) for n, t in ALL.items()]),
        "a later batch": lambda: ingest(ws, [_raw("later.txt", LATER)]),
        "merge two people named in one sentence": lambda: curation.merge(ws, [haddad], whitfield),
        "merge into a merged entity": lambda: curation.merge(ws, [herald], haddad),
        "unmerge": lambda: unmerge(herald),
        "hide": lambda: curation.hide(ws, berg),
        "date fix": lambda: curation.set_document_date(ws, harbour, datetime.date(2021, 5, 1)),
        "date fix to an existing day": lambda: curation.set_document_date(ws, harbour, datetime.date(2022, 11, 5)),
        "date fix undone": lambda: curation.set_document_date(ws, harbour, None),
        "unhide": lambda: curation.hide(ws, berg, hidden=False),
        "tags and a star": lambda: (curation.set_document_tags(ws, harbour, ["follow up", "ports"]),
                                    curation.star_document(ws, harbour, True)),
        "quote reviews": lambda: _review_quotes(ws, whitfield),
        "a batch after curation": lambda: ingest(ws, [_raw("again.txt", LATER + "\nBerg agreed.")]),
    }
    for name, step in steps.items():
        step()
        try:
            assert_aggregates_match_mentions(ws)
            assert_answers_match_mentions(ws)
        except AssertionError as err:
            raise AssertionError(f"after {name}: {err}") from err


def test_the_date_fix_moves_counts_between_days(ws) -> None:
    """Not only equal to the per-document path: the corrected day shows in the aggregated answers."""
    harbour = ws.query("SELECT doc_id FROM documents WHERE title LIKE 'Port authority%'")["doc_id"].item()
    whitfield = _key(ws, "Dana Whitfield")
    curation.set_document_date(ws, harbour, datetime.date(2021, 5, 1))
    row = queries.entity_table(ws).set_index("entity").loc[whitfield]
    assert row["first_seen"] == pd.Timestamp(2021, 5, 1) and row["last_seen"] == pd.Timestamp(2024, 3, 3)
    timeline = queries.mentions_over_time(ws, entities=(whitfield,), freq="day")
    assert set(timeline["period"]) == {pd.Timestamp(2021, 5, 1), pd.Timestamp(2024, 3, 3)}


def test_opening_an_older_workspace_builds_the_aggregates(ws, tmp_path) -> None:
    with ws.connect() as con:
        for table in DERIVED_TABLES:
            con.execute(f"DELETE FROM {table}")
        con.execute("UPDATE meta SET value = 'an older schema' WHERE key = 'schema'")
    reopened = Workspace(tmp_path / "ws")
    assert_aggregates_match_mentions(reopened)
    assert_answers_match_mentions(reopened)


# --- exports written a piece at a time -------------------------------------------------------------

@pytest.mark.parametrize("per_query", [1, 2, 10_000])  # a range of ids per document, some, all at once
@pytest.mark.parametrize("filters", [Filters(), Filters(types=("PERSON",)), Filters(search="no such word")])
def test_mentions_in_pieces_write_the_csv_of_the_whole_table(ws, per_query: int, filters: Filters) -> None:
    curation.rename(ws, _key(ws, "Dana Whitfield"), "=HYPERLINK(\"x\")")  # neutralised in every piece too
    whole = queries.all_mentions(ws, filters)
    pieces = list(queries.all_mentions_pieces(ws, filters, documents_per_query=per_query))
    assert pieces and list(pieces[0].columns) == list(whole.columns)
    if per_query == 1 and len(whole):
        assert len([p for p in pieces if len(p)]) > 1
    out = io.BytesIO()
    assert write_csv_pieces(pieces, out) == len(whole)
    assert out.getvalue() == to_csv_bytes(whole)


def test_the_cli_exports_mentions_as_the_library_does(ws, tmp_path) -> None:
    out = tmp_path / "mentions.csv"
    assert main(["export", "mentions", "--workspace", str(ws.path), "-o", str(out)]) == 0
    assert out.read_bytes() == to_csv_bytes(queries.all_mentions(ws))


def test_the_download_bundle_writes_the_mentions_in_pieces_as_the_whole_table(ws) -> None:
    import zipfile

    filters = Filters(types=("PERSON", "GPE"))
    tables = queries.export_tables(ws, filters)
    assert not isinstance(tables["mentions"], pd.DataFrame)
    bundle = zipfile.ZipFile(io.BytesIO(zip_bundle(tables, {})))
    whole = queries.all_mentions(ws, filters)
    assert bundle.read("mentions.csv") == to_csv_bytes(whole)
    assert json.loads(bundle.read("manifest.json"))["tables"]["mentions"] == len(whole)


@pytest.mark.parametrize("unit", queries.UNITS)
def test_edge_evidence_gives_a_row_per_unit_naming_both(ws, unit: str) -> None:
    """Looked for only in documents naming both (from the per-document counts), merges applied."""
    curation.merge(ws, [_key(ws, "Omar Haddad")], _key(ws, "Dana Whitfield"))
    pairs = _pairs_by_hand(ws, unit)
    assert pairs
    col = queries._unit_column(unit)
    for (a, b), (n, _) in pairs.items():
        assert len(queries.edge_evidence(ws, a, b, unit=unit, limit=1000)) == n
        assert len(queries.edge_evidence(ws, b, a, EVERY_DOCUMENT, unit=unit, limit=1000)) == n
        plain = queries._q(ws, EVERY_DOCUMENT, f"""
            , units AS (
                SELECT m.doc_id, {col} AS unit, min(s.start) AS start, max(s."end") AS "end"
                FROM mention_view m JOIN sentences s ON s.doc_id = m.doc_id AND s.sentence = m.sentence
                WHERE m.entity IN (?, ?) GROUP BY ALL HAVING count(DISTINCT m.entity) = 2)
            SELECT substr(d.text, u.start + 1, least(u."end" - u.start, 600)) AS evidence, d.title AS document,
                   d.date, u.doc_id
            FROM units u JOIN fdocs d USING (doc_id) ORDER BY d.date DESC NULLS LAST, u.doc_id, u.start""", a, b)
        for limit in (1, 1000):  # the evidence itself, in order, cut
            pd.testing.assert_frame_equal(queries.edge_evidence(ws, a, b, unit=unit, limit=limit), plain.head(limit))


def test_keyword_in_context_lists_every_mention_of_the_merged_entity(ws) -> None:
    """Read from the mentions of the entity's stored keys: the same rows as from every mention, merges applied."""
    whitfield, haddad = _key(ws, "Dana Whitfield"), _key(ws, "Omar Haddad")
    curation.merge(ws, [haddad], whitfield)
    for entity, filters in ((whitfield, Filters()), (whitfield, EVERY_DOCUMENT), (haddad, Filters())):
        plain = queries._q(ws, filters, """
            SELECT m.text AS mention, m.doc_id, m.start FROM mention_view m JOIN fdocs d USING (doc_id)
            WHERE m.entity = ? ORDER BY d.date DESC NULLS LAST, m.doc_id, m.start""", entity)
        kwic = queries.keyword_in_context(ws, entity, filters, limit=1000)
        pd.testing.assert_frame_equal(kwic[["mention", "doc_id", "start"]], plain)
        assert (entity == haddad) == plain.empty  # merged away: no mention is its own any more
    assert {"Whitfield", "Haddad"} <= set(queries.keyword_in_context(ws, whitfield)["mention"].str.split().str[-1])
