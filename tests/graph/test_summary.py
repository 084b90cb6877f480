"""The maintained summary equals a recomputation from scratch after every kind of write."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

import detente.loaders
from detente.graph import summary, writes
from detente.graph.claims import Activity, Claim, Source, claims_nquads
from detente.graph.store import Store, open_store
from detente.graph.terms import term_nt
from detente.loaders import load_paths
from detente.ontology.vocab import DT, DTR, ENTITIES_GRAPH, FACTS_GRAPH, SUMMARY_GRAPH

from summary_reference import as_literal_free, expected, maintained

DEMO = Path(detente.loaders.__file__).resolve().parent / "demo"
STATES = [DTR[f"state/{code}"] for code in ("UKR", "RUS", "USA", "TUR", "QAT")]
ACTIVITY = Activity(method="test:summary", label="summary tests")


def assert_exact(store: Store) -> None:
    assert summary.summary_state(store) == "current"
    assert not summary.DELTA_FALLBACKS, "a delta disagreed with the summary and was replaced by a rebuild"
    reference = expected(store)
    want, got = as_literal_free(reference), as_literal_free(maintained(store))
    for kind in want:
        assert got[kind] == want[kind], kind
    assert_tables(store, reference)


def assert_tables(store: Store, want: dict) -> None:
    """The network's integer-indexed tables say what the reference says."""
    ties = summary.tie_table(store)
    got_ties = {(str(ties.actors[a]), str(ties.actors[b])): (int(n), int(sc), int(ec), int(pe))
                for a, b, n, sc, ec, pe in zip(ties.lo, ties.hi, ties.claims, ties.sources, ties.events,
                                               ties.party_events, strict=True)}
    assert got_ties == {(str(a), str(b)): v for (a, b), v in want["ties"].items()}
    assert all(str(ties.actors[a]) < str(ties.actors[b]) for a, b in zip(ties.lo, ties.hi, strict=True))
    parts = summary.participation_table(store)
    # The network's nodes: every actor with a role in some event, tied or not.
    assert set(ties.actors) == set(parts.actors)
    got_parts = {(str(parts.events[e]), str(summary.ROLE_PREDICATES[r]), str(parts.actors[a])): (int(n), int(sc))
                 for e, a, r, n, sc in zip(parts.event, parts.actor, parts.role, parts.claims, parts.sources,
                                           strict=True)}
    assert got_parts == {(str(e), str(p), str(a)): v[:2] for (e, p, a), v in want["facts"].items()
                         if p in summary.ROLE_PREDICATES and isinstance(a, URIRef)}


# -- claims from a small world, so that facts, sources and ties are shared -------------

@st.composite
def claims(draw: st.DrawFn) -> Claim:
    event = DTR[f"event/e{draw(st.integers(0, 4))}"]
    parties = draw(st.lists(st.sampled_from(STATES), min_size=1, max_size=3, unique=True))
    statements = [(event, RDF.type, draw(st.sampled_from([DT.Talks, DT.Agreement])))]
    statements += [(event, DT.hasParty, p) for p in parties]
    role = draw(st.sampled_from([None, DT.mediatedBy, DT.announcedBy]))
    if role is not None:
        statements.append((event, role, draw(st.sampled_from(STATES))))
    if draw(st.booleans()):
        statements.append((event, DT.prisonerCount, Literal(draw(st.sampled_from([300, 314])))))
    if draw(st.integers(0, 9)) == 0:
        statements.append((event, DT.note, BNode()))  # left out of the summary, never breaks it
    number = draw(st.integers(0, 5))
    # The same URL with another publisher or date: one source with two of them.
    source = Source.from_metadata(url=f"https://example.org/{number}",
                                  publisher=DTR[f"organization/p{draw(st.integers(0, 2))}"],
                                  issued=date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 3))))
    return Claim(statements=statements, source=source, quote=draw(st.sampled_from([None, "a", "b"])),
                 confidence=0.5, activity=ACTIVITY)


