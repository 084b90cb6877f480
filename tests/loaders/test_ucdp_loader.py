"""UCDP Peace Agreement Dataset: header quirks, list fields, flags, signatories, mediators, sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.graph.store import open_store
from detente.loaders import LoadError, detect_format, load_paths
from detente.loaders.base import LoadContext
from detente.loaders.gazetteer import gw_to_iso, register_organisations
from detente.loaders.registry import EntityRegistry
from detente.loaders.ucdp import PeopleIndex, parse_ucdp, signatory_actors, signatory_names, split_list
from detente.ontology.vocab import DT, DTR

# 38 real agreements of UCDP PA v22.1 (whole records, header quirks kept), see tests/fixtures/README.md.
UCDP = Path(__file__).resolve().parents[1] / "fixtures" / "ucdp" / "ucdp-peace-agreements-221-sample.csv"


def _count(store, sparql: str) -> int:
    return int(store.query(sparql).rows[0][0])


@pytest.fixture(scope="module")
def loaded():
    store = open_store("memory:")
    reports = load_paths(store, [UCDP])
    return store, reports


def test_detected_as_ucdp() -> None:
    assert detect_format(UCDP).name == "ucdp-peace-agreements"


def test_agreement_counts_and_flags(loaded) -> None:
    store, reports = loaded
    # Expected figures count the raw records: rows = list(csv.DictReader(open(UCDP, newline=""))), then
    # len(rows); sum(r["cease"] == "1"); sum(r["pris"] == "1"); sum(r["pa_type"] == "1");
    # sum(r["cease"] == "1" and r["pa_type"] != "1"); sum(bool(r["linktofulltextagreement"].strip())).
    # On the whole v22.1 file the same counts give 374, 176, 100, 77, 119 and 352.
    assert reports[0].records == 38 and not reports[0].rejects
    assert _count(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a dt:externalId ?id "
                         "FILTER(STRSTARTS(?id, 'ucdp-pa:')) }") == 38
    assert _count(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a dt:ceasefireProvision true }") == 24
    assert _count(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a dt:prisonerReleaseProvision true }") == 14
    assert _count(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a dt:PeaceAgreement ; dt:externalId ?i }") == 11
    # cease=1 agreements that are not full peace agreements are ceasefires.
    assert _count(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a dt:Ceasefire ; dt:externalId ?i }") == 15
    assert _count(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a dt:externalId ?i ; schema:url ?u }") == 31


def test_lists_are_split_and_parties_resolved(loaded) -> None:
    store, _ = loaded
    rows = store.query("SELECT DISTINCT ?p WHERE { ?a rdfs:label 'Peshawar Accord'@en ; dt:hasParty ?p }").rows
    parties = {str(r[0]).rsplit("/", 1)[-1] for r in rows}
    # Seven names in one field, one of them the government (a state); Hizb-i Islami-yi Afghanistan and its
    # Khalis faction stay apart.
    assert "AFG" in parties and len(parties) == 7
    # A name with commas inside ("Military Junta for the Consolidation of Democracy, Peace and Justice").
    assert store.query("ASK { ?a dt:hasParty ?o . ?o rdfs:label "
                       "'Military Junta for the Consolidation of Democracy, Peace and Justice'@en }").boolean
    # Governments under older names resolve to today's states.
    for code in ("RUS", "COD", "MMR", "SRB", "USA", "BIH"):
        assert store.query(f"ASK {{ ?a dt:hasParty state:{code} ; dt:externalId ?i }}").boolean, code
    assert not store.query("ASK { ?a dt:hasParty ?o . ?o rdfs:label ?l FILTER(STRSTARTS(?l, 'Government of')) }"
                           ).boolean


def test_signatories_and_mediators(loaded) -> None:
    store, _ = loaded
    rows = store.query("SELECT DISTINCT ?name WHERE { ?a dt:signatory ?p . ?p a dt:Person ; rdfs:label ?name }").rows
    names = {str(r[0]) for r in rows}
    assert {"Jose Eduardo dos Santos", "Jonas Savimbi", "Mohammad Ashraf Ghani", "Gulbuddin Hekmatyar"} <= names
    assert not any(n.lower().startswith(("government", "the ", "for ")) for n in names)
    # "Portugal, the USSR, the USA and the UN" (Bicesse Accords) mediated.
    mediators = {str(r[0]).rsplit("/", 1)[-1] for r in store.query(
        "SELECT DISTINCT ?m WHERE { ?a rdfs:label ?l ; dt:mediatedBy ?m FILTER(CONTAINS(?l, 'Bicesse')) }").rows}
    assert {"PRT", "USA", "united-nations"} <= mediators
    # Extracted actors carry the free text as their quote, at a lower confidence than the coded record.
    row = store.query("SELECT ?q ?conf WHERE { GRAPH ?c { ?a dt:signatory ?p } ?c dt:quote ?q ; dt:confidence ?conf } "
                      "LIMIT 1").rows[0]
    assert str(row[0]) and float(row[1]) < 0.95


def test_sources_are_dataset_records(loaded) -> None:
    store, _ = loaded
    row = store.query("""SELECT DISTINCT ?title ?plabel WHERE { ?c prov:wasDerivedFrom ?s . ?s a dt:Dataset ;
        dct:isPartOf ?d . ?d a dt:Dataset ; dct:title ?title ; dct:publisher ?p . ?p rdfs:label ?plabel }""").rows
    assert [(str(a), str(b)) for a, b in row] == [("UCDP Peace Agreement Dataset v22.1",
                                                   "Uppsala Conflict Data Program")]
    assert store.query("ASK { ?s a dt:Dataset ; schema:url ?u FILTER(STRENDS(STR(?u), '.pdf')) }").boolean


def test_reload_adds_nothing(loaded) -> None:
    store, _ = loaded
    before = store.count_quads()
    again = load_paths(store, [UCDP], shacl=False)
    assert again[0].new_claims == 0 and store.count_quads() == before


def test_split_list_and_signatories() -> None:
    assert split_list("475, 483") == ["475", "483"]
    assert split_list("Government of Philippines, Military faction (forces of Honasan, Abenina & Zumel)", 2) == [
        "Government of Philippines", "Military faction (forces of Honasan, Abenina & Zumel)"]
    assert signatory_names("For the Government of Afghanistan: President Mohammad Ashraf Ghani\n"
                           "For Hizb-i Islami-yi Afghanistan: Leader Gulbuddin Hekmatyar") == [
        "Mohammad Ashraf Ghani", "Gulbuddin Hekmatyar"]
    assert signatory_names("No signatures, but agreement mentions: Jamiat-e-Islami (as government)") == []
    assert signatory_names("Copy unsigned, parties listed as President Tudjman") == []
    assert gw_to_iso("365") == "RUS" and gw_to_iso("490") == "COD" and gw_to_iso("99999") is None


HEADER = ("paid,region,gwno,conflict_id,conflict_name,dyad_id,dyad_name,actor_id,actor_name,incompatibility,"
          "pa_name,year,pa_date,pa_sign,pa_3rd,cease,pris,pa_type,linktofulltextagreement,ref ,return ,\n")


def test_bad_rows_name_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "ucdp.csv"
    path.write_text(
        HEADER
        + '1,1,369,1,"Ukraine: Donbas","1, 2","a, b","10, 11","Government of Ukraine, DPR",1,Minsk,2014,'
          '2014-09-05,"Petro Poroshenko signed\nfor Ukraine",OSCE,1,1,3,,-99,0,\n'
        + '2,1,369,1,x,1,a,10,Government of Ukraine,1,Bad date,2014,2014-13-45,,,1,0,2,,0,0,\n'
        + '3,1,369,1,x,1,a,10,Government of Ukraine,1,Bad flag,2014,2014-01-02,,,yes,0,2,,0,0,\n',
        encoding="utf-8")
    result = parse_ucdp(path, LoadContext(EntityRegistry()))
    rejects = {r.line: r for r in result.rejects}
    # The first record spans lines 2-3 (a newline inside pa_sign), so the next ones start on lines 4 and 5.
    assert set(rejects) == {4, 5}
    assert rejects[4].field == "pa_date" and rejects[5].field == "cease"
    facts = {(p, o) for c in result.claims for _s, p, o in c.statements}
    osce = DTR["organization/organization-for-security-and-co-operation-in-europe"]
    assert (DT.hasParty, DTR["state/UKR"]) in facts and (DT.mediatedBy, osce) in facts
    store = open_store("memory:")
    with pytest.raises(LoadError):
        load_paths(store, [path])
    assert store.count_quads() == 0


def test_detection_survives_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "ucdp-bom.csv"
    row = "7,1,369,1,x,1,a,10,Government of Ukraine,1,Accord,2014,2014-01-02,,,1,0,2,,0,0,\n"
    path.write_text("\ufeff" + HEADER + row, encoding="utf-8")
    assert detect_format(path).name == "ucdp-peace-agreements"
    result = parse_ucdp(path, LoadContext(EntityRegistry()))
    assert not result.rejects and len(result.claims) == 1


def test_honorifics_and_ranks_are_stripped_and_bare_titles_are_no_person(loaded) -> None:
    assert signatory_names("Excellent Presidents") == [] and signatory_names("His Excellency") == []
    assert signatory_names("Amb. Gen. Mohamd Ahmed Al-Dabi") == ["Mohamd Ahmed Al-Dabi"]
    assert signatory_names("Lt-Gen Tin Maung Win") == ["Tin Maung Win"]
    assert signatory_names("Right Hon. Hilary Benn") == ["Hilary Benn"]
    assert signatory_names("Almirante Ramón Emilio Jiménez") == ["Ramón Emilio Jiménez"]
    store, _ = loaded  # the fixture's real records
    names = {str(r[0]) for r in store.query(
        "SELECT DISTINCT ?name WHERE { ?a dt:signatory ?p . ?p a dt:Person ; rdfs:label ?name }").rows}
    assert {"Hilary Benn", "Ramón Emilio Jiménez"} <= names
    titles = ("His ", "Her ", "Excellen", "Right ", "Almirante", "Amb.", "Lt-", "President")
    assert not [n for n in names if n.startswith(titles)]


def test_spelling_variants_are_one_person_across_agreements(tmp_path: Path) -> None:
    rows = [  # (paid, conflict_id, pa_sign): variants UCDP itself writes, in one conflict and across conflicts
        (1, 309, "For SRF: Minni Arko Minnawi"), (2, 309, "Mini Arko Minnawi (SLA)"), (3, 309, "Minni Arkou Minnawi"),
        (4, 309, "Lieutenant General Mohamed Hamdan Dagalo"), (5, 309, "Mohammed Hamdan Dagalo"),
        (6, 411, "Riek Machar Teny"), (7, 411, "Rick Machar Teny"),
        (8, 333, "Gulbadin Hekmatyar"), (9, 333, "Gulbuddin Hekmatyar"),
        (10, 333, "Burhanuddin Rabbani"), (11, 333, "Burhan-ud-din Rabbani"),
        (12, 999, "Rik Machar Tenywa"),  # another conflict and country: a close spelling alone merges nothing
    ]
    # Row 12's party is its own country's government: a party state is a shared country too.
    body = "".join(f'{paid},1,{700 if paid == 12 else 625},{conflict},x,1,a,10,'
                   f'Government of {"Afghanistan" if paid == 12 else "Sudan"},1,Agreement {paid},'
                   f'2019,2019-10-21,"{sign}",,1,0,2,,0,0,\n' for paid, conflict, sign in rows)
    path = tmp_path / "ucdp.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    registry = EntityRegistry()
    result = parse_ucdp(path, LoadContext(registry))
    signers = {int(str(c.key).split(":")[1]): {o for _s, p, o in c.statements if p == DT.signatory}
               for c in result.claims if c.key and c.key.endswith("pa_sign")}
    groups = [(1, 2, 3), (4, 5), (6, 7), (8, 9), (10, 11)]
    for group in groups:
        assert len(set().union(*(signers[paid] for paid in group))) == 1, [signers[p] for p in group]
    iris = [next(iter(signers[group[0]])) for group in groups]
    assert len(set(iris)) == len(groups) and signers[12].isdisjoint(iris)
    minnawi = registry.get(iris[0])
    assert {"Mini Arko Minnawi", "Minni Arkou Minnawi"} <= {minnawi.label, *minnawi.aliases}
    assert registry.names.lookup("Mohammed Hamdan Dagalo") == iris[1]  # the other spelling is an alias


def test_offices_blocs_and_party_suffixes_are_not_names() -> None:
    # Lines of real pa_sign texts (v22.1 agreements 1660, 1625, 1572, 1005, 1388, 1573, 1537).
    assert signatory_names("Francis Madeng Deng\nEminent Personalities\nConsejero Presidencial\nFirst Vice") == \
        ["Francis Madeng Deng"]
    assert signatory_names("Hon. Rebecca Nyadeng Garang Eminnent Personalities") == ["Rebecca Nyadeng Garang"]
    assert signatory_names("Asesor Consejería TOMAS CONCHA S.") == ["TOMAS CONCHA"]
    assert signatory_names("For the political opposition:Denis Katalay-GNPO, Joseph Olenghankoy-Fonus, "
                           "Bembe Majimo-RPP, Aziz Kumbi-FPC, Raymond Tshibanda-Codep") == \
        ["Denis Katalay", "Joseph Olenghankoy", "Bembe Majimo", "Aziz Kumbi", "Raymond Tshibanda"]
    # Outside such a list a hyphenated surname stays whole.
    assert signatory_names("Herbert Gotran Djono-Ahaba RPRC") == ["Herbert Gotran Djono-Ahaba"]
    assert signatory_names("O Lt-Col. John Angelo Okello  On Behalf of the Uganda People’s Democratic Movement") == \
        ["John Angelo Okello"]
    assert signatory_names("Por el Partido Comunista Marxista-Leninista: JORGE OCAMPO Y RAÚL TEJADA") == \
        ["JORGE OCAMPO", "RAÚL TEJADA"]
    assert signatory_names("M. Yu. Zurabov A.W. Zakharchenko") == ["Yu. Zurabov", "A.W. Zakharchenko"]
    # Names written "Given SURNAME" one after another (agreement 1092), short surnames in capitals kept.
    assert signatory_names("For the government of the Republic of Guatemala: Gustavo PORRAS CASTEJÓN Otto PÉREZ "
                           "MOLINA Brigadier-General Raquel ZELAYA ROSALES Morris Eugenio de LEÓN GIL Colonel") == \
        ["Gustavo PORRAS CASTEJÓN", "Otto PÉREZ MOLINA", "Raquel ZELAYA ROSALES", "Morris Eugenio de LEÓN GIL"]
    assert signatory_names("The Rt. Hon Sir Michael T. Somare GCMG CH M.P.") == ["Michael T. Somare"]


def test_spelling_variants_changed_letters_split_words_and_shortened_names(tmp_path: Path) -> None:
    rows = [  # (paid, conflict_id, gwno, party, pa_sign), spellings as UCDP v22.1 writes them
        (1, 309, 625, "Sudan", "Witness: Tut Qaluak Manime"), (2, 309, 625, "Sudan", "Hon. Tut Galuak Manime"),
        (3, 11348, 626, "South Sudan", "Haile Mariam Dessalegne"),
        (4, 11345, 626, "South Sudan", "Hailemariam Dessalegn"),
        (5, 369, 910, "Papua New Guinea", "Sam KAUONA, Commander"), (6, 369, 910, "Papua New Guinea", "Samuel Kauona"),
        (7, 13246, 369, "Ukraine", "I.V. Plotnitskiy"), (8, 13306, 369, "Ukraine", "I.W. Plotnitski"),
        (9, 382, 451, "Togo", "Gnassingbe Eyadema"), (10, 419, 437, "Togo", "Gnanssingbé Eyadema"),
        (11, 410, 404, "Nigeria", "General Abdulsalami ABUBAKAR"), (12, 11348, 626, "Sudan", "Abdusalami Abubakar"),
        (13, 369, 910, "Papua New Guinea", "John L. Momis"), (14, 369, 910, "Papua New Guinea", "J.L. Momis"),
        (17, 11345, 626, "South Sudan", "Riek Machar Teny"),
        (18, 11345, 626, "South Sudan", "Riek Machar Teny-Dhurgon"),
        (19, 517, 517, "Rwanda", "Pasteur Bizimungu"), (20, 517, 517, "Rwanda", "Bizimungu Pasteur Member"),
        # Close names of different people in one conflict stay apart.
        (15, 369, 910, "Papua New Guinea", "Joel Banam; Joseph Bana"),
        (16, 337, 520, "Somalia", "Mohamed Ali Hamed; Mohamed Ali Ahmed"),
    ]
    body = "".join(f'{paid},1,{gwno},{conflict},x,1,a,10,Government of {party},1,Agreement {paid},'
                   f'2019,2019-10-21,"{sign}",,1,0,2,,0,0,\n' for paid, conflict, gwno, party, sign in rows)
    path = tmp_path / "ucdp.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    result = parse_ucdp(path, LoadContext(EntityRegistry()))
    signers = {int(str(c.key).split(":")[1]): {o for _s, p, o in c.statements if p == DT.signatory}
               for c in result.claims if c.key and c.key.endswith("pa_sign")}
    for first in (*range(1, 15, 2), 17, 19):
        assert signers[first] == signers[first + 1] and len(signers[first]) == 1, (first, signers[first + 1])
    assert len(signers[15]) == 2 and len(signers[16]) == 2


def test_a_party_written_after_a_name_is_not_part_of_it() -> None:
    # 1498 (v22.1): the parties in actor_name include RJ and MINUSCA.
    parties = ["RPRC", "RJ", "MINUSCA", "anti-Balaka"]
    text = ("Bienvenu Bertrand Kounkou RJ Sayo\nParfait Onanga-Anyanga UN MINUSCA\n"
            "Judicael Orofe Moganazoum Coordination anti Balaka\nRPRC")
    assert signatory_names(text, parties) == ["Bienvenu Bertrand Kounkou", "Parfait Onanga-Anyanga",
                                              "Judicael Orofe Moganazoum"]


# Real UCDP v22.1 records (byte for byte, see tests/loaders/data/README.md): close-name pairs, Sinn Féin (1063),
# Kayan Al-Shamal (1647) and the three spellings of Damane Zakaria (1355, 1373, 1493).
PEOPLE = Path(__file__).resolve().parent / "data" / "ucdp-peace-agreements-221-people.csv"


def _signatories(result) -> dict[str, set]:
    return {str(c.key).split(":")[1]: {o for _s, p, o in c.statements if p == DT.signatory}
            for c in result.claims if c.key and c.key.endswith("pa_sign")}


def test_a_signatory_the_registry_knows_as_a_body_is_that_body_not_a_person() -> None:
    context = LoadContext(EntityRegistry())
    result = parse_ucdp(PEOPLE, context)
    signers = _signatories(result)
    registry = context.registry
    for paid, name in (("1063", "Sinn Féin"), ("1647", "Kayan Al-Shamal")):
        body = registry.resolve(name)
        assert body is not None and registry.get(body).type == DT.Organization  # type: ignore[union-attr]
        assert body in signers[paid]
        # No person of that name on the agreement, nor anywhere in the load.
        people = [e.label for s in signers[paid] if (e := registry.get(s)) is not None and e.type == DT.Person]
        assert people and name not in people
        assert DTR[f"person/{name.lower().replace(' ', '-').replace('é', 'e')}"] not in registry
    # The people signing beside them are still people (Tony Blair; Kayan's own signatory).
    assert registry.resolve("Tony Blair") in signers["1063"]
    # "signed by: Tony Blair and Bertie Ahern. The … agreement was negotiated by …": the sentence ends the list.
    assert registry.resolve("Bertie Ahern") in signers["1063"]
    assert any("Sir-alkhatim" in registry.get(s).label for s in signers["1647"])  # type: ignore[union-attr]


def test_the_resolver_decides_a_body_before_the_people_index_compares_spellings() -> None:
    registry = EntityRegistry()
    register_organisations(registry)
    people = PeopleIndex(registry)
    # A person whose longer name ends like the body's name: a shorter name with that surname would be his.
    person = people.person("Ahmed Kayan Al-Shamal", "conflict:309")
    signers = signatory_actors(registry, "Kayan Al-Shamal; Ahmed Kayan Al-Shamal", people, "conflict:309")
    body = registry.resolve("Kayan Al-Shamal")
    assert signers == [body, person] and body != person
    assert registry.get(person).aliases == []  # type: ignore[union-attr]
