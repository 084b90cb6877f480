"""Set-based claim records give exactly the answers of the old per-claim paths (kept in reference_claims.py)."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from detente.graph.claims import (
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
