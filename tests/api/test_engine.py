"""The server's processes get the store from its ReaderSpec: no backend in the server, no secret on a command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from detente.api.engine import Engine
from detente.graph.location import StoreLocation


def test_the_server_side_imports_no_backend() -> None:
    code = ("import sys, detente.api.pool, detente.api.engine, detente.api.common, detente.api.client, "
            "detente.api.admin; "
            "backends = {'detente.graph.oxigraph_store', 'detente.graph.remote_store', 'pyoxigraph'}; "
            "assert not backends & set(sys.modules), sorted(backends & set(sys.modules))")
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})


def _command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_a_remote_store_password_stays_off_every_command_line() -> None:
    # Nothing listens at port 9: the engine starts without contacting the endpoint (its first task would).
    location = StoreLocation.parse("sparql+http://127.0.0.1:9/sparql?user=dba&password=canary-s3cret")
    engine = Engine(location)
    try:
        assert engine.mode == "remote" and engine.spec.location == location
        readers = engine.spawn_readers(1)
        pids = [*engine.pids()["root"], *engine.pids()["writer"], *(reader.pid for reader in readers)]
        assert len(pids) == 3 and all(pids)
        for pid in pids:
            assert "canary-s3cret" not in _command_line(pid)
        for reader in readers:
            reader.stop()
    finally:
        engine.close()
