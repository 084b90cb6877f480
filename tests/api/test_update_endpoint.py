"""POST /update: off without a token, bearer-protected with one, and LOAD/SERVICE refused."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap

import pytest
import requests

TOKEN = "s3cret-token-for-tests"
INSERT = "INSERT DATA { state:UKR dt:testFlag 'inserted' }"
CHECK = "ASK { state:UKR dt:testFlag 'inserted' }"


def ask(url: str, query: str = CHECK) -> bool:
    response = requests.get(url + "/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_updates_are_off_without_a_token(live):
    response = requests.post(live.url + "/update", data={"update": INSERT}, headers=bearer())
    assert response.status_code == 403
    assert "DETENTE_UPDATE_TOKEN" in response.text
    assert not ask(live.url)


def test_token_is_required_and_checked(server_factory, fresh_demo_store):
    live = server_factory({"store": fresh_demo_store(), "workers": 1, "update_token": TOKEN})
    missing = requests.post(live.url + "/update", data={"update": INSERT})
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = requests.post(live.url + "/update", data={"update": INSERT}, headers=bearer("nope"))
    assert wrong.status_code == 401 and "invalid_token" in wrong.headers["WWW-Authenticate"]
    assert not ask(live.url)
    bad_type = requests.post(live.url + "/update", data=INSERT.encode(),
                             headers={**bearer(), "Content-Type": "text/plain"})
    assert bad_type.status_code == 415


def test_memory_store_update_is_seen_by_later_queries(server_factory, fresh_demo_store):
    live = server_factory({"store": fresh_demo_store(), "workers": 2, "update_token": TOKEN})
    pids_before = set(live.pool.worker_pids())
    response = requests.post(live.url + "/update", data=INSERT.encode(),
                             headers={**bearer(), "Content-Type": "application/sparql-update"})
    assert response.status_code == 204, response.text
    # Every worker is a fresh fork holding the update, so any of them answers alike.
    assert all(ask(live.url) for _ in range(6))
    assert not pids_before & set(live.pool.worker_pids())
    delete = requests.post(live.url + "/update", data={"update": INSERT.replace("INSERT", "DELETE")},
                           headers=bearer())
    assert delete.status_code == 204
    assert not any(ask(live.url) for _ in range(4))


@pytest.mark.slow
def test_runaway_update_is_stopped_and_changes_nothing(server_factory, fresh_demo_store):
    live = server_factory({"store": fresh_demo_store(), "workers": 1, "update_token": TOKEN,
                           "query_timeout": 1})
    runaway = ("INSERT { state:UKR dt:testFlag 'inserted' } WHERE "
               "{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }")
    response = requests.post(live.url + "/update", data={"update": runaway}, headers=bearer())
    assert response.status_code == 503 and "time limit" in response.text
    assert not ask(live.url)


def test_load_and_service_in_updates_are_refused_without_connecting(server_factory, fresh_demo_store, listener):
    live = server_factory({"store": fresh_demo_store(), "workers": 1, "update_token": TOKEN})
    port = listener.getsockname()[1]
    for update in (f"LOAD <http://127.0.0.1:{port}/data.ttl>",
                   f"LOAD SILENT <http://127.0.0.1:{port}/data.ttl> INTO GRAPH <http://example.org/g>",
                   f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"):
        response = requests.post(live.url + "/update", data={"update": update}, headers=bearer())
        assert response.status_code == 400, response.text
        assert "not allowed" in response.text
    with pytest.raises(socket.timeout):
        listener.accept()


@pytest.mark.slow
def test_on_disk_store_is_read_by_snapshot_workers_and_updated(server_factory, tmp_path):
    path = tmp_path / "store"
    # Load in another process, as `detente load` would: this process must not hold the writer's lock.
    subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        from pathlib import Path
        import detente.loaders
        from detente.graph.store import open_store
        from detente.loaders import load_paths
        store = open_store("oxigraph:{path}")
        load_paths(store, [Path(detente.loaders.__file__).parent / "demo"])
        store.close()
    """)], check=True, timeout=300)
    live = server_factory({"store": f"oxigraph:{path}", "workers": 2, "update_token": TOKEN})
    assert live.pool.mode == "disk"
    assert ask(live.url, "ASK { agreement:ukr-rus-314-exchange dt:prisonerCount 314 }")
    assert not ask(live.url)
    response = requests.post(live.url + "/update", data={"update": INSERT}, headers=bearer())
    assert response.status_code == 204, response.text
    assert all(ask(live.url) for _ in range(4))
    entity = requests.get(live.url + "/entities/state:UKR", headers={"Accept": "application/json"})
    assert entity.status_code == 200 and entity.json()["label"] == "Ukraine"


def test_an_update_leaves_the_summary_marked_then_brings_it_up_to_date(server_factory, fresh_demo_store):
    import time
    from pathlib import Path

    # Before the server starts: its reader processes are forked from this one and import the module by name.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "graph"))
    from detente.ontology.vocab import SUMMARY_GRAPH

    import summary_reference

    live = server_factory({"store": fresh_demo_store(), "workers": 1, "update_token": TOKEN})
    # The summary is one of the system graphs: a client's update that would write it is refused, while
    # detente's own maintenance of it after the update below passes (engine.apply_write: the check first).
    refused = requests.post(live.url + "/update", headers=bearer(),
                            data={"update": f"INSERT DATA {{ GRAPH <{SUMMARY_GRAPH}> {{ <urn:a> <urn:b> 1 }} }}"})
    assert refused.status_code == 403 and "system graph" in refused.text
    claim = "<https://w3id.org/detente/id/claim/from-update>"
    update = (f"INSERT DATA {{ GRAPH {claim} {{ state:TUR dt:hasParty state:QAT }} "
              f"GRAPH <https://w3id.org/detente/id/graph/provenance> {{ {claim} a dt:Claim }} }}")
    response = requests.post(live.url + "/update", data={"update": update}, headers=bearer())
    assert response.status_code == 204, response.text
    # Committed with the update: its claim, and a summary either marked stale or (the writer's next step
    # already committed) rebuilt; never one that misses the claim without saying so.
    state, maintained, expected = live.pool.call(summary_reference.served_view, timeout=60)
    assert state in ("stale", "current")
    assert ask(live.url, f"ASK {{ GRAPH {claim} {{ state:TUR dt:hasParty state:QAT }} }}")
    deadline = time.monotonic() + 120  # the rebuild runs after the answer, as the writer's own step
    while state != "current" and time.monotonic() < deadline:
        time.sleep(0.05)
        state, maintained, expected = live.pool.call(summary_reference.served_view, timeout=60)
    assert state == "current"
    assert maintained == expected
    assert maintained["facts"][(
        "https://w3id.org/detente/id/state/TUR", "https://w3id.org/detente/ontology#hasParty",
        "https://w3id.org/detente/id/state/QAT")][0] == 1


def test_relative_iris_in_an_update_resolve_as_in_queries(server_factory, fresh_demo_store):
    """``<state/UKR>`` names the same entity in /update as in /sparql (the documented base)."""
    live = server_factory({"store": fresh_demo_store(), "workers": 1, "update_token": TOKEN})
    response = requests.post(live.url + "/update", headers=bearer(),
                             data={"update": "INSERT DATA { <state/UKR> dt:testFlag 'relative' }"})
    assert response.status_code == 204, response.text
    assert ask(live.url, "ASK { state:UKR dt:testFlag 'relative' }")
    assert ask(live.url, "ASK { <state/UKR> dt:testFlag 'relative' }")
