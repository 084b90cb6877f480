"""GET /analysis/{metric}: its query string against the metrics' parameter descriptions.

Its query string is parsed by the metrics' parameter descriptions, and the OpenAPI document shows exactly
those descriptions.
"""

from __future__ import annotations

import pytest

from detente.api.app import openapi_document
from detente.graph.analysis import METRICS, parameter_table, run_metric
from detente.graph.projections import FILTER_PARAMETERS


@pytest.fixture(scope="module")
def client(demo_app):
    return demo_app.test_client()


def test_the_openapi_parameters_are_the_descriptions():
    document = openapi_document()
    operation = document["paths"]["/analysis/{metric}"]["get"]
    metric, *rest = operation["parameters"]
    assert metric == {"name": "metric", "in": "path", "required": True,
                      "schema": {"type": "string", "enum": sorted(METRICS)}}
    filters = [{"$ref": f"#/components/parameters/{p.name}"} for p in FILTER_PARAMETERS]
    assert rest[:len(filters)] == filters
    own = {p["name"]: p for p in rest[len(filters):]}
    assert list(own) == [shared.parameter.name for shared in parameter_table()]
    for shared in parameter_table():
        documented = own[shared.parameter.name]
        assert documented["in"] == "query" and documented["schema"] == shared.json_schema()
        assert all(name in documented["description"] for name in shared.metrics)
    components = document["components"]["parameters"]
    for p in FILTER_PARAMETERS:
        assert components[p.name]["schema"] == p.json_schema() and components[p.name]["description"] == p.help
    for route in ("/export/{format}", "/network"):
        assert all(ref in document["paths"][route]["get"]["parameters"] for ref in filters)


@pytest.mark.parametrize(("metric", "query", "message"), [
    ("centrality", {"k": "abc"}, "k: not an integer: 'abc'"),
    ("centrality", {"k": ["1", "2"]}, "k: expected one value, got 2"),
    ("centrality", {"sort": "fame"}, "sort: 'fame' is not one of pagerank"),
    ("centrality", {"colour": "blue"}, "colour: unknown parameter of centrality; accepted: k, seed, sort"),
    ("communities", {"resolution": "-1"}, "resolution: must be at least 0, got -1"),
    ("ego", {}, "actor: required by ego"),
    ("ego", {"actor": "Ukraine", "radius": "0"}, "radius: must be at least 1, got 0"),
    ("corroboration", {"include_types": "perhaps"}, "include_types: not a yes/no value"),
    ("timeline", {"start": "last tuesday"}, "start: not a date"),
    ("timeline", {"min_confidence": "2"}, "min_confidence: must be at most 1, got 2"),
    ("brokers", {"publisher": "Nowhere Times"}, "publisher: 'Nowhere Times': no such publisher"),
    ("path", {"actor": "Ukraine", "to": "Atlantis"}, "to: unknown entity 'Atlantis'"),
])
def test_a_query_string_value_that_does_not_fit_answers_400_naming_it(client, metric, query, message):
    response = client.get(f"/analysis/{metric}", query_string=query)
    assert response.status_code == 400, response.json
    assert response.json["message"].startswith(message)


def test_the_route_answers_the_documents_run_metric_gives(client, fresh_demo_store):
    store = fresh_demo_store()
    for metric, query in [("centrality", {"limit": "3", "sort": "degree"}), ("ego", {"actor": "state:ETH"}),
                          ("corroboration", {"include_types": "true",
                                             "publisher": ["Meridian Wire", "Kyiv Independent"]}),
                          ("path", {"actor": "Turkey", "to": "Ukraine", "max_paths": "2"})]:
        response = client.get(f"/analysis/{metric}", query_string=query)
        assert response.status_code == 200
        assert response.json == run_metric(store, metric, **query)
