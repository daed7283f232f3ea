"""Schema revisions: a store from before Alembic is upgraded in place, keeping every row."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from analytics.access import users
from analytics.storage import connection, migrations, store
from analytics.storage.migrations.baseline import BASELINE_TABLES, baseline_metadata
from analytics.storage.schema import event_id_text
from analytics.storage.tables import SCHEMA_VERSION, metadata

# The schema exactly as the store was created before this change (schema_version 1),
# as SQLAlchemy emitted it for analytics/storage/store.py at that time: literal SQL, so these
# tests do not depend on the code under test to build the old store.
BASELINE_DDL = """
CREATE TABLE meta (
    "key" VARCHAR(64) NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY ("key")
);
CREATE TABLE import_batches (
    batch_id VARCHAR(40) NOT NULL,
    source VARCHAR(16) NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 VARCHAR(64) NOT NULL,
    sheet TEXT,
    encoding VARCHAR(32),
    crs VARCHAR(32),
    imported_at VARCHAR(32) NOT NULL,
    rows_total INTEGER NOT NULL,
    rows_imported INTEGER NOT NULL,
    rows_duplicate INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    synthetic BOOLEAN NOT NULL,
    status VARCHAR(16) NOT NULL,
    undone_at VARCHAR(32),
    summary_json TEXT,
    PRIMARY KEY (batch_id)
);
CREATE TABLE suggestion_boxes (
    id INTEGER NOT NULL,
    box_id VARCHAR(32) NOT NULL,
    name TEXT,
    place TEXT NOT NULL,
    lat FLOAT NOT NULL,
    lon FLOAT NOT NULL,
    x FLOAT NOT NULL,
    y FLOAT NOT NULL,
    installed_on VARCHAR(10) NOT NULL,
    removed_on VARCHAR(10),
    synthetic BOOLEAN NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_box_placement UNIQUE (box_id, installed_on)
);
CREATE TABLE tuning_cache (
    "key" TEXT NOT NULL,
    value_json TEXT NOT NULL,
    created_at VARCHAR(32) NOT NULL,
    PRIMARY KEY ("key")
);
CREATE TABLE events (
    event_id VARCHAR(40) NOT NULL,
    source TEXT,
    source_record_id TEXT,
    occurred_at VARCHAR(32) NOT NULL,
    category TEXT,
    category_label TEXT,
    category_raw TEXT,
    lat FLOAT,
    lon FLOAT,
    x FLOAT,
    y FLOAT,
    location_text TEXT,
    geocode_method TEXT,
    geocode_match TEXT,
    geocode_score FLOAT,
    emd TEXT,
    police_unit TEXT,
    inside_station BOOLEAN,
    description TEXT,
    batch_id VARCHAR(40) NOT NULL,
    slot_start_hour INTEGER,
    slot_end_hour INTEGER,
    box_id TEXT,
    status TEXT,
    agency TEXT,
    resolved_at VARCHAR(32),
    priority_code TEXT,
    severity TEXT,
    PRIMARY KEY (event_id),
    FOREIGN KEY(batch_id) REFERENCES import_batches (batch_id)
);
CREATE INDEX ix_events_source_time ON events (source, occurred_at);
CREATE TABLE rejected_rows (
    id INTEGER NOT NULL,
    batch_id VARCHAR(40) NOT NULL,
    row_number INTEGER NOT NULL,
    reason_code VARCHAR(40) NOT NULL,
    reason TEXT NOT NULL,
    reason_en TEXT,
    raw_json TEXT NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(batch_id) REFERENCES import_batches (batch_id)
);
CREATE INDEX ix_rejected_batch ON rejected_rows (batch_id);
"""

BATCH = (
    "INSERT INTO import_batches VALUES "
    "(?, ?, ?, ?, NULL, 'cp949', 'EPSG:5179', ?, ?, ?, 0, ?, ?, ?, ?, '{\"imported\": 1}')"
)
EVENT_FIXED = {
    "lat": 35.408,
    "lon": 127.3842,
    "x": 964000.5,
    "y": 1706000.25,
    "location_text": "공설시장",
    "geocode_method": "given",
    "geocode_score": 1.0,
    "emd": "죽항동",
    "police_unit": "중앙지구대",
    "inside_station": 1,
}
EVENTS = [
    {
        "event_id": "inc_0000000000000001abcd",
        "source": "incident",
        "source_record_id": "2017-0001",
        "occurred_at": "2017-10-10T21:35:00+09:00",
        "category": "violence",
        "category_label": "폭력",
        "description": "주취자 시비",
        "batch_id": "20171010-090000-aaaaaa",
        "priority_code": "C2",
        "severity": "high",
    },
    {
        "event_id": "inc_ff00000000000002abcd",
        "source": "incident",
        "source_record_id": "2017-0002",
        "occurred_at": "2017-10-11T01:10:00+09:00",
        "category": "theft",
        "category_label": "절도",
        "batch_id": "20171010-090000-aaaaaa",
        "priority_code": "C3",
        "severity": "medium",
    },
    {
        "event_id": "sug_1",
        "source": "suggestion",
        "occurred_at": "2017-10-09T00:00:00+09:00",
        "category": "dark",
        "category_label": "어두운 길",
        "description": "가로등이 꺼져 있어요",
        "batch_id": "20171010-091500-bbbbbb",
        "slot_start_hour": 21,
        "slot_end_hour": 23,
        "box_id": "BOX-01",
    },
]


def make_baseline_store(path, *, with_rows: bool = True, skip: tuple[str, ...] = ()) -> None:
    """A store as the pre-Alembic app left it: the six tables, meta rows, some data."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    ddl = BASELINE_DDL
    for table in skip:
        start = ddl.index(f"CREATE TABLE {table} (")
        ddl = ddl[:start] + ddl[ddl.index(");", start) + 2 :]
    con.executescript(ddl)
    con.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("schema_version", "1"), ("created_at", "2017-10-01T09:00:00+09:00")],
    )
    if with_rows:
        batches = [
            ("20171010-090000-aaaaaa", "incident", "112_신고.csv", "a" * 64, 3, 2, 1, 0),
            ("20171010-091500-bbbbbb", "suggestion", "소리함.csv", "b" * 64, 1, 1, 0, 1),
            ("20171011-100000-cccccc", "complaint", "민원.xlsx", "c" * 64, 1, 1, 0, 0),
        ]
        for bid, src, name, sha, total, imported, rejected, synthetic in batches:
            status = "undone" if bid.endswith("c") else "active"
            undone = "2017-10-12T10:00:00+09:00" if status == "undone" else None
            con.execute(
                BATCH,
                (
                    bid,
                    src,
                    name,
                    sha,
                    "2017-10-10T09:00:00+09:00",
                    total,
                    imported,
                    rejected,
                    synthetic,
                    status,
                    undone,
                ),
            )
        for event in EVENTS:
            row = EVENT_FIXED | event
            con.execute(
                f"INSERT INTO events ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                tuple(row.values()),
            )
        con.execute(
            "INSERT INTO rejected_rows (batch_id, row_number, reason_code, reason, reason_en, "
            "raw_json) VALUES (?, 5, 'bad_date', ?, ?, ?)",
            (
                "20171010-090000-aaaaaa",
                "날짜를 해석할 수 없습니다: '2017-13-45'",
                "cannot read the date: '2017-13-45'",
                '{"접수일시": "2017-13-45", "비고": "010-****-****"}',
            ),
        )
        con.executemany(
            "INSERT INTO suggestion_boxes (box_id, name, place, lat, lon, x, y, installed_on, "
            "removed_on, synthetic) VALUES (?, ?, ?, 35.41, 127.39, 964100.0, 1706100.0, ?, ?, 0)",
            [
                ("BOX-01", "중앙지구대", "중앙지구대 민원실", "2017-07-01", "2017-09-30"),
                ("BOX-01", "향기원", "향기원 1층", "2017-10-01", None),
            ],
        )
    if with_rows and "tuning_cache" not in skip:
        con.execute(
            "INSERT INTO tuning_cache VALUES ('tune|2017-10-06', '{\"eps_m\": 80}', "
            "'2017-10-06T07:00:00+09:00')"
        )
    con.commit()
    con.close()


