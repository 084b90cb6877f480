"""``detente link``: events linked across sources (dt:possiblySameAs candidates), accepted or withdrawn."""

from __future__ import annotations

import json

import click

from detente.cli.claims import resolve_term
from detente.cli.common import console, open_cli_store, out, print_table, store_option, term_text

__all__ = ["link"]


@click.command()
@click.option("--rerun", is_flag=True, help="Re-run linking over every event in the store and record new candidates.")
@click.option("--accept", "accept_pair", nargs=2, metavar="A B", help="State A owl:sameAs B in the facts view.")
@click.option("--unlink", "unlink_pair", nargs=2, metavar="A B", help="Withdraw owl:sameAs between A and B.")
@click.option("--accept-above", type=click.FloatRange(0, 1), default=None,
              help="With --rerun: accept every new candidate scoring at least this.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="List candidates scoring at least this.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@store_option
def link(rerun: bool, accept_pair: tuple[str, str] | None, unlink_pair: tuple[str, str] | None,
         accept_above: float | None, min_score: float, fmt: str, store_uri: str | None) -> None:
    """List event links across sources (dt:possiblySameAs candidates with scores), re-run linking,
    accept a link as owl:sameAs or withdraw it. Every decision is kept in the provenance graph.

    \b
    Examples:
      detente link                      # list candidates
      detente link --rerun              # compare every event in the store again
      detente link --accept event:gdelt-1 agreement:ucdp-2
      detente link --unlink event:gdelt-1 agreement:ucdp-2
    """
    from detente.errors import NotFoundError, ParameterError, UsageError
    from detente.graph.entities import EntityNames
    from detente.loaders import linking

    if accept_above is not None and not rerun:
        raise ParameterError("--accept-above", "applies to the candidates a --rerun finds: add --rerun "
                                               "(or accept one pair with --accept A B)")
    store = open_cli_store(store_uri, read_only=not (rerun or accept_pair or unlink_pair))
    names = EntityNames(states=False)  # the pair is given by IRI, CURIE or path
    if rerun:
        report = linking.link_store(store, accept_above=accept_above)
        console.print(f"compared {report.compared} pair(s) of {report.events} event(s): "
                      f"{len(report.candidates)} new candidate(s), {len(report.accepted)} accepted")
    for option, pair, action in (("--accept", accept_pair, linking.accept),
                                 ("--unlink", unlink_pair, linking.unlink)):
        if pair:
            a, b = (resolve_term(names, ref, option.lstrip("-")) for ref in pair)
            try:
                decision = action(store, a, b)
            except (NotFoundError, UsageError) as exc:  # the same kind of error, naming the option it is about
                if isinstance(exc, ParameterError):
                    raise
                raise type(exc)(f"{option}: {exc}") from None
            console.print(f"{decision.decision}: {term_text(a)} owl:sameAs {term_text(b)}")
    candidates = linking.list_candidates(store, minimum=min_score)
    if fmt == "json":
        out.print_json(json.dumps([c.to_json() for c in candidates]))
        return
    print_table(["score", "source", "target", "accepted", "evidence"],
                [["" if c.score is None else f"{c.score:.3f}",
                  term_text(c.source) + (f"\n{c.source_label}" if c.source_label else ""),
                  term_text(c.target) + (f"\n{c.target_label}" if c.target_label else ""),
                  "yes" if c.accepted else "", c.evidence or ""] for c in candidates])
    console.print(f"{len(candidates)} candidate(s)")
