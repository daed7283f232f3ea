"""The router and the shared frame: language, reporting week, banners, attribution."""

from __future__ import annotations

import time

import streamlit as st

from analytics.access.identity import role_allows
from analytics.station.config import default_station
from ui import data, first_paint, preload, stations, warm
from ui.auth import sidebar_user, sign_in_page, signed_in_role
from ui.i18n import text
from ui.state import view
from ui.widgets import footer, presentation_mode, sidebar_frame, week_outside_note

station = default_station()
state = view()
lang = state.lang
st.set_page_config(
    page_title=text("app.title", lang, station=station.name if lang == "ko" else station.name_en),
    page_icon="🚓",
    layout="wide",
    initial_sidebar_state="collapsed" if state.present else "auto",
)

# (script, url path, icon, default page, least role that may open it). Material icons
# ship with Streamlit's own font, so they draw on PCs without an emoji font.
PAGES = [
    ("pages/brief.py", "brief", ":material/event:", True, "viewer"),
    ("pages/map.py", "map", ":material/map:", False, "viewer"),
    ("pages/suggestions.py", "suggestions", ":material/markunread_mailbox:", False, "viewer"),
    ("pages/complaints.py", "complaints", ":material/assignment:", False, "viewer"),
    ("pages/incidents.py", "incidents", ":material/phone_in_talk:", False, "viewer"),
    ("pages/unit.py", "unit", ":material/local_police:", False, "viewer"),
    ("pages/data.py", "data", ":material/database:", False, "analyst"),
]


def navigation(role: str | None, position: str):
    """Only the pages the role may open exist for this session (checked on the server)."""
    # Before sign-in every page is registered (hidden, none runs) so the URL path of a
    # shared link survives the sign-in form.
    allowed = PAGES if role is None else [p for p in PAGES if role_allows(role, p[4])]
    return st.navigation(
        [
            st.Page(
                path, title=text(f"nav.{name}", lang), icon=icon, url_path=name, default=default
            )
            for path, name, icon, default, _ in allowed
        ],
        position=position,
    )


db_url = data.store_url()
role = signed_in_role(db_url)
if role is None:
    # Nothing but the sign-in form reaches the browser; the URL (the shared view) stays.
    navigation(None, "hidden")
    sign_in_page(db_url, lang)
sidebar_user(lang)
# Before the station check, so that a refused link's "open my station" stays on its page.
page = navigation(role, "hidden" if state.present else "sidebar")
# The station (a link's ?station=, else the user's own), refused here when out of the
# user's scope: before any of its data is read.
station, state = stations.open_station(db_url, view(), lang)
if station.id != default_station().id:
    st.set_page_config(
        page_title=text(
            "app.title", lang, station=station.name if lang == "ko" else station.name_en
        )
    )
version = data.data_version(db_url)
state = sidebar_frame(lang, db_url, version)
lang = state.lang
presentation_mode(state)
if data.overview(db_url, version)["synthetic"]:
    st.warning(text("frame.synthetic", lang))
week_outside_note(db_url, version, state, lang)

first_run = not st.session_state.get("hs_preloaded")
if first_run and preload.installed():
    first_paint.expect()
started = time.perf_counter()
warm.note_activity()
page.run()
warm.note_activity()
warm.note_run(page.url_path, time.perf_counter() - started)
warm.first_run_done()  # the other pages' caches may fill now (ui.warm, started by ui.serve)
if first_run:  # a session's first run: see ui.preload
    first_paint.wait()
    st.session_state["hs_preloaded"] = True
    # The data page's uploader too, unless it is this page or the user may not open it.
    data_role = next(least for _, name, _, _, least in PAGES if name == "data")
    preload.mount_elements(uploader=page.url_path != "data" and role_allows(role, data_role))
if not state.present:
    footer(lang)
