"""A fresh import writes each distinct fact of a file once: the store holds what the plain chunks give.

Into a store without claims, the facts view's lines of a file's claims are left
out of its chunks and written once each after the claims, from the statements
the import's summary numbers (FreshImport.file_facts), instead of a line per
claim in every chunk. These tests load the same files
with that on and off and compare the stores' whole dumps and the reports.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from benchmarks.load_inputs import write_claims_jsonl, write_statements_csv
from detente.graph import summary_import
from detente.graph.bootstrap import ensure_ontology
from detente.graph.claims import Claim, Source, claims_nquads
from detente.graph.store import Store, open_store
from detente.graph.summary import summary_state
from detente.loaders import load_paths, pipeline
from detente.ontology.vocab import DT, DTR, ONTOLOGY_GRAPH, SUMMARY_GRAPH

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "graph"))
from summary_reference import as_literal_free, expected, maintained

pytestmark = pytest.mark.xdist_group("load-crash")


def _data(store: Store) -> set[str]:
    buffer = io.BytesIO()
    store.dump(buffer, "nquads")
    return {q for q in buffer.getvalue().decode("utf-8").splitlines()
            if f"<{ONTOLOGY_GRAPH}> ." not in q and f"<{SUMMARY_GRAPH}> ." not in q}  # (blank node labels)


def _fresh_store(folder: Path) -> Store:
    store = open_store(f"oxigraph:{folder}")
    ensure_ontology(store)
    return store


@pytest.mark.parametrize("overlap", [True, False], ids=["written-while-read", "checked-then-written"])
def test_facts_written_once_store_what_the_plain_chunks_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              overlap: bool) -> None:
    # Small chunks and few buckets: facts repeat across chunks and share buckets, entity texts come per file.
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 40)
    monkeypatch.setattr(summary_import, "BUCKETS", 3)
    if not overlap:
        monkeypatch.setattr(pipeline, "SAVE_POINT_QUADS", -1)
    staging = tmp_path / "staging"
    staging.mkdir()
    monkeypatch.setattr(pipeline.tempfile, "tempdir", str(staging))
    folder = tmp_path / "in"
    folder.mkdir()
    write_claims_jsonl(folder / "a.jsonl", claims=400)
    write_statements_csv(folder / "b.csv", rows=700)
    stores, reports = {}, {}
    for once in (True, False):
        monkeypatch.setattr(pipeline, "FACTS_ONCE", once)
        store = stores[once] = _fresh_store(tmp_path / f"store-{once}")
        reports[once] = [report.to_json() for report in load_paths(store, [folder])]
    assert _data(stores[True]) == _data(stores[False]), "the same quads"
    assert as_literal_free(maintained(stores[True])) == as_literal_free(maintained(stores[False])), "same summary"
    assert reports[True] == reports[False], "the same reports (quads counted as the plain text has them)"
    assert summary_state(stores[True]) == "current"
    assert as_literal_free(maintained(stores[True])) == as_literal_free(expected(stores[True]))
    assert not list(staging.glob("detente-load-*/*")), "the staged chunks and fact buckets are removed"


def test_claim_facts_left_out_are_the_facts_lines_of_the_text() -> None:
    source = Source.from_metadata(url="https://example.org/a")
    claims = [Claim(statements=[(DTR["event/e1"], DT.hasParty, DTR[f"state/{code}"])], source=source)
              for code in ("UKR", "RUS", "UKR")]
    plain = claims_nquads(claims, facts=None).splitlines(keepends=True)
    text = claims_nquads(claims, facts=None, claim_facts=False).splitlines(keepends=True)
    apart = [line for line in plain if line not in text]
    assert sorted(text + apart) == sorted(plain)
    assert len(apart) == 3 and all(line.endswith("> .\n") and line.count("<") == 3 for line in apart)
