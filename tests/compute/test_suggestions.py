"""The suggestion-box analytics on small hand-checked frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.compute import suggestions as sg
from analytics.compute.changes import compare_counts
from tests.conftest import make_events

KST = "Asia/Seoul"
START = pd.Timestamp("2017-10-06", tz=KST)  # a reporting week: Fri 10-06 .. Thu 10-12
END = pd.Timestamp("2017-10-13", tz=KST)
MARKET = (989485.0, 1712481.0)  # near the public market, metres (EPSG:5179)


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=KST)


def card(when: str, *, box="BOX-01", cat="dark", slot=(22, 2), xy=MARKET, **extra) -> dict:
    return {
        "source": "suggestion",
        "occurred_at": ts(when),
        "box_id": box,
        "category": cat,
        "category_label": cat,
        "slot_start_hour": None if slot is None else slot[0],
        "slot_end_hour": None if slot is None else slot[1],
        "x": xy[0],
        "y": xy[1],
        "severity": "low",
        **extra,
    }


# --------------------------------------------------------------- cards and summary


def test_cards_selects_period_box_and_inside():
    ev = make_events(
        [
            card("2017-10-05 00:00"),  # before the week
            card("2017-10-06 00:00"),  # first day: in
            card("2017-10-12 00:00", box="BOX-02"),  # last day: in
            card("2017-10-13 00:00"),  # the meeting day: next week
            card("2017-10-08 00:00", inside_station=False),  # outside Namwon
            card("2017-10-09 00:00", box=None),
            {"occurred_at": ts("2017-10-09 21:00")},  # an incident
        ]
    )
    got = sg.cards(ev, start=START, end=END)
    assert got["occurred_at"].dt.day.tolist() == [6, 12, 9]
    assert len(sg.cards(ev, start=START, end=END, box_id="BOX-02")) == 1
    assert len(sg.cards(ev, start=START, end=END, box_id=sg.NO_BOX)) == 1
    assert len(sg.cards(ev, start=START, end=END, inside_only=False)) == 4
    assert len(sg.cards(ev)) == 5


def test_card_summary_against_the_week_before():
    ev = make_events(
        [
            card("2017-09-29 00:00", location_text="공설시장 뒤 골목"),  # previous week
            card("2017-10-05 00:00", location_text="공설시장 뒤 골목"),  # previous week
            card("2017-10-06 00:00", location_text="공설시장 뒤 골목"),
            card("2017-10-07 00:00", location_text="요천 산책로", box="BOX-02"),
            card("2017-10-10 00:00", location_text="공설시장 뒤 골목"),
        ]
    )
    s = sg.card_summary(ev, start=START, end=END)
    assert s == {
        "n": 3,
        "previous": 2,
        "change_pct": 50.0,
        "change": compare_counts(3, 2),
        "n_boxes": 2,
        "n_places": 2,
    }
    assert s["change"].text("en") == "2 → 3, +1"
    one = sg.card_summary(ev, start=START, end=END, box_id="BOX-02")
    assert (one["n"], one["previous"], one["change_pct"]) == (1, 0, None)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (END, START),  # reversed
        (START, START),  # empty
        (pd.Timestamp("2017-10-06"), pd.Timestamp("2017-10-13")),  # naive
    ],
)
def test_periods_are_validated(start, end):
    with pytest.raises(ValueError):
        sg.card_summary(make_events([]), start=start, end=end)


# ------------------------------------------------------------------------- weekly


def test_week_starts_align_on_the_anchor():
    weeks = sg.week_starts(start=ts("2017-09-20"), end=ts("2017-10-20"), anchor=END)
    # Bins [09-15, 09-22) .. [10-13, 10-20): one of them is exactly the reporting week.
    assert [d.strftime("%m-%d") for d in weeks] == ["09-15", "09-22", "09-29", "10-06", "10-13"]


def test_weekly_cards_per_box():
    ev = make_events(
        [
            card("2017-09-29 00:00"),
            card("2017-10-05 00:00", box="BOX-02"),
            card("2017-10-06 00:00"),
            card("2017-10-12 00:00"),
            card("2017-10-12 00:00", box=None),
            card("2017-10-13 00:00"),  # at end: not counted
            card("2017-09-28 00:00"),  # before start: not counted
        ]
    )
    w = sg.weekly_cards_per_box(ev, start=ts("2017-09-29"), end=END)
    assert [d.strftime("%m-%d") for d in w.index] == ["09-29", "10-06"]
    assert w.columns.tolist() == [sg.NO_BOX, "BOX-01", "BOX-02"]
    assert w.to_numpy().tolist() == [[0, 1, 1], [1, 2, 0]]
    one = sg.weekly_cards_per_box(ev, start=ts("2017-09-29"), end=END, box_id="BOX-03")
    assert one.columns.tolist() == ["BOX-03"] and one.to_numpy().sum() == 0


def test_weekly_cards_leave_gaps_where_a_box_stood_nowhere():
    ev = make_events(
        [card("2017-10-06 00:00", box="BOX-02"), card("2017-10-07 00:00", box="BOX-09")]
    )
    log = pd.DataFrame(
        {
            "box_id": ["BOX-01", "BOX-02"],
            "installed_on": ["2017-09-01", "2017-10-05"],
            "removed_on": ["2017-10-02", None],
        }
    )
    w = sg.weekly_cards_per_box(ev, start=ts("2017-09-29"), end=END, boxes=log)
    # BOX-01 stood 09-29..10-02 (first week only); BOX-02 from 10-05 (both weeks touch it:
    # 10-05 is in the first); BOX-09 is not in the log and keeps its counts.
    assert w["BOX-01"].iloc[0] == 0.0 and np.isnan(w["BOX-01"].iloc[1])
    assert w["BOX-02"].tolist() == [0.0, 1.0]
    assert w["BOX-09"].tolist() == [0.0, 1.0]


# ------------------------------------------------------------------- slot hours


def test_slot_hour_histogram_spreads_each_card_over_its_slot():
    ev = make_events(
        [
            card("2017-10-06 00:00", slot=(22, 2)),  # 22, 23, 0, 1: 0.25 each
            card("2017-10-06 00:00", slot=(19, 22)),  # 19, 20, 21: 1/3 each
            card("2017-10-06 00:00", slot=(7, 7)),  # the whole day: 1/24 each
            card("2017-10-06 00:00", slot=None),  # no slot: left out
            {"occurred_at": ts("2017-10-06 22:30")},  # incidents are not asked-for hours
        ]
    )
    h = sg.slot_hour_histogram(ev)
    assert h.index.tolist() == list(range(24))
    day = 1 / 24
    assert h[22] == pytest.approx(0.25 + day) and h[1] == pytest.approx(0.25 + day)
    assert h[20] == pytest.approx(1 / 3 + day)
    assert h[12] == pytest.approx(day)
    assert h.sum() == pytest.approx(3.0)


def test_slot_hour_histogram_of_no_cards_is_zero():
    h = sg.slot_hour_histogram(make_events([{"occurred_at": ts("2017-10-06 22:30")}]))
    assert len(h) == 24 and h.sum() == 0


# --------------------------------------------------------------------- categories


def test_category_counts_order_and_zeros():
    ev = make_events(
        [card("2017-10-06", cat=c) for c in ("drunk", "dark", "drunk", "youth", "dark", "weird")]
        + [card("2017-10-06", cat=None)]
    )
    got = sg.category_counts(ev)
    # Ties go in catalogue order: dark before drunk, youth before other (the missing one).
    assert got.index.tolist()[:4] == ["dark", "drunk", "youth", "other"]
    assert got["count"].tolist()[:4] == [2, 2, 1, 1]
    assert got.loc["stranger", "count"] == 0 and got.loc["traffic", "count"] == 0
    assert got.loc["weird", "count"] == 1 and got.loc["weird", "label_en"] == "weird"
    assert (
        got.loc["dark", "label_ko"] == "어두운 길" and got.loc["dark", "label_en"] == "Dark street"
    )
    assert got["count"].sum() == 7


# --------------------------------------------------------------------- placements

LOG = pd.DataFrame(
    {
        "box_id": ["BOX-01", "BOX-01", "BOX-02", "BOX-03"],
        "name": ["1호", "1호", "2호", "3호"],
        "place": ["중앙지구대", "용남시장", "도통지구대", "인월시장"],
        "lat": [35.4105, 35.4105, 35.4270, 35.4626],
        "lon": [127.3830, 127.3865, 127.3960, 127.6110],
        "installed_on": ["2017-01-16", "2017-07-03", "2017-01-16", "2017-12-01"],
        "removed_on": ["2017-06-30", np.nan, None, None],
    }
)


def test_placement_cards_by_box_and_date():
    ev = make_events(
        [
            card("2017-01-16 00:00"),  # installed day: first placement
            card("2017-06-30 00:00"),  # removed day: still the first
            card("2017-07-01 00:00"),  # between placements: nobody's
            card("2017-07-03 00:00"),
            card("2017-10-01 00:00", box="BOX-02"),
        ]
    )
    got = sg.placement_cards(ev, LOG, on=ts("2017-10-12"))
    assert got["place"].tolist() == ["중앙지구대", "용남시장", "도통지구대"]  # 3호 is later
    assert got["cards"].tolist() == [2, 1, 1]
    assert got["standing"].tolist() == [False, True, True]
    assert got["removed_on"].tolist() == ["2017-06-30", None, None]
    early = sg.placement_cards(ev, LOG, on=ts("2017-03-01"))
    assert early["place"].tolist() == ["중앙지구대", "도통지구대"]
    assert early["standing"].tolist() == [True, True]


def test_box_ids_from_log_and_cards():
    ev = make_events([card("2017-10-06", box="BOX-77"), card("2017-10-06", box=None)])
    assert sg.box_ids(ev, LOG) == ["BOX-01", "BOX-02", "BOX-03", "BOX-77", sg.NO_BOX]


@pytest.mark.parametrize(
    ("start", "end", "last_event", "expected"),
    [
        # The demo's last week: the year up to the day after the last card.
        ("2017-12-22", "2017-12-29", "2017-12-31 23:15", ("2017-01-02", "2018-01-01")),
        # An early week of a finished year: the same year, the week inside it.
        ("2017-03-03", "2017-03-10", "2017-12-31 23:15", ("2017-01-02", "2018-01-01")),
        # A live store: the 52 weeks up to the period.
        ("2018-01-05", "2018-01-12", "2018-01-10 10:00", ("2017-01-13", "2018-01-12")),
        ("2018-01-05", "2018-01-12", None, ("2017-01-13", "2018-01-12")),
        # Data for years after the period: the window still holds the period.
        ("2017-03-03", "2017-03-10", "2019-06-01 10:00", ("2017-03-03", "2018-03-02")),
    ],
)
def test_trend_window(start, end, last_event, expected):
    got = sg.trend_window(ts(start), ts(end), last_event=ts(last_event) if last_event else None)
    assert got == (ts(expected[0]), ts(expected[1]))
    assert got[1] - got[0] == pd.Timedelta(days=364)
    assert got[0] <= ts(start) and ts(end) <= got[1]


def test_next_site_window_is_at_least_28_days():
    assert sg.next_site_window(START, END) == (END - pd.Timedelta(days=28), END)
    long = END - pd.Timedelta(days=60)
    assert sg.next_site_window(long, END) == (long, END)


# ----------------------------------------------------------------- fear and CPTED


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        ([("어두운 길", 3), ("기타", 1)], ("lighting",)),
        ([("낯선 사람·배회", 2), ("어두운 길", 1)], ("lighting", "cctv")),
        ([("청소년 비행", 2)], ("cctv",)),
        ([("가로등·보안등", 1), ("교통 위험", 1)], ("lighting", "traffic")),  # a complaint
        ([("기타", 4), ("폭력", 1)], ("lighting", "cctv")),  # nothing specific: both
        ([], ("lighting", "cctv")),
        ([("어두운 길", 0)], ("lighting", "cctv")),
    ],
)
def test_cpted_measures(top, expected):
    assert sg.cpted_measures(top) == expected


def test_fear_hotspots_keep_fear_rows_and_geometry():
    import geopandas as gpd
    import shapely

    table = gpd.GeoDataFrame(
        {
            "hotspot_id": ["H1", "H2", "H3"],
            "rank": [1, 2, 3],
            "type": ["convergent", "fear", "fear"],
            "top_categories": [[("폭력", 5)], [("어두운 길", 3)], [("청소년 비행", 2)]],
        },
        geometry=[shapely.Point(0, 0).buffer(10)] * 3,
        crs="EPSG:5179",
    )
    got = sg.fear_hotspots(table)
    assert got["hotspot_id"].tolist() == ["H2", "H3"]
    assert got["measures"].tolist() == [("lighting",), ("cctv",)]
    assert isinstance(got, gpd.GeoDataFrame) and got.crs == table.crs
    assert sg.fear_hotspots(table.iloc[:1]).empty


# ---------------------------------------------------------------- next box sites

CELL = 500.0


def centre(col_offset: int, row_offset: int) -> tuple[float, float]:
    """The centre of the 500 m cell ``col_offset``/``row_offset`` cells from the market's."""
    c = np.floor(MARKET[0] / CELL) + col_offset
    r = np.floor(MARKET[1] / CELL) + row_offset
    return (c + 0.5) * CELL, (r + 0.5) * CELL


