"""The loaders' fast paths give what the reference paths give: the same claims, quads and errors.

* :meth:`ShapeChecker.clean` passes a claim exactly when :meth:`ShapeChecker.reference_violations`
  finds nothing in it (good and bad claims, entities redeclared on the way);
* :class:`StatementCache` (statement parts remembered with their N-Triples text) makes the same
  units as building every statement and source anew: claims, their IRIs and N-Quads, rejects
  (file, line, field, message, record) and the entity descriptions written.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from test_shapes_compiled import CASES

from detente.graph.claims import Activity, Claim, Source, claims_nquads, quads_nquads
from detente.loaders import base, stream
from detente.loaders.base import FieldError, LoadContext, build_statement, check_values, make_source
from detente.loaders.registry import Entity, EntityRegistry
from detente.loaders.shapes import ShapeChecker
from detente.loaders.stream import StatementCache, jsonl_document_units, statement_units
from detente.ontology.vocab import DT, DTR

# -- the compiled checks: clean() against the reference evaluation ---------------------------------

EVENT, AGREEMENT = DTR["event/riyadh-talks"], DTR["agreement/exchange"]
VENUE, PERSON = DTR["venue/riyadh-palace"], DTR["person/steve-witkoff"]
UKR, RUS = DTR["state/UKR"], DTR["state/RUS"]
SUBJECTS = [EVENT, AGREEMENT, UKR, BNode("b1")]
PREDICATES = [RDF.type, DT.hasParty, DT.heldAt, DT.mediatedBy, DT.prisonerCount, DT.startDate, DT.endDate,
              DT.cameoCode, DT.datePrecision, DT.ceasefireProvision, DT.isoCode, DT.country, DT.represents,
              DT.goldsteinScale, DT.linkDecision]
OBJECTS = [DT.Talks, DT.Agreement, DT.Event, DT.State, DT.Venue, UKR, RUS, VENUE, PERSON, DTR["event/unknown"],
           Literal(314), Literal(-3), Literal("many"), Literal("2025-03-12", datatype=XSD.date),
           Literal("2025-13-45", datatype=XSD.date), Literal("2024-01-01", datatype=XSD.date), Literal("057"),
           Literal("5"), Literal("day"), Literal("decade"), Literal(True), Literal(False), Literal("UKR"),
           Literal("11", datatype=XSD.decimal), Literal("Kyiv", lang="en"), BNode("b1")]
SOURCES = [Source.from_metadata(url="https://example.org/a", publisher=DTR["organization/example-news"]),
           Source.from_metadata(url="https://example.org/b", title="Talks", source_type=DT.OfficialStatement),
           Source(DTR["source/odd"], DT.NewsArticle, url="no-scheme", title="x"),
           Source(DTR["source/person"], DT.Person, url="https://example.org/c")]
ACTIVITIES = [None, Activity(method="test:fast", label="claims made by a test")]


def named_registry() -> EntityRegistry:
    registry = EntityRegistry()
    for label, kind in (("Riyadh Palace", DT.Venue), ("Steve Witkoff", DT.Person),
                        ("Example News", DT.NewsOrganization)):
        registry.mark_used([registry.mint(label, kind)])
    return registry


#: Statements the shapes accept (most claims should be clean, so that one bad part is what decides).
VALID = [(EVENT, RDF.type, DT.Talks), (EVENT, DT.hasParty, UKR), (EVENT, DT.hasParty, RUS), (EVENT, DT.heldAt, VENUE),
         (EVENT, DT.startDate, Literal("2025-03-12", datatype=XSD.date)), (AGREEMENT, RDF.type, DT.Agreement),
         (AGREEMENT, DT.prisonerCount, Literal(314)), (EVENT, DT.cameoCode, Literal("057")),
         (EVENT, DT.datePrecision, Literal("day")), (EVENT, DT.mediatedBy, PERSON),
         (AGREEMENT, DT.ceasefireProvision, Literal(True))]
STATEMENT = st.one_of(*[st.sampled_from(VALID)] * 8,
                      st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(PREDICATES), st.sampled_from(OBJECTS)))


def make_claim(statements: list[Any], source: Source, said_by: URIRef | None, quote: str | None,
               confidence: float | None, offsets: tuple[int | None, int | None], key: str | None,
               activity: Activity | None, extra: bool) -> Claim:
    """A claim from drawn parts (``extra``: one statement of extra provenance)."""
    return Claim(statements=statements, source=source, said_by=said_by, quote=quote, confidence=confidence,
                 quote_start=offsets[0], quote_end=offsets[1], key=key, activity=activity,
                 extra=[(URIRef("urn:x"), DT.quote, Literal(""))] if extra else [])


claims = st.builds(
    make_claim,
    st.lists(STATEMENT, min_size=1, max_size=6),
    st.sampled_from(SOURCES), st.sampled_from([None, PERSON, PERSON, VENUE, UKR, EVENT]),
    st.sampled_from([None, "", "They met."]), st.sampled_from([None, 0.5, 1.0, 0.5, 1.5, -0.25]),
    st.sampled_from([(None, None)] * 4 + [(0, 9), (10, 5)]), st.sampled_from([None, "", "c1"]),
    st.sampled_from(ACTIVITIES), st.sampled_from([False] * 5 + [True]))


def left_to_reference(claim: Claim) -> bool:
    """Whether the remembering checker's quick paths leave ``claim`` to the reference evaluation.

    They do for blank nodes, values typed in the claim, quote offsets and extra provenance; any other claim
    without violations they pass themselves.
    """
    return bool(claim.extra) or claim.quote_start is not None or any(
        isinstance(term, BNode) for statement in claim.statements for term in statement) or any(
        (o, RDF.type) in {(s, p) for s, p, _o in claim.statements} for _s, _p, o in claim.statements)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(claims, min_size=1, max_size=12), st.integers(min_value=-1, max_value=11))
def test_clean_passes_exactly_the_claims_the_reference_finds_nothing_in(batch: list[Claim], redeclare: int) -> None:
    registry = named_registry()
    checker = ShapeChecker(registry)  # one checker for the batch: what it remembers is exercised
    for number, claim in enumerate(batch):
        if number == redeclare:  # the venue becomes a person: verdicts remembered about it must go
            registry.add(Entity(VENUE, DT.Person, "Riyadh Palace"))
        reference = ShapeChecker(registry).reference_violations(claim)
        clean = checker.clean(claim)
        assert not (clean and reference), "clean() passed a claim with violations"
        if not left_to_reference(claim) and not reference:
            assert clean, claim
        assert checker.violations(claim) == reference


def test_what_clean_remembers_of_one_claim_never_decides_another() -> None:
    registry = named_registry()
    sample = list(CASES.values()) + [
        Claim(statements=[statement], source=source, said_by=said_by, activity=ACTIVITIES[1])
        for statement in VALID[:3] for source in SOURCES for said_by in (None, PERSON, VENUE)]
    expected = [not ShapeChecker(registry).reference_violations(claim) and claim.quote_start is None
                for claim in sample]
    assert any(expected) and not all(expected)
    for first in sample:
        checker = ShapeChecker(registry)
        checker.clean(first)
        assert [checker.clean(claim) for claim in sample] == expected


def test_clean_agrees_with_the_reference_on_the_pyshacl_cases() -> None:
    registry = named_registry()
    checker = ShapeChecker(registry)
    for name, claim in CASES.items():
        for _ in range(2):  # the second time from what was remembered
            assert checker.clean(claim) == (not checker.reference_violations(claim) and claim.quote_start is None), \
                name
    assert not checker.clean(CASES["negative count"]) and checker.clean(CASES["good talks"])


# -- the statement cache: the same units as building everything anew ------------------------------

class _Uncached(StatementCache):
    """The reference: every statement and source built anew, no text handed to the claims."""

    def __call__(self, subject: object, predicate: object, obj: object) -> Any:
        return build_statement(self.ctx.registry, subject, predicate, obj)

    def take_lines(self) -> None:
        return None

    def statements(self, raw: list[Any]) -> None:
        return None  # every statement through __call__

    def table_source(self, record: dict[str, str]) -> Source:
        return make_source(self.ctx.registry, url=record.get("source"), title=record.get("title"),
                           publisher=record.get("publisher"), published=record.get("published"),
                           source_type=record.get("source_type"))

    def source(self, src: dict[str, Any], *, clean_text: bool = False) -> Source:
        check_values(src, "")
        return make_source(self.ctx.registry, url=src.get("url"), title=src.get("title"),
                           publisher=src.get("publisher"), published=src.get("published", src.get("issued")),
                           source_type=src.get("type"), url_field="url")


NAMES = ["event:t1", "event:t2", "Ukraine", "state:RUS", "Riyadh Palace", "Atlantis", "http://ex.org/a b", "",
         "agreement:x", "Example News"]
PROPERTIES = ["a", "hasParty", "dt:heldAt", "prisonerCount", "startDate", "dt:cameoCode", "noSuchProperty",
              "rdfs:label", "dt:mediatedBy"]
VALUES: list[object] = ["dt:Talks", "talks", "Ukraine", "state:UKR", "Riyadh Palace", "314", 314, "-3", "many",
                        "2025-03-12", "2025-02-30", "057", "5", "Atlantis", 2.5, True, "", "Example News"]
#: Statements that make a claim (most claims of a generated file should load): a value means different
#: things under different properties (Ukraine the state, Ukraine the label; 5 the count, 5 the code).
GOOD = st.tuples(st.sampled_from(["event:t1", "event:t2", "agreement:x", "Ukraine"]), st.sampled_from([
    ("a", "dt:Talks"), ("a", "talks"), ("hasParty", "Ukraine"), ("hasParty", "state:UKR"), ("rdfs:label", "Ukraine"),
    ("prisonerCount", "5"), ("prisonerCount", 5), ("dt:cameoCode", "5"), ("dt:cameoCode", "057"),
    ("rdfs:label", "5"), ("startDate", "2025-03-12"), ("dt:heldAt", "state:RUS"), ("rdfs:label", 5)])).map(
    lambda pair: (pair[0], *pair[1]))
ANY = st.tuples(st.sampled_from(NAMES), st.sampled_from(PROPERTIES), st.sampled_from(VALUES))
STATEMENTS = st.one_of(GOOD, GOOD, GOOD, GOOD, GOOD, GOOD, ANY)


def _units(path: Path, read: Any, cache_class: type[StatementCache], monkeypatch: pytest.MonkeyPatch) -> tuple:
    monkeypatch.setattr(stream, "StatementCache", cache_class)
    if cache_class is _Uncached:  # the reference: every record's texts walked, every claim-level column compared
        monkeypatch.setattr(stream, "BAD_TEXT", re.compile(""))
        monkeypatch.setattr(stream, "holds_bad_text", lambda text: True)
        monkeypatch.setattr(stream, "_same_cells", lambda row, first, cells: False)
    registry = EntityRegistry()
    out = []
    for unit in read(path, LoadContext(registry)):
        out.append((unit.lines, [(str(r), r.field, r.record) for r in unit.rejects],
                    [(c.iri, claims_nquads([c])) for c in unit.claims]))
    return out, quads_nquads(registry.used_quads())


#: Both cache tests write a file per example (the tmp_path_factory fixture is shared on purpose).
reads_many_files = settings(max_examples=200, deadline=None,
                            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _assert_the_caches_change_nothing(path: Path, read: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file reads as the same units, N-Quads and entity quads with the statement cache as without it."""
    with monkeypatch.context() as patch:
        reference = _units(path, read, _Uncached, patch)
    with monkeypatch.context() as patch:
        assert _units(path, read, StatementCache, patch) == reference


