"""The maintained summary: exact aggregates over the claims, in the named graph ``…/id/graph/summary``.

What every researcher would otherwise recompute from a million claims is kept
here, derived from the claim graphs and the provenance graph, and kept exact on
every write (see :mod:`detente.graph.writes`, the one write API):

``dt:FactSupport`` (one per distinct fact ``s p o`` asserted by claims)
    ``dt:factSubject``, ``dt:factPredicate``, ``dt:factObject``; ``dt:claimCount``,
    ``dt:sourceCount``, ``dt:publisherCount`` (distinct claims, sources and
    publishers asserting it); ``dt:firstSeen``, ``dt:lastSeen`` (earliest and
    latest ``dct:issued`` date of those sources).
``dt:Participation`` (one per event and actor: an actor–event edge)
    ``dt:event``, ``dt:actor``, ``dt:role`` (``"party"``, ``"mediator"``,
    ``"announcer"``: ``dt:hasParty``, ``dt:mediatedBy``, ``dt:announcedBy``);
    ``dt:claimCount``, ``dt:sourceCount``, ``dt:firstSeen``, ``dt:lastSeen``.
``dt:ActorTie`` (one per pair of actors linked through an event: an actor–actor edge)
    ``dt:tieBetween`` (both actors); ``dt:claimCount`` (the network's edge
    weight: distinct claims behind either actor's part in the events that link
    them), ``dt:sourceCount``, ``dt:eventCount`` (events linking them),
    ``dt:partyEventCount`` (events to which both are parties), ``dt:firstSeen``,
    ``dt:lastSeen``. Two actors are linked by an event when both are parties,
    or one mediates or announces it and the other is a party (as in
    :mod:`detente.graph.projections`).
each publisher (its IRI as subject)
    ``dt:publishedClaimCount``, ``dt:publishedSourceCount``, ``dt:firstSeen``, ``dt:lastSeen``.
the summary graph itself
    ``dt:summaryVersion`` once built; ``dt:stale true`` while data changed and
    the summary was not yet brought up to date.

Definitions: a claim is a graph typed ``dt:Claim`` in the provenance graph; its
sources, their publishers and dates are read from the provenance graph. Facts
are the triples of claim graphs, except that facts, events and actors that are
blank nodes are left out: a blank node cannot be named from one request to the
next, so no refresh could find it.

Maintenance is done by the engine, set-wise. A write marks the summary stale
in the same transaction as the data. The keys the touched claims affect
(facts, event–actor pairs, actor pairs, publishers) are read by one query,
before a removal or after an addition; then, kind by kind, one update deletes
the summary nodes of those keys and recomputes them by aggregate queries
restricted to them (the keys travel as ``VALUES`` tables, which is also what
lets Oxigraph's planner start from them); the stale mark is cleared last. A
bulk import instead rebuilds everything by aggregate queries once at the end,
in bounded transactions. A summary left stale (a crash between the data write
and the refresh) is rebuilt by :func:`ensure_summary` before it is read.

>>> from detente.graph.store import open_store
>>> store = open_store("memory:")
>>> summary_state(store)
'missing'
>>> rebuild(store).facts
0
>>> summary_state(store)
'current'
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef

from detente.graph.store import Store
from detente.graph.terms import Term, term_nt
from detente.ontology.vocab import DT, PROVENANCE_GRAPH, SUMMARY_GRAPH

if TYPE_CHECKING:
    from detente.graph.arrays import ParticipationTable, TieTable

#: Bumped when the summary's shape changes: a summary of another version is rebuilt.
SUMMARY_VERSION = "1"

#: The ontology's properties that only the summary graph uses (no entity or claim has them in the data).
SUMMARY_PROPERTIES: frozenset[URIRef] = frozenset(DT[name] for name in (
    "factSubject", "factPredicate", "factObject", "event", "actor", "tieBetween", "role", "claimCount",
    "sourceCount", "publisherCount", "eventCount", "partyEventCount", "firstSeen", "lastSeen",
    "publishedClaimCount", "publishedSourceCount", "summaryVersion", "stale"))

#: Claim statements per transaction when the summary is rebuilt (each fact becomes about nine quads).
REBUILD_CHUNK = 100_000
#: Keys per update when a refresh recomputes them.
KEY_BATCH = 2000

_S = term_nt(SUMMARY_GRAPH)
_P = term_nt(PROVENANCE_GRAPH)
_ROLES = "dt:hasParty, dt:mediatedBy, dt:announcedBy"
_ROLE_NAMES = {DT.hasParty: "party", DT.mediatedBy: "mediator", DT.announcedBy: "announcer"}

#: The N-Quads line that marks the summary stale: written with the data, in its transaction.
STALE_NQUAD = f"{_S} <{DT.stale}> \"true\"^^<http://www.w3.org/2001/XMLSchema#boolean> {_S} .\n"
#: The same mark as an update operation, run in the request that changes the data.
STALE_UPDATE = f"INSERT DATA {{ GRAPH {_S} {{ {_S} dt:stale true }} }}"
_MARK_CURRENT = (f"DELETE WHERE {{ GRAPH {_S} {{ {_S} ?status ?value }} }} ;\n"
                 f"INSERT DATA {{ GRAPH {_S} {{ {_S} a dt:SummaryGraph ; dt:summaryVersion \"{SUMMARY_VERSION}\" }} }}")

# -- the aggregates, one per kind of node ---------------------------------------------
# Each starts from its keys: a VALUES table (bound by the caller) or, in a rebuild, a
# partition of the claim statements. Patterns are separate quad patterns and nested
# OPTIONALs of one quad each, so that Oxigraph joins them by lookups from the keys.

_CLAIM = f"FILTER EXISTS {{ GRAPH {_P} {{ ?c a dt:Claim }} }}"
_SOURCES = (f"OPTIONAL {{ GRAPH {_P} {{ ?c prov:wasDerivedFrom ?src "
            "OPTIONAL { ?src dct:publisher ?pub } OPTIONAL { ?src dct:issued ?d } } }")

_FACT_NODES = f"""INSERT {{ GRAPH {_S} {{ _:n a dt:FactSupport ; dt:factSubject ?s ; dt:factPredicate ?p ; dt:factObject ?o ;
  dt:claimCount ?claims ; dt:sourceCount ?sources ; dt:publisherCount ?publishers ; dt:firstSeen ?first ; dt:lastSeen ?last }} }}
