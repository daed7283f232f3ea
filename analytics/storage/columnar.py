"""The event frame and the store's columns, through Arrow: no Python object per event.

The store keeps events twice, in one transaction (schema 5):

- the ``events`` table, one row per event, for SQL (QGIS, a console, dedupe by id):
  the id as the 64 bits of its hash (:func:`analytics.storage.schema.event_key`), times
  as whole seconds since 1970-01-01 UTC, the rest as they are;
- ``event_blocks``, the same rows as Arrow column blocks (LZ4-compressed IPC streams,
  one per import batch, part of at most :data:`BLOCK_ROWS` rows, and column). This is
  what :func:`analytics.storage.store.read_events` reads: a handful of blobs instead of
  a Python tuple per event. A batch's blocks hold the rows it actually inserted, in
  (source, time) order, with each part's first and last time for skipping whole parts.

An import writes its rows to ``events`` through a staging file that ADBC
(``adbc-driver-sqlite``) fills straight from Arrow, then one ``INSERT … SELECT`` with
``ON CONFLICT DO NOTHING``. The staging file is a separate SQLite file that only ADBC
writes and closes before Python's ``sqlite3`` attaches it: ADBC links its own copy of
SQLite, and two copies must never hold the same file open in one process (their POSIX
locks would cancel each other; see https://sqlite.org/howtocorrupt.html, 2.2.1).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from analytics.station import clock
from analytics.storage.schema import (
    EVENT_COLUMNS,
    STATION_TIME,
    event_dtypes,
    event_id_text,
    event_key,
)

# Arrow type of each stored column (schema 5).
_STORAGE_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "Int64": pa.int64(),
    STATION_TIME: pa.int64(),
}

# SQLite hands its rows to ADBC in one batch: the driver infers a column's type from
# the first batch, and a column that is null there would otherwise come out as int64
# and fail on a later string.
_ONE_BATCH = str(100_000_000)


def storage_type(column: str) -> pa.DataType:
    """The Arrow type ``column`` has in the store."""
    return pa.int64() if column == "event_id" else _STORAGE_TYPES[EVENT_COLUMNS[column]]


def to_storage(frame: pd.DataFrame) -> pa.Table:
    """An event frame (all or some columns) in the store's form, sorted by (source, time).

    Ids become their 64-bit keys, times whole seconds since 1970 UTC (null for NaT),
    NaN floats null. The order is the one rows are written in, so that the store's
    rowid order follows (source, time).

    Parameters
    ----------
    frame : DataFrame
        An event frame (:mod:`analytics.storage.schema`); columns it lacks are left out.

    Returns
    -------
    pyarrow.Table
        One column per frame column, in schema order.
    """
    arrays = {}
    for name in (c for c in EVENT_COLUMNS if c in frame.columns):
        s = frame[name]
        kind = EVENT_COLUMNS[name]
        if name == "event_id":
            arrays[name] = pa.array(event_key(s), type=pa.int64())
        elif kind == STATION_TIME:
            utc = pd.to_datetime(s, utc=True)
            seconds = utc.to_numpy(dtype="datetime64[s]").astype(np.int64)
            arrays[name] = pa.array(seconds, mask=utc.isna().to_numpy(), type=pa.int64())
        elif kind == "float64":
            v = s.to_numpy(dtype=float, na_value=np.nan)
            arrays[name] = pa.array(v, mask=~np.isfinite(v), type=pa.float64())
        elif kind == "bool":
            arrays[name] = pa.array(s.fillna(False).to_numpy(dtype=bool), type=pa.bool_())
        elif kind == "Int64":
            arrays[name] = pa.array(s.astype("Int64"), type=pa.int64(), from_pandas=True)
        else:
            arrays[name] = pa.array(s.astype("string"), type=pa.string(), from_pandas=True)
    table = pa.table(arrays)
    keys = [(c, "ascending") for c in ("source", "occurred_at") if c in table.column_names]
    if not keys or table.num_rows < 2:
        return table
    import pyarrow.compute as pc

    # Stable, as Table.sort_by is; an export already in time order (most are) is not
    # copied at all. One source (an import's batch): numpy's stable sort of the times
    # alone, a fifth of sorting on the text of the source first.
    one_source = (
        "source" not in table.column_names
        or pc.count_distinct(table.column("source"), mode="all").as_py() == 1
    )
    if one_source and "occurred_at" in table.column_names:
        times = table.column("occurred_at").to_numpy(zero_copy_only=False)  # nulls: NaN, last
        order = pa.array(np.argsort(times, kind="stable"))
    else:
        order = pc.sort_indices(table, sort_keys=keys)
    positions = order.to_numpy()
    if (positions[1:] > positions[:-1]).all():
        return table
    return take_rows(table, order)


def take_rows(table: pa.Table, order: pa.Array) -> pa.Table:
    """``table.take(order)``, a column per thread on a big table: Arrow's kernels let
    go of the GIL, and a million rows' text columns take most of a second on one core."""
    if table.num_rows < 100_000 or table.num_columns < 2:
        return table.take(order)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        columns = list(pool.map(lambda column: column.take(order), table.columns))
    return pa.Table.from_arrays(columns, schema=table.schema)


