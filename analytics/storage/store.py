"""The event store: SQLAlchemy Core over SQLite by default.

Callers get an :class:`sqlalchemy.engine.Engine` from :func:`open_store` and use the
functions here; nothing outside this module (and :mod:`analytics.storage.columnar`,
which moves whole columns) writes SQL. Point ``DATABASE_URL`` at another database to
move the store without touching callers.

Events are kept in their storage form (schema 5): the id as a 64-bit number, times as
whole seconds since 1970-01-01 UTC, so that a SQL console reads them as
``datetime(occurred_at, 'unixepoch')`` (SQLite) or ``to_timestamp(occurred_at)``
(PostgreSQL); and again as Arrow column blocks, which :func:`read_events` reads. Other
tables keep ISO-8601 text in the station's zone with its offset
(``2017-10-10T21:35:00+09:00``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from analytics.station import clock
from analytics.station.config import StationConfig, resolve_db_url, station_id
from analytics.storage import columnar, migrations
from analytics.storage.connection import make_engine, write_transaction
from analytics.storage.schema import (
    EVENT_COLUMNS,
    EVENT_KEY,
    SOURCES,
    aware_timestamp,
    event_key,
)
from analytics.storage.tables import (
    event_blocks,
    events,
    facilities,
    import_batches,
    metadata,
    officer_places,
    rejected_rows,
    tuning_cache,
)


def open_store(location: str | None = None, *, create: bool = True) -> sa.Engine:
    """Open (and by default create) the store, at the newest schema revision.

    A store written by an older version is upgraded in place by its Alembic
    migrations (:mod:`analytics.storage.migrations`), keeping every row; a store from before
    Alembic is first recognised as the baseline revision. An up-to-date store costs
    one small query.

    Parameters
    ----------
    location : str or path-like, optional
        A SQLAlchemy URL or a SQLite file path. See :func:`analytics.station.config.resolve_db_url`.
    create : bool, default True
        Create a missing store. With False, a missing SQLite file raises
        ``FileNotFoundError`` and an empty database is left as it is; an existing
        store is still upgraded.

    Raises
    ------
    StoreVersionError
        The store is at a schema revision this code does not know (a newer app wrote it).
    """
    url = resolve_db_url(location)
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        from pathlib import Path

        path = Path(parsed.database)
        if not create and not path.exists():
            raise FileNotFoundError(f"no store at {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
    db = make_engine(url)
    migrations.upgrade(db, create=create)
    return db


def now_iso() -> str:
    """The current time on the station's clock as ISO text, to the second."""
    return clock.now().isoformat(timespec="seconds")


def _utc_offset_text(seconds: int) -> str:
    """An offset from UTC in seconds as ISO text: 32400 → '+09:00'."""
    sign = "-" if seconds < 0 else "+"
    minutes = abs(int(seconds)) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def to_iso(values: pd.Series) -> np.ndarray:
    """Tz-aware datetimes → ISO text in the station's zone with its offset, vectorised.

    ``2017-10-10T21:35:00+09:00`` for Korea; None for NaT. Each value carries the
    offset in force at that instant, so a zone with daylight saving time is still right.
    """
    utc = pd.to_datetime(values, utc=True)
    wall = utc.dt.tz_convert(clock.zone()).dt.tz_localize(None)
    wall_s = wall.to_numpy(dtype="datetime64[s]")
    missing = pd.isna(wall).to_numpy()
    offset_s = (wall_s - utc.dt.tz_localize(None).to_numpy(dtype="datetime64[s]")).astype("int64")
    # A zone has a handful of offsets: format each once, then pick per value.
    offsets, which = np.unique(np.where(missing, 0, offset_s), return_inverse=True)
    suffix = np.array([_utc_offset_text(o) for o in offsets], dtype="U6")[which.reshape(-1)]
    text = np.char.add(np.datetime_as_string(wall_s, unit="s"), suffix).astype(object)
    text[missing] = None
    return text


