"""UCDP Peace Agreement Dataset (CSV): agreements with parties, signatories and mediators.

Header quirks handled: names are stripped (``"ref "``, ``"return "``), the
empty trailing column is dropped, multi-line free-text fields are read by a
real CSV parser, and list-valued fields (``actor_name``, ``actor_id``,
``gwno``…) are split on commas, aligned with ``actor_id``. ``-99`` means
unknown and is treated as empty.

Each agreement row ``paid`` gives up to two claims about
``dtr:agreement/ucdp-<paid>``:

1. the coded record (confidence 0.95): class (``dt:PeaceAgreement`` when
   ``pa_type`` is 1, else ``dt:Ceasefire`` when ``cease`` is 1, else
   ``dt:Agreement``), ``dt:hasParty`` for every warring party (governments →
   states by name, then by Gleditsch–Ward number; other parties → known or
   minted ``dt:Organization``), ``dt:startDate`` (``pa_date``),
   ``dt:ceasefireProvision``, ``dt:prisonerReleaseProvision``,
   ``dt:externalId``, and ``schema:url`` of the full text when given;
2. actors read from the free text (confidence 0.7, quote = the field's text):
   ``dt:signatory`` persons named in ``pa_sign`` (extracted conservatively by
   :func:`signatory_names`: titles, ranks and leading or trailing roles stripped, job
   titles, offices and blocs such as "Director General", "Consejero Presidencial" or
   "Eminent Personalities" refused, a party glued to names in a "Name-PARTY" list dropped),
   one IRI per person across agreements (:class:`PeopleIndex`: "Ashraf Ghani" is
   "Mohammad Ashraf Ghani"; transliteration variants such as Mohamed/Mohammed,
   Saeed/Said and Burhanuddin/Burhan-ud-din are one key, and close spellings within one
   conflict, country or party state, "Riek"/"Rick Machar Teny", "Tut Galuak"/"Tut Qaluak
   Manime", one person, the other spellings kept as aliases), or the state a role signs
   for ("Malaysian Facilitator" → ``state:MYS``); and ``dt:mediatedBy`` states and
   organisations named in ``pa_3rd`` (that are not parties).

Sources: every claim is derived from a per-agreement record source (a
``dt:Dataset`` published by the Uppsala Conflict Data Program, ``schema:url``
the full-text PDF when there is one) that is ``dct:isPartOf`` the dataset
source "UCDP Peace Agreement Dataset v22.1". A record source is dated
(``dct:issued``) by the agreement's signing date ``pa_date``: it stands for
the agreement text UCDP cites.

>>> signatory_names("President Jose Eduardo dos Santos signed for the government and dr. Jonas Savimbi for UNITA.")
['Jose Eduardo dos Santos', 'Jonas Savimbi']
>>> split_list("Government of Niger, Military Junta for the Consolidation of Democracy, Peace and Justice", 2)
['Government of Niger', 'Military Junta for the Consolidation of Democracy, Peace and Justice']
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Collection, Sequence
from datetime import date
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from detente.errors import AmbiguousEntityError
from detente.graph.claims import Activity, Claim, Source
from detente.graph.entities import normalize_label
from detente.graph.terms import Triple
from detente.loaders.base import (
    FieldError,
    LoadContext,
    ParseResult,
    Reject,
    bounded_lines,
    check_values,
    csv_rows,
    http_url,
    parse_date,
)
from detente.loaders.gazetteer import DEMONYMS, HISTORICAL_NAMES, Mention, gw_to_iso, mention_finder, state_iri
from detente.loaders.registry import Entity, EntityRegistry
from detente.ontology.vocab import DT, DTR, SCHEMA

DATASET_TITLE = "UCDP Peace Agreement Dataset v22.1"
DATASET_URL = "https://ucdp.uu.se/downloads/index.html#peaceagreement"
PUBLISHER = "Uppsala Conflict Data Program"
CODED = Activity(method="ucdp:peace-agreements-22.1", label="agreements read from the UCDP Peace Agreement Dataset")
TEXT_RULES = Activity(method="ucdp:actor-rules:v1",
                      label="signatories and third parties read from UCDP free-text fields by rules")
REQUIRED = ("paid", "pa_name", "pa_date", "actor_name", "actor_id", "cease", "pris", "pa_type")
UNKNOWN = {"-99", "-99.0", ""}

# Names UCDP gives governments that the registry does not know.
UCDP_STATE_NAMES = {"Bosnia-Herzegovina": "BIH", "South Yemen": "YEM", "United States of America": "USA",
                    **HISTORICAL_NAMES}

_TITLES = re.compile(
    r"^(?:(?:The\s+)?(?:Right|Rt\.?)\s+Hon(?:ou?rable|\.)?|(?:His|Her) Exc?ell?ency|H\.?E\.?|Amb\.?|"
    r"Almirante|Contralmirante|Coronel|Comandante|Doctor|Licenciado|Lic\.?|Ingeniero|Embajador|Monse[nñ]or|"
    r"Excellent|President|Vice[- ]President|Prime[- ]Minister|Deputy|Foreign|Minister|"
    r"General|Gen\.?|Lt\.?|Lieutenant|Colonel|Col\.?|Major|Maj\.?|Brigadier|Captain|Capt\.?|Admiral|Commander|"
    r"Dr\.?|dr\.?|Mr\.?|Mrs\.?|Ms\.?|Sir|Professor|Prof\.?|Sheikh|Shaikh|King|Emir|Sultan|Chairman|Ambassador|"
    r"Secretary[- ]General|Leader|Chief|Hon\.?|Honourable|Judge|Senator|Maulana|Moulvi|Mullah|Bishop|Father|"
    r"Sheik|Marshal|Field Marshal|Premier|Ing\.?|Cde\.?|Shri|Alhaji|Atty\.?|M\.|Rév\.?|Rev\.?|"
    # Honorifics and ranks in other spellings and languages ("Cdr.", "Mgr.", "S.E.M.", "Bâtonnier", "Maître").
    r"Cdr\.?|CDR\.?|Cmdr\.?|Monsignor|Comdt\.?|Corporal|Engineer|Gov\.?|Mme\.?|Mgr\.?|Fr\.?|G[ée]n[ée]ral|S\.E\.M\.?|SEM|"
    r"B[âa]tonnier|Ma[îi]tre|Master|Canon|Emeritus|Ambassdor|Speaker|Hluttaw|Ltg\.?|Dep\.?|Exec\.?|Bir\.?|"
    r"Dato'?\.?|Datuk)\s+")
_STOPS = re.compile(r"\s+(?:of|for|signed|on behalf|On [Bb]ehalf|as|in|who|representing|from|with|and)\b|"
                    r"\s*\(|\s*\[|\s+-\s+")
_ORG_WORDS = re.compile(
    r"\b(?:Government|Front|Movement|Party|Council|Army|Union|Nations|Republic|Forces|Committee|Alliance|"
    r"Organi[sz]ation|Liberation|National|People|State|States|Minister|Secretary|Signed|Agreement|Accord|"
    r"Representative|Delegation|Leader|President|Chairman|Group|Faction|Junta|Assembly|Congress|Islami|"
    r"Witness|Witnessed|Copy|Parties|Unknown|Kingdom|Federation|Community|Authority|Commission|Process|Peace|"
    r"Cooperation|International|Soci[eé]t[eé]|Civile?|R[eé]publi(?:c|que)|Estado|Mayor|Central|Comandante|"
    r"Ministry|Office|Department|Shah|For|The|La|Le|Les|Los|El|Special|Envoy|"
    # Bodies, blocs and programmes ("Coalition Seleka", "World Food Programme", "Opposition Beja Conference").
    r"Secretariat|Programme|Program|Coalition|Opposition|Conference|Initiative|Integration|Integraci[oó]n|"
    r"Mouvements?|Politico|D[eé]mocratique|Bloc|Regional|African|European|Arab)\b", re.I)
_TOKEN = re.compile(r"^(?:[A-Z][\w'’\-]*\.?|[A-Z]\.(?:[A-Z]\.)*|d[aeo]s?|de[l]?|van|von|der|bin|ibn|al|el|ud|la|le)$")
_SKIP = re.compile(r"no signatures?|unsigned|not signed|unknown|not available|n/a", re.I)
# Hyphenated military and legal ranks, and roles, that precede a name ("Major-General Roosevelt Johnson").
_RANKS = re.compile(r"^(?:(?:Lieutenant|Lt|Major|Brigadier|Maj)[- ]General|(?:Lt|Maj|Brig)\.?[- ]Gen\.?|"
                    r"Attorney[- ]General|Military Commander(?: General)?|(?:Lieutenant|Lt)\.?[- ]Col(?:onel|\.)?|"
                    r"Chair(?:man|person)?|Facilitator|Mediator|Chief Mediator)\s+")
# Words of offices and bodies: a "name" made of them is a job title ("Director General", "Public Security").
_OFFICE_WORDS = {
    "director", "general", "education", "security", "affairs", "justice", "executive", "interim", "plenipotentiary",
    "ambassador", "supreme", "commander", "ministerial", "meeting", "meeing", "defence", "defense", "force", "chief",
    "mediator", "facilitator", "chair", "higher", "public", "minority", "social", "veteran", "nacional", "partido",
    "resistance", "military", "internal", "interior", "finance", "planning", "information", "health", "labour",
    "labor", "agriculture", "trade", "commerce", "transport", "youth", "women", "development", "intelligence",
    "excellency", "excellent", "presidents", "president", "honourable", "hon",
    # Offices, memberships and stakeholder blocs signing as such ("Consejero Presidencial", "First Vice",
    # "High Commissioner", "Eminent Personalities", "On Behalf", "Secrétaire Général Adjoint").
    "consejero", "consejeria", "presidencial", "asesor", "vice", "commissioner", "behalf", "adviser", "advisor",
    "political", "secretaire", "adjoint", "secretariat", "moderator", "member", "members", "senator", "deputy",
    "eminent", "personality", "personalities", "witnesses", "witness", "speaker", "coordination", "coordinator",
    "advisers", "advisors", "colonel", "brigadier",
}
# A role after a demonym ("Malaysian Facilitator"): someone signing for that state, not a named person.
_STATE_ROLE = re.compile(r"\b(?P<demonym>[A-Z][a-z]+)\s+"
                         r"(?:Facilitator|Mediator|Representative|Envoy|Delegation|Government)$")
_GLUED_ROLE = re.compile(r"(?<=[a-z])(?:Ambassador|Director|Chair)$")
_INITIALLED = r"(?:[A-Z][a-z]?\.\s?)+[A-Z][\w'’\-]+"
_INITIALLED_PAIR = re.compile(rf"^({_INITIALLED})\s+({_INITIALLED})$")
# A party acronym glued to a name by a hyphen ("Aziz Kumbi-FPC", "Franck Diongo-MLP/PO").
_PARTY_SUFFIX = re.compile(r"[a-z\u00e0-\u00ff]-[A-Z][A-Z/\-]+\w*$")
# The office words that are a person's role, not a body's name: dropped before a name ("Asesor Consejería
# TOMAS CONCHA"), where "Partido Comunista de Colombia" stays a party.
_ROLE_WORDS = frozenset({
    "asesor", "consejero", "consejeria", "presidencial", "adviser", "advisor", "deputy", "senator", "moderator",
    "member", "members", "witness", "witnesses", "speaker", "secretaire", "adjoint", "director", "ambassador",
    "commander", "chief", "mediator", "facilitator", "chair", "plenipotentiary", "executive", "interim", "vice",
    "commissioner", "advisers", "advisors"})
_OFFICE_FOLDED = frozenset(re.sub(r"(.)\1+", r"\1", w) for w in _OFFICE_WORDS)


def _office_word(token: str) -> bool:
    """A word of an office or body, in any case, accents or doubled letters ("Consejería", "Eminnent")."""
    return re.sub(r"(.)\1+", r"\1", normalize_label(token)) in _OFFICE_FOLDED


def _clean(value: str | None) -> str:
    text = (value or "").strip()
    return "" if text in UNKNOWN else text


def split_list(text: str, expected: int | None = None) -> list[str]:
    """Split a comma-separated UCDP list, keeping commas inside parentheses and names like "Peace and Justice"."""
    pieces, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth <= 0:
            pieces.append(current.strip())
            current = ""
        else:
            current += char
    pieces.append(current.strip())
    pieces = [p for p in pieces if p]
    # More pieces than ids: a name held a comma; glue back the pieces that cannot start a name.
    while expected is not None and len(pieces) > expected:
        joinable = [i for i in range(1, len(pieces)) if " and " in pieces[i] or pieces[i][:1].islower()]
        if not joinable:
            break
        i = joinable[-1]
        pieces[i - 1: i + 1] = [pieces[i - 1] + ", " + pieces[i]]
    return pieces


def _capital_surnames(words: Sequence[str]) -> bool:
    """Two words in capitals that are surnames, not acronyms or honours: spoken words, with vowels.

    >>> _capital_surnames(["LEÓN", "GIL"]), _capital_surnames(["MARCOS", "JARA"]), _capital_surnames(["GCMG", "CH"])
    (True, True, False)
    >>> _capital_surnames(["CONCHA", "S"]), _capital_surnames(["Djono-Ahaba", "RPRC"])
    (False, False)
    """
    return len(words) == 2 and all(len(w) >= 2 and w.isalpha() and w.isupper() and
                                   re.search(r"[AEIOUYÁÉÍÓÚÀÈÌÒÙÂÊÎÔÛÄËÏÖÜ]", w) for w in words)


def _surnames_in_capitals_split(text: str) -> list[str]:
    """Names written "Given SURNAME" one after the other, split where a given name follows a surname.

    >>> _surnames_in_capitals_split("Jorge E. ROSAL MELÉNDEZ Ricardo RAMÍREZ")
    ['Jorge E. ROSAL MELÉNDEZ', 'Ricardo RAMÍREZ']
    >>> _surnames_in_capitals_split("Francisco VILLAGRAN MUÑOZ Mario CASTAÑeda")
    ['Francisco VILLAGRAN MUÑOZ', 'Mario CASTAÑeda']
    >>> _surnames_in_capitals_split("Jean ARNAULT Moderator"), _surnames_in_capitals_split("Ali Abdou EL ANIOU")
    (['Jean ARNAULT Moderator'], ['Ali Abdou EL ANIOU'])
    """
    # A surname glued to the next given name ("MUÑOZLuz MENDEZ") is two words.
    tokens = re.sub(r"(?<=[A-Z\u00c0-\u00de]{2})(?=[A-Z][a-z])", " ", text).split()

    def capitals(token: str) -> bool:
        return len(token.strip(".,")) >= 2 and token.isupper()

    cuts = [i for i in range(1, len(tokens)) if capitals(tokens[i - 1]) and tokens[i][:1].isupper() and
            not tokens[i].isupper() and any(t[:2].isupper() for t in tokens[i + 1:])]
    return [" ".join(tokens[a:b]) for a, b in zip([0, *cuts], [*cuts, len(tokens)], strict=True)]


def _split_y(piece: str) -> list[str]:
    """Two names joined by Spanish "y" ("JORGE OCAMPO Y RAÚL TEJADA"), not a surname with it ("Obando y Bravo").

    >>> _split_y("JORGE OCAMPO Y RAÚL TEJADA"), _split_y("Miguel Obando y Bravo")
    (['JORGE OCAMPO', 'RAÚL TEJADA'], ['Miguel Obando y Bravo'])
    """
    parts = re.split(r"\s+[yY]\s+", piece.split(":")[-1].strip())
    # Both sides names of capitalised words ("Tutora Moral y Espiritual del Proceso" is no two names).
    if len(parts) == 2 and all(len(part.split()) >= 2 and all(w[:1].isupper() for w in part.split()) for part in parts):
        return parts
    return [piece]


def _person_names(written: str, parties: Collection[str]) -> tuple[str, ...]:
    """The person name(s) in one name as written, or none (see :func:`signatory_names`)."""
    candidate, previous = written, None
    while previous != candidate:
        previous = candidate
        candidate = _RANKS.sub("", _TITLES.sub("", candidate)).strip()
    tokens = _GLUED_ROLE.sub("", candidate).split()
    if parties:
        party_at = [i for i in range(2, len(tokens)) if normalize_label(tokens[i]) in parties or
                    normalize_label(" ".join(tokens[i:])) in parties]
        if party_at:
            tokens = tokens[:party_at[0]]
        if normalize_label(" ".join(tokens)) in parties:
            return ()
    # Trailing roles and working-group acronyms ("Rudy Rodil GRP-TWG Chair", "… Director"), and leading
    # offices ("Asesor Consejería TOMAS CONCHA").
    while tokens and (_office_word(tokens[-1]) or tokens[-1] in DEMONYMS or
                      (all(len(part) <= 4 and part.isupper() for part in tokens[-1].split("-") if part)
                       and not _capital_surnames(tokens[-2:]))):
        tokens.pop()
    while tokens and _office_word(tokens[0]) and normalize_label(tokens[0]) in _ROLE_WORDS:
        tokens.pop(0)
    # A rank or title inside ("O Lt-Col. John Angelo Okello", "Dahkpanah Dr. Charles Ghankay Taylor"):
    # the name is what follows it.
    titled = [i for i, t in enumerate(tokens) if i and len(t) > 2 and t.endswith(".") and
              (_TITLES.match(t + " ") or _RANKS.match(t + " "))]
    if titled:
        tokens = tokens[titled[-1] + 1:]
    candidate = " ".join(tokens)
    if any(_office_word(t) for t in tokens):
        return ()
    if not 2 <= len(tokens) <= 6 or _ORG_WORDS.search(candidate) or any(c.isdigit() for c in candidate):
        return ()
    if not all(_TOKEN.match(t) for t in tokens) or not tokens[0][0].isupper() or not tokens[-1][0].isupper():
        return ()
    # An acronym first ("GNPO Denis Katalay") is an organisation prefix, unless the whole name is in capitals.
    if len(tokens[0]) > 1 and tokens[0].isupper() and "." not in tokens[0] and not candidate.isupper():
        return ()
    # Two names written with initials, one after the other ("Yu. Zurabov A.W. Zakharchenko").
    glued = _INITIALLED_PAIR.match(candidate)
    return glued.groups() if glued else (candidate,)


_FULL_STOP = re.compile(r"(?<=[a-z\u00e0-\u00ff])\.\s+(?=[A-Z])")


def _sentences(text: str) -> list[str]:
    """``text`` cut at the full stops that end a sentence: after a word of four or more letters that is no title.

    Initials, "Dr." and ranks ("Col.", "Cmdr.") stay inside their name.

    >>> _sentences("signed by: Tony Blair and Bertie Ahern. The parties: the Ulster Unionist Party")
    ['signed by: Tony Blair and Bertie Ahern', 'The parties: the Ulster Unionist Party']
    >>> _sentences("Cmdr. Schafik HANDAL, Col. Oscar SANTAMARIA, J.P. Larma")
    ['Cmdr. Schafik HANDAL, Col. Oscar SANTAMARIA, J.P. Larma']
    """
    pieces, start = [], 0
    for stop in _FULL_STOP.finditer(text):
        word = text[:stop.start()].split()[-1]
        if len(word) >= 4 and word.isalpha() and not _TITLES.match(word + " "):
            pieces.append(text[start:stop.start()])
            start = stop.end()
    pieces.append(text[start:])
    return [piece for piece in pieces if piece.strip()]


def signatory_names(text: str, organisations: Collection[str] = ()) -> list[str]:
    """Person names in a ``pa_sign`` text; conservative: titles stripped, 2–6 capitalised words, no org words.

    ``organisations``: names of the agreement's parties (``actor_name``); a name that is one is no person,
    and one written after a person's name is the party signed for ("Bienvenu Bertrand Kounkou RJ Sayo").

    >>> signatory_names("Bienvenu Bertrand Kounkou RJ Sayo; RJ", organisations=["RJ"])
    ['Bienvenu Bertrand Kounkou']
    """
    parties = {normalize_label(o) for o in organisations}
    names: list[str] = []
    for segment in (sentence for part in re.split(r"[\n;]+", text) for sentence in _sentences(part)):
        if _SKIP.search(segment):
            continue
        pieces = [part for piece in re.split(r",|\band\b", segment) for part in _split_y(piece)]
        # A list of "Name-PARTY" ("Aziz Kumbi-FPC, Raymond Tshibanda-Codep, ..."): the part after the last
        # word's hyphen is the organisation the person signs for, in capitals or not.
        party_list = sum(bool(_PARTY_SUFFIX.search(p.strip())) for p in pieces) >= 3
        for piece in pieces:
            candidate = piece.split(":")[-1].strip().strip(".").strip()
            if party_list:
                candidate = re.sub(r"(?<=[a-z\u00e0-\u00ff])-[^\s]+$", "", candidate)
            stop = _STOPS.search(candidate)
            if stop:
                candidate = candidate[: stop.start()].strip()
            for written in _surnames_in_capitals_split(candidate):
                for name in _person_names(written, parties):
                    if name not in names:
                        names.append(name)
    return names


def _party(registry: EntityRegistry, name: str, gwnos: list[str]) -> URIRef:
    government = re.match(r"^Government of (.+)$", name)
    if government:
        country = government.group(1).strip()
        options = [country, *re.findall(r"\(([^)]+)\)", country), re.sub(r"\s*\(.*\)", "", country)]
        for option in options:
            iri = registry.resolve(option) or state_iri(registry, UCDP_STATE_NAMES.get(option))
            if iri is not None and (iri in registry and registry.get(iri).type == DT.State):  # type: ignore[union-attr]
                return iri
        if len(gwnos) == 1:
            iri = state_iri(registry, gw_to_iso(gwnos[0]))
            if iri is not None:
                return iri
        return registry.mint(name, DT.Organization)
    known = registry.resolve(name)
    if known is not None and known in registry:
        return known
    return registry.mint(name, DT.Organization)


def _publisher(registry: EntityRegistry) -> URIRef:
    iri = registry.mint(PUBLISHER, DT.Organization, aliases=["UCDP"])
    registry.mark_used([iri])
    return iri


def dataset_source(registry: EntityRegistry) -> Source:
    """The dataset release every agreement record is part of."""
    return Source(DTR["source/ucdp-peace-agreements-22.1"], DT.Dataset, DATASET_URL, DATASET_TITLE,
                  _publisher(registry), None)


def _record_source(registry: EntityRegistry, paid: str, name: str, url: str | None, signed: date | None) -> Source:
    # Named by the agreement id, not the URL: a few agreements share one full-text PDF. The record
    # stands for the agreement text UCDP cites (its schema:url), so it is dated by the signing date.
    return Source(DTR[f"source/ucdp-pa-22.1-{paid}"], DT.Dataset, url or None,
                  f"{DATASET_TITLE}, agreement {paid}: {name}", _publisher(registry), signed)


def _provenance_extra(record_source: Source, dataset: Source) -> list[Triple]:
    triples: list[Triple] = [(record_source.iri, DCTERMS.isPartOf, dataset.iri)]
    triples += [(s, p, o) for s, p, o, _g in dataset.quads()]
    return triples


def _flag(record: dict[str, str], name: str) -> bool | None:
    value = _clean(record.get(name))
    if value == "":
        return None
    if value not in ("0", "1"):
        raise FieldError(name, f"{value!r} is not 0 or 1")
    return value == "1"


def _name_tokens(name: str) -> tuple[str, ...]:
    return tuple(t for t in normalize_label(name).replace("-", " ").split() if t)


# Transliteration variants folded to one spelling: Mohamed/Mohammed/Muhammad, -ud-din/uddin, ou/u, doubled letters,
# ee/i (Saeed/Said, Aideed/Aidid), the initial W/V and a final -iy (Russian В and й: "I.W. Plotnitski"/"I.V.
# Plotnitskiy"), and the
# article of "Abd al-" names (Abdulsalami/Abdusalami, Abdelrahman/Abdulrahman/Abdirahman).
_MUHAMMAD = re.compile(r"^m[ou]h+a?m+[aeu]?d$")
_FOLDS = ((re.compile(r"ou"), "u"), (re.compile(r"ph"), "f"), (re.compile(r"ee"), "i"), (re.compile(r"^w$"), "v"),
          (re.compile(r"iy$"), "i"), (re.compile(r"^abd[aeiu]?l?(?=[a-z]{3})"), "abd"),
          (re.compile(r"([a-z])\1+"), r"\1"))


def _fold(token: str) -> str:
    """One spelling for transliteration variants of a name's word.

    >>> [_fold(t) for t in ("mohammed", "muhammad", "mohamed", "minnawi", "arkou", "gulbuddin", "souleymane")]
    ['mhmd', 'mhmd', 'mhmd', 'minawi', 'arku', 'gulbudin', 'suleymane']
    >>> [_fold(t) for t in ("saeed", "aideed", "plotnitskiy", "abdulsalami", "abdusalami", "abdelrahman", "abdi")]
    ['said', 'aidid', 'plotnitski', 'abdsalami', 'abdsalami', 'abdrahman', 'abdi']
    """
    if _MUHAMMAD.match(token):
        return "mhmd"
    for pattern, replacement in _FOLDS:
        token = pattern.sub(replacement, token)
    return token


_PARTICLES = frozenset({"al", "el", "ud", "ul", "ad", "abd", "abdul", "abdel", "abu"})


def name_key(name: str) -> tuple[str, ...]:
    """A person's name as folded words: hyphenated parts joined ("Burhan-ud-din" is "Burhanuddin"), variants folded.

    >>> name_key("Burhan-ud-din Rabbani") == name_key("Burhanuddin Rabbani")
    True
    >>> name_key("Mohamed Hamdan Dagalo") == name_key("Mohammed Hamdan Dagalo")
    True
    >>> name_key("Omar Hassan Al-Bashir") == name_key("Omar Hassan Al Bashir")
    True
    >>> name_key("J.L. Momis"), name_key("Idriss Abdel Gadir")
    (('j', 'l', 'momis'), ('idris', 'abdgadir'))
    """
    # Initials written together ("J.L.", "I.V.") are words of their own, as "J. L." is.
    words = normalize_label(re.sub(r"\.(?=\S)", ". ", name).replace("-", "")).split()
    glued: list[str] = []
    for word in words:  # "Al Bashir" is "Al-Bashir", "Abd Allah" is "Abdallah"
        if glued and glued[-1] in _PARTICLES:
            glued[-1] += word
        else:
            glued.append(word)
    return tuple(_fold(w) for w in glued if w)


def _similar(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Spelling variants of one name (only compared within one conflict or country).

    As many words, each close (Riek/Rick, Gulbadin/Gulbuddin), the last closest; or, the words
    split differently or one letter changed at the start of a later word ("Haile Mariam
    Dessalegne"/"Hailemariam Dessalegn", "Tut Galuak"/"Tut Qaluak Manime"), the letters of the
    whole name close, starting alike, and with as many words the surnames starting alike
    ("Mohamed Ali Hamed" is not "Mohamed Ali Ahmed"); or a first name shortened (Sam/Samuel).

    >>> _similar(name_key("Haile Mariam Dessalegne"), name_key("Hailemariam Dessalegn"))
    True
    >>> _similar(name_key("Tut Galuak Manime"), name_key("Tut Qaluak Manime"))
    True
    >>> _similar(name_key("Sam Kauona"), name_key("Samuel Kauona"))
    True
    >>> _similar(name_key("Mohamed Ali Hamed"), name_key("Mohamed Ali Ahmed"))
    False
    >>> _similar(name_key("Joel Banam"), name_key("Joseph Bana"))
    False
    >>> _similar(name_key("Tin Maung Win"), name_key("Tin Myo Win"))
    False
    """
    if len(a) < 2 or len(b) < 2:
        return False
    from difflib import SequenceMatcher

    if len(a) == len(b):
        ratios = [SequenceMatcher(None, x, y).ratio() if x[0] == y[0] else 0.0 for x, y in zip(a, b, strict=True)]
        whole = SequenceMatcher(None, " ".join(a), " ".join(b)).ratio()
        if min(ratios) >= 0.7 and ratios[-1] >= 0.8 and whole >= 0.85:
            return True
        if a[1:] == b[1:] and len(a[0]) >= 3 and len(b[0]) >= 3 and (a[0].startswith(b[0]) or b[0].startswith(a[0])):
            return True  # a shortened first name: Sam/Samuel
        if a[-1][0] != b[-1][0]:
            return False
    joined_a, joined_b = "".join(a), "".join(b)
    return joined_a[0] == joined_b[0] and SequenceMatcher(None, joined_a, joined_b).ratio() >= 0.86


