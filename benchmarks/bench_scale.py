"""Benchmark: detente at 100k and 1M claims, each figure beside the raw pyoxigraph engine on the same store.

For each size (``--claims``) and store (``--stores memory,disk``) one process
builds the store from synthetic claims (``benchmarks/synthetic.py``, written
once to an N-Quads file and bulk-loaded by pyoxigraph: the store is not the
subject here), then runs the sections asked for (``--sections``). Every
section times detente's Python API and the raw engine (``pyoxigraph.Store``,
the same object detente wraps) running the equivalent SPARQL in the same run,
alternating the two per sample so that machine noise hits both alike, and
reports the ratio.

Sections (:data:`SECTIONS`; a new one is a decorated function):

``summary``
    ``summary.rebuild`` of the whole summary (runs first: the others read it).
``provenance``
    ``provenance(event, dt:prisonerCount)`` p50/p95 over random counted
    events, against the raw engine running the very SPARQL detente sends (and,
    for context, the minimal claims–sources–publishers query of bench_api).
``get_claim``
    ``get_claim`` p50/p95 against the raw engine running detente's query.
``conflicts``
    the full conflict listing (``conflicts(store)``, every record) against
    one raw aggregate pass over all claims (claims per publisher).
``aggregates``
    state pairs top 20 and claims per publisher top 20, from the summary,
    against the raw SPARQL over the claims.
``maintenance``
    a 1k-claim load through the write API into the big store (data and the
    summary's update by difference), against the raw engine loading the same
    N-Quads; the steps of such a write; a 1k-claim removal.
``verify``
    after the writes, the maintained ties, publishers and number of fact
    records against a recomputation from the claims (:func:`summary.compute`).

Run::

    .venv/bin/python benchmarks/bench_scale.py --claims 100000
    .venv/bin/python benchmarks/bench_scale.py --claims 1000000 --stores disk --samples 100

Results accumulate in ``benchmarks/results/scale.json`` (one entry per size
and store, replaced when rerun) and ``scale.md`` is rewritten from it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA_DIR = Path(os.environ.get("DETENTE_BENCH_DIR", Path(tempfile.gettempdir()) / "detente-bench-scale"))
CHUNK = 20_000  # claims serialised at a time when writing the data file
AGGREGATE_RAW = """SELECT ?p (COUNT(?c) AS ?n) WHERE { ?c prov:wasDerivedFrom/dct:publisher ?p } GROUP BY ?p"""
PROVENANCE_MINIMAL = """SELECT ?claim ?count ?source ?publisher WHERE {
  GRAPH ?claim { <%s> dt:prisonerCount ?count } ?claim a dt:Claim ;
  prov:wasDerivedFrom ?source . ?source dct:publisher ?publisher }"""


# -- the run context ---------------------------------------------------------------------

@dataclass
class Context:
    """One store of one size, with the raw engine beside it."""

    claims: int
    kind: str  # "memory" or "disk"
    samples: int
    store: Any  # detente.graph.oxigraph_store.OxigraphStore
    raw: Any  # pyoxigraph.Store: the same engine object
    default_graph: list[Any]  # detente's default dataset, as pyoxigraph graph names
    rng: random.Random = field(default_factory=lambda: random.Random(17))

    def raw_select(self, sparql: str) -> list[list[Any]]:
        """Run a SELECT on the raw engine and read every value (what any client does)."""
        from detente.ontology.vocab import PREFIXES

        return [[t.value if t is not None else None for t in solution]
                for solution in self.raw.query(sparql, prefixes=PREFIXES, default_graph=self.default_graph)]

    def counted_events(self, count: int) -> list[Any]:
        """Events whose claims give a prisoner count (agreements and exchanges in synthetic.py)."""
        from rdflib import URIRef

        from detente.ontology.vocab import DTR

        events = max(1, self.claims // 5)
        picked = [e for e in (self.rng.randrange(events) for _ in range(count * 4)) if e % 4 in (1, 2)]
        return [URIRef(f"{DTR}event/e{e}") for e in picked[:count]]


SECTIONS: dict[str, Callable[[Context], dict[str, Any]]] = {}


def section(name: str) -> Callable[[Callable[[Context], dict[str, Any]]], Callable[[Context], dict[str, Any]]]:
    """Register a section of the benchmark (run in the order given by --sections)."""
    def register(function: Callable[[Context], dict[str, Any]]) -> Callable[[Context], dict[str, Any]]:
        SECTIONS[name] = function
        return function
    return register


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"p50_ms": _ms(ordered[len(ordered) // 2]),
            "p95_ms": _ms(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]),
            "mean_ms": _ms(statistics.fmean(ordered)), "samples": len(ordered)}


def paired(items: list[Any], detente: Callable[[Any], Any], raw: Callable[[Any], Any]) -> dict[str, Any]:
    """Time ``detente(x)`` and ``raw(x)`` for each item, alternating, after a warm-up."""
    for item in items[:3]:
        detente(item)
        raw(item)
    ours: list[float] = []
    theirs: list[float] = []
    for index, item in enumerate(items):
        first, second = (detente, raw) if index % 2 == 0 else (raw, detente)
        for fn in (first, second):
            began = time.perf_counter()
            fn(item)
            (ours if fn is detente else theirs).append(time.perf_counter() - began)
    a, b = _percentiles(ours), _percentiles(theirs)
    return {"detente": a, "raw": b, "ratio_p50": round(a["p50_ms"] / b["p50_ms"], 2) if b["p50_ms"] else None}


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best of ``repeat`` runs (seconds) and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - began)
    return best, result


# -- sections ----------------------------------------------------------------------------

@section("summary")
def summary_rebuild(ctx: Context) -> dict[str, Any]:
    from detente.graph import summary

    rss_before = _rss_mb()
    seconds, report = timed(lambda: summary.rebuild(ctx.store))
    quads = ctx.store.count_quads(_summary_graph())
    return {"rebuild_s": round(seconds, 2), "facts": report.facts, "participations": report.participations,
            "ties": report.ties, "publishers": report.publishers, "transactions": report.transactions,
            "summary_quads": quads, "summary_to_data_quads": round(quads / max(1, len(ctx.raw) - quads), 3),
            "rss_before_mb": rss_before, "rss_after_mb": _rss_mb()}


@section("provenance")
def provenance_section(ctx: Context) -> dict[str, Any]:
    from detente.graph import claims
    from detente.graph.sparql_text import prepare
    from detente.ontology.vocab import DT

    events = ctx.counted_events(ctx.samples)
    shape = prepare(claims._SUPPORT)
    result = paired(events, lambda e: claims.provenance(ctx.store, e, DT.prisonerCount),
                    lambda e: ctx.raw_select(shape.bind({"subject": e, "predicate": DT.prisonerCount})))
    minimal = []
    for event in events:
        began = time.perf_counter()
        ctx.raw_select(PROVENANCE_MINIMAL % event)
        minimal.append(time.perf_counter() - began)
    result["raw_minimal_query"] = _percentiles(minimal)
    result["records_per_report"] = round(statistics.fmean(
        len(claims.provenance(ctx.store, e, DT.prisonerCount).supporting) for e in events[:20]), 1)
    return result


@section("get_claim")
def claims_section(ctx: Context) -> dict[str, Any]:
    from detente.graph import claims
    from detente.graph.sparql_text import prepare

    rows = ctx.raw_select(f"SELECT ?c WHERE {{ GRAPH <{_provenance_graph()}> {{ ?c a dt:Claim }} }} LIMIT 50000")
    picked = [row[0] for row in ctx.rng.sample(rows, min(ctx.samples, len(rows)))]
    from rdflib import URIRef

    iris = [URIRef(iri) for iri in picked]
    shape = prepare(claims._ONE_CLAIM)
    return paired(iris, lambda c: claims.get_claim(ctx.store, c), lambda c: ctx.raw_select(shape.bind({"claim": c})))


@section("conflicts")
def conflicts_section(ctx: Context) -> dict[str, Any]:
    from detente.graph.claims import conflicts

    raw_s, rows = timed(lambda: ctx.raw_select(AGGREGATE_RAW), repeat=2)
    listing_s, found = timed(lambda: conflicts(ctx.store))
    records = sum(len(records) for conflict in found for records in conflict.values.values())
    return {"listing_s": round(listing_s, 2), "conflicts": len(found), "claim_records": records,
            "raw_aggregate_pass_s": round(raw_s, 3), "publishers": len(rows),
            "ratio": round(listing_s / raw_s, 2) if raw_s else None}


@section("aggregates")
def aggregates_section(ctx: Context) -> dict[str, Any]:
    from detente.graph import summary

    out: dict[str, Any] = {}
    for name, (_from_summary, raw) in summary.AGGREGATES.items():
        ours_s, ours = timed(lambda name=name: summary.aggregate(ctx.store, name, 20), repeat=3)
        raw_s, theirs = timed(lambda raw=raw: ctx.raw_select(raw % 20), repeat=2)
        same = [[str(v) for v in row] for row in ours] == [[str(v) for v in row] for row in theirs]
        out[name] = {"summary_ms": _ms(ours_s), "raw_ms": _ms(raw_s),
                     "speedup": round(raw_s / ours_s, 1) if ours_s else None, "same_answer": same}
    # The network's integer-indexed tables (graph.analysis reads them).
    ties_s, ties = timed(lambda: summary.tie_table(ctx.store))
    parts_s, parts = timed(lambda: summary.participation_table(ctx.store))
    out["tables"] = {"tie_table_s": round(ties_s, 3), "ties": len(ties.lo),
                     "participation_table_s": round(parts_s, 2), "participations": len(parts.actor)}
    return out


@section("maintenance")
def maintenance_section(ctx: Context) -> dict[str, Any]:
    import pyoxigraph as ox

    from benchmarks.synthetic import synthetic_claims
    from detente.graph import summary, writes
    from detente.graph.claims import claims_nquads
    from detente.ontology.vocab import FACTS_GRAPH

    # New claims about existing events (seed differs: new sources, quotes and counts).
    events = max(1, ctx.claims // 5)
    new = list(synthetic_claims(1000, seed=1009, events=events))
    raw_text = claims_nquads(list(synthetic_claims(1000, seed=1013, events=events)))
    raw_data = raw_text.replace(f"<{FACTS_GRAPH}> .\n", ".\n").encode()
    # The raw engine's load goes around detente: take exactly its new quads out again afterwards, so that
    # the summary still describes the store (the verify section checks it).
    fresh = [q for q in ox.parse(raw_data, format=ox.RdfFormat.N_QUADS) if q not in ctx.raw]
    raw_s, _ = timed(lambda: ctx.raw.load(raw_data, format=ox.RdfFormat.N_QUADS))
    for quad in fresh:
        ctx.raw.remove(quad)
    assert summary.summary_state(ctx.store) == "current"
    write_s, _ = timed(lambda: writes.write_claims(ctx.store, new))
    # The same kind of write step by step: the region from the text, the read before, the data,
    # the read after, the summary's update.
    more = list(synthetic_claims(1000, seed=1019, events=events))
    text, iris = claims_nquads(more, facts=ctx.store.facts_label), [c.iri for c in more]
    phases: dict[str, float] = {}
    began = time.perf_counter()
    region = summary.region_in_nquads(iris, text)
    phases["region"] = time.perf_counter() - began
    tracker = summary.Tracker(ctx.store, region)
    phases["read_before"] = time.perf_counter() - began - sum(phases.values())
    ctx.store.add_nquads(summary.STALE_NQUAD + text)
    phases["data"] = time.perf_counter() - began - sum(phases.values())
    pending = tracker.done()
    phases["read_after"] = time.perf_counter() - began - sum(phases.values())
    summary.apply(ctx.store, pending)
    phases["apply"] = time.perf_counter() - began - sum(phases.values())
    # Removal: 100 claims (the facts-view cleanup of writes.remove_claims, one update with FILTER NOT EXISTS,
    # is slow: 59 s of 77 s for 1k claims at 20k, whatever the summary does).
    remove_s, _ = timed(lambda: writes.remove_claims(ctx.store, [c.iri for c in new[:100]]))
    assert summary.summary_state(ctx.store) == "current" and not summary.DELTA_FALLBACKS
    touched = {"events": len(region.events), "sources": len(region.sources),
               "claims_read": len(tracker.before.claim_ties), "sources_read": len(tracker.before.source_claims),
               "ties_changed": sum(1 for d in pending.ties.values() if any(d)),
               "publishers_changed": sum(1 for d in pending.publishers.values() if any(d)),
               "facts_recomputed": len(pending.facts)}
    return {"write_1k_claims_s": round(write_s, 2), "raw_load_1k_claims_s": round(raw_s, 3),
            "ratio_to_raw_load": round(write_s / raw_s, 1) if raw_s else None,
            "remove_100_claims_s": round(remove_s, 2),
            "phases_s": {k: round(v, 3) for k, v in phases.items()}, "touched": touched}


@section("verify")
def verify_section(ctx: Context) -> dict[str, Any]:
    """After the other sections: the maintained ties, publishers and fact count equal a recomputation."""
    from detente.graph import summary

    began = time.perf_counter()
    totals = summary.compute(ctx.store)
    compute_s = time.perf_counter() - began
    table = summary.tie_table(ctx.store)
    maintained = {(str(table.actors[a]), str(table.actors[b])): [int(x) for x in row] for a, b, *row in zip(
        table.lo, table.hi, table.claims, table.sources, table.events, table.party_events, strict=True)}
    computed = {(a[1:-1], b[1:-1]): counts for (a, b), counts in totals.ties.items()}
    publishers = {str(p): (int(n),) for p, n in summary.claims_per_publisher(ctx.store, 100_000)}
    facts = ctx.raw_select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{_summary_graph()}> {{ ?f dt:factSubject ?s }} }}")
    return {"compute_s": round(compute_s, 2), "ties_equal": maintained == computed,
            "publishers_equal": publishers == {p[1:-1]: (c[0],) for p, c in totals.publishers.items()},
            "fact_records_equal": int(facts[0][0]) == len(totals.facts)}


@section("network")
def network_section(ctx: Context) -> dict[str, Any]:
    """``detente analyze centrality`` (projection + PageRank and every measure) against one raw aggregate pass.

    Memory: the process's RSS before, and its peak during the call (the peak is reset first), so
    *added* is what the analysis costs on top of the open store. The old projection of every claim
    runs too at 100k and below (at 1M it took 82 s and 8 GB on top of the store, more than a shared
    machine with a 14 GB memory store has).
    """
    import os as _os

    from detente.graph.analysis import run_metric
    from detente.graph.analysis.centrality import CentralityParams, rank_nodes
    from detente.graph.projections import Filters, actor_graph
    from detente.graph.summary import summary_state

    raw_s, _rows = timed(lambda: ctx.raw_select(AGGREGATE_RAW), repeat=2)
    state = summary_state(ctx.store)
    before = _rss_mb()
    _reset_peak_rss()
    ours_s, result = timed(lambda: run_metric(ctx.store, "centrality"), repeat=3)
    peak = _peak_rss_mb()
    out: dict[str, Any] = {
        "summary_state": state, "centrality_s": round(ours_s, 3), "raw_aggregate_pass_s": round(raw_s, 3),
        "ratio": round(ours_s / raw_s, 3) if raw_s else None, "rss_before_mb": before, "rss_peak_mb": peak,
        "rss_added_mb": peak - before, "nodes": result["node_count"], "edges": result["edge_count"],
        "betweenness": result["betweenness"], "cpus": _os.cpu_count(),
        "parallel": _parallel_betweenness(ctx)}
    if ctx.claims <= 200_000:
        before = _rss_mb()
        _reset_peak_rss()
        old_s, old = timed(lambda: rank_nodes(actor_graph(ctx.store), Filters(), CentralityParams()).to_json())
        out["claims_projection"] = {"centrality_s": round(old_s, 2), "rss_added_mb": _peak_rss_mb() - before,
                                    "same_ranking": ([n["id"] for n in old["nodes"]]
                                                     == [n["id"] for n in result["nodes"]])}
    return out


def _parallel_betweenness(ctx: Context) -> dict[str, Any]:
    """Betweenness through the nx-parallel backend beside plain NetworkX, where it can help (more than 2 CPUs)."""
    import networkx as nx

    from detente.graph.analysis.common import parallel_backend
    from detente.graph.summary_network import summary_actor_graph

    why_not = parallel_backend()
    if why_not is not None:
        return {"measured": False, "why": why_not}
    graph = summary_actor_graph(ctx.store)
    plain_s, _ = timed(lambda: nx.betweenness_centrality(graph), repeat=2)
    parallel_s, _ = timed(lambda: nx.betweenness_centrality(graph, backend="parallel"), repeat=2)
    return {"measured": True, "plain_s": round(plain_s, 3), "parallel_s": round(parallel_s, 3)}


def _reset_peak_rss() -> None:
    """Reset the kernel's peak-RSS mark (VmHWM) of this process (Linux)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass


