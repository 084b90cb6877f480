"""The term table numbers terms as a dict would, whatever their hashes, and gives their texts back."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from detente.graph import term_table
from detente.graph.term_table import BLANK, IRI, LITERAL, TYPED_LITERAL, TermTable

TERMS = st.one_of(st.text(min_size=1, max_size=3).map(lambda t: f"<urn:{t}>"),
                  st.text(max_size=3).map(lambda t: f'"{t}"'),
                  st.text(max_size=2).map(lambda t: f'"{t}"@en'),
                  st.sampled_from(["_:b1", "_:b2", '"1"^^<http://www.w3.org/2001/XMLSchema#integer>']),
                  st.text(alphabet="\ud800é€😀", min_size=1, max_size=2).map(lambda t: f'"{t}"'))
HASHES: list[Callable[[str], int]] = [hash, lambda text: len(text) % 3, lambda text: 7]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(TERMS, max_size=12), min_size=1, max_size=6), st.sampled_from(HASHES))
def test_numbers_are_the_order_met_as_a_dict_gives_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        batches: list[list[str]],
                                                        hash_of: Callable[[str], int]) -> None:
    monkeypatch.setattr(term_table, "_hash", hash_of)  # colliding hashes must not merge terms
    reference: dict[str, int] = {}
    table = TermTable(tmp_path / f"terms-{id(batches)}")
    try:
        for batch in batches:
            want = [reference.setdefault(text, len(reference)) for text in batch]
            assert table.numbers(batch).tolist() == want
        assert len(table) == len(reference)
        by_number = list(reference)
        assert table.texts(np.arange(len(reference))[::-1]) == by_number[::-1]
        kinds = {"<": IRI, "_": BLANK}
        assert table.kinds().tolist() == [
            kinds.get(text[0], LITERAL if text.endswith('"') else TYPED_LITERAL) for text in by_number]
    finally:
        table.close()


def test_an_empty_batch_and_an_empty_table(tmp_path: Path) -> None:
    table = TermTable(tmp_path / "terms")
    assert table.numbers([]).tolist() == []
    assert table.texts(np.zeros(0, dtype=np.int64)) == []
    assert len(table) == 0 and table.kinds().tolist() == []
    table.close()


class FullDisk:
    """A file whose writes fail (no space left) once they would hold ``marker``, after writing part of it."""

    def __init__(self, file: Any, marker: bytes) -> None:
        self.file, self.marker = file, marker

    def write(self, data: bytes) -> int:
        if self.marker in data:
            self.file.write(data[:len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return int(self.file.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.file, name)


def test_a_failed_write_leaves_the_table_as_it_was(tmp_path: Path) -> None:
    table = TermTable(tmp_path / "terms")
    assert table.numbers(["<urn:a>"]).tolist() == [0]
    table._file = FullDisk(table._file, b"<urn:full>")  # type: ignore[assignment]
    with pytest.raises(OSError, match="No space left"):
        table.numbers(["<urn:b>", "<urn:full>"])
    assert len(table) == 1
    table._file.marker = b"\0never"  # type: ignore[attr-defined]  # room again
    assert table.numbers(["<urn:full>", "<urn:a>", "<urn:b>"]).tolist() == [1, 0, 2]
    assert table.texts(np.arange(3)) == ["<urn:a>", "<urn:full>", "<urn:b>"]
    table.close()
