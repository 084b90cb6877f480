"""Linking: one IRI per event and actor across sources, with every decision kept as provenance.

Two things are linked here.

Actors
    :func:`resolve_actor` is the one function loaders call to name an actor
    from text: a name the one resolver knows
    (:class:`~detente.graph.entities.EntityNames`, through the registry's
    :attr:`~detente.loaders.registry.EntityRegistry.names`), else a role
    ("U.S. special envoy") matched to the registry's or the store's person
    who holds that role for that state.

Events and agreements
    An extracted event is compared with the events already in the store of
    the same type family (talks; agreements, ceasefires and peace agreements;
    exchanges) by :func:`score_pair`: shared parties, dates within a window
    set by their precision, venue, prisoner counts, and the talks an
    agreement was reached during. A score of at least :data:`REUSE` reuses
    the store's IRI (the story then corroborates or contradicts what the
    store holds); a score of at least :data:`CANDIDATE` keeps the new IRI
    and records ``dt:possiblySameAs``. :func:`link_store` re-runs the
    comparison over the whole store (GDELT, UCDP, news and claim-document
    events alike); :func:`accept` and :func:`unlink` write and withdraw
    ``owl:sameAs`` in the facts view.

Every decision is a ``dt:LinkRecord`` in the provenance graph: the two IRIs,
the decision (``reused``, ``candidate``, ``accepted``, ``unlinked``), the
score, the evidence in words, and the ``dt:LinkingActivity`` (method
:data:`METHOD`) that made it. The store is read set-wise: one query for the
candidate events of a batch (type families, date window, shared parties),
one for the decisions already taken.

>>> a = EventFacts(URIRef("urn:a"), "agreement", parties=frozenset({"UKR", "RUS"}), start=date(2025, 3, 12),
...                counts=frozenset({314}))
>>> b = EventFacts(URIRef("urn:b"), "agreement", parties=frozenset({"UKR", "RUS"}), start=date(2025, 3, 12),
...                counts=frozenset({300, 314}))
>>> score, evidence = score_pair(a, b)
>>> score >= REUSE, evidence[0]
(True, 'parties shared: RUS, UKR')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import cast

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from detente.errors import AmbiguousEntityError, NotFoundError, UnknownEntityError, UsageError
from detente.graph.claims import Claim, digest, slug
from detente.graph.entities import normalize_label
from detente.graph.store import Store
from detente.graph.terms import Term, nquad, term_nt
from detente.graph.writes import write_links
from detente.loaders.registry import EntityRegistry
from detente.ontology.vocab import DT, DTR, PROVENANCE_GRAPH, TYPE_SEGMENTS

METHOD = "detente-link:events:v1"
ACTIVITY_IRI = DTR["activity/detente-link-events-v1"]
#: Actors named by a role ("U.S. special envoy") resolved to the person who holds it.
ACTOR_METHOD = "detente-link:actors:v1"
_ACTIVITIES = {
    METHOD: (ACTIVITY_IRI, "events and agreements linked across sources by detente"),
    ACTOR_METHOD: (DTR["activity/detente-link-actors-v1"],
                   "actors named by a role resolved to who holds it, by detente"),
}
REUSE = 0.85
CANDIDATE = 0.6

#: Classes by type family; only these are linked (a plain dt:Event is too vague to match).
FAMILIES: dict[URIRef, str] = {
    DT.Talks: "talks", DT.Agreement: "agreement", DT.Ceasefire: "agreement", DT.PeaceAgreement: "agreement",
    DT.Exchange: "exchange", DT.PrisonerExchange: "exchange",
}
#: Days two dates may lie apart, by the coarser of their precisions.
WINDOWS: dict[str, int] = {"day": 7, "week": 14, "month": 45, "year": 400}
_WEIGHTS = {"parties": 0.4, "date": 0.25, "venue": 0.15, "count": 0.2, "context": 0.3}
_COVERAGE = 0.65  # evidence weight needed for a full score; less evidence scales the score down


# -- actors ---------------------------------------------------------------------

_ROLE_WORDS = re.compile(r"[a-z]+")


def resolve_actor(registry: EntityRegistry, name: str, *, role: str | None = None,
                  represents: URIRef | None = None, entity_type: URIRef = DT.Person) -> URIRef | None:
    """The actor a name or a role refers to, or None when nothing known fits.

    ``name`` is looked up by the one resolver (a label, alias, code, CURIE or
    IRI; see :mod:`detente.graph.entities`). With ``role`` and ``represents``
    ("special envoy" of ``state:USA``), a known person who represents that
    state and whose label holds the role's words is found too, so "the U.S.
    special envoy" and "US special envoy" name one person. A name several
    entities share and no role settles gives None (minting it then names the
    candidates in a field error).

    A match by role is a linking decision: it is kept in ``registry.link_records``
    as a :class:`LinkDecision` (method :data:`ACTOR_METHOD`) from the IRI the
    name as written would have been minted as (of ``entity_type``) to the person
    found, with the evidence, for the loader to write into the provenance graph.

    >>> from detente.loaders.registry import Entity
    >>> registry = EntityRegistry()
    >>> envoy = registry.add(Entity(DTR["person/us-special-envoy"], DT.Envoy, "U.S. special envoy",
    ...                             represents=DTR["state/USA"])).iri
    >>> resolve_actor(registry, "American special envoy", role="special envoy", represents=DTR["state/USA"]) == envoy
    True
    >>> [(d.decision, d.method, d.evidence[0]) for d in registry.link_records]
    [('reused', 'detente-link:actors:v1', "role 'special envoy' in the label 'U.S. special envoy'")]
    >>> str(resolve_actor(registry, "U.S."))
    'https://w3id.org/detente/id/state/USA'
    """
    try:
        known = registry.names.lookup(name)
    except AmbiguousEntityError:
        known = None
    if known is not None:
        return known
    if role is None or represents is None:
        return None
    words = set(_ROLE_WORDS.findall(normalize_label(role)))
    found = [e for e in registry if e.represents == represents and e.type in (DT.Envoy, DT.Person)
             and words <= set(_ROLE_WORDS.findall(normalize_label(e.label)))]
    if len(found) != 1:
        return None
    from detente.graph.terms import curie

    person = found[0]
    as_written = DTR[f"{TYPE_SEGMENTS.get(entity_type, 'person')}/{slug(name)}"]
    if as_written != person.iri:
        registry.link_records.append(LinkDecision(
            as_written, person.iri, "reused", 1.0,
            (f"role {role!r} in the label {person.label!r}", f"both represent {curie(str(represents))}",
             f"the only person known to hold it; named {name!r} in the text"), method=ACTOR_METHOD))
    return person.iri


_SMALL_WORDS = frozenset({"of", "the", "and", "for", "de", "la", "du", "des", "el", "del", "y", "et"})


def initials(name: str) -> str:
    """The initials of a multi-word name, small words left out ("Justice and Equality Movement" → "JEM").

    >>> initials("Sudan Revolutionary Front"), initials("Sudan People's Liberation Movement"), initials("Ukraine")
    ('SRF', 'SPLM', '')
    """
    words = [w for w in re.findall(r"[^\W\d_][\w'’\-]*", name) if w.lower() not in _SMALL_WORDS]
    return "".join(w[0].upper() for w in words) if len(words) >= 2 else ""


def resolve_by_initials(registry: EntityRegistry, name: str, entity_type: URIRef = DT.Organization
                        ) -> URIRef | None:
    """A known organisation whose name is an acronym of ``name``'s initials ("SRF" for "Sudan Revolutionary Front").

    Datasets such as UCDP name armed groups by acronym only; a story names them
    in full. Three letters at least, and the acronym must be one of the
    organisation's own names (a state's code never counts). The decision is a
    link record in ``registry.link_records`` (method :data:`ACTOR_METHOD`).

    >>> from detente.loaders.registry import Entity
    >>> registry = EntityRegistry()
    >>> srf = registry.add(Entity(DTR["organization/srf"], DT.Organization, "SRF")).iri
    >>> resolve_by_initials(registry, "Sudan Revolutionary Front") == srf, registry.link_records[0].evidence[0]
    (True, "'SRF' is the initials of 'Sudan Revolutionary Front'")
    >>> resolve_by_initials(registry, "United States Army") is None  # USA is a state's code, not an organisation
    True
    """
    acronym = initials(name)
    if len(acronym) < 3:
        return None
    try:
        found = registry.names.lookup(acronym)
    except AmbiguousEntityError:
        return None
    entity = registry.get(found) if found is not None else None
    if entity is None or entity.type not in (DT.Organization, DT.InternationalOrganization) or \
            acronym not in {normalize_label(n).replace(" ", "").upper() for n in (entity.label, *entity.aliases)}:
        return None
    from detente.graph.terms import curie

    as_written = DTR[f"{TYPE_SEGMENTS.get(entity_type, 'organization')}/{slug(name)}"]
    registry.link_records.append(LinkDecision(
        as_written, entity.iri, "reused", 1.0,
        (f"{acronym!r} is the initials of {name!r}", f"{curie(str(entity.iri))} is named {acronym!r}"),
        method=ACTOR_METHOD))
    return entity.iri


def index_store_roles(registry: EntityRegistry, store: Store) -> None:
    """Teach the registry whom the store's people represent (one query), for :func:`resolve_actor`."""
    rows = store.query("SELECT DISTINCT ?person ?state WHERE { ?person dt:represents ?state }").rows
    for person, state in rows:
        entity = registry.get(person)  # type: ignore[arg-type]
        if entity is not None and entity.represents is None:
            entity.represents = state  # type: ignore[assignment]