TEXTS = ["", "Talks", "Talks", "Talks", " Talks ", "Talks\x00", "Talks\x0b", 'Said "yes"']
statement_rows = st.lists(st.tuples(st.integers(0, 8), STATEMENTS,
                                    st.sampled_from(["Example News", "Other News", ""]),
                                    st.sampled_from(["2025-03-12", "", "2025-03-12", "2025-02-30"]),
                                    st.sampled_from(TEXTS)),
                          min_size=5, max_size=40)


@reads_many_files
@given(rows=statement_rows)
def test_a_statements_table_reads_the_same_with_the_cache(rows: list[tuple], tmp_path_factory: pytest.TempPathFactory,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path_factory.mktemp("table") / "s.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["claim", "subject", "predicate", "object", "source", "publisher", "published", "quote"])
        out.writerows([f"c{c}", s, p, o, f"https://example.org/{c % 3}", pub, day, text]
                      for c, (s, p, o), pub, day, text in sorted(rows, key=lambda row: row[0]))
    _assert_the_caches_change_nothing(path, statement_units, monkeypatch)


documents = st.lists(st.tuples(
    st.lists(STATEMENTS, min_size=1, max_size=5),
    st.sampled_from(["Example News", "Other News", None]), st.sampled_from([None, "Steve Witkoff", "Atlantis"]),
    st.booleans(), st.sampled_from(TEXTS)), min_size=1, max_size=12)


@reads_many_files
@given(docs=documents)
def test_a_json_lines_file_reads_the_same_with_the_cache(docs: list[tuple], tmp_path_factory: pytest.TempPathFactory,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path_factory.mktemp("docs") / "c.jsonl"
    lines = []
    for number, (statements, publisher, said_by, declares, text) in enumerate(docs):
        doc: dict[str, Any] = {"source": {"url": f"https://example.org/{number % 3}", "publisher": publisher,
                                          "title": text[::-1]},
                               "claims": [{"key": f"c{number}", "said_by": said_by, "quote": text,
                                           "statements": [list(statement) for statement in statements]}]}
        if declares:  # entities declared mid-file: names resolve differently from here on
            doc["entities"] = [{"id": "venue:riyadh-palace", "type": "venue", "label": "Riyadh Palace"},
                               {"id": "person:steve-witkoff", "type": "envoy", "label": "Steve Witkoff"},
                               {"id": "state:ATL", "type": "state", "label": "Atlantis"},
                               {"id": "event:t1", "type": "talks", "label": "Talks one"},
                               {"id": "organization:ukraine", "type": "organization", "label": "Ukraine"}]
        lines.append(json.dumps(doc))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _assert_the_caches_change_nothing(path, jsonl_document_units, monkeypatch)


# -- xsd:anyURI literals: checked and written from their text ---------------------------------------

URL_TEXTS = st.one_of(st.text(max_size=30), st.sampled_from(["https://example.org/a", "no-scheme", "x:", "1http:",
                                                             'https://ex.org/"q"\n', "", "mailto:a@b"]))


@settings(max_examples=300, deadline=None)
@given(text=URL_TEXTS)
def test_an_any_uri_text_is_checked_and_written_as_its_literal(text: str) -> None:
    """The source URL's check and N-Quads line from its text equal those of ``Literal(text, datatype=xsd:anyURI)``."""
    literal = Literal(text, datatype=XSD.anyURI)
    checker = ShapeChecker(EntityRegistry())
    checks = [prop for node in checker.checks for prop in node.properties if prop.datatype == XSD.anyURI]
    assert checks
    for prop in checks:
        reference = ShapeChecker(EntityRegistry())._value_ok(id(prop), prop, literal, {})
        for _ in range(2):  # the second time from what was remembered
            assert checker._typed_clean(id(prop), prop, text, XSD.anyURI) == reference
    source = Source(DTR["source/s"], DT.NewsArticle, url=text) if text else None
    if source is not None:
        assert claims_nquads([Claim([(EVENT, RDF.type, DT.Talks)], source)]).endswith(
            "".join(quads_nquads([q]) for q in source.quads()))


# -- values read on faster paths: the same values and the same errors --------------------------------

def _outcome(read: Any, *args: Any) -> tuple[str, object]:
    try:
        return "value", read(*args)
    except FieldError as error:
        return "error", str(error)


URL_PIECES = st.tuples(st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "http:/", "", "https:"]),
                       st.text(alphabet="ab.-9[]@:_ \t\x01é", max_size=8),
                       st.text(alphabet="/?#x \t\n>\\", max_size=5)).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=URL_PIECES)
