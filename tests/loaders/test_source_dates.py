"""One publication date per source (the shapes' sh:maxCount 1 on dct:issued), across chunks, files and loads."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from detente.graph.store import open_store
from detente.loaders import LoadError, load_paths, pipeline, source_dates as source_dates_module
from detente.loaders.source_dates import issued_bound

HEADER = "claim,subject,predicate,object,source,publisher,published,quote,said_by,confidence\n"
DATES = ("SELECT DISTINCT ?s ?d WHERE { GRAPH <https://w3id.org/detente/id/graph/provenance> { ?s dct:issued ?d } }")


def _row(claim: str, count: int, published: str, url: str = "https://a.example/1") -> str:
    return f"{claim},event:x,prisonerCount,{count},{url},Pub A,{published},q,,0.5\n"


def _table(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _dump(store) -> str:
    out = io.BytesIO()
    store.dump(out, "nquads")
    return out.getvalue().decode()


def _dates(store) -> set[str]:
    return {str(row[1]) for row in store.query(DATES).rows}


def test_the_bound_comes_from_the_shapes() -> None:
    bound = issued_bound()
    assert bound is not None and bound.name == "published" and bound.max_count == 1


@pytest.mark.parametrize("chunk", [5000, 1])
def test_a_second_date_in_the_same_file_is_refused_whatever_the_chunks(tmp_path: Path, chunk: int,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", chunk)
    path = _table(tmp_path / "one-url.csv", _row("c1", 12, "2020-01-01"), _row("c2", 13, "2020-01-02"))
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    before = _dump(store)
    with pytest.raises(LoadError) as caught:
        load_paths(store, [path])
    (reject,) = caught.value.rejects
    assert (reject.file, reject.line, reject.field) == (str(path), 3, "published")
    assert "https://a.example/1 is dated 2020-01-01 at line 2;" in reject.message
    assert "this record dates it 2020-01-02" in reject.message
    assert _dump(store) == before  # a bad file writes nothing


def test_the_same_date_again_and_a_source_without_a_date_are_no_conflict(tmp_path: Path) -> None:
    path = _table(tmp_path / "ok.csv", _row("c1", 12, "2020-01-01"), _row("c2", 13, "2020-01-01"),
                  _row("c3", 14, ""))
    store = open_store("memory:")
    (report,) = load_paths(store, [path])
    assert report.claims == 3 and not report.rejects
    assert _dates(store) == {"2020-01-01"}


def test_skip_invalid_loads_the_first_date_and_rejects_the_second(tmp_path: Path) -> None:
    path = _table(tmp_path / "one-url.csv", _row("c1", 12, "2020-01-01"), _row("c2", 13, "2020-01-02"),
                  _row("c3", 14, "2020-01-01"), _row("c4", 15, "2020-02-02", url="https://b.example/2"))
    rejects = tmp_path / "rejects.csv"
    store = open_store("memory:")
    (report,) = load_paths(store, [path], skip_invalid=True, rejects_path=rejects)
    assert (report.loaded, report.rejected, report.claims) == (3, 1, 3)
    with rejects.open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["line"], row["field"]) == ("3", "published") and "2020-01-02" in row["record"]
    assert _dates(store) == {"2020-01-01", "2020-02-02"}


def test_a_second_date_in_a_later_file_names_the_first_file(tmp_path: Path) -> None:
    first = _table(tmp_path / "a.csv", _row("c1", 12, "2020-01-01"))
    second = _table(tmp_path / "b.csv", _row("c2", 13, "2020-01-02"))
    for store in (open_store("memory:"), open_store(f"oxigraph:{tmp_path / 'fresh'}"), None):
        with pytest.raises(LoadError) as caught:
            load_paths(store, [first, second])
        (reject,) = caught.value.rejects
        assert (reject.file, reject.line) == (str(second), 2)
        assert f"dated 2020-01-01 at line 2 of {first};" in reject.message


def test_a_second_date_in_a_later_load_names_the_store(tmp_path: Path) -> None:
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    load_paths(store, [_table(tmp_path / "a.csv", _row("c1", 12, "2020-01-01"))])
    before = _dump(store)
    later = _table(tmp_path / "b.csv", _row("c2", 13, "2020-01-02"), _row("c3", 14, "2020-01-01"))
    with pytest.raises(LoadError) as caught:
        load_paths(store, [later])
    (reject,) = caught.value.rejects
    assert reject.line == 2 and "dated 2020-01-01 in the store;" in reject.message
    assert _dump(store) == before
    (report,) = load_paths(store, [later], skip_invalid=True, rejects_path=tmp_path / "rejects.csv")
    assert (report.loaded, report.rejected) == (1, 1)
    assert _dates(store) == {"2020-01-01"}


def test_a_store_holding_two_dates_accepts_either_and_refuses_a_third(tmp_path: Path) -> None:
    store = open_store("memory:")
    load_paths(store, [_table(tmp_path / "old.csv", _row("c1", 12, "2020-01-01"), _row("c2", 13, "2020-01-02"))],
               shacl=False)
    assert _dates(store) == {"2020-01-01", "2020-01-02"}
    path = _table(tmp_path / "new.csv", _row("c3", 14, "2020-01-02"), _row("c4", 15, "2020-01-03"))
    (report,) = load_paths(store, [path], skip_invalid=True, rejects_path=tmp_path / "rejects.csv")
    assert (report.loaded, report.rejected) == (1, 1)
    assert "dated 2020-01-01 and 2020-01-02 in the store;" in report.rejects[0].message


def test_claim_documents_are_checked_too(tmp_path: Path) -> None:
    """JSON Lines claim documents: the line of each document, the field 'published'."""
    def document(count: int, published: str) -> str:
        return json.dumps({"source": {"url": "https://a.example/1", "published": published},
                           "claims": [{"statements": [["event:x", "prisonerCount", count]]}]}) + "\n"

    path = tmp_path / "claims.jsonl"
    path.write_text(document(1, "2020-01-01") + document(2, "2020-01-01") + document(3, "2021-05-05"),
                    encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_paths(open_store("memory:"), [path])
    (reject,) = caught.value.rejects
    assert (reject.line, reject.field) == (3, "published") and "at line 1;" in reject.message


def _reference(earlier: dict[str, str], rows: list[tuple[str, str]]) -> list[bool]:
    """Which rows pass, the simple way: a dict of first dates; a rejected row teaches nothing."""
    first = dict(earlier)
    passed = []
    for url, day in rows:
        ok = day == "" or first.setdefault(url, day) == day
        passed.append(ok)
    return passed


@pytest.mark.parametrize("seed", range(6))
def test_the_check_agrees_with_a_dict_of_first_dates(tmp_path: Path, seed: int,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Merges into the index and batches of store questions (both made small here) change no verdict."""
    import random

    rng = random.Random(seed)
    monkeypatch.setattr(source_dates_module, "MERGE_SOURCES", rng.choice([1, 2, 7]))
    monkeypatch.setattr(source_dates_module, "BATCH_CLAIMS", rng.choice([1, 3, 50]))
    urls = [f"https://a.example/{i}" for i in range(12)]
    days = ["2020-01-01", "2020-01-02", "2021-06-30", ""]
    store = open_store("memory:")
    earlier: dict[str, str] = {}
    if seed % 2:  # a store that dates sources already: the batched questions
        old = [(url, rng.choice(days[:3])) for url in urls[:5]]
        load_paths(store, [_table(tmp_path / "old.csv", *(_row(f"o{i}", i, d, u) for i, (u, d) in enumerate(old)))])
        earlier = dict(old)
    rows = [(rng.choice(urls), rng.choice(days)) for _ in range(80)]
    path = _table(tmp_path / "new.csv", *(_row(f"c{i}", i, d, u) for i, (u, d) in enumerate(rows)))
    (report,) = load_paths(store, [path], skip_invalid=True, rejects_path=tmp_path / "rejects.csv")
    rejected_lines = {r.line for r in report.rejects}
    assert [line not in rejected_lines for line in range(2, 82)] == _reference(earlier, rows)


