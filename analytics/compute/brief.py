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
from analytics.compute.changes import Change, compare_counts
from analytics.compute.evaluation import HotspotEvaluation, evaluate_hotspots
from analytics.query import HotspotQuery
from analytics.station.geo import StationGeography

HEADLINE_SOURCES = ("incident", "suggestion", "complaint")
WEEK = pd.Timedelta(days=7)
YEAR = pd.Timedelta(days=364)  # 52 weeks: the same weekdays


def headline_changes(row) -> tuple[Change, Change, Change | None]:
    """``(vs last week, vs the 4-week mean, vs the same week last year)`` of one headline row.

    ``row`` is a mapping with ``count``, ``previous``, ``mean_4w``, ``last_year`` and
    optionally ``has_last_year`` (default True). The 4-week mean is compared as its
    four weeks' total over an exposure of 4 (:func:`~analytics.compute.changes.compare_counts`);
    without last year the third is None. The brief and the meeting pack both read a
    row's changes here.
    """
    n = int(row.get("count", 0))
    last_week = compare_counts(n, row.get("previous", 0))
    four_weeks = compare_counts(n, round(4 * float(row.get("mean_4w", 0.0))), exposure=4)
    covered = bool(row.get("has_last_year", True))
    last_year = compare_counts(n, row.get("last_year", 0)) if covered else None
    return last_week, four_weeks, last_year


def headline_figures(
    events: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """One row per source: this period against last week, the 4-week mean and last year.

    Counts events inside the station. Columns: ``source``, ``count``, ``previous``,
    ``change_pct``, ``mean_4w``, ``vs_4w_pct``, ``has_last_year``, ``last_year``,
    ``vs_last_year_pct`` (None without last year: a store that begins after that week
    knows nothing of it, so it is unknown, not zero), and what the page shows of them:
    ``change``, ``vs_4w`` and ``vs_last_year``, each an
    :class:`analytics.compute.changes.Change` (the exact test against last week, the
    four weeks before, the same week last year; ``vs_last_year`` None without it). The
    ``*_pct`` columns are the plain arithmetic, never shown: a percentage of small
    counts is noise (:mod:`analytics.compute.changes`).
    """
    ev = events[events["inside_station"].astype(bool)]

    def count(a, b):
        m = (ev["occurred_at"] >= a) & (ev["occurred_at"] < b)
        return ev.loc[m, "source"].value_counts()

    now = count(start, end)
    prev = count(start - WEEK, start)
    four_weeks = count(start - 4 * WEEK, start)
    covered = bool(len(ev)) and ev["occurred_at"].min() < end - YEAR
    last_year = count(start - YEAR, end - YEAR)
    rows = []
    for src in HEADLINE_SOURCES:
        n, before = int(now.get(src, 0)), int(prev.get(src, 0))
        n4, ly = int(four_weeks.get(src, 0)), int(last_year.get(src, 0))
        row = {
            "source": src,
            "count": n,
            "previous": before,
            "change_pct": periods.pct_change(n, before),
            "mean_4w": n4 / 4.0,
            "vs_4w_pct": periods.pct_change(n, n4 / 4.0),
            "has_last_year": covered,
            "last_year": ly,
            "vs_last_year_pct": periods.pct_change(n, ly) if covered else None,
        }
        row["change"], row["vs_4w"], row["vs_last_year"] = headline_changes(row)
        rows.append(row)
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


# Which hotspots the meeting should act on first: the statuses that ask for a change.
_URGENT = {"new": 0, "intensifying": 1}


def action_lines(
    hotspots: pd.DataFrame,
    *,
    lang: str = "ko",
    unit_names: dict[str, str] | None = None,
    most: int = 5,
) -> list[str]:
    """The few hotspots to act on, each as one line: where, which unit, when to patrol, why.

    Chosen from the hotspots that are not chance (``significant``, when the hotspots
    carry the test; :mod:`analytics.compute.significance`): new and intensifying ones
    first, then by rank; at most ``most``.

    Parameters
    ----------
    hotspots : DataFrame
        The view's hotspots (``place``, ``place_en``, ``police_unit``, ``patrol_windows``,
        ``top_categories``, ``status``, ``rank``; optionally ``significant``).
    lang : {'ko', 'en'}
    unit_names : dict, optional
        Unit name → its name in ``lang`` (default: as stored).
    most : int
        How many lines at most (>= 1).
    """
    from analytics.compute.patrol import categories_text
    from analytics.compute.profiles import format_windows, place_in
    from analytics.text import text

    if most < 1:
        raise ValueError(f"most must be >= 1, got {most}")
    if hotspots is None or len(hotspots) == 0:
        return []
    h = hotspots
    if "significant" in h.columns:
        h = h[h["significant"].astype(bool)]
    status = h["status"] if "status" in h.columns else pd.Series("persistent", index=h.index)
    order = status.map(_URGENT).fillna(len(_URGENT))
    h = h.assign(_order=order.to_numpy()).sort_values(["_order", "rank"], kind="stable")
    lines = []
    for row in h.head(most).to_dict("records"):
        unit = row.get("police_unit") or "—"
        windows = format_windows(row.get("patrol_windows"), lang)
        why = [categories_text((row.get("top_categories") or [])[:2], lang)]
        why.append(text(f"status_text.{row.get('status', 'persistent')}", lang))
        lines.append(
            text(
                "brief_action.line" if windows else "brief_action.line_no_window",
                lang,
                place=place_in(row, lang),
                unit=(unit_names or {}).get(unit, unit),
                windows=windows,
                why=" · ".join(w for w in why if w),
            )
        )
    return lines
