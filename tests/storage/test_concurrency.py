"""Two writers, one store (SQLite or PostgreSQL): imports wait for each other, or fail whole
with a clear message."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from analytics.access import audit
from analytics.station.config import REPO_ROOT
from analytics.storage import connection, migrations, store
from analytics.storage.importers.errors import ImportFileError
from tests import backends
from tests.conftest import MARKET
from tests.storage.test_import_files import INCIDENT_HEADER, utmk
from tests.storage.test_store_upgrade import make_baseline_store

BUSY_KO = "다른 사용자가 가져오기 중입니다"


def incident_file(path: Path, n: int, prefix: str, seed: int) -> Path:
    """``n`` distinct incidents around the market in 2017, with ids ``prefix-000001``..."""
    rng = np.random.default_rng(seed)
    x0, y0 = utmk(MARKET["lat"], MARKET["lon"])
    when = pd.Timestamp("2017-01-01") + pd.to_timedelta(rng.integers(0, 364 * 24 * 60, n), "min")
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(INCIDENT_HEADER)
        for i in range(n):
            w.writerow(
                [
                    f"{prefix}-{i:06d}",
                    when[i].strftime("%Y-%m-%d %H:%M"),
                    "폭행",
                    "C2",
                    "남원시 죽항동 공설시장",
                    round(x0 + rng.normal(0, 300), 2),
                    round(y0 + rng.normal(0, 300), 2),
                    "주취자 시비",
                ]
            )
    return path


def cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "analytics", *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def check_store(db: Path | str | sa.Engine) -> None:
    """No corruption and no half import: every batch's count is what landed."""
    if isinstance(db, sa.Engine):
        engine = db
    elif "://" in str(db):
        engine = sa.create_engine(str(db))
    else:  # a file: opened plainly, without the store's settings (they would turn on WAL)
        engine = sa.create_engine(f"sqlite:///{db}")
    if engine.dialect.name == "sqlite":
        con = sqlite3.connect(engine.url.database)
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            con.close()
    with engine.connect() as conn:
        landed = dict(
            conn.exec_driver_sql("SELECT batch_id, count(*) FROM events GROUP BY batch_id").all()
        )
        batches = conn.exec_driver_sql(
            "SELECT batch_id, rows_imported, status FROM import_batches"
        ).all()
        duplicates = conn.exec_driver_sql(
            "SELECT count(*) - count(DISTINCT event_id) FROM events"
        ).scalar()
    for batch_id, imported, status in batches:
        assert landed.get(batch_id, 0) == (imported if status == "active" else 0)
    assert set(landed) <= {b[0] for b in batches}
    assert duplicates == 0


def test_two_cli_imports_at_once_both_land_whole(tmp_path, store_url):
    db = store_url
    store.open_store(str(db)).dispose()
    n = 15_000
    files = [
        incident_file(tmp_path / "a.csv", n, "A", seed=1),
        incident_file(tmp_path / "b.csv", n, "B", seed=2),
    ]
    procs = [
        cli("import", "--source", "incident", str(f), "--db", str(db), "--json") for f in files
    ]
    outcomes = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    landed = 0
    for code, out, err in outcomes:
        if code == 0:
            result = json.loads(out)
            assert result["imported"] == n and not result["rejected"]
            landed += n
        else:  # allowed: the other import held the store past the busy timeout
            assert code == 2 and BUSY_KO in err, err
    assert landed >= n  # at least one got through (with a 10 s timeout, both do)
    engine = store.open_store(str(db))
    assert store.source_counts(engine)["incident"] == landed
    assert len(store.list_batches(engine)) == landed // n
    check_store(db)
    log = audit.read_audit(engine)
    assert sorted(log.loc[log["action"] == "import", "file_name"]) == sorted(
        f.name for (code, _, _), f in zip(outcomes, files, strict=True) if code == 0
    )


def test_an_import_waits_for_another_writer_then_lands(tmp_path, engine):
    path = incident_file(tmp_path / "a.csv", 500, "A", seed=3)
    writing = threading.Event()
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = audit.audited_import(
                engine,
                "analyst1",
                file=path,
                source="incident",
                progress=lambda _f, stage: writing.set() if stage == "write" else None,
            )
        except Exception as exc:
            outcome["error"] = exc

    with backends.holding_the_write_lock(engine):  # another writer holds the store
        t = threading.Thread(target=run)
        t.start()
        assert writing.wait(60)
        time.sleep(1.0)
        assert t.is_alive(), outcome  # blocked on the lock, not failed
    t.join(60)
    assert "error" not in outcome and outcome["result"].imported == 500
    assert store.source_counts(engine)["incident"] == 500
    check_store(engine)


def test_two_imports_of_one_file_at_once_both_end_cleanly_without_duplicates(tmp_path, engine):
    path = incident_file(tmp_path / "a.csv", 3_000, "A", seed=8)
    results: list = []

    def run(actor):
        try:
            results.append(audit.audited_import(engine, actor, file=path, source="incident"))
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in ("analyst1", "analyst2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r.imported for r in results) == [0, 3_000]
    assert sorted(r.duplicates_in_store for r in results) == [0, 3_000]
    assert store.source_counts(engine)["incident"] == 3_000
    check_store(engine)
    assert (audit.read_audit(engine)["action"] == "import").sum() == 2


@pytest.mark.slow
def test_a_busy_store_fails_the_import_whole_with_the_retry_message(tmp_path, store_url):
    db = store_url
    engine = store.open_store(str(db))
    path = incident_file(tmp_path / "a.csv", 200, "A", seed=4)
    with backends.holding_the_write_lock(engine):
        proc = cli(
            "import",
            "--source",
            "incident",
            str(path),
            "--db",
            str(db),
            env={"HOTSPOT_BUSY_TIMEOUT_MS": "300"},
        )
        code = proc.wait(timeout=120)
        _, err = proc.communicate()
    assert code == 2
    assert err.strip().endswith(f"a.csv: {BUSY_KO}. 잠시 후 다시 시도하세요")
    assert store.is_empty(engine) and store.source_counts(engine)["incident"] == 0
    check_store(engine)
    # Once the other writer is done, the same import goes through.
    proc = cli("import", "--source", "incident", str(path), "--db", str(db), "--json")
    assert proc.wait(timeout=120) == 0
    assert json.loads(proc.communicate()[0])["imported"] == 200


def test_in_process_busy_store_raises_error_busy(tmp_path, engine, monkeypatch):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 200)
    path = incident_file(tmp_path / "a.csv", 50, "A", seed=5)
    with (
        backends.holding_the_write_lock(engine),
        pytest.raises(ImportFileError) as err,
    ):
        audit.audited_import(engine, "analyst1", file=path, source="incident")
    assert err.value.key == "error.busy"
    assert "try again" in err.value.text("en")
    assert store.is_empty(engine) and audit.read_audit(engine).empty


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_two_processes_upgrade_an_old_store_once(tmp_path):
    db = tmp_path / "old.sqlite"
    make_baseline_store(db)
    code = f"from analytics.storage import store; store.open_store({str(db)!r})"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code], cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for p in procs:
        assert p.wait(timeout=120) == 0, p.communicate()[1]
    con = sqlite3.connect(db)
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [
        (migrations.head_revision(),)
    ]
    con.close()
    engine = store.open_store(str(db))
    assert len(store.read_events(engine)) == 3
    assert "audit_log" in sa.inspect(engine).get_table_names()
    check_store(db)
