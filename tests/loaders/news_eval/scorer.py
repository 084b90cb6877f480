"""Score the news extractor against the labelled passages (see README.md beside this file).

Run as a script from the repository root::

    python -m tests.loaders.news_eval.scorer [--set original|fresh|blind|blind2|blind3 | --file SET.yaml]
        [--split NAME] [--json] [--errors]

``--set original`` (the default) scores the 82 labelled passages of ``passages.yaml`` by their dev/held-out
split; ``--set fresh``, ``--set blind``, ``--set blind2`` and ``--set blind3`` score ``fresh.yaml``, ``blind.yaml``,
``blind2.yaml`` and ``blind3.yaml`` by genre (``wikitimes``, ``ucdp``); ``--file`` scores any set in the same YAML
form (a top-level ``passages`` list) by genre, the part of each passage's ``source`` before its colon.

Recall is also given over the gold events that name at least one side ("recall, named sides"): the rules mint no
event without a named side, by design, so that figure is what they can reach.

>>> gold = [{"type": "Talks", "parties": ["UKR", "RUS"], "venue": "SAU", "mediators": [], "count": None}]
>>> found = [{"type": "Talks", "parties": ["RUS", "UKR"], "venue": None, "mediators": [], "count": None}]
>>> pairs, missed, extra = match_events(gold, found)
>>> len(pairs), missed, extra
(1, [], [])
>>> slot_hits(*pairs[0])
{'parties': True, 'venue': False, 'mediators': True, 'count': True}
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from detente.graph.claims import Claim, Source
from detente.loaders.news import extract_claims
from detente.loaders.registry import EntityRegistry, normalize_label
from detente.ontology.vocab import DT, DTR

PASSAGES = Path(__file__).resolve().parent / "passages.yaml"
FRESH = Path(__file__).resolve().parent / "fresh.yaml"
BLIND = Path(__file__).resolve().parent / "blind.yaml"
BLIND2 = Path(__file__).resolve().parent / "blind2.yaml"
BLIND3 = Path(__file__).resolve().parent / "blind3.yaml"
#: The sets scored by genre, by their ``--set`` name.
SETS_BY_GENRE: dict[str, Path] = {"fresh": FRESH, "blind": BLIND, "blind2": BLIND2, "blind3": BLIND3}

#: Type families: what the extractor's classes count as.
FAMILIES: dict[URIRef, str] = {
    DT.Talks: "Talks", DT.Agreement: "Agreement", DT.Ceasefire: "Agreement", DT.PeaceAgreement: "Agreement",
    DT.PrisonerExchange: "PrisonerExchange", DT.Exchange: "PrisonerExchange", DT.Event: "Release",
}
#: Names the labels use for actors the registry spells otherwise (normalised).
ACTOR_ALIASES: dict[str, str] = {
    "ansar allah": "houthis", "houthi": "houthis", "houthi movement": "houthis",
    "farc": "revolutionary armed forces of colombia", "farc ep": "revolutionary armed forces of colombia",
    "lra": "lords resistance army", "lords resistance army/movement": "lords resistance army",
    "lords resistance army movement": "lords resistance army",
    "splm": "sudan peoples liberation movement", "splm/a": "sudan peoples liberation movement",
    "sudan peoples liberation movement/army": "sudan peoples liberation movement",
    "sudan peoples liberation army": "sudan peoples liberation movement",
    "fnt": "chad national front", "fntr": "renewed national front of chad",
    "mjsd": "movement for social justice and democracy", "cdr": "revolutionary democratic council",
    "movement for democracy and justice in chad": "mdjt",
    "srf": "sudan revolutionary front",  # not in the gazetteer: UCDP's "SRF" links to a story's full name by initials
}
SLOTS = ("parties", "venue", "mediators", "count")
HAPPENED = (None, "agreed", "implemented")


def _actor_key(name: str | None) -> str | None:
    if name is None:
        return None
    key = normalize_label(name)
    return ACTOR_ALIASES.get(key, key)


def actor_name(registry: EntityRegistry, iri: URIRef) -> str:
    """ISO code for a state, else the registry's label (or the IRI's last segment)."""
    text = str(iri)
    if text.startswith(str(DTR) + "state/"):
        return text.rsplit("/", 1)[-1]
    entity = registry.get(iri)
    return entity.label if entity is not None else text.rsplit("/", 1)[-1].replace("-", " ")


def claims_to_events(claims: Iterable[Claim], registry: EntityRegistry) -> list[dict[str, Any]]:
    """The events a list of claims asserts, in the labels' form."""
    nodes: dict[URIRef, dict[str, Any]] = {}
    triples = [t for claim in claims for t in claim.statements]
    for s, p, o in triples:
        if p == RDF.type and o in FAMILIES:
            nodes.setdefault(s, {"type": FAMILIES[o], "parties": [], "venue": None, "mediators": [], "count": None})  # type: ignore[index]
    for s, p, o in triples:
        event = nodes.get(s)  # type: ignore[arg-type]
        if event is None:
            continue
        if p == DT.hasParty:
            event["parties"].append(actor_name(registry, o))  # type: ignore[arg-type]
        elif p == DT.mediatedBy:
            event["mediators"].append(actor_name(registry, o))  # type: ignore[arg-type]
        elif p == DT.heldAt:
            event["venue"] = actor_name(registry, o)  # type: ignore[arg-type]
        elif p == DT.prisonerCount and isinstance(o, Literal):
            event["count"] = int(o)
        elif p == DT.status:
            event["status"] = str(o)
    return list(nodes.values())


