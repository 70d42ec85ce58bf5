"""Every question a page asks, as a function returning a DataFrame.

All of them take the global `Filters` and read the curated views, so a merge, a rename or
a hidden entity shows the same way on every page and in every export.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from analysis.model import UNRESOLVED, strip_accents

from . import search
from .store import Workspace

if TYPE_CHECKING:  # tables are built by DuckDB; the first page's answers are rows (`Workspace.records`)
    import pandas as pd

FREQUENCIES = {"day": "day", "week": "week", "month": "month", "year": "year"}
UNITS = ("sentence", "paragraph", "document")


@dataclass(frozen=True)
class Filters:
    """The analyst's global filter: which documents, entities and types are in view."""

    entities: tuple[str, ...] = ()  # entity keys; documents mentioning any of them
    types: tuple[str, ...] = ()  # entity labels shown
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sources: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    search: str = ""  # a full-text query (search_query's language): documents matching it
    tags: tuple[str, ...] = ()  # documents carrying any of these tags
    starred: bool = False  # only starred documents
    once: bool = False  # count each story once: near-duplicate copies left out
    languages: tuple[str, ...] = ()  # ISO 639-1 codes of `documents.language`

    def is_empty(self) -> bool:
        return self == Filters()


# The stored keys whose entity (merges and links applied) is one of a list (given twice): the
# list's own keys that no merge moves away, and the keys moved into one of them. Filtering the
# stored keys with it spares a join of every row with the merges (`doc_entity_view`): ~60 ms of a
# 200,000-article workspace's entity filter.
_KEYS_OF = """((SELECT unnest(?) EXCEPT SELECT entity_key FROM entity_moves)
               UNION SELECT entity_key FROM entity_moves WHERE entity IN (SELECT unnest(?)))"""


@dataclass
class _Sql:
    """A query prefixed with the filtered documents (`fdocs`) and visible entities (`fents`)."""

    filters: Filters
    params: list = field(default_factory=list)

    def ctes(self, ws: Workspace) -> str:
        f = self.filters
        where = ["TRUE"]
        if f.date_from:
            where.append("date >= ?")
            self.params.append(f.date_from)
        if f.date_to:
            where.append("date <= ?")
            self.params.append(f.date_to)
        if f.sources:
            where.append("source IN (SELECT unnest(?))")
            self.params.append(list(f.sources))
        if f.documents:
            where.append("doc_id IN (SELECT unnest(?))")
            self.params.append(list(f.documents))
        if f.languages:
            where.append("language IN (SELECT unnest(?))")
            self.params.append(list(f.languages))
        if f.entities:
            where.append(f"doc_id IN (SELECT doc_id FROM doc_entity_counts WHERE entity_key IN {_KEYS_OF})")
            self.params += [list(f.entities)] * 2
        if f.search:
            where.append("doc_id IN (SELECT unnest(?))")
            self.params.append(list(search.matching_ids(ws, f.search)))
        if f.tags:
            where.append("doc_id IN (SELECT doc_id FROM document_tags WHERE tag IN (SELECT unnest(?)))")
            self.params.append(list(f.tags))
        if f.starred:
            where.append("doc_id IN (SELECT doc_id FROM document_notes WHERE starred)")
        if f.once:
            where.append("doc_id NOT IN (SELECT doc_id FROM near_duplicates)")
        ents = "NOT hidden"
        if f.types:
            ents += " AND label IN (SELECT unnest(?))"
            self.params.append(list(f.types))
        return (f"WITH fdocs AS (SELECT * FROM doc_view WHERE {' AND '.join(where)}), "
                f"fents AS (SELECT * FROM entities WHERE {ents}) ")

    def run(self, ws: Workspace, body: str, *params) -> pd.DataFrame:
        sql = self.ctes(ws) + body
        return ws.query(sql, self.params + list(params))

    def records(self, ws: Workspace, body: str, *params) -> list[dict[str, Any]]:
        """`run`'s rows as dicts (`Workspace.records`)."""
        return ws.records(self.ctes(ws) + body, self.params + list(params))

    def stream(self, ws: Workspace, body: str, *params) -> Iterator[pd.DataFrame]:
        """`run`'s rows a piece at a time (`Workspace.stream`)."""
        sql = self.ctes(ws) + body
        return ws.stream(sql, self.params + list(params))


def _q(ws: Workspace, filters: Filters | None, body: str, *params) -> pd.DataFrame:
    return _Sql(filters or Filters()).run(ws, body, *params)


def _rows(ws: Workspace, filters: Filters | None, body: str, *params) -> list[dict[str, Any]]:
    """`_q`'s rows as dicts (`Workspace.records`): small answers, without pandas."""
    return _Sql(filters or Filters()).records(ws, body, *params)


def _all_documents(filters: Filters | None) -> bool:
    """Whether `filters` keeps every document but for a date range (and shows entities of some types):
    the mentions counted per day then answer, without reading a row per document."""
    return replace(filters or Filters(), date_from=None, date_to=None, types=()).is_empty()


def _days(filters: Filters | None) -> tuple[str, list]:
    """A CTE `days` (after the filter's): per effective date (in the filter's range) and entity, its
    mentions and the documents naming it, with the parameters it adds (they come first).

    Read from `day_entity_counts`, kept per stored date and key at ingest. Curation is applied here,
    as the views apply it: a document whose date the analyst set moves from its stored date to that
    one; a key in a merge is counted per document instead (a document naming two keys of one entity
    is one document), from `doc_entity_counts`. Both are few rows however big the workspace.
    """
    f = filters or Filters()
    where, params = ["TRUE"], []
    if f.date_from:
        where.append("date >= ?")
        params.append(f.date_from)
    if f.date_to:
        where.append("date <= ?")
        params.append(f.date_to)
    return f"""
        , merged_keys AS (SELECT entity_key FROM entity_moves UNION SELECT entity FROM entity_moves),
        moved AS (SELECT o.doc_id, d.date AS stored, o.date FROM document_overrides o JOIN documents d USING (doc_id)),
        day_rows AS (
            SELECT date, entity_key AS entity, mentions, documents FROM day_entity_counts
            WHERE entity_key NOT IN (SELECT entity_key FROM merged_keys)
            UNION ALL
            SELECT v.date, c.entity_key, v.sign * c.n, v.sign
            FROM (SELECT doc_id, stored AS date, -1 AS sign FROM moved UNION ALL SELECT doc_id, date, 1 FROM moved) v
            JOIN doc_entity_counts c USING (doc_id) WHERE c.entity_key NOT IN (SELECT entity_key FROM merged_keys)
            UNION ALL
            SELECT d.date, c.entity, sum(c.n), 1 FROM doc_entity_view c JOIN doc_view d USING (doc_id)
            WHERE c.entity_key IN (SELECT entity_key FROM merged_keys) GROUP BY c.doc_id, c.entity, d.date),
        days AS (
            SELECT date, entity, sum(mentions)::BIGINT AS mentions, sum(documents)::BIGINT AS documents
            FROM day_rows WHERE {' AND '.join(where)} GROUP BY ALL HAVING sum(documents) > 0)""", params


