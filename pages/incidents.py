"""사건·112: weekly trends per category with holidays marked, this period against the
last and the 4-week mean, the weekday × hour pattern, 112 priority codes and the map."""

from __future__ import annotations

import streamlit as st

from analytics.compute.changes import legend as changes_legend
from analytics.compute.incidents import CATEGORY_CODES
from ui import data
from ui import data_incidents as di
from ui.charts import chart_spec, show_chart
from ui.i18n import day_range, number, text
from ui.state import update_view, view
from ui.widgets import change_metric, share_box

state = view()
lang = state.lang
db_url = data.store_url()
version = data.data_version(db_url)
st.title(text("incidents.title", lang))
if state.week is None:
    st.info(text("frame.empty", lang))
    st.stop()
start, end = state.query.require_period()
st.caption(text("frame.period", lang, range=day_range(start, end, lang)))
holidays = data.holidays(start, end, lang)
if holidays:
    names = ", ".join(f"{d:%m.%d} {n}" for d, n in holidays)
    st.caption(text("incidents.holidays", lang, names=names))

labels = di.category_options(lang)
shown = di.chosen(state.query.categories)
picked = st.multiselect(
    text("incidents.filter", lang),
    list(CATEGORY_CODES),
    default=list(shown),
    format_func=labels.get,
    placeholder=text("incidents.filter_all", lang),
    key="i_cats",
)
if set(picked) != set(shown):
    state = update_view(categories=di.with_incident_categories(state.query.categories, picked))
cats = di.chosen(state.query.categories)

s = di.summary(db_url, version, start, end, cats)
mean_label = text("incidents.mean_week" if state.span == "week" else "incidents.mean_28d", lang)
c1, c2, c3 = st.columns(3)
c1.metric(
    text("incidents.count", lang),
    number(s["count"]),
    **change_metric(s["change"], lang),
    delta_description=text("incidents.vs_prev", lang),
    help=s["change"].verdict(lang),
)
c2.metric(text("incidents.previous", lang), number(s["previous"]))
c3.metric(
    mean_label,
    number(s["mean_4w"], 1),
    help=text("incidents.vs_mean", lang, pct=s["vs_4w"].text(lang))
    + " · "
    + s["vs_4w"].verdict(lang),
)

st.subheader(text("incidents.trend", lang))
weekly = di.weekly(db_url, version, end, cats)
show_chart(
    chart_spec(
        lambda: di.trend_chart(weekly, start, end, lang),
        cache_key=("incidents.trend", db_url, version, start, end, cats, lang),
    )
)
first, last = weekly["week_start"].iloc[0], weekly["week_end"].iloc[-1]
st.caption(text("incidents.trend_caption", lang, range=day_range(first, last, lang)))

st.subheader(text("incidents.changes", lang))
table = di.changes_table(di.changes(db_url, version, start, end, cats), lang, state.span)
st.dataframe(table, hide_index=True, width="stretch")
st.caption(changes_legend(lang))

left, right = st.columns([3, 2])
with left:
    st.subheader(text("incidents.heatmap", lang))
    show_chart(
        chart_spec(
            lambda: di.heatmap_chart(di.matrix(db_url, version, start, end, cats), lang),
            cache_key=("incidents.heatmap", db_url, version, start, end, cats, lang),
        )
    )
    st.caption(text("incidents.heatmap_caption", lang))
with right:
    st.subheader(text("incidents.priority", lang))
    mix = di.priority(db_url, version, start, end, cats)
    show_chart(
        chart_spec(
            lambda: di.priority_chart(mix, lang),
            cache_key=("incidents.priority", db_url, version, start, end, cats, lang),
        )
    )
    st.caption(text("incidents.priority_caption", lang))

st.subheader(text("incidents.map", lang))
rows = di.period_incidents(db_url, version, start, end, cats)
if rows.empty:
    st.info(text("incidents.none", lang))
di.incident_map(rows, data_key=(db_url, version, start, end, cats), lang=lang)
st.caption(text("incidents.map_caption", lang, n=number(len(rows))))
share_box(state, lang, "incidents")
