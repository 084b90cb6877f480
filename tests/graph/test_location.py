"""Store locations are parsed once; stores say how worker processes read them; the facts view is a stated label."""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.compare import isomorphic

import detente.loaders
from detente.graph import ReaderSpec, StoreLocation, open_store
from detente.graph.backends import reader_spec
from detente.graph.claims import claims_nquads, write_claims
from detente.graph.location import RemoteOptions
from detente.graph.oxigraph_store import OxigraphStore
from detente.graph.remote_store import RemoteStore
from detente.graph.store import StoreError
from detente.graph.terms import nquad
from detente.loaders.base import LoadContext
from detente.loaders.pipeline import parse_path
from detente.loaders.registry import EntityRegistry
from detente.ontology.vocab import FACTS_GRAPH

DEMO = Path(detente.loaders.__file__).resolve().parent / "demo"
S, P = URIRef("http://example.org/s"), URIRef("http://example.org/p")


# -- one parse of a store URI ---------------------------------------------------------

@pytest.mark.parametrize(("uri", "kind"), [("memory:", "memory"), ("oxigraph:{tmp}/db", "oxigraph"),
                                           ("{tmp}/db", "oxigraph"), ("sparql+https://db.example/sparql", "sparql")])
def test_every_scheme_parses_to_its_kind(tmp_path: Path, uri: str, kind: str) -> None:
    location = StoreLocation.parse(uri.format(tmp=tmp_path))
    assert location.kind == kind
    assert StoreLocation.parse(location.uri) == location  # the canonical URI parses back to the same location
    assert open_store(location).location == location


def test_on_disk_locations_are_absolute_and_one_per_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    relative, absolute, bare = (StoreLocation.parse(u) for u in ("oxigraph:db", f"oxigraph:{tmp_path}/db", "db"))
    assert relative == absolute == bare and relative.path == tmp_path / "db"
    assert not relative.exists()
    assert open_store("oxigraph:db") is open_store(f"{tmp_path}/db")  # one open store per folder and process
    assert relative.exists()


def test_remote_options_are_typed_and_the_password_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DETENTE_REMOTE_USER", raising=False)
    monkeypatch.delenv("DETENTE_REMOTE_PASSWORD", raising=False)
    location = StoreLocation.parse("sparql+http://h:8890/sparql?update=/sparql-auth&gsp=/crud&user=dba&password=pw"
                                   "&timeout=2.5&chunk=10&page=50&apikey=k")
    assert location.endpoint == "http://h:8890/sparql?apikey=k"
    assert location.options == RemoteOptions(update="http://h:8890/sparql-auth", gsp="http://h:8890/crud", user="dba",
                                             password="pw", timeout=2.5, chunk=10, page=50)
    assert "pw" not in location.uri and "pw" not in repr(location)
    store = RemoteStore(location)
    assert (store.update_endpoint, store.gsp_endpoint, store.timeout, store.chunk, store.page) == \
        ("http://h:8890/sparql-auth", "http://h:8890/crud", 2.5, 10, 50)


@pytest.mark.parametrize("uri", ["ftp://nowhere", "oxigraph:", "sparql+http:///sparql",
                                 "sparql+http://h/sparql?timeout=soon", "C:/windows-style"])
def test_bad_locations_say_what_is_wrong(uri: str) -> None:
    with pytest.raises(StoreError):
        StoreLocation.parse(uri)


def test_default_location_is_the_environment_or_the_user_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETENTE_STORE", "memory:")
    assert StoreLocation.default().kind == "memory"
    monkeypatch.delenv("DETENTE_STORE")
    default = StoreLocation.default()
    assert default.kind == "oxigraph" and default.path is not None and default.path.name == "store"


# -- how worker processes read a store --------------------------------------------------

def test_each_backend_says_how_readers_open_it(tmp_path: Path) -> None:
    memory = open_store("memory:")
    assert memory.reader_spec().sharing == "fork"
    with pytest.raises(StoreError, match="forking"):
        memory.reader_spec().open()
    disk = open_store(f"oxigraph:{tmp_path / 'db'}")
    disk.add_nquads(nquad(S, P, Literal("x"), None))
    disk.close()
    spec = disk.reader_spec()
    assert spec == reader_spec(disk.uri)  # from an open store or from where it lives: the same answer
    assert spec.sharing == "snapshot"
    again = pickle.loads(pickle.dumps(spec))  # it travels to worker processes
    snapshot = again.open()
    assert isinstance(snapshot, OxigraphStore) and snapshot.read_only and snapshot.count_quads() == 1
    remote = reader_spec("sparql+http://db.example/sparql")
    assert remote.sharing == "connect" and isinstance(pickle.loads(pickle.dumps(remote)).open(), RemoteStore)
    assert isinstance(remote.open(writable=True), RemoteStore) and not remote.open(writable=True).read_only
    with pytest.raises(StoreError, match="forking"):
        reader_spec("memory:")
    assert isinstance(spec, ReaderSpec)


