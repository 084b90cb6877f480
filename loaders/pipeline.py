"""Loading files into a store: detect the format, parse, validate, write one transaction per file.

>>> from detente.graph.store import open_store
>>> store = open_store("memory:")
>>> reports = load_paths(store, [])
>>> reports
[]
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from rdflib import Dataset, URIRef

from detente.errors import AmbiguousEntityError, DetenteError, LoadStoppedError, StoreError, UsageError
from detente.graph.claims import Claim, claims_nquads, known_claims, line_end, quads_nquads
from detente.graph.performance import fewer_collections, return_large_blocks
from detente.graph.store import Store
from detente.graph.summary_import import FreshImport
from detente.graph.writes import (
    SavePoint,
    add_claims_nquads,
    bulk,
    import_nquads,
    remove_claims,
    roll_back,
    save_point,
)
from detente.loaders.base import (
    FieldError,
    LoadContext,
    LoadError,
    LoadOptions,
    ParseResult,
    RecordTooLarge,
    Reject,
    byte_order_mark_problem,
    decoding_problem,
)
from detente.loaders.documents import parse_documents, read_documents
from detente.loaders.entities import entities_result, is_entities_document, is_entities_header
from detente.loaders.gdelt import is_gdelt_export, parse_gdelt
from detente.loaders.linking import index_store_roles
from detente.loaders.news import is_news_text, parse_news
from detente.loaders.rdf import parse_rdf, rdf_format_of
from detente.loaders.registry import EntityRegistry
from detente.loaders.shapes import ShapeChecker
from detente.loaders.source_dates import FileDates, SourceDates
from detente.loaders.statements import is_statements_header, parse_statements
from detente.loaders.stream import (
    RestartFile,
    Unit,
    document_units,
    jsonl_document_units,
    result_units,
    sorted_statement_units,
    statement_units,
)
from detente.loaders.ucdp import is_ucdp_header, parse_ucdp
from detente.ontology.vocab import FACTS_GRAPH, PROVENANCE_GRAPH


@dataclass
class InputFormat:
    """A loader: a name, a test on the file, and a parser.

    ``detect`` gets the path and the first 64 KiB of text.
    """

    name: str
    detect: Callable[[Path, str], bool]
    parse: Callable[[Path, LoadContext], ParseResult]
    entities: bool = False  # entity files load before claim files


def _header(head: str, delimiter: str) -> list[str]:
    first = head.splitlines()[0] if head else ""
    return next(csv.reader([first], delimiter=delimiter), [])


def _delim(path: Path) -> str:
    return "\t" if path.suffix.lower() in (".tsv", ".tab") else ","


def _yamlish(path: Path) -> bool:
    return path.suffix.lower() in (".yaml", ".yml", ".json", ".jsonl", ".ndjson")


def _first_doc(path: Path) -> object:
    docs, _ = read_documents(path)
    return docs[0][0] if docs else None


FORMATS: list[InputFormat] = [
    # Real-world formats with fixed layouts first, so the generic tables do not take them.
    InputFormat("gdelt-events", is_gdelt_export, parse_gdelt),
    InputFormat("ucdp-peace-agreements", is_ucdp_header, parse_ucdp),
    InputFormat("entities-table", lambda p, h: p.suffix.lower() in (".csv", ".tsv") and
                is_entities_header(_header(h, _delim(p))), entities_result, entities=True),
    InputFormat("statements-table", lambda p, h: p.suffix.lower() in (".csv", ".tsv", ".tab") and
                is_statements_header(_header(h, _delim(p))), parse_statements),
    InputFormat("entities-document", lambda p, h: _yamlish(p) and "entities" in h and
                is_entities_document(_first_doc(p)), entities_result, entities=True),
    InputFormat("claim-document", lambda p, h: _yamlish(p), parse_documents),
    InputFormat("rdf", lambda p, h: rdf_format_of(p) is not None, parse_rdf),
    InputFormat("news-text", is_news_text, parse_news),
]


def register_format(fmt: InputFormat, *, first: bool = True) -> None:
    """Add a loader; ``first`` puts it ahead of the generic ones (it sees files first)."""
    if any(f.name == fmt.name for f in FORMATS):
        return
    FORMATS.insert(0, fmt) if first else FORMATS.append(fmt)


def detect_format(path: Path) -> InputFormat | None:
    """The loader for a file, by suffix and content."""
    with path.open("rb") as handle:
        head = handle.read(65536).decode("utf-8", errors="replace")
    for fmt in FORMATS:
        if fmt.detect(path, head):
            return fmt
    return None


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files from paths; folders expand to their files, sorted, hidden ones skipped."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(p for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith((".", "README")))
        else:
            out.append(path)
    return out


@dataclass
class FileReport:
    """What happened to one file."""

    path: str
    format: str
    records: int = 0
    claims: int = 0
    new_claims: int = 0
    quads: int = 0
    rejects: list[Reject] = field(default_factory=list)
    written: bool = False
    loaded: int = 0  # rows (records) loaded
    rejected: int = 0  # rows rejected: records == loaded + rejected once the file is read

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "format": self.format, "records": self.records, "loaded": self.loaded,
                "rejected": self.rejected, "claims": self.claims,
                "new_claims": self.new_claims, "quads": self.quads, "written": self.written,
                "rejects": [r.__dict__ for r in self.rejects]}


def _shacl_rejects(path: Path, result: ParseResult, text: str) -> list[Reject]:
    """SHACL-validate a file's N-Quads (claims, entity descriptions, passthrough); map results back to lines."""
    from detente.ontology.schema import shape_field
    from detente.ontology.validation import validate_shacl

    if not text:
        return []
    dataset = Dataset()
    dataset.parse(data=text, format="nquads")
    data = dataset  # validation runs on the union of all graphs
    report = validate_shacl(data)
    if report.conforms:
        return []
    by_node: dict[str, int | None] = {str(k): v for k, v in result.origins.items()}
    for claim in result.claims:
        line = result.origins.get(claim.iri)
        by_node.setdefault(str(claim.source.iri), line)
        for s, _p, o in claim.statements:
            by_node.setdefault(str(s), line)
            by_node.setdefault(str(o), line)
    rejects = []
    for res in report.results:
        if str(getattr(res, "severity", "Violation")).split("#")[-1] not in ("Violation", "sh:Violation"):
            continue
        rejects.append(Reject(str(path), by_node.get(str(res.focus_node)), shape_field(res.source_shape, res.path),
                              f"SHACL: {res.message} (focus {res.focus_node})"))
    return rejects


