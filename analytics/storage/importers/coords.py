"""Coordinates from exports: WGS84 lat/lon, or x/y in a Korean projected CRS.

For x/y the CRS is not written in the file, so it is detected: each candidate CRS
(and the swapped axis order) is tried on a sample, and the one that puts the most
points inside the station boundary wins. Lat/lon columns that were swapped are
detected per row from their ranges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.station.geo import StationGeography, transformer

# Generous bounds of South Korea in degrees; points outside are not Korean data.
KOREA_LAT = (32.0, 39.5)
KOREA_LON = (123.0, 132.5)
SAMPLE = 2000


def to_number(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Cells → floats. Returns ``(numbers, bad)`` where ``bad`` marks non-empty non-numbers."""
    text = values.astype("string").str.strip().str.replace(",", "", regex=False)
    blank = text.isna() | (text == "")
    nums = _arrow_numbers(text.where(~blank))
    if nums is None:  # some cell is not a plain number: pandas marks which
        nums = pd.to_numeric(text.where(~blank), errors="coerce").to_numpy(dtype=float)
    bad = ~blank.to_numpy(dtype=bool) & ~np.isfinite(nums)
    return nums, bad


def _arrow_numbers(text: pd.Series) -> np.ndarray | None:
    """Every cell as a float in one C pass (nulls NaN), or None if any cell is not a
    number. The usual column of coordinates is all numbers: no Python object per cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(text.array, type=pa.string(), from_pandas=True)
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return None


def in_korea(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (
        (lat >= KOREA_LAT[0])
        & (lat <= KOREA_LAT[1])
        & (lon >= KOREA_LON[0])
        & (lon <= KOREA_LON[1])
    )


@dataclass
class Coordinates:
    """Resolved coordinates, one entry per row (NaN where a row had none)."""

    lon: np.ndarray
    lat: np.ndarray
    method: np.ndarray  # object: 'given', 'projected:EPSG:xxxx' or None
    bad: np.ndarray  # bool: a coordinate cell that is not a number
    not_in_korea: np.ndarray  # bool: numbers that fall outside Korea
    crs: str | None = None
    swapped_rows: int = 0
    xy_swapped: bool = False
    # The file's own x/y when they are already in ``crs``; kept so that metres in
    # the analysis CRS are not round-tripped through degrees.
    x_m: np.ndarray | None = None
    y_m: np.ndarray | None = None


def from_lonlat(lon_raw: pd.Series, lat_raw: pd.Series) -> Coordinates:
    lon, bad_lon = to_number(lon_raw)
    lat, bad_lat = to_number(lat_raw)
    # Per row: lat 127 / lon 35 is a swap, not a point in the ocean.
    swap = ~in_korea(lon, lat) & in_korea(lat, lon)
    lon2 = np.where(swap, lat, lon)
    lat2 = np.where(swap, lon, lat)
    have = np.isfinite(lon2) & np.isfinite(lat2)
    method = np.where(have, "given", None).astype(object)
    return Coordinates(
        lon=np.where(have, lon2, np.nan),
        lat=np.where(have, lat2, np.nan),
        method=method,
        bad=bad_lon | bad_lat,
        not_in_korea=have & ~in_korea(lon2, lat2),
        crs="EPSG:4326",
        swapped_rows=int(swap.sum()),
    )


def detect_crs(
    x: np.ndarray, y: np.ndarray, geo: StationGeography, candidates: tuple[str, ...] | None = None
) -> tuple[str | None, bool, int]:
    """Pick the candidate CRS (and axis order) that puts the most points in the station.

    ``candidates`` default to the station's (``[crs] candidates``); of two that place
    as many points, the earlier wins.

    Returns
    -------
    crs : str or None
        None when no candidate puts any point in Korea.
    swapped : bool
        True when the file's x column holds northings.
    inside : int
        Sample points inside the station with that choice.
    """
    ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if len(ok) > SAMPLE:
        ok = np.random.default_rng(0).choice(ok, SAMPLE, replace=False)
    xs, ys = x[ok], y[ok]
    best = (None, False, -1, -1)  # crs, swapped, inside station, inside korea
    for crs in candidates or geo.station.candidate_crs:
        for swapped in (False, True):
            a, b = (ys, xs) if swapped else (xs, ys)
            lon, lat = transformer(crs, geo.station.geographic_crs).transform(a, b)
            inside = geo.contains_lonlat_count(lon, lat)
            korea = int(in_korea(lon, lat).sum())
            if (inside, korea) > (best[2], best[3]):
                best = (crs, swapped, inside, korea)
    if best[3] <= 0:
        return None, False, 0
    return best[0], best[1], best[2]


def from_projected(
    x_raw: pd.Series,
    y_raw: pd.Series,
    geo: StationGeography,
    candidates: tuple[str, ...] | None = None,
) -> Coordinates:
    x, bad_x = to_number(x_raw)
    y, bad_y = to_number(y_raw)
    n = len(x)
    crs, swapped, _ = detect_crs(x, y, geo, candidates)
    if crs is None:
        have = np.isfinite(x) & np.isfinite(y)
        return Coordinates(
            lon=np.full(n, np.nan),
            lat=np.full(n, np.nan),
            method=np.full(n, None, dtype=object),
            bad=bad_x | bad_y,
            not_in_korea=have,
        )
    a, b = (y, x) if swapped else (x, y)
    lon, lat = transformer(crs, geo.station.geographic_crs).transform(a, b)
    have = np.isfinite(lon) & np.isfinite(lat)
    return Coordinates(
        lon=np.where(have, lon, np.nan),
        lat=np.where(have, lat, np.nan),
        method=np.where(have, f"projected:{crs}", None).astype(object),
        bad=bad_x | bad_y,
        not_in_korea=have & ~in_korea(lon, lat),
        crs=crs,
        xy_swapped=swapped,
        x_m=np.where(have, a, np.nan),
        y_m=np.where(have, b, np.nan),
    )
