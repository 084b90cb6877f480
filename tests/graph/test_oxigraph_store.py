"""The embedded Oxigraph backend: bindings, formats, read-only, dump and restore."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.compare import isomorphic

import detente.loaders
from detente.graph.store import QuerySyntaxError, ReadOnlyError, StoreError, open_store
from detente.graph.terms import nquad
from detente.loaders.pipeline import load_paths
from detente.ontology.vocab import FACTS_GRAPH

DEMO = Path(detente.loaders.__file__).resolve().parent / "demo"
S, P = URIRef("http://example.org/s"), URIRef("http://example.org/p")


@pytest.mark.parametrize("value", [
    Literal('a "quoted"\nmulti-line \\ value'),
    Literal("Київ", lang="uk"),
    Literal("314", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")),
    Literal("} . DROP ALL ; #"),
])
def test_bindings_round_trip_tricky_literals(value: Literal) -> None:
    store = open_store("memory:")
    store.add_nquads(nquad(S, P, value, FACTS_GRAPH))
    rows = store.query("SELECT ?s ?o WHERE { ?s ?p ?o }", bindings={"o": value}).rows
    assert rows == [(S, value)]
    store.update("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", bindings={"o": value})
    assert store.count_quads() == 0


def test_result_formats() -> None:
    store = open_store("memory:")
    store.add_nquads(nquad(S, P, Literal("x"), FACTS_GRAPH))
    body = store.query_serialized("SELECT ?s WHERE { ?s ?p ?o }", "json").body
    assert json.loads(body)["results"]["bindings"][0]["s"]["value"] == str(S)
    limited = store.query_serialized("SELECT ?s WHERE { ?s ?p ?o }", "csv", max_rows=5).body
    assert limited.decode().splitlines() == ["s", str(S)]
    turtle = store.query_serialized("CONSTRUCT WHERE { ?s ?p ?o }", "turtle").body
    assert b"example.org/s" in turtle
    with pytest.raises(ValueError):
        store.query_serialized("ASK { ?s ?p ?o }", "turtle")
    with pytest.raises(StoreError):
        store.query_serialized("SELECT * WHERE { ?s ?p ?o }", "json", max_rows=0)


def test_syntax_error_is_reported() -> None:
    with pytest.raises(QuerySyntaxError):
        open_store("memory:").query("SELEC ?x")


def test_read_only_refuses_writes(tmp_path: Path) -> None:
    uri = f"oxigraph:{tmp_path / 'db'}"
    writable = open_store(uri)
    writable.add_nquads(nquad(S, P, Literal("x"), FACTS_GRAPH))
    reader = open_store(uri, read_only=True)
    assert reader.count_quads() == 1
    with pytest.raises(ReadOnlyError):
        reader.add_nquads(nquad(S, P, Literal("y"), FACTS_GRAPH))
    with pytest.raises(ReadOnlyError):
        reader.update("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }")
    assert open_store(uri) is writable  # on-disk stores open once per process


def test_dump_and_restore_are_isomorphic(tmp_path: Path) -> None:
    store = open_store("memory:")
    load_paths(store, [DEMO])
    buffer = io.BytesIO()
    store.dump(buffer, "nquads")
    restored = open_store(f"oxigraph:{tmp_path / 'restored'}")
    restored.load(buffer.getvalue(), "nquads")
    assert restored.count_quads() == store.count_quads()
    again = io.BytesIO()
    restored.dump(again, "nquads")
    first, second = Dataset(), Dataset()
    first.parse(data=buffer.getvalue(), format="nquads")
    second.parse(data=again.getvalue(), format="nquads")
    names = {g.identifier for g in first.graphs()}
    assert names == {g.identifier for g in second.graphs()}
    for name in names:  # graph by graph, as rdflib compares graphs, not datasets
        assert isomorphic(first.graph(name), second.graph(name)), name


def test_unknown_store_uri() -> None:
    with pytest.raises(StoreError, match="unknown store URI"):
        open_store("ftp://nowhere")
