"""Map builders: folium maps that work on a closed network. Never imports streamlit.

folium loads Leaflet, jQuery, Bootstrap, awesome-markers, Font Awesome and its
plugins from public CDNs. On the station's network those hosts are unreachable and
the map would be blank, so every map here loads the copies under ``static/vendor/``
(fetched from the npm registry by ``tools/vendor_assets.sh``; Streamlit serves them
at ``/app/static/vendor/...`` with ``server.enableStaticServing``).

Rules the builders keep:

- only elements whose assets are vendored (Leaflet, Leaflet.markercluster,
  Leaflet.heat); no ``folium.Icon`` (awesome markers), no ``folium.Popup`` or
  ``folium.Tooltip`` (``Popup`` needs jQuery, and both paste their text into a JS
  template literal where ``${...}`` would run): :class:`SafePopup` and
  :class:`SafeTooltip` pass their HTML as a JSON string instead;
- every text that a resident, a clerk or an export typed is HTML-escaped
  (``html.escape``) before it reaches a popup or a tooltip;
- payloads are bounded: coordinates rounded to 6 decimals, boundaries simplified,
  event points clustered and aggregated per location above ``max_points``, heat
  points aggregated with weights.

Typical use (the page adds ``st_folium``)::

    m = base_map(geo, lang="ko")
    add_hotspots(m, hotspots, lang="ko", selected_id=selected)
    add_event_points(m, events, lang="ko")
    add_layer_control(m)
    use_local_assets(m)            # idempotent; raises if an element needs a CDN
    html = to_standalone_html(m)   # one offline file for the meeting pack
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import branca
import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.elements import JSCSSMixin
from folium.template import Template

from analytics.access.masking import mask_pii
from analytics.compute.profiles import place_in
from analytics.station.config import REPO_ROOT
from analytics.station.geo import StationGeography, transformer

# --------------------------------------------------------------------------- labels
# The few strings the maps draw themselves (legend, layer names, popups). The app's
# UI catalogue lives in ui/i18n; these match its type/status words.
LABELS: dict[str, dict[str, str]] = {
    "ko": {
        "townships": "읍·면·동 경계",
        "units": "지구대·파출소 관할",
        "hotspots": "핫스팟",
        "gone": "소멸 핫스팟",
        "landmarks": "주요 장소",
        "boxes": "소리함 위치",
        "events": "사건·신고 지점",
        "heat": "밀도",
        "legend": "핫스팟 유형",
        "legend_status": "변화",
        "type.convergent": "수렴형",
        "type.fear": "불안형",
        "type.hidden": "잠재형",
        "type.convergent.note": "주민 신고 + 사건",
        "type.fear.note": "주민 불안, 사건 적음",
        "type.hidden.note": "사건, 주민 목소리 없음",
        "status.new": "신규",
        "status.persistent": "지속",
        "status.intensifying": "심화",
        "status.diminishing": "약화",
        "status.gone": "소멸",
        "source.suggestion": "소리함 카드",
        "source.complaint": "민원",
        "source.incident": "사건·112",
        "total": "전체",
        "count": "{n}건",
        "patrol": "순찰 권장",
        "categories": "주요 유형",
        "period": "기간",
        "box_installed": "설치",
        "box_removed": "철거",
        "box_current": "현재 설치 중",
        "hour_suffix": "시",
        "events_here": "이 위치 {n}건",
    },
    "en": {
        "townships": "Township boundaries",
        "units": "Police unit areas",
        "hotspots": "Hotspots",
        "gone": "Gone hotspots",
        "landmarks": "Landmarks",
        "boxes": "Suggestion boxes",
        "events": "Event points",
        "heat": "density",
        "legend": "Hotspot type",
        "legend_status": "Change",
        "type.convergent": "Convergent",
        "type.fear": "Fear",
        "type.hidden": "Hidden",
        "type.convergent.note": "residents + incidents",
        "type.fear.note": "residents uneasy, few incidents",
        "type.hidden.note": "incidents, no citizen voice",
        "status.new": "New",
        "status.persistent": "Persistent",
        "status.intensifying": "Intensifying",
        "status.diminishing": "Diminishing",
        "status.gone": "Gone",
        "source.suggestion": "Suggestion cards",
        "source.complaint": "Complaints",
        "source.incident": "Incidents & 112 calls",
        "total": "Total",
        "count": "{n} events",
        "patrol": "Patrol",
        "categories": "Top categories",
        "period": "Period",
        "box_installed": "installed",
        "box_removed": "removed",
        "box_current": "in place now",
        "hour_suffix": ":00",
        "events_here": "{n} events at this location",
    },
}


def label(key: str, lang: str = "ko", **values) -> str:
    """One map string in ``lang`` (Korean when the language or key is unknown)."""
    table = LABELS.get(lang, LABELS["ko"])
    text = table.get(key, LABELS["ko"].get(key, key))
    return text.format(**values) if values else text


# --------------------------------------------------------------------------- styles
# Okabe & Ito (2008) colour-blind-safe palette.
TYPE_COLOURS: dict[str, str] = {
    "convergent": "#D55E00",  # vermillion
    "fear": "#CC79A7",  # reddish purple
    "hidden": "#0072B2",  # blue
}
UNKNOWN_TYPE_COLOUR = "#999999"
SOURCE_COLOURS: dict[str, str] = {
    "suggestion": "#009E73",  # bluish green
    "complaint": "#E69F00",  # orange
    "incident": "#404040",  # dark grey
}
SELECTED_COLOUR = "#000000"
# Status: line pattern (SVG dash array), line weight and a badge symbol next to the rank.
STATUS_STYLES: dict[str, dict] = {
    "new": {"dashArray": "8 5", "weight": 3, "symbol": "+"},
    "persistent": {"dashArray": None, "weight": 2, "symbol": ""},
    "intensifying": {"dashArray": None, "weight": 4, "symbol": "▲"},
    "diminishing": {"dashArray": "2 5", "weight": 2, "symbol": "▼"},
    "gone": {"dashArray": "2 6", "weight": 2, "symbol": "×"},
}
STATUSES = tuple(STATUS_STYLES)
HOTSPOT_TYPES = tuple(TYPE_COLOURS)

ROUND_DECIMALS = 6  # ~0.1 m: more digits only cost payload
TOWNSHIP_SIMPLIFY_M = 20.0  # display tolerance for boundaries, metres (a pixel at zoom 12 is ~30 m)
BOUNDARY_DECIMALS = 5  # ~1 m, well inside that tolerance
HOTSPOT_SIMPLIFY_M = 1.0
DESCRIPTION_CHARS = 300  # popups show at most this much of a free-text description
DEFAULT_MAX_POINTS = 5000
DEFAULT_MAX_HEAT_POINTS = 20000
MIN_ZOOM, MAX_ZOOM = 8, 19

# --------------------------------------------------------------------------- assets
VENDOR_DIR = REPO_ROOT / "static" / "vendor"
DEFAULT_BASE_URL = "/app/static/vendor"

# folium's asset names -> the vendored file, relative to static/vendor/.
LOCAL_ASSETS: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "markerclusterjs": "leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/MarkerCluster.Default.css",
    "leaflet-heat.js": "leaflet.heat/leaflet-heat.js",
}
# folium.Map lists these for folium.Icon / Bootstrap popups; nothing here uses them.
DROPPED_ASSETS: frozenset[str] = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)


class UnvendoredAssetError(RuntimeError):
    """A map element needs a script or stylesheet that static/vendor does not have."""


def _js(value) -> str:
    """A JSON literal safe inside ``<script>``: no ``<``, ``>`` or line separators.

    Text stays readable (``&lt;`` from :func:`html.escape` is kept as it is).
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, esc)
    return text


