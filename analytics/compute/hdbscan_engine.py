"""Variable density: HDBSCAN splits what DBSCAN chains.

DBSCAN draws one line: a point is core when the weighted events within ``eps_m``
reach ``min_samples``. A wide eps chains a dense market and the sparser street beside
it into one hotspot whose hull covers the ground between them; a narrow eps loses the
street. The ``hdbscan`` engine keeps DBSCAN's line and lets density decide inside it:

1. DBSCAN (:func:`analytics.compute.hotspots.dbscan_labels`) finds the core points and
   their components at ``eps_m`` / ``min_samples``: what is dense enough to be a
   hotspot at all;
2. scikit-learn's HDBSCAN (EOM selection, a single cluster allowed) runs on each
   component's core points, with the same ``min_samples`` and a least hotspot of
   ``min_cluster_size`` weighted events (never below ``min_samples``): a component of
   one density stays one hotspot, one with a dense core and a sparse arm, or two dense
   spots a wide eps joins, comes out as several;
3. a core point HDBSCAN leaves out (its noise) joins the nearest core point of a part
   within ``eps_m``, if there is one; DBSCAN's border points go with the core point
   DBSCAN gave them to.

So the engine clusters the events DBSCAN clusters at the same setting (less HDBSCAN's
noise farther than ``eps_m`` from every part: the sparse street between two markets)
and only splits hotspots: each part lies in one DBSCAN hotspot and holds at least
``min_cluster_size`` weighted events, and its polygon follows its own points, so the
hotspots lie inside DBSCAN's and catch at most what DBSCAN's catch, in less area. A component too light to hold two
parts of ``min_cluster_size`` (or one where HDBSCAN finds no cluster) stays as DBSCAN
has it.

Why not HDBSCAN on every event: on the station it clusters the countryside too, and a
village's hull is square kilometres (on the demo year, 20-140 km² of "hotspots" a
week against a patrol budget of 1 km²). Why not HDBSCAN's own noise: on the demo year
it drops the small repeat-address clusters that predict next week best (the tuner
scored both; ``bench/pei_bench.py``). ``cluster_selection_epsilon`` would merge
clusters below a distance, the other way round, and scikit-learn 1.9.1 raises on it
with NumPy 2.4 (scikit-learn issue #33219), so it is not used.

Weights. scikit-learn's HDBSCAN takes no sample weights, so a point of weight ``w``
is repeated ``round(w × s)`` times, and ``min_samples`` and ``min_cluster_size`` are
multiplied by ``s``, the least of 1, 2, 4, 5, 10 that makes every weight a whole
number of repeats (weight 0.5: ``s = 2``). Repeats at one place are what a police
export's repeat addresses are anyway, so the core distances HDBSCAN sees are the
weighted ones DBSCAN uses. Weights that are not multiples of 0.1 are rounded to them.

Cost. Repeat addresses are one point per place (with its repeats) before HDBSCAN,
which runs only on components heavy enough to split; several sizes share one tree.
HDBSCAN's tree costs the square of the points it is given (Prim's algorithm), so a
component may give it :data:`MAX_POINTS` repeated points at most.

:func:`analytics.compute.hotspots.hdbscan_labels` runs DBSCAN, then :func:`split_hotspots`.
:func:`split_components` is shared with the tuner (:mod:`analytics.compute.tuning`),
which runs it on the distinct places of each training window.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from analytics.text import text

# Repeated points HDBSCAN may be given for one component: its cost grows with the
# square (about 0.5 s at 16 000 points, bench/pei_bench.py's machine).
MAX_POINTS = 50_000
# Up to this many points HDBSCAN is given their distance matrix (8 bytes a pair).
_DENSE_MAX = 2_000
_SCALES = (1, 2, 4, 5, 10)
_TOL = 1e-9


def repeat_scale(weights) -> int:
    """The least of 1, 2, 4, 5, 10 that makes every weight times it a whole number (else 10)."""
    w = np.unique(np.asarray(weights, dtype=float))
    for s in _SCALES:
        if np.all(np.abs(w * s - np.round(w * s)) <= 1e-6):
            return s
    return _SCALES[-1]


def _sizes(min_samples: float, min_cluster_size: float, scale: int) -> tuple[int, int]:
    """HDBSCAN's min_samples and min_cluster_size in repeats (the size at least min_samples)."""
    samples = max(1, math.ceil(min_samples * scale - _TOL))
    size = max(2, math.ceil(max(min_cluster_size, min_samples) * scale - _TOL), samples)
    return samples, size


