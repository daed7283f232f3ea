"""Map builders (analytics.presentation.maps), tested without Streamlit: local assets, payloads, escaping."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import branca
import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from folium.elements import JSCSSMixin

from analytics.presentation import maps
from analytics.presentation.maps.assets import walk
from analytics.presentation.maps.elements import Legend, js_literal
from analytics.station.clock import zone
from analytics.station.config import REPO_ROOT
from tests.conftest import BAEMSAGOL, MARKET, make_events

XSS = "<img src=x onerror=alert(1)>"
XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
TEMPLATE_XSS = "${alert(2)}"
CDN_HOSTS = ("cdn.jsdelivr", "cdnjs", "code.jquery", "netdna", "unpkg", "d3js", "bootstrapcdn")
URL = re.compile(r"https?://[^\s\"'<>)`]+")


# --------------------------------------------------------------------------- fixtures
def _xy(geo, lat, lon):
    x, y = geo.to_analysis([lon], [lat])
    return float(x[0]), float(y[0])


def _hotspots(geo, *, place=None, status=True) -> gpd.GeoDataFrame:
    """Three hand-made hotspots (one per type) near the market, polygons in metres."""
    x0, y0 = _xy(geo, MARKET["lat"], MARKET["lon"])
    rows = []
    for i, (kind, st) in enumerate(
        [("convergent", "new"), ("fear", "persistent"), ("hidden", "intensifying")]
    ):
        rows.append(
            {
                "hotspot_id": f"H{i:03d}",
                "rank": i + 1,
                "place": place if (place is not None and i == 0) else f"남원공설시장 부근 {i} m",
                "emd": MARKET["emd"],
                "police_unit": MARKET["unit"],
                "type": kind,
                "n_events": 10 - i,
                "n_incident": 5,
                "n_complaint": 1,
                "n_suggestion": 4 - i,
                "patrol_windows": [(22, 0, 0.5), (2, 4, 0.2)],
                "patrol_text": "22–24시, 02–04시",
                "top_categories": [("폭력", 3), (XSS if place else "절도", 2)],
                "first_event": pd.Timestamp("2017-10-06 21:00", tz=zone()),
                "last_event": pd.Timestamp("2017-10-12 23:00", tz=zone()),
                "geometry": shapely.Point(x0 + 400 * i, y0).buffer(80),
                **({"status": st} if status else {}),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=geo.station.analysis_crs)


def _events_at(geo, points: list[tuple[float, float]], **extra) -> pd.DataFrame:
    rows = []
    for lat, lon in points:
        x, y = _xy(geo, lat, lon)
        rows.append({"x": x, "y": y, "lat": lat, "lon": lon, **extra})
    return make_events(rows)


def _boxes() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "box_id": "B1",
                "name": "중앙지구대 소리함",
                "place": "중앙지구대",
                "lat": 35.4105,
                "lon": 127.3830,
                "installed_on": "2017-08-01",
                "removed_on": None,
            },
            {
                "box_id": "B2",
                "name": XSS,
                "place": XSS,
                "lat": 35.4080,
                "lon": 127.3842,
                "installed_on": "2017-08-01",
                "removed_on": "2017-08-31",
            },
        ]
    )


def _full_map(geo, *, place=None, selected="H001"):
    m = maps.base_map(geo)
    maps.add_hotspots(m, _hotspots(geo, place=place), selected_id=selected)
    events = _events_at(
        geo,
        [(MARKET["lat"] + 0.0005 * k, MARKET["lon"]) for k in range(5)],
        description="밤에 어둡다",
        category_label="폭력",
    )
    maps.add_heat(m, events, source="incident")
    maps.add_event_points(m, events)
    maps.add_boxes(m, _boxes())
    maps.add_landmarks(m, geo.landmarks)
    maps.add_layer_control(m)
    return m


def _elements(m, kind):
    return [e for e in walk(m) if isinstance(e, kind)]


def _hotspot_layers(m) -> list[folium.GeoJson]:
    return [
        e
        for e in _elements(m, folium.GeoJson)
        if "hotspot_id" in e.data["features"][0]["properties"]
    ]


def _style(gj: folium.GeoJson) -> dict:
    return gj.style_function(gj.data["features"][0])


# --------------------------------------------------------------------------- assets
def test_vendored_files_exist_with_licences():
    for name, path in maps.vendored_files().items():
        assert path.is_file() and path.stat().st_size > 0, name
        assert (path.parent / "LICENSE").is_file(), name
    assert (maps.VENDOR_DIR / "leaflet" / "images" / "layers.png").is_file()
    text = (maps.VENDOR_DIR / "VENDOR.md").read_text(encoding="utf-8")
    for pkg in ("leaflet@1.9.4", "leaflet.markercluster@1.5.3", "leaflet.heat@0.2.0"):
        assert f"npm pack {pkg}" in text
    assert 't.version="1.9.4"' in (maps.VENDOR_DIR / "leaflet" / "leaflet.js").read_text()
    assert "npm pack" in (REPO_ROOT / "tools" / "vendor_assets.sh").read_text()


def test_local_assets_replace_every_cdn(geo):
    m = maps.use_local_assets(_full_map(geo))
    html_text = m.get_root().render()
    for host in CDN_HOSTS:
        assert host not in html_text, host
    assert '<script src="/app/static/vendor/leaflet/leaflet.js"></script>' in html_text
    assert "/app/static/vendor/leaflet/leaflet.css" in html_text
    assert "/app/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in html_text
    assert "/app/static/vendor/leaflet.heat/leaflet-heat.js" in html_text
    assert "jquery" not in html_text.lower() and "bootstrap" not in html_text.lower()
    referenced = re.findall(r'(?:src|href)="(/app/static/vendor/[^"]+)"', html_text)
    assert len(referenced) == 6
    for url in referenced:
        assert (REPO_ROOT / "static" / "vendor" / url.removeprefix("/app/static/vendor/")).is_file()
    # The only URL left is the tile template.
    assert set(URL.findall(html_text)) == {geo.station.tiles_url}


def test_streamlit_folium_sees_only_local_links(geo):
    """streamlit-folium sends every element's default_js/default_css to its frontend."""
    m = maps.use_local_assets(_full_map(geo), base_url="/x/app/static/vendor/")

    def walk(fig):  # as streamlit_folium.st_folium does
        if isinstance(fig, branca.colormap.ColorMap):
            yield fig
        if isinstance(fig, JSCSSMixin):
            yield fig
        for child in getattr(fig, "_children", {}).values():
            yield from walk(child)

    links = [
        url
        for e in walk(m)
        for attr in ("default_js", "default_css")
        for _, url in getattr(e, attr, [])
    ]
    assert links and all(u.startswith("/x/app/static/vendor/") for u in links)
    assert not any(isinstance(e, branca.colormap.ColorMap) for e in walk(m))
    # Idempotent: a second call changes nothing.
    before = [(e.default_js, e.default_css) for e in walk(m)]
    maps.use_local_assets(m, base_url="/x/app/static/vendor")
    assert [(e.default_js, e.default_css) for e in walk(m)] == before


