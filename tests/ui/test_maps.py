"""ui.maps: the map st_folium would send, built once per view and kept apart per role."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st
import streamlit_folium

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
    first = maps.map_args(build, cache_key=("db", "v1", "q"), key="k", height=400, masked=False)
    again = maps.map_args(build, cache_key=("db", "v1", "q"), key="k", height=400, masked=False)
    assert len(calls) == 1
    assert again == first and "L.map" in first["script"]


def test_another_view_version_or_role_builds_another_map():
    build, calls = counting(tiny_map)
    base = maps.map_args(build, cache_key=("db", "v1", "q"), key="k", height=400, masked=False)
    other = maps.map_args(
        lambda: tiny_map(lat=35.30), cache_key=("db", "v1", "q2"), key="k", height=400, masked=False
    )
    # A different query draws a different map (here: the place elsewhere).
    assert "35.3," in other["script"] and "35.3," not in base["script"]
    maps.map_args(build, cache_key=("db", "v2", "q"), key="k", height=400, masked=False)
    maps.map_args(build, cache_key=("db", "v1", "q"), key="k", height=400, masked=True)
    assert len(calls) == 3  # a new data version, and the viewer's map is never the analyst's


def test_the_arguments_are_what_st_folium_sends(monkeypatch):
    sent = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: sent.update(kw))
    streamlit_folium.st_folium(
        tiny_map(), key="k", height=400, use_container_width=True, returned_objects=[]
    )
    monkeypatch.undo()
    args = maps.map_args(tiny_map, cache_key=("x",), key="k", height=400, masked=False)
    assert set(args) == set(sent) - {"on_change"}
    assert {k: args[k] for k in args if k != "script"} == {
        k: sent[k] for k in args if k != "script"
    }
    assert args["script"] == sent["script"] and args["key"] == sent["key"]
    assert streamlit_folium._component_func is maps._COMPONENT  # the capture put it back


def test_show_map_sends_the_cached_arguments_with_st_folium_callback(monkeypatch):
    shown = []
    monkeypatch.setattr(maps, "_COMPONENT", lambda **kw: shown.append(kw) or {"x": 1})
    monkeypatch.setattr(maps.data, "_masked", lambda: False)
    out = maps.show_map(tiny_map, cache_key=("y",), key="k", height=300)
    assert out == {"x": 1}
    (kw,) = shown
    assert kw["height"] == 300 and kw["returned_objects"] == [] and callable(kw["on_change"])
    assert kw == {
        **maps.map_args(tiny_map, cache_key=("y",), key="k", height=300, masked=False),
        "on_change": kw["on_change"],
    }


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
    monkeypatch.setattr(maps, "_COMPONENT", lambda **kw: drawn.append(kw))
    monkeypatch.setattr(maps.data, "_masked", lambda: pytest.fail("no session while warming"))
    build, calls = counting(tiny_map)
    with maps.warming():
        maps.show_static_map(build, cache_key=("s",), height=300)
        assert maps.show_map(build, cache_key=("d",), key="k", height=300) is None
    assert not drawn and len(calls) == 2
    maps.map_html(build, cache_key=("s",), masked=False)
    maps.map_args(build, cache_key=("d",), key="k", height=300, masked=False)
    assert len(calls) == 2  # an analyst's later visit finds both


def test_the_component_is_registered_with_a_running_server(monkeypatch):
    """ui.warm imports st_folium before the server runs: the app's first run registers it."""
    from streamlit import runtime

    registered = []

    class Registry:
        def register_component(self, component):
            registered.append(component)

    class Runtime:
        component_registry = Registry()

    monkeypatch.setattr(runtime, "exists", lambda: True)
    monkeypatch.setattr(runtime, "get_instance", lambda: Runtime())
    maps.register_component()
    assert registered == [streamlit_folium._component_func]
    assert registered[0].name == "streamlit_folium.st_folium"
