"""Conflicts: subjects given different values of a functional property (314 vs 300 prisoners), listed set-wise.

The listing is one aggregate query and batched record reads. The functional
properties come from the ontology; the engine groups the facts view by
subject and property and keeps the pairs with more than one value (the
conflicts, which also gives the total). Then, a batch of conflicts at a time
(about a thousand claims), a few queries read the records of every claim
asserting a value, never one query per claim: memory follows the batch, not
the store.

A batch's reads are bound to its conflicts (``VALUES`` of subject and
property), not to the claims they find, so the engine finds the claims in
the same index lookups that read them: one query for their statements, one
for their provenance and source (one row per claim), and, for publishers,
speakers and activities not met before in the listing, one for their labels
and methods. Rows are read as N-Triples text: most values are shown as text,
so the literals unique to one claim (quote, key, title, URL) never become
term objects. The records are those of :func:`detente.graph.claims.claim_records`
(the tests compare them): of several values, the first in ``ORDER BY`` order,
and the fields of the chosen source, publisher, speaker and activity.

Order (as the per-subject listing had it): property, subject; within a
conflict, values in the order their claims come (claim IRI, then value).
Pages: ``limit`` and ``offset`` count conflicts (subject–property pairs).

>>> from detente.graph.store import open_store
>>> page = conflict_page(open_store("memory:"), limit=10)
>>> page.total, page.conflicts
(0, [])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from rdflib import BNode, Literal, URIRef

from detente.graph.claims import ClaimRecord, Conflict, _statement_key, claim_records
from detente.graph.performance import without_gc
from detente.graph.store import Store
from detente.graph.terms import Term, Triple, order_key, term_nt
from detente.ontology.vocab import PROVENANCE_GRAPH

#: About how many claims' records are read in one batch.
RECORD_BATCH = 2000
#: At most this many conflicts bound in one query: with a VALUES table of (subject, property) of about a
#: thousand rows or more, Oxigraph joins it with every claim's statements instead of looking each row up
#: (at 50k claims, 1,965 conflicts in one query took 17.6 s, 1,000 took 0.09 s).
MAX_BOUND = 512

_KEYS = "SELECT ?s ?p WHERE { ?s ?p ?o } GROUP BY ?s ?p HAVING (COUNT(DISTINCT ?o) > 1)"

# The claims behind a batch of conflicts: claim graphs asserting some value of the property.
_P = term_nt(PROVENANCE_GRAPH)
_CLAIMS = "GRAPH ?claim { ?subject ?predicate ?value } ?claim a dt:Claim ."
# The statements ask for the type in the provenance graph alone, where detente writes it: one index lookup
# where the default dataset takes three (on disk, 0.35 s against 0.55 s for 23k claims at 100k; the same in
# memory). A claim typed elsewhere in the default dataset only (an update's doing) then comes without
# statements, and its record is read by claim_records instead (see _records).
_STATEMENTS = ("SELECT ?claim ?s ?p ?o WHERE { GRAPH ?claim { ?subject ?predicate ?value } "
               f"GRAPH {_P} {{ ?claim a dt:Claim }} GRAPH ?claim {{ ?s ?p ?o }} }}")
# One row per claim (more where a property has several values): each OPTIONAL nests under the one
# binding its subject, so an absent source can never match every source's publisher.
# Numbers come as their text (STR): a row without bare TSV numbers is read at once (see Store.select_nt).
_FIELDS = ("SELECT ?claim ?src ?stype ?url ?title ?issued ?pub ?sp ?act ?quote (STR(?c) AS ?conf) ?key "
           "(STR(?start) AS ?qs) (STR(?end) AS ?qe) WHERE { "
           + _CLAIMS
           + f" OPTIONAL {{ GRAPH {_P} {{ ?claim prov:wasDerivedFrom ?src }}"
           f" OPTIONAL {{ GRAPH {_P} {{ ?src a ?stype }} }} OPTIONAL {{ GRAPH {_P} {{ ?src schema:url ?url }} }}"
           f" OPTIONAL {{ GRAPH {_P} {{ ?src dct:title ?title }} }}"
           f" OPTIONAL {{ GRAPH {_P} {{ ?src dct:issued ?issued }} }}"
           f" OPTIONAL {{ GRAPH {_P} {{ ?src dct:publisher ?pub }} }} }}"
           f" OPTIONAL {{ GRAPH {_P} {{ ?claim dt:saidBy ?sp }} }}"
           f" OPTIONAL {{ GRAPH {_P} {{ ?claim prov:wasGeneratedBy ?act }} }}"
           f" OPTIONAL {{ GRAPH {_P} {{ ?claim dt:quote ?quote }} }}"
           f" OPTIONAL {{ GRAPH {_P} {{ ?claim dt:confidence ?c }} }}"
           f" OPTIONAL {{ GRAPH {_P} {{ ?claim dct:identifier ?key }} }}"
           f" OPTIONAL {{ GRAPH {_P} {{ ?claim dt:quoteStart ?start }} }}"
           f" OPTIONAL {{ GRAPH {_P} {{ ?claim dt:quoteEnd ?end }} }} }}")
# Labels of publishers and speakers, methods of activities: where the records read them (the default graph).
_LABELS = "SELECT ?entity ?label WHERE { ?entity rdfs:label ?label }"
_METHODS = "SELECT ?entity ?label WHERE { ?entity dt:method ?label }"
# Columns of a _FIELDS row.
_SRC, _STYPE, _URL, _TITLE, _ISSUED, _PUB, _SP, _ACT, _QUOTE, _CONF, _KEY, _QS, _QE = range(1, 14)


@dataclass
class ConflictPage:
    """One page of the conflict listing.

    Attributes
    ----------
    total:
        Conflicts in the store (subject–property pairs with more than one value).
    offset, limit:
        Which page: ``limit`` None means every conflict from ``offset`` on.
    conflicts:
        The conflicts of the page, by property, then subject.
    """

    total: int
    offset: int
    limit: int | None
    conflicts: list[Conflict]

    def to_json(self) -> dict[str, object]:
        return {"total": self.total, "offset": self.offset, "limit": self.limit,
                "conflicts": [c.to_json() for c in self.conflicts]}


def conflict_keys(store: Store) -> list[tuple[URIRef, URIRef]]:
    """Every conflict as (subject, property), in listing order: one aggregate query."""
    from detente.ontology.schema import functional_properties

    rows = store.query(_KEYS, bindings=[{"p": p} for p in functional_properties()]).rows
    return sorted(((s, p) for s, p in rows), key=lambda k: (str(k[1]), order_key(k[0])))  # type: ignore[misc]


# -- N-Triples cells to terms and shown values ----------------------------------------------------

_XSD = "http://www.w3.org/2001/XMLSchema#"
# Literals whose text rdflib keeps as written: read without making a term (most are unique to a claim).
_AS_WRITTEN = ("", "^^<" + _XSD + "string>", "^^<" + _XSD + "anyURI>")
# A date already in canonical form: rdflib's normal form of it is the same text.
_DATE = "^^<" + _XSD + "date>"
_CANONICAL_DATE = re.compile(r'"[0-9]{4}-[0-9]{2}-[0-9]{2}"')
_ESCAPE = re.compile(r"\\(.)")
_UNESCAPE = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\", "b": "\b", "f": "\f", "'": "'"}
#: Distinct cells remembered by one listing before the memory is cleared.
CELL_LIMIT = 1 << 17


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _UNESCAPE[m.group(1)], text) if "\\" in text else text


def _term(cell: str) -> Term:
    """An N-Triples term as an rdflib term (as :meth:`Store.query` gives it)."""
    first = cell[0]
    if first == "<":
        return URIRef(cell[1:-1])
    if first == "_":
        return BNode(cell[2:])
    end = cell.rindex('"')
    lexical = _unescape(cell[1:end])
    rest = cell[end + 1:]
    if not rest:
        return Literal(lexical)
    if rest[0] == "@":
        return Literal(lexical, lang=rest[1:])
    datatype = rest[3:-1]
    return Literal(lexical) if datatype == _XSD + "string" else Literal(lexical, datatype=URIRef(datatype))


class _Cells:
    """Terms, statements and shown values of N-Triples cells, each made once per listing (bounded)."""

    def __init__(self) -> None:
        self.terms: dict[str, Term] = {}
        self.keys: dict[tuple[int, int, int], tuple[Any, Triple]] = {}
        self.numbers: dict[tuple[str, type], Any] = {}
        self.labels: dict[str, str | None] = {}  # publisher or speaker cell → its first label
        self.methods: dict[str, str | None] = {}  # activity cell → its first method

    def term(self, cell: str) -> Term:
        term = self.terms.get(cell)
        if term is None:
            if len(self.terms) >= CELL_LIMIT:
                self.terms.clear()
            term = self.terms[cell] = _term(cell)
        return term

    def iri(self, cell: str) -> URIRef:
        """The term of a cell that holds an IRI (or, where the data has one there, a blank node)."""
        return cast(URIRef, self.term(cell))

    def statement_key(self, triple: Triple) -> Any:
        """A statement's sort key (claims about one subject share most of their statements, term objects too).

        Remembered by the identity of its terms (rdflib hashes terms in Python code, slowly): the entry
        holds the terms, so no other object can take their identity while it is there.
        """
        s, p, o = triple
        ids = (id(s), id(p), id(o))
        found = self.keys.get(ids)
        if found is None:
            if len(self.keys) >= CELL_LIMIT:
                self.keys.clear()
            found = self.keys[ids] = (_statement_key(triple), triple)
        return found[0]

    def text(self, cell: str | None) -> str | None:
        """``str()`` of the term: an IRI's text, a literal's lexical form."""
        if cell is None:
            return None
        if cell[0] == '"':
            end = cell.rindex('"')
            rest = cell[end + 1:]
            if rest in _AS_WRITTEN or rest[0] == "@":
                return _unescape(cell[1:end])
            if rest == _DATE and _CANONICAL_DATE.fullmatch(cell, 0, end + 1):
                return cell[1:end]
        elif cell[0] == "<":
            return cell[1:-1]
        return str(self.term(cell))

    def number(self, cell: str | None, kind: type) -> Any:
        if cell is None:
            return None
        key = (cell, kind)
        value = self.numbers.get(key)
        if value is None:
            if len(self.numbers) >= CELL_LIMIT:
                self.numbers.clear()
            value = self.numbers[key] = kind(self.text(cell))  # as float() or int() of the term
        return value

    def learn(self, store: Store, sparql: str, known: dict[str, str | None], cells: set[str]) -> None:
        """Read the first label (or method) of entities not met before."""
        if len(known) >= CELL_LIMIT:
            known.clear()
        new = [cell for cell in cells if cell not in known]
        if not new:
            return
        found: dict[str, list[str]] = {}
        for entity, label in store.select_nt(sparql, bindings=[{"entity": self.term(c)} for c in new]):
            found.setdefault(entity, []).append(label)  # type: ignore[arg-type]
        for cell in new:
            labels = found.get(cell)
            known[cell] = None if not labels else self.text(min(labels, key=lambda c: order_key(self.term(c))))


def _records(store: Store, keys: Sequence[tuple[URIRef, URIRef]], cache: _Cells) -> dict[URIRef, ClaimRecord]:
    """The records of the claims behind a batch of conflicts."""
    bindings = [{"subject": s, "predicate": p} for s, p in keys]
    statements: dict[str, list[Triple]] = {}  # by the claim's cell in the rows below
    iris: dict[str, URIRef] = {}
    last: URIRef | None = None
    listed: list[Triple] = []
    for claim, s, p, o in cast("list[tuple[URIRef, Term, Term, Term]]",
                               store.query(_STATEMENTS, bindings=bindings).rows):
        if claim is not last:  # (a claim's rows come together: rdflib hashes terms in Python, slowly)
            cell = f"<{claim}>"
            listed = statements.setdefault(cell, [])
            iris[cell] = last = claim
        listed.append((s, p, o))
    chosen: dict[str, tuple[str | None, ...]] = {}
    twice: set[str] = set()  # a claim giving two values of a property, or in two conflicts of the batch
    several: set[str] = set()  # a claim with several values of some field, or not typed in the provenance graph
    for row in store.select_nt(_FIELDS, bindings=bindings):
        cell = cast(str, row[0])
        first = chosen.setdefault(cell, row)
        if first is not row:
            twice.add(cell)
            if first != row:
                several.add(cell)
        elif cell not in statements:  # a claim gives at least the value it was found by: not typed there
            several.add(cell)
    records: dict[URIRef, ClaimRecord] = {}
    if several:
        # Some property of the claim, its source or its speaker has several values, or the claim is typed
        # outside the provenance graph only (both rare): the records of those claims are read as
        # claim_records reads them, which picks the first of each in ORDER BY order.
        records.update(claim_records(store, [cache.iri(cell) for cell in several]))
        for cell in several:
            del chosen[cell]
    cache.learn(store, _LABELS, cache.labels,
                {c for row in chosen.values() for c in (row[_PUB], row[_SP]) if c is not None})
    cache.learn(store, _METHODS, cache.methods, {c for row in chosen.values() if (c := row[_ACT]) is not None})
    text, number, iri_of, labels, key_of = cache.text, cache.number, cache.iri, cache.labels, cache.statement_key
    for cell, row in chosen.items():
        iri = iris.get(cell) or iri_of(cell)
        triples = statements.get(cell, [])
        if cell in twice:  # its statements came once per time it was found
            triples = list(dict.fromkeys(triples))
        if len(triples) > 1:
            triples.sort(key=key_of)
        src, stype, pub, sp, act = row[_SRC], row[_STYPE], row[_PUB], row[_SP], row[_ACT]
        if src is None:  # no source: nothing of one
            stype = pub = None
        records[iri] = ClaimRecord(
            iri=iri, statements=triples, source=None if src is None else iri_of(src),
            source_type=None if stype is None else iri_of(stype),
            url=None if src is None else text(row[_URL]), title=None if src is None else text(row[_TITLE]),
            publisher=None if pub is None else iri_of(pub), publisher_label=None if pub is None else labels.get(pub),
            issued=None if src is None else text(row[_ISSUED]),
            said_by=None if sp is None else iri_of(sp), said_by_label=None if sp is None else labels.get(sp),
            quote=text(row[_QUOTE]), confidence=number(row[_CONF], float),
            quote_start=number(row[_QS], int), quote_end=number(row[_QE], int),
            method=None if act is None else cache.methods.get(act), key=text(row[_KEY]))
    return records


def iter_conflicts(store: Store, keys: Sequence[tuple[URIRef, URIRef]], *,
                   batch: int = RECORD_BATCH) -> Iterator[Conflict]:
    """The conflicts of ``keys`` with the records behind each value, about ``batch`` claims per batch."""
    per_query = 64  # conflicts per batch, adjusted to what the claims per conflict turn out to be
    start = 0
    cache = _Cells()
    while start < len(keys):
        chunk = keys[start:start + per_query]
        records = _records(store, chunk, cache)
        yield from _conflicts(chunk, records)
        start += len(chunk)
        per_query = max(1, min(MAX_BOUND, batch * len(chunk) // max(1, len(records))))


def _conflicts(keys: Sequence[tuple[URIRef, URIRef]], records: dict[URIRef, ClaimRecord]) -> Iterator[Conflict]:
    # Keyed by the terms' text and kind (rdflib hashes terms in Python code, slowly).
    values: dict[tuple[str, bool, str], dict[str, list[ClaimRecord]]] = {
        (str(s), type(s) is URIRef, str(p)): {} for s, p in keys}
    for claim in sorted(records, key=str):  # claim order, then each claim's statements in order
        record = records[claim]
        for s, p, o in record.statements:
            found = values.get((str(s), type(s) is URIRef, str(p)))
            if found is not None and type(p) is URIRef:
                found.setdefault(str(o), []).append(record)
    for subject, predicate in keys:
        yield Conflict(subject, predicate, values[(str(subject), type(subject) is URIRef, str(predicate))])


@without_gc
def conflict_page(store: Store, *, limit: int | None = None, offset: int = 0,
                  progress: Callable[[int, int], None] | None = None) -> ConflictPage:
    """A page of conflicts with the total; ``limit`` None lists every conflict from ``offset`` on.

    ``progress(done, expected)`` is called as the conflicts of the page are read.
    """
    if offset < 0 or (limit is not None and limit < 0):
        raise ValueError("offset and limit must not be negative")
    keys = conflict_keys(store)
    page = keys[offset:] if limit is None else keys[offset:offset + limit]
    found: list[Conflict] = []
    if progress is not None:
        progress(0, len(page))
    for conflict in iter_conflicts(store, page):
        found.append(conflict)
        if progress is not None:
            progress(len(found), len(page))
    return ConflictPage(len(keys), offset, limit, found)
