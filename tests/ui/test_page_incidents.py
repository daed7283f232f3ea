"""The incidents page through AppTest on the demo store."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.compute import incidents as inc
from analytics.compute.periods import Period
from analytics.storage import store
from tests.conftest import run_page

KST = "Asia/Seoul"
# The demo opens on the meeting of 2017-12-29: the week 12-22 .. 12-28.
END = pd.Timestamp("2017-12-29", tz=KST)
WEEK = Period(END - pd.Timedelta(days=7), END)


@pytest.fixture(scope="module")
def events(demo_db):
    engine = store.open_store(str(demo_db))
    ev = store.read_events(engine)
    engine.dispose()
    return ev


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def table_with(at, column):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def charts(at) -> int:
    return len(at.get("arrow_vega_lite_chart")) + len(at.get("vega_lite_chart"))


def test_page_in_korean_shows_what_analytics_computes(app_env, events):
    at = run_page("incidents")
    assert not at.exception
    assert at.title[0].value == "사건·112 신고"
    s = inc.summary(events, period=WEEK)
    assert s["count"] > 0
    assert metric(at, "이번 기간 사건") == f"{s['count']:,}"
    assert metric(at, "직전 기간") == f"{s['previous']:,}"
    assert metric(at, "4주 평균") == f"{s['mean_4w']:,.1f}"

    changes = inc.category_changes(events, period=WEEK)
    table = table_with(at, "4주 평균")
    assert table["유형"].tolist() == changes["label_ko"].tolist()
    assert table["건수"].tolist() == changes["count"].tolist()
    assert table["지난주"].tolist() == changes["previous"].tolist()
    assert table["건수"].sum() == s["count"]
    # The week of 12-25 (Christmas) is marked; trend, heatmap and priority are charts.
    assert any("기독탄신일" in c.value for c in at.caption)
    assert any("2017.06.30(금) ~ 2017.12.28(목)" in c.value for c in at.caption)  # 26 weeks
    assert charts(at) >= 3
    assert any(f"{s['count']:,}건 표시" in c.value for c in at.caption)  # the map


def test_page_in_english(app_env, events):
    at = run_page("incidents", lang="en")
    assert not at.exception
    assert at.title[0].value == "Incidents and 112 calls"
    s = inc.summary(events, period=WEEK)
    assert metric(at, "Incidents this period") == f"{s['count']:,}"
    table = table_with(at, "vs mean")
    assert "Drunk disturbance" in table["Category"].tolist()
    assert any("Christmas" in c.value for c in at.caption)
    assert not any("이번 기간" in m.label for m in at.metric)


def test_category_filter_changes_the_count_and_the_link(app_env, events):
    at = run_page("incidents")
    everything = metric(at, "이번 기간 사건")
    at.multiselect(key="i_cats").set_value(["violence", "theft"]).run()
    assert not at.exception
    s = inc.summary(events, period=WEEK, categories=["violence", "theft"])
    assert metric(at, "이번 기간 사건") == f"{s['count']:,}" != everything
    assert at.query_params["cat"] == "violence,theft"
    table = table_with(at, "4주 평균")
    assert sorted(table["유형"]) == ["절도", "폭력"]
    assert any(f"{s['count']:,}건 표시" in c.value for c in at.caption)

    at.multiselect(key="i_cats").set_value([]).run()  # empty: every category again
    assert metric(at, "이번 기간 사건") == everything
    assert "cat" not in at.query_params


def test_shared_link_with_categories_of_several_sources(app_env, events):
    # 'dark' is a suggestion category (from the map page): ignored here, kept in the link.
    at = run_page("incidents", cat="theft,dark")
    assert not at.exception
    assert at.multiselect(key="i_cats").value == ["theft"]
    s = inc.summary(events, period=WEEK, categories=["theft"])
    assert metric(at, "이번 기간 사건") == f"{s['count']:,}"
    at.multiselect(key="i_cats").set_value(["theft", "fraud"]).run()
    assert at.query_params["cat"] == "dark,theft,fraud"


def test_28_day_span(app_env, events):
    at = run_page("incidents", span="28d")
    assert not at.exception
    month = Period(END - pd.Timedelta(days=28), END)
    s = inc.summary(events, period=month)
    assert metric(at, "이번 기간 사건") == f"{s['count']:,}"
    assert metric(at, "직전 4기간(28일) 평균") == f"{s['mean_4w']:,.1f}"
    assert "직전 28일" in table_with(at, "평균 대비").columns
