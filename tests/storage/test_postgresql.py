"""Against a real PostgreSQL + PostGIS server (the suite's PostgreSQL run).

The exports import with the same counts and rows as on SQLite, a re-import adds nothing,
the backup is a pg_dump that restores whole, and the hotspots agree with PostGIS's own
``ST_ClusterDBSCAN``. Skipped on the SQLite run; CI's PostgreSQL run always has a server.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from analytics.compute.hotspots import dbscan_labels
from analytics.demo.files import write_demo_exports
from analytics.storage import store
from analytics.storage.importers.core import import_file
from analytics.storage.schema import event_key
from tests import backends

pytestmark = pytest.mark.skipif(
    not backends.on_postgresql(), reason="needs a PostgreSQL server (HOTSPOT_TEST_PG)"
)


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The demo year's four export files (CP949 CSV, XLSX, BOM CSV)."""
    return write_demo_exports(tmp_path_factory.mktemp("exports"))


@pytest.mark.parametrize(
    ("source", "file"),
    [("incident", "incidents"), ("complaint", "complaints"), ("suggestion", "suggestions")],
)
def test_an_export_imports_as_on_sqlite_and_a_reimport_adds_nothing(
    exports, tmp_path, engine, source, file
):
    path = getattr(exports, file)
    lite = store.open_store(str(tmp_path / "store.sqlite"))
    on_lite = import_file(path, source=source, db=lite)
    on_pg = import_file(path, source=source, db=engine)
    assert engine.dialect.name == "postgresql"
    counts = ("rows_total", "imported", "duplicates_in_file", "gazetteer_rows", "outside_station")
    assert {c: getattr(on_pg, c) for c in counts} == {c: getattr(on_lite, c) for c in counts}
    assert [r.row_number for r in on_pg.rejected] == [r.row_number for r in on_lite.rejected]
    a, b = store.read_events(lite), store.read_events(engine)
    pd.testing.assert_frame_equal(a.drop(columns="batch_id"), b.drop(columns="batch_id"))
    again = import_file(path, source=source, db=engine)
    assert again.imported == 0 and again.duplicates_in_store == on_pg.imported
    assert store.source_counts(engine)[source] == on_pg.imported


@pytest.mark.skipif(shutil.which("pg_restore") is None, reason="needs pg_restore")
def test_the_backup_is_a_dump_that_restores_whole(exports, tmp_path, engine, store_url):
    import_file(exports.incidents, source="incident", db=engine)
    counts = store.backup_store(engine, tmp_path / "store.dump")
    assert counts["events"] == store.source_counts(engine)["incident"] > 0
    with pytest.raises(store.BackupError) as refused:
        store.backup_store(engine, tmp_path / "store.dump")
    assert refused.value.key == "exists"
    # Restored as a DBA would: into a new, empty database.
    target = sa.make_url(backends.new_empty_database())
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            f"--dbname={target.database}",
            f"--host={target.host}",
            f"--port={target.port}",
            f"--username={target.username}",
            str(tmp_path / "store.dump"),
        ],
        check=True,
        capture_output=True,
    )
    restored = store.open_store(target.render_as_string(hide_password=False), create=False)
    assert store.table_counts(restored) == store.table_counts(engine)
    pd.testing.assert_frame_equal(store.read_events(restored), store.read_events(engine))


def adjusted_rand_index(a: np.ndarray, b: np.ndarray) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(a, b))


