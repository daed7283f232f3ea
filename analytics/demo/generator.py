"""A seeded synthetic year (2017) of Namwon data, written as realistic export files.

EVERYTHING HERE IS SYNTHETIC. No row describes a real call, complaint or card. The
generator writes the kind of files an analyst would drop into the importer (it never
writes the store):

``incidents_112_2017.csv``
    112 calls and cases. CP949, CRLF, Korean headers ``접수번호, 접수일시, 사건종별,
    긴급도, 발생장소, X좌표, Y좌표, 비고``; UTM-K (EPSG:5179) metres with 2 decimals;
    sorted by ``접수일시`` (``YYYY-MM-DD HH:MM``, KST).
``complaints_2017.xlsx``
    Sheet ``민원목록``: ``민원번호, 접수일, 민원유형, 처리상태, 협조기관, 처리완료일,
    장소, 위도, 경도, 요청내용``. Dates are Excel date cells, a few typed as text
    (``2017.10.10``). WGS84 degrees with 6 decimals, blank where ``장소`` is a
    gazetteer name (the importer geocodes those).
``suggestion_cards_2017.csv``
    Hand-typed "여기 무서워요" cards. UTF-8 with BOM, CRLF: ``카드번호, 소리함, 작성일,
    장소, 희망시간, 내용``. Mixed date formats, informal place names, no coordinates.
``suggestion_boxes.csv``
    The box deployment log. UTF-8, LF: ``box_id, name, place, lat, lon, installed_on,
    removed_on`` (ISO dates; blank ``removed_on`` = still there). One row per placement.

What is built in on purpose, so that the analysis has something to find:

* an address layer (:func:`address_layer`, :class:`AddressLayer`): about 14,000
  synthetic building points along streets, dense in the seven urban dongs and the
  eup/myeon centres, sparse villages in the countryside, rounded to 0.01 m like a
  geocoder's output. Every incident inside the station is geocoded to one of them,
  so repeat calls share exactly one coordinate;
* crime concentration (Weisburd's law, 2015): about half of the incidents at 5% of
  the addresses that have any, a fifth or more at 1%. The hot addresses sit at the
  landmarks (markets, terminal, hanok village, theme park, station): the landmark's
  own building plus bars, motels and shops nearby, on Zipf-like weights; Baemsagol
  only in July and August, the hanok village peaking in festival week. Background
  addresses are houses, apartment complexes and venues (bars, convenience stores,
  PC rooms) with heavy-tailed propensities and kind-specific tastes (domestic calls
  from homes, drunk calls from venues). Hot addresses stay hot all year, with a
  weekly log-AR(1) wobble and a few problem households that flare up for weeks;
* background incidents spread over townships by population, mostly the urban dongs;
  :data:`OUTSIDE_SHARE` of incidents just outside the station boundary (those are
  not on the address layer);
* night and Fri/Sat peaks for drunk disturbances and violence, daytime market theft
  (more on the five-day market days), weekday fraud, the Chunhyang festival
  (:data:`FESTIVAL`) and the Chuseok traffic peak (:data:`CHUSEOK_HOLIDAY`);
* fear without crime: cards name dark alleys (요천 산책로, 도통동 원룸촌, 향교) whose
  buildings are on the address layer but never call (:data:`FEAR_ONLY_LANDMARKS`);
  crime without fear: no card ever names the bus terminal or Baemsagol.

Deliberately bad rows (counts are exact, see :data:`BAD_ROWS`):

* incidents: ``impossible_date`` (``2017-13-45 ..``), ``blank_date``,
  ``no_place_no_coords`` (blank 발생장소, X/Y), ``unknown_place`` (``우리집 앞``, no
  X/Y), ``non_numeric_coord`` (X좌표 ``확인중``);
* complaints: ``impossible_date`` (text ``2017.13.45``), ``unknown_place``
  (``우리집 앞``, no 위도/경도);
* cards: ``impossible_date`` (``2017.13.45``), ``unknown_place`` (``우리집 앞``);
* the box log has none.

Phone numbers are in the unused ``010-0000-`` range, e-mails at ``example.com`` and
the few resident-number-like strings are obviously fake (``900101-1000000``), so
that masking gets exercised without any real personal data.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import numpy as np
import openpyxl
import shapely
from openpyxl.styles import Font
from openpyxl.xml.functions import tostring
from scipy.spatial import cKDTree

from analytics.station.categories import INCIDENT
from analytics.station.config import StationConfig, default_station
from analytics.station.geo import StationGeography, load_geography

YEAR = 2017
INCIDENTS_FILE = "incidents_112_2017.csv"
COMPLAINTS_FILE = "complaints_2017.xlsx"
CARDS_FILE = "suggestion_cards_2017.csv"
BOXES_FILE = "suggestion_boxes.csv"
README_FILE = "README.txt"

N_INCIDENTS = 12_000
N_COMPLAINTS = 400
N_CARDS = 600
OUTSIDE_SHARE = 0.005

# Inclusive date windows.
FESTIVAL = (date(2017, 5, 1), date(2017, 5, 7))  # 춘향제
CHUSEOK_HOLIDAY = (date(2017, 9, 30), date(2017, 10, 9))
CHUSEOK_PEAK = (date(2017, 10, 3), date(2017, 10, 6))
SEOLLAL_HOLIDAY = (date(2017, 1, 27), date(2017, 1, 30))
# Police days (06:00 to 05:59 next day); ends on 08-30 so that no call spills into September.
SUMMER_VALLEY = (date(2017, 7, 1), date(2017, 8, 30))
COMPLAINTS_AS_OF = date(2017, 12, 31)
XLSX_TIMESTAMP = datetime(2018, 1, 2, 9, 0, 0)

FESTIVAL_FACTOR = 10.0
UNKNOWN_PLACE = "우리집 앞"
IMPOSSIBLE_DATE = "2017-13-45"
IMPOSSIBLE_DOTTED_DATE = "2017.13.45"

BAD_ROWS: dict[str, dict[str, int]] = {
    "incidents": {
        "impossible_date": 8,
        "blank_date": 7,
        "no_place_no_coords": 7,
        "unknown_place": 7,
        "non_numeric_coord": 7,
    },
    "complaints": {"impossible_date": 1, "unknown_place": 1},
    "cards": {"impossible_date": 1, "unknown_place": 1},
    "boxes": {},
}

# Card places with few incidents: background addresses keep this far away.
FEAR_ONLY_LANDMARKS = ("요천 산책로", "도통동 원룸촌", "남원향교")
FEAR_ONLY_RADIUS_M = 150.0
SEASONAL_LANDMARK = "뱀사골 입구(반선)"
# Outside July/August nothing happens this close to the valley entrance.
SEASONAL_RADIUS_M = 1_500.0

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
CARD_COLUMNS = ("카드번호", "소리함", "작성일", "장소", "희망시간", "내용")
BOX_COLUMNS = ("box_id", "name", "place", "lat", "lon", "installed_on", "removed_on")

# Rough 2017 residents per township: only used as sampling weights.
_POPULATION = {
    "동충동": 4_200,
    "죽항동": 3_100,
    "노암동": 6_500,
    "금동": 3_600,
    "왕정동": 6_000,
    "향교동": 12_500,
    "도통동": 16_000,
    "운봉읍": 4_300,
    "인월면": 3_200,
    "주천면": 2_600,
    "금지면": 2_900,
    "대강면": 2_400,
    "송동면": 2_300,
    "아영면": 2_300,
    "산내면": 2_200,
    "사매면": 2_000,
    "주생면": 1_900,
    "대산면": 1_900,
    "산동면": 1_900,
    "보절면": 1_700,
    "이백면": 1_700,
    "수지면": 1_600,
    "덕과면": 1_500,
}
_DEFAULT_POPULATION = 1_500

_URBAN_ROADS = (
    "용성로",
    "춘향로",
    "요천로",
    "동림로",
    "의총로",
    "교룡로",
    "충정로",
    "향단로",
    "광한북로",
    "광한서로",
    "시청로",
    "천거길",
    "양림길",
    "비석길",
    "용정길",
    "새터길",
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


@dataclass(frozen=True)
class DemoFiles:
    """Paths of one generated set of export files."""

    incidents: Path  # CP949 CSV
    complaints: Path  # XLSX
    suggestions: Path  # UTF-8 (with BOM) CSV of hand-typed cards
    boxes: Path  # UTF-8 CSV: the suggestion-box deployment log


# --------------------------------------------------------------------------- hotspots


@dataclass(frozen=True)
class _Hotspot:
    key: str
    anchors: tuple[str, ...]  # landmark names
    n_hot: int  # hot addresses (bars, motels, shops) per anchor besides the anchor building
    radius_m: float = 200.0  # how far from its landmark a hot address may be
    festival: bool = False
    seasonal: bool = False  # only in SUMMER_VALLEY
    market_days: tuple[int, ...] = ()  # last digit of the day of month (5-day market)


_HOTSPOTS = (
    _Hotspot("gongseol", ("남원공설시장",), 12, market_days=(4, 9)),
    _Hotspot("yongnam", ("용남시장",), 9, market_days=(4, 9)),
    _Hotspot("inwol", ("인월시장",), 8, market_days=(3, 8)),
    _Hotspot("terminal", ("남원공용버스터미널",), 12),
    _Hotspot("yechon", ("광한루원", "남원예촌"), 6, festival=True),
    _Hotspot("themepark", ("춘향테마파크",), 6, festival=True),
    _Hotspot("baemsagol", (SEASONAL_LANDMARK,), 10, radius_m=600.0, seasonal=True),
    _Hotspot("station", ("남원역",), 5),
)
# Roles of hot addresses: the landmark's own building, night venues (bars, motels,
# karaoke) and day venues (shops, toilets, car parks).
_ANCHOR, _NIGHT, _DAY = 0, 1, 2
# How much each kind favours each role (anchor, night, day); other kinds use the default.
_ROLE_AFFINITY = {
    "drunk": (0.6, 3.0, 1.0),
    "violence": (0.6, 3.0, 1.0),
    "sexual": (0.6, 2.5, 1.0),
    "theft": (3.0, 0.4, 1.5),
    "hidden_camera": (4.0, 1.0, 1.5),
    "traffic": (2.0, 0.5, 1.0),
}
_DEFAULT_ROLE_AFFINITY = (1.5, 1.0, 1.0)


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


# --------------------------------------------------------------------------- geometry helpers


def _outside_zones(x_m: np.ndarray, y_m: np.ndarray, zones) -> np.ndarray:
    """Mask of points farther than each zone's radius from its centre."""
    ok = np.ones(len(x_m), dtype=bool)
    for zx, zy, r_m in zones:
        ok &= (x_m - zx) ** 2 + (y_m - zy) ** 2 > r_m**2
    return ok


