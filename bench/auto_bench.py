"""'auto' hotspots on a year of repeat addresses: the whole CLI call, cold and warm.

    .venv/bin/python bench/auto_bench.py [--events 50000] [--addresses 14000] [--repeat 3]

Builds (seeded) a store in a temporary folder holding a year of events on about
14k distinct addresses: events sit on their address's rounded point, so the same
coordinates repeat, as in a police export. Then times, each in a fresh process:

- the CLI's own start-up (``python -m analytics --help``);
- ``python -m analytics hotspots`` on the year's last 28 days with a given setting;
- the same call with the station's "auto" setting, cold (the tuning cache emptied
  before each run) and warm (the tuning cached in the store);

and in this process: the tuning alone (:func:`analytics.answer.resolve_query` with
the cache emptied: reading its events and tuning), the bare engine (one plain DBSCAN,
the ``dbscan`` package, of the same 28 days at the tuned setting) and the bare engine
over the tuning grid (a plain DBSCAN of every setting on every training window).
Each timing is repeated; the table shows the fastest and the slowest run, in wall
and CPU seconds (the CPU time of the process: less disturbed than the wall clock on
a shared machine).

Targets (issue 14): the whole "auto" call <= 5 s cold; warm <= 1 s beyond start-up.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.station import clock  # noqa: E402
from analytics.station.config import default_station  # noqa: E402
from analytics.station.geo import load_geography  # noqa: E402
from analytics.storage import connection, store, tables  # noqa: E402
from analytics.storage.schema import conform_events  # noqa: E402

YEAR = 2017
FIRST_DAY, LAST_DAY = "2017-12-01", "2017-12-28"  # the 28 days before Friday 12-29
CATEGORIES = {
    "violence": "폭력",
    "theft": "절도",
    "drunk": "주취·소란",
    "traffic": "교통사고",
    "fraud": "사기",
}


def make_year(geo, *, n_events: int, n_addresses: int, seed: int = 7) -> pd.DataFrame:
    """A year of events (EPSG:5179 metres) on ``n_addresses`` repeat addresses.

    Addresses: two thirds around the station's landmarks (town centres, markets),
    a third scattered over the station; each rounded to the metre. Events: every
    address once, the rest by a heavy-tailed popularity (a few addresses call
    weekly), at times spread over the year with an evening peak.
    """
    rng = np.random.default_rng(seed)
    lm = geo.landmarks
    n_near = 2 * n_addresses // 3
    pick = rng.integers(0, len(lm), n_near)
    spread = rng.choice([40.0, 150.0, 600.0], n_near, p=[0.3, 0.4, 0.3])
    near = np.column_stack([lm["x"].to_numpy()[pick], lm["y"].to_numpy()[pick]])
    near = near + rng.normal(0, 1, (n_near, 2)) * spread[:, None]
    xmin, ymin, xmax, ymax = geo.boundary_m.bounds
    far = np.column_stack(
        [
            rng.uniform(xmin, xmax, n_addresses - n_near),
            rng.uniform(ymin, ymax, n_addresses - n_near),
        ]
    )
    addresses = np.round(np.vstack([near, far]))
    popularity = rng.pareto(1.2, n_addresses) + 1.0
    extra = rng.choice(n_addresses, n_events - n_addresses, p=popularity / popularity.sum())
    at = np.concatenate([np.arange(n_addresses), extra])
    xy = addresses[at]
    minutes = rng.integers(0, 365 * 24 * 60, n_events)
    evening = rng.random(n_events) < 0.4  # an evening peak
    minutes[evening] = (minutes[evening] // 1440) * 1440 + rng.integers(
        19 * 60, 24 * 60, evening.sum()
    )
    t = pd.Timestamp(f"{YEAR}-01-01", tz=clock.zone()) + pd.to_timedelta(minutes, "m")
    src = rng.choice(["incident", "complaint", "suggestion"], n_events, p=[0.9, 0.04, 0.06])
    cat = rng.choice(list(CATEGORIES), n_events)
    township = rng.random(n_events) < 0.03  # placed on a township's centre only
    import shapely

    frame = pd.DataFrame(
        {
            "event_id": [f"{s[:3]}_{i:016x}" for i, s in enumerate(src)],
            "source": src,
            "occurred_at": t,
            "category": cat,
            "category_label": [CATEGORIES[c] for c in cat],
            "severity": rng.choice(["high", "medium", "low"], n_events),
            "x": xy[:, 0],
            "y": xy[:, 1],
            "inside_station": shapely.contains_xy(geo.boundary_m, xy[:, 0], xy[:, 1]),
            "geocode_score": np.where(township, 0.3, 1.0),
            "geocode_method": np.where(township, "gazetteer", "given"),
            "slot_start_hour": np.where(src == "suggestion", 22, None),
            "slot_end_hour": np.where(src == "suggestion", 2, None),
        }
    )
    return conform_events(frame)


def build_store(path: Path, events: pd.DataFrame) -> None:
    """One import batch per source, written as the importer writes it."""
    engine = store.open_store(str(path))
    with connection.write_transaction(engine) as conn:
        for source, part in events.groupby("source", sort=True):
            batch = store.BatchRecord(
                f"bench-{source}",
                source,
                f"{source}.csv",
                "0" * 64,
                None,
                None,
                None,
                len(part),
                0,
                True,
            )
            store.write_batch(conn, batch, part.assign(batch_id=batch.batch_id), [])
    engine.dispose()


def clear_tuning_cache(path: Path) -> None:
    engine = store.open_store(str(path))
    with connection.write_transaction(engine) as conn:
        conn.execute(tables.tuning_cache.delete())
    engine.dispose()


def run_cli(args: list[str]) -> tuple[float, float, str]:
    """``python -m analytics ARGS`` in a fresh process: (wall s, CPU s of the process, stdout)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stdout


