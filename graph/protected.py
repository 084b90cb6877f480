"""The system graphs that data may not write, and an exact fingerprint to tell whether a write touched them.

The ontology graph (written by the ontology bootstrap), the entity registry
(written by entity files through the loader's registry) and the summary graph
(kept by detente after every write) are detente's own: an N-Quads file or a
SPARQL Update from a client that would change them is refused. For SPARQL
Update the decision is taken on the engine's actual effect, not on a reading
of the text: the update runs on a copy, the protected graphs of the copy are
compared with the live ones (:func:`fingerprint`), and the copy is promoted or
discarded (see :mod:`detente.api.engine`).

>>> from detente.graph.store import open_store
>>> store = open_store("memory:")
>>> before = fingerprint(store)
>>> store.update("INSERT DATA { GRAPH <https://w3id.org/detente/id/graph/ontology> { <urn:a> <urn:b> <urn:c> } }")
>>> changed_graphs(before, fingerprint(store))
['https://w3id.org/detente/id/graph/ontology']
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Mapping

from rdflib import URIRef

from detente.graph.store import Store
from detente.ontology.vocab import ENTITIES_GRAPH, ONTOLOGY_GRAPH, SUMMARY_GRAPH

__all__ = ["PROTECTED_GRAPHS", "fingerprint", "changed_graphs", "protected_graph_message"]

#: Graphs only detente's own commands write: ontology bootstrap, entity files, summary maintenance.
PROTECTED_GRAPHS: tuple[URIRef, ...] = (ONTOLOGY_GRAPH, ENTITIES_GRAPH, SUMMARY_GRAPH)


def fingerprint(store: Store, graphs: Iterable[URIRef] = PROTECTED_GRAPHS) -> dict[str, str]:
    """SHA-256 of each graph's quads, as sorted N-Quads lines: equal exactly when the graphs are equal.

    (Blank node labels count: a graph whose blank nodes were deleted and made
    again differs, which errs on the side of refusing.)
    """
    out: dict[str, str] = {}
    for graph in graphs:
        buffer = io.BytesIO()
        store.dump(buffer, "nquads", graph=graph)
        lines = sorted(buffer.getvalue().splitlines())
        digest = hashlib.sha256()
        for line in lines:
            digest.update(line)
            digest.update(b"\n")
        out[str(graph)] = f"{len(lines)}:{digest.hexdigest()}"
    return out


def changed_graphs(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """IRIs of the graphs whose fingerprint differs."""
    return sorted(g for g in set(before) | set(after) if before.get(g) != after.get(g))


def protected_graph_message(graphs: Iterable[str]) -> str:
    """What a client is told when its write would change a protected graph."""
    names = ", ".join(f"<{g}>" for g in graphs)
    return (f"this write would change the system graph {names}, which only detente's own commands write "
            "(ontology bootstrap, entity files, summary maintenance); nothing was changed")
