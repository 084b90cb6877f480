"""The maintained summary: exact aggregates over the claims, in the named graph ``…/id/graph/summary``.

What every researcher would otherwise recompute from a million claims is kept
here, derived from the claim graphs and the provenance graph, and kept exact on
every write (see :mod:`detente.graph.writes`, the one write API). Records are
blank nodes without a type (the graph's description says what they are: the
ontology's ``dt:SummaryRecord`` classes), with as few quads as the answers need:

fact support (the support of each distinct fact ``s p o`` asserted by claims)
    ``dt:factSubject``, ``dt:factPredicate``, ``dt:factObject``; ``dt:claimCount``
    (distinct claims asserting it); ``dt:sourceCount`` and ``dt:publisherCount``
    (distinct sources of those claims and their publishers) **only where they
    differ from the count before them** — no ``dt:sourceCount`` means as many
    sources as claims, no ``dt:publisherCount`` as many publishers as sources
    (read them with ``COALESCE``); ``dt:firstSeen``, ``dt:lastSeen`` (earliest
    and latest ``dct:issued`` of those sources, when they have one). Facts with
    the same subject and predicate and the same counts and dates share one
    record, which has one ``dt:factObject`` per fact (an event's parties,
    reported by the same claims, are one record): a record stands for every
    fact ``s p o`` with ``o`` among its objects, and every fact is in exactly
    one record. A star query ``?f dt:factSubject ?s ; dt:factPredicate ?p ;
    dt:factObject ?o ; dt:claimCount ?n`` has one row per fact; count facts
    with ``COUNT(*)``, not records.
    Role facts — ``e dt:hasParty a``, ``e dt:mediatedBy a``, ``e dt:announcedBy a`` —
    are the network's actor–event edges (:func:`participation_table`).
actor tie (one per pair of actors linked through an event: an actor–actor edge)
    ``dt:tieBetween`` (both actors); ``dt:claimCount`` (the network's edge
    weight: distinct claims behind either actor's part in the events that link
    them), ``dt:sourceCount`` (their distinct sources), ``dt:eventCount``
    (events linking them), ``dt:partyEventCount`` (events to which both are
    parties). Two actors are linked by an event when both are parties, or one
    mediates or announces it and the other is a party (as in
    :mod:`detente.graph.projections`).
each publisher (its IRI as subject)
    ``dt:publishedClaimCount``, ``dt:publishedSourceCount``.
the summary graph itself
    ``a dt:SummaryGraph``; ``dt:summaryVersion`` once built; ``dt:stale true``
    while data changed and the summary was not yet brought up to date.

Definitions: a claim is a graph typed ``dt:Claim`` in the provenance graph; its
sources, their publishers and dates are read from the provenance graph. Facts
are the triples of claim graphs, except that facts with a blank node subject
or object are left out (a blank node cannot be named from one request to the
next), and so are claim graphs named by blank nodes.

**Rebuilding** is one streaming pass in Python: the provenance graph's claims,
sources, publishers and dates, then the claims' statements in batches of
claims, counted in dicts (memory grows with the distinct facts, not the
quads), then written with the store's bulk path between a stale mark set first
and cleared last (an interrupted rebuild is redone).

**Keeping it exact** after a write that names its claims (adding or removing
claims): the write's neighbourhood is read before and after the write — the
events where its claims give roles, the claims with roles there, their
sources and those sources' claims, the write's sources and their claims —
and what each claim and source contributes to each tie and publisher is
compared: ties and publishers change by the difference (counts of distinct
claims and sources stay exact because a claim or source is counted in both
states or in neither); fact records of the facts the neighbourhood's claims
assert are recomputed from their claims. Nothing outside the neighbourhood is
read, however dense the network. A write whose effect is not known in advance
(SPARQL Update, raw RDF, a restore) marks the summary stale and rebuilds it.

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

import random
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from operator import is_not, ne
from typing import TYPE_CHECKING, Any, TypeVar, cast

from rdflib import BNode, Literal, URIRef

from detente.graph.store import Store
from detente.graph.terms import Term, term_nt
from detente.ontology.vocab import DT, PROVENANCE_GRAPH, SUMMARY_GRAPH

if TYPE_CHECKING:
    from detente.graph.arrays import ParticipationTable, TieTable

#: Bumped when the summary's shape changes: a summary of another version is rebuilt.
SUMMARY_VERSION = "3"

#: The ontology's properties that only the summary graph uses (no entity or claim has them in the data).
SUMMARY_PROPERTIES: frozenset[URIRef] = frozenset(DT[name] for name in (
    "factSubject", "factPredicate", "factObject", "event", "actor", "tieBetween", "role", "claimCount",
    "sourceCount", "publisherCount", "eventCount", "partyEventCount", "firstSeen", "lastSeen",
    "publishedClaimCount", "publishedSourceCount", "summaryVersion", "stale"))

#: Roles of actors in events, by their index in :class:`ParticipationTable` ``role`` arrays.
ROLES: tuple[str, ...] = ("party", "mediator", "announcer")
#: The role predicates, in the order of :data:`ROLES`.
ROLE_PREDICATES: tuple[URIRef, ...] = (DT.hasParty, DT.mediatedBy, DT.announcedBy)
_PARTY = 0

#: Claims whose statements are read per query when the summary is rebuilt.
REBUILD_CHUNK = 20_000
#: Summary records per bulk write when the summary is rebuilt.
WRITE_CHUNK = 200_000
#: Terms per VALUES table when a write's neighbourhood is read.
KEY_BATCH = 5000

_S = term_nt(SUMMARY_GRAPH)
_P = term_nt(PROVENANCE_GRAPH)
_XSD_INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"
_ROLE_VALUES = "VALUES ?r { " + " ".join(term_nt(p) for p in ROLE_PREDICATES) + " }"

_STALE_TRIPLE = f"{_S} <{DT.stale}> \"true\"^^<http://www.w3.org/2001/XMLSchema#boolean>"
#: The N-Quads line that marks the summary stale: written with the data, in its transaction.
STALE_NQUAD = f"{_STALE_TRIPLE} {_S} .\n"
#: The same mark as an update operation, run in the request that changes the data (after the client's own
#: operations: so in full IRIs, which no PREFIX or BASE of theirs can change).
STALE_UPDATE = f"INSERT DATA {{ GRAPH {_S} {{ {_STALE_TRIPLE} }} }}"
_MARK_CURRENT = (f"DELETE WHERE {{ GRAPH {_S} {{ {_S} ?status ?value }} }} ;\n"
                 f"INSERT DATA {{ GRAPH {_S} {{ {_S} a dt:SummaryGraph ; dt:summaryVersion \"{SUMMARY_VERSION}\" }} }}")

#: Set when a delta met a summary that disagreed with it (a count below zero): the summary was
#: rebuilt instead. Tests check it stays empty: a delta is exact or it is a bug.
DELTA_FALLBACKS: list[str] = []

T = TypeVar("T", bound=Hashable)
Pair = tuple[Any, Any]


# -- terms: one set of rules for N-Triples text (rebuild) and rdflib terms (deltas) ---------------

class _Codec:
    """How the aggregation reads one representation of terms: N-Triples text or rdflib terms."""

    def __init__(self, roles: Mapping[Any, int], is_iri: Callable[[Any], bool], is_blank: Callable[[Any], bool],
                 nt: Callable[[Any], str], text: Callable[[Any], str]) -> None:
        self.roles = dict(roles)  # role predicate → index in ROLES
        self.is_iri = is_iri
        self.is_blank = is_blank
        self.nt = nt  # the term in N-Triples
        self.text = text  # an IRI's text (pair order) or a date's lexical form (first/last)


def _lexical(nt: str) -> str:
    return nt[1:nt.rindex('"')] if nt.startswith('"') else nt[1:-1] if nt.startswith("<") else nt


_TEXT = _Codec({term_nt(p): i for i, p in enumerate(ROLE_PREDICATES)}, lambda t: t[0] == "<",
               lambda t: t[0] == "_", lambda t: t, _lexical)
_TERMS = _Codec({p: i for i, p in enumerate(ROLE_PREDICATES)}, lambda t: isinstance(t, URIRef),
                lambda t: isinstance(t, BNode), term_nt, str)


def _pair(a: T, b: T, codec: _Codec) -> tuple[T, T]:
    return (a, b) if codec.text(a) < codec.text(b) else (b, a)


def _event_links(roles: Iterable[tuple[int, T]], codec: _Codec) -> tuple[set[tuple[T, T]], set[tuple[T, T]]]:
    """The pairs of actors one event links (both parties, or a mediator/announcer and a party), and its party pairs."""
    parties = sorted({a for r, a in roles if r == _PARTY}, key=codec.text)
    party_pairs = {(a, b) for i, a in enumerate(parties) for b in parties[i + 1:]}
    linked = set(party_pairs)
    for r, m in roles:
        if r != _PARTY:
            linked.update(_pair(m, b, codec) for b in parties if b != m)
    return linked, party_pairs


def _contribution(claim_roles: Iterable[tuple[T, int, T]], roles_at: Mapping[T, Collection[tuple[int, T]]],
                  codec: _Codec) -> set[tuple[T, T]]:
    """The ties a claim counts for.

    Its role facts (event, role, actor), each tying the actor to the others at the event.
    """
    ties: set[tuple[T, T]] = set()
    for e, r, a in claim_roles:
        for rb, b in roles_at.get(e, ()):
            if b != a and (r == _PARTY or rb == _PARTY):
                ties.add(_pair(a, b, codec))
    return ties


Span = tuple[str, Any, str, Any]  # first date's sort key and term, last date's sort key and term


def _spans(source_dates: Mapping[Any, Collection[Any]], codec: _Codec) -> dict[Any, Span]:
    """Each source's earliest and latest date (by lexical form), found once."""
    spans: dict[Any, Span] = {}
    for src, dates in source_dates.items():
        keyed = sorted((codec.text(d), d) for d in dates)
        if keyed:
            spans[src] = (keyed[0][0], keyed[0][1], keyed[-1][0], keyed[-1][1])
    return spans


