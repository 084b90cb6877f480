"""The graph layer's one write API: every write of data goes through here, so the summary stays exact.

Loading claims (``detente load``, a server-side load), ``POST /update``,
removing claims or graphs, clearing and restoring all call these functions.
Each writes its data and marks the summary stale **in the same transaction**,
then brings the summary up to date (:mod:`detente.graph.summary`):

* by difference, when the summary was current before and the write names
  its claims (adding claims, removing claims): the write's neighbourhood is
  read before and after it (:class:`detente.graph.summary.Tracker`) and the
  summary changes by what changed there;
* by one rebuild otherwise (a SPARQL Update or raw RDF whose effect is not
  known in advance, a restore, a large import).

:func:`bulk` groups many writes (the files of one ``detente load``): their
differences add up, and the summary is brought up to date once, at the end,
or, past :data:`INCREMENTAL_LIMIT` claims, rebuilt once.
A crash between a write and its refresh leaves the stale mark, and the
summary is rebuilt before it is next read (:func:`detente.graph.summary.ensure_summary`).

The server's writer applies each write to a copy that commits whole
(:mod:`detente.api.engine`): there the writes run inside :func:`held`, which
leaves the summary graph alone, the writer checks that the write left the
system graphs untouched, and :func:`settle` then brings the summary up to
date on the copy (a rebuild is put off: the summary is marked stale, the
copy commits, and the writer runs :func:`refresh` as its next step).
Inside :func:`held` the differences are read as usual (reads leave the
summary graph alone) and applied by :func:`settle`.

Writing around this module (``store.add_nquads``, ``store.update`` directly)
leaves the summary out of date without marking it; don't.

>>> from detente.graph.store import open_store
>>> from detente.graph.summary import summary_state
>>> store = open_store("memory:")
>>> sparql_update(store, "INSERT DATA { <http://ex/a> <http://ex/p> 1 }")
>>> summary_state(store)
'current'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rdflib import URIRef

from detente.graph import summary
from detente.graph.sparql_text import tokenize
from detente.graph.store import Store
from detente.graph.terms import Quad, term_nt
from detente.ontology.vocab import ENTITIES_GRAPH, FACTS_GRAPH, ONTOLOGY_GRAPH, PROVENANCE_GRAPH

if TYPE_CHECKING:  # claims.py calls into this module: no import at run time
    from detente.graph.claims import Claim
    from detente.graph.summary_import import FreshImport

#: Claims touched by one bulk block above which one rebuild replaces the set-wise refresh.
INCREMENTAL_LIMIT = 50_000

# Graphs the summary does not read: writing them needs no refresh.
_NOT_SUMMARISED = {ENTITIES_GRAPH, ONTOLOGY_GRAPH}


@dataclass
class _Bulk:
    """Writes of one :func:`bulk` or :func:`held` block: what the summary step at its end must cover."""

    store: Store
    was_current: bool
    touched: set[URIRef] = field(default_factory=set)
    pending: summary.Pending = field(default_factory=summary.Pending)  # what the writes owe the summary
    unknown: bool = False  # a write whose effect is not known: rebuild
    written: bool = False  # nothing written, nothing to refresh
    held: bool = False  # writes leave the summary graph alone (no mark either): settle() brings it up to date
    fresh: FreshImport | None = None  # the block's writes are a fresh import whose summary this computes


_BULK: dict[int, _Bulk] = {}


def _after_write(store: Store, *, pending: summary.Pending | None = None, claims: Iterable[URIRef] = (),
                 was_current: bool = False) -> None:
    """Bring the summary up to date after a write (or add what it owes to the enclosing block).

    ``pending`` is the write's difference (:class:`detente.graph.summary.Tracker`);
    None says the write's effect is not known, and the summary is rebuilt.
    """
    if not store.maintains_summary:
        return
    block = _BULK.get(id(store))
    if block is not None and block.store is store:
        block.written = True
        block.touched.update(claims)
        if pending is None or block.unknown or block.fresh is not None or len(block.touched) > INCREMENTAL_LIMIT:
            _give_up(block)
        else:
            block.pending.update(pending)
        return
    if was_current and pending is not None:
        summary.apply(store, pending)
    else:
        summary.rebuild(store)


def _give_up(block: _Bulk) -> None:
    """The block's change is not known: it ends with a rebuild."""
    block.unknown = True
    block.touched.clear()
    block.pending = summary.Pending()


