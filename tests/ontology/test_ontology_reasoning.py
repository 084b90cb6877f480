"""HermiT (through owlready2) on the ontology alone and with data."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from detente.ontology.reasoning import (
    ConsistencyReport,
    ReasoningError,
    check_consistency,
    diagnose,
    java_executable,
)
from detente.ontology.vocab import DT, DTR, ENTITIES_GRAPH, PROVENANCE_GRAPH, SCHEMA

from worked_example import AGREEMENT, CLAIM, ENVOY, EXCHANGE, KYIV_INDEPENDENT, RUS, SAU, SOURCE, TALKS, UKR, USA

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow,  # each test starts Java for HermiT
              pytest.mark.skipif(java_executable() is None,
                                 reason="HermiT needs Java (apt-get install default-jre-headless)")]



def worked_example() -> Dataset:
    """The DESIGN.md story as it would sit in the store: entities, one claim, provenance."""
    ds = Dataset()
    entities = ds.graph(ENTITIES_GRAPH)
    for state, code, name in ((UKR, "UKR", "Ukraine"), (RUS, "RUS", "Russia"),
                              (SAU, "SAU", "Saudi Arabia"), (USA, "USA", "United States")):
        entities.add((state, RDF.type, DT.State))
        entities.add((state, DT.isoCode, Literal(code)))
        entities.add((state, RDFS.label, Literal(name, lang="en")))
    entities.add((ENVOY, RDF.type, DT.Envoy))
    entities.add((ENVOY, RDFS.label, Literal("U.S. special envoy", lang="en")))
    entities.add((ENVOY, DT.represents, USA))
    entities.add((ENVOY, DT.country, USA))
    entities.add((KYIV_INDEPENDENT, RDF.type, DT.NewsOrganization))
    entities.add((KYIV_INDEPENDENT, RDFS.label, Literal("Kyiv Independent")))
    entities.add((KYIV_INDEPENDENT, DT.country, UKR))

    claim = ds.graph(CLAIM)
    claim.add((TALKS, RDF.type, DT.Talks))
    claim.add((TALKS, DT.heldAt, SAU))
    claim.add((TALKS, DT.hasParty, UKR))
    claim.add((TALKS, DT.hasParty, RUS))
    claim.add((AGREEMENT, RDF.type, DT.Agreement))
    claim.add((AGREEMENT, DT.reachedDuring, TALKS))
    claim.add((AGREEMENT, DT.hasParty, UKR))
    claim.add((AGREEMENT, DT.hasParty, RUS))
    claim.add((AGREEMENT, DT.announcedBy, ENVOY))
    claim.add((AGREEMENT, DT.confirmedBy, KYIV_INDEPENDENT))
    claim.add((AGREEMENT, DT.prisonerReleaseProvision, Literal(True)))
    claim.add((EXCHANGE, RDF.type, DT.PrisonerExchange))
    claim.add((EXCHANGE, DT.implements, AGREEMENT))
    claim.add((EXCHANGE, DT.prisonerCount, Literal(314)))
    claim.add((EXCHANGE, DT.status, Literal("agreed")))
    claim.add((EXCHANGE, DT.startDate, Literal("2025-03-12", datatype=XSD.date)))

    prov = ds.graph(PROVENANCE_GRAPH)
    prov.add((CLAIM, RDF.type, DT.Claim))
    prov.add((CLAIM, PROV.wasDerivedFrom, SOURCE))
    prov.add((CLAIM, DT.saidBy, ENVOY))
    prov.add((CLAIM, DT.quote, Literal("Ukraine and Russia have agreed to exchange 314 prisoners")))
    prov.add((CLAIM, DT.quoteStart, Literal(0)))
    prov.add((CLAIM, DT.quoteEnd, Literal(57)))
    prov.add((CLAIM, DT.confidence, Literal("0.9", datatype=XSD.decimal)))
    prov.add((CLAIM, PROV.wasGeneratedBy, DTR["activity/load-1"]))
    prov.add((DTR["activity/load-1"], RDF.type, DT.ExtractionActivity))
    prov.add((DTR["activity/load-1"], DT.method, Literal("news-text")))
    prov.add((SOURCE, RDF.type, DT.NewsArticle))
    prov.add((SOURCE, DCTERMS.publisher, KYIV_INDEPENDENT))
    prov.add((SOURCE, DCTERMS.title, Literal("Ukraine, Russia agree to exchange 314 prisoners")))
    prov.add((SOURCE, DCTERMS.issued, Literal("2025-03-12", datatype=XSD.date)))
    prov.add((SOURCE, SCHEMA.url, Literal("https://kyivindependent.com/314", datatype=XSD.anyURI)))
    return ds


def test_ontology_alone_is_consistent_and_coherent() -> None:
    report = check_consistency()
    assert isinstance(report, ConsistencyReport)
    assert report.consistent
    assert report.inconsistent_classes == []
    assert report.exit_code == 0
    # 22 of DESIGN.md, plus dt:LinkRecord and dt:LinkingActivity (issue 11), plus the 5 summary classes (issue 9)
    assert report.class_count == 24 + 5
    assert report.data_triple_count == 0
    assert report.triple_count > 400
    assert "HermiT" in report.reasoner
    assert 0 < report.seconds < 120


def test_state_and_person_is_inconsistent() -> None:
    g = Graph()
    g.add((DTR["x"], RDF.type, DT.State))
    g.add((DTR["x"], RDF.type, DT.Person))
    report = check_consistency(g)
    assert not report.consistent
    assert report.exit_code == 1
    assert "dt:Person" in report.explanation and "dt:State" in report.explanation
    assert report.individual_count == 1


def test_talks_that_is_a_claim_is_inconsistent() -> None:
    g = Graph()
    g.add((DTR["event/t"], RDF.type, DT.Talks))
    g.add((DTR["event/t"], RDF.type, DT.Claim))
    report = check_consistency(g)
    assert not report.consistent
    assert any("disjoint" in cause for cause in report.causes)


def test_worked_example_is_consistent() -> None:
    report = check_consistency(worked_example())
    assert report.consistent, report.explanation
    assert report.exit_code == 0
    assert report.data_triple_count == len(set(worked_example().quads()))
    assert report.individual_count >= 10


def test_state_as_venue_is_allowed() -> None:
    g = Graph()
    g.add((TALKS, RDF.type, DT.Talks))
    g.add((TALKS, DT.heldAt, SAU))
    g.add((SAU, RDF.type, DT.State))
    g.add((DTR["venue/riyadh"], RDF.type, DT.Venue))
    g.add((DTR["venue/riyadh"], DT.country, SAU))
    assert check_consistency(g).consistent


def test_conflicting_prisoner_counts_in_one_graph_are_inconsistent() -> None:
    data = worked_example()
    data.graph(DTR["claim/300"]).add((EXCHANGE, DT.prisonerCount, Literal(300)))
    report = check_consistency(data)
    assert not report.consistent
    assert any("prisonerCount" in c and "300" in c and "314" in c for c in report.causes)


def test_party_that_is_a_venue_is_inconsistent() -> None:
    g = Graph()
    g.add((TALKS, DT.hasParty, DTR["venue/riyadh"]))
    g.add((DTR["venue/riyadh"], RDF.type, DT.Venue))
    g.add((DTR["venue/riyadh"], RDF.type, DT.Person))
    assert not check_consistency(g).consistent


def test_source_that_is_an_actor_is_inconsistent() -> None:
    g = Graph()
    g.add((CLAIM, RDF.type, DT.Claim))
    g.add((CLAIM, PROV.wasDerivedFrom, UKR))
    g.add((UKR, RDF.type, DT.State))
    report = check_consistency(g)
    assert not report.consistent
    assert any("state:UKR" in c or "UKR" in c for c in report.causes)


def test_confidence_out_of_range_and_wrong_literal_types() -> None:
    g = Graph()
    g.add((CLAIM, DT.confidence, Literal("1.5", datatype=XSD.decimal)))
    assert not check_consistency(g).consistent
    g = Graph()
    g.add((EXCHANGE, DT.prisonerCount, Literal("314")))  # a string, not an integer
    report = check_consistency(g)
    assert not report.consistent
    assert any("xsd:integer" in c for c in report.causes)


def test_files_as_input(tmp_path: Path) -> None:
    ds = worked_example()
    trig = tmp_path / "example.trig"
    ds.serialize(trig, format="trig")
    bad = tmp_path / "bad.ttl"
    bad_graph = Graph()
    bad_graph.add((DTR["x"], RDF.type, DT.Organization))
    bad_graph.add((DTR["x"], RDF.type, DT.State))
    bad_graph.serialize(bad, format="turtle")
    assert check_consistency([trig]).consistent
    assert check_consistency(str(trig)).consistent
    assert not check_consistency([trig, bad]).consistent


def test_unreadable_input_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle <<<", encoding="utf-8")
    with pytest.raises(ReasoningError):
        check_consistency([broken])
    with pytest.raises(ReasoningError):
        check_consistency([tmp_path / "missing.ttl"])


def test_imports_in_data_are_ignored() -> None:
    from rdflib import URIRef
    from rdflib.namespace import OWL

    g = Graph()
    g.add((URIRef("urn:data"), RDF.type, OWL.Ontology))
    g.add((URIRef("urn:data"), OWL.imports, URIRef("http://example.invalid/nowhere.owl")))
    g.add((UKR, RDF.type, DT.State))
    assert check_consistency(g).consistent


def test_leaves_no_files_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every temporary file (ours and owlready2's) lives and dies in a private directory."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    package = REPO / "ontology"
    before = {p for p in package.iterdir() if p.name != "__pycache__"}
    g = Graph()
    g.add((DTR["x"], RDF.type, DT.State))
    g.add((DTR["x"], RDF.type, DT.Person))
    assert not check_consistency(g).consistent  # where owlready2 would leak its dump
    assert check_consistency(worked_example()).consistent
    assert list(tmp_path.iterdir()) == []
    assert {p for p in package.iterdir() if p.name != "__pycache__"} == before


def test_diagnose_without_reasoner() -> None:
    g = Graph()
    g.add((DTR["x"], RDF.type, DT.Envoy))
    g.add((DTR["x"], RDF.type, DT.NewsOrganization))
    g.add((EXCHANGE, DT.startDate, Literal("2025-03-12", datatype=XSD.date)))
    g.add((EXCHANGE, DT.startDate, Literal("2025-03-13", datatype=XSD.date)))
    causes = diagnose(g)
    assert any("disjoint" in c and "dtr:x" in c for c in causes)
    assert any("startDate" in c for c in causes)
    assert diagnose(Graph()) == []


def test_owlready2_is_imported_only_by_reasoning() -> None:
    importing = re.compile(r"^\s*(import owlready2|from owlready2)", re.MULTILINE)
    offenders = [
        p.name for p in (REPO / "ontology").glob("*.py")
        if p.name != "reasoning.py" and importing.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_check_runs_without_network() -> None:
    """HermiT and owlready2 get no chance to fetch anything: sockets are refused."""
    code = (
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network disabled in test')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from detente.ontology.reasoning import check_consistency\n"
        "r = check_consistency()\n"
        "raise SystemExit(r.exit_code)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def test_missing_java_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import detente.ontology.reasoning as reasoning

    monkeypatch.setattr(reasoning, "java_executable", lambda: None)
    with pytest.raises(ReasoningError, match="Java"):
        reasoning.check_consistency()
