"""Full-text search over the documents' titles and text: a tantivy index in `<workspace>/search/`.

The database is the record; the index follows it. Documents are indexed by the ingest right after
the transaction that stores them, under the same workspace lock (`index_documents`), so two
processes never write the index at once. A `kill -9` between the two commits leaves documents
stored but not yet indexed: every search first reconciles the index with the database
(`_Index.sync`, once per workspace version: documents missing from the index are added, and an
index holding a document the database lacks is rebuilt), and only documents the database holds
are returned. So a document is searchable exactly when it is stored. A missing or unreadable
index is rebuilt from the database the same way.

The query language is `search_query`'s; hits are ranked by BM25 over title and text (a title
match counts double), with a snippet of the text around the matched words.
"""
from __future__ import annotations

import csv
import functools
import html
import io
import re
import shutil
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import tantivy

from .search_query import And, Node, Not, Or, Phrase, QueryError, Word, parse
from .store import Workspace

if TYPE_CHECKING:  # results are tables; the filter's search (`matching_ids`) needs none
    import pandas as pd

__all__ = ["QueryError", "search", "matching_ids", "batch_search", "query_list", "index_documents", "rebuild"]

INDEX_DIR = "search"
FIELDS = ("title", "text")
TITLE_BOOST = 2.0
SNIPPET_CHARS = 240
MAX_EXPANSIONS = 4096  # prefix* terms spelled out (so they score and highlight); beyond, a regex query
_ANALYZER = "newsroom"
_READ_CHUNK = 2000  # documents read from the database at a time when (re)building


def _analyzer() -> tantivy.TextAnalyzer:
    """Words split at anything not a letter or digit, lower-cased and folded to ASCII ("Erdoğan" = "erdogan")."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold()).build())


_ANALYZE = _analyzer()


def terms(text: str) -> list[str]:
    """The index's terms of `text`, as the index splits it (the brute-force tests use it too)."""
    return _ANALYZE.analyze(text)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("key", indexed=True, fast=True)  # the doc_id: 16 hex digits are 64 bits
    for name in FIELDS:
        builder.add_text_field(name, tokenizer_name=_ANALYZER)
    return builder.build()


_SCHEMA = _schema()


def _key(doc_id: str) -> int:
    return int(doc_id, 16)


def _doc_id(key: int) -> str:
    return f"{key:016x}"


class _Index:
    """This process's handle on one workspace's index; writes happen only under the workspace lock."""

    def __init__(self, folder: Path):
        self.path = folder / INDEX_DIR
        self.mutex = threading.RLock()
        self.synced_version: float | None = None
        self.index = self._open()

    def _open(self) -> tantivy.Index:
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            index = tantivy.Index(_SCHEMA, path=str(self.path), reuse=True)
        except (OSError, ValueError):  # unreadable, or made with another schema: start again
            shutil.rmtree(self.path)
            self.path.mkdir(parents=True)
            index = tantivy.Index(_SCHEMA, path=str(self.path), reuse=False)
        index.register_tokenizer(_ANALYZER, _analyzer())
        return index

    def reopen_if_lost(self) -> None:
        """Start a new, empty index if the folder was deleted under this process (`sync` refills it)."""
        if not (self.path / "meta.json").exists():
            self.index = self._open()
            self.synced_version = None

    def add(self, docs: Iterable[tuple[str, str | None, str]]) -> None:
        """Index (doc_id, title, text) rows and commit."""
        writer = self.index.writer(heap_size=64_000_000, num_threads=1)
        for doc_id, title, text in docs:
            doc = tantivy.Document(title=title or "", text=text or "")
            doc.add_unsigned("key", _key(doc_id))
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def ids(self) -> set[str]:
        searcher = self.index.searcher()
        if not searcher.num_docs:
            return set()
        hits = searcher.search(tantivy.Query.all_query(), limit=searcher.num_docs, count=False).hits
        return {_doc_id(k) for k in searcher.fast_field_values("key", [a for _, a in hits])}

    def clear(self) -> None:
        writer = self.index.writer(heap_size=15_000_000, num_threads=1)
        writer.delete_all_documents()
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def sync(self, ws: Workspace) -> None:
        """Make the index hold exactly the database's documents (see the module docstring)."""
        version = ws.version()
        if version == self.synced_version:
            return
        with self.mutex, ws.connect() as con:
            self.reopen_if_lost()
            self.index.reload()
            stored = {r[0] for r in con.execute("SELECT doc_id FROM documents").fetchall()}
            indexed = self.ids()
            if indexed - stored:
                self.clear()
                indexed = set()
            missing = sorted(stored - indexed)
            for start in range(0, len(missing), _READ_CHUNK):
                rows = con.execute("SELECT doc_id, title, text FROM documents WHERE doc_id IN (SELECT unnest(?))",
                                   [missing[start:start + _READ_CHUNK]]).fetchall()
                self.add(rows)
            self.synced_version = ws.version()


