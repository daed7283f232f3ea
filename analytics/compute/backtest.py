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
    Scores a small grid of DBSCAN settings (eps_m, min_samples) and a few HDBSCAN ones
    (:mod:`analytics.compute.hdbscan_engine`) by the same rolling backtest, on weeks
    strictly before the period being shown (no look-ahead), each beside the naive
    top-count grid of the same area and the best cells of that area (PEI). Among the
    settings whose mean hotspot area stays within the station's patrol budget it picks
    the one with the highest mean hit rate that catches at least as much as the naive
    grid at its area (objective ``beat_grid``; ``hit_rate`` and ``pei`` are offered).
    Ties go to the simpler setting: DBSCAN before HDBSCAN, larger min_samples, then
    smaller eps_m. The grid is scored by :mod:`analytics.compute.tuning`, which
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
from analytics.compute.hotspots import _id_hash64, dbscan_labels, hdbscan_labels
from analytics.query import (
    EPS_GRID_M,
    HDBSCAN_EPS_GRID_M,
    HDBSCAN_MIN_SAMPLES_GRID,
    MIN_CLUSTER_SIZE_GRID,
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


def _polygons(prep: _Prepared, start, end, *, query: HotspotQuery) -> np.ndarray:
    m = (prep.t >= _ns(start)) & (prep.t < _ns(end))
    xy = prep.xy[m]
    if query.engine == "hdbscan":
        labels, _, _ = hdbscan_labels(
            xy,
            eps_m=query.eps_m,
            min_samples=query.min_samples,
            min_cluster_size=query.cluster_size,
            sample_weight=prep.w[m],
        )
    else:
        labels, _, _ = dbscan_labels(
            xy, eps_m=query.eps_m, min_samples=query.min_samples, sample_weight=prep.w[m]
        )
    k = int(labels.max()) + 1 if len(labels) else 0
    return profiles.polygons(xy[:, 0], xy[:, 1], labels, k, eps_m=query.eps_m)


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

    ``weeks`` has one row per test week and method (``dbscan``, ``kde``, ``grid``;
    ``dbscan`` is the hotspots, whichever engine found them): week_start, week_end,
    method, n_test, n_hotspots, area_m2, area_share, hit_rate, pai, pei, and the week's
    setting (eps_m, min_samples). ``means`` has one row per method: the mean of each
    score over the weeks that had test incidents, and ``weeks_scored``.
    ``eps_m``/``min_samples`` are the last week's setting (the only one unless
    ``settings`` gave one per week).
    """

    weeks: pd.DataFrame
    means: pd.DataFrame
    eps_m: float
    min_samples: float
    sources: tuple[str, ...]
    train_days: int
    end: pd.Timestamp
    elapsed_s: float
    engine: str = "dbscan"
    min_cluster_size: float | None = None


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
    engine: str | None = None,
    min_cluster_size: float | None = None,
) -> BacktestResult:
    """Rolling backtest of DBSCAN (or HDBSCAN) hotspots against KDE and the naive grid.

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
    engine, min_cluster_size : the engine (None: DBSCAN) and HDBSCAN's least hotspot size

    Returns
    -------
    BacktestResult
    """
    t0 = time.perf_counter()
    _validate(weeks, train_days)
    query = HotspotQuery(
        sources=sources,
        weights=weights or {},
        eps_m=eps_m,
        min_samples=min_samples,
        engine=engine or "dbscan",
        min_cluster_size=min_cluster_size,
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
        polys = _polygons(prep, ws - train_span, ws, query=setting)
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
        engine=query.engine,
        min_cluster_size=query.min_cluster_size,
    )


def _means(table: pd.DataFrame) -> pd.DataFrame:
    scored = table[table["n_test"] > 0]
    means = scored.groupby("method", sort=False)[["area_share", "hit_rate", "pai", "pei"]].mean()
    means["weeks_scored"] = scored.groupby("method", sort=False).size()
    means["area_km2"] = scored.groupby("method", sort=False)["area_m2"].mean() / 1e6
    return means.reindex([m for m in ("dbscan", "kde", "grid") if m in means.index])


# How the tuner ranks the settings within the area budget (see tune_hotspot_parameters).
OBJECTIVES = ("beat_grid", "hit_rate", "pei")
DEFAULT_OBJECTIVE = "beat_grid"


@dataclass(frozen=True, eq=False)
class TuningResult:
    """The scored grid and the chosen setting.

    ``grid`` has one row per setting: engine, eps_m, min_samples, min_cluster_size
    (NaN for DBSCAN), mean_hit_rate, mean_area_km2, mean_pai, mean_pei,
    mean_grid_hit_rate (the naive grid at the same area, week by week), beats_grid,
    weeks_scored, within_budget, chosen. ``eps_m``/``min_samples``/``engine``/
    ``min_cluster_size`` are the choice (None when no setting fits the budget);
    ``beats_grid`` says whether it caught at least as much as the naive grid.
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
    engine: str | None = None
    min_cluster_size: float | None = None
    objective: str = DEFAULT_OBJECTIVE
    beats_grid: bool | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["grid"] = self.grid.replace({np.nan: None}).to_dict(orient="records")
        d["end"] = self.end.isoformat()
        return d

    def best(self, engine: str | None = None) -> dict | None:
        """The choice (``eps_m``, ``min_samples``, ``engine``, ``min_cluster_size``), or
        the best setting of ``engine`` by the same objective; None when none fits."""
        if engine is None or engine == self.engine:
            if self.eps_m is None:
                return None
            return {
                "eps_m": self.eps_m,
                "min_samples": self.min_samples,
                "engine": self.engine,
                "min_cluster_size": self.min_cluster_size,
            }
        row = _choose(self.grid[self.grid["engine"] == engine], self.objective)
        return None if row is None else _setting_of(row)

    def sentence(self, lang: str = "ko") -> str:
        """ "자동 설정: eps 60 m, 최소 4건 — 지난 8주 예측 성능 기준"."""
        if self.eps_m is None:
            return text("setting.auto_failed", lang, budget=f"{self.budget_km2:g}")
        return setting_sentence(
            self.eps_m,
            self.min_samples,
            "auto",
            lang,
            weeks=self.weeks,
            engine=self.engine,
            min_cluster_size=self.min_cluster_size,
        )


