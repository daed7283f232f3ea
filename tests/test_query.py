"""The one hotspot question (analytics.query): one set of bounds, one validation, one path.

* every bound is checked once, by HotspotQuery, with a message that names the field;
* the slider ranges, the tuning grid, the station's setting and the viewer floors lie
  inside those bounds (they are choices, not validators);
* URL → query → URL is the identity on valid queries, a bad value in a link falls
  back to its default, and the CLI's arguments ask the same question as the link;
* ``eps`` from a link reaches DBSCAN in three hops (URL → HotspotQuery → answer →
  dbscan_labels), and a value out of bounds never reaches it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import query as query_module
from analytics.query import (
    EPS_GRID_M,
    EPS_M_BOUNDS,
    EPS_M_SLIDER,
    HDBSCAN_EPS_GRID_M,
    HDBSCAN_MIN_SAMPLES_GRID,
    MIN_CLUSTER_SIZE_BOUNDS,
    MIN_CLUSTER_SIZE_GRID,
    MIN_SAMPLES_BOUNDS,
    MIN_SAMPLES_GRID,
    MIN_SAMPLES_SLIDER,
    WEIGHT_BOUNDS,
    WEIGHT_SLIDER,
    HotspotQuery,
    reporting_period,
    reporting_span,
    viewer_floors,
)
from analytics.station.clock import zone
from analytics.station.config import REPO_ROOT
from analytics.storage.schema import SOURCES
from tests.conftest import make_events

KST = zone()  # the station's clock
WEEK = dt.date(2017, 10, 13)


# --- one set of bounds, checked once ----------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"eps_m": 4.9}, "eps_m"),
        ({"eps_m": 2000.5}, "eps_m"),
        ({"eps_m": float("nan")}, "eps_m"),
        ({"eps_m": "60"}, "eps_m"),
        ({"min_samples": 0.5}, "min_samples"),
        ({"min_samples": 501}, "min_samples"),
        ({"sources": ()}, "sources"),
        ({"sources": ("incident", "tweets")}, "sources"),
        ({"weights": {"incident": 0}}, "weights"),
        ({"weights": {"incident": 25}}, "weights"),
        ({"weights": {"tweets": 2}}, "weights"),
        ({"start": pd.Timestamp("2017-10-06")}, "start"),
        (
            {
                "start": pd.Timestamp("2017-10-13", tz=KST),
                "end": pd.Timestamp("2017-10-06", tz=KST),
            },
            "start",
        ),
        ({"categories": ("theft,drunk",)}, "categories"),
        ({"categories": ("x" * 41,)}, "categories"),
        ({"unit": "x" * 41}, "unit"),
        ({"min_geocode_score": 1.5}, "min_geocode_score"),
        ({"hull": "alpha"}, "hull"),
        ({"engine": "optics"}, "engine"),
        ({"engine": "DBSCAN"}, "engine"),
        ({"min_cluster_size": 1}, "min_cluster_size"),
        ({"min_cluster_size": 501, "engine": "hdbscan"}, "min_cluster_size"),
        ({"min_cluster_size": "10"}, "min_cluster_size"),
    ],
)
def test_every_bound_is_checked_when_the_query_is_made(fields, named):
    with pytest.raises(ValueError, match=named) as caught:
        HotspotQuery(**fields)
    korean, english = str(caught.value).split(" / ")
    assert any("\uac00" <= c <= "\ud7a3" for c in korean)  # Korean first, then English
    assert named in korean and named in english


def test_the_bounds_are_inclusive_and_values_are_canonical():
    lo = HotspotQuery(eps_m=EPS_M_BOUNDS[0], min_samples=MIN_SAMPLES_BOUNDS[0])
    hi = HotspotQuery(eps_m=EPS_M_BOUNDS[1], min_samples=MIN_SAMPLES_BOUNDS[1])
    assert (lo.eps_m, hi.min_samples) == (5.0, 500.0)
    q = HotspotQuery(
        sources=["incident", "suggestion", "incident"],
        weights={"suggestion": 2, "incident": 1},
        categories=("theft", "theft", "drunk"),
        unit="",
    )
    assert q.sources == ("suggestion", "incident")
    assert q.weights == (("suggestion", 2.0),) and q.weight_map()["incident"] == 1.0
    assert q.categories == ("theft", "drunk") and q.unit is None
    assert hash(q) == hash(
        HotspotQuery(
            sources=("suggestion", "incident"), weights=q.weights, categories=("theft", "drunk")
        )
    )


def test_choices_lie_inside_the_bounds(station):
    """Sliders, the tuning grid, the station's setting and the floors: choices, not validators."""
    for lo, hi in (EPS_M_SLIDER, (min(EPS_GRID_M), max(EPS_GRID_M))):
        assert EPS_M_BOUNDS[0] <= lo < hi <= EPS_M_BOUNDS[1]
    for lo, hi in (MIN_SAMPLES_SLIDER, (min(MIN_SAMPLES_GRID), max(MIN_SAMPLES_GRID))):
        assert MIN_SAMPLES_BOUNDS[0] <= lo < hi <= MIN_SAMPLES_BOUNDS[1]
    assert WEIGHT_BOUNDS[0] <= WEIGHT_SLIDER[0] < WEIGHT_SLIDER[1] <= WEIGHT_BOUNDS[1]
    assert set(HDBSCAN_EPS_GRID_M) <= set(EPS_GRID_M)  # HDBSCAN splits DBSCAN's settings
    assert set(HDBSCAN_MIN_SAMPLES_GRID) <= set(MIN_SAMPLES_GRID)
    lo, hi = MIN_CLUSTER_SIZE_BOUNDS
    assert lo <= min(MIN_CLUSTER_SIZE_GRID) and max(MIN_CLUSTER_SIZE_GRID) <= hi
    floors = viewer_floors(station)
    for eps, mins in [(station.eps_m, station.min_samples), (floors.eps_m, floors.min_samples)]:
        assert HotspotQuery(eps_m=eps, min_samples=mins).has_setting


