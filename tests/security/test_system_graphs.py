"""Data cannot write the ontology, entity-registry or summary graphs: not through a file, not through /update.

For SPARQL Update the decision is the engine's actual effect: the update runs
on a copy, the protected graphs of the copy are compared with the live ones,
and the copy is promoted or discarded — so an update that reaches a system
graph only by a computed graph name (RAND, IF, BIND) is caught all the same,
and a refused update changes nothing at all, including its other parts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from detente.api.client import ServerClient
from detente.graph.store import open_store
from detente.loaders import LoadError, load_paths
from detente.ontology.vocab import ENTITIES_GRAPH, ONTOLOGY_GRAPH, SUMMARY_GRAPH

from adversary import TOKEN, demo_store, fill_disk_store

ONTO, ENTS, SUMMARY = f"<{ONTOLOGY_GRAPH}>", f"<{ENTITIES_GRAPH}>", f"<{SUMMARY_GRAPH}>"
MARK = "<urn:test:marker> <urn:test:p> 'written' ."

REFUSED_UPDATES = {
    "insert into the ontology": f"INSERT DATA {{ GRAPH {ONTO} {{ <urn:a> <urn:b> <urn:c> }} }}",
    "retype prisonerCount": (f"DELETE {{ GRAPH {ONTO} {{ dt:prisonerCount a owl:DatatypeProperty }} }} "
                             f"INSERT {{ GRAPH {ONTO} {{ dt:prisonerCount a owl:ObjectProperty }} }} WHERE {{}}"),
    "WITH the ontology": f"WITH {ONTO} DELETE {{ ?s rdfs:label ?l }} WHERE {{ ?s rdfs:label ?l }}",
    "delete an entity label": f"DELETE WHERE {{ GRAPH {ENTS} {{ state:UKR rdfs:label ?l }} }}",
    "insert into the summary": f"INSERT DATA {{ GRAPH {SUMMARY} {{ <urn:a> <urn:b> 1 }} }}",
    "graph name computed with RAND": ("INSERT { GRAPH ?g { <urn:a> <urn:b> <urn:c> } } WHERE { "
                                      f"BIND(IF(RAND() < 2, {ONTO}, <urn:other>) AS ?g) }}"),
    "graph name from data": "INSERT { GRAPH ?g { <urn:a> <urn:b> <urn:c> } } WHERE { GRAPH ?g { state:UKR a ?t } }",
    "copy over the entities": f"COPY <urn:empty> TO {ENTS}",
    "clear all": "CLEAR ALL",
    "together with a claim write":
        f"INSERT DATA {{ {MARK} }} ; INSERT DATA {{ GRAPH {ONTO} {{ <urn:a> <urn:b> <urn:c> }} }}",
}


def _ask(url: str, query: str) -> bool:
    response = requests.get(url + "/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def _count(url: str, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
    response = requests.get(url + "/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(params=["memory", "oxigraph"])
def live(request: pytest.FixtureRequest, serve, tmp_path: Path):
    store = demo_store() if request.param == "memory" else fill_disk_store(tmp_path / "store")
    return serve({"store": store, "workers": 1, "query_timeout": 20, "update_token": TOKEN})


@pytest.mark.slow
def test_updates_that_change_a_system_graph_are_refused_and_change_nothing(live) -> None:
    counts = {g: _count(live.url, g) for g in (ONTO, ENTS, SUMMARY)}
    assert counts[ONTO] > 100 and counts[ENTS] > 10
    for name, update in REFUSED_UPDATES.items():
        response = requests.post(live.url + "/update", data={"update": update},
                                 headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 403, (name, response.status_code, response.text)
        assert "system graph" in response.text and "nothing was changed" in response.text, name
        assert {g: _count(live.url, g) for g in counts} == counts, name
        assert not _ask(live.url, "ASK { <urn:test:marker> ?p ?o }"), name
        assert _ask(live.url, "ASK { GRAPH ?g { dt:prisonerCount a owl:DatatypeProperty } }"), name
    ok = requests.post(live.url + "/update", data={"update": f"INSERT DATA {{ {MARK} }}"},
                       headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 204, ok.text
    assert _ask(live.url, "ASK { <urn:test:marker> ?p ?o }")


def test_the_admin_load_route_refuses_the_ontology_and_summary_graphs(live) -> None:
    token = live.app.extensions["detente"].admin_token
    client = ServerClient(live.url, token)
    from detente.errors import ProtectedGraphError

    before = _count(live.url, ONTO)
    # The summary graph was empty before it was maintained (issue 9); now it holds the demo's summary,
    # which the refused loads must leave exactly as it was (the count it had, where 0 was asserted).
    summary_before = _count(live.url, SUMMARY)
    with pytest.raises(ProtectedGraphError, match="system graph"):
        client.load([], f"<urn:a> <urn:b> <urn:c> {ONTO} .\n", 1 << 20)
    with pytest.raises(ProtectedGraphError):
        client.load([], f"<urn:a> <urn:b> <urn:c> {SUMMARY} .\n", 1 << 20)
    assert _count(live.url, ONTO) == before and _count(live.url, SUMMARY) == summary_before
    assert client.load([], '<urn:test:marker> <urn:test:p> "x" <urn:test:claim> .\n', 1 << 20) == 0
    assert _ask(live.url, "ASK { GRAPH <urn:test:claim> { <urn:test:marker> ?p ?o } }")
    wrong = requests.post(live.url + "/admin/snapshots", headers={"Authorization": f"Bearer {TOKEN}"})
    assert wrong.status_code == 401


@pytest.mark.parametrize(("suffix", "graph"), [(".nq", ONTO), (".nq", ENTS), (".nq", SUMMARY), (".trig", ONTO)])
def test_loaders_refuse_quads_in_a_system_graph(tmp_path: Path, suffix: str, graph: str) -> None:
    path = tmp_path / f"data{suffix}"
    quad = ("<https://w3id.org/detente/ontology#prisonerCount> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<http://www.w3.org/2002/07/owl#ObjectProperty>")
    claim = "<urn:a> <urn:b> <urn:c> <https://w3id.org/detente/id/claim/x> .\n"
    path.write_text(claim + (f"{quad} {graph} .\n" if suffix == ".nq" else "") if suffix == ".nq"
                    else f"{graph} {{ {quad} . }}\n", encoding="utf-8")
    store = open_store("memory:")
    with pytest.raises(LoadError) as info:
        load_paths(store, [path])
    reject, = info.value.rejects
    assert reject.file == str(path) and reject.field == "graph" and graph.strip("<>") in reject.message
    if suffix == ".nq":
        assert reject.line == 2
    assert store.count_quads() == 0
