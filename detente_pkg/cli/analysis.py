"""``detente analyze`` and ``detente export``: the claim network, measured and written for other tools."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from detente.cli.common import F, console, open_cli_store, out, print_table, store_option, working

__all__ = ["analyze", "export", "ANALYSES", "EXPORT_FORMATS", "filter_options"]

ANALYSES = ("centrality", "communities", "brokers", "ego", "path", "timeline", "corroboration", "conflicts")
EXPORT_FORMATS = ("graphml", "gexf", "cytoscape", "nodelink", "dot", "csv", "csv-nodes", "turtle", "trig", "nquads",
                  "jsonld", "html", "nanopub", "rdf-star")


def filter_options(func: F) -> F:
    """--start/--end/--min-confidence/--publisher/--date-basis, shared by analyze and export."""
    options = [
        click.option("--start", metavar="DATE", help="Keep claims about events on or after this date (YYYY[-MM[-DD]])."),
        click.option("--end", metavar="DATE", help="Keep claims about events on or before this date."),
        click.option("--date-basis", type=click.Choice(["event", "issued"]), default="event", show_default=True,
                     help="Date claims by the event they describe, or by their source's publication date."),
        click.option("--min-confidence", type=click.FloatRange(0, 1), default=None, metavar="C",
                     help="Keep claims with confidence at least C (0..1)."),
        click.option("--publisher", "publishers", multiple=True, metavar="P",
                     help="Keep claims from this publisher (label, CURIE or IRI); repeatable."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filters(start: str | None, end: str | None, date_basis: str, min_confidence: float | None,
             publishers: tuple[str, ...]) -> dict[str, Any]:
    return {"start": start, "end": end, "date_basis": date_basis, "min_confidence": min_confidence,
            "publishers": list(publishers) or None}


@click.command()
@click.argument("metric", type=click.Choice(ANALYSES))
@click.option("--actor", metavar="X", help="The actor (label, alias, CURIE like state:UKR, or IRI): ego, path, timeline.")
@click.option("--to", "to", metavar="Y", help="The other end of a path.")
@click.option("--event", metavar="E", help="brokers: only the mediators of this event or agreement.")
@click.option("--k", type=click.IntRange(min=1), default=None, metavar="N",
              help="Sampled betweenness from N pivots (automatic on large graphs).")
@click.option("--seed", type=int, default=None, help="Random seed (betweenness sampling, Louvain).")
@click.option("--radius", type=click.IntRange(min=1), default=None, help="ego: hops out (default 1).")
@click.option("--method", type=click.Choice(["louvain", "greedy"]), default=None, help="communities: algorithm.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Keep the first N rows.")
@filter_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@store_option
def analyze(metric: str, actor: str | None, to: str | None, event: str | None, k: int | None, seed: int | None,
            radius: int | None, method: str | None, limit: int | None, start: str | None, end: str | None,
            date_basis: str, min_confidence: float | None, publishers: tuple[str, ...], fmt: str,
            store_uri: str | None) -> None:
    """Network analysis: centrality, communities, brokers, ego, path, timeline, corroboration, conflicts.

    \b
    Examples:
      detente analyze centrality --limit 10
      detente analyze brokers --event "Black Sea Grain Initiative"
      detente analyze path --actor Ethiopia --to Ukraine
      detente analyze timeline --actor state:TUR --start 2022 --format json
    """
    from detente.graph.analysis import metric_parameters, run_metric
    from detente.graph.analysis.tables import result_tables

    given = {"actor": actor, "to": to, "event": event, "k": k, "seed": seed, "radius": radius, "method": method,
             "limit": limit}
    accepted = set(metric_parameters(metric))
    misplaced = sorted(name for name, value in given.items() if value is not None and name not in accepted)
    if misplaced:
        raise click.UsageError(f"{metric} does not take {', '.join('--' + m for m in misplaced)}")
    store = open_cli_store(store_uri, read_only=True)
    with working(metric) as progress:
        progress.add_task(f"computing {metric}…", total=None)
        result = run_metric(store, metric, **{n: v for n, v in given.items() if v is not None},
                            **_filters(start, end, date_basis, min_confidence, publishers))
    if fmt == "json":
        out.print_json(json.dumps(result))
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
def export(fmt: str, output: Path, projection: str, start: str | None, end: str | None, date_basis: str,
           min_confidence: float | None, publishers: tuple[str, ...], store_uri: str | None) -> None:
    """Export the network (GraphML, GEXF, Cytoscape JSON, node-link JSON, DOT, CSV, HTML view) or the RDF.

    \b
    turtle, jsonld: the facts; trig, nquads: the whole dataset with claim graphs.
    html: a self-contained network view (open it in a browser, works offline).
    nanopub: each claim as a nanopublication (TriG); rdf-star: facts with << s p o >> dt:supportedBy claim.
    csv: the edges table with both ends' labels; csv-nodes: the nodes table.
    """
    from detente.graph.exports import export_file, export_to

    store = open_cli_store(store_uri, read_only=True)
    options = {"projection": projection, **_filters(start, end, date_basis, min_confidence, publishers)}
    with working("export") as progress:
        progress.add_task(f"exporting {fmt}…", total=None)
        if str(output) == "-":
            export_to(store, fmt, sys.stdout.buffer, **options)
            return
        export_file(store, fmt, output, **options)  # nanopub and rdf-star stream into the file
    console.print(f"wrote {output} ({output.stat().st_size:,} bytes, {fmt})")
