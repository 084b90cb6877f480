"""Entity files (CSV or YAML): who and what the claims talk about.

Columns / keys: ``id, type, label, aliases, wikidata, country`` and, for
envoys, ``represents``. ``id`` is a CURIE (``person:steve-witkoff``) or an IRI;
``aliases`` are ``|``-separated in CSV, a list in YAML; ``country`` is any
reference the registry resolves (``USA``, ``state:USA``, ``United States``).

YAML form::

    entities:
      - id: person:steve-witkoff
        type: envoy
        label: Steve Witkoff
        aliases: [U.S. special envoy]
        represents: United States
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from rdflib import URIRef

from detente.graph.entities import is_wikidata_item
from detente.loaders.base import (
    FieldError,
    LoadContext,
    ParseResult,
    Reject,
    bounded_lines,
    check_values,
    csv_rows,
    iri_ref,
    resolve_entity,
    shown,
)
from detente.loaders.documents import read_documents
from detente.loaders.registry import Entity, entity_type
from detente.ontology.vocab import expand_curie

ENTITY_COLUMNS = ("id", "type", "label")


def is_entities_header(header: list[str]) -> bool:
    names = {h.strip().lower() for h in header}
    return set(ENTITY_COLUMNS) <= names and "predicate" not in names


def is_entities_document(doc: Any) -> bool:
    """An entities-only document; a claim document may also carry ``entities:`` (see :func:`declare_entities`)."""
    return isinstance(doc, dict) and "entities" in doc and "claims" not in doc


def _entity(ctx: LoadContext, record: dict[str, Any]) -> Entity:
    check_values(record, "")
    ref = str(record.get("id") or "").strip()
    if not ref:
        raise FieldError("id", "is empty")
    expanded = ref if ref.startswith(("http://", "https://")) else expand_curie(ref)
    if expanded is None:
        raise FieldError("id", f"{shown(ref)} is not a CURIE (person:jane-doe) or an IRI")
    iri = iri_ref(expanded, "id")
    cls = entity_type(str(record.get("type") or ""))
    if cls is None:
        raise FieldError("type", f"unknown entity type {shown(record.get('type'))}")
    iri_ref(str(cls), "type")
    label = str(record.get("label") or "").strip()
    if not label:
        raise FieldError("label", "is empty")
    aliases_raw = record.get("aliases") or []
    aliases = [a.strip() for a in (aliases_raw.split("|") if isinstance(aliases_raw, str) else aliases_raw)
               if str(a).strip()]
    wikidata = str(record.get("wikidata") or "").strip() or None
    if wikidata and not is_wikidata_item(wikidata):
        raise FieldError("wikidata", f"{wikidata!r} is not a Wikidata id such as Q212")
    country = None
    if str(record.get("country") or "").strip():
        country = resolve_entity(ctx.registry, str(record["country"]), "country")
    represents = None
    if str(record.get("represents") or "").strip():
        represents = resolve_entity(ctx.registry, str(record["represents"]), "represents")
    iso = None
    if cls.endswith("#State"):
        match = re.search(r"/state/([A-Z]{3})$", str(iri))
        iso = match.group(1) if match else None
    return Entity(URIRef(iri), cls, label, [str(a) for a in aliases], wikidata, country, iso, represents)


def parse_entities(path: Path, ctx: LoadContext) -> tuple[list[Entity], list[Reject], int]:
    """Read an entity file; returns (entities, rejects, records)."""
    name = str(path)
    entities: list[Entity] = []
    rejects: list[Reject] = []
    records: list[tuple[int | None, dict[str, Any]]] = []
    if path.suffix.lower() in (".csv", ".tsv"):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
            reader = csv.DictReader(bounded_lines(handle), delimiter=delimiter)
            reader.fieldnames = [f.strip().lower() for f in reader.fieldnames or []]
            for row in csv_rows(reader):
                records.append((reader.line_num, row))
    else:
        docs, rejects = read_documents(path)
        for doc, line in docs:
            items = doc.get("entities") if isinstance(doc, dict) else None
            if not isinstance(items, list):
                rejects.append(Reject(name, line, "entities", "must be a list"))
                continue
            records.extend((getattr(item, "line", line), item) for item in items)
    entities.extend(_declare(ctx, name, records, rejects))
    return entities, rejects, len(records)


def _declare(ctx: LoadContext, name: str, records: list[tuple[int | None, Any]],
             rejects: list[Reject]) -> list[Entity]:
    entities = []
    for line, record in records:
        if not isinstance(record, dict):
            rejects.append(Reject(name, line, None, "an entity must be a mapping"))
            continue
        try:
            entity = _entity(ctx, record)
        except FieldError as exc:
            rejects.append(Reject(name, line, exc.field, exc.message, str(dict(record))))
            continue
        ctx.registry.add(entity)
        ctx.registry.mark_used([entity.iri])
        entities.append(entity)
    return entities


def declare_entities(ctx: LoadContext, name: str, items: Any, line: int | None) -> list[Reject]:
    """Register the ``entities:`` of a claim document (ids, labels, aliases, Wikidata ids…); return rejects."""
    if not isinstance(items, list):
        return [Reject(name, line, "entities", "must be a list")]
    rejects: list[Reject] = []
    _declare(ctx, name, [(getattr(item, "line", line), item) for item in items], rejects)
    return rejects


def entities_result(path: Path, ctx: LoadContext) -> ParseResult:
    """Entity file as a ParseResult (entities are written through the registry)."""
    _entities, rejects, records = parse_entities(path, ctx)
    return ParseResult(claims=[], rejects=rejects, records=records)
