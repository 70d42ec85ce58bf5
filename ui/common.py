"""The Streamlit pieces every page shares: workspace, cached queries, the global filter, tables.

Kept thin on purpose: questions live in `analysis.queries`, figures in `analysis.charts`;
this module only wires them to widgets. The global filter lives in three places that are
kept equal on every run: the sidebar widgets, `st.session_state[FILTERS]` (which survives
page changes within a session) and the URL query string (which survives a reload and can
be shared). A new session starts from the URL; after that the session state leads.

The sidebar's widgets are drawn after the page (`filter_sidebar`), not before it: on a big
workspace their option lists (every entity, every document) weigh megabytes, and while the
browser digests them it draws nothing else. Drawn first, they held the whole page back by
seconds (20,000 articles: see benchmarks/queries.py); drawn last, the page shows first.
"""
from __future__ import annotations

import datetime
import importlib.metadata
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from analysis import charts, choices, queries, settings, urlstate
from analysis.export import to_csv_bytes
from analysis.queries import Filters
from analysis.store import Workspace

if TYPE_CHECKING:
    import plotly.graph_objects as go

FILTERS = "nl_filters"  # session key of the current global Filters
PICKER_LIMIT = 500  # options a picker sends to the browser; beyond, it searches here (see `picker`)
_DONE = "nl_done_message"
_W = {  # sidebar widget keys
    "entities": "flt_entities", "types": "flt_types", "dates": "flt_dates",
    "sources": "flt_sources", "documents": "flt_documents",
}


# --- workspace and cached queries --------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _workspace(path: str) -> Workspace:
    return Workspace(path)


def workspace() -> Workspace:
    """The workspace of NEWSROOM_LENS_WORKSPACE, opened once per process (opening writes the schema)."""
    return _workspace(str(settings.workspace_dir().resolve()))


@st.cache_resource(show_spinner=False, max_entries=512)
def _cached(_ws: Workspace, path: str, version: float, name: str, args: tuple, kwargs: tuple) -> Any:
    return getattr(queries, name)(_ws, *args, **dict(kwargs))


# Tables handed out by `run`, by id -> the cache key of the query that made them (see `chart`).
_ORIGINS: dict[int, tuple] = {}