def from_storage(table: pa.Table) -> pd.DataFrame:
    """Columns read from the store → an event frame with the schema's dtypes.

    Only the columns in ``table`` are in the frame; times are in the station's zone.
    Every column is converted as a whole array: no Python object per value.
    """
    dtypes = event_dtypes()
    out = {}
    for name in table.column_names:
        col = table.column(name)
        kind = EVENT_COLUMNS[name]
        if col.null_count == len(col) and col.type != storage_type(name):
            col = pa.nulls(len(col), storage_type(name))  # all null: no type was stored
        col = col.cast(storage_type(name))
        nulls = np.asarray(col.is_null()) if col.null_count else None
        if name == "event_id":
            sources = table.column("source") if "source" in table.column_names else None
            keys = col.fill_null(0).to_numpy()
            out[name] = event_id_text(keys, _source_values(sources, len(col)))
        elif kind == STATION_TIME:
            ns = col.fill_null(0).to_numpy().astype(np.int64) * 1_000_000_000
            times = pd.DatetimeIndex(ns.view("datetime64[ns]")).tz_localize("UTC")
            values = times.tz_convert(clock.zone())
            out[name] = values if nulls is None else values.where(~nulls)
        elif kind == "float64":
            out[name] = col.to_numpy()  # nulls become NaN
        elif kind == "bool":
            out[name] = col.fill_null(False).to_numpy()
        elif kind == "Int64":
            values = col.fill_null(0).to_numpy()
            mask = np.zeros(len(col), bool) if nulls is None else nulls
            out[name] = pd.arrays.IntegerArray(values.astype(np.int64), mask)
        else:
            out[name] = pd.array(col, dtype=pd.StringDtype())
    frame = pd.DataFrame(out, copy=False)
    return frame.astype({n: dtypes[n] for n in frame.columns})


def _source_values(sources: pa.ChunkedArray | None, n: int):
    # An id's three-letter prefix is its source's; without the source column, "evt".
    if sources is None:
        return pd.Series(["evt"] * n, dtype="string")
    return pd.array(sources.cast(pa.string()), dtype=pd.StringDtype())


# Rows per block part: a part's column is one blob, well under SQLite's 1 GB limit.
BLOCK_ROWS = 262_144
_IPC_OPTIONS = None


def _ipc_options():
    global _IPC_OPTIONS
    if _IPC_OPTIONS is None:
        import pyarrow.ipc as ipc

        _IPC_OPTIONS = ipc.IpcWriteOptions(compression="lz4")
    return _IPC_OPTIONS


def encode_column(column: pa.ChunkedArray | pa.Array, name: str) -> bytes:
    """One column as an Arrow IPC stream (LZ4), the form of a block's ``data``."""
    import pyarrow.ipc as ipc

    table = pa.table({name: column})
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, table.schema, options=_ipc_options()) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def decode_column(data: bytes) -> pa.ChunkedArray:
    """A block's ``data`` back to its column."""
    import pyarrow.ipc as ipc

    return ipc.open_stream(pa.py_buffer(data)).read_all().column(0)


