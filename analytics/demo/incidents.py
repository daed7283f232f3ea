"""The synthetic 112 calls and cases: kinds, rhythms, places and the export rows.

Each incident kind (:class:`_Kind`) has its share, raw export values, hourly and
weekday rhythm, season and holiday factors, and its share at each hotspot; the rest
falls on background addresses by township population. A few calls lie just outside
the station boundary (:data:`OUTSIDE_SHARE`). :func:`incident_rows` returns the rows
of ``incidents_112_2017.csv`` as strings, sorted by time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import shapely

from analytics.demo.places import (
    DEFAULT_ROLE_AFFINITY,
    DEFAULT_USE_AFFINITY,
    HOTSPOTS,
    ROLE_AFFINITY,
    SEASONAL_LANDMARK,
    SEASONAL_RADIUS_M,
    USE_AFFINITY,
    Hotspot,
    Places,
    draw_addresses,
    week_index,
)
from analytics.demo.world import (
    BAD_ROWS,
    CHUSEOK_HOLIDAY,
    CHUSEOK_PEAK,
    DEFAULT_POPULATION,
    FESTIVAL,
    IMPOSSIBLE_DATE,
    POPULATION,
    SEOLLAL_HOLIDAY,
    SUMMER_VALLEY,
    UNKNOWN_PLACE,
    YEAR,
    fake_phone,
    in_window,
    sample_uniform_in,
    year_days,
    year_holidays,
)
from analytics.station.categories import INCIDENT
from analytics.station.geo import StationGeography

N_INCIDENTS = 12_000
# Share of incidents placed just outside the station boundary (the importer flags them).
OUTSIDE_SHARE = 0.005
# How much busier a festival hotspot is during the Chunhyang festival.
FESTIVAL_FACTOR = 10.0

INCIDENT_COLUMNS = (
    "접수번호",
    "접수일시",
    "사건종별",
    "긴급도",
    "발생장소",
    "X좌표",
    "Y좌표",
    "비고",
)

# Bearing sectors (degrees from north, clockwise) of the neighbouring counties.
_NEIGHBOURS = (
    (20.0, "임실군"),
    (70.0, "장수군"),
    (130.0, "함양군"),
    (200.0, "구례군"),
    (250.0, "곡성군"),
    (315.0, "순창군"),
    (360.0, "임실군"),
)


# --------------------------------------------------------------------------- incident kinds


def _hours(spec: str) -> tuple[float, ...]:
    """24 clock-hour weights from ``"h0 .. h5 | h6 .. h11 | h12 .. h17 | h18 .. h23"``."""
    w = tuple(float(v) for v in spec.replace("|", " ").split())
    if len(w) != 24:
        raise ValueError(f"need 24 hourly weights, got {len(w)}")
    return w


_GENERIC_SEASON = (0.88, 0.85, 0.95, 1.0, 1.05, 1.0, 1.1, 1.12, 1.02, 1.05, 0.98, 0.95)


@dataclass(frozen=True)
class _Kind:
    code: str  # analytics.station.categories code
    share: float
    raw: tuple[tuple[str, float], ...]  # export values and their weights
    hours: tuple[float, ...]  # clock hours 0..23
    weekdays: tuple[float, ...]  # police day Mon..Sun; holidays count as Sunday
    hotspots: tuple[tuple[str, float], ...]  # share at each hotspot; the rest is background
    urban: float  # background weight of a dong relative to an eup/myeon resident
    notes: tuple[str, ...]
    season: tuple[float, ...] = _GENERIC_SEASON
    chuseok: float = 1.0
    chuseok_peak: float = 1.0


_KINDS = (
    _Kind(
        "drunk",
        0.25,
        (("주취소란", 0.8), ("주취자", 0.15), ("행패소란", 0.05)),
        _hours("9 7 5 3 2 1 | 1 1 1 1 1 1 | 1 1 1 1 1 2 | 3 4 6 8 10 11"),
        (0.8, 0.8, 0.9, 1.0, 1.7, 1.8, 1.0),
        (
            ("gongseol", 0.09),
            ("yongnam", 0.07),
            ("terminal", 0.10),
            ("yechon", 0.06),
            ("inwol", 0.04),
            ("baemsagol", 0.03),
            ("station", 0.02),
            ("themepark", 0.01),
        ),
        2.2,
        ("주취자 귀가 조치", "주취자 보호조치", "현장 계도 후 종결", "가족 인계", "순찰차 귀가"),
        season=(0.9, 0.85, 0.95, 1.0, 1.05, 1.05, 1.15, 1.15, 1.05, 1.0, 0.95, 1.1),
        chuseok=1.2,
        chuseok_peak=1.2,
    ),
    _Kind(
        "traffic",
        0.18,
        (("교통사고", 0.95), ("뺑소니", 0.05)),
        _hours("1 0.8 0.6 0.5 0.5 0.8 | 2 5 7 5 4 4 | 4.5 4.5 4.5 5 5.5 7 | 8 6 4 3 2 1.5"),
        (1.0, 1.0, 1.0, 1.0, 1.15, 1.1, 0.95),
        (("terminal", 0.04), ("station", 0.02), ("baemsagol", 0.03)),
        0.9,
        ("물피 사고, 보험 처리", "인피 사고, 119 이송", "교통조사계 인계", "2차사고 예방 조치"),
        season=(0.95, 0.9, 0.95, 1.0, 1.05, 1.0, 1.0, 1.05, 1.05, 1.15, 1.15, 1.05),
        chuseok=2.2,
        chuseok_peak=3.0,
    ),
    _Kind(
        "violence",
        0.13,
        (("폭행", 0.72), ("상해", 0.22), ("협박", 0.06)),
        _hours("7 6 4 3 2 1 | 1 1 1 1 1.5 1.5 | 2 2 2 2 2 2.5 | 3 4 5 6 7 8"),
        (0.85, 0.85, 0.9, 1.0, 1.5, 1.6, 1.1),
        (
            ("gongseol", 0.06),
            ("yongnam", 0.05),
            ("terminal", 0.07),
            ("yechon", 0.04),
            ("inwol", 0.03),
            ("baemsagol", 0.02),
            ("station", 0.02),
        ),
        1.8,
        ("가해자 현행범 체포", "쌍방폭행, 임의동행", "피해자 병원 이송", "형사팀 인계"),
        chuseok=1.2,
        chuseok_peak=1.2,
    ),
    _Kind(
        "theft",
        0.10,
        (("절도", 0.85), ("소매치기", 0.05), ("빈집털이", 0.1)),
        _hours("1 1 0.5 0.5 0.5 0.5 | 1 2 3 5 6 7 | 7 7 7 6 6 5 | 4 3 2 2 1.5 1"),
        (1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.1),
        (
            ("gongseol", 0.14),
            ("yongnam", 0.11),
            ("inwol", 0.08),
            ("terminal", 0.07),
            ("yechon", 0.05),
            ("baemsagol", 0.03),
            ("themepark", 0.02),
            ("station", 0.02),
        ),
        1.6,
        ("CCTV 확인 중", "피해품 지갑", "피해품 휴대전화", "형사팀 인계", "피해품 농산물"),
    ),
    _Kind(
        "other",
        0.202,
        (("기타", 0.85), ("분실물", 0.15)),
        _hours("2 1.5 1 1 0.8 1 | 1.5 3 4 5 5 5 | 5 5 5 5 5 5 | 5 5 4.5 4 3.5 3"),
        (1.0, 1.0, 1.0, 1.0, 1.05, 1.1, 1.0),
        (
            ("gongseol", 0.04),
            ("yongnam", 0.03),
            ("terminal", 0.04),
            ("yechon", 0.04),
            ("baemsagol", 0.02),
            ("themepark", 0.02),
            ("station", 0.02),
        ),
        1.3,
        ("분실물 신고", "소음 신고 계도", "동물 구조 요청", "단순 문의", "시설물 파손 신고"),
    ),
    _Kind(
        "domestic",
        0.05,
        (("가정폭력", 1.0),),
        _hours("4 3 2 1 1 1 | 1 1 1 1 1 1 | 1 1.5 1.5 1.5 2 3 | 4 5 6 7 7 6"),
        (0.9, 0.9, 0.9, 0.9, 1.0, 1.2, 1.3),
        (),
        1.2,
        ("재발 우려 가정 등록", "피해자 분리 조치", "현장 계도", "여성청소년계 통보"),
        chuseok=1.8,
        chuseok_peak=1.8,
    ),
    _Kind(
        "fraud",
        0.035,
        (("전화금융사기", 0.8), ("보이스피싱", 0.2)),
        _hours("0 0 0 0 0 0 | 0 0.5 2 6 8 8 | 6 7 7 6 5 3 | 1 0.5 0.3 0.2 0 0"),
        (1.2, 1.2, 1.2, 1.2, 1.1, 0.15, 0.1),
        (),
        0.8,
        ("기관 사칭 전화", "대출 빙자", "지급정지 요청 안내", "수사과 인계"),
        season=(1.0,) * 12,
        chuseok=0.3,
        chuseok_peak=0.3,
    ),
    _Kind(
        "missing",
        0.03,
        (("실종(치매노인)", 0.8), ("실종", 0.1), ("가출", 0.1)),
        _hours("1 1 0.5 0.5 0.5 1 | 2 3 4 4 5 5 | 5 6 6 7 7 7 | 6 5 4 3 2 1.5"),
        (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
        (("yechon", 0.02), ("themepark", 0.02), ("baemsagol", 0.02)),
        0.35,
        ("치매 노인 수색, 가족 인계", "드론 수색 후 발견", "마을 방송 요청", "수색 중"),
        season=(0.8, 0.8, 0.9, 1.0, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 0.9, 0.8),
    ),
    _Kind(
        "sexual",
        0.012,
        (("강제추행", 0.85), ("성추행", 0.15)),
        _hours("5 4 3 2 1 0.5 | 0.5 0.5 1 1 1 1.5 | 1.5 1.5 1.5 2 2 2.5 | 3 4 5 6 6 6"),
        (0.8, 0.8, 0.9, 1.0, 1.3, 1.4, 1.0),
        (("terminal", 0.08), ("yechon", 0.07), ("gongseol", 0.05), ("baemsagol", 0.03)),
        1.8,
        ("여성청소년계 인계", "피해자 보호 조치", "CCTV 확인 중"),
    ),
    _Kind(
        "hidden_camera",
        0.006,
        (("불법촬영", 0.85), ("몰카", 0.15)),
        _hours("0.5 0.3 0.2 0.2 0.2 0.2 | 0.5 1 2 3 4 5 | 6 6 6 6 6 6 | 5 5 4 3 2 1"),
        (0.8, 0.8, 0.8, 0.8, 1.0, 1.5, 1.5),
        (
            ("terminal", 0.25),
            ("themepark", 0.20),
            ("baemsagol", 0.20),
            ("gongseol", 0.15),
            ("yechon", 0.10),
            ("inwol", 0.05),
            ("station", 0.05),
        ),
        1.0,
        ("화장실 불법촬영 의심 신고", "탈의실 점검 요청", "여성청소년계 인계"),
    ),
    _Kind(
        "child_abuse",
        0.005,
        (("아동학대", 1.0),),
        _hours("0.5 0.3 0.2 0.2 0.2 0.3 | 0.5 1 2 2 2 2 | 2 2 2.5 3 3 3 | 3.5 3.5 3 2 1.5 1"),
        (1.1, 1.1, 1.1, 1.1, 1.0, 0.8, 0.8),
        (),
        1.3,
        ("아동보호전문기관 통보", "여성청소년계 인계"),
    ),
)

_SEVERITY = {c.code: c.severity for c in INCIDENT}
_PRIORITY_CODES = ("C0", "C1", "C2", "C3", "C4")
_PRIORITY_P = {
    "high": (0.05, 0.30, 0.45, 0.18, 0.02),
    "medium": (0.005, 0.08, 0.50, 0.38, 0.035),
    "low": (0.0, 0.03, 0.40, 0.50, 0.07),
}
# Kinds that can happen on the far side of the boundary, with their weights.
_OUTSIDE_KINDS = {"traffic": 4.0, "other": 2.0, "drunk": 1.0, "violence": 1.0, "theft": 1.0}


def _outside_points(
    rng: np.random.Generator, *, geo: StationGeography, n: int, exclude
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``n`` points 50–1,500 m outside the boundary, and their neighbouring county."""
    b = geo.boundary_m
    ring = shapely.difference(b.buffer(1_500.0), b.buffer(50.0))
    x, y = sample_uniform_in(rng, geom=ring, n=n, exclude=exclude)
    c = b.centroid
    bearing = np.degrees(np.arctan2(x - c.x, y - c.y)) % 360.0
    limits = np.array([lim for lim, _ in _NEIGHBOURS])
    names = [_NEIGHBOURS[int(np.searchsorted(limits, v, side="right"))][1] for v in bearing]
    return x, y, names