operations = st.one_of(
    st.tuples(st.just("add"), st.lists(claims(), min_size=1, max_size=6)),
    st.tuples(st.just("remove"), st.integers(0, 1 << 30)),
    st.tuples(st.just("remove_graph"), st.integers(0, 1 << 30)),
    st.tuples(st.just("update"), st.integers(0, 1 << 30)),
    st.tuples(st.just("bulk"), st.lists(claims(), min_size=1, max_size=6)),
)


def _pick(store: Store, seed: int, count: int = 2) -> list[URIRef]:
    existing = sorted((r[0] for r in store.query("SELECT ?c WHERE { ?c a dt:Claim }").rows), key=str)
    return [existing[(seed + i * 7) % len(existing)] for i in range(min(count, len(existing)))] if existing else []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operations, min_size=1, max_size=5))
def test_summary_stays_exact_through_random_writes(steps: list[tuple[str, object]]) -> None:
    store = open_store("memory:")
    writes.clear(store)  # an empty store with its (empty, current) summary
    for kind, arg in steps:
        if kind == "add":
            writes.write_claims(store, arg)  # type: ignore[arg-type]
        elif kind == "remove":
            writes.remove_claims(store, _pick(store, arg))  # type: ignore[arg-type]
        elif kind == "remove_graph":
            for claim in _pick(store, arg, 1):  # type: ignore[arg-type]
                writes.remove_graph(store, claim)
        elif kind == "update":
            for claim in _pick(store, arg, 1):  # type: ignore[arg-type]
                writes.sparql_update(store, f"DELETE WHERE {{ GRAPH <{claim}> {{ ?s dt:hasParty ?o }} }}")
        else:
            with writes.bulk(store):
                writes.write_claims(store, arg[:3])  # type: ignore[index]
                writes.remove_claims(store, _pick(store, len(arg)))  # type: ignore[arg-type]
                writes.write_claims(store, arg[3:])  # type: ignore[index]
        assert_exact(store)


def test_a_claim_written_again_after_an_update_deleted_its_roles() -> None:
    # Found by the random test above (add; DELETE its hasParty facts; add the same claim again): before the
    # second write the claim had no roles at the event, after it it has, and its source's ties are read for both.
    event = DTR["event/e0"]
    claim = Claim([(event, RDF.type, DT.Talks), (event, DT.hasParty, STATES[1]), (event, DT.hasParty, STATES[4]),
                   (event, DT.hasParty, STATES[2])],
                  Source.from_metadata(url="https://example.org/s", publisher=DTR["organization/p1"],
                                       issued=date(2024, 1, 1)), confidence=0.5, activity=ACTIVITY)
    other = Claim([(DTR["event/e1"], DT.hasParty, STATES[0]), (DTR["event/e1"], DT.hasParty, STATES[3])],
                  claim.source, confidence=0.5, activity=ACTIVITY)  # the source's ties elsewhere stay counted
    store = open_store("memory:")
    writes.clear(store)
    writes.write_claims(store, [claim, other])
    writes.sparql_update(store, f"DELETE WHERE {{ GRAPH <{claim.iri}> {{ ?s dt:hasParty ?o }} }}")
    assert_exact(store)
    writes.write_claims(store, [claim])
    assert_exact(store)
    writes.remove_claims(store, [claim.iri])
    assert_exact(store)


def test_the_demo_summary(demo_store: Store) -> None:
    assert_exact(demo_store)
    (rus, ukr, n), *_ = summary.top_party_pairs(demo_store, 1)
    assert (rus, ukr) == (DTR["state/RUS"], DTR["state/UKR"]) and n >= 1
    assert summary.claims_per_publisher(demo_store, 1)[0][0] == DTR["organization/meridian-wire"]


def test_summary_aggregates_answer_as_the_raw_queries_over_the_claims() -> None:
    from benchmarks.synthetic import synthetic_claims

    store = open_store("memory:")
    with writes.bulk(store):
        writes.write_claims(store, list(synthetic_claims(400, seed=5, events=60, publishers=12)))
    for name, (from_summary, raw) in summary.AGGREGATES.items():
        assert store.query(from_summary % 20).rows == store.query(raw % 20).rows, name
    assert_exact(store)


