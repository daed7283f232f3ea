"""The one entry point that answers a :class:`analytics.query.HotspotQuery`.

:func:`answer_hotspot_query` takes the question as the link, the sidebar or the CLI
asked it and returns the hotspots one role may receive, with the setting they were
computed with and why (:class:`HotspotAnswer`):

1. :func:`resolve_query` fills in a setting the query leaves open (None): the tuned
   one when ``station.toml`` says ``params = "auto"`` (tuned on the weeks strictly
   before the query's period and cached in the store), else the station file's;
2. the privacy rule raises that setting to the role's floors and clusters a viewer's
   events without sensitive places (:func:`analytics.access.privacy.shown_hotspots`);
3. the week-over-week status clusters the period and the weeks before it
   (:func:`analytics.compute.status.hotspot_status`), each with the same query;
4. every shown hotspot is tested against chance (:mod:`analytics.compute.significance`):
   ``significant`` and ``p_value`` (Benjamini-Hochberg adjusted across the shown
   hotspots), on the same frame the clustering used, against uniform scatter over the
   station's populated area (:func:`populated_area`, cached in the store).

The resolved, floored query in the answer is exactly what DBSCAN ran with.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from analytics.access.privacy import LOCATABLE, PrivacyRule, ShownHotspots, shown_hotspots
from analytics.compute import significance
from analytics.compute.backtest import (
    DEFAULT_SOURCES,
    WEEK,
    BacktestResult,
    backtest,
    meeting_end_for,
    tune_hotspot_parameters,
    tuning_cache_key,
    tuning_events_span,
    tuning_sources,
)
from analytics.compute.hotspots import INPUT_COLUMNS
from analytics.query import DEFAULT_ENGINE, ENGINES, HotspotQuery, setting_sentence
from analytics.station.geo import StationGeography


@dataclass(frozen=True, eq=False)
class HotspotAnswer:
    """The hotspots a role may receive for a query, and the setting behind them.

    Attributes
    ----------
    shown : ShownHotspots
        ``current`` and ``gone`` hotspots, ``withheld`` units, ``event_hotspot`` …;
        ``shown.query`` is what DBSCAN ran with. ``current`` carries ``significant``
        and ``p_value`` (:mod:`analytics.compute.significance`).
    resolved : HotspotQuery
        The query asked with its setting filled in, before the role's floors.
    how : {'given', 'auto', 'station'}
        Where the setting came from: the query, the tuning, or ``station.toml``.
    tuning_weeks : int
        The weeks the tuning scored (for the 'auto' sentence).
    masked : bool
        The role's events are masked (a viewer's).
    significance_kept : float
        The share of the view's events the significance test used: 1, or less for a
        view too large to simulate whole (:func:`analytics.compute.significance.thinning_fraction`).
    """

    shown: ShownHotspots
    resolved: HotspotQuery
    how: str
    tuning_weeks: int
    masked: bool
    significance_kept: float = 1.0

    @property
    def query(self) -> HotspotQuery:
        """The query the hotspots were computed with: resolved, and raised to the floors."""
        return self.shown.query

    @property
    def n_could_be_chance(self) -> int:
        """Shown hotspots that are not significant: chance could have made them."""
        current = self.shown.current
        if "significant" not in current.columns:
            return 0
        return int((~current["significant"].astype(bool)).sum())

    @property
    def n_in_hotspots(self) -> int:
        """Clustered events that belong to a shown hotspot."""
        return int(self.shown.event_hotspot.notna().sum())

    def sentence(self, lang: str = "ko") -> str:
        """The setting the hotspots were computed with, in words: 'eps 60 m, 최소 4건',
        '기본 설정: …' or '자동 설정: …'.

        A setting the floors raised is no longer the tuned or the station's: it is
        stated as plain values.
        """
        how = "given" if self.shown.raised else self.how
        return _sentence(self.query, how, lang, weeks=self.tuning_weeks)

    def resolved_sentence(self, lang: str = "ko") -> str:
        """The setting before the role's floors, in words (:attr:`resolved`, :attr:`how`)."""
        return _sentence(self.resolved, self.how, lang, weeks=self.tuning_weeks)


