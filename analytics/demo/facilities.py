"""The demo's public safety facilities: CCTV cameras, street lights and emergency bells,
written as the public data portal's standard-data files (all synthetic).

Where they stand, as in a Korean town: cameras and lights crowd the town core (the
markets, the terminal, the station, city hall: 동충동, 죽항동, 도통동, 향교동, 금동 …),
thin out in the eup/myeon centres and are rare in the villages; bells stand at parks,
bus stops, car parks and public toilets. Some places people fear are left uncovered on
purpose (:data:`UNCOVERED`): the riverside path and the studio-flat quarter have no
camera, light or bell nearby, so the demo shows what a CPTED review looks for.

Each facility stands beside a building of the synthetic address layer
(:class:`analytics.demo.world.AddressLayer`), a few metres into the street.
"""

from __future__ import annotations

import numpy as np

from analytics.demo.world import YEAR, AddressLayer, outside_zones
from analytics.station.geo import StationGeography, transformer

CCTV_COLUMNS = (
    "관리기관명",
    "소재지도로명주소",
    "소재지지번주소",
    "설치목적구분",
    "카메라대수",
    "카메라화소수",
    "촬영방면정보",
    "보관일수",
    "설치연월",
    "관리기관전화번호",
    "WGS84위도",
    "WGS84경도",
    "데이터기준일자",
)
LIGHT_COLUMNS = (
    "보안등위치명",
    "설치개수",
    "소재지도로명주소",
    "소재지지번주소",
    "위도",
    "경도",
    "설치연도",
    "설치형태",
    "관리기관전화번호",
    "관리기관명",
    "데이터기준일자",
)
BELL_COLUMNS = (
    "설치목적",
    "설치장소유형",
    "소재지도로명주소",
    "소재지지번주소",
    "WGS84위도",
    "WGS84경도",
    "연계방식",
    "경찰연계유무",
    "관리기관명",
    "관리기관전화번호",
    "데이터기준일자",
)

N_CCTV = 140  # rows (poles); 1 to 4 cameras each
N_LIGHTS = 480
N_BELLS = 36
# The bell file's publisher writes EPSG:5186 metres into its WGS84 columns.
BELL_FILE_CRS = "EPSG:5186"
# Fear-type places left without any facility within this many metres.
UNCOVERED = {"요천 산책로": 220.0, "도통동 원룸촌": 200.0}
# Where cameras and lights crowd: the town core's landmarks.
CORE_LANDMARKS = (
    "남원공설시장",
    "용남시장",
    "남원공용버스터미널",
    "남원역",
    "남원시청",
    "광한루원",
    "남원예촌",
    "중앙지구대",
    "남원의료원",
    "춘향테마파크",
    "인월시장",
    "운봉읍사무소",
)
# Bells at these landmarks (parks, stations, markets), and at bus stops and toilets.
BELL_LANDMARKS = (
    ("광한루원", "공원"),
    ("춘향테마파크", "공원"),
    ("남원역", "버스정류장"),
    ("남원공용버스터미널", "버스정류장"),
    ("남원공설시장", "공영주차장"),
    ("용남시장", "공중화장실"),
    ("남원시청", "공원"),
    ("인월시장", "버스정류장"),
)
BELL_PLACES = ("버스정류장", "버스정류장", "공원", "공중화장실", "공영주차장", "어린이공원")
URBAN = ("동충동", "죽항동", "노암동", "금동", "왕정동", "향교동", "도통동")
REFERENCE_DATE = f"{YEAR}-12-31"
AGENCY = "남원시(합성 데모)"
AGENCY_PHONE = "063-000-0000"  # an unused range: never a real office


def _weights(layer: AddressLayer, lm: dict, *, spread_m: float) -> np.ndarray:
    """How likely each building is to get a facility: the town core first, near its
    landmarks most, the villages hardly; zero near the uncovered places."""
    urban = np.isin(layer.emd, URBAN)
    w = np.where(urban, 1.0, 0.04)
    for name in CORE_LANDMARKS:
        d = np.hypot(layer.x_m - lm[name]["x_m"], layer.y_m - lm[name]["y_m"])
        w = w + 8.0 * np.exp(-d / spread_m)
    return w * outside_zones(layer.x_m, layer.y_m, _zones(lm))


def _zones(lm: dict) -> list[tuple[float, float, float]]:
    return [(lm[n]["x_m"], lm[n]["y_m"], r) for n, r in UNCOVERED.items()]


