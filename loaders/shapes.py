"""The SHACL shapes (``ontology/shapes.ttl``) compiled into checks of one record, so errors name file, line and field.

pySHACL validates a whole graph; for a load of a million rows that is too
slow and holds the whole file. This module reads the shapes graph once and
compiles the constraints detente's shapes use — ``sh:datatype``,
``sh:nodeKind``, ``sh:class`` (with the ontology's subclasses),
``sh:or`` of classes or datatypes, ``sh:in``, ``sh:pattern``,
``sh:minLength``, ``sh:minInclusive``/``sh:maxInclusive``,
``sh:minCount``/``sh:maxCount`` and ``sh:lessThanOrEquals`` on single-IRI
paths; targets by ``sh:targetClass``, ``sh:targetSubjectsOf`` and
``sh:targetObjectsOf`` — and evaluates them over one claim's data: its
statements, its provenance, its source and activity, and the types the
entity registry knows. Only ``sh:Violation`` results reject a record
(warnings pass, as with pySHACL).

What a record alone cannot show is left to the full check (``detente
validate --shacl``, pySHACL on each chunk): counts over several claims (two
claims giving one source two publication dates) and class targets asserted
only in another record. ``tests/loaders/test_shapes_compiled.py`` checks
that both report the same violations on bad records.

>>> from detente.loaders.registry import EntityRegistry
>>> from detente.graph.claims import Claim, Source
>>> from rdflib import Literal
>>> from detente.ontology.vocab import DT, DTR
>>> claim = Claim([(DTR["agreement/x"], DT.prisonerCount, Literal(-3))], Source.from_metadata(url="https://ex.org/a"))
>>> [(v.field, v.message) for v in ShapeChecker(EntityRegistry()).violations(claim)]
[('prisoner count', 'dt:prisonerCount must be a non-negative xsd:integer. (value -3)')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, cast

from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, PROV, RDF, XSD
from rdflib.term import Node

from detente.graph.claims import Activity, Claim, Source
from detente.loaders.base import Reject
from detente.loaders.registry import EntityRegistry
from detente.ontology import schema
from detente.ontology.vocab import DT, SCHEMA, SH

__all__ = ["PropertyCheck", "NodeCheck", "Violation", "compiled_shapes", "ShapeChecker"]


@dataclass(frozen=True)
class PropertyCheck:
    """One property shape: the constraints on the values of ``path`` at a focus node."""

    path: URIRef
    name: str
    message: str
    violation: bool
    datatype: URIRef | None = None
    node_kind: URIRef | None = None
    classes: tuple[URIRef, ...] = ()  # every one must hold (sh:class)
    any_of: tuple[tuple[str, URIRef], ...] = ()  # sh:or of ("class" | "datatype", term)
    allowed: tuple[Node, ...] | None = None  # sh:in
    pattern: str | None = None
    min_length: int | None = None
    min_inclusive: Any = None
    max_inclusive: Any = None
    min_count: int | None = None
    max_count: int | None = None
    less_or_equal: URIRef | None = None
    #: The path as a plain string (values are looked up by it: see :class:`ShapeChecker`).
    key: str = field(init=False, compare=False, repr=False)
    #: Whether a value's verdict depends on its types (``sh:class`` or ``sh:or``).
    by_class: bool = field(init=False, compare=False, repr=False)
    #: The pattern compiled (once, not looked up in the ``re`` cache for every value).
    regex: re.Pattern[str] | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", str(self.path))
        object.__setattr__(self, "by_class", bool(self.classes or self.any_of))
        object.__setattr__(self, "regex", None if self.pattern is None else re.compile(self.pattern))


@dataclass
class NodeCheck:
    """One node shape: what it targets and its property checks."""

    shape: Node
    target_classes: frozenset[URIRef] = frozenset()
    subjects_of: frozenset[URIRef] = frozenset()
    objects_of: frozenset[URIRef] = frozenset()
    node_kind: URIRef | None = None
    properties: list[PropertyCheck] = field(default_factory=list)


@dataclass(frozen=True)
class Violation:
    """A failed constraint: the focus node, the path, the field name users see, and the message."""

    focus: Node
    path: URIRef | None
    field: str
    message: str


def _one(graph: Any, node: Node, predicate: URIRef) -> Node | None:
    return next(iter(graph.objects(node, predicate)), None)


def _text(graph: Any, node: Node, predicate: URIRef) -> str | None:
    value = _one(graph, node, predicate)
    return None if value is None else str(value)


@lru_cache(maxsize=1)
def compiled_shapes() -> tuple[NodeCheck, ...]:
    """The node shapes of ``shapes.ttl`` as :class:`NodeCheck` objects (read once).

    A constraint this compiler does not know makes it fail loudly, so a new
    kind of shape is never silently skipped.

    >>> any(check.subjects_of and check.properties for check in compiled_shapes())
    True
    """
    graph = schema.shapes_graph()
    known = {SH.path, SH.name, SH.message, SH.severity, SH.datatype, SH.nodeKind, SH["class"], SH["or"], SH["in"],
             SH.pattern, SH.minLength, SH.minInclusive, SH.maxInclusive, SH.minCount, SH.maxCount,
             SH.lessThanOrEquals, SH.description, SH.order, SH.group}
    checks = []
    for shape in sorted(set(graph.subjects(RDF.type, SH.NodeShape)), key=str):
        check = NodeCheck(shape, frozenset(graph.objects(shape, SH.targetClass)),  # type: ignore[arg-type]
                          frozenset(graph.objects(shape, SH.targetSubjectsOf)),  # type: ignore[arg-type]
                          frozenset(graph.objects(shape, SH.targetObjectsOf)),  # type: ignore[arg-type]
                          _one(graph, shape, SH.nodeKind))  # type: ignore[arg-type]
        for prop in graph.objects(shape, SH.property):
            unknown = {p for p in graph.predicates(prop) if str(p).startswith(str(SH)) and p not in known}
            path = _one(graph, prop, SH.path)
            if unknown or not isinstance(path, URIRef):
                raise ValueError(f"shapes.ttl: {shape} uses {sorted(unknown, key=str) or 'a complex path'}, which "
                                 "detente.loaders.shapes does not compile")
            any_of: list[tuple[str, URIRef]] = []
            alternatives = _one(graph, prop, SH["or"])
            if alternatives is not None:
                for member in Collection(graph, alternatives):
                    cls, datatype = _one(graph, member, SH["class"]), _one(graph, member, SH.datatype)
                    any_of.append(("class", cls) if cls is not None else ("datatype", datatype))  # type: ignore[arg-type]
            allowed = _one(graph, prop, SH["in"])
            severity = _one(graph, prop, SH.severity)
            numbers = {k: _one(graph, prop, k) for k in (SH.minLength, SH.minCount, SH.maxCount)}
            check.properties.append(PropertyCheck(
                path=path, name=cast(str, schema.shape_field(prop, path)),
                message=_text(graph, prop, SH.message) or f"a value of {path} does not conform",
                violation=severity in (None, SH.Violation),
                datatype=_one(graph, prop, SH.datatype),  # type: ignore[arg-type]
                node_kind=_one(graph, prop, SH.nodeKind),  # type: ignore[arg-type]
                classes=tuple(graph.objects(prop, SH["class"])),  # type: ignore[arg-type]
                any_of=tuple(any_of),
                allowed=tuple(Collection(graph, allowed)) if allowed is not None else None,
                pattern=_text(graph, prop, SH.pattern),
                min_length=_integer(numbers[SH.minLength]),
                min_inclusive=_python(_one(graph, prop, SH.minInclusive)),
                max_inclusive=_python(_one(graph, prop, SH.maxInclusive)),
                min_count=_integer(numbers[SH.minCount]),
                max_count=_integer(numbers[SH.maxCount]),
                less_or_equal=_one(graph, prop, SH.lessThanOrEquals)))  # type: ignore[arg-type]
        checks.append(check)
    return tuple(checks)


_ANCESTORS: dict[str, frozenset[str]] = {}  # class -> its classes with superclasses (plain strings)


def _integer(value: Node | None) -> int | None:
    # rdflib's terms are strings (a Literal has no __int__ of its own), so int() reads their text.
    return None if value is None else int(str(value))


def _python(value: Node | None) -> Any:
    return value.toPython() if isinstance(value, Literal) else None


_XSD_STRING = XSD.string
_TYPE, _CLAIM, _DERIVED = RDF.type, DT.Claim, PROV.wasDerivedFrom
_SAID_BY, _QUOTE, _CONFIDENCE_P = DT.saidBy, DT.quote, DT.confidence
_QUOTE_START, _QUOTE_END = DT.quoteStart, DT.quoteEnd
_GENERATED, _IDENTIFIER = PROV.wasGeneratedBy, DCTERMS.identifier


_LANG_STRING = RDF.langString  # a namespace attribute costs a Python call: looked up once
# Predicates and classes as plain strings, as the fast path keys them.
_TYPE_TEXT, _CLAIM_TEXT, _DERIVED_TEXT = str(_TYPE), str(_CLAIM), str(_DERIVED)
_SAID_BY_TEXT, _QUOTE_TEXT, _CONFIDENCE_TEXT = str(_SAID_BY), str(_QUOTE), str(_CONFIDENCE_P)
_GENERATED_TEXT, _IDENTIFIER_TEXT = str(_GENERATED), str(_IDENTIFIER)
_URL_TEXT, _TITLE_TEXT, _PUBLISHER_TEXT, _ISSUED_TEXT = (str(SCHEMA.url), str(DCTERMS.title), str(DCTERMS.publisher),
                                                         str(DCTERMS.issued))
_ANY_URI, _DATE = XSD.anyURI, XSD.date
_NO_PLAN = object()
_NO_STEPS: list[Any] = []  # "not remembered" in ShapeChecker._claim_plans (no steps list is this one)
_PLAIN = ("a plain string",)  # a claim step memo's key of its plain-string verdict (no other key is a tuple)
# A pair's flags in the quick pass (see ShapeChecker._pair): it passes; a check reads its object's types; rdf:type.
_PAIR_OK, _PAIR_BY_CLASS, _PAIR_TYPE = 1, 2, 4
# What a check of the claim's own provenance reads: by the check's path.
_STEP_SOURCE, _STEP_QUOTE, _STEP_KEY, _STEP_CONFIDENCE, _STEP_TYPE, _STEP_SAID_BY, _STEP_GENERATED = range(7)
_CLAIM_STEPS = {_DERIVED_TEXT: _STEP_SOURCE, _QUOTE_TEXT: _STEP_QUOTE, _IDENTIFIER_TEXT: _STEP_KEY,
                _CONFIDENCE_TEXT: _STEP_CONFIDENCE, _TYPE_TEXT: _STEP_TYPE, _SAID_BY_TEXT: _STEP_SAID_BY,
                _GENERATED_TEXT: _STEP_GENERATED}
# The claim's provenance fields that give it a value (as bits), with their predicates in the order the plan reads.
_FIELD_SAID_BY, _FIELD_QUOTE, _FIELD_CONFIDENCE, _FIELD_ACTIVITY, _FIELD_KEY = 1, 2, 4, 8, 16
_FIELD_TEXTS = ((_FIELD_SAID_BY, _SAID_BY_TEXT), (_FIELD_QUOTE, _QUOTE_TEXT), (_FIELD_CONFIDENCE, _CONFIDENCE_TEXT),
                (_FIELD_ACTIVITY, _GENERATED_TEXT), (_FIELD_KEY, _IDENTIFIER_TEXT))
# A source's fields likewise.
_FIELD_URL, _FIELD_TITLE, _FIELD_PUBLISHER, _FIELD_ISSUED = 1, 2, 4, 8
_SOURCE_FIELD_TEXTS = ((_FIELD_URL, _URL_TEXT), (_FIELD_TITLE, _TITLE_TEXT), (_FIELD_PUBLISHER, _PUBLISHER_TEXT),
                       (_FIELD_ISSUED, _ISSUED_TEXT))
_AN_IRI = URIRef("https://w3id.org/detente/id/any")  # a focus node's kind is all a node-kind check reads


def _ancestors(cls: str) -> frozenset[str]:
    """A class (plain string) with its superclasses."""
    ancestors = _ANCESTORS.get(cls)
    if ancestors is None:
        ancestors = _ANCESTORS[cls] = frozenset(str(a) for a in schema.class_ancestors(URIRef(cls)))
    return ancestors


def _has_datatype(value: Node, datatype: URIRef) -> bool:
    if not isinstance(value, Literal):
        return False
    if datatype == _LANG_STRING:
        return value.language is not None
    actual = value.datatype or (None if value.language else _XSD_STRING)
    return actual == datatype and not getattr(value, "ill_typed", False)


def _has_kind(value: Node, kind: URIRef) -> bool:
    if kind == SH.IRI:
        return isinstance(value, URIRef)
    if kind == SH.Literal:
        return isinstance(value, Literal)
    if kind == SH.BlankNode:
        return isinstance(value, BNode)
    if kind == SH.BlankNodeOrIRI:
        return isinstance(value, (URIRef, BNode))
    if kind == SH.IRIOrLiteral:
        return isinstance(value, (URIRef, Literal))
    if kind == SH.BlankNodeOrLiteral:
        return isinstance(value, (BNode, Literal))
    return True


def _text_ok(check: PropertyCheck, value: Node | str) -> bool:
    """Whether the text of ``value`` (a term, or a lexical form) meets the check's pattern and minimum length."""
    regex = check.regex
    if regex is not None and (isinstance(value, BNode) or not regex.search(str(value))):
        return False
    return check.min_length is None or (not isinstance(value, BNode) and len(str(value)) >= check.min_length)


