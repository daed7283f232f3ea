"""Facility layers from the public data portal's standard files: CCTV, street lights and
emergency bells in, one batch per file, rejects with row numbers, duplicates, undo."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.access.audit import audited_import, audited_undo
from analytics.station.geo import transformer
from analytics.storage import store, tables
from analytics.storage.facilities import read_facilities
from analytics.storage.importers.errors import ImportFileError
from analytics.storage.importers.facilities import (
    facility_notes,
    import_facilities,
    map_facility_headers,
    prepare_facilities,
)
from tests.conftest import JEONJU, MARKET, NOW, csv_bytes, write_xlsx

CCTV_HEADER = [
    "관리기관명",
    "소재지도로명주소",
    "소재지지번주소",
    "설치목적구분",
    "카메라대수",
    "카메라화소수",
    "촬영방면정보",
    "보관일수",
    "설치연월",
    "관리기관전화번호",
    "WGS84위도",
    "WGS84경도",
    "데이터기준일자",
]
LIGHT_HEADER = [
    "보안등위치명",
    "설치개수",
    "소재지도로명주소",
    "소재지지번주소",
    "위도",
    "경도",
    "설치연도",
    "설치형태",
    "관리기관전화번호",
    "관리기관명",
    "데이터기준일자",
]
BELL_HEADER = [
    "설치목적",
    "설치장소유형",
    "소재지도로명주소",
    "소재지지번주소",
    "WGS84위도",
    "WGS84경도",
    "연계방식",
    "경찰연계유무",
    "관리기관명",
    "관리기관전화번호",
    "데이터기준일자",
]
AGENCY = "전북특별자치도 남원시"
PHONE = "063-620-1234"


def near_market(i: int) -> tuple[float, float]:
    """(lat, lon) of the i-th point on a line east of the market, about 30 m apart."""
    return round(MARKET["lat"] + 0.0001 * (i % 7), 6), round(MARKET["lon"] + 0.0003 * i, 6)


def cctv_rows(n: int = 3) -> list[list]:
    rows = [CCTV_HEADER]
    for i in range(n):
        lat, lon = near_market(i)
        rows.append(
            [
                AGENCY,
                f"남원시 용성로 {100 + i}",
                f"남원시 죽항동 {i + 1}-1",
                "생활방범",
                2 if i == 0 else 1,
                200,
                "360도",
                30,
                "2019-05",
                PHONE,
                lat,
                lon,
                "2024-06-30",
            ]
        )
    return rows


def light_rows(n: int = 3) -> list[list]:
    rows = [LIGHT_HEADER]
    for i in range(n):
        lat, lon = near_market(i)
        rows.append(
            [
                f"죽항동 골목 {i + 1}",
                1,
                "",
                f"남원시 죽항동 {i + 1}",
                lat,
                lon,
                "2018",
                "전용주",
                PHONE,
                AGENCY,
                "2024-01-01",
            ]
        )
    return rows


def bell_rows(points: list[tuple[float, float]]) -> list[list]:
    rows = [BELL_HEADER]
    for i, (a, b) in enumerate(points):
        rows.append(
            [
                "방범용",
                "공원" if i % 2 else "버스정류장",
                f"남원시 요천로 {i + 1}",
                "",
                a,
                b,
                "112 연계",
                "Y",
                AGENCY,
                PHONE,
                "2024-03-31",
            ]
        )
    return rows


def batch_row(engine, batch_id):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.import_batches).where(tables.import_batches.c.batch_id == batch_id)
        ).first()


def test_cctv_standard_file_in_cp949_lands_as_one_batch(engine, station):
    data = csv_bytes(cctv_rows(3), encoding="cp949")
    result = import_facilities(data, kind="cctv", db=engine, file_name="cctv.csv", now=NOW)
    assert (result.imported, result.encoding, len(result.rejected)) == (3, "cp949", 0)
    assert result.source == "cctv" and result.crs == "EPSG:4326"
    assert "카메라화소수" in result.unused_columns and "관리기관전화번호" in result.unused_columns
    layer = read_facilities(engine, kinds=["cctv"])
    assert len(layer) == 3 and layer.crs.to_string() == station.analysis_crs == "EPSG:5179"
    first = layer.sort_values("road_address").iloc[0]
    assert first["count"] == 2 and first["purpose"] == "생활방범"
    assert first["installed"] == "2019-05" and first["reference_date"] == "2024-06-30"
    assert first["agency"] == AGENCY and first["lot_address"] == "남원시 죽항동 1-1"
    # The point in metres is the degrees projected.
    x, y = transformer("EPSG:4326", "EPSG:5179").transform(MARKET["lon"], MARKET["lat"])
    assert abs(first["x"] - x) < 0.01 and abs(first["y"] - y) < 0.01
    assert abs(first.geometry.x - first["x"]) < 1e-6
    batch = batch_row(engine, result.batch_id)
    assert (batch.source, batch.rows_imported, batch.status) == ("cctv", 3, "active")
    assert store.list_batches(engine)["batch_id"].tolist() == [result.batch_id]
    # Facilities are context, not events.
    assert store.source_counts(engine) == {"suggestion": 0, "complaint": 0, "incident": 0}


def stored_text(engine) -> str:
    """Every facility, rejected row and batch record in the store, as one JSON text."""
    with engine.connect() as conn:
        return json.dumps(
            [
                [list(r) for r in conn.execute(sa.select(t)).all()]
                for t in (tables.facilities, tables.rejected_rows, tables.import_batches)
            ],
            ensure_ascii=False,
            default=str,
        )


def test_the_agency_phone_number_is_stored_nowhere(engine):
    rows = cctv_rows(2)
    rows[1][3] = f"방범 문의 {PHONE} 010-1234-5678"  # a phone typed into free text
    rows.append([*rows[2][:10], "", "", "2024-06-30"])  # rejected: no coordinates
    result = import_facilities(
        csv_bytes(rows), kind="cctv", db=engine, file_name="cctv.csv", now=NOW
    )
    assert result.imported == 2 and len(result.rejected) == 1
    dumped = stored_text(engine)
    assert "1234" not in dumped and "5678" not in dumped
    assert "[전화번호]" in dumped  # masked, in the purpose and in the rejected row's cells


def test_street_lights_in_utf8_with_bom_and_xlsx(engine, tmp_path):
    result = import_facilities(
        csv_bytes(light_rows(3), encoding="utf-8-sig"),
        kind="streetlight",
        db=engine,
        file_name="lights.csv",
        now=NOW,
    )
    assert (result.imported, result.encoding) == (3, "utf-8-sig")
    layer = read_facilities(engine, kinds=["streetlight"])
    assert sorted(layer["name"]) == ["죽항동 골목 1", "죽항동 골목 2", "죽항동 골목 3"]
    assert layer["installed"].tolist() == ["2018"] * 3
    # The same lights as a workbook (with a title row above the header): all duplicates.
    path = write_xlsx(tmp_path / "lights.xlsx", [["보안등 현황"], *light_rows(3)])
    again = import_facilities(path, kind="streetlight", db=engine, now=NOW)
    assert (again.file_kind, again.header_row, again.imported) == ("xlsx", 2, 0)
    assert again.duplicates_in_store == 3


def test_bells_named_by_place_type(engine):
    result = import_facilities(
        csv_bytes(bell_rows([near_market(0), near_market(1)])),
        kind="bell",
        db=engine,
        file_name="bells.csv",
        now=NOW,
    )
    assert result.imported == 2 and not result.notes
    layer = read_facilities(engine)
    assert sorted(layer["name"]) == ["공원", "버스정류장"]
    assert set(layer["kind"]) == {"bell"} and layer["purpose"].tolist() == ["방범용"] * 2


@pytest.mark.parametrize("crs", ["EPSG:5179", "EPSG:5186", "EPSG:2097"])
def test_projected_metres_in_the_wgs84_columns_are_detected_and_reported(engine, crs):
    points = [near_market(i) for i in range(6)]
    to_m = transformer("EPSG:4326", crs)
    metres = []
    for lat, lon in points:
        x, y = to_m.transform(lon, lat)
        metres.append((round(float(y), 2), round(float(x), 2)))  # 위도 column: northing
    result = import_facilities(
        csv_bytes(bell_rows(metres)), kind="bell", db=engine, file_name="bells.csv", now=NOW
    )
    assert result.imported == 6 and not result.rejected
    assert result.notes[0] == "projected_in_wgs84" and result.projected_rows == 6
    note = facility_notes(result, "ko")[0]
    assert "투영 좌표" in note and result.crs in note and "6" in note
    assert result.crs in facility_notes(result, "en")[0]
    if crs == "EPSG:2097":
        # Bessel's central belt and EPSG:5181 differ only by their datum (about 360 m
        # here): the numbers cannot tell them apart, and the report says so.
        assert result.crs == "EPSG:5181"
        assert result.notes[1] == "projected_ambiguous:EPSG:2097"
        assert "EPSG:2097" in facility_notes(result, "ko")[1]
        assert "cannot be told apart" in facility_notes(result, "en")[1]
        return
    assert result.crs == crs and len(result.notes) == 1
    layer = read_facilities(engine)
    expected_x, expected_y = transformer("EPSG:4326", "EPSG:5179").transform(
        [p[1] for p in points], [p[0] for p in points]
    )
    got = layer.set_index("road_address").loc[[f"남원시 요천로 {i + 1}" for i in range(6)]]
    assert np.allclose(got["x"], expected_x, atol=1.0)
    assert np.allclose(got["y"], expected_y, atol=1.0)
    assert np.allclose(got["lat"], [p[0] for p in points], atol=1e-5)


def test_a_mix_of_degrees_and_metres_reads_each_row_its_way(engine):
    lat, lon = near_market(3)
    x, y = transformer("EPSG:4326", "EPSG:5179").transform(lon, lat)
    rows = bell_rows([near_market(0), (round(y, 2), round(x, 2))])
    result = import_facilities(csv_bytes(rows), kind="bell", db=engine, file_name="b.csv", now=NOW)
    assert result.imported == 2 and result.projected_rows == 1
    assert result.crs == "EPSG:4326+EPSG:5179"


def test_rejects_carry_row_numbers_and_both_languages(engine):
    rows = cctv_rows(2)
    rows.append([*rows[1][:10], "", "", "2024-06-30"])  # row 4: no point
    rows.append([*rows[1][:10], "북위 35도", "127.38", "2024-06-30"])  # row 5: not a number
    rows.append([*rows[1][:10], JEONJU["lat"], JEONJU["lon"], "2024-06-30"])  # row 6: Jeonju
    rows.append([*rows[1][:10], 10.0, 10.0, "2024-06-30"])  # row 7: not in Korea
    bad_count = list(rows[2])
    bad_count[4] = "두 대"
    rows.append(bad_count)  # row 8
    result = import_facilities(csv_bytes(rows), kind="cctv", db=engine, file_name="c.csv", now=NOW)
    assert result.imported == 2
    got = {r.row_number: (r.reason_code, r.reason, r.reason_en) for r in result.rejected}
    assert sorted(got) == [4, 5, 6, 7, 8]
    assert got[4][0] == "missing_coordinates" and "좌표" in got[4][1]
    assert got[5][0] == "bad_coordinates" and "북위 35도" in got[5][1]
    assert got[6][0] == "outside_station" and "관할 구역 밖" in got[6][1]
    assert "outside the station" in got[6][2]
    assert got[7][0] == "coordinates_not_in_korea"
    assert got[8][0] == "bad_count" and "두 대" in got[8][1]
    stored = store.read_rejected(engine, result.batch_id)
    assert stored["row_number"].tolist() == [4, 5, 6, 7, 8]
    assert stored["raw"].iloc[0]["관리기관전화번호"] == "[전화번호]"
    # Another station's facility: its row and point are said, its cells not kept.
    assert stored["raw"].iloc[2] == {} and "35.8242, 127.148" in stored["reason"].iloc[2]
    assert stored["raw"].iloc[3]["WGS84위도"] == "10.0"


def test_duplicates_within_the_file_and_against_the_store(engine):
    rows = cctv_rows(3)
    rows.append(list(rows[1]))  # the same camera twice in one file
    first = import_facilities(csv_bytes(rows), kind="cctv", db=engine, file_name="a.csv", now=NOW)
    assert (first.imported, first.duplicates_in_file, first.duplicates_in_store) == (3, 1, 0)
    # Next month's publication: the same three (another encoding) and one new camera.
    rows = cctv_rows(4)
    second = import_facilities(
        csv_bytes(rows, encoding="cp949"), kind="cctv", db=engine, file_name="b.csv", now=NOW
    )
    assert (second.imported, second.duplicates_in_store) == (1, 3)
    assert len(read_facilities(engine)) == 4
    # A publisher that writes 7 decimals: the same cameras, a few centimetres over.
    rows = cctv_rows(4)
    for r in rows[1:]:
        r[10] = f"{r[10] + 0.0000002:.7f}"
    third = import_facilities(csv_bytes(rows), kind="cctv", db=engine, file_name="c.csv", now=NOW)
    assert (third.imported, third.duplicates_in_store) == (0, 4)
    # Another camera on the same pole, for another purpose: a facility of its own.
    rows = cctv_rows(1)
    rows[1][3] = "어린이보호"
    fourth = import_facilities(csv_bytes(rows), kind="cctv", db=engine, file_name="d.csv", now=NOW)
    assert (fourth.imported, fourth.duplicates_in_store) == (1, 0)


def test_undo_removes_the_layer_and_audits(engine):
    result = audited_import(
        engine, "cli:test", file=csv_bytes(cctv_rows(3)), source="cctv", file_name="c.csv"
    )
    assert result.imported == 3 and len(read_facilities(engine)) == 3
    assert audited_undo(engine, "cli:test", result.batch_id) == 3
    assert read_facilities(engine).empty
    assert batch_row(engine, result.batch_id).status == "undone"
    # Importing again after the undo brings the layer back.
    again = import_facilities(csv_bytes(cctv_rows(3)), kind="cctv", db=engine, file_name="c.csv")
    assert again.imported == 3
    with engine.connect() as conn:
        actions = [r[0] for r in conn.execute(sa.select(tables.audit_log.c.action))]
    assert actions == ["import", "undo"]


def test_an_unreadable_file_is_refused_with_the_store_unchanged(engine):
    import_facilities(csv_bytes(cctv_rows(2)), kind="cctv", db=engine, file_name="c.csv")
    before = store.table_counts(engine)
    with pytest.raises(ImportFileError) as err:
        audited_import(
            engine, "cli:test", file=b"\x00\x01\x02garbage", source="cctv", file_name="x.csv"
        )
    assert err.value.key == "error.unreadable"
    no_coords = csv_bytes([["관리기관명", "소재지도로명주소"], [AGENCY, "남원시 용성로 1"]])
    with pytest.raises(ImportFileError) as err:
        import_facilities(no_coords, kind="cctv", db=engine, file_name="y.csv")
    assert err.value.key == "error.facility_no_coordinates" and "소재지도로명주소" in str(err.value)
    with pytest.raises(ImportFileError) as err:
        prepare_facilities(csv_bytes(cctv_rows(1)), kind="tower")
    assert err.value.key == "error.unknown_facility_kind"
    after = store.table_counts(engine)
    assert after["facilities"] == before["facilities"] == 2
    assert after["import_batches"] == before["import_batches"] == 1
    assert after["audit_log"] == before["audit_log"] + 1  # import.fail only


def test_kinds_filter_and_stations_apart(engine):
    import_facilities(csv_bytes(cctv_rows(2)), kind="cctv", db=engine, file_name="c.csv")
    import_facilities(csv_bytes(light_rows(3)), kind="streetlight", db=engine, file_name="l.csv")
    assert len(read_facilities(engine)) == 5
    assert set(read_facilities(engine, kinds=["streetlight"])["kind"]) == {"streetlight"}
    assert read_facilities(engine, station="another").empty
    with pytest.raises(ValueError, match="unknown facility kinds"):
        read_facilities(engine, kinds=["tower"])


HEADER_VARIANTS = {
    "WGS84위도": ["WGS84위도", "WGS84 위도", "위도", "위도(WGS84)", "Latitude", "LAT"],
    "WGS84경도": ["WGS84경도", "WGS84 경도", "경도", "경도(WGS84)", "longitude", "lon"],
    "카메라대수": ["카메라대수", "카메라 대수", "설치대수", "count"],
    "소재지도로명주소": ["소재지도로명주소", "소재지 도로명 주소", "도로명주소", "Road address"],
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.fixed_dictionaries({k: st.sampled_from(v) for k, v in HEADER_VARIANTS.items()}),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp949"]),
    title_rows=st.integers(0, 2),
)
def test_header_and_encoding_variants_read_alike(names, encoding, title_rows):
    rows = cctv_rows(2)
    rows[0] = [names.get(h, h) for h in rows[0]]
    cols, _ = map_facility_headers(rows[0])
    assert {cols["lat"], cols["lon"], cols["count"], cols["road_address"]} == {
        names["WGS84위도"],
        names["WGS84경도"],
        names["카메라대수"],
        names["소재지도로명주소"],
    }
    data = csv_bytes([["CCTV 설치 현황"]] * title_rows + rows, encoding=encoding)
    prepared = prepare_facilities(data, kind="cctv", file_name="c.csv", now=NOW)
    assert len(prepared.rows) == 2 and not prepared.rejected
    assert prepared.rows["count"].tolist() == [2, 1]
    assert prepared.rows["road_address"].tolist() == ["남원시 용성로 100", "남원시 용성로 101"]
    assert prepared.table.header_row == title_rows + 1
