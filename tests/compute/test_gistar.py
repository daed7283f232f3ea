"""Getis-Ord Gi* on a grid: esda's numbers on a textbook lattice, a hand computation,
ArcGIS's confidence bins with the FDR correction, and chance against a planted cluster."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from scipy.stats import binom

from analytics.compute import gistar

CELL = 200.0
LATTICE = shapely.box(0, 0, 5 * CELL, 5 * CELL)  # a 5 × 5 lattice of 200 m cells


def hot_block() -> np.ndarray:
    """5 × 5 values, row by row from the south: 1 everywhere, 6 around the centre, 10 at it."""
    values = np.ones((5, 5))
    values[1:4, 1:4] = 6
    values[2, 2] = 10
    return values.ravel()


def test_the_grid_is_aligned_and_keeps_only_cells_inside():
    grid = gistar.square_grid(LATTICE, cell_m=CELL)
    # A cell that only touches the lattice's edge is not in it.
    assert len(grid) == 25
    assert grid["col"].tolist()[:6] == [0, 1, 2, 3, 4, 0]
    assert grid["row"].tolist()[:6] == [0, 0, 0, 0, 0, 1]
    assert grid.loc[7, "cell_id"] == "2_1" and grid.loc[7, ["x", "y"]].tolist() == [500.0, 300.0]
    assert grid.geometry.area.eq(CELL * CELL).all()
    shifted = gistar.square_grid(shapely.box(150, 150, 250, 250), cell_m=CELL)
    assert shifted["cell_id"].tolist() == ["0_0", "1_0", "0_1", "1_1"]


def test_points_fall_in_their_cell_or_nowhere():
    grid = gistar.square_grid(LATTICE, cell_m=CELL)
    x = np.array([10.0, 999.0, 500.0, -5.0, np.nan, 1000.0])
    y = np.array([10.0, 999.0, 300.0, 10.0, 10.0, 10.0])
    assert gistar.cell_of(grid, x, y, cell_m=CELL).tolist() == [0, 24, 7, -1, -1, -1]
    assert gistar.count_in_cells(grid, x, y, cell_m=CELL).sum() == 3


def test_queen_weights_on_the_lattice_are_libpysal_queen_contiguity():
    from libpysal.weights import lat2W

    grid = gistar.square_grid(LATTICE, cell_m=CELL)
    ours = gistar.grid_weights(grid, cell_m=CELL).sparse.toarray()
    queen = lat2W(5, 5, rook=False).sparse.toarray()
    assert np.array_equal(ours, queen)
    # A band of 1 cell is rook contiguity.
    rook = gistar.grid_weights(grid, cell_m=CELL, band_m=CELL).sparse.toarray()
    assert np.array_equal(rook, lat2W(5, 5, rook=True).sparse.toarray())


def test_gi_star_z_scores_match_esda_on_the_lattice():
    from esda import G_Local
    from libpysal.weights import lat2W

    values = hot_block()
    grid = gistar.square_grid(LATTICE, cell_m=CELL)
    z, _ = gistar.gi_star(values, gistar.grid_weights(grid, cell_m=CELL))
    expected = G_Local(values, lat2W(5, 5, rook=False), transform="B", star=True, permutations=0)
    np.testing.assert_allclose(z, expected.Zs, rtol=1e-12)
    assert z.argmax() == 12  # the centre


def test_gi_star_by_hand_for_the_centre_and_a_corner():
    # G*_i = (sum_j w_ij x_j - mean * W_i) / (S * sqrt((n W_i - W_i^2) / (n - 1))), binary
    # weights with the cell itself; S^2 = sum x^2 / n - mean^2.
    # n = 25, sum x = 10 + 8*6 + 16*1 = 74, mean = 2.96; sum x^2 = 100 + 288 + 16 = 404,
    # S^2 = 16.16 - 8.7616 = 7.3984, S = 2.72.
    grid = gistar.square_grid(LATTICE, cell_m=CELL)
    z, _ = gistar.gi_star(hot_block(), gistar.grid_weights(grid, cell_m=CELL))
    # The centre: W = 9, local sum 10 + 8 * 6 = 58; sqrt((225 - 81) / 24) = sqrt(6).
    assert z[12] == pytest.approx((58 - 9 * 2.96) / (2.72 * math.sqrt(6)), rel=1e-12)
    assert z[12] == pytest.approx(4.70686, abs=1e-5)
    # The south-west corner: W = 4 (itself, east, north, north-east = 6), local sum 9;
    # sqrt((100 - 16) / 24) = sqrt(3.5).
    assert z[0] == pytest.approx((9 - 4 * 2.96) / (2.72 * math.sqrt(3.5)), rel=1e-12)


def test_binomial_p_is_the_tail_of_the_neighbourhood_count():
    grid = gistar.square_grid(LATTICE, cell_m=CELL)
    _, p = gistar.gi_star(hot_block(), gistar.grid_weights(grid, cell_m=CELL))
    # The centre's neighbourhood holds 58 of 74 events in 9 of 25 cells.
    upper = sum(math.comb(74, k) * 0.36**k * 0.64 ** (74 - k) for k in range(58, 75))
    assert p[12] == pytest.approx(2 * upper, rel=1e-9)
    # The corner's 9 events where 74 * 4 / 25 = 11.84 were expected: the lower tail.
    assert p[0] == pytest.approx(min(1.0, 2 * binom.cdf(9, 74, 4 / 25)), rel=1e-9)


def test_confidence_bins_with_and_without_the_fdr_correction():
    # Benjamini-Hochberg on 10 p-values: at alpha 0.10 the largest k with
    # p_(k) < k * 0.01 is k = 6 (0.059 < 0.06); at 0.05, k = 2 (0.008 < 0.010);
    # at 0.01, k = 1 (0.0005 < 0.001).
    p = np.array([0.0005, 0.008, 0.039, 0.041, 0.042, 0.059, 0.074, 0.205, 0.212, 0.216])
    z = np.array([4.0, -3.0, 2.0, 2.0, -2.0, 2.0, 2.0, 1.0, 1.0, 1.0])
    assert gistar.confidence_bins(z, p).tolist() == [3, -2, 1, 1, -1, 1, 0, 0, 0, 0]
    assert gistar.confidence_bins(z, p, fdr=False).tolist() == [3, -3, 2, 2, -2, 1, 1, 0, 0, 0]
    assert gistar.confidence_bins(np.ones(3), np.ones(3)).tolist() == [0, 0, 0]


def test_bin_labels_come_from_the_catalogue():
    assert gistar.bin_label(3) == "핫스팟 (99% 신뢰)"
    assert gistar.bin_label(-1, "en") == "Cold spot (90% confidence)"
    assert gistar.bin_label(0, "en") == "Not significant"
    with pytest.raises(ValueError):
        gistar.bin_label(4)


def uniform_points(rng, n, size_m):
    return rng.uniform(0, size_m, n), rng.uniform(0, size_m, n)


def test_chance_makes_no_hot_cell_and_a_planted_cluster_is_found():
    area = shapely.box(0, 0, 6000, 6000)  # 900 cells
    rng = np.random.default_rng(16)
    x, y = uniform_points(rng, 300, 6000)
    chance = gistar.gi_star_grid(x, y, area=area, cell_m=CELL)
    assert (chance["gi_bin"] != 0).sum() == 0
    # On a week's worth of noise (60 events in 900 cells) the normal approximation
    # finds "hot spots" even after the FDR correction; the binomial tail does not.
    sx, sy = uniform_points(np.random.default_rng(16), 60, 6000)
    sparse = gistar.gi_star_grid(sx, sy, area=area, cell_m=CELL)
    normal = gistar.gi_star_grid(sx, sy, area=area, cell_m=CELL, inference="normal")
    assert (sparse["gi_bin"] != 0).sum() == 0 and (normal["gi_bin"] > 0).sum() >= 10
    # Twenty events planted in one cell (3000 .. 3200 m: column and row 15).
    px = np.concatenate([x, 3020 + rng.uniform(0, 160, 20)])
    py = np.concatenate([y, 3020 + rng.uniform(0, 160, 20)])
    planted = gistar.gi_star_grid(px, py, area=area, cell_m=CELL)
    hot = planted[planted["gi_bin"] > 0]
    assert planted.loc[planted["cell_id"] == "15_15", "gi_bin"].item() == 3
    assert set(hot["cell_id"]) <= {f"{c}_{r}" for c in (14, 15, 16) for r in (14, 15, 16)}
    assert planted["n_events"].sum() == 320


def test_an_isolated_cell_and_an_empty_grid_are_handled():
    area = shapely.MultiPolygon([shapely.box(0, 0, 600, 600), shapely.box(5000, 5000, 5200, 5200)])
    grid = gistar.square_grid(area, cell_m=CELL)
    assert len(grid) == 10
    w = gistar.grid_weights(grid, cell_m=CELL)
    counts = np.zeros(10)
    counts[-1] = 3
    z, p = gistar.gi_star(counts, w)
    assert np.isfinite(z).all() and np.isfinite(p).all() and z[-1] > 0
    z, p = gistar.gi_star(np.zeros(10), w)
    assert (z == 0).all() and (p == 1).all()
    empty = gistar.gi_star_grid([], [], area=area, cell_m=CELL)
    assert (empty["gi_bin"] == 0).all() and (empty["n_events"] == 0).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gistar.square_grid(LATTICE, cell_m=0), "cell_m"),
        (lambda: gistar.square_grid(shapely.Polygon(), cell_m=CELL), "non-empty"),
        (
            lambda: gistar.grid_weights(gistar.square_grid(LATTICE), cell_m=CELL, band_m=-1),
            "band_m",
        ),
        (lambda: gistar.gi_star_grid([0.0], [0.0], area=LATTICE, inference="exact"), "inference"),
        (
            lambda: gistar.cell_of(gistar.square_grid(LATTICE), [1.0], [1.0, 2.0], cell_m=CELL),
            "x and y",
        ),
    ],
)
def test_bad_arguments_are_refused_early(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_binomial_inference_needs_counts():
    grid = gistar.square_grid(LATTICE, cell_m=CELL)
    w = gistar.grid_weights(grid, cell_m=CELL)
    with pytest.raises(ValueError, match="counts"):
        gistar.gi_star(hot_block() + 0.5, w)
    z, _ = gistar.gi_star(hot_block() + 0.5, w, inference="normal")
    assert z.argmax() == 12