def _day_weights(*, kind: _Kind, hotspot: Hotspot | None, days: list[date], hol: set[date]):
    """Relative weight of each police day of the year for one kind at one place.

    Returns
    -------
    ndarray of shape (365,), summing to 1.
    """
    w = np.empty(len(days))
    for i, d in enumerate(days):
        dow = 6 if d in hol else d.weekday()
        v = kind.season[d.month - 1] * kind.weekdays[dow]
        if in_window(d, CHUSEOK_PEAK):
            v *= kind.chuseok_peak
        elif in_window(d, CHUSEOK_HOLIDAY):
            v *= kind.chuseok
        elif in_window(d, SEOLLAL_HOLIDAY):
            # Lunar New Year travel: the same kinds rise as at Chuseok, less sharply.
            v *= 0.5 + 0.6 * kind.chuseok
        if hotspot is not None:
            if hotspot.festival and in_window(d, FESTIVAL):
                v *= FESTIVAL_FACTOR
            if hotspot.market_days and d.day % 10 in {m % 10 for m in hotspot.market_days}:
                v *= 2.5 if kind.code == "theft" else 1.4
            if hotspot.seasonal:
                if not in_window(d, SUMMER_VALLEY):
                    v = 0.0
                else:
                    # Holiday season peaks around 1 August.
                    v *= 1.0 + 1.5 * np.exp(-(((d - date(YEAR, 8, 1)).days / 10.0) ** 2))
        w[i] = v
    return w / w.sum()


