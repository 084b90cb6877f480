"""RDF passthrough: Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads, TriG.

Quad formats are taken as they are (a dump of detente, or claims made by
another tool): their named graphs are claims, and their triples also join
the facts view. Triple formats become one claim whose source is the file, so
that every fact still knows where it came from.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from detente.graph.claims import Activity, Claim, Source
from detente.graph.store import RDF_SUFFIXES
from detente.graph.terms import nquad
from detente.loaders.base import LoadContext, ParseResult, Reject
from detente.ontology.vocab import DT, ENTITIES_GRAPH, FACTS_GRAPH, ONTOLOGY_GRAPH, PROVENANCE_GRAPH

_RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig",
                   "jsonld": "json-ld", "rdfxml": "xml"}
SYSTEM_GRAPHS = {PROVENANCE_GRAPH, ENTITIES_GRAPH, ONTOLOGY_GRAPH, FACTS_GRAPH}


def rdf_format_of(path: Path) -> str | None:
    return RDF_SUFFIXES.get(path.suffix.lower())


def parse_rdf(path: Path, ctx: LoadContext) -> ParseResult:
    """Parse an RDF file; syntax errors are rejects with the parser's line."""
    name = str(path)
    rdf_format = rdf_format_of(path)
    result = ParseResult()
    if rdf_format is None:
        result.rejects.append(Reject(name, None, None, f"not an RDF file suffix: {path.suffix}"))
        return result
    if rdf_format in ("nquads", "trig"):
        dataset = Dataset()
        try:
            dataset.parse(path, format=_RDFLIB_FORMATS[rdf_format])
        except Exception as exc:  # rdflib raises many parser-specific types
            result.rejects.append(Reject(name, _line_of(exc), None, f"invalid {rdf_format}: {exc}"))
            return result
        lines: list[str] = []
        for s, p, o, g in dataset.quads((None, None, None, None)):
            graph = g if isinstance(g, URIRef) and str(g) != "urn:x-rdflib:default" else FACTS_GRAPH
            lines.append(nquad(s, p, o, ctx.facts_label if graph == FACTS_GRAPH else graph))
            if graph not in SYSTEM_GRAPHS or graph == ENTITIES_GRAPH:
                # Claim assertions and entity descriptions join the facts view, as when detente writes them.
                lines.append(nquad(s, p, o, ctx.facts_label))
            result.records += 1
        result.raw_quads = "".join(lines)
        return result
    graph = Graph()
    try:
        graph.parse(path, format=_RDFLIB_FORMATS[rdf_format])
    except Exception as exc:
        result.rejects.append(Reject(name, _line_of(exc), None, f"invalid {rdf_format}: {exc}"))
        return result
    result.records = len(graph)
    if not len(graph):
        return result
    source = Source.from_metadata(url=path.resolve().as_uri(), title=path.name, source_type=DT.Dataset)
    claim = Claim(statements=sorted(graph, key=str), source=source,  # type: ignore[arg-type]
                  activity=Activity(method="rdf:" + rdf_format, label=f"passed through from a {rdf_format} file"))
    result.claims.append(claim)
    result.origins[claim.iri] = None
    return result


def _line_of(exc: Exception) -> int | None:
    for attr in ("lineno", "line"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    import re

    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None
