"""The ``detente`` command line.

Every command takes ``--store URI`` (default: ``DETENTE_STORE`` or an on-disk
store under the user's data directory) and ``--help``.

Exit codes (as pySHACL documents its own):

==== ============================================================
0    success; for ``validate`` and ``ontology check``: valid/consistent
1    invalid input, inconsistent ontology, nothing found
2    usage error, unreadable file, store or server error
==== ============================================================

>>> from click.testing import CliRunner
>>> result = CliRunner().invoke(main, ["--help"])
>>> result.exit_code
0
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from detente import __version__

F = TypeVar("F", bound=Callable[..., Any])

console = Console(stderr=True, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


def store_option(func: F) -> F:
    """The ``--store URI`` option every command shares."""
    return click.option("--store", "store_uri", envvar="DETENTE_STORE", default=None, metavar="URI",
                        help="oxigraph:PATH, memory: or sparql+http(s)://HOST/PATH "
                             "[env DETENTE_STORE; default: the user data folder]")(func)


def open_cli_store(uri: str | None, read_only: bool = False) -> Any:
    """Open the store for a command; a writable store gets the current ontology graph."""
    from detente.graph.bootstrap import ensure_ontology
    from detente.graph.store import StoreError, open_store

    try:
        store = open_store(uri, read_only=read_only)
        if not read_only:
            ensure_ontology(store)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    return store


def handle_errors(func: F) -> F:
    """Turn store and input errors into a clear message and exit code 2."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from detente.graph.store import QuerySyntaxError, StoreError

        try:
            return func(*args, **kwargs)
        except QuerySyntaxError as exc:
            console.print(f"[red]SPARQL syntax error:[/red] {exc}")
            sys.exit(EXIT_ERROR)
        except StoreError as exc:
            console.print(f"[red]store error:[/red] {exc}")
            sys.exit(EXIT_ERROR)
    return wrapper  # type: ignore[return-value]


def progress_bar() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("[progress.description]{task.description}"), BarColumn(),
                    TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(), console=console,
                    transient=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="detente")
def main() -> None:
    """detente: a knowledge graph of diplomatic actors, venues and agreements built from sourced claims."""


# -- loading ------------------------------------------------------------------

def _load_options(source_url: str | None, title: str | None, publisher: str | None, published: str | None,
                  source_type: str | None) -> Any:
    from detente.loaders.base import LoadOptions

    return LoadOptions(source_url=source_url, source_title=title, publisher=publisher, published=published,
                       source_type=source_type)


def source_options(func: F) -> F:
    for option in reversed([
        click.option("--source-url", help="URL of the source (news text without front matter)."),
        click.option("--title", help="Title of the source."),
        click.option("--publisher", help="Publisher of the source, e.g. 'Kyiv Independent'."),
        click.option("--published", help="Publication date, YYYY-MM-DD (anchors relative dates)."),
        click.option("--source-type", help="NewsArticle, OfficialStatement or Dataset."),
    ]):
        func = option(func)
    return func


def _print_reports(reports: Sequence[Any], as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps([r.to_json() for r in reports]))
        return
    table = Table("file", "format", "records", "claims", "new", "quads", "rejects")
    for r in reports:
        table.add_row(r.path, r.format, str(r.records), str(r.claims), str(r.new_claims), str(r.quads),
                      str(len(r.rejects)))
    out.print(table)


def _print_rejects(rejects: Sequence[Any], limit: int = 20) -> None:
    for reject in rejects[:limit]:
        console.print(f"  {reject}", markup=False)
    if len(rejects) > limit:
        console.print(f"  … and {len(rejects) - limit} more")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@store_option
@click.option("--skip-invalid", is_flag=True, help="Load the good records; write the rejects to --rejects.")
@click.option("--rejects", "rejects_path", type=click.Path(path_type=Path), default=None,
              help="Where --skip-invalid writes rejected records (CSV) [default: rejects.csv].")
