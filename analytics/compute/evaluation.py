"""Is the map right? Held-out accuracy of hotspot polygons, against fair comparators.

Last period's hotspot polygons are scored on the next period's incidents:

hit rate
    Share of the test incidents that fall in the union of the hotspot polygons. A
    point on a polygon's edge counts as inside.
area share
    Area of that union *inside the station boundary* over the boundary's area.
PAI
    Predictive Accuracy Index, hit rate / area share (Chainey, Tompson & Uhlig 2008).
    1 is what a map with no skill gets; higher is better.
PEI
    Predictive Efficiency Index of the NIJ Real-Time Crime Forecasting Challenge
    (2017): hit rate over the best hit rate any set of grid cells of the same area
    could have had in the test period. 1 is perfect hindsight on the grid; hotspot
    polygons are not grid-aligned, so they can exceed 1 by a little.

Two baselines get exactly the same budget: the highest-scoring cells of a square grid
whose area matches the hotspots' area to within one cell, ranked by a kernel density
of the training incidents and by their plain count per cell. They are built in
:mod:`analytics.compute.baselines`; here they are scored like the hotspots. The naive
count is a strong baseline on real data; it is reported as it is.

Everything is in metres of the analysis CRS (EPSG:5179). Pure functions: no I/O, no UI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import shapely

from analytics.compute.baselines import (
    DEFAULT_BANDWIDTHS_M,
    Grid,
    as_xy,
    check_boundary,
    count_scores,
    incident_rows,
    kde_bandwidth_trial,
    kde_scores,
    study_grid,
    top_cells,
)
from analytics.text import LANGS, text

# ------------------------------------------------------------------- hit rate and PAI


class HitRate(NamedTuple):
    """What hotspot polygons caught. Unpacks as ``hit_rate, area_share, n_test``.

    Attributes
    ----------
    hit_rate : float or None
        Share of test points in the polygons' union, 0..1; None with no test points.
    area_share : float
        Area of the union inside the boundary over the boundary's area, 0..1.
    n_test : int
        Number of test points.
    """

    hit_rate: float | None
    area_share: float
    n_test: int


def hit_rate_area(polygons, test_xy, *, boundary_m) -> HitRate:
    """Hit rate and area share of hotspot polygons.

    Parameters
    ----------
    polygons : GeoDataFrame, GeoSeries or sequence of shapely (Multi)Polygons
        Hotspots in metres. None and empty geometries are ignored; overlaps count once.
    test_xy : array-like of shape (n, 2)
        Test points (x, y) in metres.
    boundary_m : shapely Polygon or MultiPolygon
        The station boundary in metres.

    Returns
    -------
    HitRate
        A point on a polygon's edge counts as caught. The area counts only the part of
        the polygons inside the boundary.
    """
    xy = as_xy(test_xy, "test_xy")
    check_boundary(boundary_m)
    union, area_m2, _ = _hotspot_union(polygons, boundary_m)
    n = len(xy)
    return HitRate(_caught(union, xy) / n if n else None, area_m2 / boundary_m.area, n)


def pai(hit_rate: float | None, area_share: float) -> float | None:
    """Predictive Accuracy Index: hit rate / area share (Chainey, Tompson & Uhlig 2008).

    Parameters
    ----------
    hit_rate : float or None
        Share of incidents caught, 0..1. None (no incidents) gives None.
    area_share : float
        Share of the area flagged, 0..1. Zero (nothing flagged) gives None.

    Returns
    -------
    float or None
        1 is what flagging area at random gets; higher is better.
    """
    if hit_rate is None:
        return None
    _check_share(hit_rate, "hit_rate")
    _check_share(area_share, "area_share")
    if area_share == 0:
        return None
    return hit_rate / area_share


def pei(hit_rate: float | None, test_xy, grid: Grid, *, area_m2: float) -> float | None:
    """Predictive Efficiency Index (NIJ Real-Time Crime Forecasting Challenge, 2017).

    The hit rate over the best hit rate any set of ``grid`` cells covering ``area_m2``
    could have had: the cells with the most test points, taken by :func:`top_cells`.

    Parameters
    ----------
    hit_rate : float or None
        The hit rate being judged, 0..1. None gives None.
    test_xy : array-like of shape (n, 2)
        The test points, metres.
    grid : Grid
    area_m2 : float
        The area the forecast used, m².

    Returns
    -------
    float or None
        1 means the forecast did as well as hindsight on the grid could. None when
        there are no test points or the best possible is 0 (no area). Hotspot
        polygons do not follow the grid, so they can score a little above 1.
    """
    xy = as_xy(test_xy, "test_xy")
    if hit_rate is None or len(xy) == 0:
        return None
    _check_share(hit_rate, "hit_rate")
    cells = grid.cell_of(xy[:, 0], xy[:, 1])
    counts = np.bincount(cells[cells >= 0], minlength=grid.n_cells)
    best_cells = top_cells(counts, grid.area_m2, target_area_m2=area_m2)
    best = float(counts[best_cells].sum()) / len(xy)
    return hit_rate / best if best > 0 else None


# ---------------------------------------------------------------- the whole check


@dataclass(frozen=True)
class BaselineScore:
    """One comparator's top cells at the hotspots' area, scored like the hotspots.

    Attributes
    ----------
    name : str
        ``"kde"`` or ``"grid"``.
    hit_rate : float or None
        Share of test incidents in the chosen cells (edges included); None with none.
    area_share : float
        Chosen cells' area inside the boundary over the boundary's area.
    pai, pei : float or None
        As for the hotspots; PEI against the best cells of the baseline's own area.
    area_m2 : float
        Chosen cells' area inside the boundary, m² (the hotspots' area give or take
        half a cell).
    n_cells : int
        Number of chosen cells.
    """

    name: str
    hit_rate: float | None
    area_share: float
    pai: float | None
    pei: float | None
    area_m2: float
    n_cells: int


@dataclass(frozen=True)
class HotspotEvaluation:
    """Held-out accuracy of hotspot polygons. Build with :func:`evaluate_hotspots`.

    Attributes
    ----------
    hit_rate : float or None
        Share of test incidents in the hotspots (edges included); None with none.
    area_share : float
        Hotspots' area inside the boundary over the boundary's area.
    pai, pei : float or None
        See :func:`pai` and :func:`pei`. None when undefined (no test incidents, no
        hotspot area).
    n_test : int
        Test incidents: ``source == 'incident'``, inside the station, with x/y.
    area_m2 : float
        Hotspots' area inside the boundary, m².
    n_hotspots : int
        Non-empty hotspot polygons.
    kde, grid : BaselineScore
        Kernel density and naive-count comparators at the hotspots' area.
    kde_bandwidth_m : float
        Bandwidth the KDE comparator used, metres.
    kde_bandwidth_by : str
        ``"caller"`` (given), ``"holdout"`` (chosen on the end of the training
        window) or ``"fallback"`` (too little training data to choose: the largest
        candidate).
    n_train : int
        Training incidents with x/y behind both comparators.
    cell_m : float
        Grid cell side, metres.
    """

    hit_rate: float | None
    area_share: float
    pai: float | None
    pei: float | None
    n_test: int
    area_m2: float
    n_hotspots: int
    kde: BaselineScore
    grid: BaselineScore
    kde_bandwidth_m: float
    kde_bandwidth_by: str
    n_train: int
    cell_m: float

    @property
    def beaten_by(self) -> tuple[str, ...]:
        """Names of the baselines with a higher PAI than the hotspots (``"kde"``, ``"grid"``)."""
        if self.pai is None:
            return ()
        return tuple(
            b.name for b in (self.kde, self.grid) if b.pai is not None and b.pai > self.pai * _TIE
        )

    def accuracy_sentence(self, lang: str = "ko") -> str:
        """One line for the meeting screen; see :func:`accuracy_sentence`."""
        return accuracy_sentence(self, lang=lang)


_TIE = 1 + 1e-9  # a baseline must beat the hotspots by more than rounding noise


def evaluate_hotspots(
    hotspots,
    train_events: pd.DataFrame,
    test_events: pd.DataFrame,
    *,
    boundary_m,
    cell_m: float = 50.0,
    bandwidth_m: float | None = None,
) -> HotspotEvaluation:
    """Score last period's hotspots on this period's incidents, with equal-area baselines.

    Parameters
    ----------
    hotspots : GeoDataFrame or GeoSeries
        Hotspot polygons in metres (EPSG:5179); a geographic CRS is refused.
    train_events : DataFrame
        Event frame of the period the hotspots were drawn from. Its incidents
        (``source == 'incident'``, with x/y, inside the station or not) feed the
        baselines. Must not run past the first test incident.
    test_events : DataFrame
        Event frame of the next period. Only incidents ``inside_station`` with x/y
        count.
    boundary_m : shapely Polygon or MultiPolygon
        The station boundary in metres.
    cell_m : float, default 50
        Baseline grid cell side, metres.
    bandwidth_m : float, optional
        KDE bandwidth, metres. By default :func:`choose_kde_bandwidth` picks it on
        the training window.

    Returns
    -------
    HotspotEvaluation
    """
    check_boundary(boundary_m)
    polys = _hotspot_geometries(hotspots)
    grid = study_grid(boundary_m, cell_m=cell_m)
    train = incident_rows(train_events, "train_events", inside_only=False, need_time=False)
    test = incident_rows(test_events, "test_events", inside_only=True, need_time=False)
    _check_no_look_ahead(train, test)
    train_xy = train[["x", "y"]].to_numpy(dtype=float)
    test_xy = test[["x", "y"]].to_numpy(dtype=float)

    union, area_m2, n_hotspots = _hotspot_union(polys, boundary_m)
    n_test = len(test_xy)
    hit_rate = _caught(union, test_xy) / n_test if n_test else None
    area_share = area_m2 / grid.boundary_area_m2

    if bandwidth_m is None:
        bandwidth, by = kde_bandwidth_trial(
            train_events,
            grid=grid,
            target_area_m2=area_m2,
            candidates_m=DEFAULT_BANDWIDTHS_M,
            holdout_days=7,
        )
    else:
        bandwidth, by = float(bandwidth_m), "caller"
        if not (math.isfinite(bandwidth) and bandwidth > 0):
            raise ValueError(f"bandwidth_m must be a positive number of metres, got {bandwidth_m}")

    def baseline(name: str, scores: np.ndarray) -> BaselineScore:
        chosen = top_cells(scores, grid.area_m2, target_area_m2=area_m2)
        selected = np.zeros(grid.n_cells, dtype=bool)
        selected[chosen] = True
        b_area = float(grid.area_m2[chosen].sum())
        b_share = min(b_area / grid.boundary_area_m2, 1.0)  # float sums may pass 1
        b_hits = int(grid.covered_by(selected, test_xy[:, 0], test_xy[:, 1]).sum())
        b_rate = b_hits / n_test if n_test else None
        return BaselineScore(
            name=name,
            hit_rate=b_rate,
            area_share=b_share,
            pai=pai(b_rate, b_share),
            pei=pei(b_rate, test_xy, grid, area_m2=b_area),
            area_m2=b_area,
            n_cells=len(chosen),
        )

    return HotspotEvaluation(
        hit_rate=hit_rate,
        area_share=area_share,
        pai=pai(hit_rate, area_share),
        pei=pei(hit_rate, test_xy, grid, area_m2=area_m2),
        n_test=n_test,
        area_m2=area_m2,
        n_hotspots=n_hotspots,
        kde=baseline("kde", kde_scores(train_xy, grid, bandwidth_m=bandwidth)),
        grid=baseline("grid", count_scores(train_xy, grid)),
        kde_bandwidth_m=bandwidth,
        kde_bandwidth_by=by,
        n_train=len(train_xy),
        cell_m=grid.cell_m,
    )


# ------------------------------------------------------------------------ the words


def accuracy_sentence(evaluation: HotspotEvaluation, lang: str = "ko") -> str:
    """One line saying how well last week's hotspots caught this week's incidents.

    Parameters
    ----------
    evaluation : HotspotEvaluation
    lang : {"ko", "en"}
        Any other value is refused: the sentence goes on the meeting screen.

    Returns
    -------
    str
        E.g. "지난주 핫스팟이 면적 0.1%에서 이번 주 사건의 24%를 포착 (PAI 189; KDE
        125, 상위 격자 107)". When a baseline has a higher PAI the sentence says so;
        with no test incidents or no hotspot area it says that instead. The words are
        the catalogue's ``evaluation.*``.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    ev = evaluation
    area = _pct(ev.area_share)
    if ev.n_test == 0 or ev.hit_rate is None:
        return text("evaluation.no_test", lang, area=area)
    if ev.pai is None:
        return text("evaluation.no_hotspots", lang, n=ev.n_test)
    scores = text(
        "evaluation.scores", lang, pai=_num(ev.pai), kde=_num(ev.kde.pai), grid=_num(ev.grid.pai)
    )
    sentence = text("evaluation.caught", lang, area=area, hit=_pct(ev.hit_rate), scores=scores)
    beaten = ev.beaten_by
    if not beaten:
        return sentence
    if len(beaten) > 1:
        return text("evaluation.beaten.both", lang, sentence=sentence)
    baseline = text(f"evaluation.baseline.{beaten[0]}", lang)
    return text("evaluation.beaten.one", lang, sentence=sentence, baseline=baseline)


