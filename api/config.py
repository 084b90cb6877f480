"""Settings of the HTTP server, from ``DETENTE_*`` environment variables or a mapping.

==========================  =================================================  ============
variable                    meaning                                            default
==========================  =================================================  ============
``DETENTE_STORE``           store URI (``oxigraph:PATH``, ``memory:``, …)      user data dir
``DETENTE_QUERY_TIMEOUT``   seconds a request may spend on the store           10
``DETENTE_MAX_ROWS``        most result rows (or triples) a query may return   100000
``DETENTE_MAX_BODY``        largest request body in bytes                      1048576
``DETENTE_UPDATE_TOKEN``    bearer token enabling ``POST /update``             unset: off
``DETENTE_WORKERS``         query worker processes                             CPU count
==========================  =================================================  ============

>>> settings = ApiSettings.from_mapping({"query_timeout": "2.5"}, environ={})
>>> settings.query_timeout, settings.max_rows, settings.update_token
(2.5, 100000, None)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from detente.errors import UsageError
from detente.graph.backends import default_store_uri
from detente.graph.store import Store

__all__ = ["ApiSettings"]

_FIELDS = ("store", "query_timeout", "max_rows", "max_body", "update_token", "workers")


def _number(name: str, value: object, kind: type, minimum: float) -> float | int:
    try:
        number = kind(value)
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
    max_body: int = 1 << 20
    update_token: str | None = None
    workers: int = 2

    @classmethod
    def from_mapping(cls, config: Mapping[str, object] | None = None,
                     environ: Mapping[str, str] | None = None) -> "ApiSettings":
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
        return cls(
            store=store if isinstance(store, Store) else str(store),
            query_timeout=float(_number("query_timeout", values.get("query_timeout", 10.0), float, 0.01)),
            max_rows=int(_number("max_rows", values.get("max_rows", 100_000), int, 1)),
            max_body=int(_number("max_body", values.get("max_body", 1 << 20), int, 1024)),
            update_token=str(token) if token else None,
            workers=int(_number("workers", values.get("workers", os.cpu_count() or 2), int, 1)),
        )
