"""Timelines: the events and agreements of one actor, or of all, in date order, with their sources.

>>> from detente.graph.store import open_store
>>> timeline(open_store("memory:"))["events"]
[]
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import URIRef

from detente.graph.analysis.common import as_int, as_str, result
from detente.graph.projections import ROLE_PREDICATES, Filters, load_graph_data
from detente.graph.store import Store
from detente.ontology.vocab import DT

_ROLE_KEYS = {"party": "parties", "mediator": "mediators", "announcer": "announced_by"}


def timeline(store: Store, filters: Filters | None = None, *, actor: str | None = None,
             limit: int | str | None = None) -> dict[str, object]:
    """Events (talks, exchanges, agreements…) ordered by date, each with parties, venue and sources.

    Parameters
    ----------
    actor:
        Only events this actor is party to, mediates or announces (IRI, CURIE or label).
    limit:
        Keep the first ``limit`` events.

    Undated events come last. An event's ``date`` is the earliest ``dt:startDate``
    any kept claim gives; ``dates_disagree`` is true when claims give several.
    """
    actor_ref = as_str(actor, "actor")
    limit_value = as_int(limit, "limit", minimum=1)
    data = load_graph_data(store, filters, literals=True)
    who = None if actor_ref is None else data.resolve(actor_ref)

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

    events = []
    for event, event_claims in claims.items():
        people = roles.get(event, {})
        if who is not None and not any(who in people.get(r, ()) for r in _ROLE_KEYS):
            continue
        sources: dict[URIRef, dict[str, object]] = {}
        confidences = []
        for claim in event_claims:
            info, confidence = data.claim_provenance(claim)
            if info is not None:
                sources[info.iri] = info.to_json(data.labels)
            if confidence is not None:
                confidences.append(confidence)
        dates = sorted(starts.get(event, ()))
        row: dict[str, object] = {
            "id": str(event), "label": data.label(event), "type": data.type_name(event),
            "date": dates[0] if dates else None, "end_date": max(ends[event]) if ends.get(event) else None,
            "dates_disagree": len(dates) > 1,
        }
        for role, key in _ROLE_KEYS.items():
            row[key] = [{"id": str(a), "label": data.label(a)} for a in sorted(people.get(role, ()), key=data.label)]
        row["venues"] = [{"id": str(v), "label": data.label(v)} for v in sorted(venues.get(event, ()), key=data.label)]
        row["related"] = [{"relation": rel, "id": str(o), "label": data.label(o)} for rel, o in sorted(related.get(event, ()))]
        row["claim_count"] = len(event_claims)
        row["source_count"] = len(sources)
        row["confidence_max"] = max(confidences) if confidences else None
        row["sources"] = sorted(sources.values(), key=lambda s: (str(s["issued"] or ""), str(s["iri"])))
        events.append(row)
    events.sort(key=lambda r: (r["date"] is None, r["date"] or "", r["label"]))
    if limit_value is not None:
        events = events[:limit_value]
    return result("timeline", None, data, actor=None if who is None else {"id": str(who), "label": data.label(who)},
                  events=events)
