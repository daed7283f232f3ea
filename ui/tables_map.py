"""Presentation helpers for the hotspot map page."""

from __future__ import annotations

import pandas as pd

from analytics.compute.profiles import place_in
from analytics.station.clock import weekday_name
from ui.i18n import text

# Weekday names by language, Monday first, for pages/map.py's heatmap axis order; new
# code asks analytics.station.clock.weekday_names(lang) directly.


def heatmap_frame(hour_weekday: list[list[float]], lang: str) -> pd.DataFrame:
    """The 7 × 24 histogram as long rows for an altair heatmap."""
    rows = []
    for wd, hours in enumerate(hour_weekday):
        for hour, n in enumerate(hours):
            rows.append(
                {"weekday": weekday_name(wd, lang), "wd": wd, "hour": hour, "n": round(n, 2)}
            )
    return pd.DataFrame(rows)


def member_events(
    events: pd.DataFrame, event_hotspot: pd.Series, hotspot_id: str, lang: str
) -> pd.DataFrame:
    """A hotspot's events, newest first, with masked text as given."""
    ids = event_hotspot[event_hotspot == hotspot_id].index
    ev = events.loc[events.index.intersection(ids)].sort_values("occurred_at", ascending=False)
    return pd.DataFrame(
        {
            text("col.when", lang): ev["occurred_at"].dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
            text("col.source", lang): [text(f"source.{s}", lang) for s in ev["source"]],
            text("col.category", lang): ev["category_label"].to_numpy(),
            text("col.location", lang): ev["location_text"].fillna("").to_numpy(),
            text("col.description", lang): ev["description"].fillna("").to_numpy(),
        }
    )


def kdistance_frame(distances_m, lang: str) -> pd.DataFrame:
    step = max(1, len(distances_m) // 400)  # a few hundred points draw the curve
    return pd.DataFrame(
        {
            text("map.kdist_x", lang): range(0, len(distances_m), step),
            text("map.kdist_y", lang): distances_m[::step],
        }
    ).set_index(text("map.kdist_x", lang))


def category_options(sources, lang: str) -> dict[str, str]:
    """code → label for the categories of the chosen sources (first label wins)."""
    from analytics.station.categories import BY_SOURCE

    out: dict[str, str] = {}
    for source in sources:
        for c in BY_SOURCE[source]:
            out.setdefault(c.code, c.label_ko if lang == "ko" else c.label_en)
    return out


def for_unit(hotspots: pd.DataFrame, unit: str | None) -> pd.DataFrame:
    return hotspots if not unit else hotspots[hotspots["police_unit"] == unit]


def hotspot_places(hotspots: pd.DataFrame, lang: str = "ko") -> dict[str, str]:
    """hotspot id → place label in ``lang``, in rank order."""
    return {r["hotspot_id"]: place_in(r, lang) for r in hotspots.to_dict("records")}


def hotspot_row(hotspots: pd.DataFrame, hotspot_id: str) -> pd.Series:
    """One hotspot's profile row."""
    return hotspots.set_index("hotspot_id").loc[hotspot_id]


def hotspot_downloads(hotspots, week, lang: str) -> None:
    """The map's hotspots as CSV (headers in ``lang``) and GeoJSON (code names, as the
    CLI writes them), with the facility distances when the table carries them; built
    on click, each download audited."""
    import streamlit as st

    from analytics.presentation import exports
    from ui.auth import audit_export
    from ui.data_unit import file_name

    if hotspots.empty:
        return
    stem = {"week": week.isoformat()}
    csv_name = file_name("export.file_map_hotspots", lang, "csv", **stem)
    geo_name = file_name("export.file_map_hotspots", lang, "geojson", **stem)
    left, right = st.columns(2)
    left.download_button(
        text("export.hotspots_csv", lang),
        lambda: exports.hotspots_csv(hotspots, lang=lang),
        file_name=csv_name,
        mime="text/csv",
        help=text("export.hotspots_files_help", lang),
        key="m_dl_csv",
        on_click=audit_export(csv_name),
    )
    right.download_button(
        text("export.hotspots_geojson", lang),
        lambda: exports.hotspots_geojson(hotspots),
        file_name=geo_name,
        mime="application/geo+json",
        key="m_dl_geojson",
        on_click=audit_export(geo_name),
    )
