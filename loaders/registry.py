"""The entity registry: one IRI per actor, venue or event, whatever it is called.

States get stable IRIs from ISO 3166-1 alpha-3 (``dtr:state/UKR``) with their
names, official names, codes and common aliases from pycountry plus a short
table of usages found in news text (``U.S.``, ``Britain``, ``Russia``).
Other entities come from entity files, or are minted by loaders.

>>> registry = EntityRegistry()
>>> registry.resolve("U.S.") == registry.resolve("United States") == registry.resolve("USA")
True
>>> str(registry.resolve("state:UKR"))
'https://w3id.org/detente/id/state/UKR'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import pycountry
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from detente.graph.claims import slug
from detente.graph.store import Store
from detente.graph.terms import Term
from detente.loaders.wikidata import same_as_triples, state_link_quads, state_wikidata
from detente.ontology.vocab import DT, DTR, ENTITIES_GRAPH, ENTITY_TYPES, FACTS_GRAPH, TYPE_SEGMENTS, expand_curie

# Names the news uses for states that pycountry spells otherwise.
STATE_ALIASES: dict[str, list[str]] = {
    # The first name is the preferred label. Capitals are not aliases: "talks in Riyadh" names a venue.
    "USA": ["United States", "U.S.", "US", "U.S.A.", "USA", "United States of America", "America"],
    "GBR": ["United Kingdom", "UK", "U.K.", "Britain", "Great Britain"],
    "RUS": ["Russia", "Russian Federation"],
    "UKR": ["Ukraine"],
    "IRN": ["Iran"],
    "SYR": ["Syria"],
    "KOR": ["South Korea", "Republic of Korea"],
    "PRK": ["North Korea", "DPRK"],
    "TUR": ["Turkey", "Türkiye", "Turkiye"],
    "CHN": ["China", "PRC"],
    "TWN": ["Taiwan"],
    "VEN": ["Venezuela"],
    "BOL": ["Bolivia"],
    "TZA": ["Tanzania"],
    "VNM": ["Vietnam", "Viet Nam"],
    "LAO": ["Laos"],
    "MDA": ["Moldova"],
    "COD": ["Democratic Republic of the Congo", "DR Congo", "DRC"],
    "COG": ["Republic of the Congo", "Congo-Brazzaville"],
    "CIV": ["Côte d'Ivoire", "Ivory Coast"],
    "CZE": ["Czechia", "Czech Republic"],
    "PSE": ["Palestine", "State of Palestine", "Palestinian territories"],
    "SAU": ["Saudi Arabia"],
    "ARE": ["United Arab Emirates", "UAE", "Emirates"],
}


def normalize_label(text: str) -> str:
    """Fold case, accents, dots and spacing so that variants of a name meet.

    >>> normalize_label(" U.S. ") == normalize_label("US")
    True
    >>> normalize_label("Türkiye")
    'turkiye'
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    folded = folded.replace(".", "").replace("'", "").replace("\u2019", "")
    return re.sub(r"[\s\-_]+", " ", folded).strip()


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


