"""The station's clock: its time zone, its meeting day, its weekday names.

The zone comes from ``data/station.toml`` (``[station] timezone``) and nowhere else:
every module that needs local time asks here instead of naming a zone. Times in
the store and in event frames are tz-aware in this zone; "wall clock" values (for
a spreadsheet cell, a date picker) are the same instants with the zone dropped.
"""

from __future__ import annotations

import pandas as pd

from analytics.station.config import default_station
from analytics.text import text


def zone() -> str:
    """The station's IANA time zone name (``[station] timezone``)."""
    return default_station().timezone


def datetime_dtype() -> pd.DatetimeTZDtype:
    """The dtype of every time column of an event frame: nanoseconds in the station's zone."""
    return pd.DatetimeTZDtype("ns", zone())


def now() -> pd.Timestamp:
    """This instant on the station's clock."""
    return pd.Timestamp.now(tz=zone())


def today() -> pd.Timestamp:
    """Midnight at the start of today, station time."""
    return now().normalize()


def local(value):
    """A timestamp (or Series, or DatetimeIndex) on the station's clock.

    Aware values are converted; naive values are read as station wall-clock time.
    """
    if isinstance(value, pd.Series):
        if value.dt.tz is None:
            return value.dt.tz_localize(zone())
        return value.dt.tz_convert(zone())
    if isinstance(value, pd.DatetimeIndex):
        return value.tz_localize(zone()) if value.tz is None else value.tz_convert(zone())
    ts = pd.Timestamp(value)
    return ts.tz_localize(zone()) if ts.tzinfo is None else ts.tz_convert(zone())


def wall_clock(value):
    """The station's wall-clock reading of ``value``, without a zone (for spreadsheets)."""
    converted = local(value)
    if isinstance(converted, pd.Series):
        return converted.dt.tz_localize(None)
    return converted.tz_localize(None)


def meeting_weekday() -> int:
    """The weekday of the Friday staff meeting, 0 = Monday (``[meeting] weekday``)."""
    return default_station().meeting_weekday


def weekday_name(index: int, lang: str = "ko") -> str:
    """'월' … '일' or 'Mon' … 'Sun' for 0 = Monday … 6 = Sunday."""
    return text(f"weekday.{int(index)}", lang)


def weekday_names(lang: str = "ko") -> list[str]:
    """The seven weekday names from Monday, in ``lang``."""
    return [weekday_name(i, lang) for i in range(7)]


def day_label(value, lang: str = "ko") -> str:
    """A date on the station's calendar: '2017.10.13(금)' or 'Fri 13 Oct 2017' ('—' for none).

    A tz-aware value is converted to the station's zone first; a naive one is its date.
    """
    if value is None or value is pd.NaT:
        return "—"
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = local(ts)
    d = ts.date()
    if lang == "ko":
        return f"{d:%Y.%m.%d}({weekday_name(d.weekday(), 'ko')})"
    return f"{weekday_name(d.weekday(), 'en')} {d.day} {d:%b %Y}"
