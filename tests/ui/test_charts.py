"""ui.charts: time axes and date tooltips in the viewer's language."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import pytest

from ui.charts import date_tooltip, time_x


@pytest.fixture
def weekly():
    """Eight weekly counts across a new year."""
    weeks = pd.date_range("2017-12-01", periods=8, freq="7D")
    return pd.DataFrame({"week": weeks, "n": range(8)})


@pytest.mark.parametrize(
    ("lang", "month", "january", "date"),
    [
        ("ko", "%-m월", "%Y년 %-m월", "%Y.%m.%d"),
        ("en", "%b", "%b %Y", "%d %b %Y"),
    ],
)
def test_time_axis_and_tooltip_follow_the_language(weekly, lang, month, january, date):
    chart = (
        alt.Chart(weekly)
        .mark_line()
        .encode(
            x=time_x("week", title="주", lang=lang),
            y="n:Q",
            tooltip=[date_tooltip("week", title="주", lang=lang)],
        )
    )
    spec = chart.to_dict()
    axis = spec["encoding"]["x"]["axis"]
    assert f"'{month}'" in axis["labelExpr"] and f"'{january}'" in axis["labelExpr"]
    assert axis["tickCount"] == "month"
    assert spec["encoding"]["tooltip"][0]["format"] == date
    assert spec["encoding"]["x"]["title"] == "주"


def test_suggestion_and_incident_trends_use_the_korean_axis():
    from ui.data_incidents import trend_chart as incident_trend
    from ui.tables_suggestions import trend_chart as card_trend

    weeks = pd.date_range("2017-10-06", periods=3, freq="7D", tz="Asia/Seoul")
    cards = pd.DataFrame({"BOX-01": [1.0, 2.0, 3.0]}, index=weeks)
    start, end = weeks[1], weeks[2]
    incidents = pd.DataFrame(
        {
            "week_start": weeks,
            "theft": [1, 2, 3],
            "holiday": ["", "개천절", ""],
            "holiday_en": ["", "Gaecheonjeol", ""],
        }
    )
    for chart in (card_trend(cards, start, end, "ko"), incident_trend(incidents, start, end, "ko")):
        assert "%-m월" in json.dumps(chart.to_dict(), ensure_ascii=False)


def trend(weekly: pd.DataFrame) -> alt.Chart:
    return alt.Chart(weekly).mark_line().encode(x=time_x("week", title="주", lang="ko"), y="n:Q")


def test_a_chart_spec_is_built_once_per_view(weekly):
    import streamlit as st

    from ui.charts import chart_spec

    st.cache_data.clear()
    built = []

    def build():
        built.append(1)
        return trend(weekly)

    first = chart_spec(build, cache_key=("trend", "db", "v1", "2017-12-29", "ko"))
    again = chart_spec(build, cache_key=("trend", "db", "v1", "2017-12-29", "ko"))
    assert len(built) == 1 and again == first and first["mark"]["type"] == "line"
    chart_spec(build, cache_key=("trend", "db", "v2", "2017-12-29", "ko"))  # new data
    assert len(built) == 2


def test_show_chart_draws_what_st_altair_chart_draws():
    from streamlit.testing.v1 import AppTest

    def script():
        import altair as alt
        import pandas as pd
        import streamlit as st

        from ui.charts import show_chart, vega_spec

        frame = pd.DataFrame(
            {"week": pd.date_range("2017-12-01", periods=3, freq="7D"), "n": [1, 5, 2]}
        )
        chart = alt.Chart(frame).mark_line().encode(x="week:T", y="n:Q")
        st.altair_chart(chart, width="stretch")
        show_chart(vega_spec(chart))

    at = AppTest.from_function(script).run()
    assert not at.exception
    ours, theirs = (e.proto for e in at.get("vega_lite_chart"))
    assert json.loads(ours.spec) == json.loads(theirs.spec) and ours.datasets
    assert ours == theirs  # the same data, spec, theme and selection settings


def backtest_weeks() -> pd.DataFrame:
    """Two weeks of backtest rows, methods shuffled; the second week had no incidents."""
    rows = []
    start = pd.Timestamp("2017-12-15", tz="Asia/Seoul")
    for week, n_test in ((0, 200), (1, 0)):
        ws = start + pd.Timedelta(days=7 * week)
        for method, hit in (("grid", 0.48), ("dbscan", 0.44), ("kde", 0.46)):
            rows.append(
                {
                    "week_start": ws,
                    "week_end": ws + pd.Timedelta(days=7),
                    "method": method,
                    "n_test": n_test,
                    "area_share": 0.001,
                    "hit_rate": hit if n_test else float("nan"),
                    "pai": hit / 0.001 if n_test else float("nan"),
                    "eps_m": 80.0,
                    "min_samples": 3.0,
                }
            )
    return pd.DataFrame(rows)


def test_accuracy_frame_orders_weeks_and_methods_in_the_language():
    from ui.accuracy import accuracy_chart, accuracy_frame

    ko = accuracy_frame(backtest_weeks(), "ko")
    assert ko["week"].tolist() == ["12.15"] * 3 + ["12.22"] * 3
    assert ko["method"].tolist()[:3] == ["이 대시보드 (DBSCAN)", "KDE", "상위 격자"]
    assert ko.loc[0, ["hit_rate", "hit_text", "pai_text", "setting"]].tolist() == [
        44.0,
        "44%",
        "440",
        "eps 80 m · 3",
    ]
    assert ko.loc[1, "setting"] == "—"  # the comparators have no DBSCAN setting
    assert ko.loc[3:, "hit_rate"].isna().all() and ko.loc[3, "hit_text"] == "—"
    en = accuracy_frame(backtest_weeks(), "en")
    assert en.loc[0, "week"] == "15 Dec" and en.loc[0, "method"] == "This dashboard (DBSCAN)"
    assert en.loc[0, "week_range"] == "15–21 Dec 2017"
    spec = accuracy_chart(en, "pai", "en").to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "point"]
    assert spec["layer"][0]["encoding"]["y"]["title"] == "PAI (hit rate ÷ area share)"
    with pytest.raises(ValueError, match="measure"):
        accuracy_chart(en, "pei", "en")
