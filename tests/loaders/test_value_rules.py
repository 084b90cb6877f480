"""The value rules of loaders/base.py: strict, one rule per kind of value, the same through every loader."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from detente.graph.store import open_store
from detente.loaders import LoadError, load_paths
from detente.loaders.base import (
    FieldError,
    http_url,
    iri_ref,
    parse_date,
    parse_decimal,
    parse_integer,
    text_problem,
    typed_literal,
)
from detente.ontology.vocab import DTR

HEADER = "claim,subject,predicate,object,source,publisher,published,quote,said_by,confidence\n"


@pytest.mark.parametrize(("value", "expected"),
                         [("314", 314), (" 26 ", 26), ("-3", -3), ("+7", 7), ("012", 12), (5, 5)])
def test_integers_as_written(value: object, expected: int) -> None:
    assert parse_integer(value, "object") == expected


@pytest.mark.parametrize(("value", "words"), [
    ("1,2,3", "not a valid integer (write digits only"), ("1 000", "not a valid integer (write digits only"),
    ("3.0", "not a valid integer"), (3.0, "decimal number, not an integer"), (True, "boolean, not an integer"),
    ("0x1F", "not a valid integer"), ("", "not a valid integer"), ("9" * 101, "101 digits; at most 100"),
])
def test_integers_refused(value: object, words: str) -> None:
    with pytest.raises(FieldError) as info:
        parse_integer(value, "object")
    assert info.value.field == "object" and words in info.value.message


def test_an_integer_python_cannot_print_is_refused_by_its_size() -> None:
    with pytest.raises(FieldError) as info:
        parse_integer(10 ** 5000, "object")  # str() of it raises ValueError past 4300 digits
    assert "at most 100" in info.value.message


@pytest.mark.parametrize(("value", "expected"), [("0.9", "0.9"), ("-7", "-7"), (0.5, "0.5"), ("1e-3", "0.001"),
                                            (".5", ".5")])
def test_decimals(value: object, expected: str) -> None:
    assert parse_decimal(value, "confidence") == Decimal(expected)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", float("nan"), float("inf"), "0_5", "1,5",
                                   True, "0x10", "1e400" + "0" * 200])
def test_decimals_refused(value: object) -> None:
    with pytest.raises(FieldError):
        parse_decimal(value, "confidence")


@pytest.mark.parametrize("value", ["2025-03-12xyz", "2025-02-30", "2025-13-01", "20250312", "2025-W11-3",
                                   "12/03/2025", "2025-03-12T10:00:00"])
def test_dates_refused(value: str) -> None:
    with pytest.raises(FieldError) as info:
        parse_date(value, "published")
    assert info.value.field == "published" and repr(value) in info.value.message


def test_typed_literals_keep_the_value_written() -> None:
    assert typed_literal("2025-03-12", XSD.date) == Literal("2025-03-12", datatype=XSD.date)
    assert typed_literal("0.90", XSD.decimal) == Literal("0.90", datatype=XSD.decimal)
    assert typed_literal("2025-03-12T10:00:00Z", XSD.dateTime) == Literal("2025-03-12T10:00:00Z",
                                                                           datatype=XSD.dateTime)
    with pytest.raises(FieldError):
        typed_literal("2025-03-12 10:00", XSD.dateTime)
    with pytest.raises(FieldError):
        typed_literal("javascript:alert(1)", XSD.anyURI)


@pytest.mark.parametrize("url", ["http://example.org/a", "https://example.org/a?b=c#d", "HTTPS://EXAMPLE.ORG/"])
def test_source_urls_on_the_web(url: str) -> None:
    assert http_url(url, "source") == url


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,<b>x</b>",
                                 "ftp://example.org/a", "mailto:a@example.org", "https:///no-host", "not a url",
                                 "https://example.org/a b", "https://example.org/a>b", "//example.org/a"])
def test_other_source_urls_refused(url: str) -> None:
    with pytest.raises(FieldError) as info:
        http_url(url, "source")
    assert info.value.field == "source"


@pytest.mark.parametrize("iri", ["http://example.org/a b", "http://example.org/a>b", "http://example.org/a\nb",
                                 "http://example.org/p> <http://example.org/o> <http://evil.example/g> .\n<http://x"])
def test_iris_refused(iri: str) -> None:
    with pytest.raises(FieldError) as info:
        iri_ref(iri, "subject")
    assert "is not a valid IRI: it holds" in info.value.message


@pytest.mark.parametrize("text", ["a\x00b", "a\x07b", "a\x1bb", "a\ud800b", "a\uffffb"])
def test_control_characters_are_no_text(text: str) -> None:
    assert text_problem(text) is not None
    assert text_problem("tab\tand\nlines\r\n, é, 日本") is None


def test_a_load_stops_at_the_first_bad_row_and_validate_names_them_all(tmp_path: Path) -> None:
    path = tmp_path / "statements.csv"
    path.write_text(HEADER + "c1,event:t1,hasParty,Ukraine,https://example.org/a,,,,,\n"
                    "c2,agreement:x,prisonerCount,many,https://example.org/b,,,,,\n"
                    "c3,agreement:y,prisonerCount,\"1,2,3\",https://example.org/c,,,,,\n"
                    "c4,event:t2,hasParty,Russia,javascript:alert(1),,,,,\n", encoding="utf-8")
    store = open_store("memory:")
    with pytest.raises(LoadError) as info:
        load_paths(store, [path])
    assert [(r.line, r.field) for r in info.value.rejects] == [(3, "object")]
    assert store.count_quads() == 0
    report, = load_paths(None, [path], skip_invalid=True)
    assert [(r.line, r.field) for r in report.rejects] == [(3, "object"), (4, "object"), (5, "source")]
    assert report.claims == 1


def test_yaml_values_are_read_as_json_reads_them(tmp_path: Path) -> None:
    """Norway's code stays NO (YAML 1.1 reads it as false), and an unquoted date is checked as text."""
    path = tmp_path / "entities.yaml"
    path.write_text("entities:\n  - {id: 'person:ola-nordmann', type: person, label: Ola Nordmann, country: NO}\n",
                    encoding="utf-8")
    store = open_store("memory:")
    load_paths(store, [path])
    assert store.query("ASK { ?p dt:country ?c }", bindings={"p": URIRef(DTR["person/ola-nordmann"]),
                                                            "c": URIRef(DTR["state/NOR"])}).boolean
