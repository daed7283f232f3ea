"""The analyst's week on a fresh install: drop an export, read the preview, import, re-import.

A real server over an empty store. The file is a CP949 CSV in UTM-K with Korean
headers, a phone number in a note and one row with an impossible date.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from analytics.storage import store, tables
from analytics.storage.mappings import list_templates
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


def settled(page) -> None:
    """Wait until the script run a click started has finished: a file dropped while it
    runs can land in an uploader that is about to be drawn again, and be lost."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        state="attached", timeout=60_000
    )


def choose_incidents(page) -> None:
    page.locator('[data-testid="stSelectbox"]').filter(has_text="자료 종류").click()
    page.get_by_role("option", name="사건·112").click()
    settled(page)


def drop(page, content: bytes, name: str = "112신고_이번주.csv") -> None:
    settled(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    page.locator('[data-testid="stFileChipName"]', has_text=name).wait_for(timeout=60_000)


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


def pseudo(locator, which: str = "::after") -> str:
    """The text CSS generates for an element (``content``), without its quotes."""
    return locator.evaluate(f"e => getComputedStyle(e, '{which}').content").strip('"')


@pytest.mark.parametrize(
    ("lang", "button", "hint", "drop"),
    [
        (
            "ko",
            "파일 선택",
            "파일을 여기에 끌어다 놓거나 '파일 선택'을 누르세요",
            "여기에 놓으세요",
        ),
        ("en", "Choose a file", "Drop a file here, or press 'Choose a file'", "Drop the file here"),
    ],
)
def test_the_upload_box_speaks_the_readers_language(empty_server, page, lang, button, hint, drop):
    url, _ = empty_server
    page.goto(f"{url}/data?lang={lang}")
    zone = page.locator('[data-testid="stFileUploaderDropzone"]')
    zone.wait_for(timeout=60_000)
    # The button is named in the reader's language, for a screen reader as well.
    assert page.get_by_role("button", name=button, exact=True).is_visible()
    assert page.get_by_role("button", name="Upload", exact=True).count() == 0
    assert not page.get_by_text("Upload", exact=True).is_visible()
    assert not page.get_by_text(re.compile("MB per file")).is_visible()
    instructions = zone.locator('[data-testid="stFileUploaderDropzoneInstructions"] > div')
    assert pseudo(instructions) == hint
    # While a file is dragged over it: Streamlit's "Drag and drop a file here" is hidden.
    dragged = page.evaluate_handle(
        "() => { const d = new DataTransfer();"
        " d.items.add(new File(['x'], 'a.csv', {type: 'text/csv'})); return d; }"
    )
    zone.dispatch_event("dragenter", {"dataTransfer": dragged})
    overlay = zone.locator("xpath=./div[span]")  # the box drawn over the dropzone
    overlay.wait_for(timeout=10_000)
    assert pseudo(overlay) == drop
    assert not page.get_by_text("Drag and drop a file here").is_visible()
    screenshot(page, f"import-upload-box-{lang}")


MAPPED = 5
TEMPLATE = "112 주간 내보내기"


@pytest.fixture(scope="module")
def mapping_server(tmp_path_factory):
    """Another empty store: the mapping flow's rows are its own."""
    db = tmp_path_factory.mktemp("mapping") / "store.sqlite"
    store.open_store(str(db)).dispose()
    proc, url = start_streamlit(db)
    yield url, db
    proc.terminate()
    proc.wait(timeout=20)


def weekly_export() -> bytes:
    """A 112 export whose date column is called "작성 시점": no header the importer knows."""
    x, y = utmk(MARKET["lat"], MARKET["lon"])
    rows = [
        ["관리키", "작성 시점", "사건종별", "발생지 주소", "X좌표", "Y좌표", "담당 경찰관", "비고"]
    ]
    for i in range(MAPPED):
        note = "신고자 010-1234-5678 재연락" if i == 0 else "주취자 시비"
        rows.append([f"W-{i}", f"2017-11-{10 + i:02d} 22:10", "폭행", "공설시장", x, y, "김", note])
    return csv_bytes(rows)


def pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the select labelled ``label``."""
    page.locator('[data-testid="stSelectbox"]').filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    settled(page)


def test_map_columns_by_hand_import_and_reuse_the_template(mapping_server, page):
    url, db = mapping_server
    page.goto(f"{url}/data")
    page.get_by_text("파일 가져오기").wait_for(timeout=60_000)
    choose_incidents(page)
    drop(page, weekly_export())
    # No date column the importer knows: said, and the selects are open.
    page.get_by_text(re.compile("날짜 열이 없습니다")).wait_for(timeout=90_000)
    page.get_by_text("열 직접 연결").first.wait_for()
    assert page.get_by_role("combobox", name="일시 (필수)").input_value() == "사용 안 함"
    assert page.get_by_role("combobox", name="장소 (위치)").input_value() == "발생지 주소"
    screenshot(page, "import-mapping-needed")

    pick(page, "일시 (필수)", "작성 시점")
    page.get_by_text("미리보기 (아직 저장하지 않았습니다)").wait_for(timeout=60_000)
    assert metric(page, "가져올 행") == str(MAPPED) and metric(page, "거부될 행") == "0"
    unused = page.get_by_text(re.compile("쓰지 않는 열 2개")).inner_text()
    assert "관리키" in unused and "담당 경찰관" in unused
    engine = store.open_store(str(db))
    assert store.is_empty(engine)  # the preview stores nothing
    screenshot(page, "import-mapping-preview")

    page.get_by_role("button", name="가져오기", exact=True).click()
    done = page.get_by_text(re.compile("가져오기 완료"))
    done.wait_for(timeout=60_000)
    assert f"{MAPPED}행 추가" in done.inner_text()
    events = store.read_events(engine).sort_values("occurred_at")
    assert events["occurred_at"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        f"2017-11-{10 + i:02d} 22:10" for i in range(MAPPED)
    ]
    assert set(events["emd"]) == {MARKET["emd"]}
    assert not events["description"].fillna("").str.contains("1234-5678").any()  # masked

    name = page.get_by_label("대응표 이름")
    name.fill(TEMPLATE)
    hint = page.locator('[data-testid="InputInstructions"]')
    hint.wait_for(timeout=10_000)  # Streamlit's "Press Enter to apply", in Korean
    assert pseudo(hint, "::before") == "Enter 키를 누르면 적용됩니다"
    assert not page.get_by_text("Press Enter to apply").is_visible()
    name.press("Enter")
    page.get_by_role("button", name="이 열 대응을 대응표로 저장").click()
    page.get_by_text(re.compile(f"열 대응표 '{TEMPLATE}'을\\(를\\) 저장했습니다")).wait_for(
        timeout=60_000
    )
    (saved,) = list_templates(engine, source="incident")
    assert saved.columns["작성 시점"] == "occurred_at"

    # Next week: the same layout again, in a new session. The template maps it.
    page.goto(f"{url}/data")
    page.get_by_text("파일 가져오기").wait_for(timeout=60_000)
    choose_incidents(page)
    pick(page, "저장된 열 대응표", TEMPLATE)
    drop(page, weekly_export())
    page.get_by_text("미리보기 (아직 저장하지 않았습니다)").wait_for(timeout=60_000)
    assert not page.get_by_text(re.compile("날짜 열이 없습니다")).is_visible()
    assert page.get_by_text(re.compile(f"'{TEMPLATE}'을\\(를\\) 적용했습니다")).is_visible()
    assert metric(page, "이미 있음(중복)") == str(MAPPED) and metric(page, "가져올 행") == "0"
    screenshot(page, "import-mapping-template")
    engine.dispose()
