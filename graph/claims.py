"""Claims: sourced statements as named graphs with PROV-O provenance.

A claim is a nanopublication-like unit. Its assertion triples live in a named
graph whose name is the claim IRI; what is known about the claim (source,
speaker, quote, confidence, how it was made) lives in the provenance graph;
every assertion is also added to the deduplicated facts view.

Claim IRIs are derived from content and source, so writing the same claim
twice adds nothing:

>>> from rdflib import URIRef, Literal
>>> from detente.ontology.vocab import DT, DTR
>>> src = Source.from_metadata(url="https://example.org/a", publisher=DTR["organization/example"])
>>> c = Claim(statements=[(DTR["agreement/x"], DT.prisonerCount, Literal(314))], source=src)
>>> c.iri == Claim(statements=list(c.statements), source=src).iri
True
"""

from __future__ import annotations

import builtins
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any, cast

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from detente.errors import QuerySyntaxError
from detente.graph.performance import without_gc
from detente.graph.sparql_text import sparql_term
from detente.graph.store import Store
from detente.graph.terms import Quad, Term, Triple, checked_iri, literal_nt, nquad, order_key, term_nt
from detente.ontology.vocab import (
    DT,
    DTR,
    ENTITIES_GRAPH,
    FACTS_GRAPH,
    PROVENANCE_GRAPH,
    SCHEMA,
)

CLAIM_NS = str(DTR) + "claim/"
_CLAIM_NT = term_nt(URIRef(CLAIM_NS))[:-1]  # '<…/claim/': a claim IRI's N-Triples text is this, its digest and '>'

SOURCE_NS = str(DTR) + "source/"
ACTIVITY_NS = str(DTR) + "activity/"


def digest(*parts: str, length: int = 20) -> str:
    """A short, stable hex digest of text parts (IRI minting).

    >>> digest("a", "b")
    '023b8059a924f728a215'
    """
    # Each part followed by a unit separator, hashed in one call (the same bytes as part by part).
    text = "\x1f".join(parts) + "\x1f" if parts else ""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def slug(text: str) -> str:
    """Lower-case ASCII slug for IRIs.

    >>> slug("Kyiv Independent")
    'kyiv-independent'
    """
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or digest(text, length=10)


@dataclass(frozen=True)
class Source:
    """Where a claim was published: an article, an official statement, a dataset record.

    Parameters
    ----------
    iri:
        Derived from the URL (or title, publisher and date) by :meth:`from_metadata`.
    """

    iri: URIRef
    source_type: URIRef = DT.NewsArticle
    url: str | None = None
    title: str | None = None
    publisher: URIRef | None = None
    issued: date | None = None

    @classmethod
    def from_metadata(cls, *, url: str | None = None, title: str | None = None, publisher: URIRef | None = None,
                      issued: date | None = None, source_type: URIRef = DT.NewsArticle) -> Source:
        """Mint a source IRI from what identifies it: the URL if any, else title, publisher and date."""
        if url:
            key = digest("url", url.strip())
        elif title or publisher:
            key = digest("meta", title or "", str(publisher or ""), issued.isoformat() if issued else "")
        else:
            raise ValueError("a source needs a url, or a title or publisher")
        # A hex digest under the source namespace is an IRI: made without rdflib's check of its characters.
        return cls(checked_iri(SOURCE_NS + key), source_type, url, title, publisher, issued)

    def quads(self) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        g = PROVENANCE_GRAPH
        yield self.iri, RDF.type, self.source_type, g
        if self.url:
            yield self.iri, SCHEMA.url, Literal(self.url, datatype=XSD.anyURI), g
        if self.title:
            yield self.iri, DCTERMS.title, Literal(self.title), g
        if self.publisher is not None:
            yield self.iri, DCTERMS.publisher, self.publisher, g
        if self.issued is not None:
            yield self.iri, DCTERMS.issued, Literal(self.issued.isoformat(), datatype=XSD.date), g


@lru_cache(maxsize=256)
def _activity_iri(method: str) -> URIRef:
    return URIRef(ACTIVITY_NS + slug(method))


@dataclass(frozen=True)
class Activity:
    """How claims were made (a ``prov:Activity``): a loader, an extractor, a curator."""

    method: str
    label: str

    @property
    def iri(self) -> URIRef:
        return _activity_iri(self.method)

    def quads(self) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        g = PROVENANCE_GRAPH
        yield self.iri, RDF.type, DT.ExtractionActivity, g
        yield self.iri, RDF.type, PROV.Activity, g
        yield self.iri, DT.method, Literal(self.method), g
        yield self.iri, RDFS.label, Literal(self.label, lang="en"), g