# -- events ---------------------------------------------------------------------

@dataclass(frozen=True)
class EventFacts:
    """What linking compares of one event: family, parties (ISO codes or IRIs), date, venue, counts."""

    iri: URIRef
    family: str
    parties: frozenset[str] = frozenset()
    start: date | None = None
    precision: str = "day"
    venue: str | None = None  # compared by country: a city counts as its state
    counts: frozenset[int] = frozenset()
    during: frozenset[URIRef] = frozenset()
    label: str | None = None


def _actor_key(iri: Term) -> str:
    text = str(iri)
    return text.rsplit("/", 1)[-1] if text.startswith(str(DTR) + "state/") else text


def score_pair(a: EventFacts, b: EventFacts, *, same_context: bool = False) -> tuple[float, list[str]]:
    """How likely two events are one, from 0 to 1, and the evidence in words.

    Different families, parties that share nobody, or dates further apart
    than their window give 0. ``same_context`` says the agreements reached
    during the two talks are already one.
    """
    if a.family != b.family:
        return 0.0, [f"type families differ ({a.family}, {b.family})"]
    features: list[tuple[float, float]] = []
    evidence: list[str] = []
    if a.parties and b.parties:
        shared = a.parties & b.parties
        if not shared:
            return 0.0, ["no shared party"]
        features.append((_WEIGHTS["parties"], len(shared) / len(a.parties | b.parties)))
        evidence.append("parties shared: " + ", ".join(sorted(_short(p) for p in shared)))
        if a.parties != b.parties:
            evidence.append("parties only one side names: " +
                            ", ".join(sorted(_short(p) for p in a.parties ^ b.parties)))
    if a.start is not None and b.start is not None:
        days = abs((a.start - b.start).days)
        window = max(WINDOWS.get(a.precision, 7), WINDOWS.get(b.precision, 7))
        if days > window:
            return 0.0, [f"dates {a.start} and {b.start} are {days} days apart (window {window})"]
        features.append((_WEIGHTS["date"], 1.0 - days / (window + 1)))
        evidence.append(f"dates {a.start} and {b.start}, {days} day(s) apart")
    venue_differs = False
    if a.venue is not None and b.venue is not None:
        same = a.venue == b.venue
        venue_differs = not same
        features.append((_WEIGHTS["venue"], 1.0 if same else 0.0))
        evidence.append(f"venue {'the same' if same else 'differs'}: {_short(a.venue)}"
                        + ("" if same else f" / {_short(b.venue)}"))
    if a.counts and b.counts:
        same_count = bool(a.counts & b.counts)
        features.append((_WEIGHTS["count"], 1.0 if same_count else 0.3))
        evidence.append(f"prisoner counts {'agree' if same_count else 'differ'}: "
                        f"{sorted(a.counts)} / {sorted(b.counts)}")
    if same_context:
        features.append((_WEIGHTS["context"], 1.0))
        evidence.append("the agreement reached during them is the same")
    weight = sum(w for w, _v in features)
    if not features or not (a.parties and b.parties):
        return 0.0, [*evidence, "too little evidence: parties are needed"]
    score = sum(w * v for w, v in features) / weight * min(1.0, weight / _COVERAGE)
    if venue_differs:
        score /= 2  # held in two different countries: strong evidence of two events
    return round(score, 3), evidence