FactRecord = tuple[int, int, int, Any, Any]  # claims, sources, publishers, first seen, last seen


def _fact_support(claims: Iterable[Any], claim_sources: Mapping[Any, Collection[Any]],
                  source_publishers: Mapping[Any, Collection[Any]], source_spans: Mapping[Any, Span]) -> FactRecord:
    count = 0
    sources: set[Any] = set()
    for c in claims:
        count += 1
        sources.update(claim_sources.get(c, ()))
    publishers = {p for s in sources for p in source_publishers.get(s, ())}
    spans = [source_spans[s] for s in sources if s in source_spans]
    if not spans:
        return count, len(sources), len(publishers), None, None
    first = min(spans, key=lambda span: span[0])[1]
    last = max(spans, key=lambda span: span[2])[3]
    return count, len(sources), len(publishers), first, last


# -- writing records as N-Quads --------------------------------------------------------------

def _int(n: int) -> str:
    return f'"{n}"^^{_XSD_INTEGER}'


class _Labels:
    """Fresh blank node labels for records, unlikely to meet any other blank node of the store."""

    def __init__(self) -> None:
        self.base = random.getrandbits(120) | (1 << 120)
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"_:{self.base + self.n:x}"

    def take(self, count: int) -> list[str]:
        """The next ``count`` labels, as ``count`` calls would give them."""
        start = self.base + self.n + 1
        self.n += count
        return list(map("_:{:x}".format, range(start, start + count)))


_FS, _FP, _FO = (f"<{DT[n]}>" for n in ("factSubject", "factPredicate", "factObject"))
_CC, _SC, _PC, _EC, _PEC = (f"<{DT[n]}>" for n in ("claimCount", "sourceCount", "publisherCount", "eventCount",
                                                   "partyEventCount"))
_FIRST, _LAST, _TIE = (f"<{DT[n]}>" for n in ("firstSeen", "lastSeen", "tieBetween"))
_PUB_CLAIMS, _PUB_SOURCES = f"<{DT.publishedClaimCount}>", f"<{DT.publishedSourceCount}>"


