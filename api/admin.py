"""Routes for detente's own command line while this server holds the store: loads, restores, snapshots.

An on-disk store has one writer: while ``detente serve`` holds it, ``detente
load`` (and ``restore``) send their work here instead of opening the store.
Every route needs ``Authorization: Bearer <token>`` with this run's random
token, which only the server's lock file (mode 0600, in the store's folder)
and the per-user server registry hold: whoever may read them may write the
store's folder anyway.

``POST /admin/writes``
    open a write: ``{"kind": "load" | "restore", "format": "nquads" | "trig",
    "replace": false}`` → ``{"id": …}``.
``POST /admin/writes/<id>``
    append a batch of the body (N-Quads for a load; the dump's bytes for a
    restore) to it.
``POST /admin/writes/<id>/commit``
    apply it through the writer in one transaction (a load names its claims:
    ``{"claims": [IRI, …], "complete": true}``, ``complete`` false when the
    text may write claim graphs it does not name) → ``{"new_claims": n}`` /
    ``{"quads": n}``; when this answers, every new request sees the data (a
    restore's summary is rebuilt by the writer's next step, see
    :mod:`detente.api.engine`).
``POST /admin/snapshots``
    a read-only checkpoint of the committed version (on-disk stores) →
    ``{"path": …, "store": URI}``: the command line opens it (under the
    store's name) to resolve entity names or to read, and removes it when done.

A load may write claims, provenance and the entity registry (as ``detente
load`` does), never the ontology or summary graphs; a restore writes what the
dump holds.
"""

from __future__ import annotations

import hmac
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from detente.api import tasks
from detente.errors import ForbiddenError, NotFoundError, UnauthorizedError, UsageError
from detente.ontology.vocab import ONTOLOGY_GRAPH, SUMMARY_GRAPH

__all__ = ["admin", "BATCH_BYTES", "Spool"]

#: Largest batch the command line sends in one request.
BATCH_BYTES = 32 << 20

admin = Blueprint("admin", __name__, url_prefix="/admin")


class Spool:
    """Writes being received: one file per write, in a private folder (0700).

    The folder is made for the first write (a temporary one unless ``folder``
    is given), so a server that never receives one — or is killed before — leaves none.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self._given = folder
        self._folder: Path | None = None
        self.writes: dict[str, dict[str, Any]] = {}

    @property
    def folder(self) -> Path:
        if self._folder is None:
            if self._given is None:
                self._folder = Path(tempfile.mkdtemp(prefix="detente-spool-"))
            else:
                self._given.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._folder = self._given
        return self._folder

    def open(self, settings: dict[str, Any]) -> str:
        write_id = secrets.token_hex(8)
        path = self.folder / write_id
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self.writes[write_id] = {**settings, "path": path}
        return write_id

    def get(self, write_id: str) -> dict[str, Any]:
        if write_id not in self.writes:
            raise NotFoundError(f"no open write {write_id!r}")
        return self.writes[write_id]

    def close(self, write_id: str) -> None:
        entry = self.writes.pop(write_id, None)
        if entry is not None:
            Path(entry["path"]).unlink(missing_ok=True)

    def remove(self) -> None:
        for write_id in list(self.writes):
            self.close(write_id)
        if self._given is None and self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


def _api() -> Any:
    return current_app.extensions["detente"]


@admin.before_request
def _authenticate() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), _api().admin_token.encode()):
        raise UnauthorizedError("this route is for detente's own command line: it needs this run's token "
                                "(in the store's server lock file)",
                                headers={"WWW-Authenticate": 'Bearer realm="detente-admin"'})
    request.max_content_length = BATCH_BYTES + (1 << 20)


@admin.post("/writes")
def open_write() -> Response:
    settings = request.get_json(silent=True) or {}
    kind = settings.get("kind")
    rdf_format = settings.get("format", "nquads")
    if kind not in ("load", "restore"):
        raise UsageError("kind must be 'load' or 'restore'")
    if rdf_format not in ("nquads", "trig") or (kind == "load" and rdf_format != "nquads"):
        raise UsageError("a load sends N-Quads; a restore N-Quads or TriG")
    write_id = _api().spool.open({"kind": kind, "format": rdf_format, "replace": bool(settings.get("replace"))})
    return jsonify({"id": write_id})


@admin.post("/writes/<write_id>")
def append(write_id: str) -> Response:
    entry = _api().spool.get(write_id)
    with open(entry["path"], "ab") as handle:
        handle.write(request.get_data(cache=False))
    return Response(status=204)


@admin.post("/writes/<write_id>/commit")
def commit(write_id: str) -> Response:
    api = _api()
    entry = api.spool.get(write_id)
    body = request.get_json(silent=True) or {}
    timeout = max(api.settings.query_timeout, 3600.0)  # a bulk load is the owner's, not a client's query
    try:
        if entry["kind"] == "load":
            claims = [str(iri) for iri in body.get("claims", [])]
            complete = body.get("complete", True) is not False
            from detente.graph.bootstrap import ensure_ontology

            # The summary is refreshed for these claims after the check, on the same copy (engine.apply_write).
            new = api.pool.update(tasks.load_spool, str(entry["path"]), claims, complete, timeout=timeout,
                                  protected=(str(ONTOLOGY_GRAPH), str(SUMMARY_GRAPH)), prepare=ensure_ontology)
            answer: dict[str, Any] = {"new_claims": new}
        else:
            quads = api.pool.update(tasks.restore_spool, str(entry["path"]), entry["format"], entry["replace"],
                                    timeout=timeout)
            answer = {"quads": quads}
    finally:
        api.spool.close(write_id)
    return jsonify(answer)


@admin.post("/snapshots")
def snapshot() -> Response:
    api = _api()
    if api.pool.mode != "disk":
        raise ForbiddenError("only a server of an on-disk store makes snapshots")
    return jsonify({"path": api.pool.snapshot_for_client(f"client-{secrets.token_hex(6)}"),
                                      "store": api.store_uri})

