"""News files: front matter, HTML, and the parser the load pipeline calls."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from rdflib.namespace import RDF

from detente.loaders.base import (
    BAD_TEXT,
    LIMITS,
    FieldError,
    LoadContext,
    ParseResult,
    Reject,
    check_file_size,
    decoding_problem,
    make_source,
    parse_date,
    text_problem,
)
from detente.loaders.documents import YamlLoader
from detente.loaders.linking import link_extracted
from detente.loaders.news.rules import extract_claims, is_minted

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")

# -- files --------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict[str, Any], int]:
    r"""YAML front matter and the offset where the body starts.

    >>> split_front_matter("---\nurl: https://x.org/a\n---\nBody")
    ({'url': 'https://x.org/a'}, 29)
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    try:
        data = yaml.load(match.group(1), Loader=YamlLoader) or {}  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise FieldError("front matter", f"line {line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise FieldError("front matter", "must be a mapping of url, title, publisher, published, type")
    return data, match.end()


def is_news_text(path: Path, head: str) -> bool:
    """``.txt``, ``.md`` or ``.html`` files (other loaders see the file first)."""
    return path.suffix.lower() in SUFFIXES and not path.name.lower().startswith("readme")


def _html_text(raw: str) -> tuple[str, dict[str, Any]]:
    import trafilatura

    body = trafilatura.extract(raw, include_comments=False, include_tables=False, favor_precision=True) or ""
    meta = trafilatura.extract_metadata(raw)
    found: dict[str, Any] = {}
    if meta is not None:
        for key, attr in (("url", "url"), ("title", "title"), ("publisher", "sitename"), ("published", "date")):
            value = getattr(meta, attr, None)
            if value:
                found[key] = value
    return body, found


def parse_news(path: Path, ctx: LoadContext) -> ParseResult:
    """Read a news text file into candidate claims (one record: the file)."""
    result = ParseResult(records=1)
    name = str(path)
    check_file_size(path, LIMITS.text_bytes, "text file")
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        result.rejects.append(Reject(name, None, None, decoding_problem(path, exc)))
        return result
    bad = BAD_TEXT.search(raw)
    if bad is not None:  # a NUL byte or another control character: no text a story holds
        result.rejects.append(Reject(name, raw.count("\n", 0, bad.start()) + 1, None, str(text_problem(raw))))
        return result
    try:
        meta, body_start = split_front_matter(raw)
    except FieldError as exc:
        result.rejects.append(Reject(name, 1, exc.field, exc.message))
        return result
    text, body_offset = raw, body_start
    if path.suffix.lower() in (".html", ".htm"):
        text, html_meta = _html_text(raw[body_start:])
        body_offset = 0
        for key, value in html_meta.items():
            meta.setdefault(key, value)
    options = ctx.options
    for key, value in (("url", options.source_url), ("title", options.source_title), ("publisher", options.publisher),
                       ("published", options.published), ("type", options.source_type)):
        if value and not meta.get(key):
            meta[key] = value
    unknown = sorted(set(meta) - {"url", "title", "publisher", "published", "type", "source_type", "author", "date"})
    if unknown:
        result.rejects.append(Reject(name, 1, unknown[0], f"unknown front matter key {unknown[0]!r} "
                                                          "(use url, title, publisher, published, type)"))
        return result
    if not (meta.get("url") or meta.get("title") or meta.get("publisher")):
        result.rejects.append(Reject(name, None, "source", "no source metadata: add YAML front matter (url, title, "
                                                           "publisher, published) or pass --source-url/--publisher"))
        return result
    try:
        published = parse_date(meta.get("published") or meta.get("date"), "published")
        source = make_source(ctx.registry, url=meta.get("url"), title=meta.get("title"),
                             publisher=meta.get("publisher"), published=published,
                             source_type=meta.get("type") or meta.get("source_type"))
    except FieldError as exc:
        result.rejects.append(Reject(name, 1 if body_start else None, exc.field, exc.message))
        return result
    body = text[body_offset:]
    claims = extract_claims(body, source, published, ctx.registry, offset=body_offset)
    if ctx.store is not None:
        # Before anything is minted for good: reuse the store's IRI for an event it already holds.
        minted = [s for c in claims for s, p, _o in c.statements if p == RDF.type and is_minted(s)]
        result.link_quads += "".join(d.nquads() for d in link_extracted(claims, ctx.store, ctx.registry, minted))
    # Actors named by a role and resolved to who holds it: each decision is provenance too.
    result.link_quads += "".join(d.nquads() for d in ctx.registry.link_records)
    ctx.registry.link_records.clear()
    for claim in claims:
        result.claims.append(claim)
        # Point errors at the line the quote starts on.
        result.origins[claim.iri] = text.count("\n", 0, claim.quote_start or 0) + 1
    return result


__all__ = ["SUFFIXES", "split_front_matter", "is_news_text", "parse_news"]
