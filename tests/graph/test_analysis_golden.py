"""Golden JSON of every analysis, recorded in ``golden/analysis``.

The typed results write exactly the documents the HTTP route and ``detente analyze --format json`` gave
before they were typed.

Each case is a metric and its parameters as text, as a query string gives them; the store holds
the demo corpus and the ontology, as ``detente demo`` serves it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import detente.loaders
from detente.graph import Store, open_store
from detente.graph.analysis import run_metric
from detente.graph.bootstrap import ensure_ontology
from detente.loaders import load_paths

GOLDEN = Path(__file__).resolve().parent / "golden" / "analysis"
CASES = [
    ("centrality", "centrality", {}),
    ("centrality-weighted-top3", "centrality", {"sort": "weighted_degree", "limit": "3"}),
    ("centrality-full", "centrality", {"projection": "full"}),
    ("centrality-sampled", "centrality", {"k": "3", "seed": "1"}),
    ("centrality-filtered", "centrality", {"min_confidence": "0.8", "publisher": "Meridian Wire, Harbour Gazette"}),
    ("communities", "communities", {"seed": "4"}),
    ("communities-greedy", "communities", {"method": "greedy", "resolution": "1.5"}),
    ("brokers", "brokers", {}),
    ("brokers-grain", "brokers", {"event": "Black Sea Grain Initiative", "limit": "1"}),
    ("ego-ethiopia", "ego", {"actor": "state:ETH", "radius": "2"}),
    ("path-turkey-ukraine", "path", {"actor": "Turkey", "to": "Ukraine"}),
    ("path-turkey-ukraine-2024", "path", {"actor": "Turkey", "to": "Ukraine", "start": "2024-01-01"}),
    ("path-none", "path", {"actor": "Ethiopia", "to": "Ukraine"}),
    ("timeline", "timeline", {}),
    ("timeline-turkey", "timeline", {"actor": "Turkey", "limit": "2"}),
    ("corroboration", "corroboration", {"limit": "100"}),
    ("corroboration-types", "corroboration", {"include_types": "yes", "date_basis": "issued", "end": "2025"}),
    ("conflicts", "conflicts", {}),
    ("conflicts-one-publisher", "conflicts", {"publisher": "Caspian Dispatch"}),
]


@pytest.fixture(scope="module")
def store() -> Store:
    store = open_store("memory:")
    ensure_ontology(store)
    load_paths(store, [Path(detente.loaders.__file__).resolve().parent / "demo"])
    return store


def same(got: object, want: object, where: str = "$") -> None:
    """Equal JSON, keys in the same order; floats to 1e-9 (they come out of iterative algorithms)."""
    if isinstance(want, float) and isinstance(got, float):
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), where
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), where
        for key in want:
            same(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for index, (g, w) in enumerate(zip(got, want, strict=True)):
            same(g, w, f"{where}[{index}]")
    else:
        assert got == want and type(got) is type(want), where


@pytest.mark.parametrize(("name", "metric", "params"), CASES, ids=[c[0] for c in CASES])
def test_result_json_is_the_recorded_document(store: Store, name: str, metric: str, params: dict) -> None:
    want = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    same(json.loads(json.dumps(run_metric(store, metric, **params))), want)
