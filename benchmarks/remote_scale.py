r"""The ``remote`` section of bench_scale.py: the same claims in Virtuoso (Debian's 7.2) beside the embedded store.

Run it as its own store kind, so its figures get their own table in scale.md::

    flock /tmp/detente-bench.lock .venv/bin/python benchmarks/bench_scale.py --claims 10000,100000 \\
        --stores remote --sections remote --samples 100

One process starts a private Virtuoso (tests/graph/virtuoso_server.py), then
times, on the N-Quads file of the run:

* the embedded load: ``add_nquads`` of the whole text into a fresh ``memory:`` store;
* the remote load through the bulk path (Virtuoso's own loader, ``loader=virtuoso``),
  and at 10k claims or fewer also through Graph Store Protocol POSTs and through
  ``INSERT DATA`` batches (the path before: about 100× the embedded load);
* ``provenance()``, ``get_claim`` and the full conflict listing on Virtuoso,
  beside the same calls on the embedded store that bench_scale built (alternating per sample),
  checking that both give the same answers.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "graph"))


#: Load pairs (embedded, Virtuoso) at 10k claims or fewer; the median counts (see remote_section).
LOAD_REPEATS = 3


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _p(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"p50_ms": _ms(ordered[len(ordered) // 2]),
            "p95_ms": _ms(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]),
            "mean_ms": _ms(statistics.fmean(ordered)), "samples": len(ordered)}


def _pair(items: list[Any], remote: Any, embedded: Any) -> dict[str, Any]:
    """Time ``remote(x)`` and ``embedded(x)`` alternately; count the items whose answers differ."""
    for item in items[:3]:
        remote(item)
        embedded(item)
    ours: list[float] = []
    theirs: list[float] = []
    differ = 0
    for index, item in enumerate(items):
        answers = {}
        for name, fn in (("remote", remote), ("embedded", embedded))[:: 1 if index % 2 == 0 else -1]:
            began = time.perf_counter()
            answers[name] = fn(item)
            (ours if name == "remote" else theirs).append(time.perf_counter() - began)
        differ += answers["remote"] != answers["embedded"]
    a, b = _p(ours), _p(theirs)
    return {"remote": a, "embedded": b, "ratio_p50": round(a["p50_ms"] / b["p50_ms"], 2) if b["p50_ms"] else None,
            "answers_differ": differ}


def _timed(fn: Any) -> float:
    began = time.perf_counter()
    fn()
    return round(time.perf_counter() - began, 2)


def _own_cpu_s() -> float:
    """CPU seconds of this process (every thread) and of the children it waited for (isql)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _process_cpu_s(pid: int) -> float:
    """CPU seconds of another process (every thread), from /proc/PID/stat (utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measured_load(fn: Any, server_pid: int | None = None) -> dict[str, Any]:
    """Wall and CPU seconds of one load (this process's, and the server's when given), with the load average."""
    before = os.getloadavg()[0]
    cpu, server_cpu = _own_cpu_s(), _process_cpu_s(server_pid) if server_pid else 0.0
    began = time.perf_counter()
    fn()
    out = {"wall_s": round(time.perf_counter() - began, 2), "client_cpu_s": round(_own_cpu_s() - cpu, 2),
           "load_average": [round(before, 2), round(os.getloadavg()[0], 2)]}
    if server_pid:
        out["server_cpu_s"] = round(_process_cpu_s(server_pid) - server_cpu, 2)
    return out


def _timeline_of(load: Any) -> tuple[Any, dict[str, Any]]:
    """Run ``load()`` while recording when our side checks each piece and when Virtuoso's loader runs each file.

    Returns what the load returned and the timeline: seconds from the start to the first
    loader call, the loader calls' wall seconds (files, client calls; then the closing checkpoint), our
    checks' wall seconds, and how long the server loaded after our last check (alone).
    """
    from detente.graph import remote_store, virtuoso_loader

    began = time.perf_counter()
    calls: list[tuple[str, float, float]] = []
    files = 0
    run, check = virtuoso_loader.VirtuosoLoader._run, remote_store.loader_lines

    def timed_run(self: Any, isql: str, statements: Any) -> None:
        nonlocal files
        start = time.perf_counter() - began
        files += sum("TTLP" in statement for statement in statements)
        try:
            run(self, isql, statements)
        finally:
            kind = "checkpoint" if statements == ["checkpoint;"] else "loads"
            calls.append((kind, start, time.perf_counter() - began))

    def timed_check(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter() - began
        try:
            return check(*args, **kwargs)
        finally:
            calls.append(("check", start, time.perf_counter() - began))

    virtuoso_loader.VirtuosoLoader._run = timed_run  # type: ignore[method-assign]
    remote_store.loader_lines = timed_check
    try:
        result = load()
    finally:
        virtuoso_loader.VirtuosoLoader._run = run  # type: ignore[method-assign]
        remote_store.loader_lines = check
    loads = [(a, b) for kind, a, b in calls if kind == "loads"]
    checks = [(a, b) for kind, a, b in calls if kind == "check"]
    checkpoints = [b - a for kind, a, b in calls if kind == "checkpoint"]
    timeline = {"files": files, "client_calls": len(loads),
                "first_file_starts_s": round(loads[0][0], 2) if loads else None,
                "server_loading_s": round(sum(b - a for a, b in loads), 2),
                "our_checks_s": round(sum(b - a for a, b in checks), 2),
                "server_alone_after_our_checks_s": round(loads[-1][1] - checks[-1][1], 2) if loads and checks else None,
                "checkpoint_s": round(sum(checkpoints), 2),
                "after_checkpoint_s": round(time.perf_counter() - began - max((b for _, _, b in calls), default=0), 2)}
    return result, timeline


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median wall time (the lower middle one of an even number)."""
    return sorted(runs, key=lambda run: run["wall_s"])[(len(runs) - 1) // 2]


def _summary_readers(remote: Any, embedded: Any, claims: int) -> dict[str, Any]:
    """The summary's readers on Virtuoso (no summary there: raw SPARQL, or computed from the claims) and embedded.

    The embedded store's summary is built first, outside the timings; the actor ties
    (computed from every claim on a store without a summary) only at 10k claims or fewer.
    """
    from detente.graph import summary

    out: dict[str, Any] = {"embedded_summary_build_s": _timed(lambda: summary.ensure_summary(embedded))}
    readers: list[tuple[str, Any]] = [("claims_per_publisher", summary.claims_per_publisher),
                                      ("party_pairs", summary.top_party_pairs)]
    if claims <= 10_000:
        readers.append(("tie_table", lambda store: _tie_rows(summary.tie_table(store))))
    for name, reader in readers:
        answers = {}
        for side, store in (("remote", remote), ("embedded", embedded)):
            began = time.perf_counter()
            answers[side] = reader(store)
            out[f"{name}_{side}_s"] = round(time.perf_counter() - began, 2)
        out[f"{name}_same_answer"] = answers["remote"] == answers["embedded"]
    return out


def _tie_rows(table: Any) -> list[tuple[str, str, int, int, int, int]]:
    """A tie table as comparable rows (actor IRIs and counts)."""
    return [(str(table.actors[a]), str(table.actors[b]), int(n), int(sc), int(ec), int(pe))
            for a, b, n, sc, ec, pe in zip(table.lo, table.hi, table.claims, table.sources, table.events,
                                           table.party_events, strict=True)]


def remote_section(ctx: Any) -> dict[str, Any]:
    from benchmarks.bench_scale import data_file
    from detente.graph.claims import conflicts, get_claim, provenance
    from detente.graph.remote_store import RemoteStore
    from detente.graph.store import open_store
    from detente.ontology.vocab import DT, PROVENANCE_GRAPH

    from virtuoso_server import start_virtuoso

    text = data_file(ctx.claims).read_text(encoding="utf-8")
    # This section's own date and load average: a run of other sections may have made the entry.
    out: dict[str, Any] = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           "load_average_before": [round(x, 2) for x in os.getloadavg()],
                           "input_quads": text.count("\n")}
    # The wall times follow the shared machine's load: at 10k claims or fewer the pair of loads runs
    # LOAD_REPEATS times (a fresh embedded store and a fresh Virtuoso each) and the median run counts.
    repeats = LOAD_REPEATS if ctx.claims <= 10_000 else 1
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    server: Any = None
    folder = Path(tempfile.mkdtemp(prefix="detente-bench-virtuoso-"))
    try:
        for _ in range(repeats):
            embedded = open_store("memory:")
            embedded_load = _measured_load(lambda store=embedded: store.add_nquads(text))
            embedded.close()  # its memory goes with the process: Virtuoso gets the rest of the machine
            if server is not None:
                server.stop()
                shutil.rmtree(folder, ignore_errors=True)
                folder = Path(tempfile.mkdtemp(prefix="detente-bench-virtuoso-"))
            # 8 KiB buffers: about 1.6 GB at most, room for 1M claims' working set.
            server = start_virtuoso(folder, buffers=200_000, max_rows=100_000)
            base = server.auth_store_uri + "&timeout=3600"
            loader = RemoteStore(f"{base}&loader=virtuoso&sql=127.0.0.1:{server.sql_port}&spool={folder}")
            timeline: dict[str, Any] = {}

            def timed_load(store: Any = loader, into: dict[str, Any] = timeline) -> None:
                into.update(_timeline_of(lambda: store.add_nquads(text))[1])

            remote_load = _measured_load(timed_load, server.process.pid)
            remote_load["timeline"] = timeline
            pairs.append((embedded_load, remote_load))
        out["load_pairs"] = [{"embedded_s": e["wall_s"], "virtuoso_s": r["wall_s"],
                              "load_average": r["load_average"]} for e, r in pairs]
        out["embedded_load"] = _median_run([e for e, _ in pairs])
        out["embedded_load_s"] = out["embedded_load"]["wall_s"]
        out["remote_load"] = _median_run([r for _, r in pairs])
        out["remote_load_s"] = out["remote_load"]["wall_s"]
        out["ratio_to_embedded"] = round(out["remote_load_s"] / out["embedded_load_s"], 2)
        # On a shared machine the wall ratio follows everyone else's load; CPU seconds do much less.
        remote_cpu = statistics.median(r["client_cpu_s"] + r["server_cpu_s"] for _, r in pairs)
        out["cpu_ratio_to_embedded"] = round(remote_cpu / statistics.median(e["client_cpu_s"] for e, _ in pairs), 2)
        out["remote_quads"] = loader.count_quads()
        out["pending_loads"] = len(loader.pending_loads())
        if ctx.claims <= 10_000:
            for name, uri in (("gsp", base), ("insert_data", base.replace("&gsp=/sparql-graph-crud-auth", ""))):
                other = RemoteStore(uri)
                other.clear()
                out[f"{name}_load_s"] = _timed(lambda store=other: store.add_nquads(text))
                assert other.count_quads() == out["remote_quads"], name
            loader.clear()
            loader.add_nquads(text)
        events = ctx.counted_events(ctx.samples)
        out["provenance"] = _pair(events, lambda e: provenance(loader, e, DT.prisonerCount).to_json(),
                                  lambda e: provenance(ctx.store, e, DT.prisonerCount).to_json())
        rows = ctx.store.query(f"SELECT ?c WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?c a dt:Claim }} }} LIMIT 50000").rows
        picked = [row[0] for row in ctx.rng.sample(rows, min(ctx.samples, len(rows)))]
        out["get_claim"] = _pair(picked, lambda c: get_claim(loader, c), lambda c: get_claim(ctx.store, c))
        remote_s = time.perf_counter()
        found = conflicts(loader)
        remote_s = time.perf_counter() - remote_s
        embedded_s = time.perf_counter()
        want = conflicts(ctx.store)
        embedded_s = time.perf_counter() - embedded_s
        same = [c.to_json() for c in found] == [c.to_json() for c in want]
        out["conflicts"] = {"remote_s": round(remote_s, 2), "embedded_s": round(embedded_s, 2),
                            "conflicts": len(found), "same_answer": same}
        out["summary_readers"] = _summary_readers(loader, ctx.store, ctx.claims)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return out


