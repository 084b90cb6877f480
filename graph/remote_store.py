"""A remote backend: any SPARQL 1.1 Query/Update endpoint over HTTP (tested with Virtuoso).

This is how a user outgrows one machine: the same :class:`~detente.graph.store.Store`
contract as the embedded Oxigraph store, spoken over the SPARQL 1.1 Protocol,
plus the Graph Store Protocol (GSP) for bulk loads where the server offers it.

Store URIs
----------
``sparql+http://HOST:PORT/PATH`` (or ``sparql+https://…``) names the query
endpoint; by default updates go to the same URL (as with Virtuoso's
``/sparql``). The store's own options (``update``, ``gsp``, ``user``,
``password``, ``timeout``, ``chunk``, ``page``, ``bulk``, ``batch``,
``loader``, ``sql``, ``spool``) are query parameters of the
URI, parsed once by :class:`~detente.graph.location.StoreLocation` (see
:class:`~detente.graph.location.RemoteOptions`); any other query parameter
stays part of the endpoint URL.

>>> store = RemoteStore("sparql+http://db.example:8890/sparql?update=/sparql-auth&user=dba&password=s3cret")
>>> store.endpoint, store.update_endpoint
('http://db.example:8890/sparql', 'http://db.example:8890/sparql-auth')

Semantics
---------
* The facts view is the named graph :data:`~detente.ontology.vocab.FACTS_GRAPH`
  on the server; a plain query's default graph is
  :data:`~detente.graph.store.DEFAULT_DATASET`, sent as ``default-graph-uri``
  parameters; ``named_graphs`` become ``named-graph-uri`` parameters. Without
  them ``GRAPH ?g`` ranges over every graph the server holds (on a shared
  server that includes graphs detente did not write; detente's own queries
  filter with ``?g a dt:Claim``).
* Bindings: the protocol has no substitution, so ``VALUES`` blocks built from
  strictly serialised terms are placed as on the embedded store (the same
  prepared query shapes, :mod:`detente.graph.sparql_text`): at the start of
  the outermost ``WHERE`` group (of every ``WHERE`` of an update) and of each
  sub-SELECT that uses a bound variable.
* detente's graphs are those whose IRI lies under the data base
  ``https://w3id.org/detente/id/`` plus graphs outside it that detente wrote
  (remembered in a registry graph). :meth:`RemoteStore.clear`, counts, listings
  and dumps touch only those, never the server's own system graphs.
* Bulk loads: a write of at least ``bulk`` quads (default 2000) takes the
  server's bulk path instead of ``INSERT DATA`` batches of ``chunk`` quads:
  with ``loader=virtuoso&sql=HOST:PORT&spool=FOLDER`` (a Virtuoso on this
  machine that may read ``FOLDER``), Virtuoso's own loader over N-Quads files
  of about ``batch`` quads (:mod:`detente.graph.virtuoso_loader`; on a shared 2-core machine
  2–5× the embedded load's wall time as the machine's load varies, about 3.8× its CPU seconds,
  against ~50–90× for ``INSERT DATA``; benchmarks/results/scale.md);
  else, with ``gsp=``, one
  Graph Store Protocol POST per large graph and ``batch`` triples, the small
  graphs (each claim's own) as ``INSERT DATA``. Virtuoso 7.2's GSP takes one
  graph per request and refuses N-Quads and TriG (openlink/virtuoso-opensource#275),
  so claims, each in its own graph, gain little from it; its loader reads
  N-Quads directly. Both were measured against the alternatives in
  benchmarks/results/scale.md ("Remote store (Virtuoso)").
* Atomicity: each HTTP request is one server transaction. Virtuoso's loader
  runs as its bulk loader does, without the transaction log (``log_enable(2)``,
  rows committed as they are written), and ends with a ``checkpoint``, which
  is what makes such a load durable. A write of several requests or files can
  therefore stop part way, leaving the earlier ones (or part of a loader
  file) written; the loader path checks the text of each file before sending
  it, and a text of at most ``batch`` lines whole before writing anything. A
  bulk load first writes a mark
  (``<…/graph/remote-registry#load-HASH> a …#PendingLoad`` in the registry
  graph, logged as any update) and removes it when it completes (for the
  loader: after its checkpoint, so a crash never leaves a cleared mark over a
  lost load); :meth:`RemoteStore.pending_loads` lists the loads that did not. The
  provenance graph, which makes a claim a claim (``?claim a dt:Claim``), is
  written last, so a load cut short leaves assertions and facts without their
  claim rather than claims without their assertions. Recovery is to run the
  same load again: claim IRIs are content-derived, so it adds what is missing
  without duplicates, and the mark, whose IRI derives from the data, is
  removed when it completes.
* Virtuoso normalises some literals: language tags are lower-cased (Oxigraph
  does the same), decimals are canonicalised, ``xsd:boolean`` values are read
  back as ``"true"``/``"false"`` here but are stored as integers, so
  ``true`` and ``1`` on the same subject and property collapse into one value.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, filterfalse
from pathlib import Path
from typing import IO, cast

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from detente.errors import NotAcceptableError, QuerySyntaxError, ResultTooLargeError, StoreError
from detente.graph.location import ReaderSpec, StoreLocation

# inject_values is re-exported: callers (tests/graph/test_store_contract.py) import it from here.
from detente.graph.sparql_text import (
    default_graphs_for,
    inject_values as inject_values,
    prepare,
    query_form,
    sparql_term,
    tokenize,
)
from detente.graph.store import (
    RDF_FORMATS,
    RESULT_FORMATS,
    Bindings,
    QueryResult,
    SerializedResult,
    Store,
    fit_body,
    prefix_header,
)
from detente.graph.terms import IRIREF, Term, Triple, rows_from_json, term_nt
from detente.graph.virtuoso_loader import CALL_LINES, WORKERS as LOADER_WORKERS, VirtuosoLoader
from detente.ontology.vocab import DEFAULT_BASE, FACTS_GRAPH, PREFIXES, PROVENANCE_GRAPH

#: Graphs outside the data base IRI that detente wrote to, so that clear() and dumps find them.
REGISTRY_GRAPH = URIRef(DEFAULT_BASE + "graph/remote-registry")
#: Marks a bulk load in progress in the registry graph (removed when it completes).
PENDING_LOAD = URIRef(DEFAULT_BASE + "graph/remote-registry#PendingLoad")
#: A loader load longer than one file starts with a piece of ``batch // FIRST_PIECE_SHARE`` lines.
FIRST_PIECE_SHARE = 8
#: Graphs that hold at least this many triples of a bulk write go by Graph Store Protocol POSTs.
GSP_MIN_TRIPLES = 50
#: A graph nobody writes: the default graph of a query asked to have an empty one.
EMPTY_GRAPH = URIRef(DEFAULT_BASE + "graph/empty")
_SD_NAMED_GRAPH = URIRef("http://www.w3.org/ns/sparql-service-description#NamedGraph")

_JSON_RESULTS = "application/sparql-results+json"
#: A detente server's header on a result cut at its row cap (``max-rows=N``).
TRUNCATED_HEADER = "X-Detente-Truncated"
_NTRIPLES = "application/n-triples"
_RDFLIB_FORMAT = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld",
                  "rdfxml": "xml"}


# -- N-Quads lines, strictly ----------------------------------------------------

_BNODE = r"_:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?"
# Runs of plain characters are taken whole, escapes one by one (the same language, fewer regex steps).
_LITERAL = (r'"[^"\\\n\r]*(?:\\(?:[tbnrf"\'\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})[^"\\\n\r]*)*"'
            r"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^" + IRIREF + ")?")


def _statement(s: str, p: str, o: str, g: str) -> str:
    """One N-Quads statement with its terms in the groups opened by ``s``, ``p``, ``o`` and ``g``."""
    return (rf"[ \t]*{s}{IRIREF}|{_BNODE})[ \t]+{p}{IRIREF})[ \t]+{o}{IRIREF}|{_BNODE}|{_LITERAL})"
            rf"(?:[ \t]+{g}{IRIREF}|{_BNODE}))?[ \t]*\.[ \t]*(?:#[^\n]*)?")


_NQUAD_LINE = re.compile(_statement("(?P<s>", "(?P<p>", "(?P<o>", "(?P<g>"))
#: Every valid line of a text in one scan, capturing only its graph term ("" for none).
_GRAPH_OF_EACH_LINE = re.compile(f"^{_statement('(?:', '(?:', '(?:', '(')}$", re.MULTILINE)
_BLANK_LINE = re.compile(r"[ \t]*(?:#.*)?")


@dataclass(frozen=True)
class _Quad:
    """One N-Quads statement as strictly validated term texts (safe to paste into SPARQL)."""

    triple: str
    graph: str
    has_bnode: bool


def parse_nquads_lines(nquads: str, first_line: int = 1) -> list[_Quad]:
    r"""Split N-Quads text into validated statements; triples without a graph go to the facts graph.

    Every term must match the N-Quads grammar, so the text can be pasted into
    ``INSERT DATA`` without any chance of injecting SPARQL. Errors name the
    line, counting the text's first as ``first_line``.

    >>> [q.graph for q in parse_nquads_lines('<http://ex/a> <http://ex/p> "x" .\n')]
    ['<https://w3id.org/detente/id/graph/facts>']
    >>> parse_nquads_lines('<http://ex/a> <http://ex/p> "x" } ; DROP ALL ; .')
    Traceback (most recent call last):
    ...
    detente.errors.StoreError: invalid N-Quads at line 1: <http://ex/a> <http://ex/p> "x" } ; DROP ALL ; .
    """
    facts = f"<{FACTS_GRAPH}>"
    quads: list[_Quad] = []
    for number, line in enumerate(nquads.splitlines(), start=first_line):
        match = _NQUAD_LINE.fullmatch(line)
        if match is None:
            if _BLANK_LINE.fullmatch(line):
                continue
            raise StoreError(f"invalid N-Quads at line {number}: {line[:200]}")
        s, p, o, g = match.group("s", "p", "o", "g")
        if g is not None and g.startswith("_:"):
            raise StoreError(f"invalid N-Quads at line {number}: a SPARQL store cannot name a graph by a blank node")
        quads.append(_Quad(f"{s} {p} {o} .", g or facts, s.startswith("_:") or o.startswith("_:")))
    return quads



@dataclass(frozen=True)
class LoaderLines:
    """A text's statements sorted into the files of a bulk load, each statement once (no line breaks kept)."""

    #: Statements without a blank node outside the provenance graph.
    plain: list[str]
    #: Statements with a blank node: they travel in one file, so a label names one node.
    blank: list[str]
    #: The provenance graph's, loaded last (it makes a claim a claim).
    provenance: list[str]
    #: The graph terms the statements name (``<IRI>``; statements without one go to the facts graph).
    graphs: frozenset[str]
    #: Line breaks in the text (the next text's first line is ``first_line + breaks``).
    breaks: int = 0


