"""Reporting periods and "what changed since last week" for the Friday staff meeting.

The 확대간부회의 reviews the seven days that end the night before the meeting. This
module turns "today" into that week, builds the comparison windows around it
(previous period, the same weeks a year earlier, 28 days, year to date) and counts
events in them, station-wide (:func:`compstat_table`), per week
(:func:`weekly_counts`) and per police unit (:func:`unit_table`).

Every period is half-open, ``[start, end)``, with tz-aware bounds (the station's zone,
:func:`analytics.station.clock.zone`, by default),
so that an event at exactly midnight belongs to the day it starts. Counts use only
events inside the station boundary (``inside_station``). Percent changes are in
percent (``12.5`` means +12.5 %) and are ``None``/NaN when the base is zero; they are
the plain arithmetic. What a person reads is the ``change`` columns: an
:class:`analytics.compute.changes.Change` each (a percentage only when the counts allow
it, and the exact test of the two counts).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from numbers import Integral, Real

import holidays
import numpy as np
import pandas as pd

from analytics.compute.changes import compare_counts, format_pct  # noqa: F401 (format_pct: here too)
from analytics.station import clock
from analytics.storage.schema import SOURCES, aware_timestamp, require_columns
from analytics.text import LANGS, text

# Tables list sources largest first, the order the meeting reads them in.
SOURCE_ORDER: tuple[str, ...] = ("incident", "complaint", "suggestion")

# CompStat compares with 52 weeks earlier, not the same calendar dates, so that a
# Friday is compared with a Friday.
LAST_YEAR_DAYS = 364

# The CompStat windows, in the order compstat_table lists them (labels: periods.window.*).
WINDOWS: tuple[str, ...] = ("wtd", "28d", "ytd")

# Spelled out rather than strftime("%b"), which follows the server's locale.
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY = pd.Timedelta(days=1)
_ONE_NS = pd.Timedelta(1, unit="ns")


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return lang


@dataclass(frozen=True)
class Period:
    """A half-open time interval ``[start, end)`` with tz-aware bounds.

    Parameters
    ----------
    start, end : pd.Timestamp
        Tz-aware, ``start < end``. ``end`` is converted to ``start``'s time zone, which
        is the zone labels and calendar days are read in.

    Notes
    -----
    Shifts move wall-clock days (``pd.DateOffset``), so a shifted week still starts
    at midnight; in a zone without daylight saving time (Korea has had none since
    1988) a day is always 24 hours.
    """

    start: pd.Timestamp
    end: pd.Timestamp

    def __post_init__(self) -> None:
        start = aware_timestamp(self.start, "start")
        end = aware_timestamp(self.end, "end").tz_convert(start.tz)
        if end <= start:
            raise ValueError(f"a period must end after it starts: {start} .. {end}")
        # Frozen: normalise the fields once, here.
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def length(self) -> pd.Timedelta:
        """``end - start``."""
        return self.end - self.start

    @property
    def days(self) -> float:
        """Length in days (``7.0`` for a reporting week)."""
        return self.length / _DAY

    @property
    def last_day(self) -> dt.date:
        """The calendar date of the last instant in the period (``end`` is excluded)."""
        return (self.end - _ONE_NS).date()

    def previous(self) -> Period:
        """The period of the same length that ends where this one starts."""
        return Period(self.start - self.length, self.start)

    def shifted(self, *, days: int) -> Period:
        """This period moved by ``days`` calendar days (negative: earlier)."""
        if isinstance(days, bool) or not isinstance(days, Integral):
            raise TypeError(f"days must be an int, got {days!r}")
        offset = pd.DateOffset(days=int(days))
        return Period(self.start + offset, self.end + offset)

    def same_period_last_year(self) -> Period:
        """This period 364 days (52 weeks) earlier, so that weekdays line up (CompStat)."""
        return self.shifted(days=-LAST_YEAR_DAYS)

    def contains(self, ts) -> np.ndarray:
        """Which timestamps fall in ``[start, end)``.

        Parameters
        ----------
        ts : Series, Index or array-like of tz-aware timestamps, shape (n,)
            NaT is never contained.

        Returns
        -------
        ndarray of bool, shape (n,)
        """
        ns = _utc_ns(ts, "ts")
        return (ns >= self.start.value) & (ns < self.end.value)

    def label(self, lang: str = "ko") -> str:
        """The inclusive dates, e.g. ``2017.10.06(금) ~ 10.12(목)`` or ``6–12 Oct 2017``."""
        _check_lang(lang)
        first, last = self.start.date(), self.last_day
        if lang == "ko":
            head = f"{first:%Y.%m.%d}({clock.weekday_name(first.weekday(), 'ko')})"
            if last == first:
                return head
            fmt = "%m.%d" if last.year == first.year else "%Y.%m.%d"
            return f"{head} ~ {last.strftime(fmt)}({clock.weekday_name(last.weekday(), 'ko')})"
        first_month, last_month = _MONTHS_EN[first.month - 1], _MONTHS_EN[last.month - 1]
        end = f"{last.day} {last_month} {last.year}"
        if last == first:
            return end
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{end}"
        if first.year == last.year:
            return f"{first.day} {first_month} – {end}"
        return f"{first.day} {first_month} {first.year} – {end}"


def short_day(day: dt.date, lang: str = "ko") -> str:
    """A day without its year, for a chart's axis: ``12.22`` or ``22 Dec``."""
    _check_lang(lang)
    if lang == "ko":
        return f"{day:%m.%d}"
    return f"{day.day} {_MONTHS_EN[day.month - 1]}"


