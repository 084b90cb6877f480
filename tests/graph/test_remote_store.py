"""The remote store's bulk paths (Virtuoso's loader, Graph Store Protocol) give the answers of the embedded store.

Claims loaded in bulk into Virtuoso must read back as they do from an in-memory
Oxigraph store holding the same claims: every claim record, the provenance of
every statement, the conflict listing and its pages, the statistics and the
dump. The per-request ``INSERT DATA`` path is the contract's own (see
test_store_contract.py, whose backends also take these paths for the demo).
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD

from detente.errors import StoreError
from detente.graph.claims import claim_records, conflicts, get_claim, provenance, stats
from detente.graph.conflict_listing import conflict_page
from detente.graph.location import StoreLocation
from detente.graph.remote_store import RemoteStore, loader_lines, parse_nquads_lines
from detente.graph.store import Store, open_store
from detente.graph.terms import nquad
from detente.graph.virtuoso_loader import DEADLOCK_RETRIES, WORKERS, LoaderDeadlock, LoadSession, line_ranges
from detente.graph.writes import write_claims
from detente.ontology.vocab import DT, DTR, FACTS_GRAPH, PROVENANCE_GRAPH, SUMMARY_GRAPH

from virtuoso_server import VirtuosoServer, start_virtuoso


def loader_uri(server: VirtuosoServer, **extra: object) -> str:
    """Virtuoso's own loader through its SQL port, spooling files into a folder the server may read."""
    options = "".join(f"&{key}={value}" for key, value in extra.items())
    return (f"{server.auth_store_uri}&loader=virtuoso&sql=127.0.0.1:{server.sql_port}"
            f"&spool={server.directory}{options}")


def _claims() -> list:
    from benchmarks.synthetic import synthetic_claims

    # Few events for many claims: conflicting prisoner counts and shared sources everywhere.
    return list(synthetic_claims(600, seed=13, events=40, publishers=9))


@pytest.fixture(scope="module")
def embedded() -> Store:
    store = open_store("memory:")
    write_claims(store, _claims())
    store.remove_graph(SUMMARY_GRAPH)  # remote stores keep no summary: compare the data both hold
    return store


@pytest.fixture(params=["loader", "gsp"])
def remote(request: pytest.FixtureRequest, virtuoso: VirtuosoServer) -> Iterator[RemoteStore]:
    """The same claims written through one bulk path (small batches: several files or POSTs per load)."""
    uri = loader_uri(virtuoso, batch=1500) if request.param == "loader" else virtuoso.auth_store_uri + "&batch=1500"
    store = RemoteStore(uri)
    store.clear()
    write_claims(store, _claims())
    yield store
    store.clear()


def _claim_iris(store: Store) -> list[URIRef]:
    return sorted((r[0] for r in store.query("SELECT ?c WHERE { ?c a dt:Claim }").rows), key=str)  # type: ignore[misc]


def _dataset(store: Store) -> dict[str, Graph]:
    buffer = io.BytesIO()
    store.dump(buffer, "nquads")
    data = Dataset()
    data.parse(data=buffer.getvalue(), format="nquads")
    return {str(g.identifier): g for g in data.graphs() if len(g)}


def test_bulk_loaded_claims_read_as_embedded(remote: RemoteStore, embedded: Store) -> None:
    assert remote.pending_loads() == []
    claims = _claim_iris(remote)
    assert claims == _claim_iris(embedded) and len(claims) == 600
    assert claim_records(remote, claims, batch=97) == claim_records(embedded, claims)
    assert get_claim(remote, claims[0]) == get_claim(embedded, claims[0])
    assert stats(remote).to_json() == stats(embedded).to_json()


