"""The Friday meeting's decisions about hotspots: recorded with their audit entry, read
back for next week's follow-up (:mod:`analytics.compute.followup`).

A decision names the meeting (its day), the hotspot (its id, place, unit and polygon as
the meeting saw them), what was decided (:data:`ACTIONS`), who carries it out and by
when, and a note. The note is free text: phone numbers, resident registration numbers
and e-mail addresses are masked before it is stored, like every text an import brings.
Decisions are appended, never changed: recording another for the same hotspot and
meeting replaces the earlier one in what :func:`read_decisions` gives (the earlier one
stays in the table and the audit log).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa

from analytics.station.config import StationConfig, station_id
from analytics.storage import connection, tables

ACTIONS = ("patrol", "cpted", "investigation", "none")
NOTE_MAX = 2000


@dataclass(frozen=True)
class Decision:
    """One decision about one hotspot at one meeting.

    Attributes
    ----------
    week : datetime.date, the meeting day
    hotspot_id, place : str, the hotspot as the meeting saw it
    area : shapely Polygon, the hotspot's polygon in metres (the analysis CRS)
    action : {'patrol', 'cpted', 'investigation', 'none'}
        탄력순찰 added, a CPTED request to the city, an investigation, no action.
    police_unit, owner_unit : str or None, the hotspot's unit and the unit that acts
    due_on : datetime.date or None
    note : str or None, free text (masked when stored)
    """

    week: dt.date
    hotspot_id: str
    place: str
    area: object
    action: str
    police_unit: str | None = None
    owner_unit: str | None = None
    due_on: dt.date | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, got {self.action!r}")
        if not isinstance(self.week, dt.date):
            raise TypeError(f"week must be a date, got {self.week!r}")
        if self.due_on is not None and self.due_on < self.week:
            raise ValueError(f"due_on ({self.due_on}) is before the meeting ({self.week})")
        if self.area is None or shapely.is_empty(self.area):
            raise ValueError("a decision needs the hotspot's polygon")
        if self.note is not None and len(self.note) > NOTE_MAX:
            raise ValueError(f"the note is longer than {NOTE_MAX} characters")


def record_decision(
    db: sa.Engine,
    decision: Decision,
    *,
    actor: str,
    station: str | StationConfig | None = None,
    now: pd.Timestamp | None = None,
) -> int:
    """Store ``decision`` for ``station`` (default: the configured one) with its
    ``decision.add`` audit entry, in one transaction; returns its id."""
    from analytics.access.audit import audit_in
    from analytics.access.masking import mask_pii
    from analytics.access.times import moment, to_text

    note = mask_pii(decision.note.strip()) if decision.note and decision.note.strip() else None
    sid = station_id(station)
    with connection.write_transaction(db) as conn:
        new_id = conn.execute(
            tables.decisions.insert().values(
                station=sid,
                week=decision.week.isoformat(),
                hotspot_id=decision.hotspot_id,
                place=decision.place,
                police_unit=decision.police_unit,
                action=decision.action,
                owner_unit=decision.owner_unit,
                due_on=decision.due_on.isoformat() if decision.due_on else None,
                note=note,
                area_wkb=shapely.to_wkb(decision.area, hex=True),
                decided_by=actor,
                decided_at=to_text(moment(now)),
            )
        ).inserted_primary_key[0]
        audit_in(
            conn,
            actor=actor,
            action="decision.add",
            detail=f"station={sid} week={decision.week} hotspot={decision.hotspot_id}"
            f" action={decision.action}",
        )
    return int(new_id)


COLUMNS = [
    "id",
    "week",
    "hotspot_id",
    "place",
    "police_unit",
    "action",
    "owner_unit",
    "due_on",
    "note",
    "decided_by",
    "decided_at",
]


def read_decisions(
    db: sa.Engine,
    *,
    station: str | StationConfig | None = None,
    weeks: tuple[dt.date, ...] | None = None,
    crs: str = "EPSG:5179",
) -> gpd.GeoDataFrame:
    """A station's decisions (of the meetings ``weeks``, or all), the latest per
    meeting and hotspot, by meeting and id; geometry: the hotspot's polygon (metres)."""
    t = tables.decisions
    q = sa.select(t).where(t.c.station == station_id(station)).order_by(t.c.week, t.c.id)
    if weeks is not None:
        q = q.where(t.c.week.in_([w.isoformat() for w in weeks]))
    with db.connect() as conn:
        rows = conn.execute(q).mappings().all()
    frame = pd.DataFrame(rows, columns=[c.name for c in t.columns])
    frame = frame.drop_duplicates(["week", "hotspot_id"], keep="last")
    geometry = shapely.from_wkb(frame["area_wkb"].tolist()) if len(frame) else []
    out = gpd.GeoDataFrame(frame[COLUMNS].reset_index(drop=True), geometry=list(geometry), crs=crs)
    for col in ("week", "due_on"):
        out[col] = [dt.date.fromisoformat(v) if isinstance(v, str) else None for v in out[col]]
    return out
