"""analytics.compute.incidents on small hand-checked frames of incidents."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.compute import incidents as inc
from analytics.compute.periods import Period, weekly_counts
from tests.conftest import make_events

KST = "Asia/Seoul"
END = pd.Timestamp("2017-10-13", tz=KST)  # meeting Friday 10-13: the week is 10-06 .. 10-12
WEEK = Period(END - pd.Timedelta(days=7), END)


def t(text: str, tz: str = KST) -> pd.Timestamp:
    return pd.Timestamp(text, tz=tz)


def test_three_friday_night_calls_land_in_one_cell():
    ev = make_events(
        [
            {"occurred_at": t("2017-10-06 22:05")},  # Fri
            {"occurred_at": t("2017-10-06 22:59")},  # Fri
            # 13:30 UTC is 22:30 in Seoul: hours are read in KST.
            {"occurred_at": t("2017-10-06 13:30", tz="UTC")},
            {"occurred_at": t("2017-10-09 00:05")},  # Mon, 한글날
            {"occurred_at": t("2017-10-12 23:59"), "category": "theft"},  # Thu
            {"occurred_at": t("2017-10-13 00:00")},  # the meeting day: next week
            {"occurred_at": t("2017-10-06 22:10"), "inside_station": False},
            {"occurred_at": t("2017-10-06 22:10"), "source": "complaint"},
        ]
    )
    matrix = inc.hour_weekday_matrix(ev, start=WEEK.start, end=WEEK.end)
    assert matrix.shape == (7, 24)
    assert matrix.loc[4, 22] == 3
    assert matrix.to_numpy()[4][22] == 3
    assert matrix.loc[0, 0] == 1
    assert matrix.loc[3, 23] == 1
    assert int(matrix.to_numpy().sum()) == 5
    assert matrix.index.name == "weekday" and matrix.columns.name == "hour"
    only_theft = inc.hour_weekday_matrix(ev, start=WEEK.start, end=WEEK.end, categories=["theft"])
    assert int(only_theft.to_numpy().sum()) == 1 and only_theft.loc[3, 23] == 1


def test_empty_matrix_is_all_zero():
    ev = make_events([{"occurred_at": t("2017-01-01 10:00")}])
    matrix = inc.hour_weekday_matrix(ev, start=WEEK.start, end=WEEK.end)
    assert matrix.shape == (7, 24) and int(matrix.to_numpy().sum()) == 0


@pytest.fixture
def three_weeks():
    """Incidents over the three weeks ending at 2017-10-13 (and a few around them)."""
    return make_events(
        [
            {"occurred_at": t("2017-09-10 12:00"), "category": "drunk"},  # baseline only
            {"occurred_at": t("2017-09-25 23:00"), "category": "drunk"},
            {"occurred_at": t("2017-10-01 10:00"), "category": "theft"},
            {"occurred_at": t("2017-10-10 21:00"), "category": "violence"},
            {"occurred_at": t("2017-10-11 01:00"), "category": "violence"},
            {"occurred_at": t("2017-10-11 02:00"), "category": "violence", "inside_station": False},
            {"occurred_at": t("2017-10-13 00:00"), "category": "violence"},  # next week
        ]
    )


def test_weekly_by_category(three_weeks):
    weekly = inc.weekly_by_category(three_weeks, end=END, weeks=3)
    assert weekly["week_start"].tolist() == [t("2017-09-22"), t("2017-09-29"), t("2017-10-06")]
    assert weekly["violence"].tolist() == [0, 0, 2]
    assert weekly["theft"].tolist() == [0, 1, 0]
    assert weekly["drunk"].tolist() == [1, 0, 0]
    assert weekly["fraud"].tolist() == [0, 0, 0]  # every category has its column
    assert weekly["total"].tolist() == [1, 1, 2]
    assert list(weekly.columns[:5]) == ["week_start", "week_end", "label", "holiday", "holiday_en"]
    # The same weeks and totals as periods.weekly_counts.
    base = weekly_counts(three_weeks, end=END, weeks=3, sources="incident")
    assert weekly["total"].tolist() == base["incident"].tolist()
    assert weekly["label"].tolist() == base["label"].tolist()


def test_weekly_by_category_marks_holidays(three_weeks):
    weekly = inc.weekly_by_category(three_weeks, end=END, weeks=3)
    assert weekly.loc[0, "holiday"] == "" and weekly.loc[0, "holiday_en"] == ""
    assert "추석" in weekly.loc[1, "holiday"]  # 10-03 .. 10-05
    assert "개천절" in weekly.loc[1, "holiday"]
    assert "Chuseok" in weekly.loc[1, "holiday_en"]
    assert "한글날" in weekly.loc[2, "holiday"]  # 10-09


def test_weekly_by_category_with_a_filter(three_weeks):
    weekly = inc.weekly_by_category(three_weeks, end=END, weeks=2, categories=["theft", "violence"])
    # Catalogue order, whatever order the filter came in.
    assert [c for c in weekly.columns if c in inc.CATEGORY_CODES] == ["violence", "theft"]
    assert weekly["total"].tolist() == [1, 2]
    assert "drunk" not in weekly.columns


@pytest.mark.parametrize(
    ("category", "count", "previous", "change_pct", "mean_4w", "vs_4w_pct"),
    [
        # Baseline: the four weeks 09-08 .. 10-05 hold drunk 09-10, drunk 09-25, theft 10-01.
        ("violence", 2, 0, None, 0.0, None),
        ("theft", 0, 1, -100.0, 0.25, -100.0),
        ("drunk", 0, 0, None, 0.5, -100.0),
        ("fraud", 0, 0, None, 0.0, None),
    ],
)
def test_category_changes(three_weeks, category, count, previous, change_pct, mean_4w, vs_4w_pct):
    table = inc.category_changes(three_weeks, period=WEEK)
    assert len(table) == len(inc.CATEGORY_CODES)
    assert table.loc[0, "category"] == "violence"  # most incidents first
    row = table.set_index("category").loc[category]
    assert row["count"] == count
    assert row["previous"] == previous
    assert row["mean_4w"] == mean_4w
    for got, want in ((row["change_pct"], change_pct), (row["vs_4w_pct"], vs_4w_pct)):
        assert math.isnan(got) if want is None else math.isclose(got, want)


def test_category_changes_say_what_to_show(three_weeks):
    """Counts this small are shown as counts; the 4-week mean's baseline is its total over 4."""
    row = inc.category_changes(three_weeks, period=WEEK).set_index("category").loc["drunk"]
    assert (row["vs_4w"].before, row["vs_4w"].exposure) == (2, 4)
    assert row["vs_4w"].text("en") == "0.5 → 0, −0.5"
    assert row["change"].text("ko") == "0 → 0, ±0"
    s = inc.summary(three_weeks, period=WEEK)
    assert (s["change"].delta("en"), s["vs_4w"].before) == ("+1", 3)
    assert not s["change"].significant and not s["vs_4w"].significant


