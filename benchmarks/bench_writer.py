"""Benchmark: what one small SPARQL Update and one cheap query cost through the HTTP server.

The server runs in its own process (``detente serve``-like: :func:`detente.api.app.create_app`
under waitress) over four stores: the bundled demo corpus and N synthetic claims
(:mod:`benchmarks.synthetic`), each as ``memory:`` and as ``oxigraph:PATH``. One client sends,
one request at a time,

* ``update`` — ``POST /update`` with a one-triple ``INSERT DATA`` (a new triple each time);
* ``query`` — ``GET /sparql`` with a one-pattern ``ASK`` on an entity.

and the p50/p90 latency of each is reported (``--requests`` of each, default 200).

Run::

    .venv/bin/python benchmarks/bench_writer.py                       # demo + 50k claims
    .venv/bin/python benchmarks/bench_writer.py --claims 5000 --label quick

Results go to ``benchmarks/results/writer-LABEL.json`` and ``writer-LABEL.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "bench-writer-token"
QUERY = "ASK { <https://w3id.org/detente/id/state/UKR> ?p ?o }"
UPDATE = "INSERT DATA { <urn:bench:s%d> <https://w3id.org/detente/ontology#testFlag> 'x%d' }"


def build_data(claims: int, folder: Path) -> Path:
    """N-Quads of the demo corpus (claims=0) or of ``claims`` synthetic claims, with the ontology."""
    from detente.graph.bootstrap import ensure_ontology
    from detente.graph.store import open_store

    target = folder / (f"synthetic-{claims}.nq" if claims else "demo.nq")
    store = open_store("memory:")
    ensure_ontology(store)
    if claims:
        from benchmarks.synthetic import synthetic_claims
        from detente.graph.claims import claims_nquads

        store.add_nquads(claims_nquads(list(synthetic_claims(claims))))
    else:
        import detente.loaders
        from detente.loaders import load_paths

        load_paths(store, [Path(detente.loaders.__file__).parent / "demo"])
    store.dump(target, "nquads")
    return target


def serve(uri: str, data: Path) -> None:
    """Child process: open the store, load ``data`` into it, serve it (prints READY PORT)."""
    from detente.api.app import create_app
    from detente.api.server import make_server
    from detente.graph.store import open_store

    if uri == "memory:":
        store: Any = open_store("memory:")
        store.load(data, "nquads")
    else:
        loader = subprocess.run([sys.executable, __file__, "--fill", uri, "--data", str(data)], check=True)
        del loader
        store = uri
    app = create_app({"store": store, "workers": 2, "query_timeout": 60, "update_token": TOKEN})
    server = make_server(app, "127.0.0.1", 0, threads=8)
    print(f"READY {server.effective_port}", flush=True)
    server.run()


def fill(uri: str, data: Path) -> None:
    from detente.graph.store import open_store

    store = open_store(uri)
    store.load(data, "nquads")
    store.close()


def measure(url: str, requests_per_kind: int) -> dict[str, Any]:
    import requests

    session = requests.Session()
    latencies: dict[str, list[float]] = {"query": [], "update": []}
    for i in range(requests_per_kind + 5):
        began = time.perf_counter()
        response = session.get(url + "/sparql", params={"query": QUERY},
                               headers={"Accept": "application/sparql-results+json"}, timeout=120)
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, response.text
        if i >= 5:  # warm-up
            latencies["query"].append(elapsed)
    for i in range(requests_per_kind + 2):
        began = time.perf_counter()
        response = session.post(url + "/update", data={"update": UPDATE % (i, i)},
                                headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
        elapsed = time.perf_counter() - began
        assert response.status_code == 204, response.text
        if i >= 2:
            latencies["update"].append(elapsed)
    out: dict[str, Any] = {}
    for kind, values in latencies.items():
        ordered = sorted(values)
        out[kind] = {"requests": len(values), "p50_ms": round(statistics.median(ordered) * 1000, 2),
                     "p90_ms": round(ordered[int(0.9 * len(ordered))] * 1000, 2)}
    return out


def run_one(uri: str, data: Path, requests_per_kind: int) -> dict[str, Any]:
    process = subprocess.Popen([sys.executable, __file__, "--serve", uri, "--data", str(data)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("READY"):
            raise RuntimeError(f"server did not start: {line!r}")
        return measure(f"http://127.0.0.1:{line.split()[1]}", requests_per_kind)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--label", default="after")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--fill", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, Path(args.data))
        return
    if args.fill:
        fill(args.fill, Path(args.data))
        return
    tmp = Path(tempfile.mkdtemp(prefix="detente-bench-writer-"))
    results: dict[str, Any] = {}
    for name, claims in (("demo", 0), (f"synthetic-{args.claims}", args.claims)):
        data = build_data(claims, tmp)
        for kind in ("memory", "oxigraph"):
            uri = "memory:" if kind == "memory" else f"oxigraph:{tmp / (name + '-store')}"
            results[f"{name} {kind}"] = run_one(uri, data, args.requests)
            print(name, kind, results[f"{name} {kind}"], flush=True)
    report = {"benchmark": "writer", "label": args.label,
              "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
              "settings": {"claims": args.claims, "requests": args.requests, "workers": 2},
              "results": results}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"writer-{args.label}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    lines = [f"# Small update and cheap query latency ({args.label})", "",
             f"{args.requests} sequential requests of each kind, one client, 2 query workers. "
             f"Machine: {os.cpu_count()} CPUs. Date: {report['date']}. Produced by `benchmarks/bench_writer.py`.", "",
             "| store | query p50 ms | query p90 ms | update p50 ms | update p90 ms |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for key, entry in results.items():
        lines.append(f"| {key} | {entry['query']['p50_ms']} | {entry['query']['p90_ms']} | "
                     f"{entry['update']['p50_ms']} | {entry['update']['p90_ms']} |")
    (args.out / f"writer-{args.label}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
