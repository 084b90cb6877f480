"""Fixtures for the adversarial tests: a loopback canary, live servers over memory and on-disk stores, Virtuoso."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "graph"))

from adversary import Canary, LiveServer, listening_canary, start_live, stop_live


@pytest.fixture
def canary() -> Iterator[Canary]:
    with listening_canary() as watcher:
        yield watcher


@pytest.fixture
def serve() -> Iterator:
    """Start live servers (waitress in a thread) with the given settings; all stop after the test."""
    started: list[tuple[LiveServer, object, threading.Thread]] = []

    def start(config: Mapping[str, object]) -> LiveServer:
        started.append(start_live(config))
        return started[-1][0]

    yield start
    for live, server, thread in started:
        stop_live(live, server, thread)


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
