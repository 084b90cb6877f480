"""GDELT 2.0 event exports: one claim per event, sourced by the article GDELT read.

A GDELT 2.0 export (``YYYYMMDDHHMMSS.export.CSV``) has no header, 61
tab-separated unquoted columns (:data:`COLUMNS`). Each row becomes one claim:

* the event ``dtr:event/gdelt-<GLOBALEVENTID>``, typed by its CAMEO code
  (:func:`event_class`): consult/negotiate (``04x``) → ``dt:Talks``, sign a
  formal agreement (``057``) → ``dt:Agreement``, release persons (``0841``) →
  ``dt:PrisonerExchange`` (the closest class; CAMEO ``0861`` is "receive
  peacekeepers", not a release, and stays ``dt:Event``), declare a ceasefire
  (``0871``) → ``dt:Ceasefire``, anything else → ``dt:Event``;
* ``dt:cameoCode`` as a string that keeps its leading zeros (``"046"``), on
  every event, agreements (``057``) and ceasefires (``0871``) included (the
  property's domain is ``dt:Event`` or ``dt:Agreement``), ``dt:startDate`` from
  SQLDATE, ``dt:goldsteinScale``, ``dt:externalId`` (``gdelt:<GLOBALEVENTID>``);
* ``dt:initiator`` Actor1 and ``dt:target`` Actor2, exactly as coded (so the
  direction of an event is kept, and a same-country event such as
  USA → USA is ``initiator`` and ``target`` both ``state:USA``); and the
  derived roles ``dt:hasParty`` Actor1 and Actor2 (``dt:mediatedBy`` Actor1,
  not a party, for ``045`` mediate). An actor is a state when the CAMEO
  country resolves and the role is a state
  role (government, military, legislature, judiciary, intelligence, or none);
  a known organisation from the known-group code (``UNO``, ``EEC``…); else an
  actor minted per country and role ("United Kingdom civilians"). Actors with
  neither a country nor a known group ("POLICE") name no one in particular and
  are left out;
* ``dt:heldAt`` from ActionGeo: a state for a country-level location, else a
  ``dt:Venue`` minted from the full name with its ``dt:country`` (FIPS 10-4
  mapped to ISO alpha-3 by ``loaders/data/fips_iso.csv``).

The source is the SOURCEURL (a ``dt:NewsArticle``), published by the URL's
domain (a ``dt:NewsOrganization``), issued on DATEADDED's day; many events
share one source. GDELT gives no quote, so claims have none.

Confidence (machine coding, so capped below curated data)::

    0.4 + 0.1 * min(NumSources, 3) + 0.05 * min(log2(NumArticles), 2) + 0.05 * IsRootEvent

which runs from 0.5 (one source, one article) to 0.85 (three or more sources, four or
more articles, lead paragraph).

>>> event_class("046") == DT.Talks, event_class("0871") == DT.Ceasefire, event_class("190") == DT.Event
(True, True, True)
>>> gdelt_confidence(num_sources=1, num_articles=1, root=False)
0.5
"""

from __future__ import annotations

import csv
import math
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from detente.graph.claims import Activity, Claim, Source
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
    parse_decimal,
    parse_integer,
)
from detente.loaders.gazetteer import fips_to_iso, organisation_by_cameo, state_iri
from detente.loaders.registry import EntityRegistry
from detente.ontology.vocab import DT, DTR

COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate", "Actor1Code", "Actor1Name", "Actor1CountryCode",
    "Actor1KnownGroupCode", "Actor1EthnicCode", "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code",
    "Actor1Type2Code", "Actor1Type3Code", "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode",
    "Actor2EthnicCode", "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code",
    "Actor2Type3Code", "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone", "Actor1Geo_Type", "Actor1Geo_FullName",
    "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code", "Actor1Geo_Lat", "Actor1Geo_Long",
    "Actor1Geo_FeatureID", "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code", "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID", "ActionGeo_Type",
    "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code", "ActionGeo_Lat",
    "ActionGeo_Long", "ActionGeo_FeatureID", "DATEADDED", "SOURCEURL"
)

ACTIVITY = Activity(method="gdelt:2.0-events", label="events read from a GDELT 2.0 event export by detente")

# CAMEO actor country codes that are not ISO alpha-3 codes of the same state.
CAMEO_COUNTRY_EXCEPTIONS: dict[str, str] = {"ROM": "ROU", "TMP": "TLS", "ZAR": "COD", "KSV": "XKX", "BRM": "MMR",
                                            "SER": "SRB", "MTN": "MNE", "WSB": "PSE", "GZS": "PSE"}
