"""The entity registry: minting entities, remembering the ones claims use, writing their descriptions.

Names are resolved by the one resolver, :class:`detente.graph.entities.EntityNames`
(ISO 3166 states with their names, codes and Wikidata items, the store's entities);
the registry adds what loaders declare (entity files, a claim document's ``entities:``)
and mint (publishers, venues, people…), and writes the descriptions of the entities
that claims reference: with ``owl:sameAs``/``schema:sameAs`` their Wikidata item, and
for a state the link claim sourced to the bundled table (:mod:`detente.loaders.wikidata`).

>>> registry = EntityRegistry()
>>> registry.resolve("U.S.") == registry.resolve("United States") == registry.resolve("USA")
True
>>> str(registry.resolve("state:UKR"))
'https://w3id.org/detente/id/state/UKR'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from detente.errors import AmbiguousEntityError
from detente.graph.claims import Claim, slug
from detente.graph.entities import (
    EntityNames,
    known_states,
    normalize_label as normalize_label,  # re-exported from its old home
    state_wikidata,
)
from detente.graph.store import Store
from detente.graph.terms import Term
from detente.loaders.wikidata import same_as_triples, state_link_claim, state_link_quads
from detente.ontology import schema
from detente.ontology.vocab import DT, DTR, ENTITIES_GRAPH, ENTITY_TYPES, FACTS_GRAPH, TYPE_SEGMENTS, expand_curie


@dataclass
class Entity:
    """An actor, venue or event with its names.

    Attributes
    ----------
    iri: the entity's IRI.
    type: its ontology class (``dt:State``, ``dt:Envoy``…).
    label: the preferred English label.
    aliases: other names that resolve to it.
    wikidata: a Wikidata id such as ``Q212``.
    country: the state it belongs to or is located in.
    iso_code: ISO 3166-1 alpha-3 code, for states.
    represents: for envoys, whom they represent.
    """

    iri: URIRef
    type: URIRef
    label: str
    aliases: list[str] = field(default_factory=list)
    wikidata: str | None = None
    country: URIRef | None = None
    iso_code: str | None = None
    represents: URIRef | None = None

    def quads(self) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        """The description in the entity graph, and again in the facts view.

        The facts view is a set, so a type or label that a claim also asserts
        is still seen once by a plain query; the entity graph keeps the
        registry's own record for ``GRAPH`` queries and for reloading names.
        """
        for s, p, o in self._triples():
            yield s, p, o, ENTITIES_GRAPH
            yield s, p, o, FACTS_GRAPH

    def _triples(self) -> Iterator[tuple[Term, Term, Term]]:
        yield self.iri, RDF.type, self.type
        yield self.iri, RDFS.label, Literal(self.label, lang="en")
        for alias in self.aliases:
            if alias != self.label:
                yield self.iri, SKOS.altLabel, Literal(alias, lang="en")
        if self.wikidata:
            yield from same_as_triples(self.iri, self.wikidata)
        if self.country is not None:
            yield self.iri, DT.country, self.country
        if self.iso_code:
            yield self.iri, DT.isoCode, Literal(self.iso_code)
        if self.represents is not None:
            yield self.iri, DT.represents, self.represents


class EntityRegistry:
    """The entities of one load: resolve references through :attr:`names`, mint new entities, describe the used ones.

    Parameters
    ----------
    with_states:
        Know every ISO 3166-1 state (as :class:`Entity` descriptions and by name).
    """

    def __init__(self, with_states: bool = True) -> None:
        self.names = EntityNames(states=with_states)
        self._by_iri: dict[URIRef, Entity] = {}
        self._used: set[URIRef] = set()
        #: Linking decisions taken while naming actors (:func:`detente.loaders.linking.resolve_actor`),
        #: for the loader to write as provenance; it empties the list as it does.
        self.link_records: list[Any] = []
        if with_states:
            for state in known_states():
                # The resolver knows the states' names already; the registry keeps their descriptions.
                self._by_iri[state.iri] = Entity(state.iri, state.type, state.label, list(state.aliases),
                                                 wikidata=state.wikidata, iso_code=state.iso_code)

    # -- registration ----------------------------------------------------
    def add(self, entity: Entity, *, override: bool = True) -> Entity:
        """Register an entity and teach the resolver its label and aliases.

        An entity already registered under the IRI is kept when ``override`` is
        False; otherwise the new description replaces it, keeping the old names as aliases.
        """
        existing = self._by_iri.get(entity.iri)
        if existing is not None and not override:
            return existing
        if existing is not None:
            entity.aliases = sorted(set(existing.aliases) | set(entity.aliases) | {existing.label} - {entity.label})
            # A redeclared state keeps the codes and Wikidata item it already had unless it names its own.
            entity.wikidata = entity.wikidata or existing.wikidata
            entity.iso_code = entity.iso_code or existing.iso_code
            self.names.forget(entity.iri)
        self._by_iri[entity.iri] = entity
        self.names.add(entity.iri, entity.label, entity.aliases, [entity.type])
        return entity

    def mint(self, label: str, entity_type: URIRef, *, field_name: str = "name", **details: object) -> URIRef:
        """The IRI for ``label``: the known entity, or a new one of ``entity_type``.

        A name several entities share is refused (``FieldError`` naming ``field_name``
        and the candidates): minting yet another entity would only add to the confusion.

        >>> r = EntityRegistry()
        >>> str(r.mint("Steve Witkoff", DT.Envoy))
        'https://w3id.org/detente/id/person/steve-witkoff'
        """
        try:
            known = self.names.lookup(label)
        except AmbiguousEntityError as exc:
            from detente.loaders.base import FieldError  # the loaders' error for one field of one record

            raise FieldError(field_name, str(exc)) from None
        if known is not None:
            return known
        segment = TYPE_SEGMENTS.get(entity_type, "entity")
        iri = DTR[f"{segment}/{slug(label)}"]
        self.add(Entity(iri, entity_type, label, **details))  # type: ignore[arg-type]
        return iri

    def load_store(self, store: Store) -> None:
        """Learn the store's entities: their names (for resolving) and their entity-graph descriptions."""
        self.names.add_store(store)
        rows = store.query(
            "SELECT ?e ?type ?label (GROUP_CONCAT(?alias; separator='\\u001f') AS ?aliases) WHERE { "
            "?e a ?type ; rdfs:label ?label OPTIONAL { ?e skos:altLabel ?alias } } GROUP BY ?e ?type ?label",
            default_graphs=[ENTITIES_GRAPH]).rows
        for e, t, label, aliases in rows:
            if e in self._by_iri:
                continue
            names = str(aliases).split("\x1f") if aliases else []
            iri = cast(URIRef, e)  # ?e and ?type are bound in every row, to IRIs
            self._by_iri[iri] = Entity(iri, cast(URIRef, t), str(label), [n for n in names if n])

    # -- lookup ----------------------------------------------------------
    def resolve(self, ref: str) -> URIRef | None:
        """IRI for a reference (see :mod:`detente.graph.entities`); None if unknown.

        Raises :class:`~detente.errors.AmbiguousEntityError` when several entities share the name.
        """
        return self.names.lookup(ref)

    lookup = resolve

    def get(self, iri: URIRef) -> Entity | None:
        return self._by_iri.get(iri)

    def __contains__(self, iri: object) -> bool:
        return iri in self._by_iri

    def __iter__(self) -> Iterator[Entity]:
        return iter(self._by_iri.values())

    def forget(self, iri: URIRef) -> None:
        """Drop an entity minted in this run that linking replaced by a known one (its names stay free)."""
        entity = self._by_iri.pop(iri, None)
        self._used.discard(iri)
        if entity is not None:
            self.names.forget(iri)

    def mark_used(self, iris: Iterable[Term]) -> None:
        """Remember entities referenced by claims so their descriptions get written."""
        for iri in iris:
            if isinstance(iri, URIRef) and iri in self._by_iri:
                self._used.add(iri)

    def used_quads(self) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        """Entity-graph quads for every registered entity that claims referenced (and its country)."""
        for entity, linked in self._used_entities():
            yield from entity.quads()
            if linked and entity.iso_code and entity.wikidata:
                yield from state_link_quads(entity.iso_code, entity.wikidata)  # the link, sourced to the table

    def used_link_claims(self) -> list[Claim]:
        """The claims among :meth:`used_quads`: each used state's Wikidata id, sourced to the table.

        A fresh import's summary (:class:`detente.graph.summary_import.FreshImport`) counts them as the
        claims they are.
        """
        return [state_link_claim(entity.iso_code, entity.wikidata)
                for entity, linked in self._used_entities() if linked and entity.iso_code and entity.wikidata]

    def _used_entities(self) -> Iterator[tuple[Entity, bool]]:
        """Every used entity (and its country), with whether its Wikidata link claim is written with it."""
        done: set[URIRef] = set()
        todo = list(self._used)
        while todo:
            iri = todo.pop()
            if iri in done:
                continue
            done.add(iri)
            entity = self._by_iri[iri]
            yield entity, bool(entity.type == DT.State and entity.iso_code and entity.wikidata
                               and state_wikidata().get(entity.iso_code) == entity.wikidata)
            for linked in (entity.country, entity.represents):
                if linked is not None and linked in self._by_iri:
                    todo.append(linked)

    def all_quads(self, *, include_states: bool = False) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        for entity in self._by_iri.values():
            if include_states or entity.type != DT.State or entity.iri in self._used:
                yield from entity.quads()


def entity_type(name: str) -> URIRef | None:
    """An ontology class from a short type name or CURIE (``envoy``, ``dt:Envoy``).

    >>> str(entity_type("envoy"))
    'https://w3id.org/detente/ontology#Envoy'
    """
    key = name.strip()
    if key.lower().replace(" ", "_") in ENTITY_TYPES:
        return ENTITY_TYPES[key.lower().replace(" ", "_")]
    expanded = expand_curie(key)
    found = URIRef(expanded) if expanded is not None else URIRef(key) if key.startswith(("http://", "https://")) \
        else None
    if found is not None and found.startswith(DT) and found not in schema.ontology_classes():
        return None  # a class name in the ontology's namespace that it does not declare (a typo): unknown
    return found


XSD_STRING = XSD.string
