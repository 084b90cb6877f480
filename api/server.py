"""Serving the app with waitress, a production WSGI server, behind read timeouts and a connection limit.

Waitress closes a connection only when it has been idle for a while, so a
client that sends one header byte a second ("slowloris") holds its connection
for ever, and a hundred of them used to fill waitress's connection limit:
every new client waited. Here:

* a request's headers and body must arrive within ``read_timeout`` seconds of
  its first byte (:class:`GuardedChannel`), or the connection is closed;
* an idle connection is closed after ``idle_timeout`` seconds;
* up to ``max_connections`` connections are open at once (polled with
  ``poll()``, not ``select()``, which cannot watch descriptors past 1024);
  more wait in the kernel's accept queue until one closes.

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
import time

from flask import Flask
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from detente.errors import UsageError

__all__ = ["make_server", "serve", "GuardedChannel", "GuardedServer"]

log = logging.getLogger("detente.api")


class GuardedChannel(HTTPChannel):
    """A waitress connection that notes when the request it is reading began (its first byte)."""

    request_began: float | None = None

    def received(self, data: bytes) -> bool:
        if data and self.request is None:
            self.request_began = time.monotonic()
        return bool(super().received(data))


class GuardedServer(TcpWSGIServer):
    """Waitress's TCP server that also closes connections whose request arrives too slowly.

    Waitress runs :meth:`maintenance` every ``cleanup_interval`` seconds on its
    loop's thread; besides its own idle check, a connection still reading a
    request ``read_timeout`` seconds after that request's first byte is closed.
    """

    channel_class = GuardedChannel
    read_timeout: float = 15.0

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # type: ignore[arg-type]  # types-waitress says int; waitress passes time.time()
        cutoff = time.monotonic() - self.read_timeout
        for channel in list(self.active_channels.values()):  # type: ignore[attr-defined]  # a dict in waitress, not its stub's HTTPChannel
            began = getattr(channel, "request_began", None)
            if channel.request is not None and began is not None and began < cutoff and not channel.will_close:
                log.info("closing a connection from %s: its request did not arrive within %g s",
                         channel.addr, self.read_timeout)
                channel.will_close = True


def _effective_port(server: BaseWSGIServer) -> int:
    """The port the server is bound to (the free one picked for ``port=0``)."""
    port: int = server.effective_port  # type: ignore[attr-defined]  # set by waitress's __init__, missing from its stub
    return port


def make_server(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> BaseWSGIServer:
    """A waitress server for ``app``, bound but not yet running (``port=0`` picks a free port).

    Raises :class:`~detente.errors.UsageError` when the address cannot be bound
    (a port in use, a host that is not this machine's).
    """
    from detente.api.admin import BATCH_BYTES
    from detente.api.config import ApiSettings

    api = app.extensions.get("detente")
    settings = api.settings if api is not None else ApiSettings(store="memory:")
    # waitress refuses bodies a little over the app's own limits (the public routes' max_body, the command
    # line's load batches on /admin), so the app answers 413 with its message.
    adjustments = Adjustments(host=host, port=port, threads=threads, ident="detente",
                              max_request_body_size=max(settings.max_body * 2, BATCH_BYTES + (2 << 20)) + 65536,
                              clear_untrusted_proxy_headers=True,
                              connection_limit=settings.max_connections,
                              channel_timeout=max(1, round(settings.idle_timeout)),
                              cleanup_interval=1, asyncore_use_poll=True)
    if len(adjustments.listen) != 1:
        raise UsageError(f"bind one address, not {host!r}")
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adjustments.threads)
    try:
        # types-waitress types Adjustments.listen as strings; waitress holds (family, type, proto, address) tuples.
        server = GuardedServer(app, {}, dispatcher=dispatcher, adj=adjustments,
                               sockinfo=adjustments.listen[0])  # type: ignore[arg-type]
    except OSError as exc:
        dispatcher.shutdown(timeout=5)
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot listen on {host}:{port}: {reason} (is another server using it? "
                         "choose another --port or --host)") from exc
    server.read_timeout = settings.read_timeout
    if api is not None:
        shown = f"[{host}]" if ":" in host else host
        api.announce(f"http://{shown}:{_effective_port(server)}")
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
    if not logging.getLogger().handlers:
        # A 500's traceback is logged under its request id: make sure it reaches stderr with a time stamp.
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if threading.current_thread() is threading.main_thread():
        # `kill` and container stops send SIGTERM: stop as for Ctrl-C (lock file and workspace removed).
        signal.signal(signal.SIGTERM, _interrupt)
    log.info("detente serving on http://%s:%s/", host, _effective_port(server))
    print(f"detente: serving on http://{host}:{_effective_port(server)}/  (SPARQL endpoint /sparql; Ctrl-C stops)",
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
