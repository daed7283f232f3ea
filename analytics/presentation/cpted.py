"""The CPTED request sheet (범죄예방 환경개선 요청서): what the station sends the city
about one fear-type hotspot, printable on A4 (HTML) and as a workbook (XLSX).

Fear-type hotspots are places residents name on suggestion cards where few incidents
happen (:data:`analytics.compute.profiles.TYPE_FEAR`); what helps there is the
environment (light, cameras), which is the city's to change. The sheet says where the
place is in words and on a small map (an inline SVG of the hotspot's polygon, the
township boundaries and nearby landmarks: no tiles, no request off the machine), what
the residents wrote (masked card text, escaped; no names, no card points), the hours
they named, which facilities are lacking, the police unit, and leaves room for the
city's answer.

Facility distances are a parameter, ``missing``: kind (``cctv``, ``streetlight``,
``bell``) → metres from the polygon to the nearest registered one, or None when no
layer of that kind is loaded (the sheet then says so, and claims nothing).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import shapely

from analytics.access.masking import mask_pii
from analytics.compute import community
from analytics.compute.profiles import window_label
from analytics.compute.suggestions import CPTED_MEASURES, cpted_measures
from analytics.presentation.exports import to_xlsx
from analytics.station.categories import SUGGESTION
from analytics.station.clock import day_label
from analytics.station.geo import StationGeography
from analytics.text import LANGS, text

# Beyond this a landmark is too far to name the place by; the township names it.
FAR_M = 1500.0
MAP_W, MAP_H = 1000, 640  # SVG user units (integers only: see _svg_points)
MAP_MARGIN_M = 250.0
SHEET_FONTS = '"NanumGothic", "Nanum Gothic", "Noto Sans KR", "Malgun Gothic", sans-serif'

SHEET_CSS = f"""
@page {{ size: A4 portrait; margin: 12mm; }}
* {{ box-sizing: border-box; }}
body {{ font-family: {SHEET_FONTS}; font-size: 10.5pt; color: #111; margin: 0 auto;
  padding: 6mm; line-height: 1.45; max-width: 210mm; }}
