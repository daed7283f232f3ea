"""How the store is reached: an db with the store's SQLite settings, write
transactions that hold the write lock, and the errors of reaching it.

Both the store (:mod:`analytics.storage.store`) and its migrations
(:mod:`analytics.storage.migrations`) connect through here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event as sa_event

# How long a writer waits for another writer's lock before StoreBusyError.
BUSY_TIMEOUT_MS = int(os.environ.get("HOTSPOT_BUSY_TIMEOUT_MS", "10000"))

# The page size a new SQLite store is made with. Its writes are bulk (an import's rows,
# its column blocks of a megabyte) and its reads are blocks. Than SQLite's 4 KiB, on a
# million-row import 32 KiB pages cut the insert from 2.8-3.1 s to 1.9-2.3 s and the
# commit's checkpoint from 1.1 s to 0.6-0.7 s; the hotspot read of those rows takes 0.8 s
# instead of 1.2 s (bench/store_bench.py). A store made earlier keeps its page size: SQLite sets it
# only while the file is still empty.
PAGE_SIZE = 32_768


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # We issue BEGIN ourselves (see _sqlite_begin), so the driver must not.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # Before WAL: a database in WAL mode can no longer change its page size.
    cur.execute(f"PRAGMA page_size={PAGE_SIZE:d}")
    # WAL lets the app read while an analyst imports; busy_timeout waits on a lock
    # instead of failing at once.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS:d}")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: a 100k-row import fits
    cur.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    # A writer takes the write lock up front: a deferred transaction that reads and
    # then writes can fail at once with "database is locked" instead of waiting.
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(
    db: sa.Engine, *, attach: dict[str, str] | None = None
) -> Iterator[sa.Connection]:
    """A transaction that writes: all of it lands, or none of it.

    It holds the store's one write lock from the start and waits up to the busy
    timeout for another writer; then raises :class:`StoreBusyError`. On SQLite that
    lock is the database's own (``BEGIN IMMEDIATE``); on PostgreSQL it is a
    transaction-level advisory lock, so that writers queue as they do on SQLite: two
    imports of one file at once both end cleanly (the second finds every row stored),
    and the audit log's hash chain is appended to by one writer at a time.

    Parameters
    ----------
    attach : dict of str to str, optional
        SQLite only: ``{schema name: file}`` to attach for the transaction (an
        import's staging file). SQLite attaches only outside a transaction, so this
        happens before BEGIN, and the files are detached after the end.
    """
    try:
        with db.connect() as conn:
            raw = conn.connection.driver_connection if attach else None
            for name, path in (attach or {}).items():
                raw.execute(f'ATTACH DATABASE ? AS "{name}"', (path,))
            try:
                conn.execution_options(sqlite_immediate=True)
                with conn.begin():
                    if conn.dialect.name == "postgresql":
                        _pg_write_lock(conn)
                    yield conn
            finally:
                for name in attach or {}:
                    raw.execute(f'DETACH DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        if _is_busy(exc):
            raise StoreBusyError(str(exc)) from exc
        raise


# The advisory lock every writer of a PostgreSQL store takes (any fixed 64-bit number;
# these are the bytes of "hotspot").
PG_WRITE_LOCK = 0x686F7473706F74


def _pg_write_lock(conn: sa.Connection) -> None:
    # lock_timeout bounds the wait as busy_timeout does on SQLite; SET LOCAL ends with
    # the transaction.
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS:d}")
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK:d})")


def _is_busy(exc: sa.exc.OperationalError) -> bool:
    """Another writer holds the lock. Judged on the driver's error alone: the SQL in
    ``str(exc)`` can name a column such as ``locked_until``."""
    name = getattr(exc.orig, "sqlite_errorname", None)
    if name is not None:
        return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
    state = getattr(exc.orig, "sqlstate", None)
    if state is not None:  # PostgreSQL: lock_not_available, deadlock_detected
        return state in ("55P03", "40P01")
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text or "lock timeout" in text


class StoreBusyError(RuntimeError):
    """Another writer held the store for longer than the busy timeout."""


class StoreVersionError(RuntimeError):
    """The store was written by a newer version of the app than this one."""


def make_engine(url: str) -> sa.Engine:
    """An db for ``url`` with the store's SQLite settings, without touching the schema."""
    db = sa.create_engine(url)
    if db.dialect.name == "sqlite":
        sa_event.listen(db, "connect", _sqlite_pragmas)
        sa_event.listen(db, "begin", _sqlite_begin)
    return db
