"""OpenRefine reconciliation: the W3C Reconciliation Service API 0.2 at ``/reconcile``.

Routes (a Flask blueprint, registered by :func:`detente.api.app.create_app`):

=================================================  =========================================================
``GET /reconcile``                                 the service manifest (JSONP with ``callback``)
``GET|POST /reconcile`` with ``queries=``          a batch of reconciliation queries (JSON object of queries)
``POST /reconcile`` with an ``application/json``   the same batch as the request body (other body types: 415)
``GET /reconcile/preview?id=``                     an HTML preview of an entity (OpenRefine shows it in a frame)
``GET /reconcile/suggest/{entity,type,property}``  auto-complete by ``prefix`` (``cursor`` pages, ``type`` filters)
``GET /reconcile/flyout/{entity,type,property}``   ``{"id", "html"}`` for the suggest widget's flyout
=================================================  =========================================================

Every route answers CORS (``Access-Control-Allow-Origin: *``, and ``OPTIONS``
preflights) and, given ``callback``, JSONP. Entity ids are paths under the
data base (``state/UKR``; ``identifierSpace`` + id is the IRI), type ids the
ontology's class names (``State``), property ids its property names
(``country``). The matching itself is :mod:`detente.loaders.matching`.

>>> from detente.api.app import create_app
>>> from detente.graph.store import open_store
>>> app = create_app({"store": open_store("memory:"), "workers": 1})
>>> client = app.test_client()
>>> client.get("/reconcile").json["versions"]
['0.2']
>>> client.post("/reconcile", data={"queries": '{"q0": {"query": "Ukraine"}}'}).json["q0"]["result"][0]["id"]
'state/UKR'
>>> app.extensions["detente"].close()
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Mapping
from typing import Any, cast

from flask import Blueprint, Response, request
from markupsafe import escape

from detente import __version__
from detente.api.common import current_api
from detente.errors import NotFoundError, UnsupportedMediaTypeError, UsageError
from detente.graph.store import Store
from detente.loaders.matching import (
    DEFAULT_TYPES,
    EntityIndex,
    MatchQuery,
    PropertyConstraint,
    entity_id,
    property_id,
    property_iri,
    reconciliation_properties,
    reconciliation_types,
    type_id,
    type_iri,
)
from detente.ontology.vocab import DT, DTR

__all__ = ["bp", "manifest", "parse_queries", "reconcile_batch", "suggest_entities", "preview_entity",
           "MAX_QUERIES", "MAX_LIMIT", "batch_warnings", "request_batch"]

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")

MAX_QUERIES = 500  # one batch; OpenRefine sends 10 at a time
MAX_LIMIT = 100
_CALLBACK = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$")
#: Blank as the OpenAPI document's ``pattern: "\\S"`` means it: ECMAScript's white space. Python's str.strip()
#: also strips the separators U+001C-U+001F and U+0085, which the document allows as a prefix.
_BLANK = re.compile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*")
_QUERY_KEYS = {"query", "type", "limit", "properties", "type_strict"}


# -- HTTP plumbing ------------------------------------------------------------------

@bp.after_request
def cors(response: Response) -> Response:
    """OpenRefine runs in a browser on another origin: allow it to read every answer."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    return response


def _answer(body: object) -> Response:
    """JSON, or JSONP when the request names a ``callback``."""
    text = json.dumps(body, ensure_ascii=False)
    callback = request.values.get("callback")
    if callback is None:
        return Response(text, mimetype="application/json")
    if not _CALLBACK.match(callback) or len(callback) > 200:
        raise UsageError("callback must be a JavaScript identifier such as jsonp123 or a.b")
    return Response(f"/**/{callback}({text});", mimetype="application/javascript")