def split_components(
    xy: np.ndarray,
    weight: np.ndarray,
    component: np.ndarray,
    *,
    min_samples: float,
    min_cluster_size: float | Sequence[float],
    scale: int,
    names: np.ndarray | None = None,
    memo: dict | None = None,
):
    """HDBSCAN hotspots inside each DBSCAN component of core places.

    Parameters
    ----------
    xy : ndarray of shape (n, 2)
        Distinct core places, metres, in (x, y) order.
    weight : ndarray of shape (n,)
        Each place's weighted events.
    component : ndarray of shape (n,), int >= 0
        Each place's DBSCAN component.
    min_samples : float, weighted events
    min_cluster_size : float, weighted events, or a sequence of them: HDBSCAN's tree
        depends on ``min_samples`` alone, so several sizes cost one tree
    scale : int, from :func:`repeat_scale` of the event weights
    names, memo : optional
        A number per place that names it in every call, and a dict kept between calls:
        a component met again (the same places and weights) is not clustered again
        (the tuner meets the same component at several eps and in several weeks).

    Returns
    -------
    ndarray of shape (n,), int: hotspot numbers (components in ascending order, then
    HDBSCAN's), -1 where HDBSCAN calls a place noise (the caller joins it to the
    nearest hotspot); a list of them, one per size, when ``min_cluster_size`` is a
    sequence.

    Raises
    ------
    ValueError
        A component needs more than :data:`MAX_POINTS` repeated points.
    """
    many = not np.isscalar(min_cluster_size)
    asked = list(min_cluster_size) if many else [min_cluster_size]
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    repeats = np.maximum(1, np.round(np.asarray(weight, dtype=float) * scale)).astype(np.int64)
    component = np.asarray(component, dtype=np.int64)
    sizes = [_sizes(min_samples, c, scale)[1] for c in asked]
    samples = _sizes(min_samples, asked[0], scale)[0]
    out = [np.full(len(xy), -1, dtype=np.int64) for _ in asked]
    if len(xy) == 0:
        return out if many else out[0]
    order = np.argsort(component, kind="stable")  # places keep their order in a component
    starts = np.flatnonzero(np.r_[True, np.diff(component[order]) != 0])
    totals = np.add.reduceat(repeats[order], starts).tolist()
    bounds = np.r_[starts, len(order)]
    n_found = [0] * len(asked)
    for c, total in enumerate(totals):
        members = order[bounds[c] : bounds[c + 1]]
        split = [total >= 2 * size and len(members) > 1 for size in sizes]
        found = _split(xy, repeats, members, samples, sizes, split, total, names, memo)
        for i, size in enumerate(sizes):
            if not split[i]:
                out[i][members] = n_found[i]
                n_found[i] += 1
                continue
            got = found[size]
            if not (got >= 0).any():  # HDBSCAN found no cluster: DBSCAN's hotspot stays
                got = np.zeros_like(got)
            out[i][members] = np.where(got >= 0, got + n_found[i], -1)
            n_found[i] += int(got.max()) + 1
    return out if many else out[0]


def _split(xy, repeats, members, samples, sizes, split, total, names, memo) -> dict:
    """HDBSCAN's labels of one component's places for each size that splits it."""
    wanted = sorted({size for size, yes in zip(sizes, split, strict=True) if yes})
    if not wanted:
        return {}
    key = None
    if memo is not None and names is not None:
        key = (names[members].tobytes(), repeats[members].tobytes(), samples)
        known = memo.get(key, {})
        if all(size in known for size in wanted):
            return known
    if total > MAX_POINTS:
        raise ValueError(
            f"{text('hotspots.hdbscan_too_big', 'ko', n=total, most=MAX_POINTS)} / "
            f"{text('hotspots.hdbscan_too_big', 'en', n=total, most=MAX_POINTS)}"
        )
    points = np.repeat(xy[members], repeats[members], axis=0)
    place = np.repeat(np.arange(len(members)), repeats[members])
    found = {
        size: _place_labels(labels, place, len(members))
        for size, labels in _hdbscan(points, samples, wanted)
    }
    if key is not None:
        memo[key] = {**memo.get(key, {}), **found}
    return found


def _place_labels(labels: np.ndarray, place: np.ndarray, n: int) -> np.ndarray:
    """One label per place from its repeats' labels: the cluster holding most of them
    (the lower number on a tie), -1 only when all are noise. HDBSCAN may call one of two
    repeats noise and the other not; giving the place to the cluster only grows it."""
    labels = np.asarray(labels, dtype=np.int64)
    out = np.full(n, -1, dtype=np.int64)
    inside = labels >= 0
    if not inside.any():
        return out
    k = int(labels.max()) + 1
    counts = np.bincount(place[inside] * k + labels[inside], minlength=n * k).reshape(n, k)
    has = counts.max(axis=1) > 0
    out[has] = counts[has].argmax(axis=1)
    return out