A = centre(6, 0)  # 3 km east: 3 incidents, no card, no box ever near
B = centre(0, 4)  # 2 km north: 3 incidents, no card, a box stood 300 m away (removed)
C = centre(0, -4)  # 2 km south: 3 incidents, 2 cards
D = centre(-6, 0)  # 3 km west: 3 incidents, 3 cards: no need left
M = centre(0, 0)  # the market cell: a box stands here


def near(xy, i: int) -> tuple[float, float]:
    return xy[0] - 40 + 20 * i, xy[1] + 30 - 15 * i


def box_log(geo, rows) -> pd.DataFrame:
    xs = np.array([r[1][0] for r in rows])
    ys = np.array([r[1][1] for r in rows])
    lon, lat = geo.to_geographic(xs, ys)
    return pd.DataFrame(
        {
            "box_id": [r[0] for r in rows],
            "place": [f"{r[0]} place" for r in rows],
            "lat": lat,
            "lon": lon,
            "installed_on": [r[2] for r in rows],
            "removed_on": [r[3] for r in rows],
        }
    )


@pytest.fixture
def site_events():
    rows = []
    for cell in (A, B, C, D):
        rows += [{"x": near(cell, i)[0], "y": near(cell, i)[1]} for i in range(3)]
    rows += [card("2017-10-09", xy=near(C, i)) for i in range(2)]
    rows += [card("2017-10-09", xy=near(D, i)) for i in range(3)]
    # Not counted: before the window, placed only at a township centre, outside the station.
    rows += [{"x": B[0], "y": B[1], "occurred_at": ts("2017-10-05 23:00")}] * 5
    rows += [{"x": B[0], "y": B[1], "geocode_score": 0.3}] * 5
    rows += [{"x": B[0], "y": B[1], "inside_station": False}] * 5
    return make_events(rows)


