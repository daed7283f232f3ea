"""Bounded map payloads: geometries simplified, projected and rounded; points aggregated.

A Streamlit map travels to the browser as one HTML page on every rerun, so every
layer keeps its payload small: coordinates rounded to 6 decimals (~0.1 m),
boundaries simplified to what a screen pixel shows, and event points merged per
location (coarser and coarser) above a cap.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analytics.station.geo import transformer

ROUND_DECIMALS = 6  # ~0.1 m: more digits only cost payload
TOWNSHIP_SIMPLIFY_M = 20.0  # display tolerance for boundaries, metres (a pixel at zoom 12 is ~30 m)
BOUNDARY_DECIMALS = 5  # ~1 m, well inside that tolerance
HOTSPOT_SIMPLIFY_M = 1.0
DESCRIPTION_CHARS = 300  # popups show at most this much of a free-text description
DEFAULT_MAX_POINTS = 5000
DEFAULT_MAX_HEAT_POINTS = 20000


def round_geometry(geom, decimals: int = ROUND_DECIMALS):
    """``geom`` with every coordinate rounded to ``decimals``."""
    return shapely.transform(geom, lambda c: np.round(c, decimals))


def to_wgs84(
    geoms: gpd.GeoSeries,
    *,
    simplify_m: float,
    coverage: bool = False,
    decimals: int = ROUND_DECIMALS,
) -> list:
    """Simplify in metres, project to EPSG:4326 and round: a list of shapely geometries.

    ``coverage=True`` simplifies polygons that tile an area together, so that
    neighbours keep a shared edge (no slivers between townships).
    """
    arr = geoms.to_numpy()
    if simplify_m > 0:
        if coverage:
            try:
                arr = shapely.coverage_simplify(arr, simplify_m)
            except Exception:  # not a valid coverage: simplify each on its own
                arr = shapely.simplify(arr, simplify_m, preserve_topology=True)
        else:
            arr = shapely.simplify(arr, simplify_m, preserve_topology=True)
    out = gpd.GeoSeries(arr, crs=geoms.crs).to_crs("EPSG:4326")
    return [round_geometry(g, decimals) for g in out]


def feature(geom, properties: dict, fid: str | None = None) -> dict:
    """A GeoJSON Feature of ``geom`` with ``properties`` (and ``id`` when given)."""
    feat = {"type": "Feature", "properties": properties, "geometry": shapely.geometry.mapping(geom)}
    if fid is not None:
        feat["id"] = fid
    return feat


def lat_lon(frame: pd.DataFrame, analysis_crs: str) -> tuple[np.ndarray, np.ndarray]:
    """lat/lon of an event-like frame; degrees from x/y (metres) where lat/lon are missing."""
    n = len(frame)
    lat = (
        pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if "lat" in frame
        else np.full(n, np.nan)
    )
    lon = (
        pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if "lon" in frame
        else np.full(n, np.nan)
    )
    missing = ~(np.isfinite(lat) & np.isfinite(lon))
    if missing.any() and "x" in frame and "y" in frame:
        x = pd.to_numeric(frame["x"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        y = pd.to_numeric(frame["y"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        fill = missing & np.isfinite(x) & np.isfinite(y)
        if fill.any():
            lo, la = transformer(analysis_crs, "EPSG:4326").transform(x[fill], y[fill])
            lon = lon.copy()
            lat = lat.copy()
            lon[fill], lat[fill] = lo, la
    return lat, lon


def aggregate_locations(lat, lon, weight, *, max_points: int, decimals: int = ROUND_DECIMALS):
    """Group points by rounded coordinates, coarsening until at most ``max_points`` remain.

    First identical coordinates (rounded to ``decimals``) are merged; when more than
    ``max_points`` places remain, points are merged on ever coarser square cells
    (1, 2, 5 × 10^k degrees) until they fit. Returns ``(codes, lat, lon, weight)``:
    ``codes`` maps each input point to its group; groups sit at the weighted mean
    of their points.
    """
    if max_points < 1:
        raise ValueError(f"max_points must be >= 1, got {max_points}")
    keys = pd.MultiIndex.from_arrays([np.round(lat, decimals), np.round(lon, decimals)])
    codes, uniq = pd.factorize(keys)
    exponent = -decimals
    while len(uniq) > max_points:
        if exponent > 3:  # cells wider than the globe: one group
            codes, uniq = np.zeros(len(lat), dtype=np.int64), np.zeros(1)
            break
        for k in (1, 2, 5):
            cell = k * 10.0**exponent
            keys = pd.MultiIndex.from_arrays([np.floor(lat / cell), np.floor(lon / cell)])
            codes, uniq = pd.factorize(keys)
            if len(uniq) <= max_points:
                break
        exponent += 1
    n = len(uniq)
    w = np.bincount(codes, weights=weight, minlength=n)
    glat = np.bincount(codes, weights=lat * weight, minlength=n) / w
    glon = np.bincount(codes, weights=lon * weight, minlength=n) / w
    return codes, np.round(glat, ROUND_DECIMALS), np.round(glon, ROUND_DECIMALS), w


def day_text(value) -> str:
    """'YYYY-MM-DD' of a timestamp cell; '' for None/NaT."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return str(value)