@click.option("--no-shacl", is_flag=True, help="Skip SHACL validation (faster on big trusted inputs).")
@click.option("--json", "as_json", is_flag=True, help="Print the load report as JSON.")
@source_options
@handle_errors
def load(paths: tuple[Path, ...], store_uri: str | None, skip_invalid: bool, rejects_path: Path | None,
         no_shacl: bool, as_json: bool, source_url: str | None, title: str | None, publisher: str | None,
         published: str | None, source_type: str | None) -> None:
    """Load PATHS (files or folders) into the store, one transaction per file.

    Formats are detected by suffix and content: statements CSV/TSV, claim
    documents JSON/JSONL/YAML, entity CSV/YAML, RDF (Turtle, N-Triples,
    N-Quads, TriG, JSON-LD, RDF/XML), news text, GDELT and UCDP exports.
    A bad record stops its file with a message naming file, line and field,
    and nothing of that file is written.
    """
    from detente.loaders.base import LoadError
    from detente.loaders.pipeline import load_paths

    store = open_cli_store(store_uri)
    if skip_invalid and rejects_path is None:
        rejects_path = Path("rejects.csv")
    options = _load_options(source_url, title, publisher, published, source_type)
    with progress_bar() as bar:
        task = bar.add_task("loading", total=None)

        def tick(path: str, number: int, total: int) -> None:
            bar.update(task, total=total, completed=number - 1, description=f"loading {Path(path).name}")

        try:
            reports = load_paths(store, list(paths), skip_invalid=skip_invalid, rejects_path=rejects_path,
                                 shacl=not no_shacl, options=options, progress=tick)
        except LoadError as exc:
            bar.stop()
            console.print(f"[red]invalid input, nothing of this file was written[/red] ({len(exc.rejects)} "
                          "problem(s)):")
            _print_rejects(exc.rejects)
            sys.exit(EXIT_INVALID)
        bar.update(task, completed=len(reports))
    store.close()
    _print_reports(reports, as_json)
    rejected = sum(len(r.rejects) for r in reports)
    if rejected:
        console.print(f"[yellow]{rejected} record(s) rejected[/yellow], written to {rejects_path}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--no-shacl", is_flag=True, help="Check syntax and types only.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--store", "store_uri", default=None, metavar="URI",
              help="Also resolve entity names against the entities of this store (read only).")
@source_options
@handle_errors
def validate(paths: tuple[Path, ...], no_shacl: bool, as_json: bool, store_uri: str | None, source_url: str | None,
             title: str | None, publisher: str | None, published: str | None, source_type: str | None) -> None:
    """Check PATHS without writing anything. Exit 0 when valid, 1 when not."""
    from detente.loaders.pipeline import load_paths
    from detente.loaders.registry import EntityRegistry

    registry = EntityRegistry()
    if store_uri:
        registry.load_store(open_cli_store(store_uri, read_only=True))
    options = _load_options(source_url, title, publisher, published, source_type)
    reports = load_paths(None, list(paths), skip_invalid=True, shacl=not no_shacl, options=options,
                         registry=registry)
    rejects = [r for report in reports for r in report.rejects]
    if as_json:
        out.print_json(json.dumps({"valid": not rejects, "files": [r.to_json() for r in reports]}))
    else:
        _print_reports(reports, False)
        if rejects:
            console.print(f"[red]{len(rejects)} problem(s):[/red]")
            _print_rejects(rejects, limit=50)
        else:
            console.print("[green]valid[/green]")
    sys.exit(EXIT_INVALID if rejects else EXIT_OK)


# -- querying -----------------------------------------------------------------

def _term_text(term: Any) -> str:
    from rdflib import URIRef

    from detente.ontology.vocab import compact_iri

    if term is None:
        return ""
    if isinstance(term, URIRef):
        short = compact_iri(str(term))
        return str(term) if short.startswith("<") else short
    return str(term)


QUERY_FORMATS = ["table", "json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld"]


@main.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r"), help="Read the query from a file ('-' for stdin).")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True)
@click.option("--limit", type=int, default=None, help="Show at most this many rows.")
@store_option
@handle_errors
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
    store = open_cli_store(store_uri, read_only=True)
    if fmt == "table":
        result = store.query(text, max_rows=limit)
        if result.kind == "ask":
            out.print("true" if result.boolean else "false")
            return
        if result.kind == "graph":
            for s, p, o in result.triples:
                out.print(f"{_term_text(s)}  {_term_text(p)}  {_term_text(o)}", markup=False)
            return
        table = Table(*result.variables)
        for row in result.rows:
            table.add_row(*(_term_text(t) for t in row))
        out.print(table)
        console.print(f"{len(result.rows)} row(s)")
        return
    serialized = store.query_serialized(text, fmt, max_rows=limit) if limit is None else \
        _limited(store, text, fmt, limit)
    sys.stdout.buffer.write(serialized.body)
    if not serialized.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")


def _limited(store: Any, text: str, fmt: str, limit: int) -> Any:
    from detente.graph.store import StoreError

    try:
        return store.query_serialized(text, fmt, max_rows=limit)
    except StoreError as exc:
        raise click.ClickException(f"{exc}") from exc