def _sample_minutes(
    rng: np.random.Generator, *, n: int, day_p: np.ndarray, hours: tuple[float, ...]
) -> np.ndarray:
    """Minutes since 2017-01-01 00:00 KST for ``n`` calls.

    Days are police days (06:00 to 05:59), so a Friday night call at 01:00 belongs
    to Friday's weight. Calls after midnight of 31 December wrap to 1 January.
    """
    day = rng.choice(len(day_p), size=n, p=day_p)
    # Hours re-ordered from 06:00 so that night hours follow their evening.
    order = (np.arange(24) + 6) % 24
    hw = np.asarray(hours, dtype=float)[order]
    k = rng.choice(24, size=n, p=hw / hw.sum())
    minutes = day * 1440 + (6 + k) * 60 + rng.integers(0, 60, n)
    year_m = 365 * 1440
    return np.where(minutes >= year_m, minutes - year_m, minutes)


def _format_minutes(minutes: np.ndarray) -> np.ndarray:
    ts = np.datetime64(f"{YEAR}-01-01T00:00") + minutes.astype("timedelta64[m]")
    return np.char.replace(np.datetime_as_string(ts, unit="m"), "T", " ").astype(object)


def _fake_contact(rng: np.random.Generator) -> str:
    if rng.random() < 0.75:
        return f"신고자 {fake_phone(rng)} 재통화 요망"
    user = rng.choice(["hong", "kim.minsu", "lee88", "park_j", "choi"])
    return f"연락처 {user}@example.com"


