"""Near-repeat: does an incident raise the risk nearby in the following days? (Knox test)

For one category's events, every pair of events closer than ``distance_m`` in space
is a *spatial pair*; the Knox test asks whether such pairs are also close in time
more often than if the events' times were shuffled among them. The time gaps are cut
into bands (by default each day from 0 to 14 days), and for each band:

* ``observed``: spatial pairs whose gap falls in the band (``lo < gap <= hi``; the
  first band includes a gap of 0);
* ``expected``: its exact mean under the shuffle, ``NS * NT_band / (n(n-1)/2)``, where
  ``NS`` is the number of spatial pairs and ``NT_band`` the number of all pairs whose
  gap falls in the band (Knox 1964; pointpats' ``ENST``);
* ``ratio`` = observed / expected, and ``p``: the share of seeded permutations of the
  times (plus the observed one) with at least as many pairs in the band.

"The risk stays raised for about N days": N is the upper edge of the last band in the
leading run of bands whose ratio is above 1 with ``p < alpha``, read in time order
from the first band. Testing the bands in that fixed order and stopping at the first
that fails keeps the chance of naming any band by chance at ``alpha``
(a fixed-sequence test), without a correction per band. The reported ``ratio`` and
``p`` are those of the whole window ``0 .. N`` days.

The statistic is pointpats' Knox count (``pointpats.spacetime.Knox``, pairs with
distance <= ``distance_m`` and gap <= ``tau``) written for many bands at once: one
KD-tree query for the spatial pairs, then one vectorised pass per permutation.
Caveat: a category whose places move with the season (festivals, a summer valley)
shows space-time interaction that is not contagion; the bands are short for that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from analytics.text import text

DEFAULT_DISTANCE_M = 200.0
DEFAULT_DAYS = tuple(float(d) for d in range(1, 15))
DEFAULT_PERMUTATIONS = 99
DEFAULT_ALPHA = 0.05
# Fewer events than this in a category: no test (too few pairs to say anything).
MIN_EVENTS = 20
TABLE_COLUMNS = (
    "category",
    "n_events",
    "distance_m",
    "days_raised",
    "observed",
    "expected",
    "ratio",
    "p",
)
DAY_NS = 86_400 * 10**9


@dataclass(frozen=True, eq=False)
class KnoxBands:
    """A Knox test over time bands at one distance (:func:`knox_bands`).

    ``edges_days``: shape (K + 1,), 0 first; band ``k`` is ``(edges[k], edges[k+1]]``
    (the first includes 0). ``observed``, ``expected``, ``ratio``, ``p``: shape (K,),
    per band. ``cum_observed``, ``cum_expected``, ``cum_p``: shape (K,), for the
    window ``0 .. edges[k+1]``. ``n_events``, ``n_space_pairs`` (NS), ``n_pairs``
    (n(n-1)/2) and ``permutations`` describe the test.
    """

    distance_m: float
    edges_days: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    p: np.ndarray
    cum_observed: np.ndarray
    cum_expected: np.ndarray
    cum_p: np.ndarray
    n_events: int
    n_space_pairs: int
    n_pairs: int
    permutations: int

    @property
    def ratio(self) -> np.ndarray:
        """observed / expected per band (NaN where nothing is expected)."""
        return _ratio(self.observed, self.expected)

    @property
    def cum_ratio(self) -> np.ndarray:
        """observed / expected over ``0 .. edges[k+1]`` days."""
        return _ratio(self.cum_observed, self.cum_expected)

    def raised_bands(self, *, alpha: float = DEFAULT_ALPHA) -> int:
        """How many bands, from the first, in a row have ratio > 1 and ``p < alpha``."""
        ok = (self.ratio > 1) & (self.p < alpha)
        return int(len(ok) if ok.all() else np.argmin(ok))

    def days_raised(self, *, alpha: float = DEFAULT_ALPHA) -> float:
        """The upper edge of the last band of :meth:`raised_bands` (0: none)."""
        return float(self.edges_days[self.raised_bands(alpha=alpha)])


def _ratio(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, observed / np.where(expected > 0, expected, 1), np.nan)


def _edges(days) -> np.ndarray:
    edges = np.asarray(days, dtype=float).ravel()
    if len(edges) == 0 or not np.isfinite(edges).all() or (edges <= 0).any():
        raise ValueError(f"days must be positive band ends, got {days!r}")
    if (np.diff(edges) <= 0).any():
        raise ValueError(f"days must increase, got {days!r}")
    return np.concatenate([[0.0], edges])


def _band_of(gaps: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Band index per gap (``(lo, hi]``, 0 in the first); len(edges) - 1 past the last."""
    return np.maximum(np.searchsorted(edges, gaps, side="left"), 1) - 1


