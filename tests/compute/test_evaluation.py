"""Held-out hotspot accuracy: grid, hit rate, PAI, PEI, equal-area baselines, the sentence.

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

from analytics.compute.evaluation import (
    BaselineScore,
    HotspotEvaluation,
    accuracy_sentence,
    choose_kde_bandwidth,
    count_scores,
    evaluate_hotspots,
    hit_rate_area,
    kde_scores,
    pai,
    pei,
    study_grid,
    top_cells,
)
from analytics.storage.schema import conform_events, empty_events
from tests.conftest import MARKET

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


# ------------------------------------------------------------ hit rate, PAI, PEI

# Four test points: one inside the hotspot, one on its edge, two in cell (5, 5).
POINTS = [(50, 50), (200, 50), (550, 550), (560, 560)]


@pytest.mark.parametrize(
    ("polygons", "hit_rate", "area_share"),
    [
        ([shapely.box(0, 0, 200, 100)], 0.5, 0.02),  # the edge point counts
        ([shapely.box(0, 0, 199, 100)], 0.25, 0.0199),
        ([shapely.box(0, 0, 200, 100), shapely.box(100, 0, 200, 100)], 0.5, 0.02),  # overlap once
        ([shapely.box(900, 900, 1100, 1100)], 0.0, 0.01),  # only the inside quarter counts
        ([shapely.box(500, 500, 600, 600), None, shapely.Polygon()], 0.5, 0.01),
        ([], 0.0, 0.0),
    ],
)
def test_hit_rate_area_by_hand(polygons, hit_rate, area_share):
    got = hit_rate_area(polygons, POINTS, boundary_m=SQUARE)
    assert got == (pytest.approx(hit_rate), pytest.approx(area_share), 4)


def test_hit_rate_is_none_without_test_points():
    got = hit_rate_area([shapely.box(0, 0, 200, 100)], np.empty((0, 2)), boundary_m=SQUARE)
    assert got.hit_rate is None
    assert got.area_share == pytest.approx(0.02)
    assert got.n_test == 0


@pytest.mark.parametrize(
    ("hit_rate", "area_share", "expected"),
    [(0.5, 0.02, 25.0), (0.24, 0.001, 240.0), (0.0, 0.1, 0.0), (None, 0.1, None), (0.3, 0.0, None)],
)
def test_pai(hit_rate, area_share, expected):
    assert pai(hit_rate, area_share) == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(("hit_rate", "area_share"), [(1.5, 0.1), (0.5, -0.1), (math.nan, 0.1)])
def test_pai_rejects_shares_outside_zero_to_one(hit_rate, area_share):
    with pytest.raises(ValueError, match="between 0 and 1"):
        pai(hit_rate, area_share)


@pytest.mark.parametrize(
    ("hit_rate", "area_m2", "expected"),
    [
        # Two cells of area: the best are cell (5, 5) with 2 points and, of the two
        # cells with 1 point, (0, 0) by lower index: 3 of 4 -> 0.5 / 0.75.
        (0.5, 2 * CELL, 2 / 3),
        (0.5, 1 * CELL, 1.0),  # the best single cell holds 2 of 4 points
        (0.75, 3 * CELL, 0.75),  # three cells catch all four
        (0.5, 0.0, None),  # no area: even hindsight catches nothing
        (None, 2 * CELL, None),
    ],
)
def test_pei_by_hand(grid100, hit_rate, area_m2, expected):
    got = pei(hit_rate, POINTS, grid100, area_m2=area_m2)
    assert got == (None if expected is None else pytest.approx(expected))


def test_pei_is_none_without_test_points(grid100):
    assert pei(0.0, np.empty((0, 2)), grid100, area_m2=CELL) is None


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


# ------------------------------------------------------------- the whole check

TRAIN_WEEK = "2017-10-16 10:00"
TEST_WEEK = "2017-10-23 10:00"


@pytest.mark.parametrize(
    "hotspot",
    [
        shapely.box(0, 0, 230, 170),  # 3.91 cells
        shapely.box(300, 300, 700, 700).buffer(-40),  # rounded corners
        shapely.Point(0, 0).buffer(300),  # three quarters outside the boundary
        shapely.box(0, 0, 30, 30),  # a tenth of a cell
    ],
)
def test_baselines_get_the_hotspots_area_within_one_cell(hotspot):
    train = events([(x, y, TRAIN_WEEK) for x, y in [(150, 150), (420, 880), (810, 330)] * 3])
    test = events([(150, 150, TEST_WEEK)])
    result = evaluate_hotspots(hotspots(hotspot), train, test, boundary_m=SQUARE, cell_m=100)
    assert result.area_m2 == pytest.approx(shapely.intersection(hotspot, SQUARE).area)
    for baseline in (result.kde, result.grid):
        assert abs(baseline.area_m2 - result.area_m2) <= CELL
        assert baseline.area_share == pytest.approx(baseline.area_m2 / 1e6)
        assert baseline.n_cells >= 1


def test_naive_grid_wins_when_incidents_repeat_at_the_same_address():
    # Grid: address A (150, 150) has 5 incidents, more than any cell of the tight
    # group B around the corner (600, 600) with 4 a cell. KDE at 100 m sums B's 16
    # into 4 + 8 exp(-1/2) + 4 exp(-1) = 10.3 per B cell and so picks B. This week
    # A repeats; the hotspot is one cell elsewhere.
    b_points = [(550, 550), (650, 550), (550, 650), (650, 650)] * 4
    train = events([(x, y, TRAIN_WEEK) for x, y in [(150, 150)] * 5 + b_points])
    test = events([(150, 150, TEST_WEEK)] * 4)
    result = evaluate_hotspots(
        hotspots(shapely.box(900, 0, 1000, 100)),
        train,
        test,
        boundary_m=SQUARE,
        cell_m=100,
        bandwidth_m=100,
    )
    assert (result.hit_rate, result.grid.hit_rate, result.kde.hit_rate) == (0.0, 1.0, 0.0)
    assert result.grid.pai == pytest.approx(100.0)
    assert result.beaten_by == ("grid",)
    assert result.kde_bandwidth_by == "caller"
    assert accuracy_sentence(result) == (
        "지난주 핫스팟이 면적 1%에서 이번 주 사건의 0%를 포착 (PAI 0; KDE 0, 상위 격자 100)"
        " — 상위 격자 기준이 더 정확했습니다"
    )
    assert result.accuracy_sentence("en").endswith(
        " — the top grid cells baseline was more accurate"
    )


def test_both_baselines_can_win_and_the_sentence_names_both():
    train = events([(250, 250, TRAIN_WEEK)] * 10 + [(750, 750, TRAIN_WEEK)] * 10)
    test = events([(250, 250, TEST_WEEK), (750, 750, TEST_WEEK)] * 3)
    result = evaluate_hotspots(
        hotspots(shapely.box(0, 900, 200, 1000)), train, test, boundary_m=SQUARE, cell_m=100
    )
    assert result.beaten_by == ("kde", "grid")
    assert result.accuracy_sentence() == (
        "지난주 핫스팟이 면적 2%에서 이번 주 사건의 0%를 포착 (PAI 0; KDE 50, 상위 격자 50)"
        " — KDE와 상위 격자 기준이 모두 더 정확했습니다"
    )
    assert result.accuracy_sentence("en").endswith(
        " — both the KDE and the top grid cells baselines were more accurate"
    )


def test_hotspots_win_when_they_catch_what_the_past_did_not_predict():
    train = events([(850, 850, TRAIN_WEEK)] * 6)
    # Three incidents inside the one-cell hotspot and one on its right edge, which
    # the grid puts in the next cell: the best single cell holds 3 of 4, so the
    # hotspot, catching all 4, has a PEI of 4/3.
    test = events([(50, 50, TEST_WEEK)] * 3 + [(100, 50, TEST_WEEK)])
    result = evaluate_hotspots(
        hotspots(shapely.box(0, 0, 100, 100)), train, test, boundary_m=SQUARE, cell_m=100
    )
    assert (result.hit_rate, result.area_share, result.pai) == (1.0, 0.01, 100.0)
    assert result.pei == pytest.approx(4 / 3)
    assert (result.kde.hit_rate, result.grid.hit_rate) == (0.0, 0.0)
    assert result.beaten_by == ()
    assert result.accuracy_sentence() == (
        "지난주 핫스팟이 면적 1%에서 이번 주 사건의 100%를 포착 (PAI 100; KDE 0, 상위 격자 0)"
    )
    assert result.accuracy_sentence("en") == (
        "Last week's hotspots covered 1% of the area and caught 100% of this week's incidents"
        " (PAI 100; KDE 0, top grid cells 0)"
    )


def test_only_incidents_inside_the_station_are_test_events():
    train = events([(850, 850, TRAIN_WEEK)])
    test = pd.concat(
        [
            events([(50, 50, TEST_WEEK)]),
            events([(50, 50, TEST_WEEK)], source="complaint"),
            events([(60, 60, TEST_WEEK)], inside=False),
            events([(550, 550, TEST_WEEK), (math.nan, 50, TEST_WEEK)]),
        ],
        ignore_index=True,
    )
    result = evaluate_hotspots(
        hotspots(shapely.box(0, 0, 100, 100)), train, test, boundary_m=SQUARE, cell_m=100
    )
    assert (result.n_test, result.hit_rate) == (2, 0.5)


@pytest.mark.parametrize(
    "test",
    [
        empty_events(),
        events([(50, 50, TEST_WEEK)], source="suggestion"),
        events([(50, 50, TEST_WEEK)], inside=False),
    ],
)
def test_no_test_incidents_is_reported_not_divided_by(test):
    train = events([(50, 50, TRAIN_WEEK)] * 3)
    result = evaluate_hotspots(
        hotspots(shapely.box(0, 0, 100, 100)), train, test, boundary_m=SQUARE, cell_m=100
    )
    assert result.n_test == 0
    assert (result.hit_rate, result.pai, result.pei) == (None, None, None)
    assert (result.kde.hit_rate, result.grid.pai, result.kde.pei) == (None, None, None)
    assert result.area_share == pytest.approx(0.01)
    assert (
        result.accuracy_sentence()
        == "이번 주 사건이 없어 지난주 핫스팟(면적 1%)의 정확도를 잴 수 없습니다"
    )
    assert result.accuracy_sentence("en") == (
        "No incidents this week, so last week's hotspots (1% of the area) cannot be scored"
    )


def test_no_hotspots_is_reported_not_divided_by():
    train = events([(50, 50, TRAIN_WEEK)] * 3)
    test = events([(50, 50, TEST_WEEK)] * 2)
    result = evaluate_hotspots(hotspots(), train, test, boundary_m=SQUARE, cell_m=100)
    assert (result.n_hotspots, result.area_m2, result.hit_rate, result.pai) == (0, 0.0, 0.0, None)
    assert (result.grid.n_cells, result.grid.pai) == (0, None)
    assert (
        result.accuracy_sentence() == "지난주 핫스팟이 없어 이번 주 사건 2건과 비교할 수 없습니다"
    )


def test_training_data_after_the_test_start_is_refused():
    train = events([(50, 50, "2017-10-24 10:00")])
    test = events([(50, 50, TEST_WEEK)])
    with pytest.raises(ValueError, match="after the first test incident"):
        evaluate_hotspots(
            hotspots(shapely.box(0, 0, 100, 100)), train, test, boundary_m=SQUARE, cell_m=100
        )


def test_hotspots_in_degrees_are_refused():
    train = events([(50, 50, TRAIN_WEEK)])
    with pytest.raises(ValueError, match="degrees"):
        evaluate_hotspots(
            hotspots(shapely.box(127.38, 35.40, 127.39, 35.41), crs="EPSG:4326"),
            train,
            train.iloc[:0],
            boundary_m=SQUARE,
        )


def test_non_polygon_hotspots_are_refused():
    train = events([(50, 50, TRAIN_WEEK)])
    with pytest.raises(ValueError, match="must be polygons, got Point"):
        evaluate_hotspots(hotspots(shapely.Point(5, 5)), train, train.iloc[:0], boundary_m=SQUARE)


def test_events_without_coordinates_columns_are_refused():
    bad = pd.DataFrame({"source": ["incident"], "x": [1.0]})
    with pytest.raises(
        ValueError, match=r"train_events is missing columns \['y', 'inside_station'\]"
    ):
        evaluate_hotspots(hotspots(), bad, events([]), boundary_m=SQUARE, bandwidth_m=50)


# ---------------------------------------------------------------------- sentences


def made_up(hit_rate, area_share, pai_, kde_pai, grid_pai, n_test=250) -> HotspotEvaluation:
    def baseline(name, value):
        return BaselineScore(name, 0.1, area_share, value, None, area_share * 7.5e8, 300)

    return HotspotEvaluation(
        hit_rate=hit_rate,
        area_share=area_share,
        pai=pai_,
        pei=None,
        n_test=n_test,
        area_m2=area_share * 7.5e8,
        n_hotspots=5,
        kde=baseline("kde", kde_pai),
        grid=baseline("grid", grid_pai),
        kde_bandwidth_m=100.0,
        kde_bandwidth_by="holdout",
        n_train=12_000,
        cell_m=50.0,
    )


@pytest.mark.parametrize(
    ("evaluation", "lang", "expected"),
    [
        (
            made_up(0.24, 0.00127, 189.4, 125.2, 107.0),
            "ko",
            "지난주 핫스팟이 면적 0.1%에서 이번 주 사건의 24%를 포착 (PAI 189; KDE 125, 상위 격자 107)",
        ),
        (
            made_up(0.24, 0.00127, 189.4, 125.2, 107.0),
            "en",
            "Last week's hotspots covered 0.1% of the area and caught 24% of this week's"
            " incidents (PAI 189; KDE 125, top grid cells 107)",
        ),
        (
            made_up(0.03, 0.0004, 75.0, 80.5, 2.25),
            "ko",
            "지난주 핫스팟이 면적 0.04%에서 이번 주 사건의 3%를 포착 (PAI 75; KDE 80, 상위 격자 2.2)"
            " — KDE 기준이 더 정확했습니다",
        ),
        (
            made_up(0.03, 0.0004, 75.0, 80.5, 2.25),
            "en",
            "Last week's hotspots covered 0.04% of the area and caught 3% of this week's"
            " incidents (PAI 75; KDE 80, top grid cells 2.2) — the KDE baseline was more accurate",
        ),
        (
            # 249 of 250 is not "100%"; a missing baseline PAI shows as a dash.
            made_up(0.996, 0.05, 19.92, 9.96, None),
            "ko",
            "지난주 핫스팟이 면적 5%에서 이번 주 사건의 99%를 포착 (PAI 20; KDE 10, 상위 격자 —)",
        ),
    ],
)
def test_accuracy_sentence(evaluation, lang, expected):
    assert accuracy_sentence(evaluation, lang=lang) == expected


def test_equal_pai_is_not_a_defeat():
    assert made_up(0.5, 0.01, 50.0, 50.0, 50.0).beaten_by == ()


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang"):
        made_up(0.24, 0.001, 240.0, 1.0, 1.0).accuracy_sentence("fr")


# ------------------------------------------------------------------ real Namwon


def test_evaluate_on_the_real_boundary(geo):
    # Its speed is measured by bench/backtest_bench.py, not asserted here.
    mx, my = geo.to_analysis([MARKET["lon"]], [MARKET["lat"]])
    market = (float(mx[0]), float(my[0]))
    rng = np.random.default_rng(3)
    train = events([(x, y, TRAIN_WEEK) for x, y in rng.normal(0, 60, size=(30, 2)) + market])
    # Five incidents within 150 m of the market, one 3 km east of it.
    offsets = [(0, 0), (50, -30), (-80, 40), (20, 120), (-100, -100), (3000, 0)]
    test = events([(market[0] + dx, market[1] + dy, TEST_WEEK) for dx, dy in offsets])
    spots = hotspots(shapely.Point(market).buffer(200))

    result = evaluate_hotspots(spots, train, test, boundary_m=geo.boundary_m)
    assert result.n_test == 6
    assert result.hit_rate == pytest.approx(5 / 6)  # all but the point 3 km east
    assert result.area_m2 == pytest.approx(math.pi * 200**2, rel=0.01)
    assert result.area_share == pytest.approx(result.area_m2 / geo.boundary_m.area)
    for baseline in (result.kde, result.grid):
        assert abs(baseline.area_m2 - result.area_m2) <= 50 * 50
    assert result.kde_bandwidth_by == "fallback"  # one training day: no holdout to learn from
