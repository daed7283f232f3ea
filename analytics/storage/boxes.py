"""The suggestion-box deployment log: which box stood where, from when to when.

Boxes move so that every neighbourhood takes part; a card's box id plus its date
tells where the box stood when the card was dropped.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from analytics.station.config import StationConfig, default_station, station_id
from analytics.station.geo import load_geography
from analytics.storage import connection, tables
from analytics.storage.importers.errors import ImportFileError
from analytics.storage.importers.reading import decode_bytes

BOX_COLUMNS = ("box_id", "name", "place", "lat", "lon", "installed_on", "removed_on")
_HEADER_SYNONYMS = {
    "소리함": "box_id",
    "소리함번호": "box_id",
    "이름": "name",
    "설치장소": "place",
    "장소": "place",
    "위도": "lat",
    "경도": "lon",
    "설치일": "installed_on",
    "철거일": "removed_on",
    "회수일": "removed_on",
}


def read_box_log(file: str | Path | bytes) -> pd.DataFrame:
    """Read a box log CSV (``box_id,name,place,lat,lon,installed_on,removed_on``).

    Raises
    ------
    ImportFileError
        With every bad row named, since the log is short and must be right.
    """
    data = file if isinstance(file, bytes) else Path(file).read_bytes()
    text, _ = decode_bytes(data)
    log = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    log = log.rename(columns=lambda c: _HEADER_SYNONYMS.get(c.strip(), c.strip()))
    missing = [c for c in BOX_COLUMNS if c not in log.columns and c not in ("name", "removed_on")]
    if missing:
        raise ImportFileError("error.unreadable", detail=f"소리함 기록에 열이 없습니다: {missing}")
    for c in ("name", "removed_on"):
        if c not in log.columns:
            log[c] = ""
    lat = pd.to_numeric(log["lat"], errors="coerce")
    lon = pd.to_numeric(log["lon"], errors="coerce")
    inst = pd.to_datetime(log["installed_on"], errors="coerce", format="ISO8601")
    rem = pd.to_datetime(log["removed_on"].replace("", None), errors="coerce", format="ISO8601")
    problems = []
    for i in range(len(log)):
        row = i + 2
        if not log["box_id"].iloc[i].strip():
            problems.append(f"{row}행: 소리함 번호 없음")
        if pd.isna(lat.iloc[i]) or pd.isna(lon.iloc[i]):
            problems.append(f"{row}행: 좌표 없음")
        if pd.isna(inst.iloc[i]):
            problems.append(f"{row}행: 설치일 해석 불가")
        if log["removed_on"].iloc[i].strip() and pd.isna(rem.iloc[i]):
            problems.append(f"{row}행: 철거일 해석 불가")
        elif pd.notna(rem.iloc[i]) and pd.notna(inst.iloc[i]) and rem.iloc[i] < inst.iloc[i]:
            problems.append(f"{row}행: 철거일이 설치일보다 앞섬")
    if problems:
        raise ImportFileError("error.unreadable", detail="; ".join(problems))
    out = log[list(BOX_COLUMNS)].copy()
    out["lat"], out["lon"] = lat, lon
    out["installed_on"] = inst.dt.strftime("%Y-%m-%d")
    out["removed_on"] = rem.dt.strftime("%Y-%m-%d").where(rem.notna(), None)
    return out


def import_box_log(
    file: str | Path | bytes,
    *,
    db: sa.Engine,
    station: StationConfig | None = None,
    synthetic: bool = False,
) -> int:
    """Add or update a station's placements (keyed on box id and install date).
    Returns the row count."""
    log = read_box_log(file)
    station = station or default_station()
    geo = load_geography(station)
    x, y = geo.to_analysis(log["lon"], log["lat"])
    rows = [
        {**r, "x": float(xi), "y": float(yi), "synthetic": synthetic, "station": station.id}
        for r, xi, yi in zip(log.to_dict("records"), x, y, strict=True)
    ]
    t = tables.suggestion_boxes
    with connection.write_transaction(db) as conn:
        for r in rows:
            conn.execute(
                t.delete().where(
                    t.c.station == station.id,
                    t.c.box_id == r["box_id"],
                    t.c.installed_on == r["installed_on"],
                )
            )
        conn.execute(t.insert(), rows)
    return len(rows)


def read_box_log_from_store(
    db: sa.Engine, *, station: StationConfig | str | None = None
) -> pd.DataFrame:
    """A station's placements (default: the configured station's), by box and date."""
    t = tables.suggestion_boxes
    cols = [c for c in t.columns if c.name != "station"]
    q = sa.select(*cols).where(t.c.station == station_id(station))
    with db.connect() as conn:
        rows = conn.execute(q.order_by(t.c.box_id, t.c.installed_on)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in cols])


def box_sites(log: pd.DataFrame, *, on: str) -> dict[str, str]:
    """Each box's place on day ``on`` ('YYYY-MM-DD'), or where it last stood before.

    Boxes move (the log has one row per placement); a legend or a selector names a
    box by this place. A box first placed after ``on`` gets its first place.

    Parameters
    ----------
    log : DataFrame from :func:`read_box_log_from_store` (``box_id``, ``place``,
        ``installed_on`` as 'YYYY-MM-DD').
    on : str, 'YYYY-MM-DD'

    Returns
    -------
    dict box id → place.
    """
    if log is None or log.empty:
        return {}
    ordered = log.sort_values(["box_id", "installed_on"], kind="stable")
    started = ordered[ordered["installed_on"] <= on]
    first = ordered.groupby("box_id", sort=False)["place"].first()
    latest = started.groupby("box_id", sort=False)["place"].last()
    sites = first.to_dict() | latest.to_dict()
    return {str(b): str(p) for b, p in sites.items()}


def box_location_at(log: pd.DataFrame, box_ids: pd.Series, when: pd.Series) -> pd.DataFrame:
    """Where each card's box stood on the card's date.

    Parameters
    ----------
    log : DataFrame from :func:`read_box_log_from_store`.
    box_ids : Series of str, shape (n,)
    when : Series of tz-aware Timestamp, shape (n,)

    Returns
    -------
    DataFrame indexed like ``box_ids`` with ``place``, ``x``, ``y`` (metres); NaN/None
    when the box was not standing anywhere that day.
    """
    day = pd.to_datetime(when).dt.strftime("%Y-%m-%d").to_numpy()
    ids = box_ids.astype(object).to_numpy()
    place = np.full(len(ids), None, dtype=object)
    xs = np.full(len(ids), np.nan)
    ys = np.full(len(ids), np.nan)
    for r in log.itertuples():
        end = r.removed_on or "9999-12-31"
        hit = (ids == r.box_id) & (day >= r.installed_on) & (day <= end)
        place[hit], xs[hit], ys[hit] = r.place, r.x, r.y
    return pd.DataFrame({"place": place, "x": xs, "y": ys}, index=box_ids.index)
