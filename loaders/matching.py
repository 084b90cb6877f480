"""Matching names in a table against the graph's entities: reconciliation and suggest.

The engine behind ``/reconcile`` (OpenRefine's Reconciliation Service API)
and ``KnowledgeGraph.reconcile``. An :class:`EntityIndex` is built once from
the store (the entities and their names as the one entity resolver,
:class:`detente.graph.entities.EntityNames`, knows them: two queries; one more
for types and identifying properties) and then answers whole batches of
queries in memory: candidate names are found through an exact-name table and
a character-trigram index, never one store query per name.

Scores run from 0 to 100. A candidate is a ``match`` (safe to accept without
looking) only when the query is exactly one of its names (label, alias or
code, after folding case, accents and dots), no other candidate of an
allowed type has that exact name, and no property constraint contradicts it.

>>> from detente.graph.store import open_store
>>> index = EntityIndex.build(open_store("memory:"))
>>> [(c.id, c.score, c.match) for c in index.match([MatchQuery("Ukraine")])[0][:1]]
[('state/UKR', 100.0, True)]
>>> top = index.match([MatchQuery("Ukriane")])[0][0]
>>> top.id, top.match
('state/UKR', False)
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import cast

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from detente.graph.entities import EntityNames, NamedEntity, is_wikidata_item, normalize_label
from detente.graph.store import Store
from detente.graph.terms import Term, curie, local_path
from detente.ontology.vocab import DT, SCHEMA, WD, expand_curie

#: Classes offered as reconciliation types (``defaultTypes``), with their subclasses.
DEFAULT_TYPES = (DT.State, DT.Envoy, DT.Person, DT.Organization, DT.InternationalOrganization,
                 DT.NewsOrganization, DT.Venue, DT.Event, DT.Agreement)

#: Properties read for every entity when the index is built (types, places, identifiers).
INDEXED_PROPERTIES = (RDF.type, DT.country, DT.represents, DT.wikidataId, DT.isoCode, OWL.sameAs)

#: Properties whose exact value identifies one entity (a property-only query on them can be a match).
IDENTIFYING_PROPERTIES = frozenset({DT.isoCode, DT.wikidataId, OWL.sameAs, SCHEMA.sameAs})

EXACT_LABEL, EXACT_ALIAS, FUZZY_CAP = 100.0, 96.0, 89.0
TYPE_PENALTY, CONTRADICTION_PENALTY, PROPERTY_BONUS = 40.0, 30.0, 5.0


def entity_id(iri: str) -> str:
    """The reconciliation id of an entity: its path under the data base, or its full IRI.

    >>> entity_id("https://w3id.org/detente/id/state/UKR"), entity_id("http://example.org/x")
    ('state/UKR', 'http://example.org/x')
    """
    return local_path(iri) or iri


def type_id(cls: URIRef) -> str:
    """A class's reconciliation type id: its local name for ``dt:`` classes (``State``), else the IRI."""
    return cls[len(str(DT)):] if str(cls).startswith(str(DT)) else str(cls)


def type_iri(ref: str) -> URIRef | None:
    """A class from a type id (``State``), a CURIE (``dt:State``) or an IRI; None if the ontology lacks it."""
    from detente.ontology.schema import ontology_classes

    text = ref.strip()
    candidates = [DT[text]] if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", text) else []
    expanded = expand_curie(text)
    if expanded is not None:
        candidates.append(URIRef(expanded))
    if text.startswith(("http://", "https://")):
        candidates.append(URIRef(text))
    known = ontology_classes()
    return next((c for c in candidates if c in known), None)


def property_iri(ref: str) -> URIRef | None:
    """A property from a property id (``country``), a CURIE (``dt:country``, ``owl:sameAs``) or an IRI."""
    text = ref.strip()
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", text):
        return DT[text]
    expanded = expand_curie(text)
    if expanded is not None:
        return URIRef(expanded)
    if re.match(r"^https?://\S+$", text):
        return URIRef(text)
    return None


def property_id(prop: URIRef) -> str:
    """A property's id: its local name for ``dt:`` properties, else a CURIE or the IRI.

    >>> property_id(DT.country), property_id(OWL.sameAs)
    ('country', 'owl:sameAs')
    """
    if str(prop).startswith(str(DT)):
        return prop[len(str(DT)):]
    return curie(str(prop))


