"""The one entity resolver: from what a user writes to the IRI of an entity.

Loaders, analyses, the HTTP routes and the command line all resolve names
here, so ``'united  states'`` means the same entity whichever face is asked.
A reference is, in this order:

1. an IRI (``https://…``, ``urn:…``, or written ``<…>``);
2. a CURIE with a project prefix (``state:UKR``, ``dt:Talks``);
3. a path under the data base, as the HTTP routes write it (``state/UKR``): under one of
   the project's segments (``state``, ``person``, ``event``…), or naming a known entity;
4. a name: a label or alias of an ISO 3166 state (with its codes and the
   usages in :data:`STATE_ALIASES`) or of an entity of the store (its entity
   graph and the facts view), compared after :func:`normalize_label` folds
   case, accents, dots, apostrophes, hyphens and repeated spaces.

When several entities share a name, one rule decides (:meth:`EntityNames.lookup`):
the entity whose own label it is, else the one actor among them; otherwise the
reference is ambiguous and the error names every candidate.

This is the only module that imports pycountry, and the one that reads the
states' Wikidata items (:func:`state_wikidata`, from ``graph/data/wikidata_states.csv``).
:meth:`EntityNames.entities` lists what the resolver knows, for whoever must
match names against every entity (OpenRefine reconciliation, :mod:`detente.loaders.matching`).
Minting new entities and writing their descriptions (with their Wikidata links
and the link claims) is the loaders' business (:mod:`detente.loaders.registry`).

>>> names = EntityNames()
>>> names.resolve("united  states") == names.resolve("U.S.") == names.resolve("state/USA") == names.resolve("USA")
True
>>> str(names.resolve("state:UKR"))
'https://w3id.org/detente/id/state/UKR'
>>> names.resolve("Atlantis")
Traceback (most recent call last):
...
detente.errors.UnknownEntityError: unknown entity 'Atlantis': no entity has this IRI, CURIE, path, code, label or alias
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry
from rdflib import Literal, URIRef

from detente.errors import AmbiguousEntityError, UnknownEntityError
from detente.graph.store import Store, select_rows
from detente.graph.terms import Term, curie, is_iri_text
from detente.ontology.vocab import (
    DEFAULT_BASE,
    DT,
    DTR,
    ENTITIES_GRAPH,
    FACTS_GRAPH,
    PREFIXES,
    TYPE_SEGMENTS,
    expand_curie,
)

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
    "MMR": ["Myanmar", "Burma"],
    "VAT": ["Holy See", "Vatican", "Vatican City", "the Holy See"],
}

#: States pycountry lacks (no ISO 3166-1 code): code in common use → (label, aliases). Their Wikidata
#: item is not in the bundled table (it lists ISO codes), so they carry none rather than an unsourced one.
EXTRA_STATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "XKX": ("Kosovo", ("Republic of Kosovo",)),  # XKX: user-assigned, used by the EU and the IMF
}

#: The graphs whose labels and aliases name entities: the entity graph and the facts view.
NAME_GRAPHS: tuple[URIRef, ...] = (ENTITIES_GRAPH, FACTS_GRAPH)
#: The names of the store's entities, one row ``(entity, label, alias)`` per name (read over :data:`NAME_GRAPHS`).

NAMES_QUERY = "SELECT ?e ?label ?alias WHERE { { ?e rdfs:label ?label } UNION { ?e skos:altLabel ?alias } }"
_TYPES_QUERY = "SELECT DISTINCT ?e ?t WHERE { ?e a ?t ; rdfs:label ?name }"
_IRI_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*://", re.I)
_PATH_SEGMENT = re.compile(r"[a-z][a-z0-9_\-]*")
# Path segments of entity IRIs under the data base (state/UKR, person/…), as the HTTP routes write them.
_PATH_SEGMENTS = frozenset({ns[len(DEFAULT_BASE):-1] for ns in PREFIXES.values()
                            if ns.startswith(DEFAULT_BASE) and ns != DEFAULT_BASE} | set(TYPE_SEGMENTS.values())
                           | {"entity"})


def normalize_label(text: str) -> str:
    """Fold case, accents, dots, apostrophes, hyphens and spacing so that variants of a name meet.

    >>> normalize_label(" U.S. ") == normalize_label("US")
    True
    >>> normalize_label("Türkiye"), normalize_label("Black-Sea  grain_initiative")
    ('turkiye', 'black sea grain initiative')
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    folded = folded.replace(".", "").replace("'", "").replace("\u2019", "")
    return re.sub(r"[\s\-_]+", " ", folded).strip()