def test_a_web_url_reads_the_same_on_the_plain_url_path(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """http_url: a plain http(s) URL checked without urlsplit gives what urlsplit's reading gives."""
    fast = _outcome(base.http_url, text, "source")
    with monkeypatch.context() as patch:
        patch.setattr(base, "_PLAIN_WEB_URL", re.compile(r"(?!)"))  # the reference: every URL through urlsplit
        assert fast == _outcome(base.http_url, text, "source")


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.sampled_from([0.0, -0.0, 0, "0", "-0.0", 0.5, "0.5", "0.50", 1, 1.5, "x", "", " ", None,
                                        True, False, float("nan"), float("inf")]),
                       st.floats(), st.integers(-2, 3), st.text(alphabet="0123456789.-e ", max_size=6)))
def test_a_confidence_reads_the_same_when_remembered(value: object) -> None:
    """parse_confidence remembers each value read: the same float (sign of zero included) or error each time."""
    reference = _outcome(base._parse_confidence, value)
    for _ in range(2):
        outcome = _outcome(base.parse_confidence, value)
        assert outcome == reference or (outcome[0] == reference[0] == "value" and outcome[1] != outcome[1])
        if outcome[0] == "value" and isinstance(outcome[1], float):
            assert repr(outcome[1]) == repr(reference[1])


