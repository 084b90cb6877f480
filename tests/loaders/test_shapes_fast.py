"""The compiled checks' remembered paths give what the reference evaluation gives, claim by claim and file by file.

:meth:`ShapeChecker.clean` remembers verdicts across claims: a statement's (predicate, object) pair by the very
term objects (the loaders' statement cache hands out the same ones again and again), a subject's counts and
targets by its signature, a claim's provenance steps by its fields, a source's by its fields and values. Here:

* claims that share term objects (and claims with equal but new terms) get from one remembering checker the
  violations a new checker's :meth:`~ShapeChecker.reference_violations` finds, while entities are redeclared;
* the quick pass over statements passes only what the detailed pass passes;
* whole loads (the bad-input corpus, and generated files with bad records among good ones) give the same
  rejects (file, line, field, message) and the same quads as loads whose every claim is evaluated by the
  reference alone.
"""

from __future__ import annotations

import io
import json
import random
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from rdflib import BNode, Literal
from rdflib.namespace import RDF, XSD
from test_fast_paths import left_to_reference, make_claim, named_registry
from test_shapes_compiled import CASES

from detente.graph.claims import Activity, Claim, Source
from detente.graph.store import open_store
from detente.loaders import LoadError, load_paths, pipeline
from detente.loaders.registry import Entity
from detente.loaders.shapes import ShapeChecker
from detente.ontology.vocab import DT, DTR

EVENT, AGREEMENT = DTR["event/riyadh-talks"], DTR["agreement/exchange"]
VENUE, PERSON, NEWS = DTR["venue/riyadh-palace"], DTR["person/steve-witkoff"], DTR["organization/example-news"]
UKR, RUS = DTR["state/UKR"], DTR["state/RUS"]


class ReferenceOnly(ShapeChecker):
    """The simple path: every claim evaluated by :meth:`ShapeChecker.reference_violations`, nothing remembered."""

    def clean(self, claim: Claim) -> bool:
        return False

    def reference_violations(self, claim: Claim) -> list[Any]:
        return ShapeChecker(self.registry).reference_violations(claim)


# -- claims of shared terms --------------------------------------------------------------------------

def _copy(term: Any) -> Any:
    """An equal term that is another object (as a loader makes after its cache was emptied)."""
    if isinstance(term, Literal):
        return Literal(str(term), lang=term.language, datatype=term.datatype)
    return type(term)(str(term))


SUBJECTS = [EVENT, AGREEMENT, UKR, VENUE, BNode("b1")]
PREDICATES = [RDF.type, DT.hasParty, DT.heldAt, DT.mediatedBy, DT.prisonerCount, DT.startDate, DT.endDate,
              DT.cameoCode, DT.datePrecision, DT.ceasefireProvision, DT.isoCode, DT.country, DT.represents,
              DT.goldsteinScale, DT.linkDecision, DT.reachedDuring, DT.quote]
OBJECTS = [DT.Talks, DT.Agreement, DT.Event, DT.State, DT.Venue, UKR, RUS, VENUE, PERSON, NEWS, EVENT, AGREEMENT,
           DTR["event/unknown"], Literal(314), Literal(-3), Literal("many"), Literal("2025-03-12", datatype=XSD.date),
           Literal("2025-13-45", datatype=XSD.date), Literal("2024-01-01", datatype=XSD.date), Literal("057"),
           Literal("5"), Literal("day"), Literal("decade"), Literal(True), Literal(False), Literal("UKR"),
           Literal("11", datatype=XSD.decimal), Literal("0.5", datatype=XSD.decimal), Literal("Kyiv", lang="en"),
           Literal(""), BNode("b1")]
#: Statements the shapes accept, so that one bad part is what decides.
VALID = [(EVENT, RDF.type, DT.Talks), (EVENT, DT.hasParty, UKR), (EVENT, DT.hasParty, RUS), (EVENT, DT.heldAt, VENUE),
         (EVENT, DT.startDate, Literal("2025-03-12", datatype=XSD.date)), (EVENT, DT.cameoCode, Literal("057")),
         (EVENT, DT.datePrecision, Literal("day")), (EVENT, DT.mediatedBy, PERSON),
         (AGREEMENT, RDF.type, DT.Agreement), (AGREEMENT, DT.prisonerCount, Literal(314)),
         (AGREEMENT, DT.ceasefireProvision, Literal(True))]
