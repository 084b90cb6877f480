"""One publication date per source, across records, chunks, files and loads.

The ontology's shapes give a source at most one publication date
(``sh:maxCount 1`` on ``dct:issued``). No single record can break that bound,
so the per-record checks compiled from the shapes
(:mod:`detente.loaders.shapes`) do not see it: two records, maybe far apart,
in two files or two loads, give one source (one URL) two dates, and the store
would hold both. :class:`SourceDates` checks each record against the dates
given before it: those of the records read earlier in this load (a table of
digests, 28 bytes a source, not an object per record) and those the store
holds (one query per batch of records, made only when the store dates some
source). A record giving a second date is rejected (file, line, field
``published``), naming the first date and where it was given; the same date
again is no conflict.

>>> from datetime import date
>>> from rdflib import Literal
>>> from detente.graph.claims import Claim, Source
>>> from detente.loaders.stream import Unit
>>> from detente.ontology.vocab import DT, DTR
>>> def unit(line, day):
...     source = Source.from_metadata(url="https://example.org/a", issued=day)
...     return Unit([line], [Claim([(DTR["event/x"], DT.prisonerCount, Literal(line))], source)])
>>> units = SourceDates(None).file("a.csv").screen([unit(2, date(2020, 1, 1)), unit(3, date(2020, 1, 2))])
>>> [u.rejected for u in units]
[False, True]
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache

from rdflib import URIRef
from rdflib.namespace import DCTERMS

from detente.graph.arrays import DigestTable
from detente.graph.claims import Source, dates_sources, source_dates
from detente.graph.store import Store
from detente.loaders.base import Reject
from detente.loaders.shapes import PropertyCheck, compiled_shapes
from detente.loaders.stream import Unit, reject_unit
from detente.ontology.vocab import DT

#: Claims read ahead before their sources' dates are looked up together (one store query per 500 sources).
BATCH_CLAIMS = 2000

_DAY, _LINE, _FILE = 0, 1, 2  # the table's columns: the date's ordinal, its line (-1: none), its file's number


@lru_cache(maxsize=1)
def issued_bound() -> PropertyCheck | None:
    """The shapes' ``sh:maxCount 1`` on a source's ``dct:issued`` (None if the shapes set no such bound)."""
    for check in compiled_shapes():
        if DT.Source in check.target_classes:
            for prop in check.properties:
                if prop.path == DCTERMS.issued and prop.max_count == 1 and prop.violation:
                    return prop
    return None


def _key(iri: URIRef) -> bytes:
    return hashlib.blake2b(iri.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class SourceDates:
    """The first date each source was given, in this load and in ``store``, checked a batch of records at a time.

    One per load: :meth:`file` gives the check of each file read.
    """

    def __init__(self, store: Store | None) -> None:
        self.bound = issued_bound()
        # A store that dates no source (a fresh import's) is asked nothing: all it will hold is read here first.
        self.store = store if store is not None and self.bound is not None and dates_sources(store) else None
        self.table = DigestTable(3)
        self.files: list[str] = []

    def file(self, name: str) -> FileDates:
        """The check of one file's records (a file read twice is two, each with its own number)."""
        self.files.append(name)
        return FileDates(self, name, len(self.files) - 1)


class FileDates:
    """The date check of one file: :meth:`screen` its units; :meth:`forget` what they taught, to read it again."""

    def __init__(self, dates: SourceDates, name: str, number: int) -> None:
        self.dates, self.name, self.number = dates, name, number

    def forget(self) -> None:
        """Drop the dates this file's records gave (it is read again from its start)."""
        self.dates.table.drop(_FILE, self.number)

    def screen(self, units: Iterable[Unit]) -> Iterator[Unit]:
        """The units in their order, each giving a source a second date rejected (every row)."""
        if self.dates.bound is None:
            yield from units
            return
        batch: list[Unit] = []
        claims = 0
        for unit in units:
            batch.append(unit)
            claims += len(unit.claims)
            if claims >= BATCH_CLAIMS:
                yield from self._settle(batch)
                batch, claims = [], 0
        yield from self._settle(batch)

    def _known(self, sources: dict[URIRef, bytes]) -> dict[URIRef, tuple[set[str], str]]:
        """The dates given before this batch, by source: the table's first, else the store's; and where."""
        dates = self.dates
        iris = list(sources)
        found, rows = dates.table.find(list(sources.values()))
        known: dict[URIRef, tuple[set[str], str]] = {}
        for iri, held, (day, line, number) in zip(iris, found.tolist(), rows.tolist(), strict=True):
            if held:
                at = "" if line < 0 else f" at line {line}"
                known[iri] = ({date.fromordinal(day).isoformat()},
                              at + ("" if number == self.number else f" of {dates.files[number]}"))
        missing = [iri for iri in iris if iri not in known]
        if dates.store is not None and missing:
            for iri, stored in source_dates(dates.store, missing).items():
                known[iri] = (stored, " in the store")
        return known

    def _settle(self, batch: list[Unit]) -> Iterator[Unit]:
        sources: dict[URIRef, bytes] = {}
        for unit in batch:
            if not unit.rejects:
                for claim in unit.claims:
                    iri = claim.source.iri
                    if claim.source.issued is not None and iri not in sources:
                        sources[iri] = _key(iri)
        if not sources:
            yield from batch
            return
        known = self._known(sources)
        added: list[tuple[URIRef, date, int | None]] = []
        for unit in batch:
            if unit.rejects:
                yield unit
                continue
            line = unit.lines[0] if unit.lines else None
            own: dict[URIRef, tuple[set[str], str]] = {}  # this unit's dates, taken only if it passes
            conflict: tuple[Source, str, str] | None = None
            for claim in unit.claims:
                source = claim.source
                if source.issued is None:
                    continue
                day = source.issued.isoformat()
                before = known.get(source.iri) or own.get(source.iri)
                if before is None:
                    own[source.iri] = ({day}, "" if line is None else f" at line {line}")
                    added.append((source.iri, source.issued, line))
                elif day not in before[0]:
                    conflict = (source, day, f"{' and '.join(sorted(before[0]))}{before[1]}")
                    break
            if conflict is None:
                known.update(own)
                yield unit
                continue
            del added[len(added) - len(own):]
            yield self._reject(unit, line, *conflict)
        if added:
            self.dates.table.add([sources[iri] for iri, _day, _line in added],
                                 [(day.toordinal(), -1 if line is None else line, self.number)
                                  for _iri, day, line in added])

    def _reject(self, unit: Unit, line: int | None, source: Source, day: str, before: str) -> Unit:
        bound = self.dates.bound
        assert bound is not None
        what = source.url or str(source.iri)
        message = (f"SHACL: {bound.message} The source {what} is dated {before}; this record dates it {day} "
                   "(correct one of the two, or give the sources different URLs)")
        return reject_unit(self.name, unit.lines, [Reject(self.name, line, bound.name, message,
                                                          unit.records(line) or "")], unit.records)
