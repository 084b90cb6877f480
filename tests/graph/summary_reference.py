"""The summary recomputed from scratch in Python, the reference the maintained summary must equal.

Reads the claims (graphs typed ``dt:Claim`` in the provenance graph), their
statements, sources, publishers and dates with plain queries, aggregates them
here, independently of the SPARQL in :mod:`detente.graph.summary`, and reads
the maintained summary back into the same shape.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import BNode, Literal, URIRef

from detente.graph.store import Store
from detente.ontology.vocab import DT, PROVENANCE_GRAPH, SUMMARY_GRAPH

P, S = f"<{PROVENANCE_GRAPH}>", f"<{SUMMARY_GRAPH}>"
ROLES = {DT.hasParty: "party", DT.mediatedBy: "mediator", DT.announcedBy: "announcer"}


def _span(dates: set[str]) -> tuple[str | None, str | None]:
    return (min(dates), max(dates)) if dates else (None, None)


def expected(store: Store) -> dict[str, Any]:
    """Facts (role facts among them: the actor–event edges), ties and publishers as the summary must hold them."""
    claims = {r[0] for r in store.query(f"SELECT ?c WHERE {{ GRAPH {P} {{ ?c a dt:Claim }} }}").rows}
    statements = store.query(
        f"SELECT ?c ?s ?p ?o WHERE {{ GRAPH {P} {{ ?c a dt:Claim }} GRAPH ?c {{ ?s ?p ?o }} }}").rows
    sources: dict[Any, set[Any]] = defaultdict(set)
    for c, src in store.query(
            f"SELECT ?c ?src WHERE {{ GRAPH {P} {{ ?c a dt:Claim ; prov:wasDerivedFrom ?src }} }}").rows:
        sources[c].add(src)
    publishers: dict[Any, set[Any]] = defaultdict(set)
    for src, pub in store.query(f"SELECT ?src ?pub WHERE {{ GRAPH {P} {{ ?src dct:publisher ?pub }} }}").rows:
        publishers[src].add(pub)
    dates: dict[Any, set[str]] = defaultdict(set)
    for src, d in store.query(f"SELECT ?src ?d WHERE {{ GRAPH {P} {{ ?src dct:issued ?d }} }}").rows:
        dates[src].add(str(d))

    def support(claim_set: set[Any]) -> tuple[int, int, int, str | None, str | None]:
        srcs = {s for c in claim_set for s in sources[c]}
        pubs = {p for s in srcs for p in publishers[s]}
        first, last = _span({d for s in srcs for d in dates[s]})
        return len(claim_set), len(srcs), len(pubs), first, last

    fact_claims: dict[tuple, set[Any]] = defaultdict(set)
    for c, s, p, o in statements:
        if not isinstance(s, BNode) and not isinstance(o, BNode):  # blank nodes are left out
            fact_claims[(s, p, o)].add(c)
    facts = {key: support(cs) for key, cs in fact_claims.items()}

    role_claims: dict[tuple, set[Any]] = defaultdict(set)  # (event, role, actor) -> claims
    for (s, p, o), cs in fact_claims.items():
        if p in ROLES and isinstance(o, URIRef) and isinstance(s, URIRef):
            role_claims[(s, p, o)] |= cs

    by_event: dict[Any, list[tuple]] = defaultdict(list)
    for (e, r, a) in role_claims:
        by_event[e].append((r, a))
    tie: dict[tuple, dict[str, set]] = {}
    for e, roles in by_event.items():
        for ra, a in roles:
            for rb, b in roles:
                if a == b or not (ra == DT.hasParty or rb == DT.hasParty):
                    continue
                key = (a, b) if str(a) < str(b) else (b, a)
                entry = tie.setdefault(key, {"claims": set(), "events": set(), "party": set()})
                entry["claims"] |= role_claims[(e, ra, a)]
                entry["events"].add(e)
                if ra == DT.hasParty and rb == DT.hasParty:
                    entry["party"].add(e)
    ties = {}
    for key, v in tie.items():
        n, srcs, _pubs, _first, _last = support(v["claims"])
        ties[key] = (n, srcs, len(v["events"]), len(v["party"]))

    pub_claims: dict[Any, set[Any]] = defaultdict(set)
    for c in claims:
        for src in sources[c]:
            for pub in publishers[src]:
                pub_claims[pub].add(c)
    per_publisher = {}
    for pub, cs in pub_claims.items():
        srcs = {s for c in cs for s in sources[c] if pub in publishers[s]}
        per_publisher[pub] = (len(cs), len(srcs))
    return {"facts": facts, "ties": ties, "publishers": per_publisher}


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def maintained(store: Store) -> dict[str, Any]:
    """The maintained summary graph, read into the shape of :func:`expected`.

    A fact record leaves out a source count equal to its claim count and a publisher count equal to its
    source count, and stands for one fact per object: the facts of one subject and predicate with the same
    counts and dates share exactly one record (checked here: a rebuild and a delta write the same records).
    """
    facts = {}
    records: dict[Any, set[tuple[Any, ...]]] = defaultdict(set)
    for f, s, p, o, n, sc, pc, first, last in store.query(f"""SELECT ?f ?s ?p ?o ?n ?sc ?pc ?first ?last WHERE {{
            GRAPH {S} {{ ?f dt:factSubject ?s ; dt:factPredicate ?p ; dt:factObject ?o ; dt:claimCount ?n
            OPTIONAL {{ ?f dt:sourceCount ?sc0 }} OPTIONAL {{ ?f dt:publisherCount ?pc0 }}
            OPTIONAL {{ ?f dt:firstSeen ?first }} OPTIONAL {{ ?f dt:lastSeen ?last }} }}
            BIND(COALESCE(?sc0, ?n) AS ?sc) BIND(COALESCE(?pc0, ?sc) AS ?pc) }}""").rows:
        assert (s, p, o) not in facts, f"two summary nodes for one fact {(s, p, o)}"
        facts[(s, p, o)] = (int(n), int(sc), int(pc), _opt(first), _opt(last))
        records[f].add((s, p, *facts[(s, p, o)]))
    assert all(len(shared) == 1 for shared in records.values()), "a fact record with two subjects, predicates or counts"
    supports = [next(iter(shared)) for shared in records.values()]
    assert len(set(supports)) == len(supports), "two fact records for one subject, predicate and support"
    ties = {}
    for a, b, n, sc, ec, pe in store.query(f"""SELECT ?a ?b ?n ?sc ?ec ?pe WHERE {{ GRAPH {S} {{
            ?t dt:tieBetween ?a, ?b ; dt:claimCount ?n ; dt:sourceCount ?sc ; dt:eventCount ?ec ;
            dt:partyEventCount ?pe }} FILTER(STR(?a) < STR(?b)) }}""").rows:
        assert (a, b) not in ties, f"two summary nodes for one tie {(a, b)}"
        ties[(a, b)] = (int(n), int(sc), int(ec), int(pe))
    publishers = {}
    for pub, n, sc in store.query(f"""SELECT ?pub ?n ?sc WHERE {{ GRAPH {S} {{
            ?pub dt:publishedClaimCount ?n ; dt:publishedSourceCount ?sc }} }}""").rows:
        publishers[pub] = (int(n), int(sc))
    # Nothing else lives in the summary graph: every subject is a fact or tie record, a publisher or the graph.
    stray = store.query(f"""SELECT ?x WHERE {{ GRAPH {S} {{ ?x ?p ?o }} FILTER(?x != {S})
        FILTER NOT EXISTS {{ GRAPH {S} {{ ?x dt:factSubject|dt:tieBetween|dt:publishedClaimCount ?y }} }} }}
        LIMIT 5""").rows
    assert not stray, f"unexpected subjects in the summary graph: {stray}"
    return {"facts": facts, "ties": ties, "publishers": publishers}


def as_literal_free(summary: dict[str, Any]) -> dict[str, Any]:
    """For readable assertion diffs: the same with terms as text."""
    def key(k: Any) -> Any:
        return tuple(str(x) if isinstance(x, (URIRef, Literal)) else x for x in k) if isinstance(k, tuple) else str(k)
    return {name: {key(k): v for k, v in table.items()} for name, table in summary.items()}


def served_view(store: Store) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A reader task (``pool.call``): the served version's summary state, its summary and the reference.

    Readers are forked from the test process, so this module is importable there when the test put
    ``tests/graph`` on ``sys.path`` before starting the server.
    """
    from detente.graph.summary import summary_state

    return summary_state(store), as_literal_free(maintained(store)), as_literal_free(expected(store))
