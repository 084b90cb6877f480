"""The command line, driven through click's runner and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from detente.cli import demo_path, main


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DETENTE_STORE", f"oxigraph:{tmp_path / 'store'}")
    return CliRunner()


# States the demo corpus names; each brings its Wikidata link claim (see detente.loaders.wikidata).
DEMO_STATES = 10


def _ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output + str(result.exception)
    return result.output


def test_load_query_provenance_conflicts(runner: CliRunner) -> None:
    report = json.loads(_ok(runner.invoke(main, ["load", str(demo_path()), "--json"])))
    assert sum(r["new_claims"] for r in report) == 14
    again = json.loads(_ok(runner.invoke(main, ["load", str(demo_path()), "--json"])))
    assert sum(r["new_claims"] for r in again) == 0  # reloading adds nothing

    csv_out = _ok(runner.invoke(main, ["query", "--format", "csv",
                                       "SELECT ?n WHERE { ?a dt:prisonerCount ?n } ORDER BY ?n"]))
    assert csv_out.split() == ["n", "26", "300", "314"]
    table = _ok(runner.invoke(main, ["query", "SELECT ?n WHERE { ?a dt:prisonerCount ?n }"]))
    assert "314" in table

    prov = json.loads(_ok(runner.invoke(main, ["provenance", "-s", "agreement:ukr-rus-314-exchange",
                                               "-p", "prisonerCount", "-o", "314", "--format", "json"])))
    assert prov["sources"] == 2
    assert {c["source"]["publisher_label"] for c in prov["supporting"]} == {"Kyiv Independent", "Meridian Wire"}
    assert [c["source"]["publisher_label"] for c in prov["disagreeing"]] == ["Caspian Dispatch"]

    one = json.loads(_ok(runner.invoke(main, ["provenance", "ki-exchange-agreed", "--format", "json"])))
    assert one["said_by_label"] == "U.S. special envoy"

    conflicts = json.loads(_ok(runner.invoke(main, ["conflicts", "--format", "json"])))
    assert conflicts[0]["predicate"].endswith("#prisonerCount")
    assert sorted(conflicts[0]["values"]) == ["300", "314"]

    stats = json.loads(_ok(runner.invoke(main, ["stats", "--format", "json"])))
    assert stats["claims"] == 14 + DEMO_STATES  # the corpus, and one Wikidata link per state it names


def test_provenance_of_unknown_things(runner: CliRunner) -> None:
    _ok(runner.invoke(main, ["load", str(demo_path())]))
    assert runner.invoke(main, ["provenance", "nope"]).exit_code == 1
    result = runner.invoke(main, ["provenance", "-s", "Atlantis"])
    assert result.exit_code == 2 and "unknown entity" in result.output


def test_bad_input_names_file_line_field_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("claim,subject,predicate,object,source\n"
                   "c1,event:x,hasParty,Ukraine,https://example.org/a\n"
                   "c2,event:x,prisonerCount,many,https://example.org/a\n")
    result = runner.invoke(main, ["load", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: field 'object'" in result.output
    count = runner.invoke(main, ["query", "--format", "csv", "SELECT (COUNT(*) AS ?n) WHERE { ?c a dt:Claim }"])
    assert _ok(count).split() == ["n", "0"]

    rejects = tmp_path / "rejects.csv"
    _ok(runner.invoke(main, ["load", str(bad), "--skip-invalid", "--rejects", str(rejects)]))
    assert "many" in rejects.read_text()
    count = runner.invoke(main, ["query", "--format", "csv", "SELECT (COUNT(*) AS ?n) WHERE { ?c a dt:Claim }"])
    assert _ok(count).split() == ["n", "2"]  # the good row, and Ukraine's Wikidata link


def test_validate_exit_codes(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(main, ["validate", str(demo_path())]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: {url: 'https://example.org/x'}\nclaims:\n  - confidence: 2\n    statements:\n"
                   "      - [event:x, a, dt:Talks]\n")
    result = runner.invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: field 'claims[0].confidence'" in result.output


def test_query_syntax_error_exit_code(runner: CliRunner) -> None:
    result = runner.invoke(main, ["query", "SELEC ?x"])
    assert result.exit_code == 2 and "syntax" in result.output.lower()


def test_dump_and_restore(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _ok(runner.invoke(main, ["load", str(demo_path())]))
    dump = tmp_path / "dump.nq"
    _ok(runner.invoke(main, ["dump", "-o", str(dump)]))
    other = f"oxigraph:{tmp_path / 'other'}"
    _ok(runner.invoke(main, ["restore", str(dump), "--store", other]))
    stats = json.loads(_ok(runner.invoke(main, ["stats", "--format", "json", "--store", other])))
    assert stats["claims"] == 14 + DEMO_STATES


def test_ontology_export(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "o.ttl"
    _ok(runner.invoke(main, ["ontology", "export", "-o", str(target)]))
    assert "dt:PrisonerExchange" in target.read_text() or "#PrisonerExchange" in target.read_text()


def test_installed_console_command_runs() -> None:
    exe = Path(sys.executable).with_name("detente")
    result = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for command in ("load", "validate", "query", "provenance", "conflicts", "stats", "dump", "restore",
                    "ontology", "demo", "serve"):
        assert command in result.stdout


@pytest.mark.slow
def test_ontology_check_consistent_demo_and_inconsistent_input(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["ontology", "check", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["consistent"] is True
    assert len(body["set_aside_conflicts"]) == 1  # 314 vs 300 is a dispute, not an inconsistency
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix dt: <https://w3id.org/detente/ontology#> .\n"
                   "<https://w3id.org/detente/id/actor/x> a dt:State, dt:Person .\n")
    result = runner.invoke(main, ["ontology", "check", str(bad)])
    assert result.exit_code == 1
    assert "disjoint" in result.output


def test_analyze_and_export(runner: CliRunner, tmp_path: Path) -> None:
    _ok(runner.invoke(main, ["load", str(demo_path())]))
    brokers = json.loads(_ok(runner.invoke(main, ["analyze", "brokers", "--format", "json"])))
    assert "Turkey" in json.dumps(brokers)
    path = json.loads(_ok(runner.invoke(main, ["analyze", "path", "--actor", "Russia", "--to", "United States",
                                               "--format", "json"])))
    assert path["found"] is True and path["length"] == 1  # the Ankara exchange links them directly
    misplaced = runner.invoke(main, ["analyze", "centrality", "--to", "Ukraine"])
    assert misplaced.exit_code == 2 and "does not take --to" in misplaced.output
    target = tmp_path / "net.graphml"
    _ok(runner.invoke(main, ["export", "graphml", "-o", str(target)]))
    import networkx as nx

    graph = nx.read_graphml(target)
    labels = {data.get("label") for _, data in graph.nodes(data=True)}
    assert {"Ukraine", "Russia", "Turkey"} <= labels


def test_validate_resolves_names_against_a_store(runner: CliRunner, tmp_path: Path) -> None:
    _ok(runner.invoke(main, ["load", str(demo_path())]))
    doc = tmp_path / "claims.yaml"
    doc.write_text("source: {url: 'https://example.org/y', publisher: Example}\nclaims:\n"
                   "  - statements:\n      - [Saudi talks, mediatedBy, United States]\n")
    assert runner.invoke(main, ["validate", str(doc)]).exit_code == 1  # 'Saudi talks' is the store's alias
    store = f"oxigraph:{tmp_path / 'store'}"
    assert runner.invoke(main, ["validate", str(doc), "--store", store]).exit_code == 0
    missing = runner.invoke(main, ["validate", str(doc), "--store", f"oxigraph:{tmp_path / 'none'}"])
    assert missing.exit_code == 2 and "no store at" in missing.output
    assert not (tmp_path / "none").exists()  # validate writes nothing, not even an empty store


def test_validate_checks_source_dates_against_a_store(runner: CliRunner, tmp_path: Path) -> None:
    """What ``load`` would refuse, ``validate --store`` reports: a source the store dates given another date."""
    _ok(runner.invoke(main, ["load", str(demo_path())]))
    doc = tmp_path / "claims.yaml"
    doc.write_text("source: {url: 'https://example.org/detente-demo/harbour-gazette/pretoria-truce', "
                   "published: 2022-11-03}\nclaims:\n  - statements:\n      - [event:x, hasParty, Ethiopia]\n")
    assert runner.invoke(main, ["validate", str(doc)]).exit_code == 0
    checked = runner.invoke(main, ["validate", str(doc), "--store", f"oxigraph:{tmp_path / 'store'}"])
    assert checked.exit_code == 1 and "is dated 2022-11-02 in the store" in checked.output


def test_conflicts_pages(runner: CliRunner) -> None:
    _ok(runner.invoke(main, ["load", str(demo_path())]))
    first = json.loads(_ok(runner.invoke(main, ["conflicts", "--format", "json", "--limit", "1"])))
    assert len(first) == 1 and first[0]["predicate"].endswith("#prisonerCount")
    past = runner.invoke(main, ["conflicts", "--offset", "1"])
    assert past.exit_code == 0 and "no conflicts from 2 on (of 1)" in past.output
    assert runner.invoke(main, ["conflicts", "--limit", "0"]).exit_code == 2


def test_a_query_past_the_engines_bounds_is_refused_not_a_crash(runner: CliRunner) -> None:
    # 10,000 UNION branches overflow the engine's recursion on an 8 MiB stack (a segfault, exit 139, no
    # message): the CLI refuses it as the endpoint does, with a message and the usage exit code.
    branches = " UNION ".join(f"{{ ?s ?p {n} }}" for n in range(10_000))
    result = runner.invoke(main, ["query", f"SELECT * WHERE {{ {branches} }}"])
    assert result.exit_code == 2, result.output
    assert "9999 UNION/OPTIONAL/MINUS operators" in result.output and "use VALUES" in result.output
