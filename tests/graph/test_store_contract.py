"""The store contract, run on every backend: in-memory Oxigraph, on-disk Oxigraph, Virtuoso over HTTP.

Each test loads the demo corpus through the loaders and checks the same
answers on every backend, against an in-memory reference store. Virtuoso is
tested three times: through its digest-auth endpoints with the Graph Store
Protocol (``virtuoso``), through the anonymous endpoint with INSERT DATA batches
(``virtuoso-anonymous``), and with every write through Virtuoso's own loader
(``virtuoso-loader``; tests/graph/test_remote_store.py tests the bulk paths at size). The last section tests
what only the remote store does.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD

import detente.loaders
from detente.graph.claims import (
    Claim,
    Source,
    conflicts,
    get_claim,
    known_claims,
    provenance,
    resolve_claim_ref,
    stats,
    write_claims,
)
from detente.graph.remote_store import RemoteStore, inject_values, parse_nquads_lines, query_form
from detente.graph.store import QuerySyntaxError, ReadOnlyError, ResultTooLargeError, Store, StoreError, open_store
from detente.graph.terms import nquad
from detente.loaders import load_paths
from detente.ontology.vocab import DT, DTR, ENTITIES_GRAPH, FACTS_GRAPH, PROVENANCE_GRAPH, SUMMARY_GRAPH

DEMO = Path(detente.loaders.__file__).resolve().parent / "demo"
AGREEMENT = DTR["agreement/ukr-rus-314-exchange"]
BACKENDS = ["memory", "oxigraph", pytest.param("virtuoso", marks=pytest.mark.virtuoso),
            pytest.param("virtuoso-anonymous", marks=pytest.mark.virtuoso),
            pytest.param("virtuoso-loader", marks=pytest.mark.virtuoso)]


@dataclass
class Backend:
    """How to get a fresh, empty store of one backend and a read-only view of it."""

    name: str
    fresh: Callable[[], Store]
    read_only: Callable[[Store], Store]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    name = request.param
    opened: list[Store] = []
    if name == "memory":
        yield Backend(name, lambda: open_store("memory:"), lambda s: s.read_only_view())  # type: ignore[attr-defined]
    elif name == "oxigraph":
        def fresh_disk() -> Store:
            store = open_store(f"oxigraph:{tmp_path / f'store{len(opened)}'}")
            opened.append(store)
            return store

        yield Backend(name, fresh_disk, lambda s: open_store(s.uri, read_only=True))
        for store in opened:
            store.close()
    else:
        server = request.getfixturevalue("virtuoso")
        uri = {"virtuoso": server.auth_store_uri, "virtuoso-anonymous": server.store_uri,
               "virtuoso-loader": (f"{server.auth_store_uri}&loader=virtuoso&sql=127.0.0.1:{server.sql_port}"
                                   f"&spool={server.directory}&bulk=1")}[name]

        def fresh_remote() -> Store:
            # One server serves every test: "fresh" means detente's graphs dropped.
            store = RemoteStore(uri)
            store.clear()
            return store

        yield Backend(name, fresh_remote, lambda s: RemoteStore(uri, read_only=True))


def load_demo(store: Store) -> Store:
    """The demo corpus, without the derived summary graph.

    Remote endpoints do not keep one yet (tests/graph/test_summary.py checks it): the contract is about the
    data every backend holds.
    """
    load_paths(store, [DEMO])
    if store.maintains_summary:
        store.remove_graph(SUMMARY_GRAPH)
    return store


@pytest.fixture
def store(backend: Backend) -> Store:
    """A store of the backend holding the demo corpus."""
    return load_demo(backend.fresh())


@dataclass
class Reference:
    store: Store
    nquads: bytes


@pytest.fixture(scope="module")
def reference() -> Reference:
    """The demo corpus in an in-memory Oxigraph store: the answers every backend must give."""
    store = load_demo(open_store("memory:"))
    buffer = io.BytesIO()
    store.dump(buffer, "nquads")
    return Reference(store, buffer.getvalue())


def _dataset(nquads: bytes) -> Dataset:
    data = Dataset()
    data.parse(data=nquads, format="nquads")
    return data


def _graphs(data: Dataset) -> dict[str, Graph]:
    return {str(g.identifier): g for g in data.graphs() if len(g)}


def _dump_of(data: Dataset) -> bytes:
    return data.serialize(format="nquads", encoding="utf-8")


def _dump(store: Store, rdf_format: str = "nquads") -> bytes:
    buffer = io.BytesIO()
    store.dump(buffer, rdf_format)
    return buffer.getvalue()


# -- the contract -------------------------------------------------------------------

def test_stats_match_the_reference(store: Store, reference: Reference) -> None:
    got, want = stats(store), stats(reference.store)
    assert got.to_json() == want.to_json()
    assert got.claims == got.by_type[str(DT.Claim)] >= 14
    assert got.facts == store.count_quads(FACTS_GRAPH) > 0
    assert got.quads == store.count_quads() > got.facts


def test_provenance_of_the_314_claim(store: Store) -> None:
    report = provenance(store, AGREEMENT, DT.prisonerCount, Literal(314))
    assert len(report.supporting) == 2
    assert len(report.disagreeing) == 1
    assert {c.key for c in report.supporting} == {"ki-exchange-agreed", "mw-exchange-agreed"}
    assert [o for c in report.disagreeing for s, p, o in c.statements if p == DT.prisonerCount] == [Literal(300)]
    assert report.to_json()["sources"] == 2


def test_conflicts_list_both_values(store: Store, reference: Reference) -> None:
    found = [(c.subject, c.predicate, {v: sorted(r.key for r in rs) for v, rs in c.values.items()})
             for c in conflicts(store)]
    want = [(c.subject, c.predicate, {v: sorted(r.key for r in rs) for v, rs in c.values.items()})
            for c in conflicts(reference.store)]
    assert found == want
    assert (AGREEMENT, DT.prisonerCount) in [(s, p) for s, p, _ in found]
    values = next(v for s, p, v in found if s == AGREEMENT)
    assert set(values) == {"300", "314"} and len(values["314"]) == 2


def test_claim_lookup_by_key(store: Store, reference: Reference) -> None:
    iri = resolve_claim_ref(store, "ki-exchange-agreed")
    assert iri is not None and iri == resolve_claim_ref(reference.store, "ki-exchange-agreed")
    assert resolve_claim_ref(store, iri.removeprefix(str(DTR) + "claim/")) == iri
    record = get_claim(store, iri)
    assert record is not None
    assert record.to_json() == get_claim(reference.store, iri).to_json()  # type: ignore[union-attr]
    assert (AGREEMENT, DT.prisonerCount, Literal(314)) in record.statements
    assert record.said_by == DTR["person/us-special-envoy"] and record.quote and "314" in record.quote
    assert resolve_claim_ref(store, "no-such-claim") is None


TRICKY_LITERALS = [
    Literal('He said "314" prisoners'),
    Literal("line one\nline two\r\nthree\tafter a tab"),
    Literal("back\\slash and \\n that is not a newline"),
    Literal("Київ – Kyiv ✓ 🕊"),
    Literal("Київ", lang="uk"),
    Literal("Kyiv", lang="en-GB"),
    Literal('x" } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> "c'),
    Literal("'single' and '''triple''' quotes"),
    Literal("2025-03-12", datatype=XSD.date),
    Literal(314),
]


def test_bindings_with_tricky_literals(backend: Backend) -> None:
    store = backend.fresh()
    subjects = [DTR[f"test/tricky-{i}"] for i in range(len(TRICKY_LITERALS))]
    store.add_nquads("".join(nquad(s, DT.quote, o, FACTS_GRAPH)
                             for s, o in zip(subjects, TRICKY_LITERALS, strict=True)))
    before = store.count_quads()
    assert before == len(TRICKY_LITERALS)
    for subject, literal in zip(subjects, TRICKY_LITERALS, strict=True):
        rows = store.query("SELECT ?s ?o WHERE { ?s dt:quote ?o }", bindings={"o": literal}).rows
        assert rows == [(subject, literal)], literal
        assert str(rows[0][1]) == str(literal)
        assert store.query("ASK { ?s dt:quote ?o }", bindings={"s": subject, "o": literal}).boolean
        back = store.query("SELECT ?o ?s WHERE { ?s dt:quote ?o }", bindings={"s": subject}).rows
        assert [str(o) for o, _ in back] == [str(literal)]
    assert not store.query("ASK { ?s dt:quote ?o }", bindings={"o": Literal("Kyiv", lang="fr")}).boolean
    assert store.count_quads() == before
    # An update with bindings touches exactly the bound triple.
    injection = TRICKY_LITERALS[6]
    store.update("DELETE { ?s dt:quote ?o } INSERT { ?s rdfs:comment ?o } WHERE { ?s dt:quote ?o }",
                 bindings={"o": injection})
    assert store.query("SELECT ?s ?o WHERE { ?s rdfs:comment ?o }").rows == [(subjects[6], injection)]
    assert store.count_quads() == before


def test_bindings_refuse_what_cannot_be_serialised_safely(backend: Backend) -> None:
    store = backend.fresh()
    with pytest.raises(ValueError, match="not a valid IRI for SPARQL"):
        store.query("SELECT ?s WHERE { ?s ?p ?o }", bindings={"s": URIRef("http://ex/a> } ; DROP ALL ; #")})
    with pytest.raises(ValueError, match="not a valid IRI"):
        store.add_nquads(nquad(URIRef("http://ex/a b"), RDF.type, DT.Claim, PROVENANCE_GRAPH))


def test_select_ask_construct(store: Store, reference: Reference) -> None:
    select = ("SELECT ?party ?label ?a WHERE { ?a dt:hasParty ?party OPTIONAL { ?party rdfs:label ?label "
              "FILTER(LANG(?label) = 'xx') } } ORDER BY ?party")
    result = store.query(select, bindings={"a": AGREEMENT})
    want = reference.store.query(select, bindings={"a": AGREEMENT})
    assert result.variables == want.variables == ["party", "label", "a"]
    assert result.rows == want.rows and len(result.rows) == 2
    assert all(label is None and a == AGREEMENT for _, label, a in result.rows)
    with pytest.raises(QuerySyntaxError):
        store.query("SELECT ?party WHERE { ?a dt:hasParty ?party }", bindings={"a": AGREEMENT})
    assert store.query("SELECT ?p WHERE { ?s ?p ?o }", max_rows=3).rows.__len__() == 3
    assert store.query("ASK { ?a dt:prisonerCount 314 }", bindings={"a": AGREEMENT}).boolean is True
    assert store.query("ASK { ?a dt:prisonerCount 315 }", bindings={"a": AGREEMENT}).boolean is False
    construct = "CONSTRUCT { ?a ?p ?o } WHERE { ?a ?p ?o }"
    got = store.query(construct, bindings={"a": AGREEMENT})
    assert got.kind == "graph" and len(got.triples) > 5
    assert set(got.triples) == set(reference.store.query(construct, bindings={"a": AGREEMENT}).triples)
    short = store.query("CONSTRUCT WHERE { ?a dt:prisonerCount ?n }", bindings={"a": AGREEMENT})
    assert {t[2] for t in short.triples} == {Literal(300), Literal(314)}
    # GRAPH ?claim sees each claim's own assertions.
    rows = store.query("SELECT DISTINCT ?claim ?a ?n WHERE { GRAPH ?claim { ?a dt:prisonerCount ?n } "
                       "?claim a dt:Claim }",
                       bindings={"a": AGREEMENT, "n": Literal(314)}).rows
    assert len(rows) == 2
    assert store.query("SELECT ?s WHERE { ?s ?p ?o }", default_graphs=[]).rows == []
    named = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[PROVENANCE_GRAPH]).rows
    assert named == [(PROVENANCE_GRAPH,)]
    assert store.query("ASK { GRAPH ?g { ?s ?p ?o } }", named_graphs=[]).boolean is False
    with pytest.raises(QuerySyntaxError):
        store.query("SELECT ?s WHERE { ?s ?p }")


def test_query_serialized(store: Store) -> None:
    text = f"SELECT ?n WHERE {{ <{AGREEMENT}> dt:prisonerCount ?n }} ORDER BY ?n"
    as_json = store.query_serialized(text, "json")
    assert as_json.media_type == "application/sparql-results+json" and as_json.kind == "select"
    assert [b["n"]["value"] for b in json.loads(as_json.body)["results"]["bindings"]] == ["300", "314"]
    as_csv = store.query_serialized(text, "csv")
    assert list(csv.reader(io.StringIO(as_csv.body.decode("utf-8")))) == [["n"], ["300"], ["314"]]
    ask = store.query_serialized(f"ASK {{ <{AGREEMENT}> dt:prisonerCount 314 }}", "json")
    assert json.loads(ask.body)["boolean"] is True
    turtle = store.query_serialized(f"CONSTRUCT {{ <{AGREEMENT}> ?p ?o }} WHERE {{ <{AGREEMENT}> ?p ?o }}", "turtle")
    graph = Graph().parse(data=turtle.body, format="turtle")
    assert (AGREEMENT, DT.prisonerCount, Literal(314)) in graph and turtle.media_type == "text/turtle"
    with pytest.raises(ValueError, match="turtle cannot hold SELECT results"):
        store.query_serialized(text, "turtle")
    with pytest.raises(StoreError):
        store.query_serialized(text, "json", max_rows=1)


def test_a_body_past_max_bytes_is_cut_or_refused(store: Store) -> None:
    """Every backend keeps a result body within ``max_bytes``.

    Past it, solutions are refused without ``truncate``; graphs are cut to the triples that fit with it.
    """
    text = f"SELECT ?p ?o WHERE {{ <{AGREEMENT}> ?p ?o }}"
    whole = store.query_serialized(text, "json").body
    with pytest.raises(ResultTooLargeError, match="larger than"):
        store.query_serialized(text, "json", max_bytes=len(whole) // 2)
    construct = f"CONSTRUCT {{ <{AGREEMENT}> ?p ?o }} WHERE {{ <{AGREEMENT}> ?p ?o }}"
    full = store.query_serialized(construct, "ntriples").body
    cut = store.query_serialized(construct, "ntriples", max_bytes=len(full) // 2, truncate=True)
    assert cut.truncated and cut.cut == "max-bytes" and 0 < len(cut.body) <= len(full) // 2
    assert set(cut.body.decode().splitlines()) < set(full.decode().splitlines())


def test_reload_adds_nothing(backend: Backend) -> None:
    store = backend.fresh()
    load_paths(store, [DEMO])  # with its summary, where the backend keeps one: reloading changes it neither
    before = store.count_quads()
    reports = load_paths(store, [DEMO])
    assert sum(r.new_claims for r in reports) == 0
    assert store.count_quads() == before


def test_write_claims_counts_new_claims_in_batches(backend: Backend) -> None:
    store = backend.fresh()
    source = Source.from_metadata(url="https://example.org/contract/many")
    claims = [Claim(statements=[(DTR[f"agreement/contract-{i}"], DT.prisonerCount, Literal(i))], source=source,
                    quote=f"quote {i}") for i in range(1100)]
    assert write_claims(store, claims[:600]) == 600
    before = store.count_quads()
    assert write_claims(store, claims) == 500
    assert write_claims(store, claims) == 0
    assert store.count_quads() > before
    assert known_claims(store, [c.iri for c in claims] + [DTR["claim/none"]]) == {c.iri for c in claims}


def test_read_only_refuses_writes(store: Store, backend: Backend) -> None:
    view = backend.read_only(store)
    before = store.count_quads()
    assert view.read_only and view.count_quads() == before
    assert view.query("ASK { ?c a dt:Claim }").boolean
    writes: list[Callable[[], object]] = [
        lambda: view.add_nquads(nquad(DTR["x"], RDF.type, DT.Claim, PROVENANCE_GRAPH)),
        lambda: view.update("INSERT DATA { GRAPH dtr:graph\\/x { dtr:x a dt:Claim } }"),
        lambda: view.load(b"<urn:a> <urn:b> <urn:c> .\n", "ntriples"),
        lambda: view.remove_graph(PROVENANCE_GRAPH),
        view.clear,
        lambda: load_paths(view, [DEMO / "pretoria.yaml"]),
    ]
    for write in writes:
        with pytest.raises(ReadOnlyError):
            write()
    assert store.count_quads() == before


def test_named_graphs_listed(store: Store, reference: Reference) -> None:
    graphs = set(store.named_graphs())
    assert graphs == set(reference.store.named_graphs())
    assert {PROVENANCE_GRAPH, ENTITIES_GRAPH} <= graphs and FACTS_GRAPH not in graphs
    claims = {row[0] for row in store.query("SELECT ?c WHERE { ?c a dt:Claim }").rows}
    assert claims <= graphs and len(claims) == stats(store).claims


def test_dump_restores_isomorphic(store: Store, backend: Backend, reference: Reference) -> None:
    dumped = _dump(store)
    assert _graphs(_dataset(dumped)).keys() == _graphs(_dataset(reference.nquads)).keys()
    for name, graph in _graphs(_dataset(dumped)).items():
        assert isomorphic(graph, _graphs(_dataset(reference.nquads))[name]), name
    trig = _dump(store, "trig")
    count = store.count_quads()
    fresh = backend.fresh()
    assert fresh.count_quads() == 0
    fresh.load(dumped, "nquads")
    assert fresh.count_quads() == count
    again = _graphs(_dataset(_dump(fresh)))
    for name, graph in _graphs(_dataset(dumped)).items():
        assert isomorphic(graph, again[name]), name
    assert stats(fresh).to_json() == stats(reference.store).to_json()
    fresh.clear()
    fresh.load(trig, "trig")
    assert fresh.count_quads() == count
    one = io.BytesIO()
    fresh.dump(one, "turtle", graph=ENTITIES_GRAPH)
    assert len(Graph().parse(data=one.getvalue(), format="turtle")) == fresh.count_quads(ENTITIES_GRAPH) > 0


def test_remove_graph_and_clear(store: Store) -> None:
    claim = resolve_claim_ref(store, "ki-confirms")
    assert claim is not None and store.count_quads(claim) > 0
    before = store.count_quads()
    store.remove_graph(claim)
    assert store.count_quads(claim) == 0 and claim not in set(store.named_graphs())
    assert store.count_quads() < before
    store.clear()
    assert store.count_quads() == 0 and list(store.named_graphs()) == []


def test_load_single_graph_formats(backend: Backend) -> None:
    store = backend.fresh()
    turtle = ('@prefix dt: <https://w3id.org/detente/ontology#> .\n'
              '<https://w3id.org/detente/id/state/UKR> dt:note "Україна \\"quoted\\"", _:b1 .\n'
              '_:b1 dt:note "blank" .\n')
    store.load(turtle, "turtle")
    assert store.count_quads(FACTS_GRAPH) == 3
    other = URIRef("http://example.org/elsewhere")
    store.load(turtle.encode("utf-8"), "turtle", graph=other)
    assert store.count_quads(other) == 3 and other in set(store.named_graphs())
    rows = store.query("SELECT ?v ?g WHERE { GRAPH ?g { ?x dt:note ?b . ?b dt:note ?v } }", bindings={"g": other}).rows
    assert rows == [(Literal("blank"), other)]
    assert store.count_quads() == 6
    # Blank nodes survive a dump and a restore into the emptied store.
    dumped = _dataset(_dump(store))
    store.clear()
    assert store.count_quads() == 0
    store.load(_dump_of(dumped), "nquads")
    restored = _graphs(_dataset(_dump(store)))
    assert restored.keys() == _graphs(dumped).keys()
    assert all(isomorphic(graph, restored[name]) for name, graph in _graphs(dumped).items())
    store.clear()
    assert store.count_quads() == 0 and store.count_quads(other) == 0
    with pytest.raises(StoreError):
        store.load("<urn:a> <urn:b> .", "ntriples")


# -- what only the remote store does ------------------------------------------------------

def test_remote_uri_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETENTE_REMOTE_USER", "alice")
    monkeypatch.setenv("DETENTE_REMOTE_PASSWORD", "secret")
    store = RemoteStore("sparql+https://db.example/sparql?gsp=/sparql-graph-crud-auth&apikey=k&timeout=5")
    assert store.endpoint == "https://db.example/sparql?apikey=k"
    assert store.update_endpoint == store.endpoint
    assert store.gsp_endpoint == "https://db.example/sparql-graph-crud-auth"
    assert store.user == "alice" and store.timeout == 5.0
    shown = RemoteStore("sparql+http://h:1/sparql?user=dba&password=hunter2").uri
    assert "hunter2" not in shown and shown.startswith("sparql+http://h:1/sparql")
    assert isinstance(open_store("sparql+http://h:1/sparql"), RemoteStore)
    with pytest.raises(StoreError):
        RemoteStore("sparql+http:///sparql")


def test_values_injection_places() -> None:
    c = {"c": URIRef("http://ex/c")}
    assert query_form("# ASK\nPREFIX x: <http://ex/where#select>\nDESCRIBE ?c") == "graph"
    assert inject_values('SELECT ?c WHERE { ?c dt:quote "WHERE {" }', c) == \
        'SELECT ?c WHERE { VALUES (?c) { (<http://ex/c>) } ?c dt:quote "WHERE {" }'
    assert inject_values("CONSTRUCT { ?c a dt:Claim } { ?c ?p ?o }", c) == \
        "CONSTRUCT { ?c a dt:Claim } { VALUES (?c) { (<http://ex/c>) } ?c ?p ?o }"
    assert inject_values("DELETE WHERE { ?c ?p ?o }", c, update=True) == \
        "DELETE { ?c ?p ?o } WHERE { VALUES (?c) { (<http://ex/c>) } ?c ?p ?o }"
    update = inject_values("DELETE { ?c ?p ?o } WHERE { ?c ?p ?o } ; INSERT { ?c a dt:X } WHERE { ?c a dt:Y }", c,
                           update=True)
    assert update.count("VALUES (?c)") == 2
    with pytest.raises(ValueError, match="bindings need an update with a WHERE clause"):
        inject_values("INSERT DATA { <urn:a> <urn:b> <urn:c> }", c, update=True)
    with pytest.raises(ValueError, match="not a SPARQL variable name"):
        inject_values("SELECT * { ?s ?p ?o }", {"bad name": Literal(1)})


def test_nquads_lines_are_validated() -> None:
    quads = parse_nquads_lines('<urn:a> <urn:p> "x"@en-GB <urn:g> .\n# comment\n\n_:b <urn:p> "\\u00e9" .\n')
    assert [(q.graph, q.has_bnode) for q in quads] == [("<urn:g>", False), (f"<{FACTS_GRAPH}>", True)]
    for bad in ['<urn:a> <urn:p> "x" } .', "<urn:a> <urn:p> <urn:o> _:g .", '<urn:a b> <urn:p> "x" .']:
        with pytest.raises(StoreError, match="line 1"):
            parse_nquads_lines(bad)


def test_remote_clear_keeps_server_graphs(virtuoso) -> None:  # type: ignore[no-untyped-def]
    store = RemoteStore(virtuoso.auth_store_uri)
    system = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!STRSTARTS(STR(?g), STR(dtr:))) }"
    before = store.query(system, default_graphs=[]).rows[0][0]
    assert int(before) > 0  # Virtuoso's own graphs (virtrdf, …)
    load_paths(store, [DEMO])
    store.clear()
    assert store.query(system, default_graphs=[]).rows[0][0] == before
    assert store.count_quads() == 0


def test_remote_chunks_large_writes(virtuoso) -> None:  # type: ignore[no-untyped-def]
    store = RemoteStore(virtuoso.store_uri + "?chunk=40")
    store.clear()
    load_paths(store, [DEMO])
    reference = load_demo(open_store("memory:"))
    assert store.count_quads() == reference.count_quads()
    # A chunk too big for Virtuoso's SPARQL compiler is split and retried.
    big = RemoteStore(virtuoso.store_uri + "?chunk=20000")
    text = "".join(nquad(DTR[f"test/n{i}"], RDFS.label, Literal(f"label {i}"), DTR[f"test/g{i % 700}"])
                   for i in range(6000))
    big.add_nquads(text)
    assert big.count_quads() == reference.count_quads() + 6000 and big.chunk < 20000
    big.clear()


def test_remote_errors_are_clear(virtuoso) -> None:  # type: ignore[no-untyped-def]
    from virtuoso_server import free_port

    with pytest.raises(StoreError, match="cannot reach"):
        RemoteStore(f"sparql+http://127.0.0.1:{free_port()}/sparql?timeout=5").query("ASK { ?s ?p ?o }")
    wrong = RemoteStore(f"sparql+http://127.0.0.1:{virtuoso.http_port}/sparql?update=/sparql-auth"
                        "&user=dba&password=wrong")
    with pytest.raises(StoreError, match="refused access"):
        wrong.add_nquads(nquad(DTR["x"], RDF.type, DT.Claim, PROVENANCE_GRAPH))
    store = RemoteStore(virtuoso.store_uri)
    with pytest.raises(QuerySyntaxError, match="SP030"):
        store.query("SELECT ?s WHERE { ?s ?p }")
    with pytest.raises(StoreError, match="HTTP 404"):
        RemoteStore(f"sparql+http://127.0.0.1:{virtuoso.http_port}/no-such-endpoint").query("ASK { ?s ?p ?o }")


def test_remote_truncated_results_are_not_silent(virtuoso_small_results) -> None:  # type: ignore[no-untyped-def]
    store = RemoteStore(virtuoso_small_results.store_uri)
    store.clear()
    load_paths(store, [DEMO])
    with pytest.raises(StoreError, match="ResultSetMaxRows"):
        store.query("SELECT ?c WHERE { ?c a dt:Claim }")
    assert len(store.query("SELECT ?c WHERE { ?c a dt:Claim }", max_rows=3).rows) == 3
    # Listings and dumps page below the server's cap.
    reference = load_demo(open_store("memory:"))
    assert set(store.named_graphs()) == set(reference.named_graphs())
    assert len(list(_dataset(_dump(store)).quads())) == len(list(_dataset(_dump(reference)).quads()))
