"""The demo's world: calendar, random streams, landmarks and the synthetic address layer.

Everything the four sources share lives here: the year and its holiday windows, the
seeded random streams (one per source, so that one source's draws never shift
another's), the landmark table, the deliberately bad rows every source plants, the
fake phone numbers, and :class:`AddressLayer`, the synthetic building points that
incidents and complaints are geocoded to. All of it is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import holidays
import numpy as np
import shapely
from scipy.spatial import cKDTree

from analytics.station.config import StationConfig, default_station
from analytics.station.geo import StationGeography, load_geography

YEAR = 2017

# Inclusive date windows.
FESTIVAL = (date(2017, 5, 1), date(2017, 5, 7))  # 춘향제
CHUSEOK_HOLIDAY = (date(2017, 9, 30), date(2017, 10, 9))
CHUSEOK_PEAK = (date(2017, 10, 3), date(2017, 10, 6))
SEOLLAL_HOLIDAY = (date(2017, 1, 27), date(2017, 1, 30))
# Police days (06:00 to 05:59 next day); ends on 08-30 so that no call spills into September.
SUMMER_VALLEY = (date(2017, 7, 1), date(2017, 8, 30))

# What the deliberately bad rows hold: a place no gazetteer knows, impossible dates.
UNKNOWN_PLACE = "우리집 앞"
IMPOSSIBLE_DATE = "2017-13-45"
IMPOSSIBLE_DOTTED_DATE = "2017.13.45"

# Per file, how many rows of each kind of deliberate fault it carries (exact counts).
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


# Rough 2017 residents per township: only used as sampling weights.
POPULATION = {
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
DEFAULT_POPULATION = 1_500

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


# --------------------------------------------------------------------------- calendar and randomness


def year_days() -> list[date]:
    """The 365 days of :data:`YEAR`, 1 January first."""
    start = date(YEAR, 1, 1)
    return [start + timedelta(days=i) for i in range(365)]


def year_holidays() -> set[date]:
    """Korean public holidays of :data:`YEAR`."""
    return set(holidays.KR(years=YEAR).keys())


def in_window(d: date, window: tuple[date, date]) -> bool:
    """Whether ``d`` lies in the inclusive date ``window``."""
    return window[0] <= d <= window[1]


def random_streams(seed: int) -> tuple[np.random.Generator, ...]:
    """Independent streams: geography, incidents, complaints, cards, address layer.

    One stream per source, so that a change in one source's draws leaves the others'
    files as they were.
    """
    return tuple(np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5))


# --------------------------------------------------------------------------- personal-data bait


def fake_phone(rng: np.random.Generator) -> str:
    """A mobile number in the unused ``010-0000-`` range: masking bait, never a person's."""
    return f"010-0000-{int(rng.integers(0, 10_000)):04d}"


# --------------------------------------------------------------------------- geometry helpers


def outside_zones(x_m: np.ndarray, y_m: np.ndarray, zones) -> np.ndarray:
    """Mask of points farther than each zone's radius from its centre."""
    ok = np.ones(len(x_m), dtype=bool)
    for zx, zy, r_m in zones:
        ok &= (x_m - zx) ** 2 + (y_m - zy) ** 2 > r_m**2
    return ok


def sample_uniform_in(
    rng: np.random.Generator, *, geom, n: int, exclude=()
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uniform points inside ``geom`` and outside the ``exclude`` discs (metres)."""
    geom = shapely.from_wkb(shapely.to_wkb(geom))  # prepare a copy: the station's are shared
    shapely.prepare(geom)
    x0, y0, x1, y1 = geom.bounds
    xs, ys, have = [], [], 0
    for _ in range(200):
        x = rng.uniform(x0, x1, 512)
        y = rng.uniform(y0, y1, 512)
        ok = shapely.contains_xy(geom, x, y) & outside_zones(x, y, exclude)
        xs.append(x[ok])
        ys.append(y[ok])
        have += int(ok.sum())
        if have >= n:
            return np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    raise RuntimeError("could not place demo points: the area is too small or excluded")


def landmark_table(geo: StationGeography) -> dict[str, dict]:
    """Landmark name -> ``{x_m, y_m, emd, aliases}``."""
    out = {}
    for r in geo.landmarks.itertuples(index=False):
        aliases = tuple(a.strip() for a in str(r.aliases).split(";") if a.strip())
        out[r.name] = {"x_m": float(r.x), "y_m": float(r.y), "emd": r.emd_name, "aliases": aliases}
    return out


def require_landmarks(lm: dict[str, dict], names) -> None:
    """Raise ValueError naming every one of ``names`` missing from the landmark table."""
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

    Build with :func:`address_layer`. :func:`analytics.demo.files.write_demo_exports`
    with the same seed and station takes the X/Y of every incident inside the boundary from these points.

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
        pop = POPULATION.get(emd, DEFAULT_POPULATION)
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
        vx, vy = sample_uniform_in(rng, geom=geom, n=k)
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


def build_address_layer(
    rng: np.random.Generator, *, geo: StationGeography, lm: dict[str, dict]
) -> AddressLayer:
    """The address layer drawn from ``rng``: see :func:`address_layer` for the seeded one."""
    city = geo.station.city
    parts = [_street_buildings(rng, s) for s in _settlements(rng, geo=geo, lm=lm)]
    x = _geocoder_round(np.concatenate([p[0] for p in parts]))
    y = _geocoder_round(np.concatenate([p[1] for p in parts]))
    road = np.concatenate([p[2] for p in parts])
    number = np.concatenate([p[3] for p in parts])
    areas = geo.assign_areas(x, y)
    keep = areas["inside_station"].to_numpy().copy()
    keep &= geo.inside_boundary_xy(x, y)
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


def address_layer(*, seed: int = 2017, station: StationConfig | None = None) -> AddressLayer:
    """The synthetic building points that the demo geocodes incidents to.

    Parameters
    ----------
    seed, station
        As for :func:`analytics.demo.files.write_demo_exports`; the same values give
        the points that its incidents inside the station are geocoded to.

    Returns
    -------
    AddressLayer
        A few thousand to ~20,000 points: dense in the seven urban dongs and the
        eup/myeon centres, sparse villages in the countryside.
    """
    station = station or default_station()
    geo = load_geography(station)
    return build_address_layer(random_streams(seed)[4], geo=geo, lm=landmark_table(geo))
