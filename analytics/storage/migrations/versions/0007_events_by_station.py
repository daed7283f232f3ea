"""On PostgreSQL, events are partitioned by station (schema 7).

``events`` becomes a table ``PARTITION BY LIST (station)``: one partition per station
(``events_namwon``) and a default partition for a station nobody has added yet
(``events_default``). A query that names its station reads its partition only, and a
province's or the nation's store grows by adding partitions (see
:func:`analytics.storage.partitions.add_station_partition`, ``python -m analytics
add-station``). The key, columns and index are those of schema 6.

SQLite keeps one table: this revision changes nothing there but the version number.

Revision ID: 0007_events_by_station
Revises: 0006_stations
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_events_by_station"
down_revision = "0006_stations"
branch_labels = None
depends_on = None

SCHEMA_VERSION = "7"
PREVIOUS_SCHEMA_VERSION = "6"


def _set_schema_version(value: str) -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=value))


def _stations() -> list[str]:
    """The stations with rows, and every station this installation has a file for."""
    from analytics.station.config import station_files

    bind = op.get_bind()
    found = {r[0] for r in bind.execute(sa.text("SELECT DISTINCT station FROM import_batches"))}
    return sorted(found | set(station_files()))


def _rebuild(*, partitioned: bool) -> None:
    """Copy ``events`` into a new table of the same shape, partitioned or not."""
    op.execute("ALTER TABLE events RENAME TO events_before")
    op.execute("ALTER INDEX ix_events_station_time RENAME TO ix_events_before_station_time")
    # Its key and foreign key step aside too, whatever earlier revisions named them.
    bind = op.get_bind()
    names = bind.execute(
        sa.text("SELECT conname FROM pg_constraint WHERE conrelid = 'events_before'::regclass")
    ).scalars()
    for name in list(names):
        op.execute(f'ALTER TABLE events_before RENAME CONSTRAINT "{name}" TO "before_{name}"')
    by_station = " PARTITION BY LIST (station)" if partitioned else ""
    op.execute(
        "CREATE TABLE events (LIKE events_before INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        + by_station
    )
    op.execute("ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (station, event_id)")
    op.execute(
        "ALTER TABLE events ADD CONSTRAINT events_batch_id_fkey FOREIGN KEY (batch_id)"
        " REFERENCES import_batches (batch_id)"
    )
    op.execute("CREATE INDEX ix_events_station_time ON events (station, source, occurred_at)")
    if partitioned:
        op.execute("CREATE TABLE events_default PARTITION OF events DEFAULT")
        for station in _stations():
            op.execute(
                f"CREATE TABLE \"events_{station}\" PARTITION OF events FOR VALUES IN ('{station}')"
            )
    op.execute("INSERT INTO events SELECT * FROM events_before ORDER BY source, occurred_at")
    op.execute("DROP TABLE events_before")


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _rebuild(partitioned=True)
    _set_schema_version(SCHEMA_VERSION)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _rebuild(partitioned=False)
    _set_schema_version(PREVIOUS_SCHEMA_VERSION)
