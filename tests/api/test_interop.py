"""Interoperability of /sparql (issue 8): default RDF format, skolem IRIs, a base IRI, the truncation header."""

from __future__ import annotations

import json

import pytest
import requests
from click.testing import CliRunner
from rdflib import BNode, Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from detente.api.sparql import TRUNCATED_HEADER
from detente.api.tasks import GENID_PREFIX, QUERY_BASE_IRI
from detente.cli import main
from detente.ontology.vocab import DTR

JSON_RESULTS = {"Accept": "application/sparql-results+json"}
BNODE_DATA = ('_:first <https://w3id.org/detente/ontology#note> "a blank subject" .\n'
              '_:first <https://w3id.org/detente/ontology#next> _:second .\n'
              '_:second <https://w3id.org/detente/ontology#note> "another" .\n')


@pytest.fixture
def blank_live(server_factory, fresh_demo_store) -> object:
    """The demo corpus plus facts about blank nodes, with a row cap of 5 (server_factory stops it)."""
    store = fresh_demo_store()
    store.add_nquads(BNODE_DATA)
    return server_factory({"store": store, "workers": 1, "max_rows": 5})


def _sparql(url: str, query: str, accept: str = "application/sparql-results+json") -> requests.Response:
    return requests.get(url + "/sparql", params={"query": query}, headers={"Accept": accept}, timeout=60)


def test_construct_asked_for_sparql_results_gets_turtle(live) -> None:
    answer = _sparql(live.url, "CONSTRUCT WHERE { ?s <https://w3id.org/detente/ontology#prisonerCount> ?o }")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/turtle")
    assert len(Graph().parse(data=answer.text, format="turtle")) > 0
    # An Accept header naming an RDF format still decides.
    assert _sparql(live.url, "DESCRIBE <https://w3id.org/detente/id/state/UKR>",
                   "application/n-triples").headers["Content-Type"].startswith("application/n-triples")


@pytest.mark.parametrize("return_format", ["json", "xml"])
def test_rdflib_sparqlstore_constructs_and_lists_triples_with_blank_nodes(blank_live, return_format) -> None:
    graph = Graph(store=SPARQLStore(blank_live.url + "/sparql", returnFormat=return_format))
    constructed = graph.query("CONSTRUCT WHERE { ?s <https://w3id.org/detente/ontology#note> ?o }").graph
    assert constructed is not None and len(constructed) == 2
    subjects = {s for s, _p, _o in graph.triples((None, URIRef("https://w3id.org/detente/ontology#note"), None))}
    assert len(subjects) == 2
    assert all(isinstance(s, URIRef) and str(s).startswith(GENID_PREFIX) for s in subjects)
    # One node keeps one name across queries: the link's ends are the subjects listed above.
    links = list(graph.triples((None, URIRef("https://w3id.org/detente/ontology#next"), None)))
    assert len(links) == 1 and {links[0][0], links[0][2]} == subjects
    assert not any(isinstance(t, BNode) for triple in constructed for t in triple)


def test_skolem_iris_are_stable_and_name_one_node(blank_live) -> None:
    query = ("SELECT ?s ?o WHERE { ?s <https://w3id.org/detente/ontology#next> ?o }")
    first = _sparql(blank_live.url, query).json()["results"]["bindings"]
    again = _sparql(blank_live.url, query).json()["results"]["bindings"]
    assert first == again and len(first) == 1
    assert first[0]["s"]["type"] == "uri" and first[0]["s"]["value"].startswith(GENID_PREFIX)
    assert first[0]["s"]["value"] != first[0]["o"]["value"]
    notes = _sparql(blank_live.url, "SELECT ?s ?n WHERE { ?s <https://w3id.org/detente/ontology#note> ?n }").json()
    second = {b["s"]["value"]: b["n"]["value"] for b in notes["results"]["bindings"]}
    assert second[first[0]["o"]["value"]] == "another"


def test_relative_iris_resolve_against_the_documented_base(live) -> None:
    relative = _sparql(live.url, "SELECT ?p ?o WHERE { <state/UKR> ?p ?o } ORDER BY ?p ?o")
    absolute = _sparql(live.url, f"SELECT ?p ?o WHERE {{ <{DTR['state/UKR']}> ?p ?o }} ORDER BY ?p ?o")
    assert relative.status_code == 200, relative.text
    assert relative.json() == absolute.json() and relative.json()["results"]["bindings"]
    assert str(DTR[""]) == QUERY_BASE_IRI
    # The query's own BASE still wins.
    based = _sparql(live.url, "BASE <http://example.org/> SELECT * WHERE { <state/UKR> ?p ?o }")
    assert based.status_code == 200 and based.json()["results"]["bindings"] == []


def test_a_capped_result_is_200_with_the_first_rows_and_a_header(blank_live) -> None:
    capped = _sparql(blank_live.url, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert capped.status_code == 200, capped.text
    assert capped.headers[TRUNCATED_HEADER] == "max-rows=5"
    assert len(capped.json()["results"]["bindings"]) == 5
    within = _sparql(blank_live.url, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5")
    assert within.status_code == 200 and TRUNCATED_HEADER not in within.headers
    assert len(within.json()["results"]["bindings"]) == 5
    graph = _sparql(blank_live.url, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert graph.status_code == 200 and graph.headers[TRUNCATED_HEADER] == "max-rows=5"
    assert len([line for line in graph.text.splitlines() if line.strip()]) == 5
    csv = _sparql(blank_live.url, "SELECT ?s WHERE { ?s ?p ?o }", "text/csv")
    assert csv.headers[TRUNCATED_HEADER] == "max-rows=5" and len(csv.text.splitlines()) == 6
    # Browsers on other origins may read the header.
    assert TRUNCATED_HEADER in capped.headers["Access-Control-Expose-Headers"]


def test_a_body_past_the_byte_cap_is_200_with_the_rows_that_fit(server_factory, fresh_demo_store) -> None:
    live = server_factory({"store": fresh_demo_store(), "workers": 1, "max_result_bytes": 65536})
    rows = _sparql(live.url, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert rows.status_code == 200, rows.text
    assert rows.headers[TRUNCATED_HEADER] == "max-bytes=65536" and len(rows.content) <= 65536
    assert len(rows.json()["results"]["bindings"]) > 0
    graph = _sparql(live.url, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
    assert graph.headers[TRUNCATED_HEADER] == "max-bytes=65536" and len(graph.content) <= 65536
    assert len(Graph().parse(data=graph.text, format="turtle")) > 0
    small = _sparql(live.url, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3")
    assert small.status_code == 200 and TRUNCATED_HEADER not in small.headers


def test_the_command_line_warns_when_the_server_truncated(blank_live) -> None:
    store = "sparql+" + blank_live.url + "/sparql"
    runner = CliRunner()
    capped = runner.invoke(main, ["query", "--store", store, "--format", "json",
                                  "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"])
    assert capped.exit_code == 0, capped.output
    assert "warning: the server cut this result at its row or size cap" in capped.stderr
    assert len(json.loads(capped.stdout)["results"]["bindings"]) == 5
    table = runner.invoke(main, ["query", "--store", store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"])
    assert table.exit_code == 0 and "only the first 5 rows" in table.stderr
    whole = runner.invoke(main, ["query", "--store", store, "--format", "json",
                                 "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2"])
    assert whole.exit_code == 0 and "warning" not in whole.stderr
