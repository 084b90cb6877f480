"""GDELT and UCDP mappings checked against the raw rows with pandas (fixtures in tests/loaders/data/).

The fixtures are real rows: ``gdelt-20191024143000-sample.export.CSV`` is 211 rows of the shared
GDELT 2.0 export (every USA→USA row, every CAMEO 045 row, every IRN–SYR and ISR–USA row, the 057,
0841 and 0871 rows and the first 80); ``ucdp-peace-agreements-221-sample.csv`` is the 20 UCDP v22.1
agreements whose ``pa_sign`` names a Malaysian Facilitator, a job title or a person written several ways;
``ucdp-peace-agreements-221-people.csv`` the 37 agreements holding both spellings of the 15 close-name person
pairs the first merge left, John Momis's rows and the "Eminent Personalities" rows, then Sinn Féin's (1063) and
Damane Zakaria's three (1355, 1373, 1493).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest
from rdflib import Literal, URIRef

from detente.graph.entities import normalize_label
from detente.graph.store import Store, open_store
from detente.loaders import load_paths
from detente.loaders.gdelt import CAMEO_COUNTRY_EXCEPTIONS, COLUMNS
from detente.loaders.registry import EntityRegistry
from detente.loaders.wikidata import table_source

DATA = Path(__file__).resolve().parent / "data"
GDELT = DATA / "gdelt-20191024143000-sample.export.CSV"
UCDP = DATA / "ucdp-peace-agreements-221-sample.csv"


def _count(store, sparql: str) -> int:
    return int(store.query(sparql).rows[0][0])


@pytest.fixture(scope="module")
def gdelt():
    store = open_store("memory:")
    load_paths(store, [GDELT])
    raw = pd.read_csv(GDELT, sep="\t", header=None, names=list(COLUMNS), dtype=str, keep_default_na=False, quoting=3)
    return store, raw


_REGISTRY = EntityRegistry()


def _state_code(code: str) -> str | None:
    iso = CAMEO_COUNTRY_EXCEPTIONS.get(code, code)
    return iso if URIRef(f"https://w3id.org/detente/id/state/{iso}") in _REGISTRY else None


def _raw_directed_dyads(raw: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Rows per (actor 1 country, actor 2 country) of the raw export, with pandas: coded state actors only."""
    coded = raw[(raw.Actor1Code != "") & (raw.Actor2Code != "") & (raw.Actor1KnownGroupCode == "")
                & (raw.Actor2KnownGroupCode == "")].copy()
    coded["a"] = coded.Actor1CountryCode.map(_state_code)
    coded["b"] = coded.Actor2CountryCode.map(_state_code)
    return dict(coded.dropna(subset=["a", "b"]).groupby(["a", "b"]).size().to_dict())


def test_gdelt_directed_dyads_match_the_raw_rows(gdelt) -> None:
    store, raw = gdelt
    expected = _raw_directed_dyads(raw)
    rows = store.query("""SELECT ?a ?b (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e dt:initiator ?x ; dt:target ?y .
        OPTIONAL { ?x dt:country ?xc } OPTIONAL { ?y dt:country ?yc }
        BIND(COALESCE(?xc, ?x) AS ?a) BIND(COALESCE(?yc, ?y) AS ?b)
        FILTER(STRSTARTS(STR(?a), STR(state:)) && STRSTARTS(STR(?b), STR(state:))) } GROUP BY ?a ?b""").rows
    actual = {(str(a).rsplit("/", 1)[-1], str(b).rsplit("/", 1)[-1]): int(n) for a, b, n in rows}
    assert actual == expected
    # The cases the issue names: same-country events are kept, and directions add up.
    assert expected[("USA", "USA")] == 55 == actual[("USA", "USA")]
    for one, other in (("IRN", "SYR"), ("ISR", "USA")):
        both = expected.get((one, other), 0) + expected.get((other, one), 0)
        by_roles = _count(store, f"""SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{
            {{ ?e dt:initiator ?x ; dt:target ?y }} ?x dt:country? state:{one} . ?y dt:country? state:{other} }}""") + \
            _count(store, f"""SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{
            {{ ?e dt:initiator ?x ; dt:target ?y }} ?x dt:country? state:{other} . ?y dt:country? state:{one} }}""")
        assert by_roles == both