# CAMEO regional codes: not states, kept as named actors.
CAMEO_REGIONS: dict[str, str] = {
    "AFR": "Africa", "ASA": "Asia", "BLK": "Balkans", "CRB": "Caribbean", "CAU": "Caucasus", "CFR": "Central Africa",
    "CAS": "Central Asia", "CEU": "Central Europe", "EIN": "East Indies", "EAF": "Eastern Africa",
    "EEU": "Eastern Europe", "EUR": "Europe", "LAM": "Latin America", "MEA": "Middle East", "MDT": "Mediterranean",
    "NAF": "North Africa", "NMR": "North America", "PGS": "Persian Gulf", "SCN": "Scandinavia",
    "SAM": "South America", "SAS": "South Asia", "SEA": "Southeast Asia", "SAF": "Southern Africa",
    "WAF": "West Africa", "WST": "The West",
}
# Roles under which a country-coded actor stands for the state itself.
STATE_ROLES = {"", "GOV", "MIL", "LEG", "JUD", "SPY"}
ROLE_LABELS: dict[str, str] = {
    "COP": "police", "EDU": "education sector", "BUS": "business", "CVL": "civilians", "MED": "media",
    "MNC": "multinational corporations", "HLH": "health sector", "ELI": "elites", "UAF": "armed forces (unaligned)",
    "CRM": "criminals", "OPP": "opposition", "LAB": "labour", "SEP": "separatists", "REF": "refugees",
    "HRI": "human rights groups", "REB": "rebels", "AGR": "agriculture", "INS": "insurgents",
    "UIS": "unidentified state actor", "NGO": "non-governmental organisations", "REL": "religious groups",
    "IGO": "intergovernmental organisations", "RAD": "radicals", "MOD": "moderates", "SET": "settlers",
    "ENV": "environmental groups", "DEV": "development groups", "IMG": "immigrants", "PTY": "political party",
}


def event_class(code: str) -> URIRef:
    """The ontology class for a CAMEO event code."""
    if code.startswith("04"):
        return DT.Talks
    if code == "057":
        return DT.Agreement
    if code == "0841":
        return DT.PrisonerExchange
    if code == "0871":
        return DT.Ceasefire
    return DT.Event


def gdelt_confidence(*, num_sources: int, num_articles: int, root: bool) -> float:
    """Confidence of a machine-coded event from how widely it was reported (see the module docstring)."""
    value = 0.4 + 0.1 * min(max(num_sources, 1), 3) + 0.05 * min(math.log2(max(num_articles, 1)), 2.0)
    return round(min(value + (0.05 if root else 0.0), 0.9), 3)


def is_gdelt_export(path: Path, head: str) -> bool:
    """A ``.csv``/``.tsv`` file whose first line has 61 tab-separated fields and an 8-digit date in column 1."""
    if path.suffix.lower() not in (".csv", ".tsv"):
        return False
    first = head.split("\n", 1)[0].rstrip("\r")
    fields = first.split("\t")
    return len(fields) == len(COLUMNS) and re.fullmatch(r"\d{8}", fields[1]) is not None


def _int(record: dict[str, str], name: str) -> int:
    return parse_integer(record[name], name)


def _date(text: str, name: str) -> date:
    try:
        return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise FieldError(name, f"{text!r} is not a date (YYYYMMDD)") from None


def _cameo_state(registry: EntityRegistry, code: str) -> URIRef | None:
    code = code.strip().upper()
    return state_iri(registry, CAMEO_COUNTRY_EXCEPTIONS.get(code, code)) if len(code) == 3 else None


def resolve_actor(registry: EntityRegistry, code: str, name: str, country: str, group: str, role: str) -> URIRef | None:
    """The entity for one GDELT actor, or None when it names no one in particular."""
    if not code.strip():
        return None
    if group:
        known = organisation_by_cameo(registry, group)
        if known is not None:
            return known
        cls = DT.InternationalOrganization if role == "IGO" else DT.Organization
        return registry.mint(name.title() or group, cls)
    state = _cameo_state(registry, country)
    if state is not None:
        if role in STATE_ROLES:
            return state
        entity = registry.get(state)
        label = f"{entity.label if entity else country} {ROLE_LABELS.get(role, role.lower())}"
        return registry.mint(label, DT.Actor, country=state)
    if country.strip().upper() in CAMEO_REGIONS:
        return registry.mint(CAMEO_REGIONS[country.strip().upper()], DT.Actor)
    return None


def _venue(registry: EntityRegistry, record: dict[str, str]) -> URIRef | None:
    geo_type = record["ActionGeo_Type"].strip()
    if geo_type in ("", "0"):
        return None
    state = state_iri(registry, fips_to_iso(record["ActionGeo_CountryCode"]))
    full_name = record["ActionGeo_FullName"].strip()
    if geo_type == "1" or not full_name:
        return state
    return registry.mint(full_name, DT.Venue, **({"country": state} if state is not None else {}))


