"""Reporting periods, percent changes, CompStat counts, holidays and the unit table."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from analytics.compute.periods import (
    Period,
    compstat_table,
    format_pct,
    holidays_in,
    meeting_date,
    pct_change,
    period_has_holiday,
    reporting_week,
    rolling_28_days,
    short_day,
    unit_table,
    week_to_date,
    weekly_counts,
    year_to_date,
)
from analytics.storage.schema import EVENT_COLUMNS, conform_events

TZ = "Asia/Seoul"
CENTRAL, SANNAE = "중앙지구대", "산내파출소"


def kst(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=TZ)


def period(start: str, end: str) -> Period:
    return Period(kst(start), kst(end))


def make_events(*rows: dict) -> pd.DataFrame:
    """An event frame from short dicts: ``at`` (KST text), ``source``, ``unit``, ``inside``...

    Inside the station at 중앙지구대 unless told otherwise; other fields are null.
    """
    records = []
    for i, r in enumerate(rows):
        inside = r.get("inside", True)
        records.append(
            {
                "event_id": f"e{i}",
                "source": r.get("source", "incident"),
                "occurred_at": kst(r["at"]),
                "inside_station": inside,
                "police_unit": r.get("unit", CENTRAL if inside else None),
                "status": r.get("status"),
                "resolved_at": kst(r["resolved"]) if r.get("resolved") else pd.NaT,
            }
        )
    # No rows: name one datetime column so that conform_events builds typed, empty columns.
    frame = pd.DataFrame(records) if records else pd.DataFrame({"occurred_at": []})
    return conform_events(frame)


# The week the 2017-10-13 (Fri) meeting reviews: Chuseok's last day and 한글날 are in it.
WEEK = period("2017-10-06", "2017-10-13")


def test_make_events_fills_the_schema():
    frame = make_events({"at": "2017-10-10 21:35", "source": "complaint", "status": "received"})
    assert list(frame.columns) == list(EVENT_COLUMNS)
    assert frame["occurred_at"].iloc[0] == kst("2017-10-10 21:35")
    assert str(frame["occurred_at"].dt.tz) == TZ


# ------------------------------------------------------------------ reporting week

# today -> start of the reporting week (the week is always seven days long)
REPORTING_WEEKS = [
    (dt.date(2017, 10, 6), "2017-09-29"),  # Friday: that day's meeting
    (dt.date(2017, 10, 7), "2017-10-06"),  # Saturday: next Friday's meeting
    (dt.date(2017, 10, 8), "2017-10-06"),
    (dt.date(2017, 10, 9), "2017-10-06"),
    (dt.date(2017, 10, 10), "2017-10-06"),
    (dt.date(2017, 10, 11), "2017-10-06"),
    (dt.date(2017, 10, 12), "2017-10-06"),
    (dt.date(2017, 10, 13), "2017-10-06"),  # the meeting day itself
    (dt.date(2017, 10, 14), "2017-10-13"),
    (dt.datetime(2017, 10, 13, 23, 59), "2017-10-06"),  # naive: station wall time
    (kst("2017-10-13 08:30"), "2017-10-06"),
    ("2017-10-11", "2017-10-06"),
    # 16:00 UTC on Thursday is already Friday 01:00 in Namwon.
    (pd.Timestamp("2017-10-12 16:00", tz="UTC"), "2017-10-06"),
    (pd.Timestamp("2017-10-12 14:59", tz="UTC"), "2017-10-06"),
    (pd.Timestamp("2017-10-13 15:00", tz="UTC"), "2017-10-13"),  # Saturday 00:00 KST
]


@pytest.mark.parametrize(("today", "start"), REPORTING_WEEKS)
def test_reporting_week_for_a_friday_meeting(today, start):
    week = reporting_week(today)
    assert week == Period(kst(start), kst(start) + pd.Timedelta(days=7))
    assert week.start.weekday() == 4
    assert str(week.start.tz) == TZ


# today, meeting weekday -> meeting date
MEETING_DATES = [
    ("2017-10-11", 0, dt.date(2017, 10, 16)),  # Wed, Monday meeting
    ("2017-10-11", 1, dt.date(2017, 10, 17)),
    ("2017-10-11", 2, dt.date(2017, 10, 11)),  # today is the meeting day
    ("2017-10-11", 3, dt.date(2017, 10, 12)),
    ("2017-10-11", 4, dt.date(2017, 10, 13)),
    ("2017-10-11", 6, dt.date(2017, 10, 15)),
    ("2017-10-15", 0, dt.date(2017, 10, 16)),  # Sunday → Monday
    ("2017-12-30", 4, dt.date(2018, 1, 5)),  # across the new year
]


@pytest.mark.parametrize(("today", "weekday", "expected"), MEETING_DATES)
def test_meeting_date_for_any_anchor_weekday(today, weekday, expected):
    assert meeting_date(today, meeting_weekday=weekday) == expected
    week = reporting_week(today, meeting_weekday=weekday)
    end = kst(expected.isoformat())
    assert week == Period(end - pd.Timedelta(days=7), end)


@pytest.mark.parametrize(
    ("weekday", "error"),
    [(-1, ValueError), (7, ValueError), (4.0, TypeError), (True, TypeError), ("4", TypeError)],
)
def test_invalid_meeting_weekday_raises(weekday, error):
    with pytest.raises(error, match="meeting_weekday"):
        reporting_week("2017-10-11", meeting_weekday=weekday)
    with pytest.raises(error, match="meeting_weekday"):
        meeting_date("2017-10-11", meeting_weekday=weekday)


def test_unknown_timezone_raises():
    with pytest.raises(ValueError, match="time zone"):
        reporting_week("2017-10-11", timezone="Mars/Olympus")


# ------------------------------------------------------------------ Period


def test_period_previous_and_last_year_keep_weekdays():
    assert WEEK.days == 7.0
    assert WEEK.previous() == period("2017-09-29", "2017-10-06")
    last_year = WEEK.same_period_last_year()
    assert last_year == period("2016-10-07", "2016-10-14")
    assert last_year.start.weekday() == WEEK.start.weekday() == 4
    assert WEEK.shifted(days=7) == period("2017-10-13", "2017-10-20")
    ytd = year_to_date(WEEK)
    assert ytd.previous().end == ytd.start
    assert ytd.previous().days == ytd.days == 285.0
    assert ytd.same_period_last_year() == period("2016-01-03", "2016-10-14")  # 2016 was leap


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (week_to_date, ("2017-10-06", "2017-10-13")),
        (rolling_28_days, ("2017-09-15", "2017-10-13")),
        (year_to_date, ("2017-01-01", "2017-10-13")),
    ],
)
def test_windows_end_with_the_reporting_week(window, expected):
    assert window(WEEK) == period(*expected)


def test_year_to_date_of_a_week_ending_on_new_years_day_is_the_whole_year():
    assert year_to_date(period("2017-12-25", "2018-01-01")) == period("2017-01-01", "2018-01-01")


# start, end -> Korean label, English label
LABELS = [
    (("2017-10-06", "2017-10-13"), "2017.10.06(금) ~ 10.12(목)", "6–12 Oct 2017"),
    (("2017-09-29", "2017-10-06"), "2017.09.29(금) ~ 10.05(목)", "29 Sep – 5 Oct 2017"),
    (("2017-12-29", "2018-01-05"), "2017.12.29(금) ~ 2018.01.04(목)", "29 Dec 2017 – 4 Jan 2018"),
    (("2017-10-10", "2017-10-11"), "2017.10.10(화)", "10 Oct 2017"),
    (("2017-10-10 09:00", "2017-10-10 18:00"), "2017.10.10(화)", "10 Oct 2017"),
]


@pytest.mark.parametrize(("bounds", "ko", "en"), LABELS)
def test_period_label(bounds, ko, en):
    p = period(*bounds)
    assert p.label() == ko
    assert p.label(lang="ko") == ko
    assert p.label(lang="en") == en


def test_period_label_rejects_unknown_language():
    with pytest.raises(ValueError, match="lang"):
        WEEK.label(lang="fr")


def test_period_contains_is_half_open_and_skips_nat():
    ts = pd.Series(
        [
            kst("2017-10-05 23:59:59"),
            kst("2017-10-06 00:00"),
            kst("2017-10-09 12:00"),
            kst("2017-10-12 23:59:59"),
            kst("2017-10-13 00:00"),
            pd.NaT,
            pd.Timestamp("2017-10-05 15:00", tz="UTC").tz_convert(TZ),  # 10-06 00:00 KST
        ]
    )
    assert WEEK.contains(ts).tolist() == [False, True, True, True, False, False, True]
    assert isinstance(WEEK.contains(ts), np.ndarray)
    assert WEEK.contains(ts.astype(f"datetime64[s, {TZ}]")).tolist()[:2] == [False, True]


def test_period_contains_accepts_mixed_time_zones():
    ts = [kst("2017-10-06 00:00"), pd.Timestamp("2017-10-05 14:59", tz="UTC"), None]
    assert WEEK.contains(ts).tolist() == [True, False, False]


@pytest.mark.parametrize(
    "ts",
    [
        pd.Series([pd.Timestamp("2017-10-10")]),
        [kst("2017-10-10"), pd.Timestamp("2017-10-10")],  # one naive among aware
    ],
)
def test_period_contains_rejects_naive_times(ts):
    with pytest.raises(ValueError, match="tz-aware"):
        WEEK.contains(ts)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (pd.Timestamp("2017-10-06"), kst("2017-10-13"), "tz-aware"),
        (kst("2017-10-13"), kst("2017-10-06"), "end after"),
        (kst("2017-10-06"), kst("2017-10-06"), "end after"),
    ],
)
def test_invalid_period_raises(start, end, message):
    with pytest.raises(ValueError, match=message):
        Period(start, end)


def test_period_end_takes_the_start_time_zone():
    p = Period(kst("2017-10-06"), pd.Timestamp("2017-10-12 15:00", tz="UTC"))
    assert str(p.end.tz) == TZ
    assert p.end == kst("2017-10-13")
    assert p.label() == "2017.10.06(금) ~ 10.12(목)"


def test_shifted_requires_whole_days():
    with pytest.raises(TypeError, match="days"):
        WEEK.shifted(days=1.5)


# ------------------------------------------------------------------ percent changes

# current, base -> pct_change, format_pct
PCT = [
    (12, 10, 20.0, "+20.0%"),
    (9, 8, 12.5, "+12.5%"),
    (97, 100, -3.0, "−3.0%"),
    (5, 5, 0.0, "0.0%"),
    (0, 4, -100.0, "−100.0%"),
    (5, 0, None, "—"),
    (0, 0, None, "—"),
    (3, None, None, "—"),
    (3, math.nan, None, "—"),
]


@pytest.mark.parametrize(("current", "base", "change", "text"), PCT)
def test_pct_change_and_format(current, base, change, text):
    got = pct_change(current, base)
    assert got == pytest.approx(change) if change is not None else got is None
    assert format_pct(got) == text
    assert format_pct(got, "en") == text


# value -> text
FORMATS = [
    (12.5, "+12.5%"),
    (-3, "−3.0%"),
    (0, "0.0%"),
    (-0.04, "0.0%"),  # rounds to zero: no sign
    (0.06, "+0.1%"),
    (1234.5, "+1234.5%"),
    (np.float64(-7.25), "−7.2%"),
    (None, "—"),
    (math.nan, "—"),
    (math.inf, "—"),
]


@pytest.mark.parametrize(("value", "text"), FORMATS)
def test_format_pct(value, text):
    assert format_pct(value, "ko") == text


def test_format_pct_rejects_unknown_language():
    with pytest.raises(ValueError, match="lang"):
        format_pct(1.0, "fr")


# ------------------------------------------------------------------ CompStat

# One event in every window edge around WEEK. Windows:
#   wtd [10-06, 10-13)  prev [09-29, 10-06)  last year [2016-10-07, 2016-10-14)
#   28d [09-15, 10-13)  prev [08-18, 09-15)  last year [2016-09-16, 2016-10-14)
#   ytd [01-01, 10-13)  prev [2016-03-22, 01-01) last year [2016-01-03, 2016-10-14)
COMPSTAT_EVENTS = make_events(
    {"at": "2017-10-06 00:00"},  # wtd start is inside
    {"at": "2017-10-12 23:59"},
    {"at": "2017-10-10 21:35", "source": "complaint", "status": "received"},
    {"at": "2017-10-13 00:00"},  # wtd end is outside
    {"at": "2017-10-09 12:00", "inside": False},  # outside the station: never counted
    {"at": "2017-10-05 23:59"},  # previous week
    {"at": "2017-09-15 00:00", "source": "suggestion"},  # 28d start
    {"at": "2017-09-14 23:59"},  # previous 28 days
    {"at": "2017-01-01 00:00"},  # ytd start
    {"at": "2016-12-31 23:00"},  # previous to ytd
    {"at": "2016-10-07 10:00"},  # last year's week, 28 days, ytd; previous to ytd
    {"at": "2016-01-02 12:00"},  # before last year's ytd (starts 01-03: 364 days back)
)

# sources -> {window: (count, previous, change %, last year, change vs last year %)}
COMPSTAT = [
    (
        None,
        {
            "wtd": (3, 1, 200.0, 1, 200.0),
            "28d": (5, 1, 400.0, 1, 400.0),
            "ytd": (7, 2, 250.0, 1, 600.0),
        },
    ),
    (
        ["incident"],
        {
            "wtd": (2, 1, 100.0, 1, 100.0),
            "28d": (3, 1, 200.0, 1, 200.0),
            "ytd": (5, 2, 150.0, 1, 400.0),
        },
    ),
    (
        "suggestion",
        {
            "wtd": (0, 0, None, 0, None),
            "28d": (1, 0, None, 0, None),
            "ytd": (1, 0, None, 0, None),
        },
    ),
]


@pytest.mark.parametrize(("sources", "expected"), COMPSTAT)
def test_compstat_table_counts(sources, expected):
    table = compstat_table(COMPSTAT_EVENTS, period=WEEK, sources=sources)
    assert list(table.index) == ["wtd", "28d", "ytd"]
    assert list(table["label"]) == ["주간", "28일", "연간누계"]
    cols = ["count", "previous", "change_pct", "last_year", "change_vs_last_year_pct"]
    for window, row in expected.items():
        got = table.loc[window, cols].tolist()
        want = [math.nan if v is None else v for v in row]
        assert got == pytest.approx(want, nan_ok=True), window
    assert table["count"].dtype == "int64"


def test_compstat_shows_changes_of_small_counts_as_counts():
    """28 days: 5 against 1 is "+400%" in arithmetic; shown as counts, and not significant."""
    table = compstat_table(COMPSTAT_EVENTS, period=WEEK)
    change = table.loc["28d", "change"]
    assert table.loc["28d", "change_pct"] == pytest.approx(400.0)
    assert (change.text("en"), change.significant) == ("1 → 5, +4", False)
    assert table.loc["ytd", "change_vs_last_year"].text("ko") == "1 → 7, +6"
    # 7 against 1: P(X >= 7 | n = 8) = 9/256, twice: still could be chance.
    assert table.loc["ytd", "change_vs_last_year"].p_value == pytest.approx(18 / 256)


def test_compstat_windows_are_reported():
    table = compstat_table(COMPSTAT_EVENTS, period=WEEK)
    assert table.loc["28d", "start"] == kst("2017-09-15")
    assert table.loc["ytd", "start"] == kst("2017-01-01")
    assert (table["end"] == kst("2017-10-13")).all()


def test_compstat_ignores_events_outside_the_station():
    outside = make_events({"at": "2017-10-09 12:00", "inside": False})
    assert compstat_table(outside, period=WEEK)["count"].tolist() == [0, 0, 0]


def test_compstat_empty_frame_gives_zeros():
    table = compstat_table(make_events(), period=WEEK)
    assert table["count"].tolist() == [0, 0, 0]
    assert table["change_pct"].isna().all()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"period": WEEK, "sources": ["theft"]}, ValueError, "unknown sources"),
        ({"period": WEEK, "sources": []}, ValueError, "empty"),
        ({"period": ("2017-10-06", "2017-10-13")}, TypeError, "Period"),
    ],
)
def test_compstat_validates_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        compstat_table(COMPSTAT_EVENTS, **kwargs)


def test_compstat_requires_event_columns():
    with pytest.raises(ValueError, match="inside_station"):
        compstat_table(COMPSTAT_EVENTS.drop(columns=["inside_station"]), period=WEEK)


# ------------------------------------------------------------------ holidays

HOLIDAYS = [
    # The week the 10-13 meeting reviews: Chuseok's substitute day and 한글날.
    (WEEK, "ko", [("2017-10-06", "추석 대체 휴일"), ("2017-10-09", "한글날")]),
    # The Chuseok week itself: 10-03 is two holidays at once.
    (
        period("2017-09-29", "2017-10-06"),
        "ko",
        [
            ("2017-10-02", "임시공휴일"),
            ("2017-10-03", "개천절"),
            ("2017-10-03", "추석 전날"),
            ("2017-10-04", "추석"),
            ("2017-10-05", "추석 다음날"),
        ],
    ),
    (
        period("2017-05-05", "2017-05-12"),
        "ko",
        [("2017-05-05", "어린이날"), ("2017-05-09", "대통령 선거일")],
    ),
    (period("2017-05-05", "2017-05-06"), "en", [("2017-05-05", "Children's Day")]),
    (WEEK, "en", [("2017-10-06", "Alternative holiday for Chuseok"), ("2017-10-09", "Hangul Day")]),
    (period("2017-09-08", "2017-09-15"), "ko", []),
    # An end at midnight excludes that day: Christmas is not in this week.
    (period("2017-12-18", "2017-12-25"), "ko", []),
    (
        period("2017-12-25", "2018-01-02"),
        "ko",
        [("2017-12-25", "기독탄신일"), ("2018-01-01", "신정연휴")],
    ),
]


@pytest.mark.parametrize(("p", "lang", "expected"), HOLIDAYS)
def test_holidays_in(p, lang, expected):
    got = holidays_in(p, lang=lang)
    assert got == [(dt.date.fromisoformat(d), name) for d, name in expected]
    assert period_has_holiday(p) is bool(expected)


def test_holidays_in_rejects_an_unknown_country():
    with pytest.raises(ValueError, match="country"):
        holidays_in(WEEK, country="XX")


# ------------------------------------------------------------------ weekly counts


def test_weekly_counts_per_week_and_source():
    table = weekly_counts(COMPSTAT_EVENTS, end=WEEK.end, weeks=3)
    assert table["week_start"].tolist() == [kst("2017-09-22"), kst("2017-09-29"), WEEK.start]
    assert table["week_end"].iloc[-1] == WEEK.end
    assert table["label"].iloc[-1] == "2017.10.06(금) ~ 10.12(목)"
    assert table[["incident", "complaint", "suggestion", "total"]].to_numpy().tolist() == [
        [0, 0, 0, 0],
        [1, 0, 0, 1],
        [2, 1, 0, 3],  # the outside-station incident of 10-09 is not counted
    ]
    assert table["holiday"].tolist() == [
        "",
        "임시공휴일, 개천절, 추석 전날, 추석, 추석 다음날",
        "추석 대체 휴일, 한글날",
    ]


def test_weekly_counts_takes_a_period_and_filters_sources():
    table = weekly_counts(COMPSTAT_EVENTS, end=WEEK, weeks=5, sources=["incident"])
    assert len(table) == 5
    assert "complaint" not in table.columns
    assert table["incident"].tolist() == [1, 0, 0, 1, 2]  # 09-14 is in the week from 09-08
    assert table["total"].tolist() == table["incident"].tolist()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"end": WEEK.end, "weeks": 0}, ValueError),
        ({"end": WEEK.end, "weeks": 2.0}, TypeError),
        ({"end": pd.Timestamp("2017-10-13")}, ValueError),  # naive
    ],
)
def test_weekly_counts_validates_arguments(kwargs, error):
    with pytest.raises(error):
        weekly_counts(COMPSTAT_EVENTS, **kwargs)


# ------------------------------------------------------------------ unit table

UNIT_EVENTS = make_events(
    {"at": "2017-10-07 22:00"},
    {"at": "2017-10-11 01:30"},
    {"at": "2017-10-10 09:00", "source": "complaint", "status": "done", "resolved": "2017-10-11"},
    {"at": "2017-10-12 20:00", "source": "suggestion"},
    {"at": "2017-10-05 23:00"},  # previous week, and in the four weeks before
    {"at": "2017-09-10 03:00"},
    {"at": "2017-09-08 00:00"},  # first instant of the four weeks before
    {"at": "2017-09-07 23:59"},  # just before them
    {"at": "2017-10-09 14:00", "unit": SANNAE},
    {"at": "2017-10-09 15:00", "inside": False},  # outside the station
    {"at": "2017-10-09 16:00", "inside": False, "unit": CENTRAL},  # flagged outside: skipped
    {"at": "2017-10-09 17:00", "unit": "다른경찰서"},  # not one of the station's units
)


def test_unit_table_has_every_unit_in_order(geo):
    table = unit_table(UNIT_EVENTS, period=WEEK, geo=geo)
    assert len(table) == 18
    assert table.index.tolist() == geo.police_units["unit"].tolist()
    assert table.index.name == "unit"
    assert table.loc["중앙지구대", "unit_en"] == "Jungang (central) patrol division"
    quiet = table.drop(index=[CENTRAL, SANNAE])
    assert (quiet[["incident", "complaint", "suggestion", "total", "total_prev"]] == 0).all().all()
    assert quiet["change_pct"].isna().all()


# column -> (중앙지구대, 산내파출소)
UNIT_COUNTS = [
    ("incident", (2, 1)),
    ("complaint", (1, 0)),
    ("suggestion", (1, 0)),
    ("incident_prev", (1, 0)),
    ("complaint_prev", (0, 0)),
    ("suggestion_prev", (0, 0)),
    ("incident_4w_mean", (0.75, 0.0)),  # 10-05, 09-10, 09-08 over four weeks
    ("complaint_4w_mean", (0.0, 0.0)),
    ("total", (4, 1)),
    ("total_prev", (1, 0)),
    ("change_pct", (300.0, math.nan)),
    ("open_complaints", (0, 0)),
    ("hotspots", (0, 0)),
]


def test_unit_table_change_is_the_exact_test_of_the_totals(geo):
    table = unit_table(UNIT_EVENTS, period=WEEK, geo=geo)
    central, sannae = table.loc[CENTRAL, "change"], table.loc[SANNAE, "change"]
    assert (central.now, central.before, central.delta("en")) == (4, 1, "+3")
    assert (sannae.text("en"), sannae.significant) == ("0 → 1, +1", False)
    assert table.loc["운봉파출소", "change"].direction == "flat"


@pytest.mark.parametrize(("column", "expected"), UNIT_COUNTS)
def test_unit_table_counts(geo, column, expected):
    table = unit_table(UNIT_EVENTS, period=WEEK, geo=geo)
    got = table.loc[[CENTRAL, SANNAE], column].tolist()
    assert got == pytest.approx(list(expected), nan_ok=True)


# one complaint at 중앙지구대 -> is it open at WEEK.end (2017-10-13 00:00)?
OPEN_COMPLAINTS = [
    ({"at": "2017-10-10 09:00", "status": "received"}, 1),
    ({"at": "2017-09-01 09:00", "status": "in_progress"}, 1),
    ({"at": "2017-09-01 09:00", "status": "done", "resolved": "2017-10-12 18:00"}, 0),
    ({"at": "2017-09-01 09:00", "status": "done", "resolved": "2017-10-13 00:00"}, 1),
    ({"at": "2017-10-10 09:00", "status": "done", "resolved": "2017-10-20 10:00"}, 1),
    ({"at": "2017-09-01 09:00", "status": "done"}, 0),  # done, date unknown: closed
    ({"at": "2017-09-01 09:00", "status": "in_progress", "resolved": "2017-09-02"}, 1),
    ({"at": "2017-10-13 00:00", "status": "received"}, 0),  # received after the week
    ({"at": "2017-10-10 09:00", "status": "received", "inside": False}, 0),
]


@pytest.mark.parametrize(("row", "expected"), OPEN_COMPLAINTS)
def test_unit_table_open_complaints(geo, row, expected):
    frame = make_events({**row, "source": "complaint"})
    table = unit_table(frame, period=WEEK, geo=geo)
    assert table.loc[CENTRAL, "open_complaints"] == expected
    assert table["open_complaints"].sum() == expected


def test_unit_table_counts_hotspots_per_unit(geo):
    hotspots = pd.DataFrame({"police_unit": [CENTRAL, CENTRAL, SANNAE, None, "다른경찰서"]})
    table = unit_table(make_events(), period=WEEK, geo=geo, hotspots=hotspots)
    assert table.loc[CENTRAL, "hotspots"] == 2
    assert table.loc[SANNAE, "hotspots"] == 1
    assert table["hotspots"].sum() == 3
    assert table["hotspots"].dtype == "int64"


def test_unit_table_rejects_hotspots_without_a_unit(geo):
    with pytest.raises(ValueError, match="police_unit"):
        unit_table(make_events(), period=WEEK, geo=geo, hotspots=pd.DataFrame({"x": [1.0]}))


def test_unit_table_rejects_something_that_is_not_a_geography():
    with pytest.raises(TypeError, match="StationGeography"):
        unit_table(make_events(), period=WEEK, geo=object())


@pytest.mark.parametrize(
    ("day", "lang", "shown"),
    [(dt.date(2017, 12, 22), "ko", "12.22"), (dt.date(2017, 1, 5), "en", "5 Jan")],
)
def test_short_day(day, lang, shown):
    assert short_day(day, lang) == shown
