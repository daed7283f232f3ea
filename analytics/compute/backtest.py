"""Hotspots that predict next week: a rolling backtest, baselines, and tuned parameters.

The Friday meeting patrols next week where last weeks' hotspots were. Whether
DBSCAN hotspots catch next week's incidents depends heavily on ``eps_m`` and
``min_samples``, so the data chooses them, and the meeting sees the evidence.

``backtest``
    For each of the last N reporting weeks (anchored on the meeting weekday), find
    hotspots on the ``train_days`` before the week and score them on that week's
    incidents: hit rate, area share, PAI and PEI, beside a KDE and the naive
    top-cells grid at the same area (:mod:`analytics.compute.evaluation`). Weeks without
    test incidents are reported with empty scores, not dropped.
``tune_hotspot_parameters``
    Scores a small grid of (eps_m, min_samples) by the same rolling backtest, on
    weeks strictly before the period being shown (no look-ahead), and picks the
    setting with the highest mean hit rate whose mean hotspot area stays within the
    station's patrol budget. Ties go to the simpler setting: larger min_samples,
    then smaller eps_m. The grid is scored by :mod:`analytics.compute.tuning`, which
    shares the work between settings. Each setting of the grid is a :class:`analytics.query.HotspotQuery`
    (the grid is a choice inside the query's bounds, not a bound of its own).

Which setting a view uses (given, tuned or the station's) is decided by
:func:`analytics.answer.resolve_query`, which caches the tuning in the store.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import shapely

from analytics.compute import profiles
from analytics.compute.evaluation import evaluate_hotspots
from analytics.compute.hotspots import _id_hash64, dbscan_labels
from analytics.query import (
    EPS_GRID_M,
    MIN_GEOCODE_SCORE,
    MIN_SAMPLES_GRID,
    HotspotQuery,
    setting_sentence,
)
from analytics.station import clock
from analytics.station.geo import StationGeography
from analytics.storage.schema import SOURCES
from analytics.text import text

DEFAULT_SOURCES: tuple[str, ...] = ("incident",)
WEEK = pd.Timedelta(days=7)


def meeting_end_for(end: pd.Timestamp, meeting_weekday: int) -> pd.Timestamp:
    """The latest meeting day (00:00, station time) on or before ``end``: whole reporting weeks only."""
    day = clock.local(end).normalize()
    return day - pd.Timedelta(days=(day.weekday() - meeting_weekday) % 7)


def last_complete_week_end(events: pd.DataFrame, *, meeting_weekday: int) -> pd.Timestamp:
    """The latest meeting day (00:00, station time) on or before the day after the last event."""
    if events.empty:
        raise ValueError("no events to backtest")
    last = events["occurred_at"].max() + pd.Timedelta(days=1)
    return meeting_end_for(last, meeting_weekday)


@dataclass(frozen=True, eq=False)
class _Prepared:
    """Events that clustering would use, in canonical order, as arrays."""

    xy: np.ndarray  # (n, 2) metres
    t: np.ndarray  # (n,) int64 ns since epoch
    w: np.ndarray  # (n,) weights
    test_xy_t: tuple[np.ndarray, np.ndarray]  # incidents inside the station: xy, t
    frame: pd.DataFrame  # slim event frame for the baselines (incidents)


def _clustered(ev: pd.DataFrame, query: HotspotQuery) -> np.ndarray:
    """Which events ``query`` clusters: its sources, inside the station, placed well enough."""
    return (
        ev["source"].isin(query.sources)
        & ev["inside_station"].astype(bool)
        & ~(ev["geocode_score"].fillna(1.0) < query.min_geocode_score)
        & ev["x"].notna()
        & ev["y"].notna()
    ).to_numpy(dtype=bool)


def _tested(ev: pd.DataFrame) -> np.ndarray:
    """Which events hotspots are scored on: placed incidents inside the station."""
    return (
        (ev["source"] == "incident") & ev["inside_station"].astype(bool) & ev["x"].notna()
    ).to_numpy(dtype=bool)


def _utc_ns(times: pd.Series) -> np.ndarray:
    """Tz-aware times as int64 nanoseconds since the epoch."""
    return (
        times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]").astype(np.int64)
    )


def _prepare(events: pd.DataFrame, query: HotspotQuery, *, end: pd.Timestamp) -> _Prepared:
    """The events ``query`` clusters (its sources, weights and filters) before ``end``."""
    ev = events[events["occurred_at"] < end]  # nothing after the period: no look-ahead
    sub = ev.loc[_clustered(ev, query)]
    x, y = sub["x"].to_numpy(float), sub["y"].to_numpy(float)
    # The same canonical order as find_hotspots, so polygons match it exactly.
    order = np.lexsort((_id_hash64(sub["event_id"].to_numpy(dtype=object)), y, x))
    inc = ev.loc[_tested(ev)]
    slim = ev.loc[ev["source"] == "incident", ["source", "occurred_at", "x", "y", "inside_station"]]
    return _Prepared(
        xy=np.column_stack([x, y])[order],
        t=_utc_ns(sub["occurred_at"])[order],
        w=sub["source"].map(query.weight_map()).to_numpy(float)[order],
        test_xy_t=(inc[["x", "y"]].to_numpy(float), _utc_ns(inc["occurred_at"])),
        frame=slim,
    )


def _ns(ts: pd.Timestamp) -> int:
    return int(ts.tz_convert("UTC").value)


def _polygons(prep: _Prepared, start, end, *, eps_m: float, min_samples: float) -> np.ndarray:
    m = (prep.t >= _ns(start)) & (prep.t < _ns(end))
    xy = prep.xy[m]
    labels, _, _ = dbscan_labels(xy, eps_m=eps_m, min_samples=min_samples, sample_weight=prep.w[m])
    k = int(labels.max()) + 1 if len(labels) else 0
    return profiles.polygons(xy[:, 0], xy[:, 1], labels, k, eps_m=eps_m)


def _weeks(end: pd.Timestamp, weeks: int) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Test weeks, oldest first: ``[(start, end), ...]`` ending at ``end``."""
    return [(end - (i + 1) * WEEK, end - i * WEEK) for i in reversed(range(weeks))]


