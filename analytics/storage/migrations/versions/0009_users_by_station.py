"""Users belong to a station, and a provincial user to a province too (schema 9).

``users.station`` is the station whose rows the user sees; users stored before belong
to the station this installation is configured for. ``users.province``, when set, lets
the user open every station of that province (a provincial agency's analyst). See
:mod:`analytics.access.scope`.

Revision ID: 0009_users_by_station
Revises: 0008_boxes_by_station
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_users_by_station"
down_revision = "0008_boxes_by_station"
branch_labels = None
depends_on = None

SCHEMA_VERSION = "9"
PREVIOUS_SCHEMA_VERSION = "8"


def _set_schema_version(value: str) -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=value))


def upgrade() -> None:
    from analytics.station.config import default_station

    # Added, not rebuilt: sessions, grants and attempts refer to users, and SQLite
    # cannot copy a referenced table inside the migration's transaction. The app and
    # the CLI always name the station; the default only places the users of before.
    op.add_column(
        "users",
        sa.Column("station", sa.String(32), nullable=False, server_default=default_station().id),
    )
    op.add_column("users", sa.Column("province", sa.String(32)))
    _set_schema_version(SCHEMA_VERSION)


def downgrade() -> None:
    bind = op.get_bind()
    if len(bind.execute(sa.text("SELECT DISTINCT station FROM users")).fetchall()) > 1:
        raise RuntimeError(
            "this store holds more than one station's users; schema 8 cannot tell them apart"
        )
    with op.batch_alter_table("users") as batch:
        batch.drop_column("province")
        batch.drop_column("station")
    _set_schema_version(PREVIOUS_SCHEMA_VERSION)
