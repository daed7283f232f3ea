"""Cached loaders and presentation for the 민원 (complaints) page.

The loaders take plain values (the store's URL, data version, period bounds, ints) and call
:mod:`analytics.compute.complaints`; "as of the end of the period" is always
:func:`analytics.compute.complaints.last_instant` of the period's end. The presentation
helpers turn their results into labelled tables, altair charts and the map.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from analytics.compute import complaints as cm
from analytics.compute.periods import Period
from analytics.presentation import maps
from analytics.station.categories import label as category_label
from analytics.storage.schema import COMPLAINT_STATUSES
from ui import data
from ui.i18n import day, number, text
from ui.maps import show_static_map

# Okabe–Ito, as analytics.presentation.maps: orange is the complaint colour.
STATUS_COLOURS = {"received": "#E69F00", "in_progress": "#56B4E9", "done": "#009E73"}
RECENT_COLOUR, EARLIER_COLOUR = "#E69F00", "#BBBBBB"
HIST_BIN_DAYS = 7


# --------------------------------------------------------------------------- loaders


def as_of(end: pd.Timestamp) -> pd.Timestamp:
    """The instant the page reads statuses at: the last one of the period."""
    return cm.last_instant(end)


def last_day(end: pd.Timestamp) -> pd.Timestamp:
    """The period's last calendar day, for "as of the end of {day}"."""
    return end - pd.Timedelta(days=1)


@st.cache_data(show_spinner=False, max_entries=16)
def summary(db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp) -> dict:
    """Received / resolved in the period, against the period before; open at its end."""
    return cm.received_summary(data.events(db_url, version), period=Period(start, end))


@st.cache_data(show_spinner=False, max_entries=16)
def pipeline(db_url: str, version: str, end: pd.Timestamp) -> pd.Series:
    return cm.pipeline_counts(data.events(db_url, version), as_of=as_of(end))