def _fact_nquads(label: str, s: str, p: str, objects: Iterable[str], record: FactRecord) -> str:
    """One fact record: the facts ``s p o`` for each of ``objects``, which share their support ``record``."""
    claims, sources, publishers, first, last = record
    lines = [f"{label} {_FS} {s} {_S} .\n{label} {_FP} {p} {_S} .\n"]
    lines.extend(f"{label} {_FO} {o} {_S} .\n" for o in objects)
    lines.append(f"{label} {_CC} {_int(claims)} {_S} .\n")
    if sources != claims:
        lines.append(f"{label} {_SC} {_int(sources)} {_S} .\n")
    if publishers != sources:
        lines.append(f"{label} {_PC} {_int(publishers)} {_S} .\n")
    if first is not None:
        lines.append(f"{label} {_FIRST} {first} {_S} .\n{label} {_LAST} {last} {_S} .\n")
    return "".join(lines)


def _tie_nquads(label: str, a: str, b: str, counts: Sequence[int]) -> str:
    claims, sources, events, party_events = counts
    return (f"{label} {_TIE} {a} {_S} .\n{label} {_TIE} {b} {_S} .\n{label} {_CC} {_int(claims)} {_S} .\n"
            f"{label} {_SC} {_int(sources)} {_S} .\n{label} {_EC} {_int(events)} {_S} .\n"
            f"{label} {_PEC} {_int(party_events)} {_S} .\n")


def _publisher_nquads(pub: str, counts: Sequence[int]) -> str:
    return f"{pub} {_PUB_CLAIMS} {_int(counts[0])} {_S} .\n{pub} {_PUB_SOURCES} {_int(counts[1])} {_S} .\n"


# The same records a kind at a time (a fresh import's many records): the text is one join of its pieces (a
# line's subject, predicate, object and end), with no Python call per line or record; a record's lines are not
# next to each other in it, which says the same quads. tests/graph/test_summary_import.py compares them with
# the records above.

def _add_lines(pieces: list[str], subjects: Sequence[str], predicate: str, objects: Sequence[str] | Sequence[int],
               integer: bool = False) -> None:
    """Append the lines ``subject predicate object`` of the summary graph, an int object as an xsd:integer."""
    count = len(subjects)
    block = [f" {predicate} \"" if integer else f" {predicate} "] * (4 * count)
    block[0::4] = subjects
    block[2::4] = list(map(str, objects)) if integer else cast(Sequence[str], objects)
    block[3::4] = [f"\"^^{_XSD_INTEGER} {_S} .\n" if integer else f" {_S} .\n"] * count
    pieces += block


def _facts_nquads(labels: Sequence[str], subjects: Sequence[str], predicates: Sequence[str], objects: Sequence[str],
                  object_counts: Iterable[int], claims: Sequence[int], sources: Sequence[int],
                  publishers: Sequence[int], firsts: Sequence[str | None], lasts: Sequence[str | None]) -> str:
    """Fact records, as :func:`_fact_nquads` writes each: record ``i`` has ``object_counts[i]`` of ``objects``."""
    pieces: list[str] = []
    _add_lines(pieces, labels, _FS, subjects)
    _add_lines(pieces, labels, _FP, predicates)
    _add_lines(pieces, list(chain.from_iterable(map(repeat, labels, object_counts))), _FO, objects)
    _add_lines(pieces, labels, _CC, claims, integer=True)
    sourced = list(map(ne, sources, claims))
    _add_lines(pieces, list(compress(labels, sourced)), _SC, list(compress(sources, sourced)), integer=True)
    published = list(map(ne, publishers, sources))
    _add_lines(pieces, list(compress(labels, published)), _PC, list(compress(publishers, published)), integer=True)
    dated = list(map(is_not, firsts, repeat(None)))
    dated_labels = list(compress(labels, dated))
    _add_lines(pieces, dated_labels, _FIRST, cast(list[str], list(compress(firsts, dated))))
    _add_lines(pieces, dated_labels, _LAST, cast(list[str], list(compress(lasts, dated))))
    return "".join(pieces)


def _ties_nquads(labels: Sequence[str], actors_a: Sequence[str], actors_b: Sequence[str], claims: Sequence[int],
                 sources: Sequence[int], events: Sequence[int], party_events: Sequence[int]) -> str:
    """Tie records, as :func:`_tie_nquads` writes each."""
    pieces: list[str] = []
    _add_lines(pieces, labels, _TIE, actors_a)
    _add_lines(pieces, labels, _TIE, actors_b)
    _add_lines(pieces, labels, _CC, claims, integer=True)
    _add_lines(pieces, labels, _SC, sources, integer=True)
    _add_lines(pieces, labels, _EC, events, integer=True)
    _add_lines(pieces, labels, _PEC, party_events, integer=True)
    return "".join(pieces)


def _publishers_nquads(publishers: Sequence[str], claims: Sequence[int], sources: Sequence[int]) -> str:
    """Publisher records, as :func:`_publisher_nquads` writes each."""
    pieces: list[str] = []
    _add_lines(pieces, publishers, _PUB_CLAIMS, claims, integer=True)
    _add_lines(pieces, publishers, _PUB_SOURCES, sources, integer=True)
    return "".join(pieces)


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


# -- the whole summary from the claims, in one streaming pass ---------------------------------

_CLAIMS = f"SELECT ?c WHERE {{ GRAPH {_P} {{ ?c a dt:Claim }} }}"
_CLAIM_SOURCES = f"SELECT ?c ?src WHERE {{ GRAPH {_P} {{ ?c prov:wasDerivedFrom ?src }} }}"
_PUBLISHERS = f"SELECT ?src ?pub WHERE {{ GRAPH {_P} {{ ?src dct:publisher ?pub }} }}"
_DATES = f"SELECT ?src ?d WHERE {{ GRAPH {_P} {{ ?src dct:issued ?d }} }}"
_STATEMENTS = "SELECT ?c ?s ?p ?o WHERE { GRAPH ?c { ?s ?p ?o } }"


@dataclass
class Totals:
    """The summary's contents, computed from the claims (terms as N-Triples text)."""

    facts: dict[tuple[str, str, str], FactRecord] = field(default_factory=dict)
    ties: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # claims, sources, events, party events
    publishers: dict[str, list[int]] = field(default_factory=dict)  # claims, sources


