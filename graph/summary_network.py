"""The actor–actor network read from the maintained summary: ties as arrays, labels for the nodes only.

:func:`detente.graph.projections.actor_graph` reads every claim statement and
builds each edge's provenance (its claims, sources, publishers, dates): at a
million claims that is minutes and gigabytes. Most analyses need only the
edge weights, which the summary keeps exact per actor pair
(:func:`detente.graph.summary.tie_table`). This module builds the same
network from them: nodes are the actors with a part in some event, edges the
ties, ``weight`` the distinct claims behind a tie (as in the full projection),
with ``claim_count``, ``source_count``, ``event_count`` and
``party_event_count``. Labels and types are read for the nodes alone; per-edge
provenance (which claims, which publishers) stays in the store until an export
or a path asks for it.

The summary is unfiltered: with filters set, or when the summary is not
current and cannot be rebuilt (a read-only store), :func:`summary_actor_graph`
answers None and the caller projects the claims instead.

>>> from detente.graph.store import open_store
>>> summary_actor_graph(open_store("memory:")).number_of_nodes()
0
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import networkx as nx
from rdflib import URIRef

from detente.graph.entities import NAME_GRAPHS, NAMES_QUERY, EntityNames
from detente.graph.projections import ENTITY_TYPES_QUERY, Filters, local_name, most_specific_type
from detente.graph.store import Store
from detente.graph.summary import ensure_summary, tie_table
from detente.ontology.vocab import ONTOLOGY_GRAPH, PROVENANCE_GRAPH

#: Nodes per query when their labels and types are read.
NODE_BATCH = 2000


def summary_actor_graph(store: Store, filters: Filters | None = None) -> nx.Graph[str] | None:
    """The actor–actor projection from the summary, or None when the summary cannot answer.

    Node ids are actor IRIs (as in :func:`~detente.graph.projections.actor_graph`), in IRI
    order, with ``label``, ``type``, ``kind`` and ``iri``; edges have ``weight`` and the
    tie's counts. The graph's ``read_from`` attribute is ``"summary"``.
    """
    filters = filters or Filters()
    if filters.active or not ensure_summary(store):
        return None
    table = tie_table(store)
    graph: nx.Graph[str] = nx.Graph(projection="actors", filters=filters.to_json(), name="detente actors network",
                     read_from="summary")
    ids = [str(actor) for actor in table.actors]
    labels, types = node_descriptions(store, table.actors)
    graph.add_nodes_from((node, {"label": labels.get(actor) or local_name(node),
                                 "type": most_specific_type(types.get(actor, ())), "kind": "actor", "iri": node})
                         for node, actor in zip(ids, table.actors, strict=True))
    graph.add_edges_from(
        (ids[lo], ids[hi], {"weight": claims, "claim_count": claims, "source_count": sources, "event_count": events,
                            "party_event_count": party_events})
        for lo, hi, claims, sources, events, party_events in zip(
            table.lo.tolist(), table.hi.tolist(), table.claims.tolist(), table.sources.tolist(),
            table.events.tolist(), table.party_events.tolist(), strict=True))
    return graph


def node_descriptions(store: Store, nodes: Sequence[URIRef]) -> tuple[dict[URIRef, str], dict[URIRef, set[URIRef]]]:
    """Display labels and ``dt:`` types of these entities.

    They are read as :func:`~detente.graph.projections.load_graph_data` reads them.

    Labels: the entity graph and the facts view first (the resolver's labels), then the
    ontology and provenance graphs; types from every graph.
    """
    names = EntityNames()
    described = EntityNames(states=False)
    types: dict[URIRef, set[URIRef]] = defaultdict(set)
    for start in range(0, len(nodes), NODE_BATCH):
        table = [{"e": node} for node in nodes[start:start + NODE_BATCH]]
        for e, t in store.query(ENTITY_TYPES_QUERY, bindings=table).rows:
            if isinstance(e, URIRef) and isinstance(t, URIRef):
                types[e].add(t)
        names.add_rows(store.query(NAMES_QUERY, bindings=table, default_graphs=list(NAME_GRAPHS)).rows, {})
        described.add_rows(store.query(NAMES_QUERY, bindings=table,
                                       default_graphs=[ONTOLOGY_GRAPH, PROVENANCE_GRAPH]).rows, {})
    return {**described.labels, **names.labels}, dict(types)


__all__ = ["node_descriptions", "summary_actor_graph"]
