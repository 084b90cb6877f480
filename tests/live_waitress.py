"""Stopping a waitress server that runs in a thread of the test process (shared by tests/api and tests/security)."""

from __future__ import annotations

from waitress import wasyncore
from waitress.server import BaseWSGIServer


def close_on_loop(server: BaseWSGIServer) -> None:
    """Close every socket of the server's map on its loop's own thread, which then returns.

    ``server.close()`` alone closes the listening socket but leaves kept-alive client connections in the
    loop's socket map, so ``run()`` polls on and the thread never ends; closing sockets from another thread
    races the loop's poll. So the closing runs on the loop's thread, as waitress runs work there: a thunk
    given to its trigger. ``pull_trigger`` appends the thunk and only then writes to the trigger's pipe; a
    loop already woken (a response's own pull leaves the pipe readable) may run the thunk in between, closing
    the pipe before that write, which then fails with EBADF or lands in whatever reused the descriptor number
    (the rare teardown error of the test runs). Holding the trigger's lock, under which the loop runs its
    thunks, over both steps puts the write first.
    """
    trigger = server.trigger
    with trigger.lock:
        trigger.thunks.append(lambda: wasyncore.close_all(server._map))
        trigger._physical_pull()
