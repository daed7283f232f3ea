"""The space-time commands: gistar, emerging and nearrepeat on a small imported store."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest

from analytics.cli import main
from tests.conftest import write_csv

MARKET = (35.41012, 127.38533)  # lat, lon
START = pd.Timestamp("2017-09-01 10:00")
# Metres per degree at Namwon, near enough for placing test events.
M_LAT, M_LON = 111_000.0, 90_800.0


def place(rng, centre, radius_m, n):
    lat = centre[0] + rng.uniform(-radius_m, radius_m, n) / M_LAT
    lon = centre[1] + rng.uniform(-radius_m, radius_m, n) / M_LON
    return lat, lon


def rows() -> list[list]:
    """13 weeks from 2017-09-01: five drunk calls a week at the market, thefts that
    repeat within 30 m a day later at 20 places, 30 thefts at random, and four
    domestic-violence calls at one address."""
    rng = np.random.default_rng(16)
    out = [["발생일시", "사건종별", "위도", "경도"]]

    def add(when, kind, lat, lon):
        out.append([f"{when:%Y-%m-%d %H:%M}", kind, f"{lat:.6f}", f"{lon:.6f}"])

    for week in range(13):
        lat, lon = place(rng, MARKET, 60, 5)
        for k in range(5):
            add(START + pd.Timedelta(days=7 * week + k), "주취소란", lat[k], lon[k])
    lat, lon = place(rng, MARKET, 3000, 20)
    for k in range(20):
        first = START + pd.Timedelta(days=int(rng.integers(0, 88)))
        add(first, "절도", lat[k], lon[k])
        add(first + pd.Timedelta(days=1), "절도", lat[k] + 20 / M_LAT, lon[k])
    lat, lon = place(rng, MARKET, 3000, 30)
    for k in range(30):
        add(START + pd.Timedelta(days=int(rng.integers(0, 90))), "절도", lat[k], lon[k])
    for d in range(4):
        add(
            pd.Timestamp("2017-11-20 22:00") + pd.Timedelta(days=d), "가정폭력", 35.41512, 127.39533
        )
    return out


@pytest.fixture
def db(tmp_path, capsys):
    path = str(tmp_path / "st.sqlite")
    csv_path = write_csv(tmp_path / "in.csv", rows())
    assert main(["import", "--source", "incident", str(csv_path), "--db", path]) == 0
    capsys.readouterr()
    return path


def test_gistar_writes_cells_with_their_bins_and_audits_the_file(tmp_path, db, capsys):
    from analytics.access.audit import read_audit
    from analytics.storage import store

    out = tmp_path / "gi.geojson"
    assert main(["gistar", "--db", db, "--out", str(out)]) == 0
    head = capsys.readouterr().out
    assert head.startswith("Gi* 격자 200m") and "사건 139건" in head and "FDR 보정" in head
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    props = pd.DataFrame([f["properties"] for f in features])
    assert props["n_events"].sum() == 139
    assert set(props.columns) >= {"cell_id", "n_events", "gi_z", "gi_p", "gi_bin"}
    market = props.sort_values("n_events").iloc[-1]
    assert market["n_events"] >= 20 and market["gi_bin"] == 3
    lon, lat = features[0]["geometry"]["coordinates"][0][0]
    assert 127.2 < lon < 127.6 and 35.3 < lat < 35.6  # EPSG:4326, at Namwon
    log = read_audit(store.open_store(db))
    assert "gi.geojson" in set(log.loc[log["action"] == "export", "file_name"])


def test_gistar_prints_the_top_cells_in_english(db, capsys):
    assert main(["gistar", "--db", db, "--lang", "en", "--top", "2", "--no-fdr"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Gi* grid 200 m") and "uncorrected" in out[0]
    assert out[1].split() == ["cell_id", "n_events", "gi_z", "gi_p", "gi_bin"]
    assert len(out) == 4


def test_gistar_for_a_viewer_leaves_the_sensitive_cases_out(tmp_path, db, capsys):
    out = tmp_path / "viewer.csv"
    assert (
        main(["gistar", "--db", db, "--for", "viewer", "--format", "csv", "--out", str(out)]) == 0
    )
    printed = capsys.readouterr().out
    assert "민감 유형 사건 4건은 격자 집계에서 뺐습니다" in printed
    with out.open(encoding="utf-8-sig") as fh:
        cells = list(csv.DictReader(fh))
    assert sum(int(c["n_events"]) for c in cells) == 135
    assert "geometry" not in cells[0]


def test_emerging_names_the_market_a_hot_spot(tmp_path, db, capsys):
    out = tmp_path / "em.csv"
    args = ["emerging", "--db", db, "--to", "2017-11-30", "--weeks", "12", "--categories", "drunk"]
    assert main([*args, "--format", "csv", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("최근 12주 (2017-09-08 ~ 2017-11-30) 신흥 핫스팟 분석")
    with out.open(encoding="utf-8-sig") as fh:
        cells = list(csv.DictReader(fh))
    assert cells and {c["category"] for c in cells} <= {
        "persistent_hot",
        "intensifying_hot",
        "diminishing_hot",
        "sporadic_hot",
    }
    busiest = max(cells, key=lambda c: int(c["n_events"]))
    assert busiest["category"] == "persistent_hot" and busiest["category_label"] == "지속 핫스팟"
    assert f"  지속 핫스팟: {sum(c['category'] == 'persistent_hot' for c in cells)}" in printed


def test_nearrepeat_finds_the_repeated_thefts(db, capsys):
    args = ["nearrepeat", "--db", db, "--categories", "theft,drunk", "--days", "3", "--json"]
    assert main([*args, "--lang", "en", "--min-events", "66"]) == 0
    theft, drunk = json.loads(capsys.readouterr().out)
    assert theft["category"] == "theft" and theft["n_events"] == 70
    assert theft["days_raised"] >= 1 and theft["ratio"] > 1 and theft["p"] < 0.05
    assert theft["sentence"].startswith("Theft: after one, the risk within 200 m stays raised")
    assert drunk["n_events"] == 65 and drunk["days_raised"] is None
    assert drunk["sentence"] == "Drunk disturbance: 65 events are too few to test for near-repeats"
    assert main(["nearrepeat", "--db", db, "--categories", "theft", "--days", "1,2,3"]) == 0
    printed = capsys.readouterr().out
    assert "시간 구간 1,2,3, 순열 99회, seed 0" in printed and "절도: 발생 후 200m 이내" in printed


def test_nearrepeat_for_a_viewer_reads_the_sensitive_cases_at_their_cell(db, capsys):
    args = ["nearrepeat", "--db", db, "--categories", "domestic", "--min-events", "2", "--json"]
    assert main([*args, "--for", "viewer"]) == 0
    [viewer] = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    [analyst] = json.loads(capsys.readouterr().out)
    # The four calls at one address are at one place either way: the counts agree.
    assert viewer["n_events"] == analyst["n_events"] == 4
    assert viewer["observed"] == analyst["observed"]


def test_bad_input_exits_2(tmp_path, db, capsys):
    assert main(["emerging", "--db", db, "--weeks", "2"]) == 2
    assert "weeks" in capsys.readouterr().err
    assert main(["gistar", "--db", db, "--cell-m", "0"]) == 2
    assert "cell_m" in capsys.readouterr().err
    assert main(["emerging", "--db", str(tmp_path / "empty.sqlite")]) == 2
    assert "저장소에 사건이 없습니다" in capsys.readouterr().err
