"""One writer per on-disk store, end to end: a real `detente serve`, and the command line going through it."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import threading
from pathlib import Path

import pytest
import requests

from adversary import DEMO, DETENTE, TOKEN, start_serving

pytestmark = pytest.mark.slow  # starts real servers, runs the command line

CLAIMS = ("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?c { ?s ?p ?o } ?c a dt:Claim }")


def detente(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([DETENTE, *args], capture_output=True, text=True, timeout=300)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def claims(url: str) -> int:
    response = requests.get(url + "/sparql", params={"query": CLAIMS},
                            headers={"Accept": "application/sparql-results+json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_the_command_line_goes_through_the_server_that_holds_the_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    uri = f"oxigraph:{store}"
    detente("load", str(DEMO / "entities.yaml"), str(DEMO / "pretoria.yaml"), "--store", uri)
    process, url = start_serving(["serve", "--store", uri, "--workers", "1"])
    try:
        lock_path = store / "detente-server.json"
        lock = json.loads(lock_path.read_text())
        assert stat.S_IMODE(lock_path.stat().st_mode) == 0o600
        assert lock["url"] == url and lock["pid"] == process.pid and len(lock["token"]) >= 32
        before = claims(url)

        loaded = detente("load", str(DEMO / "saudi-talks.yaml"), "--store", uri)
        assert "through the server" in loaded.stderr
        assert claims(url) > before, "readers see the load as soon as it is answered"

        refused = detente("load", str(DEMO / "black-sea-grain.yaml"), "--store", uri, "--no-server", check=False)
        assert refused.returncode == 2
        assert "held by a running detente server" in refused.stderr and url in refused.stderr

        middle = claims(url)
        detente("load", str(DEMO / "black-sea-grain.yaml"), "--server", url)
        assert claims(url) > middle

        # Updates while the command line loads: never a 500.
        statuses: list[int] = []

        def hammer() -> None:
            for i in range(15):
                statuses.append(requests.post(url + "/update", headers={"Authorization": f"Bearer {TOKEN}"},
                                              data={"update": f"INSERT DATA {{ <urn:test:u{i}> <urn:test:p> {i} }}"},
                                              timeout=120).status_code)

        threads = [threading.Thread(target=hammer)]
        threads[0].start()
        detente("load", str(DEMO / "ankara-exchange.csv"), "--store", uri)
        threads[0].join()
        assert statuses == [204] * 15

        # Reading commands read a snapshot of the committed version.
        assert detente("query", "ASK { <urn:test:u14> ?p ?o }", "--store", uri).stdout.strip() == "true"
        stats = json.loads(detente("stats", "--store", uri, "--format", "json").stdout)
        assert stats["claims"] == claims(url)
        dump = tmp_path / "dump.nq"
        detente("dump", "-o", str(dump), "--store", uri)
        held = detente("demo", "--store", uri, "--no-serve", check=False)
        assert held.returncode == 2 and "held by a running detente server" in held.stderr

        restored = detente("restore", str(dump), "--replace", "--store", uri)
        assert "through the server" in restored.stderr
        assert json.loads(detente("stats", "--store", uri, "--format", "json").stdout) == stats
        wrong_token = requests.post(url + "/admin/snapshots", headers={"Authorization": "Bearer nope"})
        assert wrong_token.status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        # Not a time check: Engine.close may wait up to about two minutes by design (10 s each for the writer and
        # the root, 60 s for the writer lock, 30 s for the steps thread), which a busy machine can need.
        process.wait(300)
    assert not lock_path.exists() and not (tmp_path / "store.detente").exists()
    assert json.loads(detente("stats", "--store", uri, "--format", "json").stdout) == stats
    detente("load", str(DEMO / "pretoria.yaml"), "--store", uri, "--no-server")


def test_a_stale_lock_does_not_hold_the_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    uri = f"oxigraph:{store}"
    detente("load", str(DEMO / "entities.yaml"), "--store", uri)
    process, _url = start_serving(["serve", "--store", uri, "--workers", "1"])
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert (store / "detente-server.json").exists()
    detente("load", str(DEMO / "saudi-talks.yaml"), "--store", uri, "--no-server")
    assert not (store / "detente-server.json").exists()
