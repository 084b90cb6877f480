"""Ego networks: an actor, its neighbours within a radius, and the ties among them.

>>> from detente.graph import open_store
>>> ego(open_store("memory:"), None, EgoParams(actor="https://example.org/nobody"))  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
detente.errors.ParameterError: actor: 'https://example.org/nobody' (https://example.org/nobody) is not in the network
with these filters
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from detente.errors import ParameterError
from detente.graph.analysis.common import JsonRecord, MetricResult, NetworkSize, NodeRef, node_in
from detente.graph.params import EntityRef, param
from detente.graph.projections import Filters, build_actor_graph, load_graph_data
from detente.graph.store import Store


@dataclass(frozen=True)
class EgoParams:
    """The parameters of :func:`ego`."""

    actor: EntityRef | None = param(None, "The actor (name, alias, CURIE like state:UKR, or IRI).", required=True,
                             metavar="X")
    radius: int = param(1, "How many hops out.", minimum=1)


@dataclass(frozen=True)
class Neighbour(JsonRecord):
    """A node of the ego network, with its distance from the actor."""

    id: str
    label: str | None
    type: str | None
    distance: int
    claims_with_actor: int


@dataclass(frozen=True)
class Tie(JsonRecord):
    """An edge of the ego network with its provenance (as the actor–actor projection keeps it)."""

    source: str
    target: str
    source_label: str | None
    target_label: str | None
    weight: int
    claim_count: int
    source_count: int
    confidence_mean: float | None
    confidence_max: float | None
    first_seen: str | None
    last_seen: str | None
    relations: list[str]
    events: list[str]
    publishers: list[str]
    claims: list[str]

    @classmethod
    def of(cls, graph: nx.Graph[str], a: str, b: str) -> Tie:
        """The tie between ``a`` and ``b``, written from the smaller IRI to the larger (the same in every run)."""
        a, b = sorted((a, b))
        return cls(a, b, graph.nodes[a].get("label"), graph.nodes[b].get("label"), **graph.edges[a, b])


@dataclass(kw_only=True)
class EgoResult(MetricResult):
    """The actor, its neighbours (nearest and most tied first) and the ties among them (heaviest first)."""

    metric = "ego"
    actor: NodeRef
    radius: int
    neighbours: list[Neighbour]
    ties: list[Tie]


def ego(store: Store, filters: Filters | None, params: EgoParams) -> EgoResult:
    """The ego network of ``actor`` in the actor–actor projection, edges with their provenance.

    Ties are written from the smaller IRI to the larger, heaviest first: networkx orders a
    small subgraph's nodes by a set, so the orientation it gives changes from run to run.
    """
    if params.actor is None:
        raise ParameterError("actor", "required for an ego network")
    data = load_graph_data(store, filters)
    graph = build_actor_graph(data)
    center = node_in(graph, data, params.actor, "actor")
    sub = nx.ego_graph(graph, center, radius=params.radius)
    distance = nx.single_source_shortest_path_length(sub, center)
    neighbours = sorted((n for n in sub if n != center),
                        key=lambda n: (distance[n], -sub.degree(n, weight="weight"), sub.nodes[n].get("label", n)))
    return EgoResult(
        filters=data.filters, network=NetworkSize.of(sub), actor=NodeRef.of(graph, center), radius=params.radius,
        neighbours=[Neighbour(*_ref(sub, n), distance[n],
                              sub.edges[center, n]["claim_count"] if sub.has_edge(center, n) else 0)
                    for n in neighbours],
        ties=sorted((Tie.of(sub, a, b) for a, b in sub.edges), key=lambda t: (-t.weight, t.source, t.target)))


def _ref(graph: nx.Graph[str], node: str) -> tuple[str, str | None, str | None]:
    ref = NodeRef.of(graph, node)
    return ref.id, ref.label, ref.type
