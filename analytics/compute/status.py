"""Week-over-week hotspot status, in the spirit of Esri's emerging hot spot analysis.

Each of the current period and the ``weeks_back`` weeks before it is clustered on
its own, with the same parameters. A current hotspot is matched to earlier ones by
spatial overlap (polygons that intersect). The rules:

- ``new``: it overlaps no hotspot of the previous ``weeks_back`` weeks;
- ``intensifying``: it overlaps an earlier hotspot, and its events this period are
  at least ``INTENSIFY_RATIO`` × (and at least ``MIN_CHANGE`` more than) the
  weekly mean of events inside its polygon over the previous weeks, and the exact
  test of the two counts says the rise is unlikely to be chance
  (:func:`analytics.compute.changes.compare_counts`: this period's events against the
  ``weeks_back`` weeks' total, exposure ``weeks_back``; p ≤ 0.05);
- ``diminishing``: it overlaps an earlier hotspot, and its events this period are
  at most ``DIMINISH_RATIO`` × that weekly mean (and at least ``MIN_CHANGE`` fewer),
  and the same test says the fall is unlikely to be chance;
- ``persistent``: it overlaps an earlier hotspot otherwise;
- ``gone``: a hotspot of the week just before that no current hotspot overlaps.

Every period is clustered with the same :class:`analytics.query.HotspotQuery`, moved
to that period.

Why the test as well as the ratio: 2 events a week before and 5 now passes the ratio
rule (×2.5, +3), yet p = 0.15: a small hotspot would flip between "intensifying" and
"persistent" on noise. The ratio keeps what the test alone would call a change on a
busy hotspot (40 a week to 58, ×1.45, p = 0.018 over four weeks) from being
"intensifying": both must agree. The test is generous in one way: the polygon is drawn around this
period's events, so the baseline is counted where events happened to gather now.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analytics.compute import hotspots
from analytics.compute.changes import compare_counts
from analytics.compute.hotspots import HotspotResult
from analytics.query import HotspotQuery
from analytics.station.geo import StationGeography
from analytics.text import text

NEW, PERSISTENT, INTENSIFYING, DIMINISHING, GONE = (
    "new",
    "persistent",
    "intensifying",
    "diminishing",
    "gone",
)
INTENSIFY_RATIO = 1.5
DIMINISH_RATIO = 0.67
MIN_CHANGE = 2
STATUSES = (NEW, PERSISTENT, INTENSIFYING, DIMINISHING, GONE)


def status_label(status: str, lang: str = "ko") -> str:
    """'신규' / 'new' … for a status (catalogue keys ``status_text.*``)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
    return text(f"status_text.{status}", lang)


@dataclass(frozen=True, eq=False)
class HotspotStatus:
    """``current``: this period's hotspots with ``status``, ``weeks_seen`` (how many
    of the previous weeks had an overlapping hotspot) and ``baseline_weekly`` (mean
    weekly events inside its polygon before). ``gone``: last week's hotspots that
    no current hotspot overlaps. ``result``: the current period's clustering.
    ``current`` also has ``change_p_value``: the exact test of this period's events
    against the weeks before (:func:`analytics.compute.changes.compare_counts`)."""

    current: gpd.GeoDataFrame
    gone: gpd.GeoDataFrame
    result: HotspotResult
    previous: tuple[HotspotResult, ...]


def _events_inside(polygons: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """Events inside (or on the edge of) each polygon: shape (len(polygons),)."""
    if len(polygons) == 0 or events.empty:
        return np.zeros(len(polygons), dtype=np.int64)
    pts = shapely.points(events["x"].to_numpy(float), events["y"].to_numpy(float))
    tree = shapely.STRtree(pts)
    poly_idx, _ = tree.query(polygons, predicate="intersects")
    return np.bincount(poly_idx, minlength=len(polygons))


def hotspot_status(
    events: pd.DataFrame,
    query: HotspotQuery,
    *,
    geo: StationGeography,
    weeks_back: int = 4,
    dbscan_backend: str = "auto",
) -> HotspotStatus:
    """Hotspots of the query's period with their status against the weeks before.

    Parameters
    ----------
    events : event frame (all sources; the query chooses)
    query : HotspotQuery with a period ``[start, end)`` (tz-aware); its ``eps_m`` and
        ``min_samples`` (None: the station's) cluster every week alike
    geo : StationGeography
    weeks_back : int >= 1, previous 7-day windows to compare with
    dbscan_backend : {'auto', 'dbscan', 'sklearn'}
    """
    if weeks_back < 1:
        raise ValueError(f"weeks_back must be >= 1, got {weeks_back}")
    start, _ = query.require_period()
    query = query.with_station_setting(geo.station)
    # Through the module: a test (tests/ui/test_serve.py) watches every clustering.
    find = hotspots.find_hotspots
    current = find(events, query, geo=geo, dbscan_backend=dbscan_backend)
    week = pd.Timedelta(days=7)
    previous = tuple(
        find(
            events,
            query.with_period(start - (i + 1) * week, start - i * week),
            geo=geo,
            dbscan_backend=dbscan_backend,
            as_of=start - i * week,
        )
        for i in range(weeks_back)
    )
    table = current.hotspots.copy()
    polys = table.geometry.to_numpy()
    seen = np.zeros(len(table), dtype=np.int64)
    for prev in previous:
        if len(prev.hotspots) and len(polys):
            tree = shapely.STRtree(prev.hotspots.geometry.to_numpy())
            hit, _ = tree.query(polys, predicate="intersects")
            seen[np.unique(hit)] += 1
    # Baseline: the events that would have been clustered, inside each polygon, in
    # the weeks before (the same filters as find_hotspots).
    before = events[
        events["source"].isin(query.sources)
        & (events["occurred_at"] >= start - weeks_back * week)
        & (events["occurred_at"] < start)
        & ~(events["geocode_score"].fillna(1.0) < query.min_geocode_score)
    ]
    if not query.include_outside:
        before = before[before["inside_station"].astype(bool)]
    before_total = _events_inside(polys, before)
    baseline = before_total / weeks_back
    now = table["n_events"].to_numpy(dtype=float)
    changes = [
        compare_counts(int(n), int(b), exposure=weeks_back)
        for n, b in zip(table["n_events"], before_total, strict=True)
    ]
    real = np.array([c.significant for c in changes], dtype=bool)
    up = (now >= INTENSIFY_RATIO * baseline) & (now - baseline >= MIN_CHANGE) & real
    down = (now <= DIMINISH_RATIO * baseline) & (baseline - now >= MIN_CHANGE) & real
    status = np.where(
        seen == 0, NEW, np.where(up, INTENSIFYING, np.where(down, DIMINISHING, PERSISTENT))
    )
    table["status"] = status.astype(object)
    table["weeks_seen"] = seen
    table["baseline_weekly"] = baseline
    table["change_p_value"] = np.array([c.p_value for c in changes], dtype=float)
    last = previous[0].hotspots
    if len(last) and len(polys):
        hit, _ = shapely.STRtree(polys).query(last.geometry.to_numpy(), predicate="intersects")
        gone = last.drop(index=last.index[np.unique(hit)])
    else:
        gone = last
    gone = gone.copy()
    gone["status"] = GONE
    return HotspotStatus(current=table, gone=gone, result=current, previous=previous)