@pytest.mark.parametrize(
    "add",
    [
        lambda m: folium.plugins.Fullscreen().add_to(m),
        lambda m: folium.Marker([35.41, 127.39], icon=folium.Icon(color="red")).add_to(m),
        lambda m: folium.CircleMarker([35.41, 127.39], popup="x").add_to(m),
        lambda m: folium.CircleMarker([35.41, 127.39], tooltip="x").add_to(m),
        lambda m: branca.colormap.LinearColormap(["white", "red"]).add_to(m),
    ],
    ids=["plugin", "icon", "popup", "tooltip", "colormap"],
)
def test_unvendored_elements_raise(geo, add):
    m = maps.base_map(geo)
    add(m)
    with pytest.raises(maps.UnvendoredAssetError):
        maps.use_local_assets(m)


def test_standalone_html_is_self_contained(geo):
    m = _full_map(geo)
    out = maps.to_standalone_html(m, title="남원경찰서 핫스팟")
    assert "<script src=" not in out and 'rel="stylesheet"' not in out
    assert 't.version="1.9.4"' in out  # Leaflet inlined
    assert "L.markerClusterGroup=" in out or "markerClusterGroup" in out
    assert "L.heatLayer=" in out
    assert "data:image/png;base64," in out  # the layer-control icon
    assert "BSD 2-Clause License" in out and "Copyright 2012 David Leaver" in out
    assert "<title>남원경찰서 핫스팟</title>" in out
    allowed = {
        geo.station.tiles_url,  # the tile template (tiles show when online)
        "https://leafletjs.com",  # Leaflet's own attribution link
        "http://www.w3.org/2000/svg",  # the SVG namespace name, never fetched
    }
    assert set(URL.findall(out)) <= allowed
    assert geo.station.tiles_url in out
    # Offline: no tiles at all, and still a map with boundaries.
    offline = maps.to_standalone_html(maps.base_map(geo, tiles_url=""))
    assert set(URL.findall(offline)) <= allowed - {geo.station.tiles_url}
    assert offline.count('"emd-') == 23


