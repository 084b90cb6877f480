"""Opening a store: from a URI or a :class:`~detente.graph.location.StoreLocation` to a backend.

The one place that knows which backend serves which kind of location; the
interface (:mod:`detente.graph.store`) names none, and the backends do not
import each other.

>>> open_store("memory:").location.kind
'memory'
"""

from __future__ import annotations

from detente.errors import StoreError
from detente.graph.location import ReaderSpec, StoreLocation
from detente.graph.store import Store


def open_store(uri: str | StoreLocation | None = None, *, read_only: bool = False) -> Store:
    """Open a store by URI (see :mod:`detente.graph.location`); None opens the default store.

    On-disk Oxigraph stores are opened once per process and shared.

    >>> open_store("memory:").uri
    'memory:'
    """
    if uri is None:
        location = StoreLocation.default()
    elif isinstance(uri, StoreLocation):
        location = uri
    else:
        location = StoreLocation.parse(uri)
    if location.kind == "sparql":
        from detente.graph.remote_store import RemoteStore

        return RemoteStore(location, read_only=read_only)
    from detente.graph.oxigraph_store import open_oxigraph

    return open_oxigraph(location, read_only=read_only)


def reader_spec(location: str | StoreLocation) -> ReaderSpec:
    """How worker processes read the store at ``location``, without opening it in this process.

    For a server that must not hold an on-disk store itself (RocksDB allows one
    writer process). An open store says the same by :meth:`Store.reader_spec`.

    >>> reader_spec("sparql+http://db.example/sparql").sharing
    'connect'
    """
    if isinstance(location, str):
        location = StoreLocation.parse(location)
    if location.kind == "memory":
        raise StoreError("a memory: store lives in one process: open it, and share the open store by forking")
    if location.kind == "sparql":
        from detente.graph import remote_store

        return remote_store.reader_spec_for(location)
    from detente.graph import oxigraph_store

    return oxigraph_store.reader_spec_for(location)


def default_store_uri() -> str:
    """The URI of the default store: ``DETENTE_STORE``, or a folder under the user's data directory."""
    return StoreLocation.default().uri


__all__ = ["open_store", "default_store_uri", "reader_spec"]
