"""The "you said, we did" notice of one box, on hand-made cards and decisions."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from analytics.compute import community, suggestions
from analytics.presentation import box_report
from tests.presentation import community_data as cd


@pytest.fixture(scope="module")
def market(geo):
    ev = cd.events(geo)
    hotspot, _ = cd.fear_hotspot(geo, ev)
    return ev, hotspot


def parts(ev, hotspot, *, box="BOX-01", answers=None, decided=True):
    counts = community.box_card_counts(ev, box_id=box, start=cd.START, end=cd.END, min_count=3)
    cards = suggestions.cards(ev, start=cd.START, end=cd.END, box_id=box)
    d = cd.decisions(hotspot) if decided else cd.decisions(hotspot).iloc[:0]
    actions = community.box_actions(d, cards, start=cd.START, end=cd.END, answers=answers)
    return counts, actions


def sheet(geo, counts, actions, lang="ko"):
    return box_report.box_sheet_html(
        counts,
        actions,
        box_id="BOX-01",
        box_place="용남시장",
        geo=geo,
        period_label=cd.PERIOD,
        lang=lang,
    )


def workbook(geo, counts, actions, lang="ko") -> bytes:
    return box_report.box_sheet_xlsx(
        counts,
        actions,
        box_id="BOX-01",
        box_place="용남시장",
        geo=geo,
        period_label=cd.PERIOD,
        lang=lang,
    )


def pairs_after(texts, first, n=2):
    i = texts.index(first)
    return texts[i : i + n]


def test_counts_as_posted_and_what_the_station_did(geo, market):
    counts, actions = parts(*market)
    texts = cd.html_texts(sheet(geo, counts, actions))
    assert "말씀하신 것, 이렇게 했습니다" in texts
    assert "여기 무서워요 소리함 BOX-01 · 용남시장" in texts
    assert "이 기간에 카드 10장을 받았습니다." in texts
    # dark 5, drunk 3; youth 1 and stranger 1 pooled and not printed as a number.
    assert pairs_after(texts, "어두운 길") == ["어두운 길", "5"]
    assert pairs_after(texts, "주취·소란") == ["주취·소란", "3"]
    assert pairs_after(texts, "그 밖의 내용") == ["그 밖의 내용", "3장 미만"]
    assert "청소년 비행" not in texts and "낯선 사람·배회" not in texts
    assert pairs_after(texts, "새벽 (0–6시)") == ["새벽 (0–6시)", "5"]
    assert pairs_after(texts, "오후 (12–18시)") == ["오후 (12–18시)", "3장 미만"]
    assert pairs_after(texts, "시간을 적지 않음") == ["시간을 적지 않음", "3장 미만"]
    # The patrol and the CPTED request decided on 10-13 about the market; 'none' left out.
    assert "순찰을 늘린 곳: 1곳" in texts
    assert "시청에 환경 개선(CCTV·조명 등)을 요청한 곳: 1곳" in texts
    assert "시청의 회신을 받은 요청: 0건" in texts
    assert texts.count("2017.10.13(금)") == 2 and "조치 없음" not in texts
    assert "회신 기다리는 중" in texts
    assert "개인을 알아볼 수 없도록 숫자만 싣고, 3장 미만은 숫자로 적지 않았습니다." in texts


def test_an_answer_given_is_shown(geo, market):
    counts, actions = parts(*market, answers={2: dt.date(2017, 10, 27)})
    texts = cd.html_texts(sheet(geo, counts, actions))
    assert "시청의 회신을 받은 요청: 1건" in texts and "2017.10.27(금)" in texts
    assert "회신 기다리는 중" not in texts


def test_a_quiet_box_and_no_decision(geo, market):
    ev, hotspot = market
    two = ev[~ev["event_id"].isin([f"card_{i}" for i in range(2, 10)])]
    counts, actions = parts(two, hotspot, decided=False)
    texts = cd.html_texts(sheet(geo, counts, actions))
    assert "이 기간에 받은 카드는 3장 미만입니다." in texts
    assert "어떤 점이 불안하셨나요" not in texts  # no breakdown of so few cards
    assert any(
        t.startswith("이 기간 카드가 가리킨 곳에 대한 회의 결정은 아직 없습니다") for t in texts
    )
    none, _ = parts(ev, hotspot, box="BOX-09", decided=False)
    assert "이 기간에 들어온 카드가 없습니다." in cd.html_texts(sheet(geo, none, actions))


def test_english_notice(geo, market):
    counts, actions = parts(*market)
    texts = cd.html_texts(sheet(geo, counts, actions, "en"))
    assert "You said, we did" in texts
    assert "“I'm scared here” suggestion box BOX-01 · Yongnam Market" in texts
    assert pairs_after(texts, "Other themes") == ["Other themes", "fewer than 3"]
    assert "Places where patrols were added: 1" in texts


def test_no_free_text_personal_data_points_or_formulas(geo, market, station):
    ev, hotspot = market
    counts, actions = parts(ev, hotspot)
    for lang in ("ko", "en"):
        page = sheet(geo, counts, actions, lang)
        cd.assert_no_personal_data(
            geo,
            ev,
            page=page,
            workbook=workbook(geo, counts, actions, lang),
            sensitive=station.sensitive_categories,
        )
        for written in ("가로등이 꺼져", "공설시장 뒤 골목", "밤에 어두워요", "HYPERLINK", "메모"):
            assert written not in page  # no card text, no decision note


def test_the_workbook_holds_the_counts_as_printed(geo, market):
    counts, actions = parts(*market)
    wb = openpyxl.load_workbook(io.BytesIO(workbook(geo, counts, actions)))
    assert wb.sheetnames == ["카드", "한 일"]
    said = list(wb["카드"].iter_rows(min_row=3, values_only=True))
    assert said[0] == ("전체", "이 기간에 카드 10장을 받았습니다.", None)
    assert ("내용", "그 밖의 내용", "3장 미만") in said
    assert ("시간대", "밤 (22–24시)", "5") in said
    did = list(wb["한 일"].iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in did] == ["탄력순찰 추가", "시청에 CPTED 요청"]
