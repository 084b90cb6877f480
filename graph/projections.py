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

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal as TypingLiteral

import networkx as nx
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from detente.errors import UsageError
from detente.graph.performance import without_gc
from detente.graph.store import Store
from detente.graph.terms import Term
from detente.ontology.vocab import DT, PREFIXES, expand_curie

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
    """Which claims a projection keeps.

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
        like ``organization:meridian-wire``, or labels/aliases, case-insensitive).
    date_basis:
        ``"event"`` (default) or ``"issued"``.

    >>> Filters.from_params(start="2022-01-01", min_confidence="0.8", publisher="Meridian Wire").to_json()
    {'start': '2022-01-01', 'end': None, 'min_confidence': 0.8, 'publishers': ['Meridian Wire'], 'date_basis': 'event'}
    """

    start: date | None = None
    end: date | None = None
    min_confidence: float | None = None
    publishers: tuple[str, ...] = ()
    date_basis: DateBasis = "event"

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise UsageError(f"filter start {self.start} is after end {self.end}")
        if self.min_confidence is not None and not 0.0 <= self.min_confidence <= 1.0:
            raise UsageError(f"min_confidence must be between 0 and 1, got {self.min_confidence}")
        if self.date_basis not in ("event", "issued"):
            raise UsageError(f"date_basis must be 'event' or 'issued', got {self.date_basis!r}")

    @classmethod
    def from_params(cls, *, start: date | str | None = None, end: date | str | None = None,
                    min_confidence: float | str | None = None,
                    publishers: str | Iterable[str] | None = None, publisher: str | Iterable[str] | None = None,
                    date_basis: str = "event") -> "Filters":
        """Build filters from loose values (query-string text, CLI options).

        ``publishers``/``publisher`` take one value, a comma-separated string, or a list.
        """
        pubs: list[str] = []
        for value in (publishers, publisher):
            if value is None:
                continue
            items = [value] if isinstance(value, str) else list(value)
            for item in items:
                pubs.extend(p.strip() for p in str(item).split(",") if p.strip())
        conf: float | None
        if min_confidence is None or min_confidence == "":
            conf = None
        else:
            try:
                conf = float(min_confidence)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise UsageError(f"min_confidence: not a number: {min_confidence!r}") from None
        return cls(start=_parse_date(start, "start"), end=_parse_date(end, "end"), min_confidence=conf,
                   publishers=tuple(pubs), date_basis=date_basis)  # type: ignore[arg-type]

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.start or self.end or self.min_confidence is not None or self.publishers)

    def to_json(self) -> dict[str, object]:
        return {"start": _iso(self.start), "end": _iso(self.end), "min_confidence": self.min_confidence,
                "publishers": list(self.publishers), "date_basis": self.date_basis}


FILTER_PARAMS = ("start", "end", "min_confidence", "publishers", "publisher", "date_basis")


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
            raise UsageError("pass either filters= or individual filter parameters, not both")
        if not isinstance(existing, Filters):
            raise UsageError("filters must be a Filters instance")
        return existing, rest
    return Filters.from_params(**given), rest


