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
nanopub    application/trig             each claim as a nanopublication (head, assertion, provenance, pubinfo)
rdf-star   text/turtle                  the facts, ``<< s p o >> dt:supportedBy claim``
========== ============================ ===========================================

``nanopub`` and ``rdf-star`` are written as they are read (:func:`export_to`
streams them into a file).

>>> from detente.graph import open_store
>>> body, media_type = export_bytes(open_store("memory:"), "nodelink")
>>> media_type, sorted(__import__("json").loads(body))[:3]
('application/json', ['directed', 'graph', 'links'])
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import networkx as nx

from detente.errors import NotFoundError, ParameterError
from detente.graph.exports.html import network_html
from detente.graph.exports.links import add_wikidata_links
from detente.graph.exports.nanopub import write_nanopubs
from detente.graph.exports.network import (
    to_cytoscape,
    to_dot,
    to_edges_csv,
    to_gexf,
    to_graphml,
    to_nodelink,
    to_nodes_csv,
)
from detente.graph.exports.rdf import DATASET_FORMATS, FACT_FORMATS, rdf_export
from detente.graph.exports.rdfstar import write_rdf_star
from detente.graph.projections import FILTER_PARAMETERS, PROJECTION_NAMES, Filters, project, split_filter_params
from detente.graph.store import RDF_FORMATS, Store


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its media type, file suffix and writer (for network formats)."""

    name: str
    media_type: str
    suffix: str
    writer: Callable[[nx.Graph[Any]], bytes] | None = None
    stream: Callable[[Store, IO[bytes], Filters], object] | None = None  # writes the store itself, page by page

    @property
    def is_rdf(self) -> bool:
        return self.writer is None and self.stream is None


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

_STREAMED = [ExportFormat("nanopub", "application/trig", ".nanopubs.trig", stream=write_nanopubs),
             ExportFormat("rdf-star", "text/turtle", ".star.ttl", stream=write_rdf_star)]

#: Every export format by name.
FORMATS: dict[str, ExportFormat] = {f.name: f for f in _NETWORK + _RDF + _STREAMED}
assert set(FACT_FORMATS + DATASET_FORMATS) == {f.name for f in _RDF}


def export_format(name: str) -> ExportFormat:
    """Look a format up by name (case-insensitive); NotFoundError (a KeyError) names the known ones."""
    key = name.strip().lower()
    if key not in FORMATS:
        raise NotFoundError(f"unknown export format {name!r}; choose one of {', '.join(FORMATS)}")
    return FORMATS[key]


def _refuse_unknown(rest: dict[str, Any]) -> None:
    """A ParameterError naming the parameters no export takes (None values are options left unset)."""
    unknown = sorted(k for k, v in rest.items() if v is not None)
    if unknown:
        accepted = ", ".join(p.name for p in FILTER_PARAMETERS)
        raise ParameterError(", ".join(unknown), f"unknown parameter{'s' if len(unknown) > 1 else ''} of export; "
                                                 f"accepted: projection, {accepted}")


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
    _refuse_unknown(rest)
    if spec.stream is not None:
        buffer = io.BytesIO()
        spec.stream(store, buffer, chosen)
        return buffer.getvalue(), spec.media_type
    if spec.is_rdf:
        return rdf_export(store, spec.name, chosen), spec.media_type
    if projection not in PROJECTION_NAMES:
        raise ParameterError("projection", f"{projection!r} is not one of {', '.join(PROJECTION_NAMES)}")
    graph = project(store, projection, chosen)
    if spec.name == "html":
        return network_html(graph, title), spec.media_type
    assert spec.writer is not None
    return spec.writer(add_wikidata_links(store, graph)), spec.media_type


def export_to(store: Store, fmt: str, out: IO[bytes], **options: Any) -> str:
    """Write the export to a binary stream; return its media type.

    ``nanopub`` and ``rdf-star`` go to ``out`` as they are read, a page of
    claims at a time; the other formats are built whole, then written.
    """
    spec = export_format(fmt)
    if spec.stream is None:
        body, media_type = export_bytes(store, fmt, **options)
        out.write(body)
        return media_type
    chosen, rest = split_filter_params(options)
    rest.pop("projection", None)  # accepted by every format; the streamed ones write claims, not a projection
    _refuse_unknown(rest)
    spec.stream(store, out, chosen)
    return spec.media_type


def export_file(store: Store, fmt: str, path: str | Path, **options: Any) -> Path:
    """Write the export to ``path`` (parent folders are created), streaming where the format allows; return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        export_to(store, fmt, handle, **options)
    return target


__all__ = ["FORMATS", "ExportFormat", "Filters", "export_bytes", "export_file", "export_format", "export_to",
           "network_html"]
