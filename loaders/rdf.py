"""RDF passthrough: Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads, TriG.

Quad formats are taken as they are (a dump of detente, or claims made by
another tool): their named graphs are claims, and their triples also join
the facts view. Triple formats become one claim whose source is the file, so
that every fact still knows where it came from.

Loading reads only the file it is given:

* quads in a system graph that only detente writes (ontology, entity
  registry, summary: :data:`~detente.graph.protected.PROTECTED_GRAPHS`) are
  refused — a dump made by ``detente dump`` goes back with ``detente restore``;
* a JSON-LD ``@context`` (or ``@import``) naming a document by IRI — remote or
  ``file:`` — is refused: contexts must be inline, so nothing is fetched;
* RDF/XML entity declarations (``<!ENTITY …>``, the "billion laughs" and
  external-entity tricks) are refused by the XML parser itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from rdflib import Dataset, Graph, Literal, URIRef

from detente.graph.claims import Activity, Claim, Source
from detente.graph.protected import PROTECTED_GRAPHS
from detente.graph.store import RDF_SUFFIXES
from detente.graph.terms import Term, iri_problem, nquad
from detente.loaders.base import LIMITS, LoadContext, ParseResult, Reject, shown, text_problem
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
            line = _line_of(exc, path, rdf_format)
            result.rejects.append(Reject(name, line, None, f"invalid {rdf_format}: {exc}"))
            return result
        lines: list[str] = []
        protected: dict[URIRef, int] = {}
        for quad in dataset.quads((None, None, None, None)):
            # N-Quads and TriG hold IRIs, literals and blank nodes only (no quoted graphs or variables).
            s, p, o = cast("tuple[Term, Term, Term]", quad[:3])
            g = quad[3]
            graph_name = g if isinstance(g, URIRef) and str(g) != "urn:x-rdflib:default" else FACTS_GRAPH
            refused = _refused_term((s, p, o, graph_name))
            if refused is not None:
                result.records += 1
                result.rejects.append(Reject(name, _first_line_naming(path, refused[0]), None, refused[1]))
                continue
            if graph_name in PROTECTED_GRAPHS:
                protected[graph_name] = protected.get(graph_name, 0) + 1
                continue
            lines.append(nquad(s, p, o, ctx.facts_label if graph_name == FACTS_GRAPH else graph_name))
            if graph_name not in SYSTEM_GRAPHS:
                # Claim assertions join the facts view (under the store's own label for it), as when detente
                # writes them. (Entity descriptions no longer do here: the entity graph is refused above.)
                lines.append(nquad(s, p, o, ctx.facts_label))
            result.records += 1
        for graph_name, count in protected.items():
            result.rejects.append(Reject(name, _first_line_naming(path, str(graph_name)), "graph",
                                         f"{count} quad(s) in the system graph <{graph_name}>, which only "
                                         "detente's own commands write (ontology bootstrap, entity files, summary "
                                         "maintenance); restore a dump of detente with `detente restore`"))
        result.raw_quads = "".join(lines)
        return result
    graph = Graph()
    try:
        if rdf_format == "jsonld":
            _parse_jsonld(path, graph)
        elif rdf_format == "rdfxml":
            _parse_rdfxml(path, graph)
        else:
            graph.parse(path, format=_RDFLIB_FORMATS[rdf_format])
    except RemoteContextRefused as exc:
        result.rejects.append(Reject(name, None, "@context", str(exc)))
        return result
    except Exception as exc:
        result.rejects.append(Reject(name, _line_of(exc, path, rdf_format), None, f"invalid {rdf_format}: {exc}"))
        return result
    result.records = len(graph)
    statements = []
    for triple in graph:
        refused = _refused_term(triple)
        if refused is None:
            statements.append(triple)
        else:
            result.rejects.append(Reject(name, _first_line_naming(path, refused[0]), None, refused[1]))
    if not statements:
        return result
    source = Source.from_metadata(url=path.resolve().as_uri(), title=path.name, source_type=DT.Dataset)
    claim = Claim(statements=sorted(statements, key=str), source=source,  # type: ignore[arg-type]
                  activity=Activity(method="rdf:" + rdf_format, label=f"passed through from a {rdf_format} file"))
    result.claims.append(claim)
    result.origins[claim.iri] = None
    return result


class RemoteContextRefused(ValueError):
    """A JSON-LD document names a context by IRI; loading fetches nothing, so it is refused."""


def _context_references(document: Any) -> list[str]:
    """Every context or ``@import`` given by IRI anywhere in a JSON-LD document (inline contexts are fine)."""
    found: list[str] = []
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    for entry in value if isinstance(value, list) else [value]:
                        if isinstance(entry, str):
                            found.append(entry)
                elif key == "@import" and isinstance(value, str):
                    found.append(value)
                stack.append(value)
    return found


def _parse_jsonld(path: Path, graph: Graph) -> None:
    """Parse JSON-LD from the very object checked for remote contexts (no second reading of the text)."""
    from rdflib.parser import PythonInputSource

    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {LIMITS.nesting} levels") from None
    references = _context_references(document)
    if references:
        raise RemoteContextRefused(
            f"the JSON-LD context {references[0]!r} is given by IRI; detente never fetches a context "
            "(over the network or from another file): put the context inline in the document")
    graph.parse(source=PythonInputSource(document, system_id=path.resolve().as_uri()), format="json-ld")


def _parse_rdfxml(path: Path, graph: Graph) -> None:
    """The RDF/XML reader of rdflib, on an expat parser that refuses entity declarations (and so expands none)."""
    from xml.sax import SAXParseException, handler as sax_handler
    from xml.sax.expatreader import ExpatParser
    from xml.sax.handler import ErrorHandler  # the one rdflib's RDF/XML parser uses

    from rdflib.parser import create_input_source
    from rdflib.plugins.parsers.rdfxml import RDFXMLHandler

    class NoEntitiesParser(ExpatParser):
        def reset(self) -> None:
            super().reset()
            # ExpatParser keeps its pyexpat parser in _parser after reset(); typeshed's stub omits it.
            self._parser.EntityDeclHandler = self._refuse_entity  # type: ignore[attr-defined]

        def _refuse_entity(self, name: str, *_: object) -> None:
            raise SAXParseException(f"the document declares the entity {name!r}; entity declarations are "
                                    "refused (they can expand without bound or read other files)", None, self)

    source = create_input_source(source=str(path), format="xml")
    parser = NoEntitiesParser()
    parser.start_namespace_decl("xml", "http://www.w3.org/XML/1998/namespace")
    parser.setFeature(sax_handler.feature_namespaces, 1)
    parser.setFeature(sax_handler.feature_external_ges, 0)
    parser.setFeature(sax_handler.feature_external_pes, 0)
    content = RDFXMLHandler(graph)
    content.setDocumentLocator(source)  # type: ignore[arg-type]  # as rdflib's own RDF/XML parser does
    parser.setContentHandler(content)  # type: ignore[arg-type]  # a sax ContentHandler; rdflib's types miss the protocol
    parser.setErrorHandler(ErrorHandler())
    try:
        parser.parse(source)
    finally:
        source.close()


def _refused_term(terms: tuple[object, ...]) -> tuple[str, str] | None:
    """The first term of a triple or quad that detente does not store, as (its text, why), or None.

    An IRI the IRI rule refuses (a parser let a space or ``>`` through), an
    ill-typed literal (``"x"^^xsd:integer``) and text with a control character
    are refused, as in every other input.
    """
    for term in terms:
        if isinstance(term, URIRef):
            problem = iri_problem(str(term))
            if problem is not None:
                return str(term), f"{shown(str(term))} is not a valid IRI: it {problem}"
        elif isinstance(term, Literal):
            if getattr(term, "ill_typed", False):
                kind = str(term.datatype).rsplit("#", 1)[-1]
                return str(term), f"{shown(str(term))} is not a valid {kind} (an ill-typed literal)"
            problem = text_problem(str(term))
            if problem is not None:
                return str(term), f"a literal {problem}"
    return None


def _first_line_naming(path: Path, iri: str) -> int | None:
    """The first line of a text file that holds ``<iri>``, or else the text itself (to point a message at it)."""
    needle = f"<{iri}>"
    with path.open(encoding="utf-8", errors="replace") as handle:
        if needle not in handle.read(LIMITS.document_bytes):
            needle = iri
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if needle in line:
                    return number
    except OSError:
        return None
    return None


def _line_of(exc: Exception, path: Path, rdf_format: str) -> int | None:
    """The line a parser's error names; for a line format whose parser names none, its first line that fails."""
    line = _named_line(exc)
    if line is None and rdf_format in _LINE_FORMATS:
        line = _first_bad_line(path, rdf_format)
    return line


#: Formats of one statement per line, whose rdflib parsers do not say where they failed.
_LINE_FORMATS = ("ntriples", "nquads")


def _first_bad_line(path: Path, rdf_format: str) -> int | None:
    """The first line that does not parse on its own (N-Triples and N-Quads hold one statement a line)."""
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    line = raw.decode("utf-8")
                    if line.strip() and not line.lstrip().startswith("#"):
                        Dataset().parse(data=line, format=_RDFLIB_FORMATS[rdf_format])
                except Exception:  # not UTF-8, or one of rdflib's many parser-specific errors
                    return number
    except OSError:
        return None
    return None


def _named_line(exc: Exception) -> int | None:
    locator_line = getattr(exc, "getLineNumber", None)
    if callable(locator_line):
        line = locator_line()
        if isinstance(line, int):
            return line
    for attr in ("lineno", "line"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    import re

    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None
