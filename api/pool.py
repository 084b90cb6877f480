"""A pool of sandboxed reader processes that run store work with a hard time limit, and one writer.

pyoxigraph cannot interrupt a running query, so the HTTP server never runs
one in its own process: each request's store work goes to a reader process,
and a reader that overruns its time is killed (SIGKILL) and replaced. The
server's own threads only wait on a socket, so other clients keep being served.

The processes themselves — a sandbox root that forbids network access, one
writer per store, readers of the committed version — are
:class:`detente.api.engine.Engine`'s; this module hands requests to them:

* :meth:`WorkerPool.call` runs a task on an idle reader of the current version;
* :meth:`WorkerPool.update` sends a write to the writer, which applies it to a
  copy and commits it (or changes nothing); then readers of the new version
  replace the old ones: requests already running finish on the old version,
  every later request sees the new one. The writer's own steps (the summary's
  rebuild after an update) commit versions the same way.

How those processes reach the store is the store's to say (its
:class:`~detente.graph.location.ReaderSpec`: ``fork`` for ``memory:``,
``snapshot`` for ``oxigraph:PATH``, ``connect`` for ``sparql+http(s)://``);
this module never looks at a URI and imports no backend.

A task's failure comes back as the exception itself (pickled): a
:class:`~detente.errors.DetenteError` as the task raised it, so the HTTP
answer reads its status off the class; any other exception is a bug, raised
again in the server with the worker's traceback chained to it
(:class:`RemoteTraceback`), so that the server's log shows where it happened.

>>> from detente.graph import open_store
>>> pool = WorkerPool(open_store("memory:"), size=1)
>>> pool.call(count_quads, timeout=10), pool.call(reads, timeout=10)
(0, True)
>>> pool.close()
"""

from __future__ import annotations

import atexit
import queue
import threading
from collections.abc import Callable
from typing import Any

from detente.api.engine import (
    Engine,
    EngineBroken,
    ReaderHandle,
    RemoteTraceback,
    WriteRequest,
    outcome,
    summary_needs_refresh,
)
from detente.errors import (
    BusyError,
    NotAcceptableError,
    NotFoundError,
    QueryTimeoutError,
    StoreError,
    WorkerError,
)
from detente.graph.location import ReaderSpec, StoreLocation
from detente.graph.store import Store

__all__ = ["WorkerPool", "RemoteTraceback", "TaskError", "TaskTimeout", "PoolBusy", "NotFound", "NotAcceptable",
           "count_quads", "reads", "WriteRequest"]

# The pool's failures are detente.errors classes; the old names stay importable.
TaskError = WorkerError
TaskTimeout = QueryTimeoutError
PoolBusy = BusyError
NotFound = NotFoundError
NotAcceptable = NotAcceptableError


def count_quads(store: Store) -> int:
    """A task: the number of quads in the store (Oxigraph counts them one by one: 2 s or more at 1M claims)."""
    return store.count_quads()


def reads(store: Store) -> bool:
    """A task: whether the store answers a query (the probe at start: one match, whatever the store's size)."""
    return store.query("ASK { ?s ?p ?o }").boolean is not None