_indexes: dict[Path, _Index] = {}
_indexes_mutex = threading.Lock()


def _index(ws: Workspace) -> _Index:
    key = ws.path.resolve()
    with _indexes_mutex:
        if key not in _indexes:
            _indexes[key] = _Index(ws.path)
        return _indexes[key]


def index_documents(ws: Workspace, docs: Sequence[tuple[str, str | None, str]]) -> None:
    """Index documents just stored; the caller holds the workspace lock (`ws.connect()`) around both."""
    if docs:
        index = _index(ws)
        with index.mutex:
            index.reopen_if_lost()
            index.add(docs)


def rebuild(ws: Workspace) -> int:
    """Index every stored document afresh (an index lost or damaged); how many."""
    index = _index(ws)
    with index.mutex, ws.connect():
        index.clear()
        index.synced_version = None
        index.sync(ws)
        return index.index.searcher().num_docs


# --- queries -------------------------------------------------------------------------------------

def _word_query(field: str, word: Word, searcher: tantivy.Searcher) -> tantivy.Query | None:
    words = terms(word.text)
    if not words:
        return None
    if word.fuzzy and len(words) == 1:
        return tantivy.Query.fuzzy_term_query(_SCHEMA, field, words[0], distance=word.fuzzy)
    if word.prefix:
        if len(words) > 1:
            return tantivy.Query.phrase_prefix_query(_SCHEMA, field, words)
        expanded = [t for t, _ in searcher.terms_with_prefix(field, words[0])]
        if len(expanded) > MAX_EXPANSIONS:
            return tantivy.Query.regex_query(_SCHEMA, field, re.escape(words[0]) + ".*")
        if not expanded:
            return tantivy.Query.empty_query()
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(_SCHEMA, field, t))
                                            for t in expanded])
    if len(words) == 1:
        return tantivy.Query.term_query(_SCHEMA, field, words[0])
    return tantivy.Query.phrase_query(_SCHEMA, field, words)


def _leaf(node: Word | Phrase, searcher: tantivy.Searcher) -> tantivy.Query | None:
    """The word or phrase in any field (the title boosted); None for one with no terms ("--")."""
    word = node if isinstance(node, Word) else Word(node.text)
    per_field = []
    for field in FIELDS:
        query = _word_query(field, word, searcher)
        if query is None:
            return None
        per_field.append((tantivy.Occur.Should,
                          tantivy.Query.boost_query(query, TITLE_BOOST) if field == "title" else query))
    return tantivy.Query.boolean_query(per_field)


def _query(node: Node, searcher: tantivy.Searcher) -> tantivy.Query | None:
    """The tantivy query of a parsed query; parts without terms are left out."""
    if isinstance(node, (Word, Phrase)):
        return _leaf(node, searcher)
    if isinstance(node, Not):
        inner = _query(node.part, searcher)
        if inner is None:
            return None
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.all_query()),
                                            (tantivy.Occur.MustNot, inner)])
    if isinstance(node, Or):
        parts = [q for q in (_query(p, searcher) for p in node.parts) if q is not None]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in parts]) if parts else None
    # AND: a NOT part excludes, rather than adding an all-documents clause to the score
    clauses = []
    for part in node.parts:
        negated = isinstance(part, Not)
        query = _query(part.part if negated else part, searcher)
        if query is not None:
            clauses.append((tantivy.Occur.MustNot if negated else tantivy.Occur.Must, query))
    if not clauses:
        return None
    if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
        clauses.insert(0, (tantivy.Occur.Must, tantivy.Query.all_query()))
    return tantivy.Query.boolean_query(clauses)


def _compiled(ws: Workspace, query: str) -> tuple[tantivy.Searcher, tantivy.Query]:
    """A fresh searcher of the synced index and the tantivy query of `query` (`QueryError` if malformed)."""
    node = parse(query)
    index = _index(ws)
    index.sync(ws)
    searcher = index.index.searcher()
    compiled = _query(node, searcher)
    if compiled is None:
        raise QueryError(f"{query.strip()!r} has no words to search for")
    return searcher, compiled


@functools.lru_cache(maxsize=256)
def _matching(path: Path, version: float, query: str) -> tuple[str, ...]:
    ws = Workspace(path)
    searcher, compiled = _compiled(ws, query)
    if not searcher.num_docs:
        return ()
    hits = searcher.search(compiled, limit=searcher.num_docs, count=False).hits
    return tuple(_doc_id(k) for k in searcher.fast_field_values("key", [a for _, a in hits]))


