"""SHACL shapes, run through detente.ontology.validation."""

from __future__ import annotations

from rdflib import Dataset, Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from detente.ontology.validation import ShaclReport, ShaclResult, validate_shacl
from detente.ontology.vocab import DT, DTR, ENTITIES_GRAPH, PROVENANCE_GRAPH, SCHEMA

from worked_example import AGREEMENT, CLAIM, ENVOY, EXCHANGE, KYIV_INDEPENDENT, RUS, SAU, SOURCE, TALKS, UKR, USA


def entities() -> Graph:
    g = Graph()
    for state, code, name in ((UKR, "UKR", "Ukraine"), (RUS, "RUS", "Russia"),
                              (SAU, "SAU", "Saudi Arabia"), (USA, "USA", "United States")):
        g.add((state, RDF.type, DT.State))
        g.add((state, DT.isoCode, Literal(code)))
        g.add((state, RDFS.label, Literal(name, lang="en")))
    g.add((USA, SKOS.altLabel, Literal("U.S.")))
    g.add((ENVOY, RDF.type, DT.Envoy))
    g.add((ENVOY, RDFS.label, Literal("U.S. special envoy", lang="en")))
    g.add((ENVOY, DT.represents, USA))
    g.add((KYIV_INDEPENDENT, RDF.type, DT.NewsOrganization))
    g.add((KYIV_INDEPENDENT, RDFS.label, Literal("Kyiv Independent")))
    g.add((KYIV_INDEPENDENT, DT.country, UKR))
    g.add((KYIV_INDEPENDENT, DT.wikidataId, Literal("Q108836617")))
    return g


def claim_graph() -> Graph:
    g = Graph()
    g.add((TALKS, RDF.type, DT.Talks))
    g.add((TALKS, DT.heldAt, SAU))
    g.add((TALKS, DT.hasParty, UKR))
    g.add((TALKS, DT.hasParty, RUS))
    g.add((AGREEMENT, RDF.type, DT.Agreement))
    g.add((AGREEMENT, DT.reachedDuring, TALKS))
    g.add((AGREEMENT, DT.hasParty, UKR))
    g.add((AGREEMENT, DT.hasParty, RUS))
    g.add((AGREEMENT, DT.announcedBy, ENVOY))
    g.add((AGREEMENT, DT.confirmedBy, KYIV_INDEPENDENT))
    g.add((EXCHANGE, RDF.type, DT.PrisonerExchange))
    g.add((EXCHANGE, DT.implements, AGREEMENT))
    g.add((EXCHANGE, DT.prisonerCount, Literal(314)))
    g.add((EXCHANGE, DT.startDate, Literal("2025-03-12", datatype=XSD.date)))
    g.add((EXCHANGE, DT.datePrecision, Literal("day")))
    return g


def provenance(claim=CLAIM, confidence: str | None = "0.9", source=SOURCE) -> Graph:
    g = Graph()
    g.add((claim, RDF.type, DT.Claim))
    if source is not None:
        g.add((claim, PROV.wasDerivedFrom, source))
    g.add((claim, DT.saidBy, ENVOY))
    g.add((claim, DT.quote, Literal("Ukraine and Russia have agreed to exchange 314 prisoners")))
    g.add((claim, DT.quoteStart, Literal(0)))
    g.add((claim, DT.quoteEnd, Literal(57)))
    if confidence is not None:
        g.add((claim, DT.confidence, Literal(confidence, datatype=XSD.decimal)))
    g.add((SOURCE, RDF.type, DT.NewsArticle))
    g.add((SOURCE, DCTERMS.publisher, KYIV_INDEPENDENT))
    g.add((SOURCE, DCTERMS.title, Literal("Ukraine, Russia agree to exchange 314 prisoners")))
    g.add((SOURCE, DCTERMS.issued, Literal("2025-03-12", datatype=XSD.date)))
    g.add((SOURCE, SCHEMA.url, Literal("https://kyivindependent.com/314", datatype=XSD.anyURI)))
    return g


def store(prov: Graph | None = None, claim: Graph | None = None) -> Dataset:
    ds = Dataset()
    ds.graph(ENTITIES_GRAPH).__iadd__(entities())
    ds.graph(CLAIM).__iadd__(claim if claim is not None else claim_graph())
    ds.graph(PROVENANCE_GRAPH).__iadd__(prov if prov is not None else provenance())
    return ds


