"""News rules v2 (issue 11, round two): sides an event can have, actors built on names, clauses.

Sentences written for the purpose (not from the labelled sets), one general rule each.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from detente.graph.claims import Source
from detente.loaders.news import extract_claims, sentences
from detente.loaders.news.actors import ActorReader, news_finder
from detente.loaders.registry import EntityRegistry
from detente.ontology.vocab import DT

from news_eval.scorer import claims_to_events

PUBLISHED = date(2025, 3, 12)


def events(text: str, registry: EntityRegistry | None = None) -> list[dict[str, Any]]:
    registry = registry or EntityRegistry()
    claims = extract_claims(text, Source.from_metadata(url="https://example.org/v2"), PUBLISHED, registry)
    return sorted(claims_to_events(claims, registry), key=lambda e: e["type"])


def one(text: str) -> dict[str, Any]:
    found = events(text)
    assert len(found) == 1, found
    return found[0]


# -- one named side and the other -------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "parties"), [
    ("Ukraine exchanged 90 prisoners with the separatists on Friday.", "PrisonerExchange", ["UKR"]),
    ("The Libyan government signed a peace deal with the rebels.", "Agreement", ["LBY"]),
    ("The opposition held talks with Venezuela's government in Oslo.", "Talks", ["VEN"]),
])
def test_one_named_party_and_an_unnamed_counterpart(text: str, kind: str, parties: list[str]) -> None:
    found = one(text)
    assert found["type"] == kind and found["parties"] == parties


@pytest.mark.parametrize("text", [
    "France agrees to take 24,000 refugees.",                    # a unilateral decision: no other side
    "Hungary held talks on migration.",                          # one side, nobody to talk to
    "The government rejected talks with the rebels.",            # no side named at all
    "The Security Council met to discuss Syria.",                # the topic is not a side
])
def test_one_side_alone_is_no_event(text: str) -> None:
    assert events(text) == []


def test_members_of_one_organisation_meeting_are_its_talks() -> None:
    talks, agreement = [one("NATO defence ministers met in Brussels on Thursday.")] + \
        [e for e in events("Leaders of the Arab League met in Cairo and agreed on a plan.") if e["type"] == "Agreement"]
    assert talks["type"] == "Talks" and talks["parties"] == ["North Atlantic Treaty Organization"]
    assert talks["venue"] == "Brussels"
    assert agreement["parties"] == ["Arab League"]
    # A state's own ministers meeting is a cabinet, not diplomacy.
    assert events("Israeli ministers met in Jerusalem on Sunday.") == []


def test_the_parties_of_one_place_holding_talks() -> None:
    found = one("Rival factions in Libya hold talks in Geneva under the auspices of the United Nations.")
    assert found["parties"] == ["Libya rival factions"] and found["venue"] == "Geneva"
    assert found["mediators"] == ["United Nations"]


# -- actors built on names --------------------------------------------------------

def test_armed_forces_are_organisations_of_their_state() -> None:
    registry = EntityRegistry()
    found = events("Sudan's army and the Rapid Support Forces agreed to a truce.", registry)
    assert found[0]["parties"] == ["Sudan army", "Rapid Support Forces"]
    army = registry.resolve("Sudan army")
    assert army is not None and registry.get(army).type == DT.Organization  # type: ignore[union-attr]
    assert registry.get(army).country == registry.resolve("SDN")  # type: ignore[union-attr]
    # "the army" in a text about one state is that state's army.
    text = "Soldiers entered Ouagadougou. Talks between the army and the presidential guard continue."
    assert one(text)["parties"] == ["Burkina Faso army", "Burkina Faso presidential guard"]
    # "military" before a noun qualifies it: Russia's military activities are no party.
    found = one("The United States agrees to begin talks with Russia about Russia's military activities.")
    assert found["parties"] == ["USA", "RUS"]


def test_organisations_by_head_noun_and_acronym() -> None:
    registry = EntityRegistry()
    read = ActorReader(registry)
    read("The government met the Justice and Equality Movement (JEM) in Doha.")
    later = read("JEM fighters left.")
    assert [registry.get(m.iri).label for m in later.mentions] == ["Justice and Equality Movement"]  # type: ignore[union-attr]
    # A known acronym keeps its known organisation, and its alias is not taken over.
    found = one("The Colombian government and the National Liberation Army (ELN) began peace talks in Quito.")
    assert found["parties"] == ["COL", "National Liberation Army (Colombia)"] and found["venue"] == "Quito"
    assert events("The Free Syrian Army says one of its officers has been killed.") == []


def test_every_state_has_its_capital_and_demonym() -> None:
    find = news_finder(EntityRegistry())
    found = [(m.text, m.kind, m.iri.rsplit("/", 1)[-1]) for m in find("Nigerien and Malian envoys met in Bamako.")]
    assert found == [("Nigerien", "demonym", "NER"), ("Malian", "demonym", "MLI"), ("Bamako", "capital", "MLI")]


# -- clauses, coordination, sentences ------------------------------------------

def test_each_clause_keeps_its_own_parties() -> None:
    talks, agreement = sorted(events("Armenia and Azerbaijan agreed to a ceasefire, while Russia and Ukraine held "
                                     "talks in Istanbul."), key=lambda e: e["type"] != "Talks")
    assert talks["parties"] == ["RUS", "UKR"] and talks["venue"] == "Istanbul"
    assert agreement["parties"] == ["ARM", "AZE"]


def test_a_role_carries_over_coordination() -> None:
    found = one("Israel and Hamas reached a ceasefire deal mediated by Egypt and Qatar.")
    assert found["parties"] == ["ISR", "Hamas"] and found["mediators"] == ["EGY", "QAT"]


@pytest.mark.parametrize(("text", "status"), [
    ("Talks between Armenia and Azerbaijan collapsed on Monday.", "rejected"),
    ("Talks between Armenia and Azerbaijan were postponed.", "proposed"),
    ("Talks between Armenia and Azerbaijan continue in Brussels.", None),
])
def test_status_from_words_after_the_trigger(text: str, status: str | None) -> None:
    assert one(text).get("status") == status


def test_agreement_venue_is_where_it_was_signed() -> None:
    found = one("Mali and the rebels signed a peace accord in Algiers.")
    assert found["venue"] == "Algiers" and found["parties"] == ["MLI"]


def test_a_full_stop_glued_to_the_next_sentence_ends_it() -> None:
    text = "The accord was signed in Skhirat.The key issue was unity. The U.S. envoy agreed."
    assert [s for _, _, s in sentences(text)] == ["The accord was signed in Skhirat.", "The key issue was unity.",
                                                  "The U.S. envoy agreed."]