def remote_markdown(report: dict[str, Any]) -> list[str]:
    """The "Remote store (Virtuoso)" section of scale.md, from the runs of store kind ``remote``."""
    runs = [r for r in report["runs"] if r["store"] == "remote" and "remote" in r]
    if not runs:
        return []

    def get(r: dict[str, Any], *path: str) -> Any:
        node: Any = r["remote"]
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return node

    def pair(name: str) -> Any:
        return lambda r: (f"{get(r, name, 'remote', 'p50_ms')} / {get(r, name, 'remote', 'p95_ms')} ms vs "
                          f"{get(r, name, 'embedded', 'p50_ms')} ms (×{get(r, name, 'ratio_p50')}; "
                          f"answers differ: {get(r, name, 'answers_differ')})")

    def cell(value: Any, suffix: str = " s") -> str:
        return "—" if value is None else f"{value}{suffix}"

    rows = [
        ("date", lambda r: (get(r, "date") or r.get("date", "—"))[:16].replace("T", " ")),
        ("machine", lambda r: f"{r.get('machine', {}).get('cpus')} CPUs, {r.get('machine', {}).get('memory_gb')} GB"),
        ("load average at start", lambda r: "/".join(str(x) for x in get(r, "load_average_before")
                                                     or r.get("load_average_before", []))),
        ("input quads / quads in Virtuoso", lambda r: f"{get(r, 'input_quads'):,} / {get(r, 'remote_quads'):,}"),
        ("embedded load (`memory:` add_nquads)", lambda r: cell(get(r, "embedded_load_s"))),
        ("**Virtuoso load, bulk path** (loader=virtuoso)", lambda r: cell(get(r, "remote_load_s"))),
        ("… ratio to the embedded load (target ≤ 3)", lambda r: cell(get(r, "ratio_to_embedded"), "")),
        ("… each pair of loads (embedded / Virtuoso, fresh stores; the median pair above)",
         lambda r: "; ".join(f"{p['embedded_s']} / {p['virtuoso_s']} s" for p in get(r, "load_pairs") or []) or "—"),
        ("load average (1 min) before / after each load: embedded; Virtuoso",
         lambda r: "; ".join("/".join(str(x) for x in get(r, name, "load_average") or ["—"])
                             for name in ("embedded_load", "remote_load"))),
        ("CPU seconds: embedded load; Virtuoso load (client + server)",
         lambda r: "—" if get(r, "remote_load", "server_cpu_s") is None else
         f"{get(r, 'embedded_load', 'client_cpu_s')}; {get(r, 'remote_load', 'client_cpu_s')} + "
         f"{get(r, 'remote_load', 'server_cpu_s')}"),
        ("… CPU ratio to the embedded load", lambda r: cell(get(r, "cpu_ratio_to_embedded"), "")),
        ("… where the wall time goes: first loader file starts; Virtuoso loading (files in isql calls); our checks; "
         "Virtuoso alone after our last check; checkpoint",
         lambda r: "—" if not get(r, "remote_load", "timeline") else
         f"{get(r, 'remote_load', 'timeline', 'first_file_starts_s')} s; "
         f"{get(r, 'remote_load', 'timeline', 'server_loading_s')} s ({get(r, 'remote_load', 'timeline', 'files')} in "
         f"{get(r, 'remote_load', 'timeline', 'client_calls') or get(r, 'remote_load', 'timeline', 'files')}); "
         f"{get(r, 'remote_load', 'timeline', 'our_checks_s')} s; "
         f"{get(r, 'remote_load', 'timeline', 'server_alone_after_our_checks_s')} s; "
         f"{get(r, 'remote_load', 'timeline', 'checkpoint_s')} s"),
        ("… Graph Store Protocol POSTs per large graph (gsp=)", lambda r: cell(get(r, "gsp_load_s"))),
        ("… INSERT DATA batches (before)", lambda r: cell(get(r, "insert_data_load_s"))),
        ("**provenance()** p50 / p95 on Virtuoso vs embedded (p50)", pair("provenance")),
        ("**get_claim** p50 / p95 on Virtuoso vs embedded (p50)", pair("get_claim")),
        ("summary readers on Virtuoso vs embedded: claims per publisher; party pairs; actor ties (≤10k)",
         lambda r: "; ".join(f"{cell(get(r, 'summary_readers', f'{n}_remote_s'))} vs "
                             f"{cell(get(r, 'summary_readers', f'{n}_embedded_s'))} "
                             f"(same: {get(r, 'summary_readers', f'{n}_same_answer')})"
                             for n in ("claims_per_publisher", "party_pairs", "tie_table"))),
        ("**conflicts** full listing, Virtuoso vs embedded",
         lambda r: f"{cell(get(r, 'conflicts', 'remote_s'))} vs {cell(get(r, 'conflicts', 'embedded_s'))} "
                   f"({get(r, 'conflicts', 'conflicts')} conflicts, same: {get(r, 'conflicts', 'same_answer')})"),
    ]
    lines = ["", "## Remote store (Virtuoso)", "",
             "Produced by `benchmarks/bench_scale.py --stores remote --sections remote` "
             "(`benchmarks/remote_scale.py`): the run's N-Quads loaded through `RemoteStore.add_nquads` into a "
             "private Debian Virtuoso (7.2.5, started for the run on the same machine, 200,000 buffers) and through "
             "`add_nquads` into a fresh embedded `memory:` store; then detente's API on Virtuoso beside the same "
             "calls on the embedded store.", "",
             "| figure | " + " | ".join(f"{r['claims']:,} claims" for r in runs) + " |",
             "| --- | " + " | ".join("---:" for _ in runs) + " |"]
    lines += [f"| {label} | " + " | ".join(fn(r) for r in runs) + " |" for label, fn in rows]
    return lines + REMOTE_NOTES


