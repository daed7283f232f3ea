"""Presentation frames for the suggestion-box page: labelled columns, chart rows."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analytics.compute.profiles import format_windows, place_in
from analytics.compute.suggestions import NO_BOX
from ui.charts import date_tooltip, time_x
from ui.i18n import number, text
from ui.tables import area_names as _names
from ui.tables import shown_name as _name


def box_label(box: str, lang: str, sites: dict[str, str] | None = None) -> str:
    """A box as shown in selectors and legends: 'BOX-03 · 인월시장' (its place from ``sites``)."""
    if box == NO_BOX:
        return text("suggestions.no_box", lang)
    place = (sites or {}).get(box)
    return f"{box} · {_name(place, _names(lang))}" if place else box


def trend_frame(
    weekly: pd.DataFrame, lang: str, sites: dict[str, str] | None = None
) -> pd.DataFrame:
    """Weekly cards per box as long rows (week start without time zone) for altair."""
    # NaN (the box stood nowhere that week) stays a gap in the line.
    long = weekly.rename(columns=lambda b: box_label(b, lang, sites)).stack().reset_index()
    long.columns = ["week", "box", "cards"]
    long["week"] = long["week"].dt.tz_localize(None)
    return long


def period_band(start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The selected period as one row (start, end) for a shaded band."""
    return pd.DataFrame({"start": [start.tz_localize(None)], "end": [end.tz_localize(None)]})


BOX_GREEN = "#009E73"  # the suggestion colour of analytics.presentation.maps
PERIOD_COLOUR = "#E69F00"


def trend_chart(
    weekly: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    lang: str,
    sites: dict[str, str] | None = None,
):
    """Weekly cards per box as lines over a shaded band for the selected period."""
    week_title, cards_title = text("suggestions.week", lang), text("suggestions.cards", lang)
    band = alt.Chart(period_band(start, end)).mark_rect(opacity=0.15, color=PERIOD_COLOUR)
    lines = alt.Chart(trend_frame(weekly, lang, sites)).mark_line(point=True)
    lines = lines.encode(
        x=time_x("week", title=week_title, lang=lang),
        y=alt.Y("cards:Q", title=cards_title),
        color=alt.Color("box:N", title=text("suggestions.box", lang)),
        tooltip=[
            date_tooltip("week", title=week_title, lang=lang),
            alt.Tooltip("box:N", title=text("suggestions.box", lang)),
            alt.Tooltip("cards:Q", title=cards_title),
        ],
    )
    return band.encode(x="start:T", x2="end:T") + lines


def category_chart(counts: pd.DataFrame, lang: str):
    """Horizontal bars, most frequent category on top."""
    frame = categories_frame(counts, lang)
    cat_col, n_col = frame.columns
    return (
        alt.Chart(frame)
        .mark_bar(color=BOX_GREEN)
        .encode(
            x=alt.X(f"{n_col}:Q"), y=alt.Y(f"{cat_col}:N", sort="-x"), tooltip=list(frame.columns)
        )
    )


def hours_frame(hist: pd.Series, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            text("suggestions.hour", lang): [f"{h:02d}" for h in hist.index],
            text("suggestions.cards", lang): hist.round(2).to_numpy(),
        }
    ).set_index(text("suggestions.hour", lang))


def categories_frame(counts: pd.DataFrame, lang: str) -> pd.DataFrame:
    label = counts["label_ko"] if lang == "ko" else counts["label_en"]
    return pd.DataFrame(
        {
            text("suggestions.category", lang): label.to_numpy(),
            text("suggestions.cards", lang): counts["count"].to_numpy(),
        }
    )


def placement_table(placements: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The deployment history, one row per placement."""
    names = _names(lang)
    return pd.DataFrame(
        {
            text("suggestions.col.box", lang): placements["box_id"].to_numpy(),
            text("suggestions.col.box_place", lang): [_name(p, names) for p in placements["place"]],
            text("suggestions.col.installed", lang): placements["installed_on"].to_numpy(),
            text("suggestions.col.removed", lang): placements["removed_on"].fillna("—").to_numpy(),
            text("suggestions.col.standing", lang): [
                text("suggestions.yes" if s else "suggestions.no", lang)
                for s in placements["standing"]
            ],
            text("suggestions.col.cards", lang): placements["cards"].to_numpy(),
        }
    )


def fear_table(fear: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Place, unit, cards, incidents, patrol windows and CPTED measures."""
    names = _names(lang)
    return pd.DataFrame(
        {
            text("col.rank", lang): fear["rank"].to_numpy(),
            text("col.place", lang): [place_in(r, lang) for r in fear.to_dict("records")],
            text("col.unit", lang): [_name(u, names) for u in fear["police_unit"]],
            text("col.suggestion", lang): fear["n_suggestion"].to_numpy(),
            text("col.incident", lang): fear["n_incident"].to_numpy(),
            text("col.patrol", lang): [
                format_windows(w, lang) or "—" for w in fear["patrol_windows"]
            ],
            text("suggestions.col.cpted", lang): [
                ", ".join(text(f"suggestions.measure.{m}", lang) for m in ms)
                for ms in fear["measures"]
            ],
        }
    )


def reason_text(row, lang: str) -> str:
    return text(
        f"suggestions.reason.{row['reason']}",
        lang,
        inc=int(row["incidents"]),
        cards=int(row["cards"]),
        dist=number(row["nearest_box_m"]),
    )


def sites_table(sites: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The next-site candidates, best first."""
    names = _names(lang)
    rows = sites.to_dict("records")
    return pd.DataFrame(
        {
            text("col.rank", lang): sites["rank"].to_numpy(),
            text("suggestions.col.township", lang): [_name(e, names) for e in sites["emd"]],
            text("suggestions.col.landmark", lang): [
                f"{_name(r['landmark'], names)} ({number(r['landmark_m'])} m)"
                if isinstance(r["landmark"], str)
                else "—"
                for r in rows
            ],
            text("col.incident", lang): sites["incidents"].to_numpy(),
            text("col.suggestion", lang): sites["cards"].to_numpy(),
            text("suggestions.col.reason", lang): [reason_text(r, lang) for r in rows],
            text("suggestions.col.nearest_box", lang): [
                f"{r['nearest_box']} {_name(r['nearest_box_place'], names)}"
                if isinstance(r["nearest_box"], str)
                else "—"
                for r in rows
            ],
            text("suggestions.col.box_m", lang): [number(d) for d in sites["nearest_box_m"]],
            text("col.unit", lang): [_name(u, names) for u in sites["police_unit"]],
            text("suggestions.col.latlon", lang): [f"{r['lat']:.5f}, {r['lon']:.5f}" for r in rows],
        }
    )
