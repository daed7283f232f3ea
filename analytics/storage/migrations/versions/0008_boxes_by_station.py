"""Suggestion boxes carry their station (schema 8).

``suggestion_boxes.station`` names the station whose box it is; placements stored
before belong to the station this installation is configured for. A placement is
unique per station, box and install date: two stations may both have a ``BOX-01``.

Revision ID: 0008_boxes_by_station
Revises: 0007_events_by_station
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_boxes_by_station"
down_revision = "0007_events_by_station"
branch_labels = None
depends_on = None

SCHEMA_VERSION = "8"
PREVIOUS_SCHEMA_VERSION = "7"


def _set_schema_version(value: str) -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=value))


def upgrade() -> None:
    from analytics.station.config import default_station

    # Nothing refers to suggestion_boxes: SQLite may copy it to change its constraint.
    with op.batch_alter_table("suggestion_boxes", recreate="always") as batch:
        batch.add_column(
            sa.Column("station", sa.String(32), nullable=False, server_default=default_station().id)
        )
        batch.drop_constraint("uq_box_placement", type_="unique")
        batch.create_unique_constraint("uq_box_placement", ["station", "box_id", "installed_on"])
    _set_schema_version(SCHEMA_VERSION)


def downgrade() -> None:
    bind = op.get_bind()
    if len(bind.execute(sa.text("SELECT DISTINCT station FROM suggestion_boxes")).fetchall()) > 1:
        raise RuntimeError(
            "this store holds more than one station's boxes; schema 7 cannot tell them apart"
        )
    with op.batch_alter_table("suggestion_boxes", recreate="always") as batch:
        batch.drop_constraint("uq_box_placement", type_="unique")
        batch.create_unique_constraint("uq_box_placement", ["box_id", "installed_on"])
        batch.drop_column("station")
    _set_schema_version(PREVIOUS_SCHEMA_VERSION)
