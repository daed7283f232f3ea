"""The meeting's decisions: recorded from a hotspot's profile on the map page, followed up
at the top of next Friday's brief (:mod:`analytics.storage.decisions`,
:mod:`analytics.compute.followup`)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analytics.presentation.decisions import follow_up_caption, follow_up_rows
from analytics.storage.decisions import ACTIONS
from ui import data
from ui.i18n import day, text


@st.cache_data(show_spinner=False, max_entries=16)
def follow_up_table(db_url: str, version: str, week: dt.date) -> pd.DataFrame:
    """Last meeting's decisions (the meeting a week before ``week``) with incidents inside
    and around each hotspot the week before and after it."""
    from analytics.presentation.decisions import follow_up_for_week

    return follow_up_for_week(
        data.db_for(db_url),
        station=data.station_of(version),
        week=week,
        # Read only when last meeting decided something; counts only leave the server.
        events=lambda: data._store_events(db_url, version),
    )


def action_section(hotspots, lang: str, *, most: int = 5) -> None:
    """The three to five hotspots to act on, one line each (at the top of the brief; on
    the projector, the first ``most`` under the top table, in a container keyed
    ``hs_actions_<lang>``)."""
    from analytics.compute.brief import action_lines
    from ui.tables import area_names, literal_markdown

    lines = action_lines(hotspots, lang=lang, unit_names=area_names(lang), most=most)
    if not lines:
        return
    st.subheader(text("decision.act_on", lang))
    # Escaped: place names come from the station's files and the hotspots' landmarks.
    st.markdown("\n".join(f"{i}. {literal_markdown(line)}" for i, line in enumerate(lines, 1)))


def follow_up_section(db_url: str, version: str, week: dt.date | None, lang: str) -> None:
    """At the top of the brief: what last week's meeting decided, and what happened since."""
    from ui.auth import is_viewer
    from ui.tables import markdown_table

    if week is None:
        return
    table = follow_up_table(db_url, version, week)
    if table.empty:
        return
    st.subheader(text("decision.follow_up", lang, week=day(week - dt.timedelta(days=7), lang)))
    st.markdown(markdown_table(follow_up_rows(table, lang, notes=not is_viewer())))
    st.caption(follow_up_caption(table, lang))


def decision_form(db_url: str, version: str, week: dt.date, hotspot, lang: str) -> None:
    """Record what the meeting decided about ``hotspot`` (a profile row), analysts only."""
    from analytics.access.identity import role_allows
    from analytics.storage.decisions import Decision, record_decision
    from ui.auth import current_role, current_user

    if not role_allows(current_role(), "analyst"):
        return
    units = list(data.geography(version).police_units["unit"])
    title = text("decision.record", lang, week=day(week, lang))
    with st.expander(title), st.form(f"decide_{hotspot.name}"):
        action = st.radio(
            text("decision.col_action", lang),
            ACTIONS,
            format_func=lambda a: text(f"decision.action.{a}", lang),
            horizontal=True,
            key="dec_action",
        )
        own = hotspot.get("police_unit")
        owner = st.selectbox(
            text("decision.col_owner", lang),
            units,
            index=units.index(own) if own in units else 0,
            key="dec_owner",
        )
        due = st.date_input(
            text("decision.col_due", lang),
            value=week + dt.timedelta(days=14),
            min_value=week,
            key="dec_due",
        )
        note = st.text_area(text("decision.col_note", lang), max_chars=2000, key="dec_note")
        if st.form_submit_button(text("decision.save", lang)):
            record_decision(
                data.db_for(db_url),
                Decision(
                    week=week,
                    hotspot_id=str(hotspot.name),
                    place=str(hotspot.get("place") or hotspot.name),
                    area=hotspot.geometry,
                    action=action,
                    police_unit=own,
                    owner_unit=owner,
                    due_on=due,
                    note=note,
                ),
                actor=current_user() or "local",
                station=data.station_of(version),
            )
            follow_up_table.clear()
            st.success(text("decision.saved", lang))
