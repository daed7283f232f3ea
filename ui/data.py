"""Cached loaders keyed on plain values: the store URL, its data version, the view.

Every function here takes plain arguments (strings, numbers, dates, tuples) so
Streamlit can cache it, and calls analytics for the work.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from analytics.compute import periods
from analytics.station.config import default_station, resolve_db_url
from analytics.station.geo import load_geography
from analytics.storage import store

KST = "Asia/Seoul"


def store_url() -> str:
    return resolve_db_url(None)


@st.cache_resource
def engine_for(url: str) -> sa.Engine:
    return store.open_store(url)


VIEWER_SUFFIX = ":viewer"


def data_version(url: str) -> str:
    """Changes whenever an import lands or is undone (cheap: one small query).

    A viewer's version carries a suffix, so every cached loader keyed on it keeps
    viewers' (masked) results apart from analysts'.
    """
    return store.data_version(engine_for(url)) + (VIEWER_SUFFIX if _masked() else "")


def geography():
    return load_geography(default_station())


@st.cache_data(show_spinner=False, max_entries=4)
def _store_events(url: str, version: str) -> pd.DataFrame:
    """All events in the store, exact: for aggregates computed on the server only."""
    return store.read_events(engine_for(url))


def privacy_rule(version: str):
    """The :class:`analytics.access.privacy.PrivacyRule` of the user whose ``version`` this is."""
    from analytics.access.privacy import PrivacyRule

    role = "viewer" if version.endswith(VIEWER_SUFFIX) else "analyst"
    return PrivacyRule.for_role(role, default_station())


@st.cache_data(show_spinner=False, max_entries=4)
def _viewer_events(url: str, version: str) -> pd.DataFrame:
    return privacy_rule(version).events(_store_events(url, version))


@st.cache_data(show_spinner=False, max_entries=4)
def _clustering_events(url: str, version: str) -> pd.DataFrame:
    """What a viewer's hotspots are computed from (server-side only; analytics.access.privacy)."""
    return privacy_rule(version).clustering_events(_store_events(url, version), geo=geography())


def _masked() -> bool:
    from ui.auth import is_viewer

    return is_viewer()


def events(url: str, version: str) -> pd.DataFrame:
    """All events as the user whose ``version`` this is may see them.

    Viewers get no free text and sensitive cases snapped to a 100 m grid
    (analytics.access.privacy); analysts and admins get the records as stored.
    """
    if version.endswith(VIEWER_SUFFIX):
        return _viewer_events(url, version)
    return _store_events(url, version)


@st.cache_data(show_spinner=False, max_entries=8)
def overview(url: str, version: str) -> dict:
    """Counts per source, the covered period, synthetic flag, import history."""
    engine = engine_for(url)
    ev = events(url, version)
    return {
        "counts": store.source_counts(engine),
        "start": ev["occurred_at"].min() if len(ev) else None,
        "end": ev["occurred_at"].max() if len(ev) else None,
        "synthetic": store.store_is_synthetic(engine),
    }


def default_week(url: str, version: str) -> dt.date | None:
    """The meeting day of the latest reporting week that has data.

    On a live store that is the coming meeting; on the 2017 demo it is the
    last week of the demo year.
    """
    info = overview(url, version)
    if info["end"] is None:
        return None
    from analytics.compute.backtest import _meeting_end_for

    station = default_station()
    today = pd.Timestamp.now(tz=KST).normalize()
    after_last = info["end"].tz_convert(KST).normalize() + pd.Timedelta(days=1)
    if after_last >= today:  # live data: the coming meeting
        return periods.meeting_date(today.date(), meeting_weekday=station.meeting_weekday)
    # Old data (the demo year): its last complete reporting week.
    return _meeting_end_for(after_last, station.meeting_weekday).date()


