"""News text (``.txt``, ``.md``, ``.html``) → candidate claims, by offline rules.

Source metadata comes from YAML front matter (a ``---`` block at the top with
``url``, ``title``, ``publisher``, ``published``, ``type``) or, for what the
front matter does not give, from :class:`~detente.loaders.base.LoadOptions`
(``detente load --source-url --title --publisher --published``). HTML is
reduced to text with trafilatura, whose metadata (URL, title, site name,
date) fills what is still missing.

The package has four modules: :mod:`~detente.loaders.news.text` (sentences, dates),
:mod:`~detente.loaders.news.actors` (who acts), :mod:`~detente.loaders.news.rules` (what
happens) and :mod:`~detente.loaders.news.files` (front matter, HTML, the parser).

The text is split into sentences; each sentence is read by rules
(:func:`extract_claims`), with actors found by the entity registry's state
names and aliases, every state's demonyms (Ukrainian, U.S., Malian…), capitals
standing for states in actor position ("between Kyiv and Moscow"), a small
gazetteer of organisations (``loaders/data/organisations.csv``), and phrases
built on them (:class:`~detente.loaders.news.actors.ActorReader`): a government
named by its state is the state, armed forces and units are organisations of
their state ("the Burkinabe army"; "the army" in a text about one state),
organisations are recognised by their head noun ("the Justice and Equality
Movement (JEM)") and armed groups by acronym ("the ADF rebels").

Sides are also recognised by their form where a side is expected (``news-rules:v4``): an acronym or a
hyphenated name after "between", "signed with", "the rebel" or coordinated with a named side ("between the
government and CPN-M"); any name defined by an acronym that spells its capitals ("the Parbattya Chattagram
Jana Sanghati Samiti (PCJSS)"); demonyms before the people acting for a state ("Israeli and Palestinian
negotiators"); "the government" of a text that has named one state's government. A named speaker is a side
only where it speaks of itself ("Cuba announces it will release…", not "…, Turkey said").

An event needs two sides. They may be two named parties, or one named party
with its other side: its own members ("European Union ministers meet", the
"political parties in Northern Ireland" hold talks: a meeting of one body's
members) or an unnamed counterpart ("the government in exile", "the rebels":
the named party is kept, the unnamed one is left out, as the guidelines of the
labelled set say).

* agreement — agree/sign/reach an agreement, or a ceasefire, with two sides, also in the
  passive ("a peace deal was reached between…"), or the agreement a summary opens with
  ("This agreement between X and Y…", before any other agreement of the text):
  confidence 0.85 with a speaker, 0.8 without; where it was signed ("signed in
  Skhirat") is its ``dt:heldAt``;
* exchange — exchange/swap/release with an exact count of prisoners (a
  one-sided release is a ``dt:Event`` "Prisoner release by X"): 0.75; an
  announced release without an exact count, or a side that frees or pardons
  the people it holds ("Egypt pardons al-Jazeera journalists"): 0.6;
* talks — talks/negotiations/meet with two sides: 0.7, 0.75 with a venue
  ("talks continue in Saudi Arabia", "talks in Doha", "meet in Brussels" → a
  ``dt:Venue``, in its state where the city is known);
* confirmation — "confirmed by X" / "X confirmed" about an agreement, exchange
  or talks of the same sentence or, for "the agreement", "the deal"…, of an
  earlier sentence: 0.8, said by the confirmer;
* mediation — "mediated/brokered/hosted by X", "under the aegis of X", "X
  mediated": ``dt:mediatedBy`` on the talks or agreement of the sentence.

Precision on the hard cases: an agreement needs a verb (agree, sign, reach,
strike or announce a deal; a noun alone, "the Oslo accords", is a mention in
passing); "agrees to begin talks" is talks to come; background events
("previous exchanges") are skipped; negation in the six words before a trigger
(not, n't, failed to, refused, rejected, denied, no longer…) gives
``dt:status "rejected"`` and modality (may, could, will, proposed, plans to…)
``dt:status "proposed"`` — except what an actor announces it will do itself.
Armed groups (FARC, the Houthis…) are ``dt:Organization`` from the gazetteer;
"the African Union's Peace and Security Council" is that council, not the UN
Security Council nor the African Union.

When loading into a store, the extracted events are linked before they are
minted (:func:`detente.loaders.linking.link_extracted`): an event the store
already holds keeps the store's IRI, a near match becomes a candidate.

Parties are the states and organisations named outside the speaker's phrase,
the venue ("in X") and the mediator; capitals count only beside another actor
("between Kyiv and Moscow"); demonyms qualify speakers ("U.S. special envoy" →
represents the United States), governments and armed forces. An announcement is recorded as
``dt:announcedBy`` on what is announced, not as a separate event.

Each claim records the sentence as its quote with character offsets
(``dt:quoteStart``/``dt:quoteEnd``, ``text[start:end] == quote``) into the
file's text (front matter included; for HTML, into the extracted text),
the speaker (``dt:saidBy``: "U.S. special envoy announced" → a ``dt:Envoy``
who ``dt:represents`` the United States; "confirmed by the Kyiv
Independent"), and the activity ``news-rules:v4``.

Dates: "Wednesday", "yesterday", "today", "last week", "this week", "last month", "earlier this month",
"March 12", "12 March 2025" and "in March" are resolved against the
publication date. The resolved date is ``dt:startDate`` of the event or
agreement (never of a ``rejected`` one: "Russia denied on Monday that it had agreed to a
ceasefire" dates the denial, not a ceasefire), and its precision is stated beside it as ``dt:datePrecision``
("day", "week" or "month") in the same claim — precision is a property of
what the source says about the event, so it lives with the date it
qualifies. A week ("last week") is stated as the Monday of that week with
precision "week".

Extracted events and agreements get IRIs from the source and the sentence
offset (``dtr:agreement/news-<digest>``), so loading a file twice adds nothing.

>>> from datetime import date
>>> from detente.graph.claims import Source
>>> from detente.loaders.registry import EntityRegistry
>>> from detente.ontology.vocab import DT
>>> text = "Ukraine and Russia agreed to exchange 314 prisoners, the U.S. special envoy announced Wednesday."
>>> source = Source.from_metadata(url="https://example.org/a")
>>> claims = extract_claims(text, source, date(2025, 3, 12), EntityRegistry())
>>> sorted(str(o) for s, p, o in claims[0].statements if p == DT.prisonerCount or p == DT.startDate)
['2025-03-12', '314']
"""
from __future__ import annotations

from detente.loaders.news.files import SUFFIXES, is_news_text, parse_news, split_front_matter
from detente.loaders.news.rules import ACTIVITY, extract_claims
from detente.loaders.news.text import ResolvedDate, resolve_date, sentences

__all__ = ["ACTIVITY", "SUFFIXES", "sentences", "ResolvedDate", "resolve_date", "extract_claims",
           "split_front_matter", "is_news_text", "parse_news"]
