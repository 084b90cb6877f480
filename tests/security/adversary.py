"""What the adversarial tests share: the demo corpus in a store, a loopback canary, a live server record."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

import detente.loaders
from detente.graph.bootstrap import ensure_ontology
from detente.graph.store import Store, open_store
from detente.loaders import load_paths

DEMO = Path(detente.loaders.__file__).parent / "demo"
TOKEN = "security-test-token"


def demo_store() -> Store:
    """A fresh ``memory:`` store holding the bundled demo corpus."""
    store = open_store("memory:")
    ensure_ontology(store)
    load_paths(store, [DEMO])
    return store


def fill_disk_store(path: Path) -> str:
    """An on-disk store holding the demo corpus, written by another process (as `detente load` would)."""
    import textwrap

    subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        from pathlib import Path
        from detente.graph.bootstrap import ensure_ontology
        from detente.graph.store import open_store
        from detente.loaders import load_paths
        store = open_store("oxigraph:{path}")
        ensure_ontology(store)
        load_paths(store, [Path({str(DEMO)!r})])
        store.close()
    """)], check=True, timeout=300)
    return f"oxigraph:{path}"


@dataclass
class Canary:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    sock: socket.socket
    connections: list[bytes] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(1)
            try:
                self.connections.append(conn.recv(4096) or b"(connected)")
            except OSError:
                self.connections.append(b"(connected)")
            conn.close()


@contextmanager
def listening_canary() -> Iterator[Canary]:
    """A :class:`Canary` accepting on a thread for the duration of the block; closed after it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    watcher = Canary(sock)
    thread = threading.Thread(target=watcher._accept, daemon=True)
    thread.start()
    try:
        yield watcher
    finally:
        sock.close()
        thread.join(5)


@dataclass
class LiveServer:
    app: Flask
    url: str

    @property
    def pool(self):
        return self.app.extensions["detente"].pool


def start_live(config: Mapping[str, object]) -> tuple[LiveServer, Any, threading.Thread]:
    """Serve a detente app with ``config`` by waitress on 127.0.0.1 in a background thread."""
    from detente.api.app import create_app
    from detente.api.server import make_server

    app = create_app(dict(config))
    server = make_server(app, "127.0.0.1", 0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return LiveServer(app, f"http://127.0.0.1:{server.effective_port}"), server, thread


def stop_live(live: LiveServer, server: Any, thread: threading.Thread) -> None:
    """Stop a server of :func:`start_live`: its sockets, loop, request threads and the app's workers.

    The sockets are closed on the loop's own thread (:func:`live_waitress.close_on_loop`, as tests/api do).
    ``server.close()`` from another thread closes the trigger's pipe while the loop may be polling it, and a
    loop left running with kept-alive connections outlives the test.
    """
    from live_waitress import close_on_loop

    close_on_loop(server)
    thread.join(10)
    server.task_dispatcher.shutdown(timeout=5)
    live.app.extensions["detente"].close()
    assert not thread.is_alive(), "the waitress loop did not stop"


#: The installed command line of this environment.
DETENTE = str(Path(sys.executable).with_name("detente"))


def start_serving(args: list[str]) -> tuple[subprocess.Popen[str], str]:
    """Start a real `detente ARGS --port 0` (with the update token set); return it and its URL."""
    env = {**os.environ, "DETENTE_UPDATE_TOKEN": TOKEN}
    process = subprocess.Popen([DETENTE, *args, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=env)
    assert process.stdout is not None
    for line in process.stdout:
        if "serving on" in line:
            return process, line.split("serving on ")[1].split()[0].rstrip("/")
    raise AssertionError(f"the server did not start (exit {process.wait()})")
