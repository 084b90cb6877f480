"""Timelines: the events and agreements of one actor, or of all, in date order, with their sources.

>>> from detente.graph import open_store
>>> timeline(open_store("memory:")).events
[]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import URIRef

from detente.graph.analysis.common import JsonRecord, MetricResult, Named, SourceRef, resolve_param
from detente.graph.params import EntityRef, param
from detente.graph.projections import ROLE_PREDICATES, Filters, load_graph_data
from detente.graph.store import Store
from detente.ontology.vocab import DT

_ROLE_KEYS = {"party": "parties", "mediator": "mediators", "announcer": "announced_by"}


@dataclass(frozen=True)
class TimelineParams:
    """The parameters of :func:`timeline`."""

    actor: EntityRef | None = param(None, "Only the events this actor is party to, mediates or announces.",
                                    metavar="X")
    limit: int | None = param(None, "Keep the first N events.", minimum=1, metavar="N")


@dataclass(frozen=True)
class Related(JsonRecord):
    """Another event or agreement an event is tied to (``reachedDuring``, ``implements``)."""

    relation: str
    id: str
    label: str


@dataclass(frozen=True)
class TimelineEvent(JsonRecord):
    """One event with its dates, the actors in each role, venues, related events and sources."""

    id: str
    label: str
    type: str
    date: str | None
    end_date: str | None
    dates_disagree: bool
    parties: list[Named]
    mediators: list[Named]
    announced_by: list[Named]
    venues: list[Named]
    related: list[Related]
    claim_count: int
    source_count: int
    confidence_max: float | None
    sources: list[SourceRef]


@dataclass(kw_only=True)
class TimelineResult(MetricResult):
    """Events in date order (undated last), of one actor or of all."""

    metric = "timeline"
    actor: Named | None
    events: list[TimelineEvent]


def timeline(store: Store, filters: Filters | None = None, params: TimelineParams = TimelineParams()
             ) -> TimelineResult:
    """Events (talks, exchanges, agreements…) ordered by date, each with parties, venue and sources.

    An event's ``date`` is the earliest ``dt:startDate`` any kept claim gives;
    ``dates_disagree`` is true when claims give several.
    """
    data = load_graph_data(store, filters, literals=True)
    who = None if params.actor is None else resolve_param(data, params.actor, "actor")

    claims: dict[URIRef, set[URIRef]] = defaultdict(set)
    roles: dict[URIRef, dict[str, set[URIRef]]] = defaultdict(lambda: defaultdict(set))
    venues: dict[URIRef, set[URIRef]] = defaultdict(set)
    starts: dict[URIRef, set[str]] = defaultdict(set)
    ends: dict[URIRef, set[str]] = defaultdict(set)
    related: dict[URIRef, set[tuple[str, URIRef]]] = defaultdict(set)
    for ev in data.evidence:
        s = ev.subject
        if not (data.is_event(s) or ev.predicate in (DT.startDate, *ROLE_PREDICATES)):
            continue
        claims[s].add(ev.claim)
        role = ROLE_PREDICATES.get(ev.predicate)
        if role is not None and isinstance(ev.object, URIRef):
            roles[s][role].add(ev.object)
        elif ev.predicate == DT.heldAt and isinstance(ev.object, URIRef):
            venues[s].add(ev.object)
        elif ev.predicate == DT.startDate:
            starts[s].add(str(ev.object)[:10])
        elif ev.predicate == DT.endDate:
            ends[s].add(str(ev.object)[:10])
        elif ev.predicate in (DT.reachedDuring, DT.implements) and isinstance(ev.object, URIRef):
            related[s].add((str(ev.predicate).split("#")[-1], ev.object))

    def named(iris: set[URIRef]) -> list[Named]:
        return [Named(str(i), data.label(i)) for i in sorted(iris, key=data.label)]

    events = []
    for event, event_claims in claims.items():
        people = roles.get(event, {})
        if who is not None and not any(who in people.get(r, ()) for r in _ROLE_KEYS):
            continue
        sources: dict[URIRef, SourceRef] = {}
        confidences = []
        for claim in event_claims:
            info, confidence = data.claim_provenance(claim)
            if info is not None:
                sources[info.iri] = SourceRef.of(info, data)
            if confidence is not None:
                confidences.append(confidence)
        dates = sorted(starts.get(event, ()))
        events.append(TimelineEvent(
            id=str(event), label=data.label(event), type=data.type_name(event), date=dates[0] if dates else None,
            end_date=max(ends[event]) if ends.get(event) else None, dates_disagree=len(dates) > 1,
            parties=named(people.get("party", set())), mediators=named(people.get("mediator", set())),
            announced_by=named(people.get("announcer", set())), venues=named(venues.get(event, set())),
            related=[Related(rel, str(o), data.label(o)) for rel, o in sorted(related.get(event, ()))],
            claim_count=len(event_claims), source_count=len(sources),
            confidence_max=max(confidences) if confidences else None,
            sources=sorted(sources.values(), key=lambda s: (str(s.issued or ""), s.iri))))
    events.sort(key=lambda r: (r.date is None, r.date or "", r.label))
    if params.limit is not None:
        events = events[:params.limit]
    return TimelineResult(filters=data.filters, actor=None if who is None else Named(str(who), data.label(who)),
                          events=events)
