"""Where a served on-disk store keeps its server lock, its versions and its write candidates.

While ``detente serve`` holds an on-disk store ``oxigraph:PATH``:

``PATH/detente-server.json``
    the server lock (mode 0600): the server's URL, process id and a per-run
    random token. Commands that write (``detente load``, ``restore``…) find it
    and send their work through the server, authenticated by the token; a
    lock whose process is gone is stale and removed.
``PATH.detente/``
    a folder beside the store (same file system, so checkpoints are hard
    links): ``snapshots/`` holds read-only checkpoints of committed versions for
    the query workers, ``candidates/`` the copies on which writes are applied
    before they are promoted, ``spool/`` the loads the command line sends
    through the server. The store's location names this folder
    (:attr:`~detente.graph.location.StoreLocation.workspace_path`).

A write is applied to a checkpoint copy of the store and *promoted* by
atomically exchanging the copy's folder with ``PATH`` (``renameat2`` with
``RENAME_EXCHANGE``): at every instant ``PATH`` is either the old version or the
new one, whole; a write that fails, is refused or is killed leaves ``PATH``
untouched.

>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> lock = ServerLock.create(root / "store", url="http://127.0.0.1:8000")
>>> found = ServerLock.read(root / "store")
>>> found.url == "http://127.0.0.1:8000" and found.token == lock.token and found.alive()
True
>>> oct((root / "store" / LOCK_NAME).stat().st_mode & 0o777)
'0o600'
>>> lock.remove(); ServerLock.read(root / "store") is None
True
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import secrets
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from detente.errors import StoreError
from detente.graph.location import StoreLocation

__all__ = ["LOCK_NAME", "ServerLock", "Workspace", "exchange_directories"]

LOCK_NAME = "detente-server.json"


@dataclass(frozen=True)
class ServerLock:
    """The lock a running server leaves in an on-disk store's folder."""

    url: str
    token: str
    pid: int
    store: str

    @classmethod
    def create(cls, store_path: Path, *, url: str, token: str | None = None) -> ServerLock:
        """Write the lock (0600, replacing a stale one) for this process."""
        store_path.mkdir(parents=True, exist_ok=True)
        lock = cls(url=url, token=token or secrets.token_urlsafe(32), pid=os.getpid(), store=str(store_path))
        target = store_path / LOCK_NAME
        temporary = store_path / f".{LOCK_NAME}.{os.getpid()}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(asdict(lock), handle)
        os.replace(temporary, target)
        return lock

    @classmethod
    def read(cls, store_path: Path) -> ServerLock | None:
        """The lock in ``store_path``, or None when there is none or it is stale (its process is gone)."""
        target = store_path / LOCK_NAME
        try:
            data = json.loads(target.read_text(encoding="utf-8"))
            lock = cls(url=str(data["url"]), token=str(data["token"]), pid=int(data["pid"]),
                       store=str(data.get("store", store_path)))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not lock.alive():
            with contextlib.suppress(OSError):
                target.unlink()
            return None
        return lock

    def alive(self) -> bool:
        """Whether the server process that wrote the lock still runs."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def copy_into(self, folder: Path) -> None:
        """Put this lock into another folder (a write candidate about to become the store)."""
        source = Path(self.store) / LOCK_NAME
        if source.exists():
            shutil.copy2(source, folder / LOCK_NAME)

    def remove(self) -> None:
        """Remove the lock if it is still this process's own."""
        target = Path(self.store) / LOCK_NAME
        try:
            current = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if current.get("token") == self.token:
            target.unlink(missing_ok=True)


