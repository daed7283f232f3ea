"""Importer end to end: files in, events and rejected rows in the store."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from analytics.station.geo import transformer
from analytics.storage import store, tables
from analytics.storage.importers.core import import_file, prepare_file
from analytics.storage.importers.errors import ImportFileError
from tests.conftest import BAEMSAGOL, JEONJU, MARKET, NOW, csv_bytes, write_csv, write_xlsx

INCIDENT_HEADER = [
    "접수번호",
    "접수일시",
    "사건종별",
    "긴급도",
    "발생장소",
    "X좌표",
    "Y좌표",
    "비고",
]


def utmk(lat, lon, crs="EPSG:5179"):
    x, y = transformer("EPSG:4326", crs).transform(lon, lat)
    return round(float(x), 2), round(float(y), 2)


def incident_rows(n=3, crs="EPSG:5179"):
    x, y = utmk(MARKET["lat"], MARKET["lon"], crs)
    return [INCIDENT_HEADER] + [
        [
            f"2017-{i:07d}",
            f"2017-10-{10 + i:02d} 21:35",
            "폭행",
            "C2",
            "남원시 죽항동 공설시장",
            x,
            y,
            "주취자 시비",
        ]
        for i in range(n)
    ]


def count_events(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(tables.events)).scalar_one()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr"])
def test_encodings_are_detected(tmp_path, engine, encoding):
    path = write_csv(tmp_path / "in.csv", incident_rows(), encoding=encoding)
    result = import_file(path, source="incident", db=engine, now=NOW)
    assert result.imported == 3
    assert (
        result.encoding in {encoding, "cp949"}
        if encoding == "euc-kr"
        else result.encoding == encoding
    )
    events = store.read_events(engine)
    assert set(events["category"]) == {"violence"}
    assert set(events["location_text"]) == {"남원시 죽항동 공설시장"}


@pytest.mark.parametrize("crs", ["EPSG:5179", "EPSG:5186", "EPSG:5181"])
def test_projected_crs_is_detected_and_points_land_in_the_market(tmp_path, engine, crs):
    path = write_csv(tmp_path / "in.csv", incident_rows(crs=crs))
    result = import_file(path, source="incident", db=engine, now=NOW)
    assert result.crs == crs
    ev = store.read_events(engine)
    assert (ev["geocode_method"] == f"projected:{crs}").all()
    assert np.allclose(ev["lat"], MARKET["lat"], atol=1e-5)
    assert np.allclose(ev["lon"], MARKET["lon"], atol=1e-5)
    assert set(ev["emd"]) == {MARKET["emd"]}
    assert set(ev["police_unit"]) == {MARKET["unit"]}


def test_swapped_xy_columns_are_detected(tmp_path, engine):
    rows = incident_rows()
    rows = [rows[0]] + [[*r[:5], r[6], r[5], *r[7:]] for r in rows[1:]]
    result = import_file(
        write_csv(tmp_path / "in.csv", rows), source="incident", db=engine, now=NOW
    )
    assert result.crs == "EPSG:5179" and result.xy_swapped
    assert set(store.read_events(engine)["emd"]) == {MARKET["emd"]}


def test_latlon_given_and_swapped_rows_fixed(tmp_path, engine):
    rows = [
        ["번호", "일시", "위도", "경도", "유형"],
        ["a1", "2017-05-01 10:00", MARKET["lat"], MARKET["lon"], "절도"],
        ["a2", "2017-05-01 11:00", MARKET["lon"], MARKET["lat"], "절도"],  # swapped
    ]
    rows[0][0] = "접수번호"
    result = import_file(
        write_csv(tmp_path / "in.csv", rows), source="incident", db=engine, now=NOW
    )
    assert result.imported == 2 and result.latlon_swapped_rows == 1
    ev = store.read_events(engine)
    assert (ev["geocode_method"] == "given").all()
    assert np.allclose(ev["lat"], MARKET["lat"]) and np.allclose(ev["x"], ev["x"].iloc[0])


def test_gazetteer_places_informal_names(tmp_path, engine):
    rows = [
        ["카드번호", "소리함", "작성일", "장소", "희망시간", "내용"],
        ["1", "B01", "2017.8.14", "공설시장 뒤 골목", "22-02시", "어두워요"],
        ["2", "B01", "2017년 8월 15일", "터미널 앞", "저녁", "주취자가 많아요"],
        ["3", "B02", "2017-08-16", "남원시 향교동 123-4", "", "낯선 사람"],
    ]
    result = import_file(
        write_csv(tmp_path / "c.csv", rows), source="suggestion", db=engine, now=NOW
    )
    assert result.imported == 3 and result.gazetteer_rows == 3 and result.township_level_rows == 1
    ev = store.read_events(engine).set_index("source_record_id")
    assert ev.loc["1", "geocode_match"] == "남원공설시장"
    assert ev.loc["1", "geocode_method"] == "gazetteer"
    assert ev.loc["2", "geocode_match"] == "남원공용버스터미널"
    assert ev.loc["3", "emd"] == "향교동" and ev.loc["3", "geocode_score"] < 0.5
    assert (ev.loc["1", "slot_start_hour"], ev.loc["1", "slot_end_hour"]) == (22, 2)
    assert ev.loc["1", "box_id"] == "B01"
    assert ev.loc["1", "category"] == "dark"


# Every rejection reason: one row each, with the row number a person sees.
REJECTIONS = [
    (["r1", "", "폭행", "", "", MARKET["lat"], MARKET["lon"]], "missing_date", "날짜가 비어"),
    (["r2", "2017-13-45", "폭행", "", "", MARKET["lat"], MARKET["lon"]], "bad_date", "2017-13-45"),
    (
        ["r3", "1999-12-31", "폭행", "", "", MARKET["lat"], MARKET["lon"]],
        "date_out_of_range",
        "1999",
    ),
    (
        ["r4", "2030-01-01", "폭행", "", "", MARKET["lat"], MARKET["lon"]],
        "date_out_of_range",
        "2030",
    ),
    (["r5", "2017-10-10", "폭행", "", "", "", ""], "missing_location", "좌표도 장소명도"),
    (["r6", "2017-10-10", "폭행", "", "", "북위35", MARKET["lon"]], "bad_coordinates", "북위35"),
    (["r7", "2017-10-10", "폭행", "", "", 0.5, 0.5], "coordinates_not_in_korea", "0.5"),
    (["r8", "2017-10-10", "폭행", "", "우리집 앞", "", ""], "place_not_found", "우리집 앞"),
]


@pytest.mark.parametrize(("cells", "code", "shown"), REJECTIONS, ids=[r[1] for r in REJECTIONS])
def test_each_rejection_reason(tmp_path, engine, cells, code, shown):
    header = ["접수번호", "일시", "유형", "긴급도", "장소", "위도", "경도"]
    good = ["ok", "2017-10-10 10:00", "절도", "C3", "", MARKET["lat"], MARKET["lon"]]
    path = write_csv(tmp_path / "in.csv", [header, good, cells])
    result = import_file(path, source="incident", db=engine, now=NOW)
    assert result.imported == 1
    [rej] = result.rejected
    assert rej.row_number == 3
    assert rej.reason_code == code
    assert shown in rej.reason
    stored = store.read_rejected(engine, result.batch_id)
    assert stored["row_number"].tolist() == [3] and stored["reason_code"].tolist() == [code]
    assert stored["raw"].iloc[0]["접수번호"] == cells[0]


def _market_xy() -> tuple[float, float]:
    return tuple(round(v, 2) for v in utmk(MARKET["lat"], MARKET["lon"]))


# A file with both pairs: a row rejected for its coordinates shows the pair they came
# from (x/y only where lat/lon are blank).
COORDINATE_CELLS = [
    (["북위35", MARKET["lon"], *_market_xy()], f"북위35, {MARKET['lon']}"),
    (["", "", "abc", _market_xy()[1]], f"abc, {_market_xy()[1]}"),
]


@pytest.mark.parametrize(("cells", "shown"), COORDINATE_CELLS)
def test_a_coordinate_rejection_shows_the_pair_the_row_used(tmp_path, engine, cells, shown):
    header = ["접수번호", "일시", "유형", "위도", "경도", "X좌표", "Y좌표"]
    good = ["ok", "2017-10-10 10:00", "절도", MARKET["lat"], MARKET["lon"], "", ""]
    path = write_csv(tmp_path / "in.csv", [header, good, ["bad", "2017-10-10", "폭행", *cells]])
    result = import_file(path, source="incident", db=engine, now=NOW)
    assert result.imported == 1
    [rej] = result.rejected
    assert rej.row_number == 3 and rej.reason_code.startswith(("bad_coord", "coordinates_not"))
    assert shown in rej.reason


COMPLAINT_HEADER = [
    "민원번호",
    "접수일",
    "민원유형",
    "처리상태",
    "협조기관",
    "처리완료일",
    "장소",
    "위도",
    "경도",
]


@pytest.mark.parametrize(
    ("status", "resolved", "code"),
    [
        ("보류됨", "", "bad_status"),
        ("완료", "어제", "bad_resolved_at"),
        ("완료", "2017-10-01", "resolved_before_received"),
    ],
)
def test_complaint_rejections(tmp_path, engine, status, resolved, code):
    rows = [
        COMPLAINT_HEADER,
        ["m1", "2017-10-10", "신호등", status, "남원시청 교통행정과", resolved, "용남시장", "", ""],
    ]
    result = import_file(
        write_xlsx(tmp_path / "c.xlsx", rows), source="complaint", db=engine, now=NOW
    )
    assert [r.reason_code for r in result.rejected] == [code]
    assert result.rejected[0].row_number == 2


def test_complaint_fields_and_excel_dates(tmp_path, engine):
    import datetime as dt

    rows = [
        ["2017년 민원 처리 현황"],  # a title row above the header
        COMPLAINT_HEADER,
        [
            "m1",
            dt.datetime(2017, 10, 10),
            "신호등 고장",
            "처리 중",
            "교통행정과",
            None,
            "용남시장",
            None,
            None,
        ],
        [
            "m2",
            "2017.10.11",
            "가로등",
            "완료",
            "한국전력",
            dt.datetime(2017, 10, 30),
            "",
            MARKET["lat"],
            MARKET["lon"],
        ],
        ["m3", 43020, "CCTV 설치 요청", "", "", None, "광한루 앞", None, None],
    ]
    result = import_file(
        write_xlsx(tmp_path / "c.xlsx", rows), source="complaint", db=engine, now=NOW
    )
    assert result.imported == 3 and result.header_row == 2 and not result.rejected
    ev = store.read_events(engine).set_index("source_record_id")
    assert ev.loc["m1", "status"] == "in_progress" and ev.loc["m1", "category"] == "signal"
    assert ev.loc["m2", "status"] == "done"
    assert ev.loc["m2", "resolved_at"] == pd.Timestamp("2017-10-30", tz="Asia/Seoul")
    assert ev.loc["m3", "status"] == "received" and ev.loc["m3", "category"] == "cctv"
    assert ev.loc["m3", "occurred_at"] == pd.Timestamp("2017-10-12", tz="Asia/Seoul")
    assert ev.loc["m3", "geocode_match"] == "광한루원"


def test_reimport_adds_no_duplicates_and_counts_them(tmp_path, engine):
    path = write_csv(tmp_path / "in.csv", incident_rows(5), encoding="cp949")
    first = import_file(path, source="incident", db=engine, now=NOW)
    again = import_file(path, source="incident", db=engine, now=NOW)
    assert (first.imported, first.duplicates) == (5, 0)
    assert (again.imported, again.duplicates) == (0, 5)
    assert count_events(engine) == 5


def test_overlapping_export_adds_only_new_rows(tmp_path, engine):
    rows = incident_rows(6)
    week1 = write_csv(tmp_path / "w1.csv", rows[:5])  # header + 4
    week2 = write_csv(tmp_path / "w2.csv", [rows[0], *rows[3:]])  # overlaps 2, adds 2
    import_file(week1, source="incident", db=engine, now=NOW)
    r2 = import_file(week2, source="incident", db=engine, now=NOW)
    assert (r2.imported, r2.duplicates_in_store) == (2, 2)
    assert count_events(engine) == 6


def test_rows_without_ids_are_deduplicated_by_content(tmp_path, engine):
    rows = [
        ["작성일", "장소", "희망시간", "내용"],
        ["2017-08-14", "공설시장 뒤 골목", "22-02", "어두워요"],
        ["2017-08-14", "공설시장 뒤 골목", "22-02", "어두워요"],  # a second resident, same words
        ["2017-08-15", "터미널 앞", "저녁", "주취자"],
    ]
    path = write_csv(tmp_path / "cards.csv", rows)
    first = import_file(path, source="suggestion", db=engine, now=NOW)
    again = import_file(path, source="suggestion", db=engine, now=NOW)
    assert first.imported == 3
    assert (again.imported, again.duplicates) == (0, 3)


def test_same_record_id_twice_in_a_file_counts_once(tmp_path, engine):
    rows = incident_rows(2)
    rows.append(list(rows[1]))
    result = import_file(
        write_csv(tmp_path / "in.csv", rows), source="incident", db=engine, now=NOW
    )
    assert (result.imported, result.duplicates_in_file) == (2, 1)


def test_undo_removes_the_batch_and_allows_reimport(tmp_path, engine):
    path = write_csv(tmp_path / "in.csv", incident_rows(4))
    result = import_file(path, source="incident", db=engine, now=NOW)
    assert store.undo_batch(engine, result.batch_id) == 4
    assert count_events(engine) == 0
    batches = store.list_batches(engine)
    assert batches.loc[batches["batch_id"] == result.batch_id, "status"].item() == "undone"
    assert import_file(path, source="incident", db=engine, now=NOW).imported == 4


def test_undo_unknown_batch_raises(engine):
    with pytest.raises(store.UnknownBatchError):
        store.undo_batch(engine, "nope")


def test_points_outside_the_station_are_kept_and_flagged(tmp_path, engine):
    rows = [
        ["접수번호", "일시", "위도", "경도", "유형"],
        ["in", "2017-05-01 10:00", BAEMSAGOL["lat"], BAEMSAGOL["lon"], "실종"],
        ["out", "2017-05-01 10:00", JEONJU["lat"], JEONJU["lon"], "절도"],
    ]
    result = import_file(
        write_csv(tmp_path / "in.csv", rows), source="incident", db=engine, now=NOW
    )
    assert (result.imported, result.outside_station) == (2, 1)
    ev = store.read_events(engine).set_index("source_record_id")
    assert ev.loc["in", "inside_station"] and ev.loc["in", "police_unit"] == BAEMSAGOL["unit"]
    assert not ev.loc["out", "inside_station"] and pd.isna(ev.loc["out", "emd"])
    assert len(store.read_events(engine, inside_only=True)) == 1


def stored_bytes(engine) -> bytes:
    """Everything the store holds, as bytes: the SQLite file and its log, or on
    PostgreSQL every table as text and every column block unpacked."""
    from analytics.storage import columnar

    if engine.dialect.name == "sqlite":
        db = Path(engine.url.database)
        return db.read_bytes() + Path(f"{db}-wal").read_bytes()
    out = []
    with engine.connect() as conn:
        for table in ("events", "rejected_rows", "import_batches", "audit_log"):
            for (row,) in conn.exec_driver_sql(f"SELECT t::text FROM {table} t"):
                out.append(row.encode())
        for (data,) in conn.exec_driver_sql("SELECT data FROM event_blocks"):
            out.append(str(columnar.decode_column(bytes(data)).to_pylist()).encode())
    return b"\n".join(out)


def test_free_text_is_masked_before_it_is_stored(tmp_path, engine):
    rows = incident_rows(1)
    rows[1][-1] = "신고자 010-1234-5678, hong@example.com, 900101-1234567"
    import_file(write_csv(tmp_path / "in.csv", rows), source="incident", db=engine, now=NOW)
    raw = stored_bytes(engine)
    for secret in ("1234-5678", "hong@example.com", "1234567"):
        assert secret.encode() not in raw
    desc = store.read_events(engine)["description"].item()
    assert "[전화번호]" in desc and "[이메일]" in desc and "[주민번호]" in desc


def test_free_text_written_with_full_width_digits_and_other_dashes_is_masked(tmp_path, engine):
    # As a CP949 export carries them: full-width digits, ㅡ typed for a dash, ＠.
    rows = incident_rows(1)
    rows[1][-1] = "신고자 ０１０ㅡ１２３４ㅡ５６７８, 900101－2345678, kim ＠ police.kr"
    path = write_csv(tmp_path / "in.csv", rows, encoding="cp949")
    import_file(path, source="incident", db=engine, now=NOW)
    raw = stored_bytes(engine)
    for secret in ("５６７８", "2345678", "police.kr"):
        assert secret.encode() not in raw
    assert (
        store.read_events(engine)["description"].item() == "신고자 [전화번호], [주민번호], [이메일]"
    )


def test_rejected_raw_rows_are_masked(tmp_path, engine):
    rows = incident_rows(1)
    rows.append(["x", "언젠가", "폭행", "", "연락 01098765432", "", "", ""])
    result = import_file(
        write_csv(tmp_path / "in.csv", rows), source="incident", db=engine, now=NOW
    )
    stored = store.read_rejected(engine, result.batch_id)
    assert "01098765432" not in json.dumps(stored["raw"].tolist(), ensure_ascii=False)


@pytest.mark.parametrize(
    ("rows", "key"),
    [
        ([["이름", "나이"], ["홍", "3"]], "error.no_header"),
        ([["접수번호", "장소", "유형"], ["1", "용남시장", "절도"]], "error.no_date_column"),
        ([["접수번호", "일시", "유형"], ["1", "2017-01-01", "절도"]], "error.no_location_columns"),
    ],
)
def test_unusable_files_raise_and_store_nothing(tmp_path, engine, rows, key):
    with pytest.raises(ImportFileError) as err:
        import_file(write_csv(tmp_path / "in.csv", rows), source="incident", db=engine, now=NOW)
    assert err.value.key == key
    assert store.is_empty(engine)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"", "error.empty"),
        (b"PK\x03\x04broken", "error.unreadable"),
        (b"\x00\x01\x02", "error.unreadable"),
    ],
)
def test_unreadable_bytes(engine, data, key):
    with pytest.raises(ImportFileError) as err:
        import_file(data, source="incident", db=engine, file_name="x.csv", now=NOW)
    assert err.value.key == key
    assert store.is_empty(engine)


def test_failure_while_writing_leaves_the_store_unchanged(tmp_path, engine, monkeypatch):
    path = write_csv(tmp_path / "in.csv", incident_rows(3))

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_insert_storage", boom)
    with pytest.raises(RuntimeError):
        import_file(path, source="incident", db=engine, now=NOW)
    assert store.is_empty(engine) and count_events(engine) == 0


def test_blank_rows_do_not_shift_row_numbers(tmp_path, engine):
    rows = incident_rows(2)
    text = csv_bytes(rows).decode().splitlines()
    text.insert(2, "")  # blank line at file row 3
    text.append(",언젠가,폭행,,,,,")  # file row 5
    path = tmp_path / "in.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = import_file(path, source="incident", db=engine, now=NOW)
    assert result.blank_rows == 1
    assert [r.row_number for r in result.rejected] == [5]


def test_mapping_file_overrides_headers(tmp_path, engine):
    rows = [["사건키", "when", "where_text", "분류값"], ["k1", "2017-10-10", "용남시장", "절도"]]
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "column,field\n사건키,record_id\nwhen,occurred_at\nwhere_text,location_text\n분류값,category\n",
        encoding="utf-8",
    )
    result = import_file(
        write_csv(tmp_path / "in.csv", rows),
        source="incident",
        db=engine,
        mapping=mapping,
        now=NOW,
    )
    assert result.imported == 1
    ev = store.read_events(engine)
    assert ev["source_record_id"].item() == "k1" and ev["category"].item() == "theft"


def test_prepare_writes_nothing(tmp_path, engine):
    prepared = prepare_file(
        write_csv(tmp_path / "in.csv", incident_rows(3)), source="incident", now=NOW
    )
    assert len(prepared.events) == 3 and prepared.crs == "EPSG:5179"
    assert store.is_empty(engine)


def test_severity_and_priority(tmp_path, engine):
    rows = incident_rows(3)
    rows[1][2], rows[1][3] = "주취소란", "C1"
    rows[2][2], rows[2][3] = "주취소란", "3"
    rows[3][2], rows[3][3] = "가정폭력", "잘모름"
    import_file(write_csv(tmp_path / "in.csv", rows), source="incident", db=engine, now=NOW)
    ev = store.read_events(engine).sort_values("source_record_id")
    assert ev["priority_code"].tolist() == ["C1", "C3", None] or ev["priority_code"].isna().iloc[2]
    assert ev["severity"].tolist() == ["high", "low", "high"]
    assert ev["category"].tolist() == ["drunk", "drunk", "domestic"]