def parse_path(path: Path, ctx: LoadContext,
               fmt: InputFormat | None = None) -> tuple[InputFormat | None, ParseResult]:
    """Parse one file with ``fmt``, or with the format detected from it.

    A file that is not a regular file (a FIFO, ``/dev/zero``), or one of whose
    records passes :data:`~detente.loaders.base.LIMITS`, is one reject naming
    the file and line: reading stops there.
    """
    if not path.exists():
        return None, ParseResult(rejects=[Reject(str(path), None, None, "no such file")])
    if not path.is_file():
        return None, ParseResult(rejects=[Reject(str(path), None, None,
                                                 "not a regular file (a device, FIFO or socket is never read)")])
    try:
        fmt = fmt or detect_format(path)
        if fmt is None:
            # A table saved as UTF-16 (Excel's "Unicode text") shows no header detente knows: say why.
            why = byte_order_mark_problem(path) or f"unknown input format ({path.suffix or 'no suffix'})"
            return None, ParseResult(rejects=[Reject(str(path), None, None, why)])
        return fmt, fmt.parse(path, ctx)
    except RecordTooLarge as exc:
        return fmt, ParseResult(rejects=[Reject(str(path), exc.line, exc.field, exc.message)])
    except csv.Error as exc:  # a field past the csv module's size limit, a NUL byte…
        return fmt, ParseResult(rejects=[Reject(str(path), None, None, f"unreadable CSV: {exc}")])
    except UnicodeDecodeError as exc:
        return fmt, ParseResult(rejects=[Reject(str(path), None, None, decoding_problem(path, exc))])
    except RecursionError:
        return fmt, ParseResult(rejects=[Reject(str(path), None, None, "nested too deeply to read")])
    except (FieldError, AmbiguousEntityError) as exc:
        # A name several entities share, met outside a parser's own record checks (a news story's actors):
        # the file is refused with the candidates named, as every face refuses that name.
        field_name, message = (exc.field, exc.message) if isinstance(exc, FieldError) else (None, str(exc))
        return fmt, ParseResult(rejects=[Reject(str(path), None, field_name, message)])


def _safe_detect(path: Path) -> InputFormat | None:
    """The format of a regular file; None for anything else (parse_path then says why)."""
    if not path.is_file():
        return None
    try:
        return detect_format(path)
    except (RecordTooLarge, csv.Error, UnicodeDecodeError, RecursionError):
        return None


# -- reading a file as units -------------------------------------------------------------------

def _streamed_units(path: Path, fmt: InputFormat, ctx: LoadContext) -> Iterator[Unit] | None:
    """A record-at-a-time reader for the formats that have one (big tables and JSON Lines), else None."""
    if fmt.name == "statements-table":
        return statement_units(path, ctx)
    if fmt.name == "claim-document" and fmt.parse is parse_documents:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            return jsonl_document_units(path, ctx)
        return document_units(path, ctx)
    return None


def _file_error(path: Path, exc: BaseException) -> Reject:
    """The reject for a reader that had to stop (the same messages as :func:`parse_path`)."""
    name = str(path)
    if isinstance(exc, RecordTooLarge):
        return Reject(name, exc.line, exc.field, exc.message)
    if isinstance(exc, csv.Error):
        return Reject(name, None, None, f"unreadable CSV: {exc}")
    if isinstance(exc, UnicodeDecodeError):
        return Reject(name, None, None, decoding_problem(path, exc))
    if isinstance(exc, RecursionError):
        return Reject(name, None, None, "nested too deeply to read")
    if isinstance(exc, FieldError):
        return Reject(name, None, exc.field, exc.message)
    return Reject(name, None, None, str(exc))


_READ_ERRORS = (RecordTooLarge, csv.Error, UnicodeDecodeError, RecursionError, FieldError, AmbiguousEntityError)


def _guarded(path: Path, units: Iterator[Unit]) -> Iterator[Unit]:
    """Units until the reader stops on an unreadable record; that record ends the file as one reject."""
    try:
        yield from units
    except _READ_ERRORS as exc:
        reject = _file_error(path, exc)
        yield Unit([reject.line], rejects=[reject])


# -- staging: a file's N-Quads in chunks on disk, written once the whole file has passed (or as they pass) ----

#: Claims per chunk: the N-Quads of one chunk (about 17 quads a claim) are one write. Peak memory follows the
#: chunk (Oxigraph's bulk loader buffers one call's data): 5,000 claims keep a load near 300 MB whatever the file.
def _chunk_setting() -> int:
    """``DETENTE_LOAD_CHUNK``: claims per staged chunk; 0 when it is no whole number from 1 (refused when loading)."""
    text = os.environ.get("DETENTE_LOAD_CHUNK", "5000").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 and int(text) > 0 else 0


CHUNK_CLAIMS = _chunk_setting()
#: A fresh import (Oxigraph's bulk loader) writes each distinct fact of a file once, after its claims.
FACTS_ONCE = True


