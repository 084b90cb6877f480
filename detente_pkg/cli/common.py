r"""What every command shares: the ``--store`` option, output for terminals and pipes, progress.

Tables go to a terminal as rich tables; when stdout is a pipe or a file they
are written whole as TSV (a header row, then one row per line; a tab,
newline, carriage return or backslash inside a value is escaped as ``\t``,
``\n``, ``\r``, ``\\``), so nothing is cut to the terminal's width.

>>> tsv_line(["a\tb", "c"])
'a\\tb\tc'
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

F = TypeVar("F", bound=Callable[..., Any])

#: Messages, progress and errors (stderr); results go to :data:`out` (stdout).
console = Console(stderr=True, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

__all__ = ["console", "out", "store_option", "open_cli_store", "progress_bar", "working", "stdout_is_terminal",
           "print_table", "tsv_line", "term_text", "demo_path"]


def store_option(func: F) -> F:
    """The ``--store URI`` option every command shares."""
    return click.option("--store", "store_uri", envvar="DETENTE_STORE", default=None, metavar="URI",
                        help="oxigraph:PATH, memory: or sparql+http(s)://HOST/PATH "
                             "[env DETENTE_STORE; default: the user data folder]")(func)


def open_cli_store(uri: str | None, read_only: bool = False, *, existing: bool = False) -> Any:
    """Open the store for a command; a writable store gets the current ontology graph.

    While a server holds an on-disk store (its lock file), a reading command
    opens a read-only snapshot of the committed version that the server makes,
    and a writing command that cannot go through the server stops with exit 2.
    ``existing``: an on-disk store that is not there yet is an error, not made
    (a command that promises to write nothing).
    """
    from detente.api.client import open_snapshot, server_for
    from detente.errors import ServerHoldsStoreError, StoreError
    from detente.graph import open_store
    from detente.graph.bootstrap import ensure_ontology
    from detente.graph.location import StoreLocation

    location = StoreLocation.of(uri)
    if existing and location.kind == "oxigraph" and location.path is not None \
            and not (location.path / "CURRENT").exists():  # (RocksDB's: every database has one)
        raise StoreError(f"no store at {location.path}: a store is made by writing to it (detente load)")
    client = server_for(location)
    if client is not None:
        if not read_only:
            raise ServerHoldsStoreError(f"the store {location.path} is held by a running detente server "
                                        f"({client.url}), its only writer: stop the server first (`detente load` "
                                        "and `detente restore` send their work through it)")
        return open_snapshot(client)
    store = open_store(location, read_only=read_only)
    if not read_only:
        ensure_ontology(store)
    return store


def demo_path() -> Path:
    """The bundled demo corpus folder."""
    import detente.loaders

    return Path(detente.loaders.__file__).resolve().parent / "demo"


# -- progress ---------------------------------------------------------------------

def progress_bar() -> Progress:
    """A progress bar with counts (on stderr when it is a terminal; gone when done)."""
    return Progress(SpinnerColumn(), TextColumn("[progress.description]{task.description}"), BarColumn(),
                    TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(), console=console,
                    transient=True, disable=not console.is_terminal)


class RateColumn(ProgressColumn):
    """Count done and rate: ``1,204,000  52,310/s`` (rows of a load)."""

    def render(self, task: Task) -> Text:
        rate = f"  {task.speed:,.0f}/s" if task.speed else ""
        return Text(f"{int(task.completed):,}{rate}")


def rows_progress() -> Progress:
    """Progress of a load: the file being read, and rows read with rows/s (on stderr, only on a terminal)."""
    return Progress(SpinnerColumn(), TextColumn("[progress.description]{task.description}"), RateColumn(),
                    TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal)


def working(description: str) -> Progress:
    """An indeterminate progress line (spinner and elapsed time) for work without countable steps."""
    return Progress(SpinnerColumn(), TextColumn("[progress.description]{task.description}"), TimeElapsedColumn(),
                    console=console, transient=True, disable=not console.is_terminal)


# -- output -------------------------------------------------------------------------

def stdout_is_terminal() -> bool:
    """Whether stdout is a terminal (rich tables) rather than a pipe or a file (TSV)."""
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def tsv_line(values: Sequence[str]) -> str:
    """One TSV line of whole values (tabs, newlines and backslashes escaped)."""
    return "\t".join(value.translate(_TSV_ESCAPES) for value in values)


def print_table(columns: Sequence[str], rows: Sequence[Sequence[str]], title: str | None = None,
                fold: bool = False) -> None:
    """A table: rich on a terminal (long cells folded when ``fold``), TSV otherwise.

    In TSV a title becomes a ``# title`` line before the header.
    """
    if not stdout_is_terminal():
        if title:
            click.echo(f"# {title}")
        click.echo(tsv_line(list(columns)))
        for row in rows:
            click.echo(tsv_line(list(row)))
        return
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold" if fold else "ellipsis")
    for row in rows:
        table.add_row(*row)
    out.print(table)


def term_text(term: Any) -> str:
    """An RDF term as text: a CURIE where a prefix fits, else the IRI or the literal's value."""
    from rdflib import URIRef

    from detente.ontology.vocab import compact_iri

    if term is None:
        return ""
    if isinstance(term, URIRef):
        short = compact_iri(str(term))
        return str(term) if short.startswith("<") else short
    return str(term)
