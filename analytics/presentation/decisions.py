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
