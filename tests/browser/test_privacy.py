"""What a viewer's browser receives: no planted victim's address, by any route.

The demo year plus two planted sensitive addresses in the reporting week (seven
sexual-crime cases at one, four domestic-violence calls at another), served for real.
A viewer signs in through the form, opens the brief, the analysis map (also with
``cat=sexual&eps=5&min=1``), a suggestion box's page and the unit page, downloads every
file offered, and
nothing received (page HTML, every websocket message, every download) holds a
coordinate or a shape centre within 15 m of either address.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from analytics.demo.store import build_demo_store
from analytics.storage import store
from tests.browser.conftest import (
    MAP_FRAME,
    capture_websocket,
    screenshot,
    sign_in,
    start_streamlit,
)
from tests.payload_scan import nearest_m, payload_pairs, to_metres

pytestmark = pytest.mark.browser

VIEWER, ANALYST, PASSWORD = "unit_chief", "analyst1", "correct horse battery"
WEEK = "2017-12-29"  # the meeting; the reporting week is 12.22 ~ 12.28
UNIT = "중앙지구대"
NEAR_M = 15.0


def _quiet_spots(geo, events: pd.DataFrame, n: int) -> np.ndarray:
    """``n`` places in the city core, each > 80 m from every other event and > 40 m from
    every boundary vertex and landmark: a coordinate received near one can only be
    derived from the planted cases."""
    from shapely import get_coordinates

    others = events[["x", "y"]].dropna().to_numpy(dtype=float)
    static = np.vstack(
        [
            get_coordinates(geo.townships.geometry.to_numpy()),
            geo.landmarks[["x", "y"]].to_numpy(dtype=float),
        ]
    )
    market = geo.landmarks.loc[geo.landmarks["name"].str.contains("공설시장"), ["x", "y"]]
    cx, cy = market.to_numpy(dtype=float)[0]
    found: list[tuple[float, float]] = []
    for r in range(0, 2000, 37):
        for a in np.linspace(0, 2 * np.pi, 24, endpoint=False):
            x, y = cx + r * np.cos(a) + 13.7, cy + r * np.sin(a) + 29.3
            area = geo.assign_areas(np.array([x]), np.array([y]))
            if area["police_unit"].iloc[0] != UNIT:
                continue
            if np.hypot(others[:, 0] - x, others[:, 1] - y).min() <= 80.0:
                continue
            if np.hypot(static[:, 0] - x, static[:, 1] - y).min() <= 40.0:
                continue
            if found and min(np.hypot(x - fx, y - fy) for fx, fy in found) < 500.0:
                continue
            found.append((x, y))
            if len(found) == n:
                return np.array(found)
    raise AssertionError("no quiet place in the city core")


@pytest.fixture(scope="module")
def planted(tmp_path_factory, geo):
    """The demo year with two planted victims' addresses; yields (url, db, addresses)."""
    from analytics.access.users import add_user
    from analytics.storage.importers.core import import_file

    folder = tmp_path_factory.mktemp("privacy")
    db = folder / "store.sqlite"
    engine = store.open_store(str(db))
    build_demo_store(engine, out_dir=folder / "samples")
    addresses = _quiet_spots(geo, store.read_events(engine), 2)
    lon, lat = geo.to_geographic(addresses[:, 0], addresses[:, 1])
    rows = ["사건번호,발생일시,사건종별,위도,경도,내용"]
    for i in range(7):
        rows.append(f"P-S{i},2017-12-2{2 + i % 7} 2{i % 4}:10,성폭력,{lat[0]:.7f},{lon[0]:.7f},")
    for i in range(4):
        rows.append(f"P-D{i},2017-12-2{3 + i} 22:40,가정폭력,{lat[1]:.7f},{lon[1]:.7f},")
    csv = folder / "planted.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    summary = import_file(csv, source="incident", db=engine)
    assert summary.imported == 11, summary.rejected
    add_user(engine, VIEWER, PASSWORD, role="viewer")
    add_user(engine, ANALYST, PASSWORD, role="analyst")
    engine.dispose()
    proc, url = start_streamlit(db)
    yield url, db, addresses
    proc.terminate()
    proc.wait(timeout=20)


