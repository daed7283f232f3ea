"""The meeting brief's figures: the headline counts and the accuracy line.

``headline_figures``
    This reporting period per source against the period before, the 4-week mean and
    the same weeks a year (52 weeks) earlier.
``forecast_accuracy``
    Would last month's hotspots have caught this period's incidents? Hotspots of the
    ``train_days`` before the period, scored on the period's incidents
    (:func:`analytics.compute.evaluation.evaluate_hotspots`).
"""

from __future__ import annotations

import pandas as pd

from analytics.compute import hotspots, periods
from analytics.compute.evaluation import HotspotEvaluation, evaluate_hotspots
from analytics.query import HotspotQuery
from analytics.station.geo import StationGeography

HEADLINE_SOURCES = ("incident", "suggestion", "complaint")
WEEK = pd.Timedelta(days=7)
YEAR = pd.Timedelta(days=364)  # 52 weeks: the same weekdays


def headline_figures(
    events: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """One row per source: this period against last week, the 4-week mean and last year.

    Counts events inside the station. Columns: ``source``, ``count``, ``previous``,
    ``change_pct``, ``mean_4w``, ``vs_4w_pct``, ``has_last_year``, ``last_year``,
    ``vs_last_year_pct`` (None without last year: a store that begins after that week
    knows nothing of it, so it is unknown, not zero).
    """
    ev = events[events["inside_station"].astype(bool)]

    def count(a, b):
        m = (ev["occurred_at"] >= a) & (ev["occurred_at"] < b)
        return ev.loc[m, "source"].value_counts()

    now = count(start, end)
    prev = count(start - WEEK, start)
    mean4 = count(start - 4 * WEEK, start) / 4.0
    covered = bool(len(ev)) and ev["occurred_at"].min() < end - YEAR
    last_year = count(start - YEAR, end - YEAR)
    rows = []
    for src in HEADLINE_SOURCES:
        n = int(now.get(src, 0))
        rows.append(
            {
                "source": src,
                "count": n,
                "previous": int(prev.get(src, 0)),
                "change_pct": periods.pct_change(n, int(prev.get(src, 0))),
                "mean_4w": float(mean4.get(src, 0.0)),
                "vs_4w_pct": periods.pct_change(n, float(mean4.get(src, 0.0))),
                "has_last_year": covered,
                "last_year": int(last_year.get(src, 0)),
                "vs_last_year_pct": periods.pct_change(n, int(last_year.get(src, 0)))
                if covered
                else None,
            }
        )
    return pd.DataFrame(rows)


def forecast_accuracy(
    events: pd.DataFrame,
    query: HotspotQuery,
    *,
    geo: StationGeography,
    train_days: int = 28,
) -> HotspotEvaluation | None:
    """Incident hotspots of the ``train_days`` before the query's period, scored on the period.

    Parameters
    ----------
    events : event frame (exact: the score is a sentence, no place leaves with it)
    query : HotspotQuery with a period and its setting (eps_m, min_samples); its
        sources and filters do not apply: the hotspots are the incidents'
    geo : StationGeography
    train_days : int, the days before the period the hotspots are found on

    Returns
    -------
    HotspotEvaluation, or None when there are no events to train on.
    """
    start, end = query.require_period()
    train = events[
        (events["occurred_at"] >= start - pd.Timedelta(days=train_days))
        & (events["occurred_at"] < start)
    ]
    test = events[(events["occurred_at"] >= start) & (events["occurred_at"] < end)]
    if train.empty:
        return None
    incidents = HotspotQuery(
        sources=("incident",),
        eps_m=query.eps_m,
        min_samples=query.min_samples,
        engine=query.engine,
        min_cluster_size=query.min_cluster_size,
    )
    found = hotspots.find_hotspots(train, incidents, geo=geo)
    return evaluate_hotspots(found.hotspots, train, test, boundary_m=geo.boundary_m)
