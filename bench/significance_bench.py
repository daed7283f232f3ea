"""What the chance test costs: a week's and a 28-day view's hotspots on the demo year.

    .venv/bin/python bench/significance_bench.py [--repeat 3] [--simulations 199]

Builds the synthetic demo year (seeded) in a temporary folder, then for the last
reporting week and the 28 days before the same meeting (every source, eps 100 m,
min_samples 5: the station's fixed setting) times, in this process:

- ``find_hotspots`` alone (DBSCAN and the profiles);
- the populated area (:func:`analytics.answer.populated_area`): cold (reading the
  store and caching its cells) and warm (the cells from the store's cache);
- :func:`analytics.compute.significance.add_significance` with the default number of
  simulations, for the default ``density`` statistic and for ``size`` (which runs
  DBSCAN in every simulation);
- the whole :func:`analytics.answer.answer_hotspot_query` as the brief asks it (with
  the 4 weeks of status), which includes the test.

Each timing is repeated; the table shows the fastest run (wall seconds). It prints
numbers and asserts nothing (the machine is shared).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.access.privacy import PrivacyRule  # noqa: E402
from analytics.answer import answer_hotspot_query, populated_area  # noqa: E402
from analytics.compute import significance  # noqa: E402
from analytics.compute.hotspots import INPUT_COLUMNS, find_hotspots  # noqa: E402
from analytics.query import HotspotQuery  # noqa: E402
from analytics.station import clock  # noqa: E402
from analytics.station.config import default_station  # noqa: E402
from analytics.station.geo import load_geography  # noqa: E402
from analytics.storage import store, tables  # noqa: E402

MEETING = "2017-12-29"  # the demo year's last Friday meeting
VIEWS = (("week", 7), ("28 days", 28))


def fastest(fn, repeat: int):
    """``(result, seconds)``: the last result and the fastest of ``repeat`` runs."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def clear_cache(db) -> None:
    with db.begin() as conn:
        conn.execute(tables.tuning_cache.delete())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--simulations", type=int, default=significance.N_SIMULATIONS)
    args = parser.parse_args()

    from analytics.demo.store import build_demo_store

    station = default_station()
    geo = load_geography(station)
    rule = PrivacyRule.for_role("analyst", station)
    with tempfile.TemporaryDirectory() as tmp:
        db = store.open_store(str(Path(tmp) / "demo.sqlite"))
        build_demo_store(db, out_dir=Path(tmp) / "samples")
        n_store = sum(store.source_counts(db).values())
        print(
            f"demo store: {n_store:,} events; {args.simulations} simulations; seed {significance.SEED}"
        )
        end = pd.Timestamp(MEETING, tz=clock.zone())
        head = (
            f"{'view':<8} {'events':>7} {'hotspots':>8} {'signif.':>7} {'find_hotspots':>13} "
            f"{'area cold':>9} {'area warm':>9} {'density':>8} {'size':>8} {'answer':>8}"
        )
        print(head)
        for name, days in VIEWS:
            query = HotspotQuery(
                start=end - pd.Timedelta(days=days), end=end, eps_m=100.0, min_samples=5.0
            )
            events = store.read_events(
                db, start=query.start, end=query.end, columns=INPUT_COLUMNS, by_time=False
            )
            found, t_find = fastest(
                lambda q=query, e=events: find_hotspots(e, q, geo=geo), args.repeat
            )
            hotspot_of = found.hotspot_ids[found.clustered]
            xy = events.loc[hotspot_of.index, ["x", "y"]].to_numpy(dtype=float)

            def area_cold(xy=xy):
                clear_cache(db)
                return populated_area(db, geo=geo, rule=rule, points=xy)

            _, t_cold = fastest(area_cold, args.repeat)
            area, t_warm = fastest(
                lambda xy=xy: populated_area(db, geo=geo, rule=rule, points=xy), args.repeat
            )
            timed = {}
            for statistic in significance.STATISTICS:

                def test(statistic=statistic, found=found, of=hotspot_of, ev=events, area=area):
                    return significance.add_significance(
                        found.hotspots,
                        ev,
                        of,
                        area=area,
                        eps_m=100.0,
                        min_samples=5.0,
                        statistic=statistic,
                        n_simulations=args.simulations,
                    )

                timed[statistic] = fastest(test, args.repeat)
            tested = timed["density"][0]
            answer, t_answer = fastest(
                lambda q=query: answer_hotspot_query(
                    q, db=db, geo=geo, rule=rule, n_simulations=args.simulations
                ),
                args.repeat,
            )
            assert len(answer.shown.current) == len(tested)
            print(
                f"{name:<8} {int(found.clustered.sum()):>7,} {len(tested):>8} "
                f"{int(np.sum(tested['significant'])):>7} {t_find:>12.3f}s {t_cold:>8.3f}s "
                f"{t_warm:>8.3f}s {timed['density'][1]:>7.3f}s {timed['size'][1]:>7.3f}s "
                f"{t_answer:>7.3f}s"
            )
        print(
            "density/size: add_significance with that statistic; answer: answer_hotspot_query "
            "with 4 weeks of status, the test included (area cached)"
        )
        db.dispose()


if __name__ == "__main__":
    main()
