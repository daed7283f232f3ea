"""The suggestion-box map: fear hotspots, box placements, this period's cards and the
next-site candidate cells, built with analytics.presentation.maps and shown by ui.maps."""

from __future__ import annotations

import html

import folium
import numpy as np
import pandas as pd

from analytics.presentation import maps
from ui import data
from ui.i18n import text
from ui.maps import show_static_map
from ui.tables_suggestions import reason_text

SITE_COLOUR = "#E69F00"  # Okabe–Ito orange: apart from the boxes' green and fear's pink


def add_sites(m: folium.Map, sites: pd.DataFrame, *, cell_m: float, lang: str) -> None:
    """Each candidate cell as its square (exact in metres) with its rank on it."""
    group = folium.FeatureGroup(name=text("suggestions.map_sites", lang))
    group.add_to(m)
    if sites is None or sites.empty:
        return
    geo = data.geography()
    half = cell_m / 2.0
    for r in sites.to_dict("records"):
        xs = np.array([r["x"] - half, r["x"] + half, r["x"] + half, r["x"] - half])
        ys = np.array([r["y"] - half, r["y"] - half, r["y"] + half, r["y"] + half])
        lon, lat = geo.to_geographic(xs, ys)
        square = folium.Polygon(
            [[round(a, 6), round(b, 6)] for a, b in zip(lat, lon, strict=True)],
            color=SITE_COLOUR,
            weight=3,
            fill=True,
            fill_color=SITE_COLOUR,
            fill_opacity=0.15,
        )
        tip = f"<b>{int(r['rank'])}</b> · {html.escape(reason_text(r, lang))}"
        square.add_child(maps.SafeTooltip(tip))
        square.add_to(group)
        folium.Marker(
            [round(float(r["lat"]), 6), round(float(r["lon"]), 6)],
            icon=folium.DivIcon(
                html=f'<div class="hs-badge" style="border-color:{SITE_COLOUR};width:20px">'
                f"{int(r['rank'])}</div>",
                icon_size=(24, 22),
                icon_anchor=(12, 11),
                class_name="hs-badge-icon",
            ),
            interactive=False,
            keyboard=False,
        ).add_to(group)


def suggestion_map(
    *,
    fear: pd.DataFrame,
    placements: pd.DataFrame,
    cards: pd.DataFrame,
    sites: pd.DataFrame,
    on: pd.Timestamp,
    cell_m: float,
    lang: str,
    data_key: tuple,
    height: int = 520,
) -> None:
    """Fear hotspots, next-site cells, boxes and this period's cards; ``data_key``: the
    plain values the frames were loaded with (the map is cached on them)."""
    show_static_map(
        lambda: build_suggestion_map(
            fear=fear,
            placements=placements,
            cards=cards,
            sites=sites,
            on=on,
            cell_m=cell_m,
            lang=lang,
        ),
        cache_key=("suggestions", *data_key, on, cell_m, lang),
        height=height,
    )


def build_suggestion_map(
    *,
    fear: pd.DataFrame,
    placements: pd.DataFrame,
    cards: pd.DataFrame,
    sites: pd.DataFrame,
    on: pd.Timestamp,
    cell_m: float,
    lang: str,
):
    geo = data.geography()
    m = maps.base_map(geo, lang=lang)
    if len(fear):
        maps.add_hotspots(m, fear, lang=lang, name=text("suggestions.map_fear", lang))
    add_sites(m, sites, cell_m=cell_m, lang=lang)
    maps.add_boxes(m, placements, lang=lang, on=on)
    if len(cards):
        maps.add_event_points(
            m, cards, lang=lang, name=text("suggestions.map_cards", lang), show=True
        )
    maps.add_landmarks(m, geo.landmarks, lang=lang, show=False)
    maps.add_layer_control(m)
    maps.use_local_assets(m)
    return m
