"""The store's columns (schema 5): integer ids and times, Arrow blocks, the staging file."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.storage import columnar, connection, store, tables
from analytics.storage.importers.core import import_file
from analytics.storage.schema import (
    EVENT_COLUMNS,
    EVENT_KEY,
    conform_events,
    event_dtypes,
    event_id_text,
    event_key,
)
from tests.conftest import NOW, make_events, write_csv
from tests.storage.test_import_files import incident_rows


@pytest.mark.parametrize(
    ("event_id", "key"),
    [
        ("inc_0000000000000000", 0),
        ("inc_00000000000000ff", 255),
        ("com_7fffffffffffffff", 2**63 - 1),
        ("sug_8000000000000000", -(2**63)),
        ("inc_ffffffffffffffff", -1),
        ("inc_00000000000000ffabcd", 255),  # ids from before schema 5 had 20 digits
    ],
)
def test_an_id_is_the_number_its_hex_digits_spell(event_id, key):
    assert event_key([event_id]).tolist() == [key]


def test_an_id_of_another_form_is_numbered_by_its_sha1():
    # sha1("sug_1") begins 62d82f7b38f22ca4
    assert event_id_text(event_key(["sug_1"]), ["suggestion"])[0] == "sug_62d82f7b38f22ca4"


@given(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=50))
def test_ids_written_from_keys_give_the_keys_back(keys):
    sources = ["incident", "complaint", "suggestion"] * 17
    text = event_id_text(np.array(keys, dtype=np.int64), sources[: len(keys)])
    assert event_key(text).tolist() == keys
    assert all(t[3] == "_" and len(t) == 20 for t in text)
    # One source named once gives the ids a source per row gives.
    one = event_id_text(np.array(keys, dtype=np.int64), "incident")
    assert list(one) == list(
        event_id_text(np.array(keys, dtype=np.int64), ["incident"] * len(keys))
    )


@pytest.mark.parametrize(
    ("key", "text"),
    [
        (0, "inc_0000000000000000"),
        (-1, "inc_ffffffffffffffff"),
        (0x0123456789ABCDEF, "inc_0123456789abcdef"),
        (-(2**63), "inc_8000000000000000"),
    ],
)
def test_id_text_is_the_key_in_lower_case_hex(key, text):
    assert event_id_text(np.array([key], dtype=np.int64), "incident")[0] == text


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp("2017-01-01", tz="Asia/Seoul")
    times = t0 + pd.to_timedelta(rng.integers(0, 365 * 86400, n), "s")
    resolved = pd.Series(times + pd.Timedelta(hours=5)).where(rng.random(n) < 0.5)
    frame = pd.DataFrame(
        {
            "event_id": [f"com_{k:016x}" for k in rng.integers(0, 2**62, n)],
            "source": "complaint",
            "occurred_at": times,
            "resolved_at": resolved,
            "category": rng.choice(["noise", None], n),
            "x": np.where(rng.random(n) < 0.1, np.nan, rng.normal(964_000, 500, n)),
            "y": rng.normal(1_706_000, 500, n),
            "inside_station": rng.random(n) < 0.8,
            "slot_start_hour": pd.array(
                np.where(rng.random(n) < 0.5, None, rng.integers(0, 24, n)), dtype="Int64"
            ),
            "description": rng.choice(["가로등이 꺼져 있어요", "", None], n),
            "batch_id": "b",
        }
    )
    return conform_events(frame)


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(n=st.integers(0, 40), seed=st.integers(0, 10_000))
def test_a_frame_survives_the_storage_form(n, seed):
    frame = _frame(n, seed)
    back = columnar.from_storage(columnar.to_storage(frame))
    # to_storage sorts by (source, time); whole seconds are kept exactly.
    # Times come back in the schema's unit (event_dtypes: nanoseconds).
    expected = frame.sort_values("occurred_at", kind="stable").reset_index(drop=True)
    expected = expected.astype({c: event_dtypes()[c] for c in ("occurred_at", "resolved_at")})
    pd.testing.assert_frame_equal(back, expected)


def _write(db, frame: pd.DataFrame, batch_id: str, *, source: str = "complaint") -> dict:
    record = store.BatchRecord(batch_id, source, "x.csv", "0" * 64, None, None, None, 0, 0, True)
    with (
        store.stage_events(db, frame, batch_id) as staged,
        connection.write_transaction(db, attach=staged.attach) as conn,
    ):
        stats = store.write_batch(conn, record, frame, [], staged=staged)
        store.finish_batch(conn, batch_id, rows_duplicate=0, summary=stats)
    return stats


def _block_count(db) -> int:
    with db.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count()).select_from(tables.event_blocks)
        ).scalar_one()


def test_the_staging_path_and_the_row_path_store_the_same(tmp_path, monkeypatch):
    frame = _frame(300, 1)
    staged_db = store.open_store(str(tmp_path / "staged.sqlite"))
    _write(staged_db, frame, "b1")
    monkeypatch.setattr(columnar, "sqlite_file", lambda db: None)  # as on another database
    rows_db = store.open_store(str(tmp_path / "rows.sqlite"))
    _write(rows_db, frame, "b1")
    pd.testing.assert_frame_equal(store.read_events(staged_db), store.read_events(rows_db))
    for db in (staged_db, rows_db):
        with db.connect() as conn:
            stored = conn.exec_driver_sql("SELECT count(*) FROM events").scalar_one()
        assert stored == 300


def test_read_events_gives_the_columns_asked_for_in_schema_order(tmp_path):
    db = store.open_store(str(tmp_path / "s.sqlite"))
    _write(db, _frame(50, 2), "b1")
    full = store.read_events(db)
    assert list(full.columns) == list(EVENT_COLUMNS)
    some = store.read_events(db, columns=["y", "occurred_at", "x"])
    assert list(some.columns) == ["occurred_at", "x", "y"]
    pd.testing.assert_frame_equal(some, full[["occurred_at", "x", "y"]])
    with pytest.raises(ValueError, match="unknown event columns"):
        store.read_events(db, columns=["x", "nope"])
    # The ids as the store's numbers: the keys of their text, after the other columns.
    keyed = store.read_events(db, columns=[EVENT_KEY, "x"])
    assert list(keyed.columns) == ["x", EVENT_KEY] and keyed[EVENT_KEY].dtype == np.int64
    assert keyed[EVENT_KEY].tolist() == event_key(full["event_id"]).tolist()


@pytest.mark.parametrize("block_rows", [7, 64, columnar.BLOCK_ROWS])
def test_a_period_read_from_blocks_is_the_period_of_the_whole(tmp_path, monkeypatch, block_rows):
    monkeypatch.setattr(columnar, "BLOCK_ROWS", block_rows)
    db = store.open_store(str(tmp_path / "s.sqlite"))
    _write(db, _frame(200, 3), "b1")
    _write(db, _frame(100, 4), "b2")
    whole = store.read_events(db)
    assert whole["occurred_at"].is_monotonic_increasing and len(whole) == 300
    start = pd.Timestamp("2017-03-01", tz="Asia/Seoul")
    end = pd.Timestamp("2017-06-15 12:30:00.5", tz="Asia/Seoul")
    part = store.read_events(db, start=start, end=end, inside_only=True)
    keep = (whole["occurred_at"] >= start) & (whole["occurred_at"] < end) & whole["inside_station"]
    pd.testing.assert_frame_equal(part, whole[keep].reset_index(drop=True))
    assert store.read_events(db, sources=["incident"]).empty


def test_blocks_decoded_on_two_threads_read_as_on_one(tmp_path, monkeypatch):
    # A million events' blocks are decoded on a pool's threads: the same frame, in order.
    monkeypatch.setattr(columnar, "BLOCK_ROWS", 16)
    db = store.open_store(str(tmp_path / "s.sqlite"))
    _write(db, _frame(200, 5), "b1")
    _write(db, _frame(100, 6), "b2")
    monkeypatch.setattr(store, "_DECODE_IN_THREADS_FROM", float("inf"))
    one = store.read_events(db)
    calls = []
    decode = columnar.decode_column
    monkeypatch.setattr(store, "_DECODE_IN_THREADS_FROM", 0)
    monkeypatch.setattr(
        columnar, "decode_column", lambda data: calls.append(threading.get_ident()) or decode(data)
    )
    two = store.read_events(db)
    assert calls and threading.get_ident() not in calls and len(one) == 300
    pd.testing.assert_frame_equal(two, one)


def test_a_duplicate_import_adds_no_rows_and_no_blocks(tmp_path, engine):
    path = write_csv(tmp_path / "in.csv", incident_rows(5))
    first = import_file(path, source="incident", db=engine, now=NOW)
    blocks = _block_count(engine)
    again = import_file(
        write_csv(tmp_path / "more.csv", incident_rows(8)), source="incident", db=engine, now=NOW
    )
    assert (first.imported, again.imported, again.duplicates_in_store) == (5, 3, 5)
    events = store.read_events(engine)
    assert len(events) == 8 and events["event_id"].is_unique
    assert _block_count(engine) == 2 * blocks  # one part per batch, every column


def test_undo_removes_the_blocks(tmp_path, engine):
    result = import_file(
        write_csv(tmp_path / "in.csv", incident_rows(5)), source="incident", db=engine, now=NOW
    )
    assert _block_count(engine) == len(EVENT_COLUMNS)
    assert store.undo_batch(engine, result.batch_id) == 5
    assert _block_count(engine) == 0 and store.read_events(engine).empty


def test_a_batch_with_repeated_event_ids_is_refused_and_writes_nothing(engine):
    # Ids that differ only past their 16th hex digit share a key: the store keeps 64 bits.
    ids = ["inc_00000000000000010", "inc_00000000000000011", "inc_0000000000000002"]
    frame = make_events([{"x": 964_000.0 + i, "y": 1_706_000.0} for i in range(3)])
    frame["event_id"] = pd.array(ids, dtype="string")
    record = store.BatchRecord("b1", "incident", "x.csv", "0" * 64, None, None, None, 3, 0, False)
    with (
        pytest.raises(ValueError, match="repeated event ids"),
        connection.write_transaction(engine) as conn,
    ):
        store.write_batch(conn, record, frame, [])
    assert store.read_events(engine).empty and _block_count(engine) == 0
    assert store.list_batches(engine).empty


def test_the_stores_order_holds_the_same_rows_as_the_time_order(tmp_path, engine):
    # Two imports whose times interleave: the store's order is batch by batch.
    header, *rows = incident_rows(6)
    later = [[f"2018-{i:07d}", f"2017-10-{10 + i:02d} 23:00", *r[2:]] for i, r in enumerate(rows)]
    for name, body in (("a.csv", rows), ("b.csv", later)):
        path = write_csv(tmp_path / name, [header, *body])
        import_file(path, source="incident", db=engine, now=NOW)
    by_time = store.read_events(engine)
    stored = store.read_events(engine, by_time=False)
    assert len(stored) == len(by_time) == 12
    assert not stored["event_id"].equals(by_time["event_id"])  # batch by batch
    again = stored.sort_values(["occurred_at", "event_id"], ignore_index=True)
    pd.testing.assert_frame_equal(again, by_time)


def test_rows_without_blocks_get_them_on_the_first_read(tmp_path, engine):
    # As a store upgraded from schema 4 is: rows in events, no blocks yet.
    frame = make_events([{"x": 964_000.0 + i, "y": 1_706_000.0} for i in range(20)])
    record = store.BatchRecord("b1", "incident", "x.csv", "0" * 64, None, None, None, 20, 0, False)
    with connection.write_transaction(engine) as conn:
        store.write_batch(conn, record, frame.head(0), [])
        store.insert_events(conn, frame.assign(batch_id="b1"))
        store.finish_batch(conn, "b1", rows_duplicate=0, summary={"imported": 20})
    assert _block_count(engine) == 0
    events = store.read_events(engine)
    assert sorted(events["event_id"]) == sorted(frame["event_id"])
    assert _block_count(engine) == len(EVENT_COLUMNS)
    pd.testing.assert_frame_equal(store.read_events(engine), events)


@pytest.mark.sqlite_only
def test_the_staging_file_is_removed_whether_or_not_the_import_lands(tmp_path, engine, monkeypatch):
    def leftovers():
        return set(Path(tempfile.gettempdir()).glob("hotspot-import-*"))

    before = leftovers()
    path = write_csv(tmp_path / "in.csv", incident_rows(3))
    import_file(path, source="incident", db=engine, now=NOW)
    assert leftovers() == before

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_insert_storage", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(write_csv(tmp_path / "b.csv", incident_rows(6)), source="incident", db=engine)
    assert leftovers() == before
    assert len(store.read_events(engine)) == 3
    with engine.connect() as conn:  # nothing stays attached to the pooled connection
        attached = {r[1] for r in conn.exec_driver_sql("PRAGMA database_list")}
    assert store.STAGING_SCHEMA not in attached and "main" in attached


def test_an_analyst_reads_the_events_table_with_plain_sql(tmp_path, engine):
    import_file(
        write_csv(tmp_path / "in.csv", incident_rows(2)), source="incident", db=engine, now=NOW
    )
    # The time as the station's wall clock, in each database's own SQL.
    wall = {
        "sqlite": "datetime(occurred_at, 'unixepoch', '+9 hours')",
        "postgresql": "to_char(to_timestamp(occurred_at) AT TIME ZONE 'Asia/Seoul',"
        " 'YYYY-MM-DD HH24:MI:SS')",
    }[engine.dialect.name]
    con = engine.raw_connection()
    cur = con.cursor()
    cur.execute(f"SELECT event_id, source, {wall}, x, y, lat, lon FROM events ORDER BY occurred_at")
    rows = cur.fetchall()
    con.close()
    assert [r[2] for r in rows] == ["2017-10-10 21:35:00", "2017-10-11 21:35:00"]
    assert all(isinstance(r[0], int) and r[1] == "incident" for r in rows)
    assert all(900_000 < r[3] < 1_100_000 and 35 < r[5] < 36 for r in rows)


@settings(max_examples=80, deadline=None)
@given(
    runs=st.lists(st.lists(st.integers(0, 40), min_size=0, max_size=30), min_size=1, max_size=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_lexsort_runs_is_numpys_lexsort(runs, seed):
    """Sorted runs of times (as blocks hold them), ties broken by a rank and an id."""
    rng = np.random.default_rng(seed)
    times = np.concatenate([np.sort(np.array(r, dtype=np.int64)) for r in runs])
    rank = rng.integers(0, 3, len(times))
    ids = rng.integers(0, 5, len(times)).astype(np.uint64)  # equal ids: stability counts
    keys = (ids, rank, times)
    assert (columnar.lexsort_runs(keys) == np.lexsort(keys)).all()
    assert (columnar.lexsort_runs((times,)) == np.lexsort((times,))).all()


@given(
    st.lists(
        st.tuples(st.sampled_from(["incident", "complaint"]), st.none() | st.integers(0, 4)),
        min_size=2,
        max_size=40,
    )
)
def test_rows_are_written_by_source_then_time_stably(rows):
    """The order Arrow's stable sort on (source, time) gives, whichever way it is found."""
    t0 = pd.Timestamp("2017-10-13", tz="Asia/Seoul")
    frame = pd.DataFrame(
        {
            "source": [s for s, _ in rows],
            "occurred_at": pd.Series(
                [None if h is None else t0 + pd.Timedelta(hours=h) for _, h in rows],
                dtype="datetime64[ns, Asia/Seoul]",
            ),
            "x": np.arange(len(rows), dtype=float),
        }
    )
    key = sorted(range(len(rows)), key=lambda i: (rows[i][0], rows[i][1] is None, rows[i][1] or 0))
    assert columnar.to_storage(frame).column("x").to_pylist() == [float(i) for i in key]