def _compare(value: Node, bound: Any, lower: bool) -> bool:
    if not isinstance(value, Literal):
        return False
    number = value.toPython()
    try:
        return bool(number >= bound) if lower else bool(number <= bound)
    except TypeError:
        return False


def _one_value_decides(prop: PropertyCheck) -> bool:
    """Whether the clean pass may judge ``prop`` by the values it sees one at a time.

    Counts above one, a forbidden property and comparisons between properties are left to the reference.
    """
    return not ((prop.min_count is not None and prop.min_count > 1) or prop.max_count == 0
                or prop.less_or_equal is not None)


class ShapeChecker:
    """The compiled shapes applied to one claim at a time (see the module docs).

    Value checks are remembered per (property check, value): a file repeats the
    same states, dates and counts claim after claim. A verdict that reads the
    types the registry knows is kept with the registry's entity, or forgotten
    when the registry's names change
    (:attr:`~detente.graph.entities.EntityNames.generation`).
    """

    def __init__(self, registry: EntityRegistry) -> None:
        self.registry = registry
        self.checks = compiled_shapes()
        self._values: dict[tuple[Any, ...], bool] = {}
        self._by_object: dict[str, list[NodeCheck]] = {}  # predicate -> shapes targeting objects of it
        self._targeted: dict[tuple[Any, ...], list[NodeCheck]] = {}  # (predicates, objects of, types) -> shapes
        self._by_focus: dict[Any, list[Violation]] = {}
        # Keyed by plain strings: rdflib terms compare in Python, str in C (these are looked up for every value).
        self._targeting: dict[str, list[NodeCheck]] = {}  # predicate -> shapes targeting subjects of it
        # The fast path (see _clean): plans by focus signature, verdicts by value; valid while the names stay.
        self._plans: dict[tuple[Any, ...], Any] = {}  # plans, and claim and source steps, by what they read
        self._verdicts: dict[tuple[int, Any], Any] = {}
        self._seen: dict[int, tuple[Any, bool]] = {}  # id of a source or activity -> (it, clean)
        # The quick pass over a claim's statements (see _statements_quick): by (id of predicate, id of object),
        # the pair itself and whether the object passes every check on the predicate's path; by the signature
        # of a subject (its predicates in order, its types, its registry type), whether its counts and
        # targets pass.
        self._pairs: dict[tuple[int, int], tuple[Node, Node, str, int, str | None]] = {}
        self._signatures: dict[tuple[Any, ...], bool] = {}
        self._texts: dict[str, str] = {}  # the quick pass's predicate and class texts, one object each
        # The claim steps of a claim the registry does not know, by its fields (see _claim_steps).
        self._claim_plans: dict[int, list[tuple[int, int, PropertyCheck, dict[Any, Any]]] | None] = {}
        self._by_path: dict[str, list[PropertyCheck]] = {}  # path -> every sh:Violation property check on it
        self._generation = registry.names.generation
        self._by_class: dict[str, list[NodeCheck]] = {}  # class -> shapes targeting its members
        for check in self.checks:
            for predicate in check.subjects_of:
                self._targeting.setdefault(str(predicate), []).append(check)
            for cls in check.target_classes:
                self._by_class.setdefault(str(cls), []).append(check)
            for predicate in check.objects_of:
                self._by_object.setdefault(str(predicate), []).append(check)
            for prop in check.properties:
                if prop.violation:
                    self._by_path.setdefault(prop.key, []).append(prop)

    # -- types ----------------------------------------------------------------------------
    def _types(self, node: Node, data: dict[Node, dict[URIRef, list[Node]]]) -> set[str]:
        """The classes ``node`` belongs to (as plain strings), with their superclasses."""
        direct = [str(c) for c in data.get(node, {}).get(RDF.type, ()) if isinstance(c, URIRef)]
        if isinstance(node, URIRef):
            entity = self.registry.get(node)
            if entity is not None:
                direct.append(str(entity.type))
        out: set[str] = set()
        for cls in direct:
            ancestors = _ANCESTORS.get(cls)
            if ancestors is None:
                ancestors = _ANCESTORS[cls] = frozenset(str(a) for a in schema.class_ancestors(URIRef(cls)))
            out |= ancestors
        return out

    # -- one value against one property check ------------------------------------------------
    def _value_ok(self, index: int, check: PropertyCheck, value: Node,
                  data: dict[Node, dict[URIRef, list[Node]]]) -> bool:
        key: tuple[Any, ...] | None
        if check.classes or check.any_of:
            # A class check depends on the value's types: the registry's entity (its identity changes when it is
            # declared again) and types the record itself gives the value (then not remembered).
            if isinstance(value, Literal) or data.get(value, {}).get(RDF.type):
                key = None
            else:
                key = (index, str(value), type(value), id(self.registry.get(value)))  # type: ignore[arg-type]
        else:
            key = (index, str(value), str(value.datatype) if isinstance(value, Literal) else type(value),
                   value.language if isinstance(value, Literal) else None)
        cached = self._values.get(key) if key is not None else None
        if cached is not None:
            return cached
        ok = self._evaluate_value(check, value, data)
        if key is not None:
            if len(self._values) >= 50_000:  # quotes and counts never repeat: keep it bounded
                self._values.clear()
            self._values[key] = ok
        return ok

    def _evaluate_value(self, check: PropertyCheck, value: Node, data: dict[Node, dict[URIRef, list[Node]]],
                        text_checks: bool = True) -> bool:
        """Whether ``value`` meets ``check`` (without ``text_checks``: all but its pattern and minimum length)."""
        ok = True
        wrong_datatype = check.datatype is not None and not _has_datatype(value, check.datatype)
        wrong_kind = check.node_kind is not None and not _has_kind(value, check.node_kind)
        if wrong_datatype or wrong_kind:
            ok = False
        elif check.classes or any(kind == "class" for kind, _ in check.any_of):
            types = self._types(value, data)
            missing_class = bool(check.classes) and not all(str(cls) in types for cls in check.classes)
            no_alternative = bool(check.any_of) and not any(
                (str(term) in types) if kind == "class" else _has_datatype(value, term) for kind, term in check.any_of)
            if missing_class or no_alternative:
                ok = False
        elif check.any_of and not any(_has_datatype(value, term) for _kind, term in check.any_of):
            ok = False
        if ok and check.allowed is not None and value not in check.allowed:
            ok = False
        if ok and text_checks and not _text_ok(check, value):
            ok = False
        if ok and check.min_inclusive is not None and not _compare(value, check.min_inclusive, True):
            ok = False
        if ok and check.max_inclusive is not None and not _compare(value, check.max_inclusive, False):
            ok = False
        return ok

    # -- one claim ----------------------------------------------------------------------------------
    def violations(self, claim: Claim) -> list[Violation]:
        """The sh:Violation results of the shapes on one claim's data.

        A claim that :meth:`clean` passes has none; any other is evaluated by
        :meth:`reference_violations`, so every violation reported comes from it.
        """
        if self.clean(claim):
            return []
        return self.reference_violations(claim)

    def reference_violations(self, claim: Claim) -> list[Violation]:
        """The sh:Violation results of the shapes on one claim's data (the reference evaluation).

        Each focus node (a subject of the claim's statements, the claim, its
        source, its activity) is checked against the shapes that target it;
        a subject's result is remembered by what the claim says of it, a
        source's by the source: claims repeat the same facts and sources.
        """
        data: dict[Node, dict[URIRef, list[Node]]] = {}
        object_of: dict[Node, set[URIRef]] = {}
        for s, term, o in claim.statements:
            p = cast("URIRef", term)  # an RDF predicate is an IRI: the loaders build statements with no other
            data.setdefault(s, {}).setdefault(p, []).append(o)
            if str(p) in self._by_object:
                object_of.setdefault(o, set()).add(p)
        found: list[Violation] = []
        for focus, predicates in data.items():
            key = (focus, tuple((p, tuple(v)) for p, v in predicates.items()), frozenset(object_of.get(focus, ())))
            result = self._by_focus.get(key)
            if result is None:
                result = self._evaluate_focus(focus, predicates, data, object_of.get(focus, ()))
                self._remember(key, result)
            found.extend(result)
        iri = claim.iri
        provenance = _claim_predicates(claim)
        found.extend(self._evaluate_focus(iri, provenance, {iri: provenance,
                                                            claim.source.iri: {RDF.type: [claim.source.source_type]}}))
        source_key = ("source", claim.source)
        result = self._by_focus.get(source_key)
        if result is None:
            result = self._evaluate_quads(claim.source.quads(), {claim.source.iri: {PROV.wasDerivedFrom}})
            self._remember(source_key, result)
        found.extend(result)
        if claim.activity is not None:
            activity_key = ("activity", claim.activity)
            result = self._by_focus.get(activity_key)
            if result is None:
                result = self._evaluate_quads(claim.activity.quads())
                self._remember(activity_key, result)
            found.extend(result)
        return found

    def _remember(self, key: Any, found: list[Violation]) -> None:
        if len(self._by_focus) >= 20_000:
            self._by_focus.clear()
        self._by_focus[key] = found

    def _evaluate_quads(self, quads: Iterable[tuple[Node, Node, Node, Node]],
                        object_of: dict[Node, set[URIRef]] | None = None) -> list[Violation]:
        data: dict[Node, dict[URIRef, list[Node]]] = {}
        for s, p, o, _g in quads:
            values = data.setdefault(s, {}).setdefault(p, [])  # type: ignore[arg-type]
            if o not in values:
                values.append(o)
        found: list[Violation] = []
        for focus, predicates in data.items():
            found.extend(self._evaluate_focus(focus, predicates, data, (object_of or {}).get(focus, ())))
        return found

    def _evaluate_focus(self, focus: Node, predicates: dict[URIRef, list[Node]],
                        data: dict[Node, dict[URIRef, list[Node]]],
                        object_of: Iterable[URIRef] = ()) -> list[Violation]:
        """One focus node against every shape that targets it (subject or object of a predicate, or its types)."""
        by_key = {str(p): values for p, values in predicates.items()}
        shape_key = (tuple(by_key), tuple(str(p) for p in object_of), frozenset(self._types(focus, data)))
        checks = self._targeted.get(shape_key)
        if checks is None:
            chosen: dict[int, NodeCheck] = {}
            for p in shape_key[0]:
                chosen.update((id(c), c) for c in self._targeting.get(p, ()))
            for p in shape_key[1]:
                chosen.update((id(c), c) for c in self._by_object.get(p, ()))
            for cls in shape_key[2]:
                chosen.update((id(c), c) for c in self._by_class.get(cls, ()))
            checks = self._targeted[shape_key] = list(chosen.values())
        found: list[Violation] = []
        for check in checks:
            found.extend(self._focus(check, focus, by_key, data))
        return found

    def _focus(self, check: NodeCheck, focus: Node, predicates: dict[str, list[Node]],
               data: dict[Node, dict[URIRef, list[Node]]]) -> Iterable[Violation]:
        if check.node_kind is not None and not _has_kind(focus, check.node_kind):
            yield Violation(focus, None, "node", f"{focus} must be a {check.node_kind.split('#')[-1]}")
        for prop in check.properties:
            if not prop.violation:
                continue
            values = predicates.get(prop.key)
            if values is None:
                if prop.min_count:  # no value: only a minimum count can fail
                    yield Violation(focus, prop.path, prop.name, f"{prop.message} (none given)")
                continue
            index = id(prop)
            bad = [v for v in values if not self._value_ok(index, prop, v, data)]
            if prop.less_or_equal is not None:
                others = predicates.get(str(prop.less_or_equal), [])
                bad += [v for v in values for w in others if not _compare(v, w.toPython() if isinstance(w, Literal)
                                                                           else None, False)]
            if prop.min_count is not None and len(values) < prop.min_count:
                yield Violation(focus, prop.path, prop.name, f"{prop.message} (none given)")
            if prop.max_count is not None and len(values) > prop.max_count:
                yield Violation(focus, prop.path, prop.name, f"{prop.message} ({len(values)} values)")
            for value in dict.fromkeys(bad):
                yield Violation(focus, prop.path, prop.name, f"{prop.message} (value {value})")

    # -- the fast path: is a claim clean? ---------------------------------------------------------
    def clean(self, claim: Claim) -> bool:
        """True when :meth:`reference_violations` finds nothing in the claim; False when it may find something.

        The same constraints, evaluated for the common case with what a load
        repeats remembered: for each focus node the checks its signature (its
        predicates and types) selects, and each value's verdict (by the very
        term object, which the loaders' statement cache reuses, and an IRI's
        also by its text; a source's URL by its text alone, see
        :meth:`_typed_clean`). Whatever is unusual (a subject that is not an IRI, a value
        typed in the claim itself, quote offsets, extra provenance) answers
        False, and the reference decides. A test compares both on many claims.

        In order: the statements by :meth:`_statements_quick` (a claim of one
        subject whose (predicate, object) pairs were judged before: a lookup
        per statement and one per subject), else by :meth:`_statements_clean`;
        then the claim's provenance, its source and its activity by
        :meth:`_claim_clean` (steps by the fields the claim gives, each
        remembering what it read). ``tests/loaders/test_shapes_fast.py``
        compares them with the reference, claim by claim and load by load.
        """
        generation = self.registry.names.generation
        if generation != self._generation:  # an entity's type may have changed: forget every verdict
            self._plans.clear()
            self._verdicts.clear()
            self._seen.clear()
            self._pairs.clear()
            self._signatures.clear()
            self._claim_plans.clear()
            self._by_focus.clear()  # the reference's results too (they read the types the registry knows)
            self._generation = generation
        if len(self._verdicts) >= 100_000:  # counts, dates and quotes keep coming: keep it bounded
            self._verdicts.clear()
        if len(self._seen) >= 20_000:
            self._seen.clear()
        statements = claim.statements
        if not self._statements_quick(statements) and not self._statements_clean(statements):
            return False
        return self._claim_clean(claim)

    def _statements_clean(self, statements: list[Any]) -> bool:
        """Whether each subject of the statements passes the shapes that target it (by :meth:`_focus_clean`)."""
        subjects: dict[str, tuple[Node, dict[str, list[Node]]]] = {}
        by_object = self._by_object
        for s, p, o in statements:
            if type(s) is not URIRef or type(p) is not URIRef:
                return False
            key = str(p)
            if key in by_object:  # a focus targeted as an object: the reference knows how
                return False
            text = str(s)
            entry = subjects.get(text)
            if entry is None:
                entry = subjects[text] = (s, {})
            entry[1].setdefault(key, []).append(o)
        return all(self._focus_clean(focus, predicates, subjects) for focus, predicates in subjects.values())

    def _statements_quick(self, statements: list[Any]) -> bool:
        """True when the statements, all of one IRI subject (the same term object), surely pass; False: undecided.

        Each (predicate, object) pair is judged once against every property check on the predicate's path (a
        superset of the checks of the shapes that target the subject, so passing them all passes those), and
        remembered by the very terms (the loaders' statement cache hands out the same ones again and again);
        what the subject's shapes ask of its predicates as a whole (counts, targets, node kind) is remembered
        by its signature. Anything else is left to :meth:`_statements_clean`, which decides.
        """
        if not statements:
            return False
        focus = statements[0][0]
        if type(focus) is not URIRef:
            return False
        known_pair = self._pairs.get
        # The subject's signature: its predicates in order, each rdf:type followed by its value (None: not an
        # IRI), and then the type the registry knows it by.
        signature: list[Any] = []
        add = signature.append
        typed = False
        focus_hash = hash(focus)
        maybe_typed = False  # an object checked by class may be the subject itself
        for s, p, o in statements:
            if s is not focus:
                return False
            # An entry holds its terms, so no other term has their ids while it is here.
            entry = known_pair((id(p), id(o)))
            if entry is None:
                entry = self._pair(p, o)
                if entry is None:
                    return False
            flags = entry[3]
            if not flags:
                return False
            add(entry[2])
            if flags != _PAIR_OK:
                if flags & _PAIR_TYPE:
                    add(entry[4])
                    typed = True
                if flags & _PAIR_BY_CLASS and hash(o) == focus_hash:
                    maybe_typed = True
        if maybe_typed and typed:  # perhaps an object typed in the claim itself: the types its data gives decide
            return False
        entity = self.registry.get(focus)
        add(None if entity is None else entity.type)
        key = tuple(signature)
        known = self._signatures.get(key)
        if known is None:
            if len(self._signatures) >= 20_000:
                self._signatures.clear()
            predicates, types, at = [], [], 0
            while at < len(key) - 1:
                predicates.append(key[at])
                if key[at] == _TYPE_TEXT:
                    at += 1
                    if key[at] is not None:
                        types.append(key[at])
                at += 1
            known = self._signatures[key] = self._signature_clean(tuple(predicates), types,
                                                                  self._registry_type(focus))
        return known

    def _pair(self, p: Node, o: Node) -> tuple[Node, Node, str, int, str | None] | None:
        """The quick pass's entry of a statement's predicate and object (None: not for the quick pass).

        The entry is ``(p, o, the predicate's text, flags, the object's text if it is an IRI)``; its flags are 0
        when the object fails a check on the path, else :data:`_PAIR_OK` with :data:`_PAIR_BY_CLASS` (a check
        reads the object's types) and :data:`_PAIR_TYPE` (the predicate is rdf:type).
        """
        if type(p) is not URIRef:
            return None
        text = str(p)
        if text in self._by_object:  # a focus targeted as an object: the detailed pass knows how
            return None
        kind = type(o)
        if kind is not URIRef and kind is not Literal:
            return None
        flags = _PAIR_OK | (_PAIR_TYPE if text == _TYPE_TEXT else 0)
        for prop in self._by_path.get(text, ()):
            if prop.by_class and kind is URIRef:
                flags |= _PAIR_BY_CLASS
            if not self._value_ok(id(prop), prop, o, {}):
                flags = 0
                break
        if len(self._pairs) >= 100_000:  # it holds the terms: keep it bounded
            self._pairs.clear()
            self._texts.clear()
        # Texts kept once, so that signatures holding them compare by identity.
        texts = self._texts
        text = texts.setdefault(text, text)
        value = texts.setdefault(str(o), str(o)) if isinstance(o, URIRef) and flags & _PAIR_TYPE else None
        entry = self._pairs[(id(p), id(o))] = (p, o, text, flags, value)
        return entry

    def _signature_clean(self, predicates: tuple[str, ...], record_types: list[str], registry_type: str | None
                         ) -> bool:
        """Whether a subject's shapes accept its predicates (in order, one per value) and types.

        Its counts, its node kind and the predicates its shapes require; its values are judged by :meth:`_pair`.
        """
        plan = self._plan(tuple(dict.fromkeys(predicates)), tuple(record_types), registry_type)
        if plan is None:
            return False
        for _index, prop in plan:
            if prop.less_or_equal is not None:
                return False
            count = predicates.count(prop.key)
            if (prop.min_count is not None and count < prop.min_count) or \
                    (prop.max_count is not None and count > prop.max_count):
                return False
        return True

    def _plan(self, predicates: tuple[str, ...], record_types: tuple[str, ...], registry_type: str | None,
              objects_of: tuple[str, ...] = ()) -> list[tuple[int, PropertyCheck]] | None:
        """The property checks an IRI focus with these predicates and types must pass; None if it cannot pass."""
        key = (predicates, record_types, registry_type, objects_of)
        known = self._plans.get(key, _NO_PLAN)
        if known is not _NO_PLAN:
            return cast("list[tuple[int, PropertyCheck]] | None", known)
        types: set[str] = set()
        for cls in (*record_types, *((registry_type,) if registry_type is not None else ())):
            types |= _ancestors(cls)
        chosen: dict[int, NodeCheck] = {}
        for p in predicates:
            chosen.update((id(c), c) for c in self._targeting.get(p, ()))
        for p in objects_of:
            chosen.update((id(c), c) for c in self._by_object.get(p, ()))
        for cls in types:
            chosen.update((id(c), c) for c in self._by_class.get(cls, ()))
        plan: list[tuple[int, PropertyCheck]] | None = []
        for check in chosen.values():
            if check.node_kind is not None and not _has_kind(_AN_IRI, check.node_kind):
                plan = None
                break
            for prop in check.properties:
                if not prop.violation:
                    continue
                if prop.key in predicates:
                    plan.append((id(prop), prop))  # type: ignore[union-attr]
                elif prop.min_count:
                    plan = None
                    break
            if plan is None:
                break
        self._plans[key] = plan
        return plan

    def _registry_type(self, node: Node) -> str | None:
        entity = self.registry.get(node)  # type: ignore[arg-type]
        return None if entity is None else str(entity.type)

    def _focus_clean(self, focus: Node, predicates: dict[str, list[Node]],
                     subjects: dict[str, tuple[Node, dict[str, list[Node]]]]) -> bool:
        """One statement subject against the shapes that target it (see :meth:`_evaluate_focus`)."""
        typed = predicates.get(_TYPE_TEXT)
        record_types = tuple([str(c) for c in typed if isinstance(c, URIRef)]) if typed else ()
        plan = self._plan(tuple(predicates), record_types, self._registry_type(focus))
        if plan is None:
            return False
        for index, prop in plan:
            values = predicates[prop.key]
            if (prop.min_count is not None and len(values) < prop.min_count) or \
                    (prop.max_count is not None and len(values) > prop.max_count):
                return False
            for value in values:
                if not self._value_clean(index, prop, value, subjects):
                    return False
            if prop.less_or_equal is not None:
                others = predicates.get(str(prop.less_or_equal), ())
                if any(not _compare(v, w.toPython() if isinstance(w, Literal) else None, False)
                       for v in values for w in others):
                    return False
        return True

    def _value_clean(self, index: int, prop: PropertyCheck, value: Node,
                     subjects: dict[str, tuple[Node, dict[str, list[Node]]]]) -> bool:
        """:meth:`_value_ok` of a value the claim gives no type, remembered (see :meth:`clean`)."""
        kind = type(value)
        if kind is URIRef:
            if prop.by_class:
                entry = subjects.get(str(value))
                if entry is not None and _TYPE_TEXT in entry[1]:
                    return False  # typed in the claim itself: the reference decides
        elif kind is not Literal:
            return False
        # By the very object first (the loaders' statement cache hands out the same terms again and again); the
        # entry holds the object, so no other object can have its id.
        key = (index, id(value))
        remembered = self._verdicts.get(key)
        if remembered is not None and remembered[0] is value:
            return bool(remembered[1])
        if kind is URIRef:  # an IRI's verdict is its text's
            text_key = (index, str(value))
            ok = self._verdicts.get(text_key)
            if ok is None:
                ok = self._verdicts[text_key] = self._value_ok(index, prop, value, {})
        else:
            ok = self._value_ok(index, prop, value, {})
        self._verdicts[key] = (value, ok)
        return bool(ok)

    def _text_clean(self, index: int, prop: PropertyCheck, text: object) -> bool:
        """:meth:`_value_ok` of ``Literal(text)`` for a plain string.

        The literal is not made when the check cannot depend on the text beyond its length.
        """
        if type(text) is not str:
            return False
        if prop.allowed is not None or prop.pattern is not None or prop.min_inclusive is not None \
                or prop.max_inclusive is not None:
            return self._value_ok(index, prop, Literal(text), {})
        if prop.min_length is not None and len(text) < prop.min_length:
            return False
        key = (index, "a plain string")
        verdict = self._verdicts.get(key)
        if verdict is None:  # datatype and node kind: the same for every plain string literal
            verdict = self._verdicts[key] = self._value_ok(index, prop, Literal("x" * max(1, prop.min_length or 0)),
                                                           {})
        return bool(verdict)

    def _claim_clean(self, claim: Claim) -> bool:
        """The claim's own provenance and its source and activity against the shapes that target them.

        The claim's provenance is what :func:`_claim_predicates` reads; the source and the activity are judged by
        :meth:`_source_seen` and :meth:`_activity_seen`.
        """
        if claim.extra or claim.quote_start is not None or claim.quote_end is not None:
            return False
        said_by, quote, confidence, activity, key = (claim.said_by, claim.quote, claim.confidence, claim.activity,
                                                     claim.key)
        fields = ((_FIELD_SAID_BY if said_by is not None else 0) | (_FIELD_QUOTE if quote else 0)
                  | (_FIELD_CONFIDENCE if confidence is not None else 0)
                  | (_FIELD_ACTIVITY if activity is not None else 0) | (_FIELD_KEY if key else 0))
        iri, source = claim.iri, claim.source
        entity = self.registry.get(iri)
        steps = self._claim_plans.get(fields, _NO_STEPS) if entity is None else _NO_STEPS
        if steps is _NO_STEPS:
            steps = self._claim_steps(fields, None if entity is None else entity.type)
            if entity is None:
                self._claim_plans[fields] = steps
        if steps is None:
            return False
        # The claim and its source are the nodes the claim's data types (as the reference's data says).
        typed: dict[str, tuple[Node, dict[str, list[Node]]]] | None = None
        source_seen = activity_seen = False  # the source's (activity's) own checks remembered with its step's
        for step, index, prop, memo in steps:
            # What a step reads of a source, an activity or a confidence is remembered in its memo (the steps are
            # made anew when the names known change): by the very object, which the entry holds, or by the number.
            if step == _STEP_SOURCE:
                known = memo.get(id(source))
                if known is None:
                    if len(memo) >= 20_000:
                        memo.clear()
                    known = memo[id(source)] = (source, self._source_ref_clean(index, prop, source)
                                                and self._source_seen(source))
                ok, source_seen = known[1], True
            elif step == _STEP_CONFIDENCE:
                ok = memo.get(confidence)
                if ok is None:
                    if len(memo) >= 20_000:
                        memo.clear()
                    ok = memo[confidence] = self._value_ok(index, prop, _confidence_literal(cast(float, confidence)),
                                                           {})
            elif step == _STEP_GENERATED and not prop.by_class:  # then the claim's data cannot change its verdict
                known = memo.get(id(activity))
                if known is None:
                    if len(memo) >= 20_000:
                        memo.clear()
                    known = memo[id(activity)] = (activity, self._value_clean(index, prop,
                                                                                cast(Activity, activity).iri, {})
                                                  and self._activity_seen(cast(Activity, activity)))
                ok, activity_seen = known[1], True
            elif step in (_STEP_QUOTE, _STEP_KEY):
                text = quote if step == _STEP_QUOTE else key
                plain = memo.get(_PLAIN)  # the verdict of every plain string long enough (see _text_clean)
                if plain is not None and type(text) is str and len(text) >= (prop.min_length or 0):
                    ok = plain
                else:
                    ok = self._text_clean(index, prop, text)
            else:
                if typed is None:
                    typed = {str(iri): (iri, {_TYPE_TEXT: [_CLAIM]}), str(source.iri): (source.iri, {_TYPE_TEXT: []})}
                if step == _STEP_CONFIDENCE:
                    value: Node = _confidence_literal(cast(float, confidence))
                elif step == _STEP_TYPE:
                    value = _CLAIM
                elif step == _STEP_SAID_BY:
                    value = cast(Node, said_by)
                else:
                    value = cast(Activity, activity).iri
                ok = self._value_clean(index, prop, value, typed)
            if not ok:
                return False
        if not source_seen and not self._source_seen(source):
            return False
        return activity is None or activity_seen or self._activity_seen(activity)

    def _claim_steps(self, fields: int, registry_type: URIRef | None
                     ) -> list[tuple[int, int, PropertyCheck, dict[Any, Any]]] | None:
        """The plan of a claim with these provenance fields (``_FIELD_*`` bits), each check with the field it reads.

        None when the claim cannot pass here: no plan, or a check one value at a time cannot decide, or a
        predicate the claim's fields do not give.
        """
        key = ("claim steps", fields, registry_type)
        known = self._plans.get(key, _NO_PLAN)
        if known is not _NO_PLAN:
            return cast("list[tuple[int, int, PropertyCheck, dict[Any, Any]]] | None", known)
        keys = [_TYPE_TEXT, _DERIVED_TEXT]
        keys.extend(text for bit, text in _FIELD_TEXTS if fields & bit)
        plan = self._plan(tuple(keys), (_CLAIM_TEXT,), None if registry_type is None else str(registry_type))
        steps: list[tuple[int, int, PropertyCheck, dict[Any, Any]]] | None = None if plan is None else []
        for index, prop in plan or ():
            step = _CLAIM_STEPS.get(prop.key)
            if step is None or not _one_value_decides(prop):
                steps = None
                break
            memo: dict[Any, Any] = {}
            if step in (_STEP_QUOTE, _STEP_KEY) and prop.allowed is None and prop.pattern is None and \
                    prop.min_inclusive is None and prop.max_inclusive is None:
                memo[_PLAIN] = self._text_clean(index, prop, "x" * max(1, prop.min_length or 0))
            steps.append((step, index, prop, memo))  # type: ignore[union-attr]
        self._plans[key] = steps
        return steps

    def _source_ref_clean(self, index: int, prop: PropertyCheck, source: Source) -> bool:
        """The claim's source as its prov:wasDerivedFrom value (typed by the claim's data with its source type)."""
        # Its types come from the claim's data and the registry; only these constraints read the IRI itself.
        named = source.iri if prop.allowed is not None or prop.pattern is not None or prop.min_length is not None \
            else None
        key = (index, ("source", named, str(source.source_type), self._registry_type(source.iri)))
        verdict = self._verdicts.get(key)
        if verdict is None:
            data: dict[Node, dict[URIRef, list[Node]]] = {source.iri: {RDF.type: [source.source_type]}}
            verdict = self._verdicts[key] = self._value_ok(index, prop, source.iri, data)
        return bool(verdict)

    def _typed_clean(self, index: int, prop: PropertyCheck, lexical: str, datatype: URIRef) -> bool:
        """:meth:`_value_ok` of ``Literal(lexical, datatype=datatype)``, the literal made only when not remembered."""
        if not (prop.classes or prop.any_of):
            known = self._values.get((index, lexical, str(datatype), None))  # as _value_ok remembers it
            if known is not None:
                return known
            if datatype == _ANY_URI and prop.allowed is None and prop.min_inclusive is None \
                    and prop.max_inclusive is None:
                # An xsd:anyURI literal keeps its text as written and is never ill-typed (it has no value space of
                # its own): every one gets the same verdict but for its text's pattern and length (a source's URL
                # is new with every source, and its literal would cost more than the rest of the source's checks).
                key = (index, ("an xsd:anyURI literal",))  # a tuple: no IRI's text (the other keys) equals it
                verdict = self._verdicts.get(key)
                if verdict is None:
                    verdict = self._verdicts[key] = self._evaluate_value(prop, Literal("x", datatype=_ANY_URI), {},
                                                                         text_checks=False)
                return bool(verdict) and _text_ok(prop, lexical)
        return self._value_ok(index, prop, Literal(lexical, datatype=datatype), {})

    def _source_clean(self, source: Source) -> bool:
        """A claim's source (the focus of its :meth:`Source.quads`, an object of prov:wasDerivedFrom)."""
        iri, source_type, publisher = source.iri, source.source_type, source.publisher
        if type(iri) is not URIRef or type(source_type) is not URIRef or \
                (publisher is not None and type(publisher) is not URIRef):
            return False
        url, title, issued = source.url, source.title, source.issued
        fields = ((_FIELD_URL if url else 0) | (_FIELD_TITLE if title else 0)
                  | (_FIELD_PUBLISHER if publisher is not None else 0) | (_FIELD_ISSUED if issued is not None else 0))
        entity = self.registry.get(iri)
        key = ("source steps", fields, source_type, None if entity is None else entity.type)
        remembered = self._plans.get(key, _NO_PLAN)
        if remembered is _NO_PLAN:
            steps = self._source_steps(fields, str(source_type), None if entity is None else str(entity.type))
            self._plans[key] = steps
        else:
            steps = cast("list[tuple[str, int, PropertyCheck, dict[Any, Any]]] | None", remembered)
        if steps is None:
            return False
        typed: dict[str, tuple[Node, dict[str, list[Node]]]] | None = None
        for path, index, prop, memo in steps:
            # Each step's memo remembers what it read (the steps are made anew when the names known change).
            if path == _URL_TEXT and memo:  # an xsd:anyURI literal's verdict but for its text (see _typed_clean)
                ok = memo[_PLAIN] and _text_ok(prop, cast(str, url))
            elif path == _TITLE_TEXT and memo and type(title) is str and len(title) >= (prop.min_length or 0):
                ok = memo[_PLAIN]
            elif path == _PUBLISHER_TEXT and not prop.by_class:  # then the source's data cannot change it
                known = memo.get(id(publisher))
                if known is None:
                    if len(memo) >= 20_000:
                        memo.clear()
                    known = memo[id(publisher)] = (publisher, self._value_clean(index, prop, cast(Node, publisher),
                                                                                 {}))
                ok = known[1]
            elif path == _ISSUED_TEXT and type(issued) is date:  # equal dates, equal text (not so for datetimes)
                ok = memo.get(issued)
                if ok is None:
                    if len(memo) >= 20_000:
                        memo.clear()
                    ok = memo[issued] = self._typed_clean(index, prop, issued.isoformat(), _DATE)
            else:
                if typed is None:
                    typed = {str(iri): (iri, {_TYPE_TEXT: [source_type]})}
                if path == _TYPE_TEXT:
                    ok = self._value_clean(index, prop, source_type, typed)
                elif path == _URL_TEXT:
                    ok = self._typed_clean(index, prop, cast(str, url), _ANY_URI)
                elif path == _TITLE_TEXT:
                    ok = self._text_clean(index, prop, title)
                elif path == _PUBLISHER_TEXT:
                    ok = self._value_clean(index, prop, cast(Node, publisher), typed)
                else:
                    ok = self._typed_clean(index, prop, cast(date, issued).isoformat(), _DATE)
            if not ok:
                return False
        return True

    def _source_steps(self, fields: int, source_type: str, registry_type: str | None
                      ) -> list[tuple[str, int, PropertyCheck, dict[Any, Any]]] | None:
        """The plan of a source with these fields (``_FIELD_*`` bits) and types, each check with a memo.

        None when the source cannot pass here: no plan, or a check one value at a time cannot decide, or a
        predicate the source's fields do not give.
        """
        keys = [_TYPE_TEXT]
        keys.extend(text for bit, text in _SOURCE_FIELD_TEXTS if fields & bit)
        plan = self._plan(tuple(keys), (source_type,), registry_type, (_DERIVED_TEXT,))
        if plan is None:
            return None
        steps: list[tuple[str, int, PropertyCheck, dict[Any, Any]]] = []
        for index, prop in plan:
            if not _one_value_decides(prop) or prop.key not in keys:
                return None
            memo: dict[Any, Any] = {}
            plain = prop.allowed is None and prop.min_inclusive is None and prop.max_inclusive is None
            if prop.key == _URL_TEXT and plain and not prop.by_class:
                memo[_PLAIN] = self._evaluate_value(prop, Literal("x", datatype=_ANY_URI), {}, text_checks=False)
            elif prop.key == _TITLE_TEXT and plain and prop.pattern is None:
                memo[_PLAIN] = self._text_clean(index, prop, "x" * max(1, prop.min_length or 0))
            steps.append((prop.key, index, prop, memo))
        return steps

    def _source_seen(self, source: Source) -> bool:
        """A claim's source against the shapes that target it, evaluated once and remembered by identity."""
        seen = self._seen.get(id(source))
        if seen is None or seen[0] is not source:
            seen = self._seen[id(source)] = (source, self._source_clean(source))
        return seen[1]

    def _activity_seen(self, activity: Activity) -> bool:
        """A claim's activity against the shapes that target it, evaluated once and remembered by identity."""
        seen = self._seen.get(id(activity))
        if seen is None or seen[0] is not activity:
            seen = self._seen[id(activity)] = (activity, not self._evaluate_quads(activity.quads()))
        return seen[1]

    def check(self, name: str, unit: Any) -> Any:
        """The unit as it was, or rejected (every row) with the first violation as its reason."""
        clean = self.clean
        for claim in unit.claims:
            if clean(claim):
                continue
            found = self.reference_violations(claim)
            if found:
                from detente.loaders.stream import reject_unit

                first = found[0]
                line = unit.lines[0]
                if len(unit.lines) == len(claim.statements):  # a row per statement (a statements table)
                    line = next((unit.lines[i] for i, (s, p, _o) in enumerate(claim.statements)
                                 if s == first.focus and p == first.path), line)
                return reject_unit(name, unit.lines, [Reject(name, line, first.field, f"SHACL: {first.message}",
                                                             unit.records(line) or "")], unit.records)
        return unit


