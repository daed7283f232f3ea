"""The 지구대·파출소 page through AppTest, its downloads, and the meeting-pack loader."""

from __future__ import annotations

import io
import re

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from analytics.compute import periods
from analytics.compute.changes import compare_counts
from analytics.query import HotspotQuery
from analytics.station.geo import load_geography
from analytics.storage import store
from tests.conftest import run_page

KST = "Asia/Seoul"
START = pd.Timestamp("2017-12-22", tz=KST)  # the last demo week, the page's default
END = pd.Timestamp("2017-12-29", tz=KST)


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def table_with(at, column):
    return next(df.value for df in at.dataframe if column in df.value.columns)


@pytest.fixture
def unit_counts(app_env, station):
    """The unit table analytics computes on the same store and week."""
    engine = store.open_store(str(app_env))
    events = store.read_events(engine)
    engine.dispose()
    return periods.unit_table(
        events, period=periods.Period(START, END), geo=load_geography(station)
    )


@pytest.fixture
def downloads(monkeypatch):
    """Every file the app hands to a download button: media id → (bytes, mimetype, name)."""
    files: dict[str, tuple[bytes, str, str | None]] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        files[file_id] = (path_or_data, mimetype, filename)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    return files


def button_file(at, key, files):
    proto = next(b for b in at.get("download_button") if b.proto.id.endswith(key)).proto
    file_id = proto.url.rsplit("/", 1)[-1].split(".")[0]
    return files[file_id]


def test_unit_page_in_korean(app_env, unit_counts):
    at = run_page("unit")
    assert not at.exception
    assert at.selectbox(key="u_unit").value == "중앙지구대"
    row = unit_counts.loc["중앙지구대"]
    assert metric(at, "사건·112") == f"{int(row['incident']):,}"
    assert metric(at, "소리함 카드") == f"{int(row['suggestion']):,}"
    change = compare_counts(int(row["incident"]), int(row["incident_prev"]))
    incidents = next(m for m in at.metric if m.label == "사건·112")
    assert incidents.delta == change.delta("ko")  # a percentage only from 10 events up
    assert change.verdict("ko") in incidents.help
    assert metric(at, "미처리 민원") == f"{int(row['open_complaints']):,}"
    hotspots = table_with(at, "탄력순찰 시간")
    assert len(hotspots) >= 1 and set(hotspots["관할"]) == {"중앙지구대"}
    assert metric(at, "핫스팟") == str(len(hotspots))
    targets = table_with(at, "시간대")
    assert list(targets.columns) == [
        "순번",
        "장소",
        "시간대",
        "요일",
        "유형",
        "추세",
        "근거",
        "주요 유형",
        "순찰 유지",
        "핫스팟 ID",
    ]
    assert set(targets["핫스팟 ID"]) == set(hotspots["핫스팟 ID"])
    assert targets["시간대"].str.fullmatch(r"\d\d–\d\d시").all()
    assert len(at.get("download_button")) == 4
    assert any("관할 읍·면·동: 동충동" in c.value for c in at.caption)


def _near_repeat_table(app_env):
    """The Knox test per incident category over the 52 weeks to the page's week, by analytics."""
    from analytics.compute import spacetime

    engine = store.open_store(str(app_env))
    events = store.read_events(engine)
    engine.dispose()
    return spacetime.near_repeat(events, end=END)


def test_the_unit_page_says_how_long_the_risk_stays_raised(app_env):
    from analytics.compute.spacetime import keep_days

    at = run_page("unit")
    assert not at.exception
    table = _near_repeat_table(app_env)
    raised = table[table["days_raised"] > 0]
    assert len(raised) >= 1  # the demo year's thefts and traffic accidents repeat nearby
    heading = next(i for i, m in enumerate(at.markdown) if "근접 반복" in m.value)
    shown = at.markdown[heading + 1].value.replace("\\", "").splitlines()
    assert len(shown) == len(raised)
    for line, row in zip(shown, raised.itertuples(), strict=True):
        days = re.search(r"약 (\d+)일 동안", line)
        assert line.startswith("- ") and days and int(days.group(1)) == row.days_raised
        assert 1 <= row.days_raised <= 14 and "200m 이내" in line
    assert any("Knox 검정" in c.value for c in at.caption)
    # Each target keeps its patrols for its longest-raised main category, or "—".
    days = keep_days(table)
    targets = table_with(at, "순찰 유지")
    kept = targets["순찰 유지"]
    assert kept.str.fullmatch(r"\d+일 \(.+\)|—").all() and (kept != "—").any()
    for value, cats in zip(kept, targets["주요 유형"], strict=True):
        names = [c.rsplit(" ", 1)[0] for c in cats.split(", ")]
        longest = max(days.get(n, 0.0) for n in names)
        if longest == 0:
            assert value == "—"
        else:
            category = value[value.index("(") + 1 : -1]
            assert category in names and days[category] == longest
            assert value.startswith(f"{longest:g}일 (")


