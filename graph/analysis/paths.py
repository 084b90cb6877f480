"""Paths between two actors, with the claims behind each hop.

A hop is an edge of the actor–actor network: the two actors share an event,
or one mediates an event the other is party to. Each hop lists the events and
the claims (with source, publisher, date and confidence) that make it.

>>> from detente.graph.store import open_store
>>> path(open_store("memory:"), actor="state:UKR", to="state:RUS")
Traceback (most recent call last):
...
detente.errors.UsageError: actor: 'state:UKR' (https://w3id.org/detente/id/state/UKR) is not in the network with these filters
"""

from __future__ import annotations

from itertools import islice

import networkx as nx
from rdflib import URIRef

from detente.errors import UsageError
from detente.graph.analysis.common import as_int, as_str, node_in, node_json, result
from detente.graph.projections import Filters, GraphData, build_actor_graph, load_graph_data
from detente.graph.store import Store


def path(store: Store, filters: Filters | None = None, *, actor: str | None = None, to: str | None = None,
         max_paths: int | str = 5) -> dict[str, object]:
    """Shortest paths (fewest hops) from ``actor`` to ``to``; ``found`` is False when none exists.

    Parameters
    ----------
    actor, to:
        The two actors (IRI, CURIE or label/alias).
    max_paths:
        How many equally short paths to list at most (default 5).
    """
    source_ref, target_ref = as_str(actor, "actor"), as_str(to, "to")
    if source_ref is None or target_ref is None:
        raise UsageError("actor and to: both required for a path")
    limit = as_int(max_paths, "max_paths", minimum=1) or 5
    data = load_graph_data(store, filters)
    graph = build_actor_graph(data)
    start = node_in(graph, data, source_ref, "actor")
    end = node_in(graph, data, target_ref, "to")
    try:
        found = list(islice(nx.all_shortest_paths(graph, start, end), limit))
    except nx.NetworkXNoPath:
        found = []
    # Strongest-evidence paths first: the most claims on the weakest hop.
    found.sort(key=lambda p: (-min((graph.edges[a, b]["weight"] for a, b in zip(p, p[1:])), default=0), p))
    paths = [{"length": len(p) - 1, "nodes": [node_json(graph, n) for n in p],
              "hops": [_hop(graph, data, a, b) for a, b in zip(p, p[1:])]} for p in found]
    return result("path", None, data, actor=node_json(graph, start), to=node_json(graph, end),
                  found=bool(paths), length=paths[0]["length"] if paths else None, paths=paths)


def _hop(graph: nx.Graph, data: GraphData, a: str, b: str) -> dict[str, object]:
    attrs = graph.edges[a, b]
    claims = []
    for iri in attrs["claims"]:
        info, confidence = data.claim_provenance(URIRef(iri))
        claims.append({"claim": iri, "confidence": confidence,
                       "source": None if info is None else info.to_json(data.labels)})
    return {"from": node_json(graph, a), "to": node_json(graph, b), "relations": attrs["relations"],
            "events": [{"id": e, "label": data.label(URIRef(e))} for e in attrs["events"]],
            "claim_count": attrs["claim_count"], "source_count": attrs["source_count"],
            "confidence_mean": attrs["confidence_mean"], "first_seen": attrs["first_seen"],
            "last_seen": attrs["last_seen"], "claims": claims}
