"""RDF-star: the facts, each annotated with the claims that support it (``detente export rdf-star``).

Turtle with quoted-triple annotations::

    <s> <p> <o> .
    << <s> <p> <o> >> dt:supportedBy <claim> .

and, for each claim, its type and source (``<claim> a dt:Claim ;
prov:wasDerivedFrom <source>``). The ``<< s p o >>`` subject is RDF-star's
quoted triple; RDF 1.2 parsers (pyoxigraph 0.5, Jena 5) read the same text
as a reifier of the triple term ``<<( s p o )>>``, so a query writes
``<< ?s ?p ?o >> dt:supportedBy ?claim`` in SPARQL-star and SPARQL 1.2 alike.

The facts are streamed from the store's facts view; annotations are written a
page of claims at a time.

>>> import io
>>> from detente.graph.store import open_store
>>> out = io.BytesIO()
>>> write_rdf_star(open_store("memory:"), out)
0
"""

from __future__ import annotations

from typing import IO

from rdflib.namespace import PROV, RDF

from detente.graph.exports.nanopub import claim_statements, filtered_claim_pages
from detente.graph.projections import Filters, load_graph_data
from detente.graph.sparql_text import sparql_term
from detente.graph.store import Store
from detente.graph.terms import term_nt
from detente.ontology.vocab import DT, FACTS_GRAPH, PROVENANCE_GRAPH

_SUPPORTED_BY = term_nt(DT.supportedBy)


def write_rdf_star(store: Store, out: IO[bytes], filters: Filters | None = None) -> int:
    """Write the facts with their supporting claims; return the number of annotations.

    With ``filters``, only the facts of the claims they keep.
    """
    out.write(f"@prefix dt: <{DT}> .\n@prefix prov: <{PROV}> .\n\n# The facts\n".encode())
    if filters is None or not filters.active:
        store.dump(out, "nquads", FACTS_GRAPH)  # the facts view as triples: valid Turtle lines
    else:
        seen = set()
        for ev in load_graph_data(store, filters, literals=True).evidence:
            triple = (ev.subject, ev.predicate, ev.object)
            if triple not in seen:
                seen.add(triple)
                out.write(f"{term_nt(ev.subject)} {term_nt(ev.predicate)} {term_nt(ev.object)} .\n".encode())
    out.write(b"\n# Who supports each fact\n")
    annotations = 0
    for page in filtered_claim_pages(store, filters):
        lines = []
        for claim, triples in claim_statements(store, page).items():
            for s, p, o in triples:
                lines.append(f"<< {term_nt(s)} {term_nt(p)} {term_nt(o)} >> {_SUPPORTED_BY} {term_nt(claim)} .\n")
            annotations += len(triples)
        values = " ".join(sparql_term(c) for c in page)
        for claim_node, source in store.query(
                f"SELECT ?c ?s WHERE {{ VALUES ?c {{ {values} }} ?c prov:wasDerivedFrom ?s }}",
                default_graphs=[PROVENANCE_GRAPH]).rows:
            lines.append(f"{term_nt(claim_node)} {term_nt(RDF.type)} {term_nt(DT.Claim)} ; "  # type: ignore[arg-type]
                         f"{term_nt(PROV.wasDerivedFrom)} {term_nt(source)} .\n")  # type: ignore[arg-type]
        out.write("".join(lines).encode("utf-8"))
    return annotations


__all__ = ["write_rdf_star"]
