"""Officers' own places on the map page: an analyst picks a point on the map, chooses a
category, writes a note and saves; the layer and the profile's counts are theirs, and a
viewer's page has neither."""

from __future__ import annotations

import json

import pytest

from analytics.station.config import resolve_db_url
from analytics.storage import store
from analytics.storage.places import read_places, remove_place
from tests.conftest import MARKET, run_page
from tests.ui.test_community import as_viewer  # noqa: F401 (a fixture)

LAYER = "경찰 관심 장소"
PROFILE = "관심 장소 (핫스팟 안과 50m 이내"


def map_html(at) -> str:
    return json.loads(at.get("bidi_component")[0].proto.json)["html"]


def hotspot_ids(at) -> list[str]:
    """The hotspot ids the page's picker offers ("place (id)")."""
    return [o.rsplit("(", 1)[1].rstrip(")") for o in at.selectbox(key="m_pick").options if "(" in o]


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


@pytest.fixture
def demo_engine(app_env):
    db = store.open_store(resolve_db_url(str(app_env)))
    yield db
    db.dispose()


def test_an_analyst_adds_a_place_from_the_map_and_sees_the_layer(app_env, demo_engine):
    at = run_page("map")
    assert not at.exception
    html = map_html(at)
    assert json.dumps(LAYER) in html and "(합성 데모)" in html  # the demo's places, a layer
    assert "관심 장소 목록 (9곳" in " ".join(e.label for e in at.expander)
    before = set(read_places(demo_engine)["id"])
    at.toggle(key="m_place_pick").set_value(True).run()
    assert "지도에서 장소의 지점을 누르세요" in [i.value for i in at.info]
    # What the map's click sends (ui.maps.show_clickable_map keeps it here).
    at.session_state["m_map_picked"] = (MARKET["lat"] + 0.0004, MARKET["lon"] + 0.0004)
    at.run()
    at.selectbox(key="place_category").set_value("construction_site")
    at.text_area(key="place_note").input("가림막 틈, 현장소장 010-1234-5678")
    next(b for b in at.button if b.label == "관심 장소 저장").click().run()
    assert not at.exception
    try:
        places = read_places(demo_engine)
        new = places[~places["id"].isin(before)]
        assert list(new["category"]) == ["construction_site"]
        assert new.iloc[0]["note"] == "가림막 틈, 현장소장 [전화번호]"
        assert abs(new.iloc[0]["lat"] - (MARKET["lat"] + 0.0004)) < 1e-9
        assert "관심 장소를 저장했습니다: 공사장" in [s.value for s in at.success]
        assert "가림막 틈, 현장소장 [전화번호]" in map_html(at)  # drawn at once
        assert "010-1234-5678" not in map_html(at)
    finally:
        for pid in new["id"]:
            remove_place(demo_engine, int(pid), actor="test")


def test_a_hotspots_profile_counts_the_places_near_it(app_env):
    at = run_page("map")
    found = []
    for hotspot_id in hotspot_ids(at)[:12]:
        at.selectbox(key="m_pick").set_value(hotspot_id).run()
        found = [c for c in captions(at) if c.startswith(PROFILE)]
        assert found  # every profile says it, "없음" or counts
        if "곳" in found[0]:
            break
    assert "곳" in found[0], found  # a demo hotspot has officers' places near it


def test_a_viewer_gets_no_layer_no_form_no_list(app_env, as_viewer):  # noqa: F811
    at = run_page("map")
    assert not at.exception
    html = map_html(at)
    assert LAYER not in html and "합성 데모" not in html
    assert not [t for t in at.toggle if t.key == "m_place_pick"]
    assert not [e for e in at.expander if "관심 장소" in e.label]
    at.selectbox(key="m_pick").set_value(hotspot_ids(at)[0]).run()
    assert not [c for c in captions(at) if "관심 장소" in c]


def test_import_a_places_file_from_the_data_page_and_undo_it(tmp_path, monkeypatch):
    from tests.conftest import csv_bytes
    from tests.storage.test_places import PHONE, place_rows
    from tests.ui.test_data_facilities import metric, upload

    db = tmp_path / "app.sqlite"
    engine = store.open_store(str(db))
    monkeypatch.setenv("HOTSPOT_DB", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    at = run_page("data")
    assert "경찰 관심 장소" in at.selectbox(key="d_source").options
    at = upload(at, "places", csv_bytes(place_rows(), encoding="cp949"), "places.csv")
    assert any("경찰 내부용" in c.value for c in at.caption)
    assert metric(at, "가져올 행") == "5" and metric(at, "거부될 행") == "6"
    sample = next(df.value for df in at.dataframe if "메모" in df.value.columns)
    assert sample["분류"].tolist()[:2] == ["빈집", "무인점포"]
    assert not sample["메모"].str.contains(PHONE).any()
    assert read_places(engine).empty  # a preview stores nothing
    at.button(key="d_commit").click().run()
    assert not at.exception
    assert len(read_places(engine)) == 5
    at = run_page("data")
    at.checkbox(key="d_undo_ok").check().run()
    assert any("관심 장소 5곳" in c.label for c in at.checkbox)
    at.button(key="d_undo").click().run()
    assert not at.exception
    assert read_places(engine).empty
