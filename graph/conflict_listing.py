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
and methods. Rows are read as the engine's TSV lines (:meth:`Store.select_lines`):
most values are shown as text, so the literals unique to one claim (quote,
key, title, URL) never become term objects, and a statement row is split
only after the part after its claim, as text, was not met before: each
distinct statement is made (terms, sort key, conflict value) once per
listing, and claims stating the same statements (most claims about one
event) share one sorted list of them. The fields query finds claims by
their type in the provenance graph, where detente types them, unless some
claim is typed in the facts or ontology graph (one ``ASK``): then by the
whole default dataset. The records are those of :func:`detente.graph.claims.claim_records`
(the tests compare them): of several values, the first in ``ORDER BY`` order,
and the fields of the chosen source, publisher, speaker and activity.

Where the store may be read from two threads (Oxigraph, which releases the
GIL while it evaluates and writes TSV; :mod:`detente.graph.parallel`), the
engine works while Python does: the aggregate runs one query per property,
two at a time, and while a batch's lines are made into records, worker
threads already read the next two batches (each batch's statements and
fields queries in one thread). A few batches ahead only, so memory still
follows the batch; the conflicts, their order and the pages are those of
the sequential listing.

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
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter
from typing import Any, cast

from rdflib import BNode, Literal, URIRef

from detente.graph.claims import ClaimRecord, Conflict, _statement_key, claim_records
from detente.graph.parallel import StoreReads, answered
from detente.graph.performance import without_gc
from detente.graph.store import Store
from detente.graph.terms import Term, Triple, checked_iri, order_key, term_nt, tsv_cell_nt
from detente.ontology.vocab import FACTS_GRAPH, ONTOLOGY_GRAPH, PROVENANCE_GRAPH

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
# Where every claim is typed in the provenance graph (where detente types them: no claim is typed in the
# facts or the ontology graph), the fields query finds them there too, in one index lookup where Oxigraph's
# union default dataset takes three: on disk 2.2 s against 2.7 s for 23k claims at 100k (in memory about
# the same, and the check costs what it saves there).
_FIELDS_TYPED_IN_PROVENANCE = _FIELDS.replace(
    _CLAIMS, f"GRAPH ?claim {{ ?subject ?predicate ?value }} GRAPH {_P} {{ ?claim a dt:Claim }}")
_TYPED_ELSEWHERE = "ASK { ?claim a dt:Claim }"
# Labels of publishers and speakers, methods of activities: where the records read them (the default graph).
_LABELS = "SELECT ?entity ?label WHERE { ?entity rdfs:label ?label }"
_METHODS = "SELECT ?entity ?label WHERE { ?entity dt:method ?label }"
# Columns of a _FIELDS row whose cells are looked up before the rows are made into records (see _records).
_PUB, _SP, _ACT = 6, 7, 8


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


def conflict_keys(store: Store, *, concurrent: bool | None = None) -> list[tuple[URIRef, URIRef]]:
    """Every conflict as (subject, property), in listing order: one aggregate query (per property, in threads)."""
    cache = _Cells()
    with StoreReads(store, concurrent=concurrent) as reads:
        return [(cache.iri(s), cache.iri(p)) for s, p in _key_cells(store, cache, reads)]


def _key_cells(store: Store, cache: _Cells, reads: StoreReads) -> list[tuple[str, str]]:
    """Every conflict as the N-Triples cells of (subject, property), in listing order."""
    from detente.ontology.schema import functional_properties

    properties = [{"p": p} for p in functional_properties()]
    if reads.concurrent:
        # One aggregate per property, two at a time: the engine counts on both cores (at 100k in memory 0.09-0.11 s
        # against 0.17-0.18 s for the one query). The groups of different properties never overlap, so the
        # answers together are the one query's, sorted below into the listing's order either way.
        parts = [reads.submit(store.select_nt, _KEYS, bindings=[p]) for p in properties]
        rows = cast("list[tuple[str, str]]", [row for part in parts for row in part.result()])
    else:
        rows = cast("list[tuple[str, str]]", store.select_nt(_KEYS, bindings=properties))
    term = cache.term
    return sorted(rows, key=lambda k: (str(term(k[1])), order_key(term(k[0]))))