def _sentence(query: HotspotQuery, how: str, lang: str, *, weeks: int) -> str:
    return setting_sentence(
        query.eps_m,
        query.min_samples,
        how,
        lang,
        weeks=weeks,
        engine=query.engine,
        min_cluster_size=query.min_cluster_size,
    )


# The event columns the tuning reads (analytics.compute.tuning and backtest).
TUNING_COLUMNS = (
    "event_id",
    "source",
    "occurred_at",
    "x",
    "y",
    "inside_station",
    "geocode_score",
)


def resolve_query(
    query: HotspotQuery,
    *,
    db,
    geo: StationGeography,
    tuning_sources=DEFAULT_SOURCES,
    events: pd.DataFrame | None = None,
) -> tuple[HotspotQuery, str]:
    """``(query with its setting, how)``: the query's own, else tuned ('auto'), else the station's.

    With ``params = "auto"`` in station.toml the tuning reads only events before the
    query's start (its end when it has no start; all events when it has neither), on
    whole reporting weeks, and is cached in the store on everything the choice
    depends on (:func:`~analytics.compute.backtest.tuning_cache_key`: the data version,
    the end, the sources, the budget, ...). A cached choice is used without reading
    any event. A value the query gives (``eps_m``, ``min_samples``,
    ``min_cluster_size``) overrides that part of it; how is then 'given'. An engine the
    query names takes the tuning's best setting of that engine (HDBSCAN's when the
    link says ``engine=hdbscan``); a query that names none takes the tuning's engine,
    which is DBSCAN unless HDBSCAN scored better. The resolved query always names its
    engine.

    Parameters
    ----------
    query : HotspotQuery
    db : sqlalchemy.Engine, the store (for the tuning and its cache)
    geo : StationGeography
    tuning_sources : the sources the tuning scores hotspots of (incidents by default,
        whatever the view clusters)
    events : DataFrame, optional
        The store's events as they are stored (all sources, not masked), when the
        caller already holds them; a tuning that is not cached then reads them
        instead of the store. Default: read from the store only the weeks and sources
        the tuning uses.
    """
    if query.has_setting:
        return query.with_(engine=query.engine or DEFAULT_ENGINE), "given"
    base, how = _base_setting(
        db,
        geo=geo,
        end=query.start or query.end,
        sources=tuning_sources,
        events=events,
        engine=query.engine,
    )
    engine = query.engine or base["engine"]
    filled = query.with_(
        eps_m=base["eps_m"] if query.eps_m is None else query.eps_m,
        min_samples=base["min_samples"] if query.min_samples is None else query.min_samples,
        engine=engine,
        min_cluster_size=query.min_cluster_size
        if query.min_cluster_size is not None or engine != base["engine"]
        else base["min_cluster_size"],
    )
    if query.eps_m is None and query.min_samples is None:
        return filled, how
    return filled, "given"


ACCURACY_WEEKS = 8
ACCURACY_TRAIN_DAYS = 28  # as the accuracy sentence (analytics.compute.brief.forecast_accuracy)


