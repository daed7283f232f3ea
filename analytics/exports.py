"""Exports: CSV/XLSX that are safe to open in a spreadsheet.

User text that begins with ``= + - @`` (or a tab/CR) is a formula to Excel; such
cells are prefixed with an apostrophe so they stay text (OWASP CSV injection).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell value that a spreadsheet will not evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell (and header) passed through :func:`safe_cell`."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_cell, na_action="ignore")
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a UTF-8-with-BOM CSV (Excel opens it as Korean) with safe cells."""
    path = Path(path)
    safe_frame(frame).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def rejected_rows_table(rejected: pd.DataFrame, *, lang: str = "ko") -> pd.DataFrame:
    """Rejected rows as a flat table: batch, row, reason, then the row's own cells."""
    headers = {
        "ko": ("배치", "행 번호", "이유"),
        "en": ("batch", "row", "reason"),
    }[lang]
    if rejected.empty:
        return pd.DataFrame(columns=list(headers))
    raw = pd.DataFrame(list(rejected["raw"]), index=rejected.index)
    base = pd.DataFrame(
        {
            headers[0]: rejected["batch_id"],
            headers[1]: rejected["row_number"],
            headers[2]: rejected["reason" if lang == "ko" else "reason_en"],
        }
    )
    return pd.concat([base, raw.add_prefix("원본:" if lang == "ko" else "raw:")], axis=1)


def hotspot_rows(hotspots, *, lang: str = "ko") -> pd.DataFrame:
    """The hotspot table flattened for CSV/XLSX and people: one row per hotspot."""
    from analytics.profiles import format_windows

    type_ko = {"convergent": "수렴형", "fear": "불안형", "hidden": "잠재형"}
    frame = pd.DataFrame(
        {
            "hotspot_id": hotspots["hotspot_id"],
            "rank": hotspots["rank"],
            "place": hotspots["place"],
            "police_unit": hotspots["police_unit"],
            "emd": hotspots["emd"],
            "type": hotspots["type"].map(type_ko) if lang == "ko" else hotspots["type"],
            "n_events": hotspots["n_events"],
            "n_incident": hotspots["n_incident"],
            "n_complaint": hotspots["n_complaint"],
            "n_suggestion": hotspots["n_suggestion"],
            "top_categories": [
                ", ".join(f"{c} {n}" for c, n in cats) for cats in hotspots["top_categories"]
            ],
            "patrol_windows": [format_windows(w) for w in hotspots["patrol_windows"]],
            "priority": hotspots["priority"].round(2),
            "area_m2": hotspots["area_m2"].round(0),
            "lat": hotspots["lat"].round(6),
            "lon": hotspots["lon"].round(6),
            "first_event": hotspots["first_event"].astype(str),
            "last_event": hotspots["last_event"].astype(str),
        }
    )
    if "status" in hotspots.columns:
        frame.insert(6, "status", hotspots["status"].to_numpy())
    return frame


def write_hotspots_geojson(
    hotspots, path: str | Path, *, geographic_crs: str = "EPSG:4326"
) -> Path:
    """Hotspot polygons in EPSG:4326 with their flat attributes, as GeoJSON."""
    import geopandas as gpd

    path = Path(path)
    flat = hotspot_rows(hotspots)
    gdf = gpd.GeoDataFrame(flat, geometry=hotspots.geometry.to_numpy(), crs=hotspots.crs)
    gdf.to_crs(geographic_crs).to_file(path, driver="GeoJSON")
    return path
