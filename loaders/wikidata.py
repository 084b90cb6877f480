"""Wikidata links as the loaders write them: ``owl:sameAs``/``schema:sameAs`` and the states' link claims.

Every state carries its Wikidata item, which the entity resolver reads from
the bundled table ``graph/data/wikidata_states.csv``
(:func:`detente.graph.entities.state_wikidata`; see ``graph/data/README.md``
for where the table comes from; the identifiers are Wikidata's, CC0). When a
load uses a state, the link is written twice over:

* in the state's description (entity graph and facts view): ``dt:wikidataId
  "Q212"``, ``owl:sameAs wd:Q212`` and ``schema:sameAs wd:Q212``;
* as a claim, ``state:UKR dt:wikidataId "Q212"``, derived from the table as a
  ``dt:Dataset`` source, so ``detente provenance --subject state:UKR`` names
  where the link comes from.

>>> state_wikidata()["UKR"], str(wikidata_iri("Q212"))
('Q212', 'http://www.wikidata.org/entity/Q212')
>>> claim = state_link_claim("UKR", "Q212")
>>> [(str(s), str(o)) for s, _p, o in claim.statements]
[('https://w3id.org/detente/id/state/UKR', 'Q212')]
>>> claim.source.source_type == DT.Dataset
True
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS

from detente.graph.claims import Activity, Claim, Source
from detente.graph.entities import WIKIDATA_STATES_TABLE as TABLE, is_wikidata_item, state_wikidata  # read there
from detente.graph.terms import Term
from detente.ontology.vocab import DT, DTR, SCHEMA, WD

#: Where the table's pairs were taken from (Our World in Data's country table, which takes them from Wikidata).
TABLE_ORIGIN = ("https://github.com/owid/owid-grapher/blob/c7402d12e25bd1d45f5bd7d66cfc083342a1ed96/"
                "packages/@ourworldindata/grapher/src/mapCharts/CountriesRegions.ts")
#: Wikidata's licence, which the identifiers carry.
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
TABLE_TITLE = "ISO 3166-1 alpha-3 to Wikidata items (table bundled with detente)"

def wikidata_iri(qid: str) -> URIRef:
    """The Wikidata entity IRI of an item id (``Q212`` → ``http://www.wikidata.org/entity/Q212``)."""
    if not is_wikidata_item(qid):
        raise ValueError(f"{qid!r} is not a Wikidata item id such as Q212")
    return WD[qid]


def same_as_triples(iri: URIRef, qid: str) -> Iterator[tuple[Term, Term, Term]]:
    """``dt:wikidataId``, ``owl:sameAs`` and ``schema:sameAs`` for an entity with a Wikidata item."""
    item = wikidata_iri(qid)
    yield iri, DT.wikidataId, Literal(qid)
    yield iri, OWL.sameAs, item
    yield iri, SCHEMA.sameAs, item


@lru_cache(maxsize=1)
def table_source() -> Source:
    """The table as a ``dt:Dataset`` source."""
    return Source(DTR["source/wikidata-iso3166"], DT.Dataset, url=TABLE_ORIGIN, title=TABLE_TITLE)


LINK_ACTIVITY = Activity(method="registry:wikidata-table",
                         label="linked to Wikidata from the ISO 3166 table bundled with detente")


def state_link_claim(iso3: str, qid: str) -> Claim:
    """The claim ``state:ISO3 dt:wikidataId "Q…"`` derived from the table."""
    source = table_source()
    return Claim(statements=[(DTR[f"state/{iso3}"], DT.wikidataId, Literal(qid))], source=source,
                 activity=LINK_ACTIVITY, key=f"wikidata-{iso3}",
                 extra=[(source.iri, DCTERMS.license, CC0),
                        (source.iri, RDFS.comment, Literal("Wikidata item ids (CC0) of ISO 3166-1 states, "
                                                           "as listed by Our World in Data's country table."))])


def state_link_quads(iso3: str, qid: str) -> Iterator[tuple[Term, Term, Term, URIRef]]:
    """Quads of a state's link claim: assertion, facts, provenance, source and activity."""
    claim = state_link_claim(iso3, qid)
    yield from claim.quads()
    yield from claim.source.quads()
    yield from LINK_ACTIVITY.quads()


__all__ = ["CC0", "TABLE", "TABLE_ORIGIN", "same_as_triples", "state_link_claim", "state_link_quads",
           "state_wikidata", "table_source", "wikidata_iri"]
