"""Maps in Streamlit: the folium builders from analytics.presentation.maps, each drawn
as the map's own HTML page in an iframe: :func:`show_static_map` where nothing is read
back, :func:`show_clickable_map` where a page reads the hotspot clicked
(:func:`hotspot_map`).

No st_folium: its component loads a page and a 225 kB script in an iframe of its own,
behind a grey placeholder each time it is mounted (every page visit, every changed map).

Turning a folium map into its HTML page (every layer's template rendered) takes
0.2–0.5 s, more than building it. So :func:`map_html` keeps that page in
``st.cache_data``, keyed on plain values that say what the map shows (the store, its
data version, the view's query, the options): a rerun or a page visit with the same
view sends the same map without rebuilding it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable, Iterator

import streamlit as st

from analytics.compute.gistar import DEFAULT_CELL_M as GI_CELL_M
from analytics.presentation import maps
from ui import data, first_paint

_WARMING = threading.local()


@contextlib.contextmanager
def warming() -> Iterator[None]:
    """Within this block the maps fill their cache (an analyst's map) and draw nothing."""
    _WARMING.on = True
    try:
        yield
    finally:
        _WARMING.on = False


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_html(cache_key: tuple, _build: Callable) -> str:
    return _build().get_root().render()


def map_html(
    build: Callable, *, cache_key: tuple[Hashable, ...], masked: bool | None = None
) -> str:
    """The whole HTML page of the folium map ``build()`` returns, built once per ``cache_key``
    (with whether the user is a viewer: ``masked``, None for this session's user)."""
    return _cached_html(_role_key(cache_key, masked), _build=build)


def _role_key(cache_key: tuple[Hashable, ...], masked: bool | None) -> tuple[Hashable, ...]:
    """``cache_key`` with whether the map is a viewer's (None: this session's user), so
    a map built for an analyst is never sent to a viewer."""
    if masked is None:
        masked = data._masked()
    return (*cache_key, data.VIEWER_SUFFIX if masked else "")


def show_static_map(build: Callable, *, cache_key: tuple[Hashable, ...], height: int) -> None:
    """Draw a map nothing is read back from, as its own page in an iframe.

    Leaflet draws the map straight from the HTML: pan, zoom, layers and tooltips.
    """
    warm = getattr(_WARMING, "on", False)
    html = map_html(build, cache_key=cache_key, masked=False if warm else None)
    if not warm:
        st.iframe(_with_paint_call(html), height=height, width="stretch")


def _with_paint_call(html: str) -> str:
    """The map's page calling :func:`ui.first_paint.url` at its end, once drawn."""
    call = first_paint.script(first_paint.url())
    if not call:
        return html
    head, tag, tail = html.rpartition("</body>")
    return f"{head}{call}{tag}{tail}" if tag else html + call


# A map a page reads clicks from, without st_folium: the map's own page in an iframe
# (as show_static_map) that this script (run in the app's page, a Streamlit v2
# component: no iframe of its own, no script bundle to wait for) creates and keeps
# across reruns. A click on a hotspot's shape is sent back as the trigger "clicked".
_CLICKABLE_JS = """
export default function ({ parentElement, data, setTriggerValue }) {
  if (!data || !data.html) return;
  let frame = parentElement.querySelector("iframe");
  if (!frame) {
    frame = document.createElement("iframe");
    frame.title = "map";
    frame.style.cssText = "width: 100%; border: none; display: block;";
    parentElement.appendChild(frame);
  }
  frame.style.height = data.height + "px";
  // Picking a point (an analyst adding a place): read at each click, so turning it on
  // or off needs no new map page.
  frame.__hsPick = !!data.pick;
  setCursor(frame);
  const painted = data.painted;
  frame.onload = () => {
    hook(frame, setTriggerValue);
    // A session's first run waits for this before the hidden elements (ui.first_paint).
    if (painted) fetch(painted, {method: "POST", keepalive: true}).catch(() => {});
  };
  if (frame.getAttribute("srcdoc") !== data.html) frame.setAttribute("srcdoc", data.html);
}

function setCursor(frame) {
  const doc = frame.contentDocument;
  const box = doc && doc.querySelector(".leaflet-container");
  if (box) box.style.cursor = frame.__hsPick ? "crosshair" : "";
}

function hook(frame, send) {
  const w = frame.contentWindow;
  const L = w && w.L;
  if (!L) return;
  const attach = (layer) => {
    const props = layer.feature && layer.feature.properties;
    if (!props || !props.hotspot_id || layer.__hsClick) return;
    layer.__hsClick = true;
    layer.on("click", () => {
      if (!frame.__hsPick) send("clicked", String(props.hotspot_id));
    });
  };
  for (const name of Object.keys(w)) {
    if (name.startsWith("map_") && w[name] instanceof L.Map) {
      const map = w[name];
      map.eachLayer(attach);
      map.on("layeradd", (e) => attach(e.layer));
      map.on("click", (e) => {
        if (!frame.__hsPick) return;
        if (frame.__hsMark) map.removeLayer(frame.__hsMark);
        frame.__hsMark = L.circleMarker(e.latlng, {radius: 7, color: "#000", fillColor: "#fff", fillOpacity: 1, weight: 3}).addTo(map);
        send("picked", e.latlng.lat.toFixed(6) + "," + e.latlng.lng.toFixed(6));
      });
    }
  }
  setCursor(frame);
}
"""
# Not in a shadow root: the page's own tests and benchmark find the map's iframe.
_CLICKABLE = st.components.v2.component("hs_map", js=_CLICKABLE_JS, isolate_styles=False)


def show_clickable_map(
    build: Callable,
    *,
    cache_key: tuple[Hashable, ...],
    key: str,
    height: int,
    pick: bool = False,
) -> str | None:
    """Draw a map as :func:`show_static_map` does and return the ``hotspot_id`` of the
    shape the user just clicked (None on any other run).

    The component stays mounted across reruns (``key``): a changed map replaces the
    page in the same iframe, never a grey placeholder in its place. With ``pick`` a
    click picks a point instead (hotspots are not clicked then): it is kept as
    ``(lat, lon)`` in ``st.session_state[picked_key(key)]`` (:func:`picked_point`).
    """
    warm = getattr(_WARMING, "on", False)
    html = map_html(build, cache_key=cache_key, masked=False if warm else None)
    if warm:
        return None
    out = _CLICKABLE(
        key=key,
        data={"html": html, "height": height, "pick": bool(pick)} | _painted(),
        height=height,
        on_clicked_change=lambda: None,
        on_picked_change=lambda: None,
    )
    picked = _point(out.get("picked")) if pick else None
    if picked is not None:
        st.session_state[picked_key(key)] = picked
    clicked = out.get("clicked")
    return str(clicked) if clicked and not pick else None


def _painted() -> dict[str, str]:
    """The component's call once its map is drawn (:mod:`ui.first_paint`), if any."""
    target = first_paint.url()
    return {"painted": target} if target else {}


def picked_key(key: str) -> str:
    """Where :func:`show_clickable_map` keeps the point picked on map ``key``."""
    return f"{key}_picked"


def picked_point(key: str) -> tuple[float, float] | None:
    """The ``(lat, lon)`` last picked on map ``key``, if any."""
    return st.session_state.get(picked_key(key))


def _point(value) -> tuple[float, float] | None:
    """``"lat,lon"`` from the browser as two finite floats (None for anything else)."""
    import math

    try:
        lat, lon = (float(v) for v in str(value).split(","))
    except (TypeError, ValueError):
        return None
    return (lat, lon) if math.isfinite(lat) and math.isfinite(lon) else None


def mount_clickable_map() -> None:
    """Draw the component once without a map (ui.preload: its code is then loaded)."""
    _CLICKABLE(key="hs_preload_map", data={}, height=1)


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
    gi_cells=None,
    large: bool = False,
    facilities=None,
    places=None,
):
    """The folium map of :func:`hotspot_map` (``gi_cells``: the view's hot Gi* cells, a
    layer switched off until the user turns it on; ``large``: the projector's type;
    ``facilities``: the station's CCTV, street lights, bells, child zones and safe
    houses, a layer per kind,
    switched off too; ``places``: the officers' own places, an analyst's only, one
    layer switched off too)."""
    geo = data.geography()
    m = maps.base_map(geo, lang=lang)
    # The projector's legend goes beside the map (projector_legend): nothing covers it.
    if hotspots is not None and len(hotspots):
        maps.add_hotspots(m, hotspots, lang=lang, selected_id=selected, fit=fit, legend=not large)
    if gone is not None and len(gone):
        maps.add_hotspots(m, gone, lang=lang, name="gone", legend=not large)
    if events is not None and len(events):
        for source in heat_sources:
            maps.add_heat(m, events, source=source, lang=lang)
        maps.add_event_points(m, events, lang=lang)
    if gi_cells is not None:
        maps.add_gi_star(m, gi_cells, lang=lang, cell_m=GI_CELL_M)
    if boxes is not None and len(boxes):
        maps.add_boxes(m, boxes, lang=lang)
    if facilities is not None and len(facilities):
        maps.add_facilities(m, facilities, lang=lang)
    if places is not None and len(places):
        maps.add_officer_places(m, places, lang=lang)
    if landmarks:
        maps.add_landmarks(m, geo.landmarks, lang=lang)
    maps.add_layer_control(m)
    if large:
        m.add_child(maps.ProjectorSize())
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
    gi_cells=None,
    large: bool = False,
    facilities=None,
    places=None,
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
            gi_cells=gi_cells,
            large=large,
            facilities=facilities,
            places=places,
        ),
        (
            "hotspots",
            *data_key,
            lang,
            selected,
            heat_sources,
            landmarks,
            fit,
            *(["gi"] if gi_cells is not None else []),
            *(["large"] if large else []),
            *(["facilities"] if facilities is not None else []),
            # The places drawn (an analyst's; ids change as places are added or removed).
            *(["places", tuple(places["id"].astype(int))] if places is not None else []),
        ),
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
    gi_cells=None,
    facilities=None,
    places=None,
    pick: bool = False,
) -> str | None:
    """Draw the map and return the hotspot id the user clicked, if any.

    ``data_key`` names the frames passed (the store URL, data version, query and
    whatever else they were loaded with); with the options it keys the cached map.
    ``fit`` ('selected' or 'all') zooms to the selected hotspot or to all of
    ``hotspots``; None keeps the station's default view. ``gi_cells``: the view's hot
    Gi* cells (:func:`ui.data.gi_star_cells`, loaded with the ``data_key``), a layer
    the user switches on. ``facilities``: the station's safety facilities
    (:func:`ui.data.facility_layers`, loaded with the ``data_key``'s store and version),
    a layer per kind the user switches on. ``places``: the officers' own places
    (:func:`ui.data.officer_places`: none for a viewer). ``pick``: a click picks a point
    (:func:`picked_point`) instead of a hotspot.
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
        gi_cells=gi_cells,
        facilities=facilities,
        places=places,
    )
    return show_clickable_map(build, cache_key=cache_key, key=key, height=height, pick=pick)


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
    large: bool = False,
) -> None:
    """The map of :func:`hotspot_map` where nothing is read back (the meeting brief):
    drawn by :func:`show_static_map`, without a component."""
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
        large=large,
    )
    show_static_map(build, cache_key=cache_key, height=height)


def projector_legend(hotspots, gone, lang: str) -> None:
    """The legend of a ``large`` map, under it in the projector's type."""
    from analytics.presentation.maps.hotspot_layer import legend_line

    statuses = {
        s
        for frame in (hotspots, gone)
        if frame is not None and "status" in frame.columns
        for s in frame["status"].dropna()
    }
    st.markdown(legend_line(lang, statuses=statuses), unsafe_allow_html=True)