def _esc(value) -> str:
    """HTML-escaped text of a cell; '' for None/NaN."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


def _walk(element) -> Iterable:
    """Every element under ``element`` (itself included), depth first."""
    yield element
    if isinstance(element, folium.plugins.DualMap):
        yield from _walk(element.m1)
        yield from _walk(element.m2)
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _check_element(elem) -> None:
    """Elements that would reach a CDN or need jQuery even with local assets."""
    name = type(elem).__name__
    if isinstance(elem, branca.colormap.ColorMap):
        raise UnvendoredAssetError(
            f"{name}: branca colormaps make streamlit-folium load d3 from a CDN; "
            "draw a legend with HTML instead"
        )
    if isinstance(elem, folium.Popup) and not isinstance(elem, SafePopup):
        raise UnvendoredAssetError(
            "folium.Popup needs jQuery, which is not vendored; use analytics.presentation.maps.SafePopup"
        )
    if isinstance(elem, folium.Tooltip):
        raise UnvendoredAssetError(
            "folium.Tooltip pastes text into a JS template literal; use analytics.presentation.maps.SafeTooltip"
        )
    if isinstance(elem, folium.Icon):
        raise UnvendoredAssetError(
            "folium.Icon needs awesome-markers and Font Awesome; use CircleMarker or DivIcon"
        )
    if isinstance(elem, folium.GeoJson) and not elem.embed:
        raise UnvendoredAssetError("folium.GeoJson(embed=False) needs jQuery; embed the data")
    if isinstance(elem, folium.Map) and elem.objects_to_stay_in_front:
        raise UnvendoredAssetError("Map.keep_in_front needs jQuery")


def _local_links(elem, attr: str, base_url: str) -> list[tuple[str, str]]:
    out = []
    for asset, url in getattr(elem, attr, []) or []:
        if asset in DROPPED_ASSETS:
            continue
        if asset not in LOCAL_ASSETS:
            raise UnvendoredAssetError(
                f"{type(elem).__name__} needs '{asset}' ({url}), which static/vendor does "
                "not have: vendor it (tools/vendor_assets.sh, LOCAL_ASSETS) or use another element"
            )
        out.append((asset, f"{base_url}/{LOCAL_ASSETS[asset]}"))
    return out


def use_local_assets(m: folium.Map, *, base_url: str = DEFAULT_BASE_URL) -> folium.Map:
    """Point every script and stylesheet of ``m`` at the vendored copies.

    Walks the map's elements as streamlit-folium does and replaces each element's
    ``default_js``/``default_css`` (as instance attributes) with URLs under
    ``base_url``, dropping jQuery, Bootstrap, awesome-markers, Font Awesome and
    glyphicons. Idempotent: call it last, after every layer is added.

    Parameters
    ----------
    m : folium.Map
    base_url : str, default "/app/static/vendor"
        Where ``static/vendor`` is served. Streamlit with a ``server.baseUrlPath``
        of ``/x`` serves it at ``/x/app/static/vendor``.

    Returns
    -------
    folium.Map, the same map.

    Raises
    ------
    UnvendoredAssetError
        An element needs an asset that is not vendored (a plugin we do not ship,
        folium.Icon, folium.Popup, a branca colormap ...).
    """
    base_url = base_url.rstrip("/")
    for elem in _walk(m):
        _check_element(elem)
        if isinstance(elem, JSCSSMixin):
            elem.default_js = _local_links(elem, "default_js", base_url)
            elem.default_css = _local_links(elem, "default_css", base_url)
    m._local_asset_base = base_url
    return m


def vendored_files() -> dict[str, Path]:
    """asset name → vendored file on disk (for checks and :func:`inline_assets`)."""
    return {name: VENDOR_DIR / rel for name, rel in LOCAL_ASSETS.items()}


_SCRIPT_SRC = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>', re.IGNORECASE)
_CSS_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>', re.IGNORECASE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[A-Za-z0-9._-]+)\1\)")
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=\S+\s*$", re.MULTILINE)


def _vendored_path(url: str, base_url: str) -> Path:
    prefix = base_url.rstrip("/") + "/"
    if not url.startswith(prefix):
        raise UnvendoredAssetError(f"{url} is not a vendored asset (under {prefix})")
    path = (VENDOR_DIR / url[len(prefix) :]).resolve()
    if VENDOR_DIR.resolve() not in path.parents or not path.is_file():
        raise UnvendoredAssetError(f"{url}: no such file under {VENDOR_DIR}")
    return path


def _data_uri(path: Path) -> str:
    mime = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif"}[path.suffix]
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


_BANNER = re.compile(r"/\*(?:(?!\*/)[\s\S])*?\(c\)(?:(?!\*/)[\s\S])*?\*/\n?")
_CSS_COMMENT = re.compile(r"/\*[\s\S]*?\*/")


def _licence_comment(packages: Iterable[Path]) -> str:
    """The licences of the inlined packages, as one HTML comment."""
    parts = []
    for pkg in packages:
        lic = pkg / "LICENSE"
        if lic.is_file():
            text = lic.read_text(encoding="utf-8").strip().replace("--", "- -")
            parts.append(f"{pkg.name} (static/vendor/{pkg.name}, see VENDOR.md):\n\n{text}")
    if not parts:
        return ""
    body = "\n\n----\n\n".join(parts).replace("--", "- -")
    return f"<!--\nThird-party code inlined below, with its licences.\n\n{body}\n-->\n"


def inline_assets(html_text: str, *, base_url: str = DEFAULT_BASE_URL) -> str:
    """Replace ``<script src>``/``<link rel=stylesheet>`` of vendored files by their text.

    CSS images (Leaflet's layer-control icon) become data URIs; source-map comments,
    CSS comments and the JS copyright banners are dropped, and the packages' full
    licence texts go into one HTML comment at the top of ``<head>`` instead, so the
    result needs no server and names no URL it does not use.

    Raises
    ------
    UnvendoredAssetError
        A script or stylesheet is not one of the vendored files.
    """
    used: dict[Path, None] = {}

    def script(match: re.Match) -> str:
        path = _vendored_path(match.group(1), base_url)
        used[path.parent] = None
        code = _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))
        code = _BANNER.sub("", code)
        code = re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)
        return f"<script>/* {path.parent.name}/{path.name}: licence above */\n{code}\n</script>"

    def style(match: re.Match) -> str:
        path = _vendored_path(match.group(1), base_url)
        used[path.parent] = None
        css = _CSS_COMMENT.sub("", path.read_text(encoding="utf-8"))

        def image(m: re.Match) -> str:
            img = (path.parent / m.group(2)).resolve()
            return f"url({_data_uri(img)})" if img.is_file() else m.group(0)

        css = _CSS_URL.sub(image, css)
        css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
        return f"<style>/* {path.parent.name}/{path.name} */\n{css}\n</style>"

    out = _SCRIPT_SRC.sub(script, html_text)
    out = _CSS_LINK.sub(style, out)
    notice = _licence_comment(used)
    head = re.search(r"<head[^>]*>", out, re.IGNORECASE)
    if head:
        return out[: head.end()] + "\n" + notice + out[head.end() :]
    return notice + out


def to_standalone_html(m: folium.Map, *, title: str | None = None) -> str:
    """The map as one self-contained HTML document (the offline meeting pack).

    Scripts and styles are inlined from ``static/vendor``; the only remaining URLs
    are the tile template (tiles show when the viewer is online, the boundaries
    always) and attribution links.
    """
    base = getattr(m, "_local_asset_base", None) or DEFAULT_BASE_URL
    use_local_assets(m, base_url=base)
    root = m.get_root()
    if title:
        root.header.add_child(branca.element.Element(f"<title>{_esc(title)}</title>"), name="title")
    out = inline_assets(root.render(), base_url=base)
    left = _SCRIPT_SRC.findall(out) + _CSS_LINK.findall(out)
    if left:
        raise UnvendoredAssetError(f"external assets left in the standalone map: {left}")
    return out


# --------------------------------------------------------------------------- elements
class SafeTooltip(folium.MacroElement):
    """A tooltip whose HTML is passed as a JSON string (never a template literal).

    ``html_text`` must already be escaped where it holds user text.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindTooltip({{ this.content }}, {{ this.opts }});
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, *, sticky: bool = True, **options):
        super().__init__()
        self._name = "SafeTooltip"
        self.html_text = html_text
        self.content = _js(html_text)
        self.opts = _js({"sticky": sticky, **options})