def _bound(rows: Iterable[str]) -> list[dict[str, Term]]:
    return [{"c": URIRef(c[1:-1])} for c in rows]


def compute(store: Store, *, chunk: int = REBUILD_CHUNK, progress: Callable[[int, int], None] | None = None) -> Totals:
    """Every summary record, computed in Python from one streaming read of the claims.

    Memory grows with the distinct facts, sources and claims (a few dict
    entries each), not with the quads: statements are read ``chunk`` claims
    at a time (at most the store's ``max_bound_rows``).
    """
    codec = _TEXT
    claims = [row[0] for row in store.select_nt(_CLAIMS) if row[0] is not None and row[0][0] == "<"]
    source_publishers: dict[str, list[str]] = defaultdict(list)
    for src, pub in store.select_nt(_PUBLISHERS):
        source_publishers[src].append(pub)  # type: ignore[index,arg-type]
    source_dates: dict[str, list[str]] = defaultdict(list)
    for src, d in store.select_nt(_DATES):
        source_dates[src].append(d)  # type: ignore[index,arg-type]
    source_spans = _spans(source_dates, codec)
    del source_dates
    canon: dict[str, str] = {}  # one string object per distinct term
    claim_sources: dict[str, tuple[str, ...]] = {}
    fact_claims: dict[tuple[str, str, str], list[str]] = {}
    claim_roles: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    roles_at: dict[str, set[tuple[int, str]]] = defaultdict(set)
    roles = codec.roles
    chunk = min(chunk, store.max_bound_rows or chunk)
    steps = (len(claims) + chunk - 1) // chunk
    for step, start in enumerate(range(0, len(claims), chunk)):
        table = _bound(claims[start:start + chunk])
        found: dict[str, list[str]] = defaultdict(list)
        for c, src in store.select_nt(_CLAIM_SOURCES, bindings=table):
            found[c].append(canon.setdefault(src, src))  # type: ignore[index,arg-type]
        for c, srcs in found.items():
            claim_sources[c] = tuple(dict.fromkeys(srcs))
        for c, s, p, o in store.select_nt(_STATEMENTS, bindings=table):
            if s[0] == "_" or o[0] == "_":  # type: ignore[index]
                continue
            c = canon.setdefault(c, c)  # type: ignore[arg-type]
            key = (canon.setdefault(s, s), canon.setdefault(p, p), canon.setdefault(o, o))  # type: ignore[arg-type]
            listed = fact_claims.get(key)
            if listed is None:
                fact_claims[key] = [c]
            else:
                listed.append(c)
            role = roles.get(p)
            if role is not None and o[0] == "<":  # type: ignore[index]
                claim_roles[c].append((key[0], role, key[2]))
                roles_at[key[0]].add((role, key[2]))
        if progress:
            progress(step + 1, steps + 1)
    totals = Totals()
    for key, listed in fact_claims.items():
        totals.facts[key] = _fact_support(listed, claim_sources, source_publishers, source_spans)
    del fact_claims
    ties: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for at in roles_at.values():
        linked, party_pairs = _event_links(at, codec)
        for pair in linked:
            ties[pair][2] += 1
        for pair in party_pairs:
            ties[pair][3] += 1
    tie_sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    for c, listed_roles in claim_roles.items():
        for pair in _contribution(listed_roles, roles_at, codec):
            ties[pair][0] += 1
            tie_sources[pair].update(claim_sources.get(c, ()))
    for pair, pair_sources in tie_sources.items():
        ties[pair][1] = len(pair_sources)
    totals.ties = dict(ties)
    publishers: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    used_sources: set[str] = set()
    for c in claims:
        own_sources = claim_sources.get(c, ())
        used_sources.update(own_sources)
        for pub in {p for s in own_sources for p in source_publishers.get(s, ())}:
            publishers[pub][0] += 1
    for src in used_sources:
        for pub in set(source_publishers.get(src, ())):
            publishers[pub][1] += 1
    totals.publishers = dict(publishers)
    if progress:
        progress(steps + 1, steps + 1)
    return totals


@dataclass
class RebuildReport:
    """What a rebuild wrote, and in how many writes."""

    facts: int
    participations: int  # role facts: the actor–event edges
    ties: int
    publishers: int
    transactions: int


def _grouped(facts: Mapping[tuple[Any, Any, Any], FactRecord]) -> dict[tuple[Any, Any, FactRecord], list[Any]]:
    """Facts by subject, predicate and support: one fact record each, listing its objects."""
    groups: dict[tuple[Any, Any, FactRecord], list[Any]] = defaultdict(list)
    for (s, p, o), record in facts.items():
        groups[(s, p, record)].append(o)
    return groups


def _records(totals: Totals, labels: _Labels) -> Iterator[str]:
    for (s, p, record), objects in _grouped(totals.facts).items():
        yield _fact_nquads(labels(), s, p, objects, record)
    for (a, b), counts in totals.ties.items():
        yield _tie_nquads(labels(), a, b, counts)
    for pub, counts in totals.publishers.items():
        yield _publisher_nquads(pub, counts)


def rebuild(store: Store, *, chunk: int = WRITE_CHUNK,
            progress: Callable[[int, int], None] | None = None) -> RebuildReport:
    """Recompute the whole summary in one streaming pass and write it by the bulk path, ``chunk`` records a write.

    The stale mark is set first and cleared last, so an interrupted rebuild
    is redone: crash-safe without one huge transaction.
    """
    totals = compute(store, progress=progress)
    store.update(f"DROP SILENT GRAPH {_S} ;\n{STALE_UPDATE}")
    writes = 1
    batch: list[str] = []
    for text in _records(totals, _Labels()):
        batch.append(text)
        if len(batch) >= chunk:
            store.bulk_add_nquads("".join(batch))
            writes += 1
            batch = []
    if batch:
        store.bulk_add_nquads("".join(batch))
        writes += 1
    store.update(_MARK_CURRENT)
    roles = set(_TEXT.roles)
    return RebuildReport(len(totals.facts), sum(1 for _s, p, _o in totals.facts if p in roles), len(totals.ties),
                         len(totals.publishers), writes + 1)


