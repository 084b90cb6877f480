"""Clients nobody here wrote talk to the endpoint: SPARQLWrapper, rdflib's SPARQLStore, curl."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from detente.ontology.vocab import DT, DTR

SOURCES_OF_314 = """
PREFIX dt: <https://w3id.org/detente/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?publisher WHERE {
  GRAPH ?claim { ?agreement dt:prisonerCount 314 }
  ?claim prov:wasDerivedFrom/dct:publisher/rdfs:label ?publisher .
} ORDER BY ?publisher
"""
EXPECTED_PUBLISHERS = ["Kyiv Independent", "Meridian Wire"]


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_json(live, method):
    client = SPARQLWrapper(live.url + "/sparql")
    client.setQuery(SOURCES_OF_314)
    client.setReturnFormat(JSON)
    client.setMethod(method)
    result = client.query().convert()
    assert [b["publisher"]["value"] for b in result["results"]["bindings"]] == EXPECTED_PUBLISHERS


def test_sparqlwrapper_xml(live):
    client = SPARQLWrapper(live.url + "/sparql")
    client.setQuery(SOURCES_OF_314)
    client.setReturnFormat(XML)
    document = client.query().convert()  # an xml.dom.minidom Document
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert literals == EXPECTED_PUBLISHERS


def test_sparqlwrapper_sees_a_bad_query_as_bad_formed(live):
    client = SPARQLWrapper(live.url + "/sparql")
    client.setQuery("SELECT * WHERE { ?s ?p }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed):
        client.query()


def test_rdflib_sparqlstore_reads_triples_and_selects(live):
    store = SPARQLStore(live.url + "/sparql", returnFormat="xml")
    graph = Graph(store=store)
    agreement = DTR["agreement/ukr-rus-314-exchange"]
    counts = sorted(int(o) for o in graph.objects(agreement, DT.prisonerCount))
    assert counts == [300, 314]
    assert (agreement, DT.hasParty, DTR["state/UKR"]) in graph
    rows = list(graph.query(SOURCES_OF_314))
    assert [str(row[0]) for row in rows] == EXPECTED_PUBLISHERS
    assert all(isinstance(row[0], Literal) for row in rows)
    assert isinstance(next(iter(graph.subjects(DT.prisonerCount, Literal(314)))), URIRef)


curl = shutil.which("curl")


@pytest.mark.skipif(curl is None, reason="curl is not installed (apt-get install curl)")
def test_curl_get_and_post(live):
    get = subprocess.run([curl, "-sS", "-G", "-H", "Accept: application/sparql-results+json",
                          "--data-urlencode", f"query={SOURCES_OF_314}", live.url + "/sparql"],
                         capture_output=True, text=True, timeout=60, check=True)
    assert [b["publisher"]["value"] for b in json.loads(get.stdout)["results"]["bindings"]] == EXPECTED_PUBLISHERS
    post = subprocess.run([curl, "-sS", "-X", "POST", "-H", "Content-Type: application/sparql-query",
                           "-H", "Accept: text/csv", "--data-binary", SOURCES_OF_314, live.url + "/sparql"],
                          capture_output=True, text=True, timeout=60, check=True)
    assert post.stdout.splitlines() == ["publisher", *EXPECTED_PUBLISHERS]
    status = subprocess.run([curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE",
                             live.url + "/sparql"], capture_output=True, text=True, timeout=60, check=True)
    assert status.stdout == "405"
