"""Documents: find an article, read it with its entities and quotes marked, correct its date."""
from __future__ import annotations

import datetime

import pandas as pd
import streamlit as st

from analysis.present import highlight, hits
from analysis.present.languages import language_name
from analysis.workspace import curation, duplicates, queries, search
from ui import data, page, widgets
from ui import filters as filters_ui

SHOWN = ["title", "source", "date", "author", "words", "mentions", "quotes", "tags", "starred", "date_source",
         "file_name", "language", "ocr_pages", "title_derived"]
BEST = 20  # search results shown with their snippets
COLUMNS = {"date": widgets.DATE_COLUMN, "title": widgets.TEXT_COLUMN,
           "ocr_pages": st.column_config.NumberColumn("OCR pages", help="Pages whose text was read by OCR"),
           "title_derived": st.column_config.CheckboxColumn("title from text",
                                                            help="The document had no title: it was taken from its first line")}
QUOTE_COLUMNS = ["speaker", "quote", "kind", "cue", "reported_by"]
ROWS = 1_000  # documents listed (newest first) when no search ranks them; the CSV download has them all


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


def triage(doc: dict) -> None:
    """Tags, a star and a note on the document: saved in the workspace, usable in the global filter."""
    current = data.run(curation.document_triage, doc["doc_id"])
    with st.form(f"triage_{doc['doc_id']}", border=False):
        tags = st.multiselect("Tags", sorted(set(data.run(curation.tags)) | set(current["tags"])),
                              default=current["tags"], accept_new_options=True, placeholder="Type a tag, Enter")
        starred = st.checkbox("Starred", value=current["starred"])
        note = st.text_area("Note", value=current["note"], height=90)
        saved = st.form_submit_button("Save tags and note", width="stretch")
    if saved:
        ws = data.workspace()
        curation.set_document_tags(ws, doc["doc_id"], tags)
        if starred != current["starred"]:
            curation.star_document(ws, doc["doc_id"], starred)
        if note.strip() != current["note"]:
            curation.set_document_note(ws, doc["doc_id"], note)
        page.done("Tags and note saved")


def same_story(doc: dict) -> None:
    """The other copies of this story (near-duplicates), if any."""
    copies = data.run(duplicates.copies_of, doc["doc_id"])
    if not copies.empty:
        st.markdown(f"**Same story** ({len(copies)} other cop{'y' if len(copies) == 1 else 'ies'})")
        st.dataframe(copies[["title", "date", "similarity", "role"]], hide_index=True, width="stretch",
                     column_config={"date": widgets.DATE_COLUMN})


def _open_search(query: str) -> None:
    st.session_state[filters_ui.SEARCH_KEY] = query


def batch_search() -> None:
    """Which documents mention each of a list of names (or match each of a list of queries)."""
    with st.expander("Search a list of names or queries"):
        upload = st.file_uploader("A list: one a line (.txt), or a column of a .csv", type=["txt", "csv"],
                                  key="doc_batch_file")
        column = st.text_input("CSV column", placeholder="the first column", key="doc_batch_column")
        typed = st.text_area("…or type them, one a line", key="doc_batch_text", height=100)
        try:
            wanted = (search.query_list(upload.getvalue(), upload.name, column.strip() or None) if upload
                      else [line for line in typed.splitlines() if line.strip()])
        except ValueError as err:
            st.warning(str(err))
            return
        if not wanted:
            return
        found = data.run(search.batch_search, tuple(wanted))
        widgets.table(found, "batch_search", column_config={"first_date": widgets.DATE_COLUMN,
                                                            "last_date": widgets.DATE_COLUMN})
        hits = found.loc[found["documents"] > 0, "query"].tolist()
        if hits:
            left, right = st.columns([3, 1], vertical_alignment="bottom")
            chosen = left.selectbox("Open the documents of", hits, key="doc_batch_open")
            right.button("Filter every page to them", on_click=_open_search, args=(chosen,), width="stretch")


filters = page.page_header("Documents", "The articles in view (search them in the sidebar: ranked, with the "
                                          "matches marked); open one to read it with its entities and quotes "
                                          "highlighted, tag it, star it, note it, correct its date.")
page.require_documents()
batch_search()
# a search ranks every match below, so it lists them all; else only the first rows are fetched
# (200,000 rows took 0.7 s to fetch, and a table shows a few dozen)
docs = data.run(queries.documents_table, filters, limit=None if filters.search else ROWS)
total = len(docs) if filters.search else data.run(queries.documents_count, filters)
if filters.search:
    narrowed = filters != queries.Filters(search=filters.search)
    ranked = data.run(search.search, filters.search, limit=BEST,
                      within=tuple(docs["doc_id"]) if narrowed else None)
    st.markdown(f"**Best matches for** `{filters.search}`")
    st.html(hits.hits_html(ranked))
    rank = {doc_id: i for i, doc_id in enumerate(data.run(search.matching_ids, filters.search))}
    docs = docs.iloc[docs["doc_id"].map(rank).argsort(kind="stable")]  # best match first, here and in the picker
st.markdown(f"**{widgets.plural(total, 'document')}**" +
            (f" (the newest {len(docs):,} listed; the CSV download has them all)" if total > len(docs) else ""))
widgets.table(docs[SHOWN], "documents", column_config=COLUMNS,
             height=min(400, 38 + 35 * len(docs)), empty="No documents match the search and filter.",
             whole=(lambda: queries.documents_table(data.workspace(), filters)[SHOWN]) if total > len(docs) else None)

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
        st.divider()
        triage(doc)
        same_story(doc)
