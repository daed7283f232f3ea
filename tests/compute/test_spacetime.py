"""analytics.compute.spacetime: the events a view counts on a grid, its hot Gi* cells,
each hotspot's emerging pattern, and near-repeat as sentences and patrol days."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analytics.access.privacy import PrivacyRule
from analytics.compute import spacetime
from analytics.compute.emerging import NO_PATTERN
from analytics.query import HotspotQuery
from tests.conftest import make_events

KST = "Asia/Seoul"
CRS = "EPSG:5179"
# A 2 km square aligned to the 200 m grid, in the town (EPSG:5179 metres).
X0, Y0 = 988_000.0, 1_711_000.0
AREA = shapely.box(X0, Y0, X0 + 2000, Y0 + 2000)
END = pd.Timestamp("2017-12-29", tz=KST)


def square(col: int, row: int, cell_m: float = 200.0):
    """The square of grid cell (col, row) counted from the area's corner."""
    x, y = X0 + col * cell_m, Y0 + row * cell_m
    return shapely.box(x, y, x + cell_m, y + cell_m)


def cells_frame(cats: dict[tuple[int, int], str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"cell_id": [f"{c}_{r}" for c, r in cats], "category": list(cats.values())},
        geometry=[square(c, r) for c, r in cats],
        crs=CRS,
    )


def hotspots_frame(shapes: dict[str, object]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"hotspot_id": list(shapes)}, geometry=list(shapes.values()), crs=CRS
    ).set_index(pd.Index([10, 20, 30, 40][: len(shapes)]))


# --------------------------------------------------------------------- hotspot_emerging
def test_a_hotspot_takes_the_most_pressing_pattern_of_the_cells_it_covers():
    cells = cells_frame(
        {
            (1, 1): "persistent_hot",
            (2, 1): "intensifying_hot",
            (5, 5): "sporadic_hot",
            (6, 5): "new_hot",  # only touched along an edge by hotspot B
            (8, 8): "persistent_cold",
            (8, 7): "historical_hot",
        }
    )
    hotspots = hotspots_frame(
        {
            # Across the border of a persistent and an intensifying cell.
            "A": shapely.box(X0 + 300, Y0 + 250, X0 + 500, Y0 + 350),
            # Inside the sporadic cell, one edge on the new cell's edge.
            "B": shapely.box(X0 + 1050, Y0 + 1050, X0 + 1200, Y0 + 1150),
            # Over a cold cell and empty ones.
            "C": shapely.Point(X0 + 1700, Y0 + 1700).buffer(60),
            # A historical cell and a persistent one can both be covered: persistent wins.
            "D": shapely.box(X0 + 1650, Y0 + 1450, X0 + 1700, Y0 + 1550),
        }
    )
    cells = pd.concat([cells, cells_frame({(8, 7): "historical_hot"})])
    found = spacetime.hotspot_emerging(hotspots, cells)
    assert list(found.index) == [10, 20, 30, 40]
    assert found.tolist() == ["intensifying_hot", "sporadic_hot", NO_PATTERN, "historical_hot"]
    found = spacetime.hotspot_emerging(
        hotspots, pd.concat([cells, cells_frame({(8, 7): "persistent_hot"})])
    )
    assert found.loc[40] == "persistent_hot"


def test_no_cells_or_no_hotspots_give_no_pattern():
    hotspots = hotspots_frame({"A": square(1, 1)})
    assert spacetime.hotspot_emerging(hotspots, cells_frame({})).tolist() == [NO_PATTERN]
    only_cold = cells_frame({(1, 1): "new_cold"})
    assert spacetime.hotspot_emerging(hotspots, only_cold).tolist() == [NO_PATTERN]
    assert spacetime.hotspot_emerging(hotspots.iloc[:0], only_cold).empty


def test_the_severity_order_lists_every_hot_pattern_once():
    from analytics.compute.emerging import CATEGORIES

    hot = [c for c in CATEGORIES if c.endswith("_hot")]
    assert sorted(spacetime.HOT_SEVERITY) == sorted(hot)
    assert spacetime.HOT_SEVERITY[:2] == ("intensifying_hot", "persistent_hot")


# ------------------------------------------------------------------- selecting events
def _events(rows):
    return make_events(rows)


