"""Start a private Virtuoso (Debian ``virtuoso-opensource``) for tests and benchmarks.

Each server gets a temporary database folder, free ports on 127.0.0.1 and a
generated ``virtuoso.ini``; :func:`start_virtuoso` waits until the SPARQL
endpoint answers and grants SPARQL Update to the anonymous ``SPARQL`` user, so
``sparql+http://127.0.0.1:PORT/sparql`` is writable without credentials.

>>> server = start_virtuoso(Path(tempfile.mkdtemp()))  # doctest: +SKIP
>>> server.store_uri  # doctest: +SKIP
'sparql+http://127.0.0.1:41234/sparql'
>>> server.stop()  # doctest: +SKIP
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

VIRTUOSO_BINARY_NAMES = ("virtuoso-t", "virtuoso")
ISQL_BINARY_NAMES = ("isql-vt", "isql-v")
VAD_DIRS = ("/usr/share/virtuoso-opensource-7/vad",)

_INI_TEMPLATE = """\
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {db}/virtuoso-temp.db
TransactionFile    = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = {sql_port}
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
CheckpointAuditTrail     = 0
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., {db}, {vad}
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
VADInstallDir            = {vad}/
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxMemPoolSize           = 100000000
MaxQueryMem              = 512M
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 4
NumberOfBuffers          = {buffers}
MaxDirtyBuffers          = {dirty}

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {db}
MaxClientConnections        = 8
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 8
MaxKeepAlives               = 8
KeepAliveTimeout            = 10
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 120
DeferInferenceRulesInit    = 0
"""


class VirtuosoUnavailable(RuntimeError):
    """Virtuoso is not installed or did not start."""


def find_binary(names: tuple[str, ...]) -> str | None:
    """The first of ``names`` found on PATH (or in /usr/bin), or None.

    >>> find_binary(("sh",)) is not None
    True
    """
    for name in names:
        found = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
        if found:
            return found
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class VirtuosoServer:
    """A running private Virtuoso: its process, ports and database folder."""

    process: subprocess.Popen[bytes]
    directory: Path
    sql_port: int
    http_port: int
    isql: str | None
    remove_directory: bool = False

    @property
    def sparql_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def store_uri(self) -> str:
        """The detente store URI of the anonymous (update-granted) endpoint."""
        return f"sparql+http://127.0.0.1:{self.http_port}/sparql"

    @property
    def auth_store_uri(self) -> str:
        """The store URI that writes through the digest-auth endpoints as dba."""
        return (f"sparql+http://127.0.0.1:{self.http_port}/sparql"
                "?update=/sparql-auth&gsp=/sparql-graph-crud-auth&user=dba&password=dba")

    def log_tail(self, lines: int = 30) -> str:
        log = self.directory / "virtuoso.log"
        if not log.exists():
            return "(no log)"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def isql_exec(self, statement: str, timeout: float = 60) -> str:
        """Run one SQL statement through isql as dba; return its output."""
        if self.isql is None:
            raise VirtuosoUnavailable("isql-vt is not installed")
        done = subprocess.run([self.isql, str(self.sql_port), "dba", "dba", f"exec={statement}"],
                              capture_output=True, timeout=timeout, text=True)
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise VirtuosoUnavailable(f"isql failed on {statement!r}: {done.stdout}{done.stderr}")
        return done.stdout

    def stop(self, timeout: float = 30) -> None:
        """Stop the server (SHUTDOWN through isql, else terminate) and wait; remove a folder it made."""
        if self.process.poll() is None:
            try:
                if self.isql is not None:
                    subprocess.run([self.isql, str(self.sql_port), "dba", "dba", "exec=shutdown;"],
                                   capture_output=True, timeout=timeout)
                self.process.wait(timeout=timeout)
            except (subprocess.TimeoutExpired, OSError):
                self.process.terminate()
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        if self.remove_directory:
            shutil.rmtree(self.directory, ignore_errors=True)


def start_virtuoso(directory: Path | None = None, *, buffers: int = 20000, max_rows: int = 100000,
                   startup_timeout: float = 180) -> VirtuosoServer:
    """Start Virtuoso in ``directory`` (a new temp folder when None) and wait until it serves SPARQL.

    Parameters
    ----------
    buffers:
        ``NumberOfBuffers`` (8 KiB pages); small keeps test memory low.
    max_rows:
        ``ResultSetMaxRows`` of the SPARQL endpoint.

    Raises
    ------
    VirtuosoUnavailable
        The binary is missing, or the server did not answer in time (the
        message holds the tail of its log).
    """
    binary = find_binary(VIRTUOSO_BINARY_NAMES)
    if binary is None:
        raise VirtuosoUnavailable("virtuoso-t not found: apt-get install virtuoso-opensource")
    remove_directory = directory is None
    directory = Path(tempfile.mkdtemp(prefix="detente-virtuoso-")) if directory is None else directory
    directory.mkdir(parents=True, exist_ok=True)
    vad = next((d for d in VAD_DIRS if os.path.isdir(d)), str(directory))
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI_TEMPLATE.format(db=directory, vad=vad, sql_port=sql_port, http_port=http_port,
                                        buffers=buffers, dirty=buffers * 3 // 4, max_rows=max_rows))
    process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=directory,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = VirtuosoServer(process, directory, sql_port, http_port, find_binary(ISQL_BINARY_NAMES), remove_directory)
    try:
        _wait_ready(server, startup_timeout)
        _grant_update(server)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_ready(server: VirtuosoServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    probe = server.sparql_url + "?query=" + urllib.request.quote("ASK { ?s ?p ?o }")
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise VirtuosoUnavailable(f"virtuoso-t exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(probe, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise VirtuosoUnavailable(f"Virtuoso did not answer within {timeout:.0f} s:\n{server.log_tail()}")


def _grant_update(server: VirtuosoServer) -> None:
    # The anonymous endpoint may update only once the SPARQL user holds SPARQL_UPDATE; the
    # graph-level default permission must allow writing too (15 = read/write/sponge/list).
    if server.isql is None:
        return
    server.isql_exec('grant SPARQL_UPDATE to "SPARQL";')
    server.isql_exec("DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);")
