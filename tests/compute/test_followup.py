"""Decisions followed up: incidents inside and around the hotspot, the week before and after."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from analytics.compute.followup import follow_up

KST = "Asia/Seoul"
MEETING = dt.date(2017, 10, 13)  # a Friday
SQUARE = shapely.box(0, 0, 100, 100)  # the hotspot, metres


def events(rows):
    """(x, y, day offset from the meeting, source) → an event frame."""
    return pd.DataFrame(
        {
            "x": [r[0] for r in rows],
            "y": [r[1] for r in rows],
            "occurred_at": [pd.Timestamp(MEETING, tz=KST) + pd.Timedelta(days=r[2]) for r in rows],
            "source": [r[3] if len(r) > 3 else "incident" for r in rows],
        }
    )


def decided(week=MEETING):
    return gpd.GeoDataFrame(
        {"week": [week], "hotspot_id": ["H1"]}, geometry=[SQUARE], crs="EPSG:5179"
    )


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], (0, 0, 0, 0)),
        ([(50, 50, -1), (50, 50, -6.9), (50, 50, 0.5)], (2, 1, 0, 0)),  # inside, before and after
        ([(50, 50, -7.1), (50, 50, 7.0)], (0, 0, 0, 0)),  # outside both weeks
        ([(150, 50, -2), (299, 50, 3), (301, 50, 3)], (0, 0, 1, 1)),  # the ring reaches 200 m
        ([(50, 50, -1, "suggestion"), (50, 50, 1, "complaint")], (0, 0, 0, 0)),  # incidents only
        ([(100, 50, 1)], (0, 0, 0, 1)),  # on the edge: around, not inside (counted once)
    ],
)
def test_counts_before_and_after(rows, expected):
    got = follow_up(decided(), events(rows)).iloc[0]
    assert (got.inside_before, got.inside_after, got.around_before, got.around_after) == expected
    assert bool(got.after_complete)


def test_an_unfinished_week_after_says_so():
    ev = events([(50, 50, 1), (50, 50, 5)])
    as_of = pd.Timestamp(MEETING, tz=KST) + pd.Timedelta(days=3)
    got = follow_up(decided(), ev, as_of=as_of).iloc[0]
    assert got.inside_after == 1 and not got.after_complete


def test_no_decisions_and_bad_ring():
    assert follow_up(decided().iloc[:0], events([])).empty
    with pytest.raises(ValueError, match="ring_m"):
        follow_up(decided(), events([]), ring_m=0)
