"""One entity resolver for every face, on the demo corpus.

The same reference gives the same IRI (or the same error) in the loader, the HTTP routes, every analysis
and the command line.
"""

from __future__ import annotations

import csv
import json
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from rdflib import URIRef

import detente.loaders
from detente.api.app import create_app
from detente.cli import main
from detente.errors import AmbiguousEntityError, ParameterError, UnknownEntityError
from detente.graph import Store, open_store
from detente.graph.analysis import run_metric
from detente.graph.entities import EntityNames, known_states, normalize_label
from detente.graph.projections import actor_graph
from detente.loaders import load_paths
from detente.loaders.base import FieldError, LoadContext, resolve_entity
from detente.loaders.pipeline import parse_path
from detente.loaders.registry import EntityRegistry
from detente.ontology.vocab import DT, DTR

DEMO = Path(detente.loaders.__file__).resolve().parent / "demo"
USA, TUR, UKR, RUS, AUS = (DTR[f"state/{c}"] for c in ("USA", "TUR", "UKR", "RUS", "AUS"))
AU = DTR["organization/african-union"]
GRAIN = DTR["agreement/black-sea-grain-initiative"]
MERIDIAN = DTR["organization/meridian-wire"]

# Reference → the entity it names, and whether it is an actor or an event (which analyses take it).
REFERENCES: list[tuple[str, URIRef, str]] = [
    ("united  states", USA, "actor"),
    ("U.S.", USA, "actor"),
    ("usa", USA, "actor"),
    ("state/USA", USA, "actor"),
    ("state:USA", USA, "actor"),
    (str(USA), USA, "actor"),
    (f"<{USA}>", USA, "actor"),
    ("Türkiye", TUR, "actor"),
    ("turkey", TUR, "actor"),
    ("state/UKR", UKR, "actor"),
    ("UKRAINE", UKR, "actor"),
    ("african-union", AU, "actor"),
    ("black-sea grain initiative", GRAIN, "event"),
    ("Black Sea Grain Initiative", GRAIN, "event"),
    ("agreement/black-sea-grain-initiative", GRAIN, "event"),
]


@pytest.fixture(scope="module")
def store() -> Store:
    store = open_store("memory:")
    load_paths(store, [DEMO])
    return store


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[FlaskClient]:
    app = create_app({"store": store, "workers": 1})
    yield app.test_client()
    app.extensions["detente"].close()


@pytest.fixture(scope="module")
def disk_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    uri = f"oxigraph:{tmp_path_factory.mktemp('entities') / 'store'}"
    result = CliRunner().invoke(main, ["load", str(DEMO), "--store", uri])
    assert result.exit_code == 0, result.output
    return uri


def _load_face(store: Store, tmp_path: Path, ref: str) -> URIRef:
    """``detente load`` of a statements table naming the entity (parsed as load_paths parses it)."""
    path = tmp_path / "one.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["claim", "subject", "predicate", "object", "source"],
                                      ["c1", ref, "comment", "named here", "https://example.org/one"]])
    registry = EntityRegistry()
    registry.load_store(store)
    _format, result = parse_path(path, LoadContext(registry))
    assert not result.rejects, result.rejects
    return result.claims[0].statements[0][0]  # type: ignore[return-value]


def _faces(store: Store, client: FlaskClient, disk_uri: str, tmp_path: Path,
           kind: str) -> dict[str, Callable[[str], str]]:
    faces: dict[str, Callable[[str], str]] = {
        "resolver": lambda ref: str(EntityNames.from_store(store).resolve(ref)),
        "load": lambda ref: str(_load_face(store, tmp_path, ref)),
        "GET /entities": lambda ref: client.get("/entities/" + urllib.parse.quote(ref, safe="/:")).json["iri"],
        "GET /provenance": lambda ref: client.get("/provenance", query_string={"subject": ref}).json["subject"],
        "cli provenance": lambda ref: json.loads(CliRunner().invoke(
            main, ["provenance", "--subject", ref, "--format", "json", "--store", disk_uri]).output)["subject"],
    }
    if kind == "actor":
        faces |= {
            "analyze ego": lambda ref: run_metric(store, "ego", actor=ref)["actor"]["id"],
            "analyze timeline": lambda ref: run_metric(store, "timeline", actor=ref)["actor"]["id"],
            "analyze path": lambda ref: run_metric(store, "path", actor=ref, to="state:RUS")["actor"]["id"],
            "GET /analysis/path": lambda ref: client.get("/analysis/path", query_string={
                "actor": ref, "to": "state:RUS"}).json["actor"]["id"],
        }
    else:
        faces |= {
            "analyze brokers": lambda ref: run_metric(store, "brokers", event=ref)["event"],
            "GET /analysis/brokers": lambda ref: client.get("/analysis/brokers",
                                                            query_string={"event": ref}).json["event"],
        }
    return faces


