"""Maps in Streamlit: the folium builders from analytics.presentation.maps, shown with st_folium."""

from __future__ import annotations

from streamlit_folium import st_folium

from analytics.presentation import maps
from ui import data


def hotspot_map(
    hotspots,
    gone=None,
    *,
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

    ``fit`` ('selected' or 'all') zooms to the selected hotspot or to all of
    ``hotspots``; None keeps the station's default view.
    """
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
    out = st_folium(
        m,
        height=height,
        use_container_width=True,
        key=key,
        returned_objects=["last_active_drawing"],
    )
    return maps.clicked_hotspot_id(out)
