"""Distances from hotspots to the safety facilities: against shapely, inside is 0, a
missing layer is null, counts within 50 m."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.compute.facilities import distance_columns, facility_distances
from analytics.storage.facilities import empty_facilities

CRS = "EPSG:5179"
X0, Y0 = 1_000_000.0, 1_700_000.0  # somewhere in Korea, metres


def squares(*corners, side=100.0):
    return gpd.GeoDataFrame(
        {"hotspot_id": [f"h{i}" for i in range(len(corners))]},
        geometry=[shapely.box(X0 + x, Y0 + y, X0 + x + side, Y0 + y + side) for x, y in corners],
        crs=CRS,
    )


def points(rows):
    """``rows`` of (kind, dx, dy) as a facility frame."""
    return gpd.GeoDataFrame(
        {"kind": [k for k, _, _ in rows]},
        geometry=[shapely.Point(X0 + x, Y0 + y) for _, x, y in rows],
        crs=CRS,
    )


def test_known_distances_inside_is_zero_and_counts_within_50m():
    hotspots = squares((0, 0), (1000, 0))
    layer = points(
        [
            ("cctv", 50, 50),  # inside the first
            ("cctv", 130, 50),  # 30 m east of the first
            ("cctv", 1000 - 40, 50),  # 40 m west of the second
            ("streetlight", 100 + 30, 100 + 40),  # 50 m from the first's corner: counts
            ("streetlight", 100 + 60, 0),  # 60 m from the first
            ("bell", 500, 500),
        ]
    )
    got = facility_distances(hotspots, layer)
    assert list(got.columns) == list(distance_columns())
    assert list(got.index) == list(hotspots.index)
    assert got["nearest_cctv_m"].tolist() == pytest.approx([0.0, 40.0])
    assert got["cctv_within_50m"].tolist() == [2, 1]
    assert got["nearest_streetlight_m"].tolist() == pytest.approx([50.0, 840.0])
    assert got["streetlight_within_50m"].tolist() == [1, 0]
    assert got["nearest_bell_m"].iloc[0] == pytest.approx(np.hypot(400, 400))
    assert got["bell_within_50m"].tolist() == [0, 0]


def test_a_kind_with_no_layer_is_null():
    hotspots = squares((0, 0))
    got = facility_distances(hotspots, points([("cctv", 500, 0)]))
    assert got["nearest_cctv_m"].iloc[0] == pytest.approx(400.0)
    assert np.isnan(got["nearest_streetlight_m"].iloc[0]) and np.isnan(
        got["nearest_bell_m"].iloc[0]
    )
    assert got["streetlight_within_50m"].isna().all() and got["bell_within_50m"].isna().all()
    assert got["cctv_within_50m"].tolist() == [0]
    none = facility_distances(hotspots, empty_facilities(CRS))
    assert none.isna().all().all()


def test_no_hotspots_and_other_radius():
    empty = squares()
    got = facility_distances(empty, points([("cctv", 0, 0)]))
    assert got.empty and list(got.columns) == list(distance_columns())
    wide = facility_distances(squares((0, 0)), points([("bell", 180, 50)]), within_m=100)
    assert wide["bell_within_100m"].tolist() == [1]


def test_frames_in_different_crs_are_refused():
    with pytest.raises(ValueError, match="EPSG:4326"):
        facility_distances(
            squares((0, 0)), points([("cctv", 0, 0)]).set_crs(4326, allow_override=True)
        )
    with pytest.raises(ValueError, match="within_m"):
        facility_distances(squares((0, 0)), points([("cctv", 0, 0)]), within_m=-1)


coordinate = st.floats(-2000, 2000, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    corners=st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=6),
    facility=st.lists(
        st.tuples(st.sampled_from(["cctv", "streetlight", "bell"]), coordinate, coordinate),
        min_size=0,
        max_size=25,
    ),
)
def test_matches_a_direct_shapely_computation(corners, facility):
    hotspots = squares(*corners, side=80.0)
    layer = points(facility)
    got = facility_distances(hotspots, layer)
    for kind in ("cctv", "streetlight", "bell"):
        mine = [shapely.Point(X0 + x, Y0 + y) for k, x, y in facility if k == kind]
        for i, poly in enumerate(hotspots.geometry):
            if not mine:
                assert np.isnan(got[f"nearest_{kind}_m"].iloc[i])
                assert got[f"{kind}_within_50m"].isna().iloc[i]
                continue
            d = [poly.distance(p) for p in mine]
            assert got[f"nearest_{kind}_m"].iloc[i] == pytest.approx(min(d), abs=1e-6)
            assert got[f"{kind}_within_50m"].iloc[i] == sum(v <= 50.0 for v in d)


def test_with_facility_distances_keeps_the_table():
    from analytics.compute.facilities import with_facility_distances

    hotspots = squares((0, 0), (500, 0))
    out = with_facility_distances(hotspots, points([("cctv", 10, 10)]))
    assert out["hotspot_id"].tolist() == ["h0", "h1"] and out.crs == hotspots.crs
    again = with_facility_distances(out, points([("cctv", 510, 10)]))
    assert again["nearest_cctv_m"].tolist() == pytest.approx([410.0, 0.0])
    assert isinstance(again, pd.DataFrame) and len(again.columns) == len(out.columns)


def test_the_hotspot_table_files_carry_the_distances_before_the_significance_test(geo):
    """hotspot_rows (the CLI's CSV and GeoJSON, and the labelled table): the six columns
    when the table has them, before significant/p_value; null for a missing layer."""
    from analytics.compute.facilities import with_facility_distances
    from analytics.compute.hotspots import find_hotspots
    from analytics.presentation import exports
    from tests.conftest import MARKET, make_events

    x0, y0 = geo.to_analysis([MARKET["lon"]], [MARKET["lat"]])
    events = make_events([{"x": float(x0[0]) + i, "y": float(y0[0])} for i in range(4)])
    table = find_hotspots(events, geo=geo, eps_m=30, min_samples=3).hotspots
    layer = gpd.GeoDataFrame(
        {"kind": ["cctv"]}, geometry=[shapely.Point(x0[0] + 200, y0[0])], crs=table.crs
    )
    tested = with_facility_distances(table, layer).assign(significant=[True], p_value=[0.01])
    codes = exports.hotspot_rows(tested)
    assert list(codes.columns[-8:-2]) == list(distance_columns())
    assert 150 < codes["nearest_cctv_m"].iloc[0] < 200 and codes["cctv_within_50m"].iloc[0] == 0
    assert pd.isna(codes["nearest_bell_m"].iloc[0]) and pd.isna(codes["bell_within_50m"].iloc[0])
    ko = exports.hotspot_rows(tested, labels=True)
    assert "최근접 CCTV(m)" in ko.columns and "50m 안 비상벨(곳)" in ko.columns
    en = exports.hotspot_rows(tested, lang="en", labels=True)
    assert "Nearest street light (m)" in en.columns
    assert "nearest_cctv_m" not in exports.hotspot_rows(table).columns  # not measured: none
