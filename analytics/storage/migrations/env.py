"""Alembic environment for the store: the target schema is ``analytics.storage.tables.metadata``.

:func:`analytics.storage.migrations.upgrade` runs it with an open connection (in
``config.attributes["connection"]``) inside a write transaction that it commits. Run
without one (``alembic -c ...``), it opens ``sqlalchemy.url`` (default: the configured
store) itself.
"""

from __future__ import annotations

from alembic import context

from analytics.storage.connection import make_engine, write_transaction
from analytics.storage.tables import metadata

config = context.config
target_metadata = metadata


def _configure(**kw) -> None:
    # render_as_batch: SQLite cannot ALTER most things; batch mode copies the table.
    context.configure(target_metadata=target_metadata, render_as_batch=True, **kw)


def run_offline() -> None:
    from analytics.station.config import resolve_db_url

    _configure(
        url=config.get_main_option("sqlalchemy.url") or resolve_db_url(None), literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from analytics.station.config import resolve_db_url

    db = make_engine(config.get_main_option("sqlalchemy.url") or resolve_db_url(None))
    try:
        with write_transaction(db) as conn:
            _configure(connection=conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        db.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
