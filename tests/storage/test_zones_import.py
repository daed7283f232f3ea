"""Children's protection zones (어린이보호구역) and women's safe houses (여성안심지킴이집):
two more facility layers, read by their standard headers with the importer's usual
rules (encodings, row-numbered rejects, duplicates skipped, one batch, undo)."""

from __future__ import annotations

from analytics.access.audit import audited_import, audited_undo
from analytics.compute.facilities import distance_columns, facility_distances
from analytics.station.geo import transformer
from analytics.storage import store
from analytics.storage.facilities import read_facilities
from analytics.storage.importers.facilities import (
    facility_notes,
    import_facilities,
    map_facility_headers,
)
from tests.conftest import JEONJU, NOW, csv_bytes, write_xlsx
from tests.storage.test_facilities_import import AGENCY, near_market, stored_text

ZONE_HEADER = [
    "시설종류",
    "대상시설명",
    "소재지도로명주소",
    "소재지지번주소",
    "위도",
    "경도",
    "관리기관명",
    "관할경찰서명",
    "CCTV설치여부",
    "CCTV설치대수",
    "보호구역도로폭",
    "데이터기준일자",
]
SAFE_HEADER = [
    "지킴이집명",
    "소재지도로명주소",
    "소재지지번주소",
    "위도",
    "경도",
    "관할경찰서명",
    "전화번호",
    "데이터기준일자",
]
SHOP_PHONE = "063-632-4567"


def zone_rows(n: int = 3) -> list[list]:
    rows = [ZONE_HEADER]
    kinds = ("초등학교", "유치원", "어린이집")
    for i in range(n):
        lat, lon = near_market(i)
        rows.append(
            [
                kinds[i % 3],
                f"죽항{kinds[i % 3]} {i + 1}",
                f"남원시 용성로 {200 + i}",
                f"남원시 죽항동 {i + 10}",
                lat,
                lon,
                AGENCY,
                "남원경찰서",
                "Y",
                4,
                "8",
                "2024-04-30",
            ]
        )
    return rows


def safe_rows(n: int = 3, header=SAFE_HEADER) -> list[list]:
    rows = [list(header)]
    for i in range(n):
        lat, lon = near_market(i)
        rows.append(
            [
                f"행복편의점 {i + 1}호점",
                f"남원시 시장로 {10 + i}",
                "",
                lat,
                lon,
                "남원경찰서",
                SHOP_PHONE,
                "2024-05-31",
            ]
        )
    return rows


def test_child_zones_in_cp949_land_as_one_batch_one_point_per_zone(engine):
    result = import_facilities(
        csv_bytes(zone_rows(3), encoding="cp949"),
        kind="childzone",
        db=engine,
        file_name="zones.csv",
        now=NOW,
    )
    assert (result.imported, result.encoding, result.source) == (3, "cp949", "childzone")
    assert not result.rejected and result.crs == "EPSG:4326"
    # The zone's CCTV columns say how it is watched, not what it is: unused.
    assert {"CCTV설치대수", "CCTV설치여부", "보호구역도로폭"} <= set(result.unused_columns)
    layer = read_facilities(engine, kinds=["childzone"])
    first = layer.sort_values("road_address").iloc[0]
    assert first["name"] == "죽항초등학교 1" and first["purpose"] == "초등학교"
    assert first["count"] == 1 and first["reference_date"] == "2024-04-30"
    assert first["facility_id"].startswith("chz_")
    x, y = transformer("EPSG:4326", "EPSG:5179").transform(near_market(0)[1], near_market(0)[0])
    assert abs(first["x"] - x) < 0.01 and abs(first["y"] - y) < 0.01
    assert store.list_batches(engine)["source"].tolist() == ["childzone"]


