"""The running app in a real browser: the counts, the banner, and escaped user text."""

from __future__ import annotations

import pytest

from analytics import store
from analytics.importers.core import import_file
from tests.browser.conftest import screenshot, start_streamlit
from tests.conftest import NOW, csv_bytes
from tests.test_import_files import incident_rows

pytestmark = pytest.mark.browser

XSS_NAME = "<img src=x onerror=alert(1)>.csv"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A streamlit server over a store of 4 synthetic incidents from a hostile file name."""
    db = tmp_path_factory.mktemp("browser") / "store.sqlite"
    engine = store.open_store(str(db))
    data = csv_bytes(incident_rows(4))
    import_file(data, source="incident", engine=engine, file_name=XSS_NAME, synthetic=True, now=NOW)
    engine.dispose()
    proc, url = start_streamlit(db)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_shell_shows_counts_and_banner(server, page):
    page.goto(server)
    page.get_by_text("저장소 현황").wait_for(timeout=30_000)
    metric = page.locator('[data-testid="stMetric"]', has_text="사건·112")
    assert metric.locator('[data-testid="stMetricValue"]').inner_text() == "4"
    assert page.get_by_text("합성(가상) 데모 데이터입니다").is_visible()
    assert page.get_by_text("통계청(SGIS), 공공누리 제1유형").is_visible()
    screenshot(page, "shell-ko")


def test_hostile_file_name_is_inert(server, page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server)
    page.get_by_text("가져오기 기록").wait_for(timeout=30_000)
    page.locator('[data-testid="stDataFrame"]').wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    assert dialogs == []
    # No <img> element was created from the name anywhere in the page.
    assert page.locator('img[src="x"]').count() == 0


def test_english_link(server, page):
    page.goto(f"{server}/?lang=en")
    page.get_by_text("What the store holds").wait_for(timeout=30_000)
    assert page.get_by_text("Synthetic demo data").is_visible()
    screenshot(page, "shell-en")