def _setting_of(row) -> dict:
    mcs = row["min_cluster_size"]
    return {
        "eps_m": float(row["eps_m"]),
        "min_samples": float(row["min_samples"]),
        "engine": str(row["engine"]),
        "min_cluster_size": None if pd.isna(mcs) else float(mcs),
    }


def _choose(grid: pd.DataFrame, objective: str):
    """The row ``objective`` picks among the settings within the budget, or None.

    ``hit_rate``: the highest mean hit rate. ``beat_grid``: the same among the settings
    whose mean hit rate is at least the naive grid's at the same area, or by hit rate
    alone when none is. ``pei``: the highest mean PEI. Ties go to the simpler setting:
    DBSCAN before HDBSCAN, larger min_samples, smaller eps_m, larger min_cluster_size.
    """
    ok = grid[grid["within_budget"] & grid["mean_hit_rate"].notna()]
    if objective == "beat_grid" and ok["beats_grid"].any():
        ok = ok[ok["beats_grid"]]
    score = "mean_pei" if objective == "pei" else "mean_hit_rate"
    ok = ok[ok[score].notna()]
    if not len(ok):
        return None
    ranked = ok.assign(
        _score=ok[score],
        _hdbscan=ok["engine"] == "hdbscan",
        _mcs=ok["min_cluster_size"].fillna(0.0),
    ).sort_values(
        ["_score", "_hdbscan", "min_samples", "eps_m", "_mcs"],
        ascending=[False, True, False, True, False],
        kind="stable",
    )
    return ranked.iloc[0]