README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_dyad_query() -> str:
    blocks = re.findall(r"```sparql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    dyads = [b for b in blocks if "dt:initiator ?x ; dt:target ?y" in b]
    assert len(dyads) == 1
    return dyads[0]


def test_gdelt_readme_dyad_query_gives_the_raw_counts(gdelt) -> None:
    store, raw = gdelt
    expected = _raw_directed_dyads(raw)
    actual = {(str(a).rsplit("/", 1)[-1], str(b).rsplit("/", 1)[-1]): int(n)
              for a, b, n in store.query(_readme_dyad_query()).rows}
    assert actual == expected
    # The figures the README quotes (the sample holds every such row of the shared export).
    assert actual[("USA", "USA")] == 55
    assert actual[("IRN", "SYR")] + actual[("SYR", "IRN")] == 10 and actual[("SYR", "IRN")] == 1
    assert actual[("USA", "ISR")] + actual[("ISR", "USA")] == 11 and actual[("ISR", "USA")] == 3
    # Counting only states would lose the role actor ISR -> USAEDU ("United States education sector").
    assert _count(store, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e dt:initiator state:ISR ; "
                         "dt:target state:USA }") == 2


def test_gdelt_every_coded_actor_keeps_its_role(gdelt) -> None:
    store, raw = gdelt
    assert _count(store, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e dt:externalId ?i }") == len(raw)
    # A 045 (mediate) event: Actor1 is the mediator, and still the initiator; Actor2 the party and the target.
    mediations = raw[(raw.EventCode == "045") & (raw.Actor1CountryCode != "") & (raw.Actor1KnownGroupCode == "")]
    assert len(mediations) > 0
    for event_id in mediations.GLOBALEVENTID:
        assert store.query(f"ASK {{ event:gdelt-{event_id} dt:initiator ?m ; dt:mediatedBy ?m "
                           f"FILTER NOT EXISTS {{ event:gdelt-{event_id} dt:hasParty ?m }} }}").boolean, event_id


def _loaded_with_raw(path: Path) -> tuple[Store, pd.DataFrame]:
    """A memory store holding the UCDP file ``path``, and the file as pandas reads it (every cell as text)."""
    store = open_store("memory:")
    load_paths(store, [path])
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw.columns = [c.strip() for c in raw.columns]
    return store, raw


@pytest.fixture(scope="module")
def ucdp():
    return _loaded_with_raw(UCDP)


def test_ucdp_agreements_and_sources_are_dated(ucdp) -> None:
    store, raw = ucdp
    assert _count(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a dt:externalId ?i }") == len(raw)
    # The record sources (not the Wikidata table the states' link claims come from).
    records = f"?c prov:wasDerivedFrom ?s FILTER(?s != <{table_source().iri}>)"
    assert _count(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {records} }}") == len(raw)
    undated = store.query(f"SELECT ?s WHERE {{ {records} FILTER NOT EXISTS {{ ?s dct:issued ?d }} }}").rows
    assert undated == []
    # Each record source carries its agreement's signing date.
    dates = {str(r[0]).rsplit("-", 1)[-1]: str(r[1]) for r in store.query(
        f"SELECT ?s ?d WHERE {{ {records} ?s dct:issued ?d }}").rows}
    assert dates == dict(zip(raw.paid, raw.pa_date, strict=True))


