"""A decision recorded at this week's meeting opens next week's brief, with before/after counts."""

from __future__ import annotations

import pytest

from analytics.storage import store
from analytics.storage.decisions import read_decisions
from analytics.storage.importers.core import import_file
from tests.conftest import MARKET, NOW, markdown_tables, run_page, write_csv
from tests.storage.test_import_files import INCIDENT_HEADER, utmk


def market_incidents(days: list[str]) -> list[list]:
    """One incident at the market per day given (``MM-DD`` in 2017)."""
    x, y = utmk(MARKET["lat"], MARKET["lon"], "EPSG:5179")
    return [INCIDENT_HEADER] + [
        [
            f"2017-{i:07d}",
            f"2017-{d} 21:{10 + i:02d}",
            "폭행",
            "C2",
            "남원시 죽항동 공설시장",
            x + i,
            y,
            "",
        ]
        for i, d in enumerate(days)
    ]


@pytest.fixture
def market(tmp_path, monkeypatch):
    """Six incidents at the market the week before the 13 Oct 2017 meeting, two the week after."""
    db = tmp_path / "app.sqlite"
    engine = store.open_store(str(db))
    days = ["10-06", "10-07", "10-08", "10-09", "10-10", "10-11", "10-14", "10-17"]
    import_file(
        write_csv(tmp_path / "in.csv", market_incidents(days)),
        source="incident",
        db=engine,
        now=NOW,
    )
    monkeypatch.setenv("HOTSPOT_DB", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return engine


def test_a_decision_opens_next_weeks_brief_with_before_and_after(market, tmp_path):
    from analytics.__main__ import main

    store_path = tmp_path / "app.sqlite"
    at = run_page("map", week="2017-10-13", eps="100", min="3")
    assert not at.exception
    table = next(df.value for df in at.dataframe if "핫스팟 ID" in df.value.columns)
    at.selectbox(key="m_pick").set_value(table["핫스팟 ID"].iloc[0]).run()
    at.radio(key="dec_action").set_value("patrol")
    at.text_area(key="dec_note").input("22시 탄력순찰, 제보자 010-9876-5432")
    next(b for b in at.button if b.label == "결정 저장").click().run()
    assert not at.exception
    assert any("결정을 저장했습니다" in s.value for s in at.success)
    saved = read_decisions(market)
    assert saved["action"].tolist() == ["patrol"] and "9876-5432" not in saved["note"].iloc[0]

    brief = run_page(week="2017-10-20", eps="100", min="3")
    assert not brief.exception
    assert any(s.value.startswith("지난 회의(2017.10.13(금)) 결정 후속") for s in brief.subheader)
    follow = next(t for t in markdown_tables(brief) if "결정" in t.columns)
    assert follow.iloc[0]["결정"] == "탄력순찰 추가"
    assert follow.iloc[0]["핫스팟 안 (전 → 후)"] == "6 → 2"
    assert follow.iloc[0]["담당"] == "중앙지구대"

    # The meeting pack opens with it too, without the note (it goes round the room).
    out = tmp_path / "pack.html"
    argv = ["pack", "--week", "2017-10-20", "--eps", "100", "--min-samples", "3"]
    assert main([*argv, "--out", str(out), "--db", str(store_path)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "지난 회의(2017.10.13(금)) 결정 후속" in page and "탄력순찰 추가" in page
    assert "6 → 2" in page and "22시 탄력순찰" not in page


def test_no_decision_no_section(market):
    brief = run_page(week="2017-10-20")
    assert not brief.exception
    assert not any("결정 후속" in s.value for s in brief.subheader)
