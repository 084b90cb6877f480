"""The Flask app factory: the SPARQL 1.1 Protocol endpoint, the REST routes and the HTML pages.

Create it with :func:`create_app`; serve it with :func:`detente.api.server.serve`
(waitress). The routes live in three blueprints: :mod:`detente.api.sparql`
(``/sparql``, ``/update``), :mod:`detente.api.rest` (claims, provenance,
entities, analysis, exports, ontology, service), :mod:`detente.api.pages`
(``/``) and :mod:`detente.api.reconcile` (``/reconcile``, for OpenRefine).
All store work runs in worker processes with a hard time limit
(:mod:`detente.api.pool`); errors are answered by one handler
(:func:`detente.api.common.handle_error`).

>>> from detente.graph import open_store
>>> app = create_app({"store": open_store("memory:"), "workers": 1})
>>> app.test_client().get("/healthz").json["status"]
'ok'
>>> app.extensions["detente"].close()
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from detente.api import admin, pages, reconcile, rest, sparql
from detente.api.common import DetenteApi, handle_error
from detente.api.config import ApiSettings
from detente.api.pages import EXAMPLE_QUERIES
from detente.api.rest import openapi_document
from detente.graph import open_store

__all__ = ["create_app", "create_demo_app", "DetenteApi", "EXAMPLE_QUERIES", "openapi_document"]


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """The detente web app.

    Parameters
    ----------
    config:
        Settings (``store``, ``query_timeout``, ``max_rows``, ``max_result_bytes``, ``max_body``,
        ``update_token``, ``workers``; see :mod:`detente.api.config`); what
        is missing comes from ``DETENTE_*`` environment variables. ``store``
        may be a URI or an open ``memory:`` store already holding data.
    """
    settings = ApiSettings.from_mapping(config)
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    DetenteApi(settings).init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(rest.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(reconcile.bp)  # /reconcile: OpenRefine's Reconciliation Service API
    app.register_blueprint(admin.admin)  # /admin: detente's own command line, with this run's token
    app.register_error_handler(Exception, handle_error)
    return app


def create_demo_app(config: Mapping[str, object] | None = None) -> Flask:
    """An app over a fresh ``memory:`` store holding the bundled demo corpus (``detente demo``)."""
    import detente.loaders
    from detente.graph.bootstrap import ensure_ontology
    from detente.loaders import load_paths

    store = open_store("memory:")
    ensure_ontology(store)
    load_paths(store, [Path(detente.loaders.__file__).parent / "demo"])
    return create_app({**(config or {}), "store": store})
