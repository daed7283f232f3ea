"""ui.tables: Markdown tables show user text literally, never as links, images or HTML."""

from __future__ import annotations

import re
from html import unescape
from types import SimpleNamespace

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from ui.tables import literal_markdown, markdown_table


def rendered_text(source: str) -> str:
    """What a CommonMark renderer shows for ``source``, as plain text (tags removed)."""
    html = MarkdownIt("commonmark").renderInline(source)
    return unescape(re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize(
    "value",
    [
        "![x](http://evil.example/a.png)",
        "[남원](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "**굵게** _기울임_ `code` ~~취소~~",
        "# 제목",
        "- 목록",
        "1. 번호",
        ":red[빨강] $x^2$ :smile:",
        "a\\b | c",
        "남원공설시장 부근",
        "+12.5%",
    ],
)
def test_cells_render_as_the_text_itself(value):
    escaped = literal_markdown(value)
    html = MarkdownIt("commonmark").renderInline(escaped)
    assert "<img" not in html and "<a " not in html and "<strong>" not in html
    assert rendered_text(escaped) == value


def test_markdown_table_reads_back_cell_for_cell():
    from tests.conftest import markdown_tables

    frame = pd.DataFrame(
        {
            "장소 | 부근": ["a | b", "![x](http://e/x.png)", "<img src=x onerror=alert(1)>"],
            "건수": [1, 22, 333],
            "비고": ["**굵게**", None, "=1+2"],
        }
    )
    source = markdown_table(frame)
    html = MarkdownIt("commonmark").enable("table").render(source)
    assert html.count("<tr>") == 4 and "<img" not in html and "<strong>" not in html

    rendered = SimpleNamespace(markdown=[SimpleNamespace(value=source)])  # as AppTest holds it
    (back,) = markdown_tables(rendered)
    assert list(back.columns) == list(frame.columns)
    assert back["장소 | 부근"].tolist() == frame["장소 | 부근"].tolist()
    assert back["건수"].tolist() == ["1", "22", "333"]
    assert back["비고"].tolist() == ["**굵게**", "", "=1+2"]
    assert "---:" in source.splitlines()[1]  # numbers right-aligned


def test_audit_table_speaks_korean_for_every_action():
    from analytics.access.audit import ACTIONS
    from ui.tables_data import audit_table

    log = pd.DataFrame(
        {
            "id": range(len(ACTIONS) + 1),
            "at": pd.Timestamp("2017-10-13 09:00", tz="Asia/Seoul"),
            "actor": "kim",
            "action": [*ACTIONS, "some.future.action"],
            "detail": None,
            "batch_id": None,
            "file_name": None,
        }
    )
    table = audit_table(log, "ko")
    assert list(table.columns) == ["시각", "사용자", "작업", "내용", "파일", "배치 ID"]
    shown = table["작업"].tolist()
    assert shown[:5] == [
        "로그인",
        "로그인 실패",
        "계정 잠김",
        "로그인 제한 (같은 주소에서 실패 반복)",
        "로그아웃",
    ]
    assert not any(a in shown[:-1] for a in ACTIONS)  # every known action translated
    assert shown[-1] == "some.future.action"  # an unknown one shown as stored
    assert table["시각"].iloc[0] == "2017-10-13 09:00:00"
    assert audit_table(log, "en")["Action"].iloc[0] == "Signed in"
