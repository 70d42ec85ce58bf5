"""The co-occurrence network as a GraphML or GEXF file, for Gephi, Cytoscape or a graphics desk.

Nodes are entities (id: entity key; attributes label, type, mentions, documents), edges the pairs
named in the same unit (attributes weight: times together, pmi). networkx writes both formats,
and reads them back as the tests do.
"""
from __future__ import annotations

import io
from typing import TYPE_CHECKING

from analysis.workspace import queries
from analysis.workspace.queries import Filters
from analysis.workspace.store import Workspace

if TYPE_CHECKING:  # imported when a network is written: the CLI's other commands do without
    import networkx as nx
    import pandas as pd

FORMATS = ("graphml", "gexf")


def network_graph(edges: pd.DataFrame, nodes: pd.DataFrame) -> nx.Graph:
    """The graph of `cooccurrence` rows, with `entity_table` rows for the nodes' counts."""
    import networkx as nx

    counts = nodes.set_index("entity")
    graph = nx.Graph()
    for side in ("source", "target"):
        for entity, name, kind in edges[[side, f"{side}_name", f"{side}_type"]].drop_duplicates().itertuples(index=False):
            known = entity in counts.index
            graph.add_node(entity, label=name, type=kind,
                           mentions=int(counts.at[entity, "mentions"]) if known else 0,
                           documents=int(counts.at[entity, "documents"]) if known else 0)
    for row in edges.itertuples(index=False):
        graph.add_edge(row.source, row.target, weight=int(row.count), pmi=float(row.pmi))
    return graph


def network_bytes(graph: nx.Graph, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    import networkx as nx

    buffer = io.BytesIO()
    (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(graph, buffer)
    return buffer.getvalue()


def network_file(ws: Workspace, filters: Filters | None, unit: str, fmt: str) -> bytes:
    """The whole co-occurrence network in view (every pair, not only the strongest drawn) as a file."""
    edges = queries.cooccurrence(ws, filters, unit=unit)
    return network_bytes(network_graph(edges, queries.entity_table(ws, filters)), fmt)
