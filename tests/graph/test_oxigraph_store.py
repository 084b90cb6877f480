"""The embedded Oxigraph backend: bindings, formats, read-only, dump and restore."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from rdflib import Dataset, Literal, URIRef
from rdflib.compare import isomorphic

import detente.loaders
from detente.graph.store import QuerySyntaxError, ReadOnlyError, StoreError, open_store
from detente.graph.summary import summary_state
from detente.graph.terms import nquad, term_nt
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
    with pytest.raises(ValueError, match="turtle cannot hold ASK results"):
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


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(
    st.builds(Literal, st.text(max_size=12)),
    st.builds(lambda t, lang: Literal(t, lang=lang), st.text(max_size=8), st.sampled_from(["en", "fr-CA", "de"])),
    st.builds(lambda n: Literal(n), st.integers(-10**12, 10**12)),
    st.builds(lambda x: Literal(x), st.decimals(allow_nan=False, allow_infinity=False, places=3)),
    st.builds(lambda x: Literal(x), st.floats(allow_nan=False, width=32)),
    st.builds(lambda b: Literal(b), st.booleans()),
    st.builds(lambda d: Literal(d), st.dates()),
    st.builds(lambda t: Literal(t, datatype=URIRef("http://ex/dt")), st.text(max_size=6)),
    st.builds(lambda i: URIRef(f"http://ex/r{i}?q=1#f"), st.integers(0, 99)),
), min_size=1, max_size=12))
def test_results_read_as_tsv_are_the_terms_pyoxigraph_gives(values) -> None:
    """The fast result reader (SPARQL TSV, parsed once per distinct term) gives exactly what from_ox gives."""
    from detente.graph.oxigraph_store import _read_tsv, from_ox

    store = open_store("memory:")
    store.add_nquads("".join(f"<http://ex/s> <http://ex/p{i}> {term_nt(v)} .\n" for i, v in enumerate(values)))
    store.update("INSERT { <http://ex/s> <http://ex/b> _:x } WHERE {}")
    text = "SELECT ?p ?o ?unbound WHERE { <http://ex/s> ?p ?o }"
    slow = [tuple(map(from_ox, row)) for row in store._store.query(text, prefixes={})]  # type: ignore[attr-defined]
    fast = _read_tsv(store._store.query(text, prefixes={}))  # type: ignore[attr-defined]
    assert len(fast) == len(slow) == len(values) + 1
    for a, b in zip(fast, slow, strict=True):
        assert [(type(x), x, getattr(x, "datatype", None), getattr(x, "language", None)) for x in a] == \
               [(type(x), x, getattr(x, "datatype", None), getattr(x, "language", None)) for x in b]


class _OverlapProbe:
    """Stands for pyoxigraph's Store: each write takes a moment, and the most writes under way at once is kept."""

    WRITES = frozenset({"bulk_load", "bulk_extend", "load", "extend", "update", "remove_graph", "clear", "flush",
                        "backup"})

    def __init__(self, engine: object) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self.under_way = 0
        self.most = 0
        self.writes = 0

    def __getattr__(self, name: str) -> object:
        attribute = getattr(self._engine, name)
        if name not in self.WRITES:
            return attribute

        def write(*args: object, **kwargs: object) -> object:
            with self._lock:
                self.under_way += 1
                self.most, self.writes = max(self.most, self.under_way), self.writes + 1
            try:
                time.sleep(0.05)  # long enough for another thread's write to begin beside this one
                return attribute(*args, **kwargs)
            finally:
                with self._lock:
                    self.under_way -= 1

        return write

    def __len__(self) -> int:
        return len(self._engine)  # type: ignore[arg-type]


def test_writes_to_one_database_never_overlap(tmp_path: Path) -> None:
    """A fresh import writes its data, its summary and its marks from three threads: the engine sees one at a time.

    RocksDB's ingestion of a bulk load beside another write to the same database
    crashed the process now and then (SIGSEGV in IngestExternalFiles,
    pyoxigraph 0.5.13), so the store serialises its writes.
    """
    store = open_store(f"oxigraph:{tmp_path / 'db'}")
    probe = _OverlapProbe(store._store)  # type: ignore[attr-defined]
    store._store = probe  # type: ignore[attr-defined]
    reports = load_paths(store, [DEMO])
    assert sum(report.claims for report in reports) > 0 and summary_state(store) == "current"
    assert probe.writes >= 4  # data, summary records, the stale mark and its clearing
    assert probe.most == 1
    reader = store.read_only_view()  # type: ignore[attr-defined]
    assert reader._writing is store._writing  # type: ignore[attr-defined]