def _utc_ns(values, name: str) -> np.ndarray:
    """Tz-aware timestamps → int64 nanoseconds since the epoch; NaT → int64 min."""
    try:
        idx = pd.DatetimeIndex(values)
    except (TypeError, ValueError) as exc:
        # Aware timestamps in several zones: fine, as long as none is naive.
        objects = pd.Series(values, dtype=object).dropna()
        if not all(getattr(v, "tzinfo", None) is not None for v in objects):
            raise ValueError(f"{name} must be tz-aware; naive times are ambiguous") from exc
        try:
            idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(values, dtype=object), utc=True))
        except (TypeError, ValueError) as exc2:
            raise TypeError(f"{name} must hold timestamps") from exc2
    if idx.tz is None:
        raise ValueError(f"{name} must be tz-aware; naive times are ambiguous")
    # Any resolution (the store gives microseconds) → ns; NaT stays int64 min, which
    # is below every period start.
    return idx.as_unit("ns").asi8


# --------------------------------------------------------------------------- meeting


def _check_weekday(meeting_weekday) -> int:
    if meeting_weekday is None:
        return clock.meeting_weekday()
    if isinstance(meeting_weekday, bool) or not isinstance(meeting_weekday, Integral):
        raise TypeError(f"meeting_weekday must be an int 0..6, got {meeting_weekday!r}")
    if not 0 <= meeting_weekday <= 6:
        raise ValueError(f"meeting_weekday must be 0 (Mon)..6 (Sun), got {meeting_weekday}")
    return int(meeting_weekday)


def _check_timezone(timezone: str | None) -> str:
    if timezone is None:
        return clock.zone()
    try:
        pd.Timestamp(0).tz_localize(timezone)
    except Exception as exc:  # pytz, zoneinfo and dateutil raise different errors
        raise ValueError(f"unknown time zone {timezone!r}") from exc
    return timezone


def _local_date(today, timezone: str) -> dt.date:
    if isinstance(today, dt.date) and not isinstance(today, dt.datetime):
        return today
    try:
        ts = pd.Timestamp(today)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"today must be a date or a timestamp, got {today!r}") from exc
    if ts is pd.NaT:
        raise ValueError("today must not be NaT")
    # A tz-aware moment is a date only in some zone: the station's.
    return (ts.tz_convert(timezone) if ts.tzinfo is not None else ts).date()


