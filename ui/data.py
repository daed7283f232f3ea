"""Cached loaders keyed on plain values: the store URL, its data version, the view.

Every function here takes plain arguments (strings, numbers, dates, tuples, a frozen
:class:`analytics.query.HotspotQuery`) so Streamlit can cache it, and calls analytics
for the work. The hotspots of a view come from one loader, :func:`hotspots`, keyed on
the view's query; the data version carries the station (``…@namwon``) and the role (a
viewer's ends in :data:`VIEWER_SUFFIX`), so two stations' results, and viewers' and
analysts', never mix.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analytics.answer import HotspotAnswer, answer_hotspot_query, backtest_query, resolve_query
from analytics.compute import brief, periods, spacetime
from analytics.compute.backtest import BacktestResult
from analytics.compute.evaluation import HotspotEvaluation
from analytics.query import HotspotQuery
from analytics.station.config import StationConfig, default_station, station_by_id
from analytics.station.geo import load_geography
from analytics.storage import store

# The store (owned by ui.db): pages reach it as data.store_url() / data.db_for(db_url).
from ui.db import db_for, store_url  # noqa: F401

VIEWER_SUFFIX = ":viewer"
STATION_MARK = "@"


def data_version(db_url: str) -> str:
    """Changes whenever an import lands or is undone (cheap: one small query).

    The version names the session's station (:mod:`ui.stations`), and a viewer's
    carries a suffix, so every cached loader keyed on it keeps stations apart, and
    viewers' (masked) results apart from analysts'.
    """
    from ui.stations import current_station_id

    return versioned(store.data_version(db_for(db_url)), current_station_id(), masked=_masked())


def landing_version(db_url: str) -> str:
    """The data version of a link without parameters, as an analyst opens it: the
    configured station's (what the warm-up fills the caches for)."""
    return versioned(store.data_version(db_for(db_url)), default_station().id)


def versioned(store_version: str, station_id: str, *, masked: bool = False) -> str:
    """The data version of ``station_id``'s rows at ``store_version``, as a role sees them."""
    return f"{store_version}{STATION_MARK}{station_id}" + (VIEWER_SUFFIX if masked else "")


def station_of(version: str) -> StationConfig:
    """The station whose data version this is (:func:`data_version`); a bare store
    version names none and is the configured station's."""
    _, mark, station_id = version.removesuffix(VIEWER_SUFFIX).rpartition(STATION_MARK)
    return station_by_id(station_id) if mark else default_station()


def geography(version: str | None = None):
    """The geography of ``version``'s station (default: the session's station)."""
    if version is None:
        from ui.stations import current_station

        return load_geography(current_station())
    return load_geography(station_of(version))


@st.cache_data(show_spinner=False, max_entries=4)
def _store_events(db_url: str, version: str) -> pd.DataFrame:
    """All of the station's events, exact: for aggregates computed on the server only."""
    return store.read_events(db_for(db_url), station=station_of(version))


def privacy_rule(version: str):
    """The :class:`analytics.access.privacy.PrivacyRule` of the user whose ``version`` this is."""
    from analytics.access.privacy import PrivacyRule

    role = "viewer" if version.endswith(VIEWER_SUFFIX) else "analyst"
    return PrivacyRule.for_role(role, station_of(version))


@st.cache_data(show_spinner=False, max_entries=4)
def _viewer_events(db_url: str, version: str) -> pd.DataFrame:
    return privacy_rule(version).events(_store_events(db_url, version))


@st.cache_data(show_spinner=False, max_entries=4)
def _clustering_events(db_url: str, version: str) -> pd.DataFrame:
    """What a viewer's hotspots are computed from (server-side only; analytics.access.privacy)."""
    return privacy_rule(version).clustering_events(
        _store_events(db_url, version), geo=geography(version)
    )


def _masked() -> bool:
    from ui.auth import is_viewer

    return is_viewer()


