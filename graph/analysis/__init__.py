"""Network analysis of the claim graph, one module per topic, each described once.

Every metric is a :class:`Metric`: a kernel ``kernel(store, filters, params)``
taking a typed parameter dataclass and returning a typed result
(:class:`~detente.graph.analysis.common.MetricResult`) that writes its own JSON.
The parameter dataclasses describe their fields once (name, type, help,
default, choices, bounds; see :mod:`detente.graph.params`): the command line
builds ``detente analyze``'s options from them, the HTTP route
``GET /analysis/{metric}`` parses its query string with them, and the OpenAPI
document shows them.

>>> from detente.graph import open_store
>>> analyze(open_store("memory:"), "centrality").nodes
[]
>>> run_metric(open_store("memory:"), "centrality", limit="3")["nodes"]  # the JSON document, from text
[]
>>> run_metric(open_store("memory:"), "nonsense")  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
detente.errors.NotFoundError: unknown metric 'nonsense'; choose one of brokers, centrality, communities, conflicts,
corroboration, ego, path, timeline
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from detente.errors import NotFoundError, ParameterError
from detente.graph.analysis.brokers import BrokersParams, BrokersResult, brokers
from detente.graph.analysis.centrality import CentralityParams, CentralityResult, centrality
from detente.graph.analysis.common import MetricResult
from detente.graph.analysis.communities import CommunitiesParams, CommunitiesResult, communities
from detente.graph.analysis.corroboration import (
    ConflictsParams,
    ConflictsResult,
    CorroborationParams,
    CorroborationResult,
    conflicts,
    corroboration,
)
from detente.graph.analysis.ego import EgoParams, EgoResult, ego
from detente.graph.analysis.paths import PathParams, PathResult, path
from detente.graph.analysis.timeline import TimelineParams, TimelineResult, timeline
from detente.graph.params import Parameter, parameters, parse_params
from detente.graph.projections import FILTER_PARAMETERS, FILTER_PARAMS, Filters
from detente.graph.store import Store


@dataclass(frozen=True)
class Metric:
    """One analysis: its name, what it answers, its parameters and its kernel.

    Attributes
    ----------
    name:
        The name in ``detente analyze NAME`` and ``/analysis/NAME``.
    summary:
        One line for help texts.
    params:
        The parameter dataclass (fields described with :func:`detente.graph.params.param`).
    kernel:
        ``kernel(store, filters, params)`` returning a ``result``.
    result:
        The result dataclass.
    """

    name: str
    summary: str
    params: type
    kernel: Callable[[Store, Filters | None, Any], MetricResult]
    result: type[MetricResult]

    @property
    def parameters(self) -> tuple[Parameter, ...]:
        """The metric's own parameters (the filters come on top: :data:`FILTER_PARAMETERS`)."""
        return parameters(self.params)

    def parse(self, values: Mapping[str, object]) -> tuple[Filters, Any]:
        """The filters and the metric's parameters from loose values (text or native); None means absent.

        Raises :class:`~detente.errors.ParameterError` naming a parameter that is unknown or does not fit.

        >>> filters, params = METRICS["ego"].parse({"actor": "Ukraine", "radius": "2", "start": "2024"})
        >>> params, filters.start
        (EgoParams(actor='Ukraine', radius=2), datetime.date(2024, 1, 1))
        """
        own = {p.name for p in self.parameters} | {a for p in self.parameters for a in p.aliases}
        unknown = sorted(k for k, v in values.items() if v is not None and k not in own and k not in FILTER_PARAMS)
        if unknown:
            accepted = [p.name for p in self.parameters] + [p.name for p in FILTER_PARAMETERS]
            raise ParameterError(", ".join(unknown), f"unknown parameter{'s' if len(unknown) > 1 else ''} of "
                                                     f"{self.name}; accepted: {', '.join(accepted)}")
        filters = Filters.from_params(**{k: v for k, v in values.items() if k in FILTER_PARAMS})
        return filters, parse_params(self.params, {k: v for k, v in values.items() if k in own}, context=self.name)

    def run(self, store: Store, filters: Filters | None = None, params: Any = None) -> MetricResult:
        """Run the kernel; ``params`` defaults to the dataclass's defaults (or its required fields fail)."""
        if params is None:
            params = parse_params(self.params, {}, context=self.name)
        return self.kernel(store, filters, params)