def _hdbscan(points: np.ndarray, samples: int, sizes: list[int]):
    """Yield ``(size, labels)``: scikit-learn's HDBSCAN (EOM, a single cluster allowed)
    of ``points`` for each least cluster size, from one tree.

    Up to :data:`_DENSE_MAX` points HDBSCAN gets their distance matrix (a few times
    faster on the small components most hotspots are), beyond it the points (a k-d
    tree, memory linear in the points). The tree (the single-linkage tree of mutual
    reachability) depends on ``samples`` only; the other sizes' labels come from it
    with the function ``fit`` calls (scikit-learn's ``tree_to_labels``: private, so a
    test holds it equal to ``fit``).
    """
    from sklearn.cluster import HDBSCAN  # only when HDBSCAN runs: start-up

    dense = len(points) <= _DENSE_MAX
    data = cdist(points, points) if dense else points

    def model(size: int) -> HDBSCAN:
        return HDBSCAN(
            min_cluster_size=size,
            min_samples=samples,
            allow_single_cluster=True,
            metric="precomputed" if dense else "euclidean",
            copy=True,
        )

    fit = model(sizes[0]).fit(data)
    yield sizes[0], fit.labels_
    if len(sizes) == 1:
        return
    try:
        from sklearn.cluster._hdbscan._tree import tree_to_labels

        tree = fit._single_linkage_tree_
    except (ImportError, AttributeError):  # pragma: no cover - another scikit-learn
        tree_to_labels = None
    for size in sizes[1:]:
        if tree_to_labels is None:  # pragma: no cover
            yield size, model(size).fit(data).labels_
        else:
            yield size, tree_to_labels(tree, size, "eom", True, 0.0, None)[0]


def split_hotspots(
    xy: np.ndarray,
    components: np.ndarray,
    core: np.ndarray,
    *,
    eps_m: float,
    min_samples: float,
    min_cluster_size: float,
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """DBSCAN's hotspots split by HDBSCAN where their density varies (see the module's
    docstring); :func:`analytics.compute.hotspots.hdbscan_labels` runs DBSCAN first.

    Parameters
    ----------
    xy : ndarray of shape (n, 2), metres
    components, core : DBSCAN's labels and core points at ``eps_m`` / ``min_samples``
    eps_m, min_samples : that DBSCAN setting, which HDBSCAN's min_samples shares
    min_cluster_size : float, weighted events; raised to ``min_samples``
    sample_weight : ndarray of shape (n,), optional, all > 0

    Returns
    -------
    labels : ndarray of shape (n,), int; -1 noise, hotspots 0..k-1 numbered by their
        first core point in ``xy`` order
    hot : ndarray of shape (n,), bool: DBSCAN core points that HDBSCAN put in a
        hotspot (not its noise): a hotspot's id is a fingerprint of them
    """
    xy = np.ascontiguousarray(xy, dtype=float).reshape(-1, 2)
    n = len(xy)
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    components = np.asarray(components, dtype=np.int64)
    core = np.asarray(core, dtype=bool)
    labels = np.full(n, -1, dtype=np.int64)
    hot_mask = np.zeros(n, dtype=bool)
    core_idx = np.flatnonzero(core)
    if len(core_idx) == 0:
        return labels, hot_mask
    # One point per core place: the events at one place share their neighbourhood, so
    # they are all core, in one component.
    places, where = np.unique(xy[core_idx], axis=0, return_inverse=True)
    where = where.reshape(-1)
    weight = np.bincount(where, weights=w[core_idx], minlength=len(places))
    component = np.zeros(len(places), dtype=np.int64)
    component[where] = components[core_idx]
    found = split_components(
        places,
        weight,
        component,
        min_samples=min_samples,
        min_cluster_size=min_cluster_size,
        scale=repeat_scale(w),
    )
    raw = np.full(n, -1, dtype=np.int64)
    raw[core_idx] = found[where]
    hot = core_idx[raw[core_idx] >= 0]
    eps_in = np.nextafter(eps_m, np.inf)  # neighbours are at distance <= eps
    noise = core_idx[raw[core_idx] < 0]
    if len(hot) and len(noise):
        # HDBSCAN's noise: the nearest core point of a part within eps (a core point
        # within eps of another is in its DBSCAN component), else noise.
        dist, nearest = cKDTree(xy[hot]).query(xy[noise], k=1, distance_upper_bound=eps_in)
        ok = np.isfinite(dist)
        raw[noise[ok]] = raw[hot[nearest[ok]]]
    border = np.flatnonzero((components >= 0) & ~core)
    if len(border):
        # DBSCAN's border points go with the core point DBSCAN gave them to (the
        # nearest), into its part: a part never reaches into another DBSCAN hotspot.
        _, nearest = cKDTree(xy[core_idx]).query(xy[border], k=1, distance_upper_bound=eps_in)
        raw[border] = raw[core_idx[nearest]]
    # Renumber hotspots by their first core point, as dbscan_labels does.
    if len(hot):
        _, first = np.unique(raw[hot], return_index=True)
        renumber = np.empty(int(raw.max()) + 1, dtype=np.int64)
        kinds = raw[hot][np.sort(first)]
        renumber[kinds] = np.arange(len(kinds))
        labels = np.where(raw >= 0, renumber[np.maximum(raw, 0)], -1)
    hot_mask[hot] = True
    return labels, hot_mask
