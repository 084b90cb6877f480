r"""Links out of the graph: Wikidata items on the nodes of network exports.

Every node whose entity has a ``dt:wikidataId`` gets two attributes, which
GraphML, GEXF, Cytoscape JSON, node-link JSON, DOT and the CSV node table
carry like any other: ``wikidata`` (``Q212``) and ``sameAs``
(``http://www.wikidata.org/entity/Q212``, the ``owl:sameAs``/``schema:sameAs``
target of the RDF exports).

>>> import networkx as nx
>>> from detente.graph.store import open_store
>>> store = open_store("memory:")
>>> ukraine = "<https://w3id.org/detente/id/state/UKR>"
>>> store.add_nquads(f'{ukraine} <https://w3id.org/detente/ontology#wikidataId> "Q212" .\n')
>>> g = nx.Graph()
>>> g.add_node("https://w3id.org/detente/id/state/UKR")
>>> add_wikidata_links(store, g).nodes["https://w3id.org/detente/id/state/UKR"]["sameAs"]
'http://www.wikidata.org/entity/Q212'
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from detente.graph.entities import is_wikidata_item
from detente.graph.store import Store
from detente.ontology.vocab import WD


def wikidata_items(store: Store) -> dict[str, str]:
    """Entity IRI → Wikidata item id, for every entity of the store that has one (one query)."""
    rows = store.query("SELECT ?e ?q WHERE { ?e dt:wikidataId ?q FILTER(isIRI(?e)) }").rows
    return {str(e): str(q) for e, q in rows if q is not None and is_wikidata_item(str(q))}


def add_wikidata_links(store: Store, graph: nx.Graph[Any]) -> nx.Graph[Any]:
    """Set ``wikidata`` and ``sameAs`` on the nodes of ``graph`` that have a Wikidata item; return the graph."""
    if graph.number_of_nodes() == 0:
        return graph
    for iri, qid in wikidata_items(store).items():
        if iri in graph:
            graph.nodes[iri]["wikidata"] = qid
            graph.nodes[iri]["sameAs"] = str(WD[qid])
    return graph