#: The metrics by name.
METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("brokers", "Mediators ranked by events mediated, and actors by betweenness.", BrokersParams, brokers,
           BrokersResult),
    Metric("centrality", "Actors ranked by PageRank, degree, weighted degree, betweenness, eigenvector.",
           CentralityParams, centrality, CentralityResult),
    Metric("communities", "Communities of actors (Louvain or greedy modularity).", CommunitiesParams, communities,
           CommunitiesResult),
    Metric("conflicts", "Facts on which sources disagree (a functional property with several values).",
           ConflictsParams, conflicts, ConflictsResult),
    Metric("corroboration", "Sources per fact, single-source facts and conflicts.", CorroborationParams,
           corroboration, CorroborationResult),
    Metric("ego", "An actor's neighbours within a radius, and the ties among them.", EgoParams, ego, EgoResult),
    Metric("path", "Shortest paths between two actors, with the claims behind each hop.", PathParams, path,
           PathResult),
    Metric("timeline", "Events in date order, of one actor or of all, with their sources.", TimelineParams, timeline,
           TimelineResult),
)}
# Friendlier spellings of the same metrics.
_ALIASES = {"paths": "path", "shortest-path": "path", "mediators": "brokers"}


def metric(name: str) -> Metric:
    """A metric by name (or alias); :class:`~detente.errors.NotFoundError` (a KeyError) names the known ones."""
    key = _ALIASES.get(name, name)
    if key not in METRICS:
        raise NotFoundError(f"unknown metric {name!r}; choose one of {', '.join(sorted(METRICS))}")
    return METRICS[key]


def metric_parameters(name: str) -> list[str]:
    """The names of the parameters a metric takes besides the filters.

    >>> metric_parameters("path")
    ['actor', 'to', 'max_paths']
    """
    return [p.name for p in metric(name).parameters]


@dataclass(frozen=True)
class SharedParameter:
    """A parameter name with every metric that takes it: one command-line option, one query parameter.

    A name means the same kind of value wherever it appears (the same type and
    choices); help and default may differ by metric.
    """

    parameter: Parameter
    uses: tuple[tuple[str, Parameter], ...]

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(name for name, _p in self.uses)

    @property
    def help(self) -> str:
        """The help, with the metrics that take the parameter (each one's own when they differ)."""
        by_help: dict[str, list[str]] = {}
        for name, p in self.uses:
            by_help.setdefault(p.help, []).append(name)
        return " ".join(f"{text} [{', '.join(names)}]" for text, names in by_help.items())

    def json_schema(self) -> dict[str, Any]:
        """The parameter's JSON Schema; its default only when every metric has the same."""
        schema = self.parameter.json_schema()
        if len({repr(p.default) for _m, p in self.uses}) > 1:
            schema.pop("default", None)
        return schema


def parameter_table() -> list[SharedParameter]:
    """Every metric parameter once, with the metrics that take it.

    >>> [(s.parameter.name, s.metrics) for s in parameter_table() if s.parameter.name == "radius"]
    [('radius', ('ego',))]
    """
    table: dict[str, list[tuple[str, Parameter]]] = {}
    for m in METRICS.values():
        for p in m.parameters:
            uses = table.setdefault(p.name, [])
            if uses and (uses[0][1].type, uses[0][1].choices, uses[0][1].multiple) != (p.type, p.choices, p.multiple):
                raise TypeError(f"parameter {p.name!r} of {m.name} differs from {uses[0][0]}'s")
            uses.append((m.name, p))
    return [SharedParameter(uses[0][1], tuple(uses)) for uses in table.values()]


def analyze(store: Store, name: str, /, *, filters: Filters | None = None, params: Any = None,
            **values: Any) -> MetricResult:
    """Run one analysis by name and return its typed result.

    Parameters
    ----------
    name:
        One of :data:`METRICS` (``centrality``, ``communities``, ``brokers``, ``ego``,
        ``path``, ``timeline``, ``corroboration``, ``conflicts``).
    filters, params:
        Typed filters and parameters; or else
    **values:
        the filters (``start``, ``end``, ``min_confidence``, ``publisher``/``publishers``,
        ``date_basis``) and the metric's parameters as native values or text, converted by
        their descriptions. Values given as None are ignored.

    Raises
    ------
    NotFoundError
        The metric is unknown (also a KeyError).
    ParameterError
        A parameter is unknown or its value does not fit (the message names it; a UsageError, also a ValueError).
    """
    chosen = metric(name)
    if values:
        if filters is not None or params is not None:
            raise ParameterError("filters", "pass typed filters and params, or loose values, not both")
        filters, params = chosen.parse(values)
    return chosen.run(store, filters, params)


def run_metric(store: Store, name: str, /, **values: Any) -> dict[str, object]:
    """Run one analysis by name and return its JSON document (see :func:`analyze`)."""
    return analyze(store, name, **values).to_json()


__all__ = ["METRICS", "Metric", "MetricResult", "SharedParameter", "analyze", "brokers", "centrality", "communities",
           "conflicts",
           "corroboration", "ego", "metric", "metric_parameters", "parameter_table", "path", "run_metric",
           "timeline"]
