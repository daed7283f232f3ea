"""The meeting pack: one self-contained HTML file for the Friday staff meeting.

The file opens on the meeting-room PC without the dashboard and without internet:
Leaflet is inlined (:func:`analytics.presentation.maps.to_standalone_html`) and the map sits in a
sandboxed ``<iframe srcdoc>``; the only URLs left are the tile template (tiles show
when the PC is online; boundaries and hotspots always show) and attribution links.
Every text is HTML-escaped, and the synthetic-data banner shows whenever the
store holds demo data.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from analytics.compute.brief import headline_changes
from analytics.compute.changes import compare_counts
from analytics.compute.changes import legend as changes_legend
from analytics.compute.patrol import categories_text
from analytics.compute.periods import Period
from analytics.compute.profiles import format_windows, place_in
from analytics.presentation import maps
from analytics.station.config import StationConfig
from analytics.station.geo import StationGeography
from analytics.text import LANGS, text
from analytics.text.vocabulary import source_name, status_name, type_name

DEFAULT_TOP_N = 10
MAP_HEIGHT_PX = 560

PACK_CSS = (
    """
@page { size: A4 landscape; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans KR", "Malgun Gothic", "NanumGothic", "Apple SD Gothic Neo",
  sans-serif; margin: 0 auto; padding: 16px 24px; max-width: 1400px; color: #111;
  font-size: 15px; line-height: 1.45; }