def _change_read(store: Store, tracker: summary.Tracker | None) -> summary.Pending | None:
    """The change of a write just made, read by ``tracker`` (None: not tracked).

    If reading it fails (an error, Ctrl-C), the write is in but its change is
    not known: the enclosing block ends with a rebuild; outside a block the
    write's own stale mark stays, and the summary is rebuilt before it is
    next read.
    """
    try:
        return tracker.done() if tracker is not None else None
    except BaseException:
        block = _BULK.get(id(store))
        if block is not None and block.store is store:
            block.written = True
            _give_up(block)
        raise


def _tracking(store: Store, claims: int) -> bool:
    """Whether a write of this many claims reads its difference: the summary was current and no block gave up."""
    if not store.maintains_summary or claims > INCREMENTAL_LIMIT:
        return False
    block = _BULK.get(id(store))
    if block is not None and block.store is store:
        return block.was_current and not block.unknown
    return summary.summary_state(store) == "current"


def _held(store: Store) -> bool:
    block = _BULK.get(id(store))
    return block is not None and block.store is store and block.held


def _mark(store: Store) -> str:
    """The stale mark as N-Quads, for stores that keep a summary (none inside :func:`held`)."""
    return summary.STALE_NQUAD if store.maintains_summary and not _held(store) else ""


def _mark_stale(store: Store) -> None:
    """Mark the summary stale in a transaction of its own (not inside :func:`held`)."""
    if store.maintains_summary and not _held(store):
        summary.mark_stale(store)


def _current(store: Store) -> bool:
    if not store.maintains_summary:
        return False
    block = _BULK.get(id(store))
    if block is not None and block.store is store:
        return block.was_current
    return summary.summary_state(store) == "current"


@contextmanager
def bulk(store: Store) -> Iterator[None]:
    """Group writes: the summary is brought up to date once, when the block ends (even by an error).

    >>> from detente.graph.store import open_store
    >>> store = open_store("memory:")
    >>> with bulk(store):
    ...     sparql_update(store, "INSERT DATA { <http://ex/a> <http://ex/p> 1 }")
    """
    existing = _BULK.get(id(store))
    if existing is not None and existing.store is store:
        yield  # nested: the outer block refreshes
        return
    block = _BULK[id(store)] = _Bulk(store, _current(store))
    try:
        yield
    finally:
        del _BULK[id(store)]
        if not store.maintains_summary or not block.written:
            pass
        elif block.fresh is not None and block.fresh.exact and not block.unknown:
            block.fresh.write(store)  # waits for the import's writes itself, after computing the records
        elif block.fresh is not None:
            block.fresh.wait()
            summary.rebuild(store)
        elif block.unknown or not block.was_current:
            summary.rebuild(store)
        else:
            summary.apply(store, block.pending)  # with nothing owed: only clears the mark


@contextmanager
def held(store: Store) -> Iterator[_Bulk]:
    """Writes inside leave the summary graph untouched — no stale mark, no refresh — and record what they touched.

    For a writer whose writes go to a copy that commits whole or not at all
    (:mod:`detente.api.engine`): the copy is the transaction that keeps data
    and summary together, so the summary step can come after a check that the
    data write left the system graphs (the summary among them) alone. Bring
    the summary up to date with :func:`settle` before the copy commits.

    >>> from detente.graph.store import open_store
    >>> from detente.graph.summary import summary_state
    >>> store = open_store("memory:")
    >>> refresh(store)
    >>> with held(store) as block:
    ...     sparql_update(store, "INSERT DATA { <http://ex/a> <http://ex/p> 1 }")
    >>> summary_state(store)  # the summary graph is as it was
    'current'
    >>> settle(store, block, rebuild_later=True), summary_state(store)
    (True, 'stale')
    """
    existing = _BULK.get(id(store))
    if existing is not None and existing.store is store:
        raise RuntimeError("writes.held() cannot be nested in a bulk() or held() block of the same store")
    block = _BULK[id(store)] = _Bulk(store, _current(store), held=True)
    try:
        yield block
    finally:
        del _BULK[id(store)]