@lru_cache(maxsize=64)
def _type_closure(cls: URIRef) -> frozenset[URIRef]:
    from detente.ontology.schema import subclasses

    return frozenset(subclasses(cls) | {cls})


# -- the entities -----------------------------------------------------------------

def known_entities(store: Store, names: EntityNames | None = None) -> list[NamedEntity]:
    """Every entity a name can be matched to, as the one entity resolver lists it.

    The ISO 3166 states (with their codes and Wikidata items) and the store's entities that have a class
    and a name. This is the one place reconciliation asks for entities
    (:meth:`detente.graph.entities.EntityNames.entities`); ``names`` may already know more (a load's own
    entities), and learns the store's.
    """
    names = names if names is not None else EntityNames()
    names.add_store(store)
    return [entity for entity in names.entities() if entity.types]


@dataclass
class IndexedEntity:
    """What the index keeps of one entity."""

    iri: URIRef
    label: str
    names: list[str]
    types: set[URIRef] = field(default_factory=set)
    values: dict[URIRef, set[Term]] = field(default_factory=lambda: defaultdict(set))


@dataclass(frozen=True)
class PropertyConstraint:
    """A property a candidate should have, with acceptable values (``{"pid": …, "v": …}``)."""

    prop: URIRef
    values: tuple[object, ...]


@dataclass(frozen=True)
class MatchQuery:
    """One reconciliation query.

    Parameters
    ----------
    text:
        The name to match (may be empty when ``properties`` identify the entity).
    types:
        Classes the candidate should be an instance of (subclasses count).
    type_strict:
        ``any`` (one of the types, the default), ``all`` (every type), or
        ``should`` (other types are kept, ranked lower, never a ``match``).
    properties:
        Property constraints.
    limit:
        Most candidates returned.
    """

    text: str
    types: tuple[URIRef, ...] = ()
    type_strict: str = "any"
    properties: tuple[PropertyConstraint, ...] = ()
    limit: int = 5


@dataclass
class Scored:
    """A candidate with its score, its features and whether it is a sure match."""

    iri: URIRef
    name: str
    score: float
    match: bool
    types: list[URIRef]
    description: str
    features: dict[str, float | bool]

    @property
    def id(self) -> str:
        return entity_id(str(self.iri))


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def similarity(query: str, name: str) -> float:
    """How alike two folded names are, 0..1: the best of character, token and containment similarity.

    >>> similarity("ukraine", "ukraine"), round(similarity("ukriane", "ukraine"), 2)
    (1.0, 0.86)
    >>> similarity("witkoff", "steve witkoff")
    0.9
    """
    if query == name:
        return 1.0
    chars = SequenceMatcher(None, query, name, autojunk=False).ratio()
    q_tokens, n_tokens = set(query.split()), set(name.split())
    tokens = len(q_tokens & n_tokens) / len(q_tokens | n_tokens) if q_tokens and n_tokens else 0.0
    contained = 0.9 if q_tokens < n_tokens and all(len(t) >= 4 for t in q_tokens) else 0.0
    # The whole name inside a longer query ("United Nations Organisation"): likely, less sure.
    contains = 0.8 if n_tokens < q_tokens and any(len(t) >= 4 for t in n_tokens) else 0.0
    return max(chars, tokens, contained, contains)