def _parse_date(value: date | str | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    # Years and year-months are accepted as the start of that period.
    if re.fullmatch(r"\d{4}", text):
        text += "-01-01"
    elif re.fullmatch(r"\d{4}-\d{2}", text):
        text += "-01"
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise UsageError(f"{name}: not a date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}") from None


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _literal_date(term: Term | None) -> date | None:
    if term is None:
        return None
    try:
        return _parse_date(str(term), "date")
    except ValueError:
        return None


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
    labels, aliases:
        Entity labels (one per entity) and every label and alias, lower-cased → entities.
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
    aliases: dict[str, set[URIRef]]
    types: dict[URIRef, set[URIRef]]
    event_dates: dict[URIRef, tuple[date | None, date | None]]
    sources: dict[URIRef, SourceInfo]
    filters: Filters
    claims_total: int = 0
    publishers: tuple[URIRef, ...] = ()
    _dates: dict[tuple[URIRef, URIRef | None], tuple[date | None, date | None]] = field(default_factory=dict, repr=False)

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
        """An entity IRI from an IRI, a CURIE (``state:UKR``) or a label/alias (case-insensitive).

        Raises :class:`~detente.errors.UsageError` (a ValueError) naming the reference when nothing or
        several things match.
        """
        return resolve_in(ref, self.aliases, self.labels, self.types)

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
def actor_types() -> frozenset[URIRef]:
    """``dt:Actor`` and its subclasses, from the ontology."""
    from detente.ontology.schema import subclasses

    return frozenset(subclasses(DT.Actor) | {DT.Actor})


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


def curie(iri: str) -> str:
    """The shortest project CURIE for an IRI, or the IRI itself.

    >>> curie("https://w3id.org/detente/ontology#hasParty")
    'dt:hasParty'
    """
    best = iri
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) - len(ns) + len(prefix) + 1 < len(best):
            local = iri[len(ns):]
            if re.fullmatch(r"[A-Za-z0-9_.\-]+", local):
                best = f"{prefix}:{local}"
    return best


def _opt(term: Term | None) -> str | None:
    return None if term is None else str(term)


_IRI_SAFE = re.compile(r'^[^\s<>"{}|^`\\]+$')


def _iri_text(iri: URIRef) -> str:
    if not _IRI_SAFE.match(str(iri)):
        raise ValueError(f"not a usable IRI: {str(iri)!r}")
    return f"<{iri}>"


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
        values = " ".join(_iri_text(p) for p in publishers)
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

_LABELS_QUERY = """
SELECT ?e ?label ?alias WHERE {
  { ?e rdfs:label ?label } UNION { ?e skos:altLabel ?alias }
}"""

_TYPES_QUERY = """
SELECT DISTINCT ?e ?t WHERE {
  ?e a ?t .
  FILTER(STRSTARTS(STR(?t), STR(dt:)) && ?t NOT IN (%s))
}""" % ", ".join(f"<{t}>" for t in _NON_ENTITY_TYPES)

_DATES_QUERY = """
SELECT ?e ?start ?end WHERE {
  { ?e dt:startDate ?start } UNION { ?e dt:endDate ?end }
}"""


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

def select_rows(store: Store, sparql: str) -> list[tuple[Term | None, ...]]:
    """Run a SELECT and return its rows, with equal terms shared as one object.

    Reads SPARQL JSON results through :meth:`Store.query_serialized` (every
    backend serialises natively) and builds each distinct term once: a
    projection sees the same few thousand IRIs hundreds of thousands of times,
    and shared objects make the dictionary work that follows much cheaper.

    >>> from detente.graph.store import open_store
    >>> select_rows(open_store("memory:"), "SELECT ?x WHERE { VALUES ?x { 1 } }")
    [(rdflib.term.Literal('1', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')),)]
    """
    document = json.loads(store.query_serialized(sparql, "json").body)
    names = document["head"]["vars"]
    iris: dict[str, URIRef] = {}
    others: dict[tuple[str, str, str | None, str | None], Term] = {}
    rows: list[tuple[Term | None, ...]] = []
    for binding in document["results"]["bindings"]:
        row: list[Term | None] = []
        for name in names:
            cell = binding.get(name)
            if cell is None:
                row.append(None)
                continue
            value = cell["value"]
            if cell["type"] == "uri":
                found = iris.get(value)
                if found is None:
                    found = iris[value] = URIRef(value)
                row.append(found)
                continue
            key = (cell["type"], value, cell.get("datatype"), cell.get("xml:lang"))
            other = others.get(key)
            if other is None:
                other = others[key] = _term_from_json(*key)
            row.append(other)
        rows.append(tuple(row))
    return rows


