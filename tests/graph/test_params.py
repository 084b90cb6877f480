"""Parameters described once: text converted once, errors naming the parameter, typed kernels and results."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import pytest

from detente.errors import ParameterError, UsageError
from detente.graph import Store
from detente.graph.analysis import METRICS, analyze, metric, parameter_table, run_metric
from detente.graph.params import EntityRef, param, parameters, parse_params
from detente.graph.projections import FILTER_PARAMETERS, Filters


@dataclass(frozen=True)
class Example:
    k: int | None = param(None, "Pivots.", minimum=1)
    ratio: float = param(0.5, "A share.", minimum=0, maximum=1)
    on: bool = param(False, "A switch.")
    day: date | None = param(None, "A day.")
    who: EntityRef | None = param(None, "Somebody.", required=True)
    how: str = param("fast", "A way.", choices=("fast", "slow"))
    tags: tuple[str, ...] = param((), "Tags.", name="tag", aliases=("tags",), separator=",")


@pytest.mark.parametrize(("values", "expected"), [
    ({"who": "x"}, Example(who="x")),
    ({"who": ["x"], "k": "3", "ratio": "1", "on": "yes", "day": "2024-05", "how": "slow"},
     Example(3, 1.0, True, date(2024, 5, 1), "x", "slow")),
    ({"who": "x", "k": 3, "on": True, "day": date(2020, 1, 2)}, Example(k=3, on=True, day=date(2020, 1, 2), who="x")),
    ({"tags": "a, b", "who": " x ", "tag": ["c", "d,e"]}, Example(who="x", tags=("a", "b", "c", "d", "e"))),
    ({"who": "x", "k": None, "tag": []}, Example(who="x")),
])
def test_text_and_native_values_convert_once(values: dict, expected: Example) -> None:
    assert parse_params(Example, values) == expected


@pytest.mark.parametrize(("values", "message"), [
    ({"who": "x", "k": "many"}, "k: not an integer: 'many'"),
    ({"who": "x", "k": "0"}, "k: must be at least 1, got 0"),
    ({"who": "x", "k": True}, "k: not an integer: True"),
    ({"who": "x", "ratio": "1.5"}, "ratio: must be at most 1, got 1.5"),
    ({"who": "x", "ratio": "nan"}, "ratio: not a number: 'nan'"),
    ({"who": "x", "on": "maybe"}, "on: not a yes/no value: 'maybe'"),
    ({"who": "x", "day": "tuesday"}, "day: not a date (YYYY, YYYY-MM or YYYY-MM-DD): 'tuesday'"),
    ({"who": "x", "how": "sideways"}, "how: 'sideways' is not one of fast, slow"),
    ({"who": "x", "k": ["1", "2"]}, "k: expected one value, got 2"),
    ({}, "who: required by the example"),
    ({"who": "x", "colour": "blue", "size": 2}, "colour, size: unknown parameters of the example; accepted: k, ratio,"),
])
def test_a_value_that_does_not_fit_names_its_parameter(values: dict, message: str) -> None:
    with pytest.raises(ParameterError) as error:
        parse_params(Example, values, context="the example")
    assert str(error.value).startswith(message)
    assert isinstance(error.value, UsageError) and isinstance(error.value, ValueError)
    assert error.value.http_status == 400 and error.value.exit_code == 2


def test_one_description_gives_the_json_schema() -> None:
    described = {p.name: p for p in parameters(Example)}
    assert [p.field for p in described.values()] == [f.name for f in dataclasses.fields(Example)]
    assert described["k"].json_schema() == {"type": "integer", "minimum": 1}
    assert described["ratio"].json_schema() == {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5}
    assert described["day"].json_schema() == {"type": "string", "format": "date"}
    assert described["who"].json_schema() == {"type": "string", "minLength": 1} and described["who"].required
    assert described["tag"].json_schema() == {"type": "array", "items": {"type": "string", "minLength": 1}}
    assert described["tag"].aliases == ("tags",) and described["tag"].multiple


def test_filters_are_described_like_metric_parameters() -> None:
    assert [p.name for p in FILTER_PARAMETERS] == ["start", "end", "min_confidence", "publisher", "date_basis"]
    assert Filters.from_params(start="2024", publishers="A, B", publisher=["C"], date_basis="issued") == \
        Filters(start=date(2024, 1, 1), publishers=("A", "B", "C"), date_basis="issued")
    with pytest.raises(ParameterError, match="start: 2025-01-01 is after end 2024-01-01"):
        Filters.from_params(start="2025", end="2024")


def test_every_metric_describes_its_parameters_once(demo_store: Store) -> None:
    for name, described in METRICS.items():
        assert dataclasses.is_dataclass(described.params)
        required = {p.name for p in described.parameters if p.required}
        given = {p: {"actor": "Ukraine", "to": "Russia"}[p] for p in required}
        result = analyze(demo_store, name, **given)
        assert isinstance(result, described.result) and result.metric == name
        assert result.to_json() == run_metric(demo_store, name, **given)  # the typed result writes the document
    names = [shared.parameter.name for shared in parameter_table()]
    assert len(names) == len(set(names))  # one option and one query parameter per name
    assert {p.name for m in METRICS.values() for p in m.parameters} == set(names)


def test_typed_parameters_run_without_text(demo_store: Store) -> None:
    ego = metric("ego")
    filters, params = ego.parse({"actor": "state:ETH", "radius": 2, "min_confidence": "0.5"})
    assert params == ego.params(actor="state:ETH", radius=2) and filters.min_confidence == 0.5
    assert ego.run(demo_store, filters, params).to_json() == \
        run_metric(demo_store, "ego", actor="state:ETH", radius="2", min_confidence=0.5)
    with pytest.raises(ParameterError, match="actor: required by ego"):
        metric("ego").run(demo_store)
    with pytest.raises(ParameterError, match="radius: must be at least 1"):
        analyze(demo_store, "ego", actor="Kenya", radius=0)
