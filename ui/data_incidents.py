"""Cached loaders and presentation for the 사건·112 (incidents) page.

The loaders take plain values (the store's URL, data version, period bounds and a tuple of
incident category codes, empty for all) and call :mod:`analytics.compute.incidents`. The
presentation helpers turn the results into labelled tables, altair charts and the map.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from analytics.compute import incidents as inc
from analytics.compute.periods import Period
from analytics.presentation import maps
from analytics.station.categories import INCIDENT
from analytics.station.clock import wall_clock, weekday_names
from ui import data
from ui.charts import date_tooltip, time_x
from ui.i18n import number, percent, text
from ui.maps import show_static_map

PERIOD_COLOUR = "#E69F00"
HOLIDAY_COLOUR = "#D55E00"
INCIDENT_COLOUR = "#404040"  # the incident colour of analytics.presentation.maps


# --------------------------------------------------------------------------- filter


def category_options(lang: str) -> dict[str, str]:
    """Incident category code → its label in ``lang``, in catalogue order."""
    return {c.code: c.label_ko if lang == "ko" else c.label_en for c in INCIDENT}


def chosen(categories: tuple[str, ...]) -> tuple[str, ...]:
    """The incident codes among the view's categories (the map page may hold others)."""
    return tuple(c for c in categories if c in inc.CATEGORY_CODES)


def with_incident_categories(categories: tuple[str, ...], picked) -> tuple[str, ...]:
    """The view's categories with its incident codes replaced by ``picked``.

    Codes of the other sources (e.g. a suggestion category picked on the map page)
    are kept, so the incident filter does not undo another page's choice.
    """
    others = tuple(c for c in categories if c not in inc.CATEGORY_CODES)
    return others + tuple(c for c in inc.CATEGORY_CODES if c in set(picked))


# --------------------------------------------------------------------------- loaders


@st.cache_data(show_spinner=False, max_entries=32)
def summary(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp, categories: tuple[str, ...]
) -> dict:
    return inc.summary(
        data.events(db_url, version), period=Period(start, end), categories=categories
    )


@st.cache_data(show_spinner=False, max_entries=16)
def weekly(
    db_url: str, version: str, end: pd.Timestamp, categories: tuple[str, ...]
) -> pd.DataFrame:
    return inc.weekly_by_category(
        data.events(db_url, version), end=end, weeks=inc.DEFAULT_WEEKS, categories=categories
    )


@st.cache_data(show_spinner=False, max_entries=32)
def changes(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp, categories: tuple[str, ...]
) -> pd.DataFrame:
    return inc.category_changes(
        data.events(db_url, version), period=Period(start, end), categories=categories
    )


@st.cache_data(show_spinner=False, max_entries=32)
def matrix(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp, categories: tuple[str, ...]
) -> pd.DataFrame:
    return inc.hour_weekday_matrix(
        data.events(db_url, version), start=start, end=end, categories=categories
    )


@st.cache_data(show_spinner=False, max_entries=32)
def priority(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp, categories: tuple[str, ...]
) -> pd.DataFrame:
    return inc.priority_mix(
        data.events(db_url, version), start=start, end=end, categories=categories
    )


@st.cache_data(show_spinner=False, max_entries=16)
def period_incidents(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp, categories: tuple[str, ...]
) -> pd.DataFrame:
    return inc.select(data.events(db_url, version), start=start, end=end, categories=categories)


# --------------------------------------------------------------------------- presentation


def _naive(ts: pd.Timestamp) -> pd.Timestamp:
    """The station's wall clock without the zone: altair would otherwise show the browser's."""
    return wall_clock(pd.Timestamp(ts))


def trend_chart(weekly_frame: pd.DataFrame, start, end, lang: str):
    """Stacked weekly areas per category, holiday weeks marked, the period shaded."""
    week_col, n_col = text("incidents.week", lang), text("incidents.incidents", lang)
    cat_col, hol_col = text("col.category", lang), text("incidents.holiday", lang)
    labels = category_options(lang)
    codes = [c for c in labels if c in weekly_frame.columns]
    long = weekly_frame.melt(id_vars=["week_start"], value_vars=codes, var_name="code")
    long = pd.DataFrame(
        {
            week_col: [_naive(t) for t in long["week_start"]],
            cat_col: [labels[c] for c in long["code"]],
            n_col: long["value"].to_numpy(),
        }
    )
    names = weekly_frame["holiday" if lang == "ko" else "holiday_en"]
    holidays = pd.DataFrame(
        {
            week_col: [_naive(t) for t in weekly_frame.loc[names != "", "week_start"]],
            hol_col: names[names != ""].to_numpy(),
        }
    )
    band = pd.DataFrame({"start": [_naive(start)], "end": [_naive(end)]})
    area = (
        alt.Chart(long)
        .mark_area(opacity=0.85)
        .encode(
            x=time_x(week_col, title=week_col, lang=lang),
            y=alt.Y(f"{n_col}:Q", stack=True, title=n_col),
            # 11 categories: a 20-colour scheme keeps neighbours apart.
            color=alt.Color(
                f"{cat_col}:N",
                sort=list(labels.values()),
                scale=alt.Scale(scheme="tableau20"),
                title=cat_col,
            ),
            tooltip=[date_tooltip(week_col, title=week_col, lang=lang), cat_col, n_col],
        )
    )
    shade = alt.Chart(band).mark_rect(opacity=0.15, color=PERIOD_COLOUR)
    shade = shade.encode(x="start:T", x2="end:T")
    rules = (
        alt.Chart(holidays)
        .mark_rule(color=HOLIDAY_COLOUR, strokeDash=[3, 3], strokeWidth=2)
        .encode(
            x=f"{week_col}:T",
            tooltip=[date_tooltip(week_col, title=week_col, lang=lang), hol_col],
        )
    )
    return (shade + area + rules).properties(height=320)


