"""The dashboard in a real browser, with every request off this machine blocked.

What only a browser shows: the map draws (boundaries and hotspot polygons) from the
app's own Leaflet files, a shared link restores the view in a fresh context, the
projector view fits 1920×1080, hostile user text stays text, the language switch.
"""

from __future__ import annotations

import pytest

from analytics.demo.store import build_demo_store
from analytics.storage import store
from analytics.storage.importers.core import import_file
from tests.browser.conftest import MAP_FRAME, map_frame, screenshot, start_streamlit
from tests.conftest import NOW, csv_bytes

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
WEEK = "2017-12-29"  # the demo year's last complete reporting week


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The demo year plus three hostile suggestion cards in its last week, served for real."""
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "store.sqlite"
    engine = store.open_store(str(db))
    build_demo_store(engine, out_dir=folder / "samples")
    cards = [["카드번호", "소리함", "작성일", "장소", "희망시간", "내용"]]
    cards += [
        [f"X-{i}", "BOX-01", "2017-12-27", f"공설시장 뒤 {XSS}", "22-02시", XSS] for i in range(3)
    ]
    import_file(csv_bytes(cards), source="suggestion", db=engine, file_name=f"{XSS}.csv", now=NOW)
    engine.dispose()
    proc, url = start_streamlit(db)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def open_brief(page, url: str, heading: str) -> None:
    """Open the brief at ``url`` and wait until its map and the top-hotspot table are drawn."""
    page.goto(url)
    map_frame(page)
    page.get_by_text(heading).wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # the table's layout settles after the map's iframe


def overlay_paths(frame) -> int:
    return frame.locator(".leaflet-overlay-pane path").count()


def test_map_draws_offline_with_hotspot_polygons(server, page):
    failed = []
    # A request the next page.goto cuts short (net::ERR_ABORTED) did not fail to load.
    page.on(
        "requestfailed",
        lambda r: failed.append(r.url) if "ERR_ABORTED" not in (r.failure or "") else None,
    )
    page.goto(f"{server}/map?week={WEEK}&eps=100&min=500")  # no place has 500 events
    bare = overlay_paths(map_frame(page))
    assert bare >= 23  # township boundaries draw without tiles
    page.goto(f"{server}/map?week={WEEK}&eps=100&min=5")
    frame = map_frame(page)
    page.wait_for_timeout(1500)
    assert overlay_paths(frame) > bare  # plus the hotspot polygons
    assert frame.locator(".leaflet-marker-pane, .marker-cluster").count() >= 1
    assert not [u for u in failed if "127.0.0.1" in u and "/app/static/" in u]
    screenshot(page, "map-offline")


def test_the_facility_layers_are_in_the_layer_control_with_their_legends(server, page):
    """The demo's CCTV, street-light and bell layers are switchable in the map's layer
    control; switching one on shows its legend, switching it off removes it."""
    page.goto(f"{server}/map?week={WEEK}&eps=100&min=5")
    frame = map_frame(page)
    control = frame.locator(".leaflet-control-layers")
    control.first.wait_for(state="attached", timeout=60_000)
    names = control.first.locator(".leaflet-control-layers-overlays").inner_text()
    for name in ("CCTV", "보안등", "안전비상벨"):
        assert name in names
    control.first.hover()  # a collapsed control opens under the pointer
    row = control.first.locator("label", has_text="CCTV").first
    box = row.locator("input[type=checkbox]")
    legend = frame.locator(".hs-legend", has_text="묶음의 숫자는 카메라 대수")
    if not box.is_checked():
        box.check()
    legend.first.wait_for(state="visible", timeout=10_000)
    box.uncheck()
    legend.first.wait_for(state="detached", timeout=10_000)
    screenshot(page, "map-facility-layers")


def test_clicking_a_hotspot_on_the_map_opens_its_profile(server, page):
    page.goto(f"{server}/map?week={WEEK}&eps=100&min=5")
    map_frame(page)
    page.wait_for_timeout(1500)  # the page's first run has ended, the map has settled
    assert page.get_by_text("핫스팟 상세").count() == 0
    # A click on a hotspot's shape (townships, points and boxes have no hotspot_id),
    # as the browser sends it to Leaflet: a DOM click on the path.
    hotspot = page.locator(MAP_FRAME).first.evaluate(
        """(f) => { const w = f.contentWindow;
             for (const name of Object.keys(w)) {
               if (!name.startsWith('map_') || !(w[name] instanceof w.L.Map)) continue;
               let found = null;
               w[name].eachLayer((l) => { const p = l.feature && l.feature.properties;
                 if (!found && p && p.hotspot_id && l._path) found = l; });
               if (found) {
                 const id = String(found.feature.properties.hotspot_id);
                 found._path.setAttribute('data-test-hotspot', id);
                 return id;
               }
             }
             return null; }"""
    )
    assert hotspot
    shape = page.frame_locator(MAP_FRAME).first.locator(f'[data-test-hotspot="{hotspot}"]')
    shape.dispatch_event("click")
    page.get_by_text("핫스팟 상세").first.wait_for(timeout=60_000)
    assert f"hs={hotspot}" in page.url
    page.wait_for_timeout(1500)
    # It stays picked: the picker below the map took the clicked hotspot, not its old value.
    assert f"hs={hotspot}" in page.url and page.get_by_text("핫스팟 상세").first.is_visible()


def test_shared_link_restores_the_view_in_a_fresh_context(server, browser):
    link = f"{server}/map?week=2017-10-13&src=incident&eps=60&min=4"
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.goto(link)
    page.get_by_text("eps 60 m, 최소 4건").first.wait_for(timeout=60_000)
    assert page.get_by_text("기간: 2017.10.06(금) ~ 2017.10.12(목)").first.is_visible()
    assert "src=incident" in page.url and "eps=60" in page.url and "week=2017-10-13" in page.url
    map_frame(page)
    screenshot(page, "shared-link")
    context.close()


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
@pytest.mark.parametrize(("lang", "heading"), [("ko", "상위 핫스팟"), ("en", "Top hotspots")])
def test_presentation_mode_fits_the_projector(server, page, lang, heading, width, height):
    # 1280×720 is the commonest meeting-room projector; English labels run longer.
    page.set_viewport_size({"width": width, "height": height})
    open_brief(page, f"{server}/?present=1&week={WEEK}&lang={lang}", heading)
    screenshot(page, f"presentation-{width}x{height}-{lang}")
    assert page.locator('[data-testid="stSidebar"]').is_hidden()
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stMetric"], iframe, [data-testid="stMarkdown"] table')]
               .map(e => { const r = e.getBoundingClientRect();
                           return [e.tagName, r.top, r.bottom, r.right, r.height]; })"""
    )
    assert boxes and max(b[2] for b in boxes) <= height  # figures, map and table in view
    assert max(b[3] for b in boxes) <= width  # nothing runs off to the right
    maps = [b for b in boxes if b[0] == "IFRAME" and b[4] > 50]
    assert maps and maps[0][4] >= 300  # a map the room can read
    assert page.locator('[data-testid="stMarkdown"] table tbody tr').count() == 5  # the top 5
    scroll = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]') || document.scrollingElement;"
        " return [m.scrollHeight, m.clientHeight, m.scrollWidth, m.clientWidth]; }"
    )
    assert scroll[2] <= scroll[3] + 2  # nothing cut off at the right
    if height >= 1080:  # the big screen holds the notes under the table too
        assert scroll[0] <= scroll[1] + 2
    # What to act on, with why, and the legend in the projector's type under the map.
    for selector in (f".st-key-hs_actions_{lang} li", ".hs-legend-line"):
        box = page.locator(selector).first.bounding_box()
        assert box and box["y"] + box["height"] <= height, selector
    assert (
        page.locator(".hs-legend-line").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        >= 15
    )
    # The numbered badges do not pile up: none covers another (#1 keeps its place).
    badges = (
        map_frame(page)
        .locator(".hs-badge")
        .evaluate_all(
            "bs => bs.map(b => { const r = b.getBoundingClientRect();"
            " return [b.textContent, r.left, r.top, r.right, r.bottom]; })"
        )
    )
    assert len(badges) >= 5
    for i, a in enumerate(badges):
        for b in badges[i + 1 :]:
            apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
            assert apart, (a, b)


