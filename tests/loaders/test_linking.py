"""Linking: the worked example joins the demo store; events link across loaders; accept and unlink."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from detente.cli import main
from detente.graph.claims import conflicts, provenance
from detente.graph.store import open_store
from detente.loaders import LoadOptions, load_paths
from detente.loaders.linking import (
    CANDIDATE,
    REUSE,
    EventFacts,
    accept,
    link_store,
    list_candidates,
    read_events,
    score_pair,
    unlink,
)
from detente.ontology.vocab import DT, DTR

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "loaders" / "demo"
# The worked example's story (tests/fixtures/README.md).
STORY = Path(__file__).resolve().parents[1] / "fixtures" / "news" / "000_3e7fe375a9c81d38.txt"
STORY_OPTIONS = LoadOptions(source_url="https://example.org/test/prisoner-exchange-story", published="2025-03-12")
AGREEMENT = DTR["agreement/ukr-rus-314-exchange"]


@pytest.fixture(scope="module")
def demo_and_story():
    store = open_store("memory:")
    load_paths(store, [DEMO])
    before = provenance(store, AGREEMENT, DT.prisonerCount, Literal(314))
    reports = load_paths(store, [STORY], options=STORY_OPTIONS)
    return store, before, reports


def test_story_corroborates_the_demo_agreement(demo_and_story) -> None:
    store, before, reports = demo_and_story
    assert len(before.supporting) == 2 and not reports[0].rejects
    report = provenance(store, AGREEMENT, DT.prisonerCount, Literal(314))
    assert len(report.supporting) == 3
    assert [str(o) for c in report.disagreeing for s, p, o in c.statements if p == DT.prisonerCount] == ["300"]
    found = {str(c.subject): set(c.values) for c in conflicts(store) if c.predicate == DT.prisonerCount}
    assert found == {str(AGREEMENT): {"300", "314"}}
    # No agreement or talks were minted beside the demo's; the story's envoy is the demo's envoy.
    assert not store.query("ASK { ?a a dt:Agreement FILTER(CONTAINS(STR(?a), '/news-')) }").boolean
    assert not store.query("ASK { ?a a dt:Talks FILTER(CONTAINS(STR(?a), '/news-')) }").boolean
    assert store.query("ASK { GRAPH ?c { agreement:ukr-rus-314-exchange dt:reachedDuring event:saudi-talks-2025 ; "
                       "dt:announcedBy person:us-special-envoy } ?c dt:quote ?q }").boolean
    assert store.query("ASK { agreement:ukr-rus-314-exchange dt:confirmedBy organization:kyiv-independent }").boolean


def test_every_reuse_is_a_link_record(demo_and_story) -> None:
    store, _, _ = demo_and_story
    rows = store.query("""SELECT ?target ?score ?evidence ?method WHERE {
      GRAPH <https://w3id.org/detente/id/graph/provenance> {
        ?r a dt:LinkRecord ; dt:linkDecision "reused" ; dt:linkTarget ?target ; dt:linkScore ?score ;
           dt:linkEvidence ?evidence ; prov:wasGeneratedBy ?activity . ?activity a dt:LinkingActivity ;
           dt:method ?method } }""").rows
    targets = {str(r[0]) for r in rows}
    assert targets == {str(AGREEMENT), str(DTR["event/saudi-talks-2025"])}
    assert all(float(r[1]) >= REUSE and "parties shared: RUS, UKR" in str(r[2]) for r in rows)
    assert {str(r[3]) for r in rows} == {"detente-link:events:v1"}


def test_loading_the_story_again_adds_nothing(demo_and_story) -> None:
    store, _, _ = demo_and_story
    before = store.count_quads()
    again = load_paths(store, [STORY], options=STORY_OPTIONS)
    assert again[0].new_claims == 0 and store.count_quads() == before


def test_scores() -> None:
    talks = EventFacts(URIRef("urn:a"), "talks", frozenset({"UKR", "RUS"}), venue="SAU")
    assert score_pair(talks, EventFacts(URIRef("urn:b"), "agreement", frozenset({"UKR", "RUS"})))[0] == 0
    assert score_pair(talks, EventFacts(URIRef("urn:b"), "talks", frozenset({"ARM", "AZE"})))[0] == 0
    elsewhere = EventFacts(URIRef("urn:b"), "talks", frozenset({"UKR", "RUS"}), venue="TUR")
    assert score_pair(talks, elsewhere)[0] < CANDIDATE
    from datetime import date
    early = EventFacts(URIRef("urn:c"), "agreement", frozenset({"UKR", "RUS"}), start=date(2025, 1, 1))
    late = EventFacts(URIRef("urn:d"), "agreement", frozenset({"UKR", "RUS"}), start=date(2025, 3, 12))
    assert score_pair(early, late)[0] == 0


GDELT_ROW = {"GLOBALEVENTID": "900000001", "SQLDATE": "20001212", "MonthYear": "200012", "Year": "2000",
             "FractionDate": "2000.9452", "Actor1Code": "ETHGOV", "Actor1Name": "ETHIOPIA", "Actor1CountryCode": "ETH",
             "Actor1Type1Code": "GOV", "Actor2Code": "ERIGOV", "Actor2Name": "ERITREA", "Actor2CountryCode": "ERI",
             "Actor2Type1Code": "GOV", "IsRootEvent": "1", "EventCode": "057", "EventBaseCode": "057",
             "EventRootCode": "05", "QuadClass": "1", "GoldsteinScale": "8.0", "NumMentions": "10", "NumSources": "3",
             "NumArticles": "10", "AvgTone": "2.0", "ActionGeo_Type": "4",
             "ActionGeo_FullName": "Algiers, Alger, Algeria", "ActionGeo_CountryCode": "AG",
             "DATEADDED": "20001212150000", "SOURCEURL": "https://www.example.org/news/algiers-agreement"}


def _cross_loader_files(tmp_path: Path) -> list[Path]:
    from detente.loaders.gdelt import COLUMNS

    gdelt = tmp_path / "20001212150000.export.CSV"
    gdelt.write_text("\t".join(GDELT_ROW.get(c, "") for c in COLUMNS) + "\n", encoding="utf-8")
    ucdp = tmp_path / "ucdp.csv"
    ucdp.write_text("paid,gwno,actor_id,actor_name,pa_name,pa_date,pa_sign,pa_3rd,cease,pris,pa_type\n"
                    '9001,"530, 531","10, 11","Government of Ethiopia, Government of Eritrea",Algiers Agreement,'
                    "2000-12-12,,,1,1,1\n", encoding="utf-8")
    news = tmp_path / "algiers.md"
    news.write_text("---\nurl: https://example.org/news/algiers\npublisher: Example Wire\npublished: 2000-12-13\n---\n"
                    "Ethiopia and Eritrea signed a peace agreement in Algiers yesterday, ending their border war.\n",
                    encoding="utf-8")
    return [ucdp, gdelt, news]


def test_gdelt_ucdp_and_news_about_one_deal_link(tmp_path: Path) -> None:
    store = open_store("memory:")
    ucdp, gdelt, news = _cross_loader_files(tmp_path)
    load_paths(store, [ucdp, gdelt, news])
    ucdp_iri, gdelt_iri = DTR["agreement/ucdp-9001"], DTR["event/gdelt-900000001"]
    # The news story took the UCDP agreement's IRI at load time.
    assert store.query("ASK { GRAPH ?c { agreement:ucdp-9001 dt:hasParty state:ETH } ?c dt:quote ?q }").boolean
    link_store(store)
    listed = {frozenset((c.source, c.target)): c for c in list_candidates(store)}
    # The GDELT row of the same deal is a candidate of the UCDP agreement (recorded when the story was
    # linked, or by the re-run).
    link = listed[frozenset((ucdp_iri, gdelt_iri))]
    assert link.score is not None and link.score >= REUSE and "parties shared: ERI, ETH" in (link.evidence or "")
    assert not link.accepted
    # A second run finds nothing new: the decision is recorded.
    assert link_store(store).candidates == []
    accept(store, link.source, link.target, score=link.score)
    assert store.query("ASK { ?a owl:sameAs ?b }", bindings={"a": link.source, "b": link.target}).boolean
    assert any(c.accepted and {c.source, c.target} == {ucdp_iri, gdelt_iri} for c in list_candidates(store))
    unlink(store, link.target, link.source)
    # No link between detente's own entities is left (states keep their owl:sameAs to Wikidata).
    assert not store.query("ASK { ?a owl:sameAs ?b FILTER(STRSTARTS(STR(?b), STR(dtr:))) }").boolean
    decisions = {str(r[0]) for r in store.query("SELECT ?d WHERE { ?r dt:linkDecision ?d }").rows}
    assert {"reused", "candidate", "accepted", "unlinked"} <= decisions


def test_one_query_read_narrows_like_a_filter(tmp_path: Path) -> None:
    store = open_store("memory:")
    load_paths(store, [DEMO, *_cross_loader_files(tmp_path)[:2]])
    from datetime import date

    everything = read_events(store)
    narrowed = read_events(store, parties=[DTR["state/ETH"]], start=date(2000, 11, 1), end=date(2001, 1, 31))
    expected = {e.iri for e in everything if "ETH" in e.parties and
                (e.start is None or date(2000, 11, 1) <= e.start <= date(2001, 1, 31))}
    assert {e.iri for e in narrowed} == expected and expected


def test_link_command(tmp_path: Path) -> None:
    store_uri = f"oxigraph:{tmp_path / 'store'}"
    runner = CliRunner()
    files = [str(p) for p in _cross_loader_files(tmp_path)]
    assert runner.invoke(main, ["load", *files[:2], "--store", store_uri]).exit_code == 0
    result = runner.invoke(main, ["link", "--rerun", "--format", "json", "--store", store_uri])
    assert result.exit_code == 0, result.output
    assert "gdelt-900000001" in result.output and "ucdp-9001" in result.output
    result = runner.invoke(main, ["link", "--accept", "event:gdelt-900000001", "agreement:ucdp-9001",
                                  "--store", store_uri])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["query", "ASK { event:gdelt-900000001 owl:sameAs agreement:ucdp-9001 }",
                                  "--store", store_uri])
    assert result.output.strip() == "true"
    assert runner.invoke(main, ["link", "--unlink", "event:gdelt-900000001", "agreement:ucdp-9001",
                                "--store", store_uri]).exit_code == 0
    result = runner.invoke(main, ["query", "ASK { ?a owl:sameAs ?b FILTER(STRSTARTS(STR(?b), STR(dtr:))) }",
                                  "--store", store_uri])
    assert result.output.strip() == "false"


def test_link_command_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    store_uri = f"oxigraph:{tmp_path / 'store'}"
    runner = CliRunner()
    files = [str(p) for p in _cross_loader_files(tmp_path)]
    assert runner.invoke(main, ["load", *files[:2], "--store", store_uri]).exit_code == 0

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, ["link", *args, "--store", store_uri])
        return result.exit_code, result.output

    code, output = run("--accept", "agreement:nope", "agreement:ucdp-9001")
    assert code == 1 and "--accept" in output and "agreement:nope" in output
    code, output = run("--accept", "agreement:ucdp-9001", "agreement:ucdp-9001")
    assert code == 2 and "--accept" in output and "same IRI" in output
    code, output = run("--unlink", "event:gdelt-900000001", "agreement:ucdp-9001")
    assert code == 1 and "--unlink" in output and "not linked" in output and "unlinked:" not in output
    code, output = run("--accept-above", "0.9")
    assert code == 2 and "--accept-above" in output and "--rerun" in output
    code, output = run("--accept", "Atlantis", "agreement:ucdp-9001")
    assert code == 2 and "--accept" in output and "--subject" not in output
    # Nothing of it was written: no owl:sameAs, no accepted or unlinked decision.
    result = runner.invoke(main, ["query", "ASK { ?r dt:linkDecision ?d FILTER(?d IN ('accepted', 'unlinked')) }",
                                  "--store", store_uri])
    assert result.output.strip() == "false"


def test_an_actor_named_by_a_role_is_a_recorded_decision(tmp_path: Path) -> None:
    store = open_store("memory:")
    load_paths(store, [DEMO])
    story = tmp_path / "envoy.txt"
    story.write_text("Ukraine and Russia agreed to exchange 314 prisoners during talks in Saudi Arabia, "
                     "the American special envoy announced on Wednesday.\n", encoding="utf-8")
    load_paths(store, [story], options=LoadOptions(source_url="https://example.org/test/envoy", published="2025-03-12"))
    # The story's speaker is the demo's envoy, and the decision that made it so is a link record.
    assert store.query("ASK { ?c dt:saidBy person:us-special-envoy ; dt:quote ?q "
                       "FILTER(CONTAINS(?q, 'American')) }").boolean
    rows = store.query("""SELECT ?source ?score ?evidence WHERE {
        ?r a dt:LinkRecord ; dt:linkSource ?source ; dt:linkTarget person:us-special-envoy ; dt:linkDecision "reused" ;
           dt:linkScore ?score ; dt:linkEvidence ?evidence ; prov:wasGeneratedBy ?activity .
        ?activity a dt:LinkingActivity ; dt:method "detente-link:actors:v1" }""").rows
    assert [str(r[0]) for r in rows] == [str(DTR["person/american-special-envoy"])]
    assert "represent state:USA" in str(rows[0][2]) and "American special envoy" in str(rows[0][2])
    load_paths(store, [story], options=LoadOptions(source_url="https://example.org/test/envoy", published="2025-03-12"))
    assert len(store.query("SELECT ?r WHERE { ?r dt:linkTarget person:us-special-envoy }").rows) == 1  # once


UCDP_SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "ucdp" / "ucdp-peace-agreements-221-sample.csv"


def test_a_story_naming_an_acronym_in_full_links_to_the_ucdp_agreement(tmp_path: Path) -> None:
    store = open_store("memory:")
    load_paths(store, [UCDP_SAMPLE])  # agreement 1646: the Government of Sudan and "SRF" (no full name in the file)
    story = tmp_path / "juba.txt"
    story.write_text("The Government of Sudan and the Sudan Revolutionary Front signed a peace agreement in Juba "
                     "on Monday.\n", encoding="utf-8")
    load_paths(store, [story], options=LoadOptions(source_url="https://example.org/test/juba", published="2020-09-01"))
    # The story's side is UCDP's organization:srf, and the story's agreement is UCDP's agreement.
    assert store.query("ASK { GRAPH ?c { agreement:ucdp-1646 dt:hasParty organization:srf } ?c dt:quote ?q "
                       "FILTER(CONTAINS(?q, 'Sudan Revolutionary Front')) }").boolean
    rows = store.query("""SELECT ?target ?score ?evidence WHERE { ?r dt:linkSource ?source ; dt:linkTarget ?target ;
        dt:linkDecision "reused" ; dt:linkScore ?score ; dt:linkEvidence ?evidence }""").rows
    found = {str(r[0]).rsplit("/", 2)[-2] + "/" + str(r[0]).rsplit("/", 1)[-1]: (float(r[1]), str(r[2])) for r in rows}
    assert "initials of 'Sudan Revolutionary Front'" in found["organization/srf"][1]
    assert found["agreement/ucdp-1646"][0] >= REUSE and "srf" in found["agreement/ucdp-1646"][1]
