"""The summary of a fresh import, computed from the claims the import writes, in bounded memory.

A store that holds no claims yet and is filled by Oxigraph's bulk loader
(``detente load`` into a new store) would otherwise get its summary by a
full :func:`~detente.graph.summary.rebuild` at the end: reading every claim
back from the store and aggregating it in one set of dicts, whose size grows
with the store (about 3 GB at a million claims). :class:`FreshImport` gets
the same records from the claims as the loader stages them:

* each claim's facts go to one of :data:`BUCKETS` files on disk by their
  subject, as rows of integers (claim, subject, predicate, object; terms
  numbered once), so a fact's claims and an event's role facts are always in
  one bucket; each claim's source, and each source's publishers and dates,
  are kept as integer arrays in memory;
* when the import has been written, the buckets are aggregated one at a
  time with NumPy (sorts, uniques and counts over the integer rows) by the
  same rules as :func:`detente.graph.summary.compute`: fact records, the
  events' links and the claims' ties (a claim whose role facts fall in
  several buckets has its ties merged across them), and the summary records
  are written by the bulk path a batch at a time.

Memory holds one bucket, the terms' numbers (:class:`~detente.graph.term_table.TermTable`:
their texts wait in a file and are read back a bucket at a time) and two
small integers per claim (its source, and its IRI's hash: a repeat is looked
for): not the facts, nor the ties' sources (files too). The result is exact or not
used: a claim met twice, a claim with a second source or typing other nodes
as claims in its extra provenance, or passed-through RDF that may write claim
graphs (:meth:`FreshImport.give_up`) leave the summary to a rebuild.
``tests/graph/test_summary_import.py`` compares it with the reference
recomputation.

>>> fresh = FreshImport()
>>> fresh.exact, fresh.claims
(True, 0)
>>> fresh.close()
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from detente.graph import summary
from detente.graph.store import Store
from detente.graph.term_table import BLANK as _BLANK, IRI as _IRI, TYPED_LITERAL, TermTable
from detente.graph.terms import term_nt

if TYPE_CHECKING:
    from detente.graph.claims import Claim, Source

#: Bucket files the facts are spread over by subject: memory holds one bucket's rows at a time.
BUCKETS = 64
#: Rows (statements of claims) kept in memory before they are appended to the bucket files.
SPILL_ROWS = 1 << 20
#: Summary records per bulk write: about 60,000 quads, as much as one chunk of the import's data.
WRITE_RECORDS = 10_000
#: Files the ties' distinct (pair, source) codes are spread over: memory holds one file's at a time.
TIE_PARTS = 16
#: Threads writing summary records (each holds at most one batch waiting; the store writes one at a time). At
#: 100k claims two threads raised the load's peak RSS by 185 MB when Oxigraph loaded their batches at once.
LOADERS = 1
_WIDTH = 4  # claim, subject, predicate, object
_DATE = "^^" + term_nt(XSD.date)
# Extra provenance with these predicates changes what a rebuild reads (sources, claims, publishers, dates).
_EXTRA_BREAKS = {str(PROV.wasDerivedFrom), str(RDF.type), str(DCTERMS.publisher), str(DCTERMS.issued)}
_NO_DATE = np.iinfo(np.int32).max  # date ranks are int32: tables by term number are 4 bytes a term
_CODE_LIMIT = 1 << 63  # int64 codes of pairs, triples and (statement, claim) stay below it

Ints = npt.NDArray[np.int64]
Int32s = npt.NDArray[np.int32]


def _ints(values: Iterable[int] | array[int]) -> Ints:
    return np.asarray(values, dtype=np.int64)


def _linked_at_event(event_of: Ints, group_starts: Ints, group_sizes: Ints, item_actors: Ints, item_roles: Ints,
                     actors: Ints, roles: Ints) -> tuple[Ints, Ints]:
    """Each item (a role fact or a claim's role row) with every role fact of its event that it links to.

    ``event_of`` gives each item's event as the index of its group of role facts (``group_starts``,
    ``group_sizes``). An item and a role fact link when their actors differ and one of them is a party
    (role 0). Returns the (item, role fact) index pairs.
    """
    sizes = group_sizes[event_of]
    item = np.repeat(np.arange(len(event_of)), sizes)
    fact = np.repeat(group_starts[event_of], sizes) + _ragged(sizes)
    linked = (item_actors[item] != actors[fact]) & ((item_roles[item] == 0) | (roles[fact] == 0))
    return item[linked], fact[linked]


def _ragged(counts: Ints) -> Ints:
    """``0 .. n-1`` for each ``n`` of ``counts``, one after the other: ``[2, 3]`` → ``[0, 1, 0, 1, 2]``."""
    ends = np.cumsum(counts)
    return np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64) - np.repeat(ends - counts, counts)


def _starts(sorted_keys: Ints) -> Ints:
    """Where each run of equal values begins in a sorted array."""
    if not len(sorted_keys):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))


def _unique_pairs(a: Ints, b: Ints) -> tuple[Ints, Ints]:
    """The distinct ``(a, b)`` pairs, sorted by ``a`` then ``b``.

    Pairs of non-negative numbers whose code ``a * (max(b) + 1) + b`` fits in 63 bits are sorted as one array of
    codes (NumPy's integer sort is many times faster than a two-key :func:`numpy.lexsort`), others by
    :func:`_unique_pairs_lexsort`.
    """
    if not len(a):
        return a, b
    base = int(b.max()) + 1
    if int(a.min()) < 0 or int(b.min()) < 0 or int(a.max()) >= (_CODE_LIMIT - base) // base:
        return _unique_pairs_lexsort(a, b)
    codes = _sorted_distinct(a.astype(np.int64) * base + b)
    return codes // base, codes % base


def _unique_pairs_lexsort(a: Ints, b: Ints) -> tuple[Ints, Ints]:
    """:func:`_unique_pairs` for any int64 pairs."""
    if not len(a):
        return a, b
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    keep = np.concatenate(([True], (a[1:] != a[:-1]) | (b[1:] != b[:-1])))
    return a[keep], b[keep]


def _triple_codes(s: Ints, p: Ints, o: Ints) -> tuple[Ints, Callable[[Ints], tuple[Ints, Ints, Ints]]] | None:
    """Each ``(s, p, o)`` of term numbers as one int64 code ``(s * predicates + rank of p) * terms + o``.

    The codes sort as the triples do (by ``s``, ``p``, then ``o``); returned with the function that turns codes
    back into triples. None when they would not fit in 63 bits (or a number is negative).
    """
    if not len(s) or min(int(s.min()), int(p.min()), int(o.min())) < 0:
        return None
    present = np.bincount(p) > 0
    predicates = np.flatnonzero(present)
    width = len(predicates)
    size = max(int(s.max()), int(o.max())) + 1
    if size * width * size >= _CODE_LIMIT:
        return None
    rank = np.cumsum(present) - 1

    def triples(codes: Ints) -> tuple[Ints, Ints, Ints]:
        subject_predicates = codes // size
        return subject_predicates // width, predicates[subject_predicates % width], codes % size
    return (s * width + rank[p]) * size + o, triples


def _sorted_distinct(codes: Ints, *, in_place: bool = False) -> Ints:
    """The distinct values of ``codes``, sorted; ``in_place`` sorts ``codes`` itself instead of a copy."""
    if in_place:
        codes.sort()
    else:
        codes = np.sort(codes)
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))[:len(codes)]]


def _distinct_triples(s: Ints, p: Ints, o: Ints) -> tuple[Ints, Ints, Ints]:
    """The distinct ``(s, p, o)`` triples of term numbers, sorted by ``s``, ``p``, then ``o``.

    As one sorted array of :func:`_triple_codes` (NumPy's integer sort is many times faster than a three-key
    :func:`numpy.lexsort`) where they fit, else by :func:`_distinct_triples_lexsort`.
    """
    coded = _triple_codes(s, p, o)
    if coded is None:
        return _distinct_triples_lexsort(s, p, o)
    codes, triples = coded
    return triples(_sorted_distinct(codes))


def _claim_statements(rows: Ints) -> tuple[Ints, Ints, Ints, Ints]:
    """The distinct rows (claim, subject, predicate, object), as columns sorted by subject, predicate, object, claim.

    By :func:`_triple_codes` and then one code per (statement, claim) where they fit, else by
    :func:`_claim_statements_lexsort`.
    """
    c, s, p, o = rows.T
    coded = _triple_codes(s, p, o)
    if coded is not None and int(c.min()) >= 0:
        codes, triples = coded
        statements = _sorted_distinct(codes)
        claims = int(c.max()) + 1
        if len(statements) * claims < _CODE_LIMIT:
            keys = _sorted_distinct(np.searchsorted(statements, codes) * claims + c)
            return keys % claims, *triples(statements[keys // claims])
    return _claim_statements_lexsort(rows)


def _claim_statements_lexsort(rows: Ints) -> tuple[Ints, Ints, Ints, Ints]:
    """:func:`_claim_statements` for any int64 rows."""
    rows = rows[np.lexsort((rows[:, 0], rows[:, 3], rows[:, 2], rows[:, 1]))]
    rows = rows[np.concatenate(([True], (rows[1:] != rows[:-1]).any(axis=1)))[:len(rows)]]
    c, s, p, o = rows.T
    return c, s, p, o


def _distinct_triples_lexsort(s: Ints, p: Ints, o: Ints) -> tuple[Ints, Ints, Ints]:
    """:func:`_distinct_triples` for any int64 triples."""
    order = np.lexsort((o, p, s))
    s, p, o = s[order], p[order], o[order]
    keep = np.concatenate(([True], (s[1:] != s[:-1]) | (p[1:] != p[:-1]) | (o[1:] != o[:-1])))[:len(s)]
    return s[keep], p[keep], o[keep]


def _append_parts(values: npt.NDArray[np.int32] | Ints, parts: npt.NDArray[np.int32] | Ints, count: int,
                  path_of: Callable[[int], Path]) -> list[int]:
    """Append each row of ``values`` to the file of its part (``0 .. count-1``, ``path_of(part)``), in order.

    Returns the bytes each part's file got.
    """
    order = np.argsort(parts, kind="stable")
    bounds = np.searchsorted(parts[order], np.arange(count + 1))
    written = [0] * count
    for part in range(count):
        if bounds[part] < bounds[part + 1]:
            rows = values[order[bounds[part]:bounds[part + 1]]]
            with path_of(part).open("ab") as handle:
                rows.tofile(handle)
            written[part] = rows.nbytes
    return written


def _counts_by(keys: Ints, values: Ints, size: int) -> Ints:
    """How many distinct ``values`` each key ``0 .. size-1`` has."""
    unique_keys, _values = _unique_pairs(keys, values)
    return np.bincount(unique_keys, minlength=size)


@dataclass
class ImportReport:
    """What :meth:`FreshImport.write` wrote."""

    facts: int
    ties: int
    publishers: int
    writes: int


class _Ties:
    """Actor ties accumulated a bucket at a time: pair codes ``lo * terms + hi`` (term numbers, ``lo < hi``).

    Each bucket's distinct (pair, source) go to files in ``folder`` (about two per claim: they would grow with the
    import in memory), spread over :data:`TIE_PARTS` by pair number (evenly: the numbers are consecutive), so
    that one file holds every copy of a code.
    """

    def __init__(self, terms: int, spread: Ints, folder: Path) -> None:
        self.terms = terms
        self.folder = folder
        self.spread = spread  # claims whose role facts fall in several buckets (sorted)
        self.codes: list[Ints] = []  # with claims, events, party events added per code
        self.counts: list[tuple[Ints, Ints, Ints]] = []
        # The pairs met so far, numbered in the order met: (number, source) fits one int64 code, whatever the
        # pair codes' size (numbers and sources are below 2**31), so each distinct (pair, source) of a bucket
        # is written in 8 bytes.
        self.known = np.zeros(0, dtype=np.int64)  # pair codes, sorted
        self.known_numbers = np.zeros(0, dtype=np.int64)
        self.spread_claims: list[Ints] = []  # (claim, pair) of spread claims, merged at the end
        self.spread_codes: list[Ints] = []

    def _pair_codes(self, a: Ints, b: Ints) -> Ints:
        return np.minimum(a, b) * self.terms + np.maximum(a, b)

    def _numbers(self, pairs: Ints) -> Ints:
        """The numbers of ``pairs`` (distinct, sorted codes), numbering those not met before."""
        at = np.searchsorted(self.known, pairs)
        found = at < len(self.known)
        found[found] = self.known[at[found]] == pairs[found]
        numbers = np.empty(len(pairs), dtype=np.int64)
        numbers[found] = self.known_numbers[at[found]]
        new = ~found
        numbers[new] = np.arange(len(self.known), len(self.known) + int(new.sum()))
        known = np.concatenate((self.known, pairs[new]))
        order = np.argsort(known, kind="stable")  # two sorted runs: merged in linear time
        self.known = known[order]
        self.known_numbers = np.concatenate((self.known_numbers, numbers[new]))[order]
        return numbers

    def add_bucket(self, events: Ints, roles: Ints, actors: Ints,
                   claims: Ints, claim_events: Ints, claim_roles: Ints, claim_actors: Ints, sources: Ints) -> None:
        """One bucket's role facts (distinct, sorted by event) and the claims' role rows asserting them.

        Two actors are linked at an event when they differ and one of them is a party (see
        :func:`detente.graph.summary._event_links` and :func:`~detente.graph.summary._contribution`).
        """
        if not len(events):
            return
        group_starts = _starts(events)
        group_sizes = np.diff(np.append(group_starts, len(events)))
        group_of = np.repeat(np.arange(len(group_starts)), group_sizes)
        # The events' links: each role fact with every role fact of its event.
        left, right = _linked_at_event(group_of, group_starts, group_sizes, actors, roles, actors, roles)
        codes = self._pair_codes(actors[left], actors[right])
        # The claims' ties: each role row with every role fact of its event.
        group = np.searchsorted(events[group_starts], claim_events)
        row, fact = _linked_at_event(group, group_starts, group_sizes, claim_actors, claim_roles, actors, roles)
        claim_codes = self._pair_codes(claim_actors[row], actors[fact])
        pairs, inverse = np.unique(np.concatenate((codes, claim_codes)), return_inverse=True)
        pair_of_link, pair_of_claim = inverse[:len(codes)], inverse[len(codes):]
        link_event = group_of[left]
        events_count = _counts_by(pair_of_link, link_event, len(pairs))
        party = (roles[left] == 0) & (roles[right] == 0)
        party_count = _counts_by(pair_of_link[party], link_event[party], len(pairs))
        row_claims = claims[row]
        spread = np.isin(row_claims, self.spread)
        claims_count = _counts_by(pair_of_claim[~spread], row_claims[~spread], len(pairs))
        if spread.any():
            self.spread_claims.append(row_claims[spread])
            self.spread_codes.append(claim_codes[spread])
        numbers = self._numbers(pairs)[pair_of_claim]
        self._write_pair_sources(_sorted_distinct(numbers * self.terms + sources[row]))
        self.codes.append(pairs)
        self.counts.append((claims_count, events_count, party_count))

    def _part(self, part: int) -> Path:
        return self.folder / f"ties-{part:02}.codes"

    def _write_pair_sources(self, codes: Ints) -> None:
        """Append a bucket's distinct (number, source) codes to their files."""
        _append_parts(codes, codes // self.terms % TIE_PARTS, TIE_PARTS, self._part)

    def _sources_per_number(self) -> Ints:
        """How many distinct sources each pair number has: a file of codes at a time."""
        counts = np.zeros(len(self.known), dtype=np.int64)
        for part in range(TIE_PARTS):
            path = self._part(part)
            if path.exists():
                distinct = _sorted_distinct(np.fromfile(path, dtype=np.int64), in_place=True)
                counts += np.bincount(distinct // self.terms, minlength=len(self.known))
                path.unlink()
        return counts

    def totals(self) -> tuple[Ints, npt.NDArray[np.int64]]:
        """Each pair's code and its ``[claims, sources, events, party events]``."""
        if not self.codes:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 4), dtype=np.int64)
        none = np.zeros(0, dtype=np.int64)
        _claims, spread_codes = _unique_pairs(np.concatenate([none, *self.spread_claims]),
                                              np.concatenate([none, *self.spread_codes]))
        codes, inverse = np.unique(np.concatenate([*self.codes, spread_codes]), return_inverse=True)
        counts = np.zeros((len(codes), 4), dtype=np.int64)
        at = 0
        for bucket_codes, (claims, events, party) in zip(self.codes, self.counts, strict=True):
            where = inverse[at:at + len(bucket_codes)]
            at += len(bucket_codes)
            counts[where, 0] += claims  # a pair once per bucket: no repeated index
            counts[where, 2] += events
            counts[where, 3] += party
        counts[:, 0] += np.bincount(inverse[at:], minlength=len(codes))
        sources_per_number = self._sources_per_number()
        code_of_number = np.empty(len(self.known), dtype=np.int64)
        code_of_number[self.known_numbers] = self.known
        counts[np.searchsorted(codes, code_of_number), 1] = sources_per_number
        return codes, counts


