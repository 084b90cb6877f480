"""detente: a knowledge graph of diplomatic actors, venues and agreements built from sourced claims.

The package is split into layers, each importable on its own::

    detente.ontology   the OWL ontology, SHACL shapes, HermiT reasoning
    detente.graph      the store (Oxigraph embedded or remote SPARQL), claims, analysis, exports
    detente.loaders    input formats turned into claims, entity resolution
    detente.api        the Flask app: SPARQL protocol endpoint, REST routes, HTML pages

and from Python or a notebook, ``detente.open(URI)`` gives a
:class:`~detente.notebook.KnowledgeGraph` (SPARQL as pandas DataFrames,
provenance, conflicts, claims, NetworkX networks, loading).

>>> import detente
>>> detente.__version__
'0.1.0'
>>> detente.open("memory:").sparql("ASK { ?s ?p ?o }")
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from detente.notebook import KnowledgeGraph

__version__ = "0.1.0"


def open(uri: str | None = None, *, read_only: bool = False) -> KnowledgeGraph:
    """Open a store (``oxigraph:PATH``, ``memory:``, ``sparql+http(s)://…``) for Python: see :mod:`detente.notebook`."""
    from detente.notebook import open_graph

    return open_graph(uri, read_only=read_only)
