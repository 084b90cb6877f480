"""The HTTP face of detente: a Flask app factory (see :func:`detente.api.app.create_app`).

Modules::

    detente.api.app           create_app / create_demo_app: the app factory
    detente.api.sparql        blueprint: the SPARQL 1.1 Protocol endpoint (/sparql, /update)
    detente.api.rest          blueprint: claims, provenance, entities, search, analysis, exports, ontology
    detente.api.pages         blueprint: the home page (SPARQL editor, example queries, entity search)
    detente.api.common        DetenteApi (the app's state), negotiation, the one error handler
    detente.api.server        serve / make_server: the app under waitress, behind read timeouts
    detente.api.lanes         the heavy lane (exports, analyses) and their per-version cache
    detente.api.config        ApiSettings from DETENTE_* environment variables
    detente.api.pool          WorkerPool: store work in worker processes, killed past the time limit
    detente.api.tasks         the store work each route asks of a worker
    detente.api.sparql_guard  refusing SERVICE and LOAD; a query's form and FROM dataset
    detente.api.documents     RDF documents (JSON-LD, Turtle, TriG) about one claim

The OpenAPI document is ``openapi.yaml`` (served at ``/openapi.json``); the
SPARQL editor (YASGUI) is vendored under ``static/vendor/``.
"""
