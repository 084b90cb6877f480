"""Sentences and dates of news text: where claims are quoted from and when events happened."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

# -- sentences ----------------------------------------------------------------

_ABBREVIATIONS = {"U.S.", "U.K.", "U.N.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Gen.", "Lt.", "Col.", "Sen.", "Rep.",
                  "Gov.", "Jan.", "Feb.", "Mar.", "Apr.", "Aug.", "Sept.", "Sep.", "Oct.", "Nov.", "Dec.", "No.",
                  "vs.", "e.g.", "i.e.", "Prof.", "Jr.", "Sr.", "Inc.", "Corp.", "Co.", "Ltd.", "Capt.", "Maj."}
# A full stop glued to the next sentence ("in Skhirat.The accord") ends a sentence too, when a lower-case
# word of two letters or more comes before it (so "U.S.", "St.Petersburg" and "example.org" do not).
_BOUNDARY = re.compile(r"[.!?][\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|(?<=[a-z]{2}\.)(?=[A-Z][a-z])|\n\s*\n|"
                       r"\n(?=\s*[#*\-])|\n")


def sentences(text: str, offset: int = 0) -> list[tuple[int, int, str]]:
    r"""Sentences as (start, end, text), offsets into ``text`` (plus ``offset``); abbreviations do not end them.

    >>> [s for _, _, s in sentences("The U.S. envoy spoke. Talks went on.\nNew line")]
    ['The U.S. envoy spoke.', 'Talks went on.', 'New line']
    >>> [s for _, _, s in sentences("It was signed in Skhirat.The accord holds.")]
    ['It was signed in Skhirat.', 'The accord holds.']
    """
    out: list[tuple[int, int, str]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if not match.group(0):  # a glued full stop: the boundary is right after it
            if text[start: match.start()].split()[-1] in _ABBREVIATIONS:
                continue
            end = match.start()
        elif match.group(0)[0] in ".!?":
            before = text[start: match.start() + 1].split()
            if before and before[-1] in _ABBREVIATIONS:
                continue
            end = match.start() + len(match.group(0).rstrip())
        else:
            end = match.start()
        _add_sentence(out, text, start, end, offset)
        start = match.end()
    _add_sentence(out, text, start, len(text), offset)
    return out


def _add_sentence(out: list[tuple[int, int, str]], text: str, start: int, end: int, offset: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    s = start + lead
    out.append((s + offset, s + len(stripped) + offset, stripped))


# -- dates --------------------------------------------------------------------

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_MONTH_RE = (r"(?P<month>" + "|".join(m.capitalize() for m in _MONTHS)
             + r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)")
_DATE_PATTERNS = [
    ("weekday", re.compile(r"\b(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("yesterday", re.compile(r"\byesterday\b", re.I)),
    ("today", re.compile(r"\btoday\b", re.I)),
    ("last week", re.compile(r"\blast week\b", re.I)),
    ("this week", re.compile(r"\b(?:this|earlier this) week\b", re.I)),
    ("this month", re.compile(r"\b(?:this|earlier this) month\b", re.I)),
    ("last month", re.compile(r"\blast month\b", re.I)),
    ("month day", re.compile(_MONTH_RE + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?\b")),
    ("day month", re.compile(r"\b(?P<day>\d{1,2})\s+" + _MONTH_RE + r"(?:\s+(?P<year>\d{4}))?\b")),
    ("in month", re.compile(r"\bin\s+" + _MONTH_RE + r"(?:\s+(?P<year>\d{4}))?\b")),
]
_FUTURE = re.compile(r"\b(?:will|next|to be held|scheduled|planned|is set to|are set to)\b", re.I)


@dataclass(frozen=True)
class ResolvedDate:
    """A date expression of the text, resolved against the publication date."""

    value: date
    precision: str  # "day" or "month"
    text: str
    start: int


def _month_number(name: str) -> int:
    key = name.lower().rstrip(".")[:3]
    return [m[:3] for m in _MONTHS].index(key) + 1


def resolve_date(sentence: str, published: date | None) -> ResolvedDate | None:
    """The first date expression of a sentence, resolved against ``published``.

    >>> resolve_date("talks resumed on Wednesday", date(2025, 3, 12)).value
    datetime.date(2025, 3, 12)
    >>> resolve_date("they met yesterday", date(2025, 3, 12)).value
    datetime.date(2025, 3, 11)
    >>> r = resolve_date("signed in February", date(2025, 3, 12)); (r.value, r.precision)
    (datetime.date(2025, 2, 1), 'month')
    """
    found: list[tuple[int, str, re.Match[str]]] = []
    for kind, pattern in _DATE_PATTERNS:
        match = pattern.search(sentence)
        if match:
            found.append((match.start(), kind, match))
    if not found:
        return None
    _, kind, match = min(found, key=lambda f: f[0])
    explicit_year = match.groupdict().get("year")
    if published is None and not (kind in ("month day", "day month") and explicit_year):
        return None
    pub = published or date(1, 1, 1)
    future = bool(_FUTURE.search(sentence[: match.start()]))
    try:
        if kind == "weekday":
            wanted = _WEEKDAYS.index(match.group("weekday").lower())
            if future:
                value, precision = pub + timedelta(days=(wanted - pub.weekday()) % 7 or 7), "day"
            else:
                value, precision = pub - timedelta(days=(pub.weekday() - wanted) % 7), "day"
        elif kind == "yesterday":
            value, precision = pub - timedelta(days=1), "day"
        elif kind == "today":
            value, precision = pub, "day"
        elif kind == "last week":
            monday = pub - timedelta(days=pub.weekday())
            value, precision = monday - timedelta(days=7), "week"
        elif kind == "this week":
            value, precision = pub - timedelta(days=pub.weekday()), "week"
        elif kind == "this month":
            value, precision = pub.replace(day=1), "month"
        elif kind == "last month":
            first = pub.replace(day=1) - timedelta(days=1)
            value, precision = first.replace(day=1), "month"
        else:
            month = _month_number(match.group("month"))
            year = int(explicit_year) if explicit_year else (pub.year if month <= pub.month or future else pub.year - 1)
            if kind == "in month":
                value, precision = date(year, month, 1), "month"
            else:
                value, precision = date(year, month, int(match.group("day"))), "day"
    except ValueError:
        return None
    return ResolvedDate(value, precision, match.group(0), match.start())