# -- provenance -----------------------------------------------------------------

def _resolve_term(registry: Any, ref: str, field: str, predicate: Any = None) -> Any:
    from rdflib import URIRef

    from detente.loaders.base import FieldError, object_term, resolve_predicate

    try:
        if field == "predicate":
            return resolve_predicate(ref)
        if field == "object" and predicate is not None:
            return object_term(registry, predicate, ref)
        iri = registry.resolve(ref)
    except FieldError as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{field}") from None
    if iri is None:
        raise click.BadParameter(f"unknown entity {ref!r}", param_hint=f"--{field}")
    return URIRef(iri)


def _print_claim(record: Any, header: str = "") -> None:
    out.print(f"[bold]{header}{_term_text(record.iri)}[/bold]")
    for s, p, o in record.statements:
        out.print(f"    {_term_text(s)}  {_term_text(p)}  {_term_text(o)}", markup=False)
    source = record.title or record.url or _term_text(record.source)
    pub = record.publisher_label or _term_text(record.publisher)
    out.print(f"  source:     {source}" + (f" ({pub}, {record.issued})" if pub or record.issued else ""),
              markup=False)
    if record.url:
        out.print(f"  url:        {record.url}", markup=False)
    if record.said_by is not None:
        out.print(f"  said by:    {record.said_by_label or _term_text(record.said_by)}", markup=False)
    if record.quote:
        offsets = f" [{record.quote_start}:{record.quote_end}]" if record.quote_start is not None else ""
        out.print(f"  quote:      “{record.quote}”{offsets}", markup=False)
    if record.confidence is not None:
        out.print(f"  confidence: {record.confidence}", markup=False)
    if record.method:
        out.print(f"  made by:    {record.method}", markup=False)


@main.command()
@click.argument("claim", required=False)
@click.option("--subject", "-s", help="Entity: CURIE, IRI, label or alias.")
@click.option("--predicate", "-p", help="Property: dt:prisonerCount, prisonerCount, an IRI.")
@click.option("--object", "-o", "obj", help="Entity or value (typed by the property's range).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@store_option
@handle_errors
def provenance(claim: str | None, subject: str | None, predicate: str | None, obj: str | None, fmt: str,
               store_uri: str | None) -> None:
    """Who says it: one CLAIM (IRI, claim:ID, or your own key), or every claim
    supporting --subject [--predicate] [--object], with the claims that disagree.

    \b
    Example:
      detente provenance -s agreement:ukr-rus-314-exchange -p prisonerCount -o 314
    """
    from detente.graph.claims import get_claim, provenance as provenance_of, resolve_claim_ref

    store = open_cli_store(store_uri, read_only=True)
    if claim:
        iri = resolve_claim_ref(store, claim)
        record = get_claim(store, iri) if iri is not None else None
        if record is None:
            console.print(f"no claim {claim!r}")
            sys.exit(EXIT_INVALID)
        if fmt == "json":
            out.print_json(json.dumps(record.to_json()))
        else:
            _print_claim(record)
        return
    if not subject:
        raise click.UsageError("give a CLAIM or --subject")
    from detente.loaders.registry import EntityRegistry

    registry = EntityRegistry()  # built once: every state plus the store's entities
    registry.load_store(store)
    s = _resolve_term(registry, subject, "subject")
    p = _resolve_term(registry, predicate, "predicate") if predicate else None
    o = _resolve_term(registry, obj, "object", p) if obj else None
    report = provenance_of(store, s, p, o)
    if fmt == "json":
        out.print_json(json.dumps(report.to_json()))
    else:
        sources = len({c.source for c in report.supporting})
        out.print(f"{len(report.supporting)} claim(s) from {sources} source(s) support it")
        for record in report.supporting:
            _print_claim(record, "✓ ")
        if report.disagreeing:
            out.print(f"{len(report.disagreeing)} claim(s) disagree")
            for record in report.disagreeing:
                _print_claim(record, "✗ ")
    if not report.supporting:
        sys.exit(EXIT_INVALID)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="List at most N conflicts [default: all].")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Skip the first N conflicts.")
