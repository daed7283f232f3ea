"""The meeting pack: one offline HTML file, escaped, with the week's figures."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from analytics.compute import periods
from analytics.compute.status import hotspot_status
from analytics.presentation.meeting_pack import build_meeting_pack
from analytics.query import HotspotQuery
from analytics.station.clock import zone
from tests.conftest import make_events

KST = zone()  # the station's clock
START = pd.Timestamp("2017-10-06", tz=KST)
END = pd.Timestamp("2017-10-13", tz=KST)
A = (989485.0, 1712481.0)  # the market (중앙지구대)
C = (989485.0, 1714481.0)  # 2 km north
XSS = '<img src=x onerror="alert(1)">'
AMP = "공설시장 & 뒷골목"
TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# URLs a self-contained pack may still name: the tile template, Leaflet's
# attribution link, and the SVG namespace string inside Leaflet's code (never fetched).
ALLOWED_URLS = {TILE_URL, "https://leafletjs.com", "http://www.w3.org/2000/svg"}


def burst(centre, n, day, *, start_id):
    t = pd.Timestamp(day, tz=KST) + pd.Timedelta(hours=22)
    return [
        {
            "x": centre[0] + (i % 5) * 2,
            "y": centre[1] + (i // 5) * 2,
            "occurred_at": t,
            "event_id": f"inc_{start_id + i:016x}",
        }
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def week(geo):
    """A: 5 a week for four weeks, then 15 (intensifying); C: new this week."""
    rows, i = [], 0
    for w in range(1, 5):
        day = (START - pd.Timedelta(days=7 * w - 1)).date().isoformat()
        rows += burst(A, 5, day, start_id=i)
        i += 100
    rows += burst(A, 15, "2017-10-09", start_id=i)
    rows += burst(C, 7, "2017-10-11", start_id=i + 100)
    events = make_events(rows)
    status = hotspot_status(
        events, HotspotQuery(start=START, end=END, eps_m=30, min_samples=3), geo=geo
    )
    hotspots = status.current.copy()
    assert len(hotspots) == 2
    hotspots["place"] = [XSS, AMP]
    units = periods.unit_table(
        events, period=periods.Period(START, END), geo=geo, hotspots=hotspots
    )
    headline = pd.DataFrame(
        [
            {
                "source": "incident",
                "count": 22,
                "previous": 5,
                "change_pct": periods.pct_change(22, 5),
                "mean_4w": 5.0,
                "vs_4w_pct": periods.pct_change(22, 5.0),
                "has_last_year": True,
                "last_year": 11,
                "vs_last_year_pct": periods.pct_change(22, 11),
            },
            {
                "source": "suggestion",
                "count": 0,
                "previous": 0,
                "change_pct": None,
                "mean_4w": 0.0,
                "vs_4w_pct": None,
                "has_last_year": False,
                "last_year": 0,
                "vs_last_year_pct": None,
            },
        ]
    )
    return {"hotspots": hotspots, "gone": status.gone, "units": units, "headline": headline}


def pack(geo, station, week, **kw) -> str:
    args = {
        "station": station,
        "geo": geo,
        "period": (START, END),
        "headline": week["headline"],
        "hotspots": week["hotspots"],
        "units": week["units"],
        "accuracy_sentence": "지난주 핫스팟이 이번 주 사건의 24%를 포착 <b>",
        "setting_sentence": "자동 설정: eps 30 m, 최소 3건",
        "lang": "ko",
        "synthetic": True,
        "gone": week["gone"],
    }
    args.update(kw)
    return build_meeting_pack(**args)


def map_doc(page: str) -> str:
    """The map document inside the iframe's srcdoc, unescaped."""
    found = re.findall(r'srcdoc="([^"]*)"', page)
    assert len(found) == 1
    return html.unescape(found[0])


def urls(text: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)&\\]+", text))