h1 { font-size: 26px; margin: 0 0 4px 0; }
h2 { font-size: 20px; margin: 22px 0 8px 0; border-bottom: 2px solid #333; padding-bottom: 2px; }
.meta { color: #333; margin: 0 0 8px 0; font-size: 17px; }
.banner { border: 3px solid #b00020; background: #fff1f1; color: #b00020; font-weight: bold;
  padding: 8px 12px; margin: 0 0 12px 0; font-size: 17px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { flex: 1 1 220px; border: 1px solid #bbb; border-radius: 6px; padding: 10px 14px; }
.card .label { color: #444; font-size: 15px; }
.card .value { font-size: 34px; font-weight: bold; line-height: 1.2; }
.card .delta { font-size: 15px; }
.rise { color: #b00020; font-weight: bold; }
.fall { color: #1b7a3a; font-weight: bold; }
.moved { color: #1f4e9c; font-weight: bold; }
.card .sub { color: #555; font-size: 13px; }
.note { color: #444; font-size: 13px; }
.sentence { font-size: 16px; margin: 6px 0; }
iframe.map { width: 100%; height: """
    + str(MAP_HEIGHT_PX)
    + """px; border: 1px solid #999; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border: 1px solid #999; padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: #ececec; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
tr.zero td { color: #777; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
footer { margin-top: 20px; border-top: 1px solid #999; padding-top: 6px; font-size: 13px;
  color: #333; }
@media print {
  body { padding: 0; max-width: none; font-size: 12px; }
  section.map-section, section.units { page-break-before: always; break-before: page; }
  .card .value { font-size: 26px; }
  th, .banner { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
)


def _esc(value) -> str:
    """Escaped text of a cell; '' for None/NaN/NA."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True)


def _int(value) -> int:
    try:
        return 0 if value is None or pd.isna(value) else int(value)
    except (TypeError, ValueError):
        return 0


def _num(value, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):,.{digits}f}"


def _metres(value) -> str:
    """A distance or a count as a whole number; '—' when no layer of that kind is loaded."""
    if value is None or pd.isna(value):
        return "—"
    return f"{round(float(value)):,}"


def _delta(change, lang: str) -> str:
    """A change where both counts are printed ('+12.5%', '+4'), ▲/▼ when not chance."""
    return "—" if change is None else change.delta(lang, mark=True)


def _tone(change, *, rise_is_bad: bool) -> str:
    """The CSS class of a change: coloured only when the exact test says it is not chance."""
    if change is None or not change.significant:
        return ""
    if not rise_is_bad:
        return "moved"
    return "rise" if change.direction == "up" else "fall"


def _period(period) -> Period:
    if isinstance(period, Period):
        return period
    if isinstance(period, Sequence) and len(period) == 2:
        return Period(pd.Timestamp(period[0]), pd.Timestamp(period[1]))
    raise TypeError(f"period must be (start, end) or a Period, got {period!r}")


def _table(headers: list[tuple[str, str]], rows: list[list[tuple[str, str]]]) -> str:
    """An HTML table from already-escaped cells: headers and cells are (text, class)."""
    head = "".join(f'<th class="{c}">{t}</th>' if c else f"<th>{t}</th>" for t, c in headers)
    body = []
    for row in rows:
        cells = "".join(f'<td class="{c}">{t}</td>' if c else f"<td>{t}</td>" for t, c in row)
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def follow_up_html(follow_up: pd.DataFrame | None, lang: str, week_start) -> str:
    """Last meeting's decisions and what followed (no notes: the pack goes round the
    room); nothing when that meeting recorded none."""
    from analytics.presentation.decisions import follow_up_caption, follow_up_rows
    from analytics.station.clock import day_label

    if follow_up is None or follow_up.empty:
        return ""
    rows = follow_up_rows(follow_up, lang)
    headers = [(_esc(c), "num" if i >= 4 else "") for i, c in enumerate(rows.columns)]
    body = [
        [(_esc(v), "num" if i >= 4 else "") for i, v in enumerate(r)]
        for r in rows.itertuples(index=False)
    ]
    title = text("decision.follow_up", lang, week=day_label(week_start, lang))
    return (
        f"<section class='follow-up'><h2>{_esc(title)}</h2>{_table(headers, body)}"
        f'<p class="note">{_esc(follow_up_caption(follow_up, lang))}</p></section>'
    )


def cpted_html(cpted: pd.DataFrame | None, lang: str) -> str:
    """The CPTED requests sent to the city with its answer or the days waited
    (:func:`analytics.presentation.decisions.cpted_for_week`); no answer's note: the
    pack goes round the room and may be a viewer's. Nothing when none was sent."""
    from analytics.presentation.decisions import CPTED_LOOKBACK_DAYS, cpted_rows

    if cpted is None or cpted.empty:
        return ""
    rows = cpted_rows(cpted, lang, notes=False)
    headers = [(_esc(c), "") for c in rows.columns]
    body = [[(_esc(v), "") for v in r] for r in rows.itertuples(index=False)]
    help_text = text("decision.cpted_help", lang, days=CPTED_LOOKBACK_DAYS)
    return (
        f"<section class='cpted'><h2>{_esc(text('decision.cpted_title', lang))}</h2>"
        f'{_table(headers, body)}<p class="note">{_esc(help_text)}</p></section>'
    )


def headline_cards(headline: pd.DataFrame, lang: str) -> str:
    """One card per source: the week's count, change vs last week, 4-week mean, last year."""
    cards = []
    for r in headline.to_dict("records"):
        src = str(r.get("source"))
        name = source_name(src, lang) or src
        last_week, four_weeks, last_year = headline_changes(r)
        sub = " · ".join(
            [
                text(
                    "pack.mean_4w", lang, n=_num(r.get("mean_4w"), 1), pct=_delta(four_weeks, lang)
                ),
                text(
                    "pack.last_year", lang, n=_num(r.get("last_year")), pct=_delta(last_year, lang)
                )
                if last_year is not None
                else text("brief.no_last_year", lang),
            ]
        )
        delta = text(
            "pack.vs_last_week", lang, n=_num(r.get("previous")), pct=_delta(last_week, lang)
        )
        tone = _tone(last_week, rise_is_bad=src == "incident")
        cards.append(
            '<div class="card">'
            f'<div class="label">{_esc(name)}</div>'
            f'<div class="value">{_esc(_num(r.get("count")))}</div>'
            f'<div class="delta {tone}">{_esc(delta)}</div>'
            f'<div class="sub">{_esc(sub)}</div>'
            "</div>"
        )
    legend = f'<p class="note">{_esc(changes_legend(lang))}</p>'
    return f'<div class="cards">{"".join(cards)}</div>{legend}'


def hotspot_table_html(
    hotspots: pd.DataFrame,
    lang: str,
    *,
    top_n: int = DEFAULT_TOP_N,
    unit_names: dict[str, str] | None = None,
) -> str:
    """The top hotspots: rank, place, unit, trend, type, categories, patrol windows, counts.

    ``unit_names`` maps a unit's Korean name to the name shown (English for 'en').
    """
    unit_names = unit_names or {}
    cols = [
        ("files.col.rank", "num"),
        ("files.col.place", ""),
        ("files.col.police_unit", ""),
        ("files.col.status", ""),
        ("files.col.type", ""),
        ("files.col.top_categories", ""),
        ("files.col.patrol_windows", "nowrap"),
        ("files.col.n_incident", "num"),
        ("files.col.n_suggestion", "num"),
        ("files.col.n_complaint", "num"),
        ("files.col.hotspot_id", ""),
    ]
    # Metres to the nearest camera, light and bell, and the sites within 50 m, when the
    # station's facility layers are loaded (analytics.compute.facilities).
    kinds = ("cctv", "streetlight", "bell")
    facilities = "nearest_cctv_m" in hotspots.columns
    if facilities:
        cols[-1:-1] = [(f"col.nearest_{k}", "num") for k in kinds] + [("col.within_50m", "num")]
    headers = [(_esc(text(k, lang)), c) for k, c in cols]
    rows = []
    for r in hotspots.head(top_n).to_dict("records"):
        status = r.get("status")
        rows.append(
            [
                (_esc(_int(r.get("rank"))), "num"),
                (_esc(place_in(r, lang)), ""),
                (_esc(unit_names.get(r.get("police_unit"), r.get("police_unit"))), ""),
                (_esc(status_name(status, lang) or "—"), ""),
                (_esc(type_name(r.get("type"), lang) or r.get("type")), ""),
                (_esc(categories_text(r.get("top_categories"), lang)), ""),
                (_esc(format_windows(r.get("patrol_windows") or [], lang) or "—"), "nowrap"),
                (_esc(_int(r.get("n_incident"))), "num"),
                (_esc(_int(r.get("n_suggestion"))), "num"),
                (_esc(_int(r.get("n_complaint"))), "num"),
                (_esc(r.get("hotspot_id")), ""),
            ]
        )
        if facilities:
            rows[-1][-1:-1] = [(_esc(_metres(r.get(f"nearest_{k}_m"))), "num") for k in kinds] + [
                (_esc(" · ".join(_metres(r.get(f"{k}_within_50m")) for k in kinds)), "num")
            ]
    return _table(headers, rows)


def unit_table_html(units: pd.DataFrame, lang: str) -> str:
    """The 18-unit table (``analytics.compute.periods.unit_table``); quiet units in grey."""
    cols = [
        ("files.col.police_unit", ""),
        ("files.col.n_incident", "num"),
        ("files.col.n_suggestion", "num"),
        ("files.col.n_complaint", "num"),
        ("col.total", "num"),
        ("col.prev", "num"),
        ("col.change", "num"),
        ("col.mean4", "num"),
        ("col.open_complaints", "num"),
        ("col.hotspots", "num"),
    ]
    headers = [(_esc(text(k, lang)), c) for k, c in cols]
    rows = []
    for name, r in zip(units.index, units.to_dict("records"), strict=True):
        shown = name if lang == "ko" or not r.get("unit_en") else r["unit_en"]
        mean4 = sum(
            float(r.get(f"{s}_4w_mean", 0.0)) for s in ("incident", "suggestion", "complaint")
        )
        change = compare_counts(_int(r.get("total")), _int(r.get("total_prev")))
        rows.append(
            [
                (_esc(shown), ""),
                (_esc(_int(r.get("incident"))), "num"),
                (_esc(_int(r.get("suggestion"))), "num"),
                (_esc(_int(r.get("complaint"))), "num"),
                (_esc(_int(r.get("total"))), "num"),
                (_esc(_int(r.get("total_prev"))), "num"),
                (_esc(_delta(change, lang)), f"num {_tone(change, rise_is_bad=True)}".strip()),
                (_esc(_num(mean4, 1)), "num"),
                (_esc(_int(r.get("open_complaints"))), "num"),
                (_esc(_int(r.get("hotspots"))), "num"),
            ]
        )
    return _table(headers, rows)


def pack_map_html(
    geo: StationGeography,
    hotspots: gpd.GeoDataFrame,
    *,
    lang: str,
    gone: gpd.GeoDataFrame | None = None,
    tiles_url: str | None = None,
    title: str | None = None,
) -> str:
    """The standalone map document: boundaries, hotspots (and gone ones), zoomed to them."""
    m = maps.base_map(geo, lang=lang, tiles_url=tiles_url)
    if hotspots is not None and len(hotspots):
        maps.add_hotspots(m, hotspots, lang=lang)
        crs = hotspots.crs or geo.station.analysis_crs
        bounds = gpd.GeoSeries(hotspots.geometry.to_numpy(), crs=crs).to_crs("EPSG:4326")
        maps.fit_to(m, bounds.total_bounds, padding=(30, 30), max_zoom=16)
    if gone is not None and len(gone):
        maps.add_hotspots(m, gone, lang=lang, name="gone")
    maps.add_layer_control(m)
    return maps.to_standalone_html(m, title=title)


def build_meeting_pack(
    *,
    station: StationConfig,
    geo: StationGeography,
    period,
    headline: pd.DataFrame,
    hotspots: gpd.GeoDataFrame,
    units: pd.DataFrame,
    accuracy_sentence: str | None,
    setting_sentence: str | None,
    lang: str = "ko",
    synthetic: bool,
    gone: gpd.GeoDataFrame | None = None,
    top_n: int = DEFAULT_TOP_N,
    tiles_url: str | None = None,
    withheld: int = 0,
    follow_up: pd.DataFrame | None = None,
    cpted: pd.DataFrame | None = None,
) -> str:
    """The week's meeting pack as ONE self-contained HTML document.

    Parameters
    ----------
    station : StationConfig
        Name and the boundary attribution (KOGL Type 1) line.
    geo : StationGeography
        Boundaries for the map.
    period : (start, end) tz-aware Timestamps, or a Period
        The reporting week, half-open; ``end`` is the meeting day.
    headline : DataFrame
        One row per source: ``source``, ``count``, ``previous``, ``mean_4w``,
        ``last_year``, optionally ``has_last_year`` (False: the store does not reach
        back that far), as ``ui.data.headline`` gives it. The changes are worded from
        the counts (:func:`analytics.compute.brief.headline_changes`: a percentage only
        when the counts allow it, ▲/▼ and a colour only when the exact test says the
        change is not chance).
    hotspots : GeoDataFrame
        ``hotspot_status(...).current`` (with ``status``), sorted by rank.
    units : DataFrame
        ``analytics.compute.periods.unit_table`` (index ``unit``).
    accuracy_sentence, setting_sentence : str or None
        Printed as given (escaped).
    lang : {'ko', 'en'}
    synthetic : bool
        Show the "합성(가상) 데모 데이터" banner (top and footer).
    gone : GeoDataFrame, optional
        Last week's hotspots that are gone (drawn dotted, counted in the summary).
    top_n : int, default 10
        Hotspots on the map and in the table.
    tiles_url : str, optional
        Tile template; default the station's. ``""`` draws no tiles.
    withheld : int
        Hotspots the privacy rule withheld from this pack's reader (said, not shown).
    follow_up : DataFrame, optional
        Last meeting's decisions with their counts
        (:func:`analytics.presentation.decisions.follow_up_for_week`): the pack opens
        with them.
    cpted : DataFrame, optional
        The CPTED requests of the last months' meetings and the city's answers
        (:func:`analytics.presentation.decisions.cpted_for_week`), after the follow-up;
        never an answer's note.

    Returns
    -------
    str
        An HTML document with no external script or stylesheet; the map is an
        ``<iframe sandbox="allow-scripts" srcdoc=...>`` with Leaflet inlined.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    if not isinstance(station, StationConfig):
        raise TypeError("station must be a StationConfig")
    if not isinstance(geo, StationGeography):
        raise TypeError("geo must be a StationGeography")
    for name, frame in (("headline", headline), ("hotspots", hotspots), ("units", units)):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"{name} must be a DataFrame, got {type(frame).__name__}")
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise ValueError(f"top_n must be a positive int, got {top_n!r}")
    week = _period(period)
    station_name = station.name if lang == "ko" else station.name_en
    week_label = week.label(lang)
    meeting_label = Period(week.end, week.end + pd.Timedelta(days=1)).label(lang)
    title = f"{station_name} · {text('pack.title', lang)} · {week_label}"
    top = hotspots.head(top_n)

    map_doc = pack_map_html(geo, top, lang=lang, gone=gone, tiles_url=tiles_url, title=title)
    n_gone = 0 if gone is None else len(gone)
    status = hotspots["status"] if "status" in hotspots.columns else pd.Series(dtype=str)
    summary = text(
        "pack.summary",
        lang,
        n=len(hotspots),
        new=int((status == "new").sum()),
        up=int((status == "intensifying").sum()),
        gone=n_gone,
    )
    attribution = station.attribution_ko if lang == "ko" else station.attribution
    banner = f'<div class="banner">{_esc(text("frame.synthetic", lang))}</div>' if synthetic else ""

    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title>",
        f"<style>{PACK_CSS}</style></head><body>",
        banner,
        f"<header><h1>{_esc(station_name)} · {_esc(text('pack.title', lang))}</h1>",
        f'<p class="meta">{_esc(text("pack.week", lang))}: <b>{_esc(week_label)}</b> · '
        f"{_esc(text('pack.meeting', lang))}: {_esc(meeting_label)}</p></header>",
        follow_up_html(follow_up, lang, week.start),
        cpted_html(cpted, lang),
        f"<section class='headline'><h2>{_esc(text('pack.headline', lang))}</h2>",
        headline_cards(headline, lang),
    ]
    if accuracy_sentence:
        parts.append(
            f'<p class="sentence"><b>{_esc(text("brief.accuracy", lang))}</b> — '
            f"{_esc(accuracy_sentence)}</p>"
        )
    if setting_sentence:
        parts.append(f'<p class="note">{_esc(setting_sentence)}</p>')
    if withheld:
        note = text("privacy.withheld", lang, n=withheld)
        parts.append(f'<p class="note privacy">{_esc(note)}</p>')
    parts += [
        "</section>",
        f"<section class='map-section'><h2>{_esc(text('pack.map', lang, n=min(top_n, len(hotspots))))}</h2>",
        f'<iframe class="map" title="{_esc(text("pack.map", lang, n=len(top)))}" '
        f'sandbox="allow-scripts" srcdoc="{html.escape(map_doc, quote=True)}"></iframe>',
        f'<p class="note">{_esc(text("pack.map_note", lang))}</p>',
        "</section>",
        f"<section class='top'><h2>{_esc(text('brief.top', lang))}</h2>",
        f'<p class="sentence">{_esc(summary)}</p>',
        hotspot_table_html(
            hotspots,
            lang,
            top_n=top_n,
            unit_names=dict(
                zip(
                    geo.police_units["unit"],
                    geo.police_units["unit" if lang == "ko" else "unit_en"],
                    strict=True,
                )
            ),
        )
        if len(hotspots)
        else f"<p>{_esc(text('pack.no_hotspots', lang))}</p>",
        f'<p class="note">{_esc(text("pack.types", lang))}</p>',
        "</section>",
        f"<section class='units'><h2>{_esc(text('brief.units', lang))}</h2>",
        unit_table_html(units, lang),
        f'<p class="note">{_esc(changes_legend(lang))}</p>',
        "</section>",
        "<footer>",
        banner,
        f"<div>{_esc(attribution)}</div>",
        f"<div>{_esc(text('pack.tiles', lang, attribution=_plain(station.tiles_attribution)))}</div>",
        f"<div>{_esc(text('pack.made', lang))}</div>",
        "</footer></body></html>",
    ]
    return "\n".join(p for p in parts if p)


def _plain(markup: str) -> str:
    """Tile attribution without tags (the config may hold a link): plain text to escape."""
    return re.sub(r"<[^>]+>", "", markup or "").strip()
