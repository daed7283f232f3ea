"""Public safety facilities in the store (schema 12; two more kinds in 15): CCTV
cameras, street lights, emergency bells, children's protection zones (어린이보호구역) and
women's safe houses (여성안심지킴이집), read from the public data portal's standard-data
files (:mod:`analytics.storage.importers.facilities`).

They are the hotspots' context, not events: no period, no category, never clustered.
Each file is one batch of ``import_batches`` (its ``source`` the kind), so the import
history lists it and ``undo`` removes it (:func:`analytics.storage.store.undo_batch`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa

from analytics.station.config import StationConfig, default_station, station_id
from analytics.storage.tables import facilities, import_batches

# The kinds, in the order the pages and exports list them; each is also the ``source``
# of its batches in ``import_batches``.
FACILITY_KINDS: tuple[str, ...] = ("cctv", "streetlight", "bell", "childzone", "safehouse")
# The kinds whose distance every hotspot carries (nearest_<kind>_m, <kind>_within_50m):
# what a CPTED review asks about. Child zones and safe houses are map layers only.
COVERAGE_KINDS: tuple[str, ...] = ("cctv", "streetlight", "bell")

# The columns of a facility frame (besides ``geometry``), in order.
FACILITY_COLUMNS: tuple[str, ...] = (
    "facility_id",
    "kind",
    "name",
    "road_address",
    "lot_address",
    "x",
    "y",
    "lat",
    "lon",
    "count",
    "purpose",
    "installed",
    "reference_date",
    "agency",
    "batch_id",
)


def check_kinds(kinds: Iterable[str] | None) -> tuple[str, ...]:
    """``kinds`` in :data:`FACILITY_KINDS` order (all of them for None); an unknown kind
    raises ValueError."""
    if kinds is None:
        return FACILITY_KINDS
    kinds = tuple(kinds)
    unknown = sorted(set(kinds) - set(FACILITY_KINDS))
    if unknown:
        raise ValueError(f"unknown facility kinds {unknown}; expected some of {FACILITY_KINDS}")
    return tuple(k for k in FACILITY_KINDS if k in kinds)


def existing_facility_ids(
    conn: sa.Connection, ids: Sequence[str], *, station: str | StationConfig | None = None
) -> set[str]:
    """Which of ``ids`` the station already has (in batches not undone: undo deletes)."""
    found: set[str] = set()
    c = facilities.c
    ids = list(dict.fromkeys(ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        rows = conn.execute(
            sa.select(c.facility_id).where(
                c.station == station_id(station), c.facility_id.in_(chunk)
            )
        )
        found.update(r[0] for r in rows)
    return found


# What a facility is besides where it stands (the stored, masked texts and the count).
CONTENT_COLUMNS = ("name", "road_address", "lot_address", "count", "purpose")
# A facility this close to a stored one of the same kind and content is the same one,
# written with other decimals (publications write 5 to 7 decimals of a degree).
SAME_PLACE_M = 1.0


def content_keys(rows: pd.DataFrame, columns: Sequence[str] = CONTENT_COLUMNS) -> pd.Series:
    """Each row's content as one text (``columns``, default :data:`CONTENT_COLUMNS`),
    blanks as ''."""
    key = pd.Series("", index=rows.index, dtype=object)
    for c in columns:
        key = key + "|" + rows[c].astype(object).where(rows[c].notna(), "").astype(str)
    return key


def same_content_nearby(
    rows: pd.DataFrame,
    stored: pd.DataFrame,
    columns: Sequence[str],
    *,
    distance: float = SAME_PLACE_M,
) -> np.ndarray:
    """Which of ``rows`` (``x``, ``y`` and ``columns``) have a row of ``stored`` with the
    same content within ``distance`` metres: the same point written with other decimals.

    Returns
    -------
    ndarray of bool, shape (len(rows),)
    """
    import shapely

    dup = np.zeros(len(rows), bool)
    if stored.empty or rows.empty:
        return dup
    tree = shapely.STRtree(shapely.points(stored["x"].to_numpy(), stored["y"].to_numpy()))
    new_i, old_i = tree.query(
        shapely.points(rows["x"].to_numpy(dtype=float), rows["y"].to_numpy(dtype=float)),
        predicate="dwithin",
        distance=distance,
    )
    if len(new_i):
        same = (
            content_keys(rows, columns).to_numpy()[new_i]
            == content_keys(stored, columns).to_numpy()[old_i]
        )
        dup[new_i[same]] = True
    return dup


def stored_duplicates(
    conn: sa.Connection,
    rows: pd.DataFrame,
    *,
    kind: str,
    station: str | StationConfig | None = None,
) -> np.ndarray:
    """Which of ``rows`` (``facility_id``, ``x``, ``y`` and :data:`CONTENT_COLUMNS`) the
    station already has: the same id, or a facility of ``kind`` with the same content
    within :data:`SAME_PLACE_M` metres (the point written with other decimals).

    Returns
    -------
    ndarray of bool, shape (len(rows),)
    """
    if len(rows) == 0:
        return np.zeros(0, bool)
    known = existing_facility_ids(conn, rows["facility_id"].tolist(), station=station)
    dup = rows["facility_id"].isin(known).to_numpy(dtype=bool, copy=True)
    c = facilities.c
    stored = pd.DataFrame(
        conn.execute(
            sa.select(c.x, c.y, *(c[k] for k in CONTENT_COLUMNS)).where(
                c.station == station_id(station), c.kind == kind
            )
        ).all(),
        columns=["x", "y", *CONTENT_COLUMNS],
    )
    return dup | same_content_nearby(rows, stored, CONTENT_COLUMNS)


def write_facilities(
    conn: sa.Connection, batch_id: str, rows: pd.DataFrame, *, station: str | StationConfig | None
) -> int:
    """Insert facility rows (the columns of :data:`FACILITY_COLUMNS` but ``batch_id``) in
    ``conn``'s transaction, under ``batch_id``. The caller has dropped ids already
    stored (:func:`existing_facility_ids`). Returns how many were inserted."""
    if rows.empty:
        return 0
    sid = station_id(station)
    cols = [c for c in FACILITY_COLUMNS if c != "batch_id"]
    frame = rows[cols].astype(object).where(rows[cols].notna(), None)
    records = [
        {**dict(zip(cols, values, strict=True)), "station": sid, "batch_id": batch_id}
        for values in frame.itertuples(index=False, name=None)
    ]
    for r in records:
        r["count"] = int(r["count"]) if r["count"] is not None else 1
        for k in ("x", "y", "lat", "lon"):
            r[k] = float(r[k])
    conn.execute(facilities.insert(), records)
    return len(records)


def empty_facilities(crs: str | None = None) -> gpd.GeoDataFrame:
    """A facility frame with no rows."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in FACILITY_COLUMNS})
    for c in ("x", "y", "lat", "lon"):
        frame[c] = frame[c].astype(float)
    frame["count"] = frame["count"].astype("int64")
    return gpd.GeoDataFrame(
        frame, geometry=gpd.GeoSeries([], crs=crs or default_station().analysis_crs)
    )


