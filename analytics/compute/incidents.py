"""Incidents (112 calls and recorded cases): weekly trends per category, the hour ×
weekday pattern, this period against the last, and the 112 priority-code mix.

Every function is pure (no I/O) and works on the event frame of
:mod:`analytics.storage.schema`. As in :mod:`analytics.compute.periods`, periods are half-open
``[start, end)`` with tz-aware bounds, only incidents inside the station boundary
count by default, and percent changes are in percent (None/NaN when the base is 0).
Hours and weekdays are read in the time zone of the period (the station's).
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral

import numpy as np
import pandas as pd

from analytics.compute.changes import compare_counts
from analytics.compute.periods import Period, holidays_in, pct_change, weekly_counts
from analytics.station.categories import INCIDENT
from analytics.storage.schema import PRIORITY_CODES, aware_timestamp, require_columns

CATEGORY_CODES: tuple[str, ...] = tuple(c.code for c in INCIDENT)
# Calls whose export carries no (or an unknown) priority code.
NO_PRIORITY = "unknown"
DEFAULT_WEEKS = 26
# The "4-week mean" compares with the mean of this many periods before the current one.
BASELINE_PERIODS = 4

_NEEDED = ("source", "occurred_at", "inside_station", "category")


def _check_period(period) -> Period:
    if not isinstance(period, Period):
        raise TypeError(
            f"period must be an analytics.compute.periods.Period, got {type(period).__name__}"
        )
    return period


def check_categories(categories: Iterable[str] | None) -> tuple[str, ...]:
    """Validated incident category codes, in catalogue order; None or empty → all.

    Raises
    ------
    ValueError
        A code that is not an incident category (:data:`analytics.station.categories.INCIDENT`).
    """
    if categories is None:
        return CATEGORY_CODES
    if isinstance(categories, str):
        categories = (categories,)
    chosen = set(categories)
    unknown = sorted(chosen - set(CATEGORY_CODES))
    if unknown:
        raise ValueError(
            f"unknown incident categories {unknown}; expected some of {CATEGORY_CODES}"
        )
    return tuple(c for c in CATEGORY_CODES if c in chosen) or CATEGORY_CODES


def _mask(values: pd.Series) -> np.ndarray:
    # A copy: arrow-backed columns hand out read-only arrays, and callers use &=.
    return values.to_numpy(dtype=bool, na_value=False).copy()


def select(
    events: pd.DataFrame,
    *,
    start=None,
    end=None,
    categories: Iterable[str] | None = None,
    inside_only: bool = True,
) -> pd.DataFrame:
    """The incident rows of ``[start, end)`` in ``categories``.

    Parameters
    ----------
    events : DataFrame
        An event frame.
    start, end : tz-aware Timestamp, optional
        None leaves that side open. Rows without ``occurred_at`` never match a
        bounded window.
    categories : iterable of incident category codes, optional
        None or empty: every category (:func:`check_categories`).
    inside_only : bool, default True
        Only incidents inside the station boundary, as the meeting brief counts.

    Returns
    -------
    DataFrame: the matching rows of ``events``, in their order.
    """
    _check_events(events)
    start = None if start is None else aware_timestamp(start, "start")
    end = None if end is None else aware_timestamp(end, "end")
    if start is not None and end is not None and not start < end:
        raise ValueError(f"start must be before end, got {start} .. {end}")
    cats = check_categories(categories)
    m = _mask(events["source"] == "incident")
    if inside_only:
        m &= _mask(events["inside_station"])
    if cats != CATEGORY_CODES:
        m &= _mask(events["category"].isin(cats))
    if start is not None:
        m &= _mask(events["occurred_at"] >= start)
    if end is not None:
        m &= _mask(events["occurred_at"] < end)
    return events[m]


def count(events: pd.DataFrame, *, period: Period, categories=None) -> int:
    """Incidents in ``period`` (inside the station, in ``categories``)."""
    period = _check_period(period)
    return len(select(events, start=period.start, end=period.end, categories=categories))


def summary(events: pd.DataFrame, *, period: Period, categories=None) -> dict[str, object]:
    """This period's incidents against the period before and the recent mean.

    Returns
    -------
    dict
        ``count``, ``previous`` (``period.previous()``), ``change_pct``,
        ``mean_4w`` (mean count over the :data:`BASELINE_PERIODS` periods of the
        same length before ``period.start``: the 4-week mean for a week) and
        ``vs_4w_pct`` (plain arithmetic), and what to show of them: ``change`` and
        ``vs_4w`` (:class:`~analytics.compute.changes.Change`).
    """
    table = category_changes(events, period=period, categories=categories)
    n = int(table["count"].sum())
    prev = int(table["previous"].sum())
    mean = float(table["mean_4w"].sum())
    return {
        "count": n,
        "previous": prev,
        "change_pct": pct_change(n, prev),
        "mean_4w": mean,
        "vs_4w_pct": pct_change(n, mean),
        "change": compare_counts(n, prev),
        "vs_4w": compare_counts(n, round(mean * BASELINE_PERIODS), exposure=BASELINE_PERIODS),
    }


# --------------------------------------------------------------------------- trends


def _sorted_ns(times: pd.Series) -> np.ndarray:
    ns = pd.DatetimeIndex(times).as_unit("ns").asi8
    return np.sort(ns[ns != np.iinfo(np.int64).min])


def _in(sorted_ns: np.ndarray, start: pd.Timestamp, end: pd.Timestamp) -> int:
    lo, hi = np.searchsorted(sorted_ns, [start.value, end.value], side="left")
    return int(hi - lo)


def weekly_by_category(
    events: pd.DataFrame,
    *,
    end,
    weeks: int = DEFAULT_WEEKS,
    categories=None,
    country: str = "KR",
) -> pd.DataFrame:
    """Incidents per seven-day week and category, for the trend chart.

    Parameters
    ----------
    events : DataFrame
    end : tz-aware Timestamp or Period
        End (exclusive) of the newest week, usually the reporting week's end; a
        Period stands for its ``end``. Weeks as in
        :func:`analytics.compute.periods.weekly_counts`.
    weeks : int, default 26
    categories : iterable of incident category codes, optional
        The category columns (default all, in catalogue order).
    country : str, default "KR"

    Returns
    -------
    DataFrame of shape (weeks, 6 + len(categories))
        Oldest week first: ``week_start``, ``week_end``, ``label`` (Korean),
        ``holiday`` (Korean holiday names of the week joined with ", ", "" when
        none), ``holiday_en``, one int64 column per category code, and ``total``.
    """
    if isinstance(end, Period):
        end = end.end
    end = aware_timestamp(end, "end")
    if isinstance(weeks, bool) or not isinstance(weeks, Integral):
        raise TypeError(f"weeks must be an int, got {weeks!r}")
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    cats = check_categories(categories)
    ev = select(events, categories=cats)
    # periods lays out the weeks and names their holidays; we split the counts.
    frame = weekly_counts(ev, end=end, weeks=int(weeks), sources="incident", country=country)
    out = frame[["week_start", "week_end", "label", "holiday"]].copy()
    out["holiday_en"] = [
        ", ".join(
            dict.fromkeys(name for _, name in holidays_in(Period(s, e), country=country, lang="en"))
        )
        for s, e in zip(out["week_start"], out["week_end"], strict=True)
    ]
    category = ev["category"].astype("string")
    for code in cats:
        ns = _sorted_ns(ev.loc[_mask(category == code), "occurred_at"])
        out[code] = [_in(ns, s, e) for s, e in zip(out["week_start"], out["week_end"], strict=True)]
        out[code] = out[code].astype("int64")
    out["total"] = out[list(cats)].sum(axis=1).astype("int64")
    return out


def hour_weekday_matrix(events: pd.DataFrame, *, start, end, categories=None) -> pd.DataFrame:
    """Incidents of ``[start, end)`` per weekday and hour of day.

    Parameters
    ----------
    events : DataFrame
    start, end : tz-aware Timestamp
        Hours and weekdays are read in ``start``'s time zone.
    categories : iterable of incident category codes, optional

    Returns
    -------
    DataFrame of shape (7, 24), int64
        Index ``weekday`` 0 (Monday) .. 6 (Sunday), columns ``hour`` 0 .. 23:
        ``matrix.loc[4, 22]`` is the incidents on Fridays from 22:00 to 22:59.
    """
    start, end = aware_timestamp(start, "start"), aware_timestamp(end, "end")
    ev = select(events, start=start, end=end, categories=categories)
    local = pd.DatetimeIndex(ev["occurred_at"]).tz_convert(start.tz)
    cells = np.bincount(local.day_of_week * 24 + local.hour, minlength=7 * 24)
    return pd.DataFrame(
        cells.reshape(7, 24).astype("int64"),
        index=pd.RangeIndex(7, name="weekday"),
        columns=pd.RangeIndex(24, name="hour"),
    )


def category_changes(events: pd.DataFrame, *, period: Period, categories=None) -> pd.DataFrame:
    """Each category's count this period against the period before and the recent mean.

    Parameters
    ----------
    events : DataFrame
    period : Period
        Usually the reporting week (or the 28 days ending with it).
    categories : iterable of incident category codes, optional

    Returns
    -------
    DataFrame, one row per category (every chosen category, also with no
    incidents), most incidents first (ties in catalogue order)
        ``category``, ``label_ko``, ``label_en``, ``count``, ``previous`` (int64,
        ``period.previous()``), ``change_pct`` (float percent, NaN when previous is
        0), ``mean_4w`` (mean count over the :data:`BASELINE_PERIODS` periods of the
        same length before ``period.start``) and ``vs_4w_pct`` (plain arithmetic),
        and what to show of them: ``change`` and ``vs_4w``
        (:class:`~analytics.compute.changes.Change`, object columns).
    """
    period = _check_period(period)
    cats = check_categories(categories)
    first = period.start - BASELINE_PERIODS * period.length
    ev = select(events, start=first, end=period.end, categories=cats)
    category = ev["category"].astype("string")
    baseline = Period(first, period.start)
    rows = []
    for order, c in enumerate(INCIDENT):
        if c.code not in cats:
            continue
        ns = _sorted_ns(ev.loc[_mask(category == c.code), "occurred_at"])
        n = _in(ns, period.start, period.end)
        prev = _in(ns, period.previous().start, period.previous().end)
        before = _in(ns, baseline.start, baseline.end)
        mean = before / BASELINE_PERIODS
        rows.append(
            {
                "category": c.code,
                "label_ko": c.label_ko,
                "label_en": c.label_en,
                "count": n,
                "previous": prev,
                "change_pct": pct_change(n, prev),
                "mean_4w": mean,
                "vs_4w_pct": pct_change(n, mean),
                "change": compare_counts(n, prev),
                "vs_4w": compare_counts(n, before, exposure=BASELINE_PERIODS),
                "_order": order,
            }
        )
    out = pd.DataFrame(rows)
    out = out.sort_values(["count", "_order"], ascending=[False, True], kind="stable")
    out = out.drop(columns="_order").reset_index(drop=True)
    for col in ("count", "previous"):
        out[col] = out[col].astype("int64")
    for col in ("change_pct", "vs_4w_pct", "mean_4w"):
        out[col] = out[col].astype("float64")  # None → NaN
    for col in ("category", "label_ko", "label_en"):
        out[col] = out[col].astype("string")
    return out


def priority_mix(events: pd.DataFrame, *, start, end, categories=None) -> pd.DataFrame:
    """The 112 priority codes C0 (most urgent) .. C4 of the incidents of ``[start, end)``.

    Returns
    -------
    DataFrame of shape (6, 2)
        Index ``priority``: ``C0`` .. ``C4`` and :data:`NO_PRIORITY` (recorded cases
        and calls without a code), always all six; columns ``count`` (int64) and
        ``share`` (of all incidents in the window; 0.0 when there are none).
    """
    ev = select(events, start=start, end=end, categories=categories)
    if "priority_code" in ev.columns:
        codes = ev["priority_code"].astype("string").str.strip().str.upper()
        codes = codes.where(codes.isin(PRIORITY_CODES), NO_PRIORITY).fillna(NO_PRIORITY)
    else:
        codes = pd.Series(NO_PRIORITY, index=ev.index)
    counts = codes.value_counts()
    index = [*PRIORITY_CODES, NO_PRIORITY]
    n = np.array([int(counts.get(c, 0)) for c in index], dtype="int64")
    total = int(n.sum())
    return pd.DataFrame(
        {"count": n, "share": n / total if total else np.zeros(len(n))},
        index=pd.Index(index, name="priority"),
    )


def _check_events(events) -> pd.DataFrame:
    return require_columns(events, _NEEDED)