REMOTE_NOTES = """
Reading the figures:

- **The 100k column is session 7's main** (19:10 UTC, the machine quiet, load average about 1): load 9.97 s
  against 3.48–3.83 s embedded in this and the three runs before it (×2.74; the others ×2.85, ×3.24, ×2.92: the
  target of 3 is met narrowly, not with a margin). Its conflicts row: 6.62 s on Virtuoso. With the session 7
  listing as first merged, three of four runs were slow (262 s, 31.9 s, 47.8 s, then 9.4 s): every statements
  query took about 4 s instead of 0.45 s, while the session 6 listing swapped in gave 6.8 and 7.0 s and a
  standalone script gave both 7.1–7.5 s. That listing read the next batch before making the current one's
  records even where reads run one after the other; reading in the old order again (a batch's reads, its records,
  the next batch's reads) gave 6.59 and 6.62 s. The cause on Virtuoso's side was not found.
- The machine is shared (2 cores, up to 7 people; load average 5–8 during session 5), so wall times follow
  everyone else's work: the same 10k load into Virtuoso took 1.57 s and 5.73 s nine minutes apart
  (10:53 and 11:02 UTC, load average 4.9 at both starts). At 10k claims the table therefore shows the median of
  three pairs of loads into fresh stores (each pair listed); the CPU seconds (this process with isql, and
  the Virtuoso process from /proc) are the steadier second ratio.
- Where a load's wall time goes (the timeline row; the loader's calls and our checks are timed in the
  run): Virtuoso loading is most of it, and it runs from a fraction of a second after the start to the end.
  Our side (counting, checking and sorting lines, the load's mark, spool files, isql) is 0.4–0.5 CPU s at
  10k and 4.8–5.1 at 100k, and at 100k it runs while Virtuoso loads; at 10k (at most one file of `batch`
  lines) the whole text is checked before anything is written, as a bad line must write nothing. The
  closing checkpoint takes 0.05–0.4 s. Virtuoso's own CPU is the floor: 0.7–0.8 s at 10k and 8–10 s at
  100k for the 1.31M distinct quads, against 0.33 s and 3.9 s for the whole embedded load.
- Virtuoso keeps no summary graph (`RemoteStore.maintains_summary` is False): a load computes and writes
  nothing for it, and the summary's readers compute from the claims on each call (the rows above).
  Sending a summary computed on our side (`summary_import.FreshImport`) at a fresh load would be cheap,
  but the store would then have to keep it exact after every later write, which is the `INSERT … WHERE`
  maintenance Virtuoso runs at 4–15k quads/s; not done.
- Session 5, before and after at 100k (main's code and this one alternating, a fresh server each, 11:43–11:45
  UTC, load average 3.4–4.2, the load only): wall 18.00 and 18.10 s before, 15.68 and 16.66 s now (against
  the table's embedded 4.92 s: ×3.7 → ×3.2–3.4); Virtuoso's CPU 10.76 and 10.07 s before, 9.93 and 9.89 s
  now; ours 5.07 and 4.90 s before, 5.06 and 4.76 s now; the first loader call started at 1.0–1.1 s before
  and 0.6–0.8 s now. The bench run in the table (11:43, one pair) gave 19.99 s (×4.06, CPU ×3.99): the
  target (×3) is still missed at 100k, and Virtuoso's own loading (about 10 CPU s, 2.5× the whole
  embedded load) is what remains; after our last check it loads alone for 8–9 s (the provenance graph,
  written last so that a load cut short never leaves a claim without its statements).
- Session 5 changes to the load path (fresh servers, 10k and 100k claims, profiled before and after):
  (1) a text longer than one file starts with a piece of `batch`/8 lines, so Virtuoso's first call starts
  after 0.6–0.8 s instead of 1–2.3 s (the whole first piece of 200,000 lines was checked before it); (2) the
  text is counted once, the provenance split and the repeat filter run in C (`itertools.compress`,
  `filterfalse`): our CPU 5.0 → 4.2 s at 100k in a profile of our side alone, within the noise in the
  whole load (above); (3) the files waiting when a loader
  call ends go in one isql call (an isql process costs ~40 ms of wall, during which the server waited);
  (4) each file is read by `TTLP_MT` calls over byte ranges of 10,000 lines (`file_to_string_output(path,
  start, end)`) instead of one call per file: Virtuoso's CPU per load is about 20% lower at 10k (5–8% at
  100k, above). Whole load path,
  10k claims, a fresh server each, main's code and this one alternating (11:15 UTC, load average 7.8–8.3):
  server CPU 0.94, 0.94, 0.92, 0.92 s before against 0.74, 0.66, 0.75, 0.76 s now, our CPU 0.39–0.47 s
  both; wall 4.45, 4.42, 2.42, 3.52 s against 4.73, 1.86, 2.91, 4.12 s (the machine's noise). Warm server,
  one call per 5,000, 10,000, 20,000, 40,000, 70,000 lines: 0.60, 0.58, 0.63, 0.67, 0.68 s. A file that
  may hold a blank node stays one call (a label is scoped to its call).
- Tried in session 5 and dropped (measured at 100k on fresh or reset servers; wall times under load 5–8):
  `FileExtend = 20000` in the test server's ini (pipeline 39.4 vs 31.9 s and 15.4 vs 16.2 s: nothing
  beyond the noise, so no ini change and nothing for the README); Virtuoso's vector batch
  (`dc_max_batch_sz` 10,000–1,000,000: server CPU 7.3–8.5 s either way); `TTLP` flag 2048 (Virtuoso 7.2
  loads nothing with it); sorted input (server CPU 9.4 and 10.1 s against 11.1 and 10.1 s); two loader
  sessions at once (100k: 21.7 s against 12.8 s for one; at 10k the medians were 1.5 and 2.1 s, within
  the noise, and concurrent sessions can deadlock, 40001).
- Earlier sessions (kept): the loader runs without the transaction log (`log_enable(2)`, as
  `rdf_loader_run`; the log on is 5× slower) and ends with a `checkpoint`, which makes the load durable
  (tests/graph/test_remote_store.py kills the server to check); repeated statements are sent once (25%
  of the lines: the facts graph repeats a fact per claim; 10–25% of Virtuoso's CPU). Debian's Virtuoso
  7.2.5 takes one graph per Graph Store Protocol request and refuses N-Quads and TriG bodies
  (openlink/virtuoso-opensource#275; #1142 added them later), and every claim is a graph of about 6
  triples, so GSP helps only the facts and provenance graphs; `DB.DBA.TTLP` from SPARQL with the data as a
  literal is superlinear and crashed the server at 20,000 lines; GSP into a staging graph moved by one
  `INSERT … WHERE` took 4–16 s for 57k quads. 200,000 buffers (1.6 GB) hold the 100k load;
  `MaxDirtyBuffers` is 3/4 of them. Before session 4 (same machine): 10k claims 3.88 s against 0.53 s
  (×7.3), 100k 33.4 s against 7.9 s (×4.2; CPU ×5.9); session 4's figures: 10k 1.63 s against 0.53 s
  (×3.08, CPU ×3.61) at load average 5.7, 100k 19.19 s against 4.71 s (×4.07, CPU 4.95 + 10.02 s against
  3.87 s, ×3.87) at load average 2.5.
- Reads: every call is an HTTP request that Virtuoso compiles anew (detente binds its prepared shapes with
  `VALUES`), so per-call latency is tens of milliseconds where the embedded store answers in one or two;
  answers are the same (*answers differ: 0*, *same: True*).
""".splitlines()
