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
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from detente.graph.claims import Claim
from detente.graph.terms import Triple
from detente.loaders.base import (
    JSON_VALUE_RULES,
    LIMITS,
    FieldError,
    LoadContext,
    NotJson,
    ParseResult,
    Reject,
    bounded_lines,
    build_statement,
    check_file_size,
    check_values,
    curated,
    make_source,
    parse_confidence,
    read_json,
    speaker,
)


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers the line it started on."""

    line: int | None = None


class LineList(list):  # type: ignore[type-arg]
    """A sequence that remembers the line it started on."""

    line: int | None = None


class _LineLoader(yaml.SafeLoader):
    r"""PyYAML's safe loader, remembering lines, and refusing alias bombs, deep nesting and duplicate keys.

    Aliases (``*name``) reuse a node, so a few lines can stand for billions of
    values ("billion laughs"). The composed node graph is small, so its
    expanded size is counted before anything is built from it: aliases may add
    at most :attr:`InputLimits.alias_nodes` nodes, and collections nest at most
    :attr:`InputLimits.nesting` deep.

    Plain scalars are read as JSON reads them (YAML 1.2's JSON schema), never
    by YAML 1.1's guesses: ``true``/``false``, ``null``, decimal integers and
    numbers; everything else stays the text it is, for the loaders' value rules
    to check with file, line and field. So ``2025-02-30`` is a string (refused
    as a date where a date is wanted, not a crash), ``NO`` stays Norway's code,
    ``012`` is twelve (not octal ten), ``1_000`` and ``1:20`` are not numbers,
    and an integer of more than :attr:`InputLimits.number_digits` digits stays
    text (refused where a number is wanted).

    >>> yaml.load("a: 2025-02-30\nb: NO\nc: 012\nd: 1_000\ne: true\nf: 0.5", Loader=_LineLoader)
    {'a': '2025-02-30', 'b': 'NO', 'c': 12, 'd': '1_000', 'e': True, 'f': 0.5}
    >>> try:
    ...     yaml.load("source: a\nsource: b\n", Loader=_LineLoader)
    ... except yaml.YAMLError as error:
    ...     print(error.problem, error.problem_mark.line + 1)
    duplicate key 'source' (first on line 1) 2
    """

    def compose_document(self) -> yaml.Node | None:
        node = super().compose_document()
        if node is not None:
            _check_expansion(node)
        return node

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.MappingStartEvent, yaml.SequenceStartEvent):
            self._depth = getattr(self, "_depth", 0) + 1
            try:
                if self._depth > LIMITS.nesting:
                    # types-PyYAML leaves Parser.peek_event unannotated (it returns the next Event)
                    mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                    raise yaml.composer.ComposerError(None, None, f"collections nest deeper than {LIMITS.nesting} "
                                                                  "levels", mark)
                # types-PyYAML types index as int: PyYAML also passes a mapping's key node
                return super().compose_node(parent, index)  # type: ignore[arg-type]
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)  # type: ignore[arg-type]  # as above: a key node too


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand to more than the budget, or refer to themselves."""
    expanded: dict[int, int] = {}
    distinct = 0
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            expanded[key] = 1 + sum(expanded[id(child)] for child in _children(node))
            continue
        if key in expanded:
            continue
        if key in on_path:
            raise yaml.composer.ComposerError(None, None, "an alias refers to a collection that contains it",
                                              node.start_mark)
        distinct += 1
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in expanded)
    added = expanded[id(root)] - distinct
    if added > LIMITS.alias_nodes:
        raise yaml.composer.ComposerError(None, None, f"aliases expand this document by {added} values; at most "
                                                      f"{LIMITS.alias_nodes} are allowed", root.start_mark)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    seen: dict[object, int] = {}
    for key_node, _value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:  # a key that is a collection: SafeConstructor refuses it below
            continue
        if first is not None:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r} (first on line {first})",
                                                    key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int | str:
    text = loader.construct_scalar(node)
    if not re.fullmatch(r"[-+]?[0-9]+", text) or len(text.lstrip("+-")) > LIMITS.number_digits:
        return text  # an explicit !!int YAML 1.1 would read as hex, octal or sexagesimal, or too long to read
    return int(text, 10)