def test_bulk_loaded_provenance_and_conflicts_as_embedded(remote: RemoteStore, embedded: Store) -> None:
    rows = embedded.query("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?c { ?s ?p ?o } ?c a dt:Claim } "
                          "ORDER BY ?s ?p ?o").rows
    for s, p, o in rows[::7]:
        for pattern in ((s, p, o), (s, p, None)):
            assert provenance(remote, *pattern).to_json() == provenance(embedded, *pattern).to_json(), pattern
    listing = conflicts(remote)
    assert [c.to_json() for c in listing] == [c.to_json() for c in conflicts(embedded)]
    assert len(listing) > 5
    page, want = conflict_page(remote, limit=4, offset=3), conflict_page(embedded, limit=4, offset=3)
    assert page.total == want.total == len(listing)
    assert [c.to_json() for c in page.conflicts] == [c.to_json() for c in want.conflicts] and page.conflicts


def test_bulk_loaded_dump_is_the_embedded_dump(remote: RemoteStore, embedded: Store) -> None:
    got, want = _dataset(remote), _dataset(embedded)
    assert got.keys() == want.keys()
    assert all(isomorphic(graph, want[name]) for name, graph in got.items())


TRICKY = [Literal('He said "314"'), Literal("line one\nline two\r\n\tend"), Literal("back\\slash \\n"),
          Literal("Київ – ✓ 🕊"), Literal("Київ", lang="uk"), Literal("Kyiv", lang="en-GB"),
          Literal("2025-03-12", datatype=XSD.date), Literal(314), Literal("3.50", datatype=XSD.decimal),
          Literal('x" } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> "c')]


@pytest.mark.parametrize("path", ["loader", "gsp"])
def test_bulk_paths_keep_terms_blank_nodes_and_foreign_graphs(path: str, virtuoso: VirtuosoServer) -> None:
    uri = loader_uri(virtuoso, bulk=1, batch=300) if path == "loader" else virtuoso.auth_store_uri + "&bulk=1&batch=300"
    store, reference = RemoteStore(uri), open_store("memory:")
    store.clear()
    foreign = URIRef("http://example.org/elsewhere")
    text = "".join(nquad(DTR[f"test/t{i}"], DT.quote, TRICKY[i % len(TRICKY)], DTR["test/big"]) for i in range(400))
    text += "".join(nquad(DTR[f"test/n{i}"], RDFS.label, Literal(f"n {i}"), DTR[f"test/g{i % 90}"]) for i in range(700))
    text += "".join(nquad(DTR[f"test/f{i}"], RDFS.label, Literal(f"f {i}"), foreign) for i in range(60))
    text += '_:b1 <http://ex/p> _:b2 .\n_:b2 <http://ex/p> "leaf" .\n<http://ex/x> <http://ex/p> _:b1 <http://ex/g> .\n'
    for target in (store, reference):
        target.add_nquads(text)
    assert store.pending_loads() == []
    assert store.count_quads() == reference.count_quads() == 1163
    got, want = _dataset(store), _dataset(reference)
    assert got.keys() == want.keys() and str(foreign) in got
    assert all(isomorphic(graph, want[name]) for name, graph in got.items())
    for literal in TRICKY:
        rows = store.query("SELECT ?s ?o WHERE { GRAPH ?g { ?s dt:quote ?o } }", bindings={"o": literal},
                           named_graphs=[DTR["test/big"]]).rows
        # (Virtuoso canonicalises decimals, as the remote store's notes say: compare values.)
        assert len(rows) == 40 and {o.toPython() for _, o in rows} == {literal.toPython()}, literal
    store.clear()
    assert store.count_quads() == 0 and store.count_quads(foreign) == 0


