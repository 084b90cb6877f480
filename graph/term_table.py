"""Numbers for N-Triples terms whose texts wait on disk: a term table that keeps a few integers per term in memory.

A fresh import (:mod:`detente.graph.summary_import`) numbers every term its
claims state: 453,187 at a million synthetic claims. As a dict of Python
strings they took about 200 bytes each, and freed objects between them left
the allocator's arenas half empty, so the import's memory grew with the file.
Here a term is its text's hash (a sorted NumPy array, searched a batch at a
time), its number, its text's offset in a file and its kind: 25 bytes.

A hash only proposes a number: the stored text decides. A text whose hash
another text already has is numbered through a small dict, so the numbers are
exact whatever the hashes (Python's own, salted per process).

>>> import tempfile
>>> from pathlib import Path
>>> folder = tempfile.TemporaryDirectory()
>>> table = TermTable(Path(folder.name) / "terms")
>>> table.numbers(["<urn:a>", '"1"', "<urn:a>", "_:b"]).tolist()
[0, 1, 0, 2]
>>> table.texts(np.array([2, 0]))
['_:b', '<urn:a>']
>>> table.kinds().tolist()
[1, 0, 2]
>>> table.close(); folder.cleanup()
"""

from __future__ import annotations

import mmap
from array import array
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

#: Term kinds, by the first and last characters of the N-Triples text.
LITERAL, IRI, BLANK, TYPED_LITERAL = 0, 1, 2, 3  # TYPED_LITERAL: with a datatype or a language tag
_KINDS = {"<": IRI, "_": BLANK}
_hash = hash  # replaced in the tests by one that collides

Ints = npt.NDArray[np.int64]


def _kind(text: str) -> int:
    kind = _KINDS.get(text[:1], LITERAL)
    return TYPED_LITERAL if kind == LITERAL and not text.endswith('"') else kind


class TermTable:
    """Terms numbered 0, 1, 2, … in the order met; their texts appended to ``path``.

    Memory per term: its hash and number (16 bytes, sorted by hash), its
    text's end offset (8) and its kind (1). Not thread-safe: one writer.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = path.open("w+b")
        self._ends = array("q")  # per term: where its text ends in the file
        self._kinds = bytearray()
        self._hashes: Ints = np.zeros(0, dtype=np.int64)  # sorted
        self._hash_numbers: Ints = np.zeros(0, dtype=np.int64)  # the number of the term with each hash
        self._collided: dict[str, int] = {}  # terms whose hash an earlier term has

    def __len__(self) -> int:
        return len(self._ends)

    def numbers(self, texts: Sequence[str]) -> Ints:
        """Each text's number, numbering the texts not met before in the order they come.

        >>> import tempfile
        >>> from pathlib import Path
        >>> folder = tempfile.TemporaryDirectory()
        >>> table = TermTable(Path(folder.name) / "terms")
        >>> table.numbers(["<urn:a>", "<urn:b>"]).tolist(), table.numbers(["<urn:b>", "<urn:c>"]).tolist()
        ([0, 1], [1, 2])
        >>> table.close(); folder.cleanup()
        """
        number_of = dict.fromkeys(texts)  # the distinct texts, in the order met
        distinct = list(number_of)
        if not distinct:
            return np.zeros(0, dtype=np.int64)
        hashes = np.fromiter(map(_hash, distinct), dtype=np.int64, count=len(distinct))
        if self._collided:
            numbers = np.array([self._collided.get(text, -1) for text in distinct], dtype=np.int64)
        else:
            numbers = np.full(len(distinct), -1, dtype=np.int64)
        at = np.searchsorted(self._hashes, hashes)
        hash_known = at < len(self._hashes)
        hash_known[hash_known] = self._hashes[at[hash_known]] == hashes[hash_known]
        # The stored text decides: the same hash with another text is a collision, not a match.
        check = np.flatnonzero(hash_known & (numbers < 0))
        candidates = self._hash_numbers[at[check]]
        same = np.fromiter(map(str.__eq__, [distinct[i] for i in check.tolist()], self.texts(candidates)),
                           dtype=bool, count=len(check))
        numbers[check[same]] = candidates[same]
        new = np.flatnonzero(numbers < 0)
        if len(new):
            numbers[new] = self._add([distinct[i] for i in new.tolist()], hashes[new], hash_known[new])
        for text, number in zip(distinct, numbers.tolist(), strict=True):
            number_of[text] = number
        return np.fromiter(map(number_of.__getitem__, texts), dtype=np.int64, count=len(texts))

    def _add(self, texts: list[str], hashes: Ints, hash_known: npt.NDArray[np.bool_]) -> Ints:
        """Number distinct texts not met before: store them and index their hashes. Returns their numbers."""
        first = len(self._ends)
        numbers = np.arange(first, first + len(texts), dtype=np.int64)
        encoded = [text.encode("utf-8", "surrogatepass") for text in texts]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        end = self._ends[-1] if first else 0
        # Written first, at the end of the texts kept: a write that failed (a full disk) left the table as it
        # was, and its bytes, if any, are written over.
        self._file.seek(end)
        self._file.write(b"".join(encoded))
        self._ends.extend((np.cumsum(lengths) + end).tolist())
        self._kinds.extend(map(_kind, texts))
        # One term per hash in the index: a hash indexed already, or met twice in this batch, goes to the dict.
        indexed = np.zeros(len(texts), dtype=bool)
        indexed[np.unique(hashes, return_index=True)[1]] = True
        indexed &= ~hash_known
        for i in np.flatnonzero(~indexed).tolist():
            self._collided[texts[i]] = first + i
        # Inserted where they sort: np.insert makes one new array each, where a concatenation and an argsort of the
        # whole index held three (a batch then took 35 bytes a term of the table beside it, now 13).
        new_hashes, new_numbers = hashes[indexed], numbers[indexed]
        order = np.argsort(new_hashes)  # distinct hashes, none in the index yet
        new_hashes, new_numbers = new_hashes[order], new_numbers[order]
        at = np.searchsorted(self._hashes, new_hashes)
        self._hashes = np.insert(self._hashes, at, new_hashes)
        self._hash_numbers = np.insert(self._hash_numbers, at, new_numbers)
        return numbers

    def texts(self, numbers: Ints) -> list[str]:
        """The texts of terms by number, read back from the file (mapped for the call only)."""
        if not len(numbers):
            return []
        self._file.flush()
        ends = self._ends
        if not ends[-1]:  # no text has a character (mmap refuses an empty map)
            return [""] * len(numbers)
        with mmap.mmap(self._file.fileno(), ends[-1], access=mmap.ACCESS_READ) as view:
            return [view[ends[n - 1] if n else 0:ends[n]].decode("utf-8", "surrogatepass")
                    for n in numbers.tolist()]

    def kinds(self) -> npt.NDArray[np.uint8]:
        """Each term's kind (:data:`IRI`, :data:`BLANK`, :data:`LITERAL` or :data:`TYPED_LITERAL`) by number."""
        kinds: npt.NDArray[np.uint8] = np.frombuffer(self._kinds, dtype=np.uint8).copy()  # a view pins its size
        return kinds

    def close(self) -> None:
        self._file.close()
