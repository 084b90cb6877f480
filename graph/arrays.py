"""Integer-indexed tables: the summary's network weights, and small integers keyed by digests (numpy and scipy).

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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse
from rdflib import URIRef

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


class DigestTable:
    """Rows of small integers keyed by 16-byte digests, kept sorted: looked up and added a batch at a time.

    What a loader remembers of every record it has read (a source's date, say) without a Python object per
    record: a row takes its key and 4 bytes a column. Keys are distinct.

    >>> table = DigestTable(2)
    >>> table.add([b"b" * 16, b"a" * 16], [[1, 2], [3, 4]])
    >>> found, values = table.find([b"a" * 16, b"c" * 16])
    >>> found.tolist(), values[0].tolist(), len(table)
    ([True, False], [3, 4], 2)
    >>> table.drop(0, 3); len(table)
    1
    """

    def __init__(self, columns: int) -> None:
        self.columns = columns
        self._keys = np.zeros(0, dtype="S16")  # sorted
        self._values = np.zeros((0, columns), dtype=np.int32)

    def __len__(self) -> int:
        return len(self._keys)

    def find(self, keys: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """Whether each key is held, and its row (zeros where not)."""
        wanted = np.array(keys, dtype="S16").reshape(-1)
        at = np.searchsorted(self._keys, wanted)
        found = at < len(self._keys)
        found[found] = self._keys[at[found]] == wanted[found]
        values = np.zeros((len(wanted), self.columns), dtype=np.int32)
        values[found] = self._values[at[found]]
        return found, values

    def add(self, keys: Sequence[bytes], values: Sequence[Sequence[int]]) -> None:
        """Hold distinct keys not held yet, each with its row."""
        new = np.array(keys, dtype="S16").reshape(-1)
        rows = np.array(values, dtype=np.int32).reshape(-1, self.columns)
        order = np.argsort(new)
        new, rows = new[order], rows[order]
        # Inserted where they sort: one new array each, not a concatenation and a sort of the whole table.
        at = np.searchsorted(self._keys, new)
        self._keys = np.insert(self._keys, at, new)
        self._values = np.insert(self._values, at, rows, axis=0)

    def drop(self, column: int, value: int) -> None:
        """Forget the rows whose ``column`` holds ``value``."""
        keep = self._values[:, column] != value
        self._keys, self._values = self._keys[keep], self._values[keep]


__all__ = ["DigestTable", "ParticipationTable", "TieTable"]
