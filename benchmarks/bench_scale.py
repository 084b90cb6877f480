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
    records = ctx.raw_select(f"SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ GRAPH <{_summary_graph()}> "
                             "{ ?f dt:factSubject ?s } }")
    return {"rebuild_s": round(seconds, 2), "facts": report.facts, "fact_records": int(records[0][0]),
            "participations": report.participations,
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
    from detente.graph.conflict_listing import conflict_keys

    raw_s, rows = timed(lambda: ctx.raw_select(AGGREGATE_RAW), repeat=2)
    listing_s, found = timed(lambda: conflicts(ctx.store))
    keys_s, _keys = timed(lambda: conflict_keys(ctx.store))  # the listing's first step, alone
    records = sum(len(records) for conflict in found for records in conflict.values.values())
    return {"listing_s": round(listing_s, 2), "keys_s": round(keys_s, 2), "conflicts": len(found),
            "claim_records": records,
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
    # Removal: 100 claims (their facts are looked up first and only the unshared ones leave the facts view;
    # session 3's FILTER NOT EXISTS clean-up took 130 s at 1M memory).
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
    facts = ctx.raw_select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{_summary_graph()}> {{ ?f dt:factObject ?o }} }}")
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


def _status_mb(field: str) -> int:
    """A memory figure of this process from /proc/self/status (``VmRSS``, ``VmHWM``: its peak), in MB."""
    with open("/proc/self/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024
    return 0


def _peak_rss_mb() -> int:
    return _status_mb("VmHWM")


@section("serve")
def serve_section(ctx: Context) -> dict[str, Any]:
    """A live ``detente serve`` over the benchmark store: REST p50 over HTTP, memory idle and under 8 clients.

    On disk, the store is closed here (one writer process per store) and served by ``detente serve``
    in its own process tree. In memory, the store lives in this process, as it lives in the process
    of ``detente serve`` (or ``detente demo``): the app is created over it here and served by
    waitress on a thread of this process, its engine forked from it (copy-on-write), and the HTTP
    clients run in a child process of their own (:func:`http_figures`) so that they do not share the
    server's interpreter. Memory is summed over the server's process tree (the server, its engine
    processes and readers; the clients' process left out): RSS, and PSS, which counts a page shared
    by forked processes once (the sum of RSS counts it in each). Runs last.
    """
    rows = ctx.raw_select(f"SELECT ?c WHERE {{ GRAPH <{_provenance_graph()}> {{ ?c a dt:Claim }} }} LIMIT 50000")
    from detente.graph.claims import CLAIM_NS

    plan = {"events": [str(e) for e in ctx.counted_events(ctx.samples)],
            "claim_ids": [str(row[0])[len(CLAIM_NS):] for row in ctx.rng.sample(rows, min(ctx.samples, len(rows)))]}
    if ctx.kind == "disk":
        return _serve_disk(ctx, plan)
    if ctx.kind == "memory":
        return _serve_memory(ctx, plan)
    return {"skipped": f"no serve figures for {ctx.kind} stores"}


def _wait_healthy(base: str, began: float, stopped: Callable[[], str | None]) -> None:
    import requests

    while True:
        why = stopped()
        if why is not None:
            raise RuntimeError(f"detente serve stopped: {why}")
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.perf_counter() - began > 900:
            raise RuntimeError("detente serve did not answer /healthz in 900 s")
        time.sleep(0.5)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _serve_disk(ctx: Context, plan: dict[str, Any]) -> dict[str, Any]:
    """``detente serve --store oxigraph:PATH`` in its own process; the clients in this one."""
    folder = DATA_DIR / f"store-{ctx.claims}"
    ctx.store.release()  # RocksDB gives its lock back once the last reference to the engine goes
    ctx.store = ctx.raw = None
    import gc

    gc.collect()
    port = _free_port()
    env = {**os.environ, "DETENTE_QUERY_TIMEOUT": "60"}
    began = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-c", "from detente.cli import main; main()", "serve", "--store",
                               f"oxigraph:{folder}", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, began, lambda: None if server.poll() is None
                      else (server.stderr.read()[-2000:] if server.stderr else ""))
        return {"startup_s": round(time.perf_counter() - began, 1),
                **http_figures(base, server.pid, plan["events"], plan["claim_ids"])}
    finally:
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _serve_memory(ctx: Context, plan: dict[str, Any]) -> dict[str, Any]:
    """The app over this process's memory store, served on a thread; the clients in a child process."""
    import logging
    import threading

    from waitress import wasyncore

    from detente.api.app import create_app
    from detente.api.server import make_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" under 8 clients: expected
    began = time.perf_counter()
    app = create_app({"store": ctx.store, "query_timeout": 60})
    server = make_server(app, "127.0.0.1", _free_port(), threads=8)
    loop = threading.Thread(target=server.run, name="waitress", daemon=True)
    loop.start()
    base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[attr-defined]
    try:
        _wait_healthy(base, began, lambda: None)
        startup_s = time.perf_counter() - began
        with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as args:
            json.dump({"base": base, "server_pid": os.getpid(), **plan}, args)
        try:
            done = subprocess.run([sys.executable, __file__, "--http-client", args.name],
                                  stdout=subprocess.PIPE, text=True, check=True)
        finally:
            os.unlink(args.name)
        return {"startup_s": round(startup_s, 1), **json.loads(done.stdout.strip().splitlines()[-1])}
    finally:
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))  # type: ignore[attr-defined]
        loop.join(10)
        server.task_dispatcher.shutdown(timeout=10)  # type: ignore[attr-defined]
        app.extensions["detente"].close()


