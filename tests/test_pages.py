"""Every page through Streamlit's AppTest, against a small real store."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.config import REPO_ROOT
from analytics.importers.core import import_file
from tests.conftest import NOW, write_csv
from tests.test_import_files import incident_rows


@pytest.fixture
def small_store(tmp_path, monkeypatch):
    """A store with 4 synthetic incidents and 1 rejected row, set as the app's store."""
    db = tmp_path / "app.sqlite"
    engine = store.open_store(str(db))
    rows = incident_rows(4)
    rows.append(["bad", "2017-13-45", "폭행", "", "", "", "", ""])
    import_file(
        write_csv(tmp_path / "in.csv", rows),
        source="incident",
        engine=engine,
        synthetic=True,
        now=NOW,
    )
    monkeypatch.setenv("HOTSPOT_DB", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return db


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    """An empty store set as the app's store."""
    monkeypatch.setenv("HOTSPOT_DB", str(tmp_path / "empty.sqlite"))
    monkeypatch.delenv("DATABASE_URL", raising=False)


def run_app(**query) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def test_overview_shows_counts_and_synthetic_banner(small_store):
    at = run_app()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["사건·112"] == "4" and metrics["전체"] == "4" and metrics["민원"] == "0"
    assert any("합성(가상) 데모 데이터" in w.value for w in at.warning)
    assert any("통계청(SGIS), 공공누리 제1유형" in c.value for c in at.caption)


def test_overview_in_english(small_store):
    at = run_app(lang="en")
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Incidents & 112 calls" in labels
    assert any("KOGL Type 1" in c.value for c in at.caption)


def test_language_toggle_switches_to_english(small_store):
    at = run_app()
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert "Total" in [m.label for m in at.metric]


def test_empty_store_says_how_to_fill_it(empty_store):
    at = run_app()
    assert not at.exception
    assert any("저장소가 비어 있습니다" in i.value for i in at.info)
    assert not at.warning