def test_inline_assets_refuses_foreign_scripts():
    with pytest.raises(maps.UnvendoredAssetError):
        maps.inline_assets('<script src="https://cdn.jsdelivr.net/npm/x.js"></script>')
    with pytest.raises(maps.UnvendoredAssetError):
        maps.inline_assets('<script src="/app/static/vendor/../../dashboard.py"></script>')


# --------------------------------------------------------------------------- base map
def test_base_map_always_draws_boundaries(geo):
    m = maps.base_map(geo, tiles_url="")
    layers = _elements(m, folium.GeoJson)
    townships = next(e for e in layers if e.layer_name == maps.label("townships"))
    units = next(e for e in layers if e.layer_name == maps.label("units"))
    assert len(townships.data["features"]) == 23
    assert len(units.data["features"]) == len(geo.police_units) == 18
    for layer in (townships, units):
        style = _style(layer)
        assert style["weight"] >= 1 and style["opacity"] > 0.5
        assert 0 < style["fillOpacity"] <= 0.4
    labels = {f["properties"]["label"] for f in townships.data["features"]}
    assert "죽항동 · 중앙지구대" in labels
    assert not _elements(m, folium.TileLayer)
    assert m.options["maxZoom"] == maps.MAX_ZOOM  # markercluster needs it without tiles
    assert townships.options["attribution"] == geo.station.attribution_ko
    assert m.location == [
        pytest.approx(geo.station.map_center[0]),
        pytest.approx(geo.station.map_center[1]),
    ]
    html_text = m.get_root().render()
    assert json.dumps(geo.station.attribution_ko) in html_text  # folium writes \\uXXXX


def test_base_map_tiles_and_english(geo):
    m = maps.base_map(geo, lang="en")
    tiles = _elements(m, folium.TileLayer)
    assert [t.tiles for t in tiles] == [geo.station.tiles_url]
    html_text = m.get_root().render()
    assert json.dumps(geo.station.attribution) in html_text
    assert json.dumps(geo.station.tiles_attribution) in html_text
    assert maps.label("townships", "en") in [e.layer_name for e in _elements(m, folium.GeoJson)]


def test_boundary_payload_is_bounded(geo):
    m = maps.base_map(geo)
    townships = next(
        e for e in _elements(m, folium.GeoJson) if e.layer_name == maps.label("townships")
    )
    coords = json.dumps(townships.data["features"])
    decimals = [len(d) for d in re.findall(r"\d+\.(\d+)", coords)]
    assert max(decimals) <= 6
    shown = sum(
        shapely.get_num_coordinates(shapely.geometry.shape(f["geometry"]))
        for f in townships.data["features"]
    )
    original = int(shapely.get_num_coordinates(geo.townships.geometry.to_numpy()).sum())
    assert shown < original


# --------------------------------------------------------------------------- hotspots
def test_hotspot_features_carry_ids_and_type_colours(geo):
    m = maps.base_map(geo)
    maps.add_hotspots(m, _hotspots(geo))
    layers = _hotspot_layers(m)
    assert len(layers) == 3
    by_id = {gj.data["features"][0]["properties"]["hotspot_id"]: gj for gj in layers}
    assert set(by_id) == {"H000", "H001", "H002"}
    for hid, gj in by_id.items():
        feat = gj.data["features"][0]
        assert feat["id"] == hid
        assert feat["properties"]["type"] in maps.TYPE_COLOURS
        assert _style(gj)["fillColor"] == maps.TYPE_COLOURS[feat["properties"]["type"]]
        lon, lat = shapely.geometry.shape(feat["geometry"]).centroid.coords[0]
        assert abs(lat - MARKET["lat"]) < 0.01 and abs(lon - MARKET["lon"]) < 0.02
    assert len(set(maps.TYPE_COLOURS.values())) == 3
    html_text = m.get_root().render()
    for hid in by_id:
        assert f'"hotspot_id": "{hid}"' in html_text
    assert all(
        t in html_text
        for t in ("신고·사건 모두 많음", "주민 불안 多·사건 少", "사건 多·주민 신고 없음")
    )


