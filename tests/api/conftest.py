"""Fixtures for the HTTP tests: the demo corpus in a store, apps over it, and live waitress servers."""

from __future__ import annotations

import os
import socket
import threading
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from waitress import wasyncore
from waitress.server import BaseWSGIServer

import detente.loaders
from detente.api.app import create_app
from detente.api.server import make_server
from detente.graph.bootstrap import ensure_ontology
from detente.graph.store import Store, open_store
from detente.loaders import load_paths

DEMO = Path(detente.loaders.__file__).parent / "demo"


def demo_store() -> Store:
    """A fresh ``memory:`` store holding the bundled demo corpus."""
    store = open_store("memory:")
    ensure_ontology(store)  # as the command line does
    load_paths(store, [DEMO])
    return store


@dataclass
class LiveServer:
    """A detente app served by waitress on 127.0.0.1 in a background thread."""

    app: Flask
    url: str
    #: What the waitress trigger's descriptors were when the server started (compared when it stops).
    trigger_files: dict[int, str] = field(default_factory=dict)

    @property
    def pool(self):
        return self.app.extensions["detente"].pool


def start_server(config: Mapping[str, object]) -> tuple[LiveServer, BaseWSGIServer, threading.Thread]:
    app = create_app(dict(config))
    server = make_server(app, "127.0.0.1", 0, threads=8)
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    live = LiveServer(app, f"http://127.0.0.1:{server.effective_port}", _trigger_files(server))
    return live, server, thread


def _trigger_files(server: BaseWSGIServer) -> dict[int, str]:
    """The open file behind each descriptor of the server's trigger: the pipe's two ends and the polled copy."""
    trigger = server.trigger
    files = {}
    for fd in (*trigger._fds, trigger.socket.fd):
        try:
            files[fd] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError as exc:
            files[fd] = exc.strerror or str(exc)
    return files


def stop_server(live: LiveServer, server: BaseWSGIServer, thread: threading.Thread) -> None:
    """Stop the server's loop, its request threads and the app's query workers; fail if the loop runs on.

    ``server.close()`` alone closes the listening socket but leaves kept-alive client connections in the
    loop's socket map, so ``run()`` polls on and the thread never ends. Closing every socket of the map on
    the loop's own thread (through its trigger, which is how waitress runs work there) empties the map,
    and the loop returns.
    """
    try:
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
    except OSError as exc:
        # The trigger's descriptor is already closed (seen rarely under a full parallel run; cause not yet
        # found, see the issue note): close the map from here; the loop must still stop (asserted below).
        # Say what its descriptors are now, against what they were, so that a run that meets it tells more.
        warnings.warn(f"the waitress trigger failed ({exc}); its descriptors were {live.trigger_files}, "
                      f"now {_trigger_files(server)}; trigger still in the loop's map: "
                      f"{server.trigger in server._map.values()}; loop alive: {thread.is_alive()}", stacklevel=1)
        wasyncore.close_all(server._map)
    thread.join(5)
    server.task_dispatcher.shutdown(timeout=5)
    live.app.extensions["detente"].close()
    assert not thread.is_alive(), "the waitress loop did not stop"


@pytest.fixture(scope="session")
def demo_app() -> Iterator[Flask]:
    """The app over the demo corpus (in-process; use ``.test_client()``)."""
    app = create_app({"store": demo_store(), "workers": 2, "query_timeout": 20, "update_token": ""})
    yield app
    app.extensions["detente"].close()


@pytest.fixture(scope="session")
def live() -> Iterator[LiveServer]:
    """The demo corpus served over real HTTP."""
    server_live, server, thread = start_server({"store": demo_store(), "workers": 2, "query_timeout": 20,
                                                "max_rows": 1000, "max_body": 64 * 1024, "update_token": ""})
    yield server_live
    stop_server(server_live, server, thread)


@pytest.fixture
def server_factory() -> Iterator:
    """Start live servers with custom settings; all are stopped after the test."""
    started: list[tuple[LiveServer, BaseWSGIServer, threading.Thread]] = []

    def start(config: Mapping[str, object]) -> LiveServer:
        started.append(start_server(config))
        return started[-1][0]

    yield start
    for item in started:
        stop_server(*item)


@pytest.fixture
def fresh_demo_store():
    """A factory of fresh ``memory:`` stores holding the demo corpus."""
    return demo_store


@pytest.fixture
def listener():
    """A TCP listener on loopback that records whether anything connected to it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(0.5)
    yield sock
    sock.close()
