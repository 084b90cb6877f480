"""Network analysis of the claim graph, one module per topic, behind one entry point.

:func:`run_metric` is what the command line (``detente analyze``) and the
HTTP API (``GET /analysis/{metric}``) call; every result is JSON-ready.

>>> from detente.graph.store import open_store
>>> run_metric(open_store("memory:"), "centrality")["nodes"]
[]
>>> run_metric(open_store("memory:"), "nonsense")
Traceback (most recent call last):
...
detente.errors.NotFoundError: unknown metric 'nonsense'; choose one of brokers, centrality, communities, conflicts, corroboration, ego, path, timeline
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from detente.errors import NotFoundError, UsageError
from detente.graph.analysis.brokers import brokers
from detente.graph.analysis.centrality import centrality
from detente.graph.analysis.communities import communities
from detente.graph.analysis.corroboration import conflicts, corroboration
from detente.graph.analysis.ego import ego
from detente.graph.analysis.paths import path
from detente.graph.analysis.timeline import timeline
from detente.graph.projections import FILTER_PARAMS, split_filter_params
from detente.graph.store import Store

#: The metrics by name: each takes ``(store, filters, **params)`` and returns a JSON-ready dict.
METRICS: dict[str, Callable[..., dict[str, object]]] = {
    "brokers": brokers,
    "centrality": centrality,
    "communities": communities,
    "conflicts": conflicts,
    "corroboration": corroboration,
    "ego": ego,
    "path": path,
    "timeline": timeline,
}
# Friendlier spellings of the same metrics.
_ALIASES = {"paths": "path", "shortest-path": "path", "mediators": "brokers"}


def metric_parameters(metric: str) -> list[str]:
    """The parameters a metric accepts besides the filters.

    >>> metric_parameters("path")
    ['actor', 'to', 'max_paths']
    """
    function = METRICS[_ALIASES.get(metric, metric)]
    return [name for name, p in inspect.signature(function).parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY]


def run_metric(store: Store, metric: str, /, **params: Any) -> dict[str, object]:
    """Run one analysis by name and return its JSON-ready result.

    Parameters
    ----------
    metric:
        One of :data:`METRICS` (``centrality``, ``communities``, ``brokers``,
        ``ego``, ``path``, ``timeline``, ``corroboration``, ``conflicts``).
    **params:
        The filters (``start``, ``end``, ``min_confidence``, ``publishers``/
        ``publisher``, ``date_basis``) and the metric's own parameters
        (``actor``, ``to``, ``k``, ``seed``, ``radius``, ``limit``…), as
        native values or text. Parameters whose value is None are ignored.

    Raises
    ------
    NotFoundError
        The metric is unknown (also a KeyError).
    UsageError
        A parameter is unknown or its value does not fit (the message names it; also a ValueError).
    """
    name = _ALIASES.get(metric, metric)
    if name not in METRICS:
        raise NotFoundError(f"unknown metric {metric!r}; choose one of {', '.join(sorted(METRICS))}")
    filters, rest = split_filter_params(params)
    accepted = metric_parameters(name)
    unknown = sorted(k for k, v in rest.items() if k not in accepted and v is not None)
    if unknown:
        raise UsageError(f"{name}: unknown parameter(s) {', '.join(unknown)}; accepted: "
                         f"{', '.join(accepted + list(FILTER_PARAMS))}")
    return METRICS[name](store, filters, **{k: v for k, v in rest.items() if v is not None})


__all__ = ["METRICS", "brokers", "centrality", "communities", "conflicts", "corroboration", "ego",
           "metric_parameters", "path", "run_metric", "timeline"]
