"""A fresh import's summary, made by the loader from the claims it stages, equals the reference recomputation.

Files naming states also write the states' Wikidata link claims with their entity descriptions (beside the
file's own claims): the summary counts them too, once however many files write them again.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest

from detente.errors import StoreError
from detente.graph import summary, summary_import, term_table
from detente.graph.store import open_store
from detente.loaders import load_paths

HEADER = "claim,subject,predicate,object,source,publisher,published,quote,said_by,confidence\n"


def _rows(claim: str, event: str, parties: tuple[str, ...], url: str, published: str) -> str:
    return "".join(f"{claim},{event},dt:hasParty,{party},{url},Example News,{published},They met.,,0.9\n"
                   for party in parties)


def test_a_fresh_load_of_two_files_gets_the_summary_a_recomputation_gives(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "graph"))
    from summary_reference import as_literal_free, expected, maintained

    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(HEADER + _rows("c1", "event:e1", ("state:UKR", "state:RUS"), "https://example.org/a",
                                    "2025-03-12")
                     + _rows("c2", "event:e1", ("state:UKR", "state:TUR"), "https://example.org/b", "2025-03-14"),
                     encoding="utf-8")
    second.write_text(HEADER + _rows("c3", "event:e2", ("state:RUS", "state:TUR"), "https://example.org/a",
                                     "2025-03-12"), encoding="utf-8")
    rebuilt: list[int] = []
    monkeypatch.setattr(summary, "rebuild", lambda *a, _r=summary.rebuild, **k: rebuilt.append(1) or _r(*a, **k))
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    load_paths(store, [first, second])
    links = store.query("SELECT ?c WHERE { GRAPH <https://w3id.org/detente/id/graph/provenance> { ?c a dt:Claim ; "
                        "dct:identifier ?k FILTER(STRSTARTS(?k, 'wikidata-')) } }").rows
    assert links, "the files' states should bring their Wikidata link claims"
    assert not rebuilt, "a fresh import's summary comes from the claims it stages, not from a rebuild"
    assert summary.summary_state(store) == "current"
    assert as_literal_free(maintained(store)) == as_literal_free(expected(store))
    store.close()


def test_a_full_disk_under_the_summary_s_term_file_is_a_store_error_and_stores_no_claim(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk under the summary's term file is the staging's store error (not a traceback).

    The fresh import's summary writes the terms' texts to a file while the file is read; no claim is stored.
    """
    path = tmp_path / "statements.csv"
    path.write_text(HEADER + _rows("c1", "event:e1", ("state:UKR", "state:RUS"), "https://example.org/a",
                                   "2025-03-12"), encoding="utf-8")

    calls = []

    def full(self: term_table.TermTable, *args: Any) -> Any:
        calls.append(args)
        if len(calls) > 1:  # the first numbers the role predicates, when the summary starts
            raise OSError(errno.ENOSPC, "No space left on device")
        return add(self, *args)

    add = term_table.TermTable._add
    monkeypatch.setattr(term_table.TermTable, "_add", full)
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    with pytest.raises(StoreError, match=r"cannot stage the load in .*No space left on device; nothing of this "
                                         r"write was committed"):
        load_paths(store, [path])
    assert not store.query("SELECT ?c WHERE { ?c a dt:Claim }").rows
    store.close()


def test_a_full_disk_while_the_second_file_is_read_keeps_the_first_and_its_summary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The term file fails part way through the second file: that file's store error, the first file stored."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "graph"))
    from test_term_table import FullDisk

    from summary_reference import as_literal_free, expected, maintained

    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(HEADER + _rows("c1", "event:e1", ("state:UKR", "state:RUS"), "https://example.org/a",
                                    "2025-03-12"), encoding="utf-8")
    second.write_text(HEADER + _rows("c2", "event:e2", ("state:RUS", "state:TUR"), "https://example.org/full",
                                     "2025-03-14"), encoding="utf-8")
    opened = term_table.TermTable.__init__

    def full_disk(self: term_table.TermTable, path: Path) -> None:
        opened(self, path)
        self._file = FullDisk(self._file, b"/event/e2>")  # type: ignore[assignment]

    monkeypatch.setattr(term_table.TermTable, "__init__", full_disk)
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    with pytest.raises(StoreError, match=r"No space left on device; nothing of this write was committed"):
        load_paths(store, [first, second])
    keys = {str(row[0]) for row in store.query("SELECT ?k WHERE { ?c a dt:Claim ; dct:identifier ?k }").rows}
    assert "c1" in keys and "c2" not in keys
    assert summary.summary_state(store) == "current"
    assert as_literal_free(maintained(store)) == as_literal_free(expected(store))
    store.close()


def test_a_full_disk_while_the_summary_is_made_leaves_it_to_a_rebuild(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "graph"))
    from summary_reference import as_literal_free, expected, maintained

    path = tmp_path / "statements.csv"
    path.write_text(HEADER + _rows("c1", "event:e1", ("state:UKR", "state:RUS", "state:TUR"),
                                   "https://example.org/a", "2025-03-12"), encoding="utf-8")

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(summary_import._Ties, "_write_pair_sources", full)
    rebuilt: list[int] = []
    monkeypatch.setattr(summary, "rebuild", lambda *a, _r=summary.rebuild, **k: rebuilt.append(1) or _r(*a, **k))
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    load_paths(store, [path])
    assert rebuilt, "the summary the import could not make is rebuilt from the store"
    assert summary.summary_state(store) == "current"
    assert as_literal_free(maintained(store)) == as_literal_free(expected(store))
    store.close()


@pytest.mark.parametrize("kind", ["memory", "disk"])
def test_a_later_load_naming_a_new_state_keeps_the_summary_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 kind: str) -> None:
    """The second file's entity text writes RUS's Wikidata link claim: the summary's update counts it."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "graph"))
    from summary_reference import expected, maintained

    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(HEADER + _rows("c1", "event:e1", ("state:UKR",), "https://example.org/1", "2020-01-01"),
                     encoding="utf-8")
    second.write_text(HEADER + _rows("c2", "event:e2", ("state:RUS",), "https://example.org/2", "2020-01-02"),
                      encoding="utf-8")
    store = open_store("memory:" if kind == "memory" else f"oxigraph:{tmp_path / 'store'}")
    load_paths(store, [first])
    load_paths(store, [second])  # into a store with claims: the summary is updated, not rebuilt
    assert summary.summary_state(store) == "current"
    assert maintained(store) == expected(store)
