"""How far each hotspot is from the public safety facilities: the nearest CCTV camera,
street light and emergency bell, and how many of each stand inside or near it.

A pure function over frames in metres (the analysis CRS, EPSG:5179): the hotspots'
polygons as the reader receives them (a viewer's hotspots are clustered from geomasked
events, :mod:`analytics.access.privacy`, so their distances reveal nothing finer than
their shapes do) and the facility points of :func:`analytics.storage.facilities.read_facilities`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from analytics.storage.facilities import COVERAGE_KINDS

WITHIN_M = 50.0


def distance_columns(within_m: float = WITHIN_M) -> tuple[str, ...]:
    """The columns :func:`facility_distances` returns, in order: per kind its nearest
    distance, then per kind its count within ``within_m``."""
    return tuple(f"nearest_{k}_m" for k in COVERAGE_KINDS) + tuple(
        f"{k}_within_{within_m:g}m" for k in COVERAGE_KINDS
    )


def near_counts(polygons: np.ndarray, points, within_m: float) -> np.ndarray:
    """How many of ``points`` (geometries, or their ``shapely.STRtree``) lie inside each
    of ``polygons`` or within ``within_m`` metres of its edge."""
    tree = points if isinstance(points, shapely.STRtree) else shapely.STRtree(points)
    if len(polygons) == 0:
        return np.zeros(0, dtype=np.int64)
    pairs = tree.query(polygons, predicate="dwithin", distance=within_m)
    return np.bincount(pairs[0], minlength=len(polygons))


def polygons_and_points(
    hotspots, layer, column: str, values, *, within_m: float, name: str
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The checked inputs of a count near hotspots: the hotspots' polygons, and the
    layer's points for each of ``values`` of its ``column`` (empty where none).

    Raises
    ------
    ValueError
        ``within_m`` is negative, or the two frames are in different CRSs (``name``
        names the layer in the message).
    """
    if within_m < 0:
        raise ValueError(f"within_m must be >= 0 metres, got {within_m}")
    h_crs, l_crs = getattr(hotspots, "crs", None), getattr(layer, "crs", None)
    if h_crs is not None and l_crs is not None and h_crs != l_crs:
        raise ValueError(f"hotspots are in {h_crs} but {name} in {l_crs}")
    n = len(hotspots)
    polygons = np.asarray(hotspots.geometry.to_numpy(), dtype=object) if n else np.empty(0, object)
    if not len(layer):
        return polygons, {v: np.empty(0, object) for v in values}
    keys = layer[column].to_numpy()
    points = np.asarray(layer.geometry.to_numpy(), dtype=object)
    return polygons, {v: points[keys == v] for v in values}


def facility_distances(hotspots, facilities, *, within_m: float = WITHIN_M) -> pd.DataFrame:
    """Per hotspot, the distance to the nearest facility of each kind and how many stand
    inside it or within ``within_m`` of its edge.

    Parameters
    ----------
    hotspots : GeoDataFrame
        Polygons in metres (EPSG:5179), one row per hotspot.
    facilities : GeoDataFrame
        Points in the same CRS with a ``kind`` column (``cctv``, ``streetlight``,
        ``bell``; other kinds are ignored), as
        :func:`analytics.storage.facilities.read_facilities` gives them.
    within_m : float, default 50
        The distance, in metres from the polygon's edge, that counts as near.

    Returns
    -------
    DataFrame
        Indexed like ``hotspots``, columns :func:`distance_columns`:
        ``nearest_<kind>_m`` (float metres from the polygon to the nearest point of that
        kind, 0 when one stands inside; NaN when no facility of that kind is loaded) and
        ``<kind>_within_50m`` (Int64: facility rows, i.e. sites, not cameras; <NA> when
        none of that kind is loaded).

    Raises
    ------
    ValueError
        The two frames are in different CRSs, or ``within_m`` is negative.
    """
    polygons, by_kind = polygons_and_points(
        hotspots, facilities, "kind", COVERAGE_KINDS, within_m=within_m, name="facilities"
    )
    n = len(polygons)
    nearest, near = {}, {}
    for kind in COVERAGE_KINDS:
        mine = by_kind[kind]
        if len(mine) == 0:
            nearest[kind] = np.full(n, np.nan)
            near[kind] = pd.array([pd.NA] * n, dtype="Int64")
            continue
        tree = shapely.STRtree(mine)
        dist = np.full(n, np.nan)
        if n:
            (which, _), d = tree.query_nearest(polygons, return_distance=True, all_matches=False)
            dist[which] = d
            counts = near_counts(polygons, tree, within_m)
        else:
            counts = np.zeros(0, dtype=np.int64)
        nearest[kind] = dist
        near[kind] = pd.array(counts, dtype="Int64")
    cols = distance_columns(within_m)
    data = {c: nearest[k] for c, k in zip(cols[:3], COVERAGE_KINDS, strict=True)}
    data |= {c: near[k] for c, k in zip(cols[3:], COVERAGE_KINDS, strict=True)}
    return pd.DataFrame(data, index=hotspots.index)


def with_facility_distances(hotspots, facilities, *, within_m: float = WITHIN_M):
    """``hotspots`` with the columns of :func:`facility_distances` added (replaced if
    there); the geometry is unchanged."""
    table = facility_distances(hotspots, facilities, within_m=within_m)
    out = hotspots.drop(columns=[c for c in table.columns if c in hotspots.columns])
    return out.join(table)
