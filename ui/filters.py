"""The global filter: settled before each page runs, drawn in the sidebar after it, kept in the URL.

The filter lives in three places that are kept equal on every run: the sidebar widgets,
`st.session_state[FILTERS]` (which survives page changes within a session) and the URL query
string (which survives a reload and can be shared). A new session starts from the URL; after
that the session state leads.

The sidebar's widgets are drawn after the page (`filter_sidebar`), not before it: on a big
workspace their option lists (every entity, every document) weigh megabytes, and while the
browser digests them it draws nothing else. Drawn first, they held the whole page back by
seconds (20,000 articles: see benchmarks/queries.py); drawn last, the page shows first.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

import streamlit as st

from analysis.present import urlstate
from analysis.present.languages import language_name
from analysis.workspace import curation, queries, search
from analysis.workspace.queries import Filters
from ui import data, widgets

FILTERS = "nl_filters"  # session key of the current global Filters
_W = {  # sidebar widget keys
    "entities": "flt_entities", "types": "flt_types", "dates": "flt_dates",
    "sources": "flt_sources", "documents": "flt_documents", "languages": "flt_languages",
    "search": "flt_search", "tags": "flt_tags", "starred": "flt_starred", "once": "flt_once",
}
SEARCH_KEY = _W["search"]  # a page may set it (in a callback) to search for something
SEARCH_ERROR = "nl_search_error"  # why the typed search was not applied, shown under the box


def _query_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _type_options(filters: Filters) -> list[str]:
    """Every entity type; types the filter names but no entity has (yet) stay selectable."""
    return sorted(set(data.run(queries.entity_types)) | set(filters.types))


def _keep_known(key: str, options: Callable[[], Iterable[str]]) -> None:
    """`widgets.keep_valid`, asking for the options only when something is selected: they can be
    tens of thousands of entities, which the page need not wait for."""
    if st.session_state.get(key):
        widgets.keep_valid(key, list(options()))


def settle_filters() -> Filters:
    """This run's global filter, settled before the page runs; `filter_sidebar` draws its widgets after.

    The widgets' values are read from their session state, where Streamlit puts a changed
    widget's new value before the rerun starts, so the page gets exactly what the widgets
    will show. Values that are no longer options (a merged entity, a bad URL) are dropped.
    """
    if FILTERS not in st.session_state:
        st.session_state[FILTERS] = urlstate.from_query(_query_params())
    previous: Filters = st.session_state[FILTERS]
    _seed(previous, *data.run(queries.date_span))
    _keep_known(_W["entities"], data.entity_labels)
    _keep_known(_W["types"], lambda: _type_options(previous))
    _keep_known(_W["sources"], lambda: data.run(queries.sources))
    _keep_known(_W["documents"], lambda: data.run(queries.document_titles, limit=0,
                                                  chosen=tuple(st.session_state[_W["documents"]])).titles)
    _keep_known(_W["tags"], lambda: data.run(curation.tags))
    _keep_known(_W["languages"], lambda: data.run(queries.languages))
    state = st.session_state
    dates = state[_W["dates"]]
    filters = Filters(
        entities=tuple(state[_W["entities"]]), types=tuple(state[_W["types"]]), sources=tuple(state[_W["sources"]]),
        documents=tuple(state[_W["documents"]]), languages=tuple(state[_W["languages"]]),
        date_from=dates[0] if len(dates) > 0 else None, date_to=dates[1] if len(dates) > 1 else None,
        search=_valid_search(state[_W["search"]]), tags=tuple(state[_W["tags"]]),
        starred=bool(state[_W["starred"]]), once=bool(state[_W["once"]]),
    )
    st.session_state[FILTERS] = filters
    _write_url(filters)
    return filters


def _valid_search(query: str) -> str:
    """The typed search when it can be read; else "" (no search), with the reason kept for the sidebar."""
    st.session_state[SEARCH_ERROR] = None
    if not query.strip():
        return ""
    try:
        data.run(search.matching_ids, query.strip())
    except search.QueryError as err:
        st.session_state[SEARCH_ERROR] = str(err)
        return ""
    return query.strip()


def filter_sidebar() -> None:
    """Draw the global filter's widgets in the sidebar; they show the values `settle_filters` settled.

    Called once per run, after the page (see the module docstring), or by a page that stops early.
    """
    filters = current_filters()
    first, last = data.run(queries.date_span)
    types, sources = _type_options(filters), data.run(queries.sources)
    with st.sidebar:
        st.subheader("Filter every page")
        st.text_input("Search", key=_W["search"], placeholder='words, "a phrase", OR, NOT, pric*, tehran~',
                      help='Documents whose title or text match. "exact phrase"; oil OR gas; oil NOT opec (or -opec); '
                           "(brackets) group; pric* any word starting so; tehran~ one letter off (tehran~2: two).")
        if st.session_state.get(SEARCH_ERROR):
            st.warning(f"Search not applied: {st.session_state[SEARCH_ERROR]}", icon=":material/error:")
        widgets.entity_picker("Entities", _W["entities"], help="Only documents that mention any of these.")
        widgets.keep_valid(_W["types"], types)
        st.multiselect("Entity types", types, key=_W["types"], placeholder="All types", **widgets.NO_SELECT_ALL)
        st.date_input("Document dates", key=_W["dates"], min_value=first, max_value=last, disabled=first is None,
                      format="YYYY-MM-DD", help="Documents dated in this range (documents without a date are left out).")
        widgets.keep_valid(_W["sources"], sources)
        st.multiselect("Sources", sources, key=_W["sources"], placeholder="All sources", **widgets.NO_SELECT_ALL)
        document_picker()
        tags = data.run(curation.tags)
        widgets.keep_valid(_W["tags"], tags)
        st.multiselect("Tags", tags, key=_W["tags"], placeholder="Any tags" if tags else "No tags yet",
                       disabled=not tags and not filters.tags, help="Documents carrying any of these tags.",
                       **widgets.NO_SELECT_ALL)
        st.checkbox("Starred documents only", key=_W["starred"])
        st.toggle("Count each story once", key=_W["once"],
                  help="Leave out near-duplicate copies (wire copies, corrections): each story counts once.")
        languages = data.run(queries.languages)
        widgets.keep_valid(_W["languages"], languages)
        st.multiselect("Languages", languages, key=_W["languages"], placeholder="All languages",
                       format_func=language_name, help="The language detected in each document.", **widgets.NO_SELECT_ALL)
        st.button("Clear filters", on_click=_clear_filters, disabled=filters.is_empty(), width="stretch")


def document_picker() -> None:
    """The filter's documents: all listed in a small workspace, else found by a search of their
    titles in the workspace (a picker holding 200,000 titles took 0.45 s to fill on every change)."""
    total = data.run(queries.documents_count)
    if total <= widgets.PICKER_LIMIT:
        titles = data.run(queries.document_titles).titles
        widgets.picker("Documents", list(titles), _W["documents"], titles, noun="documents", ranked="newest",
                       placeholder="All documents")
        return
    widgets.searched_picker(
        "Documents", _W["documents"],
        lambda search, chosen: data.run(queries.document_titles, search, widgets.PICKER_LIMIT, tuple(chosen)),
        total, noun="documents", ranked="newest", placeholder="All documents")


def _seed(filters: Filters, first: datetime.date | None, last: datetime.date | None) -> None:
    """Give the sidebar widgets their values from `filters` when a page draws them afresh.

    Streamlit forgets widget values on a page change; the filter itself is kept in the session.
    The date range is kept inside the workspace's span, which the date widget insists on.
    """
    values = {"entities": list(filters.entities), "types": list(filters.types),
              "sources": list(filters.sources), "documents": list(filters.documents),
              "languages": list(filters.languages),
              "search": filters.search, "tags": list(filters.tags), "starred": filters.starred, "once": filters.once}
    for name, value in values.items():
        st.session_state.setdefault(_W[name], value)
    dates = st.session_state.get(_W["dates"], (filters.date_from, filters.date_to))
    dates = [d for d in dates if d is not None]
    if first is None or last is None:
        dates = []
    st.session_state[_W["dates"]] = tuple(min(max(d, first), last) for d in dates)


def _clear_filters() -> None:
    empty = {_W["dates"]: (), _W["search"]: "", _W["starred"]: False, _W["once"]: False}
    for key in _W.values():
        st.session_state[key] = empty.get(key, [])


def _write_url(filters: Filters) -> None:
    """Put the filter in the URL, touching only the filter's own keys, and only when it differs."""
    wanted = {k: (v if isinstance(v, list) else [v]) for k, v in urlstate.to_query(filters).items()}
    present = {k: v for k, v in _query_params().items() if k in urlstate.ALL_KEYS}
    if present == wanted:
        return
    for key in urlstate.ALL_KEYS:
        if key in wanted:
            st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]