def assert_offline(page: str) -> None:
    inner = map_doc(page)
    for doc in (page, inner):
        assert not re.search(r"<script[^>]*\ssrc\s*=", doc, re.IGNORECASE)
        assert not re.search(r"<link[^>]*\shref\s*=", doc, re.IGNORECASE)
        assert not re.search(r"@import|url\(\s*['\"]?https?:", doc, re.IGNORECASE)
    assert "<script" not in page.split("srcdoc=")[0].lower()  # the pack itself runs no code
    assert "L.map(" in inner and "leaflet" in inner.lower()  # Leaflet is inlined
    assert urls(page) | urls(inner) <= ALLOWED_URLS


def test_pack_opens_offline(geo, station, week):
    page = pack(geo, station, week)
    assert_offline(page)
    assert 'sandbox="allow-scripts"' in page


def test_pack_content(geo, station, week):
    page = pack(geo, station, week)
    assert "2017.10.06(금) ~ 10.12(목)" in page
    assert "회의일: 2017.10.13(금)" in page
    assert "공설시장 &amp; 뒷골목" in page
    assert html.escape(XSS, quote=True) in page
    for unit in geo.police_units["unit"]:
        assert f"<td>{unit}</td>" in page
    assert "경계 자료: 통계청(SGIS), 공공누리 제1유형." in page
    assert page.count("합성(가상) 데모 데이터") == 2  # top banner and footer
    assert "핫스팟 2곳 (신규 1 · 심화 1" in page
    # 22 vs 5 last week: too few last week for a percentage ("+340%" in arithmetic),
    # unlikely to be chance (p < 0.001): marked and red.
    assert '<div class="delta rise">지난주 5건 대비 ▲ +17</div>' in page
    assert "4주 평균 5.0 (▲ +340.0%)" in page  # 20 in four weeks, 22 now: both counts >= 10
    assert "작년 같은 주 11 (+100.0%)" in page  # 22 vs 11: p = 0.08, could be chance
    assert page.count("▲▼: 우연으로 보기 어려운 증감") == 2  # under the cards and the units
    assert "작년 같은 주: 자료 없음" in page  # cards: it does not
    assert "자동 설정: eps 30 m, 최소 3건" in page
    assert "포착 &lt;b&gt;" in page
    hotspot_ids = week["hotspots"]["hotspot_id"].tolist()
    assert all(h in page for h in hotspot_ids)
    assert all(h in map_doc(page) for h in hotspot_ids)  # drawn on the map


def test_xss_place_name_is_escaped_everywhere(geo, station, week):
    page = pack(geo, station, week)
    assert XSS not in page
    assert "<img" not in page.split("srcdoc=")[0]
    inner = map_doc(page)
    assert XSS not in inner and "<img src=x" not in inner


def test_pack_without_synthetic_banner(geo, station, week):
    assert "합성(가상) 데모 데이터" not in pack(geo, station, week, synthetic=False)


def test_pack_in_english(geo, station, week):
    page = pack(geo, station, week, lang="en", accuracy_sentence=None)
    assert "6–12 Oct 2017" in page
    assert "Boundary data: Statistics Korea (SGIS), KOGL Type 1." in page
    assert "Jungang (central) patrol division" in page and "Sannae police box" in page
    assert "중앙지구대" not in page.split("srcdoc=")[1].split("</iframe>")[1]  # tables in English
    assert "Synthetic demo data" in page
    assert "How well last weeks predicted" not in page
    assert_offline(page)


def test_pack_with_no_hotspots(geo, station, week):
    empty = week["hotspots"].iloc[0:0]
    page = pack(geo, station, week, hotspots=empty, gone=None)
    assert "이 기간에는 핫스팟 기준을 넘는 곳이 없습니다." in page
    assert_offline(page)


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"lang": "fr"}, ValueError),
        ({"period": "2017-10-06"}, TypeError),
        ({"period": (END, START)}, ValueError),
        ({"top_n": 0}, ValueError),
        ({"units": None}, TypeError),
    ],
)
def test_bad_arguments(geo, station, week, kw, error):
    with pytest.raises(error):
        pack(geo, station, week, **kw)


