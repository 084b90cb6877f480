"""``detente query``: SPARQL over the store, as a table or in a standard results format."""

from __future__ import annotations

import sys
from typing import Any

import click

from detente.api.sparql_guard import check_complexity
from detente.cli.common import (
    console,
    open_cli_store,
    out,
    print_table,
    stdout_is_terminal,
    store_option,
    term_text,
    tsv_line,
)

__all__ = ["query", "QUERY_FORMATS"]

QUERY_FORMATS = ["table", "json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld"]


@click.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r"), help="Read the query from a file ('-' for stdin).")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True)
@click.option("--limit", type=int, default=None, help="Show at most this many rows.")
@store_option
def query(sparql: str | None, query_file: Any, fmt: str, limit: int | None, store_uri: str | None) -> None:
    """Run a SPARQL query. The default graph is the union of all claims (each fact once)
    plus provenance, entities and the ontology; GRAPH ?claim { … } sees who says what.

    \b
    Example:
      detente query 'SELECT ?agreement ?n WHERE { ?agreement dt:prisonerCount ?n }'
    """
    text = query_file.read() if query_file else sparql
    if not text:
        raise click.UsageError("give a query, or -f FILE")
    # The engine recurses per UNION branch and nesting level: past the server's bounds it can overflow this
    # process's stack (a crash, no message), so the CLI refuses what the endpoint refuses, with its message.
    check_complexity(text)
    store = open_cli_store(store_uri, read_only=True)
    if fmt == "table":
        result = store.query(text, max_rows=limit)
        if result.kind == "ask":
            out.print("true" if result.boolean else "false")
            return
        if result.kind == "graph":
            if stdout_is_terminal():
                for s, p, o in result.triples:
                    out.print(f"{term_text(s)}  {term_text(p)}  {term_text(o)}", markup=False)
            else:
                click.echo(tsv_line(["subject", "predicate", "object"]))
                for triple in result.triples:
                    click.echo(tsv_line([term_text(t) for t in triple]))
            return
        print_table(result.variables, [[term_text(t) for t in row] for row in result.rows])
        console.print(f"{len(result.rows)} row(s)")
        if result.truncated:
            warn_truncated(len(result.rows))
        return
    serialized = store.query_serialized(text, fmt, max_rows=limit)
    sys.stdout.buffer.write(serialized.body)
    if not serialized.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    if serialized.truncated:
        warn_truncated(None)


def warn_truncated(rows: int | None) -> None:
    """Say on stderr that the server sent only the first rows of the result (its X-Detente-Truncated header)."""
    shown = f"{rows} " if rows is not None else ""
    click.echo(f"warning: the server cut this result at its row or size cap: only the first {shown}rows were sent; "
               "add LIMIT/OFFSET or narrow the query to see the rest", err=True)
