"""The equal-area comparators: the study grid, top cells, KDE and count scores, the bandwidth.

Most cases use a 1 km x 1 km square boundary and a 100 m grid (100 cells of
10,000 m², 1% of the area each), so every answer can be worked out by hand.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.compute.baselines import (
    choose_kde_bandwidth,
    count_scores,
    kde_scores,
    study_grid,
    top_cells,
)
from analytics.compute.evaluation import evaluate_hotspots
from analytics.storage.schema import conform_events, empty_events

SQUARE = shapely.box(0, 0, 1000, 1000)
TRIANGLE = shapely.Polygon([(0, 0), (200, 0), (0, 200)])
CELL = 100.0 * 100.0  # m², one cell of the 100 m grid


def events(rows, *, source="incident", inside=True) -> pd.DataFrame:
    """An event frame from ``(x, y, 'YYYY-MM-DD HH:MM')`` rows."""
    return conform_events(
        pd.DataFrame(
            {
                "source": [source] * len(rows),
                "x": [r[0] for r in rows],
                "y": [r[1] for r in rows],
                "occurred_at": pd.to_datetime([r[2] for r in rows]).tz_localize("Asia/Seoul"),
                "inside_station": [inside] * len(rows),
            }
        )
    )


def hotspots(*geoms, crs="EPSG:5179") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(geoms), crs=crs)


@pytest.fixture(scope="module")
def grid100():
    return study_grid(SQUARE, cell_m=100)


def cell_at(grid, row, col) -> int:
    return int(grid.index[row, col])


# ---------------------------------------------------------------------------- grid


def test_square_grid_is_one_hundred_full_cells(grid100):
    assert (grid100.n_rows, grid100.n_cols, grid100.n_cells) == (10, 10, 100)
    assert np.all(grid100.area_m2 == CELL)
    assert grid100.boundary_area_m2 == 1_000_000
    i = cell_at(grid100, 2, 3)  # row 2 (y 200..300), column 3 (x 300..400)
    assert (grid100.x[i], grid100.y[i]) == (350, 250)
    assert grid100.bounds[i].tolist() == [300, 200, 400, 300]


@pytest.mark.parametrize(
    ("boundary", "cell_m", "expected"),
    [
        # 250 x 150 m: the last column is 50 m wide, the top row 50 m tall.
        (
            shapely.box(0, 0, 250, 150),
            100,
            {
                (0, 0): 10_000,
                (0, 1): 10_000,
                (0, 2): 5_000,
                (1, 0): 5_000,
                (1, 1): 5_000,
                (1, 2): 2_500,
            },
        ),
        # The hypotenuse x + y = 200 halves two cells and only touches the corner of
        # cell (1, 1), which has no area inside and is dropped.
        (TRIANGLE, 100, {(0, 0): 10_000, (0, 1): 5_000, (1, 0): 5_000}),
    ],
)
def test_cells_keep_only_their_area_inside_the_boundary(boundary, cell_m, expected):
    grid = study_grid(boundary, cell_m=cell_m)
    got = {
        (int(r), int(c)): float(a) for r, c, a in zip(grid.row, grid.col, grid.area_m2, strict=True)
    }
    assert got == pytest.approx(expected)
    assert grid.area_m2.sum() == pytest.approx(boundary.area)


def test_real_boundary_grid_matches_polygon_clipping(geo):
    grid = study_grid(geo.boundary_m, cell_m=1000)
    # Brute force: clip every bounding-box cell against the whole boundary.
    cols, rows = np.meshgrid(np.arange(grid.n_cols), np.arange(grid.n_rows))
    x0, y0 = grid.x0 + cols.ravel() * 1000.0, grid.y0 + rows.ravel() * 1000.0
    boxes = shapely.box(x0, y0, x0 + 1000, y0 + 1000)
    areas = shapely.area(shapely.intersection(boxes, geo.boundary_m)).reshape(rows.shape)
    assert grid.n_cells == int((areas > 0).sum())
    assert np.allclose(grid.area_m2, areas[grid.row, grid.col], rtol=1e-9, atol=1e-6)
    assert grid.area_m2.sum() == pytest.approx(geo.boundary_m.area, rel=1e-9)


def test_grid_is_cached_and_read_only():
    grid = study_grid(SQUARE, cell_m=100)
    assert study_grid(SQUARE, cell_m=100.0) is grid
    assert study_grid(shapely.box(0, 0, 1000, 1000), cell_m=100) is grid  # equal, not same
    with pytest.raises(ValueError, match="read-only"):
        grid.area_m2[0] = 1.0


@pytest.mark.parametrize(
    ("x", "y", "row_col"),
    [
        (50, 50, (0, 0)),
        (100, 50, (0, 1)),  # on a grid line: the cell to the right
        (1000, 500, (5, 9)),  # on the far edge of the boundary: the last column
        (1000, 1000, (9, 9)),  # the far corner
        (0, 0, (0, 0)),
        (-0.1, 50, None),
        (500, 1000.1, None),
        (math.nan, 50, None),
    ],
)
def test_cell_of_square(grid100, x, y, row_col):
    expected = -1 if row_col is None else cell_at(grid100, *row_col)
    assert grid100.cell_of([x], [y]).tolist() == [expected]


def test_cell_of_falls_back_to_the_kept_neighbour_on_a_grid_line():
    grid = study_grid(TRIANGLE, cell_m=100)
    # (150, 100) is on the edge of the triangle and on the line between cell (0, 1)
    # (kept) and cell (1, 1) (dropped): it belongs to the kept one below.
    assert grid.cell_of([150], [100]).tolist() == [cell_at(grid, 0, 1)]
    # (100, 100) is the corner where the dropped cell meets three kept ones: the one
    # to the left is tried first.
    assert grid.cell_of([100], [100]).tolist() == [cell_at(grid, 1, 0)]


@pytest.mark.parametrize(
    ("x", "y", "covered"),
    [
        (50, 50, True),
        (100, 50, True),  # on the right edge of the selected cell (0, 0)
        (100, 100, True),  # its corner
        (150, 50, False),
        (100.001, 50, False),
        (math.nan, 50, False),
    ],
)
def test_points_on_the_edge_of_selected_cells_are_covered(grid100, x, y, covered):
    selected = np.zeros(grid100.n_cells, dtype=bool)
    selected[cell_at(grid100, 0, 0)] = True
    assert grid100.covered_by(selected, [x], [y]).tolist() == [covered]


@settings(max_examples=200, deadline=None)
@given(st.integers(-10, 210), st.integers(-10, 210))
def test_every_point_the_boundary_covers_gets_a_cell_that_holds_it(x, y):
    grid = study_grid(TRIANGLE, cell_m=100)
    (cell,) = grid.cell_of([float(x)], [float(y)])
    if TRIANGLE.covers(shapely.Point(x, y)):
        assert cell >= 0
    if cell >= 0:
        minx, miny, maxx, maxy = grid.bounds[cell]
        assert minx <= x <= maxx and miny <= y <= maxy


@pytest.mark.parametrize(
    ("boundary", "cell_m", "message"),
    [
        (SQUARE, 0, "cell_m"),
        (SQUARE, -50, "cell_m"),
        (SQUARE, math.nan, "cell_m"),
        (shapely.Point(0, 0), 50, "Polygon"),
        (shapely.Polygon(), 50, "empty"),
        ("POLYGON ((0 0, 1 0, 1 1, 0 0))", 50, "Polygon"),
    ],
)
def test_study_grid_rejects_bad_input(boundary, cell_m, message):
    with pytest.raises(ValueError, match=message):
        study_grid(boundary, cell_m=cell_m)


# ------------------------------------------------------------------- top cells


@pytest.mark.parametrize(
    ("scores", "areas", "target", "expected"),
    [
        ([3, 1, 2, 2], [1, 1, 1, 1], 2.0, [0, 2]),  # the tie 2 = 2 goes to the lower index
        ([3, 1, 2, 2], [1, 1, 1, 1], 2.4, [0, 2]),  # nearest: 2 cells (0.4 short)
        ([3, 1, 2, 2], [1, 1, 1, 1], 2.6, [0, 2, 3]),  # nearest: 3 cells (0.4 over)
        ([3, 1, 2, 2], [1, 1, 1, 1], 0.2, [0]),  # a positive target gets a cell
        ([3, 1, 2, 2], [1, 1, 1, 1], 0.0, []),
        ([3, 1, 2, 2], [1, 1, 1, 1], 9.0, [0, 2, 3, 1]),  # all of them, best first
        ([5, 4, 3], [1, 0.5, 1], 1.6, [0, 1]),  # 1.5 is nearer 1.6 than 2.5
        ([0, 0, 0], [1, 1, 1], 2.0, [0, 1]),  # zero scores fill by index
    ],
)
def test_top_cells_by_hand(scores, areas, target, expected):
    assert top_cells(scores, areas, target_area_m2=target).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.floats(1, 10)),
        min_size=1,
        max_size=30,
    ),
    st.floats(0, 1),
)
def test_top_cells_area_is_within_one_cell_of_the_target(cells, fraction):
    scores = np.array([c[0] for c in cells], dtype=float)
    areas = np.array([c[1] for c in cells])
    target = fraction * areas.sum()
    chosen = top_cells(scores, areas, target_area_m2=target)
    assert abs(areas[chosen].sum() - target) <= areas.max() + 1e-9
    # The chosen cells are the best: no left-out cell outscores a chosen one.
    left_out = np.setdiff1d(np.arange(len(scores)), chosen)
    if len(chosen) and len(left_out):
        assert scores[left_out].max() <= scores[chosen].min()


@pytest.mark.parametrize(
    ("scores", "areas", "target", "message"),
    [
        ([1, 2], [1], 1.0, "one length"),
        ([1, math.nan], [1, 1], 1.0, "finite"),
        ([1, 2], [1, -1], 1.0, ">= 0"),
        ([1, 2], [1, 1], -1.0, "target_area_m2"),
    ],
)
def test_top_cells_rejects_bad_input(scores, areas, target, message):
    with pytest.raises(ValueError, match=message):
        top_cells(scores, areas, target_area_m2=target)


# -------------------------------------------------------------------- baselines


def test_count_scores_by_hand(grid100):
    counts = count_scores([(50, 50), (60, 70), (550, 550), (-5, 5)], grid100)
    assert counts[cell_at(grid100, 0, 0)] == 2
    assert counts[cell_at(grid100, 5, 5)] == 1
    assert counts.sum() == 3  # the point outside every cell is left out


def test_kde_scores_by_hand(grid100):
    # One point at the centre of cell (0, 0), bandwidth 100 m: its own cell gets the
    # kernel's peak 1 / (2 pi h²), the next cell (100 m away) exp(-1/2) of it, and
    # cells beyond 4 bandwidths nothing.
    peak = 1 / (2 * math.pi * 100**2)
    dens = kde_scores([(50, 50)], grid100, bandwidth_m=100)
    assert dens[cell_at(grid100, 0, 0)] == pytest.approx(peak)
    assert dens[cell_at(grid100, 0, 1)] == pytest.approx(peak * math.exp(-0.5))
    assert dens[cell_at(grid100, 1, 1)] == pytest.approx(peak * math.exp(-1))
    assert dens[cell_at(grid100, 0, 5)] == 0.0


def test_kde_scores_match_a_brute_force_sum(grid100):
    rng = np.random.default_rng(7)
    pts = rng.uniform(-200, 1200, size=(40, 2))
    h = 150.0
    dx = grid100.x[:, None] - pts[None, :, 0]
    dy = grid100.y[:, None] - pts[None, :, 1]
    inside_cut = (np.abs(dx) <= 4 * h) & (np.abs(dy) <= 4 * h)
    brute = (np.exp(-(dx**2 + dy**2) / (2 * h * h)) * inside_cut).sum(axis=1) / (
        2 * math.pi * h * h
    )
    assert np.allclose(kde_scores(pts, grid100, bandwidth_m=h), brute, rtol=1e-12, atol=0)


@pytest.mark.parametrize("bandwidth_m", [0, -10, math.nan])
def test_kde_scores_reject_bad_bandwidth(grid100, bandwidth_m):
    with pytest.raises(ValueError, match="bandwidth_m"):
        kde_scores([(50, 50)], grid100, bandwidth_m=bandwidth_m)


# Training window for the bandwidth choice, on the 100 m grid with a one-cell target.
# A: three incidents at one address (150, 150). B: two incidents at each of four
# cell centres 200 m around (650, 650). With h = 25 m the top cell is A (3 > 2);
# with h = 200 m it is B's empty centre, where 8 exp(-1/2) = 4.85 beats A's 3 and
# any cell on B's ring (at most 3.74). The holdout is the last week.
FIT = [(150, 150)] * 3 + [(450, 650), (850, 650), (650, 450), (650, 850)] * 2
FIT_ROWS = [(x, y, f"2017-10-0{1 + i % 9} 12:00") for i, (x, y) in enumerate(FIT)]


def training(holdout_xy) -> pd.DataFrame:
    rows = [*FIT_ROWS, (*holdout_xy, "2017-10-19 09:00"), (*holdout_xy, "2017-10-20 09:00")]
    return events(rows)


@pytest.mark.parametrize(
    ("holdout_xy", "candidates_m", "expected"),
    [
        ((150, 150), (25, 200), 25.0),
        ((650, 650), (25, 200), 200.0),
        ((150, 150), (25, 50, 100, 200), 100.0),  # 25, 50 and 100 all catch it: the largest
        ((650, 650), (25, 50, 100, 200), 200.0),
    ],
)
def test_bandwidth_is_chosen_on_the_end_of_the_training_window(
    grid100, holdout_xy, candidates_m, expected
):
    chosen = choose_kde_bandwidth(
        training(holdout_xy), grid=grid100, target_area_m2=CELL, candidates_m=candidates_m
    )
    assert chosen == expected


@pytest.mark.parametrize(
    "train",
    [
        events(FIT_ROWS[:3]),  # everything in one day: nothing before the holdout
        events([(150, 150, "2017-10-01 12:00"), (650, 650, "2017-10-20 12:00")], inside=False),
        empty_events(),
    ],
)
def test_bandwidth_falls_back_to_the_largest_without_a_holdout(grid100, train):
    chosen = choose_kde_bandwidth(train, grid=grid100, target_area_m2=CELL, candidates_m=(25, 200))
    assert chosen == 200.0


def test_bandwidth_choice_never_sees_the_test_week():
    train = training((150, 150))
    one_cell = hotspots(shapely.box(900, 0, 1000, 100))
    # Test incidents at B's centre would favour 200 m if the choice could see them.
    peeking = choose_kde_bandwidth(
        training((650, 650)), grid=study_grid(SQUARE, cell_m=100), target_area_m2=CELL
    )
    assert peeking == 200.0
    results = [
        evaluate_hotspots(one_cell, train, test, boundary_m=SQUARE, cell_m=100)
        for test in (
            events([(150, 150, "2017-10-23 10:00")]),
            events([(650, 650, "2017-10-23 10:00")] * 20),
            empty_events(),
        )
    ]
    assert {(r.kde_bandwidth_m, r.kde_bandwidth_by) for r in results} == {(100.0, "holdout")}
