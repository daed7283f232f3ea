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