h1 {{ font-size: 17pt; margin: 0 0 2mm 0; }}
h2 {{ font-size: 12.5pt; margin: 5mm 0 2mm 0; border-bottom: 1px solid #444; }}
h3 {{ font-size: 11pt; margin: 3mm 0 1mm 0; }}
p {{ margin: 1mm 0; }}
.meta {{ color: #333; }}
.banner {{ border: 2px solid #b00020; color: #b00020; font-weight: bold; padding: 2mm 3mm;
  margin-bottom: 3mm; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #444; padding: 1.2mm 2mm; vertical-align: top; text-align: left; }}
th {{ background: #e8e8e8; }}
td.num {{ text-align: right; white-space: nowrap; }}
td.nowrap {{ white-space: nowrap; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
figure {{ margin: 2mm 0; break-inside: avoid; page-break-inside: avoid; }}
figure svg {{ width: 100%; height: auto; border: 1px solid #999; }}
figcaption, .note {{ font-size: 9pt; color: #333; }}
.answer th {{ width: 38mm; }}
.answer td {{ height: 12mm; }}
.answer td.big {{ height: 45mm; }}
.big-number {{ font-size: 15pt; font-weight: bold; }}
@media print {{
  body {{ padding: 0; }}
  th {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
  figure svg {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
}}
"""


def esc(value) -> str:
    """Text for HTML: escaped (quotes too); None/NaN/NA give ''."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def sheet_page(title: str, body: list[str], *, lang: str, synthetic: bool) -> str:
    """A standalone printable HTML page: inline CSS, no script, no external resource."""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{SHEET_CSS}</style></head><body>",
    ]
    if synthetic:
        parts.append(f'<div class="banner">{esc(text("community.synthetic", lang))}</div>')
    parts += [*body, "</body></html>"]
    return "\n".join(parts)


def check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")


def english_names(geo: StationGeography) -> dict[str, str]:
    """Korean township, unit and landmark names → English."""
    out = dict(zip(geo.townships["emd"], geo.townships["emd_en"], strict=True))
    out |= dict(zip(geo.police_units["unit"], geo.police_units["unit_en"], strict=True))
    if "name_en" in geo.landmarks:
        out |= {
            k: v
            for k, v in zip(geo.landmarks["name"], geo.landmarks["name_en"], strict=True)
            if isinstance(v, str) and v
        }
    return out


def local_name(value, lang: str, names: dict[str, str]) -> str:
    if not isinstance(value, str) or not value:
        return "—"
    return names.get(value, value) if lang != "ko" else value


def place_words(hotspot, geo: StationGeography, lang: str = "ko") -> str:
    """Where a hotspot is, in the words the dashboard uses (:func:`analytics.compute.
    profiles.place_label`): "용남시장 북동쪽 230 m", "… 부근" within 50 m, or the township
    ("도통동 일대") when no landmark is within 1.5 km.

    ``hotspot``: a row (or dict) of the hotspot table (``landmark``, ``landmark_m``,
    ``centroid_x``, ``centroid_y``, ``emd``).
    """
    from analytics.compute.profiles import place_label

    names = english_names(geo) if lang != "ko" else {}
    landmark, dist = hotspot.get("landmark"), hotspot.get("landmark_m")
    dist = float(dist) if dist is not None and pd.notna(dist) else math.inf
    emd = local_name(hotspot.get("emd"), lang, names)
    if not isinstance(landmark, str):
        return place_label(None, math.inf, emd, lang=lang, near_m=FAR_M)
    lm = geo.landmarks[geo.landmarks["name"] == landmark]
    bearing = None
    if not lm.empty:
        dx = float(hotspot["centroid_x"]) - float(lm["x"].iloc[0])
        dy = float(hotspot["centroid_y"]) - float(lm["y"].iloc[0])
        bearing = math.degrees(math.atan2(dx, dy))
    shown = local_name(landmark, lang, names)
    return place_label(shown, dist, emd, lang=lang, near_m=FAR_M, bearing_deg=bearing)


# --------------------------------------------------------------------------- the map


def _svg_points(coords: np.ndarray, frame: tuple[float, float, float, float]) -> str:
    """Metres → whole SVG units of the map's frame (y down). Whole numbers only: the
    sheet holds no number that reads as a coordinate of a place."""
    minx, miny, scale, height = frame
    px = np.rint((coords[:, 0] - minx) * scale).astype(int)
    py = np.rint(height - (coords[:, 1] - miny) * scale).astype(int)
    return " ".join(f"{a},{b}" for a, b in zip(px, py, strict=True))


def _svg_path(geom, frame) -> str:
    """An SVG path ``d`` for a (multi)polygon or line, in whole map units."""
    parts = []
    for poly in getattr(geom, "geoms", [geom]):
        rings = [poly.exterior, *poly.interiors] if isinstance(poly, shapely.Polygon) else [poly]
        for ring in rings:
            coords = np.asarray(ring.coords)
            if len(coords) >= 2:
                parts.append("M" + _svg_points(coords, frame).replace(" ", " L") + " Z")
    return " ".join(parts)


def _nice_bar(span_m: float) -> int:
    """A round scale-bar length about a fifth of the map's width."""
    target = span_m / 5.0
    for step in (10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if step >= target:
            return step
    return 10000


def _label_point(shown, area, view, clear_m: float):
    """Where a township's name goes: inside its part of the map, at least ``clear_m``
    from the hotspot (its middle, else the middle of one of the map's quarters); None
    when no such place is found."""
    if shown.is_empty:
        return None
    minx, miny, maxx, maxy = shapely.bounds(view)
    mx, my = (minx + maxx) / 2, (miny + maxy) / 2
    quarters = [
        shapely.box(minx, my, mx, maxy),
        shapely.box(mx, my, maxx, maxy),
        shapely.box(minx, miny, mx, my),
        shapely.box(mx, miny, maxx, my),
    ]
    for part in (shown, *(shapely.intersection(shown, q) for q in quarters)):
        if part.is_empty or part.area <= 0:
            continue
        point = part.representative_point()
        if point.distance(area) > clear_m:
            return point
    return None


def hotspot_map_svg(
    area, geo: StationGeography, lang: str = "ko", *, margin_m: float = MAP_MARGIN_M
) -> tuple[str, int]:
    """A small map of the hotspot: its polygon, the township boundaries and the
    landmarks around it, a north arrow and a scale bar.

    Returns
    -------
    (svg, bar_m) : the ``<svg>`` element (whole-number units, every label escaped) and
    the scale bar's length in metres.
    """
    names = english_names(geo) if lang != "ko" else {}
    minx, miny, maxx, maxy = shapely.bounds(area)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    span_x = max(maxx - minx + 2 * margin_m, 600.0)
    span_y = max(maxy - miny + 2 * margin_m, 600.0 * MAP_H / MAP_W)
    scale = min(MAP_W / span_x, MAP_H / span_y)
    span_x, span_y = MAP_W / scale, MAP_H / scale
    left, bottom = cx - span_x / 2, cy - span_y / 2
    frame = (left, bottom, scale, MAP_H)
    view = shapely.box(left, bottom, left + span_x, bottom + span_y)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_W} {MAP_H}" '
        f'role="img" aria-label="{esc(text("community.cpted.map_title", lang))}">',
        f'<rect x="0" y="0" width="{MAP_W}" height="{MAP_H}" fill="#fbfbf8"/>',
    ]
    for emd, geom in zip(geo.townships["emd"], geo.townships.geometry, strict=True):
        if not geom.intersects(view):
            continue
        boundary = shapely.intersection(geom.boundary, view.buffer(10))
        if not boundary.is_empty:
            lines = getattr(boundary, "geoms", [boundary])
            d = " ".join(
                "M" + _svg_points(np.asarray(line.coords), frame).replace(" ", " L")
                for line in lines
                if hasattr(line, "coords") and len(line.coords) >= 2
            )
            if d:
                out.append(f'<path d="{d}" fill="none" stroke="#888" stroke-width="2"/>')
        label_at = _label_point(shapely.intersection(geom, view), area, view, 80 / scale)
        if label_at is not None:
            lx, ly = _svg_points(np.array([[label_at.x, label_at.y]]), frame).split(",")
            out.append(
                f'<text x="{lx}" y="{ly}" font-size="26" fill="#777" text-anchor="middle">'
                f"{esc(local_name(emd, lang, names))}</text>"
            )
    out.append(
        f'<path d="{_svg_path(area, frame)}" fill="#d7191c" fill-opacity="0.35" '
        'stroke="#b00020" stroke-width="4" fill-rule="evenodd"/>'
    )
    lm = geo.landmarks
    inside = (lm["x"] > left) & (lm["x"] < left + span_x) & (lm["y"] > bottom)
    inside &= lm["y"] < bottom + span_y
    for name, x, y in zip(
        lm.loc[inside, "name"], lm.loc[inside, "x"], lm.loc[inside, "y"], strict=True
    ):
        px, py = (int(v) for v in _svg_points(np.array([[x, y]]), frame).split(","))
        anchor = "end" if px > MAP_W * 0.75 else "start"
        dx = -12 if anchor == "end" else 12
        ty = py - 10 if py > 40 else py + 32  # a label at the top edge goes below its dot
        out.append(f'<circle cx="{px}" cy="{py}" r="7" fill="#111"/>')
        out.append(
            f'<text x="{px + dx}" y="{ty}" font-size="24" fill="#111" text-anchor="{anchor}" '
            f'stroke="#fff" stroke-width="5" paint-order="stroke">{esc(local_name(name, lang, names))}</text>'
        )
    bar_m = _nice_bar(span_x)
    bar_px = round(bar_m * scale)
    y0 = MAP_H - 30
    out.append(
        f'<path d="M30,{y0} L{30 + bar_px},{y0}" stroke="#111" stroke-width="6"/>'
        f'<text x="30" y="{y0 - 12}" font-size="24" fill="#111">{bar_m} m</text>'
    )
    out.append(
        f'<path d="M{MAP_W - 50},90 L{MAP_W - 35},50 L{MAP_W - 20},90 Z" fill="#111"/>'
        f'<text x="{MAP_W - 35}" y="40" font-size="26" text-anchor="middle" fill="#111">N</text>'
    )
    out.append("</svg>")
    return "".join(out), bar_m


# --------------------------------------------------------------------------- hours


def hours_svg(hours: pd.Series, lang: str = "ko") -> str:
    """24 bars, one per hour (cards naming it), labels every third hour."""
    w, h, base, left = 960, 200, 160, 20
    step = (w - 2 * left) / 24
    top = max(int(hours.max()) if len(hours) else 0, 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        f'aria-label="{esc(text("community.cpted.section_hours", lang))}">'
    ]
    for hour in range(24):
        n = int(hours.get(hour, 0))
        x = round(left + hour * step + 3)
        bw = round(step - 6)
        bh = round((base - 30) * n / top)
        if n:
            out.append(f'<rect x="{x}" y="{base - bh}" width="{bw}" height="{bh}" fill="#2c7bb6"/>')
            out.append(
                f'<text x="{x + bw // 2}" y="{base - bh - 6}" font-size="20" '
                f'text-anchor="middle">{n}</text>'
            )
        if hour % 3 == 0:
            out.append(
                f'<text x="{x + bw // 2}" y="{base + 28}" font-size="20" text-anchor="middle">'
                f"{hour}{esc(text('community.cpted.hour_axis', lang))}</text>"
            )
    out.append(f'<path d="M{left},{base} L{w - left},{base}" stroke="#111" stroke-width="2"/>')
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------- the sheet


def _theme(code, lang: str) -> str:
    labels = {c.code: (c.label_ko, c.label_en) for c in SUGGESTION}
    ko, en = labels.get(code, labels["other"])
    return ko if lang == "ko" else en


def card_rows(cards: pd.DataFrame, lang: str = "ko") -> pd.DataFrame:
    """The printable cards as a table: date, hours named, theme, place as written and
    text (masked again: masking is idempotent), in ``lang``'s headers."""

    def slot(s, e) -> str:
        if pd.isna(s) or pd.isna(e):
            return "—"
        return window_label(int(s), int(e), lang)

    def masked(values) -> list[str]:
        return [mask_pii(v) if isinstance(v, str) else "" for v in values]

    col = lambda k: text(f"community.cpted.col_{k}", lang)  # noqa: E731
    return pd.DataFrame(
        {
            col("date"): [day_label(t, lang) for t in cards["occurred_at"]],
            col("slot"): [
                slot(s, e)
                for s, e in zip(cards["slot_start_hour"], cards["slot_end_hour"], strict=True)
            ],
            col("theme"): [_theme(c, lang) for c in cards["category"]],
            col("place"): masked(cards["location_text"]),
            col("text"): masked(cards["description"]),
        }
    )


def facility_rows(missing: Mapping[str, float | None], lang: str = "ko") -> list[tuple[str, str]]:
    """(facility, state) per kind of :data:`analytics.compute.community.FACILITIES`."""
    state = community.lacking_facilities(missing)
    rows = []
    for kind in community.FACILITIES:
        d = missing.get(kind)
        if state[kind] == "unknown":
            words = text("community.cpted.state.unknown", lang)
        elif d is None or not math.isfinite(float(d)):
            words = text("community.cpted.state.lacking_none", lang)
        else:
            words = text(f"community.cpted.state.{state[kind]}", lang, metres=round(float(d)))
        rows.append((text(f"community.cpted.facility.{kind}", lang), words))
    return rows


def requested_measures(hotspot, missing: Mapping[str, float | None]) -> tuple[str, ...]:
    """The CPTED measures to ask for: those the cards' themes point to
    (:func:`analytics.compute.suggestions.cpted_measures`), plus lighting or CCTV where
    no street light or camera is within reach."""
    wanted = set(cpted_measures(hotspot.get("top_categories")))
    state = community.lacking_facilities(missing)
    if state["streetlight"] == "lacking":
        wanted.add("lighting")
    if state["cctv"] == "lacking":
        wanted.add("cctv")
    return tuple(m for m in CPTED_MEASURES if m in wanted)


def _table(headers: list[str], rows: list[list[str]], *, num: tuple[int, ...] = ()) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{esc(v)}</td>' if i in num else f"<td>{esc(v)}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _checked(hotspot, cards: pd.DataFrame, station) -> tuple[pd.DataFrame, int]:
    area = hotspot.get("geometry")
    if area is None or shapely.is_empty(area):
        raise ValueError("the hotspot needs its polygon (geometry, metres)")
    return community.printable_cards(cards, tuple(station.sensitive_categories))


def cpted_sheet_html(
    hotspot,
    cards: pd.DataFrame,
    *,
    geo: StationGeography,
    missing: Mapping[str, float | None],
    period_label: str,
    lang: str = "ko",
    synthetic: bool = False,
    printed_on: str | None = None,
) -> str:
    """The CPTED request for one hotspot as one standalone, printable HTML page (A4).

    Parameters
    ----------
    hotspot : row or dict of the hotspot table (:func:`analytics.compute.hotspots.find_hotspots`):
        ``geometry`` (polygon, metres), ``landmark``, ``landmark_m``, ``centroid_x``/``_y``,
        ``emd``, ``police_unit``, ``n_incident``, ``top_categories``. Pass it through
        :func:`analytics.compute.community.printable_hotspot` first: the sheet draws
        and names what it is given.
    cards : the hotspot's suggestion cards (:func:`analytics.compute.community.hotspot_cards`);
        cards naming a sensitive category are left out (:func:`~analytics.compute.community.printable_cards`).
    geo : the station's geography (its ``station`` gives city, name and sensitive categories)
    missing : kind → metres to the nearest registered facility, None: no layer loaded
    period_label : str, the data's period as printed ("2017.10.06(금) ~ 2017.10.12(목)")
    lang : {'ko', 'en'}
    synthetic : print the synthetic-data banner
    printed_on : str, optional, the date printed as the sheet's date

    Returns
    -------
    str : HTML with inline CSS and SVG; no script, no external resource; every text escaped.
    """
    check_lang(lang)
    station = geo.station
    shown, held = _checked(hotspot, cards, station)
    names = english_names(geo) if lang != "ko" else {}
    unit = local_name(hotspot.get("police_unit"), lang, names)
    w = lambda key, **kw: text(f"community.cpted.{key}", lang, **kw)  # noqa: E731
    title = w("title")
    svg, bar_m = hotspot_map_svg(hotspot["geometry"], geo, lang)
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{esc(w("to", city=station.city))}<br>'
        f"{esc(w('from', station=station.name if lang == 'ko' else station.name_en, unit=unit))}"
        + (f"<br>{esc(text('community.printed', lang))}: {esc(printed_on)}" if printed_on else "")
        + f"<br>{esc(text('community.period', lang))}: {esc(period_label)}</p>",
        f"<p>{esc(w('lead'))}</p>",
        f"<h2>{esc(w('section_place'))}</h2>",
        f'<p class="big-number">{esc(place_words(hotspot, geo, lang))}</p>',
        "<p>"
        + esc(
            text(
                "community.place_where",
                lang,
                emd=local_name(hotspot.get("emd"), lang, names),
                unit=unit,
            )
        )
        + "</p>",
        f"<figure>{svg}<figcaption>{esc(w('map_caption', bar=bar_m))}</figcaption></figure>",
        f"<h2>{esc(w('section_cards'))}</h2>",
        "<p>"
        + esc(
            w(
                "cards_summary",
                cards=len(cards),
                incidents=int(hotspot.get("n_incident") or 0),
                range=period_label,
            )
        )
        + "</p>",
    ]
    rows = card_rows(shown, lang)
    if len(rows):
        body.append(_table(list(rows.columns), rows.astype(str).values.tolist()))
    else:
        body.append(f"<p>{esc(w('no_cards'))}</p>")
    if held:
        body.append(f'<p class="note">{esc(w("cards_held", n=held))}</p>')
    body.append(f'<p class="note">{esc(w("masked"))}</p>')
    body += [
        f"<h2>{esc(w('section_hours'))}</h2>",
        f"<figure>{hours_svg(community.hours_named(shown), lang)}"
        f"<figcaption>{esc(w('hours_caption'))}</figcaption></figure>",
        f"<h2>{esc(w('section_missing', near=f'{community.FACILITY_NEAR_M:g}'))}</h2>",
        _table(
            [w("col_facility"), w("col_state")],
            [list(r) for r in facility_rows(missing, lang)],
        ),
        f"<h2>{esc(w('section_ask'))}</h2>",
        "<ul>"
        + "".join(
            f"<li>{esc(text(f'suggestions.measure.{m}', lang))}</li>"
            for m in requested_measures(hotspot, missing)
        )
        + "</ul>",
        f'<p class="note">{esc(w("ask_hint"))}</p>',
        f"<p>{esc(w('unit_line', unit=unit))}</p>",
        f"<h2>{esc(w('section_answer'))}</h2>",
        '<table class="answer"><tbody>'
        f'<tr><th>{esc(w("answer_content"))}</th><td class="big"></td></tr>'
        f"<tr><th>{esc(w('answer_date'))}</th><td></td></tr>"
        f"<tr><th>{esc(w('answer_by'))}</th><td></td></tr>"
        "</tbody></table>",
    ]
    return sheet_page(title, body, lang=lang, synthetic=synthetic)


def cpted_sheet_xlsx(
    hotspot,
    cards: pd.DataFrame,
    *,
    geo: StationGeography,
    missing: Mapping[str, float | None],
    period_label: str,
    lang: str = "ko",
) -> bytes:
    """The same request as a workbook: the request (item, value), the cards, the hours.
    Every text cell goes through the exports' formula guard (:func:`to_xlsx`)."""
    check_lang(lang)
    station = geo.station
    shown, _ = _checked(hotspot, cards, station)
    names = english_names(geo) if lang != "ko" else {}
    unit = local_name(hotspot.get("police_unit"), lang, names)
    w = lambda key, **kw: text(f"community.cpted.{key}", lang, **kw)  # noqa: E731
    items = [
        (w("item_place"), place_words(hotspot, geo, lang)),
        (
            w("item_area"),
            text(
                "community.place_where",
                lang,
                emd=local_name(hotspot.get("emd"), lang, names),
                unit=unit,
            ),
        ),
        (w("item_unit"), unit),
        (
            w("item_cards"),
            w(
                "cards_summary",
                cards=len(cards),
                incidents=int(hotspot.get("n_incident") or 0),
                range=period_label,
            ),
        ),
        *facility_rows(missing, lang),
        (
            w("item_ask"),
            ", ".join(
                text(f"suggestions.measure.{m}", lang) for m in requested_measures(hotspot, missing)
            ),
        ),
        (w("answer_content"), ""),
        (w("answer_date"), ""),
        (w("answer_by"), ""),
    ]
    request = pd.DataFrame(items, columns=[w("col_item"), w("col_value")])
    hours = community.hours_named(shown)
    hour_table = pd.DataFrame(
        {w("col_hour"): [f"{h:02d}" for h in hours.index], w("col_cards"): hours.to_numpy()}
    )
    return to_xlsx(
        {
            w("tab_request"): request,
            w("tab_cards"): card_rows(shown, lang),
            w("tab_hours"): hour_table,
        },
        title=w("title"),
    )