def test_a_printable_line_holds_no_bad_text() -> None:
    """The JSON Lines reader skips the bad-text search for a printable line: no bad character is printable."""
    bad = [chr(code) for code in range(0x110000) if base.BAD_TEXT.fullmatch(chr(code))]
    assert bad and not any(char.isprintable() for char in bad)


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(st.text(), st.text(alphabet=st.characters(max_codepoint=0x7f)),
                      st.text(alphabet="ab \t\n\r\x00\x08\x0b\x0c\x1f\x7f\ufffe\uffff\ud800é")))
def test_bad_text_is_found_as_the_rule_finds_it(text: str) -> None:
    """The faster search for bad text (ASCII by its bytes) finds what BAD_TEXT finds."""
    assert base.holds_bad_text(text) == (base.BAD_TEXT.search(text) is not None)


def test_a_table_with_repeated_columns_reads_its_last_cells_as_records_do(tmp_path: Path) -> None:
    """Rows read by cell position take the last cell of a repeated column name, as the whole-file parser's records."""
    from detente.loaders.statements import parse_statements

    path = tmp_path / "repeated.csv"
    path.write_text("claim,subject,object,predicate,object,source,quote,Quote\n"
                    "c1,event:t1,state:RUS,hasParty,Ukraine,https://example.org/a,first,kept\n"
                    "c1,event:t1,5,prisonerCount,314,https://example.org/a,other,kept\n"
                    "c2,event:t2,x,a,talks,https://example.org/b,,one\n"
                    "c2,event:t2,x,hasParty,state:RUS,https://example.org/b,,two\n", encoding="utf-8")
    units = list(statement_units(path, LoadContext(EntityRegistry())))
    streamed = [(c.iri, claims_nquads([c])) for unit in units for c in unit.claims]
    whole = parse_statements(path, LoadContext(EntityRegistry()))
    assert streamed == [(c.iri, claims_nquads([c])) for c in whole.claims] and len(streamed) == 1
    differs = [(5, "quote", "differs from line 4 of the same claim 'c2'")]
    assert [(r.line, r.field, r.message) for unit in units for r in unit.own_rejects()] == \
        [(r.line, r.field, r.message) for r in whole.rejects] == differs


