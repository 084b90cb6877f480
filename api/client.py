"""The command line's side of the admin routes: send a load or a restore through the server that holds the store.

>>> client = ServerClient("http://127.0.0.1:1", "token")
>>> client.url
'http://127.0.0.1:1'
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from detente.errors import DetenteError, StoreError, UnauthorizedError
from detente.graph.location import StoreLocation
from detente.graph.store import Store

__all__ = ["ServerClient", "server_for", "open_snapshot"]


class ServerClient:
    """Talks to a running ``detente serve`` with this run's admin token (see :mod:`detente.api.admin`)."""

    def __init__(self, url: str, token: str, timeout: float = 3600.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _request(self, path: str, body: bytes | None = None, content_type: str = "application/json") -> Any:
        request = urllib.request.Request(self.url + path, data=body if body is not None else b"", method="POST",
                                         headers={"Authorization": f"Bearer {self.token}",
                                                  "Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            with contextlib.suppress(ValueError):  # not JSON: the body itself is the detail
                detail = json.loads(detail).get("message", detail)
            error_class = UnauthorizedError if exc.code == 401 else _status_error(exc.code)
            raise error_class(f"the server at {self.url} refused: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(f"the server at {self.url} holds this store but cannot be reached: {exc}") from None
        return json.loads(payload) if payload else None

    def snapshot(self) -> tuple[StoreLocation, Path]:
        """Where the server's store lives, and a read-only checkpoint of its committed version (remove it when done)."""
        answer = self._request("/admin/snapshots")
        return StoreLocation.parse(answer["store"]), Path(answer["path"])

    def load(self, claim_iris: Sequence[object], nquads: str, batch_bytes: int, *, complete: bool = True) -> int:
        """One file's N-Quads in one transaction on the server; returns how many claims were new.

        ``complete`` says that ``claim_iris`` names every claim graph the text writes (the summary is then
        refreshed for those claims; otherwise rebuilt, see :func:`detente.graph.writes.add_claims_nquads`).
        """
        data = nquads.encode("utf-8")
        write_id = self._request("/admin/writes", json.dumps({"kind": "load", "format": "nquads"}).encode())["id"]
        for batch in _batches(data, batch_bytes):
            self._request(f"/admin/writes/{write_id}", batch, "application/n-quads")
        answer = self._request(f"/admin/writes/{write_id}/commit",
                               json.dumps({"claims": [str(i) for i in claim_iris], "complete": complete}).encode())
        return int(answer["new_claims"])

    def restore(self, path: Path, rdf_format: str, replace: bool, batch_bytes: int) -> int:
        """A dump file through the server's writer; returns the store's quad count."""
        settings = {"kind": "restore", "format": rdf_format, "replace": replace}
        write_id = self._request("/admin/writes", json.dumps(settings).encode())["id"]
        with path.open("rb") as handle:
            for batch in iter(lambda: handle.read(batch_bytes), b""):
                self._request(f"/admin/writes/{write_id}", batch, "application/octet-stream")
        return int(self._request(f"/admin/writes/{write_id}/commit", b"{}")["quads"])


def _batches(data: bytes, size: int) -> Iterable[bytes]:
    """Pieces of at most ``size`` bytes, cut after a newline (N-Quads lines stay whole)."""
    start = 0
    while start < len(data):
        end = min(len(data), start + size)
        if end < len(data):
            cut = data.rfind(b"\n", start, end)
            end = cut + 1 if cut >= start else end
        yield data[start:end]
        start = end


def _status_error(status: int) -> type[DetenteError]:
    from detente import errors

    for cls in (errors.ProtectedGraphError, errors.ForbiddenError, errors.NotFoundError, errors.UsageError,
                errors.InvalidInputError, errors.StoreLockedError, errors.BusyError):
        if cls.http_status == status:
            return cls
    return StoreError


def server_for(store: str | StoreLocation | None, server_url: str | None = None, token: str | None = None,
               no_server: bool = False) -> ServerClient | None:
    """The running server that must take this command's writes, or None when the store is free.

    ``server_url`` names it explicitly (its token comes from ``token``, the
    user's server registry, or the store's lock file). Otherwise an on-disk
    store's lock file says whether a server holds it.

    Raises
    ------
    ServerHoldsStoreError
        A server holds the store and ``no_server`` forbids going through it.
    UsageError
        ``server_url`` is given but no token for it can be found.
    """
    from detente.api.runtime import find_server
    from detente.errors import ServerHoldsStoreError, UsageError
    from detente.graph.workspace import ServerLock

    disk = StoreLocation.of(store).path  # None for a store that is not on disk: no lock file
    lock = ServerLock.read(disk) if disk is not None else None
    if server_url:
        entry = find_server(server_url)
        found = token or (entry or {}).get("token") or (lock.token if lock and lock.url == server_url.rstrip("/")
                                                         else None)
        if not found:
            raise UsageError(f"no token for the server at {server_url}: run this command as the user who started "
                             "it, on its machine, or give --token")
        return ServerClient(server_url, found)
    if lock is None:
        return None
    if no_server:
        raise ServerHoldsStoreError(
            f"the store {disk} is held by a running detente server (pid {lock.pid}, {lock.url}), its only "
            f"writer: run this command without --no-server to send the work through it (or give --server "
            f"{lock.url}), or stop the server first")
    return ServerClient(lock.url, lock.token)


def open_snapshot(client: ServerClient) -> Store:
    """A read-only store of the server's committed version, removed when this process exits."""
    import atexit
    import shutil

    from detente.graph.backends import reader_spec

    location, folder = client.snapshot()
    atexit.register(shutil.rmtree, folder, True)
    return reader_spec(location).open_checkpoint(folder)