@dataclass
class _Chunk:
    nquads: Path
    claims: Path
    complete: bool = True


class _Staging:
    """A file's claims serialised to N-Quads chunk files in a private temporary folder, and their claim IRIs."""

    def __init__(self, facts: URIRef | None,
                 check: Callable[[str, list[Claim], dict[URIRef, int | None]], None] | None = None,
                 summary: FreshImport | None = None, *,
                 staged: Callable[[_Chunk, list[URIRef]], None] | None = None, distinct_facts: bool = False) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="detente-load-"))
        # A fresh import's facts view: each distinct fact of the file written once, after its claims, from the
        # statements its summary numbers (FreshImport.file_facts) instead of a line per claim in every chunk.
        self.facts_apart = distinct_facts and check is None and summary is not None
        self.facts = facts
        self.check = check  # called with each chunk's text, claims and their lines (the full SHACL check)
        self.summary = summary  # a fresh import's summary, fed the claims as they are staged
        self.staged = staged  # called with each chunk and its claims once it is staged (written while reading)
        self.handed_over = False  # the chunks belong to the loader's writer thread, which removes them
        self.chunks: list[_Chunk] = []
        self.pending: list[Claim] = []
        self.origins: dict[URIRef, int | None] = {}
        self.claims = 0
        self.quads = 0

    def add(self, claims: Sequence[Claim], line: int | None) -> None:
        self.pending.extend(claims)
        if self.check is not None:
            self.origins.update((c.iri, line) for c in claims)
        if len(self.pending) >= CHUNK_CLAIMS:
            self.flush()

    def flush(self, extra: str = "", complete: bool = True) -> None:
        if not self.pending and not extra:
            return
        if not complete and self.summary is not None:
            self.summary.give_up()
        text = claims_nquads(self.pending, facts=self.facts, claim_facts=not self.facts_apart) + extra
        statements = self.add_to_summary(self.pending)  # the claims of this text, as it describes their sources
        if self.check is not None:
            self.check(text, self.pending, self.origins)
            self.origins = {}
        iris = [c.iri for c in self.pending]
        self._stage(text, iris, complete)
        self.claims += len(self.pending)
        if self.facts_apart:
            self.quads += statements  # their facts lines, counted as the lines they are in the plain text
        self.pending = []

    def add_to_summary(self, claims: list[Claim]) -> int:
        """:meth:`FreshImport.add <detente.graph.summary_import.FreshImport.add>`; 0 without a summary.

        Its files (the terms' texts, the rows) are beside the chunks: a full disk there is a staging error too.
        """
        if self.summary is None:
            return 0
        try:
            return self.summary.add(claims)
        except OSError as exc:
            raise self._staging_error(exc) from exc

    def flush_facts(self) -> None:
        """After the file's last chunk: its distinct facts (kept apart, see :attr:`facts_apart`), as chunks."""
        if not self.facts_apart or self.summary is None:
            return
        # About a chunk of claims' worth of lines each.
        texts = self.summary.file_facts(line_end(self.facts), CHUNK_CLAIMS * 16)
        while True:
            try:
                text = next(texts)
            except StopIteration:
                break
            except OSError as exc:
                raise self._staging_error(exc) from exc
            self._stage(text, [], True)
            self.quads -= text.count("\n")  # counted with their claims already

    def _staging_error(self, exc: OSError) -> StoreError:
        """A full disk (or a file-size limit) where the load stages its chunks."""
        return StoreError(f"cannot stage the load in {self.folder}: {exc.strerror or exc}; "
                          f"nothing of this write was committed to the store")

    def _stage(self, text: str, iris: list[URIRef], complete: bool) -> None:
        """One chunk file (its text and its claims), handed to ``staged``."""
        number = len(self.chunks) + 1
        chunk = _Chunk(self.folder / f"{number:05}.nq", self.folder / f"{number:05}.claims", complete)
        try:
            chunk.nquads.write_text(text, encoding="utf-8")
            chunk.claims.write_text("\n".join([*iris, ""]), encoding="utf-8")  # an IRI a line
        except OSError as exc:
            raise self._staging_error(exc) from exc
        self.quads += text.count("\n")
        self.chunks.append(chunk)
        if self.staged is not None:
            self.staged(chunk, iris)

    def discard(self) -> None:
        """Remove the staged chunks; a summary not told the file was written forgets its claims."""
        if not self.handed_over:
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.summary is not None:
            self.summary.discard()


def _chunk_iris(chunk: _Chunk) -> list[URIRef]:
    return [URIRef(line) for line in chunk.claims.read_text(encoding="utf-8").splitlines() if line]


# -- the journal: what a crash in the middle of a file's chunked write leaves ----------------------------

JOURNAL_NAME = "detente-load-journal.jsonl"
#: The dump of a store that held no claims, taken before a file is written into it while it is read.
BEFORE_NAME = "detente-load-before.nq"