def events(db_url: str, version: str) -> pd.DataFrame:
    """All events as the user whose ``version`` this is may see them.

    Viewers get no free text and sensitive cases snapped to a 100 m grid
    (analytics.access.privacy); analysts and admins get the records as stored.
    """
    if version.endswith(VIEWER_SUFFIX):
        return _viewer_events(db_url, version)
    return _store_events(db_url, version)


@st.cache_data(show_spinner=False, max_entries=8)
def overview(db_url: str, version: str) -> dict:
    """Counts per source, the covered period, synthetic flag, import history."""
    db = db_for(db_url)
    ev = events(db_url, version)
    station = station_of(version)
    return {
        "counts": store.source_counts(db, station=station),
        "start": ev["occurred_at"].min() if len(ev) else None,
        "end": ev["occurred_at"].max() if len(ev) else None,
        "synthetic": store.store_is_synthetic(db, station=station),
    }


def default_week(db_url: str, version: str) -> dt.date | None:
    """The meeting day of the latest reporting week that has data.

    On a live store that is the coming meeting; on the 2017 demo it is the
    last week of the demo year.
    """
    from analytics.presentation.week_pack import default_week as latest_week

    info = overview(db_url, version)
    return latest_week(info["end"], meeting_weekday=station_of(version).meeting_weekday)


def hotspots(db_url: str, version: str, query: HotspotQuery) -> HotspotAnswer:
    """The view's hotspots with their week-over-week status and the setting used.

    :func:`analytics.answer.answer_hotspot_query`, cached on the query without its unit
    (hotspots are found station-wide; a page lists its unit's). For a viewer
    (``version`` says so) the privacy rule applies: the setting is raised to the
    viewer floors, hotspots are computed so that no sensitive place shapes them, and
    those resting on sensitive cases alone are withheld.
    """
    return _hotspot_answer(db_url, version, query.with_(unit=None))


@st.cache_data(show_spinner=False, max_entries=32)
def _hotspot_answer(db_url: str, version: str, query: HotspotQuery) -> HotspotAnswer:
    return answer_hotspot_query(
        query,
        db=db_for(db_url),
        geo=geography(version),
        rule=privacy_rule(version),
        events=place_frame(db_url, version),
    )


def privacy_effect(answer: HotspotAnswer, *, unit: str | None = None) -> dict:
    """What :func:`ui.widgets.privacy_note` says about ``answer`` (on a unit's page: its own).

    ``masked`` (a viewer's events), ``withheld`` (how many hotspots), ``raised`` (the
    floors applied) and ``setting`` (the query the hotspots were computed with).
    """
    withheld = answer.shown.withheld
    return {
        "masked": answer.masked,
        "withheld": withheld.count(unit) if unit else len(withheld),
        "raised": answer.shown.raised,
        "setting": answer.query,
    }


def _grid_query(query: HotspotQuery, start=None) -> HotspotQuery:
    """The part of a view the grid statistics depend on: its period (from ``start`` if
    given), sources, categories and event filters; not its unit, DBSCAN setting or weights."""
    return HotspotQuery(
        sources=query.sources,
        categories=query.categories,
        start=query.start if start is None else start,
        end=query.end,
        include_outside=query.include_outside,
        min_geocode_score=query.min_geocode_score,
    )


def _grid_events(db_url: str, version: str) -> pd.DataFrame:
    """The store events a grid statistic of ``version``'s role may count
    (:func:`analytics.compute.spacetime.grid_events`: a viewer's without the sensitive ones)."""
    return spacetime.grid_events(_store_events(db_url, version), privacy_rule(version))


def gi_star_cells(db_url: str, version: str, query: HotspotQuery):
    """The view's hot Gi* cells: :func:`analytics.compute.spacetime.hot_cells` of the events of
    its period, sources and categories, on 200 m cells over the station (for a viewer, without
    the sensitive categories). Cached on those alone: a new DBSCAN setting reuses them."""
    query.require_period()
    return _gi_star_cells(db_url, version, _grid_query(query))


