"""The per-claim paths detente used before issue 9, kept as the reference the set-based paths must match.

These are the old implementations of :func:`detente.graph.claims.get_claim`,
``claims_for``, ``provenance`` and ``conflicts``: one query per claim (N+1).
Tests compare the new answers with these on the demo corpus and synthetic
claims; nothing outside the tests uses them.
"""

from __future__ import annotations

from rdflib import URIRef

from detente.graph.claims import ClaimRecord, Conflict, ProvenanceReport
from detente.graph.store import Store
from detente.graph.terms import Term, Triple

_OLD_CLAIM_META = """
SELECT ?claim ?source ?stype ?url ?title ?publisher ?plabel ?issued ?speaker ?slabel ?quote ?confidence
       ?qstart ?qend ?method ?key WHERE {
  ?claim a dt:Claim .
  OPTIONAL { ?claim prov:wasDerivedFrom ?source .
    OPTIONAL { ?source a ?stype }
    OPTIONAL { ?source schema:url ?url }
    OPTIONAL { ?source dct:title ?title }
    OPTIONAL { ?source dct:issued ?issued }
    OPTIONAL { ?source dct:publisher ?publisher OPTIONAL { ?publisher rdfs:label ?plabel } } }
  OPTIONAL { ?claim dt:saidBy ?speaker OPTIONAL { ?speaker rdfs:label ?slabel } }
  OPTIONAL { ?claim dt:quote ?quote }
  OPTIONAL { ?claim dt:confidence ?confidence }
  OPTIONAL { ?claim dt:quoteStart ?qstart }
  OPTIONAL { ?claim dt:quoteEnd ?qend }
  OPTIONAL { ?claim prov:wasGeneratedBy/dt:method ?method }
  OPTIONAL { ?claim dct:identifier ?key }
} LIMIT 1
"""


def _record(iri: URIRef, statements: list[Triple], m: tuple) -> ClaimRecord:
    (source, stype, url, title, publisher, plabel, issued, speaker, slabel, quote, conf, qs, qe, method, key) = m
    return ClaimRecord(
        iri=iri, statements=statements, source=source, source_type=stype,
        url=None if url is None else str(url), title=None if title is None else str(title),
        publisher=publisher, publisher_label=None if plabel is None else str(plabel),
        issued=None if issued is None else str(issued), said_by=speaker,
        said_by_label=None if slabel is None else str(slabel), quote=None if quote is None else str(quote),
        confidence=None if conf is None else float(conf), quote_start=None if qs is None else int(qs),
        quote_end=None if qe is None else int(qe), method=None if method is None else str(method),
        key=None if key is None else str(key))


def old_get_claim(store: Store, iri: URIRef) -> ClaimRecord | None:
    """Read one claim: its statements and provenance."""
    meta = store.query(_OLD_CLAIM_META, bindings={"claim": iri}).rows
    if not meta:
        return None
    statements = store.query("SELECT ?s ?p ?o ?claim WHERE { GRAPH ?claim { ?s ?p ?o } } ORDER BY ?s ?p ?o",
                             bindings={"claim": iri}, default_graphs=[]).rows
    return _record(iri, [tuple(r[:3]) for r in statements], meta[0][1:])  # type: ignore[arg-type]


def old_claims_for(store: Store, subject: URIRef | None = None, predicate: URIRef | None = None,
                   obj: Term | None = None, limit: int = 1000) -> list[ClaimRecord]:
    """Claims whose graph holds a triple matching the pattern (None is a wildcard)."""
    bindings: dict[str, Term] = {}
    for name, value in (("s", subject), ("p", predicate), ("o", obj)):
        if value is not None:
            bindings[name] = value
    # Substituted variables must be projected (SEP-0007); they are constant, so DISTINCT still dedupes claims.
    projection = " ".join(f"?{name}" for name in bindings)
    rows = store.query(f"SELECT DISTINCT ?claim {projection} WHERE {{ GRAPH ?claim {{ ?s ?p ?o }} ?claim a dt:Claim }} "
                       f"ORDER BY ?claim LIMIT {int(limit)}", bindings=bindings).rows
    out = []
    for claim, *_ in rows:
        record = old_get_claim(store, claim)  # type: ignore[arg-type]
        if record is not None:
            out.append(record)
    return out


def old_provenance(store: Store, subject: URIRef, predicate: URIRef | None = None,
                   obj: Term | None = None) -> ProvenanceReport:
    """Every claim supporting ``subject predicate object``, and claims that disagree.

    Disagreement is defined by the ontology: for a functional property
    (``dt:prisonerCount``, ``dt:startDate``…) another value from another claim.
    """
    from detente.ontology.schema import functional_properties

    supporting = old_claims_for(store, subject, predicate, obj)
    disagreeing: list[ClaimRecord] = []
    functional = functional_properties()
    if obj is not None and predicate is not None and predicate in functional:
        others = old_claims_for(store, subject, predicate, None)
        disagreeing = [c for c in others
                       if all(o != obj for s, p, o in c.statements if s == subject and p == predicate)]
    return ProvenanceReport(subject, predicate, obj, supporting, disagreeing)


def old_conflicts(store: Store) -> list[Conflict]:
    """Subjects with different values for a functional property, with the claims behind each value."""
    from detente.ontology.schema import functional_properties

    found: list[Conflict] = []
    for prop in sorted(functional_properties()):
        rows = store.query(
            "SELECT ?s ?p (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ?p "
            "HAVING (COUNT(DISTINCT ?o) > 1) ORDER BY ?s", bindings={"p": prop}).rows
        for subject, _p, _n in rows:
            values: dict[str, list[ClaimRecord]] = {}
            for record in old_claims_for(store, subject, prop, None):  # type: ignore[arg-type]
                for s, p, o in record.statements:
                    if s == subject and p == prop:
                        values.setdefault(str(o), []).append(record)
            found.append(Conflict(subject, prop, values))  # type: ignore[arg-type]
    return found