# Schema 5 keeps an id's first 16 hex digits as a number (an id of another form: its
# SHA-1's) and times as seconds since 1970 UTC; these are the values a kept row must have.
KEPT_IDS = {
    "inc_0000000000000001abcd": "inc_0000000000000001",
    "inc_ff00000000000002abcd": "inc_ff00000000000002",
    "sug_1": "sug_62d82f7b38f22ca4",  # sha1("sug_1")[:8]
}


def _rows(con, table: str) -> list[tuple]:
    """A table's rows in a stable order, without the station column of schema 6."""
    cur = con.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cur.description]
    return sorted(
        tuple(v for n, v in zip(names, row, strict=True) if n != "station")
        for row in cur.fetchall()
    )


def stations(path) -> set[tuple[str, str]]:
    """(table, station) pairs of the rows that carry a station."""
    con = sqlite3.connect(path)
    try:
        return {
            (t, s)
            for t in ("import_batches", "events", "suggestion_boxes")
            for (s,) in con.execute(f"SELECT DISTINCT station FROM {t}")
        }
    finally:
        con.close()


def dump(path) -> dict[str, list[tuple]]:
    """Every row of every baseline table, in a stable order; events with their ids as
    schema 5 writes them and times as UTC seconds, whichever schema the file is at."""
    con = sqlite3.connect(path)
    try:
        out = {t: _rows(con, t) for t in BASELINE_TABLES if t not in ("meta", "events")} | {
            "meta": con.execute("SELECT * FROM meta WHERE key != 'schema_version'").fetchall()
        }
        cur = con.execute("SELECT * FROM events")
        names = [d[0] for d in cur.description]
        rows = []
        for row in cur.fetchall():
            event = dict(zip(names, row, strict=True))
            event.pop("station", None)
            event["event_id"] = _kept_id(event["event_id"], event["source"])
            for t in ("occurred_at", "resolved_at"):
                if isinstance(event[t], str):
                    event[t] = int(pd.Timestamp(event[t]).timestamp())
            rows.append(tuple(event.values()))
        out["events"] = sorted(rows)
        return out
    finally:
        con.close()


