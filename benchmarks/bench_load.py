"""Load benchmark: detente's claim writer against rdflib and plain pyoxigraph.

For 10k, 100k and 1M synthetic claims (``benchmarks/synthetic.py``) it
measures load throughput (claims/s, quads/s) and peak memory of:

``detente``
    claims → :func:`detente.graph.claims.claims_nquads` → ``Store.add_nquads``
    on the embedded Oxigraph store, one transaction per chunk of claims (the
    path ``detente load`` takes). Timed from the Claim objects.
``detente-bulk``
    the same, written with ``OxigraphStore.bulk_add_nquads`` (no transaction
    log; what a restore or a first big import can use).
``pyoxigraph``
    the anchor: ``pyoxigraph.Store.bulk_load`` of the same N-Quads, already
    serialised in a file (serialisation not timed).
``rdflib``
    the anchor: ``rdflib.Dataset.parse`` of the same N-Quads file, in memory.
    Only up to ``--rdflib-max`` claims (default 100k): beyond that it is
    extrapolated linearly from the largest measured size and marked so.

Each (engine, size) runs in its own process so that peak memory (``ru_maxrss``)
belongs to that run alone; "load memory" is the peak minus the process's
resident memory just before the load. detente's claims are made 50k at a
time (as a loader parses one file at a time) and only serialising and
writing them is timed; one chunk of Claim objects is in its load memory. Stores are in memory by default;
``--disk`` puts the Oxigraph stores in a temporary folder (RocksDB).

Targets (DESIGN/issue #5): detente within 1.5x of raw pyoxigraph bulk load,
and at least 5x rdflib.

Run::

    .venv/bin/python benchmarks/bench_load.py                 # 10k, 100k, 1M
    .venv/bin/python benchmarks/bench_load.py --sizes 10000   # quick

Results go to ``benchmarks/results/load.json`` and ``load.md``.

``--files`` measures the user's path instead (issue #9): ``detente load`` of a
statements CSV and of a claim-documents JSON Lines file (``benchmarks/load_inputs.py``)
into a fresh on-disk store, validation on (the loaders' checks and the
compiled SHACL shapes), against raw ``pyoxigraph`` ``bulk_load`` of the N-Quads
that load stored (dumped from the store, the summary graph left out; and, as a second
anchor, of everything it stored, the summary included). Each run
is its own process; its peak RSS is the whole process's. Run the big sizes
under the shared lock::

    flock /tmp/detente-bench.lock .venv/bin/python benchmarks/bench_load.py --files --rows 100000 1000000

Results go to ``benchmarks/results/load-files.json`` and ``load-files.md``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ENGINES = ("detente", "detente-bulk", "pyoxigraph", "rdflib")
FILE_FORMATS = ("statements-csv", "claims-jsonl")
# detente's load; raw bulk_load of the data it stored (the summary graph left out); raw bulk_load of
# everything it stored, the summary included.
FILE_KINDS = ("detente", "raw", "raw-all")
CHUNK = 50_000


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _claims(n: int):  # type: ignore[no-untyped-def]
    from benchmarks.synthetic import synthetic_claims

    return synthetic_claims(n)


def prepare_nquads(n: int, folder: Path) -> tuple[Path, int]:
    """The N-Quads of ``n`` synthetic claims in a file (cached), and its quad count."""
    from detente.graph.claims import claims_nquads

    path = folder / f"synthetic-{n}.nq"
    count_path = folder / f"synthetic-{n}.count"
    if path.exists() and count_path.exists():
        return path, int(count_path.read_text())
    quads = 0
    chunk: list = []
    with path.open("w", encoding="utf-8") as out:
        for claim in _claims(n):
            chunk.append(claim)
            if len(chunk) == CHUNK:
                text = claims_nquads(chunk)
                quads += text.count("\n")
                out.write(text)
                chunk = []
        if chunk:
            text = claims_nquads(chunk)
            quads += text.count("\n")
            out.write(text)
    count_path.write_text(str(quads))
    return path, quads


def worker(engine: str, n: int, nquads_file: Path, disk: bool) -> dict[str, object]:
    """One timed load in this process; returns the measurements."""
    folder = tempfile.mkdtemp(prefix="detente-bench-") if disk else None
    result: dict[str, object] = {"engine": engine, "claims": n}
    if engine in ("detente", "detente-bulk"):
        from detente.graph import open_store
        from detente.graph.claims import claims_nquads

        store = open_store(f"oxigraph:{folder}" if disk else "memory:")
        write = store.bulk_add_nquads if engine == "detente-bulk" else store.add_nquads  # type: ignore[attr-defined]
        before = _rss_mb()
        seconds = 0.0
        generator = _claims(n)
        for _ in range(0, n, CHUNK):
            # Claims are made chunk by chunk (as a loader parses file by file); making them is not timed.
            chunk = list(itertools.islice(generator, CHUNK))
            start = time.perf_counter()
            write(claims_nquads(chunk, facts=store.facts_label))  # facts as the store reads them: no rewriting
            seconds += time.perf_counter() - start
        result["store_quads"] = store.count_quads()
    elif engine == "pyoxigraph":
        import pyoxigraph as ox

        store = ox.Store(folder) if disk else ox.Store()
        before = _rss_mb()
        start = time.perf_counter()
        store.bulk_load(path=str(nquads_file), format=ox.RdfFormat.N_QUADS)
        seconds = time.perf_counter() - start
        result["store_quads"] = len(store)
    elif engine == "rdflib":
        from rdflib import Dataset

        dataset = Dataset()
        before = _rss_mb()
        start = time.perf_counter()
        dataset.parse(str(nquads_file), format="nquads")
        seconds = time.perf_counter() - start
        result["store_quads"] = sum(len(g) for g in dataset.graphs())
    else:
        raise ValueError(engine)
    result.update(seconds=round(seconds, 3), rss_before_mb=round(before, 1), peak_mb=round(_peak_mb(), 1),
                  load_memory_mb=round(_peak_mb() - before, 1))
    return result


def run(engine: str, n: int, nquads_file: Path, quads: int, disk: bool) -> dict[str, object]:
    command = [sys.executable, __file__, "--worker", engine, "--n", str(n), "--file", str(nquads_file)]
    if disk:
        command.append("--disk")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["quads"] = quads
    result["claims_per_s"] = round(n / result["seconds"])
    result["quads_per_s"] = round(quads / result["seconds"])
    result["measured"] = True
    return result


def markdown(report: dict) -> str:  # type: ignore[type-arg]
    lines = [
        "# Load benchmark", "",
        f"Run {report['date']} on {report['machine']} (Python {report['python']}, pyoxigraph {report['pyoxigraph']}, "
        f"rdflib {report['rdflib']}), stores {'on disk' if report['disk'] else 'in memory'}, "
        f"{report['cpus']} CPUs shared with other work (timings are indicative).", "",
        "Synthetic claims from `benchmarks/synthetic.py` (about 17.6 quads per claim with sources and "
        "provenance). detente is timed from Claim objects (serialisation + load); pyoxigraph and rdflib load "
        "the same N-Quads already written to a file. *quads* counts the lines written (claim graphs, facts, "
        "provenance; "
        "the store deduplicates them to about 75%). *Load memory* is peak RSS minus RSS just before the load (for "
        "detente it includes one 50k chunk of Claim objects).", "",
        "| claims | quads | engine | seconds | claims/s | quads/s | load memory (MB) | peak RSS (MB) |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in report["results"]:
        mark = "" if r["measured"] else " (extrapolated)"
        memory = r.get("load_memory_mb", "—")
        peak = r.get("peak_mb", "—")
        lines.append(f"| {r['claims']:,} | {r['quads']:,} | {r['engine']}{mark} | {r['seconds']:.2f} | "
                     f"{r['claims_per_s']:,} | {r['quads_per_s']:,} | {memory} | {peak} |")
    lines += ["", "## Against the targets", "",
              "| claims | detente ÷ pyoxigraph (target ≤ 1.5) | detente-bulk ÷ pyoxigraph | rdflib ÷ detente "
              "(target ≥ 5) |", "| ---: | ---: | ---: | ---: |"]
    for n, ratios in report["ratios"].items():
        lines.append(f"| {int(n):,} | {ratios['detente_vs_pyoxigraph']:.2f} | "
                     f"{ratios['detente_bulk_vs_pyoxigraph']:.2f} | {ratios['rdflib_vs_detente']:.1f}"
                     f"{' (rdflib extrapolated)' if ratios['rdflib_extrapolated'] else ''} |")
    lines += ["", report["notes"], ""]
    return "\n".join(lines)


def files_worker(kind: str, input_file: Path, store_folder: Path, nquads_file: Path) -> dict[str, object]:
    """One measured run of ``detente load`` (kind ``detente``) or of raw bulk_load (kind ``raw``)."""
    result: dict[str, object] = {"kind": kind}
    if kind == "detente":
        from detente.graph import summary
        from detente.graph.store import open_store
        from detente.loaders.pipeline import load_paths

        summary_seconds, summary_cpu = [0.0], [0.0]
        peak_before_summary: list[float] = []
        # The summary's step: a rebuild, or (a fresh import) the records computed from the import's claims,
        # which overlaps the writing of the last file's data (its time then includes waiting for them).
        targets: list[tuple[object, str]] = [(summary, "rebuild")]
        try:
            from detente.graph.summary_import import FreshImport
            targets.append((FreshImport, "write"))
        except ImportError:  # before the fresh-import summary
            pass
        for owner, name in targets:
            original = getattr(owner, name)

            def timed(*args: object, _original=original, **kwargs: object) -> object:  # type: ignore[no-untyped-def]
                if summary_seconds[0] < 0:  # a rebuild inside the fresh import's write: timed once
                    return _original(*args, **kwargs)
                if not peak_before_summary:
                    peak_before_summary.append(_peak_mb())
                start, cpu_start = time.perf_counter(), time.process_time()
                saved, summary_seconds[0] = summary_seconds[0], -1.0
                try:
                    return _original(*args, **kwargs)
                finally:
                    summary_seconds[0] = saved + time.perf_counter() - start
                    summary_cpu[0] += time.process_time() - cpu_start
            setattr(owner, name, timed)
        before = _rss_mb()
        start, cpu = time.perf_counter(), time.process_time()
        store = open_store(f"oxigraph:{store_folder}")
        report, = load_paths(store, [input_file])
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        result.update(rows=report.records, claims=report.claims, staged_quads=report.quads,
                      summary_seconds=round(summary_seconds[0], 2), summary_cpu_seconds=round(summary_cpu[0], 2),
                      peak_before_summary_mb=round(peak_before_summary[0] if peak_before_summary else _peak_mb(), 1))
        # The N-Quads the load stored, for the raw engine: the data (the summary graph left out: it is
        # detente's own addition), and everything, summary included (the "N-Quads it produces").
        everything = _everything_file(nquads_file)
        with everything.open("wb") as out:
            store.dump(out, "nquads")
        store.close()
        with everything.open("rb") as source, nquads_file.open("wb") as out:
            for line in source:
                if b"/id/graph/summary>" not in line:
                    out.write(line)
    else:
        import pyoxigraph as ox

        before = _rss_mb()
        start, cpu = time.perf_counter(), time.process_time()
        raw = ox.Store(str(store_folder))
        source = _everything_file(nquads_file) if kind == "raw-all" else nquads_file
        raw.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
        raw.flush()
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        result["quads"] = len(raw)
    # CPU seconds (all threads) say more than wall time on a machine shared by several people.
    result.update(seconds=round(seconds, 2), cpu_seconds=round(cpu_seconds, 2), rss_before_mb=round(before, 1),
                  peak_mb=round(_peak_mb(), 1))
    return result


def _everything_file(nquads_file: Path) -> Path:
    """Where the detente worker leaves the whole store's N-Quads (the summary graph included)."""
    return nquads_file.with_suffix(".all.nq")


