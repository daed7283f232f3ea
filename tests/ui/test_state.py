"""URL query string ⇄ view state: round trips and hostile links."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.query import HotspotQuery
from ui.state import ViewState, parse_query, share_url, to_query

FULL = ViewState(
    week=dt.date(2017, 10, 13),
    span="28d",
    query=HotspotQuery(
        sources=("suggestion", "incident"),
        weights=(("suggestion", 2.0),),
        categories=("theft", "drunk"),
        unit="중앙지구대",
        eps_m=60.0,
        min_samples=4.0,
    ),
    hotspot="H3fa9c01b2e",
    box="B03",
    top=8,
    overdue=30,
    lang="en",
    present=True,
)


@pytest.mark.parametrize("state", [ViewState(), FULL])
def test_round_trip(state):
    assert parse_query(to_query(state)) == state


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ViewState()),
        ({"week": "2017-13-45"}, ViewState()),
        ({"src": "tweets,incident"}, ViewState(query=HotspotQuery(sources=("incident",)))),
        ({"src": "tweets"}, ViewState()),
        ({"eps": "-5"}, ViewState()),
        ({"eps": "abc", "min": "4"}, ViewState(query=HotspotQuery(min_samples=4.0))),
        ({"eps": "2001", "min": "0.5"}, ViewState()),  # outside HotspotQuery's bounds
        (
            {"w": "suggestion:2,incident:1,bad:3,complaint:x"},
            ViewState(query=HotspotQuery(weights=(("suggestion", 2.0),))),
        ),
        ({"hs": "<script>"}, ViewState()),
        ({"lang": "fr", "present": "yes"}, ViewState()),
        ({"span": "year"}, ViewState()),
        ({"top": "0", "overdue": "91"}, ViewState()),
        ({"top": "2.5", "overdue": "x"}, ViewState()),
        ({"top": "3", "overdue": "7", "box": "B01"}, ViewState(top=3, overdue=7, box="B01")),
        ({"box": "B" * 41}, ViewState()),
    ],
)
def test_bad_values_fall_back_to_defaults(query, expected):
    assert parse_query(query) == expected


def test_the_view_carries_its_query_with_the_reporting_period():
    start, end = FULL.query.period
    assert (end - start).days == 28 and end.date() == FULL.week
    assert FULL.with_(week=None).query.period == (None, None)
    moved = FULL.with_(eps_m=80, span="week")
    assert moved.query.eps_m == 80.0 and (moved.query.end - moved.query.start).days == 7
    with pytest.raises(ValueError, match="eps_m"):
        FULL.with_(eps_m=1)  # the sidebar's values pass HotspotQuery's one check, too


def test_defaults_make_short_links():
    assert to_query(ViewState()) == {}
    url = share_url("http://127.0.0.1:8501/", "map", FULL)
    assert url.startswith("http://127.0.0.1:8501/map?week=2017-10-13&span=28d")
    assert "present=1" in url and "lang=en" in url


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "week",
                "span",
                "src",
                "w",
                "cat",
                "unit",
                "eps",
                "min",
                "hs",
                "box",
                "top",
                "overdue",
                "lang",
                "present",
                "x",
            ]
        ),
        st.text(max_size=30),
    )
)
def test_any_query_parses(query):
    state = parse_query(query)
    assert parse_query(to_query(state)) == state


@pytest.mark.parametrize(
    ("meeting", "lang", "expected"),
    [
        ("2017-10-13", "ko", "2017.10.13 회의 · 10.06~10.12"),
        ("2017-10-13", "en", "13 Oct 2017 meeting · 6 Oct–12 Oct"),
        ("2018-01-05", "ko", "2018.01.05 회의 · 12.29~01.04"),
    ],
)
def test_week_option_names_the_meeting_and_its_seven_days(meeting, lang, expected):
    from ui.i18n import week_option

    assert week_option(dt.date.fromisoformat(meeting), lang) == expected