def test_category_changes_order_and_labels(three_weeks):
    table = inc.category_changes(three_weeks, period=WEEK)
    # Ties (zero) keep the catalogue order after the busiest one.
    assert table["category"].tolist()[:3] == ["violence", "theft", "drunk"]
    assert table.loc[0, "label_ko"] == "폭력" and table.loc[0, "label_en"] == "Violence"


def test_summary_and_count(three_weeks):
    s = inc.summary(three_weeks, period=WEEK)
    assert s["count"] == 2 == inc.count(three_weeks, period=WEEK)
    assert s["previous"] == 1
    assert math.isclose(s["change_pct"], 100.0)
    assert math.isclose(s["mean_4w"], 0.75)
    only_theft = inc.summary(three_weeks, period=WEEK, categories=["theft"])
    assert only_theft["count"] == 0 and only_theft["previous"] == 1


def test_a_28_day_period_compares_with_28_day_periods(three_weeks):
    month = Period(END - pd.Timedelta(days=28), END)  # 09-15 .. 10-12
    table = inc.category_changes(three_weeks, period=month).set_index("category")
    assert table.loc["drunk", "count"] == 1  # 09-25; 09-10 is the month before
    assert table.loc["drunk", "previous"] == 1
    assert table.loc["drunk", "mean_4w"] == 0.25  # one in the 112 days before 09-15


def test_priority_mix():
    ev = make_events(
        [
            {"occurred_at": t("2017-10-07 10:00"), "priority_code": "C0"},
            {"occurred_at": t("2017-10-07 11:00"), "priority_code": "C2"},
            {"occurred_at": t("2017-10-07 12:00"), "priority_code": "C2"},
            {"occurred_at": t("2017-10-07 13:00"), "priority_code": " c1"},
            {"occurred_at": t("2017-10-07 14:00"), "priority_code": None},
            {"occurred_at": t("2017-10-07 15:00"), "priority_code": "X9"},
            {"occurred_at": t("2017-10-20 10:00"), "priority_code": "C4"},  # later
        ]
    )
    mix = inc.priority_mix(ev, start=WEEK.start, end=WEEK.end)
    assert mix.index.tolist() == ["C0", "C1", "C2", "C3", "C4", inc.NO_PRIORITY]
    assert mix["count"].tolist() == [1, 1, 2, 0, 0, 2]
    assert np.allclose(mix["share"], [1 / 6, 1 / 6, 2 / 6, 0, 0, 2 / 6])
    empty = inc.priority_mix(ev, start=t("2017-01-01"), end=t("2017-01-08"))
    assert empty["count"].sum() == 0 and empty["share"].sum() == 0


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        (None, inc.CATEGORY_CODES),
        ((), inc.CATEGORY_CODES),
        ("theft", ("theft",)),
        (["theft", "violence"], ("violence", "theft")),
    ],
)
def test_check_categories(categories, expected):
    assert inc.check_categories(categories) == expected


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda ev: inc.check_categories(["dark"]), ValueError),  # a suggestion category
        (lambda ev: inc.select(ev, categories=["nope"]), ValueError),
        (lambda ev: inc.weekly_by_category(ev, end=END, weeks=0), ValueError),
        (lambda ev: inc.weekly_by_category(ev, end=END, weeks=2.0), TypeError),
        (lambda ev: inc.weekly_by_category(ev, end=pd.Timestamp("2017-10-13")), ValueError),
        (lambda ev: inc.hour_weekday_matrix(ev, start=END, end=WEEK.start), ValueError),
        (lambda ev: inc.category_changes(ev, period=(WEEK.start, WEEK.end)), TypeError),
        (
            lambda ev: inc.priority_mix(ev.drop(columns="category"), start=WEEK.start, end=END),
            ValueError,
        ),
        (lambda ev: inc.select([1, 2]), TypeError),
    ],
)
def test_bad_arguments_fail_early(three_weeks, call, error):
    with pytest.raises(error):
        call(three_weeks)
