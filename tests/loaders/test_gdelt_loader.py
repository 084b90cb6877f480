"""GDELT 2.0 event exports: FIPS table, detection, the shared 15-minute file, bad rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry
import pytest
from rdflib import Literal

from detente.graph.store import open_store
from detente.loaders import LoadError, detect_format, load_paths
from detente.loaders.base import LoadContext
from detente.loaders.gazetteer import DATA, fips_table, fips_to_iso
from detente.loaders.gdelt import COLUMNS, event_class, gdelt_confidence, parse_gdelt
from detente.loaders.registry import EntityRegistry
from detente.ontology.vocab import DT

# 333 real rows of one GDELT 2.0 export: whole articles, see tests/fixtures/README.md.
EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "gdelt" / "20191024143000-sample.export.CSV"


def test_fips_codes_map_to_iso() -> None:
    expected = {"UK": "GBR", "RS": "RUS", "CH": "CHN", "UP": "UKR", "SA": "SAU", "IZ": "IRQ", "GM": "DEU",
                "US": "USA", "AS": "AUS", "AU": "AUT", "SF": "ZAF", "SZ": "CHE", "SW": "SWE", "EZ": "CZE",
                "KS": "KOR", "KN": "PRK", "EI": "IRL", "BM": "MMR", "CG": "COD", "CF": "COG", "TU": "TUR",
                "IS": "ISR", "WE": "PSE", "GZ": "PSE", "OD": "SSD", "MU": "OMN", "BA": "BHR", "AE": "ARE",
                "QA": "QAT", "LE": "LBN", "TX": "TKM", "TI": "TJK", "RP": "PHL", "VM": "VNM", "KV": "XKX"}
    for fips, iso in expected.items():
        assert fips_to_iso(fips) == iso, fips
    assert fips_to_iso("OS") is None  # oceans
    table = fips_table()
    with (DATA / "fips_iso.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len({r["fips"] for r in rows}) == len(rows) >= 270
    # Every ISO code in the table is a real one (or Kosovo's XKX), and every ISO country has a FIPS code
    # except those FIPS folds into another (Aland into Finland, the Caribbean Netherlands).
    assert all(pycountry.countries.get(alpha_3=iso) or iso == "XKX" for iso in table.values())
    missing = {c.alpha_3 for c in pycountry.countries} - set(table.values())
    assert missing <= {"ALA", "BES"}


def test_event_classes_and_confidence() -> None:
    assert event_class("046") == DT.Talks and event_class("040") == DT.Talks
    assert event_class("057") == DT.Agreement and event_class("0841") == DT.PrisonerExchange
    assert event_class("0871") == DT.Ceasefire and event_class("190") == DT.Event
    low = gdelt_confidence(num_sources=1, num_articles=1, root=False)
    high = gdelt_confidence(num_sources=5, num_articles=40, root=True)
    assert low == 0.5 and high == 0.85
    assert low < gdelt_confidence(num_sources=2, num_articles=4, root=False) < high


def test_detection() -> None:
    assert detect_format(EXPORT).name == "gdelt-events"


@pytest.fixture(scope="module")
def loaded():
    store = open_store("memory:")
    reports = load_paths(store, [EXPORT])
    return store, reports


def test_every_row_accounted_for(loaded) -> None:
    store, reports = loaded
    report = reports[0]
    with EXPORT.open(encoding="utf-8") as handle:
        lines = sum(1 for line in handle if line.strip())
    # `wc -l < FILE` (one event a line, no header).
    assert lines == 333 == report.records
    assert report.claims + len(report.rejects) == 333
    assert all(r.message and r.line for r in report.rejects)
    count = store.query("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dt:Claim ; dct:identifier ?id "
                        "FILTER(STRSTARTS(?id, 'gdelt:')) }").rows[0][0]
    assert int(count) == report.claims


def test_codes_stay_strings_with_leading_zeros(loaded) -> None:
    store, _ = loaded
    codes = {str(row[0]) for row in store.query("SELECT DISTINCT ?code WHERE { ?e dt:cameoCode ?code }").rows}
    assert {"046", "040", "036", "0841"} <= codes
    rows = store.query('SELECT ?e WHERE { ?e dt:cameoCode "046" ; a dt:Talks }').rows
    assert rows, "negotiate (046) events are talks"
    datatype = store.query("SELECT DISTINCT (DATATYPE(?code) AS ?t) WHERE { ?e dt:cameoCode ?code }").rows
    assert [str(r[0]) for r in datatype] == ["http://www.w3.org/2001/XMLSchema#string"]


def test_event_facts(loaded) -> None:
    store, _ = loaded
    # 881991062: AFG -> RUS 046 (negotiate).
    rows = store.query("""SELECT DISTINCT ?cls ?date ?g WHERE { ?e dt:externalId "gdelt:881991062" ; a ?cls ;
        dt:startDate ?date ; dt:goldsteinScale ?g ; dt:hasParty state:AFG , state:RUS }""").rows
    assert len(rows) == 1 and rows[0][0] == DT.Talks
    # Venues: a city becomes a dt:Venue in its state (FIPS mapped to ISO).
    assert store.query('ASK { ?e dt:heldAt ?v . ?v a dt:Venue ; rdfs:label "Moscow, Moskva, Russia"@en ; '
                       'dt:country state:RUS }').boolean
    assert store.query("ASK { ?e dt:hasParty ?o . "
                       "?o a dt:InternationalOrganization ; rdfs:label 'European Union'@en }").boolean


def test_claims_share_sources_published_by_domain(loaded) -> None:
    store, _ = loaded
    # GDELT's own claims: the states they name also bring their Wikidata link claims, sourced to the bundled table.
    gdelt = "?c a dt:Claim ; prov:wasGeneratedBy activity:gdelt-2-0-events ; prov:wasDerivedFrom ?s"
    n_sources = store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {gdelt} }}").rows
    # Distinct SOURCEURLs, `cut -f61 FILE | sort -u | wc -l` (425 in the whole export).
    assert int(n_sources[0][0]) == 66
    shared = store.query(f"SELECT ?s (COUNT(?c) AS ?n) WHERE {{ {gdelt} }} GROUP BY ?s HAVING (COUNT(?c) > 1)").rows
    # SOURCEURLs on more than one row, `cut -f61 FILE | sort | uniq -d | wc -l` (301 in the whole export).
    assert len(shared) == 50
    row = store.query("SELECT DISTINCT ?label ?issued WHERE { ?s schema:url ?u ; dct:issued ?issued ; "
                      "dct:publisher ?p . ?p a dt:NewsOrganization ; rdfs:label ?label "
                      "FILTER(STRSTARTS(STR(?u), 'https://belsat.eu/')) }").rows
    assert [(str(a), str(b)) for a, b in row] == [("belsat.eu", "2019-10-24")]


def test_reload_adds_nothing(loaded) -> None:
    store, _ = loaded
    before = store.count_quads()
    again = load_paths(store, [EXPORT], shacl=False)
    assert again[0].new_claims == 0 and store.count_quads() == before


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")


def _row(**values: str) -> list[str]:
    row = [""] * len(COLUMNS)
    base = {"GLOBALEVENTID": "1", "SQLDATE": "20250312", "MonthYear": "202503", "Year": "2025",
            "FractionDate": "2025.19", "Actor1Code": "UKRGOV", "Actor1Name": "UKRAINE", "Actor1CountryCode": "UKR",
            "Actor1Type1Code": "GOV", "Actor2Code": "RUS", "Actor2Name": "RUSSIA", "Actor2CountryCode": "RUS",
            "IsRootEvent": "1", "EventCode": "046", "EventBaseCode": "046", "EventRootCode": "04",
            "QuadClass": "1", "GoldsteinScale": "7.0", "NumMentions": "4", "NumSources": "2", "NumArticles": "4",
            "AvgTone": "1.5", "ActionGeo_Type": "4", "ActionGeo_FullName": "Riyadh, Ar Riyad, Saudi Arabia",
            "ActionGeo_CountryCode": "SA", "DATEADDED": "20250312120000",
            "SOURCEURL": "https://www.example.org/news/talks"}
    base.update(values)
    for name, value in base.items():
        row[COLUMNS.index(name)] = value
    return row


def test_small_file_and_bad_rows(tmp_path: Path) -> None:
    good = tmp_path / "good.export.CSV"
    _write_rows(good, [_row(), _row(GLOBALEVENTID="2", EventCode="057")])
    result = parse_gdelt(good, LoadContext(EntityRegistry()))
    assert len(result.claims) == 2 and not result.rejects
    talks, agreement = result.claims
    assert talks.source == agreement.source
    assert (talks.statements[0][0], DT.cameoCode, Literal("046")) in talks.statements
    assert talks.source.publisher is not None and str(talks.source.publisher).endswith("/example-org")

    bad = tmp_path / "bad.export.CSV"
    rows = [_row(), _row(GLOBALEVENTID="3", SQLDATE="20251399"), _row(GLOBALEVENTID="x4"),
            _row(GLOBALEVENTID="5", GoldsteinScale="high")]
    rows.append(_row(GLOBALEVENTID="6")[:40])
    _write_rows(bad, rows)
    store = open_store("memory:")
    with pytest.raises(LoadError) as info:
        load_paths(store, [bad])
    # A load refuses the file at its first bad row, and stops reading there (issue 8) ...
    assert [r.line for r in info.value.rejects] == [2] and "validate" in str(info.value)
    assert store.count_quads() == 0
    # ... while validating (as --skip-invalid) reads on and names every bad row.
    reports = load_paths(None, [bad], skip_invalid=True)
    rejects = {r.line: r for r in reports[0].rejects}
    assert set(rejects) == {2, 3, 4, 5}
    assert rejects[2].field == "SQLDATE" and rejects[3].field == "GLOBALEVENTID"
    assert rejects[4].field == "GoldsteinScale" and "40 fields" in rejects[5].message
    assert all(r.file == str(bad) for r in rejects.values())
    assert store.count_quads() == 0
    # With --skip-invalid the good row loads and the rejects are written out.
    reports = load_paths(store, [bad], skip_invalid=True, rejects_path=tmp_path / "rejects.csv")
    assert reports[0].claims == 1 and reports[0].written
    assert (tmp_path / "rejects.csv").read_text(encoding="utf-8").count("\n") == 5
