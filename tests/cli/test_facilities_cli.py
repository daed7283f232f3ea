"""`python -m analytics import --source cctv|streetlight|bell`: the usual report."""

from __future__ import annotations

import json

from analytics.cli import main
from analytics.station.geo import transformer
from tests.conftest import write_csv
from tests.storage.test_facilities_import import bell_rows, cctv_rows, near_market


def test_import_cctv_prints_the_report_and_undo_removes_it(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    rows = cctv_rows(3)
    rows.append([*rows[1][:10], "", "", "2024-06-30"])
    path = write_csv(tmp_path / "cctv.csv", rows, encoding="cp949")
    assert main(["import", "--source", "cctv", str(path), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "가져오기 완료: cctv.csv (CCTV)" in out
    assert "가져옴 3" in out and "거부 1" in out and "cp949" in out
    assert "5: 좌표(위도·경도)가 비어 있습니다" in out
    assert "관리기관전화번호" in out  # listed among the columns not stored
    assert main(["import", "--source", "cctv", str(path), "--db", db, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["imported"] == 0 and again["duplicates_skipped"] == 3
    assert main(["batches", "--db", db, "--json"]) == 0
    batches = json.loads(capsys.readouterr().out)
    assert [b["source"] for b in batches] == ["cctv", "cctv"]
    first = next(b["batch_id"] for b in batches if b["rows_imported"] == 3)
    assert main(["undo", first, "--db", db]) == 0
    assert f"되돌림: 배치 {first}, 시설 3곳 삭제" in capsys.readouterr().out


def test_import_bells_with_metres_in_the_wgs84_columns_says_so(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    to_m = transformer("EPSG:4326", "EPSG:5186")
    metres = []
    for lat, lon in (near_market(i) for i in range(4)):
        x, y = to_m.transform(lon, lat)
        metres.append((round(y, 2), round(x, 2)))
    path = write_csv(tmp_path / "bells.csv", bell_rows(metres))
    assert main(["import", "--source", "bell", str(path), "--db", db, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "4 rows had projected metres in the WGS84 latitude/longitude columns" in out
    assert "EPSG:5186" in out


def test_a_facility_file_takes_no_mapping(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    path = write_csv(tmp_path / "cctv.csv", cctv_rows(1))
    mapping = write_csv(tmp_path / "map.csv", [["column", "field"], ["위도", "lat"]])
    code = main(["import", "--source", "cctv", str(path), "--db", db, "--mapping", str(mapping)])
    assert code == 2
    assert "--mapping" in capsys.readouterr().err
