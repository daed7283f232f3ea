"""The store's schema as it was before Alembic (revision ``0001_baseline``), frozen.

This is a copy of the tables that ``analytics/storage/store.py`` created up to schema version 1
(``meta.schema_version = 1``). It must never change: later changes are new revisions
under ``versions/``. It is used by the baseline revision to create a new store, and by
:func:`analytics.storage.migrations.upgrade` to recognise (and complete) a store made before
Alembic, which is then stamped as the baseline.
"""

from __future__ import annotations

import sqlalchemy as sa

BASELINE_TABLES = (
    "meta",
    "import_batches",
    "events",
    "rejected_rows",
    "suggestion_boxes",
    "tuning_cache",
)

# events columns in schema version 1: (name, type, nullable), in table order.
_EVENT_COLUMNS = (
    ("source", sa.Text(), True),
    ("source_record_id", sa.Text(), True),
    ("occurred_at", sa.String(32), False),
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
_EVENT_COLUMNS_AFTER_BATCH = (
    ("slot_start_hour", sa.Integer(), True),
    ("slot_end_hour", sa.Integer(), True),
    ("box_id", sa.Text(), True),
    ("status", sa.Text(), True),
    ("agency", sa.Text(), True),
    ("resolved_at", sa.String(32), True),
    ("priority_code", sa.Text(), True),
    ("severity", sa.Text(), True),
)


def baseline_metadata() -> sa.MetaData:
    """A fresh MetaData holding the six baseline tables."""
    md = sa.MetaData()
    sa.Table(
        "meta",
        md,
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    sa.Table(
        "import_batches",
        md,
        sa.Column("batch_id", sa.String(40), primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("sheet", sa.Text),
        sa.Column("encoding", sa.String(32)),
        sa.Column("crs", sa.String(32)),
        sa.Column("imported_at", sa.String(32), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_imported", sa.Integer(), nullable=False),
        sa.Column("rows_duplicate", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("undone_at", sa.String(32)),
        sa.Column("summary_json", sa.Text),
    )
    sa.Table(
        "events",
        md,
        sa.Column("event_id", sa.String(40), primary_key=True),
        *(sa.Column(n, t, nullable=null) for n, t, null in _EVENT_COLUMNS),
        sa.Column(
            "batch_id", sa.String(40), sa.ForeignKey("import_batches.batch_id"), nullable=False
        ),
        *(sa.Column(n, t, nullable=null) for n, t, null in _EVENT_COLUMNS_AFTER_BATCH),
        sa.Index("ix_events_source_time", "source", "occurred_at"),
    )
    sa.Table(
        "rejected_rows",
        md,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "batch_id", sa.String(40), sa.ForeignKey("import_batches.batch_id"), nullable=False
        ),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reason_en", sa.Text),
        sa.Column("raw_json", sa.Text(), nullable=False),
        sa.Index("ix_rejected_batch", "batch_id"),
    )
    sa.Table(
        "suggestion_boxes",
        md,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("box_id", sa.String(32), nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("installed_on", sa.String(10), nullable=False),
        sa.Column("removed_on", sa.String(10)),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("box_id", "installed_on", name="uq_box_placement"),
    )
    sa.Table(
        "tuning_cache",
        md,
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    assert tuple(md.tables) == BASELINE_TABLES
    return md
