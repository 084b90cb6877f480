"""Network file formats: GraphML, GEXF, Cytoscape.js JSON, D3 node-link JSON, Graphviz DOT, CSV.

Each writer takes a projection (a NetworkX graph from
:mod:`detente.graph.projections`) and returns bytes. Edges keep their
provenance: ``claim_count``, ``source_count``, ``confidence_mean``/``_max``,
``first_seen``/``last_seen``, ``relations``, ``publishers`` and the claim IRIs
(``claims``). Formats without list values (GraphML, GEXF, DOT, CSV) write lists
as text: IRIs separated by spaces, labels by ``"; "``.

>>> g = nx.Graph(projection="actors")
>>> g.add_node("https://ex/a", label="A")
>>> g.add_node("https://ex/b", label="B")
>>> g.add_edge("https://ex/a", "https://ex/b", weight=2, claims=["https://ex/c1", "https://ex/c2"])
>>> print(to_dot(g).decode().splitlines()[3])
  "https://ex/a" [label="A"];
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx

#: List-valued attributes holding IRIs (joined by spaces); other lists are joined by "; ".
IRI_LISTS = frozenset({"claims", "events"})

#: The columns of the edges CSV, in order (``key`` and ``predicate`` only for the full graph).
EDGE_COLUMNS = ("source", "source_label", "source_type", "target", "target_label", "target_type", "key", "predicate",
                "relations", "weight", "claim_count", "source_count", "confidence_mean", "confidence_max",
                "first_seen", "last_seen", "publishers", "events", "claims")
NODE_COLUMNS = ("id", "label", "type", "kind", "bipartite", "date", "end_date", "claim_count", "source_count",
                "first_seen", "last_seen", "wikidata", "sameAs")


def flat_value(name: str, value: Any) -> Any:
    """A value fit for formats without lists or nulls (None stays None: callers drop it).

    >>> flat_value("claims", ["https://ex/1", "https://ex/2"]), flat_value("relations", ["talks", "mediation"])
    ('https://ex/1 https://ex/2', 'talks; mediation')
    """
    if isinstance(value, (list, tuple, set)):
        return (" " if name in IRI_LISTS else "; ").join(str(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True)
    return value


def flat_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes with lists joined and None values dropped."""
    return {k: flat_value(k, v) for k, v in attrs.items() if v is not None and not k.startswith("_")}


def flat_graph(graph: nx.Graph[Any]) -> nx.Graph[Any]:
    """A copy of ``graph`` whose attributes are all scalars (for GraphML and GEXF)."""
    flat = graph.__class__()
    flat.graph.update(flat_attrs(graph.graph))
    flat.add_nodes_from((n, flat_attrs(a)) for n, a in graph.nodes(data=True))
    if isinstance(flat, nx.MultiGraph):  # of graph's own class: a multigraph when graph is one
        # types-networkx leaves out the documented (u, v, key, data) form of a multigraph's edges.
        flat.add_edges_from((a, b, k, flat_attrs(d)) for a, b, k, d in _keyed_edges(graph))  # type: ignore[misc]
    else:
        flat.add_edges_from((a, b, flat_attrs(d)) for a, b, d in graph.edges(data=True))
    return flat


def to_graphml(graph: nx.Graph[Any]) -> bytes:
    """GraphML (opens in Gephi, Cytoscape desktop, yEd, igraph)."""
    out = io.BytesIO()
    nx.write_graphml(flat_graph(graph), out, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return out.getvalue()


def to_gexf(graph: nx.Graph[Any]) -> bytes:
    """GEXF 1.2 for Gephi, dynamic: nodes and edges carry ``start``/``end`` spells from their first/last dates.

    Gephi's timeline then shows each tie from the first to the last date its
    claims speak of.
    """
    flat = flat_graph(graph)
    for _n, attrs in flat.nodes(data=True):
        _spell(attrs)
    for *_ends, attrs in flat.edges(data=True):
        _spell(attrs)
    flat.graph["mode"] = "dynamic"
    out = io.BytesIO()
    nx.write_gexf(flat, out, encoding="utf-8", prettyprint=True, version="1.2draft")
    return out.getvalue()


def _spell(attrs: dict[str, Any]) -> None:
    first = attrs.get("first_seen") or attrs.get("date")
    last = attrs.get("last_seen") or attrs.get("end_date") or first
    if first:
        attrs["start"] = first
        attrs["end"] = last


def cytoscape_data(graph: nx.Graph[Any]) -> dict[str, object]:
    """Cytoscape.js elements JSON: ``{"data": {...}, "elements": {"nodes": [...], "edges": [...]}}``.

    Every element has ``data.id``; edges have ``data.source``/``data.target``;
    node data carries ``label``, ``type``, ``kind``; edge data the provenance.
    """
    nodes = [{"data": {"id": n, **_json_attrs(a)}} for n, a in graph.nodes(data=True)]
    edges = []
    for index, (a, b, key, attrs) in enumerate(_keyed_edges(graph)):
        data = {"id": f"e{index}", "source": a, "target": b, **_json_attrs(attrs)}
        if key is not None:
            data["key"] = key
        edges.append({"data": data})
    return {"format_version": "1.0", "generated_by": "detente", "target_cytoscapejs_version": "~3",
            "data": {**_json_attrs(graph.graph), "directed": graph.is_directed(), "multigraph": graph.is_multigraph()},
            "elements": {"nodes": nodes, "edges": edges}}


def _json_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (sorted(v) if isinstance(v, set) else v) for k, v in attrs.items() if not k.startswith("_")}


