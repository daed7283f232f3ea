"""The facility distances in the dashboard's hotspot files, table and meeting pack: the
same function as the CLI's, from the polygons the role receives, within a metre of a
direct shapely computation; absent when no layer is loaded."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from analytics.query import HotspotQuery
from analytics.station.geo import transformer
from analytics.storage import store
from analytics.storage.importers.core import import_file
from tests.conftest import NOW, run_page, write_csv
from tests.storage.test_facilities_import import bell_rows, cctv_rows, near_market
from tests.storage.test_import_files import incident_rows

QUERY = {"week": "2017-10-20", "eps": "50", "min": "3"}
KINDS = ("cctv", "streetlight", "bell")


@pytest.fixture
def market(tmp_path, monkeypatch):
    """Incidents at the market (one hotspot), six cameras east of it about 30 m apart,
    two bells 1.1 and 1.6 km away; no street-light layer."""
    from analytics.storage.importers.facilities import import_facilities

    db = tmp_path / "app.sqlite"
    engine = store.open_store(str(db))
    import_file(
        write_csv(tmp_path / "in.csv", incident_rows(8)), source="incident", db=engine, now=NOW
    )
    cams = cctv_rows(6)
    far = [near_market(40), near_market(60)]
    import_facilities(write_csv(tmp_path / "c.csv", cams), kind="cctv", db=engine, now=NOW)
    import_facilities(
        write_csv(tmp_path / "b.csv", bell_rows(far)), kind="bell", db=engine, now=NOW
    )
    monkeypatch.setenv("HOTSPOT_DB", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    to_m = transformer("EPSG:4326", "EPSG:5179")
    points = {
        "cctv": [shapely.Point(to_m.transform(r[11], r[10])) for r in cams[1:]],
        "bell": [shapely.Point(to_m.transform(lon, lat)) for lat, lon in far],
    }
    return engine, points


def versions(engine):
    from ui.data import versioned

    base = store.data_version(engine)
    return versioned(base, "namwon"), versioned(base, "namwon", masked=True)


@pytest.mark.parametrize("masked", [False, True])
def test_the_map_pages_files_carry_the_distances(market, masked):
    from analytics.presentation import exports
    from ui import data

    engine, points = market
    db_url = str(engine.url)
    version = versions(engine)[masked]
    shown = data.hotspots(db_url, version, HotspotQuery.from_url_params(QUERY)).shown.current
    assert len(shown) == 1
    measured = data.with_facility_distances(db_url, version, shown)
    # GeoJSON: code names, as the CLI's; measured again from the polygon in the file.
    geo = json.loads(exports.hotspots_geojson(measured))
    props = geo["features"][0]["properties"]
    poly = gpd.read_file(io.BytesIO(exports.hotspots_geojson(measured))).to_crs("EPSG:5179")
    poly = poly.geometry.iloc[0]
    for kind in ("cctv", "bell"):
        expected = min(poly.distance(p) for p in points[kind])
        assert abs(props[f"nearest_{kind}_m"] - expected) < 1.0
        near = sum(poly.distance(p) <= 50 for p in points[kind])
        assert props[f"{kind}_within_50m"] == near
    assert props["cctv_within_50m"] >= 1 and props["bell_within_50m"] == 0
    assert props["nearest_streetlight_m"] is None and props["streetlight_within_50m"] is None
    # The CSV: Korean headers from the catalogue.
    table = pd.read_csv(io.BytesIO(exports.hotspots_csv(measured, lang="ko")), encoding="utf-8-sig")
    expected = min(poly.distance(p) for p in points["cctv"])
    assert abs(table["최근접 CCTV(m)"].iloc[0] - expected) < 1.0
    assert table["최근접 보안등(m)"].isna().all() and table["50m 안 비상벨(곳)"].iloc[0] == 0


def test_no_layer_no_columns(tmp_path, monkeypatch):
    from ui import data

    engine = store.open_store(str(tmp_path / "app.sqlite"))
    import_file(
        write_csv(tmp_path / "in.csv", incident_rows(8)), source="incident", db=engine, now=NOW
    )
    version = versions(engine)[0]
    shown = data.hotspots(str(engine.url), version, HotspotQuery.from_url_params(QUERY))
    measured = data.with_facility_distances(str(engine.url), version, shown.shown.current)
    assert "nearest_cctv_m" not in measured.columns


def test_the_map_table_the_buttons_and_the_pack(market, tmp_path):
    from analytics.__main__ import main

    engine, _ = market
    at = run_page("map", **QUERY)
    assert not at.exception
    table = next(df.value for df in at.dataframe if "핫스팟 ID" in df.value.columns)
    assert {"최근접 CCTV(m)", "최근접 보안등(m)", "최근접 비상벨(m)"} <= set(table.columns)
    cam = table["최근접 CCTV(m)"].iloc[0]
    assert 0 <= cam < 50 and pd.isna(table["최근접 보안등(m)"].iloc[0])
    near = table["50m 안 CCTV·보안등·비상벨(곳)"].iloc[0]
    assert near.split(" · ")[1:] == ["—", "0"] and int(near.split(" · ")[0]) >= 1
    keys = {b.proto.id for b in at.get("download_button")}
    assert any("m_dl_csv" in k for k in keys) and any("m_dl_geojson" in k for k in keys)

    out = tmp_path / "pack.html"
    args = ["pack", "--week", "2017-10-20", "--eps", "50", "--min-samples", "3"]
    assert main([*args, "--out", str(out), "--db", str(engine.url.database)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "최근접 CCTV(m)" in page and "50m 안 CCTV·보안등·비상벨(곳)" in page
    assert f">{round(float(cam)):,}<" in page
