"""The hotspot layer: polygons coloured by type and outlined by status, with badges,
tooltips, popups and one legend per map."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import pandas as pd
import shapely

from analytics.compute.profiles import format_windows, place_in
from analytics.presentation.maps.elements import (
    Legend,
    SafePopup,
    SafeTooltip,
    SpreadBadges,
    escaped,
    fit_to,
)
from analytics.presentation.maps.payload import (
    HOTSPOT_SIMPLIFY_M,
    ROUND_DECIMALS,
    day_text,
    feature,
    to_wgs84,
)
from analytics.presentation.maps.style import (
    SELECTED_COLOUR,
    STATUS_STYLES,
    STATUSES,
    TYPE_COLOURS,
    UNKNOWN_TYPE_COLOUR,
    is_label,
    label,
)
from analytics.text.vocabulary import source_name, status_name, type_name


def _style_of(t: str, status: str | None, *, selected: bool, dimmed: bool) -> dict:
    """Leaflet path style: fill by type, line by status; the selected one black, others dimmed."""
    colour = TYPE_COLOURS.get(t, UNKNOWN_TYPE_COLOUR)
    status_style = STATUS_STYLES.get(status or "persistent", STATUS_STYLES["persistent"])
    style = {
        "color": colour,
        "weight": status_style["weight"],
        "opacity": 0.95,
        "fillColor": colour,
        "fillOpacity": 0.05 if status == "gone" else (0.25 if dimmed else 0.4),
    }
    if status_style["dashArray"]:
        style["dashArray"] = status_style["dashArray"]
    if selected:
        style.update(
            color=SELECTED_COLOUR, weight=status_style["weight"] + 3, opacity=1.0, fillOpacity=0.6
        )
    return style


def _count(row, col) -> int:
    """An integer cell; 0 for a missing or unreadable one."""
    v = row.get(col)
    try:
        return 0 if v is None or pd.isna(v) else int(v)
    except (TypeError, ValueError):
        return 0


def _windows_text(row, lang: str) -> str:
    """The patrol windows ('22–24시, 02–04시'), else the row's ready-made ``patrol_text``."""
    wins = row.get("patrol_windows")
    if isinstance(wins, (list, tuple)) and len(wins):
        # Windows read back from a file may be lists of floats, with or without a share.
        return format_windows([(int(s), int(e or 0), 0.0) for s, e, *_ in wins], lang)
    return str(row.get("patrol_text") or "")


def _categories_text(value) -> str:
    """Top categories, [('폭력', 3), ('절도', 2)] → '폭력 3, 절도 2'; a string as it is."""
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


def _status(row) -> str | None:
    """The row's week-on-week status, or None where the frame has none."""
    status = row.get("status")
    return status if isinstance(status, str) and status else None


def _rank(row) -> int:
    """The rank to show; 0 (none) for gone hotspots, whose rank was last week's."""
    return 0 if _status(row) == "gone" else _count(row, "rank")


