"""Events keep their id and times as integers, in (source, time) order, and as Arrow
column blocks (schema 5).

``event_id`` becomes the 64 bits its 16 hex digits spell (``inc_00000000000000ff`` →
255; :func:`analytics.storage.schema.event_key`), ``occurred_at`` and ``resolved_at``
whole seconds since 1970-01-01 UTC. The table is copied in (source, occurred_at) order,
so a read of one source's weeks touches its pages in order. Ids of another form
(hand-made, from before the importer wrote hashes) get the first 8 bytes of their
SHA-1, as the hotspot engine always numbered them.

Self-contained on purpose: the tables are spelled out as they are at this revision.
The conversions are SQL, so the offline mode prints them for a DBA, except for ids of
another form, which are converted by a second pass in Python (online only).

Revision ID: 0005_integer_events
Revises: 0004_sessions
Create Date: 2026-12-02
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0005_integer_events"
down_revision = "0004_sessions"
branch_labels = None
depends_on = None

SCHEMA_VERSION = "5"
PREVIOUS_SCHEMA_VERSION = "4"

# name, type after this revision, nullable (event_id and batch_id are added apart).
_COLUMNS = (
    ("source", sa.Text(), True),
    ("source_record_id", sa.Text(), True),
    ("occurred_at", sa.BigInteger(), False),
    ("category", sa.Text(), True),
    ("category_label", sa.Text(), True),
    ("category_raw", sa.Text(), True),
    ("lat", sa.Float(), True),
    ("lon", sa.Float(), True),
    ("x", sa.Float(), True),
    ("y", sa.Float(), True),
    ("location_text", sa.Text(), True),
    ("geocode_method", sa.Text(), True),
    ("geocode_match", sa.Text(), True),
    ("geocode_score", sa.Float(), True),
    ("emd", sa.Text(), True),
    ("police_unit", sa.Text(), True),
    ("inside_station", sa.Boolean(), True),
    ("description", sa.Text(), True),
)
_COLUMNS_AFTER_BATCH = (
    ("slot_start_hour", sa.Integer(), True),
    ("slot_end_hour", sa.Integer(), True),
    ("box_id", sa.Text(), True),
    ("status", sa.Text(), True),
    ("agency", sa.Text(), True),
    ("resolved_at", sa.BigInteger(), True),
    ("priority_code", sa.Text(), True),
    ("severity", sa.Text(), True),
)
_TIMES = ("occurred_at", "resolved_at")
_NAMES = (
    "event_id",
    *(n for n, _, _ in _COLUMNS),
    "batch_id",
    *(n for n, _, _ in _COLUMNS_AFTER_BATCH),
)
_HEX16 = "[0-9a-f]" * 16


def _set_schema_version(value: str) -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=value))


def _create_events(name: str, *, integer: bool) -> None:
    def kind(col: str, t):
        if col in _TIMES and not integer:
            return sa.String(32)
        return t

    op.create_table(
        name,
        sa.Column(
            "event_id",
            sa.BigInteger() if integer else sa.String(40),
            primary_key=True,
            autoincrement=False,
        ),
        *(sa.Column(n, kind(n, t), nullable=null) for n, t, null in _COLUMNS),
        sa.Column(
            "batch_id", sa.String(40), sa.ForeignKey("import_batches.batch_id"), nullable=False
        ),
        *(sa.Column(n, kind(n, t), nullable=null) for n, t, null in _COLUMNS_AFTER_BATCH),
    )


def _hex_digits_to_int(column: str, dialect: str) -> str:
    """SQL for the 64 bits that characters 5–20 of ``column`` spell in hex."""
    if dialect == "postgresql":
        return f"('x' || substr({column}, 5, 16))::bit(64)::bigint"
    # SQLite: one nibble per character, OR-ed into place; << wraps into the sign bit.
    parts = [
        f"((instr('0123456789abcdef', substr({column}, {5 + i}, 1)) - 1) << {60 - 4 * i})"
        for i in range(16)
    ]
    return "(" + " | ".join(parts) + ")"


def _fast_id(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"{column} ~ '^[a-z]{{3}}_[0-9a-f]{{16}}'"
    return f"{column} GLOB '[a-z][a-z][a-z]_{_HEX16}*'"


def _iso_to_epoch(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM CAST({column} AS TIMESTAMPTZ)) AS BIGINT)"
    # SQLite's date functions read the "+09:00" suffix and give UTC seconds.
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def _epoch_to_iso(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        return (
            f"to_char(to_timestamp({column}) AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS') || '+00:00'"
        )
    return f"strftime('%Y-%m-%dT%H:%M:%S', {column}, 'unixepoch') || '+00:00'"


def _int_to_id(key: str, source: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"substr({source}, 1, 3) || '_' || lpad(to_hex({key}), 16, '0')"
    return f"printf('%s_%016x', substr({source}, 1, 3), {key})"


def _swap_in(new: str) -> None:
    op.drop_index("ix_events_source_time", table_name="events")
    op.drop_table("events")
    op.rename_table(new, "events")
    op.create_index("ix_events_source_time", "events", ["source", "occurred_at"])


def _create_blocks() -> None:
    op.create_table(
        "event_blocks",
        sa.Column(
            "batch_id",
            sa.String(40),
            sa.ForeignKey("import_batches.batch_id"),
            primary_key=True,
        ),
        sa.Column("part", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("column_name", sa.String(32), primary_key=True),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.BigInteger()),
        sa.Column("last_at", sa.BigInteger()),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    # Blocks start empty: the store builds a batch's blocks from its rows the first time
    # it reads them (analytics.storage.store.read_events), one scan for all batches.
    _create_blocks()
    _create_events("events_v5", integer=True)
    select = {n: n for n in _NAMES}
    select["event_id"] = _hex_digits_to_int("event_id", dialect)
    for t in _TIMES:
        select[t] = _iso_to_epoch(t, dialect)
    names = ", ".join(_NAMES)
    op.execute(
        f"INSERT INTO events_v5 ({names}) SELECT {', '.join(select.values())} FROM events"
        f" WHERE {_fast_id('event_id', dialect)} ORDER BY source, occurred_at"
    )
    if not op.get_context().as_sql:
        _copy_other_ids(dialect)
    _swap_in("events_v5")
    _set_schema_version(SCHEMA_VERSION)


def _copy_other_ids(dialect: str) -> None:
    """Rows whose id is not of the importer's form: keyed on their SHA-1, in Python."""
    bind = op.get_bind()
    select = {n: n for n in _NAMES}
    for t in _TIMES:
        select[t] = _iso_to_epoch(t, dialect)
    rows = bind.exec_driver_sql(
        f"SELECT {', '.join(select.values())} FROM events"
        f" WHERE NOT ({_fast_id('event_id', dialect)}) ORDER BY source, occurred_at"
    ).fetchall()
    if not rows:
        return
    table = sa.table("events_v5", *(sa.column(n) for n in _NAMES))
    records = []
    for row in rows:
        record = dict(zip(_NAMES, row, strict=True))
        digest = hashlib.sha1(str(record["event_id"]).encode()).digest()[:8]
        record["event_id"] = int.from_bytes(digest, "big", signed=True)
        records.append(record)
    bind.execute(table.insert(), records)


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    _create_events("events_v4", integer=False)
    select = {n: n for n in _NAMES}
    select["event_id"] = _int_to_id("event_id", "source", dialect)
    for t in _TIMES:
        select[t] = _epoch_to_iso(t, dialect)
    names = ", ".join(_NAMES)
    op.execute(
        f"INSERT INTO events_v4 ({names}) SELECT {', '.join(select.values())} FROM events"
        " ORDER BY source, occurred_at"
    )
    _swap_in("events_v4")
    op.drop_table("event_blocks")
    _set_schema_version(PREVIOUS_SCHEMA_VERSION)
