"""Documents: find an article, read it with its entities and quotes marked, correct its date."""
from __future__ import annotations

import datetime

import pandas as pd
import streamlit as st

from analysis.present import highlight
from analysis.workspace import curation, queries
from ui import data, page, widgets

SHOWN = ["title", "source", "date", "author", "words", "mentions", "quotes", "date_source", "file_name"]
QUOTE_COLUMNS = ["speaker", "quote", "kind", "cue", "reported_by"]


def document_view(doc: dict, types: tuple[str, ...]) -> None:
    """The article with entities coloured by type and quotes marked, and its legend."""
    mentions = data.run(queries.document_mentions, doc["doc_id"])
    quotes = data.run(queries.document_quotes, doc["doc_id"])
    spans = highlight.entity_spans(mentions)
    shown_types = [t for t in highlight.TYPE_COLOURS if any(s.type == t for s in spans) and (not types or t in types)]
    st.html(highlight.legend_html(shown_types))
    with st.container(height=560 if len(doc["text"]) > 3000 else "content", border=True):
        st.html(highlight.document_html(doc["text"], spans, highlight.quote_spans(quotes),
                                        title=highlight.display_title(doc), types=types or None))
    st.markdown(f"**Quotes in this document** ({len(quotes)})")
    widgets.table(quotes[QUOTE_COLUMNS], "document_quotes", column_config={"quote": widgets.TEXT_COLUMN},
                 empty="No quotes found in this document.")


def date_editor(doc: dict) -> None:
    """Set or correct the document's date; every page (and the timeline) follows at once."""
    current = None if pd.isna(doc["date"]) else pd.Timestamp(doc["date"]).date()
    source = doc["date_source"] if isinstance(doc["date_source"], str) else None
    origin = {"analyst": "set by an analyst", None: "no date found"}.get(source, f"found in: {source}")
    st.markdown(f"**Date:** {current or '—'} ({origin})")
    with st.form(f"date_{doc['doc_id']}", border=False):
        new = st.date_input("Correct date", value=current or datetime.date.today(), format="YYYY-MM-DD",
                            min_value=datetime.date(1900, 1, 1))
        save, reset = st.columns(2)
        saved = save.form_submit_button("Save date", type="primary", width="stretch")
        reverted = reset.form_submit_button("Revert", width="stretch", disabled=source != "analyst",
                                            help="Go back to the date found in the document.")
    if saved or reverted:
        curation.set_document_date(data.workspace(), doc["doc_id"], new if saved else None)
        page.done("Date saved" if saved else "Back to the extracted date")


filters = page.page_header("Documents", "Search the articles in view, open one to read it with its entities "
                                          "and quotes highlighted, and correct its date if needed.")
page.require_documents()
search = st.text_input("Search", placeholder="Words in the title, source or text", key="doc_search")
docs = data.run(queries.documents_table, filters, search)
st.markdown(f"**{widgets.plural(len(docs), 'document')}**")
widgets.table(docs[SHOWN], "documents", column_config={"date": widgets.DATE_COLUMN, "title": widgets.TEXT_COLUMN},
             height=min(400, 38 + 35 * len(docs)), empty="No documents match the search and filter.")

if not docs.empty:
    titles = dict(zip(docs["doc_id"], docs["title"].fillna(docs["file_name"])))
    chosen = widgets.picker("Open a document", list(titles), "doc_open", titles, noun="documents", ranked="newest",
                           multi=False)
    doc = data.run(queries.document, chosen)
    st.divider()
    meta = " · ".join(str(v) for v in (doc.get("source"), doc.get("author"), doc.get("file_name")) if v and not pd.isna(v))
    st.caption(meta)
    read, side = st.columns([3, 1], gap="large")
    with read:
        document_view(doc, filters.types)
    with side:
        date_editor(doc)
