"""The one event-frame schema. Every layer uses these names.

One row per event, whatever its source. Coordinates come twice: degrees
(``lat``/``lon``, EPSG:4326) for maps, metres (``x``/``y``, the station's analysis
CRS) for clustering. Times are tz-aware in the station's zone
(:func:`analytics.station.clock.datetime_dtype`).
"""

from __future__ import annotations

import numpy as np
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


# An event id is its source's first three letters and 16 hex digits of a hash
# ("inc_3f2a…"); the store keeps the 64 bits those digits spell (schema 5).

# A column read_events adds when asked: those 64 bits (int64), instead of the id's text.
EVENT_KEY = "event_key"


def event_key(event_ids) -> np.ndarray:
    """The 64-bit number of each event id, as the store keeps it (int64).

    An id of the importer's form (three lower-case letters, ``_``, at least 16
    lower-case hex digits) gives the number its first 16 hex digits spell, so the key of
    ``inc_00000000000000ff`` is 255 and the id can be written back
    (:func:`event_id_text`). Any other id (hand-made frames in tests, a store from
    before the importer hashed ids) gives the first 8 bytes of its SHA-1.

    Parameters
    ----------
    event_ids : array-like of str, shape (n,)

    Returns
    -------
    ndarray of int64, shape (n,)
    """
    import hashlib

    import pyarrow as pa

    event_ids = getattr(event_ids, "array", event_ids)  # a Series: its array
    if hasattr(event_ids, "__arrow_array__"):  # an Arrow-backed pandas array: no copy
        ids = pa.array(event_ids)
    else:
        ids = pa.array(np.asarray(event_ids, dtype=object), type=pa.string(), from_pandas=True)
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    ids = ids.cast(pa.string())
    n = len(ids)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    # Read the digits straight from the array's bytes: one (n, 20) matrix of characters.
    offsets = np.frombuffer(ids.buffers()[1], dtype=np.int32)[ids.offset : ids.offset + n + 1]
    data = np.frombuffer(ids.buffers()[2] or b"", dtype=np.uint8)
    lengths = np.diff(offsets)
    if not ids.null_count and (lengths == 20).all():  # the usual case: one block of bytes
        chars = data[offsets[0] : offsets[-1]].reshape(n, 20)
        long_enough = np.ones(n, dtype=bool)
    else:
        long_enough = lengths >= 20
        if ids.null_count:
            long_enough &= ~np.asarray(ids.is_null())
        chars = np.zeros((n, 20), dtype=np.uint8)
        rows = np.flatnonzero(long_enough)
        chars[rows] = data[offsets[rows, None].astype(np.int64) + np.arange(20)]
    nibbles = _HEX_VALUE[chars[:, 4:]]
    fast = (
        long_enough
        & (chars[:, 3] == ord("_"))
        & ((chars[:, :3] >= ord("a")) & (chars[:, :3] <= ord("z"))).all(axis=1)
        & (nibbles < 16).all(axis=1)
    )
    # Two hex digits make a byte; eight bytes, most significant first, the key.
    packed = np.ascontiguousarray((nibbles[:, 0::2] << 4) | (nibbles[:, 1::2] & 15))
    keys = packed.view(">u8").ravel().astype(np.int64)
    if not fast.all():
        for i in np.flatnonzero(~fast):
            digest = hashlib.sha1(str(ids[i].as_py()).encode()).digest()[:8]
            keys[i] = np.frombuffer(digest, dtype=">i8")[0]
    return keys


# The value of each byte as a lower-case hex digit; 255 for any other byte.
_HEX_VALUE = np.full(256, 255, dtype=np.uint8)
_HEX_VALUE[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint8)


def event_id_text(keys: np.ndarray, sources) -> pd.array:
    """Event ids as text from their keys and sources: the inverse of :func:`event_key`
    for ids of the importer's form (``inc_`` + 16 hex digits).

    Parameters
    ----------
    keys : ndarray of int64, shape (n,)
    sources : array-like of str, shape (n,), or one str for every id

    Returns
    -------
    pandas StringArray (Arrow-backed), length n
    """
    import pyarrow as pa

    keys = np.ascontiguousarray(keys, dtype=np.int64).view(np.uint64)
    n = len(keys)
    # One row of 20 bytes per id, written column by column: no Python string per id.
    chars = np.empty((n, 20), dtype=np.uint8)
    if isinstance(sources, str):
        chars[:, :3] = np.frombuffer(sources[:3].ljust(3, "_").encode("ascii"), np.uint8)
    else:
        # Factorised first: a million rows name three sources, sliced once each.
        codes, uniques = pd.factorize(pd.Series(sources, dtype="string"), use_na_sentinel=False)
        prefixes = [("___" if pd.isna(u) else str(u)[:3]).ljust(3, "_") for u in uniques]
        table = np.array([list(p.encode("ascii")) for p in prefixes] or [[95] * 3])
        chars[:, :3] = table[codes] if n else chars[:, :3]
    chars[:, 3] = ord("_")
    # Each half byte of the key, most significant first, as its hex digit: 0-9 + 48 is
    # '0'-'9', 10-15 + 87 is 'a'-'f'. Arithmetic on the bytes, no look-up per digit.
    key_bytes = keys.astype(">u8").view(np.uint8).reshape(n, 8)
    digits = chars[:, 4:]
    digits[:, 0::2] = key_bytes >> 4
    digits[:, 1::2] = key_bytes & 15
    digits += np.uint8(48) + np.uint8(39) * (digits > 9).view(np.uint8)  # all in uint8
    offsets = np.arange(0, 20 * n + 1, 20, dtype=np.int32)
    arr = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars.tobytes()))
    return pd.array(arr, dtype=pd.StringDtype())