def backtest_query(
    query: HotspotQuery,
    *,
    db,
    geo: StationGeography,
    events: pd.DataFrame,
    weeks: int = ACCURACY_WEEKS,
    train_days: int = ACCURACY_TRAIN_DAYS,
) -> BacktestResult | None:
    """Week by week, how the view's hotspots would have caught the next week's incidents.

    The rolling backtest (:func:`analytics.compute.backtest.backtest`) of the ``weeks``
    weeks ending at the query's end, each week scored as the accuracy sentence scores
    the view's week: incident hotspots of the ``train_days`` before it against its
    incidents, beside KDE and the naive top-cells grid at the same area. Each week's
    DBSCAN setting is the one a view of that week would have had (:func:`resolve_query`
    with the query moved to that week): the query's own when it gives one, else the
    tuned one, chosen on the weeks strictly before that week, so no week is scored
    with a setting chosen on it. The last week is the accuracy sentence's.

    Parameters
    ----------
    query : HotspotQuery with a period; only its end and setting count (as
        :meth:`HotspotQuery.station_wide`)
    db : the store (the tunings are cached in it)
    geo : StationGeography
    events : the store's events, exact (as :func:`resolve_query` takes them)
    weeks, train_days : int

    Returns
    -------
    BacktestResult, or None when there are no events.
    """
    _, end = query.require_period()
    if events.empty:
        return None
    settings = []
    for i in reversed(range(weeks)):
        week = query.station_wide().with_period(end - (i + 1) * WEEK, end - i * WEEK)
        resolved, _ = resolve_query(week, db=db, geo=geo, events=events)
        settings.append((resolved.eps_m, resolved.min_samples))
    return backtest(
        events,
        geo=geo,
        eps_m=settings[-1][0],
        min_samples=settings[-1][1],
        weeks=weeks,
        train_days=train_days,
        end=end,
        settings=settings,
    )


def _base_setting(db, *, geo, end, sources, events=None, engine=None) -> tuple[dict, str]:
    """``(setting, how)`` of the station: tuned ('auto') or its file's ('station').

    ``setting`` has ``eps_m``, ``min_samples``, ``engine`` and ``min_cluster_size``:
    the tuning's choice, or with ``engine`` its best setting of that engine (the
    station file's DBSCAN setting when that engine has none within the budget).
    """
    from analytics.storage import store

    station = geo.station
    fixed = (
        {
            "eps_m": float(station.eps_m),
            "min_samples": float(station.min_samples),
            "engine": DEFAULT_ENGINE,
            "min_cluster_size": None,
        },
        "station",
    )
    if station.hotspot_params != "auto":
        return fixed
    if end is None:
        last = store.last_event_time(db, station=station)
        if last is None:
            return fixed
        end = meeting_end_for(last + pd.Timedelta(days=1), station.meeting_weekday)
    else:
        end = meeting_end_for(end, station.meeting_weekday)
    weeks, train_days = station.tune_weeks, station.train_days
    key = tuning_cache_key(
        data_version=store.data_version(db),
        end=end,
        sources=sources,
        budget_km2=station.area_budget_km2,
        weeks=weeks,
        train_days=train_days,
        geo=geo,
    )
    cached = store.cache_get(db, key)  # checked before reading any events
    if cached is None:
        start, end = tuning_events_span(end, weeks=weeks, train_days=train_days)
        if events is None:
            # Only what the tuning uses: its weeks, the sources it clusters and incidents.
            events = store.read_events(
                db,
                sources=tuning_sources(sources),
                start=start,
                end=end,
                columns=TUNING_COLUMNS,
                station=station,
            )
        if events.empty:
            return fixed
        tuned = tune_hotspot_parameters(
            events,
            geo=geo,
            area_budget_km2=station.area_budget_km2,
            end=end,
            weeks=weeks,
            train_days=train_days,
            sources=sources,
            full_grid=False,  # only the choice is kept
        )
        # The choice, and each engine's best (for a link that names its engine).
        cached = {name: tuned.best(name) for name in ENGINES} | {"chosen": tuned.best()}
        store.cache_put(db, key, cached)
    setting = cached["chosen"] if engine is None else cached.get(engine)
    if setting is None:
        return fixed
    return setting, "auto"


