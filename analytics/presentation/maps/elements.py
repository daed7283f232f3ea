"""The folium elements the maps are made of, each safe to fill with user text.

folium's ``Popup`` needs jQuery and both ``Popup`` and ``Tooltip`` paste their text
into a JavaScript template literal, where ``${...}`` would run. The elements here
pass every text as a JSON string (:func:`js_literal`) instead, and the builders
HTML-escape (:func:`escaped`) whatever a resident, a clerk or an import typed
before it reaches one of them.
"""

from __future__ import annotations

import html
import json

import folium
import folium.plugins
import pandas as pd
from folium.template import Template


def js_literal(value) -> str:
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


def escaped(value) -> str:
    """HTML-escaped text of a cell; '' for None/NaN."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


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
        self.content = js_literal(html_text)
        self.opts = js_literal({"sticky": sticky, **options})


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
        self.content = js_literal(html_text)
        self.opts = js_literal({"maxWidth": max_width, **options})


class MapStyle(folium.MacroElement):
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
        /* The projector (ProjectorSize): type the back row of a 40-person room can read. */
        .hs-large .hs-legend { font-size: 17px; line-height: 1.4; padding: 8px 10px; }
        .hs-large .hs-legend i { width: 18px; height: 18px; }
        .hs-large .hs-legend small { font-size: 15px; }
        .hs-large .hs-badge { scale: 1.3; transform-origin: 50% 100%; }
        .hs-pop table { border-collapse: collapse; margin: 4px 0; }
        .hs-pop th { text-align: left; font-weight: normal; color: #555; padding-right: 8px; }
        .hs-pop td { text-align: right; }
        .marker-cluster-small, .marker-cluster-medium, .marker-cluster-large {
            background-color: rgba(80,80,80,.3); }
        .marker-cluster-small div, .marker-cluster-medium div, .marker-cluster-large div {
            background-color: rgba(50,50,50,.8); color: #fff; }
        .ev-desc { margin-top: 4px; white-space: pre-wrap; max-height: 9em; overflow: auto; }
        .hs-place-icon { background: none; border: none; }
        .hs-place-name { font: 600 12px/16px sans-serif; color: #444; text-align: center;
            white-space: nowrap; pointer-events: none;
            text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
        .leaflet-tooltip.hs-landmark-name { background: rgba(255,255,255,.8); border: none;
            box-shadow: none; padding: 0 3px; font: 11px/14px sans-serif; color: #222; }
        .leaflet-tooltip.hs-landmark-name:before { display: none; }
        .hs-zoomed-out .leaflet-tooltip.hs-landmark-name { display: none; }
        /* Landmark names (permanent tooltips) under the hotspot badges, never over them. */
        .leaflet-tooltip-pane { z-index: 590; }
        /* The credit line stays right and short; the scale bar sits clear of it. */
        .leaflet-control-attribution { max-width: 55%; white-space: normal; font-size: 10px;
            line-height: 1.3; }
        .leaflet-bottom.leaflet-left .leaflet-control-scale { margin-bottom: 6px; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function (map) {
                // Landmark names only once zoomed in: at the station's zoom they pile up.
                function names() {
                    map.getContainer().classList.toggle("hs-zoomed-out", map.getZoom() < 14);
                }
                map.on("zoomend", names);
                names();
            })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "MapStyle"


class SpreadBadges(folium.MacroElement):
    """Keep the hotspot badges apart at every zoom, the best-ranked where they belong.

    Zoomed out to a whole station, the downtown hotspots' badges lie on top of each
    other and #1 can be hidden. After each zoom (and when a layer is switched), the
    badges are placed in rank order: each stays on its hotspot if that spot is free,
    else moves to the nearest free spot around it (up first) with a thin line back to
    its hotspot. Only screen positions change; the shapes stay where they are.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                var leaders = L.layerGroup().addTo(map);
                var steps = [[0, 0]];
                [28, 56, 84, 112].forEach(function (r) {
                    [-90, -45, -135, 0, 180, 45, 135, 90].forEach(function (deg) {
                        var a = deg * Math.PI / 180;
                        steps.push([Math.round(r * Math.cos(a)), Math.round(r * Math.sin(a))]);
                    });
                });
                function rank(mk) {
                    var d = mk._icon.querySelector("[data-rank]");
                    return d ? Number(d.getAttribute("data-rank")) : 1e9;
                }
                function box(el, dx, dy) {
                    var r = el.firstElementChild.getBoundingClientRect();
                    return {l: r.left + dx, t: r.top + dy, r: r.right + dx, b: r.bottom + dy};
                }
                function hits(a, b) {
                    return a.l < b.r + 2 && b.l < a.r + 2 && a.t < b.b + 2 && b.t < a.b + 2;
                }
                function spread() {
                    leaders.clearLayers();
                    var badges = [];
                    map.eachLayer(function (l) {
                        if (l instanceof L.Marker && l._icon
                            && l._icon.classList.contains("hs-badge-icon")) { badges.push(l); }
                    });
                    badges.forEach(function (mk) { mk._icon.style.translate = ""; });
                    badges.sort(function (a, b) { return rank(a) - rank(b); });
                    var placed = [];
                    badges.forEach(function (mk) {
                        var el = mk._icon, best = steps[0];
                        for (var i = 0; i < steps.length; i++) {
                            var b = box(el, steps[i][0], steps[i][1]);
                            if (!placed.some(function (p) { return hits(p, b); })) {
                                best = steps[i];
                                break;
                            }
                        }
                        placed.push(box(el, best[0], best[1]));
                        if (best[0] || best[1]) {
                            el.style.translate = best[0] + "px " + best[1] + "px";
                            var at = map.latLngToContainerPoint(mk.getLatLng());
                            var to = at.add(L.point(best[0], best[1] - 4));
                            L.polyline([mk.getLatLng(), map.containerPointToLatLng(to)], {
                                color: "#333", weight: 1.5, opacity: 0.8, interactive: false
                            }).addTo(leaders);
                        }
                    });
                }
                map.on("zoomend resize overlayadd overlayremove", spread);
                map.whenReady(function () { setTimeout(spread, 0); });
            })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "SpreadBadges"