def _term_from_json(kind: str, value: str, datatype: str | None, lang: str | None) -> Term:
    if kind == "bnode":
        return BNode(value)
    if lang:
        return Literal(value, lang=lang)
    if datatype and datatype != _XSD_STRING:
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


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
    labels: dict[URIRef, str] = {}
    aliases: dict[str, set[URIRef]] = defaultdict(set)
    label_language: dict[URIRef, str | None] = {}
    for e, label, alias in select_rows(store, _LABELS_QUERY):
        if not isinstance(e, URIRef):
            continue
        text = label if label is not None else alias
        if text is None:
            continue
        aliases[str(text).strip().lower()].add(e)
        if label is not None:
            # One label per entity: English (or untagged) wins over other languages.
            language = getattr(label, "language", None)
            if e not in labels or (language in (None, "en") and label_language.get(e) not in (None, "en")):
                labels[e] = str(label)
                label_language[e] = language
    types: dict[URIRef, set[URIRef]] = defaultdict(set)
    for e, t in select_rows(store, _TYPES_QUERY):
        if isinstance(e, URIRef) and isinstance(t, URIRef):
            types[e].add(t)
    event_dates: dict[URIRef, tuple[date | None, date | None]] = {}
    for e, start, end in select_rows(store, _DATES_QUERY):
        if not isinstance(e, URIRef):
            continue
        old_start, old_end = event_dates.get(e, (None, None))
        s, en = _literal_date(start), _literal_date(end)
        new_start = min(filter(None, (old_start, s)), default=None)
        new_end = max(filter(None, (old_end, en)), default=None)
        event_dates[e] = (new_start, new_end)
    sources: dict[URIRef, SourceInfo] = {}
    for src, publisher, issued, url, title in select_rows(store, _SOURCES_QUERY):
        if not isinstance(src, URIRef) or src in sources:
            continue
        sources[src] = SourceInfo(src, publisher if isinstance(publisher, URIRef) else None,
                                  _literal_date(issued), None if url is None else str(url),
                                  None if title is None else str(title))
    publishers = tuple(_resolve_publishers(filters.publishers, aliases, sources))

    data = GraphData([], labels, dict(aliases), dict(types), event_dates, sources, filters, publishers=publishers)
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


def _resolve_publishers(refs: Sequence[str], aliases: Mapping[str, set[URIRef]],
                        sources: Mapping[URIRef, SourceInfo]) -> list[URIRef]:
    known = {s.publisher for s in sources.values() if s.publisher is not None}
    out: list[URIRef] = []
    for ref in refs:
        candidates: set[URIRef]
        if ref.startswith(("http://", "https://", "urn:")):
            candidates = {URIRef(ref)}
        elif (expanded := expand_curie(ref)) is not None:
            candidates = {URIRef(expanded)}
        else:
            candidates = {e for e in aliases.get(ref.strip().lower(), set()) if e in known}
        if not candidates:
            names = sorted(curie(str(p)) for p in known)
            raise UsageError(f"publisher {ref!r}: no such publisher (known: {', '.join(names) or 'none'})")
        out.extend(sorted(candidates))
    return out


def resolve_in(ref: str | URIRef, aliases: Mapping[str, set[URIRef]], labels: Mapping[URIRef, str],
               types: Mapping[URIRef, set[URIRef]]) -> URIRef:
    """Resolve an entity reference against label and alias tables (see :meth:`GraphData.resolve`)."""
    text = str(ref).strip()
    if not text:
        raise UsageError("empty entity reference")
    if text.startswith(("http://", "https://", "urn:")):
        return URIRef(text)
    expanded = expand_curie(text)
    if expanded is not None:
        return URIRef(expanded)
    matches = aliases.get(text.lower(), set())
    if len(matches) == 1:
        return next(iter(matches))
    if len(matches) > 1:
        # Prefer the entity whose own label it is, then actors.
        own = {m for m in matches if labels.get(m, "").lower() == text.lower()}
        if len(own) == 1:
            return next(iter(own))
        actors = {m for m in matches if types.get(m, set()) & actor_types()}
        if len(actors) == 1:
            return next(iter(actors))
        raise UsageError(f"entity {text!r} is ambiguous: {', '.join(sorted(curie(str(m)) for m in matches))}")
    raise UsageError(f"entity {text!r}: no entity has this IRI, CURIE, label or alias")


