"""Corroboration: how many independent sources back each fact, which facts rest on one source, and conflicts.

A fact is one distinct statement (subject, predicate, object); two claims
from two sources that say the same thing corroborate it. Conflicts are facts
that disagree on a functional property (``dt:prisonerCount`` 314 vs 300), as
found by :func:`detente.graph.claims.conflicts`, restricted to kept claims.

>>> from detente.graph import open_store
>>> corroboration(open_store("memory:")).facts
0
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from detente.graph.analysis.common import JsonRecord, MetricResult, omitted_when_none
from detente.graph.claims import conflicts as find_conflicts
from detente.graph.params import param
from detente.graph.projections import Filters, GraphData, load_graph_data
from detente.graph.store import Store
from detente.graph.terms import Term, curie


@dataclass(frozen=True)
class CorroborationParams:
    """The parameters of :func:`corroboration`."""

    limit: int = param(50, "How many facts to list as single-source and as best corroborated.", minimum=1,
                       metavar="N")
    include_types: bool = param(False, "Count rdf:type statements as facts too.")


@dataclass(frozen=True)
class ConflictsParams:
    """The parameters of :func:`conflicts`: which page of the listing (``GET /analysis/conflicts`` pages 100)."""

    limit: int | None = param(None, "List at most N conflicts (all when absent).", minimum=1, metavar="N")
    offset: int | None = param(None, "Skip the first N conflicts (none when absent).", minimum=0, metavar="N")


@dataclass(frozen=True, kw_only=True)
class Fact(JsonRecord):
    """A distinct statement with the claims, sources and publishers behind it."""

    subject: str
    subject_label: str
    predicate: str
    object: str
    object_label: str | None = omitted_when_none()  # for entity objects
    datatype: str | None = omitted_when_none()  # for typed literals
    claim_count: int
    source_count: int
    publishers: list[str]
    claims: list[str]


@dataclass(frozen=True)
class ConflictClaim(JsonRecord):
    """A claim giving one of the disputed values."""

    claim: str
    publisher: str | None
    issued: str | None
    confidence: float | None
    quote: str | None


@dataclass(frozen=True)
class ConflictValue(JsonRecord):
    """One of the disputed values, with the kept claims giving it."""

    value: str
    claim_count: int
    source_count: int
    claims: list[ConflictClaim]


@dataclass(frozen=True)
class ConflictReport(JsonRecord):
    """A subject given several values of a functional property by the kept claims."""

    subject: str
    subject_label: str
    predicate: str
    values: list[ConflictValue]


@dataclass(kw_only=True)
class CorroborationResult(MetricResult):
    """Sources per fact (``sources_per_fact``: number of sources → number of facts), weak facts, conflicts."""

    metric = "corroboration"
    facts: int
    claims: int
    sources_per_fact: dict[str, int]
    single_source: int
    single_source_facts: list[Fact]
    best_corroborated: list[Fact]
    conflicts: list[ConflictReport]


@dataclass(kw_only=True)
class ConflictsResult(MetricResult):
    """Only the conflicts part of :class:`CorroborationResult`.

    Asked for a page (``limit`` or ``offset``), it says which, and ``total`` counts every conflict.
    """

    metric = "conflicts"
    total: int | None = omitted_when_none()
    offset: int | None = omitted_when_none()
    limit: int | None = omitted_when_none()
    conflicts: list[ConflictReport]


def corroboration(store: Store, filters: Filters | None = None,
                  params: CorroborationParams = CorroborationParams()) -> CorroborationResult:
    """Sources per fact, single-source facts and conflicts among the kept claims."""
    data = load_graph_data(store, filters, literals=True)
    fact_claims: dict[tuple[URIRef, URIRef, Term], set[URIRef]] = defaultdict(set)
    fact_sources: dict[tuple[URIRef, URIRef, Term], set[URIRef]] = defaultdict(set)
    for ev in data.evidence:
        if ev.predicate == RDF.type and not params.include_types:
            continue
        key = (ev.subject, ev.predicate, ev.object)
        fact_claims[key].add(ev.claim)
        if ev.source is not None:
            fact_sources[key].add(ev.source)
    histogram = Counter(len(fact_sources.get(k, ())) for k in fact_claims)

    def fact(key: tuple[URIRef, URIRef, Term]) -> Fact:
        s, p, o = key
        srcs = sorted(fact_sources.get(key, ()))
        is_entity = isinstance(o, URIRef)
        typed = isinstance(o, Literal) and o.datatype is not None
        return Fact(subject=str(s), subject_label=data.label(s), predicate=curie(str(p)), object=str(o),
                    object_label=data.label(o) if is_entity else None,
                    datatype=curie(str(o.datatype)) if typed else None,  # type: ignore[union-attr]
                    claim_count=len(fact_claims[key]), source_count=len(srcs),
                    publishers=sorted({data.label(data.sources[x].publisher) for x in srcs  # type: ignore[arg-type]
                                       if x in data.sources and data.sources[x].publisher is not None}),
                    claims=sorted(str(c) for c in fact_claims[key]))

    ordered = sorted(fact_claims, key=lambda k: (data.label(k[0]), str(k[1]), str(k[2])))
    single = [k for k in ordered if len(fact_sources.get(k, ())) <= 1]
    best = sorted(ordered, key=lambda k: -len(fact_sources.get(k, ())))[:params.limit]
    kept_claims = {ev.claim for ev in data.evidence}
    return CorroborationResult(
        filters=data.filters, facts=len(fact_claims), claims=len(kept_claims),
        sources_per_fact={str(n): histogram[n] for n in sorted(histogram)}, single_source=len(single),
        single_source_facts=[fact(k) for k in single[:params.limit]], best_corroborated=[fact(k) for k in best],
        conflicts=_conflicts(store, data, kept_claims))


def conflicts(store: Store, filters: Filters | None = None, params: ConflictsParams = ConflictsParams()
              ) -> ConflictsResult:
    """Only the conflicts part of :func:`corroboration`, paged by ``params.limit`` and ``params.offset``."""
    data = load_graph_data(store, filters, literals=True)
    found = _conflicts(store, data, {ev.claim for ev in data.evidence})
    if params.limit is None and params.offset is None:
        return ConflictsResult(filters=data.filters, conflicts=found)
    start = params.offset or 0
    end = None if params.limit is None else start + params.limit
    return ConflictsResult(filters=data.filters, total=len(found), offset=start, limit=params.limit,
                           conflicts=found[start:end])


def _conflicts(store: Store, data: GraphData, kept: set[URIRef]) -> list[ConflictReport]:
    out = []
    for conflict in find_conflicts(store):
        values = []
        for value, records in sorted(conflict.values.items()):
            records = [r for r in records if r.iri in kept]
            if not records:
                continue
            values.append(ConflictValue(
                value, len(records), len({r.source for r in records if r.source is not None}),
                [ConflictClaim(str(r.iri), r.publisher_label, r.issued, r.confidence, r.quote) for r in records]))
        if len(values) > 1:
            out.append(ConflictReport(str(conflict.subject), data.label(conflict.subject),
                                      curie(str(conflict.predicate)), values))
    return out
