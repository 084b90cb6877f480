"""The sentence rules: which events, agreements and exchanges a sentence asserts, and with what status."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeGuard

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from detente.graph.claims import Activity, Claim, Source, digest
from detente.graph.terms import Triple
from detente.loaders.gazetteer import Mention
from detente.loaders.news.actors import REPORTING, ActorReader, SentenceActors, actor_mentions, find_speaker
from detente.loaders.news.text import resolve_date, sentences
from detente.loaders.registry import Entity, EntityRegistry
from detente.ontology.vocab import DT, DTR

ACTIVITY = Activity(method="news-rules:v5",
                    label="candidate claims extracted from news text by detente's sentence rules")

# -- rules --------------------------------------------------------------------

# "sign" is a verb only before what is signed or with whom ("sign a deal", "signs with"); otherwise it is the
# noun ("the first clear sign of offensive weapons").
_AGREEMENT_NOUN = r"(?:agreements?|deals?|accords?|treat(?:y|ies)|pacts?|truces?|ceasefires?|cease-fires?|" \
                  r"armistices?|memorand(?:um|a)|protocols?|declarations?|conventions?|charters?|communiqu[eé]s?|road\s?maps?)"
_SIGN_AS_VERB = r"(?=\s+(?:(?:an?|the|their|its|two|three|several)\s+)?(?:[\w\-]+\s+){0,3}" + _AGREEMENT_NOUN + \
                r"\b|\s+(?:on|with|off)\b)"
_AGREE_VERB = re.compile(r"(?<![\w]-)\b(?:agree[sd]?|agreeing|signs?" + _SIGN_AS_VERB + r"|signed|signing|"
                         r"initial(?:l)?ed" + _SIGN_AS_VERB + r"|"
                         r"reach(?:es|ed)?\s+(?:an?\s+|the\s+)?(?:[\w\-]+\s+){0,2}?(?:agreement|deal|accord|truce|"
                         r"ceasefire|cease-fire|understanding|settlement)|"
                         r"(?:announc\w*|strik(?:e|es)|struck|seal\w*|clinch\w*|conclud\w*|unveil\w*)\s+(?:an?\s+|the\s+)?"
                         r"(?:\w+\s+)?(?:deal|agreement|accord|pact|truce|ceasefire))\b", re.I)
# The passive: "a peace deal was reached between Ethiopia and Eritrea", "a truce was brokered".
_PASSIVE_AGREEMENT = re.compile(r"\b" + _AGREEMENT_NOUN + r"\s+(?:[\w\-]+\s+){0,8}?(?:was|were|has been|have been|"
                                r"had been)\s+(?:reached|struck|concluded|brokered|sealed|clinched|initial(?:l)?ed)\b",
                                re.I)
_AGREEMENT_WORD = re.compile(r"\b" + _AGREEMENT_NOUN + r"\b", re.I)
_CEASEFIRE = re.compile(r"\b(?:ceasefire|cease-fire|truce|armistice)\b", re.I)
_CEASEFIRE_ACT = re.compile(r"\b(?:declar\w*|announc\w*|agree(?:s|d|ing)?\b|sign\w*|reach\w*|broker\w*|call\w* a|"
                            r"begins?|took effect|takes effect|came into force|comes into force|observ\w*)\b", re.I)
# A talks word after a prefix ("the Pre-Negotiations Principles") names something else.
_TALKS = re.compile(r"(?<![\w]-)\b(?:talks|negotiations?|negotiat(?:e|es|ed|ing)|summit|meet(?:s|ings?)?|met)\b",
                    re.I)
# An agreement the sentence says talks produced: "This agreement resulted from the second round of negotiations
# between X and Y", "signed after several meetings between X and Y", "Resulting from a meeting of A and B, this
# agreement…", "negotiations between X and Y resulted in this accord". The talks are an event and the agreement
# another, between the same sides.
_OUTCOME_FROM = re.compile(r"\b(?:result(?:ed|ing|s)?\s+from|(?:came|comes|signed|concluded|reached|adopted|"
                           r"initial(?:l)?ed|agreed)\s+(?:after|during|following)|emerged\s+from)\b", re.I)
_OUTCOME_IN = re.compile(r"\bresult(?:ed|ing|s)?\s+in\b", re.I)
# "the 2010 accord", "the 1976 Tripoli Agreement": an agreement named by its year is one already known.
_DATED_NAME = re.compile(r"\b(?:1[89]|20)\d\d(?:'s|’s)?\s+(?:[A-Z][\w\-]*\s+){0,3}$")
_OUTCOME_TALKS = re.compile(r"(?<![\w]-)\b(?:talks|negotiations|meetings?|sessions?|consultations)\b", re.I)
_DURING_TALKS = re.compile(r"\b(?:during|at|in)\s+(?:the\s+)?(?:\w+\s+){0,3}(?:talks|negotiations|summit|meeting)\b",
                           re.I)
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                 "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
                 "hundred": 100, "a hundred": 100}
_NUM = r"(?P<n>\d{1,3}(?:,\d{3})+|\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_PEOPLE = r"(?:prisoners?(?:\s+of\s+war)?|POWs|detainees|captives|hostages|spies|servicemen|soldiers|civilians|" \
          r"journalists|activists|dissidents)"
_COUNT = re.compile(_NUM + r"(?:\s+|-)(?:[A-Za-z\-]+\s+){0,2}?" + _PEOPLE + r"\b|" + _NUM.replace("?P<n>", "?P<n2>") +
                    r"-prisoner\b")
_EXCHANGE = re.compile(r"\b(?:exchang\w*|swap\w*)\b", re.I)
_RELEASE = re.compile(r"\breleas(?:e|es|ed|ing)\b(?:\W+\w+){0,5}?\W+(?:\d[\d,]*\s+)?" + _PEOPLE + r"\b", re.I)
_APPROXIMATE = re.compile(r"(?:more than|over|about|around|nearly|almost|at least|up to|some|roughly|hundreds of|"
                          r"thousands of|dozens of)\s*$", re.I)
_MEDIATOR_BY = re.compile(r"\b(?:(?:mediated|brokered|facilitated|hosted)\s+(?:between\s[^.;]{0,60}\s)?by"
                          r"(?:\s+(?:the\s+)?(?:former|then|ex-))?|"
                          r"under\s+the\s+(?:aegis|auspices)\s+of|"
                          r"with\s+the\s+mediation\s+of)\s+(?:the\s+)?$", re.I)
# "US president Jimmy Carter", "Norway's envoy Erik Solheim": a person named after a state and a title.
_ROLE_NAME_AFTER = re.compile(r"(?:'s|’s)?\s+(?:(?i:president|prime minister|foreign minister|minister|emir|king|"
                              r"envoy|special envoy|secretary of state|ambassador)\s+)"
                              r"(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2})")
_MEDIATOR_AFTER = re.compile(r"^\s*[-–]?(?:mediated|brokered|facilitated|hosted|mediates|mediating|hosts|hosting|"
                             r"brokers|facilitates)\b", re.I)
# Negation and modality in the words just before a trigger ("failed to agree", "may hold talks").
_NEGATION = re.compile(r"\b(?:not|never|no longer|failed to|fails to|fail to|refus(?:e|es|ed|ing) to|rejects?|rejected|"
                       r"den(?:y|ies|ied)|declin(?:e|es|ed) to|pulled out of|pulls out of|withdr[ae]w from|"
                       r"boycott(?:s|ed)?|call(?:s|ed)? off|cancel(?:s|led|ed)?|collapsed?)\b|n't\b", re.I)
_MODALITY = re.compile(r"\b(?:(?-i:may|might)|could|would|should|will|shall|plans? to|planned|propos(?:e|es|ed|al)|"
                       r"to begin|to hold|to start|to resume|set to|expected to|decid(?:e|es|ed) to|hopes? to|"
                       r"seeks? to|aims? to|(?:time|date|dates|agenda|timetable)\s+for|"
                       r"call(?:s|ed)? for|urg(?:e|es|ed)|offer(?:s|ed)? to|ready to|possible|potential)\b", re.I)
# ... or in the words just after it, in the same clause ("talks between X and Y collapsed").
_NEGATION_AFTER = re.compile(r"^[^.;]{0,60}?\b(?:collapsed|broke down|fell through|failed|ended without|stalled|"
                             r"(?:was|were|have been|has been) (?:called off|cancell?ed|suspended|rejected))\b", re.I)
_MODALITY_AFTER = re.compile(r"^[^.;]{0,60}?\b(?:(?:was|were|has been|have been) postponed|(?:is|are) (?:due|scheduled|"
                             r"expected|set) to|(?:will|would) (?:be held|take place|begin|start|resume))\b", re.I)
_NOTHING_AFTER = re.compile(r"\s+(?:nothing|no\b(?!\s+(?:later|sooner|earlier|more|less)\b))", re.I)
# Where one clause ends and another with its own subject begins ("X and Y agreed…, while Z and W met").
_CLAUSE_BREAK = re.compile(r";|,?\s+(?:while|whereas|but|meanwhile)\s+|,\s+and\s+(?=(?:the\s+)?[A-Z])")
# "not signed but initialled": the agreement was made, in another form.
_BUT_MADE = re.compile(r"\s+but\s+(?:was\s+|were\s+)?(?:initial(?:l)?ed|agreed|reached|concluded|accepted|adopted)\b",
                       re.I)
# "X announces it will release…": what an actor announces it will do itself is the announced event.
_SELF_ANNOUNCED = re.compile(r"\bannounc(?:e|es|ed)\s+(?:that\s+)?(?:it|they|he|she)\s+will\s+$", re.I)
# "agrees to begin military-to-military talks": an agreement to talk is talks to come, not an agreement.
_AGREE_TO_TALK = re.compile(r"\bagree(?:s|d)?\s+to\s+(?:begin|hold|start|resume|open|launch|continue|meet)\b", re.I)
# "formal talks between the parties", "The parties agreed to meet": talks whose sides are the parties the text has
# named (its last event's), where "the parties" are the sides of these talks.
# "The parties agreed…", "Both sides signed…" after talks whose sides the text named, and before any agreement.
_PARTIES_AGREE = re.compile(r"^(?:(?:In|On|By)\s+[^,]{1,30},\s+)?(?i:the|both)\s+(?:two\s+)?(?:parties|sides)\s+"
                            r"(?:(?:also|finally|eventually|then)\s+)?(?:agreed|signed|reached|initial(?:l)?ed)\b")
_PARTIES_OF_TALKS = re.compile(r"\b(?:talks|negotiations|meetings?)\s+between\s+(?:the|both)\s+(?:two\s+)?"
                               r"(?:parties|sides)\b|^(?:The|Both)\s+(?:two\s+)?(?:parties|sides)\s+(?:also\s+)?"
                               r"agreed\s+to\s+(?:meet|hold|resume|start|begin|continue)\b")
# "the previously signed agreements", "the agreed ceasefire": a participle that qualifies an agreement noun
# names an agreement already made (a mention in passing), not one this sentence reports.
_ATTRIBUTIVE_BEFORE = re.compile(r"\b(?:the|a|an|its|their|these|those|previously|already|earlier|recently|newly|"
                                 r"jointly|mutually)\s+$", re.I)
_ATTRIBUTIVE_AFTER = re.compile(r"^\s+(?:[\w\-]+\s+){0,2}?" + _AGREEMENT_NOUN + r"\b", re.I)
# "Previous exchanges", "earlier talks": background, not this story's event.
_BACKGROUND = re.compile(r"\b(?:previous|prior|earlier|past|former|last year's|each|every|any|such)\s+(?:\w+\s+)?$",
                         re.I)
# "future negotiations between the parties", "continued talks": talks in general terms are no event.
_GENERAL_TALKS = re.compile(r"\b(?:future|continued|continuing|eventual|subsequent)\s+(?:[\w\-]+\s+)?$", re.I)
# UCDP-style summaries introduce the agreement they describe as their subject, by a demonstrative or by its
# title, with its sides: "This agreement between the Government of Colombia and EPL regulated…", "The Ceasefire
# Agreement between the Transitional Government of Burundi and CNDD-FDD brought…". Only the subject at the start
# of a sentence counts, and only before the text has introduced an agreement (after that, "the agreement
# between X and Y" refers back to it); an agreement named inside a sentence stays a mention in passing.
_TITLE_WORD = r"(?:[A-Z0-9][\w'’\-]*|of|on|for|and|the|in|to)"
_SUBJECT_AGREEMENT = re.compile(
    r"^(?:(?:In|With|Under)\s+)?(?:This|These|(?:This|It)\s+(?:is|was)\s+(?:an?|the)|"
    r"(?:The|An?)(?=\s+(?:[A-Z0-9]|(?:\w+\s+){0,2}[A-Z])))\s+"
    r"(?:(?:[A-Z0-9][\w'’\-]*|short|final|partial|comprehensive|peace|ceasefire|framework|interim|new|"
    r"general|global|political|bilateral|preliminary)\s+){0,6}(?i:" + _AGREEMENT_NOUN + ")" +
    r"(?:\s+(?:on|of|for|concerning)\s+(?:" + _TITLE_WORD + r"\s+){0,8}?" + _TITLE_WORD + r")?"
    r"\s*,?\s+(?:between|of|by)\b")
# "decisions discussed in the negotiations": talks named by a definite description after a preposition are
# talks already known (a mention), not talks this sentence reports.
_KNOWN_TALKS = re.compile(r"\b(?:in|of|from|for|into|under|through|to)\s+the\s+(?:[\w\-]+\s+){0,2}$", re.I)
# "the MDJT insurrection in Chad": the state an armed group rises against is the other side.
_INSURRECTION_IN = re.compile(r"\b[A-Z][\w/\-]*\s+(?:insurrection|rebellion|insurgency|uprising)\s+in\s+(?:the\s+)?$")
_SPEAKS_OF_ITSELF = re.compile(r"\s*(?:\w+\s+)?" + REPORTING.pattern + r"\s+(?:that\s+)?(?:it|they|we|its|their)\b",
                               re.I)
# Forming a government at home is no diplomatic agreement or talks: "agreed to form a coalition government",
# "coalition talks" (the guidelines' "a coalition government formed at home").
_COALITION = re.compile(r"\b(?:form(?:s|ed|ing)?\s+(?:a\s+|the\s+)?(?:new\s+)?coalition|coalition\s+(?:government|"
                        r"agreement|deal|pact|talks|negotiations|partners?))\b", re.I)
_CONFIRMED_BY = re.compile(r"\bconfirmed\s+by\s+(?:the\s+)?$", re.I)
# "in South Sudan's capital Juba", "in the Sudanese capital Khartoum": the city after "capital" is the place.
_CAPITAL_OF = r"(?:(?:the\s+)?(?:[A-Z][\w\-]*\s+){1,3}capital(?:\s+city)?,?\s+|" \
              r"(?:[A-Z][\w\-]*\s+){0,2}[A-Z][\w\-]*(?:'s|’s)\s+capital(?:\s+city)?,?\s+)?"
_VENUE_BEFORE = re.compile(r"\b(?:talks|negotiations|meeting|summit|conference|met|meet|meets|held|hosted|gathered|"
                           r"convened|took place|takes place)\b[^.;,]{0,40}\b(?:in|at)\s+(?:the\s+)?" +
                           _CAPITAL_OF + "$", re.I)
_CAPITAL_AFTER = re.compile(r"(?:'s|’s)?\s+capital\b")
# "signed in Skhirat": where an agreement was made is its venue.
# It may come after the list of signatories ("signed a peace accord with the FNT, the FNTR … in NDjamena").
_SIGNED_IN = re.compile(r"\b(?:signed|signing|concluded|initialled|reached|struck)\b[^.;]{0,240}\b(?:in|at)\s+"
                        r"(?:the\s+(?:city|town|village)\s+of\s+)?(?:the\s+)?" + _CAPITAL_OF + "$", re.I)
_SIGNED_NEAR = re.compile(r"\b(?:signed|signing|concluded|initialled|reached|struck)\b[^.;,]{0,40}\b(?:in|at)\s+"
                          r"(?:the\s+)?" + _CAPITAL_OF + "$", re.I)
# "in Bangui, Central African Republic": a state after a place names where the place is, not a side.
_PLACE_QUALIFIER = re.compile(r"\b(?:in|at|outside|near)\s+(?:the\s+(?:city|town|village)\s+of\s+)?"
                              r"[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*){0,2},\s*$")
# "signed by X", "signed in Famboni, by X": the agent of a signing is a side.
_AGREED_BY = re.compile(r"\b(?:agreed|signed|accepted|reached|concluded|endorsed|initial(?:l)?ed)"
                        r"(?:\s+(?:in|at|on)\s+[^.;,]{1,40},?)?\s+by\s+(?:the\s+)?$", re.I)
_QUALIFIER = re.compile(r"(?:'s|’s)\s+")
_COORDINATED = re.compile(r"\s*(?:,\s*|,?\s+and\s+|\s+or\s+)(?:the\s+)?")
# Not a side: a place ("in", "at"), an addressee ("to", "by") or a topic ("to discuss Syria", "talks on Iran").
_NOT_PARTY_BEFORE = re.compile(r"\b(?:in|at|near|to|by|on|over|about|concerning|regarding|discuss(?:es|ed|ing)?)\s+"
                               r"(?:(?:the|a|an)\s+)?$")
_COREF = re.compile(r"\b(?:the|this|that)\s+(?P<what>agreement|deal|accord|exchange|swap|talks|negotiations|ceasefire|"
                    r"truce)\b", re.I)


@dataclass
class _Document:
    """What earlier sentences introduced, for "the agreement" in later ones."""

    last: dict[str, URIRef] = field(default_factory=dict)
    sides: list[URIRef] = field(default_factory=list)  # the sides of the text's last event with two or more


def _mode(sentence: str, position: int, end: int | None = None) -> str | None:
    """``rejected``, ``proposed`` or None for a trigger at ``position``, from the six words before it.

    Given the trigger's ``end``, the clause just after it counts too: "talks … collapsed", "… were postponed".
    """
    head = sentence[:position]
    window = " ".join(re.split(r"\s+", head.rstrip())[-6:]) + " "
    tail = sentence[end:] if end is not None else ""
    if _NEGATION.search(window) or _NEGATION_AFTER.match(tail) or _NOTHING_AFTER.match(tail) or \
            (end is not None and re.search(r"\bno\b(?!\s+(?:later|sooner|earlier|more|less)\b)", sentence[position:end],
                                           re.I)):
        return "rejected"  # "signed nothing", "reached no agreement", "resulted in no deal"
    if _SELF_ANNOUNCED.search(head):
        return None
    if _MODALITY.search(window) or _MODALITY_AFTER.match(tail):
        return "proposed"
    return None


def _clause(sentence: str, position: int) -> tuple[int, int]:
    """The span of the clause around ``position`` (clauses end at ";", "while", "but"…)."""
    start, end = 0, len(sentence)
    for match in _CLAUSE_BREAK.finditer(sentence):
        if re.fullmatch(r"(?:the\s+)?[A-Z][\w'’/\-]*(?:\s+[A-Z][\w'’/\-]*)*\s*[.)]?\s*",
                        re.split(r"[,;]", sentence[match.end():], maxsplit=1)[0]):
            continue  # ", and Bosnian Serbs.": the last item of a list, not a clause of its own
        if match.end() <= position:
            start = match.end()
        elif match.start() >= position:
            end = match.start()
            break
    return start, end


@dataclass
class _Outcome:
    """An agreement the sentence says talks produced: the linking words, the talks word and the agreement word."""

    link: re.Match[str]
    talks: re.Match[str]
    noun: re.Match[str]


def _outcome(sentence: str, mentions: list[Mention]) -> _Outcome | None:
    """The agreement talks produced, if the sentence says so ("This accord resulted from talks between X and Y").

    The agreement word comes before "resulted from"/"signed after" (or after the talks it follows, in "Resulting
    from a meeting of A and B, this agreement…"), or after "resulted in"; the talks are not background ("previous
    talks") and neither word is inside a name.
    """
    def free(match: re.Match[str]) -> bool:
        return not any(m.start <= match.start() < m.end for m in mentions)

    def same_clause(a: int, b: int) -> bool:
        return not re.search(r"[.;]", sentence[a:b]) and b - a <= 160

    for link in _OUTCOME_FROM.finditer(sentence):
        talks = next((t for t in _OUTCOME_TALKS.finditer(sentence, link.end()) if free(t)), None)
        if talks is None or not same_clause(link.end(), talks.start()) or \
                _BACKGROUND.search(sentence[: talks.start()]):
            continue
        before = [n for n in _AGREEMENT_WORD.finditer(sentence, 0, link.start()) if same_clause(n.end(), link.start())]
        after = [n for n in _AGREEMENT_WORD.finditer(sentence, talks.end()) if same_clause(talks.end(), n.start())]
        noun = before[-1] if before else (after[0] if after and not link.start() else None)
        if noun is not None and not _BACKGROUND.search(sentence[: noun.start()]) and \
                not _DATED_NAME.search(sentence[: noun.start()]):
            return _Outcome(link, talks, noun)
    for link in _OUTCOME_IN.finditer(sentence):
        talks_before = [t for t in _OUTCOME_TALKS.finditer(sentence, 0, link.start())
                        if free(t) and same_clause(t.end(), link.start())]
        noun = next((n for n in _AGREEMENT_WORD.finditer(sentence, link.end()) if same_clause(link.end(), n.start())
                     and n.start() - link.end() <= 60), None)
        if talks_before and noun is not None and not _BACKGROUND.search(sentence[: talks_before[-1].start()]) and \
                not _DATED_NAME.search(sentence[: noun.start()]):
            return _Outcome(link, talks_before[-1], noun)
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


# "Egypt pardons al-Jazeera journalists", "the Houthis free six hostages": the verb right after its subject.
_FREES = re.compile(r"\s+(?:(?:will|would|may|might|could|plans? to|is to|agreed to|agrees to)\s+)?"
                    r"(?P<verb>pardon(?:s|ed)?|free[sd]?|releas(?:es|ed)|sets? free)\s+(?:[\w\-'’]+\s+){0,3}?"
                    r"(?:" + _PEOPLE + r"|political prisoners|opposition leaders)\b")


def _frees(sentence: str, party_at: dict[URIRef, int]) -> tuple[URIRef, int, int] | None:
    """The side that frees people it holds, with the verb's span: (party, start, end), or None."""
    for party, at in party_at.items():
        name = re.match(r"[^\s,;]+(?:\s+[A-Z][^\s,;]*)*", sentence[at:])
        if name is None or re.search(r"\b(?:court|judge|tribunal)\b", sentence[:at], re.I):
            continue
        verb = _FREES.match(sentence, at + name.end())
        if verb is None or re.search(r"(?i:army|military|troops|forces|police|guards?|navy|commandos?)\b",
                                     sentence[at: at + name.end()]) or \
                re.match(r"[^.;]{0,40}?\bfrom\b", sentence[verb.end():]):
            continue  # "the army frees 178 hostages from Boko Haram" is a rescue: they were held by another side
        return party, verb.start("verb"), verb.end("verb")
    return None


def _event_iri(kind: str, source: Source, quote_start: int) -> URIRef:
    segment = "agreement" if kind in ("agreement", "ceasefire") else "event"
    return DTR[f"{segment}/news-{digest(str(source.iri), kind, str(quote_start), length=16)}"]


def is_minted(node: object) -> TypeGuard[URIRef]:
    return isinstance(node, URIRef) and str(node).startswith((str(DTR) + "agreement/news-", str(DTR) + "event/news-"))


def _titled(what: str, parties: list[URIRef], registry: EntityRegistry) -> str:
    """A title: "Talks between A and B", or "Talks involving A" when the other side is A's members or unnamed."""
    return f"{what} {'between' if len(parties) >= 2 else 'involving'} {_label(registry, parties)}"


def _label(registry: EntityRegistry, iris: list[URIRef]) -> str:
    names = [(registry.get(i).label if registry.get(i) else i.rsplit("/", 1)[-1]) for i in iris]  # type: ignore[union-attr]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def extract_claims(text: str, source: Source, published: date | None, registry: EntityRegistry, *,
                   offset: int = 0, finder: Callable[[str], list[Mention]] | None = None) -> list[Claim]:
    """Candidate claims from a text by the sentence rules (see the package docstring).

    Offsets are into ``text`` plus ``offset``; ``published`` anchors relative dates; ``finder`` (from
    :func:`~detente.loaders.news.actors.news_finder`) may be shared by many texts of one registry.
    """
    read = ActorReader(registry, finder)
    document = _Document()
    claims: list[Claim] = []
    for start, _end, sentence in sentences(text, offset):
        claims.extend(_sentence_claims(sentence, start, source, published, registry, read(sentence), document))
    return claims


