"""Plotly figures built from the DataFrames `analysis.workspace.queries` returns.

Plotly renders a subset of HTML inside labels, legends and hover boxes, and the names here
come from uploaded documents. So every label that reaches a figure goes through
`html.escape` (Plotly shows the escaped entities as the literal characters), and hover
boxes take their values from `customdata` through a fixed `hovertemplate`.

networkx is imported by the two network figures only, and pandas by the figures that compute
with it: the other pages, the Overview first of all, need not wait for them.
"""
from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from .highlight import type_colour

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

_MARGIN = dict(l=10, r=10, t=40, b=10)
_FONT = dict(family="system-ui, -apple-system, Segoe UI, sans-serif", size=13)


def esc(value: object) -> str:
    """A value as safe figure text (escaped; missing -> empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def _layout(fig: go.Figure, title: str, height: int = 420, **extra) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=15)), height=height, margin=_MARGIN,
                      font=_FONT, plot_bgcolor="white", hoverlabel=dict(align="left"), **extra)
    fig.update_xaxes(gridcolor="#eee", zeroline=False)
    fig.update_yaxes(gridcolor="#eee", zeroline=False)
    return fig


def empty_figure(message: str, height: int = 260) -> go.Figure:
    """A blank figure that says why there is nothing to show."""
    fig = go.Figure()
    fig.add_annotation(text=esc(message), showarrow=False, font=dict(size=14, color="#777"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, "", height=height)


def _bars_height(bars: int) -> int:
    """Room for each bar's label; a handful of bars stay slim instead of filling a tall box."""
    return max(180, 24 * bars + 110)


def entity_bars(entities: Sequence[Mapping], title: str = "Most mentioned entities") -> go.Figure:
    """Horizontal bars of mentions per entity, coloured by type, largest on top.

    Rows (`queries.top_entities`, or `entity_table` rows as records), not a table: the Overview
    draws this chart first thing, and a DataFrame would make it wait for pandas to be imported.
    """
    if not entities:
        return empty_figure("No entities in view")
    rows = list(entities)[::-1]
    fig = go.Figure()
    for label in dict.fromkeys(r["type"] for r in rows):  # types in order of their first bar, as groupby(sort=False)
        part = [r for r in rows if r["type"] == label]
        fig.add_bar(
            y=[esc(r["name"]) for r in part], x=[r["mentions"] for r in part], orientation="h", name=esc(label),
            marker_color=type_colour(str(label)),
            customdata=[[esc(r["name"]), esc(label), r["mentions"], r["documents"]] for r in part],
            hovertemplate="<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{customdata[2]} mentions in "
                          "%{customdata[3]} documents<extra></extra>",
        )
    fig.update_yaxes(categoryorder="array", categoryarray=[esc(r["name"]) for r in rows], gridcolor="rgba(0,0,0,0)")
    _count_axis(fig, max(r["mentions"] for r in rows), axis="x")
    return _layout(fig, title, height=_bars_height(len(rows)), barmode="stack", bargap=0.3, legend_title_text="Type",
                   xaxis_title="Mentions")


def speaker_bars(speakers: pd.DataFrame, title: str = "Quotes per speaker") -> go.Figure:
    """Horizontal bars of quotes per speaker (from `quotes_per_speaker`)."""
    if speakers.empty:
        return empty_figure("No attributed quotes in view")
    frame = speakers.iloc[::-1]
    names = [esc(n) for n in frame["speaker"]]
    fig = go.Figure(go.Bar(
        y=names, x=frame["quotes"], orientation="h", marker_color=type_colour("PERSON"),
        customdata=[[n] for n in names],
        hovertemplate="<b>%{customdata[0]}</b><br>%{x} quotes<extra></extra>",
    ))
    fig.update_yaxes(categoryorder="array", categoryarray=names, gridcolor="rgba(0,0,0,0)")
    _count_axis(fig, frame["quotes"].max(), axis="x")
    return _layout(fig, title, height=_bars_height(len(frame)), bargap=0.3, xaxis_title="Quotes")


_PERIODS = {"day": "D", "week": "W-MON", "month": "MS", "year": "YS"}  # as DuckDB's date_trunc starts them


