"""A decision recorded at this week's meeting opens next week's brief, with before/after counts."""

from __future__ import annotations

import pytest

from analytics.storage import store
from analytics.storage.decisions import read_decisions
from analytics.storage.importers.core import import_file
from tests.conftest import MARKET, NOW, markdown_tables, run_page, write_csv
from tests.storage.test_import_files import INCIDENT_HEADER, utmk


def market_incidents(days: list[str]) -> list[list]:
    """One incident at the market per day given (``MM-DD`` in 2017)."""
    x, y = utmk(MARKET["lat"], MARKET["lon"], "EPSG:5179")
    return [INCIDENT_HEADER] + [
        [
            f"2017-{i:07d}",
            f"2017-{d} 21:{10 + i:02d}",
            "폭행",
            "C2",
            "남원시 죽항동 공설시장",
            x + i,
            y,
            "",
        ]
        for i, d in enumerate(days)
    ]


@pytest.fixture
def market(tmp_path, monkeypatch):
    """Six incidents at the market the week before the 13 Oct 2017 meeting, two the week after."""
    db = tmp_path / "app.sqlite"
    engine = store.open_store(str(db))
    days = ["10-06", "10-07", "10-08", "10-09", "10-10", "10-11", "10-14", "10-17"]
    import_file(
        write_csv(tmp_path / "in.csv", market_incidents(days)),
        source="incident",
        db=engine,
        now=NOW,
    )
    monkeypatch.setenv("HOTSPOT_DB", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return engine


def test_a_decision_opens_next_weeks_brief_with_before_and_after(market, tmp_path):
    from analytics.__main__ import main

    store_path = tmp_path / "app.sqlite"
    at = run_page("map", week="2017-10-13", eps="100", min="3")
    assert not at.exception
    table = next(df.value for df in at.dataframe if "핫스팟 ID" in df.value.columns)
    at.selectbox(key="m_pick").set_value(table["핫스팟 ID"].iloc[0]).run()
    at.radio(key="dec_action").set_value("patrol")
    at.text_area(key="dec_note").input("22시 탄력순찰, 제보자 010-9876-5432")
    next(b for b in at.button if b.label == "결정 저장").click().run()
    assert not at.exception
    assert any("결정을 저장했습니다" in s.value for s in at.success)
    saved = read_decisions(market)
    assert saved["action"].tolist() == ["patrol"] and "9876-5432" not in saved["note"].iloc[0]

    brief = run_page(week="2017-10-20", eps="100", min="3")
    assert not brief.exception
    assert any(s.value.startswith("지난 회의(2017.10.13(금)) 결정 후속") for s in brief.subheader)
    follow = next(t for t in markdown_tables(brief) if "결정" in t.columns)
    assert follow.iloc[0]["결정"] == "탄력순찰 추가"
    assert follow.iloc[0]["핫스팟 안 (전 → 후)"] == "6 → 2"
    assert follow.iloc[0]["담당"] == "중앙지구대"

    # The meeting pack opens with it too, without the note (it goes round the room).
    out = tmp_path / "pack.html"
    argv = ["pack", "--week", "2017-10-20", "--eps", "100", "--min-samples", "3"]
    assert main([*argv, "--out", str(out), "--db", str(store_path)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "지난 회의(2017.10.13(금)) 결정 후속" in page and "탄력순찰 추가" in page
    assert "6 → 2" in page and "22시 탄력순찰" not in page


def test_no_decision_no_section(market):
    brief = run_page(week="2017-10-20")
    assert not brief.exception
    assert not any("결정 후속" in s.value for s in brief.subheader)


def as_viewer(db_url):
    """The app sees a signed-in viewer (a unit chief), without a sign-in form."""
    import streamlit as st

    st.session_state.update(auth_role="viewer", auth_user="jungang")
    return "viewer"


ANSWER_TITLE = "시청 회신 기록"


def cpted_decision(hotspot_week: str = "2017-10-13"):
    """The map page with the market's hotspot picked, a CPTED request recorded on it."""
    at = run_page("map", week=hotspot_week, eps="100", min="3")
    table = next(df.value for df in at.dataframe if "핫스팟 ID" in df.value.columns)
    at.selectbox(key="m_pick").set_value(table["핫스팟 ID"].iloc[0]).run()
    assert not any(e.label.startswith(ANSWER_TITLE) for e in at.expander)  # nothing sent yet
    at.radio(key="dec_action").set_value("cpted")
    next(b for b in at.button if b.label == "결정 저장").click().run()
    assert not at.exception
    return at


def test_an_analyst_records_the_citys_answer_and_the_brief_follows_it(market):
    import datetime as dt

    from analytics.access.audit import read_audit
    from analytics.storage.cpted_answers import read_answers

    at = cpted_decision()
    assert any(e.label == f"{ANSWER_TITLE} (CPTED 요청 1건)" for e in at.expander)
    # Before the answer: the brief a month later says how long the request has waited.
    brief = run_page(week="2017-11-10", eps="100", min="3")
    assert not brief.exception
    table = next(t for t in markdown_tables(brief) if "시청 회신" in t.columns)
    assert table["시청 회신"].tolist() == ["아직 회신 없음 (28일째)"]

    at.date_input(key="ans_date").set_value(dt.date(2017, 11, 3))
    at.radio(key="ans_outcome").set_value("partly")
    at.multiselect(key="ans_facilities").set_value(["streetlight"])
    at.text_area(key="ans_note").input("보안등 1기 12월 설치, 담당 063-620-1234")
    next(b for b in at.button if b.label == "회신 저장").click().run()
    assert not at.exception
    assert any("시청 회신을 저장했습니다" in s.value for s in at.success)
    saved = read_answers(market)
    assert saved[["outcome", "facilities"]].values.tolist() == [["partly", ("streetlight",)]]
    assert "620-1234" not in saved["note"].iloc[0]
    assert (read_audit(market)["action"] == "cpted.answer").sum() == 1

    brief = run_page(week="2017-11-10", eps="100", min="3")
    assert not brief.exception
    assert any(s.value == "시청에 보낸 CPTED 요청과 회신" for s in brief.subheader)
    table = next(t for t in markdown_tables(brief) if "시청 회신" in t.columns)
    row = table.iloc[0]
    assert row["시청 회신"] == "일부 반영 (2017.11.03(금))"
    assert row["계획·설치"] == "가로등·보안등"
    assert row["요청한 회의"] == "2017.10.13(금)"
    assert "보안등 1기 12월 설치" in row["회신 메모"] and "620-1234" not in row["회신 메모"]


def test_a_viewer_cannot_record_an_answer_nor_read_its_note(market, monkeypatch):
    import datetime as dt

    from analytics.storage.cpted_answers import CptedAnswer, read_answers, record_answer

    cpted_decision()
    request = int(read_decisions(market)["id"].iloc[0])
    answer = CptedAnswer(request, dt.date(2017, 11, 3), "pending", (), "담당 063-620-1234")
    record_answer(market, answer, actor="analyst1")

    monkeypatch.setattr("ui.auth.signed_in_role", as_viewer)
    at = run_page("map", week="2017-10-13", eps="100", min="3")
    table = next(df.value for df in at.dataframe if "핫스팟 ID" in df.value.columns)
    at.selectbox(key="m_pick").set_value(table["핫스팟 ID"].iloc[0]).run()
    assert not at.exception
    assert any(s.value.startswith("핫스팟 상세: ") for s in at.subheader)
    assert not any(e.label.startswith(ANSWER_TITLE) for e in at.expander)
    assert not any(b.label == "회신 저장" for b in at.button)
    brief = run_page(week="2017-11-10", eps="100", min="3")
    assert not brief.exception
    table = next(t for t in markdown_tables(brief) if "시청 회신" in t.columns)
    assert table["시청 회신"].tolist() == ["검토 중 (2017.11.03(금))"]
    assert "회신 메모" not in table.columns and "담당" in table.columns
    assert len(read_answers(market)) == 1


def test_the_brief_answers_a_request_no_current_hotspot_overlaps(market):
    """A CPTED request whose area is far from every hotspot (no profile on the map page
    reaches it) is answered from the brief's CPTED section; a viewer's brief has no form."""
    import datetime as dt

    import shapely

    from analytics.storage.cpted_answers import read_answers
    from analytics.storage.decisions import record_decision
    from tests.storage.test_decisions import decision

    far = shapely.box(960_000, 1_700_000, 960_100, 1_700_100)  # about 30 km from the market
    request = record_decision(
        market,
        decision(action="cpted", hotspot_id="H00gone0000", place="사라진 핫스팟 골목", area=far),
        actor="analyst1",
    )
    at = run_page("map", week="2017-10-13", eps="100", min="3")
    table = next(df.value for df in at.dataframe if "핫스팟 ID" in df.value.columns)
    at.selectbox(key="m_pick").set_value(table["핫스팟 ID"].iloc[0]).run()
    assert not any(e.label.startswith(ANSWER_TITLE) for e in at.expander)  # not from the map

    brief = run_page(week="2017-11-10", eps="100", min="3")
    assert not brief.exception
    assert any(e.label == f"{ANSWER_TITLE} (CPTED 요청 1건)" for e in brief.expander)
    assert brief.selectbox(key="brief_ans_request").value == request
    brief.date_input(key="brief_ans_date").set_value(dt.date(2017, 11, 3))
    brief.radio(key="brief_ans_outcome").set_value("refused")
    brief.text_area(key="brief_ans_note").input("예산 없음, 담당 063-620-1234")
    next(b for b in brief.button if b.label == "회신 저장").click().run()
    assert not brief.exception
    saved = read_answers(market)
    assert saved[["decision_id", "outcome"]].values.tolist() == [[request, "refused"]]
    assert "620-1234" not in saved["note"].iloc[0]
    again = run_page(week="2017-11-10", eps="100", min="3")
    listed = next(t for t in markdown_tables(again) if "시청 회신" in t.columns)
    assert listed["시청 회신"].tolist() == ["불가 (2017.11.03(금))"]


def test_a_viewers_brief_has_no_answer_form(market, monkeypatch):
    from analytics.storage.decisions import record_decision
    from tests.storage.test_decisions import decision

    record_decision(market, decision(action="cpted"), actor="analyst1")
    monkeypatch.setattr("ui.auth.signed_in_role", as_viewer)
    brief = run_page(week="2017-11-10", eps="100", min="3")
    assert not brief.exception
    assert any(s.value == "시청에 보낸 CPTED 요청과 회신" for s in brief.subheader)
    assert not any(e.label.startswith(ANSWER_TITLE) for e in brief.expander)
    assert not any(b.label == "회신 저장" for b in brief.button)
