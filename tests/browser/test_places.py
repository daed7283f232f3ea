"""Officers' own places in a real browser: a viewer's browser receives none (no layer,
no note, no point, over every websocket message and page), an analyst's map offers
the layer.

The demo year (nine synthetic places) plus one planted place at a quiet spot with a
note no other text has, served for real.
"""

from __future__ import annotations

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
    spot = _quiet_spots(geo, store.read_events(engine), 1)
    lon, lat = geo.to_geographic(spot[:, 0], spot[:, 1])
    audited_add_place(
        engine, ANALYST, lat=float(lat[0]), lon=float(lon[0]), category="vacant_house", note=NOTE
    )
    add_user(engine, VIEWER, PASSWORD, role="viewer")
    add_user(engine, ANALYST, PASSWORD, role="analyst")
    engine.dispose()
    proc, url = start_streamlit(db)
    yield url, spot
    proc.terminate()
    proc.wait(timeout=20)


def test_a_viewers_browser_receives_no_officers_place(served, page, geo):
    url, spot = served
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
    url, _ = served
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
