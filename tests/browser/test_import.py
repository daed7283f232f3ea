"""The analyst's week on a fresh install: drop an export, read the preview, import, re-import.

A real server over an empty store. The file is a CP949 CSV in UTM-K with Korean
headers, a phone number in a note and one row with an impossible date.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from analytics.storage import store, tables
from tests.browser.conftest import screenshot, start_streamlit
from tests.conftest import MARKET, csv_bytes
from tests.storage.test_import_files import INCIDENT_HEADER, utmk

pytestmark = pytest.mark.browser

N_GOOD = 6


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory):
    """A server over a store with nothing in it yet (the station's first day)."""
    db = tmp_path_factory.mktemp("import") / "store.sqlite"
    store.open_store(str(db)).dispose()
    proc, url = start_streamlit(db)
    yield url, db
    proc.terminate()
    proc.wait(timeout=20)


def export_file() -> bytes:
    """Six good 112 calls and one with a bad date, as a police export writes them."""
    x, y = utmk(MARKET["lat"], MARKET["lon"])
    rows = [INCIDENT_HEADER]
    for i in range(N_GOOD):
        note = "신고자 010-1234-5678 재연락 요망" if i == 0 else "주취자 시비"
        rows.append(
            [f"2017-{i:07d}", f"2017-10-{10 + i:02d} 21:35", "폭행", "C2", "공설시장", x, y, note]
        )
    rows.append(["2017-bad", "2017-13-45 25:00", "절도", "C3", "공설시장", x, y, ""])
    return csv_bytes(rows, encoding="cp949")


def choose_incidents(page) -> None:
    page.locator('[data-testid="stSelectbox"]').filter(has_text="자료 종류").click()
    page.get_by_role("option", name="사건·112").click()


def drop(page, content: bytes) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "112신고_이번주.csv", "mimeType": "text/csv", "buffer": content}]
    )


def drop_and_preview(page, content: bytes) -> None:
    """Drop the file and wait for its preview. Choosing the source reruns the page; a
    file dropped while that rerun redraws the uploader is lost, so drop once more."""
    preview = page.get_by_text("미리보기 (아직 저장하지 않았습니다)")
    for attempt in range(3):
        page.wait_for_timeout(1000)
        drop(page, content)
        try:
            preview.wait_for(timeout=30_000)
            return
        except Exception:
            if attempt == 2:
                raise


def metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def test_drop_preview_import_and_reimport(empty_server, page):
    url, db = empty_server
    page.goto(f"{url}/data")
    page.get_by_text("파일 가져오기").wait_for(timeout=60_000)
    choose_incidents(page)

    drop_and_preview(page, export_file())
    detected = page.get_by_text(re.compile("인코딩 .* 좌표계")).inner_text()
    assert "cp949" in detected.lower() and "5179" in detected
    assert metric(page, "전체 행") == "7" and metric(page, "가져올 행") == str(N_GOOD)
    assert metric(page, "거부될 행") == "1"
    # The reason, in the grid (drawn on a canvas; its cells stay in the DOM for screen readers).
    page.get_by_text("날짜를 해석할 수 없습니다").first.wait_for(state="attached")
    engine = store.open_store(str(db))
    assert store.source_counts(engine).get("incident", 0) == 0  # a preview stores nothing
    screenshot(page, "import-preview")

    page.get_by_role("button", name="가져오기", exact=True).click()
    done = page.get_by_text(re.compile("가져오기 완료"))
    done.wait_for(timeout=60_000)
    assert f"{N_GOOD}행 추가" in done.inner_text() and "1행 거부" in done.inner_text()
    assert store.source_counts(engine)["incident"] == N_GOOD
    with engine.connect() as conn:
        notes = conn.execute(sa.select(tables.events.c.description)).scalars().all()
    assert not any("1234-5678" in (n or "") for n in notes)  # masked before it was stored

    # The same export again (next week's file overlaps): nothing is added twice.
    page.reload()
    page.get_by_text("파일 가져오기").wait_for(timeout=60_000)
    choose_incidents(page)
    drop_and_preview(page, export_file())
    assert metric(page, "이미 있음(중복)") == str(N_GOOD) and metric(page, "가져올 행") == "0"
    page.get_by_role("button", name="가져오기", exact=True).click()
    again = page.get_by_text(re.compile("가져오기 완료"))
    again.wait_for(timeout=60_000)
    assert "0행 추가" in again.inner_text() and f"중복 {N_GOOD}행 건너뜀" in again.inner_text()
    assert store.source_counts(engine)["incident"] == N_GOOD
    engine.dispose()
    screenshot(page, "import-reimported")