def to_cytoscape(graph: nx.Graph[Any]) -> bytes:
    """Cytoscape.js JSON (see :func:`cytoscape_data`)."""
    return json.dumps(cytoscape_data(graph), ensure_ascii=False, indent=1).encode("utf-8")


def to_nodelink(graph: nx.Graph[Any]) -> bytes:
    """D3 node-link JSON (``nodes``, ``links``), readable with ``networkx.node_link_graph(data, edges="links")``."""
    data = nx.node_link_data(graph, edges="links")
    return json.dumps(data, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def _dot_id(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{text}"'


def _dot_attrs(attrs: Mapping[str, Any]) -> str:
    parts = [f"{k}={_dot_id(v)}" for k, v in flat_attrs(attrs).items()]
    return f" [{', '.join(parts)}]" if parts else ""


def to_dot(graph: nx.Graph[Any]) -> bytes:
    """Graphviz DOT. Edge pen width grows with the claim count; edge labels show claims/sources."""
    directed = graph.is_directed()
    lines = [f"{'digraph' if directed else 'graph'} {_dot_id(graph.graph.get('name', 'detente'))} {{",
             f"  graph{_dot_attrs({k: v for k, v in graph.graph.items() if k != 'name'})};",
             '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica"];']
    for node, attrs in graph.nodes(data=True):
        lines.append(f"  {_dot_id(node)}{_dot_attrs(attrs)};")
    arrow = "->" if directed else "--"
    for a, b, key, attrs in _keyed_edges(graph):
        shown = dict(attrs)
        weight = shown.get("weight", 1) or 1
        shown.setdefault("penwidth", round(1 + math.log(weight), 2))
        if key is not None:
            shown["key"] = key
        label = f"{key} " if key is not None else ""
        shown["label"] = f"{label}{shown.get('claim_count', '')}c/{shown.get('source_count', '')}s"
        lines.append(f"  {_dot_id(a)} {arrow} {_dot_id(b)}{_dot_attrs(shown)};")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _keyed_edges(graph: nx.Graph[Any]) -> Iterator[tuple[Any, Any, Any, dict[str, Any]]]:
    """(a, b, key, attributes) of every edge; the key is None in a graph that is not a multigraph."""
    if isinstance(graph, nx.MultiGraph):  # is_multigraph(), said so that type checkers see edge keys
        yield from graph.edges(keys=True, data=True)
    else:
        yield from ((a, b, None, d) for a, b, d in graph.edges(data=True))


def to_edges_csv(graph: nx.Graph[Any]) -> bytes:
    """One CSV table of edges, with both ends' labels and types (columns: :data:`EDGE_COLUMNS`).

    Actors without ties do not appear; use the ``csv-nodes`` format for the node table.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EDGE_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for a, b, key, attrs in _keyed_edges(graph):
        row = {**flat_attrs(attrs), "source": a, "target": b, "key": key or "",
               "source_label": graph.nodes[a].get("label", ""), "source_type": graph.nodes[a].get("type", ""),
               "target_label": graph.nodes[b].get("label", ""), "target_type": graph.nodes[b].get("type", "")}
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def to_nodes_csv(graph: nx.Graph[Any]) -> bytes:
    """One CSV table of nodes (columns: :data:`NODE_COLUMNS`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=NODE_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for node, attrs in graph.nodes(data=True):
        writer.writerow({**flat_attrs(attrs), "id": node})
    return out.getvalue().encode("utf-8")