SOURCES = [Source.from_metadata(url="https://example.org/a", publisher=NEWS),
           Source.from_metadata(url="https://example.org/b", title="Talks", source_type=DT.OfficialStatement,
                                issued=date(2025, 3, 12)),
           Source.from_metadata(url="https://example.org/c", title="", issued=date(1, 1, 1), publisher=PERSON),
           Source(DTR["source/odd"], DT.NewsArticle, url="no-scheme", title="x"),
           Source(DTR["source/person"], DT.Person, url="https://example.org/d"),
           Source(DTR["source/venue-published"], DT.NewsArticle, url="x:", publisher=VENUE)]
ACTIVITIES = [None, Activity(method="test:fast", label="claims made by a test"),
              Activity(method="test:other", label="other claims")]

#: A statement: the same term objects most of the time (as from the loaders' cache), else equal new ones.
STATEMENT = st.tuples(
    st.one_of(*[st.sampled_from(VALID)] * 6,
              st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(PREDICATES), st.sampled_from(OBJECTS))),
    st.sampled_from([False] * 5 + [True])).map(lambda made: tuple(map(_copy, made[0])) if made[1] else made[0])

claims = st.builds(
    make_claim,
    st.lists(STATEMENT, min_size=0, max_size=7),
    st.sampled_from(SOURCES), st.sampled_from([None, PERSON, PERSON, VENUE, UKR, EVENT, NEWS]),
    st.sampled_from([None, "", "They met.", "They met."]), st.sampled_from([None, 0.5, 1.0, 0.5, 1.5, -0.25, 0.0]),
    st.sampled_from([(None, None)] * 6 + [(0, 9), (10, 5)]), st.sampled_from([None, "", "c1"]),
    st.sampled_from(ACTIVITIES), st.sampled_from([False] * 7 + [True]))

#: Entities redeclared on the way: what was remembered of them must not decide a later claim.
REDECLARED = [Entity(VENUE, DT.Person, "Riyadh Palace"), Entity(PERSON, DT.Venue, "Steve Witkoff"),
              Entity(EVENT, DT.State, "Riyadh Talks"), Entity(NEWS, DT.Venue, "Example News")]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(claims, min_size=1, max_size=16), st.lists(st.tuples(st.integers(0, 15), st.sampled_from(REDECLARED)),
                                                           max_size=2))
def test_a_remembering_checker_finds_what_the_reference_finds(batch: list[Claim],
                                                              redeclare: list[tuple[int, Entity]]) -> None:
    registry = named_registry()
    checker = ShapeChecker(registry)  # one checker for the batch: what it remembers is exercised
    for number, claim in enumerate(batch * 2):  # each claim twice: the second time from what was remembered
        for at, entity in redeclare:
            if number == at:
                registry.add(entity)
        reference = ShapeChecker(registry).reference_violations(claim)
        assert checker.violations(claim) == reference
        clean = checker.clean(claim)
        assert not (clean and reference), "clean() passed a claim with violations"
        if not left_to_reference(claim) and not reference:
            assert clean, claim


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(STATEMENT, min_size=1, max_size=7), min_size=1, max_size=12))
def test_the_quick_pass_passes_only_what_the_detailed_pass_passes(batches: list[list[Any]]) -> None:
    registry = named_registry()
    checker = ShapeChecker(registry)
    for statements in batches * 2:
        if checker._statements_quick(statements):
            assert ShapeChecker(registry)._statements_clean(statements), statements


def test_the_quick_pass_decides_the_ordinary_claims() -> None:
    """Claims of one subject, its terms shared, pass the quick pass (else it would test nothing)."""
    registry = named_registry()
    checker = ShapeChecker(registry)
    talks, agreement = VALID[:8], VALID[8:]
    for statements in (talks, agreement, talks[:3], list(reversed(talks))):
        assert checker._statements_quick(statements) and checker._statements_quick(statements)
        assert checker.clean(Claim(statements, SOURCES[0], quote="They met.", confidence=0.5, activity=ACTIVITIES[1]))
    # A party that is not an actor, a count below zero, two ceasefire flags: left to the detailed pass, which fails.
    for bad in ([talks[0], (EVENT, DT.hasParty, VENUE)], [(AGREEMENT, DT.prisonerCount, Literal(-3))],
                [*agreement, (AGREEMENT, DT.ceasefireProvision, Literal(False))]):
        assert not checker._statements_quick(bad) and not checker._statements_clean(bad)


def test_the_pyshacl_cases_give_the_same_violations_remembered_or_not() -> None:
    registry = named_registry()
    checker = ShapeChecker(registry)
    for _ in range(2):
        for name, claim in CASES.items():
            assert checker.violations(claim) == ShapeChecker(registry).reference_violations(claim), name


