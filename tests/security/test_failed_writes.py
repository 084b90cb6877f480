"""A write that reports failure changed nothing, and readers see one committed version after every write."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests

from adversary import TOKEN, Canary, demo_store, fill_disk_store

pytestmark = pytest.mark.slow  # live servers, timed-out writes

MARK = "INSERT DATA { <urn:test:marker> <urn:test:p> 'written' }"
CHECK = "ASK { <urn:test:marker> ?p ?o }"
ENDLESS = ("INSERT { <urn:test:marker> <urn:test:p> 'written' } WHERE "
           "{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }")


def _ask(url: str, query: str = CHECK) -> bool:
    response = requests.get(url + "/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def _update(url: str, text: str) -> requests.Response:
    return requests.post(url + "/update", data={"update": text}, headers={"Authorization": f"Bearer {TOKEN}"},
                         timeout=120)


@pytest.fixture(params=["memory", "oxigraph"])
def live(request: pytest.FixtureRequest, serve, tmp_path: Path):
    store = demo_store() if request.param == "memory" else fill_disk_store(tmp_path / "store")
    return serve({"store": store, "workers": 2, "query_timeout": 2, "update_token": TOKEN})


def test_failed_updates_change_nothing(live, canary: Canary) -> None:
    failures = {
        "syntax error": (f"{MARK} ; INSERT DATA {{ <urn:a> }}", 400),
        "outbound after a write, past the courtesy check": (f"{MARK} # c\r; LOAD <{canary.url}>\n", 400),
        "too slow": (ENDLESS, 503),
        "writes a system graph after a good write": (
            f"{MARK} ; INSERT DATA {{ GRAPH <https://w3id.org/detente/id/graph/entities> {{ <urn:a> <urn:b> 1 }} }}",
            403),
    }
    for name, (text, status) in failures.items():
        response = _update(live.url, text)
        assert response.status_code == status, (name, response.text)
        assert not _ask(live.url), f"{name}: a failed update changed the store"
    assert canary.connections == []
    # The writer is still there and commits the next good write (on disk, a new one replaced the killed one).
    assert _update(live.url, MARK).status_code == 204
    assert _ask(live.url)


def test_every_request_after_a_commit_sees_it_and_old_readers_are_gone(live) -> None:
    before = set(live.pool.worker_pids())
    for round_number in range(3):
        text = f"INSERT DATA {{ <urn:test:round> <urn:test:n> {round_number} }}"
        assert _update(live.url, text).status_code == 204
        seen = [_ask(live.url, f"ASK {{ <urn:test:round> <urn:test:n> {round_number} }}") for _ in range(8)]
        assert all(seen), f"round {round_number}: a request saw an older version"
        now = _settled_workers(live, 2)
        assert not before & now and len(now) == 2
        before = now


def _settled_workers(live: Any, count: int) -> set[int]:
    """The reader processes once all ``count`` are up.

    The writer's summary rebuild commits a version of its own after an update's answer, and readers of the
    older version are then replaced; wait for the replacement to finish (the deadline only bounds a hang).
    """
    deadline = time.monotonic() + 120
    pids = set(live.pool.worker_pids())
    while len(pids) != count and time.monotonic() < deadline:
        time.sleep(0.1)
        pids = set(live.pool.worker_pids())
    return pids


def _settled_candidates(workspace: Path) -> list[Path]:
    """The write candidates left once the writer is idle.

    An update's answer comes before the writer's own next write (the summary's rebuild, see graph/writes.py),
    whose candidate exists while it runs: wait for that work to end (the deadline only bounds a hang).
    """
    candidates = workspace / "candidates"
    deadline = time.monotonic() + 120
    while list(candidates.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return list(candidates.iterdir())


def test_on_disk_the_store_folder_only_changes_by_promotion(serve, tmp_path: Path) -> None:
    """A refused or killed write leaves no candidate behind and the primary untouched."""
    uri = fill_disk_store(tmp_path / "store")
    live = serve({"store": uri, "workers": 1, "query_timeout": 1, "update_token": TOKEN})
    workspace = tmp_path / "store.detente"
    assert (tmp_path / "store" / "detente-server.json").exists()
    assert _update(live.url, ENDLESS).status_code == 503
    assert _update(live.url, "INSERT DATA { GRAPH <https://w3id.org/detente/id/graph/ontology> { <urn:a> <urn:b> 1 } }"
                   ).status_code == 403
    assert _settled_candidates(workspace) == []
    assert _update(live.url, MARK).status_code == 204
    assert _settled_candidates(workspace) == []
    live.app.extensions["detente"].close()
    assert not workspace.exists() and not (tmp_path / "store" / "detente-server.json").exists()
    from detente.graph.store import open_store

    store = open_store(uri)
    assert store.query(CHECK).boolean
    store.close()
