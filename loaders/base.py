"""What every loader shares: errors that name file, line and field; typed statements; results.

A loader reads one file and returns a :class:`ParseResult` of claims and
rejected records. Nothing is written by a loader: :mod:`detente.loaders.pipeline`
validates the result and writes a file's claims in one transaction.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from detente.errors import AmbiguousEntityError, InvalidInputError
from detente.graph.claims import Activity, Claim, Source
from detente.graph.entities import EntityNames
from detente.graph.store import Store
from detente.graph.terms import Term, Triple
from detente.loaders.registry import EntityRegistry, entity_type
from detente.ontology import schema
from detente.ontology.vocab import DCT, DT, FACTS_GRAPH, SCHEMA, expand_curie


class FieldError(InvalidInputError, ValueError):
    """A value of one field is wrong; the loader adds file and line (a ValueError too)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"field '{field_name}': {message}")
        self.field = field_name
        self.message = message


@dataclass
class Reject:
    """A record that could not be loaded, and why."""

    file: str
    line: int | None
    field: str | None
    message: str
    record: str = ""

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        what = f" field '{self.field}'" if self.field else ""
        return f"{where}:{what} {self.message}"


class RecordTooLarge(Exception):
    """One record of an input passes a size or shape bound (see :class:`InputLimits`); the loader stops reading."""

    def __init__(self, line: int | None, field_name: str | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class InputLimits:
    """How big one record of an input may be, so that a hostile file is refused at once and in bounded memory.

    Attributes
    ----------
    line_chars:
        Longest physical line of a CSV/TSV/JSON Lines file (a CSV field may not
        be longer than the ``csv`` module's own limit either).
    document_bytes:
        Largest YAML or JSON file (a claim or entity document).
    text_bytes:
        Largest news text or HTML file.
    alias_nodes:
        Nodes that YAML aliases (``*name``) may add to a file once expanded
        (a "billion laughs" file adds billions).
    nesting:
        Deepest nesting of YAML/JSON collections.
    """

    line_chars: int = 4 << 20
    document_bytes: int = 32 << 20
    text_bytes: int = 16 << 20
    alias_nodes: int = 10_000
    nesting: int = 64


#: The limits every loader applies.
LIMITS = InputLimits()


class bounded_lines:  # noqa: N801 - used like a built-in iterator
    r"""The lines of a text file, refusing one longer than ``limit`` characters before reading it whole.

    >>> import io
    >>> list(bounded_lines(io.StringIO("a\nbb\n"), 5))
    ['a\n', 'bb\n']
    >>> try:
    ...     list(bounded_lines(io.StringIO("a\n" + "x" * 9), 5))
    ... except RecordTooLarge as error:
    ...     print(error.line, error.message)
    2 line 2 is longer than 5 characters
    """

    def __init__(self, handle: IO[str], limit: int | None = None) -> None:
        self.handle = handle
        self.limit = LIMITS.line_chars if limit is None else limit
        self.number = 0

    def __iter__(self) -> "bounded_lines":
        return self

    def __next__(self) -> str:
        line = self.handle.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) > self.limit:
            raise RecordTooLarge(self.number, None, f"line {self.number} is longer than {self.limit} characters")
        return line