def answer_hotspot_query(
    query: HotspotQuery,
    *,
    db,
    geo: StationGeography,
    rule: PrivacyRule,
    events: pd.DataFrame | None = None,
    weeks_back: int = 4,
    n_simulations: int = significance.N_SIMULATIONS,
    seed: int = significance.SEED,
    events_span: tuple | None = None,
) -> HotspotAnswer:
    """The hotspots of ``query`` as ``rule``'s role may receive them.

    Parameters
    ----------
    query : HotspotQuery
        As asked: a setting of None is resolved (:func:`resolve_query`). Its
        ``categories`` filter the events; its ``unit`` does not (hotspots are found
        station-wide; a page lists the unit's).
    db : sqlalchemy.Engine
        The store: its events (unless ``events`` is given) and the tuning cache.
    geo : StationGeography
    rule : PrivacyRule
        The role's rule: floors, masking, withheld hotspots.
    events : DataFrame, optional
        The store's events, when the caller already holds them (the dashboard keeps
        them in memory; a viewer's may already be
        :meth:`~analytics.access.privacy.PrivacyRule.clustering_events`).
    weeks_back : int
        Weeks before the period for the week-over-week status; 0: the period's
        hotspots alone (then the query needs no period).
    n_simulations, seed : int
        The significance test's simulations (:data:`analytics.compute.significance.N_SIMULATIONS`
        and :data:`~analytics.compute.significance.SEED` by default).
    events_span : (sources, start, end), optional
        What the given ``events`` are: every event of the station from ``sources`` in
        ``[start, end)`` (None: open), as :func:`~analytics.storage.store.read_events`
        reads them. The populated area then reads only the store's other events (see
        :func:`populated_area`'s ``held``). Implied when the events are read here.
    """
    from analytics.storage import store

    resolved, how = resolve_query(query, db=db, geo=geo)
    if events is None:
        start = query.start
        if weeks_back and start is not None:
            start = start - pd.Timedelta(days=7 * weeks_back)
        events = store.read_events(
            db,
            sources=query.sources,
            start=start,
            end=query.end,
            columns=INPUT_COLUMNS,
            station=geo.station,
        )
        events_span = (query.sources, start, query.end)
    # Before any filter: the populated area counts every event of the span.
    held = None if events_span is None else (events, *events_span)
    if query.categories:
        events = events[events["category"].isin(query.categories)]
    if rule.masks and LOCATABLE not in events.columns:
        # The frame a viewer's hotspots are clustered from: the significance test reads it too.
        events = rule.clustering_events(events, geo=geo)
    chance = _ChanceTest(
        db,
        geo=geo,
        rule=rule,
        events=events,
        query=rule.floored(resolved)[0],  # as shown_hotspots raises it
        held=held,
        n_simulations=n_simulations,
        seed=seed,
    )
    try:
        shown = shown_hotspots(rule, events, resolved, geo=geo, weeks_back=weeks_back)
    except BaseException:
        chance.cancel()
        raise
    used = shown.query
    current = shown.current
    kept = 1.0
    if len(current):
        area, null = chance.result(shown.event_hotspot.index)
        current = significance.add_significance(
            current,
            events,
            shown.event_hotspot,
            area=area,
            eps_m=used.eps_m,
            min_samples=used.min_samples,
            weights=used.weight_map(),
            n_simulations=n_simulations,
            seed=seed,
            null=null,
            **_budget(),
        )
        kept = null.kept
    else:
        chance.cancel()
        current = current.assign(significant=pd.Series(dtype=bool), p_value=pd.Series(dtype=float))
    shown = dataclasses.replace(shown, current=current)
    return HotspotAnswer(
        shown=shown,
        resolved=resolved,
        how=how,
        tuning_weeks=geo.station.tune_weeks,
        masked=rule.masks,
        significance_kept=kept,
    )


def _budget() -> dict:
    """The chance test's thinning limits, read when called (a test can lower them)."""
    return {
        "max_pairs": significance.MAX_SIMULATED_PAIRS,
        "max_points": significance.MAX_SIMULATED_POINTS,
    }