def _short(value: str) -> str:
    return value.rsplit("/", 1)[-1]


_EVENTS_QUERY = """
SELECT ?e (SAMPLE(?type) AS ?t) (GROUP_CONCAT(DISTINCT STR(?party); separator=" ") AS ?parties)
       (SAMPLE(?venue) AS ?v) (MIN(?start) AS ?s) (SAMPLE(?precision) AS ?prec)
       (GROUP_CONCAT(DISTINCT STR(?count); separator=" ") AS ?counts)
       (GROUP_CONCAT(DISTINCT STR(?during); separator=" ") AS ?talks) (SAMPLE(?label) AS ?l) %s
WHERE {
  %s
  VALUES ?type { dt:Talks dt:Agreement dt:Ceasefire dt:PeaceAgreement dt:Exchange dt:PrisonerExchange }
  ?e a ?type .
  OPTIONAL { ?e dt:hasParty ?party }
  OPTIONAL { ?e dt:heldAt ?place OPTIONAL { ?place dt:country ?placeCountry }
             BIND(COALESCE(?placeCountry, ?place) AS ?venue) }
  OPTIONAL { ?e dt:startDate ?start }
  OPTIONAL { ?e dt:datePrecision ?precision }
  OPTIONAL { ?e dt:prisonerCount ?count }
  OPTIONAL { ?e dt:reachedDuring ?during }
  OPTIONAL { ?e rdfs:label ?label }
  %s
} GROUP BY ?e %s
"""