def in_process(run) -> tuple[float, float, object]:
    """``run()`` here: (wall s, CPU s of this process, its value)."""
    t0, c0 = time.perf_counter(), time.process_time()
    value = run()
    return time.perf_counter() - t0, time.process_time() - c0, value


def training_windows(events: pd.DataFrame, start: pd.Timestamp, geo) -> list[np.ndarray]:
    """The points the tuning clusters in each of its training windows (incidents)."""
    from analytics.compute.backtest import _weeks, meeting_end_for

    station = geo.station
    end = meeting_end_for(start, station.meeting_weekday)
    train = pd.Timedelta(days=station.train_days)
    clustered = events[
        (events["source"] == "incident")
        & events["inside_station"]
        & (events["geocode_score"] >= 0.5)
    ]
    return [
        np.ascontiguousarray(
            clustered.loc[
                (clustered["occurred_at"] >= ws - train) & (clustered["occurred_at"] < ws),
                ["x", "y"],
            ].to_numpy(float)
        )
        for ws, _ in _weeks(end, station.tune_weeks)
    ]


def bare_grid(windows: list[np.ndarray]) -> int:
    """Plain DBSCAN (the dbscan package, unweighted) of every setting of the tuning grid
    on every training window: the engine work a tuning would repeat. Returns the runs."""
    import dbscan

    from analytics.query import EPS_GRID_M, MIN_SAMPLES_GRID

    for xy in windows:
        for eps in EPS_GRID_M:
            for min_samples in MIN_SAMPLES_GRID:
                dbscan.DBSCAN(xy, eps=float(eps), min_samples=int(min_samples))
    return len(windows) * len(EPS_GRID_M) * len(MIN_SAMPLES_GRID)


