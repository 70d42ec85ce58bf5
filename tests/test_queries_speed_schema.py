"""The speed work kept the answers: derived entity tables, Arrow fetching, rewritten queries.

Everything runs on real DuckDB files filled by the real spaCy pipeline. Each derived table is
checked against a from-scratch computation over every mention (the definition it replaced),
after ingest, after each kind of curation, and after opening a workspace of the older schema.
"""
from __future__ import annotations

import itertools
import math
from collections import Counter

import duckdb
import pandas as pd
import pytest

from analysis.model import RawDocument
from analysis.workspace import curation, queries
from analysis.workspace.ingest import ingest
from analysis.workspace.queries import Filters
from analysis.workspace.store import SCHEMA_VERSION, Workspace, _to_pandas
from tests.fictional import ALL, HARBOUR

# The `entity_names` view before the derived tables: a GROUP BY over every mention. Also how an
# older workspace defines it, which `old_schema` recreates.
REFERENCE_NAMES = """
WITH counted AS (
    SELECT coalesce(o.merged_into, m.entity_key) AS entity, m.entity_name, m.entity_label, count(*) AS n
    FROM mentions m LEFT JOIN entity_overrides o ON o.entity_key = m.entity_key
    GROUP BY ALL),
names AS (SELECT entity, entity_name, sum(n) AS n FROM counted GROUP BY ALL),
labels AS (SELECT entity, entity_label, sum(n) AS n FROM counted GROUP BY ALL)
SELECT entity, name, label
FROM (SELECT entity, first(entity_name ORDER BY n DESC, entity_name = upper(entity_name), entity_name) AS name
      FROM names GROUP BY entity)
JOIN (SELECT entity, first(entity_label ORDER BY n DESC, entity_label) AS label FROM labels GROUP BY entity)
USING (entity)"""
OLD_SCHEMA_VERSION = "951c20cf5d2c1b46"  # what the store before the derived tables recorded

LATER = "Omar Haddad met Ostrava Copper managers in Kestrel Bay on Friday. Haddad said talks went well."


def _raw(name: str, text: str) -> RawDocument:
    return RawDocument(text, name, title=text.splitlines()[0], source="Fiction Wire")


@pytest.fixture
def ws(tmp_path, nlp) -> Workspace:
    workspace = Workspace(tmp_path / "ws")
    assert len(ingest(workspace, [_raw(n, t) for n, t in ALL.items()]).added) == 3
    return workspace


def _rows(ws: Workspace, sql: str) -> list[tuple]:
    return sorted(ws.query(sql).itertuples(index=False, name=None))


def assert_derived_tables_match_mentions(ws: Workspace) -> None:
    """The derived tables and the names every page reads equal a computation over all mentions."""
    assert _rows(ws, "SELECT * FROM entity_name_counts") == _rows(
        ws, "SELECT entity_key, entity_name, entity_label, count(*) FROM mentions GROUP BY ALL")
    assert _rows(ws, "SELECT * FROM entity_names") == _rows(ws, REFERENCE_NAMES)
    assert _rows(ws, "SELECT * FROM entities") == _rows(ws, f"""
        SELECT n.entity, coalesce(o.name, n.name), coalesce(o.label, n.label), coalesce(o.hidden, FALSE)
        FROM ({REFERENCE_NAMES}) n LEFT JOIN entity_overrides o ON o.entity_key = n.entity""")


def _key(ws: Workspace, name: str) -> str:
    table = queries.entity_table(ws)
    return table.loc[table["name"] == name, "entity"].item()


# --- derived entity tables ---------------------------------------------------------------

def test_derived_tables_follow_every_ingest_batch(ws) -> None:
    assert_derived_tables_match_mentions(ws)
    ingest(ws, [_raw("later.txt", LATER)])  # a second batch adds to keys counted by the first
    assert_derived_tables_match_mentions(ws)
    assert queries.entity_table(ws).set_index("name").loc["Omar Haddad", "mentions"] == int(ws.query(
        "SELECT count(*) AS n FROM mentions WHERE entity_key = 'omar haddad'")["n"][0])


