"""News text (``.txt``, ``.md``, ``.html``) → candidate claims, by offline rules.

Source metadata comes from YAML front matter (a ``---`` block at the top with
``url``, ``title``, ``publisher``, ``published``, ``type``) or, for what the
front matter does not give, from :class:`~detente.loaders.base.LoadOptions`
(``detente load --source-url --title --publisher --published``). HTML is
reduced to text with trafilatura, whose metadata (URL, title, site name,
date) fills what is still missing.

The text is split into sentences; each sentence is read by rules
(:func:`extract_claims`), with actors found by the entity registry's state
names and aliases, demonyms (Ukrainian, U.S., Saudi…), capitals standing for
states in actor position ("between Kyiv and Moscow") and a small gazetteer of
organisations (``loaders/data/organisations.csv``):

* agreement — agree/sign/reach an agreement, or a ceasefire, with two or more
  parties: confidence 0.85 with a speaker, 0.8 without, 0.6 when only a noun
  names it ("the Oslo accords");
* exchange — exchange/swap/release with an exact count of prisoners (a
  one-sided release is a ``dt:Event`` "Prisoner release by X"): 0.75; an
  announced release without an exact count: 0.6;
* talks — talks/negotiations/meet with two or more parties: 0.7, 0.75 with a
  venue ("talks continue in Saudi Arabia", "talks in Doha" → a ``dt:Venue``);
* confirmation — "confirmed by X" / "X confirmed" about an agreement, exchange
  or talks of the same sentence or, for "the agreement", "the deal"…, of an
  earlier sentence: 0.8, said by the confirmer;
* mediation — "mediated/brokered/hosted by X", "X mediated": ``dt:mediatedBy``
  on the talks or agreement of the sentence.

Precision on the hard cases: an agreement needs a verb (agree, sign, reach,
strike or announce a deal; a noun alone, "the Oslo accords", is a mention in
passing); "agrees to begin talks" is talks to come; background events
("previous exchanges") are skipped; negation in the six words before a trigger
(not, n't, failed to, refused, rejected, denied, no longer…) gives
``dt:status "rejected"`` and modality (may, could, will, proposed, plans to…)
``dt:status "proposed"`` — except what an actor announces it will do itself.
Armed groups (FARC, the Houthis…) are ``dt:Organization`` from the gazetteer;
"the African Union's Peace and Security Council" is that council, not the UN
Security Council nor the African Union.

When loading into a store, the extracted events are linked before they are
minted (:func:`detente.loaders.linking.link_extracted`): an event the store
already holds keeps the store's IRI, a near match becomes a candidate.

Parties are the states and organisations named outside the speaker's phrase,
the venue ("in X") and the mediator; capitals count only beside another actor
("between Kyiv and Moscow"); demonyms only qualify speakers ("U.S. special
envoy" → represents the United States). An announcement is recorded as
``dt:announcedBy`` on what is announced, not as a separate event.

Each claim records the sentence as its quote with character offsets
(``dt:quoteStart``/``dt:quoteEnd``, ``text[start:end] == quote``) into the
file's text (front matter included; for HTML, into the extracted text),
the speaker (``dt:saidBy``: "U.S. special envoy announced" → a ``dt:Envoy``
who ``dt:represents`` the United States; "confirmed by the Kyiv
Independent"), and the activity ``news-rules:v1``.

Dates: "Wednesday", "yesterday", "today", "last week", "this week", "last month", "earlier this month",
"March 12", "12 March 2025" and "in March" are resolved against the
publication date. The resolved date is ``dt:startDate`` of the event or
agreement, and its precision is stated beside it as ``dt:datePrecision``
("day", "week" or "month") in the same claim — precision is a property of
what the source says about the event, so it lives with the date it
qualifies. A week ("last week") is stated as the Monday of that week with
precision "week".

Extracted events and agreements get IRIs from the source and the sentence
offset (``dtr:agreement/news-<digest>``), so loading a file twice adds nothing.

>>> from datetime import date
>>> from detente.loaders.registry import EntityRegistry
>>> text = "Ukraine and Russia agreed to exchange 314 prisoners, the U.S. special envoy announced Wednesday."
>>> source = Source.from_metadata(url="https://example.org/a")
>>> claims = extract_claims(text, source, date(2025, 3, 12), EntityRegistry())
>>> sorted(str(o) for s, p, o in claims[0].statements if p == DT.prisonerCount or p == DT.startDate)
['2025-03-12', '314']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from detente.graph.claims import Activity, Claim, Source, digest
from detente.graph.terms import Triple
from detente.loaders.base import FieldError, LoadContext, ParseResult, Reject, make_source, parse_date
from detente.loaders.gazetteer import DEMONYMS, Mention, mention_finder, state_iri
from detente.loaders.linking import link_extracted, resolve_actor
from detente.loaders.registry import Entity, EntityRegistry
from detente.ontology.vocab import DT, DTR

ACTIVITY = Activity(method="news-rules:v1",
                    label="candidate claims extracted from news text by detente's sentence rules")
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")

# -- sentences ----------------------------------------------------------------

_ABBREVIATIONS = {"U.S.", "U.K.", "U.N.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Gen.", "Lt.", "Col.", "Sen.", "Rep.",
                  "Gov.", "Jan.", "Feb.", "Mar.", "Apr.", "Aug.", "Sept.", "Sep.", "Oct.", "Nov.", "Dec.", "No.",
                  "vs.", "e.g.", "i.e.", "Prof.", "Jr.", "Sr.", "Inc.", "Corp.", "Co.", "Ltd.", "Capt.", "Maj."}
_BOUNDARY = re.compile(r"[.!?][\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|\n\s*\n|\n(?=\s*[#*\-])|\n")


def sentences(text: str, offset: int = 0) -> list[tuple[int, int, str]]:
    """Sentences as (start, end, text), offsets into ``text`` (plus ``offset``); abbreviations do not end them.

    >>> [s for _, _, s in sentences("The U.S. envoy spoke. Talks went on.\\nNew line")]
    ['The U.S. envoy spoke.', 'Talks went on.', 'New line']
    """
    out: list[tuple[int, int, str]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.group(0)[0] in ".!?":
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
_MONTH_RE = r"(?P<month>" + "|".join(m.capitalize() for m in _MONTHS) + r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
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


# -- rules --------------------------------------------------------------------

_AGREE_VERB = re.compile(r"\b(?:agree[sd]?|agreeing|signs?|signed|signing|reach(?:es|ed)?\s+(?:an?\s+)?(?:agreement|deal|accord)|"
                         r"(?:announc\w*|strik(?:e|es)|struck|seal\w*|clinch\w*|conclud\w*|unveil\w*)\s+(?:an?\s+|the\s+)?"
                         r"(?:\w+\s+)?(?:deal|agreement|accord|pact|truce|ceasefire))\b", re.I)
_AGREE_NOUN = re.compile(r"\b(?:agreements?|deal|accords?|pact|treaty)\b", re.I)
_CEASEFIRE = re.compile(r"\b(?:ceasefire|cease-fire|truce|armistice)\b", re.I)
_CEASEFIRE_ACT = re.compile(r"\b(?:declar\w*|announc\w*|agree\w*|sign\w*|reach\w*|broker\w*|call\w* a|begins?|took effect|"
                            r"takes effect|came into force|comes into force|observ\w*)\b", re.I)
_TALKS = re.compile(r"\b(?:talks|negotiations?|negotiat(?:e|es|ed|ing)|summit|meet(?:s|ing)?|met)\b", re.I)
_DURING_TALKS = re.compile(r"\b(?:during|at|in)\s+(?:the\s+)?(?:\w+\s+){0,3}(?:talks|negotiations|summit|meeting)\b", re.I)
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                 "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
                 "hundred": 100, "a hundred": 100}
_NUM = r"(?P<n>\d{1,3}(?:,\d{3})+|\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_PEOPLE = r"(?:prisoners?(?:\s+of\s+war)?|POWs|detainees|captives|hostages|spies|servicemen|soldiers|civilians)"
_COUNT = re.compile(_NUM + r"(?:\s+|-)(?:[a-z]+\s+){0,2}?" + _PEOPLE + r"\b|" + _NUM.replace("?P<n>", "?P<n2>") +
                    r"-prisoner\b")
_EXCHANGE = re.compile(r"\b(?:exchang\w*|swap\w*)\b", re.I)
_RELEASE = re.compile(r"\breleas(?:e|es|ed|ing)\b(?:\W+\w+){0,5}?\W+(?:\d[\d,]*\s+)?" + _PEOPLE + r"\b", re.I)
_APPROXIMATE = re.compile(r"(?:more than|over|about|around|nearly|almost|at least|up to|some|roughly|hundreds of|"
                          r"thousands of|dozens of)\s*$", re.I)
_REPORTING = re.compile(r"\b(?:announced|announces|announce|said|says|told|stated|states|declared|declares|"
                        r"confirmed|confirms)\b")
_BY_SPEAKER = re.compile(r"\b(?:announced|said|confirmed|stated|declared|reported)\s+by\s+(?:the\s+)?", re.I)
_ACCORDING = re.compile(r"\baccording to\s+(?:the\s+)?", re.I)
_MEDIATOR_BY = re.compile(r"\b(?:mediated|brokered|facilitated|hosted)\s+by\s+(?:the\s+)?$", re.I)
_MEDIATOR_AFTER = re.compile(r"^\s*[-–]?(?:mediated|brokered|facilitated|hosted|mediates|mediating|hosts|hosting|"
                             r"brokers|facilitates)\b", re.I)
# Negation and modality in the words just before a trigger ("failed to agree", "may hold talks").
_NEGATION = re.compile(r"\b(?:not|never|no longer|failed to|fails to|fail to|refus(?:e|es|ed|ing) to|rejects?|rejected|"
                       r"den(?:y|ies|ied)|declin(?:e|es|ed) to|pulled out of|pulls out of|withdr[ae]w from|boycott(?:s|ed)?|"
                       r"call(?:s|ed)? off|cancel(?:s|led|ed)?|collapsed?)\b|n't\b", re.I)
_MODALITY = re.compile(r"\b(?:may|might|could|would|should|will|shall|plans? to|planned|propos(?:e|es|ed|al)|"
                       r"to begin|to hold|to start|to resume|set to|expected to|hopes? to|seeks? to|aims? to|"
                       r"call(?:s|ed)? for|urg(?:e|es|ed)|offer(?:s|ed)? to|ready to|possible|potential)\b", re.I)
# "X announces it will release…": what an actor announces it will do itself is the announced event.
_SELF_ANNOUNCED = re.compile(r"\bannounc(?:e|es|ed)\s+(?:that\s+)?(?:it|they|he|she)\s+will\s+$", re.I)
# "agrees to begin military-to-military talks": an agreement to talk is talks to come, not an agreement.
_AGREE_TO_TALK = re.compile(r"\bagree(?:s|d)?\s+to\s+(?:begin|hold|start|resume|open|launch|continue)\b", re.I)
# "Previous exchanges", "earlier talks": background, not this story's event.
_BACKGROUND = re.compile(r"\b(?:previous|prior|earlier|past|former|last year's|each|every|any|such)\s+(?:\w+\s+)?$", re.I)
_CONFIRMED_BY = re.compile(r"\bconfirmed\s+by\s+(?:the\s+)?$", re.I)
_VENUE_BEFORE = re.compile(r"\b(?:talks|negotiations|meeting|summit|met|meet|meets|held|hosted|gathered)\b"
                           r"[^.;,]{0,30}\b(?:in|at)\s+(?:the\s+)?$", re.I)
_AGREED_BY = re.compile(r"\b(?:agreed|signed|accepted|reached|concluded|endorsed)\s+by\s+(?:the\s+)?$", re.I)
_QUALIFIER = re.compile(r"(?:'s|’s)\s+")
_NOT_PARTY_BEFORE = re.compile(r"\b(?:in|at|near|to|by)\s+(?:(?:the|a|an)\s+)?$")
_ROLES = (r"special envoy|envoy|peace envoy|negotiator|chief negotiator|ambassador|mediator|foreign minister|"
          r"defen[cs]e minister|prime minister|minister|president|spokes(?:man|woman|person)|secretary of state|"
          r"official|national security adviser|adviser")
_ROLE_NP = re.compile(r"(?:(?i:the|a|an)\s+)?(?P<np>(?:(?P<state>[A-Z][\w.'’]*(?:\s+[A-Z][\w.'’]*)?)(?:'s|’s)?\s+)?"
                      r"(?P<mods>(?i:(?:special|chief|top|senior|deputy|peace|presidential|foreign)\s+)*)"
                      r"(?P<role>(?i:" + _ROLES + r")))(?:\s+(?P<name>[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,2}))?\s*,?\s*$",
                      re.I)
_NAME = re.compile(r"(?:(?:President|Minister|Prime Minister|Foreign Minister|Envoy|Ambassador|Secretary)\s+)?"
                   r"(?P<name>[A-Z][a-z][\w'’\-]+(?:\s+[A-Z][a-z][\w'’\-]+){1,2})\s*,?\s*$")
_ENVOY_ROLES = {"envoy", "special envoy", "peace envoy", "negotiator", "chief negotiator", "ambassador", "mediator"}
_COREF = re.compile(r"\b(?:the|this|that)\s+(?P<what>agreement|deal|accord|exchange|swap|talks|negotiations|ceasefire|"
                    r"truce)\b", re.I)


@dataclass
class _Document:
    """What earlier sentences introduced, for "the agreement" in later ones."""

    last: dict[str, URIRef] = field(default_factory=dict)


def _mode(sentence: str, position: int) -> str | None:
    """``rejected``, ``proposed`` or None for a trigger at ``position``, from the six words before it."""
    head = sentence[:position]
    window = " ".join(re.split(r"\s+", head.rstrip())[-6:]) + " "
    if _NEGATION.search(window):
        return "rejected"
    if _SELF_ANNOUNCED.search(head):
        return None
    if _MODALITY.search(window):
        return "proposed"
    return None


def _number(text: str) -> int:
    text = text.lower().replace(",", "")
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def _count(sentence: str) -> int | None:
    for match in _COUNT.finditer(sentence):
        raw = match.group("n") or match.group("n2")
        if _APPROXIMATE.search(sentence[: match.start()]):
            return None
        try:
            return _number(raw)
        except (KeyError, ValueError):
            continue
    return None


def _actor_mentions(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """Mentions that can name an actor: states and organisations; capitals only beside another actor."""
    out = []
    for m in mentions:
        if m.kind == "demonym":
            continue
        if m.kind == "capital":
            before, after = sentence[: m.start], sentence[m.end:]
            if not (re.search(r"\b(?:and|between|with)\s+$", before) or re.match(r"\s+(?:and|,)\s", after)):
                continue
        out.append(m)
    return out


@dataclass
class _Speaker:
    iri: URIRef
    start: int
    end: int
    is_mention: bool = False  # the speaker is itself a named actor ("Cuba announces"), so it may be a party


def _speaker(sentence: str, mentions: list[Mention], registry: EntityRegistry) -> _Speaker | None:
    """Who announces or says what the sentence reports: "U.S. special envoy announced", "said by X"."""
    for match in _BY_SPEAKER.finditer(sentence):
        found = _speaker_np(sentence[match.end():], match.end(), mentions, registry, after=True)
        if found:
            return found
    for match in _ACCORDING.finditer(sentence):
        found = _speaker_np(sentence[match.end():], match.end(), mentions, registry, after=True)
        if found:
            return found
    for match in _REPORTING.finditer(sentence):
        head = sentence[: match.start()]
        clause_start = max(head.rfind(","), head.rfind(";"), head.rfind("—"), -1) + 1
        if clause_start and not head[clause_start:].strip():
            clause_start = max(head[: clause_start - 1].rfind(","), -1) + 1
        found = _speaker_np(head[clause_start:], clause_start, mentions, registry, after=False)
        if found:
            return found
    return None


def _represented(text: str, start: int, mentions: list[Mention], registry: EntityRegistry) -> URIRef | None:
    for m in mentions:
        if start <= m.start < start + len(text) and m.kind in ("state", "demonym", "capital"):
            return m.iri
    for name, code in DEMONYMS.items():
        if re.search(r"(?<![\w.])" + re.escape(name) + r"(?!\w)", text):
            return state_iri(registry, code)
    return None


def _speaker_np(text: str, start: int, mentions: list[Mention], registry: EntityRegistry,
                *, after: bool) -> _Speaker | None:
    if after:
        # "confirmed by the Kyiv Independent, …": the phrase runs to the next comma.
        text = re.split(r"[,;]| and | that | on | in ", text, maxsplit=1)[0]
    stripped = text.rstrip()
    # A known actor that is the whole phrase: "Cuba announces", "confirmed by the Kyiv Independent".
    for m in mentions:
        if m.kind in ("state", "organization") and start <= m.start and m.end <= start + len(stripped):
            rest = (text[: m.start - start] + text[m.end - start:]).strip(" ,.'’s")
            if not rest or rest.lower() in ("the", "a"):
                return _Speaker(m.iri, m.start, m.end, is_mention=True)
    role = _ROLE_NP.search(stripped)
    if role:
        role_name = role.group("role").lower()
        represents = _represented(role.group("np"), start + role.start("np"), mentions, registry)
        person_name = role.group("name")
        cls = DT.Envoy if role_name in _ENVOY_ROLES else DT.Person
        if person_name:
            label = person_name
        elif represents is not None:
            label = re.sub(r"\s+", " ", role.group("np")).strip()
        else:
            return None  # "an official said": nobody in particular
        details: dict[str, Any] = {"represents": represents} if represents is not None else {}
        iri = resolve_actor(registry, label, role=(role.group("mods") + role_name).strip(), represents=represents) or \
            registry.mint(label, cls, **details)
        return _Speaker(iri, start + role.start("np"), start + role.end())
    named = _NAME.search(stripped)
    if named and not any(start + named.start("name") <= m.start < start + named.end("name") for m in mentions):
        iri = registry.mint(named.group("name"), DT.Person)
        return _Speaker(iri, start + named.start("name"), start + named.end("name"))
    return None


def _event_iri(kind: str, source: Source, quote_start: int) -> URIRef:
    segment = "agreement" if kind in ("agreement", "ceasefire") else "event"
    return DTR[f"{segment}/news-{digest(str(source.iri), kind, str(quote_start), length=16)}"]


def _is_minted(node: object) -> bool:
    return isinstance(node, URIRef) and str(node).startswith((str(DTR) + "agreement/news-", str(DTR) + "event/news-"))


def _label(registry: EntityRegistry, iris: list[URIRef]) -> str:
    names = [(registry.get(i).label if registry.get(i) else i.rsplit("/", 1)[-1]) for i in iris]  # type: ignore[union-attr]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def extract_claims(text: str, source: Source, published: date | None, registry: EntityRegistry, *,
                   offset: int = 0, finder: Callable[[str], list[Mention]] | None = None) -> list[Claim]:
    """Candidate claims from a text by the sentence rules (see the module docstring).

    Offsets are into ``text`` plus ``offset``; ``published`` anchors relative dates.
    """
    find = finder or mention_finder(registry, demonyms=True, capitals=True)
    document = _Document()
    claims: list[Claim] = []
    for start, _end, sentence in sentences(text, offset):
        claims.extend(_sentence_claims(sentence, start, source, published, registry, find, document))
    return claims


def _sentence_claims(sentence: str, start: int, source: Source, published: date | None, registry: EntityRegistry,
                     find: Callable[[str], list[Mention]], document: _Document) -> list[Claim]:
    mentions = find(sentence)
    speaker = _speaker(sentence, mentions, registry)
    actors = _actor_mentions(sentence, mentions)
    venue: URIRef | None = None
    mediators: list[URIRef] = []
    confirmers: list[URIRef] = []
    parties: list[URIRef] = []
    for m in actors:
        before, after = sentence[: m.start], sentence[m.end:]
        if speaker is not None and not speaker.is_mention and speaker.start <= m.start < speaker.end:
            continue
        if _CONFIRMED_BY.search(before):
            confirmers.append(m.iri)
        elif _MEDIATOR_BY.search(before) or _MEDIATOR_AFTER.match(after):
            mediators.append(m.iri)
        elif _VENUE_BEFORE.search(before) and m.kind in ("state", "capital"):
            venue = venue or m.iri
        elif _QUALIFIER.match(after) and any(o.start == m.end + len(_QUALIFIER.match(after).group(0))  # type: ignore[union-attr]
                                             and o.kind == "organization" for o in mentions):
            continue  # "the African Union's Peace and Security Council": the body acts, not its parent
        elif (_NOT_PARTY_BEFORE.search(before) and not _AGREED_BY.search(before)) or m.kind == "organization" \
                and registry.get(m.iri) is not None and registry.get(m.iri).type == DT.NewsOrganization:  # type: ignore[union-attr]
            continue
        elif m.iri not in parties:
            parties.append(m.iri)
    for m in mentions:
        # "talks in Doha": a capital after a meeting word names the venue, a dt:Venue in that state.
        if venue is None and m.kind == "capital" and _VENUE_BEFORE.search(sentence[: m.start]):
            venue = registry.mint(m.text, DT.Venue, country=m.iri)
    parties = [p for p in parties if p not in mediators and p != venue]
    when = resolve_date(sentence, published)
    quote_end = start + len(sentence)
    out: list[Claim] = []
    said_by = speaker.iri if speaker else None
    used: list[URIRef] = [*parties, *mediators, *confirmers, *([venue] if venue else []), *([said_by] if said_by else [])]

    def claim(statements: list[Triple], confidence: float, speaker_iri: URIRef | None = said_by) -> Claim:
        return Claim(statements=statements, source=source, said_by=speaker_iri, quote=sentence,
                     confidence=confidence, quote_start=start, quote_end=quote_end, activity=ACTIVITY)

    def dated(node: URIRef) -> list[Triple]:
        if when is None:
            return []
        return [(node, DT.startDate, Literal(when.value.isoformat(), datatype=XSD.date)),
                (node, DT.datePrecision, Literal(when.precision))]

    def new_node(kind: str, cls: URIRef, label: str) -> URIRef:
        node = _event_iri(kind, source, start)
        registry.add(Entity(node, cls, label))
        used.append(node)
        return node

    count = _count(sentence)
    agree_verb = _AGREE_VERB.search(sentence)
    agree_noun = _AGREE_NOUN.search(sentence)
    ceasefire = _CEASEFIRE.search(sentence)
    talks_match = _TALKS.search(sentence)
    exchange = _EXCHANGE.search(sentence)
    release = _RELEASE.search(sentence)
    agreement: URIRef | None = None
    talks: URIRef | None = None

    agree_to_talk = _AGREE_TO_TALK.search(sentence)
    if agree_to_talk and talks_match:
        agree_verb = None  # an agreement to talk is talks to come
    talks_mode = "proposed" if agree_to_talk and talks_match else (_mode(sentence, talks_match.start()) if talks_match else None)
    if talks_match and len(parties) >= 2 and not _BACKGROUND.search(sentence[: talks_match.start()]):
        talks = new_node("talks", DT.Talks, f"Talks between {_label(registry, parties)}")
        statements: list[Triple] = [(talks, RDF.type, DT.Talks)]
        statements += [(talks, DT.hasParty, p) for p in parties]
        if venue is not None:
            statements.append((talks, DT.heldAt, venue))
        statements += [(talks, DT.mediatedBy, m) for m in mediators]
        if talks_mode is not None:
            statements.append((talks, DT.status, Literal(talks_mode)))
        if not (agree_verb or ceasefire or (exchange and count)):
            statements += dated(talks)
        out.append(claim(statements, (0.75 if venue is not None else 0.7) - (0.1 if talks_mode else 0.0)))
        document.last["talks"] = talks

    # An agreement is what the sentence says is agreed, signed or reached (or a ceasefire declared);
    # a noun alone ("the 1979 Egypt–Israel Peace Treaty", "the Oslo accords") is a mention in passing.
    trigger = agree_verb or (ceasefire if ceasefire and _CEASEFIRE_ACT.search(sentence) else None)
    agree_mode = _mode(sentence, trigger.start()) if trigger else None
    if trigger and len(parties) >= 2:
        cls = DT.Ceasefire if ceasefire else DT.Agreement
        what = f" to exchange {count} prisoners" if count and exchange else ""
        agreement = new_node("ceasefire" if ceasefire else "agreement", cls,
                             f"{'Ceasefire' if ceasefire else 'Agreement'} between {_label(registry, parties)}{what}")
        statements = [(agreement, RDF.type, cls)]
        statements += [(agreement, DT.hasParty, p) for p in parties]
        if count and (exchange or release):
            statements.append((agreement, DT.prisonerCount, Literal(count)))
        if talks is not None and _DURING_TALKS.search(sentence):
            statements.append((agreement, DT.reachedDuring, talks))
        if said_by is not None and _REPORTING.search(sentence) and re.search(r"announc", sentence, re.I):
            statements.append((agreement, DT.announcedBy, said_by))
        statements += [(agreement, DT.mediatedBy, m) for m in mediators]
        if agree_mode is not None:
            statements.append((agreement, DT.status, Literal(agree_mode)))
        statements += dated(agreement)
        confidence = (0.85 if said_by else 0.8) - (0.15 if agree_mode else 0.0)
        out.append(claim(statements, confidence))
        document.last["agreement"] = agreement
    elif count and (exchange or release) and parties and (len(parties) >= 2 or release):
        cls = DT.PrisonerExchange if exchange or len(parties) >= 2 else DT.Event
        kind = "exchange" if cls == DT.PrisonerExchange else "release"
        label = (f"Prisoner exchange between {_label(registry, parties)}" if kind == "exchange"
                 else f"Prisoner release by {_label(registry, parties)}")
        event = new_node(kind, cls, label)
        statements = [(event, RDF.type, cls)]
        statements += [(event, DT.hasParty, p) for p in parties]
        statements.append((event, DT.prisonerCount, Literal(count)))
        trigger_at = (exchange or release).start()  # type: ignore[union-attr]
        exchange_mode = _mode(sentence, trigger_at)
        if exchange_mode is not None:
            statements.append((event, DT.status, Literal(exchange_mode)))
        if said_by is not None and re.search(r"announc", sentence, re.I):
            statements.append((event, DT.announcedBy, said_by))
        statements += [(event, DT.mediatedBy, m) for m in mediators]
        statements += dated(event)
        out.append(claim(statements, 0.75))
        document.last["exchange"] = event
    elif release and parties and re.search(r"\bannounc", sentence, re.I):
        # "Cuba announces it will release more than 3,500 prisoners": a release without an exact count.
        event = new_node("release", DT.Event, f"Prisoner release by {_label(registry, parties)}")
        statements = [(event, RDF.type, DT.Event)]
        statements += [(event, DT.hasParty, p) for p in parties]
        if said_by is not None:
            statements.append((event, DT.announcedBy, said_by))
        statements += dated(event)
        out.append(claim(statements, 0.6))
        document.last["exchange"] = event

    if confirmers or (said_by is not None and re.search(r"\bconfirm", sentence, re.I) and not out):
        target = agreement or talks
        if target is None:
            coref = _COREF.search(sentence)
            if coref:
                what = coref.group("what").lower()
                key = ("agreement" if what in ("agreement", "deal", "accord", "ceasefire", "truce")
                       else "talks" if what in ("talks", "negotiations") else "exchange")
                target = document.last.get(key) or document.last.get("agreement")
        if target is not None:
            for confirmer in confirmers or [said_by]:  # type: ignore[list-item]
                out.append(claim([(target, DT.confirmedBy, confirmer)], 0.8, speaker_iri=confirmer))
    if out:
        registry.mark_used(used)
    return out


# -- files --------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict[str, Any], int]:
    """YAML front matter and the offset where the body starts.

    >>> split_front_matter("---\\nurl: https://x.org/a\\n---\\nBody")
    ({'url': 'https://x.org/a'}, 29)
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    try:
        data = yaml.safe_load(match.group(1)) or {}
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
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        result.rejects.append(Reject(name, None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
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
        minted = [s for c in claims for s, p, _o in c.statements if p == RDF.type and _is_minted(s)]
        result.raw_quads += "".join(d.nquads() for d in link_extracted(claims, ctx.store, ctx.registry, minted))
    for claim in claims:
        result.claims.append(claim)
        # Point errors at the line the quote starts on.
        result.origins[claim.iri] = text.count("\n", 0, claim.quote_start or 0) + 1
    return result


__all__ = ["ACTIVITY", "SUFFIXES", "sentences", "ResolvedDate", "resolve_date", "extract_claims",
           "split_front_matter", "is_news_text", "parse_news"]