@dataclass
class Claim:
    """A sourced statement: assertion triples plus who said them, where and how surely.

    Attributes
    ----------
    statements:
        The assertion triples (rdflib terms).
    source:
        The publication the claim is derived from.
    said_by:
        The speaker quoted or credited (e.g. an envoy), if any.
    quote:
        The exact words supporting the claim.
    confidence:
        0..1, how sure the loader or curator is.
    quote_start, quote_end:
        Character offsets of the quote in the source text.
    activity:
        The PROV activity that made the claim.
    key:
        The user's own identifier for the claim (kept as ``dct:identifier``).
    """

    statements: list[Triple]
    source: Source
    said_by: URIRef | None = None
    quote: str | None = None
    confidence: float | None = None
    quote_start: int | None = None
    quote_end: int | None = None
    activity: Activity | None = None
    key: str | None = None
    extra: list[Triple] = field(default_factory=list)  # further provenance about the claim

    @property
    def iri(self) -> URIRef:
        """``dtr:claim/<digest>`` of the sorted statements, the source, the speaker and the quote."""
        cached = self.__dict__.get("_iri")
        if cached is None:
            cached = self._mint_iri([f"{term_nt(s)} {term_nt(p)} {term_nt(o)}" for s, p, o in self.statements])
        return cached

    def statement_lines(self) -> list[str]:
        """The statements as ``s p o`` in N-Triples terms (made once with the IRI)."""
        lines = self.__dict__.get("_lines")
        if lines is None or "_iri" not in self.__dict__:
            lines = [f"{term_nt(s)} {term_nt(p)} {term_nt(o)}" for s, p, o in self.statements]
        return lines

    def adopt_statement_lines(self, lines: list[str]) -> None:
        """Take the statements as ``s p o`` N-Triples text, made by a loader exactly as :meth:`statement_lines` would.

        A loader that remembers each term's text (see
        :class:`detente.loaders.stream.StatementCache`) spares the claim serialising it again.
        """
        self._mint_iri(lines)

    def _mint_iri(self, statement_lines: list[str]) -> URIRef:
        """The IRI from the statements already serialised as ``s p o`` (N-Triples terms)."""
        parts = sorted(statement_lines)
        parts += (self.source.iri, self.said_by or "", self.quote or "")
        key = digest(*parts)
        # A hex digest under the claim namespace is an IRI: made without rdflib's check of its characters.
        iri = checked_iri(CLAIM_NS + key)
        self.__dict__["_iri"] = iri
        # Its N-Triples text (a hex digest under the checked namespace): the writer needs no IRI check or cache entry.
        self.__dict__["_iri_nt"] = _CLAIM_NT + key + ">"
        self.__dict__["_lines"] = statement_lines  # the writer and the summary of an import reuse them
        return iri

    def quads(self) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        """Assertion quads in the claim graph, facts quads, and provenance quads."""
        c, g = self.iri, PROVENANCE_GRAPH
        for s, p, o in self.statements:
            yield s, p, o, c
            yield s, p, o, FACTS_GRAPH
        yield c, RDF.type, DT.Claim, g
        yield c, PROV.wasDerivedFrom, self.source.iri, g
        if self.said_by is not None:
            yield c, DT.saidBy, self.said_by, g
        if self.quote:
            yield c, DT.quote, Literal(self.quote), g
        if self.confidence is not None:
            yield c, DT.confidence, Literal(f"{self.confidence:.4g}", datatype=XSD.decimal), g
        if self.quote_start is not None:
            yield c, DT.quoteStart, Literal(self.quote_start), g
        if self.quote_end is not None:
            yield c, DT.quoteEnd, Literal(self.quote_end), g
        if self.activity is not None:
            yield c, PROV.wasGeneratedBy, self.activity.iri, g
        if self.key:
            yield c, DCTERMS.identifier, Literal(self.key), g
        for s, p, o in self.extra:
            yield s, p, o, g


# Pieces of N-Quads lines the writer reuses for every claim (see _claim_lines).
_PROV_END = " " + term_nt(PROVENANCE_GRAPH) + " .\n"
_IS_CLAIM = " " + term_nt(RDF.type) + " " + term_nt(DT.Claim) + _PROV_END
_P = {name: " " + term_nt(iri) + " " for name, iri in (
    ("derived", PROV.wasDerivedFrom), ("said_by", DT.saidBy), ("quote", DT.quote), ("confidence", DT.confidence),
    ("quote_start", DT.quoteStart), ("quote_end", DT.quoteEnd), ("generated", PROV.wasGeneratedBy),
    ("key", DCTERMS.identifier), ("type", RDF.type), ("url", SCHEMA.url), ("title", DCTERMS.title),
    ("publisher", DCTERMS.publisher), ("issued", DCTERMS.issued))}
_DERIVED_P, _SAID_BY_P, _QUOTE_P, _CONFIDENCE_P, _GENERATED_P, _KEY_P = (
    _P[name] for name in ("derived", "said_by", "quote", "confidence", "generated", "key"))
_INTEGER = "^^" + term_nt(XSD.integer)
_DATE = "^^" + term_nt(XSD.date)
_ANY_URI = "^^" + term_nt(XSD.anyURI)
_CONFIDENCE_NT: dict[float, str] = {}


def _confidence_nt(value: float) -> str:
    if not value:  # 0.0 and -0.0 are one key but two texts ("0", "-0"): each made anew
        return term_nt(Literal(f"{value:.4g}", datatype=XSD.decimal))
    cached = _CONFIDENCE_NT.get(value)
    if cached is None:
        # Through rdflib once per value, so the lexical form is normalised exactly as Claim.quads() does.
        cached = _CONFIDENCE_NT[value] = term_nt(Literal(f"{value:.4g}", datatype=XSD.decimal))
    return cached


def _integer_nt(value: int) -> str:
    return f'"{value}"{_INTEGER}' if type(value) is int else term_nt(Literal(value))


def line_end(graph: URIRef | None) -> str:
    """The end of an N-Quads line in ``graph`` (None: the default graph)."""
    return " .\n" if graph is None else " " + term_nt(graph) + " .\n"