class FreshImport:
    """Accumulates the summary's inputs from the claims of a fresh import, a file at a time (see the module)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="detente-summary-"))
        self._terms = TermTable(self.folder / "terms")  # the terms' N-Triples, numbered; their texts on disk
        self.exact = True
        self.claims = 0  # claims of the files written so far
        self._claim_sources = array("i")  # per claim (numbered in order): its source's term number
        self._keys = array("q")  # per claim: its IRI's hash (a repeat means a rebuild)
        self._publishers = array("i")  # source, publisher, source, publisher, ...
        self._dates = array("i")  # source, date, ...
        self._spread = array("i")  # claims whose role facts fall in several buckets
        self._pending: list[npt.NDArray[np.int32]] = []  # rows not yet in the bucket files
        self._pending_rows = 0
        self._sizes = [0] * BUCKETS  # bytes in each bucket file
        role_numbers = self._terms.numbers([term_nt(p) for p in summary.ROLE_PREDICATES]).tolist()
        self._roles = {number: i for i, number in enumerate(role_numbers)}
        self._role_predicates = np.array(list(self._roles), dtype=np.int32)
        self._state = "clean"  # "clean" | "reading" (a file being checked) | "writing" (being written)
        self._marks: tuple[list[int], int, int, int, int, int] = ([], 0, 0, 0, 0, 0)  # where the current file began
        self._file_exact = True
        #: Writes go through this (the loader's writer thread, so they follow its data writes); None: at once.
        self.submit: Callable[[Callable[[], None]], None] | None = None
        self.wait: Callable[[], None] = lambda: None
        self._started = False
        self._written = False

    def start(self, store: Store) -> None:
        """Empty the store's summary graph and mark it stale: before the import's first data, while it is small.

        Made later, when the records are (as :meth:`write` does if this was
        not called), the update waits for the import's data writes, which the
        store serialises: seconds at a million claims.
        """
        store.update(f"DROP SILENT GRAPH {summary._S} ;\n{summary.STALE_UPDATE}")
        self._started = True

    def know_store(self, store: Store) -> None:
        """Read the publishers and dates the store already gives sources (before the import writes any)."""
        for pairs, query in ((self._publishers, summary._PUBLISHERS), (self._dates, summary._DATES)):
            texts = [text for row in store.select_nt(query) for text in row]
            pairs.extend(self._terms.numbers(texts).tolist())  # type: ignore[arg-type]

    # -- a file's claims: added while it is read, kept once it is written -------------------------

    def add(self, claims: Iterable[Claim]) -> int:
        """Add claims of the file being read, as one :func:`~detente.graph.claims.claims_nquads` call writes them.

        They count once :meth:`commit` says the file was written. Returns how many statements they have.
        """
        if self._state == "clean":
            self._begin()
        first_claim = len(self._claim_sources)
        claims = list(claims)
        # A claim IRI's hash as its text's (str.__hash__: no copy of the text).
        self._keys.extend(map(str.__hash__, [claim.iri for claim in claims]))
        lines: list[str] = []
        sizes = array("q")
        sources: list[str] = []  # per claim, its source's N-Triples
        publishers: list[str] = []  # source, publisher, source, publisher, ...
        dates: list[str] = []  # source, date, ...
        last_source = None
        source = ""
        described: set[Source] = set()
        for claim in claims:
            if claim.extra and any(str(p) in _EXTRA_BREAKS for _s, p, _o in claim.extra):
                self._file_exact = False
            if claim.source is not last_source:
                last_source = claim.source
                source = term_nt(last_source.iri)
                if last_source not in described:  # claims_nquads writes each distinct description once a call
                    described.add(last_source)
                    if last_source.publisher is not None:
                        publishers += (source, term_nt(last_source.publisher))
                    if last_source.issued is not None:  # as claims_nquads writes it (an ISO date: canonical)
                        dates += (source, f'"{last_source.issued.isoformat()}"{_DATE}')
            sources.append(source)
            statement_lines = claim.statement_lines()
            lines.extend(statement_lines)
            sizes.append(len(statement_lines))
        # Subjects and predicates are IRIs or blank nodes: no spaces inside, the object is the rest.
        texts = [text for line in lines for text in line.split(" ", 2)]
        del lines
        statements = len(texts) // 3
        numbers = self._terms.numbers(texts + sources + publishers + dates)  # one batch: one pass of the index
        del texts
        at = 3 * statements
        for kept, count in ((self._claim_sources, len(sources)), (self._publishers, len(publishers)),
                            (self._dates, len(dates))):
            kept.extend(numbers[at:at + count].tolist())
            at += count
        table = np.empty((statements, _WIDTH), dtype=np.int32)
        table[:, 0] = np.repeat(np.arange(first_claim, len(self._claim_sources)), _ints(sizes))
        table[:, 1:] = numbers[:3 * statements].reshape(-1, 3)
        self._stage(table)
        return statements

    def _stage(self, table: npt.NDArray[np.int32]) -> None:
        """Keep a batch of rows (claim, subject, predicate, object) for their buckets."""
        kinds = self._terms.kinds()
        # Rows with blank nodes are kept for the facts view (:meth:`file_facts`) and left out of the summary
        # (:meth:`_rows`); a statement repeated in a claim is dropped when aggregated.
        # A claim whose role facts fall in several buckets has its ties merged across them.
        is_role = (np.isin(table[:, 2], self._role_predicates) & (kinds[table[:, 3]] == _IRI)
                   & (kinds[table[:, 1]] != _BLANK))
        role_claims, _buckets = _unique_pairs(_ints(table[is_role, 0]), _ints(table[is_role, 1] % BUCKETS))
        self._spread.extend(np.unique(role_claims[np.flatnonzero(role_claims[1:] == role_claims[:-1])]).tolist())
        self._pending.append(table)
        self._pending_rows += len(table)
        if self._pending_rows >= SPILL_ROWS:
            self._spill()

    def _spill(self) -> None:
        """Append the rows kept in memory to their subjects' bucket files."""
        if not self._pending:
            return
        table = np.concatenate(self._pending)
        self._pending, self._pending_rows = [], 0
        written = _append_parts(table, table[:, 1] % BUCKETS, BUCKETS, self._file)
        self._sizes = [size + more for size, more in zip(self._sizes, written, strict=True)]

    def _role_of(self) -> npt.NDArray[np.int8]:
        """Per term: the index of the role it is the predicate of (:data:`summary.ROLES`), or -1."""
        role_of = np.full(len(self._terms), -1, dtype=np.int8)
        role_of[list(self._roles)] = list(self._roles.values())
        return role_of

    def _texts(self, *numbers: Ints) -> Callable[[Ints], npt.NDArray[np.object_]]:
        """The texts of the terms ``numbers`` name, read from the term table once: ``texts(some of numbers)``."""
        needed = np.unique(np.concatenate([np.zeros(0, dtype=np.int64), *numbers]))
        texts = np.empty(len(needed), dtype=object)
        texts[:] = self._terms.texts(needed)
        return lambda wanted: texts[np.searchsorted(needed, wanted)]

    def _file(self, bucket: int) -> Path:
        return self.folder / f"{bucket:03}.rows"

    def file_facts(self, facts_end: str, lines_per_text: int) -> Iterator[str]:
        """The facts view of the file being read: each distinct statement of its claims once, as N-Quads text.

        Lines ``s p o`` + ``facts_end`` (the store's facts view label and `` .``), exactly as
        :func:`~detente.graph.claims.claims_nquads` writes a claim's facts lines, in texts of about
        ``lines_per_text`` lines: the statements the summary numbered, made distinct a bucket at a time
        (memory holds one bucket of the file), instead of a line per claim that the bulk loader merges again.
        """
        if self._state == "clean":
            return
        self._spill()
        out: list[str] = []
        lines = 0
        for bucket, start in enumerate(self._marks[0]):
            if self._sizes[bucket] == start:
                continue
            rows = np.fromfile(self._file(bucket), dtype=np.int32, offset=start).reshape(-1, _WIDTH)
            subjects, predicates, objects = _distinct_triples(*_ints(rows[:, 1:]).T)
            count = len(subjects)
            text = self._texts(subjects, predicates, objects)
            block = [" "] * (6 * count)  # subject, space, predicate, space, object, end: one join makes the lines
            block[0::6] = text(subjects).tolist()
            block[2::6] = text(predicates).tolist()
            block[4::6] = text(objects).tolist()
            block[5::6] = [facts_end] * count
            out += block
            lines += count
            if lines >= lines_per_text:
                yield "".join(out)
                out, lines = [], 0
        if out:
            yield "".join(out)

    def give_up(self) -> None:
        """The file writes what its claims do not say (passed-through RDF): if it is written, a rebuild."""
        if self._state == "clean":
            self._begin()
        self._file_exact = False

    def _begin(self) -> None:
        self._spill()  # the rows kept in memory are then the current file's
        self._marks = (list(self._sizes), len(self._claim_sources), len(self._keys), len(self._publishers),
                       len(self._dates), len(self._spread))
        self._state = "reading"

    def writing(self) -> None:
        """The file read since the last :meth:`commit` passed and is being written."""
        if self._state == "reading":
            self._state = "writing"

    def commit(self) -> None:
        """The file was written: its claims count."""
        if self._state == "clean":
            return
        self.exact = self.exact and self._file_exact
        self.claims = len(self._claim_sources)
        self._reset_file()

    def discard(self) -> None:
        """The file was not written (a bad file): forget its claims. Cut short while writing: a rebuild."""
        if self._state == "clean":
            return
        if self._state == "writing":  # part of it may be stored
            self.exact = False
        sizes, claims, keys, publishers, dates, spread = self._marks
        self._pending, self._pending_rows = [], 0
        for bucket, size in enumerate(sizes):
            if self._sizes[bucket] != size:
                os.truncate(self._file(bucket), size)
                self._sizes[bucket] = size
        del self._claim_sources[claims:]
        del self._keys[keys:]
        del self._publishers[publishers:]
        del self._dates[dates:]
        del self._spread[spread:]
        self._reset_file()

    def _reset_file(self) -> None:
        self._file_exact = True
        self._state = "clean"

    def close(self) -> None:
        self._terms.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- the summary, once the import is written ----------------------------------------------

    def _rows(self, bucket: int, kinds: npt.NDArray[np.uint8]) -> Ints:
        """A bucket's rows without blank nodes (the summary leaves them out)."""
        if not self._sizes[bucket]:
            return np.zeros((0, _WIDTH), dtype=np.int64)
        rows = np.fromfile(self._file(bucket), dtype=np.int32).reshape(-1, _WIDTH)
        kept: Ints = rows[(kinds[rows[:, 1]] != _BLANK) & (kinds[rows[:, 3]] != _BLANK)].astype(np.int64)
        return kept

    def _unique_claims(self) -> bool:
        """Whether no claim was met twice (by the hashes of their IRIs); the hashes are let go.

        Sorted where they are kept (no copy): nothing reads them after this.
        """
        keys = np.frombuffer(self._keys, dtype=np.int64)
        keys.sort()
        unique = not bool((keys[1:] == keys[:-1]).any())
        del keys  # the view pins the array
        self._keys = array("q")
        return unique

    def _canonical(self) -> bool:
        """Whether no two literals of the import are one term to the store (``"01"`` and ``"1"`` as integers).

        The store keeps numbers, dates and booleans by value; the buckets
        number literals by their text. Each distinct literal goes through a
        scratch store once: if two come back as one, a rebuild counts them.
        """
        from detente.graph.backends import open_store

        literals = np.flatnonzero(self._terms.kinds() == TYPED_LITERAL)
        if not len(literals):
            return True
        scratch = open_store("memory:")
        scratch.add_nquads("".join(f"<urn:t:{number}> <urn:v> {text} .\n"
                                   for number, text in enumerate(self._terms.texts(literals))))
        values = {o for _s, o in scratch.select_nt("SELECT ?s ?o WHERE { ?s <urn:v> ?o }")}
        return len(values) == len(literals)

    def _source_tables(self) -> tuple[Ints, Ints, Int32s, Int32s, list[str]]:
        """What the fact records need of the sources, as arrays indexed by term number.

        Where each source's publishers begin in the publisher list, that list, each source's first and
        last dates' ranks (:data:`_NO_DATE` and -1 without), and the dates' texts by rank.
        """
        size = len(self._terms)
        sources, pubs = _unique_pairs(*_ints(self._publishers).reshape(-1, 2).T)
        publisher_starts = np.zeros(size + 1, dtype=np.int64)
        publisher_starts[1:] = np.cumsum(np.bincount(sources, minlength=size))
        dated, dates = _unique_pairs(*_ints(self._dates).reshape(-1, 2).T)
        # Dates compare by their lexical form (as graph/summary.py's _spans); the text breaks ties, for one answer.
        distinct = np.unique(dates)
        texts = self._terms.texts(distinct)
        order = sorted(range(len(distinct)), key=lambda i: (summary._lexical(texts[i]), texts[i]))
        by_text = distinct[order]
        rank = np.zeros(size, dtype=np.int32)
        rank[by_text] = np.arange(len(by_text))
        first = np.full(size, _NO_DATE, dtype=np.int32)
        np.minimum.at(first, dated, rank[dates])
        last = np.full(size, -1, dtype=np.int32)
        np.maximum.at(last, dated, rank[dates])
        return publisher_starts, pubs, first, last, [texts[i] for i in order]

    def write(self, store: Store) -> ImportReport:
        """Replace the store's summary with the one of the imported claims (the store had none before them).

        The stale mark is set first (by :meth:`start`, before the import's data) and cleared last, as
        :func:`~detente.graph.summary.rebuild` does (cleared through :attr:`submit` when set, after the
        import's data); the records are made while the data are written, and handed :data:`WRITE_RECORDS`
        at a time to :data:`LOADERS` threads of their own (the store takes one write at a time).
        """
        if self._state != "clean":
            raise RuntimeError("a file's claims were neither committed nor discarded")
        if self._written:
            raise RuntimeError("an import's summary is written once: its claims' keys are let go")
        self._written = True
        try:
            self._spill()
            exact = self._canonical() and self._unique_claims()
        except OSError:  # the scratch files (a full disk)
            exact = False
        if not exact:
            return self._rebuild(store)
        if not self._started:  # the summary graph only: the import's data are in other graphs
            self.start(store)
        out = _Loader(store, LOADERS)
        try:
            try:
                report = self._records(out)
                out.finish()
            finally:
                out.stop()  # after an error
        except OSError:  # the scratch files (a full disk): the summary written so far is replaced
            return self._rebuild(store)
        if self.submit is None:
            store.update(summary._MARK_CURRENT)
        else:
            self.submit(lambda: store.update(summary._MARK_CURRENT))
        self.wait()
        report.writes = out.writes + 2
        return report

    def _rebuild(self, store: Store) -> ImportReport:
        """The summary by :func:`~detente.graph.summary.rebuild` instead, once the import's data are written."""
        self.exact = False
        self.wait()
        summary.rebuild(store)
        return ImportReport(0, 0, 0, 0)

    def _records(self, out: _Loader) -> ImportReport:
        """Make every summary record, bucket by bucket, and hand them to ``out``."""
        size = len(self._terms)
        claim_sources = np.frombuffer(self._claim_sources, dtype=np.int32)  # the array itself: no copy
        publisher_starts, publisher_list, first_date, last_date, date_texts = self._source_tables()
        publisher_counts = np.diff(publisher_starts)
        role_of = self._role_of()
        kinds = self._terms.kinds()
        iri = kinds == _IRI
        labels = summary._Labels()
        ties = _Ties(size, np.unique(_ints(self._spread)), self.folder)
        date_of = np.array([*date_texts, None], dtype=object)  # a date's text by its rank; -1: no date
        facts = 0
        for bucket in range(BUCKETS):
            rows = self._rows(bucket, kinds)
            if not len(rows):
                continue
            c, s, p, o = _claim_statements(rows)  # a statement once per claim
            starts = np.flatnonzero(np.concatenate(([True], (s[1:] != s[:-1]) | (p[1:] != p[:-1])
                                                    | (o[1:] != o[:-1]))))
            count = len(starts)
            fact_of = np.repeat(np.arange(count), np.diff(np.append(starts, len(c))))
            claims_n = np.diff(np.append(starts, len(c)))
            sources = claim_sources[c].astype(np.int64)
            # Each fact's distinct sources, then their publishers and dates.
            fact_ids, fact_sources = _unique_pairs(fact_of, sources)
            sources_n = np.bincount(fact_ids, minlength=count)
            spreads = publisher_counts[fact_sources]
            publishers_n = _counts_by(np.repeat(fact_ids, spreads),
                                      publisher_list[np.repeat(publisher_starts[fact_sources], spreads)
                                                     + _ragged(spreads)], count)
            segments = _starts(fact_ids)
            first = np.minimum.reduceat(first_date[fact_sources], segments)
            last = np.maximum.reduceat(last_date[fact_sources], segments)
            fs, fp, fo = s[starts], p[starts], o[starts]
            # One record per subject, predicate and support, listing its facts' objects.
            order = np.lexsort((fo, last, first, publishers_n, sources_n, claims_n, fp, fs))
            keys = np.stack((fs, fp, claims_n, sources_n, publishers_n, first, last))[:, order]
            heads = np.flatnonzero(np.concatenate(([True], (keys[:, 1:] != keys[:, :-1]).any(axis=0))))
            record_s, record_p, n, n_sources, n_publishers, f, la = keys[:, heads]
            dated = la >= 0
            text = self._texts(record_s, record_p, fo)
            _emit(out, len(heads), _FactTexts(labels, text(record_s), text(record_p), text(fo[order]),
                                              np.append(heads, count), n, n_sources, n_publishers,
                                              date_of[np.where(dated, f, -1)], date_of[np.where(dated, la, -1)]))
            facts += count
            # Role facts with an IRI object: the network's actor–event edges.
            role_facts = (role_of[fp] >= 0) & iri[fo]
            role_rows = (role_of[p] >= 0) & iri[o]
            ties.add_bucket(fs[role_facts], role_of[fp[role_facts]].astype(np.int64), fo[role_facts], c[role_rows],
                            s[role_rows], role_of[p[role_rows]].astype(np.int64), o[role_rows], sources[role_rows])
        codes, counts = ties.totals()
        text = self._texts(codes // size, codes % size)
        tie_a, tie_b = text(codes // size), text(codes % size)
        _emit(out, len(codes), lambda a, b: summary._ties_nquads(labels.take(b - a), tie_a[a:b].tolist(),
                                                                  tie_b[a:b].tolist(), *counts[a:b].T.tolist()))
        # Publishers: each source with claims counts its claims and itself once for each of its publishers.
        source_claims = np.bincount(claim_sources, minlength=size)
        with_publisher = np.repeat(np.arange(size), publisher_counts)
        weights = source_claims[with_publisher]
        used = weights > 0
        published = publisher_list[used]
        pub_claims = np.bincount(published, weights=weights[used], minlength=size)
        pub_sources = np.bincount(published, minlength=size)
        publishers = np.flatnonzero(pub_sources)
        text = self._texts(publishers)
        _emit(out, len(publishers), lambda a, b: summary._publishers_nquads(
            text(publishers[a:b]).tolist(), pub_claims[publishers[a:b]].astype(np.int64).tolist(),
            pub_sources[publishers[a:b]].tolist()))
        return ImportReport(facts, len(codes), len(publishers), 0)


@dataclass
class _FactTexts:
    """A bucket's fact records (:func:`detente.graph.summary._facts_nquads`), as text a slice of records at a time.

    Record ``i`` lists the objects ``objects[object_starts[i]:object_starts[i + 1]]``; its dates are None
    when its sources have none.
    """

    labels: summary._Labels
    subjects: npt.NDArray[np.object_]
    predicates: npt.NDArray[np.object_]
    objects: npt.NDArray[np.object_]
    object_starts: Ints
    claims: Ints
    sources: Ints
    publishers: Ints
    firsts: npt.NDArray[np.object_]
    lasts: npt.NDArray[np.object_]

    def __call__(self, a: int, b: int) -> str:
        starts = self.object_starts
        return summary._facts_nquads(
            self.labels.take(b - a), self.subjects[a:b].tolist(), self.predicates[a:b].tolist(),
            self.objects[starts[a]:starts[b]].tolist(), np.diff(starts[a:b + 1]).tolist(),
            self.claims[a:b].tolist(), self.sources[a:b].tolist(), self.publishers[a:b].tolist(),
            self.firsts[a:b].tolist(), self.lasts[a:b].tolist())


def _emit(out: _Loader, count: int, text: Callable[[int, int], str]) -> None:
    """Hand ``count`` records to ``out``, made by ``text(a, b)`` (records ``a`` to ``b``) a batch's room at a time."""
    at = 0
    while at < count:
        end = min(count, at + out.room())
        out.add(text(at, end), end - at)
        at = end


class _Loader:
    """Summary records to the store by the bulk path, :data:`WRITE_RECORDS` at a time, on threads of their own.

    Oxigraph's bulk loader releases the interpreter: the records are loaded
    while the next ones are made. The store takes one write at a time, so a
    batch also waits for the import's data chunk under way (the loader's
    writer thread). At most one batch per thread waits in memory.
    """

    def __init__(self, store: Store, threads: int) -> None:
        self.store = store
        self.batches: queue.Queue[str | None] = queue.Queue(maxsize=threads)
        self.error: BaseException | None = None
        self.batch: list[str] = []
        self.records = 0  # in the batch
        self.writes = 0
        self.threads = [threading.Thread(target=self._run, name="detente-summary-loader", daemon=True)
                        for _ in range(threads)]
        for thread in self.threads:
            thread.start()

    def _run(self) -> None:
        while (text := self.batches.get()) is not None:
            if self.error is None:
                try:
                    self.store.bulk_add_nquads(text)
                except BaseException as exc:  # raised by the making thread, in finish()
                    self.error = exc

    def room(self) -> int:
        """How many records the batch takes before it is written."""
        return max(WRITE_RECORDS - self.records, 1)

    def add(self, text: str, records: int = 1) -> None:
        """The text of ``records`` records."""
        self.batch.append(text)
        self.records += records
        if self.records >= WRITE_RECORDS:
            self.flush()

    def flush(self) -> None:
        if self.error is not None:
            raise self.error
        if self.batch:
            self.batches.put("".join(self.batch))
            self.writes += 1
            self.batch = []
            self.records = 0

    def stop(self) -> None:
        """Let the threads finish the batches handed to them, and end."""
        for _thread in self.threads:
            self.batches.put(None)
        for thread in self.threads:
            thread.join()

    def finish(self) -> None:
        """Write the last batch and wait for every write; the first error is raised here."""
        self.flush()
        self.stop()
        if self.error is not None:
            raise self.error