_FAKE_RRNS = ("900101-1000000", "850315-2000000", "700707-1000000")


# --------------------------------------------------------------------------- incidents


def _incident_place_text(
    rng: np.random.Generator, *, city: str, emd: str, name: str, aliases, code: str
) -> str:
    shown = name if (not aliases or rng.random() < 0.7) else str(rng.choice(aliases))
    if code == "hidden_camera":
        suffix = str(rng.choice(["공중화장실", "여자화장실", "화장실", "탈의실", "샤워장"]))
    elif code == "traffic":
        suffix = str(rng.choice(["앞 도로", "앞 교차로", "주차장", "진입로"]))
    else:
        suffix = str(rng.choice(["인근", "앞", "주차장", "안", "인근", "뒤편"]))
    return f"{city} {emd} {shown} {suffix}"


def _background_weights(places: Places, *, kind: _Kind) -> np.ndarray:
    """Per background address: its township's share (residents, urban factor) spread
    over the township's addresses by propensity and the kind's liking of their use."""
    emd = places.layer.emd[places.bg_idx]
    names, which = np.unique(emd, return_inverse=True)
    pop = np.array([POPULATION.get(e, DEFAULT_POPULATION) for e in names], dtype=float)
    share = pop * np.where([e.endswith("동") for e in names], kind.urban, 1.0)
    affinity = np.array(USE_AFFINITY.get(kind.code, DEFAULT_USE_AFFINITY))
    w = places.bg_prop * affinity[places.bg_use]
    total = np.bincount(which, weights=w, minlength=len(names))
    return share[which] / total[which] * w