class Journal:
    """The claims each chunk of an unfinished file added, kept beside an on-disk store until the load ends.

    A file of several chunks is written in several transactions. Before a
    chunk is written, the claims it adds (those not already in the store) are
    appended to ``detente-load-journal.jsonl`` in the store's folder and
    flushed to disk; when the file's last chunk is written its ``done`` line
    follows; when the load ends the journal is removed. A crash (kill -9,
    power loss) in between leaves the journal: :func:`recover` (run by the
    next ``detente load`` of that store) removes the claims of every file
    without a ``done`` line, so the store holds whole files only. Sources and
    entity descriptions those chunks wrote stay (they are shared and
    harmless); the summary, marked stale by the write, is rebuilt.

    A file written while it is read (into a store that held no claims) has a
    ``before`` line first, naming the store's dump taken just before
    (:func:`detente.graph.writes.save_point`, ``detente-load-before.nq``):
    :func:`recover` puts that back instead, so nothing of the file is left,
    its sources and entity descriptions included.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / JOURNAL_NAME
        self.before = folder / BEFORE_NAME
        self.handle = self.path.open("a", encoding="utf-8")
        self.keep = False  # a file could not be taken back: the journal stays, for recover() at the next load

    def _append(self, entry: dict[str, object]) -> None:
        self.handle.write(json.dumps(entry) + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def chunk(self, file: str, new_claims: Iterable[URIRef]) -> None:
        self._append({"file": file, "new": [str(i) for i in new_claims]})

    def save_point(self, file: str, store: Store) -> SavePoint:
        """Dump the store before ``file`` is written (the dump first, then the line that names it)."""
        point = save_point(store, self.before)
        self._append({"file": file, "before": str(self.before)})
        return point

    def done(self, file: str) -> None:
        self._append({"file": file, "done": True})

    def close(self) -> None:
        self.handle.close()
        if not self.keep:
            self.path.unlink(missing_ok=True)
            self.before.unlink(missing_ok=True)


def _journal_folder(store: Store) -> Path | None:
    path = getattr(store, "path", None)
    return Path(path) if path is not None and not getattr(store, "read_only", False) else None


def recover(store: Store) -> list[str]:
    """Undo the unfinished file of a load that crashed (see :class:`Journal`); returns what was done, for the user.

    >>> from detente.graph.store import open_store
    >>> recover(open_store("memory:"))
    []
    """
    folder = _journal_folder(store)
    journal = folder / JOURNAL_NAME if folder is not None else None
    if journal is None or not journal.exists():
        return []
    added: dict[str, list[URIRef]] = {}
    before: dict[str, Path] = {}
    finished: set[str] = set()
    for raw in journal.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(raw)
        except json.JSONDecodeError:  # a line cut by the crash: its chunk was not written yet
            continue
        if entry.get("done"):
            finished.add(entry["file"])
        elif entry.get("before"):
            before[entry["file"]] = Path(entry["before"])
        else:
            added.setdefault(entry["file"], []).extend(URIRef(i) for i in entry.get("new", []))
    messages = []
    for file, dump in before.items():
        if file in finished or not dump.exists():  # (a dump removed by hand: the claims are removed instead)
            continue
        # The file was being written while read, into a store without claims: the store goes back to its dump.
        roll_back(store, SavePoint(dump, None))
        added.pop(file, None)
        messages.append(f"an earlier load of {file} was interrupted: the store was put back as it was before "
                        "that file (load the file again)")
    for file, claims in added.items():
        if file in finished:
            continue
        removed = remove_claims(store, claims)
        messages.append(f"an earlier load of {file} was interrupted: its {removed} claim(s) already written were "
                        "removed (load the file again)")
    journal.unlink()
    assert folder is not None
    (folder / BEFORE_NAME).unlink(missing_ok=True)
    return messages


# -- writing a fresh import on a thread of its own ------------------------------------------------------

#: Tasks the loader's writer thread may have waiting: about forty chunks (a chunk is three tasks), a few MB of
#: claim IRIs. Fewer (four chunks) held the reading back enough to cost 10% of a 1M-row CSV load: the summary's
#: work then overlaps less of the data's writing.
WRITER_BACKLOG = 120


class _Writer:
    """Runs a fresh import's bulk writes in order on one thread, so that Python work goes on meanwhile.

    Oxigraph's bulk loader releases the interpreter while it works: the
    summary of the import (:class:`~detente.graph.summary_import.FreshImport`)
    is computed while the last file's data are written. The first error stops
    the writes that follow and is raised by the next :meth:`submit` or
    :meth:`wait`.
    """

    def __init__(self) -> None:
        # Bounded: when the engine writes slower than the file is read, reading waits, so the chunks in
        # flight (and the claim IRIs their tasks hold) stay at most WRITER_BACKLOG tasks, whatever the file's size.
        self.tasks: queue.Queue[Callable[[], object] | None] = queue.Queue(maxsize=WRITER_BACKLOG)
        self.error: BaseException | None = None
        self.folders: list[Path] = []  # staged chunks it was handed, removed when it closes
        self.thread = threading.Thread(target=self._run, name="detente-load-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            task = self.tasks.get()
            try:
                if task is None:
                    return
                if self.error is None:
                    task()
            except BaseException as exc:  # handed to the loading thread
                self.error = exc
            finally:
                self.tasks.task_done()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def submit(self, task: Callable[[], object]) -> None:
        self._raise()
        self.tasks.put(task)

    def wait(self) -> None:
        self.tasks.join()
        self._raise()

    def cancel(self) -> BaseException | None:
        """Drop the tasks not started, wait for the one under way; return the error that stopped it, if any.

        The writer is then ready for new tasks (a file taken back, the next one read).
        """
        while True:
            try:
                self.tasks.get_nowait()
            except queue.Empty:
                break
            self.tasks.task_done()
        self.tasks.join()
        error, self.error = self.error, None
        return error

    def close(self) -> None:
        self.tasks.put(None)
        self.thread.join()
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)


# -- loading -------------------------------------------------------------------------------------------

class RejectsFile:
    """Rejected rows as CSV (file, line, field, message, record), written as they come."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.handle: IO[str] | None = None
        self.writer: Any = None
        self._open_files = contextlib.ExitStack()  # the CSV file stays open across writes, until close()

    def check(self, inputs: Sequence[Path]) -> None:
        """Refuse, before anything is loaded, a rejects path that is one of the ``inputs`` or cannot be written."""
        if self.path is None:
            return
        path = Path(self.path)
        if any(path.resolve() == Path(file).resolve() for file in inputs):
            raise UsageError(f"the rejects file {path} is one of the files to load: it would be overwritten before "
                             "it is read; name another --rejects")
        if path.is_dir():
            raise UsageError(f"the rejects file {path} is a folder; name a file (--rejects)")
        folder = path.parent
        writable = os.access(path, os.W_OK) if path.exists() else folder.is_dir() and os.access(folder, os.W_OK)
        if not writable:
            raise UsageError(f"cannot write the rejects file {path}: "
                             + ("it is read-only" if path.exists() else f"no writable folder {folder}"))

    def write(self, rejects: Sequence[Reject]) -> None:
        if self.path is None or not rejects:
            return
        if self.handle is None:
            try:
                self.handle = self._open_files.enter_context(_csv_for_writing(Path(self.path)))
            except OSError as exc:
                raise UsageError(f"cannot write the rejects file {self.path}: {exc.strerror or exc}") from None
            self.writer = csv.writer(self.handle)
            self.writer.writerow(["file", "line", "field", "message", "record"])
        for r in rejects:
            self.writer.writerow([r.file, "" if r.line is None else r.line, r.field or "", r.message, r.record])

    def close(self) -> None:
        self._open_files.close()


