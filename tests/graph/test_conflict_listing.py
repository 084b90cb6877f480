"""The conflict listing's fast path gives the answers of the per-claim reference path, on random claims.

The fast path reads the engine's TSV lines, shares the statements of claims stating the same, and finds
claims by their type in the provenance graph unless some claim is typed elsewhere. Where the store allows it
(Oxigraph), worker threads read the next batches while the last one is made into records: the threaded listing
gives what the sequential one gives, raises the errors of its reads, and leaves no thread behind.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from rdflib import Literal

from detente.errors import StoreError
from detente.graph.claims import Activity, Claim, Conflict, Source, conflicts, get_claim
from detente.graph.conflict_listing import READ_AHEAD, conflict_keys, conflict_page, iter_conflicts
from detente.graph.oxigraph_store import OxigraphStore
from detente.graph.parallel import StoreReads
from detente.graph.store import Bindings, Store, open_store
from detente.graph.terms import tsv_cell_nt
from detente.graph.writes import write_claims
from detente.ontology.vocab import DT, DTR

from reference_claims import old_conflicts

# Text that needs escapes in N-Triples and TSV (quotes, backslashes, tabs, line breaks) and text that does not.
_TEXT = st.sampled_from(["plain", 'say "314"', "tab\there", "line\nbreak", "back\\slash", "Émissaire", ""])
_VALUE = st.one_of(
    st.builds(lambda n: (DT.prisonerCount, Literal(n)), st.integers(min_value=-2, max_value=3)),
    st.builds(lambda d: (DT.startDate, Literal(date(2020, 1, d))), st.integers(min_value=1, max_value=3)),
    st.builds(lambda t, lang: (DT.status, Literal(t, lang=lang)), _TEXT, st.sampled_from([None, "en"])),
)
_SOURCE = st.builds(
    lambda n, url, title, publisher: Source.from_metadata(
        url=f"https://example.org/{n}" if url else None, title=title or f"title {n}",
        publisher=DTR[f"organization/o{publisher}"] if publisher is not None else None),
    st.integers(min_value=0, max_value=3), st.booleans(), _TEXT, st.one_of(st.none(), st.integers(0, 2)))
_CLAIM = st.builds(
    lambda event, values, source, quote, confidence, offsets, speaker, key: Claim(
        statements=[(DTR[f"event/e{event}"], p, o) for p, o in values]
        + [(DTR[f"event/e{event}"], DT.hasParty, DTR["state/UKR"])],
        source=source, quote=quote or None, confidence=confidence,
        quote_start=offsets, quote_end=None if offsets is None else offsets + 3,
        said_by=DTR[f"person/p{speaker}"] if speaker is not None else None,
        activity=Activity(method="test", label="random claims") if key else None, key=key),
    st.integers(min_value=0, max_value=2), st.lists(_VALUE, min_size=1, max_size=3), _SOURCE, _TEXT,
    st.one_of(st.none(), st.sampled_from([0.5, 0.25, 1.0])), st.one_of(st.none(), st.integers(0, 5)),
    st.one_of(st.none(), st.integers(0, 1)), st.one_of(st.none(), st.sampled_from(["row-1", "row\t2"])))


def _expected(store: Store) -> list[Conflict]:
    # Which claims stand behind which value, from the per-claim reference; each record as get_claim reads it.
    return [Conflict(c.subject, c.predicate, {v: [get_claim(store, r.iri) for r in records]  # type: ignore[misc]
                                              for v, records in c.values.items()})
            for c in old_conflicts(store)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claims=st.lists(_CLAIM, min_size=2, max_size=12), typed_in_facts=st.booleans())
def test_random_claims_list_the_conflicts_of_the_reference(claims: list[Claim], typed_in_facts: bool) -> None:
    store = open_store("memory:")
    write_claims(store, claims)
    labels = "".join(f'<{DTR}organization/o{n}> <http://www.w3.org/2000/01/rdf-schema#label> "Org {n}" .\n'
                     for n in range(2))
    store.add_nquads(labels)
    if typed_in_facts:  # a claim typed in the facts view only: the fields query finds claims by the union
        from rdflib.namespace import RDF, XSD

        claim, count = f"<{DTR}claim/typed-in-facts>", f'<{DT.prisonerCount}> "99"^^<{XSD.integer}>'
        store.add_nquads(f"<{DTR}event/e0> {count} {claim} .\n<{DTR}event/e0> {count} .\n"
                         f"{claim} <{RDF.type}> <{DT.Claim}> .\n")
    expected = _expected(store)
    assert store.concurrent_reads  # so the listings below read in worker threads unless told not to
    assert conflicts(store) == expected
    keys = conflict_keys(store)
    assert keys == [(c.subject, c.predicate) for c in expected] == conflict_keys(store, concurrent=False)
    for concurrent in (True, False):  # the threaded listing gives what the sequential one gives
        assert list(iter_conflicts(store, keys, batch=1, concurrent=concurrent)) == expected  # a batch per claim
        assert conflict_page(store, concurrent=concurrent).conflicts == expected
        if len(expected) > 1:
            page = conflict_page(store, limit=1, offset=1, concurrent=concurrent)
            assert (page.total, page.conflicts) == (len(expected), expected[1:2])


def test_select_lines_holds_what_select_nt_holds() -> None:
    """The engine's TSV lines and the generic ones (from select_nt) read as the same N-Triples cells."""
    store = open_store("memory:")
    store.update('INSERT DATA { <http://ex/s> <http://ex/p> "tab\\there \\"q\\"", 3, 2.5, 1e3, true, "x"@en . '
                 '_:b <http://ex/p> <http://ex/o> }')
    sparql = "SELECT ?s ?o ?none WHERE { ?s <http://ex/p> ?o } ORDER BY ?o"
    engine = store.select_lines(sparql)
    generic = Store.select_lines(store, sparql)  # the base class's, as a remote store runs it
    assert len(engine) == len(generic) == 7
    for ours, theirs in zip(engine, generic, strict=True):
        assert [tsv_cell_nt(c) for c in ours.split("\t")] == [tsv_cell_nt(c) for c in theirs.split("\t")]
    assert [tuple(tsv_cell_nt(c) for c in line.split("\t")) for line in engine] == store.select_nt(sparql)