@lru_cache(maxsize=1)
def _states() -> tuple[Entity, ...]:
    out = []
    for country in pycountry.countries:
        code = country.alpha_3
        label = getattr(country, "common_name", None) or country.name
        aliases = {country.name, country.alpha_3, country.alpha_2}
        for attr in ("official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                aliases.add(value)
        extra = STATE_ALIASES.get(code, [])
        if extra:
            label = extra[0]
        aliases.update(extra)
        aliases.discard("")
        out.append(Entity(DTR[f"state/{code}"], DT.State, label, sorted(aliases - {label}),
                          wikidata=state_wikidata().get(code), iso_code=code))
    return tuple(out)


class EntityRegistry:
    """Resolve entity references (CURIE, IRI, label or alias) to IRIs and mint new ones.

    Parameters
    ----------
    with_states:
        Preload every ISO 3166-1 state.
    """

    def __init__(self, with_states: bool = True) -> None:
        self._by_iri: dict[URIRef, Entity] = {}
        self._by_label: dict[str, URIRef] = {}
        self._used: set[URIRef] = set()
        if with_states:
            for state in _states():
                self.add(state, override=False)

    # -- registration ----------------------------------------------------
    def add(self, entity: Entity, *, override: bool = True) -> Entity:
        """Register an entity and index its label and aliases."""
        existing = self._by_iri.get(entity.iri)
        if existing is not None and not override:
            return existing
        if existing is not None:
            entity.aliases = sorted(set(existing.aliases) | set(entity.aliases) | {existing.label} - {entity.label})
            # A redeclared state keeps the codes and Wikidata item it already had unless it names its own.
            entity.wikidata = entity.wikidata or existing.wikidata
            entity.iso_code = entity.iso_code or existing.iso_code
        self._by_iri[entity.iri] = entity
        for name in [entity.label, *entity.aliases]:
            key = normalize_label(name)
            if key and (override or key not in self._by_label):
                self._by_label[key] = entity.iri
        return entity

    def mint(self, label: str, entity_type: URIRef, **details: object) -> URIRef:
        """The IRI for ``label``: the known entity, or a new one of ``entity_type``.

        >>> r = EntityRegistry()
        >>> str(r.mint("Steve Witkoff", DT.Envoy))
        'https://w3id.org/detente/id/person/steve-witkoff'
        """
        known = self.resolve(label)
        if known is not None:
            return known
        segment = TYPE_SEGMENTS.get(entity_type, "entity")
        iri = DTR[f"{segment}/{slug(label)}"]
        self.add(Entity(iri, entity_type, label, **details))  # type: ignore[arg-type]
        return iri

    def load_store(self, store: Store) -> None:
        """Index the entities already described in a store's entity graph."""
        rows = store.query(
            "SELECT ?e ?type ?label (GROUP_CONCAT(?alias; separator='\\u001f') AS ?aliases) WHERE { "
            "?e a ?type ; rdfs:label ?label OPTIONAL { ?e skos:altLabel ?alias } } GROUP BY ?e ?type ?label",
            default_graphs=[ENTITIES_GRAPH]).rows
        for e, t, label, aliases in rows:
            if e in self._by_iri:
                continue
            names = str(aliases).split("\x1f") if aliases else []
            self.add(Entity(e, t, str(label), [n for n in names if n]), override=False)  # type: ignore[arg-type]

    # -- lookup ----------------------------------------------------------
    def resolve(self, ref: str) -> URIRef | None:
        """IRI for a CURIE, an absolute IRI, or a known label/alias; None if unknown."""
        ref = ref.strip()
        if not ref:
            return None
        if ref.startswith("<") and ref.endswith(">"):
            ref = ref[1:-1]
        if re.match(r"^[a-z][a-z0-9+.-]*://", ref, re.I) or ref.startswith("urn:"):
            return URIRef(ref)
        expanded = expand_curie(ref)
        if expanded is not None:
            return URIRef(expanded)
        return self._by_label.get(normalize_label(ref))

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
            for name in [entity.label, *entity.aliases]:
                key = normalize_label(name)
                if self._by_label.get(key) == iri:
                    del self._by_label[key]

    def mark_used(self, iris: Iterable[Term]) -> None:
        """Remember entities referenced by claims so their descriptions get written."""
        for iri in iris:
            if isinstance(iri, URIRef) and iri in self._by_iri:
                self._used.add(iri)

    def used_quads(self) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        """Entity-graph quads for every registered entity that claims referenced (and its country)."""
        done: set[URIRef] = set()
        todo = list(self._used)
        while todo:
            iri = todo.pop()
            if iri in done:
                continue
            done.add(iri)
            entity = self._by_iri[iri]
            yield from entity.quads()
            if entity.type == DT.State and entity.iso_code and entity.wikidata \
                    and state_wikidata().get(entity.iso_code) == entity.wikidata:
                yield from state_link_quads(entity.iso_code, entity.wikidata)  # the link, sourced to the table
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
    if expanded is not None:
        return URIRef(expanded)
    if key.startswith(("http://", "https://")):
        return URIRef(key)
    return None


XSD_STRING = XSD.string
