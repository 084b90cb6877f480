"""RDF terms as the store layer passes them around.

The store speaks rdflib terms (``URIRef``, ``Literal``, ``BNode``) at its
edges and N-Quads text on its fast paths. The serialiser here writes strict
N-Quads (rdflib's ``n3()`` may write Turtle long strings, which N-Quads forbids).

>>> from rdflib import URIRef, Literal
>>> nquad(URIRef("http://ex/s"), URIRef("http://ex/p"), Literal('say "hi"\\n'), None)
'<http://ex/s> <http://ex/p> "say \\\\"hi\\\\"\\\\n" .\\n'
"""

from __future__ import annotations

import re
from typing import Union

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

Term = Union[URIRef, Literal, BNode]
Triple = tuple[Term, Term, Term]
Quad = tuple[Term, Term, Term, "URIRef | None"]

# Characters an N-Triples/SPARQL IRI may not hold: written raw they would end the IRI early.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}


# Serialised IRIs (validated once) and datatype suffixes, by term: loading a million claims
# writes the same few thousand IRIs over and over. Bounded so a long run cannot grow it forever.
_IRI_NT: dict[str, str] = {}
_IRI_CACHE_LIMIT = 1 << 18
_DATATYPE_SUFFIX: dict[str, str] = {}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r]')


def _iri_nt(term: URIRef) -> str:
    # Keyed by the plain string: URIRef.__eq__ is Python code, str equality is not.
    term = str(term)  # type: ignore[assignment]
    cached = _IRI_NT.get(term)
    if cached is None:
        if _BAD_IRI.search(term):
            raise ValueError(f"not a valid IRI (no spaces or <>\"{{}}|^`\\ allowed): {str(term)!r}")
        if len(_IRI_NT) >= _IRI_CACHE_LIMIT:
            _IRI_NT.clear()
        cached = _IRI_NT[term] = f"<{term}>"
    return cached


def literal_nt(lexical: str) -> str:
    """A plain string literal in N-Triples syntax (quotes, backslashes and line breaks escaped).

    >>> literal_nt('say "hi"')
    '"say \\\\"hi\\\\""'
    """
    return '"' + (lexical.translate(_ESCAPES) if _NEEDS_ESCAPE.search(lexical) else lexical) + '"'


def term_nt(term: Term) -> str:
    """Serialise one term in N-Triples syntax.

    >>> term_nt(Literal(314))
    '"314"^^<http://www.w3.org/2001/XMLSchema#integer>'
    >>> term_nt(Literal("Kyiv", lang="en"))
    '"Kyiv"@en'
    """
    if type(term) is URIRef:  # the common case first, without a further call when cached
        return _IRI_NT.get(str(term)) or _iri_nt(term)
    if isinstance(term, URIRef):
        return _iri_nt(term)
    if isinstance(term, Literal):
        text = literal_nt(str(term))
        language = term.language
        if language:
            return f"{text}@{language}"
        datatype = term.datatype
        if datatype is None:
            return text
        suffix = _DATATYPE_SUFFIX.get(str(datatype))
        if suffix is None:
            suffix = "" if datatype == XSD.string else "^^" + _iri_nt(URIRef(datatype))
            _DATATYPE_SUFFIX[str(datatype)] = suffix
        return text + suffix
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def nquad(s: Term, p: Term, o: Term, g: URIRef | None) -> str:
    """Serialise one quad (or a triple when ``g`` is None) as an N-Quads line."""
    if g is None:
        return f"{term_nt(s)} {term_nt(p)} {term_nt(o)} .\n"
    return f"{term_nt(s)} {term_nt(p)} {term_nt(o)} <{g}> .\n"


_NUMERIC = {str(XSD[name]) for name in ("integer", "decimal", "float", "double", "int", "long", "short", "byte",
                                        "nonNegativeInteger", "positiveInteger", "negativeInteger",
                                        "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
                                        "unsignedByte")}
_TEMPORAL = {str(XSD[name]) for name in ("date", "dateTime", "gYear", "gYearMonth", "time")}


def order_key(term: Term | None) -> tuple:
    """A sort key putting terms in SPARQL ``ORDER BY`` order (as Oxigraph sorts them).

    Unbound first, then blank nodes, IRIs (by text) and literals: numbers by
    value, then booleans, dates and times (ISO text), strings (by text, then
    language), and other datatypes by datatype and text. Sorting in Python
    spares the engine a sort (Oxigraph decodes every term it compares).

    >>> sorted([Literal(10), URIRef("http://b"), Literal(9), Literal("a"), URIRef("http://a")], key=order_key)
    [rdflib.term.URIRef('http://a'), rdflib.term.URIRef('http://b'), rdflib.term.Literal('9', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')), rdflib.term.Literal('10', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')), rdflib.term.Literal('a')]
    """
    if term is None:
        return (0,)
    if type(term) is URIRef or isinstance(term, URIRef):
        return (2, str(term))
    if isinstance(term, BNode):
        return (1, str(term))
    datatype = str(term.datatype) if term.datatype is not None else ""  # type: ignore[union-attr]
    text = str(term)
    if datatype in _NUMERIC:
        try:
            return (3, 0, float(text), text)
        except ValueError:
            return (3, 9, datatype, text)
    if datatype == str(XSD.boolean):
        return (3, 1, text in ("true", "1"), text)
    if datatype in _TEMPORAL:
        return (3, 2, text)
    if not datatype or datatype == str(XSD.string):
        return (3, 3, text, term.language or "")  # type: ignore[union-attr]
    return (3, 4, datatype, text)
