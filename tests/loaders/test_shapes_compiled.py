"""The SHACL shapes compiled per record report what pySHACL reports on the same data."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Literal
from rdflib.namespace import RDF, XSD

from detente.graph.claims import Activity, Claim, Source, claims_nquads, quads_nquads
from detente.graph.store import open_store
from detente.loaders import LoadError, load_paths
from detente.loaders.registry import EntityRegistry
from detente.loaders.shapes import ShapeChecker, _claim_predicates, _claim_predicates_slow, compiled_shapes
from detente.ontology.validation import validate_shacl
from detente.ontology.vocab import DT, DTR

SOURCE = Source.from_metadata(url="https://example.org/a", publisher=DTR["organization/example-news"])
ACTIVITY = Activity(method="test:shapes", label="claims made by a test")


def _registry() -> EntityRegistry:
    registry = EntityRegistry()
    for label, kind in (("Riyadh Palace", DT.Venue), ("Steve Witkoff", DT.Person),
                        ("Example News", DT.NewsOrganization)):
        registry.mark_used([registry.mint(label, kind)])
    for iri in (DTR["state/UKR"], DTR["state/RUS"], DTR["state/SAU"]):
        registry.mark_used([iri])
    return registry


def _claim(*statements: tuple, **fields: object) -> Claim:
    return Claim(statements=list(statements), source=SOURCE, activity=ACTIVITY, **fields)  # type: ignore[arg-type]


EVENT, AGREEMENT = DTR["event/riyadh-talks"], DTR["agreement/exchange"]
VENUE, PERSON = DTR["venue/riyadh-palace"], DTR["person/steve-witkoff"]

#: One bad claim per kind of constraint the shapes use, and good claims; name -> claim.
CASES: dict[str, Claim] = {
    "negative count": _claim((AGREEMENT, DT.prisonerCount, Literal(-3))),
    "count not an integer": _claim((AGREEMENT, DT.prisonerCount, Literal("many"))),
    "date not a date": _claim((EVENT, DT.startDate, Literal("2025-13-45"))),
    "party a literal": _claim((EVENT, RDF.type, DT.Talks), (EVENT, DT.hasParty, Literal("Ukraine"))),
    "party a venue": _claim((EVENT, RDF.type, DT.Talks), (EVENT, DT.hasParty, VENUE)),
    "held at a person": _claim((EVENT, RDF.type, DT.Talks), (EVENT, DT.heldAt, PERSON)),
    "cameo code too short": _claim((EVENT, DT.cameoCode, Literal("5"))),
    "goldstein out of range": _claim((EVENT, DT.goldsteinScale, Literal("11", datatype=XSD.decimal))),
    "date precision unknown": _claim((EVENT, DT.startDate, Literal("2025-03-12", datatype=XSD.date)),
                                     (EVENT, DT.datePrecision, Literal("decade"))),
    "confidence above 1": _claim((EVENT, DT.hasParty, DTR["state/UKR"]), confidence=1.5),
    "speaker a venue": _claim((EVENT, DT.hasParty, DTR["state/RUS"]), said_by=VENUE),
    "quote ends before it starts": _claim((EVENT, DT.hasParty, DTR["state/SAU"]), quote="They met.",
                                          quote_start=10, quote_end=5),
    "two ceasefire flags": _claim((AGREEMENT, RDF.type, DT.Agreement),
                                  (AGREEMENT, DT.ceasefireProvision, Literal(True)),
                                  (AGREEMENT, DT.ceasefireProvision, Literal(False))),
    "good talks": _claim((EVENT, RDF.type, DT.Talks), (EVENT, DT.hasParty, DTR["state/UKR"]),
                         (EVENT, DT.heldAt, VENUE), (EVENT, DT.startDate, Literal("2025-03-12", datatype=XSD.date))),
    "good exchange": _claim((AGREEMENT, DT.prisonerCount, Literal(314)), said_by=PERSON, confidence=0.9,
                            quote="Both sides agreed to exchange 314 prisoners.", quote_start=0, quote_end=44),
}


def _pyshacl(claims: list[Claim], registry: EntityRegistry) -> set[tuple[str, str]]:
    text = claims_nquads(claims) + quads_nquads(registry.used_quads())
    dataset = Dataset()
    dataset.parse(data=text, format="nquads")
    report = validate_shacl(dataset)
    return {(str(r.focus_node), str(r.path)) for r in report.results if r.is_violation}


def _compiled(claims: list[Claim], registry: EntityRegistry) -> set[tuple[str, str]]:
    checker = ShapeChecker(registry)
    return {(str(v.focus), str(v.path)) for claim in claims for v in checker.violations(claim)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_case_gives_the_same_violations(name: str) -> None:
    registry = _registry()
    claim = CASES[name]
    compiled, full = _compiled([claim], registry), _pyshacl([claim], registry)
    assert compiled == full
    assert bool(compiled) == (not name.startswith("good")), "the bad cases are bad and the good ones good"


def test_all_cases_together_give_the_same_violations() -> None:
    registry = _registry()
    claims = list(CASES.values())
    assert _compiled(claims, registry) == _pyshacl(claims, registry)


def test_every_constraint_kind_of_the_shapes_is_exercised() -> None:
    used = {kind for check in compiled_shapes() for prop in check.properties for kind, value in (
        ("datatype", prop.datatype), ("class", prop.classes), ("or", prop.any_of), ("in", prop.allowed),
        ("pattern", prop.pattern), ("minInclusive", prop.min_inclusive), ("maxInclusive", prop.max_inclusive),
        ("maxCount", prop.max_count), ("lessThanOrEquals", prop.less_or_equal), ("nodeKind", prop.node_kind))
        if value not in (None, ())}
    assert used == {"datatype", "class", "or", "in", "pattern", "minInclusive", "maxInclusive", "maxCount",
                    "lessThanOrEquals", "nodeKind"}


def test_claim_values_read_from_fields_equal_those_of_its_quads() -> None:
    for claim in CASES.values():
        assert _claim_predicates(claim) == _claim_predicates_slow(claim)


def test_a_loaded_file_names_line_and_field_of_a_shape_violation(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("claim,subject,predicate,object,source\n"
                    "c1,event:t1,hasParty,Ukraine,https://example.org/a\n"
                    "c2,event:t2,a,dt:Talks,https://example.org/a\n"
                    "c2,event:t2,cameoCode,5,https://example.org/a\n", encoding="utf-8")
    store = open_store("memory:")
    with pytest.raises(LoadError) as info:
        load_paths(store, [path])
    reject, = info.value.rejects
    assert (reject.file, reject.line) == (str(path), 4)
    assert reject.field and "CAMEO" in reject.message
    assert store.count_quads() == 0
    # pySHACL alone (``detente validate --shacl --no-shacl``) finds the same record.
    report, = load_paths(None, [path], skip_invalid=True, shacl=False, full_shacl=True)
    assert [(r.line, "CAMEO" in r.message) for r in report.rejects] == [(3, True)]