def csv_rows(reader: Iterator[list[str]] | Iterator[dict[str, str]]) -> Iterator[Any]:
    """The rows of a ``csv`` reader; a row the module cannot read (a field past its size limit, a NUL byte)
    stops the file with :class:`RecordTooLarge` naming the line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = getattr(reader, "line_num", None)
            raise RecordTooLarge(line, None, f"unreadable CSV: {exc}") from None
        yield row


def check_file_size(path: Path, limit: int, what: str) -> None:
    """Refuse a file larger than ``limit`` bytes before reading it."""
    size = path.stat().st_size
    if size > limit:
        raise RecordTooLarge(None, None, f"the {what} is {size} bytes; at most {limit} are read "
                                         f"(split it into several files)")


class LoadError(InvalidInputError):
    """A file cannot be loaded and nothing of it was written; ``rejects`` lists every bad record
    with file, line and field, and the message shows the first :data:`SHOWN_REJECTS` of them.

    >>> error = LoadError([Reject("bad.csv", 3, "object", "'many' is not a valid integer")])
    >>> print(error)
    invalid input, nothing of this file was written (1 problem):
      bad.csv:3: field 'object' 'many' is not a valid integer
    >>> error.http_status, error.exit_code
    (422, 1)
    """

    SHOWN_REJECTS = 20

    def __init__(self, rejects: list[Reject]) -> None:
        count = f"{len(rejects)} problem" + ("s" if len(rejects) != 1 else "")
        lines = [f"invalid input, nothing of this file was written ({count}):"]
        lines += [f"  {r}" for r in rejects[:self.SHOWN_REJECTS]]
        if len(rejects) > self.SHOWN_REJECTS:
            lines.append(f"  … and {len(rejects) - self.SHOWN_REJECTS} more")
        super().__init__("\n".join(lines))
        self.rejects = rejects
        self.skipped: list[str] = []

    def not_loaded(self, files: list[str]) -> None:
        """Name the later files of the same load that were not loaded because this one failed."""
        self.skipped = list(files)
        shown = ", ".join(files[:self.SHOWN_REJECTS]) + (f" … and {len(files) - self.SHOWN_REJECTS} more"
                                                          if len(files) > self.SHOWN_REJECTS else "")
        self.message = f"{self.args[0]}\nnot loaded (after the failed file; earlier files stay loaded): {shown}"
        self.args = (self.message,)


@dataclass
class LoadOptions:
    """Settings a user passes on the command line, for loaders that need them."""

    source_url: str | None = None
    source_title: str | None = None
    publisher: str | None = None
    published: str | None = None
    source_type: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ParseResult:
    """What a loader made of one file."""

    claims: list[Claim] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    records: int = 0
    # claim IRI -> (line, record) so validation errors can point back at the input
    origins: dict[URIRef, int | None] = field(default_factory=dict)
    raw_quads: str = ""  # RDF passthrough (N-Quads) written as is
    # Linking decisions (N-Quads: link records in the provenance graph), written with the claims; no part of
    # what the summary counts, so unlike a passthrough they leave the claims written known (graph.writes).
    link_quads: str = ""


@dataclass
class LoadContext:
    """Shared state for loading several files: the entity registry, options, and the store written to.

    ``facts_label`` is the graph label facts get in N-Quads a loader writes itself
    (the target store's :attr:`~detente.graph.store.Store.facts_label`). ``store``
    is read (never written) by loaders that link what they extract to what is
    already there; it is None when only validating.
    """

    registry: EntityRegistry
    options: LoadOptions = field(default_factory=LoadOptions)
    facts_label: URIRef | None = FACTS_GRAPH
    store: Store | None = None


Parser = Callable[[Path, LoadContext], ParseResult]

# Predicates users may write without a prefix, and common non-ontology ones.
_PLAIN_PREDICATES: dict[str, URIRef] = {
    "a": RDF.type,
    "type": RDF.type,
    "label": RDFS.label,
    "altLabel": SKOS.altLabel,
    "alias": SKOS.altLabel,
    "sameAs": OWL.sameAs,
    "comment": RDFS.comment,
}


def resolve_predicate(ref: str) -> URIRef:
    """A predicate from ``dt:hasParty``, ``hasParty``, ``a`` or a full IRI.

    >>> str(resolve_predicate("prisonerCount"))
    'https://w3id.org/detente/ontology#prisonerCount'
    """
    ref = ref.strip()
    if not ref:
        raise FieldError("predicate", "is empty")
    if ref in _PLAIN_PREDICATES:
        return _PLAIN_PREDICATES[ref]
    if ref.startswith("<") and ref.endswith(">"):
        return URIRef(ref[1:-1])
    if ref.startswith(("http://", "https://")):
        return URIRef(ref)
    expanded = expand_curie(ref)
    if expanded is not None:
        return URIRef(expanded)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", ref):
        candidate = DT[ref]
        if candidate in schema.datatype_properties() or candidate in schema.object_properties():
            return candidate
        raise FieldError("predicate", f"unknown property {ref!r}; the ontology has no dt:{ref}")
    raise FieldError("predicate", f"cannot read {ref!r} as a property (use a CURIE such as dt:hasParty or an IRI)")


def typed_literal(value: object, datatype: URIRef, field_name: str = "object") -> Literal:
    """A literal of ``datatype``, checked: ``314`` → xsd:integer, ``2025-03-12`` → xsd:date.

    >>> typed_literal("314", XSD.integer)
    rdflib.term.Literal('314', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    text = value.isoformat() if isinstance(value, (date, datetime)) else str(value).strip()
    try:
        if datatype in (XSD.integer, XSD.nonNegativeInteger, XSD.int, XSD.long):
            if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d+", text.replace(",", "")):
                raise ValueError
            number = int(text.replace(",", ""))
            if datatype == XSD.nonNegativeInteger and number < 0:
                raise ValueError
            return Literal(str(number), datatype=datatype)
        if datatype in (XSD.decimal, XSD.double, XSD.float):
            return Literal(str(Decimal(text)), datatype=datatype)
        if datatype == XSD.date:
            return Literal(date.fromisoformat(text[:10]).isoformat(), datatype=datatype)
        if datatype == XSD.dateTime:
            return Literal(datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat(), datatype=datatype)
        if datatype == XSD.gYear:
            if not re.fullmatch(r"-?\d{4}", text):
                raise ValueError
            return Literal(text, datatype=datatype)
        if datatype == XSD.boolean:
            lowered = text.lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return Literal("true" if lowered in ("true", "1", "yes") else "false", datatype=datatype)
        if datatype == XSD.anyURI:
            return Literal(text, datatype=datatype)
    except (ValueError, InvalidOperation):
        raise FieldError(field_name, f"{text!r} is not a valid {datatype.split('#')[-1]}") from None
    return Literal(text) if datatype in (XSD.string, RDFS.Literal) else Literal(text, datatype=datatype)


def build_statement(registry: EntityRegistry, subject: object, predicate: object, obj: object) -> Triple:
    """One typed triple from user values: entities resolved, literals typed by the property's range."""
    if subject is None or str(subject).strip() == "":
        raise FieldError("subject", "is empty")
    if predicate is None or str(predicate).strip() == "":
        raise FieldError("predicate", "is empty")
    if obj is None or str(obj).strip() == "":
        raise FieldError("object", "is empty")
    s = resolve_entity(registry.names, str(subject), "subject")
    p = resolve_predicate(str(predicate))
    o = object_term(registry.names, p, obj)
    registry.mark_used([s, o])
    return s, p, o


def resolve_entity(names: EntityNames | EntityRegistry, ref: str, field_name: str) -> URIRef:
    """The entity a reference names (by the one resolver); a ``FieldError`` naming the field otherwise."""
    try:
        iri = names.lookup(ref)
    except AmbiguousEntityError as exc:
        raise FieldError(field_name, str(exc)) from None
    if iri is None:
        raise FieldError(field_name, f"unknown entity {ref!r}: declare it in an entities file, "
                                     "or write a CURIE (state:UKR, event:riyadh-talks) or an IRI")
    return iri


def object_term(names: EntityNames | EntityRegistry, predicate: URIRef, obj: object) -> Term:
    """The object as the ontology wants it: an entity, a class, or a typed literal."""
    if predicate == RDF.type:
        cls = entity_type(str(obj))
        if cls is None:
            raise FieldError("object", f"unknown class {obj!r} (use dt:Talks, talks, an IRI…)")
        return cls
    datatype = schema.datatype_properties().get(predicate)
    if datatype is not None:
        return typed_literal(obj, datatype)
    if predicate in schema.object_properties():
        return resolve_entity(names, str(obj), "object")
    if predicate in (RDFS.label, SKOS.altLabel, RDFS.comment, DCT.title):
        return Literal(str(obj))
    text = str(obj).strip()
    if not isinstance(obj, (int, float)) and (text.startswith(("http://", "https://", "<")) or expand_curie(text)):
        try:
            iri = names.lookup(text)  # written as an IRI or CURIE: an entity if it is one, else a literal
        except AmbiguousEntityError as exc:
            raise FieldError("object", str(exc)) from None
        if iri is not None:
            return iri
    if isinstance(obj, bool):
        return Literal(obj)
    if isinstance(obj, (int, float)):
        return Literal(obj)
    return Literal(text)


def parse_confidence(value: object) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise FieldError("confidence", f"{value!r} is not a number") from None
    if not 0.0 <= number <= 1.0:
        raise FieldError("confidence", f"{number} is outside 0..1")
    return number


def parse_date(value: object, field_name: str) -> date | None:
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise FieldError(field_name, f"{text!r} is not a date (YYYY-MM-DD)") from None


SOURCE_TYPES = {
    "newsarticle": DT.NewsArticle, "news_article": DT.NewsArticle, "article": DT.NewsArticle, "news": DT.NewsArticle,
    "officialstatement": DT.OfficialStatement, "official_statement": DT.OfficialStatement,
    "statement": DT.OfficialStatement, "dataset": DT.Dataset, "source": DT.Source,
}


def make_source(registry: EntityRegistry, *, url: object = None, title: object = None, publisher: object = None,
                published: object = None, source_type: object = None) -> Source:
    """A source from user fields; the publisher becomes a (news) organisation entity."""
    publisher_iri = None
    if publisher is not None and str(publisher).strip():
        publisher_iri = registry.mint(str(publisher).strip(), DT.NewsOrganization, field_name="publisher")
        registry.mark_used([publisher_iri])
    stype = DT.NewsArticle
    if source_type is not None and str(source_type).strip():
        key = str(source_type).strip().lower()
        stype = SOURCE_TYPES.get(key.removeprefix("dt:")) or entity_type(str(source_type)) or DT.Source
        if stype not in SOURCE_TYPES.values():
            raise FieldError("source_type", f"unknown source type {source_type!r}")
    url_text = str(url).strip() if url is not None and str(url).strip() else None
    if url_text is not None and not re.match(r"^[a-z][a-z0-9+.-]*:", url_text, re.I):
        raise FieldError("source", f"{url_text!r} is not a URL")
    issued = parse_date(published, "published")
    try:
        return Source.from_metadata(url=url_text, title=str(title).strip() if title else None,
                                    publisher=publisher_iri, issued=issued, source_type=stype)
    except ValueError as exc:
        raise FieldError("source", str(exc)) from None


def curated(method: str) -> Activity:
    """The activity of loading curated claims from a structured file."""
    return Activity(method=method, label=f"loaded from a {method.split(':')[-1]} file by detente")


def speaker(registry: EntityRegistry, value: object) -> URIRef | None:
    if value is None or str(value).strip() == "":
        return None
    iri = resolve_entity(registry.names, str(value), "said_by")
    registry.mark_used([iri])
    return iri


__all__ = [
    "FieldError", "Reject", "LoadError", "RecordTooLarge", "InputLimits", "LIMITS", "bounded_lines",
    "check_file_size", "csv_rows", "LoadOptions", "ParseResult", "LoadContext", "Parser",
    "resolve_predicate", "typed_literal", "build_statement", "resolve_entity", "object_term",
    "parse_confidence", "parse_date", "make_source", "curated", "speaker", "SCHEMA",
]