@pytest.mark.parametrize(("lang", "heading"), [("ko", "상위 핫스팟"), ("en", "Top hotspots")])
def test_brief_top_table_fits_its_column(server, page, lang, heading):
    open_brief(page, f"{server}/?week={WEEK}&lang={lang}", heading)
    table, column = page.evaluate(
        """() => { const t = document.querySelector('[data-testid="stMarkdown"] table');
                   const c = t.closest('[data-testid="stColumn"]');
                   return [t.getBoundingClientRect().right, c.getBoundingClientRect().right]; }"""
    )
    assert table <= column + 1  # no column (the hotspot id) runs off the page
    screenshot(page, f"brief-1920x1080-{lang}")


def test_hostile_card_text_is_inert(server, page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server}/map?week={WEEK}&src=suggestion&eps=100&min=2")
    frame = map_frame(page)
    page.wait_for_timeout(2000)
    assert dialogs == []
    assert page.locator('img[src="x"]').count() == 0
    assert frame.locator('img[src="x"]').count() == 0
    page.goto(f"{server}/data")
    page.get_by_text("가져오기 기록").wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    assert dialogs == [] and page.locator('img[src="x"]').count() == 0


def test_language_switch(server, page):
    page.goto(f"{server}/?week={WEEK}")
    page.get_by_text("확대간부회의 브리핑").first.wait_for(timeout=60_000)
    page.locator('[data-testid="stSidebar"]').get_by_text("English").click()
    page.get_by_text("Expanded staff meeting brief").first.wait_for(timeout=60_000)
    assert "lang=en" in page.url
    screenshot(page, "brief-en")


