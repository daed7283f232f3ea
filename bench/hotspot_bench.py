"""Hotspot engine speed and memory: find_hotspots with profiles vs the bare engines.

Namwon-like clustered points (seeded) in a 30 x 30 km square around the city, at
10k, 100k and 1M events; eps 100 m, min_samples 5. Each measurement runs in its own
process so that its peak memory (max RSS) is its own.

    .venv/bin/python bench/hotspot_bench.py [--sizes 10000,100000,1000000]

Targets: 100k with profiles < 1.5 s; 1M with profiles < 5 s at < 2 GB;
profiles add no more than 1.5x the bare engine's time. The viewer's path (the
privacy rule of analytics.access.privacy: masked clustering frame, hotspots shaped by
non-sensitive events, withholding) costs no more than 1.5x the analyst's.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

EPS_M, MIN_SAMPLES = 100.0, 5
SKLEARN_MAX = 200_000  # scikit-learn keeps every neighbourhood in memory


def make_points(n: int, seed: int = 42) -> np.ndarray:
    """Clustered points around Namwon's centre (EPSG:5179 metres), 30 x 30 km."""
    rng = np.random.default_rng(seed)
    cx, cy = 989_500.0, 1_713_000.0
    k = max(20, n // 500)
    centres = np.column_stack(
        [rng.uniform(cx - 15_000, cx + 15_000, k), rng.uniform(cy - 15_000, cy + 15_000, k)]
    )
    pop = rng.zipf(1.6, k).astype(float)
    pick = rng.choice(k, n, p=pop / pop.sum())
    spread = rng.choice([20.0, 60.0, 150.0], n, p=[0.4, 0.4, 0.2])
    xy = centres[pick] + rng.normal(0, 1, (n, 2)) * spread[:, None]
    background = rng.random(n) < 0.25
    xy[background] = np.column_stack(
        [
            rng.uniform(cx - 15_000, cx + 15_000, background.sum()),
            rng.uniform(cy - 15_000, cy + 15_000, background.sum()),
        ]
    )
    return np.round(xy, 1)  # addresses repeat: exact duplicates, as in police data


def make_events(xy: np.ndarray):
    import pandas as pd

    from analytics.station import clock
    from analytics.storage.schema import conform_events

    n = len(xy)
    rng = np.random.default_rng(1)
    t = pd.Timestamp("2017-01-01", tz=clock.zone()) + pd.to_timedelta(
        rng.integers(0, 365 * 24 * 60, n), "m"
    )
    src = rng.choice(["incident", "complaint", "suggestion"], n, p=[0.9, 0.04, 0.06])
    frame = pd.DataFrame(
        {
            "event_id": [f"inc_{i:016x}" for i in range(n)],
            "source": src,
            "occurred_at": t,
            # About 8% sensitive cases, as in the demo year: they drive the viewer's path.
            "category": rng.choice(
                ["violence", "theft", "drunk", "traffic", "sexual", "domestic"],
                n,
                p=[0.3, 0.3, 0.2, 0.12, 0.04, 0.04],
            ),
            "category_label": rng.choice(["폭력", "절도", "주취·소란", "교통사고"], n),
            "severity": rng.choice(["high", "medium", "low"], n),
            "x": xy[:, 0],
            "y": xy[:, 1],
            "inside_station": True,
            "geocode_score": 1.0,
            "slot_start_hour": np.where(src == "suggestion", 22, None),
            "slot_end_hour": np.where(src == "suggestion", 2, None),
        }
    )
    return conform_events(frame)


def run_one(kind: str, n: int) -> dict:
    xy = make_points(n)
    if kind == "profiles":
        from analytics.compute.hotspots import find_hotspots
        from analytics.station.config import default_station
        from analytics.station.geo import load_geography

        geo = load_geography(default_station())
        events = make_events(xy)
        t0 = time.perf_counter()
        result = find_hotspots(events, geo=geo, eps_m=EPS_M, min_samples=MIN_SAMPLES)
        wall = time.perf_counter() - t0
        extra = {
            "hotspots": len(result.hotspots),
            "engine": result.dbscan_backend,
            "stages": {k: round(v, 3) for k, v in result.timings.items()},
        }
    elif kind == "viewer":
        from analytics.access.privacy import PrivacyRule
        from analytics.compute.hotspots import find_hotspots
        from analytics.query import HotspotQuery
        from analytics.station.config import default_station
        from analytics.station.geo import load_geography

        station = default_station()
        geo = load_geography(station)
        events = make_events(xy)
        rule = PrivacyRule.for_role("viewer", station)
        t0 = time.perf_counter()
        frame = rule.clustering_events(events, geo=geo)
        query, _ = rule.floored(HotspotQuery(eps_m=EPS_M, min_samples=MIN_SAMPLES))
        result = find_hotspots(frame, query, geo=geo)
        shown, withheld = rule.hotspots(result.hotspots, min_samples=query.min_samples)
        wall = time.perf_counter() - t0
        extra = {"hotspots": len(shown), "withheld": len(withheld)}
    elif kind == "dbscan":
        import dbscan

        t0 = time.perf_counter()
        labels, _ = dbscan.DBSCAN(xy, eps=EPS_M, min_samples=MIN_SAMPLES)
        wall = time.perf_counter() - t0
        extra = {"hotspots": int(labels.max()) + 1}
    else:
        from sklearn.cluster import DBSCAN

        t0 = time.perf_counter()
        labels = DBSCAN(eps=EPS_M, min_samples=MIN_SAMPLES, algorithm="kd_tree").fit(xy).labels_
        wall = time.perf_counter() - t0
        extra = {"hotspots": int(labels.max()) + 1}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB
    return {"kind": kind, "n": n, "wall_s": wall, "peak_mib": peak, **extra}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]))))
        return
    print(f"eps {EPS_M:.0f} m, min_samples {MIN_SAMPLES}; each row its own process")
    print(f"{'events':>10} {'run':<22} {'wall s':>8} {'peak MiB':>9} {'hotspots':>9}")
    for n in [int(s) for s in args.sizes.split(",")]:
        rows = {}
        for kind in ("dbscan", "sklearn", "profiles", "viewer"):
            if kind == "sklearn" and n > SKLEARN_MAX:
                print(
                    f"{n:>10,} {'sklearn (bare)':<22} {'skipped: above ' + format(SKLEARN_MAX, ','):>28}"
                )
                continue
            out = subprocess.run(
                [sys.executable, __file__, "--one", kind, str(n)],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            rows[kind] = r
            label = {
                "dbscan": "dbscan pkg (bare)",
                "sklearn": "sklearn (bare)",
                "profiles": "find_hotspots+profiles",
                "viewer": "viewer (privacy rule)",
            }[kind]
            print(
                f"{n:>10,} {label:<22} {r['wall_s']:>8.2f} {r['peak_mib']:>9,.0f} {r['hotspots']:>9,}"
            )
        if "profiles" in rows and "dbscan" in rows:
            stages = rows["profiles"]["stages"]
            whole = rows["profiles"]["wall_s"] / rows["dbscan"]["wall_s"]
            print(
                f"{'':>10} stages {stages}; profile stage / engine stage "
                f"{stages['profile'] / stages['dbscan']:.2f}x; whole call / bare package {whole:.2f}x"
            )
        if "viewer" in rows and "profiles" in rows:
            v = rows["viewer"]
            print(
                f"{'':>10} viewer: {v['withheld']} withheld; viewer / analyst "
                f"{v['wall_s'] / rows['profiles']['wall_s']:.2f}x; viewer / bare package "
                f"{v['wall_s'] / rows['dbscan']['wall_s']:.2f}x"
            )
        if "sklearn" in rows and "dbscan" in rows:
            print(
                f"{'':>10} sklearn / dbscan: {rows['sklearn']['wall_s'] / rows['dbscan']['wall_s']:.2f}x"
            )


if __name__ == "__main__":
    main()