def _close_word(a: str, b: str) -> bool:
    from difflib import SequenceMatcher

    return a[0] == b[0] and SequenceMatcher(None, a, b).ratio() >= 0.8


def _same_person(a: tuple[str, ...], b: tuple[str, ...], close: bool = False) -> bool:
    """One name a shorter form of the other: same surname, the other words in order (initials match words).

    ``close`` (used within one conflict or country): words may also be close spellings of each other.

    >>> _same_person(name_key("Ahmed Tugod Lsan"), name_key("Ahmed Mohamed Tugod Lissan"))
    False
    >>> _same_person(name_key("Ahmed Tugod Lsan"), name_key("Ahmed Mohamed Tugod Lissan"), close=True)
    True
    >>> _same_person(name_key("Pierre A. Matiusila"), name_key("Pierre Anatole Matusila"), close=True)
    True
    """
    if len(a) < 2 or len(b) < 2 or not (a[-1] == b[-1] or (close and _close_word(a[-1], b[-1]))):
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    position = 0
    for token in short[:-1]:
        while position < len(long) - 1 and not (long[position] == token or
                                                 (len(token) == 1 and long[position].startswith(token)) or
                                                 (len(long[position]) == 1 and token.startswith(long[position])) or
                                                 (close and _close_word(long[position], token))):
            position += 1
        if position >= len(long) - 1:
            return False
        position += 1
    return True


