"""The city's answers to the station's CPTED requests (schema 13).

Revision ID: 0013_cpted_answers
Revises: 0012_facilities
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_cpted_answers"
down_revision = "0012_facilities"
branch_labels = None
depends_on = None

SCHEMA_VERSION = "13"
PREVIOUS_SCHEMA_VERSION = "12"


def _set_schema_version(value: str) -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=value))


def upgrade() -> None:
    op.create_table(
        "cpted_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("station", sa.String(32), nullable=False),
        sa.Column("decision_id", sa.Integer, sa.ForeignKey("decisions.id"), nullable=False),
        sa.Column("answered_on", sa.String(10), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("facilities", sa.String(64), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('accepted', 'partly', 'refused', 'pending')",
            name="ck_cpted_answers_outcome",
        ),
    )
    op.create_index(
        "ix_cpted_answers_station_decision", "cpted_answers", ["station", "decision_id"]
    )
    _set_schema_version(SCHEMA_VERSION)


def downgrade() -> None:
    op.drop_index("ix_cpted_answers_station_decision", table_name="cpted_answers")
    op.drop_table("cpted_answers")
    _set_schema_version(PREVIOUS_SCHEMA_VERSION)
