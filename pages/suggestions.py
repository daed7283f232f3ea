"""여기 무서워요 소리함: cards per box and week, where the boxes stood, the hours and
worries residents wrote, fear hotspots with CPTED measures, and where to go next."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.compute.suggestions import NEAR_BOX_M
from ui import data
from ui import data_suggestions as ds
from ui.charts import chart_spec, show_chart
from ui.community import box_notice_section
from ui.i18n import day, day_range, number, text
from ui.maps_suggestions import suggestion_map
from ui.state import update_view, view
from ui.tables_suggestions import (
    BOX_GREEN,
    box_label,
    category_chart,
    fear_table,
    hours_frame,
    placement_table,
    sites_table,
    trend_chart,
)
from ui.widgets import change_metric, share_box

CELL_M, DEFAULT_NEXT_SITES = ds.CELL_M, ds.DEFAULT_NEXT_SITES
state = view()
lang = state.lang
db_url = data.store_url()
version = data.data_version(db_url)
st.title(text("suggestions.title", lang))
if state.week is None:
    st.info(text("frame.empty", lang))
    st.stop()
start, end = state.query.require_period()
st.caption(text("suggestions.period", lang, range=day_range(start, end, lang)))

boxes = ["", *ds.box_ids(db_url, version)]
# Boxes move: name each by where it stood on the period's last day.
sites = ds.box_sites(db_url, version, end)
shown_box = state.box if state.box in boxes else ""
box = st.selectbox(
    text("suggestions.box", lang),
    boxes,
    index=boxes.index(shown_box),
    format_func=lambda b: box_label(b, lang, sites) if b else text("suggestions.box_all", lang),
    key="s_box",
)
if box != shown_box:
    state = update_view(box=box or None)
box = box or None

s = ds.summary(db_url, version, start, end, box)
c1, c2, c3, c4 = st.columns(4)
c1.metric(
    text("suggestions.cards_now", lang),
    number(s["n"]),
    **change_metric(s["change"], lang, rise_is_bad=False),
    delta_description=text("suggestions.vs_prev", lang),
    help=s["change"].verdict(lang),
)
c2.metric(text("suggestions.cards_prev", lang), number(s["previous"]))
c3.metric(text("suggestions.boxes_used", lang), number(s["n_boxes"]))
c4.metric(text("suggestions.places", lang), number(s["n_places"]))

st.subheader(text("suggestions.trend", lang))
weekly = ds.weekly(db_url, version, start, end, box)
show_chart(
    chart_spec(
        lambda: trend_chart(weekly, start, end, lang, sites),
        cache_key=("suggestions.trend", db_url, version, start, end, box, lang),
    )
)
st.caption(
    text(
        "suggestions.trend_caption",
        lang,
        range=day_range(*ds.trend_window(db_url, version, start, end), lang),
    )
)

st.subheader(text("suggestions.map", lang))
map_slot = st.container()  # drawn last, once the candidate count is chosen

period_cards = ds.period_cards(db_url, version, start, end, box)
left, right = st.columns(2)
with left:
    st.subheader(text("suggestions.hours", lang))
    if period_cards.empty:
        st.info(text("suggestions.no_cards", lang))
    else:
        st.bar_chart(
            hours_frame(ds.slot_hours(db_url, version, start, end, box), lang), color=BOX_GREEN
        )
        st.caption(text("suggestions.hours_caption", lang))
with right:
    st.subheader(text("suggestions.categories", lang))
    if not period_cards.empty:
        counts = ds.categories(db_url, version, start, end, box)
        show_chart(
            chart_spec(
                lambda: category_chart(counts, lang),
                cache_key=("suggestions.categories", db_url, version, start, end, box, lang),
            )
        )

st.subheader(text("suggestions.history", lang))
placements = ds.placements(db_url, version, end)
st.dataframe(placement_table(placements, lang), hide_index=True, width="stretch")

st.subheader(text("suggestions.fear", lang))
fear = ds.fear_for(db_url, version, start, end, state)
if fear.empty:
    st.info(text("suggestions.fear_none", lang))
else:
    st.caption(text("suggestions.fear_caption", lang))
    st.dataframe(fear_table(fear, lang), hide_index=True, width="stretch")

box_notice_section(
    db_url,
    version,
    [box] if box else boxes,
    start,
    end,
    state.week,
    lang,
    lambda b, names=sites: box_label(b, lang, names),
)

st.subheader(text("suggestions.next", lang))
shown_top = state.top or DEFAULT_NEXT_SITES
top = st.slider(text("suggestions.top", lang), 1, 15, shown_top, key="s_top")
if top != shown_top:
    state = update_view(top=None if top == DEFAULT_NEXT_SITES else top)
sites = ds.next_sites(db_url, version, start, end, top, CELL_M)
first, last = ds.next_site_window(start, end)
st.caption(
    text(
        "suggestions.next_caption",
        lang,
        range=day_range(first, last, lang),
        cell=f"{CELL_M:g}",
        near=f"{NEAR_BOX_M / 1000:g}",
    )
)
if sites.empty:
    st.info(text("suggestions.next_none", lang))
else:
    st.dataframe(sites_table(sites, lang), hide_index=True, width="stretch")

with map_slot:
    on = end - pd.Timedelta(days=1)
    suggestion_map(
        fear=fear,
        placements=placements,
        cards=period_cards,
        sites=sites,
        on=on,
        cell_m=CELL_M,
        lang=lang,
        # What the frames above were loaded with: the view's query (its period), box, top.
        data_key=(db_url, version, state.query, box, top),
    )
    st.caption(text("suggestions.map_caption", lang, day=day(on, lang)))
share_box(state, lang, "suggestions")
