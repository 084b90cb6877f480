"""The summary of a fresh import, computed from the claims the import writes, in bounded memory.

A store that holds no claims yet and is filled by Oxigraph's bulk loader
(``detente load`` into a new store) would otherwise get its summary by a
full :func:`~detente.graph.summary.rebuild` at the end: reading every claim
back from the store and aggregating it in one set of dicts, whose size grows
with the store (about 3 GB at a million claims). :class:`FreshImport` gets
the same records from the claims as the loader stages them:

* each claim's facts go to one of :data:`BUCKETS` files on disk by their
  subject, as rows of integers (claim, source, subject, predicate, object;
  terms numbered once), so a fact's claims and an event's role facts are
  always in one bucket;
* when the import has been written, the buckets are aggregated one at a
  time with the same rules as :func:`detente.graph.summary.compute`: fact
  records, the events' links and the claims' ties (a claim whose role facts
  fall in several buckets has its ties merged across them), and the summary
  records are written by the bulk path a bucket at a time;
* sources' publishers and dates are read from the store once, at the end
  (so sources the store already had are counted as a rebuild counts them).

Memory holds one bucket, the numbered terms, one small integer per claim
(duplicates are looked for) and per source, and the ties' sources: not the
facts. The result is exact or not used: a claim met twice, a claim with a
second source or typing other nodes as claims in its extra provenance, or
passed-through RDF that may write claim graphs (:meth:`FreshImport.give_up`)
leave the summary to a rebuild. ``tests/graph/test_summary_import.py``
compares it with the reference recomputation.

>>> from detente.graph.store import open_store
>>> fresh = FreshImport()
>>> fresh.exact, fresh.claims
(True, 0)
>>> fresh.close()
"""

from __future__ import annotations

import shutil
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from detente.graph import summary
from detente.graph.store import Store
from detente.graph.terms import term_nt

if TYPE_CHECKING:
    from detente.graph.claims import Claim

#: Bucket files the facts are spread over by subject: memory holds one bucket's rows at a time.
BUCKETS = 64
#: Rows a bucket keeps in memory before they are appended to its file.
BUFFER_ROWS = 4096
#: Summary records per bulk write.
WRITE_RECORDS = 25_000
_WIDTH = 5  # claim, source, subject, predicate, object
_DATE = "^^" + term_nt(XSD.date)
# Extra provenance with these predicates changes what a rebuild reads (sources, claims, publishers, dates).
_EXTRA_BREAKS = {str(PROV.wasDerivedFrom), str(RDF.type), str(DCTERMS.publisher), str(DCTERMS.issued)}


def _note(record: list[Any], index: int, number: int) -> None:
    """Add a term number to a source record's publishers or dates (one number, or a set when several)."""
    found = record[index]
    if found is None:
        record[index] = number
    elif isinstance(found, set):
        found.add(number)
    elif found != number:
        record[index] = {found, number}


def _numbers(found: int | set[int] | None) -> Iterable[int]:
    return () if found is None else found if isinstance(found, set) else (found,)


class _OwnSource(dict[int, tuple[int, ...]]):
    """A claim's sources where a claim is counted by its one source (its id stands for the claim)."""

    def get(self, key: Any, default: Any = None) -> tuple[int, ...]:
        return (key,)


@dataclass
class ImportReport:
    """What :meth:`FreshImport.write` wrote."""

    facts: int
    ties: int
    publishers: int
    writes: int


