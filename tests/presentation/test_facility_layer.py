"""The CCTV, street-light and bell layers on the map: one per loaded kind, clustered,
off by default, with their legend; every text escaped."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from analytics.presentation import maps
from analytics.presentation.maps.elements import LayerLegend, PointCluster
from analytics.station.config import default_station
from analytics.station.geo import load_geography
from tests.conftest import MARKET

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def geo():
    return load_geography(default_station())


def layer(kinds, *, name="죽항동 골목", count=1):
    rows = []
    for i, kind in enumerate(kinds):
        rows.append(
            {
                "facility_id": f"{kind[:3]}_{i:016x}",
                "kind": kind,
                "name": name,
                "road_address": f"남원시 용성로 {i + 1}",
                "lot_address": None,
                "lat": MARKET["lat"] + 0.0002 * i,
                "lon": MARKET["lon"],
                "count": count,
                "purpose": "생활방범",
                "installed": "2019-05",
                "reference_date": "2017-12-31",
                "agency": "남원시",
            }
        )
    return pd.DataFrame(rows)


def test_one_clustered_layer_per_loaded_kind_off_by_default_with_its_legend(geo):
    m = maps.base_map(geo)
    added = maps.add_facilities(m, layer(["cctv", "cctv", "bell"], count=3))
    assert list(added) == ["cctv", "bell"]  # no street lights loaded: no layer
    cctv, bell = added["cctv"], added["bell"]
    assert isinstance(cctv, PointCluster) and cctv.n_markers == 2 and bell.n_markers == 1
    assert cctv.layer_name == "CCTV" and bell.layer_name == "안전비상벨"
    assert cctv.row_data[0][3] == 3 and bell.row_data[0][3] == 1  # a cluster counts cameras
    assert cctv.row_data[0][4] == "CCTV · 카메라 3대"
    assert cctv.row_data[0][5] == "죽항동 골목 · 남원시 용성로 1"
    assert cctv.row_data[0][6] == "생활방범 · 설치 2019-05"
    legends = [e for e in m._children.values() if isinstance(e, LayerLegend)]
    assert [lg.layer for lg in legends] == [cctv, bell]
    assert "설치 지점 2곳" in legends[0].html_text and "기준일 2017-12-31" in legends[0].html_text
    assert maps.FACILITY_COLOURS["cctv"] in legends[0].html_text
    maps.add_layer_control(m)
    maps.use_local_assets(m)  # markercluster is vendored: nothing from a CDN
    html = m.get_root().render()
    for cluster in (cctv, bell):
        name = cluster.get_name()
        assert f"var {name} = L.markerClusterGroup(" in html
        assert not re.search(rf"{name}\.addTo\(", html)  # off until switched on
        switcher = json.dumps(cluster.layer_name)  # the switcher's JSON (\uXXXX) name
        assert re.search(rf"{re.escape(switcher)}\s*:\s*{name}", html)
    assert '"disableClusteringAtZoom":17' in html
    shown = maps.base_map(geo)
    on = maps.add_facilities(shown, layer(["cctv"]), show=True)["cctv"]
    assert f"{on.get_name()}.addTo(" in shown.get_root().render()


def test_english_and_empty(geo):
    m = maps.base_map(geo, lang="en")
    added = maps.add_facilities(m, layer(["streetlight"]), lang="en")
    assert added["streetlight"].layer_name == "Street lights"
    assert added["streetlight"].row_data[0][6] == "생활방범 · installed 2019-05"
    assert maps.add_facilities(maps.base_map(geo), None) == {}
    assert maps.add_facilities(maps.base_map(geo), layer([])) == {}


def test_texts_are_escaped(geo):
    m = maps.base_map(geo)
    added = maps.add_facilities(m, layer(["bell"], name=XSS))
    row = added["bell"].row_data[0]
    assert "&lt;img" in row[5] and "<img" not in row[5]
    assert XSS not in m.get_root().render()