def chain_bars(chains: pd.DataFrame, outlets: int = 10, title: str = "Who each outlet relays") -> go.Figure:
    """Stacked bars: per relaying outlet (top `outlets` by quotes), the quotes of each speaker it
    relays (from `reporting_chains`)."""
    if chains.empty:
        return empty_figure("No relayed quotes in view")
    totals = chains.groupby("reported_by")["quotes"].sum().sort_values(ascending=False).head(outlets)
    frame = chains[chains["reported_by"].isin(totals.index)]
    order = [esc(o) for o in totals.index[::-1]]
    fig = go.Figure([
        go.Bar(y=[esc(o) for o in rows["reported_by"]], x=rows["quotes"], orientation="h", name=esc(speaker),
               hovertemplate=f"<b>%{{y}}</b> relays <b>{esc(speaker)}</b><br>%{{x}} quotes<extra></extra>")
        for speaker, rows in frame.groupby("speaker", sort=False)
    ])
    fig.update_yaxes(categoryorder="array", categoryarray=order, gridcolor="rgba(0,0,0,0)")
    _count_axis(fig, totals.max(), axis="x")
    return _layout(fig, title, height=_bars_height(len(totals)), barmode="stack", bargap=0.3,
                   xaxis_title="Quotes", showlegend=len(frame["speaker"].unique()) <= 12)


