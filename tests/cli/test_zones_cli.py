"""`python -m analytics import --source childzone|safehouse`: the usual report and undo."""

from __future__ import annotations

import json

import pytest

from analytics.cli import main
from tests.conftest import write_csv
from tests.storage.test_zones_import import safe_rows, zone_rows


def test_import_child_zones_prints_the_report_and_undo_removes_them(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    rows = zone_rows(3)
    rows.append([*rows[1][:4], "", "", *rows[1][6:]])  # row 5: no point
    path = write_csv(tmp_path / "zones.csv", rows, encoding="cp949")
    assert main(["import", "--source", "childzone", str(path), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "가져오기 완료: zones.csv (어린이보호구역)" in out
    assert "가져옴 3" in out and "거부 1" in out and "cp949" in out
    assert "5: 좌표(위도·경도)가 비어 있습니다" in out
    assert "CCTV설치대수" in out  # listed among the columns not stored
    assert main(["batches", "--db", db, "--json"]) == 0
    batch = json.loads(capsys.readouterr().out)[0]
    assert (batch["source"], batch["rows_imported"]) == ("childzone", 3)
    assert main(["undo", batch["batch_id"], "--db", db]) == 0
    assert f"되돌림: 배치 {batch['batch_id']}, 시설 3곳 삭제" in capsys.readouterr().out


def test_import_safe_houses_in_english_and_json(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    path = write_csv(tmp_path / "safe.csv", safe_rows(2))
    assert main(["import", "--source", "safehouse", str(path), "--db", db, "--lang", "en"]) == 0
    assert "Imported: safe.csv (safehouse)" in capsys.readouterr().out
    assert main(["import", "--source", "safehouse", str(path), "--db", db, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["imported"] == 0 and again["duplicates_skipped"] == 2


def test_the_source_choices_name_the_two_kinds(tmp_path, capsys):
    path = write_csv(tmp_path / "safe.csv", safe_rows(1))
    with pytest.raises(SystemExit):
        main(["import", "--source", "school", str(path), "--db", str(tmp_path / "x.sqlite")])
    assert "'childzone', 'safehouse'" in capsys.readouterr().err
