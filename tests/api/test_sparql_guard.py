"""Finding SERVICE and LOAD in SPARQL text by parsing, not by matching words."""

from __future__ import annotations

import pytest

from detente.api.sparql_guard import RefusedQuery, inspect_query, inspect_update
from detente.errors import QueryTooComplexError


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT ?endpoint { ?s ?p ?o } VALUES ?endpoint { <http://example.org/> } }",
    "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <http://example.org/> { ?s ?p ?o } } }",
    "ASK { FILTER NOT EXISTS { SERVICE <http://example.org/> { ?s ?p ?o } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://example.org/> { ?s ?p ?o } } } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { OPTIONAL { service <http://example.org/> { ?s ?p ?o } } } }",
])
def test_service_anywhere_in_a_query_is_refused(query):
    with pytest.raises(RefusedQuery, match="SERVICE"):
        inspect_query(query)


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service ?p ?o }",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> 'SERVICE <http://x/> { }' }",
    'SELECT * WHERE { ?s ?p """LOAD <http://x/>\nSERVICE""" } # SERVICE <http://x/> { }',
    "PREFIX service: <http://example.org/s#> SELECT * WHERE { ?s service:load ?o }",
])
def test_the_words_in_names_strings_and_comments_are_allowed(query):
    assert inspect_query(query).form == "select"


def test_the_form_is_reported():
    assert inspect_query("DESCRIBE ?s FROM <http://example.org/a> FROM NAMED <http://example.org/b> "
                         "WHERE { ?s ?p ?o }").form == "graph"
    assert inspect_query("ASK {}").form == "ask"


def test_text_rdflib_cannot_parse_falls_back_to_a_lexical_scan():
    # RDF-star syntax, which Oxigraph reads and rdflib's SPARQL grammar does not.
    star = "SELECT * WHERE { << ?s ?p ?o >> ?q ?r }"
    assert inspect_query(star).form == "select"  # no SERVICE, LOAD or FROM token: no parse needed
    with pytest.raises(RefusedQuery):
        inspect_query(star.replace("?q ?r }", "?q ?r . SERVICE <http://example.org/> { ?a ?b ?c } }"))
    with_load_word = star.replace("?q ?r }", "?q ?r . ?a ?b 'LOAD' }") + " # SERVICE"
    assert inspect_query(with_load_word).form == "select"
    with_service_name = "SELECT * WHERE { << ?s ?p ?o >> ?q ?r . ?a ?service ex:LOAD }"
    assert inspect_query(with_service_name).form == "select"


def test_a_comment_ends_at_a_carriage_return_as_the_engine_reads_it():
    hidden = "ASK { #\r" + "{" * 1001 + "}" * 1001 + " }"
    with pytest.raises(QueryTooComplexError):
        inspect_query(hidden)
    with pytest.raises(RefusedQuery):
        inspect_query("SELECT * WHERE { #\rSERVICE <http://example.org/> { ?s ?p ?o } }")


def test_an_escaped_quote_cannot_hide_brackets_from_the_count():
    # The engine reads \u0022 outside a string as it is (no quote), so the brackets are nested groups to it.
    hidden = "ASK { \\u0022 " + "{" * 1001 + "}" * 1001 + " \\u0022 }"
    with pytest.raises(QueryTooComplexError):
        inspect_query(hidden)


def test_codepoint_escapes_cannot_hide_a_keyword():
    with pytest.raises(RefusedQuery):
        inspect_query("SELECT * WHERE { \\u0053ERVICE <http://example.org/> { ?s ?p ?o } }")
    with pytest.raises(RefusedQuery):
        inspect_update("\\u004cOAD <http://example.org/data.ttl>")


@pytest.mark.parametrize("update", [
    "LOAD <http://example.org/data.ttl>",
    "LOAD SILENT <http://example.org/data.ttl> INTO GRAPH <http://example.org/g>",
    "INSERT DATA { <http://a/b> <http://a/c> 1 } ; LOAD <http://example.org/x>",
    "INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }",
    "DELETE WHERE { ?s ?p ?o } ; INSERT { ?s ?p ?o } WHERE { GRAPH ?g { SERVICE ?x { ?s ?p ?o } } }",
])
def test_load_and_service_in_updates_are_refused(update):
    with pytest.raises(RefusedQuery):
        inspect_update(update)


def test_plain_updates_pass():
    inspect_update("INSERT DATA { <http://a/b> <http://a/c> 'LOAD <http://x/>' }")
    inspect_update("DELETE { ?s ?p ?o } WHERE { ?s <http://a/load> ?o }")


def test_a_run_of_nots_counts_as_nesting():
    # Oxigraph parses each ! as one more nested expression: 300,000 overflowed its stack.
    with pytest.raises(QueryTooComplexError):
        inspect_query("ASK { FILTER(" + "! " * 1001 + "?x) }")
    inspect_query("ASK { FILTER(!!?x && !(?y != 1)) }")