def overview(ws: Workspace, filters: Filters | None = None) -> dict:
    """The workspace at a glance: counts and date span under the filter."""
    days, params = _days(filters) if _all_documents(filters) else (
        ", days AS (SELECT m.entity, m.n AS mentions FROM doc_entity_view m JOIN fdocs USING (doc_id))", [])
    # every quote and event belongs to a stored document: with no filter, the tables' own row counts
    rows = "{}" if (filters or Filters()).is_empty() else "{} JOIN fdocs USING (doc_id)"
    return _rows(ws, filters, f"""{days}
        SELECT (SELECT count(*) FROM fdocs) AS documents,
               (SELECT count(DISTINCT m.entity) FROM days m JOIN fents e ON e.entity = m.entity) AS entities,
               (SELECT coalesce(sum(m.mentions), 0)::BIGINT FROM days m JOIN fents e ON e.entity = m.entity) AS mentions,
               (SELECT count(*) FROM {rows.format("quote_view")}) AS quotes,
               (SELECT count(*) FROM {rows.format("events")}) AS events,
               (SELECT min(date) FROM fdocs) AS first_date,
               (SELECT max(date) FROM fdocs) AS last_date
    """, *params)[0]


def entity_choices(ws: Workspace) -> list[dict[str, Any]]:
    """All visible entities (for the filter's multi-select), most mentioned first (counted from the
    names' counts per key, with merges applied, instead of from every mention)."""
    return ws.records("""
        SELECT e.entity, e.name, e.label, sum(c.n)::BIGINT AS mentions
        FROM entity_name_counts c LEFT JOIN entity_moves o USING (entity_key)
        JOIN entities e ON e.entity = coalesce(o.entity, c.entity_key)
        WHERE NOT e.hidden GROUP BY ALL ORDER BY mentions DESC, e.name, e.entity""")


def entity_labels(ws: Workspace) -> dict[str, str]:
    """Entity key -> "Name (TYPE)" of every visible entity, most mentioned first: the pickers' options.

    A dict, built once per workspace version by the dashboard's cache: rebuilding it from the
    DataFrame on every run cost ~0.1 s on a 20,000-article workspace.
    """
    return {row["entity"]: f"{row['name']} ({row['label']})" for row in entity_choices(ws)}


def entity_types(ws: Workspace) -> list[str]:
    """The types of the visible entities, sorted (every entity of the `entities` view is mentioned:
    no need to count mentions, as `entity_choices` does, to list them)."""
    return _column(ws, "SELECT DISTINCT label FROM entities WHERE NOT hidden ORDER BY 1")


def sources(ws: Workspace) -> list[str]:
    return _column(ws, "SELECT DISTINCT source FROM documents WHERE source IS NOT NULL ORDER BY 1")


def languages(ws: Workspace) -> list[str]:
    """The languages detected in the workspace's documents (ISO 639-1 codes), sorted."""
    return _column(ws, "SELECT DISTINCT language FROM documents WHERE language IS NOT NULL ORDER BY 1")


def _column(ws: Workspace, sql: str, params: list | None = None) -> list:
    """The first column of a SELECT's rows, as Python values."""
    return [next(iter(row.values())) for row in ws.records(sql, params)]


def entity_table(ws: Workspace, filters: Filters | None = None, limit: int | None = None) -> pd.DataFrame:
    """Entities with their mention and document counts, first and last seen (by document date)."""
    return _q(ws, filters, *_entity_counts(filters, limit))


def top_entities(ws: Workspace, filters: Filters | None = None, limit: int = 15) -> list[dict[str, Any]]:
    """`entity_table`'s first `limit` rows as dicts: the Overview's chart, drawn without pandas."""
    return _rows(ws, filters, *_entity_counts(filters, limit))


def _entity_counts(filters: Filters | None, limit: int | None) -> tuple:
    """The body and parameters of `entity_table`'s query, most mentioned first.

    Read from the mentions counted per day (`_days`) when the filter keeps every document but for
    dates, else per document and key (`doc_entity_counts`), summed per document for an entity of
    several keys (a merge or link; the others are one row per document already), then per entity:
    a plain count replaces `count(DISTINCT doc_id)`.
    """
    order = f"ORDER BY mentions DESC, e.name, e.entity {'LIMIT ' + str(int(limit)) if limit else ''}"
    if _all_documents(filters):
        days, params = _days(filters)
        return (f"""{days}
            SELECT e.name, e.label AS type, sum(m.mentions)::BIGINT AS mentions, sum(m.documents)::BIGINT AS documents,
                   min(m.date) AS first_seen, max(m.date) AS last_seen, e.entity
            FROM days m JOIN fents e ON e.entity = m.entity GROUP BY ALL {order}""", *params)
    return (f"""
        , merged_keys AS (SELECT entity_key FROM entity_moves UNION SELECT entity FROM entity_moves),
        rows AS (SELECT coalesce(o.entity, c.entity_key) AS entity, c.doc_id, c.n, d.date,
                        c.entity_key IN (SELECT entity_key FROM merged_keys) AS merged
                 FROM doc_entity_counts c JOIN fdocs d USING (doc_id) LEFT JOIN entity_moves o USING (entity_key)),
        m AS (SELECT entity, doc_id, sum(n) AS n, any_value(date) AS date FROM rows WHERE merged GROUP BY ALL
              UNION ALL SELECT entity, doc_id, n, date FROM rows WHERE NOT merged)
        SELECT e.name, e.label AS type, sum(m.n)::BIGINT AS mentions, count(*) AS documents,
               min(m.date) AS first_seen, max(m.date) AS last_seen, e.entity
        FROM m JOIN fents e ON e.entity = m.entity
        GROUP BY ALL {order}""",)


