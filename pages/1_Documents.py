"""Documents: find an article, read it with its entities and quotes marked, correct its date."""
from __future__ import annotations

import datetime

import pandas as pd
import streamlit as st

from analysis.present import highlight
from analysis.present.languages import language_name
from analysis.workspace import curation, queries
from ui import data, page, widgets

SHOWN = ["title", "source", "date", "author", "words", "mentions", "quotes", "date_source", "file_name",
         "language", "ocr_pages", "title_derived"]
COLUMNS = {"date": widgets.DATE_COLUMN, "title": widgets.TEXT_COLUMN,
           "ocr_pages": st.column_config.NumberColumn("OCR pages", help="Pages whose text was read by OCR"),
           "title_derived": st.column_config.CheckboxColumn("title from text",
                                                            help="The document had no title: it was taken from its first line")}
QUOTE_COLUMNS = ["speaker", "quote", "kind", "cue", "reported_by"]


def badges(doc: dict) -> None:
    """What the analyst should know of where the text came from: OCR, its language, a derived title."""
    pages = doc.get("ocr_pages")
    if pages is not None and not pd.isna(pages) and pages > 0:
        st.badge(f"Text from OCR ({widgets.plural(int(pages), 'page')})", icon=":material/document_scanner:",
                 color="orange")
    if isinstance(doc.get("language"), str):
        st.badge(language_name(doc["language"]), icon=":material/translate:", color="blue")
    if str(doc.get("title_derived")) == "True":  # a numpy or Python bool; missing for none
        st.badge("Title taken from the text", icon=":material/title:", color="gray")


def document_view(doc: dict, types: tuple[str, ...]) -> None:
    """The article with entities coloured by type and quotes marked, and its legend."""
    badges(doc)
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
widgets.table(docs[SHOWN], "documents", column_config=COLUMNS,
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
