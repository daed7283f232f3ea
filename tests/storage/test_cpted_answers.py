"""The city's answers to CPTED requests: stored masked with their audit entry, the latest
answer per request whatever order they were typed in, refused for anything but a request."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.access.audit import read_audit
from analytics.compute.followup import cpted_follow_up
from analytics.storage.cpted_answers import (
    CptedAnswer,
    answer_days,
    read_answers,
    record_answer,
)
from analytics.storage.decisions import read_decisions, record_decision
from tests.storage.test_decisions import MEETING, decision

LETTER = dt.date(2017, 11, 3)
LATER = dt.date(2017, 11, 24)


@pytest.fixture
def request_id(engine):
    return record_decision(engine, decision(action="cpted"), actor="analyst1")


def test_an_answer_round_trips_masked_and_audited(engine, request_id):
    new_id = record_answer(
        engine,
        CptedAnswer(
            request_id,
            LETTER,
            "accepted",
            ("streetlight", "cctv"),
            "12월 설치 예정. 담당 주무관 063-620-1234, park@namwon.go.kr",
        ),
        actor="analyst1",
    )
    got = read_answers(engine)
    assert got["id"].tolist() == [new_id] and got["decision_id"].tolist() == [request_id]
    row = got.iloc[0]
    assert (row.answered_on, row.outcome, row.facilities) == (
        LETTER,
        "accepted",
        ("cctv", "streetlight"),
    )
    assert "12월 설치 예정" in row.note
    assert "620-1234" not in row.note and "park@namwon.go.kr" not in row.note
    log = read_audit(engine)
    entry = log[log["action"] == "cpted.answer"].iloc[0]
    assert entry["actor"] == "analyst1"
    assert f"decision={request_id}" in entry["detail"] and "outcome=accepted" in entry["detail"]
    assert "620-1234" not in entry["detail"]


@pytest.mark.parametrize("later_first", [False, True])
def test_the_latest_answer_wins_in_either_order(engine, request_id, later_first):
    pending = CptedAnswer(request_id, LETTER, "pending")
    accepted = CptedAnswer(request_id, LATER, "partly", ("streetlight",))
    for a in (accepted, pending) if later_first else (pending, accepted):
        record_answer(engine, a, actor="a")
    got = read_answers(engine)
    assert got[["answered_on", "outcome"]].values.tolist() == [[LATER, "partly"]]
    assert answer_days(got) == {request_id: LATER}
    # A correction on the same day replaces the earlier entry of that day.
    record_answer(engine, CptedAnswer(request_id, LATER, "accepted"), actor="a")
    assert read_answers(engine)["outcome"].tolist() == ["accepted"]
    assert (read_audit(engine)["action"] == "cpted.answer").sum() == 3


def test_answers_are_only_for_the_stations_own_cpted_requests(engine, request_id):
    patrol = record_decision(engine, decision(hotspot_id="H0000000001"), actor="a")
    with pytest.raises(ValueError, match="not a CPTED request"):
        record_answer(engine, CptedAnswer(patrol, LETTER, "accepted"), actor="a")
    with pytest.raises(LookupError):
        record_answer(
            engine, CptedAnswer(request_id, LETTER, "accepted"), actor="a", station="jinan"
        )
    with pytest.raises(LookupError):
        record_answer(engine, CptedAnswer(9999, LETTER, "accepted"), actor="a")
    with pytest.raises(ValueError, match="predates"):
        record_answer(engine, CptedAnswer(request_id, dt.date(2017, 10, 1), "refused"), actor="a")
    assert read_answers(engine).empty
    assert read_answers(engine, station="jinan").empty
    assert not (read_audit(engine)["action"] == "cpted.answer").any()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"outcome": "maybe"}, ValueError),
        ({"answered_on": "2017-11-03"}, TypeError),
        ({"facilities": ("cctv", "drone")}, ValueError),
        ({"note": "가" * 2001}, ValueError),
    ],
)
def test_bad_answers_are_refused(changes, error):
    base = dict(decision_id=1, answered_on=LETTER, outcome="accepted")
    with pytest.raises(error):
        CptedAnswer(**(base | changes))


def test_the_follow_up_lists_requests_with_answers_or_days_waiting(engine, request_id):
    other = record_decision(
        engine, decision(hotspot_id="H0000000002", action="cpted", place="광한루원 부근"), actor="a"
    )
    record_decision(engine, decision(hotspot_id="H0000000003"), actor="a")  # a patrol
    record_decision(  # this meeting's request: not followed up yet
        engine,
        decision(hotspot_id="H0000000004", action="cpted", week=LATER, due_on=None),
        actor="a",
    )
    record_answer(
        engine,
        CptedAnswer(request_id, LETTER, "partly", ("cctv",), "예산 010-1111-2222"),
        actor="a",
    )
    table = cpted_follow_up(read_decisions(engine), read_answers(engine), as_of=LATER)
    assert table["id"].tolist() == [request_id, other]
    assert table["outcome"].tolist() == ["partly", None]
    assert table["facilities"].tolist() == [("cctv",), None]
    assert table["days_waiting"].tolist() == [None, (LATER - MEETING).days]
    assert "1111-2222" not in table["answer_note"].iloc[0]
    assert cpted_follow_up(read_decisions(engine), read_answers(engine), as_of=MEETING).empty
    later = cpted_follow_up(read_decisions(engine), read_answers(engine), as_of=LATER, since=LETTER)
    assert later.empty
