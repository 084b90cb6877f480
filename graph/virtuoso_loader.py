r"""Virtuoso's own bulk loader for a server on this machine: N-Quads files run by ``DB.DBA.TTLP_MT``.

The fastest way into Virtuoso 7.2 (Debian's ``virtuoso-opensource``) for data
spread over many named graphs: its Graph Store Protocol takes one graph per
request (N-Quads and TriG are refused, openlink/virtuoso-opensource#275; POST of
N-Quads came only in later builds, #1142), and ``INSERT DATA`` goes through the
SPARQL compiler. The loader is what Virtuoso's ``rdf_loader_run`` uses: its
native N-Quads parser writing straight into ``RDF_QUAD``.

It needs what only the user can name: the server's SQL port, and a folder that
both this process and the server may read (listed in the server's
``DirsAllowed``). A store URI says so with ``?loader=virtuoso&sql=HOST:PORT&spool=FOLDER``
(:class:`detente.graph.location.RemoteOptions`). SQL goes through Virtuoso's own
client, ``isql-vt`` (Debian) or ``isql-v``; the only SQL text built here calls
the loader on file names this module made (refused if they hold a quote).

>>> statement = loader_statement(Path("/srv/spool/detente-load-1.nq"), "https://w3id.org/detente/id/graph/facts")
>>> for part in statement.replace("), ", "),\n").split("; "):
...     print(part)
log_enable (2, 1)
DB.DBA.TTLP_MT (file_to_string_output ('/srv/spool/detente-load-1.nq'),
'', 'https://w3id.org/detente/id/graph/facts', 512, 2, 3);

Loads follow Virtuoso's bulk-loading practice (what ``rdf_loader_run`` does):
without the transaction log (``log_enable (2, 1)``: each row commits as it is
written and nothing goes to the log, about 5× faster here than a logged load)
and a ``checkpoint`` once every file is in, which is what makes an unlogged
load durable (without it, a crash before the server's next checkpoint loses
the load while the caller believes it complete). As ``rdf_loader_run`` is
meant to be run, two loader calls run at once, in two client sessions: on 2
cores a 100k-claim load took 11.6–13.7 s instead of 13.4–16.6 s
(benchmarks/results/scale.md). Two calls may deadlock on the rows they both
write; the server rolls one back, and it is run again (rows commit one by
one, and a quad already stored is not stored twice).
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from detente.errors import StoreError

ISQL_NAMES = ("isql-vt", "isql-v")
#: ``DB.DBA.TTLP`` flag: the text is N-Quads (triples without a graph go to the graph argument).
NQUADS_FLAG = 512
#: ``log_enable`` mode of the load: 2 = no transaction log, commit row by row (the bulk loader's).
LOG_MODE = 2
#: Worker threads of ``TTLP_MT`` (Virtuoso's default; 1 and 2 measured the same on 2 cores).
THREADS = 3
#: Loader calls running at once, each in its own client session (as Virtuoso's ``rdf_loader_run`` is run in
#: parallel): one call's parse keeps about one core busy.
WORKERS = 2
#: Times a loader call rolled back by a deadlock with the other calls is run again.
DEADLOCK_RETRIES = 5
#: Lines per loader call: Virtuoso's CPU for a load was 10–15% lower in calls of 5,000–10,000 lines than of
#: 70,000 (10k claims, benchmarks/results/scale.md), so a file is loaded by calls over byte ranges of it.
CALL_LINES = 10_000
_UNSAFE = ("'", "\\", "\n", "\r", "\x00")


def find_isql() -> str:
    """The path of Virtuoso's SQL client, or a :class:`StoreError` saying what to install."""
    for name in ISQL_NAMES:
        found = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
        if found:
            return found
    raise StoreError("loader=virtuoso needs Virtuoso's SQL client isql-vt on this machine "
                     "(apt-get install virtuoso-opensource)")