def settle(store: Store, block: _Bulk, *, rebuild_later: bool = False) -> bool:
    """Bring the summary up to date after the writes of a :func:`held` block.

    What the writes owe is applied now; where a rebuild is
    needed (a SPARQL Update, raw RDF, a restore) and ``rebuild_later`` is set,
    the summary is only marked stale (for :func:`refresh` after the write
    commits; meanwhile its readers answer from the claims). Returns True when
    it was left marked stale.
    """
    if not store.maintains_summary or not block.written:
        return False
    if block.unknown or not block.was_current:
        if rebuild_later:
            summary.mark_stale(store)
            return True
        summary.rebuild(store)
        return False
    summary.apply(store, block.pending)  # with nothing owed: only clears the mark
    return False


def needs_refresh(store: Store) -> bool:
    """Whether :func:`refresh` has work.

    It has when the summary is stale (a crash between a write and its refresh), or missing (never built, or of
    another version) while the store holds claims.
    """
    if not store.maintains_summary:
        return False
    state = summary.summary_state(store)
    return state == "stale" or (state == "missing" and store.query(
        f"ASK {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?claim a dt:Claim }} }}").boolean is True)


# -- adding claims ---------------------------------------------------------------------

def write_claims(store: Store, claims: Sequence[Claim], entity_quads: Iterable[Quad] = ()) -> int:
    """Write claims (and entity descriptions) in one transaction; return how many claims were new.

    Facts go under the store's :attr:`~detente.graph.store.Store.facts_label`, so it takes the text as it is.
    """
    from detente.graph.claims import claims_nquads

    entity_quads = list(entity_quads)
    if not claims and not entity_quads:
        return 0
    return add_claims_nquads(store, [c.iri for c in claims],
                             claims_nquads(claims, entity_quads, facts=store.facts_label))


def add_claims_nquads(store: Store, claim_iris: Sequence[URIRef], nquads: str, *, complete: bool = True) -> int:
    """Add N-Quads text holding these claims in one transaction; return how many claims were new.

    ``complete`` says that ``claim_iris`` names every claim graph the text
    writes to (as the loaders' claims do); N-Quads passed through from a file
    may write others, and then the summary is rebuilt.
    """
    from detente.graph.claims import known_claims

    before = known_claims(store, claim_iris)
    current = _current(store)
    tracker = None
    written: Sequence[URIRef] = claim_iris
    if complete and _tracking(store, len(claim_iris)):
        # Read by the engine from the text itself, with every claim it writes (a loader's entity text has some;
        # those it writes again as they are stored are left out, so ``before`` covers the rest).
        region, written = summary.region_in_nquads(claim_iris, nquads, lambda iris: known_claims(store, iris))
        region.update(summary.region_in_store(store, before))  # claims written again, as the store holds them
        tracker = summary.Tracker(store, region)
    store.add_nquads(_mark(store) + nquads)
    _after_write(store, pending=_change_read(store, tracker), claims=written, was_current=current)
    return len(set(claim_iris) - before)


def import_nquads(store: Store, claim_iris: Sequence[URIRef], nquads: str | Path, *,
                  fresh: FreshImport | None = None, submit: Callable[[Callable[[], None]], None] | None = None) -> None:
    """Add N-Quads through the engine's bulk loader (a fresh import: fast, not one transaction).

    For a store that had no claims: the summary is marked stale first (in a
    transaction of its own) and brought up to date once after (at the end of
    the enclosing :func:`bulk` block), which for a fresh store is cheaper than
    refreshing every claim set-wise: from ``fresh`` when every write of the
    block is a fresh import it accumulated
    (:class:`detente.graph.summary_import.FreshImport`), else by a rebuild.
    With ``fresh`` in a block, ``submit`` may run the bulk write later, in
    order, on another thread (the loader's writer; ``fresh.wait`` waits for
    it). ``nquads`` is the text or a file holding it (read when it is
    written). A crash in between leaves the mark, and the summary is rebuilt
    before it is next read. Stores without a bulk loader add the text in one
    transaction.
    """
    if getattr(store, "bulk_add_nquads", None) is None:
        add_claims_nquads(store, claim_iris, _text(nquads))
        return

    def bulk_add() -> None:
        # A staged file goes to the engine as the bytes it holds (no decoding and encoding again).
        store.bulk_add_nquads(nquads.read_bytes() if isinstance(nquads, Path) else nquads)

    block = _BULK.get(id(store))
    if fresh is not None and block is not None and block.store is store and not block.held \
            and store.maintains_summary:
        if block.fresh is None and not block.written:
            fresh.start(store)  # once, before the block's first data: the summary graph emptied, marked stale
            block.fresh = fresh
        elif block.fresh is not fresh:
            _mark_stale(store)
            block.unknown = True
            submit = None
        block.written = True
        if submit is None:
            bulk_add()
        else:
            submit(bulk_add)
        return
    _mark_stale(store)
    bulk_add()
    _after_write(store)