def _peak_rss_mb() -> int:
    with open("/proc/self/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return 0


@section("serve")
def serve_section(ctx: Context) -> dict[str, Any]:
    """A live ``detente serve`` over the benchmark store: REST p50 over HTTP, memory idle and under 8 clients.

    On-disk stores only (a memory store lives in this process). The store is closed here (one
    writer process per store) and served by ``detente serve`` in its own process tree; memory is
    the RSS summed over that tree (the server, its engine processes and readers). Runs last.
    """
    if ctx.kind != "disk":
        return {"skipped": "memory stores live in the benchmark's process; served from disk only"}
    import concurrent.futures
    import socket
    import threading
    import urllib.parse

    import psutil
    import requests

    from detente.graph.claims import CLAIM_NS
    from detente.ontology.vocab import DT

    events = ctx.counted_events(ctx.samples)
    rows = ctx.raw_select(f"SELECT ?c WHERE {{ GRAPH <{_provenance_graph()}> {{ ?c a dt:Claim }} }} LIMIT 50000")
    claim_ids = [str(row[0])[len(CLAIM_NS):] for row in ctx.rng.sample(rows, min(ctx.samples, len(rows)))]
    folder = DATA_DIR / f"store-{ctx.claims}"
    ctx.store.release()  # RocksDB gives its lock back once the last reference to the engine goes
    ctx.store = ctx.raw = None
    import gc

    gc.collect()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DETENTE_QUERY_TIMEOUT": "60"}
    began = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-c", "from detente.cli import main; main()", "serve", "--store",
                               f"oxigraph:{folder}", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    tree = psutil.Process(server.pid)

    def tree_rss_mb() -> int:
        total = 0
        for proc in [tree, *tree.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total // (1024 * 1024)

    session = requests.Session()
    try:
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"detente serve stopped: {server.stderr.read()[-2000:] if server.stderr else ''}")
            try:
                if session.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.perf_counter() - began > 900:
                raise RuntimeError("detente serve did not answer /healthz in 900 s")
            time.sleep(0.5)
        startup_s = time.perf_counter() - began
        started_mb = tree_rss_mb()

        def provenance_url(event: Any) -> str:
            return f"{base}/provenance?" + urllib.parse.urlencode({"subject": str(event),
                                                                   "predicate": str(DT.prisonerCount)})

        def claim_url(claim_id: str) -> str:
            return f"{base}/claims/{urllib.parse.quote(claim_id, safe='')}"

        def get(client: requests.Session, url: str) -> float:
            start = time.perf_counter()
            response = client.get(url, headers={"Accept": "application/json"}, timeout=120)
            response.raise_for_status()
            response.json()
            return time.perf_counter() - start

        for url in [provenance_url(e) for e in events[:5]] + [claim_url(c) for c in claim_ids[:5]]:
            get(session, url)  # warm-up: the engines start and open the store
        time.sleep(2)
        idle_mb = tree_rss_mb()
        provenance_times = [get(session, provenance_url(e)) for e in events]
        claim_times = [get(session, claim_url(c)) for c in claim_ids]
        after_sequential_mb = tree_rss_mb()

        # 8 concurrent clients, each its own connection, mixing both routes for a fixed time.
        stop = threading.Event()
        peak = [after_sequential_mb]
        loaded_times: list[float] = []
        errors: list[str] = []

        def sample_memory() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], tree_rss_mb())
                time.sleep(0.25)

        def client(index: int) -> None:
            own = requests.Session()
            rng = random.Random(index)
            while not stop.is_set():
                url = provenance_url(rng.choice(events)) if rng.random() < 0.5 else claim_url(rng.choice(claim_ids))
                try:
                    loaded_times.append(get(own, url))
                except Exception as exc:  # counted, reported
                    errors.append(type(exc).__name__)

        watcher = threading.Thread(target=sample_memory, daemon=True)
        watcher.start()
        load_began = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(client, i) for i in range(8)]
            time.sleep(30)
            stop.set()
            for future in futures:
                future.result()
        load_s = time.perf_counter() - load_began
        watcher.join()
        return {"startup_s": round(startup_s, 1), "provenance_http": _percentiles(provenance_times),
                "get_claim_http": _percentiles(claim_times), "rss_started_mb": started_mb, "rss_idle_mb": idle_mb,
                "rss_after_sequential_mb": after_sequential_mb, "rss_peak_8_clients_mb": peak[0],
                "clients": 8, "requests_8_clients": len(loaded_times), "errors_8_clients": len(errors),
                "requests_per_s_8_clients": round(len(loaded_times) / load_s, 1),
                "under_load": _percentiles(loaded_times) if loaded_times else None,
                "processes": 1 + len(tree.children(recursive=True))}
    finally:
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _summary_graph() -> Any:
    from detente.ontology.vocab import SUMMARY_GRAPH

    return SUMMARY_GRAPH