def http_figures(base: str, server_pid: int, events: list[str], claim_ids: list[str]) -> dict[str, Any]:
    """REST p50 over HTTP (one keep-alive client, then 8 clients for 30 s) and the server tree's memory.

    The tree is ``server_pid`` and its descendants, except this process (the clients' process is in the
    server's tree when the server is the benchmark's own process).
    """
    import concurrent.futures
    import threading
    import urllib.parse

    import psutil
    import requests

    from detente.ontology.vocab import DT

    tree = psutil.Process(server_pid)
    me = os.getpid()

    def members() -> list[Any]:
        return [p for p in [tree, *tree.children(recursive=True)] if p.pid != me]

    def tree_rss_mb() -> int:
        total = 0
        for proc in members():
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total // (1024 * 1024)

    def tree_pss_mb() -> int:
        total = 0
        for proc in members():
            with contextlib.suppress(psutil.Error, AttributeError):
                total += proc.memory_full_info().pss
        return total // (1024 * 1024)

    session = requests.Session()
    started_mb, started_pss = tree_rss_mb(), tree_pss_mb()

    def provenance_url(event: str) -> str:
        return f"{base}/provenance?" + urllib.parse.urlencode({"subject": event, "predicate": str(DT.prisonerCount)})

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
    idle_mb, idle_pss = tree_rss_mb(), tree_pss_mb()
    provenance_times = [get(session, provenance_url(e)) for e in events]
    claim_times = [get(session, claim_url(c)) for c in claim_ids]
    after_sequential_mb = tree_rss_mb()

    # 8 concurrent clients, each its own connection, mixing both routes for a fixed time.
    stop = threading.Event()
    peak = [after_sequential_mb, idle_pss]
    loaded_times: list[float] = []
    errors: list[str] = []

    def sample_memory() -> None:
        ticks = 0
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss_mb())
            if ticks % 8 == 0:  # PSS reads every page table entry: every 2 s
                peak[1] = max(peak[1], tree_pss_mb())
            ticks += 1
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
    return {"provenance_http": _percentiles(provenance_times),
            "get_claim_http": _percentiles(claim_times), "rss_started_mb": started_mb, "rss_idle_mb": idle_mb,
            "rss_after_sequential_mb": after_sequential_mb, "rss_peak_8_clients_mb": peak[0],
            "pss_started_mb": started_pss, "pss_idle_mb": idle_pss, "pss_peak_8_clients_mb": peak[1],
            "clients": 8, "requests_8_clients": len(loaded_times), "errors_8_clients": len(errors),
            "requests_per_s_8_clients": round(len(loaded_times) / load_s, 1),
            "under_load": _percentiles(loaded_times) if loaded_times else None,
            "processes": len(members())}


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
    return _status_mb("VmRSS")


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run(claims: int, kind: str, sections: list[str], samples: int) -> dict[str, Any]:
    from detente.graph.performance import without_gc

    entry: dict[str, Any] = {"claims": claims, "store": kind, "load_average_before": _load_average()}
    ctx, built = open_context(claims, kind, samples)
    entry["store_built"] = built
    if "summary" not in sections and {"network", "serve", "maintenance", "verify"} & set(sections):
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
    parser.add_argument("--http-client", type=Path, help=argparse.SUPPRESS)  # the serve section's clients (JSON)
    args = parser.parse_args()
    if args.http_client:
        plan = json.loads(args.http_client.read_text(encoding="utf-8"))
        print(json.dumps(http_figures(plan["base"], plan["server_pid"], plan["events"], plan["claim_ids"])))
        return
    if args.markdown_only:
        report = json.loads((args.out / "scale.json").read_text(encoding="utf-8"))
        _write_markdown(args.out / "scale.md", markdown(report))
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
            _write_markdown(args.out / "scale.md", markdown(report))
    print(markdown(report))