WHERE {{ {{ SELECT ?s ?p ?o (COUNT(DISTINCT ?c) AS ?claims) (COUNT(DISTINCT ?src) AS ?sources)
    (COUNT(DISTINCT ?pub) AS ?publishers) (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {{
  GRAPH ?c {{ ?s ?p ?o }} FILTER(!isBlank(?s) && !isBlank(?o)) {_CLAIM} {_SOURCES}
}} GROUP BY ?s ?p ?o }} }}"""
_FACT_DELETE = f"""DELETE {{ GRAPH {_S} {{ ?n ?x ?y }} }} WHERE {{
  GRAPH {_S} {{ ?n dt:factSubject ?s . ?n dt:factPredicate ?p . ?n dt:factObject ?o . ?n ?x ?y }} }}"""

_PARTICIPATION_NODES = f"""INSERT {{ GRAPH {_S} {{ _:n a dt:Participation ; dt:event ?e ; dt:actor ?a ;
  dt:role ?party, ?mediator, ?announcer ; dt:claimCount ?claims ; dt:sourceCount ?sources ;
  dt:firstSeen ?first ; dt:lastSeen ?last }} }}
WHERE {{ {{ SELECT ?e ?a (COUNT(DISTINCT ?c) AS ?claims) (COUNT(DISTINCT ?src) AS ?sources) (MIN(?d) AS ?first)
    (MAX(?d) AS ?last) (MAX(?r = dt:hasParty) AS ?isParty) (MAX(?r = dt:mediatedBy) AS ?isMediator)
    (MAX(?r = dt:announcedBy) AS ?isAnnouncer) WHERE {{
  GRAPH ?c {{ ?e ?r ?a }} FILTER(?r IN ({_ROLES}) && isIRI(?e) && isIRI(?a)) {_CLAIM} {_SOURCES}
}} GROUP BY ?e ?a }}
  BIND(IF(?isParty, "party", ?none) AS ?party) BIND(IF(?isMediator, "mediator", ?none) AS ?mediator)
  BIND(IF(?isAnnouncer, "announcer", ?none) AS ?announcer) }}"""
_PARTICIPATION_DELETE = f"""DELETE {{ GRAPH {_S} {{ ?n ?x ?y }} }} WHERE {{
  GRAPH {_S} {{ ?n dt:event ?e . ?n dt:actor ?a . ?n ?x ?y }} }}"""

# Ties. Role facts (event, role, actor) are found in the facts view (only an index here) and kept
# when a claim asserts them; each pair of role facts at one event that links two actors (one of
# them a party) is a combination; a tie's claims are each actor's claims for its combinations.
# A refresh recomputes every tie between two actors of its key set (?k, a table): a tie's counts
# need all its events, so the keys are actors, and both ends must be among them.
# (Not FILTER EXISTS over two patterns: Oxigraph plans an EXISTS without the outer bindings.)
_ROLE_FACTS = (f"{{ SELECT DISTINCT ?e ?{{r}} ?{{x}} WHERE {{ {{keys}} VALUES ?{{r}} {{ {_ROLES.replace(',', '')} }} "
               f"?e ?{{r}} ?{{x}} FILTER(isIRI(?e) && isIRI(?{{x}})) GRAPH ?cx {{ ?e ?{{r}} ?{{x}} }} "
               f"FILTER EXISTS {{ GRAPH {_P} {{ ?cx a dt:Claim }} }} }} }}")
_ACTOR_KEYS = "{{ SELECT ?{x} WHERE {{ BIND(?k AS ?{x}) }} }}"


def _role_facts(role: str, actor: str, keyed: bool) -> str:
    keys = _ACTOR_KEYS.format(x=actor) if keyed else ""
    return _ROLE_FACTS.replace("{r}", role).replace("{x}", actor).replace("{keys}", keys)


def _tie_nodes(keyed: bool) -> str:
    return f"""INSERT {{ GRAPH {_S} {{ _:n a dt:ActorTie ; dt:tieBetween ?lo, ?hi ; dt:claimCount ?claims ;
  dt:sourceCount ?sources ; dt:eventCount ?events ; dt:partyEventCount ?partyEvents ; dt:firstSeen ?first ;
  dt:lastSeen ?last }} }}
WHERE {{ {{ SELECT ?lo ?hi (COUNT(DISTINCT ?c) AS ?claims) (COUNT(DISTINCT ?src) AS ?sources)
    (COUNT(DISTINCT ?e) AS ?events) (COUNT(DISTINCT ?pe) AS ?partyEvents) (MIN(?d) AS ?first) (MAX(?d) AS ?last)
  WHERE {{
    {{ SELECT DISTINCT ?lo ?hi ?e ?ra ?a ?pe WHERE {{
        {_role_facts("ra", "a", keyed)}
        {_role_facts("rb", "b", keyed)}
        FILTER(?a != ?b && (?ra = dt:hasParty || ?rb = dt:hasParty))
        BIND(IF(STR(?a) < STR(?b), ?a, ?b) AS ?lo) BIND(IF(STR(?a) < STR(?b), ?b, ?a) AS ?hi)
        BIND(IF(?ra = dt:hasParty && ?rb = dt:hasParty, ?e, ?none) AS ?pe) }} }}
    GRAPH ?c {{ ?e ?ra ?a }} {_CLAIM} {_SOURCES}
  }} GROUP BY ?lo ?hi }} }}"""


_TIE_NODES = _tie_nodes(keyed=False)
_TIE_NODES_KEYED = _tie_nodes(keyed=True)
_TIE_DELETE = f"""DELETE {{ GRAPH {_S} {{ ?n ?x ?y }} }} WHERE {{
  GRAPH {_S} {{ ?n dt:tieBetween ?k . ?n dt:tieBetween ?other . ?n ?x ?y }} FILTER(?other != ?k)
  {_ACTOR_KEYS.format(x="other").replace("{{", "{").replace("}}", "}")} }}"""

_PUBLISHER_COUNTS = f"""INSERT {{ GRAPH {_S} {{ ?pub dt:publishedClaimCount ?claims ; dt:publishedSourceCount ?sources ;
  dt:firstSeen ?first ; dt:lastSeen ?last }} }}
WHERE {{ {{ SELECT ?pub (COUNT(DISTINCT ?c) AS ?claims) (COUNT(DISTINCT ?src) AS ?sources) (MIN(?d) AS ?first)
    (MAX(?d) AS ?last) WHERE {{
  GRAPH {_P} {{ ?src dct:publisher ?pub }} GRAPH {_P} {{ ?c prov:wasDerivedFrom ?src }} {_CLAIM}
  OPTIONAL {{ GRAPH {_P} {{ ?src dct:issued ?d }} }}
}} GROUP BY ?pub }} }}"""
_PUBLISHER_DELETE = f"""DELETE {{ GRAPH {_S} {{ ?pub ?x ?y }} }} WHERE {{
  GRAPH {_S} {{ ?pub dt:publishedClaimCount ?n . ?pub ?x ?y }} }}"""

# -- keys of a refresh ----------------------------------------------------------------------

# Claims touched by a write, and those sharing a source with them: a source written again may
# have changed (a publisher or a date added), which changes its other claims' counts.
_TOUCHED_CLAIMS = f"""SELECT DISTINCT ?c WHERE {{
  {{ SELECT ?c WHERE {{ BIND(?touched AS ?c) }} }} UNION
  {{ SELECT ?c WHERE {{ GRAPH {_P} {{ ?touched prov:wasDerivedFrom ?shared }} GRAPH {_P} {{ ?c prov:wasDerivedFrom ?shared }} }} }} }}"""
_TOUCHED_FACTS = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?c { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) }"
_TOUCHED_PUBLISHERS = f"SELECT DISTINCT ?pub WHERE {{ GRAPH {_P} {{ ?c prov:wasDerivedFrom ?src }} GRAPH {_P} {{ ?src dct:publisher ?pub }} }}"
# Everyone with a role (asserted by a claim) at these events: the other ends of touched ties.
_ROLES_AT = f"""SELECT DISTINCT ?e ?rb ?b WHERE {{ GRAPH ?cb {{ ?e ?rb ?b }} FILTER(?rb IN ({_ROLES}) && isIRI(?b))
  FILTER EXISTS {{ GRAPH {_P} {{ ?cb a dt:Claim }} }} }}"""


@dataclass
class Keys:
    """What a write affects in the summary: the keys to recompute."""

    facts: set[tuple[Term, Term, Term]] = field(default_factory=set)
    participations: set[tuple[Term, Term]] = field(default_factory=set)
    tie_actors: set[Term] = field(default_factory=set)  # every tie between two of them is recomputed
    publishers: set[Term] = field(default_factory=set)

    def update(self, other: "Keys") -> None:
        self.facts |= other.facts
        self.participations |= other.participations
        self.tie_actors |= other.tie_actors
        self.publishers |= other.publishers

    def __len__(self) -> int:
        return len(self.facts) + len(self.participations) + len(self.tie_actors) + len(self.publishers)


def affected_keys(store: Store, claims: Iterable[URIRef], *, batch: int = KEY_BATCH) -> Keys:
    """The summary keys that depend on these claims (read now: before a removal, after an addition)."""
    keys = Keys()
    wanted = list(dict.fromkeys(claims))
    for start in range(0, len(wanted), batch):
        touched = [row[0] for row in store.query(_TOUCHED_CLAIMS, bindings=[
            {"touched": c} for c in wanted[start:start + batch]]).rows]
        if not touched:
            continue
        table = [{"c": c} for c in touched]
        keys.facts.update((s, p, o) for s, p, o in store.query(_TOUCHED_FACTS, bindings=table).rows)  # type: ignore[misc]
        keys.publishers.update(row[0] for row in store.query(_TOUCHED_PUBLISHERS, bindings=table).rows)  # type: ignore[misc]
    roles = [(s, p, o) for s, p, o in keys.facts if p in _ROLE_NAMES and isinstance(o, URIRef) and isinstance(s, URIRef)]
    keys.participations = {(e, a) for e, _r, a in roles}
    events = sorted({e for e, _r, _a in roles}, key=str)
    at: dict[Term, list[tuple[Term, Term]]] = {}
    for start in range(0, len(events), batch):
        for e, rb, b in store.query(_ROLES_AT, bindings=[{"e": e} for e in events[start:start + batch]]).rows:
            at.setdefault(e, []).append((rb, b))  # type: ignore[arg-type]
    for e, ra, a in roles:
        for rb, b in at.get(e, []):
            if a != b and (ra == DT.hasParty or rb == DT.hasParty):
                keys.tie_actors.update((a, b))
    return keys


def refresh_keys(store: Store, keys: Keys, *, batch: int = KEY_BATCH,
                 timings: dict[str, float] | None = None) -> None:
    """Delete and recompute the summary nodes of ``keys`` (one update per kind and batch), then clear the stale mark.

    ``timings``, when given, receives the seconds spent on each kind (for benchmarks).
    """
    for kind, delete, insert, names, rows in (
            ("facts", _FACT_DELETE, _FACT_NODES, ("s", "p", "o"), sorted(keys.facts, key=str)),
            ("participations", _PARTICIPATION_DELETE, _PARTICIPATION_NODES, ("e", "a"),
             sorted(keys.participations, key=str)),
            ("ties", _TIE_DELETE, _TIE_NODES_KEYED, ("k",), sorted(keys.tie_actors, key=str)),
            ("publishers", _PUBLISHER_DELETE, _PUBLISHER_COUNTS, ("pub",), sorted(keys.publishers, key=str))):
        began = time.perf_counter()
        size = max(1, len(rows)) if kind == "ties" else batch  # ties: both ends in one key set
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            table = [dict(zip(names, row if isinstance(row, tuple) else (row,))) for row in chunk]
            store.update(delete + " ;\n" + insert, bindings=table)
        if timings is not None:
            timings[kind] = round(time.perf_counter() - began, 3)
    store.update(_MARK_CURRENT)


def refresh_claims(store: Store, claims: Sequence[URIRef]) -> None:
    """Bring the summary up to date after ``claims`` were written: set-wise, their keys only.

    Only valid when the summary was current before the write (else :func:`rebuild`).
    """
    refresh_keys(store, affected_keys(store, claims))


# -- state ------------------------------------------------------------------------

_STATE = f"""SELECT ?version ?stale WHERE {{
  OPTIONAL {{ GRAPH {_S} {{ {_S} dt:summaryVersion ?version }} }}
  OPTIONAL {{ GRAPH {_S} {{ {_S} dt:stale ?stale }} }} }}"""


def summary_state(store: Store) -> str:
    """``"current"``, ``"stale"`` (data changed since), or ``"missing"`` (never built, or another version)."""
    rows = store.query(_STATE).rows
    versions = {str(r[0]) for r in rows if r[0] is not None}
    if any(r[1] is not None for r in rows):
        return "stale"
    return "current" if versions == {SUMMARY_VERSION} else "missing"


def mark_stale(store: Store) -> None:
    """Mark the summary stale (its own transaction; writes carry the mark in theirs)."""
    store.update(STALE_UPDATE)


def ensure_summary(store: Store) -> bool:
    """Rebuild a stale or missing summary when the store is writable; True when it is current now."""
    if not store.maintains_summary:
        return False
    if summary_state(store) == "current":
        return True
    if store.read_only:
        return False
    rebuild(store)
    return True


# -- rebuilding ----------------------------------------------------------------------

@dataclass
class RebuildReport:
    """What a rebuild wrote, and in how many transactions."""

    facts: int
    participations: int
    ties: int
    publishers: int
    transactions: int


_CLAIM_FACTS = f"GRAPH {_P} {{ ?c a dt:Claim }} GRAPH ?c {{ ?s ?p ?o }}"
_PREDICATE_SIZES = f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {_CLAIM_FACTS} }} GROUP BY ?p"
_OBJECT_SIZES = f"SELECT ?p ?o (COUNT(*) AS ?n) WHERE {{ {_CLAIM_FACTS} }} GROUP BY ?p ?o"
_COUNT_NODES = f"SELECT ?t (COUNT(?n) AS ?count) WHERE {{ GRAPH {_S} {{ ?n a ?t }} }} GROUP BY ?t"
_COUNT_PUBLISHERS = f"SELECT (COUNT(?p) AS ?n) WHERE {{ GRAPH {_S} {{ ?p dt:publishedClaimCount ?c }} }}"
#: A predicate is split by object only when it has at most this many distinct objects.
_MAX_SPLIT = 20_000


def _partitions(store: Store, size: int) -> tuple[list[list[dict[str, Term]]], list[list[dict[str, Term]]]]:
    """Claim statements as (predicate[, object]) partitions of about ``size``, and actor groups for participations.

    Sizes come from the claim graphs themselves, so no fact is missed.
    """
    facts: list[list[dict[str, Term]]] = [[]]
    actors: list[list[dict[str, Term]]] = [[]]
    filled = {"facts": 0, "actors": 0}

    def add(parts: list[list[dict[str, Term]]], name: str, binding: dict[str, Term], count: int) -> None:
        if filled[name] and filled[name] + count > size:
            parts.append([])
            filled[name] = 0
        parts[-1].append(binding)
        filled[name] += count

    whole_roles = False
    by_actor: dict[Term, int] = {}
    for p, n in store.query(_PREDICATE_SIZES).rows:
        count = int(n)  # type: ignore[arg-type]
        role = p in _ROLE_NAMES
        rows = store.query(_OBJECT_SIZES, bindings={"p": p}).rows if count > size or role else []  # type: ignore[dict-item]
        if rows and len(rows) <= _MAX_SPLIT:
            for _p, o, m in rows:
                add(facts, "facts", {"p": p, "o": o}, int(m))  # type: ignore[dict-item,arg-type]
                if role and isinstance(o, URIRef):
                    by_actor[o] = by_actor.get(o, 0) + int(m)  # type: ignore[arg-type]
        else:
            add(facts, "facts", {"p": p}, count)  # type: ignore[dict-item]
            whole_roles = whole_roles or role
    if whole_roles:
        actors = [[]]  # too many actors to split: participations in one transaction
    else:
        for actor, count in by_actor.items():  # each actor in one group: all its roles together
            add(actors, "actors", {"a": actor}, count)
    return [f for f in facts if f], actors


def rebuild(store: Store, *, chunk: int = REBUILD_CHUNK,
            progress: Callable[[int, int], None] | None = None) -> RebuildReport:
    """Recompute the whole summary by aggregate queries, in transactions of about ``chunk`` claim statements.

    The stale mark is set first and cleared last, so an interrupted rebuild
    is redone: crash-safe without one huge transaction.
    """
    store.update(f"DROP SILENT GRAPH {_S} ;\n{STALE_UPDATE}")
    facts, actors = _partitions(store, chunk)
    steps = len(facts) + len(actors) + 2
    done = 0

    def step(update: str, bindings: list[dict[str, Term]] | None = None) -> None:
        nonlocal done
        store.update(update, bindings=bindings or None)
        done += 1
        if progress:
            progress(done, steps)

    # Facts by predicate (and object) partitions: the aggregate restricted by a VALUES table.
    for part in facts:
        step(_FACT_NODES, part)
    for group in actors:
        step(_PARTICIPATION_NODES, group)
    step(_TIE_NODES)
    step(_PUBLISHER_COUNTS + " ;\n" + _MARK_CURRENT)
    counts = {str(t): int(n) for t, n in store.query(_COUNT_NODES).rows}  # type: ignore[arg-type]
    publishers = store.query(_COUNT_PUBLISHERS).rows
    return RebuildReport(counts.get(str(DT.FactSupport), 0), counts.get(str(DT.Participation), 0),
                         counts.get(str(DT.ActorTie), 0), int(publishers[0][0]) if publishers else 0,  # type: ignore[arg-type]
                         steps + 1)


# -- reading -------------------------------------------------------------------------

_TOP_PAIRS = f"""SELECT ?a ?b ?n WHERE {{ GRAPH {_S} {{ ?t dt:tieBetween ?a, ?b ; dt:partyEventCount ?n }}
  FILTER(STR(?a) < STR(?b) && ?n > 0) }} ORDER BY DESC(?n) ?a ?b LIMIT %d"""
_TOP_PAIRS_RAW = """SELECT ?a ?b (COUNT(?e) AS ?n) WHERE { ?e dt:hasParty ?a, ?b FILTER(STR(?a) < STR(?b)) }
GROUP BY ?a ?b ORDER BY DESC(?n) ?a ?b LIMIT %d"""
_PER_PUBLISHER = f"""SELECT ?publisher ?n WHERE {{ GRAPH {_S} {{ ?publisher dt:publishedClaimCount ?n }} }}
ORDER BY DESC(?n) ?publisher LIMIT %d"""
_PER_PUBLISHER_RAW = """SELECT ?publisher (COUNT(?c) AS ?n) WHERE { ?c prov:wasDerivedFrom/dct:publisher ?publisher }
GROUP BY ?publisher ORDER BY DESC(?n) ?publisher LIMIT %d"""

#: The researchers' heavy aggregates, from the summary and as raw SPARQL over the claims.
AGGREGATES: dict[str, tuple[str, str]] = {
    "party_pairs": (_TOP_PAIRS, _TOP_PAIRS_RAW),
    "claims_per_publisher": (_PER_PUBLISHER, _PER_PUBLISHER_RAW),
}


def aggregate(store: Store, name: str, limit: int = 20) -> list[tuple[Term | None, ...]]:
    """One of :data:`AGGREGATES`, the top ``limit`` rows, from the summary.

    A summary that is not current is rebuilt first; on a read-only store the
    same answer comes from the raw SPARQL over the claims instead.
    """
    from_summary, raw = AGGREGATES[name]
    if not ensure_summary(store):
        return _ints(store.query(raw % int(limit)).rows)
    return _ints(store.query(from_summary % int(limit)).rows)


def _ints(rows: list[tuple[Term | None, ...]]) -> list[tuple[Term | None, ...]]:
    return [tuple(int(v) if isinstance(v, Literal) else v for v in row) for row in rows]  # type: ignore[arg-type]


def top_party_pairs(store: Store, limit: int = 20) -> list[tuple[URIRef, URIRef, int]]:
    """Pairs of actors that are parties to the same events, most shared events first."""
    return aggregate(store, "party_pairs", limit)  # type: ignore[return-value]


def claims_per_publisher(store: Store, limit: int = 20) -> list[tuple[URIRef, int]]:
    """Publishers by the number of claims from their sources, most first."""
    return aggregate(store, "claims_per_publisher", limit)  # type: ignore[return-value]


# -- integer-indexed tables for network analysis ------------------------------------------
# NETWORK BRANCH STAND-IN: the summary branch owns these two readers (the summary's shape is
# theirs); at merge, take their bodies. Network analysis reads ties and participations only here.

_ACTORS = f"SELECT DISTINCT ?a WHERE {{ GRAPH {_S} {{ ?n dt:actor ?a }} }}"
_TIES = f"""SELECT ?a ?b ?claims ?sources ?events ?partyEvents WHERE {{ GRAPH {_S} {{
  ?t dt:tieBetween ?a, ?b ; dt:claimCount ?claims ; dt:sourceCount ?sources ; dt:eventCount ?events ;
     dt:partyEventCount ?partyEvents }} FILTER(STR(?a) < STR(?b)) }}"""
_PARTICIPATIONS = f"""SELECT ?e ?a ?claims ?sources
    (SUM(IF(?role = "party", 1, IF(?role = "mediator", 2, 4))) AS ?roles) WHERE {{ GRAPH {_S} {{
  ?n dt:event ?e ; dt:actor ?a ; dt:claimCount ?claims ; dt:sourceCount ?sources ; dt:role ?role }} }}
GROUP BY ?n ?e ?a ?claims ?sources"""


def tie_table(store: Store) -> "TieTable":
    """The summary's actor ties as integer-indexed arrays (the summary must be current: :func:`ensure_summary`).

    Its actors are every actor with a part in some event (the actor network's nodes), tied or not.

    >>> from detente.graph.store import open_store
    >>> len(tie_table(open_store("memory:")))
    0
    """
    from detente.graph.arrays import TieTable
    from detente.graph.store import select_rows

    actors = [row[0] for row in select_rows(store, _ACTORS) if isinstance(row[0], URIRef)]
    ties = [(a, b, int(c), int(s), int(e), int(pe))  # type: ignore[arg-type]
            for a, b, c, s, e, pe in select_rows(store, _TIES)]
    return TieTable.from_rows(actors, ties)  # type: ignore[arg-type]


def participation_table(store: Store) -> "ParticipationTable":
    """The summary's actor–event participations as integer-indexed arrays (roles as bits of ``ROLE_BITS``).

    >>> from detente.graph.store import open_store
    >>> len(participation_table(open_store("memory:")))
    0
    """
    from detente.graph.arrays import ParticipationTable
    from detente.graph.store import select_rows

    rows = [(e, a, int(r), int(c), int(s))  # type: ignore[arg-type]
            for e, a, c, s, r in select_rows(store, _PARTICIPATIONS)]
    return ParticipationTable.from_rows(rows)  # type: ignore[arg-type]
