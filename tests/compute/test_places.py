"""A hotspot's profile counts the officers' places inside it or within 50 m, by category."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from analytics.compute.places import count_columns, counts_of, place_counts

CRS = "EPSG:5179"


def frames():
    square = shapely.box(0, 0, 100, 100)
    far = shapely.box(1000, 1000, 1100, 1100)
    hotspots = gpd.GeoDataFrame({"hotspot_id": ["A", "B"]}, geometry=[square, far], crs=CRS)
    places = gpd.GeoDataFrame(
        {"category": ["vacant_house", "vacant_house", "unmanned_store", "dark_alley", "other"]},
        geometry=[
            shapely.Point(50, 50),  # inside A
            shapely.Point(149, 50),  # 49 m east of A's edge
            shapely.Point(151, 50),  # 51 m: not near A
            shapely.Point(100, 130),  # 30 m north of A
            shapely.Point(1050, 1050),  # inside B
        ],
        crs=CRS,
    )
    return hotspots, places


def test_counts_by_category_inside_and_within_50_m():
    hotspots, places = frames()
    table = place_counts(hotspots, places)
    assert list(table.columns) == list(count_columns())
    assert counts_of(table.iloc[0]) == {"vacant_house": 2, "dark_alley": 1}
    assert counts_of(table.iloc[1]) == {"other": 1}
    wider = place_counts(hotspots, places, within_m=60).iloc[0]
    assert counts_of(wider, within_m=60)["unmanned_store"] == 1


def test_no_places_count_nothing_and_crs_must_match():
    hotspots, places = frames()
    empty = place_counts(hotspots, places.iloc[0:0])
    assert (empty.to_numpy() == 0).all() and len(empty) == 2
    with pytest.raises(ValueError):
        place_counts(hotspots, places.to_crs("EPSG:4326"))
    with pytest.raises(ValueError):
        place_counts(hotspots, places, within_m=-1)
