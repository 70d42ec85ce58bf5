"""Timeline: how often entities are mentioned over time, dated events, and coverage per period."""
from __future__ import annotations

import streamlit as st

from analysis.present import charts
from analysis.workspace import queries
from ui import data, page, widgets

ROWS = 1_000  # dated sentences listed when there are too many to draw one by one
EVENT_COLUMNS = ["date_start", "date_end", "date_text", "sentence", "document", "entities"]

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
# counted per day first: a chart of too many sentences counts them, and the table lists the
# first ROWS (fetching the ~460,000 of a 200,000-article workspace took seconds)
days = data.run(queries.event_days, filters, entities=filters.entities)
total = int(days["events"].sum())
counted = total > charts.EVENT_POINTS
events = data.run(queries.events_table, filters, entities=filters.entities, limit=ROWS if counted else None)
st.caption("Sentences that carry a date, placed at that date" +
           (" — only those naming the filtered entities." if filters.entities else ".") +
           (f" Too many to draw one by one, so the chart counts them; the table lists the first {len(events):,} "
            f"of {total:,} by date, its CSV download all of them." if counted else " Hover a point to read the sentence."))
if counted:
    widgets.chart(charts.event_counts_chart, days, freq=freq, key="time_events")
else:
    widgets.chart(charts.events_chart, events, freq=freq, key="time_events")
widgets.table(events[EVENT_COLUMNS], "events",
             column_config={"date_start": widgets.DATE_COLUMN, "date_end": widgets.DATE_COLUMN,
                            "sentence": widgets.TEXT_COLUMN}, empty="No dated sentences in view.",
             whole=(lambda: queries.events_table(data.workspace(), filters, entities=filters.entities)[EVENT_COLUMNS])
             if counted else None)

counts = data.run(queries.documents_per_period, filters, freq=freq)
widgets.chart(charts.documents_per_period, counts, freq=freq, title=f"Documents per {freq}", key="time_docs")