def test_an_on_disk_store_says_how_its_writer_copies_it_and_its_readers_open_a_copy(tmp_path: Path) -> None:
    spec = pickle.loads(pickle.dumps(reader_spec(f"oxigraph:{tmp_path / 'db'}")))  # as the sandbox root gets it
    assert spec.location.workspace_path == tmp_path / "db.detente"
    live = spec.open_private()  # the writer's own handle: outside the per-process cache
    live.add_nquads(nquad(S, P, Literal("committed"), None))
    live.checkpoint(tmp_path / "v1")
    live.add_nquads(nquad(S, P, Literal("later"), None))
    version = spec.open_checkpoint(tmp_path / "v1")
    assert version.read_only and version.uri == live.uri == spec.location.uri  # a copy, under the store's name
    assert version.count_quads() == 1 and live.count_quads() == 2  # the checkpoint does not follow the live store
    copy = spec.open_private(tmp_path / "v1")  # a write candidate: read-write, beside the live store
    copy.add_nquads(nquad(S, P, Literal("candidate"), None))
    assert copy.count_quads() == 2 and live.count_quads() == 2
    copy.release()
    live.release()  # gives RocksDB's lock back: the folder opens again
    assert open_store(spec.location).count_quads() == 2
    for other in (open_store("memory:").reader_spec(), reader_spec("sparql+http://db.example/sparql")):
        with pytest.raises(StoreError, match="no database folder"):
            other.open_checkpoint(tmp_path / "v1")
        assert other.location.workspace_path is None
    with pytest.raises(StoreError, match="cannot be checkpointed"):
        open_store("memory:").checkpoint(tmp_path / "v2")


def test_the_interface_imports_no_backend_and_nothing_imports_in_a_cycle() -> None:
    code = ("import sys, detente.graph.store, detente.graph.sparql_text, detente.graph.location; "
            "backends = {'detente.graph.oxigraph_store', 'detente.graph.remote_store', 'pyoxigraph'}; "
            "assert not backends & set(sys.modules), sorted(m for m in sys.modules if m.startswith('detente'))")
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    for module in ("oxigraph_store", "remote_store", "sparql_text", "location", "backends", "entities", "params"):
        # Each imports on its own, first: no module needs another to be half-imported.
        subprocess.run([sys.executable, "-c", f"import detente.graph.{module}"], check=True)


def test_open_store_keeps_its_old_import_path() -> None:
    from detente.graph.store import default_store_uri, open_store as old_path

    assert old_path is open_store and isinstance(default_store_uri(), str)


# -- the facts view: written under the label the store reads, never rewritten ---------------

def _demo_claims() -> list:
    registry = EntityRegistry()
    claims = []
    for path in sorted(DEMO.glob("*.yaml")) + sorted(DEMO.glob("*.csv")):
        claims += parse_path(path, LoadContext(registry))[1].claims
    return claims


def _dataset(store: OxigraphStore) -> Dataset:
    buffer = io.BytesIO()
    store.dump(buffer, "nquads")
    return Dataset().parse(data=buffer.getvalue(), format="nquads")


def test_oxigraph_facts_are_the_default_graph_and_both_labels_give_one_store() -> None:
    claims = _demo_claims()
    fast, slow = open_store("memory:"), open_store("memory:")
    assert fast.facts_label is None and RemoteStore("sparql+http://h/sparql").facts_label == FACTS_GRAPH
    text = claims_nquads(claims, facts=fast.facts_label)
    assert str(FACTS_GRAPH) not in text  # written for the store: add_nquads takes the text as it is
    fast.add_nquads(text)
    slow.add_nquads(claims_nquads(claims, facts=FACTS_GRAPH))  # labelled: moved to the default graph
    assert fast.count_quads(FACTS_GRAPH) == slow.count_quads(FACTS_GRAPH) > 0
    assert FACTS_GRAPH not in set(slow.named_graphs())
    first, second = _dataset(fast), _dataset(slow)
    for name in {g.identifier for g in first.graphs()} | {g.identifier for g in second.graphs()}:
        assert isomorphic(first.graph(name), second.graph(name)), name
    assert write_claims(open_store("memory:"), claims) == len({c.iri for c in claims})


def test_labelled_facts_are_found_on_the_engines_parse_not_by_text() -> None:
    store = open_store("memory:")
    facts = f"<{FACTS_GRAPH}>"
    # The facts label with other spacing, and the label's text inside a literal (which must stay as it is).
    store.add_nquads(f"<http://ex/a> <http://ex/p> \"1\" {facts}   .\n"
                     f"<http://ex/b> <http://ex/p> \"says {facts} .\" <http://ex/g> .\n")
    assert store.count_quads(FACTS_GRAPH) == 1
    rows = store.query("SELECT ?o WHERE { GRAPH <http://ex/g> { ?s ?p ?o } }").rows
    assert rows == [(Literal(f"says {facts} ."),)]


def test_bad_labelled_text_writes_nothing() -> None:
    store = open_store("memory:")
    with pytest.raises(StoreError, match="invalid N-Quads"):
        store.add_nquads(nquad(S, P, Literal("x"), FACTS_GRAPH) + "<http://ex/a> <http://ex/p> oops .\n")
    assert store.count_quads() == 0


def test_the_default_store_works_on_a_fresh_home(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from detente.cli import main

    home = tmp_path / "home"
    monkeypatch.delenv("DETENTE_STORE", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))  # nothing of it exists yet
    result = CliRunner().invoke(main, ["stats", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert (home / ".local" / "share" / "detente" / "store").is_dir()
