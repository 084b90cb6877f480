"""NetworkX projections of the claim graph, built from SPARQL results.

Every edge of a projection keeps its provenance: the distinct claims and
sources behind it, their confidence, the first and last dates they speak of,
and the kinds of relation. Three projections exist:

``actors``
    actor–actor (undirected): two actors are linked when they are parties to
    the same agreement, talks or exchange, when one mediates (or announces) an
    event the other is party to.
``bipartite``
    actor–event: actors on one side (``bipartite=0``), events and agreements on
    the other (``bipartite=1``), one edge per role (party, mediator, announcer).
``full``
    the whole graph: every entity-to-entity fact as a directed edge keyed by
    its predicate (a ``MultiDiGraph``).

Filters (:class:`Filters`) keep only the claims that match: a time window on
event dates (or source issued dates), a minimum confidence, publishers.
Everything is read through :class:`detente.graph.store.Store` queries, so any
backend works.

>>> from detente.graph.store import open_store
>>> g = actor_graph(open_store("memory:"))
>>> g.number_of_nodes(), g.graph["projection"]
(0, 'actors')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal as TypingLiteral

import networkx as nx
from rdflib import URIRef
from rdflib.namespace import RDF

from detente.errors import AmbiguousEntityError, ParameterError
from detente.graph.entities import NAME_GRAPHS, NAMES_QUERY, EntityNames, actor_types
from detente.graph.params import Parameter, param, parameters, parse_params
from detente.graph.performance import without_gc
from detente.graph.store import Store, select_rows
from detente.graph.terms import Term, curie, term_nt
from detente.ontology.vocab import DT, ONTOLOGY_GRAPH, PROVENANCE_GRAPH

DateBasis = TypingLiteral["event", "issued"]

#: Predicates that tie an actor to an event, and the role they give it.
ROLE_PREDICATES: dict[URIRef, str] = {
    DT.hasParty: "party",
    DT.mediatedBy: "mediator",
    DT.announcedBy: "announcer",
}

#: The projections by name (see the module docstring).
PROJECTION_NAMES = ("actors", "bipartite", "full")

# Types that are not entities of the network (claims, sources, activities).
_NON_ENTITY_TYPES = (DT.Claim, DT.Source, DT.NewsArticle, DT.OfficialStatement, DT.ExtractionActivity)


# -- filters ------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """Which claims a projection keeps; each field is also a parameter of the command line and HTTP routes.

    Parameters
    ----------
    start, end:
        Inclusive time window. A claim is dated by the event it speaks about
        (its subject's ``dt:startDate``–``dt:endDate``, kept if that span
        overlaps the window) or, failing that or with ``date_basis="issued"``,
        by its source's ``dct:issued`` date. Undated claims are dropped when
        a window is set.
    min_confidence:
        Keep claims whose ``dt:confidence`` is at least this; claims without
        a confidence are dropped when it is set.
    publishers:
        Keep claims whose source's publisher is one of these (IRIs, CURIEs
        like ``organization:meridian-wire``, or names the entity resolver knows).
        The parameter is called ``publisher`` (repeatable, or comma-separated).
    date_basis:
        ``"event"`` (default) or ``"issued"``.

    >>> Filters.from_params(start="2022-01-01", min_confidence="0.8", publisher="Meridian Wire").to_json()
    {'start': '2022-01-01', 'end': None, 'min_confidence': 0.8, 'publishers': ['Meridian Wire'], 'date_basis': 'event'}
    """

    start: date | None = param(None, "Keep claims about events on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).",
                               metavar="DATE")
    end: date | None = param(None, "Keep claims about events on or before this date.", metavar="DATE")
    min_confidence: float | None = param(None, "Keep claims with a confidence of at least C (0..1).",
                                         minimum=0, maximum=1, metavar="C")
    publishers: tuple[str, ...] = param((), "Keep claims from this publisher (name, CURIE or IRI); repeat for several.",
                                        name="publisher", aliases=("publishers",), separator=",", metavar="P")
    date_basis: DateBasis = param("event", "Date claims by the event they describe, or by their source's "
                                           "publication date.", choices=("event", "issued"))

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise ParameterError("start", f"{self.start} is after end {self.end}")
        if self.min_confidence is not None and not 0.0 <= self.min_confidence <= 1.0:
            raise ParameterError("min_confidence", f"must be between 0 and 1, got {self.min_confidence}")
        if self.date_basis not in ("event", "issued"):
            raise ParameterError("date_basis", f"{self.date_basis!r} is not one of event, issued")

    @classmethod
    def from_params(cls, **values: Any) -> Filters:
        """Build filters from loose values (query-string text, CLI options) by their :data:`FILTER_PARAMETERS`.

        ``publisher``/``publishers`` take one value, a comma-separated string, or a list.
        """
        return parse_params(cls, values, context="the filters")

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.start or self.end or self.min_confidence is not None or self.publishers)

    def to_json(self) -> dict[str, object]:
        return {"start": _iso(self.start), "end": _iso(self.end), "min_confidence": self.min_confidence,
                "publishers": list(self.publishers), "date_basis": self.date_basis}


#: The filters as parameters (one description for the command line, the HTTP routes and the OpenAPI document).
FILTER_PARAMETERS = parameters(Filters)
#: Every name a filter is accepted under.
FILTER_PARAMS = tuple(name for p in FILTER_PARAMETERS for name in (p.name, *p.aliases))


def split_filter_params(params: Mapping[str, Any]) -> tuple[Filters, dict[str, Any]]:
    """Split keyword parameters into :class:`Filters` and the rest.

    >>> f, rest = split_filter_params({"start": "2024-01-01", "k": 5})
    >>> f.start, rest
    (datetime.date(2024, 1, 1), {'k': 5})
    """
    given = {k: v for k, v in params.items() if k in FILTER_PARAMS and v is not None}
    rest = {k: v for k, v in params.items() if k not in FILTER_PARAMS}
    existing = rest.pop("filters", None)
    if existing is not None:
        if given:
            raise ParameterError("filters", "pass either filters= or individual filter parameters, not both")
        if not isinstance(existing, Filters):
            raise ParameterError("filters", "must be a Filters instance")
        return existing, rest
    return Filters.from_params(**given), rest


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _literal_date(term: Term | None) -> date | None:
    if term is None:
        return None
    try:
        parsed: date | None = _DATE.parse(str(term))
        return parsed
    except ParameterError:
        return None


# Dates in the store are read by the rule date parameters follow (YYYY, YYYY-MM and YYYY-MM-DD…).
_DATE = Parameter("date", "date", date, "A date the store holds.")


# -- reading the store ----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Evidence:
    """One statement of one claim, with the claim's provenance."""

    claim: URIRef
    subject: URIRef
    predicate: URIRef
    object: Term
    source: URIRef | None
    confidence: float | None


