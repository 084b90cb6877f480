"""Fixtures for the HTTP tests: the demo corpus in a store, apps over it, and live waitress servers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from live_waitress import close_on_loop
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

    @property
    def pool(self):
        return self.app.extensions["detente"].pool


def start_server(config: Mapping[str, object]) -> tuple[LiveServer, BaseWSGIServer, threading.Thread]:
    app = create_app(dict(config))
    server = make_server(app, "127.0.0.1", 0, threads=8)
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    live = LiveServer(app, f"http://127.0.0.1:{server.effective_port}")
    return live, server, thread


def stop_server(live: LiveServer, server: BaseWSGIServer, thread: threading.Thread) -> None:
    """Stop the server's loop, its request threads and the app's query workers; fail if the loop runs on."""
    close_on_loop(server)
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