def test_ucdp_signatories_are_people_or_the_state_a_role_signs_for(ucdp) -> None:
    store, raw = ucdp
    names = {str(r[0]) for r in store.query(
        "SELECT DISTINCT ?l WHERE { ?a dt:signatory ?p . ?p a dt:Person ; rdfs:label ?l }").rows}
    for title in ("Higher Education", "Public Security", "Director General", "Malaysian Facilitator"):
        assert title not in names
    assert not [n for n in names if n.split()[-1] in ("Director", "Chair", "Ambassador", "General", "Affairs")]
    facilitated = raw[raw.pa_sign.str.contains("Malaysian Facilitator")]
    assert len(facilitated) >= 7
    for paid in facilitated.paid:
        assert store.query(f"ASK {{ agreement:ucdp-{paid} dt:signatory state:MYS }}").boolean, paid
    # One IRI per person: "Lieutenant-General John Hezekiah Bowen" and "Lt-General J. Hezekiah Bowen".
    bowen = store.query("SELECT DISTINCT ?p WHERE { ?a dt:signatory ?p . ?p rdfs:label ?l "
                        "FILTER(CONTAINS(?l, 'Bowen')) }").rows
    assert len(bowen) == 1
    johnson = store.query("SELECT DISTINCT ?p WHERE { ?a dt:signatory ?p . ?p rdfs:label ?l "
                          "FILTER(CONTAINS(LCASE(?l), 'roosevelt')) }").rows
    assert len(johnson) == 1


# --- UCDP signatories: one IRI per person, checked row by row against the raw pa_sign text -------------------

PEOPLE = DATA / "ucdp-peace-agreements-221-people.csv"

# A regular expression for one person's spellings in the raw pa_sign text: every row it matches must have one and
# the same signatory IRI whose label or alias matches it. Each was a pair of IRIs before (the raw rows agree on
# conflict or country, side and role; see tests/loaders/data/README.md).
ONE_PERSON = {
    "Djono-Ahaba (RPRC, CAR: Gontran/Gotran, hyphen)": r"Djono",
    "Jaramillo (Colombian government adviser, EPL talks: JARA MILLO)": r"JARA ?MILLO",
    "Abubakar (Nigerian general, witness for ECOWAS and the AU: Abdulsalami/Abdusalami)": r"Abdu.?salami",
    "Eyadema (President of Togo, a party to both: Gnanssingbé/Gnassingbe)": r"Eyadema",
    "Dessalegn (Ethiopian PM for IGAD: Haile Mariam/Hailemariam)": r"Dessalegn",
    "Manime (Sudanese mediator: Galuak/Qaluak)": r"[GQ]aluak",
    "Armel Sayo (RJ, CAR: Mingatoloum/Ningatouloum)": r"Armel [MN]ingato",
    "Qanyare Afrah (Somali government signatory: K/Q)": r"[KQ]u?anyare",
    "Farah Aidid (USC/SNA: Aidid/H Aideed)": r"Farah (?:H |Hassan )?Ai(?:did|deed)",
    "Yangongo (CAR junior minister: Yangongounior)": r"Yangongo",
    "Plotnitsky (LPR: I.V./I.W., -iy)": r"Plotnitsk",
    "Akoitai (Bougainville MP: Sam/Samuel/S.)": r"Akoitai",
    "Kauona (BRA commander: Sam/Samuel)": r"Kauona",
    "Momis (Bougainville co-leader beside Joseph Kabui: Jon, J.L., John L., 'John Morris')": r"Momis|John Morris",
    "Osama Saeed (Beja Opposition Congress: Saeed/Said)": r"Osama Sa",
    "Tshibanda (DRC: '-Codep' is his party)": r"Tshibanda",
}


@pytest.fixture(scope="module")
def people():
    return _loaded_with_raw(PEOPLE)


def _signed_as(store, paid: str, pattern: str) -> set[str]:
    rows = store.query(f"""SELECT DISTINCT ?p ?re WHERE {{ agreement:ucdp-{paid} dt:signatory ?p . ?p a dt:Person ;
        rdfs:label ?l OPTIONAL {{ ?p skos:altLabel ?a }} FILTER(REGEX(?l, ?re, 'i') || REGEX(?a, ?re, 'i')) }}""",
                       bindings={"re": Literal(pattern)}).rows
    return {str(r[0]) for r in rows}


