"""The complaints page through AppTest on the demo store."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.compute import complaints as cm
from analytics.compute.periods import Period
from analytics.station.categories import COMPLAINT
from analytics.storage import store
from tests.conftest import run_page

KST = "Asia/Seoul"
# The demo opens on the meeting of 2017-12-29: the week 12-22 .. 12-28.
END = pd.Timestamp("2017-12-29", tz=KST)
WEEK = Period(END - pd.Timedelta(days=7), END)
AS_OF = cm.last_instant(END)


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


def days(value: float) -> str:
    return f"{value:,.1f}일"


def test_page_in_korean_shows_what_analytics_computes(app_env, events):
    at = run_page("complaints")
    assert not at.exception
    assert at.title[0].value == "민원 처리 현황"
    s = cm.received_summary(events, period=WEEK)
    assert s["received"] > 0 and s["open"] > 0
    assert metric(at, "이번 기간 접수") == f"{s['received']:,}"
    assert metric(at, "이번 기간 완료") == f"{s['resolved']:,}"
    assert metric(at, "기간 말 미처리") == f"{s['open']:,}"

    counts = cm.pipeline_counts(events, as_of=AS_OF)
    assert counts["received"] + counts["in_progress"] == s["open"]
    assert any(f"민원 {counts.sum():,}건의 단계" in c.value for c in at.caption)

    recent = cm.resolution_stats(
        cm.resolution_days(events, start=END - pd.Timedelta(days=28), end=END)
    )
    overall = cm.resolution_stats(cm.resolution_days(events, end=END))
    assert metric(at, "최근 28일 완료 · 중앙값") == days(recent["median"])
    assert metric(at, "최근 28일 완료 · 90% 백분위") == days(recent["p90"])
    assert metric(at, "전체 완료 · 중앙값") == days(overall["median"])
    assert metric(at, "전체 완료 · 90% 백분위") == days(overall["p90"])

    late = cm.overdue(events, as_of=AS_OF, min_days=14)
    assert len(late) > 0
    assert metric(at, "14일 이상 미처리") == f"{len(late):,}"
    shown = table_with(at, "경과일")
    assert shown["민원 번호"].tolist() == late["complaint_id"].tolist()  # oldest first
    assert shown["경과일"].tolist() == late["days_open"].tolist()
    agencies = table_with(at, "협조 기관").pipe(lambda t: t[t.columns[:3]])
    assert agencies["지연"].sum() == len(late)
    assert agencies["미처리"].sum() == s["open"]
    # Pipeline, histogram and categories are charts; the map is a component.
    assert len(at.get("arrow_vega_lite_chart")) + len(at.get("vega_lite_chart")) >= 3


def test_resident_text_only_reaches_tables(app_env, events):
    at = run_page("complaints")
    late = cm.overdue(events, as_of=AS_OF, min_days=14)
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for request in late["description"].dropna().head(20):
        assert not any(request in t for t in texts)
    assert set(late["description"].dropna()) <= set(table_with(at, "요청 내용")["요청 내용"])


def test_page_in_english(app_env, events):
    at = run_page("complaints", lang="en")
    assert not at.exception
    assert at.title[0].value == "Civil complaints"
    s = cm.received_summary(events, period=WEEK)
    assert metric(at, "Received this period") == f"{s['received']:,}"
    late = cm.overdue(events, as_of=AS_OF, min_days=14)
    assert metric(at, "Open 14+ days") == f"{len(late):,}"
    shown = table_with(at, "Days open")
    assert {"Complaint no.", "Received", "Category", "Partner agency", "Request"} <= set(
        shown.columns
    )
    english = {c.label_en for c in COMPLAINT}
    assert set(shown["Category"]) <= english  # labels translated, not the Korean ones
    assert not any("이번 기간" in m.label for m in at.metric)


def test_overdue_slider_changes_the_list(app_env, events):
    at = run_page("complaints")
    before = metric(at, "14일 이상 미처리")
    at.slider(key="c_overdue_days").set_value(60).run()
    assert not at.exception
    late = cm.overdue(events, as_of=AS_OF, min_days=60)
    assert metric(at, "60일 이상 미처리") == f"{len(late):,}" != before
    shown = table_with(at, "경과일")
    assert len(shown) == len(late)
    assert shown["경과일"].min() >= 60
    assert table_with(at, "협조 기관")["지연"].sum() == len(late)
    assert at.query_params["overdue"] == "60"


def test_a_shared_link_restores_the_overdue_days(app_env, events):
    at = run_page("complaints", overdue="60")
    assert not at.exception and at.slider(key="c_overdue_days").value == 60
    late = cm.overdue(events, as_of=AS_OF, min_days=60)
    assert metric(at, "60일 이상 미처리") == f"{len(late):,}"


def test_28_days_and_an_early_week(app_env, events):
    at = run_page("complaints", span="28d")
    assert not at.exception
    s = cm.received_summary(events, period=Period(END - pd.Timedelta(days=28), END))
    assert metric(at, "이번 기간 접수") == f"{s['received']:,}"

    # The first demo week: hardly anything resolved, nothing overdue; the page opens.
    at = run_page("complaints", week="2017-01-06")
    assert not at.exception
    first = Period(pd.Timestamp("2016-12-30", tz=KST), pd.Timestamp("2017-01-06", tz=KST))
    s = cm.received_summary(events, period=first)
    assert metric(at, "이번 기간 접수") == f"{s['received']:,}"
    assert metric(at, "14일 이상 미처리") == "0"
    assert any(i.value == "기준을 넘긴 미처리 민원이 없습니다." for i in at.info)