def _parties(event: dict[str, Any]) -> set[str]:
    return {k for k in (_actor_key(a) for a in event.get("parties") or []) if k}


def _compatible(gold: dict[str, Any], found: dict[str, Any]) -> bool:
    return gold["type"] == found["type"] and gold.get("status") == found.get("status")


def match_events(gold: list[dict[str, Any]], found: list[dict[str, Any]]) -> tuple[
        list[tuple[dict[str, Any], dict[str, Any]]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Greedy one-to-one matching by type family, status and party overlap: (pairs, missed, extra)."""
    candidates = []
    for i, g in enumerate(gold):
        for j, f in enumerate(found):
            if not _compatible(g, f):
                continue
            gp, fp = _parties(g), _parties(f)
            overlap = len(gp & fp) / len(gp | fp) if gp | fp else 1.0
            if overlap > 0 or not (gp and fp):
                candidates.append((overlap, i, j))
    pairs, used_g, used_f = [], set(), set()
    for _overlap, i, j in sorted(candidates, reverse=True):
        if i in used_g or j in used_f:
            continue
        used_g.add(i)
        used_f.add(j)
        pairs.append((gold[i], found[j]))
    missed = [g for i, g in enumerate(gold) if i not in used_g]
    extra = [f for j, f in enumerate(found) if j not in used_f]
    return pairs, missed, extra


def slot_hits(gold: dict[str, Any], found: dict[str, Any]) -> dict[str, bool]:
    """Which slots of a matched event the extractor got right."""
    return {
        "parties": _parties(gold) == _parties(found),
        "venue": _actor_key(gold.get("venue")) == _actor_key(found.get("venue")),
        "mediators": {_actor_key(m) for m in gold.get("mediators") or []} ==
                     {_actor_key(m) for m in found.get("mediators") or []},
        "count": gold.get("count") == found.get("count"),
    }


@dataclass
class Score:
    """Figures for one set of passages."""

    passages: int = 0
    gold_events: int = 0
    found_events: int = 0
    matched: int = 0
    slots: dict[str, list[int]] = field(default_factory=lambda: {s: [0, 0] for s in SLOTS})
    negatives: int = 0
    hard_negatives: int = 0
    negatives_with_event: int = 0
    hard_negatives_with_event: int = 0
    gold_named: int = 0  # gold events that name at least one side
    matched_named: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.found_events if self.found_events else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold_events if self.gold_events else 1.0

    @property
    def recall_named(self) -> float:
        """Recall over the gold events that name at least one side."""
        return self.matched_named / self.gold_named if self.gold_named else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def slot_accuracy(self) -> float:
        hits = sum(h for h, _n in self.slots.values())
        total = sum(n for _h, n in self.slots.values())
        return hits / total if total else 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "passages": self.passages, "gold_events": self.gold_events, "found_events": self.found_events,
            "matched": self.matched, "precision": round(self.precision, 3), "recall": round(self.recall, 3),
            "f1": round(self.f1, 3), "slot_accuracy": round(self.slot_accuracy, 3),
            "gold_named": self.gold_named, "matched_named": self.matched_named,
            "recall_named": round(self.recall_named, 3),
            "slots": {s: {"right": h, "of": n} for s, (h, n) in self.slots.items()},
            "negatives": self.negatives, "negatives_with_event": self.negatives_with_event,
            "hard_negatives": self.hard_negatives, "hard_negatives_with_event": self.hard_negatives_with_event,
        }


def load_passages(path: Path = PASSAGES) -> list[dict[str, Any]]:
    """The labelled passages."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["passages"]


def extract(passage: dict[str, Any], registry: EntityRegistry | None = None) -> list[dict[str, Any]]:
    """Run the extractor on one passage and read its events back."""
    registry = registry or EntityRegistry()
    source = Source.from_metadata(url=f"https://example.org/news-eval/{passage['id']}")
    claims = extract_claims(passage["text"], source, date.fromisoformat(str(passage["published"])), registry)
    return claims_to_events(claims, registry)


def score(passages: Iterable[dict[str, Any]]) -> Score:
    """Score the extractor on passages."""
    result = Score()
    registry = EntityRegistry()
    for passage in passages:
        gold = passage.get("events") or []
        found = extract(passage, registry)
        result.passages += 1
        result.gold_events += len(gold)
        result.found_events += len(found)
        pairs, missed, extra = match_events(gold, found)
        result.matched += len(pairs)
        result.gold_named += sum(bool(g.get("parties")) for g in gold)
        result.matched_named += sum(bool(g.get("parties")) for g, _f in pairs)
        for g, f in pairs:
            for slot, hit in slot_hits(g, f).items():
                result.slots[slot][0] += hit
                result.slots[slot][1] += 1
                if not hit:
                    result.errors.append({"passage": passage["id"], "kind": f"slot {slot}", "gold": g, "found": f})
        result.errors += [{"passage": passage["id"], "kind": "missed", "gold": g} for g in missed]
        result.errors += [{"passage": passage["id"], "kind": "false alarm", "found": f} for f in extra]
        if not any(g.get("status") in HAPPENED for g in gold):
            result.negatives += 1
            produced = any(f.get("status") in HAPPENED for f in found)
            result.negatives_with_event += produced
            if passage.get("hard_negative"):
                result.hard_negatives += 1
                result.hard_negatives_with_event += produced
    return result


def score_splits(passages: list[dict[str, Any]]) -> dict[str, Score]:
    """Scores for the dev half, the held-out half and all passages."""
    return {"dev": score(p for p in passages if p["split"] == "dev"),
            "heldout": score(p for p in passages if p["split"] == "heldout"),
            "all": score(passages)}


def score_fresh(passages: list[dict[str, Any]]) -> dict[str, Score]:
    """Scores for the fresh (or blind) passages by genre (Wikipedia current events, UCDP summaries) and all."""
    return {"wikitimes": score(p for p in passages if p["source"].startswith("wikitimes:")),
            "ucdp": score(p for p in passages if p["source"].startswith("ucdp:")),
            "all": score(passages)}


def score_by_source(passages: list[dict[str, Any]]) -> dict[str, Score]:
    """Scores by genre (the part of ``source`` before its colon) and for all passages: for any labelled set."""
    genres = sorted({str(p["source"]).split(":", 1)[0] for p in passages})
    return {**{g: score(p for p in passages if str(p["source"]).split(":", 1)[0] == g) for g in genres},
            "all": score(passages)}


def _table(scores: dict[str, Score]) -> str:
    lines = ["| split | passages | events (gold / found / matched) | precision | recall | F1 | slot accuracy | "
             "recall, named sides | negatives producing an event | hard negatives producing an event |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, s in scores.items():
        lines.append(f"| {name} | {s.passages} | {s.gold_events} / {s.found_events} / {s.matched} | "
                     f"{s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.slot_accuracy:.3f} | "
                     f"{s.recall_named:.3f} ({s.matched_named} of {s.gold_named}) | "
                     f"{s.negatives_with_event} of {s.negatives} | "
                     f"{s.hard_negatives_with_event} of {s.hard_negatives} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="which", choices=["original", *SETS_BY_GENRE], default="original",
                        help="the 82 labelled passages (by split), or the fresh, blind, blind2 or blind3 passages "
                        "(by genre)")
    parser.add_argument("--file", type=Path, default=None,
                        help="score another labelled set in the same YAML form, by genre (overrides --set)")
    parser.add_argument("--split", default=None, help="one split or genre of the set (dev, heldout, wikitimes, ucdp, "
                                                      "all…)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--errors", action="store_true", help="list every miss, false alarm and wrong slot")
    args = parser.parse_args(argv)
    if args.file is not None:
        if not args.file.is_file():
            parser.error(f"--file {args.file}: no such file")
        scores = score_by_source(load_passages(args.file))
    else:
        scores = (score_splits(load_passages()) if args.which == "original"
                  else score_fresh(load_passages(SETS_BY_GENRE[args.which])))
    if args.split:
        if args.split not in scores:
            parser.error(f"--split {args.split} is not a split of the {args.file or args.which} set "
                         f"(one of {', '.join(scores)})")
        scores = {args.split: scores[args.split]}
    if args.json:
        print(json.dumps({k: v.to_json() for k, v in scores.items()}, indent=2))
    else:
        print(_table(scores))
    if args.errors:
        for name, s in scores.items():
            if name == "all" and len(scores) > 1:
                continue
            for error in s.errors:
                print(json.dumps({"split": name, **error}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