def test_safe_houses_keep_no_phone_number_and_read_english_and_xlsx(engine, tmp_path):
    rows = safe_rows(2)
    rows[2][0] = f"안심마트 점주 010-9876-5432 {SHOP_PHONE}"  # a phone typed into the name
    result = import_facilities(
        csv_bytes(rows, encoding="utf-8-sig"),
        kind="safehouse",
        db=engine,
        file_name="safe.csv",
        now=NOW,
    )
    assert result.imported == 2 and "전화번호" not in result.columns.values()
    dumped = stored_text(engine)
    assert "4567" not in dumped and "5432" not in dumped and "[전화번호]" in dumped
    # 점포명/업소명 and English headers name the same fields; an XLSX reads alike.
    for names in (("점포명", "업종"), ("업소명", "업태"), ("store name", "business type")):
        cols, _ = map_facility_headers([names[0], names[1], "latitude", "longitude"], "safehouse")
        assert cols["name"] == names[0] and cols["purpose"] == names[1]
    english = ["Shop name", "Road address", "Lot address", "Latitude", "Longitude", "Police"]
    xlsx = write_xlsx(
        tmp_path / "safe.xlsx",
        [[*english, "Phone", "Reference date"], *safe_rows(4)[1:]],
    )
    again = import_facilities(xlsx, kind="safehouse", db=engine, now=NOW)
    assert again.file_kind == "xlsx"
    # Its first shop is stored already (the second was written with a phone in its name).
    assert (again.imported, again.duplicates_in_store) == (3, 1)
    assert "Police" in again.unused_columns and "Phone" not in again.columns.values()
    layer = read_facilities(engine, kinds=["safehouse"])
    assert len(layer) == 5 and set(layer["reference_date"]) == {"2024-05-31"}
    assert layer["name"].str.startswith(("행복편의점", "안심마트")).all()


def test_rejects_carry_row_numbers_and_duplicates_are_skipped(engine):
    rows = zone_rows(3)
    rows.append(list(rows[2]))  # row 5: the same zone twice in the file
    rows.append([*rows[1][:4], "", "", *rows[1][6:]])  # row 6: no point
    rows.append([*rows[1][:4], JEONJU["lat"], JEONJU["lon"], *rows[1][6:]])  # row 7: Jeonju
    first = import_facilities(
        csv_bytes(rows, encoding="cp949"), kind="childzone", db=engine, file_name="z.csv", now=NOW
    )
    assert (first.imported, first.duplicates_in_file) == (3, 1)
    got = {r.row_number: r.reason_code for r in first.rejected}
    assert got == {6: "missing_coordinates", 7: "outside_station"}
    assert "관할 구역 밖" in next(r.reason for r in first.rejected if r.row_number == 7)
    # Next year's publication: the same three zones and one new.
    second = import_facilities(
        csv_bytes(zone_rows(4)), kind="childzone", db=engine, file_name="z2.csv", now=NOW
    )
    assert (second.imported, second.duplicates_in_store) == (1, 3)
    # A safe house at a zone's point is no duplicate of it: another kind.
    third = import_facilities(
        csv_bytes(safe_rows(1)), kind="safehouse", db=engine, file_name="s.csv", now=NOW
    )
    assert third.imported == 1
    assert read_facilities(engine)["kind"].value_counts().to_dict() == {
        "childzone": 4,
        "safehouse": 1,
    }


def test_projected_metres_in_the_degree_columns_are_read_and_said(engine):
    rows = safe_rows(3)
    to_m = transformer("EPSG:4326", "EPSG:5186")
    for r in rows[1:]:
        x, y = to_m.transform(r[4], r[3])
        r[3], r[4] = f"{y:.2f}", f"{x:.2f}"
    result = import_facilities(
        csv_bytes(rows), kind="safehouse", db=engine, file_name="s.csv", now=NOW
    )
    assert result.imported == 3 and result.crs == "EPSG:5186" and result.projected_rows == 3
    assert "투영 좌표" in facility_notes(result, "ko")[0]


def test_undo_removes_the_zones_and_hotspots_carry_no_distance_to_them(engine):
    result = audited_import(
        engine, "cli:test", file=csv_bytes(zone_rows(3)), source="childzone", file_name="z.csv"
    )
    assert result.imported == 3
    layer = read_facilities(engine)
    # Distances are for cameras, lights and bells only: no nearest_childzone_m.
    assert not any("childzone" in c or "safehouse" in c for c in distance_columns())
    square = layer.head(0).copy()
    assert list(facility_distances(square, layer).columns) == list(distance_columns())
    assert audited_undo(engine, "cli:test", result.batch_id) == 3
    assert read_facilities(engine).empty