def _call(fn: Any, *args: Any) -> Any:
    return current_api().call(fn, *args)


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = request.values.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise UsageError(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise UsageError(f"{name} must be between {low} and {high}")
    return value


def _required(name: str) -> str:
    value = request.values.get(name)
    if value is None or _BLANK.fullmatch(value):
        raise UsageError(f"missing {name!r} parameter")
    return value


# -- the manifest ---------------------------------------------------------------------

def manifest(root: str) -> dict[str, object]:
    """The service manifest for a server whose base URL is ``root`` (no trailing slash)."""
    from detente.ontology.schema import labels

    names = labels()
    suggest = {kind: {"service_url": root, "service_path": f"/reconcile/suggest/{kind}",
                      "flyout_service_path": f"/reconcile/flyout/{kind}?id=${{id}}"}
               for kind in ("entity", "type", "property")}
    return {
        "versions": ["0.2"],
        "name": "detente: diplomatic actors, venues and events",
        "identifierSpace": str(DTR),
        "schemaSpace": str(DT),
        "documentation": f"{root}/openapi.json",
        "serviceVersion": __version__,
        "view": {"url": f"{root}/entities/{{{{id}}}}"},
        "preview": {"url": f"{root}/reconcile/preview?id={{{{id}}}}", "width": 420, "height": 180},
        "defaultTypes": [{"id": type_id(t), "name": names.get(t, type_id(t))} for t in DEFAULT_TYPES],
        "suggest": suggest,
    }


# -- parsing a batch --------------------------------------------------------------------

def _value(value: object, where: str) -> object:
    if isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return {"id": value["id"], "name": str(value.get("name") or "")}
    raise UsageError(f"{where}: a value is a string, a number, a boolean or {{\"id\": …}}")


def _decode(text: str, name: str) -> object:
    """JSON text, or a :class:`UsageError` that says what is wrong with it."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{name} is not valid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:  # the decoder's own limit on nesting: refuse, never a 500
        raise UsageError(f"{name} nests arrays or objects too deeply to be a query batch") from None


def parse_queries(text: str | object) -> dict[str, MatchQuery]:
    """The ``queries`` parameter (JSON text, or the batch already decoded) as :class:`MatchQuery` objects.

    Checked as the 0.2 query-batch schema does, and a ``limit`` must be at least 1.
    A type or property the ontology does not define is no error (the batch is
    valid): see :func:`batch_warnings`.

    >>> parse_queries('{"q0": {"query": "Ukraine", "type": "State", "limit": 3}}')["q0"].limit
    3
    >>> parse_queries('{"q0": {"query": "Ukraine", "limit": 0}}')
    Traceback (most recent call last):
    ...
    detente.errors.UsageError: queries['q0'].limit must be at least 1, not 0
    """
    batch = _decode(text, "queries") if isinstance(text, str) else text
    if not isinstance(batch, dict):
        raise UsageError("queries must be a JSON object mapping keys to queries")
    if len(batch) > MAX_QUERIES:
        raise UsageError(f"a batch holds at most {MAX_QUERIES} queries, not {len(batch)}")
    out: dict[str, MatchQuery] = {}
    for key, raw in batch.items():
        where = f"queries[{key!r}]"
        if not isinstance(raw, dict):
            raise UsageError(f"{where} must be an object")
        unknown = sorted(set(raw) - _QUERY_KEYS)
        if unknown:
            allowed = ", ".join(sorted(_QUERY_KEYS))
            raise UsageError(f"{where}: unknown field(s) {', '.join(unknown)} (allowed: {allowed})")
        text_query = raw.get("query", "")
        if not isinstance(text_query, str):
            raise UsageError(f"{where}.query must be a string")
        props_raw = raw.get("properties", [])
        if not isinstance(props_raw, list):
            raise UsageError(f"{where}.properties must be a list")
        if "query" not in raw and not props_raw:
            raise UsageError(f"{where} needs a query string or at least one property")
        types_raw = raw.get("type", [])
        types_list = [types_raw] if isinstance(types_raw, str) else types_raw
        if not isinstance(types_list, list) or not all(isinstance(t, str) for t in types_list):
            raise UsageError(f"{where}.type must be a type id or a list of them")
        strict = raw.get("type_strict", "any")
        if strict not in ("any", "all", "should"):
            raise UsageError(f"{where}.type_strict must be any, all or should")
        limit = raw.get("limit", 5)
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not math.isfinite(limit):
            raise UsageError(f"{where}.limit must be a number")
        if limit < 1:
            raise UsageError(f"{where}.limit must be at least 1, not {limit}")
        types = []
        for name in types_list:
            cls = type_iri(name)
            if cls is not None:
                types.append(cls)
            elif strict != "should":
                types.append(DT["__unknown_type__"])  # a class nothing belongs to: no candidates
        constraints = []
        for number, item in enumerate(props_raw):
            at = f"{where}.properties[{number}]"
            if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
                raise UsageError(f"{at} must be an object with pid (a string) and v")
            prop = property_iri(item["pid"])
            if prop is None:
                raise UsageError(f"{at}.pid {item['pid']!r} is not a property id, CURIE or IRI")
            values = item["v"] if isinstance(item["v"], list) else [item["v"]]
            constraints.append(PropertyConstraint(prop, tuple(_value(v, f"{at}.v") for v in values)))
        out[str(key)] = MatchQuery(text_query.strip(), tuple(types), strict, tuple(constraints),
                                   min(MAX_LIMIT, int(limit)))
    return out


def batch_warnings(text: str | object) -> dict[str, list[str]]:
    """What each query of a (valid) batch names that the ontology does not define: unknown types and properties.

    The 0.2 specification answers such a query (an unknown type has no
    candidates; an unknown property constrains nothing), so the service does
    too, and adds these notes to that query's answer as ``"warnings"`` so a
    researcher learns why the answer is empty.

    >>> batch_warnings({"q0": {"query": "x", "type": "Spaceship", "properties": [{"pid": "colour", "v": "red"}]}})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'q0': ["unknown type 'Spaceship': no entity has it (see /reconcile/suggest/type)",
            "unknown property 'colour': it constrains nothing (see /reconcile/suggest/property)"]}
    """
    # A valid batch (the caller's precondition) is an object of query objects.
    batch = cast("Mapping[str, Mapping[str, Any]]", _decode(text, "queries") if isinstance(text, str) else text)
    known = set(reconciliation_properties())
    notes: dict[str, list[str]] = {}
    for key, raw in batch.items():
        types_raw = raw.get("type", [])
        found = [f"unknown type {name!r}: no entity has it (see /reconcile/suggest/type)"
                 for name in ([types_raw] if isinstance(types_raw, str) else types_raw) if type_iri(name) is None]
        found += [f"unknown property {item['pid']!r}: it constrains nothing (see /reconcile/suggest/property)"
                  for item in raw.get("properties", []) if property_iri(item["pid"]) not in known]
        if found:
            notes[str(key)] = found
    return notes


def request_batch() -> object | None:
    """The query batch of this request: ``queries=`` (form or query string), or a JSON body; None: none given.

    A body sent as ``application/json`` is the batch itself (``{"q0": {"query": …}}``),
    or ``{"queries": <batch>}`` as the form parameter would carry it.
    """
    if request.mimetype == "application/json":
        body = _decode(request.get_data(as_text=True), "the JSON body")
        if isinstance(body, dict) and set(body) == {"queries"}:
            inner = body["queries"]
            return _decode(inner, "queries") if isinstance(inner, str) else inner
        return body
    if request.method == "POST" and request.content_length and request.mimetype not in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        raise UnsupportedMediaTypeError(
            "/reconcile reads a form (queries=…) or a JSON body (application/json), "
            f"not {request.mimetype or 'an untyped body'}")
    text = request.values.get("queries")
    return None if text is None else _decode(text, "queries")


# -- store work (runs in the query workers) ---------------------------------------------

_INDEX: dict[str, tuple[float, EntityIndex]] = {}
_REMOTE_TTL = 60.0  # a remote endpoint may be written by others: rebuild the index now and then


def entity_index(store: Store) -> EntityIndex:
    """The index of the store's entities, built once per worker (workers restart after every update)."""
    cached = _INDEX.get(store.uri)
    remote = store.uri.startswith("sparql+")
    if cached is None or (remote and time.monotonic() - cached[0] > _REMOTE_TTL):
        cached = _INDEX[store.uri] = (time.monotonic(), EntityIndex.build(store))
    return cached[1]