#: ISO 3166-1 alpha-3 code → Wikidata item, one row a state (origin and licence in ``graph/data/README.md``).
WIKIDATA_STATES_TABLE = Path(__file__).resolve().parent / "data" / "wikidata_states.csv"
_QID = re.compile(r"Q[1-9][0-9]*")


def is_wikidata_item(text: str) -> bool:
    """Whether ``text`` is a Wikidata item id (``Q212``; no leading zero).

    >>> is_wikidata_item("Q212"), is_wikidata_item("Q0212"), is_wikidata_item("P17")
    (True, False, False)
    """
    return _QID.fullmatch(text) is not None


@lru_cache(maxsize=1)
def state_wikidata() -> dict[str, str]:
    """ISO 3166-1 alpha-3 code → Wikidata item id, from the bundled table.

    >>> state_wikidata()["UKR"]
    'Q212'

    Raises ValueError naming the line when the table holds a malformed row.
    """
    out: dict[str, str] = {}
    with WIKIDATA_STATES_TABLE.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            code, qid = (row.get("iso3") or "").strip(), (row.get("wikidata") or "").strip()
            if not re.fullmatch(r"[A-Z]{3}", code) or not is_wikidata_item(qid) or code in out:
                raise ValueError(f"{WIKIDATA_STATES_TABLE}:{reader.line_num}: bad row {row!r}")
            out[code] = qid
    return out


@dataclass(frozen=True)
class KnownEntity:
    """An entity the resolver knows without any store: its IRI, class, names, ISO code and Wikidata item."""

    iri: URIRef
    type: URIRef
    label: str
    aliases: tuple[str, ...] = ()
    iso_code: str | None = None
    wikidata: str | None = None


@dataclass(frozen=True)
class NamedEntity:
    """What the resolver knows of one entity (:meth:`EntityNames.entities`).

    Attributes
    ----------
    iri: the entity.
    label: its display label (the store's English or untagged label, else the state's).
    aliases: its other names as written (labels in other languages, aliases, codes), sorted.
    types: its classes.
    iso_code, wikidata: for an ISO 3166 state, its alpha-3 code and Wikidata item.
    """

    iri: URIRef
    label: str
    aliases: tuple[str, ...]
    types: frozenset[URIRef]
    iso_code: str | None = None
    wikidata: str | None = None


@lru_cache(maxsize=1)
def known_states() -> tuple[KnownEntity, ...]:
    """Every ISO 3166-1 state: ``dtr:state/ISO3`` with its names, codes and Wikidata item.

    Names and codes come from pycountry and :data:`STATE_ALIASES`, the item from :func:`state_wikidata`;
    :data:`EXTRA_STATES` adds the states without an ISO code (Kosovo).

    >>> ukraine = next(s for s in known_states() if s.iso_code == "UKR")
    >>> ukraine.label, "UA" in ukraine.aliases, ukraine.wikidata
    ('Ukraine', True, 'Q212')
    """
    items = state_wikidata()
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
        out.append(KnownEntity(DTR[f"state/{code}"], DT.State, label, tuple(sorted(aliases - {label})), code,
                               items.get(code)))
    for code, (label, extra_aliases) in EXTRA_STATES.items():
        out.append(KnownEntity(DTR[f"state/{code}"], DT.State, label, tuple(sorted({code, *extra_aliases})), code))
    return tuple(out)


@lru_cache(maxsize=1)
def actor_types() -> frozenset[URIRef]:
    """``dt:Actor`` and its subclasses, from the ontology."""
    from detente.ontology.schema import subclasses

    return frozenset(subclasses(DT.Actor) | {DT.Actor})


