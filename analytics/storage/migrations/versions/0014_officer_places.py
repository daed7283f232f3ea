"""Officers' own places: 빈집, 무인점포, 공사장 … added on the map or by CSV (schema 14).

Revision ID: 0014_officer_places
Revises: 0013_cpted_answers
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_officer_places"
down_revision = "0013_cpted_answers"
branch_labels = None
depends_on = None

SCHEMA_VERSION = "14"
PREVIOUS_SCHEMA_VERSION = "13"


def _set_schema_version(value: str) -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=value))


def upgrade() -> None:
    op.create_table(
        "officer_places",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("station", sa.String(32), nullable=False),
        sa.Column("place_id", sa.String(24), nullable=False),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("x", sa.Float, nullable=False),
        sa.Column("y", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("added_at", sa.String(32), nullable=False),
        sa.Column(
            "batch_id",
            sa.String(40),
            sa.ForeignKey("import_batches.batch_id"),
            nullable=True,
        ),
        sa.Column("removed_by", sa.String(200)),
        sa.Column("removed_at", sa.String(32)),
        sa.CheckConstraint(
            "category IN ('vacant_house', 'unmanned_store', 'construction_site', "
            "'dark_alley', 'other')",
            name="ck_officer_places_category",
        ),
    )
    op.create_index("ix_officer_places_station", "officer_places", ["station", "place_id"])
    op.create_index("ix_officer_places_batch", "officer_places", ["batch_id"])
    _set_schema_version(SCHEMA_VERSION)


def downgrade() -> None:
    op.drop_index("ix_officer_places_batch", table_name="officer_places")
    op.drop_index("ix_officer_places_station", table_name="officer_places")
    op.drop_table("officer_places")
    _set_schema_version(PREVIOUS_SCHEMA_VERSION)
