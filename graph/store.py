"""The store interface: a SPARQL 1.1 dataset of claims.

Every backend (embedded Oxigraph, a remote SPARQL endpoint) implements
:class:`Store`. Callers never see the backend's own term types: values are
rdflib terms, bulk data travels as N-Quads text. This module names no backend:
:func:`detente.graph.open_store` (in :mod:`detente.graph.backends`) opens one
by URI (see :mod:`detente.graph.location` for the URIs).

>>> from detente.graph import open_store
>>> store = open_store("memory:")
>>> store.query("ASK { ?s ?p ?o }").boolean
False
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal as TypingLiteral, TypeVar

from rdflib import URIRef

from detente.errors import NotAcceptableError, QuerySyntaxError, ReadOnlyError, ResultTooLargeError, StoreError
from detente.graph.terms import Term, Triple, rows_from_json
from detente.ontology.vocab import FACTS_GRAPH, ONTOLOGY_GRAPH, PREFIXES, PROVENANCE_GRAPH

if TYPE_CHECKING:
    from detente.graph.location import ReaderSpec, StoreLocation

# The store's errors live in detente.errors (each knows its HTTP status and exit code); named here too.
# open_store and default_store_uri live in detente.graph.backends; the old import path still answers
# them (see __getattr__ below) but does not export them, so that this module names no backend.
__all__ = ["DEFAULT_DATASET", "RESULT_FORMATS", "RDF_FORMATS", "RDF_SUFFIXES", "QueryKind", "QueryResult",
           "SerializedResult", "Store", "StoreError", "ReadOnlyError", "QuerySyntaxError", "ResultTooLargeError",
           "NotAcceptableError", "Bindings", "prefix_header", "select_rows"]

QueryKind = TypingLiteral["select", "ask", "graph"]

#: Variable bindings: one value per variable (a mapping, substituted as in SEP-0007), or a table
#: of rows (a sequence of mappings, joined as a ``VALUES`` block where the variables are used).
Bindings = Mapping[str, Term] | Sequence[Mapping[str, Term]]

#: The graphs a plain query sees: the deduplicated facts (claim assertions and
#: entity descriptions), claim provenance and the ontology. They share no
#: triples, so even a backend that unions them as a bag (Oxigraph) answers each
#: fact once; the entity graph stays reachable by ``GRAPH`` or by name.
DEFAULT_DATASET: tuple[URIRef, ...] = (FACTS_GRAPH, PROVENANCE_GRAPH, ONTOLOGY_GRAPH)

#: Result formats by short name: (media type, applies to).
RESULT_FORMATS: dict[str, tuple[str, str]] = {
    "json": ("application/sparql-results+json", "solutions"),
    "xml": ("application/sparql-results+xml", "solutions"),
    "csv": ("text/csv", "solutions"),
    "tsv": ("text/tab-separated-values", "solutions"),
    "turtle": ("text/turtle", "graph"),
    "ntriples": ("application/n-triples", "graph"),
    "nquads": ("application/n-quads", "graph"),
    "trig": ("application/trig", "graph"),
    "jsonld": ("application/ld+json", "graph"),
    "rdfxml": ("application/rdf+xml", "graph"),
}

#: RDF file formats by short name and by file suffix.
RDF_FORMATS: dict[str, str] = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
RDF_SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
}


@dataclass
class QueryResult:
    """The materialised result of a SPARQL query.

    Attributes
    ----------
    kind:
        ``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT/DESCRIBE).
    variables:
        Projected variable names for SELECT, in order.
    rows:
        One tuple per solution, aligned with ``variables``; unbound is None.
    boolean:
        The answer of an ASK query.
    triples:
        The triples of a CONSTRUCT/DESCRIBE query.
    """

    kind: QueryKind
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)
    #: The server cut the result at its row or size cap (a detente server's ``X-Detente-Truncated`` header).
    truncated: bool = False

    def dicts(self) -> list[dict[str, Term]]:
        """Rows as dicts of the bound variables only."""
        # Not strict: Oxigraph's TSV gives the one row of an empty projection (SELECT * {}) one empty cell.
        return [{v: t for v, t in zip(self.variables, row, strict=False) if t is not None} for row in self.rows]

    def __iter__(self) -> Iterator[tuple[Term | None, ...]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples)


@dataclass
class SerializedResult:
    """A query result already serialised by the backend."""

    kind: QueryKind
    media_type: str
    body: bytes
    #: The cap that cut a longer result to the body's first rows (or triples), asked with ``truncate=True``:
    #: ``"max-rows"`` or ``"max-bytes"``; "" when the body holds the whole result.
    cut: str = ""

    @property
    def truncated(self) -> bool:
        """The body holds the first rows (or triples) of a longer result."""
        return bool(self.cut)


T = TypeVar("T")


def fit_body(items: list[T], serialize: Callable[[list[T]], bytes], max_bytes: int | None,
             truncate: bool) -> tuple[bytes, str]:
    """The body of ``items`` (``serialize``), or of their first ones that fit in ``max_bytes``; and the cap that cut.

    For bodies written by a serializer (graphs), not a row at a time: the items are cut in proportion to the
    excess until the body fits. Past ``max_bytes`` without ``truncate``: :class:`ResultTooLargeError`.

    >>> fit_body(list(range(100)), lambda xs: b"x" * len(xs), 10, True)
    (b'xxxxxxxxxx', 'max-bytes')
    """
    body = serialize(items)
    if max_bytes is None or len(body) <= max_bytes:
        return body, ""
    if not truncate:
        raise ResultTooLargeError(f"the result is larger than {max_bytes} bytes; narrow the query")
    count = len(items)
    while len(body) > max_bytes and count:
        count = min(count - 1, int(count * max_bytes / len(body)))
        body = serialize(items[:count])
    if len(body) > max_bytes:  # not even an empty body fits (its prefixes)
        raise ResultTooLargeError(f"the result is larger than {max_bytes} bytes; narrow the query")
    return body, "max-bytes"


def prefix_header(names: Iterable[str] | None = None) -> str:
    r"""SPARQL PREFIX lines for the project's prefixes.

    >>> prefix_header(["dt"])
    'PREFIX dt: <https://w3id.org/detente/ontology#>\n'
    """
    keys = list(names) if names is not None else list(PREFIXES)
    return "".join(f"PREFIX {k}: <{PREFIXES[k]}>\n" for k in keys)


class Store(ABC):
    """A SPARQL 1.1 dataset holding claims, provenance and entities.

    Writes are transactional per call: :meth:`add_nquads` and
    :meth:`update` either apply entirely or not at all.

    Attributes
    ----------
    location:
        Where the store lives (the parsed URI).
    uri:
        Its canonical URI, as shown to users.
    facts_label:
        The graph label under which N-Quads carry the facts view in this backend:
        None for the default graph (no label; Oxigraph, whose default graph is the
        facts view), or :data:`FACTS_GRAPH` (a remote endpoint, where it is a named
        graph). Serialisers write facts under it (:func:`detente.graph.claims.claims_nquads`),
        so :meth:`add_nquads` takes the text as it is; facts written under the other
        form are still accepted, on a slower path.
    """

    location: StoreLocation
    uri: str
    read_only: bool = False
    facts_label: URIRef | None = FACTS_GRAPH
    #: Whether writes keep the summary graph (detente.graph.summary) up to date on this backend.
    maintains_summary: bool = True
    #: Most rows of a bindings table the backend takes in one query (None: no limit); readers that
    #: bind a batch of keys bind at most this many at a time.
    max_bound_rows: int | None = None
    #: Whether two threads may read the store at once and gain from it (:mod:`detente.graph.parallel`): an
    #: engine that releases the GIL while it evaluates and writes results. False keeps reads in the caller's thread.
    concurrent_reads: bool = False

    # -- reading ---------------------------------------------------------
    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        bindings: Bindings | None = None,
        default_graphs: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run a SPARQL query and materialise its result.

        Parameters
        ----------
        sparql:
            The query text. The project's prefixes (``dt:``, ``dtr:``,
            ``prov:``…) are predeclared.
        bindings:
            Values for variables, joined as ``VALUES`` blocks built from
            strictly serialised terms (never pasted into the text as given),
            e.g. ``{"claim": URIRef(...)}``. A mapping is a substitution: as
            in SEP-0007 a SELECT must project every substituted variable, and
            the value reaches into sub-SELECTs that use it. A sequence of
            mappings is a table of rows (``[{"claim": a}, {"claim": b}]``),
            joined wherever its variables are used; an empty sequence matches
            nothing. See :mod:`detente.graph.sparql_text`.
        default_graphs:
            Graphs forming the default graph; when None (and ``named_graphs``
            too), the query's own ``FROM`` / ``FROM NAMED`` clauses, read by the
            engine, else :data:`DEFAULT_DATASET`. Given, they replace the
            query's clauses, as the SPARQL protocol's graph parameters do.
        named_graphs:
            Graphs visible to ``GRAPH``; all named graphs when None.
        max_rows:
            Stop reading solutions after this many.
        """

    @abstractmethod
    def query_serialized(
        self,
        sparql: str,
        result_format: str,
        *,
        default_graphs: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
        max_rows: int | None = None,
        truncate: bool = False,
        base_iri: str | None = None,
        skolem_prefix: str | None = None,
        max_bytes: int | None = None,
    ) -> SerializedResult:
        """Run a query and serialise its result in ``result_format`` (see :data:`RESULT_FORMATS`).

        Raises :class:`~detente.errors.NotAcceptableError` (a ValueError) if the
        format does not fit the query form, and
        :class:`~detente.errors.ResultTooLargeError` past ``max_rows`` or a body
        past ``max_bytes`` — unless ``truncate``: then the first rows that fit
        both come back, marked :attr:`SerializedResult.truncated` (and
        :attr:`SerializedResult.cut`). ``base_iri`` resolves the query's
        relative IRIs (the engine's own parse; the text is not changed).
        ``skolem_prefix`` turns each blank node of the result into the IRI
        ``skolem_prefix + label`` (RDF 1.1 §3.5). A remote endpoint resolves IRIs
        and labels blank nodes by its own rules (both are ignored there), and
        passes SELECT results through as it wrote them (so it cannot truncate them).
        The dataset is chosen as in :meth:`query`.
        """

    def select_nt(self, sparql: str, *, bindings: Bindings | None = None,
                  default_graphs: Sequence[URIRef] | None = None) -> list[tuple[str | None, ...]]:
        """Run a SELECT and return its rows with every value in N-Triples syntax (None when unbound).

        For large reads that only count, compare and write terms back as N-Quads
        (:mod:`detente.graph.summary`): no term objects are built. Backends
        override it with a faster path; this one serialises :meth:`query`'s terms.

        >>> from detente.graph import open_store
        >>> open_store("memory:").select_nt("SELECT ?x ?y WHERE { VALUES ?x { <http://ex/a> 1 } }")
        [('<http://ex/a>', None), ('"1"^^<http://www.w3.org/2001/XMLSchema#integer>', None)]
        """
        from detente.graph.terms import term_nt

        return [tuple(None if t is None else term_nt(t) for t in row)
                for row in self.query(sparql, bindings=bindings, default_graphs=default_graphs).rows]

    def select_lines(self, sparql: str, *, bindings: Bindings | None = None) -> list[str]:
        r"""Run a SELECT and return its rows as SPARQL TSV lines, without the header.

        Cells are separated by tabs: N-Triples terms, except numbers and booleans,
        which may be bare, and unbound values, which are empty (read a cell with
        :func:`detente.graph.terms.tsv_cell_nt`). For the largest reads: a caller
        that keys on whole lines or parts of them splits only what it needs.
        Backends override it with the engine's own TSV; this one writes
        :meth:`select_nt`'s cells.

        >>> from detente.graph import open_store
        >>> open_store("memory:").select_lines("SELECT ?x ?y WHERE { VALUES ?x { <http://ex/a> } }")
        ['<http://ex/a>\t']
        """
        # (N-Triples may hold a tab raw in a literal; TSV escapes it, as N-Triples may.)
        return ["\t".join("" if cell is None else cell.replace("\t", "\\t") for cell in row)
                for row in self.select_nt(sparql, bindings=bindings)]

    @abstractmethod
    def named_graphs(self) -> Iterator[URIRef]:
        """Every named graph of the store (claims and the system graphs)."""

    @abstractmethod
    def count_quads(self, graph: URIRef | None = None) -> int:
        """Number of quads in the store, or in one graph."""

    @abstractmethod
    def dump(self, output: IO[bytes] | Path | str, rdf_format: str = "nquads", graph: URIRef | None = None) -> None:
        """Write the whole dataset (N-Quads/TriG) or one graph to ``output``."""

    # -- writing ---------------------------------------------------------
    @abstractmethod
    def add_nquads(self, nquads: str) -> None:
        """Add N-Quads text in one transaction.

        Quads under :attr:`facts_label` go to the facts view, and so do quads naming
        :data:`FACTS_GRAPH` on a backend whose facts are the default graph.
        """

    def bulk_add_nquads(self, nquads: str | bytes) -> None:
        """Add N-Quads (text, or its UTF-8 bytes) by the backend's fastest path, which may not be one transaction.

        The default is :meth:`add_nquads`. For derived data that a mark set beforehand protects (the summary's rebuild).
        """
        self.add_nquads(nquads.decode("utf-8") if isinstance(nquads, bytes) else nquads)

    @abstractmethod
    def update(self, sparql: str, *, bindings: Bindings | None = None, base_iri: str | None = None) -> None:
        """Run a SPARQL Update in one transaction; ``bindings`` as for :meth:`query`, at every ``WHERE``.

        ``base_iri`` resolves the update's relative IRIs (the engine's own parse), as for
        :meth:`query_serialized`; a remote endpoint resolves them by its own rules.
        """

    @abstractmethod
    def load(self, data: bytes | str | Path, rdf_format: str, graph: URIRef | None = None) -> None:
        """Load an RDF serialisation; triples go to ``graph`` (default: the facts graph)."""

    @abstractmethod
    def remove_graph(self, graph: URIRef) -> None:
        """Drop one named graph."""

    @abstractmethod
    def clear(self) -> None:
        """Remove everything."""

    def reset(self, nquads: Path) -> None:
        """Empty the store and put back ``nquads``, a :meth:`dump` of it: the store is again what it was then.

        For taking back a fresh import (:func:`detente.graph.writes.roll_back`): the dump is small (the store held
        no claims). Oxigraph keeps the dump's blank node labels, so the store dumps as the same text again; this
        default (:meth:`clear`, then :meth:`load`) leaves the labels to the backend.
        """
        self.clear()
        self.load(nquads, "nquads")

    def close(self) -> None:  # noqa: B027 - an optional hook, not abstract: most stores have nothing to release
        """Release the store (flush to disk); the default does nothing."""

    def reader_spec(self) -> ReaderSpec:
        """How worker processes that only read get this store (see :class:`~detente.graph.location.ReaderSpec`)."""
        raise StoreError(f"store {self.uri} cannot be shared with worker processes")

    def checkpoint(self, target: Path) -> None:
        """Write a consistent copy of the store into the new folder ``target``, to be opened on its own.

        Where a store's readers open checkpoints (``"snapshot"`` sharing, see
        :meth:`reader_spec`), its writer makes them: a version for readers, or a
        copy to apply a write to. Other backends cannot.
        """
        raise StoreError(f"store {self.uri} cannot be checkpointed")

    def release(self) -> None:
        """Close the store for good, giving back what it holds (a database's lock); the default is :meth:`close`."""
        self.close()

    def check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(f"store {self.uri} is open read-only")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def select_rows(store: Store, sparql: str, *, default_graphs: Sequence[URIRef] | None = None
                ) -> list[tuple[Term | None, ...]]:
    """Run a SELECT and return its rows, with equal terms shared as one object.

    Reads SPARQL JSON results through :meth:`Store.query_serialized` (every
    backend serialises natively) and decodes them with
    :func:`detente.graph.terms.rows_from_json`: the fast path for large reads.

    >>> from detente.graph import open_store
    >>> select_rows(open_store("memory:"), "SELECT ?x WHERE { VALUES ?x { 1 } }")
    [(rdflib.term.Literal('1', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')),)]
    """
    return rows_from_json(json.loads(store.query_serialized(sparql, "json", default_graphs=default_graphs).body))


def __getattr__(name: str) -> Any:
    # open_store and default_store_uri moved to detente.graph.backends (this module names no backend);
    # the old import path keeps working without importing the backends when this module loads.
    if name in ("open_store", "default_store_uri"):
        from detente.graph import backends

        return getattr(backends, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