def _extends(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One name is the other with words added ("Malik Agar", "Malik Agar Eyre").

    Words are added at the end; or, the given name and a long surname alike, in the middle too (a second
    given name and a mother's surname: "Mario CASTAÑeda" and "Mario Vinicio CASTAÑEDA PAZ").

    >>> _extends(name_key("Mario CASTAÑeda"), name_key("Mario Vinicio CASTAÑEDA PAZ"))
    True
    >>> _extends(name_key("Mohamed Hassan"), name_key("Mohamed Ali Hassan Nur"))
    False
    """
    if min(len(a), len(b)) < 2:
        return False
    if a[:len(b)] == b or b[:len(a)] == a:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) == 2 and short[0] == long[0] and len(short[1]) >= 7 and short[1] in long[1:]


def _contexts(context: str | Sequence[str] | None) -> tuple[str, ...]:
    if not context:
        return ()
    return (context,) if isinstance(context, str) else tuple(context)


class PeopleIndex:
    """Signatories seen so far, so one person keeps one IRI across agreements.

    A name is the same person as a known one when their folded words
    (:func:`name_key`: transliteration variants, hyphens) are equal, or one is
    a shorter form of the other (same surname); and, within the same conflict
    or country (``context``: one key or several), when the spellings are close (:func:`_similar`: "Riek" and
    "Rick Machar Teny") or one name extends the other ("Malik Agar" and "Malik
    Agar Eyre"), or, failing those, the same words come in another order. The other spellings become the
    person's aliases.

    >>> registry = EntityRegistry(with_states=False)
    >>> people = PeopleIndex(registry)
    >>> people.person("Mohammad Ashraf Ghani") == people.person("Ashraf Ghani")
    True
    >>> people.person("Lt-General J. Hezekiah Bowen") == people.person("John Hezekiah Bowen")
    True
    >>> people.person("Riek Machar Teny", "conflict 1") == people.person("Rick Machar Teny", "conflict 1")
    True
    >>> people.person("Gulbadin Hekmatyar", "conflict 2") == people.person("Gulbuddin Hekmatyar", "conflict 3")
    False
    >>> people.person("Pasteur Bizimungu", "conflict 4") == people.person("Bizimungu Pasteur", "conflict 4")
    True
    >>> registry.get(people.person("Burhanuddin Rabbani")) is registry.get(people.person("Burhan-ud-din Rabbani"))
    True
    >>> sorted(registry.get(people.person("Burhanuddin Rabbani")).aliases)
    ['Burhan-ud-din Rabbani']
    """

    def __init__(self, registry: EntityRegistry) -> None:
        self.registry = registry
        self.by_surname: dict[str, list[tuple[tuple[str, ...], URIRef]]] = {}
        # Per conflict or country: the name's key, its key with hyphenated parts as words, and the IRI.
        self.by_context: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], URIRef]]] = {}
        for entity in registry:
            if entity.type in PERSON_TYPES:
                self._index(entity.label, entity.iri, None)

    def _index(self, name: str, iri: URIRef, context: str | Sequence[str] | None) -> None:
        key = name_key(name)
        if key:
            self.by_surname.setdefault(key[-1], []).append((key, iri))
            split = name_key(name.replace("-", " "))
            for where in _contexts(context):
                self.by_context.setdefault(where, []).append((key, split, iri))

    def _find(self, name: str, context: str | Sequence[str] | None) -> URIRef | None:
        key, split = name_key(name), name_key(name.replace("-", " "))
        for known, iri in self.by_surname.get(key[-1] if key else "", []):
            if known == key or _same_person(known, key):
                return iri
        reordered = None
        for where in _contexts(context):
            for known, known_split, iri in self.by_context.get(where, []):
                # One name the other with more words, hyphenated ones counted apart ("Riek Machar Teny-Dhurgon").
                if _similar(known, key) or _same_person(known, key, close=True) or \
                        _extends(known, key) or _extends(known_split, split):
                    return iri
                if reordered is None and len(key) >= 2 and sorted(known) == sorted(key):
                    reordered = iri  # the same words, surname first ("Bizimungu Pasteur"): when nothing closer
        return reordered

    def person(self, name: str, context: str | Sequence[str] | None = None) -> URIRef:
        """The IRI of the person with this name or a variant of it (see the class); minted if new."""
        name = _RANKS.sub("", name).strip()
        iri = self._find(name, context)
        if iri is None:
            iri = self.registry.mint(name, DT.Person)
        else:
            entity = self.registry.get(iri)
            if entity is not None and name != entity.label and name not in entity.aliases:
                entity.aliases.append(name)  # the other spelling, kept as an alias
                self.registry.names.add(iri, aliases=[name])
        self._index(name, iri, context)
        return iri


PERSON_TYPES = (DT.Person, DT.Envoy)


BODY_TYPES = (DT.State, DT.Organization, DT.InternationalOrganization, DT.NewsOrganization)


def _body(registry: EntityRegistry, name: str) -> URIRef | None:
    """The state or organisation the one resolver knows by this name ("Sinn Féin"), else None.

    A name several entities share is left to the people index: it is no evidence of a body.
    """
    try:
        iri = registry.resolve(name)
    except AmbiguousEntityError:
        return None
    entity = registry.get(iri) if iri is not None else None
    return iri if entity is not None and entity.type in BODY_TYPES else None


def signatory_actors(registry: EntityRegistry, text: str, people: PeopleIndex,
                     context: str | Sequence[str] | None = None, organisations: Collection[str] = ()) -> list[URIRef]:
    """Signatories of a ``pa_sign`` text.

    People (one IRI each), the state a role signs for ("Malaysian Facilitator"), or a state or organisation
    that the entity registry resolves the name to ("Sinn Féin", from the organisation gazetteer): no person
    is minted for a body's name.
    """
    out: list[URIRef] = []
    for segment in re.split(r"[\n;,]+", text):
        role = _STATE_ROLE.search(segment.split(":")[-1].strip())
        if role and role.group("demonym") in DEMONYMS:
            state = state_iri(registry, DEMONYMS[role.group("demonym")])
            if state is not None and state not in out:
                out.append(state)
    for name in signatory_names(text, organisations):
        # "<word> <country>" ("Janamorcha Nepal", a party) is a body named for the country, not a person.
        words = name.split()
        country = registry.resolve(words[-1]) if len(words) == 2 else None
        if country is not None and (named := registry.get(country)) is not None and named.type == DT.State and \
                normalize_label(named.label) == normalize_label(words[-1]):
            continue
        body = _body(registry, name)
        iri = body if body is not None else people.person(name, context)
        if iri not in out:
            out.append(iri)
    return out


def _claims(registry: EntityRegistry, record: dict[str, str], find: Callable[[str], list[Mention]],
            people: PeopleIndex | None = None) -> list[Claim]:
    people = people or PeopleIndex(registry)
    check_values(record, "")
    paid = _clean(record["paid"])
    if not re.fullmatch(r"\d+", paid):
        raise FieldError("paid", f"{paid!r} is not an agreement id")
    name = _clean(record["pa_name"]) or f"UCDP agreement {paid}"
    when = parse_date(_clean(record["pa_date"]), "pa_date")
    pa_type = _clean(record["pa_type"])
    if pa_type not in ("", "1", "2", "3"):
        raise FieldError("pa_type", f"{pa_type!r} is not 1, 2 or 3")
    cease, prisoners = _flag(record, "cease"), _flag(record, "pris")
    cls = DT.PeaceAgreement if pa_type == "1" else DT.Ceasefire if cease else DT.Agreement
    agreement = DTR[f"agreement/ucdp-{paid}"]
    registry.add(Entity(agreement, cls, name))
    ids = split_list(_clean(record["actor_id"]))
    names = split_list(_clean(record["actor_name"]), len(ids) or None)
    if ids and len(names) != len(ids):
        raise FieldError("actor_name", f"{len(names)} names but {len(ids)} ids in actor_id")
    gwnos = [g for g in split_list(_clean(record.get("gwno", ""))) if g not in UNKNOWN]
    parties: list[URIRef] = []
    for party_name in names:
        iri = _party(registry, party_name, gwnos)
        if iri not in parties:
            parties.append(iri)
    coded: list[Triple] = [(agreement, RDF.type, cls), (agreement, DT.externalId, Literal(f"ucdp-pa:{paid}"))]
    coded += [(agreement, DT.hasParty, p) for p in parties]
    if when is not None:
        coded.append((agreement, DT.startDate, Literal(when.isoformat(), datatype=XSD.date)))
    for prop, value in ((DT.ceasefireProvision, cease), (DT.prisonerReleaseProvision, prisoners)):
        if value is not None:
            coded.append((agreement, prop, Literal("true" if value else "false", datatype=XSD.boolean)))
    url = _clean(record.get("linktofulltextagreement"))
    if url:
        url = http_url(url, "linktofulltextagreement")
        coded.append((agreement, SCHEMA.url, Literal(url, datatype=XSD.anyURI)))
    dataset = dataset_source(registry)
    source = _record_source(registry, paid, name, url, when)
    extra = _provenance_extra(source, dataset)
    out = [Claim(statements=coded, source=source, confidence=0.95, activity=CODED, key=f"ucdp-pa:{paid}",
                 extra=list(extra))]
    sign_text = _clean(record.get("pa_sign"))
    third_text = _clean(record.get("pa_3rd"))
    for field_name, text, kind in (("pa_sign", sign_text, "sign"), ("pa_3rd", third_text, "3rd")):
        if not text:
            continue
        statements: list[Triple] = []
        if kind == "sign":
            # Where spelling variants are compared: the agreement's conflict, its countries (gwno) and the states
            # that are parties (a head of state signs for his own: "Gnassingbe"/"Gnanssingbé Eyadema", Togo).
            context = [f"conflict:{c}" for c in split_list(_clean(record.get("conflict_id")))] + \
                [f"gw:{g}" for g in gwnos] + \
                [f"state:{p}" for p in parties if (e := registry.get(p)) is not None and e.type == DT.State]
            for signer in signatory_actors(registry, text, people, context, names):
                if (agreement, DT.signatory, signer) not in statements:
                    statements.append((agreement, DT.signatory, signer))
        else:
            for mention in find(text):
                if mention.iri not in parties and (agreement, DT.mediatedBy, mention.iri) not in statements:
                    statements.append((agreement, DT.mediatedBy, mention.iri))
        if statements:
            out.append(Claim(statements=statements, source=source, quote=text, confidence=0.7, activity=TEXT_RULES,
                             key=f"ucdp-pa:{paid}:{field_name}", extra=list(extra)))
    for claim in out:
        registry.mark_used([o for _s, _p, o in claim.statements])
        registry.mark_used([agreement])
    return out


def is_ucdp_header(path: Path, head: str) -> bool:
    """A ``.csv`` whose header has the UCDP peace agreement columns (``paid``, ``pa_name``, ``pa_date``)."""
    if path.suffix.lower() != ".csv":
        return False
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    names = {h.strip().lower() for h in next(csv.reader([first]), [])}
    return {"paid", "pa_name", "pa_date", "actor_name"} <= names


def parse_ucdp(path: Path, ctx: LoadContext) -> ParseResult:
    """Read a UCDP peace agreements CSV into claims; one reject per bad row, naming line and field."""
    result = ParseResult()
    name = str(path)
    find = mention_finder(ctx.registry)
    people = PeopleIndex(ctx.registry)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(bounded_lines(handle))
        try:
            raw_header = next(reader)
        except StopIteration:
            result.rejects.append(Reject(name, 1, None, "the file is empty; expected a header row"))
            return result
        header = [h.strip() for h in raw_header]
        while header and header[-1] == "":
            header.pop()
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            result.rejects.append(Reject(name, 1, missing[0], f"missing column(s) {', '.join(missing)}"))
            return result
        previous_end = reader.line_num
        for row in csv_rows(reader):
            line, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            result.records += 1
            cells = row[: len(header)] if all(c == "" for c in row[len(header):]) else row
            if len(cells) != len(header):
                result.rejects.append(Reject(name, line, None, f"{len(row)} fields where the header has "
                                                               f"{len(header)}", ",".join(row)[:300]))
                if ctx.fail_fast:
                    break
                continue
            try:
                claims = _claims(ctx.registry, dict(zip(header, cells, strict=True)), find, people)
            except FieldError as exc:
                result.rejects.append(Reject(name, line, exc.field, exc.message, ",".join(row)[:300]))
                if ctx.fail_fast:
                    break
                continue
            for claim in claims:
                result.claims.append(claim)
                result.origins[claim.iri] = line
    return result


__all__ = ["DATASET_TITLE", "PUBLISHER", "split_list", "signatory_names", "signatory_actors", "PeopleIndex",
           "name_key", "dataset_source", "is_ucdp_header",
           "parse_ucdp"]
