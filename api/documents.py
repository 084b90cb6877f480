"""RDF documents about one claim, built from a :class:`~detente.graph.claims.ClaimRecord`.

The claim's assertion triples stay in a graph named by the claim IRI (as in
the store); its provenance — source, speaker, quote, confidence — is in the
default graph of the document. Turtle cannot name graphs, so a Turtle
document holds both sets of triples side by side.

>>> from rdflib import URIRef, Literal
>>> from detente.graph.claims import ClaimRecord
>>> from detente.ontology.vocab import DT, DTR
>>> record = ClaimRecord(iri=DTR["claim/abc"], statements=[(DTR["agreement/x"], DT.prisonerCount, Literal(314))],
...                      source=DTR["source/s1"], quote="314 prisoners", confidence=0.9)
>>> b"prisonerCount 314" in claim_document(record, "turtle")[1]
True
"""

from __future__ import annotations

from rdflib import Dataset, Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from detente.graph.claims import ClaimRecord
from detente.ontology.vocab import DT, PREFIXES, SCHEMA

__all__ = ["CLAIM_FORMATS", "claim_dataset", "claim_document"]

#: Formats of a claim document: short name → (media type, rdflib serializer).
CLAIM_FORMATS: dict[str, tuple[str, str]] = {
    "jsonld": ("application/ld+json", "json-ld"),
    "turtle": ("text/turtle", "turtle"),
    "trig": ("application/trig", "trig"),
    "nquads": ("application/n-quads", "nquads"),
}


def claim_dataset(record: ClaimRecord) -> Dataset:
    """The claim as a dataset: assertions in the claim's graph, provenance in the default graph."""
    dataset = Dataset()
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace, override=True)
    assertion = dataset.graph(record.iri)
    for triple in record.statements:
        assertion.add(triple)
    meta = dataset.default_graph
    claim = record.iri
    meta.add((claim, RDF.type, DT.Claim))
    if record.source is not None:
        meta.add((claim, PROV.wasDerivedFrom, record.source))
        if record.source_type is not None:
            meta.add((record.source, RDF.type, record.source_type))
        if record.url:
            meta.add((record.source, SCHEMA.url, Literal(record.url, datatype=XSD.anyURI)))
        if record.title:
            meta.add((record.source, DCTERMS.title, Literal(record.title)))
        if record.issued:
            meta.add((record.source, DCTERMS.issued, Literal(record.issued, datatype=XSD.date)))
        if record.publisher is not None:
            meta.add((record.source, DCTERMS.publisher, record.publisher))
            if record.publisher_label:
                meta.add((record.publisher, RDFS.label, Literal(record.publisher_label, lang="en")))
    if record.said_by is not None:
        meta.add((claim, DT.saidBy, record.said_by))
        if record.said_by_label:
            meta.add((record.said_by, RDFS.label, Literal(record.said_by_label, lang="en")))
    if record.quote:
        meta.add((claim, DT.quote, Literal(record.quote)))
    if record.confidence is not None:
        meta.add((claim, DT.confidence, Literal(f"{record.confidence:.4g}", datatype=XSD.decimal)))
    if record.quote_start is not None:
        meta.add((claim, DT.quoteStart, Literal(record.quote_start)))
    if record.quote_end is not None:
        meta.add((claim, DT.quoteEnd, Literal(record.quote_end)))
    if record.key:
        meta.add((claim, DCTERMS.identifier, Literal(record.key)))
    return dataset


def claim_document(record: ClaimRecord, fmt: str) -> tuple[str, bytes]:
    """``(media type, body)`` of the claim in one of :data:`CLAIM_FORMATS`."""
    media_type, serializer = CLAIM_FORMATS[fmt]
    dataset = claim_dataset(record)
    if fmt == "turtle":
        flat = Graph()
        for prefix, namespace in PREFIXES.items():
            flat.bind(prefix, namespace, override=True)
        for s, p, o, _g in dataset.quads((None, None, None, None)):
            flat.add((s, p, o))
        return media_type, flat.serialize(format="turtle", encoding="utf-8")
    if fmt == "jsonld":
        context = dict(PREFIXES.items())
        return media_type, dataset.serialize(format=serializer, context=context, encoding="utf-8")
    return media_type, dataset.serialize(format=serializer, encoding="utf-8")
