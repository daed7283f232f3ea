"""Every batch and event carries its station (schema 6): one store for many stations.

``import_batches.station`` and ``events.station`` name the station (its ``[station] id``,
``"namwon"``). Rows stored before belong to the station this installation is configured
for (``$HOTSPOT_STATION`` or ``data/station.toml``). The events' key becomes
``(station, event_id)``: two stations' exports may number their calls alike, and one
station's rows must never hide another's as "already imported". The read index leads
with the station, so one station's weeks are one range of it.

The events table is copied (SQLite cannot change a primary key in place), in
(source, occurred_at) order as before. Self-contained apart from the station's id.

Revision ID: 0006_stations
Revises: 0005_integer_events
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_stations"
down_revision = "0005_integer_events"
branch_labels = None
depends_on = None

SCHEMA_VERSION = "6"
PREVIOUS_SCHEMA_VERSION = "5"

# The events' columns at revision 5, in order (event_id first, batch_id in the middle).
_COLUMNS = (
    ("event_id", sa.BigInteger(), False),
    ("source", sa.Text(), True),
    ("source_record_id", sa.Text(), True),
    ("occurred_at", sa.BigInteger(), False),
    ("category", sa.Text(), True),
    ("category_label", sa.Text(), True),
    ("category_raw", sa.Text(), True),
    ("lat", sa.Float(), True),
    ("lon", sa.Float(), True),
    ("x", sa.Float(), True),
    ("y", sa.Float(), True),
    ("location_text", sa.Text(), True),
    ("geocode_method", sa.Text(), True),
    ("geocode_match", sa.Text(), True),
    ("geocode_score", sa.Float(), True),
    ("emd", sa.Text(), True),
    ("police_unit", sa.Text(), True),
    ("inside_station", sa.Boolean(), True),
    ("description", sa.Text(), True),
    ("batch_id", sa.String(40), False),
    ("slot_start_hour", sa.Integer(), True),
    ("slot_end_hour", sa.Integer(), True),
    ("box_id", sa.Text(), True),
    ("status", sa.Text(), True),
    ("agency", sa.Text(), True),
    ("resolved_at", sa.BigInteger(), True),
    ("priority_code", sa.Text(), True),
    ("severity", sa.Text(), True),
)
_NAMES = ", ".join(n for n, _, _ in _COLUMNS)


def _set_schema_version(value: str) -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=value))


def _columns(*, with_station: bool) -> list[sa.Column]:
    cols = [sa.Column("station", sa.String(32), nullable=False)] if with_station else []
    for name, kind, nullable in _COLUMNS:
        if name == "batch_id":
            cols.append(
                sa.Column(name, kind, sa.ForeignKey("import_batches.batch_id"), nullable=nullable)
            )
        else:
            cols.append(sa.Column(name, kind, nullable=nullable))
    return cols


def _configured_station() -> str:
    """The station the rows stored so far belong to."""
    from analytics.station.config import default_station

    return default_station().id


def upgrade() -> None:
    station = _configured_station()
    # Added with the configured station as its default: SQLite cannot make a column
    # NOT NULL after the fact without copying import_batches, which the events' foreign
    # keys forbid inside the migration's transaction. The app always names the station.
    op.add_column(
        "import_batches",
        sa.Column("station", sa.String(32), nullable=False, server_default=station),
    )
    op.create_index("ix_import_batches_station", "import_batches", ["station"])

    op.create_table(
        "events_v6",
        *_columns(with_station=True),
        sa.PrimaryKeyConstraint("station", "event_id"),
    )
    op.execute(
        sa.text(
            f"INSERT INTO events_v6 (station, {_NAMES}) SELECT :station, {_NAMES} FROM events"
            " ORDER BY source, occurred_at"
        ).bindparams(station=station)
    )
    op.drop_index("ix_events_source_time", table_name="events")
    op.drop_table("events")
    op.rename_table("events_v6", "events")
    op.create_index("ix_events_station_time", "events", ["station", "source", "occurred_at"])
    _set_schema_version(SCHEMA_VERSION)


def downgrade() -> None:
    bind = op.get_bind()
    stations = bind.execute(sa.text("SELECT DISTINCT station FROM import_batches")).fetchall()
    if len(stations) > 1:
        raise RuntimeError(
            "this store holds more than one station's rows; schema 5 cannot tell them apart"
        )
    op.create_table(
        "events_v5",
        *_columns(with_station=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.execute(
        f"INSERT INTO events_v5 ({_NAMES}) SELECT {_NAMES} FROM events ORDER BY source, occurred_at"
    )
    op.drop_index("ix_events_station_time", table_name="events")
    op.drop_table("events")
    op.rename_table("events_v5", "events")
    op.create_index("ix_events_source_time", "events", ["source", "occurred_at"])
    op.drop_index("ix_import_batches_station", table_name="import_batches")
    op.drop_column("import_batches", "station")
    _set_schema_version(PREVIOUS_SCHEMA_VERSION)