def loader_statement(path: Path, default_graph: str, ranges: Sequence[tuple[int, int]] = ()) -> str:
    r"""The SQL that loads one N-Quads file, whole or in byte ranges (names that could leave their string are refused).

    Each range (``start``, ``end``: byte offsets at line ends) is one loader call.

    >>> print(loader_statement(Path("/s/f.nq"), "urn:g", [(0, 10), (10, 25)]).replace("; D", ";\nD"))
    log_enable (2, 1);
    DB.DBA.TTLP_MT (file_to_string_output ('/s/f.nq', 0, 10), '', 'urn:g', 512, 2, 3);
    DB.DBA.TTLP_MT (file_to_string_output ('/s/f.nq', 10, 25), '', 'urn:g', 512, 2, 3);
    """
    for text in (str(path), default_graph):
        if any(bad in text for bad in _UNSAFE):
            raise StoreError(f"cannot pass {text!r} to Virtuoso's loader: it holds a quote, backslash or line break")
    sources = [f"'{path}'"] if not ranges else [f"'{path}', {int(start)}, {int(end)}" for start, end in ranges]
    return f"log_enable ({LOG_MODE}, 1); " + " ".join(
        f"DB.DBA.TTLP_MT (file_to_string_output ({source}), '', '{default_graph}', {NQUADS_FLAG}, {LOG_MODE}, "
        f"{THREADS});" for source in sources)


