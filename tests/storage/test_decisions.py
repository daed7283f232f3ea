"""Meeting decisions: stored with their audit entry, masked, the latest one per hotspot."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely

from analytics.access.audit import read_audit
from analytics.storage.decisions import Decision, read_decisions, record_decision

MEETING = dt.date(2017, 10, 13)
AREA = shapely.box(990_000, 1_760_000, 990_100, 1_760_100)


def decision(**changes):
    base = dict(
        week=MEETING,
        hotspot_id="H3fa9c01b2e",
        place="용남시장 부근",
        area=AREA,
        action="patrol",
        police_unit="중앙지구대",
        owner_unit="중앙지구대",
        due_on=dt.date(2017, 10, 27),
        note="탄력순찰 22–24시. 민원인 010-1234-5678 연락 요망",
    )
    return Decision(**(base | changes))


def test_a_decision_round_trips_masked_and_audited(engine):
    new_id = record_decision(engine, decision(), actor="analyst1")
    got = read_decisions(engine)
    assert got["id"].tolist() == [new_id]
    row = got.iloc[0]
    assert (row.week, row.action, row.owner_unit, row.due_on) == (
        MEETING,
        "patrol",
        "중앙지구대",
        dt.date(2017, 10, 27),
    )
    assert "1234-5678" not in row.note and "탄력순찰 22–24시" in row.note
    assert row.geometry.equals(AREA) and got.crs.to_epsg() == 5179
    log = read_audit(engine)
    entry = log[log["action"] == "decision.add"].iloc[0]
    assert entry["actor"] == "analyst1" and "hotspot=H3fa9c01b2e action=patrol" in entry["detail"]


def test_the_latest_decision_per_meeting_and_hotspot_counts(engine):
    record_decision(engine, decision(), actor="a")
    record_decision(engine, decision(action="cpted", note=None), actor="b")
    record_decision(engine, decision(hotspot_id="H0000000001"), actor="a")
    record_decision(engine, decision(week=dt.date(2017, 10, 20), due_on=None), actor="a")
    got = read_decisions(engine, weeks=(MEETING,))
    assert got[["hotspot_id", "action"]].values.tolist() == [
        ["H3fa9c01b2e", "cpted"],
        ["H0000000001", "patrol"],
    ]
    assert len(read_decisions(engine)) == 3


def test_a_station_reads_only_its_own_decisions(engine):
    record_decision(engine, decision(), actor="a", station="jinan")
    assert read_decisions(engine).empty
    assert len(read_decisions(engine, station="jinan")) == 1


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"action": "arrest"}, ValueError),
        ({"due_on": dt.date(2017, 10, 1)}, ValueError),
        ({"area": shapely.Polygon()}, ValueError),
        ({"week": "2017-10-13"}, TypeError),
        ({"note": "가" * 2001}, ValueError),
    ],
)
def test_bad_decisions_are_refused(changes, error):
    with pytest.raises(error):
        decision(**changes)
