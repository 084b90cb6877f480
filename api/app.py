"""The Flask app: SPARQL 1.1 Protocol endpoint, REST routes and HTML pages.

Create it with :func:`create_app`; serve it with :func:`detente.api.server.serve`
(waitress). All store work runs in worker processes with a hard time limit
(:mod:`detente.api.pool`); this module only speaks HTTP.

>>> from detente.graph.store import open_store
>>> app = create_app({"store": open_store("memory:"), "workers": 1})
>>> app.test_client().get("/healthz").json["status"]
'ok'
>>> app.extensions["detente"].close()
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from flask import Flask, Response, redirect, render_template, request
from werkzeug.exceptions import HTTPException

from detente.api import tasks
from detente.api.config import ApiSettings
from detente.api.documents import CLAIM_FORMATS, claim_document
from detente.api.pool import PoolBusy, TaskError, TaskTimeout, WorkerPool
from detente.graph.store import Store, open_store

__all__ = ["create_app", "create_demo_app", "DetenteApi", "EXAMPLE_QUERIES"]

log = logging.getLogger("detente.api")

#: Seconds the summary's rebuild after an update may take (it runs after the answer, in the writer).
SUMMARY_REFRESH_TIMEOUT = 3600.0

# Result media types offered by /sparql, in order of preference: media type → RESULT_FORMATS name.
SOLUTION_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/x-turtle": "turtle",
    "text/plain": "ntriples",
    "application/json": "jsonld",
}
_TEXT_ROUTES = ("/sparql", "/update")
_STATUS_BY_KIND = {"syntax": 400, "refused": 400, "too_large": 400, "bad_request": 400, "not_found": 404,
                   "not_acceptable": 406, "read_only": 403, "store": 500, "internal": 500}

#: Researchers' starting points, shown on the home page.
EXAMPLE_QUERIES: list[dict[str, str]] = [
    {"title": "Who mediated which talks", "query": """SELECT DISTINCT ?talks ?talksLabel ?mediator ?mediatorLabel ?venueLabel WHERE {
  ?talks a dt:Talks ; dt:mediatedBy ?mediator .
  OPTIONAL { ?talks rdfs:label ?talksLabel }
  OPTIONAL { ?mediator rdfs:label ?mediatorLabel }
  OPTIONAL { ?talks dt:heldAt/rdfs:label ?venueLabel }
}
ORDER BY ?talks"""},
    {"title": "Sources of the 314-prisoner claim", "query": """SELECT ?claim ?publisherLabel ?title ?quote ?speakerLabel WHERE {
  GRAPH ?claim { ?agreement dt:prisonerCount 314 }
  ?claim a dt:Claim ; prov:wasDerivedFrom ?source .
  OPTIONAL { ?source dct:title ?title }
  OPTIONAL { ?source dct:publisher/rdfs:label ?publisherLabel }
  OPTIONAL { ?claim dt:quote ?quote }
  OPTIONAL { ?claim dt:saidBy/rdfs:label ?speakerLabel }
}"""},
    {"title": "Conflicting values (e.g. 314 vs 300 prisoners)", "query": """SELECT ?subject ?value ?claim ?publisherLabel WHERE {
  { SELECT ?subject WHERE { ?subject dt:prisonerCount ?v } GROUP BY ?subject HAVING (COUNT(DISTINCT ?v) > 1) }
  GRAPH ?claim { ?subject dt:prisonerCount ?value }
  ?claim a dt:Claim ; prov:wasDerivedFrom/dct:publisher ?publisher .
  OPTIONAL { ?publisher rdfs:label ?publisherLabel }
}
ORDER BY ?subject ?value"""},
    {"title": "Agreements per state", "query": """SELECT ?state ?stateLabel (COUNT(DISTINCT ?agreement) AS ?agreements) WHERE {
  ?agreement a/rdfs:subClassOf* dt:Agreement ; dt:hasParty ?state .
  ?state a dt:State .
  OPTIONAL { ?state rdfs:label ?stateLabel }
}
GROUP BY ?state ?stateLabel
ORDER BY DESC(?agreements)"""},
]


def _with_prefixes(query: str) -> str:
    """Declare the prefixes a query uses, so that it also runs outside detente."""
    import re

    from detente.graph.store import prefix_header
    from detente.ontology.vocab import PREFIXES

    used = [name for name in PREFIXES if re.search(rf"(?<![\w:]){re.escape(name)}:", query)]
    return prefix_header(used) + query


for _example in EXAMPLE_QUERIES:
    _example["query"] = _with_prefixes(_example["query"])


class DetenteApi:
    """The app's state: settings, the store and the worker pool (``app.extensions["detente"]``)."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        store: Store | str = settings.store
        if isinstance(store, str) and store == "memory:":
            store = open_store("memory:")
        self.store = store
        self.pool = WorkerPool(store, size=settings.workers)

    @property
    def store_uri(self) -> str:
        return self.store.uri if isinstance(self.store, Store) else self.store

    def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return self.pool.call(fn, *args, timeout=self.settings.query_timeout, **kwargs)

    def refresh_summary_later(self) -> None:
        """After an update, bring the summary up to date in the writer, not within the request's time limit.

        Until then the summary is marked stale and its readers answer from the claims.
        """
        def refresh() -> None:
            try:
                self.pool.update(tasks.refresh_summary, timeout=SUMMARY_REFRESH_TIMEOUT)
            except PoolBusy:
                pass  # shut down meanwhile: the mark stays, the next write or refresh rebuilds it
            except Exception:  # the mark stays: the next refresh or write rebuilds it
                log.exception("the summary refresh after an update failed")

        threading.Thread(target=refresh, name="detente-summary-refresh", daemon=True).start()

    def close(self) -> None:
        self.pool.close()


