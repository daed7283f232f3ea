"""The data page imports a facility layer: the three kinds in the select, a preview that
says what it read (projected metres in the WGS84 columns too), the import, the undo."""

from __future__ import annotations

import pytest

from analytics.station.geo import transformer
from analytics.storage import store
from analytics.storage.facilities import read_facilities
from tests.conftest import csv_bytes, run_page
from tests.storage.test_facilities_import import bell_rows, cctv_rows, near_market


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    db = tmp_path / "app.sqlite"
    engine = store.open_store(str(db))
    monkeypatch.setenv("HOTSPOT_DB", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return engine


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def upload(at, kind: str, content: bytes, name: str):
    at.selectbox(key="d_source").set_value(kind).run()
    at.file_uploader(key="d_file").set_value((name, content, "text/csv")).run()
    assert not at.exception
    return at


def test_import_a_cctv_file_from_the_data_page_and_undo_it(empty_app):
    at = run_page("data")
    assert {"CCTV", "보안등", "안전비상벨"} <= set(at.selectbox(key="d_source").options)
    rows = cctv_rows(3)
    rows.append([*rows[1][:10], "", "", "2024-06-30"])  # row 5: no point
    at = upload(at, "cctv", csv_bytes(rows, encoding="cp949"), "cctv.csv")
    assert any("표준 열 이름으로 읽습니다" in c.value for c in at.caption)
    assert metric(at, "가져올 행") == "3" and metric(at, "거부될 행") == "1"
    mapping = next(df.value for df in at.dataframe if "항목" in df.value.columns)
    assert "카메라대수" in mapping.iloc[:, 1].tolist()
    assert not at.expander  # no hand mapping for a standard file
    assert read_facilities(empty_app).empty  # a preview stores nothing

    at.button(key="d_commit").click().run()
    assert not at.exception
    assert any("가져오기 완료" in s.value for s in at.success)
    assert len(read_facilities(empty_app)) == 3

    at = run_page("data")
    history = next(df.value for df in at.dataframe if "배치 ID" in df.value.columns)
    assert history.iloc[0].tolist().count("CCTV") == 1
    at.checkbox(key="d_undo_ok").check().run()
    assert any("시설 3곳" in c.label for c in at.checkbox)
    at.button(key="d_undo").click().run()
    assert not at.exception
    assert read_facilities(empty_app).empty


def test_the_preview_says_when_the_wgs84_columns_hold_metres(empty_app):
    to_m = transformer("EPSG:4326", "EPSG:5179")
    metres = []
    for lat, lon in (near_market(i) for i in range(3)):
        x, y = to_m.transform(lon, lat)
        metres.append((round(y, 2), round(x, 2)))
    at = upload(run_page("data"), "bell", csv_bytes(bell_rows(metres)), "bells.csv")
    assert any("투영 좌표(미터) 3건" in i.value and "EPSG:5179" in i.value for i in at.info)
    assert metric(at, "가져올 행") == "3"
