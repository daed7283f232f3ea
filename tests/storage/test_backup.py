"""``python -m analytics backup DEST``: a consistent copy of the live SQLite store."""

from __future__ import annotations

import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from analytics.access import audit, users
from analytics.cli import main
from analytics.storage import connection, migrations, store
from tests.conftest import write_csv
from tests.storage.test_concurrency import check_store, incident_file
from tests.storage.test_import_files import incident_rows


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    monkeypatch.setattr(
        users, "PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def filled(tmp_path):
    """A store with an import, a rejected row, a user and audit entries."""
    db = tmp_path / "live.sqlite"
    engine = store.open_store(str(db))
    rows = incident_rows(5)
    rows.append(["bad", "2017-13-45", "폭행", "", "", "", "", ""])
    audit.audited_import(
        engine, "kim", file=write_csv(tmp_path / "in.csv", rows), source="incident"
    )
    users.add_user(engine, "kim", "correct horse battery", role="admin")
    return engine


def counts_of(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


def test_cli_backup_copies_everything_and_prints_counts(filled, tmp_path, capsys):
    db, dest = filled.url.database, tmp_path / "backups" / "store-2017-10-13.sqlite"
    before = store.table_counts(filled)
    assert main(["backup", str(dest), "--db", db]) == 0
    out = capsys.readouterr().out
    assert f"백업 완료: {dest}" in out
    assert "  events: 5행" in out and "  rejected_rows: 1행" in out and "  users: 1행" in out
    copied = counts_of(dest)
    assert {t: copied[t] for t in before} == before
    assert copied["alembic_version"] == 1
    check_store(dest)
    # One self-contained file, readable only by its owner, at the head revision.
    con = sqlite3.connect(dest)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert triggers == {"audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace"}
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
        migrations.head_revision()
    )
    con.close()
    assert not Path(f"{dest}-wal").exists()
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert [p.name for p in dest.parent.iterdir()] == [dest.name]  # no temporary left
    # The copy is a working store.
    copy = store.open_store(str(dest))
    assert store.source_counts(copy)["incident"] == 5
    assert users.authenticate(copy, "kim", "correct horse battery") == "admin"


def test_backup_is_audited(filled, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("analytics.cli.people.getpass.getuser", lambda: "officer")
    dest = tmp_path / "copy.sqlite"
    assert main(["backup", str(dest), "--db", filled.url.database]) == 0
    entry = audit.read_audit(filled, limit=1).iloc[0]
    assert (entry["action"], entry["actor"], entry["file_name"]) == (
        "backup",
        "cli:officer",
        "copy.sqlite",
    )
    assert str(dest) in entry["detail"] and "events=5" in entry["detail"]


def test_backup_refuses_to_overwrite_without_force(filled, tmp_path, capsys):
    dest = tmp_path / "copy.sqlite"
    dest.write_bytes(b"last week's backup")
    assert main(["backup", str(dest), "--db", filled.url.database]) == 2
    assert "이미 있는 파일입니다" in capsys.readouterr().err
    assert dest.read_bytes() == b"last week's backup"
    assert audit.read_audit(filled, limit=1)["action"].iloc[0] != "backup"
    assert main(["backup", str(dest), "--db", filled.url.database, "--force", "--lang", "en"]) == 0
    assert "backup written" in capsys.readouterr().out
    assert counts_of(dest)["events"] == 5


def test_backup_refuses_the_store_itself(filled, capsys):
    db = filled.url.database
    assert main(["backup", db, "--db", db, "--force"]) == 2
    assert "저장소 파일 자신" in capsys.readouterr().err
    check_store(Path(db))


def test_backup_needs_a_sqlite_file():
    engine = connection.make_engine("sqlite://")
    with pytest.raises(store.BackupError) as err:
        store.backup_store(engine, "copy.sqlite")
    assert err.value.key == "not_sqlite"


def test_backup_while_a_writer_holds_the_store_copies_only_committed_rows(filled, tmp_path):
    writer = sqlite3.connect(filled.url.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM events")  # uncommitted
    try:
        counts = store.backup_store(filled, tmp_path / "copy.sqlite")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert counts["events"] == 5


@pytest.mark.sqlite_only
def test_backups_during_an_import_hold_all_of_it_or_none(tmp_path, engine):
    path = incident_file(tmp_path / "big.csv", 20_000, "A", seed=7)
    writing = threading.Event()
    done = threading.Event()

    def run():
        try:
            audit.audited_import(
                engine,
                "kim",
                file=path,
                source="incident",
                progress=lambda _f, stage: writing.set() if stage == "write" else None,
            )
        finally:
            done.set()

    t = threading.Thread(target=run)
    t.start()
    assert writing.wait(60)
    seen = []
    while True:
        finished = done.is_set()  # read before the copy: the last copy starts after the end
        dest = tmp_path / f"copy{len(seen)}.sqlite"
        counts = store.backup_store(engine, dest)
        seen.append(counts["events"])
        assert counts["events"] in (0, 20_000)  # never part of the batch
        check_store(dest)
        if finished:
            break
    t.join()
    assert seen[-1] == 20_000