def tuning_settings(
    base: HotspotQuery,
    *,
    eps_grid_m: Sequence[float] = EPS_GRID_M,
    min_samples_grid: Sequence[float] = MIN_SAMPLES_GRID,
    hdbscan: bool = True,
) -> list[HotspotQuery]:
    """Every setting the tuner tries, each a query (so the grid is checked against the
    query's bounds): DBSCAN's eps × min_samples, then HDBSCAN's eps × min_samples ×
    min_cluster_size (:data:`~analytics.query.HDBSCAN_EPS_GRID_M` …; a size below the
    setting's min_samples left out)."""
    settings = [
        base.with_(eps_m=e, min_samples=m, engine="dbscan")
        for e in eps_grid_m
        for m in min_samples_grid
    ]
    if hdbscan:
        settings += [
            base.with_(eps_m=e, min_samples=m, engine="hdbscan", min_cluster_size=c)
            for e in HDBSCAN_EPS_GRID_M
            for m in HDBSCAN_MIN_SAMPLES_GRID
            for c in MIN_CLUSTER_SIZE_GRID
            if c >= m
        ]
    return settings


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
    hdbscan: bool = True,
    objective: str = DEFAULT_OBJECTIVE,
    cell_m: float = 50.0,
) -> TuningResult:
    """Choose the setting (engine, eps_m, min_samples, min_cluster_size) by the rolling
    backtest before ``end``.

    Only events before ``end`` are read, so adding later events cannot change the
    choice. Every setting of :func:`tuning_settings` (DBSCAN's grid and, with
    ``hdbscan``, HDBSCAN's) is scored week by week: its hit rate and area, the naive
    grid's hit rate at the same area and the best any cells of that area could have had
    (PEI). Among the settings whose mean hotspot area is at most ``area_budget_km2``
    ``objective`` picks one (:data:`OBJECTIVES`):

    ``"beat_grid"`` (the default)
        the highest mean hit rate among the settings that catch at least as many
        incidents as the naive top-count grid of the same area (mean over the weeks):
        a hotspot map worth its area. When none does, the highest mean hit rate, and
        ``beats_grid`` is False.
    ``"hit_rate"``
        the highest mean hit rate (the tuner before issue 16: it fills the budget).
    ``"pei"``
        the highest mean PEI.

    Ties go to the simpler setting: DBSCAN before HDBSCAN (so HDBSCAN is chosen only
    where it scores better), larger min_samples, smaller eps_m, larger
    min_cluster_size. The grid is scored by :func:`analytics.compute.tuning.score_grid`.

    With ``full_grid=False`` a setting stops being scored as soon as its hotspot areas
    so far already put its mean over the budget: the choice is the same, in less time,
    and such a setting's row has NaN scores and ``weeks_scored`` 0 (what the cached
    "auto" setting uses; the ``tune`` command shows the full grid).
    """
    from analytics.compute.baselines import study_grid
    from analytics.compute.tuning import GridCells, Setting, Window, score_grid

    t0 = time.perf_counter()
    _validate(weeks, train_days)
    if not area_budget_km2 > 0:
        raise ValueError(f"area_budget_km2 must be > 0, got {area_budget_km2}")
    if not eps_grid_m or not min_samples_grid:
        raise ValueError("the eps and min_samples grids must not be empty")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    base = HotspotQuery(sources=sources, weights=weights or {})
    settings = tuning_settings(
        base, eps_grid_m=eps_grid_m, min_samples_grid=min_samples_grid, hdbscan=hdbscan
    )
    end = end or last_complete_week_end(events, meeting_weekday=geo.station.meeting_weekday)
    ev = events[events["occurred_at"] < end]  # nothing after the period: no look-ahead
    train, test = ev.loc[_clustered(ev, base)], ev.loc[_tested(ev)]
    counted = ev.loc[(ev["source"] == "incident") & ev["x"].notna() & ev["y"].notna()]
    train_span = pd.Timedelta(days=train_days)
    windows = [
        Window(_ns(ws - train_span), _ns(ws), _ns(ws), _ns(we)) for ws, we in _weeks(end, weeks)
    ]
    boundary = geo.boundary_m
    cells = GridCells(
        study_grid(boundary, cell_m=cell_m),
        counted[["x", "y"]].to_numpy(float),
        _utc_ns(counted["occurred_at"]),
    )

    def scored(chosen: list[HotspotQuery]) -> pd.DataFrame:
        scores = score_grid(
            train[["x", "y"]].to_numpy(float),
            _utc_ns(train["occurred_at"]),
            train["source"].map(base.weight_map()).to_numpy(float),
            test[["x", "y"]].to_numpy(float),
            _utc_ns(test["occurred_at"]),
            windows=windows,
            settings=[
                Setting(s.eps_m, s.min_samples, s.engine, s.min_cluster_size) for s in chosen
            ],
            boundary_m=boundary,
            # Past this sum over the weeks a mean area is over budget, whatever comes next.
            area_cap_m2=None if full_grid else area_budget_km2 * 1e6 * weeks * (1 + 1e-9),
            cells=cells,
        )
        return _grid_rows(chosen, scores, boundary_area=boundary.area, budget=area_budget_km2)

    dbscan = [s for s in settings if s.engine == "dbscan"]
    hdbscan_settings = [s for s in settings if s.engine == "hdbscan"]
    grid = scored(dbscan)
    if hdbscan_settings:
        keep = hdbscan_settings
        if not full_grid:
            keep = _worth_scoring(hdbscan_settings, grid, objective)
        skipped = [s for s in hdbscan_settings if s not in keep]
        parts = [grid, scored(keep)] if keep else [grid]
        if skipped:
            parts.append(_grid_rows(skipped, [[None] * weeks] * len(skipped), 1.0, 1.0))
        grid = pd.concat(parts, ignore_index=True)
    best = _choose(grid, objective)
    chosen = None if best is None else _setting_of(best)
    grid["chosen"] = False
    if best is not None:
        grid.loc[best.name, "chosen"] = True
    return TuningResult(
        grid=grid,
        eps_m=None if chosen is None else chosen["eps_m"],
        min_samples=None if chosen is None else chosen["min_samples"],
        budget_km2=float(area_budget_km2),
        weeks=weeks,
        train_days=train_days,
        end=end,
        sources=base.sources,
        elapsed_s=time.perf_counter() - t0,
        engine=None if chosen is None else chosen["engine"],
        min_cluster_size=None if chosen is None else chosen["min_cluster_size"],
        objective=objective,
        beats_grid=None if best is None else bool(best["beats_grid"]),
    )


