"""Store work done for HTTP requests, run inside query workers (see :mod:`detente.api.pool`).

Every task is a module-level function ``task(store, …)`` that returns plain,
picklable data. Tasks raise :class:`~detente.api.pool.NotFound` for a thing
that does not exist, ``ValueError`` for a bad parameter, and
:class:`~detente.api.pool.NotAcceptable` when no requested format fits.

>>> from detente.graph.store import open_store
>>> store = open_store("memory:")
>>> sparql_query(store, "ASK { ?s ?p ?o }", "json", "turtle")[0]
'application/sparql-results+json'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from detente.api.pool import NotAcceptable, NotFound
from detente.api.sparql_guard import inspect_query, inspect_update
from detente.graph.claims import ClaimRecord, claims_for, get_claim, provenance, resolve_claim_ref
from detente.graph.store import QuerySyntaxError, Store
from detente.graph.terms import Term
from detente.ontology.vocab import DTR, ENTITIES_GRAPH

__all__ = ["sparql_query", "sparql_update", "refresh_summary", "claim_record", "provenance_report", "entity_description",
           "resolve_entity_ref", "search_entities", "conflict_listing", "page_params", "run_analysis", "run_export",
           "is_iri", "local_path"]

# An absolute IRI as SPARQL accepts it between < and >.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\s\x00-\x20]*$")
# Claim digests and user keys: nothing that could end an IRI.
_CLAIM_REF = re.compile(r"^[^<>\"{}|^`\\\s\x00-\x20]{1,512}$")


def is_iri(text: str) -> bool:
    """True for an absolute IRI (scheme, colon, no spaces or angle brackets).

    >>> is_iri("https://w3id.org/detente/id/state/UKR"), is_iri("not an iri"), is_iri("state:UKR")
    (True, False, True)
    """
    return bool(_IRI.match(text))


def local_path(iri: str) -> str | None:
    """The part of a detente data IRI after the base, used in this server's URLs.

    >>> local_path("https://w3id.org/detente/id/state/UKR")
    'state/UKR'
    >>> local_path("http://example.org/x") is None
    True
    """
    base = str(DTR)
    return iri[len(base):] if iri.startswith(base) and len(iri) > len(base) else None


# -- SPARQL ------------------------------------------------------------------

def sparql_query(store: Store, query: str, solutions_format: str | None, graph_format: str | None,
                 default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
                 max_rows: int | None = None) -> tuple[str, bytes, str]:
    """Run a query for the protocol endpoint: ``(media type, body, kind)``.

    ``solutions_format`` serves SELECT/ASK and ``graph_format`` CONSTRUCT/DESCRIBE
    (short names from :data:`detente.graph.store.RESULT_FORMATS`); None means
    the client accepts no format for that kind of result. The dataset comes
    from the protocol's graph parameters, else from the query's ``FROM``
    clauses, else the store's default dataset.
    """
    shape = inspect_query(query)
    defaults: list[URIRef] | None = None
    named: list[URIRef] | None = None
    if default_graphs is not None or named_graphs is not None:
        defaults = [URIRef(g) for g in default_graphs or ()]
        named = [URIRef(g) for g in named_graphs or ()]
    elif shape.from_graphs or shape.from_named_graphs:
        # pyoxigraph lets an explicit dataset override FROM, so FROM is turned into one.
        defaults = [URIRef(g) for g in shape.from_graphs]
        named = [URIRef(g) for g in shape.from_named_graphs]
    if shape.form is not None:
        fmt = solutions_format if shape.form in ("select", "ask") else graph_format
        if fmt is None:
            kind = "solutions (SELECT/ASK)" if shape.form in ("select", "ask") else "an RDF graph (CONSTRUCT/DESCRIBE)"
            raise NotAcceptable(f"the query returns {kind}, and the Accept header allows no format for it")
        candidates = [fmt]
    else:
        candidates = [f for f in (solutions_format, graph_format) if f is not None]
        if not candidates:
            raise NotAcceptable("the Accept header allows no result format this endpoint offers")
    for position, fmt in enumerate(candidates):
        try:
            result = store.query_serialized(query, fmt, default_graphs=defaults, named_graphs=named,
                                            max_rows=max_rows)
            return result.media_type, result.body, result.kind
        except QuerySyntaxError:
            raise
        except ValueError as exc:
            if "cannot hold" not in str(exc):
                raise
            if position == len(candidates) - 1:
                raise NotAcceptable(f"the Accept header allows no format for this result ({exc})") from None
    raise NotAcceptable("no result format")  # unreachable: candidates is never empty


def sparql_update(store: Store, update: str) -> None:
    """Run a SPARQL Update after refusing ``LOAD`` and ``SERVICE``.

    The update and the summary's stale mark are one transaction; the summary
    is brought up to date afterwards by :func:`refresh_summary` (a rebuild can
    take minutes on a big store, longer than a request may).
    """
    from detente.graph.writes import sparql_update as write_update

    inspect_update(update)
    write_update(store, update, refresh=False)


def refresh_summary(store: Store) -> None:
    """Bring a stale summary up to date (:func:`detente.graph.writes.refresh`); run by the writer after updates."""
    from detente.graph.writes import refresh

    refresh(store)


# -- claims and provenance ----------------------------------------------------

def claim_record(store: Store, ref: str) -> ClaimRecord:
    """One claim by digest, ``claim:`` CURIE, IRI, or the user's own key."""
    if not _CLAIM_REF.match(ref):
        raise NotFound(f"no claim {ref!r}")
    try:
        iri = resolve_claim_ref(store, ref)
        record = get_claim(store, iri) if iri is not None else None
    except QuerySyntaxError:
        raise
    except ValueError:  # the reference makes no valid IRI, so no claim has it
        raise NotFound(f"no claim {ref!r}") from None
    if record is None:
        raise NotFound(f"no claim {ref!r} (give its digest, claim:DIGEST, its IRI, or its key)")
    return record


