"""Small offline gazetteers the real-world loaders share.

Country code tables (FIPS 10-4 and Gleditsch–Ward numbers to ISO 3166-1
alpha-3), well-known organisations, demonyms and capitals. The tables live
as CSV in ``loaders/data/`` so they can be read and corrected without code.

>>> fips_to_iso("UK"), fips_to_iso("RS"), fips_to_iso("OS")
('GBR', 'RUS', None)
>>> gw_to_iso("365")
'RUS'
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import URIRef

from detente.loaders.registry import EntityRegistry, entity_type
from detente.ontology.vocab import DT, DTR

DATA = Path(__file__).resolve().parent / "data"


def _table(name: str, key: str, value: str) -> dict[str, str]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return {row[key].strip(): row[value].strip() for row in csv.DictReader(handle) if row[value].strip()}


@lru_cache(maxsize=1)
def fips_table() -> dict[str, str]:
    """FIPS 10-4 country code → ISO 3166-1 alpha-3 (codes without a country, such as oceans, are absent)."""
    return _table("fips_iso.csv", "fips", "iso3")


@lru_cache(maxsize=1)
def gw_table() -> dict[str, str]:
    """Gleditsch–Ward state number → ISO 3166-1 alpha-3 (historical states map to their successor)."""
    return _table("gw_iso.csv", "gwno", "iso3")


def fips_to_iso(code: str) -> str | None:
    """ISO alpha-3 for a FIPS 10-4 code, or None.

    >>> fips_to_iso("GM")
    'DEU'
    """
    return fips_table().get(code.strip().upper())


def gw_to_iso(number: str) -> str | None:
    """ISO alpha-3 for a Gleditsch–Ward number, or None.

    >>> gw_to_iso("2")
    'USA'
    """
    return gw_table().get(number.strip())


def state_iri(registry: EntityRegistry, iso3: str | None) -> URIRef | None:
    """The registry's state for an ISO alpha-3 code, or None if it names no state.

    >>> str(state_iri(EntityRegistry(), "UKR"))
    'https://w3id.org/detente/id/state/UKR'
    >>> state_iri(EntityRegistry(), "EUR") is None
    True
    """
    if not iso3:
        return None
    iri = DTR[f"state/{iso3.upper()}"]
    if iri in registry:
        return iri
    return None


@lru_cache(maxsize=1)
def organisations() -> tuple[tuple[str, URIRef, tuple[str, ...], str], ...]:
    """Well-known organisations: (label, class, aliases, CAMEO group code)."""
    out = []
    with (DATA / "organisations.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            cls = entity_type(row["type"]) or DT.Organization
            aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
            out.append((row["label"].strip(), cls, aliases, row["cameo"].strip()))
    return tuple(out)


def register_organisations(registry: EntityRegistry) -> None:
    """Teach the registry the organisation gazetteer; names already taken (a state's code) win."""
    for label, cls, aliases, _code in organisations():
        if registry.resolve(label) is not None:
            continue
        registry.mint(label, cls, aliases=[a for a in aliases if registry.resolve(a) is None])


def organisation_by_cameo(registry: EntityRegistry, code: str) -> URIRef | None:
    """The organisation for a CAMEO known-group code such as ``UNO`` or ``EEC``."""
    for label, _cls, _aliases, cameo in organisations():
        if cameo and cameo == code:
            register_organisations(registry)
            return registry.resolve(label)
    return None


# Demonyms and adjectives the news uses for states (ISO alpha-3).
DEMONYMS: dict[str, str] = {
    "Ukrainian": "UKR", "Russian": "RUS", "Saudi": "SAU", "American": "USA", "U.S.": "USA", "US": "USA",
    "Turkish": "TUR", "Qatari": "QAT", "Emirati": "ARE", "Chinese": "CHN", "French": "FRA", "German": "DEU",
    "British": "GBR", "Iranian": "IRN", "Israeli": "ISR", "Palestinian": "PSE", "Egyptian": "EGY",
    "Cuban": "CUB", "Syrian": "SYR", "Iraqi": "IRQ", "Afghan": "AFG", "Pakistani": "PAK", "Indian": "IND",
    "Japanese": "JPN", "South Korean": "KOR", "North Korean": "PRK", "Armenian": "ARM", "Azerbaijani": "AZE",
    "Belarusian": "BLR", "Polish": "POL", "Norwegian": "NOR", "Swiss": "CHE", "Austrian": "AUT",
    "Italian": "ITA", "Spanish": "ESP", "Colombian": "COL", "Venezuelan": "VEN", "Mexican": "MEX",
    "Brazilian": "BRA", "Ethiopian": "ETH", "Sudanese": "SDN", "South Sudanese": "SSD", "Kenyan": "KEN",
    "Nigerian": "NGA", "Yemeni": "YEM", "Lebanese": "LBN", "Jordanian": "JOR", "Omani": "OMN",
    "Kuwaiti": "KWT", "Libyan": "LBY", "Greek": "GRC", "Hungarian": "HUN", "Serbian": "SRB",
    "Georgian": "GEO", "Moldovan": "MDA", "Kazakh": "KAZ", "Canadian": "CAN", "Australian": "AUS",
    "Vatican": "VAT", "Malaysian": "MYS", "Indonesian": "IDN", "Filipino": "PHL", "Philippine": "PHL",
    "Thai": "THA", "South African": "ZAF", "Ugandan": "UGA", "Tanzanian": "TZA", "Algerian": "DZA",
}

# Former names of states, as older texts and datasets write them, mapped to today's state.
HISTORICAL_NAMES: dict[str, str] = {
    "Soviet Union": "RUS", "USSR": "RUS", "Zaire": "COD", "Burma": "MMR", "Yugoslavia": "SRB", "Kampuchea": "KHM",
    "Rhodesia": "ZWE", "Swaziland": "SWZ", "Macedonia": "MKD", "Czechoslovakia": "CZE", "East Timor": "TLS",
}

# Capitals stand for their states in actor position ("Kyiv and Moscow agreed").
CAPITALS: dict[str, str] = {
    "Kyiv": "UKR", "Kiev": "UKR", "Moscow": "RUS", "Washington": "USA", "Riyadh": "SAU", "Beijing": "CHN",
    "Ankara": "TUR", "Doha": "QAT", "Abu Dhabi": "ARE", "Tehran": "IRN", "Jerusalem": "ISR", "Cairo": "EGY",
    "Havana": "CUB", "Damascus": "SYR", "Baghdad": "IRQ", "Kabul": "AFG", "Islamabad": "PAK",
    "New Delhi": "IND", "Tokyo": "JPN", "Seoul": "KOR", "Pyongyang": "PRK", "Yerevan": "ARM", "Baku": "AZE",
    "Minsk": "BLR", "Warsaw": "POL", "Paris": "FRA", "Berlin": "DEU", "London": "GBR", "Rome": "ITA",
    "Madrid": "ESP", "Bogota": "COL", "Caracas": "VEN", "Addis Ababa": "ETH", "Khartoum": "SDN",
    "Nairobi": "KEN", "Sanaa": "YEM", "Beirut": "LBN", "Amman": "JOR", "Muscat": "OMN", "Tripoli": "LBY",
}

# Short codes that are names in running text; other two- and three-letter codes are too ambiguous to match.
_TEXT_CODES = {"US", "U.S.", "USA", "U.S.A.", "UK", "U.K.", "UAE", "DRC", "PRC", "DPRK"}


@dataclass(frozen=True)
class Mention:
    """An actor named in text: where, how, and which entity."""

    start: int
    end: int
    text: str
    iri: URIRef
    kind: str  # "state", "organization", "demonym" or "capital"


def mention_finder(registry: EntityRegistry, *, demonyms: bool = False,
                   capitals: bool = False) -> Callable[[str], list[Mention]]:
    """A function that finds states and organisations named in text (case-sensitive, whole words).

    States come from the registry's state names and aliases, organisations
    from the gazetteer; ``demonyms`` adds "Ukrainian", "Saudi"…, ``capitals``
    adds "Kyiv", "Moscow"… as metonyms for their states. Longest names win.

    >>> find = mention_finder(EntityRegistry(), capitals=True)
    >>> [(m.text, m.iri.rsplit("/", 1)[-1]) for m in find("Kyiv and Moscow met the U.S. envoy in Saudi Arabia")]
    [('Kyiv', 'UKR'), ('Moscow', 'RUS'), ('U.S.', 'USA'), ('Saudi Arabia', 'SAU')]
    """
    register_organisations(registry)
    names: dict[str, tuple[URIRef, str]] = {}
    # Only states and the gazetteer: entities minted by earlier loads must not change what a text yields.
    for entity in registry:
        if entity.type != DT.State:
            continue
        for name in [entity.label, *entity.aliases]:
            if (len(name) <= 3 or name.isupper()) and name not in _TEXT_CODES:
                continue
            names.setdefault(name, (entity.iri, "state"))
    for label, _cls, aliases, _code in organisations():
        iri = registry.resolve(label)
        if iri is None:
            continue
        for name in (label, *aliases):
            names.setdefault(name, (iri, "organization"))
    extra = [(n, c, "state") for n, c in HISTORICAL_NAMES.items()]
    if demonyms:
        extra += [(n, c, "demonym") for n, c in DEMONYMS.items()]
    if capitals:
        extra += [(n, c, "capital") for n, c in CAPITALS.items()]
    for name, code, kind in extra:
        iri = state_iri(registry, code)
        if iri is not None and name not in names:
            names[name] = (iri, kind)
    alternatives = sorted(names, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(n) for n in alternatives) + r")(?![\w])")

    def find(text: str) -> list[Mention]:
        out = []
        for match in pattern.finditer(text):
            iri, kind = names[match.group(0)]
            out.append(Mention(match.start(), match.end(), match.group(0), iri, kind))
        return out

    return find


__all__ = ["Mention", "mention_finder", "fips_table", "gw_table", "fips_to_iso", "gw_to_iso", "state_iri",
           "organisations", "register_organisations", "organisation_by_cameo", "DEMONYMS", "CAPITALS",
           "HISTORICAL_NAMES", "DATA"]