def meeting_date(
    today, *, meeting_weekday: int | None = None, timezone: str | None = None
) -> dt.date:
    """The coming meeting day: ``today`` itself if it is the meeting weekday.

    Parameters
    ----------
    today : date, datetime, pd.Timestamp or ISO text
        Naive values are read as the station's wall-clock date; tz-aware ones are
        converted to ``timezone`` first.
    meeting_weekday : int, optional
        0 = Monday .. 6 = Sunday; by default the station's
        (:func:`analytics.station.clock.meeting_weekday`).
    timezone : str, optional
        An IANA zone; by default the station's (:func:`analytics.station.clock.zone`).
    """
    weekday = _check_weekday(meeting_weekday)
    day = _local_date(today, _check_timezone(timezone))
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def reporting_week(
    today, *, meeting_weekday: int | None = None, timezone: str | None = None
) -> Period:
    """The seven days the coming meeting reviews: they end at 00:00 of the meeting day.

    For a Friday meeting on 2017-10-13 (and for any ``today`` from Saturday 10-07 to
    Friday 10-13) this is ``[2017-10-06 00:00, 2017-10-13 00:00)`` station time. Until the
    meeting day the week is still running, so its last days may be in the future.

    Parameters
    ----------
    today, meeting_weekday, timezone
        As in :func:`meeting_date`.

    Returns
    -------
    Period
        Seven days, bounds at midnight in ``timezone``.
    """
    timezone = _check_timezone(timezone)
    meeting = meeting_date(today, meeting_weekday=meeting_weekday, timezone=timezone)
    end = pd.Timestamp(meeting).tz_localize(timezone)
    return Period(end - pd.DateOffset(days=7), end)


# --------------------------------------------------------------------------- windows


def _check_period(period) -> Period:
    if not isinstance(period, Period):
        raise TypeError(f"period must be a Period, got {type(period).__name__}")
    return period


def week_to_date(period: Period) -> Period:
    """The seven days ending at ``period.end`` (the reporting week itself)."""
    end = _check_period(period).end
    return Period(end - pd.DateOffset(days=7), end)


def rolling_28_days(period: Period) -> Period:
    """The 28 days (four weeks) ending at ``period.end``."""
    end = _check_period(period).end
    return Period(end - pd.DateOffset(days=28), end)


def year_to_date(period: Period) -> Period:
    """From 1 January of the year of the period's last day up to ``period.end``.

    A week ending at 2018-01-01 00:00 gives all of 2017, not an empty period.
    """
    _check_period(period)
    jan1 = pd.Timestamp(dt.date(period.last_day.year, 1, 1)).tz_localize(period.end.tz)
    return Period(jan1, period.end)


# --------------------------------------------------------------------------- percent


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, Real) and math.isnan(value))


def pct_change(current: float, base: float) -> float | None:
    """Percent change from ``base`` to ``current``: ``(current - base) / base * 100``.

    Returns
    -------
    float or None
        ``None`` when ``base`` is 0 or either value is missing: there is no percent
        change from nothing, and the UI prints "—".
    """
    if _is_missing(current) or _is_missing(base) or base == 0:
        return None
    return (float(current) - float(base)) / float(base) * 100.0


# --------------------------------------------------------------------------- events


def _check_sources(sources) -> tuple[str, ...]:
    if sources is None:
        return SOURCES
    if isinstance(sources, str):
        sources = (sources,)
    sources = tuple(sources)
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        raise ValueError(f"unknown sources {unknown}; expected some of {SOURCES}")
    if not sources:
        raise ValueError(f"sources is empty; pass None for all of {SOURCES}")
    return sources


def _check_events(events, needed: Iterable[str]) -> None:
    require_columns(events, needed)


def _flags(series: pd.Series) -> np.ndarray:
    """A possibly nullable boolean column as a plain bool array (NA → False)."""
    return series.fillna(False).to_numpy(dtype=bool)


def _counted(events: pd.DataFrame, sources: tuple[str, ...]) -> tuple[pd.Series, np.ndarray]:
    """Sources and UTC-ns times of the events that count: inside the station, dated."""
    _check_events(events, ("occurred_at", "source", "inside_station"))
    keep = _flags(events["inside_station"]) & _flags(events["source"].isin(sources))
    ns = _utc_ns(events["occurred_at"], "events.occurred_at")[keep]
    src = events["source"][keep].astype(str)
    dated = ns != np.iinfo(np.int64).min
    return src[dated].reset_index(drop=True), ns[dated]


