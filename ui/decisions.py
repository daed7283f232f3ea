"""The meeting's decisions: recorded from a hotspot's profile on the map page, followed up
at the top of next Friday's brief (:mod:`analytics.storage.decisions`,
:mod:`analytics.compute.followup`)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analytics.storage.decisions import ACTIONS
from ui import data
from ui.i18n import day, text


@st.cache_data(show_spinner=False, max_entries=16)
def follow_up_table(db_url: str, version: str, week: dt.date) -> pd.DataFrame:
    """Last meeting's decisions (the meeting a week before ``week``) with incidents inside
    and around each hotspot the week before and after it."""
    from analytics.compute.followup import follow_up
    from analytics.storage.decisions import read_decisions

    station = data.station_of(version)
    last = week - dt.timedelta(days=7)
    decided = read_decisions(data.db_for(db_url), station=station, weeks=(last,))
    if decided.empty:
        return pd.DataFrame()
    events = data._store_events(db_url, version)  # counts only leave the server
    as_of = events["occurred_at"].max() + pd.Timedelta(seconds=1) if len(events) else None
    followed = follow_up(decided, events, as_of=as_of, timezone=station.timezone)
    return pd.DataFrame(followed.drop(columns="geometry"))


def follow_up_view(table: pd.DataFrame, lang: str, *, notes: bool) -> pd.DataFrame:
    """The follow-up as the brief shows it: place, decision, unit, due date, counts."""

    def change(before, after) -> str:
        return f"{before} → {after}"

    out = pd.DataFrame(
        {
            text("decision.col_place", lang): table["place"],
            text("decision.col_action", lang): [
                text(f"decision.action.{a}", lang) for a in table["action"]
            ],
            text("decision.col_owner", lang): table["owner_unit"].fillna("—"),
            text("decision.col_due", lang): [day(d, lang) if d else "—" for d in table["due_on"]],
            text("decision.col_inside", lang): [
                change(b, a)
                for b, a in zip(table["inside_before"], table["inside_after"], strict=True)
            ],
            text("decision.col_around", lang): [
                change(b, a)
                for b, a in zip(table["around_before"], table["around_after"], strict=True)
            ],
        }
    )
    if notes:
        out[text("decision.col_note", lang)] = table["note"].fillna("")
    return out


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
    st.markdown(markdown_table(follow_up_view(table, lang, notes=not is_viewer())))
    caption = "decision.follow_up_help"
    if not bool(table["after_complete"].all()):
        caption = "decision.follow_up_partial"
    st.caption(text(caption, lang))


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
