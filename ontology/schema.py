"""Read access to the detente ontology and its SHACL shapes, with rdflib.

The Turtle file ``detente.ttl`` beside this module is the source of truth.
Everything here parses it once (``functools.lru_cache``) and answers the
questions other layers ask: which datatype a literal of a property takes,
which properties are functional, which classes are below or above a class.

The graphs returned are shared, cached objects: treat them as read-only (copy
them with ``rdflib.Graph() + g`` before changing anything).

>>> from detente.ontology.schema import property_range, functional_properties
>>> from detente.ontology.vocab import DT, XSD
>>> property_range(DT.prisonerCount) == XSD.integer
True
>>> DT.prisonerCount in functional_properties()
True
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from detente.ontology.vocab import DT, ONTOLOGY_IRI, SH

__all__ = [
    "ONTOLOGY_PATH",
    "OWL_PATH",
    "SHAPES_PATH",
    "class_ancestors",
    "datatype_properties",
    "definitions",
    "domain_classes",
    "export_rdfxml",
    "functional_properties",
    "is_xsd_datatype",
    "labels",
    "object_properties",
    "ontology_classes",
    "ontology_graph",
    "ontology_path",
    "ontology_version",
    "owl_path",
    "property_range",
    "range_classes",
    "shapes_graph",
    "shapes_path",
    "subclasses",
    "vocabulary_graph",
]

_HERE = Path(__file__).resolve().parent
ONTOLOGY_PATH: Path = _HERE / "detente.ttl"
OWL_PATH: Path = _HERE / "detente.owl"
SHAPES_PATH: Path = _HERE / "shapes.ttl"

_XSD_NS = str(XSD)
_PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty)


def ontology_path() -> Path:
    """Return the path of the Turtle source of the ontology.

    Returns
    -------
    pathlib.Path
        ``.../ontology/detente.ttl``.

    Examples
    --------
    >>> ontology_path().name
    'detente.ttl'
    """
    return ONTOLOGY_PATH


def owl_path() -> Path:
    """Return the path of the RDF/XML copy of the ontology (``detente.owl``).

    Examples
    --------
    >>> owl_path().suffix
    '.owl'
    """
    return OWL_PATH


def shapes_path() -> Path:
    """Return the path of the SHACL shapes (``shapes.ttl``).

    Examples
    --------
    >>> shapes_path().name
    'shapes.ttl'
    """
    return SHAPES_PATH


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """Parse ``detente.ttl`` once and return the graph (shared; do not modify).

    Returns
    -------
    rdflib.Graph
        The ontology, with the project's prefixes bound.

    Examples
    --------
    >>> from rdflib.namespace import OWL, RDF
    >>> (DT.Claim, RDF.type, OWL.Class) in ontology_graph()
    True
    """
    graph = Graph()
    graph.parse(ONTOLOGY_PATH, format="turtle")
    return graph


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """Parse ``shapes.ttl`` once and return the SHACL shapes graph (shared).

    Examples
    --------
    >>> from detente.ontology.vocab import SH
    >>> from rdflib.namespace import RDF
    >>> len(set(shapes_graph().subjects(RDF.type, SH.NodeShape))) > 0
    True
    """
    graph = Graph()
    graph.parse(SHAPES_PATH, format="turtle")
    return graph


def shape_field(property_shape: Node | None, path: Node | None) -> str | None:
    """The field name users see for a property shape's results: its ``sh:name``, else its path's local name.

    >>> from detente.ontology.vocab import SH
    >>> from rdflib.namespace import DCTERMS
    >>> shape = next(s for s in shapes_graph().subjects(SH.path, DCTERMS.issued))
    >>> shape_field(shape, DCTERMS.issued), shape_field(None, DT.hasParty)
    ('published', 'hasParty')
    """
    if property_shape is not None:
        name = shapes_graph().value(property_shape, SH.name)
        if name is not None:
            return str(name)
    return None if path is None else str(path).split("#")[-1].split("/")[-1]


@lru_cache(maxsize=1)
def vocabulary_graph() -> Graph:
    """The class and property hierarchy of the ontology, without domains and ranges.

    This is the graph SHACL validation mixes into the data with RDFS
    inference: instances are closed under ``rdfs:subClassOf`` (an Envoy is a
    Person is an Actor) but no type is *invented* from ``rdfs:domain`` or
    ``rdfs:range``, so that ``sh:class`` constraints still catch a party that
    is not known to be an actor.

    Examples
    --------
    >>> g = vocabulary_graph()
    >>> (DT.Envoy, RDFS.subClassOf, DT.Person) in g
    True
    >>> any(g.triples((DT.hasParty, RDFS.range, None)))
    False
    """
    source = ontology_graph()
    graph = Graph()
    for prefix, namespace in source.namespaces():
        graph.bind(prefix, namespace, override=True)
    for s, p, o in source:
        if p in (RDFS.domain, RDFS.range):
            continue
        if p in (RDFS.subClassOf, RDFS.subPropertyOf) and isinstance(o, BNode):
            # restrictions: of no use to RDFS and noise in the data graph
            continue
        if p in (RDFS.subClassOf, RDFS.subPropertyOf, RDF.type) and isinstance(s, URIRef):
            graph.add((s, p, o))
    return graph


def ontology_version() -> str:
    """Return ``owl:versionInfo`` of the ontology.

    Examples
    --------
    >>> ontology_version().count(".") >= 1
    True
    """
    value = ontology_graph().value(URIRef(ONTOLOGY_IRI), OWL.versionInfo)
    return str(value) if value is not None else ""


def is_xsd_datatype(term: Node | None) -> bool:
    """Tell whether ``term`` is an XML Schema datatype IRI (``xsd:...``).

    Examples
    --------
    >>> is_xsd_datatype(XSD.integer)
    True
    >>> is_xsd_datatype(DT.Actor)
    False
    """
    return isinstance(term, URIRef) and str(term).startswith(_XSD_NS)


def _class_members(graph: Graph, node: Node) -> set[URIRef]:
    """Named classes of a class expression: itself, or the members of a union."""
    if isinstance(node, URIRef):
        return {node}
    members: set[URIRef] = set()
    union = graph.value(node, OWL.unionOf)
    if union is not None:
        for item in Collection(graph, union):
            members |= _class_members(graph, item)
    return members


def _all_values_from(graph: Graph, predicate: URIRef) -> set[Node]:
    """Fillers of ``owl:allValuesFrom`` restrictions on ``predicate``."""
    fillers: set[Node] = set()
    for restriction in graph.subjects(OWL.onProperty, predicate):
        filler = graph.value(restriction, OWL.allValuesFrom)
        if filler is not None:
            fillers.add(filler)
    return fillers


@cache
def property_range(predicate: URIRef) -> URIRef | None:
    """Return the range of a property: an XSD datatype or a named class.

    Loaders use this to type literals (``dt:prisonerCount`` takes
    ``xsd:integer``). If the property has no ``rdfs:range`` of its own (the
    PROV-O and DCMI properties used on claims and sources), the single named
    filler of the ``owl:allValuesFrom`` restrictions on it is returned, e.g.
    ``dt:Source`` for ``prov:wasDerivedFrom``. A range that is a union of
    classes (``dt:heldAt``: Venue or State) is not a single IRI and gives
    None; use :func:`range_classes` for it.

    Parameters
    ----------
    predicate
        The property IRI.

    Returns
    -------
    rdflib.URIRef or None
        The datatype or class, or None when unknown or not a single IRI.

    Examples
    --------
    >>> from rdflib.namespace import PROV
    >>> property_range(DT.confidence) == XSD.decimal
    True
    >>> property_range(PROV.wasDerivedFrom) == DT.Source
    True
    >>> property_range(DT.heldAt) is None
    True
    """
    graph = ontology_graph()
    ranges = list(graph.objects(predicate, RDFS.range))
    if len(ranges) == 1:
        return ranges[0] if isinstance(ranges[0], URIRef) else None
    if ranges:
        return None
    fillers = [f for f in _all_values_from(graph, predicate) if isinstance(f, URIRef)]
    return fillers[0] if len(fillers) == 1 else None


def range_classes(predicate: URIRef) -> frozenset[URIRef]:
    """Return the named classes (or datatypes) a property's values may belong to.

    Unions are expanded, so ``dt:heldAt`` gives ``{dt:Venue, dt:State}``.

    Examples
    --------
    >>> sorted(c.split("#")[1] for c in range_classes(DT.heldAt))
    ['State', 'Venue']
    """
    graph = ontology_graph()
    found: set[URIRef] = set()
    for node in graph.objects(predicate, RDFS.range):
        found |= _class_members(graph, node)
    if not found:
        for filler in _all_values_from(graph, predicate):
            found |= _class_members(graph, filler)
    return frozenset(found)


def domain_classes(predicate: URIRef) -> frozenset[URIRef]:
    """Return the named classes of a property's domain (unions expanded).

    Examples
    --------
    >>> sorted(c.split("#")[1] for c in domain_classes(DT.hasParty))
    ['Agreement', 'Event']
    """
    graph = ontology_graph()
    found: set[URIRef] = set()
    for node in graph.objects(predicate, RDFS.domain):
        found |= _class_members(graph, node)
    return frozenset(found)


@lru_cache(maxsize=1)
def _datatype_properties() -> dict[URIRef, URIRef]:
    graph = ontology_graph()
    result: dict[URIRef, URIRef] = {}
    for prop in set(graph.subjects(RDF.type, OWL.DatatypeProperty)):
        if not isinstance(prop, URIRef):
            continue
        ranges = [r for r in graph.objects(prop, RDFS.range) if is_xsd_datatype(r)]
        if len(ranges) == 1:
            result[prop] = ranges[0]  # type: ignore[assignment]
    return result


def datatype_properties() -> dict[URIRef, URIRef]:
    """Map every datatype property that has an XSD range to that datatype.

    Includes the external properties detente types on sources and claims
    (``dct:title`` → ``xsd:string``, ``dct:issued`` → ``xsd:date``,
    ``schema:url`` → ``xsd:anyURI``, ``prov:generatedAtTime`` →
    ``xsd:dateTime``). External datatype properties declared only for
    alignment (``schema:startDate``) have no range and are left out.

    Returns
    -------
    dict
        A fresh dict ``{property: xsd datatype}``.

    Examples
    --------
    >>> from detente.ontology.vocab import DCT
    >>> datatype_properties()[DCT.issued] == XSD.date
    True
    """
    return dict(_datatype_properties())


@lru_cache(maxsize=1)
def _object_properties() -> frozenset[URIRef]:
    graph = ontology_graph()
    return frozenset(
        p for p in graph.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)
    )


def object_properties() -> set[URIRef]:
    """Return every object property declared in the ontology (dt: and external).

    Examples
    --------
    >>> from rdflib.namespace import PROV
    >>> {DT.hasParty, PROV.wasDerivedFrom} <= object_properties()
    True
    """
    return set(_object_properties())


def functional_properties() -> set[URIRef]:
    """Return the functional properties: at most one value per subject.

    When two claims give different values for one of these (314 versus 300
    prisoners), ``detente conflicts`` lists them as a disagreement.

    Examples
    --------
    >>> sorted(p.split("#")[1] for p in functional_properties())
    ['endDate', 'isoCode', 'prisonerCount', 'startDate', 'status']
    """
    graph = ontology_graph()
    return {p for p in graph.subjects(RDF.type, OWL.FunctionalProperty) if isinstance(p, URIRef)}


@lru_cache(maxsize=1)
def _superclass_map() -> dict[URIRef, frozenset[URIRef]]:
    graph = ontology_graph()
    direct: dict[URIRef, set[URIRef]] = {}
    for s, o in graph.subject_objects(RDFS.subClassOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            direct.setdefault(s, set()).add(o)
    return {k: frozenset(v) for k, v in direct.items()}


def _closure(start: URIRef, edges: dict[URIRef, frozenset[URIRef]]) -> set[URIRef]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@cache
def _ancestors(cls: URIRef) -> frozenset[URIRef]:
    return frozenset(_closure(cls, _superclass_map()))


def class_ancestors(cls: URIRef) -> set[URIRef]:
    """Return the named superclasses of ``cls``, transitively, including ``cls``.

    External classes used for alignment (``sem:Actor``, ``prov:Agent``, ...)
    are included.

    Examples
    --------
    >>> {DT.Envoy, DT.Person, DT.Actor} <= class_ancestors(DT.Envoy)
    True
    """
    return set(_ancestors(URIRef(cls)))


@lru_cache(maxsize=1)
def _subclass_map() -> dict[URIRef, frozenset[URIRef]]:
    inverse: dict[URIRef, set[URIRef]] = {}
    for child, parents in _superclass_map().items():
        for parent in parents:
            inverse.setdefault(parent, set()).add(child)
    return {k: frozenset(v) for k, v in inverse.items()}


@cache
def _descendants(cls: URIRef) -> frozenset[URIRef]:
    return frozenset(_closure(cls, _subclass_map()))


def subclasses(cls: URIRef) -> set[URIRef]:
    """Return the named subclasses of ``cls``, transitively, including ``cls``.

    Useful for SPARQL ``VALUES`` clauses when a store does no inference.

    Examples
    --------
    >>> sorted(c.split("#")[1] for c in subclasses(DT.Exchange))
    ['Exchange', 'PrisonerExchange']
    """
    return set(_descendants(URIRef(cls)))


def ontology_classes() -> set[URIRef]:
    """Return the classes defined by detente itself (the ``dt:`` namespace).

    Examples
    --------
    >>> DT.Claim in ontology_classes()
    True
    """
    graph = ontology_graph()
    return {
        c
        for c in graph.subjects(RDF.type, OWL.Class)
        if isinstance(c, URIRef) and str(c).startswith(str(DT))
    }


def _english(values: Iterable[Node]) -> str | None:
    chosen: str | None = None
    for value in values:
        if isinstance(value, Literal):
            if value.language == "en":
                return str(value)
            if chosen is None and value.language is None:
                chosen = str(value)
    return chosen


@lru_cache(maxsize=1)
def _labels() -> dict[URIRef, str]:
    graph = ontology_graph()
    result: dict[URIRef, str] = {}
    for subject in set(graph.subjects(RDFS.label, None)):
        if isinstance(subject, URIRef):
            text = _english(graph.objects(subject, RDFS.label))
            if text is not None:
                result[subject] = text
    return result


def labels() -> dict[URIRef, str]:
    """Map each labelled ontology term to its English ``rdfs:label``.

    Examples
    --------
    >>> labels()[DT.PrisonerExchange]
    'Prisoner Exchange'
    """
    return dict(_labels())


def definitions() -> dict[URIRef, str]:
    """Map each defined ontology term to its English ``skos:definition``.

    Examples
    --------
    >>> "state" in definitions()[DT.Envoy]
    True
    """
    graph = ontology_graph()
    result: dict[URIRef, str] = {}
    for subject in set(graph.subjects(SKOS.definition, None)):
        if isinstance(subject, URIRef):
            text = _english(graph.objects(subject, SKOS.definition))
            if text is not None:
                result[subject] = text
    return result


def export_rdfxml(destination: Path | str | None = None) -> str:
    """Serialise the Turtle ontology as RDF/XML, optionally writing it to a file.

    ``detente.owl`` is produced by this function; a test checks that the file
    in the repository is isomorphic to ``detente.ttl``. Plain (striped)
    RDF/XML is used because rdflib's ``pretty-xml`` drops triples on
    ``owl:unionOf`` lists.

    Parameters
    ----------
    destination
        Where to write the RDF/XML; ``None`` only returns it.

    Returns
    -------
    str
        The RDF/XML document.

    Examples
    --------
    >>> export_rdfxml().lstrip().startswith("<?xml")
    True
    """
    text = ontology_graph().serialize(format="xml", encoding="utf-8").decode("utf-8")
    if destination is not None:
        Path(destination).write_text(text, encoding="utf-8")
    return text
