r"""Statements tables (CSV/TSV): one triple a row, rows sharing ``claim`` form one claim.

Columns: ``claim, subject, predicate, object, source, publisher, published,
quote, said_by, confidence`` (optional: ``title``, ``source_type``).
``source`` is the URL of the publication. Rows of one claim must agree on
the claim-level columns.

>>> import tempfile, pathlib
>>> from detente.loaders.base import LoadContext
>>> from detente.loaders.registry import EntityRegistry
>>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
>>> _ = p.write_text("claim,subject,predicate,object,source,publisher,published,quote,said_by,confidence\n"
...                  "c1,event:t1,hasParty,Ukraine,https://ex.org/a,Example News,2025-03-12,,,0.9\n")
>>> result = parse_statements(p, LoadContext(EntityRegistry()))
>>> len(result.claims), str(result.claims[0].statements[0][2])
(1, 'https://w3id.org/detente/id/state/UKR')
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from detente.graph.claims import Claim, Source
from detente.graph.terms import Triple
from detente.loaders.base import (
    FieldError,
    LoadContext,
    ParseResult,
    Reject,
    bounded_lines,
    build_statement,
    check_values,
    csv_rows,
    curated,
    make_source,
    parse_confidence,
    speaker,
)

REQUIRED = ("claim", "subject", "predicate", "object", "source")
CLAIM_LEVEL = ("source", "publisher", "published", "quote", "said_by", "confidence", "title", "source_type")
OPTIONAL = ("publisher", "published", "quote", "said_by", "confidence", "title", "source_type")


def is_statements_header(header: list[str]) -> bool:
    names = {h.strip().lower() for h in header}
    return {"subject", "predicate", "object"} <= names


def parse_statements(path: Path, ctx: LoadContext) -> ParseResult:
    """Read a statements CSV (``.csv``) or TSV (``.tsv``/``.tab``) file into claims.

    Each row is checked as it is read (its values, its statement, and for the
    first row of a claim its source, speaker and confidence), so that a load
    that refuses the file at its first bad row (``ctx.fail_fast``) stops reading there.
    """
    result = ParseResult()
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    name = str(path)
    groups: dict[str, _Group] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(bounded_lines(handle), delimiter=delimiter)
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            result.rejects.append(Reject(name, 1, None, "the file is empty; expected a header row"))
            return result
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            result.rejects.append(Reject(name, 1, missing[0], f"missing column(s) {', '.join(missing)} in the header"))
            return result
        for row in csv_rows(reader):
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            result.records += 1
            reject = _read_row(ctx, name, line, header, row, delimiter, groups)
            if reject is not None:
                result.rejects.append(reject)
                if ctx.fail_fast:
                    break
    activity = curated("statements:" + ("tsv" if delimiter == "\t" else "csv"))
    for key, group in groups.items():
        if group.bad or group.source is None:
            continue
        claim = Claim(statements=group.statements, source=group.source, said_by=group.said_by,
                      quote=group.first.get("quote", "").strip() or None, confidence=group.confidence,
                      activity=activity, key=key)
        result.claims.append(claim)
        result.origins[claim.iri] = group.first_line
    return result


@dataclass
class _Group:
    """The rows of one claim read so far: its first row (the claim-level columns) and its statements."""

    first_line: int
    first: dict[str, str]
    statements: list[Triple] = field(default_factory=list)
    source: Source | None = None
    said_by: URIRef | None = None
    confidence: float | None = None
    bad: bool = False


def _read_row(ctx: LoadContext, name: str, line: int, header: list[str], row: list[str], delimiter: str,
              groups: dict[str, _Group]) -> Reject | None:
    """Check one row and add its statement to its claim; the reject when it is bad (its claim is then dropped)."""
    if len(row) != len(header):
        return Reject(name, line, None, f"{len(row)} fields where the header has {len(header)}", delimiter.join(row))
    record = dict(zip(header, row, strict=True))
    key = record["claim"].strip()
    if not key:
        return Reject(name, line, "claim", "is empty", delimiter.join(row))
    group = groups.get(key)
    try:
        check_values(record, "")
        if group is None:
            group = groups[key] = _Group(line, record)
            group.source = make_source(ctx.registry, url=record.get("source"), title=record.get("title"),
                                       publisher=record.get("publisher"), published=record.get("published"),
                                       source_type=record.get("source_type"))
            group.said_by = speaker(ctx.registry, record.get("said_by"))
            group.confidence = parse_confidence(record.get("confidence"))
        else:
            for column in CLAIM_LEVEL:
                if column in record and record[column].strip() != group.first.get(column, "").strip():
                    raise FieldError(column, f"differs from line {group.first_line} of the same claim {key!r}")
        group.statements.append(build_statement(ctx.registry, record["subject"], record["predicate"],
                                                record["object"]))
    except FieldError as exc:
        if group is None:
            group = groups[key] = _Group(line, record)
        group.bad = True
        return Reject(name, line, exc.field, exc.message, str(record)[:500])
    return None