def insert_events(
    conn: sa.Connection, frame: pd.DataFrame, *, station: str | StationConfig | None = None
) -> int:
    """Insert events (an event frame with ``batch_id``) of ``station``, skipping ids the
    station already has.

    The low-level step of :func:`write_batch`, which also writes the batch record and
    the column blocks; rows written with this alone get their blocks the first time
    :func:`read_events` finds them missing.

    Returns
    -------
    int
        How many rows were inserted.
    """
    if frame.empty:
        return 0
    return _insert_storage(conn, columnar.to_storage(frame), station=station_id(station))


# Rows already stored are skipped: the key is the station and the id (schema 6).
_ON_CONFLICT = " ON CONFLICT (station, event_id) DO NOTHING"


def _insert_storage(
    conn: sa.Connection,
    table,
    *,
    staged: StagedEvents | None = None,
    station: str,
) -> int:
    """Insert a table in storage form into ``events`` as ``station``'s rows; ``staged``:
    the same rows are in the attached staging file (see :func:`stage_events`)."""
    names = table.column_names
    if conn.dialect.name == "postgresql":
        return _copy_insert(conn, table, station)
    if staged is not None:
        fixed = {"station": station, **staged.constants}
        cols = ", ".join(n for n in names if n not in fixed)
        # "WHERE true" tells SQLite's parser that ON CONFLICT is the upsert clause.
        return int(
            conn.exec_driver_sql(
                f"INSERT INTO events ({', '.join(fixed)}, {cols})"
                f" SELECT {', '.join('?' * len(fixed))}, {cols}"
                f" FROM {STAGING_SCHEMA}.events WHERE true" + _ON_CONFLICT,
                tuple(fixed.values()),
            ).rowcount
        )
    # Columns that are null in every row (other sources' fields) are left to their
    # default NULL: fewer parameters to bind per row.
    names = [n for n in names if n == "event_id" or table.column(n).null_count < table.num_rows]
    rows = [(station, *r) for r in zip(*table.select(names).to_pydict().values(), strict=True)]
    names = ["station", *names]
    style = conn.dialect.paramstyle
    if conn.dialect.name in ("sqlite", "postgresql") and style in ("qmark", "format"):
        # Straight to the driver's executemany: SQLAlchemy's per-row parameter
        # processing costs seconds on a 100k-row import. ON CONFLICT skips rows
        # already stored in the same pass, so no separate look-up is needed.
        mark = "?" if style == "qmark" else "%s"
        sql = (
            f"INSERT INTO events ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})"
            + _ON_CONFLICT
        )
        if conn.dialect.name == "sqlite":
            # sqlite3's executemany rowcount is the number of rows actually inserted.
            return conn.exec_driver_sql(sql, rows).rowcount
        before = _event_count(conn)
        conn.exec_driver_sql(sql, rows)
        return _event_count(conn) - before
    existing = _existing_keys(conn, [r[1] for r in rows], station)
    fresh = [dict(zip(names, r, strict=True)) for r in rows if r[1] not in existing]
    if fresh:
        conn.execute(events.insert(), fresh)
    return len(fresh)