@pytest.mark.parametrize("who", sorted(ONE_PERSON))
def test_ucdp_one_iri_per_person_across_agreements(people, who: str) -> None:
    store, raw = people
    pattern = ONE_PERSON[who]
    rows = raw[raw.pa_sign.str.contains(pattern, regex=True, case=False)]
    assert len(rows) >= 2, who
    iris = {paid: _signed_as(store, paid, pattern) for paid in rows.paid}
    assert set().union(*iris.values()) == next(iter(iris.values())) and len(next(iter(iris.values()))) == 1, iris


def test_ucdp_close_names_of_two_people_stay_two(people) -> None:
    store, _ = people
    # Father and son (USC/SNA), two Bougainville elders on one list, two PNG ministers on one list.
    for one, other in (("Farah (?:H )?Aideed", "Hussein Mohammed Aideed"), ("Joel Banam", "Joseph Bana"),
                       ("Michael Laimo", "Michael Ogio")):
        first = _signed_as(store, "1560" if "Banam" in one or "Laimo" in one else "1050", one)
        second = _signed_as(store, "1560" if "Bana" in other or "Ogio" in other else "1060", other)
        assert len(first) == len(second) == 1 and first != second, (one, other)


def test_ucdp_no_two_person_iris_with_close_names(people) -> None:
    store, _ = people
    labels = {str(p): str(label) for p, label in store.query(
        "SELECT DISTINCT ?p ?l WHERE { ?a dt:signatory ?p . ?p a dt:Person ; rdfs:label ?l }").rows}
    folded = {p: normalize_label(label) for p, label in labels.items()}
    close = [(labels[a], labels[b]) for a, b in combinations(sorted(folded), 2)
             if SequenceMatcher(None, folded[a], folded[b]).ratio() >= 0.85]
    assert close == []


def test_ucdp_offices_and_blocs_are_no_people(people) -> None:
    store, raw = people
    labels = {str(r[0]) for r in store.query(
        "SELECT DISTINCT ?l WHERE { ?a dt:signatory ?p . ?p a dt:Person ; rdfs:label ?l }").rows}
    for office in ("Eminent Personalities", "Consejero Presidencial", "Political Adviser", "High Commissioner",
                   "First Vice", "Opposition Beja Conference"):  # each on a line of its own in the raw pa_sign
        assert raw.pa_sign.str.contains(office).any() and office not in labels
    assert not [label for label in labels if re.search(r"(?<=[a-z])-(?:[A-Z]{2,}|Codep)\b|Personalit|Consejer", label)]
    # The person written before the bloc she signs for is kept ("Hon. Rebecca Nyadeng Garang Eminnent
    # Personalities"), and so is one written after an office ("Asesor Consejería TOMAS CONCHA S.").
    assert _signed_as(store, "1625", "^Rebecca Nyadeng Garang$")
    assert _signed_as(store, "1572", "^TOMAS CONCHA$")


def test_gdelt_rows_of_one_date_dyad_and_root_stay_separate_events(gdelt) -> None:
    # Rows with the same date, actors and CAMEO root from different articles differ in a coded field (the place of
    # the action, on the sample and on the whole shared export), so each stays its own event, as GDELT gives it.
    store, raw = gdelt
    key = ["SQLDATE", "Actor1Code", "Actor2Code", "EventRootCode"]
    groups = [rows for _key, rows in raw.groupby(key) if len(rows) > 1 and rows.SOURCEURL.nunique() > 1]
    assert groups and all(rows.ActionGeo_FullName.nunique() > 1 for rows in groups)
    placed = {str(r[0]) for r in store.query("SELECT ?i WHERE { ?e dt:externalId ?i ; dt:heldAt ?place }").rows}
    ids = {f"gdelt:{event_id}" for rows in groups for event_id in rows.GLOBALEVENTID}
    assert len(ids) == sum(len(rows) for rows in groups) and ids <= placed
