"""Shared widgets: the sidebar frame, the share link, presentation mode, tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analytics.station.clock import local
from ui import data, preload
from ui.i18n import LANGS, text, week_option
from ui.state import ViewState, set_view, share_url, view

# Always: a Markdown table wider than its column scrolls instead of running off the page
# (English labels are long), and its cells are a little tighter than Streamlit's.
PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"], [data-testid="stToolbar"], footer {display: none !important;}
.block-container {padding-top: 0.6rem !important; padding-bottom: 0 !important; max-width: 100% !important;}
html, body, [data-testid="stAppViewContainer"] {font-size: 20px;}
h1 {font-size: 2.0rem !important; margin: 0 0 0.2rem 0 !important; padding: 0 !important;}
h2, h3 {font-size: 1.35rem !important; margin: 0.2rem 0 0.3rem 0 !important; padding: 0 !important;
        line-height: 1.5 !important;}
[data-testid="stMetricValue"] {font-size: 2.4rem !important;}
[data-testid="stMetricLabel"] p {font-size: 1.1rem !important;}
[data-testid="stVerticalBlock"] {gap: 0.4rem !important;}
[data-testid="stMarkdown"] th, [data-testid="stMarkdown"] td {padding: 0.3rem 0.55rem !important;
        line-height: 1.35 !important;}
.block-container {padding-left: 1.5rem !important; padding-right: 1.5rem !important;}
/* The brief's map takes the height the screen leaves it (and its legend line under it),
   never under 300 px. */
.st-key-hs_brief_map iframe, .st-key-hs_brief_map [data-testid="stElementContainer"]:has(> iframe) {
  height: clamp(300px, calc(100vh - 370px), 580px) !important; flex-basis: auto !important;}
.hs-legend-line {font-size: 0.95rem; line-height: 1.5;}
/* The top table in Korean: only the place may wrap (지구대 or 지속 broken in two reads
   badly; English words wrap between words). */
.st-key-hs_top_ko th, .st-key-hs_top_ko td:not(:nth-child(2)) {white-space: nowrap;}
/* A 1280×720 projector: smaller type, the figures without their second line, the
   synthetic-data banner on one thin line, the top table without its categories, fewer
   action lines. */
@media (max-height: 820px) {
  html, body, [data-testid="stAppViewContainer"] {font-size: 16px;}
  h1 {font-size: 1.45rem !important; line-height: 1.4 !important; margin-bottom: 0.3rem !important;}
  h2, h3 {font-size: 1.1rem !important; line-height: 1.6 !important; margin-bottom: 0.25rem !important;}
  [data-testid="stMetricValue"] {font-size: 1.8rem !important;}
  [data-testid="stMetricLabel"] p {font-size: 0.95rem !important;}
  .st-key-hs_figures [data-testid="stCaptionContainer"] {display: none !important;}
  [data-testid="stAlert"] > div {padding: 0.3rem 0.8rem !important;}
  [data-testid="stVerticalBlock"] {gap: 0.25rem !important;}
  /* No accuracy line, and in English (two lines per action) the first action only: the
     top five rows and the map come first. */
  .st-key-hs_actions_en li:nth-child(n+2), .st-key-hs_accuracy {display: none !important;}
}
/* 1920×1080 in English: its rows and action lines run to two lines; two actions fit. */
@media (max-height: 1100px) {
  .st-key-hs_actions_en li:nth-child(n+3) {display: none !important;}
  [data-testid="stVerticalBlock"]:has(.st-key-hs_actions_en) .st-key-hs_accuracy {display: none !important;}
}
@media (max-width: 1500px) {
  .st-key-hs_brief_top th:nth-child(5), .st-key-hs_brief_top td:nth-child(5) {display: none;}
}
</style>
"""


def week_choices(first: pd.Timestamp | None, last_week: dt.date | None) -> list[dt.date]:
    """Meeting days from the first week with data to ``last_week``, newest first."""
    if first is None or last_week is None:
        return []
    first_day = local(first).date()
    weeks = []
    d = last_week
    while d - dt.timedelta(days=7) >= first_day - dt.timedelta(days=7) and len(weeks) < 200:
        weeks.append(d)
        d -= dt.timedelta(days=7)
    return weeks


