"""Exports: formula cells neutralised in XLSX and CSV, Korean widths, the patrol sheet."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pandas as pd
import pytest

from analytics.compute.hotspots import find_hotspots
from analytics.compute.patrol import patrol_targets
from analytics.presentation import exports
from analytics.station.clock import zone
from tests.conftest import make_events

KST = zone()  # the station's clock
MARKET_XY = (989485.0, 1712481.0)
BOM = b"\xef\xbb\xbf"

FORMULAS = [
    '=HYPERLINK("http://x")',
    "@SUM(1)",
    "+1+2",
    "-2+3",
    "\t=1",
    "\r=1",
]
XSS = "<script>alert(1)</script>"


def read_xlsx(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def hotspots(geo):
    """Two hotspots at the market (a formula-like and a script-like place name)."""
    t0 = pd.Timestamp("2017-10-13 22:10", tz=KST)
    rows = [
        {
            "x": MARKET_XY[0] + i,
            "y": MARKET_XY[1] + dy,
            "occurred_at": t0 + pd.Timedelta(minutes=5 * i),
        }
        for dy in (0, 2000)
        for i in range(4)
    ]
    table = find_hotspots(make_events(rows), geo=geo, eps_m=30, min_samples=3).hotspots.copy()
    assert len(table) == 2
    table["place"] = [FORMULAS[0], XSS]
    table["status"] = ["new", "intensifying"]
    return table


@pytest.mark.parametrize("value", FORMULAS)
def test_safe_cell_prefixes_formulas(value):
    assert exports.safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["남원공설시장", "3-2", "a=b", 5, None, -3.5])
def test_safe_cell_keeps_plain_values(value):
    assert exports.safe_cell(value) == value


def test_xlsx_cells_are_never_formulas():
    frame = pd.DataFrame(
        {
            "장소": [*FORMULAS, "남원공설시장 뒤 골목"],
            "건수": [1, 2, 3, 4, 5, 6, 7],
        }
    )
    frame["=bad header"] = "x"
    wb = read_xlsx(exports.to_xlsx({"탄력순찰": frame}, title="=중앙지구대"))
    ws = wb["탄력순찰"]
    assert ws["A1"].value == "'=중앙지구대" and ws["A1"].data_type != "f"
    assert [c.value for c in ws[2]] == ["장소", "건수", "'=bad header"]
    for i, value in enumerate(FORMULAS, start=3):
        cell = ws.cell(i, 1)
        assert cell.data_type != "f"
        assert cell.value.startswith("'")
        assert cell.value == ("'" + value).replace("\r", "\n")  # XML keeps no bare CR
    assert ws.cell(9, 1).value == "남원공설시장 뒤 골목"
    assert ws.cell(3, 2).value == 1 and ws.cell(3, 2).data_type == "n"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    assert ws.freeze_panes == "A3"


def test_xlsx_hyperlink_and_sum_read_back(hotspots):
    """The brief's case: "=HYPERLINK(...)" and "@SUM(1)" place names in a real export."""
    table = exports.hotspot_rows(hotspots, labels=True)
    table.loc[1, "장소"] = "@SUM(1)"
    wb = read_xlsx(exports.to_xlsx({"핫스팟": table}))
    ws = wb["핫스팟"]
    col = [c.value for c in ws[1]].index("장소") + 1
    places = [ws.cell(r, col) for r in (2, 3)]
    assert [c.value for c in places] == ["'" + FORMULAS[0], "'@SUM(1)"]
    assert all(c.data_type != "f" for c in places)


def test_xlsx_values_and_sheet_names():
    frame = pd.DataFrame(
        {
            "when": [pd.Timestamp("2017-10-10 12:00", tz="UTC"), pd.NaT],
            "share": [float("nan"), float("inf")],
            "note": ["bell\x07 here", None],
            "cats": [[("절도", 2)], []],
            "day": [pd.Timestamp("2017-10-10").to_datetime64(), "가" * 40000],
        }
    )
    wb = read_xlsx(exports.to_xlsx({"a/b": frame, "a_b": frame, "x" * 40: frame}))
    assert wb.sheetnames == ["a_b", "a_b (2)", "x" * 31]
    ws = wb["a_b"]
    assert ws["A2"].value == pd.Timestamp("2017-10-10 21:00").to_pydatetime()  # KST wall clock
    assert ws["A3"].value is None
    assert ws["B2"].value is None and ws["B3"].value is None
    assert ws["C2"].value == "bell here"
    assert ws["D2"].value == "[('절도', 2)]"
    assert ws["E2"].value == pd.Timestamp("2017-10-10").to_pydatetime()
    assert len(ws["E3"].value) == 32767


def test_xlsx_widths_count_hangul_double():
    frame = pd.DataFrame({"a": ["남원공설시장 뒤 골목"], "b": ["abcdefghijk"]})
    ws = read_xlsx(exports.to_xlsx({"s": frame})).active
    assert exports.display_width("남원공설시장 뒤 골목") == 20
    assert ws.column_dimensions["A"].width == 22
    assert ws.column_dimensions["B"].width == 13
    long = pd.DataFrame({"a": ["가" * 200]})
    assert read_xlsx(exports.to_xlsx({"s": long})).active.column_dimensions["A"].width == 60


