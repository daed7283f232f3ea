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
