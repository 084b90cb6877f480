"""Fixtures for the adversarial tests: a loopback canary, live servers over memory and on-disk stores, Virtuoso."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path

import pytest
from waitress import wasyncore

from detente.api.app import create_app
from detente.api.server import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "graph"))

from adversary import Canary, LiveServer, listening_canary


@pytest.fixture
def canary() -> Iterator[Canary]:
    with listening_canary() as watcher:
        yield watcher


@pytest.fixture
def serve() -> Iterator:
    """Start live servers (waitress in a thread) with the given settings; all stop after the test."""
    started: list[tuple[LiveServer, object, threading.Thread]] = []

    def start(config: Mapping[str, object]) -> LiveServer:
        app = create_app(dict(config))
        server = make_server(app, "127.0.0.1", 0, threads=8)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        live = LiveServer(app, f"http://127.0.0.1:{server.effective_port}")
        started.append((live, server, thread))
        return live

    yield start
    for live, server, thread in started:
        # Close the server's sockets on its loop's own thread (through its trigger, as tests/api do): closing
        # them from here races the loop's select(), which then fails on a closed descriptor (EBADF).
        sockets = server._map  # type: ignore[attr-defined]
        server.trigger.pull_trigger(partial(wasyncore.close_all, sockets))  # type: ignore[attr-defined]
        thread.join(10)
        server.task_dispatcher.shutdown(timeout=5)  # type: ignore[attr-defined]
        live.app.extensions["detente"].close()
        assert not thread.is_alive(), "the waitress loop did not stop"


def require_virtuoso() -> None:
    from virtuoso_server import VIRTUOSO_BINARY_NAMES, find_binary

    if find_binary(VIRTUOSO_BINARY_NAMES) is None:
        message = "virtuoso-t is not installed (apt-get install virtuoso-opensource)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {message}", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """A private Virtuoso whose anonymous SPARQL user may update (as tests/graph set it up)."""
    from virtuoso_server import start_virtuoso

    require_virtuoso()
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-security"))
    yield server
    server.stop()