def _csv_for_writing(path: Path) -> IO[str]:
    return path.open("w", encoding="utf-8", newline="")


@fewer_collections()  # a load allocates millions of short-lived objects beside a chunk of live claims
def load_paths(store: Store | None, paths: Sequence[str | Path], *, skip_invalid: bool = False,
               rejects_path: Path | None = None, shacl: bool = True, full_shacl: bool = False,
               options: LoadOptions | None = None, registry: EntityRegistry | None = None,
               progress: Callable[[str, int, int], None] | None = None,
               rows: Callable[[int], None] | None = None,
               sink: Callable[[Sequence[URIRef], str, bool], int] | None = None,
               notices: list[str] | None = None, reference: Store | None = None) -> list[FileReport]:
    """Load files into ``store`` (or only validate them when ``store`` is None).

    Each file is read a record at a time and checked (the parsers' own
    checks and the SHACL shapes compiled per record, see
    :mod:`detente.loaders.shapes`; ``full_shacl`` also runs pySHACL on each
    chunk), its N-Quads staged on disk in chunks; only when the whole file has
    passed are the chunks written. So memory is bounded by a chunk, not by the
    file, and a bad file writes nothing. Into an on-disk store that holds no
    claims yet (a fresh import, Oxigraph's bulk loader), each chunk is written
    as soon as it has passed, while the rest of the file is read, and a file
    that fails is taken back whole from a dump of the store taken before it
    (:class:`_WhileRead`): a bad file still leaves the store as it was.

    Without ``skip_invalid`` the first bad record stops at once: reading ends
    there, :class:`LoadError` names it (file, line, field), nothing of that
    file is written, files before it stay written, and the error lists the
    later files that were not loaded. With ``skip_invalid`` every row is loaded
    or written to ``rejects_path`` (CSV) with its reason, a row of a claim
    whose other row failed as ``sibling of line N rejected: …``; each report
    counts rows read = loaded + rejected.

    A file of one chunk is one transaction. A bigger one is several, recorded
    in a :class:`Journal` beside an on-disk store, so a crash in the middle is
    undone by :func:`recover` at the next load (``notices`` receives what it
    did). A fresh on-disk store (no claims yet) is filled with Oxigraph's bulk
    loader.

    ``sink(claim_iris, nquads, complete)`` writes a file's N-Quads instead of
    ``store`` and returns how many claims were new: a running server's writer
    takes them in one transaction (``store`` is then a read-only snapshot, for
    the entity registry). ``complete`` says that ``claim_iris`` names every
    claim graph the text writes (see :func:`detente.graph.writes.add_claims_nquads`).

    Writes go through :mod:`detente.graph.writes`; the summary is brought up
    to date once, after the last file (:func:`detente.graph.writes.bulk`).
    ``progress(path, number, total)`` is called per file, ``rows(n)`` with the
    rows read so far in the current file. ``reference`` is a store the checks
    read when validating only (``store`` None): the sources it dates already.
    """
    if CHUNK_CLAIMS < 1:
        raise UsageError(f"DETENTE_LOAD_CHUNK must be a whole number from 1 (claims per chunk), got "
                         f"{os.environ.get('DETENTE_LOAD_CHUNK')!r}")
    files = expand_paths(paths)
    rejects_file = RejectsFile(rejects_path if skip_invalid else None)
    rejects_file.check(files)  # before anything is read or written
    return_large_blocks()  # a load's chunk texts, once freed, go back to the system
    registry = registry or EntityRegistry()
    target = store if sink is None else None  # the store this load writes to, if any
    if target is not None:
        recovered = recover(target)
        if notices is not None:
            notices.extend(recovered)
    if store is not None:
        registry.load_store(store)
        index_store_roles(registry, store)
    # Facts are written under the label the store reads as its facts view, so it takes the text as it is.
    facts = store.facts_label if store is not None else FACTS_GRAPH
    # Without skip_invalid a file is refused whole at its first reject: its parser may stop reading there.
    ctx = LoadContext(registry, options or LoadOptions(), facts_label=facts, store=store, fail_fast=not skip_invalid)
    detected = [(p, _safe_detect(p)) for p in files]
    # Entity files first, so claim files can name what they declare.
    ordered = [(p, f) for p, f in detected if f is not None and f.entities] + \
              [(p, f) for p, f in detected if f is None or not f.entities]
    reports: list[FileReport] = []
    journal_folder = _journal_folder(target) if target is not None else None
    fresh = (target is not None and hasattr(target, "bulk_add_nquads") and journal_folder is not None
             and not _has_claims(target))
    journal = Journal(journal_folder) if journal_folder is not None else None
    # A fresh import's summary comes from the claims it writes, not from a rebuild over the store.
    fresh_summary = FreshImport() if fresh and target is not None and target.maintains_summary else None
    writer = _Writer() if fresh_summary is not None else None
    counted_links: set[URIRef] = set()  # the registry's link claims the fresh import's summary counts already
    # One date per source (the shapes' bound), over every file of the load and what the store holds.
    source_dates = SourceDates(store if store is not None else reference) if shacl else None
    loading: Path | None = None  # the file under way, for a Ctrl-C's message
    try:
        if fresh_summary is not None and writer is not None and target is not None:
            fresh_summary.know_store(target)
            fresh_summary.submit, fresh_summary.wait = writer.submit, writer.wait
        with bulk(target) if target is not None else _nothing():
            for number, (path, detected_format) in enumerate(ordered, start=1):
                loading = path
                if writer is not None:
                    writer.wait()  # the previous file is in the store before this one is read
                if progress:
                    progress(str(path), number, len(ordered))
                try:
                    report = _load_file(store, path, detected_format, ctx, registry, facts=facts,
                                        skip_invalid=skip_invalid, shacl=shacl, full_shacl=full_shacl,
                                        rejects_file=rejects_file, rows=rows, sink=sink, journal=journal,
                                        fresh=fresh, fresh_summary=fresh_summary, writer=writer,
                                        counted_links=counted_links, source_dates=source_dates)
                except LoadError as error:
                    later = [str(p) for p, _ in ordered[number:]]
                    if later:
                        error.not_loaded(later)
                    raise
                reports.append(report)
                loading = None
    except KeyboardInterrupt:
        # Said once the writer has finished what it was handed (``finally`` below waits for it): the files
        # before ``loading`` are whole in the store.
        raise LoadStoppedError(_stopped_note(loading, len(reports), target is not None)) from None
    finally:
        rejects_file.close()
        if writer is not None:
            writer.close()
        if journal is not None:
            journal.close()
        if fresh_summary is not None:
            fresh_summary.close()
    return reports


