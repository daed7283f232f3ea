"""The one event-frame schema. Every layer uses these names.

One row per event, whatever its source. Coordinates come twice: degrees
(``lat``/``lon``, EPSG:4326) for maps, metres (``x``/``y``, the station's analysis
CRS) for clustering.
"""

from __future__ import annotations

import pandas as pd

SOURCES: tuple[str, ...] = ("suggestion", "complaint", "incident")
SOURCE_LABELS_KO = {"suggestion": "소리함 카드", "complaint": "민원", "incident": "사건·112"}

GEOCODE_GIVEN = "given"
GEOCODE_GAZETTEER = "gazetteer"


def geocode_projected(crs: str) -> str:
    """The ``geocode_method`` value for coordinates converted from ``crs`` (e.g. EPSG:5186)."""
    return f"projected:{crs}"


COMPLAINT_STATUSES: tuple[str, ...] = ("received", "in_progress", "done")
COMPLAINT_STATUS_LABELS_KO = {"received": "접수", "in_progress": "처리중", "done": "완료"}
PRIORITY_CODES: tuple[str, ...] = ("C0", "C1", "C2", "C3", "C4")
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")

# name -> pandas dtype of the event frame, in column order.
EVENT_COLUMNS: dict[str, str] = {
    "event_id": "string",
    "source": "string",
    "source_record_id": "string",
    "occurred_at": "datetime64[ns, Asia/Seoul]",
    "category": "string",
    "category_label": "string",
    "category_raw": "string",
    "lat": "float64",
    "lon": "float64",
    "x": "float64",
    "y": "float64",
    "location_text": "string",
    "geocode_method": "string",
    "geocode_match": "string",
    "geocode_score": "float64",
    "emd": "string",
    "police_unit": "string",
    "inside_station": "bool",
    "description": "string",
    "batch_id": "string",
    # suggestion cards
    "slot_start_hour": "Int64",
    "slot_end_hour": "Int64",
    "box_id": "string",
    # complaints
    "status": "string",
    "agency": "string",
    "resolved_at": "datetime64[ns, Asia/Seoul]",
    # incidents
    "priority_code": "string",
    "severity": "string",
}


def empty_events() -> pd.DataFrame:
    """An event frame with no rows and the right dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in EVENT_COLUMNS.items()})


def conform_events(frame: pd.DataFrame, *, timezone: str = "Asia/Seoul") -> pd.DataFrame:
    """Reorder ``frame`` to the schema, add missing columns as nulls and fix dtypes."""
    out = {}
    n = len(frame)
    for col, dtype in EVENT_COLUMNS.items():
        s = frame[col] if col in frame.columns else pd.Series([None] * n, index=frame.index)
        if dtype.startswith("datetime64"):
            s = pd.to_datetime(s, utc=True).dt.tz_convert(timezone)
        elif dtype == "bool":
            s = s.fillna(False).astype(bool)
        else:
            s = s.astype(dtype)
        out[col] = s
    return pd.DataFrame(out, index=frame.index)


def require_columns(events, needed) -> pd.DataFrame:
    """``events`` if it is a DataFrame holding every column in ``needed``; else a clear error."""
    if not isinstance(events, pd.DataFrame):
        raise TypeError(f"events must be an event frame (DataFrame), got {type(events).__name__}")
    missing = [c for c in needed if c not in events.columns]
    if missing:
        raise ValueError(f"events lack columns {missing} (see analytics.storage.schema)")
    return events


def aware_timestamp(value, name: str) -> pd.Timestamp:
    """``value`` as a tz-aware Timestamp; naive, NaT or unreadable values raise."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a timestamp, got {value!r}") from exc
    if ts is pd.NaT:
        raise ValueError(f"{name} must not be NaT")
    if ts.tzinfo is None:
        raise ValueError(f"{name} must be tz-aware (e.g. Asia/Seoul), got naive {ts}")
    return ts
