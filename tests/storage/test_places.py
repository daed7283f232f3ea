"""Officers' own places (issue 18): added on the map or by CSV, with a category and a
masked note; one batch per file, rejects with row numbers, duplicates, undo, removal,
and a viewer's rule that lets none of them through."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.access.audit import (
    audited_add_place,
    audited_import,
    audited_remove_place,
    audited_undo,
)
from analytics.access.masking import mask_pii
from analytics.access.privacy import PrivacyRule
from analytics.storage import store, tables
from analytics.storage.importers.errors import ImportFileError
from analytics.storage.importers.places import import_places, prepare_places
from analytics.storage.places import (
    NOTE_MAX,
    PlaceError,
    UnknownPlaceError,
    add_place,
    category_code,
    read_places,
    remove_place,
)
from tests.conftest import BAEMSAGOL, JEONJU, MARKET, NOW, csv_bytes, write_xlsx

HEADER = ["구분", "메모", "위도", "경도"]
PHONE = "010-1234-5678"


def near_market(i: int) -> tuple[float, float]:
    """(lat, lon) of the i-th point east of the market, about 30 m apart."""
    return round(MARKET["lat"] + 0.0001 * (i % 5), 6), round(MARKET["lon"] + 0.0003 * i, 6)


def place_rows() -> list[list]:
    """Five good places, then one of each rejection."""
    rows = [HEADER]
    for i, cat in enumerate(["빈집", "무인점포", "공사장", "어두운 골목", "기타"]):
        lat, lon = near_market(i)
        rows.append([cat, f"순찰 메모 {i}, 집주인 {PHONE}", lat, lon])
    rows += [
        ["빈집", "좌표 없음", "", ""],  # row 7
        ["빈집", "전주", JEONJU["lat"], JEONJU["lon"]],  # row 8: outside the station
        ["", "분류 없음", *near_market(7)],  # row 9
        ["놀이터", "모르는 분류", *near_market(8)],  # row 10
        ["빈집", "가" * (NOTE_MAX + 1), *near_market(9)],  # row 11
        ["빈집", "숫자 아님", "삼십오", "백이십칠"],  # row 12
    ]
    return rows


def test_a_cp949_file_lands_as_one_batch_with_row_numbered_rejects(engine, station):
    result = audited_import(
        engine,
        "analyst1",
        file=csv_bytes(place_rows(), encoding="cp949"),
        source="places",
        file_name="places.csv",
        now=NOW,
    )
    assert result.source == "places" and result.encoding == "cp949"
    assert result.imported == 5 and result.rows_total == 11
    reasons = {r.row_number: r.reason for r in result.rejected}
    assert set(reasons) == {7, 8, 9, 10, 11, 12}
    assert "비어" in reasons[7]
    assert "관할 구역 밖" in reasons[8]
    assert reasons[9] == "분류가 비어 있습니다"
    assert "놀이터" in reasons[10] and "빈집" in reasons[10]
    assert f"{NOTE_MAX + 1}자" in reasons[11]
    assert all(r.reason_en for r in result.rejected)
    places = read_places(engine, station=station)
    assert list(places["category"]) == [
        "vacant_house",
        "unmanned_store",
        "construction_site",
        "dark_alley",
        "other",
    ]
    assert set(places["added_by"]) == {"analyst1"}
    assert set(places["batch_id"]) == {result.batch_id}
    assert places.crs == station.analysis_crs
    # The phone number in the note is masked before it is stored.
    assert not places["note"].str.contains(PHONE).any()
    assert places["note"].str.contains("[전화번호]", regex=False).all()
    with engine.connect() as conn:
        stored = " ".join(str(v) for v in conn.execute(sa.select(tables.officer_places)).all())
        entry = conn.execute(
            sa.select(tables.audit_log.c.action, tables.audit_log.c.actor).where(
                tables.audit_log.c.batch_id == result.batch_id
            )
        ).first()
    assert PHONE not in stored
    assert tuple(entry) == ("import", "analyst1")


def test_duplicates_in_the_file_and_against_the_store_are_skipped(engine, station):
    rows = place_rows()[:4]
    rows.append(list(rows[1]))  # the same place twice in the file
    first = import_places(csv_bytes(rows), db=engine, actor="a", station=station)
    assert first.imported == 3 and first.duplicates_in_file == 1
    # The same places again, their points written with other decimals (a few cm off).
    again = [rows[0]] + [[r[0], r[1], r[2] + 0.0000001, r[3]] for r in rows[1:4]]
    second = import_places(csv_bytes(again), db=engine, actor="a", station=station)
    assert second.imported == 0 and second.duplicates_in_store == 3
    assert len(read_places(engine, station=station)) == 3


def test_xlsx_and_english_headers_and_labels(engine, station, tmp_path):
    lat, lon = near_market(0)
    path = write_xlsx(
        tmp_path / "p.xlsx",
        [
            ["Category", "Note", "Latitude", "Longitude"],
            ["Vacant house", "back door open", lat, lon],
        ],
    )
    result = import_places(path, db=engine, actor="a", station=station)
    assert result.imported == 1
    assert read_places(engine, station=station).iloc[0]["category"] == "vacant_house"


def test_a_file_without_a_category_column_is_refused(engine):
    with pytest.raises(ImportFileError) as err:
        import_places(
            csv_bytes([["메모", "위도", "경도"], ["x", *near_market(0)]]), db=engine, actor="a"
        )
    assert err.value.key == "places.error.no_category_column"
    assert store.list_batches(engine).empty


def test_undo_removes_the_files_places_and_is_audited(engine, station):
    result = import_places(csv_bytes(place_rows()), db=engine, actor="a", station=station)
    add_place(engine, lat=BAEMSAGOL["lat"], lon=BAEMSAGOL["lon"], category="other", actor="b")
    assert audited_undo(engine, "admin", result.batch_id) == 5
    left = read_places(engine, station=station)
    assert list(left["category"]) == ["other"]  # the place added on the map stays


def test_add_a_place_on_the_map_then_remove_it(engine, station):
    pid = audited_add_place(
        engine,
        "analyst1",
        lat=MARKET["lat"],
        lon=MARKET["lon"],
        category="무인점포",
        note=f"  야간 무인 운영, 점주 {PHONE}  ",
        now=NOW,
    )
    places = read_places(engine, station=station)
    assert len(places) == 1
    row = places.iloc[0]
    assert row["category"] == "unmanned_store" and row["added_by"] == "analyst1"
    assert row["note"] == "야간 무인 운영, 점주 [전화번호]"
    assert row["batch_id"] is None and row["added_at"].startswith("2026-11-25T12:00")
    with pytest.raises(PlaceError) as err:
        add_place(
            engine,
            lat=MARKET["lat"],
            lon=MARKET["lon"],
            category="unmanned_store",
            note=f"야간 무인 운영, 점주 {PHONE}",
            actor="analyst2",
        )
    assert err.value.key == "places.error.duplicate"
    audited_remove_place(engine, "analyst2", pid)
    assert read_places(engine, station=station).empty
    with pytest.raises(UnknownPlaceError):
        remove_place(engine, pid, actor="analyst2")
    with engine.connect() as conn:
        kept = conn.execute(sa.select(tables.officer_places)).mappings().one()
        actions = [r[0] for r in conn.execute(sa.select(tables.audit_log.c.action))]
    assert kept["removed_by"] == "analyst2"  # the row stays, marked removed
    assert actions == ["place.add", "place.remove"]


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"lat": JEONJU["lat"], "lon": JEONJU["lon"]}, "places.error.outside_station"),
        ({"category": "놀이터"}, "places.error.unknown_category"),
        ({"note": "가" * (NOTE_MAX + 1)}, "places.error.note_too_long"),
        ({"lat": float("nan")}, "places.error.bad_point"),
    ],
)
def test_a_place_that_cannot_be_added_says_why_in_korean(engine, kwargs, key):
    args = {"lat": MARKET["lat"], "lon": MARKET["lon"], "category": "vacant_house"} | kwargs
    with pytest.raises(PlaceError) as err:
        add_place(engine, actor="a", **args)
    assert err.value.key == key
    assert err.value.text("ko") != err.value.text("en")
    if key == "places.error.outside_station":
        assert "남원경찰서 관할 구역 밖" in err.value.text("ko")
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(tables.officer_places)).scalar()
            == 0
        )


def test_stations_apart_and_a_viewer_receives_none(engine, station):
    add_place(engine, lat=MARKET["lat"], lon=MARKET["lon"], category="vacant_house", actor="a")
    assert read_places(engine, station="other").empty
    places = read_places(engine, station=station)
    assert len(PrivacyRule.for_role("analyst", station).officer_places(places)) == 1
    assert PrivacyRule.for_role("viewer", station).officer_places(places).empty
    assert PrivacyRule.for_role(None, station).officer_places(places).empty


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("빈집", "vacant_house"),
        ("공가", "vacant_house"),
        (" 무인 가게 ", "unmanned_store"),
        ("공사 현장", "construction_site"),
        ("Dark alley", "dark_alley"),
        ("기타", "other"),
        ("놀이터", None),
        ("", None),
    ],
)
def test_category_words(word, code):
    assert category_code(word) == code


notes = st.lists(
    st.one_of(
        st.text(alphabet="가나다 골목빈집,.-", min_size=0, max_size=12),
        st.sampled_from([PHONE, "010 9876 5432", "900101-1234567", "kim@example.com"]),
    ),
    min_size=1,
    max_size=4,
).map(" ".join)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(note=notes)
def test_a_stored_note_is_the_masked_note_whatever_it_holds(tmp_path_factory, station, note):
    db = store.open_store(str(tmp_path_factory.mktemp("p") / "s.sqlite"))
    try:
        result = import_places(
            csv_bytes([HEADER, ["빈집", note, *near_market(0)]]), db=db, actor="a", station=station
        )
        assert result.imported == (1 if len(note.strip()) <= NOTE_MAX else 0)
        stored = read_places(db, station=station)["note"].tolist()
        expected = mask_pii(note.strip()) or None
        assert stored == [expected]
        for raw in (PHONE, "010 9876 5432", "900101-1234567", "kim@example.com"):
            assert all(raw not in (s or "") for s in stored)
    finally:
        db.dispose()


def test_prepare_reads_without_writing(engine, station):
    prepared = prepare_places(csv_bytes(place_rows()), station=station)
    assert len(prepared.rows) == 5 and len(prepared.rejected) == 6
    assert prepared.columns["category"] == "구분" and prepared.columns["note"] == "메모"
    assert store.list_batches(engine).empty
