"""Quotes: who said what, where and when, narrowed by speaker or by who is talked about."""
from __future__ import annotations

import streamlit as st

from analysis.present import charts
from analysis.workspace import queries
from ui import data, page, widgets

SHOWN = ["speaker", "quote", "kind", "cue", "reported_by", "document", "date"]

filters = page.page_header("Quotes", "Direct, partial and reported statements in the articles in view, "
                                       "with who said them, the reporting verb and the outlet that relayed them.")
page.require_documents()

speakers = data.run(queries.quotes_per_speaker, filters)
by_col, about_col = st.columns(2)
chosen_speakers = widgets.entity_picker("Said by", "quote_speakers", options=speakers["speaker_entity"].dropna().tolist(),
                                       container=by_col)
mentioning = widgets.entity_picker("Mentioning", "quote_mentioning", container=about_col,
                                  help="Only quotes whose text names any of these entities.")
narrow = bool(filters.entities) and st.toggle(
    "Only quotes by or about the filtered entities", value=True, key="quote_narrow",
    help="Off: every quote in the documents that mention them.")

quotes = data.run(queries.quotes_involving, filters, filters.entities if narrow else (),
                    speakers=tuple(chosen_speakers), mentioning=tuple(mentioning))

per_speaker = (quotes.dropna(subset=["speaker"]).groupby("speaker", as_index=False).size()
               .rename(columns={"size": "quotes"}).sort_values(["quotes", "speaker"], ascending=[False, True]))
widgets.chart(charts.speaker_bars, per_speaker.head(25), title="Quotes per speaker (top 25)", key="quote_bars")
st.markdown(f"**{widgets.plural(len(quotes), 'quote')}**")
widgets.table(quotes[SHOWN].reset_index(drop=True), "quotes",
             column_config={"quote": widgets.TEXT_COLUMN, "date": widgets.DATE_COLUMN},
             empty="No quotes match the filter.")