def _write_markdown(path: Path, generated: str) -> None:
    """Write ``generated`` to ``path``, keeping at its end the hand-written ``## `` sections of the file there.

    Other branches write their figures into scale.md under their own headings (the loads branch's
    validated file loads); a section whose heading the generated text lacks is kept as it was.
    """
    kept: list[str] = []
    if path.exists():
        sections = ("\n" + path.read_text(encoding="utf-8")).split("\n## ")[1:]
        kept = ["## " + text.rstrip("\n") + "\n" for text in sections
                if f"\n## {text.splitlines()[0]}\n" not in "\n" + generated]
    path.write_text("\n".join([generated, *kept]) if kept else generated, encoding="utf-8")


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
             row("… finding the conflicts (its one aggregate query, alone); load average then",
                 lambda r: f"{_fmt(_get(r, 'conflicts', 'keys_s'), ' s')}; "
                           f"{'/'.join(str(x) for x in _get(r, 'conflicts', 'load_average') or [])}"),
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
             row("… summary quads / facts (in fact records, since summary version 3) / ties",
                 lambda r: f"{_fmt(_get(r, 'summary', 'summary_quads'))} / {_fmt(_get(r, 'summary', 'facts'))}"
                           + (f" ({_fmt(_get(r, 'summary', 'fact_records'))})"
                              if _get(r, 'summary', 'fact_records') is not None else "")
                           + f" / {_fmt(_get(r, 'summary', 'ties'))}"),
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

    def serve_memory(measure: str) -> Callable[[dict[str, Any]], str]:
        def cells(r: dict[str, Any]) -> str:
            idle, peak = _get(r, "serve", f"{measure}_idle_mb"), _get(r, "serve", f"{measure}_peak_8_clients_mb")
            if idle is None:
                return "—" if _get(r, "serve", "skipped") is None else "not run"
            return f"{_fmt(_get(r, 'serve', f'{measure}_started_mb'))} / {_fmt(idle)} / {_fmt(peak)}"
        return cells

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
            "benchmark store (the benchmark closes the store first), or, for a memory store, the app over the "
            "benchmark's own store served by waitress in the benchmark's process (as `detente serve` holds a memory "
            "store in its process), its engine forked from it, the clients in a child process of their own; HTTP "
            "times are one keep-alive client, sequential requests with `Accept: application/json`, reading the JSON; "
            "memory is summed over the server's process tree (server, engine and readers; not the clients) just "
            "after start / idle after warm-up / peak under 8 concurrent clients (30 s, half `/provenance`, half "
            "`/claims/{id}`): RSS, which counts a page shared by forked processes once per process, and PSS, which "
            "shares it out (the memory the tree really holds; a memory store's readers are copy-on-write forks).",
            "",
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
            row("**`detente serve` RSS** (MB): started / idle / peak, 8 clients", serve_memory("rss")),
            row("… PSS (MB; shared pages counted once): started / idle / peak, 8 clients", serve_memory("pss")),
            row("… processes in the server's tree; startup (s)",
                lambda r: "—" if _get(r, "serve", "processes") is None
                else f"{_get(r, 'serve', 'processes')}; {_fmt(_get(r, 'serve', 'startup_s'))}"),
            "", *NETWORK_NOTES]


