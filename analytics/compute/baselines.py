"""The equal-area comparators of hotspot accuracy: a square grid, KDE and the naive count.

A hotspot map is only worth its area if it beats a simpler map of the same area.
:func:`study_grid` lays square cells over the station boundary, each with its area
inside the boundary; :func:`kde_scores` (a Gaussian kernel density of the training
incidents, bandwidth picked on the training window only by
:func:`choose_kde_bandwidth`) and :func:`count_scores` (training incidents per cell)
rank the cells; :func:`top_cells` takes the best cells up to a target area. The naive
count is a strong baseline on real data, where incidents repeat at the same
addresses. :mod:`analytics.compute.evaluation` scores these against the hotspots.

Everything is in metres of the analysis CRS (EPSG:5179). Pure functions: no I/O, no UI.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

# The Gaussian kernel is cut off this many bandwidths from each point: beyond it the
# weight is below exp(-8) = 0.03% of the peak, and the cut keeps 12k points x 300k
# cells to a sparse product.
KDE_CUTOFF_BANDWIDTHS = 4.0
DEFAULT_BANDWIDTHS_M: tuple[float, ...] = (25.0, 50.0, 100.0, 200.0)

_BLOCK_CELLS = 16  # grid building: cells per side of a coarse block
_MAX_GRID_CELLS = 50_000_000  # bounding-box cells; beyond this the index would not fit


# --------------------------------------------------------------------------- the grid


@dataclass(frozen=True, eq=False)
class Grid:
    """Square cells covering a boundary. Build with :func:`study_grid`.

    Cells are indexed ``0 .. n_cells - 1``; only cells that overlap the boundary (with
    positive area inside it) are kept. Cell ``i`` spans
    ``[x0 + col[i] * cell_m, x0 + (col[i] + 1) * cell_m]`` in x, likewise in y. All
    arrays are read-only, so one grid can be cached and shared.

    Attributes
    ----------
    x0, y0 : float
        Lower-left corner of the grid (the boundary's bounding box), metres.
    cell_m : float
        Side of a cell, metres.
    n_rows, n_cols : int
        Shape of the full bounding-box raster the cells are taken from.
    row, col : ndarray of int64, shape (n_cells,)
        Raster position of each kept cell.
    x, y : ndarray of float64, shape (n_cells,)
        Cell centres, metres.
    area_m2 : ndarray of float64, shape (n_cells,)
        Area of each cell inside the boundary, m² (``cell_m ** 2`` for interior
        cells, less on the border). Sums to ``boundary_area_m2``.
    boundary_area_m2 : float
        Area of the boundary, m².
    index : ndarray of int64, shape (n_rows, n_cols)
        Cell index of each raster position, -1 where the cell was not kept.
    """

    x0: float
    y0: float
    cell_m: float
    n_rows: int
    n_cols: int
    row: np.ndarray
    col: np.ndarray
    x: np.ndarray
    y: np.ndarray
    area_m2: np.ndarray
    boundary_area_m2: float
    index: np.ndarray

    @property
    def n_cells(self) -> int:
        return len(self.area_m2)

    @property
    def bounds(self) -> np.ndarray:
        """Cell bounds ``(minx, miny, maxx, maxy)``, shape (n_cells, 4), metres."""
        h = self.cell_m / 2
        return np.column_stack([self.x - h, self.y - h, self.x + h, self.y + h])

    def polygons(self, cells=None) -> np.ndarray:
        """Full (unclipped) square polygons of ``cells`` (all cells when None)."""
        b = self.bounds if cells is None else self.bounds[np.asarray(cells, dtype=np.int64)]
        return shapely.box(b[:, 0], b[:, 1], b[:, 2], b[:, 3])

    def cell_of(self, x, y) -> np.ndarray:
        """The cell holding each point, by arithmetic (no polygon tests).

        Parameters
        ----------
        x, y : array-like of shape (n,)
            Points in metres. NaN is allowed.

        Returns
        -------
        ndarray of int64, shape (n,)
            Cell index, -1 when no kept cell holds the point. Cells are closed: a
            point on the line between two cells goes to the upper/right one when it
            is kept, else to the lower/left one, so every point the boundary covers
            (its edge included) gets a cell.
        """
        cand = self._candidates(x, y)
        first = cand[0]
        for other in cand[1:]:
            first = np.where(first >= 0, first, other)
        return first

    def covered_by(self, selected: np.ndarray, x, y) -> np.ndarray:
        """Whether each point lies in (or on the edge of) any ``selected`` cell.

        Parameters
        ----------
        selected : ndarray of bool, shape (n_cells,)
        x, y : array-like of shape (n,)
            Points in metres.

        Returns
        -------
        ndarray of bool, shape (n,)
        """
        selected = np.asarray(selected, dtype=bool)
        if selected.shape != (self.n_cells,):
            raise ValueError(f"selected must have shape ({self.n_cells},), got {selected.shape}")
        hit = np.zeros(np.shape(np.asarray(x, dtype=float)), dtype=bool)
        for cells in self._candidates(x, y):
            ok = cells >= 0
            hit[ok] |= selected[cells[ok]]
        return hit

    def _candidates(self, x, y) -> list[np.ndarray]:
        """The four cells whose closed squares may hold each point, in order of preference.

        Own cell (right of / above any grid line the point is on), the one to the
        left, below, and left-below. A point strictly inside a cell has only the
        first; the others are -1 unless the point is on the matching grid line.
        Entries are also -1 where that cell was not kept.
        """
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if x.shape != y.shape or x.ndim != 1:
            raise ValueError(f"x and y must be 1-D of one length, got {x.shape} and {y.shape}")
        ok = np.isfinite(x) & np.isfinite(y)
        fx = np.where(ok, (x - self.x0) / self.cell_m, -1.0)
        fy = np.where(ok, (y - self.y0) / self.cell_m, -1.0)
        col = np.floor(fx).astype(np.int64)
        row = np.floor(fy).astype(np.int64)
        # A point on a grid line also lies in the cell to its left (below it).
        on_col_line = ok & (col == fx)
        on_row_line = ok & (row == fy)
        out = []
        for dc, dr, use in (
            (0, 0, ok),
            (-1, 0, on_col_line),
            (0, -1, on_row_line),
            (-1, -1, on_col_line & on_row_line),
        ):
            c, r = col + dc, row + dr
            inside = use & (c >= 0) & (c < self.n_cols) & (r >= 0) & (r < self.n_rows)
            cells = np.full(x.shape, -1, dtype=np.int64)
            cells[inside] = self.index[r[inside], c[inside]]
            out.append(cells)
        return out


def study_grid(boundary_m, *, cell_m: float = 50.0) -> Grid:
    """Square cells of side ``cell_m`` covering ``boundary_m``, with their inside areas.

    Parameters
    ----------
    boundary_m : shapely Polygon or MultiPolygon
        The station boundary in metres (analysis CRS).
    cell_m : float, default 50
        Cell side, metres.

    Returns
    -------
    Grid
        Only cells overlapping the boundary with positive area are kept; each carries
        its area inside the boundary. The grid's origin is the lower-left corner of
        the boundary's bounding box. Results are cached per (boundary, cell_m): the
        Namwon boundary (750 km², ~300k cells at 50 m) takes ~0.2 s the first time.
    """
    check_boundary(boundary_m)
    cell_m = float(cell_m)
    if not (math.isfinite(cell_m) and cell_m > 0):
        raise ValueError(f"cell_m must be a positive number of metres, got {cell_m}")
    return _study_grid(boundary_m, cell_m)


@lru_cache(maxsize=8)
def _study_grid(boundary, cell_m: float) -> Grid:
    minx, miny, maxx, maxy = boundary.bounds
    n_cols = max(1, math.ceil((maxx - minx) / cell_m))
    n_rows = max(1, math.ceil((maxy - miny) / cell_m))
    if n_cols * n_rows > _MAX_GRID_CELLS:
        raise ValueError(
            f"a {cell_m:g} m grid over this boundary has {n_cols * n_rows:,} cells; "
            "use larger cells"
        )
    # A private copy to prepare (a shared prepared geometry is not thread-safe).
    boundary = shapely.from_wkb(shapely.to_wkb(boundary))
    ring = shapely.boundary(boundary)
    shapely.prepare(ring)
    shapely.prepare(boundary)
    area = np.zeros((n_rows, n_cols))

    # Coarse blocks first: a block the boundary line does not cross is wholly inside
    # or wholly outside, so only the cells of crossed blocks need geometry.
    bs = _BLOCK_CELLS * cell_m
    b_rows, b_cols = math.ceil(n_rows / _BLOCK_CELLS), math.ceil(n_cols / _BLOCK_CELLS)
    bc, br = np.meshgrid(np.arange(b_cols), np.arange(b_rows))
    bc, br = bc.ravel(), br.ravel()
    bx, by = minx + bc * bs, miny + br * bs
    blocks = shapely.box(bx, by, bx + bs, by + bs)
    crossed = shapely.intersects(ring, blocks)
    whole = ~crossed & shapely.contains_xy(boundary, bx + bs / 2, by + bs / 2)
    for i in np.flatnonzero(whole):
        r0, c0 = br[i] * _BLOCK_CELLS, bc[i] * _BLOCK_CELLS
        area[r0 : r0 + _BLOCK_CELLS, c0 : c0 + _BLOCK_CELLS] = cell_m * cell_m

    # Cells of crossed blocks: inside/outside by centre unless the line crosses them.
    k = np.arange(_BLOCK_CELLS)
    blk = np.flatnonzero(crossed)
    rr, cc, owner = np.broadcast_arrays(
        br[blk][:, None, None] * _BLOCK_CELLS + k[None, :, None],
        bc[blk][:, None, None] * _BLOCK_CELLS + k[None, None, :],
        np.arange(len(blk))[:, None, None],
    )
    rr, cc, owner = rr.ravel(), cc.ravel(), owner.ravel()
    real = (rr < n_rows) & (cc < n_cols)
    rr, cc, owner = rr[real], cc[real], owner[real]
    cx, cy = minx + cc * cell_m, miny + rr * cell_m
    boxes = shapely.box(cx, cy, cx + cell_m, cy + cell_m)
    on_line = shapely.intersects(ring, boxes)
    off = ~on_line
    inside = shapely.contains_xy(boundary, cx[off] + cell_m / 2, cy[off] + cell_m / 2)
    area[rr[off][inside], cc[off][inside]] = cell_m * cell_m
    # Cells on the line: clip against the block's piece of the boundary, which has
    # far fewer vertices than the whole boundary.
    pieces = shapely.intersection(boundary, blocks[blk])
    line = np.flatnonzero(on_line)
    area[rr[line], cc[line]] = shapely.area(shapely.intersection(pieces[owner[line]], boxes[line]))

    row, col = np.nonzero(area > 0)
    index = np.full((n_rows, n_cols), -1, dtype=np.int64)
    index[row, col] = np.arange(len(row))
    arrays = {
        "row": row.astype(np.int64),
        "col": col.astype(np.int64),
        "x": minx + (col + 0.5) * cell_m,
        "y": miny + (row + 0.5) * cell_m,
        "area_m2": area[row, col],
        "index": index,
    }
    for a in arrays.values():
        a.setflags(write=False)  # shared through the cache
    return Grid(
        x0=float(minx),
        y0=float(miny),
        cell_m=cell_m,
        n_rows=n_rows,
        n_cols=n_cols,
        boundary_area_m2=float(boundary.area),
        **arrays,
    )


# ------------------------------------------------------------- equal-area baselines


def top_cells(scores, cell_area_m2, *, target_area_m2: float) -> np.ndarray:
    """The highest-scoring cells whose total area is closest to ``target_area_m2``.

    Parameters
    ----------
    scores : array-like of shape (n_cells,)
        Higher is more likely. Ties go to the lower cell index.
    cell_area_m2 : array-like of shape (n_cells,)
        Area of each cell, m² (for a :class:`Grid`, its ``area_m2``).
    target_area_m2 : float
        The area to match, m².

    Returns
    -------
    ndarray of int64, shape (k,)
        Cell indices, best first. Cells are taken in score order and the count is the
        one whose cumulative area is nearest the target, so the chosen area is within
        half the last cell of it (and within one cell in any case). At least one cell
        when the target is positive; all cells when the target exceeds their total.
        Once the cells with positive scores run out, zero-score cells fill the area
        in index order: equal area matters more than where the filler lies.
    """
    scores = np.asarray(scores, dtype=float)
    area = np.asarray(cell_area_m2, dtype=float)
    if scores.ndim != 1 or scores.shape != area.shape:
        raise ValueError(
            f"scores and cell_area_m2 must be 1-D of one length, got {scores.shape} and {area.shape}"
        )
    if not np.isfinite(scores).all():
        raise ValueError("scores must be finite")
    if not (np.isfinite(area).all() and (area >= 0).all()):
        raise ValueError("cell_area_m2 must be finite and >= 0")
    target = float(target_area_m2)
    if not (math.isfinite(target) and target >= 0):
        raise ValueError(f"target_area_m2 must be >= 0 m², got {target_area_m2}")
    if target == 0 or len(scores) == 0:
        return np.empty(0, dtype=np.int64)
    order = np.argsort(-scores, kind="stable")  # stable: ties keep index order
    cum = np.cumsum(area[order])
    k = int(np.searchsorted(cum, target, side="left"))  # cum[k] is the first >= target
    if k >= len(cum):
        return order.astype(np.int64)
    # k cells fall short (or k == 0), k + 1 reach the target: take the nearer.
    under = cum[k - 1] if k > 0 else 0.0
    n = k + 1 if k == 0 or cum[k] - target <= target - under else k
    return order[:n].astype(np.int64)


def count_scores(train_xy, grid: Grid) -> np.ndarray:
    """The naive grid: training points per cell.

    Parameters
    ----------
    train_xy : array-like of shape (n, 2)
        Training points in metres. Points in no cell are ignored.
    grid : Grid

    Returns
    -------
    ndarray of int64, shape (n_cells,)
    """
    xy = as_xy(train_xy, "train_xy")
    cells = grid.cell_of(xy[:, 0], xy[:, 1])
    return np.bincount(cells[cells >= 0], minlength=grid.n_cells)


def kde_scores(train_xy, grid: Grid, *, bandwidth_m: float) -> np.ndarray:
    """Gaussian kernel density of training points at the cell centres.

    Parameters
    ----------
    train_xy : array-like of shape (n, 2)
        Training points in metres (points outside the boundary still add density
        to the cells near them).
    grid : Grid
    bandwidth_m : float
        Standard deviation of the kernel, metres.

    Returns
    -------
    ndarray of float64, shape (n_cells,)
        Intensity in points per m²: ``sum_i exp(-d_i² / 2h²) / (2 pi h²)``; times a
        cell's area it is about the expected number of training points in it. The
        kernel is cut at :data:`KDE_CUTOFF_BANDWIDTHS` bandwidths along each axis.

    Notes
    -----
    The Gaussian is separable, so the density on the raster is ``Wy.T @ Wx`` where
    ``Wx`` (points x columns) and ``Wy`` (points x rows) hold each point's 1-D
    weights within the cutoff: a sparse product of ~(8h / cell_m)² terms per point
    instead of a loop over point-cell pairs, exact at the cell centres.
    """
    xy = as_xy(train_xy, "train_xy")
    h = float(bandwidth_m)
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"bandwidth_m must be a positive number of metres, got {bandwidth_m}")
    if len(xy) == 0:
        return np.zeros(grid.n_cells)
    wx = _axis_weights(xy[:, 0], origin=grid.x0, cell_m=grid.cell_m, n=grid.n_cols, h=h)
    wy = _axis_weights(xy[:, 1], origin=grid.y0, cell_m=grid.cell_m, n=grid.n_rows, h=h)
    raster = (wy.T @ wx).tocsr()
    dens = np.asarray(raster[grid.row, grid.col]).ravel()
    return dens / (2 * math.pi * h * h)


def _axis_weights(p: np.ndarray, *, origin: float, cell_m: float, n: int, h: float):
    """Sparse (points x cells along one axis) Gaussian weights within the cutoff."""
    reach = KDE_CUTOFF_BANDWIDTHS * h
    width = int(2 * reach // cell_m) + 2
    first = np.ceil((p - reach - origin) / cell_m - 0.5).astype(np.int64)
    idx = first[:, None] + np.arange(width)[None, :]
    d = (origin + (idx + 0.5) * cell_m - p[:, None]) / h
    keep = (idx >= 0) & (idx < n) & (np.abs(d) <= KDE_CUTOFF_BANDWIDTHS)
    pts = np.broadcast_to(np.arange(len(p))[:, None], idx.shape)
    return sp.csr_matrix((np.exp(-0.5 * d[keep] ** 2), (pts[keep], idx[keep])), shape=(len(p), n))


def choose_kde_bandwidth(
    train_events: pd.DataFrame,
    *,
    grid: Grid,
    target_area_m2: float,
    candidates_m: Sequence[float] = DEFAULT_BANDWIDTHS_M,
    holdout_days: float = 7,
) -> float:
    """Pick the KDE bandwidth on the training window alone.

    The training incidents are split at ``holdout_days`` before the latest one: each
    candidate is fitted on the earlier incidents, and scored by how many of the later
    ones (inside the station) fall in its top cells at ``target_area_m2``. No test
    data is involved.

    Parameters
    ----------
    train_events : DataFrame
        Event frame; uses rows with ``source == 'incident'`` and columns ``x``, ``y``,
        ``occurred_at``, ``inside_station``.
    grid : Grid
    target_area_m2 : float
        The area the KDE baseline will get (the hotspots' area), m².
    candidates_m : sequence of float, default (25, 50, 100, 200)
        Bandwidths to try, metres.
    holdout_days : float, default 7
        Length of the held-out end of the training window, days.

    Returns
    -------
    float
        The bandwidth that caught the most held-out incidents. Ties, including no
        held-out or no fitting incidents at all, go to the largest candidate: the
        smoothest surface is the least over-fitted guess.
    """
    return kde_bandwidth_trial(
        train_events,
        grid=grid,
        target_area_m2=target_area_m2,
        candidates_m=candidates_m,
        holdout_days=holdout_days,
    )[0]


def kde_bandwidth_trial(
    train_events: pd.DataFrame,
    *,
    grid: Grid,
    target_area_m2: float,
    candidates_m: Sequence[float] = DEFAULT_BANDWIDTHS_M,
    holdout_days: float = 7,
) -> tuple[float, str]:
    """:func:`choose_kde_bandwidth` plus how it was decided.

    Returns
    -------
    (float, str)
        The bandwidth, metres, and ``"holdout"`` (chosen on the end of the training
        window) or ``"fallback"`` (too little training data: the largest candidate).
    """
    cands = [float(c) for c in candidates_m]
    if not cands or not all(math.isfinite(c) and c > 0 for c in cands):
        raise ValueError(f"candidates_m must be positive bandwidths in metres, got {candidates_m}")
    days = float(holdout_days)
    if not (math.isfinite(days) and days > 0):
        raise ValueError(f"holdout_days must be > 0, got {holdout_days}")
    inc = incident_rows(train_events, "train_events", inside_only=False, need_time=True)
    inc = inc[inc["occurred_at"].notna()]
    if inc.empty:
        return max(cands), "fallback"
    cutoff = inc["occurred_at"].max() - pd.Timedelta(days=days)
    fit = inc[inc["occurred_at"] <= cutoff]
    held = inc[(inc["occurred_at"] > cutoff) & inc["inside_station"]]
    if fit.empty or held.empty or target_area_m2 <= 0:
        return max(cands), "fallback"
    fit_xy = fit[["x", "y"]].to_numpy(dtype=float)
    hx, hy = held["x"].to_numpy(dtype=float), held["y"].to_numpy(dtype=float)
    best, best_hits = max(cands), -1
    for h in sorted(cands, reverse=True):  # largest first: it keeps ties
        chosen = top_cells(
            kde_scores(fit_xy, grid, bandwidth_m=h), grid.area_m2, target_area_m2=target_area_m2
        )
        selected = np.zeros(grid.n_cells, dtype=bool)
        selected[chosen] = True
        hits = int(grid.covered_by(selected, hx, hy).sum())
        if hits > best_hits:
            best, best_hits = h, hits
    return best, "holdout" if best_hits > 0 else "fallback"


# ------------------------------------------------------------------------ checking


def as_xy(xy, name: str) -> np.ndarray:
    """``xy`` as a float array of shape (n, 2); ``name`` is for the error message."""
    arr = np.asarray(xy, dtype=float)
    if arr.size == 0:
        return np.empty((0, 2))
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n, 2) of x, y in metres, got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} has NaN or infinite coordinates")
    return arr


def check_boundary(boundary_m) -> None:
    """Refuse anything but a non-empty shapely (Multi)Polygon with an area."""
    if not isinstance(boundary_m, shapely.Geometry) or boundary_m.geom_type not in (
        "Polygon",
        "MultiPolygon",
    ):
        raise ValueError(
            f"boundary_m must be a shapely Polygon or MultiPolygon, got {type(boundary_m).__name__}"
        )
    if boundary_m.is_empty or not boundary_m.area > 0:
        raise ValueError("boundary_m is empty or has no area")


def incident_rows(events, name: str, *, inside_only: bool, need_time: bool) -> pd.DataFrame:
    """The incident rows of an event frame that have coordinates.

    ``inside_only`` keeps only rows inside the station; ``need_time`` also requires an
    ``occurred_at`` column. ``name`` is for the error messages.
    """
    if not isinstance(events, pd.DataFrame):
        raise ValueError(f"{name} must be an event frame (DataFrame), got {type(events).__name__}")
    need = ["source", "x", "y", "inside_station"] + (["occurred_at"] if need_time else [])
    missing = [c for c in need if c not in events.columns]
    if missing:
        raise ValueError(f"{name} is missing columns {missing}")
    x = pd.to_numeric(events["x"], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(events["y"], errors="coerce").to_numpy(dtype=float)
    keep = (events["source"] == "incident").fillna(False).to_numpy(dtype=bool)
    keep = keep & np.isfinite(x) & np.isfinite(y)
    if inside_only:
        keep = keep & events["inside_station"].fillna(False).to_numpy(dtype=bool)
    return events.loc[keep]
