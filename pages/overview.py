"""현황: what the store holds, per source, and the import history."""

from __future__ import annotations

import streamlit as st

from analytics.config import default_station
from analytics.schema import SOURCES
from ui.data import load_overview, store_url, store_version
from ui.i18n import number, text
from ui.state import current_lang

lang = current_lang()
station = default_station()
url = store_url()
data = load_overview(url, store_version(url))

st.title(text("app.title", lang, station=station.name if lang == "ko" else station.name_en))
st.subheader(text("overview.heading", lang))

counts = data["counts"]
if sum(counts.values()) == 0:
    st.info(text("overview.empty", lang))
cols = st.columns(len(SOURCES) + 1)
cols[0].metric(text("overview.total", lang), number(sum(counts.values())))
for col, source in zip(cols[1:], SOURCES, strict=True):
    col.metric(text(f"source.{source}", lang), number(counts[source]))

if data["start"] is not None:
    st.caption(
        text(
            "overview.period",
            lang,
            start=data["start"].strftime("%Y-%m-%d"),
            end=data["end"].strftime("%Y-%m-%d"),
        )
    )
if data["outside"]:
    st.caption(text("overview.outside", lang, n=number(data["outside"])))

st.subheader(text("overview.batches", lang))
shown = ["imported_at", "source", "file_name", "rows_imported", "rows_duplicate", "rows_rejected"]
shown += ["status", "synthetic"]
st.dataframe(
    data["batches"][shown].rename(columns={c: text(f"col.{c}", lang) for c in shown}),
    hide_index=True,
    width="stretch",
)