def _fields_query(store: Store) -> str:
    """The fields query for ``store``: claims found in the provenance graph, where every claim is typed there.

    (Where the facts view is the engine's default graph, its default dataset a union: Oxigraph. Virtuoso's
    compiler fails on that form, and a remote endpoint's dataset is its own anyway.)
    """
    if store.facts_label is None and not store.query(
            _TYPED_ELSEWHERE, default_graphs=[FACTS_GRAPH, ONTOLOGY_GRAPH]).boolean:
        return _FIELDS_TYPED_IN_PROVENANCE
    return _FIELDS


# -- N-Triples cells to terms and shown values ----------------------------------------------------

_XSD = "http://www.w3.org/2001/XMLSchema#"
# Literals whose text rdflib keeps as written: read without making a term (most are unique to a claim).
_AS_WRITTEN = ("", "^^<" + _XSD + "string>", "^^<" + _XSD + "anyURI>")
# A date already in canonical form: rdflib's normal form of it is the same text.
_DATE = "^^<" + _XSD + "date>"
_CANONICAL_DATE = re.compile(r'"[0-9]{4}-[0-9]{2}-[0-9]{2}"')
_ESCAPE = re.compile(r"\\(.)")
_UNESCAPE = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\", "b": "\b", "f": "\f", "'": "'"}
_TERM_START = frozenset('<"_')
#: Distinct cells remembered by one listing before the memory is cleared.
CELL_LIMIT = 1 << 17


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _UNESCAPE[m.group(1)], text) if "\\" in text else text


def _term(cell: str) -> Term:
    """An N-Triples term as an rdflib term (as :meth:`Store.query` gives it)."""
    first = cell[0]
    if first not in _TERM_START:  # a number or boolean, written bare
        cell = cast(str, tsv_cell_nt(cell))
        first = cell[0]
    if first == "<":  # the engine parsed it as an IRI: rdflib's per-character check would find nothing
        return checked_iri(cell[1:-1])
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


#: A conflict as the N-Triples cells of its subject and property; a value of it as its shown text.
_Key = tuple[str, str]
_Given = list[tuple[_Key, str]]


