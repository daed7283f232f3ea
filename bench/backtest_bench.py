"""Backtest and tuning speed on the synthetic demo year, and its accuracy table.

    .venv/bin/python bench/backtest_bench.py

Builds the demo store in a temporary folder (as `python -m analytics demo` does),
then times: tuning over the grid (9 eps x 6 min_samples x 8 weeks), the cached
second call, and one 8-week backtest. Prints peak RSS and the mean PAI and PEI of
the tuned setting, of eps 100 m / min 5, and of both baselines.
Targets: tuning < 10 s (cached afterwards), an 8-week backtest < 2 s.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.answer import resolve_query
from analytics.compute.backtest import backtest, tune_hotspot_parameters
from analytics.demo.store import build_demo_store
from analytics.query import HotspotQuery
from analytics.station.config import default_station
from analytics.station.geo import load_geography
from analytics.storage import store


def main() -> None:
    station = default_station()
    geo = load_geography(station)
    with tempfile.TemporaryDirectory() as tmp:
        engine = store.open_store(str(Path(tmp) / "demo.sqlite"))
        build_demo_store(engine, out_dir=Path(tmp) / "samples")
        events = store.read_events(engine)

        t0 = time.perf_counter()
        tuned = tune_hotspot_parameters(events, geo=geo, area_budget_km2=station.area_budget_km2)
        t_tune = time.perf_counter() - t0
        resolve_query(HotspotQuery(), db=engine, geo=geo)  # fills the cache
        t0 = time.perf_counter()
        cached, _ = resolve_query(HotspotQuery(), db=engine, geo=geo)
        t_cached = time.perf_counter() - t0

        t0 = time.perf_counter()
        auto = backtest(events, geo=geo, eps_m=tuned.eps_m, min_samples=tuned.min_samples)
        t_bt = time.perf_counter() - t0
        fixed = backtest(events, geo=geo, eps_m=100, min_samples=5)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n_settings = len(tuned.grid)
    print(f"demo year: {len(events):,} events; weeks ending {auto.end:%Y-%m-%d}, train 28 days")
    print(f"tuning: {n_settings} settings x {tuned.weeks} weeks in {t_tune:.2f} s (target < 10 s)")
    print(
        f"tuning, cached (resolve_query): {1000 * t_cached:.0f} ms -> eps {cached.eps_m:g}, min {cached.min_samples:g}"
    )
    print(f"8-week backtest: {t_bt:.2f} s (target < 2 s)")
    print(f"peak RSS: {peak:,.0f} MiB")
    print(tuned.sentence("ko"))
    print(f"{'':<28} {'area km2':>9} {'hit':>6} {'PAI':>7} {'PEI':>6}")
    rows = [
        (f"DBSCAN tuned ({tuned.eps_m:g} m / {tuned.min_samples:g})", auto.means.loc["dbscan"]),
        ("  KDE at the same area", auto.means.loc["kde"]),
        ("  top grid cells, same area", auto.means.loc["grid"]),
        ("DBSCAN 100 m / 5", fixed.means.loc["dbscan"]),
        ("  KDE at the same area", fixed.means.loc["kde"]),
        ("  top grid cells, same area", fixed.means.loc["grid"]),
    ]
    for name, r in rows:
        print(f"{name:<28} {r.area_km2:>9.3f} {r.hit_rate:>6.3f} {r.pai:>7.1f} {r.pei:>6.3f}")


if __name__ == "__main__":
    main()