def run(query: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`query(ws, *args, **kwargs)` cached on (workspace path, `ws.version()`, arguments).

    Any write (an ingest, a curation, another process) changes the version, so every page
    shows fresh results without anyone clearing caches by hand. A result is shared by every
    session, not copied for each: treat it as read-only. (Copies, `st.cache_data`'s way, cost
    a third to a half of every page's run on 20,000 articles: 0.08-0.2 s.)
    """
    ws = workspace()
    key = (str(ws.path), ws.version(), query.__name__, args, tuple(sorted(kwargs.items())))
    result = _cached(ws, *key)
    if isinstance(result, pd.DataFrame) and id(result) not in _ORIGINS:
        _ORIGINS[id(result)] = key
        weakref.finalize(result, _ORIGINS.pop, id(result), None)
    return result


@st.cache_resource(show_spinner="Loading the language model (first time only)…")
def nlp_pipeline(model: str):
    """The spaCy pipeline, loaded on first ingest and shared by every session of this server."""
    from analysis.nlp import load_pipeline  # imports spaCy: only when something is ingested

    return load_pipeline(model)


def model_info() -> dict[str, str]:
    """Model name and installed version, read from package metadata without loading spaCy."""
    name = settings.model_name()
    try:
        version = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        version = "not installed"
    return {"model": name, "model_version": version}


def bundle_manifest(filters: Filters) -> dict[str, object]:
    """How a "download everything" zip was made: filter, model, time."""
    return {"app": "Newsroom Lens", "exported_at": datetime.datetime.now().isoformat(timespec="seconds"),
            "filters": urlstate.to_query(filters), **model_info()}


def report_frame(results: Iterable) -> pd.DataFrame:
    """The per-file outcome table of an `IngestReport`'s results: added / duplicate / failed and why."""
    rows = [{"file": r.file_name, "status": r.status, "title": r.title, "reason": r.reason} for r in results]
    return pd.DataFrame(rows, columns=["file", "status", "title", "reason"])


# --- labels ------------------------------------------------------------------------------

def entity_labels() -> dict[str, str]:
    """Entity key -> "Name (TYPE)" for every visible entity, most mentioned first."""
    return run(queries.entity_labels)


def entity_picker(label: str, key: str, options: Sequence[str] | None = None,
                  help: str | None = None, container: Any = st) -> list[str]:
    """A searchable multi-select of entities shown as "Name (TYPE)", most mentioned first; returns entity keys."""
    labels = entity_labels()
    options = list(labels) if options is None else list(options)
    return picker(label, options, key, labels, noun="entities", ranked="most mentioned", container=container,
                  placeholder="Type to search entities", help=help)


def picker(label: str, options: Sequence[str], key: str, labels: Mapping[str, str], *, noun: str, ranked: str,
           multi: bool = True, container: Any = st, placeholder: str | None = None, **widget: Any) -> Any:
    """A multi-select (or, `multi=False`, a select box) of `options` shown by `labels`, light on any workspace.

    Up to PICKER_LIMIT options go to the browser, whose own search finds them. Beyond that
    (a big workspace: 33,000 entities, 20,000 titles), listing them all held the page back by
    seconds, so a search box comes first and the list holds the chosen options and the first
    PICKER_LIMIT that match the search, in the given order (`ranked`, e.g. "most mentioned").
    """
    keep_valid(key, options)

    def show(option: str) -> str:
        return labels.get(option, option)

    if len(options) > PICKER_LIMIT:
        value = st.session_state.get(key)
        chosen = value if isinstance(value, list) else [] if value is None else [value]
        search = container.text_input(label, key=f"{key}_search", help=widget.get("help"),
                                      placeholder=f"Search {len(options):,} {noun} ({PICKER_LIMIT:,} {ranked} listed)")
        options, found = choices.narrow_choices(options, show, search, PICKER_LIMIT, chosen)
        if search.strip():
            placeholder = (f"No {noun} match “{search.strip()}”" if not found else
                           f"{found:,} match{'es' if found > 1 else ''}" +
                           (f", the {PICKER_LIMIT:,} {ranked} listed" if found > PICKER_LIMIT else ""))
        widget["label_visibility"] = "collapsed"
    draw = container.multiselect if multi else container.selectbox
    return draw(label, options, key=key, format_func=show, placeholder=placeholder, **widget)


def keep_valid(key: str, options: Sequence[str]) -> None:
    """Drop selections that are no longer options (merged or hidden entities) before a widget is drawn."""
    if key in st.session_state:
        value = st.session_state[key]
        valid = set(options)
        if isinstance(value, list):
            st.session_state[key] = [v for v in value if v in valid]
        elif value is not None and value not in valid:
            del st.session_state[key]


# --- the global filter -------------------------------------------------------------------

def _query_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _type_options(filters: Filters) -> list[str]:
    """Every entity type; types the filter names but no entity has (yet) stay selectable."""
    return sorted(set(run(queries.entity_types)) | set(filters.types))


def _keep_known(key: str, options: Callable[[], Iterable[str]]) -> None:
    """`keep_valid`, asking for the options only when something is selected: they can be tens of
    thousands of entities, which the page need not wait for."""
    if st.session_state.get(key):
        keep_valid(key, list(options()))


def settle_filters() -> Filters:
    """This run's global filter, settled before the page runs; `filter_sidebar` draws its widgets after.

    The widgets' values are read from their session state, where Streamlit puts a changed
    widget's new value before the rerun starts, so the page gets exactly what the widgets
    will show. Values that are no longer options (a merged entity, a bad URL) are dropped.
    """
    if FILTERS not in st.session_state:
        st.session_state[FILTERS] = urlstate.from_query(_query_params())
    previous: Filters = st.session_state[FILTERS]
    _seed(previous, *run(queries.date_span))
    _keep_known(_W["entities"], entity_labels)
    _keep_known(_W["types"], lambda: _type_options(previous))
    _keep_known(_W["sources"], lambda: run(queries.sources))
    _keep_known(_W["documents"], lambda: run(queries.document_titles))
    state = st.session_state
    dates = state[_W["dates"]]
    filters = Filters(
        entities=tuple(state[_W["entities"]]), types=tuple(state[_W["types"]]), sources=tuple(state[_W["sources"]]),
        documents=tuple(state[_W["documents"]]),
        date_from=dates[0] if len(dates) > 0 else None, date_to=dates[1] if len(dates) > 1 else None,
    )
    st.session_state[FILTERS] = filters
    _write_url(filters)
    return filters


def filter_sidebar() -> None:
    """Draw the global filter's widgets in the sidebar; they show the values `settle_filters` settled.

    Called once per run, after the page (see the module docstring), or by a page that stops early.
    """
    filters = current_filters()
    first, last = run(queries.date_span)
    types, sources, titles = _type_options(filters), run(queries.sources), run(queries.document_titles)
    with st.sidebar:
        st.subheader("Filter every page")
        entity_picker("Entities", _W["entities"], help="Only documents that mention any of these.")
        keep_valid(_W["types"], types)
        st.multiselect("Entity types", types, key=_W["types"], placeholder="All types")
        st.date_input("Document dates", key=_W["dates"], min_value=first, max_value=last, disabled=first is None,
                      format="YYYY-MM-DD", help="Documents dated in this range (documents without a date are left out).")
        keep_valid(_W["sources"], sources)
        st.multiselect("Sources", sources, key=_W["sources"], placeholder="All sources")
        picker("Documents", list(titles), _W["documents"], titles, noun="documents", ranked="newest",
               placeholder="All documents")
        st.button("Clear filters", on_click=_clear_filters, disabled=filters.is_empty(), width="stretch")


def _seed(filters: Filters, first: datetime.date | None, last: datetime.date | None) -> None:
    """Give the sidebar widgets their values from `filters` when a page draws them afresh.

    Streamlit forgets widget values on a page change; the filter itself is kept in the session.
    The date range is kept inside the workspace's span, which the date widget insists on.
    """
    values = {"entities": list(filters.entities), "types": list(filters.types),
              "sources": list(filters.sources), "documents": list(filters.documents)}
    for name, value in values.items():
        st.session_state.setdefault(_W[name], value)
    dates = st.session_state.get(_W["dates"], (filters.date_from, filters.date_to))
    dates = [d for d in dates if d is not None]
    if first is None or last is None:
        dates = []
    st.session_state[_W["dates"]] = tuple(min(max(d, first), last) for d in dates)


def _clear_filters() -> None:
    for key in _W.values():
        st.session_state[key] = () if key == _W["dates"] else []


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
    labels = entity_labels()
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
    st.info("Filtered: " + "; ".join(parts) + ". Change it in the sidebar.", icon=":material/filter_alt:")


def plural(n: int, noun: str) -> str:
    """"1 document", "3 documents", "2 entities"."""
    if n == 1:
        return f"1 {noun}"
    return f"{n:,} " + (noun[:-1] + "ies" if noun.endswith("y") else noun + "s")


# --- page furniture ----------------------------------------------------------------------

def done(message: str) -> None:
    """Say `message` after the rerun that an action (a curation, a date fix) triggers, then rerun."""
    st.session_state[_DONE] = message
    st.rerun()


def page_header(title: str, caption: str) -> Filters:
    """Title, caption and the filter note of a page; returns the global filter."""
    if message := st.session_state.pop(_DONE, None):
        st.toast(message, icon=":material/check_circle:")
    st.title(title)
    st.caption(caption)
    filters = current_filters()
    filter_note(filters)
    return filters


def has_documents() -> bool:
    """Whether the workspace holds a document; read from the filter's document list, which every
    run fetches anyway, so it costs no query of its own."""
    return bool(run(queries.document_titles))


def require_documents() -> None:
    """Stop a page early, with a pointer to the uploader, when the workspace is empty."""
    if not has_documents():
        st.info("The workspace has no documents yet. Add some on the Overview page.", icon=":material/upload_file:")
        filter_sidebar()  # the entry point would draw it after the page, which ends here
        st.stop()


def table(frame: pd.DataFrame, name: str, *, column_config: dict | None = None,
          height: int | str = "auto", empty: str = "Nothing to show.") -> None:
    """A table and, under it, a CSV download of exactly those rows and columns.

    `name` is the file name (without .csv) and names the button, e.g. "Download entities CSV".
    The CSV is written when the button is clicked, not on every run: on a big workspace writing
    it took most of a page's time (0.5 s of the Quotes page's 0.75 s with 20,000 articles).
    """
    if frame.empty:
        st.caption(empty)
        return
    st.dataframe(frame, hide_index=True, column_config=column_config, height=height, width="stretch")
    st.download_button(f"Download {name} CSV", lambda: to_csv_bytes(frame), file_name=f"{name}.csv", mime="text/csv",
                       key=f"download_{name}", on_click="ignore", icon=":material/download:")


def chart(build: Callable[..., go.Figure], *args: Any, key: str | None = None, **kwargs: Any) -> None:
    """Draw `build(*args, **kwargs)`, a figure of `analysis.charts`, built once per distinct input.

    Plotly builds figures slowly (0.05 s for fifteen bars, 0.3 s for a network with its layout)
    and a page reruns on every click, most often with the same data: a figure is kept and
    shared by every session. A table that `run` returned stands in the figure's key for the
    query that made it: hashing its contents cost more than the rest of a page's run (all
    44,000 dated sentences of a 20,000-article workspace: 0.07-0.14 s a Timeline run).
    `st.plotly_chart` serialises a copy and leaves the figure as it is.
    """
    identity = (tuple(map(_origin, args)), tuple(sorted((k, _origin(v)) for k, v in kwargs.items())))
    st.plotly_chart(_figure(build.__name__, identity, args, kwargs), width="stretch", key=key,
                    config={"displaylogo": False})


def _origin(value: Any) -> Any:
    """The query behind a table `run` returned, else `value` itself."""
    return _ORIGINS.get(id(value), value) if isinstance(value, pd.DataFrame) else value


@st.cache_resource(show_spinner=False, max_entries=64)
def _figure(name: str, identity: tuple, _args: tuple, _kwargs: dict[str, Any]) -> go.Figure:
    """`identity` is the cache key; `_args` and `_kwargs`, the inputs it stands for, are not hashed."""
    return getattr(charts, name)(*_args, **_kwargs)


DATE_COLUMN = st.column_config.DateColumn(format="YYYY-MM-DD")
TEXT_COLUMN = st.column_config.TextColumn(width="large")
