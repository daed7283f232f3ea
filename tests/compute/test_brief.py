"""The brief's headline figures: counts, and changes that say whether they could be chance."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.compute.brief import headline_figures
from tests.conftest import make_events

KST = "Asia/Seoul"
START, END = pd.Timestamp("2017-10-06", tz=KST), pd.Timestamp("2017-10-13", tz=KST)


def at(day: str, n: int, source: str = "incident", *, start_id: int) -> list[dict]:
    t = pd.Timestamp(day, tz=KST) + pd.Timedelta(hours=12)
    return [
        {
            "x": 989485.0,
            "y": 1712481.0,
            "occurred_at": t,
            "source": source,
            "event_id": f"e{start_id + i}",
        }
        for i in range(n)
    ]


@pytest.fixture
def weeks():
    """Incidents: 1 last week, 3 more in the three weeks before it, 5 this week; 12 in
    this week a year ago (and one event further back, so the store covers it).
    Suggestions: 20 last week, 40 this week."""
    rows = at("2017-10-09", 5, start_id=0) + at("2017-10-02", 1, start_id=10)
    rows += at("2017-09-12", 3, start_id=20) + at("2016-10-10", 12, start_id=30)
    rows += at("2016-01-01", 1, start_id=50)
    rows += at("2017-10-03", 20, "suggestion", start_id=100)
    rows += at("2017-10-10", 40, "suggestion", start_id=200)
    return make_events(rows)


def test_headline_changes(weeks):
    h = headline_figures(weeks, start=START, end=END).set_index("source")
    inc, sug = h.loc["incident"], h.loc["suggestion"]
    # The arithmetic says +400%; what is shown is the counts, and it could be chance.
    assert inc["change_pct"] == pytest.approx(400.0)
    assert (inc["change"].text("en"), inc["change"].significant) == ("1 → 5, +4", False)
    # 4 in the four weeks before (mean 1), 5 now: exposure 4, p = 0.0196.
    assert (inc["vs_4w"].before, inc["vs_4w"].exposure) == (4, 4)
    assert inc["vs_4w"].significant and inc["vs_4w"].delta("en") == "+4"
    # Last year's 12 against 5: one count under the floor, so no percentage.
    assert inc["vs_last_year"].delta("en") == "−7"
    # 20 → 40: both at least 10, a percentage; p = 0.013: unlikely to be chance.
    assert sug["change"].delta("en", mark=True) == "▲ +100.0%"
    assert h.loc["complaint", "change"].direction == "flat"


def test_no_last_year_no_change_against_it(weeks):
    recent = weeks[weeks["occurred_at"] >= pd.Timestamp("2017-01-01", tz=KST)]
    h = headline_figures(recent, start=START, end=END).set_index("source")
    assert not h.loc["incident", "has_last_year"]
    assert h.loc["incident", "vs_last_year"] is None
