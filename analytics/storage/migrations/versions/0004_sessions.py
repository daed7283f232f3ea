"""Browser sessions, one-time sign-in grants and failed sign-ins per address (schema 4).

Self-contained on purpose (no imports from analytics.storage.store): the tables are spelled
out here as they were at this revision, so renumbering the revision means editing
only ``revision``/``down_revision`` and the version written to ``meta``.

Revision ID: 0004_sessions
Revises: 0003_audit_chain
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_sessions"
down_revision = "0003_audit_chain"
branch_labels = None
depends_on = None

SCHEMA_VERSION = "4"
PREVIOUS_SCHEMA_VERSION = "3"


def _set_schema_version(value: str) -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=value))


def _user_column() -> sa.Column:
    return sa.Column(
        "user_name",
        sa.String(40),
        sa.ForeignKey("users.name", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        _user_column(),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("last_seen_at", sa.String(32), nullable=False),
        sa.Column("revoked_at", sa.String(32)),
        sa.Column("revoked_reason", sa.String(16)),
        sa.Column("client_address", sa.String(64)),
    )
    op.create_index("ix_sessions_user", "sessions", ["user_name"])
    op.create_table(
        "signin_grants",
        sa.Column("grant_hash", sa.String(64), primary_key=True),
        _user_column(),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
        sa.Column("client_address", sa.String(64)),
    )
    op.create_table(
        "address_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_address", sa.String(64), nullable=False),
        sa.Column("attempted_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_address_attempts_address", "address_attempts", ["client_address"])
    _set_schema_version(SCHEMA_VERSION)


def downgrade() -> None:
    op.drop_index("ix_address_attempts_address", table_name="address_attempts")
    op.drop_table("address_attempts")
    op.drop_table("signin_grants")
    op.drop_index("ix_sessions_user", table_name="sessions")
    op.drop_table("sessions")
    _set_schema_version(PREVIOUS_SCHEMA_VERSION)
