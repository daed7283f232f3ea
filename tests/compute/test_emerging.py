"""Emerging hot spots: Mann-Kendall on hand-built series, every ArcGIS category on
hand-built weekly bins, and the whole chain on planted weekly patterns."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.stats import kendalltau, norm

from analytics.compute import emerging

KST = "Asia/Seoul"
END = pd.Timestamp("2017-12-29", tz=KST)


def test_mann_kendall_by_hand_with_a_tie():
    # 1, 3, 2, 2, 5: signs of the later-minus-earlier differences:
    # from 1: + + + + (4); from 3: - - + (-1); from 2: 0 + (1); from 2: + (1). S = 5.
    # One tie of 2 values: var = [5*4*15 - 2*1*9] / 18 = 282 / 18.
    found = emerging.mann_kendall([1, 3, 2, 2, 5])
    assert found.s == 5
    assert found.var_s == pytest.approx(282 / 18)
    assert found.z == pytest.approx(4 / math.sqrt(282 / 18))
    assert found.p == pytest.approx(2 * norm.sf(4 / math.sqrt(282 / 18)))


def test_mann_kendall_s_is_kendalls_tau_times_the_pairs_without_ties():
    series = np.array([0.3, -1.2, 2.5, 0.9, 3.1, 4.0, 1.7, 5.2])
    found = emerging.mann_kendall(series)
    tau = kendalltau(np.arange(8), series).statistic
    assert found.s == pytest.approx(tau * 8 * 7 / 2)
    assert found.var_s == pytest.approx(8 * 7 * 21 / 18)
    # Decreasing: the same magnitude, the other sign.
    assert emerging.mann_kendall(series[::-1]).z == pytest.approx(-found.z)


def test_mann_kendall_on_ties_and_many_series_at_once():
    flat = emerging.mann_kendall([2.0, 2.0, 2.0, 2.0])
    assert flat.s == 0 and flat.var_s == 0 and flat.z == 0 and flat.p == 1
    # Two groups of ties (1, 1, 1 and 4, 4): var = [6*5*17 - 3*2*11 - 2*1*9] / 18 = 426 / 18.
    assert emerging.mann_kendall([1, 1, 4, 1, 4, 6]).var_s == pytest.approx(426 / 18)
    many = emerging.mann_kendall(np.arange(24.0).reshape(2, 3, 4))
    assert many.s.shape == (2, 3) and (many.s == 6).all()
    with pytest.raises(ValueError, match="2 time steps"):
        emerging.mann_kendall([1.0])


H, C, N = 1, -1, 0  # hot, cold, neither
UP = (3.0, 0.001)
DOWN = (-3.0, 0.001)
FLAT = (0.5, 0.6)
CASES = [
    ("new_hot", [N] * 9 + [H], FLAT),
    ("consecutive_hot", [N] * 7 + [H, 2, 3], FLAT),
    ("consecutive_hot", [N, N] + [H] * 8, UP),  # 80 %: under the 90 % share
    ("intensifying_hot", [H] * 10, UP),
    ("persistent_hot", [H] * 10, FLAT),
    ("persistent_hot", [N] + [H] * 9, FLAT),  # 90 % exactly, the final one included
    ("diminishing_hot", [3] * 5 + [H] * 5, DOWN),
    ("sporadic_hot", [N, H, N, N, H, N, N, N, N, H], FLAT),
    ("sporadic_hot", [H, N, N, N, N, N, N, N, H, H], FLAT),  # hot before the final run
    ("oscillating_hot", [N, C, N, N, H, N, N, N, N, H], FLAT),
    ("oscillating_hot", [C] + [N] * 8 + [H], FLAT),  # cold before: not new
    ("historical_hot", [H] * 9 + [N], DOWN),
    ("new_cold", [N] * 9 + [C], FLAT),
    ("consecutive_cold", [N] * 8 + [C, -2], FLAT),
    ("intensifying_cold", [C] * 10, DOWN),
    ("persistent_cold", [C] * 10, FLAT),
    ("diminishing_cold", [C] * 10, UP),
    ("sporadic_cold", [C, N, C, N, N, N, N, N, N, C], FLAT),
    ("oscillating_cold", [H] * 9 + [C], FLAT),  # the final week's pattern wins over historical
    ("historical_cold", [C] * 9 + [N], FLAT),
    ("no_pattern", [N] * 10, FLAT),
    ("no_pattern", [N, H, N, N, N, N, N, N, N, N], UP),
]


@pytest.mark.parametrize(
    ("expected", "bins", "trend"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_each_category_on_a_hand_built_series(expected, bins, trend):
    found = emerging.emerging_categories([bins], [trend[0]], [trend[1]])
    assert found.tolist() == [expected]


def test_categories_are_vectorised_and_labelled():
    bins = np.array([b for _, b, _ in CASES])
    z = np.array([t[0] for _, _, t in CASES])
    p = np.array([t[1] for _, _, t in CASES])
    assert emerging.emerging_categories(bins, z, p).tolist() == [c for c, _, _ in CASES]
    assert {c for c, _, _ in CASES} == set(emerging.CATEGORIES)
    assert emerging.category_label("new_hot") == "신규 핫스팟"
    assert emerging.category_label("intensifying_cold", "en") == "Intensifying cold spot"
    with pytest.raises(ValueError):
        emerging.category_label("rising")


def test_categories_refuse_bad_shapes():
    with pytest.raises(ValueError, match="shape"):
        emerging.emerging_categories([1, 0, 1], [0.0], [1.0])
    with pytest.raises(ValueError, match="trend_z"):
        emerging.emerging_categories([[1, 0, 1]], [0.0, 1.0], [1.0])


def test_weekly_counts_put_each_event_in_its_week():
    times = pd.to_datetime(
        [
            "2017-12-28 23:59",
            "2017-12-22 00:00",
            "2017-12-21 23:59",
            "2017-12-01 12:00",
            "2017-12-29 00:00",
        ]
    ).tz_localize(KST)
    cell = np.array([0, 1, 1, 2, 0])
    counts, starts = emerging.weekly_counts(cell, times, n_cells=3, end=END, weeks=3)
    # Weeks 12-08 .. 12-15, 12-15 .. 12-22, 12-22 .. 12-29; 12-01 and 12-29 are outside.
    assert starts[0] == pd.Timestamp("2017-12-08", tz=KST)
    assert counts.tolist() == [[0, 0, 1], [0, 1, 1], [0, 0, 0]]
    with pytest.raises(ValueError, match="tz-aware"):
        emerging.weekly_counts(cell, times, n_cells=3, end=END.tz_localize(None), weeks=3)


def weekly_burst(rng, cell_xy, n, week, *, weeks):
    """``n`` events inside the 200 m cell whose south-west corner is ``cell_xy``, in ``week``."""
    start = END - (weeks - week) * emerging.WEEK
    x = cell_xy[0] + rng.uniform(20, 180, n)
    y = cell_xy[1] + rng.uniform(20, 180, n)
    t = start + pd.to_timedelta(rng.uniform(0, 7 * 86400 - 1, n), unit="s")
    return x, y, t


def simulate(plants, *, weeks=12, seed=2017):
    """12 weeks on a 4 km square (400 cells): 15 events a week anywhere, plus
    ``plants[(x, y)](week)`` events a week in the cell whose south-west corner is (x, y)."""
    rng = np.random.default_rng(seed)
    xs, ys, ts = [], [], []
    for week in range(weeks):
        start = END - (weeks - week) * emerging.WEEK
        xs.append(rng.uniform(0, 4000, 15))
        ys.append(rng.uniform(0, 4000, 15))
        ts.append(start + pd.to_timedelta(rng.uniform(0, 7 * 86400 - 1, 15), unit="s"))
        for corner, count in plants.items():
            x, y, t = weekly_burst(rng, corner, count(week), week, weeks=weeks)
            xs.append(x)
            ys.append(y)
            ts.append(t)
    x, y = np.concatenate(xs), np.concatenate(ys)
    t = pd.DatetimeIndex(np.concatenate([np.asarray(t) for t in ts]))
    area = shapely.box(0, 0, 4000, 4000)
    return x, y, emerging.emerging_hotspots(x, y, t, area=area, end=END, weeks=weeks)


def planted_blocks(*cells):
    """Cell ids of the 3 × 3 blocks around the planted cells (their Gi* neighbourhoods)."""
    return {f"{c + i}_{r + j}" for c, r in cells for i in (-1, 0, 1) for j in (-1, 0, 1)}


def test_planted_persistent_and_new_hot_spots_are_found_and_noise_is_not():
    x, _, found = simulate({(1000, 1000): lambda w: 12, (1000, 3000): lambda w: 15 * (w == 11)})
    cells = found.cells.set_index("cell_id")
    assert cells.loc["5_5", "category"] == "persistent_hot"
    assert cells.loc["5_15", "category"] == "new_hot"
    assert cells.loc["5_5", "n_hot"] == 12 and cells.loc["5_15", "final_bin"] == 3
    assert found.bins.shape == (400, 12) and found.z.shape == (400, 12)
    assert found.counts.sum() == len(x) and cells["n_events"].sum() == len(x)
    # Away from the planted cells the noise makes no pattern.
    rest = cells.drop(index=list(planted_blocks((5, 5), (5, 15))))
    assert (rest["category"] == "no_pattern").all()


def test_a_planted_rising_hot_spot_is_intensifying():
    _, _, found = simulate({(3000, 1000): lambda w: 6 + 3 * w})
    cells = found.cells.set_index("cell_id")
    assert cells.loc["15_5", "category"] == "intensifying_hot"
    assert cells.loc["15_5", "trend_z"] > 0 and cells.loc["15_5", "trend_p"] < 0.05


def test_emerging_hotspots_refuses_too_few_weeks():
    with pytest.raises(ValueError, match="weeks"):
        emerging.emerging_hotspots([], [], [], area=shapely.box(0, 0, 400, 400), end=END, weeks=2)
