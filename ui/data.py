"""The workspace handle and the cached queries every page reads through.

Questions live in `analysis.workspace.queries`; this module only caches their answers per
workspace version and shares them between sessions.
"""
from __future__ import annotations

import datetime
import importlib
import importlib.metadata
import sys
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import streamlit as st

from analysis import settings
from analysis.present import urlstate
from analysis.workspace import queries
from analysis.workspace.queries import Filters
from analysis.workspace.store import Workspace

if TYPE_CHECKING:  # the Overview's first run reads rows only: it need not wait for pandas
    import pandas as pd


@st.cache_resource(show_spinner=False)
def _workspace(path: str) -> Workspace:
    return Workspace(path)


def workspace() -> Workspace:
    """The workspace of NEWSROOM_LENS_WORKSPACE, opened once per process (opening writes the schema)."""
    return _workspace(str(settings.workspace_dir().resolve()))


@st.cache_resource(show_spinner=False, max_entries=512)
def _cached(_ws: Workspace, path: str, version: float, name: str, args: tuple, kwargs: tuple) -> Any:
    module, _, function = name.rpartition(".")
    return getattr(importlib.import_module(module), function)(_ws, *args, **dict(kwargs))


# Tables handed out by `run`, by id -> the cache key of the query that made them (see `origin`).
_ORIGINS: dict[int, tuple] = {}


def run(query: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`query(ws, *args, **kwargs)` (a function of the library's workspace modules) cached on (workspace path, `ws.version()`, arguments).

    Any write (an ingest, a curation, another process) changes the version, so every page
    shows fresh results without anyone clearing caches by hand. A result is shared by every
    session, not copied for each: treat it as read-only. (Copies, `st.cache_data`'s way, cost
    a third to a half of every page's run on 20,000 articles: 0.08-0.2 s.)
    """
    ws = workspace()
    key = (str(ws.path), ws.version(), f"{query.__module__}.{query.__name__}", args, tuple(sorted(kwargs.items())))
    result = _cached(ws, *key)
    if _is_table(result) and id(result) not in _ORIGINS:
        _ORIGINS[id(result)] = key
        weakref.finalize(result, _ORIGINS.pop, id(result), None)
    return result


def origin(value: Any) -> Any:
    """The query behind a table `run` returned, else `value` itself: a cheap cache key for it."""
    return _ORIGINS.get(id(value), value) if _is_table(value) else value


def _is_table(value: Any) -> bool:
    """Whether `value` is a DataFrame, without importing pandas (no DataFrame exists before it is)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


@st.cache_resource(show_spinner="Loading the language model (first time only)…")
def nlp_pipeline(model: str):
    """The spaCy pipeline, loaded on first ingest and shared by every session of this server."""
    from analysis.extract.nlp import load_pipeline  # imports spaCy: only when something is ingested

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
    """The per-file outcome table of an `IngestReport`'s results: added / duplicate / failed and why
    (for a document stored with changes, such as NULs removed, what was changed)."""
    import pandas as pd

    rows = [{"file": r.file_name, "status": r.status, "title": r.title,
             "reason": "; ".join(filter(None, (r.reason, *r.notes))) or None} for r in results]
    return pd.DataFrame(rows, columns=["file", "status", "title", "reason"])


def entity_labels() -> dict[str, str]:
    """Entity key -> "Name (TYPE)" for every visible entity, most mentioned first."""
    return run(queries.entity_labels)


def has_documents() -> bool:
    """Whether the workspace holds a document; read from the count the filter's document picker
    asks anyway, so it costs no query of its own."""
    return bool(run(queries.documents_count))
