"""Page furniture: a page's header with its filter note, the empty-workspace stop, the done toast."""
from __future__ import annotations

import streamlit as st

from analysis.workspace.queries import Filters
from ui import data, filters

_DONE = "nl_done_message"


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
    current = filters.current_filters()
    filters.filter_note(current)
    return current


def require_documents() -> None:
    """Stop a page early, with a pointer to the uploader, when the workspace is empty."""
    if not data.has_documents():
        st.info("The workspace has no documents yet. Add some on the Overview page.", icon=":material/upload_file:")
        filters.filter_sidebar()  # the entry point would draw it after the page, which ends here
        st.stop()
