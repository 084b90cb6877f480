"""The REST blueprint: claims, provenance, conflicts, entities, search, analysis, network, exports, ontology, service.

Every route's store work runs in a worker (:mod:`detente.api.tasks`); the
routes only read parameters and negotiate formats. The routes are described by
``openapi.yaml`` (served at ``/openapi.json``).

>>> from flask import Flask
>>> from detente.api.common import DetenteApi, handle_error
>>> from detente.api.config import ApiSettings
>>> app = Flask("bare")
>>> DetenteApi(ApiSettings.from_mapping({"store": "memory:", "workers": 1})).init_app(app)
>>> _ = app.register_error_handler(Exception, handle_error)
>>> app.register_blueprint(bp)
>>> client = app.test_client()
>>> client.get("/healthz").json["status"], client.get("/claims/nothing").status_code
('ok', 404)
>>> app.extensions["detente"].close()
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from detente.api import tasks
from detente.api.common import current_api, negotiate, single
from detente.api.documents import CLAIM_FORMATS, claim_document
from detente.errors import NotAcceptableError, UsageError

if TYPE_CHECKING:
    from detente.graph.analysis import SharedParameter
    from detente.graph.params import Parameter

__all__ = ["bp", "openapi_document"]

bp = Blueprint("rest", __name__, template_folder="templates")


def _json(value: object) -> Response:
    return jsonify(value)


def _params() -> dict[str, object]:
    """Query parameters, a repeated one (``publisher=a&publisher=b``) as a list."""
    return {key: values if len(values) > 1 else values[0] for key, values in request.args.lists()}


# -- claims, provenance, entities ------------------------------------------------

@bp.get("/claims/<path:claim_id>")
def claim(claim_id: str) -> Response | str:
    """One claim as JSON, JSON-LD, Turtle, TriG, N-Quads or an HTML page."""
    offers = ["application/json", "application/ld+json", "text/turtle", "application/trig",
              "application/n-quads", "text/html"]
    chosen = negotiate(offers)
    if chosen is None:
        raise NotAcceptableError("claims are offered as " + ", ".join(offers))
    record = current_api().call(tasks.claim_record, claim_id)
    if chosen == "application/json":
        return _json(record.to_json())
    if chosen == "text/html":
        return render_template("claim.html", claim=record.to_json(), local=tasks.local_path)
    fmt = {media: name for name, (media, _s) in CLAIM_FORMATS.items()}[chosen]
    media_type, body = claim_document(record, fmt)
    return Response(body, mimetype=media_type)


@bp.get("/provenance")
def provenance() -> Response:
    """Every claim supporting ``subject [predicate [object]]``, and those that disagree."""
    subject = single(request.args.getlist("subject"), "subject")
    predicate = request.args.get("predicate") or None
    obj = request.args.get("object") or None
    return _json(current_api().call(tasks.provenance_report, subject, predicate, obj))


@bp.get("/conflicts")
def conflicts() -> Response:
    """Subjects given different values of a functional property, one page (``limit``, ``offset``) with the total."""
    limit, offset = tasks.page_params(request.args)
    return _json(current_api().call(tasks.conflict_listing, limit, offset))


@bp.get("/entities/<path:entity_id>")
def entity(entity_id: str) -> Response | str:
    """An entity as JSON, an HTML page, or its description in Turtle or JSON-LD."""
    offers = ["application/json", "text/html", "text/turtle", "application/ld+json"]
    chosen = negotiate(offers)
    if chosen is None:
        raise NotAcceptableError("entities are offered as " + ", ".join(offers))
    if chosen in ("text/turtle", "application/ld+json"):
        body = current_api().call(tasks.entity_rdf, entity_id, "turtle" if chosen == "text/turtle" else "jsonld")
        return Response(body, mimetype=chosen)
    description = current_api().call(tasks.entity_description, entity_id)
    if chosen == "text/html":
        return render_template("entity.html", entity=description, local=tasks.local_path)
    return _json(description)


@bp.get("/search")
def search() -> Response:
    """Entities whose label or alias contains ``q``."""
    q = single(request.args.getlist("q"), "q")
    try:
        limit = int(request.args.get("limit", "20"))
    except ValueError:
        raise UsageError("limit must be an integer") from None
    if not 1 <= limit <= 200:
        raise UsageError("limit must be between 1 and 200")
    return _json({"query": q, "results": current_api().call(tasks.search_entities, q, limit)})


# -- analysis and exports ----------------------------------------------------------

def _request_key(kind: str, name: str) -> tuple[object, ...]:
    """What makes two heavy requests the same: the route, its name and every query parameter (order aside)."""
    return (kind, name, tuple(sorted((key, tuple(values)) for key, values in request.args.lists())))


def _export(fmt: str) -> tuple[bytes, str, str]:
    """``(body, media type, suffix)`` of an export, through the heavy lane and the version cache."""
    api = current_api()
    params = _params()
    return api.heavy(_request_key("export", fmt), lambda: api.call(tasks.run_export, fmt, params))  # type: ignore[no-any-return]


@bp.get("/analysis/<metric>")
def analysis(metric: str) -> Response:
    """A network analysis (:func:`detente.graph.analysis.run_metric`) as JSON.

    ``conflicts`` is paged as ``GET /conflicts`` is: ``limit`` (default 100, at most 1000), ``offset``, ``total``.
    """
    api = current_api()
    params = _params()
    if metric == "conflicts":
        params["limit"], params["offset"] = tasks.page_params(params)
    dumps = current_app.json.dumps

    def compute() -> bytes:
        return dumps(api.call(tasks.run_analysis, metric, params)).encode("utf-8")

    return Response(api.heavy(_request_key("analysis", metric), compute), mimetype="application/json")


@bp.get("/network")
def network() -> Response:
    """The self-contained HTML network view."""
    body, media_type, _suffix = _export("html")
    response = Response(body)
    response.headers["Content-Type"] = media_type
    return response


@bp.get("/export/<fmt>")
def export(fmt: str) -> Response:
    """The network or the RDF in one of :data:`detente.graph.exports.FORMATS`, as a download."""
    body, media_type, suffix = _export(fmt)
    response = Response(body)
    response.headers["Content-Type"] = media_type
    if not media_type.startswith("text/html"):
        response.headers["Content-Disposition"] = f'attachment; filename="detente-export{suffix}"'
    return response


# -- the ontology and the service ---------------------------------------------------

@bp.get("/ontology")
def ontology() -> Response:
    """The ontology as Turtle, RDF/XML or HTML documentation."""
    offers = ["text/turtle", "application/rdf+xml", "text/html"]
    chosen = negotiate(offers)
    if chosen is None:
        raise NotAcceptableError("the ontology is offered as " + ", ".join(offers))
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
        raise DocumentationError(f"the HTML documentation is unavailable: {exc}") from exc


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: the store and the live query workers."""
    api = current_api()
    return _json({"status": "ok", "store": api.store_uri, "mode": api.pool.mode,
                  "workers": len(api.pool.worker_pids()), "outbound": _outbound_policy(api)})


