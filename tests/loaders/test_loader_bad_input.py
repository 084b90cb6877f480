"""Bad input: every message names the file, line and field, and nothing of a bad file is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.graph.store import open_store
from detente.loaders import LoadError, load_paths

HEADER = "claim,subject,predicate,object,source,publisher,published,quote,said_by,confidence\n"
GOOD = "c1,event:t1,hasParty,Ukraine,https://example.org/a,Example News,2025-03-12,Talks began.,,0.9\n"


def _fails(path: Path) -> LoadError:
    store = open_store("memory:")
    with pytest.raises(LoadError) as info:
        load_paths(store, [path])
    assert store.count_quads() == 0, "nothing of a bad file may be written"
    return info.value


def _statements(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "statements.csv"
    path.write_text(HEADER + GOOD + "".join(rows), encoding="utf-8")
    return path


def test_wrong_column_count(tmp_path: Path) -> None:
    path = _statements(tmp_path, "c2,event:t1,hasParty,Russia,https://example.org/a\n")
    error = _fails(path)
    reject, = error.rejects
    assert (reject.file, reject.line) == (str(path), 3)
    assert "5 fields" in reject.message and "10" in reject.message
    assert f"{path}:3" in str(error)


def test_bad_date(tmp_path: Path) -> None:
    path = _statements(tmp_path, "c2,event:t1,startDate,2025-02-30,https://example.org/b,,,,,\n")
    reject, = _fails(path).rejects
    assert (reject.file, reject.line, reject.field) == (str(path), 3, "object")
    assert "2025-02-30" in reject.message and "date" in reject.message


def test_bad_published_date(tmp_path: Path) -> None:
    path = _statements(tmp_path, "c2,event:t1,hasParty,Russia,https://example.org/b,,12/03/2025,,,\n")
    reject, = _fails(path).rejects
    assert (reject.line, reject.field) == (3, "published")


def test_bad_integer(tmp_path: Path) -> None:
    path = _statements(tmp_path, "c2,agreement:x,prisonerCount,three hundred,https://example.org/b,,,,,\n")
    reject, = _fails(path).rejects
    assert (reject.file, reject.line, reject.field) == (str(path), 3, "object")
    assert "integer" in reject.message


def test_unknown_entity(tmp_path: Path) -> None:
    path = _statements(tmp_path, "c2,event:t1,hasParty,Atlantis,https://example.org/b,,,,,\n")
    reject, = _fails(path).rejects
    assert (reject.line, reject.field) == (3, "object")
    assert "Atlantis" in reject.message


def test_bad_confidence(tmp_path: Path) -> None:
    path = _statements(tmp_path, "c2,event:t1,hasParty,Russia,https://example.org/b,,,,,1.7\n")
    reject, = _fails(path).rejects
    assert (reject.line, reject.field) == (3, "confidence")


def test_bad_yaml(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text("source:\n  url: https://example.org/a\nclaims:\n  - statements:\n      - [a, b\n",
                    encoding="utf-8")
    error = _fails(path)
    reject = error.rejects[0]
    assert reject.file == str(path) and reject.line is not None and reject.line >= 4
    assert str(path) in str(error)


def test_bad_value_in_yaml_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text("source:\n  url: https://example.org/a\nclaims:\n  - confidence: 0.8\n    statements:\n"
                    "      - [agreement:x, a, dt:Agreement]\n      - [agreement:x, prisonerCount, many]\n",
                    encoding="utf-8")
    reject = _fails(path).rejects[0]
    assert reject.file == str(path) and reject.line == 7
    assert reject.field == "claims[0].statements[1].object"


def test_skip_invalid_writes_the_good_rows_and_the_rejects(tmp_path: Path) -> None:
    path = _statements(tmp_path, "c2,event:t1,hasParty,Atlantis,https://example.org/b,,,,,\n")
    store = open_store("memory:")
    rejects = tmp_path / "rejects.csv"
    report, = load_paths(store, [path], skip_invalid=True, rejects_path=rejects)
    assert report.claims == 1 and report.new_claims == 1
    assert "Atlantis" in rejects.read_text(encoding="utf-8")


def test_earlier_good_file_stays_written(tmp_path: Path) -> None:
    good = tmp_path / "a.csv"
    good.write_text(HEADER + GOOD, encoding="utf-8")
    bad = tmp_path / "b.csv"
    bad.write_text(HEADER + "c9,event:t1,hasParty,Atlantis,https://example.org/z,,,,,\n", encoding="utf-8")
    store = open_store("memory:")
    with pytest.raises(LoadError):
        load_paths(store, [good, bad])
    assert store.query("ASK { ?c a dt:Claim ; dct:identifier 'c1' }").boolean
    assert not store.query("ASK { ?c a dt:Claim ; dct:identifier 'c9' }").boolean


def test_reload_is_idempotent(tmp_path: Path) -> None:
    path = _statements(tmp_path, "c2,event:t1,hasParty,Russia,https://example.org/a,Example News,2025-03-12,"
                                 "Talks began.,,0.9\n")
    store = open_store("memory:")
    first, = load_paths(store, [path])
    quads = store.count_quads()
    second, = load_paths(store, [path])
    assert first.new_claims == 2 and second.new_claims == 0 and store.count_quads() == quads


def test_a_story_naming_an_entity_several_share_is_refused_naming_the_file_and_them(tmp_path: Path) -> None:
    entities = tmp_path / "entities.yaml"
    entities.write_text("entities:\n"
                        "  - {id: 'organization:northern-front-a', type: organization, label: Northern Front A,"
                        " aliases: [Northern Front]}\n"
                        "  - {id: 'organization:northern-front-b', type: organization, label: Northern Front B,"
                        " aliases: [Northern Front]}\n", encoding="utf-8")
    story = tmp_path / "story.txt"
    story.write_text("---\nurl: https://example.org/nf\ntitle: NF\npublisher: Example News\npublished: 2025-03-12\n"
                     "---\nThe Northern Front said it agreed to hold talks with Ethiopia in Nairobi.\n",
                     encoding="utf-8")
    store = open_store("memory:")
    load_paths(store, [entities])
    quads = store.count_quads()
    with pytest.raises(LoadError) as info:
        load_paths(store, [story])  # extraction meets the shared name: a reject, not an exception
    reject, = info.value.rejects
    assert reject.file == str(story)
    assert "organization:northern-front-a" in reject.message and "organization:northern-front-b" in reject.message
    assert store.count_quads() == quads, "nothing of the refused story is written"


@pytest.mark.parametrize(("row", "field", "words"), [
    ("c2,event:t1,dt:hasPary,Russia,https://example.org/b,,,,,\n", "predicate", "the ontology has no dt:hasPary"),
    ("c2,event:t1,<https://w3id.org/detente/ontology#hasPary>,Russia,https://example.org/b,,,,,\n", "predicate",
     "the ontology has no dt:hasPary"),
    ("c2,event:t1,a,dt:Nonexistent,https://example.org/b,,,,,\n", "object", "unknown class"),
])
def test_a_name_in_the_ontologys_namespace_it_does_not_declare_is_a_typo(tmp_path: Path, row: str, field: str,
                                                                         words: str) -> None:
    reject, = _fails(_statements(tmp_path, row)).rejects
    assert (reject.line, reject.field) == (3, field) and words in reject.message
