"""No request can make the server open a network connection: a loopback canary must never be reached.

Every known trick (and the plain forms) goes through every transport — GET
/sparql, POST form, POST application/sparql-query, POST /update with the token
— on a memory store and an on-disk store. The canary is a TCP listener on
127.0.0.1; SERVICE and LOAD point at it. The control test shows that the same
payloads do reach it from an engine outside the sandbox, so the canary and the
payloads are real.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from detente.api import sandbox
from detente.api.sparql_guard import RefusedQuery, scan_outbound
from detente.graph.store import open_store

from adversary import (
    TOKEN,
    Canary,
    LiveServer,
    demo_store,
    fill_disk_store,
    listening_canary,
    start_live,
    stop_live,
)

pytestmark = pytest.mark.skipif(not sandbox.status().platform_supported,
                                reason="the network sandbox needs Linux on x86-64 or aarch64")

QUERY_TRICKS = {
    "plain": "SELECT * WHERE { SERVICE <{U}> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <{U}> { ?s ?p ?o } }",
    "lower case": "select * where { service <{U}> { ?s ?p ?o } }",
    "mixed case": "SeLeCt * WhErE { sErViCe <{U}> { ?s ?p ?o } }",
    "codepoint escape": "SELECT * WHERE { \\u0053ERVICE <{U}> { ?s ?p ?o } }",
    "sub-select": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{U}> { ?s ?p ?o } } } }",
    "optional": "SELECT * WHERE { ?a ?b ?c OPTIONAL { SERVICE <{U}> { ?s ?p ?o } } } LIMIT 1",
    "union": "SELECT * WHERE { { ?a ?b ?c } UNION { SERVICE <{U}> { ?s ?p ?o } } } LIMIT 1",
    "minus": "SELECT * WHERE { ?a ?b ?c MINUS { SERVICE <{U}> { ?a ?b ?c } } } LIMIT 1",
    "filter exists": "ASK { ?a ?b ?c FILTER EXISTS { SERVICE <{U}> { ?s ?p ?o } } }",
    "filter not exists": "ASK { ?a ?b ?c FILTER NOT EXISTS { SERVICE SILENT <{U}> { ?s ?p ?o } } }",
    "endpoint in a variable": "SELECT * WHERE { VALUES ?e { <{U}> } SERVICE ?e { ?s ?p ?o } }",
    "\\u0022 in strings around it": ('SELECT * WHERE { BIND("x\\u0022" AS ?x) SERVICE <{U}> { ?a ?b ?c } '
                                     'BIND("\\u0022y" AS ?y) }'),
    "\\r after a comment": "SELECT * WHERE { # a note\r SERVICE <{U}> { ?a ?b ?c }\n }",
    "keyword before a prefixed name": "PREFIX : <{U}#> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{U}> { ?s ?p ?o } }",
}
UPDATE_TRICKS = {
    "load": "LOAD <{U}>",
    "load silent": "LOAD SILENT <{U}>",
    "load into graph": "LOAD <{U}> INTO GRAPH <http://example.org/g>",
    "load silent into graph": "LOAD SILENT <{U}> INTO GRAPH <http://example.org/g>",
    "lower case": "load <{U}>",
    "codepoint escape": "\\u004cOAD <{U}>",
    "insert where service": "INSERT { ?s ?p ?o } WHERE { SERVICE <{U}> { ?s ?p ?o } }",
    "delete where service silent": "DELETE { ?s ?p ?o } WHERE { SERVICE SILENT <{U}> { ?s ?p ?o } }",
    "\\u0022 in strings around it": ('INSERT DATA { <http://example.org/a> <http://example.org/b> "x\\u0022" } ; '
                                     'LOAD <{U}> ; INSERT DATA { <http://example.org/a> <http://example.org/b> '
                                     '"\\u0022y" }'),
    "\\r after a comment": "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 } # c\r; LOAD <{U}>\n",
    "keyword before a prefixed name": "PREFIX : <{U}#> INSERT { ?s ?p ?o } WHERE { SERVICE:x { ?s ?p ?o } }",
}


def _fill(template: str, canary: Canary) -> str:
    return template.replace("{U}", canary.url)


@pytest.fixture(scope="module")
def module_canary() -> Iterator[Canary]:
    with listening_canary() as watcher:
        yield watcher


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store = demo_store() if request.param == "memory" else fill_disk_store(tmp_path_factory.mktemp("disk") / "s")
    live, waitress, thread = start_live({"store": store, "workers": 2, "query_timeout": 20, "update_token": TOKEN})
    yield live
    stop_live(live, waitress, thread)


def _query(url: str, transport: str, text: str) -> requests.Response:
    accept = {"Accept": "application/sparql-results+json, text/turtle"}
    if transport == "GET":
        return requests.get(url + "/sparql", params={"query": text}, headers=accept, timeout=60)
    if transport == "POST form":
        return requests.post(url + "/sparql", data={"query": text}, headers=accept, timeout=60)
    return requests.post(url + "/sparql", data=text.encode("utf-8"), timeout=60,
                         headers={**accept, "Content-Type": "application/sparql-query"})


def _settle(canary: Canary) -> None:
    time.sleep(0.05)  # let the canary's accept thread record a connection made during the request


@pytest.mark.parametrize("transport", ["GET", "POST form", "POST sparql-query"])
@pytest.mark.parametrize("trick", sorted(QUERY_TRICKS))
def test_no_query_reaches_the_canary(server: LiveServer, module_canary: Canary, transport: str, trick: str) -> None:
    response = _query(server.url, transport, _fill(QUERY_TRICKS[trick], module_canary))
    _settle(module_canary)
    assert module_canary.connections == [], f"{trick} via {transport} reached the canary"
    assert response.status_code in (200, 400), response.text  # refused, or a SILENT service that found nothing
    if response.status_code == 400:
        assert "not allowed" in response.text or "no outbound connections" in response.text, response.text


@pytest.mark.parametrize("transport", ["form", "sparql-update"])
@pytest.mark.parametrize("trick", sorted(UPDATE_TRICKS))
def test_no_update_reaches_the_canary(server: LiveServer, module_canary: Canary, transport: str, trick: str) -> None:
    text = _fill(UPDATE_TRICKS[trick], module_canary)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    if transport == "form":
        response = requests.post(server.url + "/update", data={"update": text}, headers=auth, timeout=60)
    else:
        response = requests.post(server.url + "/update", data=text.encode("utf-8"), timeout=60,
                                 headers={**auth, "Content-Type": "application/sparql-update"})
    _settle(module_canary)
    assert module_canary.connections == [], f"{trick} via {transport} reached the canary"
    assert response.status_code in (204, 400), response.text  # refused, or LOAD SILENT that loaded nothing
    assert not requests.get(server.url + "/sparql", params={"query": "ASK { <http://example.org/a> ?p ?o }"},
                            headers={"Accept": "application/sparql-results+json"}).json()["boolean"]


def test_healthz_says_outbound_requests_are_impossible(server: LiveServer) -> None:
    outbound = requests.get(server.url + "/healthz").json()["outbound"]
    assert outbound["sandboxed"] is True and outbound["service_and_load"].startswith("impossible")


@pytest.mark.parametrize("trick", ["\\u0022 in strings around it", "\\r after a comment",
                                   "keyword before a prefixed name"])
def test_control_the_same_trick_reaches_the_canary_from_an_unsandboxed_engine(canary: Canary, trick: str) -> None:
    store = open_store("memory:")
    store.add_nquads("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    with contextlib.suppress(Exception):  # only the canary's log matters here, not the query's own result
        store.query(_fill(QUERY_TRICKS[trick], canary))
    deadline = time.monotonic() + 5
    while not canary.connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert canary.connections, "the payload or the canary is not real"


@pytest.mark.parametrize("trick", sorted(QUERY_TRICKS))
def test_the_conservative_scan_refuses_every_query_trick(trick: str) -> None:
    with pytest.raises(RefusedQuery):
        scan_outbound(QUERY_TRICKS[trick].replace("{U}", "http://127.0.0.1:1/sparql"))


@pytest.mark.parametrize("trick", sorted(UPDATE_TRICKS))
def test_the_conservative_scan_refuses_every_update_trick(trick: str) -> None:
    with pytest.raises(RefusedQuery):
        scan_outbound(UPDATE_TRICKS[trick].replace("{U}", "http://127.0.0.1:1/sparql"))


@pytest.mark.parametrize("text", [
    "SELECT ?service ?loadFactor WHERE { ?service ex:load ?loadFactor }",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "SELECT * WHERE { ?s ex:service.load ?o . _:b.load ?p ?o }",
])
def test_the_conservative_scan_lets_names_through(text: str) -> None:
    scan_outbound("PREFIX ex: <http://example.org/> " + text)


_SANDBOX_PROBE = textwrap.dedent("""
    import ctypes, os, socket, threading
    from detente.api import sandbox
    early = threading.Event(); go = threading.Event(); results = {}
    def thread_probe():
        early.set(); go.wait()
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM); results["thread"] = "allowed"
        except PermissionError:
            results["thread"] = "refused"
    t = threading.Thread(target=thread_probe); t.start(); early.wait()
    sandbox.install()
    go.set(); t.join()
    for name in ("AF_INET", "AF_INET6", "AF_UNIX", "AF_NETLINK", "AF_PACKET"):
        try:
            socket.socket(getattr(socket, name), socket.SOCK_DGRAM if name != "AF_UNIX" else socket.SOCK_STREAM)
            results[name] = "allowed"
        except PermissionError:
            results[name] = "refused"
    a, b = socket.socketpair(); a.sendall(b"x"); results["socketpair"] = b.recv(1).decode()
    libc = ctypes.CDLL(None, use_errno=True)
    params = (ctypes.c_byte * 120)()
    refused = libc.syscall(425, 8, params) == -1 and ctypes.get_errno() == 1
    results["io_uring_setup"] = "refused" if refused else "allowed"
    pid = os.fork()
    if pid == 0:
        try:
            socket.socket(); os._exit(1)
        except PermissionError:
            os._exit(0)
    results["forked child"] = "refused" if os.waitpid(pid, 0)[1] == 0 else "allowed"
    print(results)
""")


def test_the_filter_refuses_every_socket_family_in_every_thread_and_child() -> None:
    done = subprocess.run([sys.executable, "-c", _SANDBOX_PROBE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = eval(done.stdout)
    assert results == {"thread": "refused", "AF_INET": "refused", "AF_INET6": "refused", "AF_UNIX": "refused",
                        "AF_NETLINK": "refused", "AF_PACKET": "refused", "socketpair": "x",
                        "io_uring_setup": "refused", "forked child": "refused"}


def test_sandboxed_processes_hold_no_socket_of_the_server(server: LiveServer) -> None:
    """The sandbox root is forked from the server: it must not keep the listening socket or clients' ones."""
    for pid in server.pool.worker_pids():
        fds = __import__("os").listdir(f"/proc/{pid}/fd")
        kinds = [Path(f"/proc/{pid}/fd/{fd}").readlink().as_posix() for fd in fds]
        inet = [k for k in kinds if k.startswith("socket:")]
        # Only the reader's own channel to the server (an AF_UNIX pair) is a socket.
        assert len(inet) == 1, kinds