def _zero_filled(series: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Every period between the first and the last for every entity, 0 where nothing was said.

    Without the zeros a line would join two busy months straight across a silent one.
    """
    import pandas as pd

    periods = pd.date_range(series["period"].min(), series["period"].max(), freq=_PERIODS[freq])
    grid = pd.MultiIndex.from_product([series["name"].unique(), periods], names=["name", "period"])
    totals = series.groupby(["name", "period"])["mentions"].sum()
    return totals.reindex(grid, fill_value=0).reset_index()


def _count_axis(fig: go.Figure, top: float, axis: str = "y") -> None:
    """Whole-number ticks on an axis of counts."""
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(rangemode="tozero", tickformat=",d", dtick=1 if top <= 8 else None)


_PERIOD_DAYS = {"day": 1, "week": 7, "month": 30.4, "year": 365.25}  # a period's (average) length
_TO_PERIOD = {"day": "D", "week": "W-SUN", "month": "M", "year": "Y"}  # pandas periods starting as _PERIODS do


def _period_axis(fig: go.Figure, freq: str, dates: pd.Series) -> None:
    """Date ticks that match the period ("Mar 2024" for months), with a period of margin either side.

    The margin keeps a single period from filling the whole width.
    """
    import pandas as pd

    first, last = dates.min(), dates.max()
    pad = pd.Timedelta(hours=round(_PERIOD_DAYS[freq] * 24))  # whole hours: Plotly drops nanoseconds noisily
    fig.update_xaxes(range=[first - pad, last + 2 * pad])
    if freq == "month":
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        fig.update_xaxes(dtick="M1" if months <= 18 else "M3" if months <= 48 else "M12", tickformat="%b %Y")
    elif freq == "year":  # a tick a year, unless that is hundreds of ticks (Plotly then takes seconds to place them)
        fig.update_xaxes(dtick="M12" if last.year - first.year <= 24 else None, tickformat="%Y")
    else:
        fig.update_xaxes(tickformat="%d %b\n%Y")


def mentions_timeline(series: pd.DataFrame, freq: str = "month", style: str = "line",
                      title: str = "Mentions over time") -> go.Figure:
    """One line (or stacked area) per entity from `mentions_over_time`, zero in quiet periods."""
    if series.empty:
        return empty_figure("No dated mentions in view")
    filled = _zero_filled(series, freq)
    order = filled.groupby("name")["mentions"].sum().sort_values(ascending=False).index
    fig = go.Figure()
    for name in order:
        part = filled[filled["name"] == name]
        label = esc(name)
        fig.add_scatter(
            x=part["period"], y=part["mentions"], name=label, mode="lines+markers",
            stackgroup="all" if style == "area" else None, line=dict(shape="linear", width=2),
            customdata=[[label]] * len(part),
            hovertemplate="<b>%{customdata[0]}</b><br>%{x|%Y-%m-%d}: %{y} mentions<extra></extra>",
        )
    top = filled.groupby("period")["mentions"].sum().max() if style == "area" else filled["mentions"].max()
    _count_axis(fig, top)
    _period_axis(fig, freq, filled["period"])
    return _layout(fig, title, yaxis_title="Mentions", legend_title_text="Entity", hovermode="closest")


def documents_per_period(counts: pd.DataFrame, freq: str = "month", title: str = "Documents per period") -> go.Figure:
    if counts.empty:
        return empty_figure("No dated documents in view")
    fig = go.Figure(_period_bars(counts["period"], counts["documents"], freq, "documents", colour="#4c78a8"))
    _count_axis(fig, counts["documents"].max())
    _period_axis(fig, freq, counts["period"])
    return _layout(fig, title, height=300, yaxis_title="Documents")


def _period_bars(periods: pd.Series, counts: pd.Series, freq: str, noun: str, colour: str | None = None,
                 name: str | None = None) -> go.Bar:
    """Bars of `counts`, each across its own period (not a sliver at its first day)."""
    import pandas as pd

    days = _PERIOD_DAYS[freq]
    return go.Bar(x=periods + pd.Timedelta(hours=round(days * 12)), y=counts, width=0.85 * days * 86_400_000,
                  marker_color=colour, name=name, customdata=periods.dt.strftime("%Y-%m-%d"),
                  hovertemplate=f"{freq} of %{{customdata}}: %{{y}} {noun}<extra></extra>")


EVENT_POINTS = 1500  # more dated sentences than this are drawn as counts per period (see `events_chart`)
_MAX_PERIODS = 600  # bars of an events chart before it counts by a longer period


def events_counted(events: pd.DataFrame) -> bool:
    """Whether `events_chart` counts `events` per period instead of drawing each one."""
    return len(events) > EVENT_POINTS


def events_chart(events: pd.DataFrame, freq: str = "month") -> go.Figure:
    """The dated sentences as points (`events_scatter`), or as counts per period when there are
    more than EVENT_POINTS (`event_counts_chart`).

    On a big workspace (20,000 articles: 44,000 dated sentences) one point per sentence made a
    14 MB figure that took seconds to build and to draw, and a smear nobody can hover; the counts
    show where the events fall, and filtering by entity or date brings the single sentences back.
    """
    if not events_counted(events):
        return events_scatter(events)
    return event_counts_chart(events.groupby(["date_start", "granularity"]).size().rename("events").reset_index(),
                              freq)


def event_counts_chart(days: pd.DataFrame, freq: str = "month") -> go.Figure:
    """Dated sentences counted per period, a bar per precision, from their counts per start day and
    precision (`date_start`, `granularity`, `events`: `queries.event_days`), so that a page need
    not fetch hundreds of thousands of sentences to draw where they fall."""
    import pandas as pd

    dates = pd.to_datetime(days["date_start"])
    while freq != "year" and (dates.max() - dates.min()).days / _PERIOD_DAYS[freq] > _MAX_PERIODS:
        freq = next(f for f in _PERIOD_DAYS if _PERIOD_DAYS[f] > _PERIOD_DAYS[freq])  # a coarser period
    periods = dates.dt.to_period(_TO_PERIOD[freq]).dt.start_time
    counts = days.assign(period=periods).groupby(["period", "granularity"])["events"].sum().reset_index()
    fig = go.Figure([_period_bars(part["period"], part["events"], freq, f"events dated to the {granularity}",
                                  name=esc(granularity))
                     for granularity, part in counts.groupby("granularity", sort=False)])
    _count_axis(fig, counts.groupby("period")["events"].sum().max())
    _period_axis(fig, freq, counts["period"])
    title = (f"Events per {freq}: {int(days['events'].sum()):,} dated sentences, too many to show one by one "
             "(filter by entity or date to see each)")
    return _layout(fig, title, height=320, barmode="stack", legend_title_text="Precision", yaxis_title="Events")


def events_scatter(events: pd.DataFrame, title: str = "Events: dated sentences") -> go.Figure:
    """One point per dated sentence, a row per document; the hover shows the sentence."""
    if events.empty:
        return empty_figure("No dated sentences in view")
    frame = events.assign(row=[esc(_short(t, 48)) for t in events["document"]])
    fig = go.Figure()
    for granularity, part in frame.groupby("granularity", sort=False):
        fig.add_scatter(
            x=part["date_start"], y=part["row"], mode="markers", name=esc(granularity),
            marker=dict(size=11, opacity=0.8, line=dict(width=1, color="white")),
            customdata=[[_wrap(s), esc(d), esc(t), esc(e)] for s, d, t, e in
                        zip(part["sentence"], part["document"], part["date_text"], part["entities"])],
            hovertemplate="<b>%{customdata[2]}</b> (%{x|%Y-%m-%d})<br>%{customdata[0]}<br>"
                          "<i>%{customdata[1]}</i><br>%{customdata[3]}<extra></extra>",
        )
    rows = frame["row"].nunique()
    return _layout(fig, title, height=min(900, max(280, 34 * rows + 120)), legend_title_text="Precision",
                   xaxis_title="Date")


def _short(text: object, limit: int) -> str:
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wrap(text: object, width: int = 80) -> str:
    """A long sentence as escaped lines joined by <br>, so the hover box stays narrow."""
    lines, line = [], ""
    for word in str(text).split():
        if line and len(line) + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(esc(part) for part in lines)


# A cluster of `BIG_COMPONENT` nodes or more gets a box `BIG_SIDE` / 1.5 times wider than a chain or
# pair of the same size would: its hubs and their neighbours need the room to be told apart.
BIG_COMPONENT = 10
BIG_SIDE = 2.5


def _positions(graph: nx.Graph, seed: int = 7, gap: float = 0.5) -> dict:
    """Node positions: a seeded spring layout per connected component, components packed in rows.

    One spring layout of the whole graph flings small islands to the rim and crushes the main
    cluster into the middle; laying out each component in a box sized by its node count keeps
    every part readable. Links pull alike, whatever their count (the line width shows it): pulled
    by count, a hub's neighbours piled up on it. Seeded and in sorted order (`_in_order`), so
    the same data always draws the same picture.
    """
    import networkx as nx

    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), sorted(c)))
    sides = [max(1.0, math.sqrt(len(c)) * (BIG_SIDE if len(c) >= BIG_COMPONENT else 1.5)) for c in components]
    width = max(max(sides, default=1.0), math.sqrt(sum(side * side for side in sides)) * 1.3)
    pos: dict = {}
    x = y = shelf = 0.0
    for nodes, side in zip(components, sides):
        if x > 0 and x + side > width:  # next shelf
            x, y, shelf = 0.0, y + shelf + gap, 0.0
        sub = _in_order(graph.subgraph(nodes))
        local = (nx.spring_layout(sub, k=3 / math.sqrt(len(nodes)), seed=seed, weight=None,
                                  iterations=100, scale=side / 2) if len(nodes) > 1 else {next(iter(nodes)): (0, 0)})
        for node, (nx_, ny_) in local.items():
            pos[node] = (x + side / 2 + nx_, -(y + side / 2 + ny_))
        x, shelf = x + side + gap, max(shelf, side)
    return pos


def _in_order(graph: nx.Graph) -> nx.Graph:
    """A copy of `graph` with its nodes and edges in sorted order: a spring layout depends on the
    order they were added in, which follows the query's row order (free among equal counts)."""
    import networkx as nx

    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes))
    ordered.add_edges_from(sorted(((*sorted((u, v)), data) for u, v, data in graph.edges(data=True)),
                                  key=lambda edge: edge[:2]))
    return ordered


