"""Entities: who and what is mentioned, one entity's profile, and the analyst's corrections.

Corrections (merge, rename, type, hide) are stored as curation and read by every query, so
they show on every page at once; the workspace version changes, which refreshes the caches.
"""
from __future__ import annotations

import streamlit as st

from analysis.present import charts
from analysis.workspace import curation, identity, queries, suggestions
from ui import data, page, widgets

SHOWN = ["name", "type", "mentions", "documents", "first_seen", "last_seen"]
QUOTE_COLUMNS = ["speaker", "quote", "kind", "cue", "document", "date"]
DATES = {"first_seen": widgets.DATE_COLUMN, "last_seen": widgets.DATE_COLUMN, "date": widgets.DATE_COLUMN}


def profile(entity: str, name: str, filters: queries.Filters) -> None:
    """Aliases, mentions in context, quotes by and about the entity, and its usual company."""
    aliases = data.run(queries.aliases, entity)
    st.markdown("**Written as:** " + ", ".join(f"{a} ({m})" for a, m in zip(aliases["alias"], aliases["mentions"])))
    context, by, about, company = st.tabs(["Mentions in context", "Quotes by", "Quotes mentioning", "Seen with"])
    with context:
        kwic = data.run(queries.keyword_in_context, entity, filters)
        widgets.table(kwic[["left", "mention", "right", "document", "date"]], "mentions_in_context",
                     column_config={"left": st.column_config.TextColumn(alignment="right"), **DATES})
    with by:
        quotes = data.run(queries.quotes_table, filters, speakers=(entity,))
        widgets.table(quotes[QUOTE_COLUMNS], "quotes_by_entity", column_config={"quote": widgets.TEXT_COLUMN, **DATES},
                     empty=f"No quotes attributed to {name} in view.")
    with about:
        quotes = data.run(queries.quotes_table, filters, mentioning=(entity,))
        widgets.table(quotes[QUOTE_COLUMNS], "quotes_mentioning_entity",
                     column_config={"quote": widgets.TEXT_COLUMN, **DATES}, empty=f"No quotes mention {name} in view.")
    with company:
        st.caption("Entities named in the same sentence; PMI is high when they meet more often than chance.")
        widgets.table(data.run(queries.cooccurring, entity, filters)[["name", "type", "count", "pmi"]],
                     "seen_with_entity", empty="Never named in a sentence with another entity.")


def entity_note(entity: str) -> None:
    """The analyst's note on the entity, kept with the curation (it survives a re-ingest)."""
    current = data.run(curation.entity_note, entity)
    with st.form(f"ent_note_{entity}", border=False):
        note = st.text_area("Your note on this entity", value=current, height=80, key=f"ent_note_text_{entity}")
        if st.form_submit_button("Save note") and note.strip() != current:
            curation.set_entity_note(data.workspace(), entity, note)
            page.done("Note saved")


def corrections(entity: str, name: str, label: str) -> None:
    """Rename, retype, merge into this entity, hide it, or bring hidden entities back."""
    ws = data.workspace()
    rename_col, type_col = st.columns(2)
    with rename_col.form("rename", border=False):
        new_name = st.text_input("Display name", value=name, key=f"ent_name_{entity}")
        if st.form_submit_button("Rename", key="ent_rename_btn") and new_name.strip() and new_name.strip() != name:
            curation.rename(ws, entity, new_name)
            page.done(f"Renamed to {new_name.strip()}")
    with type_col.form("retype", border=False):
        types = list(curation.ENTITY_TYPES)
        new_type = st.selectbox("Type", types, index=types.index(label) if label in types else 0, key=f"ent_type_{entity}")
        if st.form_submit_button("Change type", key="ent_type_btn") and new_type != label:
            curation.set_type(ws, entity, new_type)
            page.done(f"{name} is now {new_type}")

    others = [e for e in data.entity_labels() if e != entity]
    merged = widgets.entity_picker(f"Merge other entities into {name}", "ent_merge", options=others,
                                  help="Their mentions, quotes and links count as this entity from now on.")
    merge_col, hide_col = st.columns(2)
    if merge_col.button(f"Merge {len(merged)} into {name}", key="ent_merge_btn", disabled=not merged, width="stretch"):
        curation.merge(ws, merged, entity)
        page.done(f"Merged {len(merged)} entities into {name}")
    if hide_col.button(f"Hide {name} everywhere", key="ent_hide_btn", width="stretch",
                       help="For noise such as a misread word; it can be shown again below."):
        curation.hide(ws, entity)
        page.done(f"{name} is hidden")

    linked = data.run(identity.links_into, entity)
    if not linked.empty:
        st.markdown("**Joined automatically** (undo one for good if it is someone else)")
        for key, alias, reason in linked.itertuples(index=False):
            text_col, undo_col = st.columns([4, 1])
            text_col.text(f"{alias}: {reason}")
            if undo_col.button("Undo", key=f"ent_unlink_{key}"):
                curation.unlink(ws, key)
                page.done(f"{alias} is its own entity again")

    hidden = data.run(queries.hidden_entities)
    if not hidden.empty:
        names = dict(zip(hidden["entity"], hidden["name"] + " (" + hidden["label"] + ")"))
        widgets.keep_valid("ent_unhide", list(names))
        back = st.multiselect("Hidden entities", list(names), format_func=names.get, key="ent_unhide")
        if st.button("Show again", key="ent_unhide_btn", disabled=not back):
            for key in back:
                curation.hide(ws, key, hidden=False)
            page.done(f"{len(back)} entities shown again")


