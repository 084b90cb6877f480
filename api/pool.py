"""A pool of worker processes that run store work with a hard time limit.

pyoxigraph cannot interrupt a running query, so the HTTP server never runs
one in its own process: each request's store work goes to a worker process,
and a worker that overruns its time is killed (SIGKILL) and replaced. The
server's own threads only wait on a pipe, so other clients keep being served.

How workers see the store is the store's to say (its
:class:`~detente.graph.location.ReaderSpec`); this module never looks at a URI:

``fork`` (``memory:``)
    workers are forked from the server after the store is loaded, each with
    a copy-on-write snapshot. An update is first run on a worker (so a
    runaway update is killed like a query), then applied to the server's
    store, and every worker is replaced by a fresh fork.
``snapshot`` (``oxigraph:PATH``)
    workers open the database in RocksDB's read-only mode. An update waits
    until no worker reads, runs in a one-off writer process (killed if too
    slow: RocksDB then keeps nothing of it), and fresh readers are started.
``connect`` (``sparql+http(s)://``)
    workers talk to the remote endpoint; updates go through a one-off writer.

A task's failure comes back as the exception itself (pickled): a
:class:`~detente.errors.DetenteError` as the task raised it, so the HTTP
answer reads its status off the class; any other exception is a bug, raised
again in the server with the worker's traceback chained to it
(:class:`RemoteTraceback`), so that the server's log shows where it happened.

>>> from detente.graph import open_store
>>> pool = WorkerPool(open_store("memory:"), size=1)
>>> pool.call(count_quads, timeout=10)
0
>>> pool.close()
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import os
import pickle
import queue
import signal
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from detente.errors import (
    BusyError,
    DetenteError,
    NotAcceptableError,
    NotFoundError,
    QueryTimeoutError,
    StoreError,
    WorkerError,
)
from detente.graph.backends import reader_spec
from detente.graph.location import ReaderSpec, StoreLocation
from detente.graph.store import Store

__all__ = ["WorkerPool", "RemoteTraceback", "TaskError", "TaskTimeout", "PoolBusy", "NotFound", "NotAcceptable",
           "count_quads"]

# The pool's failures are detente.errors classes; the old names stay importable.
TaskError = WorkerError
TaskTimeout = QueryTimeoutError
PoolBusy = BusyError
NotFound = NotFoundError
NotAcceptable = NotAcceptableError


class RemoteTraceback(Exception):
    """The traceback of an unexpected exception in a worker, chained as its ``__cause__``.

    A task raising anything but a :class:`~detente.errors.DetenteError` has a
    bug: the server re-raises the same exception, and its log shows where in
    the worker it happened.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f"\n\"\"\"\n{self.text}\"\"\""


def count_quads(store: Store) -> int:
    """A task: the number of quads in the store (a cheap liveness probe)."""
    return store.count_quads()


def _failure(exc: BaseException) -> tuple[Any, ...]:
    """The reply for a task that raised: the exception itself, and for a bug its traceback too."""
    if isinstance(exc, DetenteError):
        return ("error", exc, None)
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # an exception that does not survive the pipe: keep its type name and text
        exc = RuntimeError(f"{type(exc).__qualname__}: {exc}")
    return ("error", exc, text)