def _count(sorted_ns: np.ndarray, period: Period) -> int:
    lo, hi = np.searchsorted(sorted_ns, [period.start.value, period.end.value], side="left")
    return int(hi - lo)


def compstat_table(events: pd.DataFrame, *, period: Period, sources=None) -> pd.DataFrame:
    """Counts for the week, 28 days and year to date, against two baselines.

    Parameters
    ----------
    events : DataFrame
        An event frame (:mod:`analytics.storage.schema`). Only rows with ``inside_station``
        count; rows without ``occurred_at`` are ignored.
    period : Period
        The reporting week (:func:`reporting_week`); every window ends at its ``end``.
    sources : sequence of {'suggestion', 'complaint', 'incident'} or str, optional
        Count only these sources (default all).

    Returns
    -------
    DataFrame of shape (3, 11)
        Index ``window`` = ``'wtd'``, ``'28d'``, ``'ytd'``. Columns: ``label`` (Korean),
        ``label_en``, ``start``, ``end`` (the window), ``count``, ``previous`` (the
        period of the same length just before), ``change_pct`` (vs previous),
        ``last_year`` (the window 364 days earlier), ``change_vs_last_year_pct``,
        ``change`` and ``change_vs_last_year`` (:class:`~analytics.compute.changes.Change`:
        what to show). Counts are int64; ``*_pct`` are float percent, NaN when the base
        is 0.

    Notes
    -----
    For ``'ytd'`` "previous" is literally the equally long stretch before 1 January
    (e.g. late March .. 31 December); the year-on-year column is the comparison most
    readers want there.
    """
    period = _check_period(period)
    _, ns = _counted(events, _check_sources(sources))
    ns = np.sort(ns)
    rows = []
    for code, window in zip(
        WINDOWS,
        (week_to_date(period), rolling_28_days(period), year_to_date(period)),
        strict=True,
    ):
        count = _count(ns, window)
        previous = _count(ns, window.previous())
        last_year = _count(ns, window.same_period_last_year())
        rows.append(
            {
                "window": code,
                "label": text(f"periods.window.{code}", "ko"),
                "label_en": text(f"periods.window.{code}", "en"),
                "start": window.start,
                "end": window.end,
                "count": count,
                "previous": previous,
                "change_pct": pct_change(count, previous),
                "last_year": last_year,
                "change_vs_last_year_pct": pct_change(count, last_year),
                "change": compare_counts(count, previous),
                "change_vs_last_year": compare_counts(count, last_year),
            }
        )
    out = pd.DataFrame(rows).set_index("window")
    for col in ("count", "previous", "last_year"):
        out[col] = out[col].astype("int64")
    for col in ("change_pct", "change_vs_last_year_pct"):
        out[col] = out[col].astype("float64")  # None → NaN
    return out


# --------------------------------------------------------------------------- holidays


@lru_cache(maxsize=16)
def _holiday_calendar(country: str, lang: str, years: tuple[int, ...]) -> holidays.HolidayBase:
    try:
        probe = holidays.country_holidays(country)
    except NotImplementedError as exc:
        raise ValueError(f"the holidays package has no country {country!r}") from exc
    # "en" → the country's English variant (en_US for KR); otherwise its default.
    language = next(
        (lg for lg in sorted(probe.supported_languages) if lg.split("_")[0] == lang), None
    )
    return holidays.country_holidays(country, years=list(years), language=language)


def holidays_in(
    period: Period, *, country: str = "KR", lang: str = "ko"
) -> list[tuple[dt.date, str]]:
    """Public holidays on the calendar days the period touches.

    Parameters
    ----------
    period : Period
    country : str, default "KR"
        An ISO country code the ``holidays`` package knows.
    lang : {'ko', 'en'}, default 'ko'
        Language of the names (a country without it gives its default language).

    Returns
    -------
    list of (date, name), sorted by date
        One entry per holiday: a day that is two holidays (2017-10-03 was 개천절 and
        추석 전날) appears twice. Substitute and temporary holidays are included.
    """
    _check_period(period)
    _check_lang(lang)
    first, last = period.start.date(), period.last_day
    years = tuple(range(first.year, last.year + 1))
    calendar = _holiday_calendar(country, lang, years)
    out = []
    for day, names in sorted(calendar.items()):
        if first <= day <= last:
            # The package joins two holidays on one day with "; ".
            out.extend((day, name.strip()) for name in names.split(";") if name.strip())
    return out