def sidebar_frame(lang: str, db_url: str, version: str) -> ViewState:
    """Language, reporting week and span in the sidebar; returns the current view."""
    state = view()
    info = data.overview(db_url, version)
    default = data.default_week(db_url, version)
    if state.week is None and default is not None:
        state = state.with_(week=default)
    choices = week_choices(info["start"], max(filter(None, [default, state.week]), default=None))
    with st.sidebar:
        new_lang = st.radio(
            text("frame.language", lang),
            LANGS,  # its value comes from st.session_state["lang"], seeded from the link
            format_func=lambda v: text("widgets.language_name", v),  # each in itself
            horizontal=True,
            key="lang",
        )
        if choices:
            week = st.selectbox(
                text("frame.week", new_lang),
                choices,
                index=choices.index(state.week) if state.week in choices else 0,
                format_func=lambda d: week_option(d, new_lang),
                help=text("frame.week_help", new_lang),
                key="v_week",
            )
        else:
            week = state.week
        span = st.radio(
            text("frame.span", new_lang),
            ("week", "28d"),
            index=("week", "28d").index(state.span),
            format_func=lambda v: text(f"span.{v}", new_lang),
            horizontal=True,
            key="v_span",
        )
    state = state.with_(lang=new_lang, week=week, span=span)
    set_view(state)
    return state


def week_outside_note(db_url: str, version: str, state: ViewState, lang: str) -> None:
    """On every page: say so when the link's reporting week holds none of the station's
    data (the view stays as shared), and offer the latest week with data."""
    from ui.i18n import day_range

    info = data.overview(db_url, version)
    if state.week is None or info["start"] is None:
        return
    start, end = state.query.require_period()
    if end > info["start"] and start <= info["end"]:
        return
    latest = data.default_week(db_url, version)
    st.warning(
        text(
            "frame.week_outside",
            lang,
            period=day_range(start, end, lang),
            data=day_range(info["start"], info["end"] + pd.Timedelta(days=1), lang),
        )
    )
    if latest is not None and latest != state.week:

        def go_latest() -> None:
            # Before the rerun: the sidebar's week picker must not put the old week back.
            if "v_week" in st.session_state:
                st.session_state["v_week"] = latest
            set_view(state.with_(week=latest, hotspot=None))

        label = text("frame.week_latest", lang, week=week_option(latest, lang))
        st.button(label, key="frame_week_latest", on_click=go_latest)


def _eps_step(eps_m: float) -> int:
    """``eps_m`` on the eps slider: a multiple of its step of 5 m, inside its range."""
    from analytics.query import EPS_M_SLIDER

    return int(min(max(5 * round(float(eps_m) / 5), EPS_M_SLIDER[0]), EPS_M_SLIDER[1]))


def dbscan_controls(db_url: str, version: str, query, lang: str) -> tuple[bool, int, int]:
    """The "auto" toggle and the eps / min_samples sliders, in agreement: with auto on the
    sliders show the tuned (or the station's) setting the view uses, and turning auto off
    starts from it. Every bound is :mod:`analytics.query`'s."""
    from analytics.query import EPS_M_SLIDER, MIN_SAMPLES_SLIDER

    def clamp(value, bounds) -> int:
        return int(min(max(round(float(value)), bounds[0]), bounds[1]))

    c4, c5, c6 = st.columns([1, 2, 2])
    auto = c4.toggle(text("map.auto", lang), value=query.eps_m is None, key="m_auto")
    ss = st.session_state
    if auto:  # the setting the view will use, resolved (cached: the page asks again)
        used = data.hotspots(db_url, version, query.with_(eps_m=None, min_samples=None)).query
        ss["m_eps"] = _eps_step(used.eps_m)
        ss["m_min"] = clamp(used.min_samples, MIN_SAMPLES_SLIDER)
    else:  # a link's own values (inside analytics.query's bounds, clamped to the slider)
        ss.setdefault("m_eps", _eps_step(query.eps_m or 100))
        ss.setdefault("m_min", clamp(query.min_samples or 5, MIN_SAMPLES_SLIDER))
    eps = c5.slider(text("map.eps", lang), *EPS_M_SLIDER, step=5, disabled=auto, key="m_eps")
    min_samples = c6.slider(text("map.min", lang), *MIN_SAMPLES_SLIDER, disabled=auto, key="m_min")
    return auto, eps, min_samples


