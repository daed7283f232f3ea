"""The station's geography: boundary, townships, police units, landmarks, projections.

Metres live in the analysis CRS (EPSG:5179); degrees in EPSG:4326. Functions take
and return arrays so that a 100k-row import stays vectorised.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from analytics.station.config import StationConfig


@dataclass(frozen=True)
class PoliceUnit:
    """One 지구대 or 파출소 and the townships it covers."""

    name: str
    name_en: str
    kind: str
    emd_names: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class StationGeography:
    """Loaded geometry of one station. Build with :func:`load_geography`.

    Attributes
    ----------
    boundary_m : shapely geometry in the analysis CRS (metres).
    townships : GeoDataFrame, one row per township, columns ``emd``, ``emd_en``,
        ``police_unit``, ``geometry`` in the analysis CRS.
    police_units : GeoDataFrame, one row per unit: ``unit``, ``unit_en``, ``kind``,
        ``emd_names``, ``area_m2``, ``geometry`` (union of its townships, metres),
        ``lat``/``lon`` of its office (or a representative point when not given).
    landmarks : GeoDataFrame of the gazetteer with ``x``/``y`` in metres.
    """

    station: StationConfig
    boundary_m: object
    townships: gpd.GeoDataFrame
    police_units: gpd.GeoDataFrame
    landmarks: gpd.GeoDataFrame

    @property
    def units(self) -> list[PoliceUnit]:
        return [
            PoliceUnit(r.unit, r.unit_en, r.kind, tuple(r.emd_names))
            for r in self.police_units.itertuples()
        ]

    def to_analysis(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Project degrees (EPSG:4326) to metres in the analysis CRS."""
        return transformer(self.station.geographic_crs, self.station.analysis_crs).transform(
            np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        )

    def to_geographic(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Metres in the analysis CRS to ``(lon, lat)`` degrees."""
        return transformer(self.station.analysis_crs, self.station.geographic_crs).transform(
            np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        )

    def assign_areas(self, x, y) -> pd.DataFrame:
        """Township, police unit and inside-station flag for points in metres.

        Parameters
        ----------
        x, y : array-like of shape (n,)
            Analysis-CRS coordinates in metres. NaN gives no area.

        Returns
        -------
        DataFrame of shape (n, 3) with ``emd``, ``police_unit`` (None outside)
        and ``inside_station`` (bool).
        """
        return self._named_areas(self.township_index(x, y))

    def township_index(self, x, y) -> np.ndarray:
        """The row in ``townships`` of each point in metres, -1 outside (or NaN).

        Parameters
        ----------
        x, y : array-like of shape (n,)
            Analysis-CRS coordinates in metres.

        Returns
        -------
        ndarray of int64, shape (n,)
        """
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        n = len(x)
        which = np.full(n, -1, dtype=np.int64)
        ok = np.isfinite(x) & np.isfinite(y)
        # A few points (hotspot centres) go to the polygon test alone: no grid to build.
        if n < GRID_MIN_POINTS:
            self._exact_areas(x, y, np.flatnonzero(ok), which)
        else:
            self._grid_areas(x, y, ok, which)
        return which

    def _grid_areas(self, x, y, ok, which) -> None:
        """Fill ``which`` from the township grid.

        Most points fall in a grid cell that lies wholly in one township. A point in a
        cell on a border is tested against the two or three townships that cell
        touches only; a point off the grid against every township.
        """
        grid = _township_grid(self)
        nrows, ncols = grid.labels.shape
        with np.errstate(invalid="ignore"):  # NaN rows are masked out by ``ok``
            col = np.floor(np.where(ok, x - grid.x0, -1) / grid.cell_m).astype(np.int64)
            row = np.floor(np.where(ok, y - grid.y0, -1) / grid.cell_m).astype(np.int64)
        in_grid = ok & (col >= 0) & (col < ncols) & (row >= 0) & (row < nrows)
        hit = np.flatnonzero(in_grid)
        cell = np.full(len(x), -1, dtype=np.int64)
        cell[hit] = row[hit] * ncols + col[hit]
        which[hit] = grid.labels.ravel()[cell[hit]]
        exact = np.flatnonzero(ok & ((which == MIXED) | ~in_grid))
        which[exact] = -1
        if not len(exact):
            return
        ex, ey, ecell = x[exact], y[exact], cell[exact]
        off_grid = ecell < 0
        found = np.full(len(exact), -1, dtype=np.int64)
        polys = _prepared_townships(self)
        # Lowest township index first, as the tree's first match: a point on a shared
        # edge touches two, and keeps the first.
        for p, poly in enumerate(polys):
            todo = (found < 0) & (off_grid | grid.candidates[np.maximum(ecell, 0), p])
            idx = np.flatnonzero(todo)
            if len(idx):
                inside = shapely.intersects_xy(poly, ex[idx], ey[idx])
                found[idx[inside]] = p
        which[exact] = found

    def _exact_areas(self, x, y, exact, which) -> None:
        if len(exact):
            points = shapely.points(x[exact], y[exact])
            # "intersects" so that a point on a shared edge still gets a township.
            point_idx, poly_idx = _township_tree(self).query(points, predicate="intersects")
            first = np.unique(point_idx, return_index=True)[1]  # edges touch two
            which[exact[point_idx[first]]] = poly_idx[first]

    def _named_areas(self, which) -> pd.DataFrame:
        n = len(which)
        found = which >= 0
        emd = np.full(n, None, dtype=object)
        unit = np.full(n, None, dtype=object)
        emd[found] = self.townships["emd"].to_numpy()[which[found]]
        unit[found] = self.townships["police_unit"].to_numpy()[which[found]]
        return pd.DataFrame({"emd": emd, "police_unit": unit, "inside_station": found})

    def inside_boundary_xy(self, x, y) -> np.ndarray:
        """Whether each point ``(x, y)`` (metres) lies inside the station boundary, on
        this thread's own prepared copy of it (see :func:`_prepared_boundary`)."""
        return shapely.contains_xy(_prepared_boundary(self), x, y)

    def contains_lonlat_count(self, lon, lat) -> int:
        """How many ``(lon, lat)`` points fall inside the station boundary."""
        x, y = self.to_analysis(lon, lat)
        ok = np.isfinite(x) & np.isfinite(y)
        return int(self.inside_boundary_xy(x[ok], y[ok]).sum())


@lru_cache(maxsize=32)
def transformer(src: str, dst: str) -> Transformer:
    """A cached, axis-order-safe (x=lon/easting, y=lat/northing) transformer."""
    return Transformer.from_crs(src, dst, always_xy=True)


MIXED = -2  # grid label: the cell crosses a township border or the boundary
# Fewer points than this are placed by the polygon test alone: building the grid (about
# 0.3 s, once per process) pays off only for an import's many points.
GRID_MIN_POINTS = 5_000


@dataclass(frozen=True)
class _Grid:
    x0: float
    y0: float
    cell_m: float
    labels: np.ndarray  # (rows, cols) township index, -1 outside, MIXED on a border
    # (rows * cols, townships): the townships a MIXED cell touches.
    candidates: np.ndarray


@lru_cache(maxsize=8)
def _township_grid(geo: StationGeography, cell_m: float = 250.0) -> _Grid:
    """A coarse raster of townships, for fast point-in-polygon on most points."""
    minx, miny, maxx, maxy = geo.boundary_m.bounds
    ncols = int(np.ceil((maxx - minx) / cell_m)) + 1
    nrows = int(np.ceil((maxy - miny) / cell_m)) + 1
    cx, cy = np.meshgrid(minx + np.arange(ncols) * cell_m, miny + np.arange(nrows) * cell_m)
    boxes = shapely.box(cx.ravel(), cy.ravel(), cx.ravel() + cell_m, cy.ravel() + cell_m)
    labels = np.full(boxes.shape, -1, dtype=np.int64)
    tree = _township_tree(geo)
    box_idx, poly_idx = tree.query(boxes, predicate="intersects")
    touching = np.bincount(box_idx, minlength=len(boxes))
    labels[touching > 1] = MIXED
    single = np.flatnonzero(touching == 1)
    pos = np.searchsorted(box_idx, single)
    candidates = poly_idx[pos]
    polys = geo.townships.geometry.to_numpy()
    whole = shapely.contains_properly(polys[candidates], boxes[single])
    labels[single[whole]] = candidates[whole]
    labels[single[~whole]] = MIXED
    candidates = np.zeros((len(boxes), len(polys)), dtype=bool)
    mixed = labels[box_idx] == MIXED
    candidates[box_idx[mixed], poly_idx[mixed]] = True
    return _Grid(minx, miny, cell_m, labels.reshape(nrows, ncols), candidates)


@lru_cache(maxsize=8)
def _township_tree(geo: StationGeography) -> shapely.STRtree:
    return shapely.STRtree(geo.townships.geometry.to_numpy())


# Prepared geometries are per thread: GEOS fills a prepared geometry's indexes on first
# use and keeps state in some predicates, so one shared by two threads (the app's
# warm-up and a session, or two sessions) can crash the server with a segfault
# (https://github.com/libgeos/geos/issues/825). shapely.contains_xy and intersects_xy
# prepare the geometry they are given in place: never give them a shared one. Each thread prepares its own copies; a
# thread id is reused only once its thread has ended, so a cached copy is never shared.


def _prepared_townships(geo: StationGeography) -> np.ndarray:
    return _prepared_townships_of(geo, threading.get_ident())


def _prepared_boundary(geo: StationGeography):
    return _prepared_boundary_of(geo, threading.get_ident())


@lru_cache(maxsize=64)
def _prepared_townships_of(geo: StationGeography, _thread: int) -> np.ndarray:
    polys = shapely.from_wkb(shapely.to_wkb(geo.townships.geometry.to_numpy()))  # copies
    shapely.prepare(polys)
    return polys


@lru_cache(maxsize=64)
def _prepared_boundary_of(geo: StationGeography, _thread: int):
    b = shapely.from_wkb(shapely.to_wkb(geo.boundary_m))  # a copy: the shared one stays as it is
    shapely.prepare(b)
    return b


def _read_police_units(station: StationConfig, townships: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    units = pd.read_csv(station.police_units_path, dtype=str, keep_default_na=False)
    for col in ("unit", "emd_names"):
        if col not in units.columns:
            raise ValueError(f"{station.police_units_path.name}: column '{col}' is missing")
    known = set(townships["emd"])
    rows, claimed = [], {}
    for r in units.itertuples(index=False):
        names = tuple(n.strip() for n in r.emd_names.split(";") if n.strip())
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"police unit {r.unit}: unknown townships {unknown}")
        for n in names:
            if n in claimed:
                raise ValueError(f"township {n} is claimed by {claimed[n]} and {r.unit}")
            claimed[n] = r.unit
        area = shapely.union_all(townships.loc[townships["emd"].isin(names), "geometry"].to_numpy())
        rows.append(
            {
                "unit": r.unit,
                "unit_en": getattr(r, "unit_en", r.unit),
                "kind": getattr(r, "kind", ""),
                "emd_names": names,
                "office_lat": float(r.lat) if getattr(r, "lat", "") else np.nan,
                "office_lon": float(r.lon) if getattr(r, "lon", "") else np.nan,
                "geometry": area,
            }
        )
    missing = known - set(claimed)
    if missing:
        raise ValueError(f"townships without a police unit: {sorted(missing)}")
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=townships.crs)
    gdf["area_m2"] = gdf.geometry.area
    # Offices without coordinates sit at a representative point of their area.
    rep = gdf.geometry.representative_point().to_crs(station.geographic_crs)
    no_office = gdf["office_lat"].isna()
    gdf.loc[no_office, "office_lat"] = rep.y[no_office]
    gdf.loc[no_office, "office_lon"] = rep.x[no_office]
    return gdf


