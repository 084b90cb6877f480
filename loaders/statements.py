"""Statements tables (CSV/TSV): one triple a row, rows sharing ``claim`` form one claim.

Columns: ``claim, subject, predicate, object, source, publisher, published,
quote, said_by, confidence`` (optional: ``title``, ``source_type``).
``source`` is the URL of the publication. Rows of one claim must agree on
the claim-level columns.

>>> import tempfile, pathlib
>>> from detente.loaders.base import LoadContext
>>> from detente.loaders.registry import EntityRegistry
>>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
>>> _ = p.write_text("claim,subject,predicate,object,source,publisher,published,quote,said_by,confidence\\n"
...                  "c1,event:t1,hasParty,Ukraine,https://ex.org/a,Example News,2025-03-12,,,0.9\\n")
>>> result = parse_statements(p, LoadContext(EntityRegistry()))
>>> len(result.claims), str(result.claims[0].statements[0][2])
(1, 'https://w3id.org/detente/id/state/UKR')
"""

from __future__ import annotations

import csv
from pathlib import Path

from detente.loaders.base import (
    FieldError,
    LoadContext,
    ParseResult,
    Reject,
    bounded_lines,
    csv_rows,
    build_statement,
    curated,
    make_source,
    parse_confidence,
    speaker,
)
from detente.graph.claims import Claim

REQUIRED = ("claim", "subject", "predicate", "object", "source")
CLAIM_LEVEL = ("source", "publisher", "published", "quote", "said_by", "confidence", "title", "source_type")
OPTIONAL = ("publisher", "published", "quote", "said_by", "confidence", "title", "source_type")


def is_statements_header(header: list[str]) -> bool:
    names = {h.strip().lower() for h in header}
    return {"subject", "predicate", "object"} <= names


def parse_statements(path: Path, ctx: LoadContext) -> ParseResult:
    """Read a statements CSV (``.csv``) or TSV (``.tsv``/``.tab``) file into claims."""
    result = ParseResult()
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    name = str(path)
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
        groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
        for row in csv_rows(reader):
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            result.records += 1
            if len(row) != len(header):
                result.rejects.append(Reject(name, line, None,
                                             f"{len(row)} fields where the header has {len(header)}",
                                             delimiter.join(row)))
                continue
            record = dict(zip(header, row))
            key = record["claim"].strip()
            if not key:
                result.rejects.append(Reject(name, line, "claim", "is empty", delimiter.join(row)))
                continue
            groups.setdefault(key, []).append((line, record))
    activity = curated("statements:" + ("tsv" if delimiter == "\t" else "csv"))
    for key, rows in groups.items():
        first_line, first = rows[0]
        statements = []
        bad = False
        for line, record in rows:
            try:
                for column in CLAIM_LEVEL:
                    if column in record and record[column].strip() != first.get(column, "").strip():
                        raise FieldError(column, f"differs from line {first_line} of the same claim {key!r}")
                statements.append(build_statement(ctx.registry, record["subject"], record["predicate"],
                                                  record["object"]))
            except FieldError as exc:
                result.rejects.append(Reject(name, line, exc.field, exc.message, str(record)))
                bad = True
        if bad:
            continue
        try:
            source = make_source(ctx.registry, url=first.get("source"), title=first.get("title"),
                                 publisher=first.get("publisher"), published=first.get("published"),
                                 source_type=first.get("source_type"))
            claim = Claim(statements=statements, source=source, said_by=speaker(ctx.registry, first.get("said_by")),
                          quote=first.get("quote", "").strip() or None,
                          confidence=parse_confidence(first.get("confidence")), activity=activity, key=key)
        except FieldError as exc:
            result.rejects.append(Reject(name, first_line, exc.field, exc.message, str(first)))
            continue
        result.claims.append(claim)
        result.origins[claim.iri] = first_line
    return result