def read_events(store: Store, *, parties: Iterable[URIRef] = (), start: date | None = None,
                end: date | None = None) -> list[EventFacts]:
    """Events of the linked families in one query; narrowed to those sharing a party and to a date window.

    Undated events stay in (their date cannot rule them out).
    """
    party_block = ""
    wanted = sorted(set(parties))
    if wanted:
        party_block = "VALUES ?anyParty { " + " ".join(term_nt(p) for p in wanted) + " } ?e dt:hasParty ?anyParty ."
    window = ""
    bindings: dict[str, Term] = {}
    if start is not None and end is not None:
        window = "FILTER(!BOUND(?start) || (?start >= ?from && ?start <= ?to))"
        bindings = {"from": Literal(start.isoformat(), datatype=XSD.date),
                    "to": Literal(end.isoformat(), datatype=XSD.date)}
    # Bound variables are projected (SEP-0007), so the window's ends are grouped and selected too.
    ends = "?from ?to" if bindings else ""
    rows = store.query(_EVENTS_QUERY % (ends, party_block, window, ends), bindings=bindings).rows
    out = []
    for e, t, party_text, venue, start_value, precision, counts, talks, label, *_window in rows:
        out.append(EventFacts(
            cast(URIRef, e), FAMILIES[cast(URIRef, t)],
            frozenset(_actor_key(URIRef(p)) for p in str(party_text or "").split()),
            _as_date(start_value), str(precision) if precision else "day",
            None if venue is None else _actor_key(venue),
            frozenset(int(c) for c in str(counts or "").split() if c.lstrip("-").isdigit()),
            frozenset(URIRef(x) for x in str(talks or "").split()), None if label is None else str(label)))
    return out


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def facts_of_claims(claims: Sequence[Claim], nodes: Iterable[URIRef],
                    registry: EntityRegistry | None = None) -> dict[URIRef, EventFacts]:
    """The facts a batch of claims states about its event nodes (venues by their country, as the registry knows it)."""
    wanted = set(nodes)
    raw: dict[URIRef, _StatedFacts] = {n: _StatedFacts() for n in wanted}
    for claim in claims:
        for s, p, o in claim.statements:
            if not isinstance(s, URIRef) or s not in raw:  # raw's keys are URIRefs: no other term equals one
                continue
            facts = raw[s]
            if p == RDF.type and isinstance(o, URIRef) and o in FAMILIES:  # keys are URIRefs: no other term equals one
                facts.family = FAMILIES[o]
            elif p == DT.hasParty:
                facts.parties.add(_actor_key(o))
            elif p == DT.heldAt:
                place = registry.get(cast(URIRef, o)) if registry is not None else None
                facts.venue = _actor_key(place.country if place is not None and place.country is not None else o)
            elif p == DT.startDate:
                facts.start = _as_date(o)
            elif p == DT.datePrecision:
                facts.precision = str(o)
            elif p == DT.prisonerCount:
                facts.counts.add(int(o))
            elif p == DT.reachedDuring:
                facts.during.add(cast(URIRef, o))
    out = {}
    for node, f in raw.items():
        if f.family is not None:
            out[node] = EventFacts(node, f.family, frozenset(f.parties), f.start, f.precision, f.venue,
                                   frozenset(f.counts), frozenset(f.during))
    return out


