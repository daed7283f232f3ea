"""Cached loaders for the suggestion-box page, keyed on plain values.

Each one calls :mod:`analytics.compute.suggestions` on the store's events; ``box`` is a box
id or ``None`` for every box.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.compute import suggestions
from analytics.query import HotspotQuery
from ui import data

CELL_M = 500.0  # the next-site grid, metres
DEFAULT_NEXT_SITES = 5  # next-site candidates shown when the link gives no ``top``


@st.cache_data(show_spinner=False, max_entries=4)
def box_ids(db_url: str, version: str) -> list[str]:
    return suggestions.box_ids(data.events(db_url, version), data.box_log(db_url, version))


@st.cache_data(show_spinner=False, max_entries=8)
def box_sites(db_url: str, version: str, end: pd.Timestamp) -> dict[str, str]:
    """Each box's place on the last day before ``end`` (:func:`analytics.storage.boxes.box_sites`)."""
    from analytics.storage.boxes import box_sites as sites_on

    last_day = (end - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    return sites_on(data.box_log(db_url, version), on=last_day)


@st.cache_data(show_spinner=False, max_entries=32)
def summary(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp, box: str | None
) -> dict:
    """Cards this period and the period before (:func:`analytics.compute.suggestions.card_summary`)."""
    return suggestions.card_summary(data.events(db_url, version), start=start, end=end, box_id=box)


@st.cache_data(show_spinner=False, max_entries=16)
def weekly(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp, box: str | None
) -> pd.DataFrame:
    """Cards per reporting week and box over the 52 weeks around the period."""
    year_start, year_end = trend_window(db_url, version, start, end)
    ev = data.events(db_url, version)
    return suggestions.weekly_cards_per_box(
        ev,
        start=year_start,
        end=year_end,
        anchor=end,
        box_id=box,
        boxes=data.box_log(db_url, version),
    )


def trend_window(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[pd.Timestamp, pd.Timestamp]:
    last = data.overview(db_url, version)["end"]
    return suggestions.trend_window(start, end, last_event=last)


@st.cache_data(show_spinner=False, max_entries=32)
def period_cards(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp, box: str | None
) -> pd.DataFrame:
    """The cards of ``[start, end)`` (for the map, the hour and category charts)."""
    return suggestions.cards(data.events(db_url, version), start=start, end=end, box_id=box)


@st.cache_data(show_spinner=False, max_entries=32)
def slot_hours(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp, box: str | None
) -> pd.Series:
    return suggestions.slot_hour_histogram(period_cards(db_url, version, start, end, box))


@st.cache_data(show_spinner=False, max_entries=32)
def categories(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp, box: str | None
) -> pd.DataFrame:
    return suggestions.category_counts(period_cards(db_url, version, start, end, box))


@st.cache_data(show_spinner=False, max_entries=16)
def placements(db_url: str, version: str, end: pd.Timestamp) -> pd.DataFrame:
    """The deployment log up to the period's last day, with cards per placement."""
    return suggestions.placement_cards(
        data.events(db_url, version), data.box_log(db_url, version), on=end - pd.Timedelta(days=1)
    )


def next_site_window(start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    return suggestions.next_site_window(start, end)


@st.cache_data(show_spinner=False, max_entries=16)
def next_sites(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp, top: int, cell_m: float
) -> pd.DataFrame:
    """Where to place a box next, over :func:`next_site_window` of the period."""
    first, last = suggestions.next_site_window(start, end)
    return suggestions.next_box_sites(
        data.events(db_url, version),
        data.box_log(db_url, version),
        geo=data.geography(),
        start=first,
        end=last,
        cell_m=cell_m,
        top=top,
    )


@st.cache_data(show_spinner=False, max_entries=16)
def fear(db_url: str, version: str, query: HotspotQuery):
    """The fear-type hotspots of the view's query (a GeoDataFrame, with CPTED measures)."""
    return suggestions.fear_hotspots(data.hotspots(db_url, version, query).shown.current)


def fear_for(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp, state
) -> pd.DataFrame:
    """:func:`fear` with the hotspot query of the view (``ui.state.ViewState``) over ``[start, end)``."""
    return fear(db_url, version, state.query.with_period(start, end).with_(unit=None))
