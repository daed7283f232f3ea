"""One store for many stations: every row carries its station, and a station never sees,
skips or undoes another's rows."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
import sqlalchemy as sa
from alembic import command

from analytics.station import config
from analytics.station.config import default_station, load_station, station_by_id
from analytics.storage import connection, migrations, store, tables
from analytics.storage.importers.core import import_file
from tests.conftest import write_csv
from tests.storage.test_import_files import incident_rows


@pytest.fixture
def jinan():
    """A second station (Namwon's geography under another id)."""
    return dataclasses.replace(default_station(), id="jinan", name="진안경찰서")


@pytest.fixture
def jinan_file(tmp_path, monkeypatch):
    """A second station's file in the stations folder (Namwon's geography)."""
    text = default_station().source_file.read_text(encoding="utf-8")
    text = text.replace('id = "namwon"', 'id = "jinan"').replace('"geo/', '"../geo/')
    folder = tmp_path / "stations"
    folder.mkdir()
    (folder / "jinan.toml").write_text(text, encoding="utf-8")
    shutil.copytree(default_station().source_file.parent / "geo", tmp_path / "geo")
    monkeypatch.setenv("HOTSPOT_STATIONS_DIR", str(folder))
    station_by_id.cache_clear()
    yield folder / "jinan.toml"
    station_by_id.cache_clear()


def test_the_same_export_lands_whole_in_each_station(engine, tmp_path, jinan):
    path = write_csv(tmp_path / "112.csv", incident_rows(6))
    mine = import_file(path, source="incident", db=engine)
    theirs = import_file(path, source="incident", station=jinan, db=engine)
    # The same call numbers in two stations' exports are two stations' calls.
    assert (mine.imported, theirs.imported) == (6, 6)
    assert theirs.duplicates_in_store == 0
    assert store.source_counts(engine)["incident"] == 6
    assert store.source_counts(engine, station="jinan")["incident"] == 6
    again = import_file(path, source="incident", station=jinan, db=engine)
    assert (again.imported, again.duplicates_in_store) == (0, 6)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(tables.events.c.station, sa.func.count()).group_by(tables.events.c.station)
        ).all()
    assert sorted(rows) == [("jinan", 6), ("namwon", 6)]


def test_a_station_reads_and_lists_only_its_own(engine, tmp_path, jinan):
    import_file(write_csv(tmp_path / "a.csv", incident_rows(4)), source="incident", db=engine)
    other = write_csv(tmp_path / "b.csv", incident_rows(9))  # the first 4 numbered alike
    theirs = import_file(other, source="incident", station=jinan, db=engine)
    assert len(store.read_events(engine)) == 4
    assert len(store.read_events(engine, station=jinan)) == 9
    assert len(store.read_events(engine, station="nowhere")) == 0
    assert store.list_batches(engine, station="jinan")["batch_id"].tolist() == [theirs.batch_id]
    assert theirs.batch_id not in store.list_batches(engine)["batch_id"].tolist()
    assert store.last_event_time(engine, station="nowhere") is None
    ids = store.read_events(engine, station=jinan)["event_id"].tolist()
    with engine.connect() as conn:
        assert store.existing_event_ids(conn, ids, station="jinan") == set(ids)
        # Namwon has the 4 calls numbered as Jinan's first 4: those, and no more.
        assert store.existing_event_ids(conn, ids) == set(store.read_events(engine)["event_id"])


def test_undoing_one_stations_import_leaves_the_others(engine, tmp_path, jinan):
    path = write_csv(tmp_path / "112.csv", incident_rows(5))
    mine = import_file(path, source="incident", db=engine)
    import_file(path, source="incident", station=jinan, db=engine)
    assert store.undo_batch(engine, mine.batch_id) == 5
    assert store.source_counts(engine)["incident"] == 0
    assert len(store.read_events(engine, station=jinan)) == 5


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("namwon", True),
        ("jeonju-wansan", True),
        ("a_1", True),
        ("Namwon", False),
        ("1st", False),
        ("", False),
        ("남원", False),
        ("x" * 33, False),
    ],
)
def test_a_station_id_is_a_short_lower_case_name(tmp_path, value, ok):
    text = default_station().source_file.read_text(encoding="utf-8")
    text = text.replace('id = "namwon"', f'id = "{value}"')
    path = tmp_path / "station.toml"
    path.write_text(text, encoding="utf-8")  # (its geo/ paths are read later, not here)
    if ok:
        assert load_station(path).id == value
    else:
        with pytest.raises(ValueError, match="id must be"):
            load_station(path)


