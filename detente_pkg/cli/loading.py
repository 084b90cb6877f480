"""``detente load`` and ``detente validate``: inputs into claims, checked and written per file."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from detente.cli.common import F, console, open_cli_store, out, print_table, rows_progress, store_option
from detente.errors import EXIT_INVALID, EXIT_OK

__all__ = ["load", "validate", "source_options"]


def _load_options(source_url: str | None, title: str | None, publisher: str | None, published: str | None,
                  source_type: str | None) -> Any:
    from detente.loaders.base import LoadOptions

    return LoadOptions(source_url=source_url, source_title=title, publisher=publisher, published=published,
                       source_type=source_type)


def source_options(func: F) -> F:
    """--source-url/--title/--publisher/--published/--source-type, for inputs without source metadata."""
    for option in reversed([
        click.option("--source-url", help="URL of the source (news text without front matter)."),
        click.option("--title", help="Title of the source."),
        click.option("--publisher", help="Publisher of the source, e.g. 'Kyiv Independent'."),
        click.option("--published", help="Publication date, YYYY-MM-DD (anchors relative dates)."),
        click.option("--source-type", help="NewsArticle, OfficialStatement or Dataset."),
    ]):
        func = option(func)
    return func


def print_reports(reports: Sequence[Any], as_json: bool) -> None:
    """The per-file load report: a table (TSV in a pipe), or JSON."""
    if as_json:
        out.print_json(json.dumps([r.to_json() for r in reports]))
        return
    # Per file: records (rows read) = loaded + rejected; a rejected claim's good rows count, and are listed, as
    # rejected ("sibling of line N rejected: …").
    print_table(["file", "format", "records", "claims", "new", "quads", "loaded", "rejected"],
                [[r.path, r.format, str(r.records), str(r.claims), str(r.new_claims), str(r.quads), str(r.loaded),
                  str(r.rejected)] for r in reports])


def _print_rejects(rejects: Sequence[Any], limit: int = 20) -> None:
    for reject in rejects[:limit]:
        console.print(f"  {reject}", markup=False)
    if len(rejects) > limit:
        console.print(f"  … and {len(rejects) - limit} more")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@store_option
@click.option("--skip-invalid", is_flag=True, help="Load the good records; write the rejects to --rejects.")
@click.option("--rejects", "rejects_path", type=click.Path(path_type=Path), default=None,
              help="Where --skip-invalid writes rejected records (CSV) [default: rejects.csv].")
@click.option("--no-shacl", is_flag=True,
              help="Skip the SHACL shape checks (compiled per record; the loaders' own checks still run).")
@click.option("--json", "as_json", is_flag=True, help="Print the load report as JSON.")
@click.option("--server", "server_url", metavar="URL", default=None,
              help="Send the load through this running detente server (its writer applies each file).")
@click.option("--no-server", is_flag=True,
              help="Fail at once (exit 2) if a running server holds the store, instead of loading through it.")
@click.option("--token", envvar="DETENTE_SERVER_TOKEN", default=None, metavar="TOKEN",
              help="The server's admin token for --server [default: from the user's server registry].")
@source_options
def load(paths: tuple[Path, ...], store_uri: str | None, skip_invalid: bool, rejects_path: Path | None,
         no_shacl: bool, as_json: bool, server_url: str | None, no_server: bool, token: str | None,
         source_url: str | None, title: str | None, publisher: str | None, published: str | None,
         source_type: str | None) -> None:
    """Load PATHS (files or folders) into the store, one transaction per file.

    Formats are detected by suffix and content: statements CSV/TSV, claim
    documents JSON/JSONL/YAML, entity CSV/YAML, RDF (Turtle, N-Triples,
    N-Quads, TriG, JSON-LD, RDF/XML), news text, GDELT and UCDP exports.
    A bad record stops its file with a message naming file, line and field,
    and nothing of that file is written.

    While `detente serve` holds the store (or with --server URL), the files are
    still read and checked here, and each file's claims go to the server, whose
    writer applies them in one transaction: its clients see them as soon as
    this command reports the file.
    """
    from detente.api.client import server_for
    from detente.loaders.pipeline import load_paths

    client = server_for(store_uri, server_url, token, no_server)
    sink = None
    if client is None:
        store = open_cli_store(store_uri)
    else:
        store, sink = _through_server(client)
    if skip_invalid and rejects_path is None:
        rejects_path = Path("rejects.csv")
    options = _load_options(source_url, title, publisher, published, source_type)
    notices: list[str] = []
    with rows_progress() as bar:
        files = bar.add_task("files", total=None)
        rows = bar.add_task("rows", total=None)

        def tick(path: str, number: int, total: int) -> None:
            bar.update(files, total=total, completed=number - 1, description=f"loading {Path(path).name}")
            bar.reset(rows, total=None)

        def counted(read: int) -> None:
            bar.update(rows, completed=read)

        # A bad file raises LoadError (exit 1), whose message lists its rejects with file, line and field.
        reports = load_paths(store, list(paths), skip_invalid=skip_invalid, rejects_path=rejects_path,
                             shacl=not no_shacl, options=options, progress=tick, rows=counted, sink=sink,
                             notices=notices)
        bar.update(files, completed=len(reports))
    store.close()
    for notice in notices:
        console.print(f"[yellow]{notice}[/yellow]", markup=True)
    print_reports(reports, as_json)
    rejected = sum(r.rejected for r in reports)
    if rejected:
        console.print(f"[yellow]{rejected} row(s) rejected[/yellow], written with their reasons to {rejects_path}")


def _through_server(client: Any) -> tuple[Any, Any]:
    """The store to resolve names against (the server's committed version) and the sink sending each file."""
    from detente.api.admin import BATCH_BYTES
    from detente.api.client import open_snapshot
    from detente.errors import ForbiddenError
    from detente.graph import open_store

    try:
        names = open_snapshot(client)
    except ForbiddenError:  # a server of a memory store: its entities through its public SPARQL endpoint
        names = open_store(f"sparql+{client.url}/sparql", read_only=True)
    console.print(f"loading through the server at {client.url} (it holds the store)")
    return names, lambda iris, text, complete: client.load(iris, text, BATCH_BYTES, complete=complete)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--no-shacl", is_flag=True, help="Check syntax and types only.")
@click.option("--shacl", "full_shacl", is_flag=True,
              help="Also run pySHACL, the full check, on each chunk of claims (slow; finds what one record cannot "
                   "show, such as counts over several claims).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--store", "store_uri", default=None, metavar="URI",
              help="Also check against this store (read only): its entity names, and the publication dates it "
                   "gives sources.")
@source_options
def validate(paths: tuple[Path, ...], no_shacl: bool, full_shacl: bool, as_json: bool, store_uri: str | None,
             source_url: str | None, title: str | None, publisher: str | None, published: str | None,
             source_type: str | None) -> None:
    """Check PATHS without writing anything. Exit 0 when valid, 1 when not.

    Every record gets the loaders' checks and the ontology's SHACL shapes
    compiled per record (what `detente load` checks); --shacl adds pySHACL.
    """
    from detente.loaders.pipeline import load_paths
    from detente.loaders.registry import EntityRegistry

    registry = EntityRegistry()
    reference = open_cli_store(store_uri, read_only=True, existing=True) if store_uri else None
    if reference is not None:
        registry.load_store(reference)
    options = _load_options(source_url, title, publisher, published, source_type)
    reports = load_paths(None, list(paths), skip_invalid=True, shacl=not no_shacl, full_shacl=full_shacl,
                         options=options, registry=registry, reference=reference)
    rejects = [r for report in reports for r in report.rejects]
    if as_json:
        out.print_json(json.dumps({"valid": not rejects, "files": [r.to_json() for r in reports]}))
    else:
        print_reports(reports, False)
        if rejects:
            console.print(f"[red]{len(rejects)} problem(s):[/red]")
            _print_rejects(rejects, limit=50)
        else:
            console.print("[green]valid[/green]")
    sys.exit(EXIT_INVALID if rejects else EXIT_OK)
