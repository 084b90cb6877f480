"""Namespaces and well-known IRIs of detente.

Everything that names a term of the ontology or a graph of the store lives
here, so that no other module spells an IRI by hand.

>>> from detente.ontology.vocab import DT, DTR
>>> str(DT.Talks)
'https://w3id.org/detente/ontology#Talks'
>>> str(DTR["state/UKR"])
'https://w3id.org/detente/id/state/UKR'
"""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef

# `X as X`: part of this module's vocabulary, re-exported (PEP 484) for `from detente.ontology.vocab import RDF`.
from rdflib.namespace import (
    DCTERMS,
    OWL as OWL,
    PROV as PROV,
    RDF as RDF,
    RDFS as RDFS,
    SKOS as SKOS,
    XSD as XSD,
)

ONTOLOGY_IRI = "https://w3id.org/detente/ontology"
DT = Namespace(ONTOLOGY_IRI + "#")
DEFAULT_BASE = "https://w3id.org/detente/id/"
DTR = Namespace(DEFAULT_BASE)

SCHEMA = Namespace("https://schema.org/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")
DCT = DCTERMS

# Graphs of the store. Claim graphs are named by the claim IRI itself.
PROVENANCE_GRAPH = URIRef(DEFAULT_BASE + "graph/provenance")
ENTITIES_GRAPH = URIRef(DEFAULT_BASE + "graph/entities")
ONTOLOGY_GRAPH = URIRef(DEFAULT_BASE + "graph/ontology")
# The deduplicated union of all claim assertions. Backends may map it onto
# their own default graph (Oxigraph does).
FACTS_GRAPH = URIRef(DEFAULT_BASE + "graph/facts")
# Derived, exact aggregates (per-fact support, actor-pair and actor-event weights,
# per-publisher counts), maintained on every write.
SUMMARY_GRAPH = URIRef(DEFAULT_BASE + "graph/summary")

PREFIXES: dict[str, str] = {
    "dt": str(DT),
    "dtr": str(DTR),
    "state": str(DTR) + "state/",
    "claim": str(DTR) + "claim/",
    "source": str(DTR) + "source/",
    "person": str(DTR) + "person/",
    "organization": str(DTR) + "organization/",
    "venue": str(DTR) + "venue/",
    "event": str(DTR) + "event/",
    "agreement": str(DTR) + "agreement/",
    "actor": str(DTR) + "actor/",
    "activity": str(DTR) + "activity/",
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dct": str(DCTERMS),
    "schema": str(SCHEMA),
    "sem": str(SEM),
    "org": str(ORG),
    "time": str(TIME),
    "wd": str(WD),
}

# Types of entity, keyed by the short names users write in entity files.
ENTITY_TYPES: dict[str, URIRef] = {
    "actor": DT.Actor,
    "state": DT.State,
    "person": DT.Person,
    "envoy": DT.Envoy,
    "organization": DT.Organization,
    "organisation": DT.Organization,
    "news_organization": DT.NewsOrganization,
    "international_organization": DT.InternationalOrganization,
    "venue": DT.Venue,
    "event": DT.Event,
    "talks": DT.Talks,
    "exchange": DT.Exchange,
    "prisoner_exchange": DT.PrisonerExchange,
    "announcement": DT.Announcement,
    "agreement": DT.Agreement,
    "ceasefire": DT.Ceasefire,
    "peace_agreement": DT.PeaceAgreement,
}

# IRI path segment used when minting an entity of a type.
TYPE_SEGMENTS: dict[URIRef, str] = {
    DT.State: "state",
    DT.Person: "person",
    DT.Envoy: "person",
    DT.Actor: "actor",
    DT.Organization: "organization",
    DT.NewsOrganization: "organization",
    DT.InternationalOrganization: "organization",
    DT.Venue: "venue",
    DT.Event: "event",
    DT.Talks: "event",
    DT.Exchange: "event",
    DT.PrisonerExchange: "event",
    DT.Announcement: "event",
    DT.Agreement: "agreement",
    DT.Ceasefire: "agreement",
    DT.PeaceAgreement: "agreement",
}


def expand_curie(value: str, prefixes: dict[str, str] | None = None) -> str | None:
    """Expand ``prefix:local`` into a full IRI, or return None if it is not a known CURIE.

    >>> expand_curie("state:UKR")
    'https://w3id.org/detente/id/state/UKR'
    >>> expand_curie("Ukraine") is None
    True
    """
    table = prefixes or PREFIXES
    if ":" not in value or value.startswith(("http://", "https://", "urn:")):
        return None
    prefix, _, local = value.partition(":")
    if prefix in table and " " not in local:
        return table[prefix] + local
    return None


# A local part a CURIE may show as it is (a SPARQL/Turtle prefixed name without escapes).
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")


def curie_of(iri: str) -> str | None:
    """The CURIE of an IRI under a project prefix, or None: the one rule for shortening IRIs.

    The longest matching namespace wins, and the local part must be a plain
    name (letters, digits, ``_``, ``-`` and inner dots), so the CURIE reads
    back as the same IRI in SPARQL and Turtle.

    >>> curie_of("https://w3id.org/detente/id/state/UKR"), curie_of("https://w3id.org/detente/ontology#hasParty")
    ('state:UKR', 'dt:hasParty')
    >>> curie_of("http://example.org/x") is None, curie_of("https://w3id.org/detente/id/state/a b") is None
    (True, True)
    """
    best: tuple[str, str] | None = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and (best is None or len(namespace) > len(best[1])) \
                and _PLAIN_LOCAL.fullmatch(iri, len(namespace)):
            best = (prefix, namespace)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else None


def compact_iri(iri: str) -> str:
    """Shorten an IRI by :func:`curie_of`, or wrap it in ``<>`` (for reports and terminals).

    >>> compact_iri("https://w3id.org/detente/id/state/UKR")
    'state:UKR'
    >>> compact_iri("http://example.org/x")
    '<http://example.org/x>'
    """
    return curie_of(iri) or f"<{iri}>"
