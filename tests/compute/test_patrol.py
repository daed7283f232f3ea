"""Patrol targets (탄력순찰) on hand-built hotspot tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.compute.hotspots import find_hotspots
from analytics.compute.patrol import busiest_weekdays, evidence_text, patrol_targets
from analytics.compute.profiles import window_label
from tests.conftest import make_events

KST = "Asia/Seoul"
MARKET_XY = (989485.0, 1712481.0)  # 남원공설시장, EPSG:5179 metres

SPEC_COLUMNS = [
    "순번",
    "장소",
    "시간대",
    "요일",
    "유형",
    "추세",
    "근거",
    "주요 유형",
    "위도",
    "경도",
    "핫스팟 ID",
]


def hist(cells: dict[tuple[int, int], float]) -> list[list[float]]:
    """A 7 × 24 hour-weekday histogram from {(weekday, hour): count}."""
    h = np.zeros((7, 24))
    for (wd, hour), n in cells.items():
        h[wd, hour] = n
    return h.tolist()


def hotspot(**kw) -> dict:
    row = {
        "hotspot_id": "H0000000001",
        "rank": 1,
        "place": "남원공설시장 부근 20 m",
        "police_unit": "중앙지구대",
        "patrol_windows": [(22, 0, 1.0)],
        "type": "convergent",
        "status": "persistent",
        "n_incident": 12,
        "n_suggestion": 3,
        "n_complaint": 0,
        "top_categories": [("주취·소란", 5), ("절도", 2)],
        "hour_weekday": hist({(4, 22): 3, (5, 23): 1}),
        "lat": 35.4078,
        "lon": 127.3842,
        "priority": 5.0,
    }
    row.update(kw)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def test_rows_follow_priority_then_window_share():
    low = hotspot(
        hotspot_id="HA",
        rank=2,
        priority=5.0,
        place="용남시장 부근 10 m",
        patrol_windows=[(22, 0, 0.3), (2, 4, 0.5)],
        hour_weekday=hist({(4, 22): 3, (4, 2): 5}),
    )
    high = hotspot(
        hotspot_id="HB",
        rank=1,
        priority=9.0,
        place="광한루원 부근 150 m",
        patrol_windows=[(13, 15, 1.0)],
        type="hidden",
        status="new",
        n_incident=4,
        n_suggestion=0,
        hour_weekday=hist({(5, 13): 2, (6, 14): 2}),
    )
    t = patrol_targets(frame(low, high), unit="중앙지구대")
    assert list(t.columns) == SPEC_COLUMNS
    assert t["순번"].tolist() == [1, 2, 3]
    assert t["핫스팟 ID"].tolist() == ["HB", "HA", "HA"]
    assert t["시간대"].tolist() == ["13–15시", "02–04시", "22–24시"]
    assert t["요일"].tolist() == ["토·일", "금", "금"]
    assert t["유형"].tolist() == [
        "사건 多·주민 신고 없음",
        "신고·사건 모두 많음",
        "신고·사건 모두 많음",
    ]
    assert t["추세"].tolist() == ["신규", "지속", "지속"]
    assert t["근거"].tolist() == ["사건 4", "사건 12 · 소리함 3", "사건 12 · 소리함 3"]
    assert t["주요 유형"].iloc[1] == "주취·소란 5, 절도 2"
    assert (t["위도"].iloc[0], t["경도"].iloc[0]) == (35.4078, 127.3842)


def test_equal_priority_keeps_rank_order():
    a = hotspot(hotspot_id="HZ", rank=1, priority=3.0)
    b = hotspot(hotspot_id="HA", rank=2, priority=3.0)
    assert patrol_targets(frame(b, a))["핫스팟 ID"].tolist() == ["HZ", "HA"]


def test_unit_filter_and_station_wide_list():
    h = frame(
        hotspot(hotspot_id="H1", police_unit="중앙지구대", priority=2.0),
        hotspot(hotspot_id="H2", police_unit="산내파출소", priority=4.0),
    )
    mine = patrol_targets(h, unit="산내파출소")
    assert mine["핫스팟 ID"].tolist() == ["H2"]
    assert "관할" not in mine.columns
    every = patrol_targets(h)
    assert every.columns[2] == "관할"
    assert every["관할"].tolist() == ["산내파출소", "중앙지구대"]
    none = patrol_targets(h, unit="아영파출소")
    assert none.empty and list(none.columns) == SPEC_COLUMNS


def test_hotspot_without_timed_events_still_gets_a_row():
    # Complaints only: no hour, so no window, but the place is still a target.
    h = frame(
        hotspot(
            patrol_windows=[],
            n_incident=0,
            n_suggestion=0,
            n_complaint=5,
            type="fear",
            hour_weekday=hist({}),
        )
    )
    t = patrol_targets(h)
    assert t[["시간대", "요일", "근거", "유형"]].iloc[0].tolist() == [
        "—",
        "—",
        "민원 5",
        "주민 불안 多·사건 少",
    ]


def test_english_labels_and_missing_status():
    h = frame(hotspot()).drop(columns=["status", "rank"])
    t = patrol_targets(h, unit="중앙지구대", lang="en")
    assert list(t.columns)[:4] == ["No.", "Place", "Time window", "Days"]
    row = t.iloc[0]
    assert row["Time window"] == "22:00–24:00"
    assert row["Days"] == "Fri, Sat"
    assert row["Type"] == "Reports and incidents"
    assert row["Trend"] == "—"
    assert row["Evidence"] == "12 incidents · 3 cards"


def test_windows_as_arrays_and_missing_windows():
    arrays = hotspot(patrol_windows=np.array([[2, 4, 0.2], [22, 0, 0.8]]))
    assert patrol_targets(frame(arrays))["시간대"].tolist() == ["22–24시", "02–04시"]
    missing = hotspot(patrol_windows=None)
    assert patrol_targets(frame(missing))["시간대"].tolist() == ["—"]


def test_without_histogram_days_are_unknown():
    t = patrol_targets(frame(hotspot()).drop(columns=["hour_weekday"]))
    assert t["요일"].tolist() == ["—"]


@pytest.mark.parametrize(
    ("cells", "window", "lang", "expected"),
    [
        ({(4, 22): 3, (5, 23): 1}, (22, 0), "ko", "금·토"),  # 75 % and 25 %
        ({(4, 22): 4, (5, 23): 1}, (22, 0), "ko", "금"),  # Sat 20 % < 25 %
        ({(4, 22): 3, (5, 23): 1}, (22, 0), "en", "Fri, Sat"),
        ({(d, 22): 1 for d in range(5)}, (22, 0), "ko", "요일 무관"),  # 20 % each
        ({(d, 22): 1 for d in range(4)}, (22, 0), "ko", "요일 무관"),  # four days at 25 %
        ({(0, 22): 1, (2, 22): 1, (6, 23): 1}, (22, 0), "ko", "월·수·일"),
        ({(4, 1): 2}, (0, 2), "ko", "금"),  # window after midnight
        ({(4, 23): 2, (5, 0): 2}, (23, 1), "ko", "금·토"),  # wraps past midnight
        ({(4, 10): 2}, (22, 0), "ko", "—"),  # nothing in the window
    ],
)
def test_busiest_weekdays(cells, window, lang, expected):
    assert busiest_weekdays(hist(cells), *window, lang=lang) == expected


def test_busiest_weekdays_rejects_a_bad_histogram():
    with pytest.raises(ValueError, match="7 × 24"):
        busiest_weekdays([[0] * 24] * 6, 22, 0)


@pytest.mark.parametrize(
    ("counts", "lang", "expected"),
    [
        ((12, 3, 0), "ko", "사건 12 · 소리함 3"),
        ((0, 0, 1), "ko", "민원 1"),
        ((2, 1, 4), "ko", "사건 2 · 소리함 1 · 민원 4"),
        ((1, 2, 0), "en", "1 incident · 2 cards"),
        ((0, 1, 1), "en", "1 card · 1 complaint"),
        ((0, 0, 0), "ko", "—"),
    ],
)
def test_evidence_text(counts, lang, expected):
    assert evidence_text(*counts, lang=lang) == expected


@pytest.mark.parametrize(
    ("start", "end", "lang", "expected"),
    [(22, 0, "ko", "22–24시"), (8, 10, "ko", "08–10시"), (23, 1, "en", "23:00–01:00")],
)
def test_window_label(start, end, lang, expected):
    assert window_label(start, end, lang) == expected


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"lang": "fr"}, ValueError),
        ({"unit": 3}, TypeError),
    ],
)
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        patrol_targets(frame(hotspot()), **kwargs)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="patrol_windows"):
        patrol_targets(frame(hotspot()).drop(columns=["patrol_windows"]))
    with pytest.raises(TypeError):
        patrol_targets([hotspot()])


def test_from_clustered_events(geo):
    """Four incidents on Friday 22:10–22:40 and two cards asking for 22–24시 on Saturday.

    Hour histogram: Fri 22h 4, Sat 22h 1, Sat 23h 1 → the 22–24시 window holds all
    six (no second window), Friday 4/6 and Saturday 2/6 of them.
    """
    fri = pd.Timestamp("2017-10-13 22:10", tz=KST)
    rows = [
        {
            "x": MARKET_XY[0] + i,
            "y": MARKET_XY[1],
            "occurred_at": fri + pd.Timedelta(minutes=10 * i),
        }
        for i in range(4)
    ]
    rows += [
        {
            "x": MARKET_XY[0] + 2,
            "y": MARKET_XY[1] + 3 + i,
            "source": "suggestion",
            "occurred_at": pd.Timestamp("2017-10-14", tz=KST),
            "category": "dark_street",
            "category_label": "어두운 길",
            "severity": None,
            "slot_start_hour": 22,
            "slot_end_hour": 0,
            "event_id": f"sug_{i:016x}",
        }
        for i in range(2)
    ]
    found = find_hotspots(make_events(rows), geo=geo, eps_m=30, min_samples=3)
    assert len(found.hotspots) == 1
    t = patrol_targets(found.hotspots, unit="중앙지구대")
    assert len(t) == 1
    row = t.iloc[0]
    assert row["시간대"] == "22–24시"
    assert row["요일"] == "금·토"
    assert row["근거"] == "사건 4 · 소리함 2"
    assert row["유형"] == "신고·사건 모두 많음"
    assert row["추세"] == "—"  # find_hotspots alone gives no status
    assert row["핫스팟 ID"] == found.hotspots["hotspot_id"].iloc[0]


def test_english_targets_translate_units_categories_and_windows():
    h = frame(hotspot(), hotspot(hotspot_id="H0000000002", police_unit="운봉파출소"))
    t = patrol_targets(h, lang="en", unit_names={"중앙지구대": "Jungang Patrol Division"})
    assert t["Unit"].tolist() == ["Jungang Patrol Division", "운봉파출소"]  # unknown: as stored
    assert t["Main categories"].iloc[0] == "Drunk disturbance 5, Theft 2"
    assert patrol_targets(h, lang="ko")["주요 유형"].iloc[0] == "주취·소란 5, 절도 2"


def test_keep_patrols_for_the_longest_near_repeat_of_the_main_categories():
    h = frame(
        hotspot(hotspot_id="H1", priority=3.0, patrol_windows=[(22, 0, 0.6), (2, 4, 0.4)]),
        hotspot(hotspot_id="H2", priority=2.0, top_categories=[("주취·소란", 4), ("폭력", 1)]),
        hotspot(
            hotspot_id="H3",
            priority=1.0,
            top_categories=[("교통사고", 2), ("절도", 2), ("폭력", 1)],
        ),
    )
    days = {"절도": 3.0, "교통사고": 1.0}
    t = patrol_targets(h, unit="중앙지구대", keep_days=days)
    assert list(t.columns) == [*SPEC_COLUMNS[:8], "순찰 유지", *SPEC_COLUMNS[8:]]
    # Every window of a hotspot says it; its longest category wins, not its first.
    assert t["순찰 유지"].tolist() == ["3일 (절도)", "3일 (절도)", "—", "3일 (절도)"]
    en = patrol_targets(h, unit="중앙지구대", lang="en", keep_days={"교통사고": 1.0})
    assert en["Keep patrols"].tolist() == ["—", "—", "—", "1 day (Traffic accident)"]
    assert "순찰 유지" not in patrol_targets(h).columns  # no near-repeat given: no column
    empty = patrol_targets(h, unit="아영파출소", keep_days=days)
    assert empty.empty and "순찰 유지" in empty.columns