def test_hotspot_status_outlines_and_legend(geo):
    m = maps.base_map(geo)
    maps.add_hotspots(m, _hotspots(geo))
    gone = _hotspots(geo).iloc[[0]].assign(hotspot_id="G1", status="gone")
    maps.add_hotspots(m, gone, name="gone")
    styles = {
        gj.data["features"][0]["properties"]["status"]: _style(gj) for gj in _hotspot_layers(m)
    }
    assert "dashArray" in styles["new"] and "dashArray" not in styles["persistent"]
    assert styles["intensifying"]["weight"] > styles["persistent"]["weight"]
    assert styles["gone"]["fillOpacity"] < styles["persistent"]["fillOpacity"]
    legends = _elements(m, Legend)
    assert len(legends) == 1  # one legend, updated by the second call
    for s in ("신규", "지속", "심화", "소멸"):
        assert s in legends[0].html_text
    assert maps.label("gone") in [e.layer_name for e in _elements(m, folium.FeatureGroup)]
    # Without a status column: no status in properties, no status legend.
    m2 = maps.base_map(geo)
    maps.add_hotspots(m2, _hotspots(geo, status=False))
    assert all(gj.data["features"][0]["properties"]["status"] is None for gj in _hotspot_layers(m2))
    assert "신규" not in _elements(m2, Legend)[0].html_text


def test_selected_hotspot_is_highlighted_and_on_top(geo):
    m = maps.base_map(geo)
    maps.add_hotspots(m, _hotspots(geo), selected_id="H001", fit="selected")
    layers = _hotspot_layers(m)
    styles = {gj.data["features"][0]["properties"]["hotspot_id"]: _style(gj) for gj in layers}
    sel, other = styles["H001"], styles["H000"]
    assert sel["color"] == maps.SELECTED_COLOUR != other["color"]
    assert sel["weight"] > other["weight"] and sel["fillOpacity"] > other["fillOpacity"]
    assert layers[-1].data["features"][0]["properties"]["hotspot_id"] == "H001"
    assert layers[-1].data["features"][0]["properties"]["selected"] is True
    assert "hs-badge sel" in m.get_root().render()
    fits = _elements(m, maps.FitWhenSized)
    assert len(fits) == 1 and fits[0].options["maxZoom"] == 16
    everything = maps.base_map(geo)
    maps.add_hotspots(everything, _hotspots(geo), fit="all")
    (box,) = _elements(everything, maps.FitWhenSized)
    (south, west), (north, east) = box.bounds
    assert south < MARKET["lat"] < north and west < MARKET["lon"] < east
    with pytest.raises(ValueError):
        maps.add_hotspots(maps.base_map(geo), _hotspots(geo), fit="everything")
    plain = maps.base_map(geo)
    maps.add_hotspots(plain, _hotspots(geo))
    assert all(_style(gj)["color"] != maps.SELECTED_COLOUR for gj in _hotspot_layers(plain))


def test_popup_shows_the_profile(geo):
    m = maps.base_map(geo)
    maps.add_hotspots(m, _hotspots(geo))
    popup = _elements(m, maps.SafePopup)[-1].html_text  # rank 1 is drawn last
    assert "#1 남원공설시장 부근 0 m" in popup
    assert "22–24시, 02–04시" in popup and "폭력 3" in popup
    assert "중앙지구대" in popup and "2017-10-06 – 2017-10-12" in popup
    m_en = maps.base_map(geo, lang="en")
    maps.add_hotspots(m_en, _hotspots(geo), lang="en")
    popup_en = _elements(m_en, maps.SafePopup)[-1].html_text
    assert "22:00–24:00" in popup_en and "Reports and incidents" in popup_en


