"""A tamper-evident audit log: a hash chain, and no INSERT OR REPLACE (schema version 3).

Each entry gets ``prev_hash`` (the ``entry_hash`` of the entry before it, by id; 64
zeros for the first) and ``entry_hash`` (sha256 over the entry and ``prev_hash``, see
:func:`analytics.access.audit.audit_entry_hash`). Existing entries are chained in id order.

The append-only triggers of 0002 abort any UPDATE, so they are dropped for the
back-fill and created again afterwards, in the same transaction: no other writer
sees the table unprotected. SQLite gets one more trigger: ``INSERT OR REPLACE`` fires
no DELETE trigger when it replaces a row, so a BEFORE INSERT trigger refuses any
insert whose id is already taken (BEFORE triggers run before the conflict is
resolved). PostgreSQL has no REPLACE; ``ON CONFLICT DO UPDATE`` fires the UPDATE
trigger of 0002.

Revision ID: 0003_audit_chain
Revises: 0002_users_audit
Create Date: 2026-12-02
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0003_audit_chain"
down_revision = "0002_users_audit"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_log is append-only"
GENESIS_HASH = "0" * 64

SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
)
SQLITE_NO_REPLACE = (
    "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
    "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
)
# 0002's trigger function audit_log_append_only() stays; only the triggers go and come.
POSTGRES_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
)

_CHAINED = ("id", "at", "actor", "action", "detail", "batch_id", "file_name")


def entry_hash(entry: dict, prev_hash: str) -> str:
    """A frozen copy of :func:`analytics.access.audit.audit_entry_hash` as of this revision.

    A migration must not change when the app's code does; a test checks that the two
    agree, so a new serialisation has to come with a new revision.
    """
    payload = ["audit/v1", *(entry[k] for k in _CHAINED), prev_hash]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _audit_log(*, chain_nullable: bool) -> sa.Table:
    """audit_log with the chain columns, for batch mode to copy without reflecting
    (so that ``--sql`` offline scripts work too)."""
    return sa.Table(
        "audit_log",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("batch_id", sa.String(40)),
        sa.Column("file_name", sa.Text),
        sa.Column("prev_hash", sa.String(64), nullable=chain_nullable),
        sa.Column("entry_hash", sa.String(64), nullable=chain_nullable),
        sqlite_autoincrement=True,
    )


def _drop_triggers(dialect: str) -> None:
    if dialect == "sqlite":
        for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        for sql in POSTGRES_DROP:
            op.execute(sql)


def _create_triggers(dialect: str, *, no_replace: bool) -> None:
    if dialect == "sqlite":
        for sql in SQLITE_TRIGGERS + ((SQLITE_NO_REPLACE,) if no_replace else ()):
            op.execute(sql)
    elif dialect == "postgresql":
        for sql in POSTGRES_TRIGGERS:
            op.execute(sql)


def _set_schema_version(value: str) -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=value))


def _backfill() -> None:
    """Chain the existing entries in id order."""
    if op.get_context().as_sql:
        # An offline SQL script cannot read rows; it is for a new, empty store.
        return
    bind = op.get_bind()
    log = sa.table(
        "audit_log",
        *(sa.column(c) for c in _CHAINED),
        sa.column("prev_hash"),
        sa.column("entry_hash"),
    )
    rows = bind.execute(sa.select(*(log.c[c] for c in _CHAINED)).order_by(log.c.id)).mappings()
    prev, links = GENESIS_HASH, []
    for row in rows.all():
        digest = entry_hash(dict(row), prev)
        links.append({"row_id": row["id"], "prev": prev, "digest": digest})
        prev = digest
    if links:
        bind.execute(
            log.update()
            .where(log.c.id == sa.bindparam("row_id"))
            .values(prev_hash=sa.bindparam("prev"), entry_hash=sa.bindparam("digest")),
            links,
        )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_triggers(dialect)
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(64)))
    op.add_column("audit_log", sa.Column("entry_hash", sa.String(64)))
    _backfill()
    # SQLite copies the table to make the columns NOT NULL (keeping its AUTOINCREMENT).
    with op.batch_alter_table("audit_log", copy_from=_audit_log(chain_nullable=True)) as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("entry_hash", existing_type=sa.String(64), nullable=False)
    _create_triggers(dialect, no_replace=True)
    _set_schema_version("3")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_triggers(dialect)
    with op.batch_alter_table("audit_log", copy_from=_audit_log(chain_nullable=False)) as batch:
        batch.drop_column("entry_hash")
        batch.drop_column("prev_hash")
    _create_triggers(dialect, no_replace=False)
    _set_schema_version("2")