def test_exactly_one_hotspot_query(monkeypatch):
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "layout_report", REPO_ROOT / "tools/layout_report.py"
    )
    layout = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "layout_report", layout)
    spec.loader.exec_module(layout)
    (where,) = layout.classes_named("HotspotQuery")
    assert where.startswith("analytics/query.py:")


# --- links ------------------------------------------------------------------------------

weeks = st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31))
numbers = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def valid_queries(draw):
    week = draw(st.none() | weeks)
    span = draw(st.sampled_from(("week", "28d")))
    start, end = reporting_period(week, span) if week else (None, None)
    weights = draw(st.dictionaries(st.sampled_from(SOURCES), st.floats(*WEIGHT_BOUNDS)))
    code = st.text(
        st.characters(blacklist_characters=",", blacklist_categories=("Cs",)),
        min_size=1,
        max_size=40,
    )
    return HotspotQuery(
        sources=draw(st.lists(st.sampled_from(SOURCES), min_size=1, unique=True)),
        weights=weights,
        start=start,
        end=end,
        categories=tuple(draw(st.lists(code, max_size=3))),
        unit=draw(
            st.none()
            | st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
        ),
        eps_m=draw(st.none() | st.floats(*EPS_M_BOUNDS)),
        min_samples=draw(st.none() | st.floats(*MIN_SAMPLES_BOUNDS)),
        engine=draw(st.sampled_from((None, "dbscan", "hdbscan"))),
        min_cluster_size=draw(st.none() | st.floats(*MIN_CLUSTER_SIZE_BOUNDS)),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_queries())
def test_url_to_query_to_url_is_the_identity(query):
    params = query.to_url_params()
    assert HotspotQuery.from_url_params(params) == query
    assert HotspotQuery.from_url_params(params).to_url_params() == params


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(
            ["week", "span", "src", "w", "cat", "unit", "eps", "min", "engine", "mcs", "x"]
        ),
        st.text(max_size=30) | numbers.map(str),
    )
)
def test_a_bad_value_in_a_link_falls_back_and_never_raises(params):
    query = HotspotQuery.from_url_params(params)
    assert HotspotQuery.from_url_params(query.to_url_params()) == query


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"eps": "4"}, HotspotQuery()),
        ({"eps": "2001", "min": "4"}, HotspotQuery(min_samples=4)),
        ({"eps": "60", "min": "501"}, HotspotQuery(eps_m=60)),
        ({"eps": "inf", "min": "nan"}, HotspotQuery()),
        ({"w": "incident:0,suggestion:21,complaint:3"}, HotspotQuery(weights={"complaint": 3})),
        ({"src": "tweets"}, HotspotQuery()),
        ({"week": "1066-10-14"}, HotspotQuery()),
        ({"engine": "optics", "mcs": "10"}, HotspotQuery(min_cluster_size=10)),
        ({"engine": "hdbscan", "mcs": "1"}, HotspotQuery(engine="hdbscan")),
        ({"engine": "dbscan", "mcs": "10"}, HotspotQuery(engine="dbscan")),
    ],
)
def test_out_of_bounds_link_values_are_defaults(params, expected):
    assert HotspotQuery.from_url_params(params) == expected