def test_real_find_hotspots_output(geo):
    from analytics.compute.hotspots import find_hotspots

    x0, y0 = _xy(geo, MARKET["lat"], MARKET["lon"])
    rng = np.random.default_rng(1)
    rows = [{"x": x0 + dx, "y": y0 + dy} for dx, dy in rng.normal(0, 20, size=(30, 2))]
    rows += [
        {"x": x0 + dx, "y": y0 + dy, "source": "suggestion", "category_label": XSS}
        for dx, dy in rng.normal(0, 20, size=(10, 2))
    ]
    result = find_hotspots(make_events(rows), geo=geo, eps_m=60, min_samples=4)
    assert len(result.hotspots) >= 1
    m = maps.base_map(geo)
    maps.add_hotspots(m, result.hotspots, selected_id=result.hotspots["hotspot_id"].iloc[0])
    html_text = maps.use_local_assets(m).get_root().render()
    assert result.hotspots["hotspot_id"].iloc[0] in html_text
    assert XSS not in html_text and XSS_ESCAPED in html_text  # a category label typed by a clerk


# --------------------------------------------------------------------------- escaping
def _template_literals(text: str) -> list[str]:
    return re.findall(r"`[^`]*`", text)


def test_user_text_is_escaped_everywhere(geo):
    m = maps.base_map(geo)
    maps.add_hotspots(m, _hotspots(geo, place=XSS + TEMPLATE_XSS))
    events = _events_at(
        geo,
        [(MARKET["lat"], MARKET["lon"]), (BAEMSAGOL["lat"], BAEMSAGOL["lon"])],
        description=XSS + " 010-1234-5678 " + TEMPLATE_XSS,
        location_text=XSS,
        category_label=XSS,
    )
    maps.add_event_points(m, events, show=True)
    maps.add_boxes(m, _boxes())
    landmarks = pd.DataFrame([{"name": XSS, "lat": 35.41, "lon": 127.38}])
    maps.add_landmarks(m, landmarks)
    maps.add_layer_control(m)
    html_text = maps.use_local_assets(m).get_root().render()
    assert XSS not in html_text
    assert "<img" not in html_text
    assert html_text.count(XSS_ESCAPED) >= 6  # tooltip, popup, category, event, box, landmark
    assert "010-1234-5678" not in html_text  # descriptions are masked again before display
    # ``${...}`` never lands in a JS template literal (folium.Tooltip would put it there).
    assert not [t for t in _template_literals(html_text) if TEMPLATE_XSS in t]
    assert not _elements(m, folium.Tooltip) and not _elements(m, folium.Popup)
    standalone = maps.to_standalone_html(m)
    assert XSS not in standalone and XSS_ESCAPED in standalone


def test_js_strings_cannot_close_the_script():
    text = js_literal("</script><script>alert(1)</script>\u2028")
    assert "<" not in text and ">" not in text and "\u2028" not in text
    assert json.loads(text) == "</script><script>alert(1)</script>\u2028"


# --------------------------------------------------------------------------- events
def test_event_points_one_marker_each_below_max(geo):
    m = maps.base_map(geo)
    events = _events_at(
        geo,
        [(MARKET["lat"] + 0.001 * k, MARKET["lon"]) for k in range(20)],
        description="공설시장 뒤 골목이 어둡다",
        category_label="폭력",
    )
    cluster = maps.add_event_points(m, events)
    assert isinstance(cluster, folium.plugins.MarkerCluster)
    assert cluster.n_markers == 20
    row = cluster.row_data[0]
    assert row[3] == 1 and row[4] == "폭력"
    assert row[5].startswith("2017-10-10 21:00")
    assert row[7] == "공설시장 뒤 골목이 어둡다"
    assert not _elements(m, folium.CircleMarker)  # no per-event folium elements


def test_event_points_aggregate_above_max(geo):
    rng = np.random.default_rng(0)
    places = [
        (MARKET["lat"] + 0.0007 * i, MARKET["lon"] + 0.0009 * j)
        for i in range(20)
        for j in range(15)
    ]
    picks = rng.integers(0, len(places), 6000)
    events = _events_at(geo, [places[k] for k in picks])
    m = maps.base_map(geo)
    cluster = maps.add_event_points(m, events, max_points=5000)
    assert cluster.n_markers == len(set(picks.tolist())) <= 300
    assert sum(r[3] for r in cluster.row_data) == 6000
    # Fewer allowed markers than places: coarser cells, counts preserved.
    small = maps.add_event_points(maps.base_map(geo), events, max_points=50)
    assert small.n_markers <= 50
    assert sum(r[3] for r in small.row_data) == 6000
    assert "폭력" in small.row_data[0][5]


