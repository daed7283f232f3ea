"""Dates written with the year last: one order per file, said in the report, never guessed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.storage.importers.core import prepare_file
from analytics.storage.importers.date_order import day_month_cells, detect_date_order
from analytics.storage.importers.dates import parse_datetimes
from tests.conftest import NOW, csv_bytes

TZ = "Asia/Seoul"


def kst(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=TZ)


@pytest.mark.parametrize(
    ("cells", "day_first", "reason"),
    [
        (["25/10/2017", "03/04/2017"], True, "day_over_12"),
        (["10/25/2017", "03/04/2017"], False, "month_over_12"),
        (["25.10.2017 21:35", "03.04.2017"], True, "day_over_12"),
        (["03.04.2017", "01.02.2017 9:30"], True, "dots"),  # the dotted convention
        (["03/04/2017", "01/02/2017"], None, "ambiguous"),
        (["03.04.2017", "01/02/2017"], None, "ambiguous"),  # dots and slashes: no convention
        (["25/10/2017", "10/25/2017"], None, "conflict"),
        (["13-01-2017 오후 9:30", "2017-10-10"], True, "day_over_12"),
        (["31/13/2017", "25/10/2017"], True, "day_over_12"),  # 31/13 is in neither order
        (["31/13/2017", "03/04/2017"], None, "ambiguous"),
        (["45/10/2017", "03/04/2017"], None, "ambiguous"),  # 45 is no day: no evidence
    ],
)
def test_the_file_decides(cells, day_first, reason):
    order = detect_date_order(pd.Series(cells, dtype=object))
    assert (order.day_first, order.reason) == (day_first, reason)
    assert order.cells == sum(day_month_cells(pd.Series(cells, dtype=object)))


def test_evidence_in_another_column_decides_for_the_whole_file():
    received = pd.Series(["03/04/2017", "05/06/2017"], dtype=object)
    resolved = pd.Series(["20/04/2017", None], dtype=object)
    order = detect_date_order(received, resolved)
    assert order.day_first is True and order.cells == 3


def test_no_year_last_dates_is_no_order_and_a_choice_wins():
    assert detect_date_order(pd.Series(["2017-10-10", 43018, None], dtype=object)) is None
    order = detect_date_order(pd.Series(["25/10/2017"]), given=False)
    assert (order.day_first, order.reason, order.code) == (False, "given", "mdy")


@pytest.mark.parametrize(
    ("value", "day_first", "expected"),
    [
        ("25/10/2017", True, "2017-10-25"),
        ("25.10.2017 21:35", True, "2017-10-25 21:35"),
        ("25-10-2017 21:35:10", True, "2017-10-25 21:35:10"),
        ("10/25/2017 9:35 PM", False, "2017-10-25 21:35"),
        ("1/2/2017", True, "2017-02-01"),
        ("1/2/2017", False, "2017-01-02"),
        ("03/04/2017 오후 9시 30분", True, "2017-04-03 21:30"),
        ("25/10/2017 21:35경", True, "2017-10-25 21:35"),
    ],
)
def test_read_in_the_given_order(value, day_first, expected):
    assert parse_datetimes(pd.Series([value]), day_first=day_first).iloc[0] == kst(expected)
    assert pd.isna(parse_datetimes(pd.Series([value])).iloc[0])  # undecided: never read


@pytest.mark.parametrize(
    ("value", "day_first"),
    [("31/02/2017", True), ("10/25/2017", True), ("25/10/2017", False), ("25/10/17", True)],
)
def test_impossible_in_the_given_order_is_refused(value, day_first):
    assert pd.isna(parse_datetimes(pd.Series([value]), day_first=day_first).iloc[0])


# name: (day first, format, what the format keeps: "D" days, "min" minutes, "s" seconds)
FORMATS = {
    "dmy slash": (True, lambda t: f"{t:%d/%m/%Y}", "D"),
    "dmy slash time": (True, lambda t: f"{t:%d/%m/%Y %H:%M}", "min"),
    "dmy dots": (True, lambda t: f"{t:%d.%m.%Y}", "D"),
    "dmy dots seconds": (True, lambda t: f"{t:%d.%m.%Y %H:%M:%S}", "s"),
    "dmy dash": (True, lambda t: f"{t:%d-%m-%Y %H:%M}", "min"),
    "mdy slash": (False, lambda t: f"{t:%m/%d/%Y}", "D"),
    "mdy slash ampm": (False, lambda t: f"{t:%m/%d/%Y %I:%M %p}", "min"),
}
MOMENTS = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 12, 31))


@settings(deadline=None, max_examples=150)
@given(st.lists(MOMENTS, min_size=1, max_size=12), st.sampled_from(sorted(FORMATS)))
def test_a_file_of_year_last_dates_round_trips_or_is_refused_whole(moments, name):
    day_first, fmt, unit = FORMATS[name]
    moments = [pd.Timestamp(m).floor(unit).to_pydatetime() for m in moments]
    cells = pd.Series([fmt(m) for m in moments], dtype=object)
    order = detect_date_order(cells)
    days_over_12 = any(m.day > 12 for m in moments)
    if days_over_12:  # some cell can only be read one way: the file's own
        assert (order.day_first, order.reason) == (
            day_first,
            "day_over_12" if day_first else "month_over_12",
        )
    elif "dots" in name:
        assert (order.day_first, order.reason) == (True, "dots")
    else:
        assert (order.day_first, order.reason) == (None, "ambiguous")
    if order.day_first is not None:
        out = parse_datetimes(cells, day_first=order.day_first)
        assert out.tolist() == [pd.Timestamp(m, tz=TZ) for m in moments]
    # Never read row by row: undecided, not one cell is read.
    assert parse_datetimes(cells).isna().all()


def _file(dates: list[str], extra: list[list] | None = None) -> bytes:
    rows = [["접수번호", "Date", "장소"]]
    rows += [[f"r{i}", d, "공설시장"] for i, d in enumerate(dates)]
    return csv_bytes(rows + (extra or []))


def test_a_day_first_file_imports_with_its_order_reported():
    prepared = prepare_file(
        _file(["25/10/2017 21:35", "03/04/2017", "2017-10-10"]),
        source="incident",
        now=NOW,
        file_name="dmy.csv",
    )
    assert prepared.events["occurred_at"].tolist() == [
        kst("2017-10-25 21:35"),
        kst("2017-04-03"),
        kst("2017-10-10"),
    ]
    assert prepared.date_order.code == "dmy" and prepared.date_order.reason == "day_over_12"
    assert prepared.date_order.cells == 2 and not prepared.rejected


def test_an_ambiguous_file_rejects_those_rows_and_says_why():
    prepared = prepare_file(
        _file(["03/04/2017", "01/02/2017 21:35", "2017-10-10", "언젠가"]),
        source="incident",
        now=NOW,
        file_name="amb.csv",
    )
    assert len(prepared.events) == 1 and prepared.date_order.reason == "ambiguous"
    got = {r.row_number: r.reason_code for r in prepared.rejected}
    assert got == {2: "ambiguous_date", 3: "ambiguous_date", 5: "bad_date"}
    assert "12보다 큰" in prepared.rejected[0].reason
    # The analyst says which: every row lands.
    chosen = prepare_file(
        _file(["03/04/2017", "01/02/2017 21:35"]),
        source="incident",
        now=NOW,
        file_name="amb.csv",
        day_first=False,
    )
    assert chosen.events["occurred_at"].tolist() == [kst("2017-03-04"), kst("2017-01-02 21:35")]
    assert chosen.date_order.reason == "given"


def test_a_mixed_file_is_refused_for_those_rows():
    prepared = prepare_file(
        _file(["25/10/2017", "10/25/2017", "2017-10-10"]),
        source="incident",
        now=NOW,
        file_name="mix.csv",
    )
    assert prepared.date_order.reason == "conflict" and len(prepared.events) == 1
    assert {r.reason_code for r in prepared.rejected} == {"date_order_conflict"}


def test_a_complaint_resolution_date_decides_the_received_dates_too():
    rows = [
        ["민원번호", "접수일", "처리완료일", "장소", "처리상태"],
        ["c1", "03/04/2017", "20/04/2017", "공설시장", "완료"],
        ["c2", "05/06/2017", "", "공설시장", "접수"],
    ]
    prepared = prepare_file(csv_bytes(rows), source="complaint", now=NOW, file_name="c.csv")
    ev = prepared.events.sort_values("row_number")
    assert ev["occurred_at"].tolist() == [kst("2017-04-03"), kst("2017-06-05")]
    assert ev["resolved_at"].iloc[0] == kst("2017-04-20")
    assert prepared.date_order.cells == 3 and not prepared.rejected


def test_the_command_line_says_how_it_read_them_and_takes_an_order(tmp_path, capsys):
    from analytics.cli import main

    path = tmp_path / "amb.csv"
    path.write_bytes(_file(["03/04/2017", "01/02/2017 21:35"]))
    db = str(tmp_path / "cli.sqlite")
    assert main(["import", "--source", "incident", str(path), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "가져옴 0" in out and "일·월 순서를 파일에서 알 수 없어" in out
    args = ["import", "--source", "incident", str(path), "--db", db, "--date-order", "mdy"]
    assert main([*args, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "imported 2" in out and "as month/day/year, as chosen" in out