def _scale(values: pd.Series, low: float, high: float) -> pd.Series:
    import pandas as pd

    values = values.astype(float)
    span = values.max() - values.min()
    if not span or math.isnan(span):
        return pd.Series((low + high) / 2, index=values.index)
    return low + (values - values.min()) / span * (high - low)


# The plot area a network figure is assumed to get, in pixels (a laptop's main column, less the
# legend, the margins and Plotly's padding), and its labels' font size: labels are kept apart for
# that size, so on a wider screen they have room to spare.
NETWORK_PLOT_WIDTH = 700
NETWORK_LABEL_PX = 11
NODE_LABEL_CHARS = 28  # a longer name is cut short, whole on hover


def readable_labels(names: Sequence[str], xy: Sequence[tuple[float, float]], radii: Sequence[float],
                    priority: Sequence[float], plot_height: int, plot_width: int = NETWORK_PLOT_WIDTH) -> list[bool]:
    """Which node labels to print: the highest `priority` first, each only where its box (above
    its marker of radius `radii[i]` pixels) overlaps no label printed before. The others show on hover.

    Printing every label turned a cluster of fifty entities into an unreadable blot of
    overlapping names; the chart's job is to show its hubs and the shape around them. (Labels
    may cover a smaller node's marker: kept clear of markers too, the hubs of a dense cluster
    went unnamed.) Positions are scaled to a `plot_width` x `plot_height` pixel area as Plotly
    does with its axes.
    """
    if not names:
        return []
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    per_x = plot_width / ((max(xs) - min(xs)) or 1.0)
    per_y = plot_height / ((max(ys) - min(ys)) or 1.0)
    placed: list[tuple[float, float, float, float]] = []
    shown = [False] * len(names)
    for i in sorted(range(len(names)), key=lambda i: -priority[i]):
        width, height = _label_width(len(names[i])), NETWORK_LABEL_PX * 1.3
        cx, bottom = xs[i] * per_x, ys[i] * per_y + radii[i]
        box = (cx - width / 2, bottom, cx + width / 2, bottom + height)
        if not any(_overlap(box, other) for other in placed):
            placed.append(box)
            shown[i] = True
    return shown


