"""Widgets the pages share: searchable pickers, tables with their CSV download, cached charts.

Pickers stay light on any workspace: at most PICKER_LIMIT options go to the browser.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import streamlit as st

from analysis.present import charts, choices
from ui import data

if TYPE_CHECKING:  # tables arrive as DataFrames; the Overview's first run draws none, so imports no pandas
    import pandas as pd
    import plotly.graph_objects as go

# Streamlit's multiselect lists "Select all" ("Select N matches" while typing) first. In a filter or
# a picker, where choosing nothing already means everything, it only floods the widget with every
# option, and a click meant for an option lands on it if the list is redrawn under the pointer
# (a browser test that meant to pick one entity got all forty).
NO_SELECT_ALL = {"select_all": False}
PICKER_LIMIT = 500  # options a picker sends to the browser; beyond, it searches here (see `picker`)


def entity_picker(label: str, key: str, options: Sequence[str] | None = None,
                  help: str | None = None, container: Any = st) -> list[str]:
    """A searchable multi-select of entities shown as "Name (TYPE)", most mentioned first; returns entity keys."""
    labels = data.entity_labels()
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
    keep_valid(key, options, _first_unless_empty(options, widget))

    def find(search: str, chosen: list[str]) -> tuple[Mapping[str, str], int]:
        listed, found = choices.narrow_choices(options, lambda o: labels.get(o, o), search, PICKER_LIMIT, chosen)
        return {o: labels.get(o, o) for o in listed}, found

    if len(options) > PICKER_LIMIT:
        return searched_picker(label, key, find, len(options), noun=noun, ranked=ranked, multi=multi,
                               container=container, placeholder=placeholder, **widget)
    return _draw(label, options, key, labels, multi, container, placeholder, widget)


def searched_picker(label: str, key: str, find: Callable[[str, list[str]], tuple[Mapping[str, str], int]],
                    total: int, *, noun: str, ranked: str, multi: bool = True, container: Any = st,
                    placeholder: str | None = None, **widget: Any) -> Any:
    """`picker` over `total` options that `find(search, chosen)` looks up (the chosen ones that still
    exist, then the first PICKER_LIMIT matches by `ranked`, with how many matched besides): a search
    box first, then the list of what it found. For options too many to fetch, searched for where they are."""
    value = st.session_state.get(key)
    chosen = value if isinstance(value, list) else [] if value is None else [value]
    search = container.text_input(label, key=f"{key}_search", help=widget.get("help"),
                                  placeholder=f"Search {total:,} {noun} ({PICKER_LIMIT:,} {ranked} listed)")
    labels, found = find(search, chosen)
    keep_valid(key, list(labels), _first_unless_empty(list(labels), widget))
    if search.strip():
        placeholder = (f"No {noun} match “{search.strip()}”" if not found else
                       f"{found:,} match{'es' if found > 1 else ''}" +
                       (f", the {PICKER_LIMIT:,} {ranked} listed" if found > PICKER_LIMIT else ""))
    return _draw(label, list(labels), key, labels, multi, container, placeholder,
                 {**widget, "label_visibility": "collapsed"})


def _first_unless_empty(options: Sequence[str], widget: Mapping[str, Any]) -> str | None:
    """What a select box starts on: its first option, or nothing when it starts empty (`index=None`)."""
    return None if not options or ("index" in widget and widget["index"] is None) else options[0]


def _draw(label: str, options: Sequence[str], key: str, labels: Mapping[str, str], multi: bool, container: Any,
          placeholder: str | None, widget: dict[str, Any]) -> Any:
    """The multi-select (or select box) itself, options shown by `labels`."""
    if multi:
        widget = {**NO_SELECT_ALL, **widget}
    draw = container.multiselect if multi else container.selectbox
    return draw(label, options, key=key, format_func=lambda option: labels.get(option, option),
                placeholder=placeholder, **widget)


def keep_valid(key: str, options: Sequence[str], replacement: str | None = None) -> None:
    """Drop selections that are no longer options (merged or hidden entities, documents filtered
    out) before a widget is drawn. A single choice that is gone becomes `replacement` (None: the
    box empties, so nothing is chosen for the analyst) rather than being deleted: deleting a select
    box's value resets what the page reads but not what the browser shows (streamlit#5442), so the
    box went on naming a document the page no longer showed."""
    if key in st.session_state:
        value = st.session_state[key]
        valid = set(options)
        if isinstance(value, list):
            st.session_state[key] = [v for v in value if v in valid]
        elif value is not None and value not in valid:
            st.session_state[key] = replacement


def plural(n: int, noun: str) -> str:
    """"1 document", "3 documents", "2 entities"."""
    if n == 1:
        return f"1 {noun}"
    return f"{n:,} " + (noun[:-1] + "ies" if noun.endswith("y") else noun + "s")


def table(frame: pd.DataFrame, name: str, *, column_config: dict | None = None,
          height: int | str = "auto", empty: str = "Nothing to show.",
          whole: Callable[[], pd.DataFrame] | None = None) -> None:
    """A table and, under it, a CSV download of exactly those rows and columns.

    `name` is the file name (without .csv) and names the button, e.g. "Download entities CSV".
    The CSV is written when the button is clicked, not on every run: on a big workspace writing
    it took most of a page's time (0.5 s of the Quotes page's 0.75 s with 20,000 articles).
    When `frame` is only the first rows of a table, `whole` gives all of them, for the download.
    """
    from analysis.present.export import to_csv_bytes

    if frame.empty:
        st.caption(empty)
        return
    shown = blank_missing_text(frame)
    # a day column made text (it had gaps) is shown as it is: a date format would read "" as "None" again
    config = {k: v for k, v in (column_config or {}).items() if k not in frame or shown[k].dtype == frame[k].dtype}
    st.dataframe(shown, hide_index=True, column_config=config, height=height, width="stretch")
    st.download_button(f"Download {name} CSV", lambda: to_csv_bytes(whole() if whole else frame), file_name=f"{name}.csv", mime="text/csv",
                       key=f"download_{name}", on_click="ignore", icon=":material/download:")


def blank_missing_text(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with missing text cells empty: the grid writes a missing value as "None", which an
    analyst reads as a title or an author called None (CSV exports leave them empty already).
    A day column with gaps (an undated document's first and last seen) becomes ISO text, which
    sorts as the days do."""
    import pandas as pd

    text = {name: frame[name].fillna("") for name in frame.columns
            if frame[name].dtype == object or isinstance(frame[name].dtype, pd.StringDtype)}
    days = {name: frame[name].dt.strftime("%Y-%m-%d").fillna("") for name in frame.columns
            if pd.api.types.is_datetime64_any_dtype(frame[name]) and frame[name].isna().any()
            and (frame[name].dropna() == frame[name].dropna().dt.normalize()).all()}
    return frame.assign(**text, **days) if text or days else frame