@pytest.mark.parametrize("path", ["map", "incidents"])
def test_a_week_outside_the_data_says_so_and_offers_the_latest(server, page, path):
    page.goto(f"{server}/{path}?week=2030-01-04")
    page.get_by_text("에는 자료가 없습니다").first.wait_for(timeout=60_000)
    assert "자료가 있는 기간: 2017.01.01(일) ~ 2017.12.31(일)" in page.content()
    assert "week=2030-01-04" in page.url  # the view stays as shared
    page.get_by_role("button", name="자료가 있는 최근 주로 가기").click()
    page.wait_for_url(f"**/{path}?*week={WEEK}*", timeout=60_000)
    page.get_by_text("에는 자료가 없습니다").first.wait_for(state="detached", timeout=60_000)


# In the page, each frame: the order in which the map's shapes and the hidden elements
# first appear.
_ORDER_PROBE = """
(() => {
  window.__hsOrder = [];
  const look = () => {
    const seen = window.__hsOrder;
    const drawn = [...document.querySelectorAll('iframe')].some((f) => {
      const d = f.contentDocument;
      return d && d.querySelector(".leaflet-overlay-pane path:not([d='M0 0'])");
    });
    if (drawn && !seen.includes('map')) seen.push('map');
    if (document.querySelector('.st-key-hs_preload') && !seen.includes('hidden')) seen.push('hidden');
    if (seen.length < 2) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();
"""


def test_the_hidden_elements_wait_for_the_first_maps_shapes(server, page):
    """ui.preload: a session's first run draws the hidden elements only once its map's
    page has called back (drawn), so that they do not hold the map's first paint back;
    and it does so in the same run, so no click can fall between two runs."""
    page.add_init_script(_ORDER_PROBE)
    page.goto(f"{server}/?week={WEEK}")
    map_frame(page)
    page.locator(".st-key-hs_preload [data-testid='stSlider']").wait_for(
        state="attached", timeout=30_000
    )
    assert "/_hs/painted/" in page.locator(MAP_FRAME).first.get_attribute("srcdoc")
    page.wait_for_function("window.__hsOrder.length == 2", timeout=30_000)
    assert page.evaluate("window.__hsOrder") == ["map", "hidden"]


def test_the_other_pages_code_comes_with_the_brief(server, page):
    """ui.preload: the browser fetches the other pages' element code with the first page
    and draws each element once, hidden, so that the next page's first visit finds it
    loaded (bench/ui_bench.py counts the grey placeholders of page changes)."""
    page.goto(f"{server}/?week={WEEK}")
    map_frame(page)
    hidden = page.locator(".st-key-hs_preload [data-testid='stSlider']")
    hidden.wait_for(state="attached", timeout=30_000)
    assert not hidden.is_visible()
    hints = page.eval_on_selector_all(
        "link[rel=modulepreload]", "ls => ls.map(l => l.getAttribute('href'))"
    )
    for element in ("Slider", "DataFrame", "ArrowVegaLiteChart", "BidiComponent"):
        assert sum(f"/{element}." in h for h in hints) == 1, element
    page.locator('[data-testid="stSidebarNavLink"][href$="/map"]').click()
    page.locator('[data-testid="stSlider"]').filter(has_text="eps").wait_for(timeout=60_000)
    # The hidden elements went with the session's first run: none on the map page.
    assert page.locator(".st-key-hs_preload").count() == 0
