"""Store work done for HTTP requests, run inside query workers (see :mod:`detente.api.pool`).

Every task is a module-level function ``task(store, …)`` that returns plain,
picklable data. Tasks fail with :mod:`detente.errors` classes, which reach the
client with their own status: :class:`~detente.errors.NotFoundError` for a
thing that does not exist, :class:`~detente.errors.UsageError` for a bad
parameter, :class:`~detente.errors.NotAcceptableError` when no requested
format fits. Any other exception is a bug (HTTP 500).

>>> from detente.graph.store import open_store
>>> store = open_store("memory:")
>>> sparql_query(store, "ASK { ?s ?p ?o }", "json", "turtle")[0]
'application/sparql-results+json'
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from detente.api import sandbox
from detente.api.sparql_guard import inspect_query, inspect_update, scan_outbound
from detente.errors import AmbiguousEntityError, NotAcceptableError, NotFoundError, ResultTooLargeError, UsageError
from detente.graph.claims import ClaimRecord, claims_for, get_claim, provenance, resolve_claim_ref
from detente.graph.entities import EntityNames
from detente.graph.store import Store
from detente.graph.terms import Term, is_absolute_iri, is_iri_text, local_path
from detente.ontology.vocab import DEFAULT_BASE, ENTITIES_GRAPH

__all__ = ["QUERY_BASE_IRI", "GENID_PREFIX", "sparql_query", "sparql_update", "load_spool", "restore_spool",
           "claim_record", "provenance_report", "entity_description", "entity_rdf", "resolve_entity_ref",
           "search_entities", "conflict_listing", "page_params", "run_analysis", "run_export", "is_iri", "local_path"]


def is_iri(text: str) -> bool:
    """True for an absolute IRI (scheme, colon, no spaces or angle brackets): the rule of the graph layer.

    >>> is_iri("https://w3id.org/detente/id/state/UKR"), is_iri("not an iri"), is_iri("state:UKR")
    (True, False, True)
    """
    return is_absolute_iri(text)


# -- SPARQL ------------------------------------------------------------------

#: The base IRI against which the endpoint resolves a query's relative IRIs when it has no ``BASE``:
#: the data namespace, so ``<state/UKR>`` is ``dtr:state/UKR``.
QUERY_BASE_IRI = DEFAULT_BASE
#: Blank nodes in the endpoint's results become IRIs under this prefix (RDF 1.1 §3.5 skolem IRIs).
GENID_PREFIX = DEFAULT_BASE + ".well-known/genid/"


def sparql_query(store: Store, query: str, solutions_format: str | None, graph_format: str | None,
                 default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
                 max_rows: int | None = None, max_bytes: int | None = None) -> tuple[str, bytes, str, str]:
    r"""Run a query for the protocol endpoint: ``(media type, body, kind, cut)``.

    ``solutions_format`` serves SELECT/ASK and ``graph_format`` CONSTRUCT/DESCRIBE
    (short names from :data:`detente.graph.store.RESULT_FORMATS`); None means
    the client accepts no format for that kind of result. The dataset comes
    from the protocol's graph parameters, else from the query's ``FROM``
    clauses, else the store's default dataset. Relative IRIs resolve against
    :data:`QUERY_BASE_IRI`; blank nodes come back as IRIs under :data:`GENID_PREFIX`;
    past ``max_rows``, or past ``max_bytes`` of body, the first rows that fit come back, with ``cut`` the cap
    that cut them (``"max-rows"`` or ``"max-bytes"``; else "").

    >>> from detente.graph.store import open_store
    >>> store = open_store("memory:")
    >>> store.add_nquads('_:x <https://w3id.org/detente/id/p> "1" .\n')
    >>> media, body, kind, cut = sparql_query(store, "SELECT ?s WHERE { ?s <p> ?o }", "csv", None)
    >>> body.decode().split()[1].startswith(GENID_PREFIX), cut
    (True, '')
    """
    form = inspect_query(query).form  # a hint for the order of the formats tried: the engine's result decides
    _refuse_outbound_unless_sandboxed(query)
    defaults: list[URIRef] | None = None
    named: list[URIRef] | None = None
    if default_graphs is not None or named_graphs is not None:
        defaults = [URIRef(g) for g in default_graphs or ()]
        named = [URIRef(g) for g in named_graphs or ()]
    # Else the query's FROM clauses, which the engine reads, or the store's default dataset (Store.query).
    candidates = [f for f in (solutions_format, graph_format) if f is not None]
    if not candidates:
        raise NotAcceptableError("the Accept header allows no result format this endpoint offers")
    if form == "graph":
        candidates.reverse()
    for position, fmt in enumerate(candidates):
        try:
            result = store.query_serialized(query, fmt, default_graphs=defaults, named_graphs=named,
                                            max_rows=max_rows, truncate=True, base_iri=QUERY_BASE_IRI,
                                            skolem_prefix=GENID_PREFIX, max_bytes=max_bytes)
            return result.media_type, result.body, result.kind, result.cut
        except NotAcceptableError as exc:  # the format cannot hold this kind of result: try the next one
            if position == len(candidates) - 1:
                raise NotAcceptableError(f"the Accept header allows no format for this result ({exc})") from None
        except ResultTooLargeError as exc:
            raise ResultTooLargeError(f"{exc} (this server returns at most {max_rows} results, {max_bytes} bytes)"
                                      ) from None
    raise NotAcceptableError("no result format")  # unreachable: candidates is never empty


def sparql_update(store: Store, update: str) -> None:
    """Run a SPARQL Update after refusing ``LOAD`` and ``SERVICE`` (through :mod:`detente.graph.writes`).

    Relative IRIs resolve against :data:`QUERY_BASE_IRI`, as in queries.

    What an update changes is not known in advance, so it costs the summary a
    rebuild, which can take minutes on a big store: longer than a request may.
    The writer applies the update to a copy, marks the summary stale on it and
    commits both together; the rebuild is the writer's next step
    (:func:`detente.api.engine.refresh_summary`), after the client has its answer.
    """
    from detente.graph.writes import sparql_update as write_update

    inspect_update(update)
    _refuse_outbound_unless_sandboxed(update)
    write_update(store, update, refresh=False, base_iri=QUERY_BASE_IRI)  # relative IRIs as /sparql reads them


def load_spool(store: Store, spool: str, claim_iris: list[str], complete: bool = True) -> int:
    """A write task: one file's claim N-Quads (spooled by the server) in one transaction; new claims counted.

    ``complete``: the claims named are every claim graph the text writes (see
    :func:`detente.graph.writes.add_claims_nquads`).
    """
    from pathlib import Path

    from detente.graph.writes import add_claims_nquads

    text = Path(spool).read_text(encoding="utf-8")
    return add_claims_nquads(store, [URIRef(i) for i in claim_iris], text, complete=complete)


def restore_spool(store: Store, spool: str, rdf_format: str, replace: bool) -> int:
    """A write task: a dump (N-Quads or TriG, spooled by the server), replacing everything if asked."""
    from pathlib import Path

    from detente.graph.bootstrap import ensure_ontology
    from detente.graph.writes import restore

    restore(store, Path(spool), rdf_format, replace=replace)
    ensure_ontology(store)
    return store.count_quads()


def _refuse_outbound_unless_sandboxed(text: str) -> None:
    """In a process that can reach the network, refuse SERVICE and LOAD by the conservative scan."""
    if not sandbox.installed():
        scan_outbound(text)


# -- claims and provenance ----------------------------------------------------

def claim_record(store: Store, ref: str) -> ClaimRecord:
    """One claim by digest, ``claim:`` CURIE, IRI, or the user's own key."""
    if not 0 < len(ref) <= 512 or not is_iri_text(ref):  # claim digests and keys: nothing that could end an IRI
        raise NotFoundError(f"no claim {ref!r}")
    iri = resolve_claim_ref(store, ref)  # None when the reference makes no valid IRI or names no claim
    record = get_claim(store, iri) if iri is not None else None
    if record is None:
        raise NotFoundError(f"no claim {ref!r} (give its digest, claim:DIGEST, its IRI, or its key)")
    return record


