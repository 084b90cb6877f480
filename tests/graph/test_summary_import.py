"""A fresh import's summary, computed from the claims as they are staged, equals a recomputation from scratch."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from rdflib import URIRef
from rdflib.namespace import RDF
from test_summary import STATES, assert_exact, claims

from detente.errors import StoreError
from detente.graph import summary, summary_import, writes
from detente.graph.claims import Claim, Source, claims_nquads, line_end
from detente.graph.store import open_store
from detente.graph.summary_import import FreshImport
from detente.graph.terms import nquad
from detente.ontology.vocab import DT, DTR, FACTS_GRAPH


def _import(store, fresh: FreshImport, batch: list[Claim]) -> None:  # type: ignore[no-untyped-def]
    fresh.add(batch)
    fresh.writing()
    writes.import_nquads(store, [c.iri for c in batch], claims_nquads(batch, facts=store.facts_label), fresh=fresh)
    fresh.commit()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.booleans(), st.lists(claims(), min_size=1, max_size=8)), min_size=1, max_size=4),
       st.integers(1, 4), st.sampled_from([2, 7, summary_import.SPILL_ROWS]), st.integers(1, 3), st.integers(1, 2))
def test_a_fresh_import_gets_the_summary_a_rebuild_gives(tmp_path_factory: pytest.TempPathFactory,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         files: list[tuple[bool, list[Claim]]], buckets: int,
                                                         spill: int, batch_records: int, loaders: int) -> None:
    # Few buckets, so that events share them and claims spread over several.
    monkeypatch.setattr(summary_import, "BUCKETS", buckets)
    monkeypatch.setattr(summary_import, "SPILL_ROWS", spill)  # rows reach the bucket files, or stay in memory
    monkeypatch.setattr(summary_import, "WRITE_RECORDS", batch_records)  # several batches for the loader threads
    monkeypatch.setattr(summary_import, "LOADERS", loaders)
    store = open_store(f"oxigraph:{tmp_path_factory.mktemp('fresh')}")
    writes.clear(store)  # an empty store with its (empty, current) summary
    fresh = FreshImport()
    fresh.know_store(store)
    rebuilt = []
    monkeypatch.setattr(summary, "rebuild", lambda *a, _r=summary.rebuild, **k: rebuilt.append(1) or _r(*a, **k))
    seen: set[str] = set()
    written_files = []
    for written, batch in files:  # each claim once: a repeated claim is left to a rebuild (tested below)
        unique = [c for c in batch if not (str(c.iri) in seen or seen.add(str(c.iri)))]  # type: ignore[func-returns-value]
        if unique:
            written_files.append((written, unique))
    try:
        with writes.bulk(store):
            for written, batch in written_files:
                if written:
                    _import(store, fresh, batch)
                else:  # a bad file: read, then not written
                    fresh.add(batch)
                    fresh.discard()
        assert_exact(store)
        assert fresh.exact and not rebuilt
    finally:
        fresh.close()
        store.close()


def _claim(number: int, event: int = 0) -> Claim:
    event_iri = DTR[f"event/e{event}"]
    return Claim([(event_iri, RDF.type, DT.Talks), (event_iri, DT.hasParty, STATES[number % 5]),
                  (event_iri, DT.hasParty, STATES[(number + 1) % 5])],
                 Source.from_metadata(url=f"https://example.org/{number}", publisher=DTR["organization/p1"]))


def test_a_claim_met_twice_leaves_the_summary_to_a_rebuild(tmp_path: Path) -> None:
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    fresh = FreshImport()
    with writes.bulk(store):
        _import(store, fresh, [_claim(1), _claim(2)])
        _import(store, fresh, [_claim(2), _claim(3)])
    assert not fresh.exact
    assert_exact(store)
    fresh.close()
    store.close()


def test_an_import_cut_short_while_writing_leaves_the_summary_to_a_rebuild(tmp_path: Path) -> None:
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    batch = [_claim(n, event=n % 2) for n in range(3)]
    fresh = FreshImport()
    with writes.bulk(store):
        _import(store, fresh, batch[:1])
        fresh.add(batch[1:])
        fresh.writing()
        writes.import_nquads(store, [batch[1].iri], claims_nquads(batch[1:2], facts=store.facts_label), fresh=fresh)
        fresh.discard()  # the write failed after its first part
    assert not fresh.exact
    assert_exact(store)
    fresh.close()
    store.close()


def test_sources_the_store_kept_count_with_their_publishers_and_dates(tmp_path: Path) -> None:
    # Removing claims keeps their sources: a later fresh import citing one sees its earlier publisher and date.
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    event = DTR["event/e1"]
    old = Claim([(event, DT.hasParty, STATES[0])],
                Source.from_metadata(url="https://example.org/kept", publisher=DTR["organization/p0"],
                                     issued=date(2020, 1, 1)))
    writes.write_claims(store, [old])
    writes.remove_claims(store, [old.iri])
    again = Claim([(event, DT.hasParty, STATES[1]), (event, DT.hasParty, STATES[2])],
                  Source.from_metadata(url="https://example.org/kept", publisher=DTR["organization/p1"],
                                       issued=date(2021, 1, 1)))
    fresh = FreshImport()
    fresh.know_store(store)
    with writes.bulk(store):
        _import(store, fresh, [again, _claim(7)])
    assert fresh.exact
    assert_exact(store)
    fresh.close()
    store.close()


def test_a_failed_summary_write_is_raised_and_its_threads_end(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    monkeypatch.setattr(summary_import, "WRITE_RECORDS", 1)
    fresh = FreshImport()
    batch = [_claim(n, event=n % 3) for n in range(6)]
    fresh.add(batch)
    fresh.writing()
    writes.import_nquads(store, [c.iri for c in batch], claims_nquads(batch, facts=store.facts_label))
    fresh.commit()

    def failing(text: str) -> None:
        raise StoreError("disk full")
    monkeypatch.setattr(store, "bulk_add_nquads", failing)
    with pytest.raises(StoreError, match="disk full"):
        fresh.write(store)
    assert not [t for t in threading.enumerate() if t.name == "detente-summary-loader"]
    assert summary.summary_state(store) == "stale"  # the mark stays: the next reader rebuilds it
    fresh.close()
    store.close()


def test_facts_differing_only_in_their_source_count_get_one_record_per_support(tmp_path: Path) -> None:
    # Four parties of one event, each stated by two claims with one publisher and no date: UKR and USA from one
    # source (1 source each), RUS and TUR from two sources each. Their objects interleave (UKR, RUS, USA, TUR in
    # the order the import meets them), so grouping that overlooked the source count would split the supports.
    event = DTR["event/e0"]
    publisher = DTR["organization/p1"]
    one_source = Source.from_metadata(url="https://example.org/one", publisher=publisher)
    batch = []
    for number, (state, url) in enumerate([(0, None), (1, "a"), (2, None), (3, "b"),
                                           (0, None), (1, "c"), (2, None), (3, "d")]):
        source = one_source if url is None else Source.from_metadata(url=f"https://example.org/{url}",
                                                                     publisher=publisher)
        batch.append(Claim([(event, RDF.type, DT.Talks), (event, DT.hasParty, STATES[state])], source,
                           quote=f"quote {number}"))  # two claims of one source stating one fact: not the same claim
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    fresh = FreshImport()
    fresh.know_store(store)
    try:
        with writes.bulk(store):
            _import(store, fresh, batch)
        assert fresh.exact
        assert_exact(store)
        records = store.select_nt(
            "SELECT ?record ?party WHERE { GRAPH ?summary { ?record dt:factSubject ?event ; "
            "dt:factPredicate dt:hasParty ; dt:factObject ?party } }",
            bindings=[{"summary": summary.SUMMARY_GRAPH, "event": event}])
        by_record: dict[str | None, set[str | None]] = {}
        for record, party in records:
            by_record.setdefault(record, set()).add(party)
        # The counts themselves are checked against the reference above; here, that each support is one record.
        assert sorted(sorted(parties, key=str) for parties in by_record.values()) == [
            [f"<{STATES[1]}>", f"<{STATES[3]}>"], [f"<{STATES[0]}>", f"<{STATES[2]}>"]]
    finally:
        fresh.close()
        store.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.booleans(), st.lists(claims(), min_size=0, max_size=8)), min_size=1, max_size=4),
       st.integers(1, 4), st.sampled_from([2, 7, summary_import.SPILL_ROWS]), st.integers(1, 5),
       st.sampled_from([None, FACTS_GRAPH]))
def test_a_files_facts_are_its_claims_facts_lines_once_each(monkeypatch: pytest.MonkeyPatch,
                                                            files: list[tuple[bool, list[Claim]]], buckets: int,
                                                            spill: int, lines_per_text: int,
                                                            facts: URIRef | None) -> None:
    # The fast path (statements numbered for the summary, made distinct a bucket at a time) against the facts
    # lines the claims themselves serialise to, blank nodes included; a discarded file's facts are forgotten.
    monkeypatch.setattr(summary_import, "BUCKETS", buckets)
    monkeypatch.setattr(summary_import, "SPILL_ROWS", spill)
    fresh = FreshImport()
    try:
        for written, batch in files:
            statements = fresh.add(batch[: len(batch) // 2])
            statements += fresh.add(batch[len(batch) // 2:])
            texts = list(fresh.file_facts(line_end(facts), lines_per_text))
            lines = [line for text in texts for line in text.splitlines(keepends=True)]
            expected_lines = [nquad(s, p, o, facts) for claim in batch for s, p, o, g in claim.quads()
                              if g == FACTS_GRAPH]
            assert statements == len(expected_lines), "the plain text's facts lines, counted"
            assert sorted(lines) == sorted(set(expected_lines)), "each distinct facts line once"
            if written:
                fresh.writing()
                fresh.commit()
            else:
                fresh.discard()
        assert list(fresh.file_facts(line_end(facts), lines_per_text)) == [], "no file being read"
    finally:
        fresh.close()


_TEXT_TERMS = st.sampled_from(["<http://example.org/a>", "<http://example.org/b c>", '"x y"', '"2020-01-02"^^<d>'])
_DATES = st.sampled_from(['"2020-01-02"^^<http://www.w3.org/2001/XMLSchema#date>',
                          '"2021-12-31"^^<http://www.w3.org/2001/XMLSchema#date>'])


@given(st.lists(st.tuples(_TEXT_TERMS, _TEXT_TERMS, st.lists(_TEXT_TERMS, min_size=1, max_size=3),
                          st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(0, 3)),
                          st.one_of(st.none(), st.tuples(_DATES, _DATES))), max_size=12),
       st.lists(st.tuples(_TEXT_TERMS, _TEXT_TERMS, st.lists(st.integers(0, 10**12), min_size=4, max_size=4)),
                max_size=6),
       st.lists(st.tuples(_TEXT_TERMS, st.integers(0, 9), st.integers(0, 9)), max_size=6))
def test_records_made_a_kind_at_a_time_are_the_records_made_one_at_a_time(
        facts: list[tuple[str, str, list[str], tuple[int, int, int], tuple[str, str] | None]],
        ties: list[tuple[str, str, list[int]]], publishers: list[tuple[str, int, int]]) -> None:
    # The fresh import's set-wise text (summary._facts_nquads and co.) against the per-record text of the
    # rebuild and the deltas, with the same labels: the same lines (in another order).
    one, kind = summary._Labels(), summary._Labels()
    kind.base = one.base
    simple = [summary._fact_nquads(one(), s, p, objects, (*counts, *(dates or (None, None))))
              for s, p, objects, counts, dates in facts]
    simple += [summary._tie_nquads(one(), a, b, counts) for a, b, counts in ties]
    simple += [summary._publisher_nquads(pub, counts) for pub, *counts in publishers]
    fast = [summary._facts_nquads(kind.take(len(facts)), [f[0] for f in facts], [f[1] for f in facts],
                                  [o for f in facts for o in f[2]], [len(f[2]) for f in facts],
                                  [f[3][0] for f in facts], [f[3][1] for f in facts], [f[3][2] for f in facts],
                                  [f[4][0] if f[4] else None for f in facts],
                                  [f[4][1] if f[4] else None for f in facts])]
    fast.append(summary._ties_nquads(kind.take(len(ties)), [t[0] for t in ties], [t[1] for t in ties],
                                     *([t[2][i] for t in ties] for i in range(4))))
    fast.append(summary._publishers_nquads([p[0] for p in publishers], [p[1] for p in publishers],
                                           [p[2] for p in publishers]))
    assert sorted("".join(fast).splitlines()) == sorted("".join(simple).splitlines())
    assert kind.n == one.n


@given(st.lists(st.tuples(st.integers(-3, 40), st.integers(-3, 40)), max_size=30),
       st.sampled_from([1, 1 << 20, 1 << 40, 1 << 56]))
def test_unique_pairs_by_codes_are_the_lexsorted_unique_pairs(pairs: list[tuple[int, int]], scale: int) -> None:
    # Codes a * (max(b) + 1) + b when they fit in 63 bits (a large scale does not: the lexsort answers), negative
    # numbers by the lexsort.
    a = np.array([x * scale for x, _y in pairs], dtype=np.int64)
    b = np.array([y for _x, y in pairs], dtype=np.int64)
    fast = summary_import._unique_pairs(a, b)
    simple = summary_import._unique_pairs_lexsort(a, b)
    assert [x.tolist() for x in fast] == [x.tolist() for x in simple]
    expected = sorted(set(zip(a.tolist(), b.tolist(), strict=True)))
    assert list(zip(*(x.tolist() for x in simple), strict=True)) == expected


def test_summary_batches_hold_whole_records_and_at_most_write_records(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Records made a bucket (or all ties) at a time are cut into batches of WRITE_RECORDS records, each record in
    # one bulk write (its blank node's lines together).
    monkeypatch.setattr(summary_import, "WRITE_RECORDS", 3)
    monkeypatch.setattr(summary_import, "BUCKETS", 2)
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    batch = [_claim(n, event=n % 4) for n in range(24)]
    fresh = FreshImport()
    fresh.know_store(store)
    texts: list[str] = []
    bulk_add = store.bulk_add_nquads

    def recording(text: str | bytes) -> None:
        texts.append(text.decode() if isinstance(text, bytes) else text)
        bulk_add(text)
    try:
        with writes.bulk(store):
            _import(store, fresh, batch)
            monkeypatch.setattr(store, "bulk_add_nquads", recording)
        assert fresh.exact
        assert_exact(store)
        summary_texts = [t for t in texts if summary.SUMMARY_GRAPH in t]
        labels = [{line.split(" ", 1)[0] for line in text.splitlines() if line.startswith("_:")}
                  for text in summary_texts]
        publishers = [{line.split(" ", 1)[0] for line in text.splitlines() if not line.startswith("_:")}
                      for text in summary_texts]
        assert len(summary_texts) > 2
        assert all(0 < len(records) + len(pubs) <= 3 for records, pubs in zip(labels, publishers, strict=True))
        assert sum(map(len, labels)) == len(set().union(*labels)), "a record's lines in one write"
    finally:
        fresh.close()
        store.close()


@given(st.lists(st.tuples(st.integers(-2, 30), st.integers(0, 5), st.integers(-2, 30)), max_size=40),
       st.sampled_from([1, 1 << 20, 1 << 40]))
def test_distinct_triples_by_codes_are_the_lexsorted_distinct_triples(triples: list[tuple[int, int, int]],
                                                                      scale: int) -> None:
    # Codes (s * predicates + rank of p) * terms + o when they fit (a large scale does not), negatives by lexsort.
    s, p, o = (np.array([t[i] * (scale if i != 1 else 1) for t in triples], dtype=np.int64) for i in range(3))
    fast = summary_import._distinct_triples(s, p, o)
    simple = summary_import._distinct_triples_lexsort(s, p, o)
    assert [x.tolist() for x in fast] == [x.tolist() for x in simple]
    assert list(zip(*(x.tolist() for x in simple), strict=True)) == sorted(set(zip(*(x.tolist() for x in (s, p, o)),
                                                                               strict=True)))


@given(st.lists(st.tuples(st.integers(0, 6), st.integers(-1, 8), st.integers(0, 3), st.integers(-1, 8)), max_size=40),
       st.sampled_from([1, 1 << 30, 1 << 50]))
def test_claim_statements_by_codes_are_the_lexsorted_distinct_rows(rows: list[tuple[int, int, int, int]],
                                                                   scale: int) -> None:
    # A claim's statement once, sorted by subject, predicate, object and claim: codes where they fit (a large
    # scale of claim numbers does not), negatives by the lexsort.
    table = np.array([(c * scale, s, p, o) for c, s, p, o in rows], dtype=np.int64).reshape(-1, 4)
    fast = summary_import._claim_statements(table)
    simple = summary_import._claim_statements_lexsort(table)
    assert [x.tolist() for x in fast] == [x.tolist() for x in simple]
    expected = sorted({(s, p, o, c) for c, s, p, o in table.tolist()})
    assert [(s, p, o, c) for c, s, p, o in zip(*(x.tolist() for x in simple), strict=True)] == expected


def test_the_ties_codes_spread_over_their_files_by_pair(tmp_path: Path) -> None:
    """One source for every pair, and a term count that the parts divide: still one file's share in memory."""
    ties = summary_import._Ties(16 * 1000, np.zeros(0, dtype=np.int64), tmp_path)
    ties._write_pair_sources(np.arange(64, dtype=np.int64) * ties.terms + 5)
    parts = summary_import.TIE_PARTS
    assert [ties._part(part).stat().st_size // 8 for part in range(parts)] == [64 // parts] * parts