def _construct_float(loader: _LineLoader, node: yaml.ScalarNode) -> float | str:
    text = loader.construct_scalar(node)
    if not _JSON_FLOAT.fullmatch(text) or len(text) > LIMITS.number_digits:
        return text  # .nan, .inf, 1_000.5: text for the value rules to refuse
    return float(text)


def _construct_text(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


_JSON_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
# YAML 1.2's JSON schema (plus ~ and empty for null, and YAML's merge key), in place of YAML 1.1's resolvers.
_LineLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
        ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("int", r"^[-+]?[0-9]+$", "-+0123456789"),
        ("float", r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", "-+.0123456789"),
        ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        ("merge", r"^(?:<<)$", "<")):
    _LineLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))
_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_LineLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)

#: The YAML loader of every detente input (claim and entity documents, news front matter).
YamlLoader = _LineLoader


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    seq = LineList(loader.construct_sequence(node, deep=True))
    seq.line = node.start_mark.line + 1
    return seq


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _line(value: Any, fallback: int | None) -> int | None:
    return getattr(value, "line", None) or fallback


def read_documents(path: Path) -> tuple[list[tuple[Any, int | None]], list[Reject]]:
    """Parse a JSON/JSONL/YAML file into (document, line) pairs, or a syntax reject.

    Bounded (see :class:`~detente.loaders.base.InputLimits`): a JSON Lines line,
    a YAML/JSON file, the values YAML aliases add and the nesting depth.
    """
    name = str(path)
    suffix = path.suffix.lower()
    docs: list[tuple[Any, int | None]] = []
    if suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8-sig") as handle:
            for number, raw in enumerate(bounded_lines(handle), start=1):
                if not raw.strip():
                    continue
                try:
                    doc = read_json(raw)
                except json.JSONDecodeError as exc:
                    return [], [Reject(name, number, None, f"invalid JSON: {exc.msg} at column {exc.colno}",
                                       raw[:500])]
                except NotJson as exc:
                    return [], [Reject(name, number, None, f"invalid JSON: {exc}", raw[:500])]
                except RecursionError:
                    return [], [Reject(name, number, None, f"JSON nested deeper than {LIMITS.nesting} levels")]
                if _depth(doc) > LIMITS.nesting:
                    return [], [Reject(name, number, None, f"JSON nested deeper than {LIMITS.nesting} levels")]
                docs.append((doc, number))
        return docs, []
    check_file_size(path, LIMITS.document_bytes, "document")
    text = path.read_text(encoding="utf-8-sig")
    if suffix == ".json":
        try:
            # Repeated keys are found by the YAML reading below, which knows their lines.
            parsed = JSON_VALUE_RULES.decode(text)
        except json.JSONDecodeError as exc:
            return [], [Reject(name, exc.lineno, None, f"invalid JSON: {exc.msg} at column {exc.colno}")]
        except NotJson as exc:
            return [], [Reject(name, None, None, f"invalid JSON: {exc}")]
        except RecursionError:
            return [], [Reject(name, None, None, f"JSON nested deeper than {LIMITS.nesting} levels")]
        if _depth(parsed) > LIMITS.nesting:
            return [], [Reject(name, None, None, f"JSON nested deeper than {LIMITS.nesting} levels")]
    try:
        loaded = list(yaml.load_all(text, Loader=_LineLoader))  # _LineLoader is a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        ours = isinstance(exc, (yaml.composer.ComposerError, yaml.constructor.ConstructorError))
        if suffix == ".json" and not ours:
            # Valid JSON that PyYAML cannot read: lose line numbers, keep the data.
            try:
                loaded = [read_json(text)]
            except NotJson as refused:
                return [], [Reject(name, None, None, f"invalid JSON: {refused}")]
        else:
            problem = getattr(exc, "problem", None) if ours else None
            kind = "JSON" if suffix == ".json" else "YAML"
            return [], [Reject(name, mark.line + 1 if mark else None, None,
                               f"invalid {kind}: {problem}" if problem else f"invalid {kind}: {exc}")]
    for item in loaded:
        if item is None:
            continue
        if isinstance(item, list):
            docs.extend((d, _line(d, None)) for d in item)
        else:
            docs.append((item, _line(item, 1)))
    return docs, []