@dataclass
class SourceInfo:
    """What is known about a source."""

    iri: URIRef
    publisher: URIRef | None = None
    issued: date | None = None
    url: str | None = None
    title: str | None = None

    def to_json(self, labels: Mapping[URIRef, str]) -> dict[str, object]:
        return {"iri": str(self.iri), "publisher": _opt(self.publisher),
                "publisher_label": labels.get(self.publisher) if self.publisher is not None else None,
                "issued": _iso(self.issued), "url": self.url, "title": self.title}


@dataclass
class GraphData:
    """The claims a projection is built from, already filtered, plus entity descriptions.

    Attributes
    ----------
    evidence:
        Kept claim statements (entity-to-entity only unless read with literals).
    labels:
        Display labels, one per entity.
    names:
        The entity resolver over the known states and the store's entities.
    types:
        ``dt:`` types of each entity.
    event_dates:
        ``(start, end)`` of each dated entity (earliest start, latest end when sources disagree).
    sources:
        Source descriptions by IRI.
    filters:
        The filters applied.
    """

    evidence: list[Evidence]
    labels: dict[URIRef, str]
    names: EntityNames
    types: dict[URIRef, set[URIRef]]
    event_dates: dict[URIRef, tuple[date | None, date | None]]
    sources: dict[URIRef, SourceInfo]
    filters: Filters
    claims_total: int = 0
    publishers: tuple[URIRef, ...] = ()
    _dates: dict[tuple[URIRef, URIRef | None], tuple[date | None, date | None]] = field(
        default_factory=dict, repr=False)

    def label(self, iri: Term) -> str:
        """The entity's label, or the last segment of its IRI."""
        if isinstance(iri, URIRef) and iri in self.labels:
            return self.labels[iri]
        return local_name(str(iri))

    def type_name(self, iri: URIRef) -> str:
        """The most specific ``dt:`` type's local name (``State``, ``Talks``…), or ``Thing``."""
        return most_specific_type(self.types.get(iri, set()))

    def span(self, ev: Evidence) -> tuple[date | None, date | None]:
        """The dates a claim statement speaks about (see :class:`Filters`)."""
        key = (ev.subject, ev.source)
        cached = self._dates.get(key)
        if cached is None:
            start = end = None
            if self.filters.date_basis == "event" and ev.subject in self.event_dates:
                start, end = self.event_dates[ev.subject]
                end = end or start
            if start is None:
                info = self.sources.get(ev.source) if ev.source is not None else None
                start = end = info.issued if info else None
            cached = self._dates[key] = (start, end)
        return cached

    def resolve(self, ref: str | URIRef) -> URIRef:
        """An entity IRI from a reference, by the one resolver (:class:`~detente.graph.entities.EntityNames`).

        Raises :class:`~detente.errors.UnknownEntityError` or
        :class:`~detente.errors.AmbiguousEntityError` (both ValueErrors) naming the reference.
        """
        return self.names.resolve(str(ref))

    def claim_provenance(self, claim: URIRef) -> tuple[SourceInfo | None, float | None]:
        """The source and confidence of a kept claim."""
        index = self.__dict__.get("_claim_index")
        if index is None:
            index = self.__dict__["_claim_index"] = {ev.claim: (ev.source, ev.confidence) for ev in self.evidence}
        source, confidence = index.get(claim, (None, None))
        return (None if source is None else self.sources.get(source)), confidence

    def is_actor(self, iri: URIRef) -> bool:
        return bool(self.types.get(iri, set()) & actor_types())

    def is_event(self, iri: URIRef) -> bool:
        return bool(self.types.get(iri, set()) & event_types())


