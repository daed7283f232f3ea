"""A grid of DBSCAN (and HDBSCAN) settings scored on rolling weeks, with the work shared.

:func:`analytics.compute.backtest.tune_hotspot_parameters` asks, for every
(eps_m, min_samples) of a grid and every test week: which share of the week's
incidents fall in the hotspots found on the training days before it, and how much of
the station those hotspots cover. Running DBSCAN and drawing every hotspot for each
of the 9 × 6 settings and 8 weeks (432 times) repeats most of the work, so
:func:`score_grid` shares it:

- Events at the same address share their neighbourhood: each distinct location is
  one point with its count of events per weight. A location is core when the
  weighted events within ``eps_m`` (its own included) reach ``min_samples``, exactly
  as for every event on it in :func:`analytics.compute.hotspots.dbscan_labels`.
- One radius query at the largest eps gives every pair of locations and its squared
  distance; an eps takes the pairs up to it, a window the pairs between its
  locations, and the neighbour sums grow eps by eps.
- ``min_samples`` only moves the core threshold: the components and the border
  points of every threshold come from the same pairs.
- A hotspot's polygon depends only on eps and its hull, and consecutive training
  windows share three weeks of four, so the same hotspot recurs: its hull is drawn
  once per set of member locations, and its polygon, its area inside the station and
  the test incidents it catches once per hull.
- When only the choice matters (the cached "auto"), a setting whose hotspot areas so
  far already put its mean over the budget is scored no further (``area_cap_m2``).
- An HDBSCAN setting (:mod:`analytics.compute.hdbscan_engine`) starts from the DBSCAN
  components of its eps_m / min_samples, computed as above, and splits them with
  :func:`~analytics.compute.hdbscan_engine.split_components` on the distinct
  locations; its sizes share one HDBSCAN tree, and a component met again (the same
  locations and weights, at another eps or in another week) is not split again.
- With the grid's cells (``cells``), each setting's area also gets the naive
  top-count grid of the same area and the best cells of that area in the test week
  (PEI's denominator): the cells are ranked once per week, and an area is a
  cumulative look-up, as :func:`analytics.compute.baselines.top_cells` takes them.

The scores are those of :func:`analytics.compute.evaluation.hit_rate_area` on the
polygons of :func:`analytics.compute.profiles.polygons`, with three differences that
do not change a tuning's choice on the demo year or the benchmark year
(``bench/auto_bench.py``):

- the area of the hotspots' union inside the station is summed over groups of
  overlapping polygons (equal up to floating-point rounding);
- a border location between equidistant core locations of two hotspots joins the
  one listed first in (x, y) order, where a k-d tree's search order decides in
  ``dbscan_labels``;
- hulls are drawn around distinct locations. GEOS 3.14's convex hull of points with
  many repeats can come out not convex (a point inside the hull taken as a vertex),
  which shrinks a polygon by a few square metres; distinct points avoid that.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from analytics.compute import profiles
from analytics.compute.baselines import Grid

# Tolerance on weighted neighbour sums, as in analytics.compute.hotspots._core_mask.
_WEIGHT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Window:
    """One rolling week: hotspots found on ``[train_start, train_end)``, scored on
    ``[test_start, test_end)``. Times are int64 nanoseconds since the epoch (UTC)."""

    train_start: int
    train_end: int
    test_start: int
    test_end: int


class Setting(NamedTuple):
    """One setting of the grid: DBSCAN's ``(eps_m, min_samples)``, or HDBSCAN's with its
    ``min_cluster_size`` (:mod:`analytics.compute.hdbscan_engine`)."""

    eps_m: float
    min_samples: float
    engine: str = "dbscan"
    min_cluster_size: float | None = None


class WeekScore(NamedTuple):
    """What one setting's hotspots did in one week.

    ``hit_rate``, ``area_share`` and ``n_test`` as in
    :class:`~analytics.compute.evaluation.HitRate`. With the grid's cells
    (``score_grid(cells=...)``), ``grid_hit_rate`` is what the naive top-count cells of
    the same area caught, and ``best_hit_rate`` what the best cells of that area could
    have caught (PEI's denominator); otherwise None.
    """

    hit_rate: float | None
    area_share: float
    n_test: int
    grid_hit_rate: float | None = None
    best_hit_rate: float | None = None

    @property
    def pei(self) -> float | None:
        """Hit rate over the best of the same area (NIJ 2017), or None."""
        if self.hit_rate is None or not self.best_hit_rate:
            return None
        return self.hit_rate / self.best_hit_rate


@dataclass(frozen=True, eq=False)
class GridCells:
    """The naive grid's training incidents, for the baseline and PEI in every window.

    ``train_xy``/``train_t`` are the incidents the naive grid counts (every incident
    with a place, as :func:`analytics.compute.evaluation.evaluate_hotspots` counts
    them); a test incident counts in the cell that holds it (:meth:`Grid.cell_of`),
    where the evaluation also counts one on the line of a chosen neighbour: the same
    but for incidents exactly on a grid line.
    """

    grid: Grid
    train_xy: np.ndarray
    train_t: np.ndarray


def score_grid(
    xy: np.ndarray,
    t: np.ndarray,
    w: np.ndarray,
    test_xy: np.ndarray,
    test_t: np.ndarray,
    *,
    windows: Sequence[Window],
    settings: Sequence[tuple],
    boundary_m,
    area_cap_m2: float | None = None,
    cells: GridCells | None = None,
) -> list[list[WeekScore | None]]:
    """Hit rate and area share of every setting's hotspots in every window.

    Parameters
    ----------
    xy : ndarray of shape (n, 2)
        The events DBSCAN clusters (sources, station and geocoding filters already
        applied), metres.
    t : ndarray of shape (n,), int64 nanoseconds since the epoch
    w : ndarray of shape (n,), each event's weight towards ``min_samples``
    test_xy : ndarray of shape (m, 2)
        The incidents the hotspots are scored on, metres.
    test_t : ndarray of shape (m,), int64 nanoseconds since the epoch
    windows : sequence of :class:`Window`
    settings : sequence of :class:`Setting` (or ``(eps_m, min_samples)`` pairs: DBSCAN)
    boundary_m : shapely Polygon or MultiPolygon, the station boundary in metres
    area_cap_m2 : float, optional
        Stop scoring a setting once its hotspot areas (inside the boundary, m²) summed
        over the windows scored so far exceed this: its remaining windows are None.
        With the budget times the number of windows, a setting is dropped only when
        its mean area is already sure to exceed the budget. Default: score everything.
    cells : GridCells, optional
        Also score the naive grid at each setting's area and the best possible hit rate
        (:class:`WeekScore`'s ``grid_hit_rate`` and ``best_hit_rate``).

    Returns
    -------
    list, per setting (in ``settings`` order), of lists per window (in ``windows``
    order) of :class:`WeekScore`, or None where the setting was dropped.
    """
    wanted = [Setting(*s) for s in settings]
    keys = [_key(s) for s in wanted]
    by_eps: dict[float, set[tuple]] = {}
    for key in keys:
        by_eps.setdefault(key[0], set()).add(key)
    eps_values = sorted(by_eps)
    places = _Places(xy, t, w, windows=windows, max_eps=eps_values[-1])
    hotspots = _Hotspots(places.xy, boundary_m)
    test_xy = np.asarray(test_xy, dtype=float).reshape(-1, 2)
    test_t = np.asarray(test_t, dtype=np.int64)
    scale = None
    if any(key[2] == "hdbscan" for key in keys):
        from analytics.compute.hdbscan_engine import repeat_scale

        scale = repeat_scale(places.weights) if len(places.weights) else 1
    table: dict[tuple, WeekScore] = {}
    area_so_far = dict.fromkeys(keys, 0.0)
    memo: dict = {}  # HDBSCAN's splits of the components met so far
    for j, window in enumerate(windows):
        in_week = (test_t >= window.test_start) & (test_t < window.test_end)
        week = _TestWeek(test_xy[in_week])
        naive = None if cells is None else _Naive(cells, window, test_xy[in_week])
        local = places.window(j)
        for eps, links, sums in local.neighbour_sums(eps_values):
            live = [
                key for key in by_eps[eps] if area_cap_m2 is None or area_so_far[key] <= area_cap_m2
            ]
            for ms in sorted({key[1] for key in live}):
                core = sums >= ms - _WEIGHT_TOLERANCE
                components = links.labels(core)
                found = {key: components for key in live if key[1] == ms and key[2] == "dbscan"}
                sizes = sorted({key[3] for key in live if key[1] == ms and key[2] == "hdbscan"})
                if sizes:
                    split = _hdbscan_labels(
                        local, links, components, core, ms=ms, sizes=sizes, scale=scale, memo=memo
                    )
                    found |= {(eps, ms, "hdbscan", size): split[size] for size in sizes}
                for key, labels in sorted(found.items()):
                    ids = hotspots.ids(local.index, labels, eps)
                    area_m2 = hotspots.union_area(ids)
                    area_so_far[key] += area_m2
                    hit_rate = week.caught(ids, hotspots) / week.n if week.n else None
                    score = WeekScore(hit_rate, area_m2 / hotspots.boundary_area, week.n)
                    if naive is not None and week.n:
                        grid_hits, best_hits = naive.at(area_m2)
                        score = score._replace(
                            grid_hit_rate=grid_hits / week.n, best_hit_rate=best_hits / week.n
                        )
                    table[(*key, j)] = score
    return [[table.get((*key, j)) for j in range(len(windows))] for key in keys]


def _key(setting: Setting) -> tuple:
    """A setting as a key: DBSCAN's has no min_cluster_size; HDBSCAN's is raised to min_samples."""
    eps, ms = float(setting.eps_m), float(setting.min_samples)
    if setting.engine == "dbscan":
        return (eps, ms, "dbscan", 0.0)
    if setting.engine != "hdbscan":
        raise ValueError(f"engine must be 'dbscan' or 'hdbscan', got {setting.engine!r}")
    return (eps, ms, "hdbscan", max(float(setting.min_cluster_size or ms), ms))


def _hdbscan_labels(local, links, components, core, *, ms, sizes, scale, memo) -> dict:
    """For each least cluster size: HDBSCAN inside each DBSCAN component of the
    window's core locations, and the other locations joined to the nearest hotspot
    location within eps, as :func:`analytics.compute.hdbscan_engine.hdbscan_labels`
    does for events."""
    from analytics.compute.hdbscan_engine import split_components

    at = np.flatnonzero(core)
    if len(at) == 0:
        return {size: np.full(len(core), -1, dtype=np.int64) for size in sizes}
    own = local.weights @ local.counts  # each location's own weighted events
    split = split_components(
        local.xy[at],
        own[at],
        components[at],
        min_samples=ms,
        min_cluster_size=sizes,
        scale=scale,
        names=local.index[at],
        memo=memo,
    )
    out = {}
    for size, found in zip(sizes, split, strict=True):
        labels = np.full(len(core), -1, dtype=np.int64)
        labels[at] = found
        out[size] = links.join_nearest(labels, core)
    return out


class _Naive:
    """One window's naive grid (training incidents per cell) and hindsight (the week's
    incidents per cell), both ranked once so that any area is a cumulative look-up."""

    def __init__(self, cells: GridCells, window: Window, week_xy: np.ndarray) -> None:
        grid = cells.grid
        m = (cells.train_t >= window.train_start) & (cells.train_t < window.train_end)
        train = grid.cell_of(cells.train_xy[m, 0], cells.train_xy[m, 1])
        counts = np.bincount(train[train >= 0], minlength=grid.n_cells)
        week = grid.cell_of(week_xy[:, 0], week_xy[:, 1])
        caught = np.bincount(week[week >= 0], minlength=grid.n_cells)
        self.grid = _Ranked(counts, caught, grid.area_m2)
        self.best = _Ranked(caught, caught, grid.area_m2)

    def at(self, area_m2: float) -> tuple[int, int]:
        """Test incidents in the naive grid's and in the best cells of ``area_m2``."""
        return self.grid.hits(area_m2), self.best.hits(area_m2)


class _Ranked:
    """Cells in :func:`analytics.compute.baselines.top_cells` order (score descending,
    ties and zero scores in cell order) with cumulative areas and test incidents."""

    def __init__(self, scores: np.ndarray, caught: np.ndarray, area: np.ndarray) -> None:
        positive = np.flatnonzero(scores > 0)
        order = np.r_[
            positive[np.argsort(-scores[positive], kind="stable")], np.flatnonzero(scores <= 0)
        ]
        self.area = np.cumsum(area[order])
        self.caught = np.cumsum(caught[order])

    def hits(self, target: float) -> int:
        """What :func:`~analytics.compute.baselines.top_cells` would take at ``target``
        m², and the test incidents in it."""
        if target <= 0 or len(self.area) == 0:
            return 0
        k = int(np.searchsorted(self.area, target, side="left"))
        if k >= len(self.area):
            return int(self.caught[-1])
        under = self.area[k - 1] if k > 0 else 0.0
        n = k + 1 if k == 0 or self.area[k] - target <= target - under else k
        return int(self.caught[n - 1])


class _Places:
    """The distinct locations of the training events, their pairs within the largest
    eps, and their events per window and weight."""

    def __init__(self, xy, t, w, *, windows: Sequence[Window], max_eps: float) -> None:
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        t = np.asarray(t, dtype=np.int64)
        w = np.asarray(w, dtype=float)
        in_window = np.zeros(len(xy), dtype=bool)
        for window in windows:
            in_window |= (t >= window.train_start) & (t < window.train_end)
        xy, t, w = xy[in_window], t[in_window], w[in_window]
        # Distinct locations in (x, y) order: find_hotspots' canonical order with the
        # repeats collapsed.
        self.xy, where = np.unique(xy, axis=0, return_inverse=True)
        where = where.reshape(-1)
        n = len(self.xy)
        # Weighted sums add weight × count in ascending weight order, as _core_mask does.
        self.weights = np.unique(w)
        weight_of = np.searchsorted(self.weights, w)
        self.counts = np.zeros((len(windows), len(self.weights), n), dtype=np.int64)
        for j, window in enumerate(windows):
            m = (t >= window.train_start) & (t < window.train_end)
            flat = np.bincount(weight_of[m] * n + where[m], minlength=len(self.weights) * n)
            self.counts[j] = flat.reshape(len(self.weights), n)
        self.a, self.b, self.d2 = _pairs(self.xy, max_eps=max_eps)

    def window(self, j: int) -> _Window:
        """Window ``j``'s locations (those with events in it), renumbered from 0."""
        index = np.flatnonzero(self.counts[j].sum(axis=0) > 0)
        local = np.full(len(self.xy), -1, dtype=np.int64)
        local[index] = np.arange(len(index))
        a, b = local[self.a], local[self.b]
        keep = (a >= 0) & (b >= 0)
        return _Window(
            index,
            self.xy[index],
            self.weights,
            self.counts[j][:, index],
            a[keep],
            b[keep],
            self.d2[keep],
        )


class _Window:
    """One window's locations (renumbered from 0) and their pairs within the largest eps."""

    def __init__(self, index, xy, weights, counts, a, b, d2) -> None:
        self.index = index  # (n,) the locations' numbers in _Places
        self.xy = xy  # (n, 2) their coordinates, in (x, y) order
        self.weights = weights  # (v,) distinct weights, ascending
        self.counts = counts  # (v, n) events per weight at each location
        # Pairs (a, b), nearest first, then by (a, b), and their squared distances.
        self.a, self.b, self.d2 = a, b, d2
        # Both directions grouped by row, for the components' CSR graph at any eps.
        rows, cols = np.r_[a, b], np.r_[b, a]
        order = np.argsort(rows, kind="stable")
        self.rows, self.cols, self.row_d2 = rows[order], cols[order], np.r_[d2, d2][order]

    def neighbour_sums(
        self, eps_values: Sequence[float]
    ) -> Iterator[tuple[float, _Links, np.ndarray]]:
        """Yield ``(eps, links, sums)`` for ascending eps: the pairs within eps and each
        location's weighted events within eps, its own included."""
        n = len(self.index)
        within = self.counts.copy()  # per weight: events within eps, the location's own first
        done = 0
        for eps in eps_values:
            upto = int(np.searchsorted(self.d2, eps * eps, side="right"))
            a, b = self.a[done:upto], self.b[done:upto]
            for k in range(len(self.weights)):
                c = self.counts[k]
                added = np.bincount(a, weights=c[b], minlength=n)
                added += np.bincount(b, weights=c[a], minlength=n)
                within[k] += added.astype(np.int64)
            done = upto
            sums = np.zeros(n)
            for k, value in enumerate(self.weights):
                sums += value * within[k]
            near = self.row_d2 <= eps * eps
            links = _Links(self.a[:upto], self.b[:upto], self.rows[near], self.cols[near], n)
            yield eps, links, sums


class _Links:
    """The pairs of locations within one eps, for DBSCAN at any core threshold."""

    def __init__(self, a, b, rows, cols, n: int) -> None:
        self.a, self.b = a, b  # pairs, nearest first, then by (a, b)
        self.rows, self.cols = rows, cols  # both directions, grouped by row
        self.n = n

    def labels(self, core: np.ndarray) -> np.ndarray:
        """DBSCAN labels: core locations linked within eps share one, a border location
        takes its nearest core location's (the first pair listed: nearest, then the
        smaller number), the rest are -1."""
        n = self.n
        labels = np.full(n, -1, dtype=np.int64)
        if not core.any():
            return labels
        keep = core[self.rows] & core[self.cols]
        indptr = np.zeros(n + 1, dtype=np.int32)  # int32: scipy takes it without a copy
        np.cumsum(np.bincount(self.rows[keep], minlength=n), out=indptr[1:])
        cols = self.cols[keep].astype(np.int32)
        graph = csr_matrix((np.ones(len(cols)), cols, indptr), shape=(n, n))
        _, component = connected_components(graph, directed=False)
        labels[core] = component[core]
        a, b = self.a, self.b
        one = core[a] != core[b]
        border = np.where(core[a], b, a)[one]
        nearest = np.where(core[a], a, b)[one]
        first = np.full(n, len(border), dtype=np.int64)
        np.minimum.at(first, border, np.arange(len(border)))
        took = np.flatnonzero(first < len(border))
        labels[took] = labels[nearest[first[took]]]
        return labels

    def join_nearest(self, labels: np.ndarray, core: np.ndarray) -> np.ndarray:
        """HDBSCAN's parts (``labels`` of the core locations, -1 its noise) with the rest
        joined as :func:`analytics.compute.hdbscan_engine.hdbscan_labels` joins them: a
        noise core location to its nearest part location within eps, a border location
        to the part of its nearest core location (the first such pair listed)."""
        labels = labels.copy()
        a, b = self.a, self.b
        hot = core & (labels >= 0)
        for joining, to in ((core & ~hot, hot), (~core, core)):
            one = (joining[a] & to[b]) | (joining[b] & to[a])
            if not one.any():
                continue
            near_a = joining[a] & to[b]  # a joins b (else b joins a)
            who = np.where(near_a, a, b)[one]
            nearest = np.where(near_a, b, a)[one]
            first = np.full(self.n, len(who), dtype=np.int64)
            np.minimum.at(first, who, np.arange(len(who)))
            took = np.flatnonzero(first < len(who))
            labels[took] = labels[nearest[first[took]]]
        return labels


class _TestWeek:
    """A week's test incidents and which of them each polygon catches."""

    def __init__(self, xy: np.ndarray) -> None:
        self.n = len(xy)
        self.tree = shapely.STRtree(shapely.points(xy)) if self.n else None
        self.by_polygon: dict[int, np.ndarray] = {}  # polygon id → caught incidents

    def caught(self, ids: list[int], hotspots: _Hotspots) -> int:
        """Incidents in the union of polygons ``ids`` (an edge counts as inside)."""
        missing = [i for i in ids if i not in self.by_polygon]
        if missing:
            polys = np.asarray([hotspots.polygons[i] for i in missing], dtype=object)
            which, point = self.tree.query(polys, predicate="intersects")
            order = np.argsort(which, kind="stable")
            split = np.searchsorted(which[order], np.arange(len(missing) + 1))
            for n, i in enumerate(missing):
                self.by_polygon[i] = point[order[split[n] : split[n + 1]]]
        if not ids:
            return 0
        inside = np.zeros(self.n, dtype=bool)
        for i in ids:
            inside[self.by_polygon[i]] = True
        return int(inside.sum())


class _Hotspots:
    """Every hotspot polygon drawn so far, by its eps and member locations, and by its
    eps and hull; its area inside the boundary; the areas of overlapping groups."""

    def __init__(self, xy: np.ndarray, boundary_m) -> None:
        self.xy = xy
        # A private copy to prepare: GEOS fills a prepared geometry's indexes on first use,
        # so one shared by two threads (the warm-up and a session scoring at once) can
        # crash the server (a segfault in contains_properly).
        self.boundary = shapely.from_wkb(shapely.to_wkb(boundary_m))
        self.boundary_area = float(boundary_m.area)
        shapely.prepare(self.boundary)
        # A set of locations is named by two random 64-bit sums (a collision between
        # two different sets has odds of about 2**-128).
        rng = np.random.default_rng(0)
        self.location_hash = rng.integers(
            0, np.iinfo(np.uint64).max, size=(len(xy), 2), dtype=np.uint64, endpoint=True
        )
        self.by_members: dict[tuple, int] = {}
        self.by_hull: dict[tuple, int] = {}
        self.polygons: list = []
        self.area: list[float] = []  # m² inside the boundary
        self.inside: list[bool] = []  # wholly inside the boundary
        self.group_area: dict[tuple[int, ...], float] = {}

    def ids(self, index: np.ndarray, labels: np.ndarray, eps: float) -> list[int]:
        """The polygon id of each hotspot (locations ``index[labels == c]``), drawing new ones."""
        clustered = np.flatnonzero(labels >= 0)
        if len(clustered) == 0:
            return []
        clustered = clustered[np.argsort(labels[clustered], kind="stable")]
        label = labels[clustered]
        members = index[clustered]  # numbers in _Places, grouped by hotspot
        starts = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
        sizes = np.diff(np.r_[starts, len(members)])
        h = self.location_hash[members]
        h1, h2 = np.add.reduceat(h[:, 0], starts), np.add.reduceat(h[:, 1], starts)
        keys = [(eps, *key) for key in zip(h1.tolist(), h2.tolist(), sizes.tolist(), strict=True)]
        new = [c for c, key in enumerate(keys) if key not in self.by_members]
        if new:
            renumber = np.full(len(keys), -1, dtype=np.int64)
            renumber[new] = np.arange(len(new))
            sub = renumber[np.repeat(np.arange(len(keys)), sizes)]
            pts = self.xy[members[sub >= 0]]
            hulls = profiles.hulls(pts[:, 0], pts[:, 1], sub[sub >= 0], len(new))
            hull_keys = [(eps, wkb) for wkb in shapely.to_wkb(hulls).tolist()]
            self._draw(hulls, hull_keys, eps)
            for c, hull_key in zip(new, hull_keys, strict=True):
                self.by_members[keys[c]] = self.by_hull[hull_key]
        return [self.by_members[key] for key in keys]

    def _draw(self, hulls: np.ndarray, hull_keys: list[tuple], eps: float) -> None:
        """Polygons, and their areas inside the boundary, of the hulls not drawn before."""
        todo: dict[tuple, int] = {}
        for n, key in enumerate(hull_keys):
            if key not in self.by_hull and key not in todo:
                todo[key] = n
        if not todo:
            return
        polygons = profiles.outlines(hulls[list(todo.values())], eps_m=eps)
        inside = shapely.contains_properly(self.boundary, polygons)
        area = shapely.area(polygons)
        if not inside.all():
            area[~inside] = shapely.area(shapely.intersection(polygons[~inside], self.boundary))
        for n, key in enumerate(todo):
            self.by_hull[key] = len(self.polygons)
            self.polygons.append(polygons[n])
            self.area.append(float(area[n]))
            self.inside.append(bool(inside[n]))

    def union_area(self, ids: list[int]) -> float:
        """Area (m²) inside the boundary of the union of polygons ``ids``: a polygon that
        overlaps none adds its own, overlapping ones are merged first."""
        if not ids:
            return 0.0
        polys = np.asarray([self.polygons[i] for i in ids], dtype=object)
        left, right = shapely.STRtree(polys).query(polys, predicate="intersects")
        apart = left < right
        if not apart.any():
            return float(sum(self.area[i] for i in ids))
        # Groups of overlapping polygons (few and small): a plain union-find.
        parent = list(range(len(ids)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, j in zip(left[apart].tolist(), right[apart].tolist(), strict=True):
            parent[root(j)] = root(i)
        groups: dict[int, list[int]] = {}
        for i in range(len(ids)):
            groups.setdefault(root(i), []).append(i)
        total = 0.0
        for members in groups.values():
            if len(members) == 1:
                total += self.area[ids[members[0]]]
                continue
            key = tuple(sorted(ids[m] for m in members))
            if key not in self.group_area:
                union = shapely.union_all(polys[members])
                if not all(self.inside[i] for i in key):
                    union = shapely.intersection(union, self.boundary)
                self.group_area[key] = float(union.area)
            total += self.group_area[key]
        return total


def _pairs(xy: np.ndarray, *, max_eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (a < b) of distinct locations within ``max_eps`` and their squared
    distances, sorted by (distance, a, b).

    Squared distances are compared with eps², as the DBSCAN backends do.
    """
    if len(xy) < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    # A hair wider than max_eps: the exact test is on the squared distance below.
    pairs = cKDTree(xy).query_pairs(max_eps * (1 + 1e-9), output_type="ndarray")
    a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    dx, dy = xy[a, 0] - xy[b, 0], xy[a, 1] - xy[b, 1]
    d2 = dx * dx + dy * dy
    keep = d2 <= max_eps * max_eps
    a, b, d2 = a[keep], b[keep], d2[keep]
    order = np.lexsort((b, a, d2))
    return a[order], b[order], d2[order]
