"""The ontology file: every term of DESIGN.md, labels, definitions, ranges, alignments."""

from __future__ import annotations

import re

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from detente.ontology import schema
from detente.ontology.vocab import DT, ENTITY_TYPES, ONTOLOGY_IRI, ORG, SCHEMA, SEM, TIME, TYPE_SEGMENTS

CLASSES = [
    "Actor", "State", "Person", "Envoy", "Organization", "NewsOrganization",
    "InternationalOrganization", "Venue", "Event", "Talks", "Exchange", "PrisonerExchange",
    "Announcement", "Agreement", "Ceasefire", "PeaceAgreement", "Claim", "Source",
    "NewsArticle", "OfficialStatement", "Dataset", "ExtractionActivity", "LinkRecord", "LinkingActivity",
    # the maintained summary (issue 9)
    "SummaryRecord", "FactSupport", "Participation", "ActorTie", "SummaryGraph",
]
OBJECT_PROPERTIES = [
    "hasParty", "heldAt", "mediatedBy", "announcedBy", "confirmedBy", "signatory",
    "represents", "reachedDuring", "implements", "country", "saidBy", "supportedBy",
    "initiator", "target", "possiblySameAs", "linkSource", "linkTarget",
    "event", "actor", "tieBetween",
]
# What a fact-support record counts: a triple's parts, which may be literals (so not object properties).
ANNOTATION_PROPERTIES = ["factSubject", "factPredicate", "factObject"]
DATATYPE_PROPERTIES = {
    "prisonerCount": XSD.integer, "startDate": XSD.date, "endDate": XSD.date,
    "status": XSD.string, "quote": XSD.string, "confidence": XSD.decimal,
    "quoteStart": XSD.integer, "quoteEnd": XSD.integer, "datePrecision": XSD.string,
    "isoCode": XSD.string, "wikidataId": XSD.string, "cameoCode": XSD.string,
    "goldsteinScale": XSD.decimal, "externalId": XSD.string,
    "ceasefireProvision": XSD.boolean, "prisonerReleaseProvision": XSD.boolean,
    "method": XSD.string, "linkScore": XSD.decimal, "linkDecision": XSD.string, "linkEvidence": XSD.string,
    "role": XSD.string, "claimCount": XSD.integer, "sourceCount": XSD.integer, "publisherCount": XSD.integer,
    "eventCount": XSD.integer, "partyEventCount": XSD.integer, "firstSeen": XSD.date, "lastSeen": XSD.date,
    "publishedClaimCount": XSD.integer, "publishedSourceCount": XSD.integer, "summaryVersion": XSD.string,
    "stale": XSD.boolean,
}
EXTERNAL_DATATYPE_PROPERTIES = {
    DCTERMS.issued: XSD.date, DCTERMS.title: XSD.string, SCHEMA.url: XSD.anyURI,
}
SUBCLASSES = [
    ("State", "Actor"), ("Person", "Actor"), ("Envoy", "Person"), ("Organization", "Actor"),
    ("NewsOrganization", "Organization"), ("InternationalOrganization", "Organization"),
    ("Talks", "Event"), ("Exchange", "Event"), ("PrisonerExchange", "Exchange"),
    ("Announcement", "Event"), ("Ceasefire", "Agreement"), ("PeaceAgreement", "Agreement"),
    ("NewsArticle", "Source"), ("OfficialStatement", "Source"), ("Dataset", "Source"),
]


@pytest.fixture(scope="module")
def g() -> Graph:
    return schema.ontology_graph()


def _english(graph: Graph, term: URIRef, predicate: URIRef) -> list[Literal]:
    return [o for o in graph.objects(term, predicate) if isinstance(o, Literal) and o.language == "en"]


def test_header(g: Graph) -> None:
    ont = URIRef(ONTOLOGY_IRI)
    assert (ont, RDF.type, OWL.Ontology) in g
    for predicate in (OWL.versionInfo, DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.created):
        assert g.value(ont, predicate) is not None, predicate
    assert not list(g.objects(ont, OWL.imports)), "the reasoner must run offline"
    assert schema.ontology_version() == str(g.value(ont, OWL.versionInfo))


@pytest.mark.parametrize("name", CLASSES)
def test_class_declared_and_documented(g: Graph, name: str) -> None:
    term = DT[name]
    assert (term, RDF.type, OWL.Class) in g
    assert len(_english(g, term, RDFS.label)) == 1
    assert len(_english(g, term, SKOS.definition)) == 1
    assert (term, RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) in g


@pytest.mark.parametrize("name", OBJECT_PROPERTIES)
def test_object_property_declared_and_documented(g: Graph, name: str) -> None:
    term = DT[name]
    assert (term, RDF.type, OWL.ObjectProperty) in g
    assert _english(g, term, RDFS.label) and _english(g, term, SKOS.definition)
    assert (term, RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) in g
    assert schema.domain_classes(term), f"{name} has no domain"
    assert schema.range_classes(term), f"{name} has no range"


