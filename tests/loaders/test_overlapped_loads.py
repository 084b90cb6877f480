"""A fresh import written while it is read: a bad record after written chunks leaves the store as it was.

Into an on-disk store without claims, ``load_paths`` writes each checked chunk
(Oxigraph's bulk loader, on the loader's writer thread) while the rest of the
file is still read, and takes the file back whole when it fails (pipeline._WhileRead).
These tests make sure chunks really are in the store before the bad record is
read (the ``rows`` callback waits for them), then compare the store's whole
dump before and after.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.load_inputs import write_claims_jsonl, write_statements_csv
from detente.errors import StoreError
from detente.graph.bootstrap import ensure_ontology
from detente.graph.store import Store, open_store
from detente.graph.summary import summary_state
from detente.loaders import LoadError, load_paths, pipeline
from detente.ontology.vocab import ONTOLOGY_GRAPH, SUMMARY_GRAPH

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "graph"))
from killed_load import kill_load_mid_write

from summary_reference import as_literal_free, expected, maintained

pytestmark = pytest.mark.xdist_group("load-crash")

CLAIMS = "SELECT ?c WHERE { GRAPH <https://w3id.org/detente/id/graph/provenance> { ?c a dt:Claim } }"


def _dump(store: Store) -> set[str]:
    buffer = io.BytesIO()
    store.dump(buffer, "nquads")
    return set(buffer.getvalue().decode("utf-8").splitlines())


def _fresh_store(folder: Path) -> Store:
    """An on-disk store as ``detente load`` opens it: the ontology graph (with blank nodes), no claims."""
    store = open_store(f"oxigraph:{folder}")
    ensure_ontology(store)
    return store


def _bad_file(tmp_path: Path, kind: str) -> tuple[Path, int]:
    """Over 1,000 good records (the `rows` callback is first called at 1,000), then a bad one (its line returned)."""
    if kind == "jsonl":
        path = tmp_path / "claims.jsonl"
        write_claims_jsonl(path, claims=1100)
        bad = {"source": {"url": "https://example.org/bad", "publisher": "Example News", "published": "2025-03-12"},
               "claims": [{"key": "bad", "statements": [["event:t1", "dt:prisonerCount", "many"]]}]}
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(bad) + "\n")
        return path, 1101
    path = tmp_path / "statements.csv"
    rows = write_statements_csv(path, rows=2000)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("bad,event:t1,prisonerCount,many,https://example.org/bad,Example News,2025-03-12,,,0.9\n")
    return path, rows + 2


def _wait_for_claims(store: Store) -> Callable[[int], None]:
    """A ``rows`` callback that holds the reading until the writer has put some claims in the store."""
    def rows(_read: int) -> None:
        deadline = time.monotonic() + 120
        while not store.query(CLAIMS).rows:
            assert time.monotonic() < deadline, "no chunk was written while the file was read"
            time.sleep(0.01)
    return rows


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_a_bad_record_after_written_chunks_leaves_the_store_as_it_was(tmp_path: Path, kind: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 50)
    path, bad_line = _bad_file(tmp_path, kind)
    store = _fresh_store(tmp_path / "store")
    before = _dump(store)
    with pytest.raises(LoadError) as info:
        load_paths(store, [path], rows=_wait_for_claims(store))
    reject, = info.value.rejects
    assert reject.line == bad_line
    assert _dump(store) == before, "the store is what it was before the file, blank node labels and all"
    assert not (tmp_path / "store" / pipeline.JOURNAL_NAME).exists()
    assert not (tmp_path / "store" / pipeline.BEFORE_NAME).exists()


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_skip_invalid_writes_what_the_staged_load_writes(tmp_path: Path, kind: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = _bad_file(tmp_path, kind)
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 50)
    with monkeypatch.context() as staged_only:
        staged_only.setattr(pipeline, "SAVE_POINT_QUADS", -1)  # no overlap: checked first, then written
        staged = _fresh_store(tmp_path / "staged")
        expected, = load_paths(staged, [path], skip_invalid=True)
    store = _fresh_store(tmp_path / "store")
    report, = load_paths(store, [path], skip_invalid=True, rows=_wait_for_claims(store))
    assert report.records == report.loaded + report.rejected
    assert (report.records, report.loaded, report.rejected, report.claims, report.new_claims) == \
        (expected.records, expected.loaded, expected.rejected, expected.claims, expected.new_claims)
    assert report.rejected >= 1
    data = {q for q in _dump(store) if f"<{SUMMARY_GRAPH}> ." not in q and f"<{ONTOLOGY_GRAPH}> ." not in q}
    assert data == {q for q in _dump(staged) if f"<{SUMMARY_GRAPH}> ." not in q and f"<{ONTOLOGY_GRAPH}> ." not in q}
    assert summary_state(store) == "current"
    assert as_literal_free(maintained(store)) == as_literal_free(maintained(staged)), "the same summary"


def test_a_file_written_while_read_and_killed_is_put_back_by_the_next_load(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    store = _fresh_store(folder)
    before = _dump(store)
    store.release()
    big = tmp_path / "big.csv"
    write_statements_csv(big, rows=4000)
    journal = kill_load_mid_write(big, folder, tmp_path)
    assert json.loads(journal.read_text(encoding="utf-8").splitlines()[0])["before"], "the save point came first"

    store = open_store(f"oxigraph:{folder}")
    assert store.query(CLAIMS).rows, "chunks were written before the kill"
    notices = pipeline.recover(store)
    assert len(notices) == 1 and str(big) in notices[0] and "load the file again" in notices[0]
    assert _dump(store) == before, "sources and entity descriptions of the killed file are gone too"
    assert not journal.exists() and not (folder / pipeline.BEFORE_NAME).exists()


def test_a_file_that_could_not_be_taken_back_keeps_its_journal_for_the_next_load(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 50)
    path, _ = _bad_file(tmp_path, "csv")
    store = _fresh_store(tmp_path / "store")
    before = _dump(store)

    def failing_reset(nquads: Path) -> None:
        raise StoreError(f"cannot write to the store: disk full (putting back {nquads})")

    with monkeypatch.context() as failing:
        failing.setattr(store, "reset", failing_reset)  # the engine fails, as on a full disk
        with pytest.raises(StoreError):
            load_paths(store, [path], rows=_wait_for_claims(store))
    assert store.query(CLAIMS).rows, "the file's first chunks are still in the store"
    assert (tmp_path / "store" / pipeline.JOURNAL_NAME).exists()
    notices = pipeline.recover(store)
    assert len(notices) == 1 and "load the file again" in notices[0]
    assert _dump(store) == before


def test_a_fresh_import_of_several_files_gets_the_summary_a_recomputation_gives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # States' Wikidata ids are claims the entity text writes with every file: the summary counts each once.
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 50)
    folder = tmp_path / "in"
    folder.mkdir()
    write_claims_jsonl(folder / "a.jsonl", claims=300)
    write_statements_csv(folder / "b.csv", rows=400)
    store = _fresh_store(tmp_path / "store")
    load_paths(store, [folder])
    assert summary_state(store) == "current"
    assert as_literal_free(maintained(store)) == as_literal_free(expected(store))


def test_rows_of_a_claim_found_apart_after_written_chunks_are_read_again_from_a_store_put_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The streaming reader meets a claim's row far from its others (RestartFile): what it wrote held partial
    # claims, so the store is put back and the file read again, sorted.
    path = tmp_path / "statements.csv"
    write_statements_csv(path, rows=1200)
    with path.open(newline="", encoding="utf-8") as handle:
        first = next(row for row in csv.DictReader(handle))
    with path.open("a", newline="", encoding="utf-8") as handle:  # one more party of the first claim, at the end
        csv.DictWriter(handle, fieldnames=list(first)).writerow({**first, "predicate": "dt:hasParty",
                                                                  "object": "state:UKR"})
    staged = open_store("memory:")
    expected_report, = load_paths(staged, [path])
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 50)
    store = _fresh_store(tmp_path / "store")
    report, = load_paths(store, [path], rows=_wait_for_claims(store))
    assert (report.records, report.claims, report.new_claims) == \
        (expected_report.records, expected_report.claims, expected_report.new_claims)
    data = {q for q in _dump(store) if f"<{SUMMARY_GRAPH}> ." not in q and f"<{ONTOLOGY_GRAPH}> ." not in q}
    assert data == {q for q in _dump(staged) if f"<{SUMMARY_GRAPH}> ." not in q}
    assert as_literal_free(maintained(store)) == as_literal_free(expected(store))


def test_a_writer_slower_than_the_reading_holds_the_reading_back(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """At most WRITER_BACKLOG writes wait, so the chunks in flight are bounded whatever the file's size."""
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 20)
    monkeypatch.setattr(pipeline, "WRITER_BACKLOG", 6)
    path = tmp_path / "claims.jsonl"
    write_claims_jsonl(path, claims=1000)
    unhurried = _fresh_store(tmp_path / "unhurried")
    load_paths(unhurried, [path])
    store = _fresh_store(tmp_path / "store")
    bulk_add_nquads = store.bulk_add_nquads  # type: ignore[attr-defined]

    def slow_bulk_add(text: str | bytes) -> None:
        time.sleep(0.02)
        bulk_add_nquads(text)
    monkeypatch.setattr(store, "bulk_add_nquads", slow_bulk_add)
    waiting: list[int] = []
    submit = pipeline._Writer.submit

    def counted_submit(self: pipeline._Writer, task: Callable[[], object]) -> None:
        submit(self, task)
        waiting.append(self.tasks.qsize())
    monkeypatch.setattr(pipeline._Writer, "submit", counted_submit)
    report, = load_paths(store, [path])
    assert max(waiting) == pipeline.WRITER_BACKLOG, "the reading got ahead of the writer and was held"
    assert report.new_claims == 1000
    assert set(store.query(CLAIMS).rows) == set(unhurried.query(CLAIMS).rows)
    assert summary_state(store) == "current"


def test_a_later_file_of_a_fresh_import_counts_only_the_claims_it_adds(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    first, copy = tmp_path / "first.jsonl", tmp_path / "copy.jsonl"
    write_claims_jsonl(first, claims=60)
    copy.write_bytes(first.read_bytes())
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 7)
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    reports = load_paths(store, [first, copy])
    assert [r.new_claims for r in reports] == [60, 0]
    assert summary_state(store) == "current"
