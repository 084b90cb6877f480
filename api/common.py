"""What every blueprint shares.

The app's :class:`DetenteApi`, content negotiation, parameters, and the app's one error handler.

The handler reads an answer off the exception: a :class:`~detente.errors.DetenteError`
carries its status and headers, werkzeug's own HTTP errors (unknown route,
wrong method, body too large) theirs. Anything else is a bug: a 500 whose
body and ``X-Request-Id`` header give a request id, logged with its traceback
under the same id. Errors are plain text on the SPARQL routes (what SPARQL
clients show) and JSON elsewhere.

>>> from flask import Flask
>>> app = Flask("bare")
>>> _ = app.register_error_handler(Exception, handle_error)
>>> @app.get("/boom")
... def boom():
...     raise ValueError("a bug")
>>> response = app.test_client().get("/boom")
>>> response.status_code, response.json["request_id"] == response.headers["X-Request-Id"]
(500, True)
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import uuid
from collections.abc import Callable, Hashable, Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from detente.api.config import ApiSettings
from detente.api.lanes import Answer, Lane, VersionCache
from detente.api.pool import WorkerPool
from detente.errors import DetenteError, UsageError
from detente.graph import open_store
from detente.graph.location import StoreLocation
from detente.graph.store import Store

__all__ = ["DetenteApi", "current_api", "handle_error", "error_response", "negotiate", "single", "TEXT_ROUTES"]

log = logging.getLogger("detente.api")

#: Routes whose errors are plain text, as SPARQL clients show them.
TEXT_ROUTES = ("/sparql", "/update")


class DetenteApi:
    """The app's state: settings, the worker pool and this run's admin token (``app.extensions["detente"]``).

    The app keeps no store: a ``memory:`` store given to it moves into the
    sandboxed writer (see :mod:`detente.api.engine`).

    Parameters
    ----------
    settings:
        What the app needs to know (see :mod:`detente.api.config`).
    """

    def __init__(self, settings: ApiSettings) -> None:
        from detente.api.admin import Spool
        from detente.graph.workspace import Workspace

        self.settings = settings
        store: Store | StoreLocation = (settings.store if isinstance(settings.store, Store)
                                        else StoreLocation.parse(settings.store))  # parsed once, here
        if isinstance(store, StoreLocation) and store.kind == "memory":
            store = open_store(store)  # a memory store lives in a process: the sandboxed writer forks from it
        self.pool = WorkerPool(store, size=settings.workers)
        del store
        #: Where the store lives, as the pool's processes open it.
        self.location: StoreLocation = self.pool.spec.location
        self.store_uri: str = self.location.uri
        self.admin_token = secrets.token_urlsafe(32)
        self.url: str | None = None
        self.lock: Any = None
        self.spool = Spool(Workspace(self.location).spool if self.pool.mode == "disk" else None)
        #: Exports and analyses: at most ``heavy_requests`` at once, answers kept per store version.
        retry_after = max(1, math.ceil(settings.query_timeout / 4))
        self.heavy_lane = Lane("exports and analyses", settings.heavy_requests, retry_after=retry_after)
        # As many may wait for an identical computation as may compute: together they hold at most
        # 2 × heavy_requests of the server's threads.
        self.cache = VersionCache(settings.cache_bytes, waiting=Lane(
            "waits for an identical export or analysis", settings.heavy_requests, retry_after=retry_after))

    def init_app(self, app: Flask) -> None:
        """Make this the state of ``app``, with the request limits of its settings."""
        app.config["MAX_CONTENT_LENGTH"] = self.settings.max_body
        app.config["MAX_FORM_MEMORY_SIZE"] = self.settings.max_body
        app.extensions["detente"] = self

    def announce(self, url: str) -> None:
        """The server listens at ``url``: mark an on-disk store as held (its lock file) and register the run."""
        from detente.api.runtime import register_server
        from detente.graph.workspace import ServerLock

        self.url = url
        if self.pool.mode == "disk" and self.location.path is not None:
            self.lock = ServerLock.create(self.location.path, url=url, token=self.admin_token)
        register_server(url, self.admin_token, self.store_uri)

    def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run the task ``fn(store, *args, **kwargs)`` in a worker, bounded by the query timeout."""
        return self.pool.call(fn, *args, timeout=self.settings.query_timeout, **kwargs)

    def store_version(self) -> int | None:
        """The committed version of the store, counted by this server's one writer.

        None for a remote store, which others may write without this server knowing.
        """
        return None if self.pool.mode == "remote" else self.pool.engine.version

    def heavy(self, key: Hashable, compute: Callable[[], Answer]) -> Answer:
        """An export's or analysis's answer: kept for the current store version, else computed in the heavy lane.

        Identical requests arriving together share one computation; a request
        that would need a lane slot when none is free gets :class:`~detente.errors.BusyError`.
        """
        def in_lane() -> Answer:
            with self.heavy_lane.enter():
                return compute()

        return self.cache.get_or_compute(key, self.store_version, in_lane, wait=self.settings.query_timeout * 2)

    def close(self) -> None:
        from detente.api.runtime import unregister_server

        if self.lock is not None:
            self.lock.remove()
            self.lock = None
        if self.url is not None:
            unregister_server(self.url, self.admin_token)
        self.spool.remove()
        self.pool.close()