@pytest.mark.parametrize("name", ANNOTATION_PROPERTIES)
def test_summary_annotation_property_declared_and_documented(g: Graph, name: str) -> None:
    term = DT[name]
    assert (term, RDF.type, OWL.AnnotationProperty) in g
    assert _english(g, term, RDFS.label) and _english(g, term, SKOS.definition)
    assert schema.domain_classes(term) == {DT.FactSupport}


@pytest.mark.parametrize(("name", "datatype"), sorted(DATATYPE_PROPERTIES.items()))
def test_datatype_property_declared_with_one_xsd_range(g: Graph, name: str, datatype: URIRef) -> None:
    term = DT[name]
    assert (term, RDF.type, OWL.DatatypeProperty) in g
    assert _english(g, term, RDFS.label) and _english(g, term, SKOS.definition)
    assert (term, RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) in g
    assert list(g.objects(term, RDFS.range)) == [datatype]
    assert schema.property_range(term) == datatype


def test_every_dt_term_is_documented(g: Graph) -> None:
    terms = {s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(str(DT))}
    assert len(terms) == len(CLASSES) + len(OBJECT_PROPERTIES) + len(DATATYPE_PROPERTIES) + len(ANNOTATION_PROPERTIES)
    for term in terms:
        assert _english(g, term, RDFS.label), term
        assert _english(g, term, SKOS.definition), term
        assert (term, RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) in g, term


def test_every_datatype_property_has_exactly_one_xsd_range(g: Graph) -> None:
    for prop in g.subjects(RDF.type, OWL.DatatypeProperty):
        ranges = list(g.objects(prop, RDFS.range))
        if not str(prop).startswith(str(DT)) and not ranges:
            continue  # external property declared only as an alignment target
        assert len(ranges) == 1, prop
        assert schema.is_xsd_datatype(ranges[0]), prop


def test_datatype_properties_map() -> None:
    mapping = schema.datatype_properties()
    for name, datatype in DATATYPE_PROPERTIES.items():
        assert mapping[DT[name]] == datatype
    for prop, datatype in EXTERNAL_DATATYPE_PROPERTIES.items():
        assert mapping[prop] == datatype
    mapping.clear()
    assert schema.datatype_properties(), "callers get a copy"


def test_object_properties() -> None:
    props = schema.object_properties()
    assert {DT[n] for n in OBJECT_PROPERTIES} <= props
    assert {PROV.wasDerivedFrom, PROV.wasGeneratedBy, DCTERMS.publisher} <= props
    assert not props & set(schema.datatype_properties())


def test_functional_properties() -> None:
    assert schema.functional_properties() == {
        DT.prisonerCount, DT.startDate, DT.endDate, DT.status, DT.isoCode,
    }


def test_ranges_and_domains() -> None:
    assert schema.range_classes(DT.heldAt) == {DT.Venue, DT.State}
    assert schema.property_range(DT.heldAt) is None
    assert schema.domain_classes(DT.hasParty) == {DT.Event, DT.Agreement}
    assert schema.property_range(DT.hasParty) == DT.Actor
    assert schema.property_range(DT.reachedDuring) == DT.Talks
    assert schema.property_range(DT.implements) == DT.Agreement
    assert schema.domain_classes(DT.implements) == {DT.Exchange}
    assert schema.property_range(DT.country) == DT.State
    assert schema.property_range(DT.saidBy) == DT.Actor
    assert schema.property_range(PROV.wasDerivedFrom) == DT.Source
    assert schema.property_range(PROV.wasGeneratedBy) == PROV.Activity
    assert schema.property_range(DCTERMS.publisher) == DT.Actor
    assert schema.property_range(URIRef("urn:not:a:property")) is None


@pytest.mark.parametrize(("child", "parent"), SUBCLASSES)
def test_hierarchy(child: str, parent: str) -> None:
    assert DT[parent] in schema.class_ancestors(DT[child])
    assert DT[child] in schema.subclasses(DT[parent])


def test_ancestors_and_subclasses_are_transitive_and_inclusive() -> None:
    assert schema.class_ancestors(DT.Envoy) >= {DT.Envoy, DT.Person, DT.Actor, SEM.Actor, PROV.Agent, SCHEMA.Person}
    assert schema.subclasses(DT.Actor) == {
        DT.Actor, DT.State, DT.Person, DT.Envoy, DT.Organization,
        DT.NewsOrganization, DT.InternationalOrganization,
    }
    assert schema.subclasses(DT.Event) == {
        DT.Event, DT.Talks, DT.Exchange, DT.PrisonerExchange, DT.Announcement,
    }
    assert schema.class_ancestors(URIRef("urn:unknown")) == {URIRef("urn:unknown")}