def _stopped_note(loading: Path | None, done: int, writes: bool) -> str:
    """What a Ctrl-C during :func:`load_paths` left, for its message."""
    if not writes:
        return f"stopped (Ctrl-C) while checking {loading}" if loading is not None else "stopped (Ctrl-C)"
    if loading is None:
        return (f"stopped (Ctrl-C) after the last file was written: all {done} file(s) are loaded; the summary "
                "graph is marked stale and is rebuilt before it is next read")
    return (f"stopped (Ctrl-C) while loading {loading}; the {done} file(s) before it are loaded. Run the same "
            "command again: a file loaded twice adds nothing")


def _has_claims(store: Store) -> bool:
    return store.query(f"ASK {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?claim a dt:Claim }} }}").boolean is True


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _load_file(store: Store | None, path: Path, detected_format: InputFormat | None, ctx: LoadContext,
               registry: EntityRegistry, *, facts: URIRef | None, skip_invalid: bool, shacl: bool, full_shacl: bool,
               rejects_file: RejectsFile, rows: Callable[[int], None] | None,
               sink: Callable[[Sequence[URIRef], str, bool], int] | None, journal: Journal | None,
               fresh: bool, fresh_summary: FreshImport | None = None, writer: _Writer | None = None,
               counted_links: set[URIRef] | None = None, source_dates: SourceDates | None = None) -> FileReport:
    """Check one file record by record into staged chunks; then write them (when the whole file passed)."""
    fmt = detected_format
    streamed = _streamed_units(path, fmt, ctx) if fmt is not None and path.is_file() else None
    result: ParseResult | None = None
    if streamed is None:
        fmt, result = parse_path(path, ctx, fmt)
        if result.rejects and not skip_invalid:  # a parser told to fail fast stopped at its first problem
            raise LoadError(result.rejects, first_only=ctx.fail_fast)
        units: Iterator[Unit] = result_units(result)
    else:
        units = _guarded(path, streamed)
    report = FileReport(str(path), fmt.name if fmt else "unknown")
    checker = ShapeChecker(registry) if shacl else None
    dates = source_dates.file(str(path)) if source_dates is not None else None
    # Into a store without claims, a file's chunks are written as they pass, while the rest is read: a bad
    # record (or any error) then puts the store back as it was (see _WhileRead).
    overlap = (_WhileRead.start(store, path, journal, writer, fresh_summary)
               if store is not None and sink is None and fresh and not full_shacl else None)
    # A fresh import writes each distinct fact once (the bulk loader would merge the repeats itself).
    distinct_facts = store is not None and sink is None and fresh and FACTS_ONCE
    staging = _staging(path, report, facts, full_shacl, registry, fresh_summary, overlap, distinct_facts)
    try:
        try:
            _check_units(path, units, report, staging, checker, dates, skip_invalid=skip_invalid, rows=rows)
        except RestartFile:
            # The rows of a claim are not together: what was read holds partial claims and counts for nothing.
            staging.discard()
            if dates is not None:
                dates.forget()
            if overlap is not None:
                overlap.take_back()
            report = FileReport(str(path), report.format)
            staging = _staging(path, report, facts, full_shacl, registry, fresh_summary, overlap, distinct_facts)
            _check_units(path, _guarded(path, sorted_statement_units(path, ctx)), report, staging, checker, dates,
                         skip_invalid=skip_invalid, rows=rows)
        rejects_file.write(report.rejects)
        if result is not None:
            # A whole-file loader counts records that made no claim (and no reject) too: they are loaded rows.
            report.loaded += max(0, result.records - report.records)
            report.records = max(result.records, report.records)
        if rows is not None:
            rows(report.records)
        entity_text = quads_nquads(registry.used_quads(), facts=facts)
        extra = entity_text + (result.raw_quads + result.link_quads if result is not None else "")
        # The entity text holds claims of its own (states' Wikidata ids, written again by every file): a fresh
        # import's summary counts each once.
        links = [c for c in registry.used_link_claims() if c.iri not in (counted_links or ())] \
            if fresh_summary is not None and (store is not None or sink is not None) else []
        if links:
            staging.add_to_summary(links)
        # Passed-through N-Quads may write claim graphs the loader did not make: then the summary is rebuilt.
        staging.flush(extra, complete=not (result is not None and result.raw_quads))
        staging.flush_facts()
        report.quads = staging.quads
        if store is None and sink is None:
            return report
        if overlap is not None:
            if staging.chunks:
                if fresh_summary is not None:
                    fresh_summary.writing()
                report.new_claims = overlap.finish(staging)
                report.written = True
        elif staging.chunks and (staging.claims or extra):
            if fresh_summary is not None:
                fresh_summary.writing()
            report.new_claims = _write_staged(store, path, staging, sink=sink, journal=journal, fresh=fresh,
                                              fresh_summary=fresh_summary, writer=writer)
            report.written = True
        if fresh_summary is not None:
            fresh_summary.commit()
            if counted_links is not None:
                counted_links.update(c.iri for c in links)
        return report
    except BaseException:
        if overlap is not None:
            overlap.take_back()
        raise
    finally:
        staging.discard()