class _Cells:
    """Terms, statements and shown values of N-Triples cells, each made once per listing (bounded).

    Statements are numbered as they are first met; a claim's statements are the tuple of their numbers,
    and claims stating the same (most claims about one event do) share one sorted list of triples and
    the values they give, made once.
    """

    def __init__(self, wanted: Iterable[_Key] = ()) -> None:
        self.terms: dict[str, Term] = {}
        self.numbers: dict[type, dict[str, Any]] = {float: {}, int: {}}  # kind → cell → its value
        self.labels: dict[str, str | None] = {}  # publisher or speaker cell → its first label
        self.methods: dict[str, str | None] = {}  # activity cell → its first method
        self.wanted = set(wanted)  # the conflicts of the listing
        self.fields = _FIELDS  # the fields query (see _FIELDS_TYPED_IN_PROVENANCE)
        self.statement_numbers: dict[str, int] = {}
        self.triples: list[Triple] = []  # by statement number: the terms,
        self.sort_keys: list[Any] = []  # the sort key (claims.get_claim's order),
        self.values: list[tuple[_Key, str] | None] = []  # and the conflict value it gives, if any
        self.statement_sets: dict[tuple[int, ...], tuple[list[Triple], _Given]] = {}
        self.sources: dict[tuple[str | None, ...], tuple[Any, ...]] = {}  # a source's cells → its fields

    def start_batch(self) -> None:
        """Forget statements and sources if there are too many (never within a batch: its numbers stay valid)."""
        if len(self.statement_numbers) >= CELL_LIMIT or len(self.statement_sets) >= CELL_LIMIT:
            for kept in (self.statement_numbers, self.triples, self.sort_keys, self.values, self.statement_sets):
                kept.clear()
        if len(self.sources) >= CELL_LIMIT:
            self.sources.clear()

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

    def statement(self, cells: str) -> int:
        """The number of a statement met for the first time (its terms, sort key and value made here)."""
        number = len(self.triples)
        s, p, o = cells.split("\t")
        triple = (self.term(s), self.term(p), self.term(o))
        self.statement_numbers[cells] = number
        self.triples.append(triple)
        self.sort_keys.append(_statement_key(triple))
        key = (s, p)
        self.values.append((key, cast(str, self.text(o))) if key in self.wanted else None)
        return number

    def claim_statements(self, lines: list[str]) -> dict[str, list[int]]:
        """Claim cell → the numbers of its statements, as the statements lines give them (see _STATEMENTS)."""
        numbers: dict[str, list[int]] = {}
        known, new = self.statement_numbers, self.statement
        last: str | None = None
        listed: list[int] = []
        for line in lines:
            claim, _, cells = line.partition("\t")
            if claim != last:  # a claim's rows come together
                found = numbers.get(claim)
                listed = numbers[claim] = [] if found is None else found
                last = claim
            number = known.get(cells)
            listed.append(new(cells) if number is None else number)
        return numbers

    def statements(self, numbers: tuple[int, ...]) -> tuple[list[Triple], _Given]:
        """A claim's statements in order (sorted as claim_records sorts them) and the conflict values they give."""
        found = self.statement_sets.get(numbers)
        if found is None:
            order = sorted(numbers, key=self.sort_keys.__getitem__)  # stable: ties keep the engine's order
            triples, values = self.triples, self.values
            found = self.statement_sets[numbers] = (
                [triples[n] for n in order], [v for n in order if (v := values[n]) is not None])
        return found

    def source(self, cells: tuple[str | None, ...]) -> tuple[Any, ...]:
        """Source, type, URL, title, issued and publisher from their cells (none of them without a source)."""
        found = self.sources.get(cells)
        if found is None:
            src, stype, url, title, issued, pub = cells
            if not src:
                found = (None, None, None, None, None, None)
            else:
                found = (self.iri(src), self.iri(stype) if stype else None, self.text(url), self.text(title),
                         self.text(issued), self.iri(pub) if pub else None)
            self.sources[cells] = found
        return found

    def text(self, cell: str | None) -> str | None:
        """``str()`` of the term: an IRI's text, a literal's lexical form."""
        if not cell:
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
        """``float()`` or ``int()`` (``kind``) of the term, as claim_records gives it (None for an unbound cell)."""
        if not cell:
            return None
        known = self.numbers[kind]
        value = known.get(cell)
        if value is None:
            if len(known) >= CELL_LIMIT:
                known.clear()
            value = known[cell] = kind(self.text(cell))
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


def _given(record: ClaimRecord, wanted: set[_Key]) -> _Given:
    """The conflict values a record read as terms gives, in its statements' order."""
    return [(key, str(o)) for s, p, o in record.statements
            if type(p) is URIRef and (key := (term_nt(s), term_nt(p))) in wanted]


#: A batch's engine reads: its statements lines and its fields lines (see _STATEMENTS and _FIELDS).
_Lines = tuple[list[str], list[str]]
#: Batches whose engine reads are under way or done while the caller makes one batch into records. Each
#: batch's two queries run one after the other in one worker thread, so a batch whose fields query takes
#: longer than its statements query does not leave a core idle until it ends: the next batch's reads
#: start on it (1M claims in memory, with the records' cheaper steps of the same commit, six alternating
#: runs: median 9.95 s against 10.95 s with one batch ahead, its two queries in two threads).
READ_AHEAD = 2


def _read_batch(store: Store, keys: Sequence[tuple[URIRef, URIRef]], fields: str) -> _Lines:
    """The two engine reads of a batch of conflicts: its claims' statements lines, then their fields lines."""
    bindings = [{"subject": s, "predicate": p} for s, p in keys]
    return store.select_lines(_STATEMENTS, bindings=bindings), store.select_lines(fields, bindings=bindings)


def _claims_in(field_lines: list[str]) -> int:
    """How many claims a batch's fields lines are about (most claims have one line)."""
    return len({line.partition("\t")[0] for line in field_lines})