class EntityIndex:
    """Names, types and identifying properties of every entity, indexed for matching.

    Build it with :meth:`build`; it is a snapshot of the store at that time.

    Parameters
    ----------
    entities:
        What to match against.
    names:
        The entity resolver that listed them, which answers ids and exact names
        (:meth:`identify`, :meth:`resolve_value`); by default one that knows only ``entities``.
    """

    def __init__(self, entities: Iterable[IndexedEntity], names: EntityNames | None = None) -> None:
        self.entities: dict[URIRef, IndexedEntity] = {e.iri: e for e in entities}
        if names is None:
            names = EntityNames(states=False)
            for entity in self.entities.values():
                names.add(entity.iri, entity.label, entity.names, entity.types)
        self.names = names
        self._exact: dict[str, set[URIRef]] = defaultdict(set)
        self._label_of: dict[str, set[URIRef]] = defaultdict(set)
        self._names: list[tuple[str, URIRef]] = []
        self._grams: dict[str, list[int]] = defaultdict(list)
        for entity in self.entities.values():
            keys = {normalize_label(n) for n in entity.names} - {""}
            self._label_of[normalize_label(entity.label)].add(entity.iri)
            for key in sorted(keys):
                self._exact[key].add(entity.iri)
                position = len(self._names)
                self._names.append((key, entity.iri))
                for gram in _trigrams(key):
                    self._grams[gram].append(position)

    @classmethod
    def build(cls, store: Store, names: EntityNames | None = None) -> EntityIndex:
        """Read the entities of ``store`` and the states (:func:`known_entities`), then their properties.

        Three queries: names, types, then the :data:`INDEXED_PROPERTIES` of every entity.
        """
        names = names if names is not None else EntityNames()
        found: dict[URIRef, IndexedEntity] = {}
        for entity in known_entities(store, names):
            item = found[entity.iri] = IndexedEntity(entity.iri, entity.label, [entity.label, *entity.aliases],
                                                     set(entity.types))
            for prop, value in ((DT.isoCode, entity.iso_code and Literal(entity.iso_code)),
                                (DT.wikidataId, entity.wikidata and Literal(entity.wikidata)),
                                (OWL.sameAs, entity.wikidata and WD[entity.wikidata])):
                if value:
                    item.values[prop].add(value)
        values = " ".join(f"<{p}>" for p in INDEXED_PROPERTIES)
        rows = store.query(f"SELECT ?e ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?e ?p ?o }}").rows
        for e, p, o in rows:  # ?e ?p ?o are bound in every row: IRIs, and the object any term
            indexed = found.get(cast(URIRef, e))
            if indexed is None or o is None:
                continue
            if p == RDF.type:
                indexed.types.add(cast(URIRef, o))
            else:
                indexed.values[cast(URIRef, p)].add(o)
        return cls(found.values(), names)

    # -- lookups ------------------------------------------------------------
    def get(self, iri: URIRef) -> IndexedEntity | None:
        return self.entities.get(iri)

    def identify(self, ref: str) -> URIRef | None:
        """The entity a reconciliation id (``state/UKR``), a CURIE (``state:UKR``) or an IRI names; else None.

        The rule is the resolver's (:meth:`detente.graph.entities.EntityNames.identifier`).
        """
        return self.names.identifier(ref)

    def resolve_value(self, value: object) -> set[URIRef]:
        """Entities a property value may name: an id, CURIE or IRI, ``{"id": …}``, a Wikidata id, or an exact name."""
        if isinstance(value, Mapping):
            ref = value.get("id")
            text = str(ref) if ref is not None else str(value.get("name") or "")
        else:
            text = str(value)
        iri = self.names.identifier(text)
        if iri is not None:
            return {iri}
        if is_wikidata_item(text.strip()):
            return {WD[text.strip()]}
        return set(self.names.candidates(text))

    def description(self, entity: IndexedEntity) -> str:
        """A short description: the most specific type, the country or whom it represents, the Wikidata id."""
        from detente.graph.projections import most_specific_type

        parts = [most_specific_type([t for t in entity.types if str(t).startswith(str(DT))])]
        for prop, word in ((DT.represents, "representing"), (DT.country, "in")):
            for target in sorted(entity.values.get(prop, ())):
                other = self.entities.get(target)  # type: ignore[arg-type]
                parts.append(f"{word} {other.label if other else entity_id(str(target))}")
        for qid in sorted(entity.values.get(DT.wikidataId, ())):
            parts.append(str(qid))
        return ", ".join(parts)

    def _type_ok(self, entity: IndexedEntity, query: MatchQuery) -> bool:
        if not query.types:
            return True
        hits = [bool(entity.types & _type_closure(t)) for t in query.types]
        return all(hits) if query.type_strict == "all" else any(hits)

    def _candidate_names(self, key: str, limit: int = 40) -> dict[URIRef, tuple[float, str]]:
        """Entities with a name like ``key``: best similarity and that name."""
        out: dict[URIRef, tuple[float, str]] = {}
        for iri in self._exact.get(key, ()):
            out[iri] = (1.0, key)
        if len(key) <= 3:
            return out  # codes and initials match exactly or not at all
        grams = _trigrams(key)
        counts: dict[int, int] = defaultdict(int)
        for gram in grams:
            for position in self._grams.get(gram, ()):
                counts[position] += 1
        # By the Dice coefficient of the trigram sets, best first.
        ranked = sorted(counts.items(),
                        key=lambda kv: -2 * kv[1] / (len(grams) + len(_trigrams(self._names[kv[0]][0]))))
        for position, _count in ranked[:limit]:
            name, iri = self._names[position]
            if len(name) <= 3:
                continue
            score = similarity(key, name)
            if score > out.get(iri, (0.0, ""))[0]:
                out[iri] = (score, name)
        return out

    def _constraint(self, entity: IndexedEntity, constraint: PropertyConstraint,
                    extra: Mapping[tuple[URIRef, URIRef], set[Term]]) -> bool | None:
        """True when the entity has an accepted value, False when it has only others, None when it has none."""
        have = set(entity.values.get(constraint.prop, set())) | extra.get((entity.iri, constraint.prop), set())
        if not have:
            return None
        for wanted in constraint.values:
            names = self.resolve_value(wanted)
            text = normalize_label(str(wanted.get("id") or wanted.get("name") or "") if isinstance(wanted, Mapping)
                                   else str(wanted))
            for value in have:
                if isinstance(value, URIRef) and value in names:
                    return True
                if isinstance(value, Literal) and normalize_label(str(value)) == text:
                    return True
        return False

    def match(self, queries: Sequence[MatchQuery], store: Store | None = None) -> list[list[Scored]]:
        """Candidates for each query, best first (scores 0..100).

        ``store`` answers constraints on properties the index does not hold,
        in one query for the whole batch.
        """
        pools: list[dict[URIRef, tuple[float, str]]] = []
        for query in queries:
            key = normalize_label(query.text)
            if key:
                pools.append(self._candidate_names(key))
            else:
                pools.append(dict.fromkeys(self._by_constraints(query), (0.0, "")))
        extra = self._extra_values(store, queries, pools)
        return [self._rank(query, pool, extra) for query, pool in zip(queries, pools, strict=True)]

    def _by_constraints(self, query: MatchQuery) -> set[URIRef]:
        found: set[URIRef] | None = None
        for constraint in query.properties:
            wanted = set()
            for value in constraint.values:
                wanted |= self.resolve_value(value)
            texts = {normalize_label(str(v)) for v in constraint.values if not isinstance(v, Mapping)}
            hits = {e.iri for e in self.entities.values()
                    if any((isinstance(v, URIRef) and v in wanted) or
                           (isinstance(v, Literal) and normalize_label(str(v)) in texts)
                           for v in e.values.get(constraint.prop, ()))}
            found = hits if found is None else found & hits
        return found or set()

    def _extra_values(self, store: Store | None, queries: Sequence[MatchQuery],
                      pools: Sequence[Mapping[URIRef, object]]) -> dict[tuple[URIRef, URIRef], set[Term]]:
        props = {c.prop for q in queries for c in q.properties} - set(INDEXED_PROPERTIES)
        iris = {iri for pool in pools for iri in pool}
        out: dict[tuple[URIRef, URIRef], set[Term]] = defaultdict(set)
        if store is None or not props or not iris:
            return out
        from detente.graph.sparql_text import sparql_term

        try:
            entities = " ".join(sparql_term(i) for i in sorted(iris))
            properties = " ".join(sparql_term(p) for p in sorted(props))
        except ValueError:
            return out  # a property id that makes no IRI: no entity has values for it
        rows = store.query(f"SELECT ?e ?p ?o WHERE {{ VALUES ?e {{ {entities} }} VALUES ?p {{ {properties} }} "
                           "?e ?p ?o }").rows
        for e, p, o in rows:
            if o is not None:
                out[(e, p)].add(o)  # type: ignore[index]
        return out

    def _rank(self, query: MatchQuery, pool: Mapping[URIRef, tuple[float, str]],
              extra: Mapping[tuple[URIRef, URIRef], set[Term]]) -> list[Scored]:
        key = normalize_label(query.text)
        scored: list[Scored] = []
        for iri, (sim, _name) in pool.items():
            entity = self.entities.get(iri)
            if entity is None:
                continue
            type_ok = self._type_ok(entity, query)
            if not type_ok and query.type_strict != "should":
                continue
            exact = sim == 1.0
            if not key:
                score = 0.0
            elif exact:
                score = EXACT_LABEL if iri in self._label_of.get(key, ()) else EXACT_ALIAS
            else:
                score = min(FUZZY_CAP, round(100 * sim * 0.9, 1))
            features: dict[str, float | bool] = {"name_similarity": round(sim, 4), "exact_name": exact,
                                                 "type_match": type_ok}
            contradicted = False
            satisfied = 0
            for number, constraint in enumerate(query.properties):
                verdict = self._constraint(entity, constraint, extra)
                features[f"property_{number}_{property_id(constraint.prop)}"] = verdict is True
                if verdict is True:
                    satisfied += 1
                elif verdict is False:
                    contradicted = True
            if not key:
                if satisfied != len(query.properties):
                    continue
                score = 100.0
            score += PROPERTY_BONUS * satisfied if key else 0.0
            score -= CONTRADICTION_PENALTY if contradicted else 0.0
            score -= 0.0 if type_ok else TYPE_PENALTY
            score = max(0.0, min(100.0, score))
            scored.append(Scored(iri, entity.label, round(score, 2), False, sorted(entity.types),
                                 self.description(entity),
                                 features | {"contradicted": contradicted}))
        scored.sort(key=lambda c: (-c.score, c.name, str(c.iri)))
        self._decide(query, scored)
        return scored[:max(1, query.limit)]

    @staticmethod
    def _decide(query: MatchQuery, scored: list[Scored]) -> None:
        """Set ``match`` on the one candidate that is certain, if any (see the module docstring)."""
        eligible = [c for c in scored if c.features["type_match"] and not c.features["contradicted"]]
        if normalize_label(query.text):
            exact = [c for c in eligible if c.features["exact_name"]]
            if len(exact) == 1 and scored and scored[0] is exact[0]:
                exact[0].match = True
            return
        identifying = any(c.prop in IDENTIFYING_PROPERTIES for c in query.properties)
        if identifying and len(eligible) == 1 and scored and scored[0] is eligible[0]:
            eligible[0].match = True

    # -- suggest ----------------------------------------------------------------
    def suggest(self, prefix: str, types: Sequence[URIRef] = (), limit: int = 10,
                cursor: int = 0) -> list[tuple[IndexedEntity, str]]:
        """Entities with a name starting with (then containing) ``prefix``: (entity, the name that matched)."""
        key = normalize_label(prefix)
        if not key:
            return []
        query = MatchQuery(prefix, tuple(types))
        ranked: dict[URIRef, tuple[int, int, str]] = {}
        for name, iri in self._names:
            if name.startswith(key):
                rank = 0 if name == key else 1
            elif f" {key}" in f" {name}":
                rank = 2
            else:
                continue
            best = ranked.get(iri)
            candidate = (rank, len(name), name)
            if best is None or candidate < best:
                ranked[iri] = candidate
        hits = [(self.entities[i], r) for i, r in ranked.items() if self._type_ok(self.entities[i], query)]
        hits.sort(key=lambda h: (h[1][0], h[0].label.lower() != h[1][2], len(h[0].label), h[0].label))
        return [(entity, rank[2]) for entity, rank in hits[cursor:cursor + limit]]


def reconciliation_types() -> list[URIRef]:
    """Every class a query may name: the default types and their subclasses, ontology order by label."""
    from detente.ontology.schema import labels

    found: set[URIRef] = set()
    for cls in DEFAULT_TYPES:
        found |= _type_closure(cls)
    names = labels()
    return sorted(found, key=lambda c: names.get(c, type_id(c)).lower())


def reconciliation_properties() -> list[URIRef]:
    """Properties a query may constrain: the ontology's own plus labels, aliases and ``owl:sameAs``.

    The summary's properties are left out: entities do not have them in the data.
    """
    from detente.graph.summary import SUMMARY_PROPERTIES
    from detente.ontology.schema import datatype_properties, object_properties

    own = {p for p in set(datatype_properties()) | object_properties()
           if str(p).startswith(str(DT)) and p not in SUMMARY_PROPERTIES}
    return [*sorted(own), RDFS.label, SKOS.altLabel, OWL.sameAs]


__all__ = ["DEFAULT_TYPES", "EntityIndex", "IndexedEntity", "MatchQuery", "PropertyConstraint", "Scored",
           "entity_id", "known_entities", "property_id", "property_iri", "reconciliation_properties",
           "reconciliation_types", "similarity", "type_id", "type_iri"]