def _claim_predicates_slow(claim: Claim) -> dict[URIRef, list[Node]]:
    """What the claim's provenance says of the claim, read from :meth:`Claim.quads` (the reference)."""
    predicates: dict[URIRef, list[Node]] = {}
    for s, p, o, _g in _provenance_quads(claim, sources=False):
        if s == claim.iri:
            values = predicates.setdefault(p, [])  # type: ignore[arg-type]
            if o not in values:
                values.append(o)
    return predicates


_CONFIDENCE: dict[float, Literal] = {}


def _confidence_literal(confidence: float) -> Literal:
    """The claim's dt:confidence literal, one object per value."""
    literal = _CONFIDENCE.get(confidence)
    if literal is None:
        literal = _CONFIDENCE[confidence] = Literal(f"{confidence:.4g}", datatype=XSD.decimal)
    return literal


def _claim_predicates(claim: Claim) -> dict[URIRef, list[Node]]:
    """The same as :func:`_claim_predicates_slow`, built from the claim's fields (a test compares them)."""
    predicates: dict[URIRef, list[Node]] = {_TYPE: [_CLAIM], _DERIVED: [claim.source.iri]}
    if claim.said_by is not None:
        predicates[_SAID_BY] = [claim.said_by]
    if claim.quote:
        predicates[_QUOTE] = [Literal(claim.quote)]
    if claim.confidence is not None:
        predicates[_CONFIDENCE_P] = [_confidence_literal(claim.confidence)]
    if claim.quote_start is not None:
        predicates[_QUOTE_START] = [Literal(claim.quote_start)]
    if claim.quote_end is not None:
        predicates[_QUOTE_END] = [Literal(claim.quote_end)]
    if claim.activity is not None:
        predicates[_GENERATED] = [claim.activity.iri]
    if claim.key:
        predicates[_IDENTIFIER] = [Literal(claim.key)]
    iri = claim.iri
    for s, p, o in claim.extra:
        if s == iri:
            values = predicates.setdefault(p, [])  # type: ignore[arg-type]
            if o not in values:
                values.append(o)
    return predicates


def _provenance_quads(claim: Claim, *, sources: bool = True) -> Iterable[tuple[Node, Node, Node, Node]]:
    """The claim's provenance, its source's and its activity's quads (its statements excluded)."""
    statements = len(claim.statements)
    for number, quad in enumerate(claim.quads()):
        if number >= 2 * statements:
            yield quad
    if sources:
        yield from claim.source.quads()
        if claim.activity is not None:
            yield from claim.activity.quads()
