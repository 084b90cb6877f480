"""What a SPARQL request asks for, read before it runs: its form, its dataset, and whether it reaches out.

The endpoint refuses ``SERVICE`` (federated queries would make this server
fetch other addresses) and ``LOAD`` (which fetches a URL). Both are found in
the parse tree of rdflib's SPARQL grammar, so ``"SERVICE"`` inside a string,
an IRI, a comment or a variable name is no false alarm. Text that rdflib
cannot parse (Oxigraph accepts a few SPARQL 1.2 extensions) falls back to a
scan of the bare keywords left once strings, IRIs and comments are removed —
that scan errs on the side of refusing.

>>> inspect_query("SELECT * WHERE { ?s ?p 'SERVICE' }").form
'select'
>>> inspect_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
detente.api.sparql_guard.RefusedQuery: SERVICE (federated query) is not allowed on this endpoint
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

__all__ = ["RefusedQuery", "QueryShape", "inspect_query", "inspect_update"]

_FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "graph", "DescribeQuery": "graph"}


class RefusedQuery(ValueError):
    """The request is valid SPARQL but asks for something this endpoint never does."""


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
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
    re.S,
)
# A keyword is bare when it is neither a variable (?service), nor part of a prefixed name (ex:service, load:x).
_BARE_KEYWORD = re.compile(r"(?<![?$:\w])(SERVICE|LOAD)(?![\w:])", re.I)


def _scan_outbound(text: str) -> None:
    stripped = _LEXICAL_NOISE.sub(" ", text)
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
    >>> inspect_update("LOAD <http://example.org/data.ttl>")
    Traceback (most recent call last):
    ...
    detente.api.sparql_guard.RefusedQuery: LOAD is not allowed on this endpoint: it would fetch a URL
    """
    try:
        tree = parseUpdate(text)
    except (ParseException, Exception):
        _scan_outbound(text)
        return
    _refuse_outbound(tree)
