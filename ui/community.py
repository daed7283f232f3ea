"""The community loop's downloads (issue 18): a box's "you said, we did" notice on the
suggestion-box page, and the CPTED request on a fear hotspot's profile on the map page.

The files are built on click (:mod:`analytics.presentation.box_report`,
:mod:`analytics.presentation.cpted`) and each download is audited. The box notice is
counts only and safe for every role; the CPTED request quotes masked card text, so
only analysts (and admins) get its buttons, and its builder refuses a masked role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from analytics.compute import community
from analytics.compute.profiles import TYPE_FEAR
from analytics.compute.suggestions import NO_BOX
from analytics.query import HotspotQuery
from ui import data
from ui.i18n import day, day_range, text

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def facility_distances(db_url: str, version: str, hotspot) -> Mapping[str, float | None]:
    """Metres from ``hotspot``'s polygon (in EPSG:5179) to the nearest registered CCTV
    camera, street light and emergency bell (``cctv``, ``streetlight``, ``bell``; 0 when
    one stands inside); None: no layer of that kind is loaded for the station."""
    import geopandas as gpd

    from analytics.compute.facilities import facility_distances as distances

    points = data.facility_points(db_url, version)
    area = gpd.GeoDataFrame(geometry=[hotspot["geometry"]], crs="EPSG:5179")
    row = distances(area, points).iloc[0]
    out: dict[str, float | None] = {}
    for kind in community.FACILITIES:
        metres = row.get(f"nearest_{kind}_m")
        out[kind] = float(metres) if metres is not None and pd.notna(metres) else None
    return out


def printable_shape(db_url: str, version: str, query: HotspotQuery, hotspot_id: str):
    """The hotspot as the city's copy shows it: no shape or place name derived from a
    sensitive case's point (:func:`analytics.compute.community.printable_hotspot`)."""
    from ui.tables_map import hotspot_row

    answer = data.hotspots(db_url, version, query)
    events = data.events(db_url, version)
    mine = answer.shown.event_hotspot == hotspot_id
    members = events.loc[events.index.intersection(mine[mine.fillna(False)].index)]
    setting = answer.shown.query
    return community.printable_hotspot(
        hotspot_row(answer.shown.current, hotspot_id),
        members,
        sensitive=tuple(data.station_of(version).sensitive_categories),
        geo=data.geography(version),
        eps_m=setting.eps_m,
        hull=setting.hull,
    )


def _file_name(key: str, lang: str, ext: str, **values) -> str:
    from ui.data_unit import file_name

    return file_name(key, lang, ext, **values)


def _today_label(lang: str) -> str:
    from analytics.station.clock import today

    return day(today(), lang)


# --------------------------------------------------------------------------- box notice