def _validate(weeks: int, train_days: int) -> None:
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    if train_days < 7:
        raise ValueError(f"train_days must be >= 7, got {train_days}")


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """Per-week scores and their means.

    ``weeks`` has one row per test week and method (``dbscan``, ``kde``, ``grid``):
    week_start, week_end, method, n_test, n_hotspots, area_m2, area_share, hit_rate,
    pai, pei, and the week's DBSCAN setting (eps_m, min_samples). ``means`` has one
    row per method: the mean of each score over the weeks that had test incidents,
    and ``weeks_scored``. ``eps_m``/``min_samples`` are the last week's setting (the
    only one unless ``settings`` gave one per week).
    """

    weeks: pd.DataFrame
    means: pd.DataFrame
    eps_m: float
    min_samples: float
    sources: tuple[str, ...]
    train_days: int
    end: pd.Timestamp
    elapsed_s: float


def backtest(
    events: pd.DataFrame,
    *,
    geo: StationGeography,
    eps_m: float,
    min_samples: float,
    weeks: int = 8,
    train_days: int = 28,
    sources: Sequence[str] = DEFAULT_SOURCES,
    weights: Mapping[str, float] | None = None,
    end: pd.Timestamp | None = None,
    cell_m: float = 50.0,
    settings: Sequence[tuple[float, float]] | None = None,
) -> BacktestResult:
    """Rolling backtest of DBSCAN hotspots against KDE and the naive grid.

    Parameters
    ----------
    events : event frame
    geo : StationGeography (boundary, meeting weekday)
    eps_m, min_samples : the DBSCAN setting, metres and weighted events
    weeks : int, number of test weeks (the last ones before ``end``)
    train_days : int, days before each test week that hotspots are found on
    sources : sources the hotspots are found on; tests always score incidents
    end : Timestamp, optional
        End of the last test week; default the last complete reporting week.
    cell_m : float, baseline grid cell side in metres
    settings : sequence of (eps_m, min_samples), optional
        One setting per test week, oldest first (``len(settings) == weeks``): each
        week's hotspots are found with its own (the setting a view of that week would
        have had, e.g. tuned on the weeks before it). Default ``eps_m, min_samples``
        for every week.

    Returns
    -------
    BacktestResult
    """
    t0 = time.perf_counter()
    _validate(weeks, train_days)
    query = HotspotQuery(
        sources=sources, weights=weights or {}, eps_m=eps_m, min_samples=min_samples
    )
    if settings is None:
        weekly = [query] * weeks
    else:
        if len(settings) != weeks:
            raise ValueError(f"settings must have one (eps_m, min_samples) per week: {weeks}")
        # Each a query: checked against the one set of bounds.
        weekly = [query.with_(eps_m=e, min_samples=m) for e, m in settings]
    end = end or last_complete_week_end(events, meeting_weekday=geo.station.meeting_weekday)
    prep = _prepare(events, query, end=end)
    train_span = pd.Timedelta(days=train_days)
    rows = []
    for (ws, we), setting in zip(_weeks(end, weeks), weekly, strict=True):
        polys = _polygons(
            prep, ws - train_span, ws, eps_m=setting.eps_m, min_samples=setting.min_samples
        )
        f = prep.frame
        train = f[(f["occurred_at"] >= ws - train_span) & (f["occurred_at"] < ws)]
        test = f[(f["occurred_at"] >= ws) & (f["occurred_at"] < we)]
        ev = evaluate_hotspots(polys, train, test, boundary_m=geo.boundary_m, cell_m=cell_m)
        base = {
            "week_start": ws,
            "week_end": we,
            "n_test": ev.n_test,
            "eps_m": float(setting.eps_m),
            "min_samples": float(setting.min_samples),
        }
        rows.append(
            {
                **base,
                "method": "dbscan",
                "n_hotspots": ev.n_hotspots,
                "area_m2": ev.area_m2,
                "area_share": ev.area_share,
                "hit_rate": ev.hit_rate,
                "pai": ev.pai,
                "pei": ev.pei,
            }
        )
        for b in (ev.kde, ev.grid):
            rows.append(
                {
                    **base,
                    "method": b.name,
                    "n_hotspots": b.n_cells,
                    "area_m2": b.area_m2,
                    "area_share": b.area_share,
                    "hit_rate": b.hit_rate,
                    "pai": b.pai,
                    "pei": b.pei,
                }
            )
    table = pd.DataFrame(rows)
    for col in ("hit_rate", "pai", "pei"):
        table[col] = pd.to_numeric(table[col], errors="coerce")
    return BacktestResult(
        weeks=table,
        means=_means(table),
        eps_m=weekly[-1].eps_m,
        min_samples=weekly[-1].min_samples,
        sources=query.sources,
        train_days=train_days,
        end=end,
        elapsed_s=time.perf_counter() - t0,
    )