# The options of each page's map, shared by the page and ui.warm (one cache key for both).


def brief_map_options(answer, db_url: str, version: str, state) -> dict:
    """:func:`static_hotspot_map`'s arguments on the meeting brief (``state``: the ViewState)."""
    from ui.tables import without_chance

    top_n = 5 if state.present else 10
    return {
        # The meeting acts on what chance would rarely make: the brief says how many it left out.
        "hotspots": without_chance(answer.shown.current)[0].head(top_n),
        "gone": answer.shown.gone,
        "data_key": (db_url, version, state.query, top_n),
        "lang": state.lang,
        "height": 600 if state.present else 480,
        "large": state.present,
        "selected": state.hotspot,
        "fit": "all",  # rural hotspots (인월, 운봉) lie outside the station's default view
    }


def map_page_options(
    answer, events, db_url: str, version: str, state, *, hide_chance: bool = False
) -> dict:
    """:func:`hotspot_map`'s arguments on the hotspot map page (``events``: the period's;
    ``hide_chance``: leave out the hotspots that could be chance)."""
    from ui.tables import without_chance
    from ui.tables_map import for_unit

    query = state.query
    hotspots = for_unit(answer.shown.current, query.unit)
    if hide_chance:
        hotspots = without_chance(hotspots)[0]
    return {
        "hotspots": hotspots,
        "gone": for_unit(answer.shown.gone, query.unit),
        "data_key": (db_url, version, query, *(["not chance"] if hide_chance else [])),
        "lang": state.lang,
        "height": 560,
        "key": "m_map",
        "selected": state.hotspot,
        "events": events,
        "heat_sources": query.sources,
        "boxes": data.box_log(db_url, version),
        "gi_cells": data.gi_star_cells(db_url, version, query),
        "facilities": data.facility_layers(db_url, version),
        # The warm-up fills an analyst's map (show_clickable_map: masked=False).
        "places": data.officer_places(
            db_url, version, analyst=True if getattr(_WARMING, "on", False) else None
        ),
        # Picking a hotspot shows it up close; otherwise every hotspot of the view is in sight.
        "fit": "selected" if state.hotspot else "all",
    }


def unit_map_options(db_url: str, version: str, query, lang: str) -> dict:
    """:func:`show_static_map`'s options for a unit's map (``query`` carries the unit)."""
    return {"cache_key": ("unit", db_url, version, query, lang), "height": 460}
