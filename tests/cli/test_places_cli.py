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
