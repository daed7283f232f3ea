"""The station's base map: tiles, township and police-unit boundaries, attribution.

Every map starts here (:func:`base_map`); the layers of ``hotspot_layer`` and
``layers`` go on top, and the boundaries always draw, so the map shows the station
even when no tile loads.
"""

from __future__ import annotations

from functools import lru_cache

import folium
import geopandas as gpd
import numpy as np
import shapely

from analytics.presentation.maps.assets import DEFAULT_BASE_URL, localise
from analytics.presentation.maps.elements import MapStyle, escaped
from analytics.presentation.maps.payload import (
    BOUNDARY_DECIMALS,
    TOWNSHIP_SIMPLIFY_M,
    feature,
    to_wgs84,
)
from analytics.presentation.maps.style import label
from analytics.station.geo import StationGeography

MIN_ZOOM, MAX_ZOOM = 8, 19


@lru_cache(maxsize=8)
def _boundary_layers(geo: StationGeography, lang: str) -> tuple[dict, dict]:
    """Township and unit FeatureCollections for display (simplified, rounded; cached).

    Townships are listed nearest the map centre first, so the first paths Leaflet
    draws are the ones in view (it draws off-screen polygons as an empty "M0 0").
    """
    twp_geoms = to_wgs84(
        geo.townships.geometry,
        simplify_m=TOWNSHIP_SIMPLIFY_M,
        coverage=True,
        decimals=BOUNDARY_DECIMALS,
    )
    lat0, lon0 = geo.station.map_center
    order = np.argsort([shapely.Point(lon0, lat0).distance(g) for g in twp_geoms], kind="stable")
    twp = geo.townships.iloc[order].reset_index(drop=True)
    twp_geoms = [twp_geoms[i] for i in order]
    emd_col = "emd" if lang == "ko" else "emd_en"
    unit_col = "unit" if lang == "ko" else "unit_en"
    unit_name = dict(zip(geo.police_units["unit"], geo.police_units[unit_col], strict=True))
    townships = {
        "type": "FeatureCollection",
        "features": [
            feature(
                g,
                {
                    "emd": r["emd"],
                    "police_unit": r["police_unit"],
                    "label": f"{escaped(r[emd_col])} · {escaped(unit_name.get(r['police_unit']))}",
                },
                fid=f"emd-{i}",
            )
            for i, (g, (_, r)) in enumerate(zip(twp_geoms, twp.iterrows(), strict=True))
        ],
    }
    units = geo.police_units
    unit_geoms = to_wgs84(
        units.geometry, simplify_m=TOWNSHIP_SIMPLIFY_M, coverage=True, decimals=BOUNDARY_DECIMALS
    )
    unit_features = {
        "type": "FeatureCollection",
        "features": [
            feature(
                g,
                {"police_unit": r["unit"], "label": escaped(unit_name[r["unit"]])},
                fid=f"unit-{i}",
            )
            for i, (g, (_, r)) in enumerate(zip(unit_geoms, units.iterrows(), strict=True))
        ],
    }
    return townships, unit_features


def base_map(
    geo: StationGeography,
    *,
    tiles_url: str | None = None,
    tiles_attribution: str | None = None,
    lang: str = "ko",
    asset_base_url: str = DEFAULT_BASE_URL,
    zoom: int | None = None,
    center: tuple[float, float] | None = None,
) -> folium.Map:
    """The station map: tiles, township and police-unit boundaries, attribution.

    Parameters
    ----------
    geo : StationGeography
    tiles_url : str, optional
        Leaflet tile URL template. Default: ``[map] tiles_url`` of station.toml
        (OpenStreetMap). ``""`` draws no tiles (boundaries only, fully offline).
    tiles_attribution : str, optional
        Attribution HTML for the tiles (trusted configuration). Default: station.toml.
    lang : {'ko', 'en'}
    asset_base_url : str
        Where static/vendor is served; see :func:`use_local_assets`.
    zoom, center : optional overrides of station.toml's ``[map]`` view.

    The boundaries are always drawn (light fill, visible strokes; township and
    unit names as tooltips), so the map shows the station even when no tile loads.
    The boundary attribution (KOGL Type 1) rides on the township layer.
    """
    station = geo.station
    tiles_url = station.tiles_url if tiles_url is None else tiles_url
    tiles_attribution = (
        station.tiles_attribution if tiles_attribution is None else tiles_attribution
    )
    m = folium.Map(
        location=list(center or station.map_center),
        zoom_start=int(zoom or station.map_zoom),
        tiles=None,
        control_scale=True,
    )
    # Leaflet.markercluster needs the map's maxZoom, which no tile layer sets offline.
    m.options["maxZoom"] = MAX_ZOOM
    m.options["minZoom"] = MIN_ZOOM
    m._local_asset_base = asset_base_url.rstrip("/")
    m.add_child(MapStyle())
    if tiles_url:
        folium.TileLayer(
            tiles=tiles_url,
            attr=tiles_attribution or " ",
            name="map",
            max_zoom=MAX_ZOOM,
            control=False,
        ).add_to(m)

    townships, units = _boundary_layers(geo, lang)
    boundary_attribution = escaped(station.attribution_ko if lang == "ko" else station.attribution)
    # Kept on the map: a layer switched on later goes above the townships (grid_layer).
    m._townships_layer = folium.GeoJson(
        townships,
        name=label("townships", lang),
        style_function=lambda _f: {
            "color": "#6b6b6b",
            "weight": 1,
            "opacity": 0.9,
            "fillColor": "#f4f1e8",
            "fillOpacity": 0.35,
        },
        highlight_function=lambda _f: {"weight": 2, "fillOpacity": 0.5},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=True),
        attribution=boundary_attribution,
        smooth_factor=1.0,
    )
    m._townships_layer.add_to(m)
    folium.GeoJson(
        units,
        name=label("units", lang),
        style_function=lambda _f: {
            "color": "#2b2b2b",
            "weight": 2.5,
            "opacity": 0.9,
            "fillColor": "#5a5a5a",
            "fillOpacity": 0.03,
        },
        interactive=False,  # hover and clicks reach the townships underneath
        smooth_factor=1.0,
    ).add_to(m)
    add_township_names(m, geo, lang=lang)
    localise(m, m)
    return m


def add_township_names(m: folium.Map, geo: StationGeography, *, lang: str = "ko") -> None:
    """Each township's name, always shown, at a point inside it: the room can tell where
    things are with no base map (offline, the meeting room has no tiles)."""
    col = "emd" if lang == "ko" else "emd_en"
    points = gpd.GeoSeries(
        shapely.point_on_surface(geo.townships.geometry.to_numpy()), crs=geo.townships.crs
    ).to_crs("EPSG:4326")
    group = folium.FeatureGroup(name=label("township_names", lang), control=False)
    for name, pt in zip(geo.townships[col], points, strict=True):
        folium.Marker(
            [round(pt.y, 5), round(pt.x, 5)],
            icon=folium.DivIcon(
                html=f'<div class="hs-place-name">{escaped(name)}</div>',
                icon_size=(120, 16),
                icon_anchor=(60, 8),
                class_name="hs-place-icon",
            ),
            interactive=False,
            keyboard=False,
            z_index_offset=-1000,  # under the hotspots' numbered badges
        ).add_to(group)
    group.add_to(m)
