"""Synthetic input files for the file-load benchmark: a statements CSV and a claim-documents JSON Lines file.

Both are written from :func:`benchmarks.synthetic.synthetic_claims`, so they
hold the same kind of claims the scale benchmark stores: events with two or
three state parties, a venue, sometimes a mediator and a prisoner count,
sourced to news articles of 200 publishers. Entities are written as CURIEs
(``state:UKR``, ``event:e12``) and publishers by name, as a researcher's file
would.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> rows = write_statements_csv(folder / "s.csv", rows=20)
>>> rows >= 20
True
>>> write_claims_jsonl(folder / "c.jsonl", claims=3)
3
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from benchmarks.synthetic import synthetic_claims
from detente.ontology.vocab import DT, DTR

HEADER = ["claim", "subject", "predicate", "object", "source", "publisher", "published", "quote", "said_by",
          "confidence"]


def _ref(term: object) -> str:
    """A CURIE for synthetic entity and class IRIs, the lexical form for literals."""
    if isinstance(term, Literal):
        return str(term)
    text = str(term)
    if term == RDF.type:
        return "a"
    if isinstance(term, URIRef) and text.startswith(str(DT)):
        return "dt:" + text[len(str(DT)):]
    if isinstance(term, URIRef) and text.startswith(str(DTR)):
        kind, _, name = text[len(str(DTR)):].partition("/")
        return f"{kind}:{name}"
    return text


def _publisher(iri: URIRef | None) -> str:
    return "" if iri is None else "Publisher " + str(iri).rsplit("pub", 1)[-1]


def write_statements_csv(path: Path, *, rows: int) -> int:
    """A statements CSV of at least ``rows`` data rows (whole claims); returns the rows written."""
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for number, claim in enumerate(synthetic_claims(max(1, rows // 4))):
            source = claim.source
            for s, p, o in claim.statements:
                out.writerow([f"c{number}", _ref(s), _ref(p), _ref(o), source.url, _publisher(source.publisher),
                              source.issued.isoformat() if source.issued else "", claim.quote or "", "",
                              "" if claim.confidence is None else claim.confidence])
                written += 1
            if written >= rows:
                break
    return written


def write_claims_jsonl(path: Path, *, claims: int) -> int:
    """A JSON Lines file of ``claims`` claims, one document (a source and its one claim) a line."""
    with path.open("w", encoding="utf-8") as handle:
        for number, claim in enumerate(synthetic_claims(claims)):
            source = claim.source
            document = {
                "source": {"url": source.url, "title": source.title, "publisher": _publisher(source.publisher),
                           "published": source.issued.isoformat() if source.issued else None},
                "claims": [{"key": f"c{number}", "quote": claim.quote, "confidence": claim.confidence,
                            "statements": [[_ref(s), _ref(p), _ref(o)] for s, p, o in claim.statements]}],
            }
            handle.write(json.dumps(document) + "\n")
    return claims
