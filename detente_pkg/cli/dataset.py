"""``detente stats``, ``detente dump`` and ``detente restore``: the store as a whole."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from detente.cli.common import console, open_cli_store, out, print_table, store_option, term_text, working

__all__ = ["stats", "dump", "restore"]


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@store_option
def stats(fmt: str, store_uri: str | None) -> None:
    """Counts: claims, sources, publishers, distinct facts, entities, quads, instances per class."""
    from rdflib import URIRef

    from detente.graph.claims import stats as store_stats

    store = open_cli_store(store_uri, read_only=True)
    numbers = store_stats(store)
    if fmt == "json":
        out.print_json(json.dumps(numbers.to_json()))
        return
    rows = [[name, str(getattr(numbers, name))] for name in ("claims", "sources", "publishers", "facts", "entities",
                                                             "quads")]
    rows += [[term_text(URIRef(cls)), str(n)] for cls, n in numbers.by_type.items()]
    print_table(["what", "count"], rows)


@click.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="File (default: stdout).")
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default="nquads", show_default=True)
@store_option
def dump(output: Path | None, fmt: str, store_uri: str | None) -> None:
    """Write the whole dataset (claim graphs, provenance, entities, facts) as N-Quads or TriG."""
    store = open_cli_store(store_uri, read_only=True)
    if output is None:
        import io

        buffer = io.BytesIO()
        store.dump(buffer, fmt)
        sys.stdout.buffer.write(buffer.getvalue())
    else:
        store.dump(output, fmt)
        console.print(f"wrote {output}")


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Empty the store first.")
@store_option
def restore(path: Path, replace: bool, store_uri: str | None) -> None:
    """Load a dump made by ``detente dump`` (N-Quads or TriG) in one transaction."""
    from detente.graph.bootstrap import ensure_ontology
    from detente.graph.store import RDF_SUFFIXES

    fmt = RDF_SUFFIXES.get(path.suffix.lower())
    if fmt not in ("nquads", "trig"):
        raise click.BadParameter("a dump is .nq or .trig", param_hint="PATH")
    from detente.api.admin import BATCH_BYTES
    from detente.api.client import server_for

    client = server_for(store_uri)
    if client is not None:
        quads = client.restore(path, fmt, replace, BATCH_BYTES)
        console.print(f"restored {path} through the server at {client.url}: the store holds {quads} quads")
        return
    from detente.graph.writes import restore as restore_dump

    store = open_cli_store(store_uri)
    with working("restore") as progress:
        progress.add_task("restoring and rebuilding the summary…", total=None)
        restore_dump(store, path, fmt, replace=replace)
    ensure_ontology(store)
    store.close()
    console.print(f"restored {path}: the store holds {store.count_quads()} quads")