def _hotspot_popup(row, lang: str) -> str:
    """The popup: place, type and status, counts by source, patrol windows, categories, period."""
    rank = _rank(row)
    t = str(row.get("type") or "")
    status = _status(row)
    place = escaped(place_in(row, lang))
    head = f"#{rank} {place}" if rank else place
    kind = escaped(type_name(t, lang) or t)
    if status:
        kind += f" · {escaped(status_name(status, lang) or status)}"
    area = " · ".join(escaped(row.get(c)) for c in ("police_unit", "emd") if escaped(row.get(c)))
    rows = [f"<tr><th>{escaped(label('total', lang))}</th><td>{_count(row, 'n_events')}</td></tr>"]
    for source in ("incident", "complaint", "suggestion"):
        rows.append(
            f"<tr><th>{escaped(source_name(source, lang))}</th>"
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
        parts.append(f"<div>{escaped(label('patrol', lang))}: {escaped(windows)}</div>")
    cats = _categories_text(row.get("top_categories"))
    if cats:
        parts.append(f"<div>{escaped(label('categories', lang))}: {escaped(cats)}</div>")
    first, last = day_text(row.get("first_event")), day_text(row.get("last_event"))
    if first or last:
        period = first if first == last else f"{first} – {last}"
        parts.append(f"<div>{escaped(label('period', lang))}: {escaped(period)}</div>")
    parts.append("</div>")
    return "".join(parts)


def _hotspot_tooltip(row, lang: str) -> str:
    """The tooltip: rank, place, type and status."""
    rank = _rank(row)
    t = str(row.get("type") or "")
    status = _status(row)
    kind = escaped(type_name(t, lang) or t)
    if status:
        kind += f" · {escaped(status_name(status, lang) or status)}"
    place = escaped(place_in(row, lang))
    head = f"{rank}. {place}" if rank else place
    return f"<b>{head}</b><br>{kind}"


def _legend_entries(lang: str, statuses: Sequence[str]) -> tuple[list[str], list[str]]:
    """The legend's entries as HTML: a swatch and name per type; a line per status."""
    types = [
        f'<i style="background:{colour};border-color:{colour}"></i>{escaped(type_name(t, lang))}'
        for t, colour in TYPE_COLOURS.items()
    ]
    lines = []
    for s in STATUSES:
        if s not in statuses:
            continue
        status_style = STATUS_STYLES[s]
        dash = (
            f' stroke-dasharray="{status_style["dashArray"]}"' if status_style["dashArray"] else ""
        )
        symbol = status_style["symbol"]
        lines.append(
            '<svg width="30" height="10"><line x1="0" y1="5" x2="30" y2="5" '
            f'stroke="#333" stroke-width="{status_style["weight"]}"{dash}/></svg>'
            f"{escaped(status_name(s, lang))}"
            + (f" <small>({escaped(symbol)})</small>" if symbol else "")
        )
    return types, lines


def _legend_html(lang: str, *, statuses: Sequence[str]) -> str:
    """The legend: every type, then the line of each status in ``statuses``."""
    types, lines = _legend_entries(lang, statuses)
    parts = [f"<b>{escaped(label('legend', lang))}</b>", *(f"<div>{t}</div>" for t in types)]
    if lines:
        parts.append(f"<b>{escaped(label('legend_status', lang))}</b>")
        parts += [f"<div>{line}</div>" for line in lines]
    return "".join(parts)


def legend_line(lang: str, *, statuses: Sequence[str]) -> str:
    """The legend as one line of HTML for beside a map (the projector: nothing covers the
    map). Fixed text only; its styles are inline."""
    types, lines = _legend_entries(lang, statuses)
    swatch = "display:inline-block;width:1em;height:1em;margin:0 .3em 0 1em;vertical-align:-.12em"
    entries = [t.replace('<i style="', f'<i style="{swatch};') for t in types]
    entries += [line.replace("<svg ", '<svg style="margin:0 .3em 0 1em" ') for line in lines]
    # An entry never breaks between its swatch and its name.
    spans = "".join(f'<span style="white-space:nowrap">{e}</span> ' for e in entries)
    return f'<div class="hs-legend-line">{spans.strip()}</div>'


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
        Layer name; one of the maps' own words (e.g. ``"gone"``, see :func:`label`)
        is translated.
    legend : bool, default True
        Add the type (and status) legend once per map.
    fit : {None, 'selected', 'all'}
        Zoom the map to the selected hotspot, or to all of these hotspots (useful
        when a unit's hotspots lie outside the default view).

    Each polygon is its own GeoJSON layer whose feature has ``id`` and
    ``properties.hotspot_id`` (plus ``rank``, ``type``, ``status``): the page that
    shows the map reads the clicked one from it (``ui.maps.show_clickable_map``).
    Badges show the rank and a status symbol.

    Returns
    -------
    folium.FeatureGroup holding the polygons and badges.
    """
    if fit not in (None, "selected", "all"):
        raise ValueError(f"fit must be None, 'selected' or 'all', got {fit!r}")
    layer_name = label(name, lang) if is_label(name) else (name or label("hotspots", lang))
    group = folium.FeatureGroup(name=layer_name)
    group.add_to(m)
    if hotspots is None or len(hotspots) == 0:
        return group
    frame = hotspots
    if "rank" in frame.columns:
        frame = frame.sort_values("rank", ascending=False, kind="stable")  # rank 1 drawn last
    crs = frame.crs or analysis_crs
    geoms = gpd.GeoSeries(frame.geometry.to_numpy(), crs=crs)
    wgs = to_wgs84(geoms, simplify_m=HOTSPOT_SIMPLIFY_M)
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
            feature(geom, props, fid=hid),
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
                    # The selected hotspot's badge is placed first, then by rank.
                    f'data-rank="{0 if is_sel else (rank or 999999)}" '
                    f'style="border-color:{style["color"]};width:{width}px">{escaped(text)}</div>',
                    icon_size=(width + 4, 22),
                    icon_anchor=(width // 2 + 2, 24),
                    class_name="hs-badge-icon",
                ),
                interactive=False,
                keyboard=False,
            ).add_to(group)
        if is_sel:
            selected_geom = geom
    if not getattr(m, "_badges_spread", False):  # one per map: it places every layer's badges
        m.add_child(SpreadBadges())
        m._badges_spread = True
    if legend:
        # One legend per map, listing the statuses of every hotspot layer added so far.
        seen = set(getattr(m, "_hotspot_statuses", set()))
        if has_status:
            seen |= {s for s in frame["status"].dropna() if s in STATUS_STYLES}
        m._hotspot_statuses = seen
        existing = getattr(m, "_hotspot_legend", None)
        if existing is None:
            m._hotspot_legend = Legend(_legend_html(lang, statuses=seen))
            m.add_child(m._hotspot_legend)
        else:
            existing.set_html(_legend_html(lang, statuses=seen))
    target = selected_geom if fit == "selected" else None
    if fit == "all":
        target = shapely.union_all([g for g in wgs if g is not None and not g.is_empty])
    if target is not None and not target.is_empty:
        fit_to(m, target.bounds, padding=(24, 24), max_zoom=16)  # room for the badges
    return group
