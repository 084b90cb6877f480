r"""The embedded backend: Oxigraph (pyoxigraph), on disk or in memory.

This is the only module that imports pyoxigraph. The facts view (the
deduplicated union of all claim assertions) is Oxigraph's own default graph,
so a plain query counts each fact once however many claims repeat it. The
store says so (:attr:`OxigraphStore.facts_label` is None): serialisers write
facts as default-graph triples, and :meth:`OxigraphStore.add_nquads` loads the
text as it comes.

>>> from detente.graph.oxigraph_store import open_oxigraph
>>> store = open_oxigraph("memory:")
>>> store.add_nquads('<http://ex/a> <http://ex/p> "1" .\n')
>>> store.add_nquads('<http://ex/a> <http://ex/p> "2" <https://w3id.org/detente/id/graph/facts> .\n')
>>> store.query("SELECT ?o WHERE { <http://ex/a> <http://ex/p> ?o } ORDER BY ?o").rows
[(rdflib.term.Literal('1'),), (rdflib.term.Literal('2'),)]
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import typing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import IO, Any, TypeVar, cast
from xml.sax.saxutils import escape as xml_escape

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from detente.errors import (
    NotAcceptableError,
    OutboundRefusedError,
    QuerySyntaxError,
    ResultTooLargeError,
    StoreError,
    StoreLockedError,
    UnsupportedQueryError,
)
from detente.graph.location import ReaderSpec, StoreLocation
from detente.graph.performance import without_gc
from detente.graph.sparql_text import default_graphs_for, prepare
from detente.graph.store import (
    RDF_FORMATS,
    RESULT_FORMATS,
    Bindings,
    QueryResult,
    SerializedResult,
    Store,
    fit_body,
)
from detente.graph.terms import BARE_DECIMAL, BARE_INTEGER, Term, tsv_cell_nt
from detente.ontology.vocab import FACTS_GRAPH, PREFIXES

_OPEN_STORES: dict[str, OxigraphStore] = {}
_OPEN_LOCK = threading.Lock()

_RDF_FORMAT = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
_RESULTS_FORMAT = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def open_oxigraph(location: StoreLocation | str, *, read_only: bool = False) -> OxigraphStore:
    """Open ``memory:`` (always a new store) or ``oxigraph:PATH`` (once per process)."""
    if isinstance(location, str):
        location = StoreLocation.parse(location)
    if location.kind == "memory":
        return OxigraphStore(location, read_only=read_only)
    if location.kind != "oxigraph" or location.path is None:
        raise StoreError(f"not an Oxigraph store: {location.uri}")
    with _OPEN_LOCK:
        store = _OPEN_STORES.get(location.uri)
        if store is None or store.closed:
            store = OxigraphStore(location, read_only=False)
            _OPEN_STORES[location.uri] = store
    if read_only:
        return store.read_only_view()
    return store


def open_oxigraph_snapshot(location: StoreLocation | str, folder: Path | None = None) -> OxigraphStore:
    r"""Open an on-disk store in RocksDB's read-only mode, without the writer's lock.

    For processes that only read: it sees the database as it was when opened,
    and Oxigraph leaves reading during another process's writes undefined, so
    ``folder`` is best a checkpoint nobody writes (see :meth:`OxigraphStore.checkpoint`);
    the store keeps the name of ``location`` (whose own folder is read when
    ``folder`` is not given).

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> live = open_oxigraph_private(StoreLocation.parse(f"oxigraph:{root}/db"))
    >>> live.add_nquads('<http://ex/a> <http://ex/p> "1" .\n')
    >>> live.checkpoint(root / "v1")
    >>> live.add_nquads('<http://ex/a> <http://ex/p> "2" .\n')
    >>> version = open_oxigraph_snapshot(live.location, root / "v1")
    >>> version.count_quads(), live.count_quads(), version.uri == live.uri, version.read_only
    (1, 2, True, True)
    >>> live.release()
    """
    if isinstance(location, str):
        location = StoreLocation.parse(location)
    path = folder if folder is not None else location.path
    if path is None:
        raise StoreError(f"not an on-disk Oxigraph store: {location.uri}")
    try:
        snapshot = ox.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"cannot open Oxigraph store at {path} read-only: {exc}") from exc
    return OxigraphStore(location, read_only=True, folder=path, _shared=snapshot)


def open_oxigraph_private(location: StoreLocation, folder: Path | None = None) -> OxigraphStore:
    """Open an on-disk database read-write for this process alone, outside the per-process cache.

    For the server's writer: the store itself (``folder`` None) and the
    checkpoint copies that writes are applied to, each under the store's name.
    Close it with :meth:`OxigraphStore.release`.
    """
    path = folder if folder is not None else location.path
    if location.kind != "oxigraph" or path is None:
        raise StoreError(f"not an on-disk Oxigraph store: {location.uri}")
    return OxigraphStore(location, folder=path)


def reader_spec_for(location: StoreLocation) -> ReaderSpec:
    """How worker processes read an Oxigraph store: a memory store by forking, an on-disk one by checkpoints.

    >>> reader_spec_for(StoreLocation.parse("memory:")).sharing
    'fork'
    """
    if location.kind == "memory":
        return ReaderSpec("fork", location)
    return ReaderSpec("snapshot", location, open_for_worker, open_folder)


def open_for_worker(location: StoreLocation, writable: bool) -> OxigraphStore:
    """A worker's store (see :class:`~detente.graph.location.ReaderSpec`): a snapshot to read, the store to write."""
    return open_oxigraph(location) if writable else open_oxigraph_snapshot(location)