def current_api() -> DetenteApi:
    """The :class:`DetenteApi` of the app handling the current request."""
    return current_app.extensions["detente"]  # type: ignore[no-any-return]


# -- answering errors ------------------------------------------------------------

def error_response(status: int, message: str, headers: Mapping[str, str] | None = None,
                   request_id: str | None = None) -> Response:
    """An error answer: plain text on :data:`TEXT_ROUTES`, JSON elsewhere."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    if request.path in TEXT_ROUTES:
        response = Response(f"{status} {phrase}: {message}\n", status=status, mimetype="text/plain")
    else:
        body: dict[str, object] = {"error": phrase, "status": status, "message": message}
        if request_id is not None:
            body["request_id"] = request_id
        response = Response(json.dumps(body), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if request_id is not None:
        response.headers["X-Request-Id"] = request_id
    return response


def handle_error(exc: Exception) -> Response:
    """The app's one error handler (registered for ``Exception``)."""
    if isinstance(exc, HTTPException):  # werkzeug's: no such route (404), wrong method (405), too large (413)
        status = exc.code or 500
        message = exc.description or exc.name
        headers = {key: value for key, value in exc.get_headers() if key.lower() == "allow"}
        if status == 413:
            limit = current_app.config.get("MAX_CONTENT_LENGTH")
            message = f"the request body is larger than the {limit} bytes this server accepts"
        if status < 500:
            return error_response(status, message, headers)
    elif isinstance(exc, DetenteError) and exc.http_status != 500:
        return error_response(exc.http_status, str(exc), exc.headers)
    # A 500: a bug, or a store or worker failure. Its details are for the log, not for the client.
    request_id = uuid.uuid4().hex
    log.error("request %s: %s %s failed", request_id, request.method, request.path, exc_info=exc)
    return error_response(500, f"the server failed to answer this request; its log tells why under request id "
                               f"{request_id}", request_id=request_id)


# -- reading requests ------------------------------------------------------------

def negotiate(offers: list[str]) -> str | None:
    """The best of ``offers`` for the request's Accept header (the first when there is none)."""
    if not request.headers.get("Accept", "").strip():
        return offers[0]
    return request.accept_mimetypes.best_match(offers)


def single(values: list[str], name: str) -> str:
    """The one non-empty value of a parameter given exactly once."""
    if not values:
        raise UsageError(f"missing {name!r} parameter")
    if len(values) > 1:
        raise UsageError(f"the {name!r} parameter was given {len(values)} times; give it once")
    if not values[0].strip():
        raise UsageError(f"the {name!r} parameter is empty")
    return values[0]