@pytest.mark.parametrize(("ref", "expected", "kind"), REFERENCES, ids=[r for r, _e, _k in REFERENCES])
def test_every_face_resolves_a_reference_to_the_same_entity(store: Store, client: FlaskClient, disk_uri: str,
                                                            tmp_path: Path, ref: str, expected: URIRef,
                                                            kind: str) -> None:
    answers = {face: resolve(ref) for face, resolve in _faces(store, client, disk_uri, tmp_path, kind).items()}
    assert answers == {face: str(expected) for face in answers}


def test_a_name_several_entities_share_is_refused_everywhere_naming_them(store: Store, client: FlaskClient,
                                                                         disk_uri: str, tmp_path: Path) -> None:
    # "AU" is an alias of the African Union (demo entities) and Australia's ISO code: both actors, neither's label.
    candidates = ("organization:african-union", "state:AUS")
    with pytest.raises(AmbiguousEntityError) as resolver:
        EntityNames.from_store(store).resolve("AU")
    assert resolver.value.candidates == candidates
    with pytest.raises(ParameterError) as analysis:
        run_metric(store, "ego", actor="AU")
    registry = EntityRegistry()
    registry.load_store(store)
    with pytest.raises(FieldError) as loader:
        resolve_entity(registry, "AU", "subject")
    rest = client.get("/provenance", query_string={"subject": "AU"})
    cli = CliRunner().invoke(main, ["provenance", "--subject", "AU", "--store", disk_uri])
    assert rest.status_code == 400 and cli.exit_code == 2
    for message in (str(resolver.value), str(analysis.value), str(loader.value), rest.json["message"], cli.output):
        assert all(name in message for name in candidates), message


def test_unknown_references_are_unknown_everywhere(store: Store, client: FlaskClient, disk_uri: str) -> None:
    with pytest.raises(UnknownEntityError, match="Atlantis"):
        EntityNames.from_store(store).resolve("Atlantis")
    with pytest.raises(ParameterError, match="actor: unknown entity 'Atlantis'"):
        run_metric(store, "timeline", actor="Atlantis")
    assert client.get("/entities/Atlantis").status_code == 404
    assert client.get("/analysis/ego", query_string={"actor": "Atlantis"}).status_code == 400
    assert CliRunner().invoke(main, ["provenance", "--subject", "Atlantis", "--store", disk_uri]).exit_code == 2


def test_the_one_rule_for_shared_names() -> None:
    names = EntityNames(states=False)
    talks, person, org = DTR["event/talks"], DTR["person/p"], DTR["organization/o"]
    names.add(talks, "Geneva", types=[DT.Talks])
    names.add(person, "Jane", aliases=["Geneva"], types=[DT.Person])
    assert names.resolve("geneva") == talks  # its own label wins over another's alias
    names.add(org, "Quartet", types=[DT.Organization])
    names.add(talks, aliases=["Quartet"])
    names.add(DTR["event/other"], aliases=["the  quartet"])
    assert names.resolve("Quartet") == org  # a label again
    names.add(DTR["event/x"], aliases=["Mediators"], types=[DT.Talks])
    names.add(person, aliases=["Mediators"])
    assert names.resolve("mediators") == person  # no label: the one actor
    names.add(org, aliases=["Mediators"])
    with pytest.raises(AmbiguousEntityError, match="event:x, organization:o, person:p"):
        names.resolve("Mediators")
    assert names.lookup("Mediators", within={org}) == org  # publishers: only publishers may answer


def test_names_are_folded_the_same_way_for_every_entity() -> None:
    assert normalize_label("  Côte  d’Ivoire ") == normalize_label("cote d'ivoire") == "cote divoire"
    names = EntityNames()
    assert names.resolve("Cote d'Ivoire") == names.resolve("CIV") == names.resolve("ci") == DTR["state/CIV"]
    # Every ISO state is known, with its codes, without any store.
    assert len(known_states()) >= 249 and all(names.resolve(s.iso_code or "") == s.iri for s in known_states())


