"""The space-time statistics as the dashboard shows them, beside its hotspots.

:mod:`~analytics.compute.gistar`, :mod:`~analytics.compute.emerging` and
:mod:`~analytics.compute.nearrepeat` work on plain arrays. This module picks the
events a view counts and joins their results to what the pages list:

* :func:`hot_cells`: the Gi* cells of a view (its period, sources and categories) that
  are hot at 90 % confidence or more after the FDR correction: the map page's layer.
  Cold cells are left out: against randomness over the whole station the empty
  mountains and paddies come out cold, which tells a patrol nothing.
* :func:`emerging_cells` and :func:`hotspot_emerging`: the emerging-hot-spot pattern of
  the grid cells over the 12 weeks that end with the view's period, and for each
  hotspot the most pressing hot pattern among the cells its polygon covers
  (:data:`HOT_SEVERITY`), shown beside its week-over-week status.
* :func:`near_repeat`, :func:`raised_sentences` and :func:`keep_days`: the Knox test
  per incident category over the last 52 weeks, station-wide, as sentences and as
  how many days extra patrols should stay (:func:`analytics.compute.patrol.patrol_targets`).

Privacy (:func:`grid_events`): for a masked role the grid statistics leave the
sensitive categories out, as ``python -m analytics gistar --for viewer`` does, so no
cell a viewer receives is hot because of a sensitive case. The near-repeat test reads
a viewer's events from the privacy rule's clustering frame (each sensitive case at
the centre of its privacy cell), as ``nearrepeat --for viewer`` does.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analytics.compute import emerging, gistar, hotspots, nearrepeat
from analytics.query import MIN_GEOCODE_SCORE
from analytics.station.categories import label

# The hot patterns from the most to the least pressing for a patrol: hot almost every
# week and rising, hot almost every week, hot the last weeks in a row, hot only in the
# last week, then on and off, then fading or past.
HOT_SEVERITY = (
    "intensifying_hot",
    "persistent_hot",
    "consecutive_hot",
    "new_hot",
    "sporadic_hot",
    "oscillating_hot",
    "diminishing_hot",
    "historical_hot",
)
EMERGING_WEEKS = emerging.DEFAULT_WEEKS
NEAR_REPEAT_WEEKS = 52
NEAR_REPEAT_SOURCE = "incident"
HOT_COLUMNS = ("cell_id", "n_events", "gi_z", "gi_p", "gi_bin", "geometry")
EMERGING_COLUMNS = ("cell_id", "category", "n_events", "n_hot", "final_bin", "geometry")
WEEK = pd.Timedelta(days=7)


def grid_events(events: pd.DataFrame, rule) -> pd.DataFrame:
    """The events a grid statistic may count for ``rule``'s role.

    Parameters
    ----------
    events : DataFrame with a ``category`` column
    rule : :class:`analytics.access.privacy.PrivacyRule`

    Returns
    -------
    DataFrame
        ``events`` itself for an analyst; for a masked role, the rows that are not of
        a sensitive category (their heat is nobody's to see, not even as a grid cell).
    """
    if not rule.masks:
        return events
    return events[~rule.is_sensitive(events)]


def view_events(events: pd.DataFrame, query, *, start=None, end=None) -> pd.DataFrame:
    """The located events a view counts on a grid, as its hotspots would.

    Parameters
    ----------
    events : DataFrame
        Store events (``source``, ``category``, ``x``, ``y``, ``occurred_at``,
        ``inside_station``, ``geocode_score``).
    query : :class:`analytics.query.HotspotQuery`
        Its ``sources``, ``categories``, ``include_outside`` and ``min_geocode_score``
        select; its DBSCAN setting and weights do not matter here.
    start, end : tz-aware Timestamps, keyword-only
        The half-open window on ``occurred_at`` (default: the query's period).

    Returns
    -------
    DataFrame, the selected rows (township-centre matches and placeless rows left out).
    """
    start = query.start if start is None else start
    end = query.end if end is None else end
    mask = hotspots.query_rows(events, query, start=start, end=end)
    if query.categories:
        mask &= events["category"].isin(query.categories).to_numpy(dtype=bool)
    return events[mask]


def hot_cells(
    events: pd.DataFrame, *, area, cell_m: float = gistar.DEFAULT_CELL_M, crs=None
) -> gpd.GeoDataFrame:
    """The grid cells whose Gi* is hot at 90 % confidence or more (FDR-corrected).

    Parameters
    ----------
    events : DataFrame with ``x`` and ``y`` in metres (every row counts: select with
        :func:`view_events` and :func:`grid_events` first)
    area : shapely geometry, keyword-only (the station's boundary, in metres)
    cell_m : float, the cell side in metres (200: whole 100 m privacy cells)
    crs : optional, the CRS of ``area``, given to the result

    Returns
    -------
    GeoDataFrame
        :data:`HOT_COLUMNS`: ``cell_id``, ``n_events`` (the cell's own count), ``gi_z``,
        ``gi_p``, ``gi_bin`` (1, 2, 3 for 90, 95, 99 %) and the cell's square, hottest first.
    """
    cells = gistar.gi_star_grid(
        events["x"].to_numpy(dtype=float, na_value=np.nan),
        events["y"].to_numpy(dtype=float, na_value=np.nan),
        area=area,
        cell_m=cell_m,
        crs=crs,
    )
    hot = cells[cells["gi_bin"] > 0].sort_values(["gi_bin", "gi_z"], ascending=False)
    return hot[list(HOT_COLUMNS)].reset_index(drop=True)


def emerging_cells(
    events: pd.DataFrame,
    *,
    area,
    end: pd.Timestamp,
    weeks: int = EMERGING_WEEKS,
    cell_m: float = gistar.DEFAULT_CELL_M,
    crs=None,
) -> gpd.GeoDataFrame:
    """The grid cells with an emerging-hot-spot pattern over the ``weeks`` weeks before ``end``.

    Parameters
    ----------
    events : DataFrame with ``x``, ``y`` (metres) and ``occurred_at`` (rows outside the
        weeks are not counted)
    area : shapely geometry, keyword-only (the station's boundary)
    end : tz-aware Timestamp, keyword-only; the last week ends here (exclusive)
    weeks, cell_m, crs : as in :func:`analytics.compute.emerging.emerging_hotspots`

    Returns
    -------
    GeoDataFrame
        :data:`EMERGING_COLUMNS` of the cells whose category is not ``no_pattern``.
    """
    found = emerging.emerging_hotspots(
        events["x"].to_numpy(dtype=float, na_value=np.nan),
        events["y"].to_numpy(dtype=float, na_value=np.nan),
        events["occurred_at"],
        area=area,
        end=end,
        weeks=weeks,
        cell_m=cell_m,
        crs=crs,
    )
    cells = found.cells
    shown = cells[cells["category"] != emerging.NO_PATTERN]
    return shown[list(EMERGING_COLUMNS)].reset_index(drop=True)


def hotspot_emerging(hotspots: gpd.GeoDataFrame, cells: gpd.GeoDataFrame) -> pd.Series:
    """Each hotspot's emerging-hot-spot pattern: the most pressing among the cells it covers.

    A hotspot covers a cell when its polygon and the cell's square share more than an
    edge or a corner. Of the hot patterns of those cells, the first in
    :data:`HOT_SEVERITY` wins (an intensifying cell in a hotspot makes it
    intensifying, whatever its quieter cells do): a hotspot is a place to act on, and
    its busiest corner says most about it. Cold patterns are not reported (a cell a
    hotspot covers is busy, and its cold weeks say little), nor is a hotspot covering
    no patterned cell: ``no_pattern``.

    Parameters
    ----------
    hotspots : GeoDataFrame, polygons in metres (a hotspot answer's ``current``)
    cells : GeoDataFrame from :func:`emerging_cells` (or any frame with ``category``
        and the cells' squares), in the same CRS

    Returns
    -------
    Series of str indexed like ``hotspots``: one of :data:`analytics.compute.emerging.CATEGORIES`.
    """
    out = pd.Series(emerging.NO_PATTERN, index=hotspots.index, dtype=object, name="emerging")
    if hotspots.empty or cells.empty:
        return out
    hot = cells[cells["category"].isin(HOT_SEVERITY)]
    if hot.empty:
        return out
    if hotspots.crs is not None and hot.crs is not None and hotspots.crs != hot.crs:
        hot = hot.to_crs(hotspots.crs)
    squares = hot.geometry.to_numpy()
    shapes = hotspots.geometry.to_numpy()
    which, cell = shapely.STRtree(squares).query(shapes, predicate="intersects")
    inside = ~shapely.touches(shapes[which], squares[cell])
    which, cell = which[inside], cell[inside]
    severity = {c: i for i, c in enumerate(HOT_SEVERITY)}
    rank = np.array([severity[c] for c in hot["category"].to_numpy()[cell]], dtype=np.int64)
    best = np.full(len(hotspots), len(HOT_SEVERITY), dtype=np.int64)
    np.minimum.at(best, which, rank)
    found = best < len(HOT_SEVERITY)
    out.iloc[np.flatnonzero(found)] = [HOT_SEVERITY[i] for i in best[found]]
    return out


def near_repeat(
    events: pd.DataFrame,
    *,
    end: pd.Timestamp,
    weeks: int = NEAR_REPEAT_WEEKS,
    source: str = NEAR_REPEAT_SOURCE,
    min_geocode_score: float = MIN_GEOCODE_SCORE,
    **options,
) -> pd.DataFrame:
    """The Knox test per category of ``source``'s events over the ``weeks`` weeks before ``end``.

    Parameters
    ----------
    events : DataFrame
        Store events (for a viewer: the privacy rule's clustering frame). Rows of
        other sources, outside the window, without a place, or placed at a township's
        centre (``geocode_score`` below ``min_geocode_score``, where many unrelated
        events share one point) are left out.
    end : tz-aware Timestamp, keyword-only; the window ends here (exclusive)
    weeks : int, keyword-only (52: a year, so every season is in)
    source : str, keyword-only ('incident')
    min_geocode_score : float, keyword-only
    **options
        Passed to :func:`analytics.compute.nearrepeat.near_repeat_table` (distance,
        bands, permutations, seed, alpha; its defaults otherwise).

    Returns
    -------
    DataFrame of :data:`analytics.compute.nearrepeat.TABLE_COLUMNS`, one row per category.
    """
    end = pd.Timestamp(end)
    start = end - int(weeks) * WEEK
    mask = (events["source"] == source).to_numpy(dtype=bool).copy()
    mask &= (events["occurred_at"] >= start).to_numpy(dtype=bool)
    mask &= (events["occurred_at"] < end).to_numpy(dtype=bool)
    mask &= ~(events["geocode_score"].to_numpy(dtype=float, na_value=1.0) < min_geocode_score)
    return nearrepeat.near_repeat_table(events[mask], **options)


def _raised(table: pd.DataFrame) -> pd.DataFrame:
    days = pd.to_numeric(table["days_raised"], errors="coerce")
    return table[(days > 0).to_numpy(dtype=bool)]


def raised_sentences(
    table: pd.DataFrame, *, source: str = NEAR_REPEAT_SOURCE, lang: str = "ko"
) -> list[str]:
    """The near-repeat sentences of the categories whose risk stays raised (days > 0).

    "절도: 발생 후 200m 이내에서는 약 3일 동안 위험이 높게 유지됩니다 (…)", one per
    such row of :func:`near_repeat`, in the table's order (most events first).
    """
    return [
        nearrepeat.near_repeat_sentence(row, label=label(source, row["category"], lang), lang=lang)
        for row in _raised(table).to_dict("records")
    ]


def keep_days(table: pd.DataFrame, *, source: str = NEAR_REPEAT_SOURCE) -> dict[str, float]:
    """Korean category label → days the risk stays raised, for the categories with days > 0.

    Keyed on the Korean label because that is how a hotspot's ``top_categories`` name
    them (:func:`analytics.compute.patrol.patrol_targets` reads this).
    """
    return {
        label(source, row["category"], "ko"): float(row["days_raised"])
        for row in _raised(table).to_dict("records")
    }
