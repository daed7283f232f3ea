"""From the store to hotspots: ``python -m analytics hotspots`` on 100k and 1M stored events.

    .venv/bin/python bench/store_bench.py [--sizes 100000,1000000]

For each size, in a temporary folder: writes the events of ``bench/hotspot_bench.py``
(Namwon-like clustered points over a year, seeded) into a new store through the
import's write path (staging file, blocks), then runs the CLI's whole hotspot command
(every source, the year, eps 100 m, min_samples 5, GeoJSON to a file) in its own
process (as ``python -m analytics`` runs it: :func:`~analytics.cli.common.keep_freed_memory`
first), and the bare ``dbscan`` package on the same points in another. Each is run
three times, each time in its own process (the CLI's with the store's caches emptied
first, as an import leaves them), and the median is printed: one run swings by ±20%
on a shared machine. Prints the wall time beyond the CLI's own start-up (imports of
``analytics.cli``) and beyond loading the ``dbscan`` package (imported on the first
clustering, about 0.5 s; the bare engine's time leaves its import out too; a second
row adds it back), the peak memory (max RSS), the ratio to the bare engine, and the
stages.

Targets (issue 14): the command ≤ 5x the bare engine and ≤ 1.5 GB at 1M.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

EPS_M, MIN_SAMPLES = 100.0, 5


def build_store(path: Path, n: int) -> dict:
    """A store holding ``n`` synthetic events in one batch; returns write timings."""
    from analytics.storage import connection, store
    from bench.hotspot_bench import make_events, make_points

    events = make_events(make_points(n))
    db = store.open_store(str(path))
    record = store.BatchRecord(
        "bench", "incident", "bench.csv", "0" * 64, None, None, None, n, 0, True
    )
    t0 = time.perf_counter()
    with (
        store.stage_events(db, events, "bench") as staged,
        connection.write_transaction(db, attach=staged.attach) as conn,
    ):
        stats = store.write_batch(conn, record, events, [], staged=staged)
        store.finish_batch(conn, "bench", rows_duplicate=0, summary=stats)
    return {"write_s": time.perf_counter() - t0, "rows": stats["imported"]}


def run_cli(db: Path, out: Path) -> dict:
    """The CLI's hotspot command in this process: wall time after its own imports."""
    t0 = time.perf_counter()
    from analytics.cli import main
    from analytics.cli.common import keep_freed_memory

    started = time.perf_counter() - t0
    keep_freed_memory()  # as `python -m analytics` does
    argv = [
        "hotspots",
        "--db",
        str(db),
        "--from",
        "2017-01-01",
        "--to",
        "2017-12-31",
        "--eps",
        str(EPS_M),
        "--min-samples",
        str(MIN_SAMPLES),
        "--format",
        "geojson",
        "--out",
        str(out),
    ]
    # The dbscan package is imported on the first clustering (about 0.5 s): timed on its
    # own, since the bare engine's time leaves its import out too.
    t1 = time.perf_counter()
    import dbscan  # noqa: F401

    engine_load = time.perf_counter() - t1
    t1 = time.perf_counter()
    code = main(argv)
    wall = time.perf_counter() - t1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    features = len(json.loads(out.read_text(encoding="utf-8"))["features"])
    return {
        "code": code,
        "startup_s": started,
        "engine_load_s": engine_load,
        "wall_s": wall,
        "peak_mib": peak,
        "hotspots": features,
    }


def run_stages(db: Path) -> dict:
    """The same path step by step, in this process: read, cluster with profiles."""
    import pandas as pd

    from analytics.compute.hotspots import find_hotspots
    from analytics.query import HotspotQuery
    from analytics.station import clock
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography
    from analytics.storage import store

    geo = load_geography(default_station())
    db_handle = store.open_store(str(db))
    start = pd.Timestamp("2017-01-01", tz=clock.zone())
    query = HotspotQuery(
        start=start, end=start + pd.Timedelta(days=365), eps_m=EPS_M, min_samples=MIN_SAMPLES
    )
    t0 = time.perf_counter()
    events = store.read_events(db_handle, sources=query.sources, start=query.start, end=query.end)
    read = time.perf_counter() - t0
    t1 = time.perf_counter()
    result = find_hotspots(events, query, geo=geo)
    return {
        "read_s": read,
        "find_hotspots_s": time.perf_counter() - t1,
        "stages": {k: round(v, 3) for k, v in result.timings.items()},
    }


