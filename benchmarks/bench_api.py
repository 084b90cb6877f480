"""Benchmark: the HTTP SPARQL endpoint under concurrent clients, detente vs anchors.

Side by side in one run, each server in its own process under waitress (8
threads), all holding the same synthetic claims, all speaking the SPARQL 1.1
Protocol (GET ``/sparql``, SPARQL JSON results):

* **detente** — :func:`detente.api.app.create_app` over a ``memory:`` store:
  queries run in the time-bounded worker processes (``DETENTE_WORKERS``, default 2);
* **rdflib** — the anchor: a minimal Flask app over rdflib's in-memory
  ``Dataset`` (default graph = union of all graphs), one query at a time;
* **pyoxigraph** — a minimal Flask app calling pyoxigraph directly in the
  server threads: no time limit, no safety — what the worker pool costs.

Two workloads, each driven by concurrent client threads for a fixed time:

* ``provenance`` — the claims (with source and publisher) behind one event's
  prisoner count, a different event each request;
* ``aggregate`` — claims per publisher over every claim (a 100k-row join and
  GROUP BY), the top 20.

Also reported: the detente REST route ``/provenance`` (no anchor has it).

Run::

    .venv/bin/python benchmarks/bench_api.py                  # 100k claims, 8 clients, 15 s per run
    .venv/bin/python benchmarks/bench_api.py --claims 5000 --duration 3   # quick check

Results go to ``benchmarks/results/api.json`` and ``api.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROVENANCE_QUERY = """
PREFIX dt: <https://w3id.org/detente/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?claim ?count ?source ?publisher WHERE {
  GRAPH ?claim { <%s> dt:prisonerCount ?count }
  ?claim prov:wasDerivedFrom ?source .
  ?source dct:publisher ?publisher .
}"""
AGGREGATE_QUERY = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?publisher (COUNT(?claim) AS ?claims) WHERE {
  ?claim prov:wasDerivedFrom ?source .
  ?source dct:publisher ?publisher .
} GROUP BY ?publisher ORDER BY DESC(?claims) ?publisher LIMIT 20"""
EVENT_NS = "https://w3id.org/detente/id/event/e"


# -- servers (each runs in its own process: `bench_api.py --serve KIND --data FILE`) ----------------

def _serve_detente(data: Path) -> Any:
    from detente.api.app import create_app
    from detente.graph import open_store

    store = open_store("memory:")
    # Facts labelled with the facts graph become Oxigraph's default graph (add_nquads' slower path for such text).
    getattr(store, "bulk_add_nquads", store.add_nquads)(data.read_text(encoding="utf-8"))
    return create_app({"store": store, "query_timeout": 120, "max_rows": 1_000_000, "update_token": ""})


def _serve_rdflib(data: Path) -> Any:
    from flask import Flask, Response, request
    from rdflib import Dataset

    dataset = Dataset(default_union=True)
    dataset.parse(str(data), format="nquads")
    lock = threading.Lock()  # rdflib's memory store is not meant for concurrent queries
    app = Flask("rdflib-endpoint")

    @app.get("/sparql")
    def sparql() -> Response:
        with lock:
            body = dataset.query(request.args["query"]).serialize(format="json")
        return Response(body, mimetype="application/sparql-results+json")

    return app


def _serve_pyoxigraph(data: Path) -> Any:
    import pyoxigraph as ox
    from flask import Flask, Response, request

    store = ox.Store()
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    facts = ox.NamedNode("https://w3id.org/detente/id/graph/facts")
    graphs = [facts] + [ox.NamedNode(f"https://w3id.org/detente/id/graph/{g}") for g in ("provenance", "entities")]
    app = Flask("pyoxigraph-endpoint")

    @app.get("/sparql")
    def sparql() -> Response:
        result = store.query(request.args["query"], default_graph=graphs)
        return Response(result.serialize(format=ox.QueryResultsFormat.JSON),
                        mimetype="application/sparql-results+json")

    return app


def serve(kind: str, data: Path) -> None:
    from waitress import create_server

    app = {"detente": _serve_detente, "rdflib": _serve_rdflib, "pyoxigraph": _serve_pyoxigraph}[kind](data)
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    print(f"READY {server.effective_port}", flush=True)
    server.run()


# -- clients ------------------------------------------------------------------

def start_server(kind: str, data: Path) -> tuple[subprocess.Popen[str], str, float]:
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--data", str(data)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("READY"):
        process.kill()
        raise RuntimeError(f"{kind} server did not start: {line!r}")
    return process, f"http://127.0.0.1:{line.split()[1]}", time.perf_counter() - began