# -- building projections -------------------------------------------------------

class _Provenance:
    """Accumulates the provenance of one node or edge."""

    __slots__ = ("claims", "sources", "confidence", "first", "last", "relations", "events", "publishers")

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

    def merge(self, other: "_Provenance") -> None:
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


def _graph_attrs(projection: str, data: GraphData) -> dict[str, object]:
    return {"projection": projection, "filters": data.filters.to_json(), "claims_read": data.claims_total,
            "name": f"detente {projection} network"}


@without_gc
def build_actor_graph(data: GraphData) -> nx.Graph:
    """The actor–actor projection of already-loaded :class:`GraphData`.

    Edge kinds (``relations``): ``agreement``, ``talks``, ``exchange``,
    ``announcement`` or ``event`` for co-parties of such an event;
    ``mediation`` between a mediator and a party; ``announced`` between an
    announcer and a party.
    """
    graph = nx.Graph(**_graph_attrs("actors", data))
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
        for role, actors in by_role.items():
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
def build_actor_event_graph(data: GraphData) -> nx.Graph:
    """The actor–event bipartite projection of already-loaded :class:`GraphData`.

    Actors have ``bipartite=0``, events and agreements ``bipartite=1``; an
    edge's ``relations`` (and ``role``, joined by ``;``) are the actor's roles
    in the event: party, mediator, announcer.
    """
    graph = nx.Graph(**_graph_attrs("bipartite", data))
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
def build_full_graph(data: GraphData) -> nx.MultiDiGraph:
    """Every entity-to-entity fact as a directed edge keyed by its predicate CURIE."""
    graph = nx.MultiDiGraph(**_graph_attrs("full", data))
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


def build(data: GraphData, projection: str = "actors") -> nx.Graph:
    """Build a named projection (``actors``, ``bipartite``, ``full``) from loaded data."""
    try:
        builder = _BUILDERS[projection]
    except KeyError:
        raise UsageError(f"unknown projection {projection!r}; choose one of {', '.join(PROJECTION_NAMES)}") from None
    return builder(data)


def project(store: Store, projection: str = "actors", filters: Filters | None = None, **filter_params: Any) -> nx.Graph:
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
        raise UsageError("pass either filters= or individual filter parameters, not both")
    if projection not in _BUILDERS:
        raise UsageError(f"unknown projection {projection!r}; choose one of {', '.join(PROJECTION_NAMES)}")
    return build(load_graph_data(store, filters), projection)


def actor_graph(store: Store, filters: Filters | None = None, **filter_params: Any) -> nx.Graph:
    """The actor–actor projection (see the module docstring)."""
    return project(store, "actors", filters, **filter_params)


def actor_event_graph(store: Store, filters: Filters | None = None, **filter_params: Any) -> nx.Graph:
    """The actor–event bipartite projection."""
    return project(store, "bipartite", filters, **filter_params)


def full_graph(store: Store, filters: Filters | None = None, **filter_params: Any) -> nx.MultiDiGraph:
    """The whole graph: every entity-to-entity fact."""
    return project(store, "full", filters, **filter_params)  # type: ignore[return-value]


__all__ = [
    "Evidence", "Filters", "participations", "GraphData", "PROJECTION_NAMES", "ROLE_PREDICATES", "SourceInfo", "actor_event_graph",
    "actor_graph", "build", "build_actor_event_graph", "build_actor_graph", "build_full_graph", "curie",
    "event_kind", "full_graph", "load_graph_data", "local_name", "most_specific_type", "project",
    "split_filter_params", "FILTER_PARAMS",
]
