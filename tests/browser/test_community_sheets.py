"""The CPTED request and a box's notice in a real browser: they render (headings, the
map and the hour chart drawn), print on A4, and ask nothing of the network."""

from __future__ import annotations

import re

import pytest

from analytics.compute import community, suggestions
from analytics.presentation import box_report, cpted
from tests.browser.conftest import screenshot
from tests.presentation import community_data as cd

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sheets(geo):
    ev = cd.events(geo)
    hotspot, event_hotspot = cd.fear_hotspot(geo, ev)
    cards = community.hotspot_cards(ev, event_hotspot, hotspot["hotspot_id"])
    request = cpted.cpted_sheet_html(
        hotspot,
        cards,
        geo=geo,
        missing={"cctv": None, "streetlight": 120.0, "bell": None},
        period_label=cd.PERIOD,
        synthetic=True,
    )
    counts = community.box_card_counts(ev, box_id="BOX-01", start=cd.START, end=cd.END, min_count=3)
    box_cards = suggestions.cards(ev, start=cd.START, end=cd.END, box_id="BOX-01")
    actions = community.box_actions(cd.decisions(hotspot), box_cards, start=cd.START, end=cd.END)
    notice = box_report.box_sheet_html(
        counts, actions, box_id="BOX-01", box_place="용남시장", geo=geo, period_label=cd.PERIOD
    )
    return {"cpted": request, "box": notice}


def open_offline(page, html: str) -> list[str]:
    """Open ``html`` as it is (a downloaded file); return every request it made."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_content(html, wait_until="load")
    page.wait_for_timeout(200)
    return requests


def test_cpted_request_renders_offline(page, sheets):
    requests = open_offline(page, sheets["cpted"])
    assert [u for u in requests if not u.startswith(("data:", "about:"))] == []
    assert page.get_by_role("heading", name="범죄예방 환경개선(CPTED) 요청서").is_visible()
    for heading in ("1. 장소", "2. 주민의 목소리 (소리함 카드)", "6. 회신 (시청 작성)"):
        assert page.get_by_role("heading", name=heading).is_visible()
    the_map = page.locator('svg[aria-label="요청 장소 지도"]')
    box = the_map.bounding_box()
    assert box and box["width"] > 400 and box["height"] > 200
    hotspot = the_map.locator('path[fill="#d7191c"]').bounding_box()
    assert hotspot and hotspot["width"] > 5  # the polygon is drawn, inside the map
    assert box["x"] <= hotspot["x"] and hotspot["x"] + hotspot["width"] <= box["x"] + box["width"]
    assert page.locator("svg rect[fill='#2c7bb6']").count() == 8  # eight hours named
    # The planted script is text on the page, not a script.
    assert page.get_by_text("<script>alert(1)</script> 무서워요").is_visible()
    assert page.evaluate("document.scripts.length") == 0
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.replace('"', "").startswith("NanumGothic,") and font.endswith("sans-serif")
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF") and 1 <= len(re.findall(rb"/Type\s*/Page\b", pdf)) <= 3
    screenshot(page, "cpted-request")


def test_box_notice_renders_offline(page, sheets):
    requests = open_offline(page, sheets["box"])
    assert [u for u in requests if not u.startswith(("data:", "about:"))] == []
    assert page.get_by_role("heading", name="말씀하신 것, 이렇게 했습니다").is_visible()
    assert page.get_by_role("heading", name="경찰서가 한 일").is_visible()
    assert page.get_by_text("이 기간에 카드 10장을 받았습니다.").is_visible()
    assert page.get_by_role("cell", name="3장 미만").first.is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1  # one sheet beside the box
    screenshot(page, "box-notice")
