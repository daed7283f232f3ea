"""Cached loaders for the 지구대·파출소 page, its downloads and the meeting pack.

Every cached function takes plain values (the store's URL, data version, period bounds, tuples)
and calls analytics for the work; the page only renders what comes back.
"""

from __future__ import annotations

import datetime as dt
import re

import folium
import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from analytics.compute import spacetime
from analytics.compute.changes import compare_counts
from analytics.compute.patrol import column_name, patrol_targets
from analytics.compute.periods import pct_change
from analytics.presentation import exports, maps
from analytics.query import HotspotQuery
from ui import data
from ui.i18n import day_range, text
from ui.tables import area_names

UNIT_OUTLINE = {"color": "#000000", "weight": 4, "opacity": 0.9, "fill": False, "dashArray": "10 6"}


def unit_names(lang: str) -> dict[str, str]:
    """unit (Korean name, the key) → the name shown in ``lang``."""
    units = data.geography().police_units
    col = "unit" if lang == "ko" else "unit_en"
    return dict(zip(units["unit"], units[col], strict=True))


def unit_townships(unit: str, lang: str) -> list[str]:
    """The townships a unit covers, in ``lang``."""
    geo = data.geography()
    twp = geo.townships[geo.townships["police_unit"] == unit]
    return twp["emd" if lang == "ko" else "emd_en"].tolist()


@st.cache_data(show_spinner=False, max_entries=8)
def near_repeat(db_url: str, version: str, end: pd.Timestamp) -> pd.DataFrame:
    """The Knox test per incident category over the 52 weeks before ``end``, station-wide
    (:func:`analytics.compute.spacetime.near_repeat`; for a viewer on the privacy rule's
    clustering frame). About a second of work: cached per data version and end."""
    return spacetime.near_repeat(data.place_frame(db_url, version), end=end)


@st.cache_data(show_spinner=False, max_entries=32)
def unit_view(db_url: str, version: str, query: HotspotQuery, lang: str) -> dict:
    """One unit's hotspots, gone hotspots, patrol targets and figures for the query's period.

    ``query`` is the view's (:class:`analytics.query.HotspotQuery`); its ``unit`` is the
    unit shown. The hotspots are the view's (:func:`ui.data.hotspots`), found station-wide.

    Returns
    -------
    dict with ``hotspots`` and ``gone`` (GeoDataFrames, the unit's rows),
    ``targets`` (:func:`analytics.compute.patrol.patrol_targets`, for the files),
    ``targets_view`` (the same without coordinates, for the screen), ``figures``
    (one dict per source: count, previous, change_pct, change (an
    :class:`~analytics.compute.changes.Change`), mean_4w), ``row`` (the
    unit's row of the unit table as a dict), ``rank`` (1 = most events) and
    ``n_units``, ``setting`` (the DBSCAN setting in words), ``privacy`` (for
    :func:`ui.widgets.privacy_note`) and ``near_repeat`` (the sentences of the incident
    categories whose risk stays raised for days, station-wide: :func:`near_repeat`; the
    targets' 순찰 유지 column comes from the same test).
    """
    unit = query.unit
    start, end = query.require_period()
    answer = data.hotspots(db_url, version, query)
    every = answer.shown.current
    mine = every[every["police_unit"] == unit]
    gone = answer.shown.gone
    gone = gone[gone["police_unit"] == unit] if len(gone) else gone
    units = data.unit_table(db_url, version, start, end, tuple(every["police_unit"].dropna()))
    row = units.loc[unit].to_dict() if unit in units.index else {}
    figures = [
        {
            "source": s,
            "count": int(row.get(s, 0)),
            "previous": int(row.get(f"{s}_prev", 0)),
            "change_pct": pct_change(row.get(s, 0), row.get(f"{s}_prev", 0)),
            "change": compare_counts(int(row.get(s, 0)), int(row.get(f"{s}_prev", 0))),
            "mean_4w": float(row.get(f"{s}_4w_mean", 0.0)),
        }
        for s in ("incident", "suggestion", "complaint")
    ]
    # Rank by total events; ties share the better rank.
    rank = int((units["total"] > row.get("total", 0)).sum()) + 1 if row else None
    repeat = near_repeat(db_url, version, end)
    targets = patrol_targets(
        every,
        unit=unit,
        lang=lang,
        unit_names=area_names(lang),
        keep_days=spacetime.keep_days(repeat),
    )
    coords = [column_name(k, lang) for k in ("lat", "lon")]
    privacy = data.privacy_effect(answer, unit=unit)
    privacy.pop("masked")  # this page draws no event points
    return {
        "hotspots": mine,
        "gone": gone,
        "targets": targets,
        "targets_view": targets.drop(columns=coords),
        "figures": figures,
        "row": row,
        "rank": rank,
        "n_units": len(units),
        "setting": answer.sentence(lang),
        "privacy": privacy,
        "near_repeat": spacetime.raised_sentences(repeat, lang=lang),
    }