@lru_cache(maxsize=1)
def event_types() -> frozenset[URIRef]:
    """``dt:Event``, ``dt:Agreement`` and their subclasses, from the ontology."""
    from detente.ontology.schema import subclasses

    return frozenset(subclasses(DT.Event) | subclasses(DT.Agreement) | {DT.Event, DT.Agreement})


@lru_cache(maxsize=256)
def _type_depth(cls: URIRef) -> int:
    from detente.ontology.schema import class_ancestors

    try:
        return len(class_ancestors(cls))
    except Exception:  # a type the ontology does not know is as unspecific as can be
        return 0


def most_specific_type(types: Iterable[URIRef]) -> str:
    """Local name of the deepest class among ``types``.

    >>> most_specific_type([DT.Actor, DT.State])
    'State'
    """
    candidates = sorted(types, key=lambda t: (-_type_depth(t), str(t)))
    return local_name(str(candidates[0])) if candidates else "Thing"


def event_kind(types: Iterable[URIRef]) -> str:
    """The relation kind an event gives its parties: agreement, talks, exchange, announcement or event.

    >>> event_kind([DT.PrisonerExchange])
    'exchange'
    """
    return _event_kind(frozenset(types))


@lru_cache(maxsize=1024)
def _event_kind(found: frozenset[URIRef]) -> str:
    from detente.ontology.schema import subclasses

    for kind, root in (("agreement", DT.Agreement), ("talks", DT.Talks), ("exchange", DT.Exchange),
                       ("announcement", DT.Announcement)):
        if found & (subclasses(root) | {root}):
            return kind
    return "event"


def local_name(iri: str) -> str:
    """The last segment of an IRI.

    >>> local_name("https://w3id.org/detente/id/state/UKR")
    'UKR'
    """
    text = iri.rstrip("/#")
    return text[max(text.rfind("/"), text.rfind("#")) + 1:]


def _opt(term: Term | None) -> str | None:
    return None if term is None else str(term)