class Workspace:
    """The folder beside an on-disk store where its server keeps snapshots and write candidates.

    Both folders come from the store's location (:attr:`StoreLocation.path
    <detente.graph.location.StoreLocation.path>` and
    :attr:`~detente.graph.location.StoreLocation.workspace_path`).

    >>> Workspace(StoreLocation.parse("oxigraph:/tmp/db")).candidates
    PosixPath('/tmp/db.detente/candidates')
    """

    def __init__(self, location: StoreLocation) -> None:
        if location.path is None or location.workspace_path is None:
            raise StoreError(f"{location.uri} is not an on-disk store: it has no workspace")
        self.store_path = location.path
        self.root = location.workspace_path
        self.snapshots = self.root / "snapshots"
        self.candidates = self.root / "candidates"
        self.spool = self.root / "spool"

    def prepare(self, keep_snapshots: bool = False) -> None:
        """Create the folders (0700) and remove what a killed writer or server left behind."""
        if self.root.exists():
            self.recover()
        for folder in (self.root, self.snapshots, self.candidates, self.spool):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for folder in (self.candidates,) if keep_snapshots else (self.snapshots, self.candidates):
            for leftover in folder.iterdir():
                shutil.rmtree(leftover, ignore_errors=True)

    def new_candidate(self) -> Path:
        """A fresh path for a write candidate (not created: a checkpoint creates it).

        What earlier writes left is removed first: a write killed while RocksDB
        was checkpointing leaves its ``<candidate>.tmp`` folder, and only the
        one writer of the store ever uses this folder, one write at a time.
        """
        for leftover in self.candidates.iterdir() if self.candidates.exists() else ():
            shutil.rmtree(leftover, ignore_errors=True)
        return self.candidates / f"c{os.getpid()}-{secrets.token_hex(6)}"

    def snapshot_path(self, name: str) -> Path:
        return self.snapshots / name

    def promote(self, candidate: Path) -> None:
        """Make ``candidate`` the store: exchange the two folders, then remove the old version.

        Where the file system cannot exchange atomically, two renames are
        used, with a marker so that :meth:`recover` finishes a promotion that a
        crash interrupted between them.
        """
        try:
            exchange_directories(self.store_path, candidate)
        except OSError as exc:
            if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            marker = self.root / "promoting.json"
            retired = candidate.with_name(candidate.name + "-retired")
            marker.write_text(json.dumps({"candidate": str(candidate), "retired": str(retired)}), encoding="utf-8")
            os.rename(self.store_path, retired)
            os.rename(candidate, self.store_path)
            marker.unlink()
            candidate = retired
        shutil.rmtree(candidate, ignore_errors=True)

    def recover(self) -> None:
        """Finish a promotion interrupted between its two renames (see :meth:`promote`)."""
        marker = self.root / "promoting.json"
        if not marker.exists():
            return
        record = json.loads(marker.read_text(encoding="utf-8"))
        candidate, retired = Path(record["candidate"]), Path(record["retired"])
        if not self.store_path.exists() and candidate.exists():
            os.rename(candidate, self.store_path)
        if self.store_path.exists():
            shutil.rmtree(retired, ignore_errors=True)
        marker.unlink()

    def remove(self) -> None:
        """Remove the whole workspace (the server stops)."""
        shutil.rmtree(self.root, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_NR_RENAMEAT2 = {"x86_64": 316, "aarch64": 276}


def exchange_directories(first: Path, second: Path) -> None:
    """Atomically swap two directory entries on one file system (Linux ``renameat2(RENAME_EXCHANGE)``).

    Raises
    ------
    OSError
        The kernel or file system cannot exchange (then nothing moved).
    """
    import platform

    number = _NR_RENAMEAT2.get(platform.machine().lower())
    if not sys.platform.startswith("linux") or number is None:
        raise OSError(errno.ENOSYS, "atomic directory exchange needs Linux (x86_64 or aarch64)")
    libc = ctypes.CDLL(None, use_errno=True)  # the C library already loaded in this process
    libc.syscall.restype = ctypes.c_long
    result = libc.syscall(ctypes.c_long(number), ctypes.c_int(_AT_FDCWD), os.fsencode(first),
                          ctypes.c_int(_AT_FDCWD), os.fsencode(second), ctypes.c_uint(_RENAME_EXCHANGE))
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"cannot exchange {first} and {second}: {os.strerror(code)}")
