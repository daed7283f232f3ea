"""The one hotspot question, :class:`HotspotQuery`, and every bound on what it may ask.

A hotspot view asks: which events (sources and their weights, categories, a period),
clustered with which DBSCAN setting (``eps_m`` metres and ``min_samples`` weighted
events, or None for the station's setting, tuned when ``[hotspots] params = "auto"``),
listed for which police unit. The shared link (:meth:`HotspotQuery.from_url_params`),
the map page's sidebar (:mod:`ui.state`), the CLI (:meth:`HotspotQuery.from_cli_args`)
and the tuner all build a HotspotQuery, and it checks itself once, in its constructor,
against the one set of bounds below. A bad value in a link falls back to its default
instead (the link still opens); anywhere else it raises :class:`ValueError`.

The path of ``eps`` from a link to DBSCAN: three hops, one validation::

    ?eps=60 ─1─▶ HotspotQuery.from_url_params(...)      HotspotQuery(eps_m=60.0), validated here
            ─2─▶ analytics.answer.answer_hotspot_query(query, ...)
                 None → the tuned or the station's setting; raised to the role's floors
            ─3─▶ analytics.compute.hotspots.dbscan_labels(xy, eps_m=query.eps_m, ...)

Between hops 2 and 3 the query travels whole (through the privacy rule, the
week-over-week status and ``find_hotspots``): nothing renames ``eps_m`` or checks it again.

The slider ranges and the tuning grid are choices, not bounds: they offer values, and a
test holds them inside the bounds. The privacy floors (:class:`Floors`) are the least
setting a viewer's hotspots use, whatever a link asks for.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

import pandas as pd

from analytics.station import clock
from analytics.storage.schema import SOURCES
from analytics.text import text

# ---------------------------------------------------------------- the bounds (validators)

EPS_M_BOUNDS: tuple[float, float] = (5.0, 2000.0)
MIN_SAMPLES_BOUNDS: tuple[float, float] = (1.0, 500.0)
MIN_CLUSTER_SIZE_BOUNDS: tuple[float, float] = (2.0, 500.0)
# The clustering engines: DBSCAN, and DBSCAN's hotspots split by HDBSCAN where their
# density varies (analytics.compute.hdbscan_engine). DBSCAN is the default.
ENGINES = ("dbscan", "hdbscan")
DEFAULT_ENGINE = "dbscan"
WEIGHT_BOUNDS: tuple[float, float] = (0.1, 20.0)
NAME_MAX_CHARS = 40  # a category code or a police unit's name
HULLS = ("convex", "concave")
# Township-level gazetteer matches sit on a township's centre point; clustering
# them would make a false hotspot there.
MIN_GEOCODE_SCORE = 0.5
DEFAULT_WEIGHT = 1.0

# ---------------------------------------------------------------- the choices (not validators)

# What the map page's sliders offer (a link may carry any value inside the bounds).
EPS_M_SLIDER: tuple[int, int] = (20, 300)
MIN_SAMPLES_SLIDER: tuple[int, int] = (2, 30)
WEIGHT_SLIDER: tuple[float, float] = (0.5, 5.0)
# What the rolling backtest behind "auto" tries.
EPS_GRID_M: tuple[float, ...] = (30, 40, 50, 60, 80, 100, 125, 150, 200)
MIN_SAMPLES_GRID: tuple[int, ...] = (3, 4, 5, 7, 10, 15)
# The HDBSCAN settings it offers beside them: HDBSCAN splits only what DBSCAN chains,
# which happens at the wider eps; a few, as each costs far more than a DBSCAN setting.
HDBSCAN_EPS_GRID_M: tuple[float, ...] = (60, 80, 100)
HDBSCAN_MIN_SAMPLES_GRID: tuple[int, ...] = (3, 5)
MIN_CLUSTER_SIZE_GRID: tuple[int, ...] = (10,)

# ---------------------------------------------------------------- reporting periods

SPANS = ("week", "28d")
SPAN_DAYS = {"week": 7, "28d": 28}
# Why a view uses its DBSCAN setting: asked for, tuned, or the station file's.
HOWS = ("given", "auto", "station")
_FIRST_WEEK = (pd.Timestamp.min + pd.Timedelta(days=max(SPAN_DAYS.values()) + 1)).date()
_LAST_WEEK = (pd.Timestamp.max - pd.Timedelta(days=1)).date()


def reporting_period(week: dt.date, span: str = "week") -> tuple[pd.Timestamp, pd.Timestamp]:
    """``[start, end)`` of the reporting span that ends at 00:00 of meeting day ``week``."""
    if span not in SPAN_DAYS:
        raise ValueError(f"span must be one of {SPANS}, got {span!r}")
    end = pd.Timestamp(week, tz=clock.zone())
    return end - pd.Timedelta(days=SPAN_DAYS[span]), end


def reporting_span(start, end) -> tuple[dt.date, str] | None:
    """``(week, span)`` naming the period ``[start, end)``, or None when no link can name it."""
    if start is None or end is None:
        return None
    local_end = clock.local(end)
    if local_end != local_end.normalize():
        return None
    for span, days in SPAN_DAYS.items():
        if end - start == pd.Timedelta(days=days):
            return local_end.date(), span
    return None


def url_week(params: Mapping[str, str]) -> tuple[dt.date | None, str]:
    """The reporting week and span a link names (``week``, ``span``); bad values → defaults."""
    span = params.get("span") if params.get("span") in SPANS else "week"
    try:
        week = dt.date.fromisoformat(params["week"]) if params.get("week") else None
    except ValueError:
        week = None
    if week is not None and not _FIRST_WEEK <= week <= _LAST_WEEK:
        week = None  # pandas cannot hold its days (in nanoseconds)
    return week, span


def setting_sentence(
    eps_m: float,
    min_samples: float,
    how: str,
    lang: str = "ko",
    *,
    weeks: int | None = None,
    engine: str | None = None,
    min_cluster_size: float | None = None,
) -> str:
    """'eps 60 m, 최소 4건', '기본 설정: …' or '자동 설정: … 지난 8주 …' (``how`` in :data:`HOWS`).

    With ``engine='hdbscan'`` the setting names HDBSCAN and its least hotspot size
    (``min_cluster_size``; None: ``min_samples``).
    """
    if how not in HOWS:
        raise ValueError(f"how must be one of {HOWS}, got {how!r}")
    values = {"eps": f"{eps_m:g}", "min": f"{min_samples:g}", "weeks": weeks}
    if engine == "hdbscan":
        size = min_samples if min_cluster_size is None else max(min_cluster_size, min_samples)
        return text(f"setting.hdbscan.{how}", lang, size=f"{size:g}", **values)
    return text(f"setting.{how}", lang, **values)


def _invalid(key: str, **values) -> ValueError:
    """A ValueError whose message reads Korean first, then English (``analytics/text/query.toml``)."""
    return ValueError(f"{text(key, 'ko', **values)} / {text(key, 'en', **values)}")


def _number(value, key: str, bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    try:
        if isinstance(value, bool | str):
            raise TypeError
        number = float(value)
    except (TypeError, ValueError):
        raise _invalid(key, lo=f"{lo:g}", hi=f"{hi:g}", value=repr(value)) from None
    if not (math.isfinite(number) and lo <= number <= hi):
        raise _invalid(key, lo=f"{lo:g}", hi=f"{hi:g}", value=repr(value))
    return number


def _timestamp(value) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise _invalid("query.period_tz", value=repr(value)) from None
    if ts is pd.NaT or ts.tzinfo is None:
        raise _invalid("query.period_tz", value=repr(value))
    return clock.local(ts)


def _link_number(value: float) -> str:
    """``60`` for 60.0, and every digit where ``:g`` would round (the link must round-trip)."""
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


@dataclass(frozen=True)
class HotspotQuery:
    """One hotspot question, validated once when it is made.

    Parameters
    ----------
    sources : tuple of {'suggestion', 'complaint', 'incident'}
        Sources clustered together; kept in :data:`analytics.storage.schema.SOURCES` order.
    weights : tuple of (source, weight) pairs, or a mapping source → weight
        How much one event of a source counts towards ``min_samples``, each within
        :data:`WEIGHT_BOUNDS`; kept as sorted pairs of the weights that are not 1.
    start, end : tz-aware Timestamps or None
        The half-open period ``[start, end)`` on ``occurred_at``; None ends are open.
    categories : tuple of str
        Category codes to keep (empty: all).
    unit : str or None
        The police unit a page lists hotspots for. Hotspots are always found
        station-wide, so a hotspot's id and rank do not depend on it.
    eps_m : float or None
        Neighbourhood radius in metres, within :data:`EPS_M_BOUNDS`; None: the station's
        setting (tuned or fixed, :func:`analytics.answer.resolve_query`).
    min_samples : float or None
        Weighted events within ``eps_m`` for a core point, within :data:`MIN_SAMPLES_BOUNDS`.
    include_outside : bool
        Cluster points outside the station boundary too.
    min_geocode_score : float in [0, 1]
        Leave out events placed no better than this (township centre points).
    hull : {'convex', 'concave'}
        The shape drawn around each hotspot.
    engine : {'dbscan', 'hdbscan'} or None
        How events are clustered (:data:`ENGINES`): DBSCAN, or DBSCAN's hotspots split
        by HDBSCAN where their density varies (:mod:`analytics.compute.hdbscan_engine`).
        None: the station's (the tuned engine under ``params = "auto"``, else DBSCAN).
    min_cluster_size : float or None
        HDBSCAN's least hotspot, in weighted events, within :data:`MIN_CLUSTER_SIZE_BOUNDS`;
        None: ``min_samples``. A size below ``min_samples`` is raised to it where the
        clustering runs (a hotspot never holds fewer events than a core point needs).
        DBSCAN has none: with ``engine='dbscan'`` it is dropped.

    Raises
    ------
    ValueError
        Any field out of its bounds; the message names the field, in Korean then English.
    """

    sources: tuple[str, ...] = SOURCES
    weights: tuple[tuple[str, float], ...] = ()
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    categories: tuple[str, ...] = ()
    unit: str | None = None
    eps_m: float | None = None
    min_samples: float | None = None
    include_outside: bool = False
    min_geocode_score: float = MIN_GEOCODE_SCORE
    hull: str = "convex"
    engine: str | None = None
    min_cluster_size: float | None = None

    def __post_init__(self) -> None:
        put = object.__setattr__  # frozen: the canonical form is set once, here
        sources = (self.sources,) if isinstance(self.sources, str) else tuple(self.sources)
        if not sources or not set(sources) <= set(SOURCES):
            raise _invalid("query.sources", known=", ".join(SOURCES), value=repr(self.sources))
        put(self, "sources", tuple(s for s in SOURCES if s in sources))

        pairs = self.weights.items() if isinstance(self.weights, Mapping) else self.weights
        try:
            weights = {name: value for name, value in pairs}
        except (TypeError, ValueError):
            raise self._bad_weights() from None
        if not set(weights) <= set(SOURCES):
            raise self._bad_weights()
        try:
            checked = {s: _number(w, "query.weights", WEIGHT_BOUNDS) for s, w in weights.items()}
        except ValueError:
            raise self._bad_weights() from None
        put(
            self,
            "weights",
            tuple(sorted((s, w) for s, w in checked.items() if w != DEFAULT_WEIGHT)),
        )

        start, end = _timestamp(self.start), _timestamp(self.end)
        if start is not None and end is not None and not start < end:
            raise _invalid("query.period_order", start=start, end=end)
        put(self, "start", start)
        put(self, "end", end)

        cats = (self.categories,) if isinstance(self.categories, str) else tuple(self.categories)
        for c in cats:
            if not (isinstance(c, str) and 0 < len(c) <= NAME_MAX_CHARS and "," not in c):
                raise _invalid("query.categories", most=NAME_MAX_CHARS, value=repr(c))
        put(self, "categories", tuple(dict.fromkeys(cats)))

        unit = self.unit or None
        if unit is not None and not (isinstance(unit, str) and len(unit) <= NAME_MAX_CHARS):
            raise _invalid("query.unit", most=NAME_MAX_CHARS, value=repr(unit))
        put(self, "unit", unit)

        if self.eps_m is not None:
            put(self, "eps_m", _number(self.eps_m, "query.eps_m", EPS_M_BOUNDS))
        if self.min_samples is not None:
            put(
                self,
                "min_samples",
                _number(self.min_samples, "query.min_samples", MIN_SAMPLES_BOUNDS),
            )
        put(self, "include_outside", bool(self.include_outside))
        score = _number(self.min_geocode_score, "query.min_geocode_score", (0.0, 1.0))
        put(self, "min_geocode_score", score)
        if self.hull not in HULLS:
            raise _invalid("query.hull", known=", ".join(HULLS), value=repr(self.hull))
        if self.engine is not None and self.engine not in ENGINES:
            raise _invalid("query.engine", known=", ".join(ENGINES), value=repr(self.engine))
        if self.min_cluster_size is not None:
            size = _number(self.min_cluster_size, "query.min_cluster_size", MIN_CLUSTER_SIZE_BOUNDS)
            put(self, "min_cluster_size", None if self.engine == "dbscan" else size)

    def _bad_weights(self) -> ValueError:
        lo, hi = WEIGHT_BOUNDS
        return _invalid("query.weights", lo=f"{lo:g}", hi=f"{hi:g}", value=repr(self.weights))

    # ------------------------------------------------------------ reading it

    @property
    def period(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        return self.start, self.end

    @property
    def has_setting(self) -> bool:
        """True when both DBSCAN parameters are given (nothing left to resolve but the
        engine, which is then DBSCAN unless the query names another)."""
        return self.eps_m is not None and self.min_samples is not None

    @property
    def cluster_size(self) -> float | None:
        """HDBSCAN's least hotspot as it runs: ``min_cluster_size`` raised to
        ``min_samples`` (None without a ``min_samples``)."""
        if self.min_samples is None:
            return None
        return max(self.min_cluster_size or self.min_samples, self.min_samples)

    def weight_map(self) -> dict[str, float]:
        """Every source's weight (1 unless the query says otherwise)."""
        return dict.fromkeys(SOURCES, DEFAULT_WEIGHT) | dict(self.weights)

    def require_period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """``(start, end)``; raises ValueError when either end is open."""
        if self.start is None or self.end is None:
            raise _invalid("query.period_needed", start=self.start, end=self.end)
        return self.start, self.end

    # ------------------------------------------------------------ other queries from it

    def with_(self, **changes) -> HotspotQuery:
        """This query with some fields changed (and checked again)."""
        return replace(self, **changes)

    def with_period(self, start, end) -> HotspotQuery:
        return replace(self, start=start, end=end)

    def with_station_setting(self, station) -> HotspotQuery:
        """The station file's ``eps_m`` / ``min_samples`` wherever this query asks for
        none, and DBSCAN when it names no engine."""
        if self.has_setting and self.engine is not None:
            return self
        return replace(
            self,
            eps_m=station.eps_m if self.eps_m is None else self.eps_m,
            min_samples=station.min_samples if self.min_samples is None else self.min_samples,
            engine=self.engine or DEFAULT_ENGINE,
        )

    def station_wide(self) -> HotspotQuery:
        """The same period and DBSCAN setting over every source at weight 1, every
        category, no unit: the meeting pack's and the accuracy line's question."""
        return HotspotQuery(
            start=self.start,
            end=self.end,
            eps_m=self.eps_m,
            min_samples=self.min_samples,
            engine=self.engine,
            min_cluster_size=self.min_cluster_size,
        )

    # ------------------------------------------------------------ links

    @classmethod
    def from_url_params(cls, params: Mapping[str, object]) -> HotspotQuery:
        """The query a link asks (``week``, ``span``, ``src``, ``w``, ``cat``, ``unit``,
        ``eps``, ``min``, ``engine``, ``mcs``). Never raises: each bad value falls back to
        its default.
        """
        p = {k: str(v) for k, v in params.items()}
        week, span = url_week(p)
        start, end = reporting_period(week, span) if week is not None else (None, None)
        sources = tuple(s for s in p.get("src", "").split(",") if s in SOURCES)
        weights: dict[str, float] = {}
        for item in p.get("w", "").split(","):
            name, _, value = item.partition(":")
            weight = _kept("weights", _url_number(value), key=name)
            if weight is not None:
                weights[name] = weight
        cats = tuple(c for c in p.get("cat", "").split(",") if c and _accepts(categories=(c,)))
        return cls(
            sources=sources or SOURCES,
            weights=weights,
            start=start,
            end=end,
            categories=cats,
            unit=_kept("unit", p.get("unit") or None),
            eps_m=_kept("eps_m", _url_number(p.get("eps"))),
            min_samples=_kept("min_samples", _url_number(p.get("min"))),
            engine=_kept("engine", p.get("engine") or None),
            min_cluster_size=_kept("min_cluster_size", _url_number(p.get("mcs"))),
        )

    def to_url_params(self) -> dict[str, str]:
        """The link's query parameters, defaults left out so links stay short.

        Raises ValueError for what no link can carry: a period that is not a reporting
        span (7 or 28 days ending at a midnight), and a non-default ``include_outside``,
        ``min_geocode_score`` or ``hull``.
        """
        q: dict[str, str] = {}
        if self.start is not None or self.end is not None:
            named = reporting_span(self.start, self.end)
            if named is None:
                raise _invalid("query.period_link", start=self.start, end=self.end)
            week, span = named
            q["week"] = week.isoformat()
            if span != "week":
                q["span"] = span
        unlinked = [
            f.name
            for f in fields(self)
            if f.name in ("include_outside", "min_geocode_score", "hull")
            and getattr(self, f.name) != f.default
        ]
        if unlinked:
            raise ValueError(f"a link cannot carry {', '.join(unlinked)}")
        if set(self.sources) != set(SOURCES):
            q["src"] = ",".join(self.sources)
        if self.weights:
            q["w"] = ",".join(f"{s}:{_link_number(w)}" for s, w in self.weights)
        if self.categories:
            q["cat"] = ",".join(self.categories)
        if self.unit:
            q["unit"] = self.unit
        if self.eps_m is not None:
            q["eps"] = _link_number(self.eps_m)
        if self.min_samples is not None:
            q["min"] = _link_number(self.min_samples)
        if self.engine is not None:
            q["engine"] = self.engine
        if self.min_cluster_size is not None:
            q["mcs"] = _link_number(self.min_cluster_size)
        return q

    # ------------------------------------------------------------ the command line

    @classmethod
    def from_cli_args(
        cls, args, *, first_day: str = "date_from", last_day: str = "date_to"
    ) -> HotspotQuery:
        """The query of a CLI command's arguments; raises ValueError for a bad value.

        Reads ``sources``, ``eps``, ``min_samples``, ``engine`` and ``min_cluster_size``
        and a period of whole days: the
        attributes named ``first_day`` and ``last_day`` (inclusive), each a day's
        midnight (``analytics.cli``'s ``--from`` / ``--to``) or None. A missing
        attribute is a default (every source, the station's setting, an open end).
        """
        first = getattr(args, first_day, None)
        last = getattr(args, last_day, None)
        return cls(
            sources=getattr(args, "sources", None) or SOURCES,
            start=first,
            end=None if last is None else last + pd.Timedelta(days=1),
            eps_m=getattr(args, "eps", None),
            min_samples=getattr(args, "min_samples", None),
            engine=getattr(args, "engine", None),
            min_cluster_size=getattr(args, "min_cluster_size", None),
        )