def _evidence_query(filters: Filters, publishers: Sequence[URIRef], literals: bool) -> str:
    where = ["?claim a dt:Claim .", "GRAPH ?claim { ?s ?p ?o }"]
    if not literals:
        where.append("FILTER(isIRI(?o) && ?p != rdf:type)")
    where.append("OPTIONAL { ?claim prov:wasDerivedFrom ?source }")
    where.append("OPTIONAL { ?claim dt:confidence ?confidence }")
    if filters.min_confidence is not None:
        # A float literal written by us from a validated number: safe to inline.
        where.append(f"FILTER(BOUND(?confidence) && ?confidence >= {float(filters.min_confidence)!r})")
    if filters.publishers:
        values = " ".join(term_nt(p) for p in publishers)
        where.append(f"?source dct:publisher ?publisher . VALUES ?publisher {{ {values} }}")
    return "SELECT ?claim ?s ?p ?o ?source ?confidence WHERE {\n  " + "\n  ".join(where) + "\n}"


_SOURCES_QUERY = """
SELECT ?source ?publisher ?issued ?url ?title WHERE {
  { SELECT DISTINCT ?source WHERE { ?claim prov:wasDerivedFrom ?source } }
  OPTIONAL { ?source dct:publisher ?publisher }
  OPTIONAL { ?source dct:issued ?issued }
  OPTIONAL { ?source schema:url ?url }
  OPTIONAL { ?source dct:title ?title }
}"""

_NON_ENTITY_IRIS = ", ".join(f"<{t}>" for t in _NON_ENTITY_TYPES)
ENTITY_TYPES_QUERY = f"""
SELECT DISTINCT ?e ?t WHERE {{
  ?e a ?t .
  FILTER(STRSTARTS(STR(?t), STR(dt:)) && ?t NOT IN ({_NON_ENTITY_IRIS}))
}}"""

_DATES_QUERY = """
SELECT ?e ?start ?end WHERE {
  { ?e dt:startDate ?start } UNION { ?e dt:endDate ?end }
}"""


@without_gc
def load_graph_data(store: Store, filters: Filters | None = None, *, literals: bool = False) -> GraphData:
    """Read the claims a projection needs from the store, keeping those that pass ``filters``.

    Parameters
    ----------
    literals:
        Also read statements whose object is a literal, and ``rdf:type``
        statements (for timelines and corroboration); projections need only
        entity-to-entity statements.

    >>> from detente.graph.store import open_store
    >>> load_graph_data(open_store("memory:")).evidence
    []
    """
    filters = filters or Filters()
    types: dict[URIRef, set[URIRef]] = defaultdict(set)
    for e, t in select_rows(store, ENTITY_TYPES_QUERY):
        if isinstance(e, URIRef) and isinstance(t, URIRef):
            types[e].add(t)
    # Names through the one resolver (entity graph and facts view); classes and activities are named for display.
    names = EntityNames()
    names.add_rows(select_rows(store, NAMES_QUERY, default_graphs=NAME_GRAPHS), types)
    described = EntityNames(states=False)
    described.add_rows(select_rows(store, NAMES_QUERY, default_graphs=[ONTOLOGY_GRAPH, PROVENANCE_GRAPH]), {})
    labels = {**described.labels, **names.labels}
    event_dates: dict[URIRef, tuple[date | None, date | None]] = {}
    for e, start, end in select_rows(store, _DATES_QUERY):
        if not isinstance(e, URIRef):
            continue
        old_start, old_end = event_dates.get(e, (None, None))
        found_start, found_end = _literal_date(start), _literal_date(end)
        new_start = min(filter(None, (old_start, found_start)), default=None)
        new_end = max(filter(None, (old_end, found_end)), default=None)
        event_dates[e] = (new_start, new_end)
    sources: dict[URIRef, SourceInfo] = {}
    for src, publisher, issued, url, title in select_rows(store, _SOURCES_QUERY):
        if not isinstance(src, URIRef) or src in sources:
            continue
        sources[src] = SourceInfo(src, publisher if isinstance(publisher, URIRef) else None,
                                  _literal_date(issued), None if url is None else str(url),
                                  None if title is None else str(title))
    publishers = tuple(_resolve_publishers(filters.publishers, names, sources))

    data = GraphData([], labels, names, dict(types), event_dates, sources, filters, publishers=publishers)
    rows = select_rows(store, _evidence_query(filters, publishers, literals))
    claims_seen: set[URIRef] = set()
    window = filters.start is not None or filters.end is not None
    lo, hi = filters.start or date.min, filters.end or date.max
    for claim, s, p, o, source, confidence in rows:
        if not isinstance(s, URIRef):
            continue  # blank-node subjects are not entities of the network
        ev = Evidence(claim, s, p, o, source, None if confidence is None else float(confidence))  # type: ignore[arg-type]
        claims_seen.add(claim)  # type: ignore[arg-type]
        if window:
            first, last = data.span(ev)
            if first is None or last is None or last < lo or first > hi:
                continue
        data.evidence.append(ev)
    data.claims_total = len(claims_seen)
    return data