def _provenance_graph() -> Any:
    from detente.ontology.vocab import PROVENANCE_GRAPH

    return PROVENANCE_GRAPH


# -- building the store ---------------------------------------------------------------------

def data_file(claims: int) -> Path:
    """The synthetic claims as N-Quads with the facts view in the default graph, written once per size."""
    from benchmarks.synthetic import synthetic_claims
    from detente.graph.claims import claims_nquads
    from detente.ontology.vocab import FACTS_GRAPH

    path = DATA_DIR / f"claims-{claims}.nq"
    if path.exists():
        return path
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    batch: list[Any] = []
    with partial.open("w", encoding="utf-8") as out:
        for claim in synthetic_claims(claims):
            batch.append(claim)
            if len(batch) == CHUNK:
                out.write(claims_nquads(batch).replace(f"<{FACTS_GRAPH}> .\n", ".\n"))
                batch = []
        if batch:
            out.write(claims_nquads(batch).replace(f"<{FACTS_GRAPH}> .\n", ".\n"))
    partial.rename(path)
    return path


def open_context(claims: int, kind: str, samples: int) -> tuple[Context, dict[str, Any]]:
    import pyoxigraph as ox

    from detente.graph.bootstrap import ensure_ontology
    from detente.graph.location import StoreLocation
    from detente.graph.oxigraph_store import OxigraphStore, _graph_to_ox
    from detente.graph.store import DEFAULT_DATASET

    data = data_file(claims)
    began = time.perf_counter()
    if kind in ("memory", "remote"):  # remote: the embedded memory store beside Virtuoso (see remote_scale.py)
        store = OxigraphStore(StoreLocation.parse("memory:"))
    else:
        folder = DATA_DIR / f"store-{claims}"
        shutil.rmtree(folder, ignore_errors=True)
        store = OxigraphStore(StoreLocation.parse(f"oxigraph:{folder}"))
    store._store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)  # the engine detente wraps
    ensure_ontology(store)
    load_s = time.perf_counter() - began
    ctx = Context(claims, kind, samples, store, store._store, [_graph_to_ox(g) for g in DEFAULT_DATASET])
    return ctx, {"load_s": round(load_s, 1), "quads": len(store._store), "rss_after_load_mb": _rss_mb()}


