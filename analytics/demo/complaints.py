"""The synthetic complaints: types, agencies, processing times and the export rows.

:func:`complaint_rows` returns the rows of ``complaints_2017.xlsx`` (sheet 민원목록):
most at an address of a township with WGS84 coordinates, some named only by a
gazetteer place (the importer geocodes those), dates as ``date`` objects or, now and
then, typed as text.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from analytics.demo.places import Places
from analytics.demo.world import (
    BAD_ROWS,
    DEFAULT_POPULATION,
    IMPOSSIBLE_DOTTED_DATE,
    POPULATION,
    UNKNOWN_PLACE,
    YEAR,
    fake_phone,
    year_days,
    year_holidays,
)
from analytics.station.geo import StationGeography

N_COMPLAINTS = 400
# The day the export was taken: a complaint not closed by then is 접수 or 처리중.
COMPLAINTS_AS_OF = date(2017, 12, 31)

COMPLAINT_COLUMNS = (
    "민원번호",
    "접수일",
    "민원유형",
    "처리상태",
    "협조기관",
    "처리완료일",
    "장소",
    "위도",
    "경도",
    "요청내용",
)


# --------------------------------------------------------------------------- complaints


COMPLAINT_TYPES = (
    # type, share, median days to close, agencies, landmark preferences, request templates
    (
        "불법주정차",
        0.24,
        5.0,
        ("남원시청 교통행정과",),
        ("남원공설시장", "용남시장", "남원공용버스터미널", "남원역", "광한루원", "인월시장"),
        ("{p} 불법주정차 단속 요청", "{p} 앞 이중주차로 통행 불편", "장날마다 {p} 주변 주차 혼잡"),
    ),
    (
        "가로등",
        0.15,
        12.0,
        ("남원시청 건설과", "한국전력 남원지사"),
        ("도통동 원룸촌", "남원향교", "요천 산책로", "남원예촌"),
        ("{p} 가로등 고장, 밤에 너무 어두움", "{p} 보안등 추가 설치 요청", "{p} 가로등 점멸 불량"),
    ),
    (
        "과속방지턱",
        0.12,
        30.0,
        ("남원시청 건설과",),
        ("남원향교", "도통동 원룸촌", "운봉읍사무소", "남원시청"),
        ("{p} 과속 차량 많아 과속방지턱 설치 요청", "{p} 과속방지턱 도색 요청"),
    ),
    (
        "신호등",
        0.10,
        40.0,
        ("남원시청 교통행정과", "도로교통공단 전북지부"),
        ("남원시청", "남원의료원", "남원공용버스터미널", "남원역"),
        ("{p} 신호 주기 조정 요청", "{p} 보행 신호 시간 연장 요청", "{p} 신호등 고장"),
    ),
    (
        "횡단보도",
        0.10,
        35.0,
        ("남원시청 교통행정과",),
        ("남원의료원", "남원시청", "남원공설시장", "인월시장"),
        ("{p} 횡단보도 신설 요청", "{p} 횡단보도 도색 흐림"),
    ),
    (
        "CCTV 설치",
        0.10,
        60.0,
        ("남원시청 안전총괄과",),
        ("도통동 원룸촌", "요천 산책로", "남원향교", "남원공설시장"),
        ("{p} 방범 CCTV 설치 요청", "{p} 쓰레기 무단투기, CCTV 설치 희망"),
    ),
    (
        "도로파손",
        0.10,
        14.0,
        ("남원시청 건설과", "전북도로관리사업소"),
        ("인월시장", "운봉읍사무소", "뱀사골 입구(반선)", "남원역"),
        ("{p} 도로 파손(포트홀) 보수 요청", "{p} 도로 침하로 차량 파손 우려"),
    ),
    (
        "소음",
        0.06,
        7.0,
        ("남원시청 환경과",),
        ("남원예촌", "광한루원", "도통동 원룸촌"),
        ("{p} 심야 소음 민원", "{p} 공사 소음 민원"),
    ),
    (
        "기타",
        0.03,
        15.0,
        ("남원시청 안전총괄과", "남원시청 건설과"),
        ("남원시청", "남원공설시장"),
        ("{p} 불법 현수막 정비 요청", "{p} 방치 차량 처리 요청"),
    ),
)


def _complaint_date_weights(days: list[date], hol: set[date]) -> np.ndarray:
    w = np.empty(len(days))
    for i, d in enumerate(days):
        # Mostly working days; online complaints arrive at weekends too.
        w[i] = 0.12 if (d in hol or d.weekday() >= 5) else 1.0
        w[i] *= 1.2 if 3 <= d.month <= 6 else (0.85 if d.month in (1, 2, 12) else 1.0)
    return w / w.sum()


def complaint_rows(
    rng: np.random.Generator, *, geo: StationGeography, lm, places: Places
) -> list[list]:
    """The complaint rows (header excluded): dates are ``date`` objects or text."""
    days = year_days()
    hol = year_holidays()
    received = np.sort(rng.choice(365, size=N_COMPLAINTS, p=_complaint_date_weights(days, hol)))
    shares = np.array([t[1] for t in COMPLAINT_TYPES])
    kinds = rng.choice(len(COMPLAINT_TYPES), size=N_COMPLAINTS, p=shares / shares.sum())
    # Complaints with coordinates are at an address of a township, as background calls are.
    layer = places.layer
    twp = [e for e in geo.townships["emd"] if (layer.emd[places.bg_idx] == e).any()]
    by_twp = {e: places.bg_idx[layer.emd[places.bg_idx] == e] for e in twp}
    tw = np.array([POPULATION.get(e, DEFAULT_POPULATION) for e in twp], dtype=float)
    tw *= np.where([e.endswith("동") for e in twp], 1.6, 1.0)
    rows = []
    for n, (di, ki) in enumerate(zip(received, kinds, strict=True)):
        ctype, _, median_d, agencies, prefs, templates = COMPLAINT_TYPES[ki]
        got = days[di]
        if rng.random() < 0.30:
            # Named by a gazetteer place: no coordinates, the importer geocodes it.
            name = str(rng.choice(prefs))
            aliases = lm[name]["aliases"]
            shown = str(rng.choice(aliases)) if aliases and rng.random() < 0.4 else name
            if rng.random() < 0.4:
                shown = f"{shown} {rng.choice(['앞', '사거리', '입구', '주변'])}"
            place, lat, lon, short = shown, None, None, shown
        else:
            pool = by_twp[twp[rng.choice(len(twp), p=tw / tw.sum())]]
            j = int(pool[rng.integers(len(pool))])
            lon_a, lat_a = geo.to_geographic([layer.x_m[j]], [layer.y_m[j]])
            place = layer.jibun[j]
            lat, lon = round(float(lat_a[0]), 6), round(float(lon_a[0]), 6)
            short = str(rng.choice(["집 앞 골목", "마을 입구", "아파트 앞", "학교 앞", "교차로"]))
        # Lognormal processing time, slower at year end when budgets are spent.
        days_to_close = median_d * np.exp(rng.normal(0.0, 0.9))
        if got.month >= 11:
            days_to_close *= 3.0
        if rng.random() < 0.04:
            days_to_close = 10_000.0  # waiting for next year's budget
        done = got + timedelta(days=int(np.ceil(days_to_close)))
        while done.weekday() >= 5:
            done += timedelta(days=1)
        if done <= COMPLAINTS_AS_OF:
            status, done_cell = "완료", done
        else:
            age = (COMPLAINTS_AS_OF - got).days
            status = "접수" if age < 7 or rng.random() < 0.2 else "처리중"
            done_cell = None
        text = str(rng.choice(templates)).format(p=short)
        if rng.random() < 0.03:
            text = f"{text} (연락처 {fake_phone(rng)})"
        got_cell = got.strftime("%Y.%m.%d").replace(".0", ".") if rng.random() < 0.03 else got
        rows.append(
            [
                f"민원-{YEAR}-{n + 1:04d}",
                got_cell,
                ctype,
                status,
                str(rng.choice(agencies)),
                done_cell,
                place,
                lat,
                lon,
                text,
            ]
        )
    bad = BAD_ROWS["complaints"]
    picks = rng.choice(len(rows), size=sum(bad.values()), replace=False)
    cursor = 0
    for kind_name, count in bad.items():
        for i in picks[cursor : cursor + count]:
            if kind_name == "impossible_date":
                rows[i][1] = IMPOSSIBLE_DOTTED_DATE
            elif kind_name == "unknown_place":
                rows[i][6], rows[i][7], rows[i][8] = UNKNOWN_PLACE, None, None
        cursor += count
    return rows