def _accepts(**field) -> bool:
    """Whether a query with this one field (all else default) is valid."""
    try:
        HotspotQuery(**field)
    except ValueError:
        return False
    return True


def _url_number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _kept(name: str, value, *, key: str | None = None):
    """``value`` when the query accepts it as field ``name`` (a weight: of source ``key``), else None."""
    if value is None:
        return None
    return value if _accepts(**{name: {key: value} if key is not None else value}) else None


# ---------------------------------------------------------------- the privacy floors


@dataclass(frozen=True)
class Floors:
    """The least ``eps_m`` (metres) and ``min_samples`` a role's hotspots use."""

    eps_m: float
    min_samples: float

    def apply(self, query: HotspotQuery) -> tuple[HotspotQuery, bool]:
        """``(query, raised)``: its setting raised to these floors where below them.

        ``query`` must have its setting (:attr:`HotspotQuery.has_setting`).
        """
        if not query.has_setting:
            raise ValueError("floors apply to a query with eps_m and min_samples")
        eps = max(query.eps_m, self.eps_m)
        mins = max(query.min_samples, self.min_samples)
        if (eps, mins) == (query.eps_m, query.min_samples):
            return query, False
        return query.with_(eps_m=eps, min_samples=mins), True


NO_FLOORS = Floors(eps_m=0.0, min_samples=1.0)


def viewer_floors(station) -> Floors:
    """The station's viewer floors (``[privacy] viewer_min_eps_m``, ``viewer_min_samples``).

    Which roles they bind is the privacy rule's decision (:mod:`analytics.access.privacy`).
    """
    return Floors(
        eps_m=float(station.viewer_min_eps_m), min_samples=float(station.viewer_min_samples)
    )
