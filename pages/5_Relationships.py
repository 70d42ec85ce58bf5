"""Relationships: who is named with whom (co-occurrence), and who talks about whom in quotes."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.present import charts, network_file
from analysis.workspace import queries
from ui import data, page, widgets

MAX_EDGES = 150  # more lines than this is a hairball, not a picture
WEIGHTS = {"count": "Times together", "pmi": "PMI (surprise)"}


def threshold_slider(edges: pd.DataFrame, weight: str) -> float:
    """Minimum edge weight, between the weakest and the strongest link drawn (a lower minimum
    would not change the picture: only the strongest links are drawn); counts step by one, PMI by a tenth.

    A minimum set for another network (another unit, focus or filter) is brought into this one's range.
    """
    low, high = float(edges[weight].min()), float(edges[weight].max())
    if low == high:
        return low
    low, high, step = (int(low), int(high), 1) if weight == "count" else (round(low, 1), round(high, 1), 0.1)
    key = f"rel_min_{weight}"
    st.session_state[key] = min(max(st.session_state.get(key, low), low), high)  # the value, so no default
    label = "Minimum times together" if weight == "count" else "Minimum PMI"
    return st.slider(label, low, high, step=step, key=key)


def evidence(shown: pd.DataFrame, filters: queries.Filters, unit: str) -> None:
    """The sentences (paragraphs, documents) behind one chosen link."""
    pairs = {f"{r.source}\x1f{r.target}": f"{r.source_name} — {r.target_name} ({r.count})"
             for r in shown.itertuples(index=False)}
    widgets.keep_valid("rel_edge", list(pairs), next(iter(pairs), None))
    chosen = st.selectbox("Show the evidence for", list(pairs), format_func=pairs.get, key="rel_edge")
    a, b = chosen.split("\x1f")
    found = data.run(queries.edge_evidence, a, b, filters, unit=unit)
    widgets.table(found[["evidence", "document", "date"]], "edge_evidence",
                 column_config={"evidence": widgets.TEXT_COLUMN, "date": widgets.DATE_COLUMN})


filters = page.page_header("Relationships", "Entities named together in the articles in view, and who talks "
                                              "about whom in their quotes. Pick a link to read the sentences behind it.")
page.require_documents()

unit_col, weight_col, focus_col = st.columns([5, 4, 5])
unit = unit_col.segmented_control("Together in the same", list(queries.UNITS), default="sentence", key="rel_unit") \
    or "sentence"
weight = weight_col.segmented_control("Line width by", list(WEIGHTS), format_func=WEIGHTS.get, default="count",
                                      key="rel_weight") or "count"
labels = data.entity_labels()
start = next((e for e in filters.entities if e in labels), None)  # the entity the analyst filtered on
widgets.keep_valid("rel_focus", list(labels), start)
if "rel_focus" not in st.session_state:
    st.session_state["rel_focus"] = start
focus = widgets.picker("Focus on", list(labels), "rel_focus", labels, noun="entities", ranked="most mentioned",
                      multi=False, container=focus_col, placeholder="All entities",
                      help="Show one entity's ego network: it, the entities named with it, and their links.")
network = data.run(queries.strongest_links, filters, unit=unit, by=weight, limit=MAX_EDGES, around=focus)
edges = network.strongest

if edges.empty:
    st.info(f"{labels.get(focus, focus)} is not named together with another entity in the documents in view."
            if focus else "No two entities are named together in the documents in view.")
else:
    minimum = threshold_slider(edges, weight)
    shown = edges[edges[weight] >= minimum]
    widgets.chart(charts.network, shown, data.run(queries.entity_table, filters), weight=weight,
                 title=f"Named in the same {unit}", key="rel_network")
    st.caption(f"Showing the {len(shown)} strongest of {network.total:,} links. Node size: mentions; colour: type; "
               f"line width: {WEIGHTS[weight].lower()}.")
    left, right = st.columns(2, gap="large")
    with left:
        links_table = shown[["source_name", "target_name", "count", "pmi"]].set_axis(
            ["entity", "with", "together", "pmi"], axis=1).reset_index(drop=True)
        widgets.table(links_table, "cooccurrence", height=360)
    with right:
        if not shown.empty:
            evidence(shown, filters, unit)
    for column, (fmt, label) in zip(st.columns(4)[:2], zip(network_file.FORMATS, ("GraphML", "GEXF"))):
        column.download_button(
            f"Network as {label}", lambda fmt=fmt: network_file.network_file(
                data.workspace(), filters, unit, fmt), file_name=f"network-{unit}.{fmt}", mime="application/xml",
            key=f"download_network_{fmt}", on_click="ignore", icon=":material/download:",
            help=f"Every link in view (not only the {MAX_EDGES} drawn), with entity names, types and mention "
                 "counts, and the times together as edge weights: opens in Gephi or networkx.")

st.subheader("Who talks about whom")
st.caption("An arrow from a speaker to each entity named in their quotes; point at a line for the reporting "
           "verbs, at a node for its name where the chart has no room to print it.")
positions = st.toggle("Include positions", value=False, key="rel_positions",
                      help="Off: statements only. On: also beliefs, intentions and stances (thinks, plans, backs).")
links = data.run(queries.speaker_graph, filters, positions=positions)
if focus:
    links = links[(links["speaker"] == focus) | (links["entity"] == focus)]
drawn = links.head(MAX_EDGES)  # the links with the most quotes: speaker_graph sorts them so
widgets.chart(charts.speaker_network, drawn, key="rel_speakers")
if len(drawn) < len(links):
    st.caption(f"Showing the {len(drawn)} links with the most quotes of {len(links):,}; the table lists them all.")
widgets.table(links[["speaker_name", "entity_name", "quotes", "cues"]].set_axis(
    ["speaker", "talks about", "quotes", "verbs"], axis=1).reset_index(drop=True), "speakers",
             empty="No quotes that name another entity in view.")
