"""``detente analyze``: its options are the metrics' parameter descriptions, and its JSON is run_metric's."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from detente.cli import analyze, demo_path, export, main
from detente.graph import open_store
from detente.graph.analysis import METRICS, parameter_table, run_metric
from detente.graph.bootstrap import ensure_ontology
from detente.graph.projections import FILTER_PARAMETERS
from detente.loaders import load_paths


@pytest.fixture(scope="module")
def store_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    uri = f"oxigraph:{tmp_path_factory.mktemp('cli-analyze') / 'store'}"
    result = CliRunner().invoke(main, ["load", str(demo_path()), "--store", uri])
    assert result.exit_code == 0, result.output
    return uri


def _options(command: click.Command) -> dict[str, click.Option]:
    return {param.name: param for param in command.params if isinstance(param, click.Option)}


def test_every_parameter_is_an_option_of_its_kind() -> None:
    options = _options(analyze)
    described = [(shared.parameter, shared.help) for shared in parameter_table()]
    described += [(p, p.help) for p in FILTER_PARAMETERS]
    for parameter, help_text in described:
        option = options[parameter.name]
        assert option.opts[0] == "--" + parameter.name.replace("_", "-") and option.help == help_text
        if parameter.choices:
            assert list(option.type.choices) == list(parameter.choices)  # type: ignore[attr-defined]
        elif parameter.kind == "integer" and parameter.minimum is not None:
            assert isinstance(option.type, click.IntRange) and option.type.min == parameter.minimum
        elif parameter.kind == "boolean":
            assert option.is_bool_flag and option.secondary_opts
        assert option.multiple == parameter.multiple
    assert set(options) == {p.name for p, _h in described} | {"fmt", "store_uri"}
    assert list(analyze.params[0].type.choices) == list(METRICS)  # type: ignore[attr-defined]
    assert {p.name for p in FILTER_PARAMETERS} <= set(_options(export))


@pytest.mark.parametrize("args", [
    ["centrality", "--limit", "3", "--sort", "weighted_degree"],
    ["communities", "--seed", "4", "--method", "greedy", "--resolution", "1.5"],
    ["corroboration", "--include-types", "--publisher", "Meridian Wire", "--publisher", "Kyiv Independent"],
    ["path", "--actor", "united  states", "--to", "state/UKR", "--max-paths", "1", "--start", "2024"],
])
def test_json_output_is_the_document_run_metric_gives(store_uri: str, args: list[str]) -> None:
    result = CliRunner().invoke(main, ["analyze", *args, "--format", "json", "--store", store_uri])
    assert result.exit_code == 0, result.output
    metric, values = args[0], {}
    flags = iter(args[1:])
    for flag in flags:
        name = flag[2:].replace("-", "_")
        if name == "include_types":
            values[name] = True
        elif name == "publisher":
            values.setdefault(name, []).append(next(flags))
        else:
            values[name] = next(flags)
    memory = open_store("memory:")
    ensure_ontology(memory)  # as the command line's load does
    load_paths(memory, [demo_path()])
    assert json.loads(result.output) == run_metric(memory, metric, **values)


@pytest.mark.parametrize(("args", "words"), [
    (["centrality", "--k", "0"], "Invalid value for '--k'"),
    (["communities", "--method", "astrology"], "Invalid value for '--method'"),
    (["centrality", "--radius", "2"], "centrality does not take --radius"),
    (["timeline", "--include-types"], "timeline does not take --include-types"),
])
def test_bad_options_are_usage_errors(store_uri: str, args: list[str], words: str) -> None:
    result = CliRunner().invoke(main, ["analyze", *args, "--store", store_uri])
    assert result.exit_code == 2 and words in result.output


def test_tables_print_for_every_metric(store_uri: str) -> None:
    extra = {"ego": ["--actor", "Kenya"], "path": ["--actor", "Kenya", "--to", "african union"]}
    titles = {"ego": "Ego network of Kenya", "path": "Paths from Kenya to African Union", "brokers": "Mediators",
              "centrality": "Centrality", "communities": "Communities", "conflicts": "Conflicts (1)",
              "corroboration": "Single-source facts", "timeline": "Timeline"}
    for name in METRICS:
        result = CliRunner().invoke(main, ["analyze", name, *extra.get(name, []), "--store", store_uri])
        assert result.exit_code == 0 and titles[name] in result.output, result.output
    unknown = CliRunner().invoke(main, ["analyze", "ego", "--actor", "Atlantis", "--store", store_uri])
    assert unknown.exit_code != 0 and "actor: unknown entity 'Atlantis'" in unknown.output
