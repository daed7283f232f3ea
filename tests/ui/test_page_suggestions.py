"""The suggestion-box page through AppTest on the demo store."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.compute import suggestions
from analytics.station.config import default_station
from analytics.station.geo import load_geography
from analytics.storage import store
from analytics.storage.boxes import read_box_log_from_store
from tests.conftest import run_page

KST = "Asia/Seoul"
# The demo opens on the meeting of 2017-12-29: the week 12-22 .. 12-28.
END = pd.Timestamp("2017-12-29", tz=KST)
WEEK = (END - pd.Timedelta(days=7), END)


@pytest.fixture(scope="module")
def demo(demo_db):
    engine = store.open_store(str(demo_db))
    out = {"events": store.read_events(engine), "boxes": read_box_log_from_store(engine)}
    engine.dispose()
    return out


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def pick_box(at, box_id):
    """Choose a box in the selector, whose options read 'BOX-03 · 인월시장'."""
    box = at.selectbox(key="s_box")
    return box.select_index(next(i for i, o in enumerate(box.options) if o.startswith(box_id)))


def table_with(at, column):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_page_in_korean_shows_what_analytics_computes(app_env, demo):
    at = run_page("suggestions")
    assert not at.exception
    assert at.title[0].value == "여기 무서워요 소리함"
    s = suggestions.card_summary(demo["events"], start=WEEK[0], end=WEEK[1])
    assert s["n"] > 0
    assert metric(at, "이번 기간 카드") == f"{s['n']:,}"
    assert metric(at, "직전 기간 카드") == f"{s['previous']:,}"
    assert metric(at, "카드가 들어온 소리함") == f"{s['n_boxes']:,}"
    # Deployment history: every placement installed by the week, with its cards.
    history = table_with(at, "수거 카드")
    placements = suggestions.placement_cards(
        demo["events"], demo["boxes"], on=END - pd.Timedelta(days=1)
    )
    assert history["수거 카드"].tolist() == placements["cards"].tolist()
    assert (history["설치 중"] == "예").sum() == int(placements["standing"].sum())
    # Where next: the default five, the same cells as analytics over the 28-day window.
    sites = table_with(at, "이유")
    expected = suggestions.next_box_sites(
        demo["events"],
        demo["boxes"],
        geo=load_geography(default_station()),
        start=END - pd.Timedelta(days=28),
        end=END,
        top=5,
    )
    assert len(sites) == 5
    assert sites["사건"].tolist() == expected["incidents"].tolist()
    assert sites["순위"].tolist() == [1, 2, 3, 4, 5]
    assert any("환경 개선 제안" in df.value.columns for df in at.dataframe)  # fear table
    assert any("카드 한 장을" in c.value for c in at.caption)
    assert len(at.get("arrow_vega_lite_chart")) + len(at.get("vega_lite_chart")) >= 2


def test_page_in_english(app_env, demo):
    at = run_page("suggestions", lang="en")
    assert not at.exception
    s = suggestions.card_summary(demo["events"], start=WEEK[0], end=WEEK[1])
    assert metric(at, "Cards this period") == f"{s['n']:,}"
    sites = table_with(at, "Why")
    assert len(sites) == 5 and "Township" in sites.columns
    assert all(any(w in r for w in ("incidents", "no card")) for r in sites["Why"])
    history = table_with(at, "Cards collected")
    assert "Yongnam Market" in history["Placed at"].tolist()  # landmark names translated
    assert not any("이번 기간" in m.label for m in at.metric)


def test_top_slider_and_box_selector_drive_the_page(app_env, demo):
    at = run_page("suggestions")
    assert len(table_with(at, "이유")) == 5
    at.slider(key="s_top").set_value(3).run()
    assert not at.exception
    assert len(table_with(at, "이유")) == 3

    everyone = metric(at, "이번 기간 카드")
    one = suggestions.card_summary(demo["events"], start=WEEK[0], end=WEEK[1], box_id="BOX-03")
    pick_box(at, "BOX-03").run()
    assert not at.exception
    assert metric(at, "이번 기간 카드") == f"{one['n']:,}" != everyone
    assert metric(at, "카드가 들어온 소리함") == f"{one['n_boxes']:,}"
    assert at.query_params["box"] == "BOX-03" and at.query_params["top"] == "3"


def test_a_shared_link_restores_the_box_and_the_site_count(app_env, demo):
    one = suggestions.card_summary(demo["events"], start=WEEK[0], end=WEEK[1], box_id="BOX-03")
    at = run_page("suggestions", box="BOX-03", top="4")
    assert not at.exception
    assert at.selectbox(key="s_box").value == "BOX-03" and at.slider(key="s_top").value == 4
    assert metric(at, "이번 기간 카드") == f"{one['n']:,}"
    assert len(table_with(at, "이유")) == 4


def test_28_days_and_a_week_without_cards(app_env, demo):
    at = run_page("suggestions", span="28d")
    assert not at.exception
    s = suggestions.card_summary(demo["events"], start=END - pd.Timedelta(days=28), end=END)
    assert metric(at, "이번 기간 카드") == f"{s['n']:,}"

    # The first demo week: no box stood yet, so no card; the page still opens.
    at = run_page("suggestions", week="2017-01-06")
    assert not at.exception
    assert metric(at, "이번 기간 카드") == "0"
    assert any(i.value == "이 기간에는 소리함 카드가 없습니다." for i in at.info)


@pytest.mark.parametrize(
    ("lang", "label"),
    [("ko", "BOX-03 · 인월시장"), ("en", "BOX-03 · Inwol Market")],
)
def test_boxes_are_named_by_where_they_stand(app_env, lang, label):
    # BOX-03 stood at 향기원 in August and at 인월시장 from 2017-10-16 (the demo log).
    at = run_page("suggestions", lang=lang)
    assert not at.exception
    assert label in at.selectbox(key="s_box").options
