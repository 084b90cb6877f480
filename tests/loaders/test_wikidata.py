"""Wikidata links: the bundled ISO 3166 → Wikidata table, states' sameAs links and their claims, exports, pages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pycountry
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import OWL

import detente.loaders
from detente.graph.exports import export_bytes
from detente.graph.store import Store, open_store
from detente.loaders import load_paths
from detente.loaders.wikidata import CC0, TABLE, state_wikidata
from detente.ontology.vocab import DT, DTR, SCHEMA, WD

DEMO = Path(detente.loaders.__file__).parent / "demo"

# Items we know by heart, checked against the bundled table (not copied from it).
WELL_KNOWN = {
    "UKR": "Q212", "RUS": "Q159", "USA": "Q30", "SAU": "Q851", "TUR": "Q43", "GBR": "Q145", "FRA": "Q142",
    "DEU": "Q183", "CHN": "Q148", "JPN": "Q17", "CAN": "Q16", "BRA": "Q155", "IND": "Q668", "ITA": "Q38",
    "ESP": "Q29", "POL": "Q36", "ZAF": "Q258", "ETH": "Q115", "EGY": "Q79", "ISR": "Q801", "IRN": "Q794",
    "AUS": "Q408", "MEX": "Q96", "NOR": "Q20", "SWE": "Q34", "FIN": "Q33", "CHE": "Q39", "AUT": "Q40",
    "GRC": "Q41", "QAT": "Q846", "BEL": "Q31", "NZL": "Q664", "KEN": "Q114", "ARG": "Q414", "IRL": "Q27",
}


@pytest.fixture(scope="module")
def store() -> Store:
    store = open_store("memory:")
    load_paths(store, [DEMO])
    return store


def test_the_table_covers_every_iso_state_and_agrees_with_known_items() -> None:
    table = state_wikidata()
    with TABLE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(table) == 249
    assert set(table) == {c.alpha_3 for c in pycountry.countries}
    assert len(set(table.values())) == len(table), "one item per state"
    mismatches = {code: (table[code], qid) for code, qid in WELL_KNOWN.items() if table[code] != qid}
    assert not mismatches and len(WELL_KNOWN) >= 20


def test_every_state_carries_its_item_as_sameas(store: Store) -> None:
    rows = store.query("SELECT ?s ?code ?same ?schema WHERE { ?s a dt:State ; dt:isoCode ?code "
                       "OPTIONAL { ?s owl:sameAs ?same } OPTIONAL { ?s schema:sameAs ?schema } }").rows
    assert len(rows) == 10
    for state, code, same, schema_same in rows:
        item = WD[state_wikidata()[str(code)]]
        assert same == item and schema_same == item, state


def test_the_link_is_a_claim_sourced_to_the_table(store: Store) -> None:
    rows = store.query("SELECT ?claim ?source ?licence WHERE { GRAPH ?claim { state:UKR dt:wikidataId \"Q212\" } "
                       "?claim a dt:Claim ; prov:wasDerivedFrom ?source . "
                       "?source a dt:Dataset ; dct:license ?licence }").rows
    assert len(rows) == 1 and rows[0][2] == CC0
    from detente.graph.claims import provenance

    report = provenance(store, DTR["state/UKR"], DT.wikidataId, Literal("Q212"))
    assert [c.key for c in report.supporting] == ["wikidata-UKR"]


def test_entity_files_and_claim_documents_keep_their_items(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("id,type,label,aliases,wikidata,country\n"
                                         "person:jane-envoy,envoy,Jane Envoy,,Q42,Norway\n"
                                         "state:UKR,state,Ukraine,Ukrayina,,\n")
    (tmp_path / "story.yaml").write_text(
        "entities:\n  - {id: venue:kyiv, type: venue, label: Kyiv, wikidata: Q1899, country: Ukraine}\n"
        "source: {url: 'https://example.org/s', publisher: Example News, published: 2025-01-02}\n"
        "claims:\n  - statements:\n      - [event:t, a, dt:Talks]\n      - [event:t, heldAt, venue:kyiv]\n")
    store = open_store("memory:")
    reports = load_paths(store, [tmp_path])
    assert {r.format for r in reports} == {"entities-table", "claim-document"}
    assert sum(r.claims for r in reports) == 1  # the document's claim is kept beside its entities
    same = dict(store.query("SELECT ?e ?i WHERE { ?e owl:sameAs ?i }").rows)
    assert same[DTR["person/jane-envoy"]] == WD["Q42"] and same[DTR["venue/kyiv"]] == WD["Q1899"]
    assert same[DTR["state/UKR"]] == WD["Q212"]  # a redeclared state keeps the table's item


def test_network_exports_carry_the_items(store: Store) -> None:
    ukr = str(DTR["state/UKR"])
    graphml = nx.read_graphml(io.BytesIO(export_bytes(store, "graphml")[0]))
    assert graphml.nodes[ukr]["wikidata"] == "Q212" and graphml.nodes[ukr]["sameAs"] == str(WD["Q212"])
    gexf = nx.read_gexf(io.BytesIO(export_bytes(store, "gexf")[0]))
    assert gexf.nodes[ukr]["sameAs"] == str(WD["Q212"])
    cytoscape = json.loads(export_bytes(store, "cytoscape")[0])
    node = next(n["data"] for n in cytoscape["elements"]["nodes"] if n["data"]["id"] == ukr)
    assert node["wikidata"] == "Q212"
    nodelink = json.loads(export_bytes(store, "nodelink")[0])
    assert next(n for n in nodelink["nodes"] if n["id"] == ukr)["sameAs"] == str(WD["Q212"])
    nodes = list(csv.DictReader(io.StringIO(export_bytes(store, "csv-nodes")[0].decode())))
    assert next(n for n in nodes if n["id"] == ukr)["wikidata"] == "Q212"


@pytest.mark.parametrize("fmt", ["turtle", "jsonld"])
def test_rdf_of_entities_says_owl_and_schema_sameas(store: Store, fmt: str) -> None:
    for options in ({}, {"publishers": ["Meridian Wire"]}):
        graph = Graph().parse(data=export_bytes(store, fmt, **options)[0],
                              format="json-ld" if fmt == "jsonld" else "turtle")
        assert (DTR["state/UKR"], OWL.sameAs, WD["Q212"]) in graph, options
        assert (DTR["state/UKR"], SCHEMA.sameAs, WD["Q212"]) in graph, options


def test_entity_pages_link_out_to_wikidata(store: Store) -> None:
    from detente.api.app import create_app

    app = create_app({"store": store, "workers": 1})
    try:
        client = app.test_client()
        html = client.get("/entities/state/UKR", headers={"Accept": "text/html"}).get_data(as_text=True)
        assert 'href="https://www.wikidata.org/wiki/Q212"' in html
        person = client.get("/entities/person/volodymyr-zelenskyy",
                            headers={"Accept": "text/html"}).get_data(as_text=True)
        assert 'href="https://www.wikidata.org/wiki/Q3874799"' in person
        for media, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
            answer = client.get("/entities/state/UKR", headers={"Accept": media})
            assert answer.status_code == 200 and answer.mimetype == media
            graph = Graph().parse(data=answer.data, format=fmt)
            assert (DTR["state/UKR"], OWL.sameAs, WD["Q212"]) in graph
            assert (DTR["state/UKR"], SCHEMA.sameAs, WD["Q212"]) in graph
        described = client.get("/entities/state/UKR").json["properties"]
        assert described[str(OWL.sameAs)] == [str(WD["Q212"])] and described[str(SCHEMA.sameAs)] == [str(WD["Q212"])]
    finally:
        app.extensions["detente"].close()
