"""Civil complaints (민원): where each one stood on a given day, how long they take,
which are overdue and with which partner agency.

The traffic section handles about 400 complaints a year with the city hall and other
agencies. A complaint is *received* (``occurred_at``), may be *in progress*, and is
*done* when ``resolved_at`` is set. The store keeps today's ``status``; to read a
past week correctly :func:`status_as_of` rebuilds the status on a given instant from
the dates: a complaint resolved after that instant was still open then.

Every function is pure (no I/O) and works on the event frame of
:mod:`analytics.storage.schema`. Periods are half-open ``[start, end)``; "as of the end of a
period" is the last instant before ``end`` (:func:`last_instant`), so that a
complaint received or resolved at midnight of the meeting day is not counted in the
week before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral

import numpy as np
import pandas as pd

from analytics.access.masking import mask_pii
from analytics.compute.changes import compare_counts
from analytics.compute.periods import Period, pct_change
from analytics.station.categories import COMPLAINT
from analytics.storage.schema import COMPLAINT_STATUSES, aware_timestamp, require_columns

DEFAULT_OVERDUE_DAYS = 14
RECENT_DAYS = 28
# Complaints without a partner agency are grouped under this value, not dropped.
NO_AGENCY = "-"

_DAY = pd.Timedelta(days=1)
_ONE_NS = pd.Timedelta(1, unit="ns")
_NEEDED = ("source", "occurred_at", "inside_station", "status", "resolved_at")


# --------------------------------------------------------------------------- checks


def _window(start, end) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    start = None if start is None else aware_timestamp(start, "start")
    end = None if end is None else aware_timestamp(end, "end")
    if start is not None and end is not None and not start < end:
        raise ValueError(f"start must be before end, got {start} .. {end}")
    return start, end


def _check_days(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return int(value)


def _check_period(period) -> Period:
    if not isinstance(period, Period):
        raise TypeError(
            f"period must be an analytics.compute.periods.Period, got {type(period).__name__}"
        )
    return period


def _mask(values: pd.Series) -> np.ndarray:
    # A copy: arrow-backed columns hand out read-only arrays, and callers use &=.
    return values.to_numpy(dtype=bool, na_value=False).copy()


def last_instant(end) -> pd.Timestamp:
    """The last instant of a half-open period ending at ``end`` (``end`` − 1 ns).

    Pass it as ``as_of`` to read complaints "as of the end of the period": a
    complaint received or resolved exactly at ``end`` (midnight of the meeting day)
    belongs to the next day, as in :mod:`analytics.compute.periods`.
    """
    return aware_timestamp(end, "end") - _ONE_NS


# --------------------------------------------------------------------------- rows


def complaints(events: pd.DataFrame, *, inside_only: bool = True) -> pd.DataFrame:
    """The complaint rows of ``events`` that have a received date.

    Parameters
    ----------
    events : DataFrame
        An event frame.
    inside_only : bool, default True
        Only complaints inside the station, as the meeting brief counts them.

    Returns
    -------
    DataFrame: the matching rows, in their order.
    """
    _check_events(events)
    m = _mask(events["source"] == "complaint") & _mask(events["occurred_at"].notna())
    if inside_only:
        m &= _mask(events["inside_station"])
    return events[m]


def status_as_of(events: pd.DataFrame, *, as_of, inside_only: bool = True) -> pd.DataFrame:
    """Every complaint received by ``as_of``, with its status on that instant.

    Parameters
    ----------
    events : DataFrame
        An event frame; only complaints count.
    as_of : tz-aware Timestamp
        The instant to read (inclusive). For the end of a period pass
        :func:`last_instant` of its end.
    inside_only : bool, default True

    Returns
    -------
    DataFrame
        The complaint rows with ``occurred_at <= as_of`` (received later: excluded),
        in their order, plus

        - ``status_at``: ``'done'`` if ``resolved_at <= as_of``, or if today's
          ``status`` is ``'done'`` and ``resolved_at`` is missing (closed, as
          :func:`analytics.compute.periods.unit_table` counts it); otherwise ``'received'``
          when today's status is ``'received'`` or missing, else ``'in_progress'``
          (a complaint worked on or finished later is taken to have been in
          progress: the store keeps no date for that step);
        - ``is_open``: ``status_at != 'done'``;
        - ``age_days``: whole days from receipt to ``as_of`` (int64, floored).
    """
    as_of = aware_timestamp(as_of, "as_of")
    rows = complaints(events, inside_only=inside_only)
    rows = rows[_mask(rows["occurred_at"] <= as_of)].copy()
    status = rows["status"].astype("string")
    resolved = rows["resolved_at"]
    done = _mask(resolved <= as_of) | (_mask(status == "done") & _mask(resolved.isna()))
    waiting = _mask(status == "received") | _mask(status.isna())
    # Anything else today (in progress, done later, an unknown word) was being worked on.
    rows["status_at"] = np.where(done, "done", np.where(waiting, "received", "in_progress"))
    rows["status_at"] = rows["status_at"].astype("string")
    rows["is_open"] = ~done
    age = (as_of - rows["occurred_at"]) / _DAY
    rows["age_days"] = np.floor(age.to_numpy(dtype=float)).astype("int64")
    return rows


def pipeline_counts(events: pd.DataFrame, *, as_of, inside_only: bool = True) -> pd.Series:
    """How many complaints were received, in progress and done on ``as_of``.

    Returns
    -------
    Series of int64, index ``received``, ``in_progress``, ``done`` (that order),
    over every complaint received by ``as_of`` (:func:`status_as_of`).
    """
    rows = status_as_of(events, as_of=as_of, inside_only=inside_only)
    counts = rows["status_at"].value_counts()
    out = pd.Series(
        [int(counts.get(s, 0)) for s in COMPLAINT_STATUSES],
        index=pd.Index(COMPLAINT_STATUSES, name="status"),
        dtype="int64",
        name="count",
    )
    return out


def received_summary(
    events: pd.DataFrame, *, period: Period, inside_only: bool = True
) -> dict[str, object]:
    """Complaints received and resolved in ``period`` against the period before.

    Returns
    -------
    dict
        ``received`` (``occurred_at`` in the period), ``previous`` (received in
        ``period.previous()``), ``change_pct`` (percent, None when previous is 0),
        ``change`` (:class:`~analytics.compute.changes.Change`: what to show),
        ``resolved`` (``resolved_at`` in the period) and ``open`` (open at the end of
        the period, :func:`status_as_of` at :func:`last_instant`).
    """
    period = _check_period(period)
    rows = complaints(events, inside_only=inside_only)
    now = int(period.contains(rows["occurred_at"]).sum())
    prev = int(period.previous().contains(rows["occurred_at"]).sum())
    resolved = int(period.contains(rows["resolved_at"]).sum())
    at_end = status_as_of(events, as_of=last_instant(period.end), inside_only=inside_only)
    return {
        "received": now,
        "previous": prev,
        "change_pct": pct_change(now, prev),
        "change": compare_counts(now, prev),
        "resolved": resolved,
        "open": int(at_end["is_open"].sum()),
    }


def complaints_in(events: pd.DataFrame, *, start, end, inside_only: bool = True) -> pd.DataFrame:
    """Complaints received in ``[start, end)``, with their status at the end of it.

    Returns
    -------
    DataFrame: :func:`status_as_of` rows (``status_at``, ``is_open``, ``age_days``
    read at :func:`last_instant` of ``end``) received on or after ``start``.
    """
    start, end = _window(start, end)
    rows = status_as_of(events, as_of=last_instant(end), inside_only=inside_only)
    return rows[_mask(rows["occurred_at"] >= start)]


def category_counts(events: pd.DataFrame, *, start, end, inside_only: bool = True) -> pd.DataFrame:
    """Complaints received in ``[start, end)`` per category, most frequent first.

    Returns
    -------
    DataFrame with ``category``, ``label_ko``, ``label_en`` and ``count`` (int64);
    categories without complaints are left out; ties in catalogue order.
    """
    rows = complaints_in(events, start=start, end=end, inside_only=inside_only)
    counts = rows["category"].astype("string").fillna("other").value_counts()
    order = {c.code: i for i, c in enumerate(COMPLAINT)}
    known = {c.code: c for c in COMPLAINT}
    out = pd.DataFrame(
        {
            "category": [str(c) for c in counts.index],
            "count": counts.to_numpy(dtype="int64"),
        }
    )
    out["label_ko"] = [known[c].label_ko if c in known else c for c in out["category"]]
    out["label_en"] = [known[c].label_en if c in known else c for c in out["category"]]
    out["_order"] = [order.get(c, len(order)) for c in out["category"]]
    out = out.sort_values(["count", "_order"], ascending=[False, True], kind="stable")
    return out[["category", "label_ko", "label_en", "count"]].reset_index(drop=True)


# --------------------------------------------------------------------------- time to resolve


def resolution_days(
    events: pd.DataFrame, *, start=None, end=None, inside_only: bool = True
) -> pd.Series:
    """Days from receipt to resolution of the complaints resolved in ``[start, end)``.

    Parameters
    ----------
    events : DataFrame
    start, end : tz-aware Timestamp, optional
        Window on ``resolved_at``; None leaves that side open.
    inside_only : bool, default True

    Returns
    -------
    Series of float64 (days, fractional when times are given), indexed like the
    complaint rows. A resolution dated before its receipt is a data error and is
    left out.
    """
    start, end = _window(start, end)
    rows = complaints(events, inside_only=inside_only)
    m = _mask(rows["resolved_at"].notna())
    if start is not None:
        m &= _mask(rows["resolved_at"] >= start)
    if end is not None:
        m &= _mask(rows["resolved_at"] < end)
    rows = rows[m]
    days = ((rows["resolved_at"] - rows["occurred_at"]) / _DAY).astype("float64")
    return days[days >= 0].rename("days")


def resolution_stats(days: pd.Series) -> dict[str, float | int | None]:
    """Count, median, 90th percentile and mean of days to resolve.

    Percentiles interpolate linearly between values (numpy's default), so
    ``[1, 2, 3, 4, 10]`` gives a median of 3 and a 90th percentile of 7.6.

    Returns
    -------
    dict with ``n`` (int) and ``median``, ``p90``, ``mean`` (float, None when
    ``days`` is empty).
    """
    if not isinstance(days, pd.Series):
        raise TypeError(f"days must be a Series, got {type(days).__name__}")
    values = days.dropna().to_numpy(dtype=float)
    if len(values) == 0:
        return {"n": 0, "median": None, "p90": None, "mean": None}
    return {
        "n": len(values),
        "median": float(np.percentile(values, 50)),
        "p90": float(np.percentile(values, 90)),
        "mean": float(values.mean()),
    }


def resolution_histogram(days: pd.Series, *, bin_days: int = 7, upper: int | None = None):
    """Days to resolve in bins of ``bin_days``: ``[0, 7)``, ``[7, 14)``, ...

    Parameters
    ----------
    days : Series of float
    bin_days : int, default 7
    upper : int, optional
        Cover at least ``[0, upper)``, so that two histograms share their bins.

    Returns
    -------
    DataFrame with ``lo``, ``hi`` (int days, half-open) and ``count`` (int64), one
    row per bin from 0 to the bin holding the largest value (or ``upper``).
    """
    if not isinstance(days, pd.Series):
        raise TypeError(f"days must be a Series, got {type(days).__name__}")
    if isinstance(bin_days, bool) or not isinstance(bin_days, Integral) or bin_days < 1:
        raise ValueError(f"bin_days must be an int >= 1, got {bin_days!r}")
    if upper is not None:
        upper = _check_days(upper, "upper")
    values = days.dropna().to_numpy(dtype=float)
    top = float(values.max()) + 1 if len(values) else 0.0
    top = max(top, float(upper or 0))
    n_bins = max(1, int(np.ceil(top / bin_days)))
    lo = np.arange(n_bins, dtype="int64") * bin_days
    idx = np.floor(values / bin_days).astype("int64")
    counts = np.bincount(idx, minlength=n_bins)[:n_bins] if len(idx) else np.zeros(n_bins)
    return pd.DataFrame({"lo": lo, "hi": lo + bin_days, "count": counts.astype("int64")})


# --------------------------------------------------------------------------- overdue


def overdue(
    events: pd.DataFrame,
    *,
    as_of,
    min_days: int = DEFAULT_OVERDUE_DAYS,
    inside_only: bool = True,
) -> pd.DataFrame:
    """Complaints still open on ``as_of`` that were received at least ``min_days`` ago.

    Parameters
    ----------
    events : DataFrame
    as_of : tz-aware Timestamp
        As in :func:`status_as_of`.
    min_days : int, default 14
        A complaint is overdue when ``age_days >= min_days`` (whole days open).
    inside_only : bool, default True

    Returns
    -------
    DataFrame, oldest first (ties by complaint id)
        ``event_id``, ``complaint_id`` (the record id of the export),
        ``received_at``, ``category``, ``category_label`` (Korean), ``agency``
        (:data:`NO_AGENCY` when missing), ``place`` (as typed), ``police_unit``,
        ``status_at``, ``days_open`` (int64) and ``description`` (PII-masked again:
        it was masked on import, this is a second guard).
    """
    min_days = _check_days(min_days, "min_days")
    rows = status_as_of(events, as_of=as_of, inside_only=inside_only)
    rows = rows[_mask(rows["is_open"]) & (rows["age_days"].to_numpy() >= min_days)]
    out = pd.DataFrame(
        {
            "event_id": rows["event_id"].astype("string"),
            "complaint_id": rows["source_record_id"].astype("string"),
            "received_at": rows["occurred_at"],
            "category": rows["category"].astype("string"),
            "category_label": rows["category_label"].astype("string"),
            "agency": rows["agency"].astype("string").fillna(NO_AGENCY),
            "place": rows["location_text"].astype("string"),
            "police_unit": rows["police_unit"].astype("string"),
            "status_at": rows["status_at"],
            "days_open": rows["age_days"].astype("int64"),
            "description": rows["description"]
            .astype(object)
            .map(lambda v: mask_pii(v) if isinstance(v, str) else None)
            .astype("string"),
        }
    )
    out = out.sort_values(["received_at", "complaint_id"], kind="stable", na_position="last")
    return out.reset_index(drop=True)


def by_agency(
    events: pd.DataFrame,
    *,
    as_of,
    min_days: int = DEFAULT_OVERDUE_DAYS,
    inside_only: bool = True,
) -> pd.DataFrame:
    """Open and overdue complaints per partner agency on ``as_of``.

    Returns
    -------
    DataFrame, one row per agency with an open complaint, most overdue first
    (then most open, then by name): ``agency`` (:data:`NO_AGENCY` when missing),
    ``open``, ``overdue`` (open and ``age_days >= min_days``) and ``oldest_days``
    (age of its oldest open complaint), all int64.
    """
    min_days = _check_days(min_days, "min_days")
    rows = status_as_of(events, as_of=as_of, inside_only=inside_only)
    rows = rows[_mask(rows["is_open"])]
    frame = pd.DataFrame(
        {
            "agency": rows["agency"].astype(object).where(rows["agency"].notna(), NO_AGENCY),
            "age": rows["age_days"].to_numpy(dtype="int64"),
        }
    )
    frame["late"] = frame["age"] >= min_days
    grouped = frame.groupby("agency", sort=True)
    out = pd.DataFrame(
        {
            "open": grouped.size(),
            "overdue": grouped["late"].sum(),
            "oldest_days": grouped["age"].max(),
        }
    )
    out = out.astype("int64").reset_index()
    out["agency"] = out["agency"].astype("string")
    out = out.sort_values(
        ["overdue", "open", "agency"], ascending=[False, False, True], kind="stable"
    )
    return out.reset_index(drop=True)


def _check_events(events, needed: Iterable[str] = _NEEDED) -> pd.DataFrame:
    return require_columns(events, needed)