def _background_draw(
    rng: np.random.Generator, *, places: Places, kind: _Kind, week: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Background addresses for calls in ``week``: layer indices and 발생장소 texts."""
    pos = draw_addresses(
        rng,
        idx=places.bg_idx,
        w=_background_weights(places, kind=kind),
        factors=places.factors,
        week=week,
    )
    j = places.bg_idx[pos]
    texts = places.layer.road[j].copy()
    # Dispatchers sometimes add where at the address it happened.
    extra = rng.random(len(j)) < 0.2
    texts[extra] = [f"{s} {rng.choice(['앞', '인근', '골목'])}" for s in texts[extra]]
    return j, texts


def incident_rows(
    rng: np.random.Generator, *, geo: StationGeography, lm, places: Places
) -> list[list[str]]:
    """The incident export as rows of strings (header excluded), sorted by time."""
    city = geo.station.city
    layer = places.layer
    days = year_days()
    hol = year_holidays()
    hotspot_by_key = {h.key: h for h in HOTSPOTS}
    n_out = round(N_INCIDENTS * OUTSIDE_SHARE)
    shares = np.array([k.share for k in _KINDS])
    counts = rng.multinomial(N_INCIDENTS, shares / shares.sum())

    minutes, kind_idx, addr, place, is_bg = [], [], [], [], []
    for ki, (kind, n_k) in enumerate(zip(_KINDS, counts, strict=True)):
        comp_names = [h for h, _ in kind.hotspots] + ["background"]
        comp_p = np.array([s for _, s in kind.hotspots] + [1.0 - sum(s for _, s in kind.hotspots)])
        comp = rng.choice(len(comp_names), size=n_k, p=comp_p / comp_p.sum())
        affinity = np.array(ROLE_AFFINITY.get(kind.code, DEFAULT_ROLE_AFFINITY))
        for ci, cname in enumerate(comp_names):
            m = int((comp == ci).sum())
            if m == 0:
                continue
            hotspot = hotspot_by_key.get(cname)
            day_p = _day_weights(kind=kind, hotspot=hotspot, days=days, hol=hol)
            mins = _sample_minutes(rng, n=m, day_p=day_p, hours=kind.hours)
            minutes.append(mins)
            kind_idx.append(np.full(m, ki))
            if hotspot is not None:
                hot = places.hot[cname]
                pos = draw_addresses(
                    rng,
                    idx=hot.idx,
                    w=hot.w * affinity[hot.role],
                    factors=places.factors,
                    week=week_index(mins),
                )
                addr.append(hot.idx[pos])
                place.extend(
                    _incident_place_text(
                        rng,
                        city=city,
                        emd=lm[hot.name[i]]["emd"],
                        name=hot.name[i],
                        aliases=lm[hot.name[i]]["aliases"],
                        code=kind.code,
                    )
                    for i in pos
                )
                is_bg.append(np.zeros(m, dtype=bool))
            else:
                j, texts = _background_draw(rng, places=places, kind=kind, week=week_index(mins))
                addr.append(j)
                place.extend(texts)
                is_bg.append(np.ones(m, dtype=bool))

    minutes = np.concatenate(minutes)
    kind_idx = np.concatenate(kind_idx)
    addr = np.concatenate(addr)
    x_m, y_m = layer.x_m[addr], layer.y_m[addr]
    place = np.array(place, dtype=object)
    is_bg = np.concatenate(is_bg)

    # Calls from just across the boundary: the importer keeps and flags them.
    codes = np.array([_KINDS[k].code for k in kind_idx])
    ow = np.array([_OUTSIDE_KINDS.get(c, 0.0) for c in codes]) * is_bg
    out_rows = rng.choice(len(ow), size=n_out, replace=False, p=ow / ow.sum())
    seasonal = lm[SEASONAL_LANDMARK]
    ox, oy, onames = _outside_points(
        rng, geo=geo, n=n_out, exclude=((seasonal["x_m"], seasonal["y_m"], SEASONAL_RADIUS_M),)
    )
    x_m[out_rows], y_m[out_rows] = ox, oy
    place[out_rows] = [
        f"{nb} {rng.choice(['경계 인근 도로', '인근 국도변', '방면 도로'])}" for nb in onames
    ]

    order = np.argsort(minutes, kind="stable")
    minutes, kind_idx, x_m, y_m, place = (
        minutes[order],
        kind_idx[order],
        x_m[order],
        y_m[order],
        place[order],
    )
    n = len(minutes)
    when = _format_minutes(minutes)
    seq = np.cumsum(rng.integers(1, 4, n)) + int(rng.integers(100, 900))
    ids = [f"{YEAR}-{s:07d}" for s in seq]

    raw = np.empty(n, dtype=object)
    prio = np.empty(n, dtype=object)
    note = np.empty(n, dtype=object)
    for ki, kind in enumerate(_KINDS):
        rows = np.flatnonzero(kind_idx == ki)
        vals, w = zip(*kind.raw, strict=True)
        raw[rows] = rng.choice(np.array(vals, dtype=object), size=len(rows), p=np.array(w) / sum(w))
        pp = np.array(_PRIORITY_P[_SEVERITY.get(kind.code, "low")])
        prio[rows] = rng.choice(
            np.array(_PRIORITY_CODES, dtype=object), size=len(rows), p=pp / pp.sum()
        )
        note[rows] = rng.choice(np.array(kind.notes, dtype=object), size=len(rows))
    prio[rng.random(n) < 0.05] = ""
    note[rng.random(n) < 0.35] = ""
    for i in np.flatnonzero(rng.random(n) < 0.02):
        note[i] = f"{note[i]} {_fake_contact(rng)}".strip()
    for i, rrn in zip(rng.choice(n, size=len(_FAKE_RRNS), replace=False), _FAKE_RRNS, strict=True):
        note[i] = f"{note[i]} 피해자 주민번호 {rrn} 확인".strip()

    xs = np.array([f"{v:.2f}" for v in x_m], dtype=object)
    ys = np.array([f"{v:.2f}" for v in y_m], dtype=object)

    # Deliberately bad rows, never among the out-of-boundary ones.
    inside_rows = np.setdiff1d(np.arange(n), np.flatnonzero(np.isin(order, out_rows)))
    bad = BAD_ROWS["incidents"]
    picks = rng.choice(inside_rows, size=sum(bad.values()), replace=False)
    cursor = 0
    for kind_name, count in bad.items():
        for i in picks[cursor : cursor + count]:
            if kind_name == "impossible_date":
                when[i] = f"{IMPOSSIBLE_DATE} {when[i][11:]}"
            elif kind_name == "blank_date":
                when[i] = ""
            elif kind_name == "no_place_no_coords":
                place[i], xs[i], ys[i] = "", "", ""
            elif kind_name == "unknown_place":
                place[i], xs[i], ys[i] = UNKNOWN_PLACE, "", ""
            elif kind_name == "non_numeric_coord":
                xs[i] = "확인중"
        cursor += count
    return [[ids[i], when[i], raw[i], prio[i], place[i], xs[i], ys[i], note[i]] for i in range(n)]