def test_view_events_follows_the_query_and_leaves_out_township_centres():
    t = pd.Timestamp("2017-12-25 21:00", tz=KST)
    ev = _events(
        [
            {"x": X0 + 10, "y": Y0 + 10, "occurred_at": t},  # kept
            {"x": X0 + 10, "y": Y0 + 10, "occurred_at": t, "source": "complaint"},
            {"x": X0 + 10, "y": Y0 + 10, "occurred_at": t, "category": "theft"},
            {"x": X0 + 10, "y": Y0 + 10, "occurred_at": t - pd.Timedelta(days=30)},
            {"x": X0 + 10, "y": Y0 + 10, "occurred_at": t, "geocode_score": 0.3},
            {"x": X0 + 10, "y": Y0 + 10, "occurred_at": t, "inside_station": False},
            {"x": np.nan, "y": np.nan, "occurred_at": t},
        ]
    )
    q = HotspotQuery(
        sources=("incident",), categories=("violence",), start=END - pd.Timedelta(days=7), end=END
    )
    assert len(spacetime.view_events(ev, q)) == 1
    assert len(spacetime.view_events(ev, q.with_(include_outside=True))) == 2
    wider = spacetime.view_events(ev, q, start=END - pd.Timedelta(days=35))
    assert len(wider) == 2


def test_a_viewers_grid_leaves_the_sensitive_categories_out(station):
    ev = _events(
        [
            {"x": X0 + 10, "y": Y0 + 10, "category": "domestic"},
            {"x": X0 + 20, "y": Y0 + 20, "category": "theft"},
        ]
    )
    analyst = PrivacyRule.for_role("analyst", station)
    viewer = PrivacyRule.for_role("viewer", station)
    assert spacetime.grid_events(ev, analyst) is ev
    assert spacetime.grid_events(ev, viewer)["category"].tolist() == ["theft"]


# ----------------------------------------------------------------------- the grids
def _cluster_and_noise(seed: int = 0, *, n_cluster: int = 25, n_noise: int = 40):
    rng = np.random.default_rng(seed)
    cx, cy = X0 + 1100, Y0 + 900  # the centre of cell (5, 4)
    xs = np.concatenate([cx + rng.uniform(-60, 60, n_cluster), X0 + rng.uniform(0, 2000, n_noise)])
    ys = np.concatenate([cy + rng.uniform(-60, 60, n_cluster), Y0 + rng.uniform(0, 2000, n_noise)])
    return xs, ys


def test_hot_cells_are_the_hot_ones_only_hottest_first():
    xs, ys = _cluster_and_noise()
    hot = spacetime.hot_cells(pd.DataFrame({"x": xs, "y": ys}), area=AREA, crs=CRS)
    assert list(hot.columns) == list(spacetime.HOT_COLUMNS)
    assert len(hot) >= 1 and (hot["gi_bin"] > 0).all()
    centre = hot.set_index("cell_id").loc[f"{int((X0 + 1100) // 200)}_{int((Y0 + 900) // 200)}"]
    assert centre["gi_bin"] == 3 and centre["n_events"] >= 25
    assert hot["gi_bin"].is_monotonic_decreasing
    assert hot.crs == CRS
    # Fewer than 100 cells: the empty ones come out cold here, and none is drawn.
    assert len(hot) < 20


def test_a_viewers_hot_cells_do_not_depend_on_the_sensitive_cases(station):
    xs, ys = _cluster_and_noise(1)
    rows = [{"x": x, "y": y, "category": "theft"} for x, y in zip(xs, ys, strict=True)]
    # Twenty domestic-violence calls at one address far from the cluster.
    secret = [{"x": X0 + 150, "y": Y0 + 1850, "category": "domestic"}] * 20
    viewer = PrivacyRule.for_role("viewer", station)
    analyst = PrivacyRule.for_role("analyst", station)

    def cells(rule, extra):
        ev = spacetime.grid_events(_events(rows + extra), rule)
        return spacetime.hot_cells(ev, area=AREA, crs=CRS)

    moved = [{**r, "x": X0 + 1950, "y": Y0 + 50} for r in secret]
    seen = cells(viewer, secret)
    assert seen.drop(columns="geometry").equals(cells(viewer, []).drop(columns="geometry"))
    assert seen.drop(columns="geometry").equals(cells(viewer, moved).drop(columns="geometry"))
    address_cell = f"{int((X0 + 150) // 200)}_{int((Y0 + 1850) // 200)}"
    assert address_cell in set(cells(analyst, secret)["cell_id"])  # the test could fail
    assert address_cell not in set(seen["cell_id"])


