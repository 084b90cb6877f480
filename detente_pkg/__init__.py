"""detente: a knowledge graph of diplomatic actors, venues and agreements built from sourced claims.

The package is split into layers, each importable on its own::

    detente.ontology   the OWL ontology, SHACL shapes, HermiT reasoning
    detente.graph      the store (Oxigraph embedded or remote SPARQL), claims, analysis, exports
    detente.loaders    input formats turned into claims, entity resolution
    detente.api        the Flask app: SPARQL protocol endpoint, REST routes, HTML pages

>>> import detente
>>> detente.__version__
'0.1.0'
"""

__version__ = "0.1.0"