def test_selecting_a_unit_changes_the_view(app_env, unit_counts):
    at = run_page("unit")
    before = table_with(at, "시간대")
    at.selectbox(key="u_unit").set_value("도통지구대").run()
    assert not at.exception
    shared = at.query_params["unit"]
    assert (shared if isinstance(shared, str) else shared[0]) == "도통지구대"
    after = table_with(at, "시간대")
    assert not set(after["핫스팟 ID"]) & set(before["핫스팟 ID"])
    assert set(table_with(at, "탄력순찰 시간")["관할"]) == {"도통지구대"}
    assert metric(at, "사건·112") == f"{int(unit_counts.loc['도통지구대', 'incident']):,}"


def test_unit_from_a_shared_link_with_no_hotspots(app_env, unit_counts):
    quiet = next(u for u in unit_counts.index if unit_counts.loc[u, "total"] <= 2)
    at = run_page("unit", unit=quiet)
    assert not at.exception
    assert at.selectbox(key="u_unit").value == quiet
    assert any(quiet in i.value for i in at.info)  # "no hotspot in ..."
    assert not any("시간대" in df.value.columns for df in at.dataframe)
    assert len(at.get("download_button")) == 4  # empty lists still download


def test_unit_page_in_english(app_env):
    at = run_page("unit", lang="en")
    assert not at.exception
    assert at.selectbox(key="u_unit").value == "중앙지구대"
    assert "Incidents & 112 calls" in [m.label for m in at.metric]
    assert any(s.value == "Flexible patrol targets" for s in at.subheader)
    targets = table_with(at, "Time window")
    assert targets["Time window"].str.fullmatch(r"\d\d:00–\d\d:00").all()
    assert next(b.label for b in at.get("download_button")) == "Excel (XLSX)"


def test_downloads_produce_files(app_env, downloads):
    at = run_page("unit")
    assert not at.exception
    xlsx, mime, name = button_file(at, "u_dl_xlsx", downloads)
    assert name == "탄력순찰_중앙지구대_2017-12-29.xlsx" and "spreadsheetml" in mime
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames == ["탄력순찰 대상", "핫스팟"]
    ws = wb["탄력순찰 대상"]
    assert ws["A1"].value.startswith("중앙지구대 탄력순찰 대상 · 2017.12.22(금)")
    assert [c.value for c in ws[2]][:3] == ["순번", "장소", "시간대"]
    targets = table_with(at, "시간대")
    assert ws.max_row == 2 + len(targets)
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)

    csv_data, _, csv_name = button_file(at, "u_dl_csv", downloads)
    assert csv_name.endswith(".csv") and csv_data.startswith(b"\xef\xbb\xbf")
    assert csv_data.decode("utf-8-sig").count("\r\n") == 1 + len(targets)

    sheet, mime, _ = button_file(at, "u_dl_html", downloads)
    page = sheet.decode("utf-8")
    assert mime == "text/html" and "<title>탄력순찰 대상 — 중앙지구대</title>" in page
    assert "합성(가상) 데모 데이터" in page  # the demo store is synthetic
    first_place = targets["장소"].iloc[0]
    assert first_place in page
    assert "<th>순찰 유지</th>" in page and targets["순찰 유지"].iloc[0] in page

    hs_csv, _, _ = button_file(at, "u_dl_hotspots", downloads)
    assert hs_csv.decode("utf-8-sig").startswith("핫스팟 ID,순위,장소")


def test_meeting_pack_loader(app_env):
    from ui import data
    from ui import data_unit as du

    db_url = data.store_url()
    version = data.data_version(db_url)
    query = HotspotQuery.from_url_params({"week": "2017-12-29"})
    ko = du.meeting_pack_bytes(db_url, version, query, "ko")
    assert isinstance(ko, bytes) and len(ko) < 3_000_000
    page = ko.decode("utf-8")
    assert "2017.12.22(금) ~ 12.28(목)" in page
    assert "합성(가상) 데모 데이터" in page
    assert "<td>산내파출소</td>" in page
    assert "포착" in page  # the accuracy sentence
    en = du.meeting_pack_bytes(db_url, version, query, "en").decode()
    assert "22–28 Dec 2017" in en and "Sannae police box" in en
    assert du.meeting_pack_file_name("2017-12-29", "ko") == "확대간부회의_2017-12-29.html"


@pytest.mark.parametrize(
    ("now", "before", "rise_is_bad", "expected"),
    [
        # 1 → 5: counts, and could be chance (p = 0.22): an arrow, no colour.
        (5, 1, True, {"delta": "+4", "delta_color": "off", "delta_arrow": "up"}),
        # 20 → 40: a percentage, and not chance (p = 0.013): red for incidents...
        (40, 20, True, {"delta": "+100.0%", "delta_color": "red", "delta_arrow": "up"}),
        (20, 40, True, {"delta": "\u221250.0%", "delta_color": "green", "delta_arrow": "down"}),
        # ... blue for cards and complaints, where more is neither good nor bad.
        (40, 20, False, {"delta": "+100.0%", "delta_color": "blue", "delta_arrow": "up"}),
        (7, 7, True, {"delta": "\u00b10", "delta_color": "off", "delta_arrow": "off"}),
    ],
)
def test_change_metric(now, before, rise_is_bad, expected):
    from ui.widgets import change_metric

    assert change_metric(compare_counts(now, before), "ko", rise_is_bad=rise_is_bad) == expected
    assert change_metric(None, "ko") == {"delta": None}
