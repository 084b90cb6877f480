"""Loading files into a store: detect the format, parse, validate, write one transaction per file.

>>> from detente.graph.store import open_store
>>> store = open_store("memory:")
>>> reports = load_paths(store, [])
>>> reports
[]
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, URIRef

from detente.errors import AmbiguousEntityError
from detente.graph.claims import claims_nquads, quads_nquads
from detente.graph.store import Store
from detente.graph.writes import add_claims_nquads, bulk
from detente.loaders.base import (
    FieldError,
    LoadContext,
    LoadError,
    LoadOptions,
    ParseResult,
    RecordTooLarge,
    Reject,
)
from detente.loaders.documents import parse_documents, read_documents
from detente.loaders.entities import entities_result, is_entities_document, is_entities_header
from detente.loaders.gdelt import is_gdelt_export, parse_gdelt
from detente.loaders.linking import index_store_roles
from detente.loaders.news import is_news_text, parse_news
from detente.loaders.rdf import parse_rdf, rdf_format_of
from detente.loaders.registry import EntityRegistry
from detente.loaders.statements import is_statements_header, parse_statements
from detente.loaders.ucdp import is_ucdp_header, parse_ucdp
from detente.ontology.vocab import FACTS_GRAPH


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

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "format": self.format, "records": self.records, "claims": self.claims,
                "new_claims": self.new_claims, "quads": self.quads, "written": self.written,
                "rejects": [r.__dict__ for r in self.rejects]}


def _shacl_rejects(path: Path, result: ParseResult, text: str) -> list[Reject]:
    """SHACL-validate a file's N-Quads (claims, entity descriptions, passthrough); map results back to lines."""
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
        path_name = str(res.path).split("#")[-1].split("/")[-1] if res.path is not None else None
        rejects.append(Reject(str(path), by_node.get(str(res.focus_node)), path_name,
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
            return None, ParseResult(rejects=[Reject(str(path), None, None,
                                                     f"unknown input format ({path.suffix or 'no suffix'})")])
        return fmt, fmt.parse(path, ctx)
    except RecordTooLarge as exc:
        return fmt, ParseResult(rejects=[Reject(str(path), exc.line, exc.field, exc.message)])
    except csv.Error as exc:  # a field past the csv module's size limit, a NUL byte…
        return fmt, ParseResult(rejects=[Reject(str(path), None, None, f"unreadable CSV: {exc}")])
    except UnicodeDecodeError as exc:
        return fmt, ParseResult(rejects=[Reject(str(path), None, None,
                                                f"not UTF-8 text (byte {exc.start}: {exc.reason})")])
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


def load_paths(store: Store | None, paths: Sequence[str | Path], *, skip_invalid: bool = False,
               rejects_path: Path | None = None, shacl: bool = True, options: LoadOptions | None = None,
               registry: EntityRegistry | None = None,
               progress: Callable[[str, int, int], None] | None = None,
               sink: Callable[[Sequence[URIRef], str, bool], int] | None = None) -> list[FileReport]:
    """Load files into ``store`` (or only validate them when ``store`` is None).

    Each file is one transaction: if it has a bad record and ``skip_invalid``
    is off, :class:`LoadError` is raised and nothing of that file is written
    (files before it stay written). With ``skip_invalid`` the good records are
    written and the rejects go to ``rejects_path`` (CSV).

    ``sink(claim_iris, nquads, complete)`` writes a file's N-Quads instead of
    ``store`` and returns how many claims were new: a running server's writer
    takes them (``store`` is then a read-only snapshot, for the entity
    registry). ``complete`` says that ``claim_iris`` names every claim graph
    the text writes (see :func:`detente.graph.writes.add_claims_nquads`).

    Writes go through :mod:`detente.graph.writes`; the summary is brought up
    to date once, after the last file (:func:`detente.graph.writes.bulk`).
    """
    registry = registry or EntityRegistry()
    if store is not None:
        registry.load_store(store)
        index_store_roles(registry, store)
    # Facts are written under the label the store reads as its facts view, so it takes the text as it is.
    facts = store.facts_label if store is not None else FACTS_GRAPH
    ctx = LoadContext(registry, options or LoadOptions(), facts_label=facts, store=store)
    files = expand_paths(paths)
    detected = [(p, _safe_detect(p)) for p in files]
    # Entity files first, so claim files can name what they declare.
    ordered = [(p, f) for p, f in detected if f is not None and f.entities] + \
              [(p, f) for p, f in detected if f is None or not f.entities]
    reports: list[FileReport] = []
    all_rejects: list[Reject] = []
    with bulk(store) if store is not None and sink is None else _nothing():
        _load_files(store, ordered, ctx, registry, reports, all_rejects, facts=facts, skip_invalid=skip_invalid,
                    shacl=shacl, progress=progress, sink=sink)
    if rejects_path is not None and all_rejects:
        write_rejects(rejects_path, all_rejects)
    return reports


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _load_files(store: Store | None, ordered: list[tuple[Path, InputFormat | None]], ctx: LoadContext,
                registry: EntityRegistry, reports: list[FileReport], all_rejects: list[Reject], *,
                facts: URIRef | None, skip_invalid: bool, shacl: bool,
                progress: Callable[[str, int, int], None] | None,
                sink: Callable[[Sequence[URIRef], str, bool], int] | None) -> None:
    """Parse, validate and write each file (one transaction per file); the summary is refreshed by the caller's block."""
    for number, (path, detected_format) in enumerate(ordered, start=1):
        if progress:
            progress(str(path), number, len(ordered))
        fmt, result = parse_path(path, ctx, detected_format)
        report = FileReport(str(path), fmt.name if fmt else "unknown", records=result.records,
                            claims=len(result.claims))
        entity_text = quads_nquads(registry.used_quads(), facts=facts)
        text = claims_nquads(result.claims, facts=facts) + entity_text + result.raw_quads + result.link_quads
        rejects = list(result.rejects)
        if shacl:
            rejects.extend(_shacl_rejects(path, result, text))
        report.rejects = rejects
        reports.append(report)
        if rejects and not skip_invalid:
            raise LoadError(rejects)
        all_rejects.extend(rejects)
        if store is None and sink is None:
            continue
        if rejects:
            bad_lines = {r.line for r in rejects if r.line is not None}
            kept = [c for c in result.claims if result.origins.get(c.iri) not in bad_lines]
            if len(kept) != len(result.claims):
                result.claims = kept
                text = claims_nquads(kept, facts=facts) + entity_text + result.raw_quads + result.link_quads
        report.quads = text.count("\n")
        if text:
            iris = [c.iri for c in result.claims]
            # Passed-through N-Quads may write claim graphs the loader did not make: then the summary is rebuilt.
            complete = not result.raw_quads
            report.new_claims = sink(iris, text, complete) if sink is not None else \
                add_claims_nquads(store, iris, text, complete=complete)  # type: ignore[arg-type]
            report.written = True


def write_rejects(path: Path, rejects: Sequence[Reject]) -> None:
    """Rejected records as CSV: file, line, field, message, record."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["file", "line", "field", "message", "record"])
    for r in rejects:
        writer.writerow([r.file, "" if r.line is None else r.line, r.field or "", r.message, r.record])
    Path(path).write_text(buffer.getvalue(), encoding="utf-8")