def _read_landmarks(station: StationConfig) -> gpd.GeoDataFrame:
    lm = pd.read_csv(station.landmarks_path, dtype={"aliases": str}, keep_default_na=False)
    for col in ("name", "lat", "lon"):
        if col not in lm.columns:
            raise ValueError(f"{station.landmarks_path.name}: column '{col}' is missing")
    lm["lat"] = lm["lat"].astype(float)
    lm["lon"] = lm["lon"].astype(float)
    if "aliases" not in lm.columns:
        lm["aliases"] = ""
    gdf = gpd.GeoDataFrame(
        lm, geometry=gpd.points_from_xy(lm["lon"], lm["lat"]), crs=station.geographic_crs
    ).to_crs(station.analysis_crs)
    gdf["x"] = gdf.geometry.x
    gdf["y"] = gdf.geometry.y
    return gdf


@lru_cache(maxsize=4)
def load_geography(station: StationConfig) -> StationGeography:
    """Read and project the station's boundary, townships, units and landmarks (cached)."""
    crs = station.analysis_crs
    twp = gpd.read_file(station.townships_path).to_crs(crs)
    if station.township_name_field not in twp.columns:
        raise ValueError(f"townships file has no '{station.township_name_field}' field")
    twp = twp.rename(columns={station.township_name_field: "emd", "emd_name_en": "emd_en"})
    if "emd_en" not in twp.columns:
        twp["emd_en"] = twp["emd"]
    units = _read_police_units(station, twp)
    unit_of = {n: u.unit for u in units.itertuples() for n in u.emd_names}
    twp["police_unit"] = twp["emd"].map(unit_of)
    twp = twp[["emd", "emd_en", "police_unit", "geometry"]].reset_index(drop=True)
    boundary = shapely.union_all(gpd.read_file(station.boundary_path).to_crs(crs).geometry)
    geo = StationGeography(
        station=station,
        boundary_m=boundary,
        townships=twp,
        police_units=units,
        landmarks=_read_landmarks(station),
    )
    return geo
