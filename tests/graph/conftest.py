"""Fixtures for graph tests: a private Virtuoso server, started once per session when a test asks for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import detente.loaders
from detente.graph.store import Store, open_store
from detente.loaders import load_paths

from virtuoso_server import VIRTUOSO_BINARY_NAMES, VirtuosoServer, find_binary, start_virtuoso


def _require_virtuoso() -> None:
    """Skip without Virtuoso, saying why (under CI, tests/conftest.py makes the skip a failure)."""
    if find_binary(VIRTUOSO_BINARY_NAMES) is None:
        pytest.skip("virtuoso-t is not installed (apt-get install virtuoso-opensource)")


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A Virtuoso on free 127.0.0.1 ports with a temporary database, stopped at the end of the session."""
    _require_virtuoso()
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_small_results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A second Virtuoso whose SPARQL endpoint returns at most 5 rows (``ResultSetMaxRows``)."""
    _require_virtuoso()
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-small"), buffers=5000, max_rows=5)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def demo_store() -> Store:
    """A memory store holding the bundled demo corpus (read it, do not write to it)."""
    store = open_store("memory:")
    load_paths(store, [Path(detente.loaders.__file__).resolve().parent / "demo"])
    return store