filters = page.page_header("Entities", "Who and what the articles in view mention most, each entity's profile, "
                                         "and corrections that apply everywhere.")
page.require_documents()
entities = data.run(queries.entity_table, filters)
chart_col, table_col = st.columns([1, 1], gap="large")
with chart_col:
    top_n = st.slider("Entities in the chart", 5, 50, 20, step=5, key="ent_top_n")
    widgets.chart(charts.entity_bars, entities.head(top_n).to_dict("records"), title=f"Top {top_n} entities by mentions", key="ent_bars")
with table_col:
    st.markdown(f"**{widgets.plural(len(entities), 'entity')} in view**")
    widgets.table(entities[SHOWN], "entities", column_config=DATES, height=520, empty="No entities in view.")

def merge_suggestions(limit: int = 8) -> None:
    """Likely duplicates the automatic links left apart, with passages of each: merge or dismiss."""
    found = data.run(suggestions.suggestions)
    if found.empty:
        return
    st.subheader("Likely duplicates")
    st.caption(f"{widgets.plural(len(found), 'suggestion')}; merging applies everywhere, a dismissed one "
               "is not suggested again.")
    ws = data.workspace()
    for entity, name, candidate, candidate_name, reason, score in found.head(limit).itertuples(index=False):
        with st.expander(f"{candidate_name} → {name}  ·  {reason}  ·  score {score:.2f}"):
            for title, key in ((name, entity), (candidate_name, candidate)):
                st.text(f"Passages naming {title}:")  # text, not markdown: names come from the documents
                for passage in data.run(suggestions.evidence, key):
                    st.text(passage)
            merge_col, dismiss_col = st.columns(2)
            if merge_col.button(f"Merge into {name}", key=f"sug_merge_{entity}_{candidate}", width="stretch"):
                curation.merge(ws, [candidate], entity)
                page.done(f"Merged {candidate_name} into {name}")
            if dismiss_col.button("Not the same", key=f"sug_dismiss_{entity}_{candidate}", width="stretch"):
                curation.dismiss_suggestion(ws, entity, candidate)
                page.done("Suggestion dismissed")


merge_suggestions()

if not entities.empty:
    st.subheader("Entity profile")
    names = dict(zip(entities["entity"], entities["name"] + " (" + entities["type"] + ")"))
    start = next((e for e in filters.entities if e in names), next(iter(names)))  # the entity filtered on
    widgets.keep_valid("ent_profile", list(names), start)
    if "ent_profile" not in st.session_state:
        st.session_state["ent_profile"] = start
    chosen = widgets.picker("Entity", list(names), "ent_profile", names, noun="entities", ranked="most mentioned",
                           multi=False)
    row = entities.set_index("entity").loc[chosen]
    st.caption(f"{row['type']} · {widgets.plural(row['mentions'], 'mention')} in "
               f"{widgets.plural(row['documents'], 'document')}")
    profile(chosen, row["name"], filters)
    entity_note(chosen)
    with st.expander(f"Correct {row['name']}"):
        corrections(chosen, row["name"], row["type"])
