"""Which station this session shows: the link's ``?station=``, else the user's own.

A user opens only the stations of their scope (:mod:`analytics.access.scope`): their
own, or every station of their province for a provincial user; this machine's own
analyst (no users, bound to 127.0.0.1) opens every station the installation knows. A
link to any other station is refused before anything is read, with a clear message,
and the refusal is audited. Every loader of :mod:`ui.data` is keyed on a data version
that names the station, so two stations' results never mix in a cache.

When the installation knows more than one station, the station is written into the
URL, so a shared link opens the same station for whoever may see it.
"""

from __future__ import annotations

import streamlit as st

from analytics.access.scope import StationScope, everywhere
from analytics.station.config import (
    STATION_ID,
    StationConfig,
    UnknownStationError,
    default_station,
    station_by_id,
    station_files,
)
from ui.i18n import text
from ui.state import ViewState, set_view

_KEY = "hs_station"


def current_station_id() -> str:
    """The id of the station this session shows (the configured one until chosen)."""
    try:
        return st.session_state.get(_KEY) or default_station().id
    except Exception:  # outside a Streamlit run (e.g. the warm-up)
        return default_station().id


def current_station() -> StationConfig:
    """The :class:`StationConfig` of the station this session shows."""
    return station_by_id(current_station_id())


def session_scope() -> StationScope:
    """The stations whoever is looking may open (set by :mod:`ui.auth` at sign-in)."""
    from ui.auth import LOCAL_ROLE, current_user

    home = st.session_state.get("auth_station")
    if home:
        return StationScope(home=home, province=st.session_state.get("auth_province"))
    if current_user() is None and st.session_state.get("auth_role") == LOCAL_ROLE:
        return everywhere()  # this machine's own analyst: no users in the store
    return StationScope(home=default_station().id)  # OIDC: the configured station's


def open_station(db_url: str, state: ViewState, lang: str) -> tuple[StationConfig, ViewState]:
    """The station this run shows, checked against the user's scope; stops the run
    with a message for a link to a station the user may not open.

    Draws the station picker in the sidebar when the user may open more than one.
    """
    scope = session_scope()
    asked = state.station
    if asked is not None and asked not in scope.stations:
        _refuse(db_url, asked, lang)
    chosen = asked or scope.home
    if len(scope.stations) > 1:
        with st.sidebar:
            chosen = st.selectbox(
                text("station.pick", lang),
                scope.stations,
                index=scope.stations.index(chosen),
                format_func=lambda sid: _station_name(sid, lang),
                help=text("station.pick_help", lang),
                key="v_station",
            )
    if chosen != st.session_state.get(_KEY) and st.session_state.get(_KEY) is not None:
        state = state.with_(hotspot=None)  # another station's hotspot means nothing here
    st.session_state[_KEY] = chosen
    if len(station_files()) > 1 or chosen != default_station().id:
        state = state.with_(station=chosen)  # links name the station
    if state != st.session_state.get("v_state"):
        set_view(state)
    return station_by_id(chosen), state


def _station_name(station_id: str, lang: str) -> str:
    station = station_by_id(station_id)
    return station.name if lang == "ko" else station.name_en


def _refuse(db_url: str, asked: str, lang: str) -> None:
    known = STATION_ID.fullmatch(asked) is not None
    if known:
        try:
            station_by_id(asked)
        except UnknownStationError:
            known = False
    if known:
        _audit_refusal(db_url, asked)
        st.error(text("station.refused", lang, station=asked))
    else:
        st.error(text("station.unknown", lang))
    if st.button(text("station.own", lang), key="station_own"):
        from ui.state import view

        set_view(view().with_(station=None, hotspot=None))
        st.rerun()
    st.stop()


def _audit_refusal(db_url: str, asked: str) -> None:
    from analytics.access.audit import audit
    from analytics.storage.connection import StoreBusyError
    from ui.auth import current_user
    from ui.db import db_for

    done = st.session_state.setdefault("station_refusals_audited", set())
    if asked in done:
        return
    try:
        audit(
            db_for(db_url),
            actor=current_user() or "local",
            action="station.refused",
            detail=f"station={asked}",
        )
    except StoreBusyError:
        return  # the next rerun tries again
    done.add(asked)
