"""News rules on the hard cases of issue 11: negation, modality, mentions in passing, roles, bodies, dates."""

from __future__ import annotations

from datetime import date

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, XSD

from detente.graph.claims import Source
from detente.loaders.news import extract_claims
from detente.loaders.registry import EntityRegistry
from detente.ontology.vocab import DT, DTR

PUBLISHED = date(2025, 3, 12)  # a Wednesday


def facts(text: str) -> set[tuple[object, object]]:
    registry = EntityRegistry()
    claims = extract_claims(text, Source.from_metadata(url="https://example.org/hard"), PUBLISHED, registry)
    return {(p, o) for c in claims for _s, p, o in c.statements}


def status(found: set[tuple[object, object]]) -> set[str]:
    return {str(o) for p, o in found if p == DT.status}


@pytest.mark.parametrize("text", [
    "A prisoner swap deal between Armenia and Azerbaijan wasn't agreed on.",
    "Russia denied that it had agreed to a ceasefire with Ukraine.",
    "Israel and Hamas failed to agree on a truce.",
    "Armenia and Azerbaijan rejected a deal to exchange 30 prisoners.",
])
def test_negation_is_no_event_that_happened(text: str) -> None:
    found = facts(text)
    events = {o for p, o in found if p == RDF.type}
    assert not events or status(found) == {"rejected"}, found


@pytest.mark.parametrize("text", [
    "Russia denied that it had agreed to a ceasefire with Ukraine.",
    "Russia denied on Monday that it had agreed to a ceasefire with Ukraine.",
    "On Tuesday Armenia and Azerbaijan rejected a deal to exchange 30 prisoners.",
])
def test_a_rejected_event_is_not_dated_by_the_denial(text: str) -> None:
    found = facts(text)
    assert status(found) == {"rejected"}, found
    assert not {p for p, _o in found} & {DT.startDate, DT.datePrecision}, found


@pytest.mark.parametrize("text", [
    "Ukraine and Russia may agree to exchange 200 prisoners next week.",
    "Iran proposed talks with the United States.",
    "Armenia and Azerbaijan could sign a peace agreement in Washington.",
    "The United States agrees to begin military-to-military talks with Russia.",
])
def test_modality_is_proposed(text: str) -> None:
    found = facts(text)
    assert {o for p, o in found if p == RDF.type}, found
    assert status(found) == {"proposed"}


def test_agreement_to_talk_is_talks_to_come() -> None:
    found = facts("The United States agrees to begin military-to-military talks with Russia.")
    assert {o for p, o in found if p == RDF.type} == {DT.Talks}


@pytest.mark.parametrize("text", [
    "Peacekeepers were there to support the 1979 Egypt–Israel Peace Treaty.",
    "Despite the Minsk Protocol, Ukraine and Russia continued fighting.",
    "Palestine will no longer abide by the Oslo accords with Israel.",
    "Previous exchanges between Ukraine and Russia returned hundreds of soldiers.",
])
def test_mentions_in_passing_are_not_events(text: str) -> None:
    assert not {o for p, o in facts(text) if p == RDF.type}


def test_host_is_not_a_party_and_mediator_is_apart() -> None:
    found = facts("Qatar hosted talks between the United States and the Taliban in Doha on Wednesday.")
    assert (DT.mediatedBy, DTR["state/QAT"]) in found and (DT.hasParty, DTR["state/QAT"]) not in found
    assert (DT.hasParty, DTR["state/USA"]) in found
    assert (DT.startDate, Literal("2025-03-12", datatype=XSD.date)) in found
    found = facts("Egypt mediated a ceasefire agreed by Israel and Hamas on Monday.")
    assert (DT.mediatedBy, DTR["state/EGY"]) in found and (DT.hasParty, DTR["state/ISR"]) in found
    assert (DT.hasParty, DTR["state/EGY"]) not in found


def test_regional_bodies_are_not_the_un_and_armed_groups_are_organisations() -> None:
    registry = EntityRegistry()
    claims = extract_claims("The African Union's Peace and Security Council met Sudan and South Sudan in Addis Ababa.",
                            Source.from_metadata(url="https://example.org/psc"), PUBLISHED, registry)
    parties = {o for c in claims for _s, p, o in c.statements if p == DT.hasParty}
    labels = {registry.get(p).label for p in parties if registry.get(p) is not None}
    assert "African Union Peace and Security Council" in labels
    assert not any("United Nations" in label for label in labels)
    assert "African Union" not in labels  # the body acts, not its parent
    claims = extract_claims("The Houthis and Saudi Arabia agreed to exchange 900 prisoners last month.",
                            Source.from_metadata(url="https://example.org/houthis"), PUBLISHED, registry)
    houthis = [o for c in claims for _s, p, o in c.statements if p == DT.hasParty and o != DTR["state/SAU"]]
    assert len(houthis) == 1 and registry.get(houthis[0]).type == DT.Organization  # type: ignore[union-attr]
    found = {(p, o) for c in claims for _s, p, o in c.statements}
    assert (DT.startDate, Literal("2025-02-01", datatype=XSD.date)) in found
    assert (DT.datePrecision, Literal("month")) in found


def test_relative_dates_this_week_and_month() -> None:
    found = facts("Armenia and Azerbaijan signed a peace agreement earlier this week.")
    assert (DT.startDate, Literal("2025-03-10", datatype=XSD.date)) in found
    assert (DT.datePrecision, Literal("week")) in found


@pytest.mark.parametrize("text", [
    "It is the first clear sign of offensive weapons in Syria, the United States said of Russia.",
    "Signs of a thaw between Armenia and Azerbaijan appeared on Monday.",
    "Progress on the previously signed agreements between South Sudan and Sudan was slow.",
    "Israel and Egypt kept to the agreed ceasefire terms.",
])
def test_the_noun_sign_and_attributive_participles_are_no_agreement(text: str) -> None:
    assert not {o for p, o in facts(text) if p == RDF.type}, text


@pytest.mark.parametrize(("text", "parties"), [
    ("Russia and Ukraine sign a deal to exchange 300 prisoners.", {"RUS", "UKR"}),
    ("Israel signs with Hamas.", {"ISR"}),
    ("Armenia and Azerbaijan signed agreements on trade.", {"ARM", "AZE"}),
])
def test_sign_as_a_verb_is_still_an_agreement(text: str, parties: set[str]) -> None:
    found = facts(text)
    assert DT.Agreement in {o for p, o in found if p == RDF.type}, found
    assert {str(o).rsplit("/", 1)[-1] for p, o in found if p == DT.hasParty} >= parties


def test_the_government_of_a_state_is_that_state_not_another_side() -> None:
    # One side named twice ("the Government of Sudan", Sudan) is not two sides, nor one with a counterpart.
    found = facts("The Government of the Republic of Uganda and the Lord's Resistance Army signed an agreement.")
    parties = {o for p, o in found if p == DT.hasParty}
    assert DTR["state/UGA"] in parties and len(parties) == 2, found
    assert not facts("The Government of Sudan met on Monday.")


def test_the_agent_of_a_signing_is_a_side_and_a_separatist_leader_an_unnamed_counterpart() -> None:
    found = facts("The declaration was signed in Famboni, by the central government of Comoros and the separatist "
                  "leader of the island of Anjouan.")
    assert DT.Agreement in {o for p, o in found if p == RDF.type}, found
    assert {o for p, o in found if p == DT.hasParty} == {DTR["state/COM"]}