class ProjectorSize(folium.MacroElement):
    """The legend and the badges in the projector's large type (class ``hs-large``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.getContainer().classList.add("hs-large");
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "ProjectorSize"


class Legend(folium.MacroElement):
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
        self.position = js_literal(position)

    def set_html(self, html_text: str) -> None:
        self.html_text = html_text
        self.content = js_literal(html_text)


class LayerLegend(folium.MacroElement):
    """A legend (fixed HTML, no user text) shown while one overlay layer is on the map.

    Whenever the layer is switched on, the layers of ``to_back`` are sent to the back
    of their pane in that order (Leaflet adds a switched-on layer on top of the
    others): give the layer itself, then the layers that should stay beneath it, so
    the hotspots above it still take the clicks.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                var layer = {{ this.layer.get_name() }};
                var legend = L.control({position: {{ this.position }}});
                legend.onAdd = function () {
                    var div = L.DomUtil.create("div", "hs-legend");
                    div.innerHTML = {{ this.content }};
                    return div;
                };
                function on() {
                    {%- for other in this.to_back %}
                    {{ other.get_name() }}.bringToBack();
                    {%- endfor %}
                    legend.addTo(map);
                }
                map.on("overlayadd", function (e) { if (e.layer === layer) { on(); } });
                map.on("overlayremove", function (e) {
                    if (e.layer === layer) { legend.remove(); }
                });
                if (map.hasLayer(layer)) { on(); }
            })();
        {% endmacro %}
        """
    )

    def __init__(self, layer, html_text: str, *, to_back=(), position: str = "bottomright"):
        super().__init__()
        self._name = "LayerLegend"
        self.layer = layer
        self.to_back = list(to_back)
        self.html_text = html_text
        self.content = js_literal(html_text)
        self.position = js_literal(position)


class FitWhenSized(folium.MacroElement):
    """Zoom the map to ``bounds`` once its container has a size, and again whenever the
    size changes until the user moves the map.

    Folium's ``fit_bounds`` runs while the page is parsed. In an iframe that is not
    laid out yet (the meeting pack's ``srcdoc`` map) the container is 0 × 0 then,
    and Leaflet zooms to ``max_zoom`` on an empty spot; an iframe that the page's CSS
    resizes after the first fit would keep a view cut to the old size.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                var fitting = false, moved = false;
                function fit() {
                    var box = map.getContainer().getBoundingClientRect();
                    if (moved || box.width < 1 || box.height < 1) { return; }
                    fitting = true;
                    map.invalidateSize();
                    map.fitBounds({{ this.bounds_js }}, {{ this.options_js }});
                    fitting = false;
                }
                // Until the user pans or zooms, a new size (the page's layout settling,
                // the projector's CSS) fits the map again instead of cutting it off.
                map.on("zoomstart movestart", function () { if (!fitting) { moved = true; } });
                fit();
                if (window.ResizeObserver) {
                    new ResizeObserver(fit).observe(map.getContainer());
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
        # No zoom animation: the map is drawn at its final view at once (the animation
        # held the brief's first drawing back by a quarter of a second).
        self.options = {"maxZoom": int(max_zoom), "animate": False}
        if padding is not None:
            self.options["padding"] = [int(padding[0]), int(padding[1])]
        self.bounds_js = js_literal(self.bounds)
        self.options_js = js_literal(self.options)


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


class PointCluster(folium.plugins.MarkerCluster):
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
        self.rows = js_literal(rows)
        self.colours = js_literal(colours)
        self.cluster_options = js_literal(
            {
                "maxClusterRadius": 45,
                "spiderfyOnMaxZoom": True,
                "showCoverageOnHover": False,
                "chunkedLoading": True,
                **options,
            }
        )