def line_ranges(data: bytes, lines: int) -> list[tuple[int, int]]:
    r"""Byte ranges of ``data`` of about ``lines`` lines each, cut after line breaks (one range if it is short).

    >>> line_ranges(b"a\nbb\nccc\nd\n", 2)
    [(0, 5), (5, 9), (9, 11)]
    >>> line_ranges(b"a\nbb\n", 2)
    [(0, 5)]
    """
    breaks = data.count(b"\n")
    if breaks <= lines:
        return [(0, len(data))]
    step = max(1, len(data) * lines // (breaks + 1))
    ranges: list[tuple[int, int]] = []
    start = 0
    while start < len(data):
        cut = data.find(b"\n", min(len(data), start + step - 1))
        end = len(data) if cut < 0 else cut + 1
        ranges.append((start, end))
        start = end
    return ranges


class VirtuosoLoader:
    """Runs Virtuoso's loader over N-Quads files written to ``spool``.

    Parameters
    ----------
    sql:
        ``HOST:PORT`` of the server's SQL port.
    spool:
        A folder this process writes and the server reads (in its ``DirsAllowed``).
    user, password:
        The SQL account (the store's credentials; Virtuoso's ``dba`` can load).
    timeout:
        Seconds for the whole load.
    call_lines:
        About how many lines one loader call reads (a file is loaded in calls over ranges of it).
    """

    def __init__(self, sql: str, spool: Path, user: str | None, password: str | None, timeout: float,
                 call_lines: int = CALL_LINES) -> None:
        self.sql = sql
        self.spool = spool
        self.user = user or "dba"
        self.password = password or ""
        self.timeout = timeout
        self.call_lines = call_lines

    @contextmanager
    def session(self, default_graph: str) -> Iterator[LoadSession]:
        """Yield a :class:`LoadSession`: each N-Quads text submitted is written to a spool file and loaded.

        :data:`WORKERS` threads each run the loader over one waiting file at a
        time, while the caller writes the next files; each file is loaded in
        calls of about ``call_lines`` lines (a file holding ``_:``, a possible
        blank node, in one call). Leaving the block waits for every load and
        raises the first failure; once all succeeded it runs a ``checkpoint``
        (the loads skip the transaction log: the checkpoint makes them
        durable). Files are removed once loaded, whether the load succeeded or
        not, and texts submitted after a failure are not loaded.
        """
        if not self.spool.is_dir():
            raise StoreError(f"the loader's spool folder {self.spool} does not exist")
        session = LoadSession(self, find_isql(), default_graph)
        try:
            yield session
        except BaseException as exc:
            session.failures.append(exc)  # the files still waiting are not loaded
            raise
        finally:
            session.close()
        if session.failures:
            raise session.failures[0]
        self._run(session.isql, ["checkpoint;"])

    def _run(self, isql: str, statements: Sequence[str]) -> None:
        host, _, port = self.sql.rpartition(":")
        # isql reports each error on stdout (ERRORS=STDOUT), goes on with the next statement, and may exit 0.
        command = [isql, f"{host or 'localhost'}:{port}", self.user, self.password, "VERBOSE=OFF", "BANNER=OFF",
                   "ERRORS=STDOUT", "exec=" + " ".join(statements)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=self.timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise StoreError(f"Virtuoso's loader at {self.sql} did not finish within {self.timeout:.0f} s") from exc
        output = (done.stdout + done.stderr).strip()
        if done.returncode != 0 or "*** Error" in output:
            message = output.replace(self.password, "***") if self.password else output
            if "FA003" in message or "DirsAllowed" in message or "access control" in message:
                message += f" (add {self.spool} to DirsAllowed in the server's virtuoso.ini)"
            if "Error 40001" in output:
                raise LoaderDeadlock(f"Virtuoso's loader at {self.sql} failed: {message[:2000]}", output)
            raise StoreError(f"Virtuoso's loader at {self.sql} failed: {message[:2000]}")


class LoaderDeadlock(StoreError):
    """Two loader calls running at once met in a deadlock (SQL state 40001): the server rolled one back.

    ``output`` is the client's whole output (unmasked and uncut: it quotes the calls that failed).
    """

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


def _failed_range(output: str, path: Path, ranges: Sequence[tuple[int, int]]) -> int:
    """The first of a file's ranges the loader's ``output`` quotes as failed (those before it are in); 0 if none."""
    for number, (start, end) in enumerate(ranges):
        if f"('{path}', {int(start)}, {int(end)})" in output:
            return number
    return 0


class LoadSession:
    """The files of one :meth:`VirtuosoLoader.session`, loaded by :data:`WORKERS` threads.

    Files load in parallel, in no set order: :meth:`wait` is the order point
    (a text submitted after it starts loading once every earlier one is in).
    """

    def __init__(self, loader: VirtuosoLoader, isql: str, default_graph: str) -> None:
        self.loader = loader
        self.isql = isql
        self.default_graph = default_graph
        self.batch = uuid.uuid4().hex
        self.count = 0
        self.failures: list[BaseException] = []
        self.waiting: queue.Queue[tuple[Path, list[tuple[int, int]]] | None] = queue.Queue(maxsize=WORKERS)
        self.outstanding = 0  # files submitted and not yet loaded (or failed)
        self.settled = threading.Condition()
        self.workers = [threading.Thread(target=self._work, name="virtuoso-loader", daemon=True)
                        for _ in range(WORKERS)]
        for worker in self.workers:
            worker.start()

    def submit(self, text: str) -> None:
        """Write ``text`` to a spool file and queue it for loading (the first failure so far is raised here)."""
        if self.failures:
            raise self.failures[0]
        path = self.loader.spool / f"detente-load-{self.batch}-{self.count}.nq"
        self.count += 1
        data = text.encode("utf-8")
        with self.settled:
            self.outstanding += 1
        try:
            path.write_bytes(data)
            # A blank node label is scoped to one loader call: a file that may hold one is loaded whole.
            self.waiting.put((path, [] if b"_:" in data else line_ranges(data, self.loader.call_lines)))
        except BaseException:  # a full disk, or an interrupt while the queue is full: the file is not queued
            with suppress(OSError):
                path.unlink(missing_ok=True)
            self._settle()
            raise

    def wait(self) -> None:
        """Wait until every file submitted so far is loaded; raise the first failure."""
        with self.settled:
            self.settled.wait_for(lambda: self.outstanding == 0)
        if self.failures:
            raise self.failures[0]

    def close(self) -> None:
        """Let the workers load what was submitted, and end them."""
        for _worker in self.workers:
            self.waiting.put(None)
        for worker in self.workers:
            worker.join()

    def _settle(self) -> None:
        """One submitted file is done with (loaded, failed or never queued)."""
        with self.settled:
            self.outstanding -= 1
            self.settled.notify_all()

    def _work(self) -> None:
        while (item := self.waiting.get()) is not None:
            path, ranges = item
            try:
                if not self.failures:
                    self._load(path, ranges)
            except BaseException as exc:  # handed to the caller's thread
                self.failures.append(exc)
            finally:
                try:
                    with suppress(OSError):
                        path.unlink(missing_ok=True)
                finally:
                    self._settle()

    def _load(self, path: Path, ranges: list[tuple[int, int]]) -> None:
        """Load one file; a call rolled back by a deadlock runs again, with the calls after it.

        Running a call again is safe: rows are committed as they are written (``log_enable (2, 1)``) and a quad
        already stored is not stored twice. A file that may hold blank nodes (loaded whole, ``ranges`` empty) is
        not run again: its blank nodes would be new ones. The caller loads such a file alone, between
        :meth:`wait` calls, so no other call can deadlock with it.
        """
        retries = DEADLOCK_RETRIES if ranges else 0
        failed = 0  # deadlocks in a row without a range getting in
        while True:
            try:
                self.loader._run(self.isql, [loader_statement(path, self.default_graph, ranges)])
                return
            except LoaderDeadlock as exc:
                done = _failed_range(exc.output, path, ranges)
                failed = 1 if done else failed + 1
                if failed > retries:
                    raise
                ranges = ranges[done:]
