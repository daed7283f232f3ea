"""Follow-up of the meeting's decisions (CompStat's relentless follow-up): what happened
at a hotspot, and around it, in the week after the meeting decided about it.

For a decision taken at meeting day ``W``, the week before is the reporting week that
ended at ``W`` (what the meeting saw), the week after is ``[W, W + 7 days)`` (what the
next meeting sees). Incidents (112 calls and cases) are counted, not fear cards or
complaints: they are the outcome a patrol or a light is meant to change. Inside: in the
hotspot's polygon as decided on. Around: in the ring from its edge out to ``ring_m``
metres, where a patrol can push incidents (displacement) or spread its benefit
(diffusion of benefits).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analytics.storage.schema import require_columns

WEEK = pd.Timedelta(days=7)
RING_M = 200.0
COLUMNS = [
    "inside_before",
    "inside_after",
    "around_before",
    "around_after",
    "after_complete",
]


def follow_up(
    decisions: gpd.GeoDataFrame,
    events: pd.DataFrame,
    *,
    ring_m: float = RING_M,
    as_of: pd.Timestamp | None = None,
    timezone: str | None = None,
) -> gpd.GeoDataFrame:
    """Incidents inside and around each decision's hotspot, the week before and after.

    Parameters
    ----------
    decisions : GeoDataFrame
        :func:`analytics.storage.decisions.read_decisions`: ``week`` (a date, the meeting
        day) and the hotspot's polygon as geometry, in metres.
    events : DataFrame
        An event frame with ``source``, ``occurred_at`` (tz-aware), ``x``, ``y`` (metres,
        the same CRS as the polygons).
    ring_m : float, metres
        How far around the hotspot's edge "around" reaches (> 0).
    as_of : Timestamp, optional
        Counts stop here (the data's end); ``after_complete`` says whether the week after
        is whole. Default: the end of the week after.
    timezone : str, optional
        The station's zone: meeting days are midnights there (default: the station clock's).

    Returns
    -------
    GeoDataFrame
        ``decisions`` with :data:`COLUMNS` added (counts as ints).
    """
    if not ring_m > 0:
        raise ValueError(f"ring_m must be > 0 metres, got {ring_m}")
    require_columns(events, ("source", "occurred_at", "x", "y"))
    from analytics.station import clock

    zone = timezone or clock.zone()
    out = decisions.copy()
    for col in COLUMNS:
        out[col] = pd.Series(dtype="int64" if col != "after_complete" else "bool")
    if out.empty:
        return out
    incidents = events[events["source"] == "incident"]
    xy = incidents[["x", "y"]].to_numpy(dtype=float, na_value=np.nan)
    when = pd.DatetimeIndex(pd.to_datetime(incidents["occurred_at"], utc=True))
    points = shapely.points(xy)
    rows = []
    for week, area in zip(out["week"], out.geometry, strict=True):
        meeting = pd.Timestamp(week, tz=zone)
        end_after = meeting + WEEK
        stop = end_after if as_of is None else min(end_after, as_of)
        before = np.asarray((when >= meeting - WEEK) & (when < meeting), dtype=bool)
        after = np.asarray((when >= meeting) & (when < stop), dtype=bool)
        inside = shapely.contains_xy(area, xy[:, 0], xy[:, 1])
        ring = shapely.difference(shapely.buffer(area, ring_m), area)
        around = shapely.intersects(ring, points) & ~inside
        rows.append(
            (
                int((inside & before).sum()),
                int((inside & after).sum()),
                int((around & before).sum()),
                int((around & after).sum()),
                bool(stop >= end_after),
            )
        )
    values = list(zip(*rows, strict=True))
    for col, vals in zip(COLUMNS, values, strict=True):
        out[col] = list(vals)
    return out


# ------------------------------------------------------------------ CPTED requests

CPTED_COLUMNS = [
    "id",
    "week",
    "place",
    "owner_unit",
    "answered_on",
    "outcome",
    "facilities",
    "answer_note",
    "days_waiting",
]


def cpted_follow_up(
    decisions: pd.DataFrame,
    answers: pd.DataFrame,
    *,
    as_of,
    since=None,
    include_as_of: bool = False,
) -> pd.DataFrame:
    """The CPTED requests sent to the city and their answers, for the brief.

    Parameters
    ----------
    decisions : :func:`analytics.storage.decisions.read_decisions` (``id``, ``week``,
        ``action``, ``place``, ``owner_unit``)
    answers : :func:`analytics.storage.cpted_answers.read_answers` (the latest per request)
    as_of : datetime.date, this meeting's day: requests of meetings before it count, and
        an unanswered one has waited ``as_of - week`` days
    since : datetime.date, optional; only requests of meetings on or after this day
    include_as_of : bool, also the requests of the meeting on ``as_of`` (0 days waited)

    Returns
    -------
    DataFrame with :data:`CPTED_COLUMNS`, by meeting and id: ``answered_on``,
    ``outcome``, ``facilities`` (a tuple) and ``answer_note`` from the answer (None when
    there is none), ``days_waiting`` an int for a request without an answer (else None).
    """
    if decisions is None or decisions.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CPTED_COLUMNS})
    keep = (decisions["action"] == "cpted").to_numpy(dtype=bool)
    keep = keep & np.array(
        [w <= as_of if include_as_of else w < as_of for w in decisions["week"]], dtype=bool
    )
    if since is not None:
        keep = keep & np.array([w >= since for w in decisions["week"]], dtype=bool)
    sent = pd.DataFrame(decisions[keep]).sort_values(["week", "id"], kind="stable")
    by_id = answers.set_index("decision_id") if len(answers) else None

    def answer_of(i, col):
        if by_id is None or int(i) not in by_id.index:
            return None
        return by_id.at[int(i), col]

    ids = [int(i) for i in sent["id"]]
    answered_on = [answer_of(i, "answered_on") for i in ids]
    out = pd.DataFrame(
        {
            "id": ids,
            "week": list(sent["week"]),
            "place": list(sent["place"]),
            "owner_unit": list(sent["owner_unit"]),
            "answered_on": answered_on,
            "outcome": [answer_of(i, "outcome") for i in ids],
            "facilities": [answer_of(i, "facilities") for i in ids],
            "answer_note": [answer_of(i, "note") for i in ids],
            "days_waiting": [
                (as_of - w).days if a is None else None
                for w, a in zip(sent["week"], answered_on, strict=True)
            ],
        },
        columns=CPTED_COLUMNS,
        dtype=object,
    )
    return out.where(out.notna(), None)