def test_derived_tables_stay_right_through_each_kind_of_curation(ws) -> None:
    whitfield, haddad, herald = _key(ws, "Dana Whitfield"), _key(ws, "Omar Haddad"), _key(ws, "Kestrel Herald")
    novakova, berg = _key(ws, "Petra Novakova"), _key(ws, "Tomas Berg")
    steps = [
        lambda: curation.merge(ws, [haddad], whitfield),
        lambda: curation.merge(ws, [whitfield], herald),  # a merged target moves on: one level deep
        lambda: curation.merge(ws, [novakova], "a key never mentioned"),
        lambda: curation.rename(ws, herald, "Herald & Co"),
        lambda: curation.set_type(ws, berg, "ORG"),
        lambda: curation.hide(ws, berg),
        lambda: curation.hide(ws, berg, hidden=False),
        lambda: ingest(ws, [_raw("later.txt", LATER)]),  # curation applies to later documents
    ]
    for step in steps:
        step()
        assert_derived_tables_match_mentions(ws)
    table = queries.entity_table(ws).set_index("name")
    assert table.loc["Herald & Co", "mentions"] == int(ws.query(
        "SELECT count(*) AS n FROM mentions WHERE entity_key IN (?, ?, ?)", [haddad, whitfield, herald])["n"][0])
    assert table.loc["Tomas Berg", "type"] == "ORG"
    assert table.loc["Petra Novakova", "entity"] == "a key never mentioned"
    assert {"Dana Whitfield", "Omar Haddad"}.isdisjoint(table.index)


def test_a_chain_of_merges_written_directly_keeps_the_one_level_meaning(ws) -> None:
    """`mention_view` maps a key through one `merged_into`; the names follow the same rule."""
    table = queries.entity_table(ws)  # most mentioned first
    most, second, least = table["entity"].iloc[0], table["entity"].iloc[1], table["entity"].iloc[-1]
    with ws.connect() as con:  # least -> most -> second: `most` now stands for the mentions of `least` only
        con.execute("INSERT INTO entity_overrides (entity_key, merged_into) VALUES (?, ?), (?, ?)",
                    [least, most, most, second])
    assert_derived_tables_match_mentions(ws)
    names = queries.entity_table(ws).set_index("entity")["name"]
    assert names[most] == table["name"].iloc[-1]


@pytest.fixture
def old_schema(ws) -> Workspace:
    """`ws` turned into what the store before the derived tables left: no such tables, its view, its version."""
    with ws.connect() as con:
        con.execute(f"CREATE OR REPLACE VIEW entity_names AS {REFERENCE_NAMES}")
        con.execute("DROP TABLE entity_key_names")
        con.execute("DROP TABLE entity_name_counts")
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema'", [OLD_SCHEMA_VERSION])
    return ws


def test_opening_an_older_workspace_builds_the_derived_tables(old_schema, tmp_path) -> None:
    curation.merge(old_schema, [_key(old_schema, "Omar Haddad")], _key(old_schema, "Dana Whitfield"))
    before = queries.entity_table(old_schema)
    reopened = Workspace(tmp_path / "ws")
    assert reopened.query("SELECT value FROM meta WHERE key = 'schema'")["value"][0] == SCHEMA_VERSION
    assert_derived_tables_match_mentions(reopened)
    pd.testing.assert_frame_equal(queries.entity_table(reopened), before)
    ingest(reopened, [_raw("later.txt", LATER)])
    assert_derived_tables_match_mentions(reopened)


def test_a_changed_schema_rebuilds_derived_tables_that_exist(ws, tmp_path) -> None:
    """As when an older store wrote mentions without keeping the counts: the rebuild corrects them."""
    with ws.connect() as con:
        con.execute("UPDATE entity_name_counts SET n = n + 5")
        con.execute("DELETE FROM entity_key_names WHERE entity_key IN (SELECT entity_key FROM entity_key_names LIMIT 3)")
        con.execute("UPDATE meta SET value = 'another schema' WHERE key = 'schema'")
    assert_derived_tables_match_mentions(Workspace(tmp_path / "ws"))


