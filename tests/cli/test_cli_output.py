"""The command line in pipes and scripts: whole values as TSV when stdout is not a terminal, rich tables on one."""

from __future__ import annotations

import csv
import io
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from detente.cli import demo_path, main

DETENTE = str(Path(sys.executable).with_name("detente"))


def tsv(text: str) -> list[list[str]]:
    """Rows of TSV text (no quoting: values are escaped, never quoted)."""
    return list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture
def deep_demo(tmp_path: Path) -> Path:
    """The demo corpus under a folder path far longer than a terminal is wide."""
    folder = tmp_path / ("a-folder-with-a-name-long-enough-to-be-cut-at-eighty-columns-" * 2) / "demo"
    shutil.copytree(demo_path(), folder)
    return folder


@pytest.fixture
def store(tmp_path: Path) -> str:
    """An on-disk store holding the demo corpus."""
    uri = f"oxigraph:{tmp_path / 'store'}"
    result = CliRunner().invoke(main, ["load", str(demo_path()), "--store", uri])
    assert result.exit_code == 0, result.output
    return uri


def test_load_report_in_a_pipe_is_tsv_with_whole_paths(deep_demo: Path) -> None:
    result = CliRunner().invoke(main, ["load", str(deep_demo), "--store", "memory:"])
    assert result.exit_code == 0, result.output
    rows = tsv(result.stdout)
    assert rows[0] == ["file", "format", "records", "claims", "new", "quads", "loaded", "rejected"]
    files = {Path(row[0]).name: row for row in rows[1:]}
    assert set(files) == {p.name for p in deep_demo.iterdir() if p.suffix != ".md"}
    assert all(row[0] == str(deep_demo / name) for name, row in files.items())
    assert all(len(row) == 8 and row[2].isdigit() for row in rows[1:])
    assert all(int(row[2]) == int(row[6]) + int(row[7]) for row in rows[1:]), "records read = loaded + rejected"
    assert "…" not in result.stdout
    assert sum(int(row[4]) for row in rows[1:]) == 14


def test_analysis_tables_in_a_pipe_keep_numbers_whole(store: str) -> None:
    result = CliRunner().invoke(main, ["analyze", "centrality", "--store", store])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# Centrality (actors, ")
    rows = tsv("\n".join(lines[1:]))
    assert rows[0] == ["rank", "label", "type", "pagerank", "degree", "weighted degree", "betweenness", "eigenvector"]
    assert len(rows) > 5 and all(len(row) == 8 for row in rows)
    for row in rows[1:]:
        assert [float(cell) for cell in row[3:]]  # every number parses: none is broken across lines
    assert any("e-" in row[7] for row in rows[1:])  # the tiny eigenvector values (1.102e-08) stay on their line
    assert "…" not in result.stdout
    # Several tables: each with its title line, separated by nothing but those lines.
    brokers = CliRunner().invoke(main, ["analyze", "brokers", "--store", store]).stdout
    assert [line for line in brokers.splitlines() if line.startswith("# ")] == [
        line for line in brokers.splitlines() if line.startswith(("# Mediators", "# Actors by betweenness"))]
    assert len([line for line in brokers.splitlines() if line.startswith("# ")]) == 2


def test_query_stats_and_escaped_values_in_a_pipe(store: str) -> None:
    table = CliRunner().invoke(main, ["query", "--store", store,
                                      "SELECT ?a ?n WHERE { ?a dt:prisonerCount ?n } ORDER BY ?n"])
    assert tsv(table.stdout) == [["a", "n"], ["event:ankara-exchange-2024", "26"],
                                 ["agreement:ukr-rus-314-exchange", "300"], ["agreement:ukr-rus-314-exchange", "314"]]
    odd = CliRunner().invoke(main, ["query", "--store", store, 'SELECT ?x WHERE { BIND("a\\tb\\nc\\\\d" AS ?x) }'])
    assert odd.stdout == "x\na\\tb\\nc\\\\d\n"  # one row per line, whatever the value holds
    stats = dict(tsv(CliRunner().invoke(main, ["stats", "--store", store]).stdout)[1:])
    assert stats["claims"] == "24" and stats["dt:State"].isdigit()  # the corpus's 14, and its 10 states' Wikidata links


def test_the_chosen_format_is_kept_in_a_pipe(store: str) -> None:
    result = CliRunner().invoke(main, ["query", "--store", store, "--format", "csv",
                                       "SELECT ?n WHERE { ?a dt:prisonerCount ?n } ORDER BY ?n"])
    assert result.stdout.split() == ["n", "26", "300", "314"]


def test_piped_like_a_shell_does(deep_demo: Path) -> None:
    # detente load … | cat: stdout is a pipe, not the runner's capture.
    done = subprocess.run([DETENTE, "load", str(deep_demo), "--store", "memory:"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert tsv(done.stdout)[0][0] == "file" and str(deep_demo / "saudi-talks.yaml") in done.stdout
    assert "…" not in done.stdout


def test_a_terminal_gets_rich_tables(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    env.pop("FORCE_COLOR", None)
    process = subprocess.Popen([DETENTE, "stats", "--store", "memory:"], stdout=follower, stderr=subprocess.DEVNULL,
                               env=env, cwd=tmp_path)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the command ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(60) == 0
    shown = b"".join(chunks).decode()
    assert "┃" in shown or "│" in shown  # a drawn table, not TSV
    assert "what\tcount" not in shown
