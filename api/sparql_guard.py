r"""What a SPARQL request asks for, read before it runs: its form, its dataset, and whether it reaches out.

This guard is a courtesy, not the defence. It finds a plain ``SERVICE`` or
``LOAD`` early and answers with a friendly message, but it reads the text with
rdflib's grammar while the engine reads it with Oxigraph's, and the two can
disagree (a ``\u0022`` escape, a ``\r`` ending a comment). Security does not
rest on it: the processes that evaluate client SPARQL on the embedded engine
cannot open a network connection at all (:mod:`detente.api.sandbox`).

Where that sandbox cannot be installed (not Linux x86-64/aarch64, or a remote
``sparql+http`` store whose workers need the network), :func:`scan_outbound`
refuses conservatively instead: ``\u`` escapes are decoded first, and any
``SERVICE`` or ``LOAD`` that is not part of a variable or prefixed name is
refused — even inside a string or a comment, because it errs on refusing.

The courtesy check finds both keywords in the parse tree of rdflib's SPARQL
grammar, so ``"SERVICE"`` inside a string, an IRI, a comment or a variable
name is no false alarm; text that rdflib cannot parse falls back to a lexical
scan of bare keywords.

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
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from detente.errors import QueryTooComplexError, RefusedError
from detente.graph.terms import IRIREF

__all__ = ["RefusedQuery", "QueryShape", "inspect_query", "inspect_update", "scan_outbound", "check_complexity",
           "MAX_PATTERN_OPERATORS", "MAX_NESTING"]

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
        only the fallback scan could read the text. A hint (which result
        format to try first): what the engine returns decides.
    """

    form: str | None


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
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|" + IRIREF +
    r"|#[^\r\n]*",  # a comment ends at either line-break character, as in the grammar (and Oxigraph)
    re.S,
)
# A keyword is bare when it is neither a variable (?service), nor part of a prefixed name (ex:service, load:x).
_BARE_KEYWORD = re.compile(r"(?<![?$:\w])(SERVICE|LOAD)(?![\w:])", re.I)


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_FORM_KEYWORD = re.compile(r"(?<![?$:\w])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])", re.I)
_FORM_OF_KEYWORD = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def _bare_text(text: str) -> str:
    r"""The query without strings, IRIs and comments, SPARQL's \u escapes decoded first.

    The spec allows them anywhere, so ``\u0053ERVICE`` must count as ``SERVICE``.
    """
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


#: Most UNION, OPTIONAL and MINUS operators in one request. Oxigraph plans a UNION in time quadratic in its
#: branches (1,000 branches: about 1 s on an empty store; 10,000: about a minute, or a crash on an 8 MiB stack).
MAX_PATTERN_OPERATORS = 1000
#: Deepest nesting of ``{ }``, ``( )`` and ``[ ]`` in one request (the engine recurses once per level).
MAX_NESTING = 1000
_PATTERN_OPERATOR = re.compile(r"(?<![?$:\w])(UNION|OPTIONAL|MINUS)(?![\w:])", re.I)


def _deepest(bare: str) -> int:
    """The deepest nesting of brackets in a text without strings, IRIs and comments.

    A run of ``!`` (logical not) counts as that many levels more: the engine
    parses each as one more nested expression (300,000 of them overflowed its stack).
    """
    depth = deepest = bangs = 0
    for char in bare:
        if char == "!":
            bangs += 1
            deepest = max(deepest, depth + bangs)
            continue
        if not char.isspace():
            bangs = 0
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth -= 1
    return deepest


def check_complexity(text: str) -> None:
    """Refuse a request past :data:`MAX_PATTERN_OPERATORS` or :data:`MAX_NESTING`.

    Strings, IRIs and comments do not count.

    >>> check_complexity("SELECT * WHERE { { ?s ?p 'UNION' } UNION { ?s ?p 1 } }")
    >>> try:
    ...     check_complexity("ASK " + "{" * 1001 + "}" * 1001)
    ... except QueryTooComplexError as refusal:
    ...     print(refusal)
    the query nests groups or brackets 1001 deep; this server accepts at most 1000
    """
    # Counted in the text as read with its \u escapes decoded and as the engine reads it (Oxigraph decodes them
    # only inside strings and IRIs): an escaped quote must not hide what either reading sees.
    readings = (_bare_text(text), _LEXICAL_NOISE.sub(" ", text))
    operators = max(len(_PATTERN_OPERATOR.findall(bare)) for bare in readings)
    if operators > MAX_PATTERN_OPERATORS:
        raise QueryTooComplexError(
            f"the query has {operators} UNION/OPTIONAL/MINUS operators; this server accepts at most "
            f"{MAX_PATTERN_OPERATORS} (for many alternatives of one pattern, use VALUES)")
    deepest = max(_deepest(bare) for bare in readings)
    if deepest > MAX_NESTING:
        raise QueryTooComplexError(f"the query nests groups or brackets {deepest} deep; this server accepts at most "
                                   f"{MAX_NESTING}")