def _kept_id(value, source: str) -> str:
    if isinstance(value, int):  # schema 5
        return str(event_id_text(np.array([value]), [source])[0])
    return KEPT_IDS.get(value, value)


def schema(path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        con.close()


def structure(path) -> dict:
    """Columns, indexes and foreign keys of each table, as SQLite reports them."""
    con = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        out = {}
        for t in tables:
            indexes = {
                r[1]: (r[2], [c[2] for c in con.execute(f"PRAGMA index_info('{r[1]}')")])
                for r in con.execute(f"PRAGMA index_list('{t}')")
            }
            out[t] = (
                con.execute(f"PRAGMA table_info('{t}')").fetchall(),
                sorted(indexes.items()),
                con.execute(f"PRAGMA foreign_key_list('{t}')").fetchall(),
            )
        return out
    finally:
        con.close()


def revision(path) -> str | None:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.OperationalError:
        return None
    finally:
        con.close()


def scalar(path, sql: str):
    """The one value ``sql`` gives on the SQLite file at ``path``."""
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def meta_version(path) -> str:
    return scalar(path, "SELECT value FROM meta WHERE key = 'schema_version'")


def schema_diff(engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), metadata)


def test_baseline_revision_is_the_pre_alembic_schema(tmp_path):
    old, new = tmp_path / "old.sqlite", tmp_path / "new.sqlite"
    make_baseline_store(old, with_rows=False)
    engine = sa.create_engine(f"sqlite:///{new}")
    with engine.begin() as conn:
        baseline_metadata().create_all(conn)
    engine.dispose()
    assert structure(old) == structure(new)
    assert sorted(structure(old)) == sorted(BASELINE_TABLES)


def test_a_pre_alembic_store_is_upgraded_keeping_every_row(tmp_path):
    path = tmp_path / "store.sqlite"
    make_baseline_store(path)
    before = dump(path)
    assert sum(len(rows) for rows in before.values()) == 3 + 3 + 1 + 2 + 1 + 1
    assert revision(path) is None

    engine = store.open_store(str(path))

    assert dump(path) == before
    assert stations(path) == {
        ("import_batches", "namwon"),
        ("events", "namwon"),
        ("suggestion_boxes", "namwon"),
    }
    assert revision(path) == migrations.head_revision() == "0015_child_zones_safe_houses"
    assert meta_version(path) == str(SCHEMA_VERSION) == "15"
    tables = set(sa.inspect(engine).get_table_names())
    assert {"users", "login_attempts", "audit_log", "alembic_version"} <= tables
    assert {"sessions", "signin_grants", "address_attempts"} <= tables
    triggers = {r[1] for r in schema(path) if r[0] == "trigger"}
    assert triggers == {"audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace"}
    assert schema_diff(engine) == []
    # The app reads the old rows as before, and the new tables work.
    events = store.read_events(engine)
    # By time: the card (9 Oct), then the two calls (10 and 11 Oct).
    assert events["event_id"].tolist() == [
        "sug_62d82f7b38f22ca4",
        "inc_0000000000000001",
        "inc_ff00000000000002",
    ]
    assert events["occurred_at"].iloc[1] == pd.Timestamp("2017-10-10T21:35:00+09:00")
    assert events.loc[events["source"] == "suggestion", "slot_start_hour"].iloc[0] == 21
    assert store.list_batches(engine)["status"].value_counts().to_dict() == {
        "active": 2,
        "undone": 1,
    }
    assert store.read_rejected(engine)["raw"].iloc[0]["접수일시"] == "2017-13-45"
    assert store.cache_get(engine, "tune|2017-10-06") == {"eps_m": 80}
    users.add_user(engine, "kim", "correct horse battery", role="admin")
    assert users.authenticate(engine, "kim", "correct horse battery") == "admin"


