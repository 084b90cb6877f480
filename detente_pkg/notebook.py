"""The Python API for notebooks: ``kg = detente.open(URI)``, answers as pandas DataFrames.

Everything goes through the library functions the command line uses
(:mod:`detente.graph.claims`, :func:`detente.loaders.pipeline.load_paths`,
:mod:`detente.graph.projections`); this module only shapes their answers for
pandas and NetworkX. pandas is the ``notebook`` extra
(``pip install 'detente[notebook]'``); ``records=True`` answers plain lists of
dicts without it.

>>> import detente
>>> kg = detente.open("memory:")
>>> reports = kg.load(demo_path(), records=True)
>>> sum(r["new_claims"] for r in reports)
14
>>> kg.sparql("SELECT ?n WHERE { ?a dt:prisonerCount ?n } ORDER BY ?n", records=True)
[{'n': 26}, {'n': 300}, {'n': 314}]
>>> kg.sparql("ASK { state:UKR owl:sameAs wd:Q212 }")
True

Values come typed: ``xsd:integer`` and other whole numbers as ``int``,
decimals and doubles as ``float``, ``xsd:boolean`` as ``bool``, ``xsd:date``
and ``xsd:dateTime`` as dates and datetimes (``datetime64`` columns in a
DataFrame), IRIs as compact names (``state:UKR``; ``full_iris=True`` keeps
them whole), language-tagged and plain strings as ``str``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from detente.errors import ParameterError, QuerySyntaxError, ReadOnlyError, UsageError
from detente.graph.store import Store, open_store

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import pandas as pd

__all__ = ["KnowledgeGraph", "open_graph", "demo_path", "python_value", "TruncatedResultWarning"]

#: SPARQL 1.1 Update operations: a text the engine refuses as a query and that starts with one is an update.
_UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})


class TruncatedResultWarning(UserWarning):
    """A method answered the first ``limit`` rows of a longer result (pass ``limit=None`` for all of them)."""


def _limit(value: int | None, name: str = "limit") -> int | None:
    """A row limit: None (no limit) or a whole number ≥ 0, else a :class:`ParameterError`."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(name, f"must be a whole number or None (no limit), not {value!r}")
    if value < 0:
        raise ParameterError(name, f"must not be negative (None means no limit), not {value}")
    return value


def _update_word(query: str) -> str | None:
    """The update operation a text starts with (after PREFIX/BASE), or None."""
    from detente.graph.sparql_text import tokenize

    for token in tokenize(query):
        if token.kind != "word" or token.depth != 0:
            continue
        word = token.text.upper()
        if word in ("PREFIX", "BASE"):
            continue
        return word if word in _UPDATE_WORDS else None
    return None


_INTEGERS = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.byte, XSD.nonNegativeInteger, XSD.positiveInteger,
             XSD.negativeInteger, XSD.nonPositiveInteger, XSD.unsignedInt, XSD.unsignedLong, XSD.unsignedShort,
             XSD.unsignedByte}
_FLOATS = {XSD.decimal, XSD.double, XSD.float}


def demo_path() -> Path:
    """The bundled demo corpus (the worked example: 314 prisoners, talks in Saudi Arabia…)."""
    import detente.loaders

    return Path(detente.loaders.__file__).resolve().parent / "demo"


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError("this needs pandas, which detente installs with its notebook extra: "
                          "pip install 'detente[notebook]' (or pass records=True for plain lists of dicts)") from None
    return pandas


def _iri_text(iri: str, full_iris: bool) -> str:
    """The IRI, or its project CURIE (:func:`detente.graph.terms.curie`, the one rule for shortening)."""
    if full_iris:
        return iri
    from detente.graph.terms import curie

    return curie(iri)