def _claim_lines(claim: Claim, lines: list[str], facts_end: str | None) -> None:
    """Append exactly the lines ``nquad(*q) for q in claim.quads()`` gives, without building rdflib literals.

    Facts lines end with ``facts_end`` (see :func:`claims_nquads`); None leaves them out. The text is appended
    in pieces (the caller joins everything once): the statements in one join, the provenance in one string.
    """
    known = claim.__dict__
    statement_lines = known.get("_lines")
    if statement_lines is None or "_iri" not in known:
        statement_lines = claim.statement_lines()
    iri = known.get("_iri") or claim._mint_iri(statement_lines)
    c = known.get("_iri_nt") or term_nt(iri)
    in_claim = " " + c + " .\n"
    append = lines.append
    if statement_lines:
        if facts_end is None:  # the facts view is written apart (a fresh import's distinct facts)
            append(in_claim.join(statement_lines))
            append(in_claim)
        else:
            for line in statement_lines:
                append(line + in_claim)
                append(line + facts_end)
    source = claim.source
    # Kept on the (frozen) source itself, beside its fields: equality, hashing and copies read only the fields.
    derived = source.__dict__.get("_derived_nt")
    if derived is None:
        derived = source.__dict__["_derived_nt"] = _DERIVED_P + term_nt(source.iri) + _PROV_END
    said_by, quote, confidence, activity, key = claim.said_by, claim.quote, claim.confidence, claim.activity, claim.key
    if said_by is None and quote and confidence is not None and claim.quote_start is None \
            and claim.quote_end is None and activity is not None and key:
        # The common claim (a quote, a confidence, an activity and a key): its provenance in one string.
        append(f"{c}{_IS_CLAIM}{c}{derived}{c}{_QUOTE_P}{literal_nt(quote)}{_PROV_END}"
               f"{c}{_confidence_line(confidence)}{c}{_generated_line(activity)}"
               f"{c}{_KEY_P}{literal_nt(key)}{_PROV_END}")
    else:
        append(c + _IS_CLAIM)
        append(c + derived)
        if said_by is not None:
            append(c + _SAID_BY_P + term_nt(said_by) + _PROV_END)
        if quote:
            append(c + _QUOTE_P + literal_nt(quote) + _PROV_END)
        if confidence is not None:
            append(c + _confidence_line(confidence))
        if claim.quote_start is not None:
            append(c + _P["quote_start"] + _integer_nt(claim.quote_start) + _PROV_END)
        if claim.quote_end is not None:
            append(c + _P["quote_end"] + _integer_nt(claim.quote_end) + _PROV_END)
        if activity is not None:
            append(c + _generated_line(activity))
        if key:
            append(c + _KEY_P + literal_nt(key) + _PROV_END)
    for s, p, o in claim.extra:
        append(nquad(s, p, o, PROVENANCE_GRAPH))


# The ends of provenance lines (after the claim IRI) that many claims share, by confidence and activity.
_CONFIDENCE_LINE: dict[float, str] = {}
_REMEMBERED_LIMIT = 1 << 16


def _remembered(table: dict[Any, str], key: Any, text: str) -> str:
    if len(table) >= _REMEMBERED_LIMIT:
        table.clear()
    table[key] = text
    return text


def _confidence_line(value: float) -> str:
    if not value:  # as _confidence_nt: a zero's sign is in its text
        return _CONFIDENCE_P + _confidence_nt(value) + _PROV_END
    found = _CONFIDENCE_LINE.get(value)
    if found is None:
        found = _remembered(_CONFIDENCE_LINE, value, _CONFIDENCE_P + _confidence_nt(value) + _PROV_END)
    return found


def _generated_line(activity: Activity) -> str:
    found: str | None = activity.__dict__.get("_generated_nt")  # kept on the (frozen) activity, as a source's
    if found is None:
        found = activity.__dict__["_generated_nt"] = _GENERATED_P + term_nt(activity.iri) + _PROV_END
    return found


def _source_lines(source: Source, lines: list[str]) -> None:
    """Append exactly the lines of ``source.quads()`` (as one string)."""
    i = term_nt(source.iri)
    text = f"{i}{_TYPE_P}{term_nt(source.source_type)}{_PROV_END}"
    if source.url:
        # An xsd:anyURI literal keeps its text as written (no value space of its own), as quads() makes it.
        text += f"{i}{_URL_P}{literal_nt(source.url)}{_ANY_URI}{_PROV_END}"
    if source.title:
        text += f"{i}{_TITLE_P}{literal_nt(source.title)}{_PROV_END}"
    if source.publisher is not None:
        text += f"{i}{_PUBLISHER_P}{term_nt(source.publisher)}{_PROV_END}"
    if source.issued is not None:
        text += f"{i}{_ISSUED_P}{literal_nt(source.issued.isoformat())}{_DATE}{_PROV_END}"
    lines.append(text)


_TYPE_P, _URL_P, _TITLE_P, _PUBLISHER_P, _ISSUED_P = (_P[name] for name in ("type", "url", "title", "publisher",
                                                                            "issued"))


@without_gc
def claims_nquads(claims: Iterable[Claim], entity_quads: Iterable[Quad] = (), *,
                  facts: URIRef | None = FACTS_GRAPH, claim_facts: bool = True) -> str:
    """N-Quads text for claims, their sources and activities, and entity descriptions.

    The same text as serialising :meth:`Claim.quads`, :meth:`Source.quads` and
    :meth:`Activity.quads` quad by quad, written on a faster path.

    Parameters
    ----------
    facts:
        The graph label the facts view gets: the target store's
        :attr:`~detente.graph.store.Store.facts_label` (None: the default graph),
        so the store takes the text as it is.
    claim_facts:
        False leaves the claims' lines of the facts view out of the text (a fresh import writes each distinct
        fact once, from :meth:`detente.graph.summary_import.FreshImport.file_facts`); entity descriptions stay.

    >>> src = Source.from_metadata(url="https://example.org/a")
    >>> claim = Claim(statements=[(DTR["agreement/x"], DT.prisonerCount, Literal(314))], source=src)
    >>> [line.endswith("/graph/facts> .") for line in claims_nquads([claim]).splitlines()[:2]]
    [False, True]
    >>> claims_nquads([claim], facts=None).splitlines()[1].endswith('XMLSchema#integer> .')
    True
    """
    facts_end = line_end(facts) if claim_facts else None
    lines: list[str] = []
    # A source's description once per call, each distinct one: two records giving one source IRI (one URL) two
    # dates or publishers both reach the store, however the claims are cut into calls.
    seen_sources: set[Source] = set()
    seen_activities: set[URIRef] = set()
    last_source: Source | None = None
    last_activity: Activity | None = None
    for claim in claims:
        _claim_lines(claim, lines, facts_end)
        source = claim.source
        if source is not last_source:  # claims of one source often follow each other (the same object)
            last_source = source
            if source not in seen_sources:
                seen_sources.add(source)
                _source_lines(source, lines)
        activity = claim.activity
        if activity is not last_activity and activity is not None:
            last_activity = activity
            if activity.iri not in seen_activities:
                seen_activities.add(activity.iri)
                lines.extend(nquad(*q) for q in activity.quads())
    lines.append(quads_nquads(entity_quads, facts=facts))
    return "".join(lines)