def period_for(week: dt.date, span: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[start, end) for the reporting week ending the day before ``week``."""
    end = pd.Timestamp(week, tz=KST)
    days = 28 if span == "28d" else 7
    return end - pd.Timedelta(days=days), end


def _filtered(url: str, version: str, categories: tuple[str, ...]) -> pd.DataFrame:
    masked = version.endswith(VIEWER_SUFFIX)
    ev = _clustering_events(url, version) if masked else _store_events(url, version)
    if categories:
        ev = ev[ev["category"].isin(categories)]
    return ev


@st.cache_data(show_spinner=False, max_entries=32)
def hotspot_view(
    url: str,
    version: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    sources: tuple[str, ...],
    weights: tuple[tuple[str, float], ...],
    categories: tuple[str, ...],
    eps: float | None,
    min_samples: float | None,
) -> dict:
    """Hotspots of [start, end) with their week-over-week status and the setting used.

    For a viewer (``version`` says so) the privacy rule applies: the parameters are
    raised to the viewer floors (``raised``), hotspots are computed so that no
    sensitive place shapes them, and those resting on sensitive cases alone are
    withheld (``withheld`` counts them).
    """
    from analytics.access.privacy import shown_hotspots
    from analytics.compute.backtest import HotspotSetting, resolve_setting

    geo = geography()
    setting = resolve_setting(
        engine_for(url), geo=geo, end=start, eps_m=eps, min_samples=min_samples
    )
    shown = shown_hotspots(
        privacy_rule(version),
        _filtered(url, version, categories),
        geo=geo,
        start=start,
        end=end,
        eps_m=setting.eps_m,
        min_samples=setting.min_samples,
        sources=sources,
        weights=dict(weights),
    )
    if shown.raised:
        setting = HotspotSetting.of_values(shown.eps_m, shown.min_samples, setting.how)
    return {
        "hotspots": shown.current,
        "gone": shown.gone,
        "setting": setting,
        "engine": shown.engine,
        "n_clustered": shown.n_clustered,
        "n_in_hotspots": int(shown.event_hotspot.notna().sum()),
        "event_hotspot": shown.event_hotspot,
        "withheld": len(shown.withheld),
        "withheld_units": shown.withheld,
        "raised": shown.raised,
        "masked": privacy_rule(version).masks,
    }


def view_settings(state) -> tuple:
    """The hotspot arguments of a ``ui.state.ViewState``, in :func:`hotspot_view`'s order."""
    return (
        state.sources,
        state.weights,
        state.categories,
        state.eps,
        state.min_samples,
    )


def hotspots_of_view(url: str, version: str, start: pd.Timestamp, end: pd.Timestamp, state) -> dict:
    """:func:`hotspot_view` with the settings of ``state`` (a ``ui.state.ViewState``)."""
    return hotspot_view(url, version, start, end, *view_settings(state))


@st.cache_data(show_spinner=False, max_entries=16)
def accuracy(
    url: str,
    version: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    eps: float | None,
    min_samples: float | None,
) -> dict | None:
    """Hotspots of the 28 days before the period, scored on the period's incidents."""
    from analytics.compute.backtest import resolve_setting
    from analytics.compute.evaluation import evaluate_hotspots
    from analytics.compute.hotspots import find_hotspots

    geo = geography()
    setting = resolve_setting(
        engine_for(url), geo=geo, end=start, eps_m=eps, min_samples=min_samples
    )
    ev = _store_events(url, version)
    train = ev[(ev["occurred_at"] >= start - pd.Timedelta(days=28)) & (ev["occurred_at"] < start)]
    test = ev[(ev["occurred_at"] >= start) & (ev["occurred_at"] < end)]
    if train.empty:
        return None
    found = find_hotspots(
        train, geo=geo, eps_m=setting.eps_m, min_samples=setting.min_samples, sources=("incident",)
    )
    result = evaluate_hotspots(found.hotspots, train, test, boundary_m=geo.boundary_m)
    return {
        "ko": result.accuracy_sentence("ko"),
        "en": result.accuracy_sentence("en"),
        "pai": result.pai,
        "hit_rate": result.hit_rate,
    }


@st.cache_data(show_spinner=False, max_entries=16)
def compstat(url: str, version: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    return periods.compstat_table(_store_events(url, version), period=periods.Period(start, end))


@st.cache_data(show_spinner=False, max_entries=16)
def headline(url: str, version: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """This week per source against last week, the 4-week mean and the same week last year."""
    ev = _store_events(url, version)
    ev = ev[ev["inside_station"].astype(bool)]
    week = pd.Timedelta(days=7)

    def count(a, b):
        m = (ev["occurred_at"] >= a) & (ev["occurred_at"] < b)
        return ev.loc[m, "source"].value_counts()

    now = count(start, end)
    prev = count(start - week, start)
    mean4 = count(start - 4 * week, start) / 4.0
    year = pd.Timedelta(days=364)  # 52 weeks: the same weekdays
    # A store that begins after that week knows nothing of it: unknown, not zero.
    covered = bool(len(ev)) and ev["occurred_at"].min() < end - year
    last_year = count(start - year, end - year)
    rows = []
    for src in ("incident", "suggestion", "complaint"):
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


@st.cache_data(show_spinner=False, max_entries=16)
def unit_table(
    url: str,
    version: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    hotspot_units: tuple[str, ...],
) -> pd.DataFrame:
    """The 18-unit table; ``hotspot_units`` is the unit of each current hotspot."""
    hotspots = pd.DataFrame({"police_unit": list(hotspot_units)})
    return periods.unit_table(
        _store_events(url, version),
        period=periods.Period(start, end),
        geo=geography(),
        hotspots=hotspots,
    )


@st.cache_data(show_spinner=False, max_entries=4)
def holidays(start: pd.Timestamp, end: pd.Timestamp, lang: str) -> list:
    return periods.holidays_in(periods.Period(start, end), lang=lang)


@st.cache_data(show_spinner=False, max_entries=16)
def _period_events(url, version, start, end, sources, categories, masked: bool) -> pd.DataFrame:
    ev = _viewer_events(url, version) if masked else _store_events(url, version)
    if categories:
        ev = ev[ev["category"].isin(categories)]
    m = (ev["occurred_at"] >= start) & (ev["occurred_at"] < end) & ev["source"].isin(sources)
    return ev[m]


def period_events(
    url: str,
    version: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    sources: tuple[str, ...],
    categories: tuple[str, ...],
) -> pd.DataFrame:
    """Events of [start, end) of the given sources (and categories), as the user may see them."""
    return _period_events(
        url, version, start, end, sources, categories, version.endswith(VIEWER_SUFFIX)
    )


@st.cache_data(show_spinner=False, max_entries=4)
def box_log(url: str, version: str) -> pd.DataFrame:
    from analytics.storage.boxes import read_box_log_from_store

    return read_box_log_from_store(engine_for(url))


@st.cache_data(show_spinner=False, max_entries=8)
def kdistance(
    url: str,
    version: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    sources: tuple[str, ...],
    min_samples: int,
):
    from analytics.compute.hotspots import suggest_eps

    ev = _store_events(url, version)
    m = (ev["occurred_at"] >= start) & (ev["occurred_at"] < end) & ev["source"].isin(sources)
    m &= ev["inside_station"].astype(bool)
    if m.sum() <= min_samples:
        return None
    return suggest_eps(ev[m], min_samples=max(2, int(min_samples)))


def warm_landing(url: str) -> list[tuple[str, float]]:
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
    # is safe here. Not the ui modules: st_folium's component registers with the server
    # only when imported inside a running app (imported now, every map would be blank).
    for module in pkgutil.iter_modules(analytics.__path__, "analytics."):
        importlib.import_module(module.name)
    import folium  # noqa: F401

    lap("imports")
    version = store.data_version(engine_for(url))
    week = default_week(url, version)
    lap("store")
    if week is None:
        return timings
    state = ViewState(week=week)
    start, end = period_for(week, state.span)
    holidays(start, end, state.lang)
    headline(url, version, start, end)
    view = hotspots_of_view(url, version, start, end, state)
    lap("hotspots")
    accuracy(url, version, start, end, state.eps, state.min_samples)
    unit_table(url, version, start, end, tuple(view["hotspots"]["police_unit"].dropna()))
    lap("accuracy and units")
    from analytics.presentation import maps

    m = maps.base_map(geography(), lang=state.lang)
    maps.add_hotspots(m, view["hotspots"].head(10), lang=state.lang)
    maps.add_landmarks(m, geography().landmarks, lang=state.lang)
    maps.use_local_assets(m)
    m.get_root().render()  # compiles folium's templates once
    lap("map")
    return timings
