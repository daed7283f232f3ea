"""The tamper-evident audit log: hash chain, refused REPLACE, verification, atomic imports."""

from __future__ import annotations

import importlib
import json
import sqlite3
import threading

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command

from analytics.access import audit, users
from analytics.cli import EXIT_AUDIT_BROKEN, main
from analytics.storage import connection, migrations, store, tables
from analytics.storage.importers.errors import ImportFileError
from tests import backends
from tests.conftest import write_csv
from tests.storage.test_import_files import incident_rows
from tests.storage.test_store_upgrade import make_baseline_store

T0 = pd.Timestamp("2017-10-13 08:00", tz="Asia/Seoul")


def fill(engine, n: int = 5) -> None:
    for i in range(n):
        audit.audit(engine, actor="kim", action="export", detail=f"순찰 목록 {i}.xlsx")


def chain_rows(engine) -> list[tuple]:
    t = tables.audit_log
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(sa.select(t.c.id, t.c.prev_hash, t.c.entry_hash).order_by(t.c.id))
        ]


def tampered_copy(engine, tmp_path, *statements: str):
    """A copy of the store with ``statements`` run on it past the log's guards, as its
    owner could (on SQLite by dropping the triggers, on PostgreSQL by disabling them)."""
    copy = backends.copy_of(engine, tmp_path / "tampered.sqlite")
    backends.run_as_owner(copy, *statements, triggers_off="audit_log")
    return copy


# --- append-only ------------------------------------------------------------------------