@pytest.fixture
def site_boxes(geo):
    return box_log(
        geo,
        [
            ("BOX-01", M, "2017-01-16", None),  # standing at the market
            ("BOX-02", (B[0] + 300.0, B[1]), "2017-03-01", "2017-06-30"),  # past, near B
            ("BOX-03", A, "2017-11-01", None),  # installed after the window: ignored
        ],
    )


def test_next_box_sites_ranks_need_away_from_boxes(geo, site_events, site_boxes):
    got = sg.next_box_sites(site_events, site_boxes, geo=geo, start=START, end=END)
    assert got.columns.tolist() == list(sg.NEXT_SITE_COLUMNS)
    assert got["x"].tolist() == [A[0], B[0], C[0]] and got["y"].tolist() == [A[1], B[1], C[1]]
    assert got["rank"].tolist() == [1, 2, 3]
    assert got["incidents"].tolist() == [3, 3, 3]
    assert got["cards"].tolist() == [0, 0, 2]
    # A: 3 - 0; B: (3 - 0) × 0.5 near a past box; C: 3 - 2. D has as many cards as incidents.
    assert got["score"].tolist() == [3.0, 1.5, 1.0]
    assert got["reason"].tolist() == [sg.REASON_NO_CARDS, sg.REASON_NEAR_BOX, sg.REASON_FEW_CARDS]
    assert got["nearest_box_m"].round(3).tolist() == [3000.0, 300.0, 2000.0]
    assert got["nearest_box"].tolist() == ["BOX-01", "BOX-02", "BOX-01"]
    assert got["nearest_box_place"].tolist() == ["BOX-01 place", "BOX-02 place", "BOX-01 place"]
    # The cell centre is named after its place.
    areas = geo.assign_areas([A[0]], [A[1]])
    assert got["emd"].iloc[0] == areas["emd"].iloc[0] and got["police_unit"].iloc[0]
    lon, lat = geo.to_geographic([A[0]], [A[1]])
    assert got["lat"].iloc[0] == pytest.approx(lat[0]) and got["lon"].iloc[0] == pytest.approx(
        lon[0]
    )
    assert isinstance(got["landmark"].iloc[0], str) and got["landmark_m"].iloc[0] >= 0
    assert got["cell_id"].iloc[0] == f"E{int(A[0] // CELL)}N{int(A[1] // CELL)}"


