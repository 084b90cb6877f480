"""Network analyses on the demo corpus, through the single entry point run_metric."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from detente.graph.analysis import METRICS, run_metric
from detente.graph.analysis.common import betweenness
from detente.graph.projections import actor_graph
from detente.graph.store import Store
from detente.ontology.vocab import DTR

UKR, RUS, TUR, USA, ETH, ARE = (str(DTR[f"state/{c}"]) for c in ("UKR", "RUS", "TUR", "USA", "ETH", "ARE"))
UN, AU, TPLF = (str(DTR[f"organization/{o}"]) for o in ("united-nations", "african-union", "tplf"))
GRAIN_DEAL = str(DTR["agreement/black-sea-grain-initiative"])


@pytest.fixture(scope="module")
def store(demo_store: Store) -> Store:
    return demo_store


@pytest.mark.parametrize(("metric", "params"), [
    ("centrality", {}), ("communities", {}), ("brokers", {}), ("ego", {"actor": "Ukraine"}),
    ("path", {"actor": "Turkey", "to": "Ukraine"}), ("timeline", {}), ("corroboration", {}), ("conflicts", {}),
])
def test_every_metric_is_json_ready_and_echoes_filters(store: Store, metric: str, params: dict) -> None:
    result = run_metric(store, metric, min_confidence="0.5", **params)
    assert result["metric"] == metric
    assert result["filters"]["min_confidence"] == 0.5
    assert json.loads(json.dumps(result)) == result


def test_unknown_metric_and_parameters_are_refused(store: Store) -> None:
    with pytest.raises(KeyError, match="unknown metric"):
        run_metric(store, "astrology")
    with pytest.raises(ValueError, match="colour"):
        run_metric(store, "centrality", colour="blue")
    with pytest.raises(ValueError, match="k: not an integer"):
        run_metric(store, "centrality", k="many")
    with pytest.raises(ValueError, match="actor"):
        run_metric(store, "ego")
    with pytest.raises(ValueError, match="Atlantis"):
        run_metric(store, "path", actor="Atlantis", to="Ukraine")
    assert set(METRICS) >= {"centrality", "communities", "brokers", "ego", "path", "timeline", "corroboration"}


def test_centrality_ranks_russia_first_and_matches_the_projection(store: Store) -> None:
    result = run_metric(store, "centrality")
    rows = {r["id"]: r for r in result["nodes"]}
    graph = actor_graph(store)
    assert rows[RUS]["weighted_degree"] == graph.degree(RUS, weight="weight") == 19
    assert result["nodes"][0]["id"] == RUS
    assert rows[RUS]["degree"] == pytest.approx(graph.degree(RUS) / (graph.number_of_nodes() - 1))
    assert sum(r["pagerank"] for r in result["nodes"]) == pytest.approx(1.0)
    assert result["sampled"] is False and result["k"] is None
    by_degree = run_metric(store, "centrality", sort="weighted_degree", limit="3")
    assert [r["rank"] for r in by_degree["nodes"]] == [1, 2, 3]
    assert by_degree["nodes"][0]["weighted_degree"] >= by_degree["nodes"][1]["weighted_degree"]


def test_sampled_betweenness_says_so(store: Store) -> None:
    result = run_metric(store, "centrality", k=3, seed=1)
    assert result["sampled"] is True and result["k"] == 3 and result["betweenness"]["seed"] == 1
    big = nx.barabasi_albert_graph(1500, 2, seed=1)
    scores, note = betweenness(big, seed=2)
    assert note == {"sampled": True, "k": 256, "seed": 2} and len(scores) == 1500


def test_communities_separate_the_ethiopian_talks(store: Store) -> None:
    first = run_metric(store, "communities", seed=4)
    members = [{m["id"] for m in c["members"]} for c in first["communities"]]
    home = {n: i for i, c in enumerate(members) for n in c}
    assert home[ETH] == home[TPLF] == home[AU]
    assert home[UKR] == home[RUS] and home[UKR] != home[ETH]
    assert first["modularity"] > 0.3
    assert run_metric(store, "communities", seed=4) == first
    greedy = run_metric(store, "communities", method="greedy")
    assert sum(c["size"] for c in greedy["communities"]) == first["node_count"]


def test_turkey_and_the_un_broker_the_grain_deal(store: Store) -> None:
    grain = run_metric(store, "brokers", event="Black Sea Grain Initiative")
    assert {b["id"] for b in grain["brokers"]} == {TUR, UN}
    assert all(b["parties_brought_together"] == ["Russia", "Ukraine"] for b in grain["brokers"])
    overall = run_metric(store, "brokers")
    counts = {b["id"]: b["events_mediated"] for b in overall["brokers"]}
    assert overall["brokers"][0]["id"] == TUR and counts[TUR] == 3  # grain deal, grain talks, Ankara swap
    assert counts[UN] == 2 and counts[AU] == 2 and counts[ARE] == 1
    assert UKR not in counts  # parties are not brokers
    assert overall["by_betweenness"][0]["betweenness"] >= overall["by_betweenness"][-1]["betweenness"]


def test_ego_network_of_ethiopia(store: Store) -> None:
    result = run_metric(store, "ego", actor="state:ETH")
    assert {n["label"] for n in result["neighbours"]} == {"Tigray People's Liberation Front", "African Union",
                                                           "Kenya", "Nigeria"}
    assert all(t["claims"] for t in result["ties"])
    assert run_metric(store, "ego", actor="Ethiopia", radius=2)["node_count"] == 5


def test_paths_carry_the_claims_behind_each_hop(store: Store) -> None:
    none = run_metric(store, "path", actor="Ethiopia", to="Ukraine")
    assert none["found"] is False and none["paths"] == []
    direct = run_metric(store, "path", actor="Turkey", to="Ukraine")
    assert direct["length"] == 1
    hop = direct["paths"][0]["hops"][0]
    assert hop["relations"] == ["mediation"] and hop["claims"]
    assert hop["claims"][0]["source"]["publisher_label"] == "Meridian Wire"
    # From 2024 on, Turkey only mediated the Ankara swap (USA, Russia): Ukraine is two hops away.
    later = run_metric(store, "path", actor="Turkey", to="Ukraine", start="2024-01-01")
    assert later["length"] == 2
    assert {p["nodes"][1]["id"] for p in later["paths"]} <= {RUS, USA}
    with pytest.raises(ValueError, match="not in the network"):
        run_metric(store, "path", actor="Ethiopia", to="Ukraine", start="2025-01-01")


def test_timeline_of_turkey_is_in_date_order_with_sources(store: Store) -> None:
    result = run_metric(store, "timeline", actor="Turkey")
    labels = [e["label"] for e in result["events"]]
    assert labels[:2] == ["Black Sea Grain Initiative", "Ankara prisoner exchange of August 2024"]
    assert "Istanbul talks on Black Sea grain exports" in labels  # undated: last
    assert result["events"][-1]["date"] is None
    ankara = result["events"][1]
    assert ankara["date"] == "2024-08-01"
    assert {s["publisher_label"] for s in ankara["sources"]} == {"Meridian Wire", "Harbour Gazette"}
    assert {m["label"] for m in ankara["mediators"]} == {"Turkey", "National Intelligence Organization of Turkey"}
    everything = run_metric(store, "timeline")
    dated = [e["date"] for e in everything["events"] if e["date"]]
    assert dated == sorted(dated) and len(everything["events"]) > len(result["events"])


def test_corroboration_counts_sources_and_finds_the_prisoner_count_conflict(store: Store) -> None:
    result = run_metric(store, "corroboration", limit=100)
    assert result["facts"] == sum(result["sources_per_fact"].values())
    assert result["single_source"] == result["sources_per_fact"]["1"]
    best = result["best_corroborated"][0]
    assert best["source_count"] == 2 and set(best["publishers"]) == {"Kyiv Independent", "Meridian Wire"}
    [conflict] = result["conflicts"]
    assert conflict["predicate"] == "dt:prisonerCount"
    assert {v["value"]: v["source_count"] for v in conflict["values"]} == {"300": 1, "314": 2}
    # The conflict needs both sides: with one publisher only, it disappears.
    assert run_metric(store, "corroboration", publisher="Caspian Dispatch")["conflicts"] == []
    with_types = run_metric(store, "corroboration", include_types="yes")
    assert with_types["facts"] > result["facts"]


def test_every_result_renders_as_text_tables(store: Store) -> None:
    from detente.graph.analysis import analyze
    from detente.graph.analysis.tables import result_tables

    for metric, params in [("centrality", {}), ("communities", {}), ("brokers", {}), ("ego", {"actor": "Kenya"}),
                           ("path", {"actor": "Kenya", "to": "African Union"}), ("timeline", {}),
                           ("corroboration", {}), ("conflicts", {})]:
        tables = result_tables(analyze(store, metric, **params))
        assert tables and all(t.rows for t in tables), metric
        assert all(len(row) == len(t.columns) for t in tables for row in t.rows)
    [centrality] = result_tables(analyze(store, "centrality", limit=1))
    assert centrality.rows[0][1] == "Russia"
