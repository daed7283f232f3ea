"""Who calls from where: hotspots, hot addresses and background propensities.

Over the synthetic address layer (:mod:`analytics.demo.world`), :func:`build_places`
picks each hotspot's hot addresses (the landmark's own building plus bars, motels and
shops nearby, on Zipf-like weights), gives every other address a use (house,
apartment complex, venue) and a heavy-tailed propensity, and a weekly multiplier
(log-AR(1) wobble for busy addresses, a few problem households that flare up for
weeks). :func:`draw_addresses` then draws the address of each call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.demo.world import (
    DEFAULT_POPULATION,
    POPULATION,
    AddressLayer,
    outside_zones,
)

# Card places with few incidents: background addresses keep this far away.
FEAR_ONLY_LANDMARKS = ("요천 산책로", "도통동 원룸촌", "남원향교")
FEAR_ONLY_RADIUS_M = 150.0
SEASONAL_LANDMARK = "뱀사골 입구(반선)"
# Outside July/August nothing happens this close to the valley entrance.
SEASONAL_RADIUS_M = 1_500.0


# --------------------------------------------------------------------------- hotspots


@dataclass(frozen=True)
class Hotspot:
    """A place where calls concentrate: one or more landmarks and the hot addresses nearby."""

    key: str
    anchors: tuple[str, ...]  # landmark names
    n_hot: int  # hot addresses (bars, motels, shops) per anchor besides the anchor building
    radius_m: float = 200.0  # how far from its landmark a hot address may be
    festival: bool = False
    seasonal: bool = False  # only in SUMMER_VALLEY
    market_days: tuple[int, ...] = ()  # last digit of the day of month (5-day market)


HOTSPOTS = (
    Hotspot("gongseol", ("남원공설시장",), 12, market_days=(4, 9)),
    Hotspot("yongnam", ("용남시장",), 9, market_days=(4, 9)),
    Hotspot("inwol", ("인월시장",), 8, market_days=(3, 8)),
    Hotspot("terminal", ("남원공용버스터미널",), 12),
    Hotspot("yechon", ("광한루원", "남원예촌"), 6, festival=True),
    Hotspot("themepark", ("춘향테마파크",), 6, festival=True),
    Hotspot("baemsagol", (SEASONAL_LANDMARK,), 10, radius_m=600.0, seasonal=True),
    Hotspot("station", ("남원역",), 5),
)
# Roles of hot addresses: the landmark's own building, night venues (bars, motels,
# karaoke) and day venues (shops, toilets, car parks).
ANCHOR, NIGHT, DAY = 0, 1, 2
# How much each kind favours each role (anchor, night, day); other kinds use the default.
ROLE_AFFINITY = {
    "drunk": (0.6, 3.0, 1.0),
    "violence": (0.6, 3.0, 1.0),
    "sexual": (0.6, 2.5, 1.0),
    "theft": (3.0, 0.4, 1.5),
    "hidden_camera": (4.0, 1.0, 1.5),
    "traffic": (2.0, 0.5, 1.0),
}
DEFAULT_ROLE_AFFINITY = (1.5, 1.0, 1.0)


# --------------------------------------------------------------------------- who calls from where


N_WEEKS = 53  # week 0 is Sunday 1 January; weeks 1..52 run Monday to Sunday (police days)
# What a background address is: a house, an apartment complex (one road address for
# hundreds of households) or a venue (bar, convenience store, PC room, motel).
HOUSE, FLATS, VENUE = 0, 1, 2
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
USE_AFFINITY = {
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
DEFAULT_USE_AFFINITY = (1.0, 1.0, 2.0)
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
class HotSet:
    """The hot addresses of one hotspot."""

    idx: np.ndarray  # layer indices
    w: np.ndarray  # static weights, summing to 1
    role: np.ndarray  # ANCHOR, NIGHT or DAY
    name: np.ndarray  # object: the landmark the dispatcher names


@dataclass(frozen=True)
class Places:
    """Where calls come from: the layer, its hot sets and the background weights."""

    layer: AddressLayer
    hot: dict[str, HotSet]
    bg_idx: np.ndarray  # layer indices a background call may come from
    bg_prop: np.ndarray  # their propensities, shape like bg_idx
    bg_use: np.ndarray  # their uses: HOUSE, FLATS or VENUE
    factors: np.ndarray  # (N_WEEKS, len(layer)) weekly multipliers, mostly 1


def _hot_sets(
    rng: np.random.Generator, *, layer: AddressLayer, lm, taken: np.ndarray
) -> dict[str, HotSet]:
    """Per hotspot: the address nearest each landmark plus bars, motels and shops nearby."""
    taken = taken.copy()
    out = {}
    for h in HOTSPOTS:
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
            role += [ANCHOR, *np.where(rng.random(h.n_hot) < 0.5, NIGHT, DAY)]
            name += [a_name] * (h.n_hot + 1)
            taken[idx] = True
        idx, role = np.array(idx), np.array(role)
        ranks = np.empty(len(idx))
        is_anchor = role == ANCHOR
        ranks[is_anchor] = np.arange(1, is_anchor.sum() + 1)
        ranks[~is_anchor] = is_anchor.sum() + 1 + rng.permutation((~is_anchor).sum())
        w = ranks**-_HOT_ZIPF
        out[h.key] = HotSet(idx=idx, w=w / w.sum(), role=role, name=np.array(name, dtype=object))
    return out


def _log_ar1(rng: np.random.Generator, *, n: int) -> np.ndarray:
    """``(N_WEEKS, n)`` multipliers with mean 1: a stationary log AR(1) per column."""
    z = np.empty((N_WEEKS, n))
    z[0] = rng.normal(0.0, _WEEKLY_SD, n)
    eps = rng.normal(0.0, _WEEKLY_SD * np.sqrt(1.0 - _WEEKLY_RHO**2), (N_WEEKS, n))
    for t in range(1, N_WEEKS):
        z[t] = _WEEKLY_RHO * z[t - 1] + eps[t]
    return np.exp(z - _WEEKLY_SD**2 / 2.0)


def build_places(rng: np.random.Generator, *, layer: AddressLayer, lm) -> Places:
    """Hot sets, background propensities and weekly multipliers over the layer."""
    x, y = layer.x_m, layer.y_m
    fear = ~outside_zones(
        x, y, [(lm[n]["x_m"], lm[n]["y_m"], FEAR_ONLY_RADIUS_M) for n in FEAR_ONLY_LANDMARKS]
    )
    v = lm[SEASONAL_LANDMARK]
    valley = ~outside_zones(x, y, [(v["x_m"], v["y_m"], SEASONAL_RADIUS_M)])
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
    quiet = urban & (use == HOUSE) & ~np.isin(bg_idx, noisy)
    peak = np.quantile(prop[use == HOUSE], 0.999)
    for p in rng.choice(np.flatnonzero(quiet), size=_EPISODES, replace=False):
        length = int(rng.integers(_EPISODE_WEEKS[0], _EPISODE_WEEKS[1] + 1))
        start = int(rng.integers(1, N_WEEKS - length))
        factors[:, bg_idx[p]] = 0.0
        factors[start : start + length, bg_idx[p]] = 1.0
        prop[p] = peak
    return Places(layer=layer, hot=hot, bg_idx=bg_idx, bg_prop=prop, bg_use=use, factors=factors)


def _background_uses(
    rng: np.random.Generator, *, layer: AddressLayer, lm, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Use (HOUSE, FLATS, VENUE) and propensity of the addresses ``idx``."""
    x, y, emd = layer.x_m[idx], layer.y_m[idx], layer.emd[idx]
    n = len(idx)
    urban = np.array([str(e).endswith("동") for e in emd])
    marks = [
        (v["x_m"], v["y_m"], _VENUE_NEAR_M) for k, v in lm.items() if k not in FEAR_ONLY_LANDMARKS
    ]
    near = ~outside_zones(x, y, marks)
    p_venue = np.where(near, _VENUE_SHARE[0], np.where(urban, *_VENUE_SHARE[1:]))
    use = np.where(rng.random(n) < p_venue, VENUE, HOUSE)
    prop = rng.lognormal(0.0, _HOUSE_SIGMA, n)
    venue = use == VENUE
    prop[venue] = rng.lognormal(np.log(_VENUE_MEDIAN), _VENUE_SIGMA, venue.sum())
    # Apartment complexes: a few per urban dong, one in each eup/myeon with a market.
    towns = {str(lm[h.anchors[0]]["emd"]) for h in HOTSPOTS if h.market_days}
    for e in np.unique(emd):
        pop = POPULATION.get(e, DEFAULT_POPULATION)
        if str(e).endswith("동"):
            k, hh = max(1, pop // _FLATS_PER_RESIDENTS), _FLATS_HOUSEHOLDS
        elif e in towns:
            k, hh = 1, (60, 150)
        else:
            continue
        homes = np.flatnonzero((emd == e) & (use == HOUSE))
        flats = rng.choice(homes, size=min(k, len(homes)), replace=False)
        use[flats] = FLATS
        prop[flats] = _FLATS_RATE * rng.integers(hh[0], hh[1] + 1, len(flats))
    return use, prop


def draw_addresses(
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


def week_index(minutes: np.ndarray) -> np.ndarray:
    """Week (0..N_WEEKS-1) of each call's police day (06:00 to 05:59 next day)."""
    day = ((minutes - 360) // 1440) % 365
    return (day + 6) // 7  # 1 January 2017 is a Sunday
