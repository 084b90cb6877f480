"""The SPARQL 1.1 Protocol blueprint: queries at ``/sparql``, updates at ``/update``.

Queries come by GET (``query=``), POST form or ``application/sparql-query``;
results are negotiated by ``Accept``. Updates are off unless the server has a
bearer token (``DETENTE_UPDATE_TOKEN``). Errors are plain text, as SPARQL
clients show them.

>>> from flask import Flask
>>> from detente.api.common import DetenteApi, handle_error
>>> from detente.api.config import ApiSettings
>>> app = Flask("bare")
>>> DetenteApi(ApiSettings.from_mapping({"store": "memory:", "workers": 1})).init_app(app)
>>> _ = app.register_error_handler(Exception, handle_error)
>>> app.register_blueprint(bp)
>>> app.test_client().get("/sparql", query_string={"query": "ASK {}"}).json["boolean"]
True
>>> app.extensions["detente"].close()
"""

from __future__ import annotations

import hmac
import urllib.parse
from typing import Any

from flask import Blueprint, Response, redirect, request

from detente.api import tasks
from detente.api.common import current_api, negotiate, single
from detente.errors import (
    ForbiddenError,
    NotAcceptableError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
    UsageError,
)
from detente.graph.protected import PROTECTED_GRAPHS

__all__ = ["bp", "SOLUTION_TYPES", "GRAPH_TYPES", "DEFAULT_GRAPH_TYPE", "TRUNCATED_HEADER"]

bp = Blueprint("sparql", __name__)

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

#: What CONSTRUCT/DESCRIBE answer when the Accept header names no RDF format.
DEFAULT_GRAPH_TYPE = "text/turtle"
#: Set on a result cut at the server's row cap: ``max-rows=N`` (the first N rows were sent).
TRUNCATED_HEADER = "X-Detente-Truncated"


def _graph_params(*sources: Any) -> tuple[list[str] | None, list[str] | None]:
    """The protocol's ``default-graph-uri`` and ``named-graph-uri`` (None, None when neither is given)."""
    defaults: list[str] = []
    named: list[str] = []
    for source in sources:
        defaults += source.getlist("default-graph-uri")
        named += source.getlist("named-graph-uri")
    for iri in defaults + named:
        if not tasks.is_iri(iri):
            raise UsageError(f"graph {iri!r} is not an absolute IRI")
    if not defaults and not named:
        return None, None
    return defaults, named


def _check_utf8_params(form: bool) -> None:
    """Refuse percent-encoded parameters (the query string, and a form body) that do not decode as UTF-8.

    Flask would read each bad byte as U+FFFD, and the endpoint would run a query that was not sent.
    """
    sources = [("query string", request.query_string)]
    if form:
        sources.append(("request body", request.get_data(cache=True)))  # kept: the form is parsed from it later
    for where, raw in sources:
        try:
            urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise UsageError(f"the {where} is not UTF-8 once percent-decoded") from None


def _text_body() -> str:
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("the request body is not UTF-8") from None


