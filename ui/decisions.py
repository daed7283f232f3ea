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


def clear_after_decision() -> None:
    """Drop what a new decision or answer changes (the store's data version does not
    move with them): the follow-up, the CPTED list and the box notices."""
    from ui.community import box_notice

    follow_up_table.clear()
    cpted_table.clear()
    box_notice.clear()


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
            clear_after_decision()
            st.success(text("decision.saved", lang))


# --------------------------------------------------------------------------- CPTED answers


@st.cache_data(show_spinner=False, max_entries=16)
def cpted_table(db_url: str, version: str, week: dt.date) -> pd.DataFrame:
    """The CPTED requests of the last months' meetings and the city's answers."""
    from analytics.presentation.decisions import cpted_for_week

    return cpted_for_week(data.db_for(db_url), station=data.station_of(version), week=week)


def cpted_section(db_url: str, version: str, week: dt.date | None, lang: str) -> None:
    """In the brief: the CPTED requests sent to the city, answered or how long waiting."""
    from analytics.presentation.decisions import CPTED_LOOKBACK_DAYS, cpted_rows
    from ui.auth import is_viewer
    from ui.tables import markdown_table

    if week is None:
        return
    table = cpted_table(db_url, version, week)
    if table.empty:
        return
    st.subheader(text("decision.cpted_title", lang))
    st.markdown(markdown_table(cpted_rows(table, lang, notes=not is_viewer())))
    st.caption(text("decision.cpted_help", lang, days=CPTED_LOOKBACK_DAYS))
    # Any listed request, answered here (analysts only): a request whose area no longer
    # overlaps a current hotspot has no profile on the map page to answer it from.
    answer_form(db_url, version, table, lang, form="brief_answer", widgets="brief_ans")


def hotspot_requests(db_url: str, version: str, week: dt.date, hotspot) -> pd.DataFrame:
    """The CPTED requests (up to the meeting ``week``) about ``hotspot``: decided on its id
    or on a polygon that overlaps its own, with their latest answers."""
    import shapely

    from analytics.compute.followup import cpted_follow_up
    from analytics.storage.cpted_answers import read_answers
    from analytics.storage.decisions import read_decisions

    db, station = data.db_for(db_url), data.station_of(version)
    decided = read_decisions(db, station=station)
    if decided.empty:
        return pd.DataFrame()
    mine = (decided["hotspot_id"] == str(hotspot.name)).to_numpy(dtype=bool)
    area = hotspot.get("geometry")
    if area is not None:
        mine = mine | shapely.intersects(decided.geometry.to_numpy(), area)
    return cpted_follow_up(
        decided[mine], read_answers(db, station=station), as_of=week, include_as_of=True
    )


def cpted_answer_form(db_url: str, version: str, week: dt.date, hotspot, lang: str) -> None:
    """On a hotspot's profile: record the city's answer to a CPTED request about it
    (analysts only; nothing when no request was sent)."""
    from analytics.access.identity import role_allows
    from ui.auth import current_role

    if not role_allows(current_role(), "analyst"):
        return
    requests = hotspot_requests(db_url, version, week, hotspot)
    answer_form(db_url, version, requests, lang, form=f"answer_{hotspot.name}")


def answer_form(
    db_url: str, version: str, requests: pd.DataFrame, lang: str, *, form: str, widgets: str = "ans"
) -> None:
    """An expander with a form recording the city's answer to one of ``requests``
    (:func:`analytics.compute.followup.cpted_follow_up` rows); analysts only, nothing
    when there is none. ``form`` names the form, ``widgets`` starts its widgets' keys."""
    from analytics.access.identity import role_allows
    from analytics.presentation.decisions import answer_status
    from analytics.station.clock import today
    from analytics.storage.cpted_answers import FACILITIES, OUTCOMES, CptedAnswer, record_answer
    from ui.auth import current_role, current_user

    if not role_allows(current_role(), "analyst") or requests.empty:
        return
    labels = {
        int(r.id): text(
            "decision.answer_request_label",
            lang,
            week=day(r.week, lang),
            place=r.place,
            status=answer_status(r.outcome, r.answered_on, r.days_waiting, lang),
        )
        for r in requests.itertuples(index=False)
    }
    first = min(requests["week"])
    title = text("decision.answer_record", lang, n=len(requests))
    with st.expander(title), st.form(form):
        chosen = st.selectbox(
            text("decision.answer_request", lang),
            list(labels),
            index=len(labels) - 1,
            format_func=labels.get,
            key=f"{widgets}_request",
        )
        answered_on = st.date_input(
            text("decision.answer_date", lang),
            value=max(today().date(), first),
            min_value=first,
            key=f"{widgets}_date",
        )
        outcome = st.radio(
            text("decision.answer_outcome", lang),
            OUTCOMES,
            format_func=lambda o: text(f"decision.outcome.{o}", lang),
            horizontal=True,
            key=f"{widgets}_outcome",
        )
        kinds = st.multiselect(
            text("decision.answer_facilities", lang),
            FACILITIES,
            format_func=lambda k: text(f"decision.facility.{k}", lang),
            key=f"{widgets}_facilities",
        )
        note = st.text_area(
            text("decision.answer_note", lang), max_chars=2000, key=f"{widgets}_note"
        )
        if st.form_submit_button(text("decision.answer_save", lang)):
            try:
                record_answer(
                    data.db_for(db_url),
                    CptedAnswer(int(chosen), answered_on, outcome, tuple(kinds), note),
                    actor=current_user() or "local",
                    station=data.station_of(version),
                )
            except ValueError:
                st.error(text("decision.answer_too_early", lang))
                return
            clear_after_decision()
            st.success(text("decision.answer_saved", lang))
