"""The demo's safety facilities: standard-data files, where they stand, how they load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from analytics.demo.facilities import (
    SAFE_HOUSE_PLACES,
    SYNTHETIC,
    UNCOVERED,
    URBAN,
    ZONE_PLACES,
)
from analytics.demo.files import write_demo_exports
from analytics.demo.world import landmark_table
from analytics.station.config import default_station
from analytics.station.geo import load_geography
from analytics.storage import store, tables
from analytics.storage.facilities import read_facilities


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_demo_exports(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def geo():
    return load_geography(default_station())


def test_files_are_labelled_synthetic_in_their_formats(demo):
    for path in (demo.cctv, demo.streetlights, demo.bells):
        assert "synthetic" in path.name
    raw = demo.cctv.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("cp949").startswith("관리기관명,소재지도로명주소")
    assert demo.streetlights.read_bytes().startswith(b"\xef\xbb\xbf")
    bells = pd.read_csv(demo.bells, dtype=str)
    # Metres in the WGS84 columns: northings near 300 km, eastings near 250 km (EPSG:5186).
    assert (bells["WGS84위도"].astype(float) > 1000).all()
    assert (bells["WGS84경도"].astype(float) > 1000).all()
    readme = (demo.cctv.parent / "README.txt").read_text(encoding="utf-8")
    assert demo.bells.name in readme and "EPSG:5186" in readme


def test_same_seed_same_bytes(demo, tmp_path):
    again = write_demo_exports(tmp_path)
    for a, b in ((demo.cctv, again.cctv), (demo.streetlights, again.streetlights)):
        assert a.read_bytes() == b.read_bytes()
    assert demo.bells.read_bytes() == again.bells.read_bytes()


def _points(path, geo, *, encoding, lat="WGS84위도", lon="WGS84경도"):
    frame = pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False)
    frame = frame[frame[lat] != ""]
    x, y = geo.to_analysis(frame[lon].astype(float), frame[lat].astype(float))
    return frame, np.asarray(x), np.asarray(y)


def test_cameras_and_lights_crowd_the_town_core_and_leave_fear_places_dark(demo, geo):
    lm = landmark_table(geo)
    cams, cx, cy = _points(demo.cctv, geo, encoding="cp949")
    lights, lx, ly = _points(demo.streetlights, geo, encoding="utf-8-sig", lat="위도", lon="경도")
    for x, y in ((cx, cy), (lx, ly)):
        emd = geo.assign_areas(x, y)["emd"]
        assert emd.isin(URBAN).mean() > 0.8
        for name, radius in UNCOVERED.items():
            d = np.hypot(x - lm[name]["x_m"], y - lm[name]["y_m"])
            assert d.min() > radius
    market = np.hypot(cx - lm["남원공설시장"]["x_m"], cy - lm["남원공설시장"]["y_m"])
    assert (market < 300).sum() >= 5  # the market is watched
    assert len(cams) == 140 and len(lights) == 479  # one light has no surveyed point


def test_build_demo_store_loads_five_synthetic_layers(demo_db):
    engine = store.open_store(str(demo_db))
    layer = read_facilities(engine)
    counts = layer["kind"].value_counts().to_dict()
    assert counts == {
        "streetlight": 479,
        "cctv": 140,
        "bell": 36,
        "childzone": len(ZONE_PLACES),
        "safehouse": len(SAFE_HOUSE_PLACES),
    }
    b = tables.import_batches.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(b.source, b.synthetic, b.crs).where(
                b.source.in_(["cctv", "streetlight", "bell", "childzone", "safehouse"])
            )
        ).all()
    assert {r.source: (bool(r.synthetic), r.crs) for r in rows} == {
        "cctv": (True, "EPSG:4326"),
        "streetlight": (True, "EPSG:4326"),
        "bell": (True, "EPSG:5186"),
        "childzone": (True, "EPSG:4326"),
        "safehouse": (True, "EPSG:4326"),
    }
    assert store.store_is_synthetic(engine)
    # Bells stand where they were written, to the metre, after the EPSG:5186 round trip.
    lm = landmark_table(load_geography(default_station()))
    park = np.hypot(layer["x"] - lm["광한루원"]["x_m"], layer["y"] - lm["광한루원"]["y_m"])
    assert park[layer["kind"] == "bell"].min() < 25
    engine.dispose()


def test_child_zones_and_safe_houses_are_labelled_synthetic_near_their_landmarks(
    demo, geo, tmp_path
):
    lm = landmark_table(geo)
    for path in (demo.child_zones, demo.safe_houses):
        assert "synthetic" in path.name
    raw = demo.child_zones.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("cp949").startswith("시설종류,대상시설명,소재지도로명주소")
    assert demo.safe_houses.read_bytes().startswith(b"\xef\xbb\xbf")
    zones, zx, zy = _points(demo.child_zones, geo, encoding="cp949", lat="위도", lon="경도")
    assert zones["대상시설명"].str.endswith(SYNTHETIC).all()
    assert set(zones["시설종류"]) <= {"초등학교", "유치원", "어린이집"}
    for k, (landmark, _, _) in enumerate(ZONE_PLACES):
        d = np.hypot(zx[k] - lm[landmark]["x_m"], zy[k] - lm[landmark]["y_m"])
        assert d < 400, landmark
    shops, sx, sy = _points(demo.safe_houses, geo, encoding="utf-8-sig", lat="위도", lon="경도")
    assert shops["지킴이집명"].str.endswith(SYNTHETIC).all()
    assert shops["전화번호"].str.startswith("063-000-1").all()  # an unused range
    assert geo.assign_areas(sx, sy)["emd"].isin(URBAN).all()  # downtown
    readme = (demo.cctv.parent / "README.txt").read_text(encoding="utf-8")
    assert demo.child_zones.name in readme and demo.safe_houses.name in readme
    again = write_demo_exports(tmp_path)
    assert demo.child_zones.read_bytes() == again.child_zones.read_bytes()
    assert demo.safe_houses.read_bytes() == again.safe_houses.read_bytes()
