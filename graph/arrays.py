"""Integer-indexed tables: the summary's network weights, and integer rows found by key (numpy and scipy).

Network analysis at a million claims reads the summary's actor ties and
participations as arrays: each entity is an integer index into one tuple of
IRIs, each weight a column. Labels and provenance stay aside (read for the
few nodes a result names, or at export), so memory follows the number of
ties, not the number of claims.

>>> from rdflib import URIRef
>>> a, b, c = (URIRef(f"urn:x:{n}") for n in "abc")
>>> table = TieTable.from_rows([a, b, c], [(b, a, 3, 2, 1, 1), (b, c, 1, 1, 1, 0)])
>>> table.actors == (a, b, c), table.lo.tolist(), table.hi.tolist(), table.claims.tolist()
(True, [0, 1], [1, 2], [3, 1])
>>> table.weighted_degree().tolist()
[3, 4, 1]
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rdflib import URIRef

if TYPE_CHECKING:
    import scipy.sparse

IndexArray = np.ndarray  # int32 indices
CountArray = np.ndarray  # int64 counts


def _index(entities: Iterable[URIRef]) -> tuple[tuple[URIRef, ...], dict[URIRef, int]]:
    ordered = tuple(sorted(set(entities), key=str))
    return ordered, {iri: i for i, iri in enumerate(ordered)}


@dataclass(frozen=True)
class TieTable:
    """Actor–actor ties as arrays: ``actors[lo[i]]`` and ``actors[hi[i]]`` are tied by ``claims[i]`` claims.

    Attributes
    ----------
    actors:
        Every actor with a part in some event (sorted by IRI), tied or not: the network's nodes.
    lo, hi:
        The two ends of each tie, ``lo < hi`` (indices into ``actors``).
    claims, sources, events, party_events:
        Per tie: distinct claims (the edge weight), sources, linking events, and events both are parties to.
    """

    actors: tuple[URIRef, ...]
    lo: IndexArray
    hi: IndexArray
    claims: CountArray
    sources: CountArray
    events: CountArray
    party_events: CountArray

    @classmethod
    def from_rows(cls, actors: Iterable[URIRef],
                  ties: Sequence[tuple[URIRef, URIRef, int, int, int, int]]) -> TieTable:
        """Index rows ``(a, b, claims, sources, events, party_events)``; tie ends are added to ``actors``."""
        ordered, index = _index([*actors, *(t[0] for t in ties), *(t[1] for t in ties)])
        ends = np.array([(index[a], index[b]) for a, b, *_ in ties], dtype=np.int32).reshape(-1, 2)
        counts = np.array([row[2:] for row in ties], dtype=np.int64).reshape(-1, 4)
        return cls(ordered, ends.min(axis=1), ends.max(axis=1), *(counts[:, i].copy() for i in range(4)))

    def __len__(self) -> int:
        return len(self.lo)

    def adjacency(self) -> scipy.sparse.csr_matrix:
        """The symmetric weighted adjacency matrix (claims per tie), actors × actors."""
        n = len(self.actors)
        rows = np.concatenate([self.lo, self.hi])
        cols = np.concatenate([self.hi, self.lo])
        import scipy.sparse  # here: a load, which uses this module's KeyIndex, need not import scipy

        return scipy.sparse.csr_matrix((np.concatenate([self.claims, self.claims]), (rows, cols)), shape=(n, n))

    def weighted_degree(self) -> CountArray:
        """Each actor's claims over its ties (the sum of its edge weights)."""
        n = len(self.actors)
        return (np.bincount(self.lo, weights=self.claims, minlength=n)
                + np.bincount(self.hi, weights=self.claims, minlength=n)).astype(np.int64)