def results_for(report: ShaclReport, focus, path) -> list[ShaclResult]:
    return [r for r in report.results if r.focus_node == focus and r.path == path]


def test_good_claim_conforms_on_the_union_of_graphs() -> None:
    report = validate_shacl(store())
    assert report.conforms, report.text
    assert report.violations == []
    assert report.exit_code == 0


def test_good_claim_conforms_as_one_merged_graph() -> None:
    merged = entities() + claim_graph() + provenance()
    assert validate_shacl(merged).conforms


def test_confidence_above_one_is_reported() -> None:
    report = validate_shacl(store(prov=provenance(confidence="1.5")))
    assert not report.conforms
    hits = results_for(report, CLAIM, DT.confidence)
    assert hits, report.text
    assert hits[0].severity == "Violation"
    assert hits[0].value == Literal("1.5", datatype=XSD.decimal)
    assert "between 0 and 1" in hits[0].message
    assert report.exit_code == 1


def test_confidence_bounds_are_inclusive() -> None:
    for value in ("0", "1", "0.0", "1.00"):
        assert validate_shacl(store(prov=provenance(confidence=value))).conforms, value
    assert not validate_shacl(store(prov=provenance(confidence="-0.1"))).conforms


def test_confidence_must_be_decimal() -> None:
    prov = provenance(confidence=None)
    prov.add((CLAIM, DT.confidence, Literal("high")))
    report = validate_shacl(store(prov=prov))
    assert results_for(report, CLAIM, DT.confidence)


def test_claim_without_source_is_reported() -> None:
    report = validate_shacl(store(prov=provenance(source=None)))
    assert not report.conforms
    hits = results_for(report, CLAIM, PROV.wasDerivedFrom)
    assert hits and hits[0].constraint == "MinCountConstraintComponent"
    assert "exactly one" in hits[0].message
    assert "claim:314" in hits[0].describe() or str(CLAIM) in hits[0].describe()


def test_claim_with_two_sources_or_a_non_source() -> None:
    prov = provenance()
    prov.add((CLAIM, PROV.wasDerivedFrom, DTR["source/other"]))
    report = validate_shacl(store(prov=prov))
    hits = results_for(report, CLAIM, PROV.wasDerivedFrom)
    kinds = {h.constraint for h in hits}
    assert "MaxCountConstraintComponent" in kinds
    assert "ClassConstraintComponent" in kinds  # source/other is not typed dt:Source


def test_untyped_provenance_is_still_checked() -> None:
    g = Graph()
    g.add((DTR["claim/untyped"], DT.confidence, Literal("2", datatype=XSD.decimal)))
    report = validate_shacl(g)
    assert results_for(report, DTR["claim/untyped"], DT.confidence)
    assert results_for(report, DTR["claim/untyped"], PROV.wasDerivedFrom)


def test_quote_offsets() -> None:
    prov = provenance()
    prov.remove((CLAIM, DT.quoteStart, None))
    prov.add((CLAIM, DT.quoteStart, Literal(80)))
    report = validate_shacl(store(prov=prov))
    assert results_for(report, CLAIM, DT.quoteStart)
    prov = provenance()
    prov.add((CLAIM, DT.quote, Literal("a second quote")))
    assert results_for(validate_shacl(store(prov=prov)), CLAIM, DT.quote)


def test_party_must_be_an_actor() -> None:
    claim = claim_graph()
    claim.add((TALKS, DT.hasParty, DTR["venue/riyadh"]))
    ds = store(claim=claim)
    ds.graph(ENTITIES_GRAPH).add((DTR["venue/riyadh"], RDF.type, DT.Venue))
    ds.graph(ENTITIES_GRAPH).add((DTR["venue/riyadh"], RDFS.label, Literal("Riyadh")))
    report = validate_shacl(ds)
    assert not report.conforms
    hits = results_for(report, TALKS, DT.hasParty)
    assert hits and hits[0].value == DTR["venue/riyadh"]


def test_party_typed_only_by_range_is_not_an_actor() -> None:
    """Domains/ranges are not used for inference: an unknown party is reported."""
    claim = claim_graph()
    claim.add((TALKS, DT.hasParty, DTR["state/XYZ"]))
    report = validate_shacl(store(claim=claim))
    assert results_for(report, TALKS, DT.hasParty)


