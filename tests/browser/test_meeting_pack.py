"""The meeting pack in a real browser: its map opens on the hotspots, offline."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.presentation.test_meeting_pack import map_doc, pack, week  # noqa: F401 (week: a fixture)

pytestmark = pytest.mark.browser

MAP_STATE = """() => {
    const name = Object.keys(window).find(k => k.startsWith('map_'));
    const m = window[name], b = m.getBounds();
    return {zoom: m.getZoom(), width: m.getSize().x,
            south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast()};
}"""


@pytest.mark.parametrize("attempt", range(5))  # the fit used to depend on layout timing
def test_pack_map_opens_on_its_hotspots(page, geo, station, week, attempt):  # noqa: F811
    html_text = pack(geo, station, week)
    assert "fitBounds" in map_doc(html_text)
    page.set_content(html_text)  # no request: the pack is one file, opened as it is
    frame = page.frame_locator("iframe.map").first
    frame.locator(".leaflet-overlay-pane path").first.wait_for(state="attached", timeout=30_000)
    inner = next(f for f in page.frames if f != page.main_frame)
    page.wait_for_timeout(300)
    state = inner.evaluate(MAP_STATE)
    assert state["width"] > 100
    centres = week["hotspots"].geometry.centroid.to_crs("EPSG:4326")
    for point in centres:
        assert state["south"] < point.y < state["north"] and state["west"] < point.x < state["east"]
    assert state["zoom"] < 16  # fitted to the hotspots 2 km apart, not stuck at max zoom
    if attempt == 0:
        screenshot(page, "meeting-pack")
