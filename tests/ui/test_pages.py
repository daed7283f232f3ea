"""The frame, the meeting brief, the hotspot map and the data page through AppTest."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto

from analytics.query import HotspotQuery
from analytics.station.config import REPO_ROOT, resolve_db_url
from analytics.storage import store
from analytics.storage.importers.core import import_file
from tests.conftest import NOW, markdown_tables, run_page, write_csv
from tests.storage.test_import_files import incident_rows


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_brief_opens_on_the_last_demo_week(app_env):
    at = run_page()
    assert not at.exception
    assert any("합성(가상) 데모 데이터" in w.value for w in at.warning)
    assert at.query_params["week"] == "2017-12-29"  # the last complete week of the demo year
    engine = store.open_store(str(app_env))
    ev = store.read_events(
        engine,
        start=pd.Timestamp("2017-12-22", tz="Asia/Seoul"),
        end=pd.Timestamp("2017-12-29", tz="Asia/Seoul"),
        inside_only=True,
    )
    assert metric(at, "사건·112") == f"{int((ev['source'] == 'incident').sum()):,}"
    assert metric(at, "소리함 카드") == f"{int((ev['source'] == 'suggestion').sum()):,}"
    tables = markdown_tables(at)  # plain tables: they read best on the projector
    top = next(t for t in tables if "탄력순찰 시간" in t.columns)
    ranks = [int(r) for r in top["순위"]]  # a gap is a hotspot that could be chance
    assert 1 <= len(top) <= 10 and ranks == sorted(set(ranks)) and ranks[0] >= 1
    assert "핫스팟 ID" not in top.columns  # the chief reads places (the map page has the ids)
    assert top["장소"].str.len().gt(0).all()
    units = next(t for t in tables if "미처리 민원" in t.columns)
    assert len(units) == 18
    assert any("포착" in m.value for m in at.markdown)  # the accuracy sentence
    assert any("통계청(SGIS), 공공누리 제1유형" in c.value for c in at.caption)
    # Nothing is read back from the brief's map: its own page in an iframe, no st_folium
    # component (whose script loads in the browser first, behind a grey placeholder).
    maps = [f for f in at.get("iframe") if "leaflet" in f.proto.srcdoc]
    assert len(maps) == 1 and not at.get("component_instance")


def _demo_answer(app_env, **link):
    """The brief's (or the map's) hotspots for ``link``, as an analyst gets them."""
    from analytics.access.privacy import PrivacyRule
    from analytics.answer import answer_hotspot_query
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography
    from ui.state import parse_query

    station = default_station()
    return answer_hotspot_query(
        parse_query(link).query,
        db=store.open_store(str(app_env)),
        geo=load_geography(station),
        rule=PrivacyRule.for_role("analyst", station),
    )


def test_brief_leaves_out_the_hotspots_that_could_be_chance(app_env):
    at = run_page()
    assert not at.exception
    current = _demo_answer(app_env, week="2017-12-29").shown.current
    chance = current[~current["significant"]]
    assert len(chance) >= 1  # the demo's last week has some (three events within 80 m)
    top = next(t for t in markdown_tables(at) if "탄력순찰 시간" in t.columns)
    expected = current[current["significant"]].head(10)
    assert top["장소"].tolist() == expected["place"].tolist()
    assert "우연?" not in top.columns  # every hotspot the brief lists is not chance
    assert any(f"우연일 수 있는 핫스팟 {len(chance)}곳" in c.value for c in at.caption)


def test_the_map_can_hide_the_hotspots_that_could_be_chance(app_env):
    at = run_page("map")
    assert not at.exception
    table = next(df.value for df in at.dataframe if "핫스팟 ID" in df.value.columns)
    verdicts = table["우연?"].str.split(" ").str[0]
    assert set(verdicts) == {"아님", "우연일"}  # both kinds, with their p-values
    at.checkbox(key="m_chance").check().run()
    assert not at.exception
    shown = next(df.value for df in at.dataframe if "핫스팟 ID" in df.value.columns)
    assert len(shown) == (verdicts == "아님").sum()
    assert shown["우연?"].str.startswith("아님 (p=").all()
    hidden = (verdicts != "아님").sum()
    assert any(c.value == f"우연일 수 있는 핫스팟 {hidden}곳을 숨겼습니다." for c in at.caption)
    assert set(shown["핫스팟 ID"]) <= set(table["핫스팟 ID"])


@pytest.fixture
def thinned_chance_test(monkeypatch):
    """Every view counts as too large to simulate whole (its answers cached apart)."""
    import streamlit as st

    from analytics.compute import significance

    monkeypatch.setattr(significance, "MAX_SIMULATED_PAIRS", 1e-6)
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_the_map_says_when_the_chance_test_used_a_share_of_the_events(app_env, thinned_chance_test):
    at = run_page("map")
    assert not at.exception
    [note] = [c.value for c in at.caption if "우연 검정은 무작위로 고른" in c.value]
    assert "%의 사건으로 했습니다" in note


def _pattern_labels(lang: str) -> tuple[set[str], str]:
    """The hot emerging-pattern labels and the no-pattern label in ``lang``."""
    from analytics.compute.emerging import NO_PATTERN, category_label
    from analytics.compute.spacetime import HOT_SEVERITY

    return {category_label(c, lang) for c in HOT_SEVERITY}, category_label(NO_PATTERN, lang)


def _week_events(app_env, days: int = 7):
    engine = store.open_store(str(app_env))
    end = pd.Timestamp("2017-12-29", tz="Asia/Seoul")
    events = store.read_events(engine)
    engine.dispose()
    return events, end - pd.Timedelta(days=days), end


def test_the_map_page_offers_the_gi_star_layer_and_the_12_week_pattern(app_env, geo, monkeypatch):
    import json

    from analytics.compute import spacetime

    at = run_page("map")
    assert not at.exception
    table = next(df.value for df in at.dataframe if "핫스팟 ID" in df.value.columns)
    assert table.columns.tolist()[3:5] == ["추세", "12주 패턴"]  # beside the status
    hot, none = _pattern_labels("ko")
    assert set(table["12주 패턴"]) <= hot | {none}
    assert (table["12주 패턴"] != none).sum() >= len(table) // 2  # the town core is hot
    # The Gi* layer: as many hot cells as analytics finds for the week, in the map sent,
    # off until the user switches it on.
    events, start, end = _week_events(app_env)
    week = HotspotQuery(start=start, end=end)
    expected = spacetime.hot_cells(
        spacetime.view_events(events, week), area=geo.boundary_m, crs=geo.station.analysis_crs
    )
    caption = next(c.value for c in at.caption if c.value.startswith("Gi* 핫스팟 격자"))
    n, n3 = (int(v) for v in re.search(r"칸 (\d+)개.*\(99% (\d+)개\)", caption).groups())
    assert n == len(expected) > 0 and n3 == (expected["gi_bin"] == 3).sum()
    html = json.loads(at.get("bidi_component")[0].proto.json)["html"]
    assert html.count('"cell_id"') == n
    layer = re.search(r"(geo_json_\w+)_add\(\{\"features\": \[[^\n]{0,400}\"cell_id\"", html)
    assert layer and f"{layer.group(1)}.addTo(" not in html  # off until switched on
    assert "Gi* 핫스팟 (200m 격자, FDR 보정)" in html  # its legend
    # A new DBSCAN setting keeps the grid: the same cells, not computed again.
    from analytics.compute import gistar

    monkeypatch.setattr(gistar, "gi_star_grid", lambda *a, **k: pytest.fail("computed again"))
    at.toggle(key="m_auto").set_value(False).run()
    at.slider(key="m_eps").set_value(150).run()
    assert not at.exception
    again = json.loads(at.get("bidi_component")[0].proto.json)["html"]
    assert again.count('"cell_id"') == n


def test_the_brief_shows_each_hotspots_12_week_pattern(app_env):
    from ui import data

    at = run_page()
    assert not at.exception
    top = next(t for t in markdown_tables(at) if "탄력순찰 시간" in t.columns)
    # In the status column, one word after the status (the table is narrow).
    assert top.columns.tolist()[3] == "추세 · 12주 패턴"
    status, pattern = zip(*top["추세 · 12주 패턴"].str.split(" · "), strict=True)
    assert set(status) <= {"신규", "지속", "심화", "약화"}
    assert set(pattern) != {"—"}
    # The label of the pattern analytics gives each hotspot, without "핫스팟".
    query = HotspotQuery.from_url_params({"week": "2017-12-29"})
    url = data.store_url()
    found = data.hotspot_emerging(url, data.landing_version(url), query)
    # The brief lists places, not ids: its ranks name the hotspots.
    ids = _demo_answer(app_env, week="2017-12-29").shown.current.set_index("rank")["hotspot_id"]
    for rank, word in zip(top["순위"], pattern, strict=True):
        assert word == _pattern_word(found[ids[int(rank)]], "ko")
    at = run_page(lang="en")
    top = next(t for t in markdown_tables(at) if "Flexible patrol hours" in t.columns)
    words = {_pattern_word(c, "en") for c in set(found.values())}
    assert set(top["Status · 12-week pattern"].str.split(" · ").str[1]) <= words
    at = run_page(lang="en", present="1")  # the projector: the status alone
    top = next(t for t in markdown_tables(at) if "Flexible patrol hours" in t.columns)
    assert "Status" in top.columns


def _pattern_word(category: str, lang: str) -> str:
    from analytics.compute.emerging import NO_PATTERN, category_label

    if category == NO_PATTERN:
        return "—"
    return category_label(category, lang).removesuffix(" 핫스팟").removesuffix(" hot spot")


def test_brief_in_english_and_presentation_mode(app_env):
    at = run_page(lang="en", present="1")
    assert not at.exception
    assert "Incidents & 112 calls" in [m.label for m in at.metric]
    tables = markdown_tables(at)
    top = next(t for t in tables if "Flexible patrol hours" in t.columns)
    assert 1 <= len(top) <= 5 and "Hotspot ID" not in top.columns
    # "near Yongnam Market", "Jungang ...", "Theft 7", "21:00–23:00": no Korean left
    for col in ("Place", "Unit", "Main categories", "Flexible patrol hours"):
        assert not top[col].str.contains("[가-힣]").any(), top[col].tolist()
    assert not any("Open complaints" in t.columns for t in tables)  # no unit table


def test_shared_week_is_restored(app_env):
    at = run_page(week="2017-10-13")
    assert not at.exception
    assert any("2017.10.06(금) ~ 2017.10.12(목)" in c.value for c in at.caption)


def test_map_controls_drive_the_view(app_env):
    at = run_page("map")
    assert not at.exception
    summary = next(c.value for c in at.caption if "핫스팟" in c.value and "엔진" in c.value)
    at.toggle(key="m_auto").set_value(False).run()
    at.slider(key="m_eps").set_value(250).run()
    at.slider(key="m_min").set_value(3).run()
    assert not at.exception
    wider = next(c.value for c in at.caption if "핫스팟" in c.value and "엔진" in c.value)
    assert wider != summary and "eps 250 m" in wider
    assert at.query_params["eps"] == "250" and at.query_params["min"] == "3"
    at.selectbox(key="m_pick").set_value(_first_id(at)).run()
    assert not at.exception
    assert any(s.value.startswith("핫스팟 상세") for s in at.subheader)
    assert at.query_params["hs"].startswith("H")


def _first_id(at):
    table = next(df.value for df in at.dataframe if "핫스팟 ID" in df.value.columns)
    return table["핫스팟 ID"].iloc[0]


def test_data_page_lists_history_and_templates(app_env):
    at = run_page("data")
    assert not at.exception
    history = next(df.value for df in at.dataframe if "배치 ID" in df.value.columns)
    # Incidents, complaints, cards, the CCTV, street-light, bell, child-zone and
    # safe-house layers, the places.
    assert len(history) == 9 and set(history["상태"]) == {"반영"}
    assert len([b for b in at.get("download_button")]) >= 3


@pytest.fixture
def small_app(tmp_path, monkeypatch):
    """A store with 4 incidents and 1 rejected row, set as the app's store."""
    db = tmp_path / "app.sqlite"
    engine = store.open_store(str(db))
    rows = incident_rows(4)
    rows.append(["bad", "2017-13-45", "폭행", "", "", "", "", ""])
    import_file(write_csv(tmp_path / "in.csv", rows), source="incident", db=engine, now=NOW)
    monkeypatch.setenv("HOTSPOT_DB", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return engine


def test_undo_from_the_data_page(small_app):
    at = run_page("data")
    assert not at.exception
    report = next(df.value for df in at.dataframe if "이유" in df.value.columns)
    assert report["행"].tolist() == [6]
    assert any(c.value == "아직 기록이 없습니다." for c in at.caption)  # no audit entries yet
    at.checkbox(key="d_undo_ok").check().run()
    at.button(key="d_undo").click().run()
    assert not at.exception
    assert store.source_counts(small_app)["incident"] == 0
    audit = next(df.value for df in at.dataframe if "작업" in df.value.columns)
    assert audit["작업"].tolist() == ["되돌리기"]


def test_empty_store_says_how_to_fill_it(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTSPOT_DB", str(tmp_path / "empty.sqlite"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    at = run_page()
    assert not at.exception
    assert any("저장소가 비어 있습니다" in i.value for i in at.info)


def test_catalogue_has_both_languages_for_every_key():
    from ui.i18n import CATALOGUE

    missing = [k for k, v in CATALOGUE.items() if set(v) != {"ko", "en"} or not all(v.values())]
    assert missing == []


def test_every_key_a_page_uses_is_in_the_catalogue():
    from ui.i18n import CATALOGUE

    used = set()
    for path in [
        *REPO_ROOT.glob("pages/*.py"),
        *REPO_ROOT.glob("ui/*.py"),
        REPO_ROOT / "dashboard.py",
        # What the pages show also comes from analytics (patrol sheets, the accuracy
        # sentence, CompStat windows): the same catalogue, the same check.
        *REPO_ROOT.glob("analytics/**/*.py"),
    ]:
        used |= set(
            re.findall(r'(?<![\w.])text\(\s*"([a-z_0-9.]+)"', path.read_text(encoding="utf-8"))
        )
    assert used, "no keys found: the pattern is wrong"
    assert sorted(used - set(CATALOGUE)) == []


def test_meeting_pack_download_on_the_brief(app_env):
    from ui import data_unit

    at = run_page()
    assert not at.exception
    assert any(
        b.label == "회의 자료 내려받기 (HTML)" or "회의" in b.label
        for b in at.get("download_button")
    )
    pack = data_unit.meeting_pack_bytes(
        resolve_db_url(str(app_env)),
        store.data_version(store.open_store(str(app_env))),
        HotspotQuery.from_url_params({"week": "2017-12-29"}),
        "ko",
    ).decode("utf-8")
    assert "<script src=" not in pack and "합성(가상)" in pack and "공공누리" in pack


def test_downloads_are_audited(small_app):
    from analytics.access.audit import read_audit
    from ui.auth import audit_export

    audit_export("patrol_중앙지구대.xlsx")()
    log = read_audit(small_app)
    row = log[log["action"] == "export"].iloc[0]
    assert row["file_name"] == "patrol_중앙지구대.xlsx" and row["actor"] == "local"


def test_share_button_shows_the_link_of_this_view(app_env):
    at = run_page("map", week="2017-10-13", eps="60", min="4")
    assert not at.code  # the link waits behind the button
    at.button(key="share_map").click().run()
    (link,) = [c.value for c in at.code]
    assert link.startswith("http") and "/map?" in link
    assert "week=2017-10-13" in link and "eps=60" in link and "min=4" in link


def test_the_map_page_charts_the_accuracy_week_by_week(app_env):
    """The accuracy sentence is not alone: hit rate and PAI for 8 weeks, the dashboard's
    hotspots against KDE and the naive grid at the same area, the last week its own."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    at = run_page("map")
    assert not at.exception
    box = next(e for e in at.expander if e.label == "예측 정확도: 지난 8주")
    sentence = next(m.value for m in box.markdown if "포착" in m.value)
    charts = box.get("vega_lite_chart")
    assert len(charts) == 2
    for chart, measure in zip(charts, ("hit_rate", "pai"), strict=True):
        spec = json.loads(chart.proto.spec)
        assert spec["layer"][0]["encoding"]["y"]["field"] == measure
        frame = convert_arrow_bytes_to_pandas_df(chart.proto.datasets[0].data.data)
        assert frame["week"].nunique() == 8 and len(frame) == 8 * 3
        counts = frame.groupby("method").size().to_dict()
        assert counts == {"이 대시보드 (DBSCAN)": 8, "KDE": 8, "상위 격자": 8}
        assert frame[measure].notna().all()
    last = frame[frame["method"] == "이 대시보드 (DBSCAN)"].iloc[-1]
    assert f"이번 주 사건의 {last['hit_text']}를 포착" in sentence
    assert f"PAI {last['pai_text']};" in sentence
    assert any(c.value.startswith("8주 평균 적중률(PAI): 이 대시보드") for c in box.caption)


def test_k_distance_curve_on_request(app_env):
    at = run_page("map", eps="100", min="5")
    assert not any("꺾이는 곳" in c.value for c in at.caption)
    at.checkbox(key="m_kdist").check().run()
    assert not at.exception
    caption = next(c.value for c in at.caption if "꺾이는 곳" in c.value)
    assert "5번째" in caption and re.search(r"약 \d+ m", caption)


def test_headline_compares_with_the_same_week_last_year_only_when_it_is_there(
    tmp_path, monkeypatch
):
    rows = incident_rows(8)
    # 5 incidents in the reporting week of 2017-10-13, 3 in the same week 364 days before.
    dates = ["2017-10-07 21:35"] * 5 + ["2016-10-08 21:35"] * 3
    for row, when in zip(rows[1:], dates, strict=True):
        row[1] = when
    db = tmp_path / "two_years.sqlite"
    engine = store.open_store(str(db))
    import_file(write_csv(tmp_path / "in.csv", rows), source="incident", db=engine, now=NOW)
    monkeypatch.setenv("HOTSPOT_DB", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    at = run_page(week="2017-10-13")
    assert not at.exception
    assert metric(at, "사건·112") == "5"
    # 3 → 5 is "+66.7%" in arithmetic: too few events for a percentage, and p = 0.73.
    assert any("작년 같은 주 3 (+2)" in c.value for c in at.caption)
    incidents = next(m for m in at.metric if m.label == "사건·112")
    assert incidents.delta == "+5"  # nothing last week: 0 → 5, p = 0.0625, could be chance
    assert incidents.proto.color == MetricProto.MetricColor.GRAY

    at = run_page(week="2016-10-14")  # the first week: nothing older in the store
    assert metric(at, "사건·112") == "3"
    assert any("작년 같은 주: 자료 없음" in c.value for c in at.caption)


def test_a_week_outside_the_data_says_so(app_env):
    # The frame draws it before every page (AppTest keeps the frame's elements only on
    # the first run of the first page: other pages are a browser test's).
    at = run_page(week="2030-01-04")
    assert not at.exception
    said = [w.value for w in at.warning if "자료가 없습니다" in w.value]
    assert said == [
        "이 링크의 기간(2029.12.28(금) ~ 2030.01.03(목))에는 자료가 없습니다."
        " 자료가 있는 기간: 2017.01.01(일) ~ 2017.12.31(일)."
    ]
    assert at.query_params["week"] == "2030-01-04"  # the view stays as shared
    at.button(key="frame_week_latest").click().run()
    assert not at.exception
    assert at.query_params["week"] == "2017-12-29"
    assert not [w for w in at.warning if "자료가 없습니다" in w.value]


def test_a_week_with_data_has_no_such_note(app_env):
    at = run_page(week="2017-10-13")
    assert not [w for w in at.warning if "자료가 없습니다" in w.value]


def test_the_sliders_show_the_tuned_setting_and_start_from_it(app_env):
    at = run_page("map")
    assert not at.exception
    summary = next(c.value for c in at.caption if "핫스팟" in c.value and "엔진" in c.value)
    eps, least = at.slider(key="m_eps").value, at.slider(key="m_min").value
    assert at.slider(key="m_eps").disabled and f"eps {eps} m, 최소 {least}건" in summary
    at.toggle(key="m_auto").set_value(False).run()  # auto off: the same setting, now editable
    assert not at.exception
    assert (at.slider(key="m_eps").value, at.slider(key="m_min").value) == (eps, least)
    assert at.query_params["eps"] == str(eps) and at.query_params["min"] == str(least)


@pytest.mark.parametrize(("eps", "beyond"), [(120.0, False), (896.0, True)])
def test_a_kdistance_knee_beyond_the_slider_says_so(eps, beyond):
    from types import SimpleNamespace

    from ui.widgets import kdistance_caption

    said = kdistance_caption(SimpleNamespace(k=5, eps_m=eps), "ko")
    assert f"약 {eps:.0f} m" in said
    assert ("슬라이더 끝(300 m)보다 멉니다" in said) is beyond


def test_the_brief_opens_with_where_to_act(app_env):
    at = run_page(week="2017-12-29")
    assert not at.exception
    assert any(s.value == "이번 주 조치할 곳" for s in at.subheader)
    lines = next(
        m.value for m in at.markdown if m.value.startswith("1\\. ") or m.value.startswith("1. ")
    )
    items = lines.split("\n")
    assert 1 <= len(items) <= 5 and all("탄력순찰" in i or "자료가 없음" in i for i in items)
    assert "지구대" in items[0] or "파출소" in items[0]
