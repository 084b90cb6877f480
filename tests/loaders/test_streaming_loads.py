"""Streaming validated loads: every row accounted for, early stops, folder loads, chunked writes equal one write."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from detente.graph.store import open_store
from detente.loaders import LoadError, load_paths, pipeline
from detente.loaders.base import LoadContext
from detente.loaders.registry import EntityRegistry
from detente.loaders.statements import parse_statements
from detente.loaders.stream import SIBLING, RestartFile, sorted_statement_units, statement_units

UCDP = Path(__file__).resolve().parents[1] / "fixtures" / "ucdp" / "ucdp-peace-agreements-221-sample.csv"
HEADER = "claim,subject,predicate,object,source,publisher,published,quote,said_by,confidence\n"


def _row(claim: str, subject: str, predicate: str, obj: str, url: str = "https://example.org/a") -> str:
    return f"{claim},{subject},{predicate},{obj},{url},Example News,2025-03-12,They met.,,0.9\n"


def _claims(store) -> set[str]:
    """The claims of the files loaded (not the registry's claims of states' Wikidata links)."""
    return {str(r[0]) for r in store.query(
        "SELECT ?c ?k WHERE { GRAPH <https://w3id.org/detente/id/graph/provenance> { ?c a dt:Claim "
        "OPTIONAL { ?c dct:identifier ?k } } }").rows if not str(r[1] or "").startswith("wikidata-")}


def _keys(store) -> set[str]:
    """The users' own claim keys (not the registry's claims of states' Wikidata links)."""
    return {str(r[0]) for r in store.query(
        "SELECT ?k WHERE { GRAPH <https://w3id.org/detente/id/graph/provenance> { ?c a dt:Claim ; dct:identifier ?k } }"
    ).rows if not str(r[0]).startswith("wikidata-")}


