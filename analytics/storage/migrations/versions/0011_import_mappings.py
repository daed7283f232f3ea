"""Column mappings saved as named templates for a source's weekly export (schema 11).

Revision ID: 0011_import_mappings
Revises: 0010_decisions
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_import_mappings"
down_revision = "0010_decisions"
branch_labels = None
depends_on = None

SCHEMA_VERSION = "11"
PREVIOUS_SCHEMA_VERSION = "10"


def _set_schema_version(value: str) -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=value))


def upgrade() -> None:
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("station", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("mapping_json", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_import_mappings_station_source", "import_mappings", ["station", "source"])
    _set_schema_version(SCHEMA_VERSION)


def downgrade() -> None:
    op.drop_index("ix_import_mappings_station_source", table_name="import_mappings")
    op.drop_table("import_mappings")
    _set_schema_version(PREVIOUS_SCHEMA_VERSION)
