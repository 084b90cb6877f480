"""Benchmark: reconciling a 200-row table of actor names through ``/reconcile``, as OpenRefine does.

The table is ``tests/api/reconcile/actors.csv`` (name, optional type and
country columns, the expected entity, and the kind of name: exact, case,
accent, alias, official, code, variant, typed, property, nomatch). The store
holds the bundled demo corpus plus ``tests/api/reconcile/entities.yaml``; the
registry knows every ISO 3166 state. Rows go to ``POST /reconcile`` in
batches of 10 (OpenRefine's default), with a ``type`` and a ``country``
property constraint where the row has them.

Reported:

* **auto-matched correct**: ``match: true`` on the expected entity (share of rows that have one);
* **auto-matched wrong**: ``match: true`` on anything else, including rows that must not match (share of all rows);
* **right candidate first**: the expected entity is the top candidate (share of rows that have one);
* the same by kind of name.

Run::

    .venv/bin/python benchmarks/bench_reconcile.py      # writes benchmarks/results/reconcile.{json,md}
"""

from __future__ import annotations

import csv
import json
import platform
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "api" / "reconcile" / "actors.csv"
ENTITIES = ROOT / "tests" / "api" / "reconcile" / "entities.yaml"
RESULTS = ROOT / "benchmarks" / "results"


@dataclass
class Outcome:
    """What the service made of one row."""

    name: str
    kind: str
    expected: str
    top: str | None
    top_score: float | None
    matched: str | None  # the candidate with match: true, if any

    @property
    def correct_match(self) -> bool:
        return bool(self.expected) and self.matched == self.expected

    @property
    def wrong_match(self) -> bool:
        return self.matched is not None and self.matched != self.expected

    @property
    def right_first(self) -> bool:
        return bool(self.expected) and self.top == self.expected


def read_table(path: Path = TABLE) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _query(row: dict[str, str]) -> dict[str, Any]:
    query: dict[str, Any] = {"query": row["name"], "limit": 5}
    if row.get("type"):
        query["type"] = row["type"]
        query["type_strict"] = "should"  # what OpenRefine sends
    if row.get("country"):
        query["properties"] = [{"pid": "country", "v": row["country"]}]
    return query


def reconcile_rows(client: Any, rows: Sequence[dict[str, str]], batch: int = 10) -> list[Outcome]:
    """Send the rows to ``POST /reconcile`` in batches; ``client`` is a Flask test client or ``requests``-like."""
    outcomes: list[Outcome] = []
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        queries = {f"q{n}": _query(row) for n, row in enumerate(chunk)}
        response = client.post("/reconcile", data={"queries": json.dumps(queries)})
        assert response.status_code == 200, (
            response.get_data(as_text=True) if hasattr(response, "get_data") else response.text)
        body = response.json() if callable(response.json) else response.json
        for n, row in enumerate(chunk):
            result = body[f"q{n}"]["result"]
            matched = [c["id"] for c in result if c.get("match")]
            outcomes.append(Outcome(row["name"], row["kind"], row["expected"],
                                    result[0]["id"] if result else None, result[0]["score"] if result else None,
                                    matched[0] if matched else None))
    return outcomes


def metrics(outcomes: Iterable[Outcome]) -> dict[str, Any]:
    """Rates over all rows and by kind of name."""
    items = list(outcomes)

    def rates(group: list[Outcome]) -> dict[str, Any]:
        with_expected = [o for o in group if o.expected]
        return {
            "rows": len(group),
            "rows_with_an_entity": len(with_expected),
            "auto_matched_correct": sum(o.correct_match for o in group),
            "auto_matched_wrong": sum(o.wrong_match for o in group),
            "right_first": sum(o.right_first for o in group),
            "auto_matched_correct_rate": round(sum(o.correct_match for o in with_expected) / len(with_expected), 4)
            if with_expected else None,
            "auto_matched_wrong_rate": round(sum(o.wrong_match for o in group) / len(group), 4) if group else None,
            "right_first_rate": round(sum(o.right_first for o in with_expected) / len(with_expected), 4)
            if with_expected else None,
        }

    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in items:
        by_kind[o.kind].append(o)
    return {"all": rates(items), "by_kind": {k: rates(v) for k, v in sorted(by_kind.items())}}


def demo_app() -> Any:
    """The app over the demo corpus and the benchmark's extra entities (in-process)."""
    import detente.loaders
    from detente.api.app import create_app
    from detente.graph.bootstrap import ensure_ontology
    from detente.graph.store import open_store
    from detente.loaders import load_paths

    store = open_store("memory:")
    ensure_ontology(store)
    load_paths(store, [Path(detente.loaders.__file__).parent / "demo", ENTITIES])
    return create_app({"store": store, "workers": 1, "query_timeout": 60})


def main() -> None:
    import detente

    app = demo_app()
    try:
        rows = read_table()
        started = time.perf_counter()
        outcomes = reconcile_rows(app.test_client(), rows)
        seconds = time.perf_counter() - started
    finally:
        app.extensions["detente"].close()
    result = metrics(outcomes)
    run = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": platform.platform(),
           "python": platform.python_version(), "detente": detente.__version__, "rows": len(rows),
           "seconds": round(seconds, 3), "metrics": result,
           "misses": [asdict(o) for o in outcomes if not (o.correct_match or (not o.expected and not o.matched))]}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "reconcile.json").write_text(json.dumps(run, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    lines = ["# Reconciliation benchmark", "",
             f"Run {run['date']} on {run['machine']} (Python {run['python']}). {len(rows)} rows of "
             "`tests/api/reconcile/actors.csv` sent to `POST /reconcile` in batches of 10, as OpenRefine does; "
             f"{run['seconds']} s in all (one worker, in-process app).", "",
             "| rows | kind | auto-matched correct | auto-matched wrong | right candidate first |",
             "| ---: | --- | ---: | ---: | ---: |"]

    def line(kind: str, r: dict[str, Any]) -> str:
        has = r["rows_with_an_entity"]
        correct = f"{r['auto_matched_correct']}/{has}" if has else "–"
        first = f"{r['right_first']}/{has}" if has else "–"
        return f"| {r['rows']} | {kind} | {correct} | {r['auto_matched_wrong']}/{r['rows']} | {first} |"

    lines.append(line("**all**", result["all"]))
    lines += [line(kind, r) for kind, r in result["by_kind"].items()]
    lines += ["", "Rows not auto-matched to their entity (and `nomatch` rows that were matched), "
              "with the top candidate:", ""]
    lines += [f"- `{m['name']}` ({m['kind']}): expected `{m['expected'] or 'none'}`, top `{m['top']}` "
              f"({m['top_score']}), matched `{m['matched']}`" for m in run["misses"]]
    (RESULTS / "reconcile.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