def _label_width(chars: int) -> float:
    """A node label's width in pixels, at an average character width of the label font."""
    return chars * NETWORK_LABEL_PX * 0.62


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two boxes (left, bottom, right, top) overlap."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _node_traces(nodes: pd.DataFrame, pos: dict, plot_height: int) -> list[go.Scatter]:
    """Markers per type (one legend entry each), sized by mentions, labelled with the name where
    the label has room (`readable_labels`, the most mentioned first)."""
    sizes = _scale(nodes["mentions"] ** 0.5, 12, 44)
    short = [_short(n, NODE_LABEL_CHARS) for n in nodes["name"]]
    shown = readable_labels(short, [pos[e] for e in nodes["entity"]], list(sizes / 2), list(nodes["mentions"]),
                            plot_height)
    labels = [esc(name) if show else "" for name, show in zip(short, shown)]
    traces = []
    for label, part in nodes.groupby("type", sort=True):
        traces.append(go.Scatter(
            x=[pos[e][0] for e in part["entity"]], y=[pos[e][1] for e in part["entity"]],
            mode="markers+text", name=esc(label), text=[labels[i] for i in part.index],
            textposition="top center", textfont=dict(size=11),
            marker=dict(size=sizes[part.index], color=type_colour(str(label)), line=dict(width=1, color="white")),
            customdata=[[esc(n), esc(label), m] for n, m in zip(part["name"], part["mentions"])],
            hovertemplate="<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{customdata[2]} mentions<extra></extra>",
        ))
    return traces


NETWORK_HEIGHT = 620
SPEAKER_NETWORK_HEIGHT = 560
ARROWHEAD_AT = 0.75  # how far along a speaker's line to its subject the arrowhead sits (clear of the node)


def _edge_lines(ends: list[tuple[float, float, float, float]], widths: pd.Series, colour: str,
                arrows: bool = False) -> list[go.Scatter]:
    """Straight lines (x0, y0) -> (x1, y1), a trace per width rounded to half a pixel.

    A trace (or an arrow annotation) per edge made Plotly take over a second to draw 150 edges
    in the browser; a few traces, each a path broken by gaps, draw at once. With `arrows`, an
    arrowhead three quarters along each line points at its end (oriented on the screen, not in
    data units, by `angleref="previous"`).
    """
    paths: dict[float, tuple[list, list, list]] = {}
    for (x0, y0, x1, y1), width in zip(ends, widths):
        xs, ys, sizes = paths.setdefault(round(float(width) * 2) / 2, ([], [], []))
        if arrows:
            head = (x0 + (x1 - x0) * ARROWHEAD_AT, y0 + (y1 - y0) * ARROWHEAD_AT)
            xs += [x0, head[0], x1, None]
            ys += [y0, head[1], y1, None]
            sizes += [0, 12 + 2 * width, 0, 0]
        else:
            xs += [x0, x1, None]
            ys += [y0, y1, None]
    return [go.Scatter(x=xs, y=ys, mode="lines+markers" if arrows else "lines", line=dict(width=width, color=colour),
                       marker=dict(symbol="arrow", angleref="previous", size=sizes, color=colour) if arrows else None,
                       hoverinfo="skip", showlegend=False)
            for width, (xs, ys, sizes) in sorted(paths.items())]


def _hidden_axes(fig: go.Figure, pos: dict) -> None:
    """No axes; the x range padded so that a label centred on a node at the edge is not cut off
    (Plotly's own range makes room for markers, not for their text)."""
    xs = [x for x, _ in pos.values()]
    pad = _label_width(NODE_LABEL_CHARS) / 2 / NETWORK_PLOT_WIDTH * ((max(xs) - min(xs)) or 1.0)
    fig.update_xaxes(visible=False, range=[min(xs) - pad, max(xs) + pad])
    fig.update_yaxes(visible=False)