def _staging(path: Path, report: FileReport, facts: URIRef | None, full_shacl: bool,
             registry: EntityRegistry, fresh_summary: FreshImport | None = None,
             overlap: _WhileRead | None = None, distinct_facts: bool = False) -> _Staging:
    """A file's staging, its rejects into the report.

    With ``full_shacl`` each chunk also goes through pySHACL (with the descriptions of the entities named so
    far, for ``sh:class``). With ``overlap`` each chunk is written as soon as it is staged. With
    ``distinct_facts`` the claims' facts view is staged apart and each distinct fact written once, last.
    """
    def check(text: str, claims: list[Claim], origins: dict[URIRef, int | None]) -> None:
        entities = quads_nquads(registry.used_quads(), facts=facts)
        report.rejects.extend(_shacl_rejects(path, ParseResult(claims=claims, origins=origins), text + entities))

    staging = _Staging(facts, check if full_shacl else None, fresh_summary,
                       staged=overlap.write if overlap is not None else None, distinct_facts=distinct_facts)
    if overlap is not None:
        overlap.hand_over(staging)
    return staging


#: Most quads a store without claims may hold for a file to be written while it is read: the store's dump
#: (taken before, put back at once if the file fails) stays small, and so does its putting back (one transaction).
SAVE_POINT_QUADS = 200_000


class _WhileRead:
    """A file written chunk by chunk while it is still being read and checked, taken back whole if it fails.

    For a fresh import (an on-disk store holding no claims yet, filled by
    Oxigraph's bulk loader on the loader's writer thread): checking the
    records (Python, one core) and the bulk writes (Oxigraph, which releases
    the interpreter) then go on at the same time, instead of one after the
    other. The bulk writes are no transaction, so before the file's first
    write the store is dumped (:meth:`Journal.save_point`: it holds no claims,
    the dump is small); when the file fails (a bad record without
    ``--skip-invalid``, an unreadable line, a full disk), :meth:`take_back`
    stops the writes that are queued and puts the store back from the dump
    (Oxigraph clears a store at once, whatever it holds), so a bad file
    writes nothing. A crash in between leaves the journal's ``before`` line,
    and :func:`recover` does the same at the next load.
    """

    def __init__(self, store: Store, path: Path, journal: Journal, writer: _Writer, point: SavePoint,
                 fresh_summary: FreshImport | None) -> None:
        self.store, self.path, self.journal, self.writer, self.point = store, path, journal, writer, point
        self.fresh_summary = fresh_summary
        self.new = 0  # claims written (a fresh store: every claim is new)

    @classmethod
    def start(cls, store: Store, path: Path, journal: Journal | None, writer: _Writer | None,
              fresh_summary: FreshImport | None) -> _WhileRead | None:
        """The overlap for ``path``, when the store holds no claims and few quads (else None: staged, then written)."""
        if journal is None or writer is None or _has_claims(store) or store.count_quads() > SAVE_POINT_QUADS:
            return None
        return cls(store, path, journal, writer, journal.save_point(str(path), store), fresh_summary)

    def hand_over(self, staging: _Staging) -> None:
        """The staged chunks are the writer's: it reads them when it writes them, and removes them."""
        staging.handed_over = True
        self.writer.folders.append(staging.folder)

    def write(self, chunk: _Chunk, iris: list[URIRef]) -> None:
        """Queue a staged chunk's write (after its journal line), then its removal."""
        self.writer.submit(functools.partial(self.journal.chunk, str(self.path), iris))
        import_nquads(self.store, iris, chunk.nquads, fresh=self.fresh_summary, submit=self.writer.submit)
        self.writer.submit(functools.partial(_remove_chunk, chunk))
        self.new += len(set(iris))

    def finish(self, staging: _Staging) -> int:
        """The whole file passed: its ``done`` line follows its last write. Returns the claims written."""
        self.writer.submit(functools.partial(self.journal.done, str(self.path)))
        self.writer.submit(functools.partial(shutil.rmtree, staging.folder, ignore_errors=True))
        return self.new

    def take_back(self) -> None:
        """Stop the queued writes and put the store back as it was before the file (its summary graph too)."""
        self.writer.cancel()  # an error of the writes is not raised here: the store is put back all the same
        try:
            roll_back(self.store, self.point)
        except BaseException:
            self.journal.keep = True  # the next load's recover() tries again from the same dump
            raise
        self.new = 0


