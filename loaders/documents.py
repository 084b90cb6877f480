"""Claim documents (JSON, JSON Lines, YAML): a source with its claims.

One document::

    source:
      url: https://example.org/news/talks
      title: Talks resume in Riyadh
      publisher: Example News
      published: 2025-03-12
      type: NewsArticle            # or OfficialStatement, Dataset
    claims:
      - key: exchange-agreed       # optional, your own id
        said_by: person:steve-witkoff
        quote: "Both sides agreed to exchange 314 prisoners."
        confidence: 0.9
        statements:
          - [agreement:x, a, dt:Agreement]
          - {subject: agreement:x, predicate: dt:prisonerCount, object: 314}

A document may also declare the entities its claims name, under ``entities:``
(the keys of an entity file: ``id, type, label, aliases, wikidata, country,
represents``); they are registered before its claims are read.

A YAML file may hold several documents (``---``) or a list of them; a JSON
file an object or an array; a JSON Lines file one document a line. Errors
name the line of the offending value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from detente.graph.claims import Claim
from detente.loaders.base import (
    FieldError,
    LoadContext,
    ParseResult,
    Reject,
    build_statement,
    curated,
    make_source,
    parse_confidence,
    speaker,
)


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers the line it started on."""

    line: int | None = None


class LineList(list):  # type: ignore[type-arg]
    """A sequence that remembers the line it started on."""

    line: int | None = None


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    seq = LineList(loader.construct_sequence(node, deep=True))
    seq.line = node.start_mark.line + 1
    return seq


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _line(value: Any, fallback: int | None) -> int | None:
    return getattr(value, "line", None) or fallback


def read_documents(path: Path) -> tuple[list[tuple[Any, int | None]], list[Reject]]:
    """Parse a JSON/JSONL/YAML file into (document, line) pairs, or a syntax reject."""
    name = str(path)
    text = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    docs: list[tuple[Any, int | None]] = []
    if suffix in (".jsonl", ".ndjson"):
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                docs.append((json.loads(raw), number))
            except json.JSONDecodeError as exc:
                return [], [Reject(name, number, None, f"invalid JSON: {exc.msg} at column {exc.colno}", raw)]
        return docs, []
    if suffix == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            return [], [Reject(name, exc.lineno, None, f"invalid JSON: {exc.msg} at column {exc.colno}")]
    try:
        loaded = list(yaml.load_all(text, Loader=_LineLoader))  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        if suffix == ".json":  # valid JSON that PyYAML cannot read: lose line numbers, keep the data
            loaded = [json.loads(text)]
        else:
            mark = getattr(exc, "problem_mark", None)
            return [], [Reject(name, mark.line + 1 if mark else None, None, f"invalid YAML: {exc}")]
    for item in loaded:
        if item is None:
            continue
        if isinstance(item, list):
            docs.extend((d, _line(d, None)) for d in item)
        else:
            docs.append((item, _line(item, 1)))
    return docs, []


def parse_documents(path: Path, ctx: LoadContext) -> ParseResult:
    """Read claim documents into claims."""
    name = str(path)
    result = ParseResult()
    docs, rejects = read_documents(path)
    result.rejects.extend(rejects)
    activity = curated("claim-document:" + path.suffix.lower().lstrip("."))
    for doc, doc_line in docs:
        if not isinstance(doc, dict):
            result.rejects.append(Reject(name, doc_line, None, "a document must be a mapping with 'source' and 'claims'"))
            continue
        if "entities" in doc:  # entities declared beside the claims, before them
            from detente.loaders.entities import declare_entities

            result.rejects.extend(declare_entities(ctx, name, doc["entities"], _line(doc, doc_line)))
        src = doc.get("source")
        if not isinstance(src, dict):
            result.rejects.append(Reject(name, _line(doc, doc_line), "source", "is missing or not a mapping"))
            continue
        try:
            source = make_source(ctx.registry, url=src.get("url"), title=src.get("title"),
                                 publisher=src.get("publisher"),
                                 published=src.get("published", src.get("issued")),
                                 source_type=src.get("type"))
        except FieldError as exc:
            result.rejects.append(Reject(name, _line(src, doc_line), f"source.{exc.field}", exc.message))
            continue
        claims = doc.get("claims")
        if not isinstance(claims, list) or not claims:
            result.rejects.append(Reject(name, _line(doc, doc_line), "claims", "is missing, empty or not a list"))
            continue
        for index, item in enumerate(claims):
            result.records += 1
            item_line = _line(item, doc_line)
            where = f"claims[{index}]"
            if not isinstance(item, dict):
                result.rejects.append(Reject(name, item_line, where, "a claim must be a mapping"))
                continue
            try:
                statements = _statements(ctx, item, where, item_line)
                claim = Claim(statements=statements, source=source, said_by=speaker(ctx.registry, item.get("said_by")),
                              quote=(str(item["quote"]).strip() if item.get("quote") else None),
                              confidence=parse_confidence(item.get("confidence")), activity=activity,
                              key=str(item["key"]) if item.get("key") is not None else None)
            except _Located as exc:
                result.rejects.append(Reject(name, exc.line, exc.field, exc.message, json.dumps(item, default=str)))
                continue
            except FieldError as exc:
                result.rejects.append(Reject(name, item_line, f"{where}.{exc.field}", exc.message,
                                             json.dumps(item, default=str)))
                continue
            result.claims.append(claim)
            result.origins[claim.iri] = item_line
    return result


class _Located(FieldError):
    """A field error that knows its own line (a statement deep inside a claim)."""

    def __init__(self, line: int | None, field: str, message: str) -> None:
        super().__init__(field, message)
        self.line = line


def _statements(ctx: LoadContext, item: dict[str, Any], where: str, item_line: int | None) -> list:
    raw = item.get("statements")
    if not isinstance(raw, list) or not raw:
        raise _Located(item_line, f"{where}.statements", "is missing, empty or not a list")
    out = []
    for number, st in enumerate(raw):
        field = f"{where}.statements[{number}]"
        line = _line(st, _line(raw, item_line))
        if isinstance(st, (list, tuple)):
            if len(st) != 3:
                raise _Located(line, field, f"a statement list needs 3 items (subject, predicate, object), not {len(st)}")
            s, p, o = st
        elif isinstance(st, dict):
            s, p, o = st.get("subject"), st.get("predicate"), st.get("object")
        else:
            raise _Located(line, field, "a statement is [subject, predicate, object] or a mapping")
        try:
            out.append(build_statement(ctx.registry, s, p, o))
        except FieldError as exc:
            raise _Located(line, f"{field}.{exc.field}", exc.message) from None
    return out
