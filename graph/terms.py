r"""RDF terms as the store layer passes them around, and the rules for their text.

The store speaks rdflib terms (``URIRef``, ``Literal``, ``BNode``) at its
edges and N-Quads text on its fast paths. The serialiser here writes strict
N-Quads (rdflib's ``n3()`` may write Turtle long strings, which N-Quads forbids).

This module holds the one rule for what an IRI may contain (:data:`IRI_CHARS`, :func:`iri_problem`,
the N-Triples/SPARQL ``IRIREF`` production), for shortening an IRI to a CURIE
(:func:`curie`), and the one decoder of SPARQL JSON results (:func:`term_from_json`).

>>> from rdflib import URIRef, Literal
>>> nquad(URIRef("http://ex/s"), URIRef("http://ex/p"), Literal('say "hi"\n'), None)
'<http://ex/s> <http://ex/p> "say \\"hi\\"\\n" .\n'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from detente.ontology.vocab import DTR, curie_of

Term = URIRef | Literal | BNode
Triple = tuple[Term, Term, Term]
Quad = tuple[Term, Term, Term, URIRef | None]

# -- the IRI rule -------------------------------------------------------------------

# Controls, space and <>"{}|^`\ : written raw they would end an IRI early or break the text around it.
_IRI_FORBIDDEN = r'\x00-\x20<>"{}|^`\\'
#: One character an IRI may hold (the N-Triples and SPARQL ``IRIREF`` production).
IRI_CHARS = f"[^{_IRI_FORBIDDEN}]"
#: An IRI between angle brackets, as N-Triples, N-Quads and SPARQL write it.
IRIREF = f"<{IRI_CHARS}*>"
_BAD_IRI = re.compile(f"[{_IRI_FORBIDDEN}]")
_ABSOLUTE_IRI = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:{IRI_CHARS}*")


def is_iri_text(text: str) -> bool:
    """True when ``text`` can stand between ``<`` and ``>`` in N-Triples or SPARQL.

    >>> is_iri_text("https://w3id.org/detente/id/state/UKR"), is_iri_text("http://ex/a> } DROP ALL")
    (True, False)
    """
    return _BAD_IRI.search(text) is None


def iri_problem(text: str) -> str | None:
    r"""What keeps ``text`` from being an IRI (the first character :func:`is_iri_text` refuses), or None.

    >>> iri_problem("http://ex.org/a b"), iri_problem("http://ex.org/a>b"), iri_problem("http://ex.org/a")
    ('holds a space at position 15', "holds '>' at position 15", None)
    >>> iri_problem("http://ex.org/a\nb")
    'holds a line break at position 15'
    """
    found = _BAD_IRI.search(text)
    if found is None:
        return None
    char = found.group()
    if char == " ":
        what = "a space"
    elif char in "\r\n":
        what = "a line break"
    elif char < " ":
        what = f"the control character U+{ord(char):04X}"
    else:
        what = repr(char)
    return f"holds {what} at position {found.start()}"


def is_absolute_iri(text: str) -> bool:
    """True for an absolute IRI: a scheme, a colon, and only characters :func:`is_iri_text` allows.

    A CURIE such as ``state:UKR`` is also one by its syntax; resolvers try CURIEs first.

    >>> is_absolute_iri("https://w3id.org/detente/id/state/UKR"), is_absolute_iri("not an iri")
    (True, False)
    """
    return _ABSOLUTE_IRI.fullmatch(text) is not None


def local_path(iri: str) -> str | None:
    """The part of a detente data IRI after the base (``state/UKR``); None for an IRI outside the data base.

    The HTTP routes and the reconciliation ids write entities so.

    >>> local_path("https://w3id.org/detente/id/state/UKR"), local_path("http://example.org/x")
    ('state/UKR', None)
    """
    base = str(DTR)
    return iri[len(base):] if iri.startswith(base) and len(iri) > len(base) else None


def curie(iri: str) -> str:
    """The project CURIE of an IRI, or the IRI itself (for JSON and network attributes).

    The rule is :func:`detente.ontology.vocab.curie_of`, which the ontology's reports share.

    >>> curie("https://w3id.org/detente/ontology#hasParty"), curie("http://example.org/x")
    ('dt:hasParty', 'http://example.org/x')
    """
    return curie_of(iri) or iri
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}


# Serialised IRIs (validated once) and datatype suffixes, by term: loading a million claims
# writes the same few thousand IRIs over and over. Bounded so a long run cannot grow it forever.
_IRI_NT: dict[str, str] = {}
_IRI_CACHE_LIMIT = 1 << 16  # about 15 MB: sources and events repeat within a few claims of each other
_DATATYPE_SUFFIX: dict[str, str] = {}


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


def checked_iri(text: str) -> URIRef:
    """``URIRef(text)`` for a text its maker knows to be an IRI (a checked namespace and a hex digest).

    rdflib's constructor only warns about a bad IRI, after a search per forbidden character; a text built
    from parts already checked needs no search. The object is the one ``URIRef(text)`` makes.

    >>> checked_iri("https://w3id.org/detente/id/claim/0a1b") == URIRef("https://w3id.org/detente/id/claim/0a1b")
    True
    """
    return str.__new__(URIRef, text)


def literal_nt(lexical: str) -> str:
    r"""A plain string literal in N-Triples syntax (quotes, backslashes and line breaks escaped).

    >>> literal_nt('say "hi"')
    '"say \\"hi\\""'
    """
    # Four searches for one character each cost less than one search for any of four.
    if '"' in lexical or "\\" in lexical or "\n" in lexical or "\r" in lexical:
        return '"' + lexical.translate(_ESCAPES) + '"'
    return '"' + lexical + '"'


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


#: How SPARQL TSV writes numbers bare (not as N-Triples literals): integers and decimals; anything else
#: bare that is not ``true`` or ``false`` is a double.
BARE_INTEGER = re.compile(r"[+-]?[0-9]+")
BARE_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+")
_XSD_NS = str(XSD)


def tsv_cell_nt(cell: str) -> str | None:
    """One cell of SPARQL TSV results in N-Triples syntax (None where the variable is unbound).

    TSV writes terms as N-Triples do, except numbers and booleans, which it may write bare.

    >>> tsv_cell_nt("314"), tsv_cell_nt("<http://ex/a>"), tsv_cell_nt("")
    ('"314"^^<http://www.w3.org/2001/XMLSchema#integer>', '<http://ex/a>', None)
    """
    if not cell:
        return None
    if cell[0] in '<"_':
        return cell
    if cell in ("true", "false"):
        return f'"{cell}"^^<{_XSD_NS}boolean>'
    if BARE_INTEGER.fullmatch(cell):
        return f'"{cell}"^^<{_XSD_NS}integer>'
    if BARE_DECIMAL.fullmatch(cell):
        return f'"{cell}"^^<{_XSD_NS}decimal>'
    return f'"{cell}"^^<{_XSD_NS}double>'


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


def order_key(term: Term | None) -> tuple[object, ...]:
    """A sort key putting terms in SPARQL ``ORDER BY`` order (as Oxigraph sorts them).

    Unbound first, then blank nodes, IRIs (by text) and literals: numbers by
    value, then booleans, dates and times (ISO text), strings (by text, then
    language), and other datatypes by datatype and text. Sorting in Python
    spares the engine a sort (Oxigraph decodes every term it compares).

    >>> sorted([Literal(10), URIRef("http://b"), Literal(9), Literal("a"), URIRef("http://a")],
    ...        key=order_key)  # doctest: +NORMALIZE_WHITESPACE
    [rdflib.term.URIRef('http://a'), rdflib.term.URIRef('http://b'),
     rdflib.term.Literal('9', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')),
     rdflib.term.Literal('10', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')),
     rdflib.term.Literal('a')]
    """
    if term is None:
        return (0,)
    if type(term) is URIRef or isinstance(term, URIRef):
        return (2, str(term))
    if isinstance(term, BNode):
        return (1, str(term))
    datatype = str(term.datatype) if term.datatype is not None else ""
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
        return (3, 3, text, term.language or "")
    return (3, 4, datatype, text)
# -- SPARQL JSON results --------------------------------------------------------------

def _bnode(label: str) -> BNode:
    # Virtuoso names blank nodes "nodeID://b10001"; keep a label valid in N-Quads.
    return BNode(re.sub(r"[^A-Za-z0-9_\-]", "_", label.removeprefix("nodeID://")))


def term_from_json(value: Mapping[str, str]) -> Term:
    """An rdflib term from one binding of SPARQL JSON results (also Virtuoso's ``typed-literal``).

    Virtuoso stores booleans as integers and reads them back as ``0``/``1``:
    they come back as ``false``/``true``.

    >>> term_from_json({"type": "typed-literal", "datatype": str(XSD.boolean), "value": "1"})
    rdflib.term.Literal('true', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#boolean'))
    >>> term_from_json({"type": "literal", "value": "Kyiv", "xml:lang": "en"})
    rdflib.term.Literal('Kyiv', lang='en')
    """
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return _bnode(value["value"])
    if kind in ("literal", "typed-literal"):
        lang = value.get("xml:lang")
        if lang:
            return Literal(value["value"], lang=lang)
        datatype = value.get("datatype")
        if datatype is None or datatype == _XSD_STRING:
            return Literal(value["value"])
        text = value["value"]
        if datatype == _XSD_BOOLEAN and text in ("0", "1"):
            text = "true" if text == "1" else "false"
        return Literal(text, datatype=URIRef(datatype))
    raise ValueError(f"unknown term type in SPARQL JSON results: {kind!r}")


_XSD_STRING = str(XSD.string)
_XSD_BOOLEAN = str(XSD.boolean)


def rows_from_json(document: Mapping[str, object], names: Iterable[str] | None = None
                   ) -> list[tuple[Term | None, ...]]:
    """The rows of a SPARQL JSON results document, each distinct term built once and shared.

    A projection sees the same few thousand IRIs hundreds of thousands of
    times; shared objects make the dictionary work that follows much cheaper.

    >>> rows_from_json({"head": {"vars": ["x", "y"]}, "results": {"bindings": [
    ...     {"x": {"type": "uri", "value": "http://ex/a"}}, {"x": {"type": "uri", "value": "http://ex/a"}}]}})
    [(rdflib.term.URIRef('http://ex/a'), None), (rdflib.term.URIRef('http://ex/a'), None)]
    """
    columns = list(names if names is not None else document["head"]["vars"])  # type: ignore[index]
    iris: dict[str, URIRef] = {}
    others: dict[tuple[str, ...], Term] = {}
    rows: list[tuple[Term | None, ...]] = []
    for binding in document["results"]["bindings"]:  # type: ignore[index]
        row: list[Term | None] = []
        for name in columns:
            cell = binding.get(name)
            if cell is None:
                row.append(None)
                continue
            value = cell["value"]
            if cell["type"] == "uri":
                found = iris.get(value)
                if found is None:
                    found = iris[value] = URIRef(value)
                row.append(found)
                continue
            key = (cell["type"], value, cell.get("datatype") or "", cell.get("xml:lang") or "")
            other = others.get(key)
            if other is None:
                other = others[key] = term_from_json(cell)
            row.append(other)
        rows.append(tuple(row))
    return rows