class _ChanceTest:
    """The populated area and the chance test's scatters, drawn on another thread while
    DBSCAN and the profiles run on this one.

    Neither depends on the hotspots: only on which events are clustered (how many, and
    their weights) and on the setting, both known before clustering. On a million events
    the scatters take about half a second, mostly in scipy's KD-tree, which lets go of
    the GIL. :meth:`result` checks that the hotspots were clustered from exactly these
    events; if not (or if none were), it draws for the events that were, there and then.
    """

    def __init__(self, db, *, geo, rule, events, query, held, n_simulations, seed):
        from concurrent.futures import ThreadPoolExecutor

        from analytics.compute.hotspots import query_rows

        self._query = query.with_station_setting(geo.station)
        self._events = events
        self._args = {"db": db, "geo": geo, "rule": rule, "held": held}
        self._simulations = {"n_simulations": n_simulations, "seed": seed}
        self._stop = threading.Event()
        start, end = self._query.period
        rows = np.flatnonzero(query_rows(events, self._query, start=start, end=end))
        self._index = events.index[rows]
        self._future = None
        if len(rows):
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chance-test")
            self._future = pool.submit(self._draw, rows, self._stop)
            pool.shutdown(wait=False)  # its one thread ends with the one task

    def _draw(self, rows: np.ndarray, stop: threading.Event):
        events, query = self._events, self._query
        xy = np.column_stack(
            [events[c].to_numpy(dtype=float, na_value=np.nan)[rows] for c in ("x", "y")]
        )
        area = populated_area(
            self._args["db"],
            geo=self._args["geo"],
            rule=self._args["rule"],
            include_outside=query.include_outside,
            points=xy,
            held=self._args["held"],
        )
        null = significance.draw_null(
            significance.event_weights(events, rows, query.weight_map()),
            area=area,
            eps_m=query.eps_m,
            min_samples=query.min_samples,
            stop=stop,
            **self._simulations,
            **_budget(),
        )
        return area, null

    def result(self, clustered: pd.Index) -> tuple[significance.PopulatedArea, significance.Null]:
        """``(area, null)`` for hotspots clustered from the events ``clustered`` (an index
        of the events frame, in its order)."""
        if self._future is not None and clustered.equals(self._index):
            return self._future.result()
        self.cancel()
        return self._draw(self._events.index.get_indexer(clustered), threading.Event())

    def cancel(self) -> None:
        """No longer wanted: the scatters stop before the next one."""
        self._stop.set()


# Changes when the way the populated area is built changes (its cached cells go stale).
POPULATED_AREA_METHOD = 2  # 2: the clipped cells, as arrays (1: the cells, as a list)


