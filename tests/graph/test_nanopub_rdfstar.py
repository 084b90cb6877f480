"""Nanopublication and RDF-star exports, read back by an independent nanopub reader and by pyoxigraph."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import PROV

from detente.graph.exports import FORMATS, export_bytes, export_file
from detente.graph.exports.nanopub import claim_pages, write_nanopubs
from detente.graph.store import Store, open_store
from detente.ontology.vocab import DT, DTR

from nanopub_reader import NanopubError, read_nanopubs

AGREEMENT = DTR["agreement/ukr-rus-314-exchange"]


def claims_of(store: Store) -> dict[URIRef, set]:
    rows = store.query("SELECT ?c ?s ?p ?o WHERE { GRAPH ?c { ?s ?p ?o } ?c a dt:Claim }").rows
    out: dict[URIRef, set] = {}
    for c, s, p, o in rows:
        out.setdefault(c, set()).add((s, p, o))
    return out


def test_every_claim_is_one_wellformed_nanopub(demo_store: Store) -> None:
    body, media_type = export_bytes(demo_store, "nanopub")
    assert media_type == "application/trig"
    nanopubs = read_nanopubs(body)
    claims = claims_of(demo_store)
    assert len(nanopubs) == len(claims) == 24
    by_claim = {}
    for np in nanopubs:
        claim = np.pubinfo.value(np.iri, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"))
        by_claim[claim] = np
        assert set(np.assertion) == claims[claim]  # the assertion is the claim's graph, no more, no less
        assert str(np.iri).rsplit("/", 1)[1] == str(claim).rsplit("/", 1)[1]  # one base per claim, its digest
    # The 314 claim of the Kyiv Independent: source, quote and confidence are about the assertion.
    ki = next(np for np in nanopubs if (AGREEMENT, DT.prisonerCount, Literal(314)) in np.assertion
              and any("Kyiv" in str(o) for o in np.provenance.objects()))
    assertion = next(iter(ki.provenance.subjects(PROV.wasDerivedFrom, None)))
    assert str(assertion).endswith("#assertion") and ki.provenance.value(assertion, DT.quote) is not None
    source = ki.provenance.value(assertion, PROV.wasDerivedFrom)
    publisher = ki.provenance.value(source, URIRef("http://purl.org/dc/terms/publisher"))
    assert publisher == DTR["organization/kyiv-independent"]


def test_the_reader_refuses_broken_nanopubs(demo_store: Store) -> None:
    good = export_bytes(demo_store, "nanopub")[0].decode()
    first = good.index("#assertion> {\n") + len("#assertion> {\n")
    emptied = good[:first] + good[good.index("}", first):]
    with pytest.raises(NanopubError, match="rule 3"):
        read_nanopubs(emptied)
    with pytest.raises(NanopubError, match="rule 6"):
        read_nanopubs(good + "\n<https://example.org/stray> { <https://example.org/a> <https://example.org/b> 1 . }\n")
    with pytest.raises(NanopubError, match="rule 1"):
        read_nanopubs(good.replace("nschema#hasProvenance>", "nschema#hasProvenanceX>", 1))


def test_export_is_deterministic_given_a_time_and_honours_filters(demo_store: Store) -> None:
    when = datetime(2025, 3, 14, tzinfo=timezone.utc)
    first, second = io.BytesIO(), io.BytesIO()
    assert write_nanopubs(demo_store, first, created=when) == write_nanopubs(demo_store, second, created=when)
    assert first.getvalue() == second.getvalue()
    only = read_nanopubs(export_bytes(demo_store, "nanopub", publishers=["Caspian Dispatch"])[0])
    assert only and all(any("caspian" in str(o) for o in np.provenance.objects()) for np in only)


def test_claim_pages_cover_every_claim_once(demo_store: Store) -> None:
    pages = list(claim_pages(demo_store, size=5))
    flat = [c for page in pages for c in page]
    assert all(len(page) <= 5 for page in pages) and len(pages) == 5
    assert len(flat) == len(set(flat)) == len(claims_of(demo_store))


def test_rdf_star_reads_back_in_pyoxigraph(demo_store: Store, tmp_path) -> None:
    assert FORMATS["rdf-star"].media_type == "text/turtle"
    path = export_file(demo_store, "rdf-star", tmp_path / "facts.star.ttl")
    text = path.read_text()
    assert "<< <https://w3id.org/detente/id/agreement/ukr-rus-314-exchange> " in text
    back = open_store("memory:")  # pyoxigraph parses the Turtle (RDF 1.2: << s p o >> is a reifier)
    back.load(path, "turtle")
    rows = back.query("SELECT ?n ?claim WHERE { << ?a dt:prisonerCount ?n >> dt:supportedBy ?claim }",
                      default_graphs=[DTR["graph/facts"]]).rows
    support: dict[int, set] = {}
    for n, claim in rows:
        support.setdefault(int(n), set()).add(claim)
    assert {k: len(v) for k, v in support.items() if k in (300, 314)} == {314: 2, 300: 1}
    # Every statement of every claim is annotated, and every fact is asserted too.
    pairs = back.query("SELECT ?s ?p ?o ?c WHERE { << ?s ?p ?o >> dt:supportedBy ?c }",
                       default_graphs=[DTR["graph/facts"]]).rows
    expected = {(s, p, o, c) for c, triples in claims_of(demo_store).items() for s, p, o in triples}
    assert set(pairs) == expected
    unasserted = back.query("ASK { << ?s ?p ?o >> dt:supportedBy ?c FILTER NOT EXISTS { ?s ?p ?o } }",
                            default_graphs=[DTR["graph/facts"]]).boolean
    assert unasserted is False
    assert back.query("ASK { ?c a dt:Claim ; prov:wasDerivedFrom ?source }",
                      default_graphs=[DTR["graph/facts"]]).boolean


def test_both_are_export_routes(demo_store: Store) -> None:
    from detente.api.app import create_app

    app = create_app({"store": demo_store, "workers": 1})
    try:
        client = app.test_client()
        nanopubs = client.get("/export/nanopub")
        assert nanopubs.status_code == 200 and nanopubs.mimetype == "application/trig"
        assert len(read_nanopubs(nanopubs.data)) == 24
        star = client.get("/export/rdf-star")
        assert star.status_code == 200 and b">> <https://w3id.org/detente/ontology#supportedBy>" in star.data
    finally:
        app.extensions["detente"].close()


def _annotations(body: bytes) -> set:
    back = open_store("memory:")
    back.load(body, "turtle")
    return set(back.query("SELECT ?s ?p ?o ?c WHERE { << ?s ?p ?o >> dt:supportedBy ?c }",
                          default_graphs=[DTR["graph/facts"]]).rows)


def test_a_remote_store_exports_the_same(virtuoso, demo_store: Store) -> None:
    """Virtuoso through the SPARQL protocol gives the nanopubs and annotations the embedded store gives."""
    from detente.graph.remote_store import RemoteStore
    from detente.loaders import load_paths
    from detente.notebook import demo_path

    remote = RemoteStore(virtuoso.auth_store_uri)
    remote.clear()
    load_paths(remote, [demo_path()])

    def contents(store: Store) -> set:
        return {(str(np.iri), frozenset(np.assertion), frozenset(np.provenance))
                for np in read_nanopubs(export_bytes(store, "nanopub")[0])}

    assert contents(remote) == contents(demo_store)
    assert _annotations(export_bytes(remote, "rdf-star")[0]) == _annotations(export_bytes(demo_store, "rdf-star")[0])