def _worker_main(conn: Connection, store_ref: Store | ReaderSpec, writable: bool,
                 parent_end: Connection | None) -> None:
    """Serve tasks from ``conn`` until the server closes it or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    if parent_end is not None:
        parent_end.close()
    parent = os.getppid()
    store: Store | None = None
    unavailable: DetenteError | None = None
    try:
        store = store_ref if isinstance(store_ref, Store) else store_ref.open(writable=writable)
    except DetenteError as exc:  # answer every task with the reason rather than dying unexplained
        unavailable = exc
    except Exception as exc:
        unavailable = StoreError(f"the query worker cannot open the store: {exc or type(exc).__name__}")
    while True:
        try:
            # Wake up now and then to notice a parent that died without closing the pipe.
            if not conn.poll(1.0):
                if os.getppid() != parent:
                    return
                continue
            fn, args, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        if store is None:
            conn.send(("error", unavailable, None))
            continue
        try:
            reply: tuple[Any, ...] = ("ok", fn(store, *args, **kwargs))
        except Exception as exc:  # every failure goes back as an exception; the worker lives on
            reply = _failure(exc)
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # an unpicklable result is a bug of the task
            conn.send(_failure(exc))


def _outcome(reply: tuple[Any, ...]) -> Any:
    """The result of a worker's reply, or its exception raised here (with the worker's traceback)."""
    if reply[0] == "ok":
        return reply[1]
    _, exc, remote_traceback = reply
    if remote_traceback is not None:
        exc.__cause__ = RemoteTraceback(remote_traceback)
    raise exc


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    generation: int


class WorkerPool:
    """Worker processes running ``fn(store, *args)`` with a time limit.

    Parameters
    ----------
    store:
        An open store, or where one lives (a URI or location) for the workers to open
        themselves; the store says how workers read it (:meth:`Store.reader_spec`).
    size:
        Number of worker processes: how many store tasks run at once.

    Attributes
    ----------
    mode:
        ``memory`` (workers forked from the server's store), ``disk`` (read-only
        snapshots; one writer process at a time) or ``remote`` (each worker connects).
    """

    _MODES = {"fork": "memory", "snapshot": "disk", "connect": "remote"}

    def __init__(self, store: Store | StoreLocation | str, size: int = 2) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self._store: Store | None = store if isinstance(store, Store) else None
        self.spec = store.reader_spec() if isinstance(store, Store) else reader_spec(store)
        self.mode = self._MODES[self.spec.sharing]
        if self.spec.sharing == "fork":
            if self._store is None:
                raise StoreError(f"{self.spec.location.uri}: workers share a memory store by forking; "
                                 "pass the open store")
            self._store_ref: Store | ReaderSpec = self._store
            self._context = mp.get_context("fork")
        else:
            self._store_ref = self.spec
            self._context = mp.get_context("forkserver")
            self._context.set_forkserver_preload(["detente.api.tasks"])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()  # guards forks, the worker set, and writes to a shared memory store
        self._update_lock = threading.Lock()
        self._generation = 0
        self._closed = False
        atexit.register(self.close)
        if not self.spec.location.exists():
            # Readers cannot create a database: a writer makes the empty store first.
            self._run_writer(count_quads, (), {}, 60.0)
        for _ in range(size):
            self._idle.put(self._spawn())
        try:
            self.call(count_quads, timeout=60.0)  # fail now, with the reason, if workers cannot read the store
        except BaseException:
            self.close()
            raise

    # -- workers -----------------------------------------------------------
    def _spawn(self, writable: bool = False, register: bool = True) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        with self._lock:
            if self._closed:
                raise BusyError("the worker pool is shut down")
            forked = self.spec.sharing == "fork"
            process = self._context.Process(
                target=_worker_main, name="detente-query-worker", daemon=True,
                args=(child_end, self._store_ref, writable, parent_end if forked else None))
            process.start()
            worker = _Worker(process, parent_end, self._generation)
            if register:
                self._workers.add(worker)
        child_end.close()
        return worker

    def _stop(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(10)
        worker.conn.close()

    def _replace(self, worker: _Worker) -> None:
        self._stop(worker)
        if not self._closed:
            try:
                self._idle.put(self._spawn())
            except BusyError:
                pass

    def _acquire(self, wait: float) -> _Worker:
        try:
            worker = self._idle.get(timeout=max(wait, 0.001))
        except queue.Empty:
            raise BusyError(f"all {self.size} query workers stayed busy for {wait:g} s; try again") from None
        if not worker.process.is_alive():
            self._stop(worker)
            worker = self._spawn()
        return worker

    def _release(self, worker: _Worker) -> None:
        if worker.generation != self._generation or self._closed:
            self._replace(worker)
        else:
            self._idle.put(worker)

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for monitoring and tests)."""
        with self._lock:
            return sorted(w.process.pid for w in self._workers if w.process.pid is not None)

    # -- running tasks -------------------------------------------------------
    def _run_on(self, worker: _Worker, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                timeout: float) -> Any:
        """Run one task on a worker; the worker is killed on timeout or failure. Returns the raw reply."""
        try:
            worker.conn.send((fn, args, kwargs))
            if not worker.conn.poll(timeout):
                raise QueryTimeoutError(f"the request ran past the {timeout:g} s time limit and was stopped; "
                                        "narrow the query or add LIMIT")
            return worker.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerError("the query worker died (out of memory?); it has been restarted") from exc

    def call(self, fn: Callable[..., Any], *args: Any, timeout: float, **kwargs: Any) -> Any:
        """Run ``fn(store, *args, **kwargs)`` in a worker and return its result.

        ``fn`` must be a module-level function and its result picklable.
        Waiting for a free worker and running are each bounded by ``timeout``.

        Raises
        ------
        QueryTimeoutError
            The work overran ``timeout``: its worker was killed and replaced.
        BusyError
            No worker became free within ``timeout``.
        WorkerError
            The worker died while running the task.
        Exception
            Whatever the task raised, as the same exception: a
            :class:`~detente.errors.DetenteError` as the task made it; anything
            else is a bug, chained to a :class:`RemoteTraceback` of the worker.
        """
        worker = self._acquire(timeout)
        healthy = False
        try:
            reply = self._run_on(worker, fn, args, kwargs, timeout)
            healthy = True
        finally:
            if healthy:
                self._release(worker)
            else:
                self._replace(worker)
        return _outcome(reply)

    # -- writing -------------------------------------------------------------
    def update(self, fn: Callable[..., Any], *args: Any, timeout: float, **kwargs: Any) -> Any:
        """Run a writing task ``fn(store, …)`` so that later tasks see its effect.

        Bounded in time like :meth:`call`; see the module docstring for how
        each kind of store is written.
        """
        with self._update_lock:
            if self.spec.sharing == "fork":
                return self._update_memory(fn, args, kwargs, timeout)
            if self.spec.sharing == "snapshot":
                return self._update_disk(fn, args, kwargs, timeout)
            return self._run_writer(fn, args, kwargs, timeout)

    def _update_memory(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                       timeout: float) -> Any:
        assert self._store is not None
        # Rehearse on a worker's copy: a runaway update is killed there, and the copy is discarded.
        worker = self._acquire(timeout)
        worker.generation = -1
        try:
            reply = self._run_on(worker, _writable_copy(fn), args, kwargs, timeout)
        finally:
            self._replace(worker)
        _outcome(reply)
        with self._lock:
            result = fn(self._store, *args, **kwargs)
            self._generation += 1
        self._refresh_idle()
        return result

    def _update_disk(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                     timeout: float) -> Any:
        # RocksDB readers must not run while another process writes: take every worker out first.
        drained: list[_Worker] = []
        try:
            for _ in range(self.size):
                drained.append(self._acquire(timeout))
        except BusyError:
            for worker in drained:
                self._idle.put(worker)
            raise
        with self._lock:
            self._generation += 1
        for worker in drained:
            self._stop(worker)
        try:
            return self._run_writer(fn, args, kwargs, timeout)
        finally:
            for _ in range(self.size):
                self._idle.put(self._spawn())

    def _run_writer(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                    timeout: float) -> Any:
        writer = self._spawn(writable=True, register=False)
        try:
            reply = self._run_on(writer, fn, args, kwargs, timeout)
        finally:
            writer.conn.close()  # the writer sees EOF, closes the store (flushing it) and exits
            writer.process.join(timeout)
            if writer.process.is_alive():
                writer.process.kill()
                writer.process.join(10)
        return _outcome(reply)

    def _refresh_idle(self) -> None:
        stale: list[_Worker] = []
        while True:
            try:
                stale.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for worker in stale:
            self._release(worker)

    # -- lifecycle -----------------------------------------------------------
    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._workers)
        for worker in workers:
            self._stop(worker)

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _writable_copy(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The rehearsal of an update runs on a worker's private copy of a memory store."""
    import functools

    return functools.partial(_on_writable, fn)


def _on_writable(fn: Callable[..., Any], store: Store, *args: Any, **kwargs: Any) -> Any:
    store.read_only = False
    return fn(store, *args, **kwargs)