def changes_table(table: pd.DataFrame, lang: str, span: str) -> pd.DataFrame:
    """Category, this period, the period before, change, the 4-period mean, vs the mean.

    Changes as :meth:`analytics.compute.changes.Change.delta` words them, ▲/▼ when the
    exact test says they are unlikely to be chance."""
    prev_key = "col.prev" if span == "week" else "incidents.col.prev_28d"
    mean_key = "col.mean4" if span == "week" else "incidents.col.mean_28d"
    return pd.DataFrame(
        {
            text("col.category", lang): (
                table["label_ko"] if lang == "ko" else table["label_en"]
            ).to_numpy(),
            text("col.events", lang): table["count"].to_numpy(),
            text(prev_key, lang): table["previous"].to_numpy(),
            text("col.change", lang): [c.delta(lang, mark=True) for c in table["change"]],
            text(mean_key, lang): [number(v, 1) for v in table["mean_4w"]],
            text("incidents.col.vs_mean", lang): [c.delta(lang, mark=True) for c in table["vs_4w"]],
        }
    )


def heatmap_chart(cells: pd.DataFrame, lang: str):
    """The 7 × 24 matrix as an altair rect heatmap, Monday on top."""
    wd_col, hour_col = text("incidents.weekday", lang), text("incidents.hour", lang)
    n_col = text("incidents.incidents", lang)
    long = cells.stack().reset_index(name="n")
    names = weekday_names(lang)
    frame = pd.DataFrame(
        {
            wd_col: [names[w] for w in long["weekday"]],
            hour_col: long["hour"].to_numpy(),
            n_col: long["n"].to_numpy(),
        }
    )
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X(f"{hour_col}:O", title=hour_col),
            y=alt.Y(f"{wd_col}:N", sort=names, title=None),
            color=alt.Color(f"{n_col}:Q", scale=alt.Scale(scheme="orangered"), title=n_col),
            tooltip=[wd_col, hour_col, n_col],
        )
        .properties(height=230)
    )


def priority_frame(mix: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            text("incidents.priority.code", lang): [
                text(f"incidents.priority.{c}", lang) for c in mix.index
            ],
            text("incidents.incidents", lang): mix["count"].to_numpy(),
            text("incidents.priority.share", lang): [percent(s) for s in mix["share"]],
        }
    )


def priority_chart(mix: pd.DataFrame, lang: str):
    frame = priority_frame(mix, lang)
    code_col, n_col, share_col = frame.columns
    return (
        alt.Chart(frame)
        .mark_bar(color=INCIDENT_COLOUR)
        .encode(
            y=alt.Y(f"{code_col}:N", sort=frame[code_col].tolist(), title=None),
            x=alt.X(f"{n_col}:Q", title=n_col),
            tooltip=[code_col, n_col, share_col],
        )
        .properties(height=230)
    )


def incident_map(rows: pd.DataFrame, *, data_key: tuple, lang: str, height: int = 520) -> None:
    """Heat and clustered points of the period's incidents (analytics.presentation.maps builders).

    ``data_key``: the plain values ``rows`` were loaded with (the map is cached on them).
    """
    show_static_map(
        lambda: build_incident_map(rows, lang=lang),
        cache_key=("incidents", *data_key, lang),
        height=height,
    )


def build_incident_map(rows: pd.DataFrame, *, lang: str):
    geo = data.geography()
    m = maps.base_map(geo, lang=lang)
    if len(rows):
        maps.add_heat(m, rows, source="incident", lang=lang, show=True)
        maps.add_event_points(m, rows, lang=lang, show=True)
    maps.add_landmarks(m, geo.landmarks, lang=lang, show=False)
    maps.add_layer_control(m)
    maps.use_local_assets(m)
    return m
