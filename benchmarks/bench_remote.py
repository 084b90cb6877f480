"""Load and query times of the remote store (Virtuoso over HTTP) against the embedded store and the anchors.

Side by side in one run, on the same N-Quads of ``n`` synthetic claims:

* ``rdflib``: rdflib's in-memory ``Dataset`` and SPARQL engine (anchor);
* ``pyoxigraph``: a plain in-memory ``pyoxigraph.Store`` (anchor);
* ``detente memory:``: the embedded store (Oxigraph behind the Store interface);
* ``detente sparql+http (Virtuoso)``: :class:`detente.graph.remote_store.RemoteStore`
  on a private Virtuoso started for the run (anonymous endpoint, INSERT DATA batches).

Run::

    .venv/bin/python benchmarks/bench_remote.py --claims 10000

Results go to ``benchmarks/results/remote.json`` and ``remote.md``.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "graph"))

import pyoxigraph as ox  # noqa: E402  (an anchor of the benchmark)
from rdflib import Dataset  # noqa: E402

from benchmarks.synthetic import synthetic_claims  # noqa: E402
from detente.graph import open_store  # noqa: E402
from detente.graph.claims import claims_for, claims_nquads, stats  # noqa: E402
from detente.graph.remote_store import RemoteStore  # noqa: E402
from detente.graph.store import PREFIXES, Store  # noqa: E402
from detente.ontology.vocab import DT, FACTS_GRAPH  # noqa: E402

from virtuoso_server import start_virtuoso  # noqa: E402

#: Queries every engine runs, on the facts (rdflib, pyoxigraph: over the facts graph only).
QUERIES = {
    "count facts by type": "SELECT ?t (COUNT(?e) AS ?n) WHERE { ?e a ?t } GROUP BY ?t ORDER BY ?t",
    "parties of agreements": "SELECT ?e ?p WHERE { ?e a dt:Agreement ; dt:hasParty ?p } ORDER BY ?e ?p",
    "functional conflicts": ("SELECT ?s (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s dt:prisonerCount ?o } GROUP BY ?s "
                             "HAVING (COUNT(DISTINCT ?o) > 1)"),
}


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def bench_rdflib(nquads: str) -> dict[str, object]:
    data = Dataset()
    load, _ = timed(lambda: data.parse(data=nquads, format="nquads"))
    facts = data.graph(FACTS_GRAPH)
    out: dict[str, object] = {"load_s": load}
    for name, text in QUERIES.items():
        seconds, result = timed(lambda text=text: list(facts.query(text, initNs=PREFIXES)))
        out[name] = {"seconds": seconds, "rows": len(result)}  # type: ignore[arg-type]
    return out


def bench_pyoxigraph(nquads: str) -> dict[str, object]:
    store = ox.Store()
    load, _ = timed(lambda: store.load(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    out: dict[str, object] = {"load_s": load}
    for name, text in QUERIES.items():
        seconds, result = timed(lambda text=text: list(store.query(text, prefixes=PREFIXES,
                                                           default_graph=ox.NamedNode(str(FACTS_GRAPH)))))
        out[name] = {"seconds": seconds, "rows": len(result)}  # type: ignore[arg-type]
    return out


def bench_store(store: Store, nquads: str, claim_sample: list) -> dict[str, object]:
    load, _ = timed(lambda: store.add_nquads(nquads))
    out: dict[str, object] = {"load_s": load, "quads": store.count_quads()}
    for name, text in QUERIES.items():
        seconds, result = timed(lambda text=text: store.query(text, default_graphs=[FACTS_GRAPH]).rows)
        out[name] = {"seconds": seconds, "rows": len(result)}  # type: ignore[arg-type]
    seconds, report = timed(lambda: stats(store))
    out["stats()"] = {"seconds": seconds, "claims": report.claims}  # type: ignore[attr-defined]
    seconds, found = timed(lambda: [len(claims_for(store, subject, DT.hasParty, None, limit=50))
                                    for subject in claim_sample])
    out[f"claims_for() x{len(claim_sample)}"] = {"seconds": seconds, "claims": sum(found)}  # type: ignore[arg-type]
    seconds, _ = timed(lambda: store.dump(io.BytesIO(), "nquads"))
    out["dump nquads"] = {"seconds": seconds}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=10000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    claims = list(synthetic_claims(args.claims))
    nquads = claims_nquads(claims)
    sample = sorted({s for c in claims[:400] for s, p, o in c.statements if p == DT.hasParty})[:20]
    results: dict[str, object] = {
        "claims": args.claims, "quads_in_input": nquads.count("\n"),
        "python": platform.python_version(), "pyoxigraph": ox.__version__ if hasattr(ox, "__version__") else "?",
    }
    print(f"{args.claims} claims, {results['quads_in_input']} input quads", flush=True)
    engines: dict[str, dict[str, object]] = {}
    engines["rdflib Dataset (anchor)"] = bench_rdflib(nquads)
    print("rdflib done", flush=True)
    engines["pyoxigraph Store (anchor)"] = bench_pyoxigraph(nquads)
    memory = open_store("memory:")
    engines["detente memory:"] = bench_store(memory, claims_nquads(claims, facts=memory.facts_label), sample)
    print("embedded done", flush=True)
    server = start_virtuoso(buffers=50000, max_rows=100000)
    try:
        remote = RemoteStore(server.store_uri)
        engines["detente sparql+http (Virtuoso 7.2)"] = bench_store(remote, nquads, sample)
        results["virtuoso_chunk"] = remote.chunk
    finally:
        server.stop()
    results["engines"] = engines
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "remote.json").write_text(json.dumps(results, indent=2))
    (args.out / "remote.md").write_text(markdown(results))
    print(markdown(results))


def markdown(results: dict[str, object]) -> str:
    engines: dict[str, dict[str, object]] = results["engines"]  # type: ignore[assignment]
    rows = sorted({k for e in engines.values() for k in e if k not in ("quads",)}, key=lambda k: (k != "load_s", k))
    lines = [f"# Remote store benchmark: {results['claims']} synthetic claims "
             f"({results['quads_in_input']} input quads)", "",
             "Seconds (lower is better), one run, same machine, same N-Quads. rdflib and pyoxigraph query the facts "
             "graph directly; the detente stores go through the Store interface (Virtuoso: over HTTP, "
             f"INSERT DATA batches of {results.get('virtuoso_chunk')} quads).", "",
             "| measure | " + " | ".join(engines) + " |", "|---" * (len(engines) + 1) + "|"]
    for key in rows:
        cells = []
        for engine in engines.values():
            value = engine.get(key)
            if value is None:
                cells.append("–")
            elif isinstance(value, dict):
                extra = ", ".join(f"{k} {v}" for k, v in value.items() if k != "seconds")
                cells.append(f"{value['seconds']:.3f}" + (f" ({extra})" if extra else ""))
            else:
                cells.append(f"{value:.3f}")
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