def test_event_points_from_metres(geo):
    """Frames with x/y only (lat/lon missing) are placed through the analysis CRS."""
    x, y = _xy(geo, BAEMSAGOL["lat"], BAEMSAGOL["lon"])
    events = make_events([{"x": x, "y": y}])
    assert events["lat"].isna().all()
    cluster = maps.add_event_points(maps.base_map(geo), events)
    lat, lon = cluster.row_data[0][:2]
    assert lat == pytest.approx(BAEMSAGOL["lat"], abs=1e-6)
    assert lon == pytest.approx(BAEMSAGOL["lon"], abs=1e-6)
    assert (
        maps.add_event_points(maps.base_map(geo), make_events([{"x": np.nan, "y": np.nan}])) is None
    )


def test_heat_is_aggregated_and_bounded(geo):
    places = [(MARKET["lat"] + 0.001 * i, MARKET["lon"]) for i in range(100)]
    events = _events_at(geo, [places[i % 100] for i in range(10_000)])
    events.loc[events.index[:50], "source"] = "complaint"
    m = maps.base_map(geo)
    heat = maps.add_heat(m, events, source="incident")
    assert len(heat.data) == 100
    assert sum(p[2] for p in heat.data) == 10_000 - 50
    assert heat.layer_name == "사건·112 밀도"
    capped = maps.add_heat(m, events, source="incident", max_points=10, name="cap")
    assert len(capped.data) <= 10 and sum(p[2] for p in capped.data) == 10_000 - 50
    one = maps.add_heat(m, events, max_points=1, name="one")
    assert len(one.data) == 1 and one.data[0][2] == 10_000
    assert maps.add_heat(m, events, source="suggestion") is None


