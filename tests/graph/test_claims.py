"""Claims as named graphs: content-derived IRIs, provenance, conflicts, stats."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from detente.graph.claims import (
    Claim,
    Source,
    claim_records,
    conflicts,
    get_claim,
    provenance,
    resolve_claim_ref,
    stats,
    write_claims,
)
from detente.graph.store import open_store
from detente.ontology.vocab import DT, DTR, FACTS_GRAPH, PROVENANCE_GRAPH

AGREEMENT = DTR["agreement/ukr-rus-314-exchange"]


def _claim(count: int, url: str = "https://example.org/a", quote: str | None = None) -> Claim:
    source = Source.from_metadata(url=url, publisher=DTR["organization/example"])
    return Claim(statements=[(AGREEMENT, DT.prisonerCount, Literal(count)), (AGREEMENT, RDF.type, DT.Agreement)],
                 source=source, quote=quote, confidence=0.8)


def test_claim_iri_depends_on_content_and_source_not_order() -> None:
    a = _claim(314)
    reordered = Claim(statements=list(reversed(a.statements)), source=a.source, quote=None, confidence=0.5)
    assert a.iri == reordered.iri  # confidence is not identity: the same words from the same source
    assert a.iri != _claim(300).iri
    assert a.iri != _claim(314, url="https://example.org/b").iri
    assert a.iri != _claim(314, quote="they said so").iri
    assert str(a.iri).startswith(str(DTR) + "claim/")


def test_writing_twice_adds_nothing() -> None:
    store = open_store("memory:")
    assert write_claims(store, [_claim(314)]) == 1
    quads = store.count_quads()
    assert write_claims(store, [_claim(314)]) == 0
    assert store.count_quads() == quads


def test_claim_graph_provenance_graph_and_facts_view() -> None:
    store = open_store("memory:")
    first, second = _claim(314), _claim(314, url="https://example.org/b")
    write_claims(store, [first, second])
    # two claims, one fact: the facts view holds each triple once
    assert store.count_quads(FACTS_GRAPH) == 2
    assert store.count_quads(first.iri) == 2
    rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?a dt:prisonerCount ?c }").rows
    assert int(rows[0][0]) == 1
    who = store.query("SELECT ?claim WHERE { GRAPH ?claim { ?a dt:prisonerCount 314 } ?claim a dt:Claim }").rows
    assert {r[0] for r in who} == {first.iri, second.iri}
    in_provenance = store.query("ASK { GRAPH ?g { ?claim prov:wasDerivedFrom ?source } }",
                                bindings={"g": PROVENANCE_GRAPH, "claim": first.iri}).boolean
    assert in_provenance


def test_a_claim_typed_in_two_graphs_has_each_statement_once() -> None:
    # An update typing a claim in the facts view too: the union default graph then holds its type twice.
    store = open_store("memory:")
    claim = _claim(314)
    write_claims(store, [claim])
    alone = get_claim(store, claim.iri)
    store.add_nquads(f"<{claim.iri}> <{RDF.type}> <{DT.Claim}> .\n")
    assert int(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ <{claim.iri}> a dt:Claim }}").rows[0][0]) == 2
    typed_twice = get_claim(store, claim.iri)
    assert alone is not None and len(alone.statements) == 2
    assert typed_twice == alone
    assert claim_records(store, [claim.iri]) == {claim.iri: alone}


def test_provenance_of_the_314_prisoner_claim(demo_store) -> None:
    report = provenance(demo_store, AGREEMENT, DT.prisonerCount, Literal(314))
    publishers = sorted(c.publisher_label for c in report.supporting)
    assert publishers == ["Kyiv Independent", "Meridian Wire"]
    assert all(c.said_by == DTR["person/us-special-envoy"] for c in report.supporting)
    assert all(c.quote and "314" in c.quote for c in report.supporting)
    assert [c.publisher_label for c in report.disagreeing] == ["Caspian Dispatch"]
    assert report.to_json()["sources"] == 2


def test_conflicts_list_both_values_with_their_claims(demo_store) -> None:
    found = conflicts(demo_store)
    assert len(found) == 1
    conflict = found[0]
    assert conflict.subject == AGREEMENT and conflict.predicate == DT.prisonerCount
    assert {v: len(cs) for v, cs in conflict.values.items()} == {"314": 2, "300": 1}


def test_claim_lookup_by_key_curie_and_iri(demo_store) -> None:
    iri = resolve_claim_ref(demo_store, "ki-exchange-agreed")
    assert isinstance(iri, URIRef)
    assert resolve_claim_ref(demo_store, str(iri)) == iri
    assert resolve_claim_ref(demo_store, "claim:" + str(iri).rsplit("/", 1)[1]) == iri
    assert resolve_claim_ref(demo_store, "no-such-claim") is None
    record = get_claim(demo_store, iri)
    assert record is not None
    assert record.confidence == pytest.approx(0.95)
    assert record.issued == "2025-03-12"
    assert (AGREEMENT, DT.prisonerCount, Literal(314)) in record.statements


def test_stats_count_the_demo(demo_store) -> None:
    numbers = stats(demo_store)
    assert numbers.claims == 14 + 10  # the corpus, and a Wikidata link claim for each of its 10 states
    assert numbers.sources == 9 + 1  # the link claims' source is the bundled table
    assert numbers.publishers == 4
    assert numbers.by_type[str(DT.Talks)] == 3


def test_a_plain_query_sees_each_fact_once(demo_store) -> None:
    # The talks are typed both by the entity file and by the claims: still one row each.
    rows = demo_store.query("SELECT ?talks ?venue ?mediator WHERE { ?talks a dt:Talks ; dt:heldAt ?venue "
                            "OPTIONAL { ?talks dt:mediatedBy ?mediator } }").rows
    assert len(rows) == len(set(rows)) == 6
    labels = demo_store.query("SELECT ?label WHERE { state:UKR rdfs:label ?label }").rows
    assert [str(r[0]) for r in labels] == ["Ukraine"]