def _records(store: Store, cache: _Cells, statement_lines: list[str],
             field_lines: list[str]) -> list[tuple[ClaimRecord, _Given]]:
    """The records of the claims behind a batch of conflicts, in claim order, with the values each gives.

    From the batch's engine reads (:func:`_read_batch`); here only the small reads of claims with
    several values of a field, and labels and methods not met before. The fields rows are split and
    keyed by claim in one step each (``map``, ``dict``): only where some claim has several rows (rare)
    are they walked one by one.
    """
    cache.start_batch()
    numbers = cache.claim_statements(statement_lines)
    rows = list(map(str.split, field_lines, repeat("\t")))
    chosen = dict(zip(map(itemgetter(0), rows), rows, strict=True))  # claim cell → its row: most have one
    twice: set[str] = set()  # a claim giving two values of a property, or in two conflicts of the batch
    # A claim with several values of some field, or not typed in the provenance graph: it was found by
    # the value it gives, so its statements come unless the statements query's typing missed it.
    several = chosen.keys() - numbers.keys()
    if len(chosen) < len(rows):
        chosen = {}
        for row in rows:
            cell = row[0]
            first = chosen.setdefault(cell, row)
            if first is not row:
                twice.add(cell)
                if first != row:
                    several.add(cell)
    out: list[tuple[ClaimRecord, _Given]] = []
    if several:
        # Some property of the claim, its source or its speaker has several values, or the claim is typed
        # outside the provenance graph only (both rare): the records of those claims are read as
        # claim_records reads them, which picks the first of each in ORDER BY order.
        wanted = cache.wanted
        out += ((record, _given(record, wanted))
                for record in claim_records(store, [cache.iri(cell) for cell in several]).values())
        for cell in several:
            del chosen[cell]
    cache.learn(store, _LABELS, cache.labels,
                {c for row in chosen.values() for c in (row[_PUB], row[_SP]) if c})
    cache.learn(store, _METHODS, cache.methods, {c for row in chosen.values() if (c := row[_ACT])})
    text, to_number, iri_of, source_of, labels, methods = (cache.text, cache.number, cache.iri, cache.source,
                                                          cache.labels, cache.methods)
    statements_of = cache.statements
    for cell, (_, src, stype, url, title, issued, pub, sp, act, quote, conf, key, start, end) in chosen.items():
        claim_numbers = numbers[cell]
        triples, given = statements_of(tuple(dict.fromkeys(claim_numbers)) if cell in twice else tuple(claim_numbers))
        source, source_type, url_text, title_text, issued_text, publisher = \
            source_of((src, stype, url, title, issued, pub))
        out.append((ClaimRecord(
            # A claim IRI is made, not remembered: one per record, never met again.
            checked_iri(cell[1:-1]) if cell[0] == "<" else iri_of(cell), list(triples),
            source, source_type, url_text, title_text, publisher,
            None if publisher is None else labels.get(pub), issued_text,
            iri_of(sp) if sp else None, labels.get(sp) if sp else None, text(quote),
            to_number(conf, float), to_number(start, int), to_number(end, int),
            methods.get(act) if act else None, text(key)), given))
    out.sort(key=lambda pair: str(pair[0].iri))  # claim order
    return out


def iter_conflicts(store: Store, keys: Sequence[tuple[URIRef, URIRef]], *, batch: int = RECORD_BATCH,
                   concurrent: bool | None = None) -> Iterator[Conflict]:
    """The conflicts of ``keys`` with the records behind each value, about ``batch`` claims per batch.

    ``concurrent``: read the next batch in worker threads while this one is made into records (None: where
    the store allows it, see :mod:`detente.graph.parallel`); the conflicts are the same either way. Closing
    the iterator before its end stops the reads (it waits for those already running).
    """
    cells = [(term_nt(s), term_nt(p)) for s, p in keys]
    with StoreReads(store, concurrent=concurrent) as reads:  # made when iterated, closed with the iterator
        yield from _iter_conflicts(store, keys, cells, _Cells(cells), batch, reads,
                                   reads.submit(_fields_query, store))