@dataclass
class _StatedFacts:
    """What the claims of a batch state about one event node, gathered for its :class:`EventFacts`."""

    family: str | None = None
    parties: set[str] = field(default_factory=set)
    start: date | None = None
    precision: str = "day"
    venue: str | None = None
    counts: set[int] = field(default_factory=set)
    during: set[URIRef] = field(default_factory=set)


# -- decisions ------------------------------------------------------------------

@dataclass(frozen=True)
class LinkDecision:
    """One linking decision, written as a ``dt:LinkRecord`` in the provenance graph."""

    source: URIRef
    target: URIRef
    decision: str  # reused, candidate, accepted, unlinked
    score: float | None
    evidence: tuple[str, ...] = ()
    at: datetime | None = None  # user decisions are timed; load-time ones are not, so reloading adds nothing
    method: str = METHOD  # ACTOR_METHOD for an actor named by a role

    @property
    def iri(self) -> URIRef:
        return DTR["link/" + digest(str(self.source), str(self.target), self.decision, self.method,
                                    self.at.isoformat() if self.at else "", length=20)]

    def quads(self) -> list[tuple[Term, Term, Term, URIRef]]:
        g, r = PROVENANCE_GRAPH, self.iri
        activity, activity_label = _ACTIVITIES[self.method]
        quads: list[tuple[Term, Term, Term, URIRef]] = [
            (r, RDF.type, DT.LinkRecord, g), (r, RDF.type, PROV.Entity, g),
            (r, DT.linkSource, self.source, g), (r, DT.linkTarget, self.target, g),
            (r, DT.linkDecision, Literal(self.decision), g),
            (r, PROV.wasGeneratedBy, activity, g),
            (activity, RDF.type, DT.LinkingActivity, g), (activity, RDF.type, PROV.Activity, g),
            (activity, DT.method, Literal(self.method), g),
            (activity, RDFS.label, Literal(activity_label, lang="en"), g),
        ]
        if self.score is not None:
            quads.append((r, DT.linkScore, Literal(f"{self.score:.3f}", datatype=XSD.decimal), g))
        if self.evidence:
            quads.append((r, DT.linkEvidence, Literal("; ".join(self.evidence)), g))
        if self.at is not None:
            quads.append((r, PROV.generatedAtTime, Literal(self.at.isoformat(), datatype=XSD.dateTime), g))
        if self.decision == "candidate":
            quads.append((self.source, DT.possiblySameAs, self.target, g))
        return quads

    def nquads(self) -> str:
        return "".join(nquad(*q) for q in self.quads())


def _best(facts: EventFacts, candidates: Iterable[EventFacts], *, context: frozenset[URIRef] = frozenset()
          ) -> list[tuple[float, EventFacts, list[str]]]:
    scored = []
    for other in candidates:
        if other.iri == facts.iri or other.family != facts.family:
            continue
        score, evidence = score_pair(facts, other, same_context=other.iri in context)
        if score >= CANDIDATE:
            scored.append((score, other, evidence))
    scored.sort(key=lambda s: (-s[0], str(s[1].iri)))
    return scored