def _pick(rng, layer: AddressLayer, w: np.ndarray, n: int, lm) -> tuple[np.ndarray, ...]:
    """``n`` buildings by weight (no repeats) and a point a few metres into the street
    beside each, still outside the uncovered zones."""
    which = rng.choice(len(w), size=n, replace=False, p=w / w.sum())
    angle = rng.uniform(0, 2 * np.pi, n)
    off = rng.uniform(3.0, 9.0, n)
    x = layer.x_m[which] + off * np.cos(angle)
    y = layer.y_m[which] + off * np.sin(angle)
    ok = outside_zones(x, y, _zones(lm))
    x, y = np.where(ok, x, layer.x_m[which]), np.where(ok, y, layer.y_m[which])
    return which, x, y


def _degrees(geo: StationGeography, x, y) -> tuple[list[str], list[str]]:
    lon, lat = geo.to_geographic(x, y)
    return [f"{v:.6f}" for v in lat], [f"{v:.6f}" for v in lon]


def cctv_rows(rng: np.random.Generator, *, geo, lm, layer: AddressLayer) -> list[list]:
    """The CCTV standard-data rows (header excluded): WGS84 degrees, 6 decimals."""
    which, x, y = _pick(rng, layer, _weights(layer, lm, spread_m=250.0), N_CCTV, lm)
    lat, lon = _degrees(geo, x, y)
    purposes = rng.choice(
        np.array(["생활방범", "생활방범", "생활방범", "어린이보호", "교통단속", "쓰레기단속"]),
        N_CCTV,
    )
    cameras = rng.choice([1, 1, 2, 2, 3, 4], N_CCTV)
    years = rng.integers(YEAR - 8, YEAR + 1, N_CCTV)
    months = rng.integers(1, 13, N_CCTV)
    return [
        [
            AGENCY,
            layer.road[i],
            layer.jibun[i],
            str(purposes[k]),
            int(cameras[k]),
            200 if years[k] < YEAR - 3 else 400,
            "360도 전방면",
            30,
            f"{years[k]}-{months[k]:02d}",
            AGENCY_PHONE,
            lat[k],
            lon[k],
            REFERENCE_DATE,
        ]
        for k, i in enumerate(which)
    ]


def light_rows(rng: np.random.Generator, *, geo, lm, layer: AddressLayer) -> list[list]:
    """The street-light standard-data rows (header excluded), one row with no point
    (a light whose position the city never surveyed: rejected on import)."""
    which, x, y = _pick(rng, layer, _weights(layer, lm, spread_m=400.0), N_LIGHTS, lm)
    lat, lon = _degrees(geo, x, y)
    years = rng.integers(YEAR - 15, YEAR + 1, N_LIGHTS)
    forms = rng.choice(np.array(["한전주", "한전주", "전용주", "벽부형"]), N_LIGHTS)
    rows = [
        [
            f"{layer.emd[i]} 보안등 {k + 1:04d}",
            1 if forms[k] != "전용주" else int(rng.integers(1, 3)),
            layer.road[i],
            layer.jibun[i],
            lat[k],
            lon[k],
            int(years[k]),
            str(forms[k]),
            AGENCY_PHONE,
            AGENCY,
            REFERENCE_DATE,
        ]
        for k, i in enumerate(which)
    ]
    rows[7][4] = rows[7][5] = ""
    return rows


def bell_rows(rng: np.random.Generator, *, geo, lm, layer: AddressLayer) -> list[list]:
    """The emergency-bell rows (header excluded), with EPSG:5186 metres in the WGS84
    columns (위도 the northing, 경도 the easting), as some publishers write them."""
    xs, ys, kinds, roads, lots = [], [], [], [], []
    for name, kind in BELL_LANDMARKS:
        x0, y0 = lm[name]["x_m"], lm[name]["y_m"]
        d = np.hypot(layer.x_m - x0, layer.y_m - y0)
        i = int(np.argmin(d))
        xs.append(x0 + rng.uniform(-15, 15))
        ys.append(y0 + rng.uniform(-15, 15))
        kinds.append(kind)
        roads.append(layer.road[i])
        lots.append(layer.jibun[i])
    n = N_BELLS - len(BELL_LANDMARKS)
    which, x, y = _pick(rng, layer, _weights(layer, lm, spread_m=300.0), n, lm)
    xs += list(x)
    ys += list(y)
    kinds += [str(k) for k in rng.choice(np.array(BELL_PLACES), n)]
    roads += list(layer.road[which])
    lots += list(layer.jibun[which])
    lon, lat = geo.to_geographic(np.array(xs), np.array(ys))
    east, north = transformer(geo.station.geographic_crs, BELL_FILE_CRS).transform(lon, lat)
    links = rng.choice(np.array(["112 연계", "112 연계", "관제센터 연계"]), len(xs))
    return [
        [
            "방범용",
            kinds[k],
            roads[k],
            lots[k],
            f"{north[k]:.2f}",
            f"{east[k]:.2f}",
            str(links[k]),
            "Y" if links[k] == "112 연계" else "N",
            AGENCY,
            AGENCY_PHONE,
            REFERENCE_DATE,
        ]
        for k in range(len(xs))
    ]


