"""The dominant-format fast path of the date parser reads every row as the patterns do."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.storage.importers import dates

FORMATS = list(dates._DOMINANT_FORMATS)


@st.composite
def columns(draw):
    """A column mostly in one plain format, with impossible and odd rows mixed in."""
    fmt = draw(st.sampled_from(FORMATS))
    n = draw(st.integers(dates._SNIFF_ROWS, dates._SNIFF_ROWS + 60))
    stamps = draw(
        st.lists(
            st.datetimes(min_value=dt.datetime(1890, 1, 1), max_value=dt.datetime(2110, 12, 31)),
            min_size=n,
            max_size=n,
        )
    )
    cells = [s.strftime(fmt) for s in stamps]
    odd = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.sampled_from(
                    [
                        "2017-02-30 10:00",
                        "20170230 1000",
                        "2017.02.29 10:00",
                        "2017-1-5 9:30",
                        "2017-10-10 24:00",
                        "2017년 10월 10일 오후 9시",
                        "",
                        "  2017-10-10 21:35 ",
                    ]
                ),
            ),
            max_size=20,
        )
    )
    for i, value in odd:
        cells[i] = value
    return pd.Series(cells, dtype="string")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(columns())
def test_the_fast_path_reads_every_row_as_the_patterns_do(column):
    fast = dates.parse_datetimes(column, timezone="Asia/Seoul")
    saved = dates._DOMINANT_FORMATS
    dates._DOMINANT_FORMATS = ()  # the patterns alone
    try:
        slow = dates.parse_datetimes(column, timezone="Asia/Seoul")
    finally:
        dates._DOMINANT_FORMATS = saved
    pd.testing.assert_series_equal(fast, slow)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2017-02-28 10:00", "2017-02-28 10:00"),
        ("2017-02-30 10:00", None),  # strptime alone would roll it into March
        ("2016-02-29 10:00", "2016-02-29 10:00"),
        ("1850-01-01 10:00", None),  # outside the accepted years
    ],
)
def test_a_dominant_column_keeps_refusing_impossible_dates(cell, expected):
    column = pd.Series(["2017-10-10 21:35"] * dates._SNIFF_ROWS + [cell], dtype="string")
    got = dates.parse_datetimes(column, timezone="Asia/Seoul").iloc[-1]
    if expected is None:
        assert got is pd.NaT
    else:
        assert got == pd.Timestamp(expected, tz="Asia/Seoul")
    assert np.isfinite(dates.parse_datetimes(column, timezone="Asia/Seoul").iloc[0].timestamp())


def test_a_row_of_the_formats_width_in_another_form_goes_to_the_patterns():
    # 19 characters, as "%Y-%m-%d %H:%M:%S" is: its "day" is not two digits.
    column = pd.Series(
        ["2000-01-01 00:00:00"] * dates._SNIFF_ROWS + ["2017년 10월 10일 오후 9시"], dtype="string"
    )
    got = dates.parse_datetimes(column, timezone="Asia/Seoul")
    assert got.iloc[-1] == pd.Timestamp("2017-10-10 21:00", tz="Asia/Seoul")
    assert got.iloc[0] == pd.Timestamp("2000-01-01", tz="Asia/Seoul")
