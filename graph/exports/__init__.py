"""Exports for visualisation tools and RDF dumps, behind one entry point.

:func:`export_bytes` is what ``detente export`` and the HTTP routes
``/export/{format}`` and ``/network`` call.

========== ============================ ===========================================
format     media type                   holds
========== ============================ ===========================================
graphml    application/graphml+xml      a projection (Gephi, Cytoscape, yEd, igraph)
gexf       application/gexf+xml         a projection, dynamic (Gephi timeline spells)
cytoscape  application/json             Cytoscape.js elements JSON
nodelink   application/json             D3 node-link JSON
dot        text/vnd.graphviz            Graphviz DOT
csv        text/csv                     the edges table, with both ends' labels
csv-nodes  text/csv                     the nodes table
html       text/html                    a self-contained network view (Cytoscape.js)
turtle     text/turtle                  the facts
jsonld     application/ld+json          the facts
trig       application/trig             the dataset: claim graphs, provenance, entities
nquads     application/n-quads          the dataset
========== ============================ ===========================================

>>> from detente.graph import open_store
>>> body, media_type = export_bytes(open_store("memory:"), "nodelink")
>>> media_type, sorted(__import__("json").loads(body))[:3]
('application/json', ['directed', 'graph', 'links'])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from detente.errors import NotFoundError, ParameterError
from detente.graph.exports.html import network_html
from detente.graph.exports.network import to_cytoscape, to_dot, to_edges_csv, to_gexf, to_graphml, to_nodelink, to_nodes_csv
from detente.graph.exports.rdf import DATASET_FORMATS, FACT_FORMATS, rdf_export
from detente.graph.projections import FILTER_PARAMETERS, PROJECTION_NAMES, Filters, project, split_filter_params
from detente.graph.store import RDF_FORMATS, Store


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its media type, file suffix and writer (for network formats)."""

    name: str
    media_type: str
    suffix: str
    writer: Callable[[nx.Graph], bytes] | None = None

    @property
    def is_rdf(self) -> bool:
        return self.writer is None


_NETWORK = [
    ExportFormat("graphml", "application/graphml+xml", ".graphml", to_graphml),
    ExportFormat("gexf", "application/gexf+xml", ".gexf", to_gexf),
    ExportFormat("cytoscape", "application/json", ".cyjs", to_cytoscape),
    ExportFormat("nodelink", "application/json", ".json", to_nodelink),
    ExportFormat("dot", "text/vnd.graphviz", ".dot", to_dot),
    ExportFormat("csv", "text/csv", ".csv", to_edges_csv),
    ExportFormat("csv-nodes", "text/csv", ".nodes.csv", to_nodes_csv),
    ExportFormat("html", "text/html; charset=utf-8", ".html", network_html),
]
_RDF = [ExportFormat(name, RDF_FORMATS[name], suffix, None)
        for name, suffix in (("turtle", ".ttl"), ("jsonld", ".jsonld"), ("trig", ".trig"), ("nquads", ".nq"))]

#: Every export format by name.
FORMATS: dict[str, ExportFormat] = {f.name: f for f in _NETWORK + _RDF}
assert set(FACT_FORMATS + DATASET_FORMATS) == {f.name for f in _RDF}


def export_format(name: str) -> ExportFormat:
    """Look a format up by name (case-insensitive); NotFoundError (a KeyError) names the known ones."""
    key = name.strip().lower()
    if key not in FORMATS:
        raise NotFoundError(f"unknown export format {name!r}; choose one of {', '.join(FORMATS)}")
    return FORMATS[key]


def export_bytes(store: Store, fmt: str, /, *, projection: str = "actors", title: str | None = None,
                 **filters: Any) -> tuple[bytes, str]:
    """Export the store in ``fmt``; return the body and its media type.

    Parameters
    ----------
    fmt:
        A name of :data:`FORMATS`.
    projection:
        For network formats: ``actors`` (default), ``bipartite`` or ``full``.
    title:
        Page title of the ``html`` view.
    **filters:
        ``start``, ``end``, ``min_confidence``, ``publishers``/``publisher``,
        ``date_basis`` (see :class:`~detente.graph.projections.Filters`), or ``filters=Filters(...)``.

    Raises
    ------
    NotFoundError
        Unknown format (also a KeyError).
    ParameterError
        Unknown projection or parameter, or a filter value that does not fit (the message names it;
        a UsageError, also a ValueError).
    """
    spec = export_format(fmt)
    chosen, rest = split_filter_params(filters)
    unknown = sorted(k for k, v in rest.items() if v is not None)
    if unknown:
        raise ParameterError(", ".join(unknown), f"unknown parameter{'s' if len(unknown) > 1 else ''} of export; "
                                                 f"accepted: projection, {', '.join(p.name for p in FILTER_PARAMETERS)}")
    if spec.is_rdf:
        return rdf_export(store, spec.name, chosen), spec.media_type
    if projection not in PROJECTION_NAMES:
        raise ParameterError("projection", f"{projection!r} is not one of {', '.join(PROJECTION_NAMES)}")
    graph = project(store, projection, chosen)
    if spec.name == "html":
        return network_html(graph, title), spec.media_type
    assert spec.writer is not None
    return spec.writer(graph), spec.media_type


def export_file(store: Store, fmt: str, path: str | Path, **options: Any) -> Path:
    """Write :func:`export_bytes` to ``path`` (parent folders are created); return the path."""
    body, _media_type = export_bytes(store, fmt, **options)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    return target


__all__ = ["FORMATS", "ExportFormat", "Filters", "export_bytes", "export_file", "export_format", "network_html"]
