"""Paths between two actors, with the claims behind each hop.

A hop is an edge of the actor–actor network: the two actors share an event,
or one mediates an event the other is party to. Each hop lists the events and
the claims (with source, publisher, date and confidence) that make it.

>>> from detente.graph import open_store
>>> path(open_store("memory:"), None, PathParams(actor="state:UKR", to="state:RUS"))  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
detente.errors.ParameterError: actor: 'state:UKR' (https://w3id.org/detente/id/state/UKR) is not in the network
with these filters
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice, pairwise

import networkx as nx
from rdflib import URIRef

from detente.errors import ParameterError
from detente.graph.analysis.common import JsonRecord, MetricResult, Named, NodeRef, SourceRef, node_in
from detente.graph.params import EntityRef, param
from detente.graph.projections import Filters, GraphData, build_actor_graph, load_graph_data
from detente.graph.store import Store


@dataclass(frozen=True)
class PathParams:
    """The parameters of :func:`path`."""

    actor: EntityRef | None = param(None, "The actor (name, alias, CURIE like state:UKR, or IRI).", required=True,
                                    metavar="X")
    to: EntityRef | None = param(None, "The other end of the path.", required=True, metavar="Y")
    max_paths: int = param(5, "How many equally short paths to list at most.", minimum=1, metavar="N")


@dataclass(frozen=True)
class HopClaim(JsonRecord):
    """A claim behind a hop, with its confidence and source."""

    claim: str
    confidence: float | None
    source: SourceRef | None


@dataclass(frozen=True)
class Hop(JsonRecord):
    """One edge of a path with the events and claims that make it."""

    from_: NodeRef = field(metadata={"json": "from"})  # "from" is a Python keyword
    to: NodeRef
    relations: list[str]
    events: list[Named]
    claim_count: int
    source_count: int
    confidence_mean: float | None
    first_seen: str | None
    last_seen: str | None
    claims: list[HopClaim]


@dataclass(frozen=True)
class ActorPath(JsonRecord):
    """One shortest path: its nodes and hops."""

    length: int
    nodes: list[NodeRef]
    hops: list[Hop]


@dataclass(kw_only=True)
class PathResult(MetricResult):
    """Shortest paths from ``actor`` to ``to``, strongest evidence first; ``found`` is False when none exists."""

    metric = "path"
    actor: NodeRef
    to: NodeRef
    found: bool
    length: int | None
    paths: list[ActorPath]


def path(store: Store, filters: Filters | None, params: PathParams) -> PathResult:
    """Shortest paths (fewest hops) from ``actor`` to ``to``; ``found`` is False when none exists."""
    if params.actor is None or params.to is None:
        raise ParameterError("actor and to", "both required for a path")
    data = load_graph_data(store, filters)
    graph = build_actor_graph(data)
    start = node_in(graph, data, params.actor, "actor")
    end = node_in(graph, data, params.to, "to")
    try:
        found = list(islice(nx.all_shortest_paths(graph, start, end), params.max_paths))
    except nx.NetworkXNoPath:
        found = []
    # Strongest-evidence paths first: the most claims on the weakest hop.
    found.sort(key=lambda p: (-min((graph.edges[a, b]["weight"] for a, b in pairwise(p)), default=0), p))
    paths = [ActorPath(len(p) - 1, [NodeRef.of(graph, n) for n in p],
                       [_hop(graph, data, a, b) for a, b in pairwise(p)]) for p in found]
    return PathResult(filters=data.filters, actor=NodeRef.of(graph, start), to=NodeRef.of(graph, end),
                      found=bool(paths), length=paths[0].length if paths else None, paths=paths)


def _hop(graph: nx.Graph[str], data: GraphData, a: str, b: str) -> Hop:
    attrs = graph.edges[a, b]
    claims = []
    for iri in attrs["claims"]:
        info, confidence = data.claim_provenance(URIRef(iri))
        claims.append(HopClaim(iri, confidence, None if info is None else SourceRef.of(info, data)))
    return Hop(NodeRef.of(graph, a), NodeRef.of(graph, b), attrs["relations"],
               [Named(e, data.label(URIRef(e))) for e in attrs["events"]], attrs["claim_count"],
               attrs["source_count"], attrs["confidence_mean"], attrs["first_seen"], attrs["last_seen"], claims)
