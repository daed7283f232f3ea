"""The hotspot map page offers the demo's CCTV, street-light and bell layers."""

from __future__ import annotations

import json
import re

from tests.conftest import run_page


def switched_off_layer(html: str, name: str) -> str:
    """The clustered layer the map's layer switcher names ``name``, asserted off until
    the user switches it on; its variable name."""
    found = re.search(rf"{re.escape(json.dumps(name))}\s*:\s*(point_cluster_\w+)", html)
    assert found, name  # in the layer switcher
    layer = found.group(1)
    assert f"var {layer} = L.markerClusterGroup(" in html
    assert f"{layer}.addTo(" not in html  # off until the user switches it on
    return layer


def test_the_map_page_offers_each_facility_layer_switched_off(app_env):
    at = run_page("map")
    assert not at.exception
    html = json.loads(at.get("bidi_component")[0].proto.json)["html"]
    for name, legend in (
        ("CCTV", "설치 지점 140곳"),
        ("보안등", "보안등 479곳"),
        ("안전비상벨", "비상벨 36곳"),
    ):
        switched_off_layer(html, name)
        assert legend in html
    # Each light is a marker: 479 rows of the street-light layer in the page.
    assert html.count("보안등 0") >= 400
