"""The router and the shared frame: title, language, synthetic-data banner, attribution."""

from __future__ import annotations

import streamlit as st

from analytics.config import default_station
from ui.data import load_overview, store_url, store_version
from ui.i18n import LANGS, text
from ui.state import current_lang, sync_lang_to_url, url_lang

station = default_station()
lang = current_lang()
st.set_page_config(page_title=text("app.title", lang, station=station.name), layout="wide")

with st.sidebar:
    st.radio(
        text("frame.language", lang),
        LANGS,
        index=LANGS.index(url_lang()),
        format_func=lambda v: {"ko": "한국어", "en": "English"}[v],
        horizontal=True,
        key="lang",
        on_change=sync_lang_to_url,
    )
lang = current_lang()

url = store_url()
if load_overview(url, store_version(url))["synthetic"]:
    st.warning(text("frame.synthetic", lang))

page = st.navigation(
    [st.Page("pages/overview.py", title=text("nav.overview", lang), icon="📊", default=True)]
)
page.run()

st.divider()
attribution = station.attribution_ko if lang == "ko" else station.attribution
st.caption(text("frame.attribution", lang, attribution=attribution))
