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


def new_empty_database() -> str:
    """The URL of a new database on the test server with no tables (a restore's target)."""
    name = f"hs_test_{os.getpid()}_{next(_counter)}_empty_{uuid.uuid4().hex[:6]}"
    admin = _admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
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


def copy_of(db: sa.Engine, path) -> sa.Engine:
    """A copy of the store, to tamper with: a file beside ``path`` on SQLite, a new
    database made from ``db``'s on PostgreSQL (which copies only a database nobody is
    connected to: ``db``'s pooled connections are closed first)."""
    from analytics.storage import store

    if db.dialect.name == "sqlite":
        store.backup_store(db, path)
        return store.open_store(str(path))
    db.dispose()
    name = f"hs_test_{os.getpid()}_{next(_counter)}_copy_{uuid.uuid4().hex[:6]}"
    admin = _admin()
    with admin.connect() as conn:
        # Others (an engine the CLI opened) are let go of too: the copy needs the source
        # to itself for a moment.
        conn.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (db.url.database,),
        )
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{db.url.database}"')
    admin.dispose()
    return store.open_store(_url(name))


def run_as_owner(db: sa.Engine, *statements: str, triggers_off: str | None = None) -> None:
    """Run ``statements`` on the store as its owner, past the app: with ``triggers_off``
    naming a table, its triggers (the audit log's guards) are off while they run."""
    if db.dialect.name == "sqlite":
        con = sqlite3.connect(db.url.database)
        saved = []
        if triggers_off:
            saved = con.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                (triggers_off,),
            ).fetchall()
            for name, _ in saved:
                con.execute(f'DROP TRIGGER "{name}"')
        for sql in statements:
            con.execute(sql)
        for _, sql in saved:
            con.execute(sql)
        con.commit()
        con.close()
        return
    with db.begin() as conn:
        if triggers_off:
            conn.exec_driver_sql(f"ALTER TABLE {triggers_off} DISABLE TRIGGER USER")
        for sql in statements:
            conn.exec_driver_sql(sql)
        if triggers_off:
            conn.exec_driver_sql(f"ALTER TABLE {triggers_off} ENABLE TRIGGER USER")


def refuse_audit_action(db: sa.Engine, action: str) -> None:
    """Make the database refuse audit entries of ``action`` with an integrity error (a
    deterministic failure inside the write transaction)."""
    if db.dialect.name == "sqlite":
        run_as_owner(
            db,
            f"CREATE TRIGGER refuse_{action} BEFORE INSERT ON audit_log "
            f"WHEN NEW.action = '{action}' "
            "BEGIN SELECT RAISE(ABORT, 'audit refused for the test'); END",
        )
        return
    run_as_owner(
        db,
        f"CREATE FUNCTION refuse_{action}() RETURNS trigger AS $$ BEGIN "
        f"IF NEW.action = '{action}' THEN RAISE EXCEPTION 'audit refused for the test' "
        "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER refuse_{action} BEFORE INSERT ON audit_log FOR EACH ROW "
        f"EXECUTE FUNCTION refuse_{action}()",
    )