def _resolve_publishers(refs: Sequence[str], names: EntityNames,
                        sources: Mapping[URIRef, SourceInfo]) -> list[URIRef]:
    """Publisher references to IRIs; a name may only answer with a publisher of some kept source."""
    known = {s.publisher for s in sources.values() if s.publisher is not None}
    out: list[URIRef] = []
    for ref in refs:
        try:
            found = names.lookup(ref, within=known)
        except AmbiguousEntityError as exc:
            raise ParameterError("publisher", str(exc)) from None
        if found is None:
            known_names = sorted(curie(str(p)) for p in known)
            raise ParameterError("publisher", f"{ref!r}: no such publisher (known: {', '.join(known_names) or 'none'})")
        out.append(found)
    return out


# -- building projections -------------------------------------------------------

class _Provenance:
    """Accumulates the provenance of one node or edge."""

    __slots__ = ("claims", "confidence", "events", "first", "last", "publishers", "relations", "sources")

    def __init__(self) -> None:
        self.claims: set[URIRef] = set()
        self.sources: set[URIRef] = set()
        self.confidence: dict[URIRef, float] = {}
        self.first: date | None = None
        self.last: date | None = None
        self.relations: set[str] = set()
        self.events: set[URIRef] = set()
        self.publishers: set[URIRef] = set()

    def add(self, data: GraphData, ev: Evidence) -> None:
        self.claims.add(ev.claim)
        if ev.source is not None:
            self.sources.add(ev.source)
            info = data.sources.get(ev.source)
            if info is not None and info.publisher is not None:
                self.publishers.add(info.publisher)
        if ev.confidence is not None:
            self.confidence[ev.claim] = ev.confidence
        first, last = data.span(ev)
        if first is not None:
            self.first = first if self.first is None else min(self.first, first)
        if last is not None:
            self.last = last if self.last is None else max(self.last, last)

    def merge(self, other: _Provenance) -> None:
        self.claims |= other.claims
        self.sources |= other.sources
        self.confidence.update(other.confidence)
        self.publishers |= other.publishers
        for d in (other.first, other.last):
            if d is not None:
                self.first = d if self.first is None else min(self.first, d)
                self.last = d if self.last is None else max(self.last, d)

    def attributes(self, data: GraphData) -> dict[str, object]:
        confidences = list(self.confidence.values())
        return {
            "weight": len(self.claims),
            "claim_count": len(self.claims),
            "source_count": len(self.sources),
            "confidence_mean": round(sum(confidences) / len(confidences), 4) if confidences else None,
            "confidence_max": max(confidences) if confidences else None,
            "first_seen": _iso(self.first),
            "last_seen": _iso(self.last),
            "relations": sorted(self.relations),
            "events": sorted(str(e) for e in self.events),
            "publishers": sorted(data.label(p) for p in self.publishers),
            "claims": sorted(str(c) for c in self.claims),
        }


def _node_attributes(data: GraphData, iri: URIRef, kind: str, prov: _Provenance | None) -> dict[str, object]:
    attrs: dict[str, object] = {"label": data.label(iri), "type": data.type_name(iri), "kind": kind, "iri": str(iri)}
    if kind == "event":
        start, end = data.event_dates.get(iri, (None, None))
        attrs["date"] = _iso(start)
        attrs["end_date"] = _iso(end)
    if prov is not None:
        attrs["claim_count"] = len(prov.claims)
        attrs["source_count"] = len(prov.sources)
        attrs["first_seen"] = _iso(prov.first)
        attrs["last_seen"] = _iso(prov.last)
    return attrs


