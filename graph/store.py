"""The store interface: a SPARQL 1.1 dataset of claims.

Every backend (embedded Oxigraph, a remote SPARQL endpoint) implements
:class:`Store`. Callers never see the backend's own term types: values are
rdflib terms, bulk data travels as N-Quads text.

Open a store by URI:

>>> from detente.graph.store import open_store
>>> store = open_store("memory:")
>>> store.query("ASK { ?s ?p ?o }").boolean
False

Store URIs
----------
``oxigraph:PATH``
    an on-disk Oxigraph store (the default: a folder under the user's data
    directory, or ``DETENTE_STORE``).
``memory:``
    an in-memory Oxigraph store, gone when the process ends.
``sparql+http://HOST/PATH`` / ``sparql+https://…``
    any SPARQL 1.1 Query/Update endpoint (tested against Virtuoso).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal as TypingLiteral, Union

from rdflib import URIRef

from detente.graph.terms import Term, Triple
from detente.ontology.vocab import FACTS_GRAPH, ONTOLOGY_GRAPH, PREFIXES, PROVENANCE_GRAPH

QueryKind = TypingLiteral["select", "ask", "graph"]

#: Variable bindings: one value per variable (a mapping, substituted as in SEP-0007), or a table
#: of rows (a sequence of mappings, joined as a ``VALUES`` block where the variables are used).
Bindings = Union[Mapping[str, Term], Sequence[Mapping[str, Term]]]

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


class StoreError(Exception):
    """A store operation failed (bad URI, unreachable server, storage error)."""


class ReadOnlyError(StoreError):
    """A write was attempted on a store opened read-only."""


class QuerySyntaxError(StoreError, ValueError):
    """The SPARQL text does not parse."""


class ResultTooLargeError(StoreError):
    """A query produced more results than the caller allowed."""


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

    def dicts(self) -> list[dict[str, Term]]:
        """Rows as dicts of the bound variables only."""
        return [{v: t for v, t in zip(self.variables, row) if t is not None} for row in self.rows]

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


def prefix_header(names: Iterable[str] | None = None) -> str:
    """SPARQL PREFIX lines for the project's prefixes.

    >>> prefix_header(["dt"])
    'PREFIX dt: <https://w3id.org/detente/ontology#>\\n'
    """
    keys = list(names) if names is not None else list(PREFIXES)
    return "".join(f"PREFIX {k}: <{PREFIXES[k]}>\n" for k in keys)


class Store(ABC):
    """A SPARQL 1.1 dataset holding claims, provenance and entities.

    Writes are transactional per call: :meth:`add_nquads` and
    :meth:`update` either apply entirely or not at all.
    """

    uri: str
    read_only: bool = False
    #: The facts view is the engine's own default graph (Oxigraph), not a named graph (remote endpoints).
    facts_in_default_graph: bool = True
    #: Whether writes keep the summary graph (detente.graph.summary) up to date on this backend.
    maintains_summary: bool = True

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
            Graphs forming the default graph; :data:`DEFAULT_DATASET` when None.
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
    ) -> SerializedResult:
        """Run a query and serialise its result in ``result_format`` (see :data:`RESULT_FORMATS`).

        Raises ValueError if the format does not fit the query form.
        """

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
        """Add N-Quads text in one transaction. Quads naming :data:`FACTS_GRAPH` go to the facts view."""

    @abstractmethod
    def update(self, sparql: str, *, bindings: Bindings | None = None) -> None:
        """Run a SPARQL Update in one transaction; ``bindings`` as for :meth:`query`, at every ``WHERE``."""

    @abstractmethod
    def load(self, data: bytes | str | Path, rdf_format: str, graph: URIRef | None = None) -> None:
        """Load an RDF serialisation; triples go to ``graph`` (default: the facts graph)."""

    @abstractmethod
    def remove_graph(self, graph: URIRef) -> None:
        """Drop one named graph."""

    @abstractmethod
    def clear(self) -> None:
        """Remove everything."""

    def close(self) -> None:
        """Release the store (flush to disk); the default does nothing."""

    def check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(f"store {self.uri} is open read-only")

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def default_store_uri() -> str:
    """``DETENTE_STORE`` or ``oxigraph:`` a folder under the user's data directory."""
    env = os.environ.get("DETENTE_STORE")
    if env:
        return env
    from platformdirs import user_data_dir

    return "oxigraph:" + str(Path(user_data_dir("detente")) / "store")


def open_store(uri: str | None = None, *, read_only: bool = False) -> Store:
    """Open a store by URI (see the module docstring for the schemes).

    On-disk Oxigraph stores are opened once per process and shared.

    >>> open_store("memory:").uri
    'memory:'
    """
    uri = uri or default_store_uri()
    if uri == "memory:" or uri.startswith("oxigraph:"):
        from detente.graph.oxigraph_store import open_oxigraph

        return open_oxigraph(uri, read_only=read_only)
    if uri.startswith(("sparql+http://", "sparql+https://")):
        from detente.graph.remote_store import RemoteStore

        return RemoteStore(uri, read_only=read_only)
    if "://" not in uri and ":" not in uri:
        # A bare path is an on-disk Oxigraph store.
        from detente.graph.oxigraph_store import open_oxigraph

        return open_oxigraph("oxigraph:" + uri, read_only=read_only)
    raise StoreError(f"unknown store URI {uri!r}: use oxigraph:PATH, memory: or sparql+http(s)://HOST/PATH")