def test_the_analyst_sees_the_planted_hotspots(planted, geo):
    """The planting works: an analyst's hotspot covers each address (a viewer's must not)."""
    from analytics.compute.hotspots import find_hotspots

    _, db, addresses = planted
    end = pd.Timestamp(WEEK, tz="Asia/Seoul")
    ev = store.read_events(store.open_store(str(db)))
    found = find_hotspots(
        ev, geo=geo, eps_m=100, min_samples=4, period=(end - pd.Timedelta(days=7), end)
    ).hotspots
    for (x, y), label in zip(addresses, ("성범죄", "가정폭력"), strict=True):
        at = found[found.geometry.contains(shapely.Point(x, y))]
        assert len(at) == 1
        assert label in str(at["top_categories"].iloc[0])


def _wait_idle(page) -> None:
    """Until the app's script is not running (the previous click's rerun has ended)."""
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]')
             ?.getAttribute('data-test-script-state') === 'notRunning'""",
        timeout=60_000,
    )


def _download_all(page, received: list[tuple[bytes, str]]) -> int:
    """Click every download button on the page; keep each file's bytes and kind."""
    buttons = page.locator('[data-testid="stDownloadButton"] button:visible')
    n = buttons.count()
    for i in range(n):
        # A click reruns the page (the export is audited); a click that lands during a
        # rerun can cancel its download: wait, and try again.
        for attempt in range(3):
            page.wait_for_timeout(1500)
            _wait_idle(page)
            try:
                # A click during a rerun may start no download at all: try again.
                with page.expect_download(timeout=45_000) as info:
                    buttons.nth(i).click()
                path = info.value.path()
            except Exception:
                if attempt == 2:
                    raise
                continue
            kind = info.value.suggested_filename.rsplit(".", 1)[-1].lower()
            received.append((Path(path).read_bytes(), kind))
            break
    return n


def test_a_viewer_receives_no_planted_address(planted, page, geo):
    url, _, addresses = planted
    frames = capture_websocket(page)
    received: list[tuple[bytes, str]] = []

    def keep_page():
        received.append(("\n".join(f.content() for f in page.frames).encode(), "html"))

    page.goto(f"{url}/?week={WEEK}")  # the brief is the default page
    page.get_by_role("button", name="로그인").wait_for(timeout=60_000)
    screenshot(page, "viewer-sign-in")
    sign_in(page, VIEWER, PASSWORD)
    page.wait_for_selector(MAP_FRAME, timeout=90_000)
    # The pack's button is the brief's last element: on a busy machine it comes later.
    page.wait_for_selector('[data-testid="stDownloadButton"]', timeout=90_000)
    page.wait_for_timeout(2000)
    keep_page()
    assert _download_all(page, received) == 1  # the meeting pack

    page.goto(f"{url}/map?week={WEEK}")
    page.wait_for_selector(MAP_FRAME, timeout=90_000)
    page.wait_for_timeout(2000)
    keep_page()

    page.goto(f"{url}/map?week={WEEK}&cat=sexual&eps=5&min=1")
    page.get_by_text("열람자 화면의 핫스팟은").first.wait_for(timeout=90_000)
    page.wait_for_selector(MAP_FRAME, timeout=90_000)
    page.wait_for_timeout(2000)
    keep_page()
    # The seven sexual-crime cases make no hotspot for a viewer, and the page says so.
    assert page.get_by_text("민감 사건(성범죄·가정폭력 등)에만 기대는 핫스팟").first.is_visible()
    screenshot(page, "viewer-map-sensitive-withheld")

    # A box's "you said, we did" notice (counts only) is offered to a viewer too.
    page.goto(f"{url}/suggestions?week={WEEK}&box=BOX-01")
    page.wait_for_selector('[data-testid="stDownloadButton"]', timeout=90_000)
    page.wait_for_timeout(2000)
    keep_page()
    assert _download_all(page, received) == 2  # the notice: printable and XLSX

    page.goto(f"{url}/unit?week={WEEK}&unit={UNIT}")
    page.wait_for_selector('[data-testid="stDownloadButton"]', timeout=90_000)
    page.wait_for_timeout(2000)
    keep_page()
    assert _download_all(page, received) == 4  # XLSX, CSV, printable sheet, hotspots CSV

    received += [(f, "html") for f in frames]
    assert len(frames) > 10
    pairs = set()
    for payload, kind in received:
        pairs |= payload_pairs(payload, kind)
    points = to_metres(pairs, geo)
    assert len(points) > 1000  # the scan sees the maps' boundaries, hotspots and points
    assert nearest_m(points, addresses) >= NEAR_M