@st.cache_data(show_spinner=False, max_entries=16)
def _gi_star_cells(db_url: str, version: str, query: HotspotQuery):
    geo = geography(version)
    events = spacetime.view_events(_grid_events(db_url, version), query)
    return spacetime.hot_cells(events, area=geo.boundary_m, crs=geo.station.analysis_crs)


def emerging_cells(db_url: str, version: str, query: HotspotQuery):
    """The grid cells with an emerging-hot-spot pattern over the 12 weeks that end with the
    view's period (:func:`analytics.compute.spacetime.emerging_cells`), of the view's sources
    and categories (for a viewer, without the sensitive categories)."""
    _, end = query.require_period()
    start = end - spacetime.EMERGING_WEEKS * spacetime.WEEK
    return _emerging_cells(db_url, version, _grid_query(query, start))


@st.cache_data(show_spinner=False, max_entries=16)
def _emerging_cells(db_url: str, version: str, query: HotspotQuery):
    geo = geography(version)
    events = spacetime.view_events(_grid_events(db_url, version), query)
    return spacetime.emerging_cells(
        events,
        area=geo.boundary_m,
        end=query.end,
        weeks=spacetime.EMERGING_WEEKS,
        crs=geo.station.analysis_crs,
    )


def hotspot_emerging(db_url: str, version: str, query: HotspotQuery) -> dict[str, str]:
    """Hotspot id → its emerging-hot-spot pattern (a code of
    :data:`analytics.compute.emerging.CATEGORIES`), for every current hotspot of the view
    (:func:`analytics.compute.spacetime.hotspot_emerging`)."""
    return _hotspot_emerging(db_url, version, query.with_(unit=None))


@st.cache_data(show_spinner=False, max_entries=32)
def _hotspot_emerging(db_url: str, version: str, query: HotspotQuery) -> dict[str, str]:
    current = hotspots(db_url, version, query).shown.current
    found = spacetime.hotspot_emerging(current, emerging_cells(db_url, version, query))
    return dict(zip(current["hotspot_id"].astype(str), found, strict=True))


def place_frame(db_url: str, version: str) -> pd.DataFrame:
    """The events ``version``'s role's place statistics are computed from, server-side only:
    the store's for an analyst, the privacy rule's clustering frame for a viewer."""
    if privacy_rule(version).masks:
        return _clustering_events(db_url, version)
    return _store_events(db_url, version)


def accuracy(db_url: str, version: str, query: HotspotQuery) -> HotspotEvaluation | None:
    """Hotspots of the 28 days before the query's period, scored on the period's incidents.

    Station-wide whatever the view filters (:meth:`HotspotQuery.station_wide`), with
    the view's setting as resolved for an analyst (:func:`analytics.compute.brief.forecast_accuracy`).
    """
    return _accuracy(db_url, version, query.station_wide())


@st.cache_data(show_spinner=False, max_entries=16)
def _accuracy(db_url: str, version: str, query: HotspotQuery) -> HotspotEvaluation | None:
    geo = geography(version)
    events = _store_events(db_url, version)
    resolved, _ = resolve_query(query, db=db_for(db_url), geo=geo, events=events)
    return brief.forecast_accuracy(events, resolved, geo=geo)


def weekly_accuracy(db_url: str, version: str, query: HotspotQuery) -> BacktestResult | None:
    """The accuracy sentence week by week: the 8 weeks ending at the query's week.

    :func:`analytics.answer.backtest_query`: each week's incident hotspots (with the
    setting a view of that week would have had) scored on its incidents, beside KDE
    and the naive grid at the same area. Station-wide, like :func:`accuracy`; the
    version names the station, so the geography and the events are that station's.
    Only scores leave it, no place.
    """
    return _weekly_accuracy(db_url, version, query.station_wide())


@st.cache_data(show_spinner=False, max_entries=8)
def _weekly_accuracy(db_url: str, version: str, query: HotspotQuery) -> BacktestResult | None:
    return backtest_query(
        query, db=db_for(db_url), geo=geography(version), events=_store_events(db_url, version)
    )


