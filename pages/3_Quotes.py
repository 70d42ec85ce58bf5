"""Quotes: who said what, where and when, narrowed by speaker or by who is talked about; the
analyst's review of quotes with its live quality estimate; and who relays whom."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analysis.present import charts
from analysis.workspace import queries, quote_review
from ui import data, page, widgets

SHOWN = ["speaker", "quote", "kind", "act", "cue", "reported_by", "document", "date", "review"]
REVIEW_LIMIT = 500  # quotes the review picker lists (the first ones of the table)
ROWS = 1_000  # quotes listed (newest documents first); the CSV download has them all

filters = page.page_header("Quotes", "Statements in the articles in view, with who made them, the reporting verb "
                                       "and the outlet that relayed them.")
page.require_documents()

positions = st.toggle("Include positions", value=False, key="quote_positions",
                      help="Off: statements only (said, wrote, warned that, a quote in marks). On: also beliefs, "
                           "intentions and stances (thinks, plans, backs, criticised the plan).")
speakers = data.run(queries.quotes_per_speaker, filters, positions=positions)
by_col, about_col = st.columns(2)
chosen_speakers = widgets.entity_picker("Said by", "quote_speakers", options=speakers["speaker_entity"].dropna().tolist(),
                                       container=by_col)
mentioning = widgets.entity_picker("Mentioning", "quote_mentioning", container=about_col,
                                  help="Only quotes whose text names any of these entities.")
narrow = bool(filters.entities) and st.toggle(
    "Only quotes by or about the filtered entities", value=True, key="quote_narrow",
    help="Off: every quote in the documents that mention them.")

# the quotes in view as the table and the chart take them: the page lists the first ROWS (newest
# documents first), counts them all, and the CSV download has them all
chosen = {"speakers": tuple(chosen_speakers), "mentioning": tuple(mentioning), "positions": positions}
involving = filters.entities if narrow else ()
quotes = data.run(queries.quotes_involving, filters, involving, **chosen, limit=ROWS)
total = data.run(queries.quotes_count, filters, involving, **chosen)
per_speaker = (data.run(queries.quotes_per_speaker, filters, involving=involving, **chosen)
               .groupby("speaker", as_index=False)["quotes"].sum()
               .sort_values(["quotes", "speaker"], ascending=[False, True]))
widgets.chart(charts.speaker_bars, per_speaker.head(25), title="Quotes per speaker (top 25)", key="quote_bars")

estimate = data.run(quote_review.quality_estimate)
if estimate.empty:
    st.caption("Quality: no quote reviewed yet. Mark quotes right or wrong below to estimate it on these articles.")
else:
    st.caption("Quality estimate from your reviews: " + " · ".join(
        f"{row.kind} {100 * row.share_right:.0f} % right (n={row.reviewed})" for row in estimate.itertuples()))


def whole(columns: list[str], unresolved: bool = False) -> Callable[[], pd.DataFrame]:
    """All the quotes of a table the page lists the first rows of, in `columns`: its CSV download."""
    return lambda: queries.quotes_involving(data.workspace(), filters, involving, **chosen,
                                            unresolved=unresolved)[columns]


def listed_note(total: int, listed: int) -> str:
    return f" (the newest {listed:,} listed; the CSV download has them all)" if total > listed else ""


st.markdown(f"**{widgets.plural(total, 'quote')}**" + listed_note(total, len(quotes)))
widgets.table(quotes[SHOWN].reset_index(drop=True), "quotes",
              column_config={"quote": widgets.TEXT_COLUMN, "date": widgets.DATE_COLUMN},
              empty="No quotes match the filter.",
              whole=whole(SHOWN) if total > len(quotes) else None)

unresolved_total = data.run(queries.quotes_count, filters, involving, **chosen, unresolved=True)
if unresolved_total:
    unresolved = data.run(queries.quotes_involving, filters, involving, **chosen, unresolved=True, limit=ROWS)
    columns = ["speaker_mention", "quote", "cue", "document", "date"]
    with st.expander(f"Unresolved speakers: {widgets.plural(unresolved_total, 'quote')}"):
        st.caption("A pronoun (he, they, who) with no name found for it, or no speaker found at all: kept out "
                   "of the speakers chart. Set the speaker below when you know who it is."
                   + listed_note(unresolved_total, len(unresolved)))
        widgets.table(unresolved[columns].reset_index(drop=True), "unresolved-quotes",
                      column_config={"quote": widgets.TEXT_COLUMN, "date": widgets.DATE_COLUMN},
                      whole=whole(columns, unresolved=True) if unresolved_total > len(unresolved) else None)

with st.expander("Review a quote"):
    listed = quotes.head(REVIEW_LIMIT)
    if listed.empty:
        st.caption("No quote in view to review.")
    else:
        labels = {str(i): f"{row.speaker or '?'}: “{str(row.quote)[:90]}” ({row.document or row.doc_id[:8]})"
                  for i, row in zip(listed.index, listed.itertuples())}
        picked = widgets.picker("Quote", list(labels), "review_quote", labels, noun="quotes", ranked="newest",
                                multi=False)
        if picked is not None:
            row = listed.loc[int(picked)]
            key = (row["doc_id"], int(row["start"]), int(row["end"]))
            right_col, wrong_col, act_col = st.columns(3)
            if right_col.button("Right as extracted", key="review_right", icon=":material/check:"):
                quote_review.mark(data.workspace(), *key, "right")
                st.rerun()
            if wrong_col.button("Not a quote", key="review_wrong", icon=":material/close:"):
                quote_review.mark(data.workspace(), *key, "wrong")
                st.rerun()
            act = act_col.segmented_control("Act", quote_review.ACTS, default=row["act"], key=f"review_act_{picked}")
            if act is not None and act != row["act"]:
                quote_review.set_act(data.workspace(), *key, act)
                st.rerun()
            speaker = widgets.picker("Who said it", list(data.entity_labels()), f"review_speaker_{picked}",
                                     data.entity_labels(), noun="entities", ranked="most mentioned", multi=False,
                                     index=None, placeholder="Pick the entity that made this statement")
            if speaker is not None and speaker != row["speaker_entity"]:
                quote_review.set_speaker(data.workspace(), *key, speaker)
                st.rerun()

st.subheader("Reporting chains")
st.caption("For each outlet or source that relayed quotes (“according to …”, “… told Reuters”), whose words it "
           "carried and how often.")
chains = data.run(queries.reporting_chains, filters, positions=positions)
widgets.chart(charts.chain_bars, chains, key="quote_chains")
widgets.table(chains.reset_index(drop=True), "reporting-chains", empty="No relayed quotes in view.")
