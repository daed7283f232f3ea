"""The populated area: where the significance test's chance puts events.

The union of grid cells that held an event, clipped to the station boundary
(:class:`PopulatedArea`), and uniform draws over it. Why this area is the null model's,
and what it cannot tell apart, is in :mod:`analytics.compute.significance`.

The clipping is the costly part (a GEOS intersection per cell the boundary cuts), so a
clipped area gives its arrays (:attr:`PopulatedArea.parts`) to be cached and rebuilt
without clipping, and :meth:`PopulatedArea.with_cells` clips only the cells it adds.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field

import numpy as np
import shapely

CELL_M = 250.0  # the grid, metres
# A point whose boundary test keeps failing after this many redraws (a sliver of a
# cell inside the boundary) takes the sliver's representative point.
_MAX_REDRAWS = 64
_GUIDE_PER_CELL = 4  # guide-table buckets per cell (PopulatedArea._cells_of)


def positive(name: str, value) -> float:
    """``value`` as a float, or a TypeError / ValueError naming ``name`` unless finite and > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def populated_cells(xy, *, cell_m: float = CELL_M) -> np.ndarray:
    """The grid cells (``floor(x / cell_m)``, ``floor(y / cell_m)``) holding a point of ``xy``.

    Parameters
    ----------
    xy : array-like of shape (n, 2), metres; rows with a NaN are ignored
    cell_m : float > 0, metres

    Returns
    -------
    ndarray of shape (k, 2), int64, sorted, unique
    """
    cell_m = positive("cell_m", cell_m)
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    xy = xy[np.isfinite(xy).all(axis=1)]
    cells = np.floor(xy / cell_m).astype(np.int64)
    if not len(cells):
        return cells.reshape(0, 2)
    # One int64 per cell, ordered as (i, j) are: a flat sort, ten times faster on a
    # million events than unique(axis=0)'s sort of rows.
    low = cells.min(axis=0)
    span = int(cells[:, 1].max() - low[1]) + 1
    keys = np.unique((cells[:, 0] - low[0]) * span + (cells[:, 1] - low[1]))
    return np.column_stack([keys // span + low[0], keys % span + low[1]])


PARTS = ("cells", "area", "box", "partial", "fallback")  # PopulatedArea.parts


def clip_cells(cells, *, cell_m: float, boundary=None) -> dict[str, np.ndarray]:
    """Grid cells clipped to ``boundary``: what :class:`PopulatedArea` draws from.

    Parameters
    ----------
    cells : array-like of int, shape (k, 2)
    cell_m : float > 0, metres
    boundary : shapely geometry in the same CRS, or None (cells not clipped)

    Returns
    -------
    dict of ndarray (:data:`PARTS`), one row per cell that keeps some area, cells
    unique and sorted: ``cells`` (k, 2) int64; ``area`` (k,) m² inside the boundary;
    ``box`` (k, 4) where to draw, x0 y0 x1 y1; ``partial`` (k,) bool, the boundary cuts
    it; ``fallback`` (k, 2) a point inside it.
    """
    cell_m = positive("cell_m", cell_m)
    cells = np.asarray(cells)
    if cells.ndim != 2 or cells.shape[1] != 2 or not np.issubdtype(cells.dtype, np.integer):
        raise ValueError(f"cells must be an int array of shape (k, 2), got {cells.shape}")
    cells = np.unique(cells.astype(np.int64), axis=0).reshape(-1, 2)
    lo = cells * cell_m
    box = np.column_stack([lo, lo + cell_m]).astype(float)
    area = np.full(len(cells), cell_m * cell_m)
    partial = np.zeros(len(cells), dtype=bool)
    fallback = lo + cell_m / 2.0
    if boundary is not None and len(cells):
        squares = shapely.box(box[:, 0], box[:, 1], box[:, 2], box[:, 3])
        # A private copy to prepare (a shared prepared geometry is not thread-safe).
        boundary = shapely.from_wkb(shapely.to_wkb(boundary))
        shapely.prepare(boundary)
        # A square the boundary neither holds nor touches keeps nothing: no intersection.
        partial = ~shapely.contains(boundary, squares)
        outside = partial & ~shapely.intersects(boundary, squares)
        area[outside] = 0.0
        partial &= ~outside
        if partial.any():
            clipped = shapely.intersection(squares[partial], boundary)
            area[partial] = shapely.area(clipped)
            bounds = shapely.bounds(clipped)
            ok = np.isfinite(bounds).all(axis=1)
            sub = box[partial]
            sub[ok] = bounds[ok]
            box[partial] = sub
            inner = shapely.get_coordinates(shapely.point_on_surface(clipped[ok]))
            fb = fallback[partial]
            fb[ok] = inner
            fallback[partial] = fb
        keep = area > 0  # a cell that only touches the boundary holds nothing
        cells, box, area = cells[keep], box[keep], area[keep]
        partial, fallback = partial[keep], fallback[keep]
    return {"cells": cells, "area": area, "box": box, "partial": partial, "fallback": fallback}


def _check_parts(parts: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """:func:`clip_cells`' output, as kept by a cache: the shapes and types checked."""
    if set(parts) != set(PARTS):
        raise ValueError(f"parts must hold {PARTS}, got {sorted(parts)}")
    out = {
        "cells": np.asarray(parts["cells"], dtype=np.int64).reshape(-1, 2),
        "area": np.asarray(parts["area"], dtype=float).reshape(-1),
        "box": np.asarray(parts["box"], dtype=float).reshape(-1, 4),
        "partial": np.asarray(parts["partial"], dtype=bool).reshape(-1),
        "fallback": np.asarray(parts["fallback"], dtype=float).reshape(-1, 2),
    }
    if len({len(v) for v in out.values()}) != 1:
        raise ValueError("parts must have one row per cell in each array")
    return out


def _cell_keys(cells: np.ndarray) -> np.ndarray:
    """One int64 per cell (i in the high half, j in the low), for set operations."""
    return (cells[:, 0] << 32) | (cells[:, 1] & 0xFFFFFFFF)


@dataclass(frozen=True, eq=False)
class PopulatedArea:
    """Where the null model scatters its points: grid cells clipped to a boundary.

    Build with :meth:`from_points` (the cells that held an event) or :meth:`from_cells`.

    Attributes
    ----------
    cells : ndarray of shape (k, 2), int64
        Cell indices: cell ``(i, j)`` covers ``[i, i + 1) × [j, j + 1)`` times ``cell_m``.
    cell_m : float, metres
    boundary : shapely geometry in the same CRS, or None (cells not clipped)
    """

    cells: np.ndarray
    cell_m: float
    boundary: object = None
    _area: np.ndarray = field(init=False, repr=False)  # per cell, m², inside the boundary
    _box: np.ndarray = field(init=False, repr=False)  # per cell, where to draw: x0 y0 x1 y1
    _partial: np.ndarray = field(init=False, repr=False)  # per cell: the boundary cuts it
    _fallback: np.ndarray = field(init=False, repr=False)  # per cell: a point inside it
    _inside: object = field(init=False, repr=False)  # its own prepared copy of the boundary
    _cdf: np.ndarray = field(init=False, repr=False)  # per cell: the area's cumulative share
    _guide: np.ndarray = field(init=False, repr=False)  # where to start looking in _cdf

    # Its cells already clipped (:attr:`parts`, from a cache): nothing is clipped again.
    clipped: InitVar[Mapping[str, np.ndarray] | None] = None

    def __post_init__(self, clipped):
        cell_m = positive("cell_m", self.cell_m)
        if clipped is None:
            parts = clip_cells(self.cells, cell_m=cell_m, boundary=self.boundary)
        else:
            parts = _check_parts(clipped)
        cells, area, box = parts["cells"], parts["area"], parts["box"]
        partial, fallback = parts["partial"], parts["fallback"]
        object.__setattr__(self, "cells", cells)
        object.__setattr__(self, "cell_m", cell_m)
        object.__setattr__(self, "_area", area)
        object.__setattr__(self, "_box", box)
        object.__setattr__(self, "_partial", partial)
        object.__setattr__(self, "_fallback", fallback)
        # shapely.contains_xy prepares the geometry it is given, in place: the boundary
        # passed in is the station's, shared by every thread (see analytics.station.geo).
        inside = None if self.boundary is None else shapely.from_wkb(shapely.to_wkb(self.boundary))
        object.__setattr__(self, "_inside", inside)
        # What ``rng.choice(len(cells), p=area / area.sum())`` computes on each call, once:
        # the cumulative shares, and a guide table (the "indexed search" of Chen & Asau,
        # 1974) so that finding a draw's cell is a step or two, not a binary search.
        cdf = np.zeros(0)
        guide = np.zeros(1, dtype=np.intp)
        if len(cells):
            cdf = (area / area.sum()).cumsum()
            cdf /= cdf[-1]
            m = _GUIDE_PER_CELL * len(cells)
            # Bucket j starts below (j - 0.5) / m: a draw u whose floor(u * m) is j (even
            # rounded up) is at least that, so the walk from there never starts past it.
            starts = (np.arange(m + 1) - 0.5) / m
            guide = cdf.searchsorted(starts, side="right")
        object.__setattr__(self, "_cdf", cdf)
        object.__setattr__(self, "_guide", guide)

    @classmethod
    def from_points(cls, xy, *, cell_m: float = CELL_M, boundary=None) -> PopulatedArea:
        """The cells that hold at least one of ``xy`` (:func:`populated_cells`), clipped."""
        return cls(populated_cells(xy, cell_m=cell_m), cell_m, boundary)

    @classmethod
    def from_cells(cls, cells, *, cell_m: float = CELL_M, boundary=None) -> PopulatedArea:
        """An area of the given cells (``(k, 2)`` ints), clipped to ``boundary``."""
        return cls(np.asarray(cells, dtype=np.int64).reshape(-1, 2), cell_m, boundary)

    @property
    def parts(self) -> dict[str, np.ndarray]:
        """Its clipped cells (:func:`clip_cells`): what a cache keeps, to build it again
        with ``PopulatedArea(cells, cell_m, boundary, clipped=...)`` and no clipping."""
        return {
            "cells": self.cells,
            "area": self._area,
            "box": self._box,
            "partial": self._partial,
            "fallback": self._fallback,
        }

    def with_cells(self, cells) -> PopulatedArea:
        """This area and ``cells`` (``(k, 2)`` ints): only the cells it lacks are clipped.

        The same area as ``from_cells`` of both sets (a test compares them).
        """
        cells = np.asarray(cells, dtype=np.int64).reshape(-1, 2)
        new = cells[~np.isin(_cell_keys(cells), _cell_keys(self.cells))]
        if not len(new):
            return self
        added = clip_cells(new, cell_m=self.cell_m, boundary=self.boundary)
        mine = self.parts
        merged = {k: np.concatenate([mine[k], added[k]]) for k in PARTS}
        order = np.lexsort((merged["cells"][:, 1], merged["cells"][:, 0]))
        merged = {k: v[order] for k, v in merged.items()}
        return PopulatedArea(merged["cells"], self.cell_m, self.boundary, clipped=merged)

    @property
    def area_m2(self) -> float:
        """Its area in m² (inside the boundary)."""
        return float(self._area.sum())

    def __len__(self) -> int:
        return len(self.cells)

    def sample(self, n: int, *, rng: np.random.Generator) -> np.ndarray:
        """``n`` points uniform over the area (metres), shape (n, 2).

        A cell is chosen in proportion to its area inside the boundary, then a point
        uniformly inside that part (drawn in the part's bounding box, redrawn while it
        falls outside the boundary).
        """
        if len(self.cells) == 0:
            raise ValueError("the populated area is empty: no cell to place a point in")
        k = self._cells_of(rng.random(n))
        box = self._box[k]
        xy = box[:, :2] + rng.random((n, 2)) * (box[:, 2:] - box[:, :2])
        redo = np.flatnonzero(self._partial[k])
        for _ in range(_MAX_REDRAWS):
            if not len(redo):
                break
            redo = redo[~shapely.contains_xy(self._inside, xy[redo, 0], xy[redo, 1])]
            if len(redo):
                b = box[redo]
                xy[redo] = b[:, :2] + rng.random((len(redo), 2)) * (b[:, 2:] - b[:, :2])
        if len(redo):
            redo = redo[~shapely.contains_xy(self._inside, xy[redo, 0], xy[redo, 1])]
            xy[redo] = self._fallback[k[redo]]
        return xy

    def _cells_of(self, u: np.ndarray) -> np.ndarray:
        """The cell each uniform draw ``u`` in [0, 1) falls in: exactly
        ``rng.choice(len(cells), p=shares)``'s ``cdf.searchsorted(u, side="right")``
        (the same draws give the same cells), about five times faster."""
        cdf, guide = self._cdf, self._guide
        at = guide[(u * (len(guide) - 1)).astype(np.intp)]
        todo = np.flatnonzero(cdf[at] <= u)
        while len(todo):  # cdf[-1] is 1 > u: every walk stops inside the table
            at[todo] += 1
            todo = todo[cdf[at[todo]] <= u[todo]]
        return at
