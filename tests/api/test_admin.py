"""The admin routes' spool: a folder only while the command line's writes need one."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from detente.api.admin import Spool


def test_a_spool_folder_is_made_by_the_first_write_and_removed_with_the_server(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    idle = Spool()
    idle.remove()
    assert list(tmp_path.iterdir()) == []  # a server that received no load (or was killed) leaves nothing in /tmp
    spool = Spool()
    write_id = spool.open({"kind": "load"})
    path = Path(spool.get(write_id)["path"])
    assert path.parent.parent == tmp_path and oct(path.parent.stat().st_mode & 0o777) == "0o700"
    spool.remove()
    assert list(tmp_path.iterdir()) == []
    given = Spool(tmp_path / "store.detente" / "spool")  # an on-disk store's: in its workspace, kept for it
    given.close(given.open({"kind": "restore"}))
    given.remove()
    assert (tmp_path / "store.detente" / "spool").is_dir()
