"""What the map page's accuracy chart costs: the 8-week backtest of a view on the demo year.

    .venv/bin/python bench/accuracy_bench.py [--repeat 3]

Builds the synthetic demo year (seeded) in a temporary folder, then for the view of
the last reporting week ("auto" setting, as a link without parameters asks) times, in
this process:

- :func:`analytics.answer.backtest_query` cold: no tuning of the 8 weeks cached in the
  store yet (one tuning per week, each then cached), the study grid not yet built;
- the same again: the 8 tunings read from the store's cache, the grid cached in the
  process (what a second view of another week mostly costs);
- the backtest alone (:func:`analytics.compute.backtest.backtest` with the 8 settings);
- :func:`analytics.compute.brief.forecast_accuracy` (the accuracy sentence, one week)
  for scale.

The page itself reads :func:`ui.data.weekly_accuracy`, which keeps the result in
``st.cache_data``: a page run after the first costs a cache lookup (the map page's
warm-up, :func:`ui.warm.map_page`, fills it before the first visit). Each timing after
the cold one is repeated and the fastest run is shown (wall seconds). It prints numbers
and asserts nothing (the machine is shared).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.answer import backtest_query, resolve_query  # noqa: E402
from analytics.compute.backtest import backtest, last_complete_week_end  # noqa: E402
from analytics.compute.brief import forecast_accuracy  # noqa: E402
from analytics.demo.store import build_demo_store  # noqa: E402
from analytics.query import HotspotQuery  # noqa: E402
from analytics.station.config import default_station  # noqa: E402
from analytics.station.geo import load_geography  # noqa: E402
from analytics.storage import store  # noqa: E402


def timed(work, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = work()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    station = default_station()
    geo = load_geography(station)
    with tempfile.TemporaryDirectory() as tmp:
        db = store.open_store(str(Path(tmp) / "demo.sqlite"))
        build_demo_store(db, out_dir=Path(tmp) / "samples")
        events = store.read_events(db, station=station)
        end = last_complete_week_end(events, meeting_weekday=station.meeting_weekday)
        view = HotspotQuery(start=end - pd.Timedelta(days=7), end=end)

        def run():
            return backtest_query(view, db=db, geo=geo, events=events)

        cold, result = timed(run, 1)
        warm, result = timed(run, args.repeat)
        settings = list(
            zip(
                result.weeks.loc[result.weeks["method"] == "dbscan", "eps_m"],
                result.weeks.loc[result.weeks["method"] == "dbscan", "min_samples"],
                strict=True,
            )
        )
        alone, _ = timed(
            lambda: backtest(
                events,
                geo=geo,
                eps_m=settings[-1][0],
                min_samples=settings[-1][1],
                end=end,
                settings=settings,
            ),
            args.repeat,
        )
        resolved, _ = resolve_query(view, db=db, geo=geo, events=events)
        sentence, _ = timed(lambda: forecast_accuracy(events, resolved, geo=geo), args.repeat)
        db.dispose()
    print(f"demo year: {len(events):,} events; 8 weeks ending {end:%Y-%m-%d}")
    print(f"backtest_query, cold (8 tunings, grid):      {cold:6.2f} s")
    print(f"backtest_query, tunings cached in the store: {warm:6.2f} s")
    print(f"  of which the backtest (3 methods x 8 weeks): {alone:6.2f} s")
    print(f"accuracy sentence (one week, for scale):     {sentence:6.2f} s")
    print("weekly settings:", ", ".join(f"{e:g}/{m:g}" for e, m in settings))
    print(result.means.round(3).to_string())


if __name__ == "__main__":
    main()