class FreshImport:
    """Accumulates the summary's inputs from the claims of a fresh import, a file at a time (see the module)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="detente-summary-"))
        self.ids: dict[str, int] = {}  # a term's N-Triples → its number
        self.terms: list[str] = []
        self.exact = True
        self.claims = 0  # claims of the files written so far
        # Per source: [claims, publishers, dates] (a term number, a set of them when several, or None).
        self._sources: dict[int, list[Any]] = {}
        self._spread: set[int] = set()  # claims whose role facts fall in several buckets
        self._buffers = [array("q") for _ in range(BUCKETS)]
        # Hashes of the claims' IRIs, in bucket files of their own: a repeat means a rebuild.
        self._key_buffers = [array("q") for _ in range(BUCKETS)]
        self._sizes = [0] * (2 * BUCKETS)  # each bucket file's size when the current file began
        self._roles = {self._id(term_nt(p)): i for i, p in enumerate(summary.ROLE_PREDICATES)}
        self._state = "clean"  # "clean" | "reading" (a file being checked) | "writing" (being written)
        self._file_sources: dict[int, list[Any]] = {}
        self._file_spread: set[int] = set()
        self._file_claims = 0
        self._file_exact = True
        #: Writes go through this (the loader's writer thread, so they follow its data writes); None: at once.
        self.submit: Callable[[Callable[[], None]], None] | None = None
        self.wait: Callable[[], None] = lambda: None

    def know_store(self, store: Store) -> None:
        """Read the publishers and dates the store already gives sources (before the import writes any)."""
        for src, pub in store.select_nt(summary._PUBLISHERS):
            _note(self._sources.setdefault(self._id(src), [0, None, None]), 1, self._id(pub))  # type: ignore[arg-type]
        for src, d in store.select_nt(summary._DATES):
            _note(self._sources.setdefault(self._id(src), [0, None, None]), 2, self._id(d))  # type: ignore[arg-type]

    def _id(self, nt: str) -> int:
        number = self.ids.get(nt)
        if number is None:
            number = self.ids[nt] = len(self.terms)
            self.terms.append(nt)
        return number

    # -- a file's claims: added while it is read, kept once it is written -------------------------

    def add(self, claims: Iterable[Claim]) -> None:
        """Add claims of the file being read, as one :func:`~detente.graph.claims.claims_nquads` call writes them.

        They count once :meth:`commit` says the file was written.
        """
        if self._state == "clean":
            self._begin()
        ids, terms, roles, buffers, keys = self.ids, self.terms, self._roles, self._buffers, self._key_buffers
        file_sources = self._file_sources
        last_source = None
        source = -1
        record: list[Any] = []
        described: set[int] = set()
        for claim in claims:
            if claim.extra and any(str(p) in _EXTRA_BREAKS for _s, p, _o in claim.extra):
                self._file_exact = False
            key = hash(str(claim.iri))
            key_buffer = keys[key % BUCKETS]
            key_buffer.append(key)
            if len(key_buffer) >= BUFFER_ROWS:
                self._spill_keys(key % BUCKETS)
            cid = self.claims + self._file_claims
            self._file_claims += 1
            if claim.source is not last_source:
                last_source = claim.source
                source = self._id(term_nt(last_source.iri))
                record = file_sources.setdefault(source, [0, None, None])
                if source not in described:  # claims_nquads writes a source's first description in a call
                    described.add(source)
                    if last_source.publisher is not None:
                        _note(record, 1, self._id(term_nt(last_source.publisher)))
                    if last_source.issued is not None:  # as claims_nquads writes it (an ISO date: canonical)
                        _note(record, 2, self._id(f'"{last_source.issued.isoformat()}"{_DATE}'))
            record[0] += 1
            seen: set[tuple[int, int, int]] = set()
            role_buckets: set[int] = set()
            for line in claim.statement_lines():
                # Subjects and predicates are IRIs or blank nodes: no spaces inside, the object is the rest.
                s_nt, p_nt, o_nt = line.split(" ", 2)
                if s_nt[0] == "_" or o_nt[0] == "_":  # blank nodes are left out of the summary
                    continue
                si = ids.get(s_nt)
                if si is None:
                    si = ids[s_nt] = len(terms)
                    terms.append(s_nt)
                pi = ids.get(p_nt)
                if pi is None:
                    pi = ids[p_nt] = len(terms)
                    terms.append(p_nt)
                oi = ids.get(o_nt)
                if oi is None:
                    oi = ids[o_nt] = len(terms)
                    terms.append(o_nt)
                fact = (si, pi, oi)
                if fact in seen:
                    continue
                seen.add(fact)
                bucket = si % BUCKETS
                buffer = buffers[bucket]
                buffer.extend((cid, source, si, pi, oi))
                if len(buffer) >= BUFFER_ROWS * _WIDTH:
                    self._spill(bucket)
                if pi in roles and o_nt[0] == "<":
                    role_buckets.add(bucket)
            if len(role_buckets) > 1:
                self._file_spread.add(cid)

    def give_up(self) -> None:
        """The file writes what its claims do not say (passed-through RDF): if it is written, a rebuild."""
        if self._state == "clean":
            self._begin()
        self._file_exact = False

    def _bucket(self, bucket: int) -> Path:
        return self.folder / f"{bucket:03}.rows"

    def _keys(self, bucket: int) -> Path:
        return self.folder / f"{bucket:03}.keys"

    def _spill(self, bucket: int) -> None:
        with self._bucket(bucket).open("ab") as handle:
            self._buffers[bucket].tofile(handle)
        self._buffers[bucket] = array("q")

    def _spill_keys(self, bucket: int) -> None:
        with self._keys(bucket).open("ab") as handle:
            self._key_buffers[bucket].tofile(handle)
        self._key_buffers[bucket] = array("q")

    def _begin(self) -> None:
        for bucket in range(BUCKETS):
            self._spill(bucket)
            self._spill_keys(bucket)
            self._sizes[bucket] = self._bucket(bucket).stat().st_size
            self._sizes[BUCKETS + bucket] = self._keys(bucket).stat().st_size
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
        if not self._sources:
            self._sources = self._file_sources  # taken over: no second copy of a big file's sources
        else:
            for source, (n, pubs, dates) in self._file_sources.items():
                record = self._sources.setdefault(source, [0, None, None])
                record[0] += n
                for index, found in ((1, pubs), (2, dates)):
                    for number in _numbers(found):
                        _note(record, index, number)
        self._spread |= self._file_spread
        self.claims += self._file_claims
        self._reset_file()

    def discard(self) -> None:
        """The file was not written (a bad file): forget its claims. Cut short while writing: a rebuild."""
        if self._state == "clean":
            return
        if self._state == "writing":  # part of it may be stored
            self.exact = False
        self._buffers = [array("q") for _ in range(BUCKETS)]
        self._key_buffers = [array("q") for _ in range(BUCKETS)]
        for bucket in range(BUCKETS):
            for path, size in ((self._bucket(bucket), self._sizes[bucket]),
                               (self._keys(bucket), self._sizes[BUCKETS + bucket])):
                with path.open("r+b") as handle:
                    handle.truncate(size)
        self._reset_file()

    def _reset_file(self) -> None:
        self._file_sources = {}
        self._file_spread = set()
        self._file_claims = 0
        self._file_exact = True
        self._state = "clean"

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- the summary, once the import is written ----------------------------------------------

    def _rows(self, bucket: int) -> array[int]:
        rows = array("q")
        path = self._bucket(bucket)
        if path.exists():
            with path.open("rb") as handle:
                rows.frombytes(handle.read())
        rows.extend(self._buffers[bucket])
        return rows

    def _unique_claims(self) -> bool:
        """Whether no claim was met twice (by the hashes of their IRIs, a bucket at a time)."""
        for bucket in range(BUCKETS):
            keys = array("q")
            path = self._keys(bucket)
            if path.exists():
                keys.frombytes(path.read_bytes())
            keys.extend(self._key_buffers[bucket])
            if len(set(keys)) != len(keys):
                return False
        return True

    def _canonical(self) -> bool:
        """Whether no two literals of the import are one term to the store (``"01"`` and ``"1"`` as integers).

        The store keeps numbers, dates and booleans by value; the buckets
        number literals by their text. Each distinct literal goes through a
        scratch store once: if two come back as one, a rebuild counts them.
        """
        from detente.graph.backends import open_store

        literals = [number for number, nt in enumerate(self.terms) if nt[0] == '"' and nt[-1] != '"']
        if not literals:
            return True
        scratch = open_store("memory:")
        scratch.add_nquads("".join(f"<urn:t:{number}> <urn:v> {self.terms[number]} .\n" for number in literals))
        values = {o for _s, o in scratch.select_nt("SELECT ?s ?o WHERE { ?s <urn:v> ?o }")}
        return len(values) == len(literals)

    def write(self, store: Store) -> ImportReport:
        """Replace the store's summary with the one of the imported claims (the store had none before them).

        The stale mark is set first and cleared last, as :func:`~detente.graph.summary.rebuild` does;
        the records go through :attr:`submit` when set (after the import's data), :data:`WRITE_RECORDS`
        at a time.
        """
        if self._state != "clean":
            raise RuntimeError("a file's claims were neither committed nor discarded")
        if not self._canonical():
            self.exact = False
            self.wait()
            summary.rebuild(store)
            return ImportReport(0, 0, 0, 0)
        terms = self.terms
        codec = summary._Codec(self._roles, lambda t: terms[t][0] == "<", lambda t: terms[t][0] == "_",
                               lambda t: terms[t], lambda t: summary._lexical(terms[t]))
        if not self._unique_claims():
            self.exact = False
            self.wait()
            summary.rebuild(store)
            return ImportReport(0, 0, 0, 0)
        publishers_of = {src: tuple(terms[n] for n in _numbers(record[1]))
                         for src, record in self._sources.items() if record[1] is not None}
        dates = {src: [terms[n] for n in _numbers(record[2])]
                 for src, record in self._sources.items() if record[2] is not None}
        spans = summary._spans(dates, summary._TEXT)
        del dates
        out = _Writer(store, self.submit, self.folder)
        out.run(lambda: store.update(f"DROP SILENT GRAPH {summary._S} ;\n{summary.STALE_UPDATE}"))
        labels = summary._Labels()
        own = _OwnSource()
        ties: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        tie_sources: dict[tuple[int, int], set[int]] = defaultdict(set)
        spread: dict[int, tuple[int, set[tuple[int, int]]]] = {}
        facts = 0
        roles = self._roles
        for bucket in range(BUCKETS):
            rows = self._rows(bucket)
            fact_sources: dict[tuple[int, int, int], list[int]] = {}
            roles_at: dict[int, set[tuple[int, int]]] = defaultdict(set)
            claim_roles: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
            claim_source: dict[int, int] = {}
            for c, src, s, p, o in zip(rows[0::5], rows[1::5], rows[2::5], rows[3::5], rows[4::5], strict=True):
                key = (s, p, o)
                listed = fact_sources.get(key)
                if listed is None:
                    fact_sources[key] = [src]
                else:
                    listed.append(src)
                role = roles.get(p)
                if role is not None and terms[o][0] == "<":
                    claim_roles[c].append((s, role, o))
                    claim_source[c] = src
                    roles_at[s].add((role, o))
            del rows
            for (s, p, o), sources in fact_sources.items():
                # Each row is one claim (a claim's facts are distinct): the claims are counted by their sources.
                record = summary._fact_support(sources, own, publishers_of, spans)
                out.add(summary._fact_nquads(labels(), terms[s], terms[p], terms[o], record))
            facts += len(fact_sources)
            del fact_sources
            for at in roles_at.values():
                linked, party_pairs = summary._event_links(at, codec)
                for pair in linked:
                    ties[pair][2] += 1
                for pair in party_pairs:
                    ties[pair][3] += 1
            for c, listed_roles in claim_roles.items():
                pairs = summary._contribution(listed_roles, roles_at, codec)
                if c in self._spread:
                    spread.setdefault(c, (claim_source[c], set()))[1].update(pairs)
                    continue
                src = claim_source[c]
                for pair in pairs:
                    ties[pair][0] += 1
                    tie_sources[pair].add(src)
        for src, pairs in spread.values():
            for pair in pairs:
                ties[pair][0] += 1
                tie_sources[pair].add(src)
        for pair, pair_sources in tie_sources.items():
            ties[pair][1] = len(pair_sources)
        for (a, b), counts in ties.items():
            out.add(summary._tie_nquads(labels(), terms[a], terms[b], counts))
        publishers: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for src, (n, _pubs, _dates) in self._sources.items():
            if not n:  # a source the store had, without claims
                continue
            for pub in publishers_of.get(src, ()):
                publishers[pub][0] += n
                publishers[pub][1] += 1
        for pub, counts in publishers.items():
            out.add(summary._publisher_nquads(pub, counts))
        out.flush()
        out.run(lambda: store.update(summary._MARK_CURRENT))
        self.wait()
        return ImportReport(facts, len(ties), len(publishers), out.writes + 2)


class _Writer:
    """Summary records to the store by the bulk path, :data:`WRITE_RECORDS` at a time (through ``submit``)."""

    def __init__(self, store: Store, submit: Callable[[Callable[[], None]], None] | None, folder: Path) -> None:
        self.store = store
        self.submit = submit
        self.folder = folder  # batches waiting for the writer thread wait on disk, not in memory
        self.batch: list[str] = []
        self.writes = 0

    def run(self, write: Callable[[], None]) -> None:
        if self.submit is None:
            write()
        else:
            self.submit(write)

    def add(self, text: str) -> None:
        self.batch.append(text)
        if len(self.batch) >= WRITE_RECORDS:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        if self.submit is None:
            self.store.bulk_add_nquads("".join(self.batch))
        else:
            # Records are computed faster than the import's data are written: a queue of texts would hold them all.
            path = self.folder / f"summary-{self.writes:06}.nq"
            path.write_text("".join(self.batch), encoding="utf-8")

            def write(path: Path = path) -> None:
                self.store.bulk_add_nquads(path.read_text(encoding="utf-8"))
                path.unlink()
            self.submit(write)
        self.writes += 1
        self.batch = []