def box_notice_parts(
    db_url: str, version: str, box: str, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[community.BoxCounts, pd.DataFrame]:
    """A box's counts and the decisions near its cards for ``[start, end)`` with the
    city's answers to its CPTED requests, from the events the user may see (cards'
    counts and places are the same for every role)."""
    from analytics.compute.suggestions import cards
    from analytics.storage.cpted_answers import answer_days, read_answers
    from analytics.storage.decisions import read_decisions

    station = data.station_of(version)
    events = data.events(db_url, version)
    counts = community.box_card_counts(
        events,
        box_id=box,
        start=start,
        end=end,
        min_count=community.small_count_threshold(station),
    )
    db = data.db_for(db_url)
    decided = read_decisions(db, station=station)
    box_cards = cards(events, start=start, end=end, box_id=box)
    # The city's answers: the day and the outcome's word, never the answer's note.
    answered = read_answers(db, station=station)
    actions = community.box_actions(
        decided,
        box_cards,
        start=start,
        end=end,
        answers=answer_days(answered),
        outcomes=dict(zip(answered["decision_id"], answered["outcome"], strict=True)),
    )
    return counts, actions


@st.cache_data(show_spinner=False, max_entries=16)
def box_notice(
    db_url: str,
    version: str,
    box: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    lang: str,
    kind: str,
    printed: str,
) -> bytes:
    """The notice of ``box`` for ``[start, end)``: ``kind`` 'html' or 'xlsx'."""
    from analytics.presentation import box_report
    from analytics.storage.boxes import box_sites

    counts, actions = box_notice_parts(db_url, version, box, start, end)
    last_day = (end - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    place = box_sites(data.box_log(db_url, version), on=last_day).get(box, "")
    common = {
        "box_id": box,
        "box_place": place,
        "geo": data.geography(version),
        "period_label": day_range(start, end, lang),
        "lang": lang,
    }
    if kind == "xlsx":
        return box_report.box_sheet_xlsx(counts, actions, **common)
    synthetic = bool(data.overview(db_url, version)["synthetic"])
    page = box_report.box_sheet_html(
        counts, actions, **common, synthetic=synthetic, printed_on=printed
    )
    return page.encode("utf-8")


def box_notice_section(
    db_url: str,
    version: str,
    boxes: list[str],
    start: pd.Timestamp,
    end: pd.Timestamp,
    week: dt.date,
    lang: str,
    label,
) -> None:
    """One row per box: its name and the notice's HTML and XLSX downloads (built on click).

    ``label``: box id → its name as the page shows it.
    """
    from ui.auth import audit_export

    boxes = [b for b in boxes if b and b != NO_BOX]
    if not boxes:
        return
    st.subheader(text("community.ui.box_section", lang))
    k = community.small_count_threshold(data.station_of(version))
    st.caption(text("community.ui.box_sheet_help", lang, k=k))
    printed = _today_label(lang)
    for box in boxes:
        name_col, html_col, xlsx_col = st.columns([2, 2, 1])
        name_col.markdown(f"**{label(box)}**")
        stem = {"box": box, "week": week.isoformat()}
        html_name = _file_name("community.ui.file_box", lang, "html", **stem)
        xlsx_name = _file_name("community.ui.file_box", lang, "xlsx", **stem)
        html_col.download_button(
            text("community.ui.box_sheet", lang),
            lambda box=box: box_notice(db_url, version, box, start, end, lang, "html", printed),
            file_name=html_name,
            mime="text/html",
            key=f"s_box_html_{box}",
            on_click=audit_export(html_name),
        )
        xlsx_col.download_button(
            text("community.ui.box_sheet_xlsx", lang),
            lambda box=box: box_notice(db_url, version, box, start, end, lang, "xlsx", printed),
            file_name=xlsx_name,
            mime=XLSX_MIME,
            key=f"s_box_xlsx_{box}",
            on_click=audit_export(xlsx_name),
        )


# --------------------------------------------------------------------------- CPTED request


@st.cache_data(show_spinner=False, max_entries=8)
def cpted_request(
    db_url: str,
    version: str,
    query: HotspotQuery,
    hotspot_id: str,
    lang: str,
    kind: str,
    printed: str,
) -> bytes:
    """The CPTED request for one hotspot of the view's query: ``kind`` 'html' or 'xlsx'.

    Raises
    ------
    PermissionError
        For a masked role (a viewer): the request quotes card text.
    """
    from analytics.presentation import cpted

    if data.privacy_rule(version).masks:
        raise PermissionError("the CPTED request is for analysts")
    answer = data.hotspots(db_url, version, query)
    events = data.events(db_url, version)
    hotspot = printable_shape(db_url, version, query, hotspot_id)
    cards = community.hotspot_cards(events, answer.shown.event_hotspot, hotspot_id)
    start, end = query.require_period()
    common = {
        "geo": data.geography(version),
        "missing": facility_distances(db_url, version, hotspot),
        "period_label": day_range(start, end, lang),
        "lang": lang,
    }
    if kind == "xlsx":
        return cpted.cpted_sheet_xlsx(hotspot, cards, **common)
    synthetic = bool(data.overview(db_url, version)["synthetic"])
    page = cpted.cpted_sheet_html(hotspot, cards, **common, synthetic=synthetic, printed_on=printed)
    return page.encode("utf-8")


def cpted_buttons(
    db_url: str, version: str, query: HotspotQuery, hotspot, week: dt.date, lang: str
) -> None:
    """On a hotspot's profile: the CPTED request's HTML and XLSX downloads, for a
    fear-type hotspot lacking a camera or a light (analysts only; nothing otherwise)."""
    from analytics.access.identity import role_allows
    from ui.auth import audit_export, current_role

    if not role_allows(current_role(), "analyst"):
        return
    if hotspot.get("type") != TYPE_FEAR:
        return
    missing = facility_distances(db_url, version, hotspot)
    if not community.cpted_request_fits(hotspot["type"], missing):
        st.caption(
            text("community.ui.cpted_not_needed", lang, near=f"{community.FACILITY_NEAR_M:g}")
        )
        return
    hotspot_id = str(hotspot.name)
    printed = _today_label(lang)
    place = hotspot.get("place") if lang == "ko" else hotspot.get("place_en")
    stem = {"place": place or hotspot_id, "week": week.isoformat()}
    html_name = _file_name("community.ui.file_cpted", lang, "html", **stem)
    xlsx_name = _file_name("community.ui.file_cpted", lang, "xlsx", **stem)
    left, right = st.columns(2)
    left.download_button(
        text("community.ui.cpted_html", lang),
        lambda: cpted_request(db_url, version, query, hotspot_id, lang, "html", printed),
        file_name=html_name,
        mime="text/html",
        help=text("community.ui.cpted_help", lang),
        key="m_cpted_html",
        on_click=audit_export(html_name),
    )
    right.download_button(
        text("community.ui.cpted_xlsx", lang),
        lambda: cpted_request(db_url, version, query, hotspot_id, lang, "xlsx", printed),
        file_name=xlsx_name,
        mime=XLSX_MIME,
        key="m_cpted_xlsx",
        on_click=audit_export(xlsx_name),
    )