@bp.after_app_request
def cors(response: Response) -> Response:
    # The query endpoint is read-only and public: browsers on other origins (YASGUI elsewhere) may use it.
    if request.path == "/sparql":
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response.headers["Access-Control-Expose-Headers"] = TRUNCATED_HEADER
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def query() -> Response:
    """A SPARQL query by GET, POST form or POST ``application/sparql-query``."""
    api = current_api()
    _check_utf8_params(form=request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded")
    if request.method in ("GET", "HEAD"):  # HEAD: the GET's answer without its body (Flask drops it)
        if not request.args and negotiate(["application/sparql-results+json", "text/html"]) == "text/html":
            return redirect("/", code=303)  # type: ignore[return-value]
        if "update" in request.args:
            raise UsageError("SPARQL Update goes to POST /update, not /sparql")
        text = single(request.args.getlist("query"), "query")
        defaults, named = _graph_params(request.args)
    else:
        mimetype = request.mimetype
        if mimetype == "application/x-www-form-urlencoded":
            if "update" in request.form:
                raise UsageError("SPARQL Update goes to POST /update, not /sparql")
            text = single(request.form.getlist("query") + request.args.getlist("query"), "query")
            defaults, named = _graph_params(request.form, request.args)
        elif mimetype == "application/sparql-query":
            if "query" in request.args:
                raise UsageError("with Content-Type application/sparql-query the query is the body; "
                                 "do not also pass a 'query' parameter")
            text = _text_body()
            if not text.strip():
                raise UsageError("the request body (the query) is empty")
            defaults, named = _graph_params(request.args)
        else:
            raise UnsupportedMediaTypeError(f"unsupported Content-Type {mimetype or '(none)'!r}: send "
                                            "application/x-www-form-urlencoded (query=…) or application/sparql-query")
    solutions = negotiate(list(SOLUTION_TYPES))
    graphs = negotiate(list(GRAPH_TYPES))
    if solutions is None and graphs is None:
        raise NotAcceptableError("the Accept header allows none of: "
                                 + ", ".join(sorted({*SOLUTION_TYPES, *GRAPH_TYPES})))
    if graphs is None:
        # A client asking only for SPARQL results (rdflib's SPARQLStore) still gets a CONSTRUCT/DESCRIBE
        # answer: Turtle, as Fuseki and Virtuoso do, rather than 406.
        graphs = DEFAULT_GRAPH_TYPE
    max_rows, max_bytes = api.settings.max_rows, api.settings.max_result_bytes
    media_type, body, _kind, cut = api.call(
        tasks.sparql_query, text, SOLUTION_TYPES.get(solutions or ""), GRAPH_TYPES[graphs],
        defaults, named, max_rows, max_bytes)
    response = Response(body, status=200)
    response.headers["Content-Type"] = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    response.headers["Vary"] = "Accept"
    if cut:
        response.headers[TRUNCATED_HEADER] = f"{cut}={max_rows if cut == 'max-rows' else max_bytes}"
    return response


def _check_token(token: str | None) -> None:
    if not token:
        raise ForbiddenError("SPARQL Update is off on this server: start it with DETENTE_UPDATE_TOKEN set")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise UnauthorizedError("SPARQL Update needs 'Authorization: Bearer <token>'",
                                headers={"WWW-Authenticate": 'Bearer realm="detente"'})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise UnauthorizedError("the bearer token is not valid",
                                headers={"WWW-Authenticate": 'Bearer realm="detente", error="invalid_token"'})


@bp.post("/update")
def update() -> Response:
    """A SPARQL Update by POST form or ``application/sparql-update``, with the bearer token."""
    api = current_api()
    _check_token(api.settings.update_token)
    mimetype = request.mimetype
    _check_utf8_params(form=mimetype == "application/x-www-form-urlencoded")
    if mimetype == "application/x-www-form-urlencoded":
        text = single(request.form.getlist("update") + request.args.getlist("update"), "update")
        params = [request.form, request.args]
    elif mimetype == "application/sparql-update":
        text = _text_body()
        if not text.strip():
            raise UsageError("the request body (the update) is empty")
        params = [request.args]
    else:
        raise UnsupportedMediaTypeError(f"unsupported Content-Type {mimetype or '(none)'!r}: send "
                                        "application/x-www-form-urlencoded (update=…) or application/sparql-update")
    if any(source.getlist("using-graph-uri") or source.getlist("using-named-graph-uri") for source in params):
        raise UsageError("using-graph-uri / using-named-graph-uri are not supported; write USING in the update")
    if api.pool.mode == "remote":
        raise ForbiddenError("this server's store is a remote SPARQL endpoint: send SPARQL Update to that endpoint, "
                             "whose own permissions protect its graphs")
    # Applied to a copy by the sandboxed writer: committed whole, or refused (a system graph changed),
    # failed or too slow — and then nothing changed.
    api.pool.update(tasks.sparql_update, text, timeout=api.settings.query_timeout,
                    protected=tuple(str(g) for g in PROTECTED_GRAPHS))
    return Response(status=204)
