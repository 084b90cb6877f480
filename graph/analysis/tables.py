"""Analysis results as plain tables (title, columns, rows of text), for terminals and reports.

Kept free of any terminal library: the command line renders these with rich.

>>> from detente.graph.store import open_store
>>> from detente.graph.analysis import run_metric
>>> [t.title for t in result_tables(run_metric(open_store("memory:"), "centrality"))]
['Centrality (actors, 0 nodes, 0 edges)']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class TextTable:
    """A titled table of text cells."""

    title: str
    columns: Sequence[str]
    rows: list[list[str]]

    def to_text(self) -> str:
        """A plain fixed-width rendering.

        >>> print(TextTable("T", ["a", "bb"], [["1", "2"]]).to_text())
        T
        a  bb
        1  2
        """
        widths = [max([len(c)] + [len(r[i]) for r in self.rows]) for i, c in enumerate(self.columns)]
        lines = [self.title, "  ".join(c.ljust(w) for c, w in zip(self.columns, widths)).rstrip()]
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in self.rows]
        return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v.get("label", v.get("id")) if isinstance(v, dict) else v) for v in value)
    return str(value)


def _rows(items: Iterable[dict[str, Any]], keys: Sequence[str]) -> list[list[str]]:
    return [[_cell(item.get(k)) for k in keys] for item in items]


def result_tables(result: dict[str, Any]) -> list[TextTable]:
    """Tables for a :func:`~detente.graph.analysis.run_metric` result."""
    metric = result.get("metric")
    size = f"{result.get('projection', 'actors')}, {result.get('node_count', 0)} nodes, {result.get('edge_count', 0)} edges"
    sampled = " — betweenness sampled, k={}".format(result["k"]) if result.get("sampled") else ""
    if metric == "centrality":
        keys = ["rank", "label", "type", "pagerank", "degree", "weighted_degree", "betweenness", "eigenvector"]
        return [TextTable(f"Centrality ({size}){sampled}", keys, _rows(result["nodes"], keys))]
    if metric == "communities":
        rows = [[str(c["community"]), str(c["size"]), str(c["internal_claims"]), _cell(c["members"])]
                for c in result["communities"]]
        return [TextTable(f"Communities ({result['method']}, modularity {_cell(result['modularity'])})",
                          ["community", "size", "internal claims", "members"], rows)]
    if metric == "brokers":
        keys = ["rank", "label", "type", "events_mediated", "betweenness", "source_count", "parties_brought_together"]
        between = ["label", "type", "betweenness", "mediator"]
        return [TextTable(f"Mediators ({size}){sampled}", keys, _rows(result["brokers"], keys)),
                TextTable("Actors by betweenness", between, _rows(result["by_betweenness"], between))]
    if metric == "ego":
        keys = ["label", "type", "distance", "claims_with_actor"]
        ties = ["source_label", "target_label", "relations", "claim_count", "source_count", "first_seen", "last_seen"]
        return [TextTable(f"Ego network of {result['actor']['label']} (radius {result['radius']})", keys,
                          _rows(result["neighbours"], keys)),
                TextTable("Ties", ties, _rows(result["ties"], ties))]
    if metric == "path":
        title = f"Paths from {result['actor']['label']} to {result['to']['label']}"
        if not result["found"]:
            return [TextTable(title + ": none", ["path"], [])]
        rows = []
        for number, found in enumerate(result["paths"], 1):
            for hop in found["hops"]:
                publishers = sorted({(c["source"] or {}).get("publisher_label") or "" for c in hop["claims"]} - {""})
                rows.append([str(number), hop["from"]["label"], hop["to"]["label"], _cell(hop["relations"]),
                             _cell(hop["events"]), str(hop["claim_count"]), _cell(publishers)])
        return [TextTable(f"{title} ({result['length']} hops)",
                          ["path", "from", "to", "relations", "events", "claims", "publishers"], rows)]
    if metric == "timeline":
        rows = [[_cell(e["date"]), _cell(e["end_date"]), e["label"], e["type"], _cell(e["parties"]),
                 _cell(e["mediators"]), _cell(sorted({s["publisher_label"] or "" for s in e["sources"]} - {""}))]
                for e in result["events"]]
        who = f" of {result['actor']['label']}" if result.get("actor") else ""
        return [TextTable(f"Timeline{who}", ["date", "end", "event", "type", "parties", "mediators", "sources"], rows)]
    if metric in ("corroboration", "conflicts"):
        tables = []
        if metric == "corroboration":
            hist = ", ".join(f"{n} source(s): {c}" for n, c in result["sources_per_fact"].items())
            keys = ["subject_label", "predicate", "object_label", "source_count", "publishers"]
            facts = [{**f, "object_label": f.get("object_label", f["object"])} for f in result["best_corroborated"]]
            single = [{**f, "object_label": f.get("object_label", f["object"])} for f in result["single_source_facts"]]
            tables.append(TextTable(f"Corroboration: {result['facts']} facts from {result['claims']} claims ({hist})",
                                    keys, _rows(facts, keys)))
            tables.append(TextTable(f"Single-source facts ({result['single_source']})", keys, _rows(single, keys)))
        rows = [[c["subject_label"], c["predicate"], v["value"], str(v["source_count"]),
                 _cell([x["publisher"] for x in v["claims"]])] for c in result["conflicts"] for v in c["values"]]
        tables.append(TextTable(f"Conflicts ({len(result['conflicts'])})",
                                ["subject", "predicate", "value", "sources", "publishers"], rows))
        return tables
    raise ValueError(f"no table layout for metric {metric!r}")