@pytest.mark.sqlite_only  # SQLite's REPLACE; PostgreSQL: tests/storage/test_postgresql.py
def test_insert_or_replace_cannot_rewrite_an_entry(engine):
    """The tester's attack: REPLACE turned a 'signin.fail … locked' into 'signin.ok'."""
    audit.audit(engine, actor="lee", action="signin.fail", detail="wrong password; locked")
    before = audit.read_audit(engine)
    raw = sqlite3.connect(engine.url.database)
    for sql in (
        "INSERT OR REPLACE INTO audit_log (id, at, actor, action, detail, prev_hash, entry_hash)"
        " VALUES (1, '2017-10-13T08:00:00+09:00', 'lee', 'signin.ok', '', 'x', 'y')",
        "REPLACE INTO audit_log (id, at, actor, action, detail, prev_hash, entry_hash)"
        " VALUES (1, '2017-10-13T08:00:00+09:00', 'lee', 'signin.ok', '', 'x', 'y')",
        "INSERT INTO audit_log (id, at, actor, action, detail, prev_hash, entry_hash)"
        " VALUES (1, 'a', 'b', 'c', 'd', 'x', 'y') ON CONFLICT (id) DO UPDATE SET action = 'x'",
        "UPDATE audit_log SET action = 'signin.ok'",
        "DELETE FROM audit_log",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(sql)
    raw.close()
    # Through SQLAlchemy too.
    replace = (
        tables.audit_log.insert()
        .prefix_with("OR REPLACE")
        .values(
            id=1, at="x", actor="lee", action="signin.ok", detail="", prev_hash="", entry_hash=""
        )
    )
    with (
        pytest.raises(sa.exc.IntegrityError, match="append-only"),
        connection.write_transaction(engine) as conn,
    ):
        conn.execute(replace)
    pd.testing.assert_frame_equal(audit.read_audit(engine), before)
    assert audit.verify_audit_chain(engine).ok


# --- the chain --------------------------------------------------------------------------


def test_a_fresh_store_verifies(engine):
    found = audit.verify_audit_chain(engine)
    assert found.ok and found.entries == 0
    assert found.text("en") == "intact, 0 entries (the audit log is empty)"
    fill(engine, 4)
    found = audit.verify_audit_chain(engine)
    assert found.ok and found.entries == 4 and found.last_id == 4
    rows = chain_rows(engine)
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert rows[0][1] == audit.GENESIS_HASH
    assert all(rows[i][1] == rows[i - 1][2] for i in range(1, 4))
    assert found.last_hash == rows[-1][2]
    assert found.text("en") == f"intact, 4 entries (last #4, hash {rows[-1][2]})"
    assert found.text("ko").startswith("감사 기록이 온전합니다: 4건")


def test_every_kind_of_entry_is_chained(engine, tmp_path, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        users, "PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    users.add_user(engine, "kim", "correct horse battery", role="admin")
    users.authenticate(engine, "kim", "correct horse battery", now=T0)
    users.authenticate(engine, "nobody", "x", now=T0)
    result = audit.audited_import(
        engine, "kim", file=write_csv(tmp_path / "in.csv", incident_rows(2)), source="incident"
    )
    audit.audited_undo(engine, "kim", result.batch_id)
    with pytest.raises(ImportFileError):
        audit.audited_import(engine, "kim", file=b"\x00\x01", source="incident")
    found = audit.verify_audit_chain(engine)
    assert found.ok and found.entries == 6


def test_the_hash_covers_every_field():
    entry = {
        "id": 7,
        "at": "2017-10-13T08:00:00+09:00",
        "actor": "김경위",
        "action": "import",
        "detail": "rows=3",
        "batch_id": "b1",
        "file_name": "112.csv",
    }
    base = audit.audit_entry_hash(entry, audit.GENESIS_HASH)
    assert len(base) == 64 and int(base, 16) >= 0
    for key, other in [
        ("id", 8),
        ("at", "2017-10-13T08:00:01+09:00"),
        ("actor", "김경감"),
        ("action", "undo"),
        ("detail", "rows=4"),
        ("batch_id", None),
        ("file_name", None),
    ]:
        assert audit.audit_entry_hash(entry | {key: other}, audit.GENESIS_HASH) != base
    assert audit.audit_entry_hash(entry, "1" * 64) != base


def test_the_migration_hashes_as_the_app_does():
    """0003 keeps a frozen copy of the hash: it must agree with the app's."""
    rev = importlib.import_module("analytics.storage.migrations.versions.0003_audit_chain")
    entry = {
        "id": 1,
        "at": "2017-10-13T08:00:00+09:00",
        "actor": "kim\\x0a",
        "action": "signin.fail",
        "detail": "wrong password (5 of 5); locked until 2017-10-13T08:15:00+09:00",
        "batch_id": None,
        "file_name": "민원.xlsx",
    }
    assert rev.GENESIS_HASH == audit.GENESIS_HASH
    assert rev.entry_hash(entry, "ab" * 32) == audit.audit_entry_hash(entry, "ab" * 32)


@pytest.mark.parametrize(
    ("statements", "broken_id", "problem", "prev_id"),
    [
        # An edited entry: its own hash no longer matches.
        (["UPDATE audit_log SET detail = 'nothing to see' WHERE id = 3"], 3, "entry_hash", 2),
        # A removed entry: the next one points at a hash that is gone.
        (["DELETE FROM audit_log WHERE id = 2"], 3, "prev_hash", 1),
        # The first entries removed: the chain no longer starts at zero.
        (["DELETE FROM audit_log WHERE id <= 2"], 3, "first", None),
        # An entry slipped in between, with a plausible hash of its own.
        (
            [
                "INSERT INTO audit_log (id, at, actor, action, detail, prev_hash, entry_hash) "
                "SELECT 35, at, actor, action, 'inserted', entry_hash, entry_hash "
                "FROM audit_log WHERE id = 3",
                # (ids here are renumbered so that 35 sorts between 3 and 4)
                "UPDATE audit_log SET id = id * 10 WHERE id IN (4, 5)",
            ],
            35,
            "entry_hash",
            3,
        ),
    ],
)
def test_tampering_is_reported_at_the_right_entry(
    engine, tmp_path, statements, broken_id, problem, prev_id
):
    fill(engine, 5)
    copy = tampered_copy(engine, tmp_path, *statements)
    found = audit.verify_audit_chain(copy)
    assert not found.ok
    assert (found.broken_id, found.problem, found.prev_id) == (broken_id, problem, prev_id)
    assert f"#{broken_id}" in found.text("ko") and "변조" in found.text("ko")
    assert found.text("en").startswith(f"audit log broken at entry #{broken_id}")
    assert audit.verify_audit_chain(engine).ok  # the original is untouched


def test_a_rehashed_edit_is_reported_at_the_next_entry(engine, tmp_path):
    """Editing an entry and recomputing its hash moves the break to the next link."""
    fill(engine, 5)
    rows = {r[0]: r for r in chain_rows(engine)}
    entry = audit.read_audit(engine, limit=None).set_index("id").loc[3]
    forged = {
        "id": 3,
        "at": "2017-10-13T08:00:00+09:00",
        "actor": entry["actor"],
        "action": "export",
        "detail": "nothing",
        "batch_id": None,
        "file_name": None,
    }
    digest = audit.audit_entry_hash(forged, rows[2][2])
    copy = tampered_copy(
        engine,
        tmp_path,
        f"UPDATE audit_log SET at = '{forged['at']}', detail = 'nothing', "
        f"entry_hash = '{digest}' WHERE id = 3",
    )
    found = audit.verify_audit_chain(copy)
    assert (found.broken_id, found.problem, found.prev_id) == (4, "prev_hash", 3)
    assert (found.expected, found.found) == (digest, rows[3][2])


def test_concurrent_writers_keep_one_chain(store_url):
    path = store_url
    store.open_store(path).dispose()

    def write(who: str) -> None:
        engine = store.open_store(path)
        for i in range(15):
            audit.audit(engine, actor=who, action="export", detail=str(i))
        engine.dispose()

    threads = [threading.Thread(target=write, args=(f"user{k}",)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    found = audit.verify_audit_chain(store.open_store(path))
    assert found.ok and found.entries == 45


# --- migration ---------------------------------------------------------------------------


def make_revision2_store(path) -> None:
    """A store at revision 0002 (no chain yet) with audit entries written as 0002 did."""
    make_baseline_store(path)
    engine = connection.make_engine(f"sqlite:///{path}")
    with connection.write_transaction(engine) as conn:
        command.stamp(migrations.alembic_config(conn), migrations.BASELINE_REVISION)
        command.upgrade(migrations.alembic_config(conn), "0002_users_audit")
    engine.dispose()
    con = sqlite3.connect(path)
    con.executemany(
        "INSERT INTO audit_log (at, actor, action, detail, batch_id, file_name) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("2017-10-10T09:00:00+09:00", "cli:kim", "user.add", "name=kim role=admin", None, None),
            ("2017-10-10T09:01:00+09:00", "kim", "signin.ok", "role=admin", None, None),
            (
                "2017-10-10T09:02:00+09:00",
                "kim",
                "import",
                "rows=3",
                "20171010-090000-aaaaaa",
                "112_신고.csv",
            ),
            ("2017-10-10T09:03:00+09:00", "lee", "signin.fail", "unknown user", None, None),
        ],
    )
    con.commit()
    con.close()


@pytest.mark.sqlite_only  # the revision-2 store is built as a SQLite file
def test_a_revision2_store_gets_a_valid_chain(tmp_path):
    path = tmp_path / "store.sqlite"
    make_revision2_store(path)
    con = sqlite3.connect(path)
    before = con.execute(
        "SELECT id, at, actor, action, detail, batch_id, file_name FROM audit_log ORDER BY id"
    ).fetchall()
    assert (
        con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0002_users_audit"
    )
    con.close()

    engine = store.open_store(str(path))

    con = sqlite3.connect(path)
    after = con.execute(
        "SELECT id, at, actor, action, detail, batch_id, file_name FROM audit_log ORDER BY id"
    ).fetchall()
    version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert version == str(tables.SCHEMA_VERSION)
    con.close()
    assert after == before  # every entry kept as it was
    found = audit.verify_audit_chain(engine)
    assert found.ok and found.entries == 4
    # New entries continue the back-filled chain, with the triggers back in place.
    audit.audit(engine, actor="kim", action="export", detail="brief.xlsx")
    found = audit.verify_audit_chain(engine)
    assert found.ok and (found.entries, found.last_id) == (5, 5)
    raw = sqlite3.connect(path)
    for sql in (
        "UPDATE audit_log SET actor = 'x'",
        "DELETE FROM audit_log WHERE id = 1",
        "INSERT OR REPLACE INTO audit_log SELECT * FROM audit_log WHERE id = 2",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(sql)
    raw.close()


@pytest.mark.sqlite_only  # the revision-2 store is built as a SQLite file
def test_downgrade_from_the_chain_keeps_the_entries(tmp_path):
    path = tmp_path / "store.sqlite"
    make_revision2_store(path)
    engine = store.open_store(str(path))
    with connection.write_transaction(engine) as conn:
        command.downgrade(migrations.alembic_config(conn), "0002_users_audit")
    con = sqlite3.connect(path)
    columns = [r[1] for r in con.execute("PRAGMA table_info('audit_log')")]
    triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 4
    con.close()
    assert "prev_hash" not in columns and triggers == {"audit_log_no_update", "audit_log_no_delete"}
    assert audit.verify_audit_chain(store.open_store(str(path))).ok  # up again: chained anew


# --- atomic imports and undos ---------------------------------------------------------------


def refuse_audit(engine, action: str) -> None:
    """Make the database refuse an audit entry of ``action`` (a deterministic failure)."""
    backends.refuse_audit_action(engine, action)


def test_an_import_without_its_audit_entry_lands_nothing(engine, tmp_path):
    refuse_audit(engine, "import")
    path = write_csv(tmp_path / "in.csv", incident_rows(3))
    with pytest.raises(sa.exc.IntegrityError, match="audit refused"):
        audit.audited_import(engine, "kim", file=path, source="incident")
    assert store.is_empty(engine)
    assert store.table_counts(engine) | {"meta": 0} == dict.fromkeys(store.table_counts(engine), 0)
    assert audit.read_audit(engine).empty


def test_the_import_entry_is_written_in_the_import_transaction(engine, tmp_path, monkeypatch):
    """When the hook runs, the batch is visible on its connection and nowhere else yet."""
    seen = {}
    real = audit.audit_in

    def spy(conn, **kw):
        with engine.connect() as other:
            seen["outside"] = other.execute(
                sa.select(sa.func.count()).select_from(tables.import_batches)
            ).scalar_one()
        seen["inside"] = conn.execute(
            sa.select(sa.func.count()).select_from(tables.import_batches)
        ).scalar_one()
        return real(conn, **kw)

    monkeypatch.setattr(audit, "audit_in", spy)
    result = audit.audited_import(
        engine, "kim", file=write_csv(tmp_path / "in.csv", incident_rows(2)), source="incident"
    )
    assert seen == {"inside": 1, "outside": 0}
    entry = audit.read_audit(engine, limit=1).iloc[0]
    assert (entry["action"], entry["batch_id"]) == ("import", result.batch_id)


def test_an_undo_without_its_audit_entry_undoes_nothing(engine, tmp_path):
    path = write_csv(tmp_path / "in.csv", incident_rows(3))
    result = audit.audited_import(engine, "kim", file=path, source="incident")
    refuse_audit(engine, "undo")
    with pytest.raises(sa.exc.IntegrityError, match="audit refused"):
        audit.audited_undo(engine, "kim", result.batch_id)
    assert store.source_counts(engine)["incident"] == 3
    assert store.list_batches(engine)["status"].tolist() == ["active"]
    assert audit.read_audit(engine)["action"].tolist() == ["import"]


# --- the command line ------------------------------------------------------------------------


def test_cli_audit_verify(engine, tmp_path, capsys):
    fill(engine, 3)
    db = engine.url.render_as_string(hide_password=False)
    assert main(["audit", "--verify", "--db", db, "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("intact, 3 entries (last #3, hash ")
    assert main(["audit", "--verify", "--db", db]) == 0
    assert "감사 기록이 온전합니다: 3건" in capsys.readouterr().out
    copy = tampered_copy(engine, tmp_path, "UPDATE audit_log SET actor = 'lee' WHERE id = 2")
    copy_url = copy.url.render_as_string(hide_password=False)
    assert main(["audit", "--verify", "--db", copy_url]) == EXIT_AUDIT_BROKEN
    err = capsys.readouterr().err
    assert "#2 항목의 내용이 저장된 해시와 맞지 않습니다" in err
    assert main(["audit", "--verify", "--db", copy_url, "--json"]) == EXIT_AUDIT_BROKEN
    out = json.loads(capsys.readouterr().out)
    assert (out["ok"], out["broken_id"], out["problem"], out["entries"]) == (
        False,
        2,
        "entry_hash",
        3,
    )