_NAMES: weakref.WeakKeyDictionary[Store, EntityNames] = weakref.WeakKeyDictionary()


def _names(store: Store) -> EntityNames:
    """The entity resolver over the store, built once per worker and store (workers restart after updates)."""
    names = _NAMES.get(store)
    if names is None:
        names = _NAMES[store] = EntityNames.from_store(store)
    return names


def resolve_entity_ref(store: Store, ref: str) -> URIRef:
    """An entity IRI from an IRI, a CURIE, a path such as ``state/UKR``, or a name (:mod:`detente.graph.entities`).

    An unknown reference raises :class:`~detente.errors.UnknownEntityError` (a NotFoundError: HTTP 404), a
    name several entities share :class:`~detente.errors.AmbiguousEntityError` (a UsageError: HTTP 400).
    """
    return _names(store).resolve(ref)


def provenance_report(store: Store, subject: str, predicate: str | None = None,
                      obj: str | None = None) -> dict[str, object]:
    """Claims supporting ``subject [predicate [object]]`` and claims that disagree, as JSON."""
    from detente.loaders.base import FieldError, object_term, resolve_predicate

    s = resolve_entity_ref(store, subject)
    p: URIRef | None = None
    o: Term | None = None
    if predicate:
        try:
            p = resolve_predicate(predicate)
        except FieldError as exc:
            raise NotFoundError(f"unknown property {predicate!r}: {exc}") from None
        if not is_iri(str(p)):
            raise NotFoundError(f"unknown property {predicate!r}")
    if obj:
        if p is not None:
            try:
                o = object_term(_names(store), p, obj)
            except FieldError as exc:  # a value the property's range does not allow (many prisoners)
                raise UsageError(str(exc)) from None
        else:
            known = _names(store).lookup(obj)
            o = known if known is not None else Literal(obj)
    report = provenance(store, s, p, o).to_json()
    report["conflict"] = bool(report["disagreeing"])
    return report