def matching_ids(ws: Workspace, query: str) -> tuple[str, ...]:
    """Every document matching `query`, best first (cached per workspace version): the global filter's."""
    return _matching(ws.path.resolve(), ws.version(), query.strip())


def search(ws: Workspace, query: str, limit: int | None = 20, within: Sequence[str] | None = None) -> pd.DataFrame:
    """The best `limit` documents for `query` (all with None): doc_id, title, date, score, snippet, snippet_html.

    `within`, when given, keeps only those documents (the rest of the global filter). Only
    documents the database holds are returned; `snippet_html` marks the matched words in escaped text.
    """
    import pandas as pd

    searcher, compiled = _compiled(ws, query)
    columns = ["doc_id", "title", "date", "score", "snippet", "snippet_html"]
    if not searcher.num_docs:
        return pd.DataFrame(columns=columns)
    allowed = None if within is None else set(within)
    want = searcher.num_docs if (limit is None or allowed is not None) else limit
    hits = searcher.search(compiled, limit=want, count=False).hits
    keys = searcher.fast_field_values("key", [a for _, a in hits])
    ranked = [(_doc_id(k), score) for (score, _), k in zip(hits, keys)]
    if allowed is not None:
        ranked = [r for r in ranked if r[0] in allowed]
    ranked = ranked[:limit] if limit is not None else ranked
    if not ranked:
        return pd.DataFrame(columns=columns)
    with ws.connect() as con:  # plain rows: a DataFrame of 20 rows would cost more than the search
        rows = {r[0]: r[1:] for r in con.execute(
            "SELECT doc_id, title, date, text FROM doc_view WHERE doc_id IN (SELECT unnest(?))",
            [[d for d, _ in ranked]]).fetchall()}
    snippets = tantivy.SnippetGenerator.create(searcher, compiled, _SCHEMA, "text")
    snippets.set_max_num_chars(SNIPPET_CHARS)
    out = []
    for doc_id, score in ranked:
        if doc_id not in rows:  # indexed but not (or no longer) stored: never shown
            continue
        title, date, text = rows[doc_id]
        plain, marked = _snippet(snippets, text or "")
        out.append((doc_id, title, date, round(float(score), 4), plain, marked))
    return pd.DataFrame(out, columns=columns)


def _snippet(generator: tantivy.SnippetGenerator, text: str) -> tuple[str, str]:
    """The text around the best matches, plain and as HTML with the matches in <mark> (text escaped).

    A match only in the title, or by a fuzzy or regex query (which name no terms to highlight),
    gives the start of the text.
    """
    snippet = generator.snippet_from_doc(tantivy.Document(text=text))
    fragment = snippet.fragment()
    if not fragment.strip():
        start = " ".join(text[:SNIPPET_CHARS].split())
        return start, html.escape(start)
    raw, pieces, last = fragment.encode("utf-8"), [], 0  # tantivy's ranges count bytes of UTF-8

    def text(start: int, end: int | None = None) -> str:
        return html.escape(raw[start:end].decode("utf-8", "replace"))

    for span in snippet.highlighted():
        pieces.append(text(last, span.start))
        pieces.append(f"<mark>{text(span.start, span.end)}</mark>")
        last = span.end
    pieces.append(text(last))
    return " ".join(fragment.split()), " ".join("".join(pieces).split())


def batch_search(ws: Workspace, queries: Iterable[str]) -> pd.DataFrame:
    """Per query (a name or a query), how many documents match and their first and last date.

    A malformed query gets its reason in `error` instead of stopping the batch.
    """
    import pandas as pd

    rows = []
    for query in dict.fromkeys(q.strip() for q in queries if q and q.strip()):
        try:
            ids = matching_ids(ws, query)
        except QueryError as err:
            rows.append((query, 0, None, None, str(err)))
            continue
        span = ws.records("SELECT min(date) AS first, max(date) AS last FROM doc_view "
                          "WHERE doc_id IN (SELECT unnest(?))", [list(ids)])[0] if ids else {"first": None, "last": None}
        rows.append((query, len(ids), span["first"], span["last"], None))
    return pd.DataFrame(rows, columns=["query", "documents", "first_date", "last_date", "error"])


def query_list(data: bytes, file_name: str, column: str | None = None) -> list[str]:
    """The queries of an uploaded list: one per line, or one per row of a CSV's `column` (default: its first).

    `ValueError` names the file and the reason when it cannot be read.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{file_name}: not UTF-8 text") from None
    if not file_name.lower().endswith(".csv"):
        return [line.strip() for line in text.splitlines() if line.strip()]
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    wanted = column or header[0]
    if wanted not in header:
        raise ValueError(f"{file_name}: no column {wanted!r} (columns: {', '.join(header)})")
    i = header.index(wanted)
    return [row[i].strip() for row in rows[1:] if len(row) > i and row[i].strip()]