def block_rows(batch_id: str, table: pa.Table) -> list[dict]:
    """The ``event_blocks`` rows of one batch's events (a table in storage form)."""
    rows = []
    for part, start in enumerate(range(0, table.num_rows, BLOCK_ROWS)):
        chunk = table.slice(start, BLOCK_ROWS)
        times = chunk.column("occurred_at")
        import pyarrow.compute as pc

        bounds = pc.min_max(times).as_py()
        for name in chunk.column_names:
            rows.append(
                {
                    "batch_id": batch_id,
                    "part": part,
                    "column_name": name,
                    "n_rows": chunk.num_rows,
                    "first_at": bounds["min"],
                    "last_at": bounds["max"],
                    "data": encode_column(chunk.column(name), name),
                }
            )
    return rows


def full_storage(table: pa.Table) -> pa.Table:
    """``table`` with every event column, in schema order (missing ones null)."""
    n = table.num_rows
    return pa.table(
        {
            c: table.column(c).cast(storage_type(c))
            if c in table.column_names
            else pa.nulls(n, storage_type(c))
            for c in EVENT_COLUMNS
        }
    )


def sqlite_file(db: sa.Engine) -> str | None:
    """The path of ``db``'s SQLite file, or None (another database, or in memory)."""
    if db.dialect.name != "sqlite" or db.url.database in (None, "", ":memory:"):
        return None
    return db.url.database


@contextlib.contextmanager
def staging_file(db: sa.Engine, table: pa.Table) -> Iterator[str | None]:
    """``table`` written by ADBC to a new SQLite file (table ``events``) beside nothing
    the app has open; yields its path, or None where rows are inserted directly
    (another database, SQLite in memory, no rows). The file is removed afterwards."""
    if sqlite_file(db) is None or table.num_rows == 0:
        yield None
        return
    import tempfile
    from pathlib import Path

    import adbc_driver_sqlite.dbapi as adbc

    folder = Path(tempfile.mkdtemp(prefix="hotspot-import-"))
    path = folder / "staging.sqlite"
    try:
        with adbc.connect(str(path), autocommit=True) as conn, conn.cursor() as cur:
            # A throwaway file written and read in bulk: the largest pages, no journal,
            # no syncing.
            cur.execute("PRAGMA page_size=65536")
            cur.fetchall()
            cur.execute("PRAGMA journal_mode=OFF")
            cur.fetchall()
            cur.execute("PRAGMA synchronous=OFF")
            # In autocommit mode the driver writes the whole table in one transaction.
            cur.adbc_ingest("events", table, mode="create")
        yield str(path)
    finally:
        for leftover in folder.glob("*"):
            leftover.unlink(missing_ok=True)
        folder.rmdir()


def lexsort_runs(keys: Sequence[np.ndarray]) -> np.ndarray:
    """``np.lexsort(keys)`` (the last key primary), fast when the primary key is a few
    sorted runs, as the blocks' times are (each batch is sorted by source and time).

    A stable sort of the primary key alone merges the runs in about linear time; only
    the rows whose primary key ties are then ordered by the other keys. On a million
    stored events, 0.02 s where ``np.lexsort`` takes 0.3–0.4 s. Keys hold no NaN.

    Parameters
    ----------
    keys : sequence of ndarray, each of shape (n,)

    Returns
    -------
    ndarray of intp, shape (n,): the permutation ``np.lexsort(keys)`` gives.
    """
    primary = np.asarray(keys[-1])
    order = np.argsort(primary, kind="stable")
    if len(keys) == 1 or len(order) < 2:
        return order
    ranked = primary[order]
    same = ranked[1:] == ranked[:-1]
    if not same.any():
        return order
    tied = np.zeros(len(order), dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    at = np.flatnonzero(tied)
    group = np.cumsum(np.concatenate([[True], ~same]))[at]
    rows = order[at]
    # Within a run of equal primaries, rows keep their order (stable) under equal keys.
    within = np.lexsort((*(np.asarray(k)[rows] for k in keys[:-1]), group))
    order[at] = rows[within]
    return order