# -- entities -----------------------------------------------------------------

def _values(store: Store, query: str, iri: URIRef, graphs: Sequence[URIRef] | None = None) -> list[Term]:
    rows = store.query(query, bindings={"e": iri}, default_graphs=graphs).rows
    return [row[1] for row in rows if row[1] is not None]


def _term_json(term: Term) -> object:
    if isinstance(term, Literal):
        out: dict[str, object] = {"value": str(term)}
        if term.language:
            out["lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
        return out
    return str(term)


def entity_description(store: Store, ref: str, claim_limit: int = 100) -> dict[str, object]:
    """An entity: its types, labels, aliases, registry details and the claims about it."""
    return _describe(store, resolve_entity_ref(store, ref), claim_limit)


def entity_rdf(store: Store, ref: str, rdf_format: str) -> bytes:
    """An entity's description from the entity graph, as Turtle (``turtle``) or JSON-LD (``jsonld``).

    It holds its types, labels, aliases, ``owl:sameAs``/``schema:sameAs`` its Wikidata item, country….
    """
    from rdflib import Graph

    from detente.ontology.vocab import PREFIXES

    iri = resolve_entity_ref(store, ref)
    triples = store.query("CONSTRUCT { ?e ?p ?o } WHERE { ?e ?p ?o }", bindings={"e": iri},
                          default_graphs=[ENTITIES_GRAPH]).triples
    if not triples:
        raise NotFoundError(f"no description of {ref!r} (entities are described by the files that declare them)")
    graph = Graph()
    for prefix in ("dt", "state", "person", "organization", "venue", "event", "agreement", "rdfs", "skos", "owl",
                   "schema", "wd"):
        graph.bind(prefix, PREFIXES[prefix], override=True)
    for triple in triples:
        graph.add(triple)
    return graph.serialize(format="json-ld" if rdf_format == "jsonld" else "turtle", encoding="utf-8")


def _describe(store: Store, iri: URIRef, claim_limit: int) -> dict[str, object]:
    types = _values(store, "SELECT DISTINCT ?e ?t WHERE { ?e a ?t } ORDER BY ?t", iri)
    labels = _values(store, "SELECT DISTINCT ?e ?l WHERE { ?e rdfs:label ?l } ORDER BY ?l", iri)
    aliases = _values(store, "SELECT DISTINCT ?e ?l WHERE { ?e skos:altLabel ?l } ORDER BY ?l", iri)
    details: dict[str, list[object]] = {}
    for _e, p, o in store.query("SELECT ?e ?p ?o WHERE { ?e ?p ?o } ORDER BY ?p ?o", bindings={"e": iri},
                                default_graphs=[ENTITIES_GRAPH]).rows:
        if p in (RDF.type, RDFS.label, SKOS.altLabel):
            continue
        details.setdefault(str(p), []).append(_term_json(o))  # type: ignore[arg-type]
    as_subject = claims_for(store, subject=iri, limit=claim_limit)
    as_object = claims_for(store, obj=iri, limit=claim_limit)
    counts = store.query(
        "SELECT ?e (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?c { { ?e ?p ?o } UNION { ?x ?p ?e } } ?c a dt:Claim } "
        "GROUP BY ?e", bindings={"e": iri}).rows
    total = int(counts[0][1]) if counts and counts[0][1] is not None else 0
    if not (types or labels or aliases or details or as_subject or as_object):
        raise NotFoundError(f"nothing is known about {iri}")
    english = [lab for lab in labels if isinstance(lab, Literal) and lab.language in (None, "en")]
    return {
        "iri": str(iri),
        "id": local_path(str(iri)),
        "label": str((english or labels or [iri])[0]),
        "types": [str(t) for t in types],
        "labels": [_term_json(lab) for lab in labels],
        "aliases": sorted({str(a) for a in aliases}),
        "properties": details,
        "claims": {
            "total": total,
            "as_subject": [c.to_json() for c in as_subject],
            "as_object": [c.to_json() for c in as_object],
            "truncated": len(as_subject) >= claim_limit or len(as_object) >= claim_limit,
        },
    }


_SEARCH = """
SELECT ?q ?e ?label (SAMPLE(?type) AS ?t) (MIN(?name) AS ?matched) WHERE {
  ?e rdfs:label ?label .
  { ?e rdfs:label ?name } UNION { ?e skos:altLabel ?name }
  OPTIONAL { ?e a ?type }
  FILTER(CONTAINS(LCASE(STR(?name)), LCASE(STR(?q))))
} GROUP BY ?q ?e ?label ORDER BY STRLEN(STR(?label)) ?label LIMIT %d
"""


def search_entities(store: Store, q: str, limit: int = 20) -> list[dict[str, object]]:
    """Entities of the store whose label or alias contains ``q`` (case-insensitive), exact alias first."""
    text = q.strip()
    if not text:
        return []
    found: dict[str, dict[str, object]] = {}
    try:
        exact = _names(store).lookup(text)
    except AmbiguousEntityError:
        exact = None  # several entities have this name: the search lists them all
    rows = store.query(_SEARCH % max(1, min(int(limit), 200)), bindings={"q": Literal(text)},
                       default_graphs=[ENTITIES_GRAPH]).rows
    if exact is not None:
        exact_rows = store.query("SELECT ?e ?label (SAMPLE(?type) AS ?t) WHERE { ?e rdfs:label ?label "
                                 "OPTIONAL { ?e a ?type } } GROUP BY ?e ?label", bindings={"e": URIRef(str(exact))},
                                 default_graphs=[ENTITIES_GRAPH]).rows
        for e, label, t in exact_rows[:1]:
            found[str(e)] = {"iri": str(e), "id": local_path(str(e)), "label": str(label),
                             "type": None if t is None else str(t), "matched": text}
    for _q, e, label, t, matched in rows:
        found.setdefault(str(e), {"iri": str(e), "id": local_path(str(e)), "label": str(label),
                                  "type": None if t is None else str(t), "matched": str(matched)})
    return list(found.values())[:limit]


# -- analysis and exports (detente.graph.analysis / detente.graph.exports) ------

def conflict_listing(store: Store, limit: int, offset: int) -> dict[str, object]:
    """One page of conflicts with the total (:func:`detente.graph.conflict_listing.conflict_page`)."""
    from detente.graph.conflict_listing import conflict_page

    return conflict_page(store, limit=limit, offset=offset).to_json()


def page_params(params: Mapping[str, object], default: int = 100, maximum: int = 1000) -> tuple[int, int]:
    """``limit`` (1..``maximum``, default ``default``) and ``offset`` (≥ 0) from query parameters.

    >>> page_params({"limit": "5"})
    (5, 0)
    >>> page_params({"offset": "-1"})
    Traceback (most recent call last):
    ...
    detente.errors.ParameterError: offset: must be a whole number from 0, got '-1'
    >>> page_params({"limit": "\u00b2"})
    Traceback (most recent call last):
    ...
    detente.errors.ParameterError: limit: must be a whole number from 1 to 1000, got '²'
    """
    from detente.errors import ParameterError

    def number(name: str, low: int, high: int | None, fallback: int) -> int:
        value = params.get(name)
        if value is None or value == "":
            return fallback
        text = str(value).strip()
        # ASCII digits only (str.isdigit also takes '²', which int() refuses), and at most 18: a 64-bit number.
        if (not (text.isascii() and text.isdigit() and len(text) <= 18) or int(text) < low
                or (high is not None and int(text) > high)):
            bound = f"from {low}" + (f" to {high}" if high is not None else "")
            raise ParameterError(name, f"must be a whole number {bound}, got {value!r}")
        return int(text)

    return number("limit", 1, maximum, default), number("offset", 0, None, 0)


def run_analysis(store: Store, metric: str, params: Mapping[str, object]) -> dict[str, object]:
    """``detente.graph.analysis.run_metric``; an unknown metric is a :class:`~detente.errors.NotFoundError`."""
    from detente.graph.analysis import run_metric

    return run_metric(store, metric, **dict(params))


def run_export(store: Store, fmt: str, filters: Mapping[str, object]) -> tuple[bytes, str, str]:
    """``detente.graph.exports.export_bytes``: ``(body, media type, file suffix)``.

    An unknown format is a :class:`~detente.errors.NotFoundError`.
    """
    from detente.graph.exports import export_bytes, export_format

    suffix = export_format(fmt).suffix
    keyword_filters: dict[str, Any] = dict(filters)  # export_bytes checks each against its parameters
    body, media_type = export_bytes(store, fmt, **keyword_filters)
    return body, media_type, suffix
