"""``detente ontology check|export|docs``: the OWL ontology, reasoned over, exported, documented."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from detente.cli.common import console, demo_path, open_cli_store, out
from detente.errors import UsageError

__all__ = ["ontology"]


@click.group()
def ontology() -> None:
    """The OWL ontology: consistency check (HermiT), export, HTML docs."""


@ontology.command("check")
@click.argument("data", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--demo/--no-demo", default=True, show_default=True,
              help="Reason over the bundled demo corpus too.")
@click.option("--store", "store_uri", default=None, metavar="URI",
              help="Reason over the claims of this store too (read only).")
@click.option("--json", "as_json", is_flag=True)
def ontology_check(data: tuple[Path, ...], demo: bool, store_uri: str | None, as_json: bool) -> None:
    """Load the ontology with owlready2 and run HermiT over it plus DATA (RDF or detente inputs).

    The data reasoned over is the facts view, claim provenance and entities.
    Values of functional properties on which sources disagree (see
    ``detente conflicts``) are set aside first: a disagreement between sources
    is a finding, not an inconsistency of the graph.

    Exit 0 when consistent, 1 when inconsistent, 2 when the reasoner could not run.
    """
    from rdflib import Graph

    from detente.graph import open_store
    from detente.graph.claims import conflicts as find_conflicts
    from detente.loaders.base import LoadError
    from detente.loaders.pipeline import load_paths
    from detente.ontology.reasoning import check_consistency
    from detente.ontology.vocab import ENTITIES_GRAPH, FACTS_GRAPH, PROVENANCE_GRAPH

    store = open_store("memory:")
    inputs: list[Path] = ([demo_path()] if demo else []) + list(data)
    try:
        load_paths(store, inputs, shacl=False)
    except LoadError as exc:  # unreadable data means the reasoner cannot run: exit 2, not 1
        raise UsageError(f"cannot read the data: {exc}") from exc
    graph = Graph()
    sources = [store] + ([open_cli_store(store_uri, read_only=True)] if store_uri else [])
    set_aside = []
    for source in sources:
        for name in (FACTS_GRAPH, PROVENANCE_GRAPH, ENTITIES_GRAPH):
            for triple in source.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[name]).triples:
                graph.add(triple)
        set_aside += find_conflicts(source)
    for conflict in set_aside:
        graph.remove((conflict.subject, conflict.predicate, None))
    report = check_consistency(graph)  # a ReasoningError (Java missing, crash) exits 2
    if as_json:
        body = dict(report.__dict__)
        body["set_aside_conflicts"] = [c.to_json() for c in set_aside]
        out.print_json(json.dumps(body, default=str))
    else:
        verdict = "[green]consistent[/green]" if report.coherent else "[red]inconsistent[/red]"
        out.print(f"{verdict}: {report.reasoner}, {report.data_triple_count} data triples, "
                  f"{report.individual_count} individuals, {report.seconds:.1f} s")
        if set_aside:
            out.print(f"{len(set_aside)} disputed functional value(s) set aside (see detente conflicts)")
        if not report.coherent:
            out.print(report.explanation, markup=False)
    sys.exit(report.exit_code)


@ontology.command("export")
@click.option("--format", "fmt", type=click.Choice(["turtle", "rdfxml", "shacl"]), default="turtle",
              show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
def ontology_export(fmt: str, output: Path | None) -> None:
    """Write the ontology (Turtle, RDF/XML) or its SHACL shapes."""
    from detente.ontology.schema import ontology_path, owl_path, shapes_path

    source = {"turtle": ontology_path(), "rdfxml": owl_path(), "shacl": shapes_path()}[fmt]
    data = source.read_bytes()
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        console.print(f"wrote {output}")


@ontology.command("docs")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("detente-ontology.html"),
              show_default=True)
def ontology_docs(output: Path) -> None:
    """Write HTML documentation of the ontology (pyLODE)."""
    from detente.ontology.docs import write_html

    write_html(output)
    console.print(f"wrote {output}")