@pytest.mark.parametrize("frames", [{}, [pd.DataFrame()], {"s": [1, 2]}])
def test_xlsx_rejects_bad_input(frames):
    with pytest.raises((ValueError, TypeError)):
        exports.to_xlsx(frames)


def test_csv_has_bom_and_safe_cells():
    frame = pd.DataFrame({"장소": [*FORMULAS, "용남시장"], "건수": range(7)})
    data = exports.csv_bytes(frame)
    assert data.startswith(BOM)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["장소", "건수"]
    assert [r[0] for r in rows[1:]] == ["'" + v for v in FORMULAS] + ["용남시장"]
    assert rows[1][1] == "0"


def test_hotspot_rows_with_labels(hotspots):
    ko = exports.hotspot_rows(hotspots, labels=True)
    assert list(ko.columns[:7]) == ["핫스팟 ID", "순위", "장소", "관할", "읍면동", "유형", "추세"]
    assert ko["추세"].tolist() == ["신규", "심화"]
    assert set(ko["유형"]) == {"사건 多·주민 신고 없음"}
    assert re.fullmatch(r"2017-10-13 22:\d\d", ko["첫 건"].iloc[0])
    en = exports.hotspot_rows(hotspots, lang="en", labels=True)
    assert en["Trend"].tolist() == ["New", "Intensifying"]
    codes = exports.hotspot_rows(hotspots)  # the CLI's columns stay as they were
    assert "n_events" in codes.columns and codes["status"].tolist() == ["new", "intensifying"]


def test_hotspot_rows_carry_the_significance_test(hotspots):
    tested = hotspots.assign(significant=[True, False], p_value=[0.0049999, 0.62])
    codes = exports.hotspot_rows(tested)
    assert list(codes.columns[-2:]) == ["significant", "p_value"]
    assert codes["significant"].tolist() == [True, False]
    assert codes["p_value"].tolist() == [0.005, 0.62]
    rows = list(csv.reader(io.StringIO(exports.hotspots_csv(tested).decode("utf-8-sig"))))
    assert rows[0][-2:] == ["우연 여부", "p값(보정)"]
    assert [r[-2:] for r in rows[1:]] == [["우연 아님", "0.005"], ["우연일 수 있음", "0.62"]]
    en = exports.hotspot_rows(tested, lang="en", labels=True)
    assert en["Chance?"].tolist() == ["not chance", "could be chance"]
    assert "p-value (adjusted)" in en.columns
    assert "significant" not in exports.hotspot_rows(hotspots).columns  # untested: no column


def test_hotspots_and_targets_csv(hotspots):
    data = exports.hotspots_csv(hotspots)
    assert data.startswith(BOM)
    text = data.decode("utf-8-sig")
    assert "'" + FORMULAS[0].replace('"', '""') in text
    targets = patrol_targets(hotspots)
    rows = list(csv.reader(io.StringIO(exports.patrol_targets_csv(targets).decode("utf-8-sig"))))
    assert rows[0][:4] == ["순번", "장소", "관할", "시간대"]
    assert {r[1] for r in rows[1:]} == {"'" + FORMULAS[0], XSS}


def test_patrol_targets_xlsx_reads_back(hotspots):
    targets = patrol_targets(hotspots, unit="중앙지구대")
    wb = read_xlsx(exports.to_xlsx({"탄력순찰": targets}, title="중앙지구대 탄력순찰"))
    ws = wb.active
    assert ws["A1"].value == "중앙지구대 탄력순찰"
    assert [c.value for c in ws[2]][:4] == ["순번", "장소", "시간대", "요일"]
    assert ws.max_row == 2 + len(targets)
    assert ws["C3"].value == "22–24시"


def test_patrol_sheet_is_escaped_and_printable(hotspots):
    targets = patrol_targets(hotspots, unit="중앙지구대")
    page = exports.patrol_sheet_html(
        targets,
        unit="<b>중앙지구대</b>",
        period_label="2017.10.06(금) ~ 10.12(목)",
        lang="ko",
        station="남원경찰서",
        synthetic=True,
    )
    assert XSS not in page and "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;중앙지구대&lt;/b&gt;" in page
    assert "size: A4 landscape" in page
    assert "2017.10.06(금) ~ 10.12(목)" in page
    assert "합성(가상) 데모 데이터" in page
    assert not re.search(r"(src|href)\s*=", page)  # nothing to fetch
    assert page.count("<tr>") == 1 + len(targets)
    plain = exports.patrol_sheet_html(targets, unit="U", period_label="P", lang="en")
    assert "Synthetic" not in plain and "Flexible patrol targets — U" in plain


def test_patrol_sheet_for_no_targets(hotspots):
    empty = patrol_targets(hotspots, unit="산내파출소")
    page = exports.patrol_sheet_html(empty, unit="산내파출소", period_label="P", lang="ko")
    assert "이 기간에는 순찰 대상 핫스팟이 없습니다." in page