@store_option
@handle_errors
def conflicts(fmt: str, limit: int | None, offset: int, store_uri: str | None) -> None:
    """List subjects given different values of a functional property (314 vs 300 prisoners).

    With --limit/--offset, one page; the total is reported on stderr.
    """
    from detente.graph.conflict_listing import conflict_page

    store = open_cli_store(store_uri, read_only=True)
    with progress_bar() as bar:
        task = bar.add_task("reading conflicts", total=None)
        page = conflict_page(store, limit=limit, offset=offset,
                             progress=lambda done, total: bar.update(task, total=total, completed=done))
    found = page.conflicts
    if len(found) < page.total:
        console.print(f"conflicts {offset + 1}–{offset + len(found)} of {page.total}")
    if fmt == "json":
        out.print_json(json.dumps([c.to_json() for c in found]))
        return
    if not found:
        out.print("no conflicts" if not page.total else f"no conflicts from {offset + 1} on (of {page.total})")
        return
    for conflict in found:
        out.print(f"[bold]{_term_text(conflict.subject)}[/bold] {_term_text(conflict.predicate)}")
        for value, records in conflict.values.items():
            who = ", ".join(sorted({r.publisher_label or _term_text(r.publisher) or "?" for r in records}))
            out.print(f"    {value}: {len(records)} claim(s) — {who}", markup=False)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@store_option
@handle_errors
def stats(fmt: str, store_uri: str | None) -> None:
    """Counts: claims, sources, publishers, distinct facts, entities, quads, instances per class."""
    from detente.graph.claims import stats as store_stats

    store = open_cli_store(store_uri, read_only=True)
    numbers = store_stats(store)
    if fmt == "json":
        out.print_json(json.dumps(numbers.to_json()))
        return
    table = Table("what", "count")
    for name in ("claims", "sources", "publishers", "facts", "entities", "quads"):
        table.add_row(name, str(getattr(numbers, name)))
    for cls, n in numbers.by_type.items():
        table.add_row(_term_text_iri(cls), str(n))
    out.print(table)


def _term_text_iri(iri: str) -> str:
    from rdflib import URIRef

    return _term_text(URIRef(iri))


# -- dump and restore -------------------------------------------------------------

@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="File (default: stdout).")
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default="nquads", show_default=True)
@store_option
@handle_errors
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


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Empty the store first.")
@store_option
@handle_errors
def restore(path: Path, replace: bool, store_uri: str | None) -> None:
    """Load a dump made by ``detente dump`` (N-Quads or TriG) in one transaction."""
    from detente.graph.bootstrap import ensure_ontology
    from detente.graph.store import RDF_SUFFIXES
    from detente.graph.writes import restore as restore_dump

    fmt = RDF_SUFFIXES.get(path.suffix.lower())
    if fmt not in ("nquads", "trig"):
        raise click.BadParameter("a dump is .nq or .trig", param_hint="PATH")
    store = open_cli_store(store_uri)
    with _working("restore") as progress:
        progress.add_task("restoring and rebuilding the summary…", total=None)
        restore_dump(store, path, fmt, replace=replace)
    ensure_ontology(store)
    store.close()
    console.print(f"restored {path}: the store holds {store.count_quads()} quads")


# -- ontology -------------------------------------------------------------------

@main.group()
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

    from detente.graph.claims import conflicts as find_conflicts
    from detente.graph.store import open_store
    from detente.loaders.base import LoadError
    from detente.loaders.pipeline import load_paths
    from detente.ontology.reasoning import ReasoningError, check_consistency
    from detente.ontology.vocab import ENTITIES_GRAPH, FACTS_GRAPH, PROVENANCE_GRAPH

    store = open_store("memory:")
    inputs: list[Path] = ([demo_path()] if demo else []) + list(data)
    try:
        load_paths(store, inputs, shacl=False)
    except LoadError as exc:
        console.print(f"[red]cannot read the data:[/red] {exc}")
        sys.exit(EXIT_ERROR)
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
    try:
        report = check_consistency(graph)
    except ReasoningError as exc:
        console.print(f"[red]reasoner error:[/red] {exc}")
        sys.exit(EXIT_ERROR)
    if as_json:
        body = {k: v for k, v in report.__dict__.items()}
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


# -- analysis and exports ------------------------------------------------------------

# -- analysis and exports (paste into detente_pkg/cli.py; uses main, store_option, open_cli_store,
#    handle_errors, console, out, json, Path, Any, F, click, Table, Progress pieces already imported there) --

ANALYSES = ("centrality", "communities", "brokers", "ego", "path", "timeline", "corroboration", "conflicts")


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


def _working(description: str) -> Progress:
    """An indeterminate progress line (spinner and elapsed time) for work without countable steps."""
    return Progress(SpinnerColumn(), TextColumn("[progress.description]{task.description}"), TimeElapsedColumn(),
                    console=console, transient=True)