class SafePopup(folium.MacroElement):
    """A popup without jQuery; its HTML is passed as a JSON string.

    ``html_text`` must already be escaped where it holds user text.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindPopup({{ this.content }}, {{ this.opts }});
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, *, max_width: int = 320, **options):
        super().__init__()
        self._name = "SafePopup"
        self.html_text = html_text
        self.content = _js(html_text)
        self.opts = _js({"maxWidth": max_width, **options})


class _MapStyle(folium.MacroElement):
    """CSS for the map: a land-coloured background (no grey box without tiles),
    the legend and the hotspot badges."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .leaflet-container { background: #eef0e8; }
        .leaflet-container path.leaflet-interactive:focus { outline: none; }
        .hs-legend { background: rgba(255,255,255,.92); padding: 6px 8px; border-radius: 4px;
            box-shadow: 0 1px 4px rgba(0,0,0,.3); font: 13px/1.35 sans-serif; color: #222; }
        .hs-legend b { display: block; margin: 2px 0; }
        .hs-legend i { display: inline-block; width: 14px; height: 14px; margin-right: 5px;
            vertical-align: -2px; border: 2px solid; opacity: .9; }
        .hs-legend svg { vertical-align: middle; margin-right: 5px; }
        .hs-legend small { color: #555; }
        .hs-badge { background: #fff; border: 2px solid; border-radius: 11px; font: bold 12px/18px
            sans-serif; text-align: center; white-space: nowrap; color: #111; }
        .hs-badge.sel { background: #000; color: #fff; border-color: #000; }
        .hs-pop table { border-collapse: collapse; margin: 4px 0; }
        .hs-pop th { text-align: left; font-weight: normal; color: #555; padding-right: 8px; }
        .hs-pop td { text-align: right; }
        .marker-cluster-small, .marker-cluster-medium, .marker-cluster-large {
            background-color: rgba(80,80,80,.3); }
        .marker-cluster-small div, .marker-cluster-medium div, .marker-cluster-large div {
            background-color: rgba(50,50,50,.8); color: #fff; }
        .ev-desc { margin-top: 4px; white-space: pre-wrap; max-height: 9em; overflow: auto; }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "MapStyle"


class _Legend(folium.MacroElement):
    """A Leaflet control with fixed HTML (no user text)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: {{ this.position }}});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "hs-legend");
                div.innerHTML = {{ this.content }};
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    # Bottom right, above the attribution: in Namwon the dense city core sits west of
    # centre when a map is fitted to the whole station, where a bottom-left legend hid it.
    def __init__(self, html_text: str, *, position: str = "bottomright"):
        super().__init__()
        self._name = "HotspotLegend"
        self.set_html(html_text)
        self.position = _js(position)

    def set_html(self, html_text: str) -> None:
        self.html_text = html_text
        self.content = _js(html_text)


class FitWhenSized(folium.MacroElement):
    """Zoom the map to ``bounds`` once its container has a size.

    Folium's ``fit_bounds`` runs while the page is parsed. In an iframe that is not
    laid out yet (the meeting pack's ``srcdoc`` map) the container is 0 × 0 then,
    and Leaflet zooms to ``max_zoom`` on an empty spot. This fits at once when the
    map has a size, else as soon as it gets one.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                var fitted = false;
                function fit() {
                    var box = map.getContainer().getBoundingClientRect();
                    if (fitted || box.width < 1 || box.height < 1) { return; }
                    fitted = true;
                    map.invalidateSize();
                    map.fitBounds({{ this.bounds_js }}, {{ this.options_js }});
                }
                fit();
                if (!fitted && window.ResizeObserver) {
                    var watch = new ResizeObserver(function () {
                        fit();
                        if (fitted) { watch.disconnect(); }
                    });
                    watch.observe(map.getContainer());
                }
                window.addEventListener("load", fit);
            })();
        {% endmacro %}
        """
    )

    def __init__(self, bounds, *, padding: tuple[int, int] | None = None, max_zoom: int = 16):
        super().__init__()
        self._name = "FitWhenSized"
        (south, west), (north, east) = bounds
        if not (south <= north and west <= east):
            raise ValueError(f"bounds must be [[south, west], [north, east]], got {bounds!r}")
        self.bounds = [[float(south), float(west)], [float(north), float(east)]]
        self.options = {"maxZoom": int(max_zoom)}
        if padding is not None:
            self.options["padding"] = [int(padding[0]), int(padding[1])]
        self.bounds_js = _js(self.bounds)
        self.options_js = _js(self.options)


def fit_to(
    m: folium.Map,
    bounds_wgs84: tuple[float, float, float, float],
    *,
    padding: tuple[int, int] | None = None,
    max_zoom: int = 16,
) -> FitWhenSized:
    """Zoom ``m`` to ``(minx, miny, maxx, maxy)`` in degrees (shapely/geopandas order)."""
    minx, miny, maxx, maxy = bounds_wgs84
    fit = FitWhenSized([[miny, minx], [maxy, maxx]], padding=padding, max_zoom=max_zoom)
    m.add_child(fit)
    return fit


class _PointCluster(folium.plugins.MarkerCluster):
    """A MarkerCluster filled from one compact array of circle markers.

    Each row is ``[lat, lon, colour index, count, title, line 2, line 3, body]``;
    the texts are escaped HTML. One JSON array instead of one folium element per
    point keeps 5,000 points a small, fast page. Clusters show the summed counts.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.markerClusterGroup({{ this.cluster_options }});
            (function () {
                var colours = {{ this.colours }};
                var rows = {{ this.rows }};
                var markers = [];
                for (var i = 0; i < rows.length; i++) {
                    var r = rows[i];
                    var mk = L.circleMarker([r[0], r[1]], {
                        radius: r[3] > 1 ? Math.min(14, 4 + 2.2 * Math.sqrt(r[3])) : 5,
                        color: "#ffffff", weight: 1, fillColor: colours[r[2]], fillOpacity: 0.9,
                        count: r[3]
                    });
                    var h = "<b>" + r[4] + "</b>";
                    if (r[5]) { h += "<br>" + r[5]; }
                    if (r[6]) { h += "<br>" + r[6]; }
                    if (r[7]) { h += '<div class="ev-desc">' + r[7] + "</div>"; }
                    mk.bindPopup(h, {maxWidth: 320});
                    markers.push(mk);
                }
                {{ this.get_name() }}.addLayers(markers);
            })();
            {{ this.get_name() }}.options.iconCreateFunction = function (cluster) {
                var n = 0, ms = cluster.getAllChildMarkers();
                for (var i = 0; i < ms.length; i++) { n += ms[i].options.count || 1; }
                var size = n < 10 ? "small" : (n < 100 ? "medium" : "large");
                return L.divIcon({
                    html: "<div><span>" + n + "</span></div>",
                    className: "marker-cluster marker-cluster-" + size,
                    iconSize: L.point(40, 40)
                });
            };
        {% endmacro %}
        """
    )

    def __init__(self, rows: list, colours: list[str], *, name: str, show: bool = True, **options):
        super().__init__(name=name, show=show)
        self._name = "PointCluster"
        self.n_markers = len(rows)
        self.row_data = rows
        self.rows = _js(rows)
        self.colours = _js(colours)
        self.cluster_options = _js(
            {
                "maxClusterRadius": 45,
                "spiderfyOnMaxZoom": True,
                "showCoverageOnHover": False,
                "chunkedLoading": True,
                **options,
            }
        )


# --------------------------------------------------------------------------- helpers
def _round_geom(geom, decimals: int = ROUND_DECIMALS):
    return shapely.transform(geom, lambda c: np.round(c, decimals))


def _to_wgs84(
    geoms: gpd.GeoSeries,
    *,
    simplify_m: float,
    coverage: bool = False,
    decimals: int = ROUND_DECIMALS,
) -> list:
    """Simplify in metres, project to EPSG:4326 and round: a list of shapely geometries."""
    arr = geoms.to_numpy()
    if simplify_m > 0:
        if coverage:
            try:
                arr = shapely.coverage_simplify(arr, simplify_m)
            except Exception:  # not a valid coverage: simplify each on its own
                arr = shapely.simplify(arr, simplify_m, preserve_topology=True)
        else:
            arr = shapely.simplify(arr, simplify_m, preserve_topology=True)
    out = gpd.GeoSeries(arr, crs=geoms.crs).to_crs("EPSG:4326")
    return [_round_geom(g, decimals) for g in out]


def _feature(geom, properties: dict, fid: str | None = None) -> dict:
    feat = {"type": "Feature", "properties": properties, "geometry": shapely.geometry.mapping(geom)}
    if fid is not None:
        feat["id"] = fid
    return feat


def _local_base(m: folium.Map) -> str:
    return getattr(m, "_local_asset_base", DEFAULT_BASE_URL)


def _localise(m: folium.Map, elem) -> None:
    """Point a new plugin element at the vendored files right away."""
    if isinstance(elem, JSCSSMixin):
        base = _local_base(m)
        elem.default_js = _local_links(elem, "default_js", base)
        elem.default_css = _local_links(elem, "default_css", base)


def _lat_lon(frame: pd.DataFrame, analysis_crs: str) -> tuple[np.ndarray, np.ndarray]:
    """lat/lon of an event-like frame; degrees from x/y (metres) where lat/lon are missing."""
    n = len(frame)
    lat = (
        pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if "lat" in frame
        else np.full(n, np.nan)
    )
    lon = (
        pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if "lon" in frame
        else np.full(n, np.nan)
    )
    missing = ~(np.isfinite(lat) & np.isfinite(lon))
    if missing.any() and "x" in frame and "y" in frame:
        x = pd.to_numeric(frame["x"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        y = pd.to_numeric(frame["y"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        fill = missing & np.isfinite(x) & np.isfinite(y)
        if fill.any():
            lo, la = transformer(analysis_crs, "EPSG:4326").transform(x[fill], y[fill])
            lon = lon.copy()
            lat = lat.copy()
            lon[fill], lat[fill] = lo, la
    return lat, lon


def _aggregate_locations(lat, lon, weight, *, max_points: int, decimals: int = ROUND_DECIMALS):
    """Group points by rounded coordinates, coarsening until at most ``max_points`` remain.

    First identical coordinates (rounded to ``decimals``) are merged; when more than
    ``max_points`` places remain, points are merged on ever coarser square cells
    (1, 2, 5 × 10^k degrees) until they fit. Returns ``(codes, lat, lon, weight)``:
    ``codes`` maps each input point to its group; groups sit at the weighted mean
    of their points.
    """
    if max_points < 1:
        raise ValueError(f"max_points must be >= 1, got {max_points}")
    keys = pd.MultiIndex.from_arrays([np.round(lat, decimals), np.round(lon, decimals)])
    codes, uniq = pd.factorize(keys)
    exponent = -decimals
    while len(uniq) > max_points:
        if exponent > 3:  # cells wider than the globe: one group
            codes, uniq = np.zeros(len(lat), dtype=np.int64), np.zeros(1)
            break
        for k in (1, 2, 5):
            cell = k * 10.0**exponent
            keys = pd.MultiIndex.from_arrays([np.floor(lat / cell), np.floor(lon / cell)])
            codes, uniq = pd.factorize(keys)
            if len(uniq) <= max_points:
                break
        exponent += 1
    n = len(uniq)
    w = np.bincount(codes, weights=weight, minlength=n)
    glat = np.bincount(codes, weights=lat * weight, minlength=n) / w
    glon = np.bincount(codes, weights=lon * weight, minlength=n) / w
    return codes, np.round(glat, ROUND_DECIMALS), np.round(glon, ROUND_DECIMALS), w


def _style_of(t: str, status: str | None, *, selected: bool, dimmed: bool) -> dict:
    colour = TYPE_COLOURS.get(t, UNKNOWN_TYPE_COLOUR)
    st = STATUS_STYLES.get(status or "persistent", STATUS_STYLES["persistent"])
    style = {
        "color": colour,
        "weight": st["weight"],
        "opacity": 0.95,
        "fillColor": colour,
        "fillOpacity": 0.05 if status == "gone" else (0.25 if dimmed else 0.4),
    }
    if st["dashArray"]:
        style["dashArray"] = st["dashArray"]
    if selected:
        style.update(color=SELECTED_COLOUR, weight=st["weight"] + 3, opacity=1.0, fillOpacity=0.6)
    return style


def _count(row, col) -> int:
    v = row.get(col)
    try:
        return 0 if v is None or pd.isna(v) else int(v)
    except (TypeError, ValueError):
        return 0


def _windows_text(row, lang: str) -> str:
    wins = row.get("patrol_windows")
    if isinstance(wins, (list, tuple)) and len(wins):
        if lang == "ko":
            return ", ".join(f"{int(s):02d}–{int(e) if e else 24:02d}시" for s, e, *_ in wins)
        return ", ".join(f"{int(s):02d}:00–{int(e) if e else 24:02d}:00" for s, e, *_ in wins)
    return str(row.get("patrol_text") or "")


def _categories_text(value) -> str:
    if value is None or isinstance(value, float):
        return ""
    if isinstance(value, str):
        return value
    parts = []
    for item in value:
        if isinstance(item, (list, tuple)) and len(item) == 2:
            parts.append(f"{item[0]} {item[1]}")
        else:
            parts.append(str(item))
    return ", ".join(parts)


def _day(value) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return str(value)


# --------------------------------------------------------------------------- builders
@lru_cache(maxsize=8)
def _boundary_layers(geo: StationGeography, lang: str) -> tuple[dict, dict]:
    """Township and unit FeatureCollections for display (simplified, rounded; cached).

    Townships are listed nearest the map centre first, so the first paths Leaflet
    draws are the ones in view (it draws off-screen polygons as an empty "M0 0").
    """
    twp_geoms = _to_wgs84(
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
            _feature(
                g,
                {
                    "emd": r["emd"],
                    "police_unit": r["police_unit"],
                    "label": f"{_esc(r[emd_col])} · {_esc(unit_name.get(r['police_unit']))}",
                },
                fid=f"emd-{i}",
            )
            for i, (g, (_, r)) in enumerate(zip(twp_geoms, twp.iterrows(), strict=True))
        ],
    }
    units = geo.police_units
    unit_geoms = _to_wgs84(
        units.geometry, simplify_m=TOWNSHIP_SIMPLIFY_M, coverage=True, decimals=BOUNDARY_DECIMALS
    )
    unit_features = {
        "type": "FeatureCollection",
        "features": [
            _feature(
                g,
                {"police_unit": r["unit"], "label": _esc(unit_name[r["unit"]])},
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
    m.add_child(_MapStyle())
    if tiles_url:
        folium.TileLayer(
            tiles=tiles_url,
            attr=tiles_attribution or " ",
            name="map",
            max_zoom=MAX_ZOOM,
            control=False,
        ).add_to(m)

    townships, units = _boundary_layers(geo, lang)
    boundary_attribution = _esc(station.attribution_ko if lang == "ko" else station.attribution)
    folium.GeoJson(
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
    ).add_to(m)
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
    _localise(m, m)
    return m


def _status(row) -> str | None:
    status = row.get("status")
    return status if isinstance(status, str) and status else None


def _rank(row) -> int:
    """The rank to show; 0 (none) for gone hotspots, whose rank was last week's."""
    return 0 if _status(row) == "gone" else _count(row, "rank")


def _hotspot_popup(row, lang: str) -> str:
    rank = _rank(row)
    t = str(row.get("type") or "")
    status = _status(row)
    place = _esc(place_in(row, lang))
    head = f"#{rank} {place}" if rank else place
    kind = _esc(label(f"type.{t}", lang)) if t in TYPE_COLOURS else _esc(t)
    if status:
        kind += f" · {_esc(label(f'status.{status}', lang))}"
    area = " · ".join(_esc(row.get(c)) for c in ("police_unit", "emd") if _esc(row.get(c)))
    rows = [f"<tr><th>{_esc(label('total', lang))}</th><td>{_count(row, 'n_events')}</td></tr>"]
    for source in ("incident", "complaint", "suggestion"):
        rows.append(
            f"<tr><th>{_esc(label(f'source.{source}', lang))}</th>"
            f"<td>{_count(row, f'n_{source}')}</td></tr>"
        )
    parts = [
        '<div class="hs-pop">',
        f"<b>{head}</b>",
        f"<div>{kind}</div>",
    ]
    if area:
        parts.append(f"<div>{area}</div>")
    parts.append("<table>" + "".join(rows) + "</table>")
    windows = _windows_text(row, lang)
    if windows:
        parts.append(f"<div>{_esc(label('patrol', lang))}: {_esc(windows)}</div>")
    cats = _categories_text(row.get("top_categories"))
    if cats:
        parts.append(f"<div>{_esc(label('categories', lang))}: {_esc(cats)}</div>")
    first, last = _day(row.get("first_event")), _day(row.get("last_event"))
    if first or last:
        period = first if first == last else f"{first} – {last}"
        parts.append(f"<div>{_esc(label('period', lang))}: {_esc(period)}</div>")
    parts.append("</div>")
    return "".join(parts)


def _hotspot_tooltip(row, lang: str) -> str:
    rank = _rank(row)
    t = str(row.get("type") or "")
    status = _status(row)
    kind = _esc(label(f"type.{t}", lang)) if t in TYPE_COLOURS else _esc(t)
    if status:
        kind += f" · {_esc(label(f'status.{status}', lang))}"
    place = _esc(place_in(row, lang))
    head = f"{rank}. {place}" if rank else place
    return f"<b>{head}</b><br>{kind}"


def _legend_html(lang: str, *, statuses: Sequence[str]) -> str:
    parts = [f"<b>{_esc(label('legend', lang))}</b>"]
    for t, colour in TYPE_COLOURS.items():
        parts.append(
            f'<div><i style="background:{colour};border-color:{colour}"></i>'
            f"{_esc(label(f'type.{t}', lang))} <small>{_esc(label(f'type.{t}.note', lang))}</small></div>"
        )
    if statuses:
        parts.append(f"<b>{_esc(label('legend_status', lang))}</b>")
        for s in STATUSES:
            if s not in statuses:
                continue
            st = STATUS_STYLES[s]
            dash = f' stroke-dasharray="{st["dashArray"]}"' if st["dashArray"] else ""
            parts.append(
                '<div><svg width="30" height="10"><line x1="0" y1="5" x2="30" y2="5" '
                f'stroke="#333" stroke-width="{st["weight"]}"{dash}/></svg>'
                f"{_esc(label(f'status.{s}', lang))}"
                + (f" <small>({_esc(st['symbol'])})</small>" if st["symbol"] else "")
                + "</div>"
            )
    return "".join(parts)


def add_hotspots(
    m: folium.Map,
    hotspots: gpd.GeoDataFrame,
    *,
    lang: str = "ko",
    selected_id: str | None = None,
    name: str | None = None,
    legend: bool = True,
    fit: str | None = None,
    analysis_crs: str = "EPSG:5179",
) -> folium.FeatureGroup:
    """Hotspot polygons coloured by type, outlined by status, with tooltips and popups.

    Parameters
    ----------
    m : folium.Map
    hotspots : GeoDataFrame
        ``find_hotspots(...).hotspots`` (or ``hotspot_status(...).current`` / ``.gone``,
        which add ``status``). Polygons in metres (its CRS, else ``analysis_crs``).
    lang : {'ko', 'en'}
    selected_id : str, optional
        This hotspot is drawn on top with a black, heavier outline and a black badge.
    name : str, optional
        Layer name; a key of :data:`LABELS` (e.g. ``"gone"``) is translated.
    legend : bool, default True
        Add the type (and status) legend once per map.
    fit : {None, 'selected', 'all'}
        Zoom the map to the selected hotspot, or to all of these hotspots (useful
        when a unit's hotspots lie outside the default view).

    Each polygon is its own GeoJSON layer whose feature has ``id`` and
    ``properties.hotspot_id`` (plus ``rank``, ``type``, ``status``): with
    ``st_folium(..., returned_objects=["last_active_drawing"])`` the clicked one is
    ``value["last_active_drawing"]["properties"]["hotspot_id"]``
    (:func:`clicked_hotspot_id`). Badges show the rank and a status symbol.

    Returns
    -------
    folium.FeatureGroup holding the polygons and badges.
    """
    if fit not in (None, "selected", "all"):
        raise ValueError(f"fit must be None, 'selected' or 'all', got {fit!r}")
    layer_name = label(name, lang) if name in LABELS["ko"] else (name or label("hotspots", lang))
    group = folium.FeatureGroup(name=layer_name)
    group.add_to(m)
    if hotspots is None or len(hotspots) == 0:
        return group
    frame = hotspots
    if "rank" in frame.columns:
        frame = frame.sort_values("rank", ascending=False, kind="stable")  # rank 1 drawn last
    crs = frame.crs or analysis_crs
    geoms = gpd.GeoSeries(frame.geometry.to_numpy(), crs=crs)
    wgs = _to_wgs84(geoms, simplify_m=HOTSPOT_SIMPLIFY_M)
    has_status = "status" in frame.columns
    records = frame.drop(columns=frame.geometry.name).to_dict("records")
    selected_geom = None
    order = list(range(len(records)))
    # The selected hotspot goes last so that it is drawn on top.
    order.sort(key=lambda i: str(records[i].get("hotspot_id")) == str(selected_id))
    for i in order:
        row, geom = records[i], wgs[i]
        if geom is None or geom.is_empty:
            continue
        hid = str(row.get("hotspot_id"))
        status = _status(row)
        is_sel = selected_id is not None and hid == str(selected_id)
        style = _style_of(
            str(row.get("type")), status, selected=is_sel, dimmed=selected_id is not None
        )
        highlight = {
            **style,
            "weight": style["weight"] + 2,
            "fillOpacity": min(0.7, style["fillOpacity"] + 0.2),
        }
        props = {
            "hotspot_id": hid,
            "rank": _count(row, "rank"),
            "type": str(row.get("type") or ""),
            "status": status,
            "selected": is_sel,
        }
        gj = folium.GeoJson(
            _feature(geom, props, fid=hid),
            style_function=lambda _f, s=style: s,
            highlight_function=lambda _f, s=highlight: s,
            control=False,
        )
        gj.add_child(SafeTooltip(_hotspot_tooltip(row, lang)))
        gj.add_child(SafePopup(_hotspot_popup(row, lang)))
        gj.add_to(group)
        # Badge: rank and status symbol, just above the polygon; clicks pass through.
        rank = _rank(row)
        symbol = STATUS_STYLES[status]["symbol"] if status in STATUS_STYLES else ""
        text = f"{rank or ''}{symbol}"
        if text:
            minx, _, maxx, maxy = geom.bounds
            width = 12 + 8 * len(text)
            folium.Marker(
                [round(maxy, ROUND_DECIMALS), round((minx + maxx) / 2, ROUND_DECIMALS)],
                icon=folium.DivIcon(
                    html=f'<div class="hs-badge{" sel" if is_sel else ""}" '
                    f'style="border-color:{style["color"]};width:{width}px">{_esc(text)}</div>',
                    icon_size=(width + 4, 22),
                    icon_anchor=(width // 2 + 2, 24),
                    class_name="hs-badge-icon",
                ),
                interactive=False,
                keyboard=False,
            ).add_to(group)
        if is_sel:
            selected_geom = geom
    if legend:
        # One legend per map, listing the statuses of every hotspot layer added so far.
        seen = set(getattr(m, "_hotspot_statuses", set()))
        if has_status:
            seen |= {s for s in frame["status"].dropna() if s in STATUS_STYLES}
        m._hotspot_statuses = seen
        existing = getattr(m, "_hotspot_legend", None)
        if existing is None:
            m._hotspot_legend = _Legend(_legend_html(lang, statuses=seen))
            m.add_child(m._hotspot_legend)
        else:
            existing.set_html(_legend_html(lang, statuses=seen))
    target = selected_geom if fit == "selected" else None
    if fit == "all":
        target = shapely.union_all([g for g in wgs if g is not None and not g.is_empty])
    if target is not None and not target.is_empty:
        fit_to(m, target.bounds, padding=(24, 24), max_zoom=16)  # room for the badges
    return group


def clicked_hotspot_id(value: dict | None) -> str | None:
    """The hotspot id from ``st_folium``'s return value, or None.

    Request ``returned_objects=["last_active_drawing"]``: Leaflet then reports the
    GeoJSON feature of the clicked layer. Clicks on townships, points or boxes give
    a feature without ``hotspot_id`` (None here).
    """
    feature = (value or {}).get("last_active_drawing") or {}
    hid = (feature.get("properties") or {}).get("hotspot_id")
    return str(hid) if hid else None


def _select_source(events: pd.DataFrame, source) -> pd.DataFrame:
    if source is None or "source" not in events.columns:
        return events
    wanted = [source] if isinstance(source, str) else list(source)
    return events[events["source"].isin(wanted)]


def add_heat(
    m: folium.Map,
    events: pd.DataFrame,
    *,
    source: str | Sequence[str] | None = None,
    name: str | None = None,
    lang: str = "ko",
    max_points: int = DEFAULT_MAX_HEAT_POINTS,
    radius: int = 18,
    blur: int = 15,
    show: bool = False,
    analysis_crs: str = "EPSG:5179",
) -> folium.plugins.HeatMap | None:
    """A heat layer of events' lat/lon (x/y in metres where lat/lon are missing).

    Identical coordinates are merged into one weighted point, and coarser when more
    than ``max_points`` distinct places remain, so the payload stays bounded.
    Hidden by default (``show=False``): toggle it in the layer control.

    Returns the layer, or None when no event has a position.
    """
    ev = _select_source(events, source)
    lat, lon = _lat_lon(ev, analysis_crs)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return None
    _, glat, glon, w = _aggregate_locations(
        lat[ok], lon[ok], np.ones(int(ok.sum())), max_points=max_points, decimals=5
    )
    if name is None:
        src = source if isinstance(source, str) else None
        name = (
            f"{label(f'source.{src}', lang)} {label('heat', lang)}" if src else label("heat", lang)
        )
    # Leaflet.heat 0.2.0 (npm) clips each screen cell at ``max``; scale it to the data
    # so that a few busy places do not turn the whole city red.
    zoom = int(m.options.get("zoom", 13))
    cell_max = max(1.0, float(np.quantile(w, 0.98))) if len(w) else 1.0
    heat = folium.plugins.HeatMap(
        [[float(a), float(b), float(c)] for a, b, c in zip(glat, glon, w, strict=True)],
        name=name,
        radius=radius,
        blur=blur,
        min_opacity=0.3,
        max_zoom=zoom,
        max=round(cell_max * 2, 2),
        show=show,
    )
    _localise(m, heat)
    heat.add_to(m)
    return heat


def add_event_points(
    m: folium.Map,
    events: pd.DataFrame,
    *,
    max_points: int = DEFAULT_MAX_POINTS,
    lang: str = "ko",
    name: str | None = None,
    show: bool = False,
    analysis_crs: str = "EPSG:5179",
) -> _PointCluster | None:
    """Events as clustered circle markers (Leaflet.markercluster).

    Up to ``max_points`` events: one marker each, with a popup of category, time,
    place text and the (masked, escaped, shortened) description. Above that: one
    marker per distinct location (coarsened until at most ``max_points``) with the
    count, the top categories and the date range. Colour: the (majority) source.
    Hidden by default (``show=False``) so that cluster icons do not cover the
    hotspots; toggle it in the layer control.
    """
    lat, lon = _lat_lon(events, analysis_crs)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return None
    ev = events.loc[ok].reset_index(drop=True)
    lat, lon = np.round(lat[ok], ROUND_DECIMALS), np.round(lon[ok], ROUND_DECIMALS)
    sources = list(SOURCE_COLOURS)
    colours = [*SOURCE_COLOURS.values(), UNKNOWN_TYPE_COLOUR]
    src = ev["source"].astype(object).to_numpy() if "source" in ev else np.full(len(ev), None)
    src_idx = np.array([sources.index(s) if s in sources else len(sources) for s in src])
    cat = (
        ev["category_label"].astype(object).where(ev["category_label"].notna(), None).to_numpy()
        if "category_label" in ev
        else np.full(len(ev), None)
    )
    when = (
        pd.to_datetime(ev["occurred_at"], errors="coerce")
        if "occurred_at" in ev
        else pd.Series(pd.NaT, index=ev.index)
    )
    rows: list[list] = []
    if len(ev) <= max_points:
        desc = ev["description"] if "description" in ev else pd.Series(None, index=ev.index)
        place = ev["location_text"] if "location_text" in ev else pd.Series(None, index=ev.index)
        for i in range(len(ev)):
            text = mask_pii(desc.iat[i]) if isinstance(desc.iat[i], str) else None
            if text and len(text) > DESCRIPTION_CHARS:
                text = text[:DESCRIPTION_CHARS] + "…"
            where = mask_pii(place.iat[i]) if isinstance(place.iat[i], str) else None
            src_label = label(f"source.{src[i]}", lang) if src[i] in sources else _esc(src[i])
            t = when.iat[i]
            time_text = t.strftime("%Y-%m-%d %H:%M") if not pd.isna(t) else ""
            rows.append(
                [
                    float(lat[i]),
                    float(lon[i]),
                    int(src_idx[i]),
                    1,
                    _esc(cat[i]) or _esc(src_label),
                    " · ".join(x for x in (_esc(time_text), _esc(src_label)) if x),
                    _esc(where),
                    _esc(text),
                ]
            )
    else:
        codes, glat, glon, w = _aggregate_locations(
            lat, lon, np.ones(len(ev)), max_points=max_points
        )
        frame = pd.DataFrame(
            {"g": codes, "src": src_idx, "cat": pd.Series(cat, dtype=object).fillna("-"), "t": when}
        )
        majority = frame.groupby(["g", "src"]).size().reset_index(name="n")
        majority = majority.sort_values(["g", "n", "src"], ascending=[True, False, True])
        major_src = majority.drop_duplicates("g").set_index("g")["src"]
        top = frame.groupby(["g", "cat"]).size().reset_index(name="n")
        top = top.sort_values(["g", "n", "cat"], ascending=[True, False, True])
        top_text = (
            top.groupby("g")
            .head(3)
            .groupby("g")
            .apply(
                lambda d: ", ".join(f"{c} {n}" for c, n in zip(d["cat"], d["n"], strict=True)),
                include_groups=False,
            )
        )
        t_first = frame.groupby("g")["t"].min()
        t_last = frame.groupby("g")["t"].max()
        for g in range(len(w)):
            n = int(w[g])
            first, last = _day(t_first.get(g)), _day(t_last.get(g))
            period = first if first == last else f"{first} – {last}"
            rows.append(
                [
                    float(glat[g]),
                    float(glon[g]),
                    int(major_src.get(g, len(sources))),
                    n,
                    _esc(label("events_here", lang, n=n)),
                    _esc(top_text.get(g, "")),
                    _esc(period),
                    "",
                ]
            )
    cluster = _PointCluster(rows, colours, name=name or label("events", lang), show=show)
    _localise(m, cluster)
    cluster.add_to(m)
    return cluster


def add_landmarks(
    m: folium.Map,
    landmarks: pd.DataFrame,
    *,
    lang: str = "ko",
    show: bool = True,
) -> folium.FeatureGroup:
    """Gazetteer places as small circle markers with their (escaped) names."""
    group = folium.FeatureGroup(name=label("landmarks", lang), show=show)
    group.add_to(m)
    if landmarks is None or len(landmarks) == 0:
        return group
    name_col = "name_en" if lang != "ko" and "name_en" in landmarks else "name"
    for r in landmarks.to_dict("records"):
        lat, lon = r.get("lat"), r.get("lon")
        if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        marker = folium.CircleMarker(
            [round(float(lat), ROUND_DECIMALS), round(float(lon), ROUND_DECIMALS)],
            radius=4,
            color="#333333",
            weight=1,
            fill=True,
            fill_color="#ffffff",
            fill_opacity=1.0,
        )
        marker.add_child(SafeTooltip(_esc(r.get(name_col) or r.get("name"))))
        marker.add_to(group)
    return group


def add_boxes(
    m: folium.Map,
    boxes: pd.DataFrame,
    *,
    lang: str = "ko",
    on: str | pd.Timestamp | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """Suggestion-box placements (``boxes.read_box_log_from_store``).

    Placements standing on ``on`` (default: those not removed) are filled green
    circles; other placements are hollow with a dashed ring. Tooltip: name and place; popup:
    box id, place and the installed/removed dates. All texts escaped.
    """
    group = folium.FeatureGroup(name=label("boxes", lang), show=show)
    group.add_to(m)
    if boxes is None or len(boxes) == 0:
        return group
    day = None if on is None else pd.Timestamp(on).strftime("%Y-%m-%d")
    colour = SOURCE_COLOURS["suggestion"]
    for r in boxes.to_dict("records"):
        lat, lon = r.get("lat"), r.get("lon")
        try:
            lat, lon = float(lat), float(lon)
        except (TypeError, ValueError):
            continue
        if not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        installed = str(r.get("installed_on") or "")
        removed = r.get("removed_on")
        removed = str(removed) if isinstance(removed, str) and removed else None
        if day is None:
            active = removed is None
        else:
            active = installed <= day and (removed is None or day <= removed)
        marker = folium.CircleMarker(
            [round(lat, ROUND_DECIMALS), round(lon, ROUND_DECIMALS)],
            radius=7,
            color=colour,
            weight=3,
            fill=True,
            fill_color=colour if active else "#ffffff",
            fill_opacity=0.9 if active else 0.6,
            dash_array=None if active else "3 3",
        )
        title = _esc(r.get("name") or r.get("box_id"))
        place = _esc(r.get("place"))
        marker.add_child(SafeTooltip(f"<b>{title}</b>" + (f"<br>{place}" if place else "")))
        dates = f"{_esc(label('box_installed', lang))} {_esc(installed)}"
        if removed:
            dates += f" · {_esc(label('box_removed', lang))} {_esc(removed)}"
        elif active:
            dates += f" · {_esc(label('box_current', lang))}"
        marker.add_child(
            SafePopup(
                f"<b>{title}</b> <small>({_esc(r.get('box_id'))})</small>"
                + (f"<br>{place}" if place else "")
                + f"<br>{dates}"
            )
        )
        marker.add_to(group)
    return group


def add_layer_control(m: folium.Map, *, collapsed: bool = True) -> folium.LayerControl:
    """The layer switcher (top right). Add it after every layer."""
    control = folium.LayerControl(collapsed=collapsed)
    control.add_to(m)
    return control