def run_bare(n: int) -> dict:
    import dbscan

    from bench.hotspot_bench import make_points

    xy = make_points(n)
    t0 = time.perf_counter()
    labels, _ = dbscan.DBSCAN(xy, eps=EPS_M, min_samples=MIN_SAMPLES)
    return {"wall_s": time.perf_counter() - t0, "hotspots": int(labels.max()) + 1}


RUNS = 3


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time, with every run's wall time beside it."""
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    return {**ordered[len(ordered) // 2], "all_s": [r["wall_s"] for r in runs]}


def empty_caches(db: Path) -> None:
    """Forget what earlier runs cached in the store (as an import makes it stale)."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM tuning_cache")


def child(kind: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, *args], capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            result = build_store(Path(rest[0]), int(rest[1]))
        elif kind == "cli":
            result = run_cli(Path(rest[0]), Path(rest[1]))
        elif kind == "stages":
            result = run_stages(Path(rest[0]))
        else:
            result = run_bare(int(rest[0]))
        print(json.dumps(result))
        return
    print(f"store → hotspots: every source, a year, eps {EPS_M:.0f} m, min_samples {MIN_SAMPLES}")
    print(f"{'events':>10} {'run':<34} {'wall s':>8} {'peak MiB':>9} {'hotspots':>9} {'/ bare':>7}")
    previous = None
    for n in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as folder:
            db, out = Path(folder) / "store.sqlite", Path(folder) / "hotspots.geojson"
            built = child("build", str(db), str(n))
            # Each run in its own process, the median of RUNS: one run swings by ±20% on
            # a shared machine. Every CLI run starts as the first after an import does: the
            # store's caches (the populated area's cells, the tuning) emptied.
            bare = median_run([child("bare", str(n)) for _ in range(RUNS)])
            clis = []
            for _ in range(RUNS):
                empty_caches(db)
                clis.append(child("cli", str(db), str(out)))
            cli = median_run(clis)
            stages = child("stages", str(db))
        ratio = cli["wall_s"] / bare["wall_s"]
        print(
            f"{n:>10,} {'dbscan package (bare engine)':<34} {bare['wall_s']:>8.2f} {'':>9} {bare['hotspots']:>9,} {1:>6.1f}x"
        )
        print(
            f"{n:>10,} {'python -m analytics hotspots':<34} {cli['wall_s']:>8.2f} "
            f"{cli['peak_mib']:>9,.0f} {cli['hotspots']:>9,} {ratio:>6.1f}x"
        )
        loaded = cli["wall_s"] + cli["engine_load_s"]
        print(
            f"{n:>10,} {'  + loading the dbscan package':<34} {loaded:>8.2f} "
            f"{'':>9} {'':>9} {loaded / bare['wall_s']:>6.1f}x"
        )
        runs = ", ".join(f"{t:.2f}" for t in cli["all_s"])
        bare_runs = ", ".join(f"{t:.2f}" for t in bare["all_s"])
        print(f"{'':>10} medians of {RUNS} runs each: CLI {runs} s; bare {bare_runs} s")
        print(
            f"{'':>10} CLI start-up (imports) {cli['startup_s']:.2f} s, not counted; "
            f"in-process: read_events {stages['read_s']:.2f} s, find_hotspots "
            f"{stages['find_hotspots_s']:.2f} s {stages['stages']}"
        )
        print(f"{'':>10} writing the store: {built['rows'] / built['write_s']:,.0f} rows/s")
        if previous is not None:
            pn, pw = previous
            print(
                f"{'':>10} growth {pn:,} → {n:,} events: {cli['wall_s'] / pw:.1f}x the time for {n / pn:.0f}x the events"
            )
        previous = (n, cli["wall_s"])


if __name__ == "__main__":
    main()