def open_folder(location: StoreLocation, folder: Path, writable: bool) -> OxigraphStore:
    """The database in ``folder`` under the name of ``location``: read-write for this process alone, or read-only.

    The folder opener of on-disk stores (see :meth:`ReaderSpec.open_checkpoint`
    and :meth:`ReaderSpec.open_private`).
    """
    return open_oxigraph_private(location, folder) if writable else open_oxigraph_snapshot(location, folder)


# -- term conversion --------------------------------------------------------

def to_ox(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


# Converted terms by pyoxigraph term: results repeat the same IRIs, dates and counts over and over,
# and building rdflib terms is most of the cost of reading a result. Bounded, as terms.py's caches.
_FROM_OX: dict[object, Term] = {}
_FROM_OX_LIMIT = 1 << 17


def from_ox(term: object) -> Term | None:
    """Convert a pyoxigraph term to an rdflib term (None stays None)."""
    if term is None:
        return None
    cached = _FROM_OX.get(term)
    if cached is not None:
        return cached
    converted = _convert(term)
    if converted is not None:
        if len(_FROM_OX) >= _FROM_OX_LIMIT:
            _FROM_OX.clear()
        _FROM_OX[term] = converted
    return converted


def _from_ox_term(term: object) -> Term:
    """:func:`from_ox` of a term that is there (a triple's), so never None."""
    return cast(Term, from_ox(term))


def _convert(term: object) -> Term | None:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"unsupported term from Oxigraph: {term!r}")


# Reading a whole result: Oxigraph writes it as SPARQL TSV in one call, and the few distinct terms
# are parsed once (by their TSV text). This costs about half of making a pyoxigraph term object
# per cell and converting it; tests check it gives exactly what from_ox gives.
class _TsvTerms(dict):  # type: ignore[type-arg]
    """TSV cell → term; a miss parses the cell (an empty cell is an unbound variable)."""

    def __missing__(self, cell: str) -> Term | None:
        if len(self) >= _TSV_LIMIT:
            self.clear()
            self[""] = None
        term = self[cell] = _tsv_term(cell)
        return term


_TSV_LIMIT = 1 << 17
_TSV_TERMS = _TsvTerms({"": None})
_TSV_ESCAPE = re.compile(r"\\(.)")
_TSV_UNESCAPE = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\"}
_XSD = "http://www.w3.org/2001/XMLSchema#"


@without_gc
def _read_tsv(solutions: ox.QuerySolutions) -> list[tuple[Term | None, ...]]:
    try:
        text = _bytes(solutions.serialize(format=ox.QueryResultsFormat.TSV)).decode("utf-8")
    except PermissionError:
        raise  # the network sandbox refused a socket while the query ran: see _no_outbound
    except OSError as exc:
        raise StoreError(str(exc)) from exc
    lines = text.split("\n")
    term = _TSV_TERMS.__getitem__
    return [tuple(map(term, line.split("\t"))) for line in lines[1:-1]]


