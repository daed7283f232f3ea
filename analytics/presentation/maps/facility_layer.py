"""The station's safety facilities on the map: CCTV cameras, street lights, emergency
bells, children's protection zones and women's safe houses
(:func:`analytics.storage.facilities.read_facilities`), one switchable layer per kind
that is loaded, clustered at low zoom, off by default, with its legend while on."""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd

from analytics.presentation.maps.assets import localise
from analytics.presentation.maps.elements import LayerLegend, PointCluster, escaped
from analytics.presentation.maps.payload import ROUND_DECIMALS
from analytics.presentation.maps.style import label
from analytics.storage.facilities import FACILITY_KINDS

# Okabe & Ito's sky blue and yellow, and Tol's indigo, wine and green: apart from the
# hotspot types, the event sources and the officers' places.
FACILITY_COLOURS: dict[str, str] = {
    "cctv": "#56B4E9",
    "streetlight": "#F0E442",
    "bell": "#332288",
    "childzone": "#882255",
    "safehouse": "#117733",
}


def _text(values: pd.Series) -> np.ndarray:
    return values.astype(object).where(values.notna(), None).to_numpy()


def _rows(layer: pd.DataFrame, kind: str, lang: str) -> list[list]:
    """PointCluster rows: ``[lat, lon, 0, count, title, place, details, '']``, every
    text escaped (the texts were masked on import)."""
    lat = np.round(layer["lat"].to_numpy(dtype=float), ROUND_DECIMALS)
    lon = np.round(layer["lon"].to_numpy(dtype=float), ROUND_DECIMALS)
    count = layer["count"].fillna(1).astype(int).to_numpy() if "count" in layer else None
    name, road, lot = (_text(layer[c]) for c in ("name", "road_address", "lot_address"))
    purpose, installed = _text(layer["purpose"]), _text(layer["installed"])
    title = label(f"facility_{kind}", lang)
    rows = []
    for i in range(len(layer)):
        n = int(count[i]) if count is not None else 1
        head = title + (f" · {label('facility_count', lang, n=n)}" if n > 1 else "")
        place = " · ".join(escaped(v) for v in (name[i], road[i] or lot[i]) if v)
        details = [escaped(purpose[i])] if purpose[i] else []
        if installed[i]:
            details.append(escaped(label("facility_installed", lang, when=installed[i])))
        # Lights count one each: a cluster says how many poles, not how many lamps.
        rows.append(
            [
                float(lat[i]),
                float(lon[i]),
                0,
                n if kind == "cctv" else 1,
                escaped(head),
                place,
                " · ".join(details),
                "",
            ]
        )
    return rows


def _legend(layer: pd.DataFrame, kind: str, lang: str) -> str:
    colour = FACILITY_COLOURS[kind]
    dates = layer["reference_date"].dropna()
    note = label(f"facility_{kind}_legend", lang, n=len(layer))
    if len(dates):
        note += " · " + label("facility_reference", lang, date=str(dates.max()))
    return (
        f'<b><svg width="14" height="14"><circle cx="7" cy="7" r="5" fill="{colour}" '
        f'stroke="#333" stroke-width="1"/></svg>{escaped(label(f"facility_{kind}", lang))}</b>'
        f"<small>{escaped(note)}</small>"
    )


def add_facilities(
    m: folium.Map, facilities: pd.DataFrame | None, *, lang: str = "ko", show: bool = False
) -> dict[str, PointCluster]:
    """One clustered layer per facility kind that has facilities, in
    :data:`~analytics.storage.facilities.FACILITY_KINDS` order.

    Parameters
    ----------
    m : folium.Map
    facilities : DataFrame
        :func:`analytics.storage.facilities.read_facilities` (``kind``, ``lat``,
        ``lon``, ``count``, ``name``, addresses, ``purpose``, ``installed``,
        ``reference_date``). None or empty adds nothing.
    lang : {'ko', 'en'}
    show : bool, default False
        Off by default: the user switches each layer on in the layer control; its
        legend (the catalogue's ``maps.facility_*``) shows while it is on.

    Returns
    -------
    dict
        ``{kind: layer}`` of the layers added.
    """
    out: dict[str, PointCluster] = {}
    if facilities is None or len(facilities) == 0:
        return out
    for kind in FACILITY_KINDS:
        layer = facilities[facilities["kind"] == kind]
        layer = layer[
            np.isfinite(layer["lat"].astype(float)) & np.isfinite(layer["lon"].astype(float))
        ]
        if layer.empty:
            continue
        cluster = PointCluster(
            _rows(layer, kind, lang),
            [FACILITY_COLOURS[kind]],
            name=label(f"facility_{kind}", lang),
            show=show,
            disableClusteringAtZoom=17,
        )
        localise(m, cluster)
        cluster.add_to(m)
        m.add_child(LayerLegend(cluster, _legend(layer, kind, lang)))
        out[kind] = cluster
    return out
