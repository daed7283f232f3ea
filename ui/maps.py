"""Maps in Streamlit: the folium builders from analytics.presentation.maps, shown with
st_folium where a page reads clicks back (:func:`hotspot_map`), otherwise as the map's
own page in an iframe (:func:`show_static_map`, :func:`static_hotspot_map`).

Turning a folium map into what the browser gets (``st_folium``'s script, header and
HTML: every layer's template rendered) takes 0.2–0.5 s, more than building it. So
:func:`show_map` keeps that result in ``st.cache_data``, keyed on plain values that
say what the map shows (the store, its data version, the view's query, the options):
a rerun or a page visit with the same view sends the same map without rebuilding it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable, Iterator, Sequence

import streamlit as st
import streamlit_folium

from analytics.presentation import maps
from ui import data

# streamlit_folium declares its component when imported; inside a script run that
# also registers it with the server (its iframe's files). Imported before the server
# ran a script (ui.warm fills the map cache before it listens), it is registered here,
# on the app's first run: otherwise every map would be blank.
_COMPONENT = streamlit_folium._component_func
_CAPTURE = threading.Lock()
_WARMING = threading.local()


@contextlib.contextmanager
def warming() -> Iterator[None]:
    """Within this block :func:`show_map` fills the cache (an analyst's map) and draws nothing."""
    _WARMING.on = True
    try:
        yield
    finally:
        _WARMING.on = False


def register_component() -> None:
    """Register st_folium's component with the running server (idempotent)."""
    from streamlit import runtime

    if runtime.exists():
        runtime.get_instance().component_registry.register_component(_COMPONENT)


register_component()


def folium_args(m, *, key: str, height: int, returned_objects: Sequence[str]) -> dict:
    """What ``st_folium(m, ...)`` sends the browser (its callback left out: not data).

    Taken from st_folium itself, so the map is exactly the one it would draw.
    """
    captured: dict = {}
    with _CAPTURE:  # one capture at a time; show_map calls _COMPONENT, never the module's
        previous = streamlit_folium._component_func
        streamlit_folium._component_func = lambda **kw: captured.update(kw)
        try:
            streamlit_folium.st_folium(
                m,
                key=key,
                height=height,
                use_container_width=True,
                returned_objects=list(returned_objects),
            )
        finally:
            streamlit_folium._component_func = previous
    captured.pop("on_change", None)
    return captured


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_args(
    cache_key: tuple,
    key: str,
    height: int,
    returned_objects: tuple[str, ...],
    _build: Callable,
) -> dict:
    return folium_args(_build(), key=key, height=height, returned_objects=returned_objects)


def map_args(
    build: Callable,
    *,
    cache_key: tuple[Hashable, ...],
    key: str,
    height: int,
    returned_objects: Sequence[str] = (),
    masked: bool | None = None,
) -> dict:
    """The st_folium arguments of the map ``build()`` returns, built once per ``cache_key``.

    ``cache_key`` must name everything the map shows: the store URL, the data version
    and the plain values its frames were loaded with. Whether the user is a viewer
    (``masked``; None: this session's user) is added to it, so a map built for an
    analyst is never sent to a viewer.
    """
    return _cached_args(
        _role_key(cache_key, masked),
        key,
        height,
        tuple(returned_objects),
        _build=build,
    )


def show_map(
    build: Callable,
    *,
    cache_key: tuple[Hashable, ...],
    key: str,
    height: int,
    returned_objects: Sequence[str] = (),
):
    """Draw the folium map ``build()`` returns (see :func:`map_args`); return st_folium's value."""
    warm = getattr(_WARMING, "on", False)
    args = map_args(
        build,
        cache_key=cache_key,
        key=key,
        height=height,
        returned_objects=returned_objects,
        masked=False if warm else None,
    )
    if warm:
        return None
    state_key = args["key"]

    def on_change() -> None:  # as st_folium's own callback
        st.session_state[key] = st.session_state.get(state_key, {})

    return _COMPONENT(**args, on_change=on_change)


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_html(cache_key: tuple, _build: Callable) -> str:
    return _build().get_root().render()


def map_html(
    build: Callable, *, cache_key: tuple[Hashable, ...], masked: bool | None = None
) -> str:
    """The whole HTML page of the folium map ``build()`` returns, built once per ``cache_key``
    (as :func:`map_args`: the viewer flag is added to it)."""
    return _cached_html(_role_key(cache_key, masked), _build=build)


def _role_key(cache_key: tuple[Hashable, ...], masked: bool | None) -> tuple[Hashable, ...]:
    """``cache_key`` with whether the map is a viewer's (None: this session's user), so
    a map built for an analyst is never sent to a viewer."""
    if masked is None:
        masked = data._masked()
    return (*cache_key, data.VIEWER_SUFFIX if masked else "")


def show_static_map(build: Callable, *, cache_key: tuple[Hashable, ...], height: int) -> None:
    """Draw a map nothing is read back from, as its own page in an iframe.

    No st_folium component: the browser neither fetches the component's page and
    script nor waits for it to say it is ready (with a grey placeholder meanwhile);
    Leaflet draws the map straight from the HTML. Pan, zoom, layers and tooltips are
    the same.
    """
    warm = getattr(_WARMING, "on", False)
    html = map_html(build, cache_key=cache_key, masked=False if warm else None)
    if not warm:
        st.iframe(html, height=height, width="stretch")


def build_hotspot_map(
    hotspots,
    gone=None,
    *,
    lang: str,
    selected: str | None = None,
    events=None,
    heat_sources: tuple[str, ...] = (),
    boxes=None,
    landmarks: bool = True,
    fit: str | None = None,
):
    """The folium map of :func:`hotspot_map`."""
    geo = data.geography()
    m = maps.base_map(geo, lang=lang)
    if hotspots is not None and len(hotspots):
        maps.add_hotspots(m, hotspots, lang=lang, selected_id=selected, fit=fit)
    if gone is not None and len(gone):
        maps.add_hotspots(m, gone, lang=lang, name="gone")
    if events is not None and len(events):
        for source in heat_sources:
            maps.add_heat(m, events, source=source, lang=lang)
        maps.add_event_points(m, events, lang=lang)
    if boxes is not None and len(boxes):
        maps.add_boxes(m, boxes, lang=lang)
    if landmarks:
        maps.add_landmarks(m, geo.landmarks, lang=lang)
    maps.add_layer_control(m)
    maps.use_local_assets(m)
    return m


def _hotspot_build(
    hotspots,
    gone,
    *,
    data_key: tuple[Hashable, ...],
    lang: str,
    selected: str | None,
    events,
    heat_sources: tuple[str, ...],
    boxes,
    landmarks: bool,
    fit: str | None,
) -> tuple[Callable, tuple[Hashable, ...]]:
    """(builder, cache key) of a hotspot map: what :func:`hotspot_map` and
    :func:`static_hotspot_map` draw."""
    return (
        lambda: build_hotspot_map(
            hotspots,
            gone,
            lang=lang,
            selected=selected,
            events=events,
            heat_sources=heat_sources,
            boxes=boxes,
            landmarks=landmarks,
            fit=fit,
        ),
        ("hotspots", *data_key, lang, selected, heat_sources, landmarks, fit),
    )


def hotspot_map(
    hotspots,
    gone=None,
    *,
    data_key: tuple[Hashable, ...],
    lang: str,
    height: int = 480,
    key: str,
    selected: str | None = None,
    events=None,
    heat_sources: tuple[str, ...] = (),
    boxes=None,
    landmarks: bool = True,
    fit: str | None = None,
) -> str | None:
    """Draw the map and return the hotspot id the user clicked, if any.

    ``data_key`` names the frames passed (the store URL, data version, query and
    whatever else they were loaded with); with the options it keys the cached map.
    ``fit`` ('selected' or 'all') zooms to the selected hotspot or to all of
    ``hotspots``; None keeps the station's default view.
    """
    build, cache_key = _hotspot_build(
        hotspots,
        gone,
        data_key=data_key,
        lang=lang,
        selected=selected,
        events=events,
        heat_sources=heat_sources,
        boxes=boxes,
        landmarks=landmarks,
        fit=fit,
    )
    out = show_map(
        build,
        cache_key=cache_key,
        key=key,
        height=height,
        returned_objects=["last_active_drawing"],
    )
    return maps.clicked_hotspot_id(out)


def static_hotspot_map(
    hotspots,
    gone=None,
    *,
    data_key: tuple[Hashable, ...],
    lang: str,
    height: int = 480,
    selected: str | None = None,
    events=None,
    heat_sources: tuple[str, ...] = (),
    boxes=None,
    landmarks: bool = True,
    fit: str | None = None,
) -> None:
    """The map of :func:`hotspot_map` where nothing is read back (the meeting brief):
    drawn by :func:`show_static_map`, so without st_folium's component."""
    build, cache_key = _hotspot_build(
        hotspots,
        gone,
        data_key=data_key,
        lang=lang,
        selected=selected,
        events=events,
        heat_sources=heat_sources,
        boxes=boxes,
        landmarks=landmarks,
        fit=fit,
    )
    show_static_map(build, cache_key=cache_key, height=height)


# The options of each page's map, shared by the page and ui.warm (one cache key for both).


def brief_map_options(answer, db_url: str, version: str, state) -> dict:
    """:func:`static_hotspot_map`'s arguments on the meeting brief (``state``: the ViewState)."""
    top_n = 5 if state.present else 10
    return {
        "hotspots": answer.shown.current.head(top_n),
        "gone": answer.shown.gone,
        "data_key": (db_url, version, state.query, top_n),
        "lang": state.lang,
        "height": 600 if state.present else 480,
        "selected": state.hotspot,
        "fit": "all",  # rural hotspots (인월, 운봉) lie outside the station's default view
    }


def map_page_options(answer, events, db_url: str, version: str, state) -> dict:
    """:func:`hotspot_map`'s arguments on the hotspot map page (``events``: the period's)."""
    from ui.tables_map import for_unit

    query = state.query
    return {
        "hotspots": for_unit(answer.shown.current, query.unit),
        "gone": for_unit(answer.shown.gone, query.unit),
        "data_key": (db_url, version, query),
        "lang": state.lang,
        "height": 560,
        "key": "m_map",
        "selected": state.hotspot,
        "events": events,
        "heat_sources": query.sources,
        "boxes": data.box_log(db_url, version),
        # Picking a hotspot shows it up close; otherwise every hotspot of the view is in sight.
        "fit": "selected" if state.hotspot else "all",
    }


def unit_map_options(db_url: str, version: str, query, lang: str) -> dict:
    """:func:`show_static_map`'s options for a unit's map (``query`` carries the unit)."""
    return {"cache_key": ("unit", db_url, version, query, lang), "height": 460}