def participations(data: GraphData) -> dict[URIRef, dict[str, dict[URIRef, _Provenance]]]:
    """Who takes part in each event: event → role (party, mediator, announcer) → actor → provenance.

    The provenance objects have ``claims``, ``sources``, ``confidence`` (claim → value),
    ``first``/``last`` dates and ``publishers``.
    """
    roles: dict[URIRef, dict[str, dict[URIRef, _Provenance]]] = defaultdict(lambda: defaultdict(dict))
    for ev in data.evidence:
        role = ROLE_PREDICATES.get(ev.predicate)
        if role is None or not isinstance(ev.object, URIRef):
            continue
        prov = roles[ev.subject][role].setdefault(ev.object, _Provenance())
        prov.add(data, ev)
        prov.events.add(ev.subject)
        prov.relations.add(role)
    return roles


def _graph_attrs(projection: str, data: GraphData) -> dict[str, Any]:
    return {"projection": projection, "filters": data.filters.to_json(), "claims_read": data.claims_total,
            "name": f"detente {projection} network"}


@without_gc
def build_actor_graph(data: GraphData) -> nx.Graph[str]:
    """The actor–actor projection of already-loaded :class:`GraphData`.

    Edge kinds (``relations``): ``agreement``, ``talks``, ``exchange``,
    ``announcement`` or ``event`` for co-parties of such an event;
    ``mediation`` between a mediator and a party; ``announced`` between an
    announcer and a party.
    """
    graph: nx.Graph[str] = nx.Graph(**_graph_attrs("actors", data))
    edges: dict[tuple[URIRef, URIRef], _Provenance] = {}
    node_prov: dict[URIRef, _Provenance] = defaultdict(_Provenance)

    def link(a: URIRef, b: URIRef, pa: _Provenance, pb: _Provenance, relation: str, event: URIRef) -> None:
        if a == b:
            return
        key = (a, b) if str(a) < str(b) else (b, a)
        prov = edges.get(key)
        if prov is None:
            prov = edges[key] = _Provenance()
        prov.merge(pa)
        prov.merge(pb)
        prov.relations.add(relation)
        prov.events.add(event)

    for event, by_role in participations(data).items():
        kind = event_kind(data.types.get(event, set()))
        parties = sorted(by_role.get("party", {}).items())
        for actors in by_role.values():
            for actor, prov in actors.items():
                node_prov[actor].merge(prov)
        for i, (a, pa) in enumerate(parties):
            for b, pb in parties[i + 1:]:
                link(a, b, pa, pb, kind, event)
        for role, relation in (("mediator", "mediation"), ("announcer", "announced")):
            for m, pm in by_role.get(role, {}).items():
                for b, pb in parties:
                    link(m, b, pm, pb, relation, event)
    for actor, prov in node_prov.items():
        graph.add_node(str(actor), **_node_attributes(data, actor, "actor", prov))
    for (a, b), prov in edges.items():
        graph.add_edge(str(a), str(b), **prov.attributes(data))
    return graph


@without_gc
def build_actor_event_graph(data: GraphData) -> nx.Graph[str]:
    """The actor–event bipartite projection of already-loaded :class:`GraphData`.

    Actors have ``bipartite=0``, events and agreements ``bipartite=1``; an
    edge's ``relations`` (and ``role``, joined by ``;``) are the actor's roles
    in the event: party, mediator, announcer.
    """
    graph: nx.Graph[str] = nx.Graph(**_graph_attrs("bipartite", data))
    links: dict[tuple[URIRef, URIRef], _Provenance] = {}
    actor_prov: dict[URIRef, _Provenance] = defaultdict(_Provenance)
    for event, by_role in participations(data).items():
        event_prov = _Provenance()
        for actors in by_role.values():
            for actor, prov in actors.items():
                link = links.get((actor, event))
                if link is None:
                    link = links[actor, event] = _Provenance()
                link.merge(prov)
                link.relations |= prov.relations
                link.events.add(event)
                event_prov.merge(prov)
                actor_prov[actor].merge(prov)
        graph.add_node(str(event), bipartite=1, **_node_attributes(data, event, "event", event_prov))
    for actor, prov in actor_prov.items():
        graph.add_node(str(actor), bipartite=0, **_node_attributes(data, actor, "actor", prov))
    for (actor, event), prov in links.items():
        attrs = prov.attributes(data)
        graph.add_edge(str(actor), str(event), role=";".join(attrs["relations"]), **attrs)  # type: ignore[arg-type]
    return graph


