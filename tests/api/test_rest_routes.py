"""REST routes over the demo corpus: claims, provenance, entities, search, ontology, analysis, exports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from detente.api.app import openapi_document
from detente.ontology.vocab import DT, DTR

AGREEMENT = "agreement:ukr-rus-314-exchange"


@pytest.fixture(scope="module")
def client(demo_app):
    return demo_app.test_client()


def schema_of(name: str) -> dict:
    """A component schema of our OpenAPI document, made self-contained for jsonschema (nullable → null)."""
    document = openapi_document()

    def convert(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return convert(document["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
            out = {k: convert(v) for k, v in node.items() if k != "nullable"}
            if node.get("nullable"):
                out = {"anyOf": [out, {"type": "null"}]}
            return out
        if isinstance(node, list):
            return [convert(v) for v in node]
        return node

    return convert(document["components"]["schemas"][name])


def provenance_314(client) -> dict:
    response = client.get("/provenance", query_string={"subject": AGREEMENT, "predicate": "prisonerCount",
                                                       "object": "314"})
    assert response.status_code == 200, response.json
    return response.json


def test_provenance_lists_supporting_and_disagreeing_claims_with_sources(client):
    report = provenance_314(client)
    jsonschema.validate(report, schema_of("Provenance"))
    supporting = {c["source"]["publisher_label"] for c in report["supporting"]}
    disagreeing = {c["source"]["publisher_label"] for c in report["disagreeing"]}
    assert supporting == {"Kyiv Independent", "Meridian Wire"}
    assert disagreeing == {"Caspian Dispatch"}
    assert report["sources"] == 2 and report["conflict"] is True
    assert report["object"] == {"value": "314", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert all(c["quote"] and c["source"]["url"].startswith("https://") for c in report["supporting"])


def test_provenance_accepts_labels_and_aliases_for_entities(client):
    by_alias = client.get("/provenance", query_string={"subject": "event:saudi-talks-2025",
                                                       "predicate": "dt:mediatedBy", "object": "U.S."}).json
    by_iri = client.get("/provenance", query_string={
        "subject": str(DTR["event/saudi-talks-2025"]), "predicate": str(DT.mediatedBy),
        "object": "https://w3id.org/detente/id/state/USA"}).json
    assert by_alias["object"] == by_iri["object"] == str(DTR["state/USA"])
    assert [c["claim"] for c in by_alias["supporting"]] == [c["claim"] for c in by_iri["supporting"]]
    assert by_alias["supporting"] and by_alias["disagreeing"] == []
    by_label = client.get("/provenance", query_string={"subject": "Ukraine"}).json
    assert by_label["subject"] == str(DTR["state/UKR"])


@pytest.mark.parametrize(("params", "status", "words"), [
    ({}, 400, "missing 'subject'"),
    ({"subject": "no such thing anywhere"}, 404, "unknown entity"),
    ({"subject": AGREEMENT, "predicate": "noSuchProperty"}, 404, "unknown property"),
    ({"subject": AGREEMENT, "predicate": "prisonerCount", "object": "many"}, 400, "not a valid integer"),
])
def test_provenance_bad_requests(client, params, status, words):
    response = client.get("/provenance", query_string=params)
    assert response.status_code == status
    assert words in response.json["message"]
    jsonschema.validate(response.json, schema_of("Error"))


def test_claim_as_json_jsonld_turtle_trig_and_html(client):
    claim_iri = provenance_314(client)["disagreeing"][0]["claim"]
    digest = claim_iri.rsplit("/", 1)[1]
    as_json = client.get(f"/claims/{digest}")
    assert as_json.content_type == "application/json"
    jsonschema.validate(as_json.json, schema_of("Claim"))
    assert as_json.json["claim"] == claim_iri and as_json.json["key"] == "cd-exchange-300"
    by_key = client.get("/claims/cd-exchange-300").json
    by_curie = client.get(f"/claims/claim:{digest}").json
    assert by_key == by_curie == as_json.json

    jsonld = client.get(f"/claims/{digest}", headers={"Accept": "application/ld+json"})
    dataset = Dataset().parse(data=jsonld.data, format="json-ld")
    assert (DTR["agreement/ukr-rus-314-exchange"], DT.prisonerCount, Literal(300)) in dataset.graph(URIRef(claim_iri))
    assert (URIRef(claim_iri), DT.quote, None) in dataset.default_graph

    turtle = client.get(f"/claims/{digest}", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.data, format="turtle")
    assert (URIRef(claim_iri), URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), None) in graph
    assert (DTR["agreement/ukr-rus-314-exchange"], DT.prisonerCount, Literal(300)) in graph

    trig = client.get(f"/claims/{digest}", headers={"Accept": "application/trig"})
    named = Dataset().parse(data=trig.data, format="trig")
    assert len(named.graph(URIRef(claim_iri))) == len(as_json.json["statements"])

    html = client.get(f"/claims/{digest}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Caspian Dispatch" in html and "Around 300 prisoners" in html
    assert 'href="/entities/agreement/ukr-rus-314-exchange"' in html


def test_unknown_and_unacceptable_claims(client):
    assert client.get("/claims/0000000000").status_code == 404
    assert client.get("/claims/a%20b").status_code == 404
    assert client.get("/claims/cd-exchange-300", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize("ref", ["state/UKR", "state:UKR", "https://w3id.org/detente/id/state/UKR", "Ukraine"])
def test_entity_by_path_curie_iri_or_label(client, ref):
    response = client.get(f"/entities/{ref}")
    assert response.status_code == 200, response.json
    entity = response.json
    jsonschema.validate(entity, schema_of("Entity"))
    assert entity["iri"] == str(DTR["state/UKR"]) and entity["id"] == "state/UKR"
    assert entity["label"] == "Ukraine" and str(DT.State) in entity["types"]
    assert "UKR" in entity["aliases"]
    assert entity["claims"]["total"] >= 4
    keys = {c["key"] for c in entity["claims"]["as_object"]}
    assert {"ki-exchange-agreed", "ki-talks-venue"} <= keys


def test_entity_html_links_its_claims(client):
    html = client.get("/entities/person/us-special-envoy", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "U.S. special envoy" in html and 'href="/claims/' in html


def test_unknown_entity_is_404(client):
    for ref in ("state/ZZZ", "Atlantis", "nope:thing"):
        response = client.get(f"/entities/{ref}")
        assert response.status_code == 404 and response.json["status"] == 404


def test_search_finds_entities_by_label_and_alias(client):
    hits = client.get("/search", query_string={"q": "U.S."}).json["results"]
    assert hits[0]["iri"] == str(DTR["state/USA"])
    assert any(h["id"] == "person/us-special-envoy" for h in hits)
    kyiv = client.get("/search", query_string={"q": "kyiv"}).json["results"]
    assert [h["label"] for h in kyiv] == ["Kyiv Independent"]
    assert client.get("/search", query_string={"q": "zzzz-nothing"}).json["results"] == []
    assert client.get("/search").status_code == 400
    assert client.get("/search", query_string={"q": "a", "limit": "0"}).status_code == 400


def test_ontology_is_negotiated(client):
    turtle = client.get("/ontology")
    assert turtle.content_type.startswith("text/turtle")
    graph = Graph().parse(data=turtle.data, format="turtle")
    assert (DT.PrisonerExchange, None, None) in graph
    rdfxml = client.get("/ontology", headers={"Accept": "application/rdf+xml"})
    assert rdfxml.content_type.startswith("application/rdf+xml")
    assert len(Graph().parse(data=rdfxml.data, format="xml")) == len(graph)
    html = client.get("/ontology", headers={"Accept": "text/html"})
    assert html.content_type.startswith("text/html") and "Prisoner" in html.get_data(as_text=True)
    assert client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406


def test_analysis_routes_call_the_analysis_module(client):
    centrality = client.get("/analysis/centrality")
    assert centrality.status_code == 200 and centrality.json["metric"] == "centrality"
    ids = {node["id"] for node in centrality.json["nodes"]}
    assert str(DTR["state/UKR"]) in ids
    conflicts = client.get("/analysis/conflicts").json
    assert "314" in json.dumps(conflicts) and "300" in json.dumps(conflicts)
    assert client.get("/analysis/no-such-metric").status_code == 404
    assert client.get("/analysis/centrality", query_string={"k": "abc"}).status_code == 400


@pytest.mark.parametrize(("fmt", "media_type"), [
    ("graphml", "application/graphml+xml"), ("gexf", "application/gexf+xml"), ("nodelink", "application/json"),
    ("turtle", "text/turtle"), ("nquads", "application/n-quads"),
])
def test_export_routes_call_the_exports_module(client, fmt, media_type):
    response = client.get(f"/export/{fmt}")
    assert response.status_code == 200
    assert response.content_type.split(";")[0] == media_type
    assert response.headers["Content-Disposition"].startswith("attachment; filename=\"detente-export.")
    body = response.data
    if fmt in ("graphml", "gexf"):
        ET.fromstring(body)
    elif fmt == "nodelink":
        assert json.loads(body)["nodes"]
    elif fmt == "turtle":
        assert len(Graph().parse(data=body, format="turtle")) > 10
    else:
        assert b"prisonerCount" in body


def test_export_unknown_format_or_bad_filter(client):
    assert client.get("/export/no-such-format").status_code == 404
    assert client.get("/export/graphml", query_string={"start": "not-a-date"}).status_code == 400


def test_network_view_is_served_as_html(client):
    response = client.get("/network")
    assert response.status_code == 200 and response.content_type.startswith("text/html")
    assert "Ukraine" in response.get_data(as_text=True)


def test_home_page_has_editor_examples_search_and_links(client):
    html = client.get("/").get_data(as_text=True)
    for needle in ("vendor/yasgui/yasgui.min.js", "entity-search", 'href="/network"', "Who mediated which talks",
                   "Sources of the 314-prisoner claim", "Conflicting values", "Agreements per state"):
        assert needle in html
    assert client.get("/static/vendor/yasgui/yasgui.min.js").status_code == 200


def test_healthz_and_openapi(client):
    health = client.get("/healthz").json
    assert health["status"] == "ok" and health["workers"] == 2
    document = client.get("/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert {"/claims/{claim_id}", "/provenance", "/entities/{entity_id}", "/analysis/{metric}",
            "/export/{format}", "/ontology", "/healthz", "/sparql", "/search"} <= set(document["paths"])


def test_unknown_route_and_method_are_json_errors(client):
    missing = client.get("/no/such/route")
    assert missing.status_code == 404 and missing.json["error"] == "Not Found"
    wrong = client.delete("/claims/abc")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]


def test_claim_page_escapes_data_and_links_only_web_urls():
    from detente.api.app import create_app
    from detente.graph.claims import Claim, Source, write_claims
    from detente.graph.store import open_store

    store = open_store("memory:")
    source = Source.from_metadata(url="javascript:alert(1)", title="<script>alert('t')</script>")
    claim = Claim(statements=[(DTR["event/x"], DT.prisonerCount, Literal(3))], source=source,
                  quote="<img src=x onerror=alert(1)>", key="hostile")
    write_claims(store, [claim])
    app = create_app({"store": store, "workers": 1})
    try:
        html = app.test_client().get("/claims/hostile", headers={"Accept": "text/html"}).get_data(as_text=True)
    finally:
        app.extensions["detente"].close()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript:' not in html


def test_conflicts_are_paged_with_a_total(client):
    page = client.get("/conflicts").json
    jsonschema.validate(page, schema_of("ConflictPage"))
    assert page["total"] == 1 and page["offset"] == 0 and page["limit"] == 100
    (conflict,) = page["conflicts"]
    assert conflict["predicate"] == str(DT.prisonerCount)
    assert {v: len(cs) for v, cs in conflict["values"].items()} == {"314": 2, "300": 1}
    assert client.get("/conflicts", query_string={"offset": "1"}).json["conflicts"] == []
    for bad in ({"limit": "0"}, {"limit": "1001"}, {"offset": "-1"}, {"limit": "x"}, {"limit": "\u00b2"},
                {"offset": "\u00b2"}, {"limit": "\u0663"}, {"offset": "9" * 5000}):
        for route in ("/conflicts", "/analysis/conflicts"):
            response = client.get(route, query_string=bad)
            assert response.status_code == 400 and next(iter(bad)) in response.json["message"], (route, bad)
    analysis = client.get("/analysis/conflicts", query_string={"limit": "1"}).json
    assert analysis["total"] == 1 and analysis["limit"] == 1 and len(analysis["conflicts"]) == 1
    assert client.get("/analysis/conflicts", query_string={"offset": "1"}).json["conflicts"] == []
