"""A file cut short between two of its chunks (a store error, Ctrl-C) leaves nothing of itself in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.errors import LoadStoppedError, StoreError
from detente.graph.store import open_store
from detente.loaders import load_paths, pipeline

HEADER = "claim,subject,predicate,object,source,publisher,published,quote,said_by,confidence\n"


def _claims(store) -> set[str]:
    return {str(row[0]) for row in store.query(
        "SELECT ?c WHERE { GRAPH <https://w3id.org/detente/id/graph/provenance> { ?c a dt:Claim } }").rows}


@pytest.mark.parametrize("stop", [StoreError("IO error: No space left on device"), KeyboardInterrupt()],
                         ids=["store-error", "ctrl-c"])
def test_a_file_cut_short_between_chunks_is_taken_back_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             stop: BaseException) -> None:
    from benchmarks.load_inputs import write_statements_csv

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "graph"))
    from summary_reference import expected, maintained

    first = tmp_path / "first.csv"
    first.write_text(HEADER + "c1,event:t1,hasParty,Ukraine,https://example.org/a,Example News,2025-03-12,q,,0.9\n",
                     encoding="utf-8")
    second = tmp_path / "second.csv"
    write_statements_csv(second, rows=200)
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    load_paths(store, [first])  # the store has claims: the next file is staged, then written chunk by chunk
    before = _claims(store)
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 7)
    writes = []
    original = pipeline.add_claims_nquads

    def failing(*args, **kwargs):
        writes.append(1)
        if len(writes) == 3:
            raise stop
        return original(*args, **kwargs)

    monkeypatch.setattr(pipeline, "add_claims_nquads", failing)
    with pytest.raises(StoreError if isinstance(stop, StoreError) else LoadStoppedError) as raised:
        load_paths(store, [second])
    assert "claim(s) were removed" in str(raised.value)
    assert len(writes) == 3  # two chunks were written before the third failed
    assert _claims(store) == before
    assert not (tmp_path / "store" / pipeline.JOURNAL_NAME).exists()
    assert maintained(store) == expected(store)
    monkeypatch.setattr(pipeline, "add_claims_nquads", original)
    report, = load_paths(store, [second])  # loaded again, whole
    assert report.new_claims == report.claims


def test_a_write_whose_summary_change_was_not_read_leaves_no_summary_that_looks_current(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C after a chunk went in but before its change to the summary was read: the summary is rebuilt."""
    from benchmarks.load_inputs import write_statements_csv
    from detente.graph import summary

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "graph"))
    from summary_reference import expected, maintained

    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    write_statements_csv(second, rows=200)
    # Other claims and sources about the same events and actors: the second file's ties add to the first's.
    first.write_text(second.read_text(encoding="utf-8").replace("\nc", "\nfirst-c").replace("/a/", "/b/"),
                     encoding="utf-8")
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    load_paths(store, [first])
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 7)
    calls = []
    original = summary.Tracker.done

    def interrupted(self):
        calls.append(1)
        change = original(self)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return change

    monkeypatch.setattr(summary.Tracker, "done", interrupted)
    with pytest.raises(LoadStoppedError):
        load_paths(store, [second])
    monkeypatch.setattr(summary.Tracker, "done", original)
    if summary.summary_state(store) != "current":
        summary.rebuild(store)
    assert maintained(store) == expected(store)