def test_a_file_read_again_from_its_start_forgets_what_its_first_reading_taught(tmp_path: Path) -> None:
    """Rows of one claim apart: the file is read again, sorted; its first reading's dates count for nothing."""
    path = _table(tmp_path / "apart.csv", _row("c1", 12, "2020-01-01"), _row("c2", 13, "2020-01-01"),
                  _row("c1", 14, "2020-01-01"))
    (report,) = load_paths(open_store("memory:"), [path])
    assert report.claims == 2 and not report.rejects


def test_unchecked_loads_keep_both_dates(tmp_path: Path) -> None:
    """``--no-shacl`` checks syntax and types only: the shapes' bound is not applied."""
    path = _table(tmp_path / "one-url.csv", _row("c1", 12, "2020-01-01"), _row("c2", 13, "2020-01-02"))
    store = open_store("memory:")
    load_paths(store, [path], shacl=False)
    assert _dates(store) == {"2020-01-01", "2020-01-02"}


def test_pyshacl_finds_the_same_second_date(tmp_path: Path) -> None:
    """The full check (pySHACL on the chunk) and the load's check report one source's second date alike."""
    path = _table(tmp_path / "one-url.csv", _row("c1", 12, "2020-01-01"), _row("c2", 13, "2020-01-02"))
    full = [r for report in load_paths(None, [path], shacl=False, full_shacl=True, skip_invalid=True)
            for r in report.rejects]
    compiled = [r for report in load_paths(None, [path], skip_invalid=True) for r in report.rejects]
    bound = issued_bound()
    assert bound is not None
    assert {r.field for r in full} == {r.field for r in compiled} == {"published"}
    assert all(bound.message in r.message for r in full + compiled)


def test_a_date_the_store_holds_as_other_text_is_compared_as_text(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A source dated by an xsd:dateTime (written by an update, say): no traceback when merged, a clear conflict."""
    monkeypatch.setattr(source_dates_module, "MERGE_SOURCES", 1)
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    load_paths(store, [_table(tmp_path / "a.csv", _row("c1", 12, "2025-03-12"))])
    store.update("DELETE { GRAPH ?g { ?s dct:issued ?d } } INSERT { GRAPH ?g { ?s dct:issued "
                 "'2025-03-12T10:00:00'^^xsd:dateTime } } WHERE { GRAPH ?g { ?s dct:issued ?d } }")
    later = _table(tmp_path / "b.csv", _row("c2", 13, "2025-03-12"), _row("c3", 14, "2025-01-01", "https://b.example/2"),
                   _row("c4", 15, "2025-01-02", "https://b.example/2"))
    (report,) = load_paths(store, [later], skip_invalid=True, rejects_path=tmp_path / "rejects.csv")
    assert [r.line for r in report.rejects] == [2, 4]
    assert "is dated 2025-03-12T10:00:00 in the store; this record dates it 2025-03-12" in report.rejects[0].message
