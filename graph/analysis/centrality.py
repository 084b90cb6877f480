"""Centrality of actors: degree, weighted degree, betweenness, PageRank, eigenvector.

Weights are the number of distinct claims behind each edge, so an actor tied
to others by many independent reports ranks above one tied by a single claim.
Betweenness is sampled on large graphs, and the result says so.

>>> from detente.graph import open_store
>>> centrality(open_store("memory:")).nodes
[]
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from detente.graph.analysis.common import JsonRecord, MetricResult, NetworkSize, betweenness
from detente.graph.params import param
from detente.graph.projections import Filters, build, load_graph_data
from detente.graph.store import Store
from detente.graph.summary_network import summary_actor_graph

MEASURES = ("pagerank", "degree", "weighted_degree", "betweenness", "eigenvector")


@dataclass(frozen=True)
class CentralityParams:
    """The parameters of :func:`centrality`."""

    k: int | None = param(None, "Sampled betweenness from N pivots (automatic on large graphs).", minimum=1,
                          metavar="N")
    seed: int = param(0, "Random seed (betweenness sampling, Louvain).")
    sort: str = param("pagerank", "The measure to rank by.", choices=MEASURES)
    limit: int | None = param(None, "Keep the first N rows.", minimum=1, metavar="N")
    projection: str = param("actors", "The network: actor–actor, or every entity-to-entity fact.",
                            choices=("actors", "full"))


@dataclass(frozen=True)
class RankedNode(JsonRecord):
    """One actor with every measure, and its rank by the chosen one."""

    id: str
    label: str | None
    type: str | None
    degree: float
    weighted_degree: float
    betweenness: float
    pagerank: float | None
    eigenvector: float | None
    rank: int


@dataclass(kw_only=True)
class CentralityResult(MetricResult):
    """Actors ranked by ``sort``; ``betweenness`` notes whether it was sampled (``sampled``, ``k``, ``seed``)."""

    metric = "centrality"
    sort: str
    betweenness: dict[str, object]
    sampled: bool
    k: int | None
    seed: int | None
    nodes: list[RankedNode]


def scores(graph: nx.Graph[str], *, k: int | None = None, seed: int = 0
           ) -> tuple[dict[str, dict[str, float | None]], dict[str, object]]:
    """Every measure for every node, plus the betweenness sampling note.

    >>> table, note = scores(nx.Graph([("a", "b", {"weight": 2}), ("b", "c", {"weight": 1})]))
    >>> table["b"]["weighted_degree"], table["b"]["betweenness"], note["sampled"]
    (3.0, 1.0, False)
    """
    degree = nx.degree_centrality(graph) if graph.number_of_nodes() > 1 else dict.fromkeys(graph, 0.0)
    strength = dict(graph.degree(weight="weight"))
    between, note = betweenness(graph, k=k, seed=seed)
    pagerank = nx.pagerank(graph, weight="weight") if graph.number_of_nodes() else {}
    eigen: dict[str, float] = {}
    if graph.number_of_edges():
        try:
            eigen = nx.eigenvector_centrality(graph, weight="weight", max_iter=1000, tol=1e-8)
        except nx.PowerIterationFailedConvergence:
            note = {**note, "eigenvector": "did not converge"}
    table = {n: {"degree": degree.get(n, 0.0), "weighted_degree": float(strength.get(n, 0)),
                 "betweenness": between.get(n, 0.0), "pagerank": pagerank.get(n),
                 "eigenvector": eigen.get(n)} for n in graph}
    return table, note


def centrality(store: Store, filters: Filters | None = None, params: CentralityParams = CentralityParams()
               ) -> CentralityResult:
    """Rank the actors of the actor–actor network (or the whole graph) by every centrality measure.

    Without filters the actor network comes from the maintained summary's ties
    (:func:`~detente.graph.summary_network.summary_actor_graph`): the same weights, without reading the claims.
    """
    graph = summary_actor_graph(store, filters) if params.projection == "actors" else None
    if graph is None:
        data = load_graph_data(store, filters)
        filters = data.filters
        graph = build(data, params.projection)
    return rank_nodes(graph, filters or Filters(), params)


def rank_nodes(graph: nx.Graph[str], filters: Filters,
               params: CentralityParams = CentralityParams()) -> CentralityResult:
    """Score and rank the nodes of a network (a multigraph's parallel edges add up)."""
    if graph.is_multigraph():
        graph = _collapse(graph)
    table, note = scores(graph, k=params.k, seed=params.seed)
    order = params.sort
    ranked = sorted(graph, key=lambda n: (-(table[n][order] or 0.0), str(graph.nodes[n].get("label"))))
    if params.limit is not None:
        ranked = ranked[:params.limit]
    nodes = [RankedNode(n, graph.nodes[n].get("label"), graph.nodes[n].get("type"), rank=rank, **table[n])  # type: ignore[arg-type]
             for rank, n in enumerate(ranked, 1)]
    return CentralityResult(filters=filters, network=NetworkSize.of(graph), sort=order, betweenness=note,
                            sampled=bool(note["sampled"]), k=note["k"], seed=note["seed"], nodes=nodes)  # type: ignore[arg-type]


def _collapse(graph: nx.Graph[str]) -> nx.Graph[str]:
    """An undirected simple graph whose edge weights add up the parallel edges."""
    simple: nx.Graph[str] = nx.Graph(**graph.graph)
    simple.add_nodes_from(graph.nodes(data=True))
    for a, b, attrs in graph.edges(data=True):
        if simple.has_edge(a, b):
            simple.edges[a, b]["weight"] += attrs.get("weight", 1)
        else:
            simple.add_edge(a, b, weight=attrs.get("weight", 1))
    return simple