class WorkerPool:
    """Reader processes running ``fn(store, *args)`` with a time limit, and the store's writer.

    Parameters
    ----------
    store:
        An open ``memory:`` store (its data moves into the sandboxed writer), or
        where a store lives (a location or URI) for the sandboxed processes to
        open; the store says how (:meth:`Store.reader_spec`).
    size:
        Number of reader processes: how many store tasks run at once.

    Attributes
    ----------
    spec:
        How the processes open the store (:class:`~detente.graph.location.ReaderSpec`).
    mode:
        ``memory`` (readers forked from the writer), ``disk`` (readers open
        checkpoints of committed versions) or ``remote`` (each reader connects).
    """

    def __init__(self, store: Store | StoreLocation | str, size: int = 2) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self._idle: queue.Queue[ReaderHandle] = queue.Queue()
        self._workers: set[ReaderHandle] = set()
        self._lock = threading.Lock()  # guards the worker set and the switch to a new version
        self._update_lock = threading.Lock()
        self._closed = False
        self.engine = Engine(store)
        self.spec: ReaderSpec = self.engine.spec
        self.mode = self.engine.mode
        self.engine.on_commit.append(self._switch_readers)
        atexit.register(self.close)
        try:
            for reader in self.engine.spawn_readers(size):
                self._add(reader)
            self.call(reads, timeout=60.0)  # fail now, with the reason, if readers cannot read the store
            if self.call(summary_needs_refresh, timeout=60.0):
                self.engine.refresh_summary()  # left stale by a crash (or never built): the writer's first step
        except BaseException:
            self.close()
            raise

    @property
    def sandboxed(self) -> bool:
        """Whether the processes evaluating SPARQL run without network access."""
        return self.engine.sandboxed

    # -- readers -------------------------------------------------------------------
    def _add(self, reader: ReaderHandle) -> None:
        with self._lock:
            self._workers.add(reader)
        self._idle.put(reader)

    def _stop(self, worker: ReaderHandle) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.stop()
        self.engine.drop_snapshots(self._versions_in_use())

    def _versions_in_use(self) -> set[int]:
        with self._lock:
            return {w.version for w in self._workers}

    def _replace(self, worker: ReaderHandle) -> None:
        self._stop(worker)
        if not self._closed and worker.version == self.engine.version:
            try:
                for reader in self.engine.spawn_readers(1):
                    self._add(reader)
            except (EngineBroken, StoreError, OSError):
                pass

    def _acquire(self, wait: float) -> ReaderHandle:
        while True:
            try:
                worker = self._idle.get(timeout=max(wait, 0.001))
            except queue.Empty:
                raise BusyError(f"all {self.size} query workers stayed busy for {wait:g} s; try again") from None
            if worker.version != self.engine.version:
                self._stop(worker)  # an old version's reader left in the queue: never serve it
                continue
            if not worker.alive():
                self._replace(worker)
                continue
            return worker

    def _release(self, worker: ReaderHandle) -> None:
        if worker.version != self.engine.version or self._closed:
            self._stop(worker)
        else:
            self._idle.put(worker)

    def worker_pids(self) -> list[int]:
        """Process ids of the live readers (for monitoring and tests)."""
        with self._lock:
            return sorted(w.pid for w in self._workers)

    # -- running tasks -------------------------------------------------------------
    def _run_on(self, worker: ReaderHandle, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                timeout: float) -> Any:
        """Run one task on a reader; raises on timeout or death. Returns the raw reply."""
        try:
            worker.conn.send((fn, args, kwargs))
            if not worker.conn.poll(timeout):
                raise QueryTimeoutError(f"the request ran past the {timeout:g} s time limit and was stopped; "
                                        "narrow the query or add LIMIT")
            return worker.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerError("the query worker died (out of memory?); it has been restarted") from exc

    def call(self, fn: Callable[..., Any], *args: Any, timeout: float, **kwargs: Any) -> Any:
        """Run ``fn(store, *args, **kwargs)`` in a reader and return its result.

        ``fn`` must be a module-level function and its result picklable.
        Waiting for a free reader and running are each bounded by ``timeout``.

        Raises
        ------
        QueryTimeoutError
            The work overran ``timeout``: its reader was killed and replaced.
        BusyError
            No reader became free within ``timeout``.
        WorkerError
            The reader died while running the task.
        Exception
            Whatever the task raised, as the same exception: a
            :class:`~detente.errors.DetenteError` as the task made it; anything
            else is a bug, chained to a :class:`RemoteTraceback` of the reader.
        """
        if self._closed:
            raise BusyError("the worker pool is shut down")
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
        return outcome(reply)

    # -- writing -------------------------------------------------------------------
    def update(self, fn: Callable[..., Any], *args: Any, timeout: float, protected: tuple[str, ...] = (),
               prepare: Callable[[Store], Any] | None = None, **kwargs: Any) -> Any:
        """Apply a writing task ``fn(store, …)`` through the writer; later calls see its effect.

        The write runs on a copy within ``timeout``; it commits whole, or —
        failing, refused (a ``protected`` graph changed), or too slow — it
        changes nothing. Readers of the new version replace the old ones
        before this returns.
        """
        with self._update_lock:
            if self._closed:
                raise BusyError("the worker pool is shut down")
            # Readers of the new version replace the old ones as it commits (_switch_readers).
            return self.engine.write(WriteRequest(fn, args, kwargs, tuple(protected), prepare), timeout)

    def _switch_readers(self, version: int) -> None:
        """A version committed (a write, or the writer's own step): start its readers, stop the idle old ones.

        Called by the engine before the next write can start, so readers of
        every committed version exist before a request could need them.
        """
        if self._closed:
            return
        fresh = self.engine.spawn_readers(self.size)
        with self._lock:
            stale: list[ReaderHandle] = []
            while True:
                try:
                    stale.append(self._idle.get_nowait())
                except queue.Empty:
                    break
            self._workers.update(fresh)
            for reader in fresh:
                self._idle.put(reader)
        for worker in stale:
            self._stop(worker)

    def snapshot_for_client(self, name: str) -> str:
        """A read-only checkpoint of the committed version (on-disk stores), for the command line."""
        return self.engine.snapshot_for_client(name)

    # -- lifecycle -----------------------------------------------------------------
    def close(self) -> None:
        """Stop every reader, the writer and the sandbox root."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.stop()
        self.engine.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
