"""The store's tables: one SQLAlchemy :data:`metadata` that the store writes through and
the migrations (:mod:`analytics.storage.migrations`) compare the migrated schema with.

To change a table: change it here, then add a revision under
``analytics/storage/migrations/versions`` and raise :data:`SCHEMA_VERSION`.
"""

from __future__ import annotations

import sqlalchemy as sa

from analytics.storage.schema import EVENT_COLUMNS, STATION_TIME

# The Alembic revision number of the schema this code writes (``alembic_version`` in the
# store is the authority; each migration also writes its number to
# ``meta.schema_version`` for people who look inside the file).
SCHEMA_VERSION = 15


metadata = sa.MetaData()

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

import_batches = sa.Table(
    "import_batches",
    metadata,
    sa.Column("batch_id", sa.String(40), primary_key=True),
    # The station whose export this was (schema 6): its [station] id. The column's
    # default in the database is the station the store was set up for; the app always
    # names it.
    sa.Column("station", sa.String(32), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("sheet", sa.Text),
    sa.Column("encoding", sa.String(32)),
    sa.Column("crs", sa.String(32)),
    sa.Column("imported_at", sa.String(32), nullable=False),
    sa.Column("rows_total", sa.Integer, nullable=False),
    sa.Column("rows_imported", sa.Integer, nullable=False),
    sa.Column("rows_duplicate", sa.Integer, nullable=False),
    sa.Column("rows_rejected", sa.Integer, nullable=False),
    sa.Column("synthetic", sa.Boolean, nullable=False, default=False),
    sa.Column("status", sa.String(16), nullable=False, default="active"),
    sa.Column("undone_at", sa.String(32)),
    sa.Column("summary_json", sa.Text),
    sa.Index("ix_import_batches_station", "station"),
)

_EVENT_SQL_TYPES = {
    "string": sa.Text,
    "float64": sa.Float,
    "bool": sa.Boolean,
    "Int64": sa.Integer,
}


def _event_columns() -> list[sa.Column]:
    # The station and the id's 64 bits are the key (schema 6): two stations' exports may
    # number their calls alike. See analytics.storage.schema.event_key.
    cols = [sa.Column("station", sa.String(32), primary_key=True)]
    for name, dtype in EVENT_COLUMNS.items():
        if name == "event_id":
            cols.append(sa.Column(name, sa.BigInteger, primary_key=True, autoincrement=False))
        elif name == "batch_id":
            cols.append(
                sa.Column(
                    name, sa.String(40), sa.ForeignKey("import_batches.batch_id"), nullable=False
                )
            )
        elif dtype == STATION_TIME:
            # Whole seconds since 1970-01-01 UTC (schema 5): compact, and compared as numbers.
            cols.append(sa.Column(name, sa.BigInteger, nullable=name != "occurred_at"))
        else:
            cols.append(sa.Column(name, _EVENT_SQL_TYPES[dtype]()))
    return cols


# Rows are written sorted by (source, occurred_at) within each import, so the rowid
# order follows time and a read along ix_events_source_time touches pages in order.
# The primary key is not SQLite's rowid alias (that would store rows in id order).
events = sa.Table(
    "events",
    metadata,
    *_event_columns(),
    # No index on batch_id: it would slow every import to speed up the rare undo.
    sa.Index("ix_events_station_time", "station", "source", "occurred_at"),
)

# The same events as Arrow column blocks (schema 5): what read_events reads. See
# analytics.storage.columnar. Written in the import's transaction, removed with its undo.
event_blocks = sa.Table(
    "event_blocks",
    metadata,
    sa.Column(
        "batch_id",
        sa.String(40),
        sa.ForeignKey("import_batches.batch_id"),
        primary_key=True,
    ),
    sa.Column("part", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("column_name", sa.String(32), primary_key=True),
    sa.Column("n_rows", sa.Integer, nullable=False),
    # The part's first and last occurred_at (seconds since 1970 UTC), to skip whole parts.
    sa.Column("first_at", sa.BigInteger),
    sa.Column("last_at", sa.BigInteger),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

rejected_rows = sa.Table(
    "rejected_rows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.String(40), sa.ForeignKey("import_batches.batch_id"), nullable=False),
    sa.Column("row_number", sa.Integer, nullable=False),
    sa.Column("reason_code", sa.String(40), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("reason_en", sa.Text),
    sa.Column("raw_json", sa.Text, nullable=False),
    sa.Index("ix_rejected_batch", "batch_id"),
)

suggestion_boxes = sa.Table(
    "suggestion_boxes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("box_id", sa.String(32), nullable=False),
    sa.Column("name", sa.Text),
    sa.Column("place", sa.Text, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("x", sa.Float, nullable=False),
    sa.Column("y", sa.Float, nullable=False),
    sa.Column("installed_on", sa.String(10), nullable=False),
    sa.Column("removed_on", sa.String(10)),
    sa.Column("synthetic", sa.Boolean, nullable=False, default=False),
    # Whose box (schema 8); the database's default is the station the store was set up
    # for, and the app always names it.
    sa.Column("station", sa.String(32), nullable=False),
    sa.UniqueConstraint("station", "box_id", "installed_on", name="uq_box_placement"),
)


# What the Friday meeting decided about a hotspot (schema 10), followed up the next
# Friday (analytics.compute.followup). Appended, never changed: a later decision about
# the same hotspot and meeting replaces the earlier one in what the brief shows.
decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("station", sa.String(32), nullable=False),
    sa.Column("week", sa.String(10), nullable=False),  # the meeting day (YYYY-MM-DD)
    sa.Column("hotspot_id", sa.String(16), nullable=False),
    sa.Column("place", sa.Text, nullable=False),
    sa.Column("police_unit", sa.Text),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("owner_unit", sa.Text),
    sa.Column("due_on", sa.String(10)),
    sa.Column("note", sa.Text),  # masked on the way in (analytics.access.masking)
    # The hotspot's polygon as decided on, WKB in hex, metres (the analysis CRS).
    sa.Column("area_wkb", sa.Text, nullable=False),
    sa.Column("decided_by", sa.String(200), nullable=False),
    sa.Column("decided_at", sa.String(32), nullable=False),
    sa.CheckConstraint(
        "action IN ('patrol', 'cpted', 'investigation', 'none')", name="ck_decisions_action"
    ),
    sa.Index("ix_decisions_station_week", "station", "week"),
)


# The city's answer to a CPTED request (schema 13): a decision with action 'cpted'
# (analytics.storage.cpted_answers). Appended, never changed: the latest answer (by the
# day the city answered, then by id) is what the follow-up and the box notice show.
cpted_answers = sa.Table(
    "cpted_answers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("station", sa.String(32), nullable=False),
    sa.Column("decision_id", sa.Integer, sa.ForeignKey("decisions.id"), nullable=False),
    sa.Column("answered_on", sa.String(10), nullable=False),  # YYYY-MM-DD
    sa.Column("outcome", sa.String(16), nullable=False),
    # What the city plans or installed: codes joined by ',' ('cctv,streetlight'; '' none).
    sa.Column("facilities", sa.String(64), nullable=False),
    sa.Column("note", sa.Text),  # masked on the way in (analytics.access.masking)
    sa.Column("recorded_by", sa.String(200), nullable=False),
    sa.Column("recorded_at", sa.String(32), nullable=False),
    sa.CheckConstraint(
        "outcome IN ('accepted', 'partly', 'refused', 'pending')",
        name="ck_cpted_answers_outcome",
    ),
    sa.Index("ix_cpted_answers_station_decision", "station", "decision_id"),
)

# A column mapping saved by name for a source's weekly export (schema 11): the data
# page and the CLI's ``import --template`` apply it (analytics.storage.mappings).
# Appended, never changed: saving a name again replaces it in what is read back.
import_mappings = sa.Table(
    "import_mappings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("station", sa.String(32), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    # {"columns": {header: field or "ignore"}, "date_order": "dmy" | "mdy" | null}
    sa.Column("mapping_json", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Index("ix_import_mappings_station_source", "station", "source"),
)


# Public safety facilities (schema 12): CCTV cameras, street lights and emergency bells
# from the public data portal's standard-data files (analytics.storage.facilities).
# Context for the hotspots, not events: each import is a batch of import_batches
# (source 'cctv', 'streetlight' or 'bell'), so history and undo work as for events.
facilities = sa.Table(
    "facilities",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("station", sa.String(32), nullable=False),
    sa.Column("batch_id", sa.String(40), sa.ForeignKey("import_batches.batch_id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    # A hash of the facility's content (kind, point to the metre, addresses, name,
    # count): the same facility imported again is skipped.
    sa.Column("facility_id", sa.String(24), nullable=False),
    sa.Column("name", sa.Text),  # 보안등위치명, or the bell's 설치장소유형 (masked)
    sa.Column("road_address", sa.Text),
    sa.Column("lot_address", sa.Text),
    sa.Column("x", sa.Float, nullable=False),  # metres, EPSG:5179
    sa.Column("y", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("count", sa.Integer, nullable=False, default=1),
    sa.Column("purpose", sa.Text),
    sa.Column("installed", sa.Text),
    sa.Column("reference_date", sa.String(10)),
    sa.Column("agency", sa.Text),
    # Schema 15 adds children's protection zones and women's safe houses.
    sa.CheckConstraint(
        "kind IN ('cctv', 'streetlight', 'bell', 'childzone', 'safehouse')",
        name="ck_facilities_kind",
    ),
    sa.UniqueConstraint("station", "facility_id", name="uq_facilities_station_id"),
    sa.Index("ix_facilities_station_kind", "station", "kind"),
    sa.Index("ix_facilities_batch", "batch_id"),
)


# Officers' own places (schema 14): 빈집, 무인점포, 공사장 … an analyst adds on the map
# (batch_id NULL) or by CSV (one batch of import_batches, source 'places', so history
# and undo work as for events). Never sent to a viewer (analytics.storage.places).
# A place removed by hand keeps its row, marked removed (who and when).
officer_places = sa.Table(
    "officer_places",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("station", sa.String(32), nullable=False),
    # A hash of category, point to the metre and note: the same place added twice is skipped.
    sa.Column("place_id", sa.String(24), nullable=False),
    sa.Column("category", sa.String(24), nullable=False),
    sa.Column("note", sa.Text),  # masked on the way in (analytics.access.masking)
    sa.Column("x", sa.Float, nullable=False),  # metres, EPSG:5179
    sa.Column("y", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("added_by", sa.String(200), nullable=False),
    sa.Column("added_at", sa.String(32), nullable=False),
    sa.Column("batch_id", sa.String(40), sa.ForeignKey("import_batches.batch_id"), nullable=True),
    sa.Column("removed_by", sa.String(200)),
    sa.Column("removed_at", sa.String(32)),
    sa.CheckConstraint(
        "category IN ('vacant_house', 'unmanned_store', 'construction_site', "
        "'dark_alley', 'other')",
        name="ck_officer_places_category",
    ),
    sa.Index("ix_officer_places_station", "station", "place_id"),
    sa.Index("ix_officer_places_batch", "batch_id"),
)

tuning_cache = sa.Table(
    "tuning_cache",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value_json", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)


# Sign-in and the audit log (schema revision 2). Times are ISO text in KST, like the rest.
users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("password_changed_at", sa.String(32), nullable=False),
    sa.Column("last_signin_at", sa.String(32)),
    sa.Column("locked_until", sa.String(32)),
    # Schema 9: the station whose rows the user sees, and, for a provincial user, the
    # province whose every station they may open (analytics.access.scope).
    sa.Column("station", sa.String(32), nullable=False),
    sa.Column("province", sa.String(32)),
    sa.CheckConstraint("role IN ('viewer', 'analyst', 'admin')", name="ck_users_role"),
)

# Failed sign-ins of known users inside the lockout window (pruned as they age out).
login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "user_name",
        sa.String(40),
        sa.ForeignKey("users.name", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("attempted_at", sa.String(32), nullable=False),
    sa.Index("ix_login_attempts_user", "user_name"),
)

# Signed-in browser sessions (schema revision 4). Only the SHA-256 of the cookie's
# token is kept, so a copy of the store opens no session. The role is not stored: it
# is read from users at every look-up, so a role change applies at once.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "user_name",
        sa.String(40),
        sa.ForeignKey("users.name", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("last_seen_at", sa.String(32), nullable=False),
    sa.Column("revoked_at", sa.String(32)),
    sa.Column("revoked_reason", sa.String(16)),
    sa.Column("client_address", sa.String(64)),
    sa.Index("ix_sessions_user", "user_name"),
)

# One-time sign-in grants: the sign-in page hands one to the browser, which trades it
# (once, within a minute) for the session cookie. Hashed like the tokens.
signin_grants = sa.Table(
    "signin_grants",
    metadata,
    sa.Column("grant_hash", sa.String(64), primary_key=True),
    sa.Column(
        "user_name",
        sa.String(40),
        sa.ForeignKey("users.name", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("expires_at", sa.String(32), nullable=False),
    sa.Column("client_address", sa.String(64)),
)

# Failed sign-ins per client address, known names or not (pruned as they age out).
address_attempts = sa.Table(
    "address_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("client_address", sa.String(64), nullable=False),
    sa.Column("attempted_at", sa.String(32), nullable=False),
    sa.Index("ix_address_attempts_address", "client_address"),
)

# Append-only: the app has no function that updates or deletes a row; triggers abort
# any UPDATE or DELETE (migration 0002), and on SQLite an INSERT OR REPLACE too (0003).
# Tamper-evident: each entry carries the hash of the one before it (migration 0003;
# analytics.access.audit.audit_entry_hash and verify_audit_chain).
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("batch_id", sa.String(40)),
    sa.Column("file_name", sa.Text),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("entry_hash", sa.String(64), nullable=False),
    sqlite_autoincrement=True,
)