def test_the_engine_rides_on_the_link_and_the_cli():
    link = {"week": "2017-10-13", "eps": "80", "min": "3", "engine": "hdbscan", "mcs": "10"}
    query = HotspotQuery.from_url_params(link)
    assert (query.engine, query.min_cluster_size, query.cluster_size) == ("hdbscan", 10.0, 10.0)
    assert query.to_url_params() == link
    days = ["--from", "2017-10-06", "--to", "2017-10-12", "--eps", "80", "--min-samples", "3"]
    cli = _cli_query(["hotspots", *days, "--engine", "hdbscan", "--min-cluster-size", "10"])
    assert cli == query
    # No engine named: the station's (resolved later); DBSCAN has no least hotspot.
    assert "engine" not in HotspotQuery().to_url_params()
    assert HotspotQuery(engine="dbscan", min_cluster_size=10).min_cluster_size is None
    # A least hotspot below min_samples runs as min_samples (never fewer events than a core).
    assert HotspotQuery(engine="hdbscan", min_samples=7, min_cluster_size=3).cluster_size == 7
    station_wide = query.with_(sources=("incident",)).station_wide()
    assert (station_wide.engine, station_wide.min_cluster_size) == ("hdbscan", 10.0)


def test_a_link_names_only_reporting_periods():
    start, end = reporting_period(WEEK, "28d")
    assert reporting_span(start, end) == (WEEK, "28d")
    assert reporting_span(start, end - pd.Timedelta(hours=1)) is None
    odd = HotspotQuery(start=start, end=end - pd.Timedelta(days=1))
    with pytest.raises(ValueError, match="link"):
        odd.to_url_params()
    with pytest.raises(ValueError, match="hull"):
        HotspotQuery(hull="concave").to_url_params()


# --- the command line asks the same question as the link ------------------------------


def _cli_query(argv: list[str]) -> HotspotQuery:
    from analytics.cli import build_parser

    return HotspotQuery.from_cli_args(build_parser().parse_args(argv))


def test_cli_and_link_ask_the_same_question():
    days = ["--from", "2017-10-06", "--to", "2017-10-12"]
    cli = _cli_query(
        ["hotspots", *days, "--sources", "incident,suggestion", "--eps", "60", "--min-samples", "4"]
    )
    link = HotspotQuery.from_url_params(
        {"week": "2017-10-13", "src": "suggestion,incident", "eps": "60", "min": "4"}
    )
    assert cli == link
    assert _cli_query(["hotspots"]) == HotspotQuery.from_url_params({})


@settings(max_examples=60, deadline=None)
@given(
    week=weeks,
    span=st.sampled_from(("week", "28d")),
    sources=st.lists(st.sampled_from(SOURCES), min_size=1, unique=True),
    eps=st.none() | st.integers(5, 2000),
    mins=st.none() | st.integers(1, 500),
)
def test_cli_args_to_query_equals_url_to_query(week, span, sources, eps, mins):
    start, end = reporting_period(week, span)
    argv = [
        "hotspots",
        "--from",
        f"{start.date()}",
        "--to",
        f"{(end - pd.Timedelta(days=1)).date()}",
    ]
    argv += ["--sources", ",".join(sources)]
    argv += ["--eps", str(eps)] if eps is not None else []
    argv += ["--min-samples", str(mins)] if mins is not None else []
    params = {"week": week.isoformat(), "span": span, "src": ",".join(sources)}
    params |= {"eps": str(eps)} if eps is not None else {}
    params |= {"min": str(mins)} if mins is not None else {}
    assert _cli_query(argv) == HotspotQuery.from_url_params(params)


