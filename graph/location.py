"""Where a store lives: a store URI parsed once into a typed value, and how worker processes read it.

Store URIs
----------
``oxigraph:PATH``
    an on-disk Oxigraph store (the default: a folder under the user's data
    directory, or ``DETENTE_STORE``). A bare path (no scheme) means the same.
``memory:``
    an in-memory Oxigraph store, gone when the process ends.
``sparql+http://HOST/PATH`` / ``sparql+https://…``
    any SPARQL 1.1 Query/Update endpoint (tested against Virtuoso); the
    store's own options travel as query parameters (see :class:`RemoteOptions`),
    every other query parameter stays part of the endpoint URL.

>>> StoreLocation.parse("memory:").kind
'memory'
>>> remote = StoreLocation.parse("sparql+http://db.example:8890/sparql?update=/sparql-auth&user=dba&password=s3cret")
>>> remote.kind, remote.endpoint, remote.options.update
('sparql', 'http://db.example:8890/sparql', 'http://db.example:8890/sparql-auth')
>>> remote.uri  # as shown to users: never with the password
'sparql+http://db.example:8890/sparql?update=/sparql-auth&user=dba'
>>> local = StoreLocation.parse("sparql+http://localhost:8890/sparql?loader=virtuoso&spool=/srv/spool")
>>> local.options.loader, local.options.sql, local.options.bulk  # Virtuoso's own loader for bulk writes
('virtuoso', 'localhost:1111', 2000)
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from detente.errors import StoreError

if TYPE_CHECKING:
    from detente.graph.store import Store

StoreKind = Literal["memory", "oxigraph", "sparql"]

DEFAULT_TIMEOUT = 60.0
DEFAULT_CHUNK = 800
DEFAULT_PAGE = 10000
DEFAULT_BULK = 2000
DEFAULT_BATCH = 200_000
_REMOTE_OPTIONS = ("update", "gsp", "user", "password", "timeout", "chunk", "page", "bulk", "batch", "loader", "sql",
                   "spool")
_LOADERS = ("virtuoso",)


@dataclass(frozen=True)
class RemoteOptions:
    """The options of a ``sparql+http(s)://`` store, from its URI's query parameters.

    Attributes
    ----------
    update:
        URL of the update endpoint (``?update=`` path or URL; default: the query endpoint).
        Virtuoso: ``/sparql-auth`` with digest auth.
    gsp:
        URL of a Graph Store Protocol endpoint for bulk loads (``?gsp=``), or None
        (loads then travel as ``INSERT DATA`` batches). Virtuoso: ``/sparql-graph-crud(-auth)``.
    user, password:
        Credentials for HTTP digest or basic auth (``?user=&password=``; otherwise
        ``DETENTE_REMOTE_USER`` and ``DETENTE_REMOTE_PASSWORD``).
    timeout:
        Seconds per HTTP request (``?timeout=``, default 60).
    chunk:
        Most quads per ``INSERT DATA`` request (``?chunk=``, default 800: Virtuoso's
        SPARQL compiler refuses much larger requests).
    page:
        Rows per page when listing graphs or dumping (``?page=``, default 10000,
        Virtuoso's default ``ResultSetMaxRows``).
    bulk:
        Writes of at least this many quads take the bulk path (``?bulk=``, default 2000):
        Virtuoso's own loader when ``loader`` is set, else Graph Store Protocol POSTs
        when ``gsp`` is set; smaller writes (and stores with neither) use ``INSERT DATA``.
    batch:
        Most quads per bulk request or loader file (``?batch=``, default 200000);
        Virtuoso's loader reads a file in calls of ``batch // 20`` lines (at most 10,000).
    loader:
        ``virtuoso``: bulk loads run Virtuoso's own loader (``DB.DBA.TTLP_MT`` over
        N-Quads files) through its SQL port (``isql``), for a server on this machine
        that can read ``spool`` (``?loader=virtuoso&sql=HOST:PORT&spool=FOLDER``).
    sql:
        ``HOST:PORT`` of Virtuoso's SQL port (default: the endpoint's host, port 1111).
    spool:
        A folder both this process and the server can read and write (listed in the
        server's ``DirsAllowed``), where loader files are written and then removed.
    """

    update: str
    gsp: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    chunk: int = DEFAULT_CHUNK
    page: int = DEFAULT_PAGE
    bulk: int = DEFAULT_BULK
    batch: int = DEFAULT_BATCH
    loader: str | None = None
    sql: str | None = None
    spool: Path | None = None


@dataclass(frozen=True)
class StoreLocation:
    """A parsed store URI (see the module docstring); build it with :meth:`parse` or :meth:`default`.

    Attributes
    ----------
    kind:
        ``"memory"``, ``"oxigraph"`` (on disk) or ``"sparql"`` (a remote endpoint).
    uri:
        The canonical URI, as shown to users (an absolute path; never a password).
    path:
        The database folder of an on-disk store.
    endpoint:
        The query endpoint URL of a remote store (with the query parameters that are not the store's own).
    options:
        The remote store's options.
    """

    kind: StoreKind
    uri: str
    path: Path | None = None
    endpoint: str | None = None
    options: RemoteOptions | None = None

    @classmethod
    def parse(cls, uri: str) -> StoreLocation:
        """Parse a store URI; a :class:`~detente.errors.StoreError` names what is wrong.

        >>> StoreLocation.parse("oxigraph:/tmp/db").path
        PosixPath('/tmp/db')
        >>> StoreLocation.parse("ftp://nowhere")
        Traceback (most recent call last):
        ...
        detente.errors.StoreError: unknown store URI 'ftp://nowhere': use oxigraph:PATH, memory: or sparql+http(s)://HOST/PATH
        """
        text = uri.strip()
        if text == "memory:":
            return cls("memory", "memory:")
        if text.startswith("oxigraph:"):
            return cls._on_disk(text.removeprefix("oxigraph:"), uri)
        if text.startswith(("sparql+http://", "sparql+https://")):
            return cls._remote(text)
        if text and ":" not in text:
            return cls._on_disk(text, uri)  # a bare path is an on-disk Oxigraph store
        raise StoreError(f"unknown store URI {uri!r}: use oxigraph:PATH, memory: or sparql+http(s)://HOST/PATH")

    @classmethod
    def of(cls, where: str | StoreLocation | None) -> StoreLocation:
        """A location from a URI, an already parsed location (as it is), or None (the default store).

        >>> StoreLocation.of(StoreLocation.parse("memory:")) == StoreLocation.of("memory:")
        True
        """
        if isinstance(where, StoreLocation):
            return where
        return cls.default() if where is None else cls.parse(where)

    @classmethod
    def default(cls) -> StoreLocation:
        """``DETENTE_STORE``, or an on-disk store in a folder under the user's data directory (created if missing)."""
        env = os.environ.get("DETENTE_STORE")
        if env:
            return cls.parse(env)
        from platformdirs import user_data_dir

        # The engine creates the store's own folder, not its parents (~/.local/share/detente on a fresh home).
        return cls._on_disk(str(user_data_dir("detente", ensure_exists=True) + "/store"), "the default store")

    @classmethod
    def _on_disk(cls, folder: str, uri: str) -> StoreLocation:
        if not folder.strip():
            raise StoreError(f"no folder in store URI {uri!r}: write oxigraph:PATH")
        path = Path(folder).expanduser().resolve()
        return cls("oxigraph", "oxigraph:" + str(path), path=path)

    @classmethod
    def _remote(cls, uri: str) -> StoreLocation:
        parts = urllib.parse.urlsplit(uri.removeprefix("sparql+"))
        if not parts.hostname:
            raise StoreError(f"no host in store URI {uri!r}")
        pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        own = {key: value for key, value in pairs if key in _REMOTE_OPTIONS}
        passed = [(key, value) for key, value in pairs if key not in _REMOTE_OPTIONS]
        endpoint = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path or "/",
                                            urllib.parse.urlencode(passed), ""))
        try:
            timeout = float(own.get("timeout", DEFAULT_TIMEOUT))
            chunk = int(own.get("chunk", DEFAULT_CHUNK))
            page = int(own.get("page", DEFAULT_PAGE))
            bulk = int(own.get("bulk", DEFAULT_BULK))
            batch = int(own.get("batch", DEFAULT_BATCH))
        except ValueError as exc:
            raise StoreError(f"bad timeout/chunk/page/bulk/batch in store URI {uri!r}: {exc}") from exc
        if chunk < 1 or page < 1 or batch < 1 or bulk < 0:
            raise StoreError(f"chunk, page and batch must be positive and bulk not negative in store URI {uri!r}")
        loader = own.get("loader") or None
        if loader is not None and loader not in _LOADERS:
            raise StoreError(f"unknown loader {loader!r} in store URI {uri!r}: use {', '.join(_LOADERS)}")
        if loader is not None and not own.get("spool"):
            raise StoreError(f"loader={loader} needs spool=FOLDER (a folder the server may read) in store URI {uri!r}")
        sql = own.get("sql") or (f"{parts.hostname}:1111" if loader else None)
        options = RemoteOptions(
            update=urllib.parse.urljoin(endpoint, own["update"]) if own.get("update") else endpoint,
            gsp=urllib.parse.urljoin(endpoint, own["gsp"]) if own.get("gsp") else None,
            user=own.get("user") or os.environ.get("DETENTE_REMOTE_USER"),
            password=own["password"] if "password" in own else os.environ.get("DETENTE_REMOTE_PASSWORD"),
            timeout=timeout, chunk=chunk, page=page, bulk=bulk, batch=batch, loader=loader, sql=sql,
            spool=Path(own["spool"]).expanduser().resolve() if loader else None)
        shown = [(key, value) for key, value in pairs if key != "password"]
        display = "sparql+" + urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, parts.path, urllib.parse.urlencode(shown, safe="/:"), ""))
        return cls("sparql", display, endpoint=endpoint, options=options)

    @property
    def workspace_path(self) -> Path | None:
        """The folder where a server holding this on-disk store keeps its copies (``PATH.detente``).

        Checkpoints, write copies and spooled loads live there, beside the store
        (the same file system, so checkpoints are hard links); None for a store
        that is not on disk (see :class:`detente.graph.workspace.Workspace`).

        >>> StoreLocation.parse("oxigraph:/tmp/db").workspace_path
        PosixPath('/tmp/db.detente')
        >>> StoreLocation.parse("memory:").workspace_path is None
        True
        """
        return self.path.with_name(self.path.name + ".detente") if self.path is not None else None

    def exists(self) -> bool:
        """False only for an on-disk store whose folder is not there yet (readers cannot create it)."""
        return self.kind != "oxigraph" or (self.path is not None and self.path.exists())

    def __str__(self) -> str:
        return self.uri