# -- reads in worker threads -------------------------------------------------------------------------------


def _conflicting_store(events: int = 70) -> OxigraphStore:
    """Two claims disagreeing on the prisoner count of each of ``events`` events (a conflict each)."""
    store = open_store("memory:")
    source = Source.from_metadata(url="https://example.org/a")
    write_claims(store, [Claim(statements=[(DTR[f"event/e{e}"], DT.prisonerCount, Literal(n))], source=source)
                         for e in range(events) for n in (300, 314)])
    assert isinstance(store, OxigraphStore)
    return store


class _CountedStore(OxigraphStore):
    """The same database, counting its record reads and where they run, failing the ``fail_at``-th if asked."""

    def __init__(self, store: OxigraphStore, fail_at: int | None = None) -> None:
        super().__init__(store.location, _shared=store._store, _writing=store._writing)
        self.fail_at = fail_at
        self.calls = 0
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def select_lines(self, sparql: str, *, bindings: Bindings | None = None) -> list[str]:
        with self._lock:
            self.calls += 1
            call = self.calls
            self.threads.add(threading.current_thread().name)
        if call == self.fail_at:
            raise StoreError(f"read {call} failed")
        return super().select_lines(sparql, bindings=bindings)


def _reading_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("detente-reads")]


def test_a_failed_read_in_a_worker_raises_its_error_in_the_caller() -> None:
    base = _conflicting_store()
    expected = conflict_page(base, concurrent=False).conflicts
    keys = [(c.subject, c.predicate) for c in expected]
    clean = _CountedStore(base)
    assert list(iter_conflicts(clean, keys, batch=1)) == expected
    assert clean.calls == 2 * 7  # 64 conflicts, then one a batch (batch=1): two reads a batch
    for fail_at in (1, 2, 5, clean.calls):
        store = _CountedStore(base, fail_at)
        listed: list[Conflict] = []
        with pytest.raises(StoreError, match=f"read {fail_at} failed"):
            listed.extend(iter_conflicts(store, keys, batch=1))
        assert listed == expected[:len(listed)]  # what came before the failure is what it should be
        assert store.threads and threading.current_thread().name not in store.threads  # read in workers
        assert not _reading_threads()
    for fail_at in (1, 4):  # the page reads 64 conflicts, then the 6 others: four reads
        with pytest.raises(StoreError, match=f"read {fail_at} failed"):
            conflict_page(_CountedStore(base, fail_at))
        assert not _reading_threads()
    sequential = _CountedStore(base, 3)
    with pytest.raises(StoreError, match="read 3 failed"):
        conflict_page(sequential, concurrent=False)
    assert sequential.threads == {threading.current_thread().name}


def test_an_abandoned_listing_stops_its_reads() -> None:
    base = _conflicting_store()
    keys = conflict_keys(base)
    store = _CountedStore(base)
    listing: Iterator[Conflict] = iter_conflicts(store, keys, batch=1)
    first = next(listing)
    assert first.subject == keys[0][0] and _reading_threads()
    listing.close()  # (or dropped: a generator is closed when the last reference goes)
    assert not _reading_threads()
    # This batch and at most READ_AHEAD more were read (two queries each), not the 7 batches.
    assert store.calls <= 2 * (1 + READ_AHEAD) < 2 * 7
    dropped = iter_conflicts(store, keys, batch=1)
    next(dropped)
    del dropped
    assert not _reading_threads()
    untouched = iter_conflicts(store, keys, batch=1)  # never started: starts no thread
    del untouched
    assert not _reading_threads()

    def stop(done: int, expected: int) -> None:
        if done == 2:
            raise KeyboardInterrupt  # the user stops a CLI listing half-way
    with pytest.raises(KeyboardInterrupt):
        conflict_page(store, progress=stop)
    assert not _reading_threads()


def test_store_reads_give_the_same_answers_and_errors_with_or_without_threads() -> None:
    store = open_store("memory:")

    def fail(text: str) -> int:
        raise StoreError(text)
    for concurrent in (True, False):
        with StoreReads(store, concurrent=concurrent) as reads:
            assert reads.concurrent is concurrent
            answer, failure = reads.submit(len, "four"), reads.submit(fail, "no")
            assert answer.result() == 4
            with pytest.raises(StoreError, match="no"):
                failure.result()
    assert not _reading_threads()
    # A remote store is read in the caller's thread (see RemoteStore.concurrent_reads); no request is sent here.
    from detente.graph.remote_store import RemoteStore

    assert not StoreReads(RemoteStore("sparql+http://db.example:8890/sparql")).concurrent
