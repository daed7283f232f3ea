"""Officers' own places in a real browser: a viewer's browser receives none (no layer,
no note, no point, over every websocket message and page), an analyst's map offers
the layer.

The demo year (nine synthetic places) plus one planted place at a quiet spot with a
note no other text has, served for real.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from analytics.demo.store import build_demo_store
from analytics.storage import store
from tests.browser.conftest import (
    MAP_FRAME,
    capture_websocket,
    map_frame,
    screenshot,
    sign_in,
    start_streamlit,
)
from tests.browser.test_privacy import _quiet_spots
from tests.payload_scan import nearest_m, payload_pairs, to_metres

pytestmark = pytest.mark.browser

VIEWER, ANALYST, PASSWORD = "unit_chief", "analyst1", "correct horse battery"
WEEK = "2017-12-29"
NOTE = "심어둔 빈집 메모 QX7"
LAYER = "경찰 관심 장소"
NEAR_M = 15.0


@pytest.fixture(scope="module")
def served(tmp_path_factory, geo):
    """The demo year with one planted officers' place; yields (url, its point in metres)."""
    from analytics.access.audit import audited_add_place
    from analytics.access.users import add_user

    folder = tmp_path_factory.mktemp("places")
    db = folder / "store.sqlite"
    engine = store.open_store(str(db))
    build_demo_store(engine, out_dir=folder / "samples")
    spots = _quiet_spots(geo, store.read_events(engine), 2)
    spot = spots[:1]  # the planted place; the second spot is picked on the map
    lon, lat = geo.to_geographic(spot[:, 0], spot[:, 1])
    audited_add_place(
        engine, ANALYST, lat=float(lat[0]), lon=float(lon[0]), category="vacant_house", note=NOTE
    )
    add_user(engine, VIEWER, PASSWORD, role="viewer")
    add_user(engine, ANALYST, PASSWORD, role="analyst")
    engine.dispose()
    proc, url = start_streamlit(db)
    yield url, spot, spots[1]
    proc.terminate()
    proc.wait(timeout=20)


def test_a_viewers_browser_receives_no_officers_place(served, page, geo):
    url, spot, _ = served
    frames = capture_websocket(page)
    received: list[tuple[bytes, str]] = []

    def keep_page():
        received.append(("\n".join(f.content() for f in page.frames).encode(), "html"))

    page.goto(f"{url}/?week={WEEK}")
    page.get_by_role("button", name="로그인").wait_for(timeout=60_000)
    sign_in(page, VIEWER, PASSWORD)
    page.wait_for_selector(MAP_FRAME, timeout=90_000)
    page.wait_for_timeout(2000)
    keep_page()
    page.goto(f"{url}/map?week={WEEK}")
    map_frame(page, 90_000)
    page.wait_for_timeout(2000)
    keep_page()
    screenshot(page, "viewer-map-no-officer-places")
    received += [(f, "html") for f in frames]
    assert len(frames) > 10
    text = b"\n".join(p for p, _ in received).decode("utf-8", "replace")
    assert "핫스팟" in text  # the scan reads the pages
    for secret in (NOTE, LAYER, "합성 데모", "관심 장소"):
        assert secret not in text, secret
    pairs = set()
    for payload, kind in received:
        pairs |= payload_pairs(payload, kind)
    points = to_metres(pairs, geo)
    assert len(points) > 1000  # boundaries, hotspots and points were scanned
    assert nearest_m(points, spot) >= NEAR_M


def test_the_analysts_map_offers_the_layer(served, page):
    url, _, _ = served
    page.goto(f"{url}/map?week={WEEK}")
    page.get_by_role("button", name="로그인").wait_for(timeout=60_000)
    sign_in(page, ANALYST, PASSWORD)
    frame = map_frame(page, 90_000)
    control = frame.locator(".leaflet-control-layers")
    control.hover()
    entry = frame.locator(".leaflet-control-layers-overlays label", has_text=LAYER)
    entry.wait_for(timeout=30_000)
    before = frame.locator(".leaflet-marker-icon, .leaflet-overlay-pane path").count()
    entry.locator("input").check()
    frame.locator(".leaflet-control-layers-overlays label", has_text=LAYER).locator(
        "input:checked"
    ).wait_for(timeout=10_000)
    page.wait_for_timeout(1000)
    after = frame.locator(".leaflet-marker-icon, .leaflet-overlay-pane path").count()
    assert after > before  # the places (or their clusters) are drawn
    html = page.locator(MAP_FRAME).first.get_attribute("srcdoc")
    assert NOTE in html
    screenshot(page, "analyst-map-officer-places")


PICKED_NOTE = "수거 안 된 자재 더미, 현장소장 010-2345-6789 QZ4"
PHONE = "010-2345-6789"
MASKED = "[전화번호]"