# -- keeping it exact: a write's neighbourhood before and after ----------------------------------

# Role predicates as a FILTER, not a VALUES table: Oxigraph joins two VALUES tables by scanning every
# role statement of the store, but starts from the bound keys when the predicate is only filtered.
_ROLE_FILTER = "FILTER(?r IN (" + ", ".join(term_nt(p) for p in ROLE_PREDICATES) + "))"
_ROLES_AT = (f"SELECT ?e ?r ?a ?c WHERE {{ GRAPH ?c {{ ?e ?r ?a }} {_ROLE_FILTER} FILTER(isIRI(?a)) "
             f"FILTER EXISTS {{ GRAPH {_P} {{ ?c a dt:Claim }} }} }}")
_ROLES_OF = f"SELECT ?c ?e ?r ?a WHERE {{ GRAPH ?c {{ ?e ?r ?a }} {_ROLE_FILTER} FILTER(isIRI(?e) && isIRI(?a)) }}"
_SOURCES_OF = f"SELECT ?c ?src WHERE {{ GRAPH {_P} {{ ?c prov:wasDerivedFrom ?src }} }}"
_CLAIMS_OF = (f"SELECT ?src ?c WHERE {{ GRAPH {_P} {{ ?c prov:wasDerivedFrom ?src }} "
              f"FILTER EXISTS {{ GRAPH {_P} {{ ?c a dt:Claim }} }} }}")
_PUBLISHERS_OF = f"SELECT ?src ?pub WHERE {{ GRAPH {_P} {{ ?src dct:publisher ?pub }} }}"
_DATES_OF = f"SELECT ?src ?d WHERE {{ GRAPH {_P} {{ ?src dct:issued ?d }} }}"
_FACTS_OF = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?c { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) }"
_TYPED = f"SELECT ?c WHERE {{ GRAPH {_P} {{ ?c a dt:Claim }} }}"


def dates_of_sources(store: Store, sources: Iterable[URIRef]) -> dict[URIRef, set[str]]:
    """The publication dates (``dct:issued``, as text) the store gives these sources, for those it dates.

    A batch of sources per query, as the summary's updates read them. A source may hold several dates in a
    store written before loads refused a second one.
    """
    found: dict[URIRef, set[str]] = {}
    for src, issued in _rows(store, _DATES_OF, "src", sources):
        found.setdefault(src, set()).add(str(issued))
    return found


def dates_any_source(store: Store) -> bool:
    """Whether the store gives any source a publication date (one ASK)."""
    return store.query(f"ASK {{ GRAPH {_P} {{ ?src dct:issued ?d }} }}").boolean is True