# A TSV cell that is not an IRI, a quoted literal or a blank node: a bare number or boolean, or empty.
_BARE_CELL = re.compile(r'\t[^<"_]|\t$')


def _tsv_term(cell: str) -> Term:
    """One cell of Oxigraph's SPARQL TSV as an rdflib term (what from_ox gives for the same term)."""
    first = cell[0]
    term: Term
    if cell.startswith("<<"):
        raise TypeError(f"unsupported term from Oxigraph: {cell}")  # an RDF 1.2 triple term, as from_ox says
    if first == "<":
        term = URIRef(cell[1:-1])
    elif first == '"':
        end = cell.rindex('"')
        lexical = cell[1:end]
        if "\\" in lexical:
            lexical = _TSV_ESCAPE.sub(lambda m: _TSV_UNESCAPE[m.group(1)], lexical)
        rest = cell[end + 1:]
        if not rest:
            term = Literal(lexical)
        elif rest[0] == "@":
            term = Literal(lexical, lang=rest[1:])
        else:
            datatype = rest[3:-1]
            term = Literal(lexical) if datatype == _XSD + "string" else Literal(lexical, datatype=URIRef(datatype))
    elif first == "_":
        term = BNode(cell[2:])
    elif cell in ("true", "false"):
        term = Literal(cell, datatype=URIRef(_XSD + "boolean"))
    elif BARE_INTEGER.fullmatch(cell):
        term = Literal(cell, datatype=URIRef(_XSD + "integer"))
    elif BARE_DECIMAL.fullmatch(cell):
        term = Literal(cell, datatype=URIRef(_XSD + "decimal"))
    else:
        term = Literal(cell, datatype=URIRef(_XSD + "double"))
    return term


@contextmanager
def _no_outbound() -> Iterator[None]:
    """Evaluation (also lazy, while results are read) that hit EPERM tried to open a socket.

    Oxigraph touches no file while it evaluates, so "Operation not permitted"
    can only come from the network sandbox refusing SERVICE or LOAD
    (:mod:`detente.api.sandbox`).
    """
    try:
        yield
    except PermissionError as exc:
        raise OutboundRefusedError(
            "this server makes no outbound connections: SERVICE and LOAD cannot reach any address "
            f"(the query engine runs without network access: {exc})") from None


_UNKNOWN_FUNCTION = re.compile(r"The custom function <([^>]*)> is not supported")
_MAX_UNKNOWN_FUNCTIONS = 64
#: What a custom function may return (pyoxigraph's terms).
_OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _no_value(*_args: object) -> None:
    """An unknown function's value: none (an expression error at the call)."""
    return None


def _graph_to_ox(graph: URIRef | None) -> ox.NamedNode | ox.DefaultGraph:
    if graph is None or graph == FACTS_GRAPH:
        return ox.DefaultGraph()
    return ox.NamedNode(str(graph))