@lru_cache(maxsize=512)
def inspect_query(text: str) -> QueryShape:
    """Refuse a query that reaches out, and report its form.

    Its dataset is not read here: the engine reads the ``FROM`` clauses
    itself (see :meth:`detente.graph.store.Store.query`).

    Raises
    ------
    RefusedQuery
        The query uses ``SERVICE``.

    >>> inspect_query("CONSTRUCT { ?s ?p ?o } FROM <http://example.org/g> WHERE { ?s ?p ?o }").form
    'graph'
    >>> inspect_query("SELECT ?service WHERE { ?service ?p ex:load }").form
    'select'
    """
    check_complexity(text)
    bare = _bare_text(text)
    if not _BARE_KEYWORD.search(bare):
        # No SERVICE or LOAD outside strings, IRIs and comments: nothing to refuse, and the form is the first
        # form keyword. This skips rdflib's slow parser for most queries.
        form = _FORM_KEYWORD.search(bare)
        return QueryShape(form=_FORM_OF_KEYWORD[form.group(1).upper()] if form else None)
    try:
        tree = parseQuery(text)
    except (ParseException, Exception):  # rdflib's grammar is narrower than Oxigraph's: scan instead.
        _scan_outbound(text)
        return QueryShape(form=None)
    _refuse_outbound(tree)
    return QueryShape(form=_FORMS.get(_node_name(tree[1]) or ""))


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
    check_complexity(text)
    if not _BARE_KEYWORD.search(_bare_text(text)):
        return
    try:
        tree = parseUpdate(text)
    except (ParseException, Exception):
        _scan_outbound(text)
        return
    _refuse_outbound(tree)


# -- the conservative scan, where the engine may reach the network ------------------------------------------

# SPARQL 1.1 name characters (grammar productions PN_CHARS_BASE, VARNAME, PN_LOCAL): exactly the spec's
# classes, so that a keyword is never taken for part of a name that the engine would end earlier.
_PN_CHARS_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
                  "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_VARNAME_CHAR = re.compile(f"[{_PN_CHARS_BASE}_0-9\u00B7\u0300-\u036F\u203F-\u2040]")
_PN_LOCAL_CHAR = re.compile(f"[{_PN_CHARS_BASE}_0-9\u00B7\u0300-\u036F\u203F-\u2040\\-.:%\\\\]")
_STRICT_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_OUTBOUND_WORD = re.compile(r"SERVICE|LOAD|DEFINE", re.I)
# Virtuoso's built-in and SQL procedures, callable from SPARQL as bif:name / <bif:name> (bif:http_get fetches).
_ENGINE_PROCEDURE = re.compile(r"(?<![\w.-])(bif|sql):", re.I)


def _inside_a_name(text: str, start: int) -> bool:
    """True when the keyword at ``start`` is inside a name, which the engine cannot read as a keyword.

    That is a variable name (?xLOAD) or the local part of a prefixed name or blank node label (ex:LOAD,
    _:service).
    """
    back = start
    while back > 0 and _VARNAME_CHAR.match(text[back - 1]):
        back -= 1
    if back > 0 and text[back - 1] in "?$":
        return True
    back = start
    while back > 0 and _PN_LOCAL_CHAR.match(text[back - 1]):
        back -= 1
    return ":" in text[back:start]


def scan_outbound(text: str) -> None:
    r"""Refuse any ``SERVICE`` or ``LOAD`` keyword the engine could possibly read, erring on refusing.

    For processes without the network sandbox. The text's ``\u``/``\U``
    escapes are decoded and its IRIs (``<…>`` without spaces, which cannot hold
    a SERVICE or LOAD construct) are removed; every remaining occurrence of
    either word — in a string, a comment, anywhere — is refused unless it is
    part of a variable or prefixed name. So are the ways Virtuoso (the tested
    remote engine) reaches out beyond SPARQL: ``DEFINE`` pragmas (``get:soft``
    and ``input:grab-…`` sponge URLs) and ``bif:``/``sql:`` procedures
    (``bif:http_get``) — a remote engine's own permissions must forbid the rest.

    >>> scan_outbound("SELECT ?loadFactor WHERE { ?s ex:service <http://example.org/SERVICE> }")
    >>> try:
    ...     scan_outbound("PREFIX : <http://127.0.0.1/> SELECT * { SERVICE:x { ?s ?p ?o } }")
    ... except RefusedQuery as refusal:
    ...     print(refusal)  # doctest: +NORMALIZE_WHITESPACE
    SERVICE and LOAD are not allowed on this endpoint (found 'SERVICE' at character 40; this server cannot run
    its query engine without network access, so it refuses the words anywhere, even in strings and comments)
    """
    decoded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16))
                             if int(m.group(1) or m.group(2), 16) < 0x110000 else m.group(0), text)
    procedure = _ENGINE_PROCEDURE.search(decoded)
    if procedure:
        raise RefusedQuery(f"{procedure.group(0)} procedures are not allowed on this endpoint (found at character "
                           f"{procedure.start()}): a remote engine's built-in procedures can fetch URLs")
    bare = _STRICT_IRIREF.sub(lambda m: " " * len(m.group(0)), decoded)
    for match in _OUTBOUND_WORD.finditer(bare):
        if not _inside_a_name(bare, match.start()):
            raise RefusedQuery(f"SERVICE and LOAD are not allowed on this endpoint (found {match.group(0)!r} at "
                               f"character {match.start()}; this server cannot run its query engine without "
                               "network access, so it refuses the words anywhere, even in strings and comments)")