def network(edges: pd.DataFrame, nodes: pd.DataFrame, weight: str = "count",
            title: str = "Co-occurrence network") -> go.Figure:
    """Entities linked when named together (from `cooccurrence`); edge width by `weight`.

    `nodes` has entity, name, type, mentions (from `entity_table`); the width shows `weight`.
    """
    if edges.empty:
        return empty_figure("No pairs of entities at this threshold")
    import networkx as nx

    graph = nx.Graph()
    for row in edges.itertuples(index=False):
        graph.add_edge(row.source, row.target)
    pos = _positions(graph)
    ends = [(*pos[row.source], *pos[row.target]) for row in edges.itertuples(index=False)]
    fig = go.Figure(_edge_lines(ends, _scale(edges[weight], 1, 9), "rgba(120,120,120,.45)"))
    mid_x, mid_y, hover = [], [], []
    for row, (x0, y0, x1, y1) in zip(edges.itertuples(index=False), ends):
        mid_x.append((x0 + x1) / 2)
        mid_y.append((y0 + y1) / 2)
        hover.append([esc(row.source_name), esc(row.target_name), row.count, row.pmi])
    fig.add_scatter(x=mid_x, y=mid_y, mode="markers", marker=dict(size=8, opacity=0), showlegend=False,
                    customdata=hover, hovertemplate="<b>%{customdata[0]}</b> — <b>%{customdata[1]}</b><br>"
                    "together %{customdata[2]} times · PMI %{customdata[3]}<extra></extra>")
    in_graph = nodes[nodes["entity"].isin(list(graph.nodes))].reset_index(drop=True)
    for trace in _node_traces(in_graph, pos, NETWORK_HEIGHT - _MARGIN["t"] - _MARGIN["b"]):
        fig.add_trace(trace)
    _hidden_axes(fig, pos)
    return _layout(fig, title, height=NETWORK_HEIGHT, legend_title_text="Type", hovermode="closest")


def speaker_network(links: pd.DataFrame, title: str = "Who talks about whom") -> go.Figure:
    """Speaker -> entity mentioned in their quotes (from `speaker_graph`), edges labelled by verb."""
    import pandas as pd

    if links.empty:
        return empty_figure("No quotes that mention other entities in view")
    import networkx as nx

    graph = nx.DiGraph()
    for row in links.itertuples(index=False):
        graph.add_edge(row.speaker, row.entity)
    pos = _positions(graph.to_undirected())
    ends = [(*pos[row.speaker], *pos[row.entity]) for row in links.itertuples(index=False)]
    fig = go.Figure(_edge_lines(ends, _scale(links["quotes"], 1, 2.5), "rgba(90,90,90,.5)", arrows=True))
    # the verbs show on hover over a link (and in the table): printed on every line, a column of
    # "said" covered the names
    mid_x, mid_y, hover = [], [], []
    for row, (x0, y0, x1, y1) in zip(links.itertuples(index=False), ends):
        mid_x.append(x0 + (x1 - x0) * 0.45)
        mid_y.append(y0 + (y1 - y0) * 0.45)
        hover.append([esc(row.speaker_name), esc(row.entity_name), row.quotes, esc(row.cues)])
    fig.add_scatter(x=mid_x, y=mid_y, mode="markers", marker=dict(size=8, opacity=0), showlegend=False, customdata=hover,
                    hovertemplate="<b>%{customdata[0]}</b> → <b>%{customdata[1]}</b><br>%{customdata[2]} quotes"
                                  "<br>verbs: %{customdata[3]}<extra></extra>")
    speakers = links.groupby(["speaker", "speaker_name", "speaker_type"], as_index=False)["quotes"].sum()
    targets = links.groupby(["entity", "entity_name", "entity_type"], as_index=False)["quotes"].sum()
    nodes = pd.concat([
        speakers.set_axis(["entity", "name", "type", "mentions"], axis=1),
        targets.set_axis(["entity", "name", "type", "mentions"], axis=1),
    ]).groupby(["entity", "name", "type"], as_index=False)["mentions"].sum()
    for trace in _node_traces(nodes, pos, SPEAKER_NETWORK_HEIGHT - _MARGIN["t"] - _MARGIN["b"]):
        trace.hovertemplate = "<b>%{customdata[0]}</b> · %{customdata[1]}<br>in %{customdata[2]} quote links<extra></extra>"
        fig.add_trace(trace)
    _hidden_axes(fig, pos)
    return _layout(fig, title, height=SPEAKER_NETWORK_HEIGHT, legend_title_text="Type", hovermode="closest")