# --------------------------------------------------------------------------- Gi* layer
def _gi_cells(geo) -> gpd.GeoDataFrame:
    """Five 200 m cells in a row from the market: bins 3, 2, 1, 0 and -1."""
    x0, y0 = _xy(geo, MARKET["lat"], MARKET["lon"])
    col, row = int(x0 // 200), int(y0 // 200)
    bins, counts = [3, 2, 1, 0, -1], [9, 4, 2, 1, 0]
    cols = [col + i for i in range(len(bins))]
    return gpd.GeoDataFrame(
        {"cell_id": [f"{c}_{row}" for c in cols], "n_events": counts, "gi_bin": bins},
        geometry=[shapely.box(c * 200, row * 200, (c + 1) * 200, (row + 1) * 200) for c in cols],
        crs=geo.station.analysis_crs,
    )


def test_gi_star_layer_draws_the_hot_cells_off_by_default(geo):
    m = maps.base_map(geo)
    maps.add_hotspots(m, _hotspots(geo))
    layer = maps.add_gi_star(m, _gi_cells(geo), cell_m=200)
    features = layer.data["features"]
    # Hot cells only, each a closed square in degrees; the cold and the plain cell are not drawn.
    assert [f["properties"]["gi_bin"] for f in features] == [3, 2, 1]
    assert [f["properties"]["n"] for f in features] == [9, 4, 2]
    ring = features[0]["geometry"]["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert 127.3 < ring[0][0] < 127.5 and 35.3 < ring[0][1] < 35.5
    html_text = m.get_root().render()
    name = layer.get_name()
    assert layer.layer_name == "Gi* 핫스팟 격자" and f"{name}.addTo(" not in html_text
    for gi_bin, colour in maps.GI_BIN_COLOURS.items():
        assert f'"fillColor": "{colour}"' in html_text, gi_bin
    # The legend shows while the layer is on; switched on, the layer goes beneath the
    # hotspots and the townships beneath it.
    legend = next(e for e in m._children.values() if type(e).__name__ == "LayerLegend")
    assert legend.layer is layer and legend.to_back == [layer, m._townships_layer]
    for text in ("Gi* 핫스팟 (200m 격자, FDR 보정)", "핫스팟 (99% 신뢰)", "핫스팟 (90% 신뢰)"):
        assert text in legend.html_text
    assert "콜드스팟 (" not in legend.html_text
    assert f"{name}.bringToBack();" in html_text and "overlayadd" in html_text
    assert "핫스팟 (95% 신뢰)\\u003cbr\\u003e이 칸의 사건·신고 {n}건" in html_text  # tooltips
    maps.use_local_assets(m)  # nothing it needs comes from a CDN


def test_gi_star_layer_in_english_switched_on_and_empty(geo):
    m = maps.base_map(geo, lang="en")
    layer = maps.add_gi_star(m, _gi_cells(geo), lang="en", show=True)
    assert layer.layer_name == "Gi* hot-spot grid"
    html_text = m.get_root().render()
    assert f"{layer.get_name()}.addTo(" in html_text
    assert "Hot spot (99% confidence)" in html_text and "events in this cell" in html_text
    empty = maps.add_gi_star(maps.base_map(geo), _gi_cells(geo).iloc[3:])
    assert empty.data["features"] == []
    empty.get_root().render()


# --------------------------------------------------------------------------- others
def test_boxes_active_and_removed(geo):
    m = maps.base_map(geo)
    maps.add_boxes(m, _boxes(), on="2017-10-10")
    markers = _elements(m, folium.CircleMarker)
    assert len(markers) == 2
    active, removed = markers
    assert active.options["fillColor"] == maps.SOURCE_COLOURS["suggestion"]
    assert removed.options["fillColor"] == "#ffffff" and removed.options["dashArray"] == "3 3"
    popups = [p.html_text for p in _elements(m, maps.SafePopup)]
    assert "2017-08-31" in popups[1] and XSS_ESCAPED in popups[1]
    assert maps.add_boxes(m, pd.DataFrame()).layer_name == maps.label("boxes")


def test_landmarks_and_layer_control(geo):
    m = maps.base_map(geo)
    group = maps.add_landmarks(m, geo.landmarks, lang="en")
    assert len(group._children) == len(geo.landmarks)
    control = maps.add_layer_control(m, collapsed=False)
    assert isinstance(control, folium.LayerControl)
    names = {t.html_text for t in _elements(m, maps.SafeTooltip)}
    assert "Namwon City Hall" in names


def test_maps_never_import_streamlit():
    code = (
        "import sys, analytics.presentation.maps; sys.exit(1 if 'streamlit' in sys.modules else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


@pytest.mark.browser
def test_standalone_map_runs_offline_in_chromium(geo, tmp_path, browser):
    """The meeting-pack file draws every layer with the network blocked; hostile text is inert."""
    payload = XSS + TEMPLATE_XSS + "`);alert(3);//</script><script>alert(4)</script>"
    m = maps.base_map(geo, tiles_url="")
    maps.add_hotspots(m, _hotspots(geo, place=payload), selected_id="H000")
    events = _events_at(
        geo,
        [(MARKET["lat"], MARKET["lon"]), (MARKET["lat"] + 0.001, MARKET["lon"])],
        description=payload,
        category_label=payload,
    )
    maps.add_event_points(m, events, show=True)
    maps.add_heat(m, events, show=True)
    maps.add_boxes(m, _boxes())
    maps.add_landmarks(m, geo.landmarks)
    maps.add_layer_control(m)
    path = tmp_path / "map.html"
    path.write_text(maps.to_standalone_html(m), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors, dialogs, remote = [], [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith(("file:", "data:"))
            else (remote.append(r.request.url), r.abort())
        ),
    )
    page.goto(path.as_uri())
    page.wait_for_selector("path.leaflet-interactive")
    name = page.evaluate("() => Object.keys(window).find(k => k.startsWith('map_'))")
    shown = page.evaluate(
        f"""() => {{
        const m = window[{json.dumps(name)}], out = [];
        m.setView([{MARKET["lat"]}, {MARKET["lon"]}], 18);
        m.eachLayer(l => {{
            const subs = l.getLayers ? l.getLayers() : [];
            if (subs.some(s => s.feature && s.feature.properties.hotspot_id === "H000")) {{
                l.openTooltip(); l.openPopup();
                document.querySelectorAll(".leaflet-tooltip, .leaflet-popup-content")
                    .forEach(e => out.push(e.innerText));
            }}
        }});
        return out;
    }}"""
    )
    counts = page.evaluate(
        """() => ({
        paths: document.querySelectorAll("path.leaflet-interactive").length,
        legend: document.querySelectorAll(".hs-legend").length,
        heat: document.querySelectorAll("canvas.leaflet-heatmap-layer").length,
        markers: document.querySelectorAll(".leaflet-marker-icon").length,
        imgs: document.querySelectorAll("img[src=x]").length,
    })"""
    )
    page.close()
    assert errors == [] and dialogs == [] and remote == []
    assert counts["paths"] >= 23 + 3 and counts["legend"] == 1 and counts["heat"] == 1
    assert counts["markers"] >= 3 and counts["imgs"] == 0
    assert any(payload in text for text in shown)  # shown as text, not markup


@pytest.mark.browser
def test_switching_the_gi_star_layer_on_shows_its_legend_beneath_the_hotspots(
    geo, tmp_path, browser
):
    m = maps.base_map(geo, tiles_url="")
    maps.add_hotspots(m, _hotspots(geo))
    maps.add_gi_star(m, _gi_cells(geo), cell_m=200)
    maps.add_layer_control(m, collapsed=False)
    path = tmp_path / "gi.html"
    path.write_text(maps.to_standalone_html(m), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("path.leaflet-interactive")

    def state():
        return page.evaluate(
            """() => {
            const paths = [...document.querySelectorAll(".leaflet-overlay-pane path")];
            const fills = paths.map(p => p.getAttribute("fill"));
            const gi = ["#b2182b", "#ef8a62", "#fddbc7"];
            const at = c => fills.indexOf(c);
            return {
                legends: [...document.querySelectorAll(".hs-legend")].map(e => e.innerText),
                cells: fills.filter(f => gi.includes(f)).length,
                lastCell: Math.max(...gi.map(c => fills.lastIndexOf(c))),
                firstHotspot: Math.min(...["#D55E00", "#CC79A7", "#0072B2"].map(at)
                    .filter(i => i >= 0)),
                lastTownship: fills.lastIndexOf("#f4f1e8"),
            };
        }"""
        )

    before = state()
    assert before["cells"] == 0 and not any("Gi*" in t for t in before["legends"])
    page.get_by_text("Gi* 핫스팟 격자").click()
    after = state()
    assert after["cells"] == 3
    assert any("Gi* 핫스팟" in t and "99% 신뢰" in t for t in after["legends"])
    # Drawn after the townships and before the hotspots, which keep their clicks.
    assert after["lastTownship"] < after["lastCell"] < after["firstHotspot"]
    page.get_by_text("Gi* 핫스팟 격자").click()
    assert not any("Gi*" in t for t in state()["legends"])
    page.close()
    assert errors == []


def test_fit_when_sized_renders_the_bounds_and_checks_them(geo):
    m = maps.base_map(geo)
    fit = maps.fit_to(m, (127.38, 35.40, 127.61, 35.46), padding=(30, 30), max_zoom=15)
    assert fit.bounds == [[35.40, 127.38], [35.46, 127.61]]
    script = m.get_root().render()
    assert "map.fitBounds([[35.4,127.38],[35.46,127.61]]" in script
    assert '"maxZoom":15' in script and '"padding":[30,30]' in script
    assert "ResizeObserver" in script  # fits again once an unlaid iframe gets its size
    with pytest.raises(ValueError, match="south, west"):
        maps.FitWhenSized([[35.46, 127.38], [35.40, 127.61]])  # south above north


@pytest.mark.parametrize(("lang", "name"), [("ko", "운봉읍"), ("en", "Unbong-eup")])
def test_every_township_is_named_on_the_map_without_tiles(geo, lang, name):
    """Offline the room has no base map: the townships' names are drawn on the map itself."""
    html = maps.base_map(geo, lang=lang, tiles_url="").get_root().render()
    icons = re.findall(r'"html": ("\\u003cdiv class=\\"hs-place-name\\"[^\n]*?"),\n', html)
    names = [
        json.loads(i).removeprefix('<div class="hs-place-name">').removesuffix("</div>")
        for i in icons
    ]
    assert len(names) == len(geo.townships) == 23 and name in names


def test_landmarks_are_named_once_zoomed_in(geo):
    m = maps.base_map(geo, lang="ko", tiles_url="")
    maps.add_landmarks(m, geo.landmarks, lang="ko")
    html = m.get_root().render()
    assert '"permanent":true' in html and '"className":"hs-landmark-name"' in html
    assert "map.getZoom() < 14" in html  # hidden at the station's zoom, where they pile up
    assert ".leaflet-control-attribution { max-width: 55%" in html  # the scale bar stays clear
