"""Centrality of actors: degree, weighted degree, betweenness, PageRank, eigenvector.

Weights are the number of distinct claims behind each edge, so an actor tied
to others by many independent reports ranks above one tied by a single claim.
Betweenness is sampled on large graphs, and the result says so.

>>> from detente.graph.store import open_store
>>> centrality(open_store("memory:"))["nodes"]
[]
"""

from __future__ import annotations

import networkx as nx

from detente.graph.analysis.common import as_choice, as_int, betweenness, result
from detente.graph.projections import Filters, build, load_graph_data
from detente.graph.store import Store

MEASURES = ("pagerank", "degree", "weighted_degree", "betweenness", "eigenvector")


def scores(graph: nx.Graph, *, k: int | None = None, seed: int = 0) -> tuple[dict[str, dict[str, float | None]], dict[str, object]]:
    """Every measure for every node, plus the betweenness sampling note.

    >>> table, note = scores(nx.Graph([("a", "b", {"weight": 2}), ("b", "c", {"weight": 1})]))
    >>> table["b"]["weighted_degree"], table["b"]["betweenness"], note["sampled"]
    (3.0, 1.0, False)
    """
    degree = nx.degree_centrality(graph) if graph.number_of_nodes() > 1 else {n: 0.0 for n in graph}
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


def centrality(store: Store, filters: Filters | None = None, *, k: int | str | None = None, seed: int | str = 0,
               sort: str | None = None, limit: int | str | None = None, projection: str | None = None) -> dict[str, object]:
    """Rank the actors of the actor–actor network by every centrality measure.

    Parameters
    ----------
    k, seed:
        Sampled betweenness from ``k`` pivots (automatic above
        :data:`~detente.graph.analysis.common.SAMPLE_ABOVE` nodes).
    sort:
        The measure to rank by (default ``pagerank``).
    limit:
        Keep the first ``limit`` actors.
    projection:
        ``actors`` (default) or ``full``.
    """
    k_value = as_int(k, "k", minimum=1)
    seed_value = as_int(seed, "seed") or 0
    limit_value = as_int(limit, "limit", minimum=1)
    order = as_choice(sort, "sort", MEASURES, "pagerank")
    name = as_choice(projection, "projection", ("actors", "full"), "actors")
    data = load_graph_data(store, filters)
    graph = build(data, name)
    if graph.is_multigraph():
        graph = _collapse(graph)
    table, note = scores(graph, k=k_value, seed=seed_value)
    rows = [{"id": n, "label": graph.nodes[n].get("label"), "type": graph.nodes[n].get("type"), **table[n]}
            for n in graph]
    rows.sort(key=lambda r: (-(r[order] or 0.0), str(r["label"])))
    if limit_value is not None:
        rows = rows[:limit_value]
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return result("centrality", graph, data, sort=order, betweenness=note, sampled=note["sampled"], k=note["k"],
                  nodes=rows)


def _collapse(graph: nx.MultiDiGraph) -> nx.Graph:
    """An undirected simple graph whose edge weights add up the parallel edges."""
    simple = nx.Graph(**graph.graph)
    simple.add_nodes_from(graph.nodes(data=True))
    for a, b, attrs in graph.edges(data=True):
        if simple.has_edge(a, b):
            simple.edges[a, b]["weight"] += attrs.get("weight", 1)
        else:
            simple.add_edge(a, b, weight=attrs.get("weight", 1))
    return simple