def _result_rows(body: bytes, result_format: str) -> list[tuple]:
    from rdflib.query import Result

    parsed = Result.parse(io.BytesIO(body), format={"xml": "xml", "json": "json", "csv": "csv", "tsv": "tsv"}[
        result_format])
    return [tuple(row) for row in parsed]


MIXED = "".join(nquad(URIRef(f"http://example.org/s{i}"), P, value, FACTS_GRAPH) for i, value in enumerate(
    [Literal("x"), Literal('a "quoted", multi-line\nvalue'), Literal("Київ", lang="uk"), Literal(314),
     Literal("2025-03-12", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")), URIRef("http://example.org/o"),
     Literal("tab\there")] * 5))


@pytest.mark.parametrize("result_format", ["json", "xml", "csv", "tsv"])
def test_solutions_written_a_row_at_a_time_equal_the_engines_own_writer(result_format: str) -> None:
    store = open_store("memory:")
    store.add_nquads(MIXED)
    query = "SELECT ?s ?o ?unbound WHERE { ?s ?p ?o } ORDER BY ?s"
    engine = store.query_serialized(query, result_format).body  # no cap: Oxigraph's writer
    ours = store.query_serialized(query, result_format, max_rows=1000, max_bytes=1 << 20)
    assert not ours.truncated and ours.cut == ""
    assert _result_rows(ours.body, result_format) == _result_rows(engine, result_format)


@pytest.mark.parametrize("result_format", ["json", "xml", "csv", "tsv"])
def test_a_body_past_max_bytes_holds_the_first_rows_that_fit(result_format: str) -> None:
    store = open_store("memory:")
    store.add_nquads(MIXED)
    query = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"
    whole = store.query_serialized(query, result_format, max_bytes=1 << 20).body
    exact = store.query_serialized(query, result_format, max_bytes=len(whole), truncate=True)
    assert exact.body == whole and not exact.truncated
    half = store.query_serialized(query, result_format, max_bytes=len(whole) // 2, truncate=True)
    assert half.truncated and half.cut == "max-bytes" and len(half.body) <= len(whole) // 2
    rows, all_rows = _result_rows(half.body, result_format), _result_rows(whole, result_format)
    assert 0 < len(rows) < len(all_rows) and rows == all_rows[:len(rows)]
    with pytest.raises(StoreError, match="larger than"):
        store.query_serialized(query, result_format, max_bytes=len(whole) // 2)
    # Rows and bytes both capped: the row cap cut first here.
    assert store.query_serialized(query, result_format, max_rows=2, max_bytes=len(whole), truncate=True).cut == \
        "max-rows"


@pytest.mark.parametrize("result_format", ["turtle", "ntriples", "rdfxml", "jsonld"])
def test_a_graph_past_max_bytes_holds_triples_that_fit(result_format: str) -> None:
    from rdflib import Graph

    store = open_store("memory:")
    store.add_nquads(MIXED)
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    whole = store.query_serialized(query, result_format).body
    half = store.query_serialized(query, result_format, max_bytes=len(whole) // 2, truncate=True)
    assert half.truncated and half.cut == "max-bytes" and len(half.body) <= len(whole) // 2
    rdflib_format = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}[result_format]
    some, every = (set(Graph().parse(data=body, format=rdflib_format)) for body in (half.body, whole))
    assert some and some < every


def test_a_cap_below_an_empty_body_is_refused_not_passed() -> None:
    """A head (its variables' names) past the cap is refused: never a body past it."""
    store = open_store("memory:")
    store.add_nquads(MIXED)
    names = " ".join(f"?variable_with_a_rather_long_name_{i}" for i in range(40))
    with pytest.raises(StoreError, match="head alone is larger than 1024 bytes"):
        store.query_serialized(f"SELECT {names} WHERE {{ FILTER(false) }}", "json", max_bytes=1024, truncate=True)
    # Turtle's prefix lines (about 1.3 kB) leave room for triples under a cap a little past them.
    turtle = store.query_serialized("CONSTRUCT WHERE { ?s ?p ?o }", "turtle", max_bytes=2000, truncate=True)
    assert turtle.cut == "max-bytes" and len(turtle.body) <= 2000 and b"example.org/s" in turtle.body
