"""ui.maps: each map's page, built once per view and kept apart per role."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st

from analytics.presentation import maps as pmaps
from ui import maps


@pytest.fixture(autouse=True)
def empty_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def tiny_map(lang: str = "ko", *, lat: float = 35.41):
    """A station map with one place marked, as the pages build theirs."""
    m = pmaps.base_map(maps.data.geography(), lang=lang)
    place = pd.DataFrame(
        {"name": ["광한루원"], "name_en": ["Gwanghallu"], "lat": [lat], "lon": [127.38]}
    )
    pmaps.add_landmarks(m, place, lang=lang)
    pmaps.use_local_assets(m)
    return m


def counting(build):
    calls = []

    def wrapped():
        calls.append(1)
        return build()

    return wrapped, calls


def test_the_same_view_returns_the_same_map_without_rebuilding():
    build, calls = counting(tiny_map)
    first = maps.map_html(build, cache_key=("db", "v1", "q"), masked=False)
    again = maps.map_html(build, cache_key=("db", "v1", "q"), masked=False)
    assert len(calls) == 1
    assert again == first and "L.map(" in first


def test_another_view_version_or_role_builds_another_map():
    build, calls = counting(tiny_map)
    base = maps.map_html(build, cache_key=("db", "v1", "q"), masked=False)
    other = maps.map_html(lambda: tiny_map(lat=35.30), cache_key=("db", "v1", "q2"), masked=False)
    # A different query draws a different map (here: the place elsewhere).
    assert "35.3," in other and "35.3," not in base
    maps.map_html(build, cache_key=("db", "v2", "q"), masked=False)
    maps.map_html(build, cache_key=("db", "v1", "q"), masked=True)
    assert len(calls) == 3  # a new data version, and the viewer's map is never the analyst's


def test_a_clickable_map_sends_its_page_and_returns_the_hotspot_clicked(monkeypatch):
    mounted = []
    clicked = {"clicked": "H0123456789"}
    monkeypatch.setattr(maps, "_CLICKABLE", lambda **kw: mounted.append(kw) or clicked)
    monkeypatch.setattr(maps.data, "_masked", lambda: False)
    build, calls = counting(tiny_map)
    assert maps.show_clickable_map(build, cache_key=("m",), key="m_map", height=560) == (
        "H0123456789"
    )
    clicked["clicked"] = None  # a trigger: the run after the click sees nothing
    assert maps.show_clickable_map(build, cache_key=("m",), key="m_map", height=560) is None
    assert len(calls) == 1 and len(mounted) == 2
    kw = mounted[0]
    assert kw["key"] == "m_map" and kw["height"] == 560 and "on_clicked_change" in kw
    assert kw["data"] == {
        "html": maps.map_html(build, cache_key=("m",), masked=False),
        "height": 560,
        "pick": False,
    }
    assert kw["data"]["html"].startswith("<!DOCTYPE html>")


def test_picking_a_point_keeps_it_and_clicks_no_hotspot(monkeypatch):
    """An analyst adding a place: the click's point is kept, a hotspot is not picked, and
    what the browser sends is taken only as two finite numbers."""
    out = {"picked": "35.408400,127.384600", "clicked": "H0123456789"}
    monkeypatch.setattr(maps, "_CLICKABLE", lambda **kw: out)
    monkeypatch.setattr(maps.data, "_masked", lambda: False)
    kept = {}
    monkeypatch.setattr(maps.st, "session_state", kept)
    build, _ = counting(tiny_map)
    assert (
        maps.show_clickable_map(build, cache_key=("m",), key="m_map", height=9, pick=True) is None
    )
    assert maps.picked_point("m_map") == (35.4084, 127.3846)
    for bad in ("nan,127.3", "35.4", "<script>", None):
        kept.clear()
        out["picked"] = bad
        maps.show_clickable_map(build, cache_key=("m",), key="m_map", height=9, pick=True)
        assert maps.picked_point("m_map") is None, bad
    # Not picking: the point is not taken, the hotspot is.
    out["picked"] = "35.4,127.38"
    assert maps.show_clickable_map(build, cache_key=("m",), key="m_map", height=9) == "H0123456789"
    assert maps.picked_point("m_map") is None
    js = maps._CLICKABLE_JS
    assert 'if (!frame.__hsPick) send("clicked"' in js and 'send("picked"' in js


def test_the_clickable_map_reports_hotspot_shapes_only():
    # The component's script answers a click with the shape's hotspot_id and nothing else
    # (townships, points and boxes have none); the map stays in one iframe across reruns.
    js = maps._CLICKABLE_JS
    assert 'send("clicked", String(props.hotspot_id))' in js
    assert "if (!props || !props.hotspot_id" in js
    assert 'parentElement.querySelector("iframe")' in js


def test_a_static_map_is_its_page_built_once_and_drawn_in_an_iframe(monkeypatch):
    drawn = []
    monkeypatch.setattr(maps.st, "iframe", lambda html, **kw: drawn.append((html, kw)))
    monkeypatch.setattr(maps.data, "_masked", lambda: False)
    build, calls = counting(tiny_map)
    maps.show_static_map(build, cache_key=("unit", "db", "v1"), height=460)
    maps.show_static_map(build, cache_key=("unit", "db", "v1"), height=460)
    assert len(calls) == 1 and len(drawn) == 2
    html, kw = drawn[0]
    assert kw == {"height": 460, "width": "stretch"}
    assert html.startswith("<!DOCTYPE html>") and "/app/static/vendor/leaflet" in html
    assert "35.41" in html  # the place it marks
    monkeypatch.setattr(maps.data, "_masked", lambda: True)
    maps.show_static_map(build, cache_key=("unit", "db", "v1"), height=460)
    assert len(calls) == 2  # a viewer never gets the analyst's page


def test_warming_fills_the_map_caches_and_draws_nothing(monkeypatch):
    drawn = []
    monkeypatch.setattr(maps.st, "iframe", lambda *a, **k: drawn.append(a))
    monkeypatch.setattr(maps, "_CLICKABLE", lambda **kw: drawn.append(kw))
    monkeypatch.setattr(maps.data, "_masked", lambda: pytest.fail("no session while warming"))
    build, calls = counting(tiny_map)
    with maps.warming():
        maps.show_static_map(build, cache_key=("s",), height=300)
        assert maps.show_clickable_map(build, cache_key=("d",), key="k", height=300) is None
    assert not drawn and len(calls) == 2
    maps.map_html(build, cache_key=("s",), masked=False)
    maps.map_html(build, cache_key=("d",), masked=False)
    assert len(calls) == 2  # an analyst's later visit finds both
