"""The community loop's arithmetic on hand-checked cards and decisions."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analytics.compute import community, suggestions
from tests.conftest import make_events

KST = "Asia/Seoul"
START = pd.Timestamp("2017-10-06", tz=KST)
END = pd.Timestamp("2017-10-13", tz=KST)
X0, Y0 = 960_000.0, 1_700_000.0


def card(day: str, category: str, slot: tuple[int, int] | None, *, box="BOX-01", dx=0.0, **kw):
    return {
        "source": "suggestion",
        "occurred_at": pd.Timestamp(day, tz=KST),
        "category": category,
        "category_label": category,
        "severity": "low",
        "slot_start_hour": slot[0] if slot else None,
        "slot_end_hour": slot[1] if slot else None,
        "box_id": box,
        "x": X0 + dx,
        "y": Y0,
        **kw,
    }


@pytest.fixture
def cards():
    rows = [
        # 5 dark, 3 drunk, 1 youth, 1 stranger in the week for BOX-01
        *[card("2017-10-07 10:00", "dark", (22, 2)) for _ in range(5)],
        *[card("2017-10-08 10:00", "drunk", (20, 22)) for _ in range(3)],
        card("2017-10-09 10:00", "youth", (15, 17)),
        card("2017-10-10 10:00", "stranger", None),
        # another box, and BOX-01 outside the period: never counted
        card("2017-10-09 10:00", "dark", (22, 2), box="BOX-02"),
        card("2017-10-13 00:00", "dark", (22, 2)),
        card("2017-10-05 23:59", "dark", (22, 2)),
    ]
    return make_events(rows)


def test_box_counts_by_theme_pool_and_suppress_the_small_ones(cards):
    counts = community.box_card_counts(cards, box_id="BOX-01", start=START, end=END, min_count=3)
    assert counts.total == 10 and not counts.total_suppressed
    themes = counts.themes.set_index("theme")
    # dark 5 and drunk 3 keep their rows; youth 1 + stranger 1 pool into one small row of 2.
    assert themes["count"].to_dict() == {"dark": 5, "drunk": 3, community.SMALL_THEMES: 2}
    assert themes["suppressed"].to_dict() == {
        "dark": False,
        "drunk": False,
        community.SMALL_THEMES: True,
    }
    assert themes.loc["dark", "label_ko"] == "어두운 길"
    assert pd.isna(themes.loc[community.SMALL_THEMES, "label_ko"])  # never named


def test_other_themes_join_the_pooled_row_whatever_their_count(cards):
    more = pd.concat(
        [cards, make_events([card("2017-10-08 10:00", "other", (1, 3))] * 3, start_id=50)]
    )
    counts = community.box_card_counts(more, box_id="BOX-01", start=START, end=END, min_count=3)
    themes = counts.themes.set_index("theme")
    # 'other' (3) and youth + stranger (2): one row of 5, printed.
    assert themes["count"].to_dict() == {"dark": 5, "drunk": 3, community.SMALL_THEMES: 5}
    assert not themes["suppressed"].any()


def test_box_counts_by_hour_band(cards):
    counts = community.box_card_counts(cards, box_id="BOX-01", start=START, end=END, min_count=3)
    hours = counts.hours.set_index("band")
    # 22–02 touches night (22–24) and dawn (0–6); 20–22 is evening; 15–17 afternoon.
    assert hours["count"].to_dict() == {
        "dawn": 5,
        "morning": 0,
        "afternoon": 1,
        "evening": 3,
        "night": 5,
        community.NO_TIME: 1,
    }
    assert hours["suppressed"].tolist() == [False, False, True, False, False, True]


def test_a_box_with_fewer_cards_than_the_threshold_is_suppressed_whole(cards):
    one = community.box_card_counts(cards, box_id="BOX-02", start=START, end=END, min_count=3)
    assert one.total == 1 and one.total_suppressed
    assert one.themes["suppressed"].all()
    none = community.box_card_counts(cards, box_id="BOX-09", start=START, end=END, min_count=3)
    assert none.total == 0 and not none.total_suppressed and none.themes.empty


def test_threshold_comes_from_the_station(station):
    import dataclasses

    assert community.small_count_threshold(station) == station.public_min_count == 3
    # Its own key: the viewer's clustering floor does not move it.
    stricter = dataclasses.replace(station, public_min_count=5, viewer_min_samples=2)
    assert community.small_count_threshold(stricter) == 5
    with pytest.raises(ValueError):
        community.box_card_counts(pd.DataFrame(), box_id="B", start=START, end=END, min_count=0)


def decisions(rows):
    frame = pd.DataFrame(rows)
    geometry = frame.pop("area")
    return gpd.GeoDataFrame(frame, geometry=list(geometry), crs="EPSG:5179")


def square(cx, cy, half=30.0):
    return shapely.box(cx - half, cy - half, cx + half, cy + half)


def decision(i, week, action, area, **kw):
    return {
        "id": i,
        "week": week,
        "hotspot_id": f"H{i}",
        "place": f"장소 {i}",
        "police_unit": "중앙지구대",
        "action": action,
        "owner_unit": "중앙지구대",
        "due_on": None,
        "area": area,
        **kw,
    }


def test_actions_near_the_box_cards_in_the_period(cards):
    mine = cards[cards["box_id"] == "BOX-01"]
    d = decisions(
        [
            decision(1, dt.date(2017, 10, 13), "patrol", square(X0, Y0)),  # holds the cards
            decision(2, dt.date(2017, 10, 13), "cpted", square(X0 + 120, Y0)),  # edge 90 m away
            decision(3, dt.date(2017, 10, 13), "patrol", square(X0 + 200, Y0)),  # 170 m: too far
            decision(4, dt.date(2017, 10, 20), "patrol", square(X0, Y0)),  # after the period
            decision(5, dt.date(2017, 10, 6), "none", square(X0, Y0)),  # no action
            decision(6, dt.date(2017, 10, 6), "investigation", square(X0, Y0)),
        ]
    )
    acts = community.box_actions(d, mine, start=START, end=END, answers={2: dt.date(2017, 10, 27)})
    assert acts["place"].tolist() == ["장소 6", "장소 1", "장소 2"]
    assert acts["answered_on"].tolist() == [None, None, dt.date(2017, 10, 27)]
    assert community.action_summary(acts) == {
        "patrol": 1,
        "cpted": 1,
        "answered": 1,
        "investigation": 1,
    }
    tight = community.box_actions(d, mine, start=START, end=END, near_m=0)
    assert tight["place"].tolist() == ["장소 6", "장소 1"]
    empty = community.box_actions(d.iloc[:0], mine, start=START, end=END)
    assert list(empty.columns) == list(community.ACTION_COLUMNS) and empty.empty
    assert community.action_summary(empty) == {
        "patrol": 0,
        "cpted": 0,
        "answered": 0,
        "investigation": 0,
    }


def test_hours_named_counts_each_card_once_per_hour(cards):
    mine = suggestions.cards(cards, start=START, end=END, box_id="BOX-01")
    hours = community.hours_named(mine)
    assert hours.sum() == 5 * 4 + 3 * 2 + 1 * 2  # the card without hours names none
    assert hours[22] == 5 and hours[1] == 5 and hours[20] == 3 and hours[15] == 1
    assert hours[2] == 0 and hours[12] == 0


def test_printable_cards_hold_back_sensitive_mentions():
    rows = make_events(
        [
            card("2017-10-07 10:00", "dark", (22, 2), description="가로등이 꺼져 있어요"),
            card("2017-10-07 10:00", "stranger", (22, 2), description="화장실에 몰 카 있는 듯"),
            card("2017-10-07 10:00", "dark", (22, 2), location_text="성 추행 있었던 골목"),
            card("2017-10-07 10:00", "sexual", (22, 2), description="무서워요"),
        ]
    )
    shown, held = community.printable_cards(rows, ("sexual", "hidden_camera"))
    assert held == 3 and shown["description"].tolist() == ["가로등이 꺼져 있어요"]
    shown, held = community.printable_cards(rows, ())
    assert held == 0 and len(shown) == 4


def test_facility_states_and_when_a_request_fits():
    assert community.lacking_facilities({}) == dict.fromkeys(community.FACILITIES, "unknown")
    state = community.lacking_facilities({"cctv": 20.0, "streetlight": 80.0, "bell": np.inf})
    assert state == {"cctv": "present", "streetlight": "lacking", "bell": "lacking"}
    assert community.cpted_request_fits("fear", {"cctv": 20.0, "streetlight": 80.0})
    assert community.cpted_request_fits("fear", {})  # nothing loaded: not ruled out
    assert not community.cpted_request_fits("fear", {"cctv": 10.0, "streetlight": 50.0})
    assert not community.cpted_request_fits("hidden", {})


def test_a_printable_hotspot_is_shaped_by_no_sensitive_case(geo):
    from analytics.compute.hotspots import find_hotspots
    from tests.presentation import community_data as cd

    ev = cd.events(geo)
    x0, _ = cd.market_xy(geo)

    def with_case_at(dx):
        moved = ev.copy()
        case = moved["event_id"] == "inc_sex"
        moved.loc[case, "x"] = x0 + dx
        result = find_hotspots(moved, geo=geo, eps_m=60, min_samples=4, period=(START, END))
        assert len(result.hotspots) == 1
        row = result.hotspots.iloc[0]
        members = moved[(result.hotspot_ids == row["hotspot_id"]).fillna(False).to_numpy()]
        assert "inc_sex" in set(members["event_id"])  # the case is one of its members
        shown = community.printable_hotspot(
            row, members, sensitive=("sexual",), geo=geo, eps_m=60, hull="convex"
        )
        return row, shown

    exact, shown = with_case_at(45.0)  # the case at the cluster's east edge
    clean = find_hotspots(
        ev[ev["category"] != "sexual"], geo=geo, eps_m=60, min_samples=4, period=(START, END)
    ).hotspots.iloc[0]
    assert shapely.bounds(exact["geometry"])[2] > shapely.bounds(clean["geometry"])[2] + 10
    assert shapely.equals_exact(shown["geometry"], clean["geometry"], tolerance=1e-6)
    assert shown["centroid_x"] == pytest.approx(clean["centroid_x"])
    assert shown["landmark"] == clean["landmark"] and shown["emd"] == clean["emd"]
    _, moved = with_case_at(35.0)  # moving the case changes nothing printed
    assert shapely.equals_exact(moved["geometry"], shown["geometry"], tolerance=1e-9)
    assert moved["landmark_m"] == shown["landmark_m"]
    # Nothing sensitive among the members: the hotspot as it is.
    members = ev[ev["category"] != "sexual"]
    assert (
        community.printable_hotspot(clean, members, sensitive=("sexual",), geo=geo, eps_m=60)
        is clean
    )
    with pytest.raises(ValueError, match="sensitive cases alone"):
        community.printable_hotspot(
            clean, ev[ev["category"] == "sexual"], sensitive=("sexual",), geo=geo, eps_m=60
        )
