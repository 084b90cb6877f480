"""SPARQL text helpers shared by the backends: query form, strict term serialisation, bindings.

Bindings are placed as a one-row ``VALUES`` block at the start of the
outermost ``WHERE`` group. Terms are serialised strictly (an IRI that could
escape its token is refused), so a binding can never change the query's
shape. It is also how the embedded store binds: Oxigraph plans a ``VALUES``
join first, while its SEP-0007 substitutions are applied after the scan
(measured 0.37 ms against 77 ms for one claim lookup in 50k claims).

>>> from rdflib import URIRef
>>> inject_values("SELECT ?c WHERE { ?c a dt:Claim }", {"c": URIRef("http://ex/c")})
'SELECT ?c WHERE { VALUES (?c) { (<http://ex/c>) } ?c a dt:Claim }'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef

from detente.errors import QuerySyntaxError
from detente.graph.store import QueryKind
from detente.graph.terms import IRIREF, Term, is_iri_text, term_nt

_SPARQL_TOKEN = re.compile(r'''
    (?P<comment>\#[^\n]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri>''' + IRIREF + r''')
  | (?P<var>[?$][^\s{}()<>,;.=!|&+*/\[\]"'^@#]+)
  | (?P<pname>(?:[A-Za-z_][\w\-.]*)?:[\w\-.%:]*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<other>.)
''', re.X | re.S)
_VARNAME = re.compile(r"[A-Za-z0-9_\u00B7\u00C0-\u1FFF\u2070-\uFFFF]+")
_QUERY_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int
    depth: int  # brace depth before the token


def tokenize(sparql: str) -> list[_Token]:
    """The SPARQL text as tokens with their brace depth (comments and spaces dropped)."""
    tokens: list[_Token] = []
    depth = 0
    for match in _SPARQL_TOKEN.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind == "comment" or match.group().isspace():
            continue
        if kind == "close":
            depth -= 1
        tokens.append(_Token(kind, match.group(), match.start(), match.end(), depth))
        if kind == "open":
            depth += 1
    return tokens


def query_form(sparql: str) -> QueryKind:
    """``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT/DESCRIBE) for a query text.

    >>> query_form("PREFIX ex: <http://ex/select#> # SELECT\\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'graph'
    """
    for token in tokenize(sparql):
        if token.kind == "word" and token.depth == 0 and token.text.upper() in _QUERY_FORMS:
            return _QUERY_FORMS[token.text.upper()]  # type: ignore[return-value]
    raise QuerySyntaxError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")


def sparql_term(term: Term) -> str:
    """A term as SPARQL text, refusing anything that could escape its token.

    >>> sparql_term(Literal('a "quoted"\\nline', lang="en"))
    '"a \\\\"quoted\\\\"\\\\nline"@en'
    >>> sparql_term(URIRef("http://ex/a> } DROP ALL"))
    Traceback (most recent call last):
    ...
    ValueError: not a valid IRI for SPARQL: 'http://ex/a> } DROP ALL'
    """
    if isinstance(term, BNode):
        raise ValueError("a blank node cannot be bound over the SPARQL protocol; use an IRI")
    if isinstance(term, URIRef):
        if not is_iri_text(str(term)):
            raise ValueError(f"not a valid IRI for SPARQL: {str(term)!r}")
    elif isinstance(term, Literal):
        if term.language and re.fullmatch(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*", term.language) is None:
            raise ValueError(f"not a valid language tag: {term.language!r}")
        if term.datatype is not None and not is_iri_text(str(term.datatype)):
            raise ValueError(f"not a valid datatype IRI: {str(term.datatype)!r}")
    else:
        raise TypeError(f"not an RDF term: {term!r}")
    return term_nt(term)


def values_block(bindings: Mapping[str, Term]) -> str:
    """A one-row ``VALUES`` block for variable bindings.

    >>> values_block({"claim": URIRef("http://ex/c"), "n": Literal(314)})
    'VALUES (?claim ?n) { (<http://ex/c> "314"^^<http://www.w3.org/2001/XMLSchema#integer>) }'
    """
    names = []
    for name in bindings:
        if _VARNAME.fullmatch(name) is None:
            raise ValueError(f"not a SPARQL variable name: {name!r}")
        names.append(f"?{name}")
    values = " ".join(sparql_term(term) for term in bindings.values())
    return f"VALUES ({' '.join(names)}) {{ ({values}) }}"


def check_projection(sparql: str, names: Iterable[str]) -> None:
    """Refuse bindings of variables a SELECT does not project, as engine substitution (SEP-0007) does.

    >>> check_projection("SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s", ["s"])
    >>> check_projection("SELECT ?s WHERE { ?s ?p ?o }", ["p"])
    Traceback (most recent call last):
    ...
    detente.errors.QuerySyntaxError: the SELECT must project every bound variable (SEP-0007): ?p is not projected
    """
    tokens = tokenize(sparql)
    start = next((i for i, t in enumerate(tokens) if t.kind == "word" and t.depth == 0
                  and t.text.upper() == "SELECT"), None)
    if start is None:
        return
    projected: set[str] = set()
    parens = 0
    for index in range(start + 1, len(tokens)):
        token = tokens[index]
        if token.kind == "open" or (token.kind == "word" and token.text.upper() in ("WHERE", "FROM")):
            break
        if token.text == "*" and parens == 0:
            return
        parens += {"(": 1, ")": -1}.get(token.text, 0)
        previous = tokens[index - 1].text.upper()
        if token.kind == "var" and (parens == 0 or previous == "AS"):
            projected.add(token.text[1:])
    missing = [name for name in names if name not in projected]
    if missing:
        raise QuerySyntaxError("the SELECT must project every bound variable (SEP-0007): "
                               + ", ".join(f"?{name}" for name in missing) + " is not projected")


def _group_end(tokens: list[_Token], open_index: int) -> int:
    """Index of the token closing the group opened at ``open_index``."""
    depth = tokens[open_index].depth
    for index in range(open_index + 1, len(tokens)):
        if tokens[index].kind == "close" and tokens[index].depth == depth:
            return index
    raise QuerySyntaxError("unbalanced braces in the SPARQL text")


def _next_open(tokens: list[_Token], start: int) -> int:
    for index in range(start, len(tokens)):
        if tokens[index].kind == "open" and tokens[index].depth == 0:
            return index
    raise QuerySyntaxError("no group pattern { … } in the SPARQL text")


def inject_values(sparql: str, bindings: Mapping[str, Term], *, update: bool = False) -> str:
    """Bind variables by a ``VALUES`` block at the start of the outermost WHERE group(s).

    Short forms (``CONSTRUCT WHERE { P }``, ``DELETE WHERE { P }``) are
    expanded to ``{ P } WHERE { VALUES … P }`` first, because their patterns
    are templates where ``VALUES`` is not allowed.

    >>> inject_values("SELECT ?c WHERE { ?c a dt:Claim }", {"c": URIRef("http://ex/c")})
    'SELECT ?c WHERE { VALUES (?c) { (<http://ex/c>) } ?c a dt:Claim }'
    >>> inject_values("ASK { ?c a dt:Claim }", {"c": URIRef("http://ex/c")})
    'ASK { VALUES (?c) { (<http://ex/c>) } ?c a dt:Claim }'
    """
    block = values_block(bindings)
    tokens = tokenize(sparql)
    targets: list[tuple[int, int | None]] = []  # (open-brace token, end of a short form to expand)
    for index, token in enumerate(tokens):
        if token.kind == "word" and token.depth == 0 and token.text.upper() == "WHERE":
            opening = _next_open(tokens, index + 1)
            previous = tokens[index - 1].text.upper() if index > 0 else ""
            short_form = previous in ("DELETE", "CONSTRUCT") and tokens[index - 1].kind == "word"
            targets.append((opening, _group_end(tokens, opening) if short_form else None))
            if not update:
                break
    if not targets:
        if update:
            raise ValueError("bindings need an update with a WHERE clause")
        form = query_form(sparql)
        first = _next_open(tokens, 0)
        if form == "graph" and any(t.kind == "word" and t.text.upper() == "CONSTRUCT" and t.depth == 0
                                   for t in tokens[:first]):
            # CONSTRUCT { template } { pattern }: the second top-level group is the pattern.
            first = _next_open(tokens, _group_end(tokens, first) + 1)
        targets.append((first, None))
    out = sparql
    for opening, short_end in reversed(targets):  # from the end, so earlier offsets stay valid
        open_at = tokens[opening].end
        if short_end is None:
            out = f"{out[:open_at]} {block}{out[open_at:]}"
        else:
            pattern = out[open_at:tokens[short_end].start]
            where_at = tokens[opening - 1].start
            out = f"{out[:where_at]}{{{pattern}}} WHERE {{ {block}{pattern}}}{out[tokens[short_end].end:]}"
    return out


