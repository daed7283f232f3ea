"""Children's protection zones and women's safe houses: offered on the map page (off by
default, clustered, with their legends) and imported from the data page."""

from __future__ import annotations

import json

from analytics.demo.facilities import SAFE_HOUSE_PLACES, ZONE_PLACES
from analytics.presentation.maps.facility_layer import FACILITY_COLOURS
from analytics.storage.facilities import read_facilities
from tests.conftest import csv_bytes, run_page
from tests.storage.test_zones_import import safe_rows, zone_rows
from tests.ui.test_data_facilities import empty_app, metric, upload  # noqa: F401
from tests.ui.test_facility_layers import switched_off_layer


def test_the_map_page_offers_zones_and_safe_houses_switched_off(app_env):
    at = run_page("map")
    assert not at.exception
    html = json.loads(at.get("bidi_component")[0].proto.json)["html"]
    for kind, name, legend in (
        ("childzone", "어린이보호구역", f"보호구역 {len(ZONE_PLACES)}곳"),
        ("safehouse", "여성안심지킴이집", f"지킴이집 {len(SAFE_HOUSE_PLACES)}곳"),
    ):
        switched_off_layer(html, name)
        assert legend in html and FACILITY_COLOURS[kind] in html
    assert "예촌유치원(합성)" in html and "행복편의점 남원역점(합성)" in html
    # Five colours, none shared.
    assert len(set(FACILITY_COLOURS.values())) == len(FACILITY_COLOURS) == 5


def test_the_map_names_the_layers_in_english(app_env):
    at = run_page("map", lang="en")
    assert not at.exception
    html = json.loads(at.get("bidi_component")[0].proto.json)["html"]
    # The names as the layer switcher writes them (the apostrophe escaped).
    assert "Children&#x27;s protection zones" in html and "Women&#x27;s safe houses" in html
    assert "zones · at the school or kindergarten they protect" in html


def test_import_zones_and_safe_houses_from_the_data_page(empty_app):  # noqa: F811
    at = run_page("data")
    assert {"어린이보호구역", "여성안심지킴이집"} <= set(at.selectbox(key="d_source").options)
    rows = zone_rows(3)
    rows.append([*rows[1][:4], "", "", *rows[1][6:]])  # row 5: no point
    at = upload(at, "childzone", csv_bytes(rows, encoding="cp949"), "zones.csv")
    assert metric(at, "가져올 행") == "3" and metric(at, "거부될 행") == "1"
    at.button(key="d_commit").click().run()
    assert not at.exception
    at = upload(run_page("data"), "safehouse", csv_bytes(safe_rows(2)), "safe.csv")
    at.button(key="d_commit").click().run()
    assert not at.exception
    counts = read_facilities(empty_app)["kind"].value_counts().to_dict()
    assert counts == {"childzone": 3, "safehouse": 2}
