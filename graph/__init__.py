"""The store and what is built on it: claims, provenance, conflicts, analysis, exports.

>>> from detente.graph import open_store
>>> open_store("memory:").count_quads()
0
"""

from detente.graph.backends import open_store
from detente.graph.claims import (
    Activity,
    Claim,
    ClaimRecord,
    Conflict,
    ProvenanceReport,
    Source,
    conflicts,
    get_claim,
    provenance,
    resolve_claim_ref,
    stats,
    write_claims,
)
from detente.graph.location import ReaderSpec, StoreLocation
from detente.graph.store import (
    DEFAULT_DATASET,
    QueryResult,
    QuerySyntaxError,
    ReadOnlyError,
    Store,
    StoreError,
)

__all__ = [
    "Activity", "Claim", "ClaimRecord", "Conflict", "ProvenanceReport", "Source", "conflicts", "get_claim",
    "provenance", "resolve_claim_ref", "stats", "write_claims", "DEFAULT_DATASET", "QueryResult",
    "QuerySyntaxError", "ReadOnlyError", "Store", "StoreError", "open_store", "StoreLocation", "ReaderSpec",
]