def current_filters() -> Filters:
    """The filter settled for this run (the entry point settles it before any page runs)."""
    return st.session_state.get(FILTERS, Filters())


def filter_note(filters: Filters) -> None:
    """One line saying the view is filtered, so nobody mistakes a slice for the whole."""
    if filters.is_empty():
        return
    labels = data.entity_labels()
    parts = []
    if filters.entities:
        parts.append("mentioning " + " or ".join(labels.get(e, e) for e in filters.entities))
    if filters.types:
        parts.append("types " + ", ".join(filters.types))
    if filters.date_from or filters.date_to:
        parts.append(f"dated {filters.date_from or '…'} to {filters.date_to or '…'}")
    if filters.sources:
        parts.append("from " + ", ".join(filters.sources))
    if filters.documents:
        parts.append(f"{len(filters.documents)} chosen document(s)")
    if filters.search:
        parts.append(f"matching {filters.search}")
    if filters.tags:
        parts.append("tagged " + " or ".join(filters.tags))
    if filters.starred:
        parts.append("starred")
    if filters.once:
        parts.append("each story once")
    if filters.languages:
        parts.append("in " + ", ".join(map(language_name, filters.languages)))
    st.info("Filtered: " + "; ".join(parts) + ". Change it in the sidebar.", icon=":material/filter_alt:")