# -- one run (its own process) ----------------------------------------------------------------

def _rss_mb() -> int:
    with open("/proc/self/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run(claims: int, kind: str, sections: list[str], samples: int) -> dict[str, Any]:
    from detente.graph.performance import without_gc

    entry: dict[str, Any] = {"claims": claims, "store": kind, "load_average_before": _load_average()}
    ctx, built = open_context(claims, kind, samples)
    entry["store_built"] = built
    if "summary" not in sections and {"network", "serve"} & set(sections):
        # These read the maintained summary (a server would rebuild a missing one first): build it, untimed here.
        from detente.graph import summary

        began = time.perf_counter()
        summary.rebuild(ctx.store)
        entry["summary_prepared_s"] = round(time.perf_counter() - began, 1)
    for name in sections:
        print(f"[{claims} {kind}] {name}…", file=sys.stderr, flush=True)
        began = time.perf_counter()
        load = _load_average()
        entry[name] = without_gc(SECTIONS[name])(ctx)
        entry[name]["load_average"] = load
        entry[name]["section_s"] = round(time.perf_counter() - began, 1)
        entry[name]["date"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        print(f"[{claims} {kind}] {name}: {json.dumps(entry[name])}", file=sys.stderr, flush=True)
    entry["rss_end_mb"] = _rss_mb()
    entry["load_average_after"] = _load_average()
    if "serve" not in sections:  # the serve section closed it already, for the server
        ctx.store.close()
    if kind == "disk":
        shutil.rmtree(DATA_DIR / f"store-{claims}", ignore_errors=True)
    return entry


def machine() -> dict[str, Any]:
    import pyoxigraph
    import rdflib

    memory = 0
    with open("/proc/meminfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) // (1024 * 1024)
    return {"cpus": os.cpu_count(), "memory_gb": memory, "platform": platform.platform(),
            "python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", default="100000", help="comma-separated sizes (default 100000)")
    parser.add_argument("--stores", default="memory,disk", help="memory, disk or both")
    parser.add_argument("--sections", default="summary,provenance,get_claim,conflicts,aggregates,maintenance",
                        help=f"comma-separated, in order, from: {', '.join(SECTIONS)}")
    parser.add_argument("--samples", type=int, default=200, help="calls per latency figure")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # CLAIMS:KIND, run in this process
    parser.add_argument("--markdown-only", action="store_true", help="rewrite scale.md from scale.json and stop")
    args = parser.parse_args()
    if args.markdown_only:
        report = json.loads((args.out / "scale.json").read_text(encoding="utf-8"))
        _write_scale_md(args.out / "scale.md", report)
        return
    sections = [s for s in args.sections.split(",") if s]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if args.one:
        claims, kind = args.one.split(":")
        print(json.dumps(run(int(claims), kind, sections, args.samples)))
        return
    results_path = args.out / "scale.json"
    report = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {"runs": []}
    for claims in (int(c) for c in args.claims.split(",")):
        for kind in args.stores.split(","):
            # Each run in its own process: its memory and its engine caches are its own.
            done = subprocess.run([sys.executable, __file__, "--one", f"{claims}:{kind}", "--sections",
                                   ",".join(sections), "--samples", str(args.samples)],
                                  stdout=subprocess.PIPE, text=True, check=True)
            entry = json.loads(done.stdout.strip().splitlines()[-1])
            entry["date"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
            entry["machine"] = machine()
            # Merged into the earlier entry of this size and store: a run of some sections keeps the others' figures.
            # The entry's date, machine and store figures stay those of the earlier run; each section has its own date.
            earlier = [r for r in report["runs"] if (r["claims"], r["store"]) == (claims, kind)]
            if earlier:
                entry = {**earlier[0], **{key: entry[key] for key in (*sections, "summary_prepared_s") if key in entry}}
            report["runs"] = [r for r in report["runs"] if (r["claims"], r["store"]) != (claims, kind)] + [entry]
            report["runs"].sort(key=lambda r: (r["claims"], r["store"]))
            args.out.mkdir(parents=True, exist_ok=True)
            results_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
            _write_scale_md(args.out / "scale.md", report)
    print(markdown(report))


#: Sections of scale.md written by hand from other benchmarks' results: kept when the file is regenerated.
HAND_WRITTEN = ("## Validated file loads (loads branch)",)


def _hand_written(text: str) -> str:
    """The hand-written sections of a scale.md (each runs to the next ``## `` heading or the end)."""
    kept = []
    for heading in HAND_WRITTEN:
        start = text.find(heading + "\n")
        if start >= 0:
            end = text.find("\n## ", start + len(heading))
            kept.append(text[start:end if end >= 0 else len(text)].rstrip("\n") + "\n")
    return "\n".join(kept)


def _write_scale_md(path: Path, report: dict[str, Any]) -> None:
    """Write scale.md from the report, keeping its hand-written sections (:data:`HAND_WRITTEN`)."""
    kept = _hand_written(path.read_text(encoding="utf-8")) if path.exists() else ""
    text = markdown(report)
    path.write_text(text.rstrip("\n") + "\n\n" + kept if kept else text, encoding="utf-8")


def _get(entry: dict[str, Any], *path: str) -> Any:
    node: Any = entry
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _fmt(value: Any, suffix: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3g}{suffix}" if value < 100 else f"{value:,.0f}{suffix}"
    return f"{value:,}{suffix}" if isinstance(value, int) else f"{value}{suffix}"


def markdown(report: dict[str, Any]) -> str:
    """The results as a table per figure, one column per (size, store) run."""
    runs = [r for r in report["runs"] if r["store"] != "remote"]  # remote runs: their own section below
    head = ["| figure | " + " | ".join(f"{r['claims']:,} {r['store']}" for r in runs) + " |",
            "| --- | " + " | ".join("---:" for _ in runs) + " |"]

    def row(label: str, cells: Callable[[dict[str, Any]], str]) -> str:
        return f"| {label} | " + " | ".join(cells(r) for r in runs) + " |"

    def pair(*path: str) -> Callable[[dict[str, Any]], str]:
        def cells(r: dict[str, Any]) -> str:
            ours, raw = _get(r, *path, "detente", "p50_ms"), _get(r, *path, "raw", "p50_ms")
            ratio = _get(r, *path, "ratio_p50")
            p95 = _get(r, *path, "detente", "p95_ms")
            return "—" if ours is None else f"{_fmt(ours)} / {_fmt(p95)} ms vs {_fmt(raw)} ms (×{_fmt(ratio)})"
        return cells

    lines = ["# Scale benchmark (issue 9)", "",
             "Produced by `benchmarks/bench_scale.py`: synthetic claims (`benchmarks/synthetic.py`) bulk-loaded into "
             "an Oxigraph store (in memory, or on disk), then detente's API timed beside the raw pyoxigraph engine "
             "running the equivalent SPARQL on the same store in the same run (alternating per sample). Ratios are "
             "detente ÷ raw (lower is better) except *speedup* (raw ÷ summary). Load averages are the 1/5/15-minute "
             "figures when a section started: the machine is shared, so high values mean noisy timings.", "",
             *head,
             row("date", lambda r: r.get("date", "—")[:16].replace("T", " ")),
             row("machine", lambda r: f"{_get(r, 'machine', 'cpus')} CPUs, {_get(r, 'machine', 'memory_gb')} GB"),
             row("versions",
                 lambda r: f"Python {_get(r, 'machine', 'python')}, pyoxigraph {_get(r, 'machine', 'pyoxigraph')}"),
             row("load average at start", lambda r: "/".join(str(x) for x in r.get("load_average_before", []))),
             row("quads (store)", lambda r: _fmt(_get(r, "store_built", "quads"))),
             row("RSS after load / at end (MB)",
                 lambda r: f"{_fmt(_get(r, 'store_built', 'rss_after_load_mb'))} / {_fmt(r.get('rss_end_mb'))}"),
             row("**provenance()** p50 / p95 vs its query on the raw engine (p50)", pair("provenance")),
             row("raw minimal claims–sources–publishers query, p50",
                 lambda r: _fmt(_get(r, "provenance", "raw_minimal_query", "p50_ms"), " ms")),
             row("**get_claim** p50 / p95 vs raw (p50)", pair("get_claim")),
             row("**conflicts** full listing (s)", lambda r: _fmt(_get(r, "conflicts", "listing_s"), " s")),
             row("… conflicts / claim records",
                 lambda r: f"{_fmt(_get(r, 'conflicts', 'conflicts'))} / "
                           f"{_fmt(_get(r, 'conflicts', 'claim_records'))}"),
             row("… one raw aggregate pass (claims per publisher)",
                 lambda r: _fmt(_get(r, "conflicts", "raw_aggregate_pass_s"), " s")),
             row("… ratio (target ≤ 5)", lambda r: _fmt(_get(r, "conflicts", "ratio"))),
             "", "## Maintained summary", "",
             "The summary graph's size, its rebuild, its upkeep on writes and the aggregates it answers "
             "(section `summary`, `aggregates`, `maintenance`, `verify`).", "",
             *head,
             row("**state pairs top 20**: summary vs raw",
                 lambda r: f"{_fmt(_get(r, 'aggregates', 'party_pairs', 'summary_ms'))} ms vs "
                           f"{_fmt(_get(r, 'aggregates', 'party_pairs', 'raw_ms'))} ms "
                           f"(×{_fmt(_get(r, 'aggregates', 'party_pairs', 'speedup'))}, "
                           f"same: {_get(r, 'aggregates', 'party_pairs', 'same_answer')})"),
             row("**claims per publisher top 20**: summary vs raw",
                 lambda r: f"{_fmt(_get(r, 'aggregates', 'claims_per_publisher', 'summary_ms'))} ms vs "
                           f"{_fmt(_get(r, 'aggregates', 'claims_per_publisher', 'raw_ms'))} ms "
                           f"(×{_fmt(_get(r, 'aggregates', 'claims_per_publisher', 'speedup'))}, "
                           f"same: {_get(r, 'aggregates', 'claims_per_publisher', 'same_answer')})"),
             row("**summary rebuild** (s, transactions)",
                 lambda r: f"{_fmt(_get(r, 'summary', 'rebuild_s'), ' s')} "
                           f"({_fmt(_get(r, 'summary', 'transactions'))})"),
             row("… summary quads / fact records / ties",
                 lambda r: f"{_fmt(_get(r, 'summary', 'summary_quads'))} / {_fmt(_get(r, 'summary', 'facts'))} / "
                           f"{_fmt(_get(r, 'summary', 'ties'))}"),
             row("… summary quads ÷ data quads; RSS before → after rebuild (MB)",
                 lambda r: f"{_fmt(_get(r, 'summary', 'summary_to_data_quads'))}; "
                           f"{_fmt(_get(r, 'summary', 'rss_before_mb'))} → {_fmt(_get(r, 'summary', 'rss_after_mb'))}"),
             row("network tables: `tie_table` (rows) / `participation_table` (rows)",
                 lambda r: f"{_fmt(_get(r, 'aggregates', 'tables', 'tie_table_s'), ' s')} "
                           f"({_fmt(_get(r, 'aggregates', 'tables', 'ties'))}) / "
                           f"{_fmt(_get(r, 'aggregates', 'tables', 'participation_table_s'), ' s')} "
                           f"({_fmt(_get(r, 'aggregates', 'tables', 'participations'))})"),
             row("**1k-claim load through the write API** (data + summary) vs raw load",
                 lambda r: f"{_fmt(_get(r, 'maintenance', 'write_1k_claims_s'), ' s')} vs "
                           f"{_fmt(_get(r, 'maintenance', 'raw_load_1k_claims_s'), ' s')}"),
             row("… its steps: region / read before / data / read after / apply (s)",
                 lambda r: " / ".join(_fmt(_get(r, 'maintenance', 'phases_s', k))
                                      for k in ("region", "read_before", "data", "read_after", "apply"))),
             row("… read: events / sources of the write / claims with roles there / their sources",
                 lambda r: " / ".join(_fmt(_get(r, 'maintenance', 'touched', k))
                                      for k in ("events", "sources", "claims_read", "sources_read"))),
             row("… changed: ties / publishers / fact records recomputed",
                 lambda r: " / ".join(_fmt(_get(r, 'maintenance', 'touched', k))
                                      for k in ("ties_changed", "publishers_changed", "facts_recomputed"))),
             row("**100-claim removal through the write API** (data + summary)",
                 lambda r: _fmt(_get(r, 'maintenance', 'remove_100_claims_s'), ' s')),
             row("maintained = recomputed after the writes (ties / publishers / fact records)",
                 lambda r: " / ".join(str(_get(r, 'verify', k))
                                      for k in ("ties_equal", "publishers_equal", "fact_records_equal"))
                 if _get(r, 'verify') else "—"),
             "", *NOTES, "", *network_markdown(runs, head, row), *remote_markdown(report)]
    return "\n".join(lines) + "\n"


def network_markdown(runs: list[dict[str, Any]], head: list[str],
                     row: Callable[[str, Callable[[dict[str, Any]], str]], str]) -> list[str]:
    """The network branch's figures (sections ``network`` and ``serve``), under their own heading."""
    if not any("network" in r or "serve" in r for r in runs):
        return []

    def http(path: str) -> Callable[[dict[str, Any]], str]:
        def cells(r: dict[str, Any]) -> str:
            p50, p95 = _get(r, "serve", path, "p50_ms"), _get(r, "serve", path, "p95_ms")
            return "—" if p50 is None else f"{_fmt(p50)} / {_fmt(p95)} ms"
        return cells

    def serve_memory(r: dict[str, Any]) -> str:
        idle, peak = _get(r, "serve", "rss_idle_mb"), _get(r, "serve", "rss_peak_8_clients_mb")
        if idle is None:
            return "—" if _get(r, "serve", "skipped") is None else "disk only"
        return f"{_fmt(_get(r, 'serve', 'rss_started_mb'))} / {_fmt(idle)} / {_fmt(peak)}"

    def old_path(r: dict[str, Any]) -> str:
        old = _get(r, "network", "claims_projection")
        if old is None:
            return "not run (see notes)" if "network" in r else "—"
        return (f"{_fmt(old['centrality_s'], ' s')}, +{_fmt(old['rss_added_mb'])} MB "
                f"(same ranking: {old['same_ranking']})")

    def parallel(r: dict[str, Any]) -> str:
        note = _get(r, "network", "parallel")
        if note is None:
            return "—"
        if note.get("measured"):
            return f"{note['plain_s']} s → {note['parallel_s']} s"
        return f"not measured: {note['why']}"

    return ["## Network analysis and serving (network branch)", "",
            "Sections `network` and `serve` of `bench_scale.py`. *centrality* is `run_metric(store, \"centrality\")` "
            "(`detente analyze centrality`: the actor network from the summary's ties, PageRank, degree, weighted "
            "degree, betweenness, eigenvector), best of 3, against the same raw aggregate pass as the conflicts row "
            "(claims per publisher on the raw engine); *added RSS* is the process's peak during the call minus its "
            "RSS before (the peak mark is reset first). *serve* is a live `detente serve` process over the on-disk "
            "benchmark store (the benchmark closes the store first); HTTP times are one keep-alive client, "
            "sequential requests with `Accept: application/json`, reading the JSON; memory is the RSS summed over "
            "the server's process tree (server, engine and readers) just after start / idle after warm-up / peak "
            "under 8 concurrent clients (30 s, half `/provenance`, half `/claims/{id}`).", "",
            *head,
            row("date (network / serve sections)",
                lambda r: " / ".join(str(_get(r, k, "date") or "—")[:16].replace("T", " ")
                                     for k in ("network", "serve"))),
            row("load average at start of the section",
                lambda r: "/".join(str(x) for x in (_get(r, "network", "load_average")
                                                    or _get(r, "serve", "load_average") or []))),
            row("**centrality** (s) vs raw aggregate pass (s)",
                lambda r: f"{_fmt(_get(r, 'network', 'centrality_s'), ' s')} vs "
                          f"{_fmt(_get(r, 'network', 'raw_aggregate_pass_s'), ' s')}"),
            row("… ratio (target ≤ 5)", lambda r: _fmt(_get(r, "network", "ratio"))),
            row("… added RSS (MB; target ≤ 1,536)", lambda r: _fmt(_get(r, "network", "rss_added_mb"))),
            row("… network (nodes / edges), betweenness",
                lambda r: f"{_fmt(_get(r, 'network', 'nodes'))} / {_fmt(_get(r, 'network', 'edges'))}, "
                + ("sampled k={k}, seed={seed}".format(**_get(r, "network", "betweenness"))
                   if _get(r, "network", "betweenness", "sampled") else "exact")),
            row("… the old projection of every claim (time, added RSS)", old_path),
            row("… nx-parallel betweenness", parallel),
            row("**REST `/provenance`** p50 / p95 over HTTP", http("provenance_http")),
            row("**REST `/claims/{id}`** p50 / p95 over HTTP", http("get_claim_http")),
            row("… under 8 clients: p50 / p95, requests/s, errors",
                lambda r: "—" if _get(r, "serve", "under_load") is None
                else f"{_fmt(_get(r, 'serve', 'under_load', 'p50_ms'))} / "
                     f"{_fmt(_get(r, 'serve', 'under_load', 'p95_ms'))} ms, "
                     f"{_fmt(_get(r, 'serve', 'requests_per_s_8_clients'))}/s, "
                     f"{_fmt(_get(r, 'serve', 'errors_8_clients'))}"),
            row("**`detente serve` RSS** (MB): started / idle / peak, 8 clients", serve_memory),
            row("… processes in the server's tree; startup (s)",
                lambda r: "—" if _get(r, "serve", "processes") is None
                else f"{_get(r, 'serve', 'processes')}; {_fmt(_get(r, 'serve', 'startup_s'))}"),
            "", *NETWORK_NOTES]


NOTES = """## Reading the figures

- **1,000,000 memory is summary v2, measured at the session's end (05:49–05:59 UTC, load average 4–6); the
  1,000,000 disk column is still round 1's** (summary v1: 14.8M quads, rebuilt by SPARQL, refreshed by
  recomputing every touched tie), and the provenance/get_claim rows at 1M are round 1's.

Targets (issue 9): `provenance()` and `get_claim` p50 within 3× of the raw engine's time for the same
query; the full conflict listing within 5× of one raw aggregate pass over all claims; the summary's
aggregates at least 10× faster than the raw SPARQL over the claims. *same* says the summary's answer
equals the raw query's, row for row.

- Provenance and claim records are one query per report; the ratio is what detente adds (binding a
  prepared query shape, reading the result, building the records) to the engine's own time.
- The conflict listing reads the full record of every claim behind every conflicting value: in the
  synthetic data about 4 in 10 counted events disagree, so it reads about 23% of all claims with their
  statements and provenance, against an aggregate pass that reads two values per claim and returns 200
  rows. One aggregate query finds the conflicts; records come in batches of about 1,000 claims, one wide
  row per claim.
- Summary (session 3): records are untyped blank nodes; a fact record has its three key quads, its
  claim count, first/last seen, and a source or publisher count only where it differs from the count
  before it; participation records are gone (actor–event edges are the role facts' records), ties and
  publishers keep only counts. Round 1 (same machine, same data) for comparison: summary 1,487,760 quads
  at 100k and 14,795,296 at 1M (more than the data); rebuild by SPARQL aggregates 20.5 s / 94.5 s (100k
  memory / disk) and 277 s / 950 s (1M); a 1k-claim load with its refresh 6.92 s / 33.1 s (100k) and
  48.2 s / 310 s (1M), nearly all of it recomputing every tie of the dense synthetic network (40 states,
  200k events at 1M).
- **Session 3, summary v2 (2026-12-01):** the 20k and 100k columns of the *Maintained summary* table are
  summary v2 (100k run at 05:30, load average about 2); the 1M memory column was measured last (05:49
  UTC): 7,121,231 summary quads (0.544 of the data), rebuilt in 182 s, the 1k-claim write 2.35 s; the 1M disk
  column is still v1. At 100k the
  summary is 716,975 quads, 0.55 of the data's quads (v1: 1,487,760, 1.13); per fact about 6.1 quads
  against 12.7, so about 7.2M quads expected at 1M (v1: 14.8M). The 1k-claim write reads about 1k events,
  5k claims and 4k sources whatever the store's size (the synthetic data's density does not change with it).
- The rebuild is one streaming pass in Python (claims read 20k at a time as N-Triples text, counted in
  dicts) written by the store's bulk loader; the upkeep of a write reads the write's neighbourhood before
  and after it and applies the difference, so its cost follows the write, not the store or the density.
- Sections still to come (next round): load, network, serve, remote.
""".splitlines()


NETWORK_NOTES = """- *centrality* no longer reads the claims: the actor network comes from the summary's ties
  (`detente.graph.summary.tie_table`, integer-indexed numpy arrays in `detente.graph.arrays`) and the
  actors with a part in some event, with labels and types read for those nodes only. Its time hardly
  grows with the store (the summary has one tie per actor pair, 780 here); what grows is the raw pass it
  is compared with. The old projection read every claim statement into Python objects (70 s and +833 MB at
  100k in memory on the loaded machine; 82 s and 5.1 → 13.1 GB at 1M in the issue), so it is not run at 1M.
  `tests/graph/test_summary_network.py` checks both give the same network and scores (demo, GDELT and UCDP
  samples, synthetic claims).
- With filters (time window, confidence, publisher) the summary cannot answer, and centrality projects the
  claims as before: filtered analyses at 1M remain slow.
- nx-parallel: not measured here. The machine has 2 CPUs (the backend's process pool cannot beat one core
  on two), and on Python 3.11 only nx-parallel 0.3 installs, which does not import with NetworkX 3.6 (0.4
  needs Python 3.12). The code uses the backend for graphs above 1,000 nodes when it imports and there are
  more than 2 CPUs, and says so in the betweenness note.
- 1M memory: measured at the session's end (centrality 5.6 s against a 3.4 s raw pass, +133 MB). 1M disk and
  the serve section at 1M were not run in this session. What grows
  with the store in *centrality* is one `SELECT DISTINCT` of the actors over the summary's participations
  (about 10× more at 1M); the ties (780) and the computation on 40 nodes do not grow.
- The machine was shared by several sessions during these runs (load averages 9–13 on 2 CPUs): times are
  upper bounds; ratios against the raw pass taken in the same minute are the fairer figure.
""".splitlines()


from benchmarks.remote_scale import remote_markdown, remote_section  # noqa: E402

SECTIONS["remote"] = remote_section  # run with --stores remote --sections remote

if __name__ == "__main__":
    main()