class OxigraphStore(Store):
    """A :class:`~detente.graph.store.Store` on pyoxigraph.

    Parameters
    ----------
    location:
        ``memory:`` or an on-disk location (the folder of the RocksDB database).
    read_only:
        Refuse every write.
    folder:
        The database folder when it is not the location's own (a checkpoint of
        the store, opened under the store's name).
    """

    #: The facts view is Oxigraph's default graph: N-Quads carry facts with no graph label.
    facts_label = None
    #: pyoxigraph releases the GIL while it evaluates a query and serialises its result, and one Store object
    #: may be queried from several threads (its reads see a snapshot): readers may overlap (graph/parallel.py).
    concurrent_reads = True

    def __init__(self, location: StoreLocation, *, read_only: bool = False, folder: Path | None = None,
                 _shared: ox.Store | None = None, _writing: threading.Lock | None = None) -> None:
        self.location = location
        self.path: Path | None = folder if folder is not None else location.path
        self.uri = location.uri
        self.read_only = read_only
        self.closed = False
        # One engine write at a time per database, whichever thread or view asks; reads don't wait. A bulk
        # load (RocksDB's ingestion of SST files) beside another write to the same database crashed the
        # process now and then (SIGSEGV in IngestExternalFiles, pyoxigraph 0.5.13: about 1 in 600 small fresh
        # loads, whose data and summary writers overlap; none in 3,900 with this lock).
        self._writing = _writing if _writing is not None else threading.Lock()
        try:
            self._store = _shared if _shared is not None else (ox.Store(str(self.path)) if self.path else ox.Store())
        except OSError as exc:
            if "lock" in str(exc).lower():  # RocksDB: "While lock file: …/LOCK: Resource temporarily unavailable"
                raise StoreLockedError(f"cannot open Oxigraph store at {self.path}: another process (a running "
                                       f"'detente serve'?) writes it ({exc})") from exc
            raise StoreError(f"cannot open Oxigraph store at {self.path}: {exc}") from exc

    def read_only_view(self) -> OxigraphStore:
        """The same database, refusing writes (RocksDB allows one writer per process)."""
        return OxigraphStore(self.location, read_only=True, folder=self.path, _shared=self._store,
                             _writing=self._writing)

    def reader_spec(self) -> ReaderSpec:
        return reader_spec_for(self.location)

    # -- reading ---------------------------------------------------------
    def _run(self, sparql: str, bindings: Bindings | None,
             default_graphs: Sequence[URIRef] | None, named_graphs: Sequence[URIRef] | None,
             base_iri: str | None = None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        kwargs: dict[str, Any] = {"prefixes": PREFIXES}  # pyoxigraph's keyword arguments
        # A dataset given here replaces the query's FROM clauses in pyoxigraph, so a query that names its own is
        # given none: the engine reads its FROM and FROM NAMED itself (and resolves their IRIs).
        graphs = default_graphs_for(sparql, default_graphs, named_graphs)
        if graphs is not None:
            kwargs["default_graph"] = [_graph_to_ox(g) for g in graphs]
        if base_iri is not None:
            kwargs["base_iri"] = base_iri
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(str(g)) for g in named_graphs]
        if bindings is not None:
            # A VALUES join, not SEP-0007 substitutions: Oxigraph plans VALUES first but applies
            # substitutions after the scan (0.37 ms against 77 ms for a claim lookup in 50k claims).
            # The text is analysed once per shape (prepare is cached); binding only serialises terms.
            try:
                sparql = prepare(sparql).bind(bindings)
            except QuerySyntaxError:
                raise
            except ValueError as exc:
                raise QuerySyntaxError(str(exc)) from exc
        # A function the engine does not have is an expression error where it is called (a FILTER fails, a BIND
        # leaves its variable unbound), as in Jena/Fuseki: the engine names it, and it is declared with no value.
        unknown_functions: dict[ox.NamedNode, Callable[..., _OxTerm | None]] = {}
        try:
            while True:
                try:
                    return self._store.query(sparql, custom_functions=unknown_functions or None, **kwargs)
                except RuntimeError as exc:
                    named = _UNKNOWN_FUNCTION.fullmatch(str(exc))
                    if named is None or len(unknown_functions) >= _MAX_UNKNOWN_FUNCTIONS:
                        raise
                    unknown_functions[ox.NamedNode(named.group(1))] = _no_value
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except RuntimeError as exc:
            # pyoxigraph reports a bound variable missing from the SELECT projection (SEP-0007) this way.
            if "projection" in str(exc):
                raise QuerySyntaxError(str(exc)) from exc
            if _UNKNOWN_FUNCTION.fullmatch(str(exc)):
                raise UnsupportedQueryError(f"the query calls more than {_MAX_UNKNOWN_FUNCTIONS} functions this "
                                            f"engine does not have: {exc}") from exc
            raise StoreError(str(exc)) from exc
        except PermissionError:
            raise  # the network sandbox refused a socket: see _no_outbound
        except OSError as exc:
            raise StoreError(str(exc)) from exc

    def query(self, sparql: str, *, bindings: Bindings | None = None,
              default_graphs: Sequence[URIRef] | None = None, named_graphs: Sequence[URIRef] | None = None,
              max_rows: int | None = None) -> QueryResult:
        with _no_outbound():
            result = self._run(sparql, bindings, default_graphs, named_graphs)
            if isinstance(result, ox.QueryBoolean):
                return QueryResult(kind="ask", boolean=bool(result))
            if isinstance(result, ox.QuerySolutions):
                names = [v.value for v in result.variables]
                if max_rows is None:
                    rows = _read_tsv(result)
                else:
                    rows = [tuple(map(from_ox, solution)) for solution in islice(result, max_rows)]
                return QueryResult(kind="select", variables=names, rows=rows)
            triples = islice(result, max_rows) if max_rows is not None else result
            return QueryResult(kind="graph", triples=[(_from_ox_term(t.subject), _from_ox_term(t.predicate),
                                                       _from_ox_term(t.object)) for t in triples])

    def select_nt(self, sparql: str, *, bindings: Bindings | None = None,
                  default_graphs: Sequence[URIRef] | None = None) -> list[tuple[str | None, ...]]:
        """Rows of N-Triples terms read from Oxigraph's own TSV (see :meth:`Store.select_nt`).

        TSV cells are N-Triples terms except numbers and booleans written bare
        and unbound values written empty: only lines holding such cells are
        looked at cell by cell.
        """
        bare = _BARE_CELL.search  # on the line behind a tab, so that its first cell is looked at too
        return [tuple(line.split("\t")) if not bare("\t" + line) else tuple(map(tsv_cell_nt, line.split("\t")))
                for line in self._tsv_lines(sparql, bindings, default_graphs)]

    def select_lines(self, sparql: str, *, bindings: Bindings | None = None) -> list[str]:
        """Oxigraph's own TSV lines (see :meth:`Store.select_lines`): no cell is looked at here."""
        return self._tsv_lines(sparql, bindings, None)

    def _tsv_lines(self, sparql: str, bindings: Bindings | None,
                   default_graphs: Sequence[URIRef] | None) -> list[str]:
        with _no_outbound():
            result = self._run(sparql, bindings, default_graphs, None)
            if not isinstance(result, ox.QuerySolutions):
                raise QuerySyntaxError("select_nt and select_lines run SELECT queries")
            try:
                text = cast(bytes, result.serialize(format=ox.QueryResultsFormat.TSV)).decode("utf-8")  # no output
            except OSError as exc:
                if isinstance(exc, PermissionError):
                    raise
                raise StoreError(str(exc)) from exc
        lines = text.split("\n")
        del lines[0], lines[-1]  # the header, and the empty text after the last line's end
        return lines

    def query_serialized(self, sparql: str, result_format: str, *, default_graphs: Sequence[URIRef] | None = None,
                         named_graphs: Sequence[URIRef] | None = None, max_rows: int | None = None,
                         truncate: bool = False, base_iri: str | None = None,
                         skolem_prefix: str | None = None, max_bytes: int | None = None) -> SerializedResult:
        r"""See :meth:`Store.query_serialized`.

        >>> store = open_oxigraph("memory:")
        >>> store.add_nquads('_:b0 <http://ex/p> "1" .\n_:b1 <http://ex/p> "2" .\n')
        >>> result = store.query_serialized("SELECT ?s WHERE { ?s <p> ?o }", "csv", max_rows=1, truncate=True,
        ...                                 base_iri="http://ex/", skolem_prefix="http://ex/.well-known/genid/")
        >>> result.truncated, result.body.decode().splitlines()[1].startswith("http://ex/.well-known/genid/")
        (True, True)
        """
        if result_format not in RESULT_FORMATS:
            raise ValueError(f"unknown result format {result_format!r}")
        media_type, applies_to = RESULT_FORMATS[result_format]
        with _no_outbound():
            return self._serialize(self._run(sparql, None, default_graphs, named_graphs, base_iri), result_format,
                                   media_type, applies_to, max_rows, truncate, skolem_prefix, max_bytes)

    def _serialize(self, result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, result_format: str,
                   media_type: str, applies_to: str, max_rows: int | None, truncate: bool = False,
                   skolem_prefix: str | None = None, max_bytes: int | None = None) -> SerializedResult:
        if isinstance(result, (ox.QueryBoolean, ox.QuerySolutions)):
            kind: typing.Literal["ask", "select"] = "ask" if isinstance(result, ox.QueryBoolean) else "select"
            if applies_to != "solutions":
                raise NotAcceptableError(f"{result_format} cannot hold {kind.upper()} results")
            if isinstance(result, ox.QuerySolutions) and (max_rows is not None or skolem_prefix is not None
                                                          or max_bytes is not None):
                body, cut = _serialize_solutions(result, result_format, max_rows, truncate, skolem_prefix, max_bytes)
                return SerializedResult(kind, media_type, body, cut)
            return SerializedResult(kind, media_type, _bytes(result.serialize(format=_RESULTS_FORMAT[result_format])))
        if applies_to != "graph":
            raise NotAcceptableError(f"{result_format} cannot hold CONSTRUCT/DESCRIBE results")
        triples = list(islice(result, max_rows + 1)) if max_rows is not None else list(result)
        cut = "max-rows" if max_rows is not None and len(triples) > max_rows else ""
        if cut and not truncate:
            raise ResultTooLargeError(f"the result has more than {max_rows} triples; narrow the query")
        if cut:
            del triples[max_rows:]
        if skolem_prefix is not None:
            triples = [ox.Triple(_skolem(t.subject, skolem_prefix), t.predicate, _skolem(t.object, skolem_prefix))
                       for t in triples]
        if result_format == "jsonld" and any(isinstance(t.object, ox.Triple) for t in triples):
            raise NotAcceptableError("jsonld cannot hold triple terms (RDF 1.2): ask for Turtle or N-Triples")
        body, fitted = fit_body(triples, lambda some: _bytes(ox.serialize(
            some, format=_RDF_FORMAT[result_format], prefixes=_serial_prefixes(result_format))), max_bytes, truncate)
        return SerializedResult("graph", media_type, body, fitted or cut)

    def named_graphs(self) -> Iterator[URIRef]:
        for g in self._store.named_graphs():
            if isinstance(g, ox.NamedNode):
                yield URIRef(g.value)

    def count_quads(self, graph: URIRef | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, _graph_to_ox(graph)))

    def dump(self, output: IO[bytes] | Path | str, rdf_format: str = "nquads", graph: URIRef | None = None) -> None:
        fmt = _RDF_FORMAT[rdf_format]
        kwargs: dict[str, Any] = {"format": fmt}  # pyoxigraph's keyword arguments
        if graph is not None:
            kwargs["from_graph"] = _graph_to_ox(graph)
        elif rdf_format not in ("nquads", "trig"):
            raise ValueError(f"{rdf_format} holds one graph: name it, or dump as nquads/trig")
        if rdf_format in ("turtle", "trig"):
            kwargs["prefixes"] = PREFIXES
        self._store.dump(str(output) if isinstance(output, Path) else output, **kwargs)

    # -- writing ---------------------------------------------------------
    def add_nquads(self, nquads: str) -> None:
        self.check_writable()
        data = nquads.encode("utf-8")
        try:
            with self._writing:
                if _FACTS_LABEL in data:
                    # Facts labelled as a named graph (text from elsewhere): moved to the default graph, in one
                    # transaction. Text written for this store (facts_label None) never takes this path.
                    self._store.extend(_facts_to_default(ox.parse(data, format=ox.RdfFormat.N_QUADS)))
                else:
                    self._store.load(data, format=ox.RdfFormat.N_QUADS)
        except SyntaxError as exc:
            raise StoreError(f"invalid N-Quads: {exc}") from exc
        except OSError as exc:  # the disk is full, the file system failed: the transaction did not commit
            raise self._write_error(exc, "nothing of this write was committed") from exc

    def _write_error(self, error: OSError, consequence: str) -> StoreError:
        """The storage's own failure (a full disk…) as the store error it is (exit 2), naming the store."""
        return StoreError(f"cannot write to the store at {self.path or self.uri}: {error}; {consequence}")

    def update(self, sparql: str, *, bindings: Bindings | None = None, base_iri: str | None = None) -> None:
        self.check_writable()
        if bindings is not None:
            try:
                sparql = prepare(sparql, update=True).bind(bindings)
            except QuerySyntaxError:
                raise
            except ValueError as exc:
                raise QuerySyntaxError(str(exc)) from exc
        try:
            with _no_outbound(), self._writing:
                self._store.update(sparql, prefixes=PREFIXES, base_iri=base_iri)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(str(exc)) from exc

    def load(self, data: bytes | str | Path, rdf_format: str, graph: URIRef | None = None) -> None:
        self.check_writable()
        if rdf_format not in RDF_FORMATS:
            raise ValueError(f"unknown RDF format {rdf_format!r}")
        kwargs: dict[str, Any] = {"format": _RDF_FORMAT[rdf_format]}  # pyoxigraph's keyword arguments
        if rdf_format not in ("nquads", "trig"):
            kwargs["to_graph"] = _graph_to_ox(graph)
        if isinstance(data, Path):
            kwargs["path"] = str(data)
        else:
            kwargs["input"] = data.encode("utf-8") if isinstance(data, str) else data
        try:
            with self._writing:
                self._store.load(**kwargs)
        except SyntaxError as exc:
            raise StoreError(f"invalid {rdf_format}: {exc}") from exc
        except OSError as exc:
            raise self._write_error(exc, "nothing of this write was committed") from exc

    def bulk_add_nquads(self, nquads: str | bytes) -> None:
        """Add N-Quads bypassing the transaction log (fast, not atomic): for benchmarks and restores."""
        self.check_writable()
        data = nquads if isinstance(nquads, bytes) else nquads.encode("utf-8")
        try:
            with self._writing:
                if _FACTS_LABEL in data:
                    self._store.bulk_extend(_facts_to_default(ox.parse(data, format=ox.RdfFormat.N_QUADS)))
                else:
                    self._store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        except OSError as exc:
            raise self._write_error(exc, "a bulk write is not atomic: part of it may be stored") from exc

    def remove_graph(self, graph: URIRef) -> None:
        self.check_writable()
        with self._writing:
            self._store.remove_graph(_graph_to_ox(graph))

    def clear(self) -> None:
        self.check_writable()
        with self._writing:
            self._store.clear()

    def reset(self, nquads: Path) -> None:
        # Oxigraph clears a store at once (range deletions, whatever its size); the dump goes back in one
        # transaction, its blank node labels kept (Store.load would rename them, and the text would change).
        self.check_writable()
        try:
            with self._writing:
                self._store.clear()
                self._store.extend(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS))
        except OSError as exc:
            raise self._write_error(exc, f"the store is empty; {nquads} holds what it held") from exc

    def close(self) -> None:
        if self.path is not None and not self.read_only and not self.closed:
            try:
                with self._writing:
                    self._store.flush()
            except OSError as exc:  # committed writes are in the write-ahead log, replayed on the next open
                raise self._write_error(exc, "what was committed is kept and read back on the next open") from exc

    def checkpoint(self, target: Path) -> None:
        """Write a consistent copy of this on-disk store into ``target``, a new folder.

        On the same file system RocksDB hard-links its immutable files, so the
        copy is cheap, and then independent of the store.
        """
        if self.path is None:
            raise StoreError(f"store {self.uri} cannot be checkpointed (only an on-disk store can)")
        try:
            with self._writing:
                self._store.backup(str(target))
        except OSError as exc:
            raise StoreError(f"cannot checkpoint the store into {target}: {exc}") from exc

    def release(self) -> None:
        """Close the database now (RocksDB releases its lock); the object cannot be used afterwards."""
        if self.path is not None and not self.read_only and not self.closed:
            with self._writing:
                self._store.flush()
        self.closed = True
        with _OPEN_LOCK:
            if _OPEN_STORES.get(self.uri) is self:
                del _OPEN_STORES[self.uri]
        del self._store


