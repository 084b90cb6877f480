"""Every query is bounded in time for real: the worker running it is killed, and other clients go on."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from detente.api.pool import PoolBusy, TaskError, TaskTimeout, WorkerPool, count_quads
from detente.graph.store import Store, open_store

# Five-way cross product of the demo data (~300 triples): ~10^12 solutions, far beyond any time limit.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
QUICK = "SELECT ?party WHERE { agreement:ukr-rus-314-exchange dt:hasParty ?party } ORDER BY ?party"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_a_runaway_query_is_killed_while_other_clients_are_served(server_factory, fresh_demo_store):
    live = server_factory({"store": fresh_demo_store(), "workers": 2, "query_timeout": 6})
    pool = live.pool
    before = set(pool.worker_pids())
    slow: dict[str, requests.Response] = {}
    runner = threading.Thread(target=lambda: slow.setdefault(
        "response", requests.get(live.url + "/sparql", params={"query": ENDLESS})))
    runner.start()
    # Wait (without a clock) until the slow query holds a worker.
    while pool._idle.qsize() != 1:
        threading.Event().wait(0.01)
    for _ in range(5):
        quick = requests.get(live.url + "/sparql", params={"query": QUICK},
                             headers={"Accept": "application/sparql-results+json"})
        assert quick.status_code == 200 and len(quick.json()["results"]["bindings"]) == 2
        assert requests.get(live.url + "/healthz").json()["status"] == "ok"
    assert runner.is_alive(), "the quick queries were answered while the slow one still ran"
    runner.join()
    response = slow["response"]
    assert response.status_code == 503
    assert "time limit" in response.text and "Traceback" not in response.text
    after = set(pool.worker_pids())
    killed = before - after
    assert len(killed) == 1 and len(after) == 2
    assert not alive(killed.pop())
    # The replacement worker answers.
    assert requests.get(live.url + "/sparql", params={"query": QUICK}).status_code == 200


@pytest.mark.slow
def test_timeouts_apply_to_rest_routes_and_posted_queries(server_factory, fresh_demo_store):
    live = server_factory({"store": fresh_demo_store(), "workers": 1, "query_timeout": 1})
    posted = requests.post(live.url + "/sparql", data=ENDLESS.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert posted.status_code == 503
    assert requests.get(live.url + "/entities/state/UKR").status_code == 200


def test_busy_pool_answers_503_with_retry_after(server_factory, fresh_demo_store):
    live = server_factory({"store": fresh_demo_store(), "workers": 1, "query_timeout": 0.5})
    pool = live.pool
    held = pool._acquire(5)  # the only worker, as a long query would hold it
    try:
        waiting = requests.get(live.url + "/sparql", params={"query": QUICK})
        assert waiting.status_code == 503 and waiting.headers["Retry-After"] == "1"
        assert "busy" in waiting.text
    finally:
        pool._release(held)
    assert requests.get(live.url + "/sparql", params={"query": QUICK}).status_code == 200


def test_pool_busy_and_close_stop_a_running_task():
    store = open_store("memory:")
    store.add_nquads("".join(f"<http://ex.org/s{i}> <http://ex.org/p> \"{i}\" .\n" for i in range(300)))
    pool = WorkerPool(store, size=1)
    outcome: list[BaseException] = []

    def endless() -> None:
        try:
            pool.call(_run_query, ENDLESS, timeout=600)
        except BaseException as exc:
            outcome.append(exc)

    runner = threading.Thread(target=endless)
    runner.start()
    while pool._idle.qsize() != 0:
        threading.Event().wait(0.01)
    with pytest.raises(PoolBusy):
        pool.call(count_quads, timeout=0.2)
    (pid,) = pool.worker_pids()
    pool.close()
    runner.join()
    assert isinstance(outcome[0], TaskError) and not alive(pid)


def test_many_concurrent_clients_get_right_answers(live):
    def ask(i: int) -> list[str]:
        response = requests.get(live.url + "/sparql", params={"query": QUICK},
                                headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200
        return [b["party"]["value"] for b in response.json()["results"]["bindings"]]

    with ThreadPoolExecutor(max_workers=16) as executor:
        answers = list(executor.map(ask, range(160)))
    assert all(a == ["https://w3id.org/detente/id/state/RUS", "https://w3id.org/detente/id/state/UKR"]
               for a in answers)


def test_pool_kills_a_task_past_its_limit_directly():
    store = open_store("memory:")
    store.add_nquads("".join(f"<http://ex.org/s{i}> <http://ex.org/p> \"{i}\" .\n" for i in range(300)))
    with WorkerPool(store, size=1) as pool:
        (pid,) = pool.worker_pids()
        with pytest.raises(TaskTimeout):
            pool.call(_run_query, ENDLESS, timeout=0.5)
        assert not alive(pid)
        assert pool.call(count_quads, timeout=10) == 300


def _run_query(store: Store, query: str) -> int:
    return len(store.query(query).rows)