def _depth(value: Any) -> int:
    """How deep JSON collections nest (a scalar is 0)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, dict):
            current = list(current.values())
        if isinstance(current, list):
            deepest = max(deepest, level)
            if level <= LIMITS.nesting:
                stack.extend((item, level + 1) for item in current)
    return deepest


def parse_documents(path: Path, ctx: LoadContext) -> ParseResult:
    """Read claim documents into claims."""
    name = str(path)
    result = ParseResult()
    docs, rejects = read_documents(path)
    result.rejects.extend(rejects)
    activity = curated("claim-document:" + path.suffix.lower().lstrip("."))
    for doc, doc_line in docs:
        if ctx.fail_fast and result.rejects:
            break
        if not isinstance(doc, dict):
            result.rejects.append(Reject(name, doc_line, None,
                                         "a document must be a mapping with 'source' and 'claims'"))
            continue
        if "entities" in doc:  # entities declared beside the claims, before them
            from detente.loaders.entities import declare_entities

            result.rejects.extend(declare_entities(ctx, name, doc["entities"], _line(doc, doc_line)))
        src = doc.get("source")
        if not isinstance(src, dict):
            result.rejects.append(Reject(name, _line(doc, doc_line), "source", "is missing or not a mapping"))
            continue
        try:
            check_values(src, "")
            source = make_source(ctx.registry, url=src.get("url"), title=src.get("title"),
                                 publisher=src.get("publisher"),
                                 published=src.get("published", src.get("issued")),
                                 source_type=src.get("type"), url_field="url")
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
            if ctx.fail_fast and result.rejects:
                break
            try:
                check_values(item, "")
                statements = statements_of(item, where, item_line,
                                           lambda s, p, o: build_statement(ctx.registry, s, p, o))
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


def statements_of(item: dict[str, Any], where: str, item_line: int | None,
                  build: Callable[[object, object, object], Triple],
                  line_of: Callable[[Any, int | None], int | None] = _line) -> list[Triple]:
    """The statements of one claim (``[s, p, o]`` lists or mappings), each made by ``build``.

    A bad one raises :class:`_Located` with its line and field; the whole-file reader and the
    streaming one (:mod:`detente.loaders.stream`, with its statement cache) share this.
    """
    raw = item.get("statements")
    if not isinstance(raw, list) or not raw:
        raise _Located(item_line, f"{where}.statements", "is missing, empty or not a list")
    out: list[Triple] = []
    raw_line = line_of(raw, item_line)
    for number, st in enumerate(raw):
        if type(st) is list and len(st) == 3:  # the common case first
            s, p, o = st
        elif isinstance(st, (list, tuple)):
            if len(st) != 3:
                raise _Located(line_of(st, raw_line), f"{where}.statements[{number}]",
                               f"a statement list needs 3 items (subject, predicate, object), not {len(st)}")
            s, p, o = st
        elif isinstance(st, dict):
            s, p, o = st.get("subject"), st.get("predicate"), st.get("object")
        else:
            raise _Located(line_of(st, raw_line), f"{where}.statements[{number}]",
                           "a statement is [subject, predicate, object] or a mapping")
        try:
            out.append(build(s, p, o))
        except FieldError as exc:
            raise _Located(line_of(st, raw_line), f"{where}.statements[{number}].{exc.field}", exc.message) from None
    return out
