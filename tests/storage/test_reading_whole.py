"""The whole-text CSV path reads every file as the line-by-line path does."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.storage.importers import reading
from analytics.storage.importers.errors import ImportFileError

HEADER = "접수번호,접수일시,사건종별,발생장소,X좌표,Y좌표"
CELLS = st.sampled_from(
    ["2017-0001", "2017-10-13 22:10", "폭행", "남원시 동충동 1", "964000.5", "", " ", "a b"]
)
ODD_LINES = st.sampled_from(
    [
        "",
        "   ",
        ",,,,,",
        '"따옴표, 쉼표",x,y,z,1,2',
        '"줄\n바꿈",x,y,z,1,2',
        "1,2,3",
        "1,2,3,4,5,6,7",
    ]
)


@st.composite
def csv_texts(draw):
    """Exports of 20–60 rows: title rows, blank and odd lines, CRLF or LF endings."""
    titles = st.sampled_from(["남원경찰서 112 신고 목록", "기간: 2017-10", ""])
    lines = draw(st.lists(titles, max_size=2))
    lines.append(HEADER)
    for _ in range(draw(st.integers(20, 60))):
        lines.append(",".join(draw(st.lists(CELLS, min_size=6, max_size=6))))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        lines.insert(draw(st.integers(0, len(lines))), draw(ODD_LINES))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    return text.encode(draw(st.sampled_from(["utf-8", "cp949"])))


def read(data: bytes):
    try:
        table = reading.read_table(data, source="incident", file_name="in.csv")
    except ImportFileError as exc:
        return ("error", exc.key)
    return table


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_texts())
def test_the_whole_text_path_reads_as_the_line_path(data):
    fast = read(data)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(reading, "_HEAD_LINES", 10**9)  # never enough lines: the line path
        slow = read(data)
    if isinstance(slow, tuple):
        assert fast == slow
        return
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.row_numbers.tolist() == slow.row_numbers.tolist()
    assert (fast.header_row, fast.blank_rows, fast.encoding) == (
        slow.header_row,
        slow.blank_rows,
        slow.encoding,
    )


def test_a_plain_export_takes_the_whole_text_path(monkeypatch):
    data = "\n".join([HEADER] + ["2017-1,2017-10-13 22:10,폭행,동충동,964000,1706000"] * 40)
    monkeypatch.setattr(reading, "_read_csv_arrow", None)  # the line path would fail
    table = reading.read_table(data.encode("cp949"), source="incident", file_name="in.csv")
    assert len(table.frame) == 40 and table.row_numbers[:2].tolist() == [2, 3]
    assert table.row_numbers[-1] == 41 and table.encoding == "cp949"


@pytest.mark.parametrize(
    "odd",
    ["", "2017-1,2017-10-13,폭행,동충동,964000", "a\u2028b,1,2,3,4,5"],
    ids=["blank line", "short row", "unicode line separator"],
)
def test_an_odd_export_goes_line_by_line(odd):
    lines = [HEADER] + ["2017-1,2017-10-13 22:10,폭행,동충동,964000,1706000"] * 40
    lines.insert(35, odd)
    text = "\n".join(lines)
    assert reading._read_csv_whole(text, "utf-8", "incident", frozenset()) is None


@given(st.lists(st.text(alphabet=" \t\u3000\xa0\x1fa가", max_size=4) | st.none(), max_size=30))
def test_a_cell_is_filled_when_it_holds_more_than_white_space(cells):
    """The Arrow kernels judge a cell as str.strip does."""
    arrow = pd.Series(cells, dtype=pd.StringDtype("pyarrow", na_value=float("nan")))
    expected = [c is not None and c.strip() != "" for c in cells]
    assert reading._filled(arrow).tolist() == expected
    assert reading._filled(pd.Series(cells, dtype=object)).tolist() == expected
