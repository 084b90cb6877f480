"""Availability: slow clients cannot hold the server, heavy routes keep to their lane, answers are kept per version.

Issue 8: 100 sockets sending one header byte a second made every new request
wait, and 10 concurrent exports made a trivial ASK wait and fail. No test here
measures a time: each checks who gets answered, with what, and what was computed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from detente.api import tasks
from detente.api.app import create_demo_app
from detente.api.lanes import VersionCache
from detente.errors import BusyError

TOKEN = "availability-token"
ASK = {"query": "ASK { ?s ?p ?o }"}


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    """The demo corpus, two workers, one heavy slot, updates on (to commit new versions)."""
    application = create_demo_app({"workers": 2, "heavy_requests": 1, "query_timeout": 30,
                                     "update_token": TOKEN})
    yield application
    application.extensions["detente"].close()


def _settle(api: Any, version: int) -> None:
    """Wait until the store reaches ``version``.

    An update commits one version and the writer's summary rebuild, its next step after the answer, commits
    another: an answer kept in between belongs to a version that is already old (the deadline only bounds a hang).
    """
    deadline = time.monotonic() + 120
    while (api.store_version() or 0) < version and time.monotonic() < deadline:
        time.sleep(0.05)
    assert api.store_version() == version


def _insert(app: Flask, label: str) -> None:
    update = ("INSERT DATA { GRAPH <https://w3id.org/detente/id/claim/availability-test> { "
              f"<https://w3id.org/detente/id/state/UKR> <https://w3id.org/detente/ontology#hasParty> "
              f"<https://w3id.org/detente/id/test/{label}> }} }}")
    response = app.test_client().post("/update", data={"update": update},
                                      headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 204, response.data


# -- the heavy lane ------------------------------------------------------------------

def test_a_full_heavy_lane_answers_503_with_retry_after_while_cheap_routes_answer(app: Flask) -> None:
    api = app.extensions["detente"]
    client = app.test_client()
    with api.heavy_lane.enter():  # another export holds the only heavy slot
        export = client.get("/export/graphml", query_string={"min_confidence": "0.123"})
        analysis = client.get("/analysis/centrality", query_string={"min_confidence": "0.123"})
        ask = client.get("/sparql", query_string=ASK, headers={"Accept": "application/sparql-results+json"})
        health = client.get("/healthz")
        state = client.get("/entities/state:UKR", headers={"Accept": "application/json"})
    for busy in (export, analysis):
        assert busy.status_code == 503, busy.data
        assert int(busy.headers["Retry-After"]) >= 1
        assert "at most 1 exports and analyses at once" in busy.json["message"]
    assert ask.status_code == 200 and ask.json["boolean"] is True
    assert health.status_code == 200 and state.status_code == 200
    # The slot given back, the same export is computed.
    assert client.get("/export/graphml", query_string={"min_confidence": "0.123"}).status_code == 200


def test_busy_is_a_detente_error_with_its_status_in_the_one_table() -> None:
    from detente.errors import BusyError, DetenteError

    assert issubclass(BusyError, DetenteError) and BusyError.http_status == 503


# -- the version cache ------------------------------------------------------------------

def test_exports_and_analyses_are_kept_per_version_and_a_write_invalidates_them(app: Flask) -> None:
    api = app.extensions["detente"]
    client = app.test_client()
    first = client.get("/export/nodelink")
    computed = api.cache.computed
    again = client.get("/export/nodelink")
    assert again.status_code == 200 and again.data == first.data
    assert api.cache.computed == computed, "the second export was computed again"
    # The kept answer is the one the simple path gives.
    body, _media, _suffix = api.call(tasks.run_export, "nodelink", {})
    assert body == first.data
    metric = client.get("/analysis/centrality").json
    assert client.get("/analysis/centrality").json == metric
    assert metric == api.call(tasks.run_analysis, "centrality", {})

    before = client.get("/export/nquads")
    computed = api.cache.computed
    version = api.store_version()
    _insert(app, "cache-node")
    _settle(api, version + 2)
    after = client.get("/export/nquads")
    assert after.status_code == 200 and b"cache-node" in after.data and b"cache-node" not in before.data
    assert api.cache.computed == computed + 1  # computed again after the write
    assert all(version == api.store_version() for version, _key in api.cache._entries)


def test_parameters_make_different_answers_whatever_their_order(app: Flask) -> None:
    client = app.test_client()
    api = app.extensions["detente"]
    a = client.get("/export/csv?min_confidence=0.5&publisher=x&publisher=y")
    computed = api.cache.computed
    b = client.get("/export/csv?publisher=x&publisher=y&min_confidence=0.5")
    assert a.data == b.data and api.cache.computed == computed
    c = client.get("/export/csv?min_confidence=0.9")
    assert api.cache.computed == computed + 1 and c.status_code == 200


def test_identical_requests_at_once_are_computed_once(app: Flask) -> None:
    api = app.extensions["detente"]
    computed = api.cache.computed
    statuses: list[int] = []

    def fetch() -> None:
        statuses.append(app.test_client().get("/export/gexf?min_confidence=0.31").status_code)

    threads = [threading.Thread(target=fetch) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One computes; one (as many as the heavy lane holds) may wait for it; any other arriving meanwhile is
    # refused at once rather than holding a server thread; none computes it again.
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 503}
    assert api.cache.computed == computed + 1
    assert app.test_client().get("/export/gexf?min_confidence=0.31").status_code == 200
    assert api.cache.computed == computed + 1


def test_waiters_for_an_identical_request_are_bounded(app: Flask) -> None:
    api = app.extensions["detente"]
    started, release = threading.Event(), threading.Event()

    def slow() -> bytes:
        started.set()
        release.wait(30)
        return b"answer"

    results: list[object] = []
    leader = threading.Thread(target=lambda: results.append(api.cache.get_or_compute("k", lambda: -1, slow)))
    leader.start()
    started.wait(30)
    waiter = threading.Thread(target=lambda: results.append(api.cache.get_or_compute("k", lambda: -1, slow)))
    waiter.start()
    while api.cache.waiting._slots._value:  # the waiter has taken the one waiting slot
        threading.Event().wait(0.01)
    with pytest.raises(BusyError) as refused:
        api.cache.get_or_compute("k", lambda: -1, slow)
    assert refused.value.headers["Retry-After"]
    release.set()
    leader.join()
    waiter.join()
    assert results == [b"answer", b"answer"]


def test_the_cache_is_bounded_and_keeps_nothing_of_an_unknown_version() -> None:
    cache = VersionCache(max_bytes=10)
    for name in "abc":
        cache.get_or_compute(name, lambda: 1, lambda name=name: name.encode() * 4)
    assert cache.size <= 10 and len(cache) == 2  # "a" went first
    assert cache.get_or_compute("huge", lambda: 1, lambda: b"x" * 11) == b"x" * 11 and "huge" not in {
        key for _v, key in cache._entries}
    remote = VersionCache(max_bytes=100)
    remote.get_or_compute("x", lambda: None, lambda: b"1")
    assert len(remote) == 0
    # A write committed while the answer was computed: the answer is not kept under either version.
    moving = iter([1, 2])
    racing = VersionCache(max_bytes=100)
    racing.get_or_compute("x", lambda: next(moving), lambda: b"1")
    assert len(racing) == 0


# -- slow clients -------------------------------------------------------------------------

def _trickle(sockets: list[socket.socket], stop: threading.Event) -> None:
    """One byte of a never-ending header on each socket every 0.2 s, as a slowloris client does."""
    while not stop.is_set():
        for sock in list(sockets):
            try:
                sock.send(b"a")
            except OSError:
                sockets.remove(sock)
        stop.wait(0.2)


@pytest.mark.slow
def test_slow_header_senders_are_cut_off_and_new_clients_are_served(server_factory, fresh_demo_store) -> None:
    live = server_factory({"store": fresh_demo_store(), "workers": 1, "read_timeout": 1, "idle_timeout": 2,
                           "max_connections": 8})
    port = int(live.url.rsplit(":", 1)[1])
    held: list[socket.socket] = []
    for _ in range(12):  # more than the connection limit
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        held.append(sock)
    opened = list(held)
    stop = threading.Event()
    trickler = threading.Thread(target=_trickle, args=(held, stop), daemon=True)
    trickler.start()
    try:
        # Waits as long as it must (the slow sockets fill every connection until they are cut off).
        answer = requests.get(live.url + "/healthz", timeout=60)
        assert answer.status_code == 200
        deadline = time.monotonic() + 60
        while held and time.monotonic() < deadline:  # the server closes every slow socket
            time.sleep(0.2)
        assert not held, f"{len(held)} slow sockets still open"
    finally:
        stop.set()
        trickler.join()
        for sock in opened:
            sock.close()


@pytest.mark.slow
def test_a_slow_body_is_cut_off_too(server_factory, fresh_demo_store) -> None:
    live = server_factory({"store": fresh_demo_store(), "workers": 1, "read_timeout": 1, "idle_timeout": 30})
    port = int(live.url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    try:
        sock.send(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: 100\r\n\r\nASK")
        held = [sock]
        stop = threading.Event()
        trickler = threading.Thread(target=_trickle, args=(held, stop), daemon=True)
        trickler.start()
        try:
            closed = b""
            while True:  # reads until the server closes (b"") or the socket's own 60 s timeout fails the test
                chunk = sock.recv(4096)
                if not chunk:
                    break
                closed += chunk
            assert b"200 OK" not in closed
        finally:
            stop.set()
            trickler.join()
    finally:
        sock.close()
