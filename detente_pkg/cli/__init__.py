"""The ``detente`` command line: one module per group of commands.

Every command takes ``--store URI`` (default: ``DETENTE_STORE`` or an on-disk
store under the user's data directory) and ``--help``.

Exit codes (as pySHACL documents its own), read off the error's class in
:mod:`detente.errors` by the one handler below:

==== ============================================================
0    success; for ``validate`` and ``ontology check``: valid/consistent
1    invalid input, inconsistent ontology, nothing found
2    usage error, unreadable file, store, lock or server error
==== ============================================================

Results go to stdout, messages and progress to stderr. On a terminal,
tables are drawn with rich; in a pipe or a file they are TSV with whole values.

>>> from click.testing import CliRunner
>>> result = CliRunner().invoke(main, ["--help"])
>>> result.exit_code
0
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import traceback
from typing import Any

import click
from rich.text import Text

from detente import __version__
from detente.cli.analysis import analyze, export
from detente.cli.claims import conflicts, provenance
from detente.cli.common import console, demo_path
from detente.cli.dataset import dump, restore, stats
from detente.cli.linking import link
from detente.cli.loading import load, validate
from detente.cli.ontology import ontology
from detente.cli.querying import query
from detente.cli.serving import demo, serve
from detente.errors import EXIT_ERROR, DetenteError

__all__ = ["main", "demo_path", "report_error"]


def _kind(error: BaseException) -> str:
    """What went wrong: the error's label, else its class name: ``QuerySyntaxError`` → ``query syntax error``."""
    label = getattr(error, "label", None)
    return label or re.sub(r"(?<!^)(?=[A-Z][a-z])", " ", type(error).__name__).lower()


def report_error(error: DetenteError) -> None:
    """Print a detente error as its user sees it: its kind and message, never a traceback."""
    console.print(Text.assemble((f"{_kind(error)}:", "bold red"), " ", str(error)))


class DetenteGroup(click.Group):
    """The ``detente`` group: the one place where errors become messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DetenteError as error:
            report_error(error)
            ctx.exit(error.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # The reader of our output went away (``| head``): stop quietly, and keep Python's
            # own flush at exit from failing on the closed pipe.
            with contextlib.suppress(OSError, ValueError):  # ValueError: stdout is no file (a test's capture)
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_ERROR)
        except Exception as error:
            # Not a DetenteError: a bug. Show where, so that it can be reported.
            console.print(traceback.format_exc(), markup=False, highlight=False)
            console.print(Text.assemble(("internal error:", "bold red"), " ", f"{type(error).__name__}: {error} "
                                        "(a bug in detente; please report it with the traceback above)"))
            ctx.exit(EXIT_ERROR)


@click.group(cls=DetenteGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="detente")
def main() -> None:
    """detente: a knowledge graph of diplomatic actors, venues and agreements built from sourced claims."""
    # rdflib logs a warning, with a traceback, for each malformed IRI or ill-typed literal it meets in a
    # user's file; the loaders refuse those values themselves with file, line and field, so its log stays quiet.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)


for _command in (load, validate, query, provenance, conflicts, link, stats, dump, restore, ontology, analyze,
                 export, serve, demo):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
