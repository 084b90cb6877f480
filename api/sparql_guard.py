"""What a SPARQL request asks for, read before it runs: its form, its dataset, and whether it reaches out.

The endpoint refuses ``SERVICE`` (federated queries would make this server
fetch other addresses) and ``LOAD`` (which fetches a URL). Both are found in
the parse tree of rdflib's SPARQL grammar, so ``"SERVICE"`` inside a string,
an IRI, a comment or a variable name is no false alarm. Text that rdflib
cannot parse (Oxigraph accepts a few SPARQL 1.2 extensions) falls back to a
scan of the bare keywords left once strings, IRIs and comments are removed —
that scan errs on the side of refusing.

The same lexical scan runs first as a filter: a keyword can only be a bare
token, so text without a bare ``SERVICE``, ``LOAD`` or ``FROM`` cannot hold
one, and rdflib's (slow) parser runs only for text that has one.

>>> inspect_query("SELECT * WHERE { ?s ?p 'SERVICE' }").form
'select'
>>> try:
...     inspect_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
... except RefusedQuery as refusal:
...     print(refusal)
SERVICE (federated query) is not allowed on this endpoint
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from detente.errors import RefusedError
from detente.graph.terms import IRIREF

__all__ = ["RefusedQuery", "QueryShape", "inspect_query", "inspect_update"]

_FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "graph", "DescribeQuery": "graph"}


#: The request is valid SPARQL but asks for something this endpoint never does (HTTP 400).
RefusedQuery = RefusedError


@dataclass(frozen=True)
class QueryShape:
    """What :func:`inspect_query` learnt about a query.

    Attributes
    ----------
    form:
        ``"select"``, ``"ask"``, ``"graph"`` (CONSTRUCT/DESCRIBE), or None if
        only the fallback scan could read the text.
    from_graphs, from_named_graphs:
        IRIs of its ``FROM`` and ``FROM NAMED`` clauses.
    """

    form: str | None
    from_graphs: tuple[str, ...] = field(default_factory=tuple)
    from_named_graphs: tuple[str, ...] = field(default_factory=tuple)


def _walk(node: Any) -> Any:
    """Every node of a pyparsing tree (CompValue nodes are dicts, lists are ParseResults)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, dict):
            stack.extend(current.values())
        if isinstance(current, (list, tuple, ParseResults)):
            stack.extend(current)


def _node_name(node: Any) -> str | None:
    return getattr(node, "name", None) if isinstance(node, dict) else None


def _refuse_outbound(tree: Any) -> None:
    for node in _walk(tree):
        name = _node_name(node)
        if name == "ServiceGraphPattern":
            raise RefusedQuery("SERVICE (federated query) is not allowed on this endpoint")
        if name == "Load":
            raise RefusedQuery("LOAD is not allowed on this endpoint: it would fetch a URL")


# Strings (long and short), IRIs and comments, removed before the fallback keyword scan.
_LEXICAL_NOISE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|" + IRIREF +
    r"|#[^\n]*",
    re.S,
)
# A keyword is bare when it is neither a variable (?service), nor part of a prefixed name (ex:service, load:x).
_BARE_KEYWORD = re.compile(r"(?<![?$:\w])(SERVICE|LOAD)(?![\w:])", re.I)


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Keywords that call for a full parse: the outbound ones, and FROM (whose IRIs form the dataset).
_NEEDS_PARSE = re.compile(r"(?<![?$:\w])(SERVICE|LOAD|FROM)(?![\w:])", re.I)
_FORM_KEYWORD = re.compile(r"(?<![?$:\w])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])", re.I)
_FORM_OF_KEYWORD = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def _bare_text(text: str) -> str:
    """The query without strings, IRIs and comments, SPARQL's \\u escapes decoded first (the spec allows
    them anywhere, so ``\\u0053ERVICE`` must count as ``SERVICE``)."""
    decoded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if int(m.group(1) or m.group(2), 16)
                             < 0x110000 else m.group(0), text)
    return _LEXICAL_NOISE.sub(" ", decoded)


def _scan_outbound(text: str) -> None:
    stripped = _bare_text(text)
    match = _BARE_KEYWORD.search(stripped)
    if match is None:
        return
    if match.group(1).upper() == "SERVICE":
        raise RefusedQuery("SERVICE (federated query) is not allowed on this endpoint")
    raise RefusedQuery("LOAD is not allowed on this endpoint: it would fetch a URL")


def _iri_text(value: Any) -> str | None:
    return str(value) if value is not None and not isinstance(value, (dict, ParseResults)) else None


@lru_cache(maxsize=512)
def inspect_query(text: str) -> QueryShape:
    """Refuse a query that reaches out, and report its form and ``FROM`` dataset.

    Raises
    ------
    RefusedQuery
        The query uses ``SERVICE``.

    >>> shape = inspect_query("CONSTRUCT { ?s ?p ?o } FROM <http://example.org/g> WHERE { ?s ?p ?o }")
    >>> shape.form, shape.from_graphs
    ('graph', ('http://example.org/g',))
    >>> inspect_query("SELECT ?service WHERE { ?service ?p ex:load }").form
    'select'
    """
    bare = _bare_text(text)
    if not _NEEDS_PARSE.search(bare):
        # No SERVICE, LOAD or FROM outside strings, IRIs and comments: nothing to refuse, no dataset to read,
        # and the form is the first form keyword. This skips rdflib's slow parser for most queries.
        form = _FORM_KEYWORD.search(bare)
        return QueryShape(form=_FORM_OF_KEYWORD[form.group(1).upper()] if form else None)
    try:
        tree = parseQuery(text)
    except (ParseException, Exception):  # rdflib's grammar is narrower than Oxigraph's: scan instead.
        _scan_outbound(text)
        return QueryShape(form=None)
    _refuse_outbound(tree)
    query = tree[1]
    from_graphs: list[str] = []
    from_named: list[str] = []
    clauses = query["datasetClause"] if "datasetClause" in query else []
    for clause in clauses:
        default_iri = _iri_text(clause["default"]) if "default" in clause else None
        named_iri = _iri_text(clause["named"]) if "named" in clause else None
        if default_iri is not None:
            from_graphs.append(default_iri)
        if named_iri is not None:
            from_named.append(named_iri)
    return QueryShape(form=_FORMS.get(_node_name(query) or ""), from_graphs=tuple(from_graphs),
                      from_named_graphs=tuple(from_named))


@lru_cache(maxsize=128)
def inspect_update(text: str) -> None:
    """Refuse an update that loads a URL or queries a remote service.

    >>> inspect_update("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }")
    >>> try:
    ...     inspect_update("LOAD <http://example.org/data.ttl>")
    ... except RefusedQuery as refusal:
    ...     print(refusal)
    LOAD is not allowed on this endpoint: it would fetch a URL
    """
    if not _BARE_KEYWORD.search(_bare_text(text)):
        return
    try:
        tree = parseUpdate(text)
    except (ParseException, Exception):
        _scan_outbound(text)
        return
    _refuse_outbound(tree)