def test_parts_remembered_before_the_names_change_read_as_without_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts remembered before the names change read as without the cache.

    Subjects and objects spelled as CURIEs, remembered before publishers (of those IRIs) are minted, are taken
    back afterwards (a label is not): the same claims and descriptions as without the cache.
    """
    def doc(number: int, publisher: str | None) -> str:
        return json.dumps({"source": {"url": f"https://example.org/{number}", "publisher": publisher},
                           "claims": [{"statements": [["organization:example-news", "rdfs:label", "News"],
                                                      ["event:t1", "dt:mediatedBy", "organization:other-news"],
                                                      ["event:t1", "a", "dt:Talks"],
                                                      ["event:t1", "dt:startDate", "2025-03-12"]]}]})

    path = tmp_path / "c.jsonl"
    path.write_text("\n".join([doc(1, None), doc(2, None), doc(3, "Example News"), doc(4, "Other News"),
                               doc(5, None)]) + "\n", encoding="utf-8")
    _assert_the_caches_change_nothing(path, jsonl_document_units, monkeypatch)
    units, entities = _units(path, jsonl_document_units, StatementCache, monkeypatch)
    assert all(claims for _, _, claims in units) and "organization/example-news" in entities \
        and "organization/other-news" in entities


def test_a_statements_table_whose_claim_cells_differ_reads_the_same_with_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim whose rows differ in a claim-level cell (only spaces, or really) reads as without the cache."""
    path = tmp_path / "s.csv"
    path.write_text("claim,subject,predicate,object,source,quote\n"
                    "c1,event:t1,a,talks,https://example.org/a,They met.\n"
                    "c1,event:t1,hasParty,state:UKR,https://example.org/a, They met. \n"
                    "c2,event:t2,a,talks,https://example.org/b,One\n"
                    "c2,event:t2,hasParty,state:UKR,https://example.org/b,Two\n"
                    "c3,event:t2,hasParty,state:UKR,https://example.org/b,Two\n", encoding="utf-8")
    _assert_the_caches_change_nothing(path, statement_units, monkeypatch)