@main.command()
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
@handle_errors
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
    with _working(metric) as progress:
        progress.add_task(f"computing {metric}…", total=None)
        try:
            result = run_metric(store, metric, **{n: v for n, v in given.items() if v is not None},
                                **_filters(start, end, date_basis, min_confidence, publishers))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        out.print_json(json.dumps(result))
        return
    for spec in result_tables(result):
        table = Table(title=spec.title, title_justify="left")
        for column in spec.columns:
            table.add_column(column.replace("_", " "), overflow="fold")
        for row in spec.rows:
            table.add_row(*row)
        out.print(table)


EXPORT_FORMATS = ("graphml", "gexf", "cytoscape", "nodelink", "dot", "csv", "csv-nodes", "turtle", "trig", "nquads",
                  "jsonld", "html")


@main.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(EXPORT_FORMATS))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write ('-' for stdout).")
@click.option("--projection", type=click.Choice(["actors", "bipartite", "full"]), default="actors", show_default=True,
              help="Network formats: actor–actor, actor–event, or every entity-to-entity fact.")
@filter_options
@store_option
@handle_errors
def export(fmt: str, output: Path, projection: str, start: str | None, end: str | None, date_basis: str,
           min_confidence: float | None, publishers: tuple[str, ...], store_uri: str | None) -> None:
    """Export the network (GraphML, GEXF, Cytoscape JSON, node-link JSON, DOT, CSV, HTML view) or the RDF.

    \b
    turtle, jsonld: the facts; trig, nquads: the whole dataset with claim graphs.
    html: a self-contained network view (open it in a browser, works offline).
    csv: the edges table with both ends' labels; csv-nodes: the nodes table.
    """
    from detente.graph.exports import export_bytes

    store = open_cli_store(store_uri, read_only=True)
    with _working("export") as progress:
        progress.add_task(f"exporting {fmt}…", total=None)
        try:
            body, _media_type = export_bytes(store, fmt, projection=projection,
                                             **_filters(start, end, date_basis, min_confidence, publishers))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    if str(output) == "-":
        sys.stdout.buffer.write(body)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(body)
    console.print(f"wrote {output} ({len(body):,} bytes, {fmt})")


# -- serving ------------------------------------------------------------------------

def demo_path() -> Path:
    """The bundled demo corpus folder."""
    import detente.loaders

    return Path(detente.loaders.__file__).resolve().parent / "demo"


@main.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads of the WSGI server.")
@click.option("--workers", type=int, default=None,
              help="Query worker processes [env DETENTE_WORKERS; default: CPU count].")
@click.option("--timeout", "query_timeout", type=float, default=None,
              help="Seconds a request may spend on the store [env DETENTE_QUERY_TIMEOUT; default 10].")
@handle_errors
def serve(store_uri: str | None, host: str, port: int, threads: int, workers: int | None,
          query_timeout: float | None) -> None:
    """Serve the store over HTTP: SPARQL endpoint, REST routes and HTML pages (waitress).

    Read-only unless DETENTE_UPDATE_TOKEN is set; every query is bounded in
    time (DETENTE_QUERY_TIMEOUT) and rows (DETENTE_MAX_ROWS).
    """
    from detente.api.app import create_app
    from detente.api.server import serve as run_server

    # The app opens the store itself: its workers need the URI, not an open on-disk store.
    config = {k: v for k, v in {"store": store_uri, "workers": workers, "query_timeout": query_timeout}.items()
              if v is not None}
    run_server(create_app(config or None), host=host, port=port, threads=threads)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--store", "store_uri", default="memory:", show_default=True, metavar="URI",
              help="Where to load the demo (a fresh store; an on-disk one is emptied first).")
@click.option("--no-serve", is_flag=True, help="Load and report, do not serve.")
@handle_errors
def demo(host: str, port: int, store_uri: str, no_serve: bool) -> None:
    """Load the bundled demo corpus into a fresh store and serve it."""
    from detente.loaders.pipeline import load_paths

    from detente.graph.writes import clear

    store = open_cli_store(store_uri)
    clear(store)
    open_cli_store(store_uri)  # the ontology graph again, after clearing
    with progress_bar() as bar:
        task = bar.add_task("loading the demo corpus", total=None)
        reports = load_paths(store, [demo_path()],
                             progress=lambda p, n, t: bar.update(task, total=t, completed=n - 1))
    _print_reports(reports, False)
    if no_serve:
        return
    from detente.api.app import create_app
    from detente.api.server import serve as run_server

    run_server(create_app({"store": store}), host=host, port=port, threads=8)


if __name__ == "__main__":  # pragma: no cover
    main()