def loader_lines(nquads: str, first_line: int = 1) -> LoaderLines:
    r"""Check every statement of ``nquads`` strictly, then sort them for Virtuoso's loader.

    One regular-expression scan checks the whole text and finds each line's
    graph; a text it does not take line for line (blank or comment lines,
    ``\r\n`` endings, an error to report with its line number) goes through
    :func:`parse_nquads_lines` instead (errors count the first line as
    ``first_line``). Repeated statements are dropped (the facts graph repeats
    a fact once per claim that states it).

    >>> text = ('<http://ex/a> <http://ex/p> "x" .\n<http://ex/a> <http://ex/p> "x" .\n'
    ...         '_:b <http://ex/p> <http://ex/a> <http://ex/g> .\n'
    ...         '<http://ex/c> <http://ex/p> <http://ex/a> <https://w3id.org/detente/id/graph/provenance> .\n')
    >>> parts = loader_lines(text)
    >>> parts.plain, len(parts.provenance), parts.breaks
    (['<http://ex/a> <http://ex/p> "x" .'], 1, 4)
    >>> parts.blank, sorted(parts.graphs)
    (['_:b <http://ex/p> <http://ex/a> <http://ex/g> .'], ['<http://ex/g>', '<https://w3id.org/detente/id/graph/provenance>'])
    >>> loader_lines(text + '<http://ex/a> <http://ex/p> "x" } ; DROP ALL .\n')
    Traceback (most recent call last):
    ...
    detente.errors.StoreError: invalid N-Quads at line 5: <http://ex/a> <http://ex/p> "x" } ; DROP ALL .
    """
    lines = nquads.split("\n")
    breaks = len(lines) - 1
    if lines and not lines[-1]:
        lines.pop()
    graphs: list[str] = _GRAPH_OF_EACH_LINE.findall(nquads)
    distinct = set(graphs)
    if len(graphs) != len(lines) or any(graph.startswith("_:") for graph in distinct):
        quads = parse_nquads_lines(nquads, first_line)  # raises on the first bad line
        lines = [f"{quad.triple[:-1]}{quad.graph} ." for quad in quads]
        graphs = [quad.graph for quad in quads]
        distinct = set(graphs)
    distinct.discard("")
    blank: list[str] = []
    if "_:" in nquads:
        # "_:" outside a blank node (in an IRI or a literal) only moves a statement into the blank-node file.
        blank = [line for line in lines if "_:" in line]
        kept = [(line, graph) for line, graph in zip(lines, graphs, strict=True) if "_:" not in line]
        lines, graphs = [line for line, _ in kept], [graph for _, graph in kept]
    provenance = f"<{PROVENANCE_GRAPH}>"
    in_provenance: list[str] = []
    if provenance in distinct:
        # compress/map keep the split in C: this runs once per line of every bulk load.
        in_provenance = list(compress(lines, map(provenance.__eq__, graphs)))
        lines = list(compress(lines, map(provenance.__ne__, graphs)))
    return LoaderLines(list(dict.fromkeys(lines)), list(dict.fromkeys(blank)), list(dict.fromkeys(in_provenance)),
                       frozenset(distinct), breaks)


