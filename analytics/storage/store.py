"""The event store: SQLAlchemy Core over SQLite by default.

Callers get an :class:`sqlalchemy.engine.Engine` from :func:`open_store` and use the
functions here; nothing outside this module writes SQL. Point ``DATABASE_URL`` at
another database to move the store without touching callers.

Times are stored as ISO-8601 text in the station's zone, with its offset
(``2017-10-10T21:35:00+09:00`` for Korea): unambiguous, sortable as text (every value
has the same offset in a zone without daylight saving time, such as Korea's) and
readable by anyone who opens the file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from analytics.station import clock
from analytics.station.config import resolve_db_url
from analytics.storage import migrations
from analytics.storage.connection import (
    BUSY_TIMEOUT_MS,
    StoreBusyError,
    StoreVersionError,
    make_engine,
    write_transaction,
)
from analytics.storage.schema import (
    EVENT_COLUMNS,
    SOURCES,
    STATION_TIME,
    TIME_COLUMNS,
    conform_events,
)
from analytics.storage.tables import (
    SCHEMA_VERSION,
    address_attempts,
    audit_log,
    events,
    import_batches,
    login_attempts,
    meta,
    metadata,
    rejected_rows,
    sessions,
    signin_grants,
    suggestion_boxes,
    tuning_cache,
    users,
)

# The store's public face. The tables (analytics.storage.tables) and the connection
# rules (analytics.storage.connection) live in their own modules so that the migrations
# can use them without the store; callers still reach them as ``store.<name>``.
__all__ = [
    "BUSY_TIMEOUT_MS",
    "SCHEMA_VERSION",
    "BackupError",
    "BatchRecord",
    "StoreBusyError",
    "StoreVersionError",
    "UnknownBatchError",
    "address_attempts",
    "audit_log",
    "backup_store",
    "cache_get",
    "cache_put",
    "data_version",
    "events",
    "existing_event_ids",
    "finish_batch",
    "import_batches",
    "insert_events",
    "is_empty",
    "last_event_time",
    "list_batches",
    "login_attempts",
    "make_engine",
    "meta",
    "metadata",
    "now_iso",
    "open_store",
    "read_events",
    "read_rejected",
    "rejected_rows",
    "sessions",
    "signin_grants",
    "source_counts",
    "store_is_synthetic",
    "suggestion_boxes",
    "table_counts",
    "to_iso",
    "tuning_cache",
    "undo_batch",
    "undo_batch_in",
    "users",
    "write_batch",
    "write_transaction",
]


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


def _event_rows(frame: pd.DataFrame) -> tuple[list[str], list[tuple]]:
    """Event frame → column names and rows of plain Python values any DB-API accepts."""
    cols = {}
    for name in frame.columns:
        dtype = EVENT_COLUMNS[name]
        s = frame[name]
        if dtype == STATION_TIME:
            cols[name] = to_iso(s)
        elif dtype == "float64":
            arr = s.to_numpy(dtype=float)
            obj = arr.astype(object)
            obj[~np.isfinite(arr)] = None
            cols[name] = obj
        elif dtype == "bool":
            cols[name] = s.to_numpy(dtype=bool).astype(object)
        elif dtype == "Int64":
            obj = s.to_numpy(dtype=object, na_value=None)
            cols[name] = np.array([None if v is None else int(v) for v in obj], dtype=object)
        else:
            # Repeated values share one str object, which the driver encodes once.
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
            table = np.array([*uniques.tolist(), None], dtype=object)
            cols[name] = table[codes]  # code -1 picks the trailing None
    return list(cols), list(zip(*cols.values(), strict=True))


def insert_events(conn: sa.Connection, frame: pd.DataFrame) -> int:
    """Insert events, skipping any whose ``event_id`` is already stored.

    Returns
    -------
    int
        How many rows were inserted.
    """
    if frame.empty:
        return 0
    frame = conform_events(frame)
    # Columns that are null in every row (other sources' fields) are left to their
    # default NULL: fewer parameters to bind per row.
    frame = frame[[c for c in frame.columns if c == "event_id" or frame[c].notna().any()]]
    names, rows = _event_rows(frame)
    style = conn.dialect.paramstyle
    if conn.dialect.name in ("sqlite", "postgresql") and style in ("qmark", "format"):
        # Straight to the driver's executemany: SQLAlchemy's per-row parameter
        # processing costs seconds on a 100k-row import. ON CONFLICT skips rows
        # already stored in the same pass, so no separate look-up is needed.
        mark = "?" if style == "qmark" else "%s"
        sql = (
            f"INSERT INTO events ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})"
            " ON CONFLICT (event_id) DO NOTHING"
        )
        if conn.dialect.name == "sqlite":
            # sqlite3's executemany rowcount is the number of rows actually inserted.
            return conn.exec_driver_sql(sql, rows).rowcount
        before = _event_count(conn)
        conn.exec_driver_sql(sql, rows)
        return _event_count(conn) - before
    existing = existing_event_ids(conn, [r[0] for r in rows])
    fresh = [dict(zip(names, r, strict=True)) for r in rows if r[0] not in existing]
    if fresh:
        conn.execute(events.insert(), fresh)
    return len(fresh)


def _event_count(conn: sa.Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one()


def existing_event_ids(conn: sa.Connection, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` are already in the store (chunked to stay under SQL limits)."""
    found: set[str] = set()
    ids = list(ids)
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        rows = conn.execute(sa.select(events.c.event_id).where(events.c.event_id.in_(chunk)))
        found.update(r[0] for r in rows)
    return found


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