def recent_window(start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The last 28 days of the period (or the whole period when it is longer)."""
    return min(start, end - pd.Timedelta(days=cm.RECENT_DAYS)), end


@st.cache_data(show_spinner=False, max_entries=16)
def resolution(db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp) -> dict:
    """Days to resolve: the last 28 days and everything resolved before the period ends."""
    ev = data.events(db_url, version)
    first, _ = recent_window(start, end)
    recent = cm.resolution_days(ev, start=first, end=end)
    overall = cm.resolution_days(ev, end=end)
    upper = int(overall.max()) + 1 if len(overall) else 0
    hist_recent = cm.resolution_histogram(recent, bin_days=HIST_BIN_DAYS, upper=upper)
    hist_all = cm.resolution_histogram(overall, bin_days=HIST_BIN_DAYS, upper=upper)
    hist = hist_all[["lo", "hi"]].copy()
    hist["recent"] = hist_recent["count"].to_numpy()
    hist["earlier"] = hist_all["count"].to_numpy() - hist["recent"]
    return {
        "window": (first, end),
        "recent": cm.resolution_stats(recent),
        "overall": cm.resolution_stats(overall),
        "histogram": hist,
    }


@st.cache_data(show_spinner=False, max_entries=32)
def overdue(db_url: str, version: str, end: pd.Timestamp, min_days: int) -> pd.DataFrame:
    return cm.overdue(data.events(db_url, version), as_of=as_of(end), min_days=int(min_days))


@st.cache_data(show_spinner=False, max_entries=32)
def agencies(db_url: str, version: str, end: pd.Timestamp, min_days: int) -> pd.DataFrame:
    return cm.by_agency(data.events(db_url, version), as_of=as_of(end), min_days=int(min_days))


@st.cache_data(show_spinner=False, max_entries=16)
def categories(db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    return cm.category_counts(data.events(db_url, version), start=start, end=end)


@st.cache_data(show_spinner=False, max_entries=16)
def period_complaints(
    db_url: str, version: str, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """Complaints received in the period, with their status at its end (for the map)."""
    return cm.complaints_in(data.events(db_url, version), start=start, end=end)


# --------------------------------------------------------------------------- presentation


def days_text(value: float | None, lang: str) -> str:
    return "—" if value is None else text("complaints.days", lang, n=number(value, 1))


def status_text(status: str, lang: str) -> str:
    return text(f"complaints.status.{status}", lang)


def resolution_figures(res: dict, lang: str) -> list[list[tuple[str, str]]]:
    """Rows of (label, value): the median and 90th percentile, last 28 days and overall."""
    return [
        [
            (
                f"{text(f'complaints.{window}', lang)} · {text(f'complaints.{stat}', lang)}",
                days_text(res[window][stat], lang),
            )
            for stat in ("median", "p90")
        ]
        for window in ("recent", "overall")
    ]


def pipeline_chart(counts: pd.Series, lang: str):
    """One bar per step, 접수 → 처리중 → 완료, with its count written on it."""
    status_col, n_col = text("complaints.col.status", lang), text("complaints.count", lang)
    frame = pd.DataFrame(
        {
            status_col: [status_text(s, lang) for s in COMPLAINT_STATUSES],
            n_col: [int(counts.get(s, 0)) for s in COMPLAINT_STATUSES],
            "colour": [STATUS_COLOURS[s] for s in COMPLAINT_STATUSES],
        }
    )
    order = frame[status_col].tolist()
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{status_col}:N", sort=order, title=None),
        x=alt.X(f"{n_col}:Q", title=n_col),
        tooltip=[status_col, n_col],
    )
    bars = base.mark_bar().encode(color=alt.Color("colour:N", scale=None, legend=None))
    labels = base.mark_text(align="left", dx=4).encode(text=f"{n_col}:Q")
    return (bars + labels).properties(height=160)


def histogram_chart(hist: pd.DataFrame, lang: str):
    """Days to resolve in weekly bins: the last 28 days at the bottom, earlier ones on top."""
    days_col = text("complaints.hist_days", lang)
    window_col = text("complaints.hist_window", lang)
    n_col = text("complaints.count", lang)
    recent, earlier = text("complaints.hist_recent", lang), text("complaints.hist_earlier", lang)
    rows = []
    for r in hist.itertuples():
        span = f"{r.lo}–{r.hi - 1}"
        # Stacked by hand (y0..y1): ranged bars on a day axis keep a long tail readable.
        for window, y0, n in ((recent, 0, r.recent), (earlier, r.recent, r.earlier)):
            rows.append(
                {
                    days_col: span,
                    "lo": r.lo,
                    "hi": r.hi,
                    "y0": int(y0),
                    "y1": int(y0 + n),
                    window_col: window,
                    n_col: int(n),
                }
            )
    frame = pd.DataFrame(rows)
    return (
        alt.Chart(frame)
        .mark_rect(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("lo:Q", title=days_col),
            x2="hi:Q",
            y=alt.Y("y0:Q", title=n_col),
            y2="y1:Q",
            color=alt.Color(
                f"{window_col}:N",
                scale=alt.Scale(domain=[recent, earlier], range=[RECENT_COLOUR, EARLIER_COLOUR]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[alt.Tooltip(f"{days_col}:N"), window_col, n_col],
        )
        .properties(height=260)
    )


def _agency(value, lang: str) -> str:
    return text("complaints.no_agency", lang) if value == cm.NO_AGENCY else str(value)


def agency_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Partner agency, open, overdue, oldest open complaint."""
    return pd.DataFrame(
        {
            text("complaints.col.agency", lang): [_agency(a, lang) for a in table["agency"]],
            text("complaints.col.overdue", lang): table["overdue"].to_numpy(),
            text("complaints.col.open", lang): table["open"].to_numpy(),
            text("complaints.col.oldest", lang): table["oldest_days"].to_numpy(),
        }
    )


def overdue_table(late: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The overdue list, oldest first. Place and request are resident text (masked)."""
    return pd.DataFrame(
        {
            text("complaints.col.id", lang): late["complaint_id"].fillna("—").to_numpy(),
            text("complaints.col.received", lang): [day(d, lang) for d in late["received_at"]],
            text("col.category", lang): [
                category_label("complaint", str(c), lang) for c in late["category"]
            ],
            text("complaints.col.agency", lang): [_agency(a, lang) for a in late["agency"]],
            text("col.place", lang): late["place"].fillna("—").to_numpy(),
            text("complaints.col.status", lang): [status_text(s, lang) for s in late["status_at"]],
            text("complaints.col.days_open", lang): late["days_open"].to_numpy(),
            text("complaints.col.request", lang): late["description"].fillna("").to_numpy(),
        }
    )


def category_chart(counts: pd.DataFrame, lang: str):
    """Horizontal bars, most frequent category on top."""
    cat_col, n_col = text("col.category", lang), text("complaints.count", lang)
    frame = pd.DataFrame(
        {
            cat_col: (counts["label_ko"] if lang == "ko" else counts["label_en"]).to_numpy(),
            n_col: counts["count"].to_numpy(),
        }
    )
    return (
        alt.Chart(frame)
        .mark_bar(color=STATUS_COLOURS["received"])
        .encode(
            x=alt.X(f"{n_col}:Q", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y(f"{cat_col}:N", sort="-x", title=None),
            tooltip=[cat_col, n_col],
        )
    )


def complaint_map(rows: pd.DataFrame, *, data_key: tuple, lang: str, height: int = 460) -> None:
    """This period's complaints as clustered points: open and resolved as two layers.

    ``data_key``: the plain values ``rows`` were loaded with (the map is cached on them).
    """
    show_static_map(
        lambda: build_complaint_map(rows, lang=lang),
        cache_key=("complaints", *data_key, lang),
        height=height,
    )


def build_complaint_map(rows: pd.DataFrame, *, lang: str):
    geo = data.geography()
    m = maps.base_map(geo, lang=lang)
    is_open = rows["is_open"].to_numpy(dtype=bool)
    for layer, part in (("map_open", rows[is_open]), ("map_done", rows[~is_open])):
        if len(part):
            maps.add_event_points(
                m, part, lang=lang, name=text(f"complaints.{layer}", lang), show=True
            )
    maps.add_landmarks(m, geo.landmarks, lang=lang, show=False)
    maps.add_layer_control(m)
    maps.use_local_assets(m)
    return m
