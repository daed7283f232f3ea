"""The data page's column mapping through AppTest: a select per field, the preview that
follows it, the import that uses it, a template saved and picked next week."""

from __future__ import annotations

import pytest

from analytics.access.audit import read_audit
from analytics.storage import store
from analytics.storage.mappings import list_templates
from tests.conftest import csv_bytes, run_page

N = 4
TEMPLATE = "112 주간 내보내기"


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    """An empty store, set as the app's store."""
    db = tmp_path / "app.sqlite"
    engine = store.open_store(str(db))
    monkeypatch.setenv("HOTSPOT_DB", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return engine


def weekly_export() -> bytes:
    """A week's 112 export whose date column the importer does not know ("작성 시점")."""
    rows = [["관리키", "작성 시점", "사건종별", "발생지 주소", "담당 경찰관", "비고"]]
    for i in range(N):
        note = "신고자 010-1234-5678" if i == 0 else "주취자 시비"
        rows.append([f"W-{i}", f"2017-10-{10 + i:02d} 21:35", "폭행", "공설시장", "김", note])
    return csv_bytes(rows)


def select(at, label: str):
    return next(s for s in at.selectbox if s.label == label)


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def upload(at, content: bytes, name: str = "112_weekly.csv"):
    at.selectbox(key="d_source").set_value("incident").run()
    at.file_uploader(key="d_file").set_value((name, content, "text/csv")).run()
    assert not at.exception
    return at


def test_map_a_column_by_hand_import_save_and_pick_the_template(empty_app):
    at = upload(run_page("data"), weekly_export())
    # The importer finds no date column: said, and the selects are open to put it right.
    assert any("날짜 열이 없습니다" in e.value for e in at.error)
    assert select(at, "일시 (필수)").value == ""  # 사용 안 함
    assert select(at, "장소 (위치)").value == "발생지 주소"  # what the importer found
    assert select(at, "유형").value == "사건종별"
    labels = [s.label for s in at.selectbox]
    assert labels.index("일시 (필수)") < labels.index("장소 (위치)") < labels.index("유형")
    assert set(select(at, "일시 (필수)").options) == {
        "사용 안 함",
        "관리키",
        "작성 시점",
        "사건종별",
        "발생지 주소",
        "담당 경찰관",
        "비고",
    }

    select(at, "일시 (필수)").set_value("작성 시점").run()
    assert not at.exception and not at.error
    assert metric(at, "가져올 행") == str(N) and metric(at, "거부될 행") == "0"
    # Every column the import does not use is listed, never dropped silently.
    unused = next(i.value for i in at.info if "쓰지 않는 열" in i.value)
    assert "관리키" in unused and "담당 경찰관" in unused
    assert store.is_empty(empty_app)  # a preview stores nothing

    at.button(key="d_commit").click().run()
    assert any("가져오기 완료" in s.value for s in at.success)
    ev = store.read_events(empty_app).sort_values("occurred_at")
    assert ev["occurred_at"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        f"2017-10-{10 + i:02d} 21:35" for i in range(N)
    ]
    assert set(ev["location_text"]) == {"공설시장"}
    assert not ev["description"].fillna("").str.contains("1234-5678").any()  # masked

    at.text_input(key="d_tpl_name_incident").input(TEMPLATE).run()
    at.button(key="d_tpl_save_incident").click().run()
    assert not at.exception
    assert any(TEMPLATE in s.value for s in at.success)
    (saved,) = list_templates(empty_app, source="incident")
    assert saved.name == TEMPLATE and saved.columns["작성 시점"] == "occurred_at"
    assert saved.columns["담당 경찰관"] == "ignore" and saved.created_by == "local"
    assert read_audit(empty_app).iloc[0]["action"] == "mapping.save"
    assert at.selectbox(key="d_template_incident").value == TEMPLATE  # picked at once

    # Next week: a fresh session, the same layout. Picking the template maps it.
    nxt = upload(run_page("data"), weekly_export(), "112_next_week.csv")
    assert any("날짜 열이 없습니다" in e.value for e in nxt.error)
    nxt.selectbox(key="d_template_incident").set_value(TEMPLATE).run()
    assert not nxt.exception and not nxt.error
    assert metric(nxt, "이미 있음(중복)") == str(N) and metric(nxt, "가져올 행") == "0"
    assert any(f"'{TEMPLATE}'을(를) 적용했습니다" in c.value for c in nxt.caption)


def test_not_used_leaves_a_column_out_and_two_fields_one_column_is_said(empty_app):
    at = upload(run_page("data"), weekly_export())
    select(at, "일시 (필수)").set_value("작성 시점").run()
    select(at, "내용").set_value("").run()  # 비고 not imported
    assert not at.exception
    unused = next(i.value for i in at.info if "쓰지 않는 열" in i.value)
    assert "비고" in unused
    at.button(key="d_commit").click().run()
    assert store.read_events(empty_app)["description"].isna().all()
    select(at, "유형").set_value("발생지 주소").run()
    assert any("같은 열을 두 항목에" in w.value for w in at.warning)


def test_an_ambiguous_day_month_file_is_said_and_the_order_chosen(empty_app):
    rows = [["Case No.", "Date", "Type", "Address"]]
    rows += [[f"E-{i}", f"0{i + 1}/02/2017 21:35", "폭행", "공설시장"] for i in range(N)]
    at = upload(run_page("data"), csv_bytes(rows))
    assert any("일·월 순서를 파일에서 알 수 없어" in w.value for w in at.warning)
    assert metric(at, "거부될 행") == str(N) and metric(at, "가져올 행") == "0"
    order = next(r for r in at.radio if r.label == "연도가 뒤에 오는 날짜의 순서")
    order.set_value("dmy").run()
    assert not at.exception
    assert metric(at, "가져올 행") == str(N) and metric(at, "거부될 행") == "0"
    assert any("고른 순서(일/월/연)" in c.value for c in at.caption)
    at.button(key="d_commit").click().run()
    ev = store.read_events(empty_app).sort_values("occurred_at")
    assert ev["occurred_at"].dt.strftime("%Y-%m-%d").tolist() == [
        f"2017-02-0{i + 1}" for i in range(N)
    ]
    # The report of the batch says how its dates were read.
    assert any("고른 순서(일/월/연)" in c.value for c in run_page("data").caption)


def test_an_english_export_needs_no_mapping(empty_app):
    rows = [["Case No.", "Reported at", "Type", "Address", "Notes"]]
    rows += [[f"E-{i}", f"2017-10-{10 + i} 21:35", "Assault", "공설시장", ""] for i in range(N)]
    at = upload(run_page("data"), csv_bytes(rows))
    assert not at.error and metric(at, "가져올 행") == str(N)
    assert select(at, "일시 (필수)").value == "Reported at"


def test_headers_and_names_are_shown_as_written_not_as_markdown():
    from markdown_it import MarkdownIt

    from ui.import_mapping import plain

    for value in ("**중요**", "[링크](http://example.com)", "# 제목", "a_b_c", "<b>x</b>"):
        html = MarkdownIt("commonmark").renderInline(plain(value))
        assert "<strong>" not in html and "<a " not in html and "<em>" not in html
        assert "<b>" not in html
