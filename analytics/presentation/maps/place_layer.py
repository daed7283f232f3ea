"""Officers' own places on the map (빈집, 무인점포, 공사장 …,
:func:`analytics.storage.places.read_places`): one switchable layer, clustered at low
zoom, off by default, a colour per category and the note in the popup (escaped).

Analysts only: the pages pass a viewer's (empty) frame through
:meth:`analytics.access.privacy.PrivacyRule.officer_places`, and an empty frame adds
nothing, not even the layer's name.
"""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd

from analytics.presentation.maps.assets import localise
from analytics.presentation.maps.elements import LayerLegend, PointCluster, escaped
from analytics.presentation.maps.payload import ROUND_DECIMALS
from analytics.presentation.maps.style import label
from analytics.storage.places import PLACE_CATEGORIES, category_label

# Okabe & Ito's reddish purple, vermilion, orange, Tol's dark grey and olive: apart from
# the facilities' blue, yellow and indigo.
PLACE_COLOURS: dict[str, str] = {
    "vacant_house": "#CC79A7",
    "unmanned_store": "#D55E00",
    "construction_site": "#E69F00",
    "dark_alley": "#444444",
    "other": "#999933",
}


def _rows(layer: pd.DataFrame, lang: str) -> list[list]:
    """PointCluster rows ``[lat, lon, category index, 1, category, note, added, '']``,
    every text escaped."""
    lat = np.round(layer["lat"].to_numpy(dtype=float), ROUND_DECIMALS)
    lon = np.round(layer["lon"].to_numpy(dtype=float), ROUND_DECIMALS)
    index = {c: i for i, c in enumerate(PLACE_CATEGORIES)}
    rows = []
    for i, (cat, note, by, at) in enumerate(
        zip(layer["category"], layer["note"], layer["added_by"], layer["added_at"], strict=True)
    ):
        added = label("place_added", lang, who=str(by), when=str(at)[:10])
        rows.append(
            [
                float(lat[i]),
                float(lon[i]),
                index[cat],
                1,
                escaped(category_label(cat, lang)),
                escaped(note),
                escaped(added),
                "",
            ]
        )
    return rows


def _legend(layer: pd.DataFrame, lang: str) -> str:
    counts = layer["category"].value_counts()
    items = "".join(
        f'<svg width="12" height="12"><circle cx="6" cy="6" r="4.5" fill="{PLACE_COLOURS[c]}" '
        f'stroke="#333" stroke-width="1"/></svg>{escaped(category_label(c, lang))} '
        f"{int(counts[c])} "
        for c in PLACE_CATEGORIES
        if c in counts
    )
    return (
        f"<b>{escaped(label('places', lang))}</b>"
        f"<small>{items}· {escaped(label('places_legend', lang))}</small>"
    )


def add_officer_places(
    m: folium.Map, places: pd.DataFrame | None, *, lang: str = "ko", show: bool = False
) -> PointCluster | None:
    """The officers' places layer (``category``, ``note``, ``lat``, ``lon``,
    ``added_by``, ``added_at``); None or empty adds nothing and returns None."""
    if places is None or len(places) == 0:
        return None
    layer = places[
        np.isfinite(places["lat"].astype(float)) & np.isfinite(places["lon"].astype(float))
    ]
    if layer.empty:
        return None
    cluster = PointCluster(
        _rows(layer, lang),
        [PLACE_COLOURS[c] for c in PLACE_CATEGORIES],
        name=label("places", lang),
        show=show,
        disableClusteringAtZoom=17,
    )
    localise(m, cluster)
    cluster.add_to(m)
    m.add_child(LayerLegend(cluster, _legend(layer, lang)))
    return cluster