def test_next_box_sites_tie_breaks_and_knobs(geo, site_events, site_boxes):
    # No penalty and cards that cover nothing: all four score 3. Farther from a box
    # first; A and D are both 3 km from the market box, so the cell id decides.
    got = sg.next_box_sites(
        site_events, site_boxes, geo=geo, start=START, end=END, near_box_factor=1.0, card_weight=0.0
    )
    assert got["x"].tolist() == [D[0], A[0], C[0], B[0]]
    assert set(got["score"]) == {3.0}
    assert got["cell_id"].iloc[0] < got["cell_id"].iloc[1]
    top1 = sg.next_box_sites(site_events, site_boxes, geo=geo, start=START, end=END, top=1)
    assert top1["x"].tolist() == [A[0]]


def test_next_box_sites_with_more_cards_ranks_lower(geo, site_boxes):
    # Two cells with equal incidents far from every box: the one with a card comes second.
    p, q = centre(6, 2), centre(6, -2)
    rows = [{"x": near(c, i)[0], "y": near(c, i)[1]} for c in (p, q) for i in range(4)]
    rows += [card("2017-10-09", xy=near(p, 0))]
    got = sg.next_box_sites(make_events(rows), site_boxes, geo=geo, start=START, end=END)
    assert got["x"].tolist() == [q[0], p[0]] and got["cards"].tolist() == [0, 1]


