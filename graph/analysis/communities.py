"""Communities of actors: Louvain or greedy modularity, reproducible with a seed.

>>> from detente.graph.store import open_store
>>> communities(open_store("memory:"))["communities"]
[]
"""

from __future__ import annotations

import networkx as nx

from detente.errors import UsageError
from detente.graph.analysis.common import as_choice, as_int, result
from detente.graph.projections import Filters, build_actor_graph, load_graph_data
from detente.graph.store import Store

METHODS = ("louvain", "greedy")


def detect(graph: nx.Graph, *, method: str = "louvain", seed: int = 0, resolution: float = 1.0) -> list[set[str]]:
    """Partition the nodes, largest community first (ties by smallest member).

    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y")])
    >>> [sorted(c) for c in detect(g)]
    [['a', 'b', 'c'], ['x', 'y']]
    """
    if graph.number_of_nodes() == 0:
        return []
    if method == "louvain":
        found = nx.community.louvain_communities(graph, weight="weight", seed=seed, resolution=resolution)
    elif method == "greedy":
        found = nx.community.greedy_modularity_communities(graph, weight="weight", resolution=resolution)
    else:
        raise UsageError(f"method: {method!r} is not one of {', '.join(METHODS)}")
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(c)))


def communities(store: Store, filters: Filters | None = None, *, method: str | None = None,
                seed: int | str = 0, resolution: float | str = 1.0) -> dict[str, object]:
    """Communities of the actor–actor network, with modularity and each community's members.

    Parameters
    ----------
    method:
        ``louvain`` (default) or ``greedy`` (Clauset–Newman–Moore).
    seed:
        Random seed for Louvain (same seed, same answer).
    resolution:
        Above 1 favours smaller communities.
    """
    chosen = as_choice(method, "method", METHODS, "louvain")
    seed_value = as_int(seed, "seed") or 0
    try:
        res = float(resolution)
    except (TypeError, ValueError):
        raise UsageError(f"resolution: not a number: {resolution!r}") from None
    data = load_graph_data(store, filters)
    graph = build_actor_graph(data)
    parts = detect(graph, method=chosen, seed=seed_value, resolution=res)
    modularity = nx.community.modularity(graph, parts, weight="weight", resolution=res) if graph.number_of_edges() else None
    rows = []
    for index, members in enumerate(parts):
        inner = graph.subgraph(members)
        ranked = sorted(members, key=lambda n: (-graph.degree(n, weight="weight"), graph.nodes[n].get("label", n)))
        rows.append({
            "community": index,
            "size": len(members),
            "internal_claims": int(inner.size(weight="weight")),
            "members": [{"id": n, "label": graph.nodes[n].get("label"), "type": graph.nodes[n].get("type")}
                        for n in ranked],
        })
    return result("communities", graph, data, method=chosen, seed=seed_value, resolution=res,
                  modularity=None if modularity is None else round(modularity, 6), communities=rows)
