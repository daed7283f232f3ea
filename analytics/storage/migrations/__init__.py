"""Schema revisions of the store, with Alembic, driven from code (no ``alembic.ini``).

:func:`upgrade` is what :func:`analytics.storage.store.open_store` calls on every open:

- a store already at the head revision: one small query, nothing else;
- a new, empty database: every revision runs, from the baseline up;
- a store from before Alembic (it has the baseline tables but no ``alembic_version``):
  any baseline table it lacks is created, it is stamped ``0001_baseline``, then the
  later revisions run. Every row is kept.

All of it happens in one write transaction (``BEGIN IMMEDIATE`` on SQLite), so two
processes opening an old store at once upgrade it once, and a failed upgrade leaves
the store as it was.

To add a revision: change the tables in ``analytics/storage/tables.py``, then write
``versions/000N_<what>.py`` with ``revision``/``down_revision`` and
``upgrade``/``downgrade`` (``script.py.mako`` is the template; Alembic can draft one
with ``alembic.command.revision(alembic_config(url=...), "what", autogenerate=True)``).
``tests/storage/test_store_upgrade.py`` checks that the migrated schema equals the tables in
``tables.py``. ``alembic.command.upgrade(alembic_config(url=...), "0001_baseline:head",
sql=True)`` prints the SQL for a DBA (offline mode, from the baseline on).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from analytics.storage.connection import StoreVersionError, write_transaction

MIGRATIONS_DIR = Path(__file__).resolve().parent
BASELINE_REVISION = "0001_baseline"


def alembic_config(connection: sa.Connection | None = None, url: str | None = None) -> Config:
    """An Alembic config for the store's migrations (optionally bound to ``connection``)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision this code knows."""
    return _scripts().get_current_head()


def known_revisions() -> set[str]:
    return {s.revision for s in _scripts().walk_revisions()}


def current_revision(conn: sa.Connection) -> str | None:
    """The store's revision, or None when it has no ``alembic_version`` table."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: sa.Engine, *, create: bool = True) -> bool:
    """Bring the store to the head revision. Returns True when anything changed.

    With ``create=False`` an empty database is left empty.

    Raises
    ------
    analytics.storage.connection.StoreVersionError
        The store is at a revision this code does not know.
    """
    head = head_revision()
    with db.connect() as conn:
        if current_revision(conn) == head:
            return False
    with write_transaction(db) as conn:
        # Again under the write lock: another process may have upgraded meanwhile.
        current = current_revision(conn)
        if current == head:
            return False
        if current is not None and current not in known_revisions():
            raise StoreVersionError(
                f"the store is at schema revision {current!r}, newer than this app "
                f"({head!r}): update the app"
            )
        if current is None:
            from analytics.storage.migrations.baseline import BASELINE_TABLES, baseline_metadata

            present = set(sa.inspect(conn).get_table_names())
            if not present & set(BASELINE_TABLES):
                if not create:
                    return False
            else:
                # A store from before Alembic: complete it to the baseline and say so.
                baseline_metadata().create_all(conn, checkfirst=True)
                command.stamp(alembic_config(conn), BASELINE_REVISION)
        command.upgrade(alembic_config(conn), "head")
    return True