def link_extracted(claims: list[Claim], store: Store, registry: EntityRegistry, nodes: Sequence[URIRef]
                   ) -> list[LinkDecision]:
    """Match a file's newly minted event nodes against the store before they are written.

    A node scoring at least :data:`REUSE` against one store event (ties go to
    the IRI of record: curated data, UCDP, news, then GDELT) is
    replaced by that event's IRI in every claim of the batch (and forgotten
    by the registry); a node scoring at least :data:`CANDIDATE` keeps its IRI
    and gets a candidate. Nodes already in the store keep their IRI: their
    decision was taken when they were first loaded, so loading twice adds
    nothing. Agreements are linked before talks, so "the talks it was
    reached during" counts as evidence for the talks.
    """
    facts = facts_of_claims(claims, nodes, registry)
    if not facts:
        return []
    known = {row[0] for row in store.query(
        "SELECT ?e WHERE { VALUES ?e { " + " ".join(term_nt(n) for n in sorted(facts)) + " } ?e a ?t }").rows}
    todo = {n: f for n, f in facts.items() if n not in known}
    if not todo:
        return []
    dates = [f.start for f in todo.values() if f.start is not None]
    pad = timedelta(days=max(WINDOWS.values()))
    parties = {URIRef(p if p.startswith("http") else str(DTR) + "state/" + p) for f in todo.values() for p in f.parties}
    store_events = read_events(store, parties=parties, start=min(dates) - pad if dates else None,
                               end=max(dates) + pad if dates else None)
    mapping: dict[URIRef, URIRef] = {}
    decisions: list[LinkDecision] = []
    order = sorted(todo.values(), key=lambda f: (f.family == "talks", str(f.iri)))
    for event in order:
        context: frozenset[URIRef] = frozenset()
        if event.family == "talks":
            # Talks an agreement of this batch was reached during, where that agreement is now a store
            # agreement: the store's talks of that agreement are the same talks.
            linked = {mapping[n] for n, f in facts.items() if event.iri in f.during and n in mapping}
            context = frozenset(d for e in store_events if e.iri in linked for d in e.during)
        scored = _best(event, store_events, context=context)
        if not scored:
            continue
        top = scored[0][0]
        # Equal scores go to the IRI of record: curated data, then UCDP, then news, then GDELT's coding.
        best = sorted((s for s in scored if s[0] == top), key=lambda s: _ORIGIN_RANK[_origin(s[1].iri)])
        _score, other, evidence = best[0]
        tied = len(best) > 1 and _ORIGIN_RANK[_origin(best[1][1].iri)] == _ORIGIN_RANK[_origin(other.iri)]
        if top >= REUSE and not tied:
            mapping[event.iri] = other.iri
            decisions.append(LinkDecision(event.iri, other.iri, "reused", top, tuple(evidence)))
        else:
            decisions += [LinkDecision(event.iri, o.iri, "candidate", s, tuple(ev)) for s, o, ev in scored[:3]]
        if top >= REUSE and not tied:
            # The other events as good as the reused one stay candidates of it (a GDELT row of the same deal).
            decisions += [LinkDecision(other.iri, o.iri, "candidate", s, tuple(ev)) for s, o, ev in scored[1:3]
                          if o.iri != other.iri]
    if mapping:
        _substitute(claims, mapping)
        for old, new in mapping.items():
            registry.forget(old)
            registry.mark_used([new])
    return decisions


def _substitute(claims: list[Claim], mapping: dict[URIRef, URIRef]) -> None:
    for claim in claims:
        # mapping's keys are URIRefs: no other term equals one, so other terms stay as they are.
        claim.statements = [(mapping.get(s, s) if isinstance(s, URIRef) else s, p,
                             mapping.get(o, o) if isinstance(o, URIRef) else o)
                            for s, p, o in claim.statements]
        claim.__dict__.pop("_iri", None)


# -- the whole store ----------------------------------------------------------------

