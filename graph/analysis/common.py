"""Helpers shared by the analyses: parameter coercion, sampled betweenness, JSON shapes.

Parameters may arrive as text (query strings, command-line options), so the
coercers accept both text and native values and name the parameter when a
value does not fit.

>>> as_int("5", "k"), as_float("0.5", "min_confidence"), as_int(None, "k")
(5, 0.5, None)
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from detente.errors import UsageError
from detente.graph.projections import GraphData

#: Graphs with more nodes than this get sampled betweenness unless ``k`` says otherwise.
SAMPLE_ABOVE = 1000
#: Pivot count for sampled betweenness when the caller gives none.
DEFAULT_K = 256


def as_int(value: Any, name: str, *, minimum: int | None = None) -> int | None:
    """An optional integer parameter.

    >>> as_int("0", "k", minimum=1)
    Traceback (most recent call last):
    ...
    detente.errors.UsageError: k: must be at least 1, got 0
    """
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise UsageError(f"{name}: not an integer: {value!r}") from None
    if minimum is not None and number < minimum:
        raise UsageError(f"{name}: must be at least {minimum}, got {number}")
    return number


def as_float(value: Any, name: str) -> float | None:
    """An optional number parameter."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{name}: not a number: {value!r}") from None


def as_str(value: Any, name: str) -> str | None:
    """An optional text parameter (a one-item list, as query strings give, is unwrapped)."""
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise UsageError(f"{name}: expected one value, got {len(value)}")
        value = value[0]
    if value is None or value == "":
        return None
    return str(value)


def as_choice(value: Any, name: str, choices: tuple[str, ...], default: str) -> str:
    """A text parameter limited to ``choices``."""
    text = as_str(value, name) or default
    if text not in choices:
        raise UsageError(f"{name}: {text!r} is not one of {', '.join(choices)}")
    return text


def betweenness(graph: nx.Graph, *, k: int | None = None, seed: int = 0, normalized: bool = True
                ) -> tuple[dict[str, float], dict[str, object]]:
    """Betweenness centrality, sampled from ``k`` pivots on large graphs.

    Returns the scores and a note saying whether they were sampled, so
    results can say so. Exact when ``k`` is None and the graph has at most
    :data:`SAMPLE_ABOVE` nodes, or when ``k`` is at least the node count.

    >>> scores, note = betweenness(nx.path_graph(3))
    >>> scores["1"] if "1" in scores else scores[1], note
    (1.0, {'sampled': False, 'k': None, 'seed': None})
    """
    n = graph.number_of_nodes()
    if k is None and n > SAMPLE_ABOVE:
        k = DEFAULT_K
    if k is None or k >= n:
        return nx.betweenness_centrality(graph, normalized=normalized), {"sampled": False, "k": None, "seed": None}
    return (nx.betweenness_centrality(graph, k=k, seed=seed, normalized=normalized),
            {"sampled": True, "k": k, "seed": seed})


def node_json(graph: nx.Graph, node: str) -> dict[str, object]:
    """The identifying fields of a node: id, label, type."""
    attrs = graph.nodes[node]
    return {"id": node, "label": attrs.get("label", node), "type": attrs.get("type")}


def edge_json(graph: nx.Graph, a: str, b: str, attrs: dict[str, Any] | None = None) -> dict[str, object]:
    """An edge with its provenance (claims, sources, confidence, dates, relations)."""
    attrs = dict(graph.edges[a, b] if attrs is None else attrs)
    return {"source": a, "target": b, "source_label": graph.nodes[a].get("label"),
            "target_label": graph.nodes[b].get("label"), **attrs}


def node_in(graph: nx.Graph, data: GraphData, ref: str, name: str) -> str:
    """Resolve an actor reference and check it is a node of ``graph``."""
    iri = str(data.resolve(ref))
    if iri not in graph:
        raise UsageError(f"{name}: {ref!r} ({iri}) is not in the network with these filters")
    return iri


def result(metric: str, graph: nx.Graph | None, data: GraphData, **fields: object) -> dict[str, object]:
    """The common envelope of every analysis result."""
    out: dict[str, object] = {"metric": metric, "filters": data.filters.to_json()}
    if graph is not None:
        out["projection"] = graph.graph.get("projection")
        out["node_count"] = graph.number_of_nodes()
        out["edge_count"] = graph.number_of_edges()
    out.update(fields)
    return out
