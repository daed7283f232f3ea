"""Week-over-week hotspot status, in the spirit of Esri's emerging hot spot analysis.

Each of the current period and the ``weeks_back`` weeks before it is clustered on
its own, with the same parameters. A current hotspot is matched to earlier ones by
spatial overlap (polygons that intersect). The rules:

- ``new``: it overlaps no hotspot of the previous ``weeks_back`` weeks;
- ``intensifying``: it overlaps an earlier hotspot, and its events this period are
  at least ``INTENSIFY_RATIO`` × (and at least ``MIN_CHANGE`` more than) the
  weekly mean of events inside its polygon over the previous weeks;
- ``diminishing``: it overlaps an earlier hotspot, and its events this period are
  at most ``DIMINISH_RATIO`` × that weekly mean (and at least ``MIN_CHANGE`` fewer);
- ``persistent``: it overlaps an earlier hotspot otherwise;
- ``gone``: a hotspot of the week just before that no current hotspot overlaps.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analytics.compute.hotspots import HotspotResult, find_hotspots
from analytics.station.geo import StationGeography

NEW, PERSISTENT, INTENSIFYING, DIMINISHING, GONE = (
    "new",
    "persistent",
    "intensifying",
    "diminishing",
    "gone",
)
STATUS_LABELS = {
    "ko": {
        NEW: "신규",
        PERSISTENT: "지속",
        INTENSIFYING: "심화",
        DIMINISHING: "약화",
        GONE: "소멸",
    },
    "en": {
        NEW: "new",
        PERSISTENT: "persistent",
        INTENSIFYING: "intensifying",
        DIMINISHING: "diminishing",
        GONE: "gone",
    },
}
INTENSIFY_RATIO = 1.5
DIMINISH_RATIO = 0.67
MIN_CHANGE = 2


@dataclass(frozen=True, eq=False)
class HotspotStatus:
    """``current``: this period's hotspots with ``status``, ``weeks_seen`` (how many
    of the previous weeks had an overlapping hotspot) and ``baseline_weekly`` (mean
    weekly events inside its polygon before). ``gone``: last week's hotspots that
    no current hotspot overlaps. ``result``: the current period's clustering."""

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
    *,
    geo: StationGeography,
    start: pd.Timestamp,
    end: pd.Timestamp,
    weeks_back: int = 4,
    **hotspot_kwargs,
) -> HotspotStatus:
    """Hotspots of ``[start, end)`` with their status against the weeks before.

    Parameters
    ----------
    events : event frame (all sources; ``sources`` etc. go in ``hotspot_kwargs``)
    geo : StationGeography
    start, end : tz-aware Timestamps of the current period
    weeks_back : int >= 1, previous 7-day windows to compare with
    **hotspot_kwargs : passed to :func:`analytics.compute.hotspots.find_hotspots`
        (eps_m, min_samples, sources, weights, ...).
    """
    if weeks_back < 1:
        raise ValueError(f"weeks_back must be >= 1, got {weeks_back}")
    if not start < end:
        raise ValueError(f"start must be before end, got {start} .. {end}")
    current = find_hotspots(events, geo=geo, period=(start, end), **hotspot_kwargs)
    week = pd.Timedelta(days=7)
    previous = tuple(
        find_hotspots(
            events,
            geo=geo,
            period=(start - (i + 1) * week, start - i * week),
            as_of=start - i * week,
            **hotspot_kwargs,
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
    params = current.params
    before = events[
        events["source"].isin(params.sources)
        & (events["occurred_at"] >= start - weeks_back * week)
        & (events["occurred_at"] < start)
        & ~(events["geocode_score"].fillna(1.0) < params.min_geocode_score)
    ]
    if not params.include_outside:
        before = before[before["inside_station"].astype(bool)]
    baseline = _events_inside(polys, before) / weeks_back
    now = table["n_events"].to_numpy(dtype=float)
    up = (now >= INTENSIFY_RATIO * baseline) & (now - baseline >= MIN_CHANGE)
    down = (now <= DIMINISH_RATIO * baseline) & (baseline - now >= MIN_CHANGE)
    status = np.where(
        seen == 0, NEW, np.where(up, INTENSIFYING, np.where(down, DIMINISHING, PERSISTENT))
    )
    table["status"] = status.astype(object)
    table["weeks_seen"] = seen
    table["baseline_weekly"] = baseline
    last = previous[0].hotspots
    if len(last) and len(polys):
        hit, _ = shapely.STRtree(polys).query(last.geometry.to_numpy(), predicate="intersects")
        gone = last.drop(index=last.index[np.unique(hit)])
    else:
        gone = last
    gone = gone.copy()
    gone["status"] = GONE
    return HotspotStatus(current=table, gone=gone, result=current, previous=previous)