def _type_json(types: list[Any]) -> list[dict[str, str]]:
    from detente.ontology.schema import labels

    names = labels()
    return [{"id": type_id(t), "name": names.get(t, type_id(t))} for t in types if str(t).startswith(str(DT))]


def reconcile_batch(store: Store, queries: Mapping[str, MatchQuery]) -> dict[str, object]:
    """Answer a batch: ``{key: {"result": [candidates]}}``, one index lookup for all of it."""
    index = entity_index(store)
    keys = list(queries)
    answers = index.match([queries[k] for k in keys], store)
    out: dict[str, object] = {}
    for key, candidates in zip(keys, answers, strict=True):
        out[key] = {"result": [{
            "id": c.id, "name": c.name, "description": c.description, "score": c.score, "match": c.match,
            "type": _type_json(c.types),
            "features": [{"id": name, "value": value} for name, value in c.features.items()],
        } for c in candidates]}
    return out


def suggest_entities(store: Store, prefix: str, types: list[str], limit: int, cursor: int) -> dict[str, object]:
    """Entity suggest: names starting with (then containing) the prefix."""
    index = entity_index(store)
    classes = [c for c in (type_iri(t) for t in types) if c is not None]
    hits = index.suggest(prefix, classes, limit, cursor)
    return {"result": [{"id": entity_id(str(e.iri)), "name": e.label, "description": index.description(e),
                        "notable": _type_json(sorted(e.types))} for e, _name in hits]}


def preview_entity(store: Store, ref: str) -> dict[str, object] | None:
    """What the preview and flyout show of an entity; None when the index does not know it."""
    index = entity_index(store)
    iri = index.identify(ref)
    entity = index.get(iri) if iri is not None else None
    if entity is None:
        return None
    wikidata = sorted(str(q) for q in entity.values.get(DT.wikidataId, ()))
    return {"id": entity_id(str(entity.iri)), "iri": str(entity.iri), "name": entity.label,
            "description": index.description(entity),
            "aliases": sorted({n for n in entity.names if n != entity.label}, key=str.lower)[:12],
            "wikidata": wikidata}


# -- routes -------------------------------------------------------------------------------