def _pairs_within(sorted_t: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Pairs of all events with gap <= each edge (edges[1:]): shape (K,)."""
    n = len(sorted_t)
    out = np.empty(len(edges) - 1)
    for k, edge in enumerate(edges[1:]):
        upto = np.searchsorted(sorted_t, sorted_t + edge, side="right")
        out[k] = float((upto - np.arange(n) - 1).sum())
    return out


def knox_bands(
    x,
    y,
    t_days,
    *,
    distance_m: float = DEFAULT_DISTANCE_M,
    days=DEFAULT_DAYS,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
) -> KnoxBands:
    """The Knox test of space-time interaction over time bands at one distance.

    Parameters
    ----------
    x, y : array-like of shape (n,)
        Event coordinates in metres (a projected CRS), finite.
    t_days : array-like of shape (n,)
        Event times in days (any origin), finite.
    distance_m : float, keyword-only
        Two events are close in space when at most this far apart (metres, > 0).
    days : sequence of float, keyword-only
        The bands' upper edges in days, increasing (default 1, 2, …, 14).
    permutations : int >= 0, keyword-only
        Random shuffles of the times for the p-values (0: p is NaN).
    seed : int, keyword-only
        Seed of the shuffles (``numpy.random.default_rng``).

    Returns
    -------
    KnoxBands
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    t = np.asarray(t_days, dtype=float).ravel()
    if not (len(x) == len(y) == len(t)):
        raise ValueError(f"x, y and t_days must have one length, got {len(x)}, {len(y)}, {len(t)}")
    if not (np.isfinite(x).all() and np.isfinite(y).all() and np.isfinite(t).all()):
        raise ValueError("x, y and t_days must be finite")
    distance_m = float(distance_m)
    if not np.isfinite(distance_m) or distance_m <= 0:
        raise ValueError(f"distance_m must be a positive number, got {distance_m!r}")
    if int(permutations) != permutations or permutations < 0:
        raise ValueError(f"permutations must be an integer >= 0, got {permutations!r}")
    permutations = int(permutations)
    edges = _edges(days)
    k = len(edges) - 1
    n = len(x)
    n_pairs = n * (n - 1) // 2
    if n >= 2:
        pairs = cKDTree(np.column_stack([x, y])).query_pairs(distance_m, output_type="ndarray")
    else:
        pairs = np.empty((0, 2), dtype=np.int64)
    i, j = pairs[:, 0], pairs[:, 1]

    def per_band(times: np.ndarray) -> np.ndarray:
        band = _band_of(np.abs(times[i] - times[j]), edges)
        return np.bincount(band, minlength=k + 1)[:k]

    observed = per_band(t)
    within = _pairs_within(np.sort(t), edges)
    cum_expected = len(pairs) * within / n_pairs if n_pairs else np.zeros(k)
    expected = np.diff(np.concatenate([[0.0], cum_expected]))
    cum_observed = np.cumsum(observed)
    if permutations:
        rng = np.random.default_rng(seed)
        above = np.zeros(k, dtype=np.int64)
        cum_above = np.zeros(k, dtype=np.int64)
        for _ in range(permutations):
            sim = per_band(t[rng.permutation(n)])
            above += sim >= observed
            cum_above += np.cumsum(sim) >= cum_observed
        p = (above + 1.0) / (permutations + 1.0)
        cum_p = (cum_above + 1.0) / (permutations + 1.0)
    else:
        p = cum_p = np.full(k, np.nan)
    return KnoxBands(
        distance_m=distance_m,
        edges_days=edges,
        observed=observed.astype(np.int64),
        expected=expected,
        p=p,
        cum_observed=cum_observed.astype(np.int64),
        cum_expected=cum_expected,
        cum_p=cum_p,
        n_events=n,
        n_space_pairs=len(pairs),
        n_pairs=n_pairs,
        permutations=permutations,
    )


def near_repeat_table(
    events: pd.DataFrame,
    *,
    distance_m: float = DEFAULT_DISTANCE_M,
    days=DEFAULT_DAYS,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
    alpha: float = DEFAULT_ALPHA,
    min_events: int = MIN_EVENTS,
    categories=None,
) -> pd.DataFrame:
    """How long the risk stays raised after an event, per category (Knox test).

    Parameters
    ----------
    events : DataFrame
        Columns ``category``, ``x``, ``y`` (metres) and ``occurred_at`` (timestamps);
        rows without coordinates are left out. One source's events, as a rule
        (incidents).
    distance_m, days, permutations, seed : keyword-only
        As in :func:`knox_bands`; each category's shuffles use ``seed``.
    alpha : float, keyword-only
        Significance of a band (:meth:`KnoxBands.days_raised`).
    min_events : int, keyword-only
        A category with fewer events is listed with NaN results, untested.
    categories : sequence of str, optional
        The categories to test, in this order (default: every one, most events first).

    Returns
    -------
    DataFrame
        One row per category with :data:`TABLE_COLUMNS`: ``days_raised`` (float,
        0 when the first band is not raised, NaN untested), and ``observed``,
        ``expected``, ``ratio`` and ``p`` over the window ``0 .. days_raised`` (over
        the first band when nothing is raised).
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    if int(min_events) != min_events or min_events < 2:
        raise ValueError(f"min_events must be an integer >= 2, got {min_events!r}")
    missing = {"category", "x", "y", "occurred_at"} - set(events.columns)
    if missing:
        raise ValueError(f"events lack the columns {sorted(missing)}")
    _edges(days)  # refuse bad bands before any work
    located = events[events["x"].notna() & events["y"].notna() & events["occurred_at"].notna()]
    if categories is None:
        categories = located["category"].value_counts(sort=True).index.tolist()
    rows = []
    for category in categories:
        part = located[located["category"] == category]
        row = dict.fromkeys(TABLE_COLUMNS, np.nan)
        row.update(category=category, n_events=len(part), distance_m=float(distance_m))
        if len(part) >= min_events:
            t = _days(part["occurred_at"])
            found = knox_bands(
                part["x"].to_numpy(float),
                part["y"].to_numpy(float),
                t,
                distance_m=distance_m,
                days=days,
                permutations=permutations,
                seed=seed,
            )
            raised = found.raised_bands(alpha=alpha)
            at = max(raised, 1) - 1
            row.update(
                days_raised=found.days_raised(alpha=alpha),
                observed=float(found.cum_observed[at]),
                expected=float(found.cum_expected[at]),
                ratio=float(found.cum_ratio[at]),
                p=float(found.cum_p[at]),
            )
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    table["n_events"] = table["n_events"].astype(np.int64)
    return table


def _days(values) -> np.ndarray:
    """Timestamps as days since the epoch (UTC for tz-aware ones), float."""
    return pd.DatetimeIndex(values).as_unit("ns").asi8.astype(float) / DAY_NS


def near_repeat_sentence(row, *, label: str, lang: str = "ko") -> str:
    """The finding of one row of :func:`near_repeat_table` as a sentence.

    Parameters
    ----------
    row : mapping with ``days_raised``, ``distance_m``, ``ratio``, ``p``, ``n_events``
    label : str, keyword-only
        The category as people name it (e.g. ``analytics.station.categories.label``).
    lang : {'ko', 'en'}

    Returns
    -------
    str
        "After a 절도 within 200 m, the risk stays raised for about 3 days (…)", that no
        near-repeat was found, or that there were too few events to test.
    """
    days = row["days_raised"]
    distance = f"{float(row['distance_m']):g}"
    if days != days:  # NaN: untested
        return text("nearrepeat.too_few", lang, category=label, n=int(row["n_events"]))
    if days <= 0:
        return text("nearrepeat.none", lang, category=label, distance=distance)
    return text(
        "nearrepeat.raised",
        lang,
        category=label,
        distance=distance,
        days=f"{float(days):g}",
        ratio=f"{float(row['ratio']):.1f}",
        p=f"{float(row['p']):.3f}",
    )