_REGISTRY: Any = None


def _registry(store: Store) -> Any:
    """The entity registry with the store's entities, built once per worker (workers restart after updates)."""
    global _REGISTRY
    if _REGISTRY is None:
        from detente.loaders.registry import EntityRegistry

        registry = EntityRegistry()
        registry.load_store(store)
        _REGISTRY = registry
    return _REGISTRY


def resolve_entity_ref(store: Store, ref: str) -> URIRef:
    """An entity IRI from an IRI, a CURIE, a path such as ``state/UKR``, or a label or alias."""
    text = ref.strip()
    if not text:
        raise NotFound("an empty entity reference names nothing")
    if re.fullmatch(r"[a-z]+/[^\s<>\"{}|^`\\]+", text) and not text.startswith(("http/", "https/")):
        return URIRef(str(DTR) + text)
    iri = _registry(store).resolve(text)
    if iri is None or not is_iri(str(iri)):
        raise NotFound(f"unknown entity {ref!r}: give an IRI, a CURIE such as state:UKR, or a known name")
    return URIRef(str(iri))


def provenance_report(store: Store, subject: str, predicate: str | None = None,
                      obj: str | None = None) -> dict[str, object]:
    """Claims supporting ``subject [predicate [object]]`` and claims that disagree, as JSON."""
    from detente.loaders.base import FieldError, object_term, resolve_predicate

    s = resolve_entity_ref(store, subject)
    p: URIRef | None = None
    o: Term | None = None
    try:
        if predicate:
            try:
                p = resolve_predicate(predicate)
            except FieldError as exc:
                raise NotFound(f"unknown property {predicate!r}: {exc}") from None
            if not is_iri(str(p)):
                raise NotFound(f"unknown property {predicate!r}")
        if obj:
            if p is not None:
                o = object_term(_registry(store), p, obj)
            else:
                known = _registry(store).resolve(obj)
                o = URIRef(str(known)) if known is not None and is_iri(str(known)) else Literal(obj)
    except FieldError as exc:
        raise ValueError(str(exc)) from None
    except NotFound:
        raise
    try:
        report = provenance(store, s, p, o).to_json()
    except QuerySyntaxError:
        raise
    except ValueError:
        raise NotFound(f"nothing is known about {subject!r}") from None
    report["conflict"] = bool(report["disagreeing"])
    return report


# -- entities -----------------------------------------------------------------

def _values(store: Store, query: str, iri: URIRef, graphs: Sequence[URIRef] | None = None) -> list[Term]:
    rows = store.query(query, bindings={"e": iri}, default_graphs=graphs).rows
    return [row[1] for row in rows if row[1] is not None]  # type: ignore[misc]


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
    iri = resolve_entity_ref(store, ref)
    try:
        return _describe(store, iri, claim_limit)
    except QuerySyntaxError:
        raise
    except ValueError:  # the store refused the IRI: nothing can be known about it
        raise NotFound(f"nothing is known about {ref!r}") from None


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
    total = int(counts[0][1]) if counts and counts[0][1] is not None else 0  # type: ignore[arg-type]
    if not (types or labels or aliases or details or as_subject or as_object):
        raise NotFound(f"nothing is known about {iri}")
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
    exact = _registry(store).resolve(text)
    rows = store.query(_SEARCH % max(1, min(int(limit), 200)), bindings={"q": Literal(text)},
                       default_graphs=[ENTITIES_GRAPH]).rows
    if exact is not None and is_iri(str(exact)):
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
    detente.errors.UsageError: offset: must be a whole number from 0, got '-1'
    """
    from detente.errors import UsageError

    def number(name: str, low: int, high: int | None, fallback: int) -> int:
        value = params.get(name)
        if value is None or value == "":
            return fallback
        text = str(value).strip()
        if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
            bound = f"from {low}" + (f" to {high}" if high is not None else "")
            raise UsageError(f"{name}: must be a whole number {bound}, got {value!r}")
        return int(text)

    return number("limit", 1, maximum, default), number("offset", 0, None, 0)


def run_analysis(store: Store, metric: str, params: Mapping[str, object]) -> dict[str, object]:
    """``detente.graph.analysis.run_metric``; an unknown metric is :class:`NotFound`.

    ``conflicts`` is paged as ``GET /conflicts`` is (``limit``, ``offset``, ``total``).
    """
    from detente.graph.analysis import run_metric

    params = dict(params)
    page = None
    if metric == "conflicts":
        page = page_params(params)
        params.pop("limit", None)
        params.pop("offset", None)
    try:
        result = run_metric(store, metric, **params)
    except KeyError as exc:
        raise NotFound(str(exc).strip("'\"")) from None
    if page is not None:
        limit, offset = page
        listed = result["conflicts"]
        result.update(total=len(listed), offset=offset, limit=limit,  # type: ignore[arg-type]
                      conflicts=listed[offset:offset + limit])  # type: ignore[index]
    return result


def run_export(store: Store, fmt: str, filters: Mapping[str, object]) -> tuple[bytes, str, str]:
    """``detente.graph.exports.export_bytes``: ``(body, media type, file suffix)``; an unknown format is :class:`NotFound`."""
    from detente.graph.exports import export_bytes, export_format

    try:
        suffix = export_format(fmt).suffix
        body, media_type = export_bytes(store, fmt, **dict(filters))
    except KeyError as exc:
        raise NotFound(str(exc).strip("'\"")) from None
    return body, media_type, suffix