#: How worker processes reach a store (see :class:`ReaderSpec`).
Sharing = Literal["fork", "snapshot", "connect"]


@dataclass(frozen=True)
class ReaderSpec:
    """How a process that only reads (an HTTP query worker) gets the store, and how writes then reach it.

    A store says this itself (:meth:`detente.graph.store.Store.reader_spec`), so a
    worker pool never looks at URIs or imports a backend. The spec is picklable:
    it travels to the worker, whose :meth:`open` calls the backend's own opener.

    Attributes
    ----------
    sharing:
        ``"fork"``: readers are forked from the process holding the store and read
        its copy-on-write memory (``memory:``); nothing to open.
        ``"snapshot"``: one process writes (on-disk Oxigraph: RocksDB allows one
        writer process); it makes read-only checkpoints of committed versions
        (:meth:`~detente.graph.store.Store.checkpoint`), and each reader opens one
        (:meth:`open_checkpoint`), never the live store.
        ``"connect"``: each reader opens its own connection; writes may run beside readers (remote).
    location:
        Where the store lives.
    opener:
        A module-level function ``opener(location, writable)`` returning a store.
    folder_opener:
        For ``"snapshot"`` sharing: a module-level function ``folder_opener(location,
        folder, writable)`` that opens the database in ``folder`` (the store's own
        folder or a checkpoint of it) under the store's name, read-only or
        read-write for this process alone (see :meth:`open_checkpoint` and :meth:`open_private`).
    """

    sharing: Sharing
    location: StoreLocation
    opener: Callable[[StoreLocation, bool], Store] | None = None
    folder_opener: Callable[[StoreLocation, Path, bool], Store] | None = None

    def open(self, *, writable: bool = False) -> Store:
        """Open the store in this process: a reader (snapshot or connection), or a writer.

        (A server's readers of an on-disk store open a checkpoint instead, never
        the live store its writer changes: see :meth:`open_checkpoint`.)
        """
        if self.opener is None:
            raise StoreError(f"{self.location.uri} is shared with readers by forking; there is nothing to open")
        return self.opener(self.location, writable)

    def open_checkpoint(self, folder: Path) -> Store:
        """A read-only store over ``folder``, a checkpoint of this store that nobody writes.

        What a server's readers (and a command line beside a server) open: a
        committed version, never the live store that the writer changes.
        """
        return self._folder_opener()(self.location, folder, False)

    def open_private(self, folder: Path | None = None) -> Store:
        """Open the store, or a checkpoint copy of it in ``folder``, read-write for this process alone.

        For the one writer process: it holds the store and applies each write to
        a copy. The store is outside the per-process cache of
        :func:`~detente.graph.open_store`; close it with :meth:`~detente.graph.store.Store.release`.
        """
        return self._folder_opener()(self.location, folder if folder is not None else self._own_folder(), True)

    def _own_folder(self) -> Path:
        if self.location.path is None:
            raise StoreError(f"{self.location.uri} has no folder")
        return self.location.path

    def _folder_opener(self) -> Callable[[StoreLocation, Path, bool], Store]:
        if self.folder_opener is None:
            raise StoreError(f"{self.location.uri} has no database folder to open: it is shared with readers "
                             f"by {'forking' if self.sharing == 'fork' else 'connecting'}")
        return self.folder_opener


__all__ = ["StoreKind", "StoreLocation", "RemoteOptions", "ReaderSpec", "Sharing", "DEFAULT_TIMEOUT",
           "DEFAULT_CHUNK", "DEFAULT_PAGE", "DEFAULT_BULK", "DEFAULT_BATCH"]