def read_facilities(
    db: sa.Engine,
    *,
    station: str | StationConfig | None = None,
    kinds: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """A station's facilities as points in metres (the analysis CRS, EPSG:5179).

    Parameters
    ----------
    db : sqlalchemy.Engine
    station : str or StationConfig, optional
        Default: the configured station.
    kinds : iterable of :data:`FACILITY_KINDS`, optional
        Default: every kind.

    Returns
    -------
    GeoDataFrame
        One row per facility (columns :data:`FACILITY_COLUMNS`, ``count`` an int), in
        kind then id order; point geometry from ``x``/``y``.
    """
    kinds = check_kinds(kinds)
    crs = (station if isinstance(station, StationConfig) else default_station()).analysis_crs
    c, b = facilities.c, import_batches.c
    q = (
        sa.select(*(c[name] for name in FACILITY_COLUMNS))
        .join(import_batches, b.batch_id == c.batch_id)
        .where(c.station == station_id(station), c.kind.in_(kinds), b.status == "active")
        .order_by(c.kind, c.facility_id)
    )
    with db.connect() as conn:
        rows = conn.execute(q).all()
    if not rows:
        return empty_facilities(crs)
    frame = pd.DataFrame(rows, columns=list(FACILITY_COLUMNS))
    frame["count"] = frame["count"].fillna(1).astype("int64")
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=crs)


def loaded_kinds(db: sa.Engine, *, station: str | StationConfig | None = None) -> tuple[str, ...]:
    """The kinds of which the station has an active layer (at least one facility)."""
    c = facilities.c
    with db.connect() as conn:
        found = {
            r[0]
            for r in conn.execute(
                sa.select(c.kind).where(c.station == station_id(station)).distinct()
            )
        }
    return tuple(k for k in FACILITY_KINDS if k in found)
