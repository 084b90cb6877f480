"""What every loader shares: errors that name file, line and field; typed statements; results.

A loader reads one file and returns a :class:`ParseResult` of claims and
rejected records. Nothing is written by a loader: :mod:`detente.loaders.pipeline`
validates the result and writes a file's claims in one transaction.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from detente.errors import AmbiguousEntityError, InvalidInputError
from detente.graph.claims import Activity, Claim, Source
from detente.graph.entities import EntityNames
from detente.graph.store import Store
from detente.graph.terms import Term, Triple, iri_problem
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
        what = f" field '{self.field}':" if self.field else ""
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
    number_digits:
        Most digits a number may have (an integer count, a decimal): more is
        a mistake in the data, and Python reads no integer of over 4300 digits.
    """

    line_chars: int = 4 << 20
    document_bytes: int = 32 << 20
    text_bytes: int = 16 << 20
    alias_nodes: int = 10_000
    nesting: int = 64
    number_digits: int = 100


#: The limits every loader applies.
LIMITS = InputLimits()


# -- JSON ----------------------------------------------------------------------------------

class NotJson(Exception):
    """A JSON text holds what detente does not read (NaN, Infinity, a repeated key)."""


def _json_constant(name: str) -> float:
    raise NotJson(f"{name} is not a JSON number")


def _json_int(text: str) -> int | str:
    # More digits than the value rules read stay text, refused with file, line and field where a number is wanted.
    return int(text) if len(text.lstrip("-")) <= LIMITS.number_digits else text


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):  # a key given twice (rare: only then are the keys walked, for its name)
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise NotJson(f"duplicate key {key!r}")
            seen.add(key)
    return mapping


#: JSON as detente reads it: no NaN or Infinity, no repeated key, integers of more digits than the value rules
#: read kept as text (its ``scan_once`` reads a document that starts at an index).
JSON_RULES = json.JSONDecoder(parse_constant=_json_constant, parse_int=_json_int, object_pairs_hook=_json_object)
#: The same rules but the repeated-key check, for a reader that finds repeated keys itself (with their lines).
JSON_VALUE_RULES = json.JSONDecoder(parse_constant=_json_constant, parse_int=_json_int)


def read_json(text: str) -> Any:
    """A JSON text read by :data:`JSON_RULES` (``json.loads`` with them); raises :class:`NotJson` or json's error.

    >>> for text in ('{"a": 1, "b": [NaN]}', '{"url": "x", "url": "y"}'):
    ...     try:
    ...         read_json(text)
    ...     except NotJson as refused:
    ...         print(refused)
    NaN is not a JSON number
    duplicate key 'url'
    """
    if text.startswith("\ufeff"):
        return json.loads(text)  # json's own error for a byte-order mark
    return JSON_RULES.decode(text)


class bounded_lines:  # lowercase: used like a built-in iterator
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

    def __iter__(self) -> bounded_lines:
        return self

    def __next__(self) -> str:
        line = self.handle.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) > self.limit:
            raise self.too_long()
        return line

    def too_long(self) -> RecordTooLarge:
        """The error for the line just read (:attr:`number`), longer than the limit."""
        return RecordTooLarge(self.number, None, f"line {self.number} is longer than {self.limit} characters")


def csv_rows(reader: Iterator[list[str]] | Iterator[dict[str, str]]) -> Iterator[Any]:
    """The rows of a ``csv`` reader, stopping at a row the module cannot read.

    A row the module cannot read (a field past its size limit, a NUL byte) stops the file with
    :class:`RecordTooLarge` naming the line.
    """
    if not hasattr(reader, "line_num"):
        yield from _csv_rows_counted(reader)
        return
    start = reader.line_num + 1  # the line the next record starts on
    try:
        for row in reader:
            yield row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _unreadable(exc, start) from None