def test_emerging_cells_find_a_place_hot_every_week():
    rng = np.random.default_rng(3)
    rows = []
    for week in range(12):
        day = END - pd.Timedelta(days=7 * (12 - week)) + pd.Timedelta(days=2, hours=21)
        for _ in range(8):  # the cluster, every week
            rows.append((X0 + 1100 + rng.uniform(-50, 50), Y0 + 900 + rng.uniform(-50, 50), day))
        for _ in range(6):  # noise
            rows.append((X0 + rng.uniform(0, 2000), Y0 + rng.uniform(0, 2000), day))
    ev = pd.DataFrame(rows, columns=["x", "y", "occurred_at"])
    cells = spacetime.emerging_cells(ev, area=AREA, end=END, crs=CRS)
    assert list(cells.columns) == list(spacetime.EMERGING_COLUMNS)
    assert NO_PATTERN not in set(cells["category"])
    centre = cells.set_index("cell_id").loc[f"{int((X0 + 1100) // 200)}_{int((Y0 + 900) // 200)}"]
    assert centre["category"] in ("persistent_hot", "intensifying_hot", "diminishing_hot")
    assert centre["n_hot"] >= 11
    hotspot = hotspots_frame({"A": shapely.Point(X0 + 1100, Y0 + 900).buffer(50)})
    assert spacetime.hotspot_emerging(hotspot, cells).iloc[0] == centre["category"]


# --------------------------------------------------------------------------- near-repeat
TABLE = pd.DataFrame(
    {
        "category": ["drunk", "theft", "traffic", "fraud"],
        "n_events": [900, 300, 200, 5],
        "distance_m": [200.0] * 4,
        "days_raised": [0.0, 3.0, 1.0, np.nan],
        "observed": [10.0, 40.0, 12.0, np.nan],
        "expected": [10.0, 20.0, 8.0, np.nan],
        "ratio": [1.0, 2.0, 1.5, np.nan],
        "p": [0.4, 0.01, 0.02, np.nan],
    }
)


def test_the_raised_categories_as_sentences_and_patrol_days():
    ko = spacetime.raised_sentences(TABLE)
    assert len(ko) == 2 and ko[0].startswith("절도: ") and "약 3일 동안" in ko[0]
    assert ko[1].startswith("교통사고: ") and "약 1일 동안" in ko[1]
    en = spacetime.raised_sentences(TABLE, lang="en")
    assert en[0].startswith("Theft: after one") and "about 3 days" in en[0]
    assert spacetime.keep_days(TABLE) == {"절도": 3.0, "교통사고": 1.0}
    assert spacetime.keep_days(TABLE.iloc[:1]) == {}


def test_near_repeat_reads_one_sources_year_before_the_end():
    rng = np.random.default_rng(5)
    n = 40
    base = END - pd.Timedelta(days=100)
    rows = [
        {
            "x": X0 + rng.uniform(0, 2000),
            "y": Y0 + rng.uniform(0, 2000),
            "occurred_at": base + pd.Timedelta(hours=int(h)),
            "category": "theft",
        }
        for h in rng.integers(0, 24 * 90, n)
    ]
    extra = [
        {**rows[0], "occurred_at": END + pd.Timedelta(days=1)},  # after the end
        {**rows[0], "occurred_at": END - pd.Timedelta(days=400)},  # over a year before
        {**rows[0], "source": "complaint"},
        {**rows[0], "geocode_score": 0.3},  # a township's centre point
    ]
    table = spacetime.near_repeat(_events(rows + extra), end=END, permutations=9)
    assert table.set_index("category").loc["theft", "n_events"] == n


@pytest.mark.parametrize("weeks", [0, -1])
def test_near_repeat_with_no_weeks_has_no_events(weeks):
    ev = _events([{"x": X0, "y": Y0, "occurred_at": END - pd.Timedelta(days=1)}])
    assert spacetime.near_repeat(ev, end=END, weeks=weeks).empty
