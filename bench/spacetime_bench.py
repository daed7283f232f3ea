"""Space-time statistics on the synthetic demo year: timings and what they find.

    .venv/bin/python bench/spacetime_bench.py

Builds the demo store in a temporary folder (as `python -m analytics demo` does),
then times, on the year's incidents: the Gi* layer on 200 m cells over the station
(with the binomial and the normal p-values), the 12-week emerging-hot-spot
categories, and the near-repeat Knox test per category (200 m, daily bands to 14
days, 99 permutations). It also drops the demo's weekly and yearly incident counts
at random over the station (complete spatial randomness, seeded) and counts the
cells each kind of p-value calls significant there. Numbers are printed, never
asserted.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.compute.emerging import emerging_hotspots
from analytics.compute.gistar import gi_star_grid, grid_weights, square_grid
from analytics.compute.nearrepeat import near_repeat_table
from analytics.demo.store import build_demo_store
from analytics.station.categories import label
from analytics.station.config import default_station
from analytics.station.geo import load_geography
from analytics.storage import store


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def random_points(boundary, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniformly inside ``boundary`` (rejection sampling, seeded)."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = boundary.bounds
    xs, ys = [], []
    shapely.prepare(boundary)
    while sum(len(x) for x in xs) < n:
        x, y = rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)
        inside = shapely.contains_xy(boundary, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def main() -> None:
    station = default_station()
    geo = load_geography(station)
    area = geo.boundary_m
    with tempfile.TemporaryDirectory() as tmp:
        engine = store.open_store(str(Path(tmp) / "demo.sqlite"))
        build_demo_store(engine, out_dir=Path(tmp) / "samples")
        events, t_read = timed(
            lambda: store.read_events(
                engine, sources=("incident",), columns=("occurred_at", "category", "x", "y")
            )
        )
    x, y = events["x"].to_numpy(float), events["y"].to_numpy(float)
    print(f"demo year: {len(events):,} incidents, read in {t_read:.2f} s")

    _, t_import = timed(lambda: (__import__("esda"), __import__("libpysal.graph")))
    print(f"importing esda and libpysal: {t_import:.2f} s (once per process)")
    grid, t_grid = timed(lambda: square_grid(area, cell_m=200))
    _, t_w = timed(lambda: grid_weights(grid, cell_m=200))
    print(f"grid: {len(grid):,} cells of 200 m in {t_grid:.2f} s; queen weights in {t_w:.2f} s")
    for inference in ("binomial", "normal"):
        cells, t = timed(lambda inf=inference: gi_star_grid(x, y, area=area, inference=inf))
        hot, cold = int((cells["gi_bin"] > 0).sum()), int((cells["gi_bin"] < 0).sum())
        print(f"Gi* year, {inference:<8}: {t:.2f} s; {hot:,} hot cells, {cold:,} cold cells (FDR)")

    end = events["occurred_at"].max().normalize() + pd.Timedelta(days=1)
    found, t_em = timed(
        lambda: emerging_hotspots(x, y, events["occurred_at"], area=area, end=end, weeks=12)
    )
    counts = found.cells["category"].value_counts()
    patterns = ", ".join(f"{c} {n}" for c, n in counts.items() if c != "no_pattern")
    print(f"emerging, 12 weeks to {end - pd.Timedelta(days=1):%Y-%m-%d}: {t_em:.2f} s; {patterns}")

    weekly = round(int(found.counts.sum()) / 12)
    print("complete spatial randomness over the station (cells significant at 90 %+, FDR):")
    for n in (weekly, len(events)):
        rx, ry = random_points(area, n, seed=16)
        for inference in ("binomial", "normal"):
            cells = gi_star_grid(rx, ry, area=area, inference=inference)
            print(
                f"  {n:>6,} random events, {inference:<8}: {int((cells['gi_bin'] != 0).sum()):,} cells"
            )

    table, t_nr = timed(lambda: near_repeat_table(events, permutations=99, seed=0))
    print(f"near-repeat, {len(table)} categories, 99 permutations: {t_nr:.2f} s")
    print(f"  {'category':<22} {'n':>6} {'days':>5} {'obs':>6} {'exp':>8} {'ratio':>6} {'p':>6}")
    for r in table.itertuples():
        print(
            f"  {label('incident', r.category, 'en'):<22} {r.n_events:>6,} {r.days_raised:>5g} "
            f"{r.observed:>6g} {r.expected:>8.1f} {r.ratio:>6.2f} {r.p:>6.3f}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
