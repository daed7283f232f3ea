"""The one event-frame schema. Every layer uses these names.

One row per event, whatever its source. Coordinates come twice: degrees
(``lat``/``lon``, EPSG:4326) for maps, metres (``x``/``y``, the station's analysis
CRS) for clustering. Times are tz-aware in the station's zone
(:func:`analytics.station.clock.datetime_dtype`).
"""

from __future__ import annotations

import pandas as pd

from analytics.station import clock

SOURCES: tuple[str, ...] = ("suggestion", "complaint", "incident")

GEOCODE_GIVEN = "given"
GEOCODE_GAZETTEER = "gazetteer"


def geocode_projected(crs: str) -> str:
    """The ``geocode_method`` value for coordinates converted from ``crs`` (e.g. EPSG:5186)."""
    return f"projected:{crs}"


COMPLAINT_STATUSES: tuple[str, ...] = ("received", "in_progress", "done")
PRIORITY_CODES: tuple[str, ...] = ("C0", "C1", "C2", "C3", "C4")
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")

# The kind of a time column: nanoseconds in the station's zone. The zone is read from
# the station file when a frame is built (event_dtypes), not when this module loads.
STATION_TIME = "station time"

# name -> pandas dtype of the event frame (STATION_TIME for the times), in column order.
EVENT_COLUMNS: dict[str, str] = {
    "event_id": "string",
    "source": "string",
    "source_record_id": "string",
    "occurred_at": STATION_TIME,
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
    "resolved_at": STATION_TIME,
    # incidents
    "priority_code": "string",
    "severity": "string",
}


TIME_COLUMNS: tuple[str, ...] = tuple(c for c, t in EVENT_COLUMNS.items() if t == STATION_TIME)


def event_dtypes(timezone: str | None = None) -> dict[str, str | pd.DatetimeTZDtype]:
    """Column name → pandas dtype of the event frame, in column order.

    Parameters
    ----------
    timezone : str, optional
        The zone of the time columns; by default the station's.
    """
    times = pd.DatetimeTZDtype("ns", timezone) if timezone else clock.datetime_dtype()
    return {c: times if t == STATION_TIME else t for c, t in EVENT_COLUMNS.items()}


def empty_events() -> pd.DataFrame:
    """An event frame with no rows and the right dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in event_dtypes().items()})


def conform_events(frame: pd.DataFrame, *, timezone: str | None = None) -> pd.DataFrame:
    """Reorder ``frame`` to the schema, add missing columns as nulls and fix dtypes.

    Times end up in ``timezone`` (by default the station's); naive times are read as UTC.
    """
    timezone = timezone or clock.zone()
    out = {}
    n = len(frame)
    for col, dtype in EVENT_COLUMNS.items():
        s = frame[col] if col in frame.columns else pd.Series([None] * n, index=frame.index)
        if dtype == STATION_TIME:
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
        raise ValueError(f"{name} must be tz-aware (e.g. {clock.zone()}), got naive {ts}")
    return ts
