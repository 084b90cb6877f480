"""One publication date per source, across records, chunks, files and loads.

The ontology's shapes give a source at most one publication date
(``sh:maxCount 1`` on ``dct:issued``). No single record can break that bound,
so the per-record checks compiled from the shapes
(:mod:`detente.loaders.shapes`) do not see it: two records, maybe far apart,
in two files or two loads, give one source (one URL) two dates, and the store
would hold both. :class:`SourceDates` checks each record, as it is read,
against the dates given before it: by the records read earlier in this load
and by the store. A record giving a second date is rejected (file, line,
field ``published``), naming the first date and where it was given; the same
date again is no conflict.

What the load has read is kept as integers (:class:`~detente.graph.arrays.KeyIndex`,
40 bytes a dated source, found by a binary search per record), not as a Python
object per source; the sources met since the last merge wait in a small dict.
A store that dates no source yet (a first import) is asked nothing. One that
does is asked once per :data:`BATCH_CLAIMS` claims, for the sources of those
claims the load has not met: the records then wait in a batch for its answer.

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
from typing import cast

from rdflib.namespace import DCTERMS

from detente.graph.arrays import KeyIndex
from detente.graph.claims import Source
from detente.graph.store import Store
from detente.graph.summary import dates_any_source, dates_of_sources
from detente.loaders.base import Reject
from detente.loaders.shapes import PropertyCheck, compiled_shapes
from detente.loaders.stream import Unit, reject_unit
from detente.ontology.vocab import DT

#: Claims read before the store is asked, at once, for the dates of their sources (when it dates sources at all).
BATCH_CLAIMS = 2000
#: Sources waiting in a dict before they are merged into the index (a few hundred kB).
MERGE_SOURCES = 5000

_STORE = -1  # the file number of a date the store gave
_NO_LINE = -1

#: The dates given a source before a record, and where: ISO dates (one, but for a store that holds several), line,
#: file number.
Given = tuple[tuple[str, ...], int, int]


@lru_cache(maxsize=1)
def issued_bound() -> PropertyCheck | None:
    """The shapes' ``sh:maxCount 1`` on a source's ``dct:issued`` (None if the shapes set no such bound)."""
    for check in compiled_shapes():
        if DT.Source in check.target_classes:
            for prop in check.properties:
                if prop.path == DCTERMS.issued and prop.max_count == 1 and prop.violation:
                    return prop
    return None


def _ordinal(day: str) -> int | None:
    """The ordinal of an ISO date's text (None for any other text a store may hold as a date)."""
    try:
        return date.fromisoformat(day).toordinal()
    except ValueError:
        return None


