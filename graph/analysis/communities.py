"""Communities of actors: Louvain or greedy modularity, reproducible with a seed.

>>> from detente.graph import open_store
>>> communities(open_store("memory:")).communities
[]
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from detente.errors import ParameterError
from detente.graph.analysis.common import JsonRecord, MetricResult, NetworkSize, NodeRef
from detente.graph.params import param
from detente.graph.projections import Filters, build_actor_graph, load_graph_data
from detente.graph.store import Store

METHODS = ("louvain", "greedy")


@dataclass(frozen=True)
class CommunitiesParams:
    """The parameters of :func:`communities`."""

    method: str = param("louvain", "The algorithm: Louvain, or greedy modularity (Clauset–Newman–Moore).",
                        choices=METHODS)
    seed: int = param(0, "Random seed (betweenness sampling, Louvain).")
    resolution: float = param(1.0, "Above 1 favours smaller communities, below 1 larger ones.", minimum=0)


@dataclass(frozen=True)
class Community(JsonRecord):
    """One community: its members, most connected first, and the claims inside it."""

    community: int
    size: int
    internal_claims: int
    members: list[NodeRef]


@dataclass(kw_only=True)
class CommunitiesResult(MetricResult):
    """The partition, largest community first, with its modularity (None without edges)."""

    metric = "communities"
    method: str
    seed: int
    resolution: float
    modularity: float | None
    communities: list[Community]


def detect(graph: nx.Graph[str], *, method: str = "louvain", seed: int = 0, resolution: float = 1.0) -> list[set[str]]:
    """Partition the nodes, largest community first (ties by smallest member).

    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y")])
    >>> [sorted(c) for c in detect(g)]
    [['a', 'b', 'c'], ['x', 'y']]
    """
    if graph.number_of_nodes() == 0:
        return []
    found: list[set[str]] | list[frozenset[str]]
    if method == "louvain":
        found = nx.community.louvain_communities(graph, weight="weight", seed=seed, resolution=resolution)
    elif method == "greedy":
        found = nx.community.greedy_modularity_communities(graph, weight="weight", resolution=resolution)
    else:
        raise ParameterError("method", f"{method!r} is not one of {', '.join(METHODS)}")
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(c)))


def communities(store: Store, filters: Filters | None = None, params: CommunitiesParams = CommunitiesParams()
                ) -> CommunitiesResult:
    """Communities of the actor–actor network, with modularity and each community's members."""
    data = load_graph_data(store, filters)
    graph = build_actor_graph(data)
    parts = detect(graph, method=params.method, seed=params.seed, resolution=params.resolution)
    modularity = (nx.community.modularity(graph, parts, weight="weight", resolution=params.resolution)
                  if graph.number_of_edges() else None)
    rows = []
    for index, members in enumerate(parts):
        inner = graph.subgraph(members)
        ranked = sorted(members, key=lambda n: (-graph.degree(n, weight="weight"), graph.nodes[n].get("label", n)))
        rows.append(Community(index, len(members), int(inner.size(weight="weight")),
                              [NodeRef(n, graph.nodes[n].get("label"), graph.nodes[n].get("type")) for n in ranked]))
    return CommunitiesResult(filters=data.filters, network=NetworkSize.of(graph), method=params.method,
                             seed=params.seed, resolution=params.resolution,
                             modularity=None if modularity is None else round(modularity, 6), communities=rows)