class _NameTable:
    """Normalised name → {entity: whether the name is one of its labels}; entity → types, keys, names as written."""

    __slots__ = ("keys", "names", "spelled", "types")

    def __init__(self) -> None:
        self.names: dict[str, dict[URIRef, bool]] = {}
        self.types: dict[URIRef, set[URIRef]] = {}
        self.keys: dict[URIRef, set[str]] = {}
        self.spelled: dict[URIRef, set[str]] = {}

    def add(self, iri: URIRef, name: str, is_label: bool) -> None:
        key = normalize_label(name)
        if not key:
            return
        found = self.names.setdefault(key, {})
        found[iri] = found.get(iri, False) or is_label
        self.keys.setdefault(iri, set()).add(key)
        self.spelled.setdefault(iri, set()).add(name.strip())

    def forget(self, iri: URIRef) -> None:
        for key in self.keys.pop(iri, ()):
            found = self.names.get(key)
            if found is not None:
                found.pop(iri, None)
                if not found:
                    del self.names[key]
        self.types.pop(iri, None)
        self.spelled.pop(iri, None)


@lru_cache(maxsize=1)
def _state_table() -> _NameTable:
    table = _NameTable()
    for state in known_states():
        table.add(state.iri, state.label, True)
        for alias in state.aliases:
            table.add(state.iri, alias, False)
        table.types[state.iri] = {state.type}
    return table


_ANSWERS_LIMIT = 100_000  # references remembered by EntityNames.lookup (a file's subjects keep coming)


def _unwrapped(ref: str) -> str:
    """A reference without surrounding spaces and ``<…>``."""
    text = ref.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    return text


