"""Killing the server during an update leaves no process behind, and nothing commits afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from adversary import DEMO, DETENTE, TOKEN, start_serving

pytestmark = pytest.mark.slow  # starts real servers

ENDLESS = ("INSERT { <urn:test:marker> <urn:test:p> 'written' } WHERE "
           "{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }")


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (by parent links, read from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_during_update(process: subprocess.Popen[str], url: str, busy: callable) -> set[int]:  # type: ignore[valid-type]
    outcome: dict[str, object] = {}

    def send() -> None:
        try:
            outcome["response"] = requests.post(url + "/update", data={"update": ENDLESS},
                                                headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        except requests.RequestException as exc:
            outcome["error"] = exc

    before = descendants(process.pid)
    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 60
    while not busy(before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert busy(before), "the update never started"
    tree = descendants(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    sender.join(60)
    assert "error" in outcome, "the client must see the failure"
    deadline = time.monotonic() + 15
    while any(running(pid) for pid in tree) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = {pid for pid in tree if running(pid)}
    assert not left, f"processes left behind: {left}"
    return tree


def test_memory_server_killed_during_an_update_leaves_nothing_behind() -> None:
    process, url = start_serving(["demo", "--store", "memory:"])
    try:
        # An update runs in a child of the writer: one more process than before.
        tree = _kill_during_update(process, url, lambda before: len(descendants(process.pid)) > len(before))
        assert len(tree) >= 4  # sandbox root, writer, reader(s), the update's child
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_disk_server_killed_during_an_update_leaves_nothing_behind_and_commits_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    subprocess.run([DETENTE, "load", str(DEMO), "--store", f"oxigraph:{store}"], check=True, capture_output=True,
                   timeout=300)
    process, url = start_serving(["serve", "--store", f"oxigraph:{store}", "--workers", "1", "--timeout", "120"])
    try:
        candidates = tmp_path / "store.detente" / "candidates"
        _kill_during_update(process, url, lambda before: candidates.exists() and any(candidates.iterdir()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    time.sleep(3)  # long enough for an orphaned writer to have committed, were there one
    ask = subprocess.run([DETENTE, "query", "ASK { <urn:test:marker> ?p ?o }", "--store", f"oxigraph:{store}"],
                         capture_output=True, text=True, timeout=120)
    assert ask.returncode == 0, ask.stderr
    assert ask.stdout.strip() == "false"
    assert not (store / "detente-server.json").exists(), "the stale lock is removed by the next command"
