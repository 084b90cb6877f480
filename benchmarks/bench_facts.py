"""Benchmark: writing the facts view into the embedded Oxigraph store, by a stated label or by text rewriting.

Claims carry each assertion twice: in the claim's graph and in the facts view,
which is Oxigraph's default graph. Three ways to get synthetic claims
(``benchmarks/synthetic.py``) into a ``memory:`` store are timed, interleaved
in one process so that a busy machine slows them alike; the minimum of the
runs is reported (the least disturbed), with the median beside it:

``rewrite``
    the way before the store stated its facts label: facts written under the
    facts graph's IRI, the N-Quads text rewritten (``<…/graph/facts> .`` →
    ``.``), then loaded.
``label``
    facts written with no graph label, as the store states
    (``Store.facts_label`` is None): ``add_nquads`` loads the text as it is.
``foreign``
    text from elsewhere naming the facts graph: ``add_nquads`` moves those
    quads to the default graph on the engine's parse (the slow path).

Serialising (``claims_nquads``) and loading are timed separately.

Run::

    .venv/bin/python benchmarks/bench_facts.py                 # 100k claims, 5 runs
    .venv/bin/python benchmarks/bench_facts.py --claims 10000 --runs 3
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from benchmarks.synthetic import synthetic_claims  # noqa: E402
from detente.graph import open_store  # noqa: E402
from detente.graph.claims import claims_nquads  # noqa: E402
from detente.ontology.vocab import FACTS_GRAPH  # noqa: E402


def _rewrite(store: object, text: str) -> None:
    # What OxigraphStore.add_nquads did before: rewrite the text, then load it.
    data = text.replace(f"<{FACTS_GRAPH}> .\n", ".\n")
    store._store.load(data.encode("utf-8"), format=ox.RdfFormat.N_QUADS)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    claims = list(synthetic_claims(args.claims))
    ways: dict[str, tuple[object, Callable[[object, str], None]]] = {
        "rewrite": (FACTS_GRAPH, _rewrite),
        "label": (None, lambda store, text: store.add_nquads(text)),  # type: ignore[attr-defined]
        "foreign": (FACTS_GRAPH, lambda store, text: store.add_nquads(text)),  # type: ignore[attr-defined]
    }
    serialise: dict[str, list[float]] = {name: [] for name in ways}
    load: dict[str, list[float]] = {name: [] for name in ways}
    counts: dict[str, int] = {}
    for _run in range(args.runs):
        for name, (facts, write) in ways.items():
            store = open_store("memory:")
            gc.collect()
            start = time.perf_counter()
            text = claims_nquads(claims, facts=facts)  # type: ignore[arg-type]
            middle = time.perf_counter()
            write(store, text)
            end = time.perf_counter()
            serialise[name].append(middle - start)
            load[name].append(end - middle)
            counts[name] = store.count_quads()
            del store, text
    assert len(set(counts.values())) == 1, counts  # every way writes the same store
    print(f"{args.claims} claims, {counts['label']} quads, {args.runs} runs (min / median seconds)")
    for name in ways:
        print(f"  {name:8} serialise {min(serialise[name]):6.2f} / {statistics.median(serialise[name]):6.2f}"
              f"   add {min(load[name]):6.2f} / {statistics.median(load[name]):6.2f}")


if __name__ == "__main__":
    main()
