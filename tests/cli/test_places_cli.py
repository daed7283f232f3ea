"""`python -m analytics import --source places FILE`: officers' own places, the usual report."""

from __future__ import annotations

import json

from analytics.cli import main
from tests.conftest import write_csv
from tests.storage.test_places import place_rows


def test_import_places_prints_the_report_and_undo_removes_them(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    path = write_csv(tmp_path / "places.csv", place_rows(), encoding="cp949")
    assert main(["import", "--source", "places", str(path), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "가져오기 완료: places.csv (경찰 관심 장소)" in out
    assert "가져옴 5" in out and "거부 6" in out and "cp949" in out
    assert "9: 분류가 비어 있습니다" in out
    assert "010-1234-5678" not in out
    assert main(["import", "--source", "places", str(path), "--db", db, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["imported"] == 0 and again["duplicates_skipped"] == 5
    assert main(["batches", "--db", db, "--json"]) == 0
    batches = json.loads(capsys.readouterr().out)
    first = next(b["batch_id"] for b in batches if b["rows_imported"] == 5)
    assert main(["undo", first, "--db", db]) == 0
    assert f"되돌림: 배치 {first}, 관심 장소 5곳 삭제" in capsys.readouterr().out


def test_places_take_no_mapping(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    path = write_csv(tmp_path / "places.csv", place_rows())
    mapping = write_csv(tmp_path / "m.csv", [["구분", "category"]])
    assert (
        main(["import", "--source", "places", str(path), "--db", db, "--mapping", str(mapping)])
        == 2
    )
    assert "--mapping" in capsys.readouterr().err


PLANTED = [  # (category, i of near_market: about 30 m apart going east, note)
    ("vacant_house", 0, "시장 뒤 빈집 QP1"),
    ("vacant_house", 1, "빈집 둘 QP2"),
    ("unmanned_store", 2, "무인점포 QP3"),
    ("dark_alley", 4, "골목 QP4"),
    ("construction_site", 40, "먼 공사장 QP5"),  # about 1.1 km east
]


def test_hotspot_files_carry_officers_place_counts_for_analysts_only(tmp_path, capsys):
    """Eight incidents at the market make one hotspot; officers' places at known points.
    An analyst's GeoJSON and CSV count them by category inside or within 50 m of the
    polygon (as shapely counts them); a viewer's files have no such column and no note."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from analytics.compute.places import count_columns
    from analytics.station.geo import transformer
    from analytics.storage import store
    from analytics.storage.places import add_place
    from tests.storage.test_facilities_import import near_market
    from tests.storage.test_import_files import incident_rows

    db = str(tmp_path / "cli.sqlite")
    incidents = write_csv(tmp_path / "in.csv", incident_rows(8))
    assert main(["import", "--source", "incident", str(incidents), "--db", db]) == 0
    engine = store.open_store(db)
    for category, i, note in PLANTED:
        lat, lon = near_market(i)
        add_place(engine, lat=lat, lon=lon, category=category, note=note, actor="analyst1")
    engine.dispose()
    capsys.readouterr()
    to_m = transformer("EPSG:4326", "EPSG:5179")
    points = [
        (c, shapely.Point(to_m.transform(near_market(i)[1], near_market(i)[0])))
        for c, i, _ in PLANTED
    ]
    columns = list(count_columns())
    assert columns[0] == "places_vacant_house_within_50m"
    period = ["--eps", "50", "--min-samples", "3", "--from", "2017-10-10", "--to", "2017-10-14"]
    for role in ("analyst", "viewer"):
        out = tmp_path / f"{role}.geojson"
        args = ["hotspots", "--db", db, "--role", role, *period, "--out", str(out)]
        assert main(args) == 0
        raw = out.read_text(encoding="utf-8")
        props = json.loads(raw)["features"][0]["properties"]
        csv_out = tmp_path / f"{role}.csv"
        assert main([*args[:-1], str(csv_out), "--format", "csv"]) == 0
        table = pd.read_csv(csv_out, encoding="utf-8-sig")
        if role == "viewer":
            assert not [k for k in props if k.startswith("places_")]
            assert not [c for c in table.columns if c.startswith("places_")]
            assert "QP" not in raw and "QP" not in csv_out.read_text(encoding="utf-8-sig")
            continue
        poly = gpd.read_file(out).to_crs("EPSG:5179").geometry.iloc[0]
        expected = {
            f"places_{cat}_within_50m": sum(
                1 for c, p in points if c == cat and poly.distance(p) <= 50.0
            )
            for cat in ("vacant_house", "unmanned_store", "construction_site", "dark_alley")
        }
        assert expected["places_vacant_house_within_50m"] >= 1  # a place to count
        assert expected["places_construction_site_within_50m"] == 0  # the far one is not near
        for col in columns:
            assert props[col] == expected.get(col, 0), col
            assert int(table[col].iloc[0]) == expected.get(col, 0), col
        assert "QP" not in raw  # counts, never the notes
