"""analytics.compute.complaints on a small hand-checked frame of complaints."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.compute import complaints as cm
from analytics.compute.changes import compare_counts
from analytics.compute.periods import Period
from tests.conftest import make_events

KST = "Asia/Seoul"
END = pd.Timestamp("2017-10-13", tz=KST)  # the Friday meeting: the week is 10-06 .. 10-12
AS_OF = cm.last_instant(END)  # 2017-10-12 23:59:59.999999999
WEEK = Period(END - pd.Timedelta(days=7), END)


def t(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=KST)


# id, received, status today, resolved_at, agency, category, inside station
ROWS = [
    ("A", "2017-09-01", "done", "2017-09-10", "남원시청 건설과", "signal", True),
    # Resolved on the meeting day: still open at the end of the week.
    ("B", "2017-09-20", "done", "2017-10-13", "남원시청 건설과", "parking", True),
    ("C", "2017-09-28", "in_progress", None, "남원시청 건설과", "parking", True),
    ("D", "2017-09-29", "received", None, None, "cctv", True),
    ("E", "2017-10-13", "received", None, "한국전력 남원지사", "signal", True),  # after as_of
    ("F", "2017-10-05", "done", None, "남원시청 교통행정과", "streetlight", True),  # undated done
    ("G", "2017-09-15", "received", None, "남원시청 환경과", "noise", False),  # outside
    ("H", "2017-10-10", "done", "2017-10-12", "남원시청 교통행정과", "parking", True),
]


@pytest.fixture
def events():
    rows = [
        {
            "event_id": f"com_{cid}",
            "source": "complaint",
            "source_record_id": f"민원-{cid}",
            "occurred_at": t(received),
            "status": status,
            "resolved_at": t(resolved) if resolved else None,
            "agency": agency,
            "category": category,
            "category_label": category,
            "location_text": f"장소 {cid}",
            "description": "연락처 010-1234-5678 가로등 요청" if cid == "D" else f"요청 {cid}",
            "inside_station": inside,
        }
        for cid, received, status, resolved, agency, category, inside in ROWS
    ]
    # An incident on the same days never counts as a complaint.
    rows.append({"source": "incident", "occurred_at": t("2017-10-10 21:00")})
    return make_events(rows)


def by_id(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {r["source_record_id"][-1]: r for _, r in frame.iterrows()}


@pytest.mark.parametrize(
    ("cid", "status_at", "age_days"),
    [
        ("A", "done", 41),
        ("B", "in_progress", 22),  # done today, but resolved after as_of
        ("C", "in_progress", 14),
        ("D", "received", 13),
        ("F", "done", 7),  # done without a date: closed
        ("H", "done", 2),
    ],
)
def test_status_as_of_the_end_of_the_week(events, cid, status_at, age_days):
    rows = by_id(cm.status_as_of(events, as_of=AS_OF))
    assert set(rows) == {"A", "B", "C", "D", "F", "H"}  # E later, G outside, no incident
    assert rows[cid]["status_at"] == status_at
    assert rows[cid]["is_open"] == (status_at != "done")
    assert rows[cid]["age_days"] == age_days


def test_status_as_of_outside_and_exact_instants(events):
    everywhere = by_id(cm.status_as_of(events, as_of=AS_OF, inside_only=False))
    assert everywhere["G"]["status_at"] == "received"
    # The boundary is inclusive: at 10-13 00:00 B is done and E has been received.
    at_midnight = by_id(cm.status_as_of(events, as_of=END))
    assert at_midnight["B"]["status_at"] == "done"
    assert at_midnight["E"]["status_at"] == "received"
    assert at_midnight["E"]["age_days"] == 0


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (AS_OF, [1, 2, 3]),  # D | B, C | A, F, H
        (END, [2, 1, 4]),  # E arrives, B resolved
        (t("2017-09-05"), [0, 1, 0]),  # only A, resolved on 09-10: in progress then
    ],
)
def test_pipeline_counts(events, as_of, expected):
    counts = cm.pipeline_counts(events, as_of=as_of)
    assert counts.index.tolist() == ["received", "in_progress", "done"]
    assert counts.tolist() == expected


def test_received_summary(events):
    s = cm.received_summary(events, period=WEEK)
    # This week: H (10-10). The week before, 09-29 .. 10-05: D and F.
    assert s == {
        "received": 1,
        "previous": 2,
        "change_pct": -50.0,
        "change": compare_counts(1, 2),  # shown as "2 → 1, −1", no percentage
        "resolved": 1,  # H on 10-12; B on 10-13 is next week's
        "open": 3,
    }


@pytest.mark.parametrize(
    ("min_days", "ids", "days"),
    [
        (0, ["B", "C", "D"], [22, 14, 13]),
        (13, ["B", "C", "D"], [22, 14, 13]),
        (14, ["B", "C"], [22, 14]),
        (15, ["B"], [22]),
        (23, [], []),
    ],
)
def test_overdue_oldest_first(events, min_days, ids, days):
    late = cm.overdue(events, as_of=AS_OF, min_days=min_days)
    assert [c[-1] for c in late["complaint_id"]] == ids
    assert late["days_open"].tolist() == days
    assert late["received_at"].is_monotonic_increasing


def test_overdue_columns_and_masking(events):
    late = cm.overdue(events, as_of=AS_OF, min_days=13)
    row = late.iloc[-1]
    assert row["complaint_id"] == "민원-D"
    assert row["agency"] == cm.NO_AGENCY
    assert row["place"] == "장소 D"
    assert row["status_at"] == "received"
    assert "010-1234-5678" not in row["description"]
    assert "가로등 요청" in row["description"]


@pytest.mark.parametrize(
    ("min_days", "expected"),
    [
        (14, [("남원시청 건설과", 2, 2, 22), (cm.NO_AGENCY, 1, 0, 13)]),
        (0, [("남원시청 건설과", 2, 2, 22), (cm.NO_AGENCY, 1, 1, 13)]),
        (30, [("남원시청 건설과", 2, 0, 22), (cm.NO_AGENCY, 1, 0, 13)]),
    ],
)
def test_by_agency(events, min_days, expected):
    table = cm.by_agency(events, as_of=AS_OF, min_days=min_days)
    got = [tuple(r) for r in table[["agency", "open", "overdue", "oldest_days"]].to_numpy()]
    assert got == expected


def test_by_agency_without_open_complaints(events):
    table = cm.by_agency(events, as_of=t("2017-09-01 00:00"), min_days=0)
    # A was received at 09-01 00:00 and is open then: one agency row.
    assert table["agency"].tolist() == ["남원시청 건설과"]
    assert cm.by_agency(events, as_of=t("2017-08-01"), min_days=0).empty


def test_resolution_days_windows(events):
    overall = cm.resolution_days(events, end=END)
    assert sorted(overall.tolist()) == [2.0, 9.0]  # H, A; B is resolved at END
    everything = cm.resolution_days(events)
    assert sorted(everything.tolist()) == [2.0, 9.0, 23.0]
    recent = cm.resolution_days(events, start=END - pd.Timedelta(days=28), end=END)
    assert recent.tolist() == [2.0]


def test_resolution_days_drops_dates_before_receipt():
    ev = make_events(
        [
            {"source": "complaint", "occurred_at": t("2017-10-10"), "resolved_at": t("2017-10-01")},
            {
                "source": "complaint",
                "occurred_at": t("2017-10-10"),
                "resolved_at": t("2017-10-11 12:00"),
            },
        ]
    )
    assert cm.resolution_days(ev).tolist() == [1.5]


@pytest.mark.parametrize(
    ("days", "n", "median", "p90", "mean"),
    [
        ([1, 2, 3, 4, 10], 5, 3.0, 7.6, 4.0),
        ([5], 1, 5.0, 5.0, 5.0),
        ([2, 4], 2, 3.0, 3.8, 3.0),
    ],
)
def test_resolution_stats(days, n, median, p90, mean):
    s = cm.resolution_stats(pd.Series(days, dtype=float))
    assert s["n"] == n
    assert math.isclose(s["median"], median)
    assert math.isclose(s["p90"], p90)
    assert math.isclose(s["mean"], mean)


def test_resolution_stats_empty():
    assert cm.resolution_stats(pd.Series([], dtype=float)) == {
        "n": 0,
        "median": None,
        "p90": None,
        "mean": None,
    }


@pytest.mark.parametrize(
    ("days", "upper", "lo", "counts"),
    [
        ([0, 6.5, 7, 13.9, 20], None, [0, 7, 14], [2, 2, 1]),
        ([0, 6.5, 7, 13.9, 20], 35, [0, 7, 14, 21, 28], [2, 2, 1, 0, 0]),
        ([14], None, [0, 7, 14], [0, 0, 1]),
        ([], None, [0], [0]),
    ],
)
def test_resolution_histogram(days, upper, lo, counts):
    hist = cm.resolution_histogram(pd.Series(days, dtype=float), bin_days=7, upper=upper)
    assert hist["lo"].tolist() == lo
    assert (hist["hi"] - hist["lo"]).eq(7).all()
    assert hist["count"].tolist() == counts


def test_complaints_in_and_categories(events):
    week = cm.complaints_in(events, start=WEEK.start, end=WEEK.end)
    assert week["source_record_id"].tolist() == ["민원-H"]
    assert week["status_at"].tolist() == ["done"]
    month = cm.category_counts(events, start=t("2017-09-01"), end=END)
    # parking: B, C, H; signal: A; cctv: D; streetlight: F (G is outside, E later).
    assert month["category"].tolist() == ["parking", "signal", "streetlight", "cctv"]
    assert month["count"].tolist() == [3, 1, 1, 1]
    assert month.loc[0, "label_ko"] == "불법 주정차"
    assert month.loc[0, "label_en"] == "Illegal parking"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda ev: cm.status_as_of(ev, as_of=pd.Timestamp("2017-10-12")), ValueError),
        (lambda ev: cm.status_as_of(ev, as_of=None), ValueError),
        (lambda ev: cm.status_as_of(ev.drop(columns="resolved_at"), as_of=AS_OF), ValueError),
        (lambda ev: cm.status_as_of(ev.to_dict(), as_of=AS_OF), TypeError),
        (lambda ev: cm.overdue(ev, as_of=AS_OF, min_days=-1), ValueError),
        (lambda ev: cm.overdue(ev, as_of=AS_OF, min_days=1.5), TypeError),
        (lambda ev: cm.by_agency(ev, as_of=AS_OF, min_days=True), TypeError),
        (lambda ev: cm.received_summary(ev, period=(WEEK.start, WEEK.end)), TypeError),
        (lambda ev: cm.resolution_days(ev, start=END, end=WEEK.start), ValueError),
        (lambda ev: cm.resolution_histogram(pd.Series([1.0]), bin_days=0), ValueError),
    ],
)
def test_bad_arguments_fail_early(events, call, error):
    with pytest.raises(error):
        call(events)


def test_last_instant():
    assert cm.last_instant(END) == END - pd.Timedelta(1, unit="ns")
    with pytest.raises(ValueError):
        cm.last_instant(pd.Timestamp("2017-10-13"))