def _text(nquads: str | Path) -> str:
    return nquads.read_text(encoding="utf-8") if isinstance(nquads, Path) else nquads


def add_nquads(store: Store, nquads: str) -> None:
    """Add N-Quads whose claims are not known in advance (one transaction); the summary is rebuilt."""
    store.add_nquads(_mark(store) + nquads)
    _after_write(store)


def load_rdf(store: Store, data: bytes | str | Path, rdf_format: str, graph: URIRef | None = None) -> None:
    """Load an RDF serialisation (see :meth:`Store.load`).

    The summary is rebuilt unless only an unsummarised graph is written.
    """
    single_graph = rdf_format not in ("nquads", "trig")
    if single_graph and graph in _NOT_SUMMARISED:
        store.load(data, rdf_format, graph)
        return
    _mark_stale(store)  # a load is one transaction of its own: mark first
    store.load(data, rdf_format, graph)
    _after_write(store)


# -- SPARQL Update -------------------------------------------------------------------------

def sparql_update(store: Store, update: str, *, refresh: bool = True, base_iri: str | None = None) -> None:
    """Run a SPARQL Update; the stale mark is written by the same request, after the update's own operations.

    What an update changes is not known in advance, so the summary is rebuilt
    (``refresh=False`` leaves it marked stale, for :func:`refresh` later: a
    server can answer first and rebuild after). ``base_iri`` resolves the
    update's relative IRIs (see :meth:`Store.update`).
    """
    if not store.maintains_summary:
        store.update(update, base_iri=base_iri)
        return
    if _held(store):
        store.update(update, base_iri=base_iri)
        _after_write(store)
        return
    tokens = tokenize(update)
    separator = "\n" if tokens and tokens[-1].text == ";" else "\n;\n"
    store.update(update + separator + summary.STALE_UPDATE, base_iri=base_iri)
    if refresh:
        _after_write(store)
    else:
        block = _BULK.get(id(store))
        if block is not None and block.store is store:
            block.unknown = block.written = True


def refresh(store: Store) -> None:
    """Bring a stale or missing summary up to date now (a no-op when it is current)."""
    summary.ensure_summary(store)


# -- links between entities ------------------------------------------------------------------

def write_links(store: Store, nquads: str, *, withdraw: Iterable[tuple[URIRef, URIRef]] = ()) -> None:
    """Write linking decisions: withdraw ``owl:sameAs`` between the ``withdraw`` pairs (both ways), then add ``nquads``.

    The text holds ``owl:sameAs`` statements (under the store's facts label) and
    link records (``dt:LinkRecord``, ``dt:possiblySameAs``) in the provenance
    graph (:mod:`detente.loaders.linking`). Links are no part of what the
    summary counts — claims, their sources, and the facts claims assert — so
    it needs neither mark nor refresh.
    """
    for source, target in withdraw:
        for s, o in ((source, target), (target, source)):
            store.update("DELETE WHERE { ?s owl:sameAs ?o }", bindings={"s": s, "o": o})
    if nquads:
        store.add_nquads(nquads)


# -- removing -----------------------------------------------------------------------------

