"""The city's answers to the station's CPTED requests: recorded with their audit entry,
read back for the follow-up (:func:`analytics.compute.followup.cpted_follow_up`) and the
box notice ("you said, we did": answers received).

A CPTED request is a meeting decision with action ``cpted``
(:mod:`analytics.storage.decisions`); an answer names that decision, the day the city
answered, the outcome (:data:`OUTCOMES`), what it plans or installed
(:data:`FACILITIES`) and a note. The note is free text: phone numbers, resident
registration numbers and e-mail addresses are masked before it is stored. Answers are
appended, never changed; what :func:`read_answers` gives per request is the latest one
by the day the city answered (then by the order recorded), so an earlier letter typed
in late does not replace a later one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from analytics.station.config import StationConfig, station_id
from analytics.storage import connection, tables

# 설치 확정 / 일부 반영 / 불가 / 검토 중
OUTCOMES = ("accepted", "partly", "refused", "pending")
# What the city plans or installed: a camera, a street light, an emergency bell, other.
FACILITIES = ("cctv", "streetlight", "bell", "other")
NOTE_MAX = 2000


@dataclass(frozen=True)
class CptedAnswer:
    """The city's answer to one CPTED request.

    Attributes
    ----------
    decision_id : int, the request (a decision with action ``cpted``)
    answered_on : datetime.date, the day the city answered
    outcome : {'accepted', 'partly', 'refused', 'pending'}
    facilities : tuple of {'cctv', 'streetlight', 'bell', 'other'}, planned or installed
    note : str or None, free text (masked when stored)
    """

    decision_id: int
    answered_on: dt.date
    outcome: str
    facilities: tuple[str, ...] = ()
    note: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, got {self.outcome!r}")
        if not isinstance(self.answered_on, dt.date):
            raise TypeError(f"answered_on must be a date, got {self.answered_on!r}")
        unknown = sorted(set(self.facilities) - set(FACILITIES))
        if unknown:
            raise ValueError(f"facilities must be among {FACILITIES}, got {unknown}")
        if self.note is not None and len(self.note) > NOTE_MAX:
            raise ValueError(f"the note is longer than {NOTE_MAX} characters")


def record_answer(
    db: sa.Engine,
    answer: CptedAnswer,
    *,
    actor: str,
    station: str | StationConfig | None = None,
    now: pd.Timestamp | None = None,
) -> int:
    """Store ``answer`` for ``station`` (default: the configured one) with its
    ``cpted.answer`` audit entry, in one transaction; returns its id.

    Raises
    ------
    LookupError
        The station has no decision ``answer.decision_id``.
    ValueError
        That decision is not a CPTED request, or the answer predates its meeting.
    """
    from analytics.access.audit import audit_in
    from analytics.access.masking import mask_pii
    from analytics.access.times import moment, to_text

    note = mask_pii(answer.note.strip()) if answer.note and answer.note.strip() else None
    sid = station_id(station)
    d = tables.decisions
    with connection.write_transaction(db) as conn:
        row = conn.execute(
            sa.select(d.c.action, d.c.week).where(
                (d.c.id == int(answer.decision_id)) & (d.c.station == sid)
            )
        ).first()
        if row is None:
            raise LookupError(f"station {sid} has no decision {answer.decision_id}")
        if row.action != "cpted":
            raise ValueError(f"decision {answer.decision_id} is not a CPTED request")
        if answer.answered_on < dt.date.fromisoformat(row.week):
            raise ValueError(
                f"the answer ({answer.answered_on}) predates the request's meeting ({row.week})"
            )
        kinds = ",".join(k for k in FACILITIES if k in answer.facilities)
        new_id = conn.execute(
            tables.cpted_answers.insert().values(
                station=sid,
                decision_id=int(answer.decision_id),
                answered_on=answer.answered_on.isoformat(),
                outcome=answer.outcome,
                facilities=kinds,
                note=note,
                recorded_by=actor,
                recorded_at=to_text(moment(now)),
            )
        ).inserted_primary_key[0]
        audit_in(
            conn,
            actor=actor,
            action="cpted.answer",
            detail=f"station={sid} decision={int(answer.decision_id)}"
            f" answered_on={answer.answered_on} outcome={answer.outcome}"
            f" facilities={kinds or '-'}",
        )
    return int(new_id)


COLUMNS = [
    "id",
    "decision_id",
    "answered_on",
    "outcome",
    "facilities",
    "note",
    "recorded_by",
    "recorded_at",
]


def read_answers(db: sa.Engine, *, station: str | StationConfig | None = None) -> pd.DataFrame:
    """A station's answers, the latest per request (by ``answered_on``, then id), by
    request: :data:`COLUMNS`, ``answered_on`` a date, ``facilities`` a tuple of codes."""
    t = tables.cpted_answers
    q = sa.select(t).where(t.c.station == station_id(station))
    with db.connect() as conn:
        rows = conn.execute(q).mappings().all()
    frame = pd.DataFrame(rows, columns=[c.name for c in t.columns])
    frame = frame.sort_values(["decision_id", "answered_on", "id"], kind="stable")
    frame = frame.drop_duplicates("decision_id", keep="last").reset_index(drop=True)
    out = frame[COLUMNS].copy()
    out["decision_id"] = out["decision_id"].astype("int64")
    out["answered_on"] = [dt.date.fromisoformat(v) for v in out["answered_on"]]
    out["facilities"] = [tuple(k for k in v.split(",") if k) for v in out["facilities"]]
    return out


def answer_days(answers: pd.DataFrame) -> dict[int, dt.date]:
    """Request (decision id) → the day of its latest answer, from :func:`read_answers`."""
    return {int(i): d for i, d in zip(answers["decision_id"], answers["answered_on"], strict=True)}
