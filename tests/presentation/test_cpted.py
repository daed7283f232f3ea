"""The CPTED request sheet on a hand-made fear hotspot at the public market."""

from __future__ import annotations

import io
import re

import openpyxl
import pandas as pd
import pytest

from analytics.compute import community
from analytics.presentation import cpted
from tests.presentation import community_data as cd

NO_LAYERS: dict = {}
SOME = {"cctv": None, "streetlight": 120.0, "bell": 35.0}


@pytest.fixture(scope="module")
def market(geo):
    ev = cd.events(geo)
    hotspot, event_hotspot = cd.fear_hotspot(geo, ev)
    cards = community.hotspot_cards(ev, event_hotspot, hotspot["hotspot_id"])
    return ev, hotspot, cards


def sheet(geo, market, lang="ko", missing=SOME):
    _, hotspot, cards = market
    return cpted.cpted_sheet_html(
        hotspot,
        cards,
        geo=geo,
        missing=missing,
        period_label=cd.PERIOD,
        lang=lang,
        printed_on="2017.10.13",
    )


def workbook(geo, market, lang="ko", missing=SOME) -> bytes:
    _, hotspot, cards = market
    return cpted.cpted_sheet_xlsx(
        hotspot, cards, geo=geo, missing=missing, period_label=cd.PERIOD, lang=lang
    )


def test_the_sheet_says_where_what_when_and_what_is_missing(geo, market):
    _, _, cards = market
    assert len(cards) == 10
    page = sheet(geo, market)
    texts = cd.html_texts(page)
    assert "범죄예방 환경개선(CPTED) 요청서" in texts
    assert "남원공설시장 부근" in texts  # the hotspot's centre is 5 m from the landmark
    assert "수신: 남원시 (안전·도시환경 담당 부서)" in texts
    assert "발신: 남원경찰서 중앙지구대" in texts
    # Nine cards printed, the one naming a hidden camera held back (and said so).
    assert page.count("<tr><td>2017.10.07(토)</td>") == 9
    assert "민감한 사건을 언급한 카드 1장은 싣지 않았습니다." in texts
    assert "카드 10장 · 같은 곳 112 신고·사건 1건 (2017.10.06(금) ~ 2017.10.12(목))" in texts
    # Facilities: no layer → "no data", never "none"; a light 120 m away is lacking.
    assert texts[texts.index("방범 CCTV") :][:2] == ["방범 CCTV", "등록 자료 없음 (확인 필요)"]
    assert "없음 (가장 가까운 것 120 m)" in texts and "있음 (가장 가까운 것 35 m)" in texts
    assert "조명(보안등) 개선" in texts and "방범 CCTV" in texts
    for blank in ("회신 내용", "회신일", "담당 부서 · 담당자"):
        assert blank in texts
    # The map: the hotspot polygon, township lines, the landmark, a scale bar.
    svg = re.search(r"<svg[^>]*aria-label=\"요청 장소 지도\".*?</svg>", page, re.S).group(0)
    assert 'fill="#d7191c"' in svg and "남원공설시장" in svg and "200 m" in svg
    places = re.findall(r' (?:d|x|y|cx|cy)="([^"]*)"', svg)
    assert places and not any("." in v for v in places)  # whole map units only
    # The hours: 22–02 five times, 20–22 three times, 15–17 once; the timeless card none.
    hours = re.search(r'<svg[^>]*aria-label="3\. 주민이[^"]*".*?</svg>', page, re.S).group(0)
    bar_labels = re.findall(r'text-anchor="middle">(\d+)</text>', hours)
    assert sorted(map(int, bar_labels)) == sorted([5, 5, 1, 1, 3, 3, 5, 5])
    # Masked and escaped: the planted script is text, the phone a token.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 무서워요" in page
    assert "연락 주세요 [전화번호]" in texts and "시장 [전화번호]" in texts
    for masked in ("시장 [전화번호] 근처", "[전화번호] 골목", "[이메일] 앞", "[주민번호] 뒤"):
        assert masked in texts


def test_english_sheet(geo, market):
    texts = cd.html_texts(sheet(geo, market, "en", NO_LAYERS))
    assert "Request for crime prevention through environmental design (CPTED)" in texts
    assert "near Namwon Public Market" in texts
    assert texts.count("No layer loaded (to be checked)") == 3
    assert not any(t.startswith("None") for t in texts)


def test_no_personal_data_points_or_formulas_in_either_file(geo, market, station):
    ev, _, _ = market
    for lang in ("ko", "en"):
        cd.assert_no_personal_data(
            geo,
            ev,
            page=sheet(geo, market, lang),
            workbook=workbook(geo, market, lang),
            sensitive=station.sensitive_categories,
        )


def test_the_workbook_holds_the_request_cards_and_hours(geo, market):
    wb = openpyxl.load_workbook(io.BytesIO(workbook(geo, market)))
    assert wb.sheetnames == ["요청서", "주민 카드", "시간대"]
    request = {r[0]: r[1] for r in wb["요청서"].iter_rows(min_row=3, values_only=True)}
    assert request["장소"] == "남원공설시장 부근"
    assert request["가로등·보안등"] == "없음 (가장 가까운 것 120 m)"
    assert request["요청 사항"] == "조명(보안등) 개선, 방범 CCTV"
    cards = list(wb["주민 카드"].iter_rows(min_row=3, values_only=True))
    assert len(cards) == 9
    texts = [r[4] for r in cards]
    assert '\'=HYPERLINK("http://evil.example","x")' in texts  # text, not a formula
    assert "'@SUM(A1:A2)" in texts and "'-2+3" in texts
    hours = {r[0]: r[1] for r in wb["시간대"].iter_rows(min_row=3, values_only=True)}
    assert hours["22"] == 5 and hours["20"] == 3 and hours["15"] == 1 and hours["03"] == 0


def test_place_in_words_names_the_direction(geo):
    lm = geo.landmarks.set_index("name").loc["남원공설시장"]
    row = {
        "landmark": "남원공설시장",
        "landmark_m": 231.0,
        "centroid_x": lm["x"] + 163.0,
        "centroid_y": lm["y"] + 163.0,
        "emd": "죽항동",
    }
    # The dashboard's words for a place (analytics.compute.profiles.place_label).
    assert cpted.place_words(row, geo, "ko") == "남원공설시장 북동쪽 230 m"
    assert cpted.place_words(row, geo, "en") == "230 m northeast of Namwon Public Market"
    far = {**row, "landmark_m": 2400.0}
    assert cpted.place_words(far, geo, "ko") == "죽항동 일대"


def test_refuses_what_it_cannot_print(geo, market):
    _, hotspot, cards = market
    with pytest.raises(ValueError, match="lang"):
        cpted.cpted_sheet_html(
            hotspot, cards, geo=geo, missing={}, period_label=cd.PERIOD, lang="fr"
        )
    no_area = pd.Series({**hotspot.to_dict(), "geometry": None})
    with pytest.raises(ValueError, match="polygon"):
        cpted.cpted_sheet_html(no_area, cards, geo=geo, missing={}, period_label=cd.PERIOD)
