"""analytics.station.clock: the zone and the meeting day come from the station file."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.station import clock
from analytics.station.config import default_station


@pytest.fixture
def other_station(tmp_path, monkeypatch):
    """The repository's station file with its zone and meeting day changed."""
    source = default_station().source_file
    text = source.read_text(encoding="utf-8")
    text = text.replace('timezone = "Asia/Seoul"', 'timezone = "Asia/Tokyo"')
    text = text.replace("weekday = 4", "weekday = 2")
    changed = source.parent / "station_clock_test.toml"
    changed.write_text(text, encoding="utf-8")
    monkeypatch.setenv("HOTSPOT_STATION", str(changed))
    default_station.cache_clear()
    yield
    changed.unlink()
    default_station.cache_clear()


def test_zone_and_meeting_day_come_from_the_station_file(other_station):
    assert clock.zone() == "Asia/Tokyo"
    assert clock.meeting_weekday() == 2
    assert str(clock.now().tz) == "Asia/Tokyo"
    assert clock.datetime_dtype() == pd.DatetimeTZDtype("ns", "Asia/Tokyo")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (pd.Timestamp("2017-10-10 21:00"), "2017-10-10 21:00:00+09:00"),
        (pd.Timestamp("2017-10-10T12:00Z"), "2017-10-10 21:00:00+09:00"),
    ],
)
def test_local_reads_naive_as_wall_clock_and_converts_aware(value, expected):
    assert str(clock.local(value)) == expected


def test_local_and_wall_clock_on_series():
    series = pd.Series(pd.to_datetime(["2017-10-10T00:00Z", "2017-10-10T15:00Z"]))
    assert clock.local(series).dt.hour.tolist() == [9, 0]
    assert clock.wall_clock(series).tolist() == [
        pd.Timestamp("2017-10-10 09:00"),
        pd.Timestamp("2017-10-11 00:00"),
    ]


@pytest.mark.parametrize(("lang", "names"), [("ko", "월화수목금토일"), ("en", None)])
def test_weekday_names(lang, names):
    got = clock.weekday_names(lang)
    assert len(got) == 7
    if names:
        assert "".join(got) == names
    else:
        assert got[0] == "Mon" and got[4] == "Fri" and got[6] == "Sun"
