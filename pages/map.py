"""핫스팟 지도: choose sources, weights, categories and DBSCAN settings; read a hotspot."""

from __future__ import annotations

import altair as alt
import streamlit as st

from analytics.compute.gistar import DEFAULT_CELL_M as GI_CELL_M
from analytics.compute.significance import ALPHA, N_SIMULATIONS
from analytics.query import WEIGHT_SLIDER
from analytics.station.clock import weekday_names
from analytics.storage.schema import SOURCES
from ui import data
from ui.accuracy import show_weekly_accuracy
from ui.charts import chart_spec, show_chart
from ui.community import cpted_buttons
from ui.decisions import cpted_answer_form, decision_form
from ui.i18n import day, day_range, number, text
from ui.maps import hotspot_map, map_page_options, picked_point
from ui.places import add_place_form, pick_mode, places_table, profile_places, saved_message
from ui.state import update_view, view
from ui.tables import hotspot_table, without_chance
from ui.tables_map import (
    category_options,
    for_unit,
    heatmap_frame,
    hotspot_downloads,
    hotspot_places,
    hotspot_row,
    kdistance_frame,
    member_events,
)
from ui.widgets import dbscan_controls, kdistance_caption, privacy_note, share_box

state = view()
lang = state.lang
db_url = data.store_url()
version = data.data_version(db_url)
st.title(text("map.title", lang))
if state.week is None:
    st.info(text("frame.empty", lang))
    st.stop()
query = state.query
start, end = query.require_period()
st.caption(text("frame.period", lang, range=day_range(start, end, lang)))
geo = data.geography()

c1, c2, c3 = st.columns([2, 2, 1])
sources = c1.multiselect(
    text("map.sources", lang),
    SOURCES,
    default=list(query.sources),
    format_func=lambda s: text(f"source.{s}", lang),
    key="m_sources",
) or list(SOURCES)
cats = category_options(sources, lang)
categories = c2.multiselect(
    text("map.categories", lang),
    list(cats),
    default=[c for c in query.categories if c in cats],
    format_func=cats.get,
    placeholder=text("map.categories_all", lang),
    key="m_cats",
)
units = ["", *geo.police_units["unit"]]
unit = c3.selectbox(
    text("map.unit", lang),
    units,
    index=units.index(query.unit) if query.unit in units else 0,
    format_func=lambda u: u or text("map.unit_all", lang),
    key="m_unit",
)
auto, eps, min_samples = dbscan_controls(db_url, version, query, lang)
with st.expander(text("map.weights", lang)):
    wcols = st.columns(len(SOURCES))
    weights = {
        s: wcols[i].slider(
            text("map.weight", lang, source=text(f"source.{s}", lang)),
            *WEIGHT_SLIDER,
            float(query.weight_map()[s]),
            step=0.5,
            key=f"m_w_{s}",
        )
        for i, s in enumerate(SOURCES)
    }
state = update_view(
    sources=tuple(s for s in SOURCES if s in sources),
    categories=tuple(categories),
    unit=unit or None,
    eps_m=None if auto else float(eps),
    min_samples=None if auto else float(min_samples),
    weights=weights,
)
query = state.query

answer = data.hotspots(db_url, version, query)
hotspots = for_unit(answer.shown.current, query.unit)
hide_chance = st.checkbox(
    text("map.hide_chance", lang),
    key="m_chance",
    help=text("map.hide_chance_help", lang, sims=N_SIMULATIONS, alpha=f"{ALPHA:g}"),
)
chance_hidden = 0
if hide_chance:
    hotspots, chance_hidden = without_chance(hotspots)
st.caption(
    text(
        "map.summary",
        lang,
        n=len(hotspots),
        clustered=number(answer.shown.n_clustered),
        inside=number(answer.n_in_hotspots),
        setting=answer.sentence(lang),
        backend=answer.shown.dbscan_backend,
    )
)
if chance_hidden:
    st.caption(text("map.chance_hidden", lang, n=chance_hidden))
if answer.significance_kept < 1:  # a view too large to simulate whole
    st.caption(text("map.chance_thinned", lang, pct=f"{100 * answer.significance_kept:.1f}"))
