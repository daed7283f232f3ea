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


def test_hotspot_geojson_and_csv_carry_facility_distances(tmp_path, capsys):
    """Eight incidents at the market make one hotspot; cameras and bells at known points
    (no street-light layer). Each file's distances match shapely's, from the polygon the
    role receives, within a metre; the missing layer is null."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from tests.storage.test_import_files import incident_rows

    db = str(tmp_path / "cli.sqlite")
    main(
        [
            "import",
            "--source",
            "incident",
            str(write_csv(tmp_path / "in.csv", incident_rows(8))),
            "--db",
            db,
        ]
    )
    cams = cctv_rows(6)  # on a line east of the market, about 30 m apart
    main(["import", "--source", "cctv", str(write_csv(tmp_path / "c.csv", cams)), "--db", db])
    far = [near_market(40), near_market(60)]  # about 1.1 and 1.6 km east
    main(
        [
            "import",
            "--source",
            "bell",
            str(write_csv(tmp_path / "b.csv", bell_rows(far))),
            "--db",
            db,
        ]
    )
    capsys.readouterr()
    to_m = transformer("EPSG:4326", "EPSG:5179")
    cam_points = [shapely.Point(to_m.transform(r[11], r[10])) for r in cams[1:]]
    bell_points = [shapely.Point(to_m.transform(lon, lat)) for lat, lon in far]
    for role in ("analyst", "viewer"):
        out = tmp_path / f"{role}.geojson"
        args = ["hotspots", "--db", db, "--eps", "50", "--min-samples", "3", "--for", role]
        args += ["--from", "2017-10-10", "--to", "2017-10-14", "--out", str(out)]
        assert main(args) == 0
        frame = gpd.read_file(out).to_crs("EPSG:5179")
        assert len(frame) == 1
        props = json.loads(out.read_text(encoding="utf-8"))["features"][0]["properties"]
        poly = frame.geometry.iloc[0]
        expected_cam = min(poly.distance(p) for p in cam_points)
        assert abs(props["nearest_cctv_m"] - expected_cam) < 1.0
        assert props["cctv_within_50m"] == sum(poly.distance(p) <= 50 for p in cam_points) >= 1
        assert abs(props["nearest_bell_m"] - min(poly.distance(p) for p in bell_points)) < 1.0
        assert props["bell_within_50m"] == 0
        assert props["nearest_streetlight_m"] is None and props["streetlight_within_50m"] is None
    csv_out = tmp_path / "h.csv"
    args = ["hotspots", "--db", db, "--eps", "50", "--min-samples", "3", "--format", "csv"]
    assert main([*args, "--from", "2017-10-10", "--to", "2017-10-14", "--out", str(csv_out)]) == 0
    table = pd.read_csv(csv_out, encoding="utf-8-sig")
    cols = list(table.columns)  # an analyst's file: officers' place counts follow these
    first = cols.index("nearest_cctv_m")
    assert cols[first : first + 6] == [
        "nearest_cctv_m",
        "nearest_streetlight_m",
        "nearest_bell_m",
        "cctv_within_50m",
        "streetlight_within_50m",
        "bell_within_50m",
    ]
    assert list(table.columns[-2:]) == ["significant", "p_value"]
    assert table["nearest_streetlight_m"].isna().all() and table["cctv_within_50m"].iloc[0] >= 1
