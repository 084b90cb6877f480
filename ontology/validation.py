"""SHACL validation of detente data with pySHACL.

:func:`validate_shacl` checks a graph (or every graph of a dataset, taken as
one union) against ``shapes.ttl``. Entity types usually live in the entities
graph and facts in claim graphs, so pass the union of both: the shapes only
see what is in the data they are given.

The ontology's class and property hierarchy (not its domains and ranges, see
:func:`detente.ontology.schema.vocabulary_graph`) is mixed into the data with
RDFS inference, so an ``dt:Envoy`` is a ``dt:Actor`` for ``sh:class`` but a
value is not made an actor merely by being the object of ``dt:hasParty``.

Results of severity ``sh:Violation`` make the report non-conforming;
``sh:Warning`` and ``sh:Info`` results are reported but allowed. The
command line maps a report to pySHACL's exit codes: 0 conforms, 1 does not
conform, 2 error.

>>> from rdflib import Graph
>>> report = validate_shacl(Graph())
>>> report.conforms, report.results
(True, [])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import RDF
from rdflib.term import Node

from detente.errors import ComponentError
from detente.ontology.schema import shapes_graph, vocabulary_graph
from detente.ontology.vocab import SH, compact_iri

__all__ = ["ShaclReport", "ShaclResult", "ShaclValidationError", "validate_shacl"]

Inference = TypingLiteral["none", "rdfs", "owlrl", "both"]


class ShaclValidationError(ComponentError, RuntimeError):
    """pySHACL could not run (bad shapes, unsupported input); not a validation failure."""


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL validation result.

    Attributes
    ----------
    focus_node
        The node that was checked (e.g. the claim IRI).
    path
        The property path of the failed constraint, or None for node constraints.
    message
        A human-readable message (the shape's ``sh:message`` when it has one).
    severity
        ``"Violation"``, ``"Warning"`` or ``"Info"``.
    value
        The offending value, if any (e.g. ``Literal(1.5)``).
    constraint
        Local name of the constraint component (``"MaxInclusiveConstraintComponent"``).
    source_shape
        The shape that produced the result (often a blank node).

    Examples
    --------
    >>> r = ShaclResult(URIRef("urn:x"), None, "m", "Violation", None)
    >>> r.is_violation
    True
    """

    focus_node: Node
    path: Node | None
    message: str
    severity: str
    value: Node | None
    constraint: str = ""
    source_shape: Node | None = None

    @property
    def is_violation(self) -> bool:
        """True for results of severity ``sh:Violation``."""
        return self.severity == "Violation"

    def describe(self) -> str:
        """One line: severity, focus node, path, value and message.

        Examples
        --------
        >>> ShaclResult(URIRef("urn:c"), URIRef("urn:p"), "bad", "Violation", Literal(2)).describe()
        'Violation: <urn:c> <urn:p> = 2: bad'
        """
        parts = [f"{self.severity}: {_short(self.focus_node)}"]
        if self.path is not None:
            parts.append(f" {_short(self.path)}")
        if self.value is not None:
            parts.append(f" = {_short(self.value)}")
        return "".join(parts) + f": {self.message}"


@dataclass
class ShaclReport:
    """The outcome of :func:`validate_shacl`, shaped like pySHACL's report.

    Attributes
    ----------
    conforms
        False when at least one result has severity ``sh:Violation``.
    results
        Every result, violations first, then sorted by focus node and path.
    text
        pySHACL's text report.
    graph
        pySHACL's results graph (``sh:ValidationReport``).

    Examples
    --------
    >>> ShaclReport(conforms=True, results=[], text="").exit_code
    0
    """

    conforms: bool
    results: list[ShaclResult]
    text: str
    graph: Graph = field(default_factory=Graph, repr=False)

    @property
    def violations(self) -> list[ShaclResult]:
        """Results of severity ``sh:Violation``."""
        return [r for r in self.results if r.is_violation]

    @property
    def warnings(self) -> list[ShaclResult]:
        """Results of severity ``sh:Warning`` or ``sh:Info``."""
        return [r for r in self.results if not r.is_violation]

    @property
    def exit_code(self) -> int:
        """0 when the data conforms, 1 when it does not (pySHACL's convention)."""
        return 0 if self.conforms else 1

    def for_focus(self, node: Node) -> list[ShaclResult]:
        """Results about one focus node."""
        return [r for r in self.results if r.focus_node == node]