def files_main(rows_sizes: list[int], out_path: Path, formats: list[str] | None = None) -> None:
    """Measure ``detente load`` of a CSV and a JSONL file at each size against raw bulk_load; write the report."""
    from benchmarks.load_inputs import write_claims_jsonl, write_statements_csv

    work = Path(tempfile.mkdtemp(prefix="detente-bench-files-"))
    runs: list[dict[str, object]] = []
    for size in rows_sizes:
        for fmt in formats or FILE_FORMATS:
            input_file = work / (f"s{size}.csv" if fmt == "statements-csv" else f"c{size}.jsonl")
            if fmt == "statements-csv":
                write_statements_csv(input_file, rows=size)
            else:
                write_claims_jsonl(input_file, claims=size)
            nquads_file = work / f"{input_file.stem}.nq"
            input_mb = round(input_file.stat().st_size / 2**20, 1)
            row: dict[str, object] = {"size": size, "format": fmt, "input_mb": input_mb}
            for kind in FILE_KINDS:
                folder = work / f"{input_file.stem}-{kind}"
                command = [sys.executable, __file__, "--files-worker", kind, "--file", str(input_file),
                           "--store-folder", str(folder), "--nquads", str(nquads_file)]
                output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
                row[kind] = json.loads(output.strip().splitlines()[-1])
                subprocess.run(["rm", "-rf", str(folder)], check=True)
            detente, raw = row["detente"], row["raw"]  # type: ignore[assignment]
            row["ratio"] = round(detente["seconds"] / raw["seconds"], 2)  # type: ignore[index]
            row["ratio_to_everything"] = round(detente["seconds"] / row["raw-all"]["seconds"], 2)  # type: ignore[index]
            row["ratio_without_summary"] = round((detente["seconds"] - detente["summary_seconds"])  # type: ignore[index]
                                                 / raw["seconds"], 2)  # type: ignore[index]
            row["cpu_ratio_without_summary"] = round((detente["cpu_seconds"] - detente["summary_cpu_seconds"])  # type: ignore[index]
                                                     / raw["cpu_seconds"], 2)  # type: ignore[index]
            print(json.dumps(row), flush=True)
            runs.append(row)
            input_file.unlink()
            nquads_file.unlink()
            _everything_file(nquads_file).unlink()
    subprocess.run(["rm", "-rf", str(work)], check=True)
    import pyoxigraph

    for run in runs:
        run["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        run["load_average"] = [round(x, 2) for x in os.getloadavg()]
    # Runs of other sizes recorded earlier stay (sizes run separately, each under the shared lock).
    earlier = out_path.with_suffix(".json")
    if earlier.exists():
        kept = [r for r in json.loads(earlier.read_text(encoding="utf-8"))["runs"]
                if (r["size"], r["format"]) not in {(n["size"], n["format"]) for n in runs}]
        runs = sorted(kept + runs, key=lambda r: (r["size"], r["format"]))
    report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "machine": f"{platform.machine()} {platform.system()}, {os.cpu_count()} CPUs, "
                         f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
              "python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__, "runs": runs}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    out_path.with_suffix(".md").write_text(files_markdown(report), encoding="utf-8")
    print(files_markdown(report))


def files_markdown(report: dict) -> str:  # type: ignore[type-arg]
    lines = ["# File loads: `detente load` against raw bulk_load", "",
             f"Last run {report['date']} on {report['machine']} (Python {report['python']}, pyoxigraph "
             f"{report['pyoxigraph']}); the machine is shared by several people (load average per run below), so "
             "timings are indicative. Fresh on-disk stores. *detente* is the whole `load_paths` call: opening the "
             "store (ontology bootstrap), reading and checking every record (loaders' checks and the compiled SHACL "
             "shapes), staging N-Quads chunks on disk, Oxigraph's bulk loader (for a fresh import, on the "
             "loader's writer thread while the file is still read and checked), and the summary "
             "(*summary s*: a rebuild by graph/summary.py, or, for a fresh import, graph/summary_import.py "
             "computing the records from the import's own claims with NumPy, then loading them; it includes "
             "waiting for the last data writes). "
             "*raw* is `pyoxigraph.Store.bulk_load` of the N-Quads the "
             "load stored (dumped, summary graph left out): the strict anchor, the *ratio*. *raw, all* is the same "
             "for everything the load stored, the summary graph included (the issue's \"N-Quads it produces\"), "
             "measured since session 8. Peak RSS is each process's whole peak. "
             "The *CPU ratio* compares process "
             "CPU seconds (all threads; the summary's left out): on a busy machine wall time mostly measures "
             "waiting.", "",
             "| input | rows / claims | MB | detente s | of which summary s | detente peak RSS MB (before summary) | "
             "raw bulk_load s | raw peak RSS MB | quads | ratio | ratio without summary | CPU ratio without summary "
             "| raw, all s (quads) | ratio to raw, all | run (load avg) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
             "| --- |"]
    for r in report["runs"]:
        d, raw = r["detente"], r["raw"]
        lines.append(f"| {r['format']} | {d['rows']:,} / {d['claims']:,} | {r['input_mb']} | {d['seconds']} | "
                     f"{d['summary_seconds']} | {d['peak_mb']:,.0f} ({d.get('peak_before_summary_mb', 0):,.0f}) | "
                     f"{raw['seconds']} | {raw['peak_mb']:,.0f} | "
                     f"{raw['quads']:,} | {r['ratio']} | {r['ratio_without_summary']} | "
                     f"{r.get('cpu_ratio_without_summary', '—')} | {_raw_all(r)} | "
                     f"{r.get('ratio_to_everything', '—')} | {r.get('date', '')} "
                     f"({', '.join(str(x) for x in r.get('load_average', [])) or 'n/a'}) |")
    notes = [f"- {r['size']:,} {r['format']}: {r['note']}" for r in report["runs"] if r.get("note")]
    lines += ["", *notes] if notes else []
    return "\n".join(lines) + "\n"


def _raw_all(run: dict) -> str:  # type: ignore[type-arg]
    """The raw load of everything stored, as a cell (runs before session 8 have none)."""
    everything = run.get("raw-all")
    return f"{everything['seconds']} ({everything['quads']:,})" if everything else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", action="store_true", help="measure detente load of CSV/JSONL files (issue #9)")
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="with --files: rows of the CSV and claims of the JSONL")
    parser.add_argument("--formats", nargs="+", choices=FILE_FORMATS, default=list(FILE_FORMATS),
                        help="with --files: which inputs to measure")
    parser.add_argument("--files-worker", choices=FILE_KINDS)
    parser.add_argument("--store-folder", type=Path)
    parser.add_argument("--nquads", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--rdflib-max", type=int, default=100_000)
    parser.add_argument("--disk", action="store_true", help="Oxigraph stores on disk (RocksDB) instead of memory")
    parser.add_argument("--out", type=Path, help="the report's path without suffix (default: "
                        "benchmarks/results/load, or load-files with --files)")
    parser.add_argument("--worker", choices=ENGINES)
    parser.add_argument("--n", type=int)
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    if args.files_worker:
        print(json.dumps(files_worker(args.files_worker, args.file, args.store_folder, args.nquads)))
        return
    if args.files:
        files_main(args.rows, args.out or ROOT / "benchmarks" / "results" / "load-files", args.formats)
        return
    if args.worker:
        print(json.dumps(worker(args.worker, args.n, args.file, args.disk)))
        return

    import pyoxigraph
    import rdflib

    out = args.out or ROOT / "benchmarks" / "results" / "load"
    work = Path(tempfile.mkdtemp(prefix="detente-bench-nq-"))
    results: list[dict[str, object]] = []
    ratios: dict[str, dict[str, object]] = {}
    rdflib_rate: float | None = None
    for n in args.sizes:
        nquads_file, quads = prepare_nquads(n, work)
        by_engine: dict[str, dict[str, object]] = {}
        for engine in ENGINES:
            if engine == "rdflib" and n > args.rdflib_max:
                assert rdflib_rate is not None, "measure rdflib on a smaller size first"
                seconds = quads / rdflib_rate
                row: dict[str, object] = {"engine": engine, "claims": n, "quads": quads, "seconds": round(seconds, 1),
                                          "claims_per_s": round(n / seconds), "quads_per_s": round(rdflib_rate),
                                          "measured": False}
            else:
                row = run(engine, n, nquads_file, quads, args.disk)
                if engine == "rdflib":
                    rdflib_rate = quads / float(row["seconds"])  # type: ignore[arg-type]
            print(json.dumps(row), flush=True)
            results.append(row)
            by_engine[engine] = row
        t = {e: float(r["seconds"]) for e, r in by_engine.items()}  # type: ignore[arg-type]
        ratios[str(n)] = {"detente_vs_pyoxigraph": round(t["detente"] / t["pyoxigraph"], 2),
                          "detente_bulk_vs_pyoxigraph": round(t["detente-bulk"] / t["pyoxigraph"], 2),
                          "rdflib_vs_detente": round(t["rdflib"] / t["detente"], 1),
                          "rdflib_extrapolated": not by_engine["rdflib"]["measured"]}
        (nquads_file).unlink()
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()} {platform.system()}",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
        "disk": args.disk,
        "chunk_claims": CHUNK,
        "results": results,
        "ratios": ratios,
        "notes": (f"rdflib was measured up to {args.rdflib_max:,} claims; larger sizes are extrapolated linearly "
                  "from its measured quads/s at the largest measured size (rdflib's memory grows with the data, "
                  "so the real figure would be no better)."),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))


if __name__ == "__main__":
    main()