def _sample_uniform_in(
    rng: np.random.Generator, *, geom, n: int, exclude=()
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uniform points inside ``geom`` and outside the ``exclude`` discs (metres)."""
    shapely.prepare(geom)
    x0, y0, x1, y1 = geom.bounds
    xs, ys, have = [], [], 0
    for _ in range(200):
        x = rng.uniform(x0, x1, 512)
        y = rng.uniform(y0, y1, 512)
        ok = shapely.contains_xy(geom, x, y) & _outside_zones(x, y, exclude)
        xs.append(x[ok])
        ys.append(y[ok])
        have += int(ok.sum())
        if have >= n:
            return np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    raise RuntimeError("could not place demo points: the area is too small or excluded")


def _landmark_table(geo: StationGeography) -> dict[str, dict]:
    """Landmark name -> ``{x_m, y_m, emd, aliases}``."""
    out = {}
    for r in geo.landmarks.itertuples(index=False):
        aliases = tuple(a.strip() for a in str(r.aliases).split(";") if a.strip())
        out[r.name] = {"x_m": float(r.x), "y_m": float(r.y), "emd": r.emd_name, "aliases": aliases}
    return out


def _require_landmarks(lm: dict[str, dict], names) -> None:
    missing = sorted(set(names) - set(lm))
    if missing:
        raise ValueError(f"the demo needs these landmarks in landmarks.csv: {missing}")


def _jibun(rng: np.random.Generator, *, city: str, emd: np.ndarray) -> np.ndarray:
    lots = rng.integers(1, 900, len(emd))
    subs = rng.integers(0, 30, len(emd))
    return np.array(
        [
            f"{city} {e} {lot}-{sub}" if sub else f"{city} {e} {lot}"
            for e, lot, sub in zip(emd, lots, subs, strict=True)
        ],
        dtype=object,
    )


def _outside_points(
    rng: np.random.Generator, *, geo: StationGeography, n: int, exclude
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``n`` points 50–1,500 m outside the boundary, and their neighbouring county."""
    b = geo.boundary_m
    ring = shapely.difference(b.buffer(1_500.0), b.buffer(50.0))
    x, y = _sample_uniform_in(rng, geom=ring, n=n, exclude=exclude)
    c = b.centroid
    bearing = np.degrees(np.arctan2(x - c.x, y - c.y)) % 360.0
    limits = np.array([lim for lim, _ in _NEIGHBOURS])
    names = [_NEIGHBOURS[int(np.searchsorted(limits, v, side="right"))][1] for v in bearing]
    return x, y, names


# --------------------------------------------------------------------------- the address layer


# Buildings closer than this to an earlier one (overlapping settlements) are dropped.
_MIN_BUILDING_GAP_M = 6.0
_VILLAGE_NAMES = (
    "상촌",
    "하촌",
    "신기",
    "내동",
    "외평",
    "월평",
    "중리",
    "송내",
    "대정",
    "덕산",
    "신촌",
    "평촌",
    "구촌",
    "원천",
    "지산",
    "양촌",
    "금평",
    "석촌",
    "화정",
    "용두",
    "서당",
    "묵동",
    "호촌",
    "산막",
    "매안",
    "도촌",
)
# Street spacing, lot frontage and jitter (metres) of town grids, eup/myeon centres
# and villages.
_TOWN_LOTS = (48.0, 12.0, 1.5)
_CENTRE_LOTS = (40.0, 15.0, 3.0)
_VILLAGE_LOTS = (35.0, 20.0, 5.0)


@dataclass(frozen=True, eq=False)
class AddressLayer:
    """Synthetic building points: where the demo geocodes every incident inside the station.

    Build with :func:`address_layer`. :func:`write_demo_exports` with the same seed and
    station takes the X/Y of every incident inside the boundary from these points.

    Attributes
    ----------
    x_m, y_m : ndarray of float, shape (n,)
        EPSG:5179 metres, rounded to 0.01 m as a geocoder writes them: ``f"{x:.2f}"``
        is exactly the export's ``X좌표`` text. No two points coincide; all lie
        inside the station boundary.
    emd : ndarray of object, shape (n,)
        The township each point lies in.
    road : ndarray of object, shape (n,)
        Road-name address (``남원시 동충동 용성1길 14``), unique.
    jibun : ndarray of object, shape (n,)
        Lot-number address (``남원시 동충동 123-4``).
    """

    x_m: np.ndarray
    y_m: np.ndarray
    emd: np.ndarray
    road: np.ndarray
    jibun: np.ndarray

    def __len__(self) -> int:
        return len(self.x_m)


@dataclass(frozen=True)
class _Settlement:
    """A built-up patch: buildings along parallel streets, densest at its centre."""

    x_m: float
    y_m: float
    sigma_m: float
    n: int  # Gaussian draws before snapping to lots (the dense centre saturates)
    road: str  # the main street; side streets are named after it
    street_m: float  # spacing of the parallel streets
    lot_m: float  # frontage of one building
    jitter_m: float


def _settlements(rng: np.random.Generator, *, geo: StationGeography, lm) -> list[_Settlement]:
    """Built-up patches: dong centres and landmarks; eup/myeon centres and villages."""
    offices = {}
    for u in geo.police_units.itertuples(index=False):
        if len(u.emd_names) == 1:
            ox, oy = geo.to_analysis([u.office_lon], [u.office_lat])
            offices[u.emd_names[0]] = (float(ox[0]), float(oy[0]))
    out = []
    for t in geo.townships.itertuples(index=False):
        emd, geom = t.emd, t.geometry
        pop = _POPULATION.get(emd, _DEFAULT_POPULATION)
        rp = geom.representative_point()
        marks = [(v["x_m"], v["y_m"]) for v in lm.values() if v["emd"] == emd]
        if emd.endswith("동"):
            # About one building per 7 residents (flats hold many), around the dong's
            # centre and its landmarks; the outer parts are hills and fields.
            n = pop / 7
            spots = [(rp.x, rp.y, 450.0, 0.4 if marks else 1.0)]
            spots += [(x, y, 280.0, 0.6 / len(marks)) for x, y in marks]
            roads = rng.choice(_URBAN_ROADS, size=len(spots), replace=False)
            out += [
                _Settlement(x, y, sd, round(n * share), str(r), *_TOWN_LOTS)
                for (x, y, sd, share), r in zip(spots, roads, strict=True)
            ]
            continue
        # One building per 5 residents: the eup/myeon centre (its police box), the
        # landmarks, and 8-14 villages with most of the people.
        n = pop / 5
        stem = emd[:-1]
        ox, oy = offices.get(emd, (rp.x, rp.y))
        out.append(_Settlement(ox, oy, 220.0, round(0.35 * n), f"{stem}로", *_CENTRE_LOTS))
        marks = marks[:3]
        for (x, y), suffix in zip(marks, ("중앙로", "시장로", "동로")[: len(marks)], strict=True):
            out.append(_Settlement(x, y, 150.0, round(0.1 * n), f"{stem}{suffix}", *_CENTRE_LOTS))
        k = int(rng.integers(8, 15))
        vx, vy = _sample_uniform_in(rng, geom=geom, n=k)
        shares = rng.dirichlet(np.full(k, 2.0)) * (0.65 - 0.1 * len(marks))
        names = rng.choice(_VILLAGE_NAMES, size=k, replace=False)
        out += [
            _Settlement(x, y, float(rng.uniform(50, 110)), round(n * s), f"{v}길", *_VILLAGE_LOTS)
            for x, y, s, v in zip(vx, vy, shares, names, strict=True)
        ]
    return out


def _street_buildings(
    rng: np.random.Generator, s: _Settlement
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Buildings of one settlement: Gaussian draws snapped to lots along parallel streets.

    Returns
    -------
    x_m, y_m : arrays of shape (k,), metres.
    road : object array of shape (k,): street names.
    number : int array of shape (k,): odd on one side, even on the other, rising
        along the street (as Korean road-name numbers do).
    """
    n = max(int(s.n), 1)
    dx, dy = rng.normal(0.0, s.sigma_m, (2, n))
    theta = rng.uniform(0.0, np.pi)
    cos, sin = np.cos(theta), np.sin(theta)
    along, across = dx * cos + dy * sin, -dx * sin + dy * cos
    street = np.round(across / s.street_m).astype(np.int64)
    side = np.where(across >= street * s.street_m, 1, -1)
    lot = np.round(along / s.lot_m).astype(np.int64)
    street, side, lot = np.unique(np.column_stack([street, side, lot]), axis=0).T
    k = len(lot)
    along = lot * s.lot_m + rng.uniform(-s.jitter_m, s.jitter_m, k)
    across = (
        street * s.street_m + side * 0.25 * s.street_m + rng.uniform(-s.jitter_m, s.jitter_m, k)
    )
    x = s.x_m + along * cos - across * sin
    y = s.y_m + along * sin + across * cos
    streets, which = np.unique(street, return_inverse=True)
    first = np.full(len(streets), np.iinfo(np.int64).max)
    np.minimum.at(first, which, lot)
    number = 2 * (lot - first[which]) + np.where(side > 0, 1, 2)
    stem = s.road[:-1]
    names = {int(v): s.road if v == 0 else f"{stem}{2 * abs(v) - (v > 0)}길" for v in streets}
    road = np.array([names[int(v)] for v in street], dtype=object)
    return x, y, road, number


def _geocoder_round(v: np.ndarray) -> np.ndarray:
    """Metres as a geocoder writes them (2 decimals), parsed back: exact round trips."""
    return np.array([float(f"{t:.2f}") for t in v])


def _address_layer(
    rng: np.random.Generator, *, geo: StationGeography, lm: dict[str, dict]
) -> AddressLayer:
    city = geo.station.city
    parts = [_street_buildings(rng, s) for s in _settlements(rng, geo=geo, lm=lm)]
    x = _geocoder_round(np.concatenate([p[0] for p in parts]))
    y = _geocoder_round(np.concatenate([p[1] for p in parts]))
    road = np.concatenate([p[2] for p in parts])
    number = np.concatenate([p[3] for p in parts])
    areas = geo.assign_areas(x, y)
    keep = areas["inside_station"].to_numpy().copy()
    keep &= shapely.contains_xy(geo.boundary_m, x, y)
    # Overlapping settlements: the earlier building stands, the later is dropped.
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(_MIN_BUILDING_GAP_M, output_type="ndarray")
    keep[pairs.max(axis=1)] = False
    emd = areas["emd"].to_numpy()
    label = np.array(
        [f"{city} {e} {r} {k}" for e, r, k in zip(emd, road, number, strict=True)], dtype=object
    )
    first = np.zeros(len(x), dtype=bool)
    first[np.unique(label, return_index=True)[1]] = True
    keep &= first
    emd = emd[keep]
    return AddressLayer(
        x_m=x[keep],
        y_m=y[keep],
        emd=emd,
        road=label[keep],
        jibun=_jibun(rng, city=city, emd=emd),
    )


def _generators(seed: int) -> tuple[np.random.Generator, ...]:
    """Independent streams: geography, incidents, complaints, cards, address layer."""
    return tuple(np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5))


def address_layer(*, seed: int = 2017, station: StationConfig | None = None) -> AddressLayer:
    """The synthetic building points that :func:`write_demo_exports` geocodes incidents to.

    Parameters
    ----------
    seed, station
        As for :func:`write_demo_exports`; the same values give the same points.

    Returns
    -------
    AddressLayer
        A few thousand to ~20,000 points: dense in the seven urban dongs and the
        eup/myeon centres, sparse villages in the countryside.
    """
    station = station or default_station()
    geo = load_geography(station)
    return _address_layer(_generators(seed)[4], geo=geo, lm=_landmark_table(geo))


# --------------------------------------------------------------------------- who calls from where


N_WEEKS = 53  # week 0 is Sunday 1 January; weeks 1..52 run Monday to Sunday (police days)
# What a background address is: a house, an apartment complex (one road address for
# hundreds of households) or a venue (bar, convenience store, PC room, motel).
_HOUSE, _FLATS, _VENUE = 0, 1, 2
# Calls per year relative to a typical house: houses vary (a few problem households),
# a complex counts by its households, venues are busy.
_HOUSE_SIGMA = 1.0
_FLATS_PER_RESIDENTS = 2_500  # one complex per this many residents of an urban dong
_FLATS_HOUSEHOLDS = (150, 700)
_FLATS_RATE = 0.4  # calls of one flat relative to one house
_VENUE_MEDIAN, _VENUE_SIGMA = 6.0, 1.5
# Share of addresses that are venues: near a landmark, elsewhere in a dong, elsewhere.
_VENUE_NEAR_M = 500.0
_VENUE_SHARE = (0.15, 0.04, 0.02)
# How much each kind favours each use (house, flats, venue); other kinds use the default.
_USE_AFFINITY = {
    "drunk": (1.0, 1.0, 6.0),
    "violence": (1.0, 1.0, 4.0),
    "theft": (1.0, 0.6, 4.0),
    "sexual": (1.0, 1.0, 3.0),
    "hidden_camera": (0.2, 0.5, 8.0),
    "domestic": (1.0, 1.2, 0.05),
    "child_abuse": (1.0, 1.2, 0.1),
    "fraud": (1.0, 1.2, 0.1),
    "missing": (1.2, 1.0, 0.2),
}
_DEFAULT_USE_AFFINITY = (1.0, 1.0, 2.0)
# Hot addresses within a hotspot: Zipf weights, the landmark's own building first.
_HOT_ZIPF = 1.2
# Week-to-week noise of busy addresses: log AR(1), stationary sd and lag-1 correlation.
_WEEKLY_SD = 0.35
_WEEKLY_RHO = 0.85
_BUSY_SHARE = 0.03  # background addresses with weekly noise (the busiest by propensity)
# Problem households that call for a few weeks, then go quiet: count and weeks.
_EPISODES = 6
_EPISODE_WEEKS = (3, 10)


@dataclass(frozen=True)
class _HotSet:
    """The hot addresses of one hotspot."""

    idx: np.ndarray  # layer indices
    w: np.ndarray  # static weights, summing to 1
    role: np.ndarray  # _ANCHOR, _NIGHT or _DAY
    name: np.ndarray  # object: the landmark the dispatcher names


@dataclass(frozen=True)
class _Places:
    """Where calls come from: the layer, its hot sets and the background weights."""

    layer: AddressLayer
    hot: dict[str, _HotSet]
    bg_idx: np.ndarray  # layer indices a background call may come from
    bg_prop: np.ndarray  # their propensities, shape like bg_idx
    bg_use: np.ndarray  # their uses: _HOUSE, _FLATS or _VENUE
    factors: np.ndarray  # (N_WEEKS, len(layer)) weekly multipliers, mostly 1


def _hot_sets(
    rng: np.random.Generator, *, layer: AddressLayer, lm, taken: np.ndarray
) -> dict[str, _HotSet]:
    """Per hotspot: the address nearest each landmark plus bars, motels and shops nearby."""
    taken = taken.copy()
    out = {}
    for h in _HOTSPOTS:
        idx, role, name = [], [], []
        for a_name in h.anchors:
            a = lm[a_name]
            d = np.hypot(layer.x_m - a["x_m"], layer.y_m - a["y_m"])
            cand = np.flatnonzero((d <= h.radius_m) & ~taken)
            if len(cand) < h.n_hot + 1:
                raise RuntimeError(f"too few demo address points near {a_name}")
            anchor = cand[np.argmin(d[cand])]
            rest = cand[cand != anchor]
            near = np.exp(-d[rest] / (0.5 * h.radius_m))
            pick = rng.choice(rest, size=h.n_hot, replace=False, p=near / near.sum())
            idx += [anchor, *pick]
            role += [_ANCHOR, *np.where(rng.random(h.n_hot) < 0.5, _NIGHT, _DAY)]
            name += [a_name] * (h.n_hot + 1)
            taken[idx] = True
        idx, role = np.array(idx), np.array(role)
        ranks = np.empty(len(idx))
        is_anchor = role == _ANCHOR
        ranks[is_anchor] = np.arange(1, is_anchor.sum() + 1)
        ranks[~is_anchor] = is_anchor.sum() + 1 + rng.permutation((~is_anchor).sum())
        w = ranks**-_HOT_ZIPF
        out[h.key] = _HotSet(idx=idx, w=w / w.sum(), role=role, name=np.array(name, dtype=object))
    return out


def _log_ar1(rng: np.random.Generator, *, n: int) -> np.ndarray:
    """``(N_WEEKS, n)`` multipliers with mean 1: a stationary log AR(1) per column."""
    z = np.empty((N_WEEKS, n))
    z[0] = rng.normal(0.0, _WEEKLY_SD, n)
    eps = rng.normal(0.0, _WEEKLY_SD * np.sqrt(1.0 - _WEEKLY_RHO**2), (N_WEEKS, n))
    for t in range(1, N_WEEKS):
        z[t] = _WEEKLY_RHO * z[t - 1] + eps[t]
    return np.exp(z - _WEEKLY_SD**2 / 2.0)


def _places(rng: np.random.Generator, *, layer: AddressLayer, lm) -> _Places:
    """Hot sets, background propensities and weekly multipliers over the layer."""
    x, y = layer.x_m, layer.y_m
    fear = ~_outside_zones(
        x, y, [(lm[n]["x_m"], lm[n]["y_m"], FEAR_ONLY_RADIUS_M) for n in FEAR_ONLY_LANDMARKS]
    )
    v = lm[SEASONAL_LANDMARK]
    valley = ~_outside_zones(x, y, [(v["x_m"], v["y_m"], SEASONAL_RADIUS_M)])
    hot = _hot_sets(rng, layer=layer, lm=lm, taken=fear)
    # Background calls: never in the fear-only places, never near the valley out of season.
    bg_idx = np.flatnonzero(~fear & ~valley)
    use, prop = _background_uses(rng, layer=layer, lm=lm, idx=bg_idx)
    factors = np.ones((N_WEEKS, len(layer)))
    hot_idx = np.concatenate([s.idx for s in hot.values()])
    busy = bg_idx[np.argsort(-prop, kind="stable")[: int(_BUSY_SHARE * len(bg_idx))]]
    noisy = np.unique(np.concatenate([hot_idx, busy]))
    factors[:, noisy] = _log_ar1(rng, n=len(noisy))
    # Problem households that flare up for a few weeks in the city, then go quiet.
    urban = np.array([str(e).endswith("동") for e in layer.emd[bg_idx]])
    quiet = urban & (use == _HOUSE) & ~np.isin(bg_idx, noisy)
    peak = np.quantile(prop[use == _HOUSE], 0.999)
    for p in rng.choice(np.flatnonzero(quiet), size=_EPISODES, replace=False):
        length = int(rng.integers(_EPISODE_WEEKS[0], _EPISODE_WEEKS[1] + 1))
        start = int(rng.integers(1, N_WEEKS - length))
        factors[:, bg_idx[p]] = 0.0
        factors[start : start + length, bg_idx[p]] = 1.0
        prop[p] = peak
    return _Places(layer=layer, hot=hot, bg_idx=bg_idx, bg_prop=prop, bg_use=use, factors=factors)


def _background_uses(
    rng: np.random.Generator, *, layer: AddressLayer, lm, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Use (_HOUSE, _FLATS, _VENUE) and propensity of the addresses ``idx``."""
    x, y, emd = layer.x_m[idx], layer.y_m[idx], layer.emd[idx]
    n = len(idx)
    urban = np.array([str(e).endswith("동") for e in emd])
    marks = [
        (v["x_m"], v["y_m"], _VENUE_NEAR_M) for k, v in lm.items() if k not in FEAR_ONLY_LANDMARKS
    ]
    near = ~_outside_zones(x, y, marks)
    p_venue = np.where(near, _VENUE_SHARE[0], np.where(urban, *_VENUE_SHARE[1:]))
    use = np.where(rng.random(n) < p_venue, _VENUE, _HOUSE)
    prop = rng.lognormal(0.0, _HOUSE_SIGMA, n)
    venue = use == _VENUE
    prop[venue] = rng.lognormal(np.log(_VENUE_MEDIAN), _VENUE_SIGMA, venue.sum())
    # Apartment complexes: a few per urban dong, one in each eup/myeon with a market.
    towns = {str(lm[h.anchors[0]]["emd"]) for h in _HOTSPOTS if h.market_days}
    for e in np.unique(emd):
        pop = _POPULATION.get(e, _DEFAULT_POPULATION)
        if str(e).endswith("동"):
            k, hh = max(1, pop // _FLATS_PER_RESIDENTS), _FLATS_HOUSEHOLDS
        elif e in towns:
            k, hh = 1, (60, 150)
        else:
            continue
        homes = np.flatnonzero((emd == e) & (use == _HOUSE))
        flats = rng.choice(homes, size=min(k, len(homes)), replace=False)
        use[flats] = _FLATS
        prop[flats] = _FLATS_RATE * rng.integers(hh[0], hh[1] + 1, len(flats))
    return use, prop


def _draw_addresses(
    rng: np.random.Generator,
    *,
    idx: np.ndarray,
    w: np.ndarray,
    factors: np.ndarray,
    week: np.ndarray,
) -> np.ndarray:
    """Positions in ``idx`` for calls in ``week``, drawn by ``w`` times that week's factors."""
    out = np.empty(len(week), dtype=np.int64)
    u = rng.random(len(week))
    for wk in np.unique(week):
        rows = np.flatnonzero(week == wk)
        p = w * factors[wk, idx]
        cdf = np.cumsum(p)
        j = np.searchsorted(cdf, u[rows] * cdf[-1], side="right")
        out[rows] = np.minimum(j, np.flatnonzero(p > 0)[-1])  # u * total rounding to total
    return out


# --------------------------------------------------------------------------- time helpers


def _day_dates() -> list[date]:
    start = date(YEAR, 1, 1)
    return [start + timedelta(days=i) for i in range(365)]


def _in(d: date, window: tuple[date, date]) -> bool:
    return window[0] <= d <= window[1]


def _day_weights(*, kind: _Kind, hotspot: _Hotspot | None, days: list[date], hol: set[date]):
    """Relative weight of each police day of the year for one kind at one place.

    Returns
    -------
    ndarray of shape (365,), summing to 1.
    """
    w = np.empty(len(days))
    for i, d in enumerate(days):
        dow = 6 if d in hol else d.weekday()
        v = kind.season[d.month - 1] * kind.weekdays[dow]
        if _in(d, CHUSEOK_PEAK):
            v *= kind.chuseok_peak
        elif _in(d, CHUSEOK_HOLIDAY):
            v *= kind.chuseok
        elif _in(d, SEOLLAL_HOLIDAY):
            # Lunar New Year travel: the same kinds rise as at Chuseok, less sharply.
            v *= 0.5 + 0.6 * kind.chuseok
        if hotspot is not None:
            if hotspot.festival and _in(d, FESTIVAL):
                v *= FESTIVAL_FACTOR
            if hotspot.market_days and d.day % 10 in {m % 10 for m in hotspot.market_days}:
                v *= 2.5 if kind.code == "theft" else 1.4
            if hotspot.seasonal:
                if not _in(d, SUMMER_VALLEY):
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


# --------------------------------------------------------------------------- personal-data bait


def _fake_phone(rng: np.random.Generator) -> str:
    return f"010-0000-{int(rng.integers(0, 10_000)):04d}"


def _fake_contact(rng: np.random.Generator) -> str:
    if rng.random() < 0.75:
        return f"신고자 {_fake_phone(rng)} 재통화 요망"
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


def _week_index(minutes: np.ndarray) -> np.ndarray:
    """Week (0..N_WEEKS-1) of each call's police day (06:00 to 05:59 next day)."""
    day = ((minutes - 360) // 1440) % 365
    return (day + 6) // 7  # 1 January 2017 is a Sunday


def _background_weights(places: _Places, *, kind: _Kind) -> np.ndarray:
    """Per background address: its township's share (residents, urban factor) spread
    over the township's addresses by propensity and the kind's liking of their use."""
    emd = places.layer.emd[places.bg_idx]
    names, which = np.unique(emd, return_inverse=True)
    pop = np.array([_POPULATION.get(e, _DEFAULT_POPULATION) for e in names], dtype=float)
    share = pop * np.where([e.endswith("동") for e in names], kind.urban, 1.0)
    affinity = np.array(_USE_AFFINITY.get(kind.code, _DEFAULT_USE_AFFINITY))
    w = places.bg_prop * affinity[places.bg_use]
    total = np.bincount(which, weights=w, minlength=len(names))
    return share[which] / total[which] * w


def _background_draw(
    rng: np.random.Generator, *, places: _Places, kind: _Kind, week: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Background addresses for calls in ``week``: layer indices and 발생장소 texts."""
    pos = _draw_addresses(
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


def _incidents(
    rng: np.random.Generator, *, geo: StationGeography, lm, places: _Places
) -> list[list[str]]:
    """The incident export as rows of strings (header excluded), sorted by time."""
    city = geo.station.city
    layer = places.layer
    days = _day_dates()
    hol = set(holidays.KR(years=YEAR).keys())
    hotspot_by_key = {h.key: h for h in _HOTSPOTS}
    n_out = round(N_INCIDENTS * OUTSIDE_SHARE)
    shares = np.array([k.share for k in _KINDS])
    counts = rng.multinomial(N_INCIDENTS, shares / shares.sum())

    minutes, kind_idx, addr, place, is_bg = [], [], [], [], []
    for ki, (kind, n_k) in enumerate(zip(_KINDS, counts, strict=True)):
        comp_names = [h for h, _ in kind.hotspots] + ["background"]
        comp_p = np.array([s for _, s in kind.hotspots] + [1.0 - sum(s for _, s in kind.hotspots)])
        comp = rng.choice(len(comp_names), size=n_k, p=comp_p / comp_p.sum())
        affinity = np.array(_ROLE_AFFINITY.get(kind.code, _DEFAULT_ROLE_AFFINITY))
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
                pos = _draw_addresses(
                    rng,
                    idx=hot.idx,
                    w=hot.w * affinity[hot.role],
                    factors=places.factors,
                    week=_week_index(mins),
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
                j, texts = _background_draw(rng, places=places, kind=kind, week=_week_index(mins))
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


# --------------------------------------------------------------------------- complaints


_COMPLAINT_TYPES = (
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


def _complaints(
    rng: np.random.Generator, *, geo: StationGeography, lm, places: _Places
) -> list[list]:
    """The complaint rows (header excluded): dates are ``date`` objects or text."""
    days = _day_dates()
    hol = set(holidays.KR(years=YEAR).keys())
    received = np.sort(rng.choice(365, size=N_COMPLAINTS, p=_complaint_date_weights(days, hol)))
    shares = np.array([t[1] for t in _COMPLAINT_TYPES])
    kinds = rng.choice(len(_COMPLAINT_TYPES), size=N_COMPLAINTS, p=shares / shares.sum())
    # Complaints with coordinates are at an address of a township, as background calls are.
    layer = places.layer
    twp = [e for e in geo.townships["emd"] if (layer.emd[places.bg_idx] == e).any()]
    by_twp = {e: places.bg_idx[layer.emd[places.bg_idx] == e] for e in twp}
    tw = np.array([_POPULATION.get(e, _DEFAULT_POPULATION) for e in twp], dtype=float)
    tw *= np.where([e.endswith("동") for e in twp], 1.6, 1.0)
    rows = []
    for n, (di, ki) in enumerate(zip(received, kinds, strict=True)):
        ctype, _, median_d, agencies, prefs, templates = _COMPLAINT_TYPES[ki]
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
            text = f"{text} (연락처 {_fake_phone(rng)})"
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


# --------------------------------------------------------------------------- boxes and cards


# box_id, name, place (landmark), installed_on, removed_on (None = still there)
_PLACEMENTS = (
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


def _boxes(*, geo: StationGeography, lm) -> list[list[str]]:
    rows = []
    for box_id, name, place, start, end in _PLACEMENTS:
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


def _cards(rng: np.random.Generator) -> list[list[str]]:
    """The hand-typed card rows (header excluded), by box and card number."""
    spans = []
    for box_id, _, place, start, end in _PLACEMENTS:
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
                text = f"{text} 연락 주세요 {_fake_phone(rng)}"
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


# --------------------------------------------------------------------------- writers


def _csv_text(header, rows, *, lineterminator: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=lineterminator)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _xlsx_bytes(rows: list[list]) -> bytes:
    """The complaint workbook, byte-identical for identical rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "민원목록"
    ws.append(list(COMPLAINT_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows(min_row=2):
        for cell in (row[1], row[5]):
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
        for cell in (row[7], row[8]):
            if isinstance(cell.value, float):
                cell.number_format = "0.000000"
    for col, width in zip("ABCDEFGHIJ", (16, 12, 12, 10, 22, 12, 28, 12, 12, 48), strict=True):
        ws.column_dimensions[col].width = width
    wb.properties.creator = "민원관리시스템"
    raw = io.BytesIO()
    wb.save(raw)
    # openpyxl stamps "now" into docProps/core.xml and every zip entry: pin both.
    wb.properties.created = XLSX_TIMESTAMP
    wb.properties.modified = XLSX_TIMESTAMP
    core = tostring(wb.properties.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = core if info.filename == "docProps/core.xml" else src.read(info.filename)
            fixed = zipfile.ZipInfo(info.filename, date_time=XLSX_TIMESTAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def _readme(*, seed: int, station: StationConfig) -> str:
    bad = "\n".join(
        f"  {f}: " + (", ".join(f"{k} x{v}" for k, v in kinds.items()) or "none")
        for f, kinds in BAD_ROWS.items()
    )
    return f"""SYNTHETIC DEMO DATA - NOT REAL POLICE DATA
합성(가상) 데모 자료입니다. 실제 신고·민원·카드가 아닙니다.

Generated by analytics/demo/generator.py (write_demo_exports) with seed {seed}
for {station.name_en} ({station.name}), year {YEAR}.
Every call, complaint, card, address, phone number (010-0000-xxxx), e-mail
(example.com) and resident-number-like string in these files is made up.

Files:
  {INCIDENTS_FILE}  CP949 CSV, UTM-K (EPSG:5179) X/Y in metres
  {COMPLAINTS_FILE}  XLSX, sheet 민원목록, WGS84 lat/lon (blank = place name only)
  {CARDS_FILE}  UTF-8 (BOM) CSV, hand-typed, no coordinates
  {BOXES_FILE}  UTF-8 CSV, suggestion-box placements

Deliberately bad rows (as real exports have):
{bad}
Incident X/Y inside the station are points of a synthetic address layer, so
repeat calls to one address share one coordinate.
About {OUTSIDE_SHARE:.1%} of incidents lie just outside the station boundary on purpose.
"""


def write_demo_exports(
    out_dir: Path, *, seed: int = 2017, station: StationConfig | None = None
) -> DemoFiles:
    """Write one synthetic year of export files into ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        Created if missing. Existing files of the same names are overwritten.
    seed : int
        The same seed gives byte-identical files.
    station : StationConfig, optional
        Defaults to :func:`analytics.station.config.default_station`. Its landmarks must
        include the Namwon places this demo is built around.

    Returns
    -------
    DemoFiles
        Paths of the four export files (a ``README.txt`` is written beside them).
    """
    station = station or default_station()
    geo = load_geography(station)
    lm = _landmark_table(geo)
    needed = {a for h in _HOTSPOTS for a in h.anchors}
    needed |= set(FEAR_ONLY_LANDMARKS) | {p[2] for p in _PLACEMENTS}
    needed |= {name for t in _COMPLAINT_TYPES for name in t[4]}
    _require_landmarks(lm, needed)

    rng_geo, rng_inc, rng_cmp, rng_card, rng_addr = _generators(seed)
    places = _places(rng_geo, layer=_address_layer(rng_addr, geo=geo, lm=lm), lm=lm)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = DemoFiles(
        incidents=out_dir / INCIDENTS_FILE,
        complaints=out_dir / COMPLAINTS_FILE,
        suggestions=out_dir / CARDS_FILE,
        boxes=out_dir / BOXES_FILE,
    )
    incidents = _incidents(rng_inc, geo=geo, lm=lm, places=places)
    files.incidents.write_bytes(
        _csv_text(INCIDENT_COLUMNS, incidents, lineterminator="\r\n").encode("cp949")
    )
    files.complaints.write_bytes(_xlsx_bytes(_complaints(rng_cmp, geo=geo, lm=lm, places=places)))
    files.suggestions.write_bytes(
        _csv_text(CARD_COLUMNS, _cards(rng_card), lineterminator="\r\n").encode("utf-8-sig")
    )
    files.boxes.write_bytes(
        _csv_text(BOX_COLUMNS, _boxes(geo=geo, lm=lm), lineterminator="\n").encode("utf-8")
    )
    (out_dir / README_FILE).write_text(_readme(seed=seed, station=station), encoding="utf-8")
    return files