def _copy_insert(conn: sa.Connection, table, station: str) -> int:
    """PostgreSQL: COPY the rows into a temporary table, then move the ones not yet
    stored into ``events`` in one statement. COPY takes CSV as pyarrow writes it (text
    quoted, null as an empty unquoted cell): no Python object per value."""
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv

    cols = ", ".join(table.column_names)
    conn.exec_driver_sql("DROP TABLE IF EXISTS pg_temp.staging_events")
    conn.exec_driver_sql(
        "CREATE TEMP TABLE staging_events (LIKE events INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    # The station is named once, when the rows move.
    conn.exec_driver_sql("ALTER TABLE staging_events ALTER COLUMN station DROP NOT NULL")
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    copy_sql = f"COPY staging_events ({cols}) FROM STDIN (FORMAT csv)"
    with conn.connection.driver_connection.cursor() as cur, cur.copy(copy_sql) as copy:
        for batch in table.to_batches(max_chunksize=65_536):
            out = io.BytesIO()
            pacsv.write_csv(pa.Table.from_batches([batch]), out, options)
            copy.write(out.getbuffer())
    inserted = conn.exec_driver_sql(
        f"INSERT INTO events (station, {cols}) SELECT %s, {cols} FROM staging_events"
        + _ON_CONFLICT,
        (station,),
    ).rowcount
    conn.exec_driver_sql("DROP TABLE staging_events")
    return int(inserted)


def _event_count(conn: sa.Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one()


def _existing_keys(conn: sa.Connection, keys: Sequence[int], station: str) -> set[int]:
    found: set[int] = set()
    keys = [int(k) for k in keys]
    for i in range(0, len(keys), 900):  # chunked to stay under SQL limits
        chunk = keys[i : i + 900]
        rows = conn.execute(
            sa.select(events.c.event_id).where(
                events.c.station == station, events.c.event_id.in_(chunk)
            )
        )
        found.update(int(r[0]) for r in rows)
    return found


def existing_event_ids(
    conn: sa.Connection, ids: Sequence[str], *, station: str | StationConfig | None = None
) -> set[str]:
    """Which of ``ids`` ``station`` already has in the store."""
    ids = list(ids)
    keys = event_key(ids).tolist()
    found = _existing_keys(conn, keys, station_id(station))
    return {e for e, k in zip(ids, keys, strict=True) if k in found}


# The name the staging file is attached under during an import's write transaction.
STAGING_SCHEMA = "staging"


@dataclass(frozen=True)
class StagedEvents:
    """An import's events in storage form, and the staging file holding them (or None)."""

    table: object  # pyarrow.Table, sorted by (source, occurred_at), with batch_id
    path: str | None
    blocks: list[dict] | None = None  # the event_blocks rows of every row in ``table``
    # Columns of ``table`` left out of the staging file: their one value.
    constants: dict[str, object] = field(default_factory=dict)

    @property
    def attach(self) -> dict[str, str]:
        """What :func:`~analytics.storage.connection.write_transaction` attaches."""
        return {STAGING_SCHEMA: self.path} if self.path else {}


@contextlib.contextmanager
def stage_events(db: sa.Engine, frame: pd.DataFrame, batch_id: str) -> Iterator[StagedEvents]:
    """An import's events converted once and, on a SQLite file, written to a staging
    file by ADBC, before the import's write transaction takes the lock.

    Use as ``with stage_events(db, frame, batch_id) as staged,
    write_transaction(db, attach=staged.attach) as conn: write_batch(..., staged=staged)``.
    The staging file is removed afterwards, whether the import landed or not.
    """
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow.compute as pc

    table = columnar.to_storage(frame.assign(batch_id=batch_id))
    # A column with one value in every row (the batch, an import's source) is named
    # once when the rows move, not written to the staging file a million times.
    constants = {
        name: table.column(name)[0].as_py()
        for name in ("batch_id", "source")
        if name in table.column_names
        and table.num_rows
        and table.column(name).null_count == 0
        and pc.count_distinct(table.column(name)).as_py() == 1
    }
    # The blocks are encoded beside ADBC's writes to the staging file: both run in
    # Arrow's and SQLite's C code, which let go of the GIL, so the two cores share them.
    with ThreadPoolExecutor(max_workers=1) as pool:
        blocks = pool.submit(lambda: columnar.block_rows(batch_id, columnar.full_storage(table)))
        staged = table.drop_columns(list(constants))
        with columnar.staging_file(db, staged) as path:
            yield StagedEvents(table=table, path=path, blocks=blocks.result(), constants=constants)


@dataclass(frozen=True)
class BatchRecord:
    batch_id: str
    source: str
    file_name: str
    file_sha256: str
    sheet: str | None
    encoding: str | None
    crs: str | None
    rows_total: int
    rows_rejected: int
    synthetic: bool
    station: str | None = None  # the station's id; None: the configured station


def insert_batch_record(conn: sa.Connection, batch: BatchRecord) -> str:
    """Write ``batch``'s record (no rows yet: counts of 0, status active) in ``conn``'s
    transaction; :func:`finish_batch` fills in the counts. Returns the station's id.

    Events (:func:`write_batch`) and facilities
    (:func:`analytics.storage.facilities.write_facilities`) share the record, so the
    import history and undo treat both alike.
    """
    station = station_id(batch.station)
    conn.execute(
        import_batches.insert().values(
            batch_id=batch.batch_id,
            station=station,
            source=batch.source,
            file_name=batch.file_name,
            file_sha256=batch.file_sha256,
            sheet=batch.sheet,
            encoding=batch.encoding,
            crs=batch.crs,
            imported_at=now_iso(),
            rows_total=batch.rows_total,
            rows_imported=0,
            rows_duplicate=0,
            rows_rejected=batch.rows_rejected,
            synthetic=batch.synthetic,
            status="active",
        )
    )
    return station


def write_batch(
    conn: sa.Connection,
    batch: BatchRecord,
    frame: pd.DataFrame,
    rejected: Iterable[dict],
    *,
    staged: StagedEvents | None = None,
) -> dict:
    """Insert one batch, its new events and its rejected rows in ``conn``'s transaction.

    ``frame`` rows whose ``event_id`` is already stored are skipped. The batch
    record's counts are filled in from what was actually inserted. With ``staged``
    (see :func:`stage_events`) the events are moved from its file in one statement.
    The rows inserted are also written as column blocks (``event_blocks``).

    Returns
    -------
    dict
        ``imported``, ``gazetteer``, ``township_level``, ``outside_station`` among the
        inserted events.
    """
    station = insert_batch_record(conn, batch)
    import pyarrow.compute as pc

    frame = frame.assign(batch_id=batch.batch_id)
    table = staged.table if staged is not None else columnar.to_storage(frame)
    if table.num_rows and pc.count_distinct(table.column("event_id")).as_py() < table.num_rows:
        # Two rows of one batch with one key: which is "new" would be ambiguous, and the
        # blocks would hold a row that events does not. The importer drops them first.
        raise ValueError(f"batch {batch.batch_id} has repeated event ids")
    inserted = 0
    if len(frame):
        on_file = staged if staged is not None and staged.path else None
        inserted = _insert_storage(conn, table, staged=on_file, station=station)
    if inserted == len(frame):
        new = frame  # the usual case: nothing was already stored
    else:
        rows = conn.execute(sa.select(events.c.event_id).where(events.c.batch_id == batch.batch_id))
        keys = np.fromiter((r[0] for r in rows), dtype=np.int64)
        new = frame[np.isin(event_key(frame["event_id"]), keys)]
        table = table.filter(np.isin(table.column("event_id").to_numpy(), keys))
    if table.num_rows:
        if staged is not None and staged.blocks is not None and new is frame:
            blocks = staged.blocks
        else:
            blocks = columnar.block_rows(batch.batch_id, columnar.full_storage(table))
        conn.execute(event_blocks.insert(), blocks)
    stats = {
        "imported": len(new),
        "gazetteer": int((new["geocode_method"] == "gazetteer").sum()),
        "township_level": int((new["geocode_score"] < 0.5).sum()),
        "outside_station": int((~new["inside_station"].astype(bool)).sum()),
    }
    insert_rejected(conn, batch.batch_id, rejected)
    return stats


def insert_rejected(conn: sa.Connection, batch_id: str, rejected: Iterable[dict]) -> None:
    """Write a batch's rejected rows (``row_number``, ``reason_code``, ``reason``,
    ``reason_en``, ``raw``: its masked cells) in ``conn``'s transaction."""
    rej = [
        {
            "batch_id": batch_id,
            "row_number": int(r["row_number"]),
            "reason_code": r["reason_code"],
            "reason": r["reason"],
            "reason_en": r.get("reason_en"),
            "raw_json": json.dumps(r["raw"], ensure_ascii=False, default=str),
        }
        for r in rejected
    ]
    if rej:
        conn.execute(rejected_rows.insert(), rej)


def finish_batch(conn: sa.Connection, batch_id: str, *, rows_duplicate: int, summary: dict) -> None:
    """Record the final counts and the import summary on a batch."""
    conn.execute(
        import_batches.update()
        .where(import_batches.c.batch_id == batch_id)
        .values(
            rows_imported=summary["imported"],
            rows_duplicate=rows_duplicate,
            summary_json=json.dumps(summary, ensure_ascii=False, default=str),
        )
    )


class UnknownBatchError(LookupError):
    """The batch id is not in the store."""


def undo_batch(db: sa.Engine, batch_id: str, *, station: str | StationConfig | None = None) -> int:
    """Remove a batch's events (or facilities); keep the batch record (marked undone)
    and its report.

    Returns
    -------
    int
        The number of events (or facilities) removed. Undoing an undone batch removes nothing.

    Raises
    ------
    UnknownBatchError
        No batch of ``station`` (default: the configured one) has this id: another
        station's batches are not this station's to undo.
    """
    with write_transaction(db) as conn:
        return undo_batch_in(conn, batch_id, station=station)


def undo_batch_in(
    conn: sa.Connection, batch_id: str, *, station: str | StationConfig | None = None
) -> int:
    """:func:`undo_batch` in ``conn``'s write transaction (so a caller can add to it,
    e.g. the audit entry). Raises :class:`UnknownBatchError` for an unknown batch."""
    row = conn.execute(
        sa.select(import_batches.c.status).where(
            import_batches.c.batch_id == batch_id,
            import_batches.c.station == station_id(station),
        )
    ).first()
    if row is None:
        raise UnknownBatchError(batch_id)
    removed = conn.execute(events.delete().where(events.c.batch_id == batch_id)).rowcount
    conn.execute(event_blocks.delete().where(event_blocks.c.batch_id == batch_id))
    # A facility layer's batch (schema 12): its facilities go the same way.
    removed = (removed or 0) + (
        conn.execute(facilities.delete().where(facilities.c.batch_id == batch_id)).rowcount or 0
    )
    # An officers' places CSV's batch (schema 14): its places go too.
    removed += (
        conn.execute(officer_places.delete().where(officer_places.c.batch_id == batch_id)).rowcount
        or 0
    )
    if row.status != "undone":
        conn.execute(
            import_batches.update()
            .where(import_batches.c.batch_id == batch_id)
            .values(status="undone", undone_at=now_iso())
        )
    return int(removed or 0)


def read_events(
    db: sa.Engine,
    *,
    sources: Sequence[str] | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    inside_only: bool = False,
    columns: Sequence[str] | None = None,
    by_time: bool = True,
    station: str | StationConfig | None = None,
) -> pd.DataFrame:
    """Read one station's events as an event frame (see :mod:`analytics.storage.schema`),
    by time.

    Reads the column blocks of the active batches (:mod:`analytics.storage.columnar`),
    only the columns asked for, skipping parts outside the period: no Python object
    per event. Rows whose blocks are missing (a store upgraded from schema 4, or rows
    written without :func:`write_batch`) get them built first, once.

    Parameters
    ----------
    sources : sequence of {'suggestion', 'complaint', 'incident'}, optional
    start, end : tz-aware Timestamp, optional
        Half-open interval ``[start, end)`` on ``occurred_at``.
    inside_only : bool, default False
        Only events inside the station boundary.
    columns : sequence of str, optional
        Event-frame columns to read (default: all), returned in schema order. Also
        :data:`EVENT_KEY`: each id's 64-bit number as the store keeps it
        (:func:`~analytics.storage.schema.event_key`), an int64 column after the rest,
        for a caller that needs the ids only as numbers (no text per event).
    by_time : bool, default True
        Order rows by ``occurred_at`` then ``event_id``. False keeps the store's order
        (batch by batch, each by source and time) for a caller that puts rows in its
        own order, as :func:`~analytics.compute.hotspots.find_hotspots` does: a million
        events whose times tie often take 0.2–0.3 s less.
    station : str or StationConfig, optional
        Whose events (default: the configured station's). Another station's rows are
        never read: its batches' blocks are left out of the query.

    Returns
    -------
    DataFrame
        One row per event, ordered by ``occurred_at`` then ``event_id`` (see
        ``by_time``); index 0..n-1.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    wanted = list(EVENT_COLUMNS) if columns is None else list(columns)
    with_key = EVENT_KEY in wanted
    unknown_cols = set(wanted) - set(EVENT_COLUMNS) - {EVENT_KEY}
    if unknown_cols:
        raise ValueError(f"unknown event columns {sorted(unknown_cols)}")
    wanted = [c for c in EVENT_COLUMNS if c in wanted]
    if sources is not None:
        unknown = set(sources) - set(SOURCES)
        if unknown:
            raise ValueError(f"unknown sources {sorted(unknown)}; expected some of {SOURCES}")
    start_s = None if start is None else epoch_seconds(start)
    end_s = None if end is None else epoch_seconds(end)
    # The time and id put rows in order; the source writes an id as text.
    needed = {*wanted, "occurred_at", "event_id", "source"}
    if inside_only:
        needed.add("inside_station")
    fetched = [c for c in EVENT_COLUMNS if c in needed]
    table = _read_blocks(db, fetched, start_s=start_s, end_s=end_s, station=station_id(station))
    mask = None
    if sources is not None:
        mask = pc.is_in(table.column("source"), value_set=pa.array(list(sources), pa.string()))
    times = table.column("occurred_at")
    for keep in (
        None if start_s is None else pc.greater_equal(times, start_s),
        None if end_s is None else pc.less(times, end_s),
        pc.fill_null(table.column("inside_station"), False) if inside_only else None,
    ):
        if keep is not None:
            mask = keep if mask is None else pc.and_(mask, keep)
    if mask is not None and not pc.all(mask).as_py():  # a whole-range read copies nothing
        table = table.filter(mask)
    if by_time and table.num_rows > 1:
        # By time; ties as the ids' text sorts: source prefix, then the hex digits (the
        # key as unsigned). Sorted on integers: the source as its rank among the names.
        names = sorted(set(pc.unique(table.column("source")).to_pylist()) - {None})
        rank = pc.index_in(table.column("source"), value_set=pa.array(names, pa.string()))
        order = columnar.lexsort_runs(
            (
                table.column("event_id").to_numpy().view(np.uint64),
                pc.fill_null(rank, -1).to_numpy(),
                table.column("occurred_at").to_numpy(),
            )
        )
        if not (order[1:] > order[:-1]).all():  # already in order: no copy
            table = table.take(order)
    # An id's text needs its source; nothing else is converted unless asked for.
    keep = [c for c in fetched if c in wanted or (c == "source" and "event_id" in wanted)]
    frame = columnar.from_storage(table.select(keep))[wanted]
    if with_key:  # the stored 64 bits themselves: no text built, none parsed back
        frame[EVENT_KEY] = table.column("event_id").to_numpy().astype(np.int64, copy=False)
    return frame


def _read_blocks(
    db: sa.Engine,
    columns: Sequence[str],
    *,
    start_s: int | None,
    end_s: int | None,
    station: str,
):
    """``station``'s active batches' blocks of ``columns`` (parts that may hold the
    period) as one Arrow table in storage form."""
    import pyarrow as pa

    _build_missing_blocks(db)
    b, i = event_blocks.c, import_batches.c
    q = (
        sa.select(b.batch_id, b.part, b.column_name, b.data)
        .join_from(event_blocks, import_batches, b.batch_id == i.batch_id)
        .where(i.station == station, i.status == "active", b.column_name.in_(list(columns)))
        .order_by(b.batch_id, b.part)
    )
    # No pruning on the batch's source: a batch written directly (not by an import)
    # may hold rows of several sources; read_events filters rows by their own source.
    if start_s is not None:
        q = q.where(b.last_at >= start_s)
    if end_s is not None:
        q = q.where(b.first_at < end_s)
    parts: dict[tuple[str, int], dict[str, object]] = {}
    with db.connect() as conn:
        rows = conn.execute(q).all()
    for (batch_id, part, name, _), column in zip(rows, _decode_all(rows), strict=True):
        parts.setdefault((batch_id, part), {})[name] = column
    if not parts:
        return pa.table({c: pa.array([], type=columnar.storage_type(c)) for c in columns})
    tables = [pa.table({c: cols[c] for c in columns}) for cols in parts.values()]
    return pa.concat_tables(tables)


# Below this many bytes of blocks, one thread decodes them faster than two.
_DECODE_IN_THREADS_FROM = 4 * 2**20


def _decode_all(rows) -> list:
    """The columns of the blocks ``rows`` (their last field is the data), in order.

    A million events' columns are tens of LZ4 blocks; Arrow decodes them without the
    GIL, so two threads share the work (the read is the start of every hotspot query).
    """
    if sum(len(row[-1]) for row in rows) < _DECODE_IN_THREADS_FROM:
        return [columnar.decode_column(row[-1]) for row in rows]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda row: columnar.decode_column(row[-1]), rows))


def _build_missing_blocks(db: sa.Engine) -> None:
    """Write the blocks of active batches that have rows but no blocks, from ``events``.

    One scan of ``events`` for all of them, under the write lock (so two readers do
    not both build them). Costs one small query when nothing is missing.
    """
    i, b = import_batches.c, event_blocks.c
    missing_q = sa.select(i.batch_id).where(
        i.status == "active",
        i.rows_imported > 0,
        i.source.in_(SOURCES),  # a facility layer's batch has no events, nor blocks
        ~sa.exists().where(b.batch_id == i.batch_id),
    )
    with db.connect() as conn:
        if not conn.execute(missing_q).first():
            return
    import pyarrow as pa
    import pyarrow.compute as pc

    with write_transaction(db) as conn:
        missing = [r[0] for r in conn.execute(missing_q)]
        if not missing:
            return
        # The blocks hold the event-frame columns; the station is the batch's.
        cols = [c for c in events.columns if c.name != "station"]
        result = conn.execute(sa.select(*cols).where(events.c.batch_id.in_(missing)))
        names = list(result.keys())
        rows = result.fetchall()
        if not rows:
            return
        table = pa.table(
            {
                n: pa.array(list(col), type=columnar.storage_type(n))
                for n, col in zip(names, zip(*rows, strict=True), strict=True)
            }
        )
        for batch_id in missing:
            part = table.filter(pc.equal(table.column("batch_id"), batch_id))
            if part.num_rows:
                part = part.sort_by([("source", "ascending"), ("occurred_at", "ascending")])
                conn.execute(event_blocks.insert(), columnar.block_rows(batch_id, part))


def epoch_seconds(value: pd.Timestamp) -> int:
    """A bound of a half-open period as whole seconds since 1970-01-01 UTC, as the store
    keeps times: rounded up, so that ``t >= bound`` and ``t < bound`` select the same
    whole-second times as the exact bound does."""
    return int(aware_timestamp(value, "time").tz_convert("UTC").ceil("s").timestamp())


def source_counts(db: sa.Engine, *, station: str | StationConfig | None = None) -> dict[str, int]:
    """A station's events per source, with every source present (0 when empty)."""
    with db.connect() as conn:
        rows = conn.execute(
            sa.select(events.c.source, sa.func.count())
            .where(events.c.station == station_id(station))
            .group_by(events.c.source)
        ).all()
    counts = dict.fromkeys(SOURCES, 0)
    counts.update({s: int(n) for s, n in rows})
    return counts


def list_batches(db: sa.Engine, *, station: str | StationConfig | None = None) -> pd.DataFrame:
    """A station's import history, newest first."""
    with db.connect() as conn:
        rows = conn.execute(
            sa.select(import_batches)
            .where(import_batches.c.station == station_id(station))
            .order_by(import_batches.c.imported_at.desc())
        ).mappings()
        return pd.DataFrame(rows.all(), columns=[c.name for c in import_batches.columns])


def read_rejected(
    db: sa.Engine, batch_id: str | None = None, *, station: str | StationConfig | None = None
) -> pd.DataFrame:
    """A station's rejected rows (optionally of one batch; default station: the configured
    one) with their raw cells as a dict column ``raw``."""
    b = import_batches
    q = (
        sa.select(rejected_rows)
        .join(b, b.c.batch_id == rejected_rows.c.batch_id)
        .where(b.c.station == station_id(station))
        .order_by(rejected_rows.c.batch_id, rejected_rows.c.row_number)
    )
    if batch_id is not None:
        q = q.where(rejected_rows.c.batch_id == batch_id)
    with db.connect() as conn:
        frame = pd.DataFrame(
            conn.execute(q).mappings().all(), columns=[c.name for c in rejected_rows.columns]
        )
    frame["raw"] = frame["raw_json"].map(json.loads)
    return frame.drop(columns=["raw_json"])


def is_empty(db: sa.Engine) -> bool:
    """True when the store holds no events and no batches."""
    with db.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(import_batches)).scalar_one()
    return n == 0


def store_is_synthetic(db: sa.Engine, *, station: str | StationConfig | None = None) -> bool:
    """True when any of a station's active batches is synthetic demo data."""
    i = import_batches.c
    with db.connect() as conn:
        n = conn.execute(
            sa.select(sa.func.count())
            .select_from(import_batches)
            .where(i.station == station_id(station), i.synthetic.is_(True), i.status == "active")
        ).scalar_one()
    return n > 0


def data_version(db: sa.Engine) -> str:
    """Changes whenever an import lands or is undone: a digest of the batch log."""
    import hashlib

    with db.connect() as conn:
        rows = conn.execute(
            sa.select(import_batches.c.batch_id, import_batches.c.status).order_by(
                import_batches.c.batch_id
            )
        ).all()
    return hashlib.sha1(repr(rows).encode()).hexdigest()[:16]


def cache_get(db: sa.Engine, key: str) -> dict | None:
    """A cached result (tuning) by its plain-text key, or None."""
    with db.connect() as conn:
        row = conn.execute(
            sa.select(tuning_cache.c.value_json).where(tuning_cache.c.key == key)
        ).first()
    return json.loads(row[0]) if row else None


def cache_put(db: sa.Engine, key: str, value: dict) -> None:
    """Store a result under ``key`` (replacing any older one)."""
    with write_transaction(db) as conn:
        conn.execute(tuning_cache.delete().where(tuning_cache.c.key == key))
        conn.execute(
            tuning_cache.insert().values(
                key=key, value_json=json.dumps(value, default=str), created_at=now_iso()
            )
        )


def last_event_time(
    db: sa.Engine, *, station: str | StationConfig | None = None
) -> pd.Timestamp | None:
    """A station's latest ``occurred_at`` (KST), or None when it has no events."""
    return _event_time(db, sa.func.max, station)


def first_event_time(
    db: sa.Engine, *, station: str | StationConfig | None = None
) -> pd.Timestamp | None:
    """A station's earliest ``occurred_at`` (KST), or None when it has no events."""
    return _event_time(db, sa.func.min, station)


def _event_time(db: sa.Engine, aggregate, station) -> pd.Timestamp | None:
    with db.connect() as conn:
        value = conn.execute(
            sa.select(aggregate(events.c.occurred_at)).where(
                events.c.station == station_id(station)
            )
        ).scalar_one()
    return None if value is None else clock.local(pd.Timestamp(int(value), unit="s", tz="UTC"))


def table_counts(db: sa.Engine) -> dict[str, int]:
    """Rows per table of the store's schema (tables that are missing are left out)."""
    with db.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
        return {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in metadata.sorted_tables
            if t.name in present
        }


# The backup lives in its own module; named here too, where callers have always found it.
from analytics.storage.backup import BackupError, backup_store  # noqa: E402, F401