def _publisher(registry: EntityRegistry, url: str) -> URIRef | None:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    if not host:
        return None
    return registry.mint(host, DT.NewsOrganization)


def _claim(registry: EntityRegistry, record: dict[str, str]) -> Claim:
    event_id = _int(record, "GLOBALEVENTID")
    when = _date(record["SQLDATE"].strip(), "SQLDATE")
    added = record["DATEADDED"].strip()
    if not re.fullmatch(r"\d{14}", added):
        raise FieldError("DATEADDED", f"{added!r} is not a timestamp (YYYYMMDDHHMMSS)")
    issued = _date(added, "DATEADDED")
    code = record["EventCode"].strip()
    if not re.fullmatch(r"\d{2,4}", code):
        raise FieldError("EventCode", f"{code!r} is not a CAMEO code")
    scale = parse_decimal(record["GoldsteinScale"], "GoldsteinScale")
    if not -10 <= scale <= 10:
        raise FieldError("GoldsteinScale", f"{scale} is outside -10..10")
    goldstein = Literal(str(round(float(scale), 2)), datatype=XSD.decimal)
    url = http_url(record["SOURCEURL"], "SOURCEURL")
    sources = _int(record, "NumSources")
    articles = _int(record, "NumArticles")
    event = DTR[f"event/gdelt-{event_id}"]
    cls = event_class(code)
    statements: list[Triple] = [(event, RDF.type, cls)]
    statements.append((event, DT.cameoCode, Literal(code)))
    statements += [
        (event, DT.startDate, Literal(when.isoformat(), datatype=XSD.date)),
        (event, DT.goldsteinScale, goldstein),
        (event, DT.externalId, Literal(f"gdelt:{event_id}")),
    ]
    actors = []
    for n in ("1", "2"):
        actor = resolve_actor(registry, record[f"Actor{n}Code"], record[f"Actor{n}Name"],
                              record[f"Actor{n}CountryCode"], record[f"Actor{n}KnownGroupCode"].strip(),
                              record[f"Actor{n}Type1Code"].strip())
        actors.append(actor)
    mediate = code == "045"  # Actor1 mediates for Actor2
    for position, actor in enumerate(actors):
        if actor is None:
            continue
        # The coded roles as GDELT gives them (direction kept, an actor acting towards itself too) ...
        statements.append((event, DT.initiator if position == 0 else DT.target, actor))
        # ... and the derived role: the mediator of a 045 is not a party; both actors are otherwise.
        derived = (event, DT.mediatedBy if mediate and position == 0 else DT.hasParty, actor)
        if derived not in statements:
            statements.append(derived)
    venue = _venue(registry, record)
    if venue is not None:
        statements.append((event, DT.heldAt, venue))
    registry.mark_used([o for _s, _p, o in statements])
    publisher = _publisher(registry, url)
    if publisher is not None:
        registry.mark_used([publisher])
    source = Source.from_metadata(url=url, publisher=publisher, issued=issued, source_type=DT.NewsArticle)
    confidence = gdelt_confidence(num_sources=sources, num_articles=articles,
                                  root=record["IsRootEvent"].strip() == "1")
    return Claim(statements=statements, source=source, confidence=confidence, activity=ACTIVITY,
                 key=f"gdelt:{event_id}")


def parse_gdelt(path: Path, ctx: LoadContext) -> ParseResult:
    """Read a GDELT 2.0 event export into one claim per event; bad rows become rejects."""
    result = ParseResult()
    name = str(path)
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(bounded_lines(handle), delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in csv_rows(reader):
            line = reader.line_num
            if not row or not any(cell.strip() for cell in row):
                continue
            result.records += 1
            if len(row) != len(COLUMNS):
                result.rejects.append(Reject(name, line, None, f"{len(row)} fields where a GDELT 2.0 export has "
                                                               f"{len(COLUMNS)}", "\t".join(row)[:500]))
                if ctx.fail_fast:
                    break
                continue
            try:
                record = dict(zip(COLUMNS, row, strict=True))
                check_values(record, "")
                claim = _claim(ctx.registry, record)
            except FieldError as exc:
                result.rejects.append(Reject(name, line, exc.field, exc.message, "\t".join(row)[:500]))
                if ctx.fail_fast:
                    break
                continue
            result.claims.append(claim)
            result.origins[claim.iri] = line
    return result


__all__ = ["COLUMNS", "ACTIVITY", "event_class", "gdelt_confidence", "is_gdelt_export", "resolve_actor",
           "parse_gdelt"]