def quads_nquads(quads: Iterable[Quad], *, facts: URIRef | None = FACTS_GRAPH) -> str:
    r"""N-Quads text for quads, those in :data:`FACTS_GRAPH` under the label ``facts`` (see :func:`claims_nquads`).

    >>> quads_nquads([(DTR["state/UKR"], RDF.type, DT.State, FACTS_GRAPH)],
    ...              facts=None)  # doctest: +NORMALIZE_WHITESPACE
    '<https://w3id.org/detente/id/state/UKR> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>
     <https://w3id.org/detente/ontology#State> .\n'
    """
    return "".join(nquad(s, p, o, facts if g == FACTS_GRAPH else g) for s, p, o, g in quads)


def write_claims(store: Store, claims: Sequence[Claim], entity_quads: Iterable[Quad] = ()) -> int:
    """Write claims (and entity descriptions) in one transaction; return how many claims were new.

    Goes through :mod:`detente.graph.writes`, which keeps the summary exact.
    """
    from detente.graph.writes import write_claims as write

    return write(store, claims, entity_quads)


def add_claims_nquads(store: Store, claim_iris: Sequence[URIRef], nquads: str) -> int:
    """Add N-Quads text that holds these claims in one transaction; return how many claims were new.

    Goes through :mod:`detente.graph.writes`, which keeps the summary exact.
    """
    from detente.graph.writes import add_claims_nquads as add

    return add(store, claim_iris, nquads)


def known_claims(store: Store, iris: Sequence[URIRef]) -> set[URIRef]:
    """Which of these claim IRIs are already in the store."""
    if not iris:
        return set()
    found: set[URIRef] = set()
    wanted = sorted(set(iris))
    # Batches of IRIs in a VALUES block (term_nt refuses malformed IRIs): few queries, and no
    # result larger than a batch, which remote servers would cut at their row limit.
    for start in range(0, len(wanted), 500):
        values = " ".join(term_nt(iri) for iri in wanted[start:start + 500])
        rows = store.query(f"SELECT ?c WHERE {{ VALUES ?c {{ {values} }} ?c a dt:Claim }}").rows
        found.update(row[0] for row in rows)  # type: ignore[misc]
    return found


# -- reading claims back ------------------------------------------------------

