"""Brokers: the mediators of diplomacy, ranked by events mediated and by betweenness.

An actor is a mediator when some claim says an event or agreement was
``dt:mediatedBy`` it. Mediators are ranked by how many distinct events they
mediated, then by their betweenness in the actor–actor network (how often
they sit on the shortest route between two other actors).

>>> from detente.graph.store import open_store
>>> brokers(open_store("memory:"))["brokers"]
[]
"""

from __future__ import annotations

from detente.errors import UsageError
from detente.graph.analysis.common import as_int, as_str, betweenness, result
from detente.graph.projections import Filters, build_actor_graph, load_graph_data, participations
from detente.graph.store import Store


def brokers(store: Store, filters: Filters | None = None, *, event: str | None = None, k: int | str | None = None,
            seed: int | str = 0, limit: int | str | None = None) -> dict[str, object]:
    """Mediators ranked by events mediated (then betweenness), and every actor ranked by betweenness.

    Parameters
    ----------
    event:
        Only the mediators of this event or agreement (IRI, CURIE or label).
    k, seed:
        Sampled betweenness (see :func:`~detente.graph.analysis.common.betweenness`).
    limit:
        Keep the first ``limit`` rows of each ranking.
    """
    k_value = as_int(k, "k", minimum=1)
    seed_value = as_int(seed, "seed") or 0
    limit_value = as_int(limit, "limit", minimum=1)
    data = load_graph_data(store, filters)
    graph = build_actor_graph(data)
    between, note = betweenness(graph, k=k_value, seed=seed_value)
    roles = participations(data)
    wanted = None
    event_ref = as_str(event, "event")
    if event_ref is not None:
        wanted = data.resolve(event_ref)
        if wanted not in roles:
            raise UsageError(f"event: {event_ref!r} ({wanted}) has no parties or mediators with these filters")

    mediated: dict[str, dict[str, object]] = {}
    for ev, by_role in roles.items():
        if wanted is not None and ev != wanted:
            continue
        parties = sorted(data.label(p) for p in by_role.get("party", {}))
        for actor, prov in by_role.get("mediator", {}).items():
            row = mediated.setdefault(str(actor), {
                "id": str(actor), "label": data.label(actor), "type": data.type_name(actor),
                "events": [], "_claims": set(), "_sources": set(), "_parties": set()})
            start, end = data.event_dates.get(ev, (None, None))
            row["events"].append({  # type: ignore[attr-defined]
                "id": str(ev), "label": data.label(ev), "type": data.type_name(ev),
                "date": None if start is None else start.isoformat(), "parties": parties,
                "claims": sorted(str(c) for c in prov.claims), "source_count": len(prov.sources)})
            row["_claims"] |= prov.claims  # type: ignore[operator]
            row["_sources"] |= prov.sources  # type: ignore[operator]
            row["_parties"] |= set(parties)  # type: ignore[operator]
    rows = []
    for row in mediated.values():
        row["events"].sort(key=lambda e: (e["date"] or "9999", e["label"]))  # type: ignore[attr-defined]
        rows.append({
            "id": row["id"], "label": row["label"], "type": row["type"],
            "events_mediated": len(row["events"]),  # type: ignore[arg-type]
            "betweenness": between.get(str(row["id"]), 0.0),
            "claim_count": len(row.pop("_claims")),  # type: ignore[arg-type]
            "source_count": len(row.pop("_sources")),  # type: ignore[arg-type]
            "parties_brought_together": sorted(row.pop("_parties")),  # type: ignore[arg-type]
            "events": row["events"],
        })
    rows.sort(key=lambda r: (-r["events_mediated"], -r["betweenness"], r["label"]))  # type: ignore[operator]
    mediators = {r["id"] for r in rows}
    by_between = sorted(({"id": n, "label": graph.nodes[n].get("label"), "type": graph.nodes[n].get("type"),
                          "betweenness": score, "mediator": n in mediators} for n, score in between.items()),
                        key=lambda r: (-r["betweenness"], str(r["label"])))  # type: ignore[operator]
    if limit_value is not None:
        rows, by_between = rows[:limit_value], by_between[:limit_value]
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return result("brokers", graph, data, event=None if wanted is None else str(wanted), betweenness=note,
                  sampled=note["sampled"], k=note["k"], brokers=rows, by_betweenness=by_between)