def _means(table: pd.DataFrame) -> pd.DataFrame:
    scored = table[table["n_test"] > 0]
    means = scored.groupby("method", sort=False)[["area_share", "hit_rate", "pai", "pei"]].mean()
    means["weeks_scored"] = scored.groupby("method", sort=False).size()
    means["area_km2"] = scored.groupby("method", sort=False)["area_m2"].mean() / 1e6
    return means.reindex([m for m in ("dbscan", "kde", "grid") if m in means.index])


@dataclass(frozen=True, eq=False)
class TuningResult:
    """The scored grid and the chosen setting.

    ``grid`` has one row per (eps_m, min_samples): mean_hit_rate, mean_area_km2,
    mean_pai, weeks_scored, within_budget. ``eps_m``/``min_samples`` are the choice
    (None when no setting fits the budget).
    """

    grid: pd.DataFrame
    eps_m: float | None
    min_samples: float | None
    budget_km2: float
    weeks: int
    train_days: int
    end: pd.Timestamp
    sources: tuple[str, ...]
    elapsed_s: float

    def to_dict(self) -> dict:
        d = asdict(self)
        d["grid"] = self.grid.to_dict(orient="records")
        d["end"] = self.end.isoformat()
        return d

    def sentence(self, lang: str = "ko") -> str:
        """ "자동 설정: eps 60 m, 최소 4건 — 지난 8주 예측 성능 기준"."""
        if self.eps_m is None:
            return text("setting.auto_failed", lang, budget=f"{self.budget_km2:g}")
        return setting_sentence(self.eps_m, self.min_samples, "auto", lang, weeks=self.weeks)


