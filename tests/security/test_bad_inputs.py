"""Bad input, through the real command line: a clear message, the documented exit code, no traceback, nothing lost.

The corpus is golden folders in the morph-KGC style, ``tests/golden/bad-inputs/<case>/``:
the input file(s) and ``expected.yaml``::

    why: what the case is, and what detente did with it before (issue 8)
    inputs: [input.csv]           # what the command is given (files or folders of the case)
    commands: [load, validate]    # each is run (validate writes nothing, so its store check is trivial)
    exit_code: 1                  # pySHACL's: 1 invalid data, 2 usage/store/lock error
    messages:                     # substrings of stderr: file:line: field 'x': message
      - "input.csv:3: field 'object': '1,2,3' is not a valid integer"
    store: unchanged              # or {added_claims: [c1]}: the dct:identifier of the claims a load adds

Each ``load`` runs against an on-disk store that already holds a claim (the
baseline), so "nothing already stored changed" is checked as the store's
whole N-Quads dump before and after. The commands run in the case folder's
copy, so messages name files as the user wrote them.

Inputs that cannot be committed (a 200 MB field, ``/dev/zero``, a FIFO, a
full disk) are made by the tests at the end of this module.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from detente.cli import main
from detente.graph.store import open_store

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "bad-inputs"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
DETENTE = str(Path(sys.executable).with_name("detente"))
BASELINE = ("claim,subject,predicate,object,source,publisher,published,quote,said_by,confidence\n"
            "baseline,event:t0,hasParty,Ukraine,https://example.org/baseline,Example News,2025-03-01,"
            "Talks were held.,,0.9\n")


def _expected(case: str) -> dict[str, object]:
    return yaml.safe_load((GOLDEN / case / "expected.yaml").read_text(encoding="utf-8"))


def _dump(uri: str) -> set[str]:
    buffer = io.BytesIO()
    open_store(uri).dump(buffer, "nquads")
    return set(buffer.getvalue().decode("utf-8").splitlines())


def _claim_keys(uri: str) -> set[str]:
    rows = open_store(uri, read_only=False).query("SELECT ?k WHERE { ?c a dt:Claim ; dct:identifier ?k }").rows
    return {str(row[0]) for row in rows}


@pytest.fixture
def baseline_store(tmp_path: Path) -> str:
    """An on-disk store holding one claim already."""
    uri = f"oxigraph:{tmp_path / 'store'}"
    (tmp_path / "baseline.csv").write_text(BASELINE, encoding="utf-8")
    result = CliRunner().invoke(main, ["load", str(tmp_path / "baseline.csv"), "--store", uri])
    assert result.exit_code == 0, result.output
    return uri


def _check_output(result_code: int, stderr: str, expected: dict[str, object]) -> None:
    assert result_code == expected["exit_code"], stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    for message in expected["messages"]:  # type: ignore[union-attr]
        assert message in stderr, f"{message!r} not in:\n{stderr}"


def test_every_case_is_complete() -> None:
    assert len(CASES) >= 30
    for case in CASES:
        expected = _expected(case)
        assert {"why", "inputs", "commands", "exit_code", "messages", "store"} <= set(expected), case
        assert expected["messages"] and expected["exit_code"] in (1, 2), case
        for name in expected["inputs"]:  # type: ignore[union-attr]
            assert (GOLDEN / case / name).exists(), (case, name)


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: str, tmp_path: Path, baseline_store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _expected(case)
    folder = tmp_path / case
    shutil.copytree(GOLDEN / case, folder)
    monkeypatch.chdir(folder)
    inputs = list(expected["inputs"])  # type: ignore[call-overload]
    before, claims_before = _dump(baseline_store), _claim_keys(baseline_store)
    for command in expected["commands"]:  # type: ignore[union-attr]
        store = ["--store", baseline_store] if command == "load" else []
        result = CliRunner().invoke(main, [command, *inputs, *store])
        _check_output(result.exit_code, result.stderr, expected)
        if expected["store"] == "unchanged" or command == "validate":
            assert _dump(baseline_store) == before, f"{command} changed the store"
        else:
            added = set(expected["store"]["added_claims"])  # type: ignore[index]
            assert _claim_keys(baseline_store) == claims_before | added
            assert before <= _dump(baseline_store), "a quad stored before is gone"


# -- inputs made here -----------------------------------------------------------------

def _run(args: list[str], cwd: Path, limit_file_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    """The installed ``detente`` in its own process (optionally with a file-size limit: a full disk)."""
    def limit() -> None:
        if limit_file_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

    return subprocess.run([DETENTE, *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          preexec_fn=limit, check=False)


@pytest.mark.parametrize("command", ["load", "validate"])
def test_devices_and_a_fifo_are_refused_without_reading(tmp_path: Path, baseline_store: str, command: str) -> None:
    fifo = tmp_path / "statements.csv"
    os.mkfifo(fifo)  # reading it would wait forever for a writer
    before = _dump(baseline_store)
    for path in (str(fifo), "/dev/zero", "/dev/urandom"):
        store = ["--store", baseline_store] if command == "load" else []
        result = CliRunner().invoke(main, [command, path, *store])
        _check_output(result.exit_code, result.stderr, {
            "exit_code": 1, "messages": [f"{path}: not a regular file (a device, FIFO or socket is never read)"]})
    assert _dump(baseline_store) == before


HEADER = "claim,subject,predicate,object,source,publisher,published,quote,said_by,confidence\n"
GOOD_ROW = "c{n},event:t{n},hasParty,Ukraine,https://example.org/a{n},Example News,2025-03-12,Talks began.,,0.9\n"
MB = 1 << 20


@pytest.mark.slow
def test_a_200_mb_file_with_a_bad_third_line_stops_there_in_bounded_memory(tmp_path: Path) -> None:
    """The file would be refused whole anyway: the load reads up to line 3, not 200 MB (was: 5 GB RSS)."""
    path = tmp_path / "statements.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER + GOOD_ROW.format(n=1))
        handle.write("c2,agreement:x,prisonerCount,many,https://example.org/b,,,,,\n")
        rows = "".join(GOOD_ROW.format(n=n) for n in range(3, 10_003))
        while handle.tell() < 200 * MB:
            handle.write(rows)
    store = f"oxigraph:{tmp_path / 'store'}"
    # A fresh process per run, measured by the peak RSS of its children (this test's only children here).
    probe = subprocess.run([sys.executable, "-c", _PEAK_PROBE, DETENTE, "load", str(path), "--store", store],
                           capture_output=True, text=True, timeout=600, check=False)
    code, peak_mb = (int(x) for x in probe.stdout.split()[-2:])
    _check_output(code, probe.stderr, {"exit_code": 1, "messages": [
        f"{path}:3: field 'object': 'many' is not a valid integer", "reading stopped at the first problem"]})
    assert peak_mb < 400, f"peak RSS {peak_mb} MB for a file refused at line 3"


# Runs a command and prints its exit code and its peak resident memory in MB (its stderr passes through).
_PEAK_PROBE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["quoted, with line breaks", "one line"])
def test_a_200_mb_csv_field_is_refused_at_once(tmp_path: Path, shape: str) -> None:
    path = tmp_path / "statements.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER + 'c1,event:t1,hasParty,Ukraine,https://example.org/a,Example News,2025-03-12,"')
        piece = "x" * 1023 + ("\n" if shape.startswith("quoted") else "x")
        for _ in range(200 * 1024):
            handle.write(piece)
        handle.write('",,0.9\n')
    expected = ("statements.csv:2: field larger than field limit (131072 characters) in the record starting on line 2"
                if shape.startswith("quoted") else "statements.csv:2: line 2 is longer than 4194304 characters")
    for command in ("load", "validate"):
        store = ["--store", f"oxigraph:{tmp_path / 'store'}"] if command == "load" else []
        done = _run([command, "statements.csv", *store], tmp_path)
        _check_output(done.returncode, done.stderr, {"exit_code": 1, "messages": [expected]})


def test_a_full_disk_is_a_store_error_and_changes_nothing(tmp_path: Path, baseline_store: str) -> None:
    """A write past the file-size limit fails as on a full disk (EFBIG instead of ENOSPC): exit 2, store intact."""
    path = tmp_path / "statements.csv"
    path.write_text(HEADER + "".join(GOOD_ROW.format(n=n).replace("Talks began.", "Talks began. " + "x" * 300)
                                     for n in range(1, 3001)), encoding="utf-8")
    before = _dump(baseline_store)
    open_store(baseline_store).release()  # this process lets go of the store for the child to open it
    done = _run(["load", str(path), "--no-shacl", "--store", baseline_store], tmp_path, limit_file_bytes=256 * 1024)
    _check_output(done.returncode, done.stderr, {"exit_code": 2, "messages": [
        # The load stages its checked chunks on disk before writing the store: whichever write fills the disk
        # first (staging or the store), the message says so and nothing is committed.
        "store error: cannot ", "File too large", "nothing of this write was committed"]})
    assert _dump(baseline_store) == before
