"""Brokers: the mediators of diplomacy, ranked by events mediated and by betweenness.

An actor is a mediator when some claim says an event or agreement was
``dt:mediatedBy`` it. Mediators are ranked by how many distinct events they
mediated, then by their betweenness in the actor–actor network (how often
they sit on the shortest route between two other actors).

>>> from detente.graph import open_store
>>> brokers(open_store("memory:")).brokers
[]
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from detente.errors import ParameterError
from detente.graph.analysis.common import JsonRecord, MetricResult, NetworkSize, betweenness, resolve_param
from detente.graph.params import EntityRef, param
from detente.graph.projections import Filters, build_actor_graph, load_graph_data, participations
from detente.graph.store import Store


@dataclass(frozen=True)
class BrokersParams:
    """The parameters of :func:`brokers`."""

    event: EntityRef | None = param(None, "Only the mediators of this event or agreement (name, CURIE or IRI).",
                                    metavar="E")
    k: int | None = param(None, "Sampled betweenness from N pivots (automatic on large graphs).", minimum=1,
                          metavar="N")
    seed: int = param(0, "Random seed (betweenness sampling, Louvain).")
    limit: int | None = param(None, "Keep the first N rows of each ranking.", minimum=1, metavar="N")


@dataclass(frozen=True)
class MediatedEvent(JsonRecord):
    """An event a broker mediated: its parties, and the claims that say so."""

    id: str
    label: str
    type: str
    date: str | None
    parties: list[str]
    claims: list[str]
    source_count: int


@dataclass(frozen=True)
class Broker(JsonRecord):
    """A mediator with the events it mediated."""

    id: str
    label: str
    type: str
    events_mediated: int
    betweenness: float
    claim_count: int
    source_count: int
    parties_brought_together: list[str]
    events: list[MediatedEvent]
    rank: int


@dataclass(frozen=True)
class BetweennessRank(JsonRecord):
    """An actor by betweenness, and whether it mediates."""

    id: str
    label: str | None
    type: str | None
    betweenness: float
    mediator: bool


@dataclass(kw_only=True)
class BrokersResult(MetricResult):
    """Mediators ranked by events mediated, and every actor ranked by betweenness."""

    metric = "brokers"
    event: str | None
    betweenness: dict[str, object]
    sampled: bool
    k: int | None
    brokers: list[Broker]
    by_betweenness: list[BetweennessRank]


def brokers(store: Store, filters: Filters | None = None, params: BrokersParams = BrokersParams()) -> BrokersResult:
    """Mediators ranked by events mediated (then betweenness), and every actor ranked by betweenness."""
    data = load_graph_data(store, filters)
    graph = build_actor_graph(data)
    between, note = betweenness(graph, k=params.k, seed=params.seed)
    roles = participations(data)
    wanted: URIRef | None = None
    if params.event is not None:
        wanted = resolve_param(data, params.event, "event")
        if wanted not in roles:
            raise ParameterError("event", f"{params.event!r} ({wanted}) has no parties or mediators with these filters")

    mediated: dict[URIRef, list[MediatedEvent]] = {}
    claims: dict[URIRef, set[URIRef]] = {}
    sources: dict[URIRef, set[URIRef]] = {}
    parties_of: dict[URIRef, set[str]] = {}
    for ev, by_role in roles.items():
        if wanted is not None and ev != wanted:
            continue
        parties = sorted(data.label(p) for p in by_role.get("party", {}))
        for actor, prov in by_role.get("mediator", {}).items():
            start, _end = data.event_dates.get(ev, (None, None))
            mediated.setdefault(actor, []).append(MediatedEvent(
                str(ev), data.label(ev), data.type_name(ev), None if start is None else start.isoformat(), parties,
                sorted(str(c) for c in prov.claims), len(prov.sources)))
            claims.setdefault(actor, set()).update(prov.claims)
            sources.setdefault(actor, set()).update(prov.sources)
            parties_of.setdefault(actor, set()).update(parties)
    unranked = []
    for actor, events in mediated.items():
        events.sort(key=lambda e: (e.date or "9999", e.label))
        unranked.append((actor, events))
    unranked.sort(key=lambda row: (-len(row[1]), -between.get(str(row[0]), 0.0), data.label(row[0])))
    by_between = sorted((BetweennessRank(n, graph.nodes[n].get("label"), graph.nodes[n].get("type"), score,
                                         URIRef(n) in mediated) for n, score in between.items()),
                        key=lambda r: (-r.betweenness, str(r.label)))
    if params.limit is not None:
        unranked, by_between = unranked[:params.limit], by_between[:params.limit]
    rows = [Broker(str(actor), data.label(actor), data.type_name(actor), len(events),
                   between.get(str(actor), 0.0), len(claims[actor]), len(sources[actor]),
                   sorted(parties_of[actor]), events, rank)
            for rank, (actor, events) in enumerate(unranked, 1)]
    return BrokersResult(filters=data.filters, network=NetworkSize.of(graph),
                         event=None if wanted is None else str(wanted), betweenness=note,
                         sampled=bool(note["sampled"]), k=note["k"], brokers=rows,  # type: ignore[arg-type]
                         by_betweenness=by_between)
