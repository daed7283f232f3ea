"""Public safety facilities: CCTV, street lights, emergency bells (schema 12).

Revision ID: 0012_facilities
Revises: 0011_import_mappings
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_facilities"
down_revision = "0011_import_mappings"
branch_labels = None
depends_on = None

SCHEMA_VERSION = "12"
PREVIOUS_SCHEMA_VERSION = "11"


def _set_schema_version(value: str) -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=value))


def upgrade() -> None:
    op.create_table(
        "facilities",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("station", sa.String(32), nullable=False),
        sa.Column(
            "batch_id",
            sa.String(40),
            sa.ForeignKey("import_batches.batch_id"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("facility_id", sa.String(24), nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("road_address", sa.Text),
        sa.Column("lot_address", sa.Text),
        sa.Column("x", sa.Float, nullable=False),
        sa.Column("y", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("purpose", sa.Text),
        sa.Column("installed", sa.Text),
        sa.Column("reference_date", sa.String(10)),
        sa.Column("agency", sa.Text),
        sa.CheckConstraint("kind IN ('cctv', 'streetlight', 'bell')", name="ck_facilities_kind"),
        sa.UniqueConstraint("station", "facility_id", name="uq_facilities_station_id"),
    )
    op.create_index("ix_facilities_station_kind", "facilities", ["station", "kind"])
    op.create_index("ix_facilities_batch", "facilities", ["batch_id"])
    _set_schema_version(SCHEMA_VERSION)


def downgrade() -> None:
    op.drop_index("ix_facilities_batch", table_name="facilities")
    op.drop_index("ix_facilities_station_kind", table_name="facilities")
    op.drop_table("facilities")
    _set_schema_version(PREVIOUS_SCHEMA_VERSION)