def test_interrupted_load_is_marked_and_the_same_load_completes_it(virtuoso: VirtuosoServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from virtuoso_server import free_port

    text = "".join(nquad(DTR[f"test/i{i}"], RDFS.label, Literal(f"i {i}"), DTR[f"test/ig{i % 50}"])
                   for i in range(3000)) + nquad(DTR["test/i0"], RDFS.label, Literal("fact"), FACTS_GRAPH)
    good = RemoteStore(loader_uri(virtuoso, batch=500))
    good.clear()
    # The SQL port is wrong: the mark is written over HTTP, then the loader fails.
    broken = RemoteStore(f"{virtuoso.auth_store_uri}&loader=virtuoso&sql=127.0.0.1:{free_port()}"
                         f"&spool={virtuoso.directory}&timeout=20")
    with pytest.raises(StoreError, match="loader"):
        broken.add_nquads(text)
    assert len(good.pending_loads()) == 1
    assert not list(virtuoso.directory.glob("detente-load-*"))  # spool files are removed either way
    good.add_nquads(text)  # the same load again: completes and clears its mark
    assert good.pending_loads() == [] and good.count_quads() == 3001
    good.clear()



def _statements(lines: list[str]) -> set[tuple[str, str]]:
    """(triple, graph) of each line, read by the strict line parser (graph-less lines: the facts graph)."""
    return {(q.triple, q.graph) for q in parse_nquads_lines("\n".join(lines))}


@pytest.mark.parametrize("extra", ["", "# a comment line: the line-by-line path\n\n"])
def test_loader_lines_hold_what_the_line_parser_reads(extra: str) -> None:
    """The one-scan split (or, for a text it does not take, the line parser's) loses and invents nothing."""
    text = "".join(nquad(DTR[f"test/t{i}"], DT.quote, TRICKY[i % len(TRICKY)], DTR[f"test/g{i % 7}"])
                   for i in range(60))
    text += "".join(nquad(DTR[f"test/c{i}"], DT.quote, TRICKY[i % len(TRICKY)], PROVENANCE_GRAPH) for i in range(30))
    text += "".join(nquad(DTR[f"test/f{i % 9}"], RDFS.label, Literal("fact"), None) for i in range(40))  # repeats
    text += '_:b1 <http://ex/p> _:b2 .\n<http://ex/x> <http://ex/p> _:b1 <http://ex/g> .\n'
    text += '<http://ex/_:not-a-blank-node> <http://ex/p> "_:" <http://ex/h> .\n'
    parts = loader_lines(extra + text)
    everything = parts.plain + parts.blank + parts.provenance
    assert len(everything) == len(set(everything)) == 60 + 30 + 9 + 3
    assert _statements(everything) == {(q.triple, q.graph) for q in parse_nquads_lines(text)}
    assert _statements(parts.provenance) == {(q.triple, q.graph) for q in parse_nquads_lines(text)
                                             if q.graph == f"<{PROVENANCE_GRAPH}>"}
    assert all("_:" in line for line in parts.blank) and not any("_:" in line for line in parts.plain)
    assert {"<http://ex/g>", "<http://ex/h>", f"<{PROVENANCE_GRAPH}>"} <= parts.graphs


@pytest.mark.parametrize("lines", [1, 7, 40, 10_000])
def test_loader_call_ranges_cover_a_file_at_line_ends(lines: int) -> None:
    """A file is loaded by calls over byte ranges: together they are the file, each ends a line (multi-byte text)."""
    text = "".join(nquad(DTR[f"test/r{i}"], RDFS.label, TRICKY[i % len(TRICKY)], DTR["test/rg"]) for i in range(300))
    data = text.encode("utf-8")
    ranges = line_ranges(data, lines)
    assert b"".join(data[start:end] for start, end in ranges) == data
    assert all(data[end - 1:end] == b"\n" for _, end in ranges)
    assert ranges[0][0] == 0 and all(a_end == b_start for (_, a_end), (b_start, _) in pairwise(ranges))
    assert len(ranges) == 1 if lines >= 300 else len(ranges) >= 300 // lines // 2


class _ScriptedLoader:
    """A stand-in for VirtuosoLoader in a LoadSession: records each call and fails the ones it is told to."""

    def __init__(self, spool: Path, deadlocks: int = 0, at_range: int = 1) -> None:
        self.spool, self.call_lines = spool, 2
        self.deadlocks, self.at_range = deadlocks, at_range  # calls that deadlock, and at which of their ranges
        self.calls: list[tuple[str, float, float]] = []
        self.lock = threading.Lock()

    def _run(self, isql: str, statements: list[str]) -> None:
        began = time.perf_counter()
        time.sleep(0.02)
        with self.lock:
            self.calls.append((statements[0], began, time.perf_counter()))
            calls = statements[0].split("; ")[1:]  # after log_enable: a TTLP_MT call per range
            if self.deadlocks and len(calls) > self.at_range:
                self.deadlocks -= 1
                output = f"*** Error 40001: Transaction deadlock at line 0 of Top-Level: {calls[self.at_range]}"
                raise LoaderDeadlock("deadlock", output)


def _session(loader: _ScriptedLoader) -> LoadSession:
    return LoadSession(loader, "isql", "urn:g")  # type: ignore[arg-type]


def test_a_deadlocked_loader_call_runs_again_from_the_range_it_stopped_at(tmp_path: Path) -> None:
    """The calls before the rolled-back one are done: only it and those after it run again."""
    loader = _ScriptedLoader(tmp_path, deadlocks=1)
    session = _session(loader)
    session.submit("".join(f"<urn:s{i}> <urn:p> <urn:o> .\n" for i in range(6)))  # 3 ranges of 2 lines
    session.wait()
    session.close()
    first, again = (statement for statement, _, _ in loader.calls)
    assert first.count("TTLP_MT") == 3 and again.count("TTLP_MT") == 2
    assert again.split("; ")[1] == first.split("; ")[2]
    assert not session.failures and not list(tmp_path.iterdir())


def test_deadlocks_past_the_retries_and_blank_node_files_fail(tmp_path: Path) -> None:
    """A call deadlocked more than DEADLOCK_RETRIES times fails; a file with blank nodes is never run twice."""
    loader = _ScriptedLoader(tmp_path, deadlocks=DEADLOCK_RETRIES + 1, at_range=0)
    session = _session(loader)
    session.submit("".join(f"<urn:s{i}> <urn:p> <urn:o> .\n" for i in range(6)))
    with pytest.raises(LoaderDeadlock):
        session.wait()
    session.close()
    assert len(loader.calls) == DEADLOCK_RETRIES + 1

    def deadlock_once(isql: str, statements: list[str]) -> None:
        loader.calls.append((statements[0], 0.0, 0.0))
        raise LoaderDeadlock("deadlock", f"*** Error 40001: Transaction deadlock at line 0 of Top-Level: "
                                         f"{statements[0]}")

    loader.calls.clear()
    loader._run = deadlock_once  # type: ignore[method-assign]
    session = _session(loader)
    session.submit("_:b <urn:p> <urn:o> .\n_:b <urn:p> <urn:o2> .\n_:b <urn:p> <urn:o3> .\n")
    with pytest.raises(LoaderDeadlock):
        session.wait()
    session.close()
    assert len(loader.calls) == 1


def test_files_submitted_after_wait_start_once_the_earlier_ones_are_in(tmp_path: Path) -> None:
    """Files load two at a time; wait() is the order point the provenance graph relies on."""
    loader = _ScriptedLoader(tmp_path)
    session = _session(loader)
    for i in range(4):
        session.submit(f"<urn:s{i}> <urn:p> <urn:o> .\n")
    session.wait()
    session.submit("<urn:last> <urn:p> <urn:o> .\n")
    session.close()
    *earlier, (last, last_start, _) = sorted(loader.calls, key=lambda call: call[1])
    assert "detente-load-" in last and last_start >= max(end for _, _, end in earlier)
    assert len(earlier) == 4 and any(a_end > b_start for (_, _, a_end), (_, b_start, _) in pairwise(earlier))


@pytest.mark.parametrize(("printed", "raised"), [
    ("*** Error 40001: [Virtuoso Driver][Virtuoso Server]SR...: Transaction deadlock", LoaderDeadlock),
    ("*** Error 42000: [Virtuoso Driver][Virtuoso Server]FA003: Access to /x is denied", StoreError),
])
def test_the_client_output_says_which_error_it_was(tmp_path: Path, printed: str, raised: type) -> None:
    """Virtuoso's client reports errors on stdout and may exit 0: a deadlock is told apart, with its output."""
    from detente.graph.virtuoso_loader import VirtuosoLoader

    client = tmp_path / "isql"
    quoted = "DB.DBA.TTLP_MT (file_to_string_output ('/s/f.nq', 0, 10), '', 'urn:g', 512, 2, 3)"
    client.write_text(f"#!/bin/sh\necho '{printed}'\necho 'at line 0 of Top-Level:'\necho \"{quoted}\"\nexit 0\n")
    client.chmod(0o755)
    loader = VirtuosoLoader("127.0.0.1:1111", tmp_path, "dba", "secret", 60)
    with pytest.raises(StoreError) as caught:
        loader._run(str(client), ["checkpoint;"])
    assert type(caught.value) is raised
    if raised is LoaderDeadlock:
        assert quoted in caught.value.output  # type: ignore[attr-defined]
    else:
        assert "DirsAllowed" in str(caught.value)


def test_a_load_cut_short_loads_no_waiting_file_and_leaves_no_spool_file(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """An error in the caller's block stops the session: files still waiting are not loaded, nor checkpointed."""
    from detente.graph import virtuoso_loader

    monkeypatch.setattr(virtuoso_loader, "find_isql", lambda: "isql")
    loader = virtuoso_loader.VirtuosoLoader("127.0.0.1:1111", tmp_path, None, None, 60, call_lines=2)
    ran: list[str] = []
    started = threading.Event()

    def slow_run(isql: str, statements: list[str]) -> None:
        started.set()
        time.sleep(0.5)  # the caller submits the rest and fails long before a worker is free again
        ran.append(statements[0])

    monkeypatch.setattr(loader, "_run", slow_run)

    def cut_short() -> None:
        with loader.session("urn:g") as session:
            for i in range(2 * WORKERS):  # the workers take the first ones; the queue holds the rest
                session.submit(f"<urn:s{i}> <urn:p> <urn:o> .\n")
                if i == 0:
                    started.wait(5)
            raise KeyError("the caller failed")

    with pytest.raises(KeyError):
        cut_short()
    assert 1 <= len(ran) <= WORKERS and not any("checkpoint" in call for call in ran)
    assert not list(tmp_path.iterdir())


def test_the_provenance_graph_loads_after_everything_else(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """_load_with_virtuoso: the blank-node file alone between two waits, the provenance files after the last wait."""
    store = RemoteStore(f"sparql+http://127.0.0.1:1/sparql?loader=virtuoso&sql=127.0.0.1:1111&spool={tmp_path}"
                        "&bulk=1&batch=4")
    events: list[str] = []

    class Recorder:
        def submit(self, text: str) -> None:
            events.append("provenance" if str(PROVENANCE_GRAPH) in text else "blank" if "_:" in text else "data")

        def wait(self) -> None:
            events.append("wait")

    @contextmanager
    def session(default_graph: str) -> Iterator[Recorder]:
        yield Recorder()

    assert store._loader is not None
    monkeypatch.setattr(store._loader, "session", session)
    for name in ("_insert_batch", "_clear_mark"):
        monkeypatch.setattr(store, name, lambda *args: None)
    monkeypatch.setattr(store, "_load_mark", lambda data: "<urn:mark>")
    text = "".join(nquad(DTR[f"test/p{i}"], RDFS.label, Literal(f"p {i}"), PROVENANCE_GRAPH) for i in range(6))
    text += "".join(nquad(DTR[f"test/d{i}"], RDFS.label, Literal(f"d {i}"), DTR["test/g"]) for i in range(9))
    text += '_:b <http://ex/p> "x" <http://ex/g> .\n'
    store.add_nquads(text)
    assert events == ["data", "data", "data", "wait", "blank", "wait", "provenance", "provenance"]


def test_a_bad_line_is_named_and_a_short_load_writes_nothing(virtuoso: VirtuosoServer) -> None:
    good = "".join(nquad(DTR[f"test/b{i}"], RDFS.label, Literal(f"b {i}"), DTR["test/bg"]) for i in range(2500))
    bad = '<http://ex/a> <http://ex/p> "x" } ; DROP ALL .\n'
    store = RemoteStore(loader_uri(virtuoso, batch=1000))
    store.clear()
    # A text of at most one file is checked whole before anything is written, the mark included.
    short = RemoteStore(loader_uri(virtuoso, batch=5000))
    with pytest.raises(StoreError, match="line 2501"):
        short.add_nquads(good + bad)
    assert short.pending_loads() == [] and short.count_quads() == 0
    # A longer text stops at the file holding the bad line: its mark says the load did not complete.
    with pytest.raises(StoreError, match="line 2501"):
        store.add_nquads(good + bad)
    assert len(store.pending_loads()) == 1
    store.clear()


def test_a_completed_load_survives_a_server_crash(tmp_path: Path) -> None:
    """The loader skips the transaction log; its closing checkpoint keeps what it loaded once the mark is gone."""
    def uri(server: VirtuosoServer) -> str:
        return loader_uri(server, batch=1000)

    text = "".join(nquad(DTR[f"test/k{i}"], RDFS.label, Literal(f"k {i}"), DTR[f"test/kg{i % 50}"])
                   for i in range(3000))
    server = start_virtuoso(tmp_path / "db")
    try:
        RemoteStore(uri(server)).add_nquads(text)
    finally:
        server.process.kill()  # no shutdown, no checkpoint of its own: a crash
        server.process.wait()
    restarted = start_virtuoso(tmp_path / "db")
    try:
        store = RemoteStore(uri(restarted))
        assert store.pending_loads() == [] and store.count_quads() == 3000
    finally:
        restarted.stop()



def test_summary_readers_past_virtuosos_values_limit(virtuoso: VirtuosoServer) -> None:
    """More claims than Virtuoso compiles in one VALUES block (4095): the readers bind them in batches."""
    from benchmarks.synthetic import synthetic_claims
    from detente.graph.summary import claims_per_publisher, participation_table, tie_table, top_party_pairs

    claims = list(synthetic_claims(4200, seed=17, events=300, publishers=12))
    embedded = open_store("memory:")
    write_claims(embedded, claims)
    remote = RemoteStore(loader_uri(virtuoso))
    remote.clear()
    write_claims(remote, claims)

    def ties(store: Store) -> list[tuple[str, str, int, int, int, int]]:
        t = tie_table(store)
        return [(str(t.actors[a]), str(t.actors[b]), int(n), int(sc), int(ec), int(pe)) for a, b, n, sc, ec, pe
                in zip(t.lo, t.hi, t.claims, t.sources, t.events, t.party_events, strict=True)]

    def participations(store: Store) -> list[tuple[str, str, int, int, int]]:
        t = participation_table(store)
        return [(str(t.events[e]), str(t.actors[a]), int(r), int(n), int(sc)) for e, a, r, n, sc
                in zip(t.event, t.actor, t.role, t.claims, t.sources, strict=True)]

    assert ties(remote) == ties(embedded) and ties(embedded)
    assert participations(remote) == participations(embedded) and participations(embedded)
    assert claims_per_publisher(remote) == claims_per_publisher(embedded)
    assert top_party_pairs(remote) == top_party_pairs(embedded)
    remote.clear()


def test_loader_options_are_parsed_once() -> None:
    location = StoreLocation.parse("sparql+http://db.example:8890/sparql?loader=virtuoso&spool=/srv/spool&bulk=10&batch=99")
    options = location.options
    assert options is not None
    assert (options.loader, options.sql, options.bulk, options.batch) == ("virtuoso", "db.example:1111", 10, 99)
    assert str(options.spool) == "/srv/spool"
    for bad in ("loader=other&spool=/x", "loader=virtuoso", "batch=0", "bulk=x"):
        with pytest.raises(StoreError):
            StoreLocation.parse(f"sparql+http://db.example:8890/sparql?{bad}")