@without_gc
def build_full_graph(data: GraphData) -> nx.MultiDiGraph[str]:
    """Every entity-to-entity fact as a directed edge keyed by its predicate CURIE."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(**_graph_attrs("full", data))
    edges: dict[tuple[URIRef, URIRef, URIRef], _Provenance] = {}
    nodes: dict[URIRef, _Provenance] = defaultdict(_Provenance)
    for ev in data.evidence:
        if not isinstance(ev.object, URIRef) or ev.predicate == RDF.type:
            continue
        key = (ev.subject, ev.predicate, ev.object)
        prov = edges.get(key)
        if prov is None:
            prov = edges[key] = _Provenance()
            prov.relations.add(curie(str(ev.predicate)))
        prov.add(data, ev)
        nodes[ev.subject].add(data, ev)
        nodes[ev.object].add(data, ev)
    for iri, prov in nodes.items():
        kind = "actor" if data.is_actor(iri) else "event" if data.is_event(iri) else "entity"
        graph.add_node(str(iri), **_node_attributes(data, iri, kind, prov))
    for (s, p, o), prov in edges.items():
        graph.add_edge(str(s), str(o), key=curie(str(p)), predicate=str(p), **prov.attributes(data))
    return graph


_BUILDERS = {"actors": build_actor_graph, "bipartite": build_actor_event_graph, "full": build_full_graph}


def build(data: GraphData, projection: str = "actors") -> nx.Graph[str]:
    """Build a named projection (``actors``, ``bipartite``, ``full``) from loaded data."""
    try:
        builder = _BUILDERS[projection]
    except KeyError:
        raise ParameterError("projection", f"{projection!r} is not one of {', '.join(PROJECTION_NAMES)}") from None
    return builder(data)


def project(store: Store, projection: str = "actors", filters: Filters | None = None,
            **filter_params: Any) -> nx.Graph[str]:
    """Read the store and build a projection.

    Parameters
    ----------
    projection:
        ``"actors"``, ``"bipartite"`` or ``"full"``.
    filters, **filter_params:
        A :class:`Filters`, or its fields as keywords (``start``, ``end``,
        ``min_confidence``, ``publishers``, ``date_basis``).

    >>> from detente.graph.store import open_store
    >>> project(open_store("memory:"), "full").is_multigraph()
    True
    """
    if filters is None:
        filters = Filters.from_params(**filter_params)
    elif filter_params:
        raise ParameterError("filters", "pass either filters= or individual filter parameters, not both")
    if projection not in _BUILDERS:
        raise ParameterError("projection", f"{projection!r} is not one of {', '.join(PROJECTION_NAMES)}")
    return build(load_graph_data(store, filters), projection)


def actor_graph(store: Store, filters: Filters | None = None, **filter_params: Any) -> nx.Graph[str]:
    """The actor–actor projection (see the module docstring)."""
    return project(store, "actors", filters, **filter_params)


def actor_event_graph(store: Store, filters: Filters | None = None, **filter_params: Any) -> nx.Graph[str]:
    """The actor–event bipartite projection."""
    return project(store, "bipartite", filters, **filter_params)


def full_graph(store: Store, filters: Filters | None = None, **filter_params: Any) -> nx.MultiDiGraph[str]:
    """The whole graph: every entity-to-entity fact."""
    return project(store, "full", filters, **filter_params)  # type: ignore[return-value]


__all__ = [
    "Evidence", "Filters", "participations", "GraphData", "PROJECTION_NAMES", "ROLE_PREDICATES", "SourceInfo",
    "actor_event_graph", "actor_graph", "actor_types", "build", "build_actor_event_graph", "build_actor_graph",
    "build_full_graph", "curie",
    "event_kind", "full_graph", "load_graph_data", "local_name", "most_specific_type", "project", "select_rows",
    "split_filter_params", "FILTER_PARAMETERS", "FILTER_PARAMS",
]
