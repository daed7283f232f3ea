"""The synthetic "여기 무서워요" suggestion cards and the box deployment log.

:data:`PLACEMENTS` is where each box stood and when; :func:`box_rows` writes it as
the deployment log, :func:`card_rows` the hand-typed cards posted into the boxes
(informal place names, mixed date formats, no coordinates). Cards name dark alleys
that never call the police, and never the bus terminal nor Baemsagol, on purpose.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from analytics.demo.world import (
    BAD_ROWS,
    IMPOSSIBLE_DOTTED_DATE,
    UNKNOWN_PLACE,
    YEAR,
    fake_phone,
)
from analytics.station.geo import StationGeography

N_CARDS = 600
CARD_COLUMNS = ("카드번호", "소리함", "작성일", "장소", "희망시간", "내용")
BOX_COLUMNS = ("box_id", "name", "place", "lat", "lon", "installed_on", "removed_on")


# --------------------------------------------------------------------------- boxes and cards


# box_id, name, place (landmark), installed_on, removed_on (None = still there)
PLACEMENTS = (
    ("BOX-01", "여기 무서워요 소리함 1호", "중앙지구대", date(2017, 1, 16), date(2017, 6, 30)),
    ("BOX-01", "여기 무서워요 소리함 1호", "용남시장", date(2017, 7, 3), None),
    ("BOX-02", "여기 무서워요 소리함 2호", "도통지구대", date(2017, 1, 16), None),
    ("BOX-03", "여기 무서워요 소리함 3호", "향기원", date(2017, 8, 1), date(2017, 8, 31)),
    ("BOX-03", "여기 무서워요 소리함 3호", "인월시장", date(2017, 10, 16), None),
    (
        "BOX-04",
        "여기 무서워요 소리함 4호",
        "남원여성다문화센터",
        date(2017, 8, 1),
        date(2017, 8, 31),
    ),
    ("BOX-04", "여기 무서워요 소리함 4호", "운봉읍사무소", date(2017, 10, 16), None),
)
# Cards per day at each placement: the August pilot drew the most.
_CARD_RATE = {
    "중앙지구대": 0.7,
    "용남시장": 0.9,
    "도통지구대": 0.6,
    "향기원": 2.0,
    "남원여성다문화센터": 2.0,
    "인월시장": 0.6,
    "운봉읍사무소": 0.5,
}
# What residents near each box write: (place as typed, weight, fears). Never the
# terminal nor Baemsagol: crime there comes without fear cards, on purpose.
_CARD_PLACES = {
    "중앙지구대": (
        ("공설시장 뒤 골목", 3, ("drunk", "dark")),
        ("요천 둔치 산책로", 3, ("dark", "stranger")),
        ("요천변 산책로 다리 밑", 1, ("dark", "youth")),
        ("용남시장 주차장 옆", 2, ("drunk", "youth")),
        ("광한루 뒤편 골목", 1, ("dark", "youth")),
    ),
    "용남시장": (
        ("용남시장 주차장 옆", 3, ("drunk", "youth")),
        ("용남 시장 안 골목", 2, ("drunk", "dark")),
        ("공설시장 뒤 골목", 2, ("drunk", "dark")),
        ("요천 둔치 산책로", 2, ("dark", "stranger")),
        ("공설시장 화장실 근처", 1, ("stranger", "dark")),
    ),
    "도통지구대": (
        ("원룸촌 골목길", 4, ("dark", "stranger", "drunk")),
        ("도통동 원룸가 뒤", 2, ("dark", "stranger")),
        ("향교 근처 골목", 2, ("dark", "youth")),
        ("의료원 뒤 골목", 1, ("dark", "stranger")),
        ("시청 뒤 주차장", 1, ("youth", "drunk")),
    ),
    "향기원": (
        ("원룸촌 골목길", 3, ("dark", "stranger")),
        ("향기원 앞 길", 3, ("dark", "traffic")),
        ("의료원 뒤 골목", 1, ("dark",)),
        ("도통동 원룸촌 놀이터", 1, ("youth", "stranger")),
    ),
    "남원여성다문화센터": (
        ("향교 근처 골목", 3, ("dark", "stranger")),
        ("다문화센터 앞 골목", 2, ("dark", "stranger")),
        ("시청 앞 횡단보도", 1, ("traffic",)),
        ("경찰서 뒤 골목", 1, ("dark", "youth")),
        ("요천 산책로", 1, ("dark", "stranger")),
    ),
    "인월시장": (
        ("인월시장 뒷골목", 3, ("dark", "drunk")),
        ("인월 장터 주차장", 2, ("drunk", "youth")),
        ("인월시장 앞 버스정류장", 1, ("dark", "traffic")),
    ),
    "운봉읍사무소": (
        ("운봉읍내 골목", 3, ("dark",)),
        ("운봉읍사무소 앞 길", 2, ("traffic", "dark")),
        ("운봉읍내 농협 옆", 1, ("drunk", "dark")),
    ),
}
_FEAR_TEXT = {
    "dark": (
        "너무 어두워요",
        "가로등이 없어요",
        "밤에 골목이 깜깜해서 무서워요",
        "보안등이 고장났어요",
    ),
    "drunk": ("술 취한 사람들이 많아요", "주취자가 소리를 질러요", "밤마다 취객이 시비를 걸어요"),
    "youth": ("청소년들이 모여서 담배를 피워요", "학생들이 늦게까지 모여 있어요", "청소년 흡연"),
    "stranger": (
        "낯선 사람이 따라오는 것 같아요",
        "수상한 사람이 배회해요",
        "모르는 남자가 서성거려요",
    ),
    "traffic": ("차들이 과속해요", "차량이 많아서 위험해요", "횡단보도가 없어 위험해요"),
}
_FEAR_SLOTS = {
    "dark": ("22-02시", "밤 10시~새벽 2시", "21~24시", "밤", "저녁 8시~11시"),
    "drunk": ("22-02시", "밤 10시~새벽 2시", "새벽", "21~24시"),
    "youth": ("저녁", "19~22시", "21~24시", "하교 후 저녁"),
    "stranger": ("21~24시", "밤 10시~새벽 2시", "저녁", "22-02시"),
    "traffic": ("아침 7~9시", "저녁 6~8시", "하교시간", "18~20시"),
}


def _typed_date(rng: np.random.Generator, d: date) -> str:
    r = rng.random()
    if r < 0.4:
        return f"{d.year}.{d.month}.{d.day}"
    if r < 0.75:
        return d.isoformat()
    return f"{d.year}년 {d.month}월 {d.day}일"


def box_rows(*, geo: StationGeography, lm) -> list[list[str]]:
    rows = []
    for box_id, name, place, start, end in PLACEMENTS:
        lon, lat = geo.to_geographic([lm[place]["x_m"]], [lm[place]["y_m"]])
        rows.append(
            [
                box_id,
                name,
                place,
                f"{float(lat[0]):.6f}",
                f"{float(lon[0]):.6f}",
                start.isoformat(),
                end.isoformat() if end else "",
            ]
        )
    return rows


def card_rows(rng: np.random.Generator) -> list[list[str]]:
    """The hand-typed card rows (header excluded), by box and card number."""
    spans = []
    for box_id, _, place, start, end in PLACEMENTS:
        last = end or date(YEAR, 12, 31)
        ndays = (last - start).days + 1
        spans.append((box_id, place, start, ndays))
    w = np.array([nd * _CARD_RATE.get(p, 0.5) for _, p, _, nd in spans])
    counts = rng.multinomial(N_CARDS, w / w.sum())
    cards = []  # (box_id, date, place, slot, text)
    for (box_id, place, start, ndays), n in zip(spans, counts, strict=True):
        dw = np.array(
            [0.4 if (start + timedelta(days=i)).weekday() >= 5 else 1.0 for i in range(ndays)]
        )
        offs = rng.choice(ndays, size=n, p=dw / dw.sum())
        options = _CARD_PLACES[place]
        pw = np.array([o[1] for o in options], dtype=float)
        for off, oi in zip(offs, rng.choice(len(options), size=n, p=pw / pw.sum()), strict=True):
            text_place, _, fears = options[oi]
            fear = str(rng.choice(fears))
            text = str(rng.choice(_FEAR_TEXT[fear]))
            if len(fears) > 1 and rng.random() < 0.2:
                other = str(rng.choice([f for f in fears if f != fear]))
                text = f"{text}. {rng.choice(_FEAR_TEXT[other])}"
            if rng.random() < 0.3:
                text = f"{text} 순찰 부탁드려요"
            if rng.random() < 0.02:
                text = f"{text} 연락 주세요 {fake_phone(rng)}"
            slot = str(rng.choice(_FEAR_SLOTS[fear]))
            cards.append((box_id, start + timedelta(days=int(off)), text_place, slot, text))
    cards.sort(key=lambda c: (c[0], c[1]))
    rows, per_box = [], {}
    for box_id, d, text_place, slot, text in cards:
        per_box[box_id] = per_box.get(box_id, 0) + 1
        rows.append(
            [f"{box_id}-{per_box[box_id]:03d}", box_id, _typed_date(rng, d), text_place, slot, text]
        )
    bad = BAD_ROWS["cards"]
    picks = rng.choice(len(rows), size=sum(bad.values()), replace=False)
    cursor = 0
    for kind_name, count in bad.items():
        for i in picks[cursor : cursor + count]:
            if kind_name == "impossible_date":
                rows[i][2] = IMPOSSIBLE_DOTTED_DATE
            elif kind_name == "unknown_place":
                rows[i][3] = UNKNOWN_PLACE
        cursor += count
    return rows