def tune_hotspot_parameters(
    events: pd.DataFrame,
    *,
    geo: StationGeography,
    area_budget_km2: float,
    end: pd.Timestamp | None = None,
    weeks: int = 8,
    train_days: int = 28,
    eps_grid_m: Sequence[float] = EPS_GRID_M,
    min_samples_grid: Sequence[int] = MIN_SAMPLES_GRID,
    sources: Sequence[str] = DEFAULT_SOURCES,
    weights: Mapping[str, float] | None = None,
    full_grid: bool = True,
) -> TuningResult:
    """Choose (eps_m, min_samples) by the rolling backtest before ``end``.

    Only events before ``end`` are read, so adding later events cannot change the
    choice. The chosen setting has the highest mean weekly hit rate among those whose
    mean hotspot area is at most ``area_budget_km2``; ties go to the larger
    min_samples, then the smaller eps_m. The grid is scored by
    :func:`analytics.compute.tuning.score_grid`.

    With ``full_grid=False`` a setting stops being scored as soon as its hotspot areas
    so far already put its mean over the budget: the choice is the same, in less time,
    and such a setting's row has NaN scores and ``weeks_scored`` 0 (what the cached
    "auto" setting uses; the ``tune`` command shows the full grid).
    """
    from analytics.compute.tuning import Window, score_grid  # only when tuning: start-up

    t0 = time.perf_counter()
    _validate(weeks, train_days)
    if not area_budget_km2 > 0:
        raise ValueError(f"area_budget_km2 must be > 0, got {area_budget_km2}")
    if not eps_grid_m or not min_samples_grid:
        raise ValueError("the eps and min_samples grids must not be empty")
    base = HotspotQuery(sources=sources, weights=weights or {})
    # Every setting tried is a query: the grid is checked against the query's bounds.
    settings = [base.with_(eps_m=e, min_samples=m) for e in eps_grid_m for m in min_samples_grid]
    end = end or last_complete_week_end(events, meeting_weekday=geo.station.meeting_weekday)
    ev = events[events["occurred_at"] < end]  # nothing after the period: no look-ahead
    train, test = ev.loc[_clustered(ev, base)], ev.loc[_tested(ev)]
    train_span = pd.Timedelta(days=train_days)
    windows = [
        Window(_ns(ws - train_span), _ns(ws), _ns(ws), _ns(we)) for ws, we in _weeks(end, weeks)
    ]
    boundary = geo.boundary_m
    scores = score_grid(
        train[["x", "y"]].to_numpy(float),
        _utc_ns(train["occurred_at"]),
        train["source"].map(base.weight_map()).to_numpy(float),
        test[["x", "y"]].to_numpy(float),
        _utc_ns(test["occurred_at"]),
        windows=windows,
        settings=[(s.eps_m, s.min_samples) for s in settings],
        boundary_m=boundary,
        # Past this sum over the weeks a mean area is over budget, whatever comes next.
        area_cap_m2=None if full_grid else area_budget_km2 * 1e6 * weeks * (1 + 1e-9),
    )
    rows = []
    for setting, weekly in zip(settings, scores, strict=True):
        eps, ms = setting.eps_m, setting.min_samples
        if any(week is None for week in weekly):  # dropped: over budget
            rows.append(
                {
                    "eps_m": float(eps),
                    "min_samples": float(ms),
                    "mean_hit_rate": np.nan,
                    "mean_area_km2": np.nan,
                    "mean_pai": np.nan,
                    "weeks_scored": 0,
                }
            )
            continue
        hits, areas, pais = [], [], []
        for hit, share, n in weekly:
            areas.append(share * boundary.area)
            if n:
                hits.append(hit)
                pais.append(hit / share if share > 0 else np.nan)
        rows.append(
            {
                "eps_m": float(eps),
                "min_samples": float(ms),
                "mean_hit_rate": float(np.mean(hits)) if hits else np.nan,
                "mean_area_km2": float(np.mean(areas)) / 1e6,
                "mean_pai": float(np.nanmean(pais))
                if pais and not np.all(np.isnan(pais))
                else np.nan,
                "weeks_scored": len(hits),
            }
        )
    grid = pd.DataFrame(rows)
    grid["within_budget"] = grid["mean_area_km2"] <= area_budget_km2
    ok = grid[grid["within_budget"] & grid["mean_hit_rate"].notna()]
    eps_c = ms_c = None
    if len(ok):
        best = ok.sort_values(
            ["mean_hit_rate", "min_samples", "eps_m"], ascending=[False, False, True]
        ).iloc[0]
        eps_c, ms_c = float(best["eps_m"]), float(best["min_samples"])
    grid["chosen"] = (grid["eps_m"] == eps_c) & (grid["min_samples"] == ms_c)
    return TuningResult(
        grid=grid,
        eps_m=eps_c,
        min_samples=ms_c,
        budget_km2=float(area_budget_km2),
        weeks=weeks,
        train_days=train_days,
        end=end,
        sources=base.sources,
        elapsed_s=time.perf_counter() - t0,
    )


