"""The labelled development set: the scorer works, and the extractor does not fall below its recorded figures.

The floors are the figures recorded in benchmarks/results/extraction.md; a change that lowers them
must say why there (and lower them here), a change that raises them should raise them here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from news_eval.scorer import (
    BLIND,
    BLIND2,
    BLIND3,
    FRESH,
    PASSAGES,
    load_passages,
    match_events,
    score,
    score_by_source,
    score_fresh,
    score_splits,
    slot_hits,
)

ROOT = Path(__file__).resolve().parents[2]
FLOORS = {  # split: (precision, recall, F1, slot accuracy, negatives producing an event at most)
    "dev": (1.0, 1.0, 1.0, 1.0, 0),
    "heldout": (1.0, 1.0, 1.0, 0.964, 0),
    "all": (1.0, 1.0, 1.0, 0.982, 0),
}
#: The fresh set (fresh.yaml), by genre: a tuning set since round three (benchmarks/results/extraction.md).
FRESH_FLOORS = {  # news-rules:v4 (and v5: the same figures)
    "wikitimes": (1.0, 1.0, 1.0, 1.0, 0),
    "ucdp": (1.0, 0.571, 0.727, 1.0, 0),
    "all": (1.0, 0.6, 0.749, 1.0, 0),
}
#: The blind set of round three (blind.yaml): a tuning set since news-rules:v4 (its errors were read for v4).
BLIND_FLOORS = {  # news-rules:v4 (and v5: the same figures)
    "wikitimes": (1.0, 1.0, 1.0, 1.0, 0),
    "ucdp": (1.0, 0.485, 0.653, 0.970, 0),
    "all": (1.0, 0.485, 0.653, 0.970, 0),
}

#: The second blind set (blind2.yaml), labelled by a separate annotator who never saw the rules. Scored blind with v4
#: (P 0.800, R 0.214, F1 0.338; benchmarks/results/extraction.md, "The second blind set"), then a tuning set for
#: news-rules:v5, whose figures these are.
BLIND2_FLOORS = {  # news-rules:v5
    "wikitimes": (1.0, 1.0, 1.0, 1.0, 0),
    "ucdp": (1.0, 0.5, 0.666, 0.981, 0),
    "all": (1.0, 0.5, 0.666, 0.981, 0),
}
#: The third blind set (blind3.yaml), labelled by a separate annotator who never saw the rules, after news-rules:v5
#: was frozen (c41812f): the v5 figures scored blind (benchmarks/results/extraction.md, "The third blind set"). No rule
#: has been tuned on it.
BLIND3_FLOORS = {  # news-rules:v5, blind: P 0.786, R 0.229, F1 0.355, slots 0.864 (11/14, 11/48, 38/44), cut down
    "wikitimes": (1.0, 1.0, 1.0, 1.0, 0),
    "ucdp": (0.785, 0.229, 0.354, 0.863, 2),
    "all": (0.785, 0.229, 0.354, 0.863, 2),
}


def test_the_set_is_what_its_readme_says() -> None:
    passages = load_passages()
    assert len(passages) >= 80 and len({p["id"] for p in passages}) == len(passages)
    assert sum(p["hard_negative"] for p in passages) >= len(passages) / 4
    assert {p["split"] for p in passages} == {"dev", "heldout"}
    for p in passages:
        assert p["source"].startswith(("wikitimes:", "corpus:000_3e7fe375a9c81d38.txt")) and p["text"]
        for event in p["events"]:
            assert event["type"] in ("Talks", "Agreement", "PrisonerExchange", "Release")
            assert event.get("status") in (None, "proposed", "rejected")


def test_the_fresh_set_is_what_its_readme_says() -> None:
    fresh = load_passages(FRESH)
    original = load_passages()
    assert len(fresh) >= 40 and len({p["id"] for p in fresh}) == len(fresh)
    assert not {p["source"] for p in fresh} & {p["source"] for p in original}, "fresh passages are new ones"
    wikitimes = [p for p in fresh if p["source"].startswith("wikitimes:")]
    assert len(wikitimes) >= 40 and sum(p["hard_negative"] for p in wikitimes) >= len(wikitimes) / 4
    assert {p["split"] for p in fresh} == {"fresh"}
    for p in fresh:
        assert p["source"].startswith(("wikitimes:", "ucdp:")) and p["text"]
        assert not (p["hard_negative"] and p["events"]), p["id"]
        for event in p["events"]:
            assert event["type"] in ("Talks", "Agreement", "PrisonerExchange", "Release")
            assert event.get("status") in (None, "proposed", "rejected")


def test_the_second_blind_set_is_what_its_readme_says() -> None:
    blind2 = load_passages(BLIND2)
    earlier = [p for path in (PASSAGES, FRESH, BLIND) for p in load_passages(path)]
    assert len(blind2) == 96 and len({p["id"] for p in blind2}) == len(blind2)
    assert not {p["id"] for p in blind2} & {p["id"] for p in earlier}, "blind2 ids are new ones"
    assert not {p["source"] for p in blind2} & {p["source"] for p in earlier}, "blind2 passages are new ones"
    assert {p["split"] for p in blind2} == {"blind2"}
    assert sum(p["source"].startswith("wikitimes:") for p in blind2) == 30
    assert sum(p["hard_negative"] for p in blind2) == 26 >= len(blind2) / 4
    events = [e for p in blind2 for e in p["events"]]
    assert len(events) == 56 and sum(bool(e.get("parties")) for e in events) == 33
    for p in blind2:
        assert p["source"].startswith(("wikitimes:", "ucdp:")) and p["text"]
        assert not (p["hard_negative"] and any(e.get("status") is None for e in p["events"])), p["id"]
        for event in p["events"]:
            assert event["type"] in ("Talks", "Agreement", "PrisonerExchange", "Release")
            assert event.get("status") in (None, "proposed", "rejected")


def test_the_third_blind_set_is_what_its_readme_says() -> None:
    blind3 = load_passages(BLIND3)
    earlier = [p for path in (PASSAGES, FRESH, BLIND, BLIND2) for p in load_passages(path)]
    assert len(blind3) == 75 and len({p["id"] for p in blind3}) == len(blind3)
    assert not {p["id"] for p in blind3} & {p["id"] for p in earlier}, "blind3 ids are new ones"
    assert not {p["source"] for p in blind3} & {p["source"] for p in earlier}, "blind3 passages are new ones"
    earlier_agreements = {p["source"].split("#")[0] for p in earlier if p["source"].startswith("ucdp:")}
    assert not {p["source"].split("#")[0] for p in blind3} & earlier_agreements, "no paragraph of a used agreement"
    assert {p["split"] for p in blind3} == {"blind3"}
    assert sum(p["source"].startswith("wikitimes:") for p in blind3) == 20
    assert sum(p["hard_negative"] for p in blind3) == 21 >= len(blind3) / 4
    events = [e for p in blind3 for e in p["events"]]
    assert len(events) == 48 and sum(bool(e.get("parties")) for e in events) == 25
    for p in blind3:
        assert p["source"].startswith(("wikitimes:", "ucdp:")) and p["text"]
        assert not (p["hard_negative"] and any(e.get("status") is None for e in p["events"])), p["id"]
        for event in p["events"]:
            assert event["type"] in ("Talks", "Agreement", "PrisonerExchange", "Release")
            assert event.get("status") in (None, "proposed", "rejected")


def test_matching_and_slots_can_fail() -> None:
    gold = [{"type": "Agreement", "parties": ["UKR", "RUS"], "venue": None, "mediators": [], "count": 314}]
    assert match_events(gold, [{"type": "Talks", "parties": ["UKR", "RUS"]}])[0] == []
    assert match_events(gold, [{"type": "Agreement", "parties": ["ARM", "AZE"]}])[0] == []
    assert match_events(gold, [{"type": "Agreement", "parties": ["UKR"], "status": "proposed"}])[0] == []
    pairs, _, _ = match_events(gold, [{"type": "Agreement", "parties": ["RUS", "UKR"], "count": 300}])
    assert slot_hits(*pairs[0]) == {"parties": True, "venue": True, "mediators": True, "count": False}
    # A negative that produces an event is counted.
    passage = {"id": "x", "text": "Ukraine and Russia agreed to exchange 50 prisoners on Monday.",
               "published": "2025-03-12", "events": [], "split": "dev"}
    result = score([passage])
    assert result.negatives == 1 and result.negatives_with_event == 1 and result.precision == 0.0


def test_figures_stay_above_the_recorded_floor() -> None:
    scores = score_splits(load_passages())
    for split, (precision, recall, f1, slots, negatives) in FLOORS.items():
        s = scores[split]
        assert (s.precision, s.recall, s.f1, s.slot_accuracy) >= (precision, recall, f1, slots) or (
            s.precision >= precision and s.recall >= recall and s.f1 >= f1 and s.slot_accuracy >= slots), split
        assert s.negatives_with_event <= negatives, split
    # No more than 1 negative in 20 produces an event.
    assert scores["all"].negatives_with_event * 20 <= scores["all"].negatives


def test_fresh_figures_stay_above_the_recorded_floor() -> None:
    scores = score_fresh(load_passages(FRESH))
    for split, (precision, recall, f1, slots, negatives) in FRESH_FLOORS.items():
        s = scores[split]
        assert s.precision >= precision and s.recall >= recall and s.f1 >= f1 and s.slot_accuracy >= slots, split
        assert s.negatives_with_event <= negatives, split


def test_blind_figures_stay_above_the_recorded_floor() -> None:
    scores = score_fresh(load_passages(BLIND))
    assert scores["all"].passages == 70 and scores["all"].gold_events == 35
    for split, (precision, recall, f1, slots, negatives) in BLIND_FLOORS.items():
        s = scores[split]
        assert s.precision >= precision and s.recall >= recall and s.f1 >= f1 and s.slot_accuracy >= slots, split
        assert s.negatives_with_event <= negatives, split
    # No more than 1 negative in 20 produces an event, on text the rules were not written for either.
    assert scores["all"].negatives_with_event * 20 <= scores["all"].negatives


def test_blind2_figures_stay_above_the_recorded_floor() -> None:
    scores = score_fresh(load_passages(BLIND2))
    assert scores["all"].passages == 96 and scores["all"].gold_events == 56
    assert scores["all"].matched_named >= 28  # of the 33 gold events that name a side
    for split, (precision, recall, f1, slots, negatives) in BLIND2_FLOORS.items():
        s = scores[split]
        assert s.precision >= precision and s.recall >= recall and s.f1 >= f1 and s.slot_accuracy >= slots, split
        assert s.negatives_with_event <= negatives, split
    assert scores["all"].negatives_with_event == 0  # hard and ordinary negatives alike


def test_blind3_figures_stay_above_the_recorded_floor() -> None:
    scores = score_fresh(load_passages(BLIND3))
    assert scores["all"].passages == 75 and scores["all"].gold_events == 48
    assert scores["all"].matched_named >= 9  # of the 25 gold events that name a side
    for split, (precision, recall, f1, slots, negatives) in BLIND3_FLOORS.items():
        s = scores[split]
        assert s.precision >= precision and s.recall >= recall and s.f1 >= f1 and s.slot_accuracy >= slots, split
        assert s.negatives_with_event <= negatives, split
    # No more than 1 negative in 20 produces an event (2 of 41, both hard negatives).
    assert scores["all"].negatives_with_event * 20 <= scores["all"].negatives


def test_recall_over_events_that_name_a_side() -> None:
    named = {"type": "Agreement", "parties": ["UKR", "RUS"], "venue": None, "mediators": [], "count": None}
    unnamed = {"type": "Agreement", "parties": [], "venue": None, "mediators": [], "count": None}
    passage = {"id": "x", "text": "Ukraine and Russia agreed on a truce on Monday.", "published": "2025-03-12",
               "events": [named, unnamed], "source": "test:x"}
    result = score([passage])
    assert (result.matched, result.gold_events, result.matched_named, result.gold_named) == (1, 2, 1, 1)
    assert result.recall == 0.5 and result.recall_named == 1.0


def test_scorer_scores_any_set_given_as_a_file() -> None:
    result = subprocess.run([sys.executable, "-m", "tests.loaders.news_eval.scorer", "--file", str(BLIND), "--json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert set(figures) == {"ucdp", "wikitimes", "all"} and figures["all"]["passages"] == 70
    assert figures["all"] == score_by_source(load_passages(BLIND))["all"].to_json()
    missing = subprocess.run([sys.executable, "-m", "tests.loaders.news_eval.scorer", "--file", "no-such-set.yaml"],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2 and "no such file" in missing.stderr


#: Sides of the fresh and blind passages renamed to others of the same form (an unknown acronym for an unknown
#: acronym, a state for a state): rules that recognise sides by form, not by name, score the same.
RENAMED = {"EPL": "ZRP", "CPN-M": "KLN-D", "UFDR": "MPRT", "FMLN": "FRDN", "CNDD-FDD": "UNRD-FPL", "MDJT": "MRTC",
           "Hezb-I-Islami": "Jamiat-e-Nasr", "Hezb-i-Islami": "Jamiat-e-Nasr", "FNT": "FLZ",
           "Colombia": "Peru", "COL": "PER", "El Salvador": "Honduras", "SLV": "HND", "Chad": "Niger",
           "Chadian": "Nigerien", "TCD": "NER", "Afghanistan": "Tajikistan", "AFG": "TJK", "Burundi": "Rwanda",
           "BDI": "RWA", "Central African Republic": "Cameroon", "CAF": "CMR",
           # blind2 (a tuning set from news-rules:v5): sides found by the v5 forms
           "Bougainville": "Mindanao", "Papua New Guinea": "Fiji", "PNG": "FJI", "Georgian": "Armenian",
           "GEO": "ARM", "Croats": "Slovenes", "Muslims": "Catholics", "South Sudan": "Uganda", "SSD": "UGA",
           "Union Peace Conference": "National Peace Conference"}


def _renamed(text: str) -> str:
    for old, new in RENAMED.items():
        text = re.sub(r"(?<![\w-])" + re.escape(old) + r"(?![\w-])", new, text)
    return text


# blind3 is not renamed: no rule has been tuned on it, and the map above renames 'Colombia' inside its gold label
# 'Revolutionary Armed Forces of Colombia' (ucdp-1507) while its text names only 'FARC-EP', so one match is lost to
# the renaming itself, not to a rule that knows a name.
@pytest.mark.parametrize("labelled", [FRESH, BLIND, BLIND2], ids=["fresh", "blind", "blind2"])
def test_renaming_the_sides_keeps_the_figures(labelled: Path) -> None:
    passages = load_passages(labelled)
    renamed = [{**p, "text": _renamed(p["text"]),
                "events": [{**e, "parties": [_renamed(a) for a in e.get("parties") or []]} for e in p["events"]]}
               for p in passages]
    assert sum(p["text"] != r["text"] for p, r in zip(passages, renamed, strict=True)) >= 5
    before, after = score(passages), score(renamed)
    assert (after.found_events, after.matched, after.negatives_with_event) == \
        (before.found_events, before.matched, before.negatives_with_event)


def test_scorer_runs_as_a_script() -> None:
    result = subprocess.run([sys.executable, "-m", "tests.loaders.news_eval.scorer", "--json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert '"heldout"' in result.stdout and PASSAGES.exists()
    blind2 = subprocess.run([sys.executable, "-m", "tests.loaders.news_eval.scorer", "--set", "blind2", "--json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert blind2.returncode == 0, blind2.stderr
    assert json.loads(blind2.stdout)["all"] == score_fresh(load_passages(BLIND2))["all"].to_json()
    blind3 = subprocess.run([sys.executable, "-m", "tests.loaders.news_eval.scorer", "--set", "blind3", "--json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert blind3.returncode == 0, blind3.stderr
    assert json.loads(blind3.stdout)["all"] == score_fresh(load_passages(BLIND3))["all"].to_json()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))