def _short(node: Node) -> str:
    if isinstance(node, URIRef):
        return compact_iri(str(node))
    if isinstance(node, Literal):
        return str(node)
    return node.n3()


def _union(data: Graph) -> Graph:
    """Flatten a Dataset/ConjunctiveGraph into one graph (pySHACL would validate graphs one by one)."""
    if isinstance(data, (Dataset, ConjunctiveGraph)):
        merged = Graph()
        for s, p, o, _ in data.quads((None, None, None, None)):
            merged.add((s, p, o))
        for prefix, namespace in data.namespaces():
            merged.bind(prefix, namespace, override=False)
        return merged
    return data


def _local(node: Node | None) -> str:
    if node is None:
        return ""
    text = str(node)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _severity_order(result: ShaclResult) -> tuple[int, str, str]:
    return (0 if result.is_violation else 1, str(result.focus_node), str(result.path or ""))


def _results(report_graph: Graph) -> list[ShaclResult]:
    results: list[ShaclResult] = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(node, SH.focusNode)
        messages = [str(m) for m in report_graph.objects(node, SH.resultMessage)]
        english = [
            str(m)
            for m in report_graph.objects(node, SH.resultMessage)
            if isinstance(m, Literal) and m.language in (None, "en")
        ]
        component = report_graph.value(node, SH.sourceConstraintComponent)
        results.append(
            ShaclResult(
                focus_node=focus if focus is not None else URIRef(""),
                path=report_graph.value(node, SH.resultPath),
                message=(english or messages or [_local(component)])[0],
                severity=_local(report_graph.value(node, SH.resultSeverity)) or "Violation",
                value=report_graph.value(node, SH.value),
                constraint=_local(component),
                source_shape=report_graph.value(node, SH.sourceShape),
            )
        )
    results.sort(key=_severity_order)
    return results


def validate_shacl(
    data: Graph | Dataset,
    *,
    shapes: Graph | None = None,
    inference: Inference = "rdfs",
    allow_warnings: bool = True,
) -> ShaclReport:
    """Validate RDF data against the detente SHACL shapes.

    Parameters
    ----------
    data
        The data: a graph, or a dataset whose graphs are validated as one
        union (claims, provenance and entities together). It is not modified.
    shapes
        Shapes to use instead of ``shapes.ttl``.
    inference
        pySHACL inference over the data mixed with the ontology's class
        hierarchy: ``"rdfs"`` (default), ``"none"``, ``"owlrl"`` or ``"both"``.
    allow_warnings
        When True (default), warnings do not make the report non-conforming.

    Returns
    -------
    ShaclReport
        ``conforms``, the list of results and pySHACL's text.

    Raises
    ------
    ShaclValidationError
        If pySHACL fails to run (not when the data is invalid).

    Examples
    --------
    >>> from rdflib import Graph, Literal
    >>> from rdflib.namespace import PROV, RDF, XSD
    >>> from detente.ontology.vocab import DT, DTR
    >>> g = Graph()
    >>> claim = DTR["claim/c1"]
    >>> _ = g.add((claim, RDF.type, DT.Claim))
    >>> _ = g.add((claim, DT.confidence, Literal("1.5", datatype=XSD.decimal)))
    >>> report = validate_shacl(g)
    >>> report.conforms
    False
    >>> sorted({str(r.path).rsplit("#", 1)[1] for r in report.results})
    ['confidence', 'wasDerivedFrom']
    """
    try:
        from pyshacl import validate as pyshacl_validate
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise ShaclValidationError("pySHACL is not installed: pip install pyshacl") from exc

    data_graph = _union(data)
    try:
        conforms, report_graph, report_text = pyshacl_validate(
            data_graph,
            shacl_graph=shapes if shapes is not None else shapes_graph(),
            ont_graph=vocabulary_graph(),
            inference=inference,
            abort_on_first=False,
            allow_infos=True,
            allow_warnings=allow_warnings,
            meta_shacl=False,
            advanced=False,
            inplace=False,
            do_owl_imports=False,
        )
    except Exception as exc:  # pyshacl raises a variety of errors
        raise ShaclValidationError(f"SHACL validation could not run: {exc}") from exc
    if not isinstance(report_graph, Graph):  # pragma: no cover - pyshacl returns a Graph
        raise ShaclValidationError("pySHACL returned no results graph")
    return ShaclReport(
        conforms=bool(conforms),
        results=_results(report_graph),
        text=str(report_text),
        graph=report_graph,
    )
