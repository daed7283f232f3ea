"""Event and place layers: heat, clustered event points, landmarks, suggestion boxes,
and the layer switcher."""

from __future__ import annotations

import math
from collections.abc import Sequence

import folium
import folium.plugins
import numpy as np
import pandas as pd

from analytics.access.masking import mask_pii
from analytics.presentation.maps.assets import localise
from analytics.presentation.maps.elements import PointCluster, SafePopup, SafeTooltip, escaped
from analytics.presentation.maps.payload import (
    DEFAULT_MAX_HEAT_POINTS,
    DEFAULT_MAX_POINTS,
    DESCRIPTION_CHARS,
    ROUND_DECIMALS,
    aggregate_locations,
    day_text,
    lat_lon,
)
from analytics.presentation.maps.style import (
    SOURCE_COLOURS,
    UNKNOWN_TYPE_COLOUR,
    label,
)
from analytics.text.vocabulary import source_name


def _select_source(events: pd.DataFrame, source) -> pd.DataFrame:
    """The events of ``source`` (one name or several); all events for None."""
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
    lat, lon = lat_lon(ev, analysis_crs)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return None
    _, glat, glon, w = aggregate_locations(
        lat[ok], lon[ok], np.ones(int(ok.sum())), max_points=max_points, decimals=5
    )
    if name is None:
        src = source if isinstance(source, str) else None
        name = (
            label("heat_of", lang, source=source_name(src, lang) or src)
            if src
            else label("heat", lang)
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
    localise(m, heat)
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
) -> PointCluster | None:
    """Events as clustered circle markers (Leaflet.markercluster).

    Up to ``max_points`` events: one marker each, with a popup of category, time,
    place text and the (masked, escaped, shortened) description. Above that: one
    marker per distinct location (coarsened until at most ``max_points``) with the
    count, the top categories and the date range. Colour: the (majority) source.
    Hidden by default (``show=False``) so that cluster icons do not cover the
    hotspots; toggle it in the layer control.
    """
    lat, lon = lat_lon(events, analysis_crs)
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
            src_label = source_name(src[i], lang) if src[i] in sources else escaped(src[i])
            t = when.iat[i]
            time_text = t.strftime("%Y-%m-%d %H:%M") if not pd.isna(t) else ""
            rows.append(
                [
                    float(lat[i]),
                    float(lon[i]),
                    int(src_idx[i]),
                    1,
                    escaped(cat[i]) or escaped(src_label),
                    " · ".join(x for x in (escaped(time_text), escaped(src_label)) if x),
                    escaped(where),
                    escaped(text),
                ]
            )
    else:
        codes, glat, glon, w = aggregate_locations(
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
            first, last = day_text(t_first.get(g)), day_text(t_last.get(g))
            period = first if first == last else f"{first} – {last}"
            rows.append(
                [
                    float(glat[g]),
                    float(glon[g]),
                    int(major_src.get(g, len(sources))),
                    n,
                    escaped(label("events_here", lang, n=n)),
                    escaped(top_text.get(g, "")),
                    escaped(period),
                    "",
                ]
            )
    cluster = PointCluster(rows, colours, name=name or label("events", lang), show=show)
    localise(m, cluster)
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
        # Named on the map, not only on hover; shown once zoomed in (MapStyle hides the
        # names at the station's zoom, where they would pile up).
        marker.add_child(
            SafeTooltip(
                escaped(r.get(name_col) or r.get("name")),
                sticky=False,
                permanent=True,
                direction="right",
                className="hs-landmark-name",
            )
        )
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
        title = escaped(r.get("name") or r.get("box_id"))
        place = escaped(r.get("place"))
        marker.add_child(SafeTooltip(f"<b>{title}</b>" + (f"<br>{place}" if place else "")))
        dates = f"{escaped(label('box_installed', lang))} {escaped(installed)}"
        if removed:
            dates += f" · {escaped(label('box_removed', lang))} {escaped(removed)}"
        elif active:
            dates += f" · {escaped(label('box_current', lang))}"
        marker.add_child(
            SafePopup(
                f"<b>{title}</b> <small>({escaped(r.get('box_id'))})</small>"
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