@dataclass
class ClaimRecord:
    """A claim as read from the store, ready for display or JSON."""

    iri: URIRef
    statements: list[Triple]
    source: URIRef | None = None
    source_type: URIRef | None = None
    url: str | None = None
    title: str | None = None
    publisher: URIRef | None = None
    publisher_label: str | None = None
    issued: str | None = None
    said_by: URIRef | None = None
    said_by_label: str | None = None
    quote: str | None = None
    confidence: float | None = None
    quote_start: int | None = None
    quote_end: int | None = None
    method: str | None = None
    key: str | None = None

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (terms as strings)."""
        return {
            "claim": str(self.iri),
            "statements": [{"subject": str(s), "predicate": str(p), "object": _json_value(o)}
                           for s, p, o in self.statements],
            "source": None if self.source is None else {
                "iri": str(self.source), "type": _opt(self.source_type), "url": self.url, "title": self.title,
                "publisher": _opt(self.publisher), "publisher_label": self.publisher_label, "issued": self.issued},
            "said_by": _opt(self.said_by),
            "said_by_label": self.said_by_label,
            "quote": self.quote,
            "quote_offsets": None if self.quote_start is None else [self.quote_start, self.quote_end],
            "confidence": self.confidence,
            "method": self.method,
            "key": self.key,
        }


def _opt(term: Term | None) -> str | None:
    return None if term is None else str(term)


def _json_value(term: Term) -> object:
    if isinstance(term, Literal):
        out: dict[str, object] = {"value": str(term)}
        if term.datatype:
            out["datatype"] = str(term.datatype)
        if term.language:
            out["lang"] = term.language
        return out
    return str(term)


# -- set-based records -----------------------------------------------------------
#
# One query reads the records of every claim a selection picks: the selection
# (a pattern binding ?claim) is repeated in each branch of a UNION of
# sub-SELECTs, one branch per kind of row, so each branch starts from the few
# selected claims (bindings reach into the sub-SELECTs, see sparql_text). The
# rows are long: ?b says which branch a row comes from.
#   0 selected claim (?set names the selection)   1 statement ?s ?p ?o of ?claim
#   2 provenance ?p ?o of ?claim                  3 description ?p ?o of source ?s
#   4 label ?o of publisher or speaker ?s         5 method ?o of activity ?s
# The engine does not sort (Oxigraph's ORDER BY costs more than the lookups):
# claims and statements are put in ORDER BY order here (terms.order_key).

_PROV = term_nt(PROVENANCE_GRAPH)
_RECORD_BRANCHES = (
    "{{ SELECT ?claim ?s ?p ?o (1 AS ?b) WHERE {{ {sel} GRAPH ?claim {{ ?s ?p ?o }} }} }}",
    # (Not its rdf:type: every selected claim is a dt:Claim.)
    "{{ SELECT ?claim ?p ?o (2 AS ?b) WHERE {{ {sel} GRAPH " + _PROV
    + " {{ ?claim ?p ?o }} FILTER(?p != rdf:type) }} }}",
    "{{ SELECT DISTINCT ?s ?p ?o (3 AS ?b) WHERE {{ {sel} GRAPH " + _PROV
    + " {{ ?claim prov:wasDerivedFrom ?s . ?s ?p ?o }} }} }}",
    "{{ SELECT DISTINCT ?s ?o (4 AS ?b) WHERE {{ {sel} GRAPH " + _PROV
    + " {{ ?claim prov:wasDerivedFrom/dct:publisher|dt:saidBy ?s }} ?s rdfs:label ?o }} }}",
    "{{ SELECT DISTINCT ?s ?o (5 AS ?b) WHERE {{ {sel} GRAPH " + _PROV
    + " {{ ?claim prov:wasGeneratedBy ?s }} ?s dt:method ?o }} }}",
)
# Claims named by ?claim (a binding), as get_claim always required: typed dt:Claim.
_NAMED = "?claim a dt:Claim ."


def records_query(selections: Mapping[str, str], projection: str = "") -> str:
    """The one query reading full claim records for the claims that ``selections`` pick.

    Parameters
    ----------
    selections:
        Name → a group pattern binding ``?claim`` (e.g. a sub-SELECT with
        ``ORDER BY ?claim LIMIT n``); the records cover their union, and rows
        with ``?b = 0`` say which selection picked which claim.
    projection:
        Further variables to project (substituted ones must be, SEP-0007).

    Read the result with :func:`read_records`.
    """
    union = next(iter(selections.values())) if len(selections) == 1 else \
        "{ SELECT DISTINCT ?claim WHERE { " + " UNION ".join(f"{{ {sel} }}" for sel in selections.values()) + " } }"
    picked = " UNION ".join(f'{{ SELECT ?claim ("{name}" AS ?set) (0 AS ?b) WHERE {{ {sel} }} }}'
                            for name, sel in selections.items())
    branches = [picked] + [branch.format(sel=union) for branch in _RECORD_BRANCHES]
    return f"SELECT ?b ?set ?claim ?s ?p ?o {projection} WHERE {{\n  " + "\n  UNION ".join(branches) + "\n}"


@without_gc
def read_records(rows: Iterable[tuple[Term | None, ...]]) -> tuple[dict[str, list[URIRef]], dict[URIRef, ClaimRecord]]:
    """The selections (name → claims in IRI order) and records (by claim) from :func:`records_query` rows.

    Statements come in ``ORDER BY ?s ?p ?o`` order; where a claim or source
    has several values of one property, the first in that order is kept.
    """
    picked: dict[str, list[URIRef]] = {}
    statements: dict[Term, list[Triple]] = {}
    claim_meta: dict[Term, list[tuple[Term, Term]]] = {}
    source_meta: dict[Term, list[tuple[Term, Term]]] = {}
    labels: dict[Term, list[Term]] = {}
    methods: dict[Term, list[Term]] = {}
    for b, selection, claim, s, p, o, *_ in rows:
        kind = str(b)
        if kind == "1":
            statements.setdefault(claim, []).append((s, p, o))  # type: ignore[arg-type]
        elif kind == "2":
            claim_meta.setdefault(claim, []).append((p, o))  # type: ignore[arg-type]
        elif kind == "3":
            source_meta.setdefault(s, []).append((p, o))  # type: ignore[arg-type]
        elif kind == "4":
            labels.setdefault(s, []).append(o)  # type: ignore[arg-type]
        elif kind == "5":
            methods.setdefault(s, []).append(o)  # type: ignore[arg-type]
        else:
            picked.setdefault(str(selection), []).append(claim)  # type: ignore[arg-type]
    for name, claims in picked.items():
        picked[name] = sorted(set(claims), key=str)  # IRIs sort by their text, as ORDER BY ?claim
    first_label = {entity: min(values, key=order_key) for entity, values in labels.items()}
    first_method = {activity: min(values, key=order_key) for activity, values in methods.items()}
    sources = {source: _first_values(values) for source, values in source_meta.items()}
    records: dict[URIRef, ClaimRecord] = {}
    for claims in picked.values():
        for claim in claims:
            if claim not in records:
                triples = _statements_in_order(statements.get(claim, []))
                records[claim] = _assemble(claim, triples, _first_values(claim_meta.get(claim, [])), sources,
                                           first_label, first_method)
    return picked, records


def _statements_in_order(triples: list[Triple]) -> list[Triple]:
    """A claim's statements in ``ORDER BY ?s ?p ?o`` order, each once.

    A claim typed ``dt:Claim`` in two graphs of the union default graph (the
    provenance graph and, by an update, the facts view) is selected twice, and
    its statement rows come twice: a claim's statements are a set.
    """
    if len(triples) < 2:
        return triples
    keys = [_statement_key(triple) for triple in triples]
    kept: list[Triple] = []
    run: list[Triple] = []  # the kept statements of the current key (equal keys need not mean equal terms)
    run_key: object = None
    for index in sorted(range(len(triples)), key=keys.__getitem__):
        triple = triples[index]
        if keys[index] != run_key:
            run_key, run = keys[index], []
        if triple not in run:
            run.append(triple)
            kept.append(triple)
    return kept


def _statement_key(triple: Triple) -> tuple[tuple[object, ...], str, tuple[object, ...]]:
    s, p, o = triple
    # Predicates are IRIs; most subjects and objects too (the common case without a call).
    return ((2, str(s)) if type(s) is URIRef else order_key(s), str(p),
            (2, str(o)) if type(o) is URIRef else order_key(o))


def _first_values(pairs: list[tuple[Term, Term]]) -> dict[Term, Term]:
    """Property → its first value in ORDER BY order (most properties have one)."""
    out: dict[Term, Term] = {}
    for p, o in pairs:
        kept = out.get(p)
        if kept is None or (kept != o and order_key(o) < order_key(kept)):
            out[p] = o
    return out


_WAS_DERIVED_FROM, _WAS_GENERATED_BY, _PUBLISHER, _TYPE = PROV.wasDerivedFrom, PROV.wasGeneratedBy, \
    DCTERMS.publisher, RDF.type
_URL, _TITLE, _ISSUED, _IDENTIFIER = SCHEMA.url, DCTERMS.title, DCTERMS.issued, DCTERMS.identifier
_SAID_BY, _QUOTE, _CONFIDENCE, _QUOTE_START, _QUOTE_END = DT.saidBy, DT.quote, DT.confidence, DT.quoteStart, \
    DT.quoteEnd


def _assemble(claim: URIRef, statements: list[Triple], meta: dict[Term, Term], sources: dict[Term, dict[Term, Term]],
              labels: dict[Term, Term], methods: dict[Term, Term]) -> ClaimRecord:
    source = meta.get(_WAS_DERIVED_FROM)
    about = sources.get(source, {}) if source is not None else {}
    publisher = about.get(_PUBLISHER)
    speaker = meta.get(_SAID_BY)
    activity = meta.get(_WAS_GENERATED_BY)
    return _record(claim, statements, (
        source, about.get(_TYPE), about.get(_URL), about.get(_TITLE), publisher,
        labels.get(publisher) if publisher is not None else None, about.get(_ISSUED), speaker,
        labels.get(speaker) if speaker is not None else None, meta.get(_QUOTE), meta.get(_CONFIDENCE),
        meta.get(_QUOTE_START), meta.get(_QUOTE_END), methods.get(activity) if activity is not None else None,
        meta.get(_IDENTIFIER)))


_RESOLVE = """SELECT ?candidate ?key ?claim WHERE {
  { SELECT ?candidate ?claim WHERE { ?candidate a dt:Claim BIND(?candidate AS ?claim) } }
  UNION { SELECT ?key ?claim WHERE { ?claim a dt:Claim ; dct:identifier ?key } ORDER BY ?claim LIMIT 1 }
}"""
_RESOLVE_KEY = "SELECT ?key ?claim WHERE { ?claim a dt:Claim ; dct:identifier ?key } ORDER BY ?claim LIMIT 1"


def resolve_claim_ref(store: Store, ref: str) -> URIRef | None:
    """Find a claim by IRI, ``claim:`` CURIE, bare digest, or the user's own key (one query).

    The IRI reading wins over a key that happens to look like a digest.
    """
    if ref.startswith(("http://", "https://")):
        candidate = URIRef(ref)
    elif ref.startswith("claim:"):
        candidate = URIRef(CLAIM_NS + ref[6:])
    else:
        candidate = URIRef(CLAIM_NS + ref)
    try:
        sparql_term(candidate)
        rows = store.query(_RESOLVE, bindings={"candidate": candidate, "key": Literal(ref)}).rows
    except (ValueError, QuerySyntaxError):
        # Not a well-formed IRI (for us or for the engine), so not the name of any claim: a key, perhaps.
        rows = store.query(_RESOLVE_KEY, bindings={"key": Literal(ref)}).rows
        return rows[0][1] if rows else None  # type: ignore[return-value]
    by_iri = [row[2] for row in rows if row[0] is not None]
    by_key = [row[2] for row in rows if row[1] is not None]
    found = by_iri or by_key
    return found[0] if found else None  # type: ignore[return-value]


_ONE_CLAIM = records_query({"claim": _NAMED})


def get_claim(store: Store, iri: URIRef) -> ClaimRecord | None:
    """Read one claim: its statements and provenance, in one query."""
    return read_records(store.query(_ONE_CLAIM, bindings={"claim": iri}).rows)[1].get(iri)


# -- records of many claims: one wide row per claim -----------------------------------------
#
# For batches (a listing of thousands of claims) one row per claim with every provenance field
# costs the engine less than the long rows above (measured 1.1 s against 1.9 s for 23k claims)
# and halves the rows to read; for one report the long form starts faster. Both keep, of several
# values, the first in ORDER BY order, and the fields of the chosen source, publisher, speaker
# and activity: the same record either way. Each OPTIONAL nests under the one binding its
# subject, so an absent source can never match every source's publisher.

_WIDE_COLUMNS = ("src", "stype", "url", "title", "pub", "plabel", "issued", "sp", "slabel", "quote", "conf",
                 "qs", "qe", "act", "method", "key")
_WIDE = ("{ SELECT ?claim ?s ?p ?o (1 AS ?b) WHERE { @SEL@ GRAPH ?claim { ?s ?p ?o } } } UNION "
         "{ SELECT ?claim " + " ".join("?" + c for c in _WIDE_COLUMNS) + " (2 AS ?b) WHERE { @SEL@ "
         f"OPTIONAL {{ GRAPH {_PROV} {{ ?claim prov:wasDerivedFrom ?src }} "
         f"OPTIONAL {{ GRAPH {_PROV} {{ ?src a ?stype }} }} OPTIONAL {{ GRAPH {_PROV} {{ ?src schema:url ?url }} }} "
         f"OPTIONAL {{ GRAPH {_PROV} {{ ?src dct:title ?title }} }} "
         f"OPTIONAL {{ GRAPH {_PROV} {{ ?src dct:issued ?issued }} }} "
         f"OPTIONAL {{ GRAPH {_PROV} {{ ?src dct:publisher ?pub }} OPTIONAL {{ ?pub rdfs:label ?plabel }} }} }} "
         f"OPTIONAL {{ GRAPH {_PROV} {{ ?claim dt:saidBy ?sp }} OPTIONAL {{ ?sp rdfs:label ?slabel }} }} "
         f"OPTIONAL {{ GRAPH {_PROV} {{ ?claim prov:wasGeneratedBy ?act }} OPTIONAL {{ ?act dt:method ?method }} }} "
         f"OPTIONAL {{ GRAPH {_PROV} {{ ?claim dt:quote ?quote }} }} "
         f"OPTIONAL {{ GRAPH {_PROV} {{ ?claim dt:confidence ?conf }} }} "
         f"OPTIONAL {{ GRAPH {_PROV} {{ ?claim dct:identifier ?key }} }} "
         f"OPTIONAL {{ GRAPH {_PROV} {{ ?claim dt:quoteStart ?qs }} }} "
         f"OPTIONAL {{ GRAPH {_PROV} {{ ?claim dt:quoteEnd ?qe }} }} }} }}")


def wide_records_query(selection: str) -> str:
    """One query reading the records of the claims ``selection`` picks: statements, and one wide row per claim.

    Read the result with :func:`read_wide_records`.
    """
    return ("SELECT ?b ?claim ?s ?p ?o " + " ".join("?" + c for c in _WIDE_COLUMNS) + " WHERE { "
            + _WIDE.replace("@SEL@", selection) + " }")


@without_gc
def read_wide_records(rows: Iterable[tuple[Term | None, ...]]) -> dict[URIRef, ClaimRecord]:
    """Records by claim from :func:`wide_records_query` rows (as :func:`read_records` makes them)."""
    statements: dict[URIRef, list[Triple]] = {}
    wide: dict[URIRef, list[tuple[Term | None, ...]]] = {}
    for row in rows:
        claim = cast("URIRef", row[1])  # both branches bind ?claim, to a claim's IRI
        if str(row[0]) == "1":
            statements.setdefault(claim, []).append(row[2:5])  # type: ignore[arg-type]
        else:
            wide.setdefault(claim, []).append(row[5:])
    records: dict[URIRef, ClaimRecord] = {}
    for claim, fields in wide.items():
        triples = _statements_in_order(statements.get(claim, []))
        records[claim] = _record(claim, triples, _first_fields(fields))
    return records


def _first(values: Iterable[Term | None]) -> Term | None:
    present = [v for v in values if v is not None]
    return min(present, key=order_key) if present else None


_COLUMN = {name: index for index, name in enumerate(_WIDE_COLUMNS)}


# The record's fields in _record's order, from one wide row.
_RECORD_FIELDS = itemgetter(*(_COLUMN[name] for name in ("src", "stype", "url", "title", "pub", "plabel", "issued",
                                                         "sp", "slabel", "quote", "conf", "qs", "qe", "method",
                                                         "key")))


def _first_fields(rows: list[tuple[Term | None, ...]]) -> tuple[Term | None, ...]:
    """The record's fields from a claim's wide rows: first values, and those of the chosen source and so on."""
    if len(rows) == 1:  # one value of everything: the common case
        fields: tuple[Term | None, ...] = _RECORD_FIELDS(rows[0])
        return fields

    def col(name: str, among: list[tuple[Term | None, ...]] = rows) -> Term | None:
        if len(among) == 1:
            return among[0][_COLUMN[name]]
        return _first(r[_COLUMN[name]] for r in among)

    def where(name: str, value: Term | None, among: list[tuple[Term | None, ...]]) -> list[tuple[Term | None, ...]]:
        return among if len(among) == 1 else [r for r in among if r[_COLUMN[name]] == value]

    source = col("src")
    of_source = where("src", source, rows)
    publisher = col("pub", of_source)
    speaker = col("sp")
    activity = col("act")
    return (source, col("stype", of_source), col("url", of_source), col("title", of_source), publisher,
            col("plabel", where("pub", publisher, of_source)), col("issued", of_source), speaker,
            col("slabel", where("sp", speaker, rows)), col("quote"), col("conf"), col("qs"), col("qe"),
            col("method", where("act", activity, rows)), col("key"))


_MANY_CLAIMS = wide_records_query(_NAMED)


def claim_records(store: Store, iris: Iterable[URIRef], *, batch: int = 1000) -> dict[URIRef, ClaimRecord]:
    """Records of many claims, ``batch`` claims per query (a ``VALUES`` join); absent claims are left out."""
    wanted = list(dict.fromkeys(iris))
    records: dict[URIRef, ClaimRecord] = {}
    for start in range(0, len(wanted), batch):
        rows = store.query(_MANY_CLAIMS, bindings=[{"claim": iri} for iri in wanted[start:start + batch]]).rows
        records.update(read_wide_records(rows))
    return records


def _record(iri: URIRef, statements: list[Triple], m: tuple[Any, ...]) -> ClaimRecord:
    (source, stype, url, title, publisher, plabel, issued, speaker, slabel, quote, conf, qs, qe, method, key) = m
    return ClaimRecord(
        iri=iri, statements=statements, source=source, source_type=stype,
        url=None if url is None else str(url), title=None if title is None else str(title),
        publisher=publisher, publisher_label=None if plabel is None else str(plabel),
        issued=None if issued is None else str(issued), said_by=speaker,
        said_by_label=None if slabel is None else str(slabel), quote=None if quote is None else str(quote),
        confidence=None if conf is None else float(conf), quote_start=None if qs is None else int(qs),
        quote_end=None if qe is None else int(qe), method=None if method is None else str(method),
        key=None if key is None else str(key))


@dataclass
class ProvenanceReport:
    """Who supports a statement pattern, and who disagrees on functional properties."""

    subject: URIRef
    predicate: URIRef | None
    object: Term | None
    supporting: list[ClaimRecord]
    disagreeing: list[ClaimRecord]

    def to_json(self) -> dict[str, builtins.object]:  # (``object`` here is the field)
        return {
            "subject": str(self.subject),
            "predicate": _opt(self.predicate),
            "object": None if self.object is None else _json_value(self.object),
            "supporting": [c.to_json() for c in self.supporting],
            "disagreeing": [c.to_json() for c in self.disagreeing],
            "sources": len({c.source for c in self.supporting}),
        }


def _matching(pattern_object: str, limit: int | None) -> str:
    """Claims whose graph holds ``?subject ?predicate <pattern_object>``, the first ``limit`` by IRI (None: all)."""
    cut = "" if limit is None else f" LIMIT {int(limit)}"
    return (f"{{ SELECT DISTINCT ?claim WHERE {{ GRAPH ?claim {{ ?subject ?predicate {pattern_object} }} "
            f"?claim a dt:Claim }} ORDER BY ?claim{cut} }}")


@lru_cache(maxsize=64)
def _claims_for_query(limit: int | None) -> str:
    return records_query({"matching": _matching("?object", limit)}, "?subject ?predicate ?object")


_PROVENANCE = records_query({"matching": _matching("?object", 1000), "asserting": _matching("?any", 1000)},
                            "?subject ?predicate ?object")
_SUPPORT = _claims_for_query(1000)


def _pattern(subject: URIRef | None, predicate: URIRef | None, obj: Term | None) -> dict[str, Term]:
    return {name: value for name, value in (("subject", subject), ("predicate", predicate), ("object", obj))
            if value is not None}


def claims_for(store: Store, subject: URIRef | None = None, predicate: URIRef | None = None,
               obj: Term | None = None, limit: int | None = 1000) -> list[ClaimRecord]:
    """Claims whose graph holds a triple matching the pattern (None is a wildcard), the first ``limit`` by IRI.

    ``limit`` None reads every matching claim. One query reads them all, records included.
    """
    if limit is not None and limit < 0:
        from detente.errors import ParameterError

        raise ParameterError("limit", f"must not be negative, not {limit}")
    picked, records = read_records(store.query(_claims_for_query(None if limit is None else int(limit)),
                                               bindings=_pattern(subject, predicate, obj)).rows)
    return [records[c] for c in picked.get("matching", [])]


def provenance(store: Store, subject: URIRef, predicate: URIRef | None = None,
               obj: Term | None = None) -> ProvenanceReport:
    """Every claim supporting ``subject predicate object``, and claims that disagree, in one query.

    Disagreement is defined by the ontology: for a functional property
    (``dt:prisonerCount``, ``dt:startDate``…) another value from another claim.
    """
    from detente.ontology.schema import functional_properties

    bindings = _pattern(subject, predicate, obj)
    if obj is not None and predicate is not None and predicate in functional_properties():
        picked, records = read_records(store.query(_PROVENANCE, bindings=bindings).rows)
        others = [records[c] for c in picked.get("asserting", [])]
        disagreeing = [c for c in others
                       if all(o != obj for s, p, o in c.statements if s == subject and p == predicate)]
    else:
        picked, records = read_records(store.query(_SUPPORT, bindings=bindings).rows)
        disagreeing = []
    supporting = [records[c] for c in picked.get("matching", [])]
    return ProvenanceReport(subject, predicate, obj, supporting, disagreeing)


@dataclass
class Conflict:
    """Two or more values asserted for one functional property of one subject."""

    subject: URIRef
    predicate: URIRef
    values: dict[str, list[ClaimRecord]]

    def to_json(self) -> dict[str, object]:
        return {"subject": str(self.subject), "predicate": str(self.predicate),
                "values": {v: [c.to_json() for c in cs] for v, cs in self.values.items()}}


def conflicts(store: Store) -> list[Conflict]:
    """Subjects with different values for a functional property, with the claims behind each value.

    The full listing of :func:`detente.graph.conflict_listing.conflict_page`: one
    streaming query, claim records read in batches.
    """
    from detente.graph.conflict_listing import conflict_page

    return conflict_page(store).conflicts


@dataclass
class StoreStats:
    claims: int
    sources: int
    publishers: int
    facts: int
    entities: int
    quads: int
    by_type: dict[str, int]

    def to_json(self) -> dict[str, object]:
        return self.__dict__.copy()


def stats(store: Store) -> StoreStats:
    """Counts of claims, sources, publishers, distinct facts, entities and quads."""
    def count(q: str, graphs: Sequence[URIRef] | None = None) -> int:
        rows = store.query(q, default_graphs=graphs).rows
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    by_type = {str(t): int(n) for t, n in store.query(  # type: ignore[arg-type]
        "SELECT ?t (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?t FILTER(STRSTARTS(STR(?t), STR(dt:))) } "
        "GROUP BY ?t ORDER BY DESC(?n)").rows}
    return StoreStats(
        claims=count("SELECT (COUNT(?c) AS ?n) WHERE { ?c a dt:Claim }"),
        sources=count("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?c prov:wasDerivedFrom ?s }"),
        publishers=count("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s dct:publisher ?p }"),
        facts=store.count_quads(FACTS_GRAPH),
        entities=count("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e rdfs:label ?l }", [ENTITIES_GRAPH]),
        quads=store.count_quads(),
        by_type=by_type,
    )
