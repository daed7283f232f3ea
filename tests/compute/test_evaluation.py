"""Held-out hotspot accuracy: hit rate, PAI, PEI, the equal-area check, the sentence.

The cases share the 1 km square and the 100 m grid of ``test_baselines``, so every
answer can be worked out by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely

from analytics.compute.baselines import study_grid
from analytics.compute.evaluation import (
    BaselineScore,
    HotspotEvaluation,
    accuracy_sentence,
    evaluate_hotspots,
    hit_rate_area,
    pai,
    pei,
)
from analytics.storage.schema import empty_events
from tests.compute.test_baselines import CELL, SQUARE, events, hotspots
from tests.conftest import MARKET


@pytest.fixture(scope="module")
def grid100():
    return study_grid(SQUARE, cell_m=100)


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
