"""Preparing a store for detente: the ontology graph, so queries can walk the class hierarchy.

>>> from detente.graph.store import open_store
>>> store = open_store("memory:")
>>> ensure_ontology(store)
True
>>> ensure_ontology(store)  # already current: nothing to do
False
"""

from __future__ import annotations

from rdflib import Literal, URIRef

from detente.graph.store import Store
from detente.ontology.schema import ontology_path, ontology_version
from detente.ontology.vocab import ONTOLOGY_GRAPH, ONTOLOGY_IRI


def ensure_ontology(store: Store) -> bool:
    """Load (or refresh) the ontology into its graph; True when something was written."""
    if store.read_only:
        return False
    current = store.query(
        "ASK { ?ontology owl:versionInfo ?version }",
        bindings={"ontology": URIRef(ONTOLOGY_IRI), "version": Literal(ontology_version())},
        default_graphs=[ONTOLOGY_GRAPH],
    ).boolean
    if current:
        return False
    store.remove_graph(ONTOLOGY_GRAPH)
    store.load(ontology_path(), "turtle", ONTOLOGY_GRAPH)
    return True