def _pieces(text: str, lines: int, breaks: int, first: int | None = None) -> Iterator[str]:
    r"""Pieces of ``text`` (holding ``breaks`` line breaks) of about ``lines`` lines, cut at line ends.

    Cut by length (the text's mean line length), so the text is never split
    into all its lines at once; every piece is yielded, at least one. The
    first piece holds about ``first`` lines when given (a small first piece
    lets a pipeline start sooner).

    >>> list(_pieces("a\nbb\nccc\nd\n", 2, 4))
    ['a\nbb\n', 'ccc\n', 'd\n']
    >>> list(_pieces("a\nbb\nccc\nd\n", 2, 4, first=1))
    ['a\n', 'bb\nccc\n', 'd\n']
    """
    per_line = len(text) / (breaks + 1)
    start, size = 0, max(1, int(per_line * (lines if first is None else first)))
    while True:
        cut = text.find("\n", min(len(text), start + size - 1))
        end = len(text) if cut < 0 else cut + 1
        yield text[start:end]
        start, size = end, max(1, int(per_line * lines))
        if start >= len(text):
            return


# -- results -------------------------------------------------------------------------

def _parsed(node: Node) -> Term:
    """A term rdflib parsed, typed as one: its parsers give IRIs, literals and blank nodes only."""
    if isinstance(node, (URIRef, Literal, BNode)):
        return node
    raise TypeError(f"not an RDF term: {node!r}")


def _normalise_graph_term(term: Term) -> Term:
    if isinstance(term, BNode):
        # Virtuoso names blank nodes "nodeID://b10001"; keep a label valid in N-Quads.
        return BNode(re.sub(r"[^A-Za-z0-9_\-]", "_", str(term).removeprefix("nodeID://")))
    if isinstance(term, Literal) and term.datatype == XSD.boolean and str(term) in ("0", "1"):
        return Literal("true" if str(term) == "1" else "false", datatype=XSD.boolean)
    return term


def _count_rows(body: bytes, result_format: str) -> int:
    if result_format == "json":
        return len(json.loads(body).get("results", {}).get("bindings", []))
    if result_format == "xml":
        return len(re.findall(rb"<result[\s>]", body))
    text = body.decode("utf-8")
    if result_format == "csv":
        return max(0, sum(1 for _ in csv.reader(io.StringIO(text))) - 1)
    return max(0, len([line for line in text.split("\n") if line]) - 1)


# -- the store ----------------------------------------------------------------------