class EntityNames:
    """Resolve entity references (see the module docstring) against known states and a store's entities.

    Parameters
    ----------
    states:
        Know the ISO 3166-1 states (:func:`known_states`) without any store.

    Attributes
    ----------
    labels:
        One display label per entity named by the store (English or untagged
        labels win over other languages); states known only from ISO 3166 are not in it.
    """

    def __init__(self, *, states: bool = True) -> None:
        self._base = _state_table() if states else None
        self._own = _NameTable()
        self.labels: dict[URIRef, str] = {}
        self._label_language: dict[URIRef, str | None] = {}
        #: Counts the changes to what is known (names, types): a cache of resolved names is valid while it stays.
        self.generation = 0
        # lookup() answers by reference, each with the generation it holds for (files repeat the same names).
        self._answers: dict[str, tuple[int, URIRef | None]] = {}

    @classmethod
    def from_store(cls, store: Store, *, states: bool = True) -> EntityNames:
        """The resolver over the known states and the entities of ``store`` (two queries)."""
        names = cls(states=states)
        names.add_store(store)
        return names

    # -- learning names ------------------------------------------------------
    def add(self, iri: URIRef, label: str | None = None, aliases: Iterable[str] = (),
            types: Iterable[URIRef] = ()) -> None:
        """Teach a label, aliases and types of one entity (adding to what is known of it)."""
        self.generation += 1
        if label is not None:
            self._own.add(iri, label, True)
            self.labels.setdefault(iri, label)
        for alias in aliases:
            self._own.add(iri, alias, False)
        if types:
            self._own.types.setdefault(iri, set()).update(types)

    def forget(self, iri: URIRef) -> None:
        """Forget what :meth:`add` taught about an entity (before describing it anew)."""
        self.generation += 1
        self._own.forget(iri)
        self.labels.pop(iri, None)
        self._label_language.pop(iri, None)

    def add_store(self, store: Store) -> None:
        """Learn the labels, aliases and types of the store's entities (entity graph and facts view)."""
        types: dict[URIRef, set[URIRef]] = {}
        for entity, cls in select_rows(store, _TYPES_QUERY, default_graphs=NAME_GRAPHS):
            if isinstance(entity, URIRef) and isinstance(cls, URIRef):
                types.setdefault(entity, set()).add(cls)
        self.add_rows(select_rows(store, NAMES_QUERY, default_graphs=NAME_GRAPHS), types)

    def add_rows(self, rows: Iterable[tuple[Term | None, ...]], types: Mapping[URIRef, Iterable[URIRef]]) -> None:
        """Learn names from rows ``(entity, label, alias)`` (as :data:`NAMES_QUERY` gives them) and types."""
        self.generation += 1
        for entity, label, alias in rows:
            if not isinstance(entity, URIRef):
                continue
            if label is not None:
                self._own.add(entity, str(label), True)
                # One display label per entity: English (or untagged) wins over other languages.
                language = label.language if isinstance(label, Literal) else None
                if entity not in self.labels or (language in (None, "en")
                                                 and self._label_language.get(entity) not in (None, "en")):
                    self.labels[entity] = str(label)
                    self._label_language[entity] = language
            elif alias is not None:
                self._own.add(entity, str(alias), False)
        for entity, classes in types.items():
            self._own.types.setdefault(entity, set()).update(classes)

    # -- resolving -------------------------------------------------------------
    def lookup(self, ref: str, *, within: Collection[URIRef] | None = None) -> URIRef | None:
        """The entity a reference names, or None when nothing has that name.

        Parameters
        ----------
        within:
            Only these entities may answer a name (an IRI, CURIE or path is taken as given).

        Raises
        ------
        AmbiguousEntityError
            Several entities share the name and the rule cannot choose (see the module docstring).

        >>> EntityNames().lookup("Atlantis") is None
        True
        """
        if within is not None or type(ref) is not str:
            return self._lookup(ref, within)
        generation = self.generation
        answer = self._answers.get(ref)
        if answer is not None and answer[0] == generation:
            return answer[1]
        found = self._lookup(ref, None)  # an ambiguous name raises, and is not remembered
        # Kept with the generation it was found in, unless names were learnt meanwhile (another thread: learning
        # counts the generation up before it changes anything).
        if self.generation == generation:
            if len(self._answers) >= _ANSWERS_LIMIT:
                self._answers.clear()
            self._answers[ref] = (generation, found)
        return found

    def _lookup(self, ref: str, within: Collection[URIRef] | None) -> URIRef | None:
        """:meth:`lookup` itself (not remembered)."""
        found = self.identifier(ref)
        if found is not None:
            return found
        text = _unwrapped(ref)
        if not text or self._direct(text) is not None:  # nothing, or an IRI or CURIE that makes no valid IRI
            return None
        candidates = self._candidates(normalize_label(text))
        if within is not None:
            candidates = {iri: own for iri, own in candidates.items() if iri in within}
        if not candidates:
            return None
        return self._choose(text, candidates)

    def identifier(self, ref: str) -> URIRef | None:
        """The entity an IRI, a CURIE or a path spells (steps 1 to 3 above), or None: no name is looked up.

        >>> names = EntityNames(states=False)
        >>> str(names.identifier("state/UKR")), str(names.identifier("state:UKR")), names.identifier("Ukraine")
        ('https://w3id.org/detente/id/state/UKR', 'https://w3id.org/detente/id/state/UKR', None)
        """
        text = _unwrapped(ref)
        if not text:
            return None
        direct = self._direct(text)
        if direct is not None:
            return direct if is_iri_text(direct) else None
        return self._path(text)

    @staticmethod
    def spells_iri(ref: str) -> bool:
        """Whether :meth:`lookup` answers ``ref`` by its spelling alone (an IRI or CURIE), whatever names are known.

        >>> EntityNames.spells_iri("state:UKR"), EntityNames.spells_iri("Ukraine"), EntityNames.spells_iri("state/UKR")
        (True, False, False)
        """
        text = _unwrapped(ref)
        direct = EntityNames._direct(text) if text else None
        return direct is not None and is_iri_text(direct)

    def resolve(self, ref: str, *, within: Collection[URIRef] | None = None) -> URIRef:
        """Like :meth:`lookup`, but an unknown reference raises :class:`~detente.errors.UnknownEntityError`."""
        found = self.lookup(ref, within=within)
        if found is None:
            if not ref.strip():
                raise UnknownEntityError("an empty entity reference names nothing")
            raise UnknownEntityError(f"unknown entity {ref.strip()!r}: no entity has this IRI, CURIE, path, code, "
                                     "label or alias")
        return found

    def candidates(self, name: str) -> list[URIRef]:
        """Every entity with this name (after normalisation), sorted.

        >>> [str(c) for c in EntityNames().candidates("ukraine")]
        ['https://w3id.org/detente/id/state/UKR']
        """
        return sorted(self._candidates(normalize_label(name)))

    def entities(self) -> list[NamedEntity]:
        """Every entity the resolver knows: the states (if known) and every entity it was taught, by IRI.

        >>> ukraine = next(e for e in EntityNames().entities() if e.iso_code == "UKR")
        >>> ukraine.label, ukraine.wikidata, "UA" in ukraine.aliases, [str(t) for t in ukraine.types]
        ('Ukraine', 'Q212', True, ['https://w3id.org/detente/ontology#State'])
        """
        states = {state.iri: state for state in known_states()} if self._base is not None else {}
        out = []
        for iri in sorted(set(states) | set(self._own.spelled)):
            state = states.get(iri)
            spelled = set(self._own.spelled.get(iri, ()))
            if state is not None:
                spelled |= {state.label, *state.aliases}
            label = self.labels.get(iri) or (state.label if state is not None else min(spelled))
            out.append(NamedEntity(iri, label, tuple(sorted(spelled - {label})), frozenset(self.types(iri)),
                                   state.iso_code if state is not None else None,
                                   state.wikidata if state is not None else None))
        return out

    def types(self, iri: URIRef) -> set[URIRef]:
        """The classes known of an entity."""
        found = set(self._own.types.get(iri, ()))
        if self._base is not None:
            found |= self._base.types.get(iri, set())
        return found

    @staticmethod
    def _direct(text: str) -> URIRef | None:
        """The IRI that an IRI or CURIE spells, or None."""
        if _IRI_SCHEME.match(text) or text.startswith("urn:"):
            return URIRef(text)
        expanded = expand_curie(text)
        if expanded is not None:
            return URIRef(expanded)
        return None

    def _path(self, text: str) -> URIRef | None:
        """The entity a path under the data base names (``state/UKR``), or None for a name.

        A path under one of the project's own segments is taken as given; under
        another segment only when an entity of that IRI is known (a name may hold a slash).
        """
        segment, slash, rest = text.partition("/")
        if not (slash and rest and _PATH_SEGMENT.fullmatch(segment) and is_iri_text(text)):
            return None
        iri = URIRef(DEFAULT_BASE + text)
        if segment in _PATH_SEGMENTS or iri in self._own.keys or (self._base is not None and iri in self._base.keys):
            return iri
        return None

    def _candidates(self, key: str) -> dict[URIRef, bool]:
        found = dict(self._base.names.get(key, {})) if self._base is not None else {}
        for iri, own in self._own.names.get(key, {}).items():
            found[iri] = found.get(iri, False) or own
        return found

    def _choose(self, text: str, candidates: Mapping[URIRef, bool]) -> URIRef:
        """The one rule for a name several entities share: its own label's entity, else the one actor."""
        if len(candidates) == 1:
            return next(iter(candidates))
        labelled = [iri for iri, is_label in candidates.items() if is_label]
        if len(labelled) == 1:
            return labelled[0]
        pool = labelled or list(candidates)
        actors = [iri for iri in pool if self.types(iri) & actor_types()]
        if len(actors) == 1:
            return actors[0]
        names = tuple(sorted(curie(str(iri)) for iri in candidates))
        raise AmbiguousEntityError(f"entity {text!r} is ambiguous: {', '.join(names)}; give one by its CURIE or IRI",
                                   names)


__all__ = ["EntityNames", "KnownEntity", "NamedEntity", "NAMES_QUERY", "NAME_GRAPHS", "STATE_ALIASES",
           "WIKIDATA_STATES_TABLE", "actor_types", "is_wikidata_item", "known_states", "normalize_label",
           "state_wikidata"]
