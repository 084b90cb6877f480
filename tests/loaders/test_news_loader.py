"""News text loader: the worked example, front matter, HTML, dates, and a Wikipedia sanity run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import rdflib.namespace
from rdflib import Literal, URIRef

from detente.graph.claims import Source, get_claim
from detente.graph.store import open_store
from detente.loaders import LoadError, LoadOptions, load_paths
from detente.loaders.base import LoadContext
from detente.loaders.news import extract_claims, parse_news, resolve_date, sentences, split_front_matter
from detente.loaders.news.actors import news_finder
from detente.loaders.registry import EntityRegistry
from detente.ontology.vocab import DT, DTR

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"  # origins and licences: tests/fixtures/README.md
STORY = FIXTURES / "news" / "000_3e7fe375a9c81d38.txt"  # the worked example of DESIGN.md
WIKI = FIXTURES / "wikipedia" / "wikitimes_CEP_2015-09-sample.json"  # 78 of the month's 428 events
STORY_OPTIONS = LoadOptions(source_url="https://example.org/test/prisoner-exchange-story", published="2025-03-12")


@pytest.fixture(scope="module")
def story_store():
    store = open_store("memory:")
    reports = load_paths(store, [STORY], options=STORY_OPTIONS)
    return store, reports


def _one(store, sparql: str):
    rows = store.query(sparql.replace("SELECT ", "SELECT DISTINCT ", 1)).rows
    assert len(rows) == 1, rows
    return rows[0]


def test_worked_example_agreement(story_store) -> None:
    store, reports = story_store
    assert reports[0].format == "news-text" and not reports[0].rejects
    agreement, = _one(store, """SELECT ?a WHERE { ?a a dt:Agreement ; dt:prisonerCount 314 ;
        dt:hasParty state:UKR , state:RUS ; dt:startDate "2025-03-12"^^xsd:date ; dt:datePrecision "day" }""")
    talks, = _one(store, "SELECT ?t WHERE { ?a dt:reachedDuring ?t . ?t a dt:Talks ; dt:heldAt state:SAU ; "
                         "dt:hasParty state:UKR , state:RUS }")
    envoy, = _one(store, "SELECT ?e WHERE { ?a dt:announcedBy ?e . ?e a dt:Envoy ; dt:represents state:USA }")
    confirmer, label = _one(store, "SELECT ?o ?l WHERE { ?a dt:confirmedBy ?o . ?o a dt:NewsOrganization ; "
                                   "rdfs:label ?l }")
    assert str(label) == "Kyiv Independent"
    # The agreement is not a party to itself and the U.S. is the announcer's state, not a party.
    assert not store.query("ASK { ?a dt:hasParty state:USA }").boolean
    assert not store.query("ASK { ?a dt:hasParty state:SAU }").boolean
    assert agreement != talks and envoy != confirmer


def test_worked_example_claim_provenance(story_store) -> None:
    store, _ = story_store
    text = STORY.read_text(encoding="utf-8")
    claim, = _one(store, "SELECT ?c WHERE { GRAPH ?c { ?a dt:prisonerCount 314 } ?c a dt:Claim }")
    record = get_claim(store, claim)
    assert record is not None
    assert record.said_by is not None and "envoy" in (record.said_by_label or "").lower()
    assert record.quote is not None and "314 prisoners" in record.quote
    assert text[record.quote_start:record.quote_end] == record.quote
    assert record.method == "news-rules:v4"
    assert 0.6 <= (record.confidence or 0) <= 0.9
    assert record.url == STORY_OPTIONS.source_url and record.issued == "2025-03-12"
    confirm, = _one(store, "SELECT ?c WHERE { GRAPH ?c { ?a dt:confirmedBy ?o } }")
    confirm_record = get_claim(store, confirm)
    assert confirm_record is not None and confirm_record.quote is not None
    assert confirm_record.quote.startswith("The agreement, confirmed by the Kyiv Independent")
    assert text[confirm_record.quote_start:confirm_record.quote_end] == confirm_record.quote
    # The publisher is unknown: the Kyiv Independent confirms, it does not publish.
    assert record.publisher is None


def test_worked_example_reload_adds_nothing(story_store) -> None:
    store, _ = story_store
    before = store.count_quads()
    again = load_paths(store, [STORY], options=STORY_OPTIONS)
    assert again[0].claims == 3 and again[0].new_claims == 0
    assert store.count_quads() == before


def test_front_matter_metadata_and_offsets(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    body = ("Armenia and Azerbaijan signed a peace agreement on Friday, the Turkish foreign minister said.\n\n"
            "Qatar and Turkey held talks in Doha yesterday.\n")
    path.write_text("---\nurl: https://example.org/news/peace\ntitle: Peace signed\npublisher: Example Wire\n"
                    "published: 2025-08-10\ntype: NewsArticle\n---\n" + body, encoding="utf-8")
    store = open_store("memory:")
    report, = load_paths(store, [path])
    assert report.format == "news-text" and report.claims == 2
    text = path.read_text(encoding="utf-8")
    rows = store.query("SELECT ?q ?s ?e WHERE { ?c dt:quote ?q ; dt:quoteStart ?s ; dt:quoteEnd ?e }").rows
    assert len(rows) == 2
    for quote, start, end in rows:
        assert text[int(start):int(end)] == str(quote)
    # 2025-08-10 is a Sunday: "Friday" is the 8th, "yesterday" the 9th.
    assert store.query('ASK { ?a a dt:Agreement ; dt:hasParty state:ARM , state:AZE ; '
                       'dt:startDate "2025-08-08"^^xsd:date }').boolean
    # Doha is where the talks were held (a venue in Qatar), not a party.
    assert store.query('ASK { ?t a dt:Talks ; dt:hasParty state:QAT , state:TUR ; dt:heldAt ?v ; '
                       'dt:startDate "2025-08-09"^^xsd:date . ?v a dt:Venue ; rdfs:label "Doha"@en ; '
                       'dt:country state:QAT }').boolean
    assert store.query("ASK { ?s dct:publisher ?p . ?p rdfs:label 'Example Wire'@en }").boolean
    speaker = store.query("SELECT ?p WHERE { ?c dt:saidBy ?p . ?p dt:represents state:TUR }").rows
    assert len(speaker) == 1


def test_html_goes_through_trafilatura(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Swap agreed</title><meta property='og:url' content='https://example.org/swap'>"
        "<meta property='og:site_name' content='Example Post'>"
        "<meta property='article:published_time' content='2025-03-12'></head><body><nav>Menu Home</nav>"
        "<article><p>Ukraine and Russia agreed to swap 175 prisoners, the U.S. special envoy announced Wednesday "
        "after a long day of meetings between the delegations in the capital.</p>"
        "<p>Analysts said more rounds would follow in the coming weeks as both sides review lists.</p></article>"
        "</body></html>", encoding="utf-8")
    result = parse_news(path, LoadContext(EntityRegistry()))
    assert not result.rejects
    agreement = [c for c in result.claims if any(p == DT.prisonerCount for _, p, _ in c.statements)]
    assert len(agreement) == 1
    claim = agreement[0]
    assert claim.source.url == "https://example.org/swap" and claim.source.issued == date(2025, 3, 12)
    assert (claim.statements[0][0], DT.prisonerCount, Literal(175)) in claim.statements
    assert claim.quote and claim.quote.startswith("Ukraine and Russia agreed to swap 175 prisoners")


def test_missing_metadata_is_rejected_and_nothing_written(tmp_path: Path) -> None:
    path = tmp_path / "bare.txt"
    path.write_text("Ukraine and Russia agreed to exchange 50 prisoners on Monday.\n", encoding="utf-8")
    store = open_store("memory:")
    with pytest.raises(LoadError) as info:
        load_paths(store, [path])
    assert str(path) in str(info.value) and "source" in str(info.value)
    assert store.count_quads() == 0


def test_bad_front_matter_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text("---\nurl: https://example.org/x\ntitle: [unclosed\n---\nUkraine and Russia met.\n",
                    encoding="utf-8")
    store = open_store("memory:")
    with pytest.raises(LoadError) as info:
        load_paths(store, [path])
    reject = info.value.rejects[0]
    assert reject.file == str(path) and reject.field == "front matter" and "YAML" in reject.message
    assert store.count_quads() == 0


def test_relative_dates() -> None:
    published = date(2025, 3, 12)  # a Wednesday
    cases = {
        "They met on Monday.": (date(2025, 3, 10), "day"),
        "They met on Wednesday.": (date(2025, 3, 12), "day"),
        "Talks will resume on Friday.": (date(2025, 3, 14), "day"),
        "It was signed yesterday.": (date(2025, 3, 11), "day"),
        "They met last week.": (date(2025, 3, 3), "week"),
        "The deal was reached on March 2.": (date(2025, 3, 2), "day"),
        "The deal was reached on 20 December.": (date(2024, 12, 20), "day"),
        "It was agreed in January 2024.": (date(2024, 1, 1), "month"),
    }
    for sentence, (value, precision) in cases.items():
        found = resolve_date(sentence, published)
        assert found is not None and (found.value, found.precision) == (value, precision), sentence
    assert resolve_date("No date here.", published) is None


def test_sentences_keep_offsets_and_abbreviations() -> None:
    text = "The U.S. envoy spoke. Mr. Smith said talks went on!  Next line\nLast"
    parts = sentences(text)
    assert [p[2] for p in parts] == ["The U.S. envoy spoke.", "Mr. Smith said talks went on!", "Next line", "Last"]
    assert all(text[s:e] == quote for s, e, quote in parts)


def test_split_front_matter_without_block() -> None:
    assert split_front_matter("No front matter") == ({}, 0)


def test_wikipedia_current_events_sanity() -> None:
    events = json.loads(WIKI.read_text(encoding="utf-8"))
    registry = EntityRegistry()
    finder = news_finder(registry)
    by_id: dict[str, list] = {}
    for event in events:
        url = event["source"][0]["url"] if event["source"] else "https://en.wikipedia.org/wiki/Portal:Current_events"
        source = Source.from_metadata(url=url)
        by_id[event["id"]] = extract_claims(event["description"], source, date.fromisoformat(event["date"]),
                                            registry, finder=finder)
    with_claims = [i for i, claims in by_id.items() if claims]
    # The sample holds all 62 International_Relation events of the month and 16 others (tests/fixtures/README.md).
    # Most international news is not talks, agreements or exchanges: over the whole month (428 events) the rules
    # (news-rules:v2) find claims in 12, all of them in the sample, 6 of them International_Relation events. The
    # rules should stay selective: at least the two checked below, at most a fifth of the sample.
    assert len(events) == 78
    assert 4 <= len(with_claims) <= 78 // 5

    def facts(event_id: str) -> set[tuple[URIRef, object]]:
        return {(p, o) for claim in by_id[event_id] for _s, p, o in claim.statements}

    # Cuba announces it will release more than 3,500 prisoners (no exact count, so none is stated).
    cuba = facts("56797")
    assert (DT.hasParty, DTR["state/CUB"]) in cuba and (DT.announcedBy, DTR["state/CUB"]) in cuba
    assert not any(p == DT.prisonerCount for p, _ in cuba)
    # The U.S. Senate vote on the nuclear agreement with Iran: the agreement is mentioned, not made, in this
    # sentence, so it is no new event (issue 11: a treaty mentioned in passing is not an event).
    assert facts("56782") == set()
    # Russia and Estonia exchange two convicted spies.
    spies = facts("57033")
    assert {(DT.hasParty, DTR["state/RUS"]), (DT.hasParty, DTR["state/EST"]), (DT.prisonerCount, Literal(2))} <= spies
    # Non-diplomatic sentences yield nothing: the Palmyra temple, an Al-Shabaab attack, the Pope's letter,
    # an Australian leadership spill, a Taliban prison break, a jailbreak in Bangui, a released county clerk.
    descriptions = {e["id"]: e["description"] for e in events}
    quiet = ["56657", "56658"]
    quiet += [i for i, d in descriptions.items() if d.startswith(("Pope Francis releases a letter",
                                                                 "Malcolm Turnbull launches",
                                                                 "Taliban insurgents storm a prison",
                                                                 "All 500 of the prisoners escape",
                                                                 "Kim Davis, the county clerk",
                                                                 "Slovakia mounts a legal challenge"))]
    assert len(quiet) == 8
    for event_id in quiet:
        assert by_id[event_id] == [], descriptions[event_id]
    for claims in by_id.values():
        for claim in claims:
            assert claim.quote_start is not None and claim.quote_end is not None
            assert 0.5 <= (claim.confidence or 0) <= 0.9
            assert all(isinstance(o, (URIRef, Literal)) for _s, _p, o in claim.statements)
    dated = [o for claims in by_id.values() for c in claims for _s, p, o in c.statements if p == DT.startDate]
    assert all(o.datatype == rdflib.namespace.XSD.date for o in dated)


def test_mediation_and_capitals_beside_actors() -> None:
    registry = EntityRegistry()
    source = Source.from_metadata(url="https://example.org/mediation")
    text = ("Armenia and Azerbaijan held talks mediated by the United States on Tuesday. "
            "Qatar-brokered negotiations between Kyiv and Moscow resumed.")
    claims = extract_claims(text, source, date(2025, 3, 12), registry)
    facts = {(p, o) for c in claims for _s, p, o in c.statements}
    assert (DT.mediatedBy, DTR["state/USA"]) in facts
    assert (DT.hasParty, DTR["state/USA"]) not in facts
    assert {(DT.hasParty, DTR["state/ARM"]), (DT.hasParty, DTR["state/AZE"])} <= facts
    assert (DT.startDate, Literal("2025-03-11", datatype=rdflib.namespace.XSD.date)) in facts
    second = [c for c in claims if c.quote and c.quote.startswith("Qatar")]
    assert second, "capitals beside each other stand for their states"
    parties = {o for c in second for _s, p, o in c.statements if p == DT.hasParty}
    assert parties == {DTR["state/UKR"], DTR["state/RUS"]}
    assert {o for c in second for _s, p, o in c.statements if p == DT.mediatedBy} == {DTR["state/QAT"]}