def python_value(term: Any, full_iris: bool = False) -> Any:
    """A Python value for an RDF term (see the module docstring); None stays None.

    >>> python_value(Literal("314", datatype=XSD.integer)), python_value(URIRef("https://w3id.org/detente/id/state/UKR"))
    (314, 'state:UKR')
    >>> python_value(Literal("2025-03-12", datatype=XSD.date))
    datetime.date(2025, 3, 12)
    """
    if term is None:
        return None
    if isinstance(term, URIRef):
        return _iri_text(str(term), full_iris)
    if isinstance(term, BNode):
        return f"_:{term}"
    if not isinstance(term, Literal):
        return term  # already a Python value (claim records hold some)
    text, datatype = str(term), term.datatype
    try:
        if datatype in _INTEGERS:
            return int(text)
        if datatype in _FLOATS:
            return float(Decimal(text)) if datatype == XSD.decimal else float(text)
        if datatype == XSD.boolean:
            return text.strip().lower() in ("true", "1")
        if datatype == XSD.date:
            return date.fromisoformat(text[:10])
        if datatype == XSD.dateTime:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, InvalidOperation):
        return text  # an ill-typed literal keeps its lexical form
    return text


def _frame(records: list[dict[str, Any]], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A DataFrame whose columns get the dtype their values share (nullable ints, datetimes, booleans)."""
    pandas = _pandas()
    frame: pd.DataFrame = pandas.DataFrame.from_records(records, columns=list(columns) if columns is not None else None)
    for name in frame.columns:
        values = [v for v in frame[name].tolist() if v is not None and not (isinstance(v, float) and v != v)]
        if not values:
            continue
        kinds = {type(v) for v in values}
        if kinds <= {bool}:
            frame[name] = frame[name].astype("boolean")
        elif kinds <= {int}:
            frame[name] = frame[name].astype("Int64")
        elif kinds <= {int, float}:
            frame[name] = frame[name].astype("float64")
        elif kinds <= {date}:
            frame[name] = pandas.to_datetime(frame[name])
        elif kinds <= {datetime}:
            aware = any(v.tzinfo is not None for v in values)
            frame[name] = pandas.to_datetime(frame[name], utc=aware)
    return frame


class KnowledgeGraph:
    """A detente store seen from Python: SPARQL, claims, provenance, conflicts, networks, loading.

    Open one with :func:`detente.open`. Methods answering tables return a
    pandas DataFrame, or a list of dicts with ``records=True``.
    """

    def __init__(self, store: Store, server: Any = None) -> None:
        self.store = store
        #: The running ``detente serve`` that holds the store (:class:`detente.api.client.ServerClient`), or None.
        self.server = server

    def __repr__(self) -> str:
        if self.server is not None:
            return f"<detente.KnowledgeGraph {self.store.uri} read through the server at {self.server.url}>"
        return f"<detente.KnowledgeGraph {self.store.uri}>"

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Flush and release the store."""
        self.store.close()

    # -- SPARQL ---------------------------------------------------------------------
    def sparql(self, query: str, *, full_iris: bool = False, records: bool = False,
               bindings: Mapping[str, Any] | None = None) -> Any:
        """Run a SPARQL query (the project's prefixes are predeclared).

        SELECT answers a DataFrame (one column per variable, typed), ASK a
        bool, CONSTRUCT/DESCRIBE a DataFrame of ``subject, predicate, object``.
        ``bindings`` maps variable names to rdflib terms, joined by the engine.

        Queries only: an update (``INSERT DATA …``) raises :class:`detente.errors.ReadOnlyError`;
        add claims with :meth:`load` or ``detente load``, which keep their sources.
        """
        from detente.api.sparql_guard import check_complexity

        check_complexity(query)  # past these bounds the engine can overflow the kernel's stack
        try:
            result = self.store.query(query, bindings=bindings)
        except QuerySyntaxError:
            word = _update_word(query)  # only the wording of the error: the engine has already refused the text
            if word is None:
                raise
            raise ReadOnlyError(
                f"kg.sparql runs queries (SELECT, ASK, CONSTRUCT, DESCRIBE), not updates ({word}): the notebook "
                "API is read-only for SPARQL updates. Add claims with their sources with kg.load(PATH) or "
                "`detente load PATH`.") from None
        if result.kind == "ask":
            return bool(result.boolean)
        if result.kind == "graph":
            columns = ["subject", "predicate", "object"]
            rows = [dict(zip(columns, (python_value(t, full_iris) for t in triple), strict=True))
                    for triple in result.triples]
        else:
            columns = list(result.variables)
            # Not strict: Oxigraph's TSV gives the one row of an empty projection (SELECT * {}) one empty cell.
            rows = [{v: python_value(t, full_iris) for v, t in zip(columns, row, strict=False)} for row in result.rows]
        return rows if records else _frame(rows, columns)

    # -- claims, provenance, conflicts ---------------------------------------------------
    def _terms(self, subject: Any, predicate: Any, obj: Any) -> tuple[Any, Any, Any]:
        """Entity, property and value references resolved as ``detente provenance`` resolves them.

        Entities by the one resolver (:class:`~detente.graph.entities.EntityNames`: every state plus the
        store's entities).
        """
        from detente.errors import UnknownEntityError
        from detente.graph.entities import EntityNames
        from detente.loaders.base import FieldError, object_term, resolve_predicate

        names: EntityNames | None = None
        resolved: list[Any] = [None, None, None]
        try:
            if predicate is not None:
                resolved[1] = predicate if isinstance(predicate, URIRef) else resolve_predicate(str(predicate))
            for position, ref in ((0, subject), (2, obj)):
                if ref is None or isinstance(ref, (URIRef, Literal)):
                    resolved[position] = ref
                    continue
                names = names or EntityNames.from_store(self.store)
                if position == 2 and resolved[1] is not None:
                    resolved[2] = object_term(names, resolved[1], ref)
                    continue
                resolved[position] = names.resolve(str(ref))  # a name several entities share: AmbiguousEntityError
        except FieldError as exc:
            raise UsageError(f"{exc.field}: {exc.message}") from None
        except UnknownEntityError as exc:  # a usage error here, as on the command line
            raise UsageError(f"{exc}: give a CURIE (state:UKR), an IRI or a known name") from None
        return resolved[0], resolved[1], resolved[2]

    @staticmethod
    def _claim_row(record: Any, full_iris: bool) -> dict[str, Any]:
        return {
            "claim": python_value(record.iri, full_iris), "key": record.key,
            "source": python_value(record.source, full_iris), "title": record.title, "url": record.url,
            "publisher": record.publisher_label or python_value(record.publisher, full_iris),
            "issued": python_value(Literal(record.issued, datatype=XSD.date)) if record.issued else None,
            "said_by": record.said_by_label or python_value(record.said_by, full_iris), "quote": record.quote,
            "confidence": record.confidence, "method": record.method,
        }

    def claims(self, subject: Any = None, predicate: Any = None, object: Any = None, *,
               limit: int | None = 1000, full_iris: bool = False, records: bool = False) -> Any:
        """Claims whose graph holds a matching statement: one row per statement of each claim.

        ``subject``/``object`` are CURIEs, IRIs or names; ``predicate`` a
        property (``prisonerCount``, ``dt:hasParty``, an IRI); None is a wildcard.
        ``limit`` counts claims (the first by IRI); None reads every one. When
        more claims match than ``limit``, a :class:`TruncatedResultWarning` says so.
        """
        from detente.graph.claims import claims_for

        wanted = _limit(limit)
        s, p, o = self._terms(subject, predicate, object)
        if wanted is None:
            found = claims_for(self.store, s, p, o, limit=None)
        else:
            found = claims_for(self.store, s, p, o, limit=wanted + 1)  # one more tells whether it was cut
            if len(found) > wanted:
                found = found[:wanted]
                warnings.warn(f"claims: the first {wanted} matching claims (by IRI) of more; pass limit=None for "
                              "all of them, or a larger limit", TruncatedResultWarning, stacklevel=2)
        rows = []
        for record in found:
            base = self._claim_row(record, full_iris)
            for st, pt, ot in record.statements:
                rows.append({"claim": base["claim"], "subject": python_value(st, full_iris),
                             "predicate": python_value(pt, full_iris), "object": python_value(ot, full_iris),
                             **{k: v for k, v in base.items() if k != "claim"}})
        columns = ["claim", "subject", "predicate", "object", "key", "source", "title", "url", "publisher", "issued",
                   "said_by", "quote", "confidence", "method"]
        return rows if records else _frame(rows, columns)

    def provenance(self, subject: Any, predicate: Any = None, object: Any = None, *,
                   full_iris: bool = False, records: bool = False) -> Any:
        """Every claim supporting ``subject [predicate [object]]``, and those giving another value.

        One row per claim: ``role`` (``supporting`` or ``disagreeing``),
        ``value`` (what it says for the predicate), its source, speaker,
        quote and confidence. As ``detente provenance -s … -p … -o …``.
        """
        from detente.graph.claims import provenance

        s, p, o = self._terms(subject, predicate, object)
        report = provenance(self.store, s, p, o)
        rows = []
        for role, records_of in (("supporting", report.supporting), ("disagreeing", report.disagreeing)):
            for record in records_of:
                values = [ot for st, pt, ot in record.statements if st == s and (p is None or pt == p)]
                value = python_value(values[0], full_iris) if len(values) == 1 and p is not None else None
                rows.append({"role": role, **self._claim_row(record, full_iris), "value": value})
        columns = ["role", "value", "claim", "key", "source", "title", "url", "publisher", "issued", "said_by",
                   "quote", "confidence", "method"]
        return rows if records else _frame(rows, columns)

    def conflicts(self, *, limit: int | None = None, offset: int = 0, full_iris: bool = False,
                  records: bool = False) -> Any:
        """Subjects given different values of a functional property: one row per (value, claim).

        ``limit`` and ``offset`` page by conflict (subject–property pair), as
        ``detente conflicts --limit --offset``; None lists every conflict. A page
        that leaves conflicts out says so with a :class:`TruncatedResultWarning`.
        """
        from detente.graph.conflict_listing import conflict_page

        wanted, start = _limit(limit), _limit(offset, "offset")
        page = conflict_page(self.store, limit=wanted, offset=start or 0)
        shown = len(page.conflicts)
        if (start or 0) + shown < page.total:  # conflicts after this page were left out
            warnings.warn(f"conflicts: {shown} of {page.total} from offset {start}; the next page starts at "
                          f"offset={(start or 0) + shown} (limit=None lists all)", TruncatedResultWarning, stacklevel=2)
        rows = []
        for conflict in page.conflicts:
            for value, claim_records in conflict.values.items():
                for record in claim_records:
                    said = [ot for st, pt, ot in record.statements
                            if st == conflict.subject and pt == conflict.predicate and str(ot) == value]
                    rows.append({"subject": python_value(conflict.subject, full_iris),
                                 "predicate": python_value(conflict.predicate, full_iris),
                                 "value": python_value(said[0], full_iris) if said else value,
                                 **self._claim_row(record, full_iris)})
        columns = ["subject", "predicate", "value", "claim", "key", "source", "title", "url", "publisher", "issued",
                   "said_by", "quote", "confidence", "method"]
        return rows if records else _frame(rows, columns)

    # -- networks -------------------------------------------------------------------------
    def network(self, projection: str = "actors", *, start: Any = None, end: Any = None,
                min_confidence: float | None = None, publishers: str | Iterable[str] | None = None,
                date_basis: str = "event", full_iris: bool = False) -> nx.Graph[Any]:
        """The NetworkX projection with the command line's filters (``detente export --projection …``).

        ``projection`` is ``actors``, ``bipartite`` or ``full``; nodes are
        compact names (``state:UKR``; ``full_iris=True`` keeps whole IRIs, as the
        GEXF/GraphML exports write them) and carry ``label``, ``type``, ``kind``
        and, when known, ``wikidata``/``sameAs``; edges carry their claims,
        sources, confidence and dates.
        """
        import networkx as nx

        from detente.graph.exports.links import add_wikidata_links
        from detente.graph.projections import Filters, project

        filters = Filters.from_params(start=start, end=end, min_confidence=min_confidence, publishers=publishers,
                                      date_basis=date_basis)
        graph = add_wikidata_links(self.store, project(self.store, projection, filters))
        if full_iris:
            return graph
        return nx.relabel_nodes(graph, {node: _iri_text(str(node), False) for node in graph}, copy=True)

    # -- loading and the rest ---------------------------------------------------------------
    def load(self, *paths: str | Path, skip_invalid: bool = False, rejects: str | Path | None = None,
             shacl: bool = True, source_url: str | None = None, title: str | None = None,
             publisher: str | None = None, published: str | None = None, source_type: str | None = None,
             records: bool = False) -> Any:
        """Load files or folders, one transaction per file, as ``detente load`` does.

        A bad record raises :class:`detente.loaders.base.LoadError` naming file,
        line and field, and nothing of that file is written; ``skip_invalid``
        loads the good records and writes the rejects to ``rejects`` (CSV) if
        given. The source options describe news text without front matter.
        Answers one row per file. On a store a server holds (see :func:`open_graph`),
        the files go through the server's writer.
        """
        from detente.loaders.base import LoadOptions
        from detente.loaders.pipeline import load_paths

        if not paths:
            raise UsageError("load needs at least one file or folder")
        options = LoadOptions(source_url=source_url, source_title=title, publisher=publisher, published=published,
                              source_type=source_type)
        sink = None
        if self.server is not None:  # the server is the store's one writer: each file goes through it
            from detente.api.admin import BATCH_BYTES

            client = self.server
            sink = lambda iris, text, complete: client.load(iris, text, BATCH_BYTES, complete=complete)  # noqa: E731
        reports = load_paths(self.store, list(paths), skip_invalid=skip_invalid,
                             rejects_path=Path(rejects) if rejects is not None else None, shacl=shacl, options=options,
                             sink=sink)
        if self.server is not None:  # read what was just written
            from detente.api.client import open_snapshot

            self.store.close()
            self.store = open_snapshot(self.server)
        rows = [{**{k: v for k, v in r.to_json().items() if k != "rejects"}, "rejects": [str(x) for x in r.rejects]}
                for r in reports]
        return rows if records else _frame(rows, ["path", "format", "records", "claims", "new_claims", "quads",
                                                  "written", "rejects"])

    def stats(self) -> dict[str, object]:
        """Counts of claims, sources, publishers, facts, entities, quads and instances per class."""
        from detente.graph.claims import stats

        return stats(self.store).to_json()

    def export(self, fmt: str, path: str | Path, **options: Any) -> Path:
        """Write an export (``detente export FORMAT -o PATH``): gexf, graphml, nanopub, rdf-star…; return the path."""
        from detente.graph.exports import export_file

        return export_file(self.store, fmt, path, **options)

    def reconcile(self, names: Iterable[str], type: str | None = None, *,
                  limit: int = 3, full_iris: bool = False, records: bool = False) -> Any:
        """Match names to entities as ``/reconcile`` does: the best candidates of each, with score and match."""
        from detente.loaders.matching import EntityIndex, MatchQuery, type_iri

        types: tuple[URIRef, ...] = ()
        if type is not None:
            cls = type_iri(type)
            if cls is None:
                raise UsageError(f"unknown type {type!r} (State, Envoy, Organization, Venue, Event…)")
            types = (cls,)
        texts = [str(n) for n in names]
        answers = EntityIndex.build(self.store).match([MatchQuery(t, types, limit=limit) for t in texts], self.store)
        rows = [{"name": text, "rank": rank, "entity": python_value(c.iri, full_iris), "label": c.name,
                 "score": c.score, "match": c.match, "description": c.description}
                for text, candidates in zip(texts, answers, strict=True) for rank, c in enumerate(candidates, start=1)]
        return rows if records else _frame(rows, ["name", "rank", "entity", "label", "score", "match", "description"])


def open_graph(uri: str | None = None, *, read_only: bool = False) -> KnowledgeGraph:
    """Open a store by URI (``oxigraph:PATH``, ``memory:``, ``sparql+http(s)://…``; default as the CLI's ``--store``).

    A writable store gets the current ontology graph, as the command line does.

    While a running ``detente serve`` holds an on-disk store (its lock file
    ``PATH/detente-server.json``), the store is read through that server, as
    the command line's reading commands do: queries read a read-only snapshot
    of its committed version, taken when opened (open again to see later
    writes), and :meth:`KnowledgeGraph.load` sends each file through the
    server's writer (then reads a fresh snapshot). This needs the server's
    token from the lock file: run the notebook as the user who started it.
    """
    from detente.api.client import open_snapshot, server_for
    from detente.graph.bootstrap import ensure_ontology
    from detente.graph.location import StoreLocation

    location = StoreLocation.of(uri)
    client = server_for(location)
    if client is not None:
        return KnowledgeGraph(open_snapshot(client), server=client)
    store = open_store(location, read_only=read_only)
    if not read_only:
        ensure_ontology(store)
    return KnowledgeGraph(store)