def unit_map(hotspots, gone, *, unit: str, lang: str) -> folium.Map:
    """The station map zoomed to one unit, its boundary outlined, its hotspots drawn."""
    geo = data.geography()
    m = maps.base_map(geo, lang=lang)
    area = geo.police_units.loc[geo.police_units["unit"] == unit, "geometry"]
    if len(area):
        shape = gpd.GeoSeries(
            [shapely.simplify(area.iloc[0], maps.TOWNSHIP_SIMPLIFY_M)], crs=geo.police_units.crs
        ).to_crs("EPSG:4326")
        folium.GeoJson(
            shape.__geo_interface__,
            name=unit_names(lang)[unit],
            style_function=lambda _f: UNIT_OUTLINE,
            interactive=False,
            control=False,
        ).add_to(m)
        maps.fit_to(m, shape.total_bounds, max_zoom=16)
    maps.add_hotspots(m, hotspots, lang=lang)
    if gone is not None and len(gone):
        maps.add_hotspots(m, gone, lang=lang, name="gone")
    maps.add_landmarks(m, geo.landmarks, lang=lang, show=False)
    maps.add_layer_control(m)
    maps.use_local_assets(m)
    return m


def file_name(key: str, lang: str, ext: str, **values) -> str:
    """A download file name from the catalogue, with characters unsafe in file names replaced."""
    stem = text(key, lang, **values)
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("_")
    return f"{stem}.{ext}"


@st.cache_data(show_spinner=False, max_entries=16)
def unit_files(db_url: str, version: str, query: HotspotQuery, lang: str) -> dict[str, bytes]:
    """The unit page's downloads: ``xlsx``, ``csv``, ``html`` (printable) and ``hotspots_csv``.

    ``query`` as for :func:`unit_view` (its ``unit`` is the unit).
    """
    v = unit_view(db_url, version, query, lang)
    unit = query.unit
    start, end = query.require_period()
    station = data.station_of(version)
    name = unit_names(lang)[unit]
    period = day_range(start, end, lang)
    # With the facility distances (when layers are loaded), as the map page's files.
    measured = data.with_facility_distances(db_url, version, v["hotspots"])
    hotspot_rows = exports.hotspot_rows(measured, lang=lang, labels=True)
    return {
        "xlsx": exports.to_xlsx(
            {
                text("export.tab_targets", lang): v["targets"],
                text("export.tab_hotspots", lang): hotspot_rows,
            },
            title=text("export.title_patrol", lang, unit=name, range=period),
        ),
        "csv": exports.patrol_targets_csv(v["targets"]),
        "html": exports.patrol_sheet_html(
            v["targets"],
            unit=name,
            period_label=period,
            lang=lang,
            station=station.name if lang == "ko" else station.name_en,
            synthetic=bool(data.overview(db_url, version)["synthetic"]),
        ).encode("utf-8"),
        "hotspots_csv": exports.csv_bytes(hotspot_rows),
    }


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_buttons(files: dict[str, bytes], *, unit: str, week: dt.date, lang: str) -> list[dict]:
    """Keyword arguments for the page's four ``st.download_button`` calls, in order."""
    name = unit_names(lang)[unit]
    week_iso = week.isoformat()

    def button(kind, label, key, ext, mime, help_key=None, file_key="export.file_patrol"):
        from ui.auth import audit_export

        out_name = file_name(file_key, lang, ext, unit=name, week=week_iso)
        return {
            "label": text(label, lang),
            "data": files[kind],
            "file_name": out_name,
            "mime": mime,
            "help": text(help_key, lang) if help_key else None,
            "key": key,
            "on_click": audit_export(out_name),
        }

    return [
        button("xlsx", "export.xlsx", "u_dl_xlsx", "xlsx", XLSX_MIME, "export.xlsx_help"),
        button("csv", "export.csv", "u_dl_csv", "csv", "text/csv", "export.csv_help"),
        button("html", "export.sheet", "u_dl_html", "html", "text/html", "export.sheet_help"),
        button(
            "hotspots_csv",
            "export.hotspots_csv",
            "u_dl_hotspots",
            "csv",
            "text/csv",
            file_key="export.file_hotspots",
        ),
    ]


@st.cache_data(show_spinner=False, max_entries=8)
def meeting_pack_bytes(db_url: str, version: str, query: HotspotQuery, lang: str) -> bytes:
    """The week's meeting pack (one offline HTML file) as UTF-8 bytes.

    Station-wide: the query's period and DBSCAN setting (None: the station's auto
    setting) over all sources at their default weights, no category filter, like the
    brief's default view.

    Parameters
    ----------
    db_url, version : the store and its data version (``ui.data``)
    query : HotspotQuery, the brief's (``state.query``); only its period and setting count
    lang : {'ko', 'en'}
    """
    from analytics.presentation.week_pack import meeting_pack_html

    page = meeting_pack_html(
        data.db_for(db_url),
        geo=data.geography(version),
        query=query,
        rule=data.privacy_rule(version),
        lang=lang,
    )
    return page.encode("utf-8")


def meeting_pack_file_name(week_iso: str, lang: str) -> str:
    """'확대간부회의_2017-12-29.html' / 'staff_meeting_2017-12-29.html'."""
    return file_name("export.file_pack", lang, "html", week=week_iso)