@dataclass(frozen=True)
class ParticipationTable:
    """Actor–event edges as arrays, one row per (event, role, actor) that claims assert.

    ``actors[actor[i]]`` takes part in ``events[event[i]]`` in the role ``role[i]`` (an index into
    :data:`detente.graph.summary.ROLES`: 0 party, 1 mediator, 2 announcer); ``claims``/``sources`` count the
    distinct claims asserting that role fact and their sources. An actor with two roles at one event has two
    rows (summing them counts a claim that states both twice).
    """

    actors: tuple[URIRef, ...]
    events: tuple[URIRef, ...]
    actor: IndexArray
    event: IndexArray
    role: np.ndarray
    claims: CountArray
    sources: CountArray

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[URIRef, URIRef, int, int, int]]) -> ParticipationTable:
        """Index rows ``(event, actor, role index, claims, sources)``."""
        events, event_index = _index(r[0] for r in rows)
        actors, actor_index = _index(r[1] for r in rows)
        return cls(actors, events,
                   np.fromiter((actor_index[r[1]] for r in rows), dtype=np.int32, count=len(rows)),
                   np.fromiter((event_index[r[0]] for r in rows), dtype=np.int32, count=len(rows)),
                   np.fromiter((r[2] for r in rows), dtype=np.int8, count=len(rows)),
                   np.fromiter((r[3] for r in rows), dtype=np.int64, count=len(rows)),
                   np.fromiter((r[4] for r in rows), dtype=np.int64, count=len(rows)))

    def __len__(self) -> int:
        return len(self.actor)


class KeyIndex:
    """Rows of 64-bit integers sorted by their first (the key): found one key at a time, added many at a time.

    What a loader remembers of every record it has read (a source's date, say) in 8 bytes a column, not a
    Python object per record. A lookup is a binary search in C (:func:`bisect.bisect_left` on an
    :class:`array.array`): cheap enough for every record. Adding merges a batch of rows in (NumPy), so add
    rows in batches of thousands. A key may have several rows.

    >>> index = KeyIndex(3)
    >>> index.add([(5, 1, 2), (-3, 0, 0), (5, 7, 8)])
    >>> index.find(5), index.find(4), len(index)
    ([(1, 2), (7, 8)], [], 3)
    >>> index.drop(2, 8); index.find(5)
    [(1, 2)]
    """

    def __init__(self, columns: int) -> None:
        self.columns = columns
        self._columns = [array("q") for _ in range(columns)]  # the first is the key, sorted

    def __len__(self) -> int:
        return len(self._columns[0])

    def find(self, key: int) -> list[tuple[int, ...]]:
        """The other columns of each row with this key (an empty list when none)."""
        keys = self._columns[0]
        at = bisect_left(keys, key)
        found = []
        while at < len(keys) and keys[at] == key:
            found.append(tuple(column[at] for column in self._columns[1:]))
            at += 1
        return found

    def add(self, rows: Sequence[Sequence[int]]) -> None:
        """Merge rows (each ``columns`` integers, the key first) into the index."""
        if not rows:
            return
        new = np.array(rows, dtype=np.int64).reshape(-1, self.columns)
        order = np.argsort(np.concatenate([self._values(0), new[:, 0]]), kind="stable")
        for i in range(self.columns):  # a column at a time: the merge holds the index and two columns more
            self._columns[i] = _int64_array(np.concatenate([self._values(i), new[:, i]])[order])

    def drop(self, column: int, value: int) -> None:
        """Forget the rows whose ``column`` holds ``value``."""
        keep = self._values(column) != value
        for i in range(self.columns):
            self._columns[i] = _int64_array(self._values(i)[keep])

    def _values(self, column: int) -> np.ndarray:
        """A column as a NumPy view (no copy)."""
        return np.frombuffer(self._columns[column], dtype=np.int64)


def _int64_array(values: np.ndarray) -> array[int]:
    """An :class:`array.array` of int64 holding a copy of ``values`` (one copy, no bytes object between)."""
    out = array("q")
    out.frombytes(values.data.cast("B"))
    return out


__all__ = ["KeyIndex", "ParticipationTable", "TieTable"]