def documents_table(ws: Workspace, filters: Filters | None = None, search: str = "",
                    limit: int | None = None) -> pd.DataFrame:
    """Documents with their metadata and counts; `search` matches title, source or text.

    With `limit`, the first `limit` rows only (the same rows as the head of the whole table): the
    documents are ordered and cut on their own columns first, then only those are counted. A page
    shows a table, not 200,000 rows: fetching them all cost 0.7 s on a 200,000-article workspace.
    """
    where, params = ["TRUE"], []
    if search.strip():  # no text read when there is nothing to match
        where.append("(d.title ILIKE ? OR d.source ILIKE ? OR d.text ILIKE ?)")
        params += [f"%{search.strip()}%"] * 3
    order = "d.date DESC NULLS LAST, d.title, d.doc_id"
    cut, within = "", "TRUE"  # the whole table: every document counted, no second pass over those shown
    if limit is not None:
        cut, within = f"ORDER BY {order} LIMIT ?", "doc_id IN (SELECT doc_id FROM shown)"
        params.append(int(limit))
    return _q(ws, filters, f"""
        , shown AS (SELECT d.* EXCLUDE (text) FROM fdocs d WHERE {' AND '.join(where)} {cut}),
        counted AS (SELECT doc_id, sum(n) AS n FROM doc_entity_counts WHERE {within} GROUP BY doc_id),
        quoted AS (SELECT doc_id, count(*) AS n FROM quote_view WHERE {within} GROUP BY doc_id),
        tagged AS (SELECT doc_id, string_agg(tag, '; ' ORDER BY tag) AS tags FROM document_tags
                   WHERE {within} GROUP BY doc_id)
        SELECT d.title, d.source, d.date, d.author, d.n_words AS words,
               coalesce(c.n, 0)::BIGINT AS mentions, coalesce(q.n, 0) AS quotes,
               d.file_name, d.date_source, d.doc_id, d.language, d.ocr_pages, d.title_derived,
               t.tags, coalesce(n.starred, FALSE) AS starred, n.note, dup.duplicate_of
        FROM shown d LEFT JOIN counted c USING (doc_id) LEFT JOIN quoted q USING (doc_id)
        LEFT JOIN tagged t USING (doc_id) LEFT JOIN document_notes n USING (doc_id)
        LEFT JOIN near_duplicates dup USING (doc_id)
        ORDER BY {order}""", *params)


def documents_count(ws: Workspace, filters: Filters | None = None) -> int:
    """How many documents `documents_table` lists under `filters` (with no `search`): what a page
    says when it shows only the first rows."""
    return _rows(ws, filters, "SELECT count(*) AS n FROM fdocs")[0]["n"]


def document(ws: Workspace, doc_id: str) -> dict | None:
    frame = ws.query("SELECT * FROM doc_view WHERE doc_id = ?", [doc_id])
    return None if frame.empty else frame.iloc[0].to_dict()


def document_mentions(ws: Workspace, doc_id: str) -> pd.DataFrame:
    return ws.query("""
        SELECT m.start, m."end", m.text, m.label, m.sentence, e.entity, e.name, e.label AS type, e.hidden
        FROM mention_view m JOIN entities e ON e.entity = m.entity
        WHERE m.doc_id = ? ORDER BY m.start""", [doc_id])


# `speaker` is the entity's name, else what extraction called the speaker (a descriptor, or
# "unresolved" for a pronoun it could not resolve; the mention itself in older workspaces)
_SPEAKER = "coalesce(se.name, q.speaker_label, q.speaker)"
_QUOTE_COLUMNS = f"""
    {_SPEAKER} AS speaker, q.text AS quote, q.kind, q.act, q.cue,
    coalesce(re.name, q.reported_by) AS reported_by, d.title AS document, d.date,
    q.speaker AS speaker_mention, q.start, q."end", q.speaker_start, q.speaker_end,
    coalesce(so.entity, q.speaker_key) AS speaker_entity, q.verdict AS review, q.doc_id, q.quote AS quote_id"""
_MOVED_SPEAKER = "LEFT JOIN entity_moves so ON so.entity_key = q.speaker_key"
_NAMED_SPEAKER = "LEFT JOIN entities se ON se.entity = coalesce(so.entity, q.speaker_key)"  # ~30 ms a join
_QUOTE_JOINS = f"""
    FROM {{quotes}} q JOIN {{docs}} d USING (doc_id) {_MOVED_SPEAKER} {_NAMED_SPEAKER}
    LEFT JOIN entity_moves ro ON ro.entity_key = q.reported_by_key
    LEFT JOIN entities re ON re.entity = coalesce(ro.entity, q.reported_by_key)"""
_DOCUMENT_ORDER = "d.date DESC NULLS LAST, d.doc_id"  # documents as quotes are listed: newest first
_QUOTE_ORDER = "d.date DESC NULLS LAST, q.doc_id, q.start"


def quotes_table(
    ws: Workspace,
    filters: Filters | None = None,
    speakers: tuple[str, ...] = (),
    mentioning: tuple[str, ...] = (),
    positions: bool = False,
    limit: int | None = None,
) -> pd.DataFrame:
    """Quotes with speaker, cue, outlet and document; optionally by speakers / mentioning entities.
    Statements only, unless `positions` (beliefs, intentions, stances) are asked for too.
    With `limit`, the first `limit` rows only (see `_quotes`)."""
    return _quotes(ws, filters, speakers, mentioning, positions=positions, limit=limit)


def _acts(positions: bool) -> str:
    """Condition on `quote_view` rows `q`: statements, and positions when asked for."""
    return "TRUE" if positions else "q.act = 'statement'"


@dataclass(frozen=True)
class _QuoteRows:
    """Which quotes a quotes query takes: the conditions every quote listing, count and chart shares."""

    speakers: tuple[str, ...] = ()  # spoken by any of these
    mentioning: tuple[str, ...] = ()  # naming any of these
    involving: tuple[str, ...] = ()  # spoken by or naming any of these
    positions: bool = False  # positions as well as statements
    unresolved: bool = False  # only quotes whose speaker is an unresolved pronoun

    def where(self) -> tuple[str, list]:
        """The condition on `quote_view` rows `q` joined as `joins` says, and its parameters."""
        where, params = [_acts(self.positions)], []
        if self.speakers:
            where.append(_spoken_by(params, self.speakers))
        if self.mentioning:
            where.append(_naming(params, self.mentioning))
        if self.involving:
            where.append(f"({_spoken_by(params, self.involving)} OR {_naming(params, self.involving)})")
        if self.unresolved:
            where.append(f"{_SPEAKER} = '{UNRESOLVED}'")
        return " AND ".join(where), params

    def joins(self) -> str:
        """What `where` needs joined to `q`: the speaker's merge, and its name only for `unresolved`."""
        return f"{_MOVED_SPEAKER} {_NAMED_SPEAKER if self.unresolved else ''}"

    def source(self, filters: Filters | None) -> str:
        """`quote_view q` with `joins`, joined to the documents in view only when the filter drops
        some: every quote belongs to a stored document, and the join costs more than the rest."""
        docs = "" if (filters or Filters()).is_empty() else "JOIN fdocs d USING (doc_id)"
        return f"quote_view q {docs} {self.joins()}"


