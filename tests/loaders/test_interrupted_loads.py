"""A file cut short between two of its chunks (a store error, Ctrl-C) leaves nothing of itself in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.errors import LoadStoppedError, StoreError
from detente.graph.store import open_store
from detente.loaders import load_paths, pipeline

HEADER = "claim,subject,predicate,object,source,publisher,published,quote,said_by,confidence\n"


def _claims(store) -> set[str]:
    return {str(row[0]) for row in store.query(
        "SELECT ?c WHERE { GRAPH <https://w3id.org/detente/id/graph/provenance> { ?c a dt:Claim } }").rows}


@pytest.mark.parametrize("stop", [StoreError("IO error: No space left on device"), KeyboardInterrupt()],
                         ids=["store-error", "ctrl-c"])
def test_a_file_cut_short_between_chunks_is_taken_back_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             stop: BaseException) -> None:
    from benchmarks.load_inputs import write_statements_csv

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "graph"))
    from summary_reference import expected, maintained

    first = tmp_path / "first.csv"
    first.write_text(HEADER + "c1,event:t1,hasParty,Ukraine,https://example.org/a,Example News,2025-03-12,q,,0.9\n",
                     encoding="utf-8")
    second = tmp_path / "second.csv"
    write_statements_csv(second, rows=200)
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    load_paths(store, [first])  # the store has claims: the next file is staged, then written chunk by chunk
    before = _claims(store)
    monkeypatch.setattr(pipeline, "CHUNK_CLAIMS", 7)
    writes = []
    original = pipeline.add_claims_nquads

    def failing(*args, **kwargs):
        writes.append(1)
        if len(writes) == 3:
            raise stop
        return original(*args, **kwargs)

    monkeypatch.setattr(pipeline, "add_claims_nquads", failing)
    with pytest.raises(StoreError if isinstance(stop, StoreError) else LoadStoppedError) as raised:
        load_paths(store, [second])
    assert "nothing of the file is stored" in str(raised.value)
    assert len(writes) == 3  # two chunks were written before the third failed
    assert _claims(store) == before
    assert not (tmp_path / "store" / pipeline.JOURNAL_NAME).exists()
    assert maintained(store) == expected(store)
    monkeypatch.setattr(pipeline, "add_claims_nquads", original)
    report, = load_paths(store, [second])  # loaded again, whole
    assert report.new_claims == report.claims
