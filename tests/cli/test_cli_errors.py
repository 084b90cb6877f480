"""Real commands fail with their error's exit code and one clear message, never a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from detente.cli import demo_path, main

DETENTE = str(Path(sys.executable).with_name("detente"))


@pytest.fixture
def store(tmp_path: Path) -> str:
    uri = f"oxigraph:{tmp_path / 'store'}"
    assert CliRunner().invoke(main, ["load", str(demo_path()), "--store", uri]).exit_code == 0
    return uri


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port some other program listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def _fails(args: list[str], code: int, *words: str) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output
    return result.output


@pytest.mark.parametrize(("args", "code", "words"), [
    (["query", "SELEC ?x"], 2, ["query syntax error:"]),
    (["query", "--format", "turtle", "SELECT * WHERE { ?s ?p ?o }"], 2, ["not acceptable error:", "cannot hold"]),
    (["provenance", "no-such-claim"], 1, ["not found error:", "no-such-claim"]),
    (["analyze", "ego", "--actor", "Atlantis"], 2, ["usage error:", "Atlantis"]),
    (["analyze", "centrality", "--start", "2025", "--end", "2020"], 2, ["usage error:", "after"]),
    (["export", "graphml", "-o", "-", "--publisher", "Nowhere Times"], 2, ["usage error:", "Nowhere Times"]),
])
def test_errors_exit_with_their_class_code(store: str, args: list[str], code: int, words: list[str]) -> None:
    _fails([*args, "--store", store], code, *words)


def test_invalid_input_exits_1_listing_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("claim,subject,predicate,object,source\n"
                   "c1,event:x,prisonerCount,many,https://example.org/a\n")
    output = _fails(["load", str(bad), "--store", "memory:"], 1, "nothing of this file was written",
                    f"{bad}:2: field 'object'")
    assert "'many' is not a valid integer" in output


def test_a_bad_store_uri_exits_2() -> None:
    _fails(["stats", "--store", "nosuch://x"], 2, "store error:", "unknown store URI")


def test_a_store_another_process_writes_exits_2(tmp_path: Path) -> None:
    # Made and held by other processes: this one opens an on-disk store once and keeps it.
    store = f"oxigraph:{tmp_path / 'held'}"
    subprocess.run([DETENTE, "load", str(demo_path()), "--store", store], capture_output=True, check=True)
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys\nfrom detente.graph.store import open_store\n"
                               f"store = open_store({store!r})\nprint('open', flush=True)\nsys.stdin.read()\n"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        _fails(["stats", "--store", store], 2, "store locked error:", "another process")
        _fails(["load", str(demo_path()), "--store", store], 2, "store locked error:")
    finally:
        holder.communicate("", timeout=60)
    freed = subprocess.run([DETENTE, "stats", "--store", store], capture_output=True, check=False)
    assert freed.returncode == 0  # free again once the other process is gone


def test_serve_on_a_busy_port_prints_one_line(busy_port: int) -> None:
    done = subprocess.run([DETENTE, "serve", "--store", "memory:", "--workers", "1", "--port", str(busy_port)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{busy_port}" in lines[0] and "in use" in lines[0], done.stderr
    assert done.stdout == ""


def test_demo_on_a_busy_port_prints_one_line(busy_port: int) -> None:
    result = CliRunner().invoke(main, ["demo", "--port", str(busy_port)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "cannot listen on" in errors[0]