def _object_text(pairs: list[tuple[str, str]]) -> str:
    """A JSON object written from its pairs, which may repeat a key (as json.dumps of a dict cannot)."""
    return "{" + ", ".join(f"{json.dumps(key)}: {value}" for key, value in pairs) + "}"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10 ** 99, max_value=10 ** 102)
    | st.floats(allow_nan=True) | st.text(alphabet='ab":\\ ', max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='ab":', max_size=3), inner,
                                                                max_size=3),
    max_leaves=8).map(json.dumps)
JSON_LINES = st.one_of(
    JSON_VALUES,
    st.lists(st.tuples(st.sampled_from(["a", "b", 'a"', "\\"]), JSON_VALUES), max_size=4).map(_object_text),
    st.text(alphabet='{}[]",: \t\r\n0123456789.eE-+aelnrstuNIfy\\\x00\ufeff', max_size=20))


def _reference_json(text: str) -> Any:
    """The JSON rules of detente written the plain way: json.loads, and a Python loop over each object's pairs."""
    def constant(name: str) -> float:
        raise base.NotJson(f"{name} is not a JSON number")

    def number(digits: str) -> int | str:
        return int(digits) if len(digits.lstrip("-")) <= base.LIMITS.number_digits else digits

    def mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise base.NotJson(f"duplicate key {key!r}")
            out[key] = value
        return out

    return json.loads(text, parse_constant=constant, parse_int=number, object_pairs_hook=mapping)


@settings(max_examples=1000, deadline=None)
@given(text=JSON_LINES, space=st.sampled_from(["", "\n", " \n", " x\n", "\t", "{}", "\ufeff"]),
       lead=st.sampled_from(["", " ", "\ufeff"]))
def test_a_json_line_reads_as_the_json_rules_read_it(text: str, space: str, lead: str) -> None:
    """The JSON Lines reader (the rules' scanner) and :func:`base.read_json` give the plain reading's document or error.

    The rules refuse a repeated key, NaN and Infinity, and keep integers of over 100 digits as text.
    """
    line = lead + text + space

    def outcome(read: Any) -> tuple[str, object]:
        try:
            return "value", repr(read(line))
        except json.JSONDecodeError as error:
            return "error", (error.msg, error.pos, error.colno)
        except base.NotJson as error:
            return "refused", str(error)
        except RecursionError:
            return "error", "recursion"

    assert outcome(stream._json_document) == outcome(base.read_json) == outcome(_reference_json)


