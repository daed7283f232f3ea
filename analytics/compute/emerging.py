"""Emerging hot spots: Gi* week by week, a Mann-Kendall trend, ArcGIS Pro's categories.

Each cell of the :mod:`analytics.compute.gistar` grid gets a Gi* z-score and a
confidence bin (FDR-corrected) for each of the last N weeks, then a Mann-Kendall
trend test on its series of z-scores, and from both one category, with the
definitions of ArcGIS Pro's Emerging Hot Spot Analysis ("significant hot" is a bin of
+1 or more: 90 % confidence after the FDR correction):

* ``new``: hot in the final week, and never hot before;
* ``consecutive``: one uninterrupted run of at least two hot weeks at the end, never
  hot before that run, and hot in less than 90 % of the weeks;
* ``intensifying``: hot in at least 90 % of the weeks, the final one included, with a
  significant increasing trend;
* ``persistent``: hot in at least 90 % of the weeks, the final one included, with no
  significant trend;
* ``diminishing``: hot in at least 90 % of the weeks, the final one included, with a
  significant decreasing trend;
* ``sporadic``: hot in the final week, on and off before, in less than 90 % of the
  weeks, and never cold;
* ``oscillating``: hot in the final week, cold in some earlier week, hot in less
  than 90 % of the weeks;
* ``historical``: hot in at least 90 % of the weeks, but not in the final one;
* ``no_pattern`` otherwise.

Cold spots mirror them (``new_cold`` … ``historical_cold``; a cold spot intensifies
when its z-scores fall). Where the rules could give a cell both a hot and a cold
pattern, the pattern of its final week wins over a historical one. ArcGIS's "with no
prior hot" for new and consecutive hot spots is read, as in R's ``sfdep``, as "never
significant before": a cell that was cold before is oscillating.

One difference from ArcGIS: each week's Gi* compares the cells with that week's mean
and variance (a neighbourhood in space only), where ArcGIS's space-time cube can add
earlier weeks to the neighbourhood and compares with the whole cube.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from analytics.compute import gistar
from analytics.text import text

HOT_KINDS = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
NO_PATTERN = "no_pattern"
CATEGORIES = (
    *(f"{k}_hot" for k in HOT_KINDS),
    *(f"{k}_cold" for k in HOT_KINDS),
    NO_PATTERN,
)
DEFAULT_WEEKS = 12
MIN_WEEKS = 3
# "At least 90 % of the time steps": ArcGIS's share for persistent, intensifying,
# diminishing and historical patterns.
MOSTLY = 0.9
TREND_ALPHA = 0.05
WEEK = pd.Timedelta(days=7)


def category_label(category: str, lang: str = "ko") -> str:
    """'신규 핫스팟' / 'New hot spot' … for a category of :data:`CATEGORIES`."""
    if category not in CATEGORIES:
        raise ValueError(f"category must be one of {CATEGORIES}, got {category!r}")
    return text(f"emerging.category.{category}", lang)


class MannKendall(NamedTuple):
    """The Mann-Kendall trend test of each series: arrays of the series' leading shape.

    ``s``: the S statistic (sum of the signs of every later-minus-earlier difference);
    ``var_s``: its variance under no trend, corrected for ties; ``z``: the normal score
    with the continuity correction (``(S - 1) / sqrt(var)`` for S > 0, ``(S + 1) /
    sqrt(var)`` for S < 0, 0 for S = 0); ``p``: its two-sided p-value.
    """

    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    p: np.ndarray


def mann_kendall(series) -> MannKendall:
    """The Mann-Kendall trend test along the last axis, with the tie correction.

    Parameters
    ----------
    series : array-like of shape (..., T), T >= 2
        Values in time order (one series per leading index), finite.

    Returns
    -------
    MannKendall
        ``s``, ``var_s``, ``z`` and ``p``, each of shape (...). A series whose values
        all tie has variance 0, z 0 and p 1.

    Notes
    -----
    ``S = sum_{i<j} sign(x_j - x_i)``;
    ``var(S) = [T(T-1)(2T+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18`` over the groups ``g``
    of ``t_g`` tied values (Kendall 1975).
    """
    x = np.asarray(series, dtype=float)
    if x.ndim < 1 or x.shape[-1] < 2:
        raise ValueError(f"series needs at least 2 time steps on its last axis, got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("series must be finite")
    n = x.shape[-1]
    i, j = np.triu_indices(n, k=1)
    s = np.sign(x[..., j] - x[..., i]).sum(axis=-1)
    # Each value's tie-group size c; summing (c-1)(2c+5) over the values gives the
    # sum of t(t-1)(2t+5) over the groups.
    c = (x[..., :, None] == x[..., None, :]).sum(axis=-1)
    ties = ((c - 1) * (2 * c + 5)).sum(axis=-1)
    var_s = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    root = np.sqrt(np.where(var_s > 0, var_s, 1.0))
    z = np.where(var_s > 0, (s - np.sign(s)) / root, 0.0)
    from scipy.stats import norm  # on first use: scipy.stats costs start-up a second

    p = 2.0 * norm.sf(np.abs(z))
    return MannKendall(s=s, var_s=var_s, z=z, p=p)


def _trailing_run(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True at the end of each row: shape (n,)."""
    rev = flags[:, ::-1]
    return np.where(rev.all(axis=1), flags.shape[1], np.argmin(rev, axis=1))


def emerging_categories(
    bins, trend_z, trend_p, *, trend_alpha: float = TREND_ALPHA, mostly: float = MOSTLY
) -> np.ndarray:
    """Each cell's emerging-hot-spot category (module docstring) from its weekly bins.

    Parameters
    ----------
    bins : array-like of shape (n, T), int
        Each cell's confidence bin per time step, oldest first: > 0 significant hot,
        < 0 significant cold, 0 neither (:func:`analytics.compute.gistar.confidence_bins`).
    trend_z, trend_p : array-like of shape (n,)
        The Mann-Kendall z and two-sided p of each cell's Gi* z-scores (:func:`mann_kendall`).
    trend_alpha : float, keyword-only
        A trend is significant when ``trend_p < trend_alpha``.
    mostly : float, keyword-only
        The share of time steps that makes a cell persistent, intensifying,
        diminishing or historical (ArcGIS: 0.9).

    Returns
    -------
    ndarray of shape (n,), object: one of :data:`CATEGORIES` per cell.
    """
    b = np.asarray(bins)
    if b.ndim != 2 or b.shape[1] < 1:
        raise ValueError(f"bins must be of shape (n, T), got {b.shape}")
    tz = np.asarray(trend_z, dtype=float)
    tp = np.asarray(trend_p, dtype=float)
    if tz.shape != (len(b),) or tp.shape != (len(b),):
        raise ValueError(f"trend_z and trend_p must be of shape ({len(b)},)")
    if not 0 < trend_alpha < 1 or not 0 < mostly <= 1:
        raise ValueError("trend_alpha must be in (0, 1) and mostly in (0, 1]")
    steps = b.shape[1]
    out = np.full(len(b), NO_PATTERN, dtype=object)
    trend = tp < trend_alpha
    final_patterns = []
    for suffix, same, other, rising in (
        ("hot", b > 0, b < 0, tz > 0),
        ("cold", b < 0, b > 0, tz < 0),
    ):
        final = same[:, -1]
        many = same.sum(axis=1) >= mostly * steps - 1e-9
        run = _trailing_run(same)
        before_run = (same & (np.arange(steps) < (steps - run)[:, None])).any(axis=1)
        was_other = other[:, :-1].any(axis=1)
        out[many & ~final] = f"historical_{suffix}"
        few = ~many & final
        final_patterns.append(
            (
                (many & final & trend & rising, f"intensifying_{suffix}"),
                (many & final & trend & ~rising & (tz != 0), f"diminishing_{suffix}"),
                (many & final & ~(trend & (tz != 0)), f"persistent_{suffix}"),
                (few & was_other, f"oscillating_{suffix}"),
                (few & ~was_other & before_run, f"sporadic_{suffix}"),
                (few & ~was_other & ~before_run & (run == 1), f"new_{suffix}"),
                (few & ~was_other & ~before_run & (run >= 2), f"consecutive_{suffix}"),
            )
        )
    # A pattern of the final week wins over a historical one.
    for patterns in final_patterns:
        for mask, name in patterns:
            out[mask] = name
    return out


def weekly_counts(cell, times, *, n_cells: int, end: pd.Timestamp, weeks: int):
    """Events per cell and week, over the ``weeks`` 7-day windows before ``end``.

    Parameters
    ----------
    cell : array-like of shape (n,), int
        Each event's grid row (:func:`analytics.compute.gistar.cell_of`; -1: not counted).
    times : array-like of shape (n,), tz-aware timestamps
    n_cells : int, keyword-only
    end : tz-aware Timestamp, keyword-only
        The end (exclusive) of the last week.
    weeks : int >= 1, keyword-only

    Returns
    -------
    counts : ndarray of shape (n_cells, weeks), int64, oldest week first
    week_starts : DatetimeIndex of length ``weeks``
    """
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    end = pd.Timestamp(end)
    if end.tzinfo is None:
        raise ValueError("end must be tz-aware")
    cell = np.asarray(cell, dtype=np.int64)
    stamps = pd.DatetimeIndex(times)
    if len(stamps) != len(cell):
        raise ValueError(f"cell has {len(cell)} events, times {len(stamps)}")
    start = end - weeks * WEEK
    starts = pd.DatetimeIndex([start + k * WEEK for k in range(weeks)])
    counts = np.zeros((n_cells, weeks), dtype=np.int64)
    if len(cell) == 0:
        return counts, starts
    offset = (stamps - start).to_numpy() / np.timedelta64(7, "D")
    step = np.floor(offset)
    keep = (cell >= 0) & (cell < n_cells) & (step >= 0) & (step < weeks)
    np.add.at(counts, (cell[keep], step[keep].astype(np.int64)), 1)
    return counts, starts


@dataclass(frozen=True, eq=False)
class EmergingHotspots:
    """The result of :func:`emerging_hotspots`.

    ``cells``: the grid with ``n_events`` (over all the weeks), ``category``,
    ``n_hot`` and ``n_cold`` (weeks significant), ``final_bin`` (the last week's bin),
    ``trend_z`` and ``trend_p`` (Mann-Kendall on the weekly z-scores).
    ``z`` and ``bins``: shape (n_cells, weeks), oldest week first; ``counts`` likewise;
    ``week_starts``: the weeks' first instants.
    """

    cells: gpd.GeoDataFrame
    z: np.ndarray
    bins: np.ndarray
    counts: np.ndarray
    week_starts: pd.DatetimeIndex


def emerging_hotspots(
    x,
    y,
    times,
    *,
    area,
    end: pd.Timestamp,
    weeks: int = DEFAULT_WEEKS,
    cell_m: float = gistar.DEFAULT_CELL_M,
    band_m: float | None = None,
    fdr: bool = True,
    inference: str = "binomial",
    trend_alpha: float = TREND_ALPHA,
    crs=None,
) -> EmergingHotspots:
    """Emerging-hot-spot categories of the grid cells over the ``weeks`` weeks before ``end``.

    Parameters
    ----------
    x, y : array-like of shape (n,), metres in the CRS of ``area``
    times : array-like of shape (n,), tz-aware timestamps
    area : shapely geometry, keyword-only (the station's boundary)
    end : tz-aware Timestamp, keyword-only; the last week ends here (exclusive)
    weeks : int >= 3
        Time steps (ArcGIS asks for at least 10; 12 by default).
    cell_m, band_m, fdr, inference : as in :func:`analytics.compute.gistar.gi_star_grid`
    trend_alpha : float
        Significance of the Mann-Kendall trend.
    crs : optional, given to the result

    Returns
    -------
    EmergingHotspots
    """
    if int(weeks) != weeks or weeks < MIN_WEEKS:
        raise ValueError(f"weeks must be an integer >= {MIN_WEEKS}, got {weeks!r}")
    weeks = int(weeks)
    grid = gistar.square_grid(area, cell_m=cell_m, crs=crs)
    w = gistar.grid_weights(grid, cell_m=cell_m, band_m=band_m)
    cell = gistar.cell_of(grid, x, y, cell_m=cell_m)
    counts, starts = weekly_counts(cell, times, n_cells=len(grid), end=end, weeks=weeks)
    z = np.zeros(counts.shape)
    bins = np.zeros(counts.shape, dtype=np.int8)
    for k in range(weeks):
        z[:, k], p = gistar.gi_star(counts[:, k], w, inference=inference)
        bins[:, k] = gistar.confidence_bins(z[:, k], p, fdr=fdr)
    # Ties in the z-series are ties to 1e-9, not to the last bit of a float.
    trend = mann_kendall(np.round(z, 9))
    grid["n_events"] = counts.sum(axis=1)
    grid["category"] = emerging_categories(bins, trend.z, trend.p, trend_alpha=trend_alpha)
    grid["n_hot"] = (bins > 0).sum(axis=1)
    grid["n_cold"] = (bins < 0).sum(axis=1)
    grid["final_bin"] = bins[:, -1]
    grid["trend_z"] = trend.z
    grid["trend_p"] = trend.p
    return EmergingHotspots(cells=grid, z=z, bins=bins, counts=counts, week_starts=starts)
