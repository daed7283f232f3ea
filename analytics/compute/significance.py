"""Could it be chance? A Monte Carlo test of every hotspot against complete spatial randomness.

DBSCAN finds clusters in any point set, pure noise included: scattered at random over
Namwon's town core, a few hundred events still make about seven "hotspots" at eps
100 m / min_samples 5. This module says, for each hotspot of a view, how often chance
alone makes one like it (``p_value``) and whether it is ``significant``.

The null model: complete spatial randomness inside the populated area
-----------------------------------------------------------------------
The view's events are scattered uniformly at random over the station's *populated
area* (:class:`PopulatedArea`): the union of the :data:`CELL_M` (250 m) grid cells that
held at least one of the station's events in the whole store (every source, every
year), clipped to the station boundary. The same number of points as the view
clustered, with the same weights, is simulated :data:`N_SIMULATIONS` times (seeded).

Why this area, and not the alternatives:

- *The whole boundary* (750 km², most of it mountain and paddy) would make every
  town cluster "significant" merely because the town is not a mountain.
- *The station's own long-run intensity* (events scattered as they usually are, cell
  by cell) was tried on the demo year and rejected: uniform points inside the busy
  town cells join up into one blob far larger than any real hotspot (at 500 m cells a
  28-day view's simulated clusters reach 250-300 events against an observed 83), so
  nothing could ever be significant, and a persistent hotspot would be "explained"
  by its own history.
- The populated area answers the meeting's question plainly: *could this many events
  fall this close together if this view's events had happened anywhere people report
  things?* Its limit: it treats the populated area as evenly busy, so it cannot tell a
  hotspot from the ordinary bustle of a town centre that is busier than the villages.

The grid is aligned to the analysis CRS's origin, and for a viewer it is built from the
privacy rule's clustering frame (sensitive cases at their ``geomask_m`` cell centres),
so no sensitive place shapes a viewer's answer.

The statistic: each hotspot's densest spot (``statistic="density"``, the default)
---------------------------------------------------------------------------------
The weight of events within ``eps_m`` of the hotspot's busiest event (itself included):
the neighbourhood that made DBSCAN call its points core, at its heaviest. The null
distribution is the largest such neighbourhood in each simulation. Running the same
DBSCAN on the simulated points would give the same maximum (a neighbourhood of at
least ``min_samples`` is a core point's, so it is its cluster's densest spot; a
smaller one makes no cluster and is below every hotspot's), so the simulation counts
neighbourhoods and skips the clustering.

``statistic="size"`` tests each hotspot's total weight against the largest simulated
DBSCAN cluster instead (CrimeStat's nearest-neighbour clustering keeps clusters that
way). It is kept for comparison: near the density where uniform points percolate
into one cluster (the town core over a few weeks) simulated clusters grow larger
than real ones and the size test finds nothing, where the density test still finds
nine or ten of ten planted clusters (``tests/compute/test_significance.py``).

The p-value and the multiple-testing adjustment
-----------------------------------------------
Per hotspot, against the per-simulation maximum (the scan-statistic p-value, as in
SaTScan)::

    p = (1 + #{simulations whose maximum >= the hotspot's statistic}) / (1 + S)

It needs no simulated cluster to exist (a pooled distribution of simulated clusters
would be empty for a sparse view, and every hotspot would get p = 1), and it holds for
every hotspot of the view at once. The p-values of the view's hotspots are then
adjusted with Benjamini-Hochberg (as :func:`scipy.stats.false_discovery_control`), the
false-discovery-rate correction analysts know from ArcGIS's hot-spot tools; ``p_value``
is the adjusted value and ``significant`` is ``p_value <= alpha``. Both steps are
conservative, so on pure noise almost no hotspot comes out significant. The smallest
p-value is ``1 / (1 + S)``: 0.005 with the default 199 simulations.

Nothing here reads the store or imports Streamlit: :func:`analytics.answer.answer_hotspot_query`
reads the populated area (cached) and adds the two columns to every view's hotspots.
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Mapping
from concurrent.futures import CancelledError, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

# The area lives in its own module (analytics.compute.populated); the names callers
# used from here before it moved are still here.
from analytics.compute.populated import (  # noqa: F401
    CELL_M,
    PopulatedArea,
    populated_cells,
)
from analytics.compute.populated import positive as _positive

# The defaults every view uses (documented in the README, "Could it be chance?").
N_SIMULATIONS = 199  # the smallest p-value is 1 / (1 + 199) = 0.005
SEED = 16  # one fixed seed: the same view always gets the same p-values
ALPHA = 0.05  # significant: adjusted p <= ALPHA
STATISTICS = ("density", "size")
COLUMNS = ("significant", "p_value")  # what add_significance adds to a hotspot table

_TOL = 1e-9  # weighted sums: 0.1 + 0.2 >= 0.3
# A simulation lists its pairs within eps (faster) when it expects at most this many.
_MAX_PAIRS = 2_000_000
_WORKERS = 2  # threads counting the scatters' neighbourhoods
# A simulation's work grows with its pairs within eps: a view expecting more than this
# many per scatter is tested on a thinning of its events (:func:`thinning_fraction`),
# so that 199 scatters take about a second, not the ten minutes a million events took.
# On the demo store's populated area (64 km²) at eps 100 m, a 28-day view expects about
# 240 pairs and the whole year (13,000 events) 41,000: both are tested whole. A year of
# 50,000 events would expect 610,000 and is tested on 29% of its events.
MAX_SIMULATED_PAIRS = 50_000
# ... and each scatter's cost also grows with its points (drawing them, building the
# KD-tree): a view of more events than this is thinned to it, whatever its pairs.
MAX_SIMULATED_POINTS = 15_000


# --------------------------------------------------------------------------- validation


def _check_n_simulations(n_simulations) -> int:
    if isinstance(n_simulations, bool) or not isinstance(n_simulations, numbers.Integral):
        raise TypeError(f"n_simulations must be an int, got {type(n_simulations).__name__}")
    if n_simulations < 1:
        raise ValueError(f"n_simulations must be >= 1, got {n_simulations}")
    return int(n_simulations)


def _check_alpha(alpha, n_simulations: int) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"alpha must be a number, got {type(alpha).__name__}")
    alpha = float(alpha)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    if 1.0 / (n_simulations + 1) > alpha:
        need = int(np.ceil(1.0 / alpha - 1.0 - 1e-9))
        raise ValueError(
            f"n_simulations={n_simulations} cannot give a p-value at or below alpha={alpha:g} "
            f"(the smallest is 1 / (n_simulations + 1)); use at least {need}"
        )
    return alpha


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return int(seed)


def _check_statistic(statistic) -> str:
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {STATISTICS}, got {statistic!r}")
    return statistic


def _check_area(area) -> None:
    if not isinstance(area, PopulatedArea):
        raise TypeError(f"area must be a PopulatedArea, got {type(area).__name__}")


def _check_xy(xy) -> np.ndarray:
    xy = np.asarray(xy, dtype=float)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"xy must have shape (n, 2), got {xy.shape}")
    if not np.isfinite(xy).all():
        raise ValueError("xy must be finite (metres in the analysis CRS)")
    return np.ascontiguousarray(xy)


def _check_weights(sample_weight, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"sample_weight must have shape ({n},), got {w.shape}")
    if not (np.isfinite(w).all() and (w > 0).all()):
        raise ValueError("sample_weight must be finite and > 0")
    return w


# --------------------------------------------------------------------------- statistics


def _tree(xy: np.ndarray) -> cKDTree:
    """A KD-tree for counting neighbours: split at the middle of each box rather than the
    median, which builds in half the time and counts the same (about a quarter off each
    scatter of the test)."""
    return cKDTree(xy, balanced_tree=False, compact_nodes=False)


def neighbourhood_weights(
    xy, *, eps_m: float, sample_weight=None, by_pairs: bool = False
) -> np.ndarray:
    """For each point, the weight of the points within ``eps_m`` of it (itself included).

    The sum DBSCAN compares with ``min_samples`` (:func:`analytics.compute.hotspots.dbscan_labels`).

    Parameters
    ----------
    xy : array-like of shape (n, 2), metres
    eps_m : float > 0, metres
    sample_weight : array-like of shape (n,), optional
    by_pairs : bool, default False
        List the pairs within ``eps_m`` once (about twice as fast on sparse points, but
        memory grows with the number of pairs: for scattered points, not for a view
        whose addresses repeat hundreds of times).
    """
    xy = _check_xy(xy)
    eps_m = _positive("eps_m", eps_m)
    w = _check_weights(sample_weight, len(xy))
    if len(xy) == 0:
        return np.zeros(0)
    if by_pairs:
        pairs = _tree(xy).query_pairs(eps_m, output_type="ndarray")
        i, j = pairs[:, 0], pairs[:, 1]
        n = len(xy)
        return (
            w
            + np.bincount(i, weights=w[j], minlength=n)
            + np.bincount(j, weights=w[i], minlength=n)
        )
    values = np.unique(w)
    if len(values) == 1:
        return values[0] * _tree(xy).query_ball_point(xy, eps_m, return_length=True)
    total = np.zeros(len(xy))
    for value in values:  # one tree per distinct weight, as DBSCAN's core test does
        members = _tree(xy[w == value])
        total += value * members.query_ball_point(xy, eps_m, return_length=True)
    return total


def cluster_statistics(
    xy, labels, *, eps_m: float, sample_weight=None, statistic: str = "density"
) -> np.ndarray:
    """Each cluster's statistic, shape (k,) for labels 0..k-1 (-1 is noise).

    ``"density"``: the largest :func:`neighbourhood_weights` among its points;
    ``"size"``: the weight of its points.
    """
    statistic = _check_statistic(statistic)
    xy = _check_xy(xy)
    labels = np.asarray(labels)
    if labels.shape != (len(xy),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be ints of shape ({len(xy)},), got {labels.shape}")
    w = _check_weights(sample_weight, len(xy))
    k = int(labels.max()) + 1 if len(labels) else 0
    member = labels >= 0
    if statistic == "size":
        return np.bincount(labels[member], weights=w[member], minlength=k)
    out = np.zeros(k)
    if k:
        near = neighbourhood_weights(xy, eps_m=eps_m, sample_weight=w)
        np.maximum.at(out, labels[member], near[member])
    return out


def expected_pairs(n: float, *, area: PopulatedArea, eps_m: float) -> float:
    """Pairs within ``eps_m`` expected among ``n`` points scattered uniformly over ``area``:
    ``n² π eps² / (2 A)``, edge effects left out (so a little more than there are)."""
    _check_area(area)
    eps_m = _positive("eps_m", eps_m)
    if not len(area) or area.area_m2 <= 0:
        return np.inf
    return float(n) ** 2 * np.pi * eps_m**2 / (2.0 * area.area_m2)


def thinning_fraction(
    n: int,
    *,
    area: PopulatedArea,
    eps_m: float,
    max_pairs: float | None = MAX_SIMULATED_PAIRS,
    max_points: float | None = MAX_SIMULATED_POINTS,
) -> float:
    """The share of a view's ``n`` events the test keeps: 1, or less when a scatter of
    ``n`` points would expect more than ``max_pairs`` pairs within ``eps_m`` or hold
    more than ``max_points`` points.

    Pairs grow with ``n²``, so keeping ``sqrt(max_pairs / expected)`` of the events
    brings the expected pairs down to ``max_pairs``; ``max_points / n`` brings the
    points down to ``max_points``; the smaller share is kept. None lifts a limit.

    Why the test stays valid: each event is kept independently with the same
    probability, and a random thinning of a uniform scatter is a uniform scatter, so
    under the null model the kept events are exactly what the simulations draw; a
    hotspot is still called significant by chance at most ``alpha`` of the time. What
    it costs is power: a hotspot must stand out by about ``1 / sqrt(fraction)`` times
    more standard deviations above the scatter's densest spot. At these sizes a
    hotspot that can pass at all holds hundreds of events (the scatter's own densest
    spot does), and those stand out by far more than that.
    """
    kept = 1.0
    if max_points is not None and n > _positive("max_points", max_points):
        kept = max_points / n
    if max_pairs is not None:
        pairs = expected_pairs(n, area=area, eps_m=eps_m)
        if np.isfinite(pairs) and pairs > _positive("max_pairs", max_pairs):
            kept = min(kept, float(np.sqrt(max_pairs / pairs)))  # (an empty area: infinite)
    return kept


def simulate_maxima(
    *,
    area: PopulatedArea,
    eps_m: float,
    min_samples: float,
    sample_weight,
    statistic: str = "density",
    n_simulations: int = N_SIMULATIONS,
    seed: int = SEED,
    backend: str = "auto",
    stop: threading.Event | None = None,
) -> np.ndarray:
    """The largest cluster statistic in each of ``n_simulations`` uniform scatters.

    Parameters
    ----------
    area : PopulatedArea
    eps_m : float > 0, metres
    min_samples : float > 0
    sample_weight : ndarray of shape (n,)
        The view's weights: each simulation scatters ``n`` points carrying them.
    statistic : {'density', 'size'}
    n_simulations : int >= 1
    seed : int >= 0
    backend : the DBSCAN backend for ``statistic="size"``
    stop : threading.Event, optional
        Set by another thread when the answer is no longer wanted: no further scatter
        is drawn or counted, and ``concurrent.futures.CancelledError`` is raised.

    Returns
    -------
    ndarray of shape (n_simulations,)
        0 where a simulation makes no cluster.
    """
    from analytics.compute.hotspots import dbscan_labels

    eps_m = _positive("eps_m", eps_m)
    min_samples = _positive("min_samples", min_samples)
    statistic = _check_statistic(statistic)
    n_simulations = _check_n_simulations(n_simulations)
    seed = _check_seed(seed)
    _check_area(area)
    w = np.asarray(sample_weight, dtype=float).reshape(-1)
    w = _check_weights(w, len(w))
    rng = np.random.default_rng(seed)
    out = np.zeros(n_simulations)
    # Scattered points have about n² π eps² / (2 area) pairs within eps: list them when few.
    by_pairs = bool(expected_pairs(len(w), area=area, eps_m=eps_m) <= _MAX_PAIRS)

    def largest(xy: np.ndarray) -> float:
        if statistic == "density":
            near = neighbourhood_weights(xy, eps_m=eps_m, sample_weight=w, by_pairs=by_pairs)
            top = near.max() if len(near) else 0.0
            return top if top >= min_samples - _TOL else 0.0
        labels, _, _ = dbscan_labels(
            xy, eps_m=eps_m, min_samples=min_samples, sample_weight=w, backend=backend
        )
        sizes = cluster_statistics(xy, labels, eps_m=eps_m, sample_weight=w, statistic="size")
        return sizes.max() if len(sizes) else 0.0

    # The scatters are drawn in order from the one seeded stream (the same answer every
    # time); each is counted on a second core meanwhile: scipy's KD-tree lets go of the GIL.
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        pending = []
        for _ in out:
            if stop is not None and stop.is_set():
                break
            pending.append(pool.submit(largest, area.sample(len(w), rng=rng)))
        for s, done in enumerate(pending):
            if stop is not None and stop.is_set():
                for later in pending[s:]:
                    later.cancel()
                raise CancelledError
            out[s] = done.result()
    if len(pending) < len(out):
        raise CancelledError
    return out


def monte_carlo_p_values(observed, simulated) -> np.ndarray:
    """``(1 + #{simulated >= observed}) / (1 + S)`` for each observed value.

    Parameters
    ----------
    observed : array-like of shape (k,)
    simulated : array-like of shape (S,), S >= 1
    """
    observed = np.asarray(observed, dtype=float).reshape(-1)
    simulated = np.sort(np.asarray(simulated, dtype=float).reshape(-1))
    if len(simulated) == 0:
        raise ValueError("simulated must hold at least one value")
    if not (np.isfinite(observed).all() and np.isfinite(simulated).all()):
        raise ValueError("observed and simulated must be finite")
    at_least = len(simulated) - np.searchsorted(simulated, observed - _TOL, side="left")
    return (1.0 + at_least) / (1.0 + len(simulated))


def bh_adjust(p_values) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values, as :func:`scipy.stats.false_discovery_control`
    (``method="bh"``) gives them (a test compares the two).

    Written out rather than imported: importing scipy.stats cost every hotspot answer
    0.3-0.4 s on a first call, for four lines of arithmetic.

    Parameters
    ----------
    p_values : array-like of shape (m,), each in [0, 1]; m may be 0
    """
    p = np.asarray(p_values, dtype=float).reshape(-1)
    if not ((p >= 0) & (p <= 1)).all():
        raise ValueError("p-values must lie in [0, 1]")
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    # Each adjusted value is the smallest scaled value at its rank or above.
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.clip(adjusted, 0.0, 1.0)
    return out


# --------------------------------------------------------------------------- the test


@dataclass(frozen=True, eq=False)
class Significance:
    """The test of a view's clusters.

    Attributes
    ----------
    observed : ndarray of shape (k,), each cluster's statistic
    p_raw : ndarray of shape (k,), the Monte Carlo p-values
    p_value : ndarray of shape (k,), Benjamini-Hochberg adjusted across the k clusters
    significant : ndarray of shape (k,), bool: ``p_value <= alpha``
    simulated : ndarray of shape (n_simulations,), each simulation's largest statistic
    statistic, n_simulations, seed, alpha : what was run
    kept : float in (0, 1], the share of the events the test used
        (:func:`thinning_fraction`; 1 when the view was small enough to test whole)
    """

    observed: np.ndarray
    p_raw: np.ndarray
    p_value: np.ndarray
    significant: np.ndarray
    simulated: np.ndarray
    statistic: str
    n_simulations: int
    seed: int
    alpha: float
    kept: float = 1.0


@dataclass(frozen=True, eq=False)
class Null:
    """The scatters a view's hotspots are compared with (:func:`draw_null`).

    They depend on the clustered events' number and weights, the area and the setting,
    not on the hotspots: :func:`analytics.answer.answer_hotspot_query` draws them on
    another thread while DBSCAN and the profiles run.

    Attributes
    ----------
    simulated : ndarray of shape (n_simulations,), each scatter's largest statistic
    kept : float in (0, 1], the share of the events tested (:func:`thinning_fraction`)
    keep : ndarray of shape (n,), bool, or None: which events were kept (None: all)
    weights : ndarray of shape (n,), the clustered events' weights
    area, eps_m, min_samples, statistic, n_simulations, seed, backend : what was drawn
    """

    simulated: np.ndarray
    kept: float
    keep: np.ndarray | None
    weights: np.ndarray
    area: PopulatedArea
    eps_m: float
    min_samples: float
    statistic: str
    n_simulations: int
    seed: int
    backend: str

    def fits(self, **asked) -> bool:
        """Whether it was drawn for these arguments of :func:`cluster_significance`."""
        w = asked.pop("weights")
        return (
            len(w) == len(self.weights)
            and np.array_equal(w, self.weights)
            and all(
                getattr(self, name) is value or getattr(self, name) == value
                for name, value in asked.items()
            )
        )


def draw_null(
    sample_weight,
    *,
    area: PopulatedArea,
    eps_m: float,
    min_samples: float,
    statistic: str = "density",
    n_simulations: int = N_SIMULATIONS,
    seed: int = SEED,
    backend: str = "auto",
    max_pairs: float | None = MAX_SIMULATED_PAIRS,
    max_points: float | None = MAX_SIMULATED_POINTS,
    stop: threading.Event | None = None,
) -> Null:
    """The scatters :func:`cluster_significance` compares the clusters of ``n`` events with.

    Parameters
    ----------
    sample_weight : array-like of shape (n,), all > 0
        The weight of each clustered event (noise included), in the order
        :func:`cluster_significance` will be given them: the thinning keeps events by
        their position.
    area, eps_m, min_samples, statistic, n_simulations, seed, backend, max_pairs, max_points
        As :func:`cluster_significance`'s.
    stop : threading.Event, optional, see :func:`simulate_maxima`
    """
    w = np.asarray(sample_weight, dtype=float).reshape(-1)
    w = _check_weights(w, len(w))
    eps_m = _positive("eps_m", eps_m)
    min_samples = _positive("min_samples", min_samples)
    _check_area(area)
    kept = thinning_fraction(
        len(w), area=area, eps_m=eps_m, max_pairs=max_pairs, max_points=max_points
    )
    keep, floor, kept_w = None, min_samples, w
    if kept < 1.0:
        # Its own stream of the seed: the thinning does not share draws with the scatters.
        keep = np.random.default_rng([seed, 1]).random(len(w)) < kept
        kept_w = w[keep]
        # A kept hotspot's densest spot may hold fewer than min_samples events: every
        # scatter's maximum counts (a floor would let a small one beat empty scatters).
        floor = np.finfo(float).tiny
    simulated = simulate_maxima(
        area=area,
        eps_m=eps_m,
        min_samples=floor,
        sample_weight=kept_w,
        statistic=statistic,
        n_simulations=n_simulations,
        seed=seed,
        backend=backend,
        stop=stop,
    )
    return Null(
        simulated=simulated,
        kept=kept,
        keep=keep,
        weights=w,
        area=area,
        eps_m=eps_m,
        min_samples=min_samples,
        statistic=statistic,
        n_simulations=n_simulations,
        seed=seed,
        backend=backend,
    )


def cluster_significance(
    xy,
    labels,
    *,
    area: PopulatedArea,
    eps_m: float,
    min_samples: float,
    sample_weight=None,
    statistic: str = "density",
    n_simulations: int = N_SIMULATIONS,
    seed: int = SEED,
    alpha: float = ALPHA,
    backend: str = "auto",
    max_pairs: float | None = MAX_SIMULATED_PAIRS,
    max_points: float | None = MAX_SIMULATED_POINTS,
    null: Null | None = None,
) -> Significance:
    """Test each DBSCAN cluster of ``xy`` against uniform scatter over ``area``.

    Parameters
    ----------
    xy : array-like of shape (n, 2), metres
        Every point DBSCAN clustered (noise included): the simulations scatter ``n``.
    labels : array-like of int, shape (n,)
        DBSCAN labels, clusters 0..k-1, -1 for noise
        (:func:`analytics.compute.hotspots.dbscan_labels`).
    area : PopulatedArea
        Where chance puts the points (:meth:`PopulatedArea.from_points`).
    eps_m : float > 0, metres; min_samples : float > 0
        The setting the clusters were found with.
    sample_weight : array-like of shape (n,), optional, all > 0
    statistic : {'density', 'size'}
        See the module docstring.
    n_simulations : int
        At least ``1 / alpha - 1``, so that a p-value can reach ``alpha``.
    seed : int >= 0
    alpha : float in (0, 1)
    backend : {'auto', 'dbscan', 'sklearn'}, for ``statistic="size"``
    max_pairs, max_points : float > 0 or None
        A view whose scatters would expect more pairs within ``eps_m`` than
        ``max_pairs``, or that has more events than ``max_points``, is tested on a
        seeded random thinning of its events (:func:`thinning_fraction`): the
        hotspots' statistics and the scatters alike. None lifts a limit.
    null : Null, optional
        The scatters, drawn beforehand by :func:`draw_null` with these arguments (a
        ValueError if they differ); drawn here when None.

    Returns
    -------
    Significance

    Raises
    ------
    ValueError, TypeError
        A parameter out of its range or of the wrong type, before anything is simulated.
    """
    from analytics.compute.hotspots import _check_backend

    xy = _check_xy(xy)
    eps_m = _positive("eps_m", eps_m)
    min_samples = _positive("min_samples", min_samples)
    w = _check_weights(sample_weight, len(xy))
    statistic = _check_statistic(statistic)
    n_simulations = _check_n_simulations(n_simulations)
    alpha = _check_alpha(alpha, n_simulations)
    seed = _check_seed(seed)
    _check_backend(backend)
    _check_area(area)
    labels = np.asarray(labels)
    if labels.shape != (len(xy),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be ints of shape ({len(xy)},), got {labels.shape}")
    k = int(labels.max()) + 1 if labels.size else 0
    drawn = {
        "area": area,
        "eps_m": eps_m,
        "min_samples": min_samples,
        "statistic": statistic,
        "n_simulations": n_simulations,
        "seed": seed,
        "backend": backend,
    }
    if null is None:
        null = draw_null(w, max_pairs=max_pairs, max_points=max_points, **drawn)
    elif not null.fits(weights=w, **drawn):
        raise ValueError("null was drawn for other events or another setting (see draw_null)")
    if null.keep is not None:
        xy, labels, w = xy[null.keep], labels[null.keep], w[null.keep]
    observed = np.zeros(k)
    found = cluster_statistics(xy, labels, eps_m=eps_m, sample_weight=w, statistic=statistic)
    observed[: len(found)] = found  # a hotspot with no kept event: 0, never significant
    simulated = null.simulated
    p_raw = monte_carlo_p_values(observed, simulated)
    p_value = bh_adjust(p_raw)
    significant = p_value <= alpha
    return Significance(
        observed=observed,
        p_raw=p_raw,
        p_value=p_value,
        significant=significant,
        simulated=simulated,
        statistic=statistic,
        n_simulations=n_simulations,
        seed=seed,
        alpha=alpha,
        kept=null.kept,
    )


def event_weights(
    events: pd.DataFrame, rows: np.ndarray, weights: Mapping[str, float] | None
) -> np.ndarray:
    """The weight of ``events``' rows at positions ``rows``: their source's in ``weights``
    (1 for a source it does not name). Through the few distinct sources, not per row."""
    weight_of = {} if weights is None else dict(weights)
    codes, names = pd.factorize(events["source"])
    return np.array([*(float(weight_of.get(n, 1.0)) for n in names), 1.0])[codes[rows]]


def add_significance(
    hotspots: pd.DataFrame,
    events: pd.DataFrame,
    hotspot_of: pd.Series,
    *,
    area: PopulatedArea,
    eps_m: float,
    min_samples: float,
    weights: Mapping[str, float] | None = None,
    statistic: str = "density",
    n_simulations: int = N_SIMULATIONS,
    seed: int = SEED,
    alpha: float = ALPHA,
    max_pairs: float | None = MAX_SIMULATED_PAIRS,
    max_points: float | None = MAX_SIMULATED_POINTS,
    null: Null | None = None,
) -> pd.DataFrame:
    """``hotspots`` with ``significant`` (bool) and ``p_value`` (adjusted) per hotspot.

    Parameters
    ----------
    hotspots : DataFrame with ``hotspot_id``
        The hotspots to test and adjust across (a role's shown ones).
    events : event frame (``x``, ``y``, ``source``)
        The frame the hotspots were clustered from (a viewer's: the privacy rule's
        clustering frame).
    hotspot_of : Series of str
        One entry per clustered event, indexed like ``events``: its hotspot's id, or
        <NA> (noise, or a hotspot not in ``hotspots``).
    area : PopulatedArea
    eps_m, min_samples : the setting the hotspots were computed with
    weights : source → weight, optional (default 1 each)
    statistic, n_simulations, seed, alpha, max_pairs, max_points, null
        See :func:`cluster_significance`; a ``null`` is drawn from the clustered events'
        weights in ``hotspot_of``'s order (:func:`event_weights`).

    Returns
    -------
    DataFrame
        A copy of ``hotspots`` with the two columns (:data:`COLUMNS`) at its end.
    """
    if "hotspot_id" not in hotspots.columns:
        raise ValueError("hotspots must have a hotspot_id column")
    if not events.index.is_unique:
        raise ValueError("events must have a unique index (hotspot_of refers to its rows)")
    # In arrays, and each text column through its few distinct values: on a million
    # events, a frame's row lookup and a per-row map took a quarter of a second.
    at = events.index.get_indexer(hotspot_of.index)
    if (at < 0).any():
        raise ValueError("hotspot_of refers to rows that are not in events")
    xy = np.column_stack([events[c].to_numpy(dtype=float, na_value=np.nan)[at] for c in ("x", "y")])
    w = event_weights(events, at, weights)
    ids = hotspots["hotspot_id"].astype(str).tolist()
    # Each event's hotspot as its row in ``ids`` (-1: noise or not shown).
    codes, names = pd.factorize(hotspot_of)
    row_of = pd.Index(ids, dtype=object).get_indexer(np.asarray(names, dtype=object))
    labels = np.append(row_of, -1).astype(np.int64)[codes]
    missing = set(ids) - {ids[i] for i in np.unique(labels[labels >= 0])}
    if missing:
        raise ValueError(f"no clustered event belongs to hotspots {sorted(missing)[:3]}")
    out = hotspots.copy()
    if not ids:
        out["significant"] = pd.Series(dtype=bool)
        out["p_value"] = pd.Series(dtype=float)
        return out
    found = cluster_significance(
        xy,
        labels,
        area=area,
        eps_m=eps_m,
        min_samples=min_samples,
        sample_weight=w,
        statistic=statistic,
        n_simulations=n_simulations,
        seed=seed,
        alpha=alpha,
        max_pairs=max_pairs,
        max_points=max_points,
        null=null,
    )
    out["significant"] = found.significant
    out["p_value"] = found.p_value
    return out