def _rows(store: Store, sparql: str, name: str | tuple[str, ...], keys: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """Rows of ``sparql`` for keys bound as a VALUES table, a batch at a time."""
    wanted = list(dict.fromkeys(keys))
    names = (name,) if isinstance(name, str) else name
    batch = min(KEY_BATCH, store.max_bound_rows or KEY_BATCH)
    for start in range(0, len(wanted), batch):
        chunk = wanted[start:start + batch]
        table = [dict(zip(names, key if isinstance(key, tuple) else (key,), strict=True)) for key in chunk]
        yield from store.query(sparql, bindings=table).rows


@dataclass
class Region:
    """Where a write can change the summary: its claims, the events they give roles at, their sources."""

    claims: set[URIRef] = field(default_factory=set)
    events: set[URIRef] = field(default_factory=set)
    sources: set[Term] = field(default_factory=set)

    def update(self, other: Region) -> None:
        self.claims |= other.claims
        self.events |= other.events
        self.sources |= other.sources


def region_in_store(store: Store, claims: Iterable[URIRef]) -> Region:
    """The region of claims as the store holds them (before a removal; for claims written again)."""
    region = Region(claims=set(claims))
    for _c, e, _r, _a in _rows(store, _ROLES_OF, "c", region.claims):
        region.events.add(e)
    for _c, src in _rows(store, _SOURCES_OF, "c", region.claims):
        region.sources.add(src)
    return region


def region_in_nquads(claims: Sequence[URIRef], nquads: str,
                     stored: Callable[[Sequence[URIRef]], Collection[URIRef]] = lambda iris: ()
                     ) -> tuple[Region, list[URIRef]]:
    """The region of claims about to be written as this N-Quads text, read by the engine from a scratch store.

    With the claims the text writes: ``claims``, and every other claim the
    text types (the states' Wikidata link claims of a loader's entity text, as
    the engine reads the text, not as the caller lists them) that is not
    ``stored`` already (written again as it was, it changes nothing).
    """
    from detente.graph.backends import open_store

    scratch = open_store("memory:")
    scratch.add_nquads(nquads)
    listed = set(claims)
    others = [iri for iri in (URIRef(str(row[0])) for row in scratch.query(_CLAIMS_TYPED).rows) if iri not in listed]
    kept = set(stored(others)) if others else set()
    written = [*claims, *(iri for iri in others if iri not in kept)]
    return region_in_store(scratch, written), written


_CLAIMS_TYPED = f"SELECT ?c WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?c a dt:Claim }} }}"


@dataclass
class Neighbourhood:
    """One read of a region.

    What its claims and sources contribute to ties and publishers, and the facts to recompute.
    """

    links: dict[Any, tuple[set[Pair], set[Pair]]] = field(default_factory=dict)  # event → linked, party pairs
    claim_ties: dict[Any, set[Pair]] = field(default_factory=dict)  # claims with roles at the region's events
    source_claims: dict[Any, set[Any]] = field(default_factory=dict)  # the sources of those claims and the region's
    claim_publishers: dict[Any, set[Any]] = field(default_factory=dict)
    source_publishers: dict[Any, set[Any]] = field(default_factory=dict)  # a source with claims → its publishers
    facts: set[tuple[Any, Any, Any]] = field(default_factory=set)


def _contributions(store: Store, claims: Collection[Any], roles_at: dict[Any, set[tuple[int, Any]]],
                   known: Collection[Any] = (), *, leaving_out: Collection[Any] = ()) -> dict[Any, set[Pair]]:
    """The ties each claim counts for.

    Its role facts (but those at the events ``leaving_out``), and who else has
    roles at their events (read unless ``known``).
    """
    codec = _TERMS
    claim_roles: dict[Any, set[tuple[Any, int, Any]]] = defaultdict(set)
    for c, e, r, a in _rows(store, _ROLES_OF, "c", claims):
        if e not in leaving_out:
            claim_roles[c].add((e, codec.roles[r], a))
    unknown = {e for listed in claim_roles.values() for e, _r, _a in listed} - set(known)
    for e, r, a, _c in _rows(store, _ROLES_AT, "e", unknown):
        roles_at[e].add((codec.roles[r], a))
    return {c: _contribution(claim_roles.get(c, ()), roles_at, codec) for c in claims}


def neighbourhood(store: Store, region: Region, more_sources: Collection[Any] = ()) -> Neighbourhood:
    """Read the part of the store a write in ``region`` can change (see the module's text).

    Every read is bound to keys found before it: the region's events, the
    claims with roles there and their other events, their sources and the
    region's, those sources' claims. ``more_sources`` are read as well (the
    read after a write covers every source the read before it covered).
    """
    codec = _TERMS
    roles_at: dict[Any, set[tuple[int, Any]]] = defaultdict(set)
    at_region: set[Any] = set()
    for e, r, a, c in _rows(store, _ROLES_AT, "e", region.events):
        roles_at[e].add((codec.roles[r], a))
        at_region.add(c)
    out = Neighbourhood()
    for e in region.events:
        out.links[e] = _event_links(roles_at.get(e, ()), codec)
    out.claim_ties = _contributions(store, at_region, roles_at, region.events)
    typed = {row[0] for row in _rows(store, _TYPED, "c", region.claims)}
    claim_sources: dict[Any, set[Any]] = defaultdict(set)
    for c, src in _rows(store, _SOURCES_OF, "c", at_region | typed):
        claim_sources[c].add(src)
    sources = set(region.sources) | set(more_sources) | {s for c in at_region for s in claim_sources[c]}
    out.source_claims = {src: set() for src in sources}
    for src, c in _rows(store, _CLAIMS_OF, "src", sources):
        out.source_claims[src].add(c)
    # Publishers: every claim of the region's sources, with all its sources.
    of_region = {c for src in region.sources for c in out.source_claims[src]} | typed
    for c, src in _rows(store, _SOURCES_OF, "c", of_region - at_region - typed):
        claim_sources[c].add(src)
    publishers: dict[Any, set[Any]] = defaultdict(set)
    their_sources = {s for c in of_region for s in claim_sources[c]} | region.sources
    for src, pub in _rows(store, _PUBLISHERS_OF, "src", their_sources):
        publishers[src].add(pub)
    out.claim_publishers = {c: {p for s in claim_sources[c] for p in publishers[s]} for c in of_region}
    out.source_publishers = {src: (set(publishers[src]) if out.source_claims[src] else set()) for src in region.sources}
    out.facts = {(s, p, o) for s, p, o in _rows(store, _FACTS_OF, "c", of_region | region.claims)}
    return out


@dataclass
class Pending:
    """What writes owe the summary: differences for ties and publishers, fact records to recompute."""

    ties: dict[Pair, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))
    publishers: dict[Any, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    facts: set[tuple[Any, Any, Any]] = field(default_factory=set)

    def update(self, other: Pending) -> None:
        for pair, counts in other.ties.items():
            mine = self.ties[pair]
            for i, n in enumerate(counts):
                mine[i] += n
        for pub, counts in other.publishers.items():
            mine = self.publishers[pub]
            for i, n in enumerate(counts):
                mine[i] += n
        self.facts |= other.facts


def _differences(before: Mapping[Any, set[Any]], after: Mapping[Any, set[Any]],
                 counts: dict[Any, list[int]], index: int) -> None:
    for key in before.keys() | after.keys():
        was, now = before.get(key, set()), after.get(key, set())
        for item in now - was:
            counts[item][index] += 1
        for item in was - now:
            counts[item][index] -= 1


class Tracker:
    """Reads a write's region before it; after it, reads it again and says what the summary owes.

    A source's ties are the union of its claims' ties: only sources of the
    region, and sources with a claim whose ties changed, can change, and only
    for them are their other claims' ties read (once, after the write: those
    claims have no roles at the region's events, so the write left them as
    they were).

    >>> from detente.graph.store import open_store
    >>> store = open_store("memory:")
    >>> tracker = Tracker(store, Region())
    >>> tracker.done().facts
    set()
    """

    def __init__(self, store: Store, region: Region) -> None:
        self.store = store
        self.region = region
        self.before = neighbourhood(store, region)

    def done(self) -> Pending:
        before, after = self.before, neighbourhood(self.store, self.region, self.before.source_claims)
        pending = Pending()
        _differences({e: v[0] for e, v in before.links.items()}, {e: v[0] for e, v in after.links.items()},
                     pending.ties, 2)
        _differences({e: v[1] for e, v in before.links.items()}, {e: v[1] for e, v in after.links.items()},
                     pending.ties, 3)
        _differences(before.claim_publishers, after.claim_publishers, pending.publishers, 0)
        _differences(before.source_publishers, after.source_publishers, pending.publishers, 1)
        pending.facts = before.facts | after.facts
        # Sources: those of the region, and those with a claim whose ties changed.
        changed = {c for c in before.claim_ties.keys() | after.claim_ties.keys()
                   if before.claim_ties.get(c) != after.claim_ties.get(c)}
        sources = set(self.region.sources) | {src for state in (before, after)
                                              for src, claims in state.source_claims.items() if claims & changed}
        at_region = before.claim_ties.keys() | after.claim_ties.keys()
        others = {c for state in (before, after)
                  for src in sources for c in state.source_claims.get(src, ())} - at_region
        # A claim of these sources with roles at the region's events on one side of the write only (a claim
        # written again after an update deleted its roles there): on the other side it counted for its ties at
        # other events alone, which the write left as they were.
        one_sided = [(state, c) for state in (before, after) for src in sources
                     for c in state.source_claims.get(src, ()) if c in at_region and c not in state.claim_ties]
        if one_sided:
            outside = _contributions(self.store, {c for _state, c in one_sided}, defaultdict(set),
                                     leaving_out=self.region.events)
            for state, c in one_sided:
                state.claim_ties[c] = outside[c]
        _differences(before.claim_ties, after.claim_ties, pending.ties, 0)
        elsewhere = _contributions(self.store, others, defaultdict(set))
        source_ties = []
        for state in (before, after):
            source_ties.append({src: set().union(*(state.claim_ties[c] if c in state.claim_ties else elsewhere[c]
                                                   for c in state.source_claims.get(src, ())))
                                for src in sources})
        _differences(source_ties[0], source_ties[1], pending.ties, 1)
        return pending


_TIE_RECORDS = f"""SELECT ?a ?b ?n ?sc ?ec ?pe WHERE {{ GRAPH {_S} {{ ?t dt:tieBetween ?a . ?t dt:tieBetween ?b .
  ?t dt:claimCount ?n ; dt:sourceCount ?sc ; dt:eventCount ?ec ; dt:partyEventCount ?pe }} }}"""
_TIE_DELETE = f"""DELETE {{ GRAPH {_S} {{ ?t ?x ?y }} }}
  WHERE {{ GRAPH {_S} {{ ?t dt:tieBetween ?a . ?t dt:tieBetween ?b . ?t ?x ?y }} }}"""
_PUBLISHER_RECORDS = (f"SELECT ?pub ?n ?sc WHERE {{ GRAPH {_S} {{ ?pub dt:publishedClaimCount ?n ; "
                      "dt:publishedSourceCount ?sc } }")
_PUBLISHER_DELETE = f"""DELETE {{ GRAPH {_S} {{ ?pub ?x ?y }} }}
  WHERE {{ GRAPH {_S} {{ ?pub dt:publishedClaimCount ?n . ?pub ?x ?y }} }}"""
_FACT_DELETE = f"""DELETE {{ GRAPH {_S} {{ ?f ?x ?y }} }}
  WHERE {{ GRAPH {_S} {{ ?f dt:factSubject ?s . ?f dt:factPredicate ?p . ?f ?x ?y }} }}"""
_FACT_CLAIMS = (f"SELECT ?s ?p ?o ?c WHERE {{ GRAPH ?c {{ ?s ?p ?o }} FILTER(!isBlank(?o)) "
                f"FILTER EXISTS {{ GRAPH {_P} {{ ?c a dt:Claim }} }} }}")


def _updates(store: Store, sparql: str, names: tuple[str, ...], keys: Sequence[tuple[Any, ...]]) -> None:
    for start in range(0, len(keys), KEY_BATCH):
        store.update(sparql, bindings=[dict(zip(names, key, strict=True)) for key in keys[start:start + KEY_BATCH]])


def apply(store: Store, pending: Pending) -> None:
    """Bring a summary that was current before the writes up to date with what they owe; then mark it current.

    Ties and publishers change by their differences; fact records are recomputed from their claims, every
    fact of a subject and predicate that a write touched (they may share records).
    """
    codec = _TERMS
    ties = {pair: d for pair, d in pending.ties.items() if any(d)}
    publishers = {pub: d for pub, d in pending.publishers.items() if any(d)}
    new_ties: dict[Pair, list[int]] = {}
    for a, b, *counts in _rows(store, _TIE_RECORDS, ("a", "b"), ties):
        if codec.text(a) < codec.text(b):
            new_ties[(a, b)] = [int(n) for n in counts]
    new_publishers: dict[Any, list[int]] = {}
    for pub, *counts in _rows(store, _PUBLISHER_RECORDS, "pub", publishers):
        new_publishers[pub] = [int(n) for n in counts]
    for table, deltas, width in ((new_ties, ties, 4), (new_publishers, publishers, 2)):
        for key, delta in deltas.items():
            counts = table.setdefault(key, [0] * width)
            for i, n in enumerate(delta):
                counts[i] += n
            if min(counts) < 0 or (width == 4 and (counts[2] == 0) != (counts[0] == 0)):
                DELTA_FALLBACKS.append(f"{key}: {counts}")
                rebuild(store)
                return
    # Fact records: the claims now of every fact of the subjects and predicates touched, with sources,
    # publishers and dates.
    subject_predicates = sorted({(s, p) for s, p, _o in pending.facts}, key=str)
    fact_claims: dict[tuple[Any, Any, Any], list[Any]] = defaultdict(list)
    for s, p, o, c in _rows(store, _FACT_CLAIMS, ("s", "p"), subject_predicates):
        fact_claims[(s, p, o)].append(c)
    claims = {c for listed in fact_claims.values() for c in listed}
    claim_sources: dict[Any, list[Any]] = defaultdict(list)
    for c, src in _rows(store, _SOURCES_OF, "c", claims):
        claim_sources[c].append(src)
    sources = {s for listed in claim_sources.values() for s in listed}
    source_publishers: dict[Any, list[Any]] = defaultdict(list)
    for src, pub in _rows(store, _PUBLISHERS_OF, "src", sources):
        source_publishers[src].append(pub)
    source_dates: dict[Any, list[Any]] = defaultdict(list)
    for src, d in _rows(store, _DATES_OF, "src", sources):
        source_dates[src].append(d)
    # One delete per kind (batched), then the new records, then the mark: a crash between leaves it stale.
    _updates(store, _TIE_DELETE, ("a", "b"), list(ties))
    _updates(store, _PUBLISHER_DELETE, ("pub",), [(p,) for p in publishers])
    _updates(store, _FACT_DELETE, ("s", "p"), subject_predicates)
    labels = _Labels()
    text: list[str] = []
    spans = _spans(source_dates, codec)
    records: dict[tuple[Any, Any, Any], FactRecord] = {}
    for (s, p, o), listed in fact_claims.items():
        record = _fact_support(listed, claim_sources, source_publishers, spans)
        first, last = (None if d is None else term_nt(d) for d in record[3:])
        records[(term_nt(s), term_nt(p), term_nt(o))] = (*record[:3], first, last)
    for (s, p, record), objects in _grouped(records).items():
        text.append(_fact_nquads(labels(), s, p, objects, record))
    for (a, b), counts in new_ties.items():
        if counts[2]:
            text.append(_tie_nquads(labels(), term_nt(a), term_nt(b), counts))
    for pub, counts in new_publishers.items():
        if counts[0] or counts[1]:
            text.append(_publisher_nquads(term_nt(pub), counts))
    if text:
        store.add_nquads("".join(text))
    store.update(_MARK_CURRENT)


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


def aggregate(store: Store, name: str, limit: int = 20) -> list[tuple[Term | int | None, ...]]:
    """One of :data:`AGGREGATES`, the top ``limit`` rows, from the summary.

    A summary that is not current is rebuilt first; on a read-only store the
    same answer comes from the raw SPARQL over the claims instead.
    """
    from_summary, raw = AGGREGATES[name]
    if not ensure_summary(store):
        return _ints(store.query(raw % int(limit)).rows)
    return _ints(store.query(from_summary % int(limit)).rows)


def _ints(rows: list[tuple[Term | None, ...]]) -> list[tuple[Term | int | None, ...]]:
    return [tuple(int(v) if isinstance(v, Literal) else v for v in row) for row in rows]


def top_party_pairs(store: Store, limit: int = 20) -> list[tuple[URIRef, URIRef, int]]:
    """Pairs of actors that are parties to the same events, most shared events first."""
    return aggregate(store, "party_pairs", limit)  # type: ignore[return-value]


def claims_per_publisher(store: Store, limit: int = 20) -> list[tuple[URIRef, int]]:
    """Publishers by the number of claims from their sources, most first."""
    return aggregate(store, "claims_per_publisher", limit)  # type: ignore[return-value]


# -- the network's tables: integer-indexed, for detente.graph.analysis -----------------------------

_TIE_ROWS = f"""SELECT ?a ?b ?n ?sc ?ec ?pe WHERE {{ GRAPH {_S} {{ ?t dt:tieBetween ?a . ?t dt:tieBetween ?b .
  ?t dt:claimCount ?n ; dt:sourceCount ?sc ; dt:eventCount ?ec ; dt:partyEventCount ?pe }}
  FILTER(STR(?a) < STR(?b)) }}"""
_PARTICIPATION_ROWS = f"""SELECT ?e ?r ?a ?n ?sc WHERE {{ {_ROLE_VALUES} GRAPH {_S} {{ ?f dt:factPredicate ?r .
  ?f dt:factSubject ?e ; dt:factObject ?a ; dt:claimCount ?n OPTIONAL {{ ?f dt:sourceCount ?sc }} }}
  FILTER(isIRI(?a) && isIRI(?e)) }}"""


def _iri(nt: str) -> URIRef:
    return URIRef(nt[1:-1])


def _participations(store: Store) -> list[tuple[URIRef, URIRef, int, int, int]]:
    """``(event, actor, role index, claims, sources)`` per role fact, sorted."""
    roles = _TEXT.roles
    if ensure_summary(store):
        rows = []
        # Only ?sc is OPTIONAL: ?e ?r ?a ?n are bound in every row.
        bound = cast(list[tuple[str, str, str, str, str | None]], store.select_nt(_PARTICIPATION_ROWS))
        for e, r, a, n, sc in bound:
            claims = int(_lexical(n))
            sources = claims if sc is None else int(_lexical(sc))
            rows.append((_iri(e), _iri(a), roles[r], claims, sources))
    else:
        rows = [(_iri(e), _iri(a), roles[p], record[0], record[1])
                for (e, p, a), record in compute(store).facts.items() if p in roles and a[0] == "<" and e[0] == "<"]
    rows.sort(key=lambda row: (str(row[0]), str(row[1]), row[2]))
    return rows


# The role facts' objects, one column: the participation rows' five columns cost a lookup each per record
# (a million records at 1M claims: 48 s on disk, for 40 actors). A recorded fact never has a blank subject.
_ACTOR_ROWS = f"""SELECT DISTINCT ?a WHERE {{ {_ROLE_VALUES} GRAPH {_S} {{ ?f dt:factPredicate ?r ; dt:factObject ?a }}
  FILTER(isIRI(?a)) }}"""


def _actors(store: Store) -> set[URIRef]:
    """Every actor with a part in some event: the actors of :func:`_participations`, without their rows."""
    if ensure_summary(store):
        return {_iri(a) for (a,) in store.select_nt(_ACTOR_ROWS)}  # type: ignore[arg-type]
    return {row[1] for row in _participations(store)}


def tie_table(store: Store) -> TieTable:
    """Every actor tie as integer-indexed arrays (:class:`~detente.graph.arrays.TieTable`).

    Read from the summary, or computed from the claims when it is not current and cannot be rebuilt (a
    read-only store). Its actors are every actor with a part in some event (the actor network's nodes),
    tied or not.

    >>> from detente.graph.store import open_store
    >>> table = tie_table(open_store("memory:"))
    >>> table.actors, table.lo.dtype.name, len(table.claims)
    ((), 'int32', 0)
    """
    from detente.graph.arrays import TieTable

    if ensure_summary(store):
        ties = [(_iri(a), _iri(b), int(_lexical(n)), int(_lexical(sc)), int(_lexical(ec)),  # type: ignore[arg-type]
                 int(_lexical(pe)))  # type: ignore[arg-type]
                for a, b, n, sc, ec, pe in store.select_nt(_TIE_ROWS)]
    else:
        ties = [(_iri(a), _iri(b), *counts) for (a, b), counts in compute(store).ties.items()]  # type: ignore[misc]
    return TieTable.from_rows(_actors(store), sorted(ties, key=lambda t: (str(t[0]), str(t[1]))))


def participation_table(store: Store) -> ParticipationTable:
    """Every actor–event edge as integer-indexed arrays (:class:`~detente.graph.arrays.ParticipationTable`).

    One row per (event, role, actor) asserted by claims, sorted by event, actor, role; ``role`` indexes
    :data:`ROLES`. Read from the summary, or computed from the claims when it is not current.

    >>> from detente.graph.store import open_store
    >>> table = participation_table(open_store("memory:"))
    >>> table.events, table.role.dtype.name
    ((), 'int8')
    """
    from detente.graph.arrays import ParticipationTable

    return ParticipationTable.from_rows(_participations(store))