privacy_note(data.privacy_effect(answer), lang, places=True)
period_events = data.period_events(db_url, version, start, end, query.sources, query.categories)
options = map_page_options(answer, period_events, db_url, version, state, hide_chance=hide_chance)
saved_message(lang)
picking = pick_mode(lang)  # analysts: a click picks a point for an officers' place
clicked = hotspot_map(**options, pick=picking)
add_place_form(db_url, version, picked_point(options["key"]) if picking else None, lang)
gi = options["gi_cells"]
st.caption(
    text(
        "map.gistar",
        lang,
        n=len(gi),
        n3=int((gi["gi_bin"] == 3).sum()),
        cell=f"{GI_CELL_M:g}",
    )
)
places = hotspot_places(hotspots, lang)
# A click names a hotspot of this map, or nothing: the browser's word is not taken for it.
if clicked in places and clicked != state.hotspot:
    update_view(hotspot=clicked)
    st.session_state["m_pick"] = clicked  # the picker below shows it (it keeps its own value)
    st.rerun()

st.subheader(text("map.table", lang))
emerging = data.hotspot_emerging(db_url, version, query)
# Metres to the nearest camera, light and bell, from the polygons this role receives.
hotspots = data.with_facility_distances(db_url, version, hotspots)
st.dataframe(
    hotspot_table(hotspots, lang, emerging=emerging), hide_index=True, width="stretch", height=300
)
hotspot_downloads(hotspots, state.week, lang)
st.caption(text("map.emerging_help", lang))
ids = ["", *places]
picked = st.selectbox(
    text("map.pick", lang),
    ids,
    index=ids.index(state.hotspot) if state.hotspot in ids else 0,
    format_func=lambda h: f"{places[h]} ({h})" if h else text("map.none", lang),
    key="m_pick",
)
if (picked or None) != state.hotspot:
    state = update_view(hotspot=picked or None)

if state.hotspot in places:
    h = hotspot_row(hotspots, state.hotspot)
    st.subheader(text("map.profile", lang, place=places[state.hotspot]))
    st.caption(
        text(
            "map.profile_counts",
            lang,
            inc=h["n_incident"],
            com=h["n_complaint"],
            sug=h["n_suggestion"],
            area=number(h["area_m2"]),
            first=day(h["first_event"], lang),
            last=day(h["last_event"], lang),
        )
    )
    st.caption(
        text(
            "map.type_help",
            lang,
            type=text(f"type.{h['type']}", lang),
            help=text(f"type.{h['type']}.help", lang),
        )
    )
    st.markdown(text("map.patrol", lang, windows=h["patrol_text"] or "—"))
    profile_places(db_url, version, h, lang)

    def profile_chart():
        return (
            alt.Chart(heatmap_frame(h["hour_weekday"], lang))
            .mark_rect()
            .encode(
                x=alt.X("hour:O", title=text("map.hour", lang)),
                y=alt.Y(
                    "weekday:N",
                    sort=weekday_names(lang),
                    title=text("map.weekday", lang),
                ),
                color=alt.Color(
                    "n:Q", title=text("map.count", lang), scale=alt.Scale(scheme="orangered")
                ),
                tooltip=["weekday", "hour", "n"],
            )
        )

    show_chart(
        chart_spec(
            profile_chart,
            cache_key=("map.profile", db_url, version, query, state.hotspot, lang),
        )
    )
    st.caption(text("map.events", lang))
    st.dataframe(
        member_events(period_events, answer.shown.event_hotspot, state.hotspot, lang),
        hide_index=True,
        width="stretch",
    )
    cpted_buttons(db_url, version, query, h, state.week, lang)
    decision_form(db_url, version, state.week, h, lang)
    cpted_answer_form(db_url, version, state.week, h, lang)

places_table(db_url, version, lang)
with st.expander(text("map.accuracy.title", lang)):
    acc = data.accuracy(db_url, version, query)
    if acc:
        st.markdown(f"**{text('brief.accuracy', lang)}** — {acc.accuracy_sentence(lang)}")
    show_weekly_accuracy(db_url, version, query, lang)

if st.checkbox(text("map.kdist", lang), key="m_kdist"):
    curve = data.kdistance(
        db_url, version, start, end, query.sources, int(query.min_samples or min_samples)
    )
    if curve is not None:
        st.caption(kdistance_caption(curve, lang))
        st.line_chart(kdistance_frame(curve.distances_m, lang))
share_box(state, lang, "map")
