"""Synthetic claims for benchmarks: deterministic, realistic in shape.

Each claim says that an event (talks, agreement or exchange) had two or three
state parties, was held somewhere, maybe mediated, on a date, sometimes with a
prisoner count; sources are news articles from a pool of publishers, several
claims per article, and about one claim in ten disagrees on a count.

>>> claims = list(synthetic_claims(10, seed=1))
>>> len(claims)
10
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from rdflib import Literal
from rdflib.namespace import RDF

from detente.graph.claims import Activity, Claim, Source
from detente.ontology.vocab import DT, DTR

STATES = ["UKR", "RUS", "USA", "SAU", "TUR", "QAT", "ARE", "CHN", "FRA", "DEU", "GBR", "IRN", "ISR", "EGY",
          "ETH", "ZAF", "ARM", "AZE", "IND", "PAK", "KOR", "PRK", "JPN", "BRA", "COL", "VEN", "NGA", "KEN",
          "SDN", "SSD", "YEM", "SYR", "LBN", "JOR", "IRQ", "AFG", "NOR", "CHE", "AUT", "POL"]
EVENT_TYPES = [DT.Talks, DT.Agreement, DT.PrisonerExchange, DT.Ceasefire]
ACTIVITY = Activity(method="benchmark:synthetic", label="synthetic claims for benchmarks")


def synthetic_claims(n: int, *, seed: int = 7, events: int | None = None, publishers: int = 200,
                     claims_per_source: int = 4) -> Iterator[Claim]:
    """Yield ``n`` claims about ``events`` events (default n/5) from a pool of publishers."""
    rng = random.Random(seed)
    events = events or max(1, n // 5)
    start = date(2015, 1, 1)
    source: Source | None = None
    for i in range(n):
        if source is None or i % claims_per_source == 0:
            pub = rng.randrange(publishers)
            day = start + timedelta(days=rng.randrange(3650))
            source = Source.from_metadata(url=f"https://news{pub}.example.org/a/{i}",
                                          publisher=DTR[f"organization/pub{pub}"], issued=day, title=f"Report {i}")
        e = rng.randrange(events)
        ev = DTR[f"event/e{e}"]
        erng = random.Random(e)  # the event's own facts are stable across claims
        etype = EVENT_TYPES[e % len(EVENT_TYPES)]
        parties = erng.sample(STATES, 2 + (e % 3 == 0))
        day = start + timedelta(days=erng.randrange(3650))
        statements = [(ev, RDF.type, etype), (ev, DT.startDate, Literal(day))]
        statements += [(ev, DT.hasParty, DTR[f"state/{p}"]) for p in parties]
        if e % 2 == 0:
            statements.append((ev, DT.heldAt, DTR[f"state/{erng.choice(STATES)}"]))
        if e % 3 == 1:
            statements.append((ev, DT.mediatedBy, DTR[f"state/{erng.choice(STATES)}"]))
        if etype in (DT.PrisonerExchange, DT.Agreement):
            count = erng.randrange(2, 600)
            if rng.random() < 0.1:
                count += rng.randrange(1, 50)  # a source that disagrees
            statements.append((ev, DT.prisonerCount, Literal(count)))
        # The claim's own identity: source, event and index keep every claim distinct.
        yield Claim(statements=statements, source=source, quote=f"Synthetic report {i} about event {e}.",
                    confidence=round(0.5 + rng.random() / 2, 2), activity=ACTIVITY)
