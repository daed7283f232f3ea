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