def numbered_csv_rows(reader: Any, lines: bounded_lines, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    r"""The rows :func:`csv_rows` gives of ``reader`` (a ``csv.reader`` of ``lines``), each with ``reader.line_num``.

    A line that holds no quote character and no NUL, and no more characters than a field may have, is the
    record of its cells between delimiters, as the csv module reads it (no cell of it can be quoted); any
    other line starts a record the csv module reads, from that line on. Unreadable records stop the file as
    in :func:`csv_rows`.

    >>> import io
    >>> lines = bounded_lines(io.StringIO('a,b\n1,2\n"x\ny",3\n\n'))
    >>> reader = csv.reader(lines)
    >>> next(reader)
    ['a', 'b']
    >>> list(numbered_csv_rows(reader, lines, ","))
    [(2, ['1', '2']), (4, ['x\ny', '3']), (5, [])]
    """
    # The reader has read as many lines as ``lines`` gave (the header's): their count numbers the rows.
    limit = csv.field_size_limit()
    readline, longest = lines.handle.readline, lines.limit
    while True:
        line = readline(longest + 1)  # what iterating ``lines`` does, without a method call per line
        if not line:
            return
        lines.number += 1
        if len(line) > longest:
            raise lines.too_long()
        text = line.rstrip("\r\n")  # (a line read holds no line break but its end)
        if '"' not in text and "\x00" not in text and len(text) <= limit:
            yield lines.number, text.split(delimiter) if text else []
            continue
        start = lines.number
        record = csv.reader(itertools.chain((line,), lines), delimiter=delimiter)
        try:
            row = next(record)
        except csv.Error as exc:
            raise _unreadable(exc, start) from None
        yield lines.number, row


def _csv_rows_counted(reader: Iterator[Any]) -> Iterator[Any]:
    """:func:`csv_rows` of a reader that does not count lines."""
    try:
        yield from reader
    except csv.Error as exc:
        raise _unreadable(exc, 1) from None


def _unreadable(exc: csv.Error, start: int) -> RecordTooLarge:
    """The error for a record starting on line ``start`` that the csv module cannot read."""
    if "field larger than field limit" in str(exc):  # the csv module's only word for it
        return RecordTooLarge(start, None, f"field larger than field limit ({csv.field_size_limit()} "
                                           f"characters) in the record starting on line {start}")
    return RecordTooLarge(start, None, f"unreadable CSV: {exc}")


#: Byte-order marks of the encodings a file saved as "Unicode" may have: the longest first (UTF-32 LE starts as
#: UTF-16 LE does).
_UNICODE_MARKS = ((b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"), (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
                  (b"\xff\xfe", "UTF-16 (little-endian)"), (b"\xfe\xff", "UTF-16 (big-endian)"))


def byte_order_mark_problem(path: Path) -> str | None:
    """What a reader says of a file that starts with a UTF-16 or UTF-32 byte-order mark (None for any other)."""
    with path.open("rb") as handle:
        start = handle.read(4)
    for mark, encoding in _UNICODE_MARKS:
        if start.startswith(mark):
            return (f"not UTF-8 text: the file is {encoding} text (it starts with a byte-order mark); "
                    "save it as UTF-8")
    return None


def decoding_problem(path: Path, error: UnicodeDecodeError) -> str:
    """What a reader says of a file that is not UTF-8: UTF-16 by its byte-order mark, else the first bad byte.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "claims.json"
    >>> _ = path.write_text('{"source": {}}', encoding="utf-16")
    >>> try:
    ...     path.read_text(encoding="utf-8")
    ... except UnicodeDecodeError as error:
    ...     print(decoding_problem(path, error))
    not UTF-8 text: the file is UTF-16 (little-endian) text (it starts with a byte-order mark); save it as UTF-8
    """
    marked = byte_order_mark_problem(path)
    if marked is not None:
        return marked
    data = error.object
    if isinstance(data, bytes) and len(data) == path.stat().st_size:  # the whole file was decoded: say where
        line = data.count(b"\n", 0, error.start) + 1
        where = f" at byte {error.start}, line {line}"
    else:  # a piece of a file read in pieces: its offsets are not the file's
        where = ""
    return f"not UTF-8 text ({error.reason}{where}); save it as UTF-8"


def check_file_size(path: Path, limit: int, what: str) -> None:
    """Refuse a file larger than ``limit`` bytes before reading it."""
    size = path.stat().st_size
    if size > limit:
        raise RecordTooLarge(None, None, f"the {what} is {size} bytes; at most {limit} are read "
                                         f"(split it into several files)")


class LoadError(InvalidInputError):
    """A file cannot be loaded and nothing of it was written.

    ``rejects`` lists every bad record with file, line and field, and the message shows the first
    :data:`SHOWN_REJECTS` of them.

    >>> error = LoadError([Reject("bad.csv", 3, "object", "'many' is not a valid integer")])
    >>> print(error)
    invalid input, nothing of this file was written (1 problem):
      bad.csv:3: field 'object': 'many' is not a valid integer
    >>> error.http_status, error.exit_code
    (422, 1)

    ``first_only`` says that the file was read only up to its first problem (a
    load without ``--skip-invalid``; ``detente validate`` reads on). A load of several
    files stops at the first bad one; ``not_loaded`` names the files after it,
    which were not read, and the message lists them:

    >>> print(LoadError([Reject("b.csv", None, None, "not UTF-8 text")], not_loaded=["c.csv", "d.yaml"]))
    invalid input, nothing of this file was written (1 problem):
      b.csv: not UTF-8 text
    2 later files were not loaded: c.csv, d.yaml
    """

    SHOWN_REJECTS = 20
    SHOWN_FILES = 20

    def __init__(self, rejects: list[Reject], *, not_loaded: list[str] | None = None,
                 first_only: bool = False) -> None:
        count = f"{len(rejects)} problem" + ("s" if len(rejects) != 1 else "")
        lines = [f"invalid input, nothing of this file was written ({count}):"]
        lines += [f"  {r}" for r in rejects[:self.SHOWN_REJECTS]]
        if len(rejects) > self.SHOWN_REJECTS:
            lines.append(f"  … and {len(rejects) - self.SHOWN_REJECTS} more")
        if first_only and rejects:
            lines.append(f"reading stopped at the first problem: `detente validate {rejects[0].file}` lists them all")
        not_loaded = list(not_loaded or [])
        if not_loaded:
            lines.append(self._not_loaded_line(not_loaded))
        super().__init__("\n".join(lines))
        self.rejects = rejects
        self.skipped: list[str] = not_loaded

    def not_loaded(self, files: list[str]) -> None:
        """Name the later files of the same load that were not loaded because this one failed."""
        self.skipped = list(files)
        self.message = f"{self.args[0]}\n{self._not_loaded_line(self.skipped)}"
        self.args = (self.message,)

    @classmethod
    def _not_loaded_line(cls, files: list[str]) -> str:
        shown = ", ".join(files[:cls.SHOWN_FILES])
        more = f" … and {len(files) - cls.SHOWN_FILES} more" if len(files) > cls.SHOWN_FILES else ""
        return f"{len(files)} later file{'s were' if len(files) != 1 else ' was'} not loaded: {shown}{more}"


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

    ``fail_fast`` tells a parser that the file will be refused whole at its first
    reject, so it may stop reading there.
    ``facts_label`` is the graph label facts get in N-Quads a loader writes itself
    (the target store's :attr:`~detente.graph.store.Store.facts_label`). ``store``
    is read (never written) by loaders that link what they extract to what is
    already there; it is None when only validating.
    """

    registry: EntityRegistry
    options: LoadOptions = field(default_factory=LoadOptions)
    facts_label: URIRef | None = FACTS_GRAPH
    store: Store | None = None
    #: Stop reading a file at its first reject (a load without ``--skip-invalid`` refuses the file anyway).
    fail_fast: bool = False


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


# -- the value rules: one function per kind of value, used by every loader ----------------

_IRI_WRITTEN = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://|urn:", re.I)
# Text may hold no C0 control character but tab, line feed and carriage return (XML 1.0's Char, which
# GraphML, GEXF and RDF/XML exports need too), no lone surrogate (no UTF-8 encodes it) and no U+FFFE/U+FFFF.
BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE = re.compile(r"-?[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
                        r"(?:Z|[+-][0-9]{2}:[0-9]{2})?")
#: The schemes a source URL may have: a source is a publication a reader can open on the web.
SOURCE_URL_SCHEMES = ("http", "https")
_PLAIN_WEB_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(?:[/?#]|\Z)")


def shown(value: object, limit: int = 60) -> str:
    """A value as a message quotes it: ``repr``, cut after ``limit`` characters with its length said.

    >>> shown("many"), shown("9" * 5000, 5)
    ("'many'", "'99999…' (5000 characters)")
    """
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit] + "…") + f" ({len(text)} characters)"


def text_problem(text: str) -> str | None:
    r"""What keeps ``text`` from being stored as text (a NUL byte, a control character…), or None.

    >>> text_problem("Talks began."), text_problem("Talks\x00began")
    (None, 'holds the control character U+0000 at position 5')
    """
    found = BAD_TEXT.search(text)
    if found is None:
        return None
    char = found.group()
    what = "a lone surrogate" if "\ud800" <= char <= "\udfff" else f"the control character U+{ord(char):04X}"
    return f"holds {what} at position {found.start()}"


#: The characters :data:`BAD_TEXT` finds that ASCII has (C0 controls but tab and line ends).
_ASCII_BAD = bytes(code for code in range(0x80) if BAD_TEXT.match(chr(code)))


def holds_bad_text(text: str) -> bool:
    r"""``BAD_TEXT.search(text) is not None``, found faster.

    ASCII text by deleting its bad bytes; other text is printable first (printable text holds no bad character:
    no control character, surrogate or non-character).

    >>> holds_bad_text("Talks began."), holds_bad_text("Talks\x00began"), holds_bad_text("Gespräche\ufffe")
    (False, True, True)
    """
    if text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_BAD)) != len(text)
    return not text.isprintable() and BAD_TEXT.search(text) is not None


def _clean_texts(value: object) -> bool:
    """Whether every text and key in ``value`` passes :func:`text_problem` (one search over all of them)."""
    texts: list[str] = []
    stack = [value]
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is str:
            texts.append(current)  # type: ignore[arg-type]
        elif kind is dict:
            for key, item in current.items():  # type: ignore[attr-defined]
                if type(key) is str:
                    texts.append(key)
                stack.append(item)
        elif kind is list or kind is tuple:
            stack.extend(current)  # type: ignore[arg-type]
        elif isinstance(current, (str, dict, list, tuple)):
            return False  # a subclass: the full walk decides
    return not holds_bad_text(" ".join(texts))


def check_values(value: object, field_name: str) -> None:
    r"""Refuse a record (a row, a claim, a source) holding a text value or key that :func:`text_problem` refuses.

    The ``FieldError`` names the value's path inside the record:

    >>> try:
    ...     check_values({"quote": "ok", "statements": [["a", "b", "c\x00"]]}, "claims[0]")
    ... except FieldError as error:
    ...     print(error)
    field 'claims[0].statements[0][2]': holds the control character U+0000 at position 1
    """
    if _clean_texts(value):
        return  # the common case, found without building each value's path
    stack: list[tuple[str, object]] = [(field_name, value)]
    while stack:
        where, current = stack.pop()
        if isinstance(current, str):
            problem = text_problem(current)
            if problem is not None:
                raise FieldError(where, problem)
        elif isinstance(current, dict):
            for key, item in reversed(list(current.items())):
                if isinstance(key, str) and text_problem(key) is not None:
                    raise FieldError(where, f"a key {text_problem(key)}")
                stack.append((f"{where}.{key}" if where else str(key), item))
        elif isinstance(current, (list, tuple)):
            stack.extend((f"{where}[{index}]", item) for index, item in reversed(list(enumerate(current))))


def iri_ref(text: str, field_name: str) -> URIRef:
    """An IRI from user text, refused when :func:`~detente.graph.terms.iri_problem` finds a character no IRI holds.

    >>> str(iri_ref("http://example.org/a", "subject"))
    'http://example.org/a'
    >>> try:
    ...     iri_ref("http://example.org/a b", "subject")
    ... except FieldError as error:
    ...     print(error)
    field 'subject': 'http://example.org/a b' is not a valid IRI: it holds a space at position 20
    """
    _refuse_iri_problem(text, field_name, "IRI")
    return URIRef(text)


def _refuse_iri_problem(text: str, field_name: str, kind: str) -> None:
    """Refuse ``text`` (an IRI or URL, ``kind`` says which) when it holds a character no IRI holds."""
    problem = iri_problem(text)
    if problem is not None:
        raise FieldError(field_name, f"{shown(text)} is not a valid {kind}: it {problem}")


def http_url(value: object, field_name: str) -> str:
    """A web URL (:data:`SOURCE_URL_SCHEMES` and a host, only characters an IRI holds), as written.

    Source URLs and ``xsd:anyURI`` values take this rule: a ``javascript:``,
    ``data:`` or ``file:`` URL is no publication, and pages link these values.

    >>> http_url(" https://example.org/a ", "source")
    'https://example.org/a'
    >>> try:
    ...     http_url("javascript:alert(1)", "source")
    ... except FieldError as error:
    ...     print(error)
    field 'source': 'javascript:alert(1)' is not a web URL: it must start with http:// or https:// and name a host
    """
    text = str(value).strip()
    # http(s)://, then a host of letters, digits, dots and hyphens up to the path: what urlsplit would find
    # (scheme http or https, that host, no userinfo or port), so only the IRI rule is left to apply.
    if _PLAIN_WEB_URL.match(text) is None:
        try:
            parts = urlsplit(text)
            host = parts.hostname
        except ValueError:  # urlsplit's own refusal of a malformed host ("http://[x")
            host = None
            parts = None
        if parts is None or parts.scheme.lower() not in SOURCE_URL_SCHEMES or not host:
            raise FieldError(field_name, f"{shown(text)} is not a web URL: it must start with http:// or https:// "
                                         "and name a host")
    _refuse_iri_problem(text, field_name, "URL")
    return text


def parse_integer(value: object, field_name: str) -> int:
    """An integer written as digits (a sign allowed), at most :attr:`InputLimits.number_digits` of them.

    No quiet change: ``1,2,3`` is not 123, ``3.0`` and ``true`` are not integers.

    >>> parse_integer("314", "object"), parse_integer(-2, "object")
    (314, -2)
    >>> try:
    ...     parse_integer("1,2,3", "object")
    ... except FieldError as error:
    ...     print(error)
    field 'object': '1,2,3' is not a valid integer (write digits only, no separators)
    """
    if isinstance(value, bool):
        raise FieldError(field_name, f"{str(value).lower()} is a boolean, not an integer")
    if isinstance(value, float):
        raise FieldError(field_name, f"{value!r} is a decimal number, not an integer")
    if isinstance(value, int):
        text = str(value) if value.bit_length() < 4 * LIMITS.number_digits else "9" * (LIMITS.number_digits + 1)
    else:
        text = str(value).strip()
    if not _INTEGER.fullmatch(text):
        hint = " (write digits only, no separators)" if re.fullmatch(r"[+-]?[0-9][0-9,. _']*", text) else ""
        raise FieldError(field_name, f"{shown(text)} is not a valid integer{hint}")
    digits = len(text.lstrip("+-"))
    if digits > LIMITS.number_digits:
        raise FieldError(field_name, f"an integer of {digits} digits; at most {LIMITS.number_digits} are read")
    return int(text)


def parse_decimal(value: object, field_name: str, *, exponent: bool = False) -> Decimal:
    """A finite decimal number (``0.9``, ``-7``; with ``exponent`` also ``1.5e3``).

    At most :attr:`InputLimits.number_digits` characters long.

    NaN, infinities, booleans and digit groups (``1_000``) are refused.

    >>> parse_decimal("0.90", "confidence"), parse_decimal(0.5, "confidence")
    (Decimal('0.90'), Decimal('0.5'))
    >>> try:
    ...     parse_decimal("nan", "GoldsteinScale")
    ... except FieldError as error:
    ...     print(error)
    field 'GoldsteinScale': 'nan' is not a number
    """
    if isinstance(value, bool):
        raise FieldError(field_name, f"{str(value).lower()} is a boolean, not a number")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise FieldError(field_name, f"{value!r} is not a finite number")
        value = repr(value)
    text = str(value).strip()
    if len(text) > LIMITS.number_digits + 2:
        raise FieldError(field_name, f"a number of {len(text)} characters; at most {LIMITS.number_digits} "
                                     "digits are read")
    if not (_DOUBLE if exponent else _DECIMAL).fullmatch(text):
        if not exponent and _DOUBLE.fullmatch(text):
            return parse_decimal(format(Decimal(text), "f"), field_name)  # 1e-3 from YAML/JSON: 0.001
        raise FieldError(field_name, f"{shown(text)} is not a number")
    return Decimal(text)


def parse_date(value: object, field_name: str) -> date | None:
    """A calendar date written ``YYYY-MM-DD`` (None for an empty value); nothing after it, no 30 February.

    >>> parse_date("2025-03-12", "published")
    datetime.date(2025, 3, 12)
    >>> try:
    ...     parse_date("2025-03-12xyz", "published")
    ... except FieldError as error:
    ...     print(error)
    field 'published': '2025-03-12xyz' is not a date (YYYY-MM-DD)
    >>> try:
    ...     parse_date("2025-02-30", "published")
    ... except FieldError as error:
    ...     print(error)
    field 'published': '2025-02-30' is not a date: day is out of range for month
    """
    if type(value) is str:
        found = _DATES.get(value)  # files repeat the same dates: each distinct text read once (a refused one each time)
        if found is not None:
            return found
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, datetime):
        raise FieldError(field_name, f"{value.isoformat()!r} is a date and time; write the date (YYYY-MM-DD)")
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not _DATE.fullmatch(text):
        raise FieldError(field_name, f"{shown(text)} is not a date (YYYY-MM-DD)")
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:  # the calendar's own refusal: 30 February, month 13
        raise FieldError(field_name, f"{text!r} is not a date: {exc}") from None
    if type(value) is str:
        if len(_DATES) >= _LITERALS_LIMIT:
            _DATES.clear()
        _DATES[value] = day
    return day


_DATES: dict[str, date] = {}


def _date_time(value: object, field_name: str) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value).strip()
    if not _DATE_TIME.fullmatch(text):
        raise FieldError(field_name, f"{shown(text)} is not a date and time (YYYY-MM-DDThh:mm:ss, a zone allowed)")
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise FieldError(field_name, f"{text!r} is not a date and time: {exc}") from None
    return text


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
        return _declared(iri_ref(ref[1:-1], "predicate"), ref)
    if _IRI_WRITTEN.match(ref):
        return _declared(iri_ref(ref, "predicate"), ref)
    expanded = expand_curie(ref)
    if expanded is not None:
        return _declared(iri_ref(expanded, "predicate"), ref)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", ref):
        candidate = DT[ref]
        if candidate in schema.datatype_properties() or candidate in schema.object_properties():
            return candidate
        raise FieldError("predicate", f"unknown property {ref!r}; the ontology has no dt:{ref}")
    raise FieldError("predicate", f"cannot read {shown(ref)} as a property (use a CURIE such as dt:hasParty or an IRI)")


def _declared(predicate: URIRef, ref: str) -> URIRef:
    """``predicate``, unless it is in the ontology's namespace without being one of its properties (a typo).

    >>> try:
    ...     _declared(DT.hasPary, "dt:hasPary")
    ... except FieldError as error:
    ...     print(error)
    field 'predicate': unknown property 'dt:hasPary'; the ontology has no dt:hasPary
    """
    if predicate.startswith(DT) and predicate not in schema.datatype_properties() \
            and predicate not in schema.object_properties():
        raise FieldError("predicate", f"unknown property {ref!r}; the ontology has no dt:{predicate[len(DT):]}")
    return predicate


def typed_literal(value: object, datatype: URIRef, field_name: str = "object") -> Literal:
    """A literal of ``datatype``, checked: ``314`` → xsd:integer, ``2025-03-12`` → xsd:date.

    The lexical form is the value as written, checked by the rule of its kind
    (:func:`parse_integer`, :func:`parse_decimal`, :func:`parse_date`,
    :func:`http_url`); nothing is quietly changed into something else.

    >>> typed_literal("314", XSD.integer)
    rdflib.term.Literal('314', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    >>> try:
    ...     typed_literal("1,2,3", XSD.integer)
    ... except FieldError as error:
    ...     print(error)
    field 'object': '1,2,3' is not a valid integer (write digits only, no separators)
    """
    if type(value) is str or type(value) is int:
        # Files repeat the same dates and counts: each distinct value is checked once (a refused one each time).
        key = (type(value), value, str(datatype))
        cached = _LITERALS.get(key)
        if cached is None:
            cached = _typed_literal(value, datatype, field_name)
            if len(_LITERALS) >= _LITERALS_LIMIT:
                _LITERALS.clear()
            _LITERALS[key] = cached
        return cached
    return _typed_literal(value, datatype, field_name)


_LITERALS: dict[tuple[type, object, str], Literal] = {}
_LITERALS_LIMIT = 100_000


# rdflib's namespace terms the value rules compare with, looked up once (a namespace lookup is Python code).
_XSD_ANYURI = XSD.anyURI
_XSD_BOOLEAN = XSD.boolean
_XSD_DATE = XSD.date
_XSD_DATETIME = XSD.dateTime
_XSD_DECIMAL = XSD.decimal
_XSD_DOUBLE = XSD.double
_XSD_FLOAT = XSD.float
_XSD_GYEAR = XSD.gYear
_XSD_INT = XSD.int
_XSD_INTEGER = XSD.integer
_XSD_LONG = XSD.long
_XSD_NONNEGATIVEINTEGER = XSD.nonNegativeInteger
_XSD_STRING = XSD.string
_RDFS_LITERAL = RDFS.Literal


def _typed_literal(value: object, datatype: URIRef, field_name: str) -> Literal:
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is not None:
            raise FieldError(field_name, problem)
    kind = datatype.split("#")[-1]
    if datatype in (_XSD_INTEGER, _XSD_NONNEGATIVEINTEGER, _XSD_INT, _XSD_LONG):
        number = parse_integer(value, field_name)
        if datatype == _XSD_NONNEGATIVEINTEGER and number < 0:
            raise FieldError(field_name, f"{number} is negative; {kind} is 0 or more")
        return Literal(str(number), datatype=datatype)
    if datatype == _XSD_DECIMAL:
        return Literal(format(parse_decimal(value, field_name), "f"), datatype=datatype)
    if datatype in (_XSD_DOUBLE, _XSD_FLOAT):
        return Literal(str(parse_decimal(value, field_name, exponent=True)), datatype=datatype)
    if datatype == _XSD_DATE:
        if isinstance(value, datetime):
            raise FieldError(field_name, f"{value.isoformat()!r} is a date and time; write the date (YYYY-MM-DD)")
        day = parse_date(value, field_name)
        if day is None:
            raise FieldError(field_name, "is empty")
        return Literal(day.isoformat(), datatype=datatype)
    if datatype == _XSD_DATETIME:
        return Literal(_date_time(value, field_name), datatype=datatype)
    text = str(value).strip()
    if datatype == _XSD_GYEAR:
        if not re.fullmatch(r"-?\d{4}", text):
            raise FieldError(field_name, f"{shown(text)} is not a valid {kind}")
        return Literal(text, datatype=datatype)
    if datatype == _XSD_BOOLEAN:
        lowered = text.lower() if isinstance(value, (str, bool)) else ""
        if lowered not in ("true", "false", "1", "0", "yes", "no"):
            raise FieldError(field_name, f"{shown(text)} is not a valid {kind} (true or false)")
        return Literal("true" if lowered in ("true", "1", "yes") else "false", datatype=datatype)
    if datatype == _XSD_ANYURI:
        return Literal(http_url(text, field_name), datatype=datatype)
    return Literal(text) if datatype in (_XSD_STRING, _RDFS_LITERAL) else Literal(text, datatype=datatype)


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


def _written_iri(ref: str) -> str | None:
    """The IRI a reference spells when it is written as one (``<…>``, ``scheme://…``, ``urn:…``, a CURIE)."""
    text = ref.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1].strip()
    if _IRI_WRITTEN.match(text):
        return text
    return expand_curie(text)


def resolve_entity(names: EntityNames | EntityRegistry, ref: str, field_name: str) -> URIRef:
    """The entity a reference names (by the one resolver); a ``FieldError`` naming the field otherwise.

    A reference written as an IRI that no IRI can be (a space, ``>``, a line break) is refused as such.
    """
    written = _written_iri(ref)
    if written is not None:
        _refuse_iri_problem(written, field_name, "IRI")  # iri_ref's refusal, without making the IRI (the resolver does)
    try:
        iri = names.lookup(ref)
    except AmbiguousEntityError as exc:
        raise FieldError(field_name, str(exc)) from None
    if iri is None:
        raise FieldError(field_name, f"unknown entity {shown(ref.strip())}: declare it in an entities file, "
                                     "or write a CURIE (state:UKR, event:riyadh-talks) or an IRI")
    return iri


_RDF_TYPE = RDF.type
_PLAIN_TEXT_PROPERTIES = (RDFS.label, SKOS.altLabel, RDFS.comment, DCT.title)


def object_term(names: EntityNames | EntityRegistry, predicate: URIRef, obj: object) -> Term:
    """The object as the ontology wants it: an entity, a class, or a typed literal."""
    if isinstance(obj, str) and text_problem(obj) is not None:
        raise FieldError("object", str(text_problem(obj)))
    if predicate == _RDF_TYPE:
        cls = entity_type(str(obj))
        if cls is None:
            raise FieldError("object", f"unknown class {shown(obj)} (use dt:Talks, talks, an IRI…)")
        return iri_ref(str(cls), "object")
    datatype = schema.datatype_properties().get(predicate)
    if datatype is not None:
        return typed_literal(obj, datatype)
    if predicate in schema.object_properties():
        return resolve_entity(names, str(obj), "object")
    if predicate in _PLAIN_TEXT_PROPERTIES:
        return Literal(str(obj))
    text = str(obj).strip()
    if not isinstance(obj, (int, float)) and (text.startswith(("http://", "https://", "<")) or expand_curie(text)):
        written = _written_iri(text)
        if written is None or iri_problem(written) is None:
            try:
                iri = names.lookup(text)  # written as an IRI or CURIE: an entity if it is one, else a literal
            except AmbiguousEntityError as exc:
                raise FieldError("object", str(exc)) from None
            if iri is not None:
                return iri
    if isinstance(obj, bool):
        return Literal(obj)
    if isinstance(obj, int):
        return Literal(parse_integer(obj, "object"))
    if isinstance(obj, float):
        return Literal(parse_decimal(obj, "object", exponent=True))
    return Literal(text)


def parse_confidence(value: object) -> float | None:
    """A confidence between 0 and 1 (None when empty), by the rule of :func:`parse_decimal`.

    Files repeat a few confidences: each distinct one is read once (one refused is read, and refused, each time).
    """
    kind = type(value)
    if (kind is str or kind is int or kind is float) and value:  # 0.0 == -0.0, whose confidences differ in sign
        key = (kind, value)
        found = _CONFIDENCES.get(key, _UNREAD)
        if found is _UNREAD:
            found = _parse_confidence(value)
            if len(_CONFIDENCES) >= _LITERALS_LIMIT:
                _CONFIDENCES.clear()
            _CONFIDENCES[key] = found
        return found  # type: ignore[return-value]
    return _parse_confidence(value)


_CONFIDENCES: dict[tuple[type, object], float | None] = {}
_UNREAD = object()


def _parse_confidence(value: object) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    number = parse_decimal(value, "confidence", exponent=True)
    if not 0 <= number <= 1:
        raise FieldError("confidence", f"{number} is outside 0..1")
    return float(number)


SOURCE_TYPES = {
    "newsarticle": DT.NewsArticle, "news_article": DT.NewsArticle, "article": DT.NewsArticle, "news": DT.NewsArticle,
    "officialstatement": DT.OfficialStatement, "official_statement": DT.OfficialStatement,
    "statement": DT.OfficialStatement, "dataset": DT.Dataset, "source": DT.Source,
}


def make_source(registry: EntityRegistry, *, url: object = None, title: object = None, publisher: object = None,
                published: object = None, source_type: object = None, url_field: str = "source") -> Source:
    """A source from user fields; the publisher becomes a (news) organisation entity.

    ``url_field`` is what the input calls the URL (a statements table's ``source`` column, a document's ``url``).
    """
    publisher_iri = None
    if publisher is not None and str(publisher).strip():
        publisher_iri = registry.mint(str(publisher).strip(), _NEWS_ORGANIZATION, field_name="publisher")
        registry.mark_used((publisher_iri,))
    stype = _NEWS_ARTICLE
    if source_type is not None and str(source_type).strip():
        key = str(source_type).strip().lower()
        stype = SOURCE_TYPES.get(key.removeprefix("dt:")) or entity_type(str(source_type)) or DT.Source
        if stype not in SOURCE_TYPES.values():
            raise FieldError("source_type", f"unknown source type {source_type!r}")
    url_text = http_url(url, url_field) if url is not None and str(url).strip() else None
    if title is not None and str(title).strip() and text_problem(str(title)) is not None:
        raise FieldError("title", str(text_problem(str(title))))
    if publisher is not None and text_problem(str(publisher)) is not None:
        raise FieldError("publisher", str(text_problem(str(publisher))))
    issued = parse_date(published, "published")
    try:
        return Source.from_metadata(url=url_text, title=str(title).strip() if title else None,
                                    publisher=publisher_iri, issued=issued, source_type=stype)
    except ValueError as exc:
        raise FieldError("source", str(exc)) from None


_NEWS_ORGANIZATION, _NEWS_ARTICLE = DT.NewsOrganization, DT.NewsArticle  # (rdflib's namespace lookup, once)


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
    "check_file_size", "decoding_problem", "csv_rows", "numbered_csv_rows", "LoadOptions", "ParseResult",
    "LoadContext", "Parser",
    "resolve_predicate", "typed_literal", "build_statement", "resolve_entity", "object_term",
    "parse_confidence", "parse_date", "parse_integer", "parse_decimal", "http_url", "iri_ref", "text_problem",
    "check_values", "shown", "BAD_TEXT", "holds_bad_text",
    "SOURCE_URL_SCHEMES", "make_source", "curated", "speaker", "SCHEMA",
]
