"""Conflicts: subjects given different values of a functional property (314 vs 300 prisoners), listed set-wise.

The listing is one aggregate query and batched record reads. The functional
properties come from the ontology; the engine groups the facts view by
subject and property and keeps the pairs with more than one value (the
conflicts, which also gives the total). Then, a batch of conflicts at a time
(a few hundred claims), one ``VALUES`` join reads the full records of every
claim asserting a value (:func:`detente.graph.claims.wide_records_query`), never
one query per claim: memory follows the batch, not the store.

Order (as the per-subject listing had it): property, subject; within a
conflict, values in the order their claims come (claim IRI, then value).
Pages: ``limit`` and ``offset`` count conflicts (subject–property pairs).

>>> from detente.graph.store import open_store
>>> page = conflict_page(open_store("memory:"), limit=10)
>>> page.total, page.conflicts
(0, [])
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from rdflib import URIRef

from detente.graph.claims import ClaimRecord, Conflict, read_wide_records, wide_records_query
from detente.graph.performance import without_gc
from detente.graph.store import Store
from detente.graph.terms import Term, order_key

#: About how many claims' records are read in one query.
RECORD_BATCH = 1000

_KEYS = "SELECT ?s ?p WHERE { ?s ?p ?o } GROUP BY ?s ?p HAVING (COUNT(DISTINCT ?o) > 1)"
_RECORDS = wide_records_query("{ SELECT DISTINCT ?claim WHERE { GRAPH ?claim { ?subject ?predicate ?value } "
                              "?claim a dt:Claim } }")


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


def conflict_keys(store: Store) -> list[tuple[URIRef, URIRef]]:
    """Every conflict as (subject, property), in listing order: one aggregate query."""
    from detente.ontology.schema import functional_properties

    rows = store.query(_KEYS, bindings=[{"p": p} for p in functional_properties()]).rows
    return sorted(((s, p) for s, p in rows), key=lambda k: (str(k[1]), order_key(k[0])))  # type: ignore[misc]


def iter_conflicts(store: Store, keys: Sequence[tuple[URIRef, URIRef]], *,
                   batch: int = RECORD_BATCH) -> Iterator[Conflict]:
    """The conflicts of ``keys`` with the records behind each value, about ``batch`` claims per query."""
    per_query = 64  # conflicts per query, adjusted to what the claims per conflict turn out to be
    start = 0
    while start < len(keys):
        chunk = keys[start:start + per_query]
        rows = store.query(_RECORDS, bindings=[{"subject": s, "predicate": p} for s, p in chunk]).rows
        records = read_wide_records(rows)
        yield from _conflicts(chunk, records)
        start += len(chunk)
        per_query = max(1, min(4096, batch * len(chunk) // max(1, len(records))))


def _conflicts(keys: Sequence[tuple[URIRef, URIRef]], records: dict[URIRef, ClaimRecord]) -> Iterator[Conflict]:
    wanted = set(keys)
    values: dict[tuple[Term, Term], dict[str, list[ClaimRecord]]] = {key: {} for key in keys}
    for claim in sorted(records, key=str):  # claim order, then each claim's statements in order
        record = records[claim]
        for s, p, o in record.statements:
            if (s, p) in wanted:
                values[(s, p)].setdefault(str(o), []).append(record)
    for subject, predicate in keys:
        yield Conflict(subject, predicate, values[(subject, predicate)])


@without_gc
def conflict_page(store: Store, *, limit: int | None = None, offset: int = 0,
                  progress: Callable[[int, int], None] | None = None) -> ConflictPage:
    """A page of conflicts with the total; ``limit`` None lists every conflict from ``offset`` on.

    ``progress(done, expected)`` is called as the conflicts of the page are read.
    """
    if offset < 0 or (limit is not None and limit < 0):
        raise ValueError("offset and limit must not be negative")
    keys = conflict_keys(store)
    page = keys[offset:] if limit is None else keys[offset:offset + limit]
    found: list[Conflict] = []
    if progress is not None:
        progress(0, len(page))
    for conflict in iter_conflicts(store, page):
        found.append(conflict)
        if progress is not None:
            progress(len(found), len(page))
    return ConflictPage(len(keys), offset, limit, found)