def populated_area(
    db,
    *,
    geo: StationGeography,
    rule: PrivacyRule,
    include_outside: bool = False,
    points: np.ndarray | None = None,
    cell_m: float = significance.CELL_M,
    held: tuple | None = None,
) -> significance.PopulatedArea:
    """The station's populated area: where the significance test's chance puts events.

    The :data:`~analytics.compute.significance.CELL_M` grid cells that hold at least one
    of the station's events in the whole store (every source, every year), clipped to
    the boundary (:class:`~analytics.compute.significance.PopulatedArea`). For a masked
    role the cells come from :meth:`PrivacyRule.clustering_events` (sensitive cases at
    their ``geomask_m`` cell centres), like the role's hotspots. The cells are cached in
    the store under its data version, so a view reads no event for them twice.

    Parameters
    ----------
    db : sqlalchemy.Engine, the store
    geo : StationGeography
    rule : PrivacyRule, the role's
    include_outside : bool
        The view clusters events outside the boundary too: so does the area, unclipped.
    points : ndarray of shape (n, 2), optional
        The view's clustered events (metres): their cells are populated too, whatever
        the store holds (a caller may pass events that are not in it). Not needed, and
        not read, with ``held`` (those events come from the store).
    cell_m : float, metres
    held : (events, sources, start, end), optional
        Events the caller has already read: every event of the station from
        ``sources`` in ``[start, end)`` (None: open), with :data:`AREA_COLUMNS`, not
        masked. When the area is not cached yet, only the store's other events are
        read (a view of the whole store reads nothing again).
    """
    from analytics.storage import store

    digest = hashlib.sha1(shapely.to_wkb(geo.boundary_m, hex=False)).hexdigest()[:16]
    key = json.dumps(
        [
            "populated_area",
            POPULATED_AREA_METHOD,
            store.data_version(db),
            geo.station.id,
            digest,
            float(cell_m),
            bool(include_outside),
            bool(rule.masks),
            float(rule.geomask_m) if rule.masks else None,
            sorted(rule.sensitive) if rule.masks else None,
        ]
    )
    boundary = None if include_outside else geo.boundary_m
    cached = store.cache_get(db, key)
    if cached is None:
        # Only the places, unless the role's frame moves some (it reads their category).
        columns = AREA_COLUMNS if rule.masks else ("x", "y", "inside_station")
        events = _area_events(
            db, station=geo.station, include_outside=include_outside, held=held, columns=columns
        )
        if rule.masks:
            events = rule.clustering_events(events, geo=geo)
        xy = np.column_stack([events[c].to_numpy(dtype=float, na_value=np.nan) for c in "xy"])
        cells = significance.populated_cells(xy, cell_m=cell_m)
        area = significance.PopulatedArea.from_cells(cells, cell_m=cell_m, boundary=boundary)
        # Kept clipped, as raw arrays: on a store of a million events, decoding the cells
        # as a JSON list and clipping them again took a fifth of a second.
        cached = {"cell_m": float(cell_m), "parts": _encode_arrays(area.parts)}
        store.cache_put(db, key, cached)
    else:
        parts = _decode_arrays(cached["parts"])
        area = significance.PopulatedArea(parts["cells"], cached["cell_m"], boundary, clipped=parts)
    # Events read from this store (``held``'s) are in its area already: only a caller's
    # own points may add cells.
    if points is not None and held is None:
        area = area.with_cells(significance.populated_cells(points, cell_m=area.cell_m))
    return area


# The event columns the populated area reads (with a masked role's clustering frame).
AREA_COLUMNS = ("category", "x", "y", "lat", "lon", "inside_station")


def _area_events(
    db, *, station, include_outside: bool, held: tuple | None, columns=AREA_COLUMNS
) -> pd.DataFrame:
    """Every event of ``station`` the populated area counts, with ``columns``:
    ``held``'s, and the rest read."""
    from analytics.storage import store
    from analytics.storage.schema import SOURCES

    def read(**where) -> pd.DataFrame:
        return store.read_events(
            db,
            columns=columns,
            inside_only=not include_outside,
            by_time=False,
            station=station,
            **where,
        )

    usable = (
        held is not None
        and set(columns) <= set(held[0].columns)
        and LOCATABLE not in held[0].columns  # not a clustering frame (already moved)
    )
    if not usable:
        return read()
    frame, sources, start, end = held
    frame = frame[list(columns)]  # ("inside_station" is one of them)
    if not include_outside:
        frame = frame[frame["inside_station"].to_numpy(dtype=bool, na_value=False)]
    parts = [frame]
    if start is not None:
        parts.append(read(sources=sources, end=start))
    if end is not None:
        parts.append(read(sources=sources, start=end))
    others = [s for s in SOURCES if s not in sources]
    if others:
        parts.append(read(sources=others))
    return pd.concat(parts, ignore_index=True)


def _encode_arrays(arrays: dict[str, np.ndarray]) -> dict[str, list]:
    """Arrays as JSON-safe ``[dtype, shape, base64 of the bytes]``: exact, and quick to read."""
    import base64

    return {
        name: [a.dtype.str, list(a.shape), base64.b64encode(np.ascontiguousarray(a)).decode()]
        for name, a in arrays.items()
    }


def _decode_arrays(encoded: dict[str, list]) -> dict[str, np.ndarray]:
    """:func:`_encode_arrays` undone."""
    import base64

    return {
        name: np.frombuffer(base64.b64decode(data), dtype=np.dtype(dtype)).reshape(shape).copy()
        for name, (dtype, shape, data) in encoded.items()
    }
