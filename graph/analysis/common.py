"""What the analyses share: typed results that write their JSON, sampled betweenness, node references.

Every analysis returns a :class:`MetricResult` dataclass; its :meth:`~JsonRecord.to_json`
is the JSON document of ``GET /analysis/{metric}`` and ``detente analyze --format json``:
the common envelope (metric, filters, and the network's size when there is one)
followed by the metric's own fields, in field order.

>>> from detente.graph.projections import Filters
>>> @dataclass(kw_only=True)
... class Example(MetricResult):
...     metric = "example"
...     nodes: list[NodeRef]
>>> Example(filters=Filters(), nodes=[NodeRef("x", "X", "State")]).to_json()["nodes"]
[{'id': 'x', 'label': 'X', 'type': 'State'}]
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any, ClassVar

import networkx as nx

from detente.errors import AmbiguousEntityError, ParameterError, UnknownEntityError
from detente.graph.projections import Filters, GraphData, SourceInfo

#: Graphs with more nodes than this get sampled betweenness unless ``k`` says otherwise.
SAMPLE_ABOVE = 1000
#: Pivot count for sampled betweenness when the caller gives none.
DEFAULT_K = 256


# -- JSON records ------------------------------------------------------------------

def omitted_when_none() -> Any:
    """A field left out of the JSON when it is None (keys that only some rows have)."""
    return field(default=None, metadata={"omit_none": True})


class JsonRecord:
    """A dataclass that writes itself as JSON: its fields in order, nested records and lists converted.

    A field's metadata may rename its key (``{"json": "from"}``) or leave it out when None (:func:`omitted_when_none`).
    """

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for item in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            if value is None and item.metadata.get("omit_none"):
                continue
            out[item.metadata.get("json", item.name)] = to_json_value(value)
        return out


def to_json_value(value: Any) -> Any:
    """A value as JSON-ready data: records by their ``to_json``, containers item by item."""
    if isinstance(value, (JsonRecord, Filters)):
        return value.to_json()
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class NodeRef(JsonRecord):
    """A node of a network: its id (the entity IRI), label and type."""

    id: str
    label: str | None
    type: str | None

    @classmethod
    def of(cls, graph: nx.Graph[str], node: str) -> NodeRef:
        """The node's identifying fields (the id stands in for a missing label)."""
        attrs = graph.nodes[node]
        return cls(node, attrs.get("label", node), attrs.get("type"))


@dataclass(frozen=True)
class Named(JsonRecord):
    """An entity by IRI and label."""

    id: str
    label: str


@dataclass(frozen=True)
class SourceRef(JsonRecord):
    """The source of a claim: its publisher and date."""

    iri: str
    publisher: str | None
    publisher_label: str | None
    issued: str | None
    url: str | None
    title: str | None

    @classmethod
    def of(cls, info: SourceInfo, data: GraphData) -> SourceRef:
        return cls(**info.to_json(data.labels))  # type: ignore[arg-type]


@dataclass(frozen=True)
class NetworkSize:
    """The projection an analysis ran on, and its size."""

    projection: str | None
    node_count: int
    edge_count: int

    @classmethod
    def of(cls, graph: nx.Graph[str]) -> NetworkSize:
        return cls(graph.graph.get("projection"), graph.number_of_nodes(), graph.number_of_edges())


@dataclass(kw_only=True)
class MetricResult(JsonRecord):
    """The envelope of every analysis result: the metric, the filters applied, the network's size.

    Subclasses add the metric's own fields; :meth:`to_json` writes the envelope first.
    """

    metric: ClassVar[str]
    filters: Filters
    network: NetworkSize | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"metric": self.metric, "filters": self.filters.to_json()}
        if self.network is not None:
            out.update(projection=self.network.projection, node_count=self.network.node_count,
                       edge_count=self.network.edge_count)
        for key, value in super().to_json().items():
            if key not in ("filters", "network"):
                out[key] = value
        return out


# -- shared steps ---------------------------------------------------------------------

def betweenness(graph: nx.Graph[str], *, k: int | None = None, seed: int = 0, normalized: bool = True
                ) -> tuple[dict[str, float], dict[str, object]]:
    """Betweenness centrality, sampled from ``k`` pivots on large graphs.

    Returns the scores and a note saying whether they were sampled, so
    results can say so. Exact when ``k`` is None and the graph has at most
    :data:`SAMPLE_ABOVE` nodes, or when ``k`` is at least the node count.

    >>> scores, note = betweenness(nx.path_graph(3))
    >>> scores["1"] if "1" in scores else scores[1], note
    (1.0, {'sampled': False, 'k': None, 'seed': None})
    """
    n = graph.number_of_nodes()
    if k is None and n > SAMPLE_ABOVE:
        k = DEFAULT_K
    # The nx-parallel backend where it can help: a large graph, more than 2 CPUs (the note says so).
    backend = {"backend": "parallel"} if n > SAMPLE_ABOVE and parallel_backend() is None else {}
    parallel = {"parallel": "nx-parallel"} if backend else {}
    if k is None or k >= n:
        # types-networkx's @_dispatchable drops the _Node binding, so the result's keys are not str to mypy.
        exact: dict[str, float] = nx.betweenness_centrality(graph, normalized=normalized, **backend)  # type: ignore[assignment]
        return (exact,
                {"sampled": False, "k": None, "seed": None, **parallel})
    # Pivots are drawn from the nodes in id order: the same seed picks the same pivots however the
    # network was read (from the claims or from the summary, whose node orders differ).
    ordered = graph.__class__()
    ordered.add_nodes_from(sorted(graph, key=str))
    ordered.add_edges_from(graph.edges(data=True))
    sampled: dict[str, float] = nx.betweenness_centrality(  # type: ignore[assignment]  # as above
        ordered, k=k, seed=seed, normalized=normalized, **backend)
    return (sampled,
            {"sampled": True, "k": k, "seed": seed, **parallel})


def parallel_backend() -> str | None:
    """None when betweenness can run on the nx-parallel backend, else why not.

    It needs the ``nx-parallel`` package working with this NetworkX (0.4 needs Python 3.12;
    0.3 does not import with NetworkX 3.6) and more than 2 CPUs: on two, its process pool
    costs more than it saves.
    """
    if (os.cpu_count() or 1) <= 2:
        return f"{os.cpu_count()} CPUs"
    try:
        import nx_parallel  # noqa: F401  (registers the "parallel" backend)
    except ImportError as exc:
        return f"nx-parallel unavailable ({exc.__class__.__name__}: {exc})"
    return None


def node_in(graph: nx.Graph[str], data: GraphData, ref: str, name: str) -> str:
    """Resolve the entity parameter ``name`` and check it is a node of ``graph``.

    Raises :class:`~detente.errors.ParameterError` naming the parameter.
    """
    iri = str(resolve_param(data, ref, name))
    if iri not in graph:
        raise ParameterError(name, f"{ref!r} ({iri}) is not in the network with these filters")
    return iri


def resolve_param(data: GraphData, ref: str, name: str) -> Any:
    """The entity an entity parameter names, by the one resolver; errors name the parameter."""
    try:
        return data.resolve(ref)
    except (UnknownEntityError, AmbiguousEntityError) as exc:
        raise ParameterError(name, str(exc)) from None