def test_next_box_sites_without_boxes_or_incidents(geo, site_events, site_boxes):
    no_boxes = site_boxes.iloc[0:0]
    got = sg.next_box_sites(site_events, no_boxes, geo=geo, start=START, end=END)
    # No penalty anywhere: B is not halved and ties with A (then the cell id decides).
    assert got["x"].tolist()[:2] == [B[0], A[0]] and got["score"].tolist()[:2] == [3.0, 3.0]
    assert got["nearest_box_m"].isna().all() and got["nearest_box"].isna().all()
    assert set(got["reason"]) <= {sg.REASON_NO_CARDS, sg.REASON_FEW_CARDS}
    only_cards = make_events([card("2017-10-09")])
    empty = sg.next_box_sites(only_cards, site_boxes, geo=geo, start=START, end=END)
    assert empty.empty and empty.columns.tolist() == list(sg.NEXT_SITE_COLUMNS)


def test_next_box_sites_uses_x_y_of_the_log_when_given(geo, site_events, site_boxes):
    moved = site_boxes.assign(x=[A[0] + 100.0, np.nan, np.nan], y=[A[1], np.nan, np.nan])
    got = sg.next_box_sites(site_events, moved, geo=geo, start=START, end=END)
    a = got.set_index("x").loc[A[0]]
    assert a["nearest_box_m"] == pytest.approx(100.0) and a["reason"] == sg.REASON_NEAR_BOX


@pytest.mark.parametrize(
    "bad",
    [
        {"cell_m": 10.0},
        {"cell_m": float("nan")},
        {"top": 0},
        {"top": 2.5},
        {"near_box_m": -1.0},
        {"near_box_factor": 1.5},
        {"card_weight": -1.0},
        {"start": END, "end": START},
    ],
)
def test_next_box_sites_validates(geo, site_events, site_boxes, bad):
    kwargs = {"geo": geo, "start": START, "end": END, **bad}
    with pytest.raises(ValueError):
        sg.next_box_sites(site_events, site_boxes, **kwargs)


def test_next_box_sites_needs_box_columns(geo, site_events, site_boxes):
    with pytest.raises(ValueError, match="installed_on"):
        sg.next_box_sites(
            site_events, site_boxes.drop(columns="installed_on"), geo=geo, start=START, end=END
        )


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("2017-05-01", {"BOX-01": "중앙지구대", "BOX-02": "향기원"}),  # BOX-02 not yet placed
        ("2017-08-15", {"BOX-01": "용남시장", "BOX-02": "향기원"}),
        ("2017-12-31", {"BOX-01": "용남시장", "BOX-02": "인월시장"}),  # where it last stood
    ],
)
def test_box_sites_name_each_box_by_where_it_stands(on, expected):
    from analytics.storage.boxes import box_sites

    log = pd.DataFrame(
        {
            "box_id": ["BOX-01", "BOX-02", "BOX-01", "BOX-02"],
            "place": ["용남시장", "향기원", "중앙지구대", "인월시장"],
            "installed_on": ["2017-07-03", "2017-08-01", "2017-01-16", "2017-10-16"],
        }
    )
    assert box_sites(log, on=on) == expected
    assert box_sites(log.iloc[0:0], on=on) == {}
