"""The dashboard's side of the catalogue: :func:`text` and how numbers and days read.

Every sentence comes from the one catalogue, :mod:`analytics.text` (TOML files under
``analytics/text/``), which the CLI, the maps and the meeting pack also use.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.station.clock import day_label
from analytics.text import LANGS, catalogue, text

__all__ = ["CATALOGUE", "LANGS", "text"]

CATALOGUE: dict[str, dict[str, str]] = catalogue()


def number(n, digits: int = 0) -> str:
    """Thousands separators: 12,345 (and 12,345.6 with digits=1)."""
    if n is None or (isinstance(n, float) and n != n):
        return "—"
    return f"{n:,.{digits}f}"


def percent(share: float | None, digits: int = 0) -> str:
    """0.243 → '24%'."""
    if share is None or share != share:
        return "—"
    return f"{100 * share:.{digits}f}%"


def day(value, lang: str = "ko") -> str:
    """A date on the station's calendar: '2017.10.13(금)' or 'Fri 13 Oct 2017'
    (:func:`analytics.station.clock.day_label`)."""
    return day_label(value, lang)


def day_range(start, end_exclusive, lang: str = "ko") -> str:
    """'2017.10.06(금) ~ 2017.10.12(목)' for a half-open period."""
    last = pd.Timestamp(end_exclusive) - pd.Timedelta(days=1)
    return f"{day(start, lang)} ~ {day(last, lang)}"


def week_option(meeting, lang: str = "ko") -> str:
    """A reporting week by its meeting day: '2017.10.13 회의 · 10.06~10.12'."""
    d = pd.Timestamp(meeting)
    first, last = d - pd.Timedelta(days=7), d - pd.Timedelta(days=1)
    if lang == "ko":
        first_s, last_s = f"{first:%m.%d}", f"{last:%m.%d}"
    else:
        first_s, last_s = f"{first.day} {first:%b}", f"{last.day} {last:%b}"
    # No weekday: the meeting is always on the station's meeting day, and the sidebar is narrow.
    meeting_s = f"{d:%Y.%m.%d}" if lang == "ko" else f"{d.day} {d:%b %Y}"
    return text("frame.week_option", lang, meeting=meeting_s, first=first_s, last=last_s)


def as_date(value) -> dt.date:
    return pd.Timestamp(value).date()
