"""Corroboration: how many independent sources back each fact, which facts rest on one source, and conflicts.

A fact is one distinct statement (subject, predicate, object); two claims
from two sources that say the same thing corroborate it. Conflicts are facts
that disagree on a functional property (``dt:prisonerCount`` 314 vs 300), as
found by :func:`detente.graph.claims.conflicts`, restricted to kept claims.

>>> from detente.graph.store import open_store
>>> corroboration(open_store("memory:"))["facts"]
0
"""

from __future__ import annotations

from collections import Counter, defaultdict

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from detente.errors import UsageError
from detente.graph.analysis.common import as_int, result
from detente.graph.claims import conflicts as find_conflicts
from detente.graph.projections import Filters, GraphData, curie, load_graph_data
from detente.graph.store import Store
from detente.graph.terms import Term


def _bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise UsageError(f"{name}: not a yes/no value: {value!r}")


def _object_json(data: GraphData, term: Term) -> dict[str, object]:
    if isinstance(term, URIRef):
        return {"object": str(term), "object_label": data.label(term)}
    out: dict[str, object] = {"object": str(term)}
    if isinstance(term, Literal) and term.datatype is not None:
        out["datatype"] = curie(str(term.datatype))
    return out


def corroboration(store: Store, filters: Filters | None = None, *, limit: int | str = 50,
                  include_types: bool | str = False) -> dict[str, object]:
    """Sources per fact, single-source facts and conflicts among the kept claims.

    Parameters
    ----------
    limit:
        How many facts to list in ``single_source_facts`` and ``best_corroborated`` (default 50).
    include_types:
        Count ``rdf:type`` statements as facts too (off by default).

    Returns a dict with ``facts`` (distinct facts), ``claims``, ``sources_per_fact``
    (histogram: number of sources → number of facts), ``single_source``
    (count), ``single_source_facts``, ``best_corroborated`` and ``conflicts``.
    """
    limit_value = as_int(limit, "limit", minimum=1) or 50
    with_types = _bool(include_types, "include_types")
    data = load_graph_data(store, filters, literals=True)
    fact_claims: dict[tuple[URIRef, URIRef, Term], set[URIRef]] = defaultdict(set)
    fact_sources: dict[tuple[URIRef, URIRef, Term], set[URIRef]] = defaultdict(set)
    for ev in data.evidence:
        if ev.predicate == RDF.type and not with_types:
            continue
        key = (ev.subject, ev.predicate, ev.object)
        fact_claims[key].add(ev.claim)
        if ev.source is not None:
            fact_sources[key].add(ev.source)
    histogram = Counter(len(fact_sources.get(k, ())) for k in fact_claims)

    def fact_json(key: tuple[URIRef, URIRef, Term]) -> dict[str, object]:
        s, p, o = key
        srcs = sorted(fact_sources.get(key, ()))
        return {"subject": str(s), "subject_label": data.label(s), "predicate": curie(str(p)), **_object_json(data, o),
                "claim_count": len(fact_claims[key]), "source_count": len(srcs),
                "publishers": sorted({data.label(data.sources[x].publisher) for x in srcs  # type: ignore[arg-type]
                                      if x in data.sources and data.sources[x].publisher is not None}),
                "claims": sorted(str(c) for c in fact_claims[key])}

    ordered = sorted(fact_claims, key=lambda k: (data.label(k[0]), str(k[1]), str(k[2])))
    single = [k for k in ordered if len(fact_sources.get(k, ())) <= 1]
    best = sorted(ordered, key=lambda k: -len(fact_sources.get(k, ())))[:limit_value]
    kept_claims = {ev.claim for ev in data.evidence}
    return result(
        "corroboration", None, data, facts=len(fact_claims), claims=len(kept_claims),
        sources_per_fact={str(n): histogram[n] for n in sorted(histogram)},
        single_source=len(single), single_source_facts=[fact_json(k) for k in single[:limit_value]],
        best_corroborated=[fact_json(k) for k in best], conflicts=_conflicts(store, data, kept_claims))


def _conflicts(store: Store, data: GraphData, kept: set[URIRef]) -> list[dict[str, object]]:
    out = []
    for conflict in find_conflicts(store):
        values = []
        for value, records in sorted(conflict.values.items()):
            records = [r for r in records if r.iri in kept]
            if not records:
                continue
            values.append({
                "value": value, "claim_count": len(records),
                "source_count": len({r.source for r in records if r.source is not None}),
                "claims": [{"claim": str(r.iri), "publisher": r.publisher_label, "issued": r.issued,
                            "confidence": r.confidence, "quote": r.quote} for r in records]})
        if len(values) > 1:
            out.append({"subject": str(conflict.subject), "subject_label": data.label(conflict.subject),
                        "predicate": curie(str(conflict.predicate)), "values": values})
    return out


def conflicts(store: Store, filters: Filters | None = None) -> dict[str, object]:
    """Only the conflicts part of :func:`corroboration`."""
    data = load_graph_data(store, filters, literals=True)
    return result("conflicts", None, data, conflicts=_conflicts(store, data, {ev.claim for ev in data.evidence}))