def test_hotspot_labels_agree_with_postgis_st_clusterdbscan(exports, engine):
    import_file(exports.incidents, source="incident", db=engine)
    events = store.read_events(engine, columns=["event_id", "x", "y"])
    events = events[np.isfinite(events["x"]) & np.isfinite(events["y"])]
    eps_m, min_samples = 100.0, 5
    ours, _, _ = dbscan_labels(events[["x", "y"]].to_numpy(), eps_m=eps_m, min_samples=min_samples)
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        rows = conn.exec_driver_sql(
            "SELECT event_id, ST_ClusterDBSCAN(ST_MakePoint(x, y), %(eps)s, %(min)s) OVER ()"
            " FROM events WHERE x IS NOT NULL AND y IS NOT NULL",
            {"eps": eps_m, "min": min_samples},
        ).all()
    theirs = pd.Series({k: (-1 if c is None else c) for k, c in rows})
    postgis = theirs.reindex(event_key(events["event_id"])).to_numpy()  # stored ids: keys
    assert (ours >= 0).sum() > 100  # the demo year has real hotspots at this setting
    assert adjusted_rand_index(ours, postgis) >= 0.99


@pytest.fixture
def app_role(engine, store_url):
    """A login role granted the app's rights by the owner; yields its store URL."""
    from analytics.cli import main

    role = f"hs_app_{os.getpid()}_{secrets.token_hex(3)}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
    assert main(["grant-app-role", role, "--db", store_url]) == 0
    yield sa.make_url(store_url).set(username=role).render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP OWNED BY {role}")
        conn.exec_driver_sql(f"DROP ROLE {role}")


def test_the_apps_role_works_but_cannot_change_the_audit_log(exports, app_role):
    from analytics.access import audit

    db = store.open_store(app_role)  # up to date: one SELECT, no DDL
    result = audit.audited_import(db, "analyst1", file=exports.incidents, source="incident")
    assert result.imported > 0 and audit.verify_audit_chain(db).ok
    assert audit.audited_undo(db, "analyst1", result.batch_id) == result.imported
    for statement in (
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DROP TABLE audit_log",
    ):
        with (
            pytest.raises(sa.exc.ProgrammingError, match=r"permission denied|must be owner"),
            db.begin() as conn,
        ):
            conn.exec_driver_sql(statement)
    assert list(audit.read_audit(db)["action"]) == ["undo", "import"]


def test_grant_app_role_refuses_what_it_cannot_do(engine, tmp_path):
    from analytics.storage.roles import grant_app_role

    with pytest.raises(ValueError, match="plain role name"):
        grant_app_role(engine, "app; DROP TABLE events")
    with pytest.raises(ValueError, match="PostgreSQL"):
        grant_app_role(store.open_store(str(tmp_path / "store.sqlite")), "app")


def _partitions(db) -> dict[str, int]:
    """Events per partition."""
    with db.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1"
        ).all()
    return {name.strip('"'): int(n) for name, n in rows}


def test_each_station_reads_its_own_partition(engine, tmp_path):
    import dataclasses

    from analytics.station.config import default_station
    from analytics.storage.partitions import add_station_partition
    from tests.conftest import write_csv
    from tests.storage.test_import_files import incident_rows

    jinan = dataclasses.replace(default_station(), id="jinan")
    path = write_csv(tmp_path / "112.csv", incident_rows(5))
    import_file(path, source="incident", db=engine)
    import_file(path, source="incident", station=jinan, db=engine)
    # A station added after the store was made waits in the default partition.
    assert _partitions(engine) == {"events_namwon": 5, "events_default": 5}
    assert add_station_partition(engine, "jinan") == "events_jinan"
    assert _partitions(engine) == {"events_namwon": 5, "events_jinan": 5}
    assert add_station_partition(engine, "jinan") is None
    with pytest.raises(ValueError, match="station id"):
        add_station_partition(engine, "jinan'; DROP TABLE events; --")
    again = import_file(path, source="incident", station=jinan, db=engine)
    assert (again.imported, again.duplicates_in_store) == (0, 5)
    # One station's query reads its partition only.
    with engine.connect() as conn:
        plan = "\n".join(
            conn.exec_driver_sql(
                "EXPLAIN SELECT count(*) FROM events WHERE station = 'jinan'"
            ).scalars()
        )
    assert "events_jinan" in plan
    assert "events_namwon" not in plan and "events_default" not in plan
    assert len(store.read_events(engine, station=jinan)) == 5
