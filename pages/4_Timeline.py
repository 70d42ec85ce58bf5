"""Timeline: how often entities are mentioned over time, dated events, and coverage per period."""
from __future__ import annotations

import streamlit as st

from analysis.present import charts
from analysis.workspace import queries
from ui import data, page, widgets

filters = page.page_header("Timeline", "Mentions over time by document date, the dated sentences (events) the "
                                         "articles report, and how many articles each period has.")
page.require_documents()

pick_col, freq_col, style_col = st.columns([3, 1, 1])
if "time_entities" not in st.session_state:  # start with the entities the analyst filtered on
    st.session_state["time_entities"] = list(filters.entities)
chosen = widgets.entity_picker("Entities to plot", "time_entities", container=pick_col,
                              help="Empty: the eight most mentioned entities in view.")
freq = freq_col.segmented_control("Per", ["day", "week", "month"], default="month", key="time_freq") or "month"
style = style_col.segmented_control("Chart", ["line", "area"], default="line", key="time_style") or "line"

series = data.run(queries.mentions_over_time, filters, entities=tuple(chosen), freq=freq)
widgets.chart(charts.mentions_timeline, series, freq=freq, style=style, title=f"Mentions per {freq}",
             key="time_mentions")

st.subheader("Events")
events = data.run(queries.events_table, filters, entities=filters.entities)
st.caption("Sentences that carry a date, placed at that date" +
           (" — only those naming the filtered entities." if filters.entities else ".") +
           (" Too many to draw one by one, so the chart counts them; the table lists every sentence."
            if charts.events_counted(events) else " Hover a point to read the sentence."))
widgets.chart(charts.events_chart, events, freq=freq, key="time_events")
widgets.table(events[["date_start", "date_end", "date_text", "sentence", "document", "entities"]], "events",
             column_config={"date_start": widgets.DATE_COLUMN, "date_end": widgets.DATE_COLUMN,
                            "sentence": widgets.TEXT_COLUMN}, empty="No dated sentences in view.")

counts = data.run(queries.documents_per_period, filters, freq=freq)
widgets.chart(charts.documents_per_period, counts, freq=freq, title=f"Documents per {freq}", key="time_docs")