def _outbound_policy(api: Any) -> dict[str, object]:
    """What /healthz says about SERVICE and LOAD: impossible (sandboxed engine) or refused by a text scan."""
    if api.pool.sandboxed:
        return {"sandboxed": True, "service_and_load": "impossible: the query engine runs without network "
                                                       "access (seccomp), so no query or update can reach any address"}
    return {"sandboxed": False, "reason": api.pool.engine.sandbox_reason,
            "service_and_load": "refused by a conservative scan of the text (escapes decoded; the words are "
                                "refused anywhere outside variable and prefixed names, even in strings)"}


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document of this API."""
    return _json(openapi_document())


# Routes whose query string takes the filters.
_FILTERED_ROUTES = ("/analysis/{metric}", "/export/{format}", "/network")


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3 description of the REST routes (``api/openapi.yaml``).

    The filters and the analysis parameters are written from their one description
    (:data:`detente.graph.projections.FILTER_PARAMETERS`, :func:`detente.graph.analysis.parameter_table`).
    """
    import yaml

    from detente.graph.analysis import METRICS, parameter_table
    from detente.graph.projections import FILTER_PARAMETERS

    text = resources.files("detente.api").joinpath("openapi.yaml").read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    document["components"]["parameters"].update({p.name: _query_parameter(p) for p in FILTER_PARAMETERS})
    refs = [{"$ref": f"#/components/parameters/{p.name}"} for p in FILTER_PARAMETERS]
    for route in _FILTERED_ROUTES:
        document["paths"][route]["get"]["parameters"] += refs
    analysis = document["paths"]["/analysis/{metric}"]["get"]
    analysis["parameters"] = [{"name": "metric", "in": "path", "required": True,
                               "schema": {"type": "string", "enum": sorted(METRICS)}},
                              *analysis["parameters"], *(_query_parameter(shared) for shared in parameter_table())]
    return document


def _query_parameter(parameter: Parameter | SharedParameter) -> dict[str, Any]:
    """An OpenAPI query parameter from a parameter description."""
    from detente.graph.analysis import SharedParameter

    own = parameter.parameter if isinstance(parameter, SharedParameter) else parameter
    out: dict[str, Any] = {"name": own.name, "in": "query", "description": parameter.help,
                           "schema": parameter.json_schema()}
    if own.multiple:
        out.update(style="form", explode=True)
    return out
