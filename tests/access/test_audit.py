"""The audit log: entries, refused actions, append-only, every action, audited imports."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from analytics.access import audit, identity, users
from analytics.cli import main
from analytics.storage import connection, store, tables
from analytics.storage.importers.errors import ImportFileError
from tests.access.conftest import MIN, PW, T0, actions
from tests.conftest import write_csv
from tests.storage.test_import_files import incident_rows

pytestmark = pytest.mark.usefixtures("fast_hashing")


# --- audit log ----------------------------------------------------------------------


def test_audit_entries_newest_first_with_limit(engine):
    for i in range(5):
        audit.audit(engine, actor="kim", action="export", detail=f"patrol list {i}")
    log = audit.read_audit(engine, limit=3)
    assert log["detail"].tolist() == ["patrol list 4", "patrol list 3", "patrol list 2"]
    assert list(log.columns) == list(audit.AUDIT_COLUMNS)
    assert str(log["at"].dt.tz) == "Asia/Seoul"
    assert len(audit.read_audit(engine)) == 5


def test_audit_refuses_bad_actions_and_escapes_control_characters(engine):
    with pytest.raises(identity.AuthError, match="동작 이름"):
        audit.audit(engine, actor="kim", action="Export; DROP TABLE")
    with pytest.raises(identity.AuthError):
        audit.audit(engine, actor="", action="export")
    audit.audit(engine, actor="kim\nsignin.ok admin", action="export", detail="a\x1b[2Jb")
    row = audit.read_audit(engine, limit=1).iloc[0]
    assert row["actor"] == "kim\\x0asignin.ok admin" and row["detail"] == "a\\x1b[2Jb"


def test_audit_log_is_append_only(engine):
    audit.audit(engine, actor="kim", action="export", detail="brief.xlsx")
    # SQLite's trigger raises an integrity error, PostgreSQL's a raised exception.
    for change in (tables.audit_log.update().values(detail="nothing"), tables.audit_log.delete()):
        with (
            pytest.raises(sa.exc.DBAPIError, match="append-only"),
            connection.write_transaction(engine) as conn,
        ):
            conn.execute(change)
    # Nor from outside the app, with the database's plain driver.
    for statement in ("DELETE FROM audit_log", "UPDATE audit_log SET actor = 'someone else'"):
        if engine.dialect.name == "sqlite":
            raw = sqlite3.connect(engine.url.database)
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                raw.execute(statement)
            raw.close()
        else:
            proxy = engine.raw_connection()
            with pytest.raises(Exception, match="append-only"):
                proxy.driver_connection.execute(statement)
            proxy.rollback()
            proxy.close()
    assert audit.read_audit(engine)["detail"].tolist() == ["brief.xlsx"]
    # And no access module offers a way to change an entry.
    for module in Path(audit.__file__).parent.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        assert "audit_log.update" not in source and "audit_log.delete" not in source, module


def test_every_action_is_recorded(engine, store_url, tmp_path, capsys):
    """signin.*, import, undo, export, user.*, backup: one of each in the log."""
    users.add_user(engine, "kim", PW, role="admin")
    users.add_user(engine, "lee", PW)
    users.set_role(engine, "lee", "analyst", actor="kim")
    users.set_password(engine, "lee", "another password", actor="kim")
    users.authenticate(engine, "kim", PW)
    users.authenticate(engine, "kim", "wrong")
    for i in range(5):
        users.authenticate(engine, "lee", "wrong", now=T0 + i * MIN)
    users.authenticate(engine, "lee", "another password", now=T0 + 5 * MIN)
    path = write_csv(tmp_path / "in.csv", incident_rows(3))
    result = audit.audited_import(engine, "lee", file=path, source="incident")
    audit.audited_undo(engine, "lee", result.batch_id)
    audit.audit(engine, actor="kim", action="export", detail="patrol list 중앙지구대.xlsx")
    users.remove_user(engine, "lee", actor="kim")
    assert main(["backup", str(tmp_path / "copy.backup"), "--db", store_url]) == 0
    have = set(actions(engine))
    wanted = {
        "signin.ok",
        "signin.fail",
        "signin.locked",
        "import",
        "undo",
        "export",
        "user.add",
        "user.remove",
        "user.passwd",
        "user.role",
        "backup",
    }
    assert wanted <= have <= set(audit.ACTIONS)


def test_audited_import_and_undo(engine, tmp_path):
    path = write_csv(tmp_path / "week41.csv", incident_rows(3))
    result = audit.audited_import(engine, "analyst1", file=path, source="incident")
    entry = audit.read_audit(engine, limit=1).iloc[0]
    assert (entry["action"], entry["actor"]) == ("import", "analyst1")
    assert entry["batch_id"] == result.batch_id and entry["file_name"] == "week41.csv"
    assert entry["detail"] == "source=incident rows=3 imported=3 duplicates=0 rejected=0"
    assert audit.audited_undo(engine, "analyst1", result.batch_id) == 3
    entry = audit.read_audit(engine, limit=1).iloc[0]
    assert (entry["action"], entry["batch_id"], entry["file_name"]) == (
        "undo",
        result.batch_id,
        "week41.csv",
    )
    assert entry["detail"] == "removed=3"
    with pytest.raises(store.UnknownBatchError):
        audit.audited_undo(engine, "analyst1", "no-such-batch")
    assert len(audit.read_audit(engine)) == 2


def test_failed_import_is_audited_and_raised(engine, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [["접수번호", "장소"], ["1", "용남시장"]])
    with pytest.raises(ImportFileError):
        audit.audited_import(engine, "analyst1", file=path, source="incident")
    entry = audit.read_audit(engine, limit=1).iloc[0]
    assert entry["action"] == "import.fail" and entry["file_name"] == "bad.csv"
    assert "error.no_date_column" in entry["detail"]
    assert store.is_empty(engine)


def test_upload_bytes_are_audited_by_their_file_name(engine, tmp_path):
    data = write_csv(tmp_path / "x.csv", incident_rows(2)).read_bytes()
    audit.audited_import(engine, "kim", file=data, source="incident", file_name="업로드.csv")
    assert audit.read_audit(engine, limit=1)["file_name"].iloc[0] == "업로드.csv"
