"""Week-over-week hotspot status on hand-built weeks."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.compute.status import hotspot_status, status_label
from analytics.query import HotspotQuery
from tests.conftest import make_events

KST = "Asia/Seoul"
START = pd.Timestamp("2017-10-06", tz=KST)  # the current week: 10-06 .. 10-13
END = pd.Timestamp("2017-10-13", tz=KST)
A = (989485.0, 1712481.0)  # the market
B = (989485.0, 1714481.0)  # 2 km north
C = (991485.0, 1712481.0)  # 2 km east
QUERY = HotspotQuery(start=START, end=END, eps_m=30, min_samples=3)


def burst(centre, n, day, *, start_id):
    """``n`` incidents within 10 m of ``centre`` at 22:00 on ``day``."""
    t = pd.Timestamp(day, tz=KST) + pd.Timedelta(hours=22)
    return [
        {
            "x": centre[0] + (i % 5) * 2,
            "y": centre[1] + (i // 5) * 2,
            "occurred_at": t,
            "event_id": f"inc_{start_id + i:016x}",
        }
        for i in range(n)
    ]


def week_day(weeks_before: int) -> str:
    return (START - pd.Timedelta(days=7 * weeks_before - 1)).date().isoformat()


@pytest.fixture
def weeks():
    """A: 5 a week for 4 weeks then 15 (intensifying); B: 6 a week then 6 (persistent);
    C: only this week (new); D, east of B: last week only (gone)."""
    rows, i = [], 0
    for w in range(1, 5):
        rows += burst(A, 5, week_day(w), start_id=i)
        rows += burst(B, 6, week_day(w), start_id=i + 100)
        i += 200
    rows += burst((B[0] + 3000, B[1]), 6, week_day(1), start_id=i)
    rows += burst(A, 15, "2017-10-09", start_id=i + 100)
    rows += burst(B, 6, "2017-10-10", start_id=i + 200)
    rows += burst(C, 7, "2017-10-11", start_id=i + 300)
    return make_events(rows)


def test_status_rules(geo, weeks):
    s = hotspot_status(weeks, QUERY, geo=geo)
    assert len(s.current) == 3
    by_size = {r.n_events: r for r in s.current.itertuples()}
    a, b, c = by_size[15], by_size[6], by_size[7]
    assert (a.status, a.weeks_seen, a.baseline_weekly) == ("intensifying", 4, 5.0)
    assert (b.status, b.weeks_seen, b.baseline_weekly) == ("persistent", 4, 6.0)
    assert (c.status, c.weeks_seen, c.baseline_weekly) == ("new", 0, 0.0)
    assert s.gone["status"].tolist() == ["gone"]
    assert s.gone["n_events"].tolist() == [6]


def test_diminishing(geo):
    rows = []
    for w in range(1, 5):
        rows += burst(A, 10, week_day(w), start_id=w * 100)
    rows += burst(A, 3, "2017-10-09", start_id=0)
    s = hotspot_status(make_events(rows), QUERY, geo=geo)
    assert s.current["status"].tolist() == ["diminishing"]
    assert s.gone.empty


def test_a_rise_that_could_be_chance_is_not_intensifying(geo):
    """2 a week for four weeks, then 5: the ratio rule says ×2.5 and +3, but the exact
    test (5 against 8 over four weeks) gives p = 0.15: persistent, not intensifying."""
    rows = []
    for w in range(1, 5):
        rows += burst(A, 2, week_day(w), start_id=w * 100)
    rows += burst(A, 5, "2017-10-09", start_id=0)
    query = QUERY.with_(min_samples=2)
    s = hotspot_status(make_events(rows), query, geo=geo)
    row = s.current.iloc[0]
    assert (row["n_events"], row["baseline_weekly"]) == (5, 2.0)
    assert row["status"] == "persistent"
    assert row["change_p_value"] == pytest.approx(0.154106, abs=1e-6)


def test_status_carries_the_tests_p_value(geo, weeks):
    s = hotspot_status(weeks, QUERY, geo=geo)
    by_size = {r.n_events: r for r in s.current.itertuples()}
    assert by_size[15].change_p_value < 0.05  # 15 against 20 in four weeks
    assert by_size[6].change_p_value == pytest.approx(1.0)  # 6 against 24: no change
    assert by_size[7].change_p_value < 0.05  # new: 7 against nothing


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"weeks_back": 0}, "weeks_back"), ({"end": START}, "before"), ({"end": None}, "period")],
)
def test_status_validates(geo, kwargs, match):
    weeks_back = kwargs.pop("weeks_back", 4)
    with pytest.raises(ValueError, match=match):
        query = QUERY.with_(**kwargs)
        hotspot_status(make_events([]), query, geo=geo, weeks_back=weeks_back)


def test_status_names_come_from_the_catalogue():
    assert (status_label("new", "ko"), status_label("gone", "en")) == ("신규", "gone")
    with pytest.raises(ValueError):
        status_label("vanished")