def test_opening_an_up_to_date_workspace_writes_nothing(ws, tmp_path) -> None:
    from analysis.workspace.store import release_all

    release_all()
    version = ws.version()
    Workspace(tmp_path / "ws")
    release_all()  # closing checkpoints whatever was written
    assert ws.version() == version


# --- fetching through Arrow --------------------------------------------------------------

@pytest.mark.parametrize("sql", [
    """SELECT DATE '2024-01-02' AS d, TIMESTAMP '2024-01-02 03:04:05' AS ts, 1::INTEGER AS i, NULL::INTEGER AS i_null,
              'text' AS s, NULL::VARCHAR AS s_null, TRUE AS b, NULL::BOOLEAN AS b_null, 2.5 AS dec, sum(2) AS total,
              date_trunc('month', DATE '2024-01-05') AS period, [1, 2] AS l, 'again' AS s, ''::VARCHAR AS empty
       UNION ALL SELECT NULL, NULL, 2, 3, NULL, 'y', FALSE, NULL, 1.5, 1, NULL, NULL, NULL, ''""",
    "SELECT NULL::VARCHAR AS s, range AS n FROM range(3)",  # text column without a value: objects
    "SELECT 'a' AS s, 1 AS n WHERE FALSE",  # no rows
    "SELECT CASE WHEN range % 3 = 0 THEN '=x' || range END AS s, range AS n FROM range(5000)",
    "SELECT 1 AS n, 2.0::DOUBLE AS x",
])
def test_rows_fetched_through_arrow_are_the_frame_duckdb_gives(sql: str) -> None:
    con = duckdb.connect()
    expected, got = con.sql(sql).df(), _to_pandas(con, con.sql(sql))
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    for column in range(expected.shape[1]):
        assert [type(v) for v in got.iloc[:, column]] == [type(v) for v in expected.iloc[:, column]]


# --- rewritten queries -------------------------------------------------------------------

def _pairs_by_hand(ws: Workspace, unit: str) -> dict[tuple[str, str], tuple[int, float]]:
    """(source, target) -> (shared units, PMI), counted in Python over the visible mentions."""
    rows = ws.query("""SELECT m.doc_id, m.sentence, s.paragraph, m.entity FROM mention_view m
                       JOIN sentences s USING (doc_id, sentence) JOIN entities e ON e.entity = m.entity
                       WHERE NOT e.hidden""")
    units: dict[tuple, set[str]] = {}
    for r in rows.itertuples():
        position = {"sentence": r.sentence, "paragraph": r.paragraph, "document": 0}[unit]
        units.setdefault((r.doc_id, position), set()).add(r.entity)
    singles = Counter(e for entities in units.values() for e in entities)
    pairs = Counter(p for entities in units.values() for p in itertools.combinations(sorted(entities), 2))
    return {(a, b): (n, math.log(n * len(units) / (singles[a] * singles[b]))) for (a, b), n in pairs.items()}


@pytest.mark.parametrize("unit", queries.UNITS)
def test_cooccurrence_counts_pmi_and_order_match_a_count_by_hand(ws, unit: str) -> None:
    curation.merge(ws, [_key(ws, "Omar Haddad")], _key(ws, "Dana Whitfield"))
    curation.hide(ws, _key(ws, "Tomas Berg"))
    edges = queries.cooccurrence(ws, unit=unit)
    expected = _pairs_by_hand(ws, unit)
    assert set(zip(edges["source"], edges["target"])) == set(expected)
    for r in edges.itertuples():
        assert r.count == expected[(r.source, r.target)][0]
        assert r.pmi == pytest.approx(expected[(r.source, r.target)][1], abs=0.0006)
    order = list(zip(-edges["count"], -edges["pmi"], edges["source_name"], edges["target_name"]))
    assert order == sorted(order)
    focus = _key(ws, "Dana Whitfield")
    around = queries.cooccurrence(ws, unit=unit, focus=focus)
    assert set(zip(around["source"], around["target"])) == {p for p in expected if focus in p}


