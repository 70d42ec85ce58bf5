"""Newsroom Lens: the entry point (`streamlit run dashboard.py`) and its Overview page.

The entry point draws the navigation, settles the global filter, runs the chosen page, then
draws the filter's sidebar (after the page: see `ui.filters`). The Overview shows the workspace
at a glance, takes uploads and exports everything. It must open fast: spaCy is imported and
its model loaded only when something is ingested (once per server, shared by all sessions).
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from analysis import settings
from analysis.model import LoadError, RawDocument
from analysis.present import charts
from analysis.workspace import queries
from analysis.workspace.queries import Filters
from analysis.workspace.store import WorkspaceError
from ui import data, filters, page, widgets

if TYPE_CHECKING:
    from analysis.loaders import PageProgress
    from analysis.workspace.ingest import Tick

SAMPLES = Path(__file__).parent / "samples"
UPLOAD_ROUND = "upload_round"  # bumped after an ingest, so the uploader starts empty again
LAST_REPORT = "last_ingest_report"
LAST_ENGINE = "last_ingest_engine"  # how many processes extracted it, and why
MB = 1024 * 1024


def upload_types() -> list[str]:
    """Every file type the loaders read, for the uploader's file chooser."""
    from analysis.loaders import SUPPORTED_SUFFIXES

    return [s.lstrip(".") for s in SUPPORTED_SUFFIXES]


def upload_limit_mb() -> int:
    """NEWSROOM_LENS_MAX_UPLOAD_MB, capped by Streamlit's own server.maxUploadSize.

    Streamlit's server refuses larger request bodies whatever the widget says, so raising the
    limit past .streamlit/config.toml also needs STREAMLIT_SERVER_MAX_UPLOAD_SIZE.
    """
    return min(settings.max_upload_mb(), int(st.get_option("server.maxUploadSize")))


def run_ingest(read: Callable[[PageProgress], list[RawDocument | LoadError]], label: str) -> None:
    """Read, extract and store documents with a progress bar; the outcome shows after the rerun."""
    from analysis.extract.nlp import ModelNotInstalled
    from analysis.present.progress import progress_text
    from analysis.workspace.ingest import ingest

    try:
        data.nlp_pipeline(settings.model_name())
    except ModelNotInstalled as err:
        st.error(str(err), icon=":material/error:")
        return
    bar = st.progress(0.0, text=f"Reading {label}…")

    def page_read(name: str, done: int, total: int) -> None:  # OCR of scans and photos
        bar.progress(done / total, text=f"Reading {label}: OCR of {name}, page {done} of {total}")

    items = read(page_read)

    def progress(tick: Tick) -> None:
        bar.progress(tick.done / tick.total if tick.total else 1.0, text=progress_text(tick))

    try:
        report = ingest(data.workspace(), items, progress=progress)
    except WorkspaceError as err:  # a full disk, a read-only folder: what was stored stays stored
        bar.empty()
        st.error(str(err), icon=":material/error:")
        return
    bar.empty()
    st.session_state[LAST_REPORT] = data.report_frame(report.results)
    st.session_state[LAST_ENGINE] = report.engine
    st.session_state[UPLOAD_ROUND] = st.session_state.get(UPLOAD_ROUND, 0) + 1
    st.rerun()


def read_uploads(files: list, on_page: PageProgress | None = None) -> list[RawDocument | LoadError]:
    from analysis.loaders import Limits, load_bytes

    limits = Limits(max_file_bytes=upload_limit_mb() * MB)
    return [item for f in files for item in load_bytes(f.name, f.getvalue(), limits, on_page)]


def read_samples(on_page: PageProgress | None = None) -> list[RawDocument | LoadError]:
    from analysis.loaders import load_bytes

    return [item for path in sorted(SAMPLES.iterdir()) if path.is_file()
            for item in load_bytes(path.name, path.read_bytes())]


