"""The running servers of this user: how ``detente load --server URL`` finds the token for that server.

Each server writes one file (mode 0600, in a 0700 folder under the user's
runtime directory) naming its URL, store, process and per-run admin token, and
removes it when it stops. A file whose process is gone is ignored and removed.

>>> import os
>>> entry = register_server("http://127.0.0.1:1", "token-x", "memory:")
>>> find_server("http://127.0.0.1:1/")["token"]
'token-x'
>>> unregister_server("http://127.0.0.1:1", "token-x"); find_server("http://127.0.0.1:1") is None
True
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["register_server", "unregister_server", "find_server", "servers_folder"]


def servers_folder() -> Path:
    """The 0700 folder holding one file per running server of this user.

    ``$XDG_RUNTIME_DIR/detente/servers``, else ``detente-UID/servers`` in the
    temporary folder — which must then be this user's own, private folder.
    """
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) / "detente" if runtime else Path(tempfile.gettempdir()) / f"detente-{os.getuid()}"
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(base)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{base} is not a private folder of this user; remove it")
    folder = base / "servers"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _normal(url: str) -> str:
    return url.rstrip("/")


def _entry_path(url: str) -> Path:
    return servers_folder() / (hashlib.sha256(_normal(url).encode()).hexdigest()[:16] + ".json")


def register_server(url: str, token: str, store: str) -> Path:
    """Record this process as the server at ``url``."""
    path = _entry_path(url)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"url": _normal(url), "token": token, "store": store, "pid": os.getpid()}, handle)
    return path


def unregister_server(url: str, token: str) -> None:
    """Remove the record of ``url`` if it is still this run's."""
    entry = find_server(url)
    if entry is not None and entry["token"] == token:
        _entry_path(url).unlink(missing_ok=True)


def find_server(url: str) -> dict[str, Any] | None:
    """The record of the running server at ``url``, or None."""
    path = _entry_path(url)
    try:
        entry: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        os.kill(int(entry["pid"]), 0)
    except ProcessLookupError:
        path.unlink(missing_ok=True)
        return None
    except (OSError, ValueError, KeyError):
        return None
    return entry
