"""A remote store (Virtuoso): what Virtuoso's own permissions do with SERVICE, and what detente refuses in front.

detente cannot sandbox a remote engine, so a server of a ``sparql+http`` store
refuses SERVICE, LOAD and Virtuoso's fetching extensions by a conservative scan,
and refuses SPARQL Update (the endpoint's own permissions guard its graphs).
Virtuoso itself: its anonymous SPARQL user, left with SELECT only, refuses
SERVICE, LOAD and sponging, but still runs ``bif:http_get`` (a built-in
procedure, outside SPARQL permissions) against any address; granted
SPARQL_UPDATE (as a writable anonymous endpoint needs), it follows SERVICE too.
So a detente store URI should write through an authenticated endpoint
(``?update=/sparql-auth&user=…``), leave the anonymous user read-only, and the
Virtuoso server should not be able to reach addresses it must not.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import requests

from adversary import TOKEN, Canary

pytestmark = [pytest.mark.virtuoso, pytest.mark.slow]

REFUSED_BY_PERMISSIONS = {
    "service": "SELECT * WHERE { SERVICE <{U}> { ?s ?p ?o } }",
    "load": "LOAD <{U}>",
    "sponger pragma": 'DEFINE get:soft "soft" SELECT * FROM <{U}> WHERE { ?s ?p ?o }',
    "grab pragma": 'DEFINE input:grab-all "yes" SELECT * WHERE { <{U}> ?p ?o }',
}
PROCEDURES = {
    "bif:http_get": 'SELECT (bif:http_get("{U}") AS ?x) WHERE { }',
    "<bif:http_get>": 'SELECT (<bif:http_get>("{U}") AS ?x) WHERE { }',
}
FETCHING = {**REFUSED_BY_PERMISSIONS, **PROCEDURES}


def _ask_virtuoso(virtuoso, query: str) -> int:
    try:
        with urllib.request.urlopen(virtuoso.sparql_url + "?" + urllib.parse.urlencode({"query": query}),
                                    timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _reached(canary: Canary, before: int) -> bool:
    deadline = time.monotonic() + 1.0
    while len(canary.connections) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    return len(canary.connections) > before


def test_what_virtuoso_permissions_do_with_fetching_queries(virtuoso, canary: Canary) -> None:
    virtuoso.isql_exec('revoke SPARQL_UPDATE from "SPARQL";')
    try:
        for name, template in REFUSED_BY_PERMISSIONS.items():
            before = len(canary.connections)
            status = _ask_virtuoso(virtuoso, template.replace("{U}", canary.url))
            assert status >= 400 and not _reached(canary, before), f"{name}: the read-only user fetched"
        for name, template in PROCEDURES.items():
            before = len(canary.connections)
            _ask_virtuoso(virtuoso, template.replace("{U}", canary.url))
            assert _reached(canary, before), f"{name}: Virtuoso's read-only user no longer fetches (update the docs)"
    finally:
        virtuoso.isql_exec('grant SPARQL_UPDATE to "SPARQL";')
    before = len(canary.connections)
    _ask_virtuoso(virtuoso, FETCHING["service"].replace("{U}", canary.url))
    assert _reached(canary, before), "with SPARQL_UPDATE, Virtuoso follows SERVICE (why detente refuses it)"


def test_detente_over_virtuoso_refuses_every_fetching_form(virtuoso, canary: Canary, serve) -> None:
    live = serve({"store": virtuoso.store_uri, "workers": 1, "query_timeout": 30, "update_token": TOKEN})
    health = requests.get(live.url + "/healthz").json()
    assert health["mode"] == "remote" and health["outbound"]["sandboxed"] is False
    assert "remote SPARQL endpoint" in health["outbound"]["reason"]
    before = len(canary.connections)
    tricks = [*FETCHING.values(),
              'SELECT * WHERE { BIND("x\\u0022" AS ?x) SERVICE <{U}> { ?a ?b ?c } BIND("\\u0022y" AS ?y) }',
              "SELECT * WHERE { # a note\r SERVICE <{U}> { ?a ?b ?c }\n }",
              "SELECT * WHERE { \\u0053ERVICE <{U}> { ?s ?p ?o } }"]
    for template in tricks:
        text = template.replace("{U}", canary.url)
        response = requests.get(live.url + "/sparql", params={"query": text}, timeout=60)
        assert response.status_code == 400 and "not allowed" in response.text, (template, response.text)
    update = requests.post(live.url + "/update", data={"update": f"LOAD <{canary.url}>"},
                           headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert update.status_code == 403 and "remote SPARQL endpoint" in update.text
    assert not _reached(canary, before)
