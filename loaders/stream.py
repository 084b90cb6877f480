r"""Input records as a stream of units: one claim's rows (or one row's claims), loaded or rejected together.

A :class:`Unit` covers input rows that stand or fall together: the rows of a
statements table that share ``claim``, the claim of a claim document, the
claims made from one UCDP or GDELT row. Either every row of a unit is loaded,
or every row of it is rejected with a reason of its own: a row that is fine
but belongs to a claim whose other row failed is rejected as ``sibling of
line N rejected: …``. So ``rows read = rows loaded + rows rejected`` holds per
file by construction (:mod:`detente.loaders.pipeline` counts them).

Statements tables and JSON Lines files are read a record at a time (memory
bounded by one claim, not by the file); other formats are parsed whole by
their loader (they are bounded in size, see :class:`~detente.loaders.base.InputLimits`)
and cut into units afterwards.

>>> import tempfile, pathlib
>>> from detente.loaders.base import LoadContext
>>> from detente.loaders.registry import EntityRegistry
>>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
>>> _ = p.write_text("claim,subject,predicate,object,source\n"
...                  "c1,event:t1,hasParty,Ukraine,https://ex.org/a\n"
...                  "c1,event:t1,prisonerCount,many,https://ex.org/a\n")
>>> [unit] = statement_units(p, LoadContext(EntityRegistry()))
>>> unit.lines, unit.claims
([2, 3], [])
>>> for reject in unit.rejects:
...     print(reject)
/...s.csv:3: field 'object': 'many' is not a valid integer
/...s.csv:2: sibling of line 3 rejected: 'many' is not a valid integer
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rdflib.namespace import RDF

from detente.graph.claims import Claim, Source
from detente.graph.entities import EntityNames
from detente.graph.terms import Term, Triple, term_nt
from detente.loaders.base import (
    BAD_TEXT,
    JSON_RULES,
    LIMITS,
    FieldError,
    LoadContext,
    NotJson,
    ParseResult,
    Reject,
    bounded_lines,
    build_statement,
    check_values,
    csv_rows,
    curated,
    holds_bad_text,
    make_source,
    numbered_csv_rows,
    parse_confidence,
    read_json,
    resolve_entity,
    speaker,
)
from detente.ontology import schema

if TYPE_CHECKING:
    from detente.loaders.documents import _Located

__all__ = ["Unit", "statement_units", "jsonl_document_units", "document_units",
           "result_units", "StatementCache"]


@dataclass
class Unit:
    """Rows that are loaded or rejected together.

    Attributes
    ----------
    lines:
        The input line of each row the unit covers (its length is the rows read).
    claims:
        The claims the rows make (empty when rejected, or when the rows make none).
    rejects:
        One reject per row when the unit is rejected (the failing rows' own
        reasons first, then their siblings'); empty when it is loaded.
    """

    lines: list[int | None]
    claims: list[Claim] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    #: A row's text by its line, for a reject made later (by the compiled shapes): None where not known.
    records: Callable[[int | None], str | None] = field(default=lambda line: None, repr=False, compare=False)

    @property
    def rejected(self) -> bool:
        return bool(self.rejects)

    def own_rejects(self) -> list[Reject]:
        """The reasons of the rows that failed themselves (not their siblings)."""
        return [r for r in self.rejects if not r.message.startswith(SIBLING)] or self.rejects


SIBLING = "sibling of line "


class StatementCache:
    """Typed statements from raw (subject, predicate, object) values: files repeat the same names claim after claim.

    Each part is resolved once and remembered with its N-Triples text: a
    subject by its text, a predicate by its text, an object by the predicate's
    text and its value (a million claims name a few thousand entities, classes,
    dates and counts, in ever new triples). Only what resolved is remembered;
    anything else goes through :func:`~detente.loaders.base.build_statement`,
    which raises the same :class:`FieldError` as without the cache. What is
    remembered is dropped when the names known change (the registry's
    :attr:`~detente.graph.entities.EntityNames.generation`; typed literals of datatype
    properties, which no name decides, are kept), and when full.

    The registry's used marks are renewed on every hit, so entity descriptions
    are written as without the cache. :meth:`take_lines` gives the statements
    built since it was last called as ``s p o`` N-Triples text (as
    :meth:`Claim.statement_lines <detente.graph.claims.Claim.statement_lines>` makes them).
    """

    #: Subjects (and objects) remembered at most: a million claims of a synthetic file name about 200,000 events,
    #: each in a few claims far apart; fewer would forget most before their next use (about 60 MB when full).
    SIZE = 200_000

    def __init__(self, ctx: LoadContext, size: int = SIZE) -> None:
        self.ctx = ctx
        self.size = size
        # text -> (term, its N-Triples text and a space, whether the registry describes it and it is not marked used
        # yet)
        self._subjects: dict[str, tuple[Term, str, bool]] = {}
        # predicate text -> object value (a str or an int) -> (predicate, object, their N-Triples text 'p o',
        # whether the registry describes the object and it is not marked used yet)
        self._objects: dict[str, dict[object, tuple[Term, Term, str, bool]]] = {}
        self._object_count = 0
        self._sources: dict[tuple[Any, ...], Source] = {}
        # The last document source given, with its Source (documents of one source often follow each other).
        self._last_source: tuple[dict[str, Any], Source] | None = None
        # The last statements table source given, by its columns' values (a claim's rows and the next claims').
        self._last_table_source: tuple[tuple[Any, ...], Source] | None = None
        self._names = ctx.registry.names
        self._generation = ctx.registry.names.generation
        self._lines: list[str] | None = []
        # What was remembered before the names last changed, taken back on its next use when no name decides it.
        self._stale_subjects: dict[str, tuple[Term, str, bool]] = {}
        self._stale_objects: dict[str, dict[object, tuple[Term, Term, str, bool]]] = {}
        self._stale_count = 0

    def clear(self) -> None:
        self._last_source = self._last_table_source = None
        self._subjects.clear()
        self._objects.clear()
        self._object_count = 0
        self._sources.clear()
        self._stale_subjects = {}
        self._stale_objects = {}
        self._stale_count = 0

    def take_lines(self) -> list[str] | None:
        """The statements built since the last call, as N-Triples ``s p o`` text (None: not all of them)."""
        lines, self._lines = self._lines, []
        return lines

    def _current(self) -> None:
        """Forget what was remembered if the names known have changed since (what names cannot change is kept)."""
        generation = self.ctx.registry.names.generation
        if generation != self._generation:
            self._forget_names()
            self._generation = generation

    def _forget_names(self) -> None:
        """:meth:`clear`, except what no name decides.

        Typed literals of datatype properties are kept; subjects and objects spelled as IRIs or CURIEs (classes,
        entities) are taken back on their next use.
        (:func:`~detente.loaders.base.object_term` types a datatype property's value by the property's range
        alone, and the registry describes no literal. An entity spelled as an IRI or CURIE resolves to that IRI
        whatever names are known; the registry may describe it now, so it is marked used again when taken back.)
        """
        stale_subjects, stale_objects = self._stale_subjects, self._stale_objects
        if self._stale_count + len(self._subjects) + self._object_count > self.size:
            stale_subjects, stale_objects, self._stale_count = {}, {}, 0
        stale_subjects.update(self._subjects)
        kept: dict[str, dict[object, tuple[Term, Term, str, bool]]] = {}
        for predicate, objects in self._objects.items():
            if objects and _typed_by_range(next(iter(objects.values()))[0]):
                kept[predicate] = objects
            else:
                stale_objects.setdefault(predicate, {}).update(objects)
        self._stale_count += len(self._subjects) + self._object_count
        self.clear()
        self._objects.update(kept)
        self._object_count = sum(map(len, kept.values()))
        self._stale_subjects, self._stale_objects = stale_subjects, stale_objects

    def _taken_back_subject(self, subject: str) -> tuple[Term, str, bool] | None:
        """The subject remembered before the names changed, if no name decides it (then remembered again)."""
        entry = self._stale_subjects.pop(subject, None)
        if entry is None or not EntityNames.spells_iri(subject):
            return None
        entry = (entry[0], entry[1], True)  # marked used at its next use (True: check the registry again)
        if len(self._subjects) >= self.size:
            self._subjects.clear()
        self._subjects[subject] = entry
        return entry

    def _taken_back_object(self, predicate: str, obj: object) -> tuple[Term, Term, str, bool] | None:
        """The object remembered before the names changed, if no name decides it (then remembered again)."""
        stale = self._stale_objects.get(predicate)
        entry = stale.pop(obj, None) if stale is not None else None
        if entry is None:
            return None
        p = entry[0]
        # A class (rdf:type) is read from a fixed table; an entity of an object property spelled as an IRI or CURIE.
        if not (p == RDF.type or (type(obj) is str and p in schema.object_properties()
                                  and EntityNames.spells_iri(obj))):
            return None
        entry = (p, entry[1], entry[2], True)
        if self._object_count >= self.size:
            self._objects.clear()
            self._object_count = 0
        objects = self._objects.setdefault(predicate, {})
        if obj not in objects:
            self._object_count += 1
        objects[obj] = entry
        return entry

    def table_source(self, record: dict[str, str]) -> Source:
        """:func:`~detente.loaders.base.make_source` of a statements table row's source columns, remembered by them."""
        values = (record.get("source"), record.get("title"), record.get("publisher"), record.get("published"),
                  record.get("source_type"))
        self._current()
        last = self._last_table_source
        if last is not None and last[0] == values:
            # The last source's values, names unchanged since: its publisher is marked used already (only
            # forgetting an entity unmarks it, which changes the names).
            return last[1]
        source = self._sources.get(values)
        if source is None:
            source = make_source(self.ctx.registry, url=values[0], title=values[1], publisher=values[2],
                                 published=values[3], source_type=values[4])
            self._current()  # a publisher just minted changes the names: remember from here on
            if len(self._sources) >= 10_000:
                self._sources.clear()
            self._sources[values] = source
        elif source.publisher is not None:
            self.ctx.registry.mark_used([source.publisher])
        self._last_table_source = (values, source)
        return source

    def source(self, src: dict[str, Any], *, clean_text: bool = False) -> Source:
        """:func:`~detente.loaders.base.make_source` of a document's ``source``, remembered by its values.

        ``clean_text``: the caller knows that no text of ``src`` holds a bad character.
        """
        self._current()
        last = self._last_source
        if last is not None and src == last[0]:
            # The same values as the last source, names unchanged since: what the remembered source would give,
            # its publisher marked used already (only forgetting an entity unmarks it, which changes the names).
            return last[1]
        values = (src.get("url"), src.get("title"), src.get("publisher"), src.get("published", src.get("issued")),
                  src.get("type"))
        try:
            source = self._sources.get(values)
        except TypeError:  # a value that is not hashable (a list): checked, and refused, by make_source
            source = None
        if source is None:
            if not clean_text:
                check_values(src, "")
            source = make_source(self.ctx.registry, url=values[0], title=values[1], publisher=values[2],
                                 published=values[3], source_type=values[4], url_field="url")
            self._current()  # a publisher just minted changes the names: remember from here on
            if len(self._sources) >= 10_000:
                self._sources.clear()
            with contextlib.suppress(TypeError):  # an unhashable value is simply not cached
                self._sources[values] = source
        elif source.publisher is not None:
            self.ctx.registry.mark_used([source.publisher])
        self._last_source = (src, source)
        return source

    def __call__(self, subject: object, predicate: object, obj: object) -> Triple:
        kind = type(obj)
        if type(subject) is str and type(predicate) is str and (kind is str or kind is int):
            if self._names.generation != self._generation:  # names resolve differently now
                self._current()
            objects = self._objects.get(predicate)
            po = objects.get(obj) if objects is not None else None  # a str and an int are never equal keys
            if po is None and self._stale_objects:
                po = self._taken_back_object(predicate, obj)
                objects = self._objects.get(predicate)
            if po is not None and objects is not None:
                s = self._subjects.get(subject)
                if s is None and self._stale_subjects:
                    s = self._taken_back_subject(subject)
                if s is not None:
                    if s[2] or po[3]:
                        self._mark_used(subject, s, objects, obj, po)
                    lines = self._lines
                    if lines is not None:
                        lines.append(s[1] + po[2])
                    return s[0], po[0], po[1]
                if subject.strip():
                    # A new subject of known parts (every event of a big file): resolve it alone. build_statement
                    # would check the same and then resolve the subject first, so a FieldError here is the one it
                    # raises.
                    registry = self.ctx.registry
                    term = resolve_entity(registry.names, subject, "subject")
                    registry.mark_used((term, po[1]))
                    triple: Triple = term, po[0], po[1]
                    self._remember(subject, predicate, obj, triple)
                    return triple
            triple = build_statement(self.ctx.registry, subject, predicate, obj)
            self._remember(subject, predicate, obj, triple)
            return triple
        triple = build_statement(self.ctx.registry, subject, predicate, obj)
        self._lines = None  # not remembered: Claim serialises these statements itself
        return triple

    def statements(self, raw: list[Any]) -> list[Triple] | None:
        """The triples of a claim's statements, each ``[subject, predicate, object]`` of texts (an integer object).

        What calling the cache on each statement gives (their lines kept, entities marked used), in one loop;
        None as soon as one statement is anything else (a mapping, a value of another type, one refused), having
        kept no line: then the caller calls the cache on each statement again, which gives the same statements
        (remembered now) and refuses the same one (marking an entity used again changes nothing).
        """
        lines = self._lines
        if lines is None or self._names.generation != self._generation:
            return None
        start = len(lines)
        subjects, objects_of = self._subjects, self._objects
        out: list[Triple] = []
        add_line, add = lines.append, out.append
        try:
            for statement in raw:
                if type(statement) is not list or len(statement) != 3:
                    break
                subject, predicate, obj = statement
                kind = type(obj)
                if kind is not str and kind is not int:  # (True and 1.0 equal 1: only a str or an int is looked up)
                    break
                # Subjects and predicates are remembered by their text: anything else is not found (or not
                # hashable, a TypeError), and goes through the call.
                objects = objects_of.get(predicate)
                po = objects.get(obj) if objects is not None else None
                s = subjects.get(subject) if po is not None else None
                if s is None or po is None or objects is None:  # (s is found only when po is)
                    # A part not remembered: the call builds (and remembers) the statement, or refuses it (then
                    # the caller's own loop makes the same call again and says where).
                    if type(subject) is not str or type(predicate) is not str:
                        break
                    try:
                        triple = self(subject, predicate, obj)
                    except FieldError:
                        break
                    if self._lines is not lines:  # not remembered as text: the claim serialises its statements
                        break
                    add(triple)
                    continue
                if s[2] or po[3]:
                    self._mark_used(subject, s, objects, obj, po)
                add_line(s[1] + po[2])
                add((s[0], po[0], po[1]))
            else:
                return out
        except TypeError:
            pass
        del lines[start:]
        return None

    def _mark_used(self, subject: str, s: tuple[Term, str, bool], objects: dict[object, tuple[Term, Term, str, bool]],
                   obj: object, po: tuple[Term, Term, str, bool]) -> None:
        """Mark a remembered statement's subject and object used in the registry, where they are not yet.

        Marked for good (only forgetting an entity unmarks it, and that changes the generation): their entries
        say so from now on.
        """
        self.ctx.registry.mark_used((s[0], po[1]))
        if s[2]:
            self._subjects[subject] = (s[0], s[1], False)
        if po[3]:
            objects[obj] = (po[0], po[1], po[2], False)

    def _remember(self, subject: str, predicate: str, obj: object, triple: Triple) -> None:
        s, p, o = triple
        try:
            parts = term_nt(s), term_nt(p), term_nt(o)
        except ValueError:  # a term N-Triples cannot write: Claim refuses it where it always did
            self._lines = None
            return
        if len(self._subjects) >= self.size:
            self._subjects.clear()
        if self._object_count >= self.size:
            self._objects.clear()
            self._object_count = 0
        known = self.ctx.registry.__contains__
        self._subjects[subject] = (s, parts[0] + " ", known(s))
        objects = self._objects.setdefault(predicate, {})
        if obj not in objects:
            self._object_count += 1
        objects[obj] = (p, o, parts[1] + " " + parts[2], known(o))
        if self._lines is not None:
            self._lines.append(" ".join(parts))


def _typed_by_range(predicate: Term) -> bool:
    """Whether :func:`~detente.loaders.base.object_term` makes this property's objects by its range alone."""
    return predicate in schema.datatype_properties()


# -- statements tables -------------------------------------------------------------------

REQUIRED = ("claim", "subject", "predicate", "object", "source")
CLAIM_LEVEL = ("source", "publisher", "published", "quote", "said_by", "confidence", "title", "source_type")

_Row = tuple[int, list[str]]


class _Interleaved(Exception):
    """The rows of one claim are not next to each other: group them through a temporary table instead."""


def statement_units(path: Path, ctx: LoadContext) -> Iterator[Unit]:
    """The claims of a statements CSV/TSV file, a claim at a time.

    Rows of one claim usually follow each other; they are grouped as they
    come (memory: one claim; the keys of finished claims are kept as 8-byte
    hashes). If a claim's rows come back after another claim's,
    :class:`RestartFile` is raised: what was read so far is void, and the
    file is read again by :func:`sorted_statement_units`.
    """
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    name = str(path)
    activity = curated("statements:" + ("tsv" if delimiter == "\t" else "csv"))
    cache = StatementCache(ctx)
    header_bad: bool | None = None  # (the header is read once per file)
    try:
        for header, group in _contiguous_groups(path, delimiter):
            if not header:
                yield group  # type: ignore[misc]  # a header reject
                return
            if header_bad is None:
                header_bad = holds_bad_text(" ".join(header))
            yield _statement_unit(name, header, header_bad, delimiter, group, ctx, cache,  # type: ignore[arg-type]
                                  activity)
    except _Interleaved:
        raise RestartFile() from None


class RestartFile(Exception):
    """A claim's rows are not together: the units given so far were partial claims; read the file again, sorted."""


def _header_of(reader: Any, name: str) -> list[str] | Reject:
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return Reject(name, 1, None, "the file is empty; expected a header row")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return Reject(name, 1, missing[0], f"missing column(s) {', '.join(missing)} in the header")
    return header


def _contiguous_groups(path: Path, delimiter: str) -> Iterator[tuple[list[str], list[_Row] | Unit]]:
    name = str(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        lines = bounded_lines(handle)
        reader = csv.reader(lines, delimiter=delimiter)
        header = _header_of(reader, name)
        if isinstance(header, Reject):
            yield [], Unit([], rejects=[header])
            return
        key_index = header.index("claim")
        closed: set[bytes] = set()
        current: str | None = None
        group: list[_Row] = []
        for number, row in numbered_csv_rows(reader, lines, delimiter):
            key = row[key_index].strip() if len(row) > key_index else ""
            if not key and not "".join(row).strip():  # blank in every cell
                continue
            if key != current or not key:
                if group:
                    yield header, group
                    if current:
                        closed.add(hashlib.blake2b(current.encode(), digest_size=8).digest())
                if key and hashlib.blake2b(key.encode(), digest_size=8).digest() in closed:
                    raise _Interleaved
                current, group = key, []
            group.append((number, row))
        if group:
            yield header, group


def sorted_statement_units(path: Path, ctx: LoadContext) -> Iterator[Unit]:
    """The claims of a statements file whose claims' rows are interleaved, grouped through SQLite on disk.

    Claims come in the order of their first row.
    """
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    name = str(path)
    activity = curated("statements:" + ("tsv" if delimiter == "\t" else "csv"))
    cache = StatementCache(ctx)
    with tempfile.TemporaryDirectory(prefix="detente-group-") as folder:
        db = sqlite3.connect(str(Path(folder) / "rows.db"))
        db.execute("CREATE TABLE rows (key TEXT, line INTEGER, row TEXT)")
        db.execute("CREATE TABLE keys (key TEXT PRIMARY KEY, first INTEGER)")
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(bounded_lines(handle), delimiter=delimiter)
            header = _header_of(reader, name)
            assert not isinstance(header, Reject)  # the first pass read it
            key_index = header.index("claim")
            header_bad = holds_bad_text(" ".join(header))
            batch: list[tuple[str, int, str]] = []
            for row in csv_rows(reader):
                if not any(cell.strip() for cell in row):
                    continue
                key = row[key_index].strip() if len(row) > key_index else ""
                # Rows without a claim key stand alone: a key no claim can have.
                batch.append((key or f"\x00{reader.line_num}", reader.line_num, json.dumps(row)))
                if len(batch) >= 10_000:
                    _insert(db, batch)
            _insert(db, batch)
        db.execute("CREATE INDEX rows_key ON rows (key, line)")
        rows = db.execute("SELECT r.key, r.line, r.row FROM keys k JOIN rows r ON r.key = k.key "
                          "ORDER BY k.first, r.line")
        group: list[_Row] = []
        current: str | None = None
        for key, line, text in rows:
            if key != current and group:
                yield _statement_unit(name, header, header_bad, delimiter, group, ctx, cache, activity)
                group = []
            current = key
            group.append((line, json.loads(text)))
        if group:
            yield _statement_unit(name, header, header_bad, delimiter, group, ctx, cache, activity)
        db.close()


def _insert(db: sqlite3.Connection, batch: list[tuple[str, int, str]]) -> None:
    db.executemany("INSERT INTO rows VALUES (?, ?, ?)", batch)
    db.executemany("INSERT OR IGNORE INTO keys VALUES (?, ?)", [(k, line) for k, line, _ in batch])
    batch.clear()


def _statement_unit(name: str, header: list[str], header_bad: bool, delimiter: str, group: list[_Row],
                    ctx: LoadContext, cache: StatementCache, activity: Any) -> Unit:
    """One claim from its rows, or a reject for every row (the failing ones' reasons, then their siblings').

    ``header_bad``: whether the header holds a bad character (:func:`~detente.loaders.base.holds_bad_text`).
    """
    lines: list[int | None] = [line for line, _ in group]
    raw = _RawRows(delimiter, group)
    failed: list[Reject] = []
    layout = _layout(tuple(header))
    width = len(header)
    # A row's record is the header's names with its cells (the last cell of a repeated name, as dict() keeps):
    # made only where it is read whole. When no cell of the claim (nor of the header) holds a bad character, no
    # record needs walking.
    walk = header_bad or holds_bad_text("".join(["".join(row) for _, row in group]))
    rows: list[tuple[int, list[str]]] = []
    claim_level, claim_column = layout.claim_level, layout.claim
    first_cells: Any = None
    same_cells = True  # whether every row has the first row's very text in each claim-level cell
    for line, row in group:
        if len(row) != width:
            failed.append(Reject(name, line, None, f"{len(row)} fields where the header has {width}", raw[line]))
            continue
        if not row[claim_column].strip():
            failed.append(Reject(name, line, "claim", "is empty", raw[line]))
            continue
        if walk and (header_bad or BAD_TEXT.search(" ".join(row)) is not None):
            try:
                check_values(dict(zip(header, row, strict=True)), "")  # NUL bytes and control characters: never stored
            except FieldError as exc:
                failed.append(Reject(name, line, exc.field, exc.message, raw[line]))
                continue
        if not rows:
            first_cells = claim_level(row)
        elif same_cells and claim_level(row) != first_cells:
            same_cells = False
        rows.append((line, row))
    cache.take_lines()  # the lines of this claim's statements only
    if rows:
        first_line, first_row = rows[0]
        first = dict(zip(header, first_row, strict=True))
        key = first["claim"].strip()
        subject, predicate, obj = layout.subject, layout.predicate, layout.object
        statements: list[Triple] | None = None
        if not failed and same_cells:
            # Every row agrees with the first on the claim's cells: the statements alone decide (in one loop when
            # the cache remembers all their parts).
            statements = cache.statements([[row[subject], row[predicate], row[obj]] for _, row in rows])
        if statements is None:
            statements = []
            for line, row in rows:
                try:
                    if line != first_line and not _same_cells(row, first_row, claim_level):
                        record = dict(zip(header, row, strict=True))
                        for column in CLAIM_LEVEL:
                            if column in record and record[column].strip() != first.get(column, "").strip():
                                raise FieldError(column, f"differs from line {first_line} of the same claim {key!r}")
                    statements.append(cache(row[subject], row[predicate], row[obj]))
                except FieldError as exc:
                    failed.append(Reject(name, line, exc.field, exc.message, raw[line]))
        if not failed:
            statement_lines = cache.take_lines()
            try:
                source = cache.table_source(first)
                claim = Claim(statements=statements, source=source,
                              said_by=speaker(ctx.registry, first.get("said_by")),
                              quote=first.get("quote", "").strip() or None,
                              confidence=parse_confidence(first.get("confidence")), activity=activity, key=key)
            except FieldError as exc:
                failed.append(Reject(name, first_line, exc.field, exc.message, raw[first_line]))
            else:
                if statement_lines is not None:
                    claim.adopt_statement_lines(statement_lines)
                return Unit(lines, [claim], records=raw.record)
    return reject_unit(name, lines, failed, raw.record)


@dataclass(frozen=True)
class _Layout:
    """Where a statements table's rows keep what each claim reads (for one header)."""

    claim: int
    subject: int
    predicate: int
    object: int
    #: A row's claim-level cells (compared whole: when they are the first row's very texts, their stripped texts
    #: agree too, and the columns need no comparing one by one).
    claim_level: Callable[[list[str]], Any]


@lru_cache(maxsize=16)
def _layout(header: tuple[str, ...]) -> _Layout:
    """The last cell of each name, as a record (``dict(zip(header, row))``) takes it."""
    def last(name: str) -> int:
        return max(i for i, column in enumerate(header) if column == name)

    return _Layout(last("claim"), last("subject"), last("predicate"), last("object"),
                   itemgetter(*[last(name) for name in CLAIM_LEVEL if name in header]))


def _same_cells(row: list[str], first: list[str], cells: Callable[[list[str]], Any]) -> bool:
    """Whether ``row`` has ``first``'s very text in each claim-level cell (then their stripped texts agree too)."""
    return bool(cells(row) == cells(first))


class _RawRows:
    """A claim's rows as the text a reject shows (joined with the delimiter), made only for rows rejected."""

    def __init__(self, delimiter: str, group: list[_Row]) -> None:
        self.delimiter = delimiter
        self.group = group

    @property
    def rows(self) -> dict[int, list[str]]:
        """The rows by line (the last row of a line, as ``dict(group)`` keeps), made when a reject needs one."""
        found: dict[int, list[str]] | None = self.__dict__.get("_rows")
        if found is None:
            found = self.__dict__["_rows"] = dict(self.group)
        return found

    def __getitem__(self, line: int) -> str:
        return self._text(self.rows[line])

    def record(self, line: int | None) -> str | None:
        """The row at ``line`` as the file wrote it (quoted where its cells need), or None."""
        row = None if line is None else self.rows.get(line)
        return None if row is None else self._text(row)

    def _text(self, row: list[str]) -> str:
        out = io.StringIO()
        csv.writer(out, delimiter=self.delimiter, lineterminator="").writerow(row)  # "1,234" stays one cell
        return out.getvalue()


def reject_unit(name: str, lines: list[int | None], failed: list[Reject],
                records: Callable[[int | None], str | None] = lambda line: None) -> Unit:
    """A unit whose rows ``failed`` failed: their rejects, then one for each sibling row."""
    failed_lines = {r.line for r in failed}
    first = failed[0]
    siblings = [Reject(name, line, None, f"{SIBLING}{first.line} rejected: {first.message}", records(line) or "")
                for line in lines if line not in failed_lines]
    return Unit(lines, rejects=failed + siblings)


# -- claim documents -----------------------------------------------------------------------

@lru_cache(maxsize=1)
def _documents() -> tuple[type[_Located], Callable[..., list[Triple]]]:
    """What the claim documents' module shares with the streaming reader (imported once, on first use)."""
    from detente.loaders.documents import _Located, statements_of

    return _Located, statements_of


def jsonl_document_units(path: Path, ctx: LoadContext) -> Iterator[Unit]:
    """The claims of a JSON Lines file of claim documents, a line at a time."""
    from detente.loaders.documents import _depth

    name = str(path)
    activity = curated("claim-document:" + path.suffix.lower().lstrip("."))
    cache = StatementCache(ctx)
    with path.open(encoding="utf-8-sig") as handle:
        for number, raw in enumerate(bounded_lines(handle), start=1):
            if raw.isspace():  # (a line read is never empty)
                continue
            try:
                doc = _json_document(raw)
            except json.JSONDecodeError as exc:
                yield Unit([number], rejects=[Reject(name, number, None,
                                                     f"invalid JSON: {exc.msg} at column {exc.colno}", raw)])
                continue
            except NotJson as exc:  # a repeated key, NaN or Infinity
                yield Unit([number], rejects=[Reject(name, number, None, f"invalid JSON: {exc}", raw)])
                continue
            except RecursionError:
                doc = None
            # Only a line with more brackets than the nesting bound can nest too deep: count before walking.
            if doc is None or (raw.count("[") + raw.count("{") > LIMITS.nesting and _depth(doc) > LIMITS.nesting):
                yield Unit([number], rejects=[Reject(name, number, None,
                                                     f"JSON nested deeper than {LIMITS.nesting} levels")])
                continue
            # Without escapes every text of the document is a piece of the line: a line with no bad character
            # holds no bad text, and check_values need not walk the document.
            # (A printable line holds no bad character: no control character, surrogate or non-character. An ASCII
            # line holds none either, once json has read it: its only bad characters would be C0 controls, which
            # JSON refuses inside a string and allows between tokens only as tab, line feed and carriage return.)
            clean_text = "\\" not in raw and (raw.isascii() or raw.rstrip("\n").isprintable()
                                               or BAD_TEXT.search(raw) is None)
            yield from _document_units(name, doc, number, ctx, cache, activity, line_of=_the_given_line,
                                       clean_text=clean_text)


#: The scanner of detente's JSON rules, called without the two wrappers of ``JSONDecoder.decode``.
_scan_json: Callable[[str, int], tuple[Any, int]] = JSON_RULES.scan_once  # type: ignore[attr-defined]
_JSON_SPACE = " \t\n\r"


def _json_document(line: str) -> Any:
    """:func:`~detente.loaders.base.read_json` of a line, read by the rules' own scanner.

    A line the scanner does not read whole goes to ``read_json``, which raises the error it always raised.
    """
    try:
        doc, end = _scan_json(line, 0)
    except (StopIteration, ValueError, RecursionError):  # not a document from the first character, or bad JSON
        return read_json(line)
    if end != len(line) and line[end:].strip(_JSON_SPACE):  # extra data after the document
        return read_json(line)
    return doc


def document_units(path: Path, ctx: LoadContext) -> Iterator[Unit]:
    """The claims of a YAML or JSON claim-document file (read whole: bounded by the document size limit)."""
    from detente.loaders.documents import _line, read_documents

    name = str(path)
    docs, rejects = read_documents(path)
    if rejects:
        yield Unit([r.line for r in rejects], rejects=rejects)
        return
    activity = curated("claim-document:" + path.suffix.lower().lstrip("."))
    cache = StatementCache(ctx)
    for doc, doc_line in docs:
        yield from _document_units(name, doc, doc_line, ctx, cache, activity, line_of=_line)


def _the_given_line(_value: Any, line: int | None) -> int | None:
    """A JSON Lines document's values all sit on the document's own line."""
    return line


def _document_units(name: str, doc: Any, doc_line: int | None, ctx: LoadContext, cache: StatementCache,
                    activity: Any, line_of: Callable[[Any, int | None], int | None],
                    clean_text: bool = False) -> Iterator[Unit]:
    """The claims of one document: one unit per claim (a document-level error rejects each of its claims).

    ``clean_text`` says that no text of the document holds a bad character (see :func:`check_values`).
    """
    _Located, statements_of = _documents()
    if not isinstance(doc, dict):
        yield Unit([doc_line], rejects=[Reject(name, doc_line, None,
                                               "a document must be a mapping with 'source' and 'claims'")])
        return
    claims = doc.get("claims")
    items = claims if isinstance(claims, list) and claims else []

    def item_lines() -> list[int | None]:  # (needed only when the document is rejected)
        return [line_of(item, doc_line) for item in items] or [line_of(doc, doc_line)]

    if "entities" in doc:
        from detente.loaders.entities import declare_entities

        cache.clear()  # names may resolve differently now
        rejects = declare_entities(ctx, name, doc["entities"], line_of(doc, doc_line))
        if rejects:
            yield reject_unit(name, item_lines(), list(rejects))
            return
    src = doc.get("source")
    failed: Reject | None = None
    source: Source | None = None
    if not isinstance(src, dict):
        failed = Reject(name, line_of(doc, doc_line), "source", "is missing or not a mapping")
    else:
        try:
            source = cache.source(src, clean_text=clean_text)
        except FieldError as exc:
            failed = Reject(name, line_of(src, doc_line), f"source.{exc.field}", exc.message)
    if failed is None and not items:
        failed = Reject(name, line_of(doc, doc_line), "claims", "is missing, empty or not a list")
    if failed is not None:
        # The problem where it is (the source's line), then every claim of the document as its sibling.
        texts = {line_of(item, doc_line): _item_record(item, None) for item in items}
        yield reject_unit(name, item_lines(), [Reject(name, failed.line, failed.field, failed.message,
                                                      json.dumps(src, default=str) if isinstance(src, dict) else "")],
                          texts.get)
        return
    for index, item in enumerate(items):
        item_line = line_of(item, doc_line)
        if not isinstance(item, dict):
            yield Unit([item_line], rejects=[Reject(name, item_line, f"claims[{index}]", "a claim must be a mapping")])
            continue
        try:
            if not clean_text:
                check_values(item, "")  # NUL bytes and other control characters are never stored
            cache.take_lines()  # the lines of this claim's statements only
            raw_statements = item.get("statements")
            # (An empty list is refused by statements_of.)
            statements = cache.statements(raw_statements) if type(raw_statements) is list and raw_statements else None
            if statements is None:
                statements = statements_of(item, f"claims[{index}]", item_line, cache, line_of)
            statement_lines = cache.take_lines()
            said_by, quote, key = item.get("said_by"), item.get("quote"), item.get("key")
            # source is set here: without one (failed above) no item is read
            claim = Claim(statements, cast("Source", source),
                          None if said_by is None else speaker(ctx.registry, said_by),
                          str(quote).strip() if quote else None, parse_confidence(item.get("confidence")),
                          activity=activity, key=None if key is None else str(key))
        except _Located as exc:
            yield Unit([item_line], rejects=[Reject(name, exc.line, exc.field, exc.message,
                                                    json.dumps(item, default=str))])
            continue
        except FieldError as exc:
            yield Unit([item_line], rejects=[Reject(name, item_line, f"claims[{index}].{exc.field}", exc.message,
                                                    json.dumps(item, default=str))])
            continue
        if statement_lines is not None:
            claim.adopt_statement_lines(statement_lines)
        yield Unit([item_line], [claim], records=functools.partial(_item_record, item))


def _item_record(item: Any, line: int | None) -> str:
    """A document's claim as the JSON text of its reject's record (whatever the line)."""
    return json.dumps(item, default=str)


# -- formats parsed whole ----------------------------------------------------------------------

def result_units(result: ParseResult) -> Iterator[Unit]:
    """Units from a loader's whole-file result: claims grouped by the line they came from, rejects by line.

    A line with a reject loses its claims too (they are listed as its
    siblings, so nothing of a rejected row is written); lines whose records
    made no claim and no reject are not seen here (see the pipeline's count).
    """
    by_line: dict[int | None, list[Claim]] = {}
    for claim in result.claims:
        by_line.setdefault(result.origins.get(claim.iri), []).append(claim)
    rejected: dict[int | None, list[Reject]] = {}
    for reject in result.rejects:
        rejected.setdefault(reject.line, []).append(reject)
    for line, rejects in rejected.items():
        by_line.pop(line, None)
        yield Unit([line], rejects=rejects[:1])
    for line, claims in by_line.items():
        yield Unit([line], claims)


__all__ += ["RestartFile", "sorted_statement_units", "reject_unit", "SIBLING"]