@dataclass
class LinkReport:
    """What a re-run over the store found and wrote."""

    events: int = 0
    compared: int = 0
    candidates: list[LinkDecision] = field(default_factory=list)
    accepted: list[LinkDecision] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"events": self.events, "compared": self.compared,
                "candidates": [_decision_json(d) for d in self.candidates],
                "accepted": [_decision_json(d) for d in self.accepted]}


def _decision_json(d: LinkDecision) -> dict[str, object]:
    return {"source": str(d.source), "target": str(d.target), "decision": d.decision, "score": d.score,
            "evidence": list(d.evidence)}


_ORIGIN_RANK = {"curated": 0, "ucdp": 1, "news": 2, "gdelt": 3}


def _origin(iri: URIRef) -> str:
    """Which dataset minted an IRI: gdelt, ucdp, news, or curated (claim documents, statements tables)."""
    local = str(iri).rsplit("/", 1)[-1]
    for prefix in ("gdelt-", "ucdp-", "news-"):
        if local.startswith(prefix):
            return prefix[:-1]
    return "curated"


def decided_pairs(store: Store) -> set[frozenset[URIRef]]:
    """Pairs that already have a link record (any decision), in one query."""
    rows = store.query("SELECT DISTINCT ?a ?b WHERE { ?r a dt:LinkRecord ; dt:linkSource ?a ; dt:linkTarget ?b }").rows
    return {frozenset((a, b)) for a, b in rows}  # type: ignore[arg-type]


def link_store(store: Store, *, accept_above: float | None = None) -> LinkReport:
    """Re-run event linking over the whole store: record new candidates, optionally accept the surest.

    Events are read in one query and compared within blocks of one family
    and one shared party; two events from the same dataset release (two
    GDELT rows, two UCDP rows) are not compared, since each dataset already
    gives one id per event. Pairs with a decision already recorded are left
    as they are.
    """
    events = read_events(store)
    report = LinkReport(events=len(events))
    blocks: dict[tuple[str, str], list[EventFacts]] = {}
    for event in events:
        for party in event.parties:
            blocks.setdefault((event.family, party), []).append(event)
    seen = decided_pairs(store)
    found: dict[frozenset[URIRef], LinkDecision] = {}
    for block in blocks.values():
        for i, a in enumerate(block):
            for b in block[i + 1:]:
                pair = frozenset((a.iri, b.iri))
                if pair in seen or pair in found or a.iri == b.iri:
                    continue
                origin_a, origin_b = _origin(a.iri), _origin(b.iri)
                if origin_a == origin_b and origin_a in ("gdelt", "ucdp"):
                    continue
                report.compared += 1
                score, evidence = score_pair(a, b)
                if score >= CANDIDATE:
                    first, second = sorted((a, b), key=lambda e: str(e.iri))
                    found[pair] = LinkDecision(first.iri, second.iri, "candidate", score, tuple(evidence))
    report.candidates = sorted(found.values(), key=lambda d: (-(d.score or 0), str(d.source), str(d.target)))
    text = "".join(d.nquads() for d in report.candidates)
    if text:
        write_links(store, text)
    if accept_above is not None:
        for decision in report.candidates:
            if (decision.score or 0) >= accept_above:
                report.accepted.append(accept(store, decision.source, decision.target,
                                              score=decision.score, evidence=decision.evidence))
    return report


@dataclass(frozen=True)
class Candidate:
    """A recorded candidate pair and where it stands."""

    source: URIRef
    target: URIRef
    score: float | None
    evidence: str | None
    accepted: bool
    source_label: str | None = None
    target_label: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"source": str(self.source), "target": str(self.target), "score": self.score,
                "evidence": self.evidence, "accepted": self.accepted,
                "source_label": self.source_label, "target_label": self.target_label}