def test_party_literal_is_reported() -> None:
    claim = claim_graph()
    claim.add((TALKS, DT.hasParty, Literal("Ukraine")))
    assert results_for(validate_shacl(store(claim=claim)), TALKS, DT.hasParty)


def test_subclass_instances_count_as_actors() -> None:
    claim = claim_graph()
    claim.add((TALKS, DT.mediatedBy, ENVOY))  # an Envoy, hence a Person, hence an Actor
    assert validate_shacl(store(claim=claim)).conforms


def test_venue_may_be_a_state_or_venue() -> None:
    claim = claim_graph()
    claim.add((TALKS, DT.heldAt, DTR["venue/riyadh"]))
    ds = store(claim=claim)
    ds.graph(ENTITIES_GRAPH).add((DTR["venue/riyadh"], RDF.type, DT.Venue))
    ds.graph(ENTITIES_GRAPH).add((DTR["venue/riyadh"], RDFS.label, Literal("Riyadh")))
    assert validate_shacl(ds).conforms
    claim.add((TALKS, DT.heldAt, ENVOY))
    assert results_for(validate_shacl(store(claim=claim)), TALKS, DT.heldAt)


def test_prisoner_count() -> None:
    claim = claim_graph()
    claim.set((EXCHANGE, DT.prisonerCount, Literal(-3)))
    assert results_for(validate_shacl(store(claim=claim)), EXCHANGE, DT.prisonerCount)
    claim.set((EXCHANGE, DT.prisonerCount, Literal("314")))
    assert results_for(validate_shacl(store(claim=claim)), EXCHANGE, DT.prisonerCount)


def test_disagreeing_claims_are_valid_data() -> None:
    """314 versus 300: both kept, no maxCount on functional fact properties."""
    ds = store()
    other = DTR["claim/300"]
    ds.graph(other).add((EXCHANGE, DT.prisonerCount, Literal(300)))
    ds.graph(PROVENANCE_GRAPH).__iadd__(provenance(claim=other, confidence="0.6"))
    assert validate_shacl(ds).conforms


def test_state_iso_code() -> None:
    ds = store()
    ds.graph(ENTITIES_GRAPH).remove((UKR, DT.isoCode, None))
    ds.graph(ENTITIES_GRAPH).add((UKR, DT.isoCode, Literal("ua")))
    report = validate_shacl(ds)
    hits = results_for(report, UKR, DT.isoCode)
    assert hits and hits[0].value == Literal("ua")
    ds.graph(ENTITIES_GRAPH).remove((UKR, DT.isoCode, None))
    assert results_for(validate_shacl(ds), UKR, DT.isoCode)


def test_source_fields() -> None:
    prov = provenance()
    prov.add((SOURCE, DCTERMS.issued, Literal("2025-03-13", datatype=XSD.date)))
    prov.set((SOURCE, SCHEMA.url, Literal("not a url")))
    report = validate_shacl(store(prov=prov))
    assert results_for(report, SOURCE, DCTERMS.issued)
    assert results_for(report, SOURCE, SCHEMA.url)
    prov = provenance()
    prov.set((SOURCE, DCTERMS.issued, Literal("12 March 2025")))
    assert results_for(validate_shacl(store(prov=prov)), SOURCE, DCTERMS.issued)


def test_unknown_publisher_is_only_a_warning() -> None:
    prov = provenance()
    prov.set((SOURCE, DCTERMS.publisher, DTR["org/unknown"]))
    report = validate_shacl(store(prov=prov))
    assert report.conforms
    assert [w for w in report.warnings if w.path == DCTERMS.publisher]
    strict = validate_shacl(store(prov=prov), allow_warnings=False)
    assert not strict.conforms


def test_labels_and_identifiers() -> None:
    ds = store()
    ds.graph(ENTITIES_GRAPH).add((RUS, DT.wikidataId, Literal("159")))
    ds.graph(ENTITIES_GRAPH).add((UKR, RDFS.label, Literal("")))
    report = validate_shacl(ds)
    assert results_for(report, RUS, DT.wikidataId)
    assert results_for(report, UKR, RDFS.label)


def test_input_is_not_modified() -> None:
    ds = store()
    before = len(set(ds.quads()))
    validate_shacl(ds)
    assert len(set(ds.quads())) == before


def test_empty_graph_conforms() -> None:
    report = validate_shacl(Graph())
    assert report.conforms and report.results == [] and isinstance(report.text, str)
