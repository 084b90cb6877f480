"""Benchmark: whether a trivial query stays answerable while heavy requests or slow sockets press on the server.

One detente server (waitress, the settings ``detente serve`` would use, in its
own process) over synthetic claims in a ``memory:`` store. A prober thread asks
``ASK { ?s ?p ?o }`` every half second (and ``/healthz``) while one of these
storms runs, and records each answer's status and latency:

* ``export-same`` — 10 concurrent ``GET /export/graphml`` (one format: what a
  crowd clicking the same download does);
* ``export-mixed`` — 10 concurrent exports in 10 different formats (no two alike);
* ``analysis`` — 10 concurrent ``GET /analysis/centrality``;
* ``slowloris`` — 100 sockets each sending one header byte per second, from
  127.0.0.1, while the prober connects from 127.0.0.2.

Also reported: how the storm's own requests were answered (200, 503…), and
the ASK latency with no storm. Run before and after a change and compare::

    .venv/bin/python benchmarks/bench_availability.py --label after          # 50k claims
    .venv/bin/python benchmarks/bench_availability.py --claims 2000 --label quick

Results go to ``benchmarks/results/availability-<label>.json``; ``--markdown``
writes the comparison of the labels found there to ``availability.md``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ASK = "ASK { ?s ?p ?o }"
MIXED_FORMATS = ["graphml", "gexf", "cytoscape", "nodelink", "dot", "csv", "turtle", "trig", "nquads", "jsonld"]
STORMS = ("export-same", "export-mixed", "analysis", "slowloris")


# -- the server (its own process: `bench_availability.py --serve --data FILE`) ----------------------

def serve(data: Path) -> None:
    from detente.api.app import create_app
    from detente.api.server import make_server
    from detente.graph import open_store
    from detente.graph.bootstrap import ensure_ontology

    store = open_store("memory:")
    ensure_ontology(store)
    getattr(store, "bulk_add_nquads", store.add_nquads)(data.read_text(encoding="utf-8"))
    app = create_app({"store": store, "update_token": ""})
    server = make_server(app, "127.0.0.1", 0)  # the threads `detente serve` would use
    threads = getattr(server.task_dispatcher, "threads", None)
    print(f"READY {server.effective_port} {len(threads) if threads is not None else '?'}", flush=True)
    server.run()


def start_server(data: Path) -> tuple[subprocess.Popen[str], int, str]:
    process = subprocess.Popen([sys.executable, __file__, "--serve", "--data", str(data)], stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("READY"):
        process.kill()
        raise RuntimeError(f"the server did not start: {line!r}")
    _, port, threads = line.split()
    return process, int(port), threads


# -- clients ---------------------------------------------------------------------------------------

def get(port: int, path: str, source: str = "127.0.0.1", timeout: float = 120.0,
        accept: str = "application/sparql-results+json") -> tuple[int | str, float, int]:
    """One GET on a fresh connection: (status or error name, seconds, body bytes)."""
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request("GET", path, headers={"Accept": accept})
        response = connection.getresponse()
        body = response.read()
        return response.status, time.perf_counter() - began, len(body)
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__, time.perf_counter() - began, 0
    finally:
        connection.close()


def probe_while(port: int, busy: threading.Event, source: str) -> list[dict[str, Any]]:
    """ASK and /healthz every half second while ``busy`` is set."""
    answers: list[dict[str, Any]] = []
    while busy.is_set():
        status, seconds, _ = get(port, "/sparql?" + urlencode({"query": ASK}), source)
        health, health_seconds, _ = get(port, "/healthz", source, accept="application/json")
        answers.append({"ask": status, "ask_s": round(seconds, 3), "healthz": health,
                        "healthz_s": round(health_seconds, 3)})
        time.sleep(0.5)
    return answers


def summary(answers: list[dict[str, Any]]) -> dict[str, Any]:
    asks = [a["ask_s"] for a in answers]
    ok = [a["ask_s"] for a in answers if a["ask"] == 200]
    statuses: dict[str, int] = {}
    for a in answers:
        statuses[str(a["ask"])] = statuses.get(str(a["ask"]), 0) + 1
    return {"probes": len(answers), "ask_statuses": statuses,
            "ask_max_s": round(max(asks), 3) if asks else None,
            "ask_median_s": round(statistics.median(asks), 3) if asks else None,
            "ask_ok_median_s": round(statistics.median(ok), 3) if ok else None,
            "healthz_ok": sum(1 for a in answers if a["healthz"] == 200),
            "healthz_max_s": round(max(a["healthz_s"] for a in answers), 3) if answers else None}


def heavy_storm(port: int, paths: list[str]) -> dict[str, Any]:
    busy = threading.Event()
    busy.set()
    answers: list[dict[str, Any]] = []
    prober = threading.Thread(target=lambda: answers.extend(probe_while(port, busy, "127.0.0.1")))
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        futures = [pool.submit(get, port, path, "127.0.0.1", 600.0, "*/*") for path in paths]
        time.sleep(0.2)  # the storm is in before the first probe
        prober.start()
        results = [f.result() for f in futures]
    busy.clear()
    prober.join()
    storm_statuses: dict[str, int] = {}
    for status, _s, _n in results:
        storm_statuses[str(status)] = storm_statuses.get(str(status), 0) + 1
    return {**summary(answers), "storm_statuses": storm_statuses,
            "storm_slowest_s": round(max(s for _st, s, _n in results), 2), "answers": answers}


def slowloris(port: int, sockets: int = 100, hold: float = 20.0) -> dict[str, Any]:
    """``sockets`` connections from 127.0.0.1 sending one header byte per second for ``hold`` seconds."""
    held: list[socket.socket] = []
    refused = 0
    for _ in range(sockets):
        sock = socket.socket()
        sock.settimeout(5)
        try:
            sock.connect(("127.0.0.1", port))
            held.append(sock)
        except OSError:
            refused += 1
    text = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
    busy = threading.Event()
    busy.set()
    answers: list[dict[str, Any]] = []
    prober = threading.Thread(target=lambda: answers.extend(probe_while(port, busy, "127.0.0.2")))
    prober.start()
    closed_by_server = 0
    began = time.perf_counter()
    position = 0
    while time.perf_counter() - began < hold:
        for sock in list(held):
            try:
                sock.send(text[position:position + 1])
            except OSError:
                held.remove(sock)
                closed_by_server += 1
        position += 1
        time.sleep(1.0)
    busy.clear()
    prober.join()
    for sock in held:
        sock.close()
    return {**summary(answers), "sockets": sockets, "connect_failed": refused,
            "closed_by_server_within_hold": closed_by_server, "hold_s": hold, "answers": answers}


def quiet(port: int) -> dict[str, Any]:
    answers = []
    for _ in range(10):
        status, seconds, _ = get(port, "/sparql?" + urlencode({"query": ASK}))
        answers.append({"ask": status, "ask_s": round(seconds, 3), "healthz": 200, "healthz_s": 0.0})
    return summary(answers)


def make_data(claims: int, path: Path) -> int:
    if not path.exists():
        from benchmarks.synthetic import synthetic_claims
        from detente.graph.claims import claims_nquads

        path.write_text(claims_nquads(list(synthetic_claims(claims))), encoding="utf-8")
    return sum(1 for _ in path.open(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=50_000)
    parser.add_argument("--label", default="after", help="name of this run (before, after…)")
    parser.add_argument("--storms", default=",".join(STORMS))
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help="N-Quads of the synthetic claims (made once, then reused)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--markdown", action="store_true", help="only write availability.md from the JSON files")
    args = parser.parse_args()
    if args.serve:
        serve(args.data)
        return
    if args.markdown:
        write_markdown(args.out)
        return
    data = args.data or Path(f"/tmp/detente-availability-{args.claims}.nq")
    quads = make_data(args.claims, data)
    process, port, threads = start_server(data)
    print(f"{args.claims} claims, {quads} quads; serving on port {port} with {threads} threads", flush=True)
    results: dict[str, Any] = {}
    try:
        results["quiet"] = quiet(port)
        print("quiet", results["quiet"], flush=True)
        storms = args.storms.split(",")
        for name in storms:
            if name == "export-same":
                results[name] = heavy_storm(port, ["/export/graphml"] * 10)
            elif name == "export-mixed":
                results[name] = heavy_storm(port, [f"/export/{fmt}" for fmt in MIXED_FORMATS])
            elif name == "analysis":
                results[name] = heavy_storm(port, ["/analysis/centrality"] * 10)
            elif name == "slowloris":
                results[name] = slowloris(port)
            print(name, {k: v for k, v in results[name].items() if k != "answers"}, flush=True)
    finally:
        process.kill()
        process.wait()
    report = {"benchmark": "availability", "label": args.label,
              "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
              "settings": {"claims": args.claims, "quads": quads, "server_threads": threads,
                           "workers": int(os.environ.get("DETENTE_WORKERS", os.cpu_count() or 2))},
              "results": results}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"availability-{args.label}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def write_markdown(out: Path) -> None:
    """Write ``availability.md`` from the ``availability-*.json`` runs found in ``out``."""
    runs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("availability-*.json"))]
    runs.sort(key=lambda r: (r["settings"]["claims"], r["date"]))
    lines = ["# Availability under heavy requests and slow sockets", "",
             "Produced by `benchmarks/bench_availability.py` (`--markdown` rewrites this file from the JSON runs): "
             "one server over synthetic claims (memory store, the settings of `detente serve`: 8 threads, "
             "`DETENTE_WORKERS` query workers); a prober asks `ASK { ?s ?p ?o }` and `GET /healthz` every 0.5 s "
             "on a new connection while a storm runs. `before` is the code before issue 8's availability work "
             "(no read timeouts, no heavy lane, no cache); `after` is with them. The machine is shared with other "
             "engineers' work: compare statuses and orders of magnitude, not milliseconds.", "",
             "| run | date (UTC) | machine | claims | storm | ASK answers | ASK median s | ASK max s | /healthz ok | "
             "storm's answers | slowest storm request s |",
             "| --- | --- | --- | ---: | --- | --- | ---: | ---: | ---: | --- | ---: |"]
    for run in runs:
        s = run["settings"]
        machine = f"{run['machine']['cpus']} CPUs, Python {run['machine']['python']}, {s['workers']} workers"
        for name, r in run["results"].items():
            asks = ", ".join(f"{k}×{v}" for k, v in r["ask_statuses"].items())
            storm = ", ".join(f"{k}×{v}" for k, v in r.get("storm_statuses", {}).items()) or (
                f"{r.get('closed_by_server_within_hold', '')} of {r.get('sockets', '')} slow sockets closed by "
                f"the server within {r.get('hold_s', '')} s" if name == "slowloris" else "")
            lines.append(f"| {run['label']} | {run['date'][:16].replace('T', ' ')} | {machine} | {s['claims']:,} | "
                         f"{name} | {asks} | {r['ask_median_s']} | {r['ask_max_s']} | "
                         f"{r['healthz_ok'] if name != 'quiet' else '-'}/{r['probes']} | {storm} | "
                         f"{r.get('storm_slowest_s', '')} |")
    (out / "availability.md").write_text("\n".join(lines) + "\n", encoding="utf-8")

if __name__ == "__main__":
    main()
