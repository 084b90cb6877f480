"""``detente analyze`` and ``detente export``: the claim network, measured and written for other tools."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from detente.cli.common import F, console, open_cli_store, out, print_table, store_option, working

__all__ = ["analyze", "export", "EXPORT_FORMATS", "filter_options", "analysis_options"]

EXPORT_FORMATS = ("graphml", "gexf", "cytoscape", "nodelink", "dot", "csv", "csv-nodes", "turtle", "trig", "nquads",
                  "jsonld", "html", "nanopub", "rdf-star")


def _metric_names() -> list[str]:
    from detente.graph.analysis import METRICS

    return list(METRICS)


def _option(parameter: Any, help_text: str, *, with_default: bool) -> Callable[[F], F]:
    """A click option from a parameter description (:class:`detente.graph.params.Parameter`)."""
    flag = "--" + parameter.name.replace("_", "-")
    kwargs: dict[str, Any] = {"help": help_text, "metavar": parameter.metavar, "default": None}
    if with_default and not parameter.multiple and parameter.default is not None:
        kwargs.update(default=parameter.default, show_default=True)
    if parameter.kind == "boolean":
        return click.option(f"{flag}/--no-{flag[2:]}", parameter.name, help=help_text, default=kwargs["default"])
    if parameter.choices:
        kwargs["type"] = click.Choice(parameter.choices)
        kwargs.pop("metavar")
    elif parameter.kind == "integer":
        kwargs["type"] = click.IntRange(min=parameter.minimum, max=parameter.maximum) \
            if parameter.minimum is not None or parameter.maximum is not None else int
    elif parameter.kind == "number":
        kwargs["type"] = click.FloatRange(min=parameter.minimum, max=parameter.maximum) \
            if parameter.minimum is not None or parameter.maximum is not None else float
    if parameter.multiple:
        kwargs["multiple"] = True
    return click.option(flag, parameter.name, **kwargs)


def filter_options(func: F) -> F:
    """--start/--end/--min-confidence/--publisher/--date-basis, from the filters' description; analyze and export."""
    from detente.graph.projections import FILTER_PARAMETERS

    for parameter in reversed(FILTER_PARAMETERS):
        func = _option(parameter, parameter.help, with_default=True)(func)
    return func


def analysis_options(func: F) -> F:
    """One option per analysis parameter (--actor, --k, --radius…), from the metrics' descriptions."""
    from detente.graph.analysis import parameter_table

    for shared in reversed(parameter_table()):
        func = _option(shared.parameter, shared.help, with_default=False)(func)
    return func


def _given(values: dict[str, Any]) -> dict[str, Any]:
    """The options the user gave (click passes None, or () for a repeatable one, for the others)."""
    return {name: value for name, value in values.items() if value is not None and value != ()}


@click.command()
@click.argument("metric", type=click.Choice(_metric_names()))
@analysis_options
@filter_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@store_option
def analyze(metric: str, fmt: str, store_uri: str | None, **values: Any) -> None:
    """Network analysis: centrality, communities, brokers, ego, path, timeline, corroboration, conflicts.

    Each option names the metrics that take it.

    \b
    Examples:
      detente analyze centrality --limit 10
      detente analyze brokers --event "Black Sea Grain Initiative"
      detente analyze path --actor Ethiopia --to Ukraine
      detente analyze timeline --actor state:TUR --start 2022 --format json
    """
    from detente.graph.analysis import analyze as run_analysis, metric as find_metric
    from detente.graph.analysis.tables import result_tables
    from detente.graph.projections import FILTER_PARAMS

    given = _given(values)
    accepted = {p.name for p in find_metric(metric).parameters} | set(FILTER_PARAMS)
    misplaced = sorted(name for name in given if name not in accepted)
    if misplaced:
        raise click.UsageError(f"{metric} does not take {', '.join('--' + m.replace('_', '-') for m in misplaced)}")
    store = open_cli_store(store_uri, read_only=True)
    with working(metric) as progress:
        progress.add_task(f"computing {metric}…", total=None)
        # A value that does not fit is a ParameterError (a UsageError: exit 2), reported by the one handler.
        result = run_analysis(store, metric, **given)
    if fmt == "json":
        out.print_json(json.dumps(result.to_json()))
        return
    for spec in result_tables(result):
        print_table([column.replace("_", " ") for column in spec.columns], spec.rows, title=spec.title, fold=True)


@click.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(EXPORT_FORMATS))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write ('-' for stdout).")
@click.option("--projection", type=click.Choice(["actors", "bipartite", "full"]), default="actors", show_default=True,
              help="Network formats: actor–actor, actor–event, or every entity-to-entity fact.")
@filter_options
@store_option
def export(fmt: str, output: Path, projection: str, store_uri: str | None, **filters: Any) -> None:
    """Export the network (GraphML, GEXF, Cytoscape JSON, node-link JSON, DOT, CSV, HTML view) or the RDF.

    \b
    turtle, jsonld: the facts; trig, nquads: the whole dataset with claim graphs.
    html: a self-contained network view (open it in a browser, works offline).
    nanopub: each claim as a nanopublication (TriG); rdf-star: facts with << s p o >> dt:supportedBy claim.
    csv: the edges table with both ends' labels; csv-nodes: the nodes table.
    """
    from detente.graph.exports import export_file, export_to

    store = open_cli_store(store_uri, read_only=True)
    options = {"projection": projection, **_given(filters)}
    with working("export") as progress:
        progress.add_task(f"exporting {fmt}…", total=None)
        if str(output) == "-":
            export_to(store, fmt, sys.stdout.buffer, **options)
            return
        export_file(store, fmt, output, **options)  # nanopub and rdf-star stream into the file
    console.print(f"wrote {output} ({output.stat().st_size:,} bytes, {fmt})")
