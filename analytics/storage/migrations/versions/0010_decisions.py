"""The meeting's decisions about hotspots, followed up a week later (schema 10).

Revision ID: 0010_decisions
Revises: 0009_users_by_station
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_decisions"
down_revision = "0009_users_by_station"
branch_labels = None
depends_on = None

SCHEMA_VERSION = "10"
PREVIOUS_SCHEMA_VERSION = "9"


def _set_schema_version(value: str) -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=value))


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("station", sa.String(32), nullable=False),
        sa.Column("week", sa.String(10), nullable=False),
        sa.Column("hotspot_id", sa.String(16), nullable=False),
        sa.Column("place", sa.Text, nullable=False),
        sa.Column("police_unit", sa.Text),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("owner_unit", sa.Text),
        sa.Column("due_on", sa.String(10)),
        sa.Column("note", sa.Text),
        sa.Column("area_wkb", sa.Text, nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.String(32), nullable=False),
        sa.CheckConstraint(
            "action IN ('patrol', 'cpted', 'investigation', 'none')", name="ck_decisions_action"
        ),
    )
    op.create_index("ix_decisions_station_week", "decisions", ["station", "week"])
    _set_schema_version(SCHEMA_VERSION)


def downgrade() -> None:
    op.drop_index("ix_decisions_station_week", table_name="decisions")
    op.drop_table("decisions")
    _set_schema_version(PREVIOUS_SCHEMA_VERSION)