def chart(build: Callable[..., go.Figure], *args: Any, key: str | None = None, **kwargs: Any) -> None:
    """Draw `build(*args, **kwargs)`, a figure of `analysis.present.charts`, built once per distinct input.

    Plotly builds figures slowly (0.05 s for fifteen bars, 0.3 s for a network with its layout)
    and a page reruns on every click, most often with the same data: a figure is kept and
    shared by every session. A table that `data.run` returned stands in the figure's key for the
    query that made it: hashing its contents cost more than the rest of a page's run (all
    44,000 dated sentences of a 20,000-article workspace: 0.07-0.14 s a Timeline run).
    `st.plotly_chart` serialises a copy and leaves the figure as it is.
    """
    identity = (tuple(map(data.origin, args)), tuple(sorted((k, data.origin(v)) for k, v in kwargs.items())))
    st.plotly_chart(_figure(build.__name__, identity, args, kwargs), width="stretch", key=key,
                    config={"displaylogo": False})


@st.cache_resource(show_spinner=False, max_entries=64)
def _figure(name: str, identity: tuple, _args: tuple, _kwargs: dict[str, Any]) -> go.Figure:
    """`identity` is the cache key; `_args` and `_kwargs`, the inputs it stands for, are not hashed."""
    return getattr(charts, name)(*_args, **_kwargs)


DATE_COLUMN = st.column_config.DateColumn(format="YYYY-MM-DD")
TEXT_COLUMN = st.column_config.TextColumn(width="large")
