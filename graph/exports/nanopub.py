"""Nanopublications: every claim as a nanopub in TriG (``detente export nanopub``).

Each claim becomes four named graphs under one base IRI,
``https://w3id.org/detente/id/np/<digest>`` (the claim's own digest), so a
trusty URI can later be computed over the nanopub and substituted for that
base:

``<np>#Head``
    ``<np> a np:Nanopublication ; np:hasAssertion <np#assertion> ;
    np:hasProvenance <np#provenance> ; np:hasPublicationInfo <np#pubinfo>``.
``<np>#assertion``
    the claim's statements.
``<np>#provenance``
    about the assertion: ``prov:wasDerivedFrom`` its source (described
    there too: type, title, URL, publisher, date), ``dt:saidBy``,
    ``dt:quote`` and its offsets, ``dt:confidence``, ``prov:wasGeneratedBy``.
``<np>#pubinfo``
    about the nanopub: ``dct:created``, ``rdfs:seeAlso`` the claim in the
    store, its key (``dct:identifier``).

The provenance graph also says ``<np#assertion> prov:alternateOf <claim>``:
the assertion is a copy of the claim's graph in the store.

The writer pages through the claims (a bounded number per query), so memory
holds one page, not the store.

>>> import io
>>> from detente.graph.store import open_store
>>> out = io.BytesIO()
>>> write_nanopubs(open_store("memory:"), out)
0
>>> out.getvalue().decode().splitlines()[0]
'@prefix np: <http://www.nanopub.org/nschema#> .'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from typing import IO

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from detente.graph.claims import CLAIM_NS, digest
from detente.graph.projections import Filters, load_graph_data
from detente.graph.sparql_text import sparql_term
from detente.graph.store import Store
from detente.graph.terms import Term, term_nt
from detente.ontology.vocab import DT, DTR, PROVENANCE_GRAPH

NP = Namespace("http://www.nanopub.org/nschema#")
NP_NS = str(DTR) + "np/"
PAGE = 500

#: Claim provenance carried into the provenance graph (about the assertion).
_ABOUT_ASSERTION = (PROV.wasDerivedFrom, DT.saidBy, DT.quote, DT.confidence, DT.quoteStart, DT.quoteEnd,
                    PROV.wasGeneratedBy)


def nanopub_iri(claim: URIRef) -> URIRef:
    """The nanopub base IRI of a claim: ``…/np/<the claim's digest>``.

    >>> str(nanopub_iri(URIRef("https://w3id.org/detente/id/claim/0123abcd")))
    'https://w3id.org/detente/id/np/0123abcd'
    """
    text = str(claim)
    local = text[len(CLAIM_NS):] if text.startswith(CLAIM_NS) and "/" not in text[len(CLAIM_NS):] else digest(text)
    return URIRef(NP_NS + local)


def nanopub_graphs(np: URIRef) -> tuple[URIRef, URIRef, URIRef, URIRef]:
    """Head, assertion, provenance and pubinfo graph IRIs of a nanopub (all under its base)."""
    return URIRef(f"{np}#Head"), URIRef(f"{np}#assertion"), URIRef(f"{np}#provenance"), URIRef(f"{np}#pubinfo")


def claim_pages(store: Store, size: int = PAGE) -> Iterator[list[URIRef]]:
    """Every claim IRI, a page at a time, in IRI order (keyset paging: each page is one bounded query)."""
    after = ""
    while True:
        rows = store.query(
            f"SELECT ?c WHERE {{ ?c a dt:Claim FILTER(isIRI(?c) && STR(?c) > {sparql_term(Literal(after))}) }} "
            f"ORDER BY STR(?c) LIMIT {int(size)}").rows
        page = [row[0] for row in rows if isinstance(row[0], URIRef)]
        if not page:
            return
        yield page
        after = str(page[-1])
        if len(page) < size:
            return


def filtered_claim_pages(store: Store, filters: Filters | None, size: int = PAGE) -> Iterator[list[URIRef]]:
    """Claim pages, keeping only the claims the filters keep (see :class:`~detente.graph.projections.Filters`)."""
    if filters is None or not filters.active:
        yield from claim_pages(store, size)
        return
    kept = sorted({ev.claim for ev in load_graph_data(store, filters, literals=True).evidence}, key=str)
    for start in range(0, len(kept), size):
        yield kept[start:start + size]


def _values(iris: Sequence[URIRef]) -> str:
    return " ".join(sparql_term(i) for i in iris)


def claim_statements(store: Store, page: Sequence[URIRef]) -> dict[URIRef, list[tuple[Term, Term, Term]]]:
    """The assertion triples of a page of claims (one query)."""
    out: dict[URIRef, list[tuple[Term, Term, Term]]] = defaultdict(list)
    rows = store.query(f"SELECT ?c ?s ?p ?o WHERE {{ VALUES ?c {{ {_values(page)} }} GRAPH ?c {{ ?s ?p ?o }} }} "
                       "ORDER BY ?c ?s ?p ?o").rows
    for c, s, p, o in rows:
        out[c].append((s, p, o))  # type: ignore[index, arg-type]
    return out


def claim_provenance(store: Store, page: Sequence[URIRef]) -> tuple[dict[URIRef, list[tuple[Term, Term]]],
                                                                      dict[URIRef, list[tuple[Term, Term]]]]:
    """What the provenance graph says about a page of claims, and about their sources (two queries)."""
    about: dict[URIRef, list[tuple[Term, Term]]] = defaultdict(list)
    claims_query = f"SELECT ?c ?p ?o WHERE {{ VALUES ?c {{ {_values(page)} }} ?c ?p ?o }} ORDER BY ?c ?p ?o"
    for c, p, o in store.query(claims_query, default_graphs=[PROVENANCE_GRAPH]).rows:
        about[c].append((p, o))  # type: ignore[index, arg-type]
    sources: dict[URIRef, list[tuple[Term, Term]]] = defaultdict(list)
    for s, p, o in store.query(
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?c {{ {_values(page)} }} "
            "?c prov:wasDerivedFrom ?s . ?s ?p ?o } ORDER BY ?s ?p ?o", default_graphs=[PROVENANCE_GRAPH]).rows:
        sources[s].append((p, o))  # type: ignore[index, arg-type]
    return about, sources


def _graph(name: URIRef, triples: Sequence[tuple[Term, Term, Term]]) -> str:
    body = "".join(f"  {term_nt(s)} {term_nt(p)} {term_nt(o)} .\n" for s, p, o in triples)
    return f"{term_nt(name)} {{\n{body}}}\n"


def nanopub_text(claim: URIRef, statements: Sequence[tuple[Term, Term, Term]],
                 about: Sequence[tuple[Term, Term]], sources: dict[URIRef, list[tuple[Term, Term]]],
                 created: Literal) -> str:
    """The TriG text of one claim's nanopub."""
    np = nanopub_iri(claim)
    head, assertion, provenance, pubinfo = nanopub_graphs(np)
    prov: list[tuple[Term, Term, Term]] = [(assertion, PROV.alternateOf, claim)]  # the claim graph it copies
    prov.extend((assertion, p, o) for p, o in about if p in _ABOUT_ASSERTION)
    for p, o in about:
        if p == PROV.wasDerivedFrom and isinstance(o, URIRef):
            prov.extend((o, sp, so) for sp, so in sources.get(o, ()))
    info: list[tuple[Term, Term, Term]] = [(np, DCTERMS.created, created), (np, RDFS.seeAlso, claim)]
    info.extend((np, DCTERMS.identifier, o) for p, o in about if p == DCTERMS.identifier)
    return "".join([
        _graph(head, [(np, RDF.type, NP.Nanopublication), (np, NP.hasAssertion, assertion),
                      (np, NP.hasProvenance, provenance), (np, NP.hasPublicationInfo, pubinfo)]),
        _graph(assertion, statements), _graph(provenance, prov), _graph(pubinfo, info), "\n"])


def write_nanopubs(store: Store, out: IO[bytes], filters: Filters | None = None, *,
                   created: datetime | None = None) -> int:
    """Write every claim (or the claims ``filters`` keep) as a nanopub in TriG to ``out``; return how many.

    ``created`` is the ``dct:created`` of every nanopub (default: now, UTC).
    """
    stamp = Literal((created or datetime.now(timezone.utc)).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    out.write(f"@prefix np: <{NP}> .\n@prefix dt: <{DT}> .\n\n".encode())
    written = 0
    for page in filtered_claim_pages(store, filters):
        statements = claim_statements(store, page)
        about, sources = claim_provenance(store, page)
        chunk = [nanopub_text(c, statements[c], about.get(c, []), sources, stamp) for c in page if statements.get(c)]
        out.write("".join(chunk).encode("utf-8"))
        written += len(chunk)
    return written


__all__ = ["NP", "claim_pages", "filtered_claim_pages", "nanopub_graphs", "nanopub_iri", "write_nanopubs"]