_P = f"<{PROVENANCE_GRAPH}>"
_E = f"<{ENTITIES_GRAPH}>"
# In one transaction, in this order: un-type the claims (so they no longer count as claims), drop
# the facts no remaining claim or entity description states, then their graphs and provenance.
# {facts} is the facts view: the default graph on Oxigraph, a named graph on remote endpoints.
# The facts to drop are found before (see _facts_to_drop), except those with a blank node, which
# no query can name: those are looked for here, among the claims' own statements.
_UNTYPE = f"""DELETE {{ GRAPH {_P} {{ ?touched a dt:Claim }} }}
  WHERE {{ GRAPH {_P} {{ ?touched a dt:Claim }} }} ;
"""
_DROP_FACTS = "DELETE {{ {facts} }} WHERE {{ VALUES (?s ?p ?o) {{ {rows} }} }} ;\n"
# (Oxigraph answers these NOT EXISTS by a join with every claim's statements: only when needed.)
_DROP_BLANK_FACTS = f"""DELETE {{ {{facts}} }} WHERE {{ GRAPH ?touched {{ ?s ?p ?o }} FILTER(isBlank(?s) || isBlank(?o))
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} GRAPH {_P} {{ ?g a dt:Claim }} }}
  FILTER NOT EXISTS {{ GRAPH {_E} {{ ?s ?p ?o }} }} }} ;
"""
_HAS_BLANK = "ASK { GRAPH ?touched { ?s ?p ?o } FILTER(isBlank(?s) || isBlank(?o)) }"
_REMOVE_CLAIMS = f"""DELETE {{ GRAPH ?touched {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?touched {{ ?s ?p ?o }} }} ;
DELETE {{ GRAPH {_P} {{ ?touched ?p ?o }} }} WHERE {{ GRAPH {_P} {{ ?touched ?p ?o }} }}"""
_COUNT_CLAIMS = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_P} {{ ?touched a dt:Claim }} }}"
_STATED = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?touched { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) }"
# Who else states them: claims (with the graph, to leave out the ones being removed) and entity descriptions.
_STATED_BY_CLAIMS = f"SELECT ?s ?p ?o ?g WHERE {{ VALUES (?s ?p ?o) {{ @ROWS@ }} GRAPH ?g {{ ?s ?p ?o }} " \
                    f"GRAPH {_P} {{ ?g a dt:Claim }} }}"
_STATED_BY_ENTITIES = f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ @ROWS@ }} GRAPH {_E} {{ ?s ?p ?o }} }}"


def _facts_to_drop(store: Store, claims: Sequence[URIRef]) -> list[tuple[str, str, str]]:
    """The statements of ``claims`` (without blank nodes) that no other claim nor entity description states.

    Set-wise, from the claims' own statements: each is looked up, never the whole store scanned. Terms
    stay in the engine's N-Triples text, so the update names exactly the stored terms.
    """
    stated = [cast("tuple[str, str, str]", row) for row in
              store.select_nt(_STATED, bindings=[{"touched": c} for c in claims])]
    removed = {term_nt(c) for c in claims}
    kept: set[tuple[str | None, ...]] = set()
    for start in range(0, len(stated), _FACT_BATCH):
        rows = _values_rows(stated[start:start + _FACT_BATCH])
        kept.update(row[:3] for row in store.select_nt(_STATED_BY_CLAIMS.replace("@ROWS@", rows))
                    if row[3] not in removed)
        kept.update(store.select_nt(_STATED_BY_ENTITIES.replace("@ROWS@", rows)))
    return [fact for fact in stated if fact not in kept]


#: Facts per VALUES table when the facts of removed claims are looked up: kept small, because with a
#: table of two columns and about a thousand rows or more (conflict_listing.MAX_BOUND) Oxigraph joins it
#: with every claim's statements instead of looking each row up.
_FACT_BATCH = 500


def _values_rows(facts: Sequence[tuple[str, ...]]) -> str:
    # The engine's own N-Triples text of stored terms (select_nt), given back to it as it wrote it.
    return " ".join(f"({s} {p} {o})" for s, p, o in facts)


