"""Shared links only for people allowed in: sign-in, roles, lockout, geomasking.

A real server over the demo year with two users: a viewer (a unit chief at the
meeting) and an analyst (the crime-prevention team).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analytics.demo.store import build_demo_store
from analytics.storage import store
from tests.browser.conftest import (
    MAP_FRAME,
    capture_websocket,
    screenshot,
    sign_in,
    start_streamlit,
)

pytestmark = pytest.mark.browser

VIEWER, ANALYST, PASSWORD = "unit_chief", "analyst1", "correct horse battery"
WEEK = "2017-12-29"


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    """The demo year with a viewer and an analyst, served for real; yields (url, db)."""
    from analytics.access.users import add_user

    folder = tmp_path_factory.mktemp("auth")
    db = folder / "store.sqlite"
    engine = store.open_store(str(db))
    build_demo_store(engine, out_dir=folder / "samples")
    add_user(engine, VIEWER, PASSWORD, role="viewer")
    add_user(engine, ANALYST, PASSWORD, role="analyst")
    engine.dispose()
    proc, url = start_streamlit(db)
    yield url, db
    proc.terminate()
    proc.wait(timeout=20)


def all_html(page) -> str:
    return "\n".join(f.content() for f in page.frames)


def test_a_link_without_a_session_shows_sign_in_and_no_data(secured, page):
    url, _ = secured
    page.goto(f"{url}/map?week={WEEK}&eps=100&min=5")
    page.get_by_role("button", name="로그인").wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    html = all_html(page)
    for leak in ("남원공설시장 부근", "핫스팟 목록", "streamlit_folium", "사건·112", "합성(가상)"):
        assert leak not in html
    assert "/map?week=2017-12-29" in page.url  # the shared view waits behind the form
    screenshot(page, "sign-in")


def test_after_sign_in_the_shared_view_is_restored(secured, page):
    url, _ = secured
    page.goto(f"{url}/map?week=2017-10-13&src=incident&eps=60&min=4")
    sign_in(page, ANALYST, PASSWORD)
    page.get_by_text("eps 60 m, 최소 4건").first.wait_for(timeout=60_000)
    assert page.get_by_text("기간: 2017.10.06(금) ~ 2017.10.12(목)").first.is_visible()
    assert "eps=60" in page.url and "src=incident" in page.url


def test_the_viewer_is_refused_on_the_data_page(secured, page):
    url, _ = secured
    page.goto(f"{url}/data")
    sign_in(page, VIEWER, PASSWORD)
    page.wait_for_timeout(3000)
    html = all_html(page)
    assert "가져오기 기록" not in html and "파일 가져오기" not in html
    assert page.locator('[data-testid="stSidebar"]').get_by_text("데이터 관리").count() == 0


def attempts(db, name) -> int:
    from analytics.access.audit import read_audit

    log = read_audit(store.open_store(str(db)), limit=None)
    return int((log["actor"] == name).sum())


def test_lockout_after_repeated_failures(secured, browser):
    url, db = secured
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(url)
    page.get_by_role("button", name="로그인").wait_for(timeout=60_000)
    for _ in range(5):
        before = attempts(db, ANALYST)
        sign_in(page, ANALYST, "wrong password!!")
        for _ in range(100):  # each attempt lands in the audit log before the next
            if attempts(db, ANALYST) > before:
                break
            page.wait_for_timeout(100)
    shown = page.get_by_text("로그인할 수 없습니다").first.inner_text()
    before = attempts(db, ANALYST)
    sign_in(page, ANALYST, PASSWORD)  # the right password, but the account is locked
    for _ in range(100):
        if attempts(db, ANALYST) > before:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(1000)
    assert page.get_by_role("button", name="로그인").is_visible()
    from analytics.access.audit import read_audit

    log = read_audit(store.open_store(str(db)), limit=None)
    assert log.loc[log["actor"] == ANALYST, "action"].iloc[0] == "signin.locked"
    sign_in(page, "nobody-at-all", PASSWORD)  # unknown user: the same words
    page.wait_for_timeout(1500)
    assert page.get_by_text("로그인할 수 없습니다").first.inner_text() == shown
    ctx.close()


def test_no_exact_sensitive_coordinate_reaches_a_viewer(secured, page):
    url, db = secured
    end = pd.Timestamp(WEEK, tz="Asia/Seoul")
    ev = store.read_events(store.open_store(str(db)), start=end - pd.Timedelta(days=28), end=end)
    sensitive = ev[
        ev["category"].isin(["sexual", "hidden_camera", "domestic", "child_abuse", "missing"])
    ]
    assert len(sensitive) > 0
    frames = capture_websocket(page)
    page.goto(f"{url}/map?week={WEEK}&span=28d&eps=100&min=5")
    sign_in(page, VIEWER, PASSWORD)
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    page.wait_for_timeout(3000)
    # Everything the server sent: page HTML, the map's script and data, every message.
    sent = all_html(page).encode() + b"".join(frames)
    assert len(frames) > 0 and b"leaflet" in sent.lower()
    from analytics.compute.hotspots import find_hotspots
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    def key(lat, lon):
        return (f"{lat:.6f}".rstrip("0"), f"{lon:.6f}".rstrip("0"))

    # Addresses are shared: a sensitive case's address may also be the exact point of
    # a non-sensitive case, or a hotspot's centre. Only a point that is nothing but a
    # sensitive case must never be sent.
    public = ev[~ev.index.isin(sensitive.index)]
    hotspots = find_hotspots(ev, geo=load_geography(default_station()), eps_m=100, min_samples=5)
    allowed = {key(a, b) for a, b in zip(public["lat"], public["lon"], strict=True)}
    allowed |= {
        key(a, b) for a, b in zip(hotspots.hotspots["lat"], hotspots.hotspots["lon"], strict=True)
    }
    text = sent.decode("utf-8", errors="replace")
    leaks = []
    for lat, lon in zip(sensitive["lat"], sensitive["lon"], strict=True):
        k = key(lat, lon)
        a, b = re.escape(k[0]), re.escape(k[1])
        if k not in allowed and re.search(rf"{a}\d*\s*,\s*{b}\b|{b}\d*\s*,\s*{a}\b", text):
            leaks.append(k)
    assert leaks == []
    assert "[전화번호]".encode() not in sent  # no free text either