@settings(max_examples=500, deadline=None)
@given(inside=st.text(alphabet=st.characters(max_codepoint=0x7f, exclude_characters='"\\'), max_size=6),
       between=st.text(alphabet=st.characters(max_codepoint=0x20), max_size=3))
def test_an_ascii_json_line_json_reads_holds_no_bad_text(inside: str, between: str) -> None:
    """An ASCII line without escapes that json reads holds no bad text.

    (The JSON Lines reader skips the walk for it: json refuses every bad character of ASCII, inside a string or
    between tokens.)
    """
    line = '{"a":' + between + '"' + inside + '"' + between + "}\n"
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return
    assert base.BAD_TEXT.search(line) is None


def _csv_outcome(text: str, delimiter: str, fast: bool, limit: int) -> tuple[list[tuple[int, list[str]]], object]:
    """The numbered rows after the header of ``text`` (read as a file is), and the error that stopped them."""
    handle = io.StringIO(text, newline="")
    lines = base.bounded_lines(handle, limit)
    reader = csv.reader(lines, delimiter=delimiter)
    out: list[tuple[int, list[str]]] = []
    try:
        try:
            next(reader, None)
        except csv.Error:
            return out, "an unreadable header"
        if fast:
            out.extend(base.numbered_csv_rows(reader, lines, delimiter))
        else:
            out.extend((reader.line_num, row) for row in base.csv_rows(reader))
    except base.RecordTooLarge as error:
        return out, (error.line, error.field, error.message)
    return out, None


@settings(max_examples=600, deadline=None)
@given(text=st.text(alphabet='ab ,\t"\r\n\x00é', max_size=40), delimiter=st.sampled_from([",", "\t"]),
       limit=st.sampled_from([5, 1000]))
def test_a_table_reads_the_same_rows_split_as_the_csv_module_reads_them(text: str, delimiter: str, limit: int) -> None:
    """Statements tables split plain lines themselves: the same rows, line numbers and errors as csv_rows."""
    old = csv.field_size_limit(6)  # a field longer than this is refused by csv (and not split)
    try:
        assert _csv_outcome(text, delimiter, True, limit) == _csv_outcome(text, delimiter, False, limit)
    finally:
        csv.field_size_limit(old)


def test_claim_documents_of_odd_shapes_read_the_same_with_the_cache(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty, missing and odd statements, claims and sources are refused (or read) as without the cache."""
    statements: list[object] = [[], None, "x", [["event:t1", "a", "dt:Talks"], "x"], [["event:t1", "a"]],
                                [{"subject": "event:t1", "predicate": "a", "object": "dt:Talks"}],
                                [["event:t1", "dt:prisonerCount", True]], [["event:t1", "dt:prisonerCount", 5.0]],
                                [[["event:t1"], "a", "dt:Talks"]], [["event:t1", ["a"], "dt:Talks"]],
                                [["event:t1", "a", "dt:Talks"]]]
    docs = [{"source": {"url": f"https://example.org/{n}"}, "claims": [{"statements": st_}, "not a claim", {}]}
            for n, st_ in enumerate(statements)]
    docs += [{"source": None, "claims": [{"statements": [["event:t1", "a", "dt:Talks"]]}]},
             {"source": {"url": "https://example.org/x"}, "claims": []}, ["not a document"]]
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join(json.dumps(doc) for doc in docs) + "\n", encoding="utf-8")
    _assert_the_caches_change_nothing(path, jsonl_document_units, monkeypatch)
    units, _ = _units(path, jsonl_document_units, StatementCache, monkeypatch)
    assert any("is missing, empty or not a list" in r[0] for lines, rejects, claims in units for r in rejects)
