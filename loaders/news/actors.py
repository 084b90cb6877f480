"""Who acts in a sentence of news: states, organisations, armed forces, collectives, speakers and venues.

Actors are found in three steps, each general rather than keyed to a text:

1. names: the entity registry's states and the organisation gazetteer (``mention_finder``), with every
   state's capitals, demonyms and venue cities from ``loaders/data/news_states.csv``;
2. phrases built on names: a government named by its state ("the Malian government" is Mali), armed
   forces and units ("the Burkinabe army", "the army of Burkina Faso", and "the army" in a text about one
   state) as ``dt:Organization`` of that state, organisations named by their head noun ("the Justice
   and Equality Movement (JEM)", and "JEM" after that), and acronyms of armed groups ("the ADF rebels");
3. collectives: members of one organisation meeting ("European Union ministers") or the parties of one
   place ("political parties in Northern Ireland") count as several sides; an unnamed counterpart
   ("the government in exile", "the rebels") tells that a single named party has another side.

>>> from detente.loaders.registry import EntityRegistry
>>> registry = EntityRegistry()
>>> read = ActorReader(registry)
>>> found = read("The Malian government met the Justice and Equality Movement (JEM) and the Burkinabe army.")
>>> sorted(registry.get(m.iri).label for m in found.mentions if m.kind in ("state", "organization"))
['Burkina Faso army', 'Justice and Equality Movement', 'Mali']
>>> found = read("JEM rebels met the government in exile.")
>>> [registry.get(m.iri).label for m in found.mentions], found.counterpart
(['Justice and Equality Movement'], True)
>>> found = read("European Union ministers meet in Brussels.")
>>> [registry.get(i).label for i in found.collectives], [(m.text, m.kind) for m in found.mentions]
(['European Union'], [('European Union', 'organization'), ('Brussels', 'capital')])
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rdflib import URIRef

from detente.loaders.gazetteer import DATA, DEMONYMS, Mention, mention_finder, state_iri
from detente.loaders.linking import resolve_actor, resolve_by_initials
from detente.loaders.registry import EntityRegistry
from detente.ontology.vocab import DT

# -- names ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def state_names() -> tuple[tuple[str, str, str], ...]:
    """(name, ISO alpha-3, kind) for every capital, demonym and venue city of ``news_states.csv``."""
    out = []
    with (DATA / "news_states.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for column, kind in (("capitals", "capital"), ("demonyms", "demonym"), ("cities", "city")):
                out += [(name.strip(), row["iso3"], kind) for name in row[column].split("|") if name.strip()]
    return tuple(out)


def news_finder(registry: EntityRegistry) -> Callable[[str], list[Mention]]:
    """The gazetteer's mentions with the capitals, demonyms and cities of every state; longest names win.

    >>> find = news_finder(EntityRegistry())
    >>> [(m.text, m.kind) for m in find("Malian envoys met in Ouagadougou and Geneva.")]
    [('Malian', 'demonym'), ('Ouagadougou', 'capital'), ('Geneva', 'city')]
    """
    base = mention_finder(registry, demonyms=True, capitals=True)
    names: dict[str, tuple[URIRef, str]] = {}
    for name, code, kind in state_names():
        iri = state_iri(registry, code)
        if iri is not None:
            names.setdefault(name, (iri, kind))
    pattern = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) +
                         r")(?![\w])")

    def find(text: str) -> list[Mention]:
        found = base(text) + [Mention(m.start(), m.end(), m.group(0), *names[m.group(0)])
                              for m in pattern.finditer(text)]
        # a name after a prefix ("the Intra-SPLM Dialogue", "pro-Russian", "anti-Houthi") names no actor; a pair
        # of names ("the Ethiopia-Eritrea agreement") names both
        return _longest([m for m in found if not re.search(r"(?:\b[a-z]+|(?i:\b(?:intra|inter|pro|anti|non|pan|post|"
                                                            r"pre|ex|neo|counter)))-$", text[: m.start])])

    return find


def _longest(mentions: list[Mention]) -> list[Mention]:
    """Mentions that do not overlap, the longest first, in text order."""
    kept: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


# -- phrases built on names -------------------------------------------------------

_WORD = r"[A-Z][\w'’\-]*"
# A government, its authorities or its delegation stand for the state ("the Malian government").
_GOVERNMENT_AFTER = re.compile(r"^\s+(?i:(?:interim|transitional|central|federal|national|new|military)\s+)?"
                               r"(?:(?i:government|delegation)|authorities|regime|administration|leadership|negotiators|"
                               r"side)\b")
# Demonyms coordinated before "sides" or "parties" are the states: "the Georgian and Abkhaz parties", "the Greek and
# Turkish sides" ("Israeli parties" alone are a state's political parties).
_SIDES_AFTER = re.compile(r"^(?:(?:\s*,\s*|\s+and\s+)[A-Z][\w.'’]*)+\s+(?:sides|parties|delegations)\b")
# ... and so do its people acting for it, named by demonym: "Israeli and Palestinian negotiators",
# "Ethiopian officials" (plural nouns: "the U.S. special envoy" is a speaker who represents the state).
_ACTING_AFTER = re.compile(r"^(?:(?:\s*,\s*|\s+and\s+)[A-Z][\w.'’]*(?:\s+[A-Z][\w.'’]*)?)*\s+(?:officials|"
                           r"delegations?|delegates|negotiators|envoys|representatives|diplomats|leaders|ministers|"
                           r"authorities|mediators)\b")
# ... and so does "the Government of (the Republic of) X".
_GOVERNMENT_OF = re.compile(r"\b(?:the\s+)?(?:(?:interim|transitional|central|federal|national|new|military)\s+)?"
                            r"(?:government|authorities|regime|administration|leadership|delegation)\s+of\s+"
                            r"(?:the\s+)?(?:(?:Federal|Democratic|Islamic|United|People's|Arab|Socialist)\s+)*"
                            r"(?:Republic\s+of\s+(?:the\s+)?)?$", re.I)
# Armed forces and units of a state.
_UNIT = r"(?:armed forces|army|military|navy|air force|presidential guard|republican guard|national guard|" \
        r"revolutionary guards?|security forces|police|border guards?|coast guard)"
_UNIT_RE = re.compile(r"\b(?P<unit>(?i:" + _UNIT + r"))\b")
# "military" is mostly an adjective: it is the armed forces only before punctuation or a function word;
# the other units are nouns, except before the few nouns they qualify ("army chief", "police officers").
_AFTER_NOUN = re.compile(r"(?:\s*[^\w\s]|\s*$|\s+(?:and|or|of|to|in|on|at|with|from|has|had|have|is|are|was|were|"
                         r"will|would|could|may|might|said|says|agrees|signs|meets|holds|announces|denies|claims|"
                         r"warns|rejects|accepts|takes|took|began|begins|\w+ed)\b)")
_ATTRIBUTIVE = re.compile(r"\s+(?:chiefs?|commanders?|officers?|officials|bases?|spokes(?:man|woman|person)|"
                          r"headquarters|units?|personnel|vehicles?|operations?|activit(?:y|ies))\b", re.I)
# Organisations named by their head noun: "the Justice and Equality Movement (JEM)",
# "the Movement for Democratic Change".
# Forums whose members negotiate: "the National Roundtable for Dialogue and Negotiation"; a convention is such a
# body only with its acronym ("the Convention for a Democratic South Africa (CODESA)"), since most conventions
# are treaties.
# A peace conference that holds sessions is such a body too ("the 4th session of the Union Peace Conference").
_FORUM = r"(?:Round\s?[Tt]able|Convention(?=[^()]{0,80}\([A-Z]{2,}\))|Peace\s+Conference)"
_HEAD = r"(?:Front|Movement|Army|Council|Party|Alliance|Union|Forces|Brigades?|Coalition|Congress|" \
        r"Organi[sz]ation|Committee|Militia|Mujahideen|" + _FORUM + r")"
_ORG_NAME = re.compile(
    r"(?P<name>(?:" + _WORD + r"\s+(?:(?:and|of)\s+)?){0,5}" + _HEAD + r"\b(?:\s+(?:of|for)\s+(?:the\s+|an?\s+)?" +
    _WORD +
    r"(?:\s+(?:and\s+|of\s+|for\s+)?" + _WORD + r"){0,4})?)(?:\s*\((?P<acronym>[A-Z][A-Za-z]*[A-Z][A-Z/\-]*)\))?")
# Any name given with its acronym, the acronym spelling the name's initials: "the Parbattya Chattagram Jana
# Sanghati Samiti (PCJSS)", "the Convention des Patriotes pour la Justice et la Paix (CPJP)". Names of documents,
# processes and missions are not sides ("the Comprehensive Peace Agreement (CPA)").
_DEFINED_NAME = re.compile(r"(?P<name>[A-Z][\w'’\-]*(?:\s+(?:(?:of|for|and|the|de|des|du|la|le|les|pour|et|del|"
                           r"y|e|do|da|al|el)\s+)*[A-Z][\w'’\-]*){1,9})\s*\((?P<acronym>[A-Z][A-Za-z]*[A-Z][A-Z/\-]*)\)")
_NOT_SIDE_NAMES = re.compile(r"\b(?i:agreements?|accords?|protocols?|declarations?|treat(?:y|ies)|acts?|process|plan|"
                             r"framework|constitution|resolution|mission|programme|program|initiative|commission|"
                             r"operation|charter|memorandum|conference|law|court|tribunal|dialogue|roadmap|"
                             r"ceasefire|truce)$")
_AGREEMENT_OF = r"\b(?:agreement|accord|declaration)\s+of\s+the\b"
_NOT_NAME_START = {"The", "A", "An", "In", "On", "At", "By", "For", "Of", "And", "After", "Before", "While", "As",
                   "With", "From", "To", "This", "That", "Its", "Their", "His", "Her"}
_ACRONYM_GROUP = re.compile(r"\b(?P<acronym>[A-Z]{2,7}(?:[/\-][A-Z]{1,4})?)\s+(?:rebels?|militants?|fighters|"
                            r"insurgents?|guerr?ill(?:a|as|eros?)|militias?|movement|group|insurrection|rebellion|"
                            r"insurgency)\b")
# Where a side is expected: "between X", "an accord with X", "signed with X", "the rebel X".
_SIDE_SLOT = re.compile(r"(?:\bbetween|\b(?:agreement|accord|deal|pact|truce|ceasefire|talks|negotiations|signed|"
                        r"agreed|met|negotiated)\s+with|\b(?:rebel|armed|insurgent|guerr?illa|militia|opposition)"
                        r"(?:\s+(?:group|movement|faction|forces))?)\s+(?:the\s+)?$", re.I)
# A side named by its form alone where a side is expected (after "between", or coordinated with a side):
# an acronym ("between the government and CPN-M", "the Government of Colombia and EPL") or a hyphenated
# proper name after "the" ("the government of Afghanistan and the Hezb-I-Islami"). It must end there: a
# capitalised word after it makes it part of a longer name.
# Delegations named by their side, in pairs: "a meeting of the Bougainville Delegation and Papua New Guinea
# Delegation", "between the Karen delegation and the Kachin delegation" (one delegation alone may be anybody's).
_DELEGATION_PAIR = re.compile(r"(?P<a>[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*){0,3})\s+(?i:delegation)\s+and\s+(?:the\s+)?"
                              r"(?P<b>[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*){0,3})\s+(?i:delegation)\b")
# Peoples or communities as the sides of talks or an agreement: "negotiations between Bosnian Muslims and Serbs" (a
# shared modifier distributes: Bosnian Serbs), "talks brought together Croats, Bosnian Muslims, and Bosnian Serbs".
# Every item is a capitalised plural; a list of one is no side, nor is "power divided between Bosniacs and Croats".
_PEOPLE_ITEM = r"(?:[A-Z][a-z]+\s+)?[A-Z][a-z]+s"
_PEOPLES = re.compile(r"\b(?:(?i:talks|negotiations|meetings?|dialogue|consultations|agreement|accord|deal|truce|"
                      r"ceasefire)\s+between|brought\s+together)\s+(?:the\s+)?(?P<list>" + _PEOPLE_ITEM +
                      r"(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?:the\s+)?" + _PEOPLE_ITEM + r")+)\b")
_NOT_PEOPLES = {"Parties", "Sides", "Talks", "Negotiations", "Governments", "Nations", "States", "Mondays", "Tuesdays",
                "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays", "Years", "Days", "Weeks", "Months",
                "Ministers", "Ambassadors", "Experts", "Leaders", "Officials", "Delegates", "Delegations",
                "Representatives", "Members", "Diplomats", "Envoys", "Observers", "Heads", "Presidents", "Mediators"}
# A known organisation's acronym with a hyphenated word names its faction: "SPLM/A-North".
_FACTION_SUFFIX = re.compile(r"-(?P<suffix>[A-Z][a-z]{2,})\b(?!-)")
_FORM_SIDE = re.compile(r"(?<![\w/\-])(?P<name>[A-Z][A-Z0-9]{1,7}(?:\s?[/\-–]\s?[A-Z0-9]{1,5}){0,2}(?:\([A-Z]{1,5}\))?|"
                        r"(?<=the\s)[A-Z][a-z]+(?:-[A-Za-z]+){1,3})(?![\w/\-])(?!\s+[A-Z])")

# Collectives: members of one organisation, the parties of one place, an unnamed other side.
_MEMBERS = r"(?:(?:foreign|defen[cs]e|finance|interior|economy|trade|justice|energy)\s+)?(?:ministers|leaders|" \
           r"members|member states|heads of state(?: and government)?|heads of government|officials|envoys|" \
           r"delegates|representatives|diplomats|ambassadors)"
_MEMBERS_AFTER = re.compile(r"^(?:'s|’s)?\s+" + _MEMBERS + r"\b")
_MEMBERS_BEFORE = re.compile(r"\b" + _MEMBERS + r"\s+(?:of|from)\s+(?:the\s+)?$", re.I)
_DETERMINERS = {"Both", "All", "Two", "Three", "Several", "Many", "Other", "Some", "Most", "These", "Those", "Such",
                "Former", "Warring", "Participating", "Signatory", "Concerned", "Relevant", "Each", "Every"}
_GROUP = r"(?:rival\s+)?(?:political\s+)?(?:parties|factions|groups|clans)"
_GROUP_OF_PLACE = re.compile(r"(?P<group>(?i:" + _GROUP + r"))\s+(?:in|of|from)\s+(?P<place>" + _WORD +
                             r"(?:\s+" + _WORD + r"){0,3})")
_PLACE_GROUP = re.compile(r"(?P<place>" + _WORD + r"(?:\s+" + _WORD + r"){0,3})(?:'s|’s)?\s+(?P<group>(?:rival\s+)?"
                          r"(?:political\s+)?(?:parties|factions))\b")
_COUNTERPART = re.compile(r"\b(?:the|a|an)\s+(?:[\w\-]+\s+){0,2}?(?:government(?:\s+in\s+exile)?|rebels|insurgents|"
                          r"militants|separatists|opposition|junta|regime|guerrillas|militias?|kidnappers|captors|"
                          r"authorities|other side|(?:rebel|separatist|insurgent|opposition|militia)\s+"
                          r"(?:leaders?|leadership|groups?|movement|forces|commanders?))\b", re.I)
# A name coordinated with a side: "X and SPLM/A", "X and the Lord's Resistance Army/Movement".
_COORDINATED_NAME = re.compile(r"\s+and\s+(?:the\s+)?(?P<name>[A-Z][\w'’/\-]*)")
# Places named after a meeting or signing word that the gazetteer does not know: "signed in Skhirat".
_VENUE_WORDS = r"(?:talks|negotiations|meeting|summit|conference|met|meet|meets|held|hosted|gathered|convened|" \
               r"took place|signed|signing|concluded|initialled)"
_UNKNOWN_PLACE = re.compile(r"\b(?:(?i:" + _VENUE_WORDS + r")\b[^.;,]{0,30}?|"
                            r"(?i:signed|signing|concluded|initialled|reached|struck)"
                            r"\b[^.;]{0,240}?)\b(?:in|at)\s+(?:the\s+(?:city|town|village)\s+of\s+)?"
                            r"(?P<place>" + _WORD + r"(?:\s+" + _WORD + r"){0,2})")
_NOT_PLACES = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
               "The", "A", "An", "This", "That", "Parliament", "Congress", "Government", "Office"}


@dataclass
class SentenceActors:
    """The actors of one sentence.

    Its mentions (states, organisations, capitals, demonyms, venues), the organisations that act as several
    sides (members meeting, parties of a place), and whether an unnamed other side is there.
    """

    mentions: list[Mention]
    collectives: set[URIRef] = field(default_factory=set)
    counterpart: bool = False


class ActorReader:
    """Reads the actors of each sentence of one text, remembering what earlier sentences established.

    That is the one state a text is about (so "the army" is that state's army) and acronyms defined once.
    """

    def __init__(self, registry: EntityRegistry, finder: Callable[[str], list[Mention]] | None = None) -> None:
        self.registry = registry
        self.find = finder or news_finder(registry)
        self.states: list[URIRef] = []
        self.acronyms: dict[str, URIRef] = {}
        self.governments: list[URIRef] = []  # states whose government the text has named ("the Government of X")

    def __call__(self, sentence: str) -> SentenceActors:
        found = self.find(sentence)
        # "the Justice and Equality Movement (JEM)": the acronym in brackets repeats the name before it
        mentions = [m for m in found if not any(o.iri == m.iri and re.fullmatch(r"\s*\(", sentence[o.end: m.start])
                                                for o in found)]
        mentions = self._factions(sentence, mentions)
        self._remember_states(mentions)
        mentions = self._governments(sentence, mentions)
        mentions = _longest(mentions + self._the_government(sentence, mentions))
        mentions = _longest(mentions + self._units(sentence, mentions) + self._named(sentence, mentions))
        mentions = _longest(mentions + self._sides_by_form(sentence, mentions) + self._delegations(sentence, mentions)
                            + self._peoples(sentence, mentions))
        collectives: set[URIRef] = set()
        groups = self._groups(sentence, mentions, collectives)
        mentions = _longest(mentions + groups)
        named = [m for m in mentions if m.kind in ("state", "organization")]
        counterpart = any(not any(m.start < c.end() and c.start() < m.end for m in named)
                          for c in _COUNTERPART.finditer(sentence)) or self._unrecognised_side(sentence, named)
        mentions += self._venues(sentence, mentions)
        return SentenceActors(sorted(mentions, key=lambda m: m.start), collectives, counterpart)

    @staticmethod
    def _unrecognised_side(sentence: str, named: list[Mention]) -> bool:
        """Whether a named side is coordinated with a name nobody recognises.

        In "between the Government of Sudan and SPLM/A" the other side is there, named but unknown, so the one
        named side has its counterpart.
        """
        for m in named:
            other = _COORDINATED_NAME.match(sentence, m.end)
            if other and not any(n.start <= other.start("name") < n.end for n in named) and \
                    other.group("name").split()[0] not in _NOT_NAME_START:
                return True
        return False

    def _factions(self, sentence: str, mentions: list[Mention]) -> list[Mention]:
        """A known organisation's acronym with a hyphenated word is its faction: "SPLM/A-North"."""
        out = []
        for m in mentions:
            suffix = _FACTION_SUFFIX.match(sentence, m.end)
            entity = self.registry.get(m.iri) if m.kind == "organization" else None
            if suffix is None or entity is None or not re.fullmatch(r"[A-Z][A-Z/]*[A-Z]", m.text):
                out.append(m)
                continue
            label = f"{entity.label}-{suffix.group('suffix')}"
            text = sentence[m.start: suffix.end()]
            iri = self.registry.names.lookup(label) or self.registry.names.lookup(text) or \
                self.registry.mint(label, DT.Organization, aliases=[text])
            out.append(Mention(m.start, suffix.end(), text, iri, "organization"))
        return out

    def _delegations(self, sentence: str, mentions: list[Mention]) -> list[Mention]:
        """Sides named by their delegations, in pairs ("the Bougainville Delegation and Papua New Guinea Delegation").

        A name a mention already covers (a state) keeps its mention; an unknown one is a side of that name, when the
        other delegation is a known side's.
        """
        out = []
        for match in _DELEGATION_PAIR.finditer(sentence):
            known = [g for g in ("a", "b") if any(m.start < match.end(g) and match.start(g) < m.end and
                                                  m.kind in ("state", "demonym", "organization") for m in mentions)]
            if not known:
                continue  # "the Foreign Affairs Delegation and the Trade Delegation": neither is a known side's
            for group in ("a", "b"):
                start, end = match.start(group), match.end(group)
                words = sentence[start:end].split()
                while words and words[0] in _NOT_NAME_START:
                    start += len(words[0]) + 1
                    words = words[1:]
                if not words or any(m.start < end and start < m.end for m in mentions):
                    continue
                name = " ".join(words)
                iri = self.registry.names.lookup(name) or self.registry.mint(name, DT.Organization)
                out.append(Mention(start, end, name, iri, "organization"))
        return out

    def _peoples(self, sentence: str, mentions: list[Mention]) -> list[Mention]:
        """Peoples named as the sides of talks: "between Bosnian Muslims and Serbs" (Bosnian Muslims, Bosnian Serbs)."""
        out: list[Mention] = []
        for match in _PEOPLES.finditer(sentence):
            items = [(i.start(), i.group(0)) for i in re.finditer(_PEOPLE_ITEM, match.group("list"))]
            names = [text.split() for _at, text in items]
            if any(words[-1] in _NOT_PEOPLES for words in names):
                continue
            spans = [(match.start("list") + at, match.start("list") + at + len(text)) for at, text in items]
            if any(m.start < end and start < m.end and m.kind != "demonym" for start, end in spans for m in mentions):
                continue  # a state or organisation ("between the United States and the Philippines")
            if len(names[0]) == 2 and all(len(words) == 1 for words in names[1:]):
                names = [names[0]] + [[names[0][0], *words] for words in names[1:]]  # "Bosnian Muslims and Serbs"
            for (start, end), words in zip(spans, names, strict=True):
                name = " ".join(words)
                iri = self.registry.names.lookup(name) or self.registry.mint(name, DT.Organization)
                out.append(Mention(start, end, sentence[start:end], iri, "organization"))
        return out

    def _remember_states(self, mentions: list[Mention]) -> None:
        for m in mentions:
            if m.kind in ("state", "capital", "demonym") and m.iri not in self.states:
                self.states.append(m.iri)

    def _state_label(self, iri: URIRef) -> str:
        entity = self.registry.get(iri)
        return entity.label if entity is not None else iri.rsplit("/", 1)[-1]

    def _governments(self, sentence: str, mentions: list[Mention]) -> list[Mention]:
        out: list[Mention] = []
        for m in mentions:
            after = _GOVERNMENT_AFTER.match(sentence[m.end:])
            if m.kind == "demonym" and after:
                m = Mention(m.start, m.end + after.end(), sentence[m.start: m.end + after.end()], m.iri, "state")
            elif m.kind == "demonym" and (_SIDES_AFTER.match(sentence[m.end:]) or (
                    re.match(r"\s+(?:sides|parties|delegations)\b", sentence[m.end:]) and
                    any(o.kind in ("demonym", "state") and re.fullmatch(r"\s*(?:,\s*|,?\s+and\s+)",
                                                                         sentence[o.end: m.start]) for o in out))):
                m = Mention(m.start, m.end, m.text, m.iri, "state")  # "the Georgian and Abkhaz parties"
            elif m.kind == "demonym" and (acting := _ACTING_AFTER.match(sentence[m.end:])) and \
                    not REPORTING.match(sentence[m.end + acting.end():].lstrip()) and \
                    all(o.kind in ("demonym", "state") for o in mentions if m.end < o.start <= m.end + 40
                        and _ACTING_AFTER.match(sentence[o.end:])):
                m = Mention(m.start, m.end, m.text, m.iri, "state")
            elif m.kind == "state" and (before := _GOVERNMENT_OF.search(sentence[: m.start])):
                # "the Government of Sudan" is Sudan (one side), not Sudan beside an unnamed government
                m = Mention(before.start(), m.end, sentence[before.start(): m.end], m.iri, "state")
            out.append(m)
        return out

    def _the_government(self, sentence: str, mentions: list[Mention]) -> list[Mention]:
        """A text that has named one state's government means it by "the government".

        "The Government of Nepal and the CPN-M met in May. … the government and the CPN-M signed" is Nepal; with no
        government named before, or two, "the government" stays an unnamed counterpart.
        """
        for m in mentions:
            if m.kind == "state" and re.search(r"(?i:government|authorities|administration)", m.text) and \
                    m.iri not in self.governments:
                self.governments.append(m.iri)
        if len(self.governments) != 1:
            return []
        out = []
        for match in re.finditer(r"\bthe\s+(?:central\s+|national\s+|federal\s+)?government\b(?!\s+(?:of|in)\b)",
                                 sentence, re.I):
            if not any(m.start < match.end() and match.start() < m.end for m in mentions):
                out.append(Mention(match.start(), match.end(), match.group(0), self.governments[0], "state"))
        return out

    def _units(self, sentence: str, mentions: list[Mention]) -> list[Mention]:
        out = []
        for match in _UNIT_RE.finditer(sentence):
            unit = match.group("unit")
            if _ATTRIBUTIVE.match(sentence[match.end():]) if unit.lower() != "military" else \
                    not _AFTER_NOUN.match(sentence[match.end():]):
                continue  # "Russia's military activities", "army chief": the unit qualifies a noun
            state: URIRef | None = None
            start, end = match.start(), match.end()
            before = sentence[: match.start()]
            for m in mentions:  # "the Burkinabe army", "Burkina Faso's army"
                if m.kind in ("state", "demonym") and re.fullmatch(r"(?:'s|’s)?\s+", before[m.end:]) is not None:
                    state, start = m.iri, m.start
            of = re.match(r"\s+of\s+(?:the\s+)?", sentence[match.end():])
            if state is None and of:  # "the army of Burkina Faso"
                for m in mentions:
                    if m.start == match.end() + of.end() and m.kind == "state":
                        state, end = m.iri, m.end
            if state is None and len(self.states) == 1 and re.search(r"\bthe\s+$|\bof\s+$", before, re.I):
                state = self.states[0]  # "the army" in a text about one state
            if state is None:
                continue
            label = f"{self._state_label(state)} {unit.lower()}"
            iri = self.registry.mint(label, DT.Organization, country=state)
            out.append(Mention(start, end, sentence[start:end], iri, "organization"))
        return out

    def _named(self, sentence: str, mentions: list[Mention]) -> list[Mention]:
        out = []
        for match in _ORG_NAME.finditer(sentence):
            name, start = match.group("name"), match.start("name")
            words = name.split()
            while words and words[0] in _NOT_NAME_START:
                start += len(words[0]) + 1
                words = words[1:]
            for m in mentions:  # "Mali and Justice and Equality Movement": the name starts after the state
                joined = re.match(r"\s+(?:and|of)\s+", sentence[m.end:])
                if m.start <= start < m.end and joined and m.end + joined.end() < match.end("name"):
                    start = m.end + joined.end()
            words = sentence[start: match.end("name")].split()
            name = " ".join(words)
            if len(words) < 2 or any(m.start < match.end("name") and start < m.end for m in mentions
                                     if m.kind == "organization"):
                continue  # the gazetteer's name wins ("the African Union's Peace and Security Council")
            acronym = match.group("acronym")
            known = self.registry.names.lookup(acronym) if acronym else None
            if known is not None and ((entity := self.registry.get(known)) is None or entity.type == DT.State):
                known = None  # an acronym that names a state ("US") is no organisation's
            # A known acronym names the known organisation ("the National Liberation Army (ELN)" is the ELN);
            # a new one becomes the alias of the name it defines, without taking a name already given.
            names = self.registry.names  # the one resolver (detente.graph.entities)
            iri = names.lookup(name) or known or resolve_by_initials(self.registry, name) or self.registry.mint(
                name, DT.Organization, aliases=[acronym] if acronym and names.lookup(acronym) is None else [])
            if acronym:
                self.acronyms[acronym] = iri
            out.append(Mention(start, match.end(), sentence[start: match.end()], iri, "organization"))
        for match in _DEFINED_NAME.finditer(sentence):
            acronym = match.group("acronym")
            letters = re.sub(r"[^A-Z]", "", acronym)
            # the name is the longest run of words before the acronym whose capitals spell it
            starts = [w.start() for w in re.finditer(r"(?<!\S)[A-Z]\S*", match.group("name"))]
            # (in any order: an acronym of a name in another language, "the Coordination of Azawad Movements (CMA)")
            spelled = [s for s in starts if sorted(w[0] for w in match.group("name")[s:].split() if w[0].isupper())
                       == sorted(letters) and match.group("name")[s:].split()[0] not in _NOT_NAME_START]
            if not spelled:
                continue
            start = match.start("name") + spelled[0]
            name = " ".join(sentence[start: match.end("name")].split())
            taken = mentions + out
            if len(name.split()) < 2 or _NOT_SIDE_NAMES.search(name) or \
                    any(m.start < match.end() and start < m.end for m in taken) or \
                    self.registry.names.lookup(acronym) is not None:
                continue
            iri = self.registry.names.lookup(name) or self.registry.mint(name, DT.Organization, aliases=[acronym])
            self.acronyms[acronym] = iri
            out.append(Mention(start, match.end(), sentence[start: match.end()], iri, "organization"))
        for acronym, iri in self.acronyms.items():
            for match in re.finditer(r"(?<![\w/\-])" + re.escape(acronym) + r"(?![\w/\-])", sentence):
                out.append(Mention(match.start(), match.end(), acronym, iri, "organization"))
        for match in _ACRONYM_GROUP.finditer(sentence):
            acronym = match.group("acronym")
            if acronym in self.acronyms or any(m.start <= match.start() < m.end for m in mentions):
                continue
            iri = self.registry.names.lookup(acronym) or self.registry.mint(acronym, DT.Organization)
            self.acronyms[acronym] = iri
            out.append(Mention(match.start("acronym"), match.end("acronym"), acronym, iri, "organization"))
        return out

    def _sides_by_form(self, sentence: str, mentions: list[Mention]) -> list[Mention]:
        """Sides named by form where a side is expected: "between the government and CPN-M".

        The position is "between X", or "X and Y" / "X, Y and Z" with a known side or an unnamed counterpart
        ("the government") on the other side of the "and"; a name the gazetteer or an earlier phrase knows
        keeps its mention.
        """
        out = []
        sides = [(m.start, m.end) for m in mentions if m.kind in ("state", "organization")] + \
            [(c.start(), c.end()) for c in _COUNTERPART.finditer(sentence)]
        for match in _FORM_SIDE.finditer(sentence):
            name, start, end = match.group("name"), match.start("name"), match.end("name")
            if any(m.start < end and start < m.end for m in mentions) or name in self.acronyms:
                continue
            known = self.registry.names.lookup(name)
            if known is not None and ((entity := self.registry.get(known)) is None or entity.type == DT.State):
                continue  # a state's code the finder did not take ("US") is not a new side
            before, after = sentence[:start], sentence[end:]
            joined_before = re.search(r"(?:,\s*|\s+and\s+|\s+with\s+)(?:the\s+)?$", before)
            coordinated = joined_before is not None and any(e == joined_before.start() for _s, e in sides)
            and_after = re.match(r"\s*(?:,\s*|\s+and\s+)(?:the\s+)?", after)
            coordinated = coordinated or (and_after is not None and any(s == end + and_after.end() for s, _e in sides))
            if not (coordinated or _SIDE_SLOT.search(before)):
                continue
            if not re.match(r"\s*(?:[,.;:)]|$)|\s+[a-z]", after):
                continue  # it ends there, before a function word or a verb ("and EPL regulated")
            label = re.sub(r"\s+", "", name) if name.isupper() or "/" in name else name
            iri = known or self.registry.mint(label, DT.Organization)
            self.acronyms[name] = iri
            out.append(Mention(start, end, name, iri, "organization"))
            sides.append((start, end))  # "the Government of Liberia, LURD and MODEL": each makes the next a side
        return out

    def _groups(self, sentence: str, mentions: list[Mention], collectives: set[URIRef]) -> list[Mention]:
        out = []
        for m in mentions:  # "European Union ministers", "ministers of the European Union"
            if m.kind == "organization" and (_MEMBERS_AFTER.match(sentence[m.end:]) or
                                             _MEMBERS_BEFORE.search(sentence[: m.start])):
                collectives.add(m.iri)
        meets = re.search(r"\b(?:meet|meets|met|meeting|session|convened)\b|" + _AGREEMENT_OF, sentence, re.I)
        for m in mentions:  # a forum that meets is a meeting of its members ("the Roundtable … decided to meet")
            if meets and m.kind == "organization" and (entity := self.registry.get(m.iri)) is not None and \
                    re.search(r"\b(?:Round\s?table|Convention|Peace\s+Conference)\b", entity.label, re.I) and \
                    re.search(_FORUM, entity.label + " (" + "".join(a for a in entity.aliases[:1]) + ")"):
                collectives.add(m.iri)
        for pattern in (_GROUP_OF_PLACE, _PLACE_GROUP):  # "political parties in Northern Ireland"
            for match in pattern.finditer(sentence):
                place, group = match.group("place"), match.group("group").lower()
                if place.split()[0] in _NOT_NAME_START | _DETERMINERS or \
                        (group == "parties" and pattern is _GROUP_OF_PLACE):
                    continue  # "Both parties", "the parties in Lusaka": the parties to something, not a place's
                if pattern is _PLACE_GROUP and any(m.kind == "state" and
                                                   re.fullmatch(r"\s*(?:,\s*|,?\s+and\s+)", sentence[m.end:
                                                                                                    match.start()])
                                                   for m in mentions):
                    continue  # "the Georgian and Abkhaz parties": the sides of a conflict, not a place's parties
                inner = [m for m in mentions if match.start("place") <= m.start and m.end <= match.end("place")]
                if any(m.kind == "organization" for m in inner):
                    collectives.update(m.iri for m in inner if m.kind == "organization")
                    continue
                country = next((m.iri for m in inner if m.kind in ("state", "demonym", "capital")), None)
                details: dict[str, Any] = {"country": country} if country is not None else {}
                iri = self.registry.mint(f"{place} {group}", DT.Organization, **details)
                collectives.add(iri)
                out.append(Mention(match.start(), match.end(), match.group(0), iri, "organization"))
        return out

    def _venues(self, sentence: str, mentions: list[Mention]) -> list[Mention]:
        out = []
        for match in _UNKNOWN_PLACE.finditer(sentence):
            place = match.group("place")
            start = match.start("place")
            if place.split()[0] in _NOT_PLACES or any(m.start < start + len(place) and start < m.end for m in mentions):
                continue
            iri = self.registry.mint(place, DT.Venue)
            out.append(Mention(start, start + len(place), place, iri, "venue"))
        return out


# -- speakers -------------------------------------------------------------------

REPORTING = re.compile(r"\b(?:announced|announces|announce|said|says|told|stated|states|declared|declares|"
                        r"confirmed|confirms)\b")
_BY_SPEAKER = re.compile(r"\b(?:announced|said|confirmed|stated|declared|reported)\s+by\s+(?:the\s+)?", re.I)
_ACCORDING = re.compile(r"\baccording to\s+(?:the\s+)?", re.I)
_ROLES = (r"special envoy|envoy|peace envoy|negotiator|chief negotiator|ambassador|mediator|foreign minister|"
          r"defen[cs]e minister|prime minister|minister|president|spokes(?:man|woman|person)|secretary of state|"
          r"official|national security adviser|adviser")
_ROLE_NP = re.compile(r"(?:(?i:the|a|an)\s+)?(?P<np>(?:(?P<state>[A-Z][\w.'’]*(?:\s+[A-Z][\w.'’]*)?)(?:'s|’s)?\s+)?"
                      r"(?P<mods>(?i:(?:special|chief|top|senior|deputy|peace|presidential|foreign)\s+)*)"
                      r"(?P<role>(?i:" + _ROLES + r")))"
                      r"(?:\s+(?P<name>[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,2}))?\s*,?\s*$",
                      re.I)
_NAME = re.compile(r"(?:(?:President|Minister|Prime Minister|Foreign Minister|Envoy|Ambassador|Secretary)\s+)?"
                   r"(?P<name>[A-Z][a-z][\w'’\-]+(?:\s+[A-Z][a-z][\w'’\-]+){1,2})\s*,?\s*$")
_ENVOY_ROLES = {"envoy", "special envoy", "peace envoy", "negotiator", "chief negotiator", "ambassador", "mediator"}



def actor_mentions(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """Mentions that can name an actor: states and organisations; capitals only beside another actor."""
    out = []
    for m in mentions:
        if m.kind in ("demonym", "city", "venue"):
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


def find_speaker(sentence: str, mentions: list[Mention], registry: EntityRegistry) -> _Speaker | None:
    """Who announces or says what the sentence reports: "U.S. special envoy announced", "said by X"."""
    for match in _BY_SPEAKER.finditer(sentence):
        found = _speaker_np(sentence[match.end():], match.end(), mentions, registry, after=True)
        if found:
            return found
    for match in _ACCORDING.finditer(sentence):
        found = _speaker_np(sentence[match.end():], match.end(), mentions, registry, after=True)
        if found:
            return found
    for match in REPORTING.finditer(sentence):
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
            # ... or speaking through its government or officials: "U.S. officials said", "the U.S. government said"
            if not rest or re.fullmatch(r"(?:the|a)|(?:the\s+)?(?:government|officials?|authoritie?s?|(?:foreign\s+)?"
                                        r"ministry)", rest, re.I):
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
        iri = resolve_actor(registry, label, role=(role.group("mods") + role_name).strip(), represents=represents,
                            entity_type=cls) or \
            registry.mint(label, cls, **details)
        return _Speaker(iri, start + role.start("np"), start + role.end())
    named = _NAME.search(stripped)
    if named and not any(start + named.start("name") <= m.start < start + named.end("name") for m in mentions):
        iri = registry.mint(named.group("name"), DT.Person)
        return _Speaker(iri, start + named.start("name"), start + named.end("name"))
    return None