def _rejects(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _statements_file(tmp_path: Path) -> Path:
    """Three claims of two or three rows; claim c2 has one bad row (line 6), so its good rows 4 and 5 go too."""
    path = tmp_path / "statements.csv"
    path.write_text(HEADER
                    + _row("c1", "event:t1", "a", "dt:Talks") + _row("c1", "event:t1", "hasParty", "Ukraine")
                    + _row("c2", "agreement:x", "a", "dt:Agreement") + _row("c2", "agreement:x", "hasParty", "Russia")
                    + _row("c2", "agreement:x", "prisonerCount", "three hundred")
                    + _row("c3", "event:t2", "hasParty", "Atlantis")
                    + _row("c4", "event:t3", "a", "dt:Talks") + _row("c4", "event:t3", "hasParty", "Turkey"),
                    encoding="utf-8")
    return path


def test_skip_invalid_accounts_for_every_row(tmp_path: Path) -> None:
    path = _statements_file(tmp_path)
    rejects_path = tmp_path / "rejects.csv"
    store = open_store("memory:")
    report, = load_paths(store, [path], skip_invalid=True, rejects_path=rejects_path)
    assert (report.records, report.loaded, report.rejected) == (8, 4, 4)
    assert report.records == report.loaded + report.rejected
    assert report.claims == 2 and _keys(store) == {"c1", "c4"}
    rows = _rejects(rejects_path)
    assert sorted(int(r["line"]) for r in rows) == [4, 5, 6, 7]  # the rejected rows; c3's line 7 is its own
    by_line = {int(r["line"]): r for r in rows}
    assert "integer" in by_line[6]["message"] and by_line[6]["field"] == "object"
    assert by_line[4]["message"].startswith(f"{SIBLING}6 rejected:") and "integer" in by_line[4]["message"]
    assert by_line[5]["message"].startswith(f"{SIBLING}6 rejected:")
    assert "Atlantis" in by_line[7]["message"]
    assert report.rejected == len(rows)


def test_rows_read_equal_loaded_plus_rejected_on_real_ucdp_rows(tmp_path: Path) -> None:
    with UCDP.open(newline="", encoding="utf-8-sig") as handle:
        records = list(csv.reader(handle))
    header, data = records[0], records[1:]
    bad = [3, 10, 25]  # data rows broken on purpose: a row of the wrong width
    broken = [row if i not in bad else row[:5] for i, row in enumerate(data)]
    path = tmp_path / "ucdp.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *broken])
    rejects_path = tmp_path / "rejects.csv"
    store = open_store("memory:")
    report, = load_paths(store, [path], skip_invalid=True, rejects_path=rejects_path, shacl=False)
    assert report.records == len(data)
    assert report.rejected == len(bad)
    assert report.records == report.loaded + report.rejected
    assert len({r["line"] for r in _rejects(rejects_path)}) == len(bad)
    clean = open_store("memory:")
    load_paths(clean, [UCDP], shacl=False)
    assert _claims(store) < _claims(clean)


def test_a_bad_row_stops_reading_at_once(tmp_path: Path) -> None:
    # Past the bad row, a line longer than any record may be: reading to the end would report that line instead.
    path = tmp_path / "big.csv"
    path.write_text(HEADER + _row("c1", "event:t1", "hasParty", "Ukraine")
                    + _row("c2", "agreement:x", "prisonerCount", "many")
                    + _row("c3", "event:t2", "hasParty", "Russia") * 100
                    + "c4," + "x" * (5 << 20) + "\n", encoding="utf-8")
    store = open_store("memory:")
    with pytest.raises(LoadError) as info:
        load_paths(store, [path])
    reject, = info.value.rejects
    assert (reject.line, reject.field) == (3, "object")
    assert store.count_quads() == 0


def test_a_failed_file_names_the_files_not_loaded(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_text(HEADER + _row("c1", "event:t1", "hasParty", "Ukraine"), encoding="utf-8")
    (folder / "b.csv").write_text(HEADER + _row("c2", "event:t2", "hasParty", "Atlantis"), encoding="utf-8")
    (folder / "c.csv").write_text(HEADER + _row("c3", "event:t3", "hasParty", "Russia"), encoding="utf-8")
    (folder / "d.csv").write_text(HEADER + _row("c4", "event:t4", "hasParty", "Turkey"), encoding="utf-8")
    store = open_store("memory:")
    with pytest.raises(LoadError) as info:
        load_paths(store, [folder])
    assert info.value.skipped == [str(folder / "c.csv"), str(folder / "d.csv")]
    assert "not loaded" in str(info.value) and str(folder / "d.csv") in str(info.value)
    assert _keys(store) == {"c1"}  # a.csv stays written, nothing of b.csv


def test_interleaved_claim_rows_group_as_the_whole_file_parser_does(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(HEADER + _row("c1", "event:t1", "a", "dt:Talks") + _row("c2", "event:t2", "a", "dt:Talks")
                    + _row("c1", "event:t1", "hasParty", "Ukraine") + _row("c3", "event:t3", "hasParty", "Turkey")
                    + _row("c2", "event:t2", "hasParty", "Russia"), encoding="utf-8")
    expected = {c.iri for c in parse_statements(path, LoadContext(EntityRegistry())).claims}
    store = open_store("memory:")
    report, = load_paths(store, [path])
    assert _claims(store) == {str(i) for i in expected}
    assert (report.records, report.loaded, report.claims) == (5, 5, 3)
    with pytest.raises(RestartFile):  # the streaming reader notices, and the pipeline reads the file sorted
        list(statement_units(path, LoadContext(EntityRegistry())))
    units = list(sorted_statement_units(path, LoadContext(EntityRegistry())))
    assert [u.lines for u in units] == [[2, 4], [3, 6], [5]]


def _quads(store) -> set[str]:
    import io

    buffer = io.BytesIO()
    store.dump(buffer, "nquads")
    return {line for line in buffer.getvalue().decode().splitlines() if "/graph/summary>" not in line}


@pytest.mark.parametrize("kind", ["memory", "disk"])
def test_chunked_writes_store_what_one_write_stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    kind: str) -> None:
    from benchmarks.load_inputs import write_statements_csv

    path = tmp_path / "many.csv"
    write_statements_csv(path, rows=400)
    uri = (lambda name: "memory:") if kind == "memory" else (lambda name: f"oxigraph:{tmp_path / name}")
    whole = open_store(uri("whole"))
    load_paths(whole, [path])
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 7)
    chunked = open_store(uri("chunked"))
    report, = load_paths(chunked, [path])
    assert report.new_claims == report.claims
    assert _quads(chunked) == _quads(whole)
    from detente.graph.summary import summary_state

    assert summary_state(chunked) == "current"
    assert not (tmp_path / "chunked" / pipeline.JOURNAL_NAME).exists()


def test_a_rejects_path_that_is_an_input_or_cannot_be_written_is_refused_first(tmp_path: Path) -> None:
    from detente.errors import UsageError

    bad = _statements_file(tmp_path)
    other = tmp_path / "other.csv"
    other.write_text(HEADER + _row("c9", "event:t9", "a", "dt:Talks"), encoding="utf-8")
    kept = other.read_text(encoding="utf-8")
    store = open_store("memory:")
    for rejects, words in ((other, "one of the files to load"), (tmp_path, "is a folder"),
                           (tmp_path / "missing" / "r.csv", "no writable folder")):
        with pytest.raises(UsageError, match=words):
            load_paths(store, [bad, other], skip_invalid=True, rejects_path=rejects)
    assert other.read_text(encoding="utf-8") == kept  # the input was not overwritten
    assert not _keys(store)  # nothing was loaded


def test_a_chunk_size_that_is_no_whole_number_is_a_usage_error(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.errors import UsageError

    monkeypatch.setenv("DETENTE_LOAD_CHUNK", "1e3")
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", pipeline._chunk_setting())
    with pytest.raises(UsageError, match="DETENTE_LOAD_CHUNK"):
        load_paths(open_store("memory:"), [_statements_file(tmp_path)])


def test_every_reject_carries_its_row_as_the_file_wrote_it(tmp_path: Path) -> None:
    """Rejects made by the compiled shapes and by a document's source name the row's text too, quoted as read."""
    table = tmp_path / "shacl.csv"
    table.write_text(HEADER + _row("c1", "agreement:x", "a", "dt:Agreement")
                     + _row("c1", "agreement:x", "prisonerCount", "-5")
                     + _row("c2", "event:t9", "hasParty", "Ukraine").replace("They met.", '"Met, at last."'),
                     encoding="utf-8")
    documents = tmp_path / "docs.jsonl"
    documents.write_text('{"source": {"url": "https://example.org/d", "published": "2016-13-09"}, '
                         '"claims": [{"key": "k1", "statements": [["event:t1", "hasParty", "Ukraine"]]}]}\n',
                         encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    load_paths(open_store("memory:"), [table, documents], skip_invalid=True, rejects_path=rejects)
    rows = {(r["file"], r["line"]): r for r in _rejects(rejects)}
    shacl, sibling = rows[(str(table), "3")], rows[(str(table), "2")]
    assert "SHACL" in shacl["message"] and shacl["record"].split(",")[:4] == ["c1", "agreement:x", "prisonerCount",
                                                                                "-5"]
    assert sibling["message"].startswith("sibling of line 3") and sibling["record"].startswith("c1,agreement:x,a,")
    document = next(r for (file, _line), r in rows.items() if file == str(documents))
    assert document["field"] == "source.published" and '"2016-13-09"' in document["record"]


def test_a_row_rejected_whole_is_quoted_as_the_file_had_it(tmp_path: Path) -> None:
    table = tmp_path / "quoted.csv"
    table.write_text(HEADER + 'c1,event:t1,hasParty,Atlantis,https://example.org/a,Example News,2025-03-12,'
                     '"Met, at last.",,0.9\n', encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    load_paths(open_store("memory:"), [table], skip_invalid=True, rejects_path=rejects)
    (reject,) = _rejects(rejects)
    assert '"Met, at last."' in reject["record"]


def test_two_descriptions_of_one_source_are_both_stored_whatever_the_chunks(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """One URL given two publishers and two dates, unchecked (``--no-shacl``): nothing is dropped, whatever the chunks.

    (Checked, the second date is refused: tests/loaders/test_source_dates.py.)
    """
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "graph"))
    from summary_reference import expected, maintained

    path = tmp_path / "one-url.csv"
    path.write_text(HEADER + "c1,event:x,prisonerCount,12,https://a.example/1,Pub A,2020-01-01,q,,0.5\n"
                    "c2,event:x,prisonerCount,13,https://a.example/1,Pub B,2020-01-02,q,,0.5\n", encoding="utf-8")
    dates = ("SELECT ?d WHERE { GRAPH <https://w3id.org/detente/id/graph/provenance> { ?c a dt:Claim ; "
             "prov:wasDerivedFrom ?s } ?s dct:issued ?d }")
    stored = []
    for chunk, name in ((5000, "whole"), (1, "one-claim-chunks")):
        monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", chunk)
        store = open_store(f"oxigraph:{tmp_path / name}")
        load_paths(store, [path], shacl=False)
        assert maintained(store) == expected(store)
        stored.append(_quads(store))
        assert sorted({str(r[0]) for r in store.query(dates).rows}) == ["2020-01-01", "2020-01-02"]
    assert stored[0] == stored[1]
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 5000)
    problems = [r for report in load_paths(None, [path], shacl=False, full_shacl=True, skip_invalid=True)
                for r in report.rejects]
    assert any("publication date" in r.message for r in problems)  # pySHACL sees both dates in one chunk
