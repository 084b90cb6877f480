"""Analysis results as plain tables (title, columns, rows of text), for terminals and reports.

Kept free of any terminal library: the command line renders these with rich.
The tables read the typed results (:mod:`detente.graph.analysis`), never their JSON.

>>> from detente.graph import open_store
>>> from detente.graph.analysis import analyze
>>> [t.title for t in result_tables(analyze(open_store("memory:"), "centrality"))]
['Centrality (actors, 0 nodes, 0 edges)']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from detente.graph.analysis.brokers import BrokersResult
from detente.graph.analysis.centrality import CentralityResult
from detente.graph.analysis.common import MetricResult, Named, NodeRef
from detente.graph.analysis.communities import CommunitiesResult
from detente.graph.analysis.corroboration import ConflictReport, ConflictsResult, CorroborationResult, Fact
from detente.graph.analysis.ego import EgoResult
from detente.graph.analysis.paths import PathResult
from detente.graph.analysis.timeline import TimelineResult


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
        lines = [self.title, "  ".join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True)).rstrip()]
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in self.rows]
        return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (NodeRef, Named)):
        return _cell(value.label)
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _rows(items: Iterable[Any], keys: Sequence[str]) -> list[list[str]]:
    return [[_cell(getattr(item, k)) for k in keys] for item in items]


def result_tables(result: MetricResult) -> list[TextTable]:
    """Tables for a result of :func:`~detente.graph.analysis.analyze`."""
    network = result.network
    size = (f"{network.projection}, {network.node_count} nodes, {network.edge_count} edges" if network is not None
            else "actors, 0 nodes, 0 edges")
    sampled = getattr(result, "sampled", False)
    sampled_note = (f" — betweenness sampled, k={getattr(result, 'k', None)}, seed={getattr(result, 'seed', None)}"
                    if sampled else "")
    if isinstance(result, CentralityResult):
        keys = ["rank", "label", "type", "pagerank", "degree", "weighted_degree", "betweenness", "eigenvector"]
        return [TextTable(f"Centrality ({size}){sampled_note}", keys, _rows(result.nodes, keys))]
    if isinstance(result, CommunitiesResult):
        rows = [[str(c.community), str(c.size), str(c.internal_claims), _cell(c.members)] for c in result.communities]
        return [TextTable(f"Communities ({result.method}, modularity {_cell(result.modularity)})",
                          ["community", "size", "internal claims", "members"], rows)]
    if isinstance(result, BrokersResult):
        keys = ["rank", "label", "type", "events_mediated", "betweenness", "source_count", "parties_brought_together"]
        between = ["label", "type", "betweenness", "mediator"]
        return [TextTable(f"Mediators ({size}){sampled_note}", keys, _rows(result.brokers, keys)),
                TextTable("Actors by betweenness", between, _rows(result.by_betweenness, between))]
    if isinstance(result, EgoResult):
        keys = ["label", "type", "distance", "claims_with_actor"]
        ties = ["source_label", "target_label", "relations", "claim_count", "source_count", "first_seen", "last_seen"]
        return [TextTable(f"Ego network of {result.actor.label} (radius {result.radius})", keys,
                          _rows(result.neighbours, keys)),
                TextTable("Ties", ties, _rows(result.ties, ties))]
    if isinstance(result, PathResult):
        title = f"Paths from {result.actor.label} to {result.to.label}"
        if not result.found:
            return [TextTable(title + ": none", ["path"], [])]
        rows = []
        for number, found in enumerate(result.paths, 1):
            for hop in found.hops:
                publishers = sorted({c.source.publisher_label or "" for c in hop.claims if c.source is not None} - {""})
                rows.append([str(number), str(hop.from_.label), str(hop.to.label), _cell(hop.relations),
                             _cell(hop.events), str(hop.claim_count), _cell(publishers)])
        return [TextTable(f"{title} ({result.length} hops)",
                          ["path", "from", "to", "relations", "events", "claims", "publishers"], rows)]
    if isinstance(result, TimelineResult):
        rows = [[_cell(e.date), _cell(e.end_date), e.label, e.type, _cell(e.parties), _cell(e.mediators),
                 _cell(sorted({s.publisher_label or "" for s in e.sources} - {""}))] for e in result.events]
        who = f" of {result.actor.label}" if result.actor is not None else ""
        return [TextTable(f"Timeline{who}", ["date", "end", "event", "type", "parties", "mediators", "sources"], rows)]
    if isinstance(result, (CorroborationResult, ConflictsResult)):
        tables = []
        if isinstance(result, CorroborationResult):
            hist = ", ".join(f"{n} source(s): {c}" for n, c in result.sources_per_fact.items())
            keys = ["subject_label", "predicate", "object_label", "source_count", "publishers"]
            tables.append(TextTable(f"Corroboration: {result.facts} facts from {result.claims} claims ({hist})",
                                    keys, _fact_rows(result.best_corroborated)))
            tables.append(TextTable(f"Single-source facts ({result.single_source})", keys,
                                    _fact_rows(result.single_source_facts)))
        tables.append(TextTable(f"Conflicts ({len(result.conflicts)})",
                                ["subject", "predicate", "value", "sources", "publishers"],
                                _conflict_rows(result.conflicts)))
        return tables
    raise ValueError(f"no table layout for metric {result.metric!r}")


def _fact_rows(facts: Iterable[Fact]) -> list[list[str]]:
    return [[f.subject_label, f.predicate, f.object_label if f.object_label is not None else f.object,
             str(f.source_count), _cell(f.publishers)] for f in facts]


def _conflict_rows(conflicts: Iterable[ConflictReport]) -> list[list[str]]:
    return [[c.subject_label, c.predicate, v.value, str(v.source_count), _cell([x.publisher for x in v.claims])]
            for c in conflicts for v in c.values]