def _enough(parties: list[URIRef], actors: SentenceActors) -> bool:
    """Two sides named, or one with another side.

    The other side is its own members ("EU ministers meet") or an unnamed counterpart ("talks with the
    Houthis" that "the government in exile" attends).
    """
    return len(parties) >= 2 or (len(parties) == 1 and (parties[0] in actors.collectives or actors.counterpart))


def _sentence_claims(sentence: str, start: int, source: Source, published: date | None, registry: EntityRegistry,
                     actors: SentenceActors, document: _Document) -> list[Claim]:
    mentions = actors.mentions
    speaker = find_speaker(sentence, mentions, registry)
    venue: URIRef | None = None
    signed_at: URIRef | None = None
    mediators: list[URIRef] = []
    confirmers: list[URIRef] = []
    party_at: dict[URIRef, int] = {}  # each party and where the sentence first names it
    previous: tuple[Mention, str] | None = None
    for m in actor_mentions(sentence, mentions):
        before, after = sentence[: m.start], sentence[m.end:]
        if speaker is not None and not speaker.is_mention and speaker.start <= m.start < speaker.end:
            continue
        role = "party"
        if previous is not None and previous[1] in ("mediator", "confirmer") and \
                _COORDINATED.fullmatch(sentence[previous[0].end: m.start]):
            role = previous[1]  # "mediated by Egypt and Qatar": the role carries over the coordination
        elif (_INSURRECTION_IN.search(before) and m.kind == "state") or \
                (m.kind == "organization" and re.match(r"\s+(?:insurrection|rebellion|insurgency|uprising)\b", after)):
            pass  # both sides: "an end to the MDJT insurrection in Chad"
        elif _CONFIRMED_BY.search(before):
            role = "confirmer"
        elif _MEDIATOR_BY.search(before) or _MEDIATOR_AFTER.match(after):
            role = "mediator"
        elif _CAPITAL_AFTER.match(after) and m.kind == "state":
            continue  # "signed in South Sudan's capital Juba": the state says where the city is
        elif (_VENUE_BEFORE.search(before) or _SIGNED_IN.search(before)) and m.kind == "capital":
            continue  # "meet in Brussels": the city is the venue (below), not its state a party
        elif _VENUE_BEFORE.search(before) and m.kind == "state":
            venue = venue or m.iri
            continue
        elif _SIGNED_NEAR.search(before) and m.kind == "state":
            signed_at = signed_at or m.iri
            continue
        elif _PLACE_QUALIFIER.search(before) and m.kind == "state":
            continue  # "signed in Bangui, Central African Republic"
        elif (qualifier := _QUALIFIER.match(after)) and any(o.start == m.end + len(qualifier.group(0))
                                                            and o.kind == "organization" for o in mentions):
            continue  # "the African Union's Peace and Security Council": the body acts, not its parent
        elif ((_NOT_PARTY_BEFORE.search(before) and not _AGREED_BY.search(before))
              or (m.kind == "organization" and (entity := registry.get(m.iri)) is not None
                  and entity.type == DT.NewsOrganization)):
            continue
        previous = (m, role)
        if role == "mediator" and m.kind == "state" and (person := _ROLE_NAME_AFTER.match(after)):
            # "facilitated by former US president Jimmy Carter": the person mediates, for the state he represents
            mediators.append(registry.mint(person.group("name"), DT.Person, represents=m.iri))
            continue
        if role == "confirmer":
            confirmers.append(m.iri)
        elif role == "mediator":
            mediators.append(m.iri)
        else:
            party_at.setdefault(m.iri, m.start)
    for m in mentions:
        # "talks in Doha", "signed in Skhirat": a city after a meeting or signing word is a dt:Venue.
        before = sentence[: m.start]
        if m.kind not in ("capital", "city", "venue"):
            continue
        place = m.iri if m.kind == "venue" else registry.mint(m.text, DT.Venue, country=m.iri)
        if venue is None and _VENUE_BEFORE.search(before):
            venue = place
        elif signed_at is None and _SIGNED_IN.search(before):
            signed_at = place
    party_at = {p: at for p, at in party_at.items() if p not in mediators and p not in (venue, signed_at)}
    if speaker is not None and speaker.is_mention and any(p != speaker.iri for p in party_at) and \
            not _SPEAKS_OF_ITSELF.match(sentence[speaker.end:]):
        # "Russia and Ukraine agreed to a ceasefire, Turkey said", "Chinese authorities said Japan and Vietnam
        # signed": a named speaker reports others' event; it is a side where it speaks of itself ("Cuba announces
        # it will release…", "Russia said it agreed with Ukraine…").
        party_at.pop(speaker.iri, None)
    parties = list(party_at)

    def scoped(trigger: re.Match[str]) -> list[URIRef]:
        """The parties of the trigger's clause, or of the sentence when its clause names none."""
        lo, hi = _clause(sentence, trigger.start())
        inside = [p for p, at in party_at.items() if lo <= at < hi]
        return inside or parties
    when = resolve_date(sentence, published)
    quote_end = start + len(sentence)
    out: list[Claim] = []
    said_by = speaker.iri if speaker else None
    used: list[URIRef] = [*parties, *mediators, *confirmers, *([venue] if venue else []),
                          *([signed_at] if signed_at else []), *([said_by] if said_by else [])]

    def claim(statements: list[Triple], confidence: float, speaker_iri: URIRef | None = said_by) -> Claim:
        return Claim(statements=statements, source=source, said_by=speaker_iri, quote=sentence,
                     confidence=confidence, quote_start=start, quote_end=quote_end, activity=ACTIVITY)

    def dated(node: URIRef, mode: str | None = None) -> list[Triple]:
        # A rejected event did not happen: the sentence's date is when it was denied, not a date of the event.
        if when is None or mode == "rejected":
            return []
        return [(node, DT.startDate, Literal(when.value.isoformat(), datatype=XSD.date)),
                (node, DT.datePrecision, Literal(when.precision))]

    def new_node(kind: str, cls: URIRef, label: str) -> URIRef:
        node = _event_iri(kind, source, start)
        registry.add(Entity(node, cls, label))
        used.append(node)
        return node

    count = _count(sentence)
    agree_verb = min((m for m in (_AGREE_VERB.search(sentence), _PASSIVE_AGREEMENT.search(sentence)) if m),
                     key=lambda m: m.start(), default=None)
    ceasefire = _CEASEFIRE.search(sentence)
    # a word inside a name ("the National Roundtable for Dialogue and Negotiation") is no trigger
    talks_match = next((t for t in _TALKS.finditer(sentence)
                        if not any(m.start <= t.start() < m.end for m in mentions)), None)
    exchange = _EXCHANGE.search(sentence)
    release = _RELEASE.search(sentence)
    agreement: URIRef | None = None
    talks: URIRef | None = None
    freer = _frees(sentence, party_at)

    subject = _SUBJECT_AGREEMENT.match(sentence) if "agreement" not in document.last else None
    outcome = _outcome(sentence, mentions)
    if outcome is not None and "agreement" in document.last and \
            re.search(r"\b(?:the|this|that)\s+$", sentence[: outcome.noun.start()], re.I):
        outcome = None  # "the agreement, which resulted from…" refers back to the agreement already told
    if outcome is not None:
        talks_match = outcome.talks  # the talks that produced it are an event of their own
    if talks_match and ((subject is not None and outcome is None) or
                        (_KNOWN_TALKS.search(sentence[: talks_match.start()]) and outcome is None) or
                        _COALITION.search(sentence[slice(*_clause(sentence, talks_match.start()))])):
        talks_match = None  # what the agreement provides ("resumed negotiations") is part of it; known talks
    agree_to_talk = _AGREE_TO_TALK.search(sentence)
    if agree_to_talk and talks_match:
        agree_verb = None  # an agreement to talk is talks to come
    talks_mode = "proposed" if agree_to_talk and talks_match else \
        (_mode(sentence, talks_match.start(), talks_match.end()) if talks_match else None)
    talks_parties = scoped(talks_match) if talks_match else []
    if talks_match and not talks_parties and document.sides and _PARTIES_OF_TALKS.search(sentence):
        talks_parties = document.sides  # "formal talks between the parties"
    if talks_match and _enough(talks_parties, actors) and not _BACKGROUND.search(sentence[: talks_match.start()]) and \
            not _GENERAL_TALKS.search(sentence[: talks_match.start()]):
        talks = new_node("talks", DT.Talks, _titled("Talks", talks_parties, registry))
        statements: list[Triple] = [(talks, RDF.type, DT.Talks)]
        statements += [(talks, DT.hasParty, p) for p in talks_parties]
        if venue is not None:
            statements.append((talks, DT.heldAt, venue))
        statements += [(talks, DT.mediatedBy, m) for m in mediators]
        if talks_mode is not None:
            statements.append((talks, DT.status, Literal(talks_mode)))
        if not (agree_verb or ceasefire or (exchange and count)):
            statements += dated(talks, talks_mode)
        out.append(claim(statements, (0.75 if venue is not None else 0.7) - (0.1 if talks_mode else 0.0)))
        document.last["talks"] = talks
        if len(talks_parties) >= 2:
            document.sides = talks_parties

    # An agreement is what the sentence says is agreed, signed or reached (or a ceasefire declared);
    # a noun alone ("the 1979 Egypt–Israel Peace Treaty", "the Oslo accords") is a mention in passing.
    trigger = agree_verb or (ceasefire if ceasefire and _CEASEFIRE_ACT.search(sentence) else None)
    if trigger is not None and _COALITION.search(sentence[slice(*_clause(sentence, trigger.start()))]):
        trigger = None
    if subject is not None:
        trigger = subject  # the agreement the text describes; a ceasefire it "called for" is part of it
    if trigger is None and outcome is not None:
        trigger = outcome.link  # "This agreement resulted from negotiations between X and Y"
    if trigger is agree_verb and agree_verb is not None and agree_verb.group(0).lower() in ("signed", "agreed") and \
            _ATTRIBUTIVE_BEFORE.search(sentence[: agree_verb.start()]) and \
            _ATTRIBUTIVE_AFTER.match(sentence[agree_verb.end():]):
        trigger = None  # "the previously signed agreements between South Sudan and Sudan"
    agree_mode = _mode(sentence, trigger.start(), trigger.end()) if trigger else None
    if trigger is not None and agree_mode == "rejected" and re.search(r"\bnot\s+$", sentence[: trigger.start()]) and \
            _BUT_MADE.match(sentence[trigger.end():]):
        agree_mode = None  # "was not signed but initialled": made all the same
    agree_parties = scoped(trigger) if trigger else []
    if outcome is not None and trigger is outcome.link and not _enough(agree_parties, actors):
        agree_parties = talks_parties  # the talks' sides
    if trigger is not None and not agree_parties and document.sides and "agreement" not in document.last and \
            _PARTIES_AGREE.match(sentence):
        agree_parties = document.sides  # "Talks between X and Y began in May. The parties signed an accord in June."
    if trigger and _enough(agree_parties, actors):
        cls = DT.Ceasefire if ceasefire else DT.Agreement
        what = f" to exchange {count} prisoners" if count and exchange else ""
        agreement = new_node("ceasefire" if ceasefire else "agreement", cls,
                             _titled("Ceasefire" if ceasefire else "Agreement", agree_parties, registry) + what)
        statements = [(agreement, RDF.type, cls)]
        statements += [(agreement, DT.hasParty, p) for p in agree_parties]
        if signed_at is not None:
            statements.append((agreement, DT.heldAt, signed_at))
        if count and (exchange or release):
            statements.append((agreement, DT.prisonerCount, Literal(count)))
        if talks is not None and _DURING_TALKS.search(sentence):
            statements.append((agreement, DT.reachedDuring, talks))
        if said_by is not None and REPORTING.search(sentence) and re.search(r"announc", sentence, re.I):
            statements.append((agreement, DT.announcedBy, said_by))
        statements += [(agreement, DT.mediatedBy, m) for m in mediators]
        if agree_mode is not None:
            statements.append((agreement, DT.status, Literal(agree_mode)))
        statements += dated(agreement, agree_mode)
        confidence = (0.85 if said_by else 0.8) - (0.15 if agree_mode else 0.0)
        out.append(claim(statements, confidence))
        document.last["agreement"] = agreement
        if len(agree_parties) >= 2:
            document.sides = agree_parties
    elif count and (exchange or release) and parties and \
            (_enough(swap_parties := scoped(exchange or release), actors) or release):  # type: ignore[arg-type]
        cls = DT.PrisonerExchange if exchange or len(swap_parties) >= 2 else DT.Event
        kind = "exchange" if cls == DT.PrisonerExchange else "release"
        label = (_titled("Prisoner exchange", swap_parties, registry) if kind == "exchange"
                 else f"Prisoner release by {_label(registry, swap_parties)}")
        event = new_node(kind, cls, label)
        statements = [(event, RDF.type, cls)]
        statements += [(event, DT.hasParty, p) for p in swap_parties]
        statements.append((event, DT.prisonerCount, Literal(count)))
        swap = exchange or release
        exchange_mode = _mode(sentence, swap.start(), swap.end())  # type: ignore[union-attr]
        if exchange_mode is not None:
            statements.append((event, DT.status, Literal(exchange_mode)))
        if said_by is not None and re.search(r"announc", sentence, re.I):
            statements.append((event, DT.announcedBy, said_by))
        statements += [(event, DT.mediatedBy, m) for m in mediators]
        statements += dated(event, exchange_mode)
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
    elif freer is not None:
        # "Egypt pardons al-Jazeera journalists": a state or group that frees the people it holds releases them.
        mode = _mode(sentence, freer[1], freer[2])
        event = new_node("release", DT.Event, f"Prisoner release by {_label(registry, [freer[0]])}")
        statements = [(event, RDF.type, DT.Event), (event, DT.hasParty, freer[0])]
        if count:
            statements.append((event, DT.prisonerCount, Literal(count)))
        if mode is not None:
            statements.append((event, DT.status, Literal(mode)))
        statements += dated(event, mode)
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