def test_opening_twice_is_a_no_op(tmp_path):
    path = tmp_path / "store.sqlite"
    make_baseline_store(path)
    engine = store.open_store(str(path))
    engine.dispose()
    rows, shape = dump(path), schema(path)
    version = store.data_version(store.open_store(str(path)))
    assert migrations.upgrade(store.open_store(str(path))) is False
    assert dump(path) == rows and schema(path) == shape
    assert store.data_version(store.open_store(str(path))) == version
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
    con.close()


def test_a_new_store_is_created_at_head(tmp_path):
    path = tmp_path / "new.sqlite"
    engine = store.open_store(str(path))
    assert revision(path) == migrations.head_revision()
    assert meta_version(path) == str(SCHEMA_VERSION) == "15"
    assert schema_diff(engine) == []
    assert store.is_empty(engine) and not users.has_users(engine)
    # The same schema as an upgraded old store.
    old = tmp_path / "old.sqlite"
    make_baseline_store(old, with_rows=False)
    store.open_store(str(old))
    assert structure(old) == structure(path)


def page_size(path) -> int:
    return scalar(path, "PRAGMA page_size")


def test_a_new_store_has_large_pages_and_an_old_one_keeps_its_own(tmp_path):
    new, old = tmp_path / "new.sqlite", tmp_path / "old.sqlite"
    store.open_store(str(new)).dispose()
    assert page_size(new) == connection.PAGE_SIZE == 32_768
    make_baseline_store(old)
    assert page_size(old) == 4096
    engine = store.open_store(str(old))
    # Opening, upgrading and writing leave an old store's pages as they were.
    users.add_user(engine, "kim", "correct horse battery", role="admin")
    engine.dispose()
    assert page_size(old) == 4096
    assert len(store.read_events(store.open_store(str(old)))) == 3


def test_a_pre_alembic_store_missing_a_table_is_completed(tmp_path):
    path = tmp_path / "store.sqlite"
    make_baseline_store(path, skip=("tuning_cache",))
    engine = store.open_store(str(path))
    assert "tuning_cache" in sa.inspect(engine).get_table_names()
    assert store.table_counts(engine) | {"meta": 2} == {
        "meta": 2,
        "import_batches": 3,
        "events": 3,
        "event_blocks": 0,
        "rejected_rows": 1,
        "suggestion_boxes": 2,
        "tuning_cache": 0,
        "decisions": 0,
        "cpted_answers": 0,
        "import_mappings": 0,
        "facilities": 0,
        "officer_places": 0,
        "users": 0,
        "login_attempts": 0,
        "audit_log": 0,
        "sessions": 0,
        "signin_grants": 0,
        "address_attempts": 0,
    }
    assert schema_diff(engine) == []


def test_a_store_from_a_newer_app_is_refused(tmp_path):
    path = tmp_path / "store.sqlite"
    store.open_store(str(path)).dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    con.commit()
    con.close()
    with pytest.raises(connection.StoreVersionError, match="0099_from_the_future"):
        store.open_store(str(path))


def test_downgrade_to_baseline_and_up_again(tmp_path):
    path = tmp_path / "store.sqlite"
    make_baseline_store(path)
    before = dump(path)
    engine = store.open_store(str(path))
    with connection.write_transaction(engine) as conn:
        command.downgrade(migrations.alembic_config(conn), migrations.BASELINE_REVISION)
    assert revision(path) == "0001_baseline" and meta_version(path) == "1"
    assert "users" not in sa.inspect(engine).get_table_names()
    assert dump(path) == before
    store.open_store(str(path))
    assert revision(path) == "0015_child_zones_safe_houses" and dump(path) == before