def _remove_chunk(chunk: _Chunk) -> None:
    chunk.nquads.unlink(missing_ok=True)
    chunk.claims.unlink(missing_ok=True)


def _check_units(path: Path, units: Iterable[Unit], report: FileReport, staging: _Staging,
                 checker: ShapeChecker | None, dates: FileDates | None, *, skip_invalid: bool,
                 rows: Callable[[int], None] | None) -> None:
    """Check each unit (its records, then its sources' dates against those given before), count its rows, stage it.

    The first bad one raises :class:`LoadError` unless ``skip_invalid`` (then its rows go to the report's
    rejects).
    """
    name = str(path)
    checked = (checker.check(name, unit) if checker is not None and not unit.rejects else unit for unit in units)
    for unit in dates.screen(checked) if dates is not None else checked:
        report.records += len(unit.lines)
        if rows is not None and report.records % 1000 < len(unit.lines):
            rows(report.records)
        if unit.rejects:
            if not skip_invalid:
                report.rejects = unit.own_rejects()
                raise LoadError(report.rejects, first_only=True)
            report.rejects.extend(unit.rejects)
            report.rejected += len(unit.lines)
            continue
        report.loaded += len(unit.lines)
        report.claims += len(unit.claims)
        staging.add(unit.claims, unit.lines[0])


def _write_staged(store: Store | None, path: Path, staging: _Staging, *,
                  sink: Callable[[Sequence[URIRef], str, bool], int] | None, journal: Journal | None,
                  fresh: bool, fresh_summary: FreshImport | None = None, writer: _Writer | None = None) -> int:
    """Write a checked file's chunks; returns how many claims were new."""
    complete = all(chunk.complete for chunk in staging.chunks)
    if sink is not None:
        # A running server applies one file in one transaction (it spools what it receives to disk).
        iris = [iri for chunk in staging.chunks for iri in _chunk_iris(chunk)]
        text = "".join(chunk.nquads.read_text(encoding="utf-8") for chunk in staging.chunks)
        return sink(iris, text, complete)
    assert store is not None
    new = 0
    if fresh and writer is not None:
        # The writer reads each chunk from disk as it writes it, after this file's reading has ended: the summary
        # of the import is computed meanwhile. It removes the staged chunks (even after an error).
        staging.handed_over = True
        writer.folders.append(staging.folder)
    journalled = journal is not None and len(staging.chunks) > 1
    added_so_far: list[URIRef] = []  # the claims this file's chunks add, the chunk being written included
    try:
        for chunk in staging.chunks:
            iris = _chunk_iris(chunk)
            data: str | Path = (chunk.nquads if fresh and writer is not None
                                else chunk.nquads.read_text(encoding="utf-8"))
            # The claims the chunk adds. The files before this one are in the store (the writer is waited for
            # before a file is read): a later file of a fresh import neither counts nor journals theirs again.
            known = known_claims(store, iris) if fresh or journalled else set()
            added = [iri for iri in iris if iri not in known] if fresh or journalled else []
            if journal is not None and journalled:
                if fresh and writer is not None:  # just before the chunk is written, as without the thread
                    writer.submit(functools.partial(journal.chunk, str(path), added))
                else:
                    journal.chunk(str(path), added)
                added_so_far += added
            if fresh:
                new += len(set(added))
                import_nquads(store, iris, data, fresh=fresh_summary, submit=writer.submit if writer else None)
            else:
                new += add_claims_nquads(store, iris, cast(str, data), complete=chunk.complete and complete)
    except BaseException as stopped:  # an error or Ctrl-C between two chunks: the file is taken back whole
        if fresh and writer is not None:
            writer.cancel()  # the chunks queued are dropped; the one under way is finished first
        if added_so_far and journal is not None:
            _take_back_chunks(store, path, journal, added_so_far, stopped)
        raise
    if journal is not None and journalled:
        if fresh and writer is not None:
            writer.submit(functools.partial(journal.done, str(path)))  # once the chunks before it are written
        else:
            journal.done(str(path))
    if fresh and writer is not None:
        writer.submit(functools.partial(shutil.rmtree, staging.folder, ignore_errors=True))
    return new


def _take_back_chunks(store: Store, path: Path, journal: Journal, added: list[URIRef], stopped: BaseException) -> None:
    """Remove the claims the chunks of ``path`` written so far added (a write failed, or the user stopped it).

    If that fails too (the disk that filled up), the journal stays: the next
    load's :func:`recover` removes them. Either way the user is told: a
    Ctrl-C becomes :class:`~detente.errors.LoadStoppedError`, a detente error
    or an ``OSError`` is raised again with the note; anything else (a bug) is
    raised as it was by the caller.
    """
    try:
        removed = remove_claims(store, added)
    except BaseException:
        journal.keep = True
        note = (f"{path} was cut short after some of its chunks were written; they could not be removed now, and "
                "the next 'detente load' of this store removes them (then load the file again)")
    else:
        note = (f"{path} was cut short after some of its chunks were written: their {removed} claim(s) were removed "
                "(the sources and entity descriptions they named stay); load the file again")
    if isinstance(stopped, KeyboardInterrupt):
        raise LoadStoppedError(note) from None
    if isinstance(stopped, (DetenteError, OSError)):
        try:
            told = type(stopped)(f"{stopped}; {note}") if isinstance(stopped, DetenteError) else None
        except TypeError:  # an error class with other arguments
            told = None
        raise (told or StoreError(f"{stopped}; {note}")) from stopped


def write_rejects(path: Path, rejects: Sequence[Reject]) -> None:
    """Rejected records as CSV: file, line, field, message, record."""
    out = RejectsFile(path)
    out.write(rejects)
    out.close()
