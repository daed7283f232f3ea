"""민원: where the traffic section's complaints stand, how long they take, which are
overdue with which partner agency, what they are about and where."""

from __future__ import annotations

import streamlit as st

from analytics.compute.complaints import DEFAULT_OVERDUE_DAYS
from ui import data
from ui import data_complaints as dc
from ui.charts import chart_spec, show_chart
from ui.i18n import day, day_range, number, text
from ui.state import update_view, view
from ui.widgets import change_metric, share_box

state = view()
lang = state.lang
db_url = data.store_url()
version = data.data_version(db_url)
st.title(text("complaints.title", lang))
if state.week is None:
    st.info(text("frame.empty", lang))
    st.stop()
start, end = state.query.require_period()
last = day(dc.last_day(end), lang)
st.caption(text("frame.period", lang, range=day_range(start, end, lang)))

s = dc.summary(db_url, version, start, end)
res = dc.resolution(db_url, version, start, end)
c1, c2, c3 = st.columns(3)
c1.metric(
    text("complaints.received_now", lang),
    number(s["received"]),
    **change_metric(s["change"], lang, rise_is_bad=False),
    delta_description=text("complaints.vs_prev", lang),
    help=text("complaints.received_help", lang, prev=number(s["previous"]))
    + " · "
    + s["change"].verdict(lang),
)
c2.metric(text("complaints.resolved_now", lang), number(s["resolved"]))
c3.metric(
    text("complaints.open_now", lang),
    number(s["open"]),
    help=text("complaints.open_help", lang, day=last),
)

left, right = st.columns(2)
with left:
    st.subheader(text("complaints.pipeline", lang))
    counts = dc.pipeline(db_url, version, end)
    show_chart(
        chart_spec(
            lambda: dc.pipeline_chart(counts, lang),
            cache_key=("complaints.pipeline", db_url, version, end, lang),
        )
    )
    st.caption(text("complaints.pipeline_caption", lang, day=last, n=number(counts.sum())))
with right:
    st.subheader(text("complaints.resolution", lang))
    if res["overall"]["n"] == 0:
        st.info(text("complaints.no_resolved", lang))
    else:
        for figures in dc.resolution_figures(res, lang):
            for col, (label, value) in zip(st.columns(2), figures, strict=True):
                col.metric(label, value)
        show_chart(
            chart_spec(
                lambda: dc.histogram_chart(res["histogram"], lang),
                cache_key=("complaints.histogram", db_url, version, start, end, lang),
            )
        )
        st.caption(
            text(
                "complaints.resolution_caption",
                lang,
                range=day_range(*res["window"], lang),
                recent=number(res["recent"]["n"]),
                n=number(res["overall"]["n"]),
            )
        )

st.subheader(text("complaints.overdue", lang))
shown_days = state.overdue or DEFAULT_OVERDUE_DAYS
min_days = st.slider(text("complaints.overdue_days", lang), 1, 90, shown_days, key="c_overdue_days")
if min_days != shown_days:
    state = update_view(overdue=None if min_days == DEFAULT_OVERDUE_DAYS else min_days)
late = dc.overdue(db_url, version, end, min_days)
st.metric(text("complaints.overdue_metric", lang, days=min_days), number(len(late)))
st.caption(text("complaints.overdue_caption", lang, day=last, days=min_days))
left, right = st.columns([1, 2])
with left:
    st.markdown(f"**{text('complaints.by_agency', lang)}**")
    agencies = dc.agencies(db_url, version, end, min_days)
    st.dataframe(dc.agency_table(agencies, lang), hide_index=True, width="stretch")
with right:
    st.markdown(f"**{text('complaints.list', lang)}**")
    if late.empty:
        st.info(text("complaints.overdue_none", lang))
    else:
        st.dataframe(dc.overdue_table(late, lang), hide_index=True, width="stretch")

rows = dc.period_complaints(db_url, version, start, end)
left, right = st.columns([1, 2])
with left:
    st.subheader(text("complaints.categories", lang))
    if rows.empty:
        st.info(text("complaints.none", lang))
    else:
        show_chart(
            chart_spec(
                lambda: dc.category_chart(dc.categories(db_url, version, start, end), lang),
                cache_key=("complaints.categories", db_url, version, start, end, lang),
            )
        )
with right:
    st.subheader(text("complaints.map", lang))
    dc.complaint_map(rows, data_key=(db_url, version, start, end), lang=lang)
    st.caption(text("complaints.map_caption", lang, day=last))
share_box(state, lang, "complaints")
