"""The demo's officers' own places (빈집, 무인점포, 공사장, 어두운 골목, 기타): a small
CSV an analyst might keep, in CP949 with 구분, 메모, 위도, 경도 (all synthetic).

They stand near the places residents fear and the markets, a few tens of metres from a
landmark, so a hotspot's profile counts some of them; every note says it is synthetic.
"""

from __future__ import annotations

import numpy as np

from analytics.station.geo import StationGeography

PLACE_COLUMNS = ("구분", "메모", "위도", "경도")
SYNTHETIC = "(합성 데모)"
# (landmark, category as an officer writes it, note): one place each, near the landmark.
PLACES = (
    ("도통동 원룸촌", "빈집", "장기 공가, 창문 파손"),
    ("도통동 원룸촌", "어두운 골목", "가로등 고장 신고됨"),
    ("요천 산책로", "어두운 골목", "야간 인적 드묾"),
    ("용남시장", "무인점포", "24시 무인 아이스크림 가게"),
    ("남원공설시장", "무인점포", "무인 세탁소, 야간 출입"),
    ("남원공설시장", "빈집", "시장 뒤 빈 점포 겸 주택"),
    ("남원역", "공사장", "역 앞 상가 신축 공사장, 가림막 틈"),
    ("남원공용버스터미널", "기타", "심야 택시 대기 구역"),
    ("인월시장", "빈집", "시장 안쪽 폐가"),
)


def place_rows(rng: np.random.Generator, *, geo: StationGeography, lm: dict) -> list[list]:
    """The rows (header excluded): each place 20 to 60 m from its landmark."""
    rows = []
    for name, category, note in PLACES:
        angle = rng.uniform(0, 2 * np.pi)
        dist = rng.uniform(20.0, 60.0)
        x = lm[name]["x_m"] + dist * np.cos(angle)
        y = lm[name]["y_m"] + dist * np.sin(angle)
        lon, lat = geo.to_geographic(np.array([x]), np.array([y]))
        rows.append([category, f"{note} {SYNTHETIC}", f"{lat[0]:.6f}", f"{lon[0]:.6f}"])
    return rows
