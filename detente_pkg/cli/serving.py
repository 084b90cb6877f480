"""``detente serve`` and ``detente demo``: the store over HTTP (SPARQL endpoint, REST routes, pages)."""

from __future__ import annotations

import click

from detente.cli.common import demo_path, open_cli_store, progress_bar, store_option
from detente.cli.loading import print_reports

__all__ = ["serve", "demo"]


@click.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads of the WSGI server.")
@click.option("--workers", type=int, default=None,
              help="Query worker processes [env DETENTE_WORKERS; default: CPU count].")
@click.option("--timeout", "query_timeout", type=float, default=None,
              help="Seconds a request may spend on the store [env DETENTE_QUERY_TIMEOUT; default 10].")
def serve(store_uri: str | None, host: str, port: int, threads: int, workers: int | None,
          query_timeout: float | None) -> None:
    """Serve the store over HTTP: SPARQL endpoint, REST routes and HTML pages (waitress).

    Read-only unless DETENTE_UPDATE_TOKEN is set; every query is bounded in
    time (DETENTE_QUERY_TIMEOUT), rows (DETENTE_MAX_ROWS) and bytes (DETENTE_MAX_RESULT_BYTES).
    """
    from detente.api.app import create_app
    from detente.api.server import serve as run_server

    # The app opens the store itself: its workers need the URI, not an open on-disk store.
    config = {k: v for k, v in {"store": store_uri, "workers": workers, "query_timeout": query_timeout}.items()
              if v is not None}
    run_server(create_app(config or None), host=host, port=port, threads=threads)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--store", "store_uri", default="memory:", show_default=True, metavar="URI",
              help="Where to load the demo (a fresh store; an on-disk one is emptied first).")
@click.option("--no-serve", is_flag=True, help="Load and report, do not serve.")
def demo(host: str, port: int, store_uri: str, no_serve: bool) -> None:
    """Load the bundled demo corpus into a fresh store and serve it."""
    from detente.graph.bootstrap import ensure_ontology
    from detente.graph.writes import clear
    from detente.loaders.pipeline import load_paths

    store = open_cli_store(store_uri)
    clear(store)
    ensure_ontology(store)  # the ontology graph again, after clearing (in this store: memory: opens a new one)
    with progress_bar() as bar:
        task = bar.add_task("loading the demo corpus", total=None)
        reports = load_paths(store, [demo_path()],
                             progress=lambda p, n, t: bar.update(task, total=t, completed=n - 1))
    print_reports(reports, False)
    if no_serve:
        return
    from detente.api.app import create_app
    from detente.api.server import serve as run_server

    run_server(create_app({"store": store}), host=host, port=port, threads=8)
