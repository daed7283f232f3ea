"""Last meeting's decisions and what followed, as the brief and the meeting pack show
them (:mod:`analytics.storage.decisions`, :mod:`analytics.compute.followup`)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.station.clock import day_label
from analytics.text import text


def follow_up_for_week(db, *, station, week: dt.date, events) -> pd.DataFrame:
    """The decisions of the meeting a week before ``week`` with their follow-up counts
    (:func:`analytics.compute.followup.follow_up`, counted up to the data's end); an
    empty frame when that meeting recorded none.

    Parameters
    ----------
    db : sqlalchemy.Engine, the store
    station : StationConfig
    week : datetime.date, this meeting's day
    events : DataFrame, or a function that returns it
        The station's event frame (exact: only counts leave with the result); a function
        is called only when that meeting recorded a decision.
    """
    from analytics.compute.followup import follow_up
    from analytics.storage.decisions import read_decisions

    decided = read_decisions(db, station=station, weeks=(week - dt.timedelta(days=7),))
    if decided.empty:
        return pd.DataFrame()
    if callable(events):
        events = events()
    as_of = events["occurred_at"].max() + pd.Timedelta(seconds=1) if len(events) else None
    followed = follow_up(decided, events, as_of=as_of, timezone=station.timezone)
    return pd.DataFrame(followed.drop(columns="geometry"))


def follow_up_rows(table: pd.DataFrame, lang: str = "ko", *, notes: bool = False) -> pd.DataFrame:
    """One row per decision, in ``lang``: place, decision, owner, due date, incidents
    inside and around the hotspot before → after (and the note when ``notes``)."""

    def change(before, after) -> list[str]:
        return [f"{b} → {a}" for b, a in zip(table[before], table[after], strict=True)]

    out = pd.DataFrame(
        {
            text("decision.col_place", lang): table["place"],
            text("decision.col_action", lang): [
                text(f"decision.action.{a}", lang) for a in table["action"]
            ],
            text("decision.col_owner", lang): table["owner_unit"].fillna("—"),
            text("decision.col_due", lang): [day_label(d, lang) for d in table["due_on"]],
            text("decision.col_inside", lang): change("inside_before", "inside_after"),
            text("decision.col_around", lang): change("around_before", "around_after"),
        }
    )
    if notes:
        out[text("decision.col_note", lang)] = table["note"].fillna("")
    return out


def follow_up_caption(table: pd.DataFrame, lang: str = "ko") -> str:
    """How to read the counts (and that the week after is not over, when it is not)."""
    whole = bool(table["after_complete"].all())
    return text("decision.follow_up_help" if whole else "decision.follow_up_partial", lang)


# CPTED requests of the meetings this many days (26 weeks, half a year) before this one
# are listed in the brief, its answer form and the meeting pack: a city's answer to a
# lighting or camera request, and the installation, often take months (the next budget
# round), while a year-old request no longer belongs in Friday's agenda.
CPTED_LOOKBACK_DAYS = 182


def cpted_for_week(db, *, station, week: dt.date) -> pd.DataFrame:
    """The CPTED requests of the meetings in the :data:`CPTED_LOOKBACK_DAYS` before
    ``week`` with their latest answers (:func:`analytics.compute.followup.cpted_follow_up`)."""
    from analytics.compute.followup import cpted_follow_up
    from analytics.storage.cpted_answers import read_answers
    from analytics.storage.decisions import read_decisions

    decided = read_decisions(db, station=station)
    if decided.empty or not (decided["action"] == "cpted").any():
        return pd.DataFrame()
    since = week - dt.timedelta(days=CPTED_LOOKBACK_DAYS)
    return cpted_follow_up(decided, read_answers(db, station=station), as_of=week, since=since)


def answer_status(outcome, answered_on, days_waiting, lang: str = "ko") -> str:
    """ "설치 확정 (2017.11.03(금))", or "아직 회신 없음 (21일째)"."""
    if outcome is None or (isinstance(outcome, float) and pd.isna(outcome)):
        return text("decision.answer_waiting", lang, days=int(days_waiting))
    return text(
        "decision.answer_given",
        lang,
        outcome=text(f"decision.outcome.{outcome}", lang),
        day=day_label(answered_on, lang),
    )


def facility_labels(kinds, lang: str = "ko") -> str:
    """Planned or installed facilities as words ("—" for none)."""
    if not kinds:
        return "—"
    return ", ".join(text(f"decision.facility.{k}", lang) for k in kinds)


def cpted_rows(table: pd.DataFrame, lang: str = "ko", *, notes: bool = False) -> pd.DataFrame:
    """One row per CPTED request, in ``lang``: the meeting, place, owner, the city's
    answer (or how long it has waited) and what is planned or installed (and the
    answer's note when ``notes``)."""
    out = pd.DataFrame(
        {
            text("decision.col_meeting", lang): [day_label(w, lang) for w in table["week"]],
            text("decision.col_place", lang): table["place"].to_numpy(),
            text("decision.col_owner", lang): table["owner_unit"].fillna("—").to_numpy(),
            text("decision.col_answer", lang): [
                answer_status(o, a, d, lang)
                for o, a, d in zip(
                    table["outcome"], table["answered_on"], table["days_waiting"], strict=True
                )
            ],
            text("decision.col_facilities", lang): [
                facility_labels(k, lang) for k in table["facilities"]
            ],
        }
    )
    if notes:
        out[text("decision.col_answer_note", lang)] = [
            n if isinstance(n, str) else "" for n in table["answer_note"]
        ]
    return out