# -- whole loads --------------------------------------------------------------------------------------

def _load(paths: list[Path], reference: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    """What a load reports (rejects: file, line, field, message; counts) and stores, with either checker."""
    with monkeypatch.context() as patch:
        if reference:
            patch.setattr(pipeline, "ShapeChecker", ReferenceOnly)
        store = open_store("memory:")
        try:
            reports = load_paths(store, paths, skip_invalid=True)
            outcome: tuple[Any, ...] = tuple((r.path, r.records, r.loaded, r.rejected, r.claims,
                                              [(x.file, x.line, x.field, x.message) for x in r.rejects])
                                             for r in reports)
        except LoadError as error:
            outcome = ("refused", [(x.file, x.line, x.field, x.message) for x in error.rejects])
        buffer = io.BytesIO()
        store.dump(buffer, "nquads")
    # The summary graph's blank nodes are labelled anew by every load: compared without their labels.
    return outcome, sorted(_BLANK.sub("_:b", line) for line in buffer.getvalue().decode("utf-8").splitlines())


_BLANK = re.compile(r"_:[A-Za-z0-9]+")


BAD_INPUTS = Path(__file__).resolve().parents[1] / "golden" / "bad-inputs"


@pytest.mark.parametrize("case", sorted(p.name for p in BAD_INPUTS.iterdir() if p.is_dir()))
def test_a_bad_input_loads_alike_with_the_reference_checks(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = sorted(p for p in (BAD_INPUTS / case).iterdir() if p.name != "expected.yaml")
    assert _load(paths, False, monkeypatch) == _load(paths, True, monkeypatch)


def _records(seed: int) -> list[dict[str, Any]]:
    """JSON Lines documents over a few sources and events, some of them bad in one place."""
    rng = random.Random(seed)
    sources = [{"url": f"https://news{n}.example.org/a/{n}", "title": f"Report {n}", "publisher": f"Publisher {n % 3}",
                "published": f"2024-0{1 + n % 9}-1{n % 10}"} for n in range(6)]
    sources.append({"url": "no-scheme-at-all", "title": "odd"})
    records = []
    for number in range(120):
        event = f"event:e{rng.randrange(15)}"
        statements = [[event, "a", rng.choice(["dt:Talks", "dt:Agreement", "dt:Ceasefire"])],
                      [event, "dt:startDate", f"2024-0{rng.randrange(1, 10)}-1{rng.randrange(10)}"],
                      [event, "dt:hasParty", rng.choice(["state:UKR", "state:RUS", "state:TUR", "state:FRA"])],
                      [event, "dt:hasParty", rng.choice(["state:POL", "state:IND", "state:EGY"])]]
        if rng.random() < 0.5:
            statements.append([event, "dt:prisonerCount", rng.choice([str(rng.randrange(500)), "-4", "12"])])
        if rng.random() < 0.3:
            statements.append([event, "dt:heldAt", rng.choice(["state:CHE", "state:QAT", "person:someone"])])
        if rng.random() < 0.2:
            statements.append([event, "dt:cameoCode", rng.choice(["057", "5", "0311"])])
        if rng.random() < 0.1:
            statements.append([event, "dt:datePrecision", rng.choice(["day", "decade"])])
        claim: dict[str, Any] = {"key": f"c{number}", "statements": statements,
                                 "quote": rng.choice([f"Report {number}.", "Same words."]),
                                 "confidence": rng.choice([0.5, 0.75, 1, 1.25])}
        records.append({"source": rng.choice(sources), "claims": [claim]})
    return records


@pytest.mark.parametrize("seed", range(4))
def test_generated_files_load_alike_with_the_reference_checks(seed: int, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    records = _records(seed)
    people = tmp_path / "people.csv"
    people.write_text("id,type,label\nperson:someone,person,Someone\n", encoding="utf-8")
    jsonl = tmp_path / "claims.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    table = tmp_path / "claims.csv"
    rows = ["claim,subject,predicate,object,source,publisher,published,quote,confidence"]
    for record in records:
        src, claim = record["source"], record["claims"][0]
        rows += [",".join([claim["key"], s, p, o, src["url"], src.get("publisher", ""), src.get("published", ""),
                           claim["quote"], str(claim["confidence"])]) for s, p, o in claim["statements"]]
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    for paths in ([people, jsonl], [people, table]):
        fast = _load(paths, False, monkeypatch)
        assert fast == _load(paths, True, monkeypatch)
        assert any(r[3] for r in fast[0][1:]) and any(r[4] for r in fast[0][1:]), "some records bad, some good"
