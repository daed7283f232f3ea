"""Which database a test run uses: SQLite files (the default) or a PostgreSQL server.

``HOTSPOT_TEST_PG`` names a server's maintenance database as an SQLAlchemy URL
(``postgresql+psycopg://postgres@127.0.0.1:5433/postgres``); with it set, every store a
test makes is a new database on that server, copied from a template that already holds
the schema (a few tens of milliseconds instead of running the migrations each time).
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

SERVER_ENV = "HOTSPOT_TEST_PG"
_TEMPLATE = None
_counter = itertools.count()


def on_postgresql() -> bool:
    """True when this test run's stores are PostgreSQL databases."""
    return bool(os.environ.get(SERVER_ENV))


def _admin() -> sa.Engine:
    return sa.create_engine(os.environ[SERVER_ENV], isolation_level="AUTOCOMMIT")


def _url(name: str) -> str:
    return str(sa.make_url(os.environ[SERVER_ENV]).set(database=name).render_as_string(False))


def new_database() -> str:
    """The URL of a new, empty, migrated store database on the test server."""
    global _TEMPLATE
    admin = _admin()
    prefix = f"hs_test_{os.getpid()}"
    with admin.connect() as conn:
        if _TEMPLATE is None:
            from analytics.storage import store

            _TEMPLATE = f"{prefix}_template"
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{_TEMPLATE}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{_TEMPLATE}"')
            db = store.open_store(_url(_TEMPLATE))
            db.dispose()
        name = f"{prefix}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{_TEMPLATE}" STRATEGY FILE_COPY')
    admin.dispose()
    return _url(name)


def drop_test_databases() -> None:
    """Drop the databases this test process made (at the end of the run)."""
    if not on_postgresql():
        return
    admin = _admin()
    with admin.connect() as conn:
        names = conn.exec_driver_sql(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            (f"hs_test_{os.getpid()}_%",),
        ).scalars()
        for name in list(names):
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@contextmanager
def holding_the_write_lock(db: sa.Engine) -> Iterator[None]:
    """Another writer holds the store's write lock until the block ends."""
    if db.dialect.name == "sqlite":
        holder = sqlite3.connect(db.url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    from analytics.storage.connection import PG_WRITE_LOCK

    raw = db.raw_connection()  # a connection of its own: another writer
    cur = raw.cursor()
    cur.execute(f"SELECT pg_advisory_lock({PG_WRITE_LOCK:d})")
    try:
        yield
    finally:
        cur.execute(f"SELECT pg_advisory_unlock({PG_WRITE_LOCK:d})")
        raw.close()


def dump_text(db: sa.Engine) -> str:
    """Every row of every table as text: SQLite's own dump, or on PostgreSQL each row of
    each table written as a record."""
    if db.dialect.name == "sqlite":
        con = sqlite3.connect(db.url.database)
        try:
            return "\n".join(con.iterdump())
        finally:
            con.close()
    with db.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        return "\n".join(
            row
            for name in names
            for (row,) in conn.exec_driver_sql(f'SELECT t::text FROM "{name}" t')
        )