# Children's protection zones (전국어린이보호구역표준데이터) and women's safe houses
# (여성안심지킴이집): a few of each, made up and named so ("(합성)").
ZONE_COLUMNS = (
    "시설종류",
    "대상시설명",
    "소재지도로명주소",
    "소재지지번주소",
    "위도",
    "경도",
    "관리기관명",
    "관할경찰서명",
    "CCTV설치여부",
    "CCTV설치대수",
    "보호구역도로폭",
    "데이터기준일자",
)
SAFE_HOUSE_COLUMNS = (
    "지킴이집명",
    "업종",
    "소재지도로명주소",
    "소재지지번주소",
    "위도",
    "경도",
    "관할경찰서명",
    "전화번호",
    "데이터기준일자",
)
# (landmark, facility type, name): schools and kindergartens near the landmarks.
ZONE_PLACES = (
    ("남원예촌", "유치원", "예촌유치원"),
    ("광한루원", "초등학교", "광한초등학교"),
    ("남원향교", "초등학교", "향교초등학교"),
    ("남원시청", "어린이집", "시청어린이집"),
    ("도통지구대", "초등학교", "도통초등학교"),
    ("남원역", "유치원", "역전유치원"),
    ("인월시장", "초등학교", "인월초등학교"),
    ("운봉읍사무소", "초등학교", "운봉초등학교"),
)
# (landmark, name): convenience stores and shops downtown.
SAFE_HOUSE_PLACES = (
    ("남원공설시장", "행복편의점 공설시장점"),
    ("용남시장", "용남마트"),
    ("남원역", "행복편의점 남원역점"),
    ("남원공용버스터미널", "행복편의점 터미널점"),
    ("중앙지구대", "중앙약국"),
    ("남원의료원", "행복편의점 의료원점"),
    ("도통동 원룸촌", "행복편의점 도통점"),
)
SYNTHETIC = "(합성)"
POLICE = "남원경찰서"
# A zone's facility stands this far from its landmark; a safe house this far.
ZONE_FROM_M = (80.0, 250.0)
SAFE_HOUSE_FROM_M = (20.0, 120.0)


def _near(rng, layer: AddressLayer, lm: dict, name: str, band: tuple[float, float]) -> int:
    """A building whose distance from landmark ``name`` lies in ``band`` metres (the
    nearest one when none does)."""
    d = np.hypot(layer.x_m - lm[name]["x_m"], layer.y_m - lm[name]["y_m"])
    inside = np.flatnonzero((d >= band[0]) & (d <= band[1]))
    return int(rng.choice(inside)) if len(inside) else int(np.argmin(d))


def zone_rows(rng: np.random.Generator, *, geo, lm, layer: AddressLayer) -> list[list]:
    """The children's-protection-zone rows (header excluded): one per school or
    kindergarten of :data:`ZONE_PLACES`, at its building, WGS84 degrees."""
    which = [_near(rng, layer, lm, name, ZONE_FROM_M) for name, _, _ in ZONE_PLACES]
    lat, lon = _degrees(geo, layer.x_m[which], layer.y_m[which])
    cameras = rng.integers(0, 5, len(which))
    return [
        [
            kind,
            name + SYNTHETIC,
            layer.road[i],
            layer.jibun[i],
            lat[k],
            lon[k],
            AGENCY,
            POLICE,
            "Y" if cameras[k] else "N",
            int(cameras[k]),
            int(rng.choice([6, 8, 10, 12])),
            REFERENCE_DATE,
        ]
        for k, (i, (_, kind, name)) in enumerate(zip(which, ZONE_PLACES, strict=True))
    ]


def safe_house_rows(rng: np.random.Generator, *, geo, lm, layer: AddressLayer) -> list[list]:
    """The women's-safe-house rows (header excluded): a shop beside each landmark of
    :data:`SAFE_HOUSE_PLACES`, with a phone number in an unused range (never stored)."""
    which = [_near(rng, layer, lm, name, SAFE_HOUSE_FROM_M) for name, _ in SAFE_HOUSE_PLACES]
    lat, lon = _degrees(geo, layer.x_m[which], layer.y_m[which])
    return [
        [
            name + SYNTHETIC,
            "약국" if name.endswith("약국") else "편의점",
            layer.road[i],
            layer.jibun[i],
            lat[k],
            lon[k],
            POLICE,
            f"063-000-1{k:03d}",
            REFERENCE_DATE,
        ]
        for k, (i, (_, name)) in enumerate(zip(which, SAFE_HOUSE_PLACES, strict=True))
    ]
