"""RDF terms as the store layer passes them around.

The store speaks rdflib terms (``URIRef``, ``Literal``, ``BNode``) at its
edges and N-Quads text on its fast paths. The serialiser here writes strict
N-Quads (rdflib's ``n3()`` may write Turtle long strings, which N-Quads forbids).

>>> from rdflib import URIRef, Literal
>>> nquad(URIRef("http://ex/s"), URIRef("http://ex/p"), Literal('say "hi"\\n'), None)
'<http://ex/s> <http://ex/p> "say \\\\"hi\\\\"\\\\n" .\\n'
"""

from __future__ import annotations

from typing import Union

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

Term = Union[URIRef, Literal, BNode]
Triple = tuple[Term, Term, Term]
Quad = tuple[Term, Term, Term, "URIRef | None"]

_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}


def term_nt(term: Term) -> str:
    """Serialise one term in N-Triples syntax.

    >>> term_nt(Literal(314))
    '"314"^^<http://www.w3.org/2001/XMLSchema#integer>'
    >>> term_nt(Literal("Kyiv", lang="en"))
    '"Kyiv"@en'
    """
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = '"' + str(term).translate(_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{text}^^<{term.datatype}>"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def nquad(s: Term, p: Term, o: Term, g: URIRef | None) -> str:
    """Serialise one quad (or a triple when ``g`` is None) as an N-Quads line."""
    if g is None:
        return f"{term_nt(s)} {term_nt(p)} {term_nt(o)} .\n"
    return f"{term_nt(s)} {term_nt(p)} {term_nt(o)} <{g}> .\n"