def remove_claims(store: Store, claims: Iterable[URIRef], *, batch: int = 5000) -> int:
    """Remove claims: their graphs, their provenance, and facts no other claim or entity description states.

    The summary keys they touch are read first; each batch of claims is
    removed in one transaction with the stale mark, then those keys are
    recomputed. Returns how many of them were claims.
    """
    wanted = list(dict.fromkeys(claims))
    removed = 0
    facts = "?s ?p ?o" if store.facts_label is None else f"GRAPH <{FACTS_GRAPH}> {{ ?s ?p ?o }}"
    for start in range(0, len(wanted), batch):
        chunk = wanted[start:start + batch]
        rows = [{"touched": c} for c in chunk]
        found = store.query(_COUNT_CLAIMS, bindings=rows).rows
        removed += int(found[0][0]) if found else 0  # type: ignore[arg-type]
        current = _current(store)
        tracker = (summary.Tracker(store, summary.region_in_store(store, chunk)) if _tracking(store, len(chunk))
                   else None)
        dropped = _facts_to_drop(store, chunk)
        removal = _UNTYPE + "".join(_DROP_FACTS.format(facts=facts, rows=_values_rows(dropped[i:i + _FACT_BATCH]))
                                    for i in range(0, len(dropped), _FACT_BATCH))
        if store.query(_HAS_BLANK, bindings=rows).boolean:
            removal += _DROP_BLANK_FACTS.replace("{facts}", facts)
        removal += _REMOVE_CLAIMS
        mark = summary.STALE_UPDATE + " ;\n" if store.maintains_summary and not _held(store) else ""
        store.update(mark + removal, bindings=rows)
        _after_write(store, pending=_change_read(store, tracker), claims=chunk, was_current=current)
    return removed


def remove_graph(store: Store, graph: URIRef) -> None:
    """Drop one graph: a claim is removed as by :func:`remove_claims`; other graphs as they are."""
    if store.query(f"ASK {{ GRAPH {_P} {{ ?g a dt:Claim }} }}", bindings={"g": graph}).boolean:
        remove_claims(store, [graph])
        return
    if graph in _NOT_SUMMARISED:
        store.remove_graph(graph)
        return
    _mark_stale(store)  # dropping a graph is a transaction of its own: mark first
    store.remove_graph(graph)
    _after_write(store)


# -- taking back a fresh import ---------------------------------------------------------------

@dataclass
class SavePoint:
    """A store's content before a fresh import's file, to take the file back (see :func:`save_point`)."""

    nquads: Path  # the store's dump
    block: tuple[bool, bool, FreshImport | None] | None  # the enclosing bulk block's written, unknown, fresh


def save_point(store: Store, nquads: Path) -> SavePoint:
    """Dump ``store`` into ``nquads`` (flushed to disk), so that :func:`roll_back` can put it back exactly.

    For a store that holds no claims (the system graphs, entity descriptions): the dump is small, and a
    file's bulk writes, which are no transaction, can then be written while the file is still being read
    and taken back whole, at once, however much of it was written. The state of the enclosing :func:`bulk`
    block (what its summary step will do) is kept too.

    >>> import io, tempfile
    >>> from pathlib import Path
    >>> from detente.graph.store import open_store
    >>> store = open_store("memory:")
    >>> sparql_update(store, "INSERT DATA { GRAPH <http://ex/g> { <http://ex/a> <http://ex/p> [ <http://ex/q> 1 ] } }")
    >>> before = io.BytesIO(); store.dump(before, "nquads")
    >>> point = save_point(store, Path(tempfile.mkdtemp()) / "before.nq")
    >>> sparql_update(store, "INSERT DATA { <http://ex/b> <http://ex/p> 2 }")
    >>> roll_back(store, point)
    >>> after = io.BytesIO(); store.dump(after, "nquads")
    >>> after.getvalue() == before.getvalue()
    True
    """
    store.dump(nquads, "nquads")
    with nquads.open("rb") as handle:
        os.fsync(handle.fileno())
    block = _BULK.get(id(store))
    state = (block.written, block.unknown, block.fresh) if block is not None and block.store is store else None
    return SavePoint(nquads, state)


def roll_back(store: Store, point: SavePoint) -> None:
    """Put the store back as :func:`save_point` dumped it (the summary graph with it), and its bulk block's state."""
    store.reset(point.nquads)
    block = _BULK.get(id(store))
    if point.block is not None and block is not None and block.store is store:
        block.written, block.unknown, block.fresh = point.block  # the file's writes were fresh imports only


def clear(store: Store) -> None:
    """Remove everything; the (empty) summary is current again."""
    store.clear()
    _after_write(store)


def restore(store: Store, path: Path, rdf_format: str, *, replace: bool = False) -> None:
    """Load a dump (N-Quads or TriG, one transaction), emptying the store first with ``replace``; then one rebuild."""
    if replace:
        store.clear()
    _mark_stale(store)
    store.load(path, rdf_format)
    _after_write(store)