# -- errors -------------------------------------------------------------------

def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """An error answer: plain text on the SPARQL routes (what SPARQL clients show), JSON elsewhere."""
    from http import HTTPStatus

    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    if request.path in _TEXT_ROUTES:
        response = Response(f"{status} {phrase}: {message}\n", status=status, mimetype="text/plain")
    else:
        response = Response(json.dumps({"error": phrase, "status": status, "message": message}),
                            status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _negotiate(offers: list[str]) -> str | None:
    """The best of ``offers`` for the request's Accept header (the first when there is none)."""
    if not request.headers.get("Accept", "").strip():
        return offers[0]
    return request.accept_mimetypes.best_match(offers)


def _single(values: list[str], name: str) -> str:
    if not values:
        raise _Bad(400, f"missing {name!r} parameter")
    if len(values) > 1:
        raise _Bad(400, f"the {name!r} parameter was given {len(values)} times; give it once")
    if not values[0].strip():
        raise _Bad(400, f"the {name!r} parameter is empty")
    return values[0]


class _Bad(Exception):
    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


def _graph_params(*sources: Any, prefix: str = "") -> tuple[list[str] | None, list[str] | None]:
    defaults: list[str] = []
    named: list[str] = []
    for source in sources:
        defaults += source.getlist(f"{prefix}default-graph-uri" if not prefix else f"{prefix}graph-uri")
        named += source.getlist(f"{prefix}named-graph-uri")
    for iri in defaults + named:
        if not tasks.is_iri(iri):
            raise _Bad(400, f"graph {iri!r} is not an absolute IRI")
    if not defaults and not named:
        return None, None
    return defaults, named


def _text_body() -> str:
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError:
        raise _Bad(400, "the request body is not UTF-8") from None


# -- the app ------------------------------------------------------------------

def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """The detente web app.

    Parameters
    ----------
    config:
        Settings (``store``, ``query_timeout``, ``max_rows``, ``max_body``,
        ``update_token``, ``workers``; see :mod:`detente.api.config`); what
        is missing comes from ``DETENTE_*`` environment variables. ``store``
        may be a URI or an open ``memory:`` store already holding data.
    """
    settings = ApiSettings.from_mapping(config)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_body
    app.json.sort_keys = False  # type: ignore[attr-defined]
    api = DetenteApi(settings)
    app.extensions["detente"] = api

    @app.errorhandler(_Bad)
    def bad(exc: _Bad) -> Response:
        return _error(exc.status, exc.message, exc.headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        headers = {}
        if exc.code == 405:
            allowed = exc.get_headers()
            headers = {k: v for k, v in allowed if k.lower() == "allow"}
        message = exc.description or exc.name
        if exc.code == 413:
            message = f"the request body is larger than the {settings.max_body} bytes this server accepts"
        return _error(exc.code or 500, message, headers)

    @app.errorhandler(TaskTimeout)
    def timeout(exc: TaskTimeout) -> Response:
        return _error(503, str(exc))

    @app.errorhandler(PoolBusy)
    def busy(exc: PoolBusy) -> Response:
        return _error(503, str(exc), {"Retry-After": "1"})

    @app.errorhandler(TaskError)
    def task_error(exc: TaskError) -> Response:
        status = _STATUS_BY_KIND.get(exc.kind, 500)
        message = exc.message if status < 500 else "the server failed to answer this request (see its log)"
        if exc.kind == "too_large":
            message += f" (this server returns at most {settings.max_rows} results)"
        return _error(status, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error(500, "the server failed to answer this request (see its log)")

    @app.after_request
    def cors(response: Response) -> Response:
        # The query endpoint is read-only and public: browsers on other origins (YASGUI elsewhere) may use it.
        if request.path == "/sparql":
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        return response

    # -- SPARQL protocol ------------------------------------------------------
    @app.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        if request.method == "GET":
            if not request.args and _negotiate(["application/sparql-results+json", "text/html"]) == "text/html":
                return redirect("/", code=303)
            if "update" in request.args:
                raise _Bad(400, "SPARQL Update goes to POST /update, not /sparql")
            query = _single(request.args.getlist("query"), "query")
            defaults, named = _graph_params(request.args)
        else:
            mimetype = request.mimetype
            if mimetype == "application/x-www-form-urlencoded":
                if "update" in request.form:
                    raise _Bad(400, "SPARQL Update goes to POST /update, not /sparql")
                query = _single(request.form.getlist("query") + request.args.getlist("query"), "query")
                defaults, named = _graph_params(request.form, request.args)
            elif mimetype == "application/sparql-query":
                if "query" in request.args:
                    raise _Bad(400, "with Content-Type application/sparql-query the query is the body; "
                                    "do not also pass a 'query' parameter")
                query = _text_body()
                if not query.strip():
                    raise _Bad(400, "the request body (the query) is empty")
                defaults, named = _graph_params(request.args)
            else:
                raise _Bad(415, f"unsupported Content-Type {mimetype or '(none)'!r}: send "
                                "application/x-www-form-urlencoded (query=…) or application/sparql-query")
        solutions = _negotiate(list(SOLUTION_TYPES))
        graphs = _negotiate(list(GRAPH_TYPES))
        if solutions is None and graphs is None:
            raise _Bad(406, "the Accept header allows none of: " + ", ".join(sorted({*SOLUTION_TYPES, *GRAPH_TYPES})))
        media_type, body, _kind = api.call(
            tasks.sparql_query, query, SOLUTION_TYPES.get(solutions or ""), GRAPH_TYPES.get(graphs or ""),
            defaults, named, settings.max_rows)
        response = Response(body, status=200)
        response.headers["Content-Type"] = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
        response.headers["Vary"] = "Accept"
        return response

    @app.route("/update", methods=["POST"])
    def update() -> Response:
        token = settings.update_token
        if not token:
            raise _Bad(403, "SPARQL Update is off on this server: start it with DETENTE_UPDATE_TOKEN set")
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise _Bad(401, "SPARQL Update needs 'Authorization: Bearer <token>'",
                       {"WWW-Authenticate": 'Bearer realm="detente"'})
        if not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise _Bad(401, "the bearer token is not valid",
                       {"WWW-Authenticate": 'Bearer realm="detente", error="invalid_token"'})
        mimetype = request.mimetype
        if mimetype == "application/x-www-form-urlencoded":
            text = _single(request.form.getlist("update") + request.args.getlist("update"), "update")
            params = [request.form, request.args]
        elif mimetype == "application/sparql-update":
            text = _text_body()
            if not text.strip():
                raise _Bad(400, "the request body (the update) is empty")
            params = [request.args]
        else:
            raise _Bad(415, f"unsupported Content-Type {mimetype or '(none)'!r}: send "
                            "application/x-www-form-urlencoded (update=…) or application/sparql-update")
        if any(source.getlist("using-graph-uri") or source.getlist("using-named-graph-uri") for source in params):
            raise _Bad(400, "using-graph-uri / using-named-graph-uri are not supported; write USING in the update")
        api.pool.update(tasks.sparql_update, text, timeout=settings.query_timeout)
        api.refresh_summary_later()
        return Response(status=204)

    # -- REST -----------------------------------------------------------------
    @app.get("/claims/<path:claim_id>")
    def claim(claim_id: str) -> Response | str:
        offers = ["application/json", "application/ld+json", "text/turtle", "application/trig",
                  "application/n-quads", "text/html"]
        chosen = _negotiate(offers)
        if chosen is None:
            raise _Bad(406, "claims are offered as " + ", ".join(offers))
        record = api.call(tasks.claim_record, claim_id)
        if chosen == "application/json":
            return app.json.response(record.to_json())
        if chosen == "text/html":
            return render_template("claim.html", claim=record.to_json(), local=tasks.local_path)
        fmt = {media: name for name, (media, _s) in CLAIM_FORMATS.items()}[chosen]
        media_type, body = claim_document(record, fmt)
        return Response(body, mimetype=media_type)

    @app.get("/provenance")
    def provenance_route() -> Response:
        subject = _single(request.args.getlist("subject"), "subject")
        predicate = request.args.get("predicate") or None
        obj = request.args.get("object") or None
        return app.json.response(api.call(tasks.provenance_report, subject, predicate, obj))

    @app.get("/conflicts")
    def conflicts() -> Response:
        limit, offset = _page()
        return app.json.response(api.call(tasks.conflict_listing, limit, offset))

    @app.get("/entities/<path:entity_id>")
    def entity(entity_id: str) -> Response | str:
        chosen = _negotiate(["application/json", "text/html"])
        if chosen is None:
            raise _Bad(406, "entities are offered as application/json and text/html")
        description = api.call(tasks.entity_description, entity_id)
        if chosen == "text/html":
            return render_template("entity.html", entity=description, local=tasks.local_path)
        return app.json.response(description)

    @app.get("/search")
    def search() -> Response:
        q = _single(request.args.getlist("q"), "q")
        try:
            limit = int(request.args.get("limit", "20"))
        except ValueError:
            raise _Bad(400, "limit must be an integer") from None
        if not 1 <= limit <= 200:
            raise _Bad(400, "limit must be between 1 and 200")
        return app.json.response({"query": q, "results": api.call(tasks.search_entities, q, limit)})

    @app.get("/ontology")
    def ontology() -> Response:
        offers = ["text/turtle", "application/rdf+xml", "text/html"]
        chosen = _negotiate(offers)
        if chosen is None:
            raise _Bad(406, "the ontology is offered as " + ", ".join(offers))
        if chosen == "text/turtle":
            from detente.ontology.schema import ontology_path

            return Response(Path(ontology_path()).read_bytes(), mimetype="text/turtle")
        if chosen == "application/rdf+xml":
            from detente.ontology.schema import export_rdfxml

            return Response(export_rdfxml(), mimetype="application/rdf+xml")
        from detente.ontology.docs import DocumentationError, render_html

        try:
            return Response(render_html(), mimetype="text/html")
        except DocumentationError as exc:
            raise _Bad(503, f"the HTML documentation is unavailable: {exc}") from None

    @app.get("/analysis/<metric>")
    def analysis(metric: str) -> Response:
        params = _params()
        if metric == "conflicts":  # paged as /conflicts
            params["limit"], params["offset"] = _page()
        return app.json.response(api.call(tasks.run_analysis, metric, params))

    @app.get("/network")
    def network() -> Response:
        body, media_type, _suffix = api.call(tasks.run_export, "html", _params())
        response = Response(body)
        response.headers["Content-Type"] = media_type
        return response

    @app.get("/export/<fmt>")
    def export(fmt: str) -> Response:
        body, media_type, suffix = api.call(tasks.run_export, fmt, _params())
        response = Response(body)
        response.headers["Content-Type"] = media_type
        if not media_type.startswith("text/html"):
            response.headers["Content-Disposition"] = f'attachment; filename="detente-export{suffix}"'
        return response

    # -- service --------------------------------------------------------------
    @app.get("/healthz")
    def healthz() -> Response:
        return app.json.response({"status": "ok", "store": api.store_uri, "mode": api.pool.mode,
                                  "workers": len(api.pool.worker_pids())})

    @app.get("/openapi.json")
    def openapi() -> Response:
        return app.json.response(openapi_document())

    @app.get("/")
    def index() -> str:
        return render_template("index.html", examples=EXAMPLE_QUERIES, update_enabled=bool(settings.update_token))

    return app


def _page() -> tuple[int, int]:
    """``limit`` and ``offset`` of a paged route (400 when they are not whole numbers in range)."""
    from detente.errors import UsageError

    try:
        return tasks.page_params(request.args)
    except UsageError as exc:
        raise _Bad(exc.http_status, str(exc)) from None


def _params() -> dict[str, object]:
    """Query parameters, a repeated one (``publisher=a&publisher=b``) as a list."""
    return {key: values if len(values) > 1 else values[0] for key, values in request.args.lists()}


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3 description of the REST routes (``api/openapi.yaml``)."""
    import yaml

    text = resources.files("detente.api").joinpath("openapi.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def create_demo_app(config: Mapping[str, object] | None = None) -> Flask:
    """An app over a fresh ``memory:`` store holding the bundled demo corpus (``detente demo``)."""
    import detente.loaders
    from detente.graph.bootstrap import ensure_ontology
    from detente.loaders import load_paths

    store = open_store("memory:")
    ensure_ontology(store)
    load_paths(store, [Path(detente.loaders.__file__).parent / "demo"])
    return create_app({**(config or {}), "store": store})
