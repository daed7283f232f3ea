"""지구대·파출소: one unit's week, its hotspots, and where and when to patrol (탄력순찰)."""

from __future__ import annotations

import streamlit as st

from analytics.compute.nearrepeat import DEFAULT_DISTANCE_M as DISTANCE_M
from analytics.compute.nearrepeat import DEFAULT_PERMUTATIONS as PERMUTATIONS
from analytics.compute.spacetime import NEAR_REPEAT_WEEKS
from ui import data
from ui import data_unit as du
from ui.i18n import day_range, number, text
from ui.maps import show_static_map, unit_map_options
from ui.state import update_view, view
from ui.tables import hotspot_table, literal_markdown
from ui.widgets import change_metric, privacy_note, share_box

state = view()
lang = state.lang
db_url = data.store_url()
version = data.data_version(db_url)
st.title(text("unit.title", lang))
if state.week is None:
    st.info(text("frame.empty", lang))
    st.stop()
start, end = state.query.require_period()

names = du.unit_names(lang)
units = list(names)
default = state.query.unit if state.query.unit in names else units[0]
unit = st.selectbox(
    text("unit.pick", lang), units, index=units.index(default), format_func=names.get, key="u_unit"
)
if unit != default:
    state = update_view(unit=unit)
period = day_range(start, end, lang)
st.subheader(text("unit.heading", lang, unit=names[unit], range=period))
st.caption(text("unit.townships", lang, names=", ".join(du.unit_townships(unit, lang))))

query = state.query.with_(unit=unit)
v = du.unit_view(db_url, version, query, lang)
vs = "brief.vs_last_week" if state.span == "week" else "unit.vs_previous_28d"
cols = st.columns(5)
for col, f in zip(cols, v["figures"], strict=False):
    col.metric(
        text(f"source.{f['source']}", lang),
        number(f["count"]),
        **change_metric(f["change"], lang, rise_is_bad=f["source"] == "incident"),
        delta_description=text(vs, lang),
        help=text(
            "unit.metric_help", lang, prev=number(f["previous"]), mean=number(f["mean_4w"], 1)
        )
        + " · "
        + f["change"].verdict(lang),
    )
cols[3].metric(
    text("col.open_complaints", lang),
    number(v["row"].get("open_complaints", 0)),
    help=text("unit.open_help", lang),
)
cols[4].metric(
    text("col.hotspots", lang), number(len(v["hotspots"])), help=text("unit.hotspots_help", lang)
)
if v["rank"]:
    st.caption(
        text(
            "unit.rank",
            lang,
            rank=v["rank"],
            n=v["n_units"],
            total=number(v["row"].get("total", 0)),
        )
    )

left, right = st.columns([1, 1])
with left:
    st.subheader(text("unit.map", lang))
    show_static_map(
        lambda: du.unit_map(v["hotspots"], v["gone"], unit=unit, lang=lang),
        **unit_map_options(db_url, version, query, lang),
    )
with right:
    st.subheader(text("unit.table", lang))
    if v["hotspots"].empty:
        st.info(text("unit.no_hotspots", lang, unit=names[unit]))
    else:
        st.dataframe(hotspot_table(v["hotspots"], lang), hide_index=True, width="stretch")
    st.caption(v["setting"])
    privacy_note(v["privacy"], lang)

st.subheader(text("unit.patrol", lang))
st.caption(text("unit.patrol_help", lang))
if v["targets_view"].empty:
    st.info(text("unit.no_targets", lang))
else:
    st.dataframe(v["targets_view"], hide_index=True, width="stretch")
st.markdown(f"**{text('unit.near_repeat', lang, weeks=NEAR_REPEAT_WEEKS)}**")
if v["near_repeat"]:
    st.markdown("\n".join(f"- {literal_markdown(s)}" for s in v["near_repeat"]))
else:
    st.caption(
        text("unit.near_repeat_none", lang, weeks=NEAR_REPEAT_WEEKS, distance=f"{DISTANCE_M:g}")
    )
st.caption(text("unit.near_repeat_help", lang, distance=f"{DISTANCE_M:g}", perms=PERMUTATIONS))

files = du.unit_files(db_url, version, query, lang)
st.caption(text("unit.downloads", lang))
for col, button in zip(
    st.columns(4), du.download_buttons(files, unit=unit, week=state.week, lang=lang), strict=True
):
    col.download_button(**button)
share_box(state, lang, "unit")