@st.cache_data(show_spinner=False, max_entries=16)
def compstat(db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    return periods.compstat_table(_store_events(db_url, version), period=periods.Period(start, end))


@st.cache_data(show_spinner=False, max_entries=16)
def headline(db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """This week per source against last week, the 4-week mean and the same week last year."""
    return brief.headline_figures(_store_events(db_url, version), start=start, end=end)


@st.cache_data(show_spinner=False, max_entries=16)
def unit_table(
    db_url: str,
    version: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    hotspot_units: tuple[str, ...],
) -> pd.DataFrame:
    """The 18-unit table; ``hotspot_units`` is the unit of each current hotspot."""
    hotspots = pd.DataFrame({"police_unit": list(hotspot_units)})
    return periods.unit_table(
        _store_events(db_url, version),
        period=periods.Period(start, end),
        geo=geography(version),
        hotspots=hotspots,
    )


@st.cache_data(show_spinner=False, max_entries=4)
def holidays(start: pd.Timestamp, end: pd.Timestamp, lang: str) -> list:
    return periods.holidays_in(periods.Period(start, end), lang=lang)


@st.cache_data(show_spinner=False, max_entries=16)
def _period_events(db_url, version, start, end, sources, categories, masked: bool) -> pd.DataFrame:
    ev = _viewer_events(db_url, version) if masked else _store_events(db_url, version)
    if categories:
        ev = ev[ev["category"].isin(categories)]
    m = (ev["occurred_at"] >= start) & (ev["occurred_at"] < end) & ev["source"].isin(sources)
    return ev[m]


def period_events(
    db_url: str,
    version: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    sources: tuple[str, ...],
    categories: tuple[str, ...],
) -> pd.DataFrame:
    """Events of [start, end) of the given sources (and categories), as the user may see them."""
    return _period_events(
        db_url, version, start, end, sources, categories, version.endswith(VIEWER_SUFFIX)
    )


@st.cache_data(show_spinner=False, max_entries=4)
def box_log(db_url: str, version: str) -> pd.DataFrame:
    from analytics.storage.boxes import read_box_log_from_store

    return read_box_log_from_store(db_for(db_url), station=station_of(version))


@st.cache_data(show_spinner=False, max_entries=4)
def facility_layers(db_url: str, version: str) -> pd.DataFrame:
    """The station's CCTV, street lights, emergency bells, children's protection zones
    and women's safe houses (public data; the map's switchable layers), without their
    point geometry (lat/lon and x/y say it)."""
    from analytics.storage.facilities import read_facilities

    layer = read_facilities(db_for(db_url), station=station_of(version))
    return pd.DataFrame(layer.drop(columns="geometry"))


def facility_points(db_url: str, version: str):
    """The station's facility layers as points (GeoDataFrame, EPSG:5179, ``kind``)."""
    import geopandas as gpd

    layer = facility_layers(db_url, version)
    return gpd.GeoDataFrame(
        {"kind": layer["kind"].to_numpy() if len(layer) else []},
        geometry=gpd.points_from_xy(layer["x"], layer["y"]) if len(layer) else [],
        crs="EPSG:5179",
    )


def with_facility_distances(db_url: str, version: str, hotspots):
    """``hotspots`` (polygons in EPSG:5179, as this role receives them) with the nearest
    camera, light and bell and the sites within 50 m
    (:func:`analytics.compute.facilities.with_facility_distances`, as the CLI's files);
    unchanged when the station has no facility layer loaded."""
    from analytics.compute.facilities import with_facility_distances as add

    points = facility_points(db_url, version)
    if points.empty:
        return hotspots
    return add(hotspots, points)


def officer_places(db_url: str, version: str, *, analyst: bool | None = None) -> pd.DataFrame:
    """The officers' own places (빈집, 무인점포 …) as this session's user may receive
    them: an analyst's, and none for a viewer (by the role and by the version's viewer
    suffix, :meth:`analytics.access.privacy.PrivacyRule.officer_places`); without point
    geometry (lat/lon and x/y say it). Keyed on the places' own version too: a place
    added on the map makes no import batch."""
    from analytics.access.identity import role_allows
    from analytics.storage.places import places_version
    from ui.auth import current_role

    # ``analyst``: the warm-up, filling an analyst's caches without a session.
    allowed = role_allows(current_role(), "analyst") if analyst is None else analyst
    analyst = allowed and not version.endswith(VIEWER_SUFFIX)
    key = places_version(db_for(db_url), station=station_of(version))
    return _officer_places(db_url, version, key, "analyst" if analyst else "viewer")


@st.cache_data(show_spinner=False, max_entries=8)
def _officer_places(db_url: str, version: str, places_key: str, role: str) -> pd.DataFrame:
    from analytics.access.privacy import PrivacyRule
    from analytics.storage.places import empty_places, read_places

    station = station_of(version)
    rule = PrivacyRule.for_role(role, station)
    layer = (
        empty_places(station.analysis_crs)
        if rule.masks
        else read_places(db_for(db_url), station=station)
    )
    return pd.DataFrame(rule.officer_places(layer).drop(columns="geometry"))


@st.cache_data(show_spinner=False, max_entries=8)
def kdistance(
    db_url: str,
    version: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    sources: tuple[str, ...],
    min_samples: int,
):
    from analytics.compute.hotspots import suggest_eps

    ev = _store_events(db_url, version)
    m = (ev["occurred_at"] >= start) & (ev["occurred_at"] < end) & ev["source"].isin(sources)
    m &= ev["inside_station"].astype(bool)
    if m.sum() <= min_samples:
        return None
    return suggest_eps(ev[m], min_samples=max(2, int(min_samples)))


def warm_landing(db_url: str) -> list[tuple[str, float]]:
    """Fill the caches behind the meeting brief's default view; return (step, seconds).

    ``python -m ui.serve`` calls this before the server accepts connections, so the
    first visit after start (the Friday meeting) finds its figures ready instead of
    waiting for imports, the store read and five clusterings. It runs the loaders
    with the arguments pages/brief.py passes for a link without parameters, as an
    analyst sees it; other views fill the caches as they are opened.
    """
    import importlib
    import pkgutil
    import time

    import analytics
    from ui.state import ViewState

    timings: list[tuple[str, float]] = []
    t0 = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal t0
        now = time.perf_counter()
        timings.append((step, now - t0))
        t0 = now

    # The heavy imports of every page: analytics never imports Streamlit, so all of it
    # is safe here. Not the ui modules: a page's custom component (ui.maps) registers with
    # the server only when imported inside a running app.
    for module in pkgutil.iter_modules(analytics.__path__, "analytics."):
        importlib.import_module(module.name)
    import folium  # noqa: F401

    lap("imports")
    version = landing_version(db_url)
    week = default_week(db_url, version)
    lap("store")
    if week is None:
        return timings
    state = ViewState(week=week)
    start, end = state.query.require_period()
    holidays(start, end, state.lang)
    headline(db_url, version, start, end)
    answer = hotspots(db_url, version, state.query)
    lap("hotspots")
    hotspot_emerging(db_url, version, state.query)
    lap("emerging hot spots")
    accuracy(db_url, version, state.query)
    current = answer.shown.current
    unit_table(db_url, version, start, end, tuple(current["police_unit"].dropna()))
    lap("accuracy and units")
    from analytics.presentation import maps

    m = maps.base_map(geography(version), lang=state.lang)
    maps.add_hotspots(m, current.head(10), lang=state.lang)
    maps.add_landmarks(m, geography(version).landmarks, lang=state.lang)
    maps.use_local_assets(m)
    m.get_root().render()  # compiles folium's templates once
    lap("map")
    return timings
