"""Officers' own places on the map page, analysts only: pick a point on the map, choose a
category, write a note, save (:func:`analytics.access.audit.audited_add_place`); the
places near a hotspot in its profile; a place removed from the list.

A viewer never reaches any of this: :func:`may_edit` is False, the map's layer is empty
(:func:`ui.data.officer_places`), and the profile shows no count.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.storage.places import NOTE_MAX, PLACE_CATEGORIES, category_label
from ui import data
from ui.i18n import text

PICK_TOGGLE = "m_place_pick"


def may_edit() -> bool:
    """True for an analyst or admin (not a viewer, not a signed-out session)."""
    from analytics.access.identity import role_allows
    from ui.auth import current_role

    return role_allows(current_role(), "analyst")


def pick_mode(lang: str) -> bool:
    """The toggle that turns map clicks into picking a point (analysts only; the map
    page draws it above the map)."""
    if not may_edit():
        return False
    return st.toggle(
        text("places.form.pick", lang), key=PICK_TOGGLE, help=text("places.form.pick_help", lang)
    )


def add_place_form(db_url: str, version: str, point: tuple[float, float] | None, lang: str) -> None:
    """The form under the map while picking: the picked point, category, note, save."""
    from analytics.access.audit import audited_add_place
    from analytics.storage.places import PlaceError
    from ui.auth import current_user
    from ui.maps import picked_key

    if not may_edit() or not st.session_state.get(PICK_TOGGLE):
        return
    if point is None:
        st.info(text("places.form.click_map", lang))
        return
    lat, lon = point
    with st.form("place_add", clear_on_submit=True):
        st.caption(text("places.form.point", lang, lat=f"{lat:.6f}", lon=f"{lon:.6f}"))
        category = st.selectbox(
            text("places.form.category", lang),
            PLACE_CATEGORIES,
            format_func=lambda c: category_label(c, lang),
            key="place_category",
        )
        note = st.text_area(
            text("places.form.note", lang),
            max_chars=NOTE_MAX,
            help=text("places.form.note_help", lang, max=NOTE_MAX),
            key="place_note",
        )
        if not st.form_submit_button(text("places.form.save", lang)):
            return
    try:
        audited_add_place(
            data.db_for(db_url),
            current_user() or "local",
            lat=lat,
            lon=lon,
            category=category,
            note=note,
            station=data.station_of(version),
        )
    except PlaceError as exc:
        st.error(exc.text(lang))
        return
    st.session_state.pop(picked_key("m_map"), None)
    st.session_state["place_saved"] = category
    st.rerun()


def saved_message(lang: str) -> None:
    """Says a place was saved (the run after the save: the map shows it then)."""
    saved = st.session_state.pop("place_saved", None)
    if saved:
        st.success(text("places.form.saved", lang, category=category_label(saved, lang)))


def places_near(db_url: str, version: str, hotspot) -> dict[str, int]:
    """``{category: count}`` of the officers' places inside ``hotspot`` (a profile row
    with its polygon) or within 50 m; empty for a viewer."""
    import geopandas as gpd

    from analytics.compute.places import counts_of, place_counts

    places = data.officer_places(db_url, version)
    if places.empty or hotspot.geometry is None:
        return {}
    crs = data.station_of(version).analysis_crs
    points = gpd.GeoDataFrame(
        places, geometry=gpd.points_from_xy(places["x"], places["y"]), crs=crs
    )
    one = gpd.GeoDataFrame({"id": [hotspot.name]}, geometry=[hotspot.geometry], crs=crs)
    return counts_of(place_counts(one, points).iloc[0])


def profile_places(db_url: str, version: str, hotspot, lang: str) -> None:
    """In a hotspot's profile: the officers' places inside it or within 50 m, by category
    (analysts only)."""
    if not may_edit():
        return
    counts = places_near(db_url, version, hotspot)
    if not counts:
        st.caption(text("places.form.profile_none", lang))
        return
    parts = ", ".join(
        text("places.form.profile_item", lang, category=category_label(c, lang), n=n)
        for c, n in counts.items()
    )
    st.caption(text("places.form.profile", lang, parts=parts))


def places_table(db_url: str, version: str, lang: str) -> None:
    """The station's places, each removable (analysts only)."""
    from analytics.access.audit import audited_remove_place
    from analytics.storage.places import UnknownPlaceError
    from ui.auth import current_user

    if not may_edit():
        return
    places = data.officer_places(db_url, version)
    with st.expander(text("places.form.list", lang, n=len(places))):
        if places.empty:
            st.caption(text("places.form.list_empty", lang))
            return
        shown = pd.DataFrame(
            {
                text("places.form.col_id", lang): places["id"].astype(int),
                text("places.form.category", lang): [
                    category_label(c, lang) for c in places["category"]
                ],
                text("places.form.note", lang): places["note"].fillna(""),
                text("places.form.col_added", lang): places["added_by"]
                + " · "
                + places["added_at"].str[:10],
            }
        )
        st.dataframe(shown, hide_index=True, width="stretch")
        ids = [int(i) for i in places["id"]]
        c1, c2 = st.columns([3, 1])
        pick = c1.selectbox(text("places.form.remove_pick", lang), ids, key="place_remove_id")
        if c2.button(text("places.form.remove", lang), key="place_remove"):
            try:
                audited_remove_place(
                    data.db_for(db_url),
                    current_user() or "local",
                    pick,
                    station=data.station_of(version),
                )
            except UnknownPlaceError:
                st.error(text("places.form.unknown", lang))
                return
            st.rerun()
