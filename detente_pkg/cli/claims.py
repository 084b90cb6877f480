"""``detente provenance`` and ``detente conflicts``: who says what, and where sources disagree."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from detente.cli.common import console, open_cli_store, out, progress_bar, store_option, term_text
from detente.errors import EXIT_INVALID, NotFoundError

__all__ = ["provenance", "conflicts", "resolve_term"]


def resolve_term(names: Any, ref: str, field: str, predicate: Any = None) -> Any:
    """A term for the option ``--field`` (--subject/--predicate/--object, or --accept…).

    Entities are found by the one resolver (:class:`~detente.graph.entities.EntityNames`); a bad one is a
    usage error (exit 2).
    """
    from detente.errors import AmbiguousEntityError, UnknownEntityError
    from detente.loaders.base import FieldError, object_term, resolve_predicate

    try:
        if field == "predicate":
            return resolve_predicate(ref)
        if field == "object" and predicate is not None:
            return object_term(names, predicate, ref)
        return names.resolve(ref)
    except FieldError as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{field}") from None
    except (UnknownEntityError, AmbiguousEntityError) as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{field}") from None


def _print_claim(record: Any, header: str = "") -> None:
    out.print(f"[bold]{header}{term_text(record.iri)}[/bold]")
    for s, p, o in record.statements:
        out.print(f"    {term_text(s)}  {term_text(p)}  {term_text(o)}", markup=False)
    source = record.title or record.url or term_text(record.source)
    pub = record.publisher_label or term_text(record.publisher)
    out.print(f"  source:     {source}" + (f" ({pub}, {record.issued})" if pub or record.issued else ""),
              markup=False)
    if record.url:
        out.print(f"  url:        {record.url}", markup=False)
    if record.said_by is not None:
        out.print(f"  said by:    {record.said_by_label or term_text(record.said_by)}", markup=False)
    if record.quote:
        offsets = f" [{record.quote_start}:{record.quote_end}]" if record.quote_start is not None else ""
        out.print(f"  quote:      “{record.quote}”{offsets}", markup=False)
    if record.confidence is not None:
        out.print(f"  confidence: {record.confidence}", markup=False)
    if record.method:
        out.print(f"  made by:    {record.method}", markup=False)


@click.command()
@click.argument("claim", required=False)
@click.option("--subject", "-s", help="Entity: CURIE, IRI, label or alias.")
@click.option("--predicate", "-p", help="Property: dt:prisonerCount, prisonerCount, an IRI.")
@click.option("--object", "-o", "obj", help="Entity or value (typed by the property's range).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@store_option
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
            raise NotFoundError(f"no claim {claim!r}")
        if fmt == "json":
            out.print_json(json.dumps(record.to_json()))
        else:
            _print_claim(record)
        return
    if not subject:
        raise click.UsageError("give a CLAIM or --subject")
    from detente.graph.entities import EntityNames

    names = EntityNames.from_store(store)  # built once: every state plus the store's entities
    s = resolve_term(names, subject, "subject")
    p = resolve_term(names, predicate, "predicate") if predicate else None
    o = resolve_term(names, obj, "object", p) if obj else None
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


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="List at most N conflicts [default: all].")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Skip the first N conflicts.")
@store_option
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
        out.print(f"[bold]{term_text(conflict.subject)}[/bold] {term_text(conflict.predicate)}")
        for value, records in conflict.values.items():
            who = ", ".join(sorted({r.publisher_label or term_text(r.publisher) or "?" for r in records}))
            out.print(f"    {value}: {len(records)} claim(s) — {who}", markup=False)