def _iter_conflicts(store: Store, keys: Sequence[tuple[URIRef, URIRef]], cells: Sequence[_Key], cache: _Cells,
                    batch: int, reads: StoreReads, fields: Future[str]) -> Iterator[Conflict]:
    """The conflicts of ``keys``, a batch at a time (the caller closes ``reads``).

    While a batch's lines are made into records, the next batches' engine reads run (where ``reads`` has
    threads): at most :data:`READ_AHEAD` batches ahead, so memory holds the lines of a few batches. A
    batch's size follows from the claims the last batch made into records has (about ``batch`` claims a
    batch), as it did read one batch after the other; batches change how the conflicts are read, never
    what they are. Read one after the other (no threads), the queries keep the order they had (a batch's
    reads, its records, the next batch's reads), which a remote endpoint sees unchanged.
    """
    if not keys:
        return
    cache.fields = fields.result()
    per_query = 64  # conflicts per batch, adjusted to what the claims per conflict turn out to be
    queued: deque[tuple[int, int, Future[_Lines]]] = deque()  # (start, end, reads) of the batches read
    end = 0

    def read_next() -> None:
        nonlocal end
        start, end = end, min(len(keys), end + per_query)
        queued.append((start, end, reads.submit(_read_batch, store, keys[start:end], cache.fields)))

    read_next()
    while queued:
        start, stop, pending = queued.popleft()
        statement_lines, field_lines = pending.result()
        per_query = max(1, min(MAX_BOUND, batch * (stop - start) // max(1, _claims_in(field_lines))))
        if reads.concurrent:
            while len(queued) < READ_AHEAD and end < len(keys):
                read_next()
        records = _records(store, cache, statement_lines, field_lines)
        del statement_lines, field_lines  # the lines of at most READ_AHEAD + 1 batches are held at once
        yield from _conflicts(keys[start:stop], cells[start:stop], records)
        if not reads.concurrent and end < len(keys):
            read_next()


def _conflicts(keys: Sequence[tuple[URIRef, URIRef]], cells: Sequence[_Key],
               records: list[tuple[ClaimRecord, _Given]]) -> Iterator[Conflict]:
    values: dict[_Key, dict[str, list[ClaimRecord]]] = {key: {} for key in cells}
    for record, given in records:  # claim order, then each claim's statements in order
        for key, value in given:
            found = values.get(key)
            if found is not None:
                found.setdefault(value, []).append(record)
    for (subject, predicate), key in zip(keys, cells, strict=True):
        yield Conflict(subject, predicate, values[key])


@without_gc
def conflict_page(store: Store, *, limit: int | None = None, offset: int = 0,
                  progress: Callable[[int, int], None] | None = None,
                  concurrent: bool | None = None) -> ConflictPage:
    """A page of conflicts with the total; ``limit`` None lists every conflict from ``offset`` on.

    ``progress(done, expected)`` is called as the conflicts of the page are read. ``concurrent``: read in
    worker threads where the store allows it (None), always (True) or never (False): the same page either way.
    """
    if offset < 0 or (limit is not None and limit < 0):
        raise ValueError("offset and limit must not be negative")
    cache = _Cells()
    with StoreReads(store, concurrent=concurrent) as reads:  # no read outlives the call, whatever happens
        # The check that picks the fields query runs beside the aggregate where reads run in threads (it is
        # needed only if there are conflicts, so a sequential reader asks it only then, as before).
        fields = reads.submit(_fields_query, store) if reads.concurrent else None
        every = _key_cells(store, cache, reads)
        cells = every[offset:] if limit is None else every[offset:offset + limit]
        if fields is None and cells:
            fields = reads.submit(_fields_query, store)
        cache.wanted.update(cells)
        keys = [(cache.iri(s), cache.iri(p)) for s, p in cells]
        found: list[Conflict] = []
        if progress is not None:
            progress(0, len(keys))
        for conflict in _iter_conflicts(store, keys, cells, cache, RECORD_BATCH, reads,
                                        fields if fields is not None else answered(_FIELDS)):
            found.append(conflict)
            if progress is not None:
                progress(len(found), len(keys))
    return ConflictPage(len(every), offset, limit, found)
