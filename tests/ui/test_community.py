"""The community loop's download buttons: a notice per box on the suggestion-box page
for every role, the CPTED request on a fear hotspot's profile for analysts only."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.access.masking import mask_pii
from analytics.query import HotspotQuery
from analytics.station.config import resolve_db_url
from analytics.storage import store
from tests.conftest import run_page
from tests.presentation.community_data import html_texts, xlsx_cells

KST = "Asia/Seoul"
END = pd.Timestamp("2017-12-29", tz=KST)
START = END - pd.Timedelta(days=7)
BOX_KEYS = ("s_box_html_", "s_box_xlsx_")
CPTED_KEYS = ("m_cpted_html", "m_cpted_xlsx")


@pytest.fixture
def as_viewer(monkeypatch):
    """The app sees a signed-in viewer (a unit chief), without a sign-in form."""

    def viewer(db_url):
        import streamlit as st

        st.session_state.update(auth_role="viewer", auth_user="jungang")
        return "viewer"

    monkeypatch.setattr("ui.auth.signed_in_role", viewer)


def buttons(at, prefix) -> list[str]:
    return [b.proto.id for b in at.get("download_button") if prefix in b.proto.id]


def fear_ids(at) -> list[str]:
    table = next(df.value for df in at.dataframe if "핫스팟 ID" in df.value.columns)
    return table.loc[table["유형"] == "주민 불안 多·사건 少", "핫스팟 ID"].tolist()


def test_a_notice_per_box_and_one_for_the_picked_box(app_env):
    at = run_page("suggestions")
    assert not at.exception
    html = [i.rsplit("_", 1)[-1] for i in buttons(at, BOX_KEYS[0])]
    assert html == ["BOX-01", "BOX-02", "BOX-03", "BOX-04"]
    assert len(buttons(at, BOX_KEYS[1])) == 4
    at = run_page("suggestions", box="BOX-03")
    assert not at.exception
    assert [i.rsplit("_", 1)[-1] for i in buttons(at, BOX_KEYS[0])] == ["BOX-03"]


def test_a_viewer_gets_the_box_notice_but_no_cpted_request(app_env, as_viewer):
    at = run_page("suggestions")
    assert not at.exception
    assert len(buttons(at, BOX_KEYS[0])) == 4
    at = run_page("map")
    assert not at.exception
    fear = fear_ids(at)
    assert fear  # the demo's week has fear hotspots a viewer sees too
    at = run_page("map", hs=fear[0])
    assert not at.exception
    # The profile of the fear hotspot is drawn, without the request's buttons.
    assert any(s.value.startswith("핫스팟 상세: ") for s in at.subheader)
    assert any(c.value.startswith("유형: 주민 불안 多·사건 少") for c in at.caption)
    assert not any(buttons(at, k) for k in CPTED_KEYS)


def test_an_analyst_gets_the_cpted_request_on_a_fear_hotspot_only(app_env):
    at = run_page("map")
    fear = fear_ids(at)
    table = next(df.value for df in at.dataframe if "핫스팟 ID" in df.value.columns)
    other = table.loc[table["유형"] != "주민 불안 多·사건 少", "핫스팟 ID"].iloc[0]
    at = run_page("map", hs=fear[0])
    assert not at.exception
    assert any(c.value.startswith("유형: 주민 불안 多·사건 少") for c in at.caption)
    assert all(len(buttons(at, k)) == 1 for k in CPTED_KEYS)
    at = run_page("map", hs=other)
    assert not at.exception
    assert not any(buttons(at, k) for k in CPTED_KEYS)


def versions(app_env):
    from ui.data import versioned

    db_url = resolve_db_url(str(app_env))
    base = store.data_version(store.open_store(db_url))
    return db_url, versioned(base, "namwon"), versioned(base, "namwon", masked=True)


def test_the_files_behind_the_buttons(app_env):
    from ui import community

    db_url, analyst, viewer = versions(app_env)
    # The viewer's notice: counts only, the same as the analyst's.
    page = community.box_notice(db_url, viewer, "BOX-01", START, END, "ko", "html", "오늘")
    assert page == community.box_notice(db_url, analyst, "BOX-01", START, END, "ko", "html", "오늘")
    texts = html_texts(page.decode("utf-8"))
    assert "말씀하신 것, 이렇게 했습니다" in texts
    assert any(t.startswith("이 기간에 ") for t in texts)
    events = store.read_events(store.open_store(db_url))
    written = set(events.loc[events["source"] == "suggestion", "description"].dropna())
    assert written and not written & set(texts)
    cells = xlsx_cells(
        community.box_notice(db_url, viewer, "BOX-01", START, END, "ko", "xlsx", "오늘")
    )
    assert cells and all(mask_pii(str(c)) == str(c) for c in cells)
    # The CPTED request: for analysts, refused for a viewer's version.
    query = HotspotQuery.from_url_params({"week": "2017-12-29"})
    fear = community.data.hotspots(db_url, analyst, query).shown.current
    fear_id = fear.loc[fear["type"] == "fear", "hotspot_id"].iloc[0]
    request = community.cpted_request(db_url, analyst, query, fear_id, "ko", "html", "오늘")
    assert "범죄예방 환경개선(CPTED) 요청서" in request.decode("utf-8")
    # The demo's facility layers are loaded: each kind's nearest distance, as measured
    # from the printed shape to the station's layer, is on the sheet.
    assert "등록 자료 없음 (확인 필요)" not in request.decode("utf-8")
    shown = community.printable_shape(db_url, analyst, query, fear_id)
    nearest = community.facility_distances(db_url, analyst, shown)
    assert set(nearest) == {"cctv", "streetlight", "bell"} and None not in nearest.values()
    for metres in nearest.values():
        assert f"가장 가까운 것 {round(metres)} m)" in request.decode("utf-8")
    with pytest.raises(PermissionError):
        community.cpted_request(db_url, viewer, query, fear_id, "ko", "html", "오늘")


def test_the_box_notice_counts_the_citys_answers_without_their_note(app_env):
    """A CPTED request decided about BOX-01's cards and the city's stored answer: the
    notice counts it as answered and names the outcome, never the answer's note."""
    import datetime as dt

    import shapely

    from analytics.compute.suggestions import cards
    from analytics.presentation import box_report
    from analytics.storage.cpted_answers import CptedAnswer, record_answer
    from analytics.storage.decisions import Decision, record_decision
    from ui import community

    db_url, analyst, viewer = versions(app_env)
    engine = store.open_store(db_url)
    box_cards = cards(store.read_events(engine), start=START, end=END, box_id="BOX-01")
    first = box_cards.dropna(subset=["x", "y"]).iloc[0]
    area = shapely.Point(first["x"], first["y"]).buffer(40)
    meeting = END.date()
    ids = [
        record_decision(
            engine,
            Decision(meeting, f"H00000000{n}", f"소리함 근처 {n}", area, action),
            actor="analyst1",
        )
        for n, action in ((1, "cpted"), (2, "cpted"), (3, "patrol"))
    ]
    _, actions = community.box_notice_parts(db_url, viewer, "BOX-01", START, END)
    assert community.community.action_summary(actions) == {
        "patrol": 1,
        "cpted": 2,
        "answered": 0,
        "investigation": 0,
    }
    note = "주무관 김담당 063-620-1234 예산 확보"
    answer = CptedAnswer(ids[0], dt.date(2018, 1, 5), "accepted", ("cctv",), note)
    record_answer(engine, answer, actor="analyst1")
    counts, actions = community.box_notice_parts(db_url, viewer, "BOX-01", START, END)
    _, same = community.box_notice_parts(db_url, analyst, "BOX-01", START, END)
    assert actions.to_dict() == same.to_dict()  # the same for every role
    assert community.community.action_summary(actions)["answered"] == 1
    geo = community.data.geography(viewer)
    html = box_report.box_sheet_html(
        counts, actions, box_id="BOX-01", box_place="", geo=geo, period_label="p"
    )
    texts = html_texts(html)
    assert "시청의 회신을 받은 요청: 1건" in texts
    assert "설치 확정 (2018.01.05(금))" in texts and "회신 기다리는 중" in texts
    assert "김담당" not in html and "620-1234" not in html and "예산" not in html


def test_the_box_notice_takes_the_stations_public_min_count(app_env, monkeypatch):
    import dataclasses

    from analytics.presentation import box_report
    from ui import community

    db_url, _, viewer = versions(app_env)
    counts, _ = community.box_notice_parts(db_url, viewer, "BOX-01", START, END)
    assert counts.min_count == 3 and counts.total >= 3 and not counts.total_suppressed
    station = community.data.station_of(viewer)
    strict = dataclasses.replace(station, public_min_count=counts.total + 1)
    monkeypatch.setattr(community.data, "station_of", lambda version: strict)
    counts, actions = community.box_notice_parts(db_url, viewer, "BOX-01", START, END)
    assert counts.min_count == strict.public_min_count and counts.total_suppressed
    texts = html_texts(
        box_report.box_sheet_html(
            counts,
            actions,
            box_id="BOX-01",
            box_place="",
            geo=community.data.geography(viewer),
            period_label="p",
        )
    )
    assert f"이 기간에 받은 카드는 {strict.public_min_count}장 미만입니다." in texts