def test_demo_week_pack_is_small(demo_db, geo, station):
    """The last demo week, as the brief's button would build it: well under 3 MB."""
    from analytics.answer import resolve_query
    from analytics.compute.brief import forecast_accuracy
    from analytics.query import setting_sentence
    from analytics.storage import store

    engine = store.open_store(str(demo_db))
    events = store.read_events(engine)
    start = pd.Timestamp("2017-12-22", tz=KST)
    end = pd.Timestamp("2017-12-29", tz=KST)
    query, how = resolve_query(HotspotQuery(start=start, end=end), db=engine, geo=geo)
    status = hotspot_status(events, query, geo=geo)
    sentence = forecast_accuracy(events, query, geo=geo).accuracy_sentence("ko")
    units = periods.unit_table(
        events, period=periods.Period(start, end), geo=geo, hotspots=status.current
    )
    headline = pd.DataFrame([{"source": "incident", "count": 1, "previous": 1}])
    page = build_meeting_pack(
        station=station,
        geo=geo,
        period=(start, end),
        headline=headline,
        hotspots=status.current,
        units=units,
        accuracy_sentence=sentence,
        setting_sentence=setting_sentence(
            query.eps_m, query.min_samples, how, "ko", weeks=station.tune_weeks
        ),
        synthetic=True,
        gone=status.gone,
    )
    size = len(page.encode("utf-8"))
    assert 50_000 < size < 3_000_000
    assert_offline(page)
    for place in status.current["place"].head(10):
        assert html.escape(place) in page
    assert "2017.12.22(금) ~ 12.28(목)" in page


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_the_pack_lists_cpted_requests_with_answers_or_days_waited(engine, geo, tmp_path, role):
    """Two requests sent at the 2017-10-13 meeting, one answered: the pack of the
    2017-10-27 meeting lists both (the answer, and 14 days waited for the other) and
    neither the request's nor the answer's note, for a viewer or an analyst."""
    import datetime as dt

    from analytics.access.privacy import PrivacyRule
    from analytics.presentation.week_pack import meeting_pack_html, week_query
    from analytics.storage.cpted_answers import CptedAnswer, record_answer
    from analytics.storage.decisions import record_decision
    from analytics.storage.importers.core import import_file
    from tests.conftest import NOW, write_csv
    from tests.storage.test_decisions import decision
    from tests.storage.test_import_files import incident_rows

    import_file(
        write_csv(tmp_path / "in.csv", incident_rows(8)),
        source="incident",
        db=engine,
        now=NOW,
    )
    answered = record_decision(
        engine, decision(action="cpted", place="용남시장 뒷길", note="요청 메모 QN1"), actor="a"
    )
    record_decision(
        engine,
        decision(action="cpted", hotspot_id="H0000000002", place="광한루원 옆 골목"),
        actor="a",
    )
    record_answer(
        engine,
        CptedAnswer(answered, dt.date(2017, 10, 20), "accepted", ("streetlight",), "회신 QN2"),
        actor="a",
    )
    week = dt.date(2017, 10, 27)
    page = meeting_pack_html(
        engine,
        geo=geo,
        query=week_query(week),
        rule=PrivacyRule.for_role(role, geo.station),
    )
    section = page[page.index("<section class='cpted'>") :]
    section = section[: section.index("</section>")]
    assert "시청에 보낸 CPTED 요청과 회신" in section
    assert "용남시장 뒷길" in section and "설치 확정 (2017.10.20(금))" in section
    assert "보안등" in section
    assert "광한루원 옆 골목" in section and "아직 회신 없음 (14일째)" in section
    assert "QN1" not in page and "QN2" not in page
    assert "탄력순찰 22–24시" not in page  # the base decision's note either