def test_a_path_needs_a_known_segment_or_a_known_entity() -> None:
    names = EntityNames(states=False)
    assert names.lookup("person/nobody-yet") == DTR["person/nobody-yet"]  # the project's own segments
    assert names.lookup("and/or") is None  # a name with a slash, not a path
    names.add(DTR["custom/x"], "Custom")
    assert names.lookup("custom/x") == DTR["custom/x"]
    assert names.lookup("state/a b") is None and names.lookup("http://ex/a b") is None  # never a broken IRI


def test_publishers_resolve_by_the_same_rule(store: Store) -> None:
    by_name = actor_graph(store, publisher="meridian-wire")  # folded like every other name
    assert sorted(by_name.edges) == sorted(actor_graph(store, publisher=str(MERIDIAN)).edges)
    with pytest.raises(ParameterError, match="publisher: 'Ukraine': no such publisher"):
        actor_graph(store, publisher="Ukraine")  # an entity, but no source's publisher


def test_reconciliation_and_the_notebook_ask_the_one_resolver(store: Store) -> None:
    from detente.loaders.matching import EntityIndex, MatchQuery
    from detente.notebook import KnowledgeGraph

    names = EntityNames.from_store(store)
    index = EntityIndex.build(store)
    # Reconciliation matches against exactly the entities the resolver lists, states with their Wikidata items.
    assert set(index.entities) == {entity.iri for entity in names.entities() if entity.types}
    russia = index.get(RUS)
    assert russia is not None and {str(v) for v in russia.values[DT.wikidataId]} == {"Q159"}
    kg = KnowledgeGraph(store)
    for ref, expected, kind in REFERENCES:
        if names.identifier(ref) is None:  # a name: reconciliation's sure match is the resolver's answer
            best = index.match([MatchQuery(ref)])[0][0]
            assert (best.iri, best.match) == (expected, True), ref
        # The notebook resolves entity arguments as the command line does.
        position = "subject" if kind == "event" else "object"
        rows = kg.claims(**{position: ref}, records=True)
        assert rows and rows == kg.claims(**{position: str(expected)}, records=True), ref
    shared = index.match([MatchQuery("AU")])[0]
    assert {AU, AUS} <= {c.iri for c in shared} and not any(c.match for c in shared)
    with pytest.raises(AmbiguousEntityError):
        kg.claims(object="AU")


def test_states_known_by_their_other_names() -> None:
    names = EntityNames()
    for name, code in (("Burma", "MMR"), ("Holy See", "VAT"), ("Vatican", "VAT"), ("Kosovo", "XKX"),
                       ("Republic of Kosovo", "XKX"), ("Myanmar", "MMR")):
        assert names.lookup(name) == DTR[f"state/{code}"], name


def _answer(names: EntityNames, ref: str) -> object:
    """What resolving ``ref`` gives: the IRI, None, or the error's message."""
    try:
        return names.lookup(ref)
    except AmbiguousEntityError as error:
        return str(error)


def _reference_answer(names: EntityNames, ref: str) -> object:
    """The same, resolved anew (nothing remembered)."""
    try:
        return names._lookup(ref, None)
    except AmbiguousEntityError as error:
        return str(error)


_REFS = ["Ukraine", "ukraine ", "UA", "state:UKR", "Meridian Wire", "meridian", "Atlantis", "organization/x",
         "<https://w3id.org/detente/id/state/RUS>", "x y", ""]
_TEACH = [(MERIDIAN, "Meridian Wire", ()), (DTR["organization/meridian"], "Meridian", ("Meridian Wire",)),
          (DTR["state/ATL"], "Atlantis", ("Ukraine",)), (DTR["organization/x"], "X", ("meridian",))]


@pytest.mark.parametrize("seed", range(20))
def test_remembered_answers_are_those_resolved_anew_as_names_are_learnt_and_forgotten(seed: int) -> None:
    """lookup() remembers its answers while nothing is learnt or forgotten; each answer is the one resolved anew."""
    import random

    chance = random.Random(seed)
    names = EntityNames()
    for _ in range(60):
        step = chance.random()
        if step < 0.15:
            iri, label, aliases = chance.choice(_TEACH)
            names.add(iri, label, aliases, [DT.Organization])
        elif step < 0.25:
            names.forget(chance.choice(_TEACH)[0])
        else:
            ref = chance.choice(_REFS)
            assert _answer(names, ref) == _reference_answer(names, ref), ref
            assert _answer(names, ref) == _reference_answer(names, ref), ref  # the second time remembered