def _grid_rows(settings, scores, boundary_area: float, budget: float) -> pd.DataFrame:
    """The tuning table's rows of ``settings`` from their weekly scores (None: not scored)."""
    rows = []
    for setting, weekly in zip(settings, scores, strict=True):
        row = {
            "engine": setting.engine,
            "eps_m": float(setting.eps_m),
            "min_samples": float(setting.min_samples),
            "min_cluster_size": np.nan
            if setting.engine == "dbscan"
            else float(setting.cluster_size),
        }
        if any(week is None for week in weekly):  # dropped: over budget, or cannot win
            nan = dict.fromkeys(
                ["mean_hit_rate", "mean_area_km2", "mean_pai", "mean_pei", "mean_grid_hit_rate"],
                np.nan,
            )
            rows.append({**row, **nan, "weeks_scored": 0})
            continue
        scored = [week for week in weekly if week.n_test]
        areas = [week.area_share * boundary_area for week in weekly]
        pais = [w.hit_rate / w.area_share if w.area_share > 0 else np.nan for w in scored]
        peis = [np.nan if w.pei is None else w.pei for w in scored]
        rows.append(
            {
                **row,
                "mean_hit_rate": _mean([w.hit_rate for w in scored]),
                "mean_area_km2": float(np.mean(areas)) / 1e6,
                "mean_pai": _mean(pais),
                "mean_pei": _mean(peis),
                "mean_grid_hit_rate": _mean([w.grid_hit_rate for w in scored]),
                "weeks_scored": len(scored),
            }
        )
    grid = pd.DataFrame(rows)
    grid["within_budget"] = grid["mean_area_km2"] <= budget
    # Rounding noise in the means is not a win.
    grid["beats_grid"] = grid["mean_hit_rate"] >= grid["mean_grid_hit_rate"] - 1e-12
    return grid


def _worth_scoring(settings: list[HotspotQuery], dbscan: pd.DataFrame, objective: str):
    """The HDBSCAN settings that could still be chosen over DBSCAN's best.

    HDBSCAN clusters the events DBSCAN clusters at the same eps_m / min_samples and only
    splits hotspots, so its polygons lie inside DBSCAN's: week by week it catches at
    most what DBSCAN catches. Where the objective ranks by hit rate and DBSCAN's choice
    ``b`` stands on its own merit (``hit_rate``, or ``beat_grid`` with ``b`` beating the
    grid), an HDBSCAN setting needs a higher hit rate than ``b`` (ties go to DBSCAN),
    so one whose DBSCAN twin's mean hit rate is no higher than ``b``'s cannot be chosen
    and is not scored. Otherwise every setting is.
    """
    best = _choose(dbscan, objective)
    if best is None or objective == "pei" or (objective == "beat_grid" and not best["beats_grid"]):
        return settings
    hit = {
        (r.eps_m, r.min_samples): r.mean_hit_rate
        for r in dbscan.itertuples()
        if r.engine == "dbscan"
    }
    floor = float(best["mean_hit_rate"])
    return [
        s
        for s in settings
        if not hit.get((s.eps_m, s.min_samples), np.nan) <= floor  # NaN (dropped): maybe
    ]


def _mean(values) -> float:
    """The mean of the values that are numbers; NaN when there are none."""
    numbers = [float(v) for v in values if v is not None and not np.isnan(v)]
    return float(np.mean(numbers)) if numbers else np.nan


# The tuning's method: raise it when a change to how settings are scored could change
# a choice, so that results cached by an older method are not reused.
TUNING_METHOD = 3  # 3: HDBSCAN offered, the objective, the naive grid and PEI scored


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
    hdbscan: bool = True,
    objective: str = DEFAULT_OBJECTIVE,
) -> str:
    """A plain-text key for a tuning result: everything the choice depends on.

    The store's data version (any import or undo changes it), the end of the last
    test week, the sources and their weights, the area budget, the weeks and training
    days, the grid (HDBSCAN's too, when offered), the objective, the geocoding floor of
    :class:`~analytics.query.HotspotQuery`, the
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
            [
                [float(e) for e in HDBSCAN_EPS_GRID_M],
                [float(m) for m in HDBSCAN_MIN_SAMPLES_GRID],
                [float(c) for c in MIN_CLUSTER_SIZE_GRID],
            ]
            if hdbscan
            else None,
            objective,
            MIN_GEOCODE_SCORE,
            boundary,
            TUNING_METHOD,
        ]
    )
