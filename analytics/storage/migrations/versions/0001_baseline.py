"""Baseline: the store as it was before Alembic (schema version 1).

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from analytics.storage.migrations.baseline import baseline_metadata

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    md = baseline_metadata()
    md.create_all(bind, checkfirst=True)
    meta = md.tables["meta"]
    have = {r[0] for r in bind.execute(sa.select(meta.c.key))}
    from analytics.station import clock

    rows = [
        {"key": "schema_version", "value": "1"},
        {"key": "created_at", "value": clock.now().isoformat(timespec="seconds")},
    ]
    rows = [r for r in rows if r["key"] not in have]
    if rows:
        bind.execute(meta.insert(), rows)


def downgrade() -> None:
    baseline_metadata().drop_all(op.get_bind())
