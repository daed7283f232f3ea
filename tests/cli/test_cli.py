"""The command line: exit codes, summaries and JSON."""

from __future__ import annotations

import json
import platform
import subprocess
import sys

import pytest

from analytics.cli import main
from analytics.storage import store
from tests.conftest import write_csv
from tests.storage.test_import_files import incident_rows


@pytest.fixture
def db(tmp_path):
    """A path for a fresh store."""
    return str(tmp_path / "cli.sqlite")


def test_import_prints_summary_and_exits_zero_with_rejections(tmp_path, db, capsys):
    rows = incident_rows(3)
    rows.append(["bad", "2017-13-45", "폭행", "", "", "", "", ""])
    path = write_csv(tmp_path / "in.csv", rows, encoding="cp949")
    assert main(["import", "--source", "incident", str(path), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "가져옴 3" in out and "거부 1" in out
    assert "cp949" in out and "EPSG:5179" in out
    assert "5: 날짜를 해석할 수 없습니다: '2017-13-45'" in out


def test_import_json(tmp_path, db, capsys):
    path = write_csv(tmp_path / "in.csv", incident_rows(2))
    assert main(["import", "--source", "incident", str(path), "--db", db, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["imported"] == 2 and result["crs"] == "EPSG:5179" and result["batch_id"]
    assert main(["import", "--source", "incident", str(path), "--db", db, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["imported"] == 0 and again["duplicates_skipped"] == 2


def test_unusable_file_exits_nonzero_with_one_line(tmp_path, db, capsys):
    path = write_csv(tmp_path / "in.csv", [["접수번호", "장소"], ["1", "용남시장"]])
    assert main(["import", "--source", "incident", str(path), "--db", db]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "날짜 열이 없습니다" in err


def test_missing_file_exits_nonzero(tmp_path, db, capsys):
    assert main(["import", "--source", "incident", str(tmp_path / "nope.csv"), "--db", db]) == 2
    assert "파일을 읽을 수 없습니다" in capsys.readouterr().err


def test_undo_and_counts(tmp_path, db, capsys):
    path = write_csv(tmp_path / "in.csv", incident_rows(2))
    main(["import", "--source", "incident", str(path), "--db", db, "--json"])
    batch = json.loads(capsys.readouterr().out)["batch_id"]
    assert main(["undo", batch, "--db", db]) == 0
    assert "2건 삭제" in capsys.readouterr().out
    assert main(["counts", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["incident"] == 0
    assert main(["undo", "no-such-batch", "--db", db]) == 2


def test_rejected_export_is_csv_with_safe_cells(tmp_path, db, capsys):
    rows = incident_rows(1)
    rows.append(["=HYPERLINK(1)", "언젠가", "폭행", "", "", "", "", ""])
    main(["import", "--source", "incident", str(write_csv(tmp_path / "in.csv", rows)), "--db", db])
    out = tmp_path / "rejected.csv"
    assert main(["rejected", "--db", db, "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


def test_module_runs_as_a_program(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "counts", "--db", str(tmp_path / "s.sqlite"), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == {"suggestion": 0, "complaint": 0, "incident": 0}


def test_the_program_keeps_freed_memory_where_glibc_lets_it():
    """``python -m analytics`` raises glibc's thresholds (analytics.cli.common.keep_freed_memory);
    a process that only imports the CLI keeps the defaults."""
    probe = "from analytics.cli.common import keep_freed_memory\nprint(keep_freed_memory())\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    expected = "True" if platform.libc_ver()[0] == "glibc" else "False"
    assert done.stdout.strip() == expected


def test_hotspots_geojson_and_labels(tmp_path, db, capsys):
    rows = incident_rows(8)  # eight incidents at the market, 10-10 .. 10-17
    main(["import", "--source", "incident", str(write_csv(tmp_path / "in.csv", rows)), "--db", db])
    capsys.readouterr()
    out, labels = tmp_path / "h.geojson", tmp_path / "labels.csv"
    args = ["hotspots", "--db", db, "--eps", "50", "--min-samples", "3"]
    assert (
        main(
            [
                *args,
                "--from",
                "2017-10-10",
                "--to",
                "2017-10-14",
                "--out",
                str(out),
                "--labels",
                str(labels),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "핫스팟 1곳" in printed and "우연 검정: 1곳 중" in printed
    gj = json.loads(out.read_text(encoding="utf-8"))
    [feature] = gj["features"]
    lon, lat = feature["geometry"]["coordinates"][0][0]
    assert 127.3 < lon < 127.5 and 35.3 < lat < 35.5  # EPSG:4326, at Namwon
    assert feature["properties"]["place"].startswith("남원공설시장 부근")
    # Every hotspot says whether chance could have made it (analytics.compute.significance).
    assert feature["properties"]["significant"] in (True, False)
    assert 0.0 < feature["properties"]["p_value"] <= 1.0
    lines = labels.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "event_id,hotspot_id" and len(lines) == 1 + 5  # 10-10 .. 10-14
    assert {ln.split(",")[1] for ln in lines[1:]} == {feature["properties"]["hotspot_id"]}
    # The ids as the store holds them (written from its numbers: EVENT_KEY).
    stored = set(store.read_events(store.open_store(db))["event_id"])
    assert {ln.split(",")[0] for ln in lines[1:]} <= stored


def test_hotspots_say_when_the_chance_test_used_a_thinning(tmp_path, db, capsys, monkeypatch):
    """A view too large to simulate whole is tested on a share of its events, and the
    CLI says so; a small one's output says nothing of it."""
    from analytics.compute import significance

    rows = incident_rows(8)
    main(["import", "--source", "incident", str(write_csv(tmp_path / "in.csv", rows)), "--db", db])
    args = ["hotspots", "--db", db, "--eps", "50", "--min-samples", "3"]
    args += ["--from", "2017-10-10", "--to", "2017-10-17"]
    capsys.readouterr()
    assert main(args) == 0
    assert "무작위로 고른" not in capsys.readouterr().out
    monkeypatch.setattr(significance, "MAX_SIMULATED_PAIRS", 1e-6)
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "우연 검정은 무작위로 고른" in printed and "%의 사건으로 했습니다" in printed
    assert main([*args, "--lang", "en"]) == 0
    assert "the chance test used a random" in capsys.readouterr().out


def test_hotspots_rejects_bad_parameters(db, capsys):
    assert main(["hotspots", "--db", db, "--eps", "-1"]) == 2
    assert "eps_m" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["hotspots", "--db", db, "--sources", "tweets"])


def test_evaluate_prints_the_sentence_and_json(tmp_path, db, capsys):
    rows = incident_rows(8)  # 10-10 .. 10-17 at the market
    main(["import", "--source", "incident", str(write_csv(tmp_path / "in.csv", rows)), "--db", db])
    capsys.readouterr()
    args = [
        "evaluate",
        "--db",
        db,
        "--train-from",
        "2017-10-10",
        "--train-to",
        "2017-10-14",
        "--test-from",
        "2017-10-15",
        "--test-to",
        "2017-10-17",
        "--eps",
        "50",
        "--min-samples",
        "3",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "지난주 핫스팟이" in out and "사건의 100%" in out
    assert main([*args, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n_test"] == 3 and result["hit_rate"] == 1.0 and result["pai"] > 1
    bad = [
        "evaluate",
        "--db",
        db,
        "--train-from",
        "2017-10-15",
        "--train-to",
        "2017-10-17",
        "--test-from",
        "2017-10-10",
        "--test-to",
        "2017-10-14",
    ]
    assert main(bad) == 2


def test_tune_and_backtest_commands(tmp_path, db, capsys):
    rows = incident_rows(40)  # daily incidents at the market, 10-10 .. 11-18
    main(["import", "--source", "incident", str(write_csv(tmp_path / "in.csv", rows)), "--db", db])
    capsys.readouterr()
    assert main(["tune", "--db", db, "--weeks", "2", "--json"]) == 0
    tuned = json.loads(capsys.readouterr().out)
    engines = [row["engine"] for row in tuned["grid"]]
    assert tuned["eps_m"] is not None and engines.count("dbscan") == 54
    assert engines.count("hdbscan") == 6  # HDBSCAN offered beside DBSCAN
    assert main(["backtest", "--db", db, "--weeks", "2", "--eps", "100", "--min-samples", "5"]) == 0
    out = capsys.readouterr().out
    assert "mean:" in out and "dbscan" in out and "grid" in out and "kde" in out


def test_cli_exports_are_audited(tmp_path, db, capsys):
    from analytics.access.audit import read_audit

    rows = incident_rows(8)
    main(["import", "--source", "incident", str(write_csv(tmp_path / "in.csv", rows)), "--db", db])
    out = tmp_path / "h.csv"
    assert (
        main(
            [
                "hotspots",
                "--db",
                db,
                "--eps",
                "50",
                "--min-samples",
                "3",
                "--format",
                "csv",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[-2:] == ["significant", "p_value"]
    assert main(["rejected", "--db", db, "--out", str(tmp_path / "r.csv")]) == 0
    from analytics.storage import store

    log = read_audit(store.open_store(db))
    exports = log[log["action"] == "export"]
    assert set(exports["file_name"]) == {"h.csv", "r.csv"}
    assert exports["actor"].str.startswith("cli:").all()


def test_hotspots_for_a_viewer_withhold_a_victims_address(tmp_path, db, capsys):
    """Four domestic-violence calls at one address: the analyst's file has the hotspot,
    the viewer's file does not, and the CLI says why."""
    rows = [["발생일시", "사건종별", "위도", "경도"]]
    rows += [[f"2017-10-1{d} 22:00", "가정폭력", 35.41012, 127.38533] for d in range(4)]
    path = write_csv(tmp_path / "dv.csv", rows)
    assert main(["import", "--source", "incident", str(path), "--db", db]) == 0
    capsys.readouterr()
    found = {}
    for role in ("analyst", "viewer"):
        out = tmp_path / f"{role}.geojson"
        args = ["hotspots", "--from", "2017-10-10", "--to", "2017-10-13", "--db", db]
        args += ["--eps", "60", "--min-samples", "3", "--for", role, "--out", str(out)]
        assert main(args) == 0
        found[role] = (json.loads(out.read_text(encoding="utf-8")), capsys.readouterr().out)
    assert len(found["analyst"][0]["features"]) == 1
    assert found["viewer"][0]["features"] == []
    assert "핫스팟 1곳은 열람자 화면에서 뺐습니다" in found["viewer"][1]
    assert "35.41012" not in json.dumps(found["viewer"][0])