def test_the_cli_refuses_what_the_query_refuses(capsys):
    from analytics.cli import main

    assert main(["hotspots", "--eps", "2001"]) == 2
    assert "eps_m" in capsys.readouterr().err
    assert main(["hotspots", "--engine", "hdbscan", "--min-cluster-size", "1"]) == 2
    assert "min_cluster_size" in capsys.readouterr().err


# --- eps from a link to DBSCAN: three hops, one validation -------------------------------


@pytest.fixture
def dbscan_calls(monkeypatch):
    """Every eps_m that reaches DBSCAN (analytics.compute.hotspots.dbscan_labels)."""
    from analytics.compute import hotspots

    seen: list[float] = []
    real = hotspots.dbscan_labels

    def spy(xy, *, eps_m, min_samples, **kw):
        seen.append((eps_m, min_samples))
        return real(xy, eps_m=eps_m, min_samples=min_samples, **kw)

    monkeypatch.setattr(hotspots, "dbscan_labels", spy)
    return seen


@pytest.fixture
def week_events():
    t = pd.Timestamp("2017-10-09 21:00", tz=KST)
    return make_events(
        [{"x": 989485.0 + 7 * i, "y": 1712481.0, "occurred_at": t} for i in range(6)]
    )


def _answer(url_params, *, role, geo, station, events, db):
    """The dashboard's path: the link's ViewState carries the query the answer takes."""
    from analytics.access.privacy import PrivacyRule
    from analytics.answer import answer_hotspot_query
    from ui.state import parse_query

    query = parse_query(url_params).query  # hop 1: the one validation
    return answer_hotspot_query(  # hop 2: resolve, floors; hop 3 inside: dbscan_labels
        query, db=db, geo=geo, rule=PrivacyRule.for_role(role, station), events=events
    )


@pytest.fixture
def empty_db(tmp_path):
    from analytics.storage import store

    return store.open_store(str(tmp_path / "empty.sqlite"))


def test_eps_from_a_link_reaches_dbscan(geo, station, week_events, empty_db, dbscan_calls):
    link = {"week": "2017-10-13", "eps": "60", "min": "4"}
    answer = _answer(
        link, role="analyst", geo=geo, station=station, events=week_events, db=empty_db
    )
    # The current week and the four before it, each clustered with the link's setting.
    assert dbscan_calls == [(60.0, 4.0)] * 5
    assert (answer.query.eps_m, answer.how) == (60.0, "given")
    assert len(answer.shown.current) == 1 and answer.sentence("en") == "eps 60 m, min 4"


@pytest.mark.parametrize("eps", ["4", "2001", "-60", "60m", "nan"])
def test_an_eps_out_of_bounds_never_reaches_dbscan(
    geo, station, week_events, empty_db, dbscan_calls, eps
):
    link = {"week": "2017-10-13", "eps": eps, "min": "4"}
    answer = _answer(
        link, role="analyst", geo=geo, station=station, events=week_events, db=empty_db
    )
    # The link's eps fell back to None: the station's setting (nothing to tune on here).
    assert {e for e, _ in dbscan_calls} == {float(station.eps_m)}
    assert answer.query.eps_m == station.eps_m and answer.how == "given"  # min was given


def test_a_viewers_eps_is_raised_on_the_way(geo, station, week_events, empty_db, dbscan_calls):
    link = {"week": "2017-10-13", "eps": "20", "min": "1"}
    answer = _answer(link, role="viewer", geo=geo, station=station, events=week_events, db=empty_db)
    floor = (float(station.viewer_min_eps_m), float(station.viewer_min_samples))
    assert set(dbscan_calls) == {floor}
    assert answer.shown.raised and (answer.query.eps_m, answer.query.min_samples) == floor
    assert (answer.resolved.eps_m, answer.resolved.min_samples) == (20.0, 1.0)


def test_the_path_is_written_where_the_query_lives():
    doc = query_module.__doc__
    for step in ("from_url_params", "answer_hotspot_query", "dbscan_labels"):
        assert step in doc