def test_a_later_file_of_a_fresh_import_cut_short_is_taken_back(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Its chunks go to the load's writer thread: the queued ones are dropped, the written ones removed."""
    from benchmarks.load_inputs import write_statements_csv
    from detente.graph import summary

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "graph"))
    from summary_reference import expected, maintained

    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    write_statements_csv(second, rows=200)
    first.write_text(second.read_text(encoding="utf-8").replace("\nc", "\nfirst-c").replace("/a/", "/b/"),
                     encoding="utf-8")
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 7)
    second_file_writes = []
    original = pipeline.import_nquads

    def interrupted(*args, **kwargs):
        if second_file_writes:  # armed when the second file began
            second_file_writes.append(1)
            if len(second_file_writes) == 4:  # its third chunk
                raise KeyboardInterrupt
        return original(*args, **kwargs)

    def progress(path: str, number: int, total: int) -> None:
        if number == 2:
            second_file_writes.append(0)

    monkeypatch.setattr(pipeline, "import_nquads", interrupted)
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    with pytest.raises(LoadStoppedError, match="claim\\(s\\) were removed"):
        load_paths(store, [first, second], progress=progress)
    monkeypatch.setattr(pipeline, "import_nquads", original)
    keys = {str(row[0]) for row in store.query(
        "SELECT ?k WHERE { GRAPH <https://w3id.org/detente/id/graph/provenance> { ?c a dt:Claim ; "
        "dct:identifier ?k } }").rows if not str(row[0]).startswith("wikidata-")}
    assert keys and all(key.startswith("first-") for key in keys)  # the first file whole, nothing of the second
    assert not (tmp_path / "store" / pipeline.JOURNAL_NAME).exists()
    if summary.summary_state(store) != "current":
        summary.rebuild(store)
    assert maintained(store) == expected(store)


def test_the_journal_of_a_later_file_never_lists_an_earlier_files_claims(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """recover() removes what an unfinished file's journal lists: never the claims of a file that finished."""
    from benchmarks.load_inputs import write_statements_csv

    first, more, second = tmp_path / "first.csv", tmp_path / "more.csv", tmp_path / "second.csv"
    write_statements_csv(first, rows=80)
    write_statements_csv(more, rows=200)
    other_rows = more.read_text(encoding="utf-8").replace("\nc", "\nmore-c").replace("/a/", "/m/").split("\n", 1)[1]
    second.write_text(first.read_text(encoding="utf-8") + other_rows, encoding="utf-8")  # the first file's claims too
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 7)
    listed: dict[str, set[str]] = {}
    original = pipeline.Journal.chunk

    def chunk(self, file: str, new_claims) -> None:
        new_claims = list(new_claims)
        listed.setdefault(file, set()).update(map(str, new_claims))
        original(self, file, new_claims)

    monkeypatch.setattr(pipeline.Journal, "chunk", chunk)
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    first_report, second_report = load_paths(store, [first, second])
    assert listed[str(first)] and not listed[str(first)] & listed[str(second)]
    assert second_report.new_claims == second_report.claims - first_report.claims


def test_a_ctrl_c_while_the_summary_is_written_says_every_file_is_loaded(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Late in a first import (its summary's records): the files are whole, the summary marked stale, then rebuilt."""
    from benchmarks.load_inputs import write_statements_csv
    from detente.graph import summary, summary_import, writes

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "graph"))
    from summary_reference import expected, maintained

    files = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for number, path in enumerate(files):
        write_statements_csv(path, rows=60 + number)

    def interrupted(self, target):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    # The import's own records, or (the files share claims here) the rebuild that replaces them.
    monkeypatch.setattr(summary_import.FreshImport, "_records", interrupted)
    monkeypatch.setattr(summary_import.FreshImport, "_rebuild", interrupted)
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    with pytest.raises(LoadStoppedError, match="after the last file was written: all 2 file"):
        load_paths(store, files)
    monkeypatch.undo()
    reference = open_store(f"oxigraph:{tmp_path / 'reference'}")
    load_paths(reference, files)
    assert _claims(store) == _claims(reference)
    assert summary.summary_state(store) == "stale"
    writes.refresh(store)
    assert maintained(store) == expected(store)


def test_a_ctrl_c_while_a_later_file_is_read_names_it_and_keeps_the_files_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "c1,event:t1,hasParty,Ukraine,https://example.org/a,Example News,2025-03-12,q,,0.9\n",
                     encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text(HEADER + "c2,event:t2,hasParty,Turkey,https://example.org/b,Example News,2025-03-13,q,,0.9\n",
                      encoding="utf-8")
    original = pipeline._check_units

    def interrupted(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if path == second:
            raise KeyboardInterrupt
        return original(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_check_units", interrupted)
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    with pytest.raises(LoadStoppedError, match=f"while loading {second}; the 1 file\\(s\\) before it are loaded"):
        load_paths(store, [first, second])
    monkeypatch.undo()
    reports = load_paths(store, [first, second])  # the same command again
    assert [r.new_claims for r in reports] == [0, 1]
