"""A load killed in the middle of a file's chunked write: the next load removes what that file had written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from killed_load import kill_load_mid_write

from benchmarks.load_inputs import write_statements_csv
from detente.graph.store import open_store
from detente.graph.summary import summary_state
from detente.graph.writes import refresh
from detente.loaders import load_paths

pytestmark = pytest.mark.xdist_group("load-crash")

HEADER = "claim,subject,predicate,object,source,publisher,published,quote,said_by,confidence\n"


def _keys(store) -> set[str]:
    return {str(r[0]) for r in store.query(
        "SELECT ?k WHERE { GRAPH <https://w3id.org/detente/id/graph/provenance> { ?c a dt:Claim ; dct:identifier ?k } }"
    ).rows if not str(r[0]).startswith("wikidata-")}


def _quads(store) -> set[str]:
    """Everything but the summary (its nodes are blank; tests/graph/test_summary.py checks it is exact)."""
    refresh(store)
    assert summary_state(store) == "current"
    buffer = io.BytesIO()
    store.dump(buffer, "nquads")
    return {line for line in buffer.getvalue().decode().splitlines()
            if "/id/graph/summary>" not in line and "/id/graph/ontology>" not in line}  # the CLI adds the ontology


@pytest.mark.parametrize("fresh", [True, False], ids=["fresh-bulk-import", "transactional-chunks"])
def test_a_load_killed_mid_write_is_undone_by_the_next_load(tmp_path: Path, fresh: bool) -> None:
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "k1,event:t1,hasParty,Ukraine,https://example.org/a,Example News,2025-03-12,,,0.9\n",
                     encoding="utf-8")
    big = tmp_path / "big.csv"
    write_statements_csv(big, rows=4000)
    folder = tmp_path / "store"
    if not fresh:
        store = open_store(f"oxigraph:{folder}")
        load_paths(store, [first])
        store.release()
    journal = kill_load_mid_write(big, folder, tmp_path)
    assert journal.exists(), "the kill left the journal of the unfinished file"

    store = open_store(f"oxigraph:{folder}")
    written = _keys(store) - {"k1"}
    total = {line.split(",", 1)[0] for line in big.read_text(encoding="utf-8").splitlines()[1:]}
    assert written and written < total, "some chunks of the big file, not all, were written before the kill"
    notices: list[str] = []
    load_paths(store, [first], notices=notices)
    notice, = notices
    assert str(big) in notice and "load the file again" in notice
    assert _keys(store) == {"k1"}, "nothing of the unfinished file is left, and the first file stays"
    assert not journal.exists()
    load_paths(store, [big])
    recovered = _quads(store)
    store.release()

    clean = open_store(f"oxigraph:{tmp_path / 'clean'}")
    load_paths(clean, [first])
    load_paths(clean, [big])
    assert recovered == _quads(clean), "after recovery and a reload the store is what two clean loads make"