_FACTS_LABEL = f"<{FACTS_GRAPH}>".encode()
_FACTS_NODE = ox.NamedNode(str(FACTS_GRAPH))


def _facts_to_default(quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
    """Quads with the facts graph's name moved to the default graph (the facts view here)."""
    default = ox.DefaultGraph()
    for quad in quads:
        yield ox.Quad(quad.subject, quad.predicate, quad.object, default) if quad.graph_name == _FACTS_NODE else quad


def _serial_prefixes(result_format: str) -> dict[str, str] | None:
    return PREFIXES if result_format in ("turtle", "trig") else None


_T = TypeVar("_T")


def _bytes(serialized: bytes | None) -> bytes:
    # pyoxigraph's serialize() returns the bytes when given no output (None only when it wrote to one).
    return cast(bytes, serialized)


def _skolem(term: _T, prefix: str) -> _T | ox.NamedNode | ox.Triple:
    """A blank node as the IRI ``prefix + label`` (RDF 1.1 §3.5), also inside a triple term; others unchanged."""
    if isinstance(term, ox.BlankNode):
        return ox.NamedNode(prefix + term.value)
    if isinstance(term, ox.Triple):
        return ox.Triple(_skolem(term.subject, prefix), term.predicate, _skolem(term.object, prefix))
    return term


def _serialize_solutions(solutions: ox.QuerySolutions, result_format: str, max_rows: int | None,
                         truncate: bool = False, skolem_prefix: str | None = None,
                         max_bytes: int | None = None) -> tuple[bytes, str]:
    """The body, a row at a time (memory follows the body, not the result), and which cap cut it ("": none)."""
    names = [v.value for v in solutions.variables]
    head, separator, tail, row_text = _solutions_parts(names, result_format)
    pieces = [head.encode("utf-8")]
    size = len(pieces[0]) + len(tail)
    if max_bytes is not None and size > max_bytes:  # the head alone (its variables' names): no body fits
        raise ResultTooLargeError(f"the result's head alone is larger than {max_bytes} bytes; name fewer variables")
    cut = ""
    for count, solution in enumerate(solutions):
        if max_rows is not None and count >= max_rows:
            cut = "max-rows"
            if not truncate:
                raise ResultTooLargeError(f"the result has more than {max_rows} rows; add LIMIT or narrow the query")
            break
        row = [solution[i] for i in range(len(names))]
        if skolem_prefix is not None:
            row = [_skolem(t, skolem_prefix) for t in row]
        text = ((separator if count else "") + row_text(row)).encode("utf-8")
        if max_bytes is not None and size + len(text) > max_bytes:
            cut = "max-bytes"
            if not truncate:
                raise ResultTooLargeError(f"the result is larger than {max_bytes} bytes; add LIMIT or narrow the "
                                          "query")
            break
        pieces.append(text)
        size += len(text)
    pieces.append(tail.encode("utf-8"))
    return b"".join(pieces), cut


def _solutions_parts(names: list[str], result_format: str) -> tuple[str, str, str, Callable[[list[Any]], str]]:
    """A solutions body's head, row separator, tail and row writer, in ``result_format``."""
    if result_format == "json":
        head = json.dumps({"head": {"vars": names}}, ensure_ascii=False)[:-1] + ', "results": {"bindings": ['
        return head, ", ", "]}}", lambda row: json.dumps(
            {n: _json_term(t) for n, t in zip(names, row, strict=True) if t is not None}, ensure_ascii=False)
    if result_format == "csv":
        def csv_row(row: list[Any]) -> str:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\r\n").writerow(row)
            return buf.getvalue()
        return csv_row(names), "", "", lambda row: csv_row([_csv_term(t) for t in row])
    if result_format == "tsv":
        return "\t".join("?" + n for n in names) + "\n", "", "", lambda row: "\t".join(
            "" if t is None else f"<<( {t} )>>" if isinstance(t, ox.Triple) else str(t) for t in row) + "\n"
    head = ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
            + "".join(f'<variable name="{n}"/>' for n in names) + "</head><results>")
    return head, "", "</results></sparql>", lambda row: "<result>" + "".join(
        f'<binding name="{n}">{_xml_term(t)}</binding>' for n, t in zip(names, row, strict=True)
        if t is not None) + "</result>"


def _csv_term(t: object) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    if isinstance(t, ox.Triple):  # a SPARQL 1.2 triple term: its three values, as Oxigraph's own CSV writes it
        return " ".join(_csv_term(part) for part in (t.subject, t.predicate, t.object))
    assert isinstance(t, (ox.NamedNode, ox.Literal))
    return t.value


def _json_term(t: object) -> dict[str, object]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Triple):  # SPARQL 1.2 Query Results JSON
        return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                            "object": _json_term(t.object)}}
    assert isinstance(t, ox.Literal)
    out: dict[str, object] = {"type": "literal", "value": t.value}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = t.datatype.value
    return out


def _xml_term(t: object) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{xml_escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{xml_escape(t.value)}</bnode>"
    if isinstance(t, ox.Triple):  # SPARQL 1.2 Query Results XML
        return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}</predicate>"
                f"<object>{_xml_term(t.object)}</object></triple>")
    assert isinstance(t, ox.Literal)
    if t.language:
        return f'<literal xml:lang="{t.language}">{xml_escape(t.value)}</literal>'
    if t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f'<literal datatype="{xml_escape(t.datatype.value)}">{xml_escape(t.value)}</literal>'
    return f"<literal>{xml_escape(t.value)}</literal>"