# The tuning's method: raise it when a change to how settings are scored could change
# a choice, so that results cached by an older method are not reused.
TUNING_METHOD = 2


def tuning_events_span(
    end: pd.Timestamp, *, weeks: int, train_days: int
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``[start, end)``: the events :func:`tune_hotspot_parameters` reads for weeks ending at ``end``.

    The first week's training days through the last test week; nothing else changes
    the result, so a caller reads only these from the store.
    """
    return end - weeks * WEEK - pd.Timedelta(days=train_days), end


def tuning_sources(sources: Sequence[str]) -> tuple[str, ...]:
    """The sources :func:`tune_hotspot_parameters` reads: those it clusters and the
    incidents it scores on."""
    return tuple(s for s in SOURCES if s in sources or s == "incident")


def tuning_cache_key(
    *,
    data_version: str,
    end: pd.Timestamp,
    sources,
    budget_km2: float,
    weeks: int,
    train_days: int,
    geo: StationGeography | None = None,
    weights: Mapping[str, float] | None = None,
    eps_grid_m: Sequence[float] = EPS_GRID_M,
    min_samples_grid: Sequence[float] = MIN_SAMPLES_GRID,
) -> str:
    """A plain-text key for a tuning result: everything the choice depends on.

    The store's data version (any import or undo changes it), the end of the last
    test week, the sources and their weights, the area budget, the weeks and training
    days, the grid, the geocoding floor of :class:`~analytics.query.HotspotQuery`, the
    station and its boundary (``geo``: its id and a digest of its geometry, which the
    area share is measured in) and :data:`TUNING_METHOD`.
    """
    boundary = None
    if geo is not None:
        digest = hashlib.sha1(shapely.to_wkb(geo.boundary_m, hex=False)).hexdigest()[:16]
        boundary = f"{geo.station.id}:{digest}"  # stations of one store share its cache
    return json.dumps(
        [
            data_version,
            end.isoformat(),
            sorted(sources),
            budget_km2,
            weeks,
            train_days,
            sorted((weights or {}).items()),
            [float(e) for e in eps_grid_m],
            [float(m) for m in min_samples_grid],
            MIN_GEOCODE_SCORE,
            boundary,
            TUNING_METHOD,
        ]
    )
