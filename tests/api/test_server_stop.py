"""The harness's stop of a live server: its closing thunk never runs before the trigger's pipe is written.

A loop woken by an earlier pull (a response's own) used to run the thunk between ``pull_trigger``'s append
and its write, closing the pipe first: the write then failed with EBADF (the rare teardown error of full
runs). Here the loop is woken on purpose and given time to run the thunk before the write.
"""

from __future__ import annotations

import os
import threading
import time

from live_waitress import close_on_loop

from detente.api.app import create_app
from detente.api.server import make_server


def test_the_closing_thunk_waits_for_the_trigger_write(monkeypatch) -> None:
    app = create_app({"store": "memory:", "workers": 1, "update_token": ""})
    server = make_server(app, "127.0.0.1", 0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    trigger = server.trigger
    real_pull = trigger._physical_pull

    def woken_then_slow() -> None:
        os.write(trigger.trigger, b"x")  # the loop wakes, as after a response's own pull
        time.sleep(0.3)  # time enough for a woken loop to run a thunk it may see
        real_pull()  # fails with EBADF if the thunk closed the pipe meanwhile

    monkeypatch.setattr(trigger, "_physical_pull", woken_then_slow)
    close_on_loop(server)
    thread.join(5)
    assert not thread.is_alive(), "the waitress loop did not stop"
    monkeypatch.undo()
    server.task_dispatcher.shutdown(timeout=5)
    app.extensions["detente"].close()