def _pct(share: float) -> str:
    """A share as a percentage with enough digits to be non-zero (0.04%, 0.1%, 24%)."""
    p = 100 * share
    if p == 0:
        return "0%"
    if 99 < p < 100:
        return "99%"  # never round a miss up to "100%"
    if p >= 1:
        return f"{p:.0f}%"
    if p >= 0.1:
        return f"{p:.1f}%"
    return f"{p:.1g}%"


def score_text(value: float | None) -> str:
    """A PAI or PEI as the sentences print it: '1,404', '12', '3.5', '—'."""
    if value is None or value != value:
        return "—"
    if value == 0:
        return "0"
    return f"{value:,.0f}" if value >= 9.95 else f"{value:.1f}"


_num = score_text


# ------------------------------------------------------------------------ checking


def _check_share(value: float, name: str) -> None:
    if not (math.isfinite(value) and 0 <= value <= 1):
        raise ValueError(f"{name} must be a share between 0 and 1, got {value}")


def _hotspot_geometries(hotspots) -> np.ndarray:
    """Hotspot geometries as an object array, refusing degrees and non-polygons."""
    crs = getattr(hotspots, "crs", None)
    if crs is not None and not crs.is_projected:
        raise ValueError(
            f"hotspots are in {crs.name} (degrees); project them to metres (EPSG:5179) first"
        )
    if hasattr(hotspots, "geometry"):  # GeoDataFrame
        hotspots = hotspots.geometry
    if isinstance(hotspots, shapely.Geometry):
        hotspots = [hotspots]
    return np.asarray(list(hotspots), dtype=object)