def period_has_holiday(period: Period, *, country: str = "KR") -> bool:
    """True when any day of the period is a public holiday (see :func:`holidays_in`)."""
    return bool(holidays_in(period, country=country))


def _holiday_names(period: Period, country: str, lang: str) -> str:
    names = dict.fromkeys(name for _, name in holidays_in(period, country=country, lang=lang))
    return ", ".join(names)


# --------------------------------------------------------------------------- trends


def weekly_counts(
    events: pd.DataFrame,
    *,
    end: pd.Timestamp | Period,
    weeks: int = 8,
    sources=None,
    country: str = "KR",
) -> pd.DataFrame:
    """Event counts per week and source, for trend charts.

    Parameters
    ----------
    events : DataFrame
        An event frame; only rows inside the station count.
    end : tz-aware pd.Timestamp or Period
        End (exclusive) of the newest week, usually ``reporting_week(today).end``; a
        Period stands for its ``end``. Weeks are laid out in ``end``'s time zone.
    weeks : int, default 8
        How many seven-day weeks, >= 1.
    sources : sequence of source names or str, optional
        Default all.
    country : str, default "KR"
        For the ``holiday`` columns.

    Returns
    -------
    DataFrame of shape (weeks, 5 + len(sources))
        Oldest week first. ``week_start``, ``week_end`` (tz-aware, half-open),
        ``label`` (Korean, :meth:`Period.label`), one int64 column per source (in the
        order incident, complaint, suggestion), ``total``, and ``holiday``: the
        Korean names of the holidays in that week joined with ", " ("" when none).
    """
    if isinstance(end, Period):
        end = end.end
    end = aware_timestamp(end, "end")
    if isinstance(weeks, bool) or not isinstance(weeks, Integral):
        raise TypeError(f"weeks must be an int, got {weeks!r}")
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    chosen = _check_sources(sources)
    src, ns = _counted(events, chosen)
    columns = [s for s in SOURCE_ORDER if s in chosen]
    sorted_by_source = {s: np.sort(ns[(src == s).to_numpy()]) for s in columns}
    rows = []
    for k in range(int(weeks) - 1, -1, -1):
        week_end = end - pd.DateOffset(days=7 * k)
        week = Period(week_end - pd.DateOffset(days=7), week_end)
        row = {"week_start": week.start, "week_end": week.end, "label": week.label("ko")}
        row.update({s: _count(sorted_by_source[s], week) for s in columns})
        row["total"] = sum(row[s] for s in columns)
        row["holiday"] = _holiday_names(week, country, "ko")
        rows.append(row)
    out = pd.DataFrame(rows)
    for col in [*columns, "total"]:
        out[col] = out[col].astype("int64")
    return out


# --------------------------------------------------------------------------- units


def _unit_counts(
    units: pd.Series, src: pd.Series, ns: np.ndarray, period: Period, names: pd.Index
) -> pd.DataFrame:
    """Events per (unit, source) in ``period``: a (len(names), 3) int frame."""
    inside = (ns >= period.start.value) & (ns < period.end.value)
    counts = pd.crosstab(units[inside], src[inside]) if inside.any() else pd.DataFrame()
    return (
        counts.reindex(index=names, columns=list(SOURCE_ORDER), fill_value=0)
        .fillna(0)
        .astype("int64")
        .rename_axis(columns=None)
    )