def test_alignments(g: Graph) -> None:
    expected = [
        (DT.Actor, SEM.Actor), (DT.Actor, PROV.Agent), (DT.State, SCHEMA.Country),
        (DT.Person, SCHEMA.Person), (DT.Person, PROV.Person), (DT.Organization, ORG.Organization),
        (DT.Organization, SCHEMA.Organization), (DT.Venue, SEM.Place), (DT.Venue, SCHEMA.Place),
        (DT.Event, SEM.Event), (DT.Event, SCHEMA.Event), (DT.Claim, PROV.Entity),
        (DT.Source, PROV.Entity), (DT.Source, SCHEMA.CreativeWork), (DT.NewsArticle, SCHEMA.NewsArticle),
        (DT.Dataset, SCHEMA.Dataset), (DT.ExtractionActivity, PROV.Activity),
    ]
    for child, parent in expected:
        assert (child, RDFS.subClassOf, parent) in g, (child, parent)
        assert (parent, RDF.type, OWL.Class) in g, f"{parent} must be declared inline"
    assert (DT.hasParty, RDFS.subPropertyOf, SEM.hasActor) in g
    assert (DT.heldAt, RDFS.subPropertyOf, SEM.hasPlace) in g
    assert (DT.saidBy, RDFS.subPropertyOf, PROV.wasAttributedTo) in g
    assert (DT.startDate, RDFS.subPropertyOf, SCHEMA.startDate) in g
    assert (DT.startDate, SKOS.closeMatch, TIME.hasBeginning) in g
    assert (DT.represents, SKOS.closeMatch, ORG.memberOf) in g
    for prop in (SEM.hasActor, SEM.hasPlace, PROV.wasAttributedTo):
        assert (prop, RDF.type, OWL.ObjectProperty) in g


def test_disjointness_axioms(g: Graph) -> None:
    from rdflib.collection import Collection

    groups = [
        set(Collection(g, g.value(node, OWL.members)))
        for node in g.subjects(RDF.type, OWL.AllDisjointClasses)
    ]
    assert {DT.State, DT.Person, DT.Organization} in groups
    assert any({DT.Actor, DT.Event, DT.Agreement, DT.Claim, DT.Source} <= grp for grp in groups)
    assert any({DT.Venue, DT.Event, DT.Agreement, DT.Claim, DT.Source} <= grp for grp in groups)
    # a state may be the venue of talks
    assert not any({DT.State, DT.Venue} <= grp for grp in groups)
    assert not any({DT.Actor, DT.Venue} <= grp for grp in groups)
    assert (DT.Venue, OWL.disjointWith, DT.Person) in g


def test_vocab_entity_types_exist(g: Graph) -> None:
    for cls in set(ENTITY_TYPES.values()) | set(TYPE_SEGMENTS):
        assert (cls, RDF.type, OWL.Class) in g, cls


def test_labels_and_definitions() -> None:
    labels = schema.labels()
    assert labels[DT.PrisonerExchange] == "Prisoner Exchange"
    assert labels[DT.hasParty] == "has party"
    assert "state" in schema.definitions()[DT.Envoy]


def test_no_bnode_sharing_between_axioms(g: Graph) -> None:
    """OWL 2 DL: each anonymous class expression is used by one axiom only."""
    for node in {o for o in g.objects() if isinstance(o, BNode)}:
        uses = [t for t in g.triples((None, None, node)) if t[1] not in (RDF.first, RDF.rest)]
        assert len(uses) <= 1, node


def test_turtle_and_rdfxml_copies_are_isomorphic() -> None:
    ttl = Graph().parse(schema.ontology_path(), format="turtle")
    owl = Graph().parse(schema.owl_path(), format="xml")
    assert isomorphic(ttl, owl), "ontology/detente.owl is stale: run export_rdfxml(owl_path())"


def test_export_rdfxml_roundtrip(tmp_path) -> None:
    target = tmp_path / "copy.owl"
    text = schema.export_rdfxml(target)
    assert target.read_text(encoding="utf-8") == text
    assert isomorphic(Graph().parse(target, format="xml"), schema.ontology_graph())


def test_vocabulary_graph_has_hierarchy_without_domains_or_ranges() -> None:
    vg = schema.vocabulary_graph()
    assert (DT.PrisonerExchange, RDFS.subClassOf, DT.Exchange) in vg
    assert (DT.saidBy, RDFS.subPropertyOf, PROV.wasAttributedTo) in vg
    assert not list(vg.triples((None, RDFS.domain, None)))
    assert not list(vg.triples((None, RDFS.range, None)))


def test_shapes_graph_parses_and_targets_claims() -> None:
    from detente.ontology.vocab import SH

    shapes = schema.shapes_graph()
    assert (None, SH.targetClass, DT.Claim) in shapes
    assert (None, SH.targetClass, DT.State) in shapes
    pattern = next(shapes.objects(None, SH.pattern))
    assert re.compile(str(pattern))
