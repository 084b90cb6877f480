"""RDF exports: the facts (Turtle, JSON-LD) or the whole dataset with claim graphs (TriG, N-Quads).

Without filters these are straight dumps of the store. With filters, only the
kept claims travel: for TriG/N-Quads their claim graphs, their provenance
(claim and source descriptions) and the descriptions of the entities they
mention; for Turtle/JSON-LD the facts those claims assert, plus the entities'
labels and types.

>>> from detente.graph.store import open_store
>>> rdf_export(open_store("memory:"), "nquads")
b''
"""

from __future__ import annotations

import io

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF

from detente.graph.projections import Filters, load_graph_data
from detente.graph.store import Store
from detente.ontology.vocab import ENTITIES_GRAPH, FACTS_GRAPH, PREFIXES, PROVENANCE_GRAPH, SCHEMA

#: Formats holding the facts only (one graph) and formats holding the dataset (named graphs).
FACT_FORMATS = ("turtle", "jsonld")
DATASET_FORMATS = ("trig", "nquads")


def rdf_export(store: Store, rdf_format: str, filters: Filters | None = None) -> bytes:
    """Serialise the facts (``turtle``, ``jsonld``) or the dataset (``trig``, ``nquads``)."""
    if rdf_format not in FACT_FORMATS + DATASET_FORMATS:
        raise ValueError(f"unknown RDF export format {rdf_format!r}")
    if filters is None or not filters.active:
        out = io.BytesIO()
        store.dump(out, rdf_format, FACTS_GRAPH if rdf_format in FACT_FORMATS else None)
        return out.getvalue()
    return _filtered(store, rdf_format, filters)


def _filtered(store: Store, rdf_format: str, filters: Filters) -> bytes:
    data = load_graph_data(store, filters, literals=True)
    claims = {ev.claim for ev in data.evidence}
    mentioned = ({ev.subject for ev in data.evidence}
                 | {ev.object for ev in data.evidence if isinstance(ev.object, URIRef)})
    entity_rows = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", default_graphs=[ENTITIES_GRAPH]).rows
    entity_triples = [(s, p, o) for s, p, o in entity_rows if s in mentioned]
    if rdf_format in FACT_FORMATS:
        graph = Graph()
        _bind(graph)
        for ev in data.evidence:
            graph.add((ev.subject, ev.predicate, ev.object))
        for s, p, o in entity_triples:
            if p == RDF.type or "label" in str(p).lower() or p in (OWL.sameAs, SCHEMA.sameAs):
                graph.add((s, p, o))  # type: ignore[arg-type]
        return graph.serialize(format="json-ld" if rdf_format == "jsonld" else "turtle", encoding="utf-8")
    dataset = Dataset()
    _bind(dataset)
    for ev in data.evidence:
        dataset.graph(ev.claim).add((ev.subject, ev.predicate, ev.object))
    sources = {ev.source for ev in data.evidence if ev.source is not None}
    prov = dataset.graph(PROVENANCE_GRAPH)
    for subject, predicate, obj in store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
                                               default_graphs=[PROVENANCE_GRAPH]).rows:
        if subject in claims or subject in sources:
            prov.add((subject, predicate, obj))  # type: ignore[arg-type]
    entities = dataset.graph(ENTITIES_GRAPH)
    for triple in entity_triples:
        entities.add(triple)  # type: ignore[arg-type]
    return dataset.serialize(format="trig" if rdf_format == "trig" else "nquads", encoding="utf-8")


def _bind(graph: Graph) -> None:
    for prefix in ("dt", "dtr", "state", "claim", "source", "prov", "dct", "schema", "rdfs", "skos", "xsd", "owl",
                   "wd"):
        graph.bind(prefix, PREFIXES[prefix], override=True)