def unit_table(
    events: pd.DataFrame, *, period: Period, geo, hotspots: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per police unit: this period against the previous one and recent weeks.

    Parameters
    ----------
    events : DataFrame
        An event frame. Only rows inside the station whose ``police_unit`` is one of
        ``geo``'s units count.
    period : Period
        Usually the reporting week.
    geo : StationGeography
        Its ``police_units`` (column ``unit``) give the rows and their order.
    hotspots : DataFrame or GeoDataFrame, optional
        One row per hotspot with a ``police_unit`` column; None gives 0 everywhere.

    Returns
    -------
    DataFrame of shape (n_units, 16)
        Index ``unit`` (every unit, also those with no events), columns:

        - ``unit_en``
        - ``incident``, ``complaint``, ``suggestion``: counts in ``period``
        - ``incident_prev``, ... : counts in ``period.previous()``
        - ``incident_4w_mean``, ... : mean count per week over the 28 days before
          ``period.start`` (float)
        - ``total``, ``total_prev``, ``change_pct`` (percent, NaN when
          ``total_prev`` is 0) and ``change`` (an :class:`~analytics.compute.changes.Change`
          of the two totals: what to show)
        - ``open_complaints``: complaints received before ``period.end`` that were
          still open then: status not ``'done'``, or resolved on/after ``period.end``.
          A ``'done'`` complaint without ``resolved_at`` counts as closed.
        - ``hotspots``: rows of ``hotspots`` per unit
    """
    period = _check_period(period)
    units_frame = getattr(geo, "police_units", None)
    if units_frame is None or "unit" not in units_frame.columns:
        raise TypeError("geo must be a StationGeography (police_units with a 'unit' column)")
    names = pd.Index(units_frame["unit"].astype(str), name="unit")
    _check_events(events, ("occurred_at", "source", "inside_station", "police_unit"))

    keep = _flags(events["inside_station"]) & _flags(events["police_unit"].isin(names))
    keep &= _flags(events["source"].isin(SOURCES))
    ev = events.loc[keep]
    ns = _utc_ns(ev["occurred_at"], "events.occurred_at")
    unit = ev["police_unit"].astype(str).reset_index(drop=True)
    src = ev["source"].astype(str).reset_index(drop=True)

    now = _unit_counts(unit, src, ns, period, names)
    prev = _unit_counts(unit, src, ns, period.previous(), names)
    four_weeks = Period(period.start - pd.DateOffset(days=28), period.start)
    mean4 = _unit_counts(unit, src, ns, four_weeks, names) / 4.0

    out = pd.DataFrame(index=names)
    out["unit_en"] = (
        units_frame["unit_en"].astype(str).to_numpy()
        if "unit_en" in units_frame.columns
        else names.to_numpy()
    )
    out = out.join(now).join(prev.add_suffix("_prev")).join(mean4.add_suffix("_4w_mean"))
    out["total"] = now.sum(axis=1)
    out["total_prev"] = prev.sum(axis=1)
    out["change_pct"] = [
        pct_change(c, b) for c, b in zip(out["total"], out["total_prev"], strict=True)
    ]
    out["change_pct"] = out["change_pct"].astype("float64")
    out["change"] = [
        compare_counts(c, b) for c, b in zip(out["total"], out["total_prev"], strict=True)
    ]

    # Open at period.end: received by then, and not closed by then. The status is
    # today's, so a complaint done later is recognised by its resolved_at.
    is_complaint = (src == "complaint").to_numpy()
    received = ns < period.end.value
    if "status" in ev.columns:
        not_done = ~_flags(ev["status"].astype("string") == "done")
    else:
        not_done = np.ones(len(ev), dtype=bool)
    if "resolved_at" in ev.columns:
        resolved = _utc_ns(ev["resolved_at"], "events.resolved_at")
        resolved_late = resolved >= period.end.value  # NaT is int64 min: never late
    else:
        resolved_late = np.zeros(len(ev), dtype=bool)
    is_open = is_complaint & received & (not_done | resolved_late)
    out["open_complaints"] = (
        unit[is_open].value_counts().reindex(names, fill_value=0).astype("int64")
    )

    if hotspots is None:
        out["hotspots"] = 0
    else:
        if "police_unit" not in getattr(hotspots, "columns", ()):
            raise ValueError("hotspots must have a 'police_unit' column")
        per_unit = hotspots["police_unit"].dropna().astype(str).value_counts()
        out["hotspots"] = per_unit.reindex(names, fill_value=0)
    out["hotspots"] = out["hotspots"].astype("int64")
    return out
