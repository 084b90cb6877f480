"""Reads of one store run in worker threads while the caller's thread works on what came before.

pyoxigraph releases the GIL while it evaluates a query and while it writes a
result as TSV, so on a machine of two cores the engine can read the next
batch while Python turns the previous one into records (the conflict
listing, :mod:`detente.graph.conflict_listing`), and two reads of one store
can run at once. A store says whether it may be read from two threads at
once (:attr:`detente.graph.store.Store.concurrent_reads`); where it may not,
or where the caller asks for it, the same calls run in the caller's thread,
one after the other, and give the same answers.

>>> from detente.graph.store import open_store
>>> with StoreReads(open_store("memory:")) as reads:
...     answer = reads.submit(len, "four")
...     answer.result()
4
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from detente.graph.store import Store

_T = TypeVar("_T")
_P = ParamSpec("_P")

#: Worker threads of one :class:`StoreReads`: the machine detente is measured on has two cores, and the engine
#: runs on both at once only with two reads under way (one batch's statements and fields queries).
WORKERS = 2


class StoreReads:
    """Calls that read a store, run ahead in worker threads or, sequentially, at once in the caller's thread.

    Parameters
    ----------
    store:
        The store read; its :attr:`~detente.graph.store.Store.concurrent_reads` says whether threads are used.
    concurrent:
        True or False to decide for the store (False: always in the caller's thread); None: as the store says.

    A call's :class:`~concurrent.futures.Future` gives its answer, or raises the very exception
    the call raised (in a worker thread or not), so callers see the same errors either way.
    Closing (or leaving the ``with`` block) cancels the calls not started yet and waits for
    those under way: no worker thread outlives the reads, and a caller that gives up half-way
    (a generator closed before its end) waits at most for the queries already running.
    """

    def __init__(self, store: Store, *, concurrent: bool | None = None) -> None:
        self.concurrent = store.concurrent_reads if concurrent is None else concurrent
        self._pool: ThreadPoolExecutor | None = (
            ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="detente-reads") if self.concurrent else None)

    def submit(self, call: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        """Start ``call(*args, **kwargs)``: in a worker thread, or run it now (sequential reads)."""
        if self._pool is not None:
            return self._pool.submit(call, *args, **kwargs)
        try:
            return answered(call(*args, **kwargs))
        except Exception as exc:  # raised again, unchanged, by result(): where a worker's error is raised
            failed: Future[_T] = Future()
            failed.set_exception(exc)
            return failed

    def close(self) -> None:
        """Cancel the calls not started and wait for the running ones (their answers are dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> StoreReads:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def answered(value: _T) -> Future[_T]:
    """A value already at hand, as the answer of a read.

    >>> answered(3).result()
    3
    """
    done: Future[_T] = Future()
    done.set_result(value)
    return done
