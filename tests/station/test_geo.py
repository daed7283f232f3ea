"""The station's geography: units built from townships, landmarks in their townships."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.station.config import load_station


def test_every_landmark_lies_in_its_township(geo):
    areas = geo.assign_areas(geo.landmarks["x"], geo.landmarks["y"])
    mismatched = geo.landmarks.loc[
        areas["emd"].to_numpy() != geo.landmarks["emd_name"].to_numpy(), "name"
    ]
    assert mismatched.tolist() == []


def test_every_township_has_exactly_one_police_unit(geo):
    assert len(geo.townships) == 23
    assert geo.townships["police_unit"].notna().all()
    covered = [n for u in geo.units for n in u.emd_names]
    assert sorted(covered) == sorted(geo.townships["emd"])


def test_eighteen_units_and_their_areas_add_up(geo):
    assert len(geo.police_units) == 18
    total_km2 = geo.police_units["area_m2"].sum() / 1e6
    assert total_km2 == pytest.approx(750, rel=0.01)
    assert total_km2 == pytest.approx(geo.boundary_m.area / 1e6, rel=0.001)
    jungang = geo.police_units.set_index("unit").loc["중앙지구대"]
    assert set(jungang["emd_names"]) == {"동충동", "죽항동", "노암동", "금동", "왕정동"}


def test_projection_round_trip_in_metres(geo):
    x, y = geo.to_analysis([127.3842], [35.4080])
    lon, lat = geo.to_geographic(x, y)
    assert np.allclose([lon[0], lat[0]], [127.3842, 35.4080], atol=1e-9)
    # 0.001 degree of latitude is about 111 m at Namwon.
    _, y2 = geo.to_analysis([127.3842], [35.4090])
    assert y2[0] - y[0] == pytest.approx(110.9, abs=0.5)


def test_station_config_validates(tmp_path):
    bad = tmp_path / "station.toml"
    bad.write_text(
        '[station]\nname="x"\n[hotspots]\neps_m = 0\nmin_samples = 5\n[geo]\n', encoding="utf-8"
    )
    with pytest.raises(ValueError, match="eps_m"):
        load_station(bad)


def test_station_config_names_no_city_in_code(station):
    assert station.name == "남원경찰서"
    assert station.analysis_crs == "EPSG:5179" and station.timezone == "Asia/Seoul"
    assert station.townships_path.exists() and station.landmarks_path.exists()


def test_fast_township_lookup_agrees_with_exact_polygons(geo):
    import shapely

    from analytics.station.geo import _township_tree

    rng = np.random.default_rng(7)
    minx, miny, maxx, maxy = geo.boundary_m.bounds
    # Uniform over (and beyond) the station, plus dense clusters in the city core
    # where township borders are close together.
    x = np.r_[rng.uniform(minx - 2000, maxx + 2000, 20000), rng.normal(989500, 1500, 20000)]
    y = np.r_[rng.uniform(miny - 2000, maxy + 2000, 20000), rng.normal(1713000, 1500, 20000)]
    fast = geo.assign_areas(x, y)
    pi, qi = _township_tree(geo).query(shapely.points(x, y), predicate="intersects")
    first = np.unique(pi, return_index=True)[1]
    exact = np.full(len(x), "-", dtype=object)
    exact[pi[first]] = geo.townships["emd"].to_numpy()[qi[first]]
    assert (fast["emd"].fillna("-").to_numpy() == exact).all()
    assert (fast["inside_station"].to_numpy() == (exact != "-")).all()
    assert 0.2 < fast["inside_station"].mean() < 0.95


def test_prepared_shapes_are_each_threads_own_and_leave_the_shared_ones_alone(geo):
    """GEOS's prepared geometries are not thread-safe: the warm-up and the sessions'
    threads each prepare their own copies, and the shared boundary is never prepared."""
    import threading

    import shapely

    from analytics.station import geo as geo_module

    here = geo_module._prepared_boundary(geo), geo_module._prepared_townships(geo)
    assert geo_module._prepared_boundary(geo) is here[0]  # cached within a thread
    there = {}

    def other_thread():
        there["shapes"] = geo_module._prepared_boundary(geo), geo_module._prepared_townships(geo)
        # The lookup works on this thread's own copies.
        lon, lat = geo.to_geographic(*np.asarray(geo.landmarks[["x", "y"]].to_numpy()).T)
        there["inside"] = geo.contains_lonlat_count(lon, lat)

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert there["shapes"][0] is not here[0]
    assert not set(map(id, there["shapes"][1])) & set(map(id, here[1]))
    assert shapely.equals(there["shapes"][0], geo.boundary_m)
    assert there["inside"] == len(geo.landmarks)
    # The station's own boundary is never prepared by a lookup (on a fresh geography:
    # a test elsewhere may have handed the shared one to shapely.contains_xy).
    import dataclasses

    fresh = dataclasses.replace(geo, boundary_m=shapely.from_wkb(shapely.to_wkb(geo.boundary_m)))
    assert fresh.inside_boundary_xy(geo.landmarks["x"], geo.landmarks["y"]).all()
    assert not shapely.is_prepared(fresh.boundary_m)
