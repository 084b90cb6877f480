"""OWL 2 DL consistency checking with HermiT, through owlready2.

This is the only module of detente that imports owlready2. Each call of
:func:`check_consistency` builds a fresh, in-memory ``owlready2.World``,
loads the RDF/XML copy of the ontology (``detente.owl``) and, optionally,
extra data converted to N-Triples by rdflib, then runs HermiT
(``sync_reasoner``). Nothing is downloaded (the ontology has no
``owl:imports`` and imports in the data are dropped) and nothing is written
in the repository: every file goes to a private temporary directory that is
removed afterwards, including the one owlready2 hands to Java.

Exit-code contract of ``detente ontology check`` (the same convention as
pySHACL's command line):

=====  ==============================================================
code   meaning
=====  ==============================================================
0      consistent, and no class is unsatisfiable
1      inconsistent, or some class is unsatisfiable (≡ owl:Nothing)
2      error: Java missing, unreadable input, reasoner crash
=====  ==============================================================

:attr:`ConsistencyReport.exit_code` gives 0 or 1; errors are raised as
:class:`ReasoningError`, which the command line turns into 2.

Limits worth knowing:

* HermiT does not support ``xsd:date`` (not in the OWL 2 datatype map). It
  runs with ``--ignoreUnsupportedDatatypes``, so axioms about dates are not
  checked; two different ``dt:startDate`` values are not an inconsistency
  here (``detente conflicts`` finds them with SPARQL).
* Functional data properties *are* checked: the union of two claims saying
  314 and 300 prisoners is inconsistent. Check claim graphs one by one, or
  the entities graph, when conflicts are expected.
* HermiT gives no explanation; :func:`diagnose` looks for the common causes
  (disjoint types, several values of a functional property, literals of the
  wrong datatype) with rdflib and fills :attr:`ConsistencyReport.explanation`.

>>> report = check_consistency()          # doctest: +SKIP
>>> report.consistent, report.exit_code   # doctest: +SKIP
(True, 0)
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
import threading
import time
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import owlready2
import owlready2.reasoning as _owl_reasoning
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node
from rdflib.util import guess_format

from detente.errors import ComponentError
from detente.ontology.schema import (
    class_ancestors,
    datatype_properties,
    functional_properties,
    ontology_classes,
    ontology_graph,
    owl_path,
)
from detente.ontology.vocab import DT, ONTOLOGY_IRI, compact_iri

__all__ = [
    "ConsistencyReport",
    "EXIT_CONSISTENT",
    "EXIT_ERROR",
    "EXIT_INCONSISTENT",
    "ReasoningError",
    "check_consistency",
    "diagnose",
    "java_executable",
]

EXIT_CONSISTENT = 0
EXIT_INCONSISTENT = 1
EXIT_ERROR = 2

_DATA_ONTOLOGY = "urn:detente:reasoning-input#"
_QUAD_FORMATS = {"nquads", "trig", "trix"}
_LOCK = threading.Lock()

DataInput = Iterable[str | Path] | str | Path | Graph | Dataset | None


class ReasoningError(ComponentError, RuntimeError):
    """The reasoner could not run (exit code 2): Java missing, bad input, crash."""


@dataclass
class ConsistencyReport:
    """The outcome of :func:`check_consistency`.

    Attributes
    ----------
    consistent
        False when HermiT finds that no model exists (an individual in two
        disjoint classes, a functional property with two values, ...).
    inconsistent_classes
        IRIs of unsatisfiable classes (equivalent to ``owl:Nothing``); only
        computed when the whole is consistent.
    explanation
        Human-readable summary, with likely causes when inconsistent.
    triple_count
        RDF triples handed to the reasoner (ontology plus data).
    data_triple_count
        Of which triples of extra data.
    individual_count
        Distinct individuals in the extra data.
    class_count
        Named classes of the detente ontology.
    reasoner
        Reasoner name and version of owlready2.
    seconds
        Wall-clock time of the whole check (loading and reasoning).
    causes
        The individual causes found by :func:`diagnose`.

    Examples
    --------
    >>> ConsistencyReport(True, [], "ok").exit_code
    0
    >>> ConsistencyReport(False, [], "clash").exit_code
    1
    """

    consistent: bool
    inconsistent_classes: list[str]
    explanation: str
    triple_count: int = 0
    data_triple_count: int = 0
    individual_count: int = 0
    class_count: int = 0
    reasoner: str = "HermiT"
    seconds: float = 0.0
    causes: list[str] = field(default_factory=list)

    @property
    def coherent(self) -> bool:
        """Consistent and without unsatisfiable classes."""
        return self.consistent and not self.inconsistent_classes

    @property
    def exit_code(self) -> int:
        """0 when coherent, 1 otherwise (see the module docstring)."""
        return EXIT_CONSISTENT if self.coherent else EXIT_INCONSISTENT


# ---------------------------------------------------------------------------
# Java


def java_executable() -> str | None:
    """Return the Java executable HermiT will use, or None if there is none.

    ``JAVA_HOME`` wins over ``PATH``.

    Examples
    --------
    >>> exe = java_executable()
    >>> exe is None or os.path.basename(exe).startswith("java")
    True
    """
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / ("java.exe" if os.name == "nt" else "java")
        if candidate.is_file():
            return str(candidate)
    configured = getattr(owlready2, "JAVA_EXE", "java") or "java"
    return shutil.which(configured) or shutil.which("java")


# ---------------------------------------------------------------------------
# Input


def _union(graph: Graph) -> Graph:
    if isinstance(graph, (Dataset, ConjunctiveGraph)):
        merged = Graph()
        for s, p, o, _ in graph.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged
    return graph


def _read_file(path: Path) -> Graph:
    if not path.is_file():
        raise ReasoningError(f"{path}: no such file")
    fmt = guess_format(str(path)) or "turtle"
    try:
        if fmt in _QUAD_FORMATS:
            dataset = Dataset()
            dataset.parse(path, format=fmt)
            return _union(dataset)
        graph = Graph()
        graph.parse(path, format=fmt)
        return graph
    except Exception as exc:  # rdflib raises many parser-specific errors
        raise ReasoningError(f"{path}: cannot parse as {fmt}: {exc}") from exc


def _collect(extra_data: DataInput) -> Graph:
    """Merge the extra data into one rdflib graph."""
    if extra_data is None:
        return Graph()
    if isinstance(extra_data, Graph):
        return _union(extra_data)
    if isinstance(extra_data, (str, Path)):
        return _read_file(Path(extra_data))
    merged = Graph()
    for item in extra_data:
        merged += _read_file(Path(item))
    return merged


def _reasoning_input(data: Graph) -> Graph:
    """Drop what must not reach owlready2: imports and ontology headers."""
    headers = set(data.subjects(RDF.type, OWL.Ontology))
    clean = Graph()
    for s, p, o in data:
        if p == OWL.imports or s in headers:
            continue
        clean.add((s, p, o))
    return clean


def _individuals(data: Graph) -> set[Node]:
    ontology = ontology_graph()
    terms = set(ontology.subjects())
    schema_types = {OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                    OWL.AnnotationProperty, RDF.Property, OWL.Restriction, RDFS.Datatype}
    declared = {s for s, o in data.subject_objects(RDF.type) if o in schema_types}
    found: set[Node] = set()
    for s, p, o in data:
        found.add(s)
        if p != RDF.type and isinstance(o, URIRef):
            found.add(o)
    return {n for n in found if n not in terms and n not in declared}


# ---------------------------------------------------------------------------
# Diagnosis


def _short(node: Node) -> str:
    if isinstance(node, URIRef):
        return compact_iri(str(node))
    if isinstance(node, Literal):
        if node.datatype is not None and str(node.datatype).startswith(str(XSD)):
            return f'"{node}"^^xsd:{str(node.datatype)[len(str(XSD)):]}'
        return node.n3()
    return node.n3()


@functools.lru_cache(maxsize=1)
def _disjoint_pairs() -> frozenset[frozenset[URIRef]]:
    graph = ontology_graph()
    pairs: set[frozenset[URIRef]] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            pairs.add(frozenset((a, b)))
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members_node = graph.value(node, OWL.members)
        if members_node is None:
            continue
        members = [m for m in Collection(graph, members_node) if isinstance(m, URIRef)]
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pairs.add(frozenset((a, b)))
    return frozenset(pairs)


@functools.lru_cache(maxsize=1)
def _typing_rules() -> tuple[dict[URIRef, URIRef], dict[URIRef, URIRef], dict[tuple[URIRef, URIRef], URIRef]]:
    """Named domains, named ranges and ``C ⊑ ∀p.D`` restrictions of the ontology."""
    graph = ontology_graph()
    domains: dict[URIRef, URIRef] = {}
    ranges: dict[URIRef, URIRef] = {}
    for prop, dom in graph.subject_objects(RDFS.domain):
        if isinstance(prop, URIRef) and isinstance(dom, URIRef):
            domains[prop] = dom
    for prop, rng in graph.subject_objects(RDFS.range):
        if isinstance(prop, URIRef) and isinstance(rng, URIRef) and not str(rng).startswith(str(XSD)):
            ranges[prop] = rng
    universal: dict[tuple[URIRef, URIRef], URIRef] = {}
    for cls, restriction in graph.subject_objects(RDFS.subClassOf):
        if not isinstance(cls, URIRef) or not isinstance(restriction, BNode):
            continue
        on_property = graph.value(restriction, OWL.onProperty)
        filler = graph.value(restriction, OWL.allValuesFrom)
        if isinstance(on_property, URIRef) and isinstance(filler, URIRef):
            universal[(cls, on_property)] = filler
    return domains, ranges, universal


def _inferred_types(data: Graph) -> dict[Node, dict[URIRef, str]]:
    """Types of each node, with the reason each was derived (asserted, domain, range, ...)."""
    domains, ranges, universal = _typing_rules()
    types_of: dict[Node, dict[URIRef, str]] = {}

    def add(node: Node, cls: URIRef, why: str) -> None:
        for ancestor in class_ancestors(cls):
            types_of.setdefault(node, {}).setdefault(ancestor, why)

    for s, o in data.subject_objects(RDF.type):
        if isinstance(o, URIRef):
            add(s, o, f"rdf:type {_short(o)}")
    for s, p, o in data:
        if p == RDF.type or not isinstance(p, URIRef):
            continue
        if p in domains:
            add(s, domains[p], f"subject of {_short(p)}")
        if p in ranges and not isinstance(o, Literal):
            add(o, ranges[p], f"object of {_short(p)}")
    for s, p, o in data:
        if isinstance(o, Literal) or not isinstance(p, URIRef):
            continue
        for cls in list(types_of.get(s, {})):
            filler = universal.get((cls, p))
            if filler is not None:
                add(o, filler, f"{_short(p)} of a {_short(cls)}")
    return types_of


def _literal_problem(literal: Literal, expected: URIRef) -> str | None:
    datatype = literal.datatype or (RDF.langString if literal.language else XSD.string)
    numeric = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.byte, XSD.nonNegativeInteger,
               XSD.positiveInteger, XSD.negativeInteger, XSD.nonPositiveInteger,
               XSD.unsignedInt, XSD.unsignedLong, XSD.unsignedShort, XSD.unsignedByte}
    compatible = datatype == expected or (expected == XSD.decimal and datatype in numeric | {XSD.decimal}) \
        or (expected == XSD.integer and datatype in numeric)
    if not compatible:
        return f"is {_short(datatype)}, but the range is {_short(expected)}"
    if getattr(literal, "ill_typed", False):
        return f"is not a valid {_short(expected)}"
    return None


def diagnose(data: Graph) -> list[str]:
    """Find common causes of inconsistency in data, without a reasoner.

    Looks for individuals in two disjoint classes (types asserted or implied
    by domains, ranges and ``owl:allValuesFrom``), functional properties with
    several values, literals whose datatype differs from the property's range,
    and confidences outside 0..1. The list is a hint, not a proof: HermiT's
    verdict is authoritative.

    Parameters
    ----------
    data
        The data (not including the ontology).

    Returns
    -------
    list of str
        One sentence per cause found.

    Examples
    --------
    >>> from detente.ontology.vocab import DTR
    >>> g = Graph()
    >>> _ = g.add((DTR["x"], RDF.type, DT.State))
    >>> _ = g.add((DTR["x"], RDF.type, DT.Person))
    >>> diagnose(g)[0]
    'dtr:x is both dt:Person (rdf:type dt:Person) and dt:State (rdf:type dt:State), which are disjoint'
    """
    data = _union(data)
    causes: list[str] = []
    pairs = _disjoint_pairs()
    for node, types_why in sorted(_inferred_types(data).items(), key=lambda kv: str(kv[0])):
        seen: set[frozenset[URIRef]] = set()
        named = sorted(types_why, key=str)
        for i, a in enumerate(named):
            for b in named[i + 1:]:
                pair = frozenset((a, b))
                if pair in pairs and pair not in seen:
                    seen.add(pair)
                    causes.append(
                        f"{_short(node)} is both {_short(a)} ({types_why[a]}) and "
                        f"{_short(b)} ({types_why[b]}), which are disjoint"
                    )
    for prop in sorted(functional_properties(), key=str):
        for subject in sorted(set(data.subjects(prop, None)), key=str):
            values = set(data.objects(subject, prop))
            distinct = {v.value if isinstance(v, Literal) and v.value is not None else v for v in values}
            if len(distinct) > 1:
                shown = ", ".join(sorted(_short(v) for v in values))
                causes.append(f"{_short(subject)} has {len(values)} values of functional "
                              f"{_short(prop)}: {shown}")
    for prop, expected in sorted(datatype_properties().items(), key=lambda kv: str(kv[0])):
        for subject, value in data.subject_objects(prop):
            if not isinstance(value, Literal):
                causes.append(f"{_short(subject)} {_short(prop)} {_short(value)}: a literal is expected")
                continue
            problem = _literal_problem(value, expected)
            if problem:
                causes.append(f"{_short(subject)} {_short(prop)} {_short(value)} {problem}")
    for subject, value in data.subject_objects(DT.confidence):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            continue
        if not Decimal(0) <= number <= Decimal(1):
            causes.append(f"{_short(subject)} dt:confidence {value} is outside 0..1")
    return causes


# ---------------------------------------------------------------------------
# Reasoning


def _reasoner_name() -> str:
    version = getattr(owlready2, "VERSION", None) or getattr(owlready2, "__version__", "")
    return f"HermiT (owlready2 {version})".replace(" )", ")")


def _run_hermit(data: Graph, workdir: Path, java: str, java_memory_mb: int | None) -> tuple[bool, list[str]]:
    """Load ontology + data into a fresh World and run HermiT. Returns (consistent, unsat classes)."""
    world = owlready2.World()
    try:
        with owl_path().open("rb") as handle:
            world.get_ontology(ONTOLOGY_IRI + "#").load(fileobj=handle)
        if len(data):
            data_file = workdir / "data.nt"
            data.serialize(destination=data_file, format="nt", encoding="utf-8")
            with data_file.open("rb") as handle:
                world.get_ontology(_DATA_ONTOLOGY).load(fileobj=handle, format="ntriples")
    except Exception as exc:
        raise ReasoningError(f"owlready2 could not load the input: {exc}") from exc

    saved_tempfile = _owl_reasoning.tempfile
    saved_java = owlready2.JAVA_EXE
    saved_memory = _owl_reasoning.JAVA_MEMORY
    # owlready2 writes the N-Triples it hands to Java with tempfile and keeps
    # it when HermiT fails: point it at our private directory instead.
    _owl_reasoning.tempfile = types.SimpleNamespace(
        NamedTemporaryFile=functools.partial(tempfile.NamedTemporaryFile, dir=str(workdir)),
    )
    owlready2.JAVA_EXE = java
    if java_memory_mb:
        _owl_reasoning.JAVA_MEMORY = int(java_memory_mb)
    try:
        try:
            _owl_reasoning.sync_reasoner_hermit(
                world,
                infer_property_values=False,
                debug=0,
                ignore_unsupported_datatypes=True,
            )
        except owlready2.OwlReadyInconsistentOntologyError:
            return False, []
        except owlready2.OwlReadyJavaError as exc:
            raise ReasoningError(f"HermiT failed: {exc}") from exc
        except OSError as exc:
            raise ReasoningError(f"could not start Java ({java}): {exc}") from exc
        unsatisfiable = sorted(
            {c.iri for c in world.inconsistent_classes() if getattr(c, "iri", None)}
        )
        return True, unsatisfiable
    finally:
        _owl_reasoning.tempfile = saved_tempfile
        owlready2.JAVA_EXE = saved_java
        _owl_reasoning.JAVA_MEMORY = saved_memory
        with contextlib.suppress(Exception):  # best effort on an in-memory store
            world.close()


def check_consistency(
    extra_data: DataInput = None,
    *,
    java_memory_mb: int | None = None,
) -> ConsistencyReport:
    """Check the ontology, and optionally data, for consistency with HermiT.

    Parameters
    ----------
    extra_data
        Data to reason over together with the ontology: an rdflib graph (a
        dataset is taken as the union of its graphs), one path, or paths of
        RDF files in any format rdflib reads (format guessed from the file
        extension, Turtle otherwise). None checks the ontology alone.
    java_memory_mb
        Maximum Java heap for HermiT (owlready2's default is 2000 MB).

    Returns
    -------
    ConsistencyReport
        ``consistent``, unsatisfiable classes, an explanation, counts and
        timing. ``report.exit_code`` is 0 or 1.

    Raises
    ------
    ReasoningError
        When Java is missing, an input cannot be read or HermiT crashes
        (exit code 2).

    Examples
    --------
    >>> from detente.ontology.vocab import DTR
    >>> g = Graph()
    >>> _ = g.add((DTR["talks/x"], RDF.type, DT.Talks))
    >>> _ = g.add((DTR["talks/x"], RDF.type, DT.Claim))
    >>> check_consistency(g).consistent   # doctest: +SKIP
    False
    """
    started = time.perf_counter()
    java = java_executable()
    if java is None:
        raise ReasoningError(
            "Java was not found: HermiT needs a Java runtime "
            "(e.g. apt-get install default-jre-headless) on PATH or in JAVA_HOME"
        )
    if not owl_path().is_file():
        raise ReasoningError(
            f"{owl_path()} is missing: regenerate it with "
            "detente.ontology.schema.export_rdfxml(owl_path())"
        )
    data = _reasoning_input(_collect(extra_data))
    ontology_triples = len(ontology_graph())

    with _LOCK, tempfile.TemporaryDirectory(prefix="detente-hermit-") as tmp:
        consistent, unsatisfiable = _run_hermit(data, Path(tmp), java, java_memory_mb)

    causes: list[str] = []
    if consistent and not unsatisfiable:
        explanation = (
            "Consistent: HermiT found a model of the ontology"
            + (f" and {len(data)} triples of data." if len(data) else ".")
        )
    elif consistent:
        names = ", ".join(_short(URIRef(c)) for c in unsatisfiable)
        explanation = f"Consistent, but these classes are unsatisfiable (equivalent to owl:Nothing): {names}."
    else:
        causes = diagnose(data)
        if causes:
            explanation = "Inconsistent. Likely causes:\n" + "\n".join(f"- {c}" for c in causes)
        else:
            explanation = (
                "Inconsistent: HermiT found no model, and no simple cause was found. Check "
                "types against the disjoint classes, functional properties and literal datatypes."
            )
    return ConsistencyReport(
        consistent=consistent,
        inconsistent_classes=unsatisfiable,
        explanation=explanation,
        triple_count=ontology_triples + len(data),
        data_triple_count=len(data),
        individual_count=len(_individuals(data)),
        class_count=len(ontology_classes()),
        reasoner=_reasoner_name(),
        seconds=round(time.perf_counter() - started, 3),
        causes=causes,
    )