def _hotspot_union(polygons, boundary) -> tuple[object, float, int]:
    """Union of the non-empty polygons, its area inside ``boundary`` (m²), and their count."""
    geoms = _hotspot_geometries(polygons)
    geoms = geoms[[g is not None and not g.is_empty for g in geoms]] if len(geoms) else geoms
    bad = sorted({g.geom_type for g in geoms} - {"Polygon", "MultiPolygon"})
    if bad:
        raise ValueError(f"hotspots must be polygons, got {', '.join(bad)}")
    union = shapely.union_all(geoms) if len(geoms) else shapely.Polygon()
    shapely.prepare(union)
    area_m2 = float(shapely.intersection(union, boundary).area) if len(geoms) else 0.0
    return union, area_m2, len(geoms)


def _caught(union, xy: np.ndarray) -> int:
    """How many points lie in ``union``; "intersects" so that edge points count."""
    return int(shapely.intersects_xy(union, xy[:, 0], xy[:, 1]).sum()) if len(xy) else 0


def _check_no_look_ahead(train: pd.DataFrame, test: pd.DataFrame) -> None:
    if "occurred_at" not in train.columns or "occurred_at" not in test.columns:
        return
    last_train, first_test = train["occurred_at"].max(), test["occurred_at"].min()
    if pd.notna(last_train) and pd.notna(first_test) and last_train > first_test:
        raise ValueError(
            f"training incidents run to {last_train}, after the first test incident "
            f"({first_test}): the test must come after the training window"
        )
