"""Serving the app with waitress, a production WSGI server.

>>> from detente.graph.store import open_store
>>> from detente.api.app import create_app
>>> app = create_app({"store": open_store("memory:"), "workers": 1})
>>> server = make_server(app, "127.0.0.1", 0, threads=2)
>>> int(server.effective_port) > 0
True
>>> server.close(); app.extensions["detente"].close()
"""

from __future__ import annotations

import logging
import signal
import threading

from flask import Flask
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from detente.errors import UsageError

__all__ = ["make_server", "serve"]

log = logging.getLogger("detente.api")


def make_server(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> BaseWSGIServer:
    """A waitress server for ``app``, bound but not yet running (``port=0`` picks a free port).

    Raises :class:`~detente.errors.UsageError` when the address cannot be bound
    (a port in use, a host that is not this machine's).
    """
    from detente.api.admin import BATCH_BYTES

    api = app.extensions.get("detente")
    max_body = api.settings.max_body if api is not None else 1 << 20
    try:
        # waitress refuses bodies a little over the app's own limits (the public routes' max_body, the command
        # line's load batches on /admin), so the app answers 413 with its message.
        server = create_server(app, host=host, port=port, threads=threads, ident="detente",
                               max_request_body_size=max(max_body * 2, BATCH_BYTES + (2 << 20)) + 65536,
                               clear_untrusted_proxy_headers=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot listen on {host}:{port}: {reason} (is another server using it? "
                         "choose another --port or --host)") from exc
    if isinstance(server, MultiSocketServer):  # pragma: no cover - only for several listen addresses
        server.close()
        raise UsageError(f"bind one address, not {host!r}")
    if api is not None:
        shown = f"[{host}]" if ":" in host else host
        api.announce(f"http://{shown}:{server.effective_port}")
    return server


def serve(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    """Serve ``app`` until interrupted, then stop its query workers."""
    api = app.extensions.get("detente")
    try:
        server = make_server(app, host, port, threads)
    except BaseException:
        if api is not None:
            api.close()
        raise
    if threading.current_thread() is threading.main_thread():
        # `kill` and container stops send SIGTERM: stop as for Ctrl-C (lock file and workspace removed).
        signal.signal(signal.SIGTERM, _interrupt)
    log.info("detente serving on http://%s:%s/", host, server.effective_port)
    print(f"detente: serving on http://{host}:{server.effective_port}/  (SPARQL endpoint /sparql; Ctrl-C stops)",
          flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if api is not None:
            api.close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
