"""The router and the shared frame: language, reporting week, banners, attribution."""

from __future__ import annotations

import streamlit as st

from analytics.config import default_station
from ui import data
from ui.i18n import text
from ui.state import view
from ui.widgets import footer, presentation_mode, sidebar_frame

station = default_station()
state = view()
lang = state.lang
st.set_page_config(
    page_title=text("app.title", lang, station=station.name if lang == "ko" else station.name_en),
    page_icon="🚓",
    layout="wide",
    initial_sidebar_state="collapsed" if state.present else "auto",
)

PAGES = [
    ("pages/brief.py", "brief", "🗓️", True),
    ("pages/map.py", "map", "🗺️", False),
    ("pages/suggestions.py", "suggestions", "📮", False),
    ("pages/unit.py", "unit", "🏢", False),
    ("pages/data.py", "data", "🗄️", False),
]

url = data.store_url()
version = data.data_version(url)
state = sidebar_frame(lang, url, version)
lang = state.lang
presentation_mode(state)
if data.overview(url, version)["synthetic"]:
    st.warning(text("frame.synthetic", lang))

page = st.navigation(
    [
        st.Page(path, title=text(f"nav.{name}", lang), icon=icon, url_path=name, default=default)
        for path, name, icon, default in PAGES
    ],
    position="hidden" if state.present else "sidebar",
)
page.run()
if not state.present:
    footer(lang)