def test_more_stations_come_from_their_own_files(jinan_file):
    assert config.station_files() == {
        "namwon": default_station().source_file,
        "jinan": jinan_file.resolve(),
    }
    assert station_by_id("jinan").id == "jinan"
    assert station_by_id("jinan").boundary_path.is_file()
    assert station_by_id("namwon") is default_station()
    with pytest.raises(config.UnknownStationError):
        station_by_id("gochang")


@pytest.mark.sqlite_only  # the downgrade path is tested on SQLite files
def test_a_shared_store_cannot_go_back_to_one_station(engine, tmp_path, jinan):
    path = write_csv(tmp_path / "112.csv", incident_rows(2))
    import_file(path, source="incident", db=engine)
    import_file(path, source="incident", station=jinan, db=engine)
    with (
        pytest.raises(RuntimeError, match="more than one station"),
        connection.write_transaction(engine) as conn,
    ):
        command.downgrade(migrations.alembic_config(conn), "0005_integer_events")
    assert store.source_counts(engine, station="jinan")["incident"] == 2


def test_a_station_cannot_undo_anothers_import(engine, tmp_path, jinan):
    path = write_csv(tmp_path / "112.csv", incident_rows(3))
    theirs = import_file(path, source="incident", station=jinan, db=engine)
    with pytest.raises(store.UnknownBatchError):
        store.undo_batch(engine, theirs.batch_id)
    assert store.undo_batch(engine, theirs.batch_id, station=jinan) == 3


def test_the_command_line_names_the_station(engine, tmp_path, jinan_file, capsys):
    from analytics.cli import main

    url = engine.url.render_as_string(hide_password=False)
    path = write_csv(tmp_path / "112.csv", incident_rows(4))
    assert (
        main(["import", "--source", "incident", str(path), "--db", url, "--station", "jinan"]) == 0
    )
    capsys.readouterr()
    assert main(["counts", "--db", url, "--json", "--station", "jinan"]) == 0
    assert '"incident": 4' in capsys.readouterr().out
    assert main(["counts", "--db", url, "--json"]) == 0
    assert '"incident": 0' in capsys.readouterr().out
    assert default_station().id == "namwon"  # the process's station is back
    assert main(["counts", "--db", url, "--station", "gochang", "--lang", "en"]) == 2
    assert "unknown station: gochang (known: jinan, namwon)" in capsys.readouterr().err


def test_add_station_gives_a_partition_on_postgresql_only(engine, capsys):
    from analytics.cli import main

    url = engine.url.render_as_string(hide_password=False)
    assert main(["add-station", "jinan", "--db", url, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    if engine.dialect.name == "postgresql":
        assert out.startswith("station jinan has its own partition of the events: events_jinan")
        assert main(["add-station", "jinan", "--db", url, "--lang", "en"]) == 0
        assert "already has its own partition" in capsys.readouterr().out
    else:
        assert out.startswith("a SQLite store keeps one events table")
    assert main(["add-station", "Jinan!", "--db", url]) == 2
    assert "경찰서 식별자가 아닙니다" in capsys.readouterr().err


BOX_LOG = (
    "소리함,이름,설치장소,위도,경도,설치일,철거일\n"
    "BOX-01,용남시장,남원시 용남시장 입구,35.4093,127.3870,2017-01-02,\n"
).encode()


def test_each_station_keeps_its_own_suggestion_boxes(engine, jinan):
    from analytics.storage.boxes import import_box_log, read_box_log_from_store

    assert import_box_log(BOX_LOG, db=engine) == 1
    assert import_box_log(BOX_LOG, db=engine, station=jinan) == 1  # the same box id and day
    moved = BOX_LOG.replace("용남시장 입구".encode(), "도통동 주민센터".encode())
    assert import_box_log(moved, db=engine, station=jinan) == 1  # replaces Jinan's only
    mine = read_box_log_from_store(engine)
    theirs = read_box_log_from_store(engine, station="jinan")
    assert mine["place"].tolist() == ["남원시 용남시장 입구"]
    assert theirs["place"].tolist() == ["남원시 도통동 주민센터"]
    assert "station" not in mine.columns
    assert read_box_log_from_store(engine, station="gochang").empty


@pytest.mark.parametrize("value", ["jinan'; DROP TABLE events; --", "Jinan", ""])
def test_a_station_named_by_text_must_be_an_id(engine, value):
    """Rows are stored and read under station ids only (a migration writes them into SQL)."""
    with pytest.raises(ValueError, match="not a station id"):
        store.read_events(engine, station=value)
    with pytest.raises(ValueError, match="not a station id"):
        store.source_counts(engine, station=value)