def list_candidates(store: Store, *, minimum: float = 0.0) -> list[Candidate]:
    """Every candidate pair with its best score and whether ``owl:sameAs`` holds now, in one query."""
    rows = store.query("""
        SELECT ?a ?b (MAX(?score) AS ?s) (SAMPLE(?evidence) AS ?ev) (SAMPLE(?la) AS ?labelA) (SAMPLE(?lb) AS ?labelB)
               (SAMPLE(?same) AS ?accepted) WHERE {
          ?r a dt:LinkRecord ; dt:linkDecision "candidate" ; dt:linkSource ?a ; dt:linkTarget ?b .
          OPTIONAL { ?r dt:linkScore ?score } OPTIONAL { ?r dt:linkEvidence ?evidence }
          OPTIONAL { ?a rdfs:label ?la } OPTIONAL { ?b rdfs:label ?lb }
          BIND(EXISTS { ?a owl:sameAs ?b } || EXISTS { ?b owl:sameAs ?a } AS ?same)
        } GROUP BY ?a ?b ORDER BY DESC(?s) ?a ?b""").rows
    out = []
    for a, b, score, evidence, label_a, label_b, same in rows:
        value = None if score is None else float(score)
        if value is not None and value < minimum:
            continue
        out.append(Candidate(a, b, value, None if evidence is None else str(evidence),  # type: ignore[arg-type]
                             bool(same is not None and same.toPython()), None if label_a is None else str(label_a),
                             None if label_b is None else str(label_b)))
    return out


def _check_pair(store: Store, source: URIRef, target: URIRef) -> None:
    """Refuse a self-link and an IRI the store does not hold (one query for both IRIs)."""
    from detente.graph.terms import curie

    if source == target:
        raise UsageError(f"{curie(str(source))} is the same IRI twice: a link joins two different IRIs")
    present = {row[0] for row in store.query("SELECT DISTINCT ?e WHERE { ?e ?p ?o }",
                                             bindings=[{"e": source}, {"e": target}]).rows}
    missing = [curie(str(iri)) for iri in (source, target) if iri not in present]
    if missing:
        raise UnknownEntityError(f"the store holds nothing about {' or '.join(missing)}: "
                                 "give IRIs or CURIEs of events or entities it holds (`detente link` lists candidates)")


def is_linked(store: Store, source: URIRef, target: URIRef) -> bool:
    """Whether ``owl:sameAs`` holds between the two IRIs, either way."""
    rows = store.query("SELECT ?a WHERE { { ?a owl:sameAs ?b } UNION { ?b owl:sameAs ?a } } LIMIT 1",
                       bindings=[{"a": source, "b": target}]).rows
    return bool(rows)


def accept(store: Store, source: URIRef, target: URIRef, *, score: float | None = None,
           evidence: Iterable[str] = ()) -> LinkDecision:
    """State ``source owl:sameAs target`` in the facts view, with the decision in the provenance graph.

    Raises :class:`~detente.errors.UsageError` for a self-link and
    :class:`~detente.errors.UnknownEntityError` for an IRI the store does not hold.
    """
    _check_pair(store, source, target)
    decision = LinkDecision(source, target, "accepted", score, tuple(evidence) or ("accepted by a user",),
                            at=datetime.now(timezone.utc).replace(microsecond=0))
    # Written under the label the store reads as its facts view (see Store.facts_label).
    write_links(store, nquad(source, OWL.sameAs, target, store.facts_label) + decision.nquads())
    return decision


def unlink(store: Store, source: URIRef, target: URIRef, *, reason: str = "unlinked by a user") -> LinkDecision:
    """Withdraw ``owl:sameAs`` between two IRIs (either direction); the records of both decisions stay.

    Raises :class:`~detente.errors.NotFoundError` when no ``owl:sameAs`` joins them.
    """
    if not is_linked(store, source, target):
        from detente.graph.terms import curie

        raise NotFoundError(f"{curie(str(source))} and {curie(str(target))} are not linked (no owl:sameAs "
                            "either way): nothing to withdraw")
    decision = LinkDecision(source, target, "unlinked", None, (reason,),
                            at=datetime.now(timezone.utc).replace(microsecond=0))
    write_links(store, decision.nquads(), withdraw=[(source, target)])
    return decision


__all__ = ["METHOD", "ACTOR_METHOD", "initials", "resolve_by_initials", "REUSE", "CANDIDATE", "FAMILIES",
           "resolve_actor", "index_store_roles", "EventFacts",
           "score_pair", "read_events", "facts_of_claims", "LinkDecision", "link_extracted", "LinkReport",
           "link_store", "decided_pairs", "Candidate", "list_candidates", "accept", "unlink", "is_linked"]