NOTES = """## Reading the figures

- **1,000,000 memory is summary v2, measured at session 3's end (05:49–05:59 UTC, load average 4–6), except its
  summary rebuild (session 4, 07:23 UTC, load average 4), its conflicts, maintenance and verify rows (session 4,
  08:12–08:17 UTC, load average 1–3) and serve rows (08:29 UTC, load average 1.1); in the 1,000,000 disk column
  the summary, aggregates, network and serve rows are summary v2 (session 4, 08:06–08:13 UTC, load average 2–4,
  after the two fixes below), and so are its conflicts row (load average 2), provenance and get_claim (09:23
  UTC, load average 1.6) and maintenance (09:29 UTC, load average 1.7): the whole 1M disk column is session 4's,
  except verify, not run there** (round 1 was summary v1: 14.8M quads, rebuilt by SPARQL).
  **The conflicts rows are session 7's main after the merges** (reads in worker threads, conflicts7; the machine
  quiet, only this benchmark: 1M 18:40–18:44 UTC, load average 1.3–2.1; 100k 18:44–18:47 UTC, load average
  1.4–1.8): 1M disk 28.9 s against 7.19 s, ×4.02; 1M memory 8.16 s against 1.88 s, ×4.33; 100k disk ×2.49, memory
  ×4.12. Session 6's quiet 1M figures were disk 39.9 s against 7.12 s (×5.60) and memory 12.9 s against 1.79 s
  (×7.24), one thread; the listing now uses both cores, so its CPU seconds exceed its wall time (see the conflicts
  notes below). **Summary v3** (session 6: facts
  of one subject and predicate with the same counts and dates share one fact record): the 100,000 memory and disk
  columns' summary, aggregates and network rows (main after the merges, 14:41–14:42 UTC, load average 1.2–1.3; 117,589
  facts in 91,083 records, 582,925 summary quads instead of 716,975, 0.445 of the data's quads instead of 0.547), the
  100,000 memory column's maintenance and verify rows (leansummary branch, 13:33–13:53 UTC, load average 2.8–3.6), and
  the 1,000,000 memory column's summary, aggregates and network rows (main, 14:43–14:45 UTC, load average 1.0–1.3:
  1,174,907 facts in 910,091 records, 5,781,239 summary quads instead of 7,121,231, 0.442 of the data's; rebuild 108.3
  s); the 1M disk column's summary rows are summary v2 (one record per fact). **The 1,000,000 memory column's summary
  rebuild, maintenance and verify rows are summary v3** (session 7, main, 17:08–17:18 UTC, load average 2.3–3.5 with
  three helpers at work, so about twice as slow as a quiet machine: the raw engine's 1k-claim load took 0.102 s
  against session 4's 0.041 s): rebuild 146 s (session 6, quiet: 108.3 s), 1k-claim write 3.61 s, 100-claim removal
  0.47 s, and the maintained summary equals a recomputation after them (fact records, ties, publishers). A v3 delta
  re-reads every fact of each (subject, predicate) a write touches (records are per support): the write touched
  5,657 facts as with v2, and its apply step took 1.82 s against session 4's 1.16 s on a machine twice as slow.

Targets (issue 9): `provenance()` and `get_claim` p50 within 3× of the raw engine's time for the same
query; the full conflict listing within 5× of one raw aggregate pass over all claims; the summary's
aggregates at least 10× faster than the raw SPARQL over the claims. *same* says the summary's answer
equals the raw query's, row for row.

- Provenance and claim records are one query per report; the ratio is what detente adds (binding a
  prepared query shape, reading the result, building the records) to the engine's own time.
- The conflict listing reads the full record of every claim behind every conflicting value: in the
  synthetic data about 4 in 10 counted events disagree, so it reads about 23% of all claims with their
  statements and provenance, against an aggregate pass that reads two values per claim and returns 200
  rows. One aggregate query finds the conflicts (about one raw pass by itself); records come in batches
  of about 2,000 claims, each batch two queries bound to its conflicts (the claims' statements; one
  provenance-and-source row per claim) read as N-Triples text (session 4: session 3 read one wide row
  per claim through a DISTINCT sub-select repeated in two UNION branches, about a third more engine
  time, and made a term of every quote, title and URL). What is left is the engine's own lookups: at
  50k claims the two record queries alone take about 3× the raw pass, finding the conflicts about 0.8×.
  Session 4 (2026-12-01, load average 1–2.4): 1M memory 13.4 s against 1.86 s (×7.2; session 3 33.7 s,
  ×16.4), of which finding the conflicts 2.2 s; 1M disk 41.4 s against 7.99 s (×5.2; session 3 72.4 s,
  ×6.1); 100k 1.33 s / 3.44 s (memory / disk, ×6.8 / ×4.3; session 3 1.97 s / 6.08 s). Still above
  the ×5 target at 1M, in memory most.
- **Conflicts, session 5 (conflicts5 branch; 100k claims, CPU seconds of the process, load average 5.4–8,
  so CPU rather than wall time):** raw pass 0.185 s; finding the conflicts 0.19 s; the statements query
  0.15 s of engine work plus 0.17 s writing and splitting its 141k rows; the fields query 0.31 s plus 0.13 s
  (23k rows; its 13 OPTIONALs are most of its work, finding the claims 0.13 s of it); building the records
  from the rows already read 0.30 s (the queries replayed from memory); the listing 1.28 s (×6.9). Tried and
  dropped, each measured in the same process against the kept form: one query per batch of long rows (the
  claims found once; statements, provenance and source rows in UNION branches): the engine's own work
  halves (0.23 s against 0.46 s, counted with `COUNT(*)`) but it writes 370k rows instead of 164k, and
  writing and splitting them costs what was saved (0.67 s against 0.70 s; on disk the provenance and source
  as long rows cost more than the fields query, 2.0 s against 1.9 s);
  the claims found once and bound to the second query by `VALUES ?claim`: slower (0.83–0.95 s against 0.70 s);
  the conflicts as a sub-select joined with the claim graphs (no `VALUES`): Oxigraph joins it with every
  claim graph (1.55 s for the claims alone), and with the OPTIONAL fields in a UNION beside the statements
  no answer in 60 s for 64 conflicts; finding the conflicts by a self-join (0.35 s), by one GROUP BY per
  property (0.17 s) or in the facts graph alone (0.16 s, but a different dataset); a reader of N-Triples
  cells instead of terms, and cached match keys and sort keys: no change (0.33–0.35 s either way). Kept:
  the statements query checks a claim's type in the provenance graph alone (one index lookup where the
  default dataset's union takes three; a claim typed elsewhere only is read by `claim_records`, exact):
  on disk the claims step takes 0.35–0.51 s instead of 0.55–0.79 s and the statements query 1.40–1.53 s
  instead of 1.67–1.93 s; in memory no measurable change. What the memory store's ×5 needs beyond this:
  the engine's record reads alone are about 3.5× the raw pass and finding the conflicts 1×, so both
  finding them from a maintained count and building records for less than about 1× (now 1.6×).
  The benchmark's wall times with the kept change, on the shared machine (2026-12-01): 1M disk 69.1 s
  against 16.5 s (×4.19; load average 7.6, the raw pass twice session 4's 7.99 s); 1M memory 13.5 s against
  1.95 s (×6.9, load 3.9; session 4 ×7.2 at load 1.2), of which finding the conflicts 2.06 s; 100k memory
  1.56 s against 0.209 s (×7.5, load 4.0) and disk 5.69 s against 1.09 s (×5.2, load 4.0), where a run at
  load 6.4 twelve minutes before gave ×10.5 and ×6.3 (session 4, load 2: ×6.8 and ×4.3). Under such load
  a run of many seconds loses more to the other processes than a raw pass of a fraction of one, so the
  ratios are upper bounds; the CPU seconds above are the steadier comparison. Re-measured on the quiet
  machine after the merge (12:08–12:10 UTC, load average 1.2–1.6): 1M disk 37.3 s against 7.09 s (×5.26;
  session 4 ×5.2), 1M memory 12.9 s against 1.79 s (×7.21; session 4 ×7.2): the kept change does not move
  the 1M ratios beyond the noise.
- **Conflicts, session 6 (conflicts6 branch; 100k claims; CPU seconds of the process, A/B of the old and
  new listing alternating in one process, load average 2–3.5):** kept: (1) the record rows are read as the
  engine's TSV lines (`Store.select_lines`, new; a remote store writes them from `select_nt`): a statement
  row is keyed by its text after the claim cell, so each distinct statement (29k for 141k rows, 23k claims)
  is split, made into terms, given its sort key and its conflict value once per listing, and claims stating
  the same statements (8.9k distinct sets) share one sorted list; no row goes through `select_nt`'s
  per-line scan for bare numbers and unbound cells (unbound cells stay empty); (2) the fields query finds
  claims by their type in the provenance graph when an `ASK` finds no claim typed in the facts or ontology
  graph (else the union, as before): on disk 2.2 s instead of 2.7 s for the fields of 23k claims (the
  claims alone 0.40 s against 0.69 s), in memory the same within noise, where the `ASK` costs 0.025 s
  (it scans the type triples; on disk 0.2 ms). Memory: listing 1.18 → 1.07 s and 1.32 → 1.24 s CPU
  (two runs, ×6.3 → ×5.8 of the raw pass's CPU); disk: 4.71 → 4.27 s CPU (×4.5 → ×4.1 of a 1.04 s raw
  pass). Measured and dropped: the claims' own fields bound to the claims and the sources' fields read
  once per distinct source by `VALUES ?src` (16k new sources of 22k): 0.21 s + 0.18 s in memory and
  1.31 s + 0.65 s on disk, against 0.35 s and 2.24 s for the one fields query; the source's five fields
  as one OPTIONAL group, or the OPTIONALs inside one `GRAPH` block: Oxigraph plans them badly (5.6 s and
  10–11 s in memory); a group of every usual field as required patterns (0.42 s against 0.35 s); numbers
  without `STR` (same); the provenance as long rows (`?claim ?p ?o`, 114k rows: 0.17 s + 0.21 s for the
  sources in memory, 0.97 s + 1.08 s on disk: no better than the fields query, and more rows to read).
  Finding the conflicts: in memory the aggregate scans every quad of the five functional properties in
  all graphs (claim graphs included: Oxigraph's memory store walks the predicate's quads and filters the
  graph), 0.15 s at 100k, of which counting the 35k facts rows alone costs 0.04–0.09 s; on disk it is
  0.06 s (real indexes), so only a maintained count would remove it (summary shape: leansummary's). What
  is left in memory at 100k (CPU): finding the conflicts 0.17, statements 0.21 (engine 0.19), fields
  0.41 (engine 0.35), Python 0.3–0.4 (29k statements made, 23k records built): the engine alone is
  about 3.9× the raw pass, so ×5 in memory needs either the engine reading less (a maintained conflict
  index, records of claims kept beside the summary) or a second core (the memory store cannot be opened
  by another process; forking the server's engine process for it is not safe with its threads).
  At 1M (13:39–13:42 UTC, load average 1.5–1.9, one run each): memory 13.0 s against 1.87 s (×6.96; finding
  the conflicts 1.88 s), disk 41.0 s against 7.54 s (×5.43; finding them 0.91 s): within the noise of
  session 5's quiet-machine figures (×7.21, ×5.26), so the 100k CPU gains (8–9%) do not show at 1M in one
  wall-clock run each; the lead's quiet-machine re-run is the figure to trust. The same A/B in one process
  at 1M on disk (14:00 UTC, load average 1.4–2.2, the listings' answers compared equal): old 46.8 s CPU
  (47.0 s wall), new 42.4 s (42.7 s) against a raw pass of 8.59 s: ×5.45 → ×4.93; at 100k in memory
  (14:01 UTC, load 2.1–2.9, best of 6): old 1.27 s, new 1.18 s against 0.192 s (×6.6 → ×6.2).
  Virtuoso's SPARQL compiler rejects the fields query with the provenance-graph type check (SP031,
  internal error), so that form is used only where the facts view is the engine's default graph
  (`facts_label` None: Oxigraph).
- **Conflicts, session 7 (conflicts7 branch): reads in worker threads.** pyoxigraph releases the GIL while it
  evaluates a query and writes TSV, so on 2 cores the engine can read while Python builds records
  (`graph/parallel.py`, `StoreReads`: a pool of two workers; `Store.concurrent_reads`, True for Oxigraph). Kept:
  (1) while batch k's lines are made into records, the workers run batch k+1's statements and fields queries side
  by side (one batch ahead: at most two batches' lines held; the next batch's size still follows the claims of the
  one just read, now counted from its fields lines); (2) finding the conflicts runs one aggregate per functional
  property, two at a time, beside the `ASK` that picks the fields query, the rows sorted into listing order as
  before. Same conflicts, order, totals and pages (tests compare the threaded and sequential listings on random
  stores, pages and batches of 1; errors raised in worker reads; an abandoned listing joins its workers). 100k,
  best of 5 alternating in one process (17:14–17:17 UTC, load average 2.4–3.2; wall / CPU s): memory raw pass
  0.170; main's listing 1.151 / 1.150 (×6.77), the new one in the caller's thread 1.137 / 1.132, with threads
  0.773 / 1.058 (×4.55); finding the conflicts 0.174 s as one query, 0.075 s (CPU 0.113) per property in two
  threads. Disk: raw pass 1.020; main 4.112 / 4.475 (×4.03), in the caller's thread 4.111 / 4.109, with threads
  2.417 / 3.808 (×2.37). The same memory A/B at 17:52 UTC (load average 3.0–3.4, another process using both
  cores): main 1.233 / 1.226, threads 1.164 / 1.182 (×6.76 → ×6.38): without a free core the threads gain little,
  and cost no CPU. Measured and dropped: one worker thread (both queries of the next batch one after the other):
  memory 0.919 s (×5.40), disk 4.091 s (×4.01, no gain: on disk the engine's two queries side by side are the
  gain); batches of 1,000 or 4,000 claims instead of 2,000 with threads: memory 0.825 / 0.776 s against 0.810 s,
  disk 2.874 / 2.568 s against 2.469 s (noise; kept 2,000). Not tried: reading two batches ahead (in memory the
  main thread's Python is the bottleneck: in an instrumented run at load 3 it waited 0.1–0.2 s of 1.4–1.5 s for
  reads outside finding the conflicts, so the workers are mostly ahead); starting the first properties' records
  before the last aggregate ends (about 0.3 s at 1M at most). A remote store reads in the caller's thread
  (`RemoteStore.concurrent_reads` False: its urllib opener with digest-auth state is shared, and its JSON reading
  holds the GIL). At 1M, one run (`--sections conflicts`, 17:20–17:27 UTC, the machine busy: load average
  5.3/4.3/2.7 at the disk section, 2.7/4.0/2.9 at the memory one): disk 51.0 s against a raw pass of 14.15 s
  (×3.60; the raw pass twice its quiet 7.12 s), memory 10.63 s against 2.44 s (×4.35; quiet raw pass 1.79 s),
  finding the conflicts 1.15 s (disk) and 1.55 s (memory; session 6 quiet: 2.49 s). Threads gain only where the
  second core is free, so the quiet-machine re-run is the figure to trust. **The quiet re-run after the merge**
  (lead, 18:40–18:47 UTC, load average 1.3–2.1): 1M disk 28.9 s against 7.19 s (×4.02), 1M memory 8.16 s against
  1.88 s (×4.33), finding the conflicts 0.90 s (disk) and 0.84 s (memory); 100k disk 2.59 s against 1.04 s (×2.49),
  memory 0.80 s against 0.195 s (×4.12). The target (≤ 5×) is met with both cores at work; in one thread
  (`concurrent=False`) the listing costs what it did (the 100k A/B above: 1.137 s against main's 1.151 s), so at
  1M about session 6's ×5.6 (disk) and ×7.2 (memory), not re-measured.
- The 100-claim removal (session 4) looks up the removed claims' statements first and drops from the
  facts view only those no other claim or entity description states; session 3's one `FILTER NOT EXISTS`
  update, which Oxigraph answered by a join with every claim's statements, took 7.88 s at 100k and 130 s
  at 1M in memory (now 0.24 s and 0.29 s).
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
  column was v1 then (session 4: see the first note). At 100k the
  summary is 716,975 quads, 0.55 of the data's quads (v1: 1,487,760, 1.13); per fact about 6.1 quads
  against 12.7, so about 7.2M quads expected at 1M (v1: 14.8M). The 1k-claim write reads about 1k events,
  5k claims and 4k sources whatever the store's size (the synthetic data's density does not change with it).
- The rebuild is one streaming pass in Python (claims read 20k at a time as N-Triples text, counted in
  dicts) written by the store's bulk loader; the upkeep of a write reads the write's neighbourhood before
  and after it and applies the difference, so its cost follows the write, not the store or the density.
- **Summary v2 on disk at 1M (session 4):** rebuilt in 225 s at load average 2.6 (269 s at 4.4 in the run
  before; v1: 950 s, 111 transactions) in 8 writes, against 155–182 s in memory and 148 s for the engine's own
  bulk load of the 13.1M data quads into the same empty store. Sampled (py-spy): about 80% of it is reading
  (the claims' statements 20k claims a query, and the provenance graph's claims, sources, publishers and
  dates: RocksDB reads inside the engine's queries; Python's counting is a few percent), about 20% writing the
  7.1M summary quads by the bulk loader. Nothing in it grows faster than the store. The same rebuild is the
  server writer's step after a SPARQL Update on an on-disk store (on a checkpoint copy, then promoted).
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
- 1M memory: measured at session 3's end (centrality 5.6 s against a 3.4 s raw pass, +133 MB). 1M disk and
  serve at 1M: session 4. What grows with the store in *centrality* is reading the actors from the summary's
  participation records (about 10× more at 1M); the ties (780) and the computation on 40 nodes do not grow.
  `tie_table` read every participation row (five columns, a lookup each per record) for its 40 actors: 48.6 s
  cold at 1M on disk (centrality best of 3: 19.1 s against a 16.8 s raw pass, 07:18 UTC); it now reads one
  column (`summary._actors`): 2.87 s, and centrality 2.85 s against an 8.5 s raw pass (08:11 UTC).
- serve at 1M on disk (08:12 UTC, load average 2.2): the server starts in 1.0 s (a checkpoint of the store,
  hard links, and readers opening it read-only). It took 6.1 s at 07:20 while the readers' start probe counted
  every quad (`len()` of a RocksDB store reads them all); the probe is now one ASK, so start-up no longer grows
  with the store. Memory hardly grows with the store (RocksDB reads the files through the page cache, which is
  not in the processes' RSS): RSS 301 / 321 / 425 MB and PSS 151 / 175 / 298 MB at 1M, against RSS 314 / 328 /
  384 MB at 100k. The 07:20 run gave /provenance 8.71 / 17.4 ms, /claims 4.41 / 8.6 ms, 8 clients 21.8 / 42.4
  ms at 345/s, RSS 343 / 363 / 438 MB (load average 3.7). REST times at 1M are lower than at 100k because the
  100k run met a load average of 23.
- serve at 1M in memory (08:29 UTC, load average 1.1): the server's process holds the store (here the
  benchmark's process, which built the store and its summary: an upper bound), and its engine's processes
  (sandbox root, writer, two readers) are copy-on-write forks of it. The sum of RSS (35.9 GB) counts the store
  once per process; PSS (7.2 GB idle, 7.3 GB under 8 clients) is what the tree holds. Start-up 0.8 s: it was
  20.3 s at 07:27 while the readers' start probe counted all 20M quads of the memory store. That earlier run
  (summary rebuilt by the timed section just before, in the same process) had PSS 12.4 GB and /provenance 2.55
  ms, /claims 2.56 ms p50, 8 clients 12.9 ms p50 at 529/s: how much PSS a server holds depends on what its
  process did before it forked its engine.
- The machine was shared by several sessions during these runs (load averages 9–13 on 2 CPUs): times are
  upper bounds; ratios against the raw pass taken in the same minute are the fairer figure.
""".splitlines()


from benchmarks.remote_scale import remote_markdown, remote_section  # noqa: E402

SECTIONS["remote"] = remote_section  # run with --stores remote --sections remote

if __name__ == "__main__":
    main()
