"""Dates, times and time slots: every accepted format, the rejected ones, properties."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.storage.importers.dates import (
    SLOT_WORDS,
    combine_date_time,
    parse_datetimes,
    parse_time_slots,
)

TZ = "Asia/Seoul"
DTYPE = "datetime64[ns, Asia/Seoul]"


def kst(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=TZ)


def one(value, **kwargs) -> pd.Timestamp:
    return parse_datetimes(pd.Series([value], dtype=object), **kwargs).iloc[0]


# value -> expected KST wall time
FORMATS = [
    ("2017-10-10 09:01", "2017-10-10 09:01"),
    ("2017-10-10 9:01", "2017-10-10 09:01"),
    ("2017-10-10 09:01:30", "2017-10-10 09:01:30"),
    ("2017-10-10 09:01:30.250", "2017-10-10 09:01:30.250"),
    ("2017-10-10T09:01:00", "2017-10-10 09:01"),
    ("2017-10-10T09:01:00+09:00", "2017-10-10 09:01"),
    ("2017-10-10T09:01:00+0900", "2017-10-10 09:01"),
    ("2017-10-10T00:01:00Z", "2017-10-10 09:01"),
    ("2017-10-10T00:01:00+00:00", "2017-10-10 09:01"),
    ("2017-10-09T19:01:00-05:00", "2017-10-10 09:01"),
    ("2017-10-10T09:01+09:00", "2017-10-10 09:01"),
    ("2017-10-10 09:01:00 +0900", "2017-10-10 09:01"),
    ("2017-10-10 09:01 KST", "2017-10-10 09:01"),
    ("2017-10-10 00:01 UTC", "2017-10-10 09:01"),
    ("2017.10.10", "2017-10-10"),
    ("2017.10.10.", "2017-10-10"),
    ("2017. 10. 10.", "2017-10-10"),
    ("2017. 10. 10. 21:35", "2017-10-10 21:35"),
    ("2017.8.14", "2017-08-14"),
    ("2017/10/10 21:35", "2017-10-10 21:35"),
    ("2017-10-10 (화) 21:35", "2017-10-10 21:35"),
    ("2017. 10. 10.(화) 21:35경", "2017-10-10 21:35"),
    ("20171010", "2017-10-10"),
    ("201710102135", "2017-10-10 21:35"),
    ("20171010213540", "2017-10-10 21:35:40"),
    ("20171010 21:35", "2017-10-10 21:35"),
    ("17.10.10", "2017-10-10"),
    ("17-10-10 21:35", "2017-10-10 21:35"),
    ("43018", "2017-10-10"),
    ("43018.875", "2017-10-10 21:00"),
    (43018, "2017-10-10"),
    (43018.875, "2017-10-10 21:00"),
    (np.float64(43018.5), "2017-10-10 12:00"),
    (20171010, "2017-10-10"),
    (201710102135, "2017-10-10 21:35"),
    ("2017년 10월 10일", "2017-10-10"),
    ("2017년10월10일", "2017-10-10"),
    ("2017년 10월 10일 오후 9시", "2017-10-10 21:00"),
    ("2017년 10월 10일 오후 9시 30분", "2017-10-10 21:30"),
    ("2017년 10월 10일 오후 9시 반", "2017-10-10 21:30"),
    ("2017년 10월 10일 21시 35분", "2017-10-10 21:35"),
    ("2017년 10월 10일 21:35", "2017-10-10 21:35"),
    ("2017년 10월 10일 (화) 새벽 2시", "2017-10-10 02:00"),
    ("2017년 10월 10일 밤 11시", "2017-10-10 23:00"),
    ("2017년 10월 10일 밤 12시", "2017-10-11 00:00"),  # the midnight that ends the 10th
    ("2017-10-10 오후 9:30", "2017-10-10 21:30"),
    ("2017-10-10 오후 9:30:15", "2017-10-10 21:30:15"),
    ("2017-10-10 오전 9:30", "2017-10-10 09:30"),
    ("2017-10-10 오전 12시", "2017-10-10 00:00"),
    ("2017-10-10 오후 12시", "2017-10-10 12:00"),
    ("2017-10-10 오전 12:30", "2017-10-10 00:30"),
    ("2017-10-10 9:30 PM", "2017-10-10 21:30"),
    ("2017-10-10 9:30 p.m.", "2017-10-10 21:30"),
    ("2017-10-10 12:05 AM", "2017-10-10 00:05"),
    ("2016-02-29", "2016-02-29"),
    ("  2017-10-10\u00a009:01 ", "2017-10-10 09:01"),  # NBSP from Excel, padding
    ("2017-10-10\u300009:01", "2017-10-10 09:01"),
    (dt.datetime(2017, 10, 10, 21, 0), "2017-10-10 21:00"),
    (dt.datetime(2017, 10, 10, 12, 0, tzinfo=dt.UTC), "2017-10-10 21:00"),
    (dt.date(2017, 10, 10), "2017-10-10"),
    (pd.Timestamp("2017-10-10 21:00"), "2017-10-10 21:00"),
    (pd.Timestamp("2017-10-10 12:00", tz="UTC"), "2017-10-10 21:00"),
    (np.datetime64("2017-10-10T21:00"), "2017-10-10 21:00"),
]

# Unreadable, impossible or ambiguous: NaT, never an exception.
REJECTED = [
    None,
    np.nan,
    pd.NA,
    pd.NaT,
    "",
    "   ",
    "garbage",
    "2017-13-45",
    "2017-02-30",
    "2017-02-29",  # not a leap year
    "2017-00-10",
    "2017-10-00",
    "20171345",
    "2017-10-10 24:00",
    "2017-10-10 21:60",
    "2017-10-10 21:35:61",
    "2017-10-10 오전 13시",
    "2017-10-10T09:01:00+25:00",
    "2017-10-10 21:00-02:00",  # a time range, not an offset
    "2017-10-10 21:00-23:00",
    "10/10/2017",  # month- or day-first: ambiguous
    "10/10/17",
    "171010",  # six-digit compact: ambiguous with ids
    "2017",
    "2017-10",
    "2017년 10월",
    "21:35",  # a time without a date
    "0217-10-10",  # typo: outside 1900-2100
    "2217-10-10",
    "19999",  # serial below the plausible range
    "80001",
    5,
    -43018,
    float("inf"),
    10**40,
    True,
    dt.time(21, 35),
    dt.datetime(1800, 1, 1),
    b"2017-10-10",
    [2017, 10, 10],
]


@pytest.mark.parametrize(("value", "expected"), FORMATS)
def test_formats(value, expected):
    assert one(value) == kst(expected)
    if isinstance(value, str):  # the arrow string dtype takes its own path
        assert parse_datetimes(pd.Series([value], dtype="str")).iloc[0] == kst(expected)


@pytest.mark.parametrize("value", REJECTED, ids=repr)
def test_rejected(value):
    assert pd.isna(one(value))


def test_mixed_column_keeps_index_name_and_dtype():
    values = pd.Series(
        [
            "2017-10-10 09:01",
            43018.875,
            "2017. 10. 10.",
            None,
            "2017년 10월 10일 오후 9시 30분",
            dt.datetime(2017, 10, 10, 21, 0),
            "2017-02-30",
            "20171010",
            "2017-10-10T00:01:00Z",
        ],
        index=[9, 7, 5, 3, 1, 0, 2, 4, 6],
        name="일시",
        dtype=object,
    )
    out = parse_datetimes(values)
    assert str(out.dtype) == DTYPE and out.name == "일시"
    assert out.index.equals(values.index)
    expected = [
        kst("2017-10-10 09:01"),
        kst("2017-10-10 21:00"),
        kst("2017-10-10"),
        pd.NaT,
        kst("2017-10-10 21:30"),
        kst("2017-10-10 21:00"),
        pd.NaT,
        kst("2017-10-10"),
        kst("2017-10-10 09:01"),
    ]
    assert out.tolist() == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pd.Series([43018.875, np.nan]), [kst("2017-10-10 21:00"), pd.NaT]),
        (pd.Series([43018, 20171010]), [kst("2017-10-10"), kst("2017-10-10")]),
        (pd.Series([43018, None], dtype="Int64"), [kst("2017-10-10"), pd.NaT]),
        (pd.Series([True, False]), [pd.NaT, pd.NaT]),
        (pd.Series(["2017-10-10", None], dtype="string"), [kst("2017-10-10"), pd.NaT]),
        (pd.Series(["2017.10.10", "2017.10.10"], dtype="category"), [kst("2017-10-10")] * 2),
        (
            pd.Series(pd.to_datetime(["2017-10-10 21:00", None])),
            [kst("2017-10-10 21:00"), pd.NaT],
        ),
        (
            pd.Series(pd.to_datetime(["2017-10-10 12:00"]).tz_localize("UTC")),
            [kst("2017-10-10 21:00")],
        ),
        (pd.Series([], dtype=object), []),
    ],
)
def test_column_dtypes(values, expected):
    out = parse_datetimes(values)
    assert str(out.dtype) == DTYPE
    assert out.tolist() == expected


def test_naive_values_are_wall_time_of_the_given_zone():
    values = pd.Series(["2017-10-10 09:00", "2017-10-10T09:00:00+09:00"])
    out = parse_datetimes(values, timezone="UTC")
    assert str(out.dtype) == "datetime64[ns, UTC]"
    assert out.tolist() == [
        pd.Timestamp("2017-10-10 09:00", tz="UTC"),
        pd.Timestamp("2017-10-10 00:00", tz="UTC"),
    ]


# ---------------------------------------------------------------------------
# combine_date_time

TIMES = [
    ("21:35", "2017-10-10 21:35"),
    ("21:35:10", "2017-10-10 21:35:10"),
    ("9:05", "2017-10-10 09:05"),
    ("2135", "2017-10-10 21:35"),
    ("935", "2017-10-10 09:35"),
    ("213540", "2017-10-10 21:35:40"),
    ("21350", None),
    ("21시 35분", "2017-10-10 21:35"),
    ("21시", "2017-10-10 21:00"),
    ("오후 9:35", "2017-10-10 21:35"),
    ("오후 9시 반", "2017-10-10 21:30"),
    ("오전 12:10", "2017-10-10 00:10"),
    ("9:35 PM", "2017-10-10 21:35"),
    ("21:35경", "2017-10-10 21:35"),
    (dt.time(21, 35), "2017-10-10 21:35"),
    (dt.datetime(1899, 12, 30, 21, 35), "2017-10-10 21:35"),
    (0.875, "2017-10-10 21:00"),
    (2135, "2017-10-10 21:35"),
    (43018.875, "2017-10-10 21:00"),
    ("", "2017-10-10 00:00"),
    ("  ", "2017-10-10 00:00"),
    (None, "2017-10-10 00:00"),
    (np.nan, "2017-10-10 00:00"),
    ("미상", None),
    ("25:00", None),
    ("21:75", None),
    (2175, None),
    (b"21:35", None),
]


@pytest.mark.parametrize(("time", "expected"), TIMES)
def test_combine_date_time(time, expected):
    out = combine_date_time(
        pd.Series(["2017-10-10"], index=["k"]), pd.Series([time], index=["k"], dtype=object)
    )
    assert str(out.dtype) == DTYPE and out.index.tolist() == ["k"]
    assert (pd.isna(out.iloc[0]) and expected is None) or out.iloc[0] == kst(expected)


def test_combine_date_time_columns():
    dates = pd.Series(
        ["2017-10-10", dt.date(2017, 10, 11), "2017. 10. 12.", "garbage", "2017-10-13 08:00"],
        index=[5, 4, 3, 2, 1],
        name="발생일",
    )
    times = pd.Series(["21:35", "0930", None, "21:35", "21:35"], index=[0, 1, 2, 3, 4])
    out = combine_date_time(dates, times)
    assert out.index.equals(dates.index) and out.name == "발생일"
    assert out.tolist() == [
        kst("2017-10-10 21:35"),
        kst("2017-10-11 09:30"),
        kst("2017-10-12 00:00"),
        pd.NaT,
        kst("2017-10-13 21:35"),  # only the date of the date column counts
    ]
    with pytest.raises(ValueError, match="length"):
        combine_date_time(dates, times.iloc[:2])


# ---------------------------------------------------------------------------
# parse_time_slots

SLOTS = [
    ("22-02", 22, 2),
    ("22-02시", 22, 2),
    ("22–02시", 22, 2),
    ("22~02시", 22, 2),
    ("22시~02시", 22, 2),
    ("22시 ~ 02시", 22, 2),
    ("22:00-02:00", 22, 2),
    ("22:00-02:30", 22, 3),  # the end rounds up to the hour
    ("밤 10시~새벽 2시", 22, 2),
    ("저녁 7시-밤 11시", 19, 23),
    ("오후 6시-9시", 18, 21),
    ("오후 11시-2시", 23, 2),
    ("오전 10시-2시", 10, 14),
    ("10시~새벽 2시", 22, 2),
    ("18시부터 22시까지", 18, 22),
    ("6-9", 6, 9),
    ("20-24", 20, 0),
    ("0-24", 0, 0),
    ("22시", 22, 23),
    ("밤 11시", 23, 0),
    ("새벽", 0, 6),
    ("아침", 6, 9),
    ("오전", 9, 12),
    ("낮", 12, 14),
    ("점심", 12, 14),
    ("오후", 12, 18),
    ("저녁", 18, 22),
    ("밤", 20, 0),
    ("야간", 20, 6),
    ("심야", 0, 4),
    ("등교", 7, 9),
    ("하교", 15, 18),
    ("등하교", 7, 18),
    ("새벽 시간대", 0, 6),
    ("저녁때", 18, 22),
    ("야간에", 20, 6),
    ("", None, None),
    (None, None, None),
    ("아무때나", None, None),
    ("25-02", None, None),
    ("22:70-02:00", None, None),
]


@pytest.mark.parametrize(("text", "start", "end"), SLOTS)
def test_time_slots(text, start, end):
    out = parse_time_slots(pd.Series([text], index=["k"], dtype=object))
    assert out.columns.tolist() == ["slot_start_hour", "slot_end_hour"]
    assert out.dtypes.tolist() == ["Int64", "Int64"] and out.index.tolist() == ["k"]
    got = [None if pd.isna(v) else int(v) for v in out.iloc[0]]
    assert got == [start, end]


@pytest.mark.parametrize(("word", "slot"), sorted(SLOT_WORDS.items()))
def test_every_slot_word(word, slot):
    out = parse_time_slots(pd.Series([word, f" {word} 시간 "]))
    assert [tuple(row) for row in out.itertuples(index=False)] == [slot, slot]


# ---------------------------------------------------------------------------
# Properties.

ANY_CELL = st.one_of(
    st.none(),
    st.text(),
    st.text(st.sampled_from("0123456789-./: 년월일시분오전후밤새벽TZ+경()"), max_size=30),
    st.binary().map(lambda b: b.decode("utf-8", "replace")),
    st.binary().map(lambda b: b.decode("cp949", "replace")),
    st.binary().map(lambda b: b.decode("utf-8", "surrogateescape")),
    st.integers(),
    st.floats(),
    st.datetimes(),
    st.dates(),
    st.times(),
    st.booleans(),
)


@st.composite
def columns(draw) -> pd.Series:
    values = draw(st.lists(ANY_CELL, max_size=30))
    index = draw(st.lists(st.integers(), min_size=len(values), max_size=len(values), unique=True))
    return pd.Series(values, index=index, dtype=object)


@settings(deadline=None, max_examples=300)
@given(columns())
def test_parse_datetimes_never_raises(values):
    out = parse_datetimes(values)
    assert str(out.dtype) == DTYPE and out.index.equals(values.index)


@settings(deadline=None)
@given(st.lists(st.text(), max_size=30))
def test_parse_datetimes_never_raises_on_arrow_strings(texts):
    values = pd.Series(texts, dtype="str")
    out = parse_datetimes(values)
    assert str(out.dtype) == DTYPE and len(out) == len(values)


@settings(deadline=None)
@given(st.lists(st.floats() | st.integers(-(2**63), 2**63 - 1), max_size=30))
def test_parse_datetimes_never_raises_on_numbers(numbers):
    out = parse_datetimes(pd.Series(numbers, dtype="float64"))
    assert str(out.dtype) == DTYPE and len(out) == len(numbers)


@settings(deadline=None, max_examples=200)
@given(columns(), columns())
def test_combine_date_time_never_raises(dates, times):
    times = times.iloc[: len(dates)]
    dates = dates.iloc[: len(times)]
    out = combine_date_time(dates, times)
    assert str(out.dtype) == DTYPE and out.index.equals(dates.index)


@settings(deadline=None, max_examples=300)
@given(columns())
def test_parse_time_slots_never_raises(values):
    out = parse_time_slots(values)
    assert out.index.equals(values.index) and out.dtypes.tolist() == ["Int64", "Int64"]
    hours = out.stack().dropna()
    assert ((hours >= 0) & (hours <= 23)).all()


MOMENTS = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 12, 31))


def _korean_12h(t: dt.datetime) -> tuple[str, int]:
    return ("오전" if t.hour < 12 else "오후"), (t.hour % 12 or 12)


DATETIME_FORMATS = {
    "iso space": lambda t: f"{t:%Y-%m-%d %H:%M}",
    "iso seconds": lambda t: f"{t:%Y-%m-%d %H:%M:%S}",
    "iso T": lambda t: f"{t:%Y-%m-%dT%H:%M:%S}",
    "iso offset": lambda t: f"{t:%Y-%m-%dT%H:%M:%S}+09:00",
    "iso Z": lambda t: f"{t - dt.timedelta(hours=9):%Y-%m-%dT%H:%M:%S}Z",
    "slashes": lambda t: f"{t:%Y/%m/%d %H:%M}",
    "dots": lambda t: f"{t:%Y. %m. %d. %H:%M}",
    "compact": lambda t: f"{t:%Y%m%d%H%M}",
    "compact seconds": lambda t: f"{t:%Y%m%d%H%M%S}",
    "two-digit year": lambda t: f"{t:%y.%m.%d %H:%M}",
    "korean": lambda t: "{:%Y년 %m월 %d일} {} {}시 {}분".format(t, *_korean_12h(t), t.minute),
    "excel ampm": lambda t: "{:%Y-%m-%d} {} {}:{:02d}".format(t, *_korean_12h(t), t.minute),
    "english ampm": lambda t: f"{t:%Y-%m-%d %I:%M %p}",
    "serial": lambda t: (t - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1),
    "serial text": lambda t: f"{(t - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1):.8f}",
    "datetime": lambda t: t,
    "timestamp": lambda t: pd.Timestamp(t),
}
DATE_FORMATS = {
    "iso": lambda d: f"{d:%Y-%m-%d}",
    "dots": lambda d: f"{d:%Y.%m.%d}",
    "excel dots": lambda d: f"{d:%Y. %m. %d.}",
    "unpadded": lambda d: f"{d.year}.{d.month}.{d.day}",
    "compact": lambda d: f"{d:%Y%m%d}",
    "two-digit year": lambda d: f"{d:%y.%m.%d}",
    "korean": lambda d: f"{d.year}년 {d.month}월 {d.day}일",
    "compact number": lambda d: int(f"{d:%Y%m%d}"),
    "serial": lambda d: (d - dt.date(1899, 12, 30)).days,
    "date": lambda d: d,
}


@settings(deadline=None)
@given(MOMENTS)
def test_datetime_round_trip_in_every_format(moment):
    moment = moment.replace(second=0, microsecond=0)
    values = pd.Series([fmt(moment) for fmt in DATETIME_FORMATS.values()], dtype=object)
    out = parse_datetimes(values).dt.floor("min")
    expected = pd.Timestamp(moment, tz=TZ)
    assert out.tolist() == [expected] * len(values), dict(zip(DATETIME_FORMATS, out, strict=True))


@settings(deadline=None)
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_date_round_trip_in_every_format(day):
    values = pd.Series([fmt(day) for fmt in DATE_FORMATS.values()], dtype=object)
    out = parse_datetimes(values)
    expected = pd.Timestamp(day, tz=TZ)
    assert out.tolist() == [expected] * len(values), dict(zip(DATE_FORMATS, out, strict=True))


@settings(deadline=None)
@given(st.integers(0, 23), st.integers(0, 23), st.sampled_from(["{}-{}", "{}~{}시", "{}:00-{}:00"]))
def test_time_slot_round_trip(start, end, template):
    text = template.format(f"{start:02d}", f"{end:02d}")
    out = parse_time_slots(pd.Series([text]))
    assert tuple(out.iloc[0]) == (start, end)