def add_documents_panel() -> None:
    st.subheader("Add documents")
    st.caption(f"Articles as {', '.join(upload_types())} — up to {upload_limit_mb()} MB per file. "
               "Zip files and CSV/JSON batches may hold many articles. Files already in the workspace are skipped.")
    round_ = st.session_state.get(UPLOAD_ROUND, 0)
    files = st.file_uploader("Articles to add", type=upload_types(), accept_multiple_files=True,
                             key=f"uploads_{round_}", max_upload_size=upload_limit_mb(),
                             label_visibility="collapsed")
    left, right = st.columns(2)
    if left.button(f"Extract and add {len(files)} file(s)" if files else "Extract and add",
                   type="primary", disabled=not files, width="stretch"):
        run_ingest(lambda on_page: read_uploads(files, on_page), f"{len(files)} file(s)")
    if right.button("Load sample articles", width="stretch",
                    help="Four short fictional articles, to try the app out."):
        run_ingest(read_samples, "the sample articles")
    if LAST_REPORT in st.session_state:
        report = st.session_state[LAST_REPORT]
        counts = report["status"].value_counts()
        st.markdown(f"**Last upload:** {counts.get('added', 0)} added, {counts.get('duplicate', 0)} duplicate, "
                    f"{counts.get('failed', 0)} failed")
        engine = st.session_state.get(LAST_ENGINE, "")
        st.caption(engine[:1].upper() + engine[1:])
        widgets.table(report, "upload_results", column_config={"reason": widgets.TEXT_COLUMN})


def overview_panel(filters: Filters) -> None:
    stats = data.run(queries.overview, filters)
    cells = st.columns([1, 1, 1, 1, 2])
    cells[0].metric("Documents", f"{stats['documents']:,}")
    cells[1].metric("Entities", f"{stats['entities']:,}")
    cells[2].metric("Mentions", f"{stats['mentions']:,}")
    cells[3].metric("Quotes", f"{stats['quotes']:,}")
    first, last = stats["first_date"], stats["last_date"]
    span = "no dates" if first is None else f"{first:%b %Y}" + ("" if f"{first:%b %Y}" == f"{last:%b %Y}" else f" – {last:%b %Y}")
    cells[4].metric("Date span", span)


def export_panel(filters: Filters) -> None:
    st.subheader("Export")
    st.caption("One zip with every table as CSV (entities, mentions, documents, quotes, events, timeline, "
               "co-occurrence, speakers) and a manifest of the filter, model and time. The sidebar filter applies.")
    st.download_button(
        "Download everything (zip)",
        data=lambda: _bundle(filters),
        file_name=f"newsroom-lens-{datetime.date.today():%Y%m%d}.zip", mime="application/zip",
        on_click="ignore", icon=":material/folder_zip:",
    )


def _bundle(filters: Filters) -> bytes:
    from analysis.present.export import zip_bundle  # imports pandas: on click, not on opening the page

    return zip_bundle(queries.export_tables(data.workspace(), filters), data.bundle_manifest(filters))


def home() -> None:
    filters = page.page_header(
        "Newsroom Lens",
        "Who is mentioned, who said what, when, and who is connected to whom — across the articles you add.")
    empty = not data.has_documents()
    overview_panel(filters)
    left, right = st.columns([3, 2], gap="large")
    with left:
        if empty:
            st.info("No articles yet. Upload some on the right — or load the four short fictional sample "
                    "articles to see what the app does.", icon=":material/waving_hand:")
        else:
            top = data.run(queries.top_entities, filters, limit=15)
            widgets.chart(charts.entity_bars, top, title="Top entities, coloured by type", key="home_top")
    with right:
        add_documents_panel()
    if not empty:
        export_panel(filters)


def main() -> None:
    st.set_page_config(page_title="Newsroom Lens", page_icon=":material/newspaper:", layout="wide")
    navigation = st.navigation([
        st.Page(home, title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/1_Documents.py", title="Documents", icon=":material/article:", url_path="documents"),
        st.Page("pages/2_Entities.py", title="Entities", icon=":material/groups:", url_path="entities"),
        st.Page("pages/3_Quotes.py", title="Quotes", icon=":material/format_quote:", url_path="quotes"),
        st.Page("pages/4_Timeline.py", title="Timeline", icon=":material/timeline:", url_path="timeline"),
        st.Page("pages/5_Relationships.py", title="Relationships", icon=":material/hub:", url_path="relationships"),
    ])
    try:
        data.workspace()
    except WorkspaceError as err:  # a file in its place, no permission: say so instead of every page failing
        st.error(f"{err}. Set NEWSROOM_LENS_WORKSPACE to a folder this app may write.", icon=":material/error:")
        st.stop()
    filters.settle_filters()
    navigation.run()
    filters.filter_sidebar()


main()
