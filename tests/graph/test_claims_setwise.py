"""Set-based claim records give exactly the answers of the old per-claim paths (kept in reference_claims.py)."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from detente.graph.claims import (
    Conflict,
    claim_records,
    claims_for,
    conflicts,
    get_claim,
    provenance,
    resolve_claim_ref,
)
from detente.graph.conflict_listing import conflict_page
from detente.graph.sparql_text import prepare
from detente.graph.store import Store, open_store
from detente.graph.writes import write_claims
from detente.ontology.vocab import DT

from reference_claims import old_claims_for, old_conflicts, old_get_claim, old_provenance


def _claims(store: Store) -> list[URIRef]:
    return sorted((r[0] for r in store.query("SELECT ?c WHERE { ?c a dt:Claim }").rows), key=str)  # type: ignore[misc]


def _statements(store: Store) -> list[tuple]:
    return store.query("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?c { ?s ?p ?o } ?c a dt:Claim } ORDER BY ?s ?p ?o").rows


@pytest.fixture(scope="module")
def synthetic() -> Store:
    from benchmarks.synthetic import synthetic_claims

    store = open_store("memory:")
    # Few events for many claims: every event has conflicting prisoner counts and shared sources.
    write_claims(store, list(synthetic_claims(600, seed=13, events=40, publishers=9)))
    return store


@pytest.mark.parametrize("corpus", ["demo_store", "synthetic"])
def test_every_claim_record_is_as_before(corpus: str, request: pytest.FixtureRequest) -> None:
    store = request.getfixturevalue(corpus)
    claims = _claims(store)
    old = {c: old_get_claim(store, c) for c in claims}
    assert {c: get_claim(store, c) for c in claims} == old
    assert claim_records(store, claims, batch=7) == old  # VALUES batches
    assert get_claim(store, URIRef("https://w3id.org/detente/id/claim/none")) is None


@pytest.mark.parametrize("corpus", ["demo_store", "synthetic"])
def test_provenance_of_every_statement_is_as_before(corpus: str, request: pytest.FixtureRequest) -> None:
    store = request.getfixturevalue(corpus)
    rows = _statements(store)
    if corpus == "synthetic":
        rows = rows[::9]  # the old path takes a query per claim: a sample
    for s, p, o in rows:
        for pattern in ((s, p, o), (s, p, None)):
            assert provenance(store, *pattern) == old_provenance(store, *pattern), pattern
    subjects = sorted({s for s, _p, _o in rows}, key=str)[:10]
    for s in subjects:
        assert provenance(store, s) == old_provenance(store, s)


def test_claims_for_objects_and_limits_are_as_before(synthetic: Store) -> None:
    ukr = URIRef("https://w3id.org/detente/id/state/UKR")
    for limit in (1, 3, 1000):
        assert claims_for(synthetic, obj=ukr, limit=limit) == old_claims_for(synthetic, obj=ukr, limit=limit)
    assert claims_for(synthetic, predicate=DT.mediatedBy, limit=5) == \
        old_claims_for(synthetic, predicate=DT.mediatedBy, limit=5)


@pytest.mark.parametrize("corpus", ["demo_store", "synthetic"])
def test_conflicts_are_as_before_and_pages_make_up_the_listing(corpus: str, request: pytest.FixtureRequest) -> None:
    store = request.getfixturevalue(corpus)
    everything = conflicts(store)
    assert everything == old_conflicts(store)
    assert everything, "the corpus has conflicts"
    paged = []
    offset = 0
    while True:
        page = conflict_page(store, limit=3, offset=offset)
        assert page.total == len(everything)
        if not page.conflicts:
            break
        paged += page.conflicts
        offset += 3
    assert paged == everything
    seen: list[tuple[int, int]] = []
    conflict_page(store, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, len(everything)) and seen[-1] == (len(everything), len(everything))
    with pytest.raises(ValueError, match="must not be negative"):
        conflict_page(store, offset=-1)


def test_claim_references_resolve_in_one_query(demo_store: Store) -> None:
    claim = resolve_claim_ref(demo_store, "ki-exchange-agreed")
    assert claim is not None and get_claim(demo_store, claim).key == "ki-exchange-agreed"  # type: ignore[union-attr]
    digest = str(claim).rsplit("/", 1)[1]
    assert resolve_claim_ref(demo_store, digest) == resolve_claim_ref(demo_store, "claim:" + digest) == claim
    assert resolve_claim_ref(demo_store, str(claim)) == claim
    assert resolve_claim_ref(demo_store, "no such key") is None
    assert resolve_claim_ref(demo_store, "https://example.org/not-a-claim") is None


def test_query_shapes_are_analysed_once(demo_store: Store) -> None:
    claims = _claims(demo_store)
    get_claim(demo_store, claims[0])
    before = prepare.cache_info()
    for claim in claims:
        get_claim(demo_store, claim)
    after = prepare.cache_info()
    assert after.misses == before.misses and after.hits >= before.hits + len(claims)


def test_many_valued_provenance_reads_the_same_in_both_record_shapes() -> None:
    """Several sources, publishers, labels and speakers: the long (one report) and wide (batches) reads agree."""
    from rdflib import Literal
    from rdflib.namespace import DCTERMS, PROV, RDFS

    from detente.graph.claims import Claim, Source
    from detente.graph.terms import nquad
    from detente.ontology.vocab import DTR, FACTS_GRAPH, PROVENANCE_GRAPH

    store = open_store("memory:")
    first = Source.from_metadata(url="https://example.org/one", publisher=DTR["organization/b"])
    claim = Claim(statements=[(DTR["event/x"], DT.hasParty, DTR["state/UKR"]), (DTR["event/x"], DT.prisonerCount,
                                                                               Literal(3))],
                  source=first, said_by=DTR["person/envoy"], quote="q", confidence=0.5)
    write_claims(store, [claim])
    extra = [(claim.iri, PROV.wasDerivedFrom, DTR["source/zzz"], PROVENANCE_GRAPH),  # a second source
             (first.iri, DCTERMS.publisher, DTR["organization/a"], PROVENANCE_GRAPH),  # a second publisher
             (DTR["organization/a"], RDFS.label, Literal("Zeta"), FACTS_GRAPH),
             (DTR["organization/a"], RDFS.label, Literal("Alpha"), FACTS_GRAPH),
             (DTR["organization/b"], RDFS.label, Literal("Beta"), FACTS_GRAPH),
             (DTR["person/envoy"], RDFS.label, Literal("Envoy", lang="en"), FACTS_GRAPH),
             (DTR["person/envoy"], RDFS.label, Literal("Émissaire", lang="fr"), FACTS_GRAPH)]
    store.add_nquads("".join(nquad(*q) for q in extra))
    one = get_claim(store, claim.iri)
    assert one is not None and claim_records(store, [claim.iri]) == {claim.iri: one}
    assert (one.source, one.publisher, one.publisher_label) == (first.iri, DTR["organization/a"], "Alpha")
    assert one.said_by_label == "Envoy"


# Claims the conflict listing's fast path reads differently from the wide records: several values of a
# field (several sources, titles, labels, confidences), a claim giving two values of one property or
# in two conflicts, claims without source or with speaker, activity and quote offsets, text needing
# escapes, a graph that is not a claim holding a value, and a claim typed in the facts view only (not
# in the provenance graph, where detente types claims).
_AWKWARD = """
@prefix dt: <https://w3id.org/detente/ontology#> .
@prefix dtr: <https://w3id.org/detente/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
dtr:claim\\/a { dtr:event\\/e1 dt:prisonerCount 314 ; dt:startDate "2020-01-02"^^xsd:date ; a dt:Talks . }
dtr:claim\\/b { dtr:event\\/e1 dt:prisonerCount 300 ; dt:startDate "2020-01-03"^^xsd:date ; a dt:Talks . }
dtr:claim\\/c { dtr:event\\/e1 dt:prisonerCount 1, 2 . dtr:event\\/e2 dt:status "signed"@en . }
dtr:claim\\/d { dtr:event\\/e2 dt:status "draft"@en . }
dtr:claim\\/e { dtr:event\\/e2 dt:status "signed"@en ; dt:prisonerCount 10 . }
dtr:claim\\/f { dtr:event\\/e2 dt:prisonerCount 9 . }
dtr:notaclaim { dtr:event\\/e2 dt:status "lost" . }
dtr:claim\\/g { dtr:event\\/e1 dt:prisonerCount 314 ; a dt:Talks . }
dtr:claim\\/g a dt:Claim .
dtr:graph\\/provenance {
  dtr:claim\\/a a dt:Claim ; prov:wasDerivedFrom dtr:source\\/s1, dtr:source\\/s2 ; dt:quote "plain" ;
    dt:confidence 0.9, 0.85 ; dct:identifier "row-1" ; dt:quoteStart 10, 9 ; dt:quoteEnd 20 .
  dtr:claim\\/b a dt:Claim ; prov:wasDerivedFrom dtr:source\\/s1 ; dt:saidBy dtr:person\\/p ;
    prov:wasGeneratedBy dtr:activity\\/x ; dt:quoteStart 3 ; dt:quoteEnd 7 ; dt:confidence 0.5 .
  dtr:claim\\/c a dt:Claim ; dt:quote "two values"@en .
  dtr:claim\\/d a dt:Claim ; prov:wasDerivedFrom dtr:source\\/s3 ; dt:saidBy dtr:person\\/q .
  dtr:claim\\/e a dt:Claim ; prov:wasDerivedFrom dtr:source\\/s5 .
  dtr:claim\\/f a dt:Claim ; prov:wasDerivedFrom dtr:source\\/s4 ; dt:saidBy dtr:person\\/p ;
    prov:wasGeneratedBy dtr:activity\\/x ; dt:quoteStart 3 ; dt:quoteEnd 7 ; dt:confidence 0.5 ;
    dt:quote "He said \\"314\\",\\nthen\\tleft \\\\ ok" ; dct:identifier "row\\u00e92"@fr .
  dtr:source\\/s1 a dt:NewsArticle ; dct:title "First", "Another" ; dct:publisher dtr:org\\/o1 ;
    schema:url "https://example.org/1"^^xsd:anyURI ; dct:issued "2020-01-05"^^xsd:date .
  dtr:source\\/s2 a dt:NewsArticle ; dct:publisher dtr:org\\/o2 .
  dtr:source\\/s3 dct:title "Third" ; dct:publisher dtr:org\\/o1, dtr:org\\/o2 ; dct:issued "2021"^^xsd:gYear .
  dtr:source\\/s4 dct:publisher dtr:org\\/o3 ; schema:url <https://example.org/4> ; dct:issued "2021"^^xsd:gYear .
  dtr:source\\/s5 dct:publisher dtr:org\\/o2 ; dct:issued "2022-03-04"^^xsd:date ; dct:title "Fifth"@en .
  dtr:org\\/o1 rdfs:label "Org one", "Org 1"@en .
  dtr:org\\/o2 rdfs:label "Org two" .
  dtr:person\\/p rdfs:label "P" .
  dtr:activity\\/x dt:method "manual" .
}
"""


def test_conflicts_of_awkward_claims_are_as_before() -> None:
    from detente.graph.conflict_listing import conflict_keys, iter_conflicts
    from detente.graph.writes import load_rdf

    store = open_store("memory:")
    load_rdf(store, _AWKWARD, "trig")
    # The facts view (the default graph) holds the statements of every graph, claims or not.
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
                 "FILTER(?g != <https://w3id.org/detente/id/graph/provenance>) }")
    # Which claims stand behind which value, from the per-claim reference; each record as get_claim reads
    # it (where a field has several values, the reference path and claim records pick different ones).
    expected = [Conflict(c.subject, c.predicate, {v: [get_claim(store, r.iri) for r in records]
                                                  for v, records in c.values.items()})
                for c in old_conflicts(store)]
    assert len(expected) == 4 and any(len(c.values) == 4 for c in expected)
    typed_in_facts_only = URIRef("https://w3id.org/detente/id/claim/g")
    assert any(r.iri == typed_in_facts_only for c in expected for records in c.values.values() for r in records)
    assert conflicts(store) == expected
    keys = conflict_keys(store)
    for batch in (1, 2, 1000):  # batches cut between a claim's conflicts, or not
        assert list(iter_conflicts(store, keys, batch=batch)) == expected
