"""Prepared query shapes: the text is analysed once; binding places VALUES blocks where variables are used."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from detente.graph.sparql_text import inject_values, prepare
from detente.graph.store import QuerySyntaxError, open_store

A, B, C = URIRef("http://ex/a"), URIRef("http://ex/b"), URIRef("http://ex/c")
P = URIRef("http://ex/p")


def test_prepare_is_cached_by_text() -> None:
    text = "SELECT ?c WHERE { ?c a dt:Claim }"
    assert prepare(text) is prepare(text)
    assert prepare(text, update=False) is not prepare("DELETE WHERE { ?c a dt:Claim }", update=True)


def test_a_substitution_reaches_sub_selects_that_use_it() -> None:
    text = "SELECT ?s ?n WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 2 } ?s ?q ?n }"
    bound = prepare(text).bind({"s": A})
    assert bound.count("VALUES (?s) { (<http://ex/a>) }") == 2


def test_a_table_is_joined_only_where_its_variables_are_used() -> None:
    # ?t is used only inside the sub-SELECT, which does not project it: joining it outside would multiply rows.
    text = ("SELECT ?s (COUNT(?c) AS ?n) WHERE { { SELECT DISTINCT ?s WHERE { GRAPH ?t { ?s ?p ?o } } } "
            "GRAPH ?c { ?s ?p2 ?o2 } } GROUP BY ?s")
    bound = prepare(text).bind([{"t": A}, {"t": B}])
    assert bound.count("VALUES") == 1
    assert "{ SELECT DISTINCT ?s WHERE { VALUES (?t) { (<http://ex/a>) (<http://ex/b>) }" in bound


def test_a_sub_select_gets_only_the_columns_it_uses_each_combination_once() -> None:
    text = "SELECT ?c ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } } ?c ?q ?s }"
    bound = prepare(text).bind([{"c": A, "s": C}, {"c": B, "s": C}])
    assert "{ SELECT ?s WHERE { VALUES (?s) { (<http://ex/c>) } ?s ?p ?o } }" in bound
    assert bound.startswith("SELECT ?c ?s WHERE { VALUES (?c ?s) { (<http://ex/a> <http://ex/c>) "
                            "(<http://ex/b> <http://ex/c>) }")


def test_an_empty_table_matches_nothing() -> None:
    store = open_store("memory:")
    store.add_nquads(f"<{A}> <{P}> <{B}> .\n")
    assert store.query("SELECT ?s WHERE { ?s ?p ?o }", bindings=[]).rows == []
    assert store.query("SELECT ?s WHERE { ?s ?p ?o }").rows == [(A,)]


def test_substitutions_must_be_projected_tables_need_not() -> None:
    with pytest.raises(QuerySyntaxError, match="not projected"):
        prepare("SELECT ?s WHERE { ?s ?p ?o }").bind({"o": B})
    assert "VALUES (?o)" in prepare("SELECT ?s WHERE { ?s ?p ?o }").bind([{"o": B}])


def test_short_forms_and_updates() -> None:
    assert inject_values("CONSTRUCT WHERE { ?c ?p ?o }", {"c": C}) == \
        "CONSTRUCT { ?c ?p ?o } WHERE { VALUES (?c) { (<http://ex/c>) } ?c ?p ?o }"
    update = prepare("DELETE WHERE { ?c ?p ?o } ; INSERT { ?c a dt:X } WHERE { ?c a dt:Y }", update=True)
    assert update.bind({"c": C}) == ("DELETE { ?c ?p ?o } WHERE { VALUES (?c) { (<http://ex/c>) } ?c ?p ?o } ; "
                                     "INSERT { ?c a dt:X } WHERE { VALUES (?c) { (<http://ex/c>) } ?c a dt:Y }")


def test_binding_never_changes_the_shape() -> None:
    with pytest.raises(ValueError, match="not a valid IRI for SPARQL"):
        prepare("SELECT ?s WHERE { ?s ?p ?o }").bind({"s": URIRef("http://ex/a> } ; DROP ALL ; #")})
    tricky = Literal('} ; DROP ALL ; "', lang="en")
    assert prepare("SELECT ?o WHERE { ?s ?p ?o }").bind({"o": tricky}).count("{") == 2


def test_bound_sub_select_answers_as_the_engine_would_on_a_constant() -> None:
    store = open_store("memory:")
    store.add_nquads("".join(f"<http://ex/s{i}> <{P}> <http://ex/o{i % 3}> <http://ex/g{i}> .\n" for i in range(12)))
    text = "SELECT ?o ?s WHERE { { SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s LIMIT 2 } }"
    got = store.query(text, bindings={"o": URIRef("http://ex/o1")}).rows
    constant = store.query(text.replace("?o", "<http://ex/o1>").replace("SELECT <http://ex/o1> ?s", "SELECT ?s")).rows
    assert [row[1] for row in got] == [row[0] for row in constant] == [URIRef("http://ex/s1"), URIRef("http://ex/s10")]