def _quotes(ws: Workspace, filters: Filters | None, speakers: tuple[str, ...], mentioning: tuple[str, ...],
            involving: tuple[str, ...] = (), positions: bool = False, unresolved: bool = False,
            limit: int | None = None) -> pd.DataFrame:
    """`quotes_table`, also narrowed to quotes spoken by or naming any of `involving` (when given),
    or to those of an unresolved speaker.

    With `limit`, the first `limit` rows only (the head of the whole table). Quotes are listed
    newest document first, so they are looked for in the newest documents in view (`window` of
    them: as many as the rows wanted, then more, by the share found, while too few are found and
    documents remain): joining every quote to its document to sort them cost 0.3-0.7 s on the
    ~830,000 quotes of a 200,000-article workspace, the newest 1,000 documents' quotes ~0.07 s.
    """
    rows = _QuoteRows(speakers, mentioning, involving, positions, unresolved)
    where, params = rows.where()
    if limit is None:
        return _q(ws, filters, f"SELECT {_QUOTE_COLUMNS} {_QUOTE_JOINS.format(quotes='quote_view', docs='fdocs')} "
                               f"WHERE {where} ORDER BY {_QUOTE_ORDER}", *params)
    window = max(int(limit), 1)
    while True:
        frame = _q(ws, filters, f"""
            , newest AS (SELECT d.* EXCLUDE (text) FROM fdocs d ORDER BY {_DOCUMENT_ORDER} LIMIT ?),
            shown AS (SELECT q.* FROM quote_view q JOIN newest d USING (doc_id) {rows.joins()}
                      WHERE {where} ORDER BY {_QUOTE_ORDER} LIMIT ?)
            SELECT {_QUOTE_COLUMNS} {_QUOTE_JOINS.format(quotes='shown', docs='newest')} ORDER BY {_QUOTE_ORDER}""",
                   window, *params, int(limit))
        if len(frame) >= limit or window >= documents_count(ws, filters):
            return frame
        window *= min(64, max(2, -(-2 * limit // max(len(frame), 1))))  # enough by the share found


def quotes_count(ws: Workspace, filters: Filters | None, entities: tuple[str, ...] = (),
                 speakers: tuple[str, ...] = (), mentioning: tuple[str, ...] = (), positions: bool = False,
                 unresolved: bool = False) -> int:
    """How many rows `quotes_involving` lists with the same arguments: what a page says when it
    shows only the first rows."""
    rows = _QuoteRows(speakers, mentioning, entities, positions, unresolved)
    where, params = rows.where()
    return int(_q(ws, filters, f"SELECT count(*) AS n FROM {rows.source(filters)} WHERE {where}", *params)["n"][0])


def _spoken_by(params: list, entities: tuple[str, ...]) -> str:
    """Condition on `quote_view` rows `q` joined as `_MOVED_SPEAKER`: the (merged) speaker is one of
    `entities`; its value joins `params`."""
    params.append(list(entities))
    return "coalesce(so.entity, q.speaker_key) IN (SELECT unnest(?))"


def _naming(params: list, entities: tuple[str, ...]) -> str:
    """Condition on `quote_view` rows `q`: the quote names one of `entities` (merges applied)."""
    params += [list(entities)] * 2
    return f"""EXISTS (SELECT 1 FROM quote_entities qe
               WHERE qe.doc_id = q.doc_id AND qe.quote = q.quote AND qe.entity_key IN {_KEYS_OF})"""


def document_quotes(ws: Workspace, doc_id: str) -> pd.DataFrame:
    return quotes_table(ws, Filters(documents=(doc_id,)))


def quotes_per_speaker(ws: Workspace, filters: Filters | None = None, positions: bool = False,
                       speakers: tuple[str, ...] = (), mentioning: tuple[str, ...] = (),
                       involving: tuple[str, ...] = ()) -> pd.DataFrame:
    """Quotes per speaker; an unresolved pronoun is nobody's and stays out (`unresolved_quotes`).
    The quotes as `quotes_involving` takes them; counted per speaker before any is named, so the
    names are looked up once per speaker, not once per quote."""
    rows = _QuoteRows(speakers, mentioning, involving, positions)
    where, params = rows.where()
    return _q(ws, filters, f"""
        , counted AS (
            SELECT coalesce(so.entity, q.speaker_key) AS speaker_entity, q.speaker_label, q.speaker, count(*) AS quotes
            FROM {rows.source(filters)} WHERE {where} GROUP BY ALL),
        named AS (
            SELECT {_SPEAKER} AS speaker, q.speaker_entity, sum(q.quotes)::BIGINT AS quotes
            FROM counted q LEFT JOIN entities se ON se.entity = q.speaker_entity GROUP BY ALL)
        SELECT * FROM named WHERE speaker IS NOT NULL AND speaker <> '{UNRESOLVED}'
        ORDER BY quotes DESC, speaker, speaker_entity""", *params)


def unresolved_quotes(ws: Workspace, filters: Filters | None = None, positions: bool = False) -> pd.DataFrame:
    """Quotes whose speaker is a pronoun no name was found for ("he", "they", "who"), listed apart."""
    return _quotes(ws, filters, (), (), positions=positions, unresolved=True)


def reporting_chains(ws: Workspace, filters: Filters | None = None, positions: bool = False) -> pd.DataFrame:
    """Per relaying outlet or source (`reported_by`, a named entity): which speakers it relays, and
    how many quotes of each; an unresolved speaker, or one relaying itself, is no chain."""
    return _q(ws, filters, f"""
        SELECT reported_by, speaker, quotes FROM (
            SELECT reported_by, speaker, count(*) AS quotes
            FROM (SELECT {_QUOTE_COLUMNS}, q.reported_by_key {_QUOTE_JOINS.format(quotes='quote_view', docs='fdocs')}
                  WHERE {_acts(positions)})
            WHERE reported_by_key IS NOT NULL AND speaker IS NOT NULL AND speaker <> '{UNRESOLVED}'
              AND speaker <> reported_by
            GROUP BY ALL)
        ORDER BY sum(quotes) OVER (PARTITION BY reported_by) DESC, reported_by, quotes DESC, speaker""")


def aliases(ws: Workspace, entity: str) -> pd.DataFrame:
    return ws.query("SELECT alias, mentions FROM aliases WHERE entity = ? ORDER BY mentions DESC, alias", [entity])


def keyword_in_context(ws: Workspace, entity: str, filters: Filters | None = None,
                       width: int = 60, limit: int = 200) -> pd.DataFrame:
    """Each mention of `entity` with the text either side of it (keyword in context): read from the
    mentions of its stored keys (`_KEYS_OF`), not from every mention with the merges applied."""
    return _q(ws, filters, f"""
        SELECT replace(substr(d.text, greatest(m.start - ?, 0) + 1, least(m.start, ?)), chr(10), ' ') AS "left",
               replace(m.text, chr(10), ' ') AS mention,
               replace(substr(d.text, m."end" + 1, ?), chr(10), ' ') AS "right",
               d.title AS document, d.date, m.doc_id, m.start
        FROM mentions m JOIN fdocs d USING (doc_id)
        WHERE m.entity_key IN {_KEYS_OF} ORDER BY d.date DESC NULLS LAST, m.doc_id, m.start LIMIT ?""",
        width, width, width, [entity], [entity], limit)


def cooccurring(ws: Workspace, entity: str, filters: Filters | None = None, unit: str = "sentence",
                limit: int = 20) -> pd.DataFrame:
    """Entities most often seen with `entity` in the same sentence, paragraph or document."""
    edges = cooccurrence(ws, filters, unit=unit, focus=entity)
    if edges.empty:  # the columns the page shows, with no rows
        import pandas as pd

        return pd.DataFrame(columns=["name", "type", "count", "pmi", "entity"])
    mine = edges["source"] == entity
    other = edges.assign(
        entity=edges["target"].where(mine, edges["source"]),
        name=edges["target_name"].where(mine, edges["source_name"]),
        type=edges["target_type"].where(mine, edges["source_type"]),
    )
    return other[["name", "type", "count", "pmi", "entity"]].head(limit).reset_index(drop=True)


def _unit_column(unit: str) -> str:
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
    return {"sentence": "m.sentence", "paragraph": "s.paragraph", "document": "0"}[unit]


def _edge_ctes(unit: str, focus: bool, ego: bool = False) -> str:
    """CTEs (after the filter's) counting the pairs of entities named in the same unit, on numbers.

    Entities are numbered in key order (so `a < b` still compares keys), a unit is one integer
    (document number and unit), and each entity's name is ranked once, so the self-join that
    finds the pairs and any sort of them compare numbers, not text; names are joined last, only
    to the rows wanted. With `focus`, only the pairs that include an entity; with `ego`, only the
    pairs among it and the entities named with it (its ego network: the self-join then reads only
    their units). Parameters: that entity (with `focus` or `ego`), then the minimum count.
    Gives `ids` (entity, name, label, id), `pairs` (a, b, count) and `edges` (a, b, count, pmi,
    ra, rb: the name ranks).
    """
    col = _unit_column(unit)
    join = 'JOIN sentences s ON s.doc_id = m.doc_id AND s.sentence = m.sentence' if unit == "paragraph" else ""
    focus_sql = "AND (SELECT id FROM me) IN (a.id, b.id)" if focus else ""
    paired, circle = "units", ""
    if focus:  # only the units naming it are paired: the self-join of every unit in view cost most
        paired = "focus_units"
        circle = """
        me AS (SELECT id FROM ids WHERE entity = ?),
        focus_units AS (SELECT * FROM units WHERE unit IN (SELECT unit FROM units WHERE id = (SELECT id FROM me))),"""
    elif ego:
        paired = "circle_units"
        circle = """
        circle AS (SELECT DISTINCT o.id FROM units me JOIN units o ON o.unit = me.unit
                   WHERE me.id = (SELECT id FROM ids WHERE entity = ?)),
        circle_units AS (SELECT * FROM units WHERE id IN (SELECT id FROM circle)),"""
    return f"""
        , ids AS (SELECT entity, name, label, row_number() OVER (ORDER BY entity) AS id FROM fents),
        docs AS (SELECT doc_id, row_number() OVER () AS d FROM fdocs),
        units AS (
            SELECT DISTINCT (docs.d << 32) + {col} AS unit, ids.id
            FROM mention_view m {join} JOIN docs ON docs.doc_id = m.doc_id JOIN ids ON ids.entity = m.entity),
        totals AS (SELECT count(DISTINCT unit) AS n FROM units),
        nodes AS (
            SELECT id, c, dense_rank() OVER (ORDER BY name) AS name_rank
            FROM ids JOIN (SELECT id, count(*) AS c FROM units GROUP BY id) USING (id)),
        {circle}
        pairs AS (
            SELECT a.id AS a, b.id AS b, count(*) AS count
            FROM {paired} a JOIN {paired} b ON a.unit = b.unit AND a.id < b.id
            WHERE TRUE {focus_sql}
            GROUP BY ALL HAVING count(*) >= ?),
        edges AS (
            SELECT p.a, p.b, p.count, round(ln((p.count * t.n) / (na.c * nb.c)), 3) AS pmi,
                   na.name_rank AS ra, nb.name_rank AS rb
            FROM pairs p CROSS JOIN totals t JOIN nodes na ON na.id = p.a JOIN nodes nb ON nb.id = p.b)"""


def _stored_edge_ctes(unit: str, focus: bool, ego: bool = False) -> str:
    """`_edge_ctes` for the whole workspace in view (an empty filter), from the counts kept at ingest.

    The `unit_*` tables count units per linked key (the automatic links applied, `keymap.linked`).
    They hold for an entity as it is shown wherever every stored key of a linked key has that
    linked key for entity and it is visible; the units naming the keys of a linked key that the
    analyst's curation touches (a merge into or out of it, a hidden entity: the `special` ones,
    few) are counted again from their mentions, with merges and hiding applied as in
    `_edge_ctes`, and their stored counts taken off. The same CTEs and parameters as
    `_edge_ctes`; the counts, PMI and order are equal.
    """
    col = _unit_column(unit)
    join = 'JOIN sentences s ON s.doc_id = m.doc_id AND s.sentence = m.sentence' if unit == "paragraph" else ""
    focus_sql = "AND (SELECT id FROM ids WHERE entity = ?) IN (a, b)" if focus else ""
    circle, in_circle = "", ""
    if ego:
        circle = """
        me AS (SELECT id FROM ids WHERE entity = ?),
        circle AS (SELECT id FROM me UNION SELECT CASE WHEN s.a = me.id THEN s.b ELSE s.a END FROM summed s, me
                   WHERE me.id IN (s.a, s.b)),"""
        in_circle = "AND a IN (SELECT id FROM circle) AND b IN (SELECT id FROM circle)"
    return f"""
        , ids AS (SELECT entity, name, label, row_number() OVER (ORDER BY entity) AS id FROM fents),
        keymap AS (SELECT k.entity_key, coalesce(l.linked_to, k.entity_key) AS linked,
                          coalesce(o.entity, k.entity_key) AS entity
                   FROM entity_key_names k LEFT JOIN entity_links l USING (entity_key)
                   LEFT JOIN entity_moves o USING (entity_key)),
        special AS (
            SELECT linked AS entity_key FROM keymap WHERE entity <> linked OR linked NOT IN (SELECT entity FROM ids)
            UNION SELECT entity FROM keymap WHERE entity <> linked),
        marked AS (SELECT DISTINCT m.doc_id, {col} AS number FROM mentions m {join}
                   WHERE m.entity_key IN (SELECT entity_key FROM keymap
                                          WHERE linked IN (SELECT entity_key FROM special))),
        raw AS (SELECT DISTINCT m.doc_id, {col} AS number, km.linked AS entity_key, km.entity
                FROM mentions m {join} JOIN marked k ON k.doc_id = m.doc_id AND k.number = {col}
                JOIN keymap km ON km.entity_key = m.entity_key),
        plain AS (SELECT DISTINCT doc_id, number, entity_key FROM raw WHERE entity_key NOT IN (SELECT entity_key FROM special)),
        exact AS (SELECT DISTINCT r.doc_id, r.number, ids.id FROM raw r JOIN ids ON ids.entity = r.entity),
        totals AS (SELECT (SELECT n FROM unit_totals WHERE unit = '{unit}') - (SELECT count(*) FROM marked)
                          + (SELECT count(*) FROM (SELECT DISTINCT doc_id, number FROM exact)) AS n),
        counted AS (
            SELECT ids.id, c.n - coalesce(r.n, 0) AS c FROM unit_entity_counts c JOIN ids ON ids.entity = c.entity_key
            LEFT JOIN (SELECT entity_key, count(*) AS n FROM plain GROUP BY ALL) r USING (entity_key)
            WHERE c.unit = '{unit}' AND c.entity_key NOT IN (SELECT entity_key FROM special)
            UNION ALL SELECT id, count(*) FROM exact GROUP BY ALL),
        nodes AS (
            SELECT id, c, dense_rank() OVER (ORDER BY name) AS name_rank
            FROM ids JOIN (SELECT id, sum(c) AS c FROM counted GROUP BY id HAVING sum(c) > 0) USING (id)),
        summed AS (
            SELECT a, b, sum(n)::BIGINT AS count FROM (
                SELECT ia.id AS a, ib.id AS b, p.n - coalesce(r.n, 0) AS n
                FROM unit_pair_counts p JOIN ids ia ON ia.entity = p.a JOIN ids ib ON ib.entity = p.b
                LEFT JOIN (SELECT x.entity_key AS a, y.entity_key AS b, count(*) AS n FROM plain x JOIN plain y
                           ON x.doc_id = y.doc_id AND x.number = y.number AND x.entity_key < y.entity_key
                           GROUP BY ALL) r ON r.a = p.a AND r.b = p.b
                WHERE p.unit = '{unit}' AND p.a NOT IN (SELECT entity_key FROM special)
                  AND p.b NOT IN (SELECT entity_key FROM special)
                UNION ALL
                SELECT x.id, y.id, count(*) FROM exact x JOIN exact y
                ON x.doc_id = y.doc_id AND x.number = y.number AND x.id < y.id GROUP BY ALL)
            GROUP BY ALL HAVING sum(n) > 0),
        {circle}
        pairs AS (SELECT a, b, count FROM summed WHERE TRUE {focus_sql} {in_circle} AND count >= ?),
        edges AS (
            SELECT p.a, p.b, p.count, round(ln((p.count * t.n) / (na.c * nb.c)), 3) AS pmi,
                   na.name_rank AS ra, nb.name_rank AS rb
            FROM pairs p CROSS JOIN totals t JOIN nodes na ON na.id = p.a JOIN nodes nb ON nb.id = p.b)"""


def _edges(filters: Filters | None, unit: str, focus: bool, ego: bool = False) -> str:
    """The pairs' CTEs: from the stored counts when nothing is filtered (they cover every document
    and entity), else from the mentions of the documents in view."""
    kept = _stored_edge_ctes if filters is None or filters.is_empty() else _edge_ctes
    return kept(unit, focus, ego)


def _named_edges(rows: str, order: str, extra: str = "") -> str:
    """The rows of `rows` (an `edges`-like relation) with both entities' keys, names and types, in `order`."""
    return f"""
        SELECT sa.entity AS source, sa.name AS source_name, sa.label AS source_type,
               sb.entity AS target, sb.name AS target_name, sb.label AS target_type, e.count, e.pmi {extra}
        FROM {rows} e JOIN ids sa ON sa.id = e.a JOIN ids sb ON sb.id = e.b
        ORDER BY {order}"""


_WEIGHTS = ("count", "pmi")


def _strongest_first(by: str) -> str:
    other = "pmi" if by == "count" else "count"
    return f"e.{by} DESC, e.{other} DESC, e.ra, e.rb"


def cooccurrence(ws: Workspace, filters: Filters | None = None, unit: str = "sentence",
                 min_count: int = 1, focus: str | None = None) -> pd.DataFrame:
    """Pairs of entities named in the same unit: count of shared units and PMI, most frequent first.

    PMI = log(p(a,b) / (p(a) p(b))) over the units in view: high when two entities appear
    together far more than their frequencies predict, which counts alone hide for rare names.
    With `focus`, only the pairs that include it. A workspace of 20,000 articles has ~100,000
    sentence pairs: the pages ask `strongest_links`; this is for exports.
    """
    return _q(ws, filters, _edges(filters, unit, bool(focus)) + _named_edges("edges", _strongest_first("count")),
              *([focus] if focus else []), min_count)


class Links(NamedTuple):
    """The strongest links of a co-occurrence network, and how many links it has in all."""

    strongest: pd.DataFrame
    total: int


def strongest_links(ws: Workspace, filters: Filters | None = None, unit: str = "sentence", by: str = "count",
                    limit: int = 150, around: str | None = None) -> Links:
    """The `limit` strongest links by `by` ("count" or "pmi") of the network in view, as `cooccurrence` rows.

    With `around`, of that entity's ego network: it, the entities named with it, and the links
    among all of them. Ties are broken by the other weight, then by names. Only these rows are
    named and fetched: naming, sorting and fetching all ~100,000 links of a big workspace cost as
    much as finding them.
    """
    if by not in _WEIGHTS:
        raise ValueError(f"by must be one of {_WEIGHTS}, not {by!r}")
    params = [around, 1] if around else [1]  # the ego network's entity, the minimum count
    frame = _q(ws, filters, f"""{_edges(filters, unit, focus=False, ego=bool(around))},
        chosen AS (SELECT * FROM edges e ORDER BY {_strongest_first(by)} LIMIT ?)
        {_named_edges("chosen", _strongest_first(by), ", (SELECT count(*) FROM pairs) AS links")}""",
               *params, limit)
    return Links(frame.drop(columns="links"), int(frame["links"].iloc[0]) if len(frame) else 0)


def edge_evidence(ws: Workspace, a: str, b: str, filters: Filters | None = None,
                  unit: str = "sentence", limit: int = 100) -> pd.DataFrame:
    """The sentences (or paragraphs/documents) where two entities appear together, from the first
    sentence naming either to the last: looked for only in the documents naming both (the
    per-document counts), among the mentions of their stored keys (`_KEYS_OF`), not in every
    mention; the units are ordered and cut by their first sentence (text order), and only those
    kept are given their place and text."""
    col = _unit_column(unit)
    paragraph = "JOIN sentences s ON s.doc_id = m.doc_id AND s.sentence = m.sentence" if unit == "paragraph" else ""
    both = [a, b]
    return _q(ws, filters, f"""
        , both_named AS (SELECT c.doc_id FROM doc_entity_counts c LEFT JOIN entity_moves o USING (entity_key)
                         WHERE c.entity_key IN {_KEYS_OF}
                         GROUP BY c.doc_id HAVING count(DISTINCT coalesce(o.entity, c.entity_key)) = 2),
        units AS (
            SELECT m.doc_id, {col} AS unit, min(m.sentence) AS first, max(m.sentence) AS last
            FROM mentions m LEFT JOIN entity_moves o USING (entity_key) {paragraph}
            WHERE m.entity_key IN {_KEYS_OF} AND m.doc_id IN (SELECT doc_id FROM both_named)
            GROUP BY ALL HAVING count(DISTINCT coalesce(o.entity, m.entity_key)) = 2),
        chosen AS (SELECT u.*, d.date, d.title FROM units u JOIN fdocs d USING (doc_id)
                   ORDER BY d.date DESC NULLS LAST, u.doc_id, u.first LIMIT ?),
        spans AS (SELECT u.doc_id, u.unit, min(s.start) AS start, max(s."end") AS "end"
                  FROM chosen u JOIN sentences s ON s.doc_id = u.doc_id AND s.sentence IN (u.first, u.last)
                  GROUP BY ALL)
        SELECT substr(t.text, p.start + 1, least(p."end" - p.start, 600)) AS evidence, u.title AS document,
               u.date, u.doc_id
        FROM chosen u JOIN spans p USING (doc_id, unit) JOIN documents t USING (doc_id)
        ORDER BY u.date DESC NULLS LAST, u.doc_id, u.first""",
              *[both] * 4, limit)


def speaker_graph(ws: Workspace, filters: Filters | None = None, positions: bool = False) -> pd.DataFrame:
    """Who talks about whom: speaker -> entity mentioned in their quotes (statements, and positions
    when asked for), with the verbs used."""
    rows = _QuoteRows(positions=positions)
    where, params = rows.where()
    return _q(ws, filters, f"""
        , q AS (
            SELECT coalesce(so.entity, q.speaker_key) AS speaker, q.doc_id, q.quote, lower(q.cue) AS cue
            FROM {rows.source(filters)} WHERE q.speaker_key IS NOT NULL AND {where})
        SELECT q.speaker, sp.name AS speaker_name, sp.label AS speaker_type,
               coalesce(o.entity, qe.entity_key) AS entity, en.name AS entity_name, en.label AS entity_type,
               count(*) AS quotes, string_agg(DISTINCT q.cue, ', ' ORDER BY q.cue) AS cues
        FROM q JOIN quote_entities qe ON qe.doc_id = q.doc_id AND qe.quote = q.quote
        LEFT JOIN entity_moves o ON o.entity_key = qe.entity_key
        JOIN fents sp ON sp.entity = q.speaker JOIN fents en ON en.entity = coalesce(o.entity, qe.entity_key)
        WHERE sp.entity <> en.entity
        GROUP BY ALL ORDER BY quotes DESC, speaker_name, entity_name, q.speaker, entity""", *params)


def mentions_over_time(ws: Workspace, filters: Filters | None = None, entities: tuple[str, ...] = (),
                       freq: str = "month") -> pd.DataFrame:
    """Mentions per entity per day/week/month (by document date); top entities when none chosen."""
    unit = FREQUENCIES[freq]
    chosen = list(entities) or entity_table(ws, filters, limit=8)["entity"].tolist()
    # under a filter, only the chosen entities' keys are read (`_KEYS_OF`), not every row in view
    days, params = _days(filters) if _all_documents(filters) else (f"""
        , days AS (SELECT d.date, coalesce(o.entity, c.entity_key) AS entity, c.n AS mentions
                   FROM doc_entity_counts c LEFT JOIN entity_moves o USING (entity_key) JOIN fdocs d USING (doc_id)
                   WHERE c.entity_key IN {_KEYS_OF})""", [chosen] * 2)
    return _q(ws, filters, f"""{days}
        SELECT date_trunc('{unit}', m.date) AS period, e.name, e.entity, sum(m.mentions)::BIGINT AS mentions
        FROM days m JOIN fents e ON e.entity = m.entity
        WHERE m.date IS NOT NULL AND m.entity IN (SELECT unnest(?))
        GROUP BY ALL ORDER BY period, e.name, e.entity""", *params, chosen)


def documents_per_period(ws: Workspace, filters: Filters | None = None, freq: str = "month") -> pd.DataFrame:
    unit = FREQUENCIES[freq]
    return _q(ws, filters, f"""
        SELECT date_trunc('{unit}', date) AS period, count(*) AS documents
        FROM fdocs WHERE date IS NOT NULL GROUP BY ALL ORDER BY period""")


def _event_conditions(entities: tuple[str, ...], date_from: datetime.date | None,
                      date_to: datetime.date | None) -> tuple[str, list]:
    """The condition on `events` rows `ev` of `events_table` and `event_days`, with its parameters."""
    where, params = ["TRUE"], []
    if entities:
        where.append("""EXISTS (SELECT 1 FROM event_entities x LEFT JOIN entity_moves o USING (entity_key)
                        WHERE x.doc_id = ev.doc_id AND x.event = ev.event
                          AND coalesce(o.entity, x.entity_key) IN (SELECT unnest(?)))""")
        params.append(list(entities))
    if date_from:
        where.append("ev.date_end >= ?")
        params.append(date_from)
    if date_to:
        where.append("ev.date_start <= ?")
        params.append(date_to)
    return " AND ".join(where), params


def events_table(ws: Workspace, filters: Filters | None = None, entities: tuple[str, ...] = (),
                 date_from: datetime.date | None = None, date_to: datetime.date | None = None,
                 limit: int | None = None) -> pd.DataFrame:
    """Dated sentences, optionally only those naming `entities` and falling in a date range; in date
    order, then by document title (a sentence's entities are named by one grouping, not a lookup
    per row).

    With `limit`, the first `limit` rows only (the head of the whole table): the sentences are
    ordered and cut first (a top-N, no sort of them all), then only those get their entities'
    names. A page shows a table, not the ~460,000 dated sentences of a 200,000-article workspace.
    """
    where, params = _event_conditions(entities, date_from, date_to)
    order = "date_start, title, doc_id, event"
    cut, named = "", "JOIN fdocs USING (doc_id)"
    if limit is not None:
        cut, named = f"ORDER BY {order} LIMIT ?", "JOIN shown s ON s.doc_id = x.doc_id AND s.event = x.event"
        params.append(int(limit))
    return _q(ws, filters, f"""
        , shown AS (
            SELECT ev.doc_id, ev.event, ev.date_start, ev.date_end, ev.granularity, ev.date_text, ev.text,
                   d.title, d.date
            FROM events ev JOIN fdocs d USING (doc_id) WHERE {where} {cut}),
        names AS (
            SELECT x.doc_id, x.event, array_to_string(list_sort(list(DISTINCT e.name)), ', ') AS entities
            FROM event_entities x {named} LEFT JOIN entity_moves o ON o.entity_key = x.entity_key
            JOIN fents e ON e.entity = coalesce(o.entity, x.entity_key)
            GROUP BY ALL)
        SELECT s.date_start, s.date_end, s.granularity, s.date_text, s.text AS sentence,
               s.title AS document, s.date AS document_date, n.entities, s.doc_id
        FROM shown s LEFT JOIN names n ON n.doc_id = s.doc_id AND n.event = s.event
        ORDER BY {", ".join("s." + c for c in order.split(", "))}""", *params)


def event_days(ws: Workspace, filters: Filters | None = None, entities: tuple[str, ...] = ()) -> pd.DataFrame:
    """How many of `events_table`'s sentences fall on each start day, per precision (`date_start`,
    `granularity`, `events`): what a chart of too many sentences to draw one by one counts."""
    where, params = _event_conditions(entities, None, None)
    return _q(ws, filters, f"""
        SELECT ev.date_start, ev.granularity, count(*) AS events
        FROM events ev JOIN fdocs d USING (doc_id) WHERE {where}
        GROUP BY ALL ORDER BY ev.date_start, ev.granularity""", *params)


_ALL_MENTIONS = """
    SELECT e.name AS entity_name, e.label AS entity_type, m.text, m.label, m.start, m."end",
           m.sentence, d.title AS document, d.date, m.doc_id, m.entity
    FROM mention_view m JOIN fdocs d USING (doc_id) JOIN fents e ON e.entity = m.entity
    WHERE {where} ORDER BY m.doc_id, m.start"""


def all_mentions(ws: Workspace, filters: Filters | None = None) -> pd.DataFrame:
    """Every visible mention with its entity and document (the big export)."""
    return _q(ws, filters, _ALL_MENTIONS.format(where="TRUE"))


def all_mentions_pieces(ws: Workspace, filters: Filters | None = None,
                        documents_per_query: int = 5_000) -> Iterator[pd.DataFrame]:
    """`all_mentions`, the same rows in the same order, a piece at a time, the first always given
    (empty, with the columns, when there is none).

    One query per range of document ids holding about `documents_per_query` documents (ids are
    hashes, spread evenly over their hex digits), ranges in id order: DuckDB sorts the mentions of
    those only (sorting all 1.7 million of a 200,000-article workspace held ~200 MB, the whole
    table and its CSV ~2 GB), so an export runs in constant memory however big the workspace.
    """
    f = filters or Filters()
    documents = documents_count(ws, f)
    parts = max(1, -(-documents // documents_per_query))
    bounds = [f"{i * 0x10000 // parts:04x}" for i in range(1, parts)]  # any id falls in one range
    first = True
    for low, high in zip(["", *bounds], [*bounds, None]):
        # on both sides of the join, so that DuckDB holds only these documents to join with
        where, params = (("m.doc_id >= ? AND m.doc_id < ? AND d.doc_id >= ? AND d.doc_id < ?", [low, high] * 2)
                         if high else ("m.doc_id >= ? AND d.doc_id >= ?", [low] * 2))
        for piece in _Sql(f).stream(ws, _ALL_MENTIONS.format(where=where), *params):
            if first or len(piece):
                yield piece
                first = False


# --- added for the dashboard pages -------------------------------------------------------

def date_span(ws: Workspace) -> tuple[datetime.date | None, datetime.date | None]:
    """First and last document date in the whole workspace (the date filter's bounds)."""
    row = ws.records("SELECT min(date) AS first, max(date) AS last FROM doc_view")[0]
    return row["first"], row["last"]


class Titles(NamedTuple):
    """Documents a picker lists (doc_id -> title) and how many matched its search, besides the chosen."""

    titles: dict[str, str]
    found: int


def document_titles(ws: Workspace, search: str = "", limit: int | None = None,
                    chosen: tuple[str, ...] = ()) -> Titles:
    """The `chosen` documents that exist, then the newest `limit` others (all when None) whose title
    holds every word of `search`, case and accents ignored (`choices.narrow_choices` over titles).

    Found here, not in the dashboard: a 200,000-article workspace's titles took 0.45 s to fetch
    and ~10 MB to hold, for a picker that lists 500.
    """
    words = strip_accents(search.casefold()).split()
    where = " AND ".join(["TRUE"] + ["contains(strip_accents(lower(title)), ?)"] * len(words))
    matched = f"""
        WITH t AS (SELECT doc_id, coalesce(title, file_name, doc_id) AS title, date FROM doc_view),
        matched AS (SELECT * FROM t WHERE {where} AND doc_id NOT IN (SELECT unnest(?)))"""
    rows = ws.records(f"""{matched}
        SELECT doc_id, title FROM (
            SELECT *, list_position(?, doc_id) AS rank FROM t WHERE doc_id IN (SELECT unnest(?))
            UNION ALL
            (SELECT *, NULL FROM matched ORDER BY date DESC NULLS LAST, title, doc_id LIMIT ?))
        ORDER BY rank NULLS LAST, date DESC NULLS LAST, title, doc_id""", [*words, list(chosen), list(chosen), list(chosen), limit])
    found = ws.records(f"{matched} SELECT count(*) AS n FROM matched", [*words, list(chosen)])[0]["n"]
    return Titles({row["doc_id"]: row["title"] for row in rows}, found)


def hidden_entities(ws: Workspace) -> pd.DataFrame:
    """Entities the analyst hid, so they can be brought back."""
    return ws.query("SELECT entity, name, label FROM entities WHERE hidden ORDER BY name, entity")


def quotes_involving(ws: Workspace, filters: Filters | None, entities: tuple[str, ...],
                     speakers: tuple[str, ...] = (), mentioning: tuple[str, ...] = (),
                     positions: bool = False, unresolved: bool = False, limit: int | None = None) -> pd.DataFrame:
    """`quotes_table` rows that are also spoken by, or mention, any of `entities`.

    The global entity filter keeps whole documents; on the quotes page the analyst usually
    wants only what the filtered people said or what was said about them. One query does both
    conditions, instead of fetching every quote twice and matching them in pandas. With
    `unresolved`, only the quotes of an unresolved speaker; with `limit`, the first rows (`_quotes`).
    """
    return _quotes(ws, filters, speakers, mentioning, involving=entities, positions=positions,
                   unresolved=unresolved, limit=limit)


def export_tables(ws: Workspace, filters: Filters | None = None) -> dict[str, pd.DataFrame | Iterator[pd.DataFrame]]:
    """Every table of the "download everything" bundle, under the same filter as the pages; the
    mentions, by far the biggest, as pieces read while the bundle is written (`all_mentions_pieces`)."""
    return {
        "entities": entity_table(ws, filters),
        "mentions": all_mentions_pieces(ws, filters),
        "documents": documents_table(ws, filters),
        "quotes": quotes_table(ws, filters),
        "events": events_table(ws, filters, entities=(filters or Filters()).entities),
        "timeline": mentions_over_time(ws, filters, entities=(filters or Filters()).entities, freq="day"),
        "cooccurrence": cooccurrence(ws, filters),
        "speakers": speaker_graph(ws, filters),
    }
