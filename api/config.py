"""Settings of the HTTP server, from ``DETENTE_*`` environment variables or a mapping.

==========================  =================================================  ============
variable                    meaning                                            default
==========================  =================================================  ============
``DETENTE_STORE``           store URI (``oxigraph:PATH``, ``memory:``, …)      user data dir
``DETENTE_QUERY_TIMEOUT``   seconds a request may spend on the store           10
``DETENTE_MAX_ROWS``        most result rows (or triples) a query may return   100000
``DETENTE_MAX_RESULT_BYTES`` largest SPARQL result body in bytes (>= 65536)    134217728
``DETENTE_MAX_BODY``        largest request body in bytes                      1048576
``DETENTE_UPDATE_TOKEN``    bearer token enabling ``POST /update``             unset: off
``DETENTE_WORKERS``         query worker processes                             CPU count
``DETENTE_HEAVY_REQUESTS``  exports and analyses computed at once (the heavy   workers - 1
                            lane; more are answered 503 with ``Retry-After``)  (at least 1)
``DETENTE_CACHE_BYTES``     memory for exports and analyses of the current     67108864
                            store version (0: no cache)
``DETENTE_READ_TIMEOUT``    seconds a client may take to send one request's    15
                            headers and body, from its first byte
``DETENTE_IDLE_TIMEOUT``    seconds an idle connection is kept open            30
``DETENTE_MAX_CONNECTIONS`` open client connections; more wait in the kernel   500
==========================  =================================================  ============

The heavy lane exists so that exports and analyses, which can take a query
worker for seconds, always leave one worker (with two or more) to ``ASK``,
``/healthz`` and the REST lookups.

>>> settings = ApiSettings.from_mapping({"query_timeout": "2.5"}, environ={})
>>> settings.query_timeout, settings.max_rows, settings.update_token
(2.5, 100000, None)
>>> ApiSettings.from_mapping({"workers": 4}, environ={}).heavy_requests
3
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from detente.errors import UsageError
from detente.graph.backends import default_store_uri
from detente.graph.store import Store

__all__ = ["ApiSettings"]

_FIELDS = ("store", "query_timeout", "max_rows", "max_result_bytes", "max_body", "update_token", "workers",
           "heavy_requests", "cache_bytes", "read_timeout", "idle_timeout", "max_connections")


def _number(name: str, value: object, kind: type, minimum: float) -> float | int:
    try:
        number: float | int = kind(value)  # kind is int or float (see the callers)
    except (TypeError, ValueError):
        raise UsageError(f"DETENTE_{name.upper()}: {value!r} is not a {kind.__name__}") from None
    if number < minimum:
        raise UsageError(f"DETENTE_{name.upper()}: {value!r} must be at least {minimum}")
    return number


@dataclass(frozen=True)
class ApiSettings:
    """What the app needs to know; see the module docstring for each field."""

    store: Store | str
    query_timeout: float = 10.0
    max_rows: int = 100_000
    max_result_bytes: int = 128 << 20
    max_body: int = 1 << 20
    update_token: str | None = None
    workers: int = 2
    heavy_requests: int = 1
    cache_bytes: int = 64 << 20
    read_timeout: float = 15.0
    idle_timeout: float = 30.0
    max_connections: int = 500

    @classmethod
    def from_mapping(cls, config: Mapping[str, object] | None = None,
                     environ: Mapping[str, str] | None = None) -> ApiSettings:
        """Settings from ``config`` (keys ``store`` or ``DETENTE_STORE``…), falling back on the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for key, value in (config or {}).items():
            name = key.lower().removeprefix("detente_")
            if name == "store_instance":  # an open store, as the command line passes it
                name = "store"
            if name not in _FIELDS:
                raise UsageError(f"unknown setting {key!r}; known: {', '.join(_FIELDS)}")
            values[name] = value
        for name in _FIELDS:
            if name not in values and f"DETENTE_{name.upper()}" in env:
                values[name] = env[f"DETENTE_{name.upper()}"]
        store = values.get("store") or default_store_uri()
        token = values.get("update_token")
        workers = int(_number("workers", values.get("workers", os.cpu_count() or 2), int, 1))
        return cls(
            store=store if isinstance(store, Store) else str(store),
            query_timeout=float(_number("query_timeout", values.get("query_timeout", 10.0), float, 0.01)),
            max_rows=int(_number("max_rows", values.get("max_rows", 100_000), int, 1)),
            # At least 64 KiB: a graph body's prefix lines (about 1.3 kB) and a result head always fit.
            max_result_bytes=int(_number("max_result_bytes", values.get("max_result_bytes", 128 << 20), int,
                                         64 << 10)),
            max_body=int(_number("max_body", values.get("max_body", 1 << 20), int, 1024)),
            update_token=str(token) if token else None,
            workers=workers,
            heavy_requests=int(_number("heavy_requests", values.get("heavy_requests", max(1, workers - 1)), int, 1)),
            cache_bytes=int(_number("cache_bytes", values.get("cache_bytes", 64 << 20), int, 0)),
            read_timeout=float(_number("read_timeout", values.get("read_timeout", 15.0), float, 0.1)),
            idle_timeout=float(_number("idle_timeout", values.get("idle_timeout", 30.0), float, 0.1)),
            max_connections=int(_number("max_connections", values.get("max_connections", 500), int, 1)),
        )