# In the map's iframe ``f``: the Leaflet map, zoomed to ``ll`` (as an analyst zooms in to
# a spot), and the pixel of ``ll`` in the iframe's own coordinates.
_ZOOM_TO = """(f, ll) => { const w = f.contentWindow;
  for (const name of Object.keys(w)) {
    if (!name.startsWith('map_') || !(w[name] instanceof w.L.Map)) continue;
    const map = w[name];
    map.setView(ll, 18, {animate: false});
    const p = map.latLngToContainerPoint(ll);
    const r = map.getContainer().getBoundingClientRect();
    return [r.left + p.x, r.top + p.y];
  }
  return null; }"""


def _settled(page) -> None:
    """Wait until the script run has finished (a widget drawn again mid-run loses input)."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        state="attached", timeout=60_000
    )


def _click_at(page, lat: float, lon: float) -> None:
    """A real mouse click on the map at the pixel where ``(lat, lon)`` is drawn."""
    iframe = page.locator(MAP_FRAME).first
    iframe.scroll_into_view_if_needed()
    xy = iframe.evaluate(_ZOOM_TO, [lat, lon])
    assert xy is not None
    page.wait_for_timeout(500)  # the tiles-free map redraws its shapes at the new zoom
    box = iframe.bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])


def test_an_analyst_picks_a_point_on_the_map_and_saves_a_place(served, page, geo):
    """The map page's pick toggle, for real: a click at a known pixel, a category, a note
    with a phone number, save; the list shows the place with the number masked, and the
    layer draws it at the clicked point."""
    url, _, target = served
    lon, lat = (float(v[0]) for v in geo.to_geographic([target[0]], [target[1]]))
    page.goto(f"{url}/map?week={WEEK}")
    page.get_by_role("button", name="로그인").wait_for(timeout=60_000)
    sign_in(page, ANALYST, PASSWORD)
    map_frame(page, 90_000)
    page.wait_for_timeout(1500)  # the page's first run has ended
    page.get_by_text("지도에서 관심 장소 추가").click()
    page.get_by_text("지도에서 장소의 지점을 누르세요").wait_for(timeout=30_000)

    _click_at(page, lat, lon)
    picked = page.get_by_text("고른 지점: 위도")
    picked.wait_for(timeout=30_000)
    got = [float(v) for v in re.findall(r"\d+\.\d+", picked.inner_text())]
    x, y = geo.to_analysis([got[1]], [got[0]])
    assert float(np.hypot(x[0] - target[0], y[0] - target[1])) < 3.0  # the clicked pixel
    assert page.get_by_text("핫스팟 상세").count() == 0  # a pick selects no hotspot

    form = page.locator('[data-testid="stForm"]').filter(has_text="관심 장소 저장")
    _settled(page)
    # The first click after one in the map's iframe only brings the focus back to the
    # page (headless Chromium): a click on the form's caption, then the list's arrow.
    form.get_by_text("고른 지점").click()
    form.get_by_role("button", name="Open").click()
    page.get_by_role("option", name="무인점포", exact=True).click()
    assert form.get_by_role("combobox").input_value() == "무인점포"
    form.get_by_role("textbox", name="메모").fill(PICKED_NOTE)
    form.get_by_role("button", name="관심 장소 저장").click()
    page.get_by_text("관심 장소를 저장했습니다: 무인점포").wait_for(timeout=60_000)

    # The list: one more place (nine demo places, the planted one, this one), the note
    # stored with its phone number masked.
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="관심 장소 목록 (11곳")
    expander.wait_for(timeout=30_000)
    expander.get_by_text("관심 장소 목록 (11곳").click()
    grid = expander.locator('[data-testid="stDataFrame"]')
    grid.wait_for(timeout=30_000)
    grid.get_by_text("QZ4", exact=False).first.wait_for(state="attached", timeout=30_000)
    listed = grid.inner_text() + grid.inner_html()
    assert MASKED in listed and PHONE not in listed and "2345-6789" not in listed

    # The layer: switched on, it draws the place at the clicked point, its popup the
    # masked note.
    page.get_by_text("지도에서 관심 장소 추가").click()  # picking off: a click opens popups
    page.get_by_text("지도에서 장소의 지점을 누르세요").wait_for(state="detached", timeout=30_000)
    frame = map_frame(page, 60_000)
    html = page.locator(MAP_FRAME).first.get_attribute("srcdoc")
    assert "QZ4" in html and MASKED in html and PHONE not in html
    frame.locator(".leaflet-control-layers").hover()
    entry = frame.locator(".leaflet-control-layers-overlays label", has_text=LAYER)
    entry.locator("input").check()
    page.mouse.move(0, 0)  # the layer control folds away
    _click_at(page, lat, lon)
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert "무인점포" in popup.inner_text() and "QZ4" in popup.inner_text()
    assert MASKED in popup.inner_text()
    screenshot(page, "analyst-picked-place")