def test_create_false_leaves_a_missing_store_alone(tmp_path):
    with pytest.raises(FileNotFoundError):
        store.open_store(str(tmp_path / "nowhere.sqlite"), create=False)
    path = tmp_path / "old.sqlite"
    make_baseline_store(path)
    store.open_store(str(path), create=False)
    assert revision(path) == migrations.head_revision()


def test_migrations_have_one_head_and_a_line_from_the_baseline():
    scripts = migrations._scripts()
    assert scripts.get_heads() == ["0015_child_zones_safe_houses"]
    chain = [s.revision for s in scripts.walk_revisions()][::-1]
    assert chain == [
        "0001_baseline",
        "0002_users_audit",
        "0003_audit_chain",
        "0004_sessions",
        "0005_integer_events",
        "0006_stations",
        "0007_events_by_station",
        "0008_boxes_by_station",
        "0009_users_by_station",
        "0010_decisions",
        "0011_import_mappings",
        "0012_facilities",
        "0013_cpted_answers",
        "0014_officer_places",
        "0015_child_zones_safe_houses",
    ]


def test_a_failed_upgrade_leaves_the_store_as_it_was(tmp_path):
    path = tmp_path / "store.sqlite"
    make_baseline_store(path)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE users (name TEXT)")  # in the way of revision 0002
    con.commit()
    con.close()
    before, shape = dump(path), schema(path)
    with pytest.raises(sa.exc.OperationalError, match="users already exists"):
        store.open_store(str(path))
    assert dump(path) == before and schema(path) == shape
    assert revision(path) is None and meta_version(path) == "1"


def _add_facility(path, kind: str, facility_id: str) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute(
            "INSERT INTO facilities (station, batch_id, kind, facility_id, x, y, lat, lon, count)"
            " VALUES ('namwon', 'b1', ?, ?, 1.0, 2.0, 35.4, 127.4, 1)",
            (kind, facility_id),
        )
        con.commit()
    finally:
        con.close()


def test_schema_15_lets_facilities_be_child_zones_and_safe_houses(tmp_path):
    path = tmp_path / "store.sqlite"
    engine = store.open_store(str(path))
    with connection.write_transaction(engine) as conn:
        command.downgrade(migrations.alembic_config(conn), "0014_officer_places")
    engine.dispose()
    assert revision(path) == "0014_officer_places" and meta_version(path) == "14"
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO import_batches (batch_id, station, source, file_name, file_sha256,"
        " imported_at, rows_total, rows_imported, rows_duplicate, rows_rejected, synthetic,"
        " status) VALUES ('b1', 'namwon', 'cctv', 'c.csv', 'ab', '2017-10-10', 1, 1, 0, 0,"
        " 0, 'active')"
    )
    con.commit()
    con.close()
    _add_facility(path, "cctv", "cct_1")
    with pytest.raises(sqlite3.IntegrityError, match="ck_facilities_kind"):
        _add_facility(path, "childzone", "chz_1")

    engine = store.open_store(str(path))
    assert revision(path) == "0015_child_zones_safe_houses" and meta_version(path) == "15"
    assert schema_diff(engine) == []
    _add_facility(path, "childzone", "chz_1")
    _add_facility(path, "safehouse", "sfh_1")
    with pytest.raises(sqlite3.IntegrityError, match="ck_facilities_kind"):
        _add_facility(path, "school", "x_1")
    con = sqlite3.connect(path)
    kept = con.execute("SELECT facility_id, kind FROM facilities ORDER BY id").fetchall()
    con.close()
    assert kept == [("cct_1", "cctv"), ("chz_1", "childzone"), ("sfh_1", "safehouse")]
    # The same table, indexes and all, as a new store's.
    new = tmp_path / "new.sqlite"
    store.open_store(str(new)).dispose()
    assert structure(path)["facilities"] == structure(new)["facilities"]
    # Down again only once no zone or safe house is left.
    with (
        connection.write_transaction(engine) as conn,
        pytest.raises(RuntimeError, match="child zones or safe houses"),
    ):
        command.downgrade(migrations.alembic_config(conn), "0014_officer_places")
    engine.dispose()