def drive(url: str, make_request: Any, clients: int, duration: float, max_requests: int) -> dict[str, Any]:
    """Run ``clients`` threads issuing requests for ``duration`` seconds (or ``max_requests`` in all)."""
    import requests

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + duration
    issued = [0]

    def client(seed: int) -> None:
        session = requests.Session()
        rng = random.Random(seed)
        while time.perf_counter() < deadline:
            with lock:
                if issued[0] >= max_requests:
                    return
                issued[0] += 1
            path, params = make_request(rng)
            began = time.perf_counter()
            response = session.get(url + path, params=params,
                                   headers={"Accept": "application/sparql-results+json,application/json"}, timeout=600)
            elapsed = time.perf_counter() - began
            with lock:
                if response.status_code == 200:
                    latencies.append(elapsed)
                else:
                    errors.append(f"{response.status_code}: {response.text[:200]}")

    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(p: float) -> float | None:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2) if ordered else None

    return {"requests": len(latencies), "errors": len(errors), "first_error": errors[0] if errors else None,
            "seconds": round(wall, 2), "requests_per_s": round(len(latencies) / wall, 2),
            "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None}


def rewrite_markdown(out: Path) -> None:
    """Regenerate ``api.md`` from ``api.json`` (after changing the report's wording)."""
    report = json.loads((out / "api.json").read_text(encoding="utf-8"))
    (out / "api.md").write_text(markdown(report), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per server and workload")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--servers", default="detente,rdflib,pyoxigraph")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, Path(args.data))
        return

    from benchmarks.synthetic import synthetic_claims
    from detente.graph.claims import claims_nquads

    began = time.perf_counter()
    claims = list(synthetic_claims(args.claims))
    # Events whose claims give a prisoner count: agreements and exchanges (see benchmarks/synthetic.py).
    counted_events = sorted({str(s) for c in claims for s, p, _o in c.statements if str(p).endswith("#prisonerCount")})
    tmp = Path(tempfile.mkdtemp(prefix="detente-bench-api-"))
    data = tmp / "claims.nq"
    data.write_text(claims_nquads(claims), encoding="utf-8")
    quads = sum(1 for _ in data.open(encoding="utf-8"))
    print(f"{args.claims} claims, {quads} quads, {len(counted_events)} counted events "
          f"({time.perf_counter() - began:.1f} s to generate)", flush=True)
    del claims

    workloads: dict[str, Any] = {
        "provenance": lambda rng: ("/sparql", {"query": PROVENANCE_QUERY % rng.choice(counted_events)}),
        "aggregate": lambda rng: ("/sparql", {"query": AGGREGATE_QUERY}),
    }
    results: dict[str, Any] = {}
    for kind in args.servers.split(","):
        process, url, startup = start_server(kind, data)
        print(f"{kind}: serving at {url} after {startup:.1f} s loading", flush=True)
        try:
            entry: dict[str, Any] = {"startup_s": round(startup, 1)}
            for name, make in workloads.items():
                drive(url, make, 1, 1.0, 3)  # warm-up
                entry[name] = drive(url, make, args.clients, args.duration, args.max_requests)
                print(f"  {name}: {entry[name]}", flush=True)
            if kind == "detente":
                rest = lambda rng: ("/provenance", {"subject": rng.choice(counted_events),  # noqa: E731
                                                    "predicate": "dt:prisonerCount"})
                drive(url, rest, 1, 1.0, 3)
                entry["rest_provenance"] = drive(url, rest, args.clients, args.duration, args.max_requests)
                print(f"  rest_provenance: {entry['rest_provenance']}", flush=True)
            results[kind] = entry
        finally:
            process.kill()
            process.wait()
    data.unlink()
    tmp.rmdir()

    ratios = {}
    if "detente" in results and "rdflib" in results:
        for name in workloads:
            anchor = results["rdflib"][name]["requests_per_s"]
            ratios[name] = round(results["detente"][name]["requests_per_s"] / anchor, 1) if anchor else None
    report = {
        "benchmark": "api",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "settings": {"claims": args.claims, "quads": quads, "clients": args.clients, "duration_s": args.duration,
                     "server_threads": 8,
                     "detente_workers": int(os.environ.get("DETENTE_WORKERS", os.cpu_count() or 2))},
        "results": results,
        "throughput_ratio_detente_over_rdflib": ratios,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "api.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "api.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))


def markdown(report: dict[str, Any]) -> str:
    s = report["settings"]
    lines = [
        "# HTTP SPARQL endpoint benchmark",
        "",
        f"{s['claims']:,} synthetic claims ({s['quads']:,} quads), {s['clients']} concurrent client threads, "
        f"{s['duration_s']:g} s per server and workload, waitress with {s['server_threads']} threads; "
        f"detente runs queries in {s['detente_workers']} worker processes. Machine: {report['machine']['cpus']} CPUs, "
        f"Python {report['machine']['python']}. Date: {report['date']}. "
        "Produced by `benchmarks/bench_api.py`.",
        "",
        "| server | workload | requests | req/s | p50 ms | p99 ms | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, entry in report["results"].items():
        for name in ("provenance", "aggregate", "rest_provenance"):
            if name in entry:
                r = entry[name]
                lines.append(f"| {kind} | {name} | {r['requests']} | {r['requests_per_s']} | {r['p50_ms']} | "
                             f"{r['p99_ms']} | {r['errors']} |")
    ratios = report["throughput_ratio_detente_over_rdflib"]
    missed = [k for k, v in ratios.items() if v is not None and v < 10]
    lines += ["", "Throughput of detente over the rdflib anchor: " + ", ".join(f"{k} ×{v}" for k, v in ratios.items())
              + (" — the ×10 target is met." if not missed else
                 f" — the ×10 target is NOT met for {', '.join(missed)}."), "",
              "`provenance`: SPARQL for the claims, sources and publishers behind one event's prisoner count "
              "(`GRAPH ?claim { <event> dt:prisonerCount ?n }`), a random event per request. `aggregate`: claims "
              "per publisher over every claim (join + GROUP BY, top 20). `rest_provenance`: detente's "
              "`GET /provenance?subject=<event>&predicate=dt:prisonerCount` (full claim records). "
              "`pyoxigraph` is a bare Flask app calling pyoxigraph in the server threads, without detente's "
              "time limits and process isolation.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