def write_batch(
    conn: sa.Connection,
    batch: BatchRecord,
    frame: pd.DataFrame,
    rejected: Iterable[dict],
) -> dict:
    """Insert one batch, its new events and its rejected rows in ``conn``'s transaction.

    ``frame`` rows whose ``event_id`` is already stored are skipped. The batch
    record's counts are filled in from what was actually inserted.

    Returns
    -------
    dict
        ``imported``, ``gazetteer``, ``township_level``, ``outside_station`` among the
        inserted events.
    """
    conn.execute(
        import_batches.insert().values(
            batch_id=batch.batch_id,
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
    frame = frame.assign(batch_id=batch.batch_id)
    inserted = insert_events(conn, frame)
    if inserted == len(frame):
        new = frame  # the usual case: nothing was already stored
    else:
        ids = conn.execute(sa.select(events.c.event_id).where(events.c.batch_id == batch.batch_id))
        new = frame[frame["event_id"].isin({r[0] for r in ids})]
    stats = {
        "imported": len(new),
        "gazetteer": int((new["geocode_method"] == "gazetteer").sum()),
        "township_level": int((new["geocode_score"] < 0.5).sum()),
        "outside_station": int((~new["inside_station"].astype(bool)).sum()),
    }
    rej = [
        {
            "batch_id": batch.batch_id,
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
    return stats


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


def undo_batch(db: sa.Engine, batch_id: str) -> int:
    """Remove a batch's events; keep the batch record (marked undone) and its report.

    Returns
    -------
    int
        The number of events removed. Undoing an undone batch removes nothing.
    """
    with write_transaction(db) as conn:
        return undo_batch_in(conn, batch_id)


def undo_batch_in(conn: sa.Connection, batch_id: str) -> int:
    """:func:`undo_batch` in ``conn``'s write transaction (so a caller can add to it,
    e.g. the audit entry). Raises :class:`UnknownBatchError` for an unknown batch."""
    row = conn.execute(
        sa.select(import_batches.c.status).where(import_batches.c.batch_id == batch_id)
    ).first()
    if row is None:
        raise UnknownBatchError(batch_id)
    removed = conn.execute(events.delete().where(events.c.batch_id == batch_id)).rowcount
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
) -> pd.DataFrame:
    """Read events as an event frame (see :mod:`analytics.storage.schema`).

    Parameters
    ----------
    sources : sequence of {'suggestion', 'complaint', 'incident'}, optional
    start, end : tz-aware Timestamp, optional
        Half-open interval ``[start, end)`` on ``occurred_at``.
    inside_only : bool, default False
        Only events inside the station boundary.
    """
    q = sa.select(events)
    if sources is not None:
        unknown = set(sources) - set(SOURCES)
        if unknown:
            raise ValueError(f"unknown sources {sorted(unknown)}; expected some of {SOURCES}")
        q = q.where(events.c.source.in_(list(sources)))
    if start is not None:
        q = q.where(events.c.occurred_at >= to_iso(pd.Series([start]))[0])
    if end is not None:
        q = q.where(events.c.occurred_at < to_iso(pd.Series([end]))[0])
    if inside_only:
        q = q.where(events.c.inside_station.is_(True))
    q = q.order_by(events.c.occurred_at, events.c.event_id)
    with db.connect() as conn:
        frame = pd.DataFrame(conn.execute(q).mappings().all(), columns=list(EVENT_COLUMNS))
    for col in TIME_COLUMNS:
        frame[col] = pd.to_datetime(frame[col], format="ISO8601", utc=True)
    return conform_events(frame)


def source_counts(db: sa.Engine) -> dict[str, int]:
    """Events per source, with every source present (0 when empty)."""
    with db.connect() as conn:
        rows = conn.execute(
            sa.select(events.c.source, sa.func.count()).group_by(events.c.source)
        ).all()
    counts = dict.fromkeys(SOURCES, 0)
    counts.update({s: int(n) for s, n in rows})
    return counts


def list_batches(db: sa.Engine) -> pd.DataFrame:
    """The import history, newest first."""
    with db.connect() as conn:
        rows = conn.execute(
            sa.select(import_batches).order_by(import_batches.c.imported_at.desc())
        ).mappings()
        return pd.DataFrame(rows.all(), columns=[c.name for c in import_batches.columns])


def read_rejected(db: sa.Engine, batch_id: str | None = None) -> pd.DataFrame:
    """Rejected rows (optionally of one batch) with their raw cells as a dict column ``raw``."""
    q = sa.select(rejected_rows).order_by(rejected_rows.c.batch_id, rejected_rows.c.row_number)
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


def store_is_synthetic(db: sa.Engine) -> bool:
    """True when any active batch in the store is synthetic demo data."""
    with db.connect() as conn:
        n = conn.execute(
            sa.select(sa.func.count())
            .select_from(import_batches)
            .where(import_batches.c.synthetic.is_(True), import_batches.c.status == "active")
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


def last_event_time(db: sa.Engine) -> pd.Timestamp | None:
    """The latest ``occurred_at`` in the store (KST), or None when empty."""
    with db.connect() as conn:
        value = conn.execute(sa.select(sa.func.max(events.c.occurred_at))).scalar_one()
    return None if value is None else clock.local(pd.Timestamp(value))


def table_counts(db: sa.Engine) -> dict[str, int]:
    """Rows per table of the store's schema (tables that are missing are left out)."""
    with db.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
        return {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in metadata.sorted_tables
            if t.name in present
        }


class BackupError(RuntimeError):
    """The backup could not be made. ``key`` names the reason: ``exists``, ``same_file``,
    ``not_sqlite`` or ``integrity``."""

    def __init__(self, key: str, detail: str = ""):
        self.key = key
        self.detail = detail
        super().__init__(f"{key}: {detail}" if detail else key)


def backup_store(db: sa.Engine, dest: str | os.PathLike, *, force: bool = False) -> dict[str, int]:
    """Copy a SQLite store to ``dest`` while the app keeps running.

    Uses SQLite's online backup API (:meth:`sqlite3.Connection.backup`), so the copy
    is one consistent snapshot even while an import writes. The copy is written next
    to ``dest`` and moved into place only when it is complete and passes
    ``PRAGMA integrity_check``: a failed backup never leaves a half-written file, and
    with ``force`` an older backup is replaced only by a good one.

    Returns
    -------
    dict
        Rows per table in the copy.

    Raises
    ------
    BackupError
        ``dest`` exists (without ``force``), is the store itself, the store is not
        SQLite, or the copy failed its integrity check.
    """
    import sqlite3
    import tempfile
    from pathlib import Path

    if db.dialect.name != "sqlite" or db.url.database in (None, "", ":memory:"):
        raise BackupError("not_sqlite", db.url.render_as_string(hide_password=True))
    source = Path(db.url.database).resolve()
    dest = Path(dest).resolve()
    if dest == source:
        raise BackupError("same_file", str(dest))
    if dest.exists() and not force:
        raise BackupError("exists", str(dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        raw = db.raw_connection()
        try:
            target = sqlite3.connect(tmp)
            try:
                raw.driver_connection.backup(target)
                # One self-contained file: no -wal beside it.
                target.execute("PRAGMA journal_mode=DELETE")
                check = target.execute("PRAGMA integrity_check").fetchall()
            finally:
                target.close()
        finally:
            raw.close()
        if check != [("ok",)]:
            raise BackupError("integrity", "; ".join(str(r[0]) for r in check[:5]))
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    # Read the copy without the store's settings, which would turn it back to WAL.
    copy = sqlite3.connect(f"{dest.as_uri()}?mode=ro", uri=True)
    try:
        present = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {
            t.name: int(copy.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0])
            for t in metadata.sorted_tables
            if t.name in present
        }
    finally:
        copy.close()