def _check_hash(iri: str) -> int:
    """A second, independent 64-bit hash: the index's key is Python's, so a match is a 128-bit match."""
    return int.from_bytes(hashlib.blake2b(iri.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big",
                          signed=True)


class SourceDates:
    """The dates each source was given in this load and in ``store``; one per load, :meth:`file` per file read."""

    def __init__(self, store: Store | None) -> None:
        self.bound = issued_bound()
        # A store that dates no source (a first import's) is asked nothing: all it will hold is read here first.
        self.store = store if store is not None and self.bound is not None and dates_any_source(store) else None
        # Rows: str hash of the IRI (the key), its blake2b hash, the date's ordinal, line, file number.
        self.index = KeyIndex(5)
        self.waiting: dict[str, Given] = {}  # met since the last merge, by IRI
        # Sources the store dates by a text that is no ISO date (an xsd:dateTime written by an update, say): kept
        # as text, never merged (the index holds a date's ordinal).
        self.odd: dict[str, Given] = {}
        self.files: list[str] = []

    def file(self, name: str) -> FileDates:
        """The check of one file's records (a file read twice is two, each with its own number)."""
        self.files.append(name)
        return FileDates(self, name, len(self.files) - 1)

    def given(self, iri: str) -> Given | None:
        """What the load knows of this source's dates (the store's too, once asked), or None."""
        found = self.waiting.get(iri) or self.odd.get(iri)
        if found is not None:
            return found
        rows = self.index.find(str.__hash__(iri))
        if rows:
            check = _check_hash(iri)
            rows = [row for row in rows if row[0] == check]
            if rows:
                return (tuple(date.fromordinal(row[1]).isoformat() for row in rows), rows[0][2], rows[0][3])
        return None

    def remember(self, iri: str, given: Given) -> None:
        if given[2] == _STORE:  # the store's texts, as a record's date is written: ISO, or kept as they are
            ordinals = [_ordinal(day) for day in given[0]]
            if None in ordinals:
                self.odd[iri] = given
                return
            given = (tuple(date.fromordinal(cast(int, o)).isoformat() for o in ordinals), given[1], given[2])
        self.waiting[iri] = given
        if len(self.waiting) >= MERGE_SOURCES:
            self.merge()

    def merge(self) -> None:
        """Move the waiting sources into the index."""
        self.index.add([(str.__hash__(iri), _check_hash(iri), cast(int, _ordinal(day)), line, number)
                        for iri, (days, line, number) in self.waiting.items() for day in days])
        self.waiting.clear()


class FileDates:
    """The date check of one file: :meth:`screen` its units; :meth:`forget` what they taught, to read it again."""

    def __init__(self, dates: SourceDates, name: str, number: int) -> None:
        self.dates, self.name, self.number = dates, name, number
        self._last: Source | None = None  # the last source accepted: claims of one source follow each other

    def forget(self) -> None:
        """Drop the dates this file's records gave (it is read again from its start)."""
        dates = self.dates
        dates.waiting = {iri: given for iri, given in dates.waiting.items() if given[2] != self.number}
        dates.odd = {iri: given for iri, given in dates.odd.items() if given[2] != self.number}
        dates.index.drop(4, self.number)
        self._last = None

    def screen(self, units: Iterable[Unit]) -> Iterator[Unit]:
        """The units in their order, each giving a source a second date rejected (every row)."""
        if self.dates.bound is None:
            yield from units
        elif self.dates.store is None:
            for unit in units:
                yield self._check(unit)
        else:
            batch: list[Unit] = []
            claims = 0
            for unit in units:
                batch.append(unit)
                claims += len(unit.claims)
                if claims >= BATCH_CLAIMS:
                    yield from self._ask_store(batch)
                    batch, claims = [], 0
            yield from self._ask_store(batch)

    def _ask_store(self, batch: list[Unit]) -> Iterator[Unit]:
        """The batch checked, after the store's dates of the sources the load has not met are remembered."""
        dates = self.dates
        assert dates.store is not None
        unmet = {claim.source.iri for unit in batch if not unit.rejects for claim in unit.claims
                 if claim.source.issued is not None and dates.given(claim.source.iri) is None}
        for iri, stored in dates_of_sources(dates.store, sorted(unmet)).items():
            dates.remember(iri, (tuple(sorted(stored)), _NO_LINE, _STORE))
        for unit in batch:
            yield self._check(unit)

    def _check(self, unit: Unit) -> Unit:
        if unit.rejects:
            return unit
        dates = self.dates
        line = unit.lines[0] if unit.lines else None
        own: dict[str, Given] = {}  # this unit's new sources, remembered only if it passes
        for claim in unit.claims:
            source = claim.source
            if source is self._last or source.issued is None:
                continue
            day = source.issued.isoformat()
            before = own.get(source.iri) or dates.given(source.iri)
            if before is None:
                own[source.iri] = ((day,), _NO_LINE if line is None else line, self.number)
            elif day not in before[0]:
                return self._reject(unit, line, source, day, before)
        for iri, given in own.items():
            dates.remember(iri, given)
        self._last = unit.claims[-1].source if unit.claims else self._last
        return unit

    def _where(self, given: Given) -> str:
        """Where a date was given, as the message says it (" at line 2 of a.csv", " in the store")."""
        _days, line, number = given
        if number == _STORE:
            return " in the store"
        return ("" if line == _NO_LINE else f" at line {line}") + (
            "" if number == self.number else f" of {self.dates.files[number]}")

    def _reject(self, unit: Unit, line: int | None, source: Source, day: str, before: Given) -> Unit:
        bound = self.dates.bound
        assert bound is not None
        what = source.url or str(source.iri)
        message = (f"SHACL: {bound.message} The source {what} is dated {' and '.join(sorted(before[0]))}"
                   f"{self._where(before)}; this record dates it {day} (correct one of the two, or give the "
                   "sources different URLs)")
        return reject_unit(self.name, unit.lines, [Reject(self.name, line, bound.name, message,
                                                          unit.records(line) or "")], unit.records)


__all__ = ["BATCH_CLAIMS", "FileDates", "SourceDates", "issued_bound"]
