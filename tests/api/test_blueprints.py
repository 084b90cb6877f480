"""Each blueprint stands alone.

Registered on a bare app with the DetenteApi extension, its routes answer and the other blueprints' routes
do not exist.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Blueprint, Flask

from detente.api import app as app_module, pages, rest, sparql
from detente.api.common import DetenteApi, handle_error
from detente.api.config import ApiSettings
from detente.ontology.vocab import DTR

QUICK = "SELECT ?party WHERE { agreement:ukr-rus-314-exchange dt:hasParty ?party } ORDER BY ?party"


@pytest.fixture
def bare(fresh_demo_store) -> Iterator:
    """A factory of bare apps over the demo corpus holding one blueprint each."""
    made: list[Flask] = []

    def make(blueprint: Blueprint, **settings: object) -> Flask:
        app = Flask("bare-" + blueprint.name)
        config = {"store": fresh_demo_store(), "workers": 1, "update_token": "", **settings}
        DetenteApi(ApiSettings.from_mapping(config, environ={})).init_app(app)
        app.register_error_handler(Exception, handle_error)
        app.register_blueprint(blueprint)
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["detente"].close()


def test_sparql_blueprint_alone(bare) -> None:
    client = bare(sparql.bp, update_token="s3cret").test_client()
    answer = client.get("/sparql", query_string={"query": QUICK}, headers={"Accept": "application/sparql-results+json"})
    assert [b["party"]["value"] for b in answer.json["results"]["bindings"]] == [
        str(DTR["state/RUS"]), str(DTR["state/UKR"])]
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    syntax = client.get("/sparql", query_string={"query": "SELEC ?x"})
    assert syntax.status_code == 400 and syntax.mimetype == "text/plain"
    refused = client.post("/update", data="CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    done = client.post("/update", data="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                       headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer s3cret"})
    assert done.status_code == 204
    assert client.get("/sparql", query_string={"query": "ASK { <urn:a> <urn:b> <urn:c> }"},
                      headers={"Accept": "application/sparql-results+json"}).json["boolean"] is True
    for other in ("/healthz", "/claims/ki-exchange-agreed", "/"):
        missing = client.get(other)
        assert missing.status_code == 404 and missing.json["status"] == 404


def test_rest_blueprint_alone(bare) -> None:
    client = bare(rest.bp).test_client()
    assert client.get("/healthz").json["status"] == "ok"
    assert client.get("/claims/ki-exchange-agreed").json["key"] == "ki-exchange-agreed"
    assert client.get("/entities/state/UKR").json["label"] == "Ukraine"
    html = client.get("/entities/state/UKR", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "Ukraine" in html.get_data(as_text=True)
    assert client.get("/analysis/centrality").json["metric"] == "centrality"
    assert client.get("/claims/no-such-claim").status_code == 404
    assert client.get("/openapi.json").json["openapi"].startswith("3.")
    for other in ("/sparql", "/"):
        assert client.get(other, query_string={"query": "ASK {}"}).status_code == 404


def test_pages_blueprint_alone(bare) -> None:
    client = bare(pages.bp).test_client()
    home = client.get("/")
    assert home.status_code == 200 and "Who mediated which talks" in home.get_data(as_text=True)
    for other in ("/sparql", "/healthz", "/entities/state/UKR"):
        assert client.get(other).status_code == 404


def test_the_factory_is_config_extension_blueprints_and_one_handler(fresh_demo_store) -> None:
    app = app_module.create_app({"store": fresh_demo_store(), "workers": 1})
    try:
        assert set(app.blueprints) == {"sparql", "rest", "pages", "reconcile", "admin"}  # admin: the CLI's writes
        assert isinstance(app.extensions["detente"], DetenteApi)
        handlers = dict(app.error_handler_spec[None].items())
        assert list(handlers) == [None] and list(handlers[None]) == [Exception]
        assert app.config["MAX_CONTENT_LENGTH"] == app.extensions["detente"].settings.max_body
    finally:
        app.extensions["detente"].close()