def kdistance_caption(curve, lang: str) -> str:
    """How to read the k-distance curve; a knee beyond the eps slider says so, with the
    slider's end as what the slider can offer."""
    from analytics.query import EPS_M_SLIDER

    said = text("map.kdist_caption", lang, k=curve.k, eps=f"{curve.eps_m:.0f}")
    if curve.eps_m > EPS_M_SLIDER[1]:
        said += " " + text("map.kdist_beyond", lang, max=EPS_M_SLIDER[1])
    return said


def share_box(state: ViewState, lang: str, path: str) -> None:
    """A "링크 복사" button: a dialog with the link that reproduces this view.

    The link is shown in ``st.code`` for its copy button. It sits in a dialog
    because st.code's highlighter is a large script that the browser would
    otherwise load before it draws anything on the page.
    """
    base = str(getattr(st.context, "url", "") or "http://127.0.0.1:8501/")
    base = base.split("?")[0].rsplit("/", 1)[0] if "/" in base.split("//", 1)[-1] else base
    link = share_url(base, path, state)
    if st.button(
        text("frame.share", lang),
        icon=":material/link:",
        key=f"share_{path}",
        help=text("frame.share_help", lang),
    ):

        @st.dialog(text("frame.share", lang), width="large")
        def show_link() -> None:
            st.caption(text("frame.share_help", lang))
            st.code(link, language=None)

        show_link()


def presentation_mode(state: ViewState) -> None:
    """The frame's CSS (unless the served page carries it: :func:`ui.preload.index_html`),
    and the projector's large type when ``state.present``."""
    css = ("" if preload.installed() else preload.FRAME_CSS) + (
        PRESENT_CSS if state.present else ""
    )
    if css:
        st.markdown(css, unsafe_allow_html=True)  # our own CSS, no user text


def footer(lang: str) -> None:
    from ui.stations import current_station

    station = current_station()
    st.divider()
    attribution = station.attribution_ko if lang == "ko" else station.attribution
    st.caption(text("frame.attribution", lang, attribution=attribution))


def change_metric(change, lang: str, *, rise_is_bad: bool = True) -> dict:
    """``st.metric``'s delta arguments for an :class:`analytics.compute.changes.Change`.

    The delta is the change as the analytics word it ('+12.5%', or '+4' when the counts
    are too small for a percentage); the arrow follows its direction; the colour is the
    exact test's: grey when the change could be chance, else red for a rise and green
    for a fall (``rise_is_bad``: incidents) or blue either way (suggestions, complaints:
    more is neither good nor bad). None gives no delta.
    """
    if change is None:
        return {"delta": None}
    arrow = {"up": "up", "down": "down"}.get(change.direction, "off")
    if not change.significant:
        colour = "off"
    elif rise_is_bad:
        colour = "red" if change.direction == "up" else "green"
    else:
        colour = "blue"
    return {"delta": change.delta(lang), "delta_color": colour, "delta_arrow": arrow}


def privacy_note(view_data: dict, lang: str, *, places: bool = False) -> None:
    """What the privacy rule did to this view, said where the hotspots are shown.

    Only a viewer's view ever has withheld hotspots or raised parameters
    (:mod:`analytics.access.privacy`); analysts see nothing here. ``places``: also say that
    sensitive cases come without their places (on pages that draw event points).
    """
    if places and view_data.get("masked"):
        st.caption(":material/shield_lock: " + text("privacy.places", lang))
    withheld = int(view_data.get("withheld", 0))
    if withheld:
        st.caption(":material/shield_lock: " + text("privacy.withheld", lang, n=withheld))
    if view_data.get("raised"):
        setting = view_data["setting"]
        st.caption(
            ":material/shield_lock: "
            + text("privacy.raised", lang, eps=f"{setting.eps_m:g}", min=f"{setting.min_samples:g}")
        )
