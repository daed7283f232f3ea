"""The Gi* layer: the grid cells that are hot spots at 90 % confidence or more.

:func:`add_gi_star` draws the cells of :func:`analytics.compute.spacetime.hot_cells`
as squares coloured by confidence (:data:`~analytics.presentation.maps.style.GI_BIN_COLOURS`),
switchable in the layer control and off by default, with a legend that shows while
the layer is on. Cold cells are never drawn.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
from folium.utilities import JsCode

from analytics.compute.gistar import bin_label
from analytics.presentation.maps.elements import LayerLegend, escaped, js_literal
from analytics.presentation.maps.payload import BOUNDARY_DECIMALS, feature, to_wgs84
from analytics.presentation.maps.style import GI_BIN_COLOURS, label

CELL_STYLE = {"weight": 0.5, "opacity": 0.9, "fillOpacity": 0.45}


def _style(gi_bin: int) -> dict:
    colour = GI_BIN_COLOURS[int(gi_bin)]
    return {"color": colour, "fillColor": colour, **CELL_STYLE}


def _legend_html(lang: str, cell_m: float | None) -> str:
    head = label("gistar_legend", lang, cell=f"{cell_m:g}" if cell_m else "")
    parts = [f"<b>{escaped(head)}</b>"]
    for gi_bin in sorted(GI_BIN_COLOURS, reverse=True):
        colour = GI_BIN_COLOURS[gi_bin]
        parts.append(
            f'<div><i style="background:{colour};border-color:{colour}"></i>'
            f"{escaped(bin_label(gi_bin, lang))}</div>"
        )
    parts.append(f"<small>{escaped(label('gistar_note', lang))}</small>")
    return "".join(parts)


def add_gi_star(
    m: folium.Map,
    cells: gpd.GeoDataFrame,
    *,
    lang: str = "ko",
    show: bool = False,
    cell_m: float | None = None,
    analysis_crs: str = "EPSG:5179",
) -> folium.GeoJson:
    """The hot Gi* cells as one switchable layer, with its legend.

    Parameters
    ----------
    m : folium.Map
    cells : GeoDataFrame
        :func:`analytics.compute.spacetime.hot_cells`: ``cell_id``, ``n_events``,
        ``gi_bin`` and the cells' squares in metres (its CRS, else ``analysis_crs``).
        Rows with a bin below 1 are not drawn.
    lang : {'ko', 'en'}
    show : bool, default False
        Start with the layer on; otherwise the user switches it on in the layer control.
    cell_m : float, optional
        The cell side in metres, named in the legend.

    Returns
    -------
    folium.GeoJson, the layer (its features carry ``cell_id``, ``gi_bin`` and ``n``).

    Each cell's tooltip names its confidence and how many events the cell itself
    holds; the legend shows while the layer is on, and switching the layer on puts it
    beneath the hotspots (which keep their clicks) and above the township fill.
    """
    hot = cells[cells["gi_bin"].to_numpy() > 0] if len(cells) else cells
    features = []
    if len(hot):
        geoms = gpd.GeoSeries(hot.geometry.to_numpy(), crs=hot.crs or analysis_crs)
        wgs = to_wgs84(geoms, simplify_m=0, decimals=BOUNDARY_DECIMALS)
        for geom, cell_id, gi_bin, n in zip(
            wgs,
            hot["cell_id"].astype(str),
            hot["gi_bin"].to_numpy(np.int64),
            hot["n_events"].to_numpy(np.int64),
            strict=True,
        ):
            props = {"cell_id": cell_id, "gi_bin": int(gi_bin), "n": int(n)}
            features.append(feature(geom, props, fid=f"gi-{cell_id}"))
    # One tooltip text per bin, filled in the browser: the features carry numbers only.
    tooltips = {
        str(b): label("gistar_cell", lang, bin=escaped(bin_label(b, lang)), n="{n}")
        for b in GI_BIN_COLOURS
    }
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=label("gistar", lang),
        style_function=lambda f: _style(f["properties"]["gi_bin"]),
        highlight_function=lambda f: {**_style(f["properties"]["gi_bin"]), "weight": 2},
        on_each_feature=JsCode(
            "function (feature, layer) {"
            f" var texts = {js_literal(tooltips)};"
            " var p = feature.properties;"
            ' layer.bindTooltip(texts[p.gi_bin].replace("{n}", p.n), {sticky: true});'
            " }"
        ),
        show=show,
        smooth_factor=1.0,
    )
    layer.add_to(m)
    townships = getattr(m, "_townships_layer", None)
    m.add_child(
        LayerLegend(
            layer,
            _legend_html(lang, cell_m),
            to_back=[layer, *([townships] if townships is not None else [])],
        )
    )
    return layer