@pytest.mark.parametrize("unit", queries.UNITS)
@pytest.mark.parametrize("by", ["count", "pmi"])
def test_strongest_links_are_the_head_of_all_links_sorted(ws, unit: str, by: str) -> None:
    edges = queries.cooccurrence(ws, unit=unit)
    other = "pmi" if by == "count" else "count"
    ranked = edges.sort_values([by, other, "source_name", "target_name"], ascending=[False, False, True, True])
    for limit in (1, 5, len(edges) + 3):
        links = queries.strongest_links(ws, unit=unit, by=by, limit=limit)
        assert links.total == len(edges)
        pd.testing.assert_frame_equal(links.strongest, ranked.head(limit).reset_index(drop=True))

    def ego(focus: str) -> pd.DataFrame:  # it, its neighbours, and the links among all of them
        touching = (ranked["source"] == focus) | (ranked["target"] == focus)
        circle = {focus} | set(ranked.loc[touching, "source"]) | set(ranked.loc[touching, "target"])
        return ranked[ranked["source"].isin(circle) & ranked["target"].isin(circle)]

    # the entity whose ego network has the most links besides its own
    focus = max(sorted(set(edges["source"])), key=lambda e: len(ego(e)) - len(queries.cooccurrence(ws, unit=unit, focus=e)))
    assert len(ego(focus)) > len(queries.cooccurrence(ws, unit=unit, focus=focus))
    around = queries.strongest_links(ws, unit=unit, by=by, limit=len(edges), around=focus)
    assert around.total == len(ego(focus))
    pd.testing.assert_frame_equal(around.strongest, ego(focus).reset_index(drop=True))
    nobody = queries.strongest_links(ws, unit=unit, by=by, around="no such entity")
    assert nobody.total == 0 and nobody.strongest.empty


def test_quotes_involving_is_spoken_by_or_naming_the_entities(ws) -> None:
    # someone who speaks ("Reyes said on Saturday ...") and is also named in another speaker's quote
    ingest(ws, [_raw("debate.txt", "Valmora debate turns sour\n\nSenator Tomas Berg said Governor Ana Reyes had "
                                   "misled voters about the budget.\n")])
    both = ws.query("""SELECT qe.entity_key FROM quote_entities qe JOIN quotes q ON q.speaker_key = qe.entity_key
                       ORDER BY 1 LIMIT 1""")["entity_key"].item()
    everything = queries.quotes_table(ws, positions=True)  # the quote naming them may be a position
    naming = queries.quotes_table(ws, mentioning=(both,), positions=True)
    named = pd.MultiIndex.from_frame(everything[["doc_id", "quote_id"]]).isin(
        pd.MultiIndex.from_frame(naming[["doc_id", "quote_id"]]))
    spoken = (everything["speaker_entity"] == both).to_numpy()
    assert (spoken & ~named).any() and (named & ~spoken).any()
    expected = everything[spoken | named]
    involving = queries.quotes_involving(ws, Filters(), (both,), positions=True)
    assert list(zip(involving["doc_id"], involving["quote_id"])) == list(zip(expected["doc_id"], expected["quote_id"]))
    assert queries.quotes_involving(ws, Filters(), (), positions=True).equals(everything)
    assert queries.quotes_involving(ws, Filters(), ("nobody",), positions=True).empty


def test_mentions_csv_neutralises_formula_names(ws) -> None:
    from analysis.present.export import to_csv_bytes

    curation.rename(ws, _key(ws, "Dana Whitfield"), "=HYPERLINK(\"x\")")
    text = to_csv_bytes(queries.all_mentions(ws)).decode("utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert HARBOUR.splitlines()[0] in text