class RemoteStore(Store):
    """A :class:`~detente.graph.store.Store` on a SPARQL 1.1 endpoint reached over HTTP.

    Parameters
    ----------
    uri:
        ``sparql+http(s)://HOST[:PORT]/PATH[?update=…&gsp=…&user=…&password=…&timeout=…]``
        (see the module docstring).
    read_only:
        Refuse every write.

    Raises
    ------
    StoreError
        The URI is malformed. (The server is first contacted by the first operation.)
    """

    # No summary graph on remote endpoints: keeping it means a large SPARQL INSERT…WHERE after every
    # write, and Virtuoso runs those at 4–15k quads/s (measured: moving 57k quads took 4–16 s), which
    # would undo the bulk load; its readers (tie tables, aggregates) answer from the claims instead.
    maintains_summary = False
    # Virtuoso 7.2's SPARQL compiler refuses a VALUES block of 4096 rows or more ("SP030 … Too many arguments
    # for standard built-in function in operator()"); the summary's readers computed from the claims bind
    # batches of keys.
    max_bound_rows = 4000
    # Reads stay in the caller's thread (graph/parallel.py): the urllib opener is shared, and its digest-auth
    # handler counts nonces and retries on itself; and reading a result here is Python work (JSON to terms,
    # under the GIL), so threads would overlap only the server's time, on this machine the same two cores.
    concurrent_reads = False

    def __init__(self, location: StoreLocation | str, read_only: bool = False) -> None:
        if isinstance(location, str):
            location = StoreLocation.parse(location)
        if location.kind != "sparql" or location.options is None or location.endpoint is None:
            raise StoreError(f"not a remote store URI (sparql+http(s)://…): {location.uri!r}")
        options = location.options
        self.location = location
        self.uri = location.uri
        self.read_only = read_only
        self.endpoint = location.endpoint
        self.update_endpoint = options.update
        self.gsp_endpoint = options.gsp
        self.timeout = options.timeout
        self.chunk = options.chunk
        self.page = options.page
        self.user = options.user
        self.bulk = options.bulk
        self.batch = options.batch
        # Loader calls of batch/20 lines (at most CALL_LINES): small batches exercise several calls per file.
        self._loader = (VirtuosoLoader(options.sql, options.spool, options.user, options.password, self.timeout * 20,
                                       call_lines=min(CALL_LINES, max(1, self.batch // 20)))
                        if options.loader == "virtuoso" and options.sql and options.spool else None)
        handlers: list[urllib.request.BaseHandler] = []
        if options.user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in {u for u in (self.endpoint, self.update_endpoint, self.gsp_endpoint) if u is not None}:
                passwords.add_password(None, url, options.user, options.password or "")
            handlers += [urllib.request.HTTPDigestAuthHandler(passwords),
                         urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    def reader_spec(self) -> ReaderSpec:
        return reader_spec_for(self.location)

    # -- HTTP ------------------------------------------------------------
    def _request(self, url: str, *, data: bytes | None = None, headers: Mapping[str, str] | None = None,
                 method: str | None = None, params: Sequence[tuple[str, str]] = ()) -> tuple[bytes, Mapping[str, str]]:
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        request = urllib.request.Request(url, data=data, headers=dict(headers or {}), method=method)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.read(), response.headers
        except urllib.error.HTTPError as exc:
            message = exc.read().decode("utf-8", "replace").strip()
            # Virtuoso echoes the whole query after its message; keep the message.
            message = message.split("\n\nSPARQL query:", 1)[0][:2000]
            if exc.code in (401, 403):
                raise StoreError(f"{url.split('?')[0]} refused access (HTTP {exc.code}); check user and password "
                                 "(?user=…&password=… or DETENTE_REMOTE_USER/DETENTE_REMOTE_PASSWORD): "
                                 f"{message}") from exc
            if exc.code == 400 and re.search(r"SP030|syntax error|Parse error", message, re.I):
                raise QuerySyntaxError(f"{url.split('?')[0]}: {message}") from exc
            raise StoreError(f"{url.split('?')[0]} answered HTTP {exc.code}: {message}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"cannot reach SPARQL endpoint {url.split('?')[0]}: {reason}") from exc

    def _dataset_params(self, sparql: str, default_graphs: Sequence[URIRef] | None,
                        named_graphs: Sequence[URIRef] | None) -> list[tuple[str, str]]:
        graphs = default_graphs_for(sparql, default_graphs, named_graphs)
        if graphs is None:
            return []  # the protocol's graph parameters would replace the query's FROM clauses
        params = [("default-graph-uri", str(g)) for g in (list(graphs) or [EMPTY_GRAPH])]
        if named_graphs is not None:
            # An empty list means no named graphs: name one that holds nothing.
            params += [("named-graph-uri", str(g)) for g in (list(named_graphs) or [EMPTY_GRAPH])]
        return params

    def _post_query(self, sparql: str, accept: str, params: Sequence[tuple[str, str]] = ()
                    ) -> tuple[bytes, Mapping[str, str]]:
        form = [("query", prefix_header() + sparql), *params]
        return self._request(self.endpoint, data=urllib.parse.urlencode(form).encode("utf-8"), headers={
            "Accept": accept, "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})

    def _post_update(self, sparql: str, params: Sequence[tuple[str, str]] = ()) -> None:
        self.check_writable()
        body = urllib.parse.urlencode([("update", prefix_header() + sparql), *params]).encode("utf-8")
        self._request(self.update_endpoint, data=body, headers={
            "Accept": _JSON_RESULTS, "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})

    @staticmethod
    def _row_limit(headers: Mapping[str, str]) -> int | None:
        value = headers.get("X-SPARQL-MaxRows")
        return int(value) if value and value.isdigit() else None

    @staticmethod
    def _cut_by_server(headers: Mapping[str, str]) -> str:
        """The cap at which a detente server sent only the first rows of a longer result ("" when it did not).

        Read from ``X-Detente-Truncated: max-rows=N`` (or ``max-bytes=N``): its name, else the header as sent.
        """
        value = headers.get(TRUNCATED_HEADER, "")
        return value.partition("=")[0].strip() or value

    def _select(self, sparql: str, params: Sequence[tuple[str, str]] = (), max_rows: int | None = None
                ) -> tuple[list[str], list[tuple[Term | None, ...]], bool]:
        body, headers = self._post_query(sparql, _JSON_RESULTS, params)
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise StoreError(f"{self.endpoint} did not answer SPARQL JSON results: {body[:200]!r}") from exc
        names = list(data.get("head", {}).get("vars", []))
        bindings = data.get("results", {}).get("bindings", [])
        limit = self._row_limit(headers)
        if limit is not None and len(bindings) >= limit and (max_rows is None or max_rows > limit):
            raise StoreError(f"{self.endpoint} cut the result at its ResultSetMaxRows limit ({limit} rows): "
                             "add LIMIT, pass max_rows, or raise the limit on the server")
        if max_rows is not None:
            bindings = bindings[:max_rows]
        return names, self._rows({"results": {"bindings": bindings}}, names), bool(self._cut_by_server(headers))

    def _rows(self, document: Mapping[str, object], names: Sequence[str]) -> list[tuple[Term | None, ...]]:
        try:
            return rows_from_json(document, names)
        except ValueError as exc:  # a term type the SPARQL JSON format does not know
            raise StoreError(f"{self.endpoint}: {exc}") from exc

    def _select_keyed(self, projection: str, pattern: str, keys: Sequence[str], *, unique: bool = False,
                      fine_keys: Sequence[str] = ()) -> Iterator[tuple[Term | None, ...]]:
        """Every row of ``SELECT projection WHERE { pattern }``, in pages of at most ``self.page`` rows.

        Pages continue after the last key seen (keyset paging), not by OFFSET:
        Virtuoso refuses to sort past ``OFFSET + LIMIT`` of 10000 rows. Rows
        sharing the key tuple of a page's last row are fetched again in full on
        the next page, so a page boundary never splits them; if one key tuple
        holds more rows than a page, paging goes on by ``keys + fine_keys``.
        """
        width = projection.count("?")
        page = self.page
        after: list[str] | None = None
        keys = list(keys)
        while True:
            names = [f"key{i}" for i in range(len(keys))]
            key_projection = " ".join(f"(STR({k}) AS ?{n})" for k, n in zip(keys, names, strict=True))
            condition = "" if after is None else f"FILTER({_keyset_condition(keys, after, inclusive=not unique)})"
            sparql = (f"SELECT {projection} {key_projection} WHERE {{ {pattern} {condition} }} "
                      f"ORDER BY {' '.join('?' + n for n in names)} LIMIT {page}")
            body, headers = self._post_query(sparql, _JSON_RESULTS)
            limit = self._row_limit(headers)
            if limit is not None and limit < page:
                page = limit  # the server caps results below our page size: ask for less
                continue
            data = json.loads(body)
            rows = self._rows(data, data["head"]["vars"])
            if len(rows) < page:
                yield from (row[:width] for row in rows)
                return
            last = [str(value) for value in rows[-1][width:]]
            if not unique:
                complete = [row for row in rows if [str(v) for v in row[width:]] != last]
                if not complete:
                    if not fine_keys:
                        raise StoreError(f"more than {page} rows share the key {last}; raise page= in the store URI")
                    # Restart this key's rows under finer keys; none of them was yielded yet.
                    keys, after, fine_keys = keys + list(fine_keys), last + [""] * len(fine_keys), ()
                    continue
                rows = complete
            yield from (row[:width] for row in rows)
            after = last

    def _ask(self, sparql: str, params: Sequence[tuple[str, str]] = ()) -> bool:
        body, _ = self._post_query(sparql, _JSON_RESULTS, params)
        try:
            return bool(json.loads(body)["boolean"])
        except (ValueError, KeyError) as exc:
            raise StoreError(f"{self.endpoint} did not answer an ASK result: {body[:200]!r}") from exc

    # -- reading ---------------------------------------------------------
    def query(self, sparql: str, *, bindings: Bindings | None = None,
              default_graphs: Sequence[URIRef] | None = None, named_graphs: Sequence[URIRef] | None = None,
              max_rows: int | None = None) -> QueryResult:
        """Run a query on the server; see :meth:`detente.graph.store.Store.query`."""
        prepared = prepare(sparql)  # analysed once per text: the same bindings path as the embedded store
        kind = prepared.form
        params = self._dataset_params(sparql, default_graphs, named_graphs)  # of the text, before any binding
        if bindings is not None:
            sparql = prepared.bind(bindings)
        if kind == "select":
            names, rows, truncated = self._select(sparql, params, max_rows)
            return QueryResult(kind="select", variables=names, rows=rows, truncated=truncated)
        if kind == "ask":
            return QueryResult(kind="ask", boolean=self._ask(sparql, params))
        triples = self._graph_result(sparql, params)
        return QueryResult(kind="graph", triples=triples[:max_rows] if max_rows is not None else triples)

    def _graph_result(self, sparql: str, params: Sequence[tuple[str, str]]) -> list[Triple]:
        body, _ = self._post_query(sparql, _NTRIPLES, params)
        graph = Graph()
        try:
            graph.parse(data=body.decode("utf-8"), format="nt")
        except Exception as exc:  # rdflib raises several parser error types
            raise StoreError(f"{self.endpoint} sent N-Triples that do not parse: {exc}") from exc
        return [(_normalise_graph_term(_parsed(s)), _normalise_graph_term(_parsed(p)),
                 _normalise_graph_term(_parsed(o))) for s, p, o in graph]

    def query_serialized(self, sparql: str, result_format: str, *, default_graphs: Sequence[URIRef] | None = None,
                         named_graphs: Sequence[URIRef] | None = None, max_rows: int | None = None,
                         truncate: bool = False, base_iri: str | None = None,
                         skolem_prefix: str | None = None, max_bytes: int | None = None) -> SerializedResult:
        """Run a query; solutions come as the server serialised them, graphs are re-serialised here.

        ``base_iri`` and ``skolem_prefix`` are the endpoint's business (ignored);
        ``truncate`` applies to graph results only: solutions past ``max_rows`` or
        ``max_bytes`` are refused (:class:`ResultTooLargeError`), as the server wrote them.

        The server's own media type for SELECT/ASK results is passed through
        (``Accept``); CONSTRUCT/DESCRIBE results are fetched as N-Triples and
        written in ``result_format`` with the project's prefixes, so every
        format works whatever the server supports.
        """
        if result_format not in RESULT_FORMATS:
            raise ValueError(f"unknown result format {result_format!r}")
        media_type, applies_to = RESULT_FORMATS[result_format]
        kind = query_form(sparql)
        params = self._dataset_params(sparql, default_graphs, named_graphs)
        if kind in ("select", "ask"):
            if applies_to != "solutions":
                raise NotAcceptableError(f"{result_format} cannot hold {kind.upper()} results")
            body, headers = self._post_query(sparql, media_type, params)
            if kind == "select":
                limit = self._row_limit(headers)
                count = _count_rows(body, result_format) if (max_rows is not None or limit is not None) else 0
                if max_rows is not None and count > max_rows:
                    raise ResultTooLargeError(f"the result has more than {max_rows} rows; "
                                              "add LIMIT or narrow the query")
                if limit is not None and count >= limit and (max_rows is None or max_rows > limit):
                    raise StoreError(f"{self.endpoint} cut the result at its ResultSetMaxRows limit ({limit} rows)")
            if max_bytes is not None and len(body) > max_bytes:
                raise ResultTooLargeError(f"the result is larger than {max_bytes} bytes; add LIMIT or narrow the "
                                          "query")
            cut = self._cut_by_server(headers)
            return SerializedResult(kind, media_type, body, cut)
        if applies_to != "graph":
            raise NotAcceptableError(f"{result_format} cannot hold CONSTRUCT/DESCRIBE results")
        triples = self._graph_result(sparql, params)
        cut = "max-rows" if max_rows is not None and len(triples) > max_rows else ""
        if cut and not truncate:
            raise ResultTooLargeError(f"the result has more than {max_rows} triples; narrow the query")
        if cut:
            triples = triples[:max_rows]
        graph = Graph()
        if result_format in ("turtle", "trig", "jsonld", "rdfxml"):
            for prefix, namespace in PREFIXES.items():
                graph.bind(prefix, namespace, replace=True)
        rdf_format = _RDFLIB_FORMAT[result_format]

        def serialize(some: list[Triple]) -> bytes:
            graph.remove((None, None, None))
            for triple in some:
                graph.add(triple)
            return graph.serialize(format=rdf_format, encoding="utf-8")

        body, fitted = fit_body(triples, serialize, max_bytes, truncate)
        return SerializedResult("graph", media_type, body, fitted or cut)

    def _own_graph_filter(self, var: str = "?g") -> str:
        return (f'FILTER(STRSTARTS(STR({var}), "{DEFAULT_BASE}") && {var} != <{REGISTRY_GRAPH}> '
                f"&& {var} != <{EMPTY_GRAPH}>)")

    def _foreign_graphs(self) -> list[URIRef]:
        rows = self._select(f"SELECT ?g WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?g a <{_SD_NAMED_GRAPH}> }} }}")[1]
        return [row[0] for row in rows if isinstance(row[0], URIRef)]

    def detente_graphs(self) -> list[URIRef]:
        """Every graph detente wrote on the server, the facts graph included, sorted."""
        rows = self._select_keyed("DISTINCT ?g", f"GRAPH ?g {{ ?s ?p ?o }} {self._own_graph_filter()}", ["?g"],
                                  unique=True)
        graphs = {row[0] for row in rows if isinstance(row[0], URIRef)}
        for graph in self._foreign_graphs():
            if self._ask(f"ASK {{ GRAPH {sparql_term(graph)} {{ ?s ?p ?o }} }}"):
                graphs.add(graph)
        return sorted(graphs)

    def named_graphs(self) -> Iterator[URIRef]:
        """Detente's named graphs (claims, provenance, entities, ontology…); like Oxigraph, not the facts view."""
        for graph in self.detente_graphs():
            if graph != FACTS_GRAPH:
                yield graph

    def count_quads(self, graph: URIRef | None = None) -> int:
        """Quads in one graph, or in all of detente's graphs (never the server's other graphs)."""
        def count(pattern: str) -> int:
            rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")[1]
            return int(rows[0][0]) if rows and rows[0][0] is not None else 0

        if graph is not None:
            return count(f"GRAPH {sparql_term(graph)} {{ ?s ?p ?o }}")
        total = count(f"GRAPH ?g {{ ?s ?p ?o }} {self._own_graph_filter()}")
        for foreign in self._foreign_graphs():
            total += count(f"GRAPH {sparql_term(foreign)} {{ ?s ?p ?o }}")
        return total

    def _graph_triples(self, graph: URIRef) -> Iterator[Triple]:
        for s, p, o in self._select_keyed("?s ?p ?o", f"GRAPH {sparql_term(graph)} {{ ?s ?p ?o }}", ["?s"],
                                          fine_keys=["?p", "?o"]):
            yield cast(Triple, (s, p, o))  # ?s ?p ?o are bound in every row

    def _all_quads(self) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        for g, s, p, o in self._select_keyed("?g ?s ?p ?o", f"GRAPH ?g {{ ?s ?p ?o }} {self._own_graph_filter()}",
                                             ["?g", "?s"], fine_keys=["?p", "?o"]):
            yield cast(tuple[Term, Term, Term, URIRef], (s, p, o, g))  # all four are bound in every row
        for foreign in self._foreign_graphs():
            for s, p, o in self._graph_triples(foreign):
                yield s, p, o, foreign

    def dump(self, output: IO[bytes] | Path | str, rdf_format: str = "nquads", graph: URIRef | None = None) -> None:
        """Write detente's graphs (N-Quads/TriG) or one graph; the facts view is written as the default graph.

        Like the Oxigraph store's dumps, so a dump restores into either backend.
        """
        if rdf_format not in RDF_FORMATS:
            raise ValueError(f"unknown RDF format {rdf_format!r}")
        if graph is None and rdf_format not in ("nquads", "trig"):
            raise ValueError(f"{rdf_format} holds one graph: name it, or dump as nquads/trig")
        if rdf_format == "nquads":
            quads: Iterable[tuple[Term, Term, Term, URIRef | None]]
            if graph is None:
                # The facts view is the default graph of a dump, as in Oxigraph's.
                quads = ((s, p, o, None if g == FACTS_GRAPH else g) for s, p, o, g in self._all_quads())
            else:
                target = None if graph == FACTS_GRAPH else graph
                quads = ((s, p, o, target) for s, p, o in self._graph_triples(graph))
            self._write(output, (_nquad_line(*q) for q in quads))
            return
        if graph is not None and rdf_format != "trig":
            data = Graph()
            for triple in self._graph_triples(graph):
                data.add(triple)
        else:
            data = Dataset()
            source = (self._all_quads() if graph is None
                      else ((s, p, o, graph) for s, p, o in self._graph_triples(graph)))
            named: dict[URIRef, Graph] = {}
            for s, p, o, g in source:
                if g == FACTS_GRAPH:
                    into = data.default_graph
                else:
                    into = named[g] if g in named else named.setdefault(g, data.graph(g))
                into.add((s, p, o))
        if rdf_format in ("turtle", "trig"):
            for prefix, namespace in PREFIXES.items():
                data.bind(prefix, namespace, replace=True)
        self._write(output, [data.serialize(format=_RDFLIB_FORMAT[rdf_format], encoding="utf-8")])

    @staticmethod
    def _write(output: IO[bytes] | Path | str, chunks: Iterable[str | bytes]) -> None:
        def emit(stream: IO[bytes]) -> None:
            for chunk in chunks:
                stream.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)

        if isinstance(output, (str, Path)):
            with open(output, "wb") as stream:
                emit(stream)
        else:
            emit(output)

    # -- writing ---------------------------------------------------------
    def add_nquads(self, nquads: str) -> None:
        """Add N-Quads (triples without a graph go to the facts graph); see the module notes on atomicity.

        Writes of at least ``bulk`` quads take the bulk path: Virtuoso's own
        loader (``loader=virtuoso``), else Graph Store Protocol POSTs of
        ``batch`` triples for each graph holding at least :data:`GSP_MIN_TRIPLES`
        of them (``gsp=``), the other graphs as ``INSERT DATA``. Otherwise one
        ``INSERT DATA`` request per ``chunk`` quads. Quads with blank nodes all
        travel in one request, so a blank node keeps one identity.
        """
        self.check_writable()
        if self._loader is not None and (breaks := nquads.count("\n")) >= self.bulk:
            self._load_with_virtuoso(nquads, breaks)
            return
        quads = parse_nquads_lines(nquads)
        if not quads:
            return
        if len(quads) >= self.bulk and self.gsp_endpoint is not None:
            self._bulk_load(quads)
            return
        self._insert_quads(quads)

    def _insert_quads(self, quads: Sequence[_Quad]) -> None:
        with_bnodes = [q for q in quads if q.has_bnode]
        plain = [q for q in quads if not q.has_bnode]
        registry = self._registry_quads({q.graph for q in quads})
        # Blank-node quads (and the registry entries) travel in the first request.
        first = with_bnodes + registry
        room = max(0, self.chunk - len(first))
        rest = plain[room:]
        batches = [first + plain[:room]] + [rest[i:i + self.chunk] for i in range(0, len(rest), self.chunk)]
        for batch in batches:
            if batch:
                self._insert_batch(batch)

    def pending_loads(self) -> list[URIRef]:
        """Bulk loads that started and did not complete (each leaves a mark in the registry graph until it does).

        What such a load wrote stays: claim IRIs are content-derived, so running
        the same load again completes it without duplicates and clears its mark
        (a later load of other data clears nothing: see the module notes).
        """
        rows = self._select(f"SELECT ?load WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?load a <{PENDING_LOAD}> }} }} "
                            "ORDER BY ?load")[1]
        return [row[0] for row in rows if isinstance(row[0], URIRef)]

    def _load_mark(self, data: str) -> str:
        """Mark a bulk load as started; its IRI derives from the data, so the same load run again clears it."""
        # BLAKE2: the same 96 bits of identity as before for a third of SHA-256's time on a large load.
        digest = hashlib.blake2b(data.encode("utf-8"), digest_size=12).hexdigest()
        mark = f"<{DEFAULT_BASE}graph/remote-registry#load-{digest}>"
        self._insert_batch([_Quad(f"{mark} <{RDF.type}> <{PENDING_LOAD}> .", f"<{REGISTRY_GRAPH}>", False)])
        return mark

    def _clear_mark(self, mark: str) -> None:
        self._post_update(f"DELETE DATA {{ GRAPH <{REGISTRY_GRAPH}> {{ {mark} <{RDF.type}> <{PENDING_LOAD}> }} }}")

    def _bulk_load(self, quads: Sequence[_Quad]) -> None:
        """Load by Graph Store Protocol POSTs between a pending-load mark and its removal.

        The provenance graph, which makes a claim a claim (``?claim a dt:Claim``),
        is written last: a load cut short leaves assertions and facts without a
        typed claim rather than typed claims whose assertions are missing.
        """
        mark = self._load_mark("".join(q.triple + q.graph + "\n" for q in quads))
        registry = self._registry_quads({q.graph for q in quads})
        if registry:
            self._insert_batch(registry)
        self._load_with_gsp(quads)
        self._clear_mark(mark)

    def _load_with_virtuoso(self, nquads: str, breaks: int) -> None:
        """Virtuoso's loader over files of ``batch`` statements, between a mark and its removal.

        Each piece of the text is checked (:func:`loader_lines`) while the
        server loads the files of the pieces before it; a text of at most
        ``batch`` lines is one piece, checked whole before anything is written.
        A longer text starts with a small piece, so the server starts loading
        after a fraction of a second rather than after a whole piece's check.
        Repeated statements go once. The files load two at a time
        (:class:`~detente.graph.virtuoso_loader.LoadSession`); the blank-node
        statements all go in one file, loaded alone (a blank node label is
        scoped to one loader call), and the provenance graph once everything
        else is in (see :meth:`_bulk_load`). The loader ends with a checkpoint
        (see :class:`~detente.graph.virtuoso_loader.VirtuosoLoader`), so once
        the mark is gone the load survives a server crash.
        """
        assert self._loader is not None
        first = None if breaks <= self.batch else max(1, self.batch // FIRST_PIECE_SHARE)
        pieces = _pieces(nquads, self.batch, breaks, first)
        parts = loader_lines(next(pieces))
        mark = self._load_mark(nquads)
        number = 1 + parts.breaks
        blank: list[str] = []
        provenance: list[str] = []
        seen: set[str] = set()
        registered: set[str] = set()
        with self._loader.session(str(FACTS_GRAPH)) as session:
            while True:
                registry = self._registry_quads(parts.graphs - registered)
                if registry:
                    self._insert_batch(registry)
                registered |= parts.graphs
                fresh = list(filterfalse(seen.__contains__, parts.plain))
                seen.update(fresh)
                for start in range(0, len(fresh), self.batch):
                    session.submit("\n".join(fresh[start:start + self.batch]) + "\n")
                blank += parts.blank
                provenance += parts.provenance
                piece = next(pieces, None)
                if piece is None:
                    break
                parts = loader_lines(piece, number)
                number += parts.breaks
            if blank:
                session.wait()  # alone: it is never run again after a deadlock, so no other call may meet it
                session.submit("\n".join(dict.fromkeys(blank)) + "\n")
            provenance = list(dict.fromkeys(provenance))
            session.wait()  # the claims' statements are in before any claim is typed
            # In as many files as loaders run at once (each of at most ``batch`` lines).
            size = max(1, min(self.batch, -(-len(provenance) // LOADER_WORKERS)))
            for start in range(0, len(provenance), size):
                session.submit("\n".join(provenance[start:start + size]) + "\n")
        self._clear_mark(mark)

    def _load_with_gsp(self, quads: Sequence[_Quad]) -> None:
        """One graph per Graph Store Protocol POST (``batch`` triples at most); small graphs as ``INSERT DATA``."""
        small: list[_Quad] = []
        by_graph: dict[str, list[str]] = {}
        sizes: dict[str, int] = {}
        for quad in quads:
            sizes[quad.graph] = sizes.get(quad.graph, 0) + 1
        for quad in quads:
            if quad.has_bnode or sizes[quad.graph] < GSP_MIN_TRIPLES:
                small.append(quad)
            else:
                by_graph.setdefault(quad.graph, []).append(quad.triple)
        # Small graphs first, the provenance graph (if large) last: see _bulk_load.
        self._insert_quads(small)
        provenance = f"<{PROVENANCE_GRAPH}>"
        for graph in sorted(by_graph, key=lambda g: g == provenance):
            triples = by_graph[graph]
            for start in range(0, len(triples), self.batch):
                body = "\n".join(triples[start:start + self.batch]).encode("utf-8") + b"\n"
                self._gsp_post(graph[1:-1], body)

    def _gsp_post(self, graph: str, body: bytes) -> None:
        assert self.gsp_endpoint is not None
        self.check_writable()
        self._request(self.gsp_endpoint, data=body, method="POST", params=[("graph-uri", graph)],
                      headers={"Content-Type": "text/turtle; charset=UTF-8"})

    def _registry_quads(self, graph_texts: Iterable[str]) -> list[_Quad]:
        foreign = sorted(g for g in graph_texts if not g.startswith(f"<{DEFAULT_BASE}"))
        return [_Quad(f"{g} <{RDF.type}> <{_SD_NAMED_GRAPH}> .", f"<{REGISTRY_GRAPH}>", False) for g in foreign]

    def _insert_batch(self, batch: Sequence[_Quad]) -> None:
        by_graph: dict[str, list[str]] = {}
        for quad in batch:
            by_graph.setdefault(quad.graph, []).append(quad.triple)
        body = " ".join(f"GRAPH {g} {{\n" + "\n".join(triples) + "\n}" for g, triples in by_graph.items())
        # Virtuoso allows no blank nodes in INSERT DATA; a template with one empty solution makes
        # each label one new blank node, as INSERT DATA would.
        operation = "INSERT {{\n{}\n}} WHERE {{ }}" if any(q.has_bnode for q in batch) else "INSERT DATA {{\n{}\n}}"
        try:
            self._post_update(operation.format(body))
        except (StoreError, QuerySyntaxError) as exc:
            # Virtuoso's compiler gives up on large requests before writing anything: split and retry.
            too_big = re.search(r"SP031|exceeded \d+ lines|memory exhausted", str(exc))
            if too_big and len(batch) > 1 and not any(q.has_bnode for q in batch):
                self.chunk = max(1, len(batch) // 2)
                self._insert_batch(batch[:len(batch) // 2])
                self._insert_batch(batch[len(batch) // 2:])
                return
            raise

    def update(self, sparql: str, *, bindings: Bindings | None = None, base_iri: str | None = None) -> None:
        """Run a SPARQL Update on the update endpoint (one request, one server transaction).

        ``base_iri`` is the endpoint's business (ignored), as for :meth:`query_serialized`.

        An update naming no graph (no ``WITH``, ``USING`` or ``GRAPH``) reads
        and writes the facts graph, as on Oxigraph; otherwise the update's own
        graphs apply and triples outside ``GRAPH`` are refused by Virtuoso.
        """
        self.check_writable()
        if bindings is not None:
            sparql = prepare(sparql, update=True).bind(bindings)
        words = {t.text.upper() for t in tokenize(sparql) if t.kind == "word"}
        # As on Oxigraph, an update that names no graph works on the facts view. Only then:
        # Virtuoso refuses WITH/USING/GRAPH next to a protocol-given default graph.
        params = [] if words & {"WITH", "USING", "GRAPH"} else [("using-graph-uri", str(FACTS_GRAPH))]
        self._post_update(sparql, params)

    def load(self, data: bytes | str | Path, rdf_format: str, graph: URIRef | None = None) -> None:
        """Load an RDF serialisation; single-graph formats go to ``graph`` (default: the facts graph).

        The data is parsed here first (clear errors, blank nodes kept apart per
        load); with a GSP endpoint a single graph travels in one POST,
        otherwise as ``INSERT DATA`` batches.
        """
        self.check_writable()
        if rdf_format not in RDF_FORMATS:
            raise ValueError(f"unknown RDF format {rdf_format!r}")
        raw = data.read_bytes() if isinstance(data, Path) else (data.encode("utf-8") if isinstance(data, str) else data)
        name = str(data) if isinstance(data, Path) else "input"
        if rdf_format in ("nquads", "trig"):
            dataset = Dataset()
            try:
                dataset.parse(data=raw, format=_RDFLIB_FORMAT[rdf_format])
            except Exception as exc:  # rdflib raises several parser error types
                raise StoreError(f"invalid {rdf_format} in {name}: {exc}") from exc
            lines = []
            for s, p, o, g in dataset.quads((None, None, None, None)):
                target = g.identifier if isinstance(g, Graph) else g
                if target is None or str(target) == "urn:x-rdflib:default":
                    target = FACTS_GRAPH
                lines.append(_nquad_line(_parsed(s), _parsed(p), _parsed(o), _parsed(target)))
            self.add_nquads("".join(lines))
            return
        parsed = Graph()
        try:
            parsed.parse(data=raw, format=_RDFLIB_FORMAT[rdf_format])
        except Exception as exc:  # rdflib raises several parser error types
            raise StoreError(f"invalid {rdf_format} in {name}: {exc}") from exc
        target = FACTS_GRAPH if graph is None else graph
        if self.gsp_endpoint is None:
            self.add_nquads("".join(_nquad_line(_parsed(s), _parsed(p), _parsed(o), target) for s, p, o in parsed))
            return
        sparql_term(target)  # refuse an IRI that is not one
        if not str(target).startswith(DEFAULT_BASE):
            self._insert_batch(self._registry_quads([f"<{target}>"]))
        self._gsp_post(str(target), "".join(f"{term_nt(_parsed(s))} {term_nt(_parsed(p))} {term_nt(_parsed(o))} .\n"
                                            for s, p, o in parsed).encode("utf-8"))

    def remove_graph(self, graph: URIRef) -> None:
        """Drop one graph (the facts graph too, as on Oxigraph)."""
        self.check_writable()
        self._post_update(f"DROP SILENT GRAPH {sparql_term(graph)}")
        if not str(graph).startswith(DEFAULT_BASE):
            self._post_update(f"DELETE DATA {{ GRAPH <{REGISTRY_GRAPH}> {{ {sparql_term(graph)} "
                              f"<{RDF.type}> <{_SD_NAMED_GRAPH}> }} }}")

    def clear(self) -> None:
        """Drop detente's graphs only; the server's other graphs stay."""
        self.check_writable()
        graphs = [*self.detente_graphs(), REGISTRY_GRAPH]
        for start in range(0, len(graphs), 200):
            self._post_update(" ;\n".join(f"DROP SILENT GRAPH {sparql_term(g)}" for g in graphs[start:start + 200]))


def reader_spec_for(location: StoreLocation) -> ReaderSpec:
    """How worker processes read a remote store: each opens its own connection; writes may run beside readers."""
    return ReaderSpec("connect", location, open_for_worker)


def open_for_worker(location: StoreLocation, writable: bool) -> RemoteStore:
    """A worker's connection (see :class:`~detente.graph.location.ReaderSpec`)."""
    return RemoteStore(location, read_only=not writable)


def _keyset_condition(keys: Sequence[str], after: Sequence[str], *, inclusive: bool) -> str:
    """SPARQL for "the key tuple comes after ``after``" (or equals it, when inclusive).

    >>> _keyset_condition(["?g", "?s"], ["a", "b"], inclusive=True)
    '(STR(?g) > "a") || (STR(?g) = "a" && STR(?s) >= "b")'
    """
    clauses = []
    for index, key in enumerate(keys):
        equal = [f"STR({k}) = {sparql_term(Literal(v))}" for k, v in zip(keys[:index], after[:index], strict=True)]
        last = index == len(keys) - 1
        operator = ">=" if last and inclusive else ">"
        clauses.append("(" + " && ".join([*equal, f"STR({key}) {operator} {sparql_term(Literal(after[index]))}"]) + ")")
    return " || ".join(clauses)


def _nquad_line(s: Term, p: Term, o: Term, g: Term | None) -> str:
    graph = "" if g is None else f" {term_nt(g)}"
    return f"{term_nt(s)} {term_nt(p)} {term_nt(o)}{graph} .\n"