@dataclass
class Timing:
    """Wall and CPU seconds of repeated runs."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def cell(self, times: list[float]) -> str:
        lo, hi = min(times), max(times)
        return f"{lo:6.2f}" if len(times) == 1 else f"{lo:6.2f} – {hi:5.2f}"


def timed(repeat: int, run, before=None) -> tuple[Timing, object]:
    """``run`` (returning wall, CPU, value) ``repeat`` times, ``before()`` before each."""
    timing, last = Timing(), None
    for _ in range(repeat):
        if before is not None:
            before()
        wall, cpu, last = run()
        timing.wall.append(wall)
        timing.cpu.append(cpu)
    return timing, last


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--addresses", type=int, default=14_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from analytics.answer import resolve_query
    from analytics.query import HotspotQuery

    station = default_station()
    geo = load_geography(station)
    events = make_year(geo, n_events=args.events, n_addresses=args.addresses)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "year.sqlite"
        build_store(db, events)
        period = ["--from", FIRST_DAY, "--to", LAST_DAY]
        hotspots = ["hotspots", "--db", str(db), *period, "--lang", "en"]
        clear = lambda: clear_tuning_cache(db)  # noqa: E731

        startup, _ = timed(args.repeat, lambda: run_cli(["--help"]))
        cold, out = timed(args.repeat, lambda: run_cli(hotspots), before=clear)
        warm, _ = timed(args.repeat, lambda: run_cli(hotspots))
        setting_line = next(line for line in out.splitlines() if "eps" in line)

        engine = store.open_store(str(db))
        start = pd.Timestamp(FIRST_DAY, tz=clock.zone())
        end = pd.Timestamp(LAST_DAY, tz=clock.zone()) + pd.Timedelta(days=1)
        asked = HotspotQuery(start=start, end=end)
        tune, (resolved, _) = timed(
            args.repeat, lambda: in_process(lambda: resolve_query(asked, db=engine, geo=geo)), clear
        )
        given = ["--eps", f"{resolved.eps_m:g}", "--min-samples", f"{resolved.min_samples:g}"]
        plain, _ = timed(args.repeat, lambda: run_cli([*hotspots, *given]))

        import dbscan

        in_period = events[
            (events["occurred_at"] >= start)
            & (events["occurred_at"] < end)
            & events["inside_station"]
            & (events["geocode_score"] >= 0.5)
        ]
        xy = np.ascontiguousarray(in_period[["x", "y"]].to_numpy(float))
        min_samples = int(np.ceil(resolved.min_samples))
        bare = lambda: dbscan.DBSCAN(xy, eps=resolved.eps_m, min_samples=min_samples)  # noqa: E731
        engine_s, _ = timed(max(args.repeat, 5), lambda: in_process(bare))
        windows = training_windows(events, start, geo)
        grid_s, n_runs = timed(args.repeat, lambda: in_process(lambda: bare_grid(windows)))
        engine.dispose()

    n_addr = len(events[["x", "y"]].drop_duplicates())
    print(
        f"year {YEAR}: {len(events):,} events on {n_addr:,} distinct points; "
        f"28 days {FIRST_DAY}..{LAST_DAY}: {len(xy):,} points clustered"
    )
    print(f"setting: {setting_line.strip()}")
    print(
        f"{'(' + str(args.repeat) + ' runs each: fastest – slowest)':<48} {'wall s':>15} {'CPU s':>15}"
    )
    bare_engine = min(engine_s.wall)
    rows = [
        ("bare engine: dbscan pkg, the 28 days", engine_s),
        (f"bare engine: the tuning grid, {n_runs} DBSCANs", grid_s),
        ("CLI start-up (python -m analytics --help)", startup),
        ("hotspots, given setting (whole CLI call)", plain),
        ("hotspots auto, cold (whole CLI call)", cold),
        ("hotspots auto, warm (whole CLI call)", warm),
        ("tuning alone, cold (resolve_query in process)", tune),
    ]
    for name, t in rows:
        ratio = min(t.wall) / bare_engine
        print(f"{name:<48} {t.cell(t.wall):>15} {t.cell(t.cpu):>15}   {ratio:7.0f}x engine")
    print(
        f"tuning alone / the grid's bare DBSCANs: {min(tune.wall) / min(grid_s.wall):.2f}x wall, "
        f"{min(tune.cpu) / min(grid_s.cpu):.2f}x CPU"
    )
    print(
        f"auto cold: {min(cold.wall):.2f} s wall (target <= 5 s); auto warm beyond start-up: "
        f"{min(warm.wall) - min(startup.wall):.2f} s (target <= 1 s); warm beyond the "
        f"given-setting call: {min(warm.wall) - min(plain.wall):+.2f} s"
    )


if __name__ == "__main__":
    main()
