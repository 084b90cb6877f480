"""Ego networks: an actor, its neighbours within a radius, and the ties among them.

>>> from detente.graph.store import open_store
>>> ego(open_store("memory:"), actor="https://example.org/nobody")
Traceback (most recent call last):
...
detente.errors.UsageError: actor: 'https://example.org/nobody' (https://example.org/nobody) is not in the network with these filters
"""

from __future__ import annotations

import networkx as nx

from detente.errors import UsageError
from detente.graph.analysis.common import as_int, as_str, edge_json, node_in, node_json, result
from detente.graph.projections import Filters, build_actor_graph, load_graph_data
from detente.graph.store import Store


def ego(store: Store, filters: Filters | None = None, *, actor: str | None = None, radius: int | str = 1) -> dict[str, object]:
    """The ego network of ``actor`` in the actor–actor projection, edges with their provenance.

    Parameters
    ----------
    actor:
        IRI, CURIE (``state:UKR``) or label/alias (``Ukraine``).
    radius:
        How many hops out (default 1).
    """
    actor_ref = as_str(actor, "actor")
    if actor_ref is None:
        raise UsageError("actor: required for an ego network")
    hops = as_int(radius, "radius", minimum=1) or 1
    data = load_graph_data(store, filters)
    graph = build_actor_graph(data)
    center = node_in(graph, data, actor_ref, "actor")
    sub = nx.ego_graph(graph, center, radius=hops)
    distance = nx.single_source_shortest_path_length(sub, center)
    neighbours = sorted((n for n in sub if n != center),
                        key=lambda n: (distance[n], -sub.degree(n, weight="weight"), sub.nodes[n].get("label", n)))
    return result(
        "ego", sub, data, actor=node_json(graph, center), radius=hops,
        neighbours=[{**node_json(sub, n), "distance": distance[n],
                     "claims_with_actor": sub.edges[center, n]["claim_count"] if sub.has_edge(center, n) else 0}
                    for n in neighbours],
        ties=[edge_json(sub, a, b, attrs) for a, b, attrs in
              sorted(sub.edges(data=True), key=lambda e: (-e[2]["weight"], e[0], e[1]))])