def _readme_summary_queries() -> dict[str, str]:
    """The README's example queries of the summary graph, by their comment line."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("The researchers' heavy aggregates", 1)[1].split("```sparql\n", 1)[1].split("```", 1)[0]
    queries = {}
    for part in block.strip().split("\n\n"):
        comment, query = part.split("\n", 1)
        queries[comment.lstrip("# ")] = query
    return queries


def test_the_readme_queries_of_the_summary_answer_as_the_reference() -> None:
    from benchmarks.synthetic import synthetic_claims

    store = open_store("memory:")
    with writes.bulk(store):
        writes.write_claims(store, list(synthetic_claims(300, seed=3, events=40, publishers=9)))
    want = expected(store)
    queries = _readme_summary_queries()
    assert len(queries) == 6
    single = {(str(s), str(p), str(o)) for s, p, o, _n in store.query(queries[
        "Facts that rest on a single source (a left-out source count equals the claim count)"]).rows}
    assert single == {tuple(map(str, key)) for key, v in want["facts"].items() if v[1] == 1}
    per_property = {str(p): (int(n), int(one)) for p, n, one in store.query(next(
        q for c, q in queries.items() if c.startswith("Facts per property"))).rows}
    counted: dict[str, list[int]] = {}
    for (_s, p, _o), v in want["facts"].items():
        entry = counted.setdefault(str(p), [0, 0])
        entry[0] += 1
        entry[1] += v[0] == 1
    assert per_property == {p: tuple(v) for p, v in counted.items()}
    mediators = store.query(next(q for c, q in queries.items() if c.startswith("Who mediated most"))).rows
    events: dict[str, int] = {}
    for (_e, p, a), _v in want["facts"].items():
        if p == DT.mediatedBy:
            events[str(a)] = events.get(str(a), 0) + 1
    assert {str(m): int(n) for m, n, *_rest in mediators} == events
    for comment, query in queries.items():  # every example runs
        assert store.query(query).rows, comment


def test_a_summary_of_another_version_is_rebuilt_before_it_is_read() -> None:
    from benchmarks.synthetic import synthetic_claims

    store = open_store("memory:")
    with writes.bulk(store):
        writes.write_claims(store, list(synthetic_claims(60, seed=2, events=8, publishers=4)))
    assert_exact(store)
    # A version 2 summary: one record per fact, as before records were shared.
    graph = term_nt(SUMMARY_GRAPH)
    store.update(f"""DELETE {{ GRAPH {graph} {{ {graph} dt:summaryVersion ?v }} }}
        INSERT {{ GRAPH {graph} {{ {graph} dt:summaryVersion "2" }} }}
        WHERE {{ GRAPH {graph} {{ {graph} dt:summaryVersion ?v }} }}""")
    shared = store.query(f"""SELECT ?o WHERE {{ GRAPH {graph} {{ ?f dt:factObject ?o, ?other FILTER(?o != ?other) }} }}
        LIMIT 1""").rows
    assert shared, "the small world has facts sharing a record"
    store.update(f"""DELETE {{ GRAPH {graph} {{ ?f dt:factObject ?o }} }}
        WHERE {{ GRAPH {graph} {{ ?f dt:factObject ?o }} }}""", bindings=[{"o": shared[0][0]}])
    assert summary.summary_state(store) == "missing"
    summary.top_party_pairs(store)  # a reader rebuilds it
    assert_exact(store)


def test_incremental_writes_and_a_rebuild_agree() -> None:
    from benchmarks.synthetic import synthetic_claims

    batch = list(synthetic_claims(300, seed=11, events=40, publishers=8))
    one_by_one = open_store("memory:")
    for start in range(0, len(batch), 60):
        writes.write_claims(one_by_one, batch[start:start + 60])  # each a set-wise refresh
    rebuilt = open_store("memory:")
    rebuilt.add_nquads(claims_nquads(batch))  # around the write API: no summary at all
    assert summary.summary_state(rebuilt) == "missing"
    summary.rebuild(rebuilt, chunk=50)  # many small transactions
    assert as_literal_free(maintained(one_by_one)) == as_literal_free(maintained(rebuilt))


def test_a_crash_after_the_data_leaves_a_stale_summary_that_is_rebuilt_before_it_is_read() -> None:
    store = open_store("memory:")
    load_paths(store, [DEMO])
    before = summary.top_party_pairs(store)
    extra = Claim(statements=[(DTR["event/new"], DT.hasParty, DTR["state/TUR"]),
                              (DTR["event/new"], DT.hasParty, DTR["state/QAT"])],
                  source=Source.from_metadata(url="https://example.org/new", publisher=DTR["organization/p0"]))
    # The data and the mark in one transaction, then the process dies before the refresh.
    store.add_nquads(summary.STALE_NQUAD + claims_nquads([extra]))
    assert summary.summary_state(store) == "stale"
    reader = store.read_only_view()  # type: ignore[attr-defined]
    answer = summary.top_party_pairs(reader, 50)  # a reader cannot rebuild: the raw query answers
    assert summary.summary_state(store) == "stale"
    assert (DTR["state/QAT"], DTR["state/TUR"], 1) in answer and answer != before
    assert summary.top_party_pairs(store, 50) == answer  # the writer rebuilds first
    assert_exact(store)


def test_removed_claims_take_their_unshared_facts_out_of_the_facts_view() -> None:
    store = open_store("memory:")
    load_paths(store, [DEMO])
    agreement = DTR["agreement/ukr-rus-314-exchange"]
    three_hundred = [r[0] for r in store.query(
        "SELECT ?c ?a WHERE { GRAPH ?c { ?a dt:prisonerCount 300 } ?c a dt:Claim }", bindings={"a": agreement}).rows]
    assert writes.remove_claims(store, three_hundred) == len(three_hundred) == 1
    facts = {r[0] for r in store.query("SELECT ?n ?a WHERE { ?a dt:prisonerCount ?n }", bindings={"a": agreement},
                                       default_graphs=[FACTS_GRAPH]).rows}
    assert facts == {Literal(314)}  # 300 is gone from the facts view; 314, still claimed, stays
    assert_exact(store)


def test_removal_keeps_exactly_the_facts_others_still_state() -> None:
    """Facts of removed claims leave the facts view unless another claim or an entity description states them.

    The facts view afterwards is what it would be had the removed claims never been written.
    """
    store = open_store("memory:")
    e, src = DTR["event/e1"], Source.from_metadata(url="https://example.org/r", publisher=DTR["organization/o"])
    shared = (e, RDF.type, DT.Talks)
    kept = Claim(statements=[shared, (e, DT.prisonerCount, Literal(314))], source=src)
    gone = Claim(statements=[shared, (e, DT.prisonerCount, Literal(7)),
                             (e, DT.startDate, Literal(date(2020, 1, 2))), (e, DT.heldAt, DTR["place/geneva"]),
                             (e, DT.mediatedBy, BNode("mediator")), (BNode("talk"), DT.status, Literal("held"))],
                 source=src)
    writes.write_claims(store, [kept, gone])
    facts = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    described = (e, DT.heldAt, DTR["place/geneva"])  # an entity description says it too
    writes.add_nquads(store, " ".join(term_nt(t) for t in described) + f" <{ENTITIES_GRAPH}> .\n"
                      + " ".join(term_nt(t) for t in described) + " .\n")
    before = set(store.query(facts, default_graphs=[FACTS_GRAPH]).rows)
    assert (e, DT.startDate, Literal(date(2020, 1, 2))) in before
    assert sum(isinstance(s, BNode) or isinstance(o, BNode) for s, _p, o in before) == 2

    assert writes.remove_claims(store, [gone.iri]) == 1
    after = set(store.query(facts, default_graphs=[FACTS_GRAPH]).rows)
    dropped = {(e, DT.prisonerCount, Literal(7)), (e, DT.startDate, Literal(date(2020, 1, 2)))}
    assert not any(isinstance(s, BNode) or isinstance(o, BNode) for s, _p, o in after)  # blank node facts too
    assert {t for t in before if not isinstance(t[0], BNode) and not isinstance(t[2], BNode)} - after == dropped
    assert shared in after and described in after and (e, DT.prisonerCount, Literal(314)) in after
    assert_exact(store)


def test_clear_and_restore(tmp_path: Path) -> None:
    store = open_store("memory:")
    load_paths(store, [DEMO])
    dump = tmp_path / "dump.nq"
    store.dump(dump, "nquads")
    writes.clear(store)
    assert_exact(store)
    assert not maintained(store)["facts"]
    writes.restore(store, dump, "nquads", replace=True)
    assert_exact(store)
    assert store.query("ASK { GRAPH ?g { ?s dt:stale ?x } }").boolean is False
    assert SUMMARY_GRAPH in set(store.named_graphs())


def test_an_update_through_the_write_api_is_followed_by_a_rebuild_or_left_marked() -> None:
    store = open_store("memory:")
    load_paths(store, [DEMO])
    claim = store.query("SELECT ?c ?k WHERE { ?c dct:identifier ?k }",
                        bindings={"k": Literal("ki-exchange-agreed")}).rows[0][0]
    writes.sparql_update(store, f"DROP GRAPH <{claim}> ;", refresh=False)  # a trailing ';' is fine
    assert summary.summary_state(store) == "stale"
    writes.refresh(store)
    assert_exact(store)


@pytest.mark.parametrize("size", [1, 7])
def test_the_rebuild_is_chunked_and_exact(size: int) -> None:
    store = open_store("memory:")
    load_paths(store, [DEMO])
    report = summary.rebuild(store, chunk=size)
    assert report.transactions > 4 and report.facts == len(expected(store)["facts"])
    assert_exact(store)


# -- the cases a difference could get wrong ------------------------------------------------------

def _claim(event: str, parties: list[str], *, url: str = "https://example.org/a", publisher: str = "p0",
           role: URIRef = DT.hasParty, quote: str | None = None) -> Claim:
    ev = DTR[f"event/{event}"]
    return Claim(statements=[(ev, RDF.type, DT.Talks)] + [(ev, role, DTR[f"state/{p}"]) for p in parties],
                 source=Source.from_metadata(url=url, publisher=DTR[f"organization/{publisher}"],
                                             issued=date(2024, 1, 2)),
                 quote=quote, activity=ACTIVITY)


def _ties(store: Store) -> dict[tuple[str, str], tuple[int, ...]]:
    table = summary.tie_table(store)
    return {(str(table.actors[a]).rsplit("/", 1)[1], str(table.actors[b]).rsplit("/", 1)[1]):
            (int(n), int(sc), int(ec), int(pe))
            for a, b, n, sc, ec, pe in zip(table.lo, table.hi, table.claims, table.sources, table.events,
                                           table.party_events, strict=True)}


def test_removing_the_last_claims_of_a_tie_removes_it() -> None:
    store = open_store("memory:")
    writes.clear(store)
    ukr, rus = _claim("e1", ["UKR"], url="https://example.org/1"), _claim("e1", ["RUS"], url="https://example.org/2")
    other = _claim("e2", ["TUR", "QAT"], url="https://example.org/3")
    writes.write_claims(store, [ukr, rus, other])
    assert _ties(store) == {("RUS", "UKR"): (2, 2, 1, 1), ("QAT", "TUR"): (1, 1, 1, 1)}
    writes.remove_claims(store, [ukr.iri])  # RUS alone at e1: no tie left, the other untouched
    assert _ties(store) == {("QAT", "TUR"): (1, 1, 1, 1)}
    assert_exact(store)
    writes.remove_claims(store, [rus.iri, other.iri])
    assert _ties(store) == {} and not maintained(store)["publishers"]
    assert_exact(store)


def test_duplicate_claims_and_claims_loaded_again_change_nothing() -> None:
    store = open_store("memory:")
    writes.clear(store)
    first = _claim("e1", ["UKR", "RUS"], quote="q")
    assert writes.write_claims(store, [first, first]) == 1  # one claim, twice in one write
    once = maintained(store)
    assert writes.write_claims(store, [first]) == 0  # loaded again
    assert maintained(store) == once
    assert_exact(store)
    writes.remove_claims(store, [first.iri])
    writes.write_claims(store, [first])  # back after a removal
    assert maintained(store) == once
    assert_exact(store)


def test_a_source_written_again_with_another_publisher_changes_its_other_claims_counts() -> None:
    store = open_store("memory:")
    writes.clear(store)
    writes.write_claims(store, [_claim("e1", ["UKR", "RUS"], quote="a")])
    writes.write_claims(store, [_claim("e2", ["UKR", "TUR"], publisher="p1", quote="b")])  # same URL: one source
    assert_exact(store)
    assert maintained(store)["publishers"] == {DTR["organization/p0"]: (2, 1), DTR["organization/p1"]: (2, 1)}


def test_mediators_and_announcers_tie_only_to_parties() -> None:
    store = open_store("memory:")
    writes.clear(store)
    writes.write_claims(store, [_claim("e1", ["QAT"], role=DT.mediatedBy, url="https://example.org/1"),
                                _claim("e1", ["USA"], role=DT.announcedBy, url="https://example.org/2")])
    assert _ties(store) == {}  # nobody is a party: nobody is tied
    party = _claim("e1", ["UKR"], url="https://example.org/3")
    writes.write_claims(store, [party])
    assert _ties(store) == {("QAT", "UKR"): (2, 2, 1, 0), ("UKR", "USA"): (2, 2, 1, 0)}
    assert_exact(store)
    writes.remove_claims(store, [party.iri])
    assert _ties(store) == {}
    assert_exact(store)


def test_writes_held_for_a_copy_are_settled_by_their_difference() -> None:
    store = open_store("memory:")
    load_paths(store, [DEMO])
    extra = _claim("e9", ["UKR", "TUR"], url="https://example.org/held")
    with writes.held(store) as block:
        writes.write_claims(store, [extra])
        writes.remove_claims(store, [extra.iri])
        writes.write_claims(store, [extra])
    assert summary.summary_state(store) == "current" and not block.unknown
    assert writes.settle(store, block) is False
    assert_exact(store)


def test_a_reader_of_a_stale_summary_gets_the_tables_computed_from_the_claims() -> None:
    store = open_store("memory:")
    load_paths(store, [DEMO])
    current = _ties(store), summary.participation_table(store)
    store.add_nquads(summary.STALE_NQUAD)
    reader = store.read_only_view()  # type: ignore[attr-defined]
    participations = summary.participation_table(reader)
    assert _ties(reader) == current[0] and summary.summary_state(store) == "stale"
    assert participations.events == current[1].events and participations.actors == current[1].actors
    for name in ("actor", "event", "role", "claims", "sources"):
        assert list(getattr(participations, name)) == list(getattr(current[1], name)), name


def test_rows_as_ntriples_text_equal_the_terms_serialised(demo_store: Store) -> None:
    query = "SELECT ?g ?s ?p ?o ?none WHERE { GRAPH ?g { ?s ?p ?o } OPTIONAL { ?s <http://ex/none> ?none } }"
    fast = demo_store.select_nt(query)
    assert len(fast) > 100 and fast == Store.select_nt(demo_store, query)


def test_an_update_rebinding_the_prefixes_still_marks_the_summary_stale(tmp_path: Path) -> None:
    """The stale mark follows the client's operations in one request: no PREFIX or BASE of theirs can move it."""
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    load_paths(store, [DEMO])
    assert summary.summary_state(store) == "current"
    claim, tie = term_nt(DTR["claim/from-update"]), f"<{DTR['state/TUR']}> <{DT.hasParty}> <{DTR['state/QAT']}>"
    writes.sparql_update(store, "PREFIX dt: <http://evil.example/> BASE <http://evil.example/> "
                         f"INSERT DATA {{ GRAPH {claim} {{ {tie} }} }}", refresh=False)
    assert summary.summary_state(store) == "stale"
    assert not store.query("ASK { GRAPH ?g { ?s <http://evil.example/stale> ?o } }").boolean
    writes.refresh(store)
    assert summary.summary_state(store) == "current" and maintained(store) == expected(store)
