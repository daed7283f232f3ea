"""Two more facility kinds: children's protection zones and women's safe houses (schema 15).

``facilities.kind`` may also be ``childzone`` (전국어린이보호구역표준데이터) or
``safehouse`` (여성안심지킴이집). Nothing refers to ``facilities``: SQLite copies the
table to change its CHECK constraint, PostgreSQL alters it in place.

Revision ID: 0015_child_zones_safe_houses
Revises: 0014_officer_places
Create Date: 2026-12-11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_child_zones_safe_houses"
down_revision = "0014_officer_places"
branch_labels = None
depends_on = None

SCHEMA_VERSION = "15"
PREVIOUS_SCHEMA_VERSION = "14"

OLD_KINDS = ("cctv", "streetlight", "bell")
NEW_KINDS = (*OLD_KINDS, "childzone", "safehouse")


def _set_schema_version(value: str) -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=value))


def _kinds(kinds: tuple[str, ...]) -> None:
    with op.batch_alter_table("facilities") as batch:
        batch.drop_constraint("ck_facilities_kind", type_="check")
        batch.create_check_constraint(
            "ck_facilities_kind", "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"
        )


def upgrade() -> None:
    _kinds(NEW_KINDS)
    _set_schema_version(SCHEMA_VERSION)


def downgrade() -> None:
    bind = op.get_bind()
    new = bind.execute(
        sa.text("SELECT count(*) FROM facilities WHERE kind IN ('childzone', 'safehouse')")
    ).scalar()
    if new:
        raise RuntimeError(
            f"this store holds {new} child zones or safe houses; schema 14 cannot keep them "
            "(undo their batches first)"
        )
    _kinds(OLD_KINDS)
    _set_schema_version(PREVIOUS_SCHEMA_VERSION)
