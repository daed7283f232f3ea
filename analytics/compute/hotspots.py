"""Hotspots: DBSCAN in metres over any mix of sources.

``find_hotspots`` clusters events in the station's projected CRS (EPSG:5179, metres)
and profiles each cluster (:mod:`analytics.compute.profiles`). The query's ``engine``
picks DBSCAN (the default) or DBSCAN's hotspots split by HDBSCAN where their density
varies (:func:`hdbscan_labels`, :mod:`analytics.compute.hdbscan_engine`); both give
the same hotspot frame.

DBSCAN backends
---------------
DBSCAN is exact whichever backend runs; they differ in speed and memory only.

- ``"dbscan"``: the ``dbscan`` package (Wang, Gu & Shun, SIGMOD 2020), a grid-based
  exact DBSCAN. About 1 s for a million points in well under 1 GB, where
  scikit-learn's stores every neighbourhood and runs out of memory.
- ``"sklearn"``: scikit-learn's ``DBSCAN`` (kd-tree): the reference the tests
  compare against (identical noise, the same core-point partition).
- ``"auto"`` (default): ``dbscan`` when installed, else ``sklearn``.

Weights are done the same way for both: core points are found from weighted
neighbour sums (one k-d tree count per distinct weight), and clusters are the
connected components of core points within ``eps_m``.

Border points (within ``eps_m`` of a core point but not core themselves) go to the
cluster of their nearest core point. That makes labels independent of row order,
where textbook DBSCAN gives a border point to whichever cluster reaches it first.

Default weights are 1 for every source: one resident's card counts as much as one
incident towards ``min_samples``. Residents rarely write cards, so a card already
stands for many who did not; the team can raise the card weight per view.

What to cluster and with which setting is one :class:`analytics.query.HotspotQuery`,
checked once when it is made; :func:`find_hotspots` takes it (or its fields, which it
turns into one) and reads ``eps_m`` out of it only to call :func:`dbscan_labels`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from analytics.compute import profiles
from analytics.query import HotspotQuery
from analytics.station import clock
from analytics.station.geo import StationGeography
from analytics.storage.schema import EVENT_KEY, SOURCES, event_key

DBSCAN_BACKENDS = ("auto", "dbscan", "sklearn")


@functools.cache
def _dbscan_package():
    """The ``dbscan`` package's engine (a module with its ``DBSCAN`` function), or None.

    Loaded from the package's compiled module alone, on the first clustering: the
    package's ``__init__`` also builds a scikit-learn wrapper this app does not use, and
    importing scikit-learn for it cost each CLI call and the app's first clustering about
    a second. Another layout of the package falls back to ``import dbscan``.
    """
    import importlib.machinery
    import importlib.util
    import sys

    name = "dbscan._dbscan"
    if name in sys.modules:
        return sys.modules[name]
    try:
        spec = importlib.util.find_spec("dbscan")  # finds the package, runs none of it
        folder = Path(spec.submodule_search_locations[0])
        suffixes = importlib.machinery.EXTENSION_SUFFIXES
        compiled = next(p for p in folder.glob("_dbscan*") if p.name.endswith(tuple(suffixes)))
        loader = importlib.machinery.ExtensionFileLoader(name, str(compiled))
        module = importlib.util.module_from_spec(
            importlib.util.spec_from_file_location(name, compiled, loader=loader)
        )
        loader.exec_module(module)
        module.DBSCAN  # noqa: B018 - the engine this module must have
        return module
    except (ImportError, AttributeError, StopIteration, TypeError):
        try:
            import dbscan
        except ImportError:  # pragma: no cover - the package is in requirements.txt
            return None
        return dbscan


@dataclass(frozen=True, eq=False)
class HotspotResult:
    """Labels per event and one row per hotspot.

    Attributes
    ----------
    labels : Series of int, indexed like the input events
        Hotspot number (0 is the highest priority), -1 for noise and for events that
        were not clustered (other sources, outside the period or the station).
    hotspot_ids : Series of str, indexed like the input events; <NA> for -1.
    core : Series of bool, indexed like the input events: DBSCAN core points (with
        the HDBSCAN engine, those in a hotspot). A hotspot's id is a fingerprint of them.
    hotspots : GeoDataFrame, one row per hotspot, sorted by priority, polygons in the
        analysis CRS (metres). See :func:`find_hotspots` for its columns.
    clustered : Series of bool: which input events took part.
    dbscan_backend : str, the DBSCAN backend that ran.
    query : HotspotQuery
        What the hotspots were computed with: the query asked, its setting filled in.
    """

    labels: pd.Series
    hotspot_ids: pd.Series
    core: pd.Series
    hotspots: gpd.GeoDataFrame
    clustered: pd.Series
    dbscan_backend: str
    query: HotspotQuery
    timings: dict = field(default_factory=dict)


def _check_backend(backend: str) -> None:
    if backend not in DBSCAN_BACKENDS:
        raise ValueError(f"dbscan_backend must be one of {DBSCAN_BACKENDS}, got {backend!r}")


def _core_mask(xy: np.ndarray, w: np.ndarray, *, eps_m: float, min_samples: float) -> np.ndarray:
    """Points whose weighted neighbourhood (distance <= eps, itself included) reaches min_samples."""
    total = np.zeros(len(xy))
    for value in np.unique(w):
        members = xy[w == value]
        counts = cKDTree(members).query_ball_point(xy, eps_m, return_length=True, workers=-1)
        total += value * counts
    # Tolerate float error in weighted sums (e.g. 0.1 + 0.2).
    return total >= min_samples - 1e-9


def _components(core_xy: np.ndarray, *, eps_m: float, backend: str) -> tuple[np.ndarray, str]:
    """Connected components of core points linked within eps (every core point is core)."""
    if len(core_xy) == 0:
        return np.empty(0, dtype=np.int64), backend
    if backend in ("auto", "dbscan") and _dbscan_package() is not None:
        labels, _ = _dbscan_package().DBSCAN(
            np.ascontiguousarray(core_xy), eps=eps_m, min_samples=1
        )
        return labels.astype(np.int64), "dbscan"
    if backend == "dbscan":
        raise ImportError("the dbscan package is not installed")
    from sklearn.cluster import DBSCAN

    labels = DBSCAN(eps=eps_m, min_samples=1, algorithm="kd_tree").fit(core_xy).labels_
    return labels.astype(np.int64), "sklearn"


def dbscan_labels(
    xy: np.ndarray,
    *,
    eps_m: float,
    min_samples: float,
    sample_weight: np.ndarray | None = None,
    backend: str = "auto",
) -> tuple[np.ndarray, np.ndarray, str]:
    """Exact weighted DBSCAN with deterministic border points.

    Parameters
    ----------
    xy : ndarray of shape (n, 2), metres
    eps_m : float, metres; neighbours are at distance <= eps_m
    min_samples : float; a point is core when the weights within eps_m (itself
        included) sum to at least this
    sample_weight : ndarray of shape (n,), optional, all > 0
    backend : {'auto', 'dbscan', 'sklearn'}

    Returns
    -------
    labels : ndarray of shape (n,), int; -1 noise, clusters 0..k-1 numbered by
        their first core point in ``xy`` order
    core : ndarray of shape (n,), bool
    backend : str, the backend that ran
    """
    _check_backend(backend)
    xy = np.ascontiguousarray(xy, dtype=float)
    n = len(xy)
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    if n == 0:
        return np.empty(0, dtype=np.int64), np.zeros(0, bool), backend
    pkg = None
    if bool(np.all(w == 1.0)) and backend in ("auto", "dbscan"):
        pkg = _dbscan_package()
        if pkg is None and backend == "dbscan":
            raise ImportError("the dbscan package is not installed")
    if pkg is not None:
        # Unweighted: the package finds core points and their components in one pass.
        pkg_labels, core = pkg.DBSCAN(xy, eps=eps_m, min_samples=int(np.ceil(min_samples)))
        core = np.asarray(core, dtype=bool)
        comp, used = np.asarray(pkg_labels, dtype=np.int64)[core], "dbscan"
    else:
        core = _core_mask(xy, w, eps_m=eps_m, min_samples=min_samples)
        comp, used = _components(xy[core], eps_m=eps_m, backend=backend)
    labels = np.full(n, -1, dtype=np.int64)
    core_idx = np.flatnonzero(core)
    # Renumber components by their first core point, so numbering follows xy order.
    _, first = np.unique(comp, return_index=True)
    renumber = np.empty(len(first), dtype=np.int64)
    renumber[np.argsort(first, kind="stable")] = np.arange(len(first))
    labels[core_idx] = renumber[comp]
    rest = np.flatnonzero(~core)
    if len(rest) and len(core_idx):
        # Border points: the nearest core point within eps (inclusive).
        near = _near_cells(xy, core_idx, rest, eps_m=eps_m)
        dist, nearest = cKDTree(xy[near]).query(
            xy[rest], k=1, distance_upper_bound=np.nextafter(eps_m, np.inf)
        )
        ok = np.isfinite(dist)
        labels[rest[ok]] = labels[near[nearest[ok]]]
    return labels, core, used


def hdbscan_labels(
    xy: np.ndarray,
    *,
    eps_m: float,
    min_samples: float,
    min_cluster_size: float,
    sample_weight: np.ndarray | None = None,
    backend: str = "auto",
) -> tuple[np.ndarray, np.ndarray, str]:
    """The HDBSCAN engine: DBSCAN (:func:`dbscan_labels`), then its hotspots split where
    their density varies (:func:`analytics.compute.hdbscan_engine.split_hotspots`).

    Parameters
    ----------
    xy : ndarray of shape (n, 2), metres
    eps_m, min_samples : DBSCAN's setting, which bounds what may be a hotspot at all
    min_cluster_size : float, weighted events: the least part a hotspot splits into
        (raised to ``min_samples``)
    sample_weight : ndarray of shape (n,), optional, all > 0
    backend : the DBSCAN backend ({'auto', 'dbscan', 'sklearn'})

    Returns
    -------
    labels, core, backend : as :func:`dbscan_labels`; ``core`` holds the core points
        HDBSCAN put in a hotspot
    """
    from analytics.compute.hdbscan_engine import split_hotspots  # scikit-learn: start-up

    components, core, used = dbscan_labels(
        xy, eps_m=eps_m, min_samples=min_samples, sample_weight=sample_weight, backend=backend
    )
    labels, hot = split_hotspots(
        xy,
        components,
        core,
        eps_m=eps_m,
        min_samples=min_samples,
        min_cluster_size=min_cluster_size,
        sample_weight=sample_weight,
    )
    return labels, hot, used


def _near_cells(xy: np.ndarray, core_idx: np.ndarray, rest: np.ndarray, *, eps_m: float):
    """The core points in the eps-wide grid cells around the points of ``rest``.

    Any core point within ``eps_m`` of a point lies in its cell or one of the eight
    around it, so the nearest-core search needs no tree over the others: on a million
    dense points, where a few thousand are not core, that saves building a k-d tree over
    a million (0.4 s, most of what this step adds to the engine).
    """
    if len(core_idx) <= 4 * len(rest):
        return core_idx
    cells = np.floor((xy - xy.min(axis=0)) / eps_m).astype(np.int64)
    width = int(cells[:, 1].max()) + 3

    def key(c: np.ndarray) -> np.ndarray:
        return (c[:, 0] + 1) * width + (c[:, 1] + 1)

    around = (cells[rest][:, None, :] + _NEIGHBOUR_CELLS[None, :, :]).reshape(-1, 2)
    return core_idx[np.isin(key(cells[core_idx]), np.unique(key(around)))]


_NEIGHBOUR_CELLS = np.array([(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)], dtype=np.int64)


def _id_hash64(event_ids) -> np.ndarray:
    """A stable 64-bit number per event id: the store's key (its own hex digits when it
    has them, see :func:`analytics.storage.schema.event_key`), as unsigned."""
    return event_key(event_ids).view(np.uint64)


# Event texts of a few distinct values that the profiles read: taken as codes.
_FEW_TEXTS = ("source", "category_label", "severity")


def _categorical_take(values: pd.Series, rows: np.ndarray) -> pd.Categorical:
    """``values`` at positions ``rows``, as a Categorical of its few distinct texts: a
    take of a million texts costs about 40 ms, of their codes 3 ms (missing stays missing)."""
    codes, uniques = pd.factorize(values)
    return pd.Categorical.from_codes(codes[rows], categories=pd.Index(uniques, dtype=object))


def _dense_rank(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Each value's rank among the distinct values (0 the smallest), and how many there are."""
    order = np.argsort(values)
    ordered = values[order]
    new = np.empty(len(values), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.cumsum(new) - 1
    return rank, int(new.sum())


def canonical_order(x: np.ndarray, y: np.ndarray, id_hash: np.ndarray) -> np.ndarray:
    """``np.lexsort((id_hash, y, x))``: by x, then y, then id, in about 60% of its time.

    The three keys become ranks packed into one int64 (x's rank, then y's, then the
    id's), sorted with numpy's vectorised single-key sort. When the ids repeat (a tie
    lexsort keeps in input order) or the ranks would not fit, it is lexsort itself.

    Parameters
    ----------
    x, y : ndarray of shape (n,), finite, metres
    id_hash : ndarray of shape (n,), uint64 (:func:`_id_hash64`)

    Returns
    -------
    ndarray of shape (n,), int: the positions in that order
    """
    n = len(x)
    if n < 2 or n**3 >= 2**63:
        return np.lexsort((id_hash, y, x))
    id_rank, distinct = _dense_rank(id_hash)
    if distinct < n:
        return np.lexsort((id_hash, y, x))
    x_rank, _ = _dense_rank(x)
    y_rank, y_distinct = _dense_rank(y)
    return np.argsort((x_rank * y_distinct + y_rank) * n + id_rank)


def _hotspot_ids(id_hash: np.ndarray, labels: np.ndarray, core: np.ndarray, k: int) -> list[str]:
    """Ids from the set of core events: the same for the same data in any row order."""
    h = id_hash[core]
    lab = labels[core]
    sums = np.zeros(k, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.add.at(sums, lab, h)  # wraps modulo 2**64: an order-free fingerprint
    mixed = (sums ^ (sums >> np.uint64(29))) * np.uint64(0xBF58476D1CE4E5B9)
    return [f"H{int(v) & 0xFFFFFFFFFF:010x}" for v in mixed]


def query_rows(events: pd.DataFrame, query: HotspotQuery, *, start, end) -> np.ndarray:
    """Which ``events`` a query clusters: its sources, a place, inside the station
    (unless ``include_outside``), a geocode good enough, ``occurred_at`` in
    ``[start, end)`` (None: open). Boolean array of shape (n,)."""
    mask = events["source"].isin(query.sources).to_numpy(dtype=bool).copy()
    mask &= np.isfinite(events["x"].to_numpy(dtype=float, na_value=np.nan))
    mask &= np.isfinite(events["y"].to_numpy(dtype=float, na_value=np.nan))
    if not query.include_outside:
        mask &= events["inside_station"].to_numpy(dtype=bool, na_value=False)
    score = events["geocode_score"].to_numpy(dtype=float, na_value=1.0)
    mask &= ~(score < query.min_geocode_score)
    if start is not None:
        mask &= (events["occurred_at"] >= start).to_numpy(dtype=bool)
    if end is not None:
        mask &= (events["occurred_at"] < end).to_numpy(dtype=bool)
    return mask


def find_hotspots(
    events: pd.DataFrame,
    query: HotspotQuery | None = None,
    *,
    geo: StationGeography,
    eps_m: float | None = None,
    min_samples: float | None = None,
    sources: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    period: tuple[pd.Timestamp | None, pd.Timestamp | None] | None = None,
    include_outside: bool | None = None,
    min_geocode_score: float | None = None,
    hull: str | None = None,
    dbscan_backend: str = "auto",
    as_of: pd.Timestamp | None = None,
) -> HotspotResult:
    """Cluster events into hotspots with DBSCAN (or HDBSCAN) in metres and profile each one.

    Parameters
    ----------
    events : DataFrame
        An event frame (:mod:`analytics.storage.schema`): x/y in the analysis CRS (metres).
    query : HotspotQuery, optional
        What to cluster and with which setting; an ``eps_m`` or ``min_samples`` of None
        is the station's (``station.toml``), an ``engine`` of None is DBSCAN. Give
        either the query or its fields.
    geo : StationGeography
        For township/unit of each hotspot, landmarks, and the defaults.
    eps_m, min_samples, sources, weights, include_outside, min_geocode_score, hull
        The fields of a :class:`~analytics.query.HotspotQuery`, for a call without one
        (``period`` is its ``(start, end)``); left out, each is the query's default.
    dbscan_backend : {'auto', 'dbscan', 'sklearn'}
    as_of : Timestamp, optional
        "Now" for the priority's recency decay; default the period end or the last event.

    Returns
    -------
    HotspotResult
        ``hotspots`` has, per hotspot: ``hotspot_id``, ``rank`` (1 = top),
        ``label``, ``n_events``, ``weight``, ``n_incident``, ``n_complaint``,
        ``n_suggestion``, ``area_m2``, ``centroid_x``/``centroid_y`` (metres),
        ``lat``/``lon``, ``emd``, ``police_unit``, ``landmark``, ``landmark_m``,
        ``place`` ("남원공설시장 부근 120 m"), ``top_categories`` (list of
        (label, count)), ``first_event``, ``last_event``, ``hour_weekday``
        (7×24 nested list), ``patrol_windows`` (list of (start, end, share)),
        ``patrol_text``, ``type``, ``priority``, ``geometry`` (metres).

    Raises
    ------
    ValueError
        A field out of its bounds (:class:`~analytics.query.HotspotQuery`), or an
        unknown ``dbscan_backend``.
    """
    import time

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    fields = {
        "eps_m": eps_m,
        "min_samples": min_samples,
        "sources": sources,
        "weights": weights,
        "include_outside": include_outside,
        "min_geocode_score": min_geocode_score,
        "hull": hull,
    }
    query = _query_of(query, fields, period).with_station_setting(geo.station)
    _check_backend(dbscan_backend)
    start, end = query.period
    weight_of = query.weight_map()

    mask = query_rows(events, query, start=start, end=end)
    pos = np.flatnonzero(mask)
    if EVENT_KEY in events.columns:  # the store's own numbers (read_events): no text parsed
        id_hash = events[EVENT_KEY].to_numpy(dtype=np.int64).view(np.uint64)[pos]
    else:
        id_hash = _id_hash64(events["event_id"])[pos]
    x_all = events["x"].to_numpy(dtype=float, na_value=np.nan)[pos]
    y_all = events["y"].to_numpy(dtype=float, na_value=np.nan)[pos]
    # A canonical order (x, y, id) makes every step independent of the input order.
    order = canonical_order(x_all, y_all, id_hash)
    pos, id_hash = pos[order], id_hash[order]
    # A privacy frame (analytics.access.privacy) marks events whose place must not shape a hotspot.
    # (The ids are read once, as id_hash above: not carried along.)
    columns = [c for c in PROFILE_COLUMNS if c != "event_id"]
    columns += ["locatable"] if "locatable" in events.columns else []
    texts = [c for c in _FEW_TEXTS if c in columns]
    sub = events[[c for c in columns if c not in texts]].take(pos)
    for column in texts:
        sub[column] = _categorical_take(events[column], pos)
    sub = sub[columns]
    xy = np.column_stack([x_all[order], y_all[order]])
    codes, names = pd.factorize(sub["source"])
    w = np.array([weight_of.get(name, np.nan) for name in names], dtype=float)[codes]
    timings["select"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    if query.engine == "hdbscan":
        raw, core, used = hdbscan_labels(
            xy,
            eps_m=query.eps_m,
            min_samples=query.min_samples,
            min_cluster_size=query.cluster_size,
            sample_weight=w,
            backend=dbscan_backend,
        )
    else:
        raw, core, used = dbscan_labels(
            xy,
            eps_m=query.eps_m,
            min_samples=query.min_samples,
            sample_weight=w,
            backend=dbscan_backend,
        )
    timings["dbscan"] = time.perf_counter() - t1
    k = int(raw.max()) + 1 if len(raw) else 0

    t2 = time.perf_counter()
    as_of = as_of or end or (sub["occurred_at"].max() if len(sub) else clock.now())
    table, ranked = _profile(
        sub, xy, w, raw, core, id_hash, k, geo=geo, eps_m=query.eps_m, hull=query.hull, as_of=as_of
    )
    timings["profile"] = time.perf_counter() - t2

    n = len(events)
    sub_labels = np.where(raw >= 0, ranked[np.maximum(raw, 0)], -1) if k else raw
    label_arr = np.full(n, -1, dtype=np.int64)
    label_arr[pos] = sub_labels
    ids = np.array([*table["hotspot_id"].tolist(), None], dtype=object)
    core_arr = np.zeros(n, dtype=bool)
    core_arr[pos] = core
    labels = pd.Series(label_arr, index=events.index)
    hotspot_ids = pd.Series(ids[label_arr], index=events.index, dtype="string")  # -1 → None
    core_s = pd.Series(core_arr, index=events.index)
    clustered = pd.Series(mask, index=events.index)
    timings["total"] = time.perf_counter() - t0
    return HotspotResult(labels, hotspot_ids, core_s, table, clustered, used, query, timings)


def _query_of(query: HotspotQuery | None, fields: dict, period) -> HotspotQuery:
    """``query``, or the query its fields make (the fields left as None take the defaults)."""
    given = {k: v for k, v in fields.items() if v is not None}
    if period is not None:
        given["start"], given["end"] = period
    if query is None:
        return HotspotQuery(**given)
    if given:
        raise TypeError(f"give a HotspotQuery or its fields, not both (got {sorted(given)})")
    return query


def _profile(sub, xy, w, raw, core, id_hash, k, *, geo, eps_m, hull, as_of):
    """Build the hotspot table (sorted by priority) and the label → rank map."""
    crs = geo.station.analysis_crs
    if k == 0:
        empty = gpd.GeoDataFrame(
            {c: [] for c in HOTSPOT_COLUMNS}, geometry=gpd.GeoSeries([], crs=crs), crs=crs
        )
        return empty, np.empty(0, dtype=np.int64)
    x, y = xy[:, 0], xy[:, 1]
    keep = raw >= 0
    n_by = {
        s: np.bincount(raw[keep & profiles.is_value(sub["source"], s)], minlength=k)
        for s in SOURCES
    }
    n_events = np.bincount(raw[keep], minlength=k)
    weight = np.bincount(raw[keep], weights=w[keep], minlength=k)
    # The events that shape each hotspot (polygon, centre, place): all of them, or on a
    # privacy frame only the locatable ones. A hotspot with none left keeps its masked
    # members' shape; the privacy rule withholds it (its locatable weight is 0).
    shape = raw
    weight_locatable = None
    if "locatable" in sub.columns:
        locatable = sub["locatable"].to_numpy(dtype=bool)
        weight_locatable = np.bincount(
            raw[keep & locatable], weights=w[keep & locatable], minlength=k
        )
        has_locatable = np.bincount(raw[keep & locatable], minlength=k) > 0
        shape = np.where(keep & (locatable | ~has_locatable[np.maximum(raw, 0)]), raw, -1)
    n_shape = np.bincount(shape[shape >= 0], minlength=k)
    polys = profiles.polygons(x, y, shape, k, eps_m=eps_m, hull=hull)
    areas = gpd.GeoSeries(polys, crs=crs).area.to_numpy()
    cx = np.bincount(shape[shape >= 0], weights=x[shape >= 0], minlength=k) / n_shape
    cy = np.bincount(shape[shape >= 0], weights=y[shape >= 0], minlength=k) / n_shape
    lon, lat = geo.to_geographic(cx, cy)
    areas_of = geo.assign_areas(cx, cy)
    lm_name, lm_dist, lm_bearing = profiles.nearest_landmarks(cx, cy, geo.landmarks)
    ts = sub["occurred_at"]
    member_ts = ts[keep].reset_index(drop=True)
    first = member_ts.groupby(raw[keep]).min().reindex(range(k))
    last = member_ts.groupby(raw[keep]).max().reindex(range(k))
    hist = profiles.hour_weekday_histograms(sub, raw, k)
    windows = profiles.patrol_windows(hist.sum(axis=1))
    kinds = profiles.classify(n_by["incident"], n_by["suggestion"] + n_by["complaint"])
    prio = profiles.priority_scores(sub, raw, k, as_of=as_of)
    ids = _hotspot_ids(id_hash, raw, core, k)
    emd = areas_of["emd"].to_numpy(dtype=object)
    lm_en = dict(
        zip(geo.landmarks["name"], geo.landmarks.get("name_en", geo.landmarks["name"]), strict=True)
    )
    emd_en = dict(zip(geo.townships["emd"], geo.townships["emd_en"], strict=True))
    table = gpd.GeoDataFrame(
        {
            "hotspot_id": ids,
            "label": np.arange(k),
            "n_events": n_events,
            "weight": weight,
            "n_incident": n_by["incident"],
            "n_complaint": n_by["complaint"],
            "n_suggestion": n_by["suggestion"],
            "area_m2": areas,
            "centroid_x": cx,
            "centroid_y": cy,
            "lat": lat,
            "lon": lon,
            "emd": emd,
            "police_unit": areas_of["police_unit"].to_numpy(dtype=object),
            "landmark": lm_name,
            "landmark_m": lm_dist,
            "place": [
                profiles.place_label(n, d, e, bearing_deg=b)
                for n, d, e, b in zip(lm_name, lm_dist, emd, lm_bearing, strict=True)
            ],
            "place_en": [
                profiles.place_label(lm_en.get(n, n), d, emd_en.get(e, e), lang="en", bearing_deg=b)
                for n, d, e, b in zip(lm_name, lm_dist, emd, lm_bearing, strict=True)
            ],
            "top_categories": profiles.top_categories(sub, raw, k),
            "first_event": first.to_numpy(),
            "last_event": last.to_numpy(),
            "hour_weekday": [h.tolist() for h in hist],
            "patrol_windows": windows,
            "patrol_text": [profiles.format_windows(wd) for wd in windows],
            "type": kinds,
            "priority": prio,
        },
        geometry=gpd.GeoSeries(polys, crs=crs),
        crs=crs,
    )
    if weight_locatable is not None:
        table["weight_locatable"] = weight_locatable
    for col, values in (("first_event", first), ("last_event", last)):
        table[col] = pd.Series(values.to_numpy(), index=table.index)
    # Rank by priority; ties by size, then by id, so the order never depends on input order.
    table = table.sort_values(
        ["priority", "n_events", "hotspot_id"], ascending=[False, False, True]
    ).reset_index(drop=True)
    ranked = np.empty(k, dtype=np.int64)
    ranked[table["label"].to_numpy()] = np.arange(k)
    table["label"] = np.arange(k)
    table.insert(1, "rank", np.arange(1, k + 1))
    return table, ranked


# The event columns that clustering and profiles read.
PROFILE_COLUMNS = (
    "event_id",
    "source",
    "occurred_at",
    "category_label",
    "severity",
    "slot_start_hour",
    "slot_end_hour",
)

# Every event column a hotspot query reads (find_hotspots, its status, and the privacy
# rule's masking): what a caller that reads from the store asks for.
INPUT_COLUMNS = (
    *PROFILE_COLUMNS,
    "category",
    "x",
    "y",
    "lat",
    "lon",
    "inside_station",
    "geocode_score",
)

HOTSPOT_COLUMNS = (
    "hotspot_id",
    "rank",
    "label",
    "n_events",
    "weight",
    "n_incident",
    "n_complaint",
    "n_suggestion",
    "area_m2",
    "centroid_x",
    "centroid_y",
    "lat",
    "lon",
    "emd",
    "police_unit",
    "landmark",
    "landmark_m",
    "place",
    "place_en",
    "top_categories",
    "first_event",
    "last_event",
    "hour_weekday",
    "patrol_windows",
    "patrol_text",
    "type",
    "priority",
)


@dataclass(frozen=True)
class KDistance:
    """The k-distance curve behind a suggested eps.

    ``distances_m`` are each point's distance to its ``k``-th nearest neighbour
    (itself counted as the first), sorted descending; ``knee`` indexes the
    suggested eps in that curve.
    """

    k: int
    distances_m: np.ndarray
    knee: int
    eps_m: float


def suggest_eps(xy_or_events, *, min_samples: int, max_points: int = 50_000) -> KDistance:
    """Suggest eps from the k-distance curve's knee (the point farthest from its chord).

    Parameters
    ----------
    xy_or_events : ndarray of shape (n, 2) in metres, or an event frame (x, y)
    min_samples : int >= 2; k = min_samples
    max_points : int; a seeded sample keeps it fast on large inputs
    """
    if min_samples < 2:
        raise ValueError(f"min_samples must be >= 2 for a k-distance curve, got {min_samples}")
    if isinstance(xy_or_events, pd.DataFrame):
        xy = xy_or_events[["x", "y"]].to_numpy(dtype=float)
    else:
        xy = np.asarray(xy_or_events, dtype=float)
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) <= min_samples:
        raise ValueError(f"need more than {min_samples} points, got {len(xy)}")
    if len(xy) > max_points:
        xy = xy[np.random.default_rng(0).choice(len(xy), max_points, replace=False)]
    dist, _ = cKDTree(xy).query(xy, k=min_samples)
    curve = np.sort(dist[:, -1])[::-1]
    n = len(curve)
    # Kneedle-style: farthest point from the straight line between the ends.
    xs = np.linspace(0.0, 1.0, n)
    span = curve[0] - curve[-1]
    ys = (curve - curve[-1]) / span if span > 0 else np.zeros(n)
    gap = (1.0 - xs) - ys  # the chord runs from (0, 1) to (1, 0)
    knee = int(np.argmax(np.abs(gap)))
    return KDistance(k=min_samples, distances_m=curve, knee=knee, eps_m=float(curve[knee]))