@bp.route("", methods=["GET", "POST"])
@bp.route("/", methods=["GET", "POST"])
def service() -> Response:
    """The manifest, or the answers to ``queries``."""
    if "extend" in request.values:
        raise UsageError("data extension is not offered by this service (the manifest has no 'extend')")
    batch = request_batch()
    if batch is None:
        return _answer(manifest(request.url_root.rstrip("/")))
    answer = _call(reconcile_batch, parse_queries(batch))
    for key, notes in batch_warnings(batch).items():
        answer[key]["warnings"] = notes
    return _answer(answer)


@bp.get("/preview")
def preview() -> Response:
    """An HTML card of one entity, sized for OpenRefine's preview frame."""
    ref = _required("id")
    card = _call(preview_entity, ref)
    if card is None:
        raise NotFoundError(f"no entity {ref!r}")
    root = request.url_root.rstrip("/")
    aliases = ", ".join(str(escape(a)) for a in card["aliases"])
    wikidata = " ".join(f'<a href="https://www.wikidata.org/wiki/{escape(q)}" target="_blank" rel="external">'
                        f"Wikidata {escape(q)}</a>" for q in card["wikidata"])
    html = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>'
        f'{escape(card["name"])}</title><style>body{{font:13px/1.4 sans-serif;margin:8px}}'
        'h1{font-size:16px;margin:0 0 4px}p{margin:2px 0}.d{color:#555}</style></head><body>'
        f'<h1><a href="{escape(root)}/entities/{escape(card["id"])}" target="_blank">{escape(card["name"])}</a></h1>'
        f'<p class="d">{escape(card["description"])}</p>'
        + (f"<p>Also called: {aliases}</p>" if aliases else "")
        + (f"<p>{wikidata}</p>" if wikidata else "")
        + f'<p class="d">{escape(card["iri"])}</p></body></html>\n')
    return Response(html, mimetype="text/html")


@bp.get("/suggest/entity")
def suggest_entity() -> Response:
    prefix = _required("prefix")
    types = request.values.getlist("type")
    body = _call(suggest_entities, prefix, types, _int("limit", 10, 1, MAX_LIMIT), _int("cursor", 0, 0, 100000))
    return _answer(body)


def _terms_by_prefix(terms: list[Any], prefix: str, ident: Any) -> list[dict[str, str]]:
    from detente.ontology.schema import definitions, labels

    names, notes = labels(), definitions()
    key = prefix.strip().lower()
    found = []
    for term in terms:
        term_id, name = ident(term), names.get(term, ident(term))
        if any(text.lower().startswith(key) or f" {key}" in f" {text.lower()}" for text in (term_id, name)):
            item = {"id": term_id, "name": name}
            if notes.get(term):
                item["description"] = notes[term]
            found.append(item)
    return found


@bp.get("/suggest/type")
def suggest_type() -> Response:
    prefix = _required("prefix")
    cursor, limit = _int("cursor", 0, 0, 100000), _int("limit", 10, 1, MAX_LIMIT)
    hits = _terms_by_prefix(reconciliation_types(), prefix, type_id)
    return _answer({"result": hits[cursor:cursor + limit]})


@bp.get("/suggest/property")
def suggest_property() -> Response:
    prefix = _required("prefix")
    cursor, limit = _int("cursor", 0, 0, 100000), _int("limit", 10, 1, MAX_LIMIT)
    hits = _terms_by_prefix(reconciliation_properties(), prefix, property_id)
    return _answer({"result": hits[cursor:cursor + limit]})


@bp.get("/flyout/entity")
def flyout_entity_route() -> Response:
    ref = _required("id")
    card = _call(preview_entity, ref)
    if card is None:
        raise NotFoundError(f"no entity {ref!r}")
    extra = f" · Wikidata {escape(card['wikidata'][0])}" if card["wikidata"] else ""
    html = (f'<p style="font-size:0.9em"><strong>{escape(card["name"])}</strong><br>'
            f'{escape(card["description"])}{extra}</p>')
    return _answer({"id": card["id"], "html": html})


def _term_flyout(ref: str, term: Any, ident: Any) -> Response:
    from detente.ontology.schema import definitions, labels

    if term is None:
        raise NotFoundError(f"no such term {ref!r}")
    name = labels().get(term, ident(term))
    html = f'<p style="font-size:0.9em"><strong>{escape(name)}</strong><br>{escape(definitions().get(term, ""))}</p>'
    return _answer({"id": ident(term), "html": html})


@bp.get("/flyout/type")
def flyout_type() -> Response:
    ref = _required("id")
    cls = type_iri(ref)
    return _term_flyout(ref, cls if cls in reconciliation_types() else None, type_id)


@bp.get("/flyout/property")
def flyout_property() -> Response:
    ref = _required("id")
    prop = property_iri(ref)
    return _term_flyout(ref, prop if prop in reconciliation_properties() else None, property_id)

