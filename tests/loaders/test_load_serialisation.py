"""The fast claim writer writes exactly what the claims' quads say, for every loader's claims."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

import detente.loaders
from detente.graph.claims import CLAIM_NS, Activity, Claim, Source, claims_nquads, digest
from detente.graph.terms import nquad, term_nt
from detente.loaders.base import LoadContext, LoadOptions
from detente.loaders.pipeline import parse_path
from detente.loaders.registry import EntityRegistry
from detente.ontology.vocab import DT, DTR, PROVENANCE_GRAPH

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"  # real corpus samples, see tests/fixtures/README.md
DEMO = Path(detente.loaders.__file__).parent / "demo"


def reference_nquads(claims: list[Claim]) -> str:
    """Quad by quad through ``nquad``: the definition the fast path must match."""
    lines: list[str] = []
    sources: set[URIRef] = set()
    activities: set[URIRef] = set()
    for claim in claims:
        lines += [nquad(*q) for q in claim.quads()]
        if claim.source.iri not in sources:
            sources.add(claim.source.iri)
            lines += [nquad(*q) for q in claim.source.quads()]
        if claim.activity is not None and claim.activity.iri not in activities:
            activities.add(claim.activity.iri)
            lines += [nquad(*q) for q in claim.activity.quads()]
    return "".join(lines)


def _fresh(claim: Claim) -> Claim:
    """The same claim without a cached IRI."""
    return Claim(statements=list(claim.statements), source=claim.source, said_by=claim.said_by, quote=claim.quote,
                 confidence=claim.confidence, quote_start=claim.quote_start, quote_end=claim.quote_end,
                 activity=claim.activity, key=claim.key, extra=list(claim.extra))


def _expected_iri(claim: Claim) -> URIRef:
    content = sorted(f"{term_nt(s)} {term_nt(p)} {term_nt(o)}" for s, p, o in claim.statements)
    return URIRef(CLAIM_NS + digest(*content, str(claim.source.iri), str(claim.said_by or ""), claim.quote or ""))


def _loader_claims() -> list[list[Claim]]:
    paths = [DEMO / "saudi-talks.yaml", DEMO / "ankara-exchange.csv",
             FIXTURES / "news" / "000_3e7fe375a9c81d38.txt",
             FIXTURES / "ucdp" / "ucdp-peace-agreements-221-sample.csv",
             FIXTURES / "gdelt" / "20191024143000-sample.export.CSV"]
    ctx = LoadContext(EntityRegistry(), LoadOptions(source_url="https://example.org/t", published="2025-03-12"))
    parse_path(DEMO / "entities.yaml", ctx)
    out = []
    for path in paths:
        _fmt, result = parse_path(path, ctx)
        assert not result.rejects, result.rejects[:3]
        assert result.claims, path
        out.append(result.claims)
    return out


def test_fast_writer_matches_reference_for_loader_claims() -> None:
    for claims in _loader_claims():
        fresh = [_fresh(c) for c in claims]
        assert claims_nquads(fresh) == reference_nquads(claims)
        assert [c.iri for c in fresh] == [_expected_iri(c) for c in claims]


def test_fast_writer_matches_reference_for_synthetic_and_odd_values() -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.synthetic import synthetic_claims

    claims = list(synthetic_claims(500, seed=3))
    source = Source.from_metadata(url="https://example.org/a?q=\"x\"", title='He said "no"\nthen left',
                                  publisher=DTR["organization/x"])
    odd = Claim(statements=[(DTR["event/e"], RDF.type, DT.Talks), (DTR["event/e"], DT.status, Literal("a\\b\r\"c\""))],
                source=source, said_by=DTR["person/p"], quote='Line one\nline "two"', confidence=1e-5,
                quote_start=0, quote_end=17, activity=Activity(method="odd:v1", label="odd"), key='k"1',
                extra=[(DTR["person/p"], DT.represents, DTR["state/UKR"])])
    claims.append(odd)
    assert claims_nquads([_fresh(c) for c in claims]) == reference_nquads(claims)
    text = claims_nquads([odd])
    assert '"0.00001"^^' in text  # the decimal lexical form rdflib normalises to
    assert f"<{PROVENANCE_GRAPH}> .\n" in text


def test_fast_writer_keeps_the_sign_of_a_zero_confidence() -> None:
    """0.0 and -0.0 are equal keys of the writer's remembered texts, but rdflib writes them as "0" and "-0"."""
    source = Source.from_metadata(url="https://example.org/a")
    claims = [Claim(statements=[(DTR[f"agreement/{n}"], DT.prisonerCount, Literal(n))], source=source,
                    confidence=confidence) for n, confidence in enumerate([-0.0, 0.0, -0.0, 0.5, 0.0])]
    assert claims_nquads([_fresh(c) for c in claims]) == reference_nquads(claims)


def test_bad_iri_is_still_refused() -> None:
    claim = Claim(statements=[(URIRef("https://example.org/has space"), RDF.type, DT.Talks)],
                  source=Source.from_metadata(url="https://example.org/a"))
    with pytest.raises(ValueError, match="not a valid IRI"):
        claims_nquads([claim])
