"""The server's process model: client SPARQL is evaluated only in sandboxed processes, and one writer commits.

The HTTP server never opens the store and never evaluates a query. Below it::

    server (waitress, Flask; speaks HTTP, holds no store)
     └── sandbox root        forked once at start: network sandbox (seccomp), child subreaper,
         │                   dies with the server (PR_SET_PDEATHSIG + a pidfd/parent check)
         │
         │  memory:
         ├── writer W        holds the store; applies no client SPARQL itself
         │    ├── reader ×N  forked from W: a copy-on-write view of W's version, serves queries
         │    └── child U    forked from W for one write: applies it to its own copy within the time
         │                   limit; on success U becomes the writer (W retires once its readers are
         │                   gone), on failure or timeout U is killed and nothing changed
         │
         │  on disk (oxigraph:PATH):
         ├── writer W        holds the RocksDB primary; applies each write to a checkpoint copy of
         │                   PATH (hard links), checks it, then promotes it by an atomic exchange of
         │                   folders; a write that fails, is refused or is killed never touches PATH
         └── reader ×N       forked from the root; each opens a read-only checkpoint of the
                             committed version it serves (a folder nobody writes)

Every process below the root inherits the seccomp filter, so whatever a query
says (``SERVICE``, ``LOAD``), the engine cannot open a socket. Processes die
with their parent (``PR_SET_PDEATHSIG``) and stop when the server's process is
gone (a pidfd they poll), so no writer outlives the server to commit later.

After a committed write the server starts readers of the new version and
sends every new request to them; requests already running finish on the old
version, whose readers then stop. A client never sees versions alternate.

A remote ``sparql+http`` store has no sandbox (its workers need the network):
the root and its readers run unsandboxed, and
:func:`detente.api.sparql_guard.scan_outbound` refuses SERVICE and LOAD.

Writes carry the system graphs they must not change
(:data:`~detente.graph.protected.PROTECTED_GRAPHS`); the writer compares an
exact fingerprint of those graphs before and after, on the copy, and refuses
the write (:class:`~detente.errors.ProtectedGraphError`) when one changed.

The maintained summary (:mod:`detente.graph.summary`) is one of those graphs,
and detente's own step keeps it: the write runs inside
:func:`detente.graph.writes.held`, which leaves the summary graph alone, so
the check sees only what the write itself did; then, on the copy and after
the check, :func:`detente.graph.writes.settle` refreshes the summary for the
claims the write named, and the functions in :data:`AFTER_WRITE` run; all of
it commits with the write, or none of it. A write whose effect is not known
in advance (SPARQL Update, a restore) would need a rebuild, minutes on a big
store: the copy only gets the stale mark, commits, the client has its answer,
and the rebuild is the writer's next step (:meth:`Engine.refresh_summary`),
committed as a version of its own. Readers of the version in between see the
mark and answer from the claims (:func:`detente.graph.summary.aggregate`); a
half-rebuilt summary is never committed, so never served. An engine that
starts on a stale summary (a crash between a write and its rebuild) takes
that step first (:class:`~detente.api.pool.WorkerPool` asks its readers).

>>> from detente.graph import open_store
>>> engine = Engine(open_store("memory:"))
>>> engine.sandboxed == sandbox.status().platform_supported
True
>>> engine.close()
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import pickle
import select
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import reduction
from multiprocessing.connection import Connection, Pipe, wait
from pathlib import Path
from typing import Any

from detente.api import sandbox
from detente.errors import DetenteError, ProtectedGraphError, QueryTimeoutError, StoreError, WorkerError
from detente.graph.location import ReaderSpec, StoreLocation
from detente.graph.store import Store
from detente.graph.workspace import ServerLock, Workspace

__all__ = ["Engine", "WriteRequest", "Applied", "ReaderHandle", "AFTER_WRITE", "SUMMARY_REFRESH_TIMEOUT",
           "EngineBroken", "RemoteTraceback", "outcome", "run_task", "root_entry", "refresh_summary",
           "summary_needs_refresh"]

log = logging.getLogger("detente.api")

#: Run in the writer on the copy after every accepted write and its summary step, before it commits.
AFTER_WRITE: list[Callable[[Store], None]] = []

#: Seconds the summary's rebuild after a write may take (the writer's own step, after the client's answer).
SUMMARY_REFRESH_TIMEOUT = 3600.0


class EngineBroken(StoreError):
    """A process the server cannot do without (the sandbox root, a memory store's writer) is gone."""


class RemoteTraceback(Exception):
    """The traceback of an unexpected exception in a sandboxed process, chained as its ``__cause__``.

    A task raising anything but a :class:`~detente.errors.DetenteError` has a
    bug: the server re-raises the same exception, and its log shows where in
    the worker it happened.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f"\n\"\"\"\n{self.text}\"\"\""


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


def outcome(reply: tuple[Any, ...]) -> Any:
    """The result of a reply, or its exception raised here (with the sandboxed process's traceback)."""
    if reply[0] in ("ok", "prepared"):
        return reply[1]
    _, exc, remote_traceback = reply
    if remote_traceback is not None:
        exc.__cause__ = RemoteTraceback(remote_traceback)
    raise exc


def run_task(store: Store, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """``fn(store, *args, **kwargs)`` as a reply: ``("ok", value)`` or ``("error", exception, traceback)``."""
    try:
        return ("ok", fn(store, *args, **kwargs))
    except Exception as exc:  # every failure goes back as an exception; the process lives on
        return _failure(exc)


@dataclass(frozen=True)
class WriteRequest:
    """One write for the writer: ``fn(store, *args, **kwargs)``.

    Attributes
    ----------
    protected:
        IRIs of graphs the write must leave exactly as they were (else it is
        refused and nothing changes).
    prepare:
        detente's own step run first and exempt from the check (the ontology
        bootstrap before a load).
    """

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    protected: tuple[str, ...] = ()
    prepare: Callable[[Store], Any] | None = None


@dataclass(frozen=True)
class Applied:
    """What a write gave on its copy: the task's result, and whether the summary was left for the next step.

    Attributes
    ----------
    result:
        What ``fn`` returned (the caller's answer).
    summary_stale:
        The copy carries the summary's stale mark: the rebuild is the writer's next step.
    """

    result: Any
    summary_stale: bool = False


def apply_write(store: Store, request: WriteRequest) -> Applied:
    """Apply a write to ``store`` (a copy), refusing it if it changed a protected graph; then detente's own steps.

    In order: ``prepare`` (exempt from the check); the fingerprint of the
    protected graphs; the write, whose summary work is held back
    (:func:`detente.graph.writes.held`); the check; the summary step
    (:func:`detente.graph.writes.settle`, a rebuild put off to the next step);
    the :data:`AFTER_WRITE` hooks. The copy commits all of it or none.
    """
    from rdflib import URIRef

    from detente.graph import writes
    from detente.graph.protected import changed_graphs, fingerprint, protected_graph_message

    if request.prepare is not None:
        request.prepare(store)
    graphs = [URIRef(g) for g in request.protected]
    before = fingerprint(store, graphs) if graphs else {}
    with writes.held(store) as block:
        result = request.fn(store, *request.args, **request.kwargs)
    if graphs:
        changed = changed_graphs(before, fingerprint(store, graphs))
        if changed:
            raise ProtectedGraphError(protected_graph_message(changed))
    stale = writes.settle(store, block, rebuild_later=True)
    for hook in AFTER_WRITE:
        hook(store)
    return Applied(result, stale)


def refresh_summary(store: Store) -> None:
    """The writer's own step after a write that left the summary stale: rebuild it (a no-op when current)."""
    from detente.graph.writes import refresh

    refresh(store)


def summary_needs_refresh(store: Store) -> bool:
    """A reader's task: whether the committed version's summary is stale, or missing beside claims."""
    from detente.graph.writes import needs_refresh

    return needs_refresh(store)


# -- Linux process plumbing ----------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(option, value, 0, 0, 0)


def _die_with_parent(expected_parent: int) -> None:
    """SIGKILL this process when its parent dies, and exit now if the parent is already gone."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != expected_parent:
        os._exit(0)


def _pidfd(pid: int) -> int | None:
    """A descriptor that becomes readable when ``pid`` exits (None where the kernel has no pidfds)."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _readable(fd: int, timeout: float) -> bool:
    """Whether ``fd`` becomes readable within ``timeout`` seconds (poll: any descriptor number)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(max(0.0, timeout) * 1000))


def _gone(pid: int, pidfd: int | None) -> bool:
    if pidfd is not None:
        return _readable(pidfd, 0)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _close_inherited_fds(keep: set[int]) -> None:
    """A child forked from the server must not hold its sockets (a listening port, clients' connections)."""
    try:
        fds = sorted(int(name) for name in os.listdir("/proc/self/fd"))
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd > 2 and fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def _kill(pid: int, pidfd: int | None) -> None:
    try:
        if pidfd is not None:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, OSError):
        pass


def _wait_gone(pid: int, pidfd: int | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not _gone(pid, pidfd) and time.monotonic() < deadline:
        if pidfd is not None:
            _readable(pidfd, deadline - time.monotonic())
        else:
            time.sleep(0.01)


class _Context:
    """What every process below the root knows: the server and root pids and a pidfd on the server."""

    def __init__(self, server_pid: int, root_pid: int, server_fd: int | None) -> None:
        self.server_pid = server_pid
        self.root_pid = root_pid
        self.server_fd = server_fd

    def server_gone(self) -> bool:
        return _gone(self.server_pid, self.server_fd)

    def watch(self) -> list[Any]:
        return [self.server_fd] if self.server_fd is not None else []


def _send_channel(conn: Connection, channel: Connection, message: tuple[Any, ...]) -> None:
    """Send a message, then the descriptor of ``channel`` (an AF_UNIX socket), and close our copy."""
    conn.send(message)
    reduction.send_handle(conn, channel.fileno(), 0)
    channel.close()


def _receive_channel(conn: Connection, timeout: float) -> tuple[tuple[Any, ...], Connection]:
    if not conn.poll(timeout):
        raise EngineBroken("the sandboxed process did not answer")
    message = conn.recv()
    if message[0] == "failed":
        raise StoreError(message[1])
    return message, Connection(reduction.recv_handle(conn))


# -- the processes ------------------------------------------------------------------------

def _serve_tasks(conn: Connection, store: Store | None, ctx: _Context, failure: str = "") -> None:
    """A reader: run tasks from ``conn`` on ``store`` until the server closes it or goes away."""
    while True:
        try:
            if not conn.poll(1.0):
                if ctx.server_gone():
                    return
                continue
            fn, args, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        if store is None:
            reply: tuple[Any, ...] = ("error", StoreError(f"the query worker cannot open the store: {failure}"), None)
        else:
            reply = _on_deep_stack(run_task, store, fn, args, kwargs)
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # an unpicklable result is a bug of the task
            traceback.print_exc()
            conn.send(_failure(exc))


#: Stack of the thread that runs a reader's task. Oxigraph's parser and planner recurse once per nesting level
#: or operator, and a 10,000-term sum overflows the main thread's 8 MiB and kills the reader; on this stack such
#: a query runs until its time limit stops it. Address space, not memory: pages are used only as deep as it goes.
TASK_STACK_BYTES = 512 << 20


def _on_deep_stack(run: Callable[..., tuple[Any, ...]], *args: Any) -> tuple[Any, ...]:
    """``run(*args)`` on a thread with a :data:`TASK_STACK_BYTES` stack."""
    replies: list[tuple[Any, ...]] = []
    previous = threading.stack_size(TASK_STACK_BYTES)
    try:
        worker = threading.Thread(target=lambda: replies.append(run(*args)), name="detente-task")
        worker.start()
    finally:
        threading.stack_size(previous)
    worker.join()
    return replies[0]


def _fork_reader(conn: Connection, ctx: _Context, make_store: Callable[[], Store]) -> int:
    """Fork a reader serving ``make_store()``; send its channel to the server; return its pid."""
    server_end, reader_end = Pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            server_end.close()
            _close_inherited_fds({reader_end.fileno(), *ctx.watch()})
            _die_with_parent(parent)
            try:
                store, failure = make_store(), ""
            except Exception as exc:  # answer every task with the reason rather than dying unexplained
                store, failure = None, str(exc) or type(exc).__name__
            _serve_tasks(reader_end, store, ctx, failure)
        finally:
            os._exit(0)
    reader_end.close()
    _send_channel(conn, server_end, ("reader", pid))
    return pid


def _root_main(conn: Connection, server_pid: int, mode: str, payload: Store | ReaderSpec | None) -> None:
    """The sandbox root: install the sandbox, then fork writers and (on-disk, remote) readers on demand.

    ``payload`` is the memory store (handed to the first writer) or the store's
    :class:`~detente.graph.location.ReaderSpec` (how writer and readers open it).
    """
    _close_inherited_fds({conn.fileno()})
    _die_with_parent(server_pid)
    server_fd = _pidfd(server_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    reason = ""
    if mode == "remote":
        reason = "the store is a remote SPARQL endpoint: its workers need the network"
    else:
        try:
            sandbox.install()
            sandbox.check_refuses_sockets()
        except sandbox.SandboxUnavailable as exc:
            reason = str(exc)
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children and adopted orphans are reaped by the kernel
    ctx = _Context(server_pid, os.getpid(), server_fd)
    conn.send(("ready", sandbox.installed(), reason))
    while True:
        ready = wait([conn, *ctx.watch()], timeout=1.0)
        if ctx.server_gone() or os.getppid() != server_pid:
            os._exit(0)
        if conn not in ready:
            continue
        try:
            message = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if message[0] == "writer":
            _fork_writer(conn, ctx, mode, payload, first=message[1])
            payload = payload if mode != "memory" else None  # the writer holds the memory store now
        elif message[0] == "readers":
            _, count, folder = message
            assert isinstance(payload, ReaderSpec)
            for _ in range(count):
                _fork_reader(conn, ctx, _reader_store_factory(payload, folder))
        elif message[0] == "exit":
            os._exit(0)


def root_entry() -> None:
    """The sandbox root of an on-disk or remote store, in a fresh interpreter (see :class:`Engine`).

    The server sends the store's :class:`~detente.graph.location.ReaderSpec`
    first (a pipe, not the command line: a remote store's password stays out
    of the process list); unpickling it imports the backend's module, so it is
    loaded once here and shared by every process forked from the root.
    """
    import sys

    import detente.api.tasks  # noqa: F401 - loaded once here, shared by every reader forked from the root

    fd, server_pid, mode = sys.argv[1:4]
    try:
        conn = Connection(int(fd))
        spec = conn.recv()
        _root_main(conn, int(server_pid), mode, spec)
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(0)


def _reader_store_factory(spec: ReaderSpec, folder: str | None) -> Callable[[], Store]:
    def make() -> Store:
        if spec.sharing == "snapshot":
            if not folder:  # never the live primary: reading it while the writer writes is undefined
                raise StoreError("no checkpoint of the committed version to read")
            return spec.open_checkpoint(Path(folder))
        return spec.open()
    return make


def _fork_writer(conn: Connection, ctx: _Context, mode: str, payload: Any, first: bool) -> None:
    server_end, writer_end = Pipe()
    pid = os.fork()
    if pid == 0:
        try:
            server_end.close()
            conn.close()
            _die_with_parent(ctx.root_pid)
            if mode == "memory":
                _memory_writer(writer_end, payload, ctx)
            elif mode == "disk":
                _disk_writer(writer_end, payload, ctx, first)
            else:
                _remote_writer(writer_end, payload, ctx)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(0)
    writer_end.close()
    _send_channel(conn, server_end, ("writer", pid))


def _next_message(conn: Connection, ctx: _Context, on_idle: Callable[[], None] | None = None) -> tuple[Any, ...] | None:
    """The next message from the server, or None when the server is gone."""
    while True:
        ready = wait([conn, *ctx.watch()], timeout=1.0)
        if ctx.server_gone():
            return None
        if on_idle is not None:
            on_idle()
        if conn in ready:
            try:
                message: tuple[Any, ...] = conn.recv()
                return message
            except (EOFError, OSError):
                return None


def _memory_writer(conn: Connection, store: Store, ctx: _Context) -> None:
    """The writer of a memory store: forks readers and one child per write; a successful child takes over."""
    readers: dict[int, int | None] = {}
    armed = True  # dies with its parent (the root, or the writer it was forked from until promoted)

    def rearm() -> None:
        nonlocal armed
        # A promoted writer is re-parented to the root (a subreaper) when the old writer exits.
        if not armed and os.getppid() == ctx.root_pid:
            _die_with_parent(ctx.root_pid)
            armed = True

    while True:
        message = _next_message(conn, ctx, rearm)
        if message is None or message[0] == "exit":
            return
        if message[0] == "readers":
            _, count = message
            for _ in range(count):
                pid = _fork_reader(conn, ctx, _read_only_view(store))
                readers[pid] = _pidfd(pid)
        elif message[0] == "write":
            _, request, timeout = message
            outcome = _memory_write(conn, store, request, timeout, ctx)
            if outcome == "promoted":  # this process is the new writer
                for fd in readers.values():
                    if fd is not None:
                        os.close(fd)
                readers = {}
                armed = False
            elif outcome == "retire":  # the child took over: wait for this version's readers, then go
                conn.close()
                for pid, fd in readers.items():
                    while not _gone(pid, fd) and not ctx.server_gone():
                        if fd is not None:
                            _readable(fd, 1.0)
                        else:
                            time.sleep(1.0)
                return


def _read_only_view(store: Store) -> Callable[[], Store]:
    def make() -> Store:
        store.read_only = True
        return store
    return make


def _memory_write(conn: Connection, store: Store, request: WriteRequest, timeout: float, ctx: _Context) -> str:
    """Fork a child that applies the write; promote it or kill it. Returns who goes on as the writer."""
    writer_pid = os.getpid()
    status_parent, status_child = Pipe()
    pid = os.fork()
    if pid == 0:  # the write child
        try:
            status_parent.close()
            _die_with_parent(writer_pid)
            reply = run_task(store, apply_write, (request,), {})
            status_child.send(reply)
            if reply[0] != "ok":
                os._exit(0)
            try:
                order = status_child.recv()
            except (EOFError, OSError):
                os._exit(0)
            if order != "promote":
                os._exit(0)
            _prctl(_PR_SET_PDEATHSIG, 0)  # outlive the old writer, which retires
            status_child.send("promoted")
            status_child.close()
            return "promoted"
        except BaseException:
            traceback.print_exc()
            os._exit(0)
    status_child.close()
    child_fd = _pidfd(pid)
    try:
        ready = wait([status_parent, *ctx.watch()], timeout=timeout)
        if ctx.server_gone():
            _kill(pid, child_fd)
            os._exit(0)
        if status_parent not in ready:
            _kill(pid, child_fd)
            conn.send(("timeout",))
            return "kept"
        try:
            reply = status_parent.recv()
        except (EOFError, OSError):
            conn.send(("error", WorkerError("the write process died (out of memory?); nothing was changed"), None))
            return "kept"
        if reply[0] != "ok":
            conn.send(reply)
            return "kept"
        status_parent.send("promote")
        try:
            acknowledged = status_parent.recv() == "promoted"
        except (EOFError, OSError):
            acknowledged = False
        if not acknowledged:
            conn.send(("error", WorkerError("the write process died before it committed; nothing was changed"), None))
            return "kept"
        conn.send(("ok", reply[1], pid))
        return "retire"
    finally:
        status_parent.close()
        if child_fd is not None:
            os.close(child_fd)


def _disk_writer(conn: Connection, spec: ReaderSpec, ctx: _Context, first: bool) -> None:
    """The writer of an on-disk store: holds the primary; writes go to a checkpoint copy, then promoted."""
    workspace = Workspace(spec.location)
    path = workspace.store_path
    try:
        # A writer that replaces a killed one keeps the snapshots that running readers still read.
        workspace.prepare(keep_snapshots=not first)
        primary = spec.open_private()
    except Exception as exc:
        conn.send(("failed", _open_failure(path, exc)))
        return
    conn.send(("opened",))
    while True:
        message = _next_message(conn, ctx)
        if message is None or message[0] == "exit":
            primary.release()
            return
        op = message[0]
        if op == "snapshot":
            target = workspace.snapshot_path(message[1])
            try:
                primary.checkpoint(target)
                conn.send(("ok", str(target)))
            except StoreError as exc:
                conn.send(("error", exc, None))
        elif op == "drop":
            for name in message[1]:
                _remove_tree(workspace.snapshot_path(name))
        elif op == "write":
            primary = _disk_write(conn, spec, primary, workspace, message[1], ctx, ServerLock.read(path))


def _disk_write(conn: Connection, spec: ReaderSpec, primary: Store, workspace: Workspace, request: WriteRequest,
                ctx: _Context, lock: ServerLock | None) -> Store:
    """Apply one write to a checkpoint copy; on the server's word, promote the copy to be the store."""
    candidate_path = workspace.new_candidate()
    try:
        primary.checkpoint(candidate_path)
        candidate = spec.open_private(candidate_path)
    except StoreError as exc:
        _remove_tree(candidate_path)
        conn.send(("error", exc, None))
        return primary
    conn.send(("applying",))  # the time limit runs from here: copying the store is not the client's doing
    reply = run_task(candidate, apply_write, (request,), {})
    if reply[0] != "ok":
        candidate.release()
        _remove_tree(candidate_path)
        conn.send(reply)
        return primary
    conn.send(("prepared", reply[1]))
    order = _next_message(conn, ctx)
    candidate.release()
    if order is None or order[0] != "commit" or ctx.server_gone():
        # The server is gone or changed its mind (the time ran out): nothing is committed, ever.
        _remove_tree(candidate_path)
        if order is None:
            primary.release()
            os._exit(0)
        return primary
    if lock is not None:
        lock.copy_into(candidate_path)
    primary.release()
    workspace.promote(candidate_path)
    primary = spec.open_private()
    conn.send(("committed",))
    return primary


def _remote_writer(conn: Connection, spec: ReaderSpec, ctx: _Context) -> None:
    """A remote store's writer: writes go straight to the endpoint (there is no copy to apply them to)."""
    store = spec.open(writable=True)
    conn.send(("opened",))
    while True:
        message = _next_message(conn, ctx)
        if message is None or message[0] == "exit":
            return
        if message[0] == "write":
            conn.send(("applying",))
            reply = run_task(store, apply_write, (message[1],), {})
            conn.send(reply if reply[0] != "ok" else ("prepared", reply[1]))
            order = _next_message(conn, ctx)
            if order is None:
                return
            conn.send(("committed",))


def _open_failure(path: Path, exc: Exception) -> str:
    text = str(exc)
    if "lock" in text.lower():
        return (f"the store {path} is in use by another process (a `detente load` or another server?); "
                f"wait for it to finish: {text}")
    return text


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


# -- the server's side -----------------------------------------------------------------

#: The engine's mode for each way a store is shared with readers (see :class:`~detente.graph.location.ReaderSpec`).
_MODE_OF_SHARING = {"fork": "memory", "snapshot": "disk", "connect": "remote"}


@dataclass(eq=False)
class ReaderHandle:
    """A reader process as the server sees it: its pid, its channel, and the version it serves."""

    pid: int
    conn: Connection
    version: int
    pidfd: int | None = None
    _stopping: threading.Lock = field(default_factory=threading.Lock)

    def alive(self) -> bool:
        with self._stopping:
            return self.pidfd is not None and not _gone(self.pid, self.pidfd)

    def stop(self, wait_seconds: float = 10.0) -> None:
        """Kill the reader and wait until it is gone (safe to call twice, from two threads).

        Both descriptors are closed once, under the lock: a second close of a number the kernel has meanwhile
        given to another file (a client's socket, the server loop's trigger) would close that file.
        """
        with self._stopping:
            if self.pidfd is None:
                return
            _kill(self.pid, self.pidfd)
            _wait_gone(self.pid, self.pidfd, wait_seconds)
            os.close(self.pidfd)
            self.pidfd = None
            self.conn.close()


class Engine:
    """The server's handle on the sandboxed processes (see the module docstring).

    How the processes reach the store is the store's to say (its
    :class:`~detente.graph.location.ReaderSpec`): this module parses no URI and
    imports no backend.

    Parameters
    ----------
    store:
        An open store or where one lives (a location or URI). A ``memory:``
        store must be open: its data moves into the sandbox, and the caller
        should not use it for requests. An on-disk store is opened by the
        sandboxed writer, so give its location rather than the open store
        (RocksDB allows one process).

    Attributes
    ----------
    spec:
        How the store's processes open it.
    mode:
        ``memory`` (``"fork"`` sharing), ``disk`` (``"snapshot"``) or ``remote`` (``"connect"``).
    """

    #: Whether the processes evaluating SPARQL run without network access; if not, why (else "").
    sandboxed: bool
    sandbox_reason: str

    def __init__(self, store: Store | StoreLocation | str) -> None:
        from detente.graph.backends import reader_spec

        self.spec: ReaderSpec = store.reader_spec() if isinstance(store, Store) else reader_spec(store)
        self.mode = _MODE_OF_SHARING[self.spec.sharing]
        self.uri = self.spec.location.uri
        payload: Store | ReaderSpec = store if self.spec.sharing == "fork" and isinstance(store, Store) else self.spec
        self.version = 0
        #: Called (with the new version) when a write commits, before the next write can start.
        self.on_commit: list[Callable[[int], None]] = []
        self._snapshots: dict[int, str] = {}
        self._retired_writers: list[tuple[int, int | None]] = []
        # Re-entrant: on_commit callbacks start readers of the new version while the write still holds it.
        self._writer_lock = threading.RLock()
        self._root_lock = threading.Lock()
        self._closed = False
        self._refresh_due = threading.Event()
        self._steps: threading.Thread | None = None
        server_end, root_end = Pipe()
        self._root_process: Any = None
        if self.mode == "memory":
            # The store's data lives in this process: the root is forked to carry it (copy-on-write). A memory
            # store never touches RocksDB, so what this process did with RocksDB cannot hang the child.
            pid = os.fork()
            if pid == 0:
                try:
                    server_end.close()
                    _root_main(root_end, os.getppid(), self.mode, payload)
                except BaseException:
                    traceback.print_exc()
                finally:
                    os._exit(0)
        else:
            # A fresh interpreter: RocksDB keeps process-wide background threads, and a child forked from a
            # process that has used RocksDB would wait forever on threads it does not have.
            import subprocess
            import sys

            self._root_process = subprocess.Popen(
                [sys.executable, "-c", "from detente.api.engine import root_entry; root_entry()",
                 str(root_end.fileno()), str(os.getpid()), self.mode],
                pass_fds=(root_end.fileno(),), stdin=subprocess.DEVNULL)
            pid = self._root_process.pid
            server_end.send(payload)  # the spec, first (see root_entry)
        root_end.close()
        del payload
        self._root_pid, self._root_fd, self._root = pid, _pidfd(pid), server_end
        try:
            if not self._root.poll(60):
                raise EngineBroken("the sandbox root did not start")
            _ready, self.sandboxed, self.sandbox_reason = self._root.recv()
            self._start_writer()
            if self.mode == "disk":
                self._snapshots[0] = self._snapshot(0)
        except BaseException:
            self.close()
            raise
        self._steps = threading.Thread(target=self._writer_steps, name="detente-writer-steps", daemon=True)
        self._steps.start()

    # -- processes ------------------------------------------------------------------
    def _start_writer(self, first: bool = True) -> None:
        with self._root_lock:
            self._root.send(("writer", first))
            (_, pid), conn = _receive_channel(self._root, 60)
        self._writer_pid, self._writer_fd, self._writer = pid, _pidfd(pid), conn
        if self.mode in ("disk", "remote"):
            if not conn.poll(120):
                raise EngineBroken("the store's writer did not start")
            answer = conn.recv()
            if answer[0] == "failed":
                from detente.errors import StoreLockedError

                self._writer_pid = 0
                raise (StoreLockedError if "in use by another process" in answer[1] else StoreError)(answer[1])

    def _snapshot(self, version: int) -> str:
        self._writer.send(("snapshot", f"v{version}"))
        path: str = outcome(self._writer_answer(120))
        return path

    def _writer_answer(self, timeout: float) -> tuple[Any, ...]:
        try:
            if not self._writer.poll(timeout):
                raise EngineBroken("the store's writer stopped answering")
            answer: tuple[Any, ...] = self._writer.recv()
            return answer
        except (EOFError, OSError):
            raise EngineBroken("the store's writer died; restart the server") from None

    def spawn_readers(self, count: int) -> list[ReaderHandle]:
        """Start ``count`` readers of the current version."""
        if self._closed:
            raise EngineBroken("the engine is shut down")
        version = self.version
        if self.mode == "memory":
            with self._writer_lock:
                self._writer.send(("readers", count))
                channels = [_receive_channel(self._writer, 60) for _ in range(count)]
        else:
            with self._root_lock:
                self._root.send(("readers", count, self._snapshots.get(version)))
                channels = [_receive_channel(self._root, 60) for _ in range(count)]
        readers = []
        for message, conn in channels:
            pidfd = _pidfd(message[1])
            if pidfd is None:  # no pidfds on this kernel: a descriptor that never becomes ready stands in
                raise EngineBroken("this kernel has no pidfd_open (Linux 5.3+ is needed)")
            readers.append(ReaderHandle(message[1], conn, version, pidfd))
        return readers

    def drop_snapshots(self, keep: set[int]) -> None:
        """Delete the read-only checkpoints of versions no reader serves any more."""
        if self.mode != "disk" or self._closed:
            return
        stale = [v for v in self._snapshots if v not in keep and v != self.version]
        if stale and self._writer_lock.acquire(blocking=False):
            try:
                self._writer.send(("drop", [f"v{v}" for v in stale]))
                for v in stale:
                    del self._snapshots[v]
            finally:
                self._writer_lock.release()

    def snapshot_for_client(self, name: str) -> str:
        """A read-only checkpoint of the current version for another process (the command line)."""
        if self.mode != "disk":
            raise StoreError("only an on-disk store has snapshots")
        with self._writer_lock:
            self._writer.send(("snapshot", name))
            answer = self._writer_answer(120)
        path: str = outcome(answer)
        return path

    # -- writing --------------------------------------------------------------------
    def write(self, request: WriteRequest, timeout: float) -> Any:
        """Apply one write; when this returns, the new version is committed (and ``version`` counts it).

        Raises
        ------
        QueryTimeoutError
            The write overran ``timeout``; it was killed and changed nothing.
        DetenteError
            The write failed or was refused (as the write raised it); it changed nothing.
        """
        with self._writer_lock:
            if self.mode == "memory":
                self._writer.send(("write", request, timeout))
                answer = self._writer_answer(timeout + 120)
                if answer[0] == "timeout":
                    raise QueryTimeoutError(f"the request ran past the {timeout:g} s time limit and was stopped; "
                                            "nothing was changed")
                if answer[0] != "ok":
                    outcome(answer)
                self._retired_writers.append((self._writer_pid, self._writer_fd))
                self._writer_pid, self._writer_fd = answer[2], _pidfd(answer[2])
                self._forget_gone_writers()
                self.version += 1
                return self._committed(answer[1])
            try:
                self._writer.send(("write", request))
                started = self._writer_answer(600)  # the writer made its copy of the store
                if started[0] != "applying":
                    outcome(started)
                if not self._writer.poll(timeout):
                    self._replace_writer()
                    raise QueryTimeoutError(f"the request ran past the {timeout:g} s time limit and was stopped; "
                                            "nothing was changed")
                answer = self._writer_answer(0)
            except (EngineBroken, OSError):
                self._replace_writer()
                raise WorkerError("the writer died while applying the write (out of memory?); "
                                  "nothing was changed") from None
            if answer[0] != "prepared":
                outcome(answer)
            self._writer.send(("commit",))
            committed = self._writer_answer(600)
            if committed[0] != "committed":
                raise EngineBroken(f"the writer could not commit: {committed}")
            if self.mode == "disk":  # the new version's checkpoint exists before any reader is asked for it
                self._snapshots[self.version + 1] = self._snapshot(self.version + 1)
            self.version += 1
            return self._committed(answer[1])

    def _committed(self, applied: Applied) -> Any:
        """After a commit (the writer lock held): tell the listeners, and put the summary's rebuild next."""
        for callback in self.on_commit:
            callback(self.version)
        if applied.summary_stale:
            self._refresh_due.set()
        return applied.result

    # -- the writer's own steps -------------------------------------------------------
    def refresh_summary(self) -> None:
        """Have the writer bring a stale summary up to date as its next step (its own write, after this returns)."""
        self._refresh_due.set()

    def _closing(self) -> bool:
        """Whether :meth:`close` has begun (read afresh each time: another thread sets it)."""
        return self._closed

    def _writer_steps(self) -> None:
        """Run the writer's own steps: the summary's rebuild after a write that left it stale.

        A step is a write like any other (a copy, then a commit, so readers
        never see half of it), queued behind the writes already waiting; one
        rebuild covers every write committed before it starts.
        """
        while not self._closed:
            if not self._refresh_due.wait(timeout=0.5):
                continue
            self._refresh_due.clear()
            if self._closing():
                return
            try:
                self.write(WriteRequest(refresh_summary), SUMMARY_REFRESH_TIMEOUT)
            except Exception:  # the mark stays: readers answer from the claims; the next write or start retries
                if not self._closed:
                    log.exception("the summary's rebuild after a write failed; it stays marked stale")

    def _forget_gone_writers(self) -> None:
        """Close the pidfds of retired writers that have exited (their readers are gone)."""
        alive = []
        for pid, fd in self._retired_writers:
            if _gone(pid, fd):
                if fd is not None:
                    os.close(fd)
            else:
                alive.append((pid, fd))
        self._retired_writers = alive

    def _replace_writer(self) -> None:
        """Kill a writer that overran its time (it had committed nothing) and start a new one."""
        pid, pidfd = self._writer_pid, self._writer_fd
        self._writer_pid, self._writer_fd = 0, None
        _kill(pid, pidfd)
        _wait_gone(pid, pidfd, 30)
        self._writer.close()
        if pidfd is not None:
            os.close(pidfd)
        self._start_writer(first=False)

    # -- lifecycle ------------------------------------------------------------------
    def pids(self) -> dict[str, list[int]]:
        """Process ids of the root and writers (for monitoring and tests)."""
        writers = [pid for pid, fd in self._retired_writers if not _gone(pid, fd)]
        return {"root": [self._root_pid], "writer": [getattr(self, "_writer_pid", 0)], "retired": writers}

    def close(self) -> None:
        """Stop every process below the server (the writer flushes and exits first)."""
        if self._closed:
            return
        self._closed = True
        self._refresh_due.set()  # wake the steps thread, which sees the engine closed
        writer_pid = getattr(self, "_writer_pid", 0)
        if writer_pid:
            with contextlib.suppress(OSError, AttributeError):
                self._writer.send(("exit",))
            _wait_gone(writer_pid, self._writer_fd, 10)
            _kill(writer_pid, self._writer_fd)
        for pid, fd in self._retired_writers:
            _kill(pid, fd)
        with contextlib.suppress(OSError):
            self._root.send(("exit",))
        _wait_gone(self._root_pid, self._root_fd, 10)
        _kill(self._root_pid, self._root_fd)
        if self._root_process is not None:
            self._root_process.wait()
        else:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._root_pid, 0)
        # This process may start many engines (tests, notebooks): give every descriptor back. Under the writer
        # lock: a write under way (the steps thread's rebuild) retires its writer and closes the pidfds of gone
        # writers itself, and a descriptor closed twice may by then be another file's (a server's trigger).
        # Its writer is dead by now, so it ends at once and lets go of the lock.
        held = self._writer_lock.acquire(timeout=60)
        try:
            for fd in {self._root_fd, getattr(self, "_writer_fd", None), *(fd for _pid, fd in self._retired_writers)}:
                if fd is not None:
                    os.close(fd)
            self._root_fd, self._writer_fd, self._retired_writers = None, None, []
        finally:
            if held:
                self._writer_lock.release()
        self._root.close()
        if getattr(self, "_writer", None) is not None:
            self._writer.close()
        if self._steps is not None and self._steps is not threading.current_thread():
            self._steps.join(timeout=30)  # a step under way ends when its writer is gone
        if self.mode == "disk":
            Workspace(self.spec.location).remove()
