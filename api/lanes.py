"""Lanes and a version cache for the heavy routes: exports and analyses never take the cheap queries' workers.

An export or an analysis can keep a query worker busy for seconds. Two things
keep them from starving ``ASK``, ``/healthz`` and the REST lookups:

* a :class:`Lane` lets at most ``heavy_requests`` of them compute at once; one
  more is answered at once with :class:`~detente.errors.BusyError` (HTTP 503
  with ``Retry-After``) instead of queueing for a worker;
* a :class:`VersionCache` keeps their answers per store version: the same
  export asked again (or by a few clients at once: they wait for the first,
  up to a bounded number of waiters) is computed once, and
  the first committed write makes every older answer unreachable (the version
  is part of the key), so a cached answer is always the current one.

>>> lane = Lane("exports and analyses", 1, retry_after=2)
>>> with lane.enter():
...     try:
...         with lane.enter():
...             pass
...     except BusyError as busy:
...         print(busy.http_status, busy.headers)
503 {'Retry-After': '2'}
>>> cache = VersionCache(max_bytes=100)
>>> version = [7]
>>> cache.get_or_compute(("export", "dot"), lambda: version[0], lambda: b"digraph {}")
b'digraph {}'
>>> cache.get_or_compute(("export", "dot"), lambda: version[0], lambda: b"never computed")
b'digraph {}'
>>> version[0] = 8  # a write committed
>>> cache.get_or_compute(("export", "dot"), lambda: version[0], lambda: b"digraph { a }")
b'digraph { a }'
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from detente.errors import BusyError

__all__ = ["Lane", "VersionCache", "Answer"]

#: What the cache keeps: a body, or a tuple whose first item is the body (its size is the body's).
Answer = Any


def _size(value: Answer) -> int:
    return len(value) if isinstance(value, (bytes, str)) else len(value[0])


class Lane:
    """At most ``size`` requests of one kind at once; one more is refused with 503 and ``Retry-After``.

    Parameters
    ----------
    name:
        What the lane carries, for the refusal's message.
    size:
        How many may run at once.
    retry_after:
        Seconds the refusal asks the client to wait.
    """

    def __init__(self, name: str, size: int, retry_after: int = 1) -> None:
        self.name = name
        self.size = size
        self.retry_after = retry_after
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def enter(self) -> Iterator[None]:
        """Hold one slot while the block runs; :class:`BusyError` if none is free now."""
        if not self._slots.acquire(blocking=False):
            raise BusyError(f"this server computes at most {self.size} {self.name} at once and all are busy; "
                            f"try again in {self.retry_after} s", retry_after=self.retry_after)
        try:
            yield
        finally:
            self._slots.release()


class _Flight:
    """One computation that later identical requests wait for instead of starting their own."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Answer | None = None
        self.error: BaseException | None = None


class VersionCache:
    """Answers kept per store version, least recently used first out, at most ``max_bytes`` in all.

    An answer is bytes, or a tuple whose first item is the body.

    Parameters
    ----------
    max_bytes:
        Memory for the answers; 0 keeps nothing (identical requests running at
        the same time still share one computation).
    waiting:
        A lane for requests that wait for an identical one being computed (each
        waiter holds a server thread): past it they are refused with
        :class:`BusyError` at once. None: no limit.
    """

    def __init__(self, max_bytes: int, waiting: Lane | None = None) -> None:
        self.max_bytes = max_bytes
        self.waiting = waiting
        self.size = 0
        self._entries: OrderedDict[tuple[int, Hashable], Answer] = OrderedDict()
        self._flights: dict[tuple[int, Hashable], _Flight] = {}
        self._lock = threading.Lock()
        self.computed = 0  # how many answers were computed (for tests and monitoring)

    def __len__(self) -> int:
        return len(self._entries)

    def _forget_other_versions(self, version: int) -> None:
        for key in [k for k in self._entries if k[0] != version]:
            self.size -= _size(self._entries.pop(key))

    def get_or_compute(self, key: Hashable, version_of: Callable[[], int | None], compute: Callable[[], Answer],
                       wait: float = 3600.0) -> Answer:
        """The answer for ``key`` at the store's current version, computed by ``compute()`` if not kept.

        ``version_of()`` is the store's committed version, or None when this
        server cannot know it (a remote store written by others): then nothing
        is kept or shared. An answer is kept only if the version did not change
        while it was computed, so it is exactly that version's answer.
        """
        version = version_of()
        if version is None:
            return compute()
        full_key = (version, key)
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                return self._entries[full_key]
            flight = self._flights.get(full_key)
            leader = flight is None
            if flight is None:
                flight = self._flights[full_key] = _Flight()
        if not leader:
            with self.waiting.enter() if self.waiting is not None else nullcontext():
                if not flight.done.wait(wait):
                    raise BusyError("the same request is still being computed; try again", retry_after=1)
            if flight.error is not None:
                raise flight.error
            assert flight.value is not None
            return flight.value
        try:
            value = compute()
            self.computed += 1
            flight.value = value
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                self._flights.pop(full_key, None)
                if flight.error is None and version_of() == version:
                    self._keep(full_key, value)
            flight.done.set()
        return value

    def _keep(self, full_key: tuple[int, Hashable], value: Answer) -> None:
        self._forget_other_versions(full_key[0])
        if _size(value) > self.max_bytes:
            return
        self._entries[full_key] = value
        self.size += _size(value)
        while self.size > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self.size -= _size(dropped)
